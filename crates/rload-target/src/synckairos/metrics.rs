//! `GET /metrics`: the real service's Prometheus series that a load test watches, in the text
//! exposition format.
//!
//! - `synckairos_active_sessions` (gauge): sessions held by the store;
//! - `synckairos_websocket_connections` (gauge): open `/ws` sockets;
//! - `synckairos_db_write_queue_size` (gauge): depth of the write-behind queue;
//! - `synckairos_http_requests_total{method,route,status_code}` (counter): one series per
//!   route template (Express spelling, `/v1/sessions/:id/switch`) and status, in a fixed table
//!   of atomics, so the number of series is bounded whatever paths clients send;
//! - `process_resident_memory_bytes` (gauge), read from `/proc/self/statm`.
//!
//! Counters are plain atomics: no lock and no allocation on the request path.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

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

#[derive(Debug, Default)]
pub struct HttpCounts {
    counts: [[AtomicU64; STATUSES.len() + 1]; ROUTES.len() + 1],
}

impl HttpCounts {
    /// `matched` is the route template axum matched, if any.
    pub fn count(&self, method: &Method, matched: Option<&str>, status: StatusCode) {
        let route = matched
            .and_then(|path| ROUTES.iter().position(|(m, p, _)| m == method && *p == path))
            .unwrap_or(OTHER_ROUTE);
        let status = STATUSES.iter().position(|&s| s == status.as_u16()).unwrap_or(OTHER_STATUS);
        self.counts[route][status].fetch_add(1, Ordering::Relaxed);
    }

    fn write(&self, out: &mut String) {
        out.push_str("# HELP synckairos_http_requests_total Total number of HTTP requests\n");
        out.push_str("# TYPE synckairos_http_requests_total counter\n");
        for (route, row) in self.counts.iter().enumerate() {
            let (method, label) = ROUTES.get(route).map_or(("other", "other"), |(m, _, l)| (m.as_str(), *l));
            for (status, count) in row.iter().enumerate() {
                let count = count.load(Ordering::Relaxed);
                if count == 0 {
                    continue;
                }
                let status = STATUSES.get(status).map_or("other".to_string(), u16::to_string);
                let _ = writeln!(
                    out,
                    "synckairos_http_requests_total{{method=\"{method}\",route=\"{label}\",status_code=\"{status}\"}} {count}"
                );
            }
        }
    }
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
        http.count(&Method::POST, Some("/v1/sessions/{id}/switch"), StatusCode::CONFLICT);
        http.count(&Method::POST, Some("/v1/sessions/{id}/switch"), StatusCode::CONFLICT);
        http.count(&Method::GET, None, StatusCode::NOT_FOUND);
        http.count(&Method::PUT, Some("/health"), StatusCode::IM_A_TEAPOT);
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
        if cfg!(target_os = "linux") {
            assert!(page.contains("\nprocess_resident_memory_bytes "), "{page}");
        }
    }
}
