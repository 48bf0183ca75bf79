//! The series cap belongs to one run: two runs in one process (the library called twice, as an
//! embedding program would) each fold their samples under their own `--max-series` and keep the
//! tags their own thresholds filter on, and the second run's results hold none of the first's.
//!
//! This file holds a single test on purpose: the runs use the process-wide aggregate, which a
//! second in-process run in a parallel test would share.

mod common;

use common::script;
use serde_json::Value;

/// Runs `rload run` inside this process and returns the series of the custom counter `hits`
/// from `--export-histograms`: (tags, sum) pairs.
fn run_in_process(text: &str, args: &[&str]) -> Vec<(serde_json::Map<String, Value>, f64)> {
    let s = script(text);
    let export = s.dir.path().join("series.json");
    let mut argv: Vec<std::ffi::OsString> = vec!["rload".into(), "run".into(), s.path.clone().into()];
    argv.extend(args.iter().map(Into::into));
    argv.extend(["--quiet", "--no-summary", "--no-color", "--no-system-env-vars", "--threads", "1"].map(Into::into));
    argv.extend(["--export-histograms".into(), export.clone().into()]);
    assert_eq!(rload::main_with_args(argv), 0, "rload run {args:?}");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    let hits = json["metrics"].as_array().unwrap().iter().find(|m| m["name"] == "hits").expect("hits exported");
    hits["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["tags"].as_object().unwrap().clone(), s["sum"].as_str().unwrap().parse().unwrap()))
        .collect()
}

fn is_overflow(tags: &serde_json::Map<String, Value>) -> bool {
    tags.contains_key("rload_overflow")
}

#[test]
fn a_second_run_in_one_process_keeps_neither_the_cap_nor_the_threshold_tags_of_the_first() {
    // First run: 2 series per metric, and a threshold on `name`, so overflow series keep `name`.
    let first = run_in_process(
        r#"
        const hits = Counter("hits");
        export const options = #{ thresholds: #{ "hits{name:a-1}": ["count>=1"] } };
        fn run() { hits.add(1, #{ name: `a-${__ITER}` }); }
        "#,
        &["-u", "1", "-i", "12", "--max-series", "2"],
    );
    assert_eq!(first.iter().filter(|(t, _)| !is_overflow(t)).count(), 2, "{first:?}");
    assert!(first.iter().any(|(t, _)| is_overflow(t) && t.contains_key("name")), "{first:?}");
    assert_eq!(first.iter().map(|(_, sum)| sum).sum::<f64>(), 12.0);

    // Second run: the default cap (1000) and no threshold; 5 samples past the cap lose `name`.
    let second = run_in_process(
        r#"
        const hits = Counter("hits");
        fn run() { hits.add(1, #{ name: `b-${__ITER}` }); }
        "#,
        &["-u", "1", "-i", "1005"],
    );
    assert_eq!(second.iter().filter(|(t, _)| !is_overflow(t)).count(), 1000);
    let overflow: Vec<_> = second.iter().filter(|(t, _)| is_overflow(t)).collect();
    assert!(!overflow.is_empty() && overflow.iter().all(|(t, _)| !t.contains_key("name")), "{overflow:?}");
    assert_eq!(second.iter().map(|(_, sum)| sum).sum::<f64>(), 1005.0, "only the second run's samples");
    assert!(second.iter().all(|(t, _)| !t.get("name").is_some_and(|n| n.as_str().unwrap().starts_with("a-"))));
}
