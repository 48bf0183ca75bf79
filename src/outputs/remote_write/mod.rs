//! `-o experimental-prometheus-rw`: k6's Prometheus remote-write output. Samples reach it
//! through the outputs' tap like every output's; it aggregates them per series and, every
//! `K6_PROMETHEUS_RW_PUSH_INTERVAL` (5 s), pushes each series that changed, with its value since
//! the start of the run, to `K6_PROMETHEUS_RW_SERVER_URL` (see [`series`] for the names).
//!
//! The path: on the recording thread, at the thread's flush, [`series::group`] folds the batch
//! into one delta per series and `try_send`s it over a bounded channel (full: dropped and
//! counted, a VU never waits); the output's own thread merges deltas into its [`series::Store`]
//! and pushes ([`push`]) on its timer, and once more when the test ends (then stale markers if
//! `K6_PROMETHEUS_RW_STALE_MARKERS` asks). A push that fails is counted, and the run says so at
//! the end without failing: as in k6, the endpoint being down never stops a test.
//!
//! Not here: the variables (`config`), the wire format (`proto`, `native`).

pub mod config;
mod native;
mod proto;
mod push;
mod series;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::metrics::{RawSample, MAX_SERIES_PER_METRIC};

pub use config::Config;
use push::Pusher;
use series::{Delta, Store};

/// Batches (already folded per series, so small) waiting for the output's thread. Generous:
/// the thread stops reading while a push is in flight (up to [`push::TIMEOUT`]).
const QUEUE: usize = 1024;
/// How often the output's thread looks whether the run has ended.
const TICK: Duration = Duration::from_millis(100);

/// What the output tells at the end; nothing here fails the run.
#[derive(Debug, Default)]
struct Tally {
    pushes: u64,
    failed: u64,
    last_error: Option<String>,
    stale_error: Option<String>,
    over_cap: u64,
    series: usize,
}

/// The running output: its thread and the sending end of its channel.
pub struct RemoteWrite {
    tx: Option<SyncSender<Vec<Delta>>>,
    native: bool,
    dropped: Arc<AtomicU64>,
    ending: Arc<AtomicBool>,
    done: Receiver<Tally>,
    description: String,
}

/// The part of the output the tap calls on the recording thread.
pub struct RemoteWriteTap {
    tx: SyncSender<Vec<Delta>>,
    native: bool,
    dropped: Arc<AtomicU64>,
}

impl RemoteWriteTap {
    /// Folds `samples` per series and hands them over without waiting.
    pub fn send(&self, samples: &[RawSample]) {
        let deltas = series::group(samples, self.native);
        if deltas.is_empty() {
            return;
        }
        if let Err(TrySendError::Full(d) | TrySendError::Disconnected(d)) = self.tx.try_send(deltas) {
            self.dropped.fetch_add(d.iter().map(|d| d.samples).sum(), Ordering::Relaxed);
        }
    }
}

impl RemoteWrite {
    /// Starts the output's thread; nothing is sent before the first samples.
    pub fn start(config: Config) -> Result<RemoteWrite, String> {
        let description = describe(&config);
        let pusher = Pusher::new(&config)?;
        let (tx, rx) = mpsc::sync_channel(QUEUE);
        let (done_tx, done) = mpsc::channel();
        let ending = Arc::new(AtomicBool::new(false));
        let native = config.trend_as_native_histogram;
        let thread_ending = ending.clone();
        std::thread::Builder::new()
            .name("rload-prometheus-rw".into())
            .spawn(move || {
                let _ = done_tx.send(run(rx, &config, &pusher, &thread_ending));
            })
            .map_err(|e| format!("could not start the remote-write output: {e}"))?;
        Ok(RemoteWrite { tx: Some(tx), native, dropped: Arc::new(AtomicU64::new(0)), ending, done, description })
    }

    /// k6's header name: `Prometheus remote write (http://localhost:9090/api/v1/write)`.
    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn tap(&self) -> Option<RemoteWriteTap> {
        Some(RemoteWriteTap { tx: self.tx.clone()?, native: self.native, dropped: self.dropped.clone() })
    }

    /// Lets the thread push what is left (and the stale markers) and says what went wrong;
    /// waits at most `timeout`.
    pub fn finish(&mut self, timeout: Duration) -> Vec<String> {
        self.tx = None;
        self.ending.store(true, Ordering::SeqCst);
        let d = &self.description;
        let tally = match self.done.recv_timeout(timeout) {
            Ok(t) => t,
            Err(_) => return vec![format!("output {d} did not finish pushing within {} s", timeout.as_secs())],
        };
        let mut warnings = Vec::new();
        if tally.failed > 0 {
            warnings.push(format!(
                "output {d}: {} of {} pushes failed, the last with: {}",
                tally.failed,
                tally.pushes,
                tally.last_error.as_deref().unwrap_or("?")
            ));
        }
        if let Some(e) = tally.stale_error {
            warnings.push(format!("output {d}: marking the {} series as stale failed: {e}", tally.series));
        }
        let dropped = self.dropped.load(Ordering::Relaxed);
        if dropped > 0 {
            warnings.push(format!(
                "output {d}: {dropped} samples were not pushed because the output fell behind the test (the summary counts them all)"
            ));
        }
        if tally.over_cap > 0 {
            warnings.push(format!(
                "output {d}: {} samples of new series past {MAX_SERIES_PER_METRIC} per metric were not pushed (a tag with many values, such as url?)",
                tally.over_cap
            ));
        }
        warnings
    }
}

impl Drop for RemoteWrite {
    fn drop(&mut self) {
        if self.tx.is_some() {
            for w in self.finish(super::FINISH_TIMEOUT) {
                eprintln!("warning: {w}");
            }
        }
    }
}

fn describe(config: &Config) -> String {
    format!("Prometheus remote write ({})", config.server_url)
}

/// The output's thread: merge, push on the timer, push at the end, mark stale.
fn run(rx: Receiver<Vec<Delta>>, config: &Config, pusher: &Pusher, ending: &AtomicBool) -> Tally {
    let mut store = Store::default();
    let mut tally = Tally::default();
    let mut next_push = Instant::now() + config.push_interval;
    loop {
        match rx.recv_timeout(TICK.min(next_push.saturating_duration_since(Instant::now()))) {
            Ok(deltas) => deltas.into_iter().for_each(|d| store.add(d)),
            Err(RecvTimeoutError::Timeout) if ending.load(Ordering::SeqCst) => break,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if Instant::now() >= next_push {
            push_changed(&mut store, config, pusher, &mut tally);
            next_push = Instant::now() + config.push_interval;
        }
    }
    while let Ok(deltas) = rx.try_recv() {
        deltas.into_iter().for_each(|d| store.add(d));
    }
    push_changed(&mut store, config, pusher, &mut tally);
    if config.stale_markers && store.len() > 0 {
        let markers = store.stale_markers(config, SystemTime::now());
        tally.stale_error = pusher.push(proto::body(&proto::WriteRequest { timeseries: markers })).err();
    }
    tally.over_cap = store.over_cap;
    tally.series = store.len();
    tally
}

fn push_changed(store: &mut Store, config: &Config, pusher: &Pusher, tally: &mut Tally) {
    let timeseries = store.changed(config);
    if timeseries.is_empty() {
        return;
    }
    tally.pushes += 1;
    match pusher.push(proto::body(&proto::WriteRequest { timeseries })) {
        Ok(()) => store.mark_pushed(),
        Err(e) => {
            tally.failed += 1;
            tally.last_error = Some(e);
        }
    }
}
