//! Executors: k6's six scenario executors, each one type behind one trait, in its own file.
//!
//! This module turns `options.scenarios` (or the `vus`/`duration`/`iterations`/`stages`
//! shortcuts, see [`shortcuts`]) into a list of [`ScenarioConfig`]s, with k6's parameter names,
//! defaults, validation messages and header descriptions. Every problem in every scenario is
//! reported at once, each prefixed with `scenario "NAME": `. Each executor's file holds its
//! config side ([`Executor`]: parse, validate, describe, VU counts, durations), its pure plan
//! (how many VUs when, or when iteration *i* starts) and how it builds its run side
//! ([`runner::Runner`]: may VU *k* start an iteration now, with what deadline). The two
//! runners the executors share are [`looping`] (constant-vus, ramping-vus) and [`arrivals`]
//! (the arrival-rate executors). The one place that maps a type name to an executor is
//! [`TYPES`].
//!
//! Every figure an executor gives for a run is for an execution segment ([`segment`]): the
//! share of the test this instance runs. The whole test (0:1) is what a run uses today.
//!
//! What this module is not: it starts no thread or VU. Checking that `exec` names a function the
//! script defines is the runtime's job (it has the compiled script).

pub mod arrivals;
pub mod batching;
mod clock;
pub mod constant_arrival_rate;
pub mod constant_vus;
mod fields;
pub(crate) mod format;
mod lanes;
pub mod looping;
pub mod per_vu_iterations;
pub mod ramping_arrival_rate;
pub mod ramping_vus;
pub mod runner;
pub mod segment;
pub mod shared_iterations;
pub mod shortcuts;

use fields::Fields;
pub use format::go_duration;
use format::per_second;

use std::any::Any;
use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::config::values::kind;

pub use constant_arrival_rate::ConstantArrivalRate;
pub use constant_vus::ConstantVus;
pub use per_vu_iterations::PerVuIterations;
pub use ramping_arrival_rate::{ArrivalStarts, RampingArrivalRate};
pub use ramping_vus::RampingVus;
pub use runner::{Permit, Runner, ScenarioState};
pub use segment::ExecutionTuple;
pub use shared_iterations::SharedIterations;
pub use shortcuts::scenarios_from_options;

/// k6's `DefaultGracefulStopValue`.
pub const DEFAULT_GRACEFUL_STOP: Duration = Duration::from_secs(30);

/// k6's `minDuration`: the shortest `duration`/`maxDuration` a scenario may have (stages are exempt).
pub const MIN_DURATION: Duration = Duration::from_secs(1);

/// The script function a scenario runs when `exec` is not set (k6's `default` export).
pub const DEFAULT_EXEC: &str = "run";

/// Keys every scenario accepts, whatever its executor.
pub const BASE_KEYS: &[&str] = &["executor", "startTime", "gracefulStop", "exec", "env", "tags"];

/// An executor type as `options.scenarios` names it: k6's type string, the keys it accepts
/// besides [`BASE_KEYS`], and its parser (problems go to the [`Fields`]' error list).
pub struct ExecutorType {
    pub name: &'static str,
    pub keys: &'static [&'static str],
    parse: fn(&mut Fields) -> Box<dyn Executor>,
}

/// The executor types rload runs, in k6's documentation order.
pub const TYPES: &[ExecutorType] = &[
    shared_iterations::TYPE,
    per_vu_iterations::TYPE,
    constant_vus::TYPE,
    ramping_vus::TYPE,
    constant_arrival_rate::TYPE,
    ramping_arrival_rate::TYPE,
];

/// One executor's config side (k6's `lib.ExecutorConfig`). Figures that depend on the share of
/// the test take the [`ExecutionTuple`]; `ExecutionTuple::full()` gives the whole test's.
pub trait Executor: DynExecutor + fmt::Debug + Send + Sync + 'static {
    /// k6's executor type, e.g. `"ramping-vus"`.
    fn name(&self) -> &'static str;

    /// k6's validation of the executor's parameters, every problem at once (messages without
    /// the scenario prefix).
    fn validate(&self) -> Vec<String>;

    /// k6's header line (`GetDescription`) without the base facts: the text, and the
    /// executor's own fact for the parentheses.
    fn description(&self, et: &ExecutionTuple) -> (String, Option<String>);

    /// The most VUs this scenario may ever use.
    fn max_vus(&self, et: &ExecutionTuple) -> u64;

    /// VUs to initialise before the test starts (the rest, up to [`max_vus`](Self::max_vus),
    /// are initialised mid-test, on demand).
    fn pre_allocated_vus(&self, et: &ExecutionTuple) -> u64 {
        self.max_vus(et)
    }

    /// The regular duration: how long after its start the scenario may begin new iterations,
    /// excluding `gracefulStop` (k6's `maxDuration`, `duration`, or the sum of the stages).
    fn max_duration(&self) -> Duration;

    /// When, after its start, every iteration still running is interrupted: the end offset of
    /// k6's `GetExecutionRequirements`.
    fn end_offset(&self, _et: &ExecutionTuple, graceful_stop: Duration) -> Duration {
        self.max_duration() + graceful_stop
    }

    /// The run side for this share of the test.
    fn runner(&self, et: &ExecutionTuple) -> Box<dyn Runner>;

    /// The executor's own keys as k6's consolidated options show them (`exec.test.options`),
    /// defaults filled in, durations in Go's spelling (`"1m0s"`).
    fn k6_config(&self) -> serde_json::Map<String, serde_json::Value>;
}

/// A `json!` object as a map (the executors' [`Executor::k6_config`]).
fn json_map(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// Stages as k6 writes them: `[{"duration": "30s", "target": 10}, …]`.
fn stages_json(stages: &[crate::config::Stage]) -> serde_json::Value {
    stages.iter().map(|s| serde_json::json!({ "duration": go_duration(s.duration), "target": s.target })).collect()
}

/// Cloning, comparing and downcasting a boxed [`Executor`]; implemented for every executor.
pub trait DynExecutor {
    fn as_any(&self) -> &dyn Any;
    fn clone_box(&self) -> Box<dyn Executor>;
    fn eq_dyn(&self, other: &dyn Executor) -> bool;
}

impl<T: Executor + Clone + PartialEq> DynExecutor for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn clone_box(&self) -> Box<dyn Executor> {
        Box::new(self.clone())
    }

    fn eq_dyn(&self, other: &dyn Executor) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }
}

/// A validated scenario: an executor plus the options every executor shares.
#[derive(Debug)]
pub struct ScenarioConfig {
    pub name: String,
    pub executor: Box<dyn Executor>,
    /// Offset from the start of the test (after `setup`).
    pub start_time: Duration,
    /// How long running iterations may finish after the scenario's regular duration.
    pub graceful_stop: Duration,
    /// The script function to call; k6's `"default"` maps to `run`.
    pub exec: String,
    pub env: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
}

impl Clone for ScenarioConfig {
    fn clone(&self) -> Self {
        ScenarioConfig {
            name: self.name.clone(),
            executor: self.executor.clone_box(),
            start_time: self.start_time,
            graceful_stop: self.graceful_stop,
            exec: self.exec.clone(),
            env: self.env.clone(),
            tags: self.tags.clone(),
        }
    }
}

impl PartialEq for ScenarioConfig {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
            && self.executor.eq_dyn(o.executor.as_ref())
            && (self.start_time, self.graceful_stop) == (o.start_time, o.graceful_stop)
            && (&self.exec, &self.env, &self.tags) == (&o.exec, &o.env, &o.tags)
    }
}

/// The figures below are the whole test's (execution segment 0:1); for a share of the test,
/// ask [`ScenarioConfig::executor`] with its tuple.
impl ScenarioConfig {
    /// A scenario with k6's base defaults (`gracefulStop: 30s`, `exec: run`).
    pub fn new(name: &str, executor: impl Executor) -> ScenarioConfig {
        ScenarioConfig {
            name: name.to_owned(),
            executor: Box::new(executor),
            start_time: Duration::ZERO,
            graceful_stop: DEFAULT_GRACEFUL_STOP,
            exec: DEFAULT_EXEC.to_owned(),
            env: Vec::new(),
            tags: Vec::new(),
        }
    }

    /// k6's executor type name, e.g. `"ramping-vus"`.
    pub fn executor_name(&self) -> &'static str {
        self.executor.name()
    }

    /// The executor's own config, if it is a `T`.
    pub fn executor_as<T: Executor>(&self) -> Option<&T> {
        self.executor.as_any().downcast_ref::<T>()
    }

    /// See [`Executor::max_vus`].
    pub fn max_vus(&self) -> u64 {
        self.executor.max_vus(&ExecutionTuple::full())
    }

    /// [`Executor::max_vus`] for one instance's share of the test.
    pub fn max_vus_in(&self, et: &ExecutionTuple) -> u64 {
        self.executor.max_vus(et)
    }

    /// See [`Executor::pre_allocated_vus`].
    pub fn pre_allocated_vus(&self) -> u64 {
        self.executor.pre_allocated_vus(&ExecutionTuple::full())
    }

    /// See [`Executor::max_duration`].
    pub fn max_duration(&self) -> Duration {
        self.executor.max_duration()
    }

    /// See [`Executor::end_offset`].
    pub fn end_offset(&self) -> Duration {
        self.end_offset_in(&ExecutionTuple::full())
    }

    /// [`Executor::end_offset`] for one instance's share of the test.
    pub fn end_offset_in(&self, et: &ExecutionTuple) -> Duration {
        self.executor.end_offset(et, self.graceful_stop)
    }

    /// The scenario as `exec.test.options.scenarios[name]` shows it in k6: the executor's
    /// keys, then the base ones (`exec` is `"default"` for the default function).
    pub fn k6_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert("executor".into(), self.executor_name().into());
        map.insert("startTime".into(), go_duration(self.start_time).into());
        map.insert("gracefulStop".into(), go_duration(self.graceful_stop).into());
        let exec = if self.exec == DEFAULT_EXEC { "default" } else { self.exec.as_str() };
        map.insert("exec".into(), exec.into());
        let pairs = |list: &[(String, String)]| -> serde_json::Map<String, serde_json::Value> {
            list.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect()
        };
        map.insert("env".into(), pairs(&self.env).into());
        map.insert("tags".into(), pairs(&self.tags).into());
        map.extend(self.executor.k6_config());
        serde_json::Value::Object(map)
    }

    /// k6's header line for the scenario (`GetDescription`), e.g.
    /// `50 looping VUs for 10s (gracefulStop: 30s)`.
    ///
    /// The facts in parentheses are the executor's own, then `exec` (when it is not the default
    /// function), `startTime` (when > 0) and `gracefulStop` (when > 0), as in k6's `getBaseInfo`.
    pub fn describe(&self) -> String {
        self.describe_in(&ExecutionTuple::full())
    }

    /// [`ScenarioConfig::describe`] for one instance's share of the test, as k6's header shows
    /// it (`--execution-segment 1/4:2/4`: the VUs, iterations and rates of that quarter).
    pub fn describe_in(&self, et: &ExecutionTuple) -> String {
        let (text, fact) = self.executor.description(et);
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
    errors.extend(scenario.executor.validate().into_iter().map(|e| format!("scenario \"{}\": {e}", scenario.name)));
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
    let type_names = || TYPES.iter().map(|t| t.name).collect::<Vec<_>>().join(", ");
    let executor_type = match map.get("executor") {
        None | Some(Value::Null) => {
            f.error(format_args!("doesn't have a specified executor type (set executor to one of: {})", type_names()));
            None
        }
        Some(Value::String(t)) => TYPES.iter().find(|k| k.name == t).or_else(|| {
            let why = if t == "externally-controlled" { "is not supported by rload" } else { "is unknown" };
            f.error(format_args!("executor type '{t}' {why} (valid: {})", type_names()));
            None
        }),
        Some(other) => {
            f.error(format_args!("executor: must be a string like \"ramping-vus\", got {}", kind(other)));
            None
        }
    };
    let executor = executor_type.map(|t| (t.parse)(&mut f));
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
        f.reject_unknown_keys(t.name, t.keys);
    }
    let config =
        ScenarioConfig { name: name.to_owned(), executor: executor?, start_time, graceful_stop, exec, env, tags };
    let name_prefix = format!("scenario \"{name}\": ");
    errors.extend(config.executor.validate().into_iter().map(|e| format!("{name_prefix}{e}")));
    (errors.len() == before).then_some(config)
}

#[cfg(test)]
mod tests;
