//! A virtual user: its context, and the life it lives inside one Rhai evaluation.
//!
//! A VU's coroutine evaluates the compiled script once. The script's top level is k6's init
//! code; the last statement is the hidden `__rload_vu_main` (appended by the compiler), whose
//! handler is [`vu_main`]. From there the VU, still inside the same evaluation (so imports and
//! top-level constants stay visible to functions), does what its [`Phase`] says: report the
//! options, run `setup()`, loop over iterations of `run()`, or run `teardown(data)`.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use rhai::{Dynamic, EvalAltResult, EvalContext, ImmutableString};

use super::control::Control;
use super::coroutine::{current_context, suspend_on};
use super::errors::ErrorLog;
use crate::http::{ClientConfig, HttpClient};
use crate::metrics::{self, builtin, TagSet};
use crate::script::diagnostics::describe_runtime_error;

/// What a VU's evaluation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Run init code only and report `options` (the options VU).
    Options,
    /// Run init code, then `setup()`; report its return value as JSON.
    Setup,
    /// Run init code, then iterations of the scenario's function.
    Iterate,
    /// Run init code, then `teardown(data)`.
    Teardown,
}

/// Settings and state shared by every VU of a run (Send + Sync).
pub struct RunShared {
    pub script_dir: std::path::PathBuf,
    pub env: Vec<(String, String)>,
    pub http_config: ClientConfig,
    pub max_redirects: u32,
    pub control: Arc<Control>,
    pub errors: ErrorLog,
    pub scenario: String,
    pub exec_fn: String,
    pub base_tags: Vec<(String, String)>,
    /// Script functions and their parameter counts (from the compiled AST).
    pub functions: HashMap<String, usize>,
    /// JSON of setup()'s return value, if setup ran.
    pub setup_data: Option<String>,
}

/// One VU's context, reachable from native functions through [`current`].
pub struct VuContext {
    /// k6's `__VU`: 1-based in iterations, 0 in setup/teardown/options.
    pub id: u64,
    pub phase: Phase,
    /// k6's `__ITER`: this VU's iteration number, 0-based.
    pub iteration: Cell<u64>,
    /// The current group path: "" at the root, `::name::sub` inside groups.
    pub group: RefCell<String>,
    pub http: Rc<HttpClient>,
    /// Top-level variables captured after init, readable by plain name inside functions.
    pub globals: RefCell<HashMap<ImmutableString, Dynamic>>,
    /// JSON of setup's return value, passed to `run(data)` and `teardown(data)`.
    pub data_json: Option<String>,
    /// What the VU reports back: options (Options phase) or setup data (Setup phase).
    pub output: RefCell<Option<serde_json::Value>>,
    pub shared: Arc<RunShared>,
    /// `__ENV`, built once per VU.
    pub env: Dynamic,
    /// True while the script's top level (init code) runs.
    pub in_init: Cell<bool>,
}

impl VuContext {
    pub fn new(id: u64, phase: Phase, shared: Arc<RunShared>, data_json: Option<String>) -> Self {
        let env: rhai::Map = shared.env.iter().map(|(k, v)| (k.into(), Dynamic::from(v.clone()))).collect();
        VuContext {
            id,
            phase,
            iteration: Cell::new(0),
            group: RefCell::new(String::new()),
            http: Rc::new(HttpClient::new(Rc::new(shared.http_config.clone()))),
            globals: RefCell::new(HashMap::new()),
            data_json,
            output: RefCell::new(None),
            env: Dynamic::from_map(env).into_shared(),
            in_init: Cell::new(true),
            shared,
        }
    }

    /// The tags every sample of this VU carries: scenario and group (and options.tags).
    pub fn base_tags(&self) -> TagSet {
        let mut tags = TagSet::new();
        for (k, v) in &self.shared.base_tags {
            tags.insert(k, v);
        }
        tags.insert("scenario", &self.shared.scenario);
        tags.insert("group", &self.group.borrow());
        tags
    }
}

/// The running VU. Panics outside a VU coroutine (native functions only run inside one).
pub fn current() -> Rc<VuContext> {
    try_current().expect("script API called outside a VU")
}

pub fn try_current() -> Option<Rc<VuContext>> {
    let any: Rc<dyn Any> = current_context()?;
    any.downcast::<VuContext>().ok()
}

/// The error that ends an iteration without being a script error.
pub const INTERRUPTED: &str = "__rload_interrupted";

/// Body of the hidden `__rload_vu_main` statement; see the module doc.
pub fn vu_main(ctx: &mut EvalContext) -> Result<Dynamic, Box<EvalAltResult>> {
    let vu = current();
    vu.in_init.set(false);
    capture_globals(ctx, &vu);
    match vu.phase {
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
                let data: Dynamic = ctx.call_fn("setup", ())?;
                let json = serde_json::to_value(&data)
                    .map_err(|e| format!("setup() returned a value that cannot be passed on: {e}"))?;
                *vu.output.borrow_mut() = Some(json);
            }
        }
        Phase::Teardown => {
            if has_fn(&vu, "teardown") {
                let data = data_value(&vu)?;
                let _ = call_with_optional_data(ctx, &vu, "teardown", data)?;
            }
        }
        Phase::Iterate => iterate(ctx, &vu)?,
    }
    Ok(Dynamic::UNIT)
}

fn iterate(ctx: &mut EvalContext, vu: &Rc<VuContext>) -> Result<(), Box<EvalAltResult>> {
    let control = vu.shared.control.clone();
    vu.shared.control.initialized_vus.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    vu.shared.control.init_done.notify_waiters();
    let waited = {
        let control = control.clone();
        suspend_on(async move { control.wait_for_start().await })
    };
    if waited.is_err() {
        return Ok(());
    }
    let data = data_value(vu)?;
    let exec = vu.shared.exec_fn.clone();
    let takes_data = fn_arity(vu, &exec) > 0;
    let tags = vu.base_tags();
    let mut iteration = 0u64;
    while control.next_iteration(iteration) {
        vu.iteration.set(iteration);
        *vu.group.borrow_mut() = String::new();
        let start = Instant::now();
        let result =
            if takes_data { ctx.call_fn::<Dynamic>(&exec, (data.clone(),)) } else { ctx.call_fn::<Dynamic>(&exec, ()) };
        let interrupted = match &result {
            Ok(_) => false,
            Err(e) if is_interruption(e) || control.is_hard_stopped() => true,
            Err(e) => {
                control.failed_iterations.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                vu.shared.errors.record(&describe_runtime_error(e));
                false
            }
        };
        if interrupted {
            control.interrupted_iterations.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            break;
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        metrics::record(builtin::ITERATION_DURATION, &tags, ms);
        metrics::record(builtin::ITERATIONS, &tags, 1.0);
        iteration += 1;
    }
    Ok(())
}

/// True for the error raised when the hard stop interrupted the VU.
pub fn is_interruption(err: &EvalAltResult) -> bool {
    match err {
        EvalAltResult::ErrorTerminated(..) => true,
        EvalAltResult::ErrorRuntime(v, _) => v.clone().into_immutable_string().is_ok_and(|s| s == INTERRUPTED),
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => is_interruption(inner),
        _ => false,
    }
}

/// The Rhai error to raise when a suspended call was interrupted.
pub fn interrupted_error() -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(INTERRUPTED.into(), rhai::Position::NONE).into()
}

fn data_value(vu: &VuContext) -> Result<Dynamic, Box<EvalAltResult>> {
    match &vu.data_json {
        None => Ok(Dynamic::UNIT),
        Some(json) => {
            let value: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
            rhai::serde::to_dynamic(value)
        }
    }
}

fn call_with_optional_data(
    ctx: &mut EvalContext,
    vu: &VuContext,
    name: &str,
    data: Dynamic,
) -> Result<Dynamic, Box<EvalAltResult>> {
    if fn_arity(vu, name) > 0 {
        ctx.call_fn(name, (data,))
    } else {
        ctx.call_fn(name, ())
    }
}

fn has_fn(vu: &VuContext, name: &str) -> bool {
    vu.shared.functions.contains_key(name)
}

fn fn_arity(vu: &VuContext, name: &str) -> usize {
    vu.shared.functions.get(name).copied().unwrap_or(0)
}

/// Copies the top-level variables into the VU so functions can read them by plain name
/// (k6 module scope). Values become shared, so copies are cheap.
fn capture_globals(ctx: &mut EvalContext, vu: &VuContext) {
    let mut globals = vu.globals.borrow_mut();
    for (name, _constant, value) in ctx.scope().iter_raw() {
        globals.insert(name.into(), value.clone().into_shared());
    }
}
