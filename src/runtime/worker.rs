//! Worker threads: each a `current_thread` tokio runtime + `LocalSet` + one Rhai engine.
//!
//! A worker owns the VUs pinned to it (round-robin by the scheduler). Each VU is a coroutine
//! driven by a local task; nothing a VU touches leaves the thread. The worker flushes its
//! thread-local metric sink into the run's aggregate once a second and when its VUs are done.

use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rhai::{Engine, Scope, AST};
use tokio::sync::Notify;

use super::coroutine::VuCoroutine;
use super::vu::{is_interruption, Phase, RunShared, VuContext};
use crate::metrics;
use crate::script::diagnostics::describe_runtime_error;
use crate::script::engine::{compile, new_engine, ScriptSource, VU_STACK_SIZE};

/// Counts running workers so the scheduler can await them without blocking its thread.
#[derive(Default)]
pub struct WorkerSet {
    live: AtomicUsize,
    done: Notify,
}

impl WorkerSet {
    pub async fn all_done(&self) {
        loop {
            let notified = self.done.notified();
            if self.live.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }

    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }
}

/// Starts a worker thread running the VUs `vu_ids` of the plan in `shared`.
pub fn spawn(
    index: usize,
    vu_ids: Vec<u64>,
    source: ScriptSource,
    shared: Arc<RunShared>,
    set: Arc<WorkerSet>,
) -> std::io::Result<JoinHandle<()>> {
    set.live.fetch_add(1, Ordering::SeqCst);
    let set2 = set.clone();
    let spawned = std::thread::Builder::new().name(format!("rload-worker-{index}")).spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("worker runtime");
        let local = tokio::task::LocalSet::new();
        local.block_on(&rt, run_worker(vu_ids, source, shared));
        metrics::flush();
        set2.live.fetch_sub(1, Ordering::SeqCst);
        set2.done.notify_waiters();
    });
    if spawned.is_err() {
        set.live.fetch_sub(1, Ordering::SeqCst);
    }
    spawned
}

async fn run_worker(vu_ids: Vec<u64>, source: ScriptSource, shared: Arc<RunShared>) {
    let engine = Rc::new(new_engine(source.dir()));
    let ast = match compile(&engine, &source) {
        Ok(ast) => Rc::new(ast),
        Err(e) => {
            shared.errors.record(&e);
            return;
        }
    };
    let flusher = tokio::task::spawn_local(async {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            metrics::flush();
        }
    });
    let mut tasks = Vec::with_capacity(vu_ids.len());
    for id in vu_ids {
        let vu = Rc::new(VuContext::new(id, Phase::Iterate, shared.clone(), shared_data(&shared)));
        match run_vu(engine.clone(), ast.clone(), vu) {
            Ok(task) => tasks.push(tokio::task::spawn_local(task)),
            Err(e) => {
                shared.errors.record(&format!("VU {id} could not start: {e}"));
                shared.control.initialized_vus.fetch_add(1, Ordering::SeqCst);
                shared.control.init_done.notify_waiters();
            }
        }
    }
    for t in tasks {
        let _ = t.await;
    }
    flusher.abort();
}

fn shared_data(shared: &RunShared) -> Option<String> {
    shared.setup_data.clone()
}

/// Creates the VU's coroutine and returns the future that drives it to completion.
pub fn run_vu(
    engine: Rc<Engine>,
    ast: Rc<AST>,
    vu: Rc<VuContext>,
) -> std::io::Result<impl std::future::Future<Output = Result<(), String>>> {
    let control = vu.shared.control.clone();
    let body_vu = vu.clone();
    let co = VuCoroutine::new(VU_STACK_SIZE, vu.clone(), move || {
        let mut scope = Scope::new();
        let result = engine.run_ast_with_scope(&mut scope, &ast);
        drop(scope);
        match result {
            Ok(()) => Ok(()),
            Err(e) if is_interruption(&e) => Ok(()),
            Err(e) => {
                let msg = describe_runtime_error(&e);
                if body_vu.in_init.get() {
                    Err(format!("init code of VU {} failed: {msg}", body_vu.id))
                } else {
                    Err(msg)
                }
            }
        }
    })?;
    Ok(async move {
        control.active_vus.fetch_add(1, Ordering::SeqCst);
        let out = co.run(|| {
            let control = control.clone();
            async move { control.hard_stopped().await }
        });
        let result = out.await;
        control.active_vus.fetch_sub(1, Ordering::SeqCst);
        if let Err(e) = &result {
            if vu.in_init.get() && vu.phase == Phase::Iterate {
                control.initialized_vus.fetch_add(1, Ordering::SeqCst);
                control.init_done.notify_waiters();
            }
            vu.shared.errors.record(e);
        }
        result
    })
}
