//! SIGINT and SIGTERM as k6 handles them, in every phase of a run.
//!
//! The first signal asks the run to stop gracefully: whatever phase it is in (init, `setup()`,
//! the test, `teardown()`, `handle_summary`) ends early, and the run still runs `teardown()`,
//! prints its summary, writes its files and exits 105. A second signal stops the process at once
//! with exit 105; files are written whole or not at all (see `output`), so nothing written so far
//! is left half-done.
//!
//! The signals are watched on a thread of their own, with its own small runtime: a scheduler
//! thread that is busy (a VU's CPU loop in `setup()`) or stuck cannot delay either signal.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::Notify;

use super::exit;

/// The run's signal state, shared by every phase that can be stopped.
#[derive(Default)]
pub struct Signals {
    received: AtomicU32,
    first: Notify,
}

impl Signals {
    /// Starts watching SIGINT and SIGTERM for the rest of the process (once; later calls return
    /// the same watcher). Before this is called, a signal ends the process as the OS does.
    pub fn watch(quiet: bool) -> Arc<Signals> {
        static SIGNALS: OnceLock<Arc<Signals>> = OnceLock::new();
        SIGNALS
            .get_or_init(|| {
                let signals = Arc::new(Signals::default());
                let watcher = signals.clone();
                let (ready_tx, ready_rx) = std::sync::mpsc::channel();
                std::thread::Builder::new()
                    .name("rload-signals".into())
                    .spawn(move || {
                        let rt =
                            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("signal runtime");
                        rt.block_on(async move {
                            let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
                            let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
                            let _ = ready_tx.send(());
                            loop {
                                tokio::select! {
                                    _ = int.recv() => {}
                                    _ = term.recv() => {}
                                }
                                watcher.received(quiet);
                            }
                        })
                    })
                    .expect("start the signal thread");
                // Handlers are installed once the thread says so: a signal right after this call
                // is already the run's, not the OS's default.
                let _ = ready_rx.recv();
                signals
            })
            .clone()
    }

    fn received(&self, quiet: bool) {
        if self.received.fetch_add(1, Ordering::SeqCst) == 0 {
            if !quiet {
                crate::stdio::errln("\nstopping: interrupted by signal (a second signal stops at once)");
            }
            self.first.notify_waiters();
        } else {
            crate::stdio::errln("\nstopping at once: second signal");
            std::process::exit(exit::SIGNAL);
        }
    }

    /// True once the first signal has come.
    pub fn stopping(&self) -> bool {
        self.received.load(Ordering::SeqCst) > 0
    }

    /// Completes when the first signal has come (at once if it already has).
    pub async fn stopped(&self) {
        let notified = self.first.notified();
        if self.stopping() {
            return;
        }
        notified.await;
    }
}
