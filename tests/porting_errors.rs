//! Issue 14 items 3 and 6 through the binary: what a porter from k6 sees. JavaScript habits
//! fail `rload check` with a help line naming the rload form; calls to APIs rload does not
//! have are listed, every one with its place, before any VU runs; `shared_array` builds its
//! array once for every VU and refuses to be built outside init code.
mod common;
use common::*;

use std::process::Command;

fn check(s: &Script) -> Run {
    Run::from_output(Command::new(BIN).arg("check").arg(&s.path).output().expect("run rload check"))
}

#[test]
fn javascript_habits_fail_check_with_the_rload_form_as_help() {
    let cases = [
        ("import http from 'k6/http';\nfn run() {}\n", "help: k6's modules are built in: delete the import"),
        ("export default function () {\n}\n", "help: k6's default function is `fn run() { … }` in rload"),
        ("fn run() {\n    let r = http.get(\"http://127.0.0.1:1/\");\n    check(r, #{ ok: (r) => r.status == 200 });\n}\n", "`|r| r.status == 200`"),
        ("const BASE = __ENV.BASE || \"http://127.0.0.1:1\";\nfn run() {}\n", "use `??`"),
        ("const c = new Counter(\"c\");\nfn run() {}\n", "`Counter(\"c\")`"),
        ("fn run() {\n    let o = { a: 1 };\n}\n", "`#{ key: value }`"),
    ];
    for (text, help) in cases {
        let run = check(&script(text));
        assert_eq!(run.code, 107, "{text}\n{}", run.stderr);
        assert!(run.stderr.contains("syntax error"), "{text}\n{}", run.stderr);
        assert!(run.stderr.contains(help), "{text}: expected help {help:?}:\n{}", run.stderr);
    }
}

#[test]
fn every_call_to_an_api_rload_lacks_is_listed_before_the_run() {
    let s = script(
        "export const options = #{ iterations: 1 };\n\
         fn run() {\n\
         \x20   let body = JSON.stringify(#{ a: 1 });\n\
         \x20   let n = randomIntBetween(1, 5);\n\
         \x20   let values = crypto.getRandomValues([0, 0]);\n\
         \x20   let name = \"a-b\"; name = name.replace(\"-\", \"_\");\n\
         }\n",
    );
    let run = check(&s);
    assert_eq!(run.code, 107, "{}", run.stderr);
    let path = s.path.display().to_string();
    for expected in [
        format!("{path}:3:21: .stringify(…) is not a function rload has (JSON.stringify(x) is x.to_json() in rload)"),
        format!("{path}:4:13: randomIntBetween(…) is not a function rload has (use random_int(min, max))"),
        format!("{path}:5:25: .getRandomValues(…) is not a function rload has"),
        format!("{path}:6:35: replace(…) changes the value in place and returns ()"),
    ] {
        assert!(run.stderr.contains(&expected), "expected {expected:?} in:\n{}", run.stderr);
    }
    // `rload run` refuses the same script before any VU starts: no iteration, no summary.
    let ran = rload(&s, &[]);
    assert_eq!(ran.code, 107, "{}", ran.stderr);
    assert!(!ran.stdout.contains("iterations"), "{}", ran.stdout);
}

#[test]
fn a_shared_array_is_built_once_for_all_vus() {
    let s = script(
        "export const options = #{ vus: 4, iterations: 8 };\n\
         const data = shared_array(\"d\", || { print(\"building the array\"); [1, 2, 3] });\n\
         fn run() { if data.len() != 3 || data[2] != 3 { throw \"wrong array\"; } }\n",
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.matches("building the array").count(), 1, "{}", run.stdout);
    assert!(run.line("iterations").contains(" 8 "), "{}", run.stdout);
}

#[test]
fn a_shared_array_outside_init_code_or_written_to_is_an_error() {
    let s = script(
        "export const options = #{ iterations: 1 };\n\
         const data = shared_array(\"d\", || [1]);\n\
         fn run() { let d = data; d[0] = 2; }\n",
    );
    let run = rload(&s, &[]);
    assert!(run.stderr.contains("a shared array is read-only"), "{}", run.stderr);
    let s = script("export const options = #{ iterations: 1 };\nfn run() { let d = shared_array(\"d\", || [1]); }\n");
    let run = rload(&s, &[]);
    assert!(run.stderr.contains("shared_array() must be called in the init context"), "{}", run.stderr);
}

/// docs/k6-api.md's claims, checked against the engine: the calls it gives as rload's forms
/// pass `rload check`, and the k6 functions it lists as missing are each reported.
#[test]
fn the_k6_api_guide_says_what_rload_check_finds() {
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/k6-api.md")).unwrap();
    let present = script(
        "export const options = #{ iterations: 1 };\n\
         const c = Counter(\"cc\");\n\
         const users = shared_array(\"users\", || [1, 2]);\n\
         fn run() {\n\
         \x20   let r = http.get(\"http://127.0.0.1:1/\");\n\
         \x20   let e = encoding.b64encode(\"x\", \"rawurl\") + encoding.b64decode(\"eA\", \"rawurl\", \"s\");\n\
         \x20   let h = crypto.createHMAC(\"sha256\", \"k\"); h.update(\"x\");\n\
         \x20   let d = crypto.md5(\"x\", \"hex\") + crypto.sha512_224(\"x\", \"hex\") + crypto.md4(\"x\", \"hex\") + crypto.ripemd160(\"x\", \"hex\") + crypto.hmac(\"sha1\", \"k\", \"x\", \"base64\") + h.digest(\"hex\");\n\
         \x20   let b = crypto.randomBytes(4); let u = crypto.randomUUID();\n\
         \x20   let next = r.clickLink(#{ selector: \"a.next\" }); let sent = r.submitForm(#{ formSelector: \"form\", fields: #{ q: \"x\" } });\n\
         \x20   let fields = r.html(\"form\").serializeObject(); let query = r.html(\"form\").serialize(); let all = r.html(\"form\").serializeArray();\n\
         \x20   console.log(c.name, users.len(), users.length, users[0], exec.instance.vusActive);\n\
         \x20   console.info(1); console.warn(1, 2); console.error(1, 2, 3); console.debug(\"x\");\n\
         \x20   exec.vu.metrics.tags[\"stage\"] = \"1\";\n\
         \x20   let pr = http.asyncRequest(\"GET\", \"http://127.0.0.1:1/\"); let w = http.wait(pr); let ws = http.wait_all([pr, 1]);\n\
         \x20   let pc = pr.then(|r| r, |e| e).catch_error(|e| e).finally(|| 1); let pa = http.adopt(Promise.allSettled([pr, Promise.resolve(1), Promise.reject(2)]));\n\
         \x20   let pw = http.wait(Promise.any([Promise.race([pr]), Promise.all([pr])]));\n\
         \x20   let pf = http.wait_async(|| 1) + http.adopt_async(|| 2);\n\
         \x20   let j = #{ a: 1 }.to_json(); let p = parse_json(j); randomSeed(1); let t = timestamp_ms() + random_int(1, 2);\n\
         }\n",
    );
    let run = check(&present);
    assert_eq!(run.code, 0, "calls the guide gives as rload's forms were refused:\n{}", run.stderr);

    let missing = [("crypto.getRandomValues([])", "`crypto.getRandomValues`"), ("require(\"x\")", "`require(…)`")];
    for (call, row) in missing {
        let line = guide
            .lines()
            .find(|l| l.starts_with("| `") && l.split(" | ").next().is_some_and(|k6| k6.contains(row)))
            .unwrap_or_else(|| panic!("no row {row}"));
        assert!(line.contains("missing"), "the guide's row for {row} says: {line}");
        let s = script(&format!("fn run() {{ let r = (); {call}; }}\n"));
        let run = check(&s);
        assert_eq!(run.code, 107, "{call} passed rload check:\n{}", run.stderr);
        assert!(run.stderr.contains("is not a function rload has"), "{call}:\n{}", run.stderr);
    }
}
