//! Small Rhai functions a converted script may need where JavaScript and Rhai differ (truthiness,
//! division, string methods that return a value in JavaScript but work in place in Rhai). Only
//! those a file uses are appended to it, as private functions.

/// (name, Rhai text).
const HELPERS: &[(&str, &str)] = &[
    (
        "js_truthy",
        "private fn js_truthy(v) {\n    switch type_of(v) {\n        \"()\" => false,\n        \"bool\" => v,\n        \"i64\" => v != 0,\n        \"f64\" => v != 0.0 && !v.is_nan,\n        \"string\" => v != \"\",\n        _ => true,\n    }\n}",
    ),
    (
        "js_div",
        "private fn js_div(a, b) {\n    // JavaScript's `/`: a whole quotient is an integer, as Rhai writes it; null, undefined, a\n    // string or a boolean as `js_arith` reads it.\n    for t in [type_of(a), type_of(b)] {\n        if t == \"()\" || t == \"string\" || t == \"bool\" { return js_arith(a, b, \"/\"); }\n    }\n    let q = a.to_float() / b.to_float();\n    if q.is_finite && q.fraction() == 0.0 && q.abs() < 9007199254740992.0 { q.to_int() } else { q }\n}",
    ),
    ("js_int", "private fn js_int(x) {\n    if type_of(x) == \"i64\" { x } else { x.to_int() }\n}"),
    (
        "js_whole",
        r#"private fn js_whole(f) {
    // A whole float as Math.floor/ceil/round/trunc give it: an integer where a double holds it
    // exactly (below 2^53), else the float itself (1e20, NaN, Infinity), as JavaScript keeps it.
    if f.abs() < 9007199254740992.0 { f.to_int() } else { f }
}"#,
    ),
    ("js_floor", "private fn js_floor(x) {\n    if type_of(x) == \"i64\" { x } else { js_whole(x.floor()) }\n}"),
    ("js_ceil", "private fn js_ceil(x) {\n    if type_of(x) == \"i64\" { x } else { js_whole(x.ceiling()) }\n}"),
    (
        "js_round",
        "private fn js_round(x) {\n    // Math.round(x): the nearest whole number, a half up (-2.5 is -2); x - floor(x) is exact,\n    // where x + 0.5 may round (0.49999999999999994 + 0.5 is 1).\n    if type_of(x) == \"i64\" { return x; }\n    let f = x.floor();\n    js_whole(if x - f >= 0.5 { f + 1.0 } else { f })\n}",
    ),
    ("js_trunc", "private fn js_trunc(x) {\n    if type_of(x) == \"i64\" { x } else { js_whole(x.int()) }\n}"),
    ("js_trim", "private fn js_trim(s) {\n    s.trim();\n    s\n}"),
    (
        "js_trim_start",
        "private fn js_trim_start(s) {\n    // trimStart(): from the first character that is not white space (Rhai trims both ends).\n    let t = s;\n    t.trim();\n    if t == \"\" { \"\" } else { s.sub_string(s.index_of(t)) }\n}",
    ),
    (
        "js_trim_end",
        "private fn js_trim_end(s) {\n    // trimEnd(): up to the last character that is not white space.\n    let t = s;\n    t.trim();\n    if t == \"\" { \"\" } else { s.sub_string(0, s.index_of(t) + t.len()) }\n}",
    ),
    (
        "js_spread",
        r#"private fn js_spread(v) {
    // `...v` in a call's arguments or an array literal: an array's elements, a string's
    // characters, a Set's values, a Map's [key, value] pairs, a SharedArray's or a match's
    // elements, as JavaScript iterates them.
    switch type_of(v) {
        "array" => v,
        "string" => { let out = []; for c in v.chars() { out.push(c.to_string()); } out }
        "Set" => v.values(),
        "Map" => v.entries(),
        "()" => throw "TypeError: Cannot convert undefined or null to object (a spread argument)",
        "map" => throw "TypeError: object is not iterable (a spread argument)",
        _ => {
            // A SharedArray, a match, any value rload can iterate.
            let out = [];
            try { for x in v { out.push(x); } } catch { throw `TypeError: ${type_of(v)} is not iterable (a spread argument)`; }
            out
        }
    }
}"#,
    ),
    (
        "js_concat_all",
        r#"private fn js_concat_all(a, items) {
    // a.concat(...items): to an array, each item that is an array spliced in, any other one
    // element; to a string, each item's text.
    if type_of(a) == "string" {
        for x in items { a += js_str(x); }
        return a;
    }
    a + js_flat(items, 1)
}"#,
    ),
    (
        "js_push",
        "private fn js_push(items) {\n    // push(…) whose value is used: JavaScript's returns the new length (Rhai's nothing).\n    this.append(items);\n    this.len()\n}",
    ),
    (
        "js_set_length",
        "private fn js_set_length(n) {\n    // `a.length = n`: cut the array to n elements, or pad it with undefined ones.\n    if type_of(this) != \"array\" { throw `cannot set the length of a ${type_of(this)}`; }\n    if n < this.len() { this.truncate(n); } else { this.pad(n, ()); }\n}",
    ),
    (
        "js_error",
        r#"private fn js_error(name, m) {
    // `new Error(m)` (or TypeError, …): its text, "Error: m", as String(e) writes it; `e.name`
    // and `e.message` read it back (js_error_name, js_message); "Error" alone without m.
    if m == () && !js_is_null(m) { name } else { name + ": " + js_str(m) }
}"#,
    ),
    (
        "js_call_opt",
        "private fn js_call_opt(f, args) {\n    // `f?.(…)`: undefined when f is null or undefined, else f called.\n    if f == () { () } else { js_call(f, args) }\n}",
    ),
    (
        "js_spread_object",
        r#"private fn js_spread_object(v) {
    // `...v` in an object literal: an object's own properties; nothing for null, undefined, a
    // number or a boolean; an array's or a string's elements under their indexes.
    switch type_of(v) {
        "()" | "bool" | "i64" | "f64" => #{},
        "array" => { let o = #{}; for (x, i) in v { o[i.to_string()] = x; } o }
        "string" => { let o = #{}; let i = 0; for c in v.chars() { o[i.to_string()] = c.to_string(); i += 1; } o }
        _ => v,
    }
}"#,
    ),
    (
        "js_iter_keys",
        "private fn js_iter_keys(v) {\n    // keys(): an array's indexes; anything else's own keys().\n    if type_of(v) == \"array\" { let out = []; for i in 0..v.len() { out.push(i); } out } else { v.keys() }\n}",
    ),
    (
        "js_iter_values",
        "private fn js_iter_values(v) {\n    // values(): an array's elements; anything else's own values().\n    if type_of(v) == \"array\" { v } else { v.values() }\n}",
    ),
    (
        "js_iter_entries",
        "private fn js_iter_entries(v) {\n    // entries(): an array's [index, element] pairs; anything else's own entries().\n    if type_of(v) == \"array\" { let out = []; for (x, i) in v { out.push([i, x]); } out } else { v.entries() }\n}",
    ),
    (
        "js_includes_from",
        "private fn js_includes_from(x, v, from) {\n    // includes(v, from): from position `from` (from the end when negative) on.\n    let n = x.len();\n    let i = js_int(js_number(from));\n    if i < 0 { i = if n + i < 0 { 0 } else { n + i }; }\n    if i >= n { return type_of(x) == \"string\" && v == \"\"; }\n    if type_of(x) == \"string\" { return x.sub_string(i).contains(v); }\n    js_includes(x.extract(i), v)\n}",
    ),
    (
        "js_last_index_of_from",
        "private fn js_last_index_of_from(x, v, from) {\n    // lastIndexOf(v, from): the last position of v at or before `from` (from the end when\n    // negative for an array; a string's clamped at 0).\n    let n = x.len();\n    let i = js_int(js_number(from));\n    if type_of(x) == \"string\" {\n        if i < 0 { i = 0; }\n        if i > n - v.len() { i = n - v.len(); }\n        while i >= 0 { if x.sub_string(i, v.len()) == v { return i; } i -= 1; }\n        return -1;\n    }\n    if i < 0 { i += n; }\n    if i >= n { i = n - 1; }\n    while i >= 0 { if js_same(x[i], v) { return i; } i -= 1; }\n    -1\n}",
    ),
    (
        "js_is_safe_integer",
        "private fn js_is_safe_integer(v) {\n    // Number.isSafeInteger: a whole number of at most 2^53 - 1 either way.\n    js_is_integer(v) && v.abs() <= 9007199254740991\n}",
    ),
    (
        "js_from_code_point",
        "private fn js_from_code_point(codes) {\n    // String.fromCodePoint(…): each code point as a character (past 0x10FFFF or negative:\n    // k6's RangeError).\n    let text = \"\";\n    for c in codes {\n        let n = js_number(c);\n        if type_of(n) == \"f64\" || n < 0 || n > 1114111 { throw `RangeError: Invalid code point ${js_str(c)}`; }\n        if n >= 65536 {\n            let m = n - 65536;\n            text += js_from_char_code([55296 + (m >> 10), 56320 + (m & 1023)]);\n        } else {\n            text += js_from_char_code([n]);\n        }\n    }\n    text\n}",
    ),
    (
        "js_unshift",
        "private fn js_unshift(items) {\n    // unshift(…): the items first, in their order; JavaScript's returns the new length.\n    let i = 0;\n    for x in items { this.insert(i, x); i += 1; }\n    this.len()\n}",
    ),
    (
        "js_join_sep",
        "private fn js_join_sep(sep) {\n    // join(sep)'s separator: a comma for undefined, else its text (\"null\" for null).\n    if sep == () && !js_is_null(sep) { \",\" } else { js_str(sep) }\n}",
    ),
    (
        "js_join",
        "private fn js_join(a, sep) {\n    let out = \"\";\n    for (x, i) in a {\n        if i > 0 { out += sep; }\n        if x != () { out += js_str(x); }\n    }\n    out\n}",
    ),
    (
        "js_str",
        "private fn js_str(v) {\n    // JavaScript's String(v): whole floats without \".0\", arrays comma-joined, maps as\n    // \"[object Object]\"; `()` as \"null\" or \"undefined\",\n    // whichever it is.\n    switch type_of(v) {\n        \"string\" => v,\n        \"()\" => if js_is_null(v) { \"null\" } else { \"undefined\" },\n        \"f64\" => js_number_string(v),\n        \"array\" => {\n            let out = \"\";\n            for (x, i) in v {\n                if i > 0 { out += \",\"; }\n                if x != () { out += js_str(x); }\n            }\n            out\n        }\n        \"map\" => if v.contains(\"error\") && v.contains(\"message\") {\n            // An error of Rhai's, caught: its name and message, as an Error's text is.\n            (if v.error == \"ErrorDotExpr\" || v.error == \"ErrorIndexingType\" { \"TypeError: \" } else { \"Error: \" }) + v.message\n        } else {\n            \"[object Object]\"\n        },\n        _ => `${v}`,\n    }\n}",
    ),
    (
        "js_parse_int",
        "private fn js_parse_int(s, radix) {\n    // JavaScript's parseInt: the leading integer of the text (after spaces and a sign), in base\n    // `radix` (10, or 16 after \"0x\", when not given); NaN when there is none.\n    let t = js_str(s);\n    t.trim();\n    let neg = t.starts_with(\"-\");\n    if neg || t.starts_with(\"+\") { t = t.sub_string(1); }\n    let hex = t.starts_with(\"0x\") || t.starts_with(\"0X\");\n    if radix == () || radix == 0 { radix = if hex { 16 } else { 10 }; }\n    if radix == 16 && hex { t = t.sub_string(2); }\n    if radix < 2 || radix > 36 { return 0.0 / 0.0; }\n    let n = 0;\n    let digits = 0;\n    for c in t.chars() {\n        let d = if c >= '0' && c <= '9' { c.to_int() - 48 } else if c >= 'a' && c <= 'z' { c.to_int() - 87 } else if c >= 'A' && c <= 'Z' { c.to_int() - 55 } else { 99 };\n        if d >= radix { break; }\n        n = n * radix + d;\n        digits += 1;\n    }\n    if digits == 0 { return 0.0 / 0.0; }\n    if neg { -n } else { n }\n}",
    ),
    (
        "js_parse_float",
        "private fn js_parse_float(s) {\n    // JavaScript's parseFloat: the leading decimal number of the text (after spaces), NaN when\n    // there is none.\n    let t = js_str(s);\n    t.trim();\n    let n = t.len();\n    let i = 0;\n    if i < n && (t[i] == '+' || t[i] == '-') { i += 1; }\n    if t.sub_string(i).starts_with(\"Infinity\") { return if t.starts_with(\"-\") { -1.0 / 0.0 } else { 1.0 / 0.0 }; }\n    let digits = 0;\n    while i < n && t[i] >= '0' && t[i] <= '9' { i += 1; digits += 1; }\n    if i < n && t[i] == '.' {\n        i += 1;\n        while i < n && t[i] >= '0' && t[i] <= '9' { i += 1; digits += 1; }\n    }\n    if digits == 0 { return 0.0 / 0.0; }\n    if i < n && (t[i] == 'e' || t[i] == 'E') {\n        let j = i + 1;\n        if j < n && (t[j] == '+' || t[j] == '-') { j += 1; }\n        let k = j;\n        while k < n && t[k] >= '0' && t[k] <= '9' { k += 1; }\n        if k > j { i = k; }\n    }\n    parse_float(t.sub_string(0, i))\n}",
    ),
    (
        "js_message",
        r#"private fn js_message(e) {
    // A caught error's message: Rhai's own errors are maps with one, as `Promise.any`'s
    // AggregateError has; `new Error(m)` converts to "Error: m" (`new TypeError(m)` to
    // "TypeError: m", a helper's and rload's errors are worded so too): m, and "" for a bare
    // "Error"; any other thrown value is its own message.
    if type_of(e) == "map" || type_of(e) == "AggregateError" { return e.message; }
    if type_of(e) != "string" { return js_str(e); }
    for n in ["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "URIError", "EvalError"] {
        if e == n { return ""; }
        if e.starts_with(n + ": ") { return e.sub_string(n.len() + 2); }
    }
    e
}"#,
    ),
    (
        "js_add",
        "private fn js_add(a, b) {\n    // JavaScript's `+`: text when either side is a string, an array, a map or a Date (each side as\n    // String(v) writes it: `\"x\" + 3.0` is \"x3\"), else Rhai's `+` of numbers.\n    let ta = type_of(a);\n    let tb = type_of(b);\n    if ta == \"string\" || tb == \"string\" || ta == \"array\" || tb == \"array\" || ta == \"map\" || tb == \"map\" || ta == \"Date\" || tb == \"Date\" {\n        js_str(a) + js_str(b)\n    } else if ta == \"()\" || tb == \"()\" || ta == \"bool\" || tb == \"bool\" {\n        js_arith(a, b, \"+\")\n    } else {\n        a + b\n    }\n}",
    ),
    (
        "js_arith",
        r#"private fn js_arith(a, b, op) {
    // JavaScript's `+` of numbers, `-`, `*`, `%`, `/` and `**` where a side is not certainly a
    // number: a string, a boolean, null or undefined as its number ("6" - 1 is 5, true + 1 is 2,
    // `null * 2` is 0, `undefined * 2` NaN; an array but for `+` as its text's number: `[3] - 1`
    // is 2).
    let ta = type_of(a);
    let tb = type_of(b);
    if ta == "string" || ta == "bool" || ta == "()" || (ta == "array" && op != "+") { a = js_number(a); }
    if tb == "string" || tb == "bool" || tb == "()" || (tb == "array" && op != "+") { b = js_number(b); }
    switch op {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "%" => js_rem(a, b),
        "/" => js_div(a, b),
        _ => js_pow(a, b),
    }
}"#,
    ),
    (
        "js_rem",
        r#"private fn js_rem(a, b) {
    // JavaScript's `%` of numbers: NaN for a zero divisor (Rhai's integer `%` fails there).
    if b == 0 { 0.0 / 0.0 } else { a % b }
}"#,
    ),
    (
        "js_update",
        r#"private fn js_update(a, b, op) {
    // `a op= b`, `a++` (op "++", the number of a plus b) and `a--` where a side is not
    // certainly a number: `+=` is JavaScript's `+` (`js_add`), the others its arithmetic
    // (`js_arith`).
    switch op {
        "+" => js_add(a, b),
        "++" => js_arith(js_number(a), b, "+"),
        _ => js_arith(a, b, op),
    }
}"#,
    ),
    (
        "js_loose_eq",
        "private fn js_loose_eq(a, b) {\n    // JavaScript's `==`: null and undefined (both `()`) equal only each other; a boolean is\n    // compared as 1 or 0; a string against a number as a number; an array or a map against a\n    // string or a number as its text. Two arrays or maps compare by value (JavaScript: by identity).\n    let ta = type_of(a);\n    let tb = type_of(b);\n    if ta == \"()\" || tb == \"()\" { return ta == tb; }\n    if ta == \"char\" { a = `${a}`; ta = \"string\"; }\n    if tb == \"char\" { b = `${b}`; tb = \"string\"; }\n    if ta == \"bool\" { return js_loose_eq(if a { 1 } else { 0 }, b); }\n    if tb == \"bool\" { return js_loose_eq(a, if b { 1 } else { 0 }); }\n    let na = ta == \"i64\" || ta == \"f64\";\n    let nb = tb == \"i64\" || tb == \"f64\";\n    if na && nb { return a == b; }\n    if ta == tb { return a == b; }\n    if na && tb == \"string\" { return a == js_number(b); }\n    if ta == \"string\" && nb { return js_number(a) == b; }\n    if (ta == \"array\" || ta == \"map\") && (tb == \"string\" || nb) { return js_loose_eq(js_str(a), b); }\n    if (tb == \"array\" || tb == \"map\") && (ta == \"string\" || na) { return js_loose_eq(a, js_str(b)); }\n    a == b\n}",
    ),
    (
        "js_compare",
        r#"private fn js_compare(a, b, op) {
    // JavaScript's `<`, `<=`, `>`, `>=`: two strings by text, anything else as numbers (false
    // when either is not a number: null compares as 0, `null >= 0` is true, undefined as NaN).
    let ta = type_of(a);
    let tb = type_of(b);
    if ta == "string" && tb == "string" {
        return switch op { "<" => a < b, "<=" => a <= b, ">" => a > b, _ => a >= b };
    }
    let x = js_number(a).to_float();
    let y = js_number(b).to_float();
    if x.is_nan || y.is_nan { return false; }
    switch op { "<" => x < y, "<=" => x <= y, ">" => x > y, _ => x >= y }
}"#,
    ),
    (
        "js_sort",
        "private fn js_sort() {\n    // JavaScript's sort() without a comparator: in place, by each element's text, `()` last.\n    this.sort(|a, b| {\n        if a == () { return if b == () { 0 } else { 1 }; }\n        if b == () { return -1; }\n        let x = js_str(a);\n        let y = js_str(b);\n        if x < y { -1 } else if x > y { 1 } else { 0 }\n    });\n    this\n}",
    ),
    (
        "js_splice",
        r#"private fn js_splice(start, count, items) {
    // JavaScript's splice: removes `count` elements from `start` (counted from the end when
    // negative; all the rest when `count` is ()), puts `items` there, returns what it removed.
    let n = this.len();
    let s = if type_of(start) == "f64" { if start.is_nan { 0 } else { start.to_int() } } else if start == () { 0 } else { start };
    if s < 0 { s = if n + s < 0 { 0 } else { n + s }; } else if s > n { s = n; }
    let c = if count == () { n - s } else if type_of(count) == "f64" { if count.is_nan { 0 } else { count.to_int() } } else { count };
    if c < 0 { c = 0; } else if c > n - s { c = n - s; }
    let removed = this.extract(s, c);
    this.splice(s, c, items);
    removed
}"#,
    ),
    (
        "js_sort_by",
        "private fn js_sort_by(js_cmp) {\n    // sort(f): in place, and the array is the value (Rhai's sort returns nothing). The closure\n    // below reads the comparator under a name no script function has: Rhai would take a\n    // script's function `f` for a parameter `f` there.\n    this.sort(|a, b| {\n        let r = js_cmp.call(a, b);\n        if r < 0 { -1 } else if r > 0 { 1 } else { 0 }\n    });\n    this\n}",
    ),
    ("js_reverse", "private fn js_reverse() {\n    // reverse(): in place, and the array is the value (Rhai's reverse returns nothing).\n    this.reverse();\n    this\n}"),
    (
        "js_slice",
        "private fn js_slice(x, from, to) {\n    let n = x.len();\n    if from < 0 { from = max(n + from, 0); }\n    if to == () { to = n; } else if to < 0 { to = max(n + to, 0); }\n    if to > n { to = n; }\n    if from >= to { return if type_of(x) == \"string\" { \"\" } else { [] }; }\n    if type_of(x) == \"string\" { x.sub_string(from, to - from) } else { x.extract(from, to - from) }\n}",
    ),
    (
        "js_substring",
        "private fn js_substring(s, from, to) {\n    let n = s.len();\n    if to == () { to = n; }\n    from = min(max(from, 0), n);\n    to = min(max(to, 0), n);\n    if from > to { let t = from; from = to; to = t; }\n    s.sub_string(from, to - from)\n}",
    ),
    (
        "js_pad_start",
        "private fn js_pad_start(s, n, fill) {\n    s = `${s}`;\n    if fill == () { fill = \" \"; }\n    while s.len() < n { s = fill + s; }\n    if s.len() > n && fill.len() > 1 { s = s.sub_string(s.len() - n); }\n    s\n}",
    ),
    ("js_pad_end", "private fn js_pad_end(s, n, fill) {\n    s = `${s}`;\n    if fill == () { fill = \" \"; }\n    while s.len() < n { s += fill; }\n    s.sub_string(0, max(n, 0))\n}"),
    ("js_repeat", "private fn js_repeat(s, n) {\n    let out = \"\";\n    for _i in 0..n { out += s; }\n    out\n}"),
    (
        "js_object_keys",
        r#"private fn js_object_keys(o) {
    // Object.keys(o): a map's keys; an array's or a string's indices as text ("0", "1", …).
    if type_of(o) == "()" { throw "TypeError: Cannot convert undefined or null to object"; }
    js_keys(o)
}"#,
    ),
    (
        "js_object_values",
        r#"private fn js_object_values(o) {
    // Object.values(o): a map's values (in JavaScript's key order); an array's or a SharedArray's elements (a copy); a
    // string's characters.
    switch type_of(o) {
        "()" => { throw "TypeError: Cannot convert undefined or null to object"; }
        "array" => o,
        "SharedArray" => { let a = []; for x in o { a.push(x); } a }
        "string" => { let a = []; for c in o.chars() { a.push(`${c}`); } a }
        "map" => js_own_values(o),
        _ => o.values(),
    }
}"#,
    ),
    (
        "js_entries",
        r#"private fn js_entries(o) {
    // Object.entries(o): [key, value] pairs, in JavaScript's key order; an array's (a SharedArray's, a string's) keys are its
    // indices as text ("0", "1", …).
    let out = [];
    switch type_of(o) {
        "()" => { throw "TypeError: Cannot convert undefined or null to object"; }
        "array" | "SharedArray" => { for (x, i) in o { out.push([`${i}`, x]); } }
        "string" => { for (c, i) in o.chars() { out.push([`${i}`, `${c}`]); } }
        "map" => { for k in js_own_keys(o) { out.push([k, o[k]]); } }
        _ => { for k in o.keys() { out.push([k, o[k]]); } }
    }
    out
}"#,
    ),
    (
        "js_object_rest",
        r#"private fn js_object_rest(o, keys) {
    // `const { a, ...rest } = o`: a copy of o without the keys the pattern names; of an array or
    // a string, its elements keyed by their indices as text; of a number or a boolean, {}.
    let r = switch type_of(o) {
        "map" => o,
        "array" => { let m = #{}; for (x, i) in o { m[`${i}`] = x; } m }
        "string" => { let m = #{}; for (c, i) in o.chars() { m[`${i}`] = `${c}`; } m }
        "i64" | "f64" | "bool" => #{},
        "()" => { throw "TypeError: Value is not object coercible"; }
        _ => { throw "TypeError: an object rest element (`...rest`) of a " + type_of(o) + ": rload has no such copy of it"; }
    };
    for k in keys { r.remove(k); }
    r
}"#,
    ),
    (
        "js_pattern_key",
        r#"private fn js_pattern_key(o, k) {
    // `const { length } = o` and `const { 0: first } = o`: an array's or a string's length, or
    // its element at that index (undefined past the end), a SharedArray's length; a map's
    // property of that name.
    switch type_of(o) {
        "array" => if k == "length" { o.len() } else { o.get(parse_int(k)) },
        "string" => if k == "length" { o.len() } else { let i = parse_int(k); if i < o.len() { o.sub_string(i, 1) } else { () } },
        "map" => o[k],
        _ => if k == "length" { o.len() } else { o[k] },
    }
}"#,
    ),
    (
        "js_reduce",
        r#"private fn js_reduce(a, f, right) {
    // reduce(f) / reduceRight(f) without an initial value: the first element (the last, from
    // the right) is the accumulator, and f(acc, x, i) runs over the others; none is a TypeError.
    let n = a.len();
    if n == 0 { throw "TypeError: No initial value"; }
    if right {
        let acc = a[n - 1];
        let i = n - 2;
        while i >= 0 { acc = f.call(acc, a[i], i); i -= 1; }
        acc
    } else {
        let acc = a[0];
        for i in 1..n { acc = f.call(acc, a[i], i); }
        acc
    }
}"#,
    ),
    (
        "js_typeof",
        "private fn js_typeof(v) {\n    switch type_of(v) {\n        \"()\" => if js_is_null(v) { \"object\" } else { \"undefined\" },\n        \"bool\" => \"boolean\",\n        \"i64\" => \"number\",\n        \"f64\" => \"number\",\n        \"string\" => \"string\",\n        \"char\" => \"string\",\n        \"Fn\" => \"function\",\n        \"JsRestFn\" => \"function\",\n        _ => \"object\",\n    }\n}",
    ),
    (
        "js_number",
        "private fn js_number(v) {\n    switch type_of(v) {\n        \"i64\" => v,\n        \"f64\" => v,\n        \"bool\" => if v { 1 } else { 0 },\n        \"()\" => if js_is_null(v) { 0 } else { 0.0 / 0.0 },\n        \"string\" => js_number_text(v),\n        \"Date\" => v.getTime(),\n        // An array reads as its text: [] is 0, [5] is 5, [1, 2] NaN.\n        \"array\" => js_number_text(js_str(v)),\n        _ => 0.0 / 0.0,\n    }\n}",
    ),
    (
        "js_number_text",
        "private fn js_number_text(v) {\n    // JavaScript's Number(text): trimmed, \"\" is 0; a decimal (sign, fraction, exponent), 0x, 0o\n    // or 0b digits without a sign, or Infinity with one; anything else NaN (Rust's float parser\n    // alone would also take inf, nan and infinity in any case). A `try` in Rhai is a\n    // statement, not a value: return from inside it.\n    let t = v;\n    t.trim();\n    if t == \"\" { return 0; }\n    if t == \"Infinity\" || t == \"+Infinity\" { return 1.0 / 0.0; }\n    if t == \"-Infinity\" { return -1.0 / 0.0; }\n    let radix = switch t.sub_string(0, 2) { \"0x\" | \"0X\" => 16, \"0o\" | \"0O\" => 8, \"0b\" | \"0B\" => 2, _ => 10 };\n    if radix != 10 {\n        let digits = t.sub_string(2);\n        if digits == \"\" || digits.starts_with(\"+\") || digits.starts_with(\"-\") { return 0.0 / 0.0; }\n        try { return parse_int(digits, radix); } catch {}\n        return 0.0 / 0.0;\n    }\n    let lower = t.to_lower();\n    if lower.contains(\"n\") || t.contains(\"_\") { return 0.0 / 0.0; }\n    try { return parse_int(t); } catch {}\n    try { return parse_float(t); } catch {}\n    0.0 / 0.0\n}",
    ),
    (
        "js_to_fixed",
        r#"private fn js_to_fixed(x, digits) {
    // JavaScript's toFixed: the integer n closest to |x| * 10^digits, the larger one on a tie
    // (so -1.5 gives "-2"), computed from x's exact binary value (1.005 is 1.00499…, "1.00";
    // 2.345 is 2.34500…02, "2.35"): the product is split into a float and its exact error.
    // Past what a float holds exactly (more than 22 decimals, or an n of 2^53 or more), n is
    // worked out digit by digit (`js_to_fixed_digits`).
    if digits < 0 || digits > 100 { throw "RangeError: toFixed() precision must be between 0 and 100"; }
    let v = x.to_float();
    if v.is_nan { return "NaN"; }
    let a = v.abs();
    if a >= 1e21 { return js_str(v); }
    let text = "";
    if digits <= 22 {
        let f = 10.0 ** digits;
        let hi = a * f;
        let split = 134217729.0;
        let ca = split * a;
        let a1 = ca - (ca - a);
        let a2 = a - a1;
        let cf = split * f;
        let f1 = cf - (cf - f);
        let f2 = f - f1;
        let lo = a2 * f2 - (((hi - a1 * f1) - a2 * f1) - a1 * f2);
        let n = hi.floor();
        if hi - n - 0.5 >= -lo { n += 1.0; }
        if n < 9007199254740992.0 { text = `${n.to_int()}`; }
    }
    if text == "" { text = js_to_fixed_digits(a, digits); }
    let out = if digits == 0 { text } else {
        while text.len() <= digits { text = "0" + text; }
        text.sub_string(0, text.len() - digits) + "." + text.sub_string(text.len() - digits)
    };
    if v < 0.0 { "-" + out } else { out }
}"#,
    ),
    (
        "js_to_fixed_digits",
        r#"private fn js_to_fixed_digits(a, digits) {
    // The decimal digits of the integer closest to a * 10^digits (the larger on a tie), exactly:
    // a is m * 2^e (m an integer below 2^53), so the integer is m * 10^digits * 2^e rounded,
    // worked out in limbs of nine decimal digits (least significant first).
    let e = 0;
    while a >= 9007199254740992.0 { a /= 2.0; e += 1; }
    while a.fraction() != 0.0 { a *= 2.0; e -= 1; }
    let m = a.to_int();
    let limbs = [m % 1000000000];
    m /= 1000000000;
    while m > 0 { limbs.push(m % 1000000000); m /= 1000000000; }
    let times = |limbs, k| {
        let carry = 0;
        for i in 0..limbs.len() {
            let p = limbs[i] * k + carry;
            limbs[i] = p % 1000000000;
            carry = p / 1000000000;
        }
        while carry > 0 { limbs.push(carry % 1000000000); carry /= 1000000000; }
        limbs
    };
    let halve = |limbs, bits| {
        // floor(limbs / 2^bits), bits <= 30
        let d = 1 << bits;
        let r = 0;
        let i = limbs.len() - 1;
        while i >= 0 {
            let cur = r * 1000000000 + limbs[i];
            limbs[i] = cur / d;
            r = cur % d;
            i -= 1;
        }
        while limbs.len() > 1 && limbs[limbs.len() - 1] == 0 { limbs.pop(); }
        limbs
    };
    let left = digits;
    while left >= 9 { limbs = times.call(limbs, 1000000000); left -= 9; }
    if left > 0 { limbs = times.call(limbs, 10 ** left); }
    if e >= 0 {
        limbs = times.call(limbs, 1 << e);
    } else {
        // floor(2 * value), then (that + 1) / 2: the value rounded half up.
        let k = -e - 1;
        while k > 0 { let b = min(k, 30); limbs = halve.call(limbs, b); k -= b; }
        limbs[0] += 1;
        limbs = times.call(limbs, 1);
        limbs = halve.call(limbs, 1);
    }
    let text = `${limbs[limbs.len() - 1]}`;
    let i = limbs.len() - 2;
    while i >= 0 {
        let part = `${limbs[i]}`;
        while part.len() < 9 { part = "0" + part; }
        text += part;
        i -= 1;
    }
    text
}"#,
    ),
    ("js_char_at", "private fn js_char_at(s, i) {\n    if i < 0 || i >= s.len() { \"\" } else { s.sub_string(i, 1) }\n}"),
    (
        "js_char_code_at",
        "private fn js_char_code_at(s, i) {\n    // charCodeAt(i): the character's code (0 when i is not given), NaN outside the string.\n    if i == () { i = 0; }\n    if i < 0 || i >= s.len() { 0.0 / 0.0 } else { s.get(i).to_int() }\n}",
    ),
    (
        "js_from_char_code",
        "private fn js_from_char_code(codes) {\n    // String.fromCharCode(…): each code (a UTF-16 unit) as a character, read from a JSON escape.\n    let text = \"\";\n    for c in codes {\n        let h = (js_int(js_number(c)) & 65535).to_hex();\n        while h.len() < 4 { h = \"0\" + h; }\n        text += \"\\\\u\" + h;\n    }\n    parse_json(\"{\\\"v\\\":\\\"\" + text + \"\\\"}\").v\n}",
    ),
    (
        "js_sign",
        "private fn js_sign(x) {\n    // Math.sign(x): 1, -1, or x itself for 0 and NaN.\n    let n = js_number(x);\n    let f = n.to_float();\n    if f > 0.0 { 1 } else if f < 0.0 { -1 } else { n }\n}",
    ),
    (
        "js_max_of",
        "private fn js_max_of(xs) {\n    // Math.max(...xs): the largest, each as a number (NaN when one is not); -Infinity for none.\n    let best = -1.0 / 0.0;\n    for x in xs {\n        let n = js_number(x);\n        if n.to_float().is_nan { return 0.0 / 0.0; }\n        if n.to_float() > best.to_float() { best = n; }\n    }\n    best\n}",
    ),
    (
        "js_min_of",
        "private fn js_min_of(xs) {\n    // Math.min(...xs): the smallest, each as a number (NaN when one is not); Infinity for none.\n    let best = 1.0 / 0.0;\n    for x in xs {\n        let n = js_number(x);\n        if n.to_float().is_nan { return 0.0 / 0.0; }\n        if n.to_float() < best.to_float() { best = n; }\n    }\n    best\n}",
    ),
    (
        "js_keys",
        "private fn js_keys(o) {\n    // for…in's keys: a map's keys, in JavaScript's order (array indices first, ascending, then\n    // insertion order); an array's, a SharedArray's or a string's indices as text\n    // (\"0\", \"1\", …); none for null and undefined.\n    switch type_of(o) {\n        \"array\" | \"SharedArray\" | \"string\" => { let out = []; for i in 0..o.len() { out.push(`${i}`); } out }\n        \"()\" => [],\n        \"map\" => js_own_keys(o),\n        _ => o.keys(),\n    }\n}",
    ),
    (
        "js_key",
        "private fn js_key(t, k) {\n    // The key JavaScript's `o[k]` reads on a value of type t: a map's keys are text (`byId[3]`\n    // is `byId[\"3\"]`); an array's or a string's index may come as text (\"0\" from for…in).\n    if t == \"map\" {\n        if type_of(k) == \"string\" { k } else { js_str(k) }\n    } else if (t == \"array\" || t == \"string\") && type_of(k) == \"string\" {\n        js_number(k)\n    } else {\n        k\n    }\n}",
    ),
    (
        "js_error_name",
        r#"private fn js_error_name(e) {
    // A caught error's name: a thrown object's own (undefined when it has none); TypeError for
    // Rhai's errors reading a property or an element of a wrong value, else Error; SyntaxError
    // for JSON that does not parse; the name `new TypeError(m)` ("TypeError: m"), a helper's or
    // rload's error starts with.
    if type_of(e) == "AggregateError" { return e.name; }
    if type_of(e) == "map" {
        if e.contains("name") { return e.name; }
        if !e.contains("error") { return (); }
        if e.error == "ErrorDotExpr" || e.error == "ErrorIndexingType" { return "TypeError"; }
        return "Error";
    }
    if type_of(e) != "string" { return (); }
    if e.starts_with("invalid JSON") { return "SyntaxError"; }
    for n in ["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "URIError", "EvalError"] {
        if e == n || e.starts_with(n + ": ") { return n; }
    }
    "Error"
}"#,
    ),
    (
        "js_iter",
        "private fn js_iter() {\n    // __ITER as it is when a closure runs: a Rhai closure holds the values of the outer names it\n    // reads from when it was made, and __ITER changes with every iteration.\n    __ITER\n}",
    ),
    (
        "js_iter_or_undefined",
        "private fn js_iter_or_undefined() {\n    // __ITER where `typeof` reads it: undefined (`()`) outside an iteration, as in k6.\n    try { return __ITER; } catch { return (); }\n}",
    ),
    ("js_random_item", "private fn js_random_item(a) {\n    a[random_int(0, a.len() - 1)]\n}"),
    (
        "js_random_string",
        "private fn js_random_string(n, chars) {\n    if chars == () { chars = \"abcdefghijklmnopqrstuvwxyz\"; }\n    let out = \"\";\n    for _i in 0..n { out += chars.sub_string(random_int(0, chars.len() - 1), 1); }\n    out\n}",
    ),
    (
        "js_find_between",
        "private fn js_find_between(content, left, right, repeat) {\n    // jslib k6-utils' findBetween (1.2.0 on): the text between `left` and the next `right`,\n    // null when there is none; with `repeat`, every such text in order, null for none.\n    let found = [];\n    let from = 0;\n    loop {\n        let start = content.index_of(left, from);\n        if start < 0 { break; }\n        start += left.len();\n        let end = content.index_of(right, start);\n        if end < 0 { break; }\n        let text = content.sub_string(start, end - start);\n        if !js_truthy(repeat) { return text; }\n        found.push(text);\n        from = end + right.len();\n    }\n    if found.is_empty() { js_null() } else { found }\n}",
    ),
    (
        "js_find_between_first",
        "private fn js_find_between_first(content, left, right) {\n    // jslib k6-utils' findBetween before 1.2.0: the text between `left` and the next `right`,\n    // \"\" when there is none.\n    let start = content.index_of(left);\n    if start < 0 { return \"\"; }\n    start += left.len();\n    let end = content.index_of(right, start);\n    if end < 0 { \"\" } else { content.sub_string(start, end - start) }\n}",
    ),
    (
        "js_fields",
        r#"private fn js_fields(v) {
    // What JSON.stringify writes of v: a map without its function-valued properties (an
    // instance's methods), an array with null for a function (as JavaScript's JSON does).
    switch type_of(v) {
        "map" => {
            let out = #{};
            for k in v.keys() {
                let x = v[k];
                if type_of(x) != "Fn" { out[k] = js_fields(x); }
            }
            out
        }
        "array" => v.map(|x| if type_of(x) == "Fn" { () } else { js_fields(x) }),
        _ => v,
    }
}"#,
    ),
    (
        "js_own_fields",
        r#"private fn js_own_fields(v) {
    // An object as Object.keys, for…in, a spread and Object.assign see it: an instance of a
    // class without its methods (function pointers to `Class__method`), which JavaScript keeps
    // on the class, not on the instance.
    if type_of(v) != "map" { return v; }
    let out = #{};
    for k in v.keys() {
        let x = v[k];
        if type_of(x) != "Fn" || x.is_anonymous || !x.name.contains("__") { out[k] = x; }
    }
    out
}"#,
    ),
    (
        "js_in",
        r#"private fn js_in(k, o) {
    // `k in o`: an object's key (k as its text: `1 in o` is `"1" in o`); an array's index (a
    // whole number, or its text, below the length) or "length"; null and undefined are
    // JavaScript's TypeError.
    switch type_of(o) {
        "map" => o.contains(js_str(k)),
        "array" | "SharedArray" => {
            let i = k;
            if type_of(k) == "string" {
                if k == "length" { return true; }
                i = js_number(k);
                if js_str(i) != k { return false; }
            }
            if type_of(i) == "f64" {
                if !i.is_finite || i.fraction() != 0.0 { return false; }
                i = i.to_int();
            }
            type_of(i) == "i64" && i >= 0 && i < o.len()
        }
        "()" => throw "TypeError: Cannot use 'in' operator to search for '" + js_str(k) + "' in " + js_str(o),
        _ => o.contains(k),
    }
}"#,
    ),
    (
        "js_from_entries",
        r#"private fn js_from_entries(e) {
    // Object.fromEntries(e): an object of e's [key, value] pairs (an array of pairs, a Map's
    // entries), each key as its text; a later pair of a key wins, as it does in JavaScript.
    if type_of(e) == "()" { throw "TypeError: Cannot convert undefined or null to object"; }
    let out = #{};
    for p in js_spread(e) { out[js_str(p[0])] = p[1]; }
    out
}"#,
    ),
    (
        "js_object_is",
        r#"private fn js_object_is(a, b) {
    // Object.is(a, b): `===`, but NaN is NaN, 0 is not -0 (a float's sign), and null is not
    // undefined.
    let ta = type_of(a);
    let tb = type_of(b);
    if ta == "()" || tb == "()" { return ta == tb && js_is_null(a) == js_is_null(b); }
    if (ta == "i64" || ta == "f64") && (tb == "i64" || tb == "f64") {
        let x = a.to_float();
        let y = b.to_float();
        if x.is_nan || y.is_nan { return x.is_nan && y.is_nan; }
        if x == 0.0 && y == 0.0 { return 1.0 / x == 1.0 / y; }
        return x == y;
    }
    ta == tb && a == b
}"#,
    ),
    (
        "js_stringify_indent",
        r#"private fn js_stringify_indent(v, indent) {
    // JSON.stringify(v, null, indent): a number indents by that many spaces (at most 10), a
    // string by its first 10 characters; anything else, or less than one space, is compact.
    // Empty arrays and objects stay `[]` and `{}`, and a colon is followed by one space.
    let gap = "";
    switch type_of(indent) {
        "i64" | "f64" => {
            let n = indent.to_float().floor();
            if n > 10.0 { n = 10.0; }
            let k = 0;
            while k.to_float() < n { gap += " "; k += 1; }
        }
        "string" => { gap = if indent.len() > 10 { indent.sub_string(0, 10) } else { indent }; }
    }
    let s = js_json(v);
    if gap == "" || s == () { return s; }
    let out = "";
    let pad = "";
    let in_str = false;
    let esc = false;
    let chars = s.to_chars();
    let n = chars.len();
    let i = 0;
    while i < n {
        let c = chars[i];
        if in_str {
            out += c;
            if esc { esc = false; } else if c == '\\' { esc = true; } else if c == '"' { in_str = false; }
        } else if c == '"' {
            in_str = true;
            out += c;
        } else if c == '{' || c == '[' {
            let close = if c == '{' { '}' } else { ']' };
            if i + 1 < n && chars[i + 1] == close {
                out += c;
                out += close;
                i += 2;
                continue;
            }
            pad += gap;
            out += c;
            out += "\n" + pad;
        } else if c == '}' || c == ']' {
            pad = pad.sub_string(0, pad.len() - gap.len());
            out += "\n" + pad;
            out += c;
        } else if c == ',' {
            out += ",\n" + pad;
        } else if c == ':' {
            out += ": ";
        } else {
            out += c;
        }
        i += 1;
    }
    out
}"#,
    ),
    (
        "js_parse",
        "private fn js_parse(s) {\n    // JSON.parse(s): rload's parse_json reads any JSON value, and nothing but JSON.\n    parse_json(s)\n}",
    ),
    (
        "js_is_array",
        "private fn js_is_array(v) {\n    // A SharedArray is one too: k6's is a proxy of an array.\n    let t = type_of(v);\n    t == \"array\" || t == \"SharedArray\"\n}",
    ),
    (
        "js_is_integer",
        "private fn js_is_integer(v) {\n    // Number.isInteger: a whole finite number, as an integer or a float (2.5 * 2).\n    switch type_of(v) {\n        \"i64\" => true,\n        \"f64\" => v.is_finite && v.fraction() == 0.0,\n        _ => false,\n    }\n}",
    ),
    (
        "js_is_nan",
        "private fn js_is_nan(v) {\n    type_of(v) == \"f64\" && v.is_nan\n}",
    ),
    (
        "js_index_of",
        "private fn js_index_of(x, v) {\n    // indexOf() of a value that may be null or undefined: `===`, which tells them apart (Rhai's\n    // `==` takes any two () as equal); anything else is Rhai's index_of.\n    if type_of(x) == \"array\" && type_of(v) == \"()\" {\n        let i = 0;\n        for e in x { if js_same(e, v) { return i; } i += 1; }\n        return -1;\n    }\n    x.index_of(v)\n}",
    ),
    (
        "js_index_of_from",
        "private fn js_index_of_from(x, v, from) {\n    // indexOf(v, from) of a value that may be null or undefined (see js_index_of).\n    if type_of(x) == \"array\" && type_of(v) == \"()\" {\n        let n = x.len();\n        let i = js_int(js_number(from));\n        if i < 0 { i = if n + i < 0 { 0 } else { n + i }; }\n        while i < n { if js_same(x[i], v) { return i; } i += 1; }\n        return -1;\n    }\n    x.index_of(v, from)\n}",
    ),
    (
        "js_includes",
        "private fn js_includes(x, v) {\n    // includes(): NaN finds NaN (SameValueZero), null finds null and not undefined; a string\n    // looks for text.\n    if type_of(x) == \"array\" && js_is_nan(v) {\n        for e in x { if js_is_nan(e) { return true; } }\n        return false;\n    }\n    if type_of(x) == \"array\" && type_of(v) == \"()\" {\n        for e in x { if type_of(e) == \"()\" && js_is_null(e) == js_is_null(v) { return true; } }\n        return false;\n    }\n    x.contains(v)\n}",
    ),
    (
        "js_last_index_of",
        "private fn js_last_index_of(x, v) {\n    // lastIndexOf(): the last position of v (`===`, js_same: a null is not an undefined) in an\n    // array, or of the text in a string.\n    if type_of(x) == \"string\" {\n        let n = x.len();\n        let m = v.len();\n        let i = n - m;\n        while i >= 0 { if x.sub_string(i, m) == v { return i; } i -= 1; }\n        return -1;\n    }\n    let i = x.len() - 1;\n    while i >= 0 { if js_same(x[i], v) { return i; } i -= 1; }\n    -1\n}",
    ),
    (
        "js_delete",
        r#"private fn js_delete(k) {
    // `delete o[k]` as `o.js_delete(k)`, changing `this`: the key's entry of a map (an integer
    // key is its text, as in JavaScript). An array's element would leave an empty slot in
    // JavaScript (the length stays), which rload's arrays cannot hold: an error, where Rhai's
    // `remove` would shift the elements after it.
    if type_of(this) == "array" {
        throw `delete of an array's element (index ${k}): JavaScript leaves an empty slot there, which rload's arrays cannot hold; remove it with splice(i, 1) or write undefined`;
    }
    if type_of(this) == "map" { this.remove(`${k}`); } else { this.remove(k); }
    true
}"#,
    ),
    (
        "js_at",
        "private fn js_at(x, i) {\n    // at(i): the element (or the one-character string) at i, counted from the end when i < 0;\n    // undefined outside.\n    let n = x.len();\n    if i < 0 { i += n; }\n    if i < 0 || i >= n { return (); }\n    if type_of(x) == \"string\" { x.sub_string(i, 1) } else { x[i] }\n}",
    ),
    (
        "js_find_last_index",
        "private fn js_find_last_index(a, f) {\n    // findLastIndex(f): from the last element back, the first index f accepts; -1 if none.\n    let i = a.len() - 1;\n    while i >= 0 { if js_truthy(f.call(a[i], i)) { return i; } i -= 1; }\n    -1\n}",
    ),
    (
        "js_find_last",
        "private fn js_find_last(a, f) {\n    let i = js_find_last_index(a, f);\n    if i < 0 { () } else { a[i] }\n}",
    ),
    (
        "js_flat",
        "private fn js_flat(a, depth) {\n    // flat(depth): arrays inside spliced into their parent, `depth` levels down (1 when not given).\n    if depth == () { depth = 1; }\n    let out = [];\n    for e in a {\n        if type_of(e) == \"array\" && depth >= 1 { out += js_flat(e, depth - 1); } else { out.push(e); }\n    }\n    out\n}",
    ),
    (
        "js_fill",
        "private fn js_fill(v, from, to) {\n    // fill(v, from, to): in place, positions counted from the end when negative; the array is\n    // the value.\n    let n = this.len();\n    if from == () { from = 0; } else if from < 0 { from = max(n + from, 0); }\n    if to == () { to = n; } else if to < 0 { to = max(n + to, 0); }\n    let i = from;\n    while i < min(to, n) { this[i] = v; i += 1; }\n    this\n}",
    ),
    (
        "js_is_finite",
        "private fn js_is_finite(v) {\n    // Number.isFinite(v): a number, neither NaN nor infinite; no conversion.\n    switch type_of(v) { \"i64\" => true, \"f64\" => v.is_finite, _ => false }\n}",
    ),
    (
        "js_new_array",
        "private fn js_new_array(n) {\n    // new Array(n): n undefined elements; new Array(x) for anything but a number: [x].\n    switch type_of(n) {\n        \"i64\" => { let a = []; a.pad(n, ()); a }\n        \"f64\" => { let a = []; a.pad(n.to_int(), ()); a }\n        _ => [n],\n    }\n}",
    ),
    (
        "js_array_from",
        "private fn js_array_from(x, f) {\n    // Array.from(x, f): an array's copy, a string's characters, `length` undefined elements of\n    // an object, the elements of anything else Rhai iterates (a SharedArray); then each mapped\n    // by f(element, index).\n    let out = switch type_of(x) {\n        \"array\" => x,\n        \"string\" => { let a = []; for c in x.chars() { a.push(`${c}`); } a }\n        \"map\" => {\n            let n = x[\"length\"];\n            let a = [];\n            if type_of(n) == \"i64\" { a.pad(n, ()); } else if type_of(n) == \"f64\" && n.is_finite { a.pad(n.to_int(), ()); }\n            a\n        }\n        \"()\" | \"i64\" | \"f64\" | \"bool\" => [],\n        _ => { let a = []; for v in x { a.push(v); } a }\n    };\n    if f == () { out } else { out.map(f) }\n}",
    ),
    (
        "js_split",
        "private fn js_split(s, sep, limit) {\n    // split(sep, limit): \"\" splits into characters (undefined not at all, null at \"null\"); at\n    // most `limit` pieces (as ToUint32: -1 is no limit), the rest dropped.\n    let out = if js_is_undefined(sep) { [s] } else if sep == \"\" {\n        let a = [];\n        for c in s.chars() { a.push(`${c}`); }\n        a\n    } else { s.split(js_str(sep)) };\n    if !js_is_undefined(limit) {\n        let n = js_int32(limit) & 4294967295;\n        if out.len() > n { out.truncate(n); }\n    }\n    out\n}",
    ),
    (
        "js_int32",
        "private fn js_int32(v) {\n    // JavaScript's ToInt32, the operand of a bitwise operator: the number truncated toward\n    // zero and wrapped to a signed 32-bit integer; NaN and the infinities are 0.\n    let n = js_number(v);\n    if type_of(n) == \"f64\" {\n        if !n.is_finite { return 0; }\n        n = (n.int() % 4294967296.0).to_int();\n    }\n    n = n & 4294967295;\n    if n >= 2147483648 { n - 4294967296 } else { n }\n}",
    ),
    (
        "js_pow",
        "private fn js_pow(a, b) {\n    // JavaScript's a ** b and Math.pow: an integer power that JavaScript holds exactly stays an\n    // integer; a negative or fractional exponent, or a result past 2^53, is the float power.\n    if type_of(a) == \"()\" || type_of(b) == \"()\" { return js_arith(a, b, \"**\"); }\n    let x = js_number(a);\n    let y = js_number(b);\n    let r = x.to_float() ** y.to_float();\n    if type_of(x) == \"i64\" && type_of(y) == \"i64\" && y >= 0 && r.abs() < 9007199254740992.0 { x ** y } else { r }\n}",
    ),
];

/// Helpers another helper calls.
pub fn deps(name: &str) -> &'static [&'static str] {
    match name {
        "js_floor" | "js_ceil" | "js_round" | "js_trunc" => &["js_whole"],
        "js_join" | "js_sort" | "js_message" | "js_parse_int" | "js_parse_float" => &["js_str"],
        "js_add" | "js_arith" | "js_div" | "js_pow" => {
            &["js_arith", "js_str", "js_number", "js_number_text", "js_div", "js_rem", "js_pow", "js_is_nan"]
        }
        "js_update" => {
            &["js_add", "js_arith", "js_str", "js_number", "js_number_text", "js_div", "js_rem", "js_pow", "js_is_nan"]
        }
        "js_concat_all" => &["js_str", "js_flat"],
        "js_join_sep" | "js_error" => &["js_str"],
        "js_from_entries" => &["js_spread", "js_str"],
        "js_in" => &["js_str", "js_number", "js_number_text"],
        "js_split" => &["js_str", "js_int32", "js_number", "js_number_text"],
        "js_to_fixed" => &["js_str", "js_to_fixed_digits"],
        "js_object_keys" => &["js_keys"],
        "js_includes" => &["js_is_nan"],
        "js_index_of_from" => &["js_int", "js_number", "js_number_text", "js_str"],
        "js_includes_from" => &["js_includes", "js_is_nan", "js_int", "js_number", "js_number_text", "js_str"],
        "js_last_index_of_from" => &["js_int", "js_number", "js_number_text", "js_str"],
        "js_is_safe_integer" => &["js_is_integer"],
        "js_from_code_point" => &["js_from_char_code", "js_int", "js_number", "js_number_text", "js_str"],
        "js_from_char_code" => &["js_int", "js_number", "js_number_text", "js_str"],
        "js_sign" | "js_max_of" | "js_min_of" => &["js_number", "js_number_text", "js_str"],
        "js_find_between" => &["js_truthy"],
        "js_key" => &["js_str", "js_number", "js_number_text"],
        "js_find_last_index" => &["js_truthy"],
        "js_find_last" => &["js_find_last_index", "js_truthy"],
        "js_loose_eq" => &["js_str", "js_number", "js_number_text"],
        "js_compare" => &["js_number", "js_number_text", "js_str"],
        "js_number" | "js_int32" => &["js_number", "js_number_text", "js_str"],
        _ => &[],
    }
}

/// The text of the helpers in `names`, in a stable order.
pub fn text(names: &std::collections::BTreeSet<&'static str>) -> String {
    let mut out = String::new();
    for (name, body) in HELPERS {
        if names.contains(name) {
            out.push('\n');
            out.push_str(body);
            out.push('\n');
        }
    }
    out
}

/// How many parameters helper `name` takes (calls pad missing arguments with `()`).
pub fn arity(name: &str) -> usize {
    HELPERS
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, body)| body.split_once('(').and_then(|(_, rest)| rest.split_once(')')))
        .map(|(params, _)| if params.trim().is_empty() { 0 } else { params.split(',').count() })
        .unwrap_or(0)
}
