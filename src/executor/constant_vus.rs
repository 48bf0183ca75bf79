//! `constant-vus`: a fixed number of VUs loop iterations for a fixed duration.
//!
//! This is what the `vus` + `duration` shortcut becomes. All VUs start at once; after `duration`
//! no VU starts a new iteration and running ones get `gracefulStop` to finish.

use std::time::Duration;

use serde_json::json;

use super::looping::LoopingVus;
use super::{go_duration, json_map, ExecutionTuple, Executor, ExecutorType, Fields, Runner, MIN_DURATION};

pub const NAME: &str = "constant-vus";
pub(super) const TYPE: ExecutorType =
    ExecutorType { name: NAME, keys: &["vus", "duration"], parse: |f| Box::new(ConstantVus::parse(f)) };

/// k6 defaults: `vus: 1`; `duration` is required.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstantVus {
    pub vus: u64,
    pub duration: Duration,
}

impl ConstantVus {
    pub(super) fn parse(f: &mut Fields) -> ConstantVus {
        let vus = f.int("vus").unwrap_or(1).max(0) as u64; // negative → validate()'s "more than 0"
        let duration = match f.get("duration") {
            None => {
                f.error("the duration is unspecified");
                MIN_DURATION // placeholder so validate() adds nothing about it
            }
            Some(_) => f.duration("duration").unwrap_or(MIN_DURATION),
        };
        ConstantVus { vus, duration }
    }
}

impl Executor for ConstantVus {
    fn name(&self) -> &'static str {
        NAME
    }

    /// k6's `ConstantVUsConfig.Validate`.
    fn validate(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.vus == 0 {
            errors.push("the number of VUs must be more than 0".to_owned());
        }
        if self.duration < MIN_DURATION {
            errors.push(format!(
                "the duration must be at least {}, but is {}",
                go_duration(MIN_DURATION),
                go_duration(self.duration)
            ));
        }
        errors
    }

    fn description(&self, et: &ExecutionTuple) -> (String, Option<String>) {
        (format!("{} looping VUs for {}", self.max_vus(et), go_duration(self.duration)), None)
    }

    /// k6's `GetVUs`: this segment's share of `vus`.
    fn max_vus(&self, et: &ExecutionTuple) -> u64 {
        et.scale(self.vus)
    }

    fn k6_config(&self) -> serde_json::Map<String, serde_json::Value> {
        json_map(json!({ "vus": self.vus, "duration": go_duration(self.duration) }))
    }

    fn max_duration(&self) -> Duration {
        self.duration
    }

    /// All the segment's VUs loop from the start to the end.
    fn runner(&self, et: &ExecutionTuple) -> Box<dyn Runner> {
        Box::new(LoopingVus::new(vec![(Duration::ZERO, self.max_vus(et))], Duration::ZERO))
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_scenarios;
    use super::*;
    use serde_json::json;

    #[test]
    fn validation_messages_are_k6s() {
        let cases = [
            (json!({"executor": NAME}), vec!["the duration is unspecified"]),
            (
                json!({"executor": NAME, "vus": 0, "duration": "500ms"}),
                vec!["the number of VUs must be more than 0", "the duration must be at least 1s, but is 500ms"],
            ),
        ];
        for (cfg, want) in cases {
            let want: Vec<String> = want.iter().map(|w| format!("scenario \"s\": {w}")).collect();
            assert_eq!(parse_scenarios(&json!({ "s": cfg })).unwrap_err(), want);
        }
    }

    #[test]
    fn k6_docs_example() {
        // k6 docs, constant-vus: 10 VUs for 30 seconds.
        let s = &parse_scenarios(&json!({"my_awesome_api_test": {
            "executor": NAME, "vus": 10, "duration": "30s"
        }}))
        .unwrap()[0];
        assert_eq!(s.describe(), "10 looping VUs for 30s (gracefulStop: 30s)");
        assert_eq!(
            (s.max_vus(), s.max_duration(), s.end_offset()),
            (10, Duration::from_secs(30), Duration::from_secs(60))
        );
    }
}
