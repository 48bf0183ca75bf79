//! Indexing an array or a string as JavaScript reads it, in scripts converted from JavaScript
//! (vendor/rhai/RLOAD-PATCH.md, the seventh change; `Engine::set_js_indexing`): an index outside
//! the elements reads `()` where Rhai counted a negative one from the end and failed past the
//! end; a string's character is a one-character string; `arr[arr.length] = x` appends. Writes
//! JavaScript would turn into holes or named properties, a write into a string and `delete` of
//! an element are errors that name them. Rhai-native scripts keep Rhai's indexing.
//! (The k6 comparison: tests/convert_corpus/100-indexing.js.)
mod common;
use common::*;

/// The checks both kinds of script run, with what each expects.
fn indexing_script(header: &str, js: bool) -> String {
    let (outside, negative, ch) = if js { ("()", "()", "string") } else { ("\"error\"", "3", "char") };
    format!(
        r#"{header}
fn read(a, i) {{ try {{ return a[i]; }} catch {{ return "error"; }} }}
fn run() {{
    let a = [1, 2, 3];
    let s = "abc";
    let i = -1;
    check(a, #{{
        "past the end": |a| read(a, 3) == {outside},
        "a negative index": |a| read(a, i) == {negative},
        "a string past the end": |a| read(s, 5) == {outside},
        "a string's character": |a| type_of(s[1]) == "{ch}",
        "in range": |a| a[1] == 2 && s[0] == 'a',
    }});
}}
"#
    )
}

#[test]
fn a_rhai_native_script_keeps_rhai_indexing() {
    let s = script(&indexing_script("", false));
    rload(&s, &["-i", "1"]).assert_all_checks_pass(5);
}

#[test]
fn a_converted_script_run_as_rhai_reads_javascript_indexing() {
    // What `rload convert test.js -o test.rhai` writes opens with this line; run as Rhai, it
    // keeps JavaScript's indexing.
    let s = script(&indexing_script("// Converted from test.js by `rload convert`.", true));
    rload(&s, &["-i", "1"]).assert_all_checks_pass(5);
}

#[test]
fn the_engine_switch_changes_indexing_only_when_on() {
    let mut engine = rhai::Engine::new();
    assert!(!engine.js_indexing());
    assert_eq!(engine.eval::<i64>("let a = [1, 2, 3]; let i = -1; a[i]").unwrap(), 3);
    let err = engine.eval::<rhai::Dynamic>("let a = [1, 2, 3]; a[3]").unwrap_err();
    assert!(err.to_string().contains("out of bounds"), "{err}");
    engine.set_js_indexing(true);
    let unit = |src: &str| engine.eval::<rhai::Dynamic>(src).unwrap().is_unit();
    assert!(unit("let a = [1, 2, 3]; let i = -1; a[i]"));
    assert!(unit("[1, 2, 3][-1]"), "a literal is not folded to its last element");
    assert!(unit("let a = [1, 2, 3]; a[3]"));
    assert!(unit("let a = [1, 2, 3]; a[1.5]"));
    assert!(unit("let a = []; a[0]"));
    assert!(unit("\"abc\"[3]"));
    assert!(unit("let s = \"abc\"; s[-1]"));
    assert_eq!(engine.eval::<i64>("let a = [1, 2, 3]; a[\"1\"] + a[2.0] + a[\"length\"]").unwrap(), 8);
    assert!(unit("let a = [1, 2, 3]; a[\"01\"]"));
    assert_eq!(engine.eval::<String>("\"héllo\"[1]").unwrap(), "é");
    assert!(engine.eval::<bool>("let a = [1, 2]; a[a.len()] = 3; a[0] += 10; a == [11, 2, 3]").unwrap());
    assert!(engine.eval::<bool>("let g = [[1], [2]]; g[1][1] = 3; g == [[1], [2, 3]]").unwrap());
    for (src, names) in [
        ("let a = [1]; a[3] = 4;", "empty slot"),
        ("let a = [1]; a[-1] = 4;", "setting -1 on an array"),
        ("let a = [1]; a[\"x\"] = 4;", "setting \"x\" on an array"),
        ("let a = [1]; a[()] = 4;", "setting undefined on an array"),
        ("let s = \"abc\"; s[0] = 'x';", "cannot assign to 0 of a string"),
    ] {
        let err = engine.run(src).unwrap_err().to_string();
        assert!(err.contains(names), "{src}: {err}");
    }
}

#[test]
fn writes_javascript_would_make_holes_or_properties_of_are_errors_naming_them() {
    let s = script_named(
        "test.js",
        r#"
import { check } from 'k6';
export const options = { iterations: 1, vus: 1 };
function failure(f) {
  try { f(); return 'no error'; } catch (e) { return `${e.message || e}`; }
}
export default function () {
  const a = [1, 2, 3];
  check(a, {
    'a hole': () => failure(() => { a[5] = 1; }).includes('setting index 5 of an array of length 3'),
    'a negative index': () => failure(() => { a[-1] = 1; }).includes('setting -1 on an array'),
    'a string': () => failure(() => { const s = 'abc'; s[0] = 'x'; }).includes('cannot assign to 0 of a string'),
    'delete of an element': () => failure(() => { delete a[1]; }).includes("delete of an array's element"),
    'nothing changed': (v) => JSON.stringify(v) === '[1,2,3]',
  });
}
"#,
    );
    rload(&s, &["-i", "1"]).assert_all_checks_pass(5);
}
