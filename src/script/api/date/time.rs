//! The time value arithmetic of JavaScript's Date ([`super`]): ECMAScript's `MakeDay`,
//! `MakeTime`, `MakeDate` and `TimeClip`, the fields of a time value, local time through the
//! process's zone (its offset from chrono, its abbreviation from the C library, as Go reads
//! both), and `Date.parse` as goja parses.

use chrono::{Local, Offset, TimeZone};

pub const MS_PER_DAY: f64 = 86_400_000.0;

/// The broken-down fields of a time value, in UTC or local time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fields {
    pub year: f64,
    pub month: f64,
    pub day: f64,
    pub hours: f64,
    pub minutes: f64,
    pub seconds: f64,
    pub ms: f64,
}

/// ECMAScript's `TimeClip`: NaN past ±8.64e15 ms, else the value truncated.
pub fn time_clip(t: f64) -> f64 {
    if !t.is_finite() || t.abs() > 8.64e15 {
        f64::NAN
    } else {
        t.trunc() + 0.0
    }
}

/// Days from 1970-01-01 to the first of `month` (0-based, carried into the year) of `year`,
/// plus `date - 1`: ECMAScript's `MakeDay`.
pub fn make_day(year: f64, month: f64, date: f64) -> f64 {
    if !(year.is_finite() && month.is_finite() && date.is_finite()) {
        return f64::NAN;
    }
    let (year, month, date) = (year.trunc(), month.trunc(), date.trunc());
    let y = year + (month / 12.0).floor();
    if y.abs() > 400_000.0 {
        return f64::NAN;
    }
    let m = month.rem_euclid(12.0) + 1.0;
    days_from_civil(y as i64, m as i64) as f64 + date - 1.0
}

/// Days from the epoch to the first day of `month` (1–12) of `year` (proleptic Gregorian).
pub fn days_from_civil(year: i64, month: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Year, month (0-based) and day of the month of a day number.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month - 1, day)
}

pub fn make_time(h: f64, m: f64, s: f64, ms: f64) -> f64 {
    if !(h.is_finite() && m.is_finite() && s.is_finite() && ms.is_finite()) {
        return f64::NAN;
    }
    h.trunc() * 3_600_000.0 + m.trunc() * 60_000.0 + s.trunc() * 1000.0 + ms.trunc()
}

pub fn make_date(f: &Fields) -> f64 {
    make_day(f.year, f.month, f.day) * MS_PER_DAY + make_time(f.hours, f.minutes, f.seconds, f.ms)
}

pub fn fields(t: f64) -> Fields {
    if t.is_nan() {
        let nan = f64::NAN;
        return Fields { year: nan, month: nan, day: nan, hours: nan, minutes: nan, seconds: nan, ms: nan };
    }
    let day = (t / MS_PER_DAY).floor();
    let within = t - day * MS_PER_DAY;
    let (year, month, date) = civil_from_days(day as i64);
    Fields {
        year: year as f64,
        month: month as f64,
        day: date as f64,
        hours: (within / 3_600_000.0).floor(),
        minutes: (within / 60_000.0).floor() % 60.0,
        seconds: (within / 1000.0).floor() % 60.0,
        ms: within % 1000.0,
    }
}

/// The local zone's offset from UTC at the instant `t`, in milliseconds.
pub fn local_offset_ms(t: f64) -> f64 {
    let secs = (t / 1000.0).floor() as i64;
    match chrono::DateTime::from_timestamp(secs, 0) {
        Some(utc) => f64::from(Local.offset_from_utc_datetime(&utc.naive_utc()).fix().local_minus_utc()) * 1000.0,
        None => 0.0,
    }
}

/// The local zone's abbreviation at the instant `t` (`CET`, `EST`, `+04` for a zone without
/// one), as Go names it in k6's `toString`: the C library's, which reads the same `TZ` and
/// `/etc/localtime` as Go.
#[cfg(unix)]
pub fn zone_name(t: f64) -> Option<String> {
    let secs = (t / 1000.0).floor() as libc::time_t;
    // SAFETY: localtime_r writes only into `tm`, which outlives the call; `tm_zone` then points
    // at a string the C library keeps for the process, read before any other call.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&secs, &mut tm).is_null() || tm.tm_zone.is_null() {
            return None;
        }
        Some(std::ffi::CStr::from_ptr(tm.tm_zone).to_string_lossy().into_owned())
    }
}

#[cfg(not(unix))]
pub fn zone_name(_: f64) -> Option<String> {
    None
}

/// ECMAScript's `UTC(t)`: the time value of local time `t` (the earlier instant in a fold).
pub fn utc_of_local(t: f64) -> f64 {
    if !t.is_finite() {
        return f64::NAN;
    }
    let secs = (t / 1000.0).floor() as i64;
    let offset = chrono::DateTime::from_timestamp(secs, 0)
        .map(|naive| {
            let local = Local.offset_from_local_datetime(&naive.naive_utc());
            // A local time skipped by a jump forward reads with the offset before the jump (a
            // day earlier), as ECMAScript and k6 read it: 02:30 on a 02:00→03:00 night is 03:30.
            let before = naive.naive_utc() - chrono::Duration::days(1);
            let fixed = local.earliest().unwrap_or_else(|| Local.offset_from_utc_datetime(&before));
            f64::from(fixed.fix().local_minus_utc()) * 1000.0
        })
        .unwrap_or(0.0);
    t - offset
}

pub fn weekday(t: f64) -> usize {
    ((t / MS_PER_DAY).floor() + 4.0).rem_euclid(7.0) as usize
}

/// `Date.parse(text)`: ISO 8601 as goja reads it, else goja's looser reading (`super::loose`:
/// `March 7, 2024`, `2024/03/07`, RFC 2822); NaN for anything else.
pub fn parse(text: &str) -> f64 {
    let text = text.trim();
    let loose = || if super::loose::iso_shaped(text) { None } else { super::loose::parse(text) };
    match parse_iso(text).or_else(loose) {
        Some(t) => time_clip(t),
        None => f64::NAN,
    }
}

fn parse_iso(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut at = 0;
    let digits = |at: &mut usize, min: usize, max: usize| -> Option<f64> {
        let start = *at;
        while *at < bytes.len() && bytes[*at].is_ascii_digit() && *at - start < max {
            *at += 1;
        }
        (*at - start >= min).then(|| text[start..*at].parse::<f64>().ok()).flatten()
    };
    let eat = |at: &mut usize, c: u8| -> bool {
        let yes = bytes.get(*at) == Some(&c);
        if yes {
            *at += 1;
        }
        yes
    };
    let year = match bytes.first() {
        Some(b'+') | Some(b'-') => {
            let negative = bytes[0] == b'-';
            at = 1;
            let y = digits(&mut at, 6, 6)?;
            if negative {
                -y
            } else {
                y
            }
        }
        _ => digits(&mut at, 4, 4)?,
    };
    let (mut month, mut day) = (1.0, 1.0);
    // ISO's own form (two-digit month and day) of a date alone is UTC; goja's looser one
    // (`2024-1-5`) is local time.
    let mut strict = true;
    if eat(&mut at, b'-') {
        let start = at;
        month = digits(&mut at, 1, 2)?;
        strict &= at - start == 2;
        if eat(&mut at, b'-') {
            let start = at;
            day = digits(&mut at, 1, 2)?;
            strict &= at - start == 2;
        }
    }
    if !(1.0..=12.0).contains(&month) || !(1.0..=31.0).contains(&day) {
        return None;
    }
    let mut f = Fields { year, month: month - 1.0, day, hours: 0.0, minutes: 0.0, seconds: 0.0, ms: 0.0 };
    if at == bytes.len() {
        let t = make_date(&f);
        return Some(if strict { t } else { utc_of_local(t) });
    }
    if !(eat(&mut at, b'T') || eat(&mut at, b't') || eat(&mut at, b' ')) {
        return None;
    }
    f.hours = digits(&mut at, 2, 2)?;
    if !eat(&mut at, b':') {
        return None;
    }
    f.minutes = digits(&mut at, 2, 2)?;
    if eat(&mut at, b':') {
        f.seconds = digits(&mut at, 2, 2)?;
        if eat(&mut at, b'.') || eat(&mut at, b',') {
            let start = at;
            digits(&mut at, 1, usize::MAX)?;
            let frac = &text[start..at];
            f.ms = format!("0.{frac}").parse::<f64>().ok().map(|x| (x * 1000.0).trunc())?;
        }
    }
    if f.hours > 24.0
        || f.minutes > 59.0
        || f.seconds > 59.0
        || (f.hours == 24.0 && (f.minutes + f.seconds + f.ms) > 0.0)
    {
        return None;
    }
    let local = make_date(&f);
    if at == bytes.len() {
        return Some(utc_of_local(local));
    }
    if eat(&mut at, b'Z') || eat(&mut at, b'z') {
        return (at == bytes.len()).then_some(local);
    }
    let sign = match bytes.get(at) {
        Some(b'+') => 1.0,
        Some(b'-') => -1.0,
        _ => return None,
    };
    at += 1;
    let oh = digits(&mut at, 2, 2)?;
    eat(&mut at, b':');
    let om = digits(&mut at, 2, 2)?;
    (at == bytes.len()).then_some(local - sign * (oh * 3_600_000.0 + om * 60_000.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A calendar date's day number, by chrono.
    fn day_number(y: i32, m: u32, d: u32) -> i64 {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        (chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap() - epoch).num_days()
    }

    // Expected values are k6 v1.1.0's for the same expressions (TZ=UTC where local time shows).
    #[test]
    fn calendar_arithmetic_matches_ecmascript() {
        for (y, m, d) in [(1970, 1, 1), (2024, 2, 29), (2000, 3, 1), (1600, 1, 1), (1969, 12, 31), (-1, 1, 1)] {
            assert_eq!(
                make_day(f64::from(y), f64::from(m - 1), f64::from(d)),
                day_number(y, m, d) as f64,
                "{y}-{m}-{d}"
            );
            assert_eq!(civil_from_days(day_number(y, m, d)), (i64::from(y), i64::from(m) - 1, i64::from(d)));
        }
        // Fields past their range carry over.
        assert_eq!(make_day(2024.0, 13.0, 1.0), day_number(2025, 2, 1) as f64);
        assert_eq!(make_day(2024.0, -1.0, 1.0), day_number(2023, 12, 1) as f64);
    }

    #[test]
    fn strings_parse_as_goja_parses_them() {
        assert_eq!(parse("2024-02-29"), 1_709_164_800_000.0);
        assert_eq!(parse("2024-02-29T10:20:30Z"), 1_709_202_030_000.0);
        assert_eq!(parse("2024-02-29T10:20:30.5+02:00"), 1_709_194_830_500.0);
        assert_eq!(parse("2024-02-30"), 1_709_251_200_000.0);
        assert_eq!(parse("2024-1-5"), 1_704_412_800_000.0);
        assert_eq!(parse("2024"), 1_704_067_200_000.0);
        assert_eq!(parse("2024-03"), 1_709_251_200_000.0);
        assert_eq!(parse("Thu, 01 Jan 1970 00:00:00 GMT"), 0.0);
        assert!(parse("garbage").is_nan());
        assert!(parse("2024-13-01").is_nan());
    }

    /// goja's looser forms (`loose.rs`); rload read all of these as NaN, but for RFC 2822.
    /// Dates alone, or with a zone, so that the local zone does not count.
    #[test]
    fn loose_strings_parse_as_goja_parses_them() {
        for (text, k6) in [
            ("March 7, 2024", 1_709_769_600_000.0),
            ("2024/03/07", 1_709_769_600_000.0),
            ("3/7/2024", 1_709_769_600_000.0),
            ("3/7/24", 1_709_769_600_000.0),
            ("Thursday, March 7, 2024", 1_709_769_600_000.0),
            ("7-Mar-2024", 1_709_769_600_000.0),
            ("2024.03.07", 1_709_769_600_000.0),
            ("Mar 2024", 1_709_251_200_000.0),
            ("Thu, 01 Jan 1970 00:00:00 +0200", -7_200_000.0),
            ("Mon Jan 02 2006 15:04:05 GMT-0700 (MST)", 1_136_239_445_000.0),
            ("07 Mar 2024 12:00:00 EST", 1_709_830_800_000.0),
            ("Mar 7 2024 10:00 GMT+2", 1_709_798_400_000.0),
            ("Mar 7 2024 10:00 CEST", 1_709_798_400_000.0),
            ("Sat, 9 Mar 2024 08:00:00 -0500", 1_709_989_200_000.0),
            ("-2024-03-07", -126_032_803_200_000.0),
            ("99/1/1", 915_148_800_000.0),
            ("May 5", 989_020_800_000.0),
        ] {
            assert_eq!(parse(text), k6, "{text}");
        }
        for text in ["20240307", "Mar 7 2024 10:00 PSTX", "Sunday", "", "1 2 3 4", "3/7/2024)"] {
            assert!(parse(text).is_nan(), "{text}");
        }
    }

    #[test]
    fn time_clip_bounds_the_time_value() {
        assert!(time_clip(8.64e15 + 1.0).is_nan());
        assert_eq!(time_clip(8.64e15), 8.64e15);
        assert_eq!(time_clip(1.9), 1.0);
    }
}
