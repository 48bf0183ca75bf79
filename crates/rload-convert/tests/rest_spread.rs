//! Rest parameters and spread arguments: the Rhai a conversion writes for them (an overload per
//! call's arity, `js_rest` values, one array of the arguments) and the places it refuses, each
//! named (a callee whose parameters cannot be seen, a callback Rhai calls with a fixed number of
//! arguments). What they do when run is checked against k6 by tests/convert_corpus/71 and 72.

mod common;
use common::{convert, not_converted};
use rload_convert::convert_source;

#[test]
fn a_function_with_a_rest_parameter_gets_an_overload_per_call_building_the_array() {
    let js = "function tag(label, ...parts) { return parts.length; }\n\
              export default function () { tag(); tag('a'); tag('a', 1, 2); }\n";
    let (c, items) = convert_source("t.js", js).unwrap();
    assert!(items.is_empty(), "{items:?}");
    for line in [
        "fn tag__rest(label, parts) {",
        "fn tag() { tag__rest((), []) }",
        "fn tag(label) { tag__rest(label, []) }",
        "fn tag(label, arg__1, arg__2) { tag__rest(label, [arg__1, arg__2]) }",
    ] {
        assert!(c.rhai.contains(line), "no `{line}` in\n{}", c.rhai);
    }
}

#[test]
fn closures_with_a_rest_parameter_are_js_rest_values_called_through_js_call() {
    let (rhai, items) = convert(
        "const f = (a, ...rest) => rest.length;\nconst o = { g: function (...xs) { return xs; } };\n\
         f(1, 2, 3);\no.g(1);\nconst h = (x) => x;\n",
    );
    assert!(not_converted(&items).is_empty(), "{items:?}");
    assert!(rhai.contains("let f = js_rest(|a, rest| rest.len(), 1);"), "{rhai}");
    assert!(rhai.contains("js_call(f, [1, 2, 3])") && rhai.contains("js_call(o.g, [1])"), "{rhai}");
    assert!(rhai.contains("js_rest(|xs| {"), "{rhai}");
    // A top-level one as a value: its core function, with the same rule.
    let js = "function sum(...xs) { return xs.length; }\nfunction apply(f) { return f(1, 2); }\n\
              export default function () { apply(sum); }\n";
    let (c, items) = convert_source("t.js", js).unwrap();
    assert!(items.is_empty(), "{items:?}");
    assert!(c.rhai.contains("apply(js_rest(Fn(\"sum__rest\"), 0))"), "{}", c.rhai);
}

#[test]
fn spread_arguments_become_one_array() {
    let js = "function three(a, b, c) { return a; }\nfunction tag(label, ...parts) { return label; }\n\
              export default function () {\n  const xs = [1, 2];\n  three(...xs);\n  tag(0, ...xs, 3);\n  \
              console.log(...xs);\n  xs.push(...xs);\n  String.fromCharCode(...xs);\n  const f = (a) => a;\n  f(...xs);\n  \
              xs.concat(...xs);\n  const t = {};\n  const os = [{ a: 1 }];\n  Object.assign(t, ...os);\n  Date.UTC(...xs);\n}\n";
    let (c, items) = convert_source("t.js", js).unwrap();
    assert!(items.is_empty(), "{items:?}");
    for text in [
        "let spread1 = js_spread(xs); three(spread1.get(0), spread1.get(1), spread1.get(2))",
        "let spread2 = ([0] + js_spread(xs) + [3]); tag__rest(spread2.get(0), spread2.extract(1))",
        "js_console(console, \"log\", js_spread(xs))",
        "xs.append(js_spread(xs))",
        "js_from_char_code(js_spread(xs))",
        "js_call(f, js_spread(xs))",
        "js_concat_all(xs, js_spread(xs))",
        "for src3 in js_spread(os) { if src3 != () { t.mixin(src3); } } t }",
        "js_date_utc(js_spread(xs))",
    ] {
        assert!(c.rhai.contains(text), "no `{text}` in\n{}", c.rhai);
    }
}

#[test]
fn spreads_and_rest_functions_rload_cannot_pass_are_refused_by_name() {
    let cases = [
        ("import http from 'k6/http';", "http.get(...['http://x/']);", "a spread argument to `http.get(…)`"),
        ("", "parseInt(...['1']);", "a spread argument to `parseInt(…)`"),
        ("", "'a'.padStart(...[3, 'x']);", "a spread argument to `'a'.padStart(…)`"),
        ("", "JSON.stringify(...[1]);", "a spread argument to `JSON.stringify(…)`"),
        ("", "Object.assign(...[{ a: 1 }]);", "a spread argument to `Object.assign(…)` as its target"),
        ("", "new Set(...[[1]]);", "a spread argument to `new Set(…)`"),
        (
            "",
            "[1].map((...a) => a.length);",
            "a function with a rest parameter (`...args`) passed to a function that rload calls with a fixed number of arguments",
        ),
        ("import { group } from 'k6';", "group('g', (...a) => 1);", "a function with a rest parameter"),
        ("", "const f = (...a) => a;\n[1].forEach(f);", "a function with a rest parameter"),
        ("function g(...a) {}", "[1].forEach(g);", "a function with a rest parameter"),
        ("import { check } from 'k6';", "check(1, { ok: (...v) => true });", "a rest parameter (`...args`) in a callback"),
        ("function f(a) { return a; }", "f.call({ n: 1 }, 2);", "`f.call(…)` with a `this` value"),
    ];
    for (top, body, why) in cases {
        let js = format!("{top}\nexport default function () {{\n{body}\n}}\n");
        let (c, items) = convert_source("t.js", &js).unwrap();
        let listed = not_converted(&items);
        assert_eq!(listed.len(), 1, "{body}: {listed:?}");
        assert!(listed[0].contains(why), "{body}: {listed:?}");
        assert!(c.rhai.contains("/* CONVERT: "), "{}", c.rhai);
    }
    // Another file's function: the module gets `f__apply` (lib.rs tests that side).
    let (c, items) =
        convert_source("t.js", "import { f } from './m.js';\nexport default function () { f(...[1]); }\n").unwrap();
    assert!(items.is_empty(), "{items:?}");
    assert!(c.rhai.contains("m::f__apply([1])"), "{}", c.rhai);
}

#[test]
fn console_log_in_a_script_with_its_own_log_function_is_console_s() {
    let js = "function log(...parts) { console.log(parts.join(' ')); }\nexport default function () { log('a'); }\n";
    let (c, items) = convert_source("t.js", js).unwrap();
    assert!(items.is_empty(), "{items:?}");
    assert!(c.rhai.contains("js_console(console, \"log\", [js_join(parts, \" \")])"), "{}", c.rhai);
}

#[test]
fn apply_and_call_of_the_script_s_functions_are_calls() {
    let js = "function f(a, b) { return a; }\nexport default function () {\n  const g = (x) => x;\n  \
              f.apply(null, [1, 2]);\n  g.call(null, 3);\n  console.log(1, 2, 3, 4, 5, 6, 7, 8, 9);\n}\n";
    let (c, items) = convert_source("t.js", js).unwrap();
    assert!(items.is_empty(), "{items:?}");
    for text in [
        "let spread1 = js_spread([1, 2]); f(spread1.get(0), spread1.get(1))",
        "js_call(g, [3])",
        // More arguments than rload's console methods take.
        "js_console(console, \"log\", [1, 2, 3, 4, 5, 6, 7, 8, 9])",
    ] {
        assert!(c.rhai.contains(text), "no `{text}` in\n{}", c.rhai);
    }
}

#[test]
fn functions_k6_calls_get_its_one_argument_and_the_script_s_own_calls() {
    let js =
        "export function setup(...a) { helper(); return a; }\nexport function helper(x, ...more) { return more; }\n\
              export default function (...args) { helper(1, 2, 3); }\n";
    let (c, items) = convert_source("t.js", js).unwrap();
    assert!(items.is_empty(), "{items:?}");
    for line in [
        // k6 calls setup with null, rload with nothing.
        "fn setup() { setup__rest([()]) }",
        "fn run(arg__0) { run__rest([arg__0]) }",
        "fn helper(x) { helper__rest(x, []) }",
        "fn helper() { helper__rest((), []) }",
        "fn helper(x, arg__1, arg__2) { helper__rest(x, [arg__1, arg__2]) }",
    ] {
        assert!(c.rhai.contains(line), "no `{line}` in\n{}", c.rhai);
    }
    assert!(!c.rhai.contains("fn run() {"), "{}", c.rhai);
}
