//! Executors: k6's six scenario executors as validated configs plus pure plans.
//!
//! This module turns `options.scenarios` (or the `vus`/`duration`/`iterations`/`stages`
//! shortcuts, see [`shortcuts`]) into a list of [`ScenarioConfig`]s, with k6's parameter names,
//! defaults, validation messages and header descriptions. Every problem in every scenario is
//! reported at once, each prefixed with `scenario "NAME": `. Each executor lives in its own file
//! with its config, its validation and its plan: the pure functions the runtime calls to know how
//! many VUs to run (`ramping-vus`) or when to start iteration *i* (arrival-rate executors).
//!
//! What this module is not: it owns no clock, thread or VU. Checking that `exec` names a function
//! the script defines is the runtime's job (it has the compiled script).

pub mod constant_arrival_rate;
pub mod constant_vus;
mod fields;
mod format;
pub mod per_vu_iterations;
pub mod ramping_arrival_rate;
pub mod ramping_vus;
pub mod segment;
pub mod shared_iterations;
pub mod shortcuts;

use fields::Fields;
pub use format::go_duration;
use format::per_second;

use std::time::Duration;

use serde_json::Value;

use crate::config::options::kind;

pub use constant_arrival_rate::ConstantArrivalRate;
pub use constant_vus::ConstantVus;
pub use per_vu_iterations::PerVuIterations;
pub use ramping_arrival_rate::{ArrivalStarts, RampingArrivalRate};
pub use ramping_vus::RampingVus;
pub use shared_iterations::SharedIterations;
pub use shortcuts::scenarios_from_options;

/// k6's `DefaultGracefulStopValue`.
pub const DEFAULT_GRACEFUL_STOP: Duration = Duration::from_secs(30);

/// k6's `minDuration`: the shortest `duration`/`maxDuration` a scenario may have (stages are exempt).
pub const MIN_DURATION: Duration = Duration::from_secs(1);

/// The script function a scenario runs when `exec` is not set (k6's `default` export).
pub const DEFAULT_EXEC: &str = "run";

/// The executor types rload runs, in k6's documentation order.
pub const EXECUTOR_TYPES: &[&str] = &[
    "shared-iterations",
    "per-vu-iterations",
    "constant-vus",
    "ramping-vus",
    "constant-arrival-rate",
    "ramping-arrival-rate",
];

/// Keys every scenario accepts, whatever its executor.
const BASE_KEYS: &[&str] = &["executor", "startTime", "gracefulStop", "exec", "env", "tags"];

/// One executor's own parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecutorConfig {
    SharedIterations(SharedIterations),
    PerVuIterations(PerVuIterations),
    ConstantVus(ConstantVus),
    RampingVus(RampingVus),
    ConstantArrivalRate(ConstantArrivalRate),
    RampingArrivalRate(RampingArrivalRate),
}

/// A validated scenario: an executor plus the options every executor shares.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioConfig {
    pub name: String,
    pub executor: ExecutorConfig,
    /// Offset from the start of the test (after `setup`).
    pub start_time: Duration,
    /// How long running iterations may finish after the scenario's regular duration.
    pub graceful_stop: Duration,
    /// The script function to call; k6's `"default"` maps to `run`.
    pub exec: String,
    pub env: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
}

impl ScenarioConfig {
    /// A scenario with k6's base defaults (`gracefulStop: 30s`, `exec: run`).
    pub fn new(name: &str, executor: ExecutorConfig) -> ScenarioConfig {
        ScenarioConfig {
            name: name.to_owned(),
            executor,
            start_time: Duration::ZERO,
            graceful_stop: DEFAULT_GRACEFUL_STOP,
            exec: DEFAULT_EXEC.to_owned(),
            env: Vec::new(),
            tags: Vec::new(),
        }
    }

    /// k6's executor type name, e.g. `"ramping-vus"`.
    pub fn executor_name(&self) -> &'static str {
        match &self.executor {
            ExecutorConfig::SharedIterations(_) => shared_iterations::NAME,
            ExecutorConfig::PerVuIterations(_) => per_vu_iterations::NAME,
            ExecutorConfig::ConstantVus(_) => constant_vus::NAME,
            ExecutorConfig::RampingVus(_) => ramping_vus::NAME,
            ExecutorConfig::ConstantArrivalRate(_) => constant_arrival_rate::NAME,
            ExecutorConfig::RampingArrivalRate(_) => ramping_arrival_rate::NAME,
        }
    }

    /// The most VUs this scenario may ever use (`maxVUs` for the arrival-rate executors; for
    /// `ramping-vus` the largest of `startVUs` and the stage targets, which is also the peak of
    /// k6's `GetExecutionRequirements` since graceful ramp-down never adds VUs).
    pub fn max_vus(&self) -> u64 {
        match &self.executor {
            ExecutorConfig::SharedIterations(c) => c.vus,
            ExecutorConfig::PerVuIterations(c) => c.vus,
            ExecutorConfig::ConstantVus(c) => c.vus,
            ExecutorConfig::RampingVus(c) => c.max_vus(),
            ExecutorConfig::ConstantArrivalRate(c) => c.max_vus,
            ExecutorConfig::RampingArrivalRate(c) => c.max_vus,
        }
    }

    /// VUs to initialise before the test starts: `preAllocatedVUs` for the arrival-rate
    /// executors (the rest are initialised mid-test, on demand), [`max_vus`](Self::max_vus) otherwise.
    pub fn pre_allocated_vus(&self) -> u64 {
        match &self.executor {
            ExecutorConfig::ConstantArrivalRate(c) => c.pre_allocated_vus,
            ExecutorConfig::RampingArrivalRate(c) => c.pre_allocated_vus,
            _ => self.max_vus(),
        }
    }

    /// The regular duration: how long after its start the scenario may begin new iterations,
    /// excluding `gracefulStop` (and, for `ramping-vus`, excluding `gracefulRampDown`): k6's
    /// `maxDuration`, `duration`, or the sum of the stage durations.
    pub fn max_duration(&self) -> Duration {
        match &self.executor {
            ExecutorConfig::SharedIterations(c) => c.max_duration,
            ExecutorConfig::PerVuIterations(c) => c.max_duration,
            ExecutorConfig::ConstantVus(c) => c.duration,
            ExecutorConfig::RampingVus(c) => c.duration(),
            ExecutorConfig::ConstantArrivalRate(c) => c.duration,
            ExecutorConfig::RampingArrivalRate(c) => c.duration(),
        }
    }

    /// When, after its start, every iteration still running is interrupted: the end offset of
    /// k6's `GetExecutionRequirements`. That is `max_duration + gracefulStop`, except for a
    /// `ramping-vus` scenario whose VUs have all ramped down earlier (see
    /// [`RampingVus::vu_requirements`]).
    pub fn end_offset(&self) -> Duration {
        match &self.executor {
            ExecutorConfig::RampingVus(c) => {
                c.vu_requirements(self.graceful_stop).last().map_or(Duration::ZERO, |s| s.0)
            }
            _ => self.max_duration() + self.graceful_stop,
        }
    }

    /// k6's header line for the scenario (`GetDescription`), e.g.
    /// `50 looping VUs for 10s (gracefulStop: 30s)`.
    ///
    /// The facts in parentheses are the executor's own, then `exec` (when it is not the default
    /// function), `startTime` (when > 0) and `gracefulStop` (when > 0), as in k6's `getBaseInfo`.
    pub fn describe(&self) -> String {
        let (text, fact) = match &self.executor {
            ExecutorConfig::SharedIterations(c) => c.description(),
            ExecutorConfig::PerVuIterations(c) => c.description(),
            ExecutorConfig::ConstantVus(c) => c.description(),
            ExecutorConfig::RampingVus(c) => c.description(),
            ExecutorConfig::ConstantArrivalRate(c) => c.description(),
            ExecutorConfig::RampingArrivalRate(c) => c.description(),
        };
        let mut facts: Vec<String> = fact.into_iter().collect();
        if self.exec != DEFAULT_EXEC {
            facts.push(format!("exec: {}", self.exec));
        }
        if !self.start_time.is_zero() {
            facts.push(format!("startTime: {}", go_duration(self.start_time)));
        }
        if !self.graceful_stop.is_zero() {
            facts.push(format!("gracefulStop: {}", go_duration(self.graceful_stop)));
        }
        if facts.is_empty() {
            text
        } else {
            format!("{text} ({})", facts.join(", "))
        }
    }

    /// k6's validation of the executor's parameters (messages without the scenario prefix).
    fn executor_problems(&self) -> Vec<String> {
        match &self.executor {
            ExecutorConfig::SharedIterations(c) => c.validate(),
            ExecutorConfig::PerVuIterations(c) => c.validate(),
            ExecutorConfig::ConstantVus(c) => c.validate(),
            ExecutorConfig::RampingVus(c) => c.validate(),
            ExecutorConfig::ConstantArrivalRate(c) => c.validate(),
            ExecutorConfig::RampingArrivalRate(c) => c.validate(),
        }
    }
}

/// Parses `options.scenarios`: a map of scenario name → scenario.
///
/// Every problem is returned at once, each as `scenario "NAME": ...` in k6's wording. Scenarios
/// come back sorted by (`startTime`, name), the order k6 starts and lists them in.
pub fn parse_scenarios(value: &Value) -> Result<Vec<ScenarioConfig>, Vec<String>> {
    let Value::Object(map) = value else {
        return Err(vec![format!("scenarios: must be a map of name → scenario, got {}", kind(value))]);
    };
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(map.len());
    for (name, scenario) in map {
        if let Some(config) = parse_one(name, scenario, &mut errors) {
            out.push(config);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    out.sort_by(|a, b| a.start_time.cmp(&b.start_time).then_with(|| a.name.cmp(&b.name)));
    Ok(out)
}

/// Validates a scenario built in code (e.g. from the shortcuts), with the same messages as
/// [`parse_scenarios`].
pub fn validate(scenario: &ScenarioConfig) -> Result<(), Vec<String>> {
    let mut errors: Vec<String> = Vec::new();
    if !valid_name(&scenario.name) {
        errors.push(format!("scenario \"{}\": {NAME_ERR}", scenario.name));
    }
    errors.extend(scenario.executor_problems().into_iter().map(|e| format!("scenario \"{}\": {e}", scenario.name)));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

const NAME_ERR: &str = "the scenario name should contain only numbers, latin letters, underscores, and dashes";

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn parse_one(name: &str, scenario: &Value, errors: &mut Vec<String>) -> Option<ScenarioConfig> {
    let before = errors.len();
    let Value::Object(map) = scenario else {
        errors.push(format!("scenario \"{name}\": must be a map #{{ executor: ..., ... }}, got {}", kind(scenario)));
        return None;
    };
    if !valid_name(name) {
        errors.push(format!("scenario \"{name}\": {NAME_ERR}"));
    }
    let mut f = Fields { scenario: name, map, errors };
    let executor_type = match map.get("executor") {
        None | Some(Value::Null) => {
            f.error(format_args!(
                "doesn't have a specified executor type (set executor to one of: {})",
                EXECUTOR_TYPES.join(", ")
            ));
            None
        }
        Some(Value::String(t)) => EXECUTOR_TYPES.iter().find(|k| **k == t).copied().or_else(|| {
            let why = if t == "externally-controlled" { "is not supported by rload" } else { "is unknown" };
            f.error(format_args!("executor type '{t}' {why} (valid: {})", EXECUTOR_TYPES.join(", ")));
            None
        }),
        Some(other) => {
            f.error(format_args!("executor: must be a string like \"ramping-vus\", got {}", kind(other)));
            None
        }
    };
    let executor = executor_type.map(|t| match t {
        shared_iterations::NAME => ExecutorConfig::SharedIterations(SharedIterations::parse(&mut f)),
        per_vu_iterations::NAME => ExecutorConfig::PerVuIterations(PerVuIterations::parse(&mut f)),
        constant_vus::NAME => ExecutorConfig::ConstantVus(ConstantVus::parse(&mut f)),
        ramping_vus::NAME => ExecutorConfig::RampingVus(RampingVus::parse(&mut f)),
        constant_arrival_rate::NAME => ExecutorConfig::ConstantArrivalRate(ConstantArrivalRate::parse(&mut f)),
        _ => ExecutorConfig::RampingArrivalRate(RampingArrivalRate::parse(&mut f)),
    });
    let start_time = f.duration("startTime").unwrap_or(Duration::ZERO);
    let graceful_stop = f.duration("gracefulStop").unwrap_or(DEFAULT_GRACEFUL_STOP);
    let exec = match f.get("exec") {
        None => DEFAULT_EXEC.to_owned(),
        Some(Value::String(s)) if s.is_empty() => {
            f.error("exec value cannot be empty");
            String::new()
        }
        Some(Value::String(s)) if s == "default" => DEFAULT_EXEC.to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            f.error(format_args!("exec: must be the name of a script function, got {}", kind(other)));
            String::new()
        }
    };
    let env = f.string_map("env");
    let tags = f.string_map("tags");
    if let Some(t) = executor_type {
        f.reject_unknown_keys(t, executor_keys(t));
    }
    let config =
        ScenarioConfig { name: name.to_owned(), executor: executor?, start_time, graceful_stop, exec, env, tags };
    let name_prefix = format!("scenario \"{name}\": ");
    errors.extend(config.executor_problems().into_iter().map(|e| format!("{name_prefix}{e}")));
    (errors.len() == before).then_some(config)
}

fn executor_keys(executor_type: &str) -> &'static [&'static str] {
    match executor_type {
        shared_iterations::NAME => shared_iterations::KEYS,
        per_vu_iterations::NAME => per_vu_iterations::KEYS,
        constant_vus::NAME => constant_vus::KEYS,
        ramping_vus::NAME => ramping_vus::KEYS,
        constant_arrival_rate::NAME => constant_arrival_rate::KEYS,
        _ => ramping_arrival_rate::KEYS,
    }
}

#[cfg(test)]
mod tests {
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
            by("a").executor,
            ExecutorConfig::SharedIterations(SharedIterations {
                vus: 1,
                iterations: 1,
                max_duration: Duration::from_secs(600)
            })
        );
        assert_eq!(
            by("b").executor,
            ExecutorConfig::PerVuIterations(PerVuIterations {
                vus: 1,
                iterations: 1,
                max_duration: Duration::from_secs(600)
            })
        );
        assert_eq!(
            by("c").executor,
            ExecutorConfig::ConstantVus(ConstantVus { vus: 1, duration: Duration::from_secs(10) })
        );
        let ExecutorConfig::RampingVus(d) = &by("d").executor else { panic!() };
        assert_eq!((d.start_vus, d.graceful_ramp_down), (1, Duration::from_secs(30)));
        let ExecutorConfig::ConstantArrivalRate(e) = &by("e").executor else { panic!() };
        assert_eq!((e.time_unit, e.pre_allocated_vus, e.max_vus), (Duration::from_secs(1), 5, 5));
        let ExecutorConfig::RampingArrivalRate(f) = &by("f").executor else { panic!() };
        assert_eq!((f.start_rate, f.time_unit, f.max_vus), (0, Duration::from_secs(1), 2));
        for s in &got {
            assert_eq!(
                (s.start_time, s.graceful_stop, s.exec.as_str()),
                (Duration::ZERO, DEFAULT_GRACEFUL_STOP, "run")
            );
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
        let mut s = ScenarioConfig::new(
            "default",
            ExecutorConfig::ConstantVus(ConstantVus { vus: 50, duration: Duration::from_secs(10) }),
        );
        assert_eq!(s.describe(), "50 looping VUs for 10s (gracefulStop: 30s)");
        s.graceful_stop = Duration::ZERO;
        assert_eq!(s.describe(), "50 looping VUs for 10s");
        s.exec = "api".into();
        s.start_time = Duration::from_secs(90);
        assert_eq!(s.describe(), "50 looping VUs for 10s (exec: api, startTime: 1m30s)");
    }

    #[test]
    fn end_offset_adds_graceful_stop() {
        let s = ScenarioConfig::new(
            "default",
            ExecutorConfig::ConstantVus(ConstantVus { vus: 1, duration: Duration::from_secs(10) }),
        );
        assert_eq!(s.end_offset(), Duration::from_secs(40));
    }
}
