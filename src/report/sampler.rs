//! Each second's values for the report's charts, read from the process-wide aggregate as the
//! difference from the second before: requests, iterations and scraped counters per second,
//! failed requests and passed checks as that second's share, and p50/p95/p99 of the trends from
//! the histogram of that second's samples (the aggregate's HDR histogram minus the previous one,
//! exact at HDR precision). Scraped gauges are read as they stand, one line per series.
//!
//! The aggregate's lock is held only while the tracked metrics are merged and copied; the
//! subtraction and the percentiles happen after. Nothing here touches a VU's thread.
//!
//! Not here: VUs and rload's own CPU and memory (the monitor that calls this adds them).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hdrhistogram::Histogram;

use super::timeline::{Frame, Unit};
use crate::metrics::{self, builtin, Aggregate, MetricId, MetricKind, SeriesSink, Tags};
use crate::thresholds::MetricThresholds;

/// Gauges' series drawn per scraped metric; the rest are left out of the chart (the summary
/// and the thresholds still see them).
const MAX_GAUGE_LINES: usize = 8;
/// The percentiles drawn for every trend.
const PERCENTILES: [(&str, f64); 3] = [("p(50)", 0.5), ("p(95)", 0.95), ("p(99)", 0.99)];

/// What one chart reads.
#[derive(Debug, Clone)]
enum Track {
    /// A counter's increase per second.
    PerSecond { metric: MetricId },
    /// A rate's share of true over the second, in percent.
    Share { metric: MetricId },
    /// A trend's p50/p95/p99 over the second, for the series matching `filter`.
    Percentiles { metric: MetricId, filter: Vec<(String, String)> },
    /// A gauge's value, one line per series.
    Gauge { metric: MetricId },
}

/// A chart's title, unit and source.
#[derive(Debug, Clone)]
struct Tracked {
    title: String,
    unit: Unit,
    track: Track,
}

/// What [`Sampler::sample`] copied under the lock, per chart.
enum Reading {
    Sum(f64),
    Counts(u64, u64),
    Histogram(Option<Histogram<u64>>),
    Gauges(Vec<(String, f64)>),
}

/// Remembers the last second's totals to give each second's difference.
pub struct Sampler {
    tracked: Vec<Tracked>,
    previous: HashMap<usize, Reading>,
    /// The scraper's declared metrics (growing as scrapes find new series), and how many of
    /// them are tracked already.
    scraped: Arc<Mutex<Vec<String>>>,
    scraped_seen: usize,
}

impl Sampler {
    /// The charts of a run: k6's HTTP and iteration figures, every thresholded trend (sub-)metric
    /// and every scraped metric (`scraped`: the names `--scrape` declared, see
    /// `Scraper::declared`).
    pub fn new(thresholds: &[MetricThresholds], scraped: Arc<Mutex<Vec<String>>>) -> Sampler {
        let mut tracked = vec![
            tracked("Requests per second", Unit::PerSecond, Track::PerSecond { metric: builtin::HTTP_REQS }),
            tracked(
                "Failed requests (http_req_failed)",
                Unit::Percent,
                Track::Share { metric: builtin::HTTP_REQ_FAILED },
            ),
            tracked(
                "http_req_duration",
                Unit::Millis,
                Track::Percentiles { metric: builtin::HTTP_REQ_DURATION, filter: Vec::new() },
            ),
            tracked("Iterations per second", Unit::PerSecond, Track::PerSecond { metric: builtin::ITERATIONS }),
            tracked("Checks passed", Unit::Percent, Track::Share { metric: builtin::CHECKS }),
        ];
        for t in thresholds.iter().filter(|t| t.id.kind() == MetricKind::Trend) {
            if !tracked.iter().any(|c| c.title == t.key) {
                let track = Track::Percentiles { metric: t.id, filter: t.filter.clone() };
                tracked.push(Tracked { title: t.key.clone(), unit: value_unit(t.id), track });
            }
        }
        let mut sampler = Sampler { tracked, previous: HashMap::new(), scraped, scraped_seen: 0 };
        sampler.track_scraped();
        sampler
    }

    /// Adds a chart for each scraped metric declared since the last call.
    fn track_scraped(&mut self) {
        let names = self.scraped.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        if names.len() == self.scraped_seen {
            return;
        }
        self.scraped_seen = names.len();
        for name in names {
            let Some(id) = metrics::lookup(&name) else { continue };
            let (unit, track) = match id.kind() {
                MetricKind::Counter => (Unit::PerSecond, Track::PerSecond { metric: id }),
                MetricKind::Gauge => (value_unit(id), Track::Gauge { metric: id }),
                MetricKind::Trend => (value_unit(id), Track::Percentiles { metric: id, filter: Vec::new() }),
                MetricKind::Rate => (Unit::Percent, Track::Share { metric: id }),
            };
            if !self.tracked.iter().any(|c| c.title == name) {
                self.tracked.push(Tracked { title: name, unit, track });
            }
        }
    }

    /// Adds what happened since the last call, `seconds` ago, to `frame` (the first call sets
    /// the baseline for counters; gauges are read at once). The last call of a run covers the
    /// partial second before its end.
    pub fn sample(&mut self, frame: &mut Frame, seconds: f64) {
        self.track_scraped();
        let readings: Vec<Reading> =
            metrics::with_aggregate(|agg| self.tracked.iter().map(|t| read(agg, &t.track)).collect());
        for (i, now) in readings.into_iter().enumerate() {
            let Tracked { title, unit, .. } = &self.tracked[i];
            let before = self.previous.get(&i);
            match (&now, before) {
                (Reading::Sum(n), Some(Reading::Sum(b))) if seconds > 0.0 => {
                    frame.set(title, *unit, "per second", (n - b) / seconds)
                }
                (Reading::Counts(t, n), Some(Reading::Counts(t0, n0))) if n > n0 => {
                    frame.set(title, *unit, "share", (t - t0) as f64 / (n - n0) as f64 * 100.0)
                }
                (Reading::Histogram(Some(h)), before) => {
                    let second = match before {
                        Some(Reading::Histogram(Some(b))) => difference(h, b),
                        _ => Some(h.clone()),
                    };
                    if let Some(second) = second.filter(|s| !s.is_empty()) {
                        for (label, q) in PERCENTILES {
                            let units = second.median_equivalent(second.value_at_quantile(q));
                            frame.set(title, *unit, label, units as f64 / 1000.0);
                        }
                    }
                }
                (Reading::Gauges(series), _) => {
                    for (label, value) in series {
                        frame.set(title, *unit, label, *value);
                    }
                }
                _ => {}
            }
            self.previous.insert(i, now);
        }
    }
}

fn tracked(title: &str, unit: Unit, track: Track) -> Tracked {
    Tracked { title: title.to_owned(), unit, track }
}

/// The current total a track reads, copied out of the aggregate.
fn read(agg: &Aggregate, track: &Track) -> Reading {
    match track {
        Track::PerSecond { metric } => match agg.metric(*metric).map(|m| m.merged()) {
            Some(SeriesSink::Counter(c)) => Reading::Sum(c.sum()),
            _ => Reading::Sum(0.0),
        },
        Track::Share { metric } => match agg.metric(*metric).map(|m| m.merged()) {
            Some(SeriesSink::Rate(r)) => Reading::Counts(r.trues(), r.total()),
            _ => Reading::Counts(0, 0),
        },
        Track::Percentiles { metric, filter } => {
            let matches = |tags: &Tags| filter.iter().all(|(k, v)| tags.get(k) == Some(v.as_str()));
            match agg.metric(*metric).and_then(|m| m.merged_where(matches)) {
                Some(SeriesSink::Trend(t)) if t.count() > 0 => Reading::Histogram(Some(t.histogram().into_owned())),
                _ => Reading::Histogram(None),
            }
        }
        Track::Gauge { metric } => {
            let mut series: Vec<(String, f64)> = agg
                .metric(*metric)
                .map(|m| {
                    m.series()
                        .filter_map(|(tags, s)| match &s.sink {
                            SeriesSink::Gauge(g) if g.count() > 0 => Some((series_label(tags), g.value())),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            series.sort_by(|a, b| a.0.cmp(&b.0));
            series.truncate(MAX_GAUGE_LINES);
            Reading::Gauges(series)
        }
    }
}

/// The samples recorded between two readings of a growing histogram; `None` if `before` is not
/// contained in `now` (it always is, unless the aggregate was reset).
fn difference(now: &Histogram<u64>, before: &Histogram<u64>) -> Option<Histogram<u64>> {
    let mut second = now.clone();
    second.subtract(before).ok()?;
    Some(second)
}

/// A series' tags as a line label, `instance` left out (one target is the common case).
fn series_label(tags: &Tags) -> String {
    let parts: Vec<String> = tags.iter().filter(|(k, _)| *k != "instance").map(|(k, v)| format!("{k}={v}")).collect();
    if parts.is_empty() {
        "value".to_owned()
    } else {
        parts.join(",")
    }
}

/// The axis unit of a trend's or gauge's values.
fn value_unit(id: MetricId) -> Unit {
    match id.contains() {
        metrics::Contains::Time => Unit::Millis,
        metrics::Contains::Data => Unit::Bytes,
        metrics::Contains::Default => Unit::Count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seconds_percentiles_come_from_that_seconds_samples_only() {
        let mut before = Histogram::<u64>::new(3).unwrap();
        for _ in 0..100 {
            before.record(1_000).unwrap(); // 1 ms, the first second
        }
        let mut now = before.clone();
        for v in 1..=100u64 {
            now.record(v * 100_000).unwrap(); // 100 ms … 10 s, the second second
        }
        let second = difference(&now, &before).unwrap();
        assert_eq!(second.len(), 100);
        let p50 = second.median_equivalent(second.value_at_quantile(0.5)) as f64 / 1000.0;
        assert!((p50 - 5000.0).abs() < 10.0, "{p50}");
        assert!(difference(&before, &now).is_none(), "a histogram that shrank has no difference");
    }
}
