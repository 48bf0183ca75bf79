//! One worker thread's samples since its last flush: the hot path.
//!
//! [`LocalSink::record`] indexes a `Vec` by metric id, then a `HashMap` by `&TagSet`; when the
//! series exists it adds the value in place (no lock, no channel, no allocation). A new series
//! clones the tag set once. [`LocalSink::flush_into`] moves the counts into an [`Aggregate`] and
//! resets each series in place so the next second reuses its histogram; series that saw nothing
//! during a whole interval are dropped, so memory follows what the test is doing now.
//!
//! Each metric holds at most [`MAX_SERIES_PER_METRIC`] series with their own tag sets; samples
//! with further tag sets lose their high-cardinality tags and go to overflow series tagged
//! `rload_overflow=true` (see [`overflow_tags`]), and are counted, so totals, sub-metric
//! thresholds and the summary's breakdowns stay right and the runner can warn (see
//! [`Aggregate::overflowed`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

use super::aggregate::Aggregate;
use super::registry::{MetricId, MetricInfo, MetricKind, Registry};
use super::sink::SeriesSink;
use super::tags::{prune_interner, tag, TagSet, Tags};

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

/// Tag key of the series that receive samples beyond [`MAX_SERIES_PER_METRIC`].
pub const OVERFLOW_TAG: &str = tag::OVERFLOW;

/// Tags the end-of-test summary reads (checks, `expected_response:true`, groups, scenarios).
const SUMMARY_TAG_KEYS: [&str; 4] = [tag::CHECK, tag::EXPECTED_RESPONSE, tag::GROUP, tag::SCENARIO];

/// Tag keys the run's thresholds filter on (`http_req_duration{operation:switchCycle}`).
static THRESHOLD_TAG_KEYS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Declares the tag keys this run's sub-metric thresholds filter on, so overflow series keep them.
pub fn keep_tag_keys(keys: impl IntoIterator<Item = String>) {
    let mut kept = THRESHOLD_TAG_KEYS.write().unwrap_or_else(|e| e.into_inner());
    kept.extend(keys);
    kept.sort();
    kept.dedup();
}

fn is_kept(key: &str) -> bool {
    SUMMARY_TAG_KEYS.contains(&key)
        || THRESHOLD_TAG_KEYS.read().unwrap_or_else(|e| e.into_inner()).iter().any(|k| k == key)
}

/// Whether a sample keeps tag `key` once its metric has [`max_series`] series of its own, given
/// that the metric already has `overflow_series` overflow series (`rload_overflow=true` is
/// added to what is kept):
/// - first every tag but `url` and `name` (the tags k6 users put ids in), unless a threshold
///   filters on them, so `method`, `status` and custom tags still split the overflow;
/// - past another [`max_series`] overflow series (ids in custom tags), only the tags the
///   summary and the thresholds read;
/// - past twice that, none: one series takes the rest, and memory stays bounded.
pub(crate) fn kept_in_overflow(key: &str, overflow_series: usize) -> bool {
    let cap = max_series();
    if key == OVERFLOW_TAG {
        false // added back by the caller
    } else if overflow_series < cap {
        !(key == tag::URL || key == tag::NAME) || is_kept(key)
    } else if overflow_series < 2 * cap {
        is_kept(key)
    } else {
        false
    }
}

/// [`kept_in_overflow`] applied to an owned tag set, with `rload_overflow=true` added.
pub(crate) fn overflow_tags(tags: &Tags, overflow_series: usize) -> Tags {
    Tags::from_pairs(tags.iter().filter(|(k, _)| kept_in_overflow(k, overflow_series)).chain([(OVERFLOW_TAG, "true")]))
}

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
    metrics: Vec<HashMap<TagSet, LocalSeries, ahash::RandomState>>,
    overflowed: Vec<u64>,
    /// Per metric: the aggregate had [`max_series`] series of its own at the last flush, so a
    /// tag set this thread does not hold already goes straight to an overflow series. Without
    /// it a run with an id in every URL would build, flush and drop one series per URL (a
    /// quarter of rload's CPU at 10,000 VUs in scenario 03).
    full: Vec<bool>,
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
            self.metrics.resize_with(index + 1, HashMap::default);
            self.overflowed.resize(index + 1, 0);
            self.full.resize(index + 1, false);
        }
        let seq = if metric.kind() == MetricKind::Gauge { next_seq() } else { 0 };
        let series = &mut self.metrics[index];
        if let Some(existing) = series.get_mut(tags) {
            existing.sink.add(value, seq);
            existing.samples += 1;
            return;
        }
        let key = if series.len() < max_series() && !self.full[index] {
            tags.clone()
        } else {
            self.overflowed[index] += 1;
            let overflow_series = series.len().saturating_sub(max_series());
            tags.filtered(|k| kept_in_overflow(k, overflow_series)).with(OVERFLOW_TAG, "true")
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
            self.full[index] = aggregate.is_full(index);
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
        self.full.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::registry::{builtin, MetricKind};
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
    fn ids_in_custom_tags_end_in_fewer_overflow_series() {
        let cap = max_series();
        let tags = Tags::from_pairs([("scenario", "s"), ("session", "42"), ("url", "/x/42")]);
        let first = overflow_tags(&tags, 0);
        assert_eq!(first, Tags::from_pairs([("scenario", "s"), ("session", "42"), (OVERFLOW_TAG, "true")]));
        let second = overflow_tags(&tags, cap);
        assert_eq!(second, Tags::from_pairs([("scenario", "s"), (OVERFLOW_TAG, "true")]));
        let last = overflow_tags(&tags, 2 * cap);
        assert_eq!(last, Tags::from_pairs([(OVERFLOW_TAG, "true")]));
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
}
