use super::*;
use crate::config::values::{parse_cli_stage, parse_size};
use serde_json::json;

#[test]
fn parses_the_k6_shortcut_options() {
    let o = Options::from_script(&json!({
        "vus": 10, "duration": "1m30s", "noConnectionReuse": true, "userAgent": "x",
        "summaryTrendStats": ["avg", "p(99.9)"], "stages": [{"duration": "10s", "target": 5}]
    }))
    .unwrap();
    assert_eq!(o.vus, Some(10));
    assert_eq!(o.duration, Some(Duration::from_secs(90)));
    assert_eq!(o.no_connection_reuse, Some(true));
    assert_eq!(o.summary_trend_stats.unwrap(), vec!["avg", "p(99.9)"]);
    assert_eq!(o.stages.unwrap(), vec![Stage { duration: Duration::from_secs(10), target: 5 }]);
}

#[test]
fn reports_every_problem_at_once_naming_the_key() {
    let errs = Options::from_script(&json!({
        "vus": -1, "duration": "10x", "vu": 3, "noConnectionReuse": "yes", "summaryTrendStats": ["p(101)"]
    }))
    .unwrap_err();
    assert_eq!(errs.len(), 5, "{errs:?}");
    let all = errs.join("\n");
    assert!(all.contains("vus: must be a whole number"), "{all}");
    assert!(all.contains("duration: invalid duration \"10x\""), "{all}");
    assert!(all.contains("unknown option \"vu\" (did you mean \"vus\"?)"), "{all}");
    assert!(all.contains("noConnectionReuse: must be true or false"), "{all}");
    assert!(all.contains("invalid percentile trend stat value 'p(101)', provide a number between 0 and 100"), "{all}");
}

#[test]
fn k6_options_rload_lacks_are_errors_that_name_them() {
    let errs =
        Options::from_script(&json!({ "noVUConnectionReuse": true, "dns": {}, "summaryTimeUnit": "m" })).unwrap_err();
    let all = errs.join("\n");
    assert!(all.contains("option \"noVUConnectionReuse\" is a k6 option rload does not implement"), "{all}");
    assert!(all.contains("option \"dns\" is a k6 option rload does not implement"), "{all}");
    assert!(all.contains("summaryTimeUnit: invalid summary time unit \"m\""), "{all}");
    let o = Options::from_script(&json!({ "summaryTimeUnit": "us", "ext": {}, "cloud": {} })).unwrap();
    assert_eq!(o.summary_time_unit, Some(TimeUnit::Microseconds));
    let warnings = cloud_only_warnings(&json!({ "ext": {}, "vus": 1 }));
    assert_eq!(warnings, vec!["options.ext is read only by Grafana Cloud k6; ignored on a local run, as k6 does"]);
}

#[test]
fn cli_overrides_script_field_by_field() {
    let script = Options { vus: Some(5), duration: Some(Duration::from_secs(60)), ..Default::default() };
    let cli = Options { vus: Some(50), ..Default::default() };
    let merged = script.overridden_by(cli);
    assert_eq!(merged.vus, Some(50));
    assert_eq!(merged.duration, Some(Duration::from_secs(60)));
}

#[test]
fn sizes_take_bytes_or_decimal_and_binary_units() {
    assert_eq!(parse_size("100KB"), Ok(100_000));
    assert_eq!(parse_size("256 mb"), Ok(256_000_000));
    assert_eq!(parse_size("1MiB"), Ok(1 << 20));
    assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
    assert_eq!(parse_size("4096"), Ok(4096));
    assert!(parse_size("10 parsecs").unwrap_err().contains("invalid size \"10 parsecs\""));
    assert!(parse_size("").is_err());
    assert!(parse_size("1e30").is_err());
    assert!(parse_size("99999999999TB").unwrap_err().contains("too large"));
    let o = Options::from_script(&json!({ "maxResponseBodySize": "2MB" })).unwrap();
    assert_eq!(o.max_response_body_size, Some(2_000_000));
    let o = Options::from_script(&json!({ "maxResponseBodySize": 1024 })).unwrap();
    assert_eq!(o.max_response_body_size, Some(1024));
    let errs = Options::from_script(&json!({ "maxResponseBodySize": -1 })).unwrap_err();
    assert!(errs[0].starts_with("maxResponseBodySize: must be a number of bytes"), "{errs:?}");
}

#[test]
fn cli_stage_syntax() {
    assert_eq!(parse_cli_stage("5s:100").unwrap(), Stage { duration: Duration::from_secs(5), target: 100 });
    assert!(parse_cli_stage("5s").unwrap_err().contains("DURATION:TARGET"));
    assert!(parse_cli_stage("5s:x").unwrap_err().contains("\"x\""));
}

/// The sweep's repro (`vus: __ENV.VUS || 1`, `iterations: __ENV.ITERS`): k6 v1.1 reads an
/// integer option's decimal text, and `null` (an unset `__ENV` variable) or `""` as not set.
#[test]
fn integer_options_take_their_text_and_null_means_unset_as_in_k6() {
    let o = Options::from_script(&json!({
        "vus": "2", "iterations": "+4", "maxRedirects": "3", "sharedConnections": "2",
        "stages": [{"duration": "1s", "target": "2"}]
    }))
    .unwrap();
    assert_eq!((o.vus, o.iterations, o.max_redirects, o.shared_connections), (Some(2), Some(4), Some(3), Some(2)));
    assert_eq!(o.stages.unwrap(), vec![Stage { duration: Duration::from_secs(1), target: 2 }]);

    let o = Options::from_script(&json!({
        "vus": null, "duration": null, "iterations": "", "stages": null, "scenarios": null, "maxRedirects": "",
        "executionSegment": null, "userAgent": null, "noConnectionReuse": null, "tags": null, "batch": null, "ext": null
    }))
    .unwrap();
    assert_eq!(o, Options::default());

    let errs = Options::from_script(&json!({
        "vus": "abc", "iterations": "2.5", "maxRedirects": " 3", "stages": [{"duration": "1s", "target": ""}],
        "vu": null, "duration": ""
    }))
    .unwrap_err();
    let all = errs.join("\n");
    assert_eq!(errs.len(), 6, "{all}");
    assert!(all.contains("vus: must be a whole number ≥ 0, got \"abc\""), "{all}");
    assert!(all.contains("iterations: must be a whole number ≥ 0, got \"2.5\""), "{all}");
    assert!(all.contains("maxRedirects: must be a whole number ≥ 0, got \" 3\""), "{all}");
    assert!(all.contains("stages[0]: missing target"), "{all}");
    assert!(all.contains("unknown option \"vu\""), "a typo is reported even when unset: {all}");
    assert!(all.contains("duration: invalid duration"), "k6 refuses an empty duration too: {all}");
}

/// The sweep's repro (E1): `batch` and `batchPerHost` were refused; k6 v1.1 reads both as
/// whole numbers or their text, `batchPerHost` ≤ 0 as no per-host limit, and waits forever in
/// `http.batch` on `batch: 0`, which rload refuses.
#[test]
fn batch_options_are_read_as_k6_reads_them() {
    let defaults = Options::default().batch_limits();
    assert_eq!((defaults.total, defaults.per_host), (20, 6), "k6's defaults");
    let o = Options::from_script(&json!({ "batch": "5", "batchPerHost": -1 })).unwrap();
    assert_eq!((o.batch, o.batch_per_host), (Some(5), Some(0)));
    assert_eq!((o.batch_limits().total, o.batch_limits().per_host), (5, 0));
    let o = Options::from_script(&json!({ "batch": null, "batchPerHost": "" })).unwrap();
    assert_eq!(o.batch_limits(), defaults, "null and \"\" leave them unset");
    let errs = Options::from_script(&json!({ "batch": 0, "batchPerHost": 2.5 })).unwrap_err().join("\n");
    assert!(errs.contains("batch: must be at least 1, got 0"), "{errs}");
    assert!(errs.contains("batchPerHost: must be a whole number, got 2.5"), "{errs}");
}
