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
        "private fn js_div(a, b) {\n    let q = a.to_float() / b.to_float();\n    if q.is_finite && q.fraction() == 0.0 && q.abs() < 9007199254740992.0 { q.to_int() } else { q }\n}",
    ),
    ("js_int", "private fn js_int(x) {\n    if type_of(x) == \"i64\" { x } else { x.to_int() }\n}"),
    ("js_floor", "private fn js_floor(x) {\n    if type_of(x) == \"i64\" { x } else { x.floor().to_int() }\n}"),
    ("js_ceil", "private fn js_ceil(x) {\n    if type_of(x) == \"i64\" { x } else { x.ceiling().to_int() }\n}"),
    ("js_round", "private fn js_round(x) {\n    if type_of(x) == \"i64\" { x } else { (x + 0.5).floor().to_int() }\n}"),
    ("js_trunc", "private fn js_trunc(x) {\n    if type_of(x) == \"i64\" { x } else { x.int().to_int() }\n}"),
    ("js_trim", "private fn js_trim(s) {\n    s.trim();\n    s\n}"),
    (
        "js_replace",
        "private fn js_replace(s, from, to) {\n    let i = s.index_of(from);\n    if i < 0 { return s; }\n    s.sub_string(0, i) + to + s.sub_string(i + from.len())\n}",
    ),
    ("js_replace_all", "private fn js_replace_all(s, from, to) {\n    s.replace(from, to);\n    s\n}"),
    (
        "js_join",
        "private fn js_join(a, sep) {\n    let out = \"\";\n    for (x, i) in a {\n        if i > 0 { out += sep; }\n        if x != () { out += `${x}`; }\n    }\n    out\n}",
    ),
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
    ("js_entries", "private fn js_entries(o) {\n    let out = [];\n    for k in o.keys() { out.push([k, o[k]]); }\n    out\n}"),
    (
        "js_typeof",
        "private fn js_typeof(v) {\n    switch type_of(v) {\n        \"()\" => \"undefined\",\n        \"bool\" => \"boolean\",\n        \"i64\" => \"number\",\n        \"f64\" => \"number\",\n        \"string\" => \"string\",\n        \"Fn\" => \"function\",\n        _ => \"object\",\n    }\n}",
    ),
    (
        "js_number",
        "private fn js_number(v) {\n    switch type_of(v) {\n        \"i64\" => v,\n        \"f64\" => v,\n        \"bool\" => if v { 1 } else { 0 },\n        \"()\" => 0.0 / 0.0,\n        \"string\" => {\n            let t = v;\n            t.trim();\n            if t == \"\" { 0 } else { try { parse_int(t) } catch { try { parse_float(t) } catch { 0.0 / 0.0 } } }\n        }\n        _ => 0.0 / 0.0,\n    }\n}",
    ),
    ("js_to_fixed", "private fn js_to_fixed(x, digits) {\n    let f = 10.0 ** digits;\n    let r = (x.to_float() * f + 0.5).floor() / f;\n    let s = `${r}`;\n    let dot = s.index_of(\".\");\n    if digits == 0 { return `${r.to_int()}`; }\n    if dot < 0 { s += \".\"; dot = s.len() - 1; }\n    while s.len() - dot - 1 < digits { s += \"0\"; }\n    s\n}"),
    ("js_char_at", "private fn js_char_at(s, i) {\n    if i < 0 || i >= s.len() { \"\" } else { s.sub_string(i, 1) }\n}"),
    ("js_random_item", "private fn js_random_item(a) {\n    a[random_int(0, a.len() - 1)]\n}"),
    (
        "js_random_string",
        "private fn js_random_string(n, chars) {\n    if chars == () { chars = \"abcdefghijklmnopqrstuvwxyz0123456789\"; }\n    let out = \"\";\n    for _i in 0..n { out += chars.sub_string(random_int(0, chars.len() - 1), 1); }\n    out\n}",
    ),
    (
        "js_stringify",
        "private fn js_stringify(v) {\n    // Rhai's to_json() is for maps and arrays: wrap anything else in one.\n    let s = #{ v: v }.to_json();\n    s.sub_string(5, s.len() - 6)\n}",
    ),
    (
        "js_parse",
        "private fn js_parse(s) {\n    // Rhai's parse_json() reads an object only: wrap arrays, strings and numbers in one.\n    let t = s;\n    t.trim();\n    if t.starts_with(\"{\") { parse_json(t) } else { parse_json(\"{\\\"v\\\":\" + t + \"}\").v }\n}",
    ),
    ("js_is_array", "private fn js_is_array(v) {\n    type_of(v) == \"array\"\n}"),
];

/// Helpers another helper calls.
pub fn deps(_name: &str) -> &'static [&'static str] {
    &[]
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
