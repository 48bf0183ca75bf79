//! `shared-iterations`: a fixed number of iterations shared by a fixed number of VUs.
//!
//! Every VU loops, taking the next iteration from a shared counter, until `iterations` have been
//! started or `maxDuration` has passed; iterations never started count as `dropped_iterations`.
//! Fast VUs therefore do more iterations than slow ones. The plan is trivial (all VUs from the
//! start), so this file is mostly k6's parameters, defaults and validation.

use std::time::Duration;

use serde_json::json;

use std::sync::atomic::{AtomicI64, Ordering};

use super::runner::{LocalFuture, Permit, ScenarioState};
use super::{go_duration, json_map, ExecutionTuple, Executor, ExecutorType, Fields, Runner, MIN_DURATION};

pub const NAME: &str = "shared-iterations";
pub(super) const TYPE: ExecutorType = ExecutorType {
    name: NAME,
    keys: &["vus", "iterations", "maxDuration"],
    parse: |f| Box::new(SharedIterations::parse(f)),
};

/// k6 defaults: `vus: 1`, `iterations: 1`, `maxDuration: "10m"`.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedIterations {
    pub vus: u64,
    pub iterations: u64,
    pub max_duration: Duration,
}

impl Default for SharedIterations {
    fn default() -> Self {
        SharedIterations { vus: 1, iterations: 1, max_duration: Duration::from_secs(600) }
    }
}

impl SharedIterations {
    pub(super) fn parse(f: &mut Fields) -> SharedIterations {
        let d = SharedIterations::default();
        let vus = f.int("vus").unwrap_or(1);
        let iterations = f.int("iterations").unwrap_or(1);
        if iterations < 0 {
            // Reported here with the values as written; validate() then sees a passing count.
            f.error(format_args!(
                "the number of iterations ({iterations}) can't be less than the number of VUs ({vus})"
            ));
        }
        let vus = vus.max(0) as u64; // a negative count gets validate()'s "must be more than 0"
        let iterations = if iterations < 0 { vus } else { iterations as u64 };
        SharedIterations { vus, iterations, max_duration: f.duration("maxDuration").unwrap_or(d.max_duration) }
    }

    /// The iterations this segment runs. As k6 does, they are scaled with the tuple
    /// re-segmented by `vus`, so that each instance's share follows its share of the VUs.
    pub fn iterations_for(&self, et: &ExecutionTuple) -> u64 {
        et.for_value(self.vus).map_or(0, |t| t.scale(self.iterations))
    }
}

impl Executor for SharedIterations {
    fn name(&self) -> &'static str {
        NAME
    }

    /// k6's `SharedIterationsConfig.Validate`.
    fn validate(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.vus == 0 {
            errors.push("the number of VUs must be more than 0".to_owned());
        }
        if self.iterations < self.vus {
            errors.push(format!(
                "the number of iterations ({}) can't be less than the number of VUs ({})",
                self.iterations, self.vus
            ));
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

    /// k6's `GetDescription`: the iterations this segment runs (k6 v1.1 prints 4, 3, 3 and 0
    /// for 10 iterations of 3 VUs in quarters, the re-segmented share of [`Self::iterations_for`]).
    fn description(&self, et: &ExecutionTuple) -> (String, Option<String>) {
        (
            format!("{} iterations shared among {} VUs", self.iterations_for(et), self.max_vus(et)),
            Some(format!("maxDuration: {}", go_duration(self.max_duration))),
        )
    }

    /// k6's `GetVUs`: this segment's share of `vus`.
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

    /// k6's `GetExecutionRequirements`: a segment without VUs has nothing to run and ends at 0
    /// (it does not stretch the header's max duration).
    fn end_offset(&self, et: &ExecutionTuple, graceful_stop: Duration) -> Duration {
        if self.max_vus(et) == 0 {
            Duration::ZERO
        } else {
            self.max_duration + graceful_stop
        }
    }

    fn runner(&self, et: &ExecutionTuple) -> Box<dyn Runner> {
        let total = self.iterations_for(et);
        Box::new(SharedCounter { total, left: AtomicI64::new(total as i64) })
    }
}

/// The segment's iterations, taken one at a time by whichever VU asks first.
struct SharedCounter {
    total: u64,
    left: AtomicI64,
}

impl Runner for SharedCounter {
    fn next_iteration<'a>(&'a self, state: &'a ScenarioState, _: u64, _: u64) -> LocalFuture<'a, Option<Permit>> {
        Box::pin(async move {
            state.wait_for_start().await;
            state.open(state.end())?;
            (self.left.fetch_sub(1, Ordering::Relaxed) > 0).then_some(Permit::NOW)
        })
    }

    fn planned_iterations(&self) -> Option<u64> {
        Some(self.total)
    }

    /// The share of the iterations ended, as k6's.
    fn progress(&self, state: &ScenarioState) -> f64 {
        super::runner::iterations_progress(state, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_scenarios, ScenarioConfig};
    use super::*;
    use serde_json::json;

    fn errors(v: serde_json::Value) -> Vec<String> {
        parse_scenarios(&json!({ "s": v })).unwrap_err()
    }

    #[test]
    fn validation_messages_are_k6s() {
        let cases = [
            (json!({"executor": NAME, "vus": 0}), vec!["the number of VUs must be more than 0"]),
            (
                json!({"executor": NAME, "vus": 10, "iterations": 5}),
                vec!["the number of iterations (5) can't be less than the number of VUs (10)"],
            ),
            (
                json!({"executor": NAME, "iterations": -2}),
                vec!["the number of iterations (-2) can't be less than the number of VUs (1)"],
            ),
            (
                json!({"executor": NAME, "maxDuration": "500ms"}),
                vec!["the maxDuration must be at least 1s, but is 500ms"],
            ),
        ];
        for (cfg, want) in cases {
            let want: Vec<String> = want.iter().map(|w| format!("scenario \"s\": {w}")).collect();
            assert_eq!(errors(cfg.clone()), want, "{cfg}");
        }
    }

    #[test]
    fn k6_docs_example_describes_like_k6() {
        // k6 docs, shared-iterations: 10 VUs share 200 iterations, maxDuration 30s.
        let s = &parse_scenarios(&json!({"contacts": {
            "executor": NAME, "vus": 10, "iterations": 200, "maxDuration": "30s"
        }}))
        .unwrap()[0];
        assert_eq!(s.describe(), "200 iterations shared among 10 VUs (maxDuration: 30s, gracefulStop: 30s)");
        assert_eq!((s.max_vus(), s.pre_allocated_vus(), s.max_duration()), (10, 10, Duration::from_secs(30)));
        assert_eq!(s.end_offset(), Duration::from_secs(60));
    }

    #[test]
    fn default_header_matches_k6() {
        let s = ScenarioConfig::new("default", SharedIterations::default());
        assert_eq!(s.describe(), "1 iterations shared among 1 VUs (maxDuration: 10m0s, gracefulStop: 30s)");
    }
}
