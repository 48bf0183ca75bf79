//! The end-of-test results, built once from the final aggregate, the threshold verdicts and the
//! run's counts; every renderer (`crate::output`: the text summary, the THRESHOLDS section,
//! `--summary-export`, `handle_summary`'s data, the series export) reads this one model and
//! nothing else, so a rule such as "k6 always reports `http_req_duration{expected_response:true}`"
//! or "checks merge by name within a group" is decided here, once.
//!
//! What the model holds:
//! - [`RunResults::total`]: the whole run, every metric with samples merged over its series, plus
//!   `http_req_duration{expected_response:true}` and every threshold key (see [`Origin`]); the
//!   checks, merged by name.
//! - [`RunResults::root_group`]: k6's `root_group`, the tree of groups of every scenario, each
//!   with its own checks and metrics (samples tagged with exactly that group).
//! - [`RunResults::scenarios`]: the same per scenario (`default` for samples without one), for
//!   the full summary's `GROUP` and `SCENARIO` sections.
//! - [`RunResults::thresholds`]: each threshold key with its samples and verdicts.
//! - [`RunResults::failed_requests`]: why requests failed, by `error_code` and message, with
//!   counts ([`FailedRequests`]).
//! - the trend statistics asked for, the test duration, the run's counts, and the raw series for
//!   exports that keep every series.
//!
//! Not here: how anything looks (`crate::output`), evaluating thresholds (`crate::thresholds`),
//! writing files or printing (`crate::runtime::report`).

mod build;
mod failures;

use std::time::Duration;

use crate::metrics::{Aggregate, MetricId, SeriesSink};
use crate::thresholds::Aggregation;

pub use build::Finished;
pub use failures::{FailedRequests, FailureRow, OtherFailures, SHOWN_ROWS};

/// k6's default `summaryTrendStats`.
pub const DEFAULT_TREND_STATS: [&str; 6] = ["avg", "min", "med", "max", "p(90)", "p(95)"];

/// Everything a finished run reports.
#[derive(Debug, Clone)]
pub struct RunResults<'a> {
    /// `summaryTrendStats` as given (e.g. `avg, min, med, max, p(90), p(95)`); names that
    /// [`crate::metrics::TrendStat::parse`] rejects are left out of every trend's values.
    pub trend_stats: Vec<String>,
    /// Length of the test; the denominator of every `/s` rate.
    pub test_duration: Duration,
    /// The whole run.
    pub total: Scope,
    /// Every scenario's groups, as one tree (k6's `root_group`).
    pub root_group: Group,
    /// Each scenario that recorded samples, `default` included, sorted by name.
    pub scenarios: Vec<Scenario>,
    /// Each threshold key, in the order `options.thresholds` lists them.
    pub thresholds: Vec<ThresholdKey>,
    /// Why requests failed: by `error_code` and message, most frequent first.
    pub failed_requests: FailedRequests,
    /// Iterations interrupted or failed, script errors, series past the cap.
    pub counts: RunCounts,
    /// Every series as recorded, for exports that must keep them apart (the series export).
    pub series: &'a Aggregate,
}

impl RunResults<'_> {
    /// The threshold key written exactly as `key`, if any.
    pub fn threshold(&self, key: &str) -> Option<&ThresholdKey> {
        self.thresholds.iter().find(|t| t.key == key)
    }

    /// The scenario named `name`, if it recorded samples.
    pub fn scenario(&self, name: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.name == name)
    }
}

/// What one part of the run recorded: the whole run, a scenario, or one group.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Metrics with samples in this part, sorted by name (byte order).
    pub metrics: Vec<MetricResult>,
    /// Checks by name, in order of first appearance.
    pub checks: Vec<CheckCount>,
}

impl Scope {
    /// The entry named exactly `name` (a metric or `metric{tag:value}`).
    pub fn metric(&self, name: &str) -> Option<&MetricResult> {
        self.metrics.iter().find(|m| m.name == name)
    }
}

/// Why an entry is in [`Scope::metrics`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A metric with samples, merged over every series in the scope.
    Metric,
    /// `http_req_duration{expected_response:true}`: k6 reports it without being asked (whole
    /// run only).
    ExpectedResponse,
    /// A threshold key not listed otherwise: a sub-metric, or a metric without samples (k6
    /// exports those with zero values; whole run only).
    Threshold,
}

/// One metric or sub-metric with its merged samples and k6's values for them.
#[derive(Debug, Clone)]
pub struct MetricResult {
    /// `http_req_duration`, or a sub-metric's key `http_req_duration{expected_response:true}`.
    pub name: String,
    /// The metric's kind and contents (a sub-metric's are its parent's).
    pub id: MetricId,
    pub origin: Origin,
    /// The merged samples, for statistics beyond [`Self::values`] (a threshold's percentile).
    pub sink: SeriesSink,
    /// k6's `values` as `handleSummary` names them: a trend's `summaryTrendStats`; a counter's
    /// `count`, `rate`; a gauge's `value`, `min`, `max` (zeros when it saw nothing); a rate's
    /// `rate`, `passes`, `fails`. Times in milliseconds.
    pub values: Vec<(String, f64)>,
}

impl MetricResult {
    /// The value named `name` in [`Self::values`].
    pub fn value(&self, name: &str) -> Option<f64> {
        self.values.iter().find(|(n, _)| n == name).map(|&(_, v)| v)
    }
}

/// One check's counts within a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckCount {
    pub name: String,
    pub passes: u64,
    pub fails: u64,
}

/// A group and what was recorded directly in it; its sub-groups in order of first appearance.
#[derive(Debug, Clone, Default)]
pub struct Group {
    /// `""` for the root group.
    pub name: String,
    /// `""` for the root group, `::a::b` nested, as in the `group` tag.
    pub path: String,
    /// Samples tagged with exactly this group (and, in a scenario's tree, that scenario).
    pub results: Scope,
    pub groups: Vec<Group>,
}

/// One scenario: everything it recorded, and its groups.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    /// Every sample of the scenario, whatever its group.
    pub results: Scope,
    /// The scenario's root group (samples outside any group) and its groups.
    pub root_group: Group,
}

/// One key of `options.thresholds` and how its expressions fared.
#[derive(Debug, Clone)]
pub struct ThresholdKey {
    /// The key as written (`http_req_duration{expected_response:true}`).
    pub key: String,
    /// The metric part of the key.
    pub metric: String,
    /// The metric's kind and contents.
    pub id: MetricId,
    /// The key's merged samples; `None` when no series matched.
    pub samples: Option<SeriesSink>,
    /// One per expression, in the order written.
    pub verdicts: Vec<Verdict>,
}

impl ThresholdKey {
    /// True for a sub-metric key (`metric{…}`).
    pub fn is_submetric(&self) -> bool {
        self.key.len() > self.metric.len()
    }
}

/// The outcome of one threshold expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The expression as written (`p(95)<100`).
    pub source: String,
    /// What it reads.
    pub agg: Aggregation,
    /// Whether it held (a key without samples passes unless `--strict-thresholds`).
    pub ok: bool,
    /// The value compared; `None` when no sample matched the key.
    pub observed: Option<f64>,
}

/// A metric that hit the series cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overflow {
    pub metric: String,
    /// Samples folded into overflow series.
    pub samples: u64,
    /// The tag with the most distinct values in the metric's own series, and how many.
    pub culprit: Option<(String, usize)>,
}

/// rload's own counts of the run, printed after k6's sections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Iterations cut short by a stop (gracefulStop, ramp-down, the end of the test).
    pub interrupted_iterations: u64,
    /// Iterations that ended with a script error.
    pub failed_iterations: u64,
    /// Distinct script errors with how often each happened, in order of first appearance.
    pub script_errors: Vec<(String, u64)>,
    /// Metrics that hit the series cap.
    pub overflowed: Vec<Overflow>,
    /// The series cap (`--max-series`) in force.
    pub series_limit: usize,
    /// rload's warning that it was saturated itself (`crate::health`), shown after the
    /// thresholds.
    pub saturation_warning: Option<String>,
}

#[cfg(test)]
mod tests;
