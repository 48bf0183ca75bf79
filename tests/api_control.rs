//! Issue 16, item 2: k6's control surface. A run started `--paused` with `--address` on
//! loopback, driven with the exact requests k6-operator's starter, stopper and PLZ set-up make
//! (pkg/resources/containers/curl_start.go, curl_stop.go, pkg/testrun/k6client.go) and with
//! rload's own `status | pause | resume | scale | stats`, every wait bounded.
mod common;
use common::*;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// k6-operator's starter body (`types.StatusAPIRequest{Paused: false}`, Go field order).
const STARTER: &str = r#"{"data":{"attributes":{"paused":false,"stopped":false},"id":"default","type":"status"}}"#;
/// k6-operator's stopper body.
const STOPPER: &str = r#"{"data":{"attributes":{"paused":false,"stopped":true},"id":"default","type":"status"}}"#;

fn status(address: &str) -> Option<serde_json::Value> {
    api_request(address, "GET", "/v1/status", "").map(|(_, v)| v["data"]["attributes"].clone())
}

/// `rload run SCRIPT --paused --address ADDR ARGS…` in the background.
fn paused_run(script: &Script, address: &str, args: &[&str]) -> Child {
    Command::new(BIN)
        .arg("run")
        .arg(&script.path)
        .args(["--paused", "--address", address, "--no-color", "--no-system-env-vars"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits (bounded) until the runner is what k6-operator's readiness check wants: initialised
/// and paused before the run (k6's ExecutionStatusPausedBeforeRun, 4).
fn wait_ready(address: &str) -> serde_json::Value {
    let mut last = None;
    let ready = eventually(Duration::from_secs(60), || {
        last = status(address);
        last.as_ref().is_some_and(|s| s["status"] == 4)
    });
    assert!(ready, "never paused before the run: {last:?}");
    last.unwrap()
}

fn finish(mut child: Child, limit: Duration) -> Run {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("the run did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Run::from_output(child.wait_with_output().unwrap())
}

fn rload_cmd(args: &[&str]) -> Run {
    Run::from_output(Command::new(BIN).args(args).output().unwrap())
}

#[test]
fn a_paused_run_initialises_its_vus_and_starts_only_on_the_k6_operator_starter_patch() {
    let s = script(
        "export const options = #{ vus: 3, iterations: 6 };\n\
         fn setup() { #{ token: \"t-1\" } }\n\
         fn run(data) { if data.token != \"t-1\" { throw \"wrong setup data\"; } }\n",
    );
    let address = free_address();
    let child = paused_run(&s, &address, &[]);
    let ready = wait_ready(&address);
    assert_eq!(ready["paused"], true, "{ready}");
    assert_eq!(ready["running"], false, "{ready}");
    assert_eq!(ready["stopped"], false, "{ready}");
    assert_eq!(ready["vus-max"], 3, "every VU is initialised before the start: {ready}");
    assert_eq!(ready["vus"], 0, "{ready}");

    std::thread::sleep(Duration::from_millis(700));
    let (_, metrics) = api_request(&address, "GET", "/v1/metrics", "").unwrap();
    let names: Vec<&str> = metrics["data"].as_array().unwrap().iter().filter_map(|m| m["id"].as_str()).collect();
    assert!(!names.contains(&"iterations"), "no iteration before the starter's PATCH: {names:?}");

    let (code, answer) = api_request(&address, "PATCH", "/v1/status", STARTER).unwrap();
    assert_eq!(code, 200, "{answer}");
    assert_eq!(answer["data"]["type"], "status");
    assert_eq!(answer["data"]["attributes"]["paused"], false, "{answer}");

    let run = finish(child, Duration::from_secs(60));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("iterations").contains(" 6 "), "{}", run.line("iterations"));
    assert!(!run.stderr.contains("wrong setup data"), "setup() ran after the resume: {}", run.stderr);
}

#[test]
fn the_plz_setup_and_teardown_routes_and_the_stopper_work_as_k6_operator_calls_them() {
    let s = script(
        "export const options = #{ vus: 1, duration: \"30s\" };\n\
         fn setup() { #{ token: \"from-setup\" } }\n\
         fn run(data) { sleep(0.05); }\n\
         fn teardown(data) { if data.token != \"from-put\" { throw \"teardown got \" + data.token; } }\n",
    );
    let address = free_address();
    let child = paused_run(&s, &address, &[]);
    wait_ready(&address);

    // RunSetup: POST /v1/setup on the first runner, data in the JSON:API envelope.
    let (code, setup) = api_request(&address, "POST", "/v1/setup", "").unwrap();
    assert_eq!(code, 200, "{setup}");
    assert_eq!(setup["data"]["type"], "setupData");
    assert_eq!(setup["data"]["attributes"]["data"]["token"], "from-setup", "{setup}");

    // SetSetupData: PUT /v1/setup with the raw data (no envelope) on every runner.
    let (code, put) = api_request(&address, "PUT", "/v1/setup", r#"{"token":"from-put"}"#).unwrap();
    assert_eq!(code, 200, "{put}");
    let (_, got) = api_request(&address, "GET", "/v1/setup", "").unwrap();
    assert_eq!(got["data"]["attributes"]["data"]["token"], "from-put", "{got}");

    // RunTeardown: POST /v1/teardown; teardown() sees the data PUT set, or it throws (500).
    let (code, teardown) = api_request(&address, "POST", "/v1/teardown", "").unwrap();
    assert_eq!(code, 200, "teardown(data) got the PUT data: {teardown}");

    // k6 v1.1 refuses live VU changes and a second pause, with its error documents.
    let (code, scaled) = api_request(&address, "PATCH", "/v1/status", r#"{"data":{"attributes":{"vus":5}}}"#).unwrap();
    assert_eq!(code, 500, "{scaled}");
    assert_eq!(scaled["errors"][0]["detail"], "live VU configuration updates are not supported", "{scaled}");
    let paused = rload_cmd(&["pause", "--address", &address]);
    assert_eq!(paused.code, 255, "{}", paused.stdout);
    assert!(paused.stderr.contains("Pause error: execution is already paused"), "{}", paused.stderr);

    // The stopper: the run ends with k6's exit code 103, its summary printed.
    let (code, stopped) = api_request(&address, "PATCH", "/v1/status", STOPPER).unwrap();
    assert_eq!(code, 200, "{stopped}");
    assert_eq!(stopped["data"]["attributes"]["stopped"], true, "{stopped}");
    let run = finish(child, Duration::from_secs(60));
    assert_eq!(run.code, 103, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("test run stopped from REST API"), "{}", run.stderr);
}

#[test]
fn status_resume_and_stats_commands_drive_a_run_over_its_address() {
    let s = script(
        "export const options = #{ vus: 2, duration: \"2s\" };\n\
         fn run() { group(\"g\", || { check(1, #{ \"one\": |v| v == 1 }); }); sleep(0.05); }\n",
    );
    let address = free_address();
    let child = paused_run(&s, &address, &[]);
    wait_ready(&address);

    let st = rload_cmd(&["status", "--address", &address]);
    assert_eq!(st.code, 0, "{}", st.stderr);
    assert!(st.stdout.starts_with("status: 4\npaused: \"true\"\nvus: \"0\"\nvus-max: \"2\"\n"), "{}", st.stdout);

    let resumed = rload_cmd(&["resume", "--address", &address]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert!(resumed.stdout.contains("paused: \"false\""), "{}", resumed.stdout);

    let mut stats = String::new();
    let seen = eventually(Duration::from_secs(10), || {
        stats = rload_cmd(&["stats", "--address", &address]).stdout;
        stats.contains("- name: checks")
    });
    assert!(seen, "{stats}");
    assert!(stats.contains("- name: iterations\n  type: counter\n  contains: default\n"), "{stats}");
    let (_, groups) = api_request(&address, "GET", "/v1/groups", "").unwrap();
    let g = groups["data"].as_array().unwrap().iter().find(|g| g["attributes"]["name"] == "g").cloned();
    let g = g.unwrap_or_else(|| panic!("{groups}"));
    assert_eq!(g["attributes"]["path"], "::g");
    assert_eq!(g["attributes"]["checks"][0]["path"], "::g::one", "{g}");
    assert_eq!(g["relationships"]["parent"]["data"]["id"], "d41d8cd98f00b204e9800998ecf8427e", "{g}");

    let run = finish(child, Duration::from_secs(60));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let after = rload_cmd(&["status", "--address", &address]);
    assert_eq!(after.code, 255, "nothing listens once the run is over: {}", after.stdout);
}

#[test]
fn a_busy_address_given_with_address_fails_the_run_with_k6s_code_106() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = busy.local_addr().unwrap().to_string();
    let s = script("export const options = #{ iterations: 1 };\nfn run() {}\n");
    let run = rload(&s, &["--address", &address]);
    assert_eq!(run.code, 106, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("cannot start the REST API"), "{}", run.stderr);
}

#[test]
fn k6_paused_and_the_paused_option_pause_a_run_as_the_flag_does() {
    // k6's `paused` is an option like any other: `K6_PAUSED=true`, or `paused: true` in the
    // script, holds the run as `--paused` does; the stopper then ends it (k6's exit code 103).
    for (options, env) in [("iterations: 1", Some("true")), ("iterations: 1, paused: true", None)] {
        let s = script(&format!("export const options = #{{ {options} }};\nfn run() {{}}\n"));
        let address = free_address();
        let mut cmd = Command::new(BIN);
        cmd.arg("run").arg(&s.path).args(["--address", &address, "--no-color", "--no-system-env-vars"]);
        if let Some(value) = env {
            cmd.env("K6_PAUSED", value);
        }
        let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let ready = wait_ready(&address);
        assert_eq!(ready["paused"], true, "{options}: {ready}");
        let (code, answer) = api_request(&address, "PATCH", "/v1/status", STOPPER).unwrap();
        assert_eq!(code, 200, "{answer}");
        let run = finish(child, Duration::from_secs(60));
        assert_eq!(run.code, 103, "{options}: {}\n{}", run.stdout, run.stderr);
        assert!(!run.stdout.contains("iterations....."), "{options}: no iteration ran: {}", run.stdout);
    }
}

/// k6 evaluates thresholds every 2 s during the test: its status, and the metric whose
/// threshold fails, are `tainted` from then on, so a poller learns the test is failing.
#[test]
fn a_failing_threshold_taints_the_status_and_its_metric_while_the_test_runs() {
    let s = script(
        "export const options = #{ vus: 1, duration: \"5s\", thresholds: #{ iterations: [\"count<1\"] } };\n\
         fn run() { sleep(0.1); }\n",
    );
    let address = free_address();
    let child = Command::new(BIN)
        .arg("run")
        .arg(&s.path)
        .args(["--address", &address, "--no-color", "--no-system-env-vars"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut last = None;
    let tainted = eventually(Duration::from_secs(20), || {
        last = status(&address);
        last.as_ref().is_some_and(|s| s["tainted"] == true && s["running"] == true)
    });
    assert!(tainted, "never tainted while running: {last:?}");
    let tainted_of = |id: &str| {
        let (_, m) = api_request(&address, "GET", &format!("/v1/metrics/{id}"), "").unwrap();
        m["data"]["attributes"]["tainted"].clone()
    };
    assert_eq!(tainted_of("iterations"), true);
    // k6 v1.1: a metric without thresholds is neither tainted nor clean.
    assert_eq!(tainted_of("iteration_duration"), serde_json::Value::Null);
    let run = finish(child, Duration::from_secs(60));
    assert_eq!(run.code, 99, "{}\n{}", run.stdout, run.stderr);
}

/// A paused run whose setup() fails once released ends as an unpaused one: the summary of what
/// setup() did, no test, no teardown, exit 107 (it returned before its summary).
#[test]
fn a_paused_run_whose_setup_fails_after_the_start_still_prints_its_summary() {
    let s = script(
        "export const options = #{ vus: 2, iterations: 4 };\n\
         fn setup() { check(1, #{ \"setup started\": |x| true }); throw \"no session\"; }\n\
         fn run() { print(\"iterated\"); }\n\
         fn teardown(data) { print(\"teardown ran\"); }\n",
    );
    let address = free_address();
    let child = paused_run(&s, &address, &[]);
    wait_ready(&address);
    let (code, answer) = api_request(&address, "PATCH", "/v1/status", STARTER).unwrap();
    assert_eq!(code, 200, "{answer}");
    let run = finish(child, Duration::from_secs(60));
    assert_eq!(run.code, 107, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("setup() failed: no session"), "{}", run.stderr);
    assert!(run.stdout.contains("✓ setup started"), "no summary:\n{}", run.stdout);
    assert!(!run.stdout.contains("iterated") && !run.stdout.contains("teardown ran"), "{}", run.stdout);
}

/// The body of one `GET` to the REST API, as sent.
fn api_text(address: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(address).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    text.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default()
}

/// The sweep's repro (G2 item 5): `GET /v1/setup` wrote `setup()`'s whole floats as `1.0` and
/// its envelope's fields sorted; k6 v1.1.0 writes JSON as Go does: `1`, `-0`, `1e+21`, `1e-7`,
/// and `type`, `id`, `attributes` in that order.
#[test]
fn setup_data_is_written_with_gos_numbers_as_k6_writes_it() {
    let s = script(
        "export const options = #{ iterations: 1 };\n\
         fn setup() { #{ a: 1.0, b: 2.5, c: 1e21, d: [1, 2.0, -0.0], f: 0.000001, g: 1e-7 } }\n\
         fn run(data) {}\n",
    );
    let address = free_address();
    let child = paused_run(&s, &address, &[]);
    wait_ready(&address);
    let (code, _) = api_request(&address, "POST", "/v1/setup", "").unwrap();
    let setup = api_text(&address, "/v1/setup");
    api_request(&address, "PATCH", "/v1/status", STOPPER).unwrap();
    let run = finish(child, Duration::from_secs(60));
    assert_eq!(run.code, 103, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(code, 200);
    assert_eq!(
        setup,
        r#"{"data":{"type":"setupData","id":"default","attributes":{"data":{"a":1,"b":2.5,"c":1e+21,"d":[1,2,-0],"f":0.000001,"g":1e-7}}}}"#
    );
}

/// k6 samples `vus` and `vus_max` once a second from the start of its run, a pause included:
/// `GET /v1/metrics` of a paused k6 v1.1.0 run lists `vus` 0 and `vus_max` (rload listed
/// nothing until the test started).
#[test]
fn a_paused_run_lists_vus_and_vus_max_as_k6_does() {
    let s = script("export const options = #{ vus: 3, iterations: 3 };\nfn run() {}\n");
    let address = free_address();
    let child = paused_run(&s, &address, &[]);
    wait_ready(&address);
    let mut last = None;
    let listed = eventually(Duration::from_secs(20), || {
        last = api_request(&address, "GET", "/v1/metrics", "").map(|(_, v)| v);
        last.as_ref().is_some_and(|m| m["data"].as_array().is_some_and(|d| d.len() >= 2))
    });
    api_request(&address, "PATCH", "/v1/status", STOPPER).unwrap();
    let run = finish(child, Duration::from_secs(60));
    assert!(listed, "no metrics while paused: {last:?}");
    let metrics = last.unwrap();
    let value = |id: &str| {
        let m = metrics["data"].as_array().unwrap().iter().find(|m| m["id"] == id).cloned();
        m.map(|m| (m["attributes"]["sample"]["value"].clone(), m["attributes"]["tainted"].clone()))
    };
    assert_eq!(value("vus"), Some((serde_json::json!(0), serde_json::Value::Null)), "{metrics}");
    assert_eq!(value("vus_max"), Some((serde_json::json!(3), serde_json::Value::Null)), "{metrics}");
    assert_eq!(run.code, 103, "{}\n{}", run.stdout, run.stderr);
}

/// Sweep 31: during an unpaused setup(), `GET /v1/status` reported `vus-max` 0 and `running`
/// false, where k6 v1.1.0 (its VUs initialised before setup(), its run started) reports
/// `{"status":6,"paused":false,"vus":0,"vus-max":3,"stopped":false,"running":true}`.
#[test]
fn status_during_an_unpaused_setup_shows_the_vus_k6_has_initialised_and_a_running_test() {
    let s = script(
        "export const options = #{ vus: 3, duration: \"1s\" };\n\
         fn setup() { sleep(2); }\n\
         fn run() { sleep(0.1); }\n",
    );
    let address = free_address();
    let child = Command::new(BIN)
        .arg("run")
        .arg(&s.path)
        .args(["-q", "--address", &address, "--no-color", "--no-system-env-vars"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut last = None;
    let in_setup = eventually(Duration::from_secs(20), || {
        last = status(&address);
        last.as_ref().is_some_and(|s| s["status"] == 6)
    });
    let st = rload_cmd(&["status", "--address", &address]);
    let run = finish(child, Duration::from_secs(30));
    assert!(in_setup, "never in setup(): {last:?}\n{}", run.stderr);
    let last = last.unwrap();
    assert_eq!(
        (&last["paused"], &last["vus"], &last["vus-max"], &last["stopped"], &last["running"]),
        (&false.into(), &0.into(), &3.into(), &false.into(), &true.into()),
        "{last}"
    );
    assert!(
        st.stdout
            .starts_with("status: 6\npaused: \"false\"\nvus: \"0\"\nvus-max: \"3\"\nstopped: false\nrunning: true\n"),
        "{}",
        st.stdout
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}
