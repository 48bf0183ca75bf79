//! The reference target that rload's tests, examples and benchmarks run against (`rload
//! serve`, and `rload run --with-target` in-process).
//!
//! It answers generic test endpoints (see [`router`]), or with `--app synckairos` an
//! in-memory SyncKairos v2 API (see [`SynckairosOptions`]), and counts connections and requests at
//! `GET /stats`, so a test can check that a client reuses keep-alive connections. It is built
//! to hold 10,000+ concurrent keep-alive connections without becoming the bottleneck: one
//! tokio task per connection, no per-connection buffers of its own, no per-request logging.
//! It is not a general web framework and not a mock: it has no scripting and no state beyond
//! its counters (cookies live in the client).
//!
//! This crate owns axum and knows nothing of the load-testing engine: the engine includes it
//! through its default-on `target` feature, and a build without that feature has no server
//! code at all. The engine's CLI turns `rload serve`'s flags into [`ServeOptions`].
//!
//! Files: `listener.rs` accepts and counts connections, `generic.rs` is the generic app's
//! router, `broadcast.rs` the `/ws/broadcast` ticker, `ws_faults.rs` the misbehaving
//! WebSocket endpoints, `synckairos/` the SyncKairos app, `stats.rs` the counters.

mod broadcast;
mod digest;
mod generic;
mod listener;
mod stats;
mod synckairos;
mod ws_faults;

use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::{mpsc, Arc};
use std::time::Duration;

pub use generic::{router, MAX_BYTES, MAX_DELAY_MS, MAX_ECHO_BODY};
pub use stats::{Stats, StatsSnapshot};
pub use synckairos::{RedisLatency, SynckairosOptions};

/// `127.0.0.1:3000`, where `rload serve` listens unless told otherwise.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 3000));

/// Which set of endpoints the target serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum App {
    /// Generic test endpoints: `/echo`, `/delay/{ms}`, `/status/{code}`, … (see [`router`]).
    #[default]
    Generic,
    /// The SyncKairos v2 API: `/v1/sessions…`, `/v1/time`, `/health`, `/metrics`, `/ws`, plus
    /// the generic endpoints (their paths do not overlap), so one target serves every script.
    Synckairos(SynckairosOptions),
}

impl App {
    /// The app's routes. Must be called inside a tokio runtime (the SyncKairos app starts
    /// background tasks on it).
    pub fn router(self, stats: Arc<Stats>) -> axum::Router {
        match self {
            App::Generic => router(stats),
            App::Synckairos(options) => synckairos::router(options, stats.clone()).merge(router(stats)),
        }
    }
}

/// Options of `rload serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeOptions {
    /// Address to listen on; port 0 picks a free port (the printed address says which).
    pub listen: SocketAddr,
    /// Runtime worker threads; 0 and 1 both mean one thread that accepts and serves.
    pub threads: usize,
    pub app: App,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self { listen: DEFAULT_LISTEN, threads: 1, app: App::Generic }
    }
}

/// Runs the target in the foreground until SIGINT or SIGTERM.
///
/// Raises the open-files soft limit to the hard limit, binds, prints
/// `rload serve listening on http://ADDR` (the bound address, so port 0 shows the real port)
/// to stdout and flushes it. Returns the exit code: 0 after a signal, 1 if the server could
/// not start (the reason goes to stderr).
pub fn run_serve(opts: ServeOptions) -> i32 {
    // Each connection is a descriptor; an unprivileged process may raise its soft limit as far
    // as the hard one (rlimit clamps the request there).
    if let Err(err) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("rload serve: can't raise the open-files limit, keeping it: {err}");
    }
    let runtime = match build_runtime(opts.threads) {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("rload serve: can't start the runtime: {err}");
            return 1;
        }
    };
    let code = runtime.block_on(async {
        match start_foreground(&opts).await {
            Ok(()) => 0,
            Err(err) => {
                eprintln!("rload serve: {err}");
                1
            }
        }
    });
    // Open connections are dropped, not drained: a stopped target has nothing left to say.
    runtime.shutdown_timeout(Duration::from_millis(100));
    code
}

async fn start_foreground(opts: &ServeOptions) -> io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    // Signal handlers go in before the address is printed, so a supervisor that signals as
    // soon as it reads the line still gets a clean stop.
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let listener = listener::bind(opts.listen)
        .map_err(|err| io::Error::new(err.kind(), format!("can't listen on {}: {err}", opts.listen)))?;
    let addr = listener.local_addr()?;
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "rload serve listening on http://{addr}")?;
    stdout.flush()?;
    drop(stdout);
    let stats = Stats::new();
    let shutdown = async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    };
    listener::serve(listener, opts.app.router(Arc::clone(&stats)), stats, shutdown).await;
    Ok(())
}

/// Starts the generic target on a dedicated OS thread; see [`spawn_background_app`].
pub fn spawn_background(listen: SocketAddr, threads: usize) -> io::Result<SocketAddr> {
    spawn_background_app(listen, threads, App::Generic)
}

/// Starts the target serving `app` on a dedicated OS thread `rload-serve` with its own tokio
/// runtime (`threads` workers as in [`ServeOptions::threads`]) and returns the bound address
/// once it is listening. The server runs until the process exits; there is no handle to stop
/// it. Safe to call from inside another tokio runtime (it blocks the caller only until the
/// socket is bound). Does not touch the open-files limit.
pub fn spawn_background_app(listen: SocketAddr, threads: usize, app: App) -> io::Result<SocketAddr> {
    let (bound_tx, bound_rx) = mpsc::sync_channel(1);
    std::thread::Builder::new().name("rload-serve".into()).spawn(move || {
        let started = build_runtime(threads).and_then(|runtime| {
            let stats = Stats::new();
            let (listener, router) = {
                let _entered = runtime.enter();
                (listener::bind(listen)?, app.router(Arc::clone(&stats)))
            };
            Ok((runtime, listener, router, stats))
        });
        let (runtime, listener, router, stats) = match started {
            Ok(started) => started,
            Err(err) => {
                let _ = bound_tx.send(Err(err));
                return;
            }
        };
        if bound_tx.send(listener.local_addr()).is_err() {
            return;
        }
        runtime.block_on(listener::serve(listener, router, stats, std::future::pending()));
    })?;
    bound_rx.recv().map_err(|_| io::Error::other("the rload-serve thread stopped before binding"))?
}

fn build_runtime(threads: usize) -> io::Result<tokio::runtime::Runtime> {
    let mut builder = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(threads);
        builder
    };
    builder.enable_all().thread_name("rload-serve").build()
}
