//! The seed's six k6 scripts (tests/convert_seed/: scenarios, utils/, config/), run as they are
//! with `rload run script.js`, against `rload serve --app synckairos`, next to their hand ports in
//! scripts/ at the same plan: request counts and check results agree within 1% (issue #15).
//!
//! The seed has defects of its own (docs/porting.md, "Defects"), which the conversion keeps:
//! under the original files, scenarios 1–4 and 6 stop with k6's own error for a threshold on a
//! metric they never declare, and 5 with the one for a percentile on a Counter. To compare the
//! rest, the copy run here gets the documented fixes as JavaScript edits (`apply_fixes`); the
//! converter reports the seed's Node `crypto` import instead of hiding it.
mod common;
use common::*;

use std::path::Path;
use std::process::Command;

/// The fixes of docs/porting.md's defects 1, 2, 3 and 5, as the seed's JavaScript would carry them.
fn apply_fixes(dir: &Path) {
    let edit = |file: &str, from: &str, to: &str| {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} no longer contains {from:?}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    };
    // 5: the shared threshold set names a metric only scenario 5 declares.
    edit(
        "config/thresholds.js",
        "  'websocket_delivery_time': [\n    'p(95)<100', // 95% under 100ms (CRITICAL)\n  ],\n",
        "",
    );
    // 1: the service requires total_time_ms.
    edit(
        "utils/generators.js",
        "    time_per_cycle_ms: timePerParticipantMs,",
        "    time_per_cycle_ms: timePerParticipantMs,\n    total_time_ms: participantCount * timePerParticipantMs,",
    );
    // 2: the session id is under `data`, and only in a 200.
    edit(
        "utils/assertions.js",
        "      const body = JSON.parse(r.body);\n      return body.session_id !== undefined;",
        "      if (r.status !== 200) return false;\n      const body = JSON.parse(r.body);\n      return body.data.session_id !== undefined;",
    );
    // 3: a delivery time is a Trend; and the 60 s socket is scaled as the hand port scales it.
    edit(
        "scenarios/05-websocket-stress.js",
        "import { Counter } from 'k6/metrics';",
        "import { Trend } from 'k6/metrics';",
    );
    edit(
        "scenarios/05-websocket-stress.js",
        "new Counter('websocket_delivery_time')",
        "new Trend('websocket_delivery_time', true)",
    );
    edit("scenarios/05-websocket-stress.js", "    }, 60000);", "    }, Number(__ENV.SOCKET_MS || 60000));");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `rload run` of `script` with `args`, and its `--summary-export`.
fn run_export(script: &Path, args: &[&str], dir: &Path, tag: &str) -> (Run, serde_json::Value) {
    let export = dir.join(format!("{tag}-summary.json"));
    let out = Command::new(BIN)
        .arg("run")
        .arg(script)
        .args(args)
        .args(["--no-color", "--no-system-env-vars", "-q", "--summary-export"])
        .arg(&export)
        .output()
        .expect("run rload");
    let run = Run::from_output(out);
    let json = std::fs::read_to_string(&export)
        .unwrap_or_else(|_| panic!("{tag}: no summary export (exit {}):\n{}\n{}", run.code, run.stdout, run.stderr));
    (run, serde_json::from_str(&json).unwrap())
}

fn reqs(export: &serde_json::Value) -> f64 {
    export["metrics"]["http_reqs"]["count"].as_f64().unwrap_or(0.0)
}

fn within_1pct(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.01 * a.max(b).max(1.0)
}

/// Each seed scenario and its hand port: the plan both run at. 05's request count is how far
/// each socket's chain of switches gets before the socket closes (each message triggers the
/// next switch, up to 9): its sockets stay open 3 s (`SOCKET_MS` for the seed, `SCALE` for the
/// port), so the chain finishes even when the machine is busy; quiet, it takes well under
/// 1.2 s, but at 1.2 s one of the two runs of a loaded machine fell short (68 against 70).
const PAIRS: &[(&str, &str, &[&str])] = &[
    ("01-baseline", "01-baseline", &["-u", "2", "-i", "12", "-e", "SCALE=0.02"]),
    ("02-concurrent-sessions-1k", "02-concurrent-sessions-1k", &["-u", "5", "-i", "5", "-e", "SCALE=0.02"]),
    ("03-concurrent-sessions-10k", "03-concurrent-sessions-10k", &["-u", "6", "-i", "6", "-e", "SCALE=0.02"]),
    ("04-high-frequency-switching", "04-high-frequency", &["-u", "1", "-i", "2", "-e", "SCALE=0.02"]),
    ("05-websocket-stress", "05-websocket-stress", &["-u", "4", "-i", "8", "-e", "SCALE=0.05", "-e", "SOCKET_MS=3000"]),
    ("06-sustained-load", "06-sustained-load", &["-u", "3", "-i", "3", "-e", "SCALE=0.02"]),
];

#[test]
fn the_seeds_six_k6_scripts_run_as_javascript_like_their_hand_ports() {
    let target = Target::start_app("synckairos");
    let base = format!("BASE_URL={}", target.url());
    let ws = format!("WS_URL=ws://{}/ws", target.addr);
    let tmp = tempfile::tempdir().unwrap();
    let seed = tmp.path().join("seed");
    copy_dir(Path::new("tests/convert_seed"), &seed);
    apply_fixes(&seed);
    let handles: Vec<_> = PAIRS
        .iter()
        .map(|(js, rhai, plan)| {
            let (js_path, rhai_path) = (seed.join(format!("scenarios/{js}.js")), format!("scripts/{rhai}.rhai"));
            let mut args: Vec<String> = plan.iter().map(|s| s.to_string()).collect();
            args.extend(["-e", &base, "-e", &ws, "--no-thresholds"].map(String::from));
            let dir = tmp.path().to_path_buf();
            let name = js.to_string();
            std::thread::spawn(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let converted = run_export(&js_path, &args, &dir, &format!("{name}-js"));
                let hand = run_export(Path::new(&rhai_path), &args, &dir, &format!("{name}-rhai"));
                (name, converted, hand)
            })
        })
        .collect();
    for h in handles {
        let (name, (js_run, js), (hand_run, hand)) = h.join().unwrap();
        assert_eq!(js_run.code, 0, "{name}.js:\n{}\n{}", js_run.stdout, js_run.stderr);
        assert_eq!(hand_run.code, 0, "{name}.rhai:\n{}\n{}", hand_run.stdout, hand_run.stderr);
        assert!(
            js_run.stderr.contains("converted to Rhai in memory"),
            "{name}: no conversion notice:\n{}",
            js_run.stderr
        );
        assert!(
            js_run.stderr.contains("randomUUID"),
            "{name}: the seed's Node crypto import is not reported:\n{}",
            js_run.stderr
        );
        // The hand ports' setup() makes one GET /health first (sk::require_target); the seed has no setup.
        let (a, b) = (reqs(&js), reqs(&hand) - 1.0);
        assert!(
            a > 0.0 && within_1pct(a, b),
            "{name}: http_reqs {a} (JavaScript) vs {b} (hand port, without its /health)"
        );
        let checks = js["root_group"]["checks"].as_object().expect("checks of the converted run");
        assert!(!checks.is_empty() || name.starts_with("05"), "{name}: the converted run made no check");
        for (check, v) in checks {
            let h = &hand["root_group"]["checks"][check];
            let n = |x: &serde_json::Value, f: &str| x[f].as_f64().unwrap_or(-1.0);
            // A response-time check's verdict is the machine's load (twelve runs share two cores
            // here), not the script's: compare how often it ran.
            let fields: &[&str] = if check.contains("response time") { &[] } else { &["passes", "fails"] };
            for field in fields {
                let (x, y) = (n(v, field), n(h, field));
                assert!(within_1pct(x, y), "{name}: check {check:?} {field}: {x} (JavaScript) vs {y} (hand port)");
            }
            let (x, y) = (n(v, "passes") + n(v, "fails"), n(h, "passes") + n(h, "fails"));
            assert!(within_1pct(x, y), "{name}: check {check:?} ran {x} times (JavaScript) vs {y} (hand port)");
        }
    }
}
