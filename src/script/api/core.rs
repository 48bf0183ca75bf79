//! k6's core functions for Rhai: `check`, `group`, `sleep`, `fail`, plus `uuid`, `open`,
//! `timestamp_ms`, `random_int` and `random` that k6 scripts get from JavaScript itself.

use std::time::Instant;

use rhai::{Dynamic, Engine, EvalAltResult, FnPtr, Map, NativeCallContext};

use crate::config::secs_to_duration;
use crate::metrics::{self, builtin, tag};
use crate::runtime::coroutine::suspend_with;
use crate::runtime::vu::{self, suspension_error};

type Unit = Result<(), Box<EvalAltResult>>;

pub fn register(engine: &mut Engine) {
    engine.register_fn("check", |ctx: NativeCallContext, value: Dynamic, checks: Map| {
        check(&ctx, value, checks, Map::new())
    });
    engine.register_fn("check", |ctx: NativeCallContext, value: Dynamic, checks: Map, tags: Map| {
        check(&ctx, value, checks, tags)
    });
    engine.register_fn("group", group);
    engine.register_fn("sleep", |secs: f64| sleep(secs));
    engine.register_fn("sleep", |secs: i64| sleep(secs as f64));
    engine.register_fn("fail", |msg: &str| -> Unit { Err(format!("fail: {msg}").into()) });
    engine.register_fn("fail", || -> Unit { Err("fail".into()) });
    engine.register_fn("uuid", || uuid::Uuid::new_v4().to_string());
    engine.register_fn("open", open);
    engine.register_fn("timestamp_ms", || -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
    });
    engine.register_fn("random_int", |lo: i64, hi: i64| -> i64 {
        if hi <= lo {
            lo
        } else {
            rand::random_range(lo..=hi)
        }
    });
    engine.register_fn("random", || -> f64 { rand::random::<f64>() });
    // k6's jslib textSummary(data, opts): the summary rload would print, for handle_summary.
    engine.register_fn("text_summary", |_data: Dynamic| text_summary());
    engine.register_fn("text_summary", |_data: Dynamic, _opts: Map| text_summary());
}

/// The summary rload rendered for this run; empty before the end of the test.
fn text_summary() -> String {
    vu::current().shared.summary_text.clone().unwrap_or_default()
}

/// k6's `check(value, { name: fn }, tags)`: runs every check, records each in the `checks`
/// rate with a `check` tag, and returns true when all passed. A check that throws fails.
fn check(ctx: &NativeCallContext, value: Dynamic, checks: Map, extra: Map) -> Result<bool, Box<EvalAltResult>> {
    let vu = vu::current();
    let mut base = vu.base_tags();
    for (k, v) in &extra {
        base.insert(k, &v.to_string());
    }
    let mut all = true;
    for (name, f) in checks {
        let passed = match f.clone().try_cast::<FnPtr>() {
            Some(fp) => truthy(&fp.call_within_context::<Dynamic>(ctx, (value.clone(),))?),
            None => truthy(&f),
        };
        let mut tags = base.clone();
        tags.insert(tag::CHECK, &name);
        metrics::record(builtin::CHECKS, &tags, if passed { 1.0 } else { 0.0 });
        all &= passed;
    }
    Ok(all)
}

/// JavaScript-like truthiness, as k6 applies to check results.
fn truthy(v: &Dynamic) -> bool {
    if let Ok(b) = v.as_bool() {
        return b;
    }
    if v.is_unit() {
        return false;
    }
    if let Ok(i) = v.as_int() {
        return i != 0;
    }
    if let Ok(f) = v.as_float() {
        return f != 0.0 && !f.is_nan();
    }
    if v.is_string() {
        return !v.clone().into_string().unwrap_or_default().is_empty();
    }
    true
}

/// k6's `group(name, fn)`: runs `f` with the group tag `::name` (nested: `::a::b`) and records
/// `group_duration`. Returns what `f` returns.
fn group(ctx: NativeCallContext, name: &str, f: FnPtr) -> Result<Dynamic, Box<EvalAltResult>> {
    if name.contains("::") {
        return Err(format!("group name \"{name}\" must not contain \"::\"").into());
    }
    let vu = vu::current();
    let outer = vu.group.borrow().clone();
    *vu.group.borrow_mut() = format!("{outer}::{name}");
    let start = Instant::now();
    let result = f.call_within_context::<Dynamic>(&ctx, ());
    let tags = vu.base_tags();
    *vu.group.borrow_mut() = outer;
    if result.is_ok() {
        metrics::record(builtin::GROUP_DURATION, &tags, start.elapsed().as_secs_f64() * 1000.0);
    }
    result
}

fn sleep(secs: f64) -> Unit {
    let d = secs_to_duration(secs).map_err(|e| format!("sleep({secs}): seconds {e}"))?;
    suspend_with(move || tokio::time::sleep(d)).map_err(suspension_error)
}

/// k6's `open(path)`: a file's text, relative to the script; only in init code.
fn open(path: &str) -> Result<String, Box<EvalAltResult>> {
    let vu = vu::current();
    if !vu.in_init.get() {
        return Err("open() is only available in init code (the script's top level)".into());
    }
    let full = vu.shared.script_dir.join(path);
    crate::script::files::read(&full);
    std::fs::read_to_string(&full).map_err(|e| format!("open(\"{path}\"): {}: {e}", full.display()).into())
}
