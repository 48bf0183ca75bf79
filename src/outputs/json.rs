//! `-o json=FILE`: k6's NDJSON stream. One `Metric` line the first time a metric has a sample,
//! then one `Point` line per sample, field for field as k6 v1.1's `output/json` writes them:
//!
//! ```text
//! {"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}
//! {"metric":"http_reqs","type":"Point","data":{"time":"2026-11-28T21:30:05.0123Z","value":1,"tags":{"method":"GET",…}}}
//! ```
//! Numbers as Go's `encoding/json` writes a float64 (`1`, `0.25`, `1e-7`); times in UTC.
//! A sample whose value is not finite is skipped and counted, as k6 logs it and goes on.

use std::io::Write;

use crate::metrics::{self, Contains, MetricKind, RawSample, SystemTag};
use crate::thresholds::MetricThresholds;

use super::time::rfc3339;

/// The `Metric` line of a metric, with the thresholds written on it (not those of its
/// sub-metrics, as k6).
pub fn metric_line(
    out: &mut Vec<u8>,
    name: &str,
    kind: MetricKind,
    contains: Contains,
    thresholds: &[MetricThresholds],
) {
    let kind = match kind {
        MetricKind::Counter => "counter",
        MetricKind::Gauge => "gauge",
        MetricKind::Rate => "rate",
        MetricKind::Trend => "trend",
    };
    let contains = match contains {
        Contains::Default => "default",
        Contains::Time => "time",
        Contains::Data => "data",
    };
    let list: Vec<serde_json::Value> = thresholds
        .iter()
        .filter(|t| t.key == name)
        .flat_map(|t| &t.thresholds)
        .map(|t| {
            if t.abort_on_fail {
                let mut o = serde_json::json!({ "threshold": t.source, "abortOnFail": true });
                if !t.delay_abort_eval.is_zero() {
                    o["delayAbortEval"] = format!("{}ms", t.delay_abort_eval.as_millis()).into();
                }
                o
            } else {
                t.source.clone().into()
            }
        })
        .collect();
    let _ = write!(out, "{{\"type\":\"Metric\",\"data\":{{\"name\":");
    string(out, name);
    let _ = write!(out, ",\"type\":\"{kind}\",\"contains\":\"{contains}\",\"thresholds\":");
    let _ = serde_json::to_writer(&mut *out, &list);
    out.extend_from_slice(b",\"submetrics\":");
    let _ = serde_json::to_writer(&mut *out, &submetrics(name, thresholds));
    out.extend_from_slice(b"},\"metric\":");
    string(out, name);
    out.extend_from_slice(b"}\n");
}

/// k6's sub-metrics of `name`: those its thresholds name, then the
/// `http_req_duration{expected_response:true}` k6 always declares; `null` when there are none.
fn submetrics(name: &str, thresholds: &[MetricThresholds]) -> serde_json::Value {
    let mut list: Vec<(String, Vec<(String, String)>)> = thresholds
        .iter()
        .filter(|t| t.metric == name && !t.filter.is_empty())
        .map(|t| (t.key[t.metric.len()..].trim_matches(['{', '}']).trim().to_owned(), t.filter.clone()))
        .collect();
    if name == "http_req_duration"
        && metrics::system_tag_enabled(SystemTag::EXPECTED_RESPONSE)
        && !list.iter().any(|(suffix, _)| suffix == "expected_response:true")
    {
        list.push(("expected_response:true".to_owned(), vec![("expected_response".to_owned(), "true".to_owned())]));
    }
    if list.is_empty() {
        return serde_json::Value::Null;
    }
    list.into_iter()
        .map(|(suffix, tags)| {
            let tags: serde_json::Map<String, serde_json::Value> =
                tags.into_iter().map(|(k, v)| (k, v.into())).collect();
            serde_json::json!({ "name": format!("{name}{{{suffix}}}"), "suffix": suffix, "tags": tags })
        })
        .collect()
}

/// The `Point` line of one sample; false (and nothing written) for a value JSON cannot hold.
pub fn point_line(out: &mut Vec<u8>, name: &str, sample: &RawSample) -> bool {
    if !sample.value.is_finite() {
        return false;
    }
    out.extend_from_slice(b"{\"metric\":");
    string(out, name);
    out.extend_from_slice(b",\"type\":\"Point\",\"data\":{\"time\":\"");
    out.extend_from_slice(rfc3339(sample.time, true).as_bytes());
    out.extend_from_slice(b"\",\"value\":");
    number(out, sample.value);
    out.extend_from_slice(b",\"tags\":{");
    for (i, (k, v)) in sample.tags.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, k);
        out.push(b':');
        string(out, v);
    }
    out.extend_from_slice(b"}}}\n");
    true
}

fn string(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *out, s);
}

/// A float64 as Go's `encoding/json` writes it: shortest round-trip digits, plain notation from
/// 1e-6 up to 1e21, exponent notation outside.
pub fn number(out: &mut Vec<u8>, v: f64) {
    let a = v.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let _ = write!(out, "{v:e}");
    } else {
        let _ = write!(out, "{v}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{builtin, TagSet};
    use std::time::{Duration, UNIX_EPOCH};

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_read_as_gos_encoding_json_writes_them() {
        for (v, want) in
            [(1.0, "1"), (0.25, "0.25"), (1e-7, "1e-7"), (1e21, "1e21"), (123456.789, "123456.789"), (0.0, "0")]
        {
            assert_eq!(text(|o| number(o, v)), want);
        }
    }

    #[test]
    fn a_point_line_is_k6s_envelope() {
        let sample = RawSample {
            metric: builtin::HTTP_REQS,
            tags: TagSet::new().with("status", "200").with("method", "GET").with("name", "a\"b"),
            value: 1.0,
            time: UNIX_EPOCH + Duration::new(1_795_901_405, 500_000_000),
        };
        let line = text(|o| assert!(point_line(o, "http_reqs", &sample)));
        assert_eq!(
            line,
            "{\"metric\":\"http_reqs\",\"type\":\"Point\",\"data\":{\"time\":\"2026-11-28T21:30:05.5Z\",\"value\":1,\
             \"tags\":{\"method\":\"GET\",\"name\":\"a\\\"b\",\"status\":\"200\"}}}\n"
        );
        let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["data"]["tags"]["name"], "a\"b");
    }

    #[test]
    fn a_metric_line_lists_its_own_thresholds_and_k6s_sub_metrics() {
        // As k6 v1.1 writes them: a sub-metric a threshold names, then the one k6 always declares.
        let set = crate::thresholds::parse(
            &serde_json::json!({ "http_req_duration": ["p(95)<500"], "http_req_duration{status:200}": ["p(95)<100"] }),
            &|name| crate::metrics::Registry::new().get(name),
        )
        .unwrap();
        let line = text(|o| metric_line(o, "http_req_duration", MetricKind::Trend, Contains::Time, &set));
        assert_eq!(
            line,
            "{\"type\":\"Metric\",\"data\":{\"name\":\"http_req_duration\",\"type\":\"trend\",\"contains\":\"time\",\
             \"thresholds\":[\"p(95)<500\"],\"submetrics\":[{\"name\":\"http_req_duration{status:200}\",\"suffix\":\"status:200\",\
             \"tags\":{\"status\":\"200\"}},{\"name\":\"http_req_duration{expected_response:true}\",\
             \"suffix\":\"expected_response:true\",\"tags\":{\"expected_response\":\"true\"}}]},\"metric\":\"http_req_duration\"}\n"
        );
        let reqs = text(|o| metric_line(o, "http_reqs", MetricKind::Counter, Contains::Default, &set));
        assert!(reqs.contains("\"submetrics\":null"), "{reqs}");
    }
}
