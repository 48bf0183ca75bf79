//! The merged state of every thread's samples: per metric, one [`SeriesSink`] per tag set.
//!
//! `Send` and instantiable: the process keeps one behind a mutex (see [`crate::metrics::flush`]),
//! tests build their own. Queries used by the summary and thresholds: a metric merged over all
//! its series or over the series matching a tag filter (k6 sub-metrics such as
//! `http_req_duration{expected_response:true}`), and the per-check pass/fail counts read from the
//! `checks` Rate's `check` and `group` tags.
//!
//! It also holds the run's [`FailureTally`] (failed requests by error code and message), merged
//! from the threads' tallies on each flush.
//!
//! An aggregate applies one run's [`SeriesCap`], given when it is built: a flush from a thread
//! that folded nothing, a merge of another aggregate or an imported series are all capped the
//! same way. It knows nothing of the thread sinks that flush into it.

use std::collections::HashMap;

use super::failures::FailureTally;
use super::registry::{builtin, MetricId, MetricInfo};
use super::series_cap::{SeriesCap, OVERFLOW_TAG};
use super::sink::SeriesSink;
use super::tags::{tag, Tags};

/// One series in the aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The samples' statistics.
    pub sink: SeriesSink,
    /// Process-wide order of first appearance (smaller = earlier).
    pub first_seen: u64,
}

/// All series of one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricAggregate {
    name: String,
    id: MetricId,
    series: HashMap<Tags, Series>,
    /// Series other than the overflow series.
    regular: usize,
    overflowed: u64,
}

impl MetricAggregate {
    fn new(name: String, id: MetricId) -> Self {
        MetricAggregate { name, id, series: HashMap::new(), regular: 0, overflowed: 0 }
    }

    /// The metric's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The metric's id (kind and contents).
    pub fn id(&self) -> MetricId {
        self.id
    }

    /// Every series with its tags, in no particular order.
    pub fn series(&self) -> impl Iterator<Item = (&Tags, &Series)> {
        self.series.iter()
    }

    /// The tag key with the most distinct values among the metric's own (not overflow) series,
    /// and how many: what filled its series cap, for the report to name. On a tie, `url` and
    /// `name` are named before the tags that only echo them (an `error` message quoting the URL),
    /// then the first key in byte order.
    pub fn most_varied_tag(&self) -> Option<(&str, usize)> {
        let mut values: HashMap<&str, std::collections::HashSet<&str>> = HashMap::new();
        for tags in self.series.keys().filter(|t| t.get(OVERFLOW_TAG).is_none()) {
            for (key, value) in tags.iter() {
                values.entry(key).or_default().insert(value);
            }
        }
        let is_url = |key: &str| key == tag::URL || key == tag::NAME;
        values
            .into_iter()
            .map(|(key, v)| (key, v.len()))
            .max_by(|a, b| a.1.cmp(&b.1).then(is_url(a.0).cmp(&is_url(b.0))).then(b.0.cmp(a.0)))
    }

    /// Samples that were folded into the overflow series because the metric had
    /// [`SeriesCap::limit`] distinct tag sets already.
    pub fn overflowed(&self) -> u64 {
        self.overflowed
    }

    /// The metric over all its series.
    pub fn merged(&self) -> SeriesSink {
        self.merged_where(|_| true).unwrap_or_else(|| SeriesSink::for_metric(self.id))
    }

    /// The metric over the series whose tags satisfy `filter`; `None` if no series does.
    pub fn merged_where(&self, mut filter: impl FnMut(&Tags) -> bool) -> Option<SeriesSink> {
        let mut merged: Option<SeriesSink> = None;
        for (tags, series) in &self.series {
            if filter(tags) {
                match &mut merged {
                    Some(m) => m.merge(&series.sink),
                    None => merged = Some(series.sink.clone()),
                }
            }
        }
        merged
    }

    /// Adds `sink` to the series `tags`, respecting the series cap (see
    /// [`SeriesCap::overflow_tags`]).
    fn add(&mut self, series_cap: &SeriesCap, tags: &Tags, sink: &SeriesSink, first_seen: u64, samples: u64) {
        if let Some(series) = self.series.get_mut(tags) {
            series.sink.merge(sink);
            series.first_seen = series.first_seen.min(first_seen);
            return;
        }
        let overflow_series = self.series.len() - self.regular;
        let tags = if tags.get(OVERFLOW_TAG).is_some() {
            series_cap.refold(tags, overflow_series) // already folded by a thread
        } else if self.regular < series_cap.limit() {
            self.regular += 1;
            tags.clone()
        } else {
            self.overflowed += samples;
            series_cap.overflow_tags(tags, overflow_series)
        };
        let series =
            self.series.entry(tags).or_insert_with(|| Series { sink: SeriesSink::for_metric(self.id), first_seen });
        series.sink.merge(sink);
        series.first_seen = series.first_seen.min(first_seen);
    }
}

/// The pass/fail counts of one check (one `check` name within one `group` path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// Group path as in the `group` tag (`""` for the root group, `::a::b` for nested groups).
    pub group: String,
    /// The check's name.
    pub name: String,
    /// Samples with a non-zero value.
    pub passes: u64,
    /// Samples with value zero.
    pub fails: u64,
    /// Order of first appearance.
    pub first_seen: u64,
}

/// Merged samples of every thread, by metric and tag set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregate {
    metrics: Vec<Option<MetricAggregate>>,
    series_cap: SeriesCap,
    /// Failed requests by error code and message, merged from every thread.
    failures: FailureTally,
}

/// Metric `index` of `metrics`, created (named by `name`) the first time it is needed.
fn slot(
    metrics: &mut Vec<Option<MetricAggregate>>,
    index: usize,
    name: impl FnOnce() -> (String, MetricId),
) -> &mut MetricAggregate {
    if index >= metrics.len() {
        metrics.resize_with(index + 1, || None);
    }
    metrics[index].get_or_insert_with(|| {
        let (name, id) = name();
        MetricAggregate::new(name, id)
    })
}

impl Aggregate {
    /// An empty aggregate under the default cap ([`SeriesCap::default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty aggregate under a run's cap.
    pub fn with_series_cap(series_cap: SeriesCap) -> Self {
        Aggregate { metrics: Vec::new(), series_cap, failures: FailureTally::new() }
    }

    /// The cap rules this aggregate applies.
    pub fn series_cap(&self) -> &SeriesCap {
        &self.series_cap
    }

    /// Merges one series a thread recorded since its last flush (`samples` samples); `describe`
    /// names the metric the first time the aggregate sees it.
    pub(crate) fn merge_series(
        &mut self,
        describe: &dyn Fn(usize) -> MetricInfo,
        index: usize,
        tags: &Tags,
        sink: &SeriesSink,
        first_seen: u64,
        samples: u64,
    ) {
        let metric = slot(&mut self.metrics, index, || {
            let info = describe(index);
            (info.name, info.id)
        });
        metric.add(&self.series_cap, tags, sink, first_seen, samples);
    }

    /// True when metric `index` has [`SeriesCap::limit`] series of its own: further tag sets
    /// overflow.
    pub(crate) fn is_full(&self, index: usize) -> bool {
        matches!(self.metrics.get(index), Some(Some(metric)) if metric.regular >= self.series_cap.limit())
    }

    pub(crate) fn add_overflowed(&mut self, index: usize, samples: u64) {
        if let Some(Some(metric)) = self.metrics.get_mut(index) {
            metric.overflowed += samples;
        }
    }

    /// Adds a thread's (or another process's) tally of failed requests.
    pub fn merge_failures(&mut self, failures: &FailureTally) {
        self.failures.merge(failures);
    }

    /// Failed requests by error code and message.
    pub fn failures(&self) -> &FailureTally {
        &self.failures
    }

    /// Adds everything in `other` (e.g. another process's aggregate with the same registry),
    /// under this aggregate's cap.
    pub fn merge(&mut self, other: &Aggregate) {
        self.failures.merge(&other.failures);
        for metric in other.metrics.iter().flatten() {
            let target = slot(&mut self.metrics, metric.id.index(), || (metric.name.clone(), metric.id));
            target.overflowed += metric.overflowed;
            for (tags, series) in &metric.series {
                target.add(&self.series_cap, tags, &series.sink, series.first_seen, 0);
            }
        }
    }

    /// Adds a whole series, e.g. one read back from another process's export. `name` and `id`
    /// describe the metric the first time the aggregate sees it; the series cap applies.
    pub fn add_series(&mut self, name: &str, id: MetricId, tags: &Tags, sink: &SeriesSink, first_seen: u64) {
        slot(&mut self.metrics, id.index(), || (name.to_owned(), id)).add(&self.series_cap, tags, sink, first_seen, 0);
    }

    /// A metric that received samples.
    pub fn metric(&self, id: MetricId) -> Option<&MetricAggregate> {
        self.metrics.get(id.index()).and_then(Option::as_ref).filter(|m| m.id == id)
    }

    /// A metric that received samples, by name.
    pub fn metric_by_name(&self, name: &str) -> Option<&MetricAggregate> {
        self.metrics().find(|m| m.name == name)
    }

    /// Every metric that received samples, in id order.
    pub fn metrics(&self) -> impl Iterator<Item = &MetricAggregate> {
        self.metrics.iter().flatten()
    }

    /// Metrics that hit the series cap, with the number of samples folded into their overflow
    /// series; the runner warns about these.
    pub fn overflowed(&self) -> impl Iterator<Item = (&str, u64)> {
        self.metrics().filter(|m| m.overflowed > 0).map(|m| (m.name(), m.overflowed))
    }

    /// Pass/fail counts per (group, check) of the series matching `filter`, in order of first
    /// appearance.
    pub fn checks_where(&self, mut filter: impl FnMut(&Tags) -> bool) -> Vec<CheckResult> {
        let Some(checks) = self.metric(builtin::CHECKS) else {
            return Vec::new();
        };
        let mut results: Vec<CheckResult> = Vec::new();
        for (tags, series) in checks.series() {
            let (Some(name), true) = (tags.get(tag::CHECK), filter(tags)) else {
                continue;
            };
            let SeriesSink::Rate(rate) = &series.sink else {
                continue;
            };
            let group = tags.get(tag::GROUP).unwrap_or("");
            match results.iter_mut().find(|c| c.name == name && c.group == group) {
                Some(c) => {
                    c.passes += rate.trues();
                    c.fails += rate.falses();
                    c.first_seen = c.first_seen.min(series.first_seen);
                }
                None => results.push(CheckResult {
                    group: group.to_owned(),
                    name: name.to_owned(),
                    passes: rate.trues(),
                    fails: rate.falses(),
                    first_seen: series.first_seen,
                }),
            }
        }
        results.sort_by_key(|c| c.first_seen);
        results
    }

    /// Pass/fail counts of every check, per group, in order of first appearance.
    pub fn checks(&self) -> Vec<CheckResult> {
        self.checks_where(|_| true)
    }

    /// Forgets every sample and failure; the cap stays.
    pub fn clear(&mut self) {
        self.metrics.clear();
        self.failures.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::local::LocalSink;
    use crate::metrics::registry::{MetricKind, Registry};
    use crate::metrics::tags::TagSet;

    /// Records the samples `i` of a deterministic mix for which `keep(i)` holds.
    fn record_mix(sink: &mut LocalSink, trend: MetricId, keep: impl Fn(usize) -> bool) {
        let ok = TagSet::new().with("status", "200").with("expected_response", "true");
        let err = TagSet::new().with("status", "500").with("expected_response", "false");
        for i in 0..2000usize {
            if !keep(i) {
                continue;
            }
            let tags = if i % 7 == 0 { &err } else { &ok };
            sink.record(builtin::HTTP_REQ_DURATION, tags, 0.1 + (i * 37 % 1000) as f64 * 0.73);
            sink.record(builtin::HTTP_REQS, tags, 1.0);
            sink.record(builtin::HTTP_REQ_FAILED, tags, (i % 7 == 0) as u8 as f64);
            sink.record(trend, &TagSet::new(), (i % 13) as f64 * 1.5);
        }
    }

    /// Equal statistics; sums may differ in the last bits since addition order differs.
    fn assert_same_samples(a: &SeriesSink, b: &SeriesSink, name: &str) {
        match (a, b) {
            (SeriesSink::Trend(a), SeriesSink::Trend(b)) => {
                assert_eq!((a.count(), a.min(), a.max()), (b.count(), b.min(), b.max()), "{name}");
                assert!((a.sum() - b.sum()).abs() < 1e-6 * a.sum().abs(), "{name}");
                for q in [0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
                    assert_eq!(a.percentile(q), b.percentile(q), "{name} q={q}");
                }
            }
            (a, b) => assert_eq!(a, b, "{name}"),
        }
    }

    #[test]
    fn merging_two_threads_equals_one_sink() {
        let mut registry = Registry::new();
        let custom = registry.register("my_trend", MetricKind::Trend, false).unwrap();

        let mut single = Aggregate::new();
        let mut sink = LocalSink::new();
        record_mix(&mut sink, custom, |_| true);
        sink.flush_into(&mut single, &registry);

        // Two worker threads, each with its own sink, flushing twice into one shared aggregate.
        let merged = std::sync::Mutex::new(Aggregate::new());
        std::thread::scope(|s| {
            for part in [0, 1] {
                let (merged, registry) = (&merged, &registry);
                s.spawn(move || {
                    let mut sink = LocalSink::new();
                    record_mix(&mut sink, custom, |i| i % 4 == part);
                    sink.flush_into(&mut merged.lock().unwrap(), registry);
                    record_mix(&mut sink, custom, |i| i % 4 == part + 2);
                    sink.flush_into(&mut merged.lock().unwrap(), registry);
                });
            }
        });
        let merged = merged.into_inner().unwrap();

        for metric in single.metrics() {
            let other = merged.metric(metric.id()).unwrap_or_else(|| panic!("{}", metric.name()));
            assert_eq!(metric.series().count(), other.series().count(), "{}", metric.name());
            for (tags, series) in metric.series() {
                let (_, theirs) = other.series().find(|(t, _)| *t == tags).unwrap();
                assert_same_samples(&series.sink, &theirs.sink, metric.name());
            }
        }
        let expected = |agg: &Aggregate| {
            let sub = agg
                .metric(builtin::HTTP_REQ_DURATION)
                .unwrap()
                .merged_where(|t| t.get("expected_response") == Some("true"));
            let Some(SeriesSink::Trend(t)) = sub else { unreachable!() };
            (t.count(), t.percentile(0.95))
        };
        assert_eq!(expected(&single), expected(&merged));
        assert_eq!(expected(&single).0, 2000 - 2000usize.div_ceil(7) as u64);
    }

    #[test]
    fn check_counts_come_from_the_checks_rate() {
        let registry = Registry::new();
        let mut aggregate = Aggregate::new();
        let mut sink = LocalSink::new();
        let root = TagSet::new().with("group", "");
        for pass in [true, true, false] {
            sink.record(builtin::CHECKS, &root.clone().with("check", "status is 200"), pass as u8 as f64);
        }
        let grouped = TagSet::new().with("group", "::login").with("check", "has token");
        sink.record(builtin::CHECKS, &grouped, 1.0);
        sink.flush_into(&mut aggregate, &registry);
        let checks = aggregate.checks();
        assert_eq!(checks.len(), 2);
        assert_eq!(
            (checks[0].name.as_str(), checks[0].group.as_str(), checks[0].passes, checks[0].fails),
            ("status is 200", "", 2, 1)
        );
        assert_eq!((checks[1].group.as_str(), checks[1].passes), ("::login", 1));
    }

    /// Requests to URLs with ids that fail with an invalid-URL message quoting the URL: `error`
    /// has as many values as `url`, but the URL is what the user can fix.
    #[test]
    fn a_cardinality_culprit_tied_with_the_url_is_reported_as_the_url() {
        let registry = Registry::new();
        let mut aggregate = Aggregate::new();
        let mut sink = LocalSink::new();
        for i in 0..5 {
            let url = format!("http://x:99999/items/{i}");
            let tags = TagSet::new()
                .with(tag::URL, &url)
                .with(tag::NAME, &url)
                .with(tag::ERROR, &format!("invalid URL \"{url}\""))
                .with(tag::ERROR_CODE, "1020");
            sink.record(builtin::HTTP_REQS, &tags, 1.0);
        }
        sink.flush_into(&mut aggregate, &registry);
        let culprit = aggregate.metric(builtin::HTTP_REQS).unwrap().most_varied_tag();
        assert_eq!(culprit, Some((tag::NAME, 5)));
    }

    #[test]
    fn aggregates_merge_like_flushes() {
        let registry = Registry::new();
        let (mut a, mut b, mut both) = (Aggregate::new(), Aggregate::new(), Aggregate::new());
        let tags = TagSet::new().with("k", "v");
        let mut sink = LocalSink::new();
        sink.record(builtin::ITERATION_DURATION, &tags, 12.5);
        sink.flush_into(&mut a, &registry);
        sink.record(builtin::ITERATION_DURATION, &tags, 30.0);
        sink.flush_into(&mut b, &registry);
        let mut sink = LocalSink::new();
        sink.record(builtin::ITERATION_DURATION, &tags, 12.5);
        sink.record(builtin::ITERATION_DURATION, &tags, 30.0);
        sink.flush_into(&mut both, &registry);
        a.merge(&b);
        let sink_of = |agg: &Aggregate| agg.metric(builtin::ITERATION_DURATION).unwrap().merged();
        assert_eq!(sink_of(&a), sink_of(&both));
    }
}
