//! `ramping-arrival-rate`: an iteration start rate that ramps linearly from stage to stage.
//!
//! An open model like `constant-arrival-rate`, with `preAllocatedVUs`/`maxVUs` and dropped
//! iterations the same, but the rate (iterations per `timeUnit`) goes linearly from `startRate`
//! to each stage's `target` over the stage's duration.
//!
//! Schedule (k6's `cal`): the number of iterations started by time *t* is the area under the
//! rate curve from 0 to *t*, and iteration *i* (0-based) starts when that area reaches *i + 1*.
//! Within a stage going from rate `f` to `g` (per nanosecond) over `D`, with `a` the area still
//! needed inside the stage, the offset into the stage solves `f·x + (g-f)·x²/(2D) = a`:
//! `x = (f·D - sqrt(D·(f²·D + 2·a·(g-f)))) / (f - g)`, or `x = a / f` when `f = g`. The
//! arithmetic is k6's, in `f64` nanoseconds, truncated to whole nanoseconds, so start times
//! match k6's to the nanosecond. Iterations whose area lies beyond the last stage never start.
//!
//! Worked example (k6's `TestRampingArrivalRateCal`): `startRate: 0`, stages `5s→1, 1s→1,
//! 5s→0`: areas 2.5 + 1 + 2.5 = 6 iterations, at 3.162s (√10), 4.472s (√20), 5.5s, 6.527s,
//! 7.837s and 11s. A ramp from 0 to 10/s over 10s starts 50 iterations, the *n*-th (1-based)
//! at `sqrt(2n / slope)` = `sqrt(n / 5)` s.
//!
//! [`RampingArrivalRate::starts`] yields the schedule in order in O(1) amortised per iteration;
//! [`RampingArrivalRate::nth_start`] answers for one *i* in O(stages). Both are allocation-free.

use std::time::Duration;

use serde_json::json;

use super::arrivals::{ArrivalPlan, ArrivalRate};
use super::constant_arrival_rate::{max_vus_problem, parse_vus};
use super::{go_duration, json_map, per_second, stages_json, ExecutionTuple, Executor, ExecutorType, Fields, Runner};
use crate::config::Stage;

pub const NAME: &str = "ramping-arrival-rate";
pub(super) const TYPE: ExecutorType = ExecutorType {
    name: NAME,
    keys: &["startRate", "timeUnit", "stages", "preAllocatedVUs", "maxVUs"],
    parse: |f| Box::new(RampingArrivalRate::parse(f)),
};

/// k6 defaults: `startRate: 0`, `timeUnit: "1s"`, `maxVUs` = `preAllocatedVUs`; `stages` and
/// `preAllocatedVUs` are required.
#[derive(Debug, Clone, PartialEq)]
pub struct RampingArrivalRate {
    /// Iterations per `time_unit` at the start.
    pub start_rate: u64,
    pub time_unit: Duration,
    /// Each stage ramps to `target` iterations per `time_unit`.
    pub stages: Vec<Stage>,
    pub pre_allocated_vus: u64,
    pub max_vus: u64,
}

impl RampingArrivalRate {
    pub(super) fn parse(f: &mut Fields) -> RampingArrivalRate {
        let start_rate = f.int("startRate").unwrap_or(0);
        if start_rate < 0 {
            f.error("the startRate value can't be negative");
        }
        let time_unit = f.duration("timeUnit").unwrap_or(Duration::from_secs(1));
        let stages = f.stages("stages");
        let (pre_allocated_vus, max_vus) = parse_vus(f);
        RampingArrivalRate { start_rate: start_rate.max(0) as u64, time_unit, stages, pre_allocated_vus, max_vus }
    }

    /// The sum of the stage durations.
    pub fn duration(&self) -> Duration {
        self.stages.iter().map(|s| s.duration).sum()
    }

    /// How many iterations the schedule starts: the whole part of the total area.
    pub fn total_iterations(&self) -> u64 {
        let mut area = Area::new(self);
        for stage in &self.stages {
            area.add(stage);
        }
        area.end_count.max(0.0).floor() as u64
    }

    /// When iteration `i` (0-based) starts, after the scenario start; `None` if the stages end
    /// first. O(stages); use [`starts`](Self::starts) to walk the schedule.
    pub fn nth_start(&self, i: u64) -> Option<Duration> {
        let n = (i + 1) as f64;
        let mut area = Area::new(self);
        for stage in &self.stages {
            area.add(stage);
            if n <= area.end_count {
                return Some(area.start_of(n));
            }
        }
        None
    }

    /// The schedule in order: the start offset of iteration 0, 1, 2, ... until the stages end.
    pub fn starts(&self) -> ArrivalStarts<'_> {
        ArrivalStarts { stages: &self.stages, next_stage: 0, area: Area::new(self), n: 1.0 }
    }
}

impl Executor for RampingArrivalRate {
    fn name(&self) -> &'static str {
        NAME
    }

    /// k6's `RampingArrivalRateConfig.Validate`. (k6 only rejects a negative `timeUnit` here; a
    /// zero one would divide by zero, so rload rejects it with the same message.)
    fn validate(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.time_unit.is_zero() {
            errors.push("the timeUnit must be more than 0".to_owned());
        }
        if self.stages.is_empty() {
            errors.push("at least one stage has to be specified".to_owned());
        }
        errors.extend(max_vus_problem(self.pre_allocated_vus, self.max_vus));
        errors
    }

    /// k6: `"Up to 10.00 iterations/s for 9m0s over 4 stages"` with the fact `maxVUs: 50`.
    /// For a segment, k6 scales the peak rate by the segment's length; see [`vus_fact`].
    fn description(&self, et: &ExecutionTuple) -> (String, Option<String>) {
        let peak = self.stages.iter().map(|s| s.target).fold(self.start_rate, u64::max);
        (
            format!(
                "Up to {} iterations/s for {} over {} stages",
                per_second(peak as f64 * et.segment().length().to_f64(), self.time_unit),
                go_duration(self.duration()),
                self.stages.len()
            ),
            Some(vus_fact(self.pre_allocated_vus, self.max_vus, et)),
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
            "startRate": self.start_rate,
            "timeUnit": go_duration(self.time_unit),
            "stages": stages_json(&self.stages),
            "preAllocatedVUs": self.pre_allocated_vus,
            "maxVUs": self.max_vus,
        }))
    }

    fn max_duration(&self) -> Duration {
        self.duration()
    }

    fn runner(&self, et: &ExecutionTuple) -> Box<dyn Runner> {
        let plan = Box::new(self.clone());
        Box::new(ArrivalRate::new(plan, et, self.max_vus, self.pre_allocated_vus(et), self.max_vus(et)))
    }
}

impl ArrivalPlan for RampingArrivalRate {
    fn starts(&self) -> Box<dyn Iterator<Item = Duration> + '_> {
        Box::new(RampingArrivalRate::starts(self))
    }

    /// k6's `Run` returns when `cal` has sent its last start.
    fn ends_at_last_start(&self) -> bool {
        true
    }
}

/// The running area under the rate curve, stage by stage, accumulated exactly as k6 does so
/// that float rounding lands the same way.
#[derive(Debug, Clone)]
struct Area {
    time_unit: f64,
    /// Rate at the start / end of the current stage, per nanosecond.
    from: f64,
    to: f64,
    /// Current stage's duration in nanoseconds, and its start offset.
    len: f64,
    stage_start: Duration,
    next_stage_start: Duration,
    /// Cumulative area before / at the end of the current stage.
    done: f64,
    end_count: f64,
}

impl Area {
    fn new(c: &RampingArrivalRate) -> Area {
        let time_unit = c.time_unit.as_nanos() as f64;
        let start = c.start_rate as f64 / time_unit;
        Area {
            time_unit,
            from: start,
            to: start,
            len: 0.0,
            stage_start: Duration::ZERO,
            next_stage_start: Duration::ZERO,
            done: 0.0,
            end_count: 0.0,
        }
    }

    /// Moves on to `stage`.
    fn add(&mut self, stage: &Stage) {
        self.from = self.to;
        self.done = self.end_count;
        self.stage_start = self.next_stage_start;
        self.next_stage_start += stage.duration;
        self.to = stage.target as f64 / self.time_unit;
        self.len = stage.duration.as_nanos() as f64;
        self.end_count += if self.from != self.to {
            self.len * ((self.to - self.from) / 2.0 + self.from)
        } else {
            self.len * self.to
        };
    }

    /// When the cumulative area reaches `n`, which must lie within the current stage.
    fn start_of(&self, n: f64) -> Duration {
        let (from, to, len, a) = (self.from, self.to, self.len, n - self.done);
        let x = if from != to {
            (from * len - non_negative_sqrt(len * (from * from * len + 2.0 * a * (to - from)))) / (from - to)
        } else {
            a / to
        };
        // Go's time.Duration(x) truncates toward zero; a float error below zero clamps to 0.
        self.stage_start + Duration::from_nanos(x as u64)
    }
}

/// k6's `noNegativeSqrt`: float error can leave a tiny negative where the exact value is 0.
fn non_negative_sqrt(v: f64) -> f64 {
    if v.is_sign_negative() {
        0.0
    } else {
        v.sqrt()
    }
}

/// Iterator over a ramping-arrival-rate schedule; see [`RampingArrivalRate::starts`].
#[derive(Debug, Clone)]
pub struct ArrivalStarts<'a> {
    stages: &'a [Stage],
    next_stage: usize,
    area: Area,
    /// The area the next iteration waits for (iteration index + 1).
    n: f64,
}

impl Iterator for ArrivalStarts<'_> {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        while self.next_stage == 0 || self.n > self.area.end_count {
            let stage = self.stages.get(self.next_stage)?;
            self.area.add(stage);
            self.next_stage += 1;
        }
        let at = self.area.start_of(self.n);
        self.n += 1.0;
        Some(at)
    }
}

/// k6's `maxVUs` fact for ramping-arrival-rate, which unlike constant-arrival-rate's decides
/// between `PRE` and `PRE-MAX` on the whole test's values and prints the segment's: k6 v1.1
/// shows `maxVUs: 1-1` for `preAllocatedVUs: 3, maxVUs: 6` in the quarter 2/4:3/4.
fn vus_fact(pre: u64, max: u64, et: &ExecutionTuple) -> String {
    if max > pre {
        format!("maxVUs: {}-{}", et.scale(pre), et.scale(max))
    } else {
        format!("maxVUs: {}", et.scale(pre))
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_scenarios;
    use super::*;
    use serde_json::json;

    fn rar(start_rate: u64, time_unit: Duration, stages: &[(u64, u64)]) -> RampingArrivalRate {
        RampingArrivalRate {
            start_rate,
            time_unit,
            stages: stages.iter().map(|&(d, t)| Stage { duration: Duration::from_secs(d), target: t }).collect(),
            pre_allocated_vus: 1,
            max_vus: 1,
        }
    }

    fn starts_ms(c: &RampingArrivalRate) -> Vec<u64> {
        c.starts().map(|d| d.as_millis() as u64).collect()
    }

    /// `starts()`, `nth_start()` and `total_iterations()` describe the same schedule.
    fn assert_consistent(c: &RampingArrivalRate) {
        let all: Vec<Duration> = c.starts().collect();
        assert_eq!(all.len() as u64, c.total_iterations());
        for (i, at) in all.iter().enumerate() {
            assert_eq!(c.nth_start(i as u64), Some(*at), "i = {i}");
        }
        assert_eq!(c.nth_start(all.len() as u64), None);
        assert!(all.windows(2).all(|w| w[0] <= w[1]), "in order");
    }

    #[test]
    fn k6_cal_example() {
        // k6's TestRampingArrivalRateCal (times within 0.1%; ours are k6's to the nanosecond).
        let cases: [(Duration, &[u64]); 2] = [
            (Duration::from_secs(1), &[3162, 4472, 5500, 6527, 7837, 11000]),
            (
                Duration::from_secs(1) / 3, // three times as fast
                &[
                    1825, 2581, 3162, 3651, 4082, 4472, 4830, 5166, 5499, 5833, 6169, 6527, 6917, 7348, 7837, 8418,
                    9174, 10999,
                ],
            ),
        ];
        for (time_unit, want) in cases {
            let c = rar(0, time_unit, &[(5, 1), (1, 1), (5, 0)]);
            let got = starts_ms(&c);
            assert_eq!(got.len(), want.len(), "{got:?}");
            for (g, w) in got.iter().zip(want) {
                // k6's own tolerance; e.g. 5.5s comes out as 5.499999999s, in k6 as here.
                assert!(g.abs_diff(*w) as f64 <= *w as f64 * 0.001, "{got:?} vs {want:?}");
            }
            assert_consistent(&c);
        }
        let first = rar(0, Duration::from_secs(1), &[(5, 1)]).nth_start(0).unwrap();
        assert_eq!(first.as_nanos(), (10f64.sqrt() * 1e9) as u128, "area 1 under 0.2·t: t = √10 s");
    }

    #[test]
    fn a_linear_ramp_starts_the_nth_iteration_at_sqrt_2n_over_slope() {
        // 0 → 10/s over 10s: slope 1/s², area t²/2·slope... n-th start at sqrt(2n / slope).
        let c = rar(0, Duration::from_secs(1), &[(10, 10)]);
        assert_eq!(c.total_iterations(), 50);
        for (i, at) in c.starts().enumerate() {
            let n = (i + 1) as f64;
            let want = (2.0 * n / 1.0).sqrt();
            assert!((at.as_secs_f64() - want).abs() < 1e-6, "n = {n}: {at:?} vs {want}");
        }
        assert_eq!(c.nth_start(49), Some(Duration::from_secs(10)));
        assert_consistent(&c);
    }

    #[test]
    fn a_constant_stage_matches_constant_arrival_rate_one_period_later() {
        // k6 starts ramping-arrival-rate iterations when the area reaches 1, 2, ...: a constant
        // 5/s stage starts at 200ms, 400ms, ... 10s, where constant-arrival-rate starts at 0
        // (and, as k6's ticker, at 10s too).
        let c = rar(5, Duration::from_secs(1), &[(10, 5)]);
        let car = crate::executor::ConstantArrivalRate {
            rate: 5,
            time_unit: Duration::from_secs(1),
            duration: Duration::from_secs(10),
            pre_allocated_vus: 1,
            max_vus: 1,
        };
        assert_eq!(c.total_iterations(), car.total_iterations() - 1);
        for (i, at) in c.starts().enumerate() {
            assert_eq!(Some(at), car.nth_start(i as u64 + 1), "i = {i}");
        }
        assert_consistent(&c);
    }

    #[test]
    fn k6_docs_example() {
        // k6 docs, ramping-arrival-rate: 300/min for 1m, → 600/min over 2m, hold 4m, → 60/min over 2m.
        let s = &parse_scenarios(&json!({"contacts": {
            "executor": NAME, "startRate": 300, "timeUnit": "1m", "preAllocatedVUs": 50,
            "stages": [
                {"target": 300, "duration": "1m"}, {"target": 600, "duration": "2m"},
                {"target": 600, "duration": "4m"}, {"target": 60, "duration": "2m"}
            ]
        }}))
        .unwrap()[0];
        assert_eq!(s.describe(), "Up to 10.00 iterations/s for 9m0s over 4 stages (maxVUs: 50, gracefulStop: 30s)");
        assert_eq!((s.pre_allocated_vus(), s.max_vus(), s.max_duration()), (50, 50, Duration::from_secs(540)));
        let c = s.executor_as::<RampingArrivalRate>().unwrap();
        assert_eq!(c.total_iterations(), 300 + 900 + 2400 + 660);
        assert_eq!(c.nth_start(0), Some(Duration::from_millis(200)));
        assert_consistent(c);
    }

    #[test]
    fn zero_rate_and_zero_duration_stages_start_nothing() {
        let c = rar(0, Duration::from_secs(1), &[(5, 0), (0, 10), (1, 10)]);
        assert_eq!(starts_ms(&c), (1..=10).map(|n| 5000 + n * 100).collect::<Vec<_>>());
        assert_consistent(&c);
        assert_eq!(rar(0, Duration::from_secs(1), &[(5, 0)]).starts().next(), None);
    }

    #[test]
    fn validation_messages_are_k6s() {
        let cases = [
            (
                json!({"executor": NAME}),
                vec!["the number of preAllocatedVUs isn't specified", "at least one stage has to be specified"],
            ),
            (
                json!({"executor": NAME, "startRate": -1, "timeUnit": 0, "preAllocatedVUs": 3, "maxVUs": 2,
                    "stages": [{"duration": "1s", "target": 1}]}),
                vec![
                    "the startRate value can't be negative",
                    "the timeUnit must be more than 0",
                    "maxVUs (2) can't be less than preAllocatedVUs (3)",
                ],
            ),
        ];
        for (cfg, want) in cases {
            let want: Vec<String> = want.iter().map(|w| format!("scenario \"s\": {w}")).collect();
            assert_eq!(parse_scenarios(&json!({ "s": cfg })).unwrap_err(), want);
        }
    }
}
