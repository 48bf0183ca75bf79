//! The real service's two rate limits (express-rate-limit with a Redis store), off unless
//! asked for: `RATE_LIMIT_GENERAL`, requests a minute per client IP on every `/v1` route
//! (the service's default is 100), and `RATE_LIMIT_SWITCH`, switches a second per session
//! (default 10). A load test from one machine is one IP, so the general limit at the
//! service's default would refuse almost all of it; that is why both are off by default here
//! and why a user may want to turn them on: to see what the production defaults would do.
//!
//! Each limit is a fixed window per key that opens at the key's first request (the Redis
//! store's counter with an expiry): the request that takes the count past the limit gets 429
//! `RATE_LIMIT_EXCEEDED`. Every limited response carries the IETF draft-6 headers
//! express-rate-limit sends with `standardHeaders: true` (`RateLimit-Policy`,
//! `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`), plus `Retry-After` on a
//! 429. Counting only: the routes decide where a limit applies and what a 429 says.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// Keys kept before expired windows are swept out (and again at each doubling past that).
const SWEEP_FLOOR: usize = 1_024;

#[derive(Debug)]
pub struct RateLimit {
    limit: u32,
    window: Duration,
    windows: Mutex<Windows>,
}

#[derive(Debug, Default)]
struct Windows {
    by_key: HashMap<String, (Instant, u32)>,
    sweep_at: usize,
}

/// The outcome of one counted request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    limit: u32,
    remaining: u32,
    /// Whole seconds until the window closes, rounded up.
    reset_secs: u64,
    window_secs: u64,
}

impl RateLimit {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window, windows: Mutex::default() }
    }

    /// Counts one request of `key` at `now`.
    pub fn hit(&self, key: &str, now: Instant) -> Decision {
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.by_key.len() >= windows.sweep_at.max(SWEEP_FLOOR) {
            let window = self.window;
            windows.by_key.retain(|_, (opened, _)| now.duration_since(*opened) < window);
            windows.sweep_at = windows.by_key.len() * 2;
        }
        let entry = windows.by_key.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        let left = self.window.saturating_sub(now.duration_since(entry.0));
        Decision {
            allowed: entry.1 <= self.limit,
            limit: self.limit,
            remaining: self.limit.saturating_sub(entry.1),
            reset_secs: left.as_millis().div_ceil(1000) as u64,
            window_secs: self.window.as_secs().max(1),
        }
    }
}

impl Decision {
    /// Writes the `RateLimit-*` headers (and `Retry-After` when refused), replacing any a
    /// limit checked earlier wrote, as the service's second limiter overwrites its first's.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        let mut set = |name: &'static str, value: String| {
            if let Ok(value) = HeaderValue::try_from(value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        };
        set("ratelimit-policy", format!("{};w={}", self.limit, self.window_secs));
        set("ratelimit-limit", self.limit.to_string());
        set("ratelimit-remaining", self.remaining.to_string());
        set("ratelimit-reset", self.reset_secs.to_string());
        if !self.allowed {
            set("retry-after", self.reset_secs.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_opens_at_the_first_request_and_refuses_past_the_limit() {
        let limit = RateLimit::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        let first = limit.hit("10.0.0.1", t0);
        assert_eq!((first.allowed, first.remaining, first.reset_secs), (true, 1, 60));
        assert!(limit.hit("10.0.0.1", t0 + Duration::from_millis(30_500)).allowed);
        let third = limit.hit("10.0.0.1", t0 + Duration::from_secs(31));
        assert_eq!((third.allowed, third.remaining, third.reset_secs), (false, 0, 29));
        assert!(limit.hit("10.0.0.2", t0 + Duration::from_secs(31)).allowed, "keys count apart");
        assert!(limit.hit("10.0.0.1", t0 + Duration::from_secs(60)).allowed, "a new window");
    }

    #[test]
    fn headers_follow_draft_6_and_a_refusal_says_when_to_retry() {
        let limit = RateLimit::new(1, Duration::from_secs(1));
        let t0 = Instant::now();
        let mut headers = HeaderMap::new();
        limit.hit("s", t0).write_headers(&mut headers);
        assert_eq!(headers["ratelimit-policy"], "1;w=1");
        assert_eq!(
            (&headers["ratelimit-limit"], &headers["ratelimit-remaining"]),
            (&"1".parse().unwrap(), &"0".parse().unwrap())
        );
        assert!(headers.get("retry-after").is_none());
        limit.hit("s", t0 + Duration::from_millis(400)).write_headers(&mut headers);
        assert_eq!(
            (&headers["ratelimit-reset"], &headers["retry-after"]),
            (&"1".parse().unwrap(), &"1".parse().unwrap())
        );
    }

    #[test]
    fn expired_windows_are_swept_once_many_keys_pile_up() {
        let limit = RateLimit::new(5, Duration::from_secs(1));
        let t0 = Instant::now();
        for i in 0..SWEEP_FLOOR {
            limit.hit(&i.to_string(), t0);
        }
        limit.hit("late", t0 + Duration::from_secs(2));
        assert_eq!(limit.windows.lock().unwrap().by_key.len(), 1);
    }
}
