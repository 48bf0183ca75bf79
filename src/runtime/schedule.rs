//! Scheduling during the test: each scenario's timeline (start at `startTime`, its runner's
//! plan, graceful then hard stop), the `vus` samples, `abortOnFail` thresholds, VU
//! initialisation and signals. What each executor does between its start and its end is its
//! runner's (`crate::executor`); the run's order of phases is in `run.rs`. Scenario time is
//! tokio's clock, so the tests below run it paused.

use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::control::Control;
use super::scenario::ScenarioRuntime;
use super::worker::WorkerSet;
use crate::executor::runner::{LocalFuture, VuPool};
use crate::metrics::{self, builtin, TagSet};

/// How often thresholds with `abortOnFail` are evaluated during the run.
const ABORT_EVAL_INTERVAL: Duration = Duration::from_millis(250);

/// Runs one scenario's schedule: start at `startTime`, let its runner plan (arrival-rate
/// runners hand out iterations and ask for more VUs here), stop gracefully at the end of the
/// plan, then hard at its end offset (after `gracefulStop`, or earlier when a `ramping-vus`
/// scenario's VUs all ramped down before).
pub async fn run_scenario(
    s: Arc<ScenarioRuntime>,
    test_start: std::time::Instant,
    workers: Rc<WorkerSet>,
    ids: Rc<std::cell::Cell<u64>>,
) {
    let pool = WorkerPool { scenario: &s, workers: &workers, ids: &ids };
    drive(&s, Instant::from_std(test_start), &pool).await;
}

/// [`run_scenario`] with any VU pool, on tokio's clock (tests pause it).
async fn drive(s: &ScenarioRuntime, test_start: Instant, pool: &dyn VuPool) {
    tokio::time::sleep_until(test_start + s.config.start_time).await;
    s.runner.prepare(&s.state).await;
    s.start();
    let start = s.started_at().expect("just started");
    tokio::select! {
        _ = s.runner.schedule(&s.state, pool) => {}
        _ = s.hard_stopped() => {}
    }
    s.stop_gracefully();
    let hard_at = start + s.hard_stop_offset;
    tokio::select! {
        _ = s.state.all_vus_finished() => {}
        _ = tokio::time::sleep_until(hard_at.max(Instant::now())) => {}
    }
    s.stop_hard();
    s.state.all_vus_finished().await;
}

/// The worker threads as a scenario's source of VUs, with the run's VU ids.
struct WorkerPool<'a> {
    scenario: &'a Arc<ScenarioRuntime>,
    workers: &'a WorkerSet,
    ids: &'a std::cell::Cell<u64>,
}

impl VuPool for WorkerPool<'_> {
    fn start_vu(&self, index: u64) {
        let id = self.ids.get();
        self.ids.set(id + 1);
        self.workers.start_vu(id, self.scenario, index);
    }

    fn wait_until(&self, at: Instant) -> LocalFuture<'_, ()> {
        Box::pin(wait_until(at))
    }

    fn insufficient_vus(&self, allocated: u64) {
        eprintln!(
            "WARN scenario \"{}\": insufficient VUs, reached {allocated} active VUs and cannot initialize more",
            self.scenario.name()
        );
    }
}

/// How far ahead of an arrival the scheduler leaves tokio's timer (which rounds deadlines up
/// to its 1 ms tick, so it wakes up to 1 ms late) for a precise OS sleep.
const PRECISE_WAIT: Duration = Duration::from_millis(1);

/// Waits until `at`, to within the OS timer's precision (tens of µs) rather than tokio's
/// millisecond: the timer until [`PRECISE_WAIT`] before, then a thread sleep for the rest.
/// That blocks the scheduler thread for under [`PRECISE_WAIT`], so its other tasks (other
/// scenarios' arrivals, the 1 s `vus` samples, stop signals) can be that much late, as they
/// could be with the timer alone; it always yields once, so back-to-back arrivals cannot
/// starve them. Real runs only: under a paused clock the thread sleep would not advance
/// tokio's time, so tests give the runner a pool that waits on the timer alone.
async fn wait_until(at: Instant) {
    if let Some(coarse) = at.checked_sub(PRECISE_WAIT) {
        if coarse > Instant::now() {
            tokio::time::sleep_until(coarse).await;
        }
    }
    let now = Instant::now();
    if at > now {
        std::thread::sleep(at - now);
    }
    tokio::task::yield_now().await;
}

/// Records `vus` and `vus_max` once a second and, unless `quiet`, prints k6's progress line
/// to stderr (rewritten in place on a terminal, every 10 s otherwise). Never returns.
pub async fn sample_vus(runtimes: &[Arc<ScenarioRuntime>], quiet: bool) {
    let tags = TagSet::new();
    let started = Instant::now();
    let tty = super::report::is_tty(2);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let (vus, max) = runtimes
            .iter()
            .fold((0u64, 0u64), |(v, m), s| (v + s.current_vus(), m + s.state.allocated.load(Ordering::Relaxed)));
        metrics::record(builtin::VUS, &tags, vus as f64);
        metrics::record(builtin::VUS_MAX, &tags, max as f64);
        metrics::flush();
        let secs = started.elapsed().as_secs();
        if quiet || secs == 0 || (!tty && !secs.is_multiple_of(10)) {
            continue;
        }
        let complete: u64 = runtimes.iter().map(|s| s.state.completed.load(Ordering::Relaxed)).sum();
        let interrupted: u64 = runtimes.iter().map(|s| s.state.interrupted.load(Ordering::Relaxed)).sum();
        let line = format!(
            "running ({:02}m{:02}.0s), {vus}/{max} VUs, {complete} complete and {interrupted} interrupted iterations",
            secs / 60,
            secs % 60
        );
        if tty {
            eprint!("\r{line}\x1b[K");
        } else {
            eprintln!("{line}");
        }
    }
}

pub async fn wait_init(control: &Control, vus: u64) {
    loop {
        let notified = control.init_done.notified();
        if control.initialized_vus.load(Ordering::SeqCst) >= vus || control.init_error().is_some() {
            return;
        }
        let _ = tokio::time::timeout(Duration::from_millis(50), notified).await;
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// Evaluates thresholds every 2 s (as k6 does) and stops the run when one with `abortOnFail`
/// has failed past its `delayAbortEval`. Never returns otherwise.
pub async fn watch_thresholds(
    set: &[crate::thresholds::MetricThresholds],
    control: &Control,
    test_start: std::time::Instant,
) {
    if !set.iter().any(|m| m.thresholds.iter().any(|t| t.abort_on_fail)) {
        return std::future::pending().await;
    }
    let mut tick = tokio::time::interval(ABORT_EVAL_INTERVAL);
    loop {
        tick.tick().await;
        metrics::flush();
        let elapsed = test_start.elapsed();
        let results = metrics::with_aggregate(|agg| crate::thresholds::evaluate(set, agg, elapsed, false));
        if let Some(r) = results.iter().find(|r| r.aborts(elapsed)) {
            control.abort_on_thresholds(format!(
                "thresholds on metrics '{}' were crossed ('{}' failed) and abortOnFail is set; the test was stopped",
                r.key, r.source
            ));
            return;
        }
    }
}
