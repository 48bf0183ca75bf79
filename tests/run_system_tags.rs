//! k6's `--system-tags` / `systemTags` / `K6_SYSTEM_TAGS`: samples carry only the built-in tags
//! listed (the script's own tags always), as the `-o json` stream and the summary show.
mod common;
use common::*;
use std::collections::BTreeSet;
use std::process::Command;

/// A request with a script tag and a check, in a group.
const SCRIPT: &str = r#"
    fn run() {
        group("g", || {
            let r = http.get(`${__ENV.BASE_URL}/status/404`, #{ tags: #{ team: "a" } });
            check(r, #{ "is 404": |r| r.status == 404 });
        });
    }
"#;

/// The tag keys of every `http_reqs` point and of every point, from the NDJSON at `path`.
fn tag_keys(path: &std::path::Path, metric: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let (mut of_metric, mut all) = (BTreeSet::new(), BTreeSet::new());
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["type"] != "Point" {
            continue;
        }
        let keys: Vec<String> = v["data"]["tags"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        if v["metric"] == metric {
            of_metric.extend(keys.iter().cloned());
        }
        all.extend(keys);
    }
    (of_metric, all)
}

fn set(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|k| k.to_string()).collect()
}

fn run_with(target: &Target, extra: &[&str], env: &[(&str, &str)]) -> (Run, tempfile::TempDir) {
    let s = script(SCRIPT);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let mut cmd = Command::new(BIN);
    cmd.arg("run").arg(&s.path).args(["-i", "2", "--no-color", "--no-system-env-vars"]);
    cmd.args(["-e", &format!("BASE_URL={}", target.url()), "-o", &format!("json={}", out.display())]);
    cmd.args(extra).envs(env.iter().copied());
    (Run::from_output(cmd.output().unwrap()), dir)
}

#[test]
fn with_system_tags_status_samples_carry_only_status_and_the_scripts_tags() {
    let target = Target::start();
    let (run, dir) = run_with(&target, &["--system-tags", "status"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (reqs, all) = tag_keys(&dir.path().join("out.json"), "http_reqs");
    assert_eq!(reqs, set(&["status", "team"]));
    assert!(all.is_subset(&set(&["status", "team"])), "{all:?}");
    // As in k6, the summary reads the same tags: no check or group breakdown without them.
    assert!(!run.stdout.contains("is 404"), "{}", run.stdout);
    assert!(run.line("http_reqs").contains(" 2 "), "{}", run.line("http_reqs"));
}

#[test]
fn by_default_samples_carry_k6s_default_tags_and_no_vu_iter_or_ip() {
    let target = Target::start();
    let (run, dir) = run_with(&target, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (reqs, all) = tag_keys(&dir.path().join("out.json"), "http_reqs");
    for key in ["method", "url", "name", "status", "proto", "group", "scenario", "expected_response", "error_code"] {
        assert!(reqs.contains(key), "{key} missing: {reqs:?}");
    }
    for key in ["vu", "iter", "ip"] {
        assert!(!all.contains(key), "{key} is not a default system tag: {all:?}");
    }
    assert!(run.stdout.contains("is 404"), "{}", run.stdout);
}

#[test]
fn vu_iter_and_ip_are_attached_when_listed_in_the_variable() {
    let target = Target::start();
    let (run, dir) = run_with(&target, &[], &[("K6_SYSTEM_TAGS", "vu,iter,ip,check")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(dir.path().join("out.json")).unwrap();
    let reqs: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "Point" && v["metric"] == "http_reqs")
        .collect();
    let iters: BTreeSet<&str> = reqs.iter().map(|p| p["data"]["tags"]["iter"].as_str().unwrap()).collect();
    assert_eq!(iters, BTreeSet::from(["0", "1"]), "each iteration's number");
    for p in &reqs {
        let tags = &p["data"]["tags"];
        assert_eq!((tags["vu"].as_str(), tags["ip"].as_str()), (Some("1"), Some("127.0.0.1")), "{tags}");
        assert!(tags.get("url").is_none(), "{tags}");
    }
    assert!(run.stdout.contains("is 404"), "check is listed: {}", run.stdout);
}

#[test]
fn a_threshold_on_a_tag_left_out_sees_no_samples_and_says_why() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ systemTags: ["method"], thresholds: #{ "http_req_duration{status:404}": ["p(95)<5000"] } };
        fn run() { http.get(`${__ENV.BASE_URL}/status/404`); }
    "#,
    );
    let base = format!("BASE_URL={}", target.url());
    let run = rload(&s, &["-i", "1", "-e", &base]);
    assert_eq!(run.code, 0, "passes as in k6: {}", run.stderr);
    assert!(run.stdout.contains("no samples"), "{}", run.stdout);
    assert!(run.stderr.contains("filters on the tag \"status\", which systemTags leaves out"), "{}", run.stderr);
    let run = rload(&s, &["-i", "1", "-e", &base, "--strict-thresholds"]);
    assert_eq!(run.code, 99, "{}", run.stdout);
}

/// k6 sends `iterations` and `iteration_duration` with the VU's tags as they are at the
/// iteration's end, those the script set on `exec.vu.metrics.tags` during it too (sweep C's
/// `r1_iter_tags.js`: `iteration_duration{phase:p1}` matched no sample).
#[test]
fn iteration_samples_carry_the_vu_tags_the_iteration_set() {
    let s = script(
        r#"
        export const options = #{
            iterations: 2, vus: 1,
            thresholds: #{ "iterations{phase:p1}": ["count==1"], "iteration_duration{phase:p1}": ["max>=0"] },
        };
        fn run() {
            exec.vu.metrics.tags["phase"] = `p${__ITER}`;
            if __ITER == 1 { group("g", || { exec.vu.tags["late"] = "yes"; }); }
        }
    "#,
    );
    let out = s.dir.path().join("out.json");
    let run = rload(&s, &["-o", &format!("json={}", out.display())]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    let mut seen = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["type"] == "Point" && (v["metric"] == "iterations" || v["metric"] == "iteration_duration") {
            let tag = |k: &str| v["data"]["tags"][k].as_str().unwrap_or("-").to_owned();
            seen.push((v["metric"].as_str().unwrap().to_owned(), tag("phase"), tag("late"), tag("group")));
        }
    }
    seen.sort();
    let point = |m: &str, phase: &str, late: &str| (m.to_owned(), phase.to_owned(), late.to_owned(), String::new());
    let expected = vec![
        point("iteration_duration", "p0", "-"),
        point("iteration_duration", "p1", "yes"),
        point("iterations", "p0", "-"),
        point("iterations", "p1", "yes"),
    ];
    assert_eq!(seen, expected);
    assert!(run.stdout.contains("✓ 'count==1' count=1"), "{}", run.stdout);
}

/// k6 tags a WebSocket session's samples with `subproto`, the subprotocol the server chose
/// ("" when none), as soon as the server answered the upgrade, with k6/ws and k6/websockets
/// alike; a dial that got no answer has neither `status` nor `subproto` (k6 v1.1's -o json
/// for sweep C's `t20.js` and `r11_ws_subproto.js`).
#[test]
fn websocket_samples_carry_the_subprotocol_the_server_chose() {
    let target = Target::start();
    let refused = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let s = script(
        r#"
        fn run() {
            let ws_url = `ws://${__ENV.TARGET}`;
            ws.connect(`${ws_url}/ws/echo`, #{ tags: #{ k: "chosen" }, headers: #{ "Sec-WebSocket-Protocol": "nope, echo" } }, |socket| {
                socket.on("open", || { socket.send("a"); socket.ping(); });
                socket.on("pong", || socket.close());
            });
            ws.connect(`${ws_url}/status/404`, #{ tags: #{ k: "404" } }, |socket| {});
            try { ws.connect(`ws://${__ENV.REFUSED}/`, #{ tags: #{ k: "refused" } }, |socket| {}); } catch {}
            let plain = WebSocket(`${ws_url}/ws/echo`, (), #{ tags: #{ k: "none" } });
            plain.onopen = || { plain.send("a"); plain.ping(); };
            plain.onpong = || plain.close();
        }
    "#,
    );
    let out = s.dir.path().join("out.json");
    let env = [format!("TARGET={}", target.addr), format!("REFUSED={refused}")];
    let run = rload(&s, &["-i", "1", "-e", &env[0], "-e", &env[1], "-o", &format!("json={}", out.display())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    // (k tag, metric) -> the subproto tag of its points.
    let mut seen = std::collections::BTreeMap::new();
    for v in text.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()) {
        let metric = v["metric"].as_str().unwrap_or_default();
        if v["type"] != "Point" || !metric.starts_with("ws_") {
            continue;
        }
        let tags = &v["data"]["tags"];
        let key = (tags["k"].as_str().unwrap().to_owned(), metric.to_owned());
        seen.insert(key, tags.get("subproto").and_then(|p| p.as_str()).map(str::to_owned));
    }
    let session =
        ["ws_connecting", "ws_msgs_received", "ws_msgs_sent", "ws_ping", "ws_session_duration", "ws_sessions"];
    let mut expected = std::collections::BTreeMap::new();
    for (k, subproto) in [("chosen", "echo"), ("none", "")] {
        for metric in session {
            expected.insert((k.to_owned(), metric.to_owned()), Some(subproto.to_owned()));
        }
    }
    for metric in ["ws_connecting", "ws_session_duration", "ws_sessions"] {
        expected.insert(("404".to_owned(), metric.to_owned()), Some(String::new()));
        expected.insert(("refused".to_owned(), metric.to_owned()), None);
    }
    assert_eq!(seen, expected);
}
