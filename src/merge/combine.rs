//! Combining the results of a fleet's instances into one: what each kind of metric means when
//! several processes ran one test.
//!
//! - trends: histograms added (exact up to HDR precision: the percentiles equal those of one
//!   histogram of every sample), counts and sums added, min of mins, max of maxes;
//! - counters: sums added; their `/s` rate uses the longest instance's test duration;
//! - rates: passes and totals added (checks included: a check is the `checks` rate by name);
//! - gauges, as k6's gauge sink does within one process: the last value written wins, min of
//!   mins, max of maxes. Across processes "last" is the instance whose report came last.
//!   Except `vus` and `vus_max`, which count the instance's own VUs: the fleet's are the sums
//!   of the instances' values, mins and maxes (the sum of maxes is an upper bound of the
//!   fleet's peak when the instances' peaks did not coincide), in one series with the tags all
//!   the instances share (their samples carry the run's tags, `--tag instance_id=N` among them);
//! - failed requests: their tallies added; interrupted and failed iterations added; script
//!   errors added by message; samples past the series cap added by metric.
//!
//! Not here: which results may be combined (`super`, `super::segments`), thresholds and
//! rendering (`crate::thresholds`, `crate::results`, `crate::output`).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::metrics::{builtin, Aggregate, MetricId, MetricKind, SeriesCap, SeriesSink, Tags};
use crate::output::histograms::{RunExport, UNCAPPED};
use crate::results::RunCounts;

/// The fleet's results, as one run's.
#[derive(Debug)]
pub struct Merged {
    pub aggregate: Aggregate,
    pub counts: RunCounts,
    /// The longest instance's test duration: the denominator of every `/s` rate.
    pub test_duration: Duration,
}

/// Gauges that count an instance's own VUs: summed over the fleet.
fn is_fleet_sum(id: MetricId) -> bool {
    id == builtin::VUS || id == builtin::VUS_MAX
}

/// A fleet gauge's sums, and the earliest first appearance of its series.
#[derive(Debug, Clone, Copy)]
struct GaugeSum {
    id: MetricId,
    value: f64,
    min: f64,
    max: f64,
    first_seen: u64,
}

/// Combines `runs` (see the module doc). Gauges' last values follow the order of
/// `ended_at_unix_ms`, whatever the order given.
pub fn combine(mut runs: Vec<RunExport>) -> Merged {
    runs.sort_by_key(|r| r.header.ended_at_unix_ms);
    let mut aggregate = Aggregate::with_series_cap(SeriesCap::new(UNCAPPED, Vec::<String>::new()));
    let mut fleet_gauges: BTreeMap<String, (Tags, GaugeSum)> = BTreeMap::new();
    let mut counts = RunCounts::default();
    let mut test_duration = Duration::ZERO;
    for run in &runs {
        test_duration = test_duration.max(run.test_duration);
        aggregate.merge_failures(run.aggregate.failures());
        for metric in run.aggregate.metrics() {
            for (tags, series) in metric.series() {
                match &series.sink {
                    SeriesSink::Gauge(g) if is_fleet_sum(metric.id()) => {
                        if g.count() == 0 {
                            continue; // no value
                        }
                        let (shared, sum) = fleet_gauges.entry(metric.name().to_owned()).or_insert_with(|| {
                            let sum = GaugeSum {
                                id: metric.id(),
                                value: 0.0,
                                min: 0.0,
                                max: 0.0,
                                first_seen: series.first_seen,
                            };
                            (tags.clone(), sum)
                        });
                        *shared = Tags::from_pairs(shared.iter().filter(|(k, v)| tags.get(k) == Some(*v)));
                        sum.value += g.value();
                        sum.min += g.min();
                        sum.max += g.max();
                        sum.first_seen = sum.first_seen.min(series.first_seen);
                    }
                    sink => aggregate.add_series(metric.name(), metric.id(), tags, sink, series.first_seen),
                }
            }
        }
        counts.interrupted_iterations += run.counts.interrupted_iterations;
        counts.failed_iterations += run.counts.failed_iterations;
        counts.series_limit = counts.series_limit.max(run.counts.series_limit);
        // An instance whose load generator was saturated taints the fleet's latencies: say which.
        if let Some(warning) = &run.counts.saturation_warning {
            let line = format!("{}: {warning}", run.header.execution_segment);
            counts.saturation_warning = Some(match counts.saturation_warning.take() {
                Some(earlier) => format!("{earlier}\n{line}"),
                None => line,
            });
        }
        for o in &run.counts.overflowed {
            match counts.overflowed.iter_mut().find(|m| m.metric == o.metric) {
                Some(m) => {
                    m.samples += o.samples;
                    // The tag with the most values in any instance.
                    if o.culprit.as_ref().map(|c| c.1) > m.culprit.as_ref().map(|c| c.1) {
                        m.culprit.clone_from(&o.culprit);
                    }
                }
                None => counts.overflowed.push(o.clone()),
            }
        }
        for (message, n) in &run.counts.script_errors {
            match counts.script_errors.iter_mut().find(|(m, _)| m == message) {
                Some((_, total)) => *total += n,
                None => counts.script_errors.push((message.clone(), *n)),
            }
        }
    }
    for (name, (tags, sum)) in fleet_gauges {
        let mut sink = SeriesSink::new(MetricKind::Gauge);
        // The order of writes makes `value` the last one, as an imported gauge's.
        for v in [sum.min, sum.max, sum.value] {
            sink.add(v, 0);
        }
        aggregate.add_series(&name, sum.id, &tags, &sink, sum.first_seen);
    }
    Merged { aggregate, counts, test_duration }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Registry, Tags};
    use crate::output::histograms::RunHeader;

    /// An instance whose report came at `ended_at`, after `secs` of test, with these gauges.
    fn instance(registry: &mut Registry, ended_at: u64, secs: u64, gauges: &[(&str, [f64; 3])]) -> RunExport {
        let mut aggregate = Aggregate::new();
        for (name, [min, max, last]) in gauges {
            let id = registry.register(name, MetricKind::Gauge, false).unwrap();
            let mut sink = SeriesSink::new(MetricKind::Gauge);
            for v in [*min, *max, *last] {
                sink.add(v, 0);
            }
            aggregate.add_series(name, id, &Tags::default(), &sink, 0);
        }
        let mut counts = RunCounts { interrupted_iterations: 1, ..RunCounts::default() };
        counts.script_errors.push(("boom".into(), 2));
        RunExport {
            header: RunHeader { ended_at_unix_ms: ended_at, ..RunHeader::default() },
            test_duration: Duration::from_secs(secs),
            counts,
            aggregate,
        }
    }

    fn gauge(merged: &Merged, name: &str) -> (f64, f64, f64) {
        match merged.aggregate.metric_by_name(name).unwrap().merged() {
            SeriesSink::Gauge(g) => (g.min(), g.max(), g.value()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_fleets_vus_are_summed_and_other_gauges_keep_the_last_reported_value() {
        let mut registry = Registry::new();
        let late = instance(&mut registry, 2_000, 10, &[("vus", [1.0, 5.0, 1.0]), ("queue", [3.0, 9.0, 4.0])]);
        let early = instance(&mut registry, 1_000, 12, &[("vus", [2.0, 6.0, 2.0]), ("queue", [1.0, 7.0, 6.0])]);
        // Given late first: the order of the files does not decide "last".
        let merged = combine(vec![late, early]);
        assert_eq!(gauge(&merged, "vus"), (3.0, 11.0, 3.0));
        assert_eq!(gauge(&merged, "queue"), (1.0, 9.0, 4.0), "min of mins, max of maxes, the later report's value");
        assert_eq!(merged.test_duration, Duration::from_secs(12), "the longest instance's");
        assert_eq!(merged.counts.interrupted_iterations, 2);
        assert_eq!(merged.counts.script_errors, [("boom".to_owned(), 4)]);
    }
}
