//! jslib's papaparse in a k6 script run by rload: `papaparse.parse(open(f), config)` gives the
//! rows, errors and meta papaparse 5.1.1 gives. rload convert refused the import ("has no rload
//! equivalent"), so k6's CSV idiom (a SharedArray of `papaparse.parse(…).data`) did not run.
//!
//! The expected values are what k6 v1.1.0 prints running papaparse 5.1.1 itself (the npm
//! package, imported from a local file, as the jslib URL needs the network) on the same text,
//! an object's keys in papaparse's order (a Rhai map keeps insertion order, as JavaScript).
//! A k6 differential test cannot run here: k6 loads jslib from jslib.k6.io.
mod common;
use common::*;

/// A k6 script in `dir` with `users.csv` beside it; returns rload's run of it.
fn run_js(body: &str, csv: &str) -> Run {
    let js = format!("import papaparse from 'https://jslib.k6.io/papaparse/5.1.1/index.js';\n{body}");
    let s = script_named("test.js", &js);
    std::fs::write(s.dir.path().join("users.csv"), csv).unwrap();
    rload(&s, &["-q", "--log-format", "raw"])
}

#[test]
fn the_shared_array_csv_idiom_reads_rows_by_header() {
    let run = run_js(
        r#"
import { SharedArray } from 'k6/data';
import { check } from 'k6';
const users = new SharedArray('users', function () {
  return papaparse.parse(open('./users.csv'), { header: true, skipEmptyLines: true }).data;
});
export const options = { iterations: 2 };
export default function () {
  const u = users[__ITER % users.length];
  check(u, {
    'two users': () => users.length === 2,
    'fields by header': (x) => (x.user === 'ann' && x.pass === 'p, "q"') || (x.user === 'bob' && x.pass === 'r'),
  });
}
"#,
        "user,pass\r\nann,\"p, \"\"q\"\"\"\r\nbob,r\r\n",
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    run.assert_all_checks_pass(4);
}

#[test]
fn rows_errors_and_meta_are_papaparses() {
    let run = run_js(
        r#"
export default function () {
  const show = (text, cfg) => {
    const r = papaparse.parse(text, cfg);
    console.log(JSON.stringify([r.data, r.errors.map((e) => `${e.code}@${e.row === undefined ? "-" : e.row}`), r.meta.delimiter, r.meta.cursor]));
  };
  show('a,b\n1,2\n', {});
  show('a,b\n1,2,3\n\n', { header: true });
  show('a;b\n1;2', {});
  show('n,t,e,d\n1.5,TRUE,,2024-02-29T10:20:30Z\n', { header: true, dynamicTyping: true, skipEmptyLines: true });
  show('"unterminated,1\n2', {});
  show('# c\na|b\n1|2', { comments: '#' });
}
"#,
        "",
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stderr.lines().chain(run.stdout.lines()).filter(|l| l.starts_with("[[")).collect();
    assert_eq!(
        lines,
        [
            // A trailing line break leaves a last empty row, and the guess fails on it.
            r#"[[["a","b"],["1","2"],[""]],["UndetectableDelimiter@-"],",",8]"#,
            r#"[[{"a":"1","b":"2","__parsed_extra":["3"]},{"a":""},{"a":""}],["UndetectableDelimiter@-","TooManyFields@0","TooFewFields@1","TooFewFields@2"],",",11]"#,
            r#"[[["a","b"],["1","2"]],[],";",7]"#,
            r#"[[{"n":1.5,"t":true,"e":null,"d":"2024-02-29T10:20:30.000Z"}],[],",",39]"#,
            r#"[[["unterminated,1\n2"]],["MissingQuotes@0","UndetectableDelimiter@-"],",",17]"#,
            r#"[[["a","b"],["1","2"]],[],"|",11]"#,
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn a_streaming_option_is_an_error_naming_it() {
    let run = run_js(
        r#"
export default function () {
  papaparse.parse('a,b', { step: (row) => console.log(row) });
}
"#,
        "",
    );
    assert!(run.stderr.contains("option `step` is not supported by rload"), "{}\n{}", run.stdout, run.stderr);
}
