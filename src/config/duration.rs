//! k6 duration strings: `"1h2m3s"`, `"1m30s"`, `"500ms"`, `"2.5s"`, `"300us"`, `"1d"`.
//!
//! A bare number (JSON number or digits-only string) means milliseconds, as in k6's options.
//! Formatting goes the other way for messages and the summary header (`1m30s`).
//!
//! Every duration a user or a script gives goes through [`secs_to_duration`], so none can be
//! negative, NaN or longer than k6's own maximum (a Go `time.Duration`, int64 nanoseconds,
//! about 292 years): such values are errors that name the text, never a panic later.

use std::time::Duration;

/// k6's longest duration: Go's `time.Duration` is an int64 count of nanoseconds.
pub const MAX_DURATION: Duration = Duration::from_nanos(i64::MAX as u64);

/// Seconds as a duration, or why they are not one (negative, not a number, longer than
/// [`MAX_DURATION`]).
pub fn secs_to_duration(secs: f64) -> Result<Duration, String> {
    if secs.is_nan() {
        return Err("not a number".into());
    }
    if secs < 0.0 {
        return Err("must be ≥ 0".into());
    }
    match Duration::try_from_secs_f64(secs) {
        Ok(d) if d <= MAX_DURATION => Ok(d),
        _ => Err(format!("longer than the longest duration k6 accepts ({})", format_duration(MAX_DURATION))),
    }
}

/// Parses a k6 duration. Errors name the text as written.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err(format!("invalid duration \"{text}\": empty"));
    }
    if let Ok(ms) = s.parse::<f64>() {
        return secs_to_duration(ms / 1000.0).map_err(|e| format!("invalid duration \"{text}\": {e}"));
    }
    let mut total = 0f64; // seconds
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return Err(format!("invalid duration \"{text}\": expected a number before \"{rest}\""));
        }
        let value: f64 = rest[..num_len]
            .parse()
            .map_err(|_| format!("invalid duration \"{text}\": \"{}\" is not a number", &rest[..num_len]))?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "d" => 86_400.0,
            "h" => 3_600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            "" => return Err(format!("invalid duration \"{text}\": missing unit (use ms, s, m or h)")),
            other => return Err(format!("invalid duration \"{text}\": unknown unit \"{other}\"")),
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    secs_to_duration(total).map_err(|e| format!("invalid duration \"{text}\": {e}"))
}

/// Milliseconds as a duration; `None` for negative, non-finite or too long values.
pub fn ms_to_duration(ms: f64) -> Option<Duration> {
    secs_to_duration(ms / 1000.0).ok()
}

/// Formats like k6's own messages: `1h0m0s`, `1m30s`, `10s`, `2.5s`, `500ms`.
pub fn format_duration(d: Duration) -> String {
    let total_ms = d.as_millis();
    if total_ms < 1000 {
        return format!("{total_ms}ms");
    }
    let secs = d.as_secs_f64();
    let h = (secs / 3600.0).floor() as u64;
    let m = ((secs - h as f64 * 3600.0) / 60.0).floor() as u64;
    let s = secs - h as f64 * 3600.0 - m as f64 * 60.0;
    let s_text = if (s - s.round()).abs() < 1e-9 { format!("{}", s.round() as u64) } else { format!("{:.1}", s) };
    match (h, m) {
        (0, 0) => format!("{s_text}s"),
        (0, _) => format!("{m}m{s_text}s"),
        _ => format!("{h}h{m}m{s_text}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k6_duration_strings() {
        let cases = [
            ("1m30s", 90_000.0),
            ("500ms", 500.0),
            ("2.5s", 2_500.0),
            ("1h2m3s", 3_723_000.0),
            ("1d", 86_400_000.0),
            ("300us", 0.3),
            ("250", 250.0),
            ("0s", 0.0),
        ];
        for (text, ms) in cases {
            let got = parse_duration(text).unwrap().as_secs_f64() * 1000.0;
            assert!((got - ms).abs() < 1e-6, "{text}: {got} != {ms}");
        }
    }

    #[test]
    fn rejects_malformed_durations_naming_the_text() {
        for bad in ["", "10x", "s", "1m30", "-5s", "abc"] {
            let err = parse_duration(bad).unwrap_err();
            assert!(err.contains(&format!("\"{bad}\"")), "{bad}: {err}");
        }
    }

    #[test]
    fn rejects_durations_longer_than_k6s_maximum_instead_of_panicking() {
        for bad in ["9999999999999999h", "1e30", "10000000000000000000s", "inf", "NaN"] {
            let err = parse_duration(bad).unwrap_err();
            assert!(err.contains(&format!("\"{bad}\"")), "{bad}: {err}");
        }
        assert_eq!(parse_duration("2562047h").unwrap(), Duration::from_secs(2_562_047 * 3600));
        assert!(secs_to_duration(1e20).unwrap_err().contains("longest duration"));
        assert_eq!(ms_to_duration(1e30), None);
    }

    #[test]
    fn formats_like_k6() {
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(format_duration(Duration::from_secs(10)), "10s");
        assert_eq!(format_duration(Duration::from_millis(2500)), "2.5s");
        assert_eq!(format_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(format_duration(Duration::from_secs(3600)), "1h0m0s");
    }
}
