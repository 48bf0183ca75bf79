use super::*;
use crate::metrics::dist::FEW;

/// SplitMix64: tiny, seeded, good enough to draw test distributions.
struct Rng(u64);
impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        // Box-Muller.
        (-2.0 * self.unit().ln()).sqrt() * (2.0 * std::f64::consts::PI * self.unit()).cos()
    }
}

/// k6's exact percentile: linear interpolation between sorted neighbours.
fn exact_percentile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (sorted[position.floor() as usize], sorted[position.ceil() as usize]);
    lo + (hi - lo) * (position - position.floor())
}

fn trend_of(values: &[f64]) -> TrendSink {
    let mut sink = SeriesSink::new(MetricKind::Trend);
    for &v in values {
        sink.add(v, 0);
    }
    match sink {
        SeriesSink::Trend(t) => t,
        _ => unreachable!(),
    }
}

fn assert_percentiles_close(name: &str, mut values: Vec<f64>) {
    let trend = trend_of(&values);
    values.sort_by(f64::total_cmp);
    for q in [0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
        let exact = exact_percentile(&values, q);
        let approx = trend.percentile(q);
        let error = (approx - exact).abs() / exact;
        assert!(error <= 0.001, "{name} p({}) = {approx}, exact {exact}, relative error {error}", q * 100.0);
    }
    let sum: f64 = values.iter().sum();
    assert_eq!(trend.count(), values.len() as u64);
    assert!((trend.avg() - sum / values.len() as f64).abs() < 1e-9);
    assert_eq!(trend.min(), values[0]);
    assert_eq!(trend.max(), values[values.len() - 1]);
}

#[test]
fn percentiles_match_exact_within_a_tenth_of_a_percent() {
    let mut rng = Rng(42);
    // Latencies in ms, all at least 2 ms so the 1 µs storage step is below 0.05 %.
    let uniform = (0..20_000).map(|_| 2.0 + 998.0 * rng.unit()).collect();
    assert_percentiles_close("uniform", uniform);
    let log_normal = (0..20_000).map(|_| 2.0 + (3.0 + 0.8 * rng.normal()).exp()).collect();
    assert_percentiles_close("log-normal", log_normal);
    let bimodal = (0..20_000)
        .map(|_| if rng.unit() < 0.7 { 20.0 + 2.0 * rng.normal().abs() } else { 400.0 + 50.0 * rng.normal().abs() })
        .collect();
    assert_percentiles_close("bimodal", bimodal);
}

#[test]
fn sub_millisecond_latencies_are_exact_to_a_microsecond() {
    let trend = trend_of(&[0.831, 0.831, 0.832]);
    assert!((trend.med() - 0.831).abs() < 1e-9, "{}", trend.med());
    assert!((trend.percentile(1.0) - 0.832).abs() < 1e-9);
    let single = trend_of(&[123.456]);
    assert_eq!(single.percentile(0.95), 123.456);
    assert_eq!(trend_of(&[]).percentile(0.95), 0.0);
}

#[test]
fn a_short_list_and_a_histogram_give_the_same_statistics() {
    let mut rng = Rng(7);
    let values: Vec<f64> = (0..FEW).map(|_| 2.0 + 5000.0 * rng.unit()).collect();
    let few = trend_of(&values);
    assert!(matches!(few.dist, Dist::Few(_)), "{FEW} samples stay a list");
    let mut many = trend_of(&values);
    many.dist.promote();
    for q in [0.0, 0.1, 0.5, 0.9, 0.95, 0.99, 1.0] {
        assert_eq!(few.percentile(q), many.percentile(q), "p({})", q * 100.0);
    }
    assert_eq!(few, many);
    assert_eq!(few.histogram().len(), FEW as u64);

    // Merging lists past FEW, or a list into a histogram, is as exact as recording once.
    let (left, right) = values.split_at(FEW / 3);
    let mut merged = SeriesSink::Trend(trend_of(left));
    merged.merge(&SeriesSink::Trend(trend_of(right)));
    merged.merge(&SeriesSink::Trend(trend_of(&values)));
    let twice: Vec<f64> = values.iter().chain(&values).copied().collect();
    let SeriesSink::Trend(merged) = merged else { unreachable!() };
    assert!(matches!(merged.dist, Dist::Many(_)), "{} samples are a histogram", 2 * FEW);
    assert_eq!(merged.percentile(0.95), trend_of(&twice).percentile(0.95));
    assert_eq!(merged.count(), 2 * FEW as u64);
}

#[test]
fn negative_and_nan_values() {
    let trend = trend_of(&[-5.0, 10.0, f64::NAN]);
    assert_eq!(trend.count(), 2);
    assert_eq!(trend.min(), -5.0);
    assert_eq!(trend.avg(), 2.5);
    assert!(trend.percentile(0.0) >= -5.0);
}

#[test]
fn gauge_keeps_latest_write_across_merges() {
    let mut a = SeriesSink::new(MetricKind::Gauge);
    let mut b = SeriesSink::new(MetricKind::Gauge);
    a.add(5.0, 1);
    b.add(9.0, 2);
    a.add(3.0, 3);
    let mut merged = b.clone();
    merged.merge(&a);
    let SeriesSink::Gauge(g) = &merged else { unreachable!() };
    assert_eq!((g.value(), g.min(), g.max()), (3.0, 3.0, 9.0));
    let empty = SeriesSink::new(MetricKind::Gauge);
    merged.merge(&empty);
    assert_eq!(merged, {
        let mut m = b;
        m.merge(&a);
        m
    });
}

#[test]
fn a_gauge_of_negative_values_has_max_0_as_in_k6() {
    // k6 v1.1, `g.add(-5)` three times: `g_neg...: -5 min=-5 max=0`.
    let mut g = SeriesSink::new(MetricKind::Gauge);
    for seq in 1..=3 {
        g.add(-5.0 - seq as f64, seq);
    }
    let SeriesSink::Gauge(g) = &g else { unreachable!() };
    assert_eq!((g.value(), g.min(), g.max()), (-8.0, -8.0, 0.0));
}

#[test]
fn gauge_slope_fits_a_line_and_merges_exactly() {
    // The doc's worked example: 10, 20, 30 at 0, 30, 60 s rise 20 per minute.
    let mut a = SeriesSink::new(MetricKind::Gauge);
    a.add_at(10.0, 1, Some(0.0));
    a.add_at(20.0, 2, Some(30.0));
    let mut b = SeriesSink::new(MetricKind::Gauge);
    b.add_at(30.0, 3, Some(60.0));
    b.add_at(99.0, 0, None); // during the warmup: in min/max/avg, not in the slope
    let SeriesSink::Gauge(alone) = &a else { unreachable!() };
    assert_eq!(alone.slope_per_minute(), Some(20.0), "two points make a line");
    a.merge(&b);
    let SeriesSink::Gauge(g) = &a else { unreachable!() };
    assert!((g.slope_per_minute().unwrap() - 20.0).abs() < 1e-9);
    assert_eq!((g.value(), g.max(), g.count(), g.avg()), (30.0, 99.0, 4, 39.75));
    let mut same_time = SeriesSink::new(MetricKind::Gauge);
    same_time.add_at(1.0, 1, Some(5.0));
    same_time.add_at(9.0, 2, Some(5.0));
    let SeriesSink::Gauge(g) = &same_time else { unreachable!() };
    assert_eq!(g.slope_per_minute(), None, "no spread in time: no slope");
}

#[test]
fn weighted_trend_samples_count_as_many() {
    let mut few = SeriesSink::new(MetricKind::Trend);
    few.add_n(2.0, 3, 0);
    few.add_n(10.0, 1, 0);
    let mut many = SeriesSink::new(MetricKind::Trend);
    many.add_n(2.0, 3_000_000, 0);
    many.add_n(10.0, 1_000_000, 0);
    for (sink, n) in [(few, 4), (many, 4_000_000)] {
        let SeriesSink::Trend(t) = sink else { unreachable!() };
        assert_eq!(t.count(), n);
        assert_eq!(t.avg(), 4.0);
        assert_eq!(t.med(), 2.0);
        assert_eq!(t.percentile(1.0), 10.0);
    }
}

#[test]
fn trend_stat_names() {
    assert_eq!(TrendStat::parse("p(99.9)"), Some(TrendStat::Percentile(99.9)));
    assert_eq!(TrendStat::parse("med"), Some(TrendStat::Med));
    assert_eq!(TrendStat::parse("count"), Some(TrendStat::Count));
    for bad in ["p(101)", "p()", "p(-1)", "p(9", "mean", "p(1e2)"] {
        assert_eq!(TrendStat::parse(bad), None, "{bad}");
    }
}

/// The histogram's unit, as `f64::round` gives it: halves away from zero, the value just under
/// a half down, everything at or past the range's end at its end, nothing below zero.
#[test]
fn histogram_units_round_as_f64_round_does() {
    let reference = |value: f64| {
        let scaled = (value * 1000.0).round();
        if scaled.is_nan() || scaled <= 0.0 {
            0
        } else {
            (scaled as u64).min(MAX_HISTOGRAM_VALUE)
        }
    };
    let mut edges = vec![
        0.0,
        -0.0,
        -1.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0005,
        0.5f64.next_down() / 1000.0,
        0.0025,
        0.0035,
        1.5,
        (MAX_HISTOGRAM_VALUE as f64 - 0.5) / 1000.0,
        (MAX_HISTOGRAM_VALUE as f64 - 0.3) / 1000.0,
        (MAX_HISTOGRAM_VALUE as f64 - 0.7) / 1000.0,
        MAX_HISTOGRAM_VALUE as f64 / 1000.0,
        1e300,
    ];
    // Whole and half thousandths, one ulp either side, across the range.
    for whole in [0u64, 1, 2, 3, 7, 999, 1_000, 123_456, 1 << 20, 1 << 41] {
        for half in [0.0, 0.5] {
            let at = (whole as f64 + half) / 1000.0;
            edges.extend([at, at.next_up(), at.next_down()]);
        }
    }
    let mut rng = Rng(38);
    edges.extend((0..100_000).map(|_| rng.unit() * 10f64.powf(rng.unit() * 12.0 - 3.0)));
    for value in edges {
        assert_eq!(histogram_units(value), reference(value), "{value:e}");
    }
}
