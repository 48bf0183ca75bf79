//! Scheduling during the test: each scenario's timeline (start at `startTime`, its runner's
//! plan, graceful then hard stop), the `vus` samples, `abortOnFail` thresholds, VU
//! initialisation and signals. What each executor does between its start and its end is its
//! runner's (`crate::executor`); the run's order of phases is in `run.rs`. Scenario time is
//! tokio's clock, so the tests below run it paused.

use std::convert::Infallible;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::api_surface::RunSurface;
use super::control::Control;
use super::scenario::ScenarioRuntime;
use super::worker::WorkerSet;
use crate::executor::runner::{LocalFuture, VuPool};
use crate::metrics::{self, builtin, TagSet};

/// How often `vus` and `vus_max` are sampled.
const VUS_INTERVAL: Duration = Duration::from_secs(1);

/// How often thresholds are evaluated during the test: k6's `thresholdsRate`, a ticker whose
/// first tick comes one interval after the start (so a threshold sees 2 s of samples before it
/// can abort the run).
const THRESHOLDS_INTERVAL: Duration = Duration::from_secs(2);

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
    // As k6: what a planned number of iterations did not start when the scenario ended (its
    // maxDuration passed) is dropped.
    if let Some(planned) = s.runner.planned_iterations() {
        let started = s.state.iterations_started.load(Ordering::Relaxed);
        if planned > started {
            s.state.drop_iterations(planned - started);
        }
    }
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
        crate::logger::warn(&format!(
            "scenario \"{}\": insufficient VUs, reached {allocated} active VUs and cannot initialize more",
            self.scenario.name()
        ));
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

/// Records `vus` and `vus_max` once a second (the progress shown is `progress.rs`'s), from its
/// first poll: the run polls it through setup(), a pause, the test and teardown(), as k6's
/// scheduler ticks from the start of its run to the end of teardown(), so a setup() or
/// teardown() of a second or more has samples of `vus` 0. Never returns.
pub async fn sample_vus(runtimes: &[Arc<ScenarioRuntime>], run_tags: &[(String, String)]) -> Infallible {
    let mut tags = TagSet::new();
    for (name, value) in run_tags {
        tags.insert(name, value);
    }
    // As k6's scheduler: a ticker, so the first sample comes 1 s into the run (a run shorter
    // than that has none), each carrying the run's tags (`options.tags`, `--tag`). Ticks
    // missed while the run is between phases (it does not poll this then) are skipped, not
    // made up in a burst.
    let mut tick = tokio::time::interval_at(Instant::now() + VUS_INTERVAL, VUS_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let (vus, max) = runtimes.iter().fold((0u64, 0u64), |(v, m), s| (v + s.current_vus(), m + s.vus_max()));
        metrics::record(builtin::VUS, &tags, vus as f64);
        metrics::record(builtin::VUS_MAX, &tags, max as f64);
        metrics::flush();
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

/// Evaluates thresholds every 2 s, as k6 does: the REST API's `tainted` then tells whether one
/// is failing, and the run stops when one with `abortOnFail` has failed past its
/// `delayAbortEval`. A key that matched no sample yet is neither failing nor passing here (k6
/// skips empty sinks until the end). Never returns otherwise.
pub async fn watch_thresholds(
    set: &[crate::thresholds::MetricThresholds],
    control: &Control,
    surface: &RunSurface,
    test_start: std::time::Instant,
) {
    if set.is_empty() {
        return std::future::pending().await;
    }
    let mut tick = tokio::time::interval_at(Instant::from_std(test_start) + THRESHOLDS_INTERVAL, THRESHOLDS_INTERVAL);
    loop {
        // k6's ticker starts before its test clock does (VU init comes between), so at its
        // k-th tick the test has run just under k × 2 s: a `delayAbortEval` of 4s aborts at
        // the 6 s tick, not at 4 s. The tick's own time stands for that.
        let at = tick.tick().await - Instant::from_std(test_start);
        metrics::flush();
        let elapsed = test_start.elapsed();
        let results = metrics::with_aggregate(|agg| crate::thresholds::evaluate(set, agg, elapsed, false));
        let failing = results.iter().filter(|r| !r.passed && r.sampled).map(|r| r.key.clone()).collect();
        surface.set_failing_thresholds(failing);
        if let Some(r) = results.iter().find(|r| r.aborts(at)) {
            control.abort_on_thresholds(format!(
                "thresholds on metrics '{}' were crossed ('{}' failed) and abortOnFail is set; the test was stopped",
                r.key, r.source
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::sync::atomic::Ordering::Relaxed;

    use serde_json::{json, Value};

    use super::*;
    use crate::executor::parse_scenarios;

    /// One iteration as a VU saw it: VU index, start and end (after the scenario start), the
    /// ramp-down deadline it was given, and whether it was interrupted.
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Iteration {
        vu: u64,
        start: Duration,
        end: Duration,
        deadline: Option<Duration>,
        interrupted: bool,
    }

    /// VUs that run `work`-long iterations the way `vu/mod.rs` does: interrupted by the scenario's
    /// hard stop or their permit's deadline.
    struct TestPool {
        s: Arc<ScenarioRuntime>,
        work: Duration,
        log: Rc<RefCell<Vec<Iteration>>>,
        insufficient: RefCell<Vec<u64>>,
        /// How often the scheduler waited for an arrival's instant itself.
        precise_waits: std::cell::Cell<u64>,
    }

    impl VuPool for TestPool {
        fn start_vu(&self, index: u64) {
            self.s.state.allocated.fetch_add(1, Relaxed);
            tokio::task::spawn_local(vu(self.s.clone(), index, self.work, self.log.clone()));
        }

        fn wait_until(&self, at: Instant) -> LocalFuture<'_, ()> {
            self.precise_waits.set(self.precise_waits.get() + 1);
            Box::pin(tokio::time::sleep_until(at))
        }

        fn insufficient_vus(&self, allocated: u64) {
            self.insufficient.borrow_mut().push(allocated);
        }
    }

    async fn vu(s: Arc<ScenarioRuntime>, index: u64, work: Duration, log: Rc<RefCell<Vec<Iteration>>>) {
        let mut n = 0;
        while let Some(permit) = s.next_iteration(index, n).await {
            let t0 = s.started_at().expect("iterations start after the start");
            let start = t0.elapsed();
            let ramp_down = async {
                match permit.deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            s.state.active.fetch_add(1, Relaxed);
            let interrupted = tokio::select! {
                _ = tokio::time::sleep(work) => false,
                _ = s.hard_stopped() => true,
                _ = ramp_down => true,
            };
            s.state.active.fetch_sub(1, Relaxed);
            let counter = if interrupted { &s.state.interrupted } else { &s.state.completed };
            counter.fetch_add(1, Relaxed);
            let deadline = permit.deadline.map(|d| d - t0);
            log.borrow_mut().push(Iteration { vu: index, start, end: t0.elapsed(), deadline, interrupted });
            n += 1;
        }
        s.vu_finished();
    }

    /// Runs one scenario from `config` with its pre-allocated VUs on a paused clock; returns
    /// the pool (its log) and when the schedule ended, after the scenario start.
    async fn run(config: Value, work: Duration) -> (TestPool, Duration) {
        run_probed(config, work, |_| async {}).await
    }

    /// [`run`], with `probe` running beside the scenario from its start.
    async fn run_probed<F: std::future::Future<Output = ()>>(
        config: Value,
        work: Duration,
        probe: impl FnOnce(Arc<ScenarioRuntime>) -> F,
    ) -> (TestPool, Duration) {
        let config = parse_scenarios(&json!({ "s": config })).unwrap().remove(0);
        let s = Arc::new(ScenarioRuntime::new(config));
        let pool = TestPool {
            s: s.clone(),
            work,
            log: Rc::default(),
            insufficient: RefCell::default(),
            precise_waits: std::cell::Cell::new(0),
        };
        let local = tokio::task::LocalSet::new();
        let probe = probe(s.clone());
        let ended = local
            .run_until(async {
                for index in 0..s.pre_allocated_vus {
                    pool.start_vu(index);
                }
                tokio::task::yield_now().await;
                let ((), ()) = tokio::join!(drive(&s, Instant::now(), &pool), probe);
                s.started_at().unwrap().elapsed()
            })
            .await;
        pool.log.borrow_mut().sort_by_key(|i| (i.start, i.vu));
        (pool, ended)
    }

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[tokio::test(start_paused = true)]
    async fn a_vu_above_the_ramping_plan_gets_graceful_ramp_down_then_is_interrupted() {
        // 2 VUs; the plan drops to 1 at 5s and climbs back to 2 at 10s; the end is at 15s.
        let (pool, ended) = run(
            json!({"executor": "ramping-vus", "startVUs": 2, "gracefulRampDown": "3s", "stages": [
                {"duration": "5s", "target": 2}, {"duration": "0s", "target": 1}, {"duration": "5s", "target": 1},
                {"duration": "0s", "target": 2}, {"duration": "5s", "target": 2}]}),
            secs(10.0),
        )
        .await;
        let it = |vu, start, end, deadline: Option<f64>, interrupted| Iteration {
            vu,
            start: secs(start),
            end: secs(end),
            deadline: deadline.map(secs),
            interrupted,
        };
        assert_eq!(
            *pool.log.borrow(),
            [
                it(0, 0.0, 10.0, None, false),
                it(1, 0.0, 8.0, Some(8.0), true), // ramped down at 5s, interrupted 3s later
                it(0, 10.0, 20.0, None, false),   // runs past the end, within gracefulStop
                it(1, 10.0, 20.0, None, false),   // needed again at 10s, not before
            ]
        );
        assert_eq!(ended, secs(20.0), "the scenario ends when its last iteration does");
        assert_eq!((pool.s.state.completed.load(Relaxed), pool.s.state.interrupted.load(Relaxed)), (3, 1));
    }

    #[tokio::test(start_paused = true)]
    async fn the_hard_stop_comes_at_the_end_plus_graceful_stop() {
        let (pool, ended) =
            run(json!({"executor": "constant-vus", "vus": 1, "duration": "10s", "gracefulStop": "5s"}), secs(3600.0))
                .await;
        let log = pool.log.borrow();
        assert_eq!(log.len(), 1);
        assert_eq!((log[0].start, log[0].end, log[0].interrupted), (secs(0.0), secs(15.0), true));
        assert_eq!(ended, secs(15.0));
        assert!(pool.s.is_hard_stopped());
    }

    #[tokio::test(start_paused = true)]
    async fn iterations_due_while_no_vu_is_idle_are_dropped() {
        // Iterations due at 0, 0.5, 1, 1.5 and 2s (k6's tick at the duration too); the only VU is
        // busy from 0 to 1.2s, then from 1.5 to 2.7s.
        let (pool, ended) = run(
            json!({"executor": "constant-arrival-rate", "rate": 2, "duration": "2s", "preAllocatedVUs": 1}),
            secs(1.2),
        )
        .await;
        let starts: Vec<Duration> = pool.log.borrow().iter().map(|i| i.start).collect();
        assert_eq!(starts, [secs(0.0), secs(1.5)]);
        assert_eq!(pool.s.state.dropped.load(Relaxed), 3);
        assert_eq!(*pool.insufficient.borrow(), [1], "warned once, with maxVUs reached");
        assert_eq!(ended, secs(2.7));
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_iteration_starts_one_more_vu_up_to_max_vus() {
        let (pool, _) = run(
            json!({"executor": "constant-arrival-rate", "rate": 2, "duration": "2s", "preAllocatedVUs": 1,
                   "maxVUs": 2}),
            secs(1.2),
        )
        .await;
        // 0.5s is dropped and starts VU 1, which takes 1s; 1.5s finds VU 0 idle again; 2s finds
        // both busy.
        let got: Vec<(u64, Duration)> = pool.log.borrow().iter().map(|i| (i.vu, i.start)).collect();
        assert_eq!(got, [(0, secs(0.0)), (1, secs(1.0)), (0, secs(1.5))]);
        assert_eq!(pool.s.state.dropped.load(Relaxed), 2);
        assert_eq!(*pool.insufficient.borrow(), [2], "warned at 2s, with maxVUs reached");
    }

    #[tokio::test(start_paused = true)]
    async fn arrivals_are_handed_to_the_vus_threads_ahead_and_start_on_time() {
        // 5,000 iterations/s for 1s with VUs to spare: the scheduler hands them out ahead, the
        // lane's clock releases them (this thread's, on tokio's paused timer), and the scheduler
        // never waits for an arrival's instant itself (it did for every batch: ~2,000 times).
        let (pool, _) = run(
            json!({"executor": "constant-arrival-rate", "rate": 5000, "duration": "1s", "preAllocatedVUs": 50}),
            Duration::from_millis(1),
        )
        .await;
        let starts: Vec<Duration> = pool.log.borrow().iter().map(|i| i.start).collect();
        assert_eq!(starts.len(), 5001, "k6 starts the one due at 1s too");
        assert_eq!(pool.s.state.dropped.load(Relaxed), 0);
        // Never early; late by the 0.5 ms batching window at most, plus up to a millisecond
        // here, where tokio's paused timer fires on its 1 ms tick.
        for (i, start) in starts.iter().enumerate() {
            let planned = Duration::from_micros(200 * i as u64);
            assert!(*start >= planned, "iteration {i} started at {start:?}, before {planned:?}");
            assert!(*start - planned < Duration::from_micros(1500), "iteration {i} started {start:?}");
        }
        assert_eq!(pool.precise_waits.get(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn an_iteration_runs_if_a_vu_is_free_at_its_due_instant_though_busy_when_handed_out() {
        // Due every 100 ms; the only VU is busy for 95 ms of each: every arrival is handed out
        // while it is busy, and each finds it free when due.
        let (pool, _) = run(
            json!({"executor": "constant-arrival-rate", "rate": 10, "duration": "1s", "preAllocatedVUs": 1}),
            Duration::from_millis(95),
        )
        .await;
        let starts: Vec<Duration> = pool.log.borrow().iter().map(|i| i.start).collect();
        assert_eq!(starts, (0..=10).map(|i| Duration::from_millis(100 * i)).collect::<Vec<_>>());
        assert_eq!(pool.s.state.dropped.load(Relaxed), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_iteration_is_counted_at_its_due_instant() {
        // Due every 100 ms; the only VU is busy for 150 ms: those due at 100, 300, ... ms find it
        // busy and are dropped then, not when handed out (up to 20 ms before) nor later.
        let dropped_at = Rc::new(RefCell::new(Vec::new()));
        let seen = dropped_at.clone();
        let (pool, _) = run_probed(
            json!({"executor": "constant-arrival-rate", "rate": 10, "duration": "1s", "preAllocatedVUs": 1}),
            Duration::from_millis(150),
            |s| async move {
                let t0 = s.state.wait_for_start().await;
                for ms in [99, 101, 299, 301] {
                    tokio::time::sleep_until(t0 + Duration::from_millis(ms)).await;
                    seen.borrow_mut().push((ms, s.state.dropped.load(Relaxed)));
                }
            },
        )
        .await;
        assert_eq!(*dropped_at.borrow(), [(99, 0), (101, 1), (299, 1), (301, 2)]);
        let starts: Vec<Duration> = pool.log.borrow().iter().map(|i| i.start).collect();
        assert_eq!(starts, [secs(0.0), secs(0.2), secs(0.4), secs(0.6), secs(0.8), secs(1.0)]);
        assert_eq!(pool.s.state.dropped.load(Relaxed), 5);
    }
}
