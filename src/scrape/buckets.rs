//! A Prometheus histogram's bucket increases as weighted trend samples, placed so the trend's
//! `p(N)` reads what PromQL's `histogram_quantile` would.
//!
//! `histogram_quantile(q, …)` finds the bucket holding rank `q × count` and interpolates
//! linearly inside it, as if the bucket's observations were spread evenly between its lower and
//! upper bound. The lower bound of the first bucket is 0 when its upper bound is positive (else
//! the bound itself); a rank in the `+Inf` bucket reads the largest finite bound. [`spread`]
//! builds exactly that distribution out of at most [`POINTS`] weighted values per bucket, each
//! at the middle of its share of the bucket, so a trend's percentile is within 1/(2 ×
//! [`POINTS`]) of the bucket's width of `histogram_quantile` (plus the trend's 0.1 %).
//!
//! Worked example: bounds 1, 2, 3, 5, 10 ms with increases 0, 10, 10, 10, 10 (cumulative) put
//! all 10 observations in (1, 2]; they become 10 points 1.05, 1.15, … 1.95 ms, and `p(50)` reads
//! 1.5 ms, where `histogram_quantile(0.5)` also reads 1.5.
//!
//! Not here: where the increases come from (`convert.rs`), recording (`mod.rs`).

/// Weighted values per bucket, at most: the interpolation's resolution.
pub const POINTS: u64 = 32;

/// One weighted value: `weight` observations at `value`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub value: f64,
    pub weight: u64,
}

/// `buckets` are `(upper bound, cumulative count)` pairs in any order (the `+Inf` bucket with
/// an infinite bound); counts are increases over a scrape interval. A bucket whose cumulative
/// count is below the one before it is read as equal to it (PromQL's monotonicity fix).
pub fn spread(buckets: &[(f64, f64)]) -> Vec<Point> {
    let mut sorted: Vec<(f64, f64)> = buckets.iter().copied().filter(|(le, c)| !le.is_nan() && !c.is_nan()).collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut points = Vec::new();
    let (mut below, mut lower): (f64, Option<f64>) = (0.0, None);
    for (upper, cumulative) in sorted {
        let cumulative = cumulative.max(below);
        let count = (cumulative - below).round().max(0.0) as u64;
        below = cumulative;
        let lo = match lower {
            Some(lo) => lo,
            None if upper > 0.0 => 0.0,
            None => upper,
        };
        if count > 0 {
            if upper.is_infinite() {
                // histogram_quantile reads the largest finite bound for these ranks.
                points.push(Point { value: lo, weight: count });
            } else {
                spread_evenly(lo, upper, count, &mut points);
            }
        }
        lower = Some(upper);
    }
    points
}

/// `count` observations spread evenly over `(lo, hi]` as at most [`POINTS`] weighted values.
fn spread_evenly(lo: f64, hi: f64, count: u64, out: &mut Vec<Point>) {
    if hi <= lo {
        out.push(Point { value: hi, weight: count });
        return;
    }
    let k = count.min(POINTS);
    for j in 0..k {
        let weight = (j + 1) * count / k - j * count / k;
        let value = lo + (hi - lo) * (j as f64 + 0.5) / k as f64;
        out.push(Point { value, weight });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{MetricKind, SeriesSink, TrendSink};

    /// PromQL's `histogram_quantile` (promql/quantile.go's bucketQuantile), to compare against.
    fn histogram_quantile(q: f64, buckets: &[(f64, f64)]) -> f64 {
        let total = buckets.last().unwrap().1;
        let rank = q * total;
        let b = buckets.iter().position(|&(_, c)| c >= rank).unwrap();
        if b == buckets.len() - 1 && buckets[b].0.is_infinite() {
            return buckets[b - 1].0;
        }
        let (start, below) = if b == 0 { (0.0, 0.0) } else { buckets[b - 1] };
        let (end, cumulative) = buckets[b];
        start + (end - start) * (rank - below) / (cumulative - below)
    }

    fn trend(points: &[Point]) -> TrendSink {
        let mut sink = SeriesSink::new(MetricKind::Trend);
        for p in points {
            sink.add_n(p.value, p.weight, 0);
        }
        let SeriesSink::Trend(t) = sink else { unreachable!() };
        t
    }

    #[test]
    fn the_worked_example_reads_the_middle_of_the_bucket() {
        let buckets = [(1.0, 0.0), (2.0, 10.0), (3.0, 10.0), (5.0, 10.0), (10.0, 10.0), (f64::INFINITY, 10.0)];
        let points = spread(&buckets);
        assert_eq!(points.len(), 10);
        assert!((points[0].value - 1.05).abs() < 1e-12 && (points[9].value - 1.95).abs() < 1e-12);
        assert!((trend(&points).med() - 1.5).abs() < 0.002);
        assert_eq!(histogram_quantile(0.5, &buckets), 1.5);
    }

    #[test]
    fn percentiles_match_histogram_quantile_within_the_bucket_resolution() {
        // The reference target's switch-cycle bounds, a service's latency shape.
        let bounds = [1.0, 2.0, 3.0, 5.0, 10.0, 25.0, 50.0, f64::INFINITY];
        let per_bucket = [120.0, 4_000.0, 2_500.0, 1_800.0, 900.0, 300.0, 60.0, 7.0];
        let mut cumulative = 0.0;
        let buckets: Vec<(f64, f64)> = bounds
            .iter()
            .zip(per_bucket)
            .map(|(&le, n)| {
                cumulative += n;
                (le, cumulative)
            })
            .collect();
        let sink = trend(&spread(&buckets));
        assert_eq!(sink.count(), cumulative as u64, "every observation counted once");
        for q in [0.1, 0.5, 0.9, 0.95, 0.99, 0.999] {
            let want = histogram_quantile(q, &buckets);
            let b = bounds.iter().position(|&le| le >= want).unwrap();
            let width = bounds[b] - if b == 0 { 0.0 } else { bounds[b - 1] };
            let got = sink.percentile(q);
            let allowed = width / (2 * POINTS) as f64 + want * 0.001 + 1e-3;
            assert!((got - want).abs() <= allowed, "p({}) = {got}, histogram_quantile {want}", q * 100.0);
        }
        // Ranks in +Inf read the largest finite bound, as in PromQL.
        assert_eq!(sink.max(), 50.0);
    }

    #[test]
    fn unsorted_and_non_monotonic_buckets_are_read_like_promql() {
        let points = spread(&[(f64::INFINITY, 5.0), (0.5, 3.0), (0.25, 4.0)]);
        // (0, 0.25]: 4; (0.25, 0.5]: max(3, 4) - 4 = 0; +Inf: 1 at 0.5.
        assert_eq!(points.iter().map(|p| p.weight).sum::<u64>(), 5);
        assert_eq!(points.last(), Some(&Point { value: 0.5, weight: 1 }));
        assert!(spread(&[(1.0, 0.0), (f64::INFINITY, 0.0)]).is_empty(), "no increase, nothing to record");
    }
}
