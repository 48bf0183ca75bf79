//! k6's `k6/execution` module as the `exec` object: `exec.vu.idInTest`,
//! `exec.vu.iterationInScenario`, `exec.scenario.name`, `exec.scenario.iterationInTest`,
//! `exec.scenario.progress`, `exec.instance.vusActive` (and k6's other instance figures),
//! `exec.test.abort(msg)`, `exec.test.fail(msg)`, `exec.test.options` and friends.
//!
//! `exec.vu.metrics.tags` (k6's deprecated `exec.vu.tags` too) is a handle on the VU's tags:
//! `exec.vu.metrics.tags["stage"] = "2"` tags every later sample of the VU, and
//! `exec.vu.metrics.tags.remove("stage")` (k6's `delete`) takes the tag off them.
//!
//! Values are read when accessed, so `exec.scenario.progress` is always current.
//! `exec.test.options` is the run's consolidated options (`runtime/test_options.rs`); as in
//! k6, reading it from init code is an error. So are, with k6's messages, `exec.vu` and
//! `exec.instance` in init code and `exec.scenario` anywhere but in an iteration (init code,
//! `setup()`, `teardown()`, `handle_summary`), where k6 has no scenario to give.

use std::any::TypeId;
use std::sync::atomic::Ordering;

use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, Map};

use super::convert::js_string;
use crate::logger::{self, Level};
use crate::runtime::vu;

/// The `exec` object.
#[derive(Clone, Copy)]
pub struct ExecApi;

/// `exec.test`: carries `abort()` and `options`.
#[derive(Clone, Copy)]
pub struct TestApi;

/// `exec.vu.metrics`: carries `tags`.
#[derive(Clone, Copy)]
pub struct VuMetrics;

/// `exec.vu.metrics.tags` (and `exec.vu.tags`): the VU's tags, read and set through it. A tag
/// set here goes on every later sample of the VU, in this and the following iterations, as
/// in k6. Values are strings, numbers or bools (k6's rule); anything else is an error.
#[derive(Clone, Copy)]
pub struct VuTags;

fn tags_map() -> Map {
    let Some(vu) = vu::try_current() else { return Map::default() };
    vu.base_tags().iter().map(|(k, v)| (k.into(), Dynamic::from(v.to_string()))).collect()
}

/// The map of tags `value` stands for when it is `exec.vu.tags` (written as JSON or printed
/// as that map, as in k6), or `None`.
pub fn as_map(value: &Dynamic) -> Option<Map> {
    value.is::<VuTags>().then(tags_map)
}

fn tag(name: &str) -> Dynamic {
    vu::try_current()
        .and_then(|vu| vu.base_tags().get(name).map(|v| Dynamic::from(v.to_string())))
        .unwrap_or(Dynamic::UNIT)
}

fn set_tag(name: &str, value: Dynamic) -> Result<(), Box<EvalAltResult>> {
    let text = if let Some(s) = value.read_lock::<rhai::ImmutableString>() {
        s.to_string()
    } else if value.is_int() || value.is_float() || value.is_bool() {
        js_string(&value)
    } else {
        return Err(format!(
            "exec.vu.metrics.tags[\"{name}\"]: only String, Boolean and Number types are accepted as a tag value, got {}",
            value.type_name()
        )
        .into());
    };
    let vu = vu::current();
    if vu.in_init.get() {
        return Err("exec.vu.metrics.tags can't be set in the init context".into());
    }
    vu.set_tag(name, &text);
    Ok(())
}

/// k6's errors for `exec.vu`, `exec.instance` read by init code and `exec.scenario` read
/// outside an iteration (init code, `setup()`, `teardown()`, `handle_summary`).
const VU_IN_INIT: &str = "getting VU information in the init context is not supported";
const INSTANCE_IN_INIT: &str = "getting instance information in the init context is not supported";
const SCENARIO_OUTSIDE_VU: &str = "getting scenario information outside of the VU context is not supported";

/// `delete exec.vu.metrics.tags[name]` (`rload convert` writes `.remove(name)`): true, as k6's
/// `delete` gives, whether or not the tag was set.
fn remove_tag(name: &str) -> Result<bool, Box<EvalAltResult>> {
    let vu = vu::current();
    if vu.in_init.get() {
        return Err(VU_IN_INIT.into());
    }
    vu.remove_tag(name);
    Ok(true)
}

fn vu_map() -> Result<Map, Box<EvalAltResult>> {
    let mut m = Map::default();
    if let Some(vu) = vu::try_current() {
        if vu.in_init.get() {
            return Err(VU_IN_INIT.into());
        }
        m.insert("idInTest".into(), (vu.id as i64).into());
        m.insert("idInInstance".into(), (vu.id as i64).into());
        m.insert("iterationInScenario".into(), (vu.iteration.get() as i64).into());
        m.insert("iterationInInstance".into(), (vu.iteration.get() as i64).into());
        // k6's `exec.vu.tags` is the deprecated name of `exec.vu.metrics.tags`: the same tags.
        m.insert("tags".into(), Dynamic::from(VuTags));
        m.insert("metrics".into(), Dynamic::from(VuMetrics));
    }
    Ok(m)
}

fn scenario_map() -> Result<Map, Box<EvalAltResult>> {
    let mut m = Map::default();
    let Some(vu) = vu::try_current() else { return Ok(m) };
    let Some(s) = vu.scenario.as_ref().filter(|_| !vu.in_init.get()) else { return Err(SCENARIO_OUTSIDE_VU.into()) };
    m.insert("name".into(), s.name().to_string().into());
    m.insert("executor".into(), s.config.executor_name().into());
    // k6: the scenario's actual start as a Unix timestamp in milliseconds.
    let start_ms = s.started_at().map_or(0, |t| {
        let ago = t.elapsed();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        now.saturating_sub(ago).as_millis() as i64
    });
    m.insert("startTime".into(), start_ms.into());
    m.insert("progress".into(), s.progress().into());
    // In k6's order (JSON.stringify(exec.scenario) lists them so): a map keeps insertion order.
    m.insert("iterationInInstance".into(), (vu.iteration_in_test.get() as i64).into());
    m.insert("iterationInTest".into(), (s.iteration_in_test(vu.iteration_in_test.get()) as i64).into());
    m.insert("iterationsStarted".into(), (s.state.iterations_started.load(Ordering::Relaxed) as i64).into());
    Ok(m)
}

/// k6's message for `exec.test.options` read while the init code runs.
const OPTIONS_IN_INIT: &str = "getting test options in the init context is not supported";

fn test_options() -> Result<Dynamic, Box<EvalAltResult>> {
    let vu = vu::current();
    match (&vu.shared.test_options, vu.in_init.get()) {
        (Some(options), false) => rhai::serde::to_dynamic(options.as_ref()),
        _ => Err(OPTIONS_IN_INIT.into()),
    }
}

/// k6's `exec.instance`: this instance's VUs and iterations over all its scenarios.
fn instance_map() -> Result<Map, Box<EvalAltResult>> {
    let mut m = Map::default();
    let Some(vu) = vu::try_current() else { return Ok(m) };
    if vu.in_init.get() {
        return Err(INSTANCE_IN_INIT.into());
    }
    let c = vu.shared.instance.counts();
    m.insert("vusActive".into(), (c.vus_active as i64).into());
    m.insert("vusInitialized".into(), (c.vus_initialized as i64).into());
    m.insert("iterationsCompleted".into(), (c.iterations_completed as i64).into());
    m.insert("iterationsInterrupted".into(), (c.iterations_interrupted as i64).into());
    m.insert("currentTestRunDuration".into(), c.current_test_run_duration_ms.into());
    Ok(m)
}

fn abort(message: &str) -> Result<(), Box<EvalAltResult>> {
    let vu = vu::current();
    let msg = if message.is_empty() { "test aborted".to_string() } else { message.to_string() };
    vu.aborted_test.set(true);
    vu.shared.control.abort(msg);
    Err(vu::interrupted_error())
}

/// k6's `exec.test.fail(msg)`: logs `test marked as failed: msg` (without a message, or with
/// `()`, k6's `undefined`: `test marked as failed`) at the error level and marks the run failed.
/// The VU carries on and the run ends as usual, summary and thresholds included, with exit code
/// 110 (`runtime::exit::MARKED_FAILED`). As in k6, not in the init code. The message is
/// JavaScript's `String(msg)`.
fn fail(message: &Dynamic) -> Result<(), Box<EvalAltResult>> {
    let vu = vu::current();
    if vu.in_init.get() {
        return Err("exec.test.fail() called outside of VU context (in the init code)".into());
    }
    let line = if message.is_unit() {
        "test marked as failed".to_string()
    } else {
        format!("test marked as failed: {}", js_string(message))
    };
    logger::log(Level::Error, None, &line, &[]);
    vu.shared.marked_failed.store(true, Ordering::Relaxed);
    Ok(())
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<ExecApi>("exec");
    engine.register_type_with_name::<TestApi>("exec.test");
    engine.register_get("vu", |_: &mut ExecApi| vu_map());
    engine.register_get("scenario", |_: &mut ExecApi| scenario_map());
    engine.register_get("instance", |_: &mut ExecApi| instance_map());
    engine.register_get("test", |_: &mut ExecApi| TestApi);
    engine.register_get("options", |_: &mut TestApi| test_options());
    engine.register_type_with_name::<VuMetrics>("exec.vu.metrics");
    engine.register_type_with_name::<VuTags>("exec.vu.metrics.tags");
    engine.register_get("tags", |_: &mut VuMetrics| VuTags);
    engine.register_indexer_get(|_: &mut VuTags, name: &str| tag(name));
    engine.register_indexer_set(|_: &mut VuTags, name: &str, value: Dynamic| set_tag(name, value));
    engine.register_fn("to_map", |_: &mut VuTags| tags_map());
    engine.register_fn("remove", |_: &mut VuTags, name: &str| remove_tag(name));
    // What the conversions of `'k' in tags`, `Object.values(tags)`, `{ ...tags }` and
    // `Object.assign(o, tags)` call: the tags as the map they are.
    engine.register_fn("contains", |_: &mut VuTags, name: &str| tags_map().contains_key(name));
    engine.register_fn("values", |_: &mut VuTags| tags_map().into_values().collect::<rhai::Array>());
    engine.register_fn("+", |mut map: Map, _: VuTags| {
        map.extend(tags_map());
        map
    });
    engine.register_fn("mixin", |map: &mut Map, _: VuTags| map.extend(tags_map()));
    engine.register_fn("keys", |_: &mut VuTags| {
        tags_map().keys().map(|k| Dynamic::from(rhai::ImmutableString::from(k.as_str()))).collect::<rhai::Array>()
    });
    engine.register_fn("to_string", |_: &mut VuTags| Dynamic::from(tags_map()).to_string());
    engine
        .register_fn("to_json", |_: &mut VuTags| serde_json::to_string(&Dynamic::from(tags_map())).unwrap_or_default());
    engine.register_fn("fail", |_: TestApi| fail(&Dynamic::UNIT));
    engine.register_fn("abort", |_: TestApi| abort(""));
    // k6 reads the first argument and ignores any more (`exec.test.fail("a", "b")` logs `test
    // marked as failed: a`). Rhai has no variadic functions: each arity up to
    // MAX_MESSAGE_ARGS is registered.
    for arity in 1..=MAX_MESSAGE_ARGS {
        let mut fail_args = vec![TypeId::of::<TestApi>(), TypeId::of::<Dynamic>()];
        let mut abort_args = vec![TypeId::of::<TestApi>(), TypeId::of::<ImmutableString>()];
        fail_args.resize(arity + 1, TypeId::of::<Dynamic>());
        abort_args.resize(arity + 1, TypeId::of::<Dynamic>());
        engine.register_raw_fn("fail", fail_args, |_, args| fail(args[1]));
        engine.register_raw_fn("abort", abort_args, |_, args| abort(&args[1].clone().cast::<ImmutableString>()));
    }
}

/// The most arguments `exec.test.fail` and `exec.test.abort` take (k6 takes any number and
/// reads the first).
const MAX_MESSAGE_ARGS: usize = 8;
