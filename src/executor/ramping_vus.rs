//! `ramping-vus`: a number of looping VUs that ramps linearly from stage to stage.
//!
//! This is what the `stages` shortcut becomes. The plan has two layers, both k6's:
//!
//! * [`RampingVus::steps`]: k6's raw execution steps, how many VUs should be *looping* at each
//!   moment. Within a stage the count moves linearly from the previous target to this stage's
//!   target, in whole VUs. Ramping **up**, VU number *n* starts when the line reaches *n*
//!   (the count is the line rounded down); ramping **down**, the count drops to *m* only when the
//!   line reaches *m* (rounded up), so no VU stops before its time. Offsets use k6's integer
//!   formula: ramping from `a` to `b` over `D` ending at `T`, the count becomes *n* at
//!   `T - D·|b-n| / |b-a|` (nanoseconds, division truncated). A 0-duration stage jumps at once.
//!   [`RampingVus::vus_at`] is the same plan as a closed form, for any instant.
//! * [`RampingVus::vu_requirements`]: k6's `GetExecutionRequirements`, how many VUs must be
//!   *kept* (not interrupted) at each moment. When the looping count drops, the VU whose index
//!   is ≥ the new count stops taking iterations but may finish the one it is running for
//!   `gracefulRampDown`; it is interrupted only when the requirement drops below its index.
//!   If the count climbs back within that window the VU simply resumes looping. The last step
//!   (0 VUs) is at `sum(stages) + gracefulStop` unless every VU ramped down before.
//!
//! Worked example (k6's `TestRampingVUsConfigExecutionPlanExample`, reproduced in the tests):
//! `startVUs: 4`, stages `2s→6, 5s→1, 4s→5, 4s→1, 3s→4, 2s→4, 0s→1, 3s→1`. Steps:
//! `0s:4 1s:5 2s:6 3s:5 4s:4 5s:3 6s:2 7s:1 8s:2 9s:3 10s:4 11s:5 12s:4 13s:3 14s:2 15s:1
//! 16s:2 17s:3 18s:4 20s:1 23s:0`. With `gracefulRampDown` and `gracefulStop` at 30s the
//! requirements are `0s:4 1s:5 2s:6 33s:5 42s:4 50s:1 53s:0`: the 6th VU (ramped down at 3s) is
//! only reclaimed at 33s, and the scenario can run until 53s.

use std::time::Duration;

use serde_json::json;

use super::looping::LoopingVus;
use super::{go_duration, json_map, stages_json, ExecutionTuple, Executor, ExecutorType, Fields, Runner};
use crate::config::Stage;

pub const NAME: &str = "ramping-vus";
pub(super) const TYPE: ExecutorType = ExecutorType {
    name: NAME,
    keys: &["startVUs", "stages", "gracefulRampDown"],
    parse: |f| Box::new(RampingVus::parse(f)),
};

/// k6's `maxConcurrentVUs` sanity limit for `startVUs` and stage targets.
pub const MAX_CONCURRENT_VUS: u64 = 100_000_000;

/// k6 defaults: `startVUs: 1`, `gracefulRampDown: "30s"`; `stages` is required.
#[derive(Debug, Clone, PartialEq)]
pub struct RampingVus {
    pub start_vus: u64,
    pub stages: Vec<Stage>,
    pub graceful_ramp_down: Duration,
}

impl RampingVus {
    /// `startVUs: 1`, `gracefulRampDown: 30s`.
    pub fn new(stages: Vec<Stage>) -> RampingVus {
        RampingVus { start_vus: 1, stages, graceful_ramp_down: Duration::from_secs(30) }
    }

    pub(super) fn parse(f: &mut Fields) -> RampingVus {
        let start = f.int("startVUs").unwrap_or(1);
        if start < 0 {
            f.error("startVUs: the number of start VUs can't be negative");
        }
        RampingVus {
            start_vus: start.max(0) as u64,
            stages: f.stages("stages"),
            graceful_ramp_down: f.duration("gracefulRampDown").unwrap_or(Duration::from_secs(30)),
        }
    }

    /// The sum of the stage durations: when the last VU stops taking new iterations.
    pub fn duration(&self) -> Duration {
        self.stages.iter().map(|s| s.duration).sum()
    }

    /// The largest of `startVUs` and the stage targets.
    pub fn peak_vus(&self) -> u64 {
        self.stages.iter().map(|s| s.target).fold(self.start_vus, u64::max)
    }

    /// VUs that should be looping at `t` after the scenario start (0 from [`duration`](Self::duration)
    /// on). Equals the value of the last of [`steps`](Self::steps) at or before `t`, computed in
    /// O(stages) without allocating.
    pub fn vus_at(&self, t: Duration) -> u64 {
        let mut from = self.start_vus;
        let mut end = Duration::ZERO;
        for stage in &self.stages {
            end += stage.duration;
            if t < end {
                // Within a stage of nonzero duration D; `left` = end - t ∈ (0, D].
                let (to, d, left) = (stage.target, stage.duration.as_nanos(), (end - t).as_nanos());
                return if to >= from {
                    to - (left * u128::from(to - from)).div_ceil(d) as u64
                } else {
                    to + (left * u128::from(from - to)).div_ceil(d) as u64
                };
            }
            from = stage.target;
        }
        0
    }

    /// k6's raw execution steps with the final drop to 0 (`getRawExecutionSteps(zeroEnd=true)`):
    /// `(offset, VUs)` pairs, one each time the whole number of looping VUs changes.
    pub fn steps(&self) -> Vec<(Duration, u64)> {
        self.steps_for(&ExecutionTuple::full())
    }

    /// [`steps`](Self::steps) for an execution segment: the segment's VUs are its stripe of
    /// the whole test's VU numbers, so its count at any moment is its [`ExecutionTuple::scale`]
    /// of the whole count, and it changes exactly when the whole count crosses one of its VUs
    /// (what k6 computes from the striped offsets).
    pub fn steps_for(&self, et: &ExecutionTuple) -> Vec<(Duration, u64)> {
        let mut steps = self.raw_steps_for(et);
        let end = self.duration();
        if steps.last().is_some_and(|s| s.1 != 0) {
            steps.push((end, 0));
        }
        steps
    }

    /// Raw steps of a segment, without the final 0.
    fn raw_steps_for(&self, et: &ExecutionTuple) -> Vec<(Duration, u64)> {
        let mut out: Vec<(Duration, u64)> = Vec::new();
        for (at, vus) in self.raw_steps() {
            let vus = et.scale(vus);
            if out.last().is_none_or(|s| s.1 != vus) {
                out.push((at, vus));
            }
        }
        out
    }

    /// Raw steps without the final 0 (`zeroEnd=false`).
    fn raw_steps(&self) -> Vec<(Duration, u64)> {
        let mut steps = vec![(Duration::ZERO, self.start_vus)];
        let mut add = |at: Duration, vus: u64| {
            if steps.last().is_some_and(|s| s.1 != vus) {
                steps.push((at, vus));
            }
        };
        let mut from = self.start_vus;
        let mut end = Duration::ZERO;
        for stage in &self.stages {
            end += stage.duration;
            let to = stage.target;
            if to == from {
                continue;
            }
            if stage.duration.is_zero() {
                add(end, to);
            } else {
                let d = stage.duration.as_nanos();
                let span = u128::from(from.abs_diff(to));
                let at = |n: u64| end - nanos(d * u128::from(n.abs_diff(to)) / span);
                if to > from {
                    for n in from + 1..=to {
                        add(at(n), n);
                    }
                } else {
                    for n in (to..from).rev() {
                        add(at(n), n);
                    }
                }
            }
            from = to;
        }
        steps
    }

    /// k6's `GetExecutionRequirements`: `(offset, VUs)` steps of how many VUs must be kept,
    /// counting VUs that finish an iteration during `gracefulRampDown`, and ending with 0 VUs at
    /// `sum(stages) + graceful_stop` at the latest. See the module docs.
    pub fn vu_requirements(&self, graceful_stop: Duration) -> Vec<(Duration, u64)> {
        self.vu_requirements_for(&ExecutionTuple::full(), graceful_stop)
    }

    /// [`vu_requirements`](Self::vu_requirements) for an execution segment.
    pub fn vu_requirements_for(&self, et: &ExecutionTuple, graceful_stop: Duration) -> Vec<(Duration, u64)> {
        let raw = self.raw_steps_for(et);
        let end = self.duration() + graceful_stop;
        let mut steps = if self.graceful_ramp_down.is_zero() { raw } else { self.reserve_for_ramp_downs(&raw, end) };
        if steps.last().is_some_and(|s| s.1 != 0) {
            steps.push((end, 0));
        }
        steps
    }

    /// k6's `reserveVUsForGracefulRampDowns`: walk the raw steps; whenever the count drops, keep
    /// the previous count for `gracefulRampDown` longer, unless within that window the raw count
    /// climbs back to it (then jump there, nothing to reserve). Steps at or after `end` are
    /// dropped; the caller adds the final 0.
    fn reserve_for_ramp_downs(&self, raw: &[(Duration, u64)], end: Duration) -> Vec<(Duration, u64)> {
        let mut out = Vec::new();
        let mut kept = 0;
        // Where the last lookahead saw the downward slope end; later lookaheads start there.
        let mut slope_seen = 0;
        let mut i = 0;
        while i < raw.len() {
            let (at, vus) = raw[i];
            if i == 0 || vus > kept {
                out.push(raw[i]);
                kept = vus;
                i += 1;
                continue;
            }
            if vus == kept {
                i += 1;
                continue;
            }
            let until = at + self.graceful_ramp_down;
            let mut climbs_back = None;
            let mut still_down = true;
            for j in (i + 1).max(slope_seen)..raw.len() {
                if raw[j].0 > until {
                    break;
                }
                if raw[j].1 >= kept {
                    climbs_back = Some(j);
                    break;
                }
                if still_down {
                    if raw[j - 1].1 > raw[j].1 {
                        slope_seen = j;
                    } else {
                        still_down = false;
                    }
                }
            }
            if let Some(j) = climbs_back {
                i = j;
                continue;
            }
            if until >= end {
                break;
            }
            out.push((until, vus));
            kept = vus;
            i += 1;
        }
        out
    }
}

impl Executor for RampingVus {
    fn name(&self) -> &'static str {
        NAME
    }

    /// k6's `RampingVUsConfig.Validate` (per-stage type errors are reported while parsing).
    fn validate(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.peak_vus() == 0 {
            errors.push("either startVUs or one of the stages' target values must be greater than 0".to_owned());
        }
        if self.stages.is_empty() {
            errors.push("at least one stage has to be specified".to_owned());
        }
        if self.start_vus > MAX_CONCURRENT_VUS {
            errors.push(format!("the startVUs exceed max limit of {MAX_CONCURRENT_VUS}"));
        }
        for (i, s) in self.stages.iter().enumerate() {
            if s.target > MAX_CONCURRENT_VUS {
                errors.push(format!("target for stage {} exceeds max limit of {MAX_CONCURRENT_VUS}", i + 1));
            }
        }
        errors
    }

    fn description(&self, et: &ExecutionTuple) -> (String, Option<String>) {
        (
            format!(
                "Up to {} looping VUs for {} over {} stages",
                self.max_vus(et),
                go_duration(self.duration()),
                self.stages.len()
            ),
            Some(format!("gracefulRampDown: {}", go_duration(self.graceful_ramp_down))),
        )
    }

    /// The segment's share of the peak, which is also the peak of k6's
    /// `GetExecutionRequirements` since graceful ramp-down never adds VUs.
    fn max_vus(&self, et: &ExecutionTuple) -> u64 {
        et.scale(self.peak_vus())
    }

    fn k6_config(&self) -> serde_json::Map<String, serde_json::Value> {
        json_map(json!({
            "startVUs": self.start_vus,
            "stages": stages_json(&self.stages),
            "gracefulRampDown": go_duration(self.graceful_ramp_down),
        }))
    }

    fn max_duration(&self) -> Duration {
        self.duration()
    }

    /// The last of [`vu_requirements_for`](RampingVus::vu_requirements_for): earlier than
    /// `sum(stages) + gracefulStop` when every VU has ramped down before.
    fn end_offset(&self, et: &ExecutionTuple, graceful_stop: Duration) -> Duration {
        self.vu_requirements_for(et, graceful_stop).last().map_or(Duration::ZERO, |s| s.0)
    }

    fn runner(&self, et: &ExecutionTuple) -> Box<dyn Runner> {
        Box::new(LoopingVus::new(self.steps_for(et), self.graceful_ramp_down))
    }
}

fn nanos(n: u128) -> Duration {
    Duration::from_nanos(u64::try_from(n).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::super::parse_scenarios;
    use super::*;
    use serde_json::json;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn stages(list: &[(u64, u64)]) -> Vec<Stage> {
        list.iter().map(|&(d, t)| Stage { duration: secs(d), target: t }).collect()
    }

    fn plan(pairs: &[(u64, u64)]) -> Vec<(Duration, u64)> {
        pairs.iter().map(|&(t, v)| (secs(t), v)).collect()
    }

    /// k6's `TestRampingVUsConfigExecutionPlanExample` configuration.
    fn k6_example() -> RampingVus {
        RampingVus {
            start_vus: 4,
            ..RampingVus::new(stages(&[(2, 6), (5, 1), (4, 5), (4, 1), (3, 4), (2, 4), (0, 1), (3, 1)]))
        }
    }

    const K6_EXAMPLE_RAW: &[(u64, u64)] = &[
        (0, 4),
        (1, 5),
        (2, 6),
        (3, 5),
        (4, 4),
        (5, 3),
        (6, 2),
        (7, 1),
        (8, 2),
        (9, 3),
        (10, 4),
        (11, 5),
        (12, 4),
        (13, 3),
        (14, 2),
        (15, 1),
        (16, 2),
        (17, 3),
        (18, 4),
        (20, 1),
    ];

    /// Checks `vus_at` against the step list at every step and every 1 ms in between.
    fn assert_vus_at_follows_steps(c: &RampingVus) {
        let steps = c.steps();
        let end = c.duration() + Duration::from_millis(5);
        let mut t = Duration::ZERO;
        while t <= end {
            let want = steps.iter().rev().find(|s| s.0 <= t).map_or(0, |s| s.1);
            assert_eq!(c.vus_at(t), want, "at {t:?}");
            t += Duration::from_millis(1);
        }
        for &(at, _) in &steps {
            let want = steps.iter().rev().find(|s| s.0 <= at).unwrap().1;
            assert_eq!(c.vus_at(at), want, "at step {at:?}");
        }
    }

    #[test]
    fn k6_execution_plan_example_raw_steps() {
        let c = k6_example();
        let mut want = plan(K6_EXAMPLE_RAW);
        assert_eq!(c.raw_steps(), want);
        want.push((secs(23), 0));
        assert_eq!(c.steps(), want);
        assert_vus_at_follows_steps(&c);
    }

    #[test]
    fn k6_execution_plan_example_requirements_with_graceful_periods() {
        let mut c = k6_example();
        let cases: &[(u64, &[(u64, u64)])] = &[
            (30, &[(0, 4), (1, 5), (2, 6), (33, 5), (42, 4), (50, 1), (53, 0)]),
            (80, &[(0, 4), (1, 5), (2, 6), (33, 5), (42, 4), (50, 1), (103, 0)]),
            (3, &[(0, 4), (1, 5), (2, 6), (26, 0)]),
            (0, &[(0, 4), (1, 5), (2, 6), (23, 0)]),
        ];
        for &(graceful_stop, want) in cases {
            assert_eq!(c.vu_requirements(secs(graceful_stop)), plan(want), "gracefulStop {graceful_stop}s");
        }
        c.graceful_ramp_down = Duration::ZERO;
        assert_eq!(c.vu_requirements(Duration::ZERO), c.steps(), "no graceful periods: the raw plan");
    }

    /// k6's `TestRampingVUsExecutionTupleTests` configuration.
    fn k6_tuple_example() -> RampingVus {
        let list = [(2, 6), (5, 1), (4, 5), (4, 1), (3, 4), (2, 4), (0, 1), (3, 1), (0, 5), (3, 5), (0, 0), (2, 2)];
        let mut c = RampingVus { start_vus: 4, ..RampingVus::new(stages(&list)) };
        c.stages.extend(stages(&[(2, 0), (4, 4)]));
        c
    }

    #[test]
    fn k6_execution_tuple_example_with_jumps_to_zero() {
        // k6's TestRampingVUsExecutionTupleTests, full execution segment.
        let c = k6_tuple_example();
        let mut want = plan(K6_EXAMPLE_RAW);
        want.extend(plan(&[(23, 5), (26, 0), (27, 1), (28, 2), (29, 1), (30, 0), (31, 1), (32, 2), (33, 3), (34, 4)]));
        assert_eq!(c.raw_steps(), want);
        want.push((secs(34), 0));
        assert_eq!(c.steps(), want, "the last stage ends on 4 VUs: the zero end is at 34s too");
        assert_vus_at_follows_steps(&c);
    }

    #[test]
    fn k6_execution_tuple_examples_per_segment() {
        // k6's TestRampingVUsExecutionTupleTests and ...GetRawExecutionStepsCornerCases ("strange").
        use crate::executor::segment::{ExecutionSegment, ExecutionSegmentSequence};
        let tuple = |seg: &str, seq: &str| {
            let seq = ExecutionSegmentSequence::parse(seq).unwrap();
            ExecutionTuple::new(ExecutionSegment::parse(seg).unwrap(), &seq).unwrap()
        };
        let thirds: &[(u64, u64)] = &[
            (0, 1),
            (1, 2),
            (4, 1),
            (7, 0),
            (8, 1),
            (11, 2),
            (12, 1),
            (15, 0),
            (16, 1),
            (20, 0),
            (23, 2),
            (26, 0),
            (28, 1),
            (29, 0),
            (32, 1),
        ];
        type Case<'a> = (&'a str, &'a str, &'a [(u64, u64)]);
        let cases: [Case; 6] = [
            ("0:1/3", "", thirds),
            ("0:1/3", "0,1/3,1", thirds),
            ("2/3:1", "", thirds),
            ("1/3:2/3", "0,1/3,2/3,1", thirds),
            (
                "0:1/3",
                "0,1/3,2/3,1",
                &[
                    (0, 2),
                    (5, 1),
                    (10, 2),
                    (13, 1),
                    (18, 2),
                    (20, 1),
                    (23, 2),
                    (26, 0),
                    (27, 1),
                    (30, 0),
                    (31, 1),
                    (34, 2),
                ],
            ),
            (
                "2/3:1",
                "0,1/3,2/3,1",
                &[(0, 1), (2, 2), (3, 1), (6, 0), (9, 1), (14, 0), (17, 1), (20, 0), (23, 1), (26, 0), (33, 1)],
            ),
        ];
        let c = k6_tuple_example();
        for (seg, seq, want) in cases {
            assert_eq!(c.raw_steps_for(&tuple(seg, seq)), plan(want), "{seg} in {seq}");
        }
        let strange = RampingVus { start_vus: 0, ..RampingVus::new(stages(&[(20, 20), (30, 30)])) };
        let want = [(0, 0), (1, 1), (5, 2), (8, 3), (11, 4), (15, 5), (18, 6), (23, 7), (35, 8), (44, 9)];
        let et = tuple("0:0.3", "0,0.3,0.6,0.9,1");
        assert_eq!(strange.raw_steps_for(&et), plan(&want));
        assert_eq!((strange.max_vus(&et), strange.max_vus(&ExecutionTuple::full())), (9, 30));
    }

    #[test]
    fn k6_docs_example_ramps_up_then_down() {
        // k6 docs, ramping-vus: startVUs 0, 20s → 10, 10s → 0, gracefulRampDown 0s.
        let s = &parse_scenarios(&json!({"contacts": {
            "executor": NAME, "startVUs": 0, "gracefulRampDown": "0s",
            "stages": [{"duration": "20s", "target": 10}, {"duration": "10s", "target": 0}]
        }}))
        .unwrap()[0];
        assert_eq!(
            s.describe(),
            "Up to 10 looping VUs for 30s over 2 stages (gracefulRampDown: 0s, gracefulStop: 30s)"
        );
        let c = s.executor_as::<RampingVus>().unwrap();
        let up: Vec<_> = (1..=10).map(|n| (secs(2 * n), n)).collect();
        let down: Vec<_> = (0..10).rev().map(|n| (secs(30 - n), n)).collect();
        let want: Vec<_> = [(secs(0), 0)].into_iter().chain(up).chain(down).collect();
        assert_eq!(c.steps(), want, "a VU every 2s up, one leaves every 1s down, the last at 30s");
        assert_eq!(c.vus_at(Duration::from_millis(3999)), 1);
        assert_eq!(c.vus_at(secs(4)), 2);
        assert_eq!(c.vus_at(Duration::from_millis(20_999)), 10, "ramping down rounds up");
        assert_eq!(c.vus_at(secs(21)), 9);
        assert_eq!(s.max_duration(), secs(30));
        assert_eq!(s.end_offset(), secs(30), "everyone ramped down: no gracefulStop needed");
        assert_vus_at_follows_steps(c);
    }

    #[test]
    fn graceful_ramp_down_reclaims_vus_after_the_window() {
        // 10s → 10, 10s → 0 with gracefulRampDown 5s: the last VU ramps down at 20s and is
        // reclaimed at 25s, before 20s + gracefulStop.
        let c =
            RampingVus { start_vus: 0, graceful_ramp_down: secs(5), ..RampingVus::new(stages(&[(10, 10), (10, 0)])) };
        let req = c.vu_requirements(secs(30));
        assert_eq!(req.iter().map(|s| s.1).max(), Some(10));
        assert_eq!(req.last(), Some(&(secs(25), 0)));
        assert_eq!(req[11], (secs(16), 9), "the first VU to leave (at 11s) is reclaimed 5s later");
    }

    #[test]
    fn uneven_ramps_truncate_offsets_like_k6() {
        // 0 → 3 over 10s: VU n starts at 10s - 10s·(3-n)/3, truncated to the nanosecond.
        let c = RampingVus { start_vus: 0, ..RampingVus::new(stages(&[(10, 3)])) };
        let want = vec![
            (Duration::ZERO, 0),
            (Duration::from_nanos(3_333_333_334), 1),
            (Duration::from_nanos(6_666_666_667), 2),
            (secs(10), 3),
            (secs(10), 0),
        ];
        assert_eq!(c.steps(), want);
        assert_eq!(c.vus_at(Duration::from_nanos(3_333_333_333)), 0);
        assert_eq!(c.vus_at(Duration::from_nanos(3_333_333_334)), 1);
    }

    #[test]
    fn validation_messages_are_k6s() {
        let cases = [
            (json!({"executor": NAME}), vec!["at least one stage has to be specified"]),
            (
                json!({"executor": NAME, "startVUs": 0, "stages": [{"duration": "10s", "target": 0}]}),
                vec!["either startVUs or one of the stages' target values must be greater than 0"],
            ),
            (
                json!({"executor": NAME, "startVUs": -1, "stages": [{"duration": "1s", "target": 1}]}),
                vec!["startVUs: the number of start VUs can't be negative"],
            ),
            (
                json!({"executor": NAME, "stages": [{"target": 1}, {"duration": "1s"}, {"duration": "1s", "target": -3},
                                                   {"duration": "1x", "target": 1}, {"duration": "1s", "target": 1, "x": 1}, 5]}),
                vec![
                    "stage 1 doesn't have a duration",
                    "stage 2 doesn't have a target",
                    "the target for stage 3 can't be negative",
                    "stages[3].duration: invalid duration \"1x\": unknown unit \"x\"",
                    "stages[4]: unknown key \"x\" (a stage has duration and target)",
                    "stages[5]: must be a map #{ duration, target }, got a number",
                ],
            ),
            (
                json!({"executor": NAME, "startVUs": 100_000_001u64, "stages": [{"duration": "1s", "target": 100_000_001u64}]}),
                vec!["the startVUs exceed max limit of 100000000", "target for stage 1 exceeds max limit of 100000000"],
            ),
        ];
        for (cfg, want) in cases {
            let want: Vec<String> = want.iter().map(|w| format!("scenario \"s\": {w}")).collect();
            assert_eq!(parse_scenarios(&json!({ "s": cfg })).unwrap_err(), want);
        }
    }

    #[test]
    fn a_zero_target_stage_with_default_start_vus_is_valid() {
        // k6's TestRampingVUsConfigValidation: startVUs defaults to 1, so this passes.
        assert!(RampingVus::new(stages(&[(12, 0)])).validate().is_empty());
    }
}
