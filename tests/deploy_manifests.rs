//! `deploy/`: the command line every runner pod of the manifests runs is one rload accepts, flag
//! by flag and value by value, and the pods' execution segments make up the whole test.
//!
//! The manifests are read with two line rules (a `key: value` line, a `|` block scalar), enough
//! for these files: the test fails if a key it needs is missing or moves into another form.
mod common;
use common::*;
use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;

use rload::cli::{self, Command as Cli};
use rload::executor::segment::{ExecutionSegment, ExecutionSegmentSequence};
use rload::runtime::run::RunArgs;

fn manifest(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The value of the first `key: value` line (any indentation).
fn value<'a>(text: &'a str, key: &str) -> &'a str {
    let prefix = format!("{key}: ");
    text.lines()
        .find_map(|l| l.trim_start().strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no \"{key}:\" line"))
        .trim()
}

/// The block scalar that follows the line `header` (e.g. `test.rhai: |`), dedented.
fn block(text: &str, header: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.trim() == header).unwrap_or_else(|| panic!("no \"{header}\" line"));
    let indent = |l: &str| l.len() - l.trim_start().len();
    let own = indent(lines[at]);
    let body: Vec<&str> =
        lines[at + 1..].iter().take_while(|l| l.trim().is_empty() || indent(l) > own).copied().collect();
    let margin = body.iter().filter(|l| !l.trim().is_empty()).map(|l| indent(l)).min().unwrap_or(0);
    body.iter().map(|l| if l.len() >= margin { &l[margin..] } else { "" }).collect::<Vec<_>>().join("\n")
}

/// `argv` (without the program name) through rload's own parser and flag validation.
fn run_args(argv: &[String]) -> RunArgs {
    let mut all = vec![OsString::from("rload")];
    all.extend(argv.iter().map(OsString::from));
    let parsed = cli::parse(all).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    let Cli::Run(flags) = parsed.command else { panic!("{argv:?} is not a run") };
    flags.into_run_args_from(&[]).unwrap_or_else(|errs| panic!("{argv:?}: {errs:?}"))
}

fn segment(text: &str) -> ExecutionSegment {
    ExecutionSegment::parse(text).unwrap()
}

#[test]
fn every_testrun_runner_command_line_as_k6_operator_builds_it_is_one_rload_accepts() {
    let text = manifest("k6-operator-testrun.yaml");
    assert!(text.contains("apiVersion: k6.io/v1alpha1\nkind: TestRun\n"), "{text}");
    let n: usize = value(&text, "parallelism").parse().unwrap();
    let name = value(&text, "name");
    let file = value(&text, "file");
    let image = value(&text, "image");
    assert!(text.matches(&format!("image: {image}")).count() >= 2, "runner and initializer use the rload image");
    let sequence: Vec<String> = (0..=n).map(|i| format!("{i}/{n}")).collect();
    for i in 0..n {
        // k6-operator's runner.go: quiet, the segment flags, spec.arguments, the script from the
        // ConfigMap (mounted at /test), the REST API, paused, and two tags.
        let mut argv: Vec<String> = vec!["run".into(), "--quiet".into()];
        argv.push(format!("--execution-segment={}:{}", sequence[i], sequence[i + 1]));
        argv.push(format!("--execution-segment-sequence={}", sequence.join(",")));
        argv.extend(value(&text, "arguments").split_whitespace().map(String::from));
        argv.push(format!("/test/{file}"));
        argv.extend(["--address=0.0.0.0:6565".into(), "--paused".into()]);
        argv.extend(["--tag".into(), format!("instance_id={i}"), "--tag".into(), format!("testrun_name={name}")]);
        let args = run_args(&argv);
        assert_eq!((args.address.as_str(), args.cli.paused, args.quiet), ("0.0.0.0:6565", Some(true), true));
        assert_eq!(args.cli.execution_segment, Some(segment(&format!("{}:{}", sequence[i], sequence[i + 1]))));
        assert!(args.histogram_export.is_some(), "each runner exports its histograms for `rload merge`");
    }
    // The ConfigMap's script is a valid rload test for one runner's share.
    let shared = manifest("script.yaml");
    assert!(shared.contains("kind: ConfigMap\nmetadata:\n  name: rload-fleet-script\n"), "{shared}");
    assert!(text.contains("configMap:\n      name: rload-fleet-script\n"), "{text}");
    let s = script(&block(&shared, &format!("{file}: |")));
    let out = std::process::Command::new(BIN)
        .args(["check", "--execution-segment", &format!("0:1/{n}"), "--execution-segment-sequence"])
        .arg(sequence.join(","))
        .arg(&s.path)
        .output()
        .unwrap();
    let run = Run::from_output(out);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn every_indexed_job_pod_runs_its_own_segment_and_the_pods_make_up_the_whole_test() {
    let text = manifest("indexed-job.yaml");
    assert_eq!(value(&text, "completionMode"), "Indexed");
    let completions: usize = value(&text, "completions").parse().unwrap();
    let script_text = block(&text, "- |");
    // Each pod's shell, with `rload` replaced by a program that prints its arguments.
    let bin = tempfile::tempdir().unwrap();
    let fake = bin.path().join("rload");
    std::fs::write(&fake, "#!/bin/sh\nprintf '%s\\0' \"$@\"\n").unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default());
    let mut segments = Vec::new();
    let mut exports = std::collections::BTreeSet::new();
    for i in 0..completions {
        let out = std::process::Command::new("sh")
            .args(["-c", &script_text])
            .env("PATH", &path)
            .env("JOB_COMPLETION_INDEX", i.to_string())
            .output()
            .unwrap();
        assert!(out.status.success(), "pod {i}: {}", String::from_utf8_lossy(&out.stderr));
        let argv: Vec<String> =
            String::from_utf8(out.stdout).unwrap().split_terminator('\0').map(String::from).collect();
        let args = run_args(&argv);
        let sequence = args.cli.execution_segment_sequence.clone().expect("a segment sequence");
        assert_eq!(sequence.segments().len(), completions, "one segment per pod");
        assert_eq!(sequence, ExecutionSegmentSequence::parse(&sequence.to_string()).unwrap());
        segments.push(args.cli.execution_segment.expect("a segment"));
        exports.insert(args.histogram_export.expect("each pod exports its histograms for `rload merge`"));
        assert!(args.cli.tags.unwrap_or_default().contains(&("instance_id".to_string(), i.to_string())));
    }
    assert_eq!(exports.len(), completions, "each pod writes its own file: {exports:?}");
    // The pods' segments follow each other from 0 to 1: together, the whole test once.
    let joined: Vec<String> = segments.iter().map(ToString::to_string).collect();
    for pair in segments.windows(2) {
        assert_eq!(pair[0].to_string().split(':').nth(1), pair[1].to_string().split(':').next(), "{joined:?}");
    }
    assert_eq!(segments.first().map(|s| s.to_string().split(':').next().unwrap().to_owned()), Some("0".into()));
    assert_eq!(segments.last().map(|s| s.to_string().split(':').nth(1).unwrap().to_owned()), Some("1".into()));
}
