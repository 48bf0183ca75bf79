//! The text against k6 v1.1's layout: the THRESHOLDS section (moved here from the thresholds
//! module with the renderer) and the summary mode's one default.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::metrics::{builtin, Aggregate, LocalSink, MetricKind, Registry, TagSet};
use crate::results::{Finished, RunCounts, RunResults, DEFAULT_TREND_STATS};
use crate::thresholds::{evaluate, parse, MetricThresholds, ThresholdResult};

fn registry() -> Registry {
    let mut registry = Registry::new();
    registry.register("websocket_delivery_time", MetricKind::Trend, true).unwrap();
    registry.register("my_gauge", MetricKind::Gauge, false).unwrap();
    registry
}

fn parse_with(registry: &Registry, value: &serde_json::Value) -> Result<Vec<MetricThresholds>, Vec<String>> {
    parse(value, &|name| registry.get(name))
}

fn default_stats() -> Vec<String> {
    DEFAULT_TREND_STATS.map(String::from).to_vec()
}

/// The results of a 2 s run that recorded `agg` and evaluated `set` into `verdicts`.
fn model<'a>(
    agg: &'a Aggregate,
    set: &'a [MetricThresholds],
    verdicts: &'a [ThresholdResult],
    trend_stats: &'a [String],
) -> RunResults<'a> {
    let test_duration = Duration::from_secs(2);
    RunResults::build(
        Finished { aggregate: agg, thresholds: set, verdicts, trend_stats, test_duration },
        RunCounts::default(),
    )
}

#[test]
fn summary_mode_defaults_to_full_as_the_cli_always_did() {
    assert_eq!(SummaryMode::default(), SummaryMode::Full);
    assert_eq!(SummaryMode::default().name(), "full");
    for name in SummaryMode::NAMES {
        assert_eq!(SummaryMode::from_name(name).map(SummaryMode::name), Some(name));
    }
    assert_eq!(SummaryMode::from_name("legacy"), None);
}

#[test]
fn thresholds_section_matches_k6_layout() {
    let registry = registry();
    let mut sink = LocalSink::new();
    let ok = TagSet::new().with("status", "200").with("expected_response", "true");
    for ms in [0.5, 1.0, 1.5, 2.0] {
        sink.record(builtin::HTTP_REQ_DURATION, &ok, ms);
        sink.record(builtin::HTTP_REQS, &ok, 1.0);
    }
    for _ in 0..40 {
        sink.record(builtin::CHECKS, &TagSet::new().with("check", "status is 200"), 1.0);
    }
    sink.record(builtin::GROUP_DURATION, &TagSet::new().with("group", "::g1"), 2.0);
    sink.record(registry.get("my_gauge").unwrap(), &TagSet::new(), 3.0);
    let mut agg = Aggregate::new();
    sink.flush_into(&mut agg, &registry);

    let set = parse_with(
        &registry,
        &json!({
            "http_req_duration": ["p(95)<100", "avg<1", "min!=0", "p(99.9) < 500"],
            "http_req_duration{expected_response:true}": ["p(95)<100"],
            "http_req_duration{status:404}": ["p(95)<100"],
            "group_duration{group:::g1}": ["avg<1000"],
            "http_reqs": ["rate>100", "count>1"],
            "checks": ["rate>0.9"],
            "my_gauge": ["value>1"],
        }),
    )
    .unwrap();
    let results = evaluate(&set, &agg, Duration::from_secs(2), false);
    let stats = default_stats();
    let run = model(&agg, &set, &results, &stats);
    let opts = SummaryOptions { mode: SummaryMode::Compact, ..SummaryOptions::default() };
    let text = render_thresholds(&run, &opts);
    let expected = "
  █ THRESHOLDS 

    checks
    ✓ 'rate>0.9' rate=100.00%

    group_duration{group:::g1}
    ✓ 'avg<1000' avg=2ms

    http_req_duration
    ✓ 'p(95)<100' p(95)=1.92ms
    ✗ 'avg<1' avg=1.25ms
    ✓ 'min!=0' min!=
    ✓ 'p(99.9) < 500' p(99.9)=1.99ms

      {expected_response:true}
      ✓ 'p(95)<100' p(95)=1.92ms

      {status:404}
      ✓ 'p(95)<100' p(95)=0s (no samples)

    http_reqs
    ✗ 'rate>100' rate=2/s
    ✓ 'count>1' count=4

    my_gauge
    ✓ 'value>1' value=3

    ⚠ 1 threshold matched no samples and passed: as in k6, each was evaluated against zero values (an empty rate passes); --strict-thresholds fails them

";
    assert_eq!(text, expected);

    // With colours, k6 decorates each part; a value it cannot find prints as `undefined`.
    let colored = render_thresholds(&run, &SummaryOptions { color: true, ..opts });
    assert!(colored.contains("  █ \x1b[1mTHRESHOLDS\x1b[0m \n"), "{colored}");
    assert!(colored
        .contains("    \x1b[32m✓\x1b[0m \x1b[37m'p(95)<100'\x1b[0m \x1b[37mp(95)\x1b[0m=\x1b[36m1.92ms\x1b[0m\n"));
    assert!(colored.contains("\x1b[37mmin!\x1b[0m=\x1b[36mundefined\x1b[0m"));

    // A trend statistic missing from summaryTrendStats prints empty, as in k6; percentiles don't.
    let narrow = vec!["p(95)".into(), "count".into()];
    let text = render_thresholds(&model(&agg, &set, &results, &narrow), &opts);
    assert!(text.contains("    ✗ 'avg<1' avg=\n") && text.contains("'p(99.9) < 500' p(99.9)=1.99ms\n"), "{text}");
    assert_eq!(render_thresholds(&model(&agg, &[], &[], &stats), &opts), "");

    // The section goes right before k6's TOTAL RESULTS: blank, blank, title.
    let full = format!("{text}{}", render_summary(&model(&agg, &set, &results, &narrow), &opts));
    assert!(full.contains("fails them\n\n\n  █ TOTAL RESULTS \n"), "{full}");
}
