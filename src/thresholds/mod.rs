//! Thresholds: k6's pass/fail criteria (`options.thresholds`), parsed once before the test and
//! evaluated against the metrics [`crate::metrics::Aggregate`].
//!
//! - [`parse`]: the threshold grammar and key syntax, validated against the declared metrics;
//!   every error at once.
//! - [`evaluate`]: pure evaluation, including how a key that matched no sample is reported
//!   ("no samples", failing under `--strict-thresholds`).
//!
//! Not here: when to evaluate during a run or abort (the runner calls [`evaluate`] and
//! [`ThresholdResult::aborts`]), exit codes, the summary's `█ THRESHOLDS` section and the exports
//! (`crate::output`, from `crate::results`).

mod evaluate;
mod parse;

pub use evaluate::{all_passed, evaluate, failed_metrics, gauge_value, samples_of, ThresholdResult};
pub use parse::{parse, parse_expression, parse_key, Aggregation, MetricThresholds, Op, TagFilter, Threshold};

#[cfg(test)]
mod tests;
