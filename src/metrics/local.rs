//! One worker thread's samples since its last flush: the hot path.
//!
//! [`LocalSink::record`] indexes a `Vec` by metric id, then finds the series of its `&TagSet`:
//! one of the metric's last few series when the tag set is that very one (pointers compared: a
//! loop's requests and checks repeat their cached tag sets), else by a `HashMap` lookup. When the
//! series exists it adds the value in place (no lock, no channel, no allocation). A new series
//! clones the tag set once. [`LocalSink::flush_into`] moves the counts into an [`Aggregate`] and
//! resets each series in place so the next interval reuses its histogram; series that saw
//! nothing during a whole interval are dropped, so memory follows what the test is doing now.
//!
//! Each metric holds at most the run's [`SeriesCap::limit`] series with their own tag sets;
//! samples with further tag sets lose their high-cardinality tags and go to overflow series
//! tagged `rload_overflow=true` (see [`SeriesCap::kept_in_overflow`]), and are counted, so
//! totals, sub-metric thresholds and the summary's breakdowns stay right and the runner can warn
//! (see [`Aggregate::overflowed`]).
//!
//! Failed requests go into the sink's bounded [`FailureTally`] and are flushed with the samples.
//!
//! The top of the metrics layers: it uses the series cap and the aggregate, and neither uses it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use super::aggregate::Aggregate;
use super::clock::slope_seconds;
use super::failures::FailureTally;
use super::registry::{MetricId, MetricInfo, MetricKind, Registry};
use super::series_cap::SeriesCap;
use super::sink::SeriesSink;
use super::tags::{prune_interner, TagSet, Tags};

/// Process-wide sequence: orders gauge writes and series creation across threads.
static SEQUENCE: AtomicU64 = AtomicU64::new(1);

fn next_seq() -> u64 {
    SEQUENCE.fetch_add(1, Ordering::Relaxed)
}

/// A series as the thread sees it.
#[derive(Debug)]
struct LocalSeries {
    /// The tag set it was found by.
    key: TagSet,
    sink: SeriesSink,
    /// The owned tags, computed once when the series is created.
    tags: Tags,
    /// Sequence number at creation; orders checks and groups like k6 (first seen first).
    first_seen: u64,
    /// Samples since the last flush.
    samples: u64,
}

/// How many series a metric remembers by their tag sets' identity ([`MetricSeries::recent`]).
const RECENT: usize = 4;

/// One metric's series on this thread.
#[derive(Debug, Default)]
struct MetricSeries {
    series: Vec<LocalSeries>,
    /// Where each tag set's series is in `series`.
    by_tags: HashMap<TagSet, usize, ahash::RandomState>,
    /// The series the metric's last few samples went to. A request's, an iteration's or a
    /// check's tag set is cached and handed out again (`http/samples.rs`), so a sample usually
    /// has the very tag set of a recent one, and a few pointers compared find its series. The
    /// map's lookup was ~115 instructions per sample, 14 samples per request of
    /// `bench/get-loop.rhai`; one remembered series missed for 5 of the 13 samples of a
    /// scenario 03 request, whose VUs take turns at its four endpoints. Checked against the
    /// series' own tag set, so an index a flush moved is a miss, never a wrong series.
    recent: [usize; RECENT],
    /// Where in `recent` the next series looked up goes.
    next: usize,
}

impl MetricSeries {
    /// The index of the series of `tags`, if this thread has one.
    #[inline(always)]
    fn find(&mut self, tags: &TagSet) -> Option<usize> {
        for at in self.recent {
            if self.series.get(at).is_some_and(|s| s.key.is(tags)) {
                return Some(at);
            }
        }
        self.look_up(tags)
    }

    /// [`MetricSeries::find`] by the map.
    #[inline(never)]
    fn look_up(&mut self, tags: &TagSet) -> Option<usize> {
        let at = *self.by_tags.get(tags)?;
        self.remember(at);
        Some(at)
    }

    fn remember(&mut self, at: usize) {
        self.recent[self.next] = at;
        self.next = (self.next + 1) % RECENT;
    }

    /// Adds a new series for `key` and returns its index.
    fn insert(&mut self, metric: MetricId, key: TagSet) -> usize {
        let at = self.series.len();
        self.by_tags.insert(key.clone(), at);
        self.series.push(LocalSeries {
            tags: key.to_tags(),
            key,
            sink: SeriesSink::for_metric(metric),
            first_seen: next_seq(),
            samples: 0,
        });
        self.remember(at);
        at
    }

    /// Keeps the series for which `keep` is true, in order.
    fn retain(&mut self, keep: impl FnMut(&mut LocalSeries) -> bool) {
        self.series.retain_mut(keep);
        self.by_tags.clear();
        self.by_tags.extend(self.series.iter().enumerate().map(|(at, s)| (s.key.clone(), at)));
    }

    fn len(&self) -> usize {
        self.series.len()
    }

    fn is_empty(&self) -> bool {
        self.series.is_empty()
    }
}

/// The samples one thread recorded since its last flush. `!Send`: one per worker thread.
#[derive(Debug, Default)]
pub struct LocalSink {
    metrics: Vec<MetricSeries>,
    overflowed: Vec<u64>,
    /// The run's cap rules, handed down when the run starts.
    series_cap: SeriesCap,
    /// Per metric: the aggregate had its cap of series of its own at the last flush, so a
    /// tag set this thread does not hold already goes straight to an overflow series. Without
    /// it a run with an id in every URL would build, flush and drop one series per URL (a
    /// quarter of rload's CPU at 10,000 VUs in scenario 03).
    full: Vec<bool>,
    /// Failed requests by error code and message since the last flush.
    failures: FailureTally,
}

impl LocalSink {
    /// An empty sink under the default cap ([`SeriesCap::default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty sink under a run's cap.
    pub fn with_series_cap(series_cap: SeriesCap) -> Self {
        LocalSink { series_cap, ..Self::default() }
    }

    /// Puts the sink under a run's cap from now on; what it holds stays (a thread that recorded
    /// before its run's cap was known, such as the scheduler's during init, keeps those samples).
    pub fn set_series_cap(&mut self, series_cap: SeriesCap) {
        self.series_cap = series_cap;
    }

    /// Records one sample. Gauges keep the last value (ordered across threads), Rates count
    /// non-zero values, Counters add, Trends go into the histogram.
    pub fn record(&mut self, metric: MetricId, tags: &TagSet, value: f64) {
        self.record_n(metric, tags, value, 1);
    }

    /// Records `n` samples of `value` at once (see [`SeriesSink::add_n`]); a gauge takes the
    /// value once, with its place on the run's slope clock.
    pub fn record_n(&mut self, metric: MetricId, tags: &TagSet, value: f64, n: u64) {
        let index = metric.index();
        if index >= self.metrics.len() {
            self.metrics.resize_with(index + 1, MetricSeries::default);
            self.overflowed.resize(index + 1, 0);
            self.full.resize(index + 1, false);
        }
        let (seq, at) = if metric.kind() == MetricKind::Gauge { (next_seq(), slope_seconds()) } else { (0, None) };
        let add = |sink: &mut SeriesSink| match n {
            1 => sink.add_at(value, seq, at),
            n => sink.add_n(value, n, seq),
        };
        let at = match self.metrics[index].find(tags) {
            Some(at) => at,
            None => self.place(metric, tags),
        };
        let local = &mut self.metrics[index].series[at];
        add(&mut local.sink);
        local.samples += 1;
    }

    /// The series for `tags`, which the metric has none of: a new one while the metric is under
    /// its cap, else the overflow series of its tags (see [`SeriesCap::overflow_tag_set`]).
    fn place(&mut self, metric: MetricId, tags: &TagSet) -> usize {
        let index = metric.index();
        let series = &mut self.metrics[index];
        let limit = self.series_cap.limit();
        if series.len() < limit && !self.full[index] {
            return series.insert(metric, tags.clone());
        }
        self.overflowed[index] += 1;
        let key = self.series_cap.overflow_tag_set(tags, series.len().saturating_sub(limit));
        match series.find(&key) {
            Some(at) => at,
            None => series.insert(metric, key),
        }
    }

    /// Counts one failed request (k6's `error_code` and message) for the end-of-test table.
    pub fn record_failure(&mut self, error_code: u32, message: &str) {
        self.failures.record(error_code, message);
    }

    /// Moves everything recorded since the last flush into `aggregate`, naming metrics from
    /// `registry`. Off the hot path: called twice a second and when the thread ends.
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
            series.retain(|local| {
                if local.samples == 0 {
                    return false; // idle for a whole interval: free it
                }
                aggregate.merge_series(describe, index, &local.tags, &local.sink, local.first_seen, local.samples);
                local.sink.reset();
                local.samples = 0;
                true
            });
            if overflowed > 0 {
                aggregate.add_overflowed(index, overflowed);
            }
            self.full[index] = aggregate.is_full(index);
        }
        if !self.failures.is_empty() {
            aggregate.merge_failures(&self.failures);
            self.failures.clear();
        }
        prune_interner();
    }

    /// True when nothing was recorded since the last flush.
    pub fn is_empty(&self) -> bool {
        self.failures.is_empty() && self.metrics.iter().all(|metric| metric.series.iter().all(|s| s.samples == 0))
    }

    /// Forgets everything, including idle series.
    pub fn clear(&mut self) {
        self.metrics.clear();
        self.overflowed.clear();
        self.full.clear();
        self.failures.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::registry::{builtin, MetricKind};
    use crate::metrics::series_cap::{MAX_SERIES_PER_METRIC, OVERFLOW_TAG};
    use crate::metrics::sink::SeriesSink;
    use crate::metrics::tags::Tags;

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
    fn each_sample_reaches_its_own_series_whatever_came_before_it_and_after_a_flush_moved_them() {
        let registry = Registry::new();
        let mut aggregate = Aggregate::new();
        let mut sink = LocalSink::new();
        let reqs = builtin::HTTP_REQS;
        let a = TagSet::new().with("name", "a");
        let a_rebuilt = TagSet::new().with("name", "a");
        let b = TagSet::new().with("name", "b");
        assert!(!a.is(&a_rebuilt), "the test needs equal tags in another tag set");
        for tags in [&a, &b, &a_rebuilt, &a, &a, &b] {
            sink.record(reqs, tags, 1.0);
        }
        assert_eq!(sink.metrics[reqs.index()].len(), 2, "equal tags are one series");
        sink.flush_into(&mut aggregate, &registry);
        // Only b in this interval: a's series is dropped at its end, and b's takes its place.
        sink.record(reqs, &b, 1.0);
        sink.flush_into(&mut aggregate, &registry);
        assert_eq!(sink.metrics[reqs.index()].len(), 1);
        for tags in [&a_rebuilt, &b, &a, &b] {
            sink.record(reqs, tags, 1.0);
        }
        sink.flush_into(&mut aggregate, &registry);
        let sum = |name: &str| {
            let merged = aggregate.metric(reqs).unwrap().merged_where(|t| t.get("name") == Some(name)).unwrap();
            let SeriesSink::Counter(c) = merged else { unreachable!() };
            c.sum()
        };
        assert_eq!((sum("a"), sum("b")), (6.0, 5.0));
    }

    #[test]
    fn more_tag_sets_in_turn_than_a_metric_remembers_keep_their_own_series() {
        let registry = Registry::new();
        let mut aggregate = Aggregate::new();
        let mut sink = LocalSink::new();
        let sets: Vec<TagSet> = (0..RECENT + 2).map(|i| TagSet::new().with("name", &i.to_string())).collect();
        for round in 0..5 {
            for (i, tags) in sets.iter().enumerate() {
                // Set i gets i + 1 samples per round, so a sample sent to another set's series shows.
                for _ in 0..=i {
                    sink.record(builtin::HTTP_REQS, tags, 1.0);
                }
                sink.record(builtin::HTTP_REQS, &sets[(i + round) % sets.len()], 0.0);
            }
        }
        sink.flush_into(&mut aggregate, &registry);
        let metric = aggregate.metric(builtin::HTTP_REQS).unwrap();
        for i in 0..sets.len() {
            let name = i.to_string();
            let SeriesSink::Counter(c) = metric.merged_where(|t| t.get("name") == Some(&name)).unwrap() else {
                unreachable!()
            };
            assert_eq!(c.sum(), 5.0 * (i + 1) as f64, "tag set {i}");
        }
    }

    #[test]
    fn failures_recorded_on_two_threads_reach_the_aggregate_once_each() {
        let registry = Registry::new();
        let mut aggregate = Aggregate::new();
        let (mut a, mut b) = (LocalSink::new(), LocalSink::new());
        a.record_failure(1212, "dial: connection refused");
        b.record_failure(1212, "dial: connection refused");
        b.record_failure(1404, "404 Not Found");
        assert!(!a.is_empty(), "a failure alone is something to flush");
        a.flush_into(&mut aggregate, &registry);
        b.flush_into(&mut aggregate, &registry);
        b.flush_into(&mut aggregate, &registry);
        assert!(a.is_empty() && b.is_empty());
        let mut kinds: Vec<(u32, u64)> = aggregate.failures().kinds().map(|k| (k.error_code, k.count)).collect();
        kinds.sort_unstable();
        assert_eq!(kinds, [(1212, 2), (1404, 1)]);
    }

    /// A registry with one counter, `per_url`, and an empty aggregate and thread sink.
    fn per_url_counter() -> (Registry, MetricId, Aggregate, LocalSink) {
        let mut registry = Registry::new();
        let id = registry.register("per_url", MetricKind::Counter, false).unwrap();
        (registry, id, Aggregate::new(), LocalSink::new())
    }

    #[test]
    fn series_beyond_the_cap_keep_their_tags_but_url_and_name() {
        let (registry, id, mut aggregate, mut sink) = per_url_counter();
        for i in 0..MAX_SERIES_PER_METRIC + 6 {
            let op = if i % 2 == 0 { "switch" } else { "create" };
            let url = format!("/item/{i}");
            sink.record(id, &TagSet::new().with("url", &url).with("name", &url).with("operation", op), 1.0);
        }
        sink.flush_into(&mut aggregate, &registry);
        let metric = aggregate.metric(id).unwrap();
        assert_eq!(metric.series().count(), MAX_SERIES_PER_METRIC + 2, "one overflow series per operation");
        assert_eq!(metric.overflowed(), 6);
        let switches = metric.merged_where(|t| t.get("operation") == Some("switch")).unwrap();
        let SeriesSink::Counter(c) = switches else { unreachable!() };
        assert_eq!(c.sum(), (MAX_SERIES_PER_METRIC / 2 + 3) as f64, "sub-metrics still see every sample");
        let SeriesSink::Counter(c) = metric.merged() else { unreachable!() };
        assert_eq!(c.sum(), (MAX_SERIES_PER_METRIC + 6) as f64);
        let overflow = Tags::from_pairs([("operation", "switch"), (OVERFLOW_TAG, "true")]);
        assert!(metric.series().any(|(t, _)| *t == overflow), "url and name dropped");
    }

    #[test]
    fn once_the_aggregate_is_full_new_tag_sets_go_straight_to_overflow() {
        let (registry, id, mut aggregate, mut sink) = per_url_counter();
        for i in 0..MAX_SERIES_PER_METRIC {
            sink.record(id, &TagSet::new().with("url", &format!("/a/{i}")), 1.0);
        }
        sink.flush_into(&mut aggregate, &registry);
        sink.flush_into(&mut aggregate, &registry); // idle series dropped: the thread holds none
        for i in 0..10 {
            sink.record(id, &TagSet::new().with("url", &format!("/b/{i}")).with("method", "POST"), 1.0);
        }
        assert_eq!(sink.metrics[id.index()].len(), 1, "one overflow series, not one per URL");
        sink.flush_into(&mut aggregate, &registry);
        let metric = aggregate.metric(id).unwrap();
        assert_eq!(metric.overflowed(), 10);
        let overflow = Tags::from_pairs([("method", "POST"), (OVERFLOW_TAG, "true")]);
        let (_, series) = metric.series().find(|(t, _)| **t == overflow).expect("the overflow series");
        let SeriesSink::Counter(c) = &series.sink else { unreachable!() };
        assert_eq!(c.sum(), 10.0);
    }

    /// Two runs' sinks and aggregates in one process, each under its own cap: the second run
    /// neither inherits the first's limit nor keeps the tag its thresholds filtered on.
    #[test]
    fn each_run_folds_under_its_own_series_cap() {
        let (registry, id, _, _) = per_url_counter();
        let run = |series_cap: SeriesCap| {
            let mut aggregate = Aggregate::with_series_cap(series_cap.clone());
            let mut sink = LocalSink::with_series_cap(series_cap);
            for i in 0..10 {
                let url = format!("/s/{i}");
                sink.record(id, &TagSet::new().with("url", &url).with("operation", "switch"), 1.0);
            }
            sink.flush_into(&mut aggregate, &registry);
            aggregate
        };
        let first = run(SeriesCap::new(2, ["url"]));
        let second = run(SeriesCap::new(4, Vec::<String>::new()));
        let own =
            |agg: &Aggregate| agg.metric(id).unwrap().series().filter(|(t, _)| t.get(OVERFLOW_TAG).is_none()).count();
        let overflow_with_url = |agg: &Aggregate| {
            agg.metric(id).unwrap().series().any(|(t, _)| t.get(OVERFLOW_TAG).is_some() && t.get("url").is_some())
        };
        assert_eq!((own(&first), own(&second)), (2, 4));
        assert_eq!((first.metric(id).unwrap().overflowed(), second.metric(id).unwrap().overflowed()), (8, 6));
        assert!(overflow_with_url(&first), "the first run's threshold filters on url");
        assert!(!overflow_with_url(&second), "the second run's does not");
        assert_eq!(second.series_cap().limit(), 4);
    }
}
