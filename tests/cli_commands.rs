//! k6's command line beyond the options: `rload new`, `rload completion`, `rload run -`,
//! `--no-setup`/`--no-teardown`, `--tag`, `--linger`, and the k6 flags rload refuses by name.
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
