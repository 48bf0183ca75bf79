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
//! counts failed requests, as in k6); their `rate` is named `value` here.

use serde_json::{json, Map, Value};

use super::groups::export_json;
use super::{num, pretty, Renderer};
use crate::metrics::MetricKind;
use crate::results::RunResults;

/// Renders the `--summary-export` document.
#[derive(Debug, Clone, Copy, Default)]
pub struct SummaryExport;

impl Renderer for SummaryExport {
    fn render(&self, results: &RunResults<'_>) -> String {
        pretty(&summary_export_json(results))
    }
}

/// The `--summary-export` document.
pub fn summary_export_json(run: &RunResults<'_>) -> Value {
    let mut metrics = Map::new();
    for metric in &run.total.metrics {
        let rate = metric.id.kind() == MetricKind::Rate;
        let mut values: Map<String, Value> = metric
            .values
            .iter()
            .map(|(name, value)| (if rate && name == "rate" { "value".to_owned() } else { name.clone() }, num(*value)))
            .collect();
        if let Some(key) = run.threshold(&metric.name).filter(|key| !key.verdicts.is_empty()) {
            let failed: Map<String, Value> =
                key.verdicts.iter().map(|v| (v.source.clone(), Value::Bool(!v.ok))).collect();
            values.insert("thresholds".to_owned(), Value::Object(failed));
        }
        metrics.insert(metric.name.clone(), Value::Object(values));
    }
    json!({ "root_group": export_json(&run.root_group), "metrics": metrics })
}
