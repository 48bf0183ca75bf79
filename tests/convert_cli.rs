//! `rload convert` and `rload run script.js` as a user meets them: what is written where, the
//! exit codes (full, partial, syntax error), the list of what was not converted, errors that
//! point at the JavaScript line, `--keep-converted`, `rload check` and `rload script.js`.
mod common;
use common::*;

use std::path::Path;
use std::process::Command;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

fn rload_cmd(args: &[&str]) -> Run {
    Run::from_output(Command::new(BIN).args(args).output().unwrap())
}

/// Runs `source` as `t.js` in a fresh directory with `rload run -q --no-color
/// --no-system-env-vars` (and `extra` before the script): the exit code, and stdout and stderr
/// joined (console.log and the script's errors land in either).
fn run_js_with(extra: &[&str], source: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    run_js_file(extra, &write(dir.path(), "t.js", source))
}

/// `run_js_with` for a script already written (beside the modules it imports).
fn run_js_file(extra: &[&str], js: &Path) -> (i32, String) {
    let mut args = vec!["run", "-q", "--no-color", "--no-system-env-vars"];
    args.extend_from_slice(extra);
    args.push(js.to_str().unwrap());
    let run = rload_cmd(&args);
    (run.code, format!("{}{}", run.stdout, run.stderr))
}

fn run_js(source: &str) -> (i32, String) {
    run_js_with(&[], source)
}

const WITH_MODULE: &str = "import http from 'k6/http';\nimport { ping } from './lib/util.js';\nexport const options = { vus: 1, iterations: 1 };\nexport default function () { ping(__ENV.BASE); }\n";
const UTIL: &str = "import http from 'k6/http';\nexport function ping(base) { return http.get(`${base}/`); }\n";

#[test]
fn convert_writes_the_script_and_its_local_modules_and_exits_0_when_full() {
    let dir = tempfile::tempdir().unwrap();
    let js = write(dir.path(), "test.js", WITH_MODULE);
    write(dir.path(), "lib/util.js", UTIL);
    let out = dir.path().join("out/test.rhai");
    let run = rload_cmd(&["convert", js.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let main = std::fs::read_to_string(&out).unwrap();
    assert!(
        main.contains("import \"util\" as util;")
            && main.contains("fn run()")
            && main.contains("util::ping(__ENV.BASE)"),
        "{main}"
    );
    let module = std::fs::read_to_string(dir.path().join("out/util.rhai")).unwrap();
    assert!(module.contains("fn ping(base)"), "{module}");
    // And the written Rhai runs.
    let target = Target::start();
    let ran = rload_cmd(&["run", "-q", out.to_str().unwrap(), "-e", &format!("BASE={}", target.url())]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(ran.line("http_reqs").contains(" 1 "), "{}", ran.stdout);
}

#[test]
fn a_partial_conversion_exits_2_and_lists_each_place_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let js = write(dir.path(), "t.js", "export default function () {\n  const re = /a+(/;\n  class A {}\n}\n");
    let run = rload_cmd(&["convert", js.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("t.js:2:14: not converted: the regular expression /a+(/: SyntaxError"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("t.js:3:3: not converted: a class"), "{}", run.stderr);
    let rhai = std::fs::read_to_string(dir.path().join("t.rhai")).unwrap();
    assert_eq!(rhai.matches("CONVERT:").count(), 2, "{rhai}");
}

#[test]
fn a_javascript_syntax_error_exits_107_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let js = write(dir.path(), "bad.js", "export default function () {\n  let x = ;\n}\n");
    let run = rload_cmd(&["convert", js.to_str().unwrap()]);
    assert_eq!(run.code, 107, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("bad.js:2:11: JavaScript syntax error"), "{}", run.stderr);
}

#[test]
fn run_refuses_a_script_with_places_not_converted_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let js = write(dir.path(), "t.js", "export default function () {\n  const x = this.y;\n}\n");
    let run = rload_cmd(&["run", js.to_str().unwrap()]);
    assert_eq!(run.code, 107, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("t.js:2:13: not converted: `this`"), "{}", run.stderr);
    assert!(run.stderr.contains("rload convert"), "{}", run.stderr);
}

#[test]
fn a_runtime_error_in_a_converted_script_points_at_the_javascript_line() {
    let dir = tempfile::tempdir().unwrap();
    let js = write(
        dir.path(),
        "t.js",
        "export const options = { vus: 1, iterations: 1 };\n\nexport default function () {\n  const a = {};\n  const b = a.x.y;\n}\n",
    );
    let run = rload_cmd(&["run", "-q", js.to_str().unwrap()]);
    assert!(run.stderr.contains("converted to Rhai in memory"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{}:5:", js.display())), "no JavaScript position:\n{}", run.stderr);
    assert!(run.stderr.contains("5 |   const b = a.x.y;"), "no JavaScript line:\n{}", run.stderr);
}

#[test]
fn keep_converted_writes_what_ran_and_check_and_the_bare_form_take_javascript() {
    let dir = tempfile::tempdir().unwrap();
    let js = write(dir.path(), "test.js", WITH_MODULE);
    write(dir.path(), "lib/util.js", UTIL);
    let target = Target::start();
    let keep = dir.path().join("kept");
    let base = format!("BASE={}", target.url());
    let run = rload_cmd(&["run", "-q", "--keep-converted", keep.to_str().unwrap(), "-e", &base, js.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(keep.join("test.rhai").is_file() && keep.join("util.rhai").is_file());
    let check = rload_cmd(&["check", js.to_str().unwrap()]);
    assert_eq!(check.code, 0, "{}\n{}", check.stdout, check.stderr);
    let bare = rload_cmd(&[js.to_str().unwrap(), "-q", "-e", &base]);
    assert_eq!(bare.code, 0, "{}\n{}", bare.stdout, bare.stderr);
    assert!(bare.line("http_reqs").contains(" 1 "), "{}", bare.stdout);
}

#[test]
fn keep_converted_with_a_rhai_script_is_an_error() {
    let s = script("fn run() {}");
    let run = rload_cmd(&["run", "--keep-converted", "x", s.path.to_str().unwrap()]);
    assert_eq!(run.code, 104, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("--keep-converted"), "{}", run.stderr);
}

/// k6-operator archives the script it is given: a JavaScript one is archived as it is, with the
/// local modules it imports (tests/archive_inspect.rs runs such an archive).
#[test]
fn archive_of_a_javascript_script_carries_it_and_its_local_modules() {
    let dir = tempfile::tempdir().unwrap();
    let js = write(dir.path(), "test.js", WITH_MODULE);
    write(dir.path(), "lib/util.js", UTIL);
    let tar = dir.path().join("a.tar");
    let run = rload_cmd(&["archive", js.to_str().unwrap(), "-O", tar.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let bytes = String::from_utf8_lossy(&std::fs::read(&tar).unwrap()).into_owned();
    for file in ["files/test.js", "files/lib/util.js"] {
        assert!(bytes.contains(file), "{file} is not in the archive");
    }
    assert!(bytes.contains("export function ping"), "the module's JavaScript is archived as it is");
}

#[test]
fn calls_to_apis_this_build_lacks_make_convert_exit_2_and_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let js = write(
        dir.path(),
        "t.js",
        "import http from 'k6/http'; import crypto from 'k6/crypto';\nexport default function () {\n  const res = http.get('http://127.0.0.1:1/');\n  crypto.getRandomValues([]);\n  http.asyncRequest('GET', 'http://127.0.0.1:1/');\n}\n",
    );
    let run = rload_cmd(&["convert", js.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let line = "t.js:4:3: converted to an API rload may lack: `crypto.getRandomValues(…)` is missing from this build";
    assert!(run.stderr.contains(line), "expected {line:?} in:\n{}", run.stderr);
    // rload has `http.asyncRequest` (its promise, `http.wait`): not listed.
    assert!(!run.stderr.contains("http.asyncRequest"), "{}", run.stderr);
}

#[test]
fn run_refuses_an_object_changed_through_a_second_name() {
    let dir = tempfile::tempdir().unwrap();
    let js = write(
        dir.path(),
        "t.js",
        "function addAuth(params) {\n  params.headers['Authorization'] = 'x';\n}\nexport default function () {\n  const p = { headers: {} };\n  addAuth(p);\n}\n",
    );
    let run = rload_cmd(&["run", js.to_str().unwrap()]);
    assert_eq!(run.code, 107, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("t.js:2:3: not converted: changing `params` in place: `params` is a parameter"),
        "{}",
        run.stderr
    );
}

#[test]
fn env_or_default_takes_the_default_for_an_empty_value_as_k6_does() {
    let (code, all) = run_js_with(
        &["-e", "NAME="],
        "export const options = { iterations: 1 };\nconst NAME = __ENV.NAME || 'dflt';\nexport default function () { console.log(`name=${NAME};`); }\n",
    );
    assert_eq!(code, 0, "{all}");
    assert!(all.contains("name=dflt;"), "{all}");
}

/// jslib k6-utils' randomString and findBetween, which k6 fetches from jslib.k6.io (so no
/// offline differential test): the results jslib's own source gives. randomString's default
/// charset is the 26 lowercase letters (no digits); findBetween (1.2.0 on) gives the first
/// match, every match with `repeat`, and null for none; 1.1.0's gives "" for none.
#[test]
fn jslib_random_string_and_find_between_give_jslibs_results() {
    let (code, all) = run_js(
        "import { randomString, findBetween } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js';\n\
         import { findBetween as findBetweenOld } from 'https://jslib.k6.io/k6-utils/1.1.0/index.js';\n\
         export const options = { iterations: 1 };\n\
         export default function () {\n\
         \x20 const s = randomString(400);\n\
         \x20 const letters = s.split('').every((c) => 'abcdefghijklmnopqrstuvwxyz'.includes(c));\n\
         \x20 const ab = randomString(50, 'ab');\n\
         \x20 console.log(`default=${s.length}:${letters}; ab=${ab.length}:${ab.split('').every((c) => c === 'a' || c === 'b')};`);\n\
         \x20 const page = '<html><div>Value 1</div><div>Value 2</div><div>Value 3</div></html>';\n\
         \x20 const all = findBetween(page, '<div>', '</div>', true);\n\
         \x20 console.log(`single=${findBetween(page, '<div>', '</div>')}; repeat=${all.length}:${all[2]}; none=${findBetween(page, '<p>', '</p>') === null};`);\n\
         \x20 console.log(`messy=${findBetween('let token=\"secret token\";', 'token=\"', '\"')}; exact=${findBetween('**a**', '**', '**')}; old=[${findBetweenOld(page, '<p>', '</p>')}];`);\n\
         }\n",
    );
    assert_eq!(code, 0, "{all}");
    assert!(all.contains("default=400:true; ab=50:true;"), "{all}");
    assert!(all.contains("single=Value 1; repeat=3:Value 3; none=true;"), "{all}");
    assert!(all.contains("messy=secret token; exact=a; old=[];"), "{all}");
}

/// toFixed writes up to 100 decimals of the number's exact binary value, as k6 does (the digits
/// past a float's precision included); more than 100 is k6's RangeError, which stops the
/// iteration.
#[test]
fn to_fixed_writes_up_to_100_exact_decimals_and_past_that_is_k6s_range_error() {
    let (_, all) = run_js(
        "export const options = { iterations: 1 };\n\
         export default function () {\n\
         \x20 console.log(`fixed=${(-1.5).toFixed(0)},${(1.005).toFixed(2)},${(1.5).toFixed(20)};`);\n\
         \x20 console.log(`long=${(0.1).toFixed(30)},${(123456789.123).toFixed(20)};`);\n\
         \x20 console.log(`past=${(1.5).toFixed(101)};`);\n\
         }\n",
    );
    assert!(all.contains("fixed=-2,1.00,1.50000000000000000000;"), "{all}");
    assert!(all.contains("long=0.100000000000000005551115123126,123456789.12299999594688415527;"), "{all}");
    assert!(
        !all.contains("past=") && all.contains("RangeError: toFixed() precision must be between 0 and 100"),
        "{all}"
    );
}

/// A comparison with a null (compared as 0) or an undefined (NaN, so false) seen only at run
/// time, as k6 v1.1.0 prints it (it stopped the iteration where the two readings differ, before
/// rload told them apart).
#[test]
fn a_comparison_with_null_or_undefined_known_only_at_run_time_is_javascripts() {
    let (_, all) = run_js(
        "export const options = { iterations: 1 };\n\
         export default function () {\n\
         \x20 const o = JSON.parse('{\"a\": null}');\n\
         \x20 console.log(`both=${o.a > 0},${o.missing >= 1},${null >= 0},${undefined >= 0};`);\n\
         \x20 console.log(`differ=${o.a <= 0},${o.missing <= 0};`);\n\
         }\n",
    );
    assert!(all.contains("both=false,false,true,false;"), "{all}");
    assert!(all.contains("differ=true,false;"), "{all}");
}

/// reduce() without an initial value over an empty array: k6 stops the iteration with
/// "TypeError: No initial value"; so does the converted script, at the JavaScript line.
#[test]
fn reduce_of_an_empty_array_without_an_initial_value_fails_the_iteration_with_k6s_type_error() {
    let (_, all) = run_js(
        "export const options = { iterations: 1 };\n\
         export default function () {\n\
         \x20 console.log(`sum=${[1, 2, 3].reduce((a, b) => a + b)};`);\n\
         \x20 const none = [].filter((x) => x).reduce((a, b) => a + b);\n\
         \x20 console.log(`after=${none};`);\n\
         }\n",
    );
    assert!(all.contains("sum=6;") && !all.contains("after="), "{all}");
    assert!(all.contains("TypeError: No initial value at ") && all.contains("t.js:"), "{all}");
}

/// `for (let i = 0; i < n; i++)` runs while JavaScript's `i < n` holds: none at all for a null
/// or undefined bound (Rhai's range `0..()` never ended), three times for the text "3".
#[test]
fn a_counting_loop_to_a_bound_that_is_not_an_integer_runs_as_javascripts_test_says() {
    let (_, all) = run_js(
        "export const options = { scenarios: { s: { executor: 'shared-iterations', iterations: 1, maxDuration: '5s', gracefulStop: '0s' } } };\n\
         export default function () {\n\
         \x20 const o = JSON.parse('{\"n\": null}');\n\
         \x20 let c = 0;\n\
         \x20 for (let i = 0; i < o.n; i++) { c++; }\n\
         \x20 for (let i = 0; i < o.missing; i++) { c++; }\n\
         \x20 for (let i = 0; i < '3'; i++) { c++; }\n\
         \x20 for (let i = 0; i < 2.5; i++) { c += 10; }\n\
         \x20 console.log(`loops=${c};`);\n\
         }\n",
    );
    assert!(all.contains("loops=33;"), "{all}");
}

/// Arithmetic, comparisons, `Number`, `isNaN`, unary minus and updates with a null or an
/// undefined seen only at run time: null is 0 and undefined NaN, as in k6 (each line is k6
/// v1.1.0's output for this script). rload's `()` is both; a null (JSON's, a converted `null`) is
/// tagged so, and the helpers read which it is (before, they stopped the iteration where the two
/// readings differ).
#[test]
fn arithmetic_with_null_or_undefined_known_only_at_run_time_is_javascripts() {
    let (_, all) = run_js(
        "export const options = { iterations: 1 };\n\
         export default function () {\n\
         \x20 const o = JSON.parse('{\"n\": 2, \"a\": null}');\n\
         \x20 console.log(`agree=${o.missing ** 0},${1 + undefined},${null * 3};`);\n\
         \x20 console.log(`arith=${o.n * o.a},${o.n * o.missing},${o.a + 1},${o.missing + 1},${o.a + 'x'},${o.missing + 'x'};`);\n\
         \x20 console.log(`null=${Number(o.a)},${+o.a},${isNaN(o.a)},${-o.a},${(() => { let x = o.a; x -= 1; return x; })()},${(() => { let x = o.a; x++; return x; })()},${(() => { let x = 2; x *= o.a; return x; })()};`);\n\
         \x20 console.log(`undef=${Number(o.b)},${+o.b},${isNaN(o.b)},${-o.b},${(() => { let x = o.b; x -= 1; return x; })()},${(() => { let x = o.b; x++; return x; })()},${(() => { let x = 2; x *= o.b; return x; })()};`);\n\
         \x20 console.log(`cmp=${o.a <= 0},${o.b <= 0},${o.a >= 0},${o.a < 1},${o.b < 1},${isFinite(o.a)},${isFinite(o.b)};`);\n\
         }\n",
    );
    for line in [
        "agree=1,NaN,0;",
        "arith=0,NaN,1,NaN,nullx,undefinedx;",
        "null=0,0,false,0,-1,1,0;",
        "undef=NaN,NaN,true,NaN,NaN,NaN,NaN;",
        "cmp=true,false,true,true,false,true,false;",
    ] {
        assert!(all.contains(line), "{line}: {all}");
    }
}

/// An error inside a helper the conversion added (`js_reduce`, `js_compare`, …) is reported at
/// the JavaScript line that called it, in the script's own function or an imported module's, as
/// k6 reports the call (it was the last line the file maps, past which the helpers are written).
#[test]
fn an_error_inside_a_conversion_helper_points_at_the_javascript_line_of_the_call() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "lib.js",
        "export function total(xs) {\n  return xs.reduce((a, b) => a + b);\n}\n\nexport function later() {\n  return 1;\n}\n",
    );
    let js = write(
        dir.path(),
        "t.js",
        "import { total } from './lib.js';\nexport const options = { iterations: 2 };\n\n\
         function atMost(o) {\n  return Object.keys(o.a);\n}\n\n\
         export default function () {\n  if (__ITER === 0) total([]);\n  atMost(JSON.parse('{\"a\": null}'));\n  console.log('never');\n}\n",
    );
    let (_, all) = run_js_file(&[], &js);
    let lib = dir.path().join("lib.js");
    let reduce = format!("TypeError: No initial value at {}:2:3 (in run → total → js_reduce)", lib.display());
    assert!(all.contains(&reduce), "{all}");
    let keys = format!("at {}:5:3 (in run → atMost → js_object_keys)", js.display());
    assert!(all.contains("TypeError: Cannot convert undefined or null to object") && all.contains(&keys), "{all}");
}

/// A callback of the main script that an imported module's function calls, and that fails: the
/// error is at the callback's line in the main script, as k6's stack trace starts there
/// (`main.js:7:13`, then `lib.js:4:14`); it was placed in the module's file at a line number of
/// the main script's.
#[test]
fn an_error_in_a_callback_a_module_calls_points_at_the_main_scripts_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "lib.js",
        "export function each(xs, cb) {\n  let out = 0;\n  for (const x of xs) {\n    out += cb(x);\n  }\n  return out;\n}\n",
    );
    let js = write(
        dir.path(),
        "main.js",
        "import { each } from './lib.js';\nexport const options = { iterations: 1 };\n\n\
         export default function () {\n  each([1, 2], (x) => {\n    if (x > 1) {\n      throw new Error('boom at ' + x);\n    }\n    return x;\n  });\n}\n",
    );
    let (_, all) = run_js_file(&[], &js);
    assert!(all.contains(&format!("boom at 2 at {}:7:", js.display())), "{all}");
    assert!(!all.contains("lib.js:"), "{all}");
}

#[test]
fn a_local_module_s_function_with_a_rest_parameter_runs_as_k6_runs_it() {
    // k6 v1.1.0 prints "a 2 1+2", "b 0 ", "c 3 3+4+5", "0 3", "d 1 6" and "e 2 7+8" for this
    // script.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "lib/util.js",
        "export function log(prefix, ...parts) { console.log(`${prefix} ${parts.length} ${parts.join('+')}`); }\n\
         export const count = (...xs) => xs.length;\n",
    );
    let js = write(
        dir.path(),
        "t.js",
        "import { log, count } from './lib/util.js';\nimport * as util from './lib/util.js';\n\
         export const options = { vus: 1, iterations: 1 };\n\
         export default function () { log('a', 1, 2); log('b'); util.log('c', 3, 4, 5); console.log(`${count()} ${count(1, 2, 3)}`); \
         log(...['d', 6]); util.log(...['e'], ...[7, 8]); }\n",
    );
    let (code, out) = run_js_file(&[], &js);
    assert_eq!(code, 0, "{out}");
    for line in ["a 2 1+2", "b 0 ", "c 3 3+4+5", "0 3", "d 1 6", "e 2 7+8"] {
        assert!(out.contains(line), "no `{line}` in\n{out}");
    }
}
