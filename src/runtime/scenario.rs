//! A scenario while it runs: when its VUs may start iterations, and when they must stop.
//!
//! The executor configs and their pure plans live in [`crate::executor`]; this is the runner
//! side, shared (`Arc`) by the scheduler and every worker thread. A VU asks
//! [`ScenarioRuntime::next_iteration`] before each iteration and gets a [`Permit`] or `None`
//! (its part of the scenario is over):
//!
//! - shared-iterations / per-vu-iterations: a shared counter / the VU's own count;
//! - constant-vus / ramping-vus: VU number k runs while k is below the planned VU count; when
//!   the plan drops below k, its running iteration gets `gracefulRampDown` before it is
//!   interrupted (the permit's deadline), and it waits until the plan needs it again;
//! - arrival-rate executors: the scheduler hands out tokens at the planned start times
//!   ([`ScenarioRuntime::offer`]); a token no idle VU can take is a dropped iteration.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::executor::{ExecutorConfig, ScenarioConfig};

/// Leave to start one iteration.
#[derive(Debug, Clone, Copy)]
pub struct Permit {
    /// When the plan meant this iteration to start (arrival-rate executors).
    pub scheduled: Option<Instant>,
    /// When a still-running iteration must be interrupted (ramp-down), if before the scenario's end.
    pub deadline: Option<Instant>,
    /// The iteration's 0-based number among all the scenario's iterations
    /// (`exec.scenario.iterationInTest`), unique across VUs and threads.
    pub index: u64,
}

/// What happened when the scheduler offered an arrival-rate iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    Taken,
    /// No VU was free: the iteration is dropped.
    Dropped,
}

#[derive(Default)]
struct Arrivals {
    tokens: VecDeque<Instant>,
    idle: u64,
}

pub struct ScenarioRuntime {
    pub config: ScenarioConfig,
    /// Raw execution steps of looping executors: (offset, planned VUs), sorted by offset.
    steps: Vec<(Duration, u64)>,
    started_at: OnceLock<Instant>,
    start: Notify,
    stopping: AtomicBool,
    hard_stop: AtomicBool,
    hard_notify: Notify,
    shared_left: AtomicI64,
    arrivals: Mutex<Arrivals>,
    arrival_notify: Notify,
    /// Iterations started so far (k6's `exec.scenario.iterationInTest` counter).
    pub iterations_started: AtomicU64,
    /// VUs currently active (looping executors) or running an iteration (arrival-rate).
    pub active: AtomicI64,
    /// VUs this scenario has been given so far.
    pub allocated: AtomicU64,
    /// VUs whose part of the scenario is over.
    pub finished: AtomicU64,
    pub finished_notify: Notify,
    pub dropped: AtomicU64,
    /// Iterations that ran to their end (with or without a script error).
    pub completed: AtomicU64,
    /// Iterations cut short by a stop (k6's `iterationsInterrupted`).
    pub interrupted: AtomicU64,
}

impl ScenarioRuntime {
    pub fn new(config: ScenarioConfig) -> Self {
        let steps = match &config.executor {
            ExecutorConfig::ConstantVus(c) => vec![(Duration::ZERO, c.vus)],
            ExecutorConfig::RampingVus(c) => c.steps(),
            _ => Vec::new(),
        };
        let shared = match &config.executor {
            ExecutorConfig::SharedIterations(c) => c.iterations as i64,
            _ => 0,
        };
        ScenarioRuntime {
            config,
            steps,
            started_at: OnceLock::new(),
            start: Notify::new(),
            stopping: AtomicBool::new(false),
            hard_stop: AtomicBool::new(false),
            hard_notify: Notify::new(),
            shared_left: AtomicI64::new(shared),
            arrivals: Mutex::new(Arrivals::default()),
            arrival_notify: Notify::new(),
            iterations_started: AtomicU64::new(0),
            active: AtomicI64::new(0),
            allocated: AtomicU64::new(0),
            finished: AtomicU64::new(0),
            finished_notify: Notify::new(),
            dropped: AtomicU64::new(0),
            completed: AtomicU64::new(0),
            interrupted: AtomicU64::new(0),
        }
    }

    pub fn name(&self) -> &str {
        &self.config.name
    }

    pub fn is_arrival_rate(&self) -> bool {
        matches!(self.config.executor, ExecutorConfig::ConstantArrivalRate(_) | ExecutorConfig::RampingArrivalRate(_))
    }

    pub fn is_looping(&self) -> bool {
        !self.steps.is_empty()
    }

    /// Starts the scenario's clock and releases its waiting VUs.
    pub fn start(&self) {
        let _ = self.started_at.set(Instant::now());
        self.start.notify_waiters();
    }

    pub fn started_at(&self) -> Option<Instant> {
        self.started_at.get().copied()
    }

    pub async fn wait_for_start(&self) -> Instant {
        loop {
            let notified = self.start.notified();
            if let Some(t) = self.started_at() {
                return t;
            }
            notified.await;
        }
    }

    /// No new iterations from now on.
    pub fn stop_gracefully(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.arrival_notify.notify_waiters();
        self.start.notify_waiters();
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

    /// A VU's part is over.
    pub fn vu_finished(&self) {
        self.finished.fetch_add(1, Ordering::SeqCst);
        self.finished_notify.notify_waiters();
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

    /// The `vus` metric's share of this scenario: planned VUs for looping executors, VUs busy
    /// in an iteration for arrival-rate ones, VUs not yet finished otherwise.
    pub fn current_vus(&self) -> u64 {
        let Some(start) = self.started_at() else { return 0 };
        let alive = self.allocated.load(Ordering::Relaxed).saturating_sub(self.finished.load(Ordering::Relaxed));
        if self.is_arrival_rate() {
            return self.active.load(Ordering::Relaxed).max(0) as u64;
        }
        if self.is_looping() && !self.is_stopping() {
            let t = start.elapsed();
            let i = self.steps.partition_point(|(offset, _)| *offset <= t);
            let planned = if i == 0 { 0 } else { self.steps[i - 1].1 };
            return planned.min(alive);
        }
        alive
    }

    /// Progress in [0, 1] as k6's `exec.scenario.progress`.
    pub fn progress(&self) -> f64 {
        match (&self.config.executor, self.started_at()) {
            (_, None) => 0.0,
            (ExecutorConfig::SharedIterations(c), _) if c.iterations > 0 => {
                (self.iterations_started.load(Ordering::Relaxed) as f64 / c.iterations as f64).min(1.0)
            }
            (_, Some(t)) => {
                let total = self.config.max_duration().as_secs_f64();
                if total == 0.0 {
                    1.0
                } else {
                    (t.elapsed().as_secs_f64() / total).min(1.0)
                }
            }
        }
    }

    /// Leave for the next iteration of VU number `vu_index` (0-based in this scenario) that
    /// has run `vu_iteration` iterations so far; `None` when its part is over.
    pub async fn next_iteration(&self, vu_index: u64, vu_iteration: u64) -> Option<Permit> {
        if self.is_arrival_rate() {
            // Idle VUs queue for tokens before the start, so the iteration due at t=0 finds them.
            let mut permit = self.next_token().await;
            if let Some(p) = permit.as_mut() {
                p.index = self.iterations_started.fetch_add(1, Ordering::Relaxed);
            }
            return permit;
        }
        let start = self.wait_for_start().await;
        let end = start + self.config.max_duration();
        let mut permit = match &self.config.executor {
            ExecutorConfig::SharedIterations(_) => {
                self.open(end)?;
                (self.shared_left.fetch_sub(1, Ordering::Relaxed) > 0).then_some(Permit {
                    scheduled: None,
                    deadline: None,
                    index: 0,
                })
            }
            ExecutorConfig::PerVuIterations(c) => {
                self.open(end)?;
                (vu_iteration < c.iterations).then_some(Permit { scheduled: None, deadline: None, index: 0 })
            }
            ExecutorConfig::ConstantVus(_) | ExecutorConfig::RampingVus(_) => {
                self.next_looping(vu_index, start, end).await
            }
            ExecutorConfig::ConstantArrivalRate(_) | ExecutorConfig::RampingArrivalRate(_) => {
                unreachable!("arrival-rate VUs take tokens above")
            }
        };
        if let Some(p) = permit.as_mut() {
            p.index = self.iterations_started.fetch_add(1, Ordering::Relaxed);
        }
        permit
    }

    /// `Some(())` while new iterations may start.
    fn open(&self, end: Instant) -> Option<()> {
        (!self.is_stopping() && Instant::now() < end).then_some(())
    }

    fn graceful_ramp_down(&self) -> Duration {
        match &self.config.executor {
            ExecutorConfig::RampingVus(c) => c.graceful_ramp_down,
            _ => Duration::ZERO,
        }
    }

    async fn next_looping(&self, k: u64, start: Instant, end: Instant) -> Option<Permit> {
        loop {
            self.open(end)?;
            let t = start.elapsed();
            let i = self.steps.partition_point(|(offset, _)| *offset <= t);
            let planned = if i == 0 { 0 } else { self.steps[i - 1].1 };
            if k < planned {
                // Interrupted when the plan first drops to k or fewer VUs (plus gracefulRampDown).
                let deadline = self.steps[i..]
                    .iter()
                    .find(|(_, vus)| *vus <= k)
                    .map(|(offset, _)| start + *offset + self.graceful_ramp_down())
                    .filter(|d| *d < end);
                return Some(Permit { scheduled: None, deadline, index: 0 });
            }
            // Wait until the plan needs this VU again, or the scenario ends.
            let wake = self.steps[i..].iter().find(|(_, vus)| *vus > k).map_or(end, |(offset, _)| start + *offset);
            let notified = self.start.notified();
            tokio::select! {
                _ = tokio::time::sleep_until(wake.into()) => {}
                _ = notified => {}
            }
        }
    }

    /// VUs waiting for an arrival-rate token right now.
    pub fn idle_vus(&self) -> u64 {
        self.arrivals.lock().unwrap().idle
    }

    async fn next_token(&self) -> Option<Permit> {
        loop {
            let notified = self.arrival_notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut a = self.arrivals.lock().unwrap();
                if let Some(scheduled) = a.tokens.pop_front() {
                    return Some(Permit { scheduled: Some(scheduled), deadline: None, index: 0 });
                }
                let over = self.started_at().is_some_and(|t| t.elapsed() >= self.config.max_duration());
                if self.is_stopping() || over {
                    return None;
                }
                a.idle += 1;
            }
            notified.await;
            self.arrivals.lock().unwrap().idle -= 1;
        }
    }

    /// Offers the iteration planned for `scheduled` to an idle VU (arrival-rate executors).
    pub fn offer(&self, scheduled: Instant) -> Offer {
        let mut a = self.arrivals.lock().unwrap();
        if a.idle as usize > a.tokens.len() {
            a.tokens.push_back(scheduled);
            drop(a);
            self.arrival_notify.notify_one();
            Offer::Taken
        } else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            Offer::Dropped
        }
    }

    /// Planned start offsets of the arrival-rate executors, in order.
    pub fn arrival_starts(&self) -> Box<dyn Iterator<Item = Duration> + '_> {
        match &self.config.executor {
            ExecutorConfig::ConstantArrivalRate(c) => {
                let c = c.clone();
                Box::new((0..).map_while(move |i| c.nth_start(i)))
            }
            ExecutorConfig::RampingArrivalRate(c) => Box::new(c.starts()),
            _ => Box::new(std::iter::empty()),
        }
    }
}
