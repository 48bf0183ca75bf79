//! A trend as a Prometheus native histogram (`K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM`),
//! bucketed as k6's output buckets it: Prometheus's Go client with a bucket factor of 1.1, which
//! picks schema 3 (each power of two split into 8 buckets, bucket `k` holding the values in
//! `(2^((k-1)/8), 2^(k/8)]`) and the default zero threshold 2^-128. Values arrive already in the
//! base unit (seconds for time trends). Counts only grow: the histogram is cumulative over the
//! run, as a Prometheus histogram is.

use std::collections::BTreeMap;

use super::proto::{BucketSpan, Count, Histogram, ZeroCount};

/// Schema 3: 2^(1/8) ≈ 1.09 is the largest growth factor ≤ the 1.1 k6 asks for.
pub const SCHEMA: i32 = 3;
/// The Go client's `DefNativeHistogramZeroThreshold` (2^-128).
pub const ZERO_THRESHOLD: f64 = 2.938_735_877_055_719e-39;
/// The Go client's `nativeHistogramBounds[3]`: 2^(i/8 - 1), the fractions that split [0.5, 1).
const BOUNDS: [f64; 8] = [
    0.5,
    0.545_253_866_332_628_8,
    0.594_603_557_501_360_5,
    0.648_419_777_325_504_8,
    0.707_106_781_186_547_5,
    0.771_105_412_703_970_4,
    0.840_896_415_253_714_4,
    0.917_004_043_204_671_1,
];

/// Bucket counts by index; zero and (not expected from k6 metrics) negative values are counted
/// in the zero bucket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NativeHistogram {
    buckets: BTreeMap<i32, u64>,
    zero: u64,
    count: u64,
    sum: f64,
}

impl NativeHistogram {
    pub fn observe(&mut self, v: f64) {
        if v.is_nan() {
            return;
        }
        self.count += 1;
        self.sum += v;
        if v <= ZERO_THRESHOLD {
            self.zero += 1;
        } else {
            *self.buckets.entry(bucket(v)).or_insert(0) += 1;
        }
    }

    /// Adds what `other` observed.
    pub fn merge(&mut self, other: &NativeHistogram) {
        for (k, n) in &other.buckets {
            *self.buckets.entry(*k).or_insert(0) += n;
        }
        self.zero += other.zero;
        self.count += other.count;
        self.sum += other.sum;
    }

    /// The wire form: spans of buckets in use (a gap of one or two empty buckets is written as
    /// zero counts, as the Go client does, rather than starting a new span) and each count as
    /// the difference from the one before.
    pub fn to_proto(&self, timestamp: i64) -> Histogram {
        let mut spans: Vec<BucketSpan> = Vec::new();
        let mut deltas = Vec::new();
        let (mut previous_index, mut previous_count) = (None::<i32>, 0i64);
        for (&index, &count) in &self.buckets {
            let count = count as i64;
            match previous_index {
                Some(p) if index - p <= 3 => {
                    for _ in 0..index - p - 1 {
                        deltas.push(-previous_count);
                        previous_count = 0;
                    }
                    spans.last_mut().expect("a span is open").length += (index - p) as u32;
                }
                Some(p) => spans.push(BucketSpan { offset: index - p - 1, length: 1 }),
                None => spans.push(BucketSpan { offset: index, length: 1 }),
            }
            deltas.push(count - previous_count);
            previous_count = count;
            previous_index = Some(index);
        }
        Histogram {
            count: Some(Count::CountInt(self.count)),
            sum: self.sum,
            schema: SCHEMA,
            zero_threshold: ZERO_THRESHOLD,
            zero_count: Some(ZeroCount::ZeroCountInt(self.zero)),
            positive_spans: spans,
            positive_deltas: deltas,
            timestamp,
        }
    }
}

/// The index of the bucket holding `v` (> 0, finite): with `v = frac · 2^exp`, frac in
/// [0.5, 1), the first bound ≥ frac, plus 8 per power of two. Exact at the bounds, which are
/// upper-inclusive (1.0 is in bucket 0, 2.0 in bucket 8).
fn bucket(v: f64) -> i32 {
    let (frac, exp) = frexp(v);
    let i = BOUNDS.partition_point(|b| *b < frac) as i32;
    i + (exp - 1) * BOUNDS.len() as i32
}

/// Go's `math.Frexp` for a positive, finite `v`: `(frac, exp)` with `v = frac · 2^exp`.
fn frexp(v: f64) -> (f64, i32) {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 {
        // Subnormal: scale into the normal range first.
        let (f, e) = frexp(v * 2f64.powi(64));
        return (f, e - 64);
    }
    let frac = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (frac, biased - 1022)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_upper_inclusive_powers_of_two_to_the_eighth() {
        assert_eq!(bucket(1.0), 0);
        assert_eq!(bucket(1.0001), 1);
        assert_eq!(bucket(2.0), 8);
        assert_eq!(bucket(0.5), -8);
        // 2^(3/8) ≈ 1.2968: the upper bound of bucket 3.
        assert_eq!(bucket(1.29), 3);
        assert_eq!(bucket(1.30), 4);
        // 10 ms in seconds: log2(0.01)·8 ≈ -53.15, so bucket -53.
        assert_eq!(bucket(0.01), -53);
        for v in [1e-9, 3e-5, 0.1234, 7.0, 1234.5] {
            let k = bucket(v);
            let (lo, hi) = (2f64.powf((k - 1) as f64 / 8.0), 2f64.powf(k as f64 / 8.0));
            assert!(lo < v && v <= hi * (1.0 + 1e-12), "{v} not in bucket {k} ({lo}, {hi}]");
        }
    }

    #[test]
    fn the_wire_form_has_spans_and_deltas_as_the_go_client_writes_them() {
        let mut h = NativeHistogram::default();
        // Buckets 0 (×2), 1 (×1), 3 (×1: a gap of one), 19 (×1: a new span), and a zero.
        for v in [1.0, 0.95, 1.05, 1.25, 5.0, 0.0] {
            h.observe(v);
        }
        let p = h.to_proto(7);
        assert_eq!(p.count, Some(Count::CountInt(6)));
        assert_eq!(p.zero_count, Some(ZeroCount::ZeroCountInt(1)));
        assert_eq!(p.schema, 3);
        assert_eq!(p.positive_spans, vec![BucketSpan { offset: 0, length: 4 }, BucketSpan { offset: 15, length: 1 }]);
        // Counts 2, 1, 0, 1, then 1.
        assert_eq!(p.positive_deltas, vec![2, -1, -1, 1, 0]);
        assert!((p.sum - 9.25).abs() < 1e-12);
    }
}
