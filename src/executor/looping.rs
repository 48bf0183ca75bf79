//! The runner of the looping-VU executors (`constant-vus`, `ramping-vus`): VU number *k* runs
//! iterations back to back while the plan has more than *k* VUs looping.
//!
//! When the plan drops to *k* VUs or fewer, VU *k* starts no new iteration; the one it is
//! running gets `gracefulRampDown` before it is interrupted (the permit's deadline, unless the
//! scenario's own end comes first), and the VU waits until the plan needs it again or the
//! scenario ends. The plan is the executor's, already scaled to the execution segment.

use std::time::Duration;

use super::runner::{LocalFuture, Permit, Runner, ScenarioState};

/// Looping VUs following a step plan.
#[derive(Debug)]
pub struct LoopingVus {
    /// `(offset, VUs that should loop)`, sorted by offset; ends with 0 VUs or never drops.
    steps: Vec<(Duration, u64)>,
    graceful_ramp_down: Duration,
}

impl LoopingVus {
    pub fn new(steps: Vec<(Duration, u64)>, graceful_ramp_down: Duration) -> LoopingVus {
        LoopingVus { steps, graceful_ramp_down }
    }

    /// Index of the first step after `t`; the plan at `t` is the step before it.
    fn after(&self, t: Duration) -> usize {
        self.steps.partition_point(|(offset, _)| *offset <= t)
    }

    fn planned(&self, i: usize) -> u64 {
        if i == 0 {
            0
        } else {
            self.steps[i - 1].1
        }
    }

    async fn next(&self, state: &ScenarioState, k: u64) -> Option<Permit> {
        let start = state.wait_for_start().await;
        let end = state.end();
        loop {
            state.open(end)?;
            let i = self.after(start.elapsed());
            if k < self.planned(i) {
                // Interrupted when the plan first drops to k or fewer VUs (plus gracefulRampDown).
                let deadline = self.steps[i..]
                    .iter()
                    .find(|(_, vus)| *vus <= k)
                    .map(|(offset, _)| start + *offset + self.graceful_ramp_down)
                    .filter(|d| *d < end);
                return Some(Permit { deadline, ..Permit::NOW });
            }
            // Wait until the plan needs this VU again, or the scenario ends.
            let wake = self.steps[i..].iter().find(|(_, vus)| *vus > k).map_or(end, |(offset, _)| start + *offset);
            let changed = state.changed();
            tokio::select! {
                _ = tokio::time::sleep_until(wake) => {}
                _ = changed => {}
            }
        }
    }
}

impl Runner for LoopingVus {
    fn next_iteration<'a>(&'a self, state: &'a ScenarioState, vu: u64, _: u64) -> LocalFuture<'a, Option<Permit>> {
        Box::pin(self.next(state, vu))
    }

    /// The planned VUs (at most those alive) until the graceful stop, then those alive.
    fn current_vus(&self, state: &ScenarioState) -> u64 {
        let alive = state.alive_vus();
        match state.started_at() {
            Some(start) if !state.is_stopping() => self.planned(self.after(start.elapsed())).min(alive),
            _ => alive,
        }
    }
}
