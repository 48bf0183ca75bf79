//! k6's REST API (v1), the control surface k6-operator and `rload status|pause|resume|scale|stats`
//! drive: `GET/PATCH /v1/status`, `GET /v1/metrics[/ID]`, `GET /v1/groups[/ID]`,
//! `GET/POST/PUT /v1/setup`, `POST /v1/teardown`, with k6 v1.1's JSON:API bodies.
//!
//! Three parts: [`body`] (the JSON:API documents, both directions), [`server`] (hyper on the
//! scheduler's thread, routing, errors) and [`client`] (the CLI commands). What the routes act
//! on is the run itself, behind the [`Surface`] trait that `runtime/api_surface.rs` implements:
//! this module knows k6's wire format and nothing of how a run works.

pub mod body;
pub mod client;
pub mod server;

use std::net::{SocketAddr, ToSocketAddrs};

pub use body::{ApiGroup, ApiMetric, Status};

use crate::executor::runner::LocalFuture;

/// k6's default `--address`.
pub const DEFAULT_ADDRESS: &str = "localhost:6565";

/// What the routes read and change: one test run, on the scheduler's thread.
pub trait Surface {
    /// The run's state as `GET /v1/status` reports it.
    fn status(&self) -> Status;
    /// `PATCH /v1/status` with `paused`: k6's `SetPaused`, with its error text.
    fn set_paused(&self, paused: bool) -> Result<(), String>;
    /// `PATCH /v1/status` with `stopped: true`: ends the test (teardown still runs; exit 103).
    fn stop(&self);
    /// Every metric that has samples, sorted by name.
    fn metrics(&self) -> Vec<ApiMetric>;
    /// The group tree, flattened: the root group first.
    fn groups(&self) -> Vec<ApiGroup>;
    /// The data `setup()` returned (or `PUT /v1/setup` set), as JSON.
    fn setup_data(&self) -> Option<serde_json::Value>;
    /// `PUT /v1/setup`: the data every VU's default function will get.
    fn set_setup_data(&self, data: Option<serde_json::Value>);
    /// `POST /v1/setup`: runs `setup()` now and keeps its data.
    fn run_setup(&self) -> LocalFuture<'_, Result<(), String>>;
    /// `POST /v1/teardown`: runs `teardown(data)` now.
    fn run_teardown(&self) -> LocalFuture<'_, Result<(), String>>;
}

/// `-a/--address` as given: `None` when the API is off (`--address ""`).
pub fn resolve(address: &str) -> Result<Option<SocketAddr>, String> {
    if address.is_empty() {
        return Ok(None);
    }
    let mut addrs = address.to_socket_addrs().map_err(|e| format!("--address \"{address}\": {e}"))?;
    // `localhost` may resolve to ::1 first; k6 (Go) listens on the first address too, but a
    // client typing 127.0.0.1 expects IPv4, so prefer it.
    let all: Vec<SocketAddr> = addrs.by_ref().collect();
    all.iter()
        .find(|a| a.is_ipv4())
        .or(all.first())
        .copied()
        .map(Some)
        .ok_or_else(|| format!("--address \"{address}\": no address to listen on"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_address_turns_the_api_off_and_localhost_resolves_to_ipv4() {
        assert_eq!(resolve("").unwrap(), None);
        assert_eq!(resolve("localhost:6565").unwrap(), Some("127.0.0.1:6565".parse().unwrap()));
        assert!(resolve("no-port").unwrap_err().starts_with("--address \"no-port\""));
    }
}
