//! What one series (a metric with one tag set) remembers: the four k6 sink kinds, how each adds
//! a sample, how two of them merge, and the statistics the summary and thresholds read.
//!
//! Trends keep an HDR histogram (3 significant digits) plus the exact count, sum, min and max.
//! Values are stored in the histogram as `round(value * 1000)`: for time trends (milliseconds)
//! that is microseconds, so sub-millisecond latencies are exact to 1 µs; non-time trends get the
//! same scaling (3 decimals) so both kinds share one code path. Negative values are clamped to 0
//! in the histogram (their exact min/sum/avg are kept), values above [`MAX_HISTOGRAM_VALUE`]
//! units are clamped to it. Percentiles interpolate between neighbouring ranks exactly like
//! k6's `TrendSink.P`, reading each rank's value as the middle of its histogram bucket and
//! clamping to the exact min and max, so p(100) is the max and a single sample is reported
//! exactly. A trend's first samples are kept as a short list of those same histogram units
//! instead (`super::dist`); every statistic reads them exactly as the histogram would, so which
//! form a sink is in never shows in a result.

use std::borrow::Cow;
use std::time::Duration;

use hdrhistogram::Histogram;

use super::dist::Dist;
use super::registry::{MetricId, MetricKind};

/// Largest value a trend histogram stores, in thousandths (≈ 50 days for time trends).
pub const MAX_HISTOGRAM_VALUE: u64 = 1 << 42;

/// Sum of values (k6 Counter).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CounterSink {
    sum: f64,
}

impl CounterSink {
    /// The sum of all values (k6's `count`).
    pub fn sum(&self) -> f64 {
        self.sum
    }

    /// The sum per second over `duration` (0 for a zero duration, as k6).
    pub fn rate(&self, duration: Duration) -> f64 {
        per_second(self.sum, duration)
    }
}

/// Last value with min and max (k6 Gauge). `last_seq` orders writes from different threads.
/// rload also keeps the mean and, for the `slope` threshold, the least-squares fit of the values
/// recorded after the warmup against their time (see [`GaugeSink::slope_per_minute`]); both are
/// sums, so merging stays exact.
#[derive(Debug, Clone, PartialEq)]
pub struct GaugeSink {
    value: f64,
    min: f64,
    max: f64,
    last_seq: u64,
    count: u64,
    sum: f64,
    fit: LineFit,
}

impl Default for GaugeSink {
    fn default() -> Self {
        GaugeSink {
            value: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            last_seq: 0,
            count: 0,
            sum: 0.0,
            fit: LineFit::default(),
        }
    }
}

impl GaugeSink {
    /// The most recently recorded value.
    pub fn value(&self) -> f64 {
        self.value
    }
    /// The smallest recorded value (0 when empty, as k6's gauge sink).
    pub fn min(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.min
        }
    }
    /// The largest recorded value, and never below 0, as k6's gauge sink (its `Max` starts at 0
    /// and only a larger value replaces it: a gauge of negative values has max=0 in k6's
    /// summary, export and handleSummary data).
    pub fn max(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.max.max(0.0)
        }
    }
    /// Number of recorded values.
    pub fn count(&self) -> u64 {
        self.count
    }
    /// The mean of the recorded values (0 when empty).
    pub fn avg(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum / self.count as f64
        }
    }

    /// Least-squares growth per minute of the values recorded with a time (after the warmup):
    /// `slope = (nΣtv − ΣtΣv) / (nΣt² − (Σt)²)` per second, times 60. `None` with fewer than
    /// two such values or when they all share one time. Worked example: 10 at t = 0 s, 20 at
    /// t = 30 s, 30 at t = 60 s fit a line rising 10 per 30 s, so the slope is 20 per minute.
    pub fn slope_per_minute(&self) -> Option<f64> {
        self.fit.slope().map(|per_second| per_second * 60.0)
    }

    /// Records `value` written with sequence `seq`, at `at` seconds on the slope's time line
    /// (`None`: before or during the warmup, not part of the slope).
    pub fn add_at(&mut self, value: f64, seq: u64, at: Option<f64>) {
        if value.is_nan() {
            return;
        }
        if seq >= self.last_seq {
            self.value = value;
            self.last_seq = seq;
        }
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.count += 1;
        self.sum += value;
        if let Some(t) = at {
            self.fit.add(t, value);
        }
    }
}

/// The sums of a least-squares line fit of `v` against `t`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct LineFit {
    n: f64,
    t: f64,
    v: f64,
    tt: f64,
    tv: f64,
}

impl LineFit {
    fn add(&mut self, t: f64, v: f64) {
        self.n += 1.0;
        self.t += t;
        self.v += v;
        self.tt += t * t;
        self.tv += t * v;
    }

    fn merge(&mut self, other: &LineFit) {
        self.n += other.n;
        self.t += other.t;
        self.v += other.v;
        self.tt += other.tt;
        self.tv += other.tv;
    }

    fn slope(&self) -> Option<f64> {
        let spread = self.n * self.tt - self.t * self.t;
        // Relative test: all times equal leaves only rounding noise in `spread`.
        if self.n < 2.0 || spread <= 1e-12 * self.n * self.tt {
            return None;
        }
        Some((self.n * self.tv - self.t * self.v) / spread)
    }
}

/// Count of non-zero values among all values (k6 Rate).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateSink {
    trues: u64,
    total: u64,
}

impl RateSink {
    /// Number of non-zero samples (k6's `passes`).
    pub fn trues(&self) -> u64 {
        self.trues
    }
    /// Number of zero samples (k6's `fails`).
    pub fn falses(&self) -> u64 {
        self.total - self.trues
    }
    /// Number of samples.
    pub fn total(&self) -> u64 {
        self.total
    }
    /// A sink that saw `trues` non-zero samples out of `total` (e.g. read back from an export);
    /// `trues` is capped at `total`.
    pub fn from_counts(trues: u64, total: u64) -> Self {
        RateSink { trues: trues.min(total), total }
    }
    /// `trues / total`, 0 when empty.
    pub fn rate(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.trues as f64 / self.total as f64
        }
    }
}

/// Distribution of values (k6 Trend); see the module doc for precision.
#[derive(Clone)]
pub struct TrendSink {
    dist: Dist,
    count: u64,
    sum: f64,
    min: f64,
    max: f64,
}

impl Default for TrendSink {
    fn default() -> Self {
        TrendSink { dist: Dist::Few(Vec::new()), count: 0, sum: 0.0, min: f64::INFINITY, max: f64::NEG_INFINITY }
    }
}

impl std::fmt::Debug for TrendSink {
    // The histogram's counts array is thousands of numbers: show the statistics instead.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrendSink")
            .field("count", &self.count)
            .field("sum", &self.sum)
            .field("min", &self.min())
            .field("max", &self.max())
            .field("med", &self.med())
            .finish()
    }
}

impl PartialEq for TrendSink {
    fn eq(&self, other: &Self) -> bool {
        self.count == other.count
            && self.sum == other.sum
            && self.min == other.min
            && self.max == other.max
            && self.dist.histogram() == other.dist.histogram()
    }
}

/// `value` in the histogram's integer unit (thousandths), clamped to the stored range.
///
/// Rounded half away from zero as `f64::round` rounds, without its call into the runtime
/// library (the default x86-64 target has no instruction for it): eight calls per request,
/// ~190 instructions of ~38,000. Below the range's end `scaled` is under 2^53, so its whole
/// part and its fraction (`scaled - whole`) are both exact.
fn histogram_units(value: f64) -> u64 {
    let scaled = value * 1000.0;
    if scaled.is_nan() || scaled < 0.5 {
        0
    } else if scaled >= MAX_HISTOGRAM_VALUE as f64 {
        MAX_HISTOGRAM_VALUE
    } else {
        let whole = scaled as u64;
        if scaled - whole as f64 >= 0.5 {
            whole + 1
        } else {
            whole
        }
    }
}

impl TrendSink {
    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.count
    }
    /// Exact sum of the samples.
    pub fn sum(&self) -> f64 {
        self.sum
    }
    /// Exact smallest sample (0 when empty).
    pub fn min(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.min
        }
    }
    /// Exact largest sample (0 when empty).
    pub fn max(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.max
        }
    }
    /// Exact mean (0 when empty).
    pub fn avg(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum / self.count as f64
        }
    }
    /// The histogram behind the percentiles. Its unit is a thousandth of the metric's unit
    /// (see the module doc); exports serialize it so other processes can merge it exactly.
    pub fn histogram(&self) -> Cow<'_, Histogram<u64>> {
        self.dist.histogram()
    }

    /// Rebuilds a sink from an exported histogram (same unit as [`TrendSink::histogram`]) and the
    /// exact statistics kept beside it. Fails when `count` disagrees with the histogram.
    pub fn from_parts(histogram: &Histogram<u64>, count: u64, sum: f64, min: f64, max: f64) -> Result<Self, String> {
        if histogram.len() != count {
            return Err(format!("histogram holds {} samples but count is {count}", histogram.len()));
        }
        let mut sink = TrendSink::default();
        // Added into a default (auto-resizing) histogram so the result merges like any other.
        sink.dist.promote().add(histogram).map_err(|e| format!("histogram out of range: {e:?}"))?;
        if count > 0 {
            (sink.count, sink.sum, sink.min, sink.max) = (count, sum, min, max);
        }
        Ok(sink)
    }

    /// The median, `percentile(0.5)`.
    pub fn med(&self) -> f64 {
        self.percentile(0.5)
    }

    /// The `q`-quantile (`q` in 0..=1), interpolated between ranks like k6's `TrendSink.P`.
    pub fn percentile(&self, q: f64) -> f64 {
        match self.count {
            0 => return 0.0,
            1 => return self.min,
            _ => {}
        }
        let q = q.clamp(0.0, 1.0);
        let position = q * (self.count - 1) as f64;
        let lo_rank = position.floor() as u64;
        let hi_rank = position.ceil() as u64;
        let (lo, hi) = self.values_at_ranks(lo_rank, hi_rank);
        let value = lo + (hi - lo) * (position - position.floor());
        value.clamp(self.min, self.max)
    }

    /// The values (in the metric's unit) of the samples at two 0-based ranks, `lo <= hi`. The
    /// first and last ranks are the exact min and max.
    fn values_at_ranks(&self, lo_rank: u64, hi_rank: u64) -> (f64, f64) {
        let last = self.count - 1;
        if lo_rank == last {
            return (self.max, self.max);
        }
        if hi_rank == 0 {
            return (self.min, self.min);
        }
        let exact = |rank: u64, bucket_value: f64| match rank {
            0 => self.min,
            r if r == last => self.max,
            _ => bucket_value,
        };
        let mut seen = 0u64;
        let mut lo = None;
        for (value, count) in self.dist.buckets() {
            seen += count;
            if lo.is_none() && lo_rank < seen {
                lo = Some(exact(lo_rank, value));
            }
            if hi_rank < seen {
                return (lo.unwrap_or(value), exact(hi_rank, value));
            }
        }
        // Unreachable when the histogram holds `count` samples; stay total anyway.
        (self.max, self.max)
    }

    /// A statistic by its k6 column name.
    pub fn stat(&self, stat: TrendStat) -> f64 {
        match stat {
            TrendStat::Avg => self.avg(),
            TrendStat::Min => self.min(),
            TrendStat::Med => self.med(),
            TrendStat::Max => self.max(),
            TrendStat::Count => self.count as f64,
            TrendStat::Percentile(p) => self.percentile(p / 100.0),
        }
    }
}

/// A trend statistic as named in `summaryTrendStats` and thresholds: `avg`, `min`, `med`, `max`,
/// `count`, `p(N)` with N in 0..=100 (e.g. `p(99.9)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TrendStat {
    /// Mean.
    Avg,
    /// Smallest value.
    Min,
    /// Median.
    Med,
    /// Largest value.
    Max,
    /// Number of samples.
    Count,
    /// Percentile, 0..=100.
    Percentile(f64),
}

impl TrendStat {
    /// Parses a k6 trend column name; `None` if it is not one.
    pub fn parse(name: &str) -> Option<TrendStat> {
        Some(match name {
            "avg" => TrendStat::Avg,
            "min" => TrendStat::Min,
            "med" => TrendStat::Med,
            "max" => TrendStat::Max,
            "count" => TrendStat::Count,
            _ => {
                let inner = name.strip_prefix("p(")?.strip_suffix(')')?;
                if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                    return None;
                }
                let p: f64 = inner.parse().ok()?;
                if !(0.0..=100.0).contains(&p) {
                    return None;
                }
                TrendStat::Percentile(p)
            }
        })
    }
}

/// The state of one series.
#[derive(Debug, Clone, PartialEq)]
pub enum SeriesSink {
    /// See [`CounterSink`].
    Counter(CounterSink),
    /// See [`GaugeSink`].
    Gauge(GaugeSink),
    /// See [`RateSink`].
    Rate(RateSink),
    /// See [`TrendSink`].
    Trend(TrendSink),
}

impl SeriesSink {
    /// An empty sink of the metric's kind.
    pub fn new(kind: MetricKind) -> Self {
        match kind {
            MetricKind::Counter => SeriesSink::Counter(CounterSink::default()),
            MetricKind::Gauge => SeriesSink::Gauge(GaugeSink::default()),
            MetricKind::Rate => SeriesSink::Rate(RateSink::default()),
            MetricKind::Trend => SeriesSink::Trend(TrendSink::default()),
        }
    }

    /// An empty sink for `metric`.
    pub fn for_metric(metric: MetricId) -> Self {
        Self::new(metric.kind())
    }

    /// Adds a sample. `seq` orders gauge writes across threads (larger = later); other kinds
    /// ignore it. NaN samples are ignored.
    pub fn add(&mut self, value: f64, seq: u64) {
        if value.is_nan() {
            return;
        }
        match self {
            SeriesSink::Counter(c) => c.sum += value,
            SeriesSink::Gauge(g) => g.add_at(value, seq, None),
            SeriesSink::Rate(r) => {
                r.total += 1;
                if value != 0.0 {
                    r.trues += 1;
                }
            }
            SeriesSink::Trend(t) => {
                t.dist.record(histogram_units(value));
                t.count += 1;
                t.sum += value;
                t.min = t.min.min(value);
                t.max = t.max.max(value);
            }
        }
    }

    /// [`SeriesSink::add`] for a gauge sample with its place on the slope's time line (see
    /// [`GaugeSink::add_at`]); other kinds ignore `at`.
    pub fn add_at(&mut self, value: f64, seq: u64, at: Option<f64>) {
        match self {
            SeriesSink::Gauge(g) => g.add_at(value, seq, at),
            _ => self.add(value, seq),
        }
    }

    /// Adds `n` samples of `value` at once: one histogram step for a trend (a scraped
    /// Prometheus histogram's bucket), `n` additions for the other kinds.
    pub fn add_n(&mut self, value: f64, n: u64, seq: u64) {
        if value.is_nan() || n == 0 {
            return;
        }
        match self {
            SeriesSink::Trend(t) => {
                t.dist.record_n(histogram_units(value), n);
                t.count += n;
                t.sum += value * n as f64;
                t.min = t.min.min(value);
                t.max = t.max.max(value);
            }
            SeriesSink::Counter(c) => c.sum += value * n as f64,
            SeriesSink::Rate(r) => {
                r.total += n;
                if value != 0.0 {
                    r.trues += n;
                }
            }
            SeriesSink::Gauge(_) => self.add(value, seq),
        }
    }

    /// Adds everything `other` saw. Merging is exact: the result equals one sink that saw both
    /// sample streams. Sinks of different kinds are left unchanged (cannot happen for one metric).
    pub fn merge(&mut self, other: &SeriesSink) {
        match (self, other) {
            (SeriesSink::Counter(a), SeriesSink::Counter(b)) => a.sum += b.sum,
            (SeriesSink::Gauge(a), SeriesSink::Gauge(b)) => {
                if b.min > b.max {
                    return; // empty
                }
                if b.last_seq >= a.last_seq {
                    a.value = b.value;
                    a.last_seq = b.last_seq;
                }
                a.min = a.min.min(b.min);
                a.max = a.max.max(b.max);
                a.count += b.count;
                a.sum += b.sum;
                a.fit.merge(&b.fit);
            }
            (SeriesSink::Rate(a), SeriesSink::Rate(b)) => {
                a.trues += b.trues;
                a.total += b.total;
            }
            (SeriesSink::Trend(a), SeriesSink::Trend(b)) => {
                a.dist.add(&b.dist);
                a.count += b.count;
                a.sum += b.sum;
                a.min = a.min.min(b.min);
                a.max = a.max.max(b.max);
            }
            _ => debug_assert!(false, "merging sinks of different kinds"),
        }
    }

    /// Empties the sink, keeping its allocations.
    pub fn reset(&mut self) {
        match self {
            SeriesSink::Counter(c) => *c = CounterSink::default(),
            SeriesSink::Gauge(g) => *g = GaugeSink::default(),
            SeriesSink::Rate(r) => *r = RateSink::default(),
            SeriesSink::Trend(t) => {
                t.dist.reset();
                t.count = 0;
                t.sum = 0.0;
                t.min = f64::INFINITY;
                t.max = f64::NEG_INFINITY;
            }
        }
    }

    /// The metric kind this sink belongs to.
    pub fn kind(&self) -> MetricKind {
        match self {
            SeriesSink::Counter(_) => MetricKind::Counter,
            SeriesSink::Gauge(_) => MetricKind::Gauge,
            SeriesSink::Rate(_) => MetricKind::Rate,
            SeriesSink::Trend(_) => MetricKind::Trend,
        }
    }
}

/// `amount / duration` in 1/s, 0 for a zero duration.
pub fn per_second(amount: f64, duration: Duration) -> f64 {
    if duration.is_zero() {
        0.0
    } else {
        amount / duration.as_secs_f64()
    }
}

#[cfg(test)]
#[path = "sink_tests.rs"]
mod tests;
