//! One worker thread's samples since its last flush: the hot path.
//!
//! [`LocalSink::record`] indexes a `Vec` by metric id, then a `HashMap` by `&TagSet`; when the
//! series exists it adds the value in place (no lock, no channel, no allocation). A new series
//! clones the tag set once. [`LocalSink::flush_into`] moves the counts into an [`Aggregate`] and
//! resets each series in place so the next second reuses its histogram; series that saw nothing
//! during a whole interval are dropped, so memory follows what the test is doing now.
//!
//! Each metric holds at most [`MAX_SERIES_PER_METRIC`] series; samples with further tag sets go
//! to one overflow series tagged `rload_overflow=true` and are counted, so totals stay right and
//! the runner can warn (see [`Aggregate::overflowed`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use super::aggregate::Aggregate;
use super::registry::{MetricId, MetricInfo, MetricKind, Registry};
use super::sink::SeriesSink;
use super::tags::{prune_interner, TagSet, Tags};

/// Distinct tag sets kept per metric, by default, before samples are folded into the overflow
/// series (`--max-series` changes it for a run).
pub const MAX_SERIES_PER_METRIC: usize = 1000;

static SERIES_LIMIT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(MAX_SERIES_PER_METRIC);

/// Sets the per-metric series cap for this process (at least 1).
pub fn set_max_series(limit: usize) {
    SERIES_LIMIT.store(limit.max(1), Ordering::Relaxed);
}

/// The per-metric series cap in force.
pub fn max_series() -> usize {
    SERIES_LIMIT.load(Ordering::Relaxed)
}

/// Tag key of the series that receives samples beyond [`MAX_SERIES_PER_METRIC`].
pub const OVERFLOW_TAG: &str = "rload_overflow";

/// Process-wide sequence: orders gauge writes and series creation across threads.
static SEQUENCE: AtomicU64 = AtomicU64::new(1);

pub(crate) fn next_seq() -> u64 {
    SEQUENCE.fetch_add(1, Ordering::Relaxed)
}

/// A series as the thread sees it.
#[derive(Debug)]
pub(crate) struct LocalSeries {
    pub(crate) sink: SeriesSink,
    /// The owned tags, computed once when the series is created.
    pub(crate) tags: Tags,
    /// Sequence number at creation; orders checks and groups like k6 (first seen first).
    pub(crate) first_seen: u64,
    /// Samples since the last flush.
    pub(crate) samples: u64,
}

/// The samples one thread recorded since its last flush. `!Send`: one per worker thread.
#[derive(Debug, Default)]
pub struct LocalSink {
    metrics: Vec<HashMap<TagSet, LocalSeries>>,
    overflowed: Vec<u64>,
}

impl LocalSink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one sample. Gauges keep the last value (ordered across threads), Rates count
    /// non-zero values, Counters add, Trends go into the histogram.
    pub fn record(&mut self, metric: MetricId, tags: &TagSet, value: f64) {
        let index = metric.index();
        if index >= self.metrics.len() {
            self.metrics.resize_with(index + 1, HashMap::new);
            self.overflowed.resize(index + 1, 0);
        }
        let seq = if metric.kind() == MetricKind::Gauge { next_seq() } else { 0 };
        let series = &mut self.metrics[index];
        if let Some(existing) = series.get_mut(tags) {
            existing.sink.add(value, seq);
            existing.samples += 1;
            return;
        }
        let key = if series.len() < max_series() {
            tags.clone()
        } else {
            self.overflowed[index] += 1;
            TagSet::new().with(OVERFLOW_TAG, "true")
        };
        let entry = series.entry(key).or_insert_with_key(|key| LocalSeries {
            sink: SeriesSink::for_metric(metric),
            tags: key.to_tags(),
            first_seen: next_seq(),
            samples: 0,
        });
        entry.sink.add(value, seq);
        entry.samples += 1;
    }

    /// Moves everything recorded since the last flush into `aggregate`, naming metrics from
    /// `registry`. Off the hot path: called about once a second and when the thread ends.
    pub fn flush_into(&mut self, aggregate: &mut Aggregate, registry: &Registry) {
        self.flush_with(aggregate, &|index| {
            registry.by_index(index).cloned().expect("samples are only recorded for metrics declared in the registry")
        });
    }

    /// [`LocalSink::flush_into`] with the registry lookup as a function, so the process-wide
    /// flush only locks the registry when the aggregate meets a metric for the first time.
    pub(crate) fn flush_with(&mut self, aggregate: &mut Aggregate, describe: &dyn Fn(usize) -> MetricInfo) {
        for (index, series) in self.metrics.iter_mut().enumerate() {
            if series.is_empty() {
                continue;
            }
            let overflowed = std::mem::take(&mut self.overflowed[index]);
            series.retain(|_, local| {
                if local.samples == 0 {
                    return false; // idle for a whole interval: free it
                }
                aggregate.merge_series(describe, index, local);
                local.sink.reset();
                local.samples = 0;
                true
            });
            if overflowed > 0 {
                aggregate.add_overflowed(index, overflowed);
            }
        }
        prune_interner();
    }

    /// True when nothing was recorded since the last flush.
    pub fn is_empty(&self) -> bool {
        self.metrics.iter().all(|series| series.values().all(|s| s.samples == 0))
    }

    /// Forgets everything, including idle series.
    pub fn clear(&mut self) {
        self.metrics.clear();
        self.overflowed.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::registry::{builtin, MetricKind};
    use crate::metrics::sink::SeriesSink;

    #[test]
    fn idle_series_are_dropped_on_the_second_flush() {
        let registry = Registry::new();
        let mut aggregate = Aggregate::new();
        let mut sink = LocalSink::new();
        let tags = TagSet::new().with("name", "a");
        sink.record(builtin::HTTP_REQS, &tags, 1.0);
        sink.flush_into(&mut aggregate, &registry);
        assert!(sink.is_empty());
        assert_eq!(sink.metrics[builtin::HTTP_REQS.index()].len(), 1, "kept for reuse");
        sink.flush_into(&mut aggregate, &registry);
        assert_eq!(sink.metrics[builtin::HTTP_REQS.index()].len(), 0, "idle: dropped");
        let merged = aggregate.metric(builtin::HTTP_REQS).unwrap().merged();
        let SeriesSink::Counter(c) = merged else { unreachable!() };
        assert_eq!(c.sum(), 1.0);
    }

    #[test]
    fn series_beyond_the_cap_go_to_the_overflow_series() {
        let mut registry = Registry::new();
        let id = registry.register("per_url", MetricKind::Counter, false).unwrap();
        let mut aggregate = Aggregate::new();
        let mut sink = LocalSink::new();
        for i in 0..MAX_SERIES_PER_METRIC + 5 {
            sink.record(id, &TagSet::new().with("url", &format!("/item/{i}")), 1.0);
        }
        sink.flush_into(&mut aggregate, &registry);
        let metric = aggregate.metric(id).unwrap();
        assert_eq!(metric.series().count(), MAX_SERIES_PER_METRIC + 1);
        assert_eq!(metric.overflowed(), 5);
        let SeriesSink::Counter(c) = metric.merged() else { unreachable!() };
        assert_eq!(c.sum(), (MAX_SERIES_PER_METRIC + 5) as f64);
    }
}
