//! The model's rules, each decided once here: scopes by scenario and exact group, the group
//! tree's order, checks merged by name, k6's implicit sub-metric, threshold keys.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::metrics::{builtin, LocalSink, MetricKind, Registry, TagSet};
use crate::thresholds::{evaluate, parse};

/// Two scenarios; `default` has no `scenario` tag. Groups `::b` (seen first) and `::a::inner`.
fn recorded() -> (Registry, Aggregate) {
    let registry = Registry::new();
    let mut sink = LocalSink::new();
    let at = |scenario: Option<&str>, group: &str| {
        let tags = TagSet::new().with("group", group);
        match scenario {
            Some(s) => tags.with("scenario", s),
            None => tags,
        }
    };
    let check = |sink: &mut LocalSink, tags: TagSet, name: &str, pass: bool| {
        sink.record(builtin::CHECKS, &tags.with("check", name), pass as u8 as f64);
    };
    check(&mut sink, at(None, "::b"), "b ok", true);
    check(&mut sink, at(None, ""), "root ok", true);
    check(&mut sink, at(None, "::a::inner"), "deep", false);
    check(&mut sink, at(Some("api"), ""), "root ok", false);
    check(&mut sink, at(Some("api"), "::a"), "in a", true);
    let ok = |tags: TagSet| tags.with("expected_response", "true");
    sink.record(builtin::HTTP_REQ_DURATION, &ok(at(None, "")), 2.0);
    sink.record(builtin::HTTP_REQ_DURATION, &at(Some("api"), "::a").with("expected_response", "false"), 4.0);
    sink.record(builtin::HTTP_REQ_DURATION, &ok(at(Some("api"), "::a")), 6.0);
    sink.record(builtin::VUS, &TagSet::new(), 3.0);
    let mut agg = Aggregate::new();
    sink.flush_into(&mut agg, &registry);
    (registry, agg)
}

fn stats() -> Vec<String> {
    ["avg", "max", "count", "nope"].map(String::from).to_vec()
}

fn build<'a>(
    agg: &'a Aggregate,
    set: &'a [crate::thresholds::MetricThresholds],
    verdicts: &'a [crate::thresholds::ThresholdResult],
    stats: &'a [String],
) -> RunResults<'a> {
    let finished = Finished {
        aggregate: agg,
        thresholds: set,
        verdicts,
        trend_stats: stats,
        test_duration: Duration::from_secs(2),
    };
    RunResults::build(finished, RunCounts::default())
}

fn names(group: &Group) -> Vec<String> {
    group.groups.iter().flat_map(|g| std::iter::once(g.path.clone()).chain(names(g))).collect()
}

#[test]
fn one_group_tree_for_every_scenario_and_one_per_scenario() {
    let (_, agg) = recorded();
    let stats = stats();
    let run = build(&agg, &[], &[], &stats);
    assert_eq!(names(&run.root_group), ["::b", "::a", "::a::inner"], "ordered by first sample");
    let default = run.scenario("default").unwrap();
    assert_eq!(names(&default.root_group), ["::b", "::a", "::a::inner"]);
    let api = run.scenario("api").unwrap();
    assert_eq!(names(&api.root_group), ["::a"]);
    assert_eq!(run.scenarios.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["api", "default"]);

    // A group holds what was recorded in exactly that group: `::a` itself has no `deep` check.
    let a = &run.root_group.groups[1];
    assert_eq!(a.results.checks, [CheckCount { name: "in a".into(), passes: 1, fails: 0 }]);
    assert_eq!(a.groups[0].results.checks[0].name, "deep");
    assert_eq!(a.results.metric("http_req_duration").unwrap().value("count"), Some(2.0));
}

#[test]
fn checks_merge_by_name_within_a_scope() {
    let (_, agg) = recorded();
    let stats = stats();
    let run = build(&agg, &[], &[], &stats);
    let total: Vec<(&str, u64, u64)> = run.total.checks.iter().map(|c| (c.name.as_str(), c.passes, c.fails)).collect();
    assert_eq!(total, [("b ok", 1, 0), ("root ok", 1, 1), ("deep", 0, 1), ("in a", 1, 0)]);
    // The root group of every scenario: both `root ok` samples, still one entry.
    assert_eq!(run.root_group.results.checks, [CheckCount { name: "root ok".into(), passes: 1, fails: 1 }]);
}

#[test]
fn total_adds_expected_response_and_threshold_keys_with_k6s_values() {
    let (registry, agg) = recorded();
    let set =
        parse(&json!({ "http_req_duration{scenario:api}": ["max<5"], "http_reqs": ["count>0"] }), &|n| registry.get(n))
            .unwrap();
    let verdicts = evaluate(&set, &agg, Duration::from_secs(2), false);
    let stats = stats();
    let run = build(&agg, &set, &verdicts, &stats);
    let origins: Vec<(&str, Origin)> = run.total.metrics.iter().map(|m| (m.name.as_str(), m.origin)).collect();
    assert_eq!(
        origins,
        [
            ("checks", Origin::Metric),
            ("http_req_duration", Origin::Metric),
            ("http_req_duration{expected_response:true}", Origin::ExpectedResponse),
            ("http_req_duration{scenario:api}", Origin::Threshold),
            ("http_reqs", Origin::Threshold),
            ("vus", Origin::Metric),
        ]
    );
    let expected = run.total.metric("http_req_duration{expected_response:true}").unwrap();
    assert_eq!(expected.values, [("avg".to_owned(), 4.0), ("max".to_owned(), 6.0), ("count".to_owned(), 2.0)]);
    let reqs = run.total.metric("http_reqs").unwrap();
    assert_eq!(reqs.id.kind(), MetricKind::Counter);
    assert_eq!(reqs.values, [("count".to_owned(), 0.0), ("rate".to_owned(), 0.0)], "zero values without samples");
    assert_eq!(run.total.metric("checks").unwrap().value("passes"), Some(3.0));

    let api = run.threshold("http_req_duration{scenario:api}").unwrap();
    assert!(api.is_submetric());
    assert_eq!((api.verdicts[0].ok, api.verdicts[0].observed), (false, Some(6.0)));
    let reqs = run.threshold("http_reqs").unwrap();
    // No request was made: as in k6, `count>0` reads the empty counter's 0 and fails.
    assert!(reqs.samples.is_none() && !reqs.verdicts[0].ok && reqs.verdicts[0].observed == Some(0.0));
}
