//! k6 duration strings: `"1h2m3s"`, `"1m30s"`, `"500ms"`, `"2.5s"`, `"300us"`, `"1d"`.
//!
//! k6 reads them two ways, and so does rload: an option's text (`duration: "1d"`, `K6_DURATION`,
//! `params.timeout`) with `types.ParseExtendedDuration` ([`parse_extended_duration`]: Go's
//! grammar, days, a bare number as milliseconds), and its command line's (`-d`, `--stage`,
//! `K6_STAGES`) with Go's `time.ParseDuration` alone ([`parse_flag_duration`]). A JSON number
//! means milliseconds. Formatting goes the other way for messages and the summary header
//! (`1m30s`).
//!
//! Every duration a user or a script gives is checked, so none can be negative, NaN or longer
//! than k6's own maximum (a Go `time.Duration`, int64 nanoseconds, about 292 years): such values
//! are errors that name the text, never a panic later.

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

/// A duration option's text, read as k6 reads one (`types.NullDuration`, which is
/// [`parse_extended_duration`]): Go's durations (`"1m30s"`, `".5s"`, `"+2s"`), days (`"1d2h"`)
/// and bare numbers as milliseconds (`"250"`, `"1e3"`), with no white space (`" 30s"` is an
/// error, as in k6). A negative duration is an error here; k6 reads it and then refuses it
/// option by option. Errors name the text as written.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let nanos = parse_extended_duration(text).map_err(|e| explain(text, &e))?;
    non_negative(text, nanos)
}

/// A duration as k6's command line reads one (`-d`, and the duration of a `--stage` or a
/// `K6_STAGES` item): Go's `time.ParseDuration` alone, so a unit is needed and there are no days
/// (`"500"` and `"1d"` are errors, as in k6).
pub fn parse_flag_duration(text: &str) -> Result<Duration, String> {
    let nanos = go_parse_duration(text).map_err(|e| explain(text, &e))?;
    non_negative(text, nanos)
}

fn non_negative(text: &str, nanos: i64) -> Result<Duration, String> {
    u64::try_from(nanos).map(Duration::from_nanos).map_err(|_| format!("invalid duration \"{text}\": must be ≥ 0"))
}

/// Go's message about `text`, said once: `invalid duration "10x": unknown unit "x"`.
fn explain(text: &str, go: &str) -> String {
    let go = go.strip_prefix("time: ").unwrap_or(go);
    if go.starts_with("invalid duration") {
        return go.to_owned();
    }
    let reason = go.strip_suffix(&format!(" in duration \"{text}\"")).unwrap_or(go);
    format!("invalid duration \"{text}\": {reason}")
}

/// A duration as k6 reads a string with `types.ParseExtendedDuration` (for `params.timeout`):
/// signed nanoseconds, as Go's `time.Duration`. Unlike [`parse_duration`] it is Go's grammar
/// exactly, negative values included:
///
/// - text Go's `strconv.ParseFloat` reads is milliseconds: `"2"`, `"-5"`, `"1e3"`, `"1_000"`,
///   `".5"`, `"0x1p3"`, `"inf"`, `"NaN"` (no white space: `" 2"` is an error). The product goes
///   to an int64 as Go's conversion does on amd64: NaN and out of range give the most negative
///   duration;
/// - text with a `d` is whole days (Go's `ParseInt`, signed) and a non-negative Go duration
///   after them: `"1d"`, `"1d2h"`, `"-1d"` (`"1d-1h"` is an error);
/// - anything else is Go's `time.ParseDuration`: a sign, then numbers each with a unit `ns`,
///   `us`, `µs`, `μs`, `ms`, `s`, `m` or `h` (`"+2s"`, `"1.5h30m"`, `"-1s"`; `"2S"`, `"1 s"`
///   and `"2s "` are errors).
///
/// Errors are Go's messages, as k6 reports them.
pub fn parse_extended_duration(text: &str) -> Result<i64, String> {
    if let Some(ms) = go_parse_float(text) {
        return Ok(millis_to_go_nanos(ms));
    }
    let Some(d_pos) = text.find('d') else { return go_parse_duration(text) };
    let after = &text[d_pos + 1..];
    let mut hours = 0;
    if !after.is_empty() {
        hours = go_parse_duration(after)?;
        if hours < 0 {
            return Err(format!("invalid time format '{after}'"));
        }
    }
    let days_text = &text[..d_pos];
    let days = go_parse_int(days_text).map_err(|e| format!("strconv.ParseInt: parsing \"{days_text}\": {e}"))?;
    if days < 0 {
        hours = -hours;
    }
    Ok(days.wrapping_mul(24 * 3_600 * 1_000_000_000).wrapping_add(hours))
}

/// Milliseconds as k6 turns them into a Go duration, `time.Duration(ms * 1e6)`: truncated
/// toward zero; NaN and values out of range are what Go's conversion gives on amd64, the most
/// negative int64.
pub fn millis_to_go_nanos(ms: f64) -> i64 {
    // 2^63, exact as an f64: the int64 range is [-2^63, 2^63).
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let f = ms * 1e6;
    if (-LIMIT..LIMIT).contains(&f) {
        f as i64
    } else {
        i64::MIN
    }
}

/// Go's `strconv.ParseInt(text, 10, 64)`: a sign and decimal digits, nothing else; the error
/// is Go's.
fn go_parse_int(text: &str) -> Result<i64, &'static str> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid syntax");
    }
    text.strip_prefix('+').unwrap_or(text).parse().map_err(|_| "value out of range")
}

/// Go's `strconv.ParseFloat(text, 64)`, `None` where it fails (out of range included): a sign;
/// `inf`, `infinity` or `nan` in any case; decimal digits with an optional `.` and `e`
/// exponent; or a `0x` mantissa with a `p` exponent. `_` may separate digits.
fn go_parse_float(text: &str) -> Option<f64> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = unsigned.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(if negative { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if text.eq_ignore_ascii_case("nan") {
        return Some(f64::NAN);
    }
    if !go_underscores_ok(unsigned) {
        return None;
    }
    let plain: String = lower.chars().filter(|&c| c != '_').collect();
    let value = match plain.strip_prefix("0x") {
        Some(hex) => parse_hex_float(hex)?,
        None => parse_decimal_float(&plain)?,
    };
    value.is_finite().then_some(if negative { -value } else { value })
}

/// Go's rule for `_` in a number: only between digits, or between a base prefix and a digit.
fn go_underscores_ok(s: &str) -> bool {
    let bytes = s.as_bytes();
    let hex = bytes.len() >= 2 && bytes[0] == b'0' && bytes[1].eq_ignore_ascii_case(&b'x');
    let based = bytes.len() >= 2 && bytes[0] == b'0' && matches!(bytes[1].to_ascii_lowercase(), b'b' | b'o' | b'x');
    let (mut saw, start) = if based { (b'0', 2) } else { (b'^', 0) };
    for &b in &bytes[start..] {
        if b.is_ascii_digit() || hex && b.is_ascii_hexdigit() {
            saw = b'0';
        } else if b == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else if saw == b'_' {
            return false;
        } else {
            saw = b'!';
        }
    }
    saw != b'_'
}

/// Decimal digits with an optional `.` (at least one digit) and an optional `e` exponent.
fn parse_decimal_float(s: &str) -> Option<f64> {
    let (mantissa, exponent) = match s.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (s, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    (mantissa_ok && exponent_ok).then(|| s.parse().ok()).flatten()
}

/// A hex mantissa (`1`, `1.8`, `.8`) and its mandatory binary exponent (`p3`, `p-2`).
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exponent) = s.split_once('p')?;
    let exponent: i32 = {
        let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        exponent.parse().unwrap_or(if exponent.starts_with('-') { i32::MIN } else { i32::MAX })
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let hex = |t: &str| t.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex(whole) || !hex(fraction) || whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut value = 0.0;
    for c in whole.chars().chain(fraction.chars()) {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let scale = exponent.saturating_sub(4 * fraction.len() as i32);
    Some(value * 2f64.powi(scale))
}

/// Go's `time.ParseDuration`, in nanoseconds, with Go's error messages.
fn go_parse_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration \"{text}\"");
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        if !(rest.starts_with('.') || rest.as_bytes()[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let whole: u64 = if int_len == 0 { 0 } else { rest[..int_len].parse().map_err(|_| invalid())? };
        if whole > 1 << 63 {
            return Err(invalid());
        }
        rest = &rest[int_len..];
        let (mut fraction, mut scale) = (0u64, 1f64);
        if let Some(after_dot) = rest.strip_prefix('.') {
            let fraction_len = after_dot.bytes().take_while(u8::is_ascii_digit).count();
            let mut overflow = false;
            for b in after_dot[..fraction_len].bytes() {
                // Go's leadingFraction: digits past int64's precision are dropped.
                if overflow || fraction > (1 << 63) / 10 {
                    overflow = true;
                    continue;
                }
                let next = fraction * 10 + u64::from(b - b'0');
                if next > 1 << 63 {
                    overflow = true;
                    continue;
                }
                fraction = next;
                scale *= 10.0;
            }
            rest = &after_dot[fraction_len..];
            if int_len == 0 && fraction_len == 0 {
                return Err(invalid());
            }
        } else if int_len == 0 {
            return Err(invalid());
        }
        let unit_len = rest.find(|c: char| c == '.' || c.is_ascii_digit()).unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration \"{text}\""));
        }
        let unit: u64 = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60 * 1_000_000_000,
            "h" => 3_600 * 1_000_000_000,
            other => return Err(format!("time: unknown unit \"{other}\" in duration \"{text}\"")),
        };
        rest = &rest[unit_len..];
        if whole > (1 << 63) / unit {
            return Err(invalid());
        }
        let mut v = whole * unit;
        if fraction > 0 {
            v += (fraction as f64 * (unit as f64 / scale)) as u64;
            if v > 1 << 63 {
                return Err(invalid());
            }
        }
        total += v;
        if total > 1 << 63 {
            return Err(invalid());
        }
    }
    if negative {
        return Ok((total as i64).wrapping_neg());
    }
    i64::try_from(total).map_err(|_| invalid())
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

    /// k6 v1.1.0 (`k6 inspect` and `k6 run -d`/`--stage`): an option's text takes Go's
    /// durations, days and milliseconds, and no white space; the command line takes Go's
    /// durations alone.
    #[test]
    fn options_and_flags_read_durations_as_k6_does() {
        for (text, ms) in
            [("1_000", 1_000), ("1e3", 1_000), ("+5s", 5_000), (".5s", 500), ("5.s", 5_000), ("1h1h", 7_200_000)]
        {
            assert_eq!(parse_duration(text), Ok(Duration::from_millis(ms)), "{text:?}");
        }
        for (text, error) in [
            (" 30s", "invalid duration \" 30s\""),
            ("30s ", "invalid duration \"30s \": unknown unit \"s \""),
            ("30S", "invalid duration \"30S\": unknown unit \"S\""),
            ("-1s", "invalid duration \"-1s\": must be ≥ 0"),
        ] {
            assert_eq!(parse_duration(text).unwrap_err(), error, "{text:?}");
        }
        assert_eq!(parse_flag_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_flag_duration("+2s"), Ok(Duration::from_secs(2)));
        for (text, error) in [
            ("500", "invalid duration \"500\": missing unit"),
            ("1d", "invalid duration \"1d\": unknown unit \"d\""),
            ("1e3", "invalid duration \"1e3\": unknown unit \"e\""),
            (" 2s", "invalid duration \" 2s\""),
            ("-1s", "invalid duration \"-1s\": must be ≥ 0"),
        ] {
            assert_eq!(parse_flag_duration(text).unwrap_err(), error, "{text:?}");
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

    /// k6 v1.1.0 on `params.timeout` values (the sweep's repro): each of these read as k6
    /// reads it with `types.ParseExtendedDuration`, Go's grammar, signed.
    #[test]
    fn parse_extended_duration_reads_go_durations_as_k6_does() {
        const MS: i64 = 1_000_000;
        const S: i64 = 1_000 * MS;
        let cases = [
            ("1.5s", 1_500 * MS),
            ("2", 2 * MS),
            ("-5", -5 * MS),
            ("1e3", 1_000 * MS),
            ("1.5e1", 15 * MS),
            ("1.e1", 10 * MS),
            ("1_000", 1_000 * MS),
            ("0x1p3", 8 * MS),
            ("-0", 0),
            ("0", 0),
            ("0s", 0),
            ("-1s", -S),
            ("+2s", 2 * S),
            (".5s", S / 2),
            ("5.s", 5 * S),
            ("1h30m", 5_400 * S),
            ("1µs", 1_000),
            ("1μs", 1_000),
            ("2ms", 2 * MS),
            ("1d", 86_400 * S),
            ("1d1h", 90_000 * S),
            ("-1d", -86_400 * S),
            ("-1d1h", -90_000 * S),
            ("inf", i64::MIN),
            ("Infinity", i64::MIN),
            ("-inf", i64::MIN),
            ("NaN", i64::MIN),
            ("1e30", i64::MIN),
        ];
        for (text, nanos) in cases {
            assert_eq!(parse_extended_duration(text), Ok(nanos), "{text:?}");
        }
        for (text, error) in [
            (" 2s", "time: invalid duration \" 2s\""),
            ("2s ", "time: unknown unit \"s \" in duration \"2s \""),
            ("2S", "time: unknown unit \"S\" in duration \"2S\""),
            ("1 s", "time: unknown unit \" s\" in duration \"1 s\""),
            ("1h-5m", "time: unknown unit \"h-\" in duration \"1h-5m\""),
            ("", "time: invalid duration \"\""),
            ("0x10", "time: unknown unit \"x\" in duration \"0x10\""),
            ("1d-1h", "invalid time format '-1h'"),
            ("100000000000h", "time: invalid duration \"100000000000h\""),
            ("+nan", "time: invalid duration \"+nan\""),
            ("1__0", "time: unknown unit \"__\" in duration \"1__0\""),
            ("1e400", "time: unknown unit \"e\" in duration \"1e400\""),
        ] {
            assert_eq!(parse_extended_duration(text), Err(error.to_string()), "{text:?}");
        }
        assert_eq!(parse_extended_duration("xd"), Err("strconv.ParseInt: parsing \"x\": invalid syntax".into()));
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
