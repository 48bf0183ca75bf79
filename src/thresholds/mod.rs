//! Thresholds: k6's pass/fail criteria (`options.thresholds`), parsed once before the test and
//! evaluated against the metrics [`crate::metrics::Aggregate`].
//!
//! - [`parse`]: the threshold grammar and key syntax, validated against the declared metrics;
//!   every error at once.
//! - [`evaluate`]: pure evaluation, including how a key that matched no sample is reported
//!   ("no samples", failing under `--strict-thresholds`).
//! - [`render_thresholds`]: the summary's `█ THRESHOLDS` section.
//!
//! Not here: when to evaluate during a run or abort (the runner calls [`evaluate`] and
//! [`ThresholdResult::aborts`]), exit codes, machine-readable exports (`crate::output`).

mod evaluate;
mod parse;
mod summary;

pub use evaluate::{all_passed, evaluate, samples_of, ThresholdResult};
pub use parse::{parse, parse_expression, parse_key, Aggregation, MetricThresholds, Op, TagFilter, Threshold};
pub use summary::render_thresholds;

#[cfg(test)]
mod tests;
