//! The script on the scheduler's thread and the VUs that run there alone: loading and
//! compiling the script, `setup()`, `teardown(data)`, and [`run_phase`], which runs one such VU
//! (also the options VU and `handle_summary`) under a deadline and the signals.

use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use super::control::Control;
use super::errors::ErrorLog;
use super::exit::RunError;
use super::run::RunArgs;
use super::signals::Signals;
use super::vu::{Phase, RunShared, VuContext};
use super::worker::run_vu;
use crate::config::Options;
use crate::http::ClientConfig;
use crate::script::engine::{compile, engine_for, functions, summary_hook, ScriptSource};
use crate::script::facts;

/// k6's default `setupTimeout` and `teardownTimeout`.
pub(super) const DEFAULT_SETUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long an interrupted phase VU gets to unwind before its coroutine is dropped.
const PHASE_UNWIND: Duration = Duration::from_secs(1);

/// The compiled script on the scheduler's thread (for the options, setup and teardown VUs).
#[derive(Clone)]
pub(super) struct Script {
    pub(super) source: ScriptSource,
    pub(super) engine: Rc<rhai::Engine>,
    pub(super) ast: Rc<rhai::AST>,
    pub(super) functions: std::collections::HashMap<String, usize>,
    /// A VU called `exec.test.fail()`. Every VU of the run, in any phase (the REST API's setup
    /// and teardown too), starts from this script through [`run_shared`], so the mark is kept
    /// here for the run's end, which makes the exit code 110 (see `finish.rs`).
    pub(super) marked_failed: Arc<AtomicBool>,
}

/// `setup()`, if the script defines it, and how it ended.
pub(super) async fn setup(
    args: &RunArgs,
    script: &Script,
    options: &Options,
    test_options: &Arc<serde_json::Value>,
    signals: &Signals,
) -> SetupEnd {
    if !script.functions.contains_key("setup") || options.no_setup == Some(true) {
        return SetupEnd::Data(None);
    }
    let shared = Arc::new(run_shared(args, options, Some(test_options), script, None));
    let timeout = options.setup_timeout.unwrap_or(DEFAULT_SETUP_TIMEOUT);
    match run_phase(script, Phase::Setup, shared, Some(timeout), Some(signals)).await {
        PhaseEnd::Done(Ok(v)) => SetupEnd::Data(v.map(|v| v.to_string())),
        PhaseEnd::Done(Err(e)) if e.starts_with(super::setup_data::SETUP_DATA_ERROR) => {
            SetupEnd::Failed(RunError::SetupData(e))
        }
        PhaseEnd::Done(Err(e)) => SetupEnd::Failed(RunError::SetupFailed(e)),
        PhaseEnd::TimedOut => SetupEnd::Failed(RunError::SetupTimeout(timeout)),
        PhaseEnd::Signalled => SetupEnd::Signalled,
        PhaseEnd::Aborted(message) => SetupEnd::Aborted(message),
    }
}

/// How `setup()` ended. Unless it returned, no test runs and neither does teardown() (it has no
/// data), as in k6; the results of what setup() did are reported all the same.
pub(super) enum SetupEnd {
    /// It returned (`None` also when the script has no setup()); its data as JSON.
    Data(Option<String>),
    /// A signal stopped it: no test and no teardown (it has no data), but a summary, exit 105.
    Signalled,
    /// It called `exec.test.abort()`: as a signal, with exit code 108 (k6 runs neither the test
    /// nor teardown, and prints the summary).
    Aborted(String),
    /// It threw (exit 107) or ran past `setupTimeout` (exit 100): k6 still prints the summary,
    /// runs handleSummary and writes `--summary-export` before it exits with that code.
    Failed(RunError),
}

/// How `teardown(data)` ended (`Ran` also when the script has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TeardownEnd {
    Ran,
    /// It threw (or called `fail()`): the run's exit code becomes 107, as in k6.
    Failed(String),
    TimedOut,
    Signalled,
    /// It called `exec.test.abort(message)`: the run's exit code becomes 108.
    Aborted(String),
}

/// `teardown(data)`, if the script defines it. A failure or a timeout is an error of the run's
/// log (shown in the summary), not a reason to skip the summary, as in k6; it sets the exit code
/// (107 or 101) unless the test was already stopped by a signal, an abort or a threshold.
pub(super) async fn teardown(
    args: &RunArgs,
    script: &Script,
    options: &Options,
    test_options: &Arc<serde_json::Value>,
    setup_data: Option<String>,
    errors: &ErrorLog,
    signals: &Signals,
) -> TeardownEnd {
    if !script.functions.contains_key("teardown") || options.no_teardown == Some(true) {
        return TeardownEnd::Ran;
    }
    let shared_td = Arc::new(run_shared(args, options, Some(test_options), script, setup_data));
    let timeout = options.teardown_timeout.unwrap_or(DEFAULT_SETUP_TIMEOUT);
    // A signal that came before teardown() asked for it to run, not to be skipped: only a first
    // signal that comes while it runs stops it (a second one ends the process).
    let watch = (!signals.stopping()).then_some(signals);
    match run_phase(script, Phase::Teardown, shared_td, Some(timeout), watch).await {
        PhaseEnd::Done(Ok(_)) => TeardownEnd::Ran,
        PhaseEnd::Done(Err(e)) => {
            errors.record(&format!("teardown() failed: {e}"));
            TeardownEnd::Failed(e)
        }
        PhaseEnd::TimedOut => {
            errors.record("teardown() did not finish within teardownTimeout");
            TeardownEnd::TimedOut
        }
        PhaseEnd::Signalled => TeardownEnd::Signalled,
        PhaseEnd::Aborted(message) => TeardownEnd::Aborted(message),
    }
}

pub(super) fn load(path: &str) -> Result<Script, RunError> {
    let source = ScriptSource::read(path).map_err(RunError::ReadScript)?;
    let engine = Rc::new(engine_for(&source));
    let ast = compile(&engine, &source).map_err(RunError::Syntax)?;
    let functions = functions(&ast);
    let at = |pos: rhai::Position| {
        crate::script::converted::position(&source.path, pos.line().unwrap_or(0), pos.position().unwrap_or(0))
    };
    let mut problems: Vec<String> = facts::unimplemented_params(&ast)
        .into_iter()
        .chain(crate::script::missing::missing_calls(&engine, &ast))
        .map(|(pos, problem)| format!("{}: {problem}", at(pos)))
        .collect();
    problems.extend(summary_hook(&functions).err());
    if !problems.is_empty() {
        return Err(RunError::InvalidScript(problems));
    }
    Ok(Script { source, engine, ast: Rc::new(ast), functions, marked_failed: Arc::default() })
}

/// How a phase VU (init for the options, setup, teardown, handle_summary) ended.
pub(super) enum PhaseEnd {
    Done(Result<Option<serde_json::Value>, String>),
    TimedOut,
    Signalled,
    /// The script called `exec.test.abort(message)`.
    Aborted(String),
}

/// Runs one VU on this thread in `phase` and returns its output, unless `timeout` passes or a
/// signal comes first. Either way the VU is interrupted, even in a loop that never waits: its
/// progress hook sees the phase's hard stop and, having yielded every millisecond (see
/// `coroutine::TIME_SLICE`), it let this thread's timer and the signal through.
pub(super) async fn run_phase(
    script: &Script,
    phase: Phase,
    shared: Arc<RunShared>,
    timeout: Option<Duration>,
    signals: Option<&Signals>,
) -> PhaseEnd {
    let control = shared.control.clone();
    let vu = Rc::new(VuContext::new(0, phase, shared, None));
    let task = match run_vu(script.engine.clone(), script.ast.clone(), <_>::default(), vu.clone()) {
        Ok(task) => task,
        Err(e) => return PhaseEnd::Done(Err(e.to_string())),
    };
    let mut task = std::pin::pin!(task);
    let deadline = async {
        match timeout {
            Some(t) => tokio::time::sleep(t).await,
            None => std::future::pending().await,
        }
    };
    let signal = async {
        match signals {
            Some(s) => s.stopped().await,
            None => std::future::pending().await,
        }
    };
    let end = tokio::select! {
        result = &mut task => {
            // exec.test.abort() ends the VU like an interruption; the phase's own control says so.
            if let Some(message) = control.abort_message() {
                return PhaseEnd::Aborted(message);
            }
            return PhaseEnd::Done(result.map(|()| vu.output.borrow_mut().take()));
        }
        () = deadline => PhaseEnd::TimedOut,
        () = signal => PhaseEnd::Signalled,
    };
    control.stop_hard();
    // Past this bound the coroutine is dropped, which unwinds its stack.
    let _ = tokio::time::timeout(PHASE_UNWIND, task).await;
    end
}

pub(super) fn run_shared(
    args: &RunArgs,
    options: &Options,
    test_options: Option<&Arc<serde_json::Value>>,
    script: &Script,
    setup_data: Option<String>,
) -> RunShared {
    RunShared {
        script_dir: script.source.dir().to_path_buf(),
        env: args.env.clone(),
        http_config: ClientConfig {
            insecure_skip_tls_verify: options.insecure_skip_tls_verify.unwrap_or(false),
            no_connection_reuse: options.no_connection_reuse.unwrap_or(false),
            no_cookies_reset: options.no_cookies_reset.unwrap_or(false),
            user_agent: options.user_agent.clone(),
            discard_response_bodies: options.discard_response_bodies.unwrap_or(false),
            max_response_body_size: options
                .max_response_body_size
                .unwrap_or(crate::http::DEFAULT_MAX_RESPONSE_BODY_SIZE),
            http_debug: options.http_debug.unwrap_or_default(),
            shared_connections: options.shared_connections.map(|n| n.min(usize::MAX as u64) as usize),
            batch: options.batch_limits(),
        },
        max_redirects: options.max_redirects.unwrap_or(crate::http::DEFAULT_REDIRECTS),
        control: Arc::new(Control::new()),
        // `-q` hides progress, not errors (k6's meaning).
        errors: ErrorLog::new(false),
        base_tags: options.tags.clone().unwrap_or_default(),
        functions: script.functions.clone(),
        setup_data: super::setup_data::setup_data(setup_data),
        summary_text: None,
        test_options: test_options.cloned(),
        throw: options.throw.unwrap_or(false),
        min_iteration_duration: options.min_iteration_duration,
        instance: Default::default(),
        marked_failed: script.marked_failed.clone(),
    }
}
