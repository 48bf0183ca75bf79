//! Live counters of the reference target, served as JSON by `GET /stats`.
//!
//! The accept loop counts TCP connections (accepted in total, open right now) and HTTP
//! requests; the WebSocket handler keeps an upgraded connection counted as open until its
//! session ends. Tests and scripts read these numbers to check that a client reuses its
//! keep-alive connections. This file only holds the counters: who increments them lives in
//! `listener.rs` and `generic.rs`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::Serialize;

/// Counters shared by every connection of one server.
#[derive(Debug, Default)]
pub struct Stats {
    connections_total: AtomicU64,
    connections_open: AtomicU64,
    requests_total: AtomicU64,
}

/// A consistent-enough copy of [`Stats`] (each field is read atomically, not all at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatsSnapshot {
    /// TCP connections accepted since the server started.
    pub connections_total: u64,
    /// TCP connections open now, including upgraded WebSocket connections.
    pub connections_open: u64,
    /// HTTP requests received, including the `/stats` request that reads this number.
    pub requests_total: u64,
}

impl Stats {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            connections_total: self.connections_total.load(Ordering::Relaxed),
            connections_open: self.connections_open.load(Ordering::Relaxed),
            requests_total: self.requests_total.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn count_request(&self) {
        self.requests_total.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a newly accepted connection; it stays open until the guard is dropped.
    pub(crate) fn accept_connection(self: &Arc<Self>) -> OpenConnection {
        self.connections_total.fetch_add(1, Ordering::Relaxed);
        self.hold_open()
    }

    /// Keeps an already counted connection open after hyper has let go of it (an upgrade).
    pub(crate) fn hold_open(self: &Arc<Self>) -> OpenConnection {
        self.connections_open.fetch_add(1, Ordering::Relaxed);
        OpenConnection(Arc::clone(self))
    }
}

/// Counts one open connection for as long as it lives.
#[derive(Debug)]
pub(crate) struct OpenConnection(Arc<Stats>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.connections_open.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_count_follows_guards_and_total_only_grows() {
        let stats = Stats::new();
        let first = stats.accept_connection();
        let second = stats.accept_connection();
        drop(first);
        let upgraded = stats.hold_open();
        assert_eq!(stats.snapshot(), StatsSnapshot { connections_total: 2, connections_open: 2, requests_total: 0 });
        drop(second);
        drop(upgraded);
        stats.count_request();
        assert_eq!(stats.snapshot(), StatsSnapshot { connections_total: 2, connections_open: 0, requests_total: 1 });
    }
}
