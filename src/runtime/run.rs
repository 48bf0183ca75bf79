//! One test run from start to end: the scheduler.
//!
//! Order, as in k6: compile (syntax errors stop here, exit 107) → run init once to read
//! `options` → merge with the CLI, derive the scenarios and validate (exit 104) → check system
//! limits → `setup()` → start the workers and initialise every pre-allocated VU → start the
//! clock; each scenario starts at its `startTime`, stops taking new iterations at the end of its
//! plan and interrupts what still runs after `gracefulStop` → `teardown(data)` → summary → exit
//! code.

use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::control::Control;
use super::errors::ErrorLog;
use super::report::{self, ReportSettings};
use super::scenario::ScenarioRuntime;
use super::schedule::{run_scenario, sample_vus, signal, wait_init, watch_thresholds};
use super::vu::{Phase, RunShared, VuContext};
use super::worker::{run_vu, WorkerSet};
use crate::config::{format_duration, Options};
use crate::executor::{scenarios_from_options, ScenarioConfig};
use crate::http::ClientConfig;
use crate::metrics::{self, builtin, tag, SeriesCap, SummaryMode, TagSet};
use crate::script::engine::{compile, functions, new_engine, ScriptSource};

/// k6's exit codes.
pub mod exit {
    pub const OK: i32 = 0;
    pub const THRESHOLDS_FAILED: i32 = 99;
    pub const INVALID_CONFIG: i32 = 104;
    pub const SIGNAL: i32 = 105;
    pub const SCRIPT_ERROR: i32 = 107;
    pub const ABORTED: i32 = 108;
    pub const OTHER: i32 = 1;
}

const DEFAULT_SETUP_TIMEOUT: Duration = Duration::from_secs(60);
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
    pub summary_mode: SummaryMode,
    pub threads: Option<usize>,
    /// Start the reference target in this process and point BASE_URL/WS_URL at it.
    pub with_target: bool,
    /// Keys set with `-e` (they win over what `with_target` would set).
    pub explicit_env: Vec<String>,
    /// Only compile and validate (`rload check`).
    pub check_only: bool,
    /// `--no-thresholds`: neither evaluate nor enforce thresholds.
    pub no_thresholds: bool,
    /// `--strict-thresholds`: a threshold whose metric saw no sample fails.
    pub strict_thresholds: bool,
    /// `--summary-export FILE`: k6's legacy JSON summary.
    pub summary_export: Option<String>,
    /// `--export-histograms FILE`: every trend's HDR histogram, mergeable across runs.
    pub histogram_export: Option<String>,
    /// `--max-series N`: distinct tag sets kept per metric.
    pub max_series: Option<usize>,
}

/// Runs a test and returns the exit code.
pub fn run(args: RunArgs) -> i32 {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("scheduler runtime");
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, run_async(args))
}

/// The compiled script on the scheduler's thread (for the options, setup and teardown VUs).
struct Script {
    source: ScriptSource,
    engine: Rc<rhai::Engine>,
    ast: Rc<rhai::AST>,
    functions: std::collections::HashMap<String, usize>,
}

async fn run_async(mut args: RunArgs) -> i32 {
    if args.with_target && !args.check_only {
        if let Err(code) = start_in_process_target(&mut args) {
            return code;
        }
    }
    let script = match load(&args.script) {
        Ok(s) => s,
        Err(code) => return code,
    };

    // Init once to read the script's options.
    let probe = Arc::new(run_shared(&args, &Options::default(), &script, None));
    let script_options = match run_phase(&script, Phase::Options, probe).await {
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
    let scenarios = match scenarios_from_options(&options, &args.cli) {
        Ok((scenarios, warnings)) => {
            for w in warnings {
                eprintln!("WARN {w}");
            }
            scenarios
        }
        Err(errs) => return config_errors(&errs),
    };
    if scenarios.iter().any(|s| s.exec == "run") && !script.functions.contains_key("run") {
        eprintln!(
            "error: {} defines no `fn run()` (k6's default function); rload calls it once per iteration",
            script.source.path
        );
        return exit::SCRIPT_ERROR;
    }
    let missing: Vec<String> = scenarios
        .iter()
        .filter(|s| !script.functions.contains_key(&s.exec))
        .map(|s| format!("scenario \"{}\": exec: the script defines no function `{}`", s.name, s.exec))
        .collect();
    if !missing.is_empty() {
        return config_errors(&missing);
    }
    let thresholds = match (&options.thresholds, args.no_thresholds) {
        (Some(t), false) => match crate::thresholds::parse(t, &|name| metrics::lookup(name)) {
            Ok(set) => set,
            Err(errs) => return config_errors(&errs),
        },
        _ => Vec::new(),
    };
    // Overflow series keep the tags the thresholds filter on, so sub-metric thresholds see them.
    let series_cap = SeriesCap::new(
        args.max_series.unwrap_or(metrics::MAX_SERIES_PER_METRIC),
        thresholds.iter().flat_map(|t| t.filter.iter().map(|(key, _)| key.clone())),
    );
    metrics::start_run(series_cap.clone());
    let total_vus: u64 = scenarios.iter().map(ScenarioConfig::max_vus).sum();
    if args.check_only {
        println!("{}: ok", script.source.path);
        print_scenarios(&scenarios);
        return exit::OK;
    }
    if let Err(e) = crate::limits::ensure_capacity(total_vus) {
        eprintln!("error: {e}");
        return exit::OTHER;
    }

    // setup()
    let setup_data = if script.functions.contains_key("setup") {
        let shared = Arc::new(run_shared(&args, &options, &script, None));
        let timeout = options.setup_timeout.unwrap_or(DEFAULT_SETUP_TIMEOUT);
        match tokio::time::timeout(timeout, run_phase(&script, Phase::Setup, shared)).await {
            Ok(Ok(v)) => v.map(|v| v.to_string()),
            Ok(Err(e)) => {
                eprintln!("error: setup() failed: {e}");
                return exit::SCRIPT_ERROR;
            }
            Err(_) => {
                eprintln!("error: setup() did not finish within setupTimeout ({})", format_duration(timeout));
                return exit::SCRIPT_ERROR;
            }
        }
    } else {
        None
    };

    let shared = Arc::new(RunShared {
        errors: ErrorLog::new(args.quiet),
        ..run_shared(&args, &options, &script, setup_data.clone())
    });
    let control = shared.control.clone();
    if !args.quiet {
        print_header(&script.source.path, &scenarios);
    }

    // Workers and VU init.
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let workers = match WorkerSet::spawn(threads.min(total_vus.max(1) as usize), &script.source, &shared, &series_cap) {
        Ok(w) => Rc::new(w),
        Err(e) => {
            eprintln!("error: cannot start worker threads: {e}");
            return exit::OTHER;
        }
    };
    let runtimes: Vec<Arc<ScenarioRuntime>> =
        scenarios.into_iter().map(|c| Arc::new(ScenarioRuntime::new(c))).collect();
    let mut next_id = 1u64;
    for s in &runtimes {
        for index in 0..s.pre_allocated_vus {
            workers.start_vu(next_id, s, index);
            next_id += 1;
        }
    }
    let preallocated = next_id - 1;
    let signalled = tokio::select! {
        _ = wait_init(&control, preallocated) => false,
        _ = signal() => true,
    };

    // The test.
    let test_start = Instant::now();
    let mut signalled = signalled;
    if !signalled && control.init_error().is_none() {
        let ids = Rc::new(std::cell::Cell::new(next_id));
        let runners: Vec<_> = runtimes
            .iter()
            .map(|s| tokio::task::spawn_local(run_scenario(s.clone(), test_start, workers.clone(), ids.clone())))
            .collect();
        let all = async {
            for r in runners {
                let _ = r.await;
            }
        };
        signalled = tokio::select! {
            _ = all => false,
            _ = sample_vus(&runtimes, args.quiet) => false,
            _ = watch_thresholds(&thresholds, &control, test_start) => false,
            _ = signal() => true,
            _ = control.hard_stopped() => false,
        };
    }
    if !args.quiet && report::is_tty(2) {
        eprintln!();
    }
    if signalled && !args.quiet {
        eprintln!("\nstopping: interrupted by signal; iterations in progress are cut short");
    }
    for s in &runtimes {
        s.stop_hard();
    }
    if signalled {
        control.stop_hard();
    }
    workers.finish();
    workers.all_done().await;
    let test_duration = test_start.elapsed();
    for s in &runtimes {
        let dropped = s.state.dropped.load(Ordering::Relaxed);
        if dropped > 0 {
            metrics::record(builtin::DROPPED_ITERATIONS, &TagSet::new().with(tag::SCENARIO, s.name()), dropped as f64);
        }
    }
    if let Some(e) = control.init_error() {
        eprintln!("error: {e}");
        return exit::SCRIPT_ERROR;
    }

    // teardown(data)
    if script.functions.contains_key("teardown") && !signalled {
        let shared_td = Arc::new(run_shared(&args, &options, &script, setup_data));
        let timeout = options.teardown_timeout.unwrap_or(DEFAULT_SETUP_TIMEOUT);
        match tokio::time::timeout(timeout, run_phase(&script, Phase::Teardown, shared_td)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => shared.errors.record(&format!("teardown() failed: {e}")),
            Err(_) => shared.errors.record("teardown() did not finish within teardownTimeout"),
        }
    }
    metrics::flush();

    let settings = ReportSettings {
        trend_stats: options
            .summary_trend_stats
            .clone()
            .unwrap_or_else(|| DEFAULT_SUMMARY_STATS.iter().map(|s| s.to_string()).collect()),
        color: !args.no_color && report::is_tty(1),
        mode: args.summary_mode,
        strict_thresholds: args.strict_thresholds,
        summary_export: args.summary_export.clone(),
        histogram_export: args.histogram_export.clone(),
        no_summary: args.no_summary,
        no_color_flag: args.no_color,
    };
    let report = match report::build(&thresholds, &runtimes, &control, &shared.errors, &settings, test_duration) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::OTHER;
        }
    };
    if script.functions.contains_key("handle_summary") {
        report::set_text_summary(&report.text);
        let shared_hs = Arc::new(run_shared(&args, &options, &script, Some(report.summary_data.to_string())));
        match run_phase(&script, Phase::Summary, shared_hs).await {
            Ok(Some(outputs)) => {
                if let Err(e) = report::apply_handle_summary(&outputs) {
                    eprintln!("error: {e}");
                }
            }
            Ok(None) => {}
            Err(e) => {
                eprintln!("error: handle_summary() failed: {e}; printing the default summary");
                print!("{}", report.text);
            }
        }
    } else if !args.no_summary {
        print!("{}", report.text);
    }
    if let Some(msg) = control.thresholds_abort() {
        eprintln!("error: {msg}");
        return exit::THRESHOLDS_FAILED;
    }
    if let Some(msg) = control.abort_message() {
        eprintln!("test aborted: {msg}");
        return exit::ABORTED;
    }
    if signalled {
        return exit::SIGNAL;
    }
    if !report.thresholds_passed() {
        eprintln!("error: some thresholds have failed");
        return exit::THRESHOLDS_FAILED;
    }
    exit::OK
}

fn load(path: &str) -> Result<Script, i32> {
    let source = ScriptSource::read(path).map_err(|e| {
        eprintln!("{e}");
        exit::OTHER
    })?;
    let engine = Rc::new(new_engine(source.dir()));
    let ast = compile(&engine, &source).map_err(|rendered| {
        eprint!("{rendered}");
        exit::SCRIPT_ERROR
    })?;
    let functions = functions(&ast);
    Ok(Script { source, engine, ast: Rc::new(ast), functions })
}

fn start_in_process_target(args: &mut RunArgs) -> Result<(), i32> {
    let app = crate::serve::App::Synckairos(Default::default());
    let addr =
        crate::serve::spawn_background_app("127.0.0.1:0".parse().expect("literal address"), 1, app).map_err(|e| {
            eprintln!("error: --with-target: cannot start the reference target: {e}");
            exit::OTHER
        })?;
    for (key, value) in [("BASE_URL", format!("http://{addr}")), ("WS_URL", format!("ws://{addr}/ws"))] {
        if !args.explicit_env.iter().any(|k| k == key) {
            args.env.retain(|(k, _)| k != key);
            args.env.push((key.to_string(), value));
        }
    }
    Ok(())
}

/// Runs one VU on this thread in `phase` (options, setup or teardown) and returns its output.
async fn run_phase(script: &Script, phase: Phase, shared: Arc<RunShared>) -> Result<Option<serde_json::Value>, String> {
    let vu = Rc::new(VuContext::new(0, phase, shared, None));
    let task = run_vu(script.engine.clone(), script.ast.clone(), vu.clone()).map_err(|e| e.to_string())?;
    task.await?;
    let out = vu.output.borrow_mut().take();
    Ok(out)
}

fn run_shared(args: &RunArgs, options: &Options, script: &Script, setup_data: Option<String>) -> RunShared {
    RunShared {
        script_dir: script.source.dir().to_path_buf(),
        env: args.env.clone(),
        http_config: ClientConfig {
            insecure_skip_tls_verify: options.insecure_skip_tls_verify.unwrap_or(false),
            no_connection_reuse: options.no_connection_reuse.unwrap_or(false),
            user_agent: options.user_agent.clone(),
            discard_response_bodies: options.discard_response_bodies.unwrap_or(false),
        },
        max_redirects: options.max_redirects.unwrap_or(crate::http::DEFAULT_REDIRECTS),
        control: Arc::new(Control::new()),
        errors: ErrorLog::new(args.quiet),
        base_tags: options.tags.clone().unwrap_or_default(),
        functions: script.functions.clone(),
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

fn print_header(script: &str, scenarios: &[ScenarioConfig]) {
    println!("\n  execution: local\n     script: {script}\n     output: -\n");
    print_scenarios(scenarios);
}

fn print_scenarios(scenarios: &[ScenarioConfig]) {
    let max_vus: u64 = scenarios.iter().map(ScenarioConfig::max_vus).sum();
    let max_end = scenarios.iter().map(|s| s.start_time + s.end_offset()).max().unwrap_or_default();
    let n = scenarios.len();
    println!(
        "  scenarios: (100.00%) {n} scenario{}, {max_vus} max VUs, {} max duration (incl. graceful stop):",
        if n == 1 { "" } else { "s" },
        format_duration(max_end)
    );
    for s in scenarios {
        println!("           * {}: {}", s.name, s.describe());
    }
    println!();
}
