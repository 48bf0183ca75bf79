//! The `data` map a script's `handle_summary(data)` receives, shaped like k6's `handleSummary`
//! argument so summary helpers ported from k6 find what they expect:
//!
//! ```json
//! {
//!   "root_group": { "name": "", "path": "", "id": "…", "groups": [ … ], "checks": [ { "name", "path", "id", "passes", "fails" } ] },
//!   "options": { "summaryTrendStats": ["avg", …], "summaryTimeUnit": "", "noColor": false },
//!   "state": { "isStdOutTTY": false, "isStdErrTTY": false, "testRunDurationMs": 2079.6 },
//!   "metrics": {
//!     "http_req_duration": { "type": "trend", "contains": "time", "values": { "avg": 1.36, "p(95)": 2.95, … },
//!                            "thresholds": { "p(95)<100": { "ok": true } } },
//!     "http_reqs": { "type": "counter", "contains": "default", "values": { "count": 80, "rate": 38.46 } },
//!     "checks":    { "type": "rate", "contains": "default", "values": { "rate": 1, "passes": 40, "fails": 0 } },
//!     "vus":       { "type": "gauge", "contains": "default", "values": { "value": 2, "min": 2, "max": 2 } }
//!   },
//!   "setup_data": { "token": "abc" },
//!   "rload_failed_requests": {
//!     "total": 40,
//!     "rows": [ { "error_code": 1212, "message": "dial: connection refused", "count": 20 }, … ],
//!     "other": { "count": 8, "distinct": 3, "at_least": false }
//!   }
//! }
//! ```
//!
//! Unlike the summary export, groups and checks are arrays (in order of first appearance) and a
//! threshold's entry is `{ ok }`, true when it passed.
//!
//! `rload_failed_requests` is rload's own (k6's keys stay exactly k6's): the summary's table of
//! why requests failed, always present; `rows` is empty and `other` null when nothing failed.

use serde_json::{json, Map, Value};

use super::groups::summary_json;
use super::{num, type_name, Renderer};
use crate::config::options::TimeUnit;
use crate::results::{FailedRequests, RunResults};

/// The key of rload's table of failed requests in `data`.
pub const FAILED_REQUESTS_KEY: &str = "rload_failed_requests";

/// The parts of `data` that describe the process rather than the samples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SummaryState {
    /// `--no-color` was given.
    pub no_color: bool,
    /// Standard output is a terminal.
    pub stdout_tty: bool,
    /// Standard error is a terminal.
    pub stderr_tty: bool,
    /// `summaryTimeUnit`, `""` in `data.options` when not set.
    pub time_unit: Option<TimeUnit>,
}

/// Renders `handle_summary`'s `data` argument as compact JSON.
#[derive(Debug, Clone, Default)]
pub struct HandleSummaryData {
    pub state: SummaryState,
    /// k6's `setup_data`: `setup()`'s return value as the VUs got it, if there was one.
    pub setup_data: Option<Value>,
}

impl Renderer for HandleSummaryData {
    fn render(&self, results: &RunResults<'_>) -> String {
        handle_summary_data(results, self.state, self.setup_data.as_ref()).to_string()
    }
}

/// The `data` argument of `handle_summary`. Without `setup_data` the key is left out: k6 has it
/// with the value `undefined`, which `JSON.stringify(data)` (the common hook) leaves out, and
/// reading it gives `()` either way.
pub fn handle_summary_data(run: &RunResults<'_>, state: SummaryState, setup_data: Option<&Value>) -> Value {
    let mut metrics = Map::new();
    for metric in &run.total.metrics {
        let values: Map<String, Value> =
            metric.values.iter().map(|(name, value)| (name.clone(), num(*value))).collect();
        let mut entry = Map::new();
        entry.insert("type".to_owned(), json!(type_name(metric.id.kind())));
        entry.insert("contains".to_owned(), json!(metric.id.contains().to_string()));
        entry.insert("values".to_owned(), Value::Object(values));
        if let Some(key) = run.threshold(&metric.name).filter(|key| !key.verdicts.is_empty()) {
            let ok: Map<String, Value> =
                key.verdicts.iter().map(|v| (v.source.clone(), json!({ "ok": v.ok }))).collect();
            entry.insert("thresholds".to_owned(), Value::Object(ok));
        }
        metrics.insert(metric.name.clone(), Value::Object(entry));
    }
    let mut data = json!({
        "root_group": summary_json(&run.root_group),
        "options": {
            "summaryTrendStats": run.trend_stats,
            "summaryTimeUnit": state.time_unit.map_or("", TimeUnit::name),
            "noColor": state.no_color,
        },
        "state": {
            "isStdOutTTY": state.stdout_tty,
            "isStdErrTTY": state.stderr_tty,
            "testRunDurationMs": run.test_duration.as_secs_f64() * 1000.0,
        },
        "metrics": metrics,
        FAILED_REQUESTS_KEY: failed_requests_json(&run.failed_requests),
    });
    if let Some(setup) = setup_data {
        data["setup_data"] = setup.clone();
    }
    data
}

fn failed_requests_json(table: &FailedRequests) -> Value {
    let rows: Vec<Value> = table
        .rows
        .iter()
        .map(|r| json!({ "error_code": r.error_code, "message": r.message, "count": r.count }))
        .collect();
    let other = table.other.map(|o| json!({ "count": o.count, "distinct": o.distinct, "at_least": o.at_least }));
    json!({ "total": table.total, "rows": rows, "other": other })
}
