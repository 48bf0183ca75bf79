//! Issue 16, item 4: a fleet run as k6-operator drives one, then `rload merge`.
//!
//! Replayed exactly (grafana/k6-operator: pkg/resources/jobs/initializer.go, runner.go,
//! pkg/segmentation/segmentation.go, pkg/resources/containers/curl_start.go): the initializer
//! runs `archive SCRIPT -O ARCHIVE ARGS` then `inspect --execution-requirements ARCHIVE`; each of
//! the 4 runners starts `run --quiet --execution-segment=… --execution-segment-sequence=…
//! ARGS ARCHIVE --address=… --paused --tag instance_id=N --tag testrun_name=…` (loopback and
//! free ports here, not 0.0.0.0:6565); the starter PATCHes `/v1/status` on every runner. The
//! runners' `ARGS` are the TestRun's `arguments`, the same for all: here the series export and a
//! `-o json` stream, whose raw samples give the reference percentiles.
mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rload::metrics::{MetricKind, SeriesSink};
use serde_json::Value;

const RUNNERS: usize = 4;
/// k6-operator's starter body (`types.StatusAPIRequest{Paused: false}`, Go field order).
const STARTER: &str = r#"{"data":{"attributes":{"paused":false,"stopped":false},"id":"default","type":"status"}}"#;

/// Two executors with exact plans: 40 shared iterations and 8 VUs × 3 iterations, one request
/// each. Every tenth shared iteration (by its number in the whole test) is a slow request counted
/// in `slow_requests`: 4 in the test, at most 2 in any quarter of it, so the fleet's budget
/// `count<3` holds on every instance alone and fails on the fleet. (A percentile or rate
/// threshold could not show this: the fleet's value lies between the instances' values.)
const SCRIPT: &str = r#"
export const options = #{
    scenarios: #{
        pool: #{ executor: "shared-iterations", vus: 4, iterations: 40, exec: "pool" },
        per_vu: #{ executor: "per-vu-iterations", vus: 8, iterations: 3, exec: "per_vu" },
    },
    thresholds: #{
        http_req_duration: ["p(95)<5000"],
        checks: ["rate==1"],
        slow_requests: ["count<3"],
    },
};
const SLOW = Counter("slow_requests");
fn pool() {
    if exec.scenario.iterationInTest % 10 == 9 {
        let r = http.get(`${__ENV.BASE_URL}/delay/20`);
        SLOW.add(1);
        check(r, #{ "status is 200": |r| r.status == 200 });
    } else {
        let r = http.get(`${__ENV.BASE_URL}/`);
        check(r, #{ "status is 200": |r| r.status == 200 });
    }
}
fn per_vu() {
    let r = http.get(`${__ENV.BASE_URL}/`);
    check(r, #{ "status is 200": |r| r.status == 200 });
    // 3 × 0.45 s: each instance runs past 1 s, when `vus_max` is first sampled (as in k6).
    sleep(0.45);
}
"#;
/// The plan of the whole test: 40 + 8 × 3 iterations, one request each.
const PLANNED_ITERATIONS: u64 = 40 + 8 * 3;

fn rload_in(dir: &Path, args: &[&str]) -> Run {
    Run::from_output(Command::new(BIN).current_dir(dir).args(args).output().unwrap())
}

fn finish(mut child: Child, limit: Duration) -> Run {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("a runner did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Run::from_output(child.wait_with_output().unwrap())
}

/// k6-operator's `--execution-segment=…` for runner `index` (1-based) of `total`.
fn segment_of(index: usize, total: usize) -> String {
    let point = |i: usize| match i {
        0 => "0".to_owned(),
        i if i == total => "1".to_owned(),
        i => format!("{i}/{total}"),
    };
    format!("{}:{}", point(index - 1), point(index))
}

/// A fleet's files: the archive, each runner's series export and JSON stream.
struct Fleet {
    dir: tempfile::TempDir,
    archive: PathBuf,
}

impl Fleet {
    fn export(&self, i: usize) -> String {
        self.dir.path().join(format!("r{i}.json")).to_string_lossy().into_owned()
    }
    fn stream(&self, i: usize) -> PathBuf {
        self.dir.path().join(format!("r{i}.ndjson"))
    }
    fn exports(&self) -> Vec<String> {
        (1..=RUNNERS).map(|i| self.export(i)).collect()
    }
}

/// The initializer's two commands; returns the fleet and `inspect`'s JSON.
fn initialize(target: &Target) -> (Fleet, Value) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fleet.rhai"), SCRIPT).unwrap();
    let archive = dir.path().join("fleet.rhai.archived.tar");
    let base_url = format!("BASE_URL={}", target.url());
    let made = rload_in(dir.path(), &["archive", "fleet.rhai", "-O", archive.to_str().unwrap(), "-e", &base_url]);
    assert_eq!(made.code, 0, "archive: {}\n{}", made.stdout, made.stderr);
    let inspected = rload_in(dir.path(), &["inspect", "--execution-requirements", archive.to_str().unwrap()]);
    assert_eq!(inspected.code, 0, "inspect: {}", inspected.stderr);
    let requirements: Value = serde_json::from_str(&inspected.stdout).unwrap();
    (Fleet { dir, archive }, requirements)
}

/// The runners, started paused, released by the starter, each to its end (bounded).
fn run_fleet(fleet: &Fleet) -> Vec<Run> {
    let sequence = format!(
        "--execution-segment-sequence={}",
        std::iter::once("0".to_owned())
            .chain((1..RUNNERS).map(|i| format!("{i}/{RUNNERS}")))
            .chain(std::iter::once("1".to_owned()))
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut runners = Vec::new();
    for index in 1..=RUNNERS {
        let address = free_address();
        let stream = format!("json={}", fleet.stream(index).display());
        let child = Command::new(BIN)
            .current_dir(fleet.dir.path())
            .args(["run", "--quiet", &format!("--execution-segment={}", segment_of(index, RUNNERS)), &sequence])
            .args(["--export-histograms", &fleet.export(index), "-o", &stream, "--no-color"])
            .arg(&fleet.archive)
            .arg(format!("--address={address}"))
            .arg("--paused")
            .args(["--tag", &format!("instance_id={index}"), "--tag", "testrun_name=fleet"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        runners.push((child, address));
    }
    // k6-operator starts the starter once every runner answers its readiness probe (GET
    // /v1/status); a runner started --paused waits there with its VUs initialised.
    for (_, address) in &runners {
        let mut last = None;
        let ready = eventually(Duration::from_secs(60), || {
            last = api_request(address, "GET", "/v1/status", "");
            last.as_ref().is_some_and(|(code, v)| *code == 200 && v["data"]["attributes"]["paused"] == true)
        });
        assert!(ready, "runner at {address} never paused before the run: {last:?}");
    }
    for (_, address) in &runners {
        let (code, body) = api_request(address, "PATCH", "/v1/status", STARTER).expect("the starter's PATCH");
        assert_eq!(code, 200, "{body}");
    }
    runners.into_iter().map(|(child, _)| finish(child, Duration::from_secs(120))).collect()
}

fn merge(args: &[&str]) -> Run {
    Run::from_output(Command::new(BIN).arg("merge").args(args).arg("--no-color").output().unwrap())
}

/// Every `http_req_duration` sample the runners streamed, in one trend sink (one histogram).
fn reference_durations(fleet: &Fleet) -> SeriesSink {
    let mut all = SeriesSink::new(MetricKind::Trend);
    for index in 1..=RUNNERS {
        let text = std::fs::read_to_string(fleet.stream(index)).unwrap();
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            if v["type"] == "Point" && v["metric"] == "http_req_duration" {
                all.add(v["data"]["value"].as_f64().unwrap(), 0);
            }
        }
    }
    all
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-9)
}

#[test]
fn a_k6_operator_fleet_of_four_paused_runners_merges_into_one_run_with_one_verdict() {
    let target = Target::start();
    let (fleet, requirements) = initialize(&target);
    assert_eq!(requirements["maxVUs"], 12, "4 shared + 8 per-VU: {requirements}");

    let runners = run_fleet(&fleet);
    for (i, run) in runners.iter().enumerate() {
        // Alone, each instance holds every threshold: at most 2 of the 4 slow requests are its.
        assert_eq!(run.code, 0, "runner {} passed its own thresholds:\n{}\n{}", i + 1, run.stdout, run.stderr);
    }

    let summary = fleet.dir.path().join("summary.json");
    let mut args: Vec<&str> = Vec::new();
    let exports = fleet.exports();
    // Given in any order.
    args.extend(exports.iter().rev().map(String::as_str));
    args.extend([
        "--summary-export",
        summary.to_str().unwrap(),
        "--summary-trend-stats",
        "avg,min,med,max,p(90),p(95),p(99)",
    ]);
    let merged = merge(&args);
    assert_eq!(merged.code, 99, "the fleet's 4 slow requests cross count<3:\n{}\n{}", merged.stdout, merged.stderr);
    assert!(merged.stdout.contains("✗ 'count<3' count=4"), "{}", merged.stdout);
    assert!(merged.stdout.contains("✓ 'rate==1' rate=100.00%"), "{}", merged.stdout);
    assert!(merged.stderr.contains("thresholds on metrics 'slow_requests' have been crossed"), "{}", merged.stderr);

    // Counts: the plan of one unsegmented run, and what one such run does.
    let export: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let count =
        |metric: &str| export["metrics"][metric]["count"].as_u64().unwrap_or_else(|| panic!("{metric}: {export}"));
    assert_eq!(count("iterations"), PLANNED_ITERATIONS);
    assert_eq!(count("http_reqs"), PLANNED_ITERATIONS);
    assert_eq!(count("slow_requests"), 4);
    assert_eq!(export["metrics"]["checks"]["passes"], PLANNED_ITERATIONS);
    assert_eq!(export["metrics"]["vus_max"]["value"], 12, "the fleet's VUs: {}", export["metrics"]["vus_max"]);
    // Per second of the longest instance's test.
    let longest = exports
        .iter()
        .map(|f| {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            v["run"]["test_duration_ns"].as_u64().unwrap()
        })
        .max()
        .unwrap();
    let rate = export["metrics"]["http_reqs"]["rate"].as_f64().unwrap();
    assert!(close(rate, PLANNED_ITERATIONS as f64 / (longest as f64 / 1e9)), "{rate} over {longest} ns");
    let whole =
        rload_in(fleet.dir.path(), &["run", "-q", "--no-color", fleet.archive.to_str().unwrap(), "--address", ""]);
    assert_eq!(whole.code, 99, "one unsegmented run fails count<3 too: {}", whole.stderr);
    for metric in ["iterations", "http_reqs"] {
        let line = whole.line(metric);
        assert!(line.contains(&format!(" {PLANNED_ITERATIONS} ")), "{line}");
        assert!(merged.line(metric).contains(&format!(" {PLANNED_ITERATIONS} ")), "{}", merged.line(metric));
    }
    for name in ["pool", "per_vu"] {
        assert!(merged.stdout.contains(&format!("█ SCENARIO: {name}")), "{}", merged.stdout);
    }

    // Percentiles: those of one histogram of every sample the runners streamed.
    let SeriesSink::Trend(all) = reference_durations(&fleet) else { unreachable!() };
    assert_eq!(all.count(), PLANNED_ITERATIONS);
    let d = &export["metrics"]["http_req_duration"];
    for (stat, q) in [("med", 0.5), ("p(90)", 0.9), ("p(95)", 0.95), ("p(99)", 0.99)] {
        let got = d[stat].as_f64().unwrap();
        assert!(close(got, all.percentile(q)), "{stat}: merged {got}, one histogram {}", all.percentile(q));
    }
    assert!(close(d["min"].as_f64().unwrap(), all.min()), "{d}");
    assert!(close(d["max"].as_f64().unwrap(), all.max()), "{d}");
    assert!(close(d["avg"].as_f64().unwrap(), all.avg()), "{d}");
    assert!(all.max() >= 20.0, "the slow requests are in: {}", all.max());
}

#[test]
fn merge_refuses_results_that_are_not_one_whole_test_naming_the_file() {
    let target = Target::start();
    let dir = tempfile::tempdir().unwrap();
    let base_url = format!("BASE_URL={}", target.url());
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    let one = "export const options = #{ vus: 2, iterations: 4, thresholds: #{ http_reqs: [\"count>0\"] } };\n\
               fn run() { http.get(`${__ENV.BASE_URL}/`); }\n";
    write("a.rhai", one);
    write("b.rhai", &one.replace("count>0", "count>1"));
    let run = |script: &str, segment: &str, out: &str| {
        let r = rload_in(
            dir.path(),
            &[
                "run",
                "-q",
                "--no-color",
                script,
                "-e",
                &base_url,
                "--execution-segment",
                segment,
                "--export-histograms",
                out,
            ],
        );
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    };
    run("a.rhai", "0:1/2", "a1.json");
    run("a.rhai", "1/2:1", "a2.json");
    run("b.rhai", "1/2:1", "b2.json");
    let at = |name: &str| dir.path().join(name).to_string_lossy().into_owned();

    let whole = merge(&[&at("a1.json"), &at("a2.json")]);
    assert_eq!(whole.code, 0, "{}\n{}", whole.stdout, whole.stderr);
    assert!(whole.line("http_reqs").contains(" 4 "), "{}", whole.line("http_reqs"));

    let other = merge(&[&at("a1.json"), &at("b2.json")]);
    assert_eq!(other.code, 104, "{}", other.stderr);
    assert!(other.stderr.contains(&format!("{}: results of another script", at("b2.json"))), "{}", other.stderr);
    assert!(other.stderr.contains(&format!("{}: thresholds", at("b2.json"))), "{}", other.stderr);

    let missing = merge(&[&at("a1.json")]);
    assert_eq!(missing.code, 104, "{}", missing.stderr);
    assert!(missing.stderr.contains("no result covers segment 1/2:1"), "{}", missing.stderr);

    let twice = merge(&[&at("a1.json"), &at("a2.json"), &at("a2.json")]);
    assert_eq!(twice.code, 104, "{}", twice.stderr);
    assert!(twice.stderr.contains("(segment 1/2:1) overlaps"), "{}", twice.stderr);

    let absent = merge(&[&at("a1.json"), &at("nope.json")]);
    assert_eq!(absent.code, 255, "{}", absent.stderr);
    assert!(absent.stderr.contains(&format!("cannot read {}", at("nope.json"))), "{}", absent.stderr);

    write("not.json", "{\"format\": \"k6\"}");
    let foreign = merge(&[&at("not.json")]);
    assert_eq!(foreign.code, 104, "{}", foreign.stderr);
    assert!(foreign.stderr.contains(&format!("{}: not an rload series export", at("not.json"))), "{}", foreign.stderr);
}

/// Sweep 30: an instance whose script called `exec.test.fail()` exited 110, but `rload merge`
/// could not see it and gave the fleet 0 or 99. The merged run exits 110 as one run does, with
/// k6's precedence over the thresholds' 99; a result written before the mark was exported (no
/// `marked_failed`) reads as not failed.
#[test]
fn merge_exits_110_when_an_instance_called_exec_test_fail_over_the_thresholds_99() {
    let dir = tempfile::tempdir().unwrap();
    // 2 iterations on each half: `count<3` holds on each instance and fails on the fleet.
    let script = "export const options = #{ vus: 2, iterations: 4, thresholds: #{ iterations: [\"count<3\"] } };\n\
                  fn run() {}\n\
                  fn teardown(data) { if __ENV.FAIL == \"1\" { exec.test.fail(\"half failed\"); } }\n";
    std::fs::write(dir.path().join("t.rhai"), script).unwrap();
    let run = |segment: &str, fail: &str, out: &str| {
        let args = ["run", "-q", "--no-color", "t.rhai", "-e", fail, "--execution-segment", segment];
        rload_in(dir.path(), &[&args[..], &["--export-histograms", out]].concat())
    };
    assert_eq!(run("0:1/2", "FAIL=1", "failed.json").code, 110);
    assert_eq!(run("0:1/2", "FAIL=0", "passed.json").code, 0);
    assert_eq!(run("1/2:1", "FAIL=0", "other.json").code, 0);
    let at = |name: &str| dir.path().join(name).to_string_lossy().into_owned();

    let marked = merge(&[&at("failed.json"), &at("other.json")]);
    assert_eq!(marked.code, 110, "{}\n{}", marked.stdout, marked.stderr);
    assert!(marked.stderr.contains("error: test run was marked as failed"), "{}", marked.stderr);
    assert!(
        marked.stderr.contains(&at("failed.json")) && !marked.stderr.contains(&at("other.json")),
        "{}",
        marked.stderr
    );
    assert!(marked.line("iterations").contains(" 4 "), "{}", marked.stdout);
    assert!(marked.stdout.contains("✗ 'count<3'"), "{}", marked.stdout);

    let unmarked = merge(&[&at("passed.json"), &at("other.json")]);
    assert_eq!(unmarked.code, 99, "{}\n{}", unmarked.stdout, unmarked.stderr);
    assert!(!unmarked.stderr.contains("marked as failed"), "{}", unmarked.stderr);

    // A file of an rload from before the field (and before `end`): not failed.
    let mut old: Value = serde_json::from_str(&std::fs::read_to_string(at("failed.json")).unwrap()).unwrap();
    assert_eq!(old["run"]["marked_failed"], true, "{}", old["run"]);
    old["run"].as_object_mut().unwrap().remove("marked_failed");
    old["run"].as_object_mut().unwrap().remove("end");
    std::fs::write(at("old.json"), old.to_string()).unwrap();
    let older = merge(&[&at("old.json"), &at("other.json")]);
    assert_eq!(older.code, 99, "{}\n{}", older.stdout, older.stderr);
}

/// Every way an instance of `ENDS` ends, by `-e MODE=…`: its thresholds are the same for all, and
/// `tripped` crosses its `abortOnFail` threshold only on the instance that counts it.
const ENDS: &str = r#"
const MODE = __ENV.MODE;
const LONG = MODE == "trip" || MODE == "signal" || MODE == "stop";
export const options = #{
    scenarios: #{ main: #{ executor: "per-vu-iterations", vus: 2, iterations: if LONG { 1000 } else { 2 }, maxDuration: "20s" } },
    teardownTimeout: if MODE == "late" { "200ms" } else { "10s" },
    thresholds: #{ tripped: [#{ threshold: "count<1", abortOnFail: true }] },
};
const TRIPPED = Counter("tripped");
fn setup() { if MODE == "throw" { throw "setup broke"; } }
fn run() {
    if MODE == "abort" { exec.test.abort("backend down"); }
    if MODE == "trip" { TRIPPED.add(1); }
    if LONG { print("running"); }
    sleep(0.05);
}
fn teardown(data) { if MODE == "late" { sleep(2); } }
"#;

/// Sweep 31: `rload merge` carried only `exec.test.fail()`'s 110 of the ways an instance can
/// end, and gave a fleet with an aborted, interrupted or stopped instance 0 or 99. Each
/// instance's export now carries its end (code and the line it printed); the merge exits with
/// the code one run would give, by k6's precedence among them, and names the files that ended
/// so. A file of an rload before the field reads as an instance that ran to its end.
#[test]
fn merge_exits_with_the_code_of_an_instance_that_ended_early_in_k6s_precedence() {
    let s = script(ENDS);
    let at = |name: &str| s.dir.path().join(name).to_string_lossy().into_owned();
    // `MODE` on `segment`, its export in `MODE-HALF.json`.
    let instance = |mode: &str, segment: &str| {
        let half = if segment == "0:1/2" { "first" } else { "second" };
        let mut cmd = Command::new(BIN);
        cmd.args(["run", "-q", "--no-color", "-e", &format!("MODE={mode}"), "--execution-segment", segment])
            .args(["--export-histograms", &at(&format!("{mode}-{half}.json"))])
            .arg(&s.path)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    };
    let ended = |mode: &str, segment: &str| finish(instance(mode, segment).spawn().unwrap(), Duration::from_secs(30));
    let first = ["abort", "trip", "ok"].map(|mode| ended(mode, "0:1/2").code);
    assert_eq!(first, [108, 99, 0]);
    let second = ["throw", "late", "ok"].map(|mode| ended(mode, "1/2:1").code);
    assert_eq!(second, [107, 101, 0]);
    let signal_args = ["-q", "-e", "MODE=signal", "--execution-segment", "0:1/2"];
    let export = at("signal-first.json");
    let signalled = signalled_run(
        &s,
        &[&signal_args[..], &["--export-histograms", &export]].concat(),
        "running",
        None,
        Duration::from_secs(20),
    );
    assert_eq!(signalled.code, 105, "{}", signalled.stderr);
    let address = free_address();
    let child = instance("stop", "1/2:1").args(["--address", &address]).spawn().unwrap();
    let stopper = r#"{"data":{"attributes":{"stopped":true},"id":"default","type":"status"}}"#;
    let stop_sent = eventually(Duration::from_secs(20), || {
        api_request(&address, "PATCH", "/v1/status", stopper).is_some_and(|(code, _)| code == 200)
    });
    let stopped = finish(child, Duration::from_secs(20));
    assert!(stop_sent, "{}", stopped.stderr);
    assert_eq!(stopped.code, 103, "{}", stopped.stderr);

    let file = |name: &str| at(&format!("{name}.json"));
    let merged = |a: &str, b: &str| merge(&[&file(a), &file(b)]);
    // The end's line as its instance printed it, and only the files that ended so.
    let names =
        |run: &Run, ended: &str, not: &str| run.stderr.contains(&file(ended)) && !run.stderr.contains(&file(not));
    // exec.test.abort() (108) wins over setup()'s failure (107).
    let aborted = merged("abort-first", "throw-second");
    assert_eq!(aborted.code, 108, "{}\n{}", aborted.stdout, aborted.stderr);
    assert!(aborted.stderr.contains("test aborted: backend down"), "{}", aborted.stderr);
    assert!(names(&aborted, "abort-first", "throw-second"), "{}", aborted.stderr);
    // An abortOnFail threshold (99) wins over the REST API's stop (103).
    let tripped = merged("trip-first", "stop-second");
    assert_eq!(tripped.code, 99, "{}\n{}", tripped.stdout, tripped.stderr);
    assert!(tripped.stderr.contains("thresholds on metrics 'tripped' were crossed"), "{}", tripped.stderr);
    assert!(names(&tripped, "trip-first", "stop-second"), "{}", tripped.stderr);
    // The REST API's stop (103) wins over a signal (105) ...
    let stop = merged("signal-first", "stop-second");
    assert_eq!(stop.code, 103, "{}\n{}", stop.stdout, stop.stderr);
    assert!(stop.stderr.contains("error: test run stopped from REST API"), "{}", stop.stderr);
    // ... a signal over a teardown past its timeout (101) ...
    let signal = merged("signal-first", "late-second");
    assert_eq!(signal.code, 105, "{}\n{}", signal.stdout, signal.stderr);
    assert!(names(&signal, "signal-first", "late-second"), "{}", signal.stderr);
    // ... which decides beside an instance that ran to its end, as setup()'s failure does.
    let late = merged("ok-first", "late-second");
    assert_eq!(late.code, 101, "{}\n{}", late.stdout, late.stderr);
    assert!(late.stderr.contains("error: teardown() did not finish within teardownTimeout"), "{}", late.stderr);
    assert_eq!(merged("ok-first", "throw-second").code, 107);
    assert_eq!(merged("ok-first", "ok-second").code, 0);

    // A file of an rload from before the field: its instance ran to its end.
    let mut old: Value = serde_json::from_str(&std::fs::read_to_string(file("abort-first")).unwrap()).unwrap();
    assert_eq!(old["run"]["end"]["code"], 108, "{}", old["run"]);
    old["run"].as_object_mut().unwrap().remove("end");
    std::fs::write(file("old"), old.to_string()).unwrap();
    let older = merged("old", "ok-second");
    assert_eq!(older.code, 0, "{}\n{}", older.stdout, older.stderr);
}
