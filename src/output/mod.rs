//! Renderers of a finished run's [`RunResults`], each behind the one [`Renderer`] trait (the
//! shape of hyperfine's `Exporter`): they read the model and return text, and decide nothing
//! about what the run measured.
//!
//! - [`TextSummary`]: the end-of-test summary as k6 v1.1 prints it (`█ THRESHOLDS`,
//!   `█ TOTAL RESULTS`, groups and scenarios), then rload's own counts ([`text`]).
//! - [`SummaryExport`]: `--summary-export FILE`, k6's legacy export, same shape.
//! - [`HandleSummaryData`]: the `data` map `handle_summary(data)` receives, same shape as k6's.
//! - [`HistogramExport`]: rload's own export of every series with its HDR histogram, so the
//!   results of several processes can be merged exactly ([`histograms`]).
//!
//! Not here: building the results (`crate::results`), streaming outputs during the run,
//! writing files or printing (`crate::runtime::report`).

mod groups;
pub mod histograms;
pub mod md5;
mod summary_data;
mod summary_export;
pub mod text;

use serde_json::Value;

use crate::metrics::MetricKind;
use crate::results::RunResults;

pub use summary_data::{handle_summary_data, HandleSummaryData, SummaryState, FAILED_REQUESTS_KEY};
pub use summary_export::{summary_export_json, SummaryExport};
pub use text::{SummaryMode, SummaryOptions, TextSummary};

/// One way of presenting a finished run.
pub trait Renderer {
    /// The rendered results, ready to print or write as they are.
    fn render(&self, results: &RunResults<'_>) -> String;
}

/// `--export-histograms FILE`: every series of every metric, mergeable across processes, and
/// the run they come from (`rload merge` reads it).
#[derive(Debug, Clone, Copy)]
pub struct HistogramExport<'h> {
    pub run: &'h histograms::RunHeader,
}

impl Renderer for HistogramExport<'_> {
    fn render(&self, results: &RunResults<'_>) -> String {
        pretty(&histograms::export_run(results, self.run))
    }
}

/// A JSON document as the file exports write it.
fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("a JSON value always serializes")
}

/// k6's type names in exports.
fn type_name(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Counter => "counter",
        MetricKind::Gauge => "gauge",
        MetricKind::Rate => "rate",
        MetricKind::Trend => "trend",
    }
}

/// A JSON number as Go's encoder writes it: whole numbers without `.0`; NaN and infinities
/// (which JSON cannot hold) as `null`.
fn num(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.007_199_254_740_992e15 {
        Value::from(value as i64)
    } else {
        serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
    }
}

#[cfg(test)]
mod tests;
