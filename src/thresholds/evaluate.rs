//! Evaluating parsed thresholds against an [`Aggregate`]: pure, no clock.
//!
//! A key's samples are the merge of every series of its metric whose tags contain all the pairs
//! of the key's filter (a k6 sub-metric). What each aggregation reads:
//!
//! | aggregation | metric | value |
//! |---|---|---|
//! | `avg` `min` `max` | Trend | exact (kept beside the histogram) |
//! | `med`, `p(N)` | Trend | [`TrendSink::percentile`]: k6's interpolation between sorted neighbours, read from the HDR histogram (within 0.1 %) |
//! | `count` | Counter | sum of the samples |
//! | `rate` | Counter | sum ÷ test duration in seconds |
//! | `rate` | Rate | non-zero samples ÷ samples |
//! | `value`, `last` | Gauge | last value |
//! | `min` `max` `avg` | Gauge | over every recorded value (rload only) |
//! | `slope` | Gauge | least-squares growth per minute of the values recorded after the warmup ([`GaugeSink::slope_per_minute`]; "no samples" with fewer than two) (rload only) |
//!
//! Time trends are in milliseconds, as in k6 (`p(95)<100` means 100 ms).
//!
//! **No samples.** At the end k6 evaluates a key no sample matched against an empty sink: every
//! statistic of a counter, gauge or trend is 0, so `count>0` fails and `p(95)<100` (a typo in a
//! tag, say) passes; an empty rate has no value, and its thresholds pass. rload does the same,
//! so k6 scripts keep their exit codes, and marks such a result (`sampled: false`): the summary
//! says so and warns, and `strict` (`--strict-thresholds`) fails it whatever it compared. While
//! the test runs, k6 skips empty sinks: such a result neither taints the run nor triggers
//! `abortOnFail`.

use std::time::Duration;

use super::parse::{Aggregation, MetricThresholds, Threshold};
use crate::metrics::{Aggregate, GaugeSink, SeriesSink, TrendSink};

/// The outcome of one threshold expression.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdResult {
    /// The key as written (`http_req_duration{expected_response:true}`).
    pub key: String,
    /// The expression as written (`p(95)<100`).
    pub source: String,
    /// Whether the threshold holds (see the module doc for keys without samples).
    pub passed: bool,
    /// The value the expression compared: k6's zero statistics when no sample matched the key;
    /// `None` where k6 has no value (an empty rate, a slope of fewer than two values).
    pub observed: Option<f64>,
    /// Whether any sample matched the key.
    pub sampled: bool,
    /// From the long form `abortOnFail`.
    pub abort_on_fail: bool,
    /// From the long form `delayAbortEval`.
    pub delay_abort_eval: Duration,
}

impl ThresholdResult {
    /// True when no sample matched the key.
    pub fn no_samples(&self) -> bool {
        !self.sampled
    }

    /// Whether this result stops a test that has run for `elapsed` (k6: a failed `abortOnFail`
    /// threshold once more than `delayAbortEval` has passed). Keys without samples never abort.
    pub fn aborts(&self, elapsed: Duration) -> bool {
        self.abort_on_fail && !self.passed && self.sampled && elapsed > self.delay_abort_eval
    }
}

/// Evaluates every threshold of `set`, in order. `test_duration` is the denominator of a
/// Counter's `rate`; `strict` fails thresholds whose key matched no sample.
pub fn evaluate(
    set: &[MetricThresholds],
    agg: &Aggregate,
    test_duration: Duration,
    strict: bool,
) -> Vec<ThresholdResult> {
    let mut results = Vec::new();
    for metric in set {
        let sink = samples_of(metric, agg);
        let sampled = sink.is_some();
        let sink = sink.unwrap_or_else(|| SeriesSink::for_metric(metric.id));
        for threshold in &metric.thresholds {
            let observed = observe(threshold, &sink, test_duration);
            let passed = match observed {
                _ if strict && !sampled => false,
                Some(value) => threshold.op.holds(value, threshold.value),
                None => !strict,
            };
            results.push(ThresholdResult {
                key: metric.key.clone(),
                source: threshold.source.clone(),
                passed,
                observed,
                sampled,
                abort_on_fail: threshold.abort_on_fail,
                delay_abort_eval: threshold.delay_abort_eval,
            });
        }
    }
    results
}

/// The merged samples of a key; `None` when no series matched.
pub fn samples_of(metric: &MetricThresholds, agg: &Aggregate) -> Option<SeriesSink> {
    agg.metric(metric.id)?.merged_where(|tags| metric.matches(tags))
}

/// True when every threshold passed.
pub fn all_passed(results: &[ThresholdResult]) -> bool {
    results.iter().all(|r| r.passed)
}

/// The metrics (as the thresholds' keys write them, `alpha{x:1}`) with a failed threshold,
/// sorted, once each: what k6's `thresholds on metrics '…' have been crossed` names.
pub fn failed_metrics(results: &[ThresholdResult]) -> Vec<String> {
    let mut keys: Vec<String> = results.iter().filter(|r| !r.passed).map(|r| r.key.clone()).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The value `threshold` compares, read from `sink`.
fn observe(threshold: &Threshold, sink: &SeriesSink, test_duration: Duration) -> Option<f64> {
    Some(match (threshold.agg, sink) {
        (agg, SeriesSink::Trend(trend)) => trend_value(agg, trend)?,
        (Aggregation::Count, SeriesSink::Counter(c)) => c.sum(),
        (Aggregation::Rate, SeriesSink::Counter(c)) => c.rate(test_duration),
        (Aggregation::Rate, SeriesSink::Rate(r)) if r.total() > 0 => r.rate(),
        (agg, SeriesSink::Gauge(g)) => gauge_value(agg, g)?,
        // The parser rejects aggregations the metric's kind does not support.
        _ => return None,
    })
}

/// What a gauge aggregation reads (0 from an empty gauge, as k6's); `None` for a slope without
/// two timed values.
pub fn gauge_value(agg: Aggregation, gauge: &GaugeSink) -> Option<f64> {
    if gauge.count() == 0 {
        return (agg != Aggregation::Slope).then_some(0.0);
    }
    Some(match agg {
        Aggregation::Value | Aggregation::Last => gauge.value(),
        Aggregation::Min => gauge.min(),
        Aggregation::Max => gauge.max(),
        Aggregation::Avg => gauge.avg(),
        Aggregation::Slope => gauge.slope_per_minute()?,
        _ => return None,
    })
}

/// What a trend aggregation reads (every statistic of an empty trend is 0, as k6's).
fn trend_value(agg: Aggregation, trend: &TrendSink) -> Option<f64> {
    if trend.count() == 0 {
        return matches!(
            agg,
            Aggregation::Avg | Aggregation::Min | Aggregation::Max | Aggregation::Med | Aggregation::Percentile(_)
        )
        .then_some(0.0);
    }
    Some(match agg {
        Aggregation::Avg => trend.avg(),
        Aggregation::Min => trend.min(),
        Aggregation::Max => trend.max(),
        Aggregation::Med => trend.med(),
        Aggregation::Percentile(p) => trend.percentile(p / 100.0),
        Aggregation::Count | Aggregation::Rate | Aggregation::Value | Aggregation::Last | Aggregation::Slope => {
            return None
        }
    })
}
