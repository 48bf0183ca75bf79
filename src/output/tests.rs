//! The exports against real k6 v1.1 output, and the series export's exact round trip.

use std::time::Duration;

use serde_json::{json, Value};

use super::*;
use crate::metrics::{builtin, Aggregate, LocalSink, MetricKind, Registry, SeriesSink, TagSet};
use crate::results::{Finished, RunCounts, RunResults};
use crate::thresholds::{self, MetricThresholds, ThresholdResult};

/// `k6 run --summary-export` of the script in [`k6_run`], with the metrics that depend on
/// timing (group_duration, iteration_duration, data_*) left out.
const K6_SUMMARY_EXPORT: &str = r#"{"metrics": {"checks": {"fails": 2, "passes": 10, "value": 0.8333333333333334}, "iterations": {"count": 4, "rate": 14822.116079402074}, "my_counter": {"count": 12, "rate": 44466.34823820622, "thresholds": {"count>1": false}}, "my_gauge": {"max": 4, "min": 1, "thresholds": {"value<10": false}, "value": 4}, "my_rate": {"fails": 1, "passes": 3, "thresholds": {"rate>0.5": false}, "value": 0.75}, "my_trend": {"avg": 15, "max": 20, "med": 15, "min": 10, "p(90)": 20, "p(95)": 20, "thresholds": {"avg<100": false, "p(95)<15": true}}, "my_trend{kind:a}": {"avg": 10, "max": 10, "med": 10, "min": 10, "p(90)": 10, "p(95)": 10, "thresholds": {"max<5": true}}}, "root_group": {"checks": {"root check": {"fails": 0, "id": "060bf8e804882ca89365ce6437b83055", "name": "root check", "passes": 4, "path": "::root check"}}, "groups": {"g one": {"checks": {"in group": {"fails": 2, "id": "814189cfc64923b4906c8f9f74fdb3fb", "name": "in group", "passes": 2, "path": "::g one::in group"}}, "groups": {"inner": {"checks": {"deep": {"fails": 0, "id": "9c8bad643bb9aa8d4fd988968bd952f5", "name": "deep", "passes": 4, "path": "::g one::inner::deep"}}, "groups": {}, "id": "ec951b2e10053fa4af700410021db4b2", "name": "inner", "path": "::g one::inner"}}, "id": "fb2031917cfc18ac9bb285bc744fb590", "name": "g one", "path": "::g one"}}, "id": "d41d8cd98f00b204e9800998ecf8427e", "name": "", "path": ""}}"#;

/// `JSON.stringify(data)` in `handleSummary` of the same k6 run.
const K6_HANDLE_SUMMARY: &str = r#"{"metrics": {"checks": {"contains": "default", "type": "rate", "values": {"fails": 2, "passes": 10, "rate": 0.8333333333333334}}, "iterations": {"contains": "default", "type": "counter", "values": {"count": 4, "rate": 14822.116079402074}}, "my_counter": {"contains": "default", "thresholds": {"count>1": {"ok": true}}, "type": "counter", "values": {"count": 12, "rate": 44466.34823820622}}, "my_gauge": {"contains": "default", "thresholds": {"value<10": {"ok": true}}, "type": "gauge", "values": {"max": 4, "min": 1, "value": 4}}, "my_rate": {"contains": "default", "thresholds": {"rate>0.5": {"ok": true}}, "type": "rate", "values": {"fails": 1, "passes": 3, "rate": 0.75}}, "my_trend": {"contains": "time", "thresholds": {"avg<100": {"ok": true}, "p(95)<15": {"ok": false}}, "type": "trend", "values": {"avg": 15, "max": 20, "med": 15, "min": 10, "p(90)": 20, "p(95)": 20}}, "my_trend{kind:a}": {"contains": "time", "thresholds": {"max<5": {"ok": false}}, "type": "trend", "values": {"avg": 10, "max": 10, "med": 10, "min": 10, "p(90)": 10, "p(95)": 10}}}, "options": {"noColor": false, "summaryTimeUnit": "", "summaryTrendStats": ["avg", "min", "med", "max", "p(90)", "p(95)"]}, "root_group": {"checks": [{"fails": 0, "id": "060bf8e804882ca89365ce6437b83055", "name": "root check", "passes": 4, "path": "::root check"}], "groups": [{"checks": [{"fails": 2, "id": "814189cfc64923b4906c8f9f74fdb3fb", "name": "in group", "passes": 2, "path": "::g one::in group"}], "groups": [{"checks": [{"fails": 0, "id": "9c8bad643bb9aa8d4fd988968bd952f5", "name": "deep", "passes": 4, "path": "::g one::inner::deep"}], "groups": [], "id": "ec951b2e10053fa4af700410021db4b2", "name": "inner", "path": "::g one::inner"}], "id": "fb2031917cfc18ac9bb285bc744fb590", "name": "g one", "path": "::g one"}], "id": "d41d8cd98f00b204e9800998ecf8427e", "name": "", "path": ""}, "state": {"isStdErrTTY": false, "isStdOutTTY": false, "testRunDurationMs": 0.269867}}"#;

/// Our side of this k6 v1.1 run (`vus: 1, iterations: 4`, run time 0.269867 ms):
///
/// ```js
/// thresholds: { my_trend: ['p(95)<15', 'avg<100'], 'my_trend{kind:a}': ['max<5'],
///               my_counter: ['count>1'], my_rate: ['rate>0.5'], my_gauge: ['value<10'] },
/// export default function () {
///   check(1, { 'root check': () => true });
///   group('g one', () => {
///     check(1, { 'in group': () => __ITER % 2 == 0 });
///     group('inner', () => { check(1, { 'deep': () => true }); });
///   });
///   t.add(10, { kind: 'a' }); t.add(20, { kind: 'b' });
///   c.add(3); r.add(__ITER < 3); g.add(__ITER + 1);
/// }
/// ```
fn k6_run() -> (Registry, Aggregate, Vec<MetricThresholds>, Vec<ThresholdResult>, Duration) {
    let mut registry = Registry::new();
    let trend = registry.register("my_trend", MetricKind::Trend, true).unwrap();
    let counter = registry.register("my_counter", MetricKind::Counter, false).unwrap();
    let rate = registry.register("my_rate", MetricKind::Rate, false).unwrap();
    let gauge = registry.register("my_gauge", MetricKind::Gauge, false).unwrap();
    let mut sink = LocalSink::new();
    let check = |group: &str, name: &str| TagSet::new().with("group", group).with("check", name);
    for iter in 0..4 {
        sink.record(builtin::CHECKS, &check("", "root check"), 1.0);
        sink.record(builtin::CHECKS, &check("::g one", "in group"), (iter % 2 == 0) as u8 as f64);
        sink.record(builtin::CHECKS, &check("::g one::inner", "deep"), 1.0);
        sink.record(trend, &TagSet::new().with("kind", "a"), 10.0);
        sink.record(trend, &TagSet::new().with("kind", "b"), 20.0);
        sink.record(counter, &TagSet::new(), 3.0);
        sink.record(rate, &TagSet::new(), (iter < 3) as u8 as f64);
        sink.record(gauge, &TagSet::new(), (iter + 1) as f64);
        sink.record(builtin::ITERATIONS, &TagSet::new(), 1.0);
    }
    let mut agg = Aggregate::new();
    sink.flush_into(&mut agg, &registry);
    let set = thresholds::parse(
        &json!({
            "my_trend": ["p(95)<15", "avg<100"],
            "my_trend{kind:a}": ["max<5"],
            "my_counter": ["count>1"],
            "my_rate": ["rate>0.5"],
            "my_gauge": ["value<10"],
        }),
        &|name| registry.get(name),
    )
    .unwrap();
    let duration = Duration::from_nanos(269_867);
    let results = thresholds::evaluate(&set, &agg, duration, false);
    (registry, agg, set, results, duration)
}

/// The results model of a run that recorded `aggregate`, the only input of every renderer.
fn model<'a>(
    aggregate: &'a Aggregate,
    thresholds: &'a [MetricThresholds],
    verdicts: &'a [ThresholdResult],
    trend_stats: &'a [String],
    test_duration: Duration,
) -> RunResults<'a> {
    RunResults::build(Finished { aggregate, thresholds, verdicts, trend_stats, test_duration }, RunCounts::default())
}

fn default_stats() -> Vec<String> {
    ["avg", "min", "med", "max", "p(90)", "p(95)"].map(String::from).to_vec()
}

/// Same keys everywhere, same strings and booleans, numbers within 0.1 % (trend percentiles
/// come from the HDR histogram).
fn assert_json_close(ours: &Value, k6: &Value, path: &str) {
    match (ours, k6) {
        (Value::Object(a), Value::Object(b)) => {
            let (ka, kb): (Vec<_>, Vec<_>) = (a.keys().collect(), b.keys().collect());
            assert_eq!(ka, kb, "keys at {path}");
            for (k, v) in a {
                assert_json_close(v, &b[k], &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "length at {path}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_json_close(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!((a - b).abs() <= 1e-3 * b.abs().max(1e-9), "{path}: ours {a}, k6 {b}");
        }
        (a, b) => assert_eq!(a, b, "at {path}"),
    }
}

#[test]
fn summary_export_has_k6s_shape_and_values() {
    let (_, agg, set, results, duration) = k6_run();
    let stats = default_stats();
    let run = model(&agg, &set, &results, &stats, duration);
    let ours = summary_export_json(&run);
    assert_json_close(&ours, &serde_json::from_str(K6_SUMMARY_EXPORT).unwrap(), "");
    // k6 exports "failed", not "ok"; whole numbers without a fraction, like Go.
    assert_eq!(ours["metrics"]["my_trend"]["thresholds"], json!({ "p(95)<15": true, "avg<100": false }));
    assert_eq!(serde_json::to_string(&ours["metrics"]["my_counter"]["count"]).unwrap(), "12");
}

#[test]
fn handle_summary_data_has_k6s_shape_and_values() {
    let (_, agg, set, results, duration) = k6_run();
    let stats = default_stats();
    let run = model(&agg, &set, &results, &stats, duration);
    let mut ours = handle_summary_data(&run, SummaryState::default(), None);
    // rload's one addition, beside k6's keys, which stay exactly k6's.
    let failed = ours.as_object_mut().unwrap().remove(FAILED_REQUESTS_KEY);
    assert_eq!(failed, Some(json!({ "total": 0, "rows": [], "other": null })));
    assert_json_close(&ours, &serde_json::from_str(K6_HANDLE_SUMMARY).unwrap(), "");
    assert_eq!(ours["metrics"]["my_trend{kind:a}"]["thresholds"], json!({ "max<5": { "ok": false } }));
}

#[test]
fn exports_list_threshold_keys_without_samples_and_use_the_trend_stats() {
    let (registry, agg, _, _, duration) = k6_run();
    let set =
        thresholds::parse(&json!({ "my_trend{kind:c}": ["p(99)<1"], "http_req_failed": ["rate<0.01"] }), &|name| {
            registry.get(name)
        })
        .unwrap();
    let results = thresholds::evaluate(&set, &agg, duration, true);
    let stats = vec!["p(99)".to_owned(), "count".to_owned()];
    let run = model(&agg, &set, &results, &stats, duration);
    let export = summary_export_json(&run);
    assert_eq!(
        export["metrics"]["my_trend{kind:c}"],
        json!({ "p(99)": 0, "count": 0, "thresholds": { "p(99)<1": true } })
    );
    assert_eq!(
        export["metrics"]["http_req_failed"],
        json!({ "passes": 0, "fails": 0, "value": 0, "thresholds": { "rate<0.01": true } })
    );
    assert_eq!(export["metrics"]["my_trend"], json!({ "p(99)": 20, "count": 8 }));
    let data = handle_summary_data(
        &run,
        SummaryState { no_color: true, stdout_tty: true, stderr_tty: false, time_unit: None },
        None,
    );
    assert_eq!(
        data["options"],
        json!({ "summaryTrendStats": ["p(99)", "count"], "summaryTimeUnit": "", "noColor": true })
    );
    assert_eq!(data["state"]["isStdOutTTY"], json!(true));
    assert_eq!(data["metrics"]["http_req_failed"]["thresholds"], json!({ "rate<0.01": { "ok": false } }));
}

/// Every series' statistics are identical, percentiles included.
fn assert_same(a: &Aggregate, b: &Aggregate) {
    assert_eq!(a.metrics().count(), b.metrics().count());
    for metric in a.metrics() {
        let other = b.metric_by_name(metric.name()).unwrap_or_else(|| panic!("{}", metric.name()));
        assert_eq!(metric.id(), other.id());
        assert_eq!(metric.series().count(), other.series().count(), "{}", metric.name());
        for (tags, series) in metric.series() {
            let (_, theirs) = other.series().find(|(t, _)| *t == tags).unwrap();
            match (&series.sink, &theirs.sink) {
                (SeriesSink::Trend(x), SeriesSink::Trend(y)) => {
                    assert_eq!(x, y, "{} {tags:?}", metric.name());
                    for q in [0.0, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
                        assert_eq!(x.percentile(q).to_bits(), y.percentile(q).to_bits());
                    }
                }
                // The write order of gauges is process-local; value, min and max travel.
                (SeriesSink::Gauge(x), SeriesSink::Gauge(y)) => {
                    assert_eq!((x.value(), x.min(), x.max()), (y.value(), y.min(), y.max()), "{}", metric.name());
                }
                (x, y) => assert_eq!(x, y, "{} {tags:?}", metric.name()),
            }
        }
    }
}

fn record_process(sink: &mut LocalSink, registry: &Registry, seed: u64, n: usize) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let custom = registry.get("ws_delivery").unwrap();
    for i in 0..n {
        let status = if i % 17 == 0 { "500" } else { "200" };
        let tags = TagSet::new().with("status", status).with("scenario", "api");
        sink.record(builtin::HTTP_REQ_DURATION, &tags, 0.2 + rng.random::<f64>().powi(3) * 3000.0);
        sink.record(builtin::HTTP_REQS, &tags, 1.0);
        sink.record(builtin::HTTP_REQ_FAILED, &tags, (status == "500") as u8 as f64);
        sink.record(builtin::VUS, &TagSet::new(), (i % 10) as f64);
        sink.record(custom, &TagSet::new(), rng.random::<f64>() * 50.0 - 1.0);
        sink.record(
            builtin::CHECKS,
            &TagSet::new().with("check", "ok").with("group", "::g"),
            (i % 5 != 0) as u8 as f64,
        );
    }
}

#[test]
fn series_export_round_trips_and_merges_exactly() {
    let mut registry = Registry::new();
    registry.register("ws_delivery", MetricKind::Trend, true).unwrap();
    let (mut one, mut two, mut both) = (Aggregate::new(), Aggregate::new(), Aggregate::new());
    let mut sink = LocalSink::new();
    record_process(&mut sink, &registry, 1, 5_000);
    sink.flush_into(&mut one, &registry);
    record_process(&mut sink, &registry, 2, 7_000);
    sink.flush_into(&mut two, &registry);
    record_process(&mut sink, &registry, 1, 5_000);
    record_process(&mut sink, &registry, 2, 7_000);
    sink.flush_into(&mut both, &registry);

    // Through text, as between processes; the importer has never seen the custom metric.
    let text = |agg: &Aggregate| serde_json::to_string(&histograms::export(agg)).unwrap();
    let mut importer = Registry::new();
    let read = |s: String, r: &mut Registry| histograms::import(&serde_json::from_str(&s).unwrap(), r).unwrap();
    let back_one = read(text(&one), &mut importer);
    assert_same(&back_one, &one);

    let mut merged = back_one;
    merged.merge(&read(text(&two), &mut importer));
    let mut expected = one.clone();
    expected.merge(&two);
    assert_same(&merged, &expected);
    // …and the merge's percentiles are those of one process that saw every sample.
    let p = |agg: &Aggregate, q: f64| match agg.metric_by_name("http_req_duration").unwrap().merged() {
        SeriesSink::Trend(t) => (t.count(), t.percentile(q).to_bits()),
        _ => unreachable!(),
    };
    for q in [0.5, 0.9, 0.95, 0.99] {
        assert_eq!(p(&merged, q), p(&both, q));
    }
    let exported = histograms::export(&one);
    let duration = exported["metrics"].as_array().unwrap().iter().find(|m| m["name"] == "http_req_duration").unwrap();
    let histogram = &duration["series"][0]["histogram"];
    assert!(histogram.as_str().unwrap().starts_with("HISTFAAA"), "standard V2 deflate encoding: {histogram}");
}

#[test]
fn a_run_export_carries_its_run_and_failed_requests_back_to_the_merge() {
    let mut registry = Registry::new();
    registry.register("ws_delivery", MetricKind::Trend, true).unwrap();
    registry.register("never_seen", MetricKind::Counter, false).unwrap();
    let (mut agg, mut sink) = (Aggregate::new(), LocalSink::new());
    record_process(&mut sink, &registry, 3, 200);
    sink.flush_into(&mut agg, &registry);
    let mut failures = crate::metrics::FailureTally::new();
    let long = format!("dial tcp 10.0.0.1:80: {}", "x".repeat(200));
    for _ in 0..3 {
        failures.record(1211, &long);
    }
    failures.record(1500, "request timeout");
    agg.merge_failures(&failures);
    let set = thresholds::parse(&json!({ "never_seen": ["count>0"] }), &|n| registry.get(n)).unwrap();
    let counts = RunCounts {
        failed_iterations: 2,
        script_errors: vec![("boom".into(), 2)],
        overflowed: vec![crate::results::Overflow {
            metric: "http_reqs".into(),
            samples: 7,
            culprit: Some(("url".into(), 1000)),
        }],
        ..RunCounts::default()
    };
    let finished = Finished {
        aggregate: &agg,
        thresholds: &set,
        verdicts: &[],
        trend_stats: &[],
        test_duration: Duration::from_millis(10_250),
    };
    let results = RunResults::build(finished, counts.clone());
    let header = histograms::RunHeader {
        script: "t.rhai".into(),
        script_md5: "abc".into(),
        thresholds: json!({ "http_reqs": ["count>1"] }),
        execution_segment: "1/4:1/2".into(),
        execution_segment_sequence: "0,1/4,1/2,3/4,1".into(),
        summary_trend_stats: vec!["avg".into(), "p(99)".into()],
        summary_time_unit: "ms".into(),
        ended_at_unix_ms: 42,
        marked_failed: true,
        end: Some(histograms::InstanceEnd { code: 108, reason: "test aborted: backend down".into() }),
    };
    let text = HistogramExport { run: &header }.render(&results);

    let mut importer = Registry::new();
    let back = histograms::import_run(&serde_json::from_str(&text).unwrap(), &mut importer).unwrap();
    assert_eq!(back.header, header);
    assert_eq!(back.test_duration, Duration::from_millis(10_250));
    assert_eq!(back.counts, RunCounts { series_limit: back.counts.series_limit, ..counts });
    assert_eq!(back.aggregate.failures(), agg.failures(), "the cut message lands on the same pair");
    assert_eq!(
        back.aggregate.metric_by_name("http_reqs").map(|m| m.merged()),
        agg.metric_by_name("http_reqs").map(|m| m.merged())
    );
    assert!(importer.get("never_seen").is_some(), "a threshold's metric without samples is declared");
    let mut odd: serde_json::Value = serde_json::from_str(&text).unwrap();
    odd["run"]["marked_failed"] = json!("yes");
    let err = histograms::import_run(&odd, &mut importer).unwrap_err();
    assert!(err.contains("\"marked_failed\" must be true or false"), "{err}");
    let mut odd: serde_json::Value = serde_json::from_str(&text).unwrap();
    odd["run"]["end"]["code"] = json!(0);
    let err = histograms::import_run(&odd, &mut importer).unwrap_err();
    assert!(err.contains("\"end\": 0 is not an exit code a run ends with early"), "{err}");
    // A file of an rload before `end`: exec.test.fail()'s end when it says the script called it.
    odd["run"].as_object_mut().unwrap().remove("end");
    let older = histograms::import_run(&odd, &mut importer).unwrap();
    assert_eq!(
        older.header.end.map(|e| (e.code, e.reason)),
        Some((110, "error: test run was marked as failed".into()))
    );
}

#[test]
fn series_import_reports_what_is_wrong() {
    let mut registry = Registry::new();
    assert!(histograms::import(&json!({ "format": "k6" }), &mut registry)
        .unwrap_err()
        .contains("not an rload series export"));
    let bad = json!({ "format": "rload-series", "version": 1, "metrics": [
        { "name": "http_reqs", "type": "trend", "contains": "time", "series": [] }
    ]});
    let err = histograms::import(&bad, &mut registry).unwrap_err();
    assert!(err.contains("\"http_reqs\" is already declared as a Counter"), "{err}");
    let bad = json!({ "format": "rload-series", "version": 1, "metrics": [
        { "name": "http_req_duration", "type": "trend", "contains": "time",
          "series": [ { "tags": {}, "count": 1, "sum": "1", "min": "1", "max": "1", "histogram": "%%%" } ] }
    ]});
    let err = histograms::import(&bad, &mut registry).unwrap_err();
    assert!(err.starts_with("metric \"http_req_duration\", series 0: histogram is not base64"), "{err}");
}

/// The THRESHOLDS section of the same k6 run, as k6 v1.1 printed it (up to the next title).
const K6_THRESHOLDS_TEXT: &str = "
  █ THRESHOLDS 

    my_counter
    ✓ 'count>1' count=12

    my_gauge
    ✓ 'value<10' value=4

    my_rate
    ✓ 'rate>0.5' rate=75.00%

    my_trend
    ✗ 'p(95)<15' p(95)=20ms
    ✓ 'avg<100' avg=15ms

      {kind:a}
      ✗ 'max<5' max=10ms


  █ TOTAL RESULTS 
";

#[test]
fn thresholds_section_equals_real_k6_text() {
    let (_, agg, set, results, duration) = k6_run();
    let stats = default_stats();
    let run = model(&agg, &set, &results, &stats, duration);
    let text = TextSummary::default().render(&run);
    assert!(text.starts_with(K6_THRESHOLDS_TEXT), "{text}");
}
