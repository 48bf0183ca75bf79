//! Parser tables, evaluation on hand-built aggregates and the HDR accuracy property.

use std::time::Duration;

use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::*;
use crate::metrics::{builtin, Aggregate, LocalSink, MetricKind, Registry, TagSet};

fn registry() -> Registry {
    let mut registry = Registry::new();
    registry.register("websocket_delivery_time", MetricKind::Trend, true).unwrap();
    registry.register("my_gauge", MetricKind::Gauge, false).unwrap();
    registry
}

fn parse_with(registry: &Registry, value: &Value) -> Result<Vec<MetricThresholds>, Vec<String>> {
    parse(value, &|name| registry.get(name))
}

#[test]
fn every_aggregation_and_operator_parses() {
    let table = [
        ("avg<200", Aggregation::Avg, Op::Lt, 200.0),
        ("min>=0", Aggregation::Min, Op::Ge, 0.0),
        ("max <= 1000", Aggregation::Max, Op::Le, 1000.0),
        ("med>5", Aggregation::Med, Op::Gt, 5.0),
        ("p(95)<100", Aggregation::Percentile(95.0), Op::Lt, 100.0),
        ("p(99.9) < 500", Aggregation::Percentile(99.9), Op::Lt, 500.0),
        ("p(0)==0", Aggregation::Percentile(0.0), Op::Eq, 0.0),
        ("p(100)!=1.5", Aggregation::Percentile(100.0), Op::Ne, 1.5),
        ("count===5", Aggregation::Count, Op::StrictEq, 5.0),
        ("count==5", Aggregation::Count, Op::Eq, 5.0),
        ("rate>100", Aggregation::Rate, Op::Gt, 100.0),
        ("  rate  <  0.01  ", Aggregation::Rate, Op::Lt, 0.01),
        ("value>=-1", Aggregation::Value, Op::Ge, -1.0),
        ("value<1e3", Aggregation::Value, Op::Lt, 1000.0),
        ("avg<Infinity", Aggregation::Avg, Op::Lt, f64::INFINITY),
    ];
    for (source, agg, op, value) in table {
        assert_eq!(parse_expression(source), Ok((agg, op, value)), "{source}");
    }
}

#[test]
fn operators_compare_like_k6() {
    assert!(Op::Lt.holds(1.0, 2.0) && !Op::Lt.holds(2.0, 2.0));
    assert!(Op::Le.holds(2.0, 2.0) && !Op::Le.holds(2.1, 2.0));
    assert!(Op::Gt.holds(3.0, 2.0) && !Op::Gt.holds(2.0, 2.0));
    assert!(Op::Ge.holds(2.0, 2.0) && !Op::Ge.holds(1.9, 2.0));
    assert!(Op::Eq.holds(2.0, 2.0) && Op::StrictEq.holds(2.0, 2.0) && !Op::Eq.holds(2.0, 2.5));
    assert!(Op::Ne.holds(2.5, 2.0) && !Op::Ne.holds(2.0, 2.0));
}

#[test]
fn keys_split_metric_and_tag_filter_like_k6() {
    let pairs = |v: &[(&str, &str)]| v.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    assert_eq!(parse_key("http_req_duration"), Ok(("http_req_duration", vec![])));
    assert_eq!(
        parse_key("http_req_duration{expected_response:true}"),
        Ok(("http_req_duration", pairs(&[("expected_response", "true")])))
    );
    assert_eq!(parse_key("group_duration{group:::login}"), Ok(("group_duration", pairs(&[("group", "::login")]))));
    assert_eq!(
        parse_key("http_req_duration{status:200, method : \"GET\"}"),
        Ok(("http_req_duration", pairs(&[("status", "200"), ("method", "GET")])))
    );
    assert_eq!(parse_key("checks{check:a:b}"), Ok(("checks", pairs(&[("check", "a:b")]))));
}

#[test]
fn errors_name_the_key_and_the_expression_and_come_all_at_once() {
    let registry = registry();
    let table: [(Value, &str); 14] = [
        (json!({ "nosuch": ["p(95)<1"] }), r#"invalid thresholds on "nosuch": no metric "nosuch" is declared"#),
        (
            json!({ "http_reqs": ["p(95)<1"] }),
            r#"invalid threshold "p(95)<1" on "http_reqs": p(95) is not supported on a Counter (supported: count, rate)"#,
        ),
        (
            json!({ "http_req_failed": ["value<1"] }),
            r#"invalid threshold "value<1" on "http_req_failed": value is not supported on a Rate (supported: rate)"#,
        ),
        (json!({ "vus": ["rate<1"] }), r#"invalid threshold "rate<1" on "vus": rate is not supported on a Gauge"#),
        (
            json!({ "http_req_duration": ["count>1"] }),
            r#"invalid threshold "count>1" on "http_req_duration": count is not supported on a Trend (supported: avg, min, max, med, p(N))"#,
        ),
        (
            json!({ "http_req_duration": ["p95<1"] }),
            r#"invalid threshold "p95<1" on "http_req_duration": unknown aggregation "p95""#,
        ),
        (
            json!({ "http_req_duration": ["p(95)~1"] }),
            r#"invalid threshold "p(95)~1" on "http_req_duration": expected `aggregation operator number`"#,
        ),
        (
            json!({ "http_req_duration": ["p(95)<abc"] }),
            r#"invalid threshold "p(95)<abc" on "http_req_duration": "abc" after < is not a number"#,
        ),
        (
            json!({ "http_req_duration": ["p( 95 )<1"] }),
            r#""p( 95 )<1" on "http_req_duration": " 95 " in "p( 95 )" is not a number"#,
        ),
        (
            json!({ "http_req_duration": ["p(101)<1"] }),
            r#""p(101)<1" on "http_req_duration": percentile "p(101)" must be between p(0) and p(100)"#,
        ),
        (
            json!({ "http_req_duration{status}": ["p(95)<1"] }),
            r#"invalid thresholds on "http_req_duration{status}": tag filter "status" is not tag:value"#,
        ),
        (
            json!({ "http_req_duration{}": ["p(95)<1"] }),
            r#"invalid thresholds on "http_req_duration{}": tag filter "" is not tag:value"#,
        ),
        (
            json!({ "http_req_duration{status:200": ["p(95)<1"] }),
            r#"on "http_req_duration{status:200": unmatched curly brace"#,
        ),
        (
            json!({ "http_req_duration": [{ "threshold": "p(95)<1", "abortOnFailure": true }] }),
            r#"invalid threshold "p(95)<1" on "http_req_duration": unknown key "abortOnFailure""#,
        ),
    ];
    for (value, expected) in &table {
        let errors = parse_with(&registry, value).expect_err(expected);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains(expected), "got: {}\nwanted: {expected}", errors[0]);
    }
    // Every problem at once, across keys and within one key.
    let all = json!({
        "nosuch": ["p(95)<1"],
        "http_reqs": ["p(95)<1", "count>1", "rate>>1"],
        "http_req_duration{status}": ["avg<1"],
        "http_req_failed": "rate<0.01",
    });
    let errors = parse_with(&registry, &all).unwrap_err();
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(parse_with(&registry, &json!(["p(95)<1"])).unwrap_err()[0].contains("must be a map"));
    assert!(parse_with(&registry, &json!({ "vus": 5 })).unwrap_err()[0].contains("got a number"));
}

#[test]
fn long_form_and_single_string() {
    let registry = registry();
    let set = parse_with(
        &registry,
        &json!({
            "http_req_duration": [{ "threshold": "p(95)<100", "abortOnFail": true, "delayAbortEval": "10s" }, "p(99)<250"],
            "http_req_failed": "rate<0.01",
        }),
    )
    .unwrap();
    let duration = set.iter().find(|m| m.key == "http_req_duration").unwrap();
    assert_eq!(duration.thresholds.len(), 2);
    let first = &duration.thresholds[0];
    assert_eq!(
        (first.source.as_str(), first.abort_on_fail, first.delay_abort_eval),
        ("p(95)<100", true, Duration::from_secs(10))
    );
    assert!(!duration.thresholds[1].abort_on_fail);
    let failed = set.iter().find(|m| m.key == "http_req_failed").unwrap();
    assert_eq!(failed.thresholds[0].agg, Aggregation::Rate);
    let err =
        parse_with(&registry, &json!({ "vus": [{ "threshold": "value<1", "delayAbortEval": "10x" }] })).unwrap_err();
    assert!(err[0].contains("\"value<1\" on \"vus\": delayAbortEval: invalid duration \"10x\""), "{err:?}");
}

/// The seed project's `tests/load/config/thresholds.js`, every `getThresholds` variant.
fn seed_threshold_sets() -> Vec<(&'static str, Value)> {
    let base = json!({
        "http_req_duration": ["p(95)<100", "p(99)<250"],
        "http_req_duration{operation:switchCycle}": ["p(50)<10", "p(95)<50", "p(99)<100"],
        "websocket_delivery_time": ["p(95)<100"],
        "http_req_failed": ["rate<0.01"],
        "http_reqs": ["rate>100"],
        "iteration_duration": ["p(95)<5000"],
    });
    let with = |overrides: Value| {
        let mut set = base.clone();
        for (k, v) in overrides.as_object().unwrap() {
            set[k] = v.clone();
        }
        set
    };
    vec![
        ("baseline", base.clone()),
        ("1k-concurrent", with(json!({ "http_reqs": ["rate>500"] }))),
        (
            "10k-concurrent",
            with(json!({
                "http_reqs": ["rate>1000"],
                "http_req_duration{operation:switchCycle}": ["p(50)<15", "p(95)<50", "p(99)<100"],
            })),
        ),
        (
            "high-frequency",
            with(json!({ "http_req_duration{operation:switchCycle}": ["p(50)<5", "p(95)<50", "p(99)<100"] })),
        ),
        ("websocket-stress", with(json!({ "websocket_delivery_time": ["p(50)<50", "p(95)<100", "p(99)<250"] }))),
        ("sustained", with(json!({ "http_req_failed": ["rate<0.005"] }))),
    ]
}

#[test]
fn seed_threshold_sets_parse_unchanged() {
    let registry = registry(); // declares websocket_delivery_time as a time Trend
    for (name, value) in seed_threshold_sets() {
        let set = parse_with(&registry, &value).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(set.len(), 6, "{name}");
        let switch = set.iter().find(|m| m.key == "http_req_duration{operation:switchCycle}").unwrap();
        assert_eq!(switch.metric, "http_req_duration");
        assert_eq!(switch.filter, [("operation".to_owned(), "switchCycle".to_owned())]);
        assert_eq!(switch.thresholds.len(), 3);
        let sources: Vec<&str> = set.iter().flat_map(|m| m.thresholds.iter().map(|t| t.source.as_str())).collect();
        assert!(sources.contains(&"p(95)<100") && sources.contains(&"p(95)<5000"), "{name}: {sources:?}");
    }
    // The seed's websocket test declares `new Counter('websocket_delivery_time')`; k6 rejects
    // p(95) on a Counter and so do we, naming metric and expression. Without any declaration
    // (the seed's other tests) the key is an error too, as in k6.
    let mut counter = Registry::new();
    counter.register("websocket_delivery_time", MetricKind::Counter, false).unwrap();
    let errors = parse_with(&counter, &seed_threshold_sets()[0].1).unwrap_err();
    assert_eq!(
        errors,
        [
            r#"invalid threshold "p(95)<100" on "websocket_delivery_time": p(95) is not supported on a Counter (supported: count, rate)"#
        ]
    );
    let errors = parse_with(&Registry::new(), &seed_threshold_sets()[0].1).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].starts_with(r#"invalid thresholds on "websocket_delivery_time": no metric"#), "{errors:?}");
}

/// A small run: 100 switchCycle requests of 1..=100 ms, 100 other requests of 1001..=1100 ms
/// (one of them failed), a login group, 5 gauge writes.
fn sample_aggregate(registry: &Registry) -> Aggregate {
    let mut sink = LocalSink::new();
    let base = TagSet::new().with("method", "GET").with("status", "200").with("expected_response", "true");
    for i in 1..=100 {
        let switch = base.clone().with("operation", "switchCycle");
        sink.record(builtin::HTTP_REQ_DURATION, &switch, i as f64);
        sink.record(builtin::HTTP_REQS, &switch, 1.0);
        sink.record(builtin::HTTP_REQ_FAILED, &switch, 0.0);
        let other = if i == 50 {
            TagSet::new().with("method", "GET").with("status", "500").with("expected_response", "false")
        } else {
            base.clone()
        };
        sink.record(builtin::HTTP_REQ_DURATION, &other, 1000.0 + i as f64);
        sink.record(builtin::HTTP_REQS, &other, 1.0);
        sink.record(builtin::HTTP_REQ_FAILED, &other, (i == 50) as u8 as f64);
    }
    sink.record(builtin::GROUP_DURATION, &TagSet::new().with("group", "::login"), 40.0);
    sink.record(builtin::GROUP_DURATION, &TagSet::new().with("group", "::logout"), 900.0);
    let gauge = registry.get("my_gauge").unwrap();
    for v in [1.0, 7.0, 3.0, 2.0, 5.0] {
        sink.record(gauge, &TagSet::new(), v);
    }
    let mut agg = Aggregate::new();
    sink.flush_into(&mut agg, registry);
    agg
}

fn observed(results: &[ThresholdResult], key: &str, source: &str) -> (bool, Option<f64>) {
    let r = results.iter().find(|r| r.key == key && r.source == source).unwrap_or_else(|| panic!("{key} {source}"));
    (r.passed, r.observed)
}

#[test]
fn evaluation_reads_each_aggregation_from_the_right_samples() {
    let registry = registry();
    let agg = sample_aggregate(&registry);
    let set = parse_with(
        &registry,
        &json!({
            "http_req_duration": ["avg<500", "min==1", "max>=1100", "med<600", "p(95)<1000"],
            "http_req_duration{operation:switchCycle}": ["p(50)<51", "p(95)<95", "max<=100"],
            "http_req_duration{expected_response:true}": ["max<1100"],
            "http_req_duration{status:404}": ["p(95)<100"],
            "group_duration{group:::login}": ["avg<50"],
            "http_reqs": ["rate>100", "rate>=100", "count===200"],
            "http_req_failed": ["rate<0.005", "rate<=0.005"],
            "my_gauge": ["value==5"],
        }),
    )
    .unwrap();
    let results = evaluate(&set, &agg, Duration::from_secs(2), false);
    assert_eq!(results.len(), 17);
    let close = |got: Option<f64>, want: f64| (got.unwrap() - want).abs() <= want * 0.001;

    let (passed, avg) = observed(&results, "http_req_duration", "avg<500");
    assert!(!passed && avg == Some(550.5), "{avg:?}"); // exact mean of 1..=100 and 1001..=1100
    assert_eq!(observed(&results, "http_req_duration", "min==1"), (true, Some(1.0)));
    assert_eq!(observed(&results, "http_req_duration", "max>=1100"), (true, Some(1100.0)));
    let (passed, med) = observed(&results, "http_req_duration", "med<600");
    assert!(passed && close(med, 550.5), "{med:?}"); // between 100 and 1001
    let (passed, p95) = observed(&results, "http_req_duration", "p(95)<1000");
    assert!(!passed && close(p95, 1090.05), "{p95:?}");

    // Sub-metric: only the 100 switchCycle samples (1..=100).
    let (passed, p50) = observed(&results, "http_req_duration{operation:switchCycle}", "p(50)<51");
    assert!(passed && close(p50, 50.5), "{p50:?}");
    let (passed, p95) = observed(&results, "http_req_duration{operation:switchCycle}", "p(95)<95");
    assert!(!passed && close(p95, 95.05), "{p95:?}");
    assert_eq!(observed(&results, "http_req_duration{operation:switchCycle}", "max<=100"), (true, Some(100.0)));
    // expected_response:true leaves out the one 1050 ms failure but keeps 1100.
    assert_eq!(observed(&results, "http_req_duration{expected_response:true}", "max<1100"), (false, Some(1100.0)));
    // Group sub-metric: the `group` tag value is `::login`.
    assert_eq!(observed(&results, "group_duration{group:::login}", "avg<50"), (true, Some(40.0)));

    // Counter rate over the 2 s test: 200 / 2 = 100 per second.
    assert_eq!(observed(&results, "http_reqs", "rate>100"), (false, Some(100.0)));
    assert_eq!(observed(&results, "http_reqs", "rate>=100"), (true, Some(100.0)));
    assert_eq!(observed(&results, "http_reqs", "count===200"), (true, Some(200.0)));
    assert_eq!(observed(&results, "http_req_failed", "rate<0.005"), (false, Some(0.005)));
    assert_eq!(observed(&results, "http_req_failed", "rate<=0.005"), (true, Some(0.005)));
    assert_eq!(observed(&results, "my_gauge", "value==5"), (true, Some(5.0)));

    // No sample has status 404: as in k6, the empty trend's p(95) is 0, which passes (the
    // summary says there were no samples); strict fails it.
    assert_eq!(observed(&results, "http_req_duration{status:404}", "p(95)<100"), (true, Some(0.0)));
    let strict = evaluate(&set, &agg, Duration::from_secs(2), true);
    assert_eq!(observed(&strict, "http_req_duration{status:404}", "p(95)<100"), (false, Some(0.0)));
    assert_eq!(
        strict
            .iter()
            .filter(|r| r.passed != results.iter().find(|o| o.source == r.source && o.key == r.key).unwrap().passed)
            .count(),
        1
    );
    assert!(!all_passed(&results));
}

#[test]
fn abort_on_fail_waits_for_delay_abort_eval() {
    let registry = registry();
    let agg = sample_aggregate(&registry);
    let set = parse_with(
        &registry,
        &json!({
            "http_req_duration": [{ "threshold": "p(95)<10", "abortOnFail": true, "delayAbortEval": "10s" }],
            "http_req_duration{status:404}": [{ "threshold": "p(95)<10", "abortOnFail": true }],
            "http_reqs": ["count<1"],
        }),
    )
    .unwrap();
    let results = evaluate(&set, &agg, Duration::from_secs(2), true);
    let by_key = |key: &str| results.iter().find(|r| r.key == key).unwrap();
    assert!(!by_key("http_req_duration").aborts(Duration::from_secs(10)));
    assert!(by_key("http_req_duration").aborts(Duration::from_millis(10_001)));
    assert!(!by_key("http_req_duration{status:404}").aborts(Duration::from_secs(60)), "no samples never aborts");
    assert!(!by_key("http_reqs").aborts(Duration::from_secs(60)), "failed but not abortOnFail");
}

/// k6's percentile: linear interpolation between sorted neighbours (`TrendSink.P`).
fn exact_percentile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (sorted[position.floor() as usize], sorted[position.ceil() as usize]);
    lo + (hi - lo) * (position - position.floor())
}

#[test]
fn percentiles_the_evaluator_reports_are_within_a_tenth_of_a_percent_of_exact() {
    let normal = |rng: &mut rand::rngs::StdRng| {
        let (u1, u2): (f64, f64) = (1.0 - rng.random::<f64>(), rng.random());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    };
    type Draw = fn(&mut rand::rngs::StdRng, &dyn Fn(&mut rand::rngs::StdRng) -> f64) -> f64;
    let shapes: [(&str, Draw); 3] = [
        ("uniform", |rng, _| 2.0 + 4998.0 * rng.random::<f64>()),
        ("log-normal", |rng, normal| 2.0 + (3.5 + 1.0 * normal(rng)).exp()),
        ("bimodal", |rng, normal| {
            if rng.random::<f64>() < 0.8 {
                15.0 + 3.0 * normal(rng).abs()
            } else {
                800.0 + 120.0 * normal(rng).abs()
            }
        }),
    ];
    let percentiles = [1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 100.0];
    let exprs: Vec<String> = percentiles.iter().map(|p| format!("p({p})<1e12")).chain(["med<1e12".into()]).collect();
    for seed in 0..4u64 {
        for (name, draw) in shapes {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let n = rng.random_range(50..30_000);
            let mut values: Vec<f64> = (0..n).map(|_| draw(&mut rng, &normal)).collect();
            let registry = Registry::new();
            let mut sink = LocalSink::new();
            for (i, &v) in values.iter().enumerate() {
                // Spread over a few series so the evaluator's merge is exercised too.
                sink.record(builtin::HTTP_REQ_DURATION, &TagSet::new().with("shard", &(i % 3).to_string()), v);
            }
            let mut agg = Aggregate::new();
            sink.flush_into(&mut agg, &registry);
            let set = parse(&json!({ "http_req_duration": exprs }), &|n| registry.get(n)).unwrap();
            let results = evaluate(&set, &agg, Duration::from_secs(1), false);
            values.sort_by(f64::total_cmp);
            for (p, result) in percentiles.iter().chain([&50.0]).zip(&results) {
                let exact = exact_percentile(&values, p / 100.0);
                let got = result.observed.unwrap();
                let error = (got - exact).abs() / exact;
                assert!(
                    error <= 0.001,
                    "{name} seed {seed} n {n}: {} = {got}, exact {exact} ({error:.5})",
                    result.source
                );
            }
        }
    }
}

#[test]
fn gauges_take_last_min_max_avg_and_slope_but_not_percentiles() {
    let registry = registry();
    let set =
        parse_with(&registry, &json!({ "my_gauge": ["last<9", "min>0", "max<10000", "avg<4", "slope<100"] })).unwrap();
    let aggs: Vec<Aggregation> = set[0].thresholds.iter().map(|t| t.agg).collect();
    let want = [Aggregation::Last, Aggregation::Min, Aggregation::Max, Aggregation::Avg, Aggregation::Slope];
    assert_eq!(aggs, want);
    let errors =
        parse_with(&registry, &json!({ "my_gauge": ["p(95)<1"], "http_req_duration": ["slope<1"] })).unwrap_err();
    assert!(
        errors.contains(
            &r#"invalid threshold "p(95)<1" on "my_gauge": p(95) is not supported on a Gauge (supported: value, last, min, max, avg, slope)"#
                .to_owned()
        ),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("slope is not supported on a Trend")), "{errors:?}");
}

#[test]
fn gauge_aggregations_read_every_value_and_a_slope_needs_two_timed_values() {
    let registry = registry();
    let agg = sample_aggregate(&registry); // my_gauge: 1, 7, 3, 2, 5 (no test running: no slope time)
    let set =
        parse_with(&registry, &json!({ "my_gauge": ["last==5", "min==1", "max<7", "avg==3.6", "slope<100"] })).unwrap();
    let results = evaluate(&set, &agg, Duration::from_secs(2), false);
    assert_eq!(observed(&results, "my_gauge", "last==5"), (true, Some(5.0)));
    assert_eq!(observed(&results, "my_gauge", "min==1"), (true, Some(1.0)));
    assert_eq!(observed(&results, "my_gauge", "max<7"), (false, Some(7.0)));
    assert_eq!(observed(&results, "my_gauge", "avg==3.6"), (true, Some(3.6)));
    assert_eq!(observed(&results, "my_gauge", "slope<100"), (true, None), "no timed value: no samples");
    let strict = evaluate(&set, &agg, Duration::from_secs(2), true);
    assert_eq!(observed(&strict, "my_gauge", "slope<100"), (false, None));

    // A queue that grows by 50 every 5 s grows 600 per minute; one held flat does not grow.
    let gauge = |values: &[(f64, f64)]| {
        let mut sink = crate::metrics::SeriesSink::new(MetricKind::Gauge);
        for (seq, &(t, v)) in values.iter().enumerate() {
            sink.add_at(v, seq as u64 + 1, Some(t));
        }
        let crate::metrics::SeriesSink::Gauge(g) = sink else { unreachable!() };
        g
    };
    let growing = gauge(&[(0.0, 100.0), (5.0, 150.0), (10.0, 200.0), (15.0, 250.0)]);
    let slope = gauge_value(Aggregation::Slope, &growing).unwrap();
    assert!((slope - 600.0).abs() < 1e-9, "{slope}");
    let flat = gauge(&[(0.0, 3.0), (5.0, 0.0), (10.0, 3.0), (15.0, 0.0), (20.0, 3.0)]);
    assert!(gauge_value(Aggregation::Slope, &flat).unwrap().abs() < 10.0);
}
