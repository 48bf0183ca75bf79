//! What the remote-write output remembers between pushes, and how a k6 series becomes
//! Prometheus series, named as k6's output (xk6-output-prometheus-remote) names them so the
//! Grafana dashboards made for it work:
//!
//! | k6 metric | Prometheus series | value |
//! |---|---|---|
//! | counter | `k6_<name>_total` | the sum since the start |
//! | gauge | `k6_<name>` | the last value |
//! | rate | `k6_<name>_rate` | non-zero samples / samples since the start |
//! | trend | `k6_<name>_<stat>` per `K6_PROMETHEUS_RW_TREND_STATS` (`_p99` by default) | the stat since the start |
//! | trend, as native histogram | `k6_<name>_seconds` (time), `_bytes` (data), `k6_<name>` | the histogram since the start |
//!
//! Time trends are pushed in seconds (Prometheus's base unit), other values as recorded. Labels
//! are the sample's tags (empty keys or values left out, as k6) and `__name__`, sorted by name.
//! A series is pushed when it gained samples since its last successful push, with the time of
//! its latest sample in milliseconds, or 1 ms after that push when a thread's samples arrive
//! later than newer ones of another thread: a receiver never sees one timestamp twice or going
//! back (Prometheus drops such samples), and never misses the last value.
//!
//! Two halves: [`group`] runs on the recording thread and folds a batch of samples into one
//! [`Delta`] per series (the tag sets cannot leave that thread, and a batch of thousands of
//! samples usually touches a few dozen series); [`Store`] runs on the output's own thread,
//! merges the deltas into the run-long state and maps it to the wire form at each push.
//!
//! Deliberate difference: k6 divides a time trend's `count` stat by 1000 along with the other
//! stats; rload pushes the count as a count.

use std::collections::HashMap;
use std::time::SystemTime;

use crate::metrics::{self, Contains, MetricId, MetricKind, RawSample, SeriesSink, TagSet, MAX_SERIES_PER_METRIC};

use super::config::{Config, PushedStat};
use super::native::NativeHistogram;
use super::proto::{Label, Sample, TimeSeries};
use crate::outputs::time::unix_nanos;

/// Prometheus's staleness marker: a NaN with this exact bit pattern.
pub const STALE_NAN: u64 = 0x7ff0_0000_0000_0002;

/// A series' samples so far: k6's sink of its kind, or a native histogram for a trend.
#[derive(Debug, Clone)]
pub enum Measure {
    Sink(SeriesSink),
    Native(NativeHistogram),
}

impl Measure {
    fn merge(&mut self, other: &Measure) {
        match (self, other) {
            (Measure::Sink(a), Measure::Sink(b)) => a.merge(b),
            (Measure::Native(a), Measure::Native(b)) => a.merge(b),
            _ => debug_assert!(false, "one metric is either native or not for the whole run"),
        }
    }
}

/// One series' samples from one batch.
#[derive(Debug)]
pub struct Delta {
    pub metric: MetricId,
    /// The tags, owned, non-empty, sorted by key.
    pub labels: Vec<(String, String)>,
    pub measure: Measure,
    /// Unix milliseconds of the batch's latest sample of this series.
    pub latest_ms: i64,
    pub samples: u64,
}

/// A value in Prometheus's base unit: time trends in seconds.
fn base_unit(contains: Contains, v: f64) -> f64 {
    if contains == Contains::Time {
        v / 1000.0
    } else {
        v
    }
}

/// Folds one thread's batch into one [`Delta`] per series; runs on the recording thread.
pub fn group(samples: &[RawSample], native: bool) -> Vec<Delta> {
    let mut index: HashMap<(MetricId, &TagSet), usize, ahash::RandomState> = HashMap::default();
    let mut deltas: Vec<Delta> = Vec::new();
    for s in samples {
        if !s.value.is_finite() {
            continue;
        }
        let nanos = unix_nanos(s.time);
        let ms = (nanos / 1_000_000) as i64;
        let i = *index.entry((s.metric, &s.tags)).or_insert_with(|| {
            let labels = s.tags.iter().filter(|(k, v)| !k.is_empty() && !v.is_empty());
            let measure = if native && s.metric.kind() == MetricKind::Trend {
                Measure::Native(NativeHistogram::default())
            } else {
                Measure::Sink(SeriesSink::for_metric(s.metric))
            };
            deltas.push(Delta {
                metric: s.metric,
                labels: labels.map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                measure,
                latest_ms: ms,
                samples: 0,
            });
            deltas.len() - 1
        });
        let d = &mut deltas[i];
        match &mut d.measure {
            // The time orders a gauge's writes across threads.
            Measure::Sink(sink) => sink.add(s.value, nanos as u64),
            Measure::Native(h) => h.observe(base_unit(s.metric.contains(), s.value)),
        }
        d.latest_ms = d.latest_ms.max(ms);
        d.samples += 1;
    }
    deltas
}

/// A series: its metric and its tags (owned, non-empty, sorted by key).
type SeriesKey = (MetricId, Vec<(String, String)>);

struct Entry {
    measure: Measure,
    latest_ms: i64,
    /// The time last pushed successfully.
    pushed_ms: Option<i64>,
    /// Samples merged since the last successful push.
    fresh: bool,
}

impl Entry {
    /// The time to push the series at: its latest sample's, moved past the last push when
    /// samples older than that push arrived after it.
    fn push_ms(&self) -> i64 {
        self.pushed_ms.map_or(self.latest_ms, |p| self.latest_ms.max(p + 1))
    }
}

/// Every series of the run, on the output's thread.
#[derive(Default)]
pub struct Store {
    series: HashMap<SeriesKey, Entry, ahash::RandomState>,
    per_metric: HashMap<MetricId, usize>,
    names: HashMap<MetricId, String>,
    /// Samples of series past [`MAX_SERIES_PER_METRIC`] for their metric, not pushed.
    pub over_cap: u64,
}

impl Store {
    pub fn add(&mut self, delta: Delta) {
        let key = (delta.metric, delta.labels);
        if let Some(entry) = self.series.get_mut(&key) {
            entry.measure.merge(&delta.measure);
            entry.latest_ms = entry.latest_ms.max(delta.latest_ms);
            entry.fresh = true;
            return;
        }
        let count = self.per_metric.entry(delta.metric).or_insert(0);
        if *count >= MAX_SERIES_PER_METRIC {
            self.over_cap += delta.samples;
            return;
        }
        *count += 1;
        self.names
            .entry(delta.metric)
            .or_insert_with(|| metrics::name_of(delta.metric).unwrap_or_else(|| "unknown".into()));
        self.series
            .insert(key, Entry { measure: delta.measure, latest_ms: delta.latest_ms, pushed_ms: None, fresh: true });
    }

    /// The series that gained samples since their last successful push, each at
    /// [`Entry::push_ms`].
    pub fn changed(&self, config: &Config) -> Vec<TimeSeries> {
        let mut out = Vec::new();
        for ((metric, labels), entry) in &self.series {
            if entry.fresh {
                out.extend(self.map(*metric, labels, &entry.measure, entry.push_ms(), config));
            }
        }
        out
    }

    /// Records that what [`Store::changed`] returned reached the receiver.
    pub fn mark_pushed(&mut self) {
        for entry in self.series.values_mut().filter(|e| e.fresh) {
            entry.pushed_ms = Some(entry.push_ms());
            entry.fresh = false;
        }
    }

    /// Every series of the run, valued with Prometheus's staleness marker at `now` + 1 ms (as
    /// k6: after any sample already pushed), so graphs end with the test instead of 5 min later.
    pub fn stale_markers(&self, config: &Config, now: SystemTime) -> Vec<TimeSeries> {
        let at = (unix_nanos(now) / 1_000_000) as i64 + 1;
        let mut out = Vec::new();
        for ((metric, labels), entry) in &self.series {
            for mut series in self.map(*metric, labels, &entry.measure, entry.latest_ms, config) {
                series.histograms.clear();
                series.samples = vec![Sample {
                    value: f64::from_bits(STALE_NAN),
                    timestamp: at.max(entry.latest_ms.max(entry.pushed_ms.unwrap_or(entry.latest_ms)) + 1),
                }];
                out.push(series);
            }
        }
        out
    }

    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// One k6 series as Prometheus series (several for a trend with several stats).
    fn map(
        &self,
        metric: MetricId,
        tags: &[(String, String)],
        measure: &Measure,
        ms: i64,
        config: &Config,
    ) -> Vec<TimeSeries> {
        let name = self.names.get(&metric).map_or("unknown", String::as_str);
        let series = |suffix: &str, value: f64| {
            let mut full = format!("k6_{name}");
            if !suffix.is_empty() {
                full.push('_');
                full.push_str(suffix);
            }
            TimeSeries {
                labels: labels(tags, full),
                samples: vec![Sample { value, timestamp: ms }],
                histograms: Vec::new(),
            }
        };
        match measure {
            Measure::Sink(SeriesSink::Counter(c)) => vec![series("total", c.sum())],
            Measure::Sink(SeriesSink::Gauge(g)) => vec![series("", g.value())],
            Measure::Sink(SeriesSink::Rate(r)) => vec![series("rate", r.rate())],
            Measure::Sink(SeriesSink::Trend(t)) => config
                .trend_stats
                .iter()
                .map(|(suffix, stat)| {
                    let value = match stat {
                        PushedStat::Sum => base_unit(metric.contains(), t.sum()),
                        PushedStat::Stat(metrics::TrendStat::Count) => t.count() as f64,
                        PushedStat::Stat(s) => base_unit(metric.contains(), t.stat(*s)),
                    };
                    series(suffix, value)
                })
                .collect(),
            Measure::Native(h) => {
                let unit = match metric.contains() {
                    Contains::Time => "seconds",
                    Contains::Data => "bytes",
                    Contains::Default => "",
                };
                let mut s = series(unit, 0.0);
                s.samples.clear();
                s.histograms.push(h.to_proto(ms));
                vec![s]
            }
        }
    }
}

/// The tags and `__name__`, sorted by name as the remote-write specification requires.
fn labels(tags: &[(String, String)], name: String) -> Vec<Label> {
    let mut out: Vec<Label> = tags.iter().map(|(k, v)| Label { name: k.clone(), value: v.clone() }).collect();
    out.push(Label { name: "__name__".into(), value: name });
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::builtin;
    use std::time::{Duration, UNIX_EPOCH};

    fn sample(metric: MetricId, tags: TagSet, value: f64, ms: u64) -> RawSample {
        RawSample { metric, tags, value, time: UNIX_EPOCH + Duration::from_millis(ms) }
    }

    fn config() -> Config {
        Config::from_env("", &[("K6_PROMETHEUS_RW_TREND_STATS".into(), "p(95),p(99),count".into())]).unwrap()
    }

    fn find<'a>(series: &'a [TimeSeries], name: &str) -> &'a TimeSeries {
        series
            .iter()
            .find(|s| s.labels.iter().any(|l| l.name == "__name__" && l.value == name))
            .unwrap_or_else(|| panic!("no series {name}"))
    }

    #[test]
    fn series_are_named_and_valued_as_k6s_remote_write_output() {
        let get = TagSet::new().with("method", "GET").with("status", "200").with("name", "");
        let batch: Vec<RawSample> = (1..=100)
            .flat_map(|i| {
                [
                    sample(builtin::HTTP_REQS, get.clone(), 1.0, 1000 + i),
                    sample(builtin::HTTP_REQ_DURATION, get.clone(), i as f64, 1000 + i),
                    sample(builtin::HTTP_REQ_FAILED, get.clone(), if i <= 25 { 1.0 } else { 0.0 }, 1000 + i),
                    sample(builtin::VUS, TagSet::new(), i as f64, 1000 + i),
                ]
            })
            .collect();
        let mut store = Store::default();
        for d in group(&batch, false) {
            store.add(d);
        }
        let out = store.changed(&config());
        let reqs = find(&out, "k6_http_reqs_total");
        assert_eq!(reqs.samples, vec![Sample { value: 100.0, timestamp: 1100 }]);
        let names: Vec<&str> = reqs.labels.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["__name__", "method", "status"], "sorted, the empty `name` tag left out");
        assert_eq!(find(&out, "k6_http_req_failed_rate").samples[0].value, 0.25);
        assert_eq!(find(&out, "k6_vus").samples[0].value, 100.0);
        // 1..=100 ms: p(95) is 95.05 ms, pushed in seconds.
        let p95 = find(&out, "k6_http_req_duration_p95").samples[0].value;
        assert!((p95 - 0.09505).abs() < 0.0001, "{p95}");
        assert_eq!(find(&out, "k6_http_req_duration_count").samples[0].value, 100.0);
        assert_eq!(out.len(), 6);
    }

    #[test]
    fn a_series_is_pushed_again_only_when_it_has_new_samples() {
        let cfg = config();
        let mut store = Store::default();
        for d in group(&[sample(builtin::HTTP_REQS, TagSet::new(), 1.0, 10)], false) {
            store.add(d);
        }
        assert_eq!(store.changed(&cfg).len(), 1);
        store.mark_pushed();
        assert!(store.changed(&cfg).is_empty());
        for d in group(&[sample(builtin::HTTP_REQS, TagSet::new(), 1.0, 20)], false) {
            store.add(d);
        }
        let again = store.changed(&cfg);
        assert_eq!(again[0].samples, vec![Sample { value: 2.0, timestamp: 20 }], "cumulative, at the new time");
        let stale = store.stale_markers(&cfg, UNIX_EPOCH + Duration::from_millis(30));
        assert_eq!(stale[0].samples[0].value.to_bits(), STALE_NAN);
        assert_eq!(stale[0].samples[0].timestamp, 31);
    }

    /// Two worker threads flush on their own: samples of one may arrive after a push that
    /// already carried newer samples of the other. The run's last count must still reach the
    /// receiver, at a time after the push before (Prometheus drops a sample at a time it has).
    #[test]
    fn late_samples_older_than_the_last_push_are_pushed_just_after_it() {
        let cfg = config();
        let mut store = Store::default();
        for d in group(&[sample(builtin::HTTP_REQS, TagSet::new(), 1.0, 20)], false) {
            store.add(d);
        }
        assert_eq!(store.changed(&cfg)[0].samples, vec![Sample { value: 1.0, timestamp: 20 }]);
        store.mark_pushed();
        for d in group(&[sample(builtin::HTTP_REQS, TagSet::new(), 1.0, 15)], false) {
            store.add(d);
        }
        let again = store.changed(&cfg);
        assert_eq!(again[0].samples, vec![Sample { value: 2.0, timestamp: 21 }], "the late sample counted");
        store.mark_pushed();
        assert!(store.changed(&cfg).is_empty());
        for d in group(&[sample(builtin::HTTP_REQS, TagSet::new(), 1.0, 18)], false) {
            store.add(d);
        }
        assert_eq!(store.changed(&cfg)[0].samples, vec![Sample { value: 3.0, timestamp: 22 }]);
        store.mark_pushed();
        let stale = store.stale_markers(&cfg, UNIX_EPOCH + Duration::from_millis(10));
        assert_eq!(stale[0].samples[0].timestamp, 23, "stale after the last push");
    }

    #[test]
    fn a_native_histogram_trend_is_one_series_in_seconds() {
        let batch: Vec<RawSample> =
            (1..=10).map(|i| sample(builtin::HTTP_REQ_DURATION, TagSet::new(), 10.0 * i as f64, 5)).collect();
        let mut store = Store::default();
        for d in group(&batch, true) {
            store.add(d);
        }
        let out = store.changed(&config());
        assert_eq!(out.len(), 1);
        let h = &find(&out, "k6_http_req_duration_seconds").histograms[0];
        assert_eq!(h.count, Some(super::super::proto::Count::CountInt(10)));
        assert!((h.sum - 0.55).abs() < 1e-9, "{}", h.sum);
        assert!(out[0].samples.is_empty());
    }
}
