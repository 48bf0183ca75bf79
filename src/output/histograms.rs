//! rload's series export: every series of every metric with enough state to merge runs of
//! several processes exactly (percentiles of the merge equal those of one process that saw
//! every sample). k6 has no equivalent; the layout is rload's own:
//!
//! ```json
//! {
//!   "format": "rload-series", "version": 1,
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
//! - `histogram` is the trend's HDR histogram in the standard HdrHistogram V2 format, deflated,
//!   base64 (`HISTFAAA…`, readable by other HdrHistogram libraries). Its integer unit is a
//!   thousandth of the metric's unit (µs for time trends; see `crate::metrics` sink docs).
//! - Exact floats (`sum`, `min`, `max`, `value`) are strings in Rust's shortest round-trip form:
//!   JSON numbers are not read back bit-exactly by every parser (serde_json's default included),
//!   and the merge must be exact. Plain numbers are accepted on import.
//! - `first_seen` orders groups and checks; across processes the order is only approximate.
//! - A gauge's "last value" across processes is the last imported one.

use base64::Engine as _;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use serde_json::{json, Map, Value};

use super::type_name;
use crate::metrics::{Aggregate, Contains, MetricKind, Registry, SeriesSink, Tags, TrendSink};

const FORMAT: &str = "rload-series";
const VERSION: u64 = 1;

/// Every series of `agg`, ready to be written as JSON.
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
        Some(VERSION) => {}
        other => return Err(format!("unsupported series export version {other:?} (this rload reads {VERSION})")),
    }
    let metrics = value.get("metrics").and_then(Value::as_array).ok_or("\"metrics\" must be an array")?;
    let mut agg = Aggregate::new();
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
