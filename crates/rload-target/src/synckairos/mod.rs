//! `rload serve --app synckairos`: an in-memory implementation of the SyncKairos v2 API (a
//! multi-participant turn timer), so the SyncKairos load-test scenarios have a real target
//! on a machine with no Redis, PostgreSQL or Node.
//!
//! It answers as the real service does wherever a load test can tell (issue 12 lists the
//! measured answers): routes, status codes — the service's 500s on malformed input included —
//! JSON shapes, zod v4's validation texts and codes, the state machine and time arithmetic,
//! the service's Redis round trips and its optimistic lock on `version` (concurrent switches
//! on one session really race, and the loser gets 409 about as often as against the
//! service), the optional rate limits and their `RateLimit-*` headers, WebSocket fan-out, the
//! Prometheus gauges, sessions expiring an hour after their last write. It does not persist
//! anything, run on more than one instance, or log.
//!
//! Files: `model.rs` the state and its transitions (pure), `validate.rs` request bodies,
//! `body.rs` the JSON body parser, `store.rs` the sharded session map (Redis's `GET`, `SETEX`,
//! `DEL`), `latency.rs` the round trips, `rate_limit.rs` the two limits, `hub.rs` per-session
//! fan-out, `queue.rs` the simulated write-behind DB queue, `metrics.rs` `/metrics`,
//! `routes.rs` the HTTP handlers, `ws.rs` the WebSocket protocol.

mod body;
#[cfg(test)]
mod fuzz;
mod hub;
mod latency;
mod metrics;
mod model;
mod queue;
mod rate_limit;
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
pub use latency::RedisLatency;
use metrics::HttpCounts;
use queue::WriteQueue;
use rate_limit::RateLimit;
use store::Store;

/// How often expired sessions are swept out.
const SWEEP_EVERY: Duration = Duration::from_secs(5);

/// Knobs of the SyncKairos target; the defaults behave like the real service on one machine,
/// rate limits off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynckairosOptions {
    /// Each Redis command's round trip (a switch makes four, see `routes.rs`). The defaults
    /// were calibrated so scenario 04 sees the service's conflict share and latency.
    pub redis: RedisLatency,
    /// `RATE_LIMIT_GENERAL`: requests a minute per client IP on the `/v1` routes, 429
    /// `RATE_LIMIT_EXCEEDED` beyond; `None` (the default) for no limit. The service's is 100.
    pub rate_limit_general: Option<u32>,
    /// `RATE_LIMIT_SWITCH`: switches a second per session, 429 beyond; `None` (the default)
    /// for no limit. The service's is 10.
    pub rate_limit_switch: Option<u32>,
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
            redis: RedisLatency::CALIBRATED,
            rate_limit_general: None,
            rate_limit_switch: None,
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
    general_limit: Option<RateLimit>,
    switch_limit: Option<RateLimit>,
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
        general_limit: options.rate_limit_general.map(|limit| RateLimit::new(limit, Duration::from_secs(60))),
        switch_limit: options.rate_limit_switch.map(|limit| RateLimit::new(limit, Duration::from_secs(1))),
        stats,
    });
    shared.queue.spawn_drain(options.db_write_rate);
    spawn_sweeper(Arc::downgrade(&shared), options.session_ttl);
    // The layers run outside in: count, parse the body, then (on `/v1` only) the general
    // rate limit, the order of the service's Express middleware.
    Router::new()
        .route("/v1/sessions", post(routes::create))
        .route("/v1/sessions/{id}", get(routes::get).delete(routes::delete))
        .route("/v1/sessions/{id}/start", post(routes::start))
        .route("/v1/sessions/{id}/pause", post(routes::pause))
        .route("/v1/sessions/{id}/resume", post(routes::resume))
        .route("/v1/sessions/{id}/complete", post(routes::complete))
        .route("/v1/sessions/{id}/switch", post(routes::switch))
        .route("/v1/time", get(routes::time))
        .route_layer(axum::middleware::from_fn_with_state(Arc::clone(&shared), routes::general_limit))
        .route("/health", get(routes::health))
        .route("/ready", get(routes::ready))
        .route("/metrics", get(routes::metrics))
        .route("/ws", get(ws::upgrade))
        .method_not_allowed_fallback(routes::not_found)
        .fallback(routes::not_found)
        .layer(axum::middleware::from_fn(body::parse_json))
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
