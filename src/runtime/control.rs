//! The run's shared control state: when VUs may start iterations, and when they must stop.
//!
//! One `Control` exists per test run and is shared (`Arc`) by the scheduler and every worker
//! thread. VUs ask it before each iteration ([`Control::next_iteration`]); the scheduler flips
//! it from running to graceful stop (no new iterations) to hard stop (interrupt what still runs).
//! The iteration plans themselves (constant VUs, shared iterations, ...) are pure data here.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// How iterations are handed out (k6's executors of the same names).
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// `vus` VUs loop for `duration`.
    ConstantVus { vus: u64, duration: Duration },
    /// `vus` VUs share `iterations`; stop after `max_duration` regardless.
    SharedIterations { vus: u64, iterations: u64, max_duration: Duration },
    /// Each of `vus` VUs runs `iterations`; stop after `max_duration` regardless.
    PerVuIterations { vus: u64, iterations: u64, max_duration: Duration },
}

impl Plan {
    pub fn executor_name(&self) -> &'static str {
        match self {
            Plan::ConstantVus { .. } => "constant-vus",
            Plan::SharedIterations { .. } => "shared-iterations",
            Plan::PerVuIterations { .. } => "per-vu-iterations",
        }
    }

    pub fn vus(&self) -> u64 {
        match self {
            Plan::ConstantVus { vus, .. } | Plan::SharedIterations { vus, .. } | Plan::PerVuIterations { vus, .. } => {
                *vus
            }
        }
    }

    /// The longest the plan may run before its graceful stop begins.
    pub fn max_duration(&self) -> Duration {
        match self {
            Plan::ConstantVus { duration, .. } => *duration,
            Plan::SharedIterations { max_duration, .. } | Plan::PerVuIterations { max_duration, .. } => *max_duration,
        }
    }
}

/// Shared run state; see the module doc.
pub struct Control {
    pub plan: Plan,
    pub graceful_stop: Duration,
    started_at: Mutex<Option<Instant>>,
    start: Notify,
    started: AtomicBool,
    shared_left: AtomicI64,
    stopping: AtomicBool,
    hard_stop: AtomicBool,
    hard_stop_notify: Notify,
    /// VUs currently inside an iteration or waiting to start one.
    pub active_vus: AtomicU64,
    /// VUs whose init code has finished.
    pub initialized_vus: AtomicU64,
    pub init_done: Notify,
    /// Iterations cut short by the hard stop.
    pub interrupted_iterations: AtomicU64,
    /// Iterations that ended with a script error.
    pub failed_iterations: AtomicU64,
}

impl Control {
    pub fn new(plan: Plan, graceful_stop: Duration) -> Self {
        let shared = match plan {
            Plan::SharedIterations { iterations, .. } => iterations as i64,
            _ => 0,
        };
        Control {
            plan,
            graceful_stop,
            started_at: Mutex::new(None),
            start: Notify::new(),
            started: AtomicBool::new(false),
            shared_left: AtomicI64::new(shared),
            stopping: AtomicBool::new(false),
            hard_stop: AtomicBool::new(false),
            hard_stop_notify: Notify::new(),
            active_vus: AtomicU64::new(0),
            initialized_vus: AtomicU64::new(0),
            init_done: Notify::new(),
            interrupted_iterations: AtomicU64::new(0),
            failed_iterations: AtomicU64::new(0),
        }
    }

    /// Starts the clock and releases every VU waiting in [`Control::wait_for_start`].
    pub fn start(&self) {
        *self.started_at.lock().unwrap() = Some(Instant::now());
        self.started.store(true, Ordering::SeqCst);
        self.start.notify_waiters();
    }

    pub fn started_at(&self) -> Option<Instant> {
        *self.started_at.lock().unwrap()
    }

    pub async fn wait_for_start(&self) {
        let notified = self.start.notified();
        if self.started.load(Ordering::SeqCst) {
            return;
        }
        notified.await;
    }

    /// May this VU start its iteration number `vu_iteration` (0-based, per VU)?
    pub fn next_iteration(&self, vu_iteration: u64) -> bool {
        if self.stopping.load(Ordering::Relaxed) {
            return false;
        }
        let elapsed = self.started_at().map(|t| t.elapsed()).unwrap_or_default();
        if elapsed >= self.plan.max_duration() {
            return false;
        }
        match self.plan {
            Plan::ConstantVus { .. } => true,
            Plan::SharedIterations { .. } => self.shared_left.fetch_sub(1, Ordering::Relaxed) > 0,
            Plan::PerVuIterations { iterations, .. } => vu_iteration < iterations,
        }
    }

    /// No new iterations from now on; running ones may finish.
    pub fn stop_gracefully(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// Interrupt everything still running.
    pub fn stop_hard(&self) {
        self.stopping.store(true, Ordering::SeqCst);
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_iterations_hand_out_exactly_n() {
        let c = Control::new(
            Plan::SharedIterations { vus: 3, iterations: 10, max_duration: Duration::from_secs(60) },
            Duration::ZERO,
        );
        c.start();
        let granted = (0..25).filter(|i| c.next_iteration(*i)).count();
        assert_eq!(granted, 10);
    }

    #[test]
    fn per_vu_iterations_count_per_vu() {
        let c = Control::new(
            Plan::PerVuIterations { vus: 2, iterations: 3, max_duration: Duration::from_secs(60) },
            Duration::ZERO,
        );
        c.start();
        assert!(c.next_iteration(2));
        assert!(!c.next_iteration(3));
    }

    #[test]
    fn graceful_stop_refuses_new_iterations() {
        let c = Control::new(Plan::ConstantVus { vus: 1, duration: Duration::from_secs(60) }, Duration::ZERO);
        c.start();
        assert!(c.next_iteration(0));
        c.stop_gracefully();
        assert!(!c.next_iteration(1));
        assert!(!c.is_hard_stopped());
    }

    #[test]
    fn constant_vus_stop_at_the_deadline() {
        let c = Control::new(Plan::ConstantVus { vus: 1, duration: Duration::ZERO }, Duration::ZERO);
        c.start();
        assert!(!c.next_iteration(0));
    }
}
