//! A trend's samples in histogram units (see [`super::sink`] for the unit and precision): its
//! first [`FEW`] samples as a short list, then an HDR histogram. A histogram costs 16 KB or more
//! and a series per URL often sees a handful of samples; every statistic reads the list exactly
//! as the histogram would read the same samples.

use std::borrow::Cow;

use hdrhistogram::Histogram;

/// Samples a trend keeps as a list before it moves them into a histogram.
pub(super) const FEW: usize = 64;

/// A trend's samples in histogram units: a short unsorted list, or the histogram.
#[derive(Clone)]
pub(super) enum Dist {
    Few(Vec<u64>),
    Many(Box<Histogram<u64>>),
}

/// The range a histogram covers from its creation, in histogram units: 2^26 µs ≈ 67 s for time
/// trends, past k6's default request timeout (60 s). Larger values still fit (the histogram
/// grows), but a latency spike within it no longer reallocates every trend's histogram on every
/// thread mid-run: in a 30-minute run each stall that set a new maximum grew RSS by ~0.5 MB
/// (8 KB per histogram per doubling of its range), ~2.4 MB in all, where a histogram sized up
/// front costs ~136 KB instead of ~64 KB for a 100 ms range.
const PRESIZED_UNITS: u64 = 1 << 26;

pub(super) fn new_histogram() -> Histogram<u64> {
    let mut h = Histogram::new_with_bounds(1, PRESIZED_UNITS, 3).expect("a valid HDR setting");
    h.auto(true);
    h
}

thread_local! {
    /// An empty histogram with the trends' settings, to map values to their buckets.
    static LAYOUT: Histogram<u64> = new_histogram();
}

impl Dist {
    pub(super) fn record(&mut self, units: u64) {
        match self {
            Dist::Few(values) if values.len() < FEW => values.push(units),
            Dist::Few(_) => {
                self.promote().record(units).expect("auto-resizing histograms accept values up to MAX_HISTOGRAM_VALUE")
            }
            // Not `saturating_record`: that clamps to the current size instead of growing.
            Dist::Many(h) => h.record(units).expect("auto-resizing histograms accept values up to MAX_HISTOGRAM_VALUE"),
        }
    }

    /// Records `n` samples of `units`; more than the list has room for go to the histogram.
    pub(super) fn record_n(&mut self, units: u64, n: u64) {
        match self {
            Dist::Few(values) if values.len() as u64 + n <= FEW as u64 => {
                values.extend(std::iter::repeat_n(units, n as usize));
            }
            _ => self
                .promote()
                .record_n(units, n)
                .expect("auto-resizing histograms accept values up to MAX_HISTOGRAM_VALUE"),
        }
    }

    /// Turns the list into a histogram (if it is not one yet) and returns it.
    pub(super) fn promote(&mut self) -> &mut Histogram<u64> {
        if let Dist::Few(values) = self {
            *self = Dist::Many(Box::new(histogram_of(values)));
        }
        match self {
            Dist::Many(h) => h,
            Dist::Few(_) => unreachable!("promoted above"),
        }
    }

    pub(super) fn add(&mut self, other: &Dist) {
        match (&mut *self, other) {
            (Dist::Few(a), Dist::Few(b)) if a.len() + b.len() <= FEW => a.extend_from_slice(b),
            (_, Dist::Few(b)) => {
                let h = self.promote();
                for &v in b {
                    h.record(v).expect("auto-resizing histograms accept any recorded value");
                }
            }
            (_, Dist::Many(b)) => self.promote().add(&**b).expect("auto-resizing histograms accept any recorded value"),
        }
    }

    pub(super) fn reset(&mut self) {
        match self {
            Dist::Few(values) => values.clear(),
            Dist::Many(h) => h.reset(),
        }
    }

    pub(super) fn histogram(&self) -> Cow<'_, Histogram<u64>> {
        match self {
            Dist::Few(values) => Cow::Owned(histogram_of(values)),
            Dist::Many(h) => Cow::Borrowed(h),
        }
    }

    /// `(value, count)` per recorded bucket in increasing order, the value being the middle of
    /// the bucket in the metric's unit. A histogram is walked lazily (a percentile stops at its
    /// rank); a list is sorted first (it holds at most [`FEW`] values).
    pub(super) fn buckets(&self) -> Box<dyn Iterator<Item = (f64, u64)> + '_> {
        let to_unit = |units: u64| units as f64 / 1000.0;
        match self {
            Dist::Few(values) => {
                let mut mids: Vec<u64> = LAYOUT.with(|h| values.iter().map(|&v| h.median_equivalent(v)).collect());
                mids.sort_unstable();
                let mut out: Vec<(f64, u64)> = Vec::with_capacity(mids.len());
                for mid in mids {
                    match out.last_mut() {
                        Some((last, n)) if *last == to_unit(mid) => *n += 1,
                        _ => out.push((to_unit(mid), 1)),
                    }
                }
                Box::new(out.into_iter())
            }
            Dist::Many(h) => Box::new(
                h.iter_recorded()
                    .map(move |b| (to_unit(h.median_equivalent(b.value_iterated_to())), b.count_at_value())),
            ),
        }
    }
}

fn histogram_of(values: &[u64]) -> Histogram<u64> {
    let mut h = new_histogram();
    for &v in values {
        h.record(v).expect("auto-resizing histograms accept values up to MAX_HISTOGRAM_VALUE");
    }
    h
}
