//! A VU's context: what native functions reach through [`current`] while the VU runs (its id,
//! phase, scenario, tags, HTTP client, event loop and the bytes it moved), and what the VUs of a
//! run and of a thread share ([`RunShared`], the HTTP client settings, `__ENV`).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use tokio::time::Instant;

use rhai::{Dynamic, ImmutableString};

use crate::http::{ClientConfig, HttpClient, Pool};
use crate::metrics::{self, builtin, tag, SystemTag, TagSet};
use crate::runtime::control::Control;
use crate::runtime::coroutine::current_context;
use crate::runtime::errors::ErrorLog;
use crate::runtime::event_loop::EventLoop;
use crate::runtime::relay;
use crate::runtime::report::SummaryText;
use crate::runtime::scenario::ScenarioRuntime;
use crate::runtime::setup_data::{read_setup_data, SetupData};
use crate::script::api::promise::InFlight;
use crate::script::api::websocket::Callback;

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
    /// k6's `minIterationDuration`: the least time from one iteration's start to the next's.
    pub min_iteration_duration: Option<std::time::Duration>,
    /// This instance's scenarios and start, for `exec.instance`.
    pub instance: Arc<crate::runtime::scenario::Instance>,
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
    pub(super) http: std::cell::OnceCell<Rc<HttpClient>>,
    /// Top-level variables captured after init, readable by plain name inside functions: read
    /// at every use of one in a function, so hashed as Rhai hashes its maps' keys (SipHash took
    /// ~160 instructions a read).
    pub globals: RefCell<HashMap<ImmutableString, Dynamic, rhai::MapHasher>>,
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
    /// unseeded (see [`super::vu_main`]); one set after that holds for the VU's later iterations.
    /// Boxed: the generator is ~330 bytes, which every VU held inline (+7 MB at 20,000 VUs).
    pub random: RefCell<Option<Box<rand::rngs::StdRng>>>,
    /// k6's event loop: the global timers and `WebSocket`s, run after each function call.
    pub event_loop: EventLoop<Callback>,
    /// The requests `http.asyncRequest` started and the iteration has yet to see settle; made at
    /// the VU's first (boxed: most VUs never make one).
    in_flight: std::cell::OnceCell<Box<InFlight>>,
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
            globals: RefCell::new(HashMap::default()),
            data_json: read_setup_data(&shared.setup_data),
            output: RefCell::new(None),
            env,
            in_init: Cell::new(true),
            random: RefCell::new(None),
            event_loop: EventLoop::default(),
            in_flight: std::cell::OnceCell::new(),
            bytes: Cell::new((0, 0)),
            base_tags: RefCell::new(base_tags),
            shared,
        }
    }

    /// The VU's HTTP client if it made one (a VU that never sent a request has no cookies).
    pub fn http_if_made(&self) -> Option<Rc<HttpClient>> {
        self.http.get().cloned()
    }

    /// The VU's promises of `http.asyncRequest`.
    pub fn in_flight(&self) -> &InFlight {
        self.in_flight.get_or_init(Box::default)
    }

    /// The VU's promises, if it ever made one.
    pub fn in_flight_if_made(&self) -> Option<&InFlight> {
        self.in_flight.get().map(|b| &**b)
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
    pub(super) fn record_bytes(&self, tags: &TagSet) {
        // With those of requests cut in flight (an interrupted iteration's last request).
        if let Some(client) = self.http.get() {
            let (sent, received) = client.take_cut_bytes();
            self.count_bytes(sent, received);
        }
        let (sent, received) = self.bytes.replace((0, 0));
        metrics::record_all(tags, &[(builtin::DATA_SENT, sent as f64), (builtin::DATA_RECEIVED, received as f64)]);
    }

    /// k6's `exec.vu.metrics.tags[name] = value`: a tag on every later sample of this VU.
    pub fn set_tag(&self, name: &str, value: &str) {
        self.base_tags.borrow_mut().insert(name, value);
    }

    /// `delete exec.vu.metrics.tags[name]`: later samples go without the tag (a system tag
    /// such as `scenario` too, as in k6).
    pub fn remove_tag(&self, name: &str) {
        self.base_tags.borrow_mut().remove(name);
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
