//! Scheduling during the test: each scenario's timeline (start at `startTime`, hand out
//! arrival-rate iterations, graceful then hard stop), the `vus` samples, `abortOnFail`
//! thresholds, VU initialisation and signals. The run's order of phases is in `run.rs`.

use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::control::Control;
use super::scenario::{Offer, ScenarioRuntime};
use super::worker::WorkerSet;
use crate::metrics::{self, builtin, TagSet};

/// How often thresholds with `abortOnFail` are evaluated during the run.
const ABORT_EVAL_INTERVAL: Duration = Duration::from_millis(250);

/// Runs one scenario's schedule: start at `startTime`, hand out arrival-rate iterations, stop
/// gracefully at the end of the plan, then hard after `gracefulStop`.
pub async fn run_scenario(
    s: Arc<ScenarioRuntime>,
    test_start: Instant,
    workers: Rc<WorkerSet>,
    ids: Rc<std::cell::Cell<u64>>,
) {
    tokio::time::sleep_until((test_start + s.config.start_time).into()).await;
    if s.is_arrival_rate() {
        // Let the pre-allocated VUs queue up first (they do within microseconds of their init).
        let ready = async {
            while s.idle_vus() < s.config.pre_allocated_vus() {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), ready).await;
    }
    s.start();
    let start = s.started_at().expect("just started");
    let end = start + s.config.max_duration();
    if s.is_arrival_rate() {
        let max_vus = s.config.max_vus();
        let mut warned = false;
        let scheduler = async {
            for offset in s.arrival_starts() {
                let at = start + offset;
                wait_until(at).await;
                if s.is_stopping() {
                    break;
                }
                if s.offer(at) == Offer::Dropped {
                    let allocated = s.allocated.load(Ordering::Relaxed);
                    if allocated < max_vus {
                        let id = ids.get();
                        ids.set(id + 1);
                        workers.start_vu(id, &s, allocated);
                    } else if !warned {
                        warned = true;
                        eprintln!(
                            "WARN scenario \"{}\": insufficient VUs, reached {allocated} active VUs and cannot initialize more",
                            s.name()
                        );
                    }
                }
            }
        };
        tokio::select! {
            _ = scheduler => {}
            _ = s.hard_stopped() => {}
        }
        if Instant::now() < end {
            tokio::select! {
                _ = tokio::time::sleep_until(end.into()) => {}
                _ = s.hard_stopped() => {}
            }
        }
    } else {
        tokio::select! {
            _ = tokio::time::sleep_until(end.into()) => {}
            _ = s.all_vus_finished() => {}
            _ = s.hard_stopped() => {}
        }
    }
    s.stop_gracefully();
    let hard_at = start + s.config.end_offset().max(s.config.max_duration());
    tokio::select! {
        _ = s.all_vus_finished() => {}
        _ = tokio::time::sleep_until(hard_at.max(Instant::now()).into()) => {}
    }
    s.stop_hard();
    s.all_vus_finished().await;
}

/// How far ahead of an arrival the scheduler leaves tokio's timer (which rounds deadlines up
/// to its 1 ms tick, so it wakes up to 1 ms late) for a precise OS sleep.
const PRECISE_WAIT: Duration = Duration::from_millis(1);

/// Waits until `at`, to within the OS timer's precision (tens of µs) rather than tokio's
/// millisecond: the timer until [`PRECISE_WAIT`] before, then a thread sleep for the rest.
/// That blocks the scheduler thread for under [`PRECISE_WAIT`], so its other tasks (other
/// scenarios' arrivals, the 1 s `vus` samples, stop signals) can be that much late, as they
/// could be with the timer alone; it always yields once, so back-to-back arrivals cannot
/// starve them.
async fn wait_until(at: Instant) {
    if let Some(coarse) = at.checked_sub(PRECISE_WAIT) {
        if coarse > Instant::now() {
            tokio::time::sleep_until(coarse.into()).await;
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
            .fold((0u64, 0u64), |(v, m), s| (v + s.current_vus(), m + s.allocated.load(Ordering::Relaxed)));
        metrics::record(builtin::VUS, &tags, vus as f64);
        metrics::record(builtin::VUS_MAX, &tags, max as f64);
        metrics::flush();
        let secs = started.elapsed().as_secs();
        if quiet || secs == 0 || (!tty && !secs.is_multiple_of(10)) {
            continue;
        }
        let complete: u64 = runtimes.iter().map(|s| s.completed.load(Ordering::Relaxed)).sum();
        let interrupted: u64 = runtimes.iter().map(|s| s.interrupted.load(Ordering::Relaxed)).sum();
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
pub async fn watch_thresholds(set: &[crate::thresholds::MetricThresholds], control: &Control, test_start: Instant) {
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
