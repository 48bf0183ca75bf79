//! `constant-arrival-rate`: start `rate` iterations every `timeUnit`, whatever they cost.
//!
//! An open model: iterations start on a fixed schedule; a free VU from the pool runs each one.
//! `preAllocatedVUs` are initialised before the test, more are initialised on demand up to
//! `maxVUs`, and an iteration that finds no free VU is dropped (`dropped_iterations`).
//!
//! Schedule, as k6 runs it: iteration *i* (0-based) starts at `i · period` after the scenario
//! start, where the period is `timeUnit / rate` truncated to whole nanoseconds (k6's ticker
//! period), computed from *i* each time; the first starts at once, and every iteration due at or
//! before `duration` starts: k6's tick at exactly `duration` wins against its duration's end.
//! So `rate: 30`, `timeUnit: 1s`, `duration: 30s` (k6 docs' example, which counts 900) makes 901
//! iterations under k6 v1.1 and rload alike, the last at 29.9999997s (900 periods of
//! 33,333,333ns), and 5/s for 2s makes 11, the last at 2s.

use std::time::Duration;

use serde_json::json;

use super::arrivals::{ArrivalPlan, ArrivalRate};
use super::{go_duration, json_map, per_second, ExecutionTuple, Executor, ExecutorType, Fields, Runner, MIN_DURATION};

pub const NAME: &str = "constant-arrival-rate";
pub(super) const TYPE: ExecutorType = ExecutorType {
    name: NAME,
    keys: &["rate", "timeUnit", "duration", "preAllocatedVUs", "maxVUs"],
    parse: |f| Box::new(ConstantArrivalRate::parse(f)),
};

/// k6 defaults: `timeUnit: "1s"`, `maxVUs` = `preAllocatedVUs`; `rate`, `duration` and
/// `preAllocatedVUs` are required.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstantArrivalRate {
    /// Iterations started per `time_unit`.
    pub rate: u64,
    pub time_unit: Duration,
    pub duration: Duration,
    pub pre_allocated_vus: u64,
    pub max_vus: u64,
}

impl ConstantArrivalRate {
    pub(super) fn parse(f: &mut Fields) -> ConstantArrivalRate {
        let rate = match f.get("rate") {
            None => {
                f.error("rate: the iteration rate isn't specified");
                1 // placeholder so validate() adds nothing about it
            }
            Some(_) => f.int("rate").unwrap_or(1).max(0) as u64, // negative → "must be more than 0"
        };
        let time_unit = f.duration("timeUnit").unwrap_or(Duration::from_secs(1));
        let duration = match f.get("duration") {
            None => {
                f.error("the duration is unspecified");
                MIN_DURATION
            }
            Some(_) => f.duration("duration").unwrap_or(MIN_DURATION),
        };
        let (pre_allocated_vus, max_vus) = parse_vus(f);
        ConstantArrivalRate { rate, time_unit, duration, pre_allocated_vus, max_vus }
    }

    /// k6's ticker period: `timeUnit / rate`, truncated to whole nanoseconds (at least 1).
    fn period(&self) -> Option<u128> {
        (self.rate > 0).then(|| (self.time_unit.as_nanos() / u128::from(self.rate)).max(1))
    }

    /// When iteration `i` (0-based) starts, after the scenario start; `None` when that is after
    /// `duration`, i.e. when `i >= total_iterations()`.
    pub fn nth_start(&self, i: u64) -> Option<Duration> {
        let at = u128::from(i) * self.period()?;
        (at <= self.duration.as_nanos()).then(|| Duration::from_nanos(at as u64))
    }

    /// How many iterations the schedule starts: one per period up to and including `duration`.
    pub fn total_iterations(&self) -> u64 {
        self.period().map_or(0, |p| u64::try_from(self.duration.as_nanos() / p + 1).unwrap_or(u64::MAX))
    }
}

impl Executor for ConstantArrivalRate {
    fn name(&self) -> &'static str {
        NAME
    }

    /// k6's `ConstantArrivalRateConfig.Validate` (presence is checked while parsing).
    fn validate(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.rate == 0 {
            errors.push("rate: the iteration rate must be more than 0".to_owned());
        }
        if self.time_unit.is_zero() {
            errors.push("the timeUnit must be more than 0".to_owned());
        }
        if self.duration < MIN_DURATION {
            errors.push(format!(
                "the duration must be at least {}, but is {}",
                go_duration(MIN_DURATION),
                go_duration(self.duration)
            ));
        }
        errors.extend(max_vus_problem(self.pre_allocated_vus, self.max_vus));
        errors
    }

    /// k6: `"30.00 iterations/s for 30s"` with the fact `maxVUs: 2-50` (or `maxVUs: 2` when
    /// `maxVUs` = `preAllocatedVUs`); 0.00 iterations/s when `maxVUs` is 0. For a segment,
    /// k6 scales the rate by the segment's share of `maxVUs`.
    fn description(&self, et: &ExecutionTuple) -> (String, Option<String>) {
        let max = self.max_vus(et);
        let rate = if max == 0 { 0.0 } else { self.rate as f64 * max as f64 / self.max_vus as f64 };
        (
            format!("{} iterations/s for {}", per_second(rate, self.time_unit), go_duration(self.duration)),
            Some(vus_range(self.pre_allocated_vus(et), max)),
        )
    }

    /// k6's `GetMaxVUs`: this segment's share of `maxVUs`.
    fn max_vus(&self, et: &ExecutionTuple) -> u64 {
        et.scale(self.max_vus)
    }

    /// k6's `GetPreAllocatedVUs`: this segment's share of `preAllocatedVUs`.
    fn pre_allocated_vus(&self, et: &ExecutionTuple) -> u64 {
        et.scale(self.pre_allocated_vus)
    }

    fn k6_config(&self) -> serde_json::Map<String, serde_json::Value> {
        json_map(json!({
            "rate": self.rate,
            "timeUnit": go_duration(self.time_unit),
            "duration": go_duration(self.duration),
            "preAllocatedVUs": self.pre_allocated_vus,
            "maxVUs": self.max_vus,
        }))
    }

    fn max_duration(&self) -> Duration {
        self.duration
    }

    fn runner(&self, et: &ExecutionTuple) -> Box<dyn Runner> {
        let plan = Box::new(self.clone());
        Box::new(ArrivalRate::new(plan, et, self.max_vus, self.pre_allocated_vus(et), self.max_vus(et)))
    }
}

impl ArrivalPlan for ConstantArrivalRate {
    fn starts(&self) -> Box<dyn Iterator<Item = Duration> + '_> {
        Box::new((0..).map_while(|i| self.nth_start(i)))
    }
}

/// `preAllocatedVUs` (required, ≥ 0) and `maxVUs` (defaults to `preAllocatedVUs`), shared with
/// `ramping-arrival-rate`.
pub(super) fn parse_vus(f: &mut Fields) -> (u64, u64) {
    let pre = match f.get("preAllocatedVUs") {
        None => {
            f.error("the number of preAllocatedVUs isn't specified");
            0
        }
        Some(_) => {
            let n = f.int("preAllocatedVUs").unwrap_or(0);
            if n < 0 {
                f.error("the number of preAllocatedVUs can't be negative");
            }
            n.max(0) as u64
        }
    };
    let max = match f.int("maxVUs") {
        None => pre,
        Some(n) if n < 0 => {
            f.error(format_args!("maxVUs ({n}) can't be less than preAllocatedVUs ({pre})"));
            pre
        }
        Some(n) => n as u64,
    };
    (pre, max)
}

/// k6's "maxVUs can't be less than preAllocatedVUs", with both values.
pub(super) fn max_vus_problem(pre: u64, max: u64) -> Option<String> {
    (max < pre).then(|| format!("maxVUs ({max}) can't be less than preAllocatedVUs ({pre})"))
}

/// k6's `maxVUs: PRE` or `maxVUs: PRE-MAX` fact.
pub(super) fn vus_range(pre: u64, max: u64) -> String {
    if max > pre {
        format!("maxVUs: {pre}-{max}")
    } else {
        format!("maxVUs: {pre}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_scenarios;
    use super::*;
    use serde_json::json;

    fn car(rate: u64, time_unit_ms: u64, duration_ms: u64) -> ConstantArrivalRate {
        ConstantArrivalRate {
            rate,
            time_unit: Duration::from_millis(time_unit_ms),
            duration: Duration::from_millis(duration_ms),
            pre_allocated_vus: 1,
            max_vus: 1,
        }
    }

    #[test]
    fn k6_docs_example() {
        // k6 docs, constant-arrival-rate: 30 iterations/s for 30s, 2 pre-allocated VUs, up to 50.
        let s = &parse_scenarios(&json!({"constant_request_rate": {
            "executor": NAME, "rate": 30, "timeUnit": "1s", "duration": "30s",
            "preAllocatedVUs": 2, "maxVUs": 50
        }}))
        .unwrap()[0];
        assert_eq!(s.describe(), "30.00 iterations/s for 30s (maxVUs: 2-50, gracefulStop: 30s)");
        assert_eq!((s.pre_allocated_vus(), s.max_vus()), (2, 50));
        let c = s.executor_as::<ConstantArrivalRate>().unwrap();
        // k6 v1.1 runs 901 of them (the docs say 900): its period is 33,333,333ns.
        assert_eq!(c.total_iterations(), 901);
        assert_eq!(c.nth_start(0), Some(Duration::ZERO));
        assert_eq!(c.nth_start(30), Some(Duration::from_nanos(999_999_990)));
        assert_eq!(c.nth_start(900), Some(Duration::from_nanos(29_999_999_700)));
        assert_eq!(c.nth_start(901), None);
    }

    #[test]
    fn schedule_is_k6s_up_to_and_including_duration() {
        // Counts checked against k6 v1.1 (`iterations` of an empty function): 5/s for 2s 11,
        // 4/s for 1s 5, 10/s for 3s 31, 30/s for 3s 91.
        let cases = [
            // (rate, timeUnit ms, duration ms, iterations, i, start of i in ns)
            (5, 1000, 2000, 11, 10, 2_000_000_000),
            (4, 1000, 1000, 5, 4, 1_000_000_000),
            (10, 1000, 3000, 31, 30, 3_000_000_000),
            (30, 1000, 3000, 91, 90, 2_999_999_970),
            (1, 60_000, 90_000, 2, 1, 60_000_000_000),
            (3, 1000, 1000, 4, 3, 999_999_999),
            (3, 1000, 1001, 4, 3, 999_999_999),
            (5000, 1000, 60_000, 300_001, 299_999, 59_999_800_000),
        ];
        for (rate, unit, dur, total, i, at) in cases {
            let c = car(rate, unit, dur);
            assert_eq!(c.total_iterations(), total, "{rate}/{unit}ms for {dur}ms");
            assert_eq!(c.nth_start(i), Some(Duration::from_nanos(at)));
            assert!(c.nth_start(total - 1).is_some());
            assert_eq!(c.nth_start(total), None);
        }
    }

    #[test]
    fn description_shows_a_single_vu_count_when_max_equals_pre_allocated() {
        let c = car(1, 60_000, 600_000);
        assert_eq!(
            c.description(&ExecutionTuple::full()),
            ("0.02 iterations/s for 10m0s".to_owned(), Some("maxVUs: 1".to_owned()))
        );
    }

    #[test]
    fn validation_messages_are_k6s() {
        let cases = [
            (
                json!({"executor": NAME}),
                vec![
                    "rate: the iteration rate isn't specified",
                    "the duration is unspecified",
                    "the number of preAllocatedVUs isn't specified",
                ],
            ),
            (
                json!({"executor": NAME, "rate": 0, "timeUnit": "0s", "duration": "0.5s", "preAllocatedVUs": -1}),
                vec![
                    "the number of preAllocatedVUs can't be negative",
                    "rate: the iteration rate must be more than 0",
                    "the timeUnit must be more than 0",
                    "the duration must be at least 1s, but is 500ms",
                ],
            ),
            (
                json!({"executor": NAME, "rate": 1, "duration": "1m", "preAllocatedVUs": 10, "maxVUs": 5}),
                vec!["maxVUs (5) can't be less than preAllocatedVUs (10)"],
            ),
        ];
        for (cfg, want) in cases {
            let want: Vec<String> = want.iter().map(|w| format!("scenario \"api\": {w}")).collect();
            assert_eq!(parse_scenarios(&json!({ "api": cfg })).unwrap_err(), want);
        }
    }

    #[test]
    fn segments_run_k6s_global_iterations() {
        // k6's TestConstantArrivalRateGlobalIters: 20 per 950ms for 1s, maxVUs 5.
        use crate::executor::segment::{ExecutionSegment, ExecutionSegmentSequence};
        let c = ConstantArrivalRate {
            rate: 20,
            time_unit: Duration::from_millis(950),
            duration: Duration::from_secs(1),
            pre_allocated_vus: 5,
            max_vus: 5,
        };
        let seq = ExecutionSegmentSequence::parse("0,1/4,3/4,1").unwrap();
        let cases: [(&str, &[u64]); 3] = [
            ("0:1/4", &[1, 6, 11, 16, 21]),
            ("1/4:3/4", &[0, 2, 4, 5, 7, 9, 10, 12, 14, 15, 17, 19, 20]),
            ("3/4:1", &[3, 8, 13, 18]),
        ];
        for (segment, want) in cases {
            let et = ExecutionTuple::new(ExecutionSegment::parse(segment).unwrap(), &seq).unwrap();
            let runner = ArrivalRate::new(Box::new(c.clone()), &et, 5, 1, 1);
            let got: Vec<u64> = runner
                .starts()
                .map(|(i, at)| {
                    assert_eq!(c.nth_start(i), Some(at), "the whole test's start time");
                    i
                })
                .collect();
            assert_eq!(got, want, "{segment}");
        }
    }

    #[test]
    fn segments_start_at_k6s_times() {
        // k6's TestConstantArrivalRateRunCorrectTiming: 50/s for 2s, maxVUs 20: the first start
        // and the gaps after it (repeating), in ms.
        use crate::executor::segment::{ExecutionSegment, ExecutionSegmentSequence};
        let c = ConstantArrivalRate {
            rate: 50,
            time_unit: Duration::from_secs(1),
            duration: Duration::from_secs(2),
            pre_allocated_vus: 10,
            max_vus: 20,
        };
        let cases: [(&str, &str, u64, &[u64]); 5] = [
            ("0:1/3", "", 20, &[40, 60, 60, 60, 60, 60, 60]),
            ("1/3:2/3", "", 20, &[60, 60, 60, 60, 60, 60, 40]),
            ("2/3:1", "", 20, &[40, 60, 60, 60, 60, 60, 60]),
            ("1/6:3/6", "", 20, &[40, 80, 40, 80, 40, 80, 40]),
            ("1/6:3/6", "1/6,3/6", 20, &[40, 80, 40, 80, 40, 80, 40]),
        ];
        for (segment, sequence, first, gaps) in cases {
            let seq = ExecutionSegmentSequence::parse(sequence).unwrap();
            let et = ExecutionTuple::new(ExecutionSegment::parse(segment).unwrap(), &seq).unwrap();
            let runner = ArrivalRate::new(Box::new(c.clone()), &et, 20, 1, 1);
            let got: Vec<u64> = runner.starts().map(|(_, at)| at.as_millis() as u64).collect();
            let mut want = vec![first];
            for g in gaps.iter().cycle() {
                let next = want.last().unwrap() + g;
                if next > 2000 {
                    break;
                }
                want.push(next);
            }
            assert_eq!(got, want, "{segment} in {sequence}");
        }
    }
}
