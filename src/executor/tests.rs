use super::*;
use serde_json::json;

fn errors_of(v: Value) -> Vec<String> {
    parse_scenarios(&v).unwrap_err()
}

#[test]
fn parses_every_executor_with_k6_defaults() {
    let got = parse_scenarios(&json!({
        "a": {"executor": "shared-iterations"},
        "b": {"executor": "per-vu-iterations"},
        "c": {"executor": "constant-vus", "duration": "10s"},
        "d": {"executor": "ramping-vus", "stages": [{"duration": "10s", "target": 5}]},
        "e": {"executor": "constant-arrival-rate", "rate": 10, "duration": "1m", "preAllocatedVUs": 5},
        "f": {"executor": "ramping-arrival-rate", "stages": [{"duration": "10s", "target": 5}], "preAllocatedVUs": 2},
    }))
    .unwrap();
    let by = |n: &str| got.iter().find(|s| s.name == n).unwrap();
    assert_eq!(
        by("a").executor_as::<SharedIterations>(),
        Some(&SharedIterations { vus: 1, iterations: 1, max_duration: Duration::from_secs(600) })
    );
    assert_eq!(
        by("b").executor_as::<PerVuIterations>(),
        Some(&PerVuIterations { vus: 1, iterations: 1, max_duration: Duration::from_secs(600) })
    );
    assert_eq!(by("c").executor_as::<ConstantVus>(), Some(&ConstantVus { vus: 1, duration: Duration::from_secs(10) }));
    let d = by("d").executor_as::<RampingVus>().unwrap();
    assert_eq!((d.start_vus, d.graceful_ramp_down), (1, Duration::from_secs(30)));
    let e = by("e").executor_as::<ConstantArrivalRate>().unwrap();
    assert_eq!((e.time_unit, e.pre_allocated_vus, e.max_vus), (Duration::from_secs(1), 5, 5));
    let f = by("f").executor_as::<RampingArrivalRate>().unwrap();
    assert_eq!((f.start_rate, f.time_unit, f.max_vus), (0, Duration::from_secs(1), 2));
    for s in &got {
        assert_eq!((s.start_time, s.graceful_stop, s.exec.as_str()), (Duration::ZERO, DEFAULT_GRACEFUL_STOP, "run"));
    }
}

#[test]
fn base_options_apply_to_every_executor() {
    let got = parse_scenarios(&json!({
        "api": {"executor": "constant-vus", "duration": 10000, "startTime": "30s", "gracefulStop": "5s",
                "exec": "api_flow", "env": {"A": "1", "N": 2}, "tags": {"kind": "api"}},
        "dflt": {"executor": "constant-vus", "duration": "10s", "exec": "default"},
    }))
    .unwrap();
    let api = &got[1];
    assert_eq!(api.name, "api", "sorted by startTime, then name");
    assert_eq!(api.start_time, Duration::from_secs(30));
    assert_eq!(api.graceful_stop, Duration::from_secs(5));
    assert_eq!(api.exec, "api_flow");
    assert_eq!(api.env, vec![("A".into(), "1".into()), ("N".into(), "2".into())]);
    assert_eq!(api.tags, vec![("kind".into(), "api".into())]);
    assert_eq!(api.max_duration(), Duration::from_secs(10));
    assert_eq!(got[0].exec, "run", "k6's \"default\" is rload's run()");
}

#[test]
fn scenarios_are_ordered_like_k6_by_start_time_then_name() {
    let got = parse_scenarios(&json!({
        "b": {"executor": "shared-iterations", "startTime": "10s"},
        "c": {"executor": "shared-iterations"},
        "a": {"executor": "shared-iterations", "startTime": "10s"},
    }))
    .unwrap();
    let names: Vec<&str> = got.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["c", "a", "b"]);
}

#[test]
fn reports_all_problems_of_all_scenarios_at_once() {
    let errs = errors_of(json!({
        "api": {"executor": "constant-arrival-rate", "rate": 10, "duration": "1m",
                "preAllocatedVUs": 10, "maxVUs": 5, "maxVU": 3},
        "bad name!": {"executor": "constant-vus", "duration": "10s"},
        "nope": {"executor": "ramp"},
        "none": {"vus": 3},
        "ext": {"executor": "externally-controlled"},
        "typed": {"executor": "shared-iterations", "vus": 1.5, "gracefulStop": "3x", "exec": "",
                  "env": {"A": []}},
    }));
    let want = [
        "scenario \"api\": unknown option \"maxVU\" for executor constant-arrival-rate (did you mean \"maxVUs\"?)",
        "scenario \"api\": maxVUs (5) can't be less than preAllocatedVUs (10)",
        "scenario \"bad name!\": the scenario name should contain only numbers, latin letters, underscores, and dashes",
        "scenario \"nope\": executor type 'ramp' is unknown (valid: shared-iterations, per-vu-iterations, \
         constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate)",
        "scenario \"none\": doesn't have a specified executor type (set executor to one of: shared-iterations, \
         per-vu-iterations, constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate)",
        "scenario \"ext\": executor type 'externally-controlled' is not supported by rload (valid: \
         shared-iterations, per-vu-iterations, constant-vus, ramping-vus, constant-arrival-rate, \
         ramping-arrival-rate)",
        "scenario \"typed\": vus: must be a whole number, got 1.5",
        "scenario \"typed\": gracefulStop: invalid duration \"3x\": unknown unit \"x\"",
        "scenario \"typed\": exec value cannot be empty",
        "scenario \"typed\": env.A: must be a string, got an array",
    ];
    for w in want {
        assert!(errs.iter().any(|e| e == w), "missing {w:?} in\n{}", errs.join("\n"));
    }
    assert_eq!(errs.len(), want.len(), "{}", errs.join("\n"));
}

#[test]
fn rejects_a_non_map() {
    assert_eq!(errors_of(json!([1])), ["scenarios: must be a map of name → scenario, got an array"]);
    assert_eq!(errors_of(json!({"x": 1})), ["scenario \"x\": must be a map #{ executor: ..., ... }, got a number"]);
}

#[test]
fn describe_appends_exec_start_time_and_graceful_stop_like_k6() {
    let mut s = ScenarioConfig::new("default", ConstantVus { vus: 50, duration: Duration::from_secs(10) });
    assert_eq!(s.describe(), "50 looping VUs for 10s (gracefulStop: 30s)");
    s.graceful_stop = Duration::ZERO;
    assert_eq!(s.describe(), "50 looping VUs for 10s");
    s.exec = "api".into();
    s.start_time = Duration::from_secs(90);
    assert_eq!(s.describe(), "50 looping VUs for 10s (exec: api, startTime: 1m30s)");
}

#[test]
fn end_offset_adds_graceful_stop() {
    let s = ScenarioConfig::new("default", ConstantVus { vus: 1, duration: Duration::from_secs(10) });
    assert_eq!(s.end_offset(), Duration::from_secs(40));
}

/// The three thirds of the test, as k6's `--execution-segment-sequence 0,1/3,2/3,1`.
fn thirds() -> Vec<ExecutionTuple> {
    let seq = segment::ExecutionSegmentSequence::parse("0,1/3,2/3,1").unwrap();
    seq.segments().iter().map(|s| ExecutionTuple::new(*s, &seq).unwrap()).collect()
}

#[test]
fn every_executor_splits_its_vus_and_work_between_segments() {
    let got = parse_scenarios(&json!({
        "a": {"executor": "shared-iterations", "vus": 10, "iterations": 100},
        "b": {"executor": "per-vu-iterations", "vus": 10, "iterations": 20},
        "c": {"executor": "constant-vus", "vus": 10, "duration": "30s"},
        "d": {"executor": "ramping-vus", "startVUs": 0, "stages": [{"duration": "10s", "target": 10}]},
        "e": {"executor": "constant-arrival-rate", "rate": 30, "duration": "10s", "preAllocatedVUs": 5, "maxVUs": 10},
        "f": {"executor": "ramping-arrival-rate", "stages": [{"duration": "10s", "target": 30}], "preAllocatedVUs": 5,
              "maxVUs": 10},
    }))
    .unwrap();
    for s in &got {
        let e = s.executor.as_ref();
        let shares: Vec<u64> = thirds().iter().map(|et| e.max_vus(et)).collect();
        assert_eq!(shares, [4, 3, 3], "{}: maxVUs 10 split in thirds", s.name);
        let pre: u64 = thirds().iter().map(|et| e.pre_allocated_vus(et)).sum();
        assert_eq!(pre, s.pre_allocated_vus(), "{}", s.name);
    }
    let t = thirds();
    let (a, b, c) = (got[0].executor.as_ref(), got[1].executor.as_ref(), got[2].executor.as_ref());
    let shared = got[0].executor_as::<SharedIterations>().unwrap();
    let iterations: Vec<u64> = t.iter().map(|et| shared.iterations_for(et)).collect();
    assert_eq!(iterations, [40, 30, 30], "iterations follow the VUs");
    assert_eq!(a.description(&t[0]).0, "40 iterations shared among 4 VUs", "k6 v1.1 describes what it runs");
    assert_eq!(b.description(&t[1]).0, "20 iterations for each of 3 VUs");
    assert_eq!(c.description(&t[2]).0, "3 looping VUs for 30s");
    let full = ExecutionTuple::full();
    assert_eq!(got[4].executor.description(&full).0, "30.00 iterations/s for 10s");
    assert_eq!(got[4].executor.description(&t[0]).0, "12.00 iterations/s for 10s", "rate × 4/10 maxVUs");
    assert_eq!(got[5].executor.description(&t[0]).0, "Up to 10.00 iterations/s for 10s over 1 stages");
}

#[test]
fn arrival_rate_segments_share_out_the_whole_schedule() {
    let got = parse_scenarios(&json!({
        "e": {"executor": "constant-arrival-rate", "rate": 30, "duration": "10s", "preAllocatedVUs": 5, "maxVUs": 10},
        "f": {"executor": "ramping-arrival-rate", "stages": [{"duration": "10s", "target": 30}], "preAllocatedVUs": 5,
              "maxVUs": 10},
    }))
    .unwrap();
    for (s, total) in got.iter().zip([301, 150]) {
        let c = s.executor.as_ref();
        let whole: Vec<(u64, Duration)> = (0..).zip(arrivals::ArrivalPlan::starts(&PlanOf(s.clone()))).collect();
        assert_eq!(whole.len(), total, "{}", c.name());
        let mut parts: Vec<(u64, Duration)> = thirds()
            .iter()
            .flat_map(|et| {
                let r = arrivals::ArrivalRate::new(Box::new(PlanOf(s.clone())), et, 10, 1, 1);
                r.starts().collect::<Vec<_>>()
            })
            .collect();
        parts.sort();
        assert_eq!(parts, whole, "{}: every iteration in exactly one segment, at its time", c.name());
    }
}

/// A scenario's arrival-rate plan, whichever of the two executors it is.
struct PlanOf(ScenarioConfig);

impl arrivals::ArrivalPlan for PlanOf {
    fn starts(&self) -> Box<dyn Iterator<Item = Duration> + '_> {
        match self.0.executor_as::<ConstantArrivalRate>() {
            Some(e) => arrivals::ArrivalPlan::starts(e),
            None => arrivals::ArrivalPlan::starts(self.0.executor_as::<RampingArrivalRate>().unwrap()),
        }
    }
}
