//! k6's logging flags: `--log-output` (where log lines go), `--log-format` (their form),
//! `-v/--verbose` (debug lines too) and `--http-debug[=full]` (every request and response as log
//! lines). The summary stays on stdout.
mod common;
use common::*;
use std::process::Command;

/// A script that logs one line per iteration (`print`, k6's console.log) and one warning.
const LOGGING: &str = r#"
    export const options = #{ iterations: 1, ext: #{} };
    fn run() { print("hello from the VU"); }
"#;

fn run_env(s: &Script, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(BIN)
        .arg("run")
        .arg(&s.path)
        .args(args)
        .args(["-q", "--no-color", "--no-system-env-vars"])
        .envs(env.iter().copied())
        .output()
        .expect("run rload");
    Run::from_output(out)
}

#[test]
fn log_output_file_takes_the_log_lines_at_its_level_and_the_summary_stays_on_stdout() {
    let s = script(LOGGING);
    let log = s.dir.path().join("k6.log");
    let run = run_env(&s, &["--log-output", &format!("file={}", log.display())], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("INFO hello from the VU source=console"), "{text}");
    assert!(text.contains("WARN options.ext is read only by Grafana Cloud k6"), "{text}");
    assert!(!run.stderr.contains("hello") && !run.stderr.contains("WARN"), "{}", run.stderr);
    assert!(!run.stdout.contains("hello"), "{}", run.stdout);
    assert!(run.line("iterations").contains(" 1 "), "{}", run.stdout);

    // level=warning keeps warnings and errors only; a second run appends.
    let warnings = s.dir.path().join("warnings.log");
    let run = run_env(&s, &["--log-output", &format!("file={},level=warning", warnings.display())], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&warnings).unwrap();
    assert!(text.contains("WARN options.ext") && !text.contains("hello"), "{text}");
}

#[test]
fn log_output_none_drops_log_lines_and_stdout_takes_them() {
    let s = script(LOGGING);
    let run = run_env(&s, &["--log-output", "none"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("hello") && !run.stderr.contains("WARN"), "{}", run.stderr);
    assert!(!run.stdout.contains("hello"), "{}", run.stdout);
    assert!(run.line("iterations").contains(" 1 "), "{}", run.stdout);

    let run = run_env(&s, &[], &[("K6_LOG_OUTPUT", "stdout")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("INFO hello from the VU source=console"), "{}", run.stdout);
    assert!(!run.stderr.contains("hello"), "{}", run.stderr);
}

#[test]
fn log_format_json_writes_one_logrus_object_per_line_and_raw_the_message_alone() {
    let s = script(
        r#"
        export const options = #{ iterations: 2, ext: #{} };
        fn run() { print("hello from the VU"); if __ITER == 1 { throw "boom"; } }
    "#,
    );
    let run = run_env(&s, &["--log-format", "json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<serde_json::Value> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let find =
        |level: &str| lines.iter().find(|l| l["level"] == level).unwrap_or_else(|| panic!("no {level}: {lines:?}"));
    let info = find("info");
    assert_eq!((info["msg"].as_str(), info["source"].as_str()), (Some("hello from the VU"), Some("console")));
    assert!(info["time"].as_str().is_some_and(|t| t.ends_with('Z')), "{info}");
    assert!(find("warning")["msg"].as_str().unwrap().contains("options.ext"));
    assert!(find("error")["msg"].as_str().unwrap().contains("boom"));
    assert!(!run.stderr.lines().any(|l| l.starts_with("WARN") || l.starts_with("ERRO")), "{}", run.stderr);

    let run = run_env(&s, &[], &[("K6_LOG_FORMAT", "raw")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.lines().any(|l| l == "hello from the VU"), "{}", run.stderr);
}

#[test]
fn http_debug_logs_each_request_and_response_head_and_full_adds_the_bodies() {
    let target = Target::start();
    let s = script(r#"fn run() { http.post(`${__ENV.BASE_URL}/echo`, "ping-body"); }"#);
    let base = format!("BASE_URL={}", target.url());
    let run = run_env(&s, &["-i", "1", "-e", &base, "--http-debug"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let host = format!("Host: {}", target.addr);
    for part in
        ["INFO Request:\nPOST /echo HTTP/1.1\n", &host, "User-Agent: rload/", "INFO Response:\nHTTP/1.1 200 OK\n"]
    {
        assert!(run.stderr.contains(part), "{part:?} in:\n{}", run.stderr);
    }
    assert_eq!(run.stderr.matches("source=http-debug").count(), 2, "{}", run.stderr);
    assert!(!run.stderr.contains("ping-body"), "headers only: {}", run.stderr);

    let run = run_env(&s, &["-i", "1", "-e", &base, "--http-debug=full"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The request's body, then the echo of it in the response's.
    assert!(run.stderr.matches("ping-body").count() >= 2, "{}", run.stderr);

    // Off by default.
    let run = run_env(&s, &["-i", "1", "-e", &base], &[]);
    assert!(!run.stderr.contains("Request:"), "{}", run.stderr);
}

/// k6's logger stops at info: `console.debug` (and Rhai's `debug`) show only under `-v/--verbose`,
/// which rload refused as an unknown argument while printing debug lines always.
#[test]
fn debug_lines_are_logged_only_under_verbose_as_in_k6() {
    let s = script(
        "export const options = #{ iterations: 1 };\nfn run() { console.debug(\"dbg-line\"); debug(\"rhai-dbg\"); }\n",
    );
    let run = run_env(&s, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("dbg"), "{}", run.stderr);
    let log = s.dir.path().join("k6.log");
    let run = run_env(&s, &["--log-output", &format!("file={},level=debug", log.display())], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!std::fs::read_to_string(&log).unwrap_or_default().contains("dbg"), "no debug lines without -v");
    for flag in ["-v", "--verbose"] {
        let run = run_env(&s, &[flag], &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.contains("DEBU dbg-line source=console"), "{}", run.stderr);
        assert!(run.stderr.contains("rhai-dbg"), "{}", run.stderr);
    }
}
