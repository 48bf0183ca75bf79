//! Classes: the Rhai a conversion writes for a top-level class (a constructor function making a
//! map of fields and method pointers, a Rhai function per method that changes `this`, a plain
//! function per static method) and every place it refuses, each named. What the converted
//! classes do when run is checked against k6 by tests/convert_corpus/74-classes.js.

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

const API: &str = "class Api {\n  retries = 2;\n  constructor(base, token = 't') { this.base = base; this.calls = 0; }\n  \
                   get(path) { this.calls++; return this.base + path; }\n  twice(p) { this.get(p); return this.get(p); }\n  \
                   read() { return this.calls; }\n  static make(b) { return new Api(b); }\n}\n";

#[test]
fn a_class_becomes_a_constructor_function_and_a_function_per_method() {
    let js = format!(
        "{API}export default function () {{\n  const api = new Api('u');\n  api.get('/');\n  api.twice();\n  \
         const b = Api.make('v');\n  return api.read() + b.read();\n}}\n"
    );
    let (rhai, items) = conv(&js);
    assert!(items.is_empty(), "{items:?}\n{rhai}");
    assert_has(
        &rhai,
        &[
            "fn Api__new(base, token) {\n    let this_ = #{ get: Fn(\"Api__get\"), twice: Fn(\"Api__twice\"), read: Fn(\"Api__read\") };\n    this_.Api__class_fields();\n    this_.Api__constructor(base, token);\n    this_\n}",
            "fn Api__new(base) { Api__new(base, ()) }",
            "fn Api__class_fields() {\n    this.retries = 2;\n}",
            "fn Api__constructor(base, token) {\n    if js_is_undefined(token) { token = \"t\"; }\n    this.base = base;\n    this.calls = 0;\n}",
            "fn Api__get(path) {\n    this.calls = js_update(this.calls, 1, \"++\");\n    return js_add(this.base, path);\n}",
            // A call with fewer arguments passes undefined for the rest, keeping `this`.
            "fn Api__twice() { this.Api__twice(()) }",
            "this.get(p);",
            "fn Api__make(b) {\n    return Api__new(b);\n}",
            "let api = Api__new(\"u\");",
            "api.get(\"/\");",
            "let b = Api__make(\"v\");",
        ],
    );
}

#[test]
fn a_method_called_with_more_arguments_than_it_declares_gets_an_overload() {
    let js = format!("{API}export default function () {{ const api = new Api('u'); api.read(1, 2); }}\n");
    let (rhai, items) = conv(&js);
    assert!(items.is_empty(), "{items:?}");
    assert_has(&rhai, &["fn Api__read(arg__0, arg__1) { this.Api__read() }"]);
}

#[test]
fn an_instance_in_module_state_changed_by_a_method_is_shared() {
    let js = format!("{API}const api = new Api('u');\nexport default function () {{ api.get('/'); }}\n");
    let (rhai, items) = conv(&js);
    assert!(items.is_empty(), "{items:?}");
    assert_has(&rhai, &["let api = Api__new(\"u\"); let keep_api = || api;"]);
    // One that only reads stays a constant.
    let js = format!("{API}const api = new Api('u');\nexport default function () {{ api.read(); }}\n");
    let (rhai, _) = conv(&js);
    assert_has(&rhai, &["const api = Api__new(\"u\");"]);
}

#[test]
fn json_and_object_keys_of_an_instance_leave_its_methods_out() {
    let js = format!(
        "{API}export default function () {{ const a = new Api('u'); JSON.stringify(a); Object.keys(a); \
         for (const k in a) {{}} const o = {{ ...a }}; }}\n"
    );
    let (rhai, items) = conv(&js);
    assert!(items.is_empty(), "{items:?}");
    assert_has(
        &rhai,
        &[
            "js_json(js_fields(a))",
            "js_object_keys(js_own_fields(a))",
            "js_keys(js_own_fields(a))",
            "private fn js_fields(v) {",
            "private fn js_own_fields(v) {",
        ],
    );
}

#[test]
fn a_method_changing_this_called_through_a_second_name_is_refused() {
    refused(
        &format!("{API}function f(api) {{ api.get('/'); }}\nexport default function () {{}}\n"),
        "changing `api` in place",
    );
    // Through a method that calls one that changes `this`.
    refused(
        &format!("{API}function f(api) {{ api.twice('/'); }}\nexport default function () {{}}\n"),
        "changing `api` in place",
    );
    refused(
        &format!("{API}export default function () {{ const a = new Api('u'); const b = a; b.get('/'); }}\n"),
        "`b` is a second name for `a`",
    );
    // A method that only reads is fine through a parameter.
    let (_, items) = conv(&format!("{API}function f(api) {{ return api.read(); }}\nexport default function () {{}}\n"));
    assert!(items.is_empty(), "{items:?}");
}

#[test]
fn what_classes_do_beyond_the_subset_is_refused_by_name() {
    let ok = "constructor() { this.n = 0; }";
    for (member, what) in [
        ("get size() { return 1; }", "the getter `size` (`get size(…)`): rload has no accessors; write a method"),
        ("set size(v) {}", "the setter `size` (`set size(…)`): rload has no accessors; write a method"),
        ("#secret = 1;", "a computed or private field"),
        ("#hidden() {}", "a computed or private method name"),
        ("['a' + 'b']() {}", "a computed or private method name"),
        ("static count = 0;", "the static field `count`"),
        ("static { }", "a static block"),
        ("async later() {}", "the async or generator method `later`"),
        ("*gen() {}", "the async or generator method `gen`"),
        ("toString() { return 'k'; }", "the method `toString`"),
        ("self() { return this; }", "`this` as a value"),
        ("cb() { [1].map((x) => { this.n = x; }); }", "changing `this` inside an arrow in a method of `K`"),
        (
            "cb() { [1].map((x) => this.inc()); } inc() { this.n++; }",
            "changing `this` inside an arrow in a method of `K`",
        ),
        ("cb() { return [1].map(function (x) { return this.n; }); }", "`this` in a `function` inside a method"),
        ("cb() { const f = () => this.n; return f(); }", "`this` in an arrow of a method of `K` that may run later"),
        ("cb() { return () => this.n; }", "`this` in an arrow of a method of `K` that may run later"),
        (
            "cb() { setTimeout(() => console.log(this.n), 10); }",
            "`this` in an arrow of a method of `K` that may run later",
        ),
        ("f(...xs) { return xs; }", "a rest parameter of `f`"),
        ("static s() { return this.n; }", "`this` in a static method of `K`"),
        ("print(x) {}", "the method `print`: Rhai reserves its name"),
        ("new() {}", "the method `new`: rload names a function of the class so"),
        ("m() {} static m() {}", "the static method `m`, named like an instance method"),
        ("m() { return this.constructor.name; }", "`.constructor` of a value"),
    ] {
        refused(&format!("class K {{\n  {ok}\n  {member}\n}}\n"), what);
    }
    refused("class K { constructor() { return { a: 1 }; } }\n", "a value returned by `K`'s constructor");
    refused(
        "class B extends Object {}\n",
        "`class B extends …`: rload converts `extends` of a class declared before it",
    );
    refused("class B extends A {}\nclass A {}\n", "`class B extends …`");
    refused(
        "class A { m() {} }\nclass B extends A { m() { return super.x; } }\n",
        "`super.x` other than a method call",
    );
    refused(
        "class A { m() {} }\nclass B extends A { n() { return super.nope(); } }\n",
        "`super.nope(…)`: no method `nope`",
    );
    refused(
        "class A { m() {} }\nclass B extends A { constructor() { super(); } n() { super(); } }\n",
        "`super(…)` outside a subclass's constructor",
    );
    refused("function f() { return this.x; }\n", "`this` outside a class's method or constructor");
    refused("class K {}\nconst C = K;\n", "the class `K` used as a value");
    refused("class K {}\nconst ok = K.nope();\n", "`K.nope`: no static method of `K`");
    refused("class K { m() {} }\nconst k = new K();\nconst f = k.m;\n", "`.m` read as a value");
    refused(
        "class K { push(x) {} }\nconst xs = [];\nxs.push(1);\n",
        "`.push(…)`, which is both JavaScript's own method",
    );
    refused("class K { replace(x) {} }\nconst s = 'a'.replace('a', 'b');\n", "`.replace(…)`, which is both");
    refused("function f() { const C = class {}; }\n", "a class expression");
    refused("function f() { class K {} }\n", "a class");
}

#[test]
fn a_class_field_the_constructor_sets_is_not_undefined() {
    let (rhai, items) = conv("class K {\n  token;\n  constructor(t) { this.token = t; }\n}\n");
    assert!(items.is_empty(), "{items:?}\n{rhai}");
    assert!(!rhai.contains("this.token = ();"), "{rhai}");
}

#[test]
fn an_arrow_in_a_method_captures_the_instance_it_reads() {
    let js = "class K {\n  constructor() { this.n = 1; }\n  read() { return this.n; }\n  \
              cb() { return [1].map((x) => x + this.n + this.read()); }\n}\n";
    let (rhai, items) = conv(js);
    assert!(items.is_empty(), "{items:?}\n{rhai}");
    assert_has(&rhai, &["[1].map({ let this_c = this; |x| js_add(js_add(x, this_c.n), this_c.read()) })"]);
}

#[test]
fn this_in_a_plain_function_is_still_refused() {
    let (rhai, items) = convert("const x = this.y;");
    assert_eq!(not_converted(&items), ["`this` outside a class's method or constructor"], "{rhai}");
}

#[test]
fn a_method_named_init_is_its_own_function() {
    let js =
        "class K {\n  constructor(n) { this.n = n; }\n  init(v) { this.n = v; }\n}\nconst k = new K(1);\nk.init(2);\n";
    let (rhai, items) = conv(js);
    assert!(items.is_empty(), "{items:?}");
    assert_has(&rhai, &["fn K__constructor(n) {", "fn K__init(v) {", "init: Fn(\"K__init\")", "k.init(2);"]);
}

#[test]
fn a_subclass_runs_the_parents_constructor_in_super_and_overrides_its_methods() {
    let js = "class A {\n  a = 1;\n  constructor(x) { this.x = x; }\n  m() { return this.n(); }\n  n() { return 1; }\n  static make() { return new A(0); }\n}\n\
              class B extends A {\n  b = 2;\n  constructor(x, y) { super(x); this.y = y; }\n  n() { return super.n() + 1; }\n}\n\
              class C extends B {}\nconst c = new C(1, 2);\nconst d = C.make();\n";
    let (rhai, items) = conv(js);
    assert!(items.is_empty(), "{items:?}\n{rhai}");
    assert_has(
        &rhai,
        &[
            // The most derived method of each name; no fields set before the constructor runs.
            "fn B__new(x, y) {\n    let this_ = #{ m: Fn(\"A__m\"), n: Fn(\"B__n\") };\n    this_.B__constructor(x, y);\n    this_\n}",
            "fn B__constructor(x, y) {\n    { this.A__class_fields(); this.A__constructor(x); this.B__class_fields(); };\n    this.y = y;\n}",
            "return js_add(this.A__n(), 1);",
            // Without a constructor: the parent's, with its parameters.
            "fn C__constructor(x, y) {\n    { this.B__constructor(x, y); };\n}",
            "const d = A__make();",
        ],
    );
}

#[test]
fn a_class_expression_assigned_to_a_constant_is_that_class() {
    let js = "const Api = class {\n  constructor(b) { this.b = b; }\n  get(p) { return this.b + p; }\n  static of(b) { return new Api(b); }\n};\n\
              export default function () { return Api.of('u').get('/') + new Api('v').get('/'); }\n";
    let (rhai, items) = conv(js);
    assert!(items.is_empty(), "{items:?}\n{rhai}");
    assert_has(
        &rhai,
        &[
            "fn Api__new(b) {",
            "let this_ = #{ get: Fn(\"Api__get\") };",
            "fn Api__of(b) {",
            "Api__of(\"u\").get(\"/\")",
        ],
    );
    assert!(!rhai.contains("const Api"), "{rhai}");
    // Its own name, when it has one, must be the constant's (the body could use it).
    let (rhai, items) =
        conv("const Api = class Api { m() { return 1; } };\nexport default function () { return new Api().m(); }\n");
    assert!(items.is_empty(), "{items:?}\n{rhai}");
    refused("const Api = class Other { m() { return 1; } };\nexport default function () {}\n", "a class expression");
    // `let` could be set to something else.
    refused("let Api = class { m() { return 1; } };\nexport default function () {}\n", "a class expression");
}
