//! k6's command line beyond the options: `rload new`, `rload completion`, `rload run -`,
//! `--no-setup`/`--no-teardown`, `--tag`, `--linger`, `--max-redirects`, and the k6 flags rload
//! refuses by name.
mod common;
use common::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn new_writes_k6s_minimal_template_which_runs_against_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN).arg("new").current_dir(dir.path()).output().unwrap();
    let new = Run::from_output(out);
    assert_eq!(new.code, 0, "{}", new.stderr);
    assert_eq!(new.stdout.trim(), "New script created: script.rhai (minimal template).");
    let path = dir.path().join("script.rhai");
    let out = Command::new(BIN)
        .args(["run", "--with-target", "--no-color", "-u", "1", "-i", "1"])
        .arg(&path)
        .output()
        .unwrap();
    let run = Run::from_output(out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}", run.stdout);
}

#[test]
fn new_keeps_an_existing_file_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.rhai");
    std::fs::write(&path, "fn run() {}\n").unwrap();
    let run = Run::from_output(Command::new(BIN).arg("new").arg(&path).output().unwrap());
    assert_eq!(run.code, 255, "{}", run.stderr);
    assert!(run.stderr.contains("already exists. Use the `--force` flag to overwrite it"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "fn run() {}\n");
    let run = Run::from_output(Command::new(BIN).args(["new", "--force"]).arg(&path).output().unwrap());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::read_to_string(&path).unwrap().contains("export const options"));
    let run = Run::from_output(Command::new(BIN).args(["new", "-t", "browser"]).arg(&path).output().unwrap());
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(run.stderr.contains("template \"browser\""), "{}", run.stderr);
}

#[test]
fn completion_prints_a_script_that_knows_the_commands_and_flags() {
    for shell in ["bash", "zsh", "fish"] {
        let run = Run::from_output(Command::new(BIN).args(["completion", shell]).output().unwrap());
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        for word in ["serve", "summary-export", "no-setup"] {
            assert!(run.stdout.contains(word), "{shell} completion lacks {word}");
        }
    }
    let run = Run::from_output(Command::new(BIN).args(["completion", "tcsh"]).output().unwrap());
    assert_ne!(run.code, 0);
}

/// `rload run ARGS -` with `text` on standard input.
fn run_stdin(text: &str, args: &[&str]) -> Run {
    let mut child = Command::new(BIN)
        .arg("run")
        .args(args)
        .args(["--no-color", "--no-system-env-vars", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    Run::from_output(child.wait_with_output().unwrap())
}

#[test]
fn a_script_on_standard_input_runs() {
    let run = run_stdin("fn run() { check(1, #{ \"ran\": |x| x == 1 }); }\n", &["-i", "3"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("script: -"), "{}", run.stdout);
    assert!(run.line("checks_succeeded").contains("3 out of 3"), "{}", run.stdout);
}

#[test]
fn no_setup_and_no_teardown_skip_the_hooks() {
    let text = r#"
        fn setup() { print("SETUP RAN"); 42 }
        fn run(data) { print(`data is ${data}`); }
        fn teardown(data) { print("TEARDOWN RAN"); }
    "#;
    let run = run_stdin(text, &["-i", "1", "--no-summary"]);
    assert!(run.stdout.contains("SETUP RAN") && run.stdout.contains("data is 42"), "{}", run.stdout);
    assert!(run.stdout.contains("TEARDOWN RAN"), "{}", run.stdout);
    let run = run_stdin(text, &["-i", "1", "--no-summary", "--no-setup", "--no-teardown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("SETUP RAN") && !run.stdout.contains("TEARDOWN RAN"), "{}", run.stdout);
    assert!(run.stdout.contains("data is \n") || run.stdout.contains("data is ()"), "{}", run.stdout);
}

#[test]
fn tag_flags_tag_every_sample_as_the_tags_option() {
    let s = script("export const options = #{ tags: #{ team: \"script\" } };\nfn run() {}\n");
    let out = s.dir.path().join("samples.json");
    let run = rload(&s, &["-i", "2", "--tag", "team=a", "--tag", "run=7", "-o", &format!("json={}", out.display())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = std::fs::read_to_string(&out).unwrap();
    let points: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "Point" && v["metric"] == "iterations")
        .collect();
    assert_eq!(points.len(), 2, "{lines}");
    for p in &points {
        assert_eq!((p["data"]["tags"]["team"].as_str(), p["data"]["tags"]["run"].as_str()), (Some("a"), Some("7")));
    }
    let run = rload(&s, &["-i", "1", "--tag", "novalue"]);
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(run.stderr.contains("--tag \"novalue\": expected NAME=VALUE"), "{}", run.stderr);
}

#[test]
fn summary_time_unit_flag_and_variable_put_every_summary_time_in_that_unit() {
    let s = script("export const options = #{ iterations: 2 };\nfn run() { sleep(0.002); }\n");
    let in_unit = |run: &Run, suffix: &str| {
        let line = run.line("iteration_duration");
        let values: Vec<&str> = line.split_whitespace().filter_map(|w| w.split_once('=').map(|(_, v)| v)).collect();
        assert!(values.len() >= 5, "{line}");
        values.iter().all(|v| v.strip_suffix(suffix).is_some_and(|n| n.parse::<f64>().is_ok()))
    };
    let run = rload(&s, &["--summary-time-unit", "us"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(in_unit(&run, "µs"), "{}", run.line("iteration_duration"));
    let out = Command::new(BIN)
        .args(["run", s.path.to_str().unwrap(), "--no-color", "--no-system-env-vars"])
        .env("K6_SUMMARY_TIME_UNIT", "s")
        .output()
        .unwrap();
    let run = Run::from_output(out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(in_unit(&run, "s") && !in_unit(&run, "ms"), "{}", run.line("iteration_duration"));
    let run = rload(&s, &["--summary-time-unit", "m"]);
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(run.stderr.contains("--summary-time-unit: invalid summary time unit \"m\""), "{}", run.stderr);
}

#[test]
fn bad_values_of_k6s_logging_and_tag_flags_are_errors_naming_each() {
    let s = script("fn run() {}\n");
    let run = rload(
        &s,
        &[
            "--http-debug=fulll",
            "--system-tags",
            "url,stauts",
            "--log-format",
            "xml",
            "--log-output",
            "loki=http://127.0.0.1:1",
        ],
    );
    assert_eq!(run.code, 104, "{}", run.stderr);
    for part in [
        "--http-debug: invalid value \"fulll\"",
        "--system-tags: \"stauts\" is not a k6 system tag",
        "--log-format \"xml\"",
        "k6's loki output is not supported by rload",
    ] {
        assert!(run.stderr.contains(part), "{part}: {}", run.stderr);
    }
    assert!(!run.stdout.contains("iterations"), "nothing may run: {}", run.stdout);
}

/// The sweep's repro (item 10): k6 flags for what rload lacks got clap's "unexpected argument";
/// each is now refused with the reason its option or K6_* variable gets, all at once, exit 104.
#[test]
fn k6_flags_for_what_rload_lacks_are_refused_with_the_reason() {
    let s = script("fn run() {}\n");
    let run = rload(
        &s,
        &[
            "--rps",
            "10",
            "--dns",
            "ttl=1m",
            "--no-vu-connection-reuse",
            "--blacklist-ip",
            "10.0.0.0/8",
            "--block-hostnames",
            "*.test",
            "--local-ips",
            "127.0.0.1",
            "--console-output",
            "c.txt",
            "--compatibility-mode",
            "base",
            "-t",
            "js",
            "--traces-output",
            "otel",
            "--secret-source",
            "file=s.txt",
            "--profiling-enabled",
        ],
    );
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(!run.stderr.contains("unexpected argument"), "{}", run.stderr);
    for part in [
        "--rps: k6's `rps` option is not supported by rload (use a constant-arrival-rate scenario",
        "--dns: k6's `dns` option is not supported by rload",
        "--no-vu-connection-reuse: k6's `noVUConnectionReuse` option is not supported by rload",
        "--blacklist-ip: k6's `blacklistIPs` option is not supported by rload",
        "--block-hostnames: k6's `blockHostnames` option is not supported by rload",
        "--local-ips: k6's --local-ips is not supported by rload",
        "--console-output: k6's --console-output is not supported by rload",
        "--compatibility-mode: k6's --compatibility-mode is not supported by rload",
        "--type: k6's --type is not supported by rload",
        "--traces-output: k6's --traces-output is not supported by rload",
        "--secret-source: k6's --secret-source is not supported by rload",
        "--profiling-enabled: k6's --profiling-enabled is not supported by rload",
    ] {
        assert!(run.stderr.contains(part), "{part}: {}", run.stderr);
    }
    assert!(!run.stdout.contains("iterations"), "nothing may run: {}", run.stdout);
    // What asks for rload's own behaviour passes: k6's defaults and a boolean's =false.
    let run = rload(&s, &["--traces-output=none", "--no-vu-connection-reuse=false", "--profiling-enabled=false"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// k6's --summary-mode takes `legacy` (its layout before v0.53), which rload does not have: the
/// refusal says so instead of listing the modes.
#[test]
fn summary_mode_legacy_is_refused_naming_k6s_legacy_layout() {
    let s = script("fn run() {}\n");
    let run = rload(&s, &["--summary-mode", "legacy"]);
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(
        run.stderr.contains("--summary-mode \"legacy\": rload does not implement k6's legacy summary layout"),
        "{}",
        run.stderr
    );
    let out = Command::new(BIN).arg("run").arg(&s.path).env("K6_SUMMARY_MODE", "legacy").output().unwrap();
    let run = Run::from_output(out);
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(run.stderr.contains("K6_SUMMARY_MODE=\"legacy\": rload does not implement k6's legacy"), "{}", run.stderr);
}

/// k6's `--max-redirects`, `--include-system-env-vars[=false]` and `--no-usage-report` were
/// refused as unknown arguments; they mean what the maxRedirects option,
/// K6_INCLUDE_SYSTEM_ENV_VARS and k6's usage report (rload sends none) mean.
#[test]
fn k6s_max_redirects_include_system_env_vars_and_no_usage_report_flags_work() {
    let s = script(
        "export const options = #{ iterations: 1 };\n\
         fn run() { let r = http.get(`${__ENV.BASE_URL}/redirect/2`); print(`STATUS ${r.status} ENV ${__ENV.RLOAD_T_VAR}.`); }\n",
    );
    let run_with = |args: &[&str], env: &[(&str, &str)]| {
        let out = Command::new(BIN)
            .arg("run")
            .arg(&s.path)
            .args(["--with-target", "-q", "--no-summary"])
            .args(args)
            .env("RLOAD_T_VAR", "x")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        Run::from_output(out)
    };
    let run = run_with(&["--max-redirects", "1", "--no-usage-report", "--include-system-env-vars"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("STATUS 302 ENV x."), "one redirect followed, then the 302: {}", run.stdout);
    // The flag wins over K6_MAX_REDIRECTS and K6_INCLUDE_SYSTEM_ENV_VARS, as in k6.
    let run = run_with(&["--max-redirects=5"], &[("K6_MAX_REDIRECTS", "0")]);
    assert!(run.stdout.contains("STATUS 200 ENV x."), "{}{}", run.stdout, run.stderr);
    let run = run_with(&["--include-system-env-vars=false"], &[("K6_INCLUDE_SYSTEM_ENV_VARS", "true")]);
    assert!(run.stdout.contains("STATUS 200 ENV ."), "{}{}", run.stdout, run.stderr);
    let run = run_with(&["--include-system-env-vars"], &[("K6_INCLUDE_SYSTEM_ENV_VARS", "false")]);
    assert!(run.stdout.contains("STATUS 200 ENV x."), "{}{}", run.stdout, run.stderr);
}

#[test]
fn linger_waits_for_a_signal_after_the_results() {
    let s = script("fn run() {}\n");
    let mut child = Command::new(BIN)
        .arg("run")
        .arg(&s.path)
        .args(["-i", "1", "--linger", "--no-color", "--no-system-env-vars"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let summary_seen =
        BufReader::new(stdout).lines().map_while(Result::ok).any(|l| l.trim_start().starts_with("iterations"));
    assert!(summary_seen);
    std::thread::sleep(Duration::from_millis(500));
    assert!(child.try_wait().unwrap().is_none(), "exited without waiting for a signal");
    // SAFETY: signals only the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "still lingering after SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn throw_makes_a_request_without_a_response_a_script_error() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let s = script(&format!(
        "fn run() {{ let r = http.get(\"http://127.0.0.1:{port}/\"); check(r, #{{ \"returned\": |r| true }}); }}\n"
    ));
    let run = rload(&s, &["-i", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.line("checks_succeeded").contains("2 out of 2"),
        "without -w the failure is a response: {}",
        run.stdout
    );
    for args in [&["-i", "2", "-w"][..], &["-i", "2", "--throw"]] {
        let run = rload(&s, args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.contains("connection refused"), "{}", run.stderr);
        assert!(run.stdout.contains("iterations with script errors: 2"), "{}", run.stdout);
        assert!(!run.stdout.contains("checks_succeeded"), "no check may run: {}", run.stdout);
    }
}
