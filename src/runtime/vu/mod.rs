//! A virtual user: the life it lives after one Rhai evaluation of the top level (its context,
//! what native functions reach while it runs, is [`context`]).
//!
//! A VU's coroutine evaluates the compiled script's top level once (k6's init code), then
//! `script::engine::evaluate` calls [`vu_main`] with that evaluation's state (so imports and
//! top-level constants stay visible to functions). From there the VU does what its [`Phase`]
//! says: report the options, run `setup()`, loop over iterations of its scenario's function, or
//! run `teardown(data)`. The loop runs in Rust, above nothing but the coroutine's entry, so a VU
//! suspended in its iteration keeps no frame of the init code's evaluation on its stack.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::time::Instant;

use rhai::{Dynamic, EvalAltResult, EvalContext};

mod context;

pub use context::{current, try_current, Phase, RunShared, VuContext};

use super::coroutine::{ready_or_suspend, Suspension};
use super::scenario::ScenarioRuntime;
use super::setup_data::{json_value, read_setup_data, setup_data_json};
use crate::metrics::{self, builtin, SystemTag, TagSet};
use crate::script::api::promise::settle_all;
use crate::script::api::websocket::run_event_loop;
use crate::script::diagnostics::describe_runtime_error;
use crate::script::engine::summary_hook;
use crate::script::facts::Facts;

/// The error that ends an iteration without being a script error.
pub const INTERRUPTED: &str = "__rload_interrupted";

/// The VU's life after its init code ran; see the module doc.
pub fn vu_main(ctx: &mut EvalContext) -> Result<(), Box<EvalAltResult>> {
    let vu = current();
    vu.in_init.set(false);
    vu.random.take();
    capture_globals(ctx, &vu, vu.phase == Phase::Iterate);
    match vu.phase {
        Phase::Iterate => iterate(ctx, &vu),
        phase => {
            let result = run_phase(ctx, &vu, phase).map_err(|e| uncaught_as_script_error(*e));
            // Failed or not, k6 sends what setup() and teardown() moved when they end.
            let hook = match phase {
                Phase::Setup => "setup",
                Phase::Teardown => "teardown",
                _ => return result,
            };
            if has_fn(&vu, hook) {
                vu.record_bytes(&vu.base_tags());
            }
            result
        }
    }
}

/// The one-off phases (options, setup, teardown, handle_summary). Never inlined: its locals
/// stay out of the frame below every iteration.
#[inline(never)]
fn run_phase(ctx: &mut EvalContext, vu: &Rc<VuContext>, phase: Phase) -> Result<(), Box<EvalAltResult>> {
    let vu = vu.clone();
    match phase {
        Phase::Options => {
            let options = ctx.scope().get("options").cloned().unwrap_or(Dynamic::UNIT);
            let json = if options.is_unit() {
                serde_json::Value::Object(Default::default())
            } else {
                serde_json::to_value(&options).map_err(|e| format!("options: {e}"))?
            };
            *vu.output.borrow_mut() = Some(json);
        }
        Phase::Setup => {
            if has_fn(&vu, "setup") {
                *vu.group.borrow_mut() = "::setup".into();
                let data: Dynamic = ctx.call_fn("setup", ()).inspect_err(|_| abandon(&vu))?;
                end_of_call(ctx, &vu, "setup")?;
                let json = setup_data_json(&data)?;
                *vu.output.borrow_mut() = Some(json);
            }
        }
        Phase::Teardown => {
            if has_fn(&vu, "teardown") {
                *vu.group.borrow_mut() = "::teardown".into();
                let data = data_value(&vu)?;
                let called = if fn_arity(&vu, "teardown") > 0 {
                    ctx.call_fn::<Dynamic>("teardown", (data,))
                } else {
                    ctx.call_fn::<Dynamic>("teardown", ())
                };
                let _ = called.inspect_err(|_| abandon(&vu))?;
                end_of_call(ctx, &vu, "teardown")?;
            }
        }
        Phase::Summary => {
            let data = data_value(&vu)?;
            let hook = summary_hook(&vu.shared.functions)?.ok_or("the script defines no handleSummary()")?;
            let out: Dynamic = ctx.call_fn(hook, (data,)).inspect_err(|_| abandon(&vu))?;
            end_of_call(ctx, &vu, hook)?;
            let json = serde_json::to_value(&out).map_err(|e| format!("handle_summary() returned {e}"))?;
            *vu.output.borrow_mut() = Some(json);
        }
        Phase::Iterate => unreachable!("iterations run in `iterate`"),
    }
    Ok(())
}

/// The iteration loop. Never inlined into `vu_main`: its frame is under every suspended
/// iteration, and so is every byte added to it (see `script::engine::evaluate`).
#[inline(never)]
fn iterate(ctx: &mut EvalContext, vu: &Rc<VuContext>) -> Result<(), Box<EvalAltResult>> {
    let control = vu.shared.control.clone();
    let scenario = vu.scenario.clone().expect("iterating VUs belong to a scenario");
    control.vu_initialized();
    let mut setup_data: Option<Dynamic> = None;
    let exec = scenario.config.exec.clone();
    let takes_data = fn_arity(vu, &exec) > 0;
    let mut tags = vu.base_tags();
    let mut iteration = 0u64;
    loop {
        let permit = {
            let (s, k) = (scenario.clone(), vu.index_in_scenario);
            ready_or_suspend(Box::pin(async move { s.next_iteration(k, iteration).await }))
        };
        let Ok(Some(permit)) = permit else { break };
        // Read once, at the first iteration: the test (and so setup()) has started by then.
        let data = match setup_data.clone() {
            Some(d) => d,
            None => {
                let d = setup_data_value(vu)?;
                setup_data = Some(d.clone());
                d
            }
        };
        vu.iteration.set(iteration);
        vu.iteration_in_test.set(permit.index);
        vu.deadline.set(permit.deadline);
        *vu.group.borrow_mut() = String::new();
        if metrics::system_tag_enabled(SystemTag::ITER) {
            tags = vu.base_tags();
        }
        let start = Instant::now();
        if let Some(scheduled) = permit.scheduled {
            record_start_delay(&tags, start.saturating_duration_since(scheduled));
        }
        if let Some(client) = vu.http.get() {
            client.begin_iteration();
        }
        scenario.state.active.fetch_add(1, Ordering::Relaxed);
        let result =
            if takes_data { ctx.call_fn::<Dynamic>(&exec, (data.clone(),)) } else { ctx.call_fn::<Dynamic>(&exec, ()) };
        // k6's event loop: the iteration ends once no timer is pending, no socket is open and
        // no request of `http.asyncRequest` is in flight.
        let result = match result {
            Ok(_) => end_of_call(ctx, vu, &exec).map(|()| Dynamic::UNIT),
            Err(err) => {
                abandon(vu);
                Err(err)
            }
        };
        scenario.state.active.fetch_sub(1, Ordering::Relaxed);
        vu.deadline.set(None);
        iteration += 1;
        match &result {
            Ok(_) => {}
            Err(e) if is_interruption(e) || vu.should_interrupt() || control.is_hard_stopped() => {
                scenario.state.interrupted.fetch_add(1, Ordering::Relaxed);
                // k6 counts the iteration that called exec.test.abort() as interrupted, but its
                // samples go out before the test's end: it is in `iterations` and their duration.
                if vu.aborted_test.get() {
                    tags = record_iteration(vu, start.elapsed());
                } else {
                    // Its bytes go out as k6's do, without it counting.
                    record_trail(vu);
                }
                if control.is_hard_stopped() || scenario.is_stopping() {
                    break;
                }
                continue;
            }
            Err(e) => {
                control.failed_iterations.fetch_add(1, Ordering::Relaxed);
                record_script_error(ctx, vu, e);
            }
        }
        scenario.state.completed.fetch_add(1, Ordering::Relaxed);
        tags = record_iteration(vu, start.elapsed());
        if let Some(min) = vu.shared.min_iteration_duration {
            pad_iteration(&scenario, min.saturating_sub(start.elapsed()));
        }
    }
    Ok(())
}

/// k6's `minIterationDuration`: after an iteration that ran to its end (a script error
/// included, an interrupted one not) and was recorded, the VU waits out `rest` before its next,
/// unless the scenario is stopped hard meanwhile (k6 waits on the VU's run context).
#[inline(never)]
fn pad_iteration(scenario: &Arc<ScenarioRuntime>, rest: std::time::Duration) {
    if rest.is_zero() {
        return;
    }
    let s = scenario.clone();
    let _ = ready_or_suspend(Box::pin(async move {
        tokio::select! {
            _ = tokio::time::sleep(rest) => {}
            _ = s.hard_stopped() => {}
        }
    }));
}

/// What a call of the script's (an iteration, `setup()`, …) waits for once its function has
/// returned: the VU's event loop, then the requests still in flight. An error drops what is
/// left of both.
#[inline(never)]
fn end_of_call(ctx: &EvalContext, vu: &Rc<VuContext>, name: &str) -> Result<(), Box<EvalAltResult>> {
    let result = run_event_loop(ctx, name).and_then(|()| settle_all(ctx, name, vu));
    if result.is_err() {
        abandon(vu);
    }
    result
}

/// Drops the VU's pending timers, open sockets and requests in flight: its call ended with an
/// error or was interrupted.
#[inline(never)]
fn abandon(vu: &VuContext) {
    vu.event_loop.abandon();
    if let Some(in_flight) = vu.in_flight_if_made() {
        in_flight.abandon();
    }
}

/// What [`uncaught_rejection`] carries.
#[derive(Clone)]
struct Uncaught(String);

/// k6's `Uncaught (in promise) …`: a rejected promise nothing waited for, which ends the
/// iteration as a script error. A termination, which Rhai's `try` does not catch: in k6 it is
/// the event loop that fails, not a statement the script could wrap.
pub fn uncaught_rejection(message: &str) -> Box<EvalAltResult> {
    let value = Dynamic::from(Uncaught(format!("Uncaught (in promise) {message}")));
    EvalAltResult::ErrorTerminated(value, rhai::Position::NONE).into()
}

/// `err` with an [`uncaught_rejection`] in it made the script error it stands for.
pub fn uncaught_as_script_error(err: EvalAltResult) -> Box<EvalAltResult> {
    match err {
        EvalAltResult::ErrorTerminated(value, pos) if value.is::<Uncaught>() => {
            let Uncaught(message) = value.cast::<Uncaught>();
            EvalAltResult::ErrorRuntime(message.into(), pos).into()
        }
        EvalAltResult::ErrorInFunctionCall(name, source, inner, pos) => {
            EvalAltResult::ErrorInFunctionCall(name, source, uncaught_as_script_error(*inner), pos).into()
        }
        other => other.into(),
    }
}

/// The message of an [`uncaught_rejection`] in `err`, and where the script was.
fn uncaught_message(err: &EvalAltResult) -> Option<(String, rhai::Position)> {
    match err {
        EvalAltResult::ErrorTerminated(value, pos) => value.read_lock::<Uncaught>().map(|u| (u.0.clone(), *pos)),
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => uncaught_message(inner),
        _ => None,
    }
}

/// True for the error raised when the VU was interrupted.
pub fn is_interruption(err: &EvalAltResult) -> bool {
    match err {
        EvalAltResult::ErrorTerminated(value, _) => !value.is::<Uncaught>(),
        EvalAltResult::ErrorRuntime(v, _) => v.clone().into_immutable_string().is_ok_and(|s| s == INTERRUPTED),
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => is_interruption(inner),
        _ => false,
    }
}

/// The Rhai error to raise when a suspended call was interrupted.
pub fn interrupted_error() -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(INTERRUPTED.into(), rhai::Position::NONE).into()
}

/// The Rhai error for a suspended call that returned without its output: an interruption, or a
/// panic in rload's own async code, which fails this call at its script position (Rhai fills it
/// in) like any other runtime error, so the report says where the script was.
pub fn suspension_error(suspension: Suspension) -> Box<EvalAltResult> {
    match suspension {
        Suspension::Interrupted => interrupted_error(),
        Suspension::Panicked(message) => {
            let text = format!("rload panicked (a bug in rload; please report it): {message}");
            EvalAltResult::ErrorRuntime(text.into(), rhai::Position::NONE).into()
        }
    }
}

// The helpers below are never inlined into `iterate`: their locals would join its frame, which
// lies under every suspended iteration (each byte of it copied at every stack switch).

/// The setup data as the iteration function's argument.
#[inline(never)]
fn setup_data_value(vu: &VuContext) -> Result<Dynamic, Box<EvalAltResult>> {
    json_value(read_setup_data(&vu.shared.setup_data).as_deref())
}

/// An arrival-rate iteration's `iteration_start_delay`.
#[inline(never)]
fn record_start_delay(tags: &TagSet, late: std::time::Duration) {
    metrics::record(builtin::ITERATION_START_DELAY, tags, late.as_secs_f64() * 1000.0);
}

/// An iteration's script error, described with its source line for the end-of-test report.
#[inline(never)]
fn record_script_error(ctx: &EvalContext, vu: &VuContext, err: &EvalAltResult) {
    let main = ctx.source().unwrap_or_default().to_string();
    let uncaught = uncaught_message(err).map(|(message, pos)| EvalAltResult::ErrorRuntime(message.into(), pos));
    vu.shared.errors.record_script_error(&describe_runtime_error(uncaught.as_ref().unwrap_or(err), &main));
}

/// Records an iteration's `data_sent`, `data_received`, `iteration_duration` and `iterations`
/// and returns their tags: k6's, the VU's tags as they are at the iteration's end (those the
/// script set on `exec.vu.metrics.tags` during it too), in the root group.
#[inline(never)]
fn record_iteration(vu: &VuContext, took: std::time::Duration) -> TagSet {
    let tags = record_trail(vu);
    metrics::record(builtin::ITERATION_DURATION, &tags, took.as_secs_f64() * 1000.0);
    metrics::record(builtin::ITERATIONS, &tags, 1.0);
    tags
}

/// What every iteration's end records, counted or interrupted: the VU back in the root group,
/// and the bytes it moved with the tags it has then (k6's dialer trail). Returns those tags.
#[inline(never)]
fn record_trail(vu: &VuContext) -> TagSet {
    *vu.group.borrow_mut() = String::new();
    let tags = vu.base_tags();
    vu.record_bytes(&tags);
    tags
}

fn data_value(vu: &VuContext) -> Result<Dynamic, Box<EvalAltResult>> {
    json_value(vu.data_json.as_deref())
}

fn has_fn(vu: &VuContext, name: &str) -> bool {
    vu.shared.functions.contains_key(name)
}

fn fn_arity(vu: &VuContext, name: &str) -> usize {
    vu.shared.functions.get(name).copied().unwrap_or(0)
}

/// Makes the top-level variables readable by plain name inside functions (k6 module scope):
/// each becomes shared (a constant stays constant), held by the scope and the VU's `globals`
/// alike. Cloning the values instead held every one twice per VU: SyncKairos's `options` map
/// alone cost ~8 KB per VU. Never inlined: its locals would otherwise stay in `vu_main`'s frame
/// below every iteration.
///
/// Rhai also keeps a copy of each top-level constant for `global::NAME` (a deep clone, made
/// when the constant was declared); that entry becomes the same shared value, so a constant is
/// held once per VU, not twice (scenario 03's `options`: ~3.8 KB per VU).
///
/// With `drop_unread` (an iterating VU, which runs nothing but functions from now on), what no
/// function or closure can read is let go instead (`script::facts`, "The variables functions
/// name"): a variable no function names, from the scope and `globals`; a constant no function
/// reads as `global::NAME`, from Rhai's copies, and the copies' map once empty. Most scripts'
/// `options` is one (three nested maps, ~1.6 KB per VU of `bench/ws-broadcast`), and most
/// never write `global::` (the map: ~330 bytes per VU).
#[inline(never)]
fn capture_globals(ctx: &mut EvalContext, vu: &VuContext, drop_unread: bool) {
    let facts = if drop_unread { Facts::of(Some(ctx.engine().default_tag())) } else { None };
    let facts = facts.as_ref().map(|f| f.borrow());
    let by_name = |name: &str| facts.as_ref().is_none_or(|f| f.read_after_init(name));
    let through_global = |name: &str| facts.as_ref().is_none_or(|f| f.read_through_global_after_init(name));
    let mut globals = vu.globals.borrow_mut();
    let scope = ctx.scope_mut();
    // The constants by name, as the scope ends with them (a later `let` of the same name is not
    // the constant `global::NAME` reads).
    let mut constants = HashMap::new();
    for (name, value, _aliases) in std::mem::take(scope) {
        let constant = value.is_read_only();
        let (by_name, through_global) = (by_name(&name), constant && through_global(&name));
        let value = if by_name || through_global { value.into_shared() } else { Dynamic::UNIT };
        if through_global {
            constants.insert(name.clone(), value.clone());
        } else {
            constants.remove(&name);
        }
        if by_name {
            globals.insert(name.as_str().into(), value.clone());
            scope.push_dynamic(name, value);
        }
    }
    let global = ctx.global_runtime_state_mut();
    if let Some(kept) = &global.constants {
        let mut kept = kept.borrow_mut();
        kept.retain(|name, _| through_global(name));
        for (name, value) in kept.iter_mut() {
            if let Some(shared) = constants.remove(name.as_str()) {
                *value = shared;
            }
        }
        if !kept.is_empty() {
            return;
        }
    }
    global.constants = None;
}

#[cfg(test)]
mod tests;
