//! Scenario 04 sizes its pairs of contending VUs from the plan the run executes
//! (`exec.test.options`, issue 12), not from the script's own `vus: 50`: at `-u 4` and at
//! `-u 60` every pair of VUs collides on its shared session (409s tagged with the pair's
//! number), and `setup()` creates and starts one session per pair and `teardown()` completes
//! each, so their request counts follow `-u`. `-u 1 -i 1` has no pair at all: one iteration's
//! 103 requests and nothing else.
//!
//! To see every one of 30 pairs collide within seconds on a busy machine: `CONTENTION_MS=40`
//! makes the pairs collide every 40 ms instead of every 1.5 s, and the target's round trips
//! are slower and more spread (10 ms ± 100%) than its calibrated defaults, so timer noise in
//! the load generator matters less and about a third of the collisions end in a 409 (the
//! calibrated target, like the real service, resolves about one in seven that way).

mod common;
use common::*;

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/04-high-frequency.rhai");

/// What one run's `--export-histograms` file says: 409s per pair, and requests per group.
struct Counts {
    conflicts_by_pair: BTreeMap<u64, f64>,
    requests_by_group: BTreeMap<String, f64>,
}

fn run(target: &Target, args: &[&str]) -> Counts {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("series.json");
    let out = Command::new(BIN)
        .args(["run", "-q", "--no-color", "--no-system-env-vars", "--no-summary"])
        .args(["-e", &format!("BASE_URL={}", target.url()), "-e", "CONTENTION_MS=40"])
        .args(args)
        .arg("--export-histograms")
        .arg(&export)
        .arg(SCRIPT)
        .output()
        .expect("run rload");
    let run = Run::from_output(out);
    // 99 is fine: the seed's thresholds are not this test's business (the short collision
    // period alone fails `http_req_failed rate<0.01`).
    assert!(run.code == 0 || run.code == 99, "exit {}: {}", run.code, run.stderr);
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&export).expect("the export")).unwrap();
    let series = |name: &str| -> Vec<(serde_json::Map<String, Value>, f64)> {
        json["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["name"] == name)
            .flat_map(|m| m["series"].as_array().unwrap().iter())
            .map(|s| (s["tags"].as_object().unwrap().clone(), s["sum"].as_str().unwrap().parse().unwrap()))
            .collect()
    };
    let mut counts = Counts { conflicts_by_pair: BTreeMap::new(), requests_by_group: BTreeMap::new() };
    for (tags, sum) in series("switch_conflicts") {
        let pair = tags["pair"].as_str().expect("a pair tag").parse().unwrap();
        *counts.conflicts_by_pair.entry(pair).or_default() += sum;
    }
    for (tags, sum) in series("http_reqs") {
        let group = tags.get("group").and_then(Value::as_str).unwrap_or("").to_owned();
        *counts.requests_by_group.entry(group).or_default() += sum;
    }
    counts
}

fn assert_every_pair_contends(vus: u64, counts: &Counts) {
    let pairs = vus / 2;
    let with_conflicts: Vec<u64> = counts.conflicts_by_pair.keys().copied().collect();
    assert_eq!(
        with_conflicts,
        (0..pairs).collect::<Vec<_>>(),
        "pairs with 409s at -u {vus}: {:?}",
        counts.conflicts_by_pair
    );
    let group = |name: &str| counts.requests_by_group.get(name).copied().unwrap_or(0.0);
    // One GET /health first (sk::require_target: one line when nothing listens), then a session
    // created and started per pair.
    assert_eq!(
        group("::setup"),
        1.0 + 2.0 * pairs as f64,
        "setup: the probe, then create and start one session per pair"
    );
    assert_eq!(group("::teardown"), pairs as f64, "teardown: complete each pair's session");
}

#[test]
fn every_pair_contends_and_setup_follows_the_vus_of_the_run() {
    let target = Target::start_app_with("synckairos", &["--redis-rtt-us", "10000", "--redis-jitter", "100"]);
    assert_every_pair_contends(4, &run(&target, &["-u", "4", "-d", "6s"]));
    assert_every_pair_contends(60, &run(&target, &["-u", "60", "-d", "12s"]));

    let single = run(&target, &["-u", "1", "-i", "1"]);
    assert!(single.conflicts_by_pair.is_empty());
    let total: f64 = single.requests_by_group.values().sum();
    assert_eq!(total, 104.0, "the setup probe, create, start, 100 switches, complete: {:?}", single.requests_by_group);
}
