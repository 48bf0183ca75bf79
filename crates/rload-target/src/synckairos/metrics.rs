//! `GET /metrics`: the real service's Prometheus series that a load test watches, in the text
//! exposition format.
//!
//! - `synckairos_active_sessions` (gauge): sessions held by the store;
//! - `synckairos_websocket_connections` (gauge): open `/ws` sockets;
//! - `synckairos_db_write_queue_size` (gauge): depth of the write-behind queue;
//! - `synckairos_http_requests_total{method,route,status_code}` (counter): one series per
//!   route template (Express spelling, `/v1/sessions/:id/switch`) and status, in a fixed table
//!   of atomics, so the number of series is bounded whatever paths clients send;
//! - `synckairos_http_request_duration_ms{method,route,status_code}` (histogram): time from the
//!   request's arrival to its response head, same series table as the counter, buckets
//!   [`HTTP_BOUNDS_MS`];
//! - `synckairos_switch_cycle_duration_ms` (histogram): successful `switch` requests, buckets
//!   1, 2, 3, 5, 10, 25, 50 ms as in the real service ([`SWITCH_BOUNDS_MS`]);
//! - `process_resident_memory_bytes` (gauge), read from `/proc/self/statm`.
//!
//! Counters and histograms are plain atomics: no lock and no allocation on the request path.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::{Method, StatusCode};

/// The routes the counter distinguishes, as `(method, axum path, label)`; anything else is
/// counted under `route="other"`.
const ROUTES: [(Method, &str, &str); 12] = [
    (Method::POST, "/v1/sessions", "/v1/sessions"),
    (Method::GET, "/v1/sessions/{id}", "/v1/sessions/:id"),
    (Method::DELETE, "/v1/sessions/{id}", "/v1/sessions/:id"),
    (Method::POST, "/v1/sessions/{id}/start", "/v1/sessions/:id/start"),
    (Method::POST, "/v1/sessions/{id}/pause", "/v1/sessions/:id/pause"),
    (Method::POST, "/v1/sessions/{id}/resume", "/v1/sessions/:id/resume"),
    (Method::POST, "/v1/sessions/{id}/complete", "/v1/sessions/:id/complete"),
    (Method::POST, "/v1/sessions/{id}/switch", "/v1/sessions/:id/switch"),
    (Method::GET, "/v1/time", "/v1/time"),
    (Method::GET, "/health", "/health"),
    (Method::GET, "/metrics", "/metrics"),
    (Method::GET, "/ws", "/ws"),
];
const OTHER_ROUTE: usize = ROUTES.len();

/// The statuses the counter distinguishes; anything else is counted under `status_code="other"`.
const STATUSES: [u16; 9] = [101, 200, 201, 204, 400, 404, 409, 429, 500];
const OTHER_STATUS: usize = STATUSES.len();

/// The switch-cycle histogram's upper bounds in ms (the real service's).
pub const SWITCH_BOUNDS_MS: [f64; 7] = [1.0, 2.0, 3.0, 5.0, 10.0, 25.0, 50.0];
/// The request-duration histogram's upper bounds in ms.
pub const HTTP_BOUNDS_MS: [f64; 10] = [1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0];
/// The switch route's axum path.
const SWITCH_PATH: &str = "/v1/sessions/{id}/switch";

/// A Prometheus histogram of durations over fixed bounds: a count per bucket (not cumulative;
/// summed when written), the `+Inf` one last, and the sum in microseconds.
#[derive(Debug)]
pub struct Histogram<const N: usize> {
    bounds: &'static [f64; N],
    buckets: [AtomicU64; N],
    over: AtomicU64,
    sum_us: AtomicU64,
}

impl<const N: usize> Histogram<N> {
    pub const fn new(bounds: &'static [f64; N]) -> Self {
        Histogram {
            bounds,
            buckets: [const { AtomicU64::new(0) }; N],
            over: AtomicU64::new(0),
            sum_us: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, elapsed: Duration) {
        let ms = elapsed.as_secs_f64() * 1000.0;
        match self.bounds.iter().position(|&le| ms <= le) {
            Some(bucket) => self.buckets[bucket].fetch_add(1, Ordering::Relaxed),
            None => self.over.fetch_add(1, Ordering::Relaxed),
        };
        self.sum_us.fetch_add(u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum::<u64>() + self.over.load(Ordering::Relaxed)
    }

    /// The `_bucket`, `_sum` and `_count` lines, `labels` being `k="v",…` or empty.
    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (le, bucket) in self.bounds.iter().zip(&self.buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}");
        }
        cumulative += self.over.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {cumulative}");
        let braces = if labels.is_empty() { String::new() } else { format!("{{{labels}}}") };
        let sum = self.sum_us.load(Ordering::Relaxed) as f64 / 1000.0;
        let _ = writeln!(out, "{name}_sum{braces} {sum}\n{name}_count{braces} {cumulative}");
    }
}

/// The request counter and both duration histograms.
#[derive(Debug)]
pub struct HttpCounts {
    counts: [[AtomicU64; STATUSES.len() + 1]; ROUTES.len() + 1],
    durations: [[Histogram<{ HTTP_BOUNDS_MS.len() }>; STATUSES.len() + 1]; ROUTES.len() + 1],
    switch_cycles: Histogram<{ SWITCH_BOUNDS_MS.len() }>,
}

impl Default for HttpCounts {
    fn default() -> Self {
        HttpCounts {
            counts: Default::default(),
            durations: std::array::from_fn(|_| std::array::from_fn(|_| Histogram::new(&HTTP_BOUNDS_MS))),
            switch_cycles: Histogram::new(&SWITCH_BOUNDS_MS),
        }
    }
}

impl HttpCounts {
    /// `matched` is the route template axum matched, if any; `elapsed` the time to the response.
    pub fn count(&self, method: &Method, matched: Option<&str>, status: StatusCode, elapsed: Duration) {
        let route = matched
            .and_then(|path| ROUTES.iter().position(|(m, p, _)| m == method && *p == path))
            .unwrap_or(OTHER_ROUTE);
        if matched == Some(SWITCH_PATH) && method == Method::POST && status == StatusCode::OK {
            self.switch_cycles.observe(elapsed);
        }
        let status = STATUSES.iter().position(|&s| s == status.as_u16()).unwrap_or(OTHER_STATUS);
        self.counts[route][status].fetch_add(1, Ordering::Relaxed);
        self.durations[route][status].observe(elapsed);
    }

    fn write(&self, out: &mut String) {
        self.write_counter(out);
        out.push_str("# HELP synckairos_http_request_duration_ms Duration of HTTP requests in ms\n");
        out.push_str("# TYPE synckairos_http_request_duration_ms histogram\n");
        for (route, row) in self.durations.iter().enumerate() {
            for (status, histogram) in row.iter().enumerate() {
                if histogram.count() > 0 {
                    histogram.write(out, "synckairos_http_request_duration_ms", &labels(route, status));
                }
            }
        }
        out.push_str("# HELP synckairos_switch_cycle_duration_ms Duration of a successful switch cycle in ms\n");
        out.push_str("# TYPE synckairos_switch_cycle_duration_ms histogram\n");
        self.switch_cycles.write(out, "synckairos_switch_cycle_duration_ms", "");
    }

    fn write_counter(&self, out: &mut String) {
        out.push_str("# HELP synckairos_http_requests_total Total number of HTTP requests\n");
        out.push_str("# TYPE synckairos_http_requests_total counter\n");
        for (route, row) in self.counts.iter().enumerate() {
            for (status, count) in row.iter().enumerate() {
                let count = count.load(Ordering::Relaxed);
                if count == 0 {
                    continue;
                }
                let _ = writeln!(out, "synckairos_http_requests_total{{{}}} {count}", labels(route, status));
            }
        }
    }
}

/// `method="…",route="…",status_code="…"` of a cell of the series table.
fn labels(route: usize, status: usize) -> String {
    let (method, label) = ROUTES.get(route).map_or(("other", "other"), |(m, _, l)| (m.as_str(), *l));
    let status = STATUSES.get(status).map_or("other".to_string(), u16::to_string);
    format!("method=\"{method}\",route=\"{label}\",status_code=\"{status}\"")
}

/// The gauges' current values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gauges {
    pub active_sessions: u64,
    pub websocket_connections: u64,
    pub db_write_queue_size: u64,
}

/// The whole `/metrics` page.
pub fn render(gauges: Gauges, http: &HttpCounts) -> String {
    let mut out = String::with_capacity(2048);
    let mut gauge = |name: &str, help: &str, value: u64| {
        let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n");
    };
    gauge("synckairos_active_sessions", "Current number of active sessions in Redis", gauges.active_sessions);
    gauge("synckairos_websocket_connections", "Current number of WebSocket connections", gauges.websocket_connections);
    gauge("synckairos_db_write_queue_size", "Current depth of DBWriteQueue", gauges.db_write_queue_size);
    if let Some(rss) = resident_memory_bytes() {
        gauge("process_resident_memory_bytes", "Resident memory size in bytes.", rss);
    }
    http.write(&mut out);
    out
}

/// Resident set size: the second field of `/proc/self/statm`, in pages. None off Linux.
fn resident_memory_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let page_size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page_size).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_has_the_gauges_and_only_seen_request_series() {
        let http = HttpCounts::default();
        let ms = Duration::from_millis;
        http.count(&Method::POST, Some("/v1/sessions/{id}/switch"), StatusCode::CONFLICT, ms(1));
        http.count(&Method::POST, Some("/v1/sessions/{id}/switch"), StatusCode::CONFLICT, ms(1));
        http.count(&Method::GET, None, StatusCode::NOT_FOUND, ms(1));
        http.count(&Method::PUT, Some("/health"), StatusCode::IM_A_TEAPOT, ms(1));
        let page = render(Gauges { active_sessions: 3, websocket_connections: 2, db_write_queue_size: 1 }, &http);
        assert!(page.contains("# TYPE synckairos_active_sessions gauge\nsynckairos_active_sessions 3\n"), "{page}");
        assert!(page.contains("\nsynckairos_websocket_connections 2\n"), "{page}");
        assert!(page.contains("\nsynckairos_db_write_queue_size 1\n"), "{page}");
        let switch =
            "synckairos_http_requests_total{method=\"POST\",route=\"/v1/sessions/:id/switch\",status_code=\"409\"} 2";
        assert!(page.contains(switch), "{page}");
        let other = "synckairos_http_requests_total{method=\"other\",route=\"other\",status_code=\"404\"} 1";
        assert!(page.contains(other), "{page}");
        assert!(page.contains("route=\"other\",status_code=\"other\"} 1"), "{page}");
        assert_eq!(page.matches("synckairos_http_requests_total{").count(), 3);
        assert_eq!(page.matches("synckairos_http_request_duration_ms_count{").count(), 3);
        if cfg!(target_os = "linux") {
            assert!(page.contains("\nprocess_resident_memory_bytes "), "{page}");
        }
    }

    #[test]
    fn switch_cycles_fill_cumulative_buckets_with_the_real_bounds() {
        let http = HttpCounts::default();
        let switch = Some("/v1/sessions/{id}/switch");
        for us in [500, 1_500, 2_500, 2_900, 40_000, 70_000] {
            http.count(&Method::POST, switch, StatusCode::OK, Duration::from_micros(us));
        }
        http.count(&Method::POST, switch, StatusCode::CONFLICT, Duration::from_micros(100)); // not a cycle
        let page = render(Gauges { active_sessions: 0, websocket_connections: 0, db_write_queue_size: 0 }, &http);
        let want = "# TYPE synckairos_switch_cycle_duration_ms histogram\n\
                    synckairos_switch_cycle_duration_ms_bucket{le=\"1\"} 1\n\
                    synckairos_switch_cycle_duration_ms_bucket{le=\"2\"} 2\n\
                    synckairos_switch_cycle_duration_ms_bucket{le=\"3\"} 4\n\
                    synckairos_switch_cycle_duration_ms_bucket{le=\"5\"} 4\n\
                    synckairos_switch_cycle_duration_ms_bucket{le=\"10\"} 4\n\
                    synckairos_switch_cycle_duration_ms_bucket{le=\"25\"} 4\n\
                    synckairos_switch_cycle_duration_ms_bucket{le=\"50\"} 5\n\
                    synckairos_switch_cycle_duration_ms_bucket{le=\"+Inf\"} 6\n\
                    synckairos_switch_cycle_duration_ms_sum 117.4\n\
                    synckairos_switch_cycle_duration_ms_count 6\n";
        assert!(page.contains(want), "{page}");
        let conflict = "synckairos_http_request_duration_ms_bucket{method=\"POST\",route=\"/v1/sessions/:id/switch\",\
                        status_code=\"409\",le=\"1\"} 1";
        assert!(page.contains(conflict), "{page}");
    }
}
