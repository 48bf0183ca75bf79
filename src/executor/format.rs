//! Durations and rates written as k6 prints them in its header lines and messages.

use std::time::Duration;

/// Formats a duration exactly as Go's `time.Duration.String()` does (`0s`, `500ms`, `1.5s`,
/// `1m30s`, `10m0s`, `1h0m0s`), because k6's header lines and messages print durations that
/// way. `crate::config::format_duration` rounds fractions and is meant for rload's own text.
pub fn go_duration(d: Duration) -> String {
    const S: u128 = 1_000_000_000;
    let ns = d.as_nanos();
    if ns == 0 {
        return "0s".to_owned();
    }
    if ns < 1_000 {
        return format!("{ns}ns");
    }
    if ns < 1_000_000 {
        return with_fraction(ns, 1_000, 3, "µs");
    }
    if ns < S {
        return with_fraction(ns, 1_000_000, 6, "ms");
    }
    let minutes = ns / (60 * S);
    let seconds = with_fraction(ns % (60 * S), S, 9, "s");
    match (minutes / 60, minutes % 60) {
        (0, 0) => seconds,
        (0, m) => format!("{m}m{seconds}"),
        (h, m) => format!("{h}h{m}m{seconds}"),
    }
}

fn with_fraction(value: u128, unit: u128, digits: usize, suffix: &str) -> String {
    let (whole, rest) = (value / unit, value % unit);
    if rest == 0 {
        return format!("{whole}{suffix}");
    }
    let fraction = format!("{rest:0digits$}");
    format!("{whole}.{}{suffix}", fraction.trim_end_matches('0'))
}

/// `n` iterations per `time_unit`, as k6 prints it: iterations per second with two decimals.
/// `n` is fractional for a share of the test (execution segments).
pub(super) fn per_second(n: f64, time_unit: Duration) -> String {
    let ns = time_unit.as_nanos();
    let rate = if ns == 0 { 0.0 } else { n * 1e9 / ns as f64 };
    format!("{rate:.2}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_duration_matches_go_time_duration_string() {
        let cases = [
            (Duration::ZERO, "0s"),
            (Duration::from_nanos(999), "999ns"),
            (Duration::from_micros(1500), "1.5ms"),
            (Duration::from_nanos(1_500), "1.5µs"),
            (Duration::from_millis(500), "500ms"),
            (Duration::from_secs(30), "30s"),
            (Duration::from_millis(1500), "1.5s"),
            (Duration::from_secs(90), "1m30s"),
            (Duration::from_secs(600), "10m0s"),
            (Duration::from_secs(3600), "1h0m0s"),
            (Duration::from_millis(60_500), "1m0.5s"),
            (Duration::from_secs(3 * 3600 + 120 + 1), "3h2m1s"),
        ];
        for (d, want) in cases {
            assert_eq!(go_duration(d), want, "{d:?}");
        }
    }
}
