//! Machine-readable results, written at the end of a run.
//!
//! - [`summary_export_json`]: `--summary-export FILE`, k6's legacy export, same shape.
//! - [`handle_summary_data`]: the `data` map `handle_summary(data)` receives, same shape as k6's.
//! - [`histograms`]: rload's own export of every series with its HDR histogram, so the results
//!   of several processes can be merged exactly.
//!
//! All three read one finished [`RunResults`]. Not here: the text summary (`crate::metrics`,
//! `crate::thresholds`), streaming outputs during the run, writing files.

mod groups;
pub mod histograms;
mod md5;
mod summary_data;
mod summary_export;

use std::time::Duration;

use serde_json::{Map, Value};

use crate::metrics::{tag, Aggregate, GaugeSink, MetricId, MetricKind, SeriesSink, TrendStat};
use crate::thresholds::{samples_of, MetricThresholds, ThresholdResult};

pub use summary_data::{handle_summary_data, SummaryState};
pub use summary_export::summary_export_json;

/// What a finished run hands to the exports.
#[derive(Debug, Clone, Copy)]
pub struct RunResults<'a> {
    /// Every sample, merged.
    pub aggregate: &'a Aggregate,
    /// The parsed `options.thresholds` (empty without thresholds or with `--no-thresholds`).
    pub thresholds: &'a [MetricThresholds],
    /// Their final evaluation.
    pub results: &'a [ThresholdResult],
    /// `summaryTrendStats` (e.g. `avg, min, med, max, p(90), p(95)`).
    pub trend_stats: &'a [String],
    /// Length of the test; the denominator of Counter rates.
    pub test_duration: Duration,
}

/// One entry of the exports' `metrics` map: a metric, a sub-metric with thresholds, or k6's
/// `http_req_duration{expected_response:true}`.
struct ExportedMetric<'a> {
    name: String,
    id: MetricId,
    sink: SeriesSink,
    thresholds: Vec<&'a ThresholdResult>,
}

impl RunResults<'_> {
    /// Every metric with samples, merged over its series, plus every threshold key (k6 lists a
    /// metric with thresholds even without samples, with zero values), plus
    /// `http_req_duration{expected_response:true}` when it has samples; sorted by name.
    fn exported_metrics(&self) -> Vec<ExportedMetric<'_>> {
        let mut out: Vec<ExportedMetric<'_>> = Vec::new();
        for metric in self.aggregate.metrics() {
            out.push(ExportedMetric {
                name: metric.name().to_owned(),
                id: metric.id(),
                sink: metric.merged(),
                thresholds: Vec::new(),
            });
            if metric.name() == "http_req_duration" {
                if let Some(sink) = metric.merged_where(|tags| tags.get(tag::EXPECTED_RESPONSE) == Some("true")) {
                    let name = "http_req_duration{expected_response:true}".to_owned();
                    out.push(ExportedMetric { name, id: metric.id(), sink, thresholds: Vec::new() });
                }
            }
        }
        for set in self.thresholds {
            if !out.iter().any(|m| m.name == set.key) {
                let sink = samples_of(set, self.aggregate).unwrap_or_else(|| SeriesSink::for_metric(set.id));
                out.push(ExportedMetric { name: set.key.clone(), id: set.id, sink, thresholds: Vec::new() });
            }
        }
        for result in self.results {
            if let Some(metric) = out.iter_mut().find(|m| m.name == result.key) {
                metric.thresholds.push(result);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// A trend's statistics as named in `summaryTrendStats`; unknown names are skipped.
    fn trend_values(&self, sink: &SeriesSink) -> Map<String, Value> {
        let SeriesSink::Trend(trend) = sink else {
            return Map::new();
        };
        self.trend_stats
            .iter()
            .filter_map(|name| TrendStat::parse(name).map(|stat| (name.clone(), num(trend.stat(stat)))))
            .collect()
    }
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

/// `(value, min, max)` of a gauge, zeros when it saw nothing (as k6's empty sink).
fn gauge_values(gauge: &GaugeSink) -> (f64, f64, f64) {
    if gauge.min() > gauge.max() {
        (0.0, 0.0, 0.0)
    } else {
        (gauge.value(), gauge.min(), gauge.max())
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
