//! Sample times as k6's outputs write them: RFC 3339 with nanoseconds (Go's `RFC3339Nano`,
//! trailing zeros of the fraction dropped) and Unix seconds/ms/µs/ns. Times are UTC (`Z`).

use std::time::{SystemTime, UNIX_EPOCH};

/// Nanoseconds since the Unix epoch (0 for a time before it).
pub fn unix_nanos(t: SystemTime) -> u128 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// `2026-11-28T21:30:05.0123Z`: Go's `time.RFC3339Nano` in UTC. With `fraction` false, no
/// fractional seconds (`time.RFC3339`).
pub fn rfc3339(t: SystemTime, fraction: bool) -> String {
    let nanos = unix_nanos(t);
    let secs = (nanos / 1_000_000_000) as i64;
    let frac = (nanos % 1_000_000_000) as u32;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let mut out = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60);
    if fraction && frac > 0 {
        let digits = format!("{frac:09}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_matches_gos_rfc3339nano_in_utc() {
        let t = UNIX_EPOCH + Duration::new(1_795_901_405, 12_300_000);
        assert_eq!(rfc3339(t, true), "2026-11-28T21:30:05.0123Z");
        assert_eq!(rfc3339(t, false), "2026-11-28T21:30:05Z");
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400), true), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(UNIX_EPOCH, true), "1970-01-01T00:00:00Z");
    }
}
