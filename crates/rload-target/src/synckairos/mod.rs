//! `rload serve --app synckairos`: an in-memory implementation of the SyncKairos v2 API (a
//! multi-participant turn timer), so the SyncKairos load-test scenarios have a real target
//! on a machine with no Redis, PostgreSQL or Node.
//!
//! It is faithful where a load test can tell: routes, status codes, JSON shapes and error
//! codes, the state machine and time arithmetic, optimistic locking on `version` (concurrent
//! switches on one session really race and the loser gets 409), WebSocket fan-out, the
//! Prometheus gauges, sessions expiring an hour after their last write. It does not persist
//! anything, run on more than one instance, or log.
//!
//! Files: `model.rs` the state and its transitions (pure), `validate.rs` request bodies,
//! `store.rs` the sharded session map with compare-and-swap, `hub.rs` per-session fan-out,
//! `queue.rs` the simulated write-behind DB queue, `metrics.rs` `/metrics`, `routes.rs` the
//! HTTP handlers, `ws.rs` the WebSocket protocol.

#[cfg(test)]
mod fuzz;
mod hub;
mod metrics;
mod model;
mod queue;
mod routes;
mod store;
mod validate;
mod ws;

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::routing::{get, post};
use axum::Router;

use super::stats::Stats;
use hub::Hub;
use metrics::HttpCounts;
use queue::WriteQueue;
use store::Store;

/// How often expired sessions are swept out.
const SWEEP_EVERY: Duration = Duration::from_secs(5);

/// Knobs of the SyncKairos target; the defaults behave like the real service on one machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynckairosOptions {
    /// Pause between reading a session and writing it back in `switch` (the real service's
    /// Redis round trips), so concurrent switches on one session overlap and the version
    /// check has something to catch. Zero only yields to other tasks.
    pub switch_delay: Duration,
    /// Switches allowed per session per second, 429 `RATE_LIMIT_EXCEEDED` beyond; `None`
    /// (the default) for no limit.
    pub rate_limit: Option<u32>,
    /// Simulated DB writes drained per second from the write-behind queue; 0 never drains.
    pub db_write_rate: u32,
    /// Interval of the server's WebSocket ping frames; zero sends none.
    pub ws_ping_interval: Duration,
    /// A session is dropped this long after its last write (Redis `SETEX` in the real one).
    pub session_ttl: Duration,
}

impl Default for SynckairosOptions {
    fn default() -> Self {
        Self {
            switch_delay: Duration::from_millis(1),
            rate_limit: None,
            db_write_rate: 5_000,
            ws_ping_interval: Duration::from_secs(5),
            session_ttl: Duration::from_secs(3_600),
        }
    }
}

/// What every handler shares.
struct Shared {
    store: Store,
    hub: Hub,
    queue: Arc<WriteQueue>,
    http: HttpCounts,
    websockets: AtomicU64,
    options: SynckairosOptions,
    stats: Arc<Stats>,
}

/// The SyncKairos routes. Must be called inside a tokio runtime: it starts the queue's drain
/// task and the session sweeper, which run as long as the runtime.
pub fn router(options: SynckairosOptions, stats: Arc<Stats>) -> Router {
    let shared = Arc::new(Shared {
        store: Store::default(),
        hub: Hub::default(),
        queue: Arc::default(),
        http: HttpCounts::default(),
        websockets: AtomicU64::new(0),
        options,
        stats,
    });
    shared.queue.spawn_drain(options.db_write_rate);
    spawn_sweeper(Arc::downgrade(&shared), options.session_ttl);
    Router::new()
        .route("/v1/sessions", post(routes::create))
        .route("/v1/sessions/{id}", get(routes::get).delete(routes::delete))
        .route("/v1/sessions/{id}/start", post(routes::start))
        .route("/v1/sessions/{id}/pause", post(routes::pause))
        .route("/v1/sessions/{id}/resume", post(routes::resume))
        .route("/v1/sessions/{id}/complete", post(routes::complete))
        .route("/v1/sessions/{id}/switch", post(routes::switch))
        .route("/v1/time", get(routes::time))
        .route("/health", get(routes::health))
        .route("/metrics", get(routes::metrics))
        .route("/ws", get(ws::upgrade))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&shared), routes::count_request))
        .with_state(shared)
}

/// Drops sessions not written for `ttl`, until the router is gone.
fn spawn_sweeper(shared: std::sync::Weak<Shared>, ttl: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(SWEEP_EVERY);
        loop {
            ticks.tick().await;
            let Some(shared) = shared.upgrade() else { return };
            let cutoff = now_ms().saturating_sub(ttl.as_millis() as u64);
            shared.store.expire_written_before(cutoff);
        }
    });
}

/// Wall-clock unix milliseconds: the service's timestamps are wall-clock by contract.
fn now_ms() -> model::Millis {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}
