//! `--summary-export FILE`: k6's legacy end-of-test JSON, in the same shape, so tools that read
//! k6's file read ours:
//!
//! ```json
//! {
//!   "root_group": { "name": "", "path": "", "id": "d41d8cd98f00b204e9800998ecf8427e",
//!                   "groups": { "login": { ... } }, "checks": { "status is 200": { "name", "path", "id", "passes", "fails" } } },
//!   "metrics": {
//!     "http_reqs":         { "count": 80, "rate": 38.46, "thresholds": { "rate>100": true } },
//!     "http_req_duration": { "avg": 1.36, "min": 0.33, "med": 1.08, "max": 5.24, "p(90)": 2.22, "p(95)": 2.95 },
//!     "http_req_failed":   { "passes": 40, "fails": 40, "value": 0.5 },
//!     "vus":               { "value": 2, "min": 2, "max": 2 }
//!   }
//! }
//! ```
//!
//! Trends carry exactly the `summaryTrendStats` columns (times in ms). `thresholds` maps each
//! expression as written to **true when it failed** (k6 exports its "tainted" flag, not "ok");
//! a threshold that matched no sample is `false` unless `--strict-thresholds` failed it. Rates'
//! `passes` are the non-zero samples, `fails` the zero ones (for `http_req_failed`, `passes`
//! counts failed requests, as in k6).

use serde_json::{json, Map, Value};

use super::groups::root_group;
use super::{gauge_values, num, RunResults};
use crate::metrics::SeriesSink;

/// The `--summary-export` document.
pub fn summary_export_json(run: &RunResults<'_>) -> Value {
    let mut metrics = Map::new();
    for metric in run.exported_metrics() {
        let mut values = match &metric.sink {
            SeriesSink::Trend(_) => run.trend_values(&metric.sink),
            SeriesSink::Counter(c) => obj([("count", num(c.sum())), ("rate", num(c.rate(run.test_duration)))]),
            SeriesSink::Gauge(g) => {
                let (value, min, max) = gauge_values(g);
                obj([("value", num(value)), ("min", num(min)), ("max", num(max))])
            }
            SeriesSink::Rate(r) => {
                obj([("passes", num(r.trues() as f64)), ("fails", num(r.falses() as f64)), ("value", num(r.rate()))])
            }
        };
        if !metric.thresholds.is_empty() {
            let failed: Map<String, Value> =
                metric.thresholds.iter().map(|r| (r.source.clone(), Value::Bool(!r.passed))).collect();
            values.insert("thresholds".to_owned(), Value::Object(failed));
        }
        metrics.insert(metric.name, Value::Object(values));
    }
    json!({ "root_group": root_group(run.aggregate).to_export_json(), "metrics": metrics })
}

fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}
