//! Regular expressions: what each JavaScript form converts to, and the reason each refused form
//! is listed with.

mod common;
use common::{convert, not_converted};
use rload_convert::convert_source;

#[test]
fn literals_and_the_constructor_become_regexp_calls() {
    let cases = [
        (r#"const re = /a\/b(c)/gi;"#, r#"let re = regexp("a\\/b(c)", "gi");"#),
        (r#"const re = /x/;"#, r#"let re = regexp("x", "");"#),
        (r#"const re = new RegExp('\\d+', 'g');"#, r#"let re = regexp("\\d+", "g");"#),
        (r#"const re = RegExp(other);"#, r#"let re = regexp(other);"#),
        (r#"const re = new RegExp();"#, r#"let re = regexp("");"#),
        (r#"const re = new RegExp(`^${p}$`, flags);"#, r#"let re = regexp(`^${js_str(p)}$`, flags);"#),
    ];
    for (js, rhai_line) in cases {
        let (rhai, items) = convert(js);
        assert!(not_converted(&items).is_empty(), "{js}: {items:?}");
        assert!(rhai.contains(rhai_line), "{js}:\n{rhai}");
    }
}

#[test]
fn a_literal_in_a_loop_is_built_at_each_evaluation() {
    let (rhai, items) = convert("for (let i = 0; i < 3; i++) {\n  const ok = /x/g.test('x');\n}");
    assert!(items.is_empty(), "{items:?}");
    assert!(rhai.contains(r#"regexp("x", "g").test("x")"#), "{rhai}");
}

#[test]
fn string_methods_that_may_take_a_regex_dispatch_when_they_run() {
    let cases = [
        ("const m = s.match(/a(b)/);", r#"js_str_match(s, regexp("a(b)", ""))"#),
        ("const m = s.match(pattern);", "js_str_match(s, pattern)"),
        ("const all = s.matchAll(/a/g);", r#"js_str_match_all(s, regexp("a", "g"))"#),
        ("const i = s.search(/b/);", r#"js_str_search(s, regexp("b", ""))"#),
        ("const t = s.replace(/\\s+/g, ' ');", r#"js_str_replace(s, regexp("\\s+", "g"), " ")"#),
        ("const t = s.replace(p, '$&!');", r#"js_str_replace(s, p, "$&!")"#),
        ("const t = s.replace('.', (m) => m + m);", r#"js_str_replace(s, ".", |m| js_add(m, m))"#),
        ("const t = s.replaceAll(/a/g, 'b');", r#"js_str_replace_all(s, regexp("a", "g"), "b")"#),
        ("const parts = s.split(/(,)/, 3);", r#"js_str_split(s, regexp("(,)", ""), 3)"#),
        ("const parts = s.split(sep);", "js_str_split(s, sep, ())"),
        ("const m = s?.match(/a/);", r#"if opt1 == () { () } else { js_str_match(opt1, regexp("a", "")) }"#),
        ("const g = re.global && re.lastIndex === 0;", r#"re["global"]"#),
        ("const ok = re.test(s) && re.exec(s) !== null;", "re.test(s)"),
        ("re.lastIndex = 0;", "re.lastIndex = 0;"),
    ];
    for (js, expected) in cases {
        let (rhai, items) = convert(&format!("const s = 'abc'; const re = /a/g; let pattern, p, sep;\n{js}"));
        assert!(not_converted(&items).is_empty(), "{js}: {items:?}");
        assert!(rhai.contains(expected), "{js}: wanted {expected}\n{rhai}");
    }
    // A string literal separator converts as before (Rhai's split).
    let (rhai, _) = convert("const parts = 'a,b'.split(',');");
    assert!(rhai.contains(r#""a,b".split(",")"#), "{rhai}");
}

#[test]
fn refused_forms_are_listed_with_a_reason_naming_them() {
    let cases = [
        ("const re = /a(/;", "the regular expression /a(/: SyntaxError"),
        ("const re = new RegExp('[b', 'g');", "the regular expression /[b/g: SyntaxError"),
        ("const re = /a/d;", "the regular expression /a/d: the d flag (match indices, `hasIndices`) is not supported"),
        ("const re = new RegExp('a', 'gg');", "the regular expression /a/gg: invalid flags 'gg'"),
        ("const re = new RegExp('a', 'v');", "the regular expression /a/v: invalid flags 'v'"),
        ("const g = RegExp.$1;", "`RegExp.$1`: rload's RegExp has no prototype or static properties"),
        ("const t = RegExp.prototype.test;", "`RegExp.prototype`"),
        ("const t = /a/[Symbol.replace]('a', 'b');", "`Symbol.replace`: rload has no symbols"),
    ];
    for (js, why) in cases {
        let (rhai, items) = convert(js);
        let listed = not_converted(&items);
        assert!(listed.iter().any(|r| r.contains(why)), "{js}: {listed:?}");
        assert!(rhai.contains("/* CONVERT: "), "{rhai}");
    }
}

#[test]
fn a_file_with_a_regexp_of_its_own_gets_the_engines_other_name() {
    let js = "function regexp(a, b) { return 1; }\nexport default function () {\n  const r = /a/g;\n  const s = new RegExp('b');\n}\n";
    let (c, items) = convert_source("t.js", js).unwrap();
    assert!(items.is_empty(), "{items:?}");
    assert!(
        c.rhai.contains(r#"let r = js_regexp("a", "g");"#) && c.rhai.contains(r#"let s = js_regexp("b");"#),
        "{}",
        c.rhai
    );
}

#[test]
fn last_index_set_through_a_second_name_reaches_the_one_regex() {
    let (rhai, items) =
        convert("const a = /x/g;\nconst b = a;\nb.lastIndex = 3;\nfor (const r of [a]) { r.lastIndex += 1; }");
    assert!(not_converted(&items).is_empty(), "{items:?}");
    assert!(rhai.contains("b.lastIndex = 3;"), "{rhai}");
    // Any other property of a second name is still listed.
    let (_, items) = convert("const a = { n: 1 };\nconst b = a;\nb.n = 3;");
    assert_eq!(not_converted(&items).len(), 1, "{items:?}");
}
