//! Worker threads: each a `current_thread` tokio runtime + `LocalSet` + one Rhai engine.
//!
//! The scheduler sends a worker [`Command`]s: start VU n of a scenario (before the test and,
//! for arrival-rate executors, during it), and finish. Each VU is a coroutine driven by a local
//! task; nothing a VU touches leaves the thread. The worker flushes its thread-local metric
//! sink into the run's aggregate twice a second and when its VUs are done.

use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use rhai::{Engine, Scope, SharedFnResolutionCache, AST};
use tokio::sync::{mpsc, Notify};

use super::coroutine::panic_message;
use super::coroutine::VuCoroutine;
use super::relay;
use super::scenario::ScenarioRuntime;
use super::vu::{is_interruption, vu_main, Phase, RunShared, VuContext};
use crate::metrics::{self, SeriesCap};
use crate::script::diagnostics::describe_runtime_error;
use crate::script::engine::{compile, engine_for, evaluate, ScriptSource, VU_STACK_SIZE};

/// How often a worker merges its thread-local samples into the run's aggregate: often enough
/// for `abortOnFail` thresholds to react within a second, rarely enough to stay off the hot path.
const FLUSH_INTERVAL: Duration = Duration::from_millis(500);

pub enum Command {
    /// Initialise VU `id` (number `index` in `scenario`) and run it.
    StartVu { id: u64, scenario: Arc<ScenarioRuntime>, index: u64 },
    /// No more VUs: end once the running ones are done.
    Finish,
}

/// The running workers, so the scheduler can hand out VUs and await the end.
#[derive(Default)]
pub struct WorkerSet {
    senders: Vec<mpsc::UnboundedSender<Command>>,
    live: Arc<AtomicUsize>,
    done: Arc<Notify>,
    next: AtomicUsize,
}

impl WorkerSet {
    /// Starts `threads` worker threads for `source`, their samples capped by the run's
    /// `series_cap`, for at most `vus` VUs in all (started on them in turn).
    pub fn spawn(
        threads: usize,
        vus: u64,
        source: &ScriptSource,
        shared: &Arc<RunShared>,
        series_cap: &SeriesCap,
    ) -> std::io::Result<WorkerSet> {
        let mut set = WorkerSet::default();
        let threads = threads.max(1);
        let vus_per_thread = vus.div_ceil(threads as u64);
        for index in 0..threads {
            let (tx, rx) = mpsc::unbounded_channel();
            let (source, shared, series_cap) = (source.clone(), shared.clone(), series_cap.clone());
            let (live, done) = (set.live.clone(), set.done.clone());
            live.fetch_add(1, Ordering::SeqCst);
            let spawned = std::thread::Builder::new().name(format!("rload-worker-{index}")).spawn(move || {
                let _cache = crate::allocator::ThreadCache::start();
                metrics::join_run(series_cap);
                crate::executor::arrivals::set_worker_lane(index);
                super::shared_stack::plan_vus(vus_per_thread);
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("worker runtime");
                let local = tokio::task::LocalSet::new();
                local.block_on(&rt, run_worker(rx, source, shared));
                metrics::flush();
                live.fetch_sub(1, Ordering::SeqCst);
                done.notify_waiters();
            });
            if let Err(e) = spawned {
                set.live.fetch_sub(1, Ordering::SeqCst);
                return Err(e);
            }
            set.senders.push(tx);
        }
        Ok(set)
    }

    /// Starts VU `id` on the next worker (round-robin).
    pub fn start_vu(&self, id: u64, scenario: &Arc<ScenarioRuntime>, index: u64) {
        scenario.state.allocated.fetch_add(1, Ordering::SeqCst);
        let w = self.next.fetch_add(1, Ordering::Relaxed) % self.senders.len();
        let _ = self.senders[w].send(Command::StartVu { id, scenario: scenario.clone(), index });
    }

    /// Tells every worker to end once its VUs are done.
    pub fn finish(&self) {
        for tx in &self.senders {
            let _ = tx.send(Command::Finish);
        }
    }

    pub async fn all_done(&self) {
        loop {
            let notified = self.done.notified();
            if self.live.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}

async fn run_worker(mut rx: mpsc::UnboundedReceiver<Command>, source: ScriptSource, shared: Arc<RunShared>) {
    let engine = Rc::new(engine_for(&source));
    let ast = match compile(&engine, &source) {
        Ok(ast) => Rc::new(ast),
        Err(e) => {
            shared.errors.record(&e);
            return;
        }
    };
    // The function resolution cache this thread's VUs share (`script::engine::evaluate`).
    let resolution = SharedFnResolutionCache::default();
    let flusher = tokio::task::spawn_local(async {
        let mut tick = tokio::time::interval(FLUSH_INTERVAL);
        loop {
            tick.tick().await;
            metrics::flush();
        }
    });
    // The thread's request timeouts, on one timer (`http::deadline`).
    let deadlines = tokio::task::spawn_local(crate::http::deadline::watch());
    let mut tasks = Vec::new();
    while let Some(Command::StartVu { id, scenario, index }) = rx.recv().await {
        // The run's and the scenario's hard stop and the scenario's start, relayed to this
        // thread's VUs (`relay.rs`).
        relay::start_for(&shared.control, &scenario);
        let vu = Rc::new(VuContext::new(id, Phase::Iterate, shared.clone(), Some((scenario.clone(), index))));
        match run_vu(engine.clone(), ast.clone(), resolution.clone(), vu) {
            Ok(task) => tasks.push(tokio::task::spawn_local(task)),
            Err(e) => {
                shared.errors.record(&format!("VU {id} could not start: {e}"));
                shared.control.vu_initialized();
                scenario.vu_finished();
            }
        }
    }
    for t in tasks {
        let _ = t.await;
    }
    flusher.abort();
    deadlines.abort();
}

/// Creates the VU's coroutine and returns the future that drives it to completion.
pub fn run_vu(
    engine: Rc<Engine>,
    ast: Rc<AST>,
    resolution: SharedFnResolutionCache,
    vu: Rc<VuContext>,
) -> std::io::Result<impl std::future::Future<Output = Result<(), String>>> {
    let body_vu = vu.clone();
    let co = VuCoroutine::new(VU_STACK_SIZE, vu.clone(), move || {
        let mut scope = Scope::new();
        let result = evaluate(&engine, &ast, &mut scope, &resolution, vu_main);
        drop(scope);
        match result {
            Ok(()) => Ok(()),
            Err(e) if is_interruption(&e) => Ok(()),
            Err(e) => {
                let msg = describe_runtime_error(&e, ast.source().unwrap_or_default()).render();
                if body_vu.in_init.get() {
                    Err(format!("init code of VU {} failed: {msg}", body_vu.id))
                } else {
                    Err(msg)
                }
            }
        }
    })?;
    Ok(async move {
        let interrupt_vu = vu.clone();
        // A panic in native code ends this VU only: it is reported like a script error and the
        // scenario is told the VU is done, so the run still ends on time with its results.
        let result = AssertUnwindSafe(co.run(move || interrupt_vu.clone().interrupted()))
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| Err(describe_panic(&vu, panic.as_ref())));
        if vu.phase == Phase::Iterate {
            if vu.in_init.get() {
                vu.shared.control.vu_initialized();
                if let Err(e) = &result {
                    vu.shared.control.init_failed(e.clone());
                }
            }
            if let Some(s) = &vu.scenario {
                s.vu_finished();
            }
            if let Err(e) = &result {
                vu.shared.errors.record(e);
            }
        }
        result
    })
}

/// The report of a VU that panicked: which VU, where it was, and the panic's own message.
fn describe_panic(vu: &VuContext, panic: &(dyn std::any::Any + Send)) -> String {
    let message = panic_message(panic);
    let place = match &vu.scenario {
        Some(s) if !vu.in_init.get() => {
            format!("in {}() of scenario \"{}\", iteration {}", s.config.exec, s.name(), vu.iteration.get())
        }
        Some(s) => format!("in the init code of scenario \"{}\"", s.name()),
        None => match vu.phase {
            Phase::Setup => "in setup()".into(),
            Phase::Teardown => "in teardown()".into(),
            Phase::Summary => "in handle_summary()".into(),
            Phase::Options | Phase::Iterate => "in the init code".into(),
        },
    };
    format!("VU {} stopped: rload panicked {place}: {message}", vu.id)
}
