//! `per-vu-iterations`: each of `vus` VUs runs exactly `iterations` iterations.
//!
//! The total is `vus × iterations`; iterations a VU has not started when `maxDuration` passes
//! count as `dropped_iterations`. With no execution options at all, k6 (and rload) run this
//! executor with 1 VU and 1 iteration. The plan is trivial; this file is k6's parameters,
//! defaults and validation.

use std::time::Duration;

use serde_json::json;

use super::runner::{LocalFuture, Permit, ScenarioState};
use super::{go_duration, json_map, ExecutionTuple, Executor, ExecutorType, Fields, Runner, MIN_DURATION};

pub const NAME: &str = "per-vu-iterations";
pub(super) const TYPE: ExecutorType = ExecutorType {
    name: NAME,
    keys: &["vus", "iterations", "maxDuration"],
    parse: |f| Box::new(PerVuIterations::parse(f)),
};

/// k6 defaults: `vus: 1`, `iterations: 1`, `maxDuration: "10m"`.
#[derive(Debug, Clone, PartialEq)]
pub struct PerVuIterations {
    pub vus: u64,
    /// Iterations for each VU.
    pub iterations: u64,
    pub max_duration: Duration,
}

impl Default for PerVuIterations {
    fn default() -> Self {
        PerVuIterations { vus: 1, iterations: 1, max_duration: Duration::from_secs(600) }
    }
}

impl PerVuIterations {
    pub(super) fn parse(f: &mut Fields) -> PerVuIterations {
        let d = PerVuIterations::default();
        // Negative counts become 0 and get validate()'s "must be more than 0", as in k6.
        let vus = f.int("vus").unwrap_or(1).max(0) as u64;
        let iterations = f.int("iterations").unwrap_or(1).max(0) as u64;
        PerVuIterations { vus, iterations, max_duration: f.duration("maxDuration").unwrap_or(d.max_duration) }
    }

    /// All iterations of the scenario: `vus × iterations`.
    pub fn total_iterations(&self) -> u64 {
        self.vus.saturating_mul(self.iterations)
    }
}

impl Executor for PerVuIterations {
    fn name(&self) -> &'static str {
        NAME
    }

    /// k6's `PerVUIterationsConfig.Validate`.
    fn validate(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.vus == 0 {
            errors.push("the number of VUs must be more than 0".to_owned());
        }
        if self.iterations == 0 {
            errors.push("the number of iterations must be more than 0".to_owned());
        }
        if self.max_duration < MIN_DURATION {
            errors.push(format!(
                "the maxDuration must be at least {}, but is {}",
                go_duration(MIN_DURATION),
                go_duration(self.max_duration)
            ));
        }
        errors
    }

    fn description(&self, et: &ExecutionTuple) -> (String, Option<String>) {
        (
            format!("{} iterations for each of {} VUs", self.iterations, self.max_vus(et)),
            Some(format!("maxDuration: {}", go_duration(self.max_duration))),
        )
    }

    /// k6's `GetVUs`: this segment's share of `vus`; each runs all its `iterations`.
    fn max_vus(&self, et: &ExecutionTuple) -> u64 {
        et.scale(self.vus)
    }

    fn k6_config(&self) -> serde_json::Map<String, serde_json::Value> {
        json_map(json!({
            "vus": self.vus,
            "iterations": self.iterations,
            "maxDuration": go_duration(self.max_duration),
        }))
    }

    fn max_duration(&self) -> Duration {
        self.max_duration
    }

    /// k6's `GetExecutionRequirements`: a segment without VUs has nothing to run and ends at 0.
    fn end_offset(&self, et: &ExecutionTuple, graceful_stop: Duration) -> Duration {
        if self.max_vus(et) == 0 {
            Duration::ZERO
        } else {
            self.max_duration + graceful_stop
        }
    }

    fn runner(&self, et: &ExecutionTuple) -> Box<dyn Runner> {
        Box::new(EachVu { iterations: self.iterations, vus: et.scale(self.vus) })
    }
}

/// Each VU counts its own iterations.
struct EachVu {
    iterations: u64,
    /// The segment's VUs.
    vus: u64,
}

impl Runner for EachVu {
    fn next_iteration<'a>(&'a self, state: &'a ScenarioState, _: u64, done: u64) -> LocalFuture<'a, Option<Permit>> {
        Box::pin(async move {
            state.wait_for_start().await;
            state.open(state.end())?;
            (done < self.iterations).then_some(Permit::NOW)
        })
    }

    fn planned_iterations(&self) -> Option<u64> {
        Some(self.iterations * self.vus)
    }

    /// The share of the iterations ended, as k6's (it was the share of `maxDuration` spent).
    fn progress(&self, state: &ScenarioState) -> f64 {
        super::runner::iterations_progress(state, self.iterations * self.vus)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_scenarios, ScenarioConfig};
    use super::*;
    use serde_json::json;

    #[test]
    fn validation_messages_are_k6s() {
        let errs = parse_scenarios(&json!({"s": {
            "executor": NAME, "vus": -1, "iterations": 0, "maxDuration": "0s"
        }}))
        .unwrap_err();
        assert_eq!(
            errs,
            [
                "scenario \"s\": the number of VUs must be more than 0",
                "scenario \"s\": the number of iterations must be more than 0",
                "scenario \"s\": the maxDuration must be at least 1s, but is 0s",
            ]
        );
    }

    #[test]
    fn k6_docs_example() {
        // k6 docs, per-vu-iterations: 10 VUs × 20 iterations, maxDuration 30s → 200 iterations.
        let s = &parse_scenarios(&json!({"contacts": {
            "executor": NAME, "vus": 10, "iterations": 20, "maxDuration": "30s"
        }}))
        .unwrap()[0];
        let c = s.executor_as::<PerVuIterations>().unwrap();
        assert_eq!(c.total_iterations(), 200);
        assert_eq!(s.describe(), "20 iterations for each of 10 VUs (maxDuration: 30s, gracefulStop: 30s)");
    }

    #[test]
    fn the_no_options_default_header_matches_k6() {
        let s = ScenarioConfig::new("default", PerVuIterations::default());
        assert_eq!(s.describe(), "1 iterations for each of 1 VUs (maxDuration: 10m0s, gracefulStop: 30s)");
        assert_eq!((s.max_vus(), s.max_duration()), (1, Duration::from_secs(600)));
    }
}
