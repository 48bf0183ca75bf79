//! The run side every executor shares: the [`Runner`] trait, the [`ScenarioState`] all runners
//! read, and what a VU gets when it may start an iteration ([`Permit`]).
//!
//! A scenario's runtime (`runtime/scenario.rs`) is one `ScenarioState` (start, graceful and hard
//! stop, VU and iteration counts: the same for every executor) plus one boxed `Runner`, built by
//! the executor's config for an execution segment, which holds only its own kind's state (a
//! shared counter, a VU plan, a queue of arrival tokens). Time is tokio's clock, so a test can
//! drive a runner with a paused clock.
//!
//! What this module is not: it starts no VU and no thread. The scheduler hands a runner a
//! [`VuPool`] when the runner may need more VUs (arrival-rate executors), and the VUs call
//! [`Runner::next_iteration`] themselves.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// A future a runner returns; VUs and the scheduler await it on their own thread.
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Leave to start one iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permit {
    /// When the plan meant this iteration to start (arrival-rate executors).
    pub scheduled: Option<Instant>,
    /// When a still-running iteration must be interrupted (ramp-down), if before the scenario's end.
    pub deadline: Option<Instant>,
    /// The iteration's 0-based number among all the scenario's iterations
    /// (`exec.scenario.iterationInTest`), unique across VUs and threads; set by the caller.
    pub index: u64,
}

impl Permit {
    /// An iteration that may run until the scenario's hard stop.
    pub const NOW: Permit = Permit { scheduled: None, deadline: None, index: 0 };
}

/// What happened when the scheduler offered an arrival-rate iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    Taken,
    /// No VU was free: the iteration is dropped.
    Dropped,
}

/// Where an arrival-rate runner gets more VUs mid-test: the scheduler's side.
pub trait VuPool {
    /// Starts initialising VU number `index` of this scenario (0-based); it asks the runner
    /// for iterations once its init code has run.
    fn start_vu(&self, index: u64);

    /// Waits until `at`. Real runs wait more precisely than tokio's 1 ms timer (see
    /// `runtime/schedule.rs`); tests use tokio's paused clock.
    fn wait_until(&self, at: Instant) -> LocalFuture<'_, ()>;

    /// An iteration was dropped with `allocated` VUs, all this scenario may have (`maxVUs`);
    /// called once per scenario, for k6's "insufficient VUs" warning.
    fn insufficient_vus(&self, allocated: u64);
}

/// One executor's run side, built by its config for an execution segment.
pub trait Runner: Send + Sync {
    /// Leave for the next iteration of VU number `vu` (0-based in this scenario) that has run
    /// `vu_iteration` iterations so far; `None` when its part of the scenario is over.
    fn next_iteration<'a>(
        &'a self,
        state: &'a ScenarioState,
        vu: u64,
        vu_iteration: u64,
    ) -> LocalFuture<'a, Option<Permit>>;

    /// Whether a VU's first [`Runner::next_iteration`] waits for the scenario's start, so the
    /// VU may wait for it elsewhere first (on its thread's relay, `runtime/relay.rs`). Not the
    /// arrival-rate runners', whose VUs queue up for tokens before the start.
    fn waits_for_start(&self) -> bool {
        true
    }

    /// Before the start: arrival-rate runners let the pre-allocated VUs queue up first, so
    /// the iteration due at t=0 finds them.
    fn prepare<'a>(&'a self, _state: &'a ScenarioState) -> LocalFuture<'a, ()> {
        Box::pin(async {})
    }

    /// From the start to the end of the plan (`gracefulStop` follows): by default, until the
    /// regular duration is over or every VU has finished its part.
    fn schedule<'a>(&'a self, state: &'a ScenarioState, _pool: &'a dyn VuPool) -> LocalFuture<'a, ()> {
        Box::pin(async move {
            let end = state.end();
            tokio::select! {
                _ = tokio::time::sleep_until(end) => {}
                _ = state.all_vus_finished() => {}
            }
        })
    }

    /// No new iterations from now on: wake whatever VUs wait on this runner.
    fn on_stop(&self) {}

    /// The iterations the plan holds, for executors that plan a number (shared-iterations,
    /// per-vu-iterations): those not started when the scenario ends are dropped.
    fn planned_iterations(&self) -> Option<u64> {
        None
    }

    /// The `vus` metric's share of this scenario once it started: by default the VUs that
    /// have not finished their part.
    fn current_vus(&self, state: &ScenarioState) -> u64 {
        state.alive_vus()
    }

    /// `exec.scenario.progress` in [0, 1]: by default the share of the regular duration spent.
    fn progress(&self, state: &ScenarioState) -> f64 {
        time_progress(state)
    }
}

/// k6's progress of an executor that plans `total` iterations (shared-iterations,
/// per-vu-iterations): the share of them that have ended (interrupted or not; one running
/// counts once it ends), and 1 once `maxDuration` has passed. So `exec.scenario.progress` is 0
/// in the first iteration, as in k6.
pub fn iterations_progress(state: &ScenarioState, total: u64) -> f64 {
    if state.started_at().is_none() || total == 0 || time_progress(state) >= 1.0 {
        return time_progress(state);
    }
    let ended = state.completed.load(Ordering::Relaxed) + state.interrupted.load(Ordering::Relaxed);
    (ended as f64 / total as f64).min(1.0)
}

/// The share of the regular duration spent, in [0, 1]; 0 before the start.
pub fn time_progress(state: &ScenarioState) -> f64 {
    let Some(t) = state.started_at() else { return 0.0 };
    let total = state.max_duration.as_secs_f64();
    if total == 0.0 {
        1.0
    } else {
        (t.elapsed().as_secs_f64() / total).min(1.0)
    }
}

/// What every executor's run shares: its start, its stops and its counts. Shared (`Arc`, via
/// the scenario runtime) by the scheduler and every worker thread.
/// Records `n` dropped iterations.
struct DropSink(Box<dyn Fn(u64) + Send + Sync>);

impl std::fmt::Debug for DropSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DropSink")
    }
}

#[derive(Debug)]
pub struct ScenarioState {
    /// The regular duration: no iteration starts after `start + max_duration`.
    max_duration: Duration,
    started_at: OnceLock<Instant>,
    /// Notified at the start and at the graceful stop.
    changed: Notify,
    stopping: AtomicBool,
    hard_stop: AtomicBool,
    hard_notify: Notify,
    /// Iterations started so far (k6's `exec.scenario.iterationInTest` counter).
    pub iterations_started: AtomicU64,
    /// VUs currently running an iteration.
    pub active: AtomicI64,
    /// VUs this scenario has been given so far.
    pub allocated: AtomicU64,
    /// VUs whose part of the scenario is over.
    pub finished: AtomicU64,
    pub finished_notify: Notify,
    /// Iterations that will not run (k6's `dropped_iterations`), counted by
    /// [`ScenarioState::drop_iterations`].
    pub dropped: AtomicU64,
    drop_sink: OnceLock<DropSink>,
    /// Iterations that ran to their end (with or without a script error).
    pub completed: AtomicU64,
    /// Iterations cut short by a stop (k6's `iterationsInterrupted`).
    pub interrupted: AtomicU64,
}

impl ScenarioState {
    pub fn new(max_duration: Duration) -> ScenarioState {
        ScenarioState {
            max_duration,
            started_at: OnceLock::new(),
            changed: Notify::new(),
            stopping: AtomicBool::new(false),
            hard_stop: AtomicBool::new(false),
            hard_notify: Notify::new(),
            iterations_started: AtomicU64::new(0),
            active: AtomicI64::new(0),
            allocated: AtomicU64::new(0),
            finished: AtomicU64::new(0),
            finished_notify: Notify::new(),
            dropped: AtomicU64::new(0),
            drop_sink: OnceLock::new(),
            completed: AtomicU64::new(0),
            interrupted: AtomicU64::new(0),
        }
    }

    /// Where [`ScenarioState::drop_iterations`] records its samples (the runtime sets it, with
    /// the scenario's tags), once.
    pub fn set_drop_sink(&self, record: impl Fn(u64) + Send + Sync + 'static) {
        let _ = self.drop_sink.set(DropSink(Box::new(record)));
    }

    /// `n` iterations that will not run: counted, and recorded as they are dropped, as k6
    /// emits its `dropped_iterations` samples (so a threshold on them can abort the test).
    pub fn drop_iterations(&self, n: u64) {
        self.dropped.fetch_add(n, Ordering::Relaxed);
        if let Some(DropSink(record)) = self.drop_sink.get() {
            record(n);
        }
    }

    /// Starts the scenario's clock and releases its waiting VUs.
    pub fn start(&self) {
        let _ = self.started_at.set(Instant::now());
        self.changed.notify_waiters();
    }

    pub fn started_at(&self) -> Option<Instant> {
        self.started_at.get().copied()
    }

    /// The end of the regular duration (the start must have happened).
    pub fn end(&self) -> Instant {
        self.started_at().expect("the scenario started") + self.max_duration
    }

    pub async fn wait_for_start(&self) -> Instant {
        loop {
            let notified = self.changed.notified();
            if let Some(t) = self.started_at() {
                return t;
            }
            notified.await;
        }
    }

    /// Completes at the start or the graceful stop, whichever comes next; create it before
    /// checking the state it waits for, so no wake-up is lost.
    pub fn changed(&self) -> tokio::sync::futures::Notified<'_> {
        self.changed.notified()
    }

    /// No new iterations from now on.
    pub fn stop_gracefully(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    /// Interrupt this scenario's running iterations.
    pub fn stop_hard(&self) {
        self.stop_gracefully();
        self.hard_stop.store(true, Ordering::SeqCst);
        self.hard_notify.notify_waiters();
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    pub fn is_hard_stopped(&self) -> bool {
        self.hard_stop.load(Ordering::Relaxed)
    }

    pub async fn hard_stopped(&self) {
        let notified = self.hard_notify.notified();
        if self.is_hard_stopped() {
            return;
        }
        notified.await;
    }

    /// `Some(())` while new iterations may start: not stopping and before `end`.
    pub fn open(&self, end: Instant) -> Option<()> {
        (!self.is_stopping() && Instant::now() < end).then_some(())
    }

    /// A VU's part is over.
    pub fn vu_finished(&self) {
        self.finished.fetch_add(1, Ordering::SeqCst);
        self.finished_notify.notify_waiters();
    }

    /// VUs given to this scenario that have not finished their part.
    pub fn alive_vus(&self) -> u64 {
        self.allocated.load(Ordering::Relaxed).saturating_sub(self.finished.load(Ordering::Relaxed))
    }

    /// Completes when every allocated VU has finished.
    pub async fn all_vus_finished(&self) {
        loop {
            let notified = self.finished_notify.notified();
            if self.finished.load(Ordering::SeqCst) >= self.allocated.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}
