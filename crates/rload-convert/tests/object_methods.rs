//! Methods of object literals: the Rhai a conversion writes for `const api = { url(p) { return
//! this.base + p; } }` (closures in the map that read and change `this`, the object's own name
//! inside them as `this`, a module-level object a method changes shared with the functions that
//! call it) and every place it refuses, each named. What they do when run is checked against k6
//! by tests/convert_corpus/97-object-methods.js.

mod common;
use common::{convert, not_converted};
use rload_convert::convert_source;

fn conv(js: &str) -> (String, Vec<String>) {
    let (c, items) = convert_source("t.js", js).unwrap();
    (c.rhai, not_converted(&items))
}

fn assert_has(rhai: &str, lines: &[&str]) {
    for line in lines {
        assert!(rhai.contains(line), "no `{line}` in\n{rhai}");
    }
}

/// The one reason listed, which must name `what`.
fn refused(js: &str, what: &str) {
    let (rhai, items) = conv(js);
    assert!(items.len() == 1 && items[0].contains(what), "want one item naming `{what}`, got {items:?}\n{rhai}");
    assert!(rhai.contains("/* CONVERT: "), "{rhai}");
}

const API: &str = "const api = {\n  base: 'http://x',\n  count: 0,\n  url(p) { return `${this.base}/${p}`; },\n  \
                   create(b) { return api.url('items') + b; },\n  hit() { this.count++; return this.count; },\n  \
                   label: function () { return this.base; },\n};\n";

#[test]
fn methods_read_and_change_this_and_name_their_object() {
    let js = format!("{API}export default function () {{\n  api.create('b');\n  return api.hit() + api.label();\n}}\n");
    let (rhai, items) = conv(&js);
    assert!(items.is_empty(), "{items:?}\n{rhai}");
    assert_has(
        &rhai,
        &[
            // A method that changes its object makes it a variable shared with `run`: one per
            // VU, kept across iterations.
            "let api = #{",
            "let keep_api = || api;",
            "url: |p| {\n        return `${js_str(this.base)}/${js_str(p)}`;",
            // The object's own name in its method is `this` (a closure cannot see `api`, made
            // after it).
            "create: |b| {\n        return js_add(this.url(\"items\"), b);",
            "hit: || {\n        this.count = js_update(this.count, 1, \"++\");",
            "label: || {\n        return this.base;",
        ],
    );
}

#[test]
fn an_object_whose_methods_only_read_stays_a_constant() {
    let js = "const s = { name: 'n', describe() { return this.name; } };\nexport default function () { return s.describe(); }\n";
    let (rhai, items) = conv(js);
    assert!(items.is_empty(), "{items:?}\n{rhai}");
    assert_has(&rhai, &["const s = #{ name: \"n\", describe: || {\n    return this.name;\n} };"]);
    assert!(!rhai.contains("keep_s"), "{rhai}");
}

#[test]
fn an_arrow_in_a_method_that_runs_at_once_reads_this_captured() {
    let js = "const a = { p: 'x', all(xs) { return xs.map((v) => this.p + v); } };\nexport default function () { return a.all([1]); }\n";
    let (rhai, items) = conv(js);
    assert!(items.is_empty(), "{items:?}\n{rhai}");
    assert_has(&rhai, &["xs.map({ let this_c = this; |v| js_add(this_c.p, v) })"]);
}

#[test]
fn a_local_object_and_calls_fitted_to_the_parameters() {
    let (rhai, items) = convert(
        "  const o = { n: 0, add(k, by) { this.n += by || 1; return o.n; } };\n  o.add('a');\n  return o.add('a', 2, 3);",
    );
    let items = not_converted(&items);
    assert!(items.is_empty(), "{items:?}\n{rhai}");
    assert_has(&rhai, &["o.add(\"a\", ());", "return o.add(\"a\", 2);", "return this.n;"]);
}

#[test]
fn json_of_an_object_with_methods_leaves_them_out() {
    let js = "const s = { a: 1, m() { return this.a; } };\nexport default function () { return JSON.stringify(s); }\n";
    let (rhai, _) = conv(js);
    assert_has(&rhai, &["js_json(js_fields(s))"]);
}

#[test]
fn json_in_a_function_converted_before_the_object_leaves_functions_out() {
    // `show` is converted before the object literal is seen: decided once the file is read.
    let js = "function show(x) { return JSON.stringify(x); }\nexport default function () {\n  \
              const o = { a: 1, m() { return this.a; }, f: () => 2 };\n  return show(o);\n}\n";
    let (rhai, _) = conv(js);
    assert_has(&rhai, &["return js_json(js_fields(x));", "private fn js_fields(v)"]);
    // Without such an object, JSON is written as before.
    let (rhai, _) =
        conv("function show(x) { return JSON.stringify(x); }\nexport default function () { show({ a: 1 }); }\n");
    assert_has(&rhai, &["return js_json(x);"]);
    assert!(!rhai.contains('\u{4}') && !rhai.contains("js_fields"), "{rhai}");
}

#[test]
fn refusals_name_what_javascript_would_do_otherwise() {
    let with = |body: &str| format!("{API}export default function () {{\n{body}\n}}\n");
    // A method read as a value loses its `this` in JavaScript.
    refused(&with("  const f = api.url;\n  f('x');"), "`api.url` read as a value");
    refused(&with("  ['a'].map(api.url);"), "`api.url` read as a value");
    // A second name: Rhai changes a copy, JavaScript the one object.
    refused(&with("  const b = api;\n  b.hit();"), "`b` is a second name for `api`");
    refused(
        &format!("{API}function bump(o) {{ o.hit(); }}\nexport default function () {{ bump(api); }}\n"),
        "`o` is a parameter",
    );
    // `this` or the object's own name as a value: Rhai would hand out a copy.
    refused("const o = { m() { return this; } };\nexport default function () { o.m(); }\n", "`this` as a value");
    refused(
        "const o = { m() { return o; } };\nexport default function () { o.m(); }\n",
        "`o` as a value inside its own method",
    );
    // A change of `this` in an arrow that may run later, or through `this.m()` in any arrow.
    refused(
        "const o = { n: 0, m() { return [1].map(() => this.bump()); }, bump() { this.n++; } };\nexport default function () { o.m(); }\n",
        "changing `this` inside an arrow",
    );
    // Methods of a literal that initialises no variable.
    refused("export default function () { return [{ x: 1, m() { return this.x; } }]; }\n", "initialises no variable");
    // The object's own name in a `function` inside its method (whose `this` is its own).
    refused(
        "const o = { n: 1, m() { return [1].map(function (x) { return o.n * x; }); } };\nexport default function () { o.m(); }\n",
        "inside a `function` in its own method",
    );
    // A method with a rest parameter is called through `js_call`, which binds no `this`.
    refused(
        "const o = { n: 1, m(...xs) { return this.n + xs.length; } };\nexport default function () { o.m(1); }\n",
        "a method with a rest parameter",
    );
    // A method Rhai cannot call by its name.
    refused(
        "const o = { print() { return 1; } };\nexport default function () { o.print(); }\n",
        "Rhai reserves its name",
    );
    // Getters and setters.
    refused(
        "const o = { a: 1, get twice() { return this.a * 2; } };\nexport default function () { return o.twice; }\n",
        "a getter or setter in an object literal",
    );
    // Arguments beyond the parameters that JavaScript would evaluate.
    refused(&with("  api.url('x', api.hit());"), "more arguments than its 1 parameter(s)");
}

#[test]
fn a_method_that_only_reads_may_be_called_through_a_parameter() {
    let js = format!("{API}function show(o) {{ return o.url('p'); }}\nexport default function () {{ show(api); }}\n");
    let (rhai, items) = conv(&js);
    assert!(items.is_empty(), "{items:?}\n{rhai}");
}
