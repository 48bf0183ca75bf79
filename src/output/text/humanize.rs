//! How k6 prints numbers, durations, byte counts and rates, reproduced character for character
//! (k6 v1.1's `summary.js`: `humanizeValue` and friends). Used by the end-of-test summary and by
//! anything else that shows a metric value to a user.

use crate::config::options::TimeUnit;
use crate::metrics::{Contains, MetricKind};

/// A number as JavaScript's `String(n)` prints it for the values we meet (no exponent form).
pub fn js_number(value: f64) -> String {
    if value == 0.0 {
        return "0".to_owned(); // also turns -0 into 0, like JS
    }
    format!("{value}")
}

/// JavaScript's `Number.prototype.toFixed`: like `{:.N}` except that exact ties round away from
/// zero (`(2.5).toFixed(0)` is `"3"`, Rust's formatting gives `"2"`).
pub fn to_fixed(value: f64, digits: usize) -> String {
    let scale = 10f64.powi(digits as i32);
    let scaled = value.abs() * scale;
    if scaled.fract() == 0.5 {
        let rounded = (scaled.floor() + 1.0).copysign(value) / scale;
        return format!("{rounded:.digits$}");
    }
    format!("{value:.digits$}")
}

/// k6's `toFixedNoTrailingZeros`: round to `precision` decimals, drop trailing zeros.
pub fn fixed_no_trailing_zeros(value: f64, precision: usize) -> String {
    let rounded: f64 = to_fixed(value, precision).parse().unwrap_or(value);
    js_number(rounded)
}

/// k6's `toFixedNoTrailingZerosTrunc`: truncate (not round) to `precision` decimals.
fn fixed_no_trailing_zeros_trunc(value: f64, precision: usize) -> String {
    let mult = 10f64.powi(precision as i32);
    fixed_no_trailing_zeros((value * mult).trunc() / mult, precision)
}

/// A duration given in milliseconds, as k6 prints it: `0s`, `831µs`, `1.23ms`, `12.5s`, `1m30s`,
/// `2h0m5s`. Values are truncated to 2 decimals, seconds to whole ones beyond a minute.
pub fn duration_ms(ms: f64) -> String {
    if ms == 0.0 {
        return "0s".to_owned();
    }
    if ms < 0.001 {
        return format!("{}ns", js_number((ms * 1_000_000.0).trunc()));
    }
    if ms < 1.0 {
        return format!("{}µs", fixed_no_trailing_zeros_trunc(ms * 1000.0, 2));
    }
    if ms < 1000.0 {
        return format!("{}ms", fixed_no_trailing_zeros_trunc(ms, 2));
    }
    let seconds_precision = if ms > 60_000.0 { 0 } else { 2 };
    let mut text = format!("{}s", fixed_no_trailing_zeros_trunc((ms % 60_000.0) / 1000.0, seconds_precision));
    let minutes = (ms / 60_000.0).trunc();
    if minutes < 1.0 {
        return text;
    }
    text = format!("{}m{text}", js_number(minutes % 60.0));
    let hours = (minutes / 60.0).trunc();
    if hours < 1.0 {
        return text;
    }
    format!("{}h{text}", js_number(hours))
}

/// A duration in milliseconds in a fixed unit (k6's `summaryTimeUnit`): two decimals, rounded
/// as JavaScript's `toFixed` (`1234.5` ms in `s` is `1.23s`, in `us` `1234500.00µs`).
pub fn duration_in(ms: f64, unit: TimeUnit) -> String {
    let (coef, name) = match unit {
        TimeUnit::Seconds => (0.001, "s"),
        TimeUnit::Milliseconds => (1.0, "ms"),
        TimeUnit::Microseconds => (1000.0, "µs"),
    };
    format!("{}{name}", to_fixed(ms * coef, 2))
}

/// A byte count as k6 prints it: decimal units, one decimal below 10 (`2.9 kB`, `56 kB`, `1.2 MB`).
pub fn bytes(value: f64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    if value < 10.0 {
        return format!("{} B", js_number(value));
    }
    let exponent = (value.ln() / 1000f64.ln()).floor().min(8.0);
    let unit = UNITS[exponent as usize];
    let scaled = ((value / 1000f64.powf(exponent)) * 10.0 + 0.5).floor() / 10.0;
    let decimals = if scaled < 10.0 { 1 } else { 0 };
    format!("{} {unit}", to_fixed(scaled, decimals))
}

/// A Rate as k6 prints it: percent truncated to 2 decimals (`92.24%`).
pub fn percent(rate: f64) -> String {
    format!("{}%", to_fixed((rate * 100.0 * 100.0).trunc() / 100.0, 2))
}

/// k6's `humanizeValue`: a metric value formatted by the metric's type and contents; time
/// values in `time_unit` when the options fix one (`summaryTimeUnit`).
pub fn metric_value(value: f64, kind: MetricKind, contains: Contains, time_unit: Option<TimeUnit>) -> String {
    if kind == MetricKind::Rate {
        return percent(value);
    }
    match contains {
        Contains::Data => bytes(value),
        Contains::Time => match time_unit {
            Some(unit) => duration_in(value, unit),
            None => duration_ms(value),
        },
        Contains::Default => fixed_no_trailing_zeros(value, 6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_like_k6() {
        let table = [
            (0.0, "0s"),
            (0.000_5, "500ns"),
            (0.831, "831µs"),
            (0.366_02, "366.02µs"),
            (0.005_57, "5.57µs"),
            (1.0, "1ms"),
            (1.234_9, "1.23ms"),
            (104.57, "104.57ms"),
            (2.0, "2ms"),
            (1000.0, "1s"),
            (12_500.0, "12.5s"),
            (59_999.0, "59.99s"),
            (60_000.0, "1m0s"),
            (62_000.0, "1m2s"),
            (90_000.0, "1m30s"),
            (90_999.0, "1m30s"),
            (3_600_000.0, "1h0m0s"),
            (7_385_000.0, "2h3m5s"),
        ];
        for (ms, expected) in table {
            assert_eq!(duration_ms(ms), expected, "{ms} ms");
        }
    }

    #[test]
    fn a_fixed_time_unit_prints_two_decimals_in_that_unit() {
        assert_eq!(duration_in(1234.5, TimeUnit::Seconds), "1.23s");
        assert_eq!(duration_in(0.8312, TimeUnit::Milliseconds), "0.83ms");
        assert_eq!(duration_in(1.5, TimeUnit::Microseconds), "1500.00µs");
        let time = |unit| metric_value(90_000.0, MetricKind::Trend, Contains::Time, unit);
        assert_eq!(time(None), "1m30s");
        assert_eq!(time(Some(TimeUnit::Milliseconds)), "90000.00ms");
        assert_eq!(metric_value(3.0, MetricKind::Counter, Contains::Default, Some(TimeUnit::Seconds)), "3");
    }

    #[test]
    fn bytes_print_like_k6() {
        for (value, expected) in [
            (0.0, "0 B"),
            (9.0, "9 B"),
            (10.0, "10 B"),
            (564.0, "564 B"),
            (2_900.0, "2.9 kB"),
            (8_549.0, "8.5 kB"),
            (56_000.0, "56 kB"),
            (19_400.0, "19 kB"),
            (1_250_000.0, "1.3 MB"),
            (999_960.0, "1000 kB"),
            (20_500.0, "21 kB"),
        ] {
            assert_eq!(bytes(value), expected, "{value}");
        }
    }

    #[test]
    fn numbers_and_rates_print_like_k6() {
        assert_eq!(to_fixed(2.5, 0), "3");
        assert_eq!(to_fixed(1.005, 2), "1.00"); // 1.005 is really 1.00499999...
        assert_eq!(to_fixed(-0.5, 0), "-1");
        assert_eq!(fixed_no_trailing_zeros(76.422_416_3, 6), "76.422416");
        assert_eq!(fixed_no_trailing_zeros(232.0, 6), "232");
        assert_eq!(fixed_no_trailing_zeros(1.5, 6), "1.5");
        assert_eq!(percent(0.922_413_79), "92.24%");
        assert_eq!(percent(0.077_586), "7.75%");
        assert_eq!(percent(1.0), "100.00%");
        assert_eq!(percent(0.0), "0.00%");
    }
}
