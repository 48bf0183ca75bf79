//! Run-wide control state: VU initialisation, the hard stop, and `exec.test.abort()`.
//!
//! One `Control` exists per test run and is shared (`Arc`) by the scheduler and every worker
//! thread. Per-scenario state (start, graceful stop, iteration hand-out) lives in
//! [`super::scenario::ScenarioRuntime`]; this is what the whole run shares.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use tokio::sync::Notify;

#[derive(Default)]
pub struct Control {
    hard_stop: AtomicBool,
    hard_stop_notify: Notify,
    abort: Mutex<Option<String>>,
    thresholds_abort: Mutex<Option<String>>,
    init_error: Mutex<Option<String>>,
    /// VUs whose init code has finished (or failed).
    pub initialized_vus: AtomicU64,
    pub init_done: Notify,
    /// Iterations that ended with a script error.
    pub failed_iterations: AtomicU64,
}

impl Control {
    pub fn new() -> Self {
        Control::default()
    }

    /// Interrupt everything still running, in every scenario.
    pub fn stop_hard(&self) {
        self.hard_stop.store(true, Ordering::SeqCst);
        self.hard_stop_notify.notify_waiters();
    }

    pub fn is_hard_stopped(&self) -> bool {
        self.hard_stop.load(Ordering::Relaxed)
    }

    /// Completes when [`Control::stop_hard`] has been called.
    pub async fn hard_stopped(&self) {
        let notified = self.hard_stop_notify.notified();
        if self.is_hard_stopped() {
            return;
        }
        notified.await;
    }

    /// `exec.test.abort(msg)`: stops the run; the exit code becomes 108.
    pub fn abort(&self, message: String) {
        self.abort.lock().unwrap().get_or_insert(message);
        self.stop_hard();
    }

    /// A threshold with `abortOnFail` failed: stops the run; the exit code becomes 99.
    pub fn abort_on_thresholds(&self, message: String) {
        self.thresholds_abort.lock().unwrap().get_or_insert(message);
        self.stop_hard();
    }

    pub fn thresholds_abort(&self) -> Option<String> {
        self.thresholds_abort.lock().unwrap().clone()
    }

    pub fn abort_message(&self) -> Option<String> {
        self.abort.lock().unwrap().clone()
    }

    /// A VU's init code failed mid-run set-up: the run stops (exit 107, as k6).
    pub fn init_failed(&self, message: String) {
        self.init_error.lock().unwrap().get_or_insert(message);
        self.stop_hard();
    }

    pub fn init_error(&self) -> Option<String> {
        self.init_error.lock().unwrap().clone()
    }

    pub fn vu_initialized(&self) {
        self.initialized_vus.fetch_add(1, Ordering::SeqCst);
        self.init_done.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abort_keeps_the_first_message_and_stops_hard() {
        let c = Control::new();
        c.abort("first".into());
        c.abort("second".into());
        assert_eq!(c.abort_message().as_deref(), Some("first"));
        assert!(c.is_hard_stopped());
    }
}
