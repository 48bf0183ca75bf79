//! Sample times as k6's outputs write them: RFC 3339 with nanoseconds (Go's `RFC3339Nano`,
//! trailing zeros of the fraction dropped) and Unix seconds/ms/µs/ns. Times are UTC (`Z`).

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, SecondsFormat, Utc};

/// Nanoseconds since the Unix epoch (0 for a time before it).
pub fn unix_nanos(t: SystemTime) -> u128 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// `2026-11-28T21:30:05.0123Z`: Go's `time.RFC3339Nano` in UTC, whose fraction drops its
/// trailing zeros (chrono's fixed widths do not). With `fraction` false, no fractional seconds
/// (`time.RFC3339`).
pub fn rfc3339(t: SystemTime, fraction: bool) -> String {
    let t = DateTime::<Utc>::from(t);
    if !fraction {
        return t.to_rfc3339_opts(SecondsFormat::Secs, true);
    }
    let mut out = t.to_rfc3339_opts(SecondsFormat::Nanos, true);
    out.pop(); // the `Z`
    let kept = out.trim_end_matches('0').trim_end_matches('.').len();
    out.truncate(kept);
    out.push('Z');
    out
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
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_secs(50), true), "1970-01-01T00:00:50Z");
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::new(50, 100_000_000), true), "1970-01-01T00:00:50.1Z");
    }
}
