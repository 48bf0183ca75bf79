//! Issue 17, first contact: the commands a new user types in their first ten minutes, run from
//! the repository root as the README has them, and what they see.
mod common;
use common::*;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// `rload ARGS...` from the repository root, as a user in a fresh clone types it.
fn typed(args: &[&str]) -> Run {
    let out = Command::new(BIN).current_dir(REPO).args(args).output().expect("run rload");
    Run::from_output(out)
}

/// A loopback address nothing listens at: a port the OS just handed out and took back.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

// 1. The documented names of the scenarios are the files' names.

#[test]
fn the_documented_scenario_4_command_runs_the_scenario() {
    let run = typed(&["scripts/04-high-frequency.rhai", "--with-target", "-u", "2", "-d", "1s", "--no-color"]);
    assert!(!run.stderr.contains("cannot read script"), "{}", run.stderr);
    assert!(run.code == 0 || run.code == 99, "exit {}: {}\n{}", run.code, run.stdout, run.stderr);
    // Scenario 04's own threshold on its switch cycles (its conflict counter shows only when a
    // pair collided, which a one-second run may not see).
    assert!(
        run.stdout.contains("{operation:switchCycle}"),
        "scenario 04's thresholds are in the summary:\n{}",
        run.stdout
    );
}

#[test]
fn every_script_the_docs_and_scripts_name_exists() {
    let mut texts = vec![std::fs::read_to_string(Path::new(REPO).join("README.md")).unwrap()];
    for dir in ["docs", "scripts", "bench"] {
        for entry in std::fs::read_dir(Path::new(REPO).join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "md" || e == "rhai") {
                texts.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    let mut named = BTreeSet::new();
    for text in &texts {
        for (i, _) in text.match_indices("scripts/") {
            let rest = &text[i..];
            let end = rest.find(|c: char| !(c.is_alphanumeric() || "/-_.".contains(c))).unwrap_or(rest.len());
            let path = rest[..end].trim_end_matches('.');
            if path.ends_with(".rhai") {
                named.insert(path.to_string());
            }
        }
    }
    assert!(named.contains("scripts/04-high-frequency.rhai"), "{named:?}");
    let missing: Vec<&String> = named.iter().filter(|p| !Path::new(REPO).join(p).is_file()).collect();
    assert!(missing.is_empty(), "named in the docs but not in the repository: {missing:?}");
}

// 2. The README's first command: no series-cap warning, one series per SyncKairos endpoint.

#[test]
fn the_readmes_first_command_warns_of_nothing_and_groups_session_urls_by_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("histograms.json");
    let export_arg = export.display().to_string();
    // The README's `cargo run --release -- run --with-target -u 20 -d 20s scripts/01-baseline.rhai`.
    let run = typed(&[
        "run",
        "--with-target",
        "-u",
        "20",
        "-d",
        "20s",
        "scripts/01-baseline.rhai",
        "--no-color",
        "--export-histograms",
        &export_arg,
    ]);
    assert!(run.code == 0 || run.code == 99, "exit {}: {}\n{}", run.code, run.stdout, run.stderr);
    assert!(!run.stdout.contains("WARN") && !run.stderr.contains("WARN"), "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("rload_overflow"), "{}", run.stdout);

    let exported: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    let reqs = exported["metrics"].as_array().unwrap().iter().find(|m| m["name"] == "http_reqs").unwrap();
    let urls: BTreeSet<&str> =
        reqs["series"].as_array().unwrap().iter().map(|s| s["tags"]["url"].as_str().unwrap()).collect();
    let expected: BTreeSet<&str> = [
        "/health",
        "/v1/sessions",
        "/v1/sessions/{id}/start",
        "/v1/sessions/{id}/switch",
        "/v1/sessions/{id}",
        "/v1/sessions/{id}/complete",
    ]
    .into();
    assert_eq!(urls, expected, "the url tag of every http_reqs series");
}

// 3. A service that is not running.

#[test]
fn a_scenario_against_nothing_says_so_in_one_line_naming_with_target_and_base_url() {
    let base = closed_port_url();
    let started = Instant::now();
    let run = typed(&["run", "-e", &format!("BASE_URL={base}"), "scripts/04-high-frequency.rhai", "--no-color"]);
    assert!(started.elapsed() < Duration::from_secs(20), "it ends at once, not after a test of failures");
    assert_ne!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {}", run.stderr);
    let line = lines[0];
    assert!(line.contains(&format!("nothing listens at {base}")), "{line}");
    assert!(line.contains("connection refused"), "res.error is in the message: {line}");
    assert!(line.contains("--with-target") && line.contains("-e BASE_URL="), "{line}");
}

// 4. Runtime errors read file:line:col with the source line and a caret, modules included.

#[test]
fn a_runtime_error_names_file_line_and_column_and_shows_the_line_with_a_caret() {
    let s = script("export const options = #{ iterations: 1 };\nfn run() {\n    let b = 1 + not_declared;\n}\n");
    let run = rload(&s, &[]);
    let path = s.path.display().to_string();
    assert!(
        run.stderr.contains(&format!("Variable not found: not_declared at {path}:3:17 (in run)")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("3 |     let b = 1 + not_declared;"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("  | {}^", " ".repeat(16))), "caret under column 17: {}", run.stderr);
}

#[test]
fn a_runtime_error_inside_an_imported_module_names_the_module_file() {
    let s = script(
        "import \"lib\" as lib;\nexport const options = #{ iterations: 1 };\nfn run() {\n    lib::helper(1);\n}\n",
    );
    std::fs::write(s.dir.path().join("lib.rhai"), "fn helper(x) {\n    x + nope\n}\n").unwrap();
    let run = rload(&s, &[]);
    let lib = s.dir.path().join("lib.rhai").display().to_string();
    assert!(run.stderr.contains(&format!("Variable not found: nope at {lib}:2:9 (in run → helper)")), "{}", run.stderr);
    assert!(run.stderr.contains("2 |     x + nope"), "{}", run.stderr);
}

#[test]
fn a_syntax_error_in_a_module_names_the_module_and_has_a_caret() {
    let s = script("import \"broken\" as b;\nfn run() {}\n");
    std::fs::write(s.dir.path().join("broken.rhai"), "fn f() {\n    let = 3;\n}\n").unwrap();
    let run = rload(&s, &[]);
    assert_eq!(run.code, 107, "{}", run.stderr);
    let broken = s.dir.path().join("broken.rhai").display().to_string();
    assert!(run.stderr.contains(&format!("at {broken}:2:9")), "{}", run.stderr);
    assert!(run.stderr.contains("2 |     let = 3;"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("  | {}^", " ".repeat(8))), "caret under column 9: {}", run.stderr);
}

// 5. Doc comments and Rhai keywords as option keys.

#[test]
fn a_doc_comment_above_a_const_is_a_comment() {
    let s = script("/// Where the service is.\nconst BASE_URL = \"http://127.0.0.1:1\";\nfn run() {}\n");
    let run = Run::from_output(Command::new(BIN).arg("check").arg(&s.path).output().unwrap());
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn an_unquoted_throw_option_key_is_explained() {
    let s = script("export const options = #{ iterations: 1, throw: true };\nfn run() {}\n");
    let run = Run::from_output(Command::new(BIN).arg("check").arg(&s.path).output().unwrap());
    assert_eq!(run.code, 107, "{}", run.stderr);
    assert!(
        run.stderr.contains("`throw` is a Rhai keyword; quote it to use it as a map key: \"throw\""),
        "{}",
        run.stderr
    );
}

// 6. Help, version, bare `rload`.

#[test]
fn bare_rload_prints_help_and_exits_0() {
    let run = typed(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Usage:") && run.stdout.contains("check"), "{}", run.stdout);
}

#[test]
fn rload_version_prints_the_version_in_k6s_form() {
    let expected = format!("rload v{} (", env!("CARGO_PKG_VERSION"));
    for args in [&["version"][..], &["--version"][..]] {
        let run = typed(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(run.stdout.starts_with(&expected) && run.stdout.trim_end().ends_with(')'), "{args:?}: {}", run.stdout);
    }
}

#[test]
fn check_help_describes_check_and_lists_only_its_flags() {
    let run = typed(&["check", "--help"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("The .rhai script to check"), "{}", run.stdout);
    assert!(!run.stdout.contains("script to run"), "{}", run.stdout);
    for flag in ["--vus", "--duration", "--env", "--no-thresholds"] {
        assert!(run.stdout.contains(flag), "{flag}: {}", run.stdout);
    }
    for flag in ["--with-target", "--summary-export", "--export-histograms", "--no-summary", "--threads", "--quiet"] {
        assert!(!run.stdout.contains(flag), "{flag} does not apply to check: {}", run.stdout);
    }
}

#[test]
fn every_help_text_has_an_example() {
    for args in
        [&["--help"][..], &["run", "--help"], &["check", "--help"], &["serve", "--help"], &["version", "--help"]]
    {
        let run = typed(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let example = run.stdout.split("Example:").nth(1).unwrap_or_else(|| panic!("{args:?}: {}", run.stdout));
        assert!(example.contains("rload "), "{args:?}: {}", run.stdout);
    }
}

// 7. The default User-Agent.

#[test]
fn the_default_user_agent_is_rload_slash_version() {
    let target = Target::start();
    let s = script(
        "export const options = #{ iterations: 1 };\n\
         fn run() { let r = http.get(`${__ENV.BASE_URL}/echo`); print(`UA=${r.headers[\"X-Echo-User-Agent\"]}`); }\n",
    );
    let run = rload(&s, &["-e", &format!("BASE_URL={}", target.url()), "--no-summary"]);
    assert!(
        run.stdout.contains(&format!("UA=rload/{}\n", env!("CARGO_PKG_VERSION"))),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}
