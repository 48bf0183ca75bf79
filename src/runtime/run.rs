//! One test run from start to end: the scheduler.
//!
//! Order, as in k6: compile (syntax errors stop here, exit 107) → run init once to read
//! `options` → merge with the CLI and validate (exit 104) → check system limits → `setup()` →
//! start the workers and initialise every VU → start the clock → at the end of the plan,
//! graceful stop, then hard stop → `teardown(data)` → summary → exit code.

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::control::{Control, Plan};
use super::errors::ErrorLog;
use super::vu::{Phase, RunShared, VuContext};
use super::worker::{self, run_vu, WorkerSet};
use crate::config::{format_duration, Options};
use crate::http::ClientConfig;
use crate::metrics::{self, builtin, TagSet};
use crate::script::engine::{compile, functions, new_engine, ScriptSource};

/// k6's exit codes.
pub mod exit {
    pub const OK: i32 = 0;
    pub const THRESHOLDS_FAILED: i32 = 99;
    pub const INVALID_CONFIG: i32 = 104;
    pub const SIGNAL: i32 = 105;
    pub const SCRIPT_ERROR: i32 = 107;
    pub const OTHER: i32 = 1;
}

const DEFAULT_GRACEFUL_STOP: Duration = Duration::from_secs(30);
const DEFAULT_SETUP_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_MAX_DURATION: Duration = Duration::from_secs(600);
const DEFAULT_SUMMARY_STATS: [&str; 6] = ["avg", "min", "med", "max", "p(90)", "p(95)"];

/// Everything the CLI decided for `rload run`.
#[derive(Debug, Clone, Default)]
pub struct RunArgs {
    pub script: String,
    pub cli: Options,
    pub env: Vec<(String, String)>,
    pub quiet: bool,
    pub no_color: bool,
    pub no_summary: bool,
    pub summary_mode: crate::metrics::SummaryMode,
    pub threads: Option<usize>,
    /// Start the reference target in this process and point BASE_URL/WS_URL at it.
    pub with_target: bool,
    /// Keys set with `-e` (they win over what `with_target` would set).
    pub explicit_env: Vec<String>,
    /// Only compile and validate (`rload check`).
    pub check_only: bool,
}

/// Runs a test and returns the exit code.
pub fn run(args: RunArgs) -> i32 {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("scheduler runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, run_async(args))
}

async fn run_async(mut args: RunArgs) -> i32 {
    if args.with_target && !args.check_only {
        match crate::serve::spawn_background("127.0.0.1:0".parse().expect("literal address"), 1) {
            Ok(addr) => {
                for (key, value) in [("BASE_URL", format!("http://{addr}")), ("WS_URL", format!("ws://{addr}/ws"))] {
                    if !args.explicit_env.iter().any(|k| k == key) {
                        args.env.retain(|(k, _)| k != key);
                        args.env.push((key.to_string(), value));
                    }
                }
            }
            Err(e) => {
                eprintln!("error: --with-target: cannot start the reference target: {e}");
                return exit::OTHER;
            }
        }
    }
    let source = match ScriptSource::read(&args.script) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return exit::OTHER;
        }
    };
    let engine = Rc::new(new_engine(source.dir()));
    let ast = match compile(&engine, &source) {
        Ok(ast) => Rc::new(ast),
        Err(rendered) => {
            eprint!("{rendered}");
            return exit::SCRIPT_ERROR;
        }
    };
    let fns = functions(&ast);
    if !fns.contains_key("run") {
        eprintln!(
            "error: {} defines no `fn run()` (k6's default function); rload calls it once per iteration",
            source.path
        );
        return exit::SCRIPT_ERROR;
    }

    // Init once to read the script's options.
    let errors = ErrorLog::new(args.quiet);
    let probe = Arc::new(shared_for(
        &args,
        &Options::default(),
        Plan::PerVuIterations { vus: 1, iterations: 1, max_duration: DEFAULT_MAX_DURATION },
        fns.clone(),
        None,
        &source,
    ));
    let script_options = match run_phase(&engine, &ast, Phase::Options, probe, None).await {
        Ok(v) => v.unwrap_or(serde_json::Value::Object(Default::default())),
        Err(e) => {
            eprintln!("error: {e}");
            return exit::SCRIPT_ERROR;
        }
    };
    let options = match Options::from_script(&script_options) {
        Ok(o) => o.overridden_by(args.cli.clone()),
        Err(errs) => return config_errors(&errs),
    };
    let plan = match plan_from(&options, &args.cli) {
        Ok(p) => p,
        Err(errs) => return config_errors(&errs),
    };
    if let Some(w) = vus_ignored_warning(&options) {
        eprintln!("WARN {w}");
    }
    if args.check_only {
        println!("{}: ok ({})", source.path, describe_plan(&plan, DEFAULT_GRACEFUL_STOP));
        return exit::OK;
    }
    if let Err(e) = crate::limits::ensure_capacity(plan.vus()) {
        eprintln!("error: {e}");
        return exit::OTHER;
    }
    let started = Instant::now();

    // setup()
    let setup_shared = Arc::new(shared_for(&args, &options, plan.clone(), fns.clone(), None, &source));
    let setup_timeout = options.setup_timeout.unwrap_or(DEFAULT_SETUP_TIMEOUT);
    let setup_data = if fns.contains_key("setup") {
        match tokio::time::timeout(setup_timeout, run_phase(&engine, &ast, Phase::Setup, setup_shared, None)).await {
            Ok(Ok(v)) => v.map(|v| v.to_string()),
            Ok(Err(e)) => {
                eprintln!("error: setup() failed: {e}");
                return exit::SCRIPT_ERROR;
            }
            Err(_) => {
                eprintln!("error: setup() did not finish within setupTimeout ({})", format_duration(setup_timeout));
                return exit::SCRIPT_ERROR;
            }
        }
    } else {
        None
    };

    let shared = Arc::new(RunShared {
        errors,
        ..shared_for(&args, &options, plan.clone(), fns.clone(), setup_data.clone(), &source)
    });
    let control = shared.control.clone();
    if !args.quiet {
        print_header(&source.path, &plan, control.graceful_stop);
    }

    // Workers and VU init.
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let set = Arc::new(WorkerSet::default());
    let mut per_worker: Vec<Vec<u64>> = vec![Vec::new(); threads.min(plan.vus().max(1) as usize)];
    for id in 1..=plan.vus() {
        let n = per_worker.len();
        per_worker[(id as usize - 1) % n].push(id);
    }
    for (i, ids) in per_worker.into_iter().enumerate() {
        if let Err(e) = worker::spawn(i, ids, source.clone(), shared.clone(), set.clone()) {
            eprintln!("error: cannot start worker thread: {e}");
            return exit::OTHER;
        }
    }
    let interrupted_by_signal = tokio::select! {
        _ = wait_init(&control, plan.vus()) => false,
        _ = signal() => true,
    };
    let vus_tags = TagSet::new();
    let mut signalled = interrupted_by_signal;
    if !signalled {
        control.start();
        signalled = drive(&control, &plan, &set, &vus_tags).await;
    }
    if signalled {
        if !args.quiet {
            eprintln!("\nstopping: interrupted by signal; iterations in progress are cut short");
        }
        control.stop_hard();
    }
    set.all_done().await;
    let test_duration = control.started_at().map_or(Duration::ZERO, |t| t.elapsed());

    // teardown(data)
    if fns.contains_key("teardown") && !signalled {
        let td_shared = Arc::new(shared_for(&args, &options, plan.clone(), fns.clone(), setup_data.clone(), &source));
        let td_timeout = options.teardown_timeout.unwrap_or(DEFAULT_SETUP_TIMEOUT);
        match tokio::time::timeout(td_timeout, run_phase(&engine, &ast, Phase::Teardown, td_shared, setup_data)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => shared.errors.record(&format!("teardown() failed: {e}")),
            Err(_) => shared.errors.record("teardown() did not finish within teardownTimeout"),
        }
    }
    metrics::flush();
    let _ = started;

    if !args.no_summary {
        let stats = options
            .summary_trend_stats
            .clone()
            .unwrap_or_else(|| DEFAULT_SUMMARY_STATS.iter().map(|s| s.to_string()).collect());
        print!(
            "{}",
            super::report::render(
                &control,
                &shared.errors,
                &stats,
                test_duration,
                !args.no_color && is_tty(),
                args.summary_mode
            )
        );
    }
    if signalled {
        exit::SIGNAL
    } else {
        exit::OK
    }
}

fn is_tty() -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(1) == 1 }
}

/// Samples `vus`, watches the clock and signals; returns true when a signal stopped the run.
async fn drive(control: &Arc<Control>, plan: &Plan, set: &Arc<WorkerSet>, tags: &TagSet) -> bool {
    let start = Instant::now();
    let vus_max = plan.vus() as f64;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let deadline = start + plan.max_duration();
    loop {
        let active = control.active_vus.load(std::sync::atomic::Ordering::Relaxed) as f64;
        metrics::record(builtin::VUS, tags, active);
        metrics::record(builtin::VUS_MAX, tags, vus_max);
        metrics::flush();
        tokio::select! {
            _ = tick.tick() => {}
            _ = tokio::time::sleep_until(deadline.into()) => break,
            _ = set.all_done() => return false,
            _ = signal() => return true,
        }
        if set.live() == 0 {
            return false;
        }
    }
    control.stop_gracefully();
    tokio::select! {
        _ = set.all_done() => false,
        _ = tokio::time::sleep(control.graceful_stop) => {
            control.stop_hard();
            false
        }
        _ = signal() => true,
    }
}

async fn wait_init(control: &Control, vus: u64) {
    loop {
        let notified = control.init_done.notified();
        if control.initialized_vus.load(std::sync::atomic::Ordering::SeqCst) >= vus {
            return;
        }
        let _ = tokio::time::timeout(Duration::from_millis(50), notified).await;
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// Runs one VU on this thread in `phase` (options, setup or teardown) and returns its output.
async fn run_phase(
    engine: &Rc<rhai::Engine>,
    ast: &Rc<rhai::AST>,
    phase: Phase,
    shared: Arc<RunShared>,
    data: Option<String>,
) -> Result<Option<serde_json::Value>, String> {
    let vu = Rc::new(VuContext::new(0, phase, shared, data));
    let task = run_vu(engine.clone(), ast.clone(), vu.clone()).map_err(|e| e.to_string())?;
    task.await?;
    let out = vu.output.borrow_mut().take();
    Ok(out)
}

fn shared_for(
    args: &RunArgs,
    options: &Options,
    plan: Plan,
    fns: std::collections::HashMap<String, usize>,
    setup_data: Option<String>,
    source: &ScriptSource,
) -> RunShared {
    RunShared {
        script_dir: source.dir().to_path_buf(),
        env: args.env.clone(),
        http_config: ClientConfig {
            insecure_skip_tls_verify: options.insecure_skip_tls_verify.unwrap_or(false),
            no_connection_reuse: options.no_connection_reuse.unwrap_or(false),
            user_agent: options.user_agent.clone(),
            discard_response_bodies: options.discard_response_bodies.unwrap_or(false),
        },
        max_redirects: options.max_redirects.unwrap_or(10),
        control: Arc::new(Control::new(plan, DEFAULT_GRACEFUL_STOP)),
        errors: ErrorLog::new(args.quiet),
        scenario: "default".into(),
        exec_fn: "run".into(),
        base_tags: options.tags.clone().unwrap_or_default(),
        functions: fns,
        setup_data,
    }
}

fn config_errors(errs: &[String]) -> i32 {
    eprintln!("error: invalid options:");
    for e in errs {
        eprintln!("  - {e}");
    }
    exit::INVALID_CONFIG
}

/// k6's shortcuts: `iterations` → shared-iterations, `duration` → constant-vus, neither → one
/// iteration of one VU (k6 then ignores `vus`, with a warning: see [`vus_ignored_warning`]).
pub fn plan_from(o: &Options, _cli: &Options) -> Result<Plan, Vec<String>> {
    let mut errs = Vec::new();
    let vus = o.vus.unwrap_or(1);
    if o.stages.is_some() || o.scenarios.is_some() {
        errs.push("stages and scenarios are not supported yet: use vus with duration or iterations".to_string());
    }
    if vus == 0 {
        errs.push("vus: must be at least 1".into());
    }
    let plan = match (o.iterations, o.duration) {
        (Some(iterations), max) => {
            if iterations < vus {
                errs.push(format!("iterations ({iterations}) can't be less than vus ({vus})"));
            }
            Plan::SharedIterations { vus, iterations, max_duration: max.unwrap_or(DEFAULT_MAX_DURATION) }
        }
        (None, Some(duration)) => {
            if duration.is_zero() {
                errs.push("duration: must be more than 0s".into());
            }
            Plan::ConstantVus { vus, duration }
        }
        (None, None) => Plan::PerVuIterations { vus: 1, iterations: 1, max_duration: DEFAULT_MAX_DURATION },
    };
    if errs.is_empty() {
        Ok(plan)
    } else {
        Err(errs)
    }
}

/// k6's warning when `vus` is given without `duration`, `iterations` or `stages`.
pub fn vus_ignored_warning(o: &Options) -> Option<String> {
    match (o.vus, o.iterations, o.duration, &o.stages, &o.scenarios) {
        (Some(v), None, None, None, None) if v != 1 => Some(format!(
            "`vus={v}` option will be ignored, it only works in conjunction with `iterations`, `duration`, or `stages`"
        )),
        _ => None,
    }
}

pub fn describe_plan(plan: &Plan, graceful_stop: Duration) -> String {
    let gs = format_duration(graceful_stop);
    match plan {
        Plan::ConstantVus { vus, duration } => {
            format!("{vus} looping VUs for {} (gracefulStop: {gs})", format_duration(*duration))
        }
        Plan::SharedIterations { vus, iterations, max_duration } => {
            format!(
                "{iterations} iterations shared among {vus} VUs (maxDuration: {}, gracefulStop: {gs})",
                format_duration(*max_duration)
            )
        }
        Plan::PerVuIterations { vus, iterations, max_duration } => {
            format!(
                "{iterations} iterations for each of {vus} VUs (maxDuration: {}, gracefulStop: {gs})",
                format_duration(*max_duration)
            )
        }
    }
}

fn print_header(script: &str, plan: &Plan, graceful_stop: Duration) {
    let total = plan.max_duration() + graceful_stop;
    println!("\n  execution: local\n     script: {script}\n     output: -\n");
    println!(
        "  scenarios: (100.00%) 1 scenario, {} max VUs, {} max duration (incl. graceful stop):",
        plan.vus(),
        format_duration(total)
    );
    println!("           * default: {}\n", describe_plan(plan, graceful_stop));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_pick_k6_executors() {
        let o = Options { vus: Some(5), duration: Some(Duration::from_secs(10)), ..Default::default() };
        assert_eq!(plan_from(&o, &o).unwrap().executor_name(), "constant-vus");
        let o = Options { vus: Some(5), iterations: Some(20), ..Default::default() };
        assert_eq!(plan_from(&o, &o).unwrap().executor_name(), "shared-iterations");
        let o = Options { vus: Some(3), ..Default::default() };
        assert_eq!(
            plan_from(&o, &o).unwrap(),
            Plan::PerVuIterations { vus: 1, iterations: 1, max_duration: DEFAULT_MAX_DURATION }
        );
        assert!(vus_ignored_warning(&o).unwrap().contains("`vus=3` option will be ignored"));
    }

    #[test]
    fn fewer_iterations_than_vus_is_an_error() {
        let o = Options { vus: Some(10), iterations: Some(5), ..Default::default() };
        assert_eq!(plan_from(&o, &o).unwrap_err(), vec!["iterations (5) can't be less than vus (10)".to_string()]);
    }
}
