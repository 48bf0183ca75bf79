//! A scenario while it runs: its config, the state every executor shares, and its executor's
//! runner, shared (`Arc`) by the scheduler and every worker thread.
//!
//! This is glue: what an executor does lives in its file under [`crate::executor`] (its
//! [`Runner`]), what every run shares in [`ScenarioState`]. A VU asks
//! [`ScenarioRuntime::next_iteration`] before each iteration and gets a [`Permit`] or `None`
//! (its part of the scenario is over); the scheduler (`schedule.rs`) starts and stops it.

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::relay;
use crate::executor::{ExecutionTuple, Permit, Runner, ScenarioConfig, ScenarioState};

/// This instance's scenarios and the start of its run, for `exec.instance`: set by `run.rs`
/// once they exist, read by any VU.
#[derive(Default)]
pub struct Instance {
    scenarios: OnceLock<Vec<Arc<ScenarioRuntime>>>,
    started: OnceLock<std::time::Instant>,
}

/// k6's `exec.instance` figures, summed over this instance's scenarios.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct InstanceCounts {
    pub vus_active: u64,
    pub vus_initialized: u64,
    pub iterations_completed: u64,
    pub iterations_interrupted: u64,
    /// Milliseconds since the run started (before `setup()`), as k6's
    /// `currentTestRunDuration`.
    pub current_test_run_duration_ms: f64,
}

impl Instance {
    /// The run started (called before `setup()`).
    pub fn mark_started(&self, at: std::time::Instant) {
        let _ = self.started.set(at);
    }

    /// The scenarios exist (called before any VU runs an iteration).
    pub fn set_scenarios(&self, scenarios: Vec<Arc<ScenarioRuntime>>) {
        let _ = self.scenarios.set(scenarios);
    }

    pub fn counts(&self) -> InstanceCounts {
        let mut c = InstanceCounts {
            current_test_run_duration_ms: self.started.get().map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0),
            ..InstanceCounts::default()
        };
        for s in self.scenarios.get().into_iter().flatten() {
            c.vus_active += s.state.active.load(Ordering::Relaxed).max(0) as u64;
            c.vus_initialized += s.state.allocated.load(Ordering::Relaxed);
            c.iterations_completed += s.state.completed.load(Ordering::Relaxed);
            c.iterations_interrupted += s.state.interrupted.load(Ordering::Relaxed);
        }
        c
    }
}

pub struct ScenarioRuntime {
    pub config: ScenarioConfig,
    /// Start, stops and counts.
    pub state: ScenarioState,
    /// The executor's run side, for this instance's share of the test.
    pub runner: Box<dyn Runner>,
    /// VUs to initialise before the test (this share's `preAllocatedVUs` or all its VUs).
    pub pre_allocated_vus: u64,
    /// When, after the start, running iterations are interrupted: the executor's end offset,
    /// never before the regular duration.
    pub hard_stop_offset: Duration,
    /// This instance's stripe of the test's iteration numbers: `(start, gaps, lcd)` of
    /// [`ExecutionTuple::striped_offsets`], for `exec.scenario.iterationInTest`.
    stripe: (u64, Vec<u64>),
}

impl ScenarioRuntime {
    /// The scenario for the whole test (execution segment 0:1).
    pub fn new(config: ScenarioConfig) -> Self {
        ScenarioRuntime::for_segment(config, &ExecutionTuple::full())
    }

    /// The scenario for one execution segment's share of the test.
    pub fn for_segment(config: ScenarioConfig, et: &ExecutionTuple) -> Self {
        let state = ScenarioState::new(config.max_duration());
        let runner = config.executor.runner(et);
        let pre_allocated_vus = config.executor.pre_allocated_vus(et);
        let hard_stop_offset = config.executor.end_offset(et, config.graceful_stop).max(config.max_duration());
        let (start, gaps, _) = et.striped_offsets();
        let stripe = (start, gaps.to_vec());
        ScenarioRuntime { config, state, runner, pre_allocated_vus, hard_stop_offset, stripe }
    }

    /// The number across every instance of the test (k6's `exec.scenario.iterationInTest`,
    /// `SegmentedIndex`'s unscaled value) of this instance's iteration `local` (0-based): with
    /// `--execution-segment 1/4:2/4` in quarters, instance-local 0, 1, 2 are 1, 5, 9.
    pub fn iteration_in_test(&self, local: u64) -> u64 {
        let (start, gaps) = (&self.stripe.0, &self.stripe.1);
        let lcd: u64 = gaps.iter().sum();
        let n = gaps.len() as u64;
        start + (local / n) * lcd + gaps[..(local % n) as usize].iter().sum::<u64>()
    }

    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// Starts the scenario's clock and releases its waiting VUs.
    pub fn start(&self) {
        self.state.start();
    }

    pub fn started_at(&self) -> Option<tokio::time::Instant> {
        self.state.started_at()
    }

    /// No new iterations from now on.
    pub fn stop_gracefully(&self) {
        self.state.stop_gracefully();
        self.runner.on_stop();
    }

    /// Interrupt this scenario's running iterations.
    pub fn stop_hard(&self) {
        self.stop_gracefully();
        self.state.stop_hard();
    }

    pub fn is_stopping(&self) -> bool {
        self.state.is_stopping()
    }

    pub fn is_hard_stopped(&self) -> bool {
        self.state.is_hard_stopped()
    }

    pub async fn hard_stopped(&self) {
        self.state.hard_stopped().await
    }

    /// A VU's part is over.
    pub fn vu_finished(&self) {
        self.state.vu_finished();
    }

    /// The `vus` metric's share of this scenario (0 before its start).
    pub fn current_vus(&self) -> u64 {
        if self.state.started_at().is_none() {
            return 0;
        }
        self.runner.current_vus(&self.state)
    }

    /// The `vus_max` metric's share of this scenario: the VUs it was given, and never fewer
    /// than its pre-allocated ones, which k6 initialises before setup() (rload after it).
    pub fn vus_max(&self) -> u64 {
        self.state.allocated.load(Ordering::Relaxed).max(self.pre_allocated_vus)
    }

    /// Progress in [0, 1] as k6's `exec.scenario.progress`.
    pub fn progress(&self) -> f64 {
        self.runner.progress(&self.state)
    }

    /// Leave for the next iteration of VU number `vu_index` (0-based in this scenario) that
    /// has run `vu_iteration` iterations so far; `None` when its part is over. The permit's
    /// index is the iteration's number in the scenario.
    ///
    /// A VU's first call waits for the start on its thread's relay of it (`relay.rs`, which
    /// says why), when its runner waits for the start at all.
    pub async fn next_iteration(&self, vu_index: u64, vu_iteration: u64) -> Option<Permit> {
        if vu_iteration == 0 && self.runner.waits_for_start() {
            relay::start_of(self).await;
        }
        let mut permit = self.runner.next_iteration(&self.state, vu_index, vu_iteration).await?;
        permit.index = self.state.iterations_started.fetch_add(1, Ordering::Relaxed);
        Some(permit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::executor::segment::{ExecutionSegment, ExecutionSegmentSequence};
    use crate::executor::PerVuIterations;

    fn runtime(segment: &str, sequence: &str) -> ScenarioRuntime {
        let et = ExecutionTuple::new(
            ExecutionSegment::parse(segment).unwrap(),
            &ExecutionSegmentSequence::parse(sequence).unwrap(),
        )
        .unwrap();
        ScenarioRuntime::for_segment(ScenarioConfig::new("s", PerVuIterations::default()), &et)
    }

    #[test]
    fn iteration_in_test_numbers_each_instances_iterations_across_the_whole_test() {
        let quarter = runtime("1/4:2/4", "0,1/4,2/4,3/4,1");
        assert_eq!((0..4).map(|i| quarter.iteration_in_test(i)).collect::<Vec<_>>(), [1, 5, 9, 13]);
        // Two halves: every number belongs to exactly one instance.
        let instances = ["0:1/2", "1/2:1"].map(|s| runtime(s, "0,1/2,1"));
        let mut all: Vec<u64> = instances.iter().flat_map(|r| (0..10).map(|i| r.iteration_in_test(i))).collect();
        all.sort_unstable();
        assert_eq!(all, (0..20).collect::<Vec<_>>());
        let whole = runtime("0:1", "");
        assert_eq!(whole.iteration_in_test(7), 7);
    }
}
