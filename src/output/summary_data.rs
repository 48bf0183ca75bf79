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
//!   }
//! }
//! ```
//!
//! Unlike the summary export, groups and checks are arrays (in order of first appearance) and a
//! threshold's entry is `{ ok }`, true when it passed.

use serde_json::{json, Map, Value};

use super::groups::root_group;
use super::{gauge_values, num, type_name, RunResults};
use crate::metrics::SeriesSink;

/// The parts of `data` that describe the process rather than the samples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SummaryState {
    /// `--no-color` was given.
    pub no_color: bool,
    /// Standard output is a terminal.
    pub stdout_tty: bool,
    /// Standard error is a terminal.
    pub stderr_tty: bool,
}

/// The `data` argument of `handle_summary`.
pub fn handle_summary_data(run: &RunResults<'_>, state: SummaryState) -> Value {
    let mut metrics = Map::new();
    for metric in run.exported_metrics() {
        let values = match &metric.sink {
            SeriesSink::Trend(_) => run.trend_values(&metric.sink),
            SeriesSink::Counter(c) => {
                [("count", num(c.sum())), ("rate", num(c.rate(run.test_duration)))].map(own).into_iter().collect()
            }
            SeriesSink::Gauge(g) => {
                let (value, min, max) = gauge_values(g);
                [("value", num(value)), ("min", num(min)), ("max", num(max))].map(own).into_iter().collect()
            }
            SeriesSink::Rate(r) => {
                [("rate", num(r.rate())), ("passes", num(r.trues() as f64)), ("fails", num(r.falses() as f64))]
                    .map(own)
                    .into_iter()
                    .collect()
            }
        };
        let mut entry = Map::new();
        entry.insert("type".to_owned(), json!(type_name(metric.id.kind())));
        entry.insert("contains".to_owned(), json!(metric.id.contains().to_string()));
        entry.insert("values".to_owned(), Value::Object(values));
        if !metric.thresholds.is_empty() {
            let ok: Map<String, Value> =
                metric.thresholds.iter().map(|r| (r.source.clone(), json!({ "ok": r.passed }))).collect();
            entry.insert("thresholds".to_owned(), Value::Object(ok));
        }
        metrics.insert(metric.name, Value::Object(entry));
    }
    json!({
        "root_group": root_group(run.aggregate).to_summary_json(),
        "options": {
            "summaryTrendStats": run.trend_stats,
            "summaryTimeUnit": "",
            "noColor": state.no_color,
        },
        "state": {
            "isStdOutTTY": state.stdout_tty,
            "isStdErrTTY": state.stderr_tty,
            "testRunDurationMs": run.test_duration.as_secs_f64() * 1000.0,
        },
        "metrics": metrics,
    })
}

fn own((key, value): (&str, Value)) -> (String, Value) {
    (key.to_owned(), value)
}
