//! rload's series export (`--export-histograms FILE`): every series of every metric with enough
//! state to merge runs of several processes exactly (percentiles of the merge equal those of one
//! process that saw every sample), and the run it came from, so that `rload merge` (see
//! `crate::merge`) can rebuild the end-of-test summary and evaluate the thresholds once for a
//! fleet. k6 has no equivalent; the layout is rload's own:
//!
//! ```json
//! {
//!   "format": "rload-series", "version": 2,
//!   "run": { "script": "fleet.rhai", "script_md5": "9e107d9d372bb6826bd81d3542a419d6",
//!            "thresholds": { "http_req_duration": ["p(95)<200"] },
//!            "execution_segment": "1/4:1/2", "execution_segment_sequence": "0,1/4,1/2,3/4,1",
//!            "summary_trend_stats": ["avg", "min", "med", "max", "p(90)", "p(95)"],
//!            "test_duration_ns": 10003405211, "ended_at_unix_ms": 1795000000000,
//!            "summary_time_unit": "", "marked_failed": false,
//!            "end": { "code": 108, "reason": "test aborted: backend down" },
//!            "interrupted_iterations": 0, "failed_iterations": 0, "series_limit": 1000,
//!            "overflowed": [ { "metric": "http_reqs", "samples": 812, "culprit": { "tag": "url", "values": 1000 } } ],
//!            "script_errors": [ { "message": "…", "count": 2 } ],
//!            "failed_requests": [ { "error_code": 1211, "message": "…", "count": 3 } ],
//!            "failed_requests_left_out": 0 },
//!   "metrics": [
//!     { "name": "http_req_duration", "type": "trend", "contains": "time",
//!       "series": [ { "tags": { "status": "200" }, "first_seen": 12,
//!                     "count": 80, "sum": "109.152635", "min": "0.327555", "max": "5.239869",
//!                     "histogram": "HISTFAAAAC…" } ] },
//!     { "name": "http_reqs", "type": "counter", "contains": "default",
//!       "series": [ { "tags": { … }, "first_seen": 3, "sum": "80" } ] },
//!     { "name": "checks", "type": "rate", …, "series": [ { "tags": { … }, "first_seen": 5, "trues": 40, "total": 40 } ] },
//!     { "name": "vus", "type": "gauge", …, "series": [ { "tags": {}, "first_seen": 1, "value": "2", "min": "1", "max": "2" } ] }
//!   ]
//! }
//! ```
//!
//! - `run`: the test as written (the script's name and the MD5 of its text, `options.thresholds`
//!   as the options gave them, `summaryTrendStats`, `summaryTimeUnit`), this instance's share of it (its execution
//!   segment; the sequence as given, `""` without one), how long its test ran and when it ended,
//!   whether its script called `exec.test.fail()` before the export (absent in files of an
//!   rload before it: not failed), how the instance ended when not by its test's end and its
//!   thresholds (`end`: the exit code and the line it printed, `null` for a test that ran to its
//!   end; absent in files of an rload before it: `exec.test.fail()`'s 110 when `marked_failed`,
//!   else `null`), rload's run counts and the failed-request table. Version 1 files (without `run`) still
//!   import as series; `rload merge` needs version 2.
//! - Every metric a threshold names is listed, with no series when it saw no sample, so the
//!   thresholds parse in the merging process too.
//! - Checks and groups are series like any other (`checks` with its `check` and `group` tags).
//! - `histogram` is the trend's HDR histogram in the standard HdrHistogram V2 format, deflated,
//!   base64 (`HISTFAAA…`, readable by other HdrHistogram libraries). Its integer unit is a
//!   thousandth of the metric's unit (µs for time trends; see `crate::metrics` sink docs).
//! - Exact floats (`sum`, `min`, `max`, `value`) are strings in Rust's shortest round-trip form:
//!   JSON numbers are not read back bit-exactly by every parser (serde_json's default included),
//!   and the merge must be exact. Plain numbers are accepted on import.
//! - `first_seen` orders groups and checks; across processes the order is only approximate.
//! - A gauge's "last value" across imports is the last imported one.

use std::time::Duration;

use base64::Engine as _;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use serde_json::{json, Map, Value};

use super::type_name;
use crate::metrics::{Aggregate, Contains, FailureTally, MetricKind, Registry, SeriesCap, SeriesSink, Tags, TrendSink};
use crate::results::{Overflow, RunCounts, RunResults};
use crate::runtime::exit::{end_rank, RunError};

const FORMAT: &str = "rload-series";
const VERSION: u64 = 2;
/// The series cap of imported aggregates: in effect none (the cap's arithmetic doubles it).
pub const UNCAPPED: usize = u32::MAX as usize;

/// What a series export says of its run beyond the results model: the test as written and this
/// instance's share of it. Filled by the runner; `rload merge` compares and combines it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunHeader {
    /// The script as given (a file name, or `-`).
    pub script: String,
    /// MD5 of the script's text, hex: the identity `rload merge` compares.
    pub script_md5: String,
    /// `options.thresholds` as the options gave them (`null` without).
    pub thresholds: Value,
    /// This instance's execution segment (`0:1` for a whole run).
    pub execution_segment: String,
    /// `--execution-segment-sequence` as given, `""` without one.
    pub execution_segment_sequence: String,
    /// `summaryTrendStats`, the default for the merge's summary.
    pub summary_trend_stats: Vec<String>,
    /// `summaryTimeUnit` (`s`, `ms`, `us`), `""` when not set.
    pub summary_time_unit: String,
    /// When the instance's report was built, milliseconds since the Unix epoch (orders gauges'
    /// last values across instances).
    pub ended_at_unix_ms: u64,
    /// The script called `exec.test.fail()` (in init, setup, the test or teardown: the export
    /// is written before `handle_summary`).
    pub marked_failed: bool,
    /// How the instance ended, when not by its test's end and its thresholds' verdict.
    pub end: Option<InstanceEnd>,
}

/// An instance's end short of its thresholds' end-of-test verdict: `exec.test.abort()`, an
/// `abortOnFail` threshold, a signal, the REST API's stop, a failed or late `setup()` or
/// `teardown()`, `exec.test.fail()`.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceEnd {
    /// Its exit code (one of `crate::runtime::exit::end_rank`'s).
    pub code: i32,
    /// The line the instance printed for it (`test aborted: backend down`).
    pub reason: String,
}

/// One export read back whole: what `rload merge` combines.
#[derive(Debug, Clone)]
pub struct RunExport {
    pub header: RunHeader,
    pub test_duration: Duration,
    /// Interrupted and failed iterations, script errors, metrics past the series cap, the cap.
    pub counts: RunCounts,
    /// Every series, and the failed requests.
    pub aggregate: Aggregate,
}

/// A finished run's whole export: `run` from `header` and the results, every series, and every
/// metric a threshold names.
pub fn export_run(results: &RunResults<'_>, header: &RunHeader) -> Value {
    let mut value = export(results.series);
    let metrics = value["metrics"].as_array_mut().expect("export writes an array");
    for key in &results.thresholds {
        if !metrics.iter().any(|m| m["name"] == key.metric.as_str()) {
            metrics.push(json!({
                "name": key.metric, "type": type_name(key.id.kind()),
                "contains": key.id.contains().to_string(), "series": [],
            }));
        }
    }
    let failures = results.series.failures();
    let mut failed: Vec<_> = failures.kinds().collect();
    failed.sort_by(|a, b| {
        b.count.cmp(&a.count).then_with(|| (a.error_code, &a.message).cmp(&(b.error_code, &b.message)))
    });
    let counts = &results.counts;
    value["run"] = json!({
        "script": header.script,
        "script_md5": header.script_md5,
        "thresholds": header.thresholds,
        "execution_segment": header.execution_segment,
        "execution_segment_sequence": header.execution_segment_sequence,
        "summary_trend_stats": header.summary_trend_stats,
        "summary_time_unit": header.summary_time_unit,
        "test_duration_ns": u64::try_from(results.test_duration.as_nanos()).unwrap_or(u64::MAX),
        "ended_at_unix_ms": header.ended_at_unix_ms,
        "marked_failed": header.marked_failed,
        "end": header.end.as_ref().map(|e| json!({ "code": e.code, "reason": e.reason })),
        "interrupted_iterations": counts.interrupted_iterations,
        "failed_iterations": counts.failed_iterations,
        "series_limit": counts.series_limit,
        "saturation_warning": counts.saturation_warning,
        "overflowed": counts.overflowed.iter().map(|o| json!({
            "metric": o.metric,
            "samples": o.samples,
            "culprit": o.culprit.as_ref().map(|(tag, n)| json!({ "tag": tag, "values": n })),
        })).collect::<Vec<_>>(),
        "script_errors": counts.script_errors.iter()
            .map(|(message, count)| json!({ "message": message, "count": count })).collect::<Vec<_>>(),
        "failed_requests": failed.iter()
            .map(|k| json!({ "error_code": k.error_code, "message": k.message, "count": k.count }))
            .collect::<Vec<_>>(),
        "failed_requests_left_out": failures.left_out().count,
    });
    value
}

/// The `end` of a run's export; in a file of an rload before it, `exec.test.fail()`'s when the
/// file says the script called it.
fn instance_end(run: &Value, marked_failed: bool) -> Result<Option<InstanceEnd>, String> {
    let end = match run.get("end") {
        None => {
            let marked = RunError::MarkedFailed;
            return Ok(marked_failed.then(|| InstanceEnd { code: marked.exit_code(), reason: marked.to_string() }));
        }
        Some(Value::Null) => return Ok(None),
        Some(end) => end,
    };
    let code = end.get("code").and_then(Value::as_i64).and_then(|c| i32::try_from(c).ok());
    match (code, end.get("reason").and_then(Value::as_str)) {
        (Some(code), Some(reason)) if end_rank(code).is_some() => {
            Ok(Some(InstanceEnd { code, reason: reason.to_owned() }))
        }
        (Some(code), Some(_)) => Err(format!("\"end\": {code} is not an exit code a run ends with early")),
        _ => Err("\"end\" must be null or hold a \"code\" and a \"reason\"".into()),
    }
}

/// Reads an [`export_run`] back: its `run` and its series (see [`import`] for `registry`).
pub fn import_run(value: &Value, registry: &mut Registry) -> Result<RunExport, String> {
    let mut aggregate = import(value, registry)?;
    let run = value.get("run").ok_or("no \"run\" object: written by an rload older than `rload merge`")?;
    let context = |e: String| format!("\"run\": {e}");
    let whole = |key: &str| {
        run.get(key).and_then(Value::as_u64).ok_or_else(|| context(format!("\"{key}\" must be a whole number")))
    };
    let text = |key: &str| str_field(run, key).map(str::to_owned).map_err(context);
    let list = |key: &str| {
        run.get(key).and_then(Value::as_array).ok_or_else(|| context(format!("\"{key}\" must be an array")))
    };
    // Files written before the field existed say nothing of it: not failed.
    let marked_failed = match run.get("marked_failed") {
        None => false,
        Some(v) => v.as_bool().ok_or_else(|| context("\"marked_failed\" must be true or false".into()))?,
    };
    let header = RunHeader {
        script: text("script")?,
        script_md5: text("script_md5")?,
        thresholds: run.get("thresholds").cloned().unwrap_or(Value::Null),
        execution_segment: text("execution_segment")?,
        execution_segment_sequence: text("execution_segment_sequence")?,
        summary_trend_stats: list("summary_trend_stats")?
            .iter()
            .map(|v| {
                v.as_str().map(str::to_owned).ok_or_else(|| context("\"summary_trend_stats\" must hold strings".into()))
            })
            .collect::<Result<_, _>>()?,
        summary_time_unit: text("summary_time_unit")?,
        ended_at_unix_ms: whole("ended_at_unix_ms")?,
        marked_failed,
        end: instance_end(run, marked_failed).map_err(context)?,
    };
    let script_errors = list("script_errors")?
        .iter()
        .map(|e| match (e.get("message").and_then(Value::as_str), e.get("count").and_then(Value::as_u64)) {
            (Some(message), Some(count)) => Ok((message.to_owned(), count)),
            _ => Err(context("\"script_errors\" entries need a \"message\" and a \"count\"".into())),
        })
        .collect::<Result<_, _>>()?;
    let mut failures = FailureTally::new();
    for e in list("failed_requests")? {
        let code = e.get("error_code").and_then(Value::as_u64).and_then(|c| u32::try_from(c).ok());
        match (code, e.get("message").and_then(Value::as_str), e.get("count").and_then(Value::as_u64)) {
            (Some(code), Some(message), Some(count)) => failures.record_n(code, message, count),
            _ => {
                return Err(context(
                    "\"failed_requests\" entries need an \"error_code\", a \"message\" and a \"count\"".into(),
                ))
            }
        }
    }
    failures.record_untold(whole("failed_requests_left_out")?);
    aggregate.merge_failures(&failures);
    let counts = RunCounts {
        interrupted_iterations: whole("interrupted_iterations")?,
        failed_iterations: whole("failed_iterations")?,
        script_errors,
        overflowed: list("overflowed")?
            .iter()
            .map(|o| {
                let culprit = o.get("culprit").filter(|c| !c.is_null()).map(|c| {
                    let tag = c.get("tag").and_then(Value::as_str).unwrap_or_default().to_owned();
                    (tag, c.get("values").and_then(Value::as_u64).unwrap_or(0) as usize)
                });
                match (o.get("metric").and_then(Value::as_str), o.get("samples").and_then(Value::as_u64)) {
                    (Some(metric), Some(samples)) => Ok(Overflow { metric: metric.to_owned(), samples, culprit }),
                    _ => Err(context("\"overflowed\" entries need a \"metric\" and \"samples\"".into())),
                }
            })
            .collect::<Result<_, _>>()?,
        series_limit: usize::try_from(whole("series_limit")?).unwrap_or(usize::MAX),
        // The load generator's saturation warning (rload's own health), if it had one.
        saturation_warning: run.get("saturation_warning").and_then(Value::as_str).map(str::to_owned),
    };
    Ok(RunExport { header, test_duration: Duration::from_nanos(whole("test_duration_ns")?), counts, aggregate })
}

/// Every series of `agg`, ready to be written as JSON (without `run`; see [`export_run`]).
pub fn export(agg: &Aggregate) -> Value {
    let metrics: Vec<Value> = agg
        .metrics()
        .map(|metric| {
            let mut series: Vec<(&Tags, Value)> = metric
                .series()
                .map(|(tags, series)| {
                    let mut entry = Map::new();
                    entry.insert("tags".to_owned(), tags.iter().map(|(k, v)| (k.to_owned(), json!(v))).collect());
                    entry.insert("first_seen".to_owned(), json!(series.first_seen));
                    sink_fields(&series.sink, &mut entry);
                    (tags, Value::Object(entry))
                })
                .collect();
            series.sort_by(|a, b| a.0.cmp(b.0)); // stable output
            json!({
                "name": metric.name(),
                "type": type_name(metric.id().kind()),
                "contains": metric.id().contains().to_string(),
                "series": series.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "format": FORMAT, "version": VERSION, "metrics": metrics })
}

fn sink_fields(sink: &SeriesSink, entry: &mut Map<String, Value>) {
    let exact = |v: f64| Value::String(format!("{v:?}"));
    match sink {
        SeriesSink::Trend(t) => {
            entry.insert("count".to_owned(), json!(t.count()));
            entry.insert("sum".to_owned(), exact(t.sum()));
            entry.insert("min".to_owned(), exact(t.min()));
            entry.insert("max".to_owned(), exact(t.max()));
            let mut bytes = Vec::new();
            V2DeflateSerializer::new()
                .serialize(&t.histogram(), &mut bytes)
                .expect("serializing a histogram into memory cannot fail");
            entry.insert("histogram".to_owned(), json!(base64::engine::general_purpose::STANDARD.encode(bytes)));
        }
        SeriesSink::Counter(c) => {
            entry.insert("sum".to_owned(), exact(c.sum()));
        }
        SeriesSink::Rate(r) => {
            entry.insert("trues".to_owned(), json!(r.trues()));
            entry.insert("total".to_owned(), json!(r.total()));
        }
        SeriesSink::Gauge(g) => {
            entry.insert("value".to_owned(), exact(g.value()));
            entry.insert("min".to_owned(), exact(g.min()));
            entry.insert("max".to_owned(), exact(g.max()));
        }
    }
}

/// Reads an [`export`] back. Custom metrics are declared in `registry` (built-ins keep their
/// ids), so the result can be merged with aggregates of this process; a metric already declared
/// with another type is an error. Errors name the metric and series.
pub fn import(value: &Value, registry: &mut Registry) -> Result<Aggregate, String> {
    if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(format!("not an rload series export (expected \"format\": \"{FORMAT}\")"));
    }
    match value.get("version").and_then(Value::as_u64) {
        Some(1 | VERSION) => {}
        other => return Err(format!("unsupported series export version {other:?} (this rload reads {VERSION})")),
    }
    let metrics = value.get("metrics").and_then(Value::as_array).ok_or("\"metrics\" must be an array")?;
    // Series as they were exported: the exporting run already applied its cap.
    let mut agg = Aggregate::with_series_cap(SeriesCap::new(UNCAPPED, Vec::<String>::new()));
    for metric in metrics {
        let name = str_field(metric, "name")?;
        let context = |e: String| format!("metric \"{name}\": {e}");
        let kind = match str_field(metric, "type").map_err(context)? {
            "counter" => MetricKind::Counter,
            "gauge" => MetricKind::Gauge,
            "rate" => MetricKind::Rate,
            "trend" => MetricKind::Trend,
            other => return Err(context(format!("unknown type \"{other}\""))),
        };
        let contains = match str_field(metric, "contains").map_err(context)? {
            "default" => Contains::Default,
            "time" => Contains::Time,
            "data" => Contains::Data,
            other => return Err(context(format!("unknown contains \"{other}\""))),
        };
        let id = registry.register_with(name, kind, contains).map_err(|e| e.to_string())?;
        let series = metric.get("series").and_then(Value::as_array).ok_or_else(|| context("no series".into()))?;
        for (i, entry) in series.iter().enumerate() {
            let context = |e: String| format!("metric \"{name}\", series {i}: {e}");
            let tags = entry.get("tags").and_then(Value::as_object).ok_or_else(|| context("no tags".into()))?;
            let tags =
                Tags::from_pairs(tags.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())));
            let first_seen = entry.get("first_seen").and_then(Value::as_u64).unwrap_or(u64::MAX);
            let sink = read_sink(kind, entry).map_err(context)?;
            agg.add_series(name, id, &tags, &sink, first_seen);
        }
    }
    Ok(agg)
}

fn read_sink(kind: MetricKind, entry: &Value) -> Result<SeriesSink, String> {
    Ok(match kind {
        MetricKind::Trend => {
            let encoded = str_field(entry, "histogram")?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|e| format!("histogram is not base64: {e}"))?;
            let histogram: hdrhistogram::Histogram<u64> = Deserializer::new()
                .deserialize(&mut bytes.as_slice())
                .map_err(|e| format!("histogram is not a V2 HdrHistogram: {e:?}"))?;
            let count = entry.get("count").and_then(Value::as_u64).ok_or("\"count\" must be a whole number")?;
            let trend = TrendSink::from_parts(
                &histogram,
                count,
                exact_field(entry, "sum")?,
                exact_field(entry, "min")?,
                exact_field(entry, "max")?,
            )?;
            SeriesSink::Trend(trend)
        }
        MetricKind::Counter => {
            let mut sink = SeriesSink::new(kind);
            sink.add(exact_field(entry, "sum")?, 0);
            sink
        }
        MetricKind::Rate => {
            let count =
                |key: &str| entry.get(key).and_then(Value::as_u64).ok_or(format!("\"{key}\" must be a whole number"));
            SeriesSink::Rate(crate::metrics::RateSink::from_counts(count("trues")?, count("total")?))
        }
        MetricKind::Gauge => {
            let mut sink = SeriesSink::new(kind);
            let (min, max) = (exact_field(entry, "min")?, exact_field(entry, "max")?);
            if min <= max {
                sink.add(min, 0);
                sink.add(max, 0);
                sink.add(exact_field(entry, "value")?, 0);
            }
            sink
        }
    })
}

fn str_field<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key).and_then(Value::as_str).ok_or_else(|| format!("\"{key}\" must be a string"))
}

/// A float written by [`export`] (a string) or, less exactly, a JSON number.
fn exact_field(v: &Value, key: &str) -> Result<f64, String> {
    match v.get(key) {
        Some(Value::String(s)) => s.parse().map_err(|_| format!("\"{key}\": \"{s}\" is not a number")),
        Some(Value::Number(n)) => n.as_f64().ok_or_else(|| format!("\"{key}\" is not a number")),
        _ => Err(format!("\"{key}\" must be a number")),
    }
}
