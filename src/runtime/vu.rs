//! A virtual user: its context, and the life it lives after one Rhai evaluation of the top level.
//!
//! A VU's coroutine evaluates the compiled script's top level once (k6's init code), then
//! `script::engine::evaluate` calls [`vu_main`] with that evaluation's state (so imports and
//! top-level constants stay visible to functions). From there the VU does what its [`Phase`]
//! says: report the options, run `setup()`, loop over iterations of its scenario's function, or
//! run `teardown(data)`. The loop runs in Rust, above nothing but the coroutine's entry, so a VU
//! suspended in its iteration keeps no frame of the init code's evaluation on its stack.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::time::Instant;

use rhai::{Dynamic, EvalAltResult, EvalContext, ImmutableString};

use super::control::Control;
use super::coroutine::{current_context, ready_or_suspend, Suspension};
use super::errors::ErrorLog;
use super::relay;
use super::report::SummaryText;
use super::scenario::ScenarioRuntime;
use super::setup_data::{json_value, read_setup_data, setup_data_json, SetupData};
use crate::http::{ClientConfig, HttpClient, Pool};
use crate::metrics::{self, builtin, tag, SystemTag, TagSet};
use crate::runtime::event_loop::EventLoop;
use crate::script::api::websocket::{run_event_loop, Callback};
use crate::script::diagnostics::describe_runtime_error;
use crate::script::engine::summary_hook;
use crate::script::facts::Facts;

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
    /// Run init code, then `handle_summary(data)`; report its returned map as JSON.
    Summary,
}

/// Settings and state shared by every VU of a run (Send + Sync).
pub struct RunShared {
    pub script_dir: std::path::PathBuf,
    pub env: Vec<(String, String)>,
    pub http_config: ClientConfig,
    pub max_redirects: u32,
    pub control: Arc<Control>,
    pub errors: ErrorLog,
    pub base_tags: Vec<(String, String)>,
    /// Script functions and their parameter counts (from the compiled AST).
    pub functions: HashMap<String, usize>,
    /// JSON of setup()'s return value, if setup ran (or the data `PUT /v1/setup` set). A cell,
    /// because a paused run initialises its VUs before `setup()` runs: iterating VUs read it at
    /// their first iteration.
    pub setup_data: SetupData,
    /// The end-of-test summary text, for `text_summary()` inside `handle_summary`.
    pub summary_text: Option<SummaryText>,
    /// `exec.test.options` (see `test_options.rs`); `None` while the init code reads `options`.
    pub test_options: Option<Arc<serde_json::Value>>,
    /// k6's `throw` option: a request that gets no response raises a script error.
    pub throw: bool,
    /// This instance's scenarios and start, for `exec.instance`.
    pub instance: Arc<super::scenario::Instance>,
    /// Set by `exec.test.fail()`: the run goes on and ends with exit code 110. One flag for
    /// every phase of the run (see `phases::Script`).
    pub marked_failed: Arc<std::sync::atomic::AtomicBool>,
}

/// One VU's context, reachable from native functions through [`current`].
pub struct VuContext {
    /// k6's `__VU` / `exec.vu.idInTest`: 1-based in iterations, 0 in setup/teardown/options.
    pub id: u64,
    pub phase: Phase,
    /// The scenario this VU serves (iterate phase only) and its 0-based number in it.
    pub scenario: Option<Arc<ScenarioRuntime>>,
    pub index_in_scenario: u64,
    /// k6's `__ITER`: this VU's iteration number, 0-based.
    pub iteration: Cell<u64>,
    /// The running iteration's number in this instance's part of the scenario
    /// (`exec.scenario.iterationInInstance`; `ScenarioRuntime::iteration_in_test` maps it to
    /// the number across instances).
    pub iteration_in_test: Cell<u64>,
    /// When the running iteration must be interrupted (ramp-down), if ever.
    pub deadline: Cell<Option<Instant>>,
    /// The VU called `exec.test.abort()`: its iteration ends interrupted, yet counts (see `iterate`).
    pub aborted_test: Cell<bool>,
    /// The current group path: "" at the root, `::name::sub` inside groups.
    pub group: RefCell<String>,
    /// The VU's own HTTP client (connections, cookie jar), created on its first request.
    http: std::cell::OnceCell<Rc<HttpClient>>,
    /// Top-level variables captured after init, readable by plain name inside functions.
    pub globals: RefCell<HashMap<ImmutableString, Dynamic>>,
    /// JSON of setup's return value, passed to `run(data)` and `teardown(data)`.
    pub data_json: Option<String>,
    /// What the VU reports back: options (Options phase) or setup data (Setup phase).
    pub output: RefCell<Option<serde_json::Value>>,
    pub shared: Arc<RunShared>,
    /// `__ENV`: the run's environment, then the scenario's `env`, one read-only map shared by the
    /// scenario's VUs on this thread (see [`VuContext::holds_env`]).
    pub env: Dynamic,
    /// True while the script's top level (init code) runs.
    pub in_init: Cell<bool>,
    /// The generator `randomSeed(n)` set for `random()` and `random_int()` (k6's `Math.random`);
    /// `None`, the thread's generator, until the VU calls it. As in k6 v1.1, a seed the init
    /// code sets holds for the init code only: the VU's phase (iterations, setup, …) starts
    /// unseeded (see [`vu_main`]); one set after that holds for the VU's later iterations.
    pub random: RefCell<Option<rand::rngs::StdRng>>,
    /// k6's event loop: the global timers and `WebSocket`s, run after each function call.
    pub event_loop: EventLoop<Callback>,
    /// Bytes sent and received since the VU last recorded them (k6's dialer trail): recorded
    /// as `data_sent`/`data_received` when an iteration, setup() or teardown() ends.
    bytes: Cell<(u64, u64)>,
    /// Options, scenario and system tags, and the tags the script set on `exec.vu.metrics.tags`;
    /// with the `group` and `iter` tags [`VuContext::base_tags`] last added (see there).
    base_tags: RefCell<TagSet>,
}

impl VuContext {
    pub fn new(id: u64, phase: Phase, shared: Arc<RunShared>, scenario: Option<(Arc<ScenarioRuntime>, u64)>) -> Self {
        let (scenario, index_in_scenario) = match scenario {
            Some((s, i)) => (Some(s), i),
            None => (None, 0),
        };
        let env = shared_env(&shared, scenario.as_deref());
        let mut base_tags = TagSet::new();
        for (k, v) in &shared.base_tags {
            base_tags.insert(k, v);
        }
        if let Some(s) = &scenario {
            for (k, v) in &s.config.tags {
                base_tags.insert(k, v);
            }
            if metrics::system_tag_enabled(SystemTag::SCENARIO) {
                base_tags.insert(tag::SCENARIO, s.name());
            }
        }
        // `vu` is off by default (k6's systemTags): a series per VU.
        if metrics::system_tag_enabled(SystemTag::VU) {
            base_tags.insert(tag::VU, &id.to_string());
        }
        // The root group's tag, as `base_tags` would add it at the first sample.
        if metrics::system_tag_enabled(SystemTag::GROUP) {
            base_tags.insert(tag::GROUP, "");
        }
        let base_tags = metrics::shared_tag_set(base_tags);
        VuContext {
            id,
            phase,
            scenario,
            index_in_scenario,
            iteration: Cell::new(0),
            iteration_in_test: Cell::new(0),
            deadline: Cell::new(None),
            aborted_test: Cell::new(false),
            group: RefCell::new(String::new()),
            http: std::cell::OnceCell::new(),
            globals: RefCell::new(HashMap::new()),
            data_json: read_setup_data(&shared.setup_data),
            output: RefCell::new(None),
            env,
            in_init: Cell::new(true),
            random: RefCell::new(None),
            event_loop: EventLoop::default(),
            bytes: Cell::new((0, 0)),
            base_tags: RefCell::new(base_tags),
            shared,
        }
    }

    /// The VU's HTTP client if it made one (a VU that never sent a request has no cookies).
    pub fn http_if_made(&self) -> Option<Rc<HttpClient>> {
        self.http.get().cloned()
    }

    /// The VU's HTTP client; idle VUs never pay for one.
    pub fn http(&self) -> Rc<HttpClient> {
        self.http
            .get_or_init(|| {
                let (config, shared_pool) = client_config(&self.shared);
                Rc::new(match shared_pool {
                    Some(pool) => HttpClient::with_pool(config, pool),
                    None => HttpClient::new(config),
                })
            })
            .clone()
    }

    /// Whether this VU is in the middle of reading `__ENV` (Rhai locks a shared value while it
    /// reads a property of it). It must not yield then: the thread's other VUs read the same
    /// map, and failed with "Data race detected" while a VU that used up its time slice in the
    /// middle of `__ENV.N` held it (80,313 of 80,414 iterations of a CPU-bound loop testing
    /// `__ENV.N`). A copy per VU avoided that at ~3 KB per VU with a whole system environment
    /// (+320 MB at 100,000 VUs), so the map stays shared and the progress hook asks this first.
    pub fn holds_env(&self) -> bool {
        self.env.is_locked()
    }

    /// The tags every sample of this VU carries: options.tags, scenario tags, and of the system
    /// tags `scenario`, `group`, `vu` and `iter` those the run's `systemTags` list.
    ///
    /// A request and a check each ask for them, and they rarely change: the `group` and `iter`
    /// tags are written into the VU's own set only when their value changed, so the set keeps
    /// its interned strings and its remembered hash, and the copy handed out is a clone (a
    /// copy, a fresh intern lookup of the group and a hash per call were ~1.5k instructions
    /// of a request's ~80k).
    pub fn base_tags(&self) -> TagSet {
        let mut tags = self.base_tags.borrow_mut();
        if metrics::system_tag_enabled(SystemTag::GROUP) {
            let group = self.group.borrow();
            if tags.get(tag::GROUP) != Some(group.as_str()) {
                tags.insert(tag::GROUP, &group);
            }
        }
        // `iter` is off by default (k6's systemTags): a series per iteration.
        if metrics::system_tag_enabled(SystemTag::ITER) {
            let iteration = self.iteration.get().to_string();
            if tags.get(tag::ITER) != Some(iteration.as_str()) {
                tags.insert(tag::ITER, &iteration);
            }
        }
        tags.content_hash();
        tags.clone()
    }

    /// Adds what a request moved to the bytes the VU records at the end of its iteration.
    pub fn count_bytes(&self, sent: u64, received: u64) {
        let (s, r) = self.bytes.get();
        self.bytes.set((s + sent, r + received));
    }

    /// k6's dialer trail: `data_sent` and `data_received` once per iteration (also one that
    /// made no request, or was interrupted), and once for setup() and teardown(), with the
    /// tags the VU has when it ends; the counts start again from zero.
    fn record_bytes(&self, tags: &TagSet) {
        let (sent, received) = self.bytes.replace((0, 0));
        metrics::record_all(tags, &[(builtin::DATA_SENT, sent as f64), (builtin::DATA_RECEIVED, received as f64)]);
    }

    /// k6's `exec.vu.metrics.tags[name] = value`: a tag on every later sample of this VU.
    pub fn set_tag(&self, name: &str, value: &str) {
        self.base_tags.borrow_mut().insert(name, value);
    }

    /// True when the VU must stop what it is doing: a hard stop, or its ramp-down deadline.
    pub fn should_interrupt(&self) -> bool {
        self.shared.control.is_hard_stopped()
            || self.scenario.as_ref().is_some_and(|s| s.is_hard_stopped())
            || self.deadline.get().is_some_and(|d| Instant::now() >= d)
    }

    /// Completes when [`VuContext::should_interrupt`] becomes true.
    ///
    /// Every suspended VU holds this future for as long as it waits (10,000 WebSockets: 10,000
    /// of them), so it carries only what it needs: the VU, the stop notices, and the
    /// ramp-down timer boxed, since only a VU inside `gracefulRampDown` has one (inline, every
    /// VU's task reserved room for it).
    pub async fn interrupted(self: Rc<Self>) {
        let ramp_down = self.deadline.get().map(|d| Box::pin(tokio::time::sleep_until(d)));
        // The run's hard stop, or the scenario's: on a worker thread through its relay of the
        // two (`relay.rs`).
        let stop = relay::hard_stop(&self.shared.control, self.scenario.as_ref());
        let ramp_down = async move {
            match ramp_down {
                Some(sleep) => sleep.await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = stop => {}
            _ = ramp_down => {}
        }
    }
}

thread_local! {
    /// The HTTP client settings, shared by this thread's VUs, and with `sharedConnections` the
    /// connection pool they share.
    static CLIENT_CONFIG: RefCell<Option<ThreadClients>> = const { RefCell::new(None) };
    /// `__ENV` per scenario on this thread: built once, shared read-only by the thread's VUs.
    static ENV_CACHE: RefCell<HashMap<(usize, String), Dynamic>> = RefCell::new(HashMap::new());
}

/// What the VUs of one thread share for one run (`RunShared`, by address).
type ThreadClients = (usize, Rc<ClientConfig>, Option<Rc<Pool>>);

fn client_config(shared: &RunShared) -> (Rc<ClientConfig>, Option<Rc<Pool>>) {
    let key = shared as *const RunShared as usize;
    CLIENT_CONFIG.with(|c| {
        let mut c = c.borrow_mut();
        match &*c {
            Some((k, config, pool)) if *k == key => (config.clone(), pool.clone()),
            _ => {
                let config = Rc::new(shared.http_config.clone());
                let pool = config.shared_connections.map(|limit| Rc::new(Pool::shared(limit)));
                *c = Some((key, config.clone(), pool.clone()));
                (config, pool)
            }
        }
    })
}

/// The run's environment plus the scenario's `env`, built once per scenario and thread: shared
/// (cheaply cloned) and marked read-only. A change would reach every VU of the thread (k6 gives
/// each VU its own `__ENV`), so a script that changes it is refused before the run
/// (`script::missing`).
fn shared_env(shared: &RunShared, scenario: Option<&ScenarioRuntime>) -> Dynamic {
    let build = || {
        let mut env: rhai::Map = shared.env.iter().map(|(k, v)| (k.into(), Dynamic::from(v.clone()))).collect();
        for (k, v) in scenario.map(|s| s.config.env.as_slice()).unwrap_or_default() {
            env.insert(k.into(), Dynamic::from(v.clone()));
        }
        Dynamic::from_map(env).into_read_only().into_shared()
    };
    let Some(s) = scenario else { return build() };
    let key = (shared as *const RunShared as usize, s.name().to_string());
    ENV_CACHE.with(|cache| cache.borrow_mut().entry(key).or_insert_with(build).clone())
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

/// The VU's life after its init code ran; see the module doc.
pub fn vu_main(ctx: &mut EvalContext) -> Result<(), Box<EvalAltResult>> {
    let vu = current();
    vu.in_init.set(false);
    vu.random.take();
    capture_globals(ctx, &vu, vu.phase == Phase::Iterate);
    match vu.phase {
        Phase::Iterate => iterate(ctx, &vu),
        phase => {
            let result = run_phase(ctx, &vu, phase);
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
                let data: Dynamic = ctx.call_fn("setup", ())?;
                run_event_loop(ctx, "setup")?;
                let json = setup_data_json(&data)?;
                *vu.output.borrow_mut() = Some(json);
            }
        }
        Phase::Teardown => {
            if has_fn(&vu, "teardown") {
                *vu.group.borrow_mut() = "::teardown".into();
                let data = data_value(&vu)?;
                if fn_arity(&vu, "teardown") > 0 {
                    let _ = ctx.call_fn::<Dynamic>("teardown", (data,))?;
                } else {
                    let _ = ctx.call_fn::<Dynamic>("teardown", ())?;
                }
                run_event_loop(ctx, "teardown")?;
            }
        }
        Phase::Summary => {
            let data = data_value(&vu)?;
            let hook = summary_hook(&vu.shared.functions)?.ok_or("the script defines no handleSummary()")?;
            let out: Dynamic = ctx.call_fn(hook, (data,))?;
            run_event_loop(ctx, hook)?;
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
                let d = json_value(read_setup_data(&vu.shared.setup_data).as_deref())?;
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
            let late = start.saturating_duration_since(scheduled).as_secs_f64() * 1000.0;
            metrics::record(builtin::ITERATION_START_DELAY, &tags, late);
        }
        if let Some(client) = vu.http.get() {
            client.begin_iteration();
        }
        scenario.state.active.fetch_add(1, Ordering::Relaxed);
        let result =
            if takes_data { ctx.call_fn::<Dynamic>(&exec, (data.clone(),)) } else { ctx.call_fn::<Dynamic>(&exec, ()) };
        // k6's event loop: the iteration ends once no timer is pending and no socket is open.
        let result = match result {
            Ok(_) => run_event_loop(ctx, &exec).map(|()| Dynamic::UNIT),
            Err(err) => {
                vu.event_loop.abandon();
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
                let main = ctx.source().unwrap_or_default().to_string();
                vu.shared.errors.record_script_error(&describe_runtime_error(e, &main));
            }
        }
        scenario.state.completed.fetch_add(1, Ordering::Relaxed);
        tags = record_iteration(vu, start.elapsed());
    }
    Ok(())
}

/// True for the error raised when the VU was interrupted.
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

/// Records an iteration's `data_sent`, `data_received`, `iteration_duration` and `iterations`
/// and returns their tags: k6's, the VU's tags as they are at the iteration's end (those the
/// script set on `exec.vu.metrics.tags` during it too), in the root group.
fn record_iteration(vu: &VuContext, took: std::time::Duration) -> TagSet {
    let tags = record_trail(vu);
    metrics::record(builtin::ITERATION_DURATION, &tags, took.as_secs_f64() * 1000.0);
    metrics::record(builtin::ITERATIONS, &tags, 1.0);
    tags
}

/// What every iteration's end records, counted or interrupted: the VU back in the root group,
/// and the bytes it moved with the tags it has then (k6's dialer trail). Returns those tags.
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
#[path = "vu_tests.rs"]
mod tests;
