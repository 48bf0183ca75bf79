//! One test run from start to end: the scheduler.
//!
//! Order, as in k6, in three steps. [`prepare`]: compile (syntax errors stop here, exit 107) →
//! run init once to read `options` → merge with the CLI, derive the scenarios and validate
//! (exit 104). [`execute`]: check system limits → `setup()` → start the workers and initialise
//! every pre-allocated VU → start the clock; each scenario starts at its `startTime`, stops
//! taking new iterations at the end of its plan and interrupts what still runs after
//! `gracefulStop` → `teardown(data)`. [`report_results`]: summary, exports → exit code. Each
//! step returns a [`RunError`] (`exit.rs`) for the failure that ends the run; [`run`] prints it
//! and maps it to k6's exit code.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::api_surface::RunSurface;
use super::errors::ErrorLog;
use super::exit::{self, RunError};
use super::finish::report_results;
use super::header::{print_header, print_scenarios};
use super::monitor::{Monitor, Monitored};
use super::phases::{load, run_phase, run_shared, setup, teardown, PhaseEnd, Script, SetupEnd, TeardownEnd};
use super::report;
use super::scenario::ScenarioRuntime;
use super::schedule::{run_scenario, sample_vus, wait_init, watch_thresholds};
use super::signals::Signals;
use super::test_options;
use super::vu::{Phase, RunShared};
use super::worker::WorkerSet;
use crate::api::body::ExecutionStatus;
use crate::config::layers::consolidate;
use crate::config::Options;
use crate::executor::{scenarios_from_options, ExecutionTuple, ScenarioConfig};
use crate::limits;
use crate::metrics::{self, builtin, tag, SeriesCap, SystemTags, TagSet};
use crate::output::SummaryMode;
use crate::outputs::{OutputSpec, Outputs};
use crate::report::Sampler;
use crate::scrape::{ScrapeConfig, Scraper, DEFAULT_WARMUP};
use crate::stdio;
use crate::thresholds::MetricThresholds;

/// Everything the CLI decided for `rload run`.
#[derive(Debug, Clone, Default)]
pub struct RunArgs {
    pub script: String,
    /// The options set by flags: the top layer (`config/layers.rs`).
    pub cli: Options,
    /// The options of `-c/--config` (or `K6_CONFIG`, or the default file): the bottom layer.
    pub config_file: Options,
    /// The options of `K6_*` variables: above the script's, below the flags.
    pub env_options: Options,
    pub env: Vec<(String, String)>,
    pub quiet: bool,
    pub no_color: bool,
    pub no_summary: bool,
    pub summary_mode: SummaryMode,
    pub threads: Option<usize>,
    /// Start the reference target in this process and point BASE_URL/WS_URL at it: done by
    /// `target.rs` before the run, so `env` already holds them here.
    pub with_target: bool,
    /// Keys set with `-e` (they win over what `with_target` would set).
    pub explicit_env: Vec<String>,
    /// Only compile and validate (`rload check`).
    pub check_only: bool,
    /// `--no-thresholds`: neither evaluate nor enforce thresholds.
    pub no_thresholds: bool,
    /// `--strict-thresholds`: a threshold whose metric saw no sample fails.
    pub strict_thresholds: bool,
    /// `-o/--out`: where samples stream while the test runs.
    pub outputs: Vec<OutputSpec>,
    /// `--summary-export FILE`: k6's legacy JSON summary.
    pub summary_export: Option<String>,
    /// `--export-histograms FILE`: every trend's HDR histogram, mergeable across runs.
    pub histogram_export: Option<String>,
    /// `--report FILE` (or `K6_WEB_DASHBOARD_EXPORT`): the self-contained HTML report.
    pub report: Option<String>,
    /// `--max-series N`: distinct tag sets kept per metric.
    pub max_series: Option<usize>,
    /// `-l/--linger` (or `linger` in the config file, `K6_LINGER`): after the results, wait for
    /// SIGINT/SIGTERM before exiting.
    pub linger: bool,
    /// `-a/--address`: where the REST API listens (`""`: nowhere).
    pub address: String,
    /// The user gave `--address` (a busy address is then an error, k6's exit code 106).
    pub address_explicit: bool,
    /// `rload inspect`: print k6's JSON (with `--execution-requirements` when true) and stop.
    pub inspect: Option<bool>,
    /// `rload archive -O FILE`: write the test as one archive and stop.
    pub archive_out: Option<String>,
    /// Running an archive: the options resolved when it was made, in place of the script's.
    pub archived_options: Option<serde_json::Value>,
    /// `--log-output`, `--log-format`: where log lines go, in what form (`crate::logger`).
    pub log: crate::logger::LogConfig,
}

/// Runs a test and returns the exit code.
pub fn run(args: RunArgs) -> i32 {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("scheduler runtime");
    let local = tokio::task::LocalSet::new();
    match local.block_on(&rt, run_async(args)) {
        Ok(()) => exit::OK,
        Err(err) => {
            err.print();
            err.exit_code()
        }
    }
}

/// What [`prepare`] settled before anything runs against the target. The scenarios travel
/// beside it, because [`execute`] consumes them into their runtimes.
pub(super) struct Prepared {
    pub(super) script: Script,
    /// The options as the script (or the archive) gave them, before the flags.
    pub(super) script_options: serde_json::Value,
    pub(super) options: Options,
    /// `exec.test.options`.
    pub(super) test_options: Arc<serde_json::Value>,
    /// This instance's share of the test (`--execution-segment`; the whole test by default).
    pub(super) segment: ExecutionTuple,
    pub(super) thresholds: Vec<MetricThresholds>,
    pub(super) series_cap: SeriesCap,
    /// `-o` outputs, open and fed from the start of `setup()` to the end of `teardown()`.
    pub(super) outputs: RefCell<Option<Outputs>>,
    /// `--scrape`: probed (metrics declared, baselines set); runs on its own thread during the test.
    pub(super) scraper: RefCell<Option<Scraper>>,
}

/// What [`execute`] leaves for [`report_results`]: the run's shared state (control, error log),
/// every scenario's runtime, and how the test ended.
pub(super) struct Executed {
    pub(super) shared: Arc<RunShared>,
    pub(super) runtimes: Vec<Arc<ScenarioRuntime>>,
    pub(super) signalled: bool,
    /// `setup()` or `teardown()` threw or ran past its timeout: the exit code (107, 100, 101)
    /// once the results are out, unless a signal, an abort or a threshold stopped the run first.
    pub(super) phase_failure: Option<RunError>,
    pub(super) test_duration: Duration,
    /// What the once-a-second watcher saw (empty when the test did not start).
    pub(super) monitored: Monitored,
}

async fn run_async(args: RunArgs) -> Result<(), RunError> {
    let signals = Signals::watch(args.quiet);
    if let Some(out) = &args.archive_out {
        return archive(&args, out, &signals).await;
    }
    let (prepared, scenarios) = prepare(&args, &signals).await?;
    if let Some(requirements) = args.inspect {
        let text = super::inspect::inspect_json(&prepared.script_options, &prepared.options, &scenarios, requirements);
        stdio::outln(&text);
        return Ok(());
    }
    if args.check_only {
        stdio::outln(&format!("{}: ok", prepared.script.source.path));
        print_scenarios(&scenarios, &prepared.segment);
        return Ok(());
    }
    let kinds = scenarios.iter().map(|s| (s.executor.name().to_string(), s.name.clone())).collect();
    let surface = Rc::new(RunSurface::new(&args, &prepared.script, &prepared.options, &prepared.test_options, kinds));
    start_api(&args, &surface)?;
    let test = match execute(&args, &prepared, scenarios, &signals, &surface).await {
        Ok(test) => test,
        Err(e) => {
            // No summary when the VUs could not start (their init code failed, a system limit),
            // as in k6, but the report says what happened.
            if let Some(path) = &args.report {
                let why = e.to_string();
                let why = why.strip_prefix("error: ").unwrap_or(&why);
                if let Err(problem) = report::write_early_end(path, &args.script, &prepared.thresholds, why) {
                    eprintln!("error: {problem}");
                }
            }
            return Err(e);
        }
    };
    let result = report_results(&args, &prepared, test, &signals, &surface).await;
    if args.linger && !signals.stopping() {
        eprintln!("Linger set; waiting for Ctrl+C to exit...");
        signals.stopped().await;
    }
    result
}

/// `rload archive`: validates the test as a run would, noting the files its init code reads,
/// then writes them with the resolved options and the `-e` variables into one tar file.
async fn archive(args: &RunArgs, out: &str, signals: &Signals) -> Result<(), RunError> {
    let (prepared, mut files) = crate::script::files::record(prepare(args, signals)).await;
    let (prepared, _) = prepared?;
    // A JavaScript script is archived as it is, with the local modules it imports (k6's archive
    // of the same script); `rload run` of the archive converts it again.
    if crate::script::converted::is_js(&args.script) {
        files.extend(crate::script::converted::module_sources());
    }
    let env: Vec<(String, String)> = args.env.iter().filter(|(k, _)| args.explicit_env.contains(k)).cloned().collect();
    let options = crate::config::json::to_k6_json(&prepared.options);
    crate::archive::write(std::path::Path::new(out), std::path::Path::new(&args.script), &files, &options, &env)
        .map_err(RunError::Archive)
}

/// Starts k6's REST API at `--address` on this thread. A busy default address (another run
/// holds localhost:6565) leaves this run without the API; a busy address the user gave is an
/// error, as in k6.
fn start_api(args: &RunArgs, surface: &Rc<RunSurface>) -> Result<(), RunError> {
    let addr = match crate::api::resolve(&args.address) {
        Ok(Some(addr)) => addr,
        Ok(None) => return Ok(()),
        Err(e) if args.address_explicit => return Err(RunError::ApiStart(e)),
        Err(_) => return Ok(()),
    };
    match crate::api::server::bind(addr) {
        Ok(bound) => {
            crate::api::server::serve(bound, surface.clone());
            Ok(())
        }
        Err(e) if args.address_explicit => Err(RunError::ApiStart(format!("listen on {addr}: {e}"))),
        Err(_) => Ok(()),
    }
}

/// Everything settled before the test starts: the compiled script, its options (init code run
/// once) merged with the CLI, the scenarios and thresholds, all validated (every problem at once).
async fn prepare(args: &RunArgs, signals: &Signals) -> Result<(Prepared, Vec<ScenarioConfig>), RunError> {
    let script = load(&args.script)?;

    // Init once to read the script's options.
    let probe = Arc::new(run_shared(args, &Options::default(), None, &script, None));
    let script_options = match run_phase(&script, Phase::Options, probe, None, Some(signals)).await {
        PhaseEnd::Done(out) => out.map_err(RunError::Init)?,
        PhaseEnd::Aborted(message) => return Err(RunError::Aborted(message)),
        PhaseEnd::TimedOut | PhaseEnd::Signalled => return Err(RunError::Interrupted),
    }
    .unwrap_or(serde_json::Value::Object(Default::default()));
    let script_options = args.archived_options.clone().unwrap_or(script_options);
    let parsed_options = Options::from_script(&script_options).map_err(RunError::InvalidOptions)?;
    let (options, mut warnings) = consolidate(&args.config_file, parsed_options, &args.env_options, &args.cli);
    let (scenarios, shortcut_warnings) = scenarios_from_options(&options).map_err(RunError::InvalidOptions)?;
    let segment = options.execution_tuple().map_err(|e| RunError::InvalidOptions(vec![e]))?;
    let test_options = Arc::new(test_options::consolidated(&options, &scenarios));
    warnings.extend(shortcut_warnings);
    if args.env_options.hosts.is_some() {
        // k6 v1.1.0 parses K6_HOSTS and then never applies it: the same environment under k6
        // sends these requests wherever DNS says. rload applies it, and says so.
        warnings.push(
            "K6_HOSTS maps these names to addresses here, but k6 v1.1.0 reads K6_HOSTS without applying it: \
             a k6 run with this environment resolved them by DNS (set `hosts` in the script's options or \
             the config file for both tools to map them)"
                .into(),
        );
    }
    for w in crate::config::options::cloud_only_warnings(&script_options).into_iter().chain(warnings) {
        crate::logger::warn(&w);
    }
    if scenarios.iter().any(|s| s.exec == "run") && !script.functions.contains_key("run") {
        return Err(RunError::NoDefaultFunction(script.source.path.clone()));
    }
    let missing: Vec<String> = scenarios
        .iter()
        .filter(|s| !script.functions.contains_key(&s.exec))
        .map(|s| format!("scenario \"{}\": exec: the script defines no function `{}`", s.name, s.exec))
        .collect();
    if !missing.is_empty() {
        return Err(RunError::InvalidOptions(missing));
    }
    let scrape = ScrapeConfig::new(
        options.scrape.as_deref().unwrap_or_default(),
        options.scrape_interval,
        options.scrape_warmup,
    )
    .map_err(RunError::InvalidOptions)?;
    let mut scraper = scrape.map(Scraper::new);
    // Declares the scraped metrics, so thresholds can name them.
    let probe_warnings = match &mut scraper {
        Some(scraper) => scraper.probe().await,
        None => Vec::new(),
    };
    let thresholds = match (&options.thresholds, args.no_thresholds) {
        // A threshold on a metric of a page that could not be read says why it is not declared.
        (Some(t), false) => crate::thresholds::parse(t, &|name| metrics::lookup(name))
            .map_err(|errors| RunError::InvalidOptions(errors.into_iter().chain(probe_warnings.clone()).collect()))?,
        _ => Vec::new(),
    };
    for warning in probe_warnings {
        crate::logger::warn(&warning);
    }
    // k6 says nothing when a sub-metric's tag is a system tag the run leaves out; its
    // threshold then sees no sample. rload says why.
    let system_tags = options.system_tags.unwrap_or_default();
    for t in &thresholds {
        for (key, _) in t.filter.iter().filter(|(key, _)| SystemTags::is_system_tag(key) && !system_tags.has(key)) {
            crate::logger::warn(&format!(
                "threshold \"{}\" filters on the tag \"{key}\", which systemTags leaves out: it will see no samples",
                t.key
            ));
        }
    }
    // Overflow series keep the tags the thresholds filter on, so sub-metric thresholds see them.
    let series_cap = SeriesCap::new(
        args.max_series.unwrap_or(metrics::MAX_SERIES_PER_METRIC),
        thresholds.iter().flat_map(|t| t.filter.iter().map(|(key, _)| key.clone())),
    );
    let outputs = match (&args.outputs[..], args.check_only) {
        ([], _) | (_, true) => None,
        (specs, false) => Some(Outputs::start(specs, &thresholds).map_err(|e| RunError::InvalidOptions(vec![e]))?),
    };
    metrics::start_run(series_cap.clone(), outputs.as_ref().and_then(Outputs::tap), system_tags);
    crate::http::hosts::install(options.hosts.clone().unwrap_or_default());
    crate::http::tls::install(crate::http::tls::TlsOptions {
        versions: options.tls_version,
        cipher_suites: options.tls_cipher_suites.clone(),
        client_certs: options.tls_auth.clone().unwrap_or_default(),
    });
    let outputs = RefCell::new(outputs);
    let scraper = RefCell::new(scraper);
    let prepared =
        Prepared { script, script_options, options, test_options, segment, thresholds, series_cap, outputs, scraper };
    Ok((prepared, scenarios))
}

/// The test itself: system limits, `setup()`, the workers and every pre-allocated VU's init
/// code, the scenarios from start to hard stop, then `teardown(data)`.
async fn execute(
    args: &RunArgs,
    prepared: &Prepared,
    scenarios: Vec<ScenarioConfig>,
    signals: &Signals,
    surface: &RunSurface,
) -> Result<Executed, RunError> {
    let Prepared { script, options, test_options, segment, thresholds, series_cap, outputs, scraper, .. } = prepared;
    let run_start = Instant::now();
    let total_vus: u64 = scenarios.iter().map(|s| s.max_vus_in(segment)).sum();
    ensure_capacity(args, script, options, total_vus)?;
    // A paused run (`--paused`, the option `paused`, `K6_PAUSED`), as k6, initialises its VUs
    // first and runs setup() once released; otherwise setup() runs first, so a failing setup()
    // costs no VU initialisation.
    let paused = options.paused.unwrap_or(false);
    let runtimes: Vec<Arc<ScenarioRuntime>> =
        scenarios.iter().cloned().map(|c| Arc::new(ScenarioRuntime::for_segment(c, segment))).collect();
    for s in &runtimes {
        // k6's executors tag `dropped_iterations` with the run's tags and the scenario.
        let mut pairs = options.tags.clone().unwrap_or_default();
        if metrics::system_tag_enabled(metrics::SystemTag::SCENARIO) {
            pairs.push((tag::SCENARIO.to_owned(), s.name().to_owned()));
        }
        s.state.set_drop_sink(move |n| {
            let mut tags = TagSet::new();
            for (name, value) in &pairs {
                tags.insert(name, value);
            }
            metrics::record(builtin::DROPPED_ITERATIONS, &tags, n as f64);
        });
    }

    // `vus` and `vus_max` once a second from the first poll, as k6's scheduler samples them
    // from the start of its run to its end: through setup() (its VUs are initialised before,
    // so `vus_max` counts them: [`ScenarioRuntime::vus_max`]), a pause, the test and
    // teardown(). A paused run polls it from the pause on (its VUs are ready then, as k6's).
    let sampled = runtimes.clone();
    let vus_sampler = sample_vus(&sampled, options.tags.as_deref().unwrap_or_default());
    tokio::pin!(vus_sampler);
    if !paused {
        // k6's REST API shows these VUs through setup(): k6 initialised them before it.
        surface.begin_setup(runtimes.iter().map(|s| s.vus_max()).sum());
        let end = tokio::select! {
            end = setup(args, script, options, test_options, signals) => end,
            never = &mut vus_sampler => match never {},
        };
        let shared = || Arc::new(run_shared(args, options, Some(test_options), script, None));
        let ended = |shared, signalled, phase_failure| Executed {
            shared,
            runtimes: Vec::new(),
            signalled,
            phase_failure,
            test_duration: Duration::ZERO,
            monitored: Monitored::default(),
        };
        // Unless setup() returned: no test and no teardown (it has no data), but the summary of
        // what setup() did and the exit code 105 (a signal), 108 (exec.test.abort()), 107 (it
        // threw) or 100 (setupTimeout), as in k6.
        match end {
            SetupEnd::Data(data) => surface.store_setup_data(data),
            SetupEnd::Signalled => return Ok(ended(shared(), true, None)),
            SetupEnd::Aborted(message) => {
                let shared = shared();
                shared.control.abort(message);
                return Ok(ended(shared, false, None));
            }
            SetupEnd::Failed(e) => return Ok(ended(shared(), false, Some(e))),
        }
    }

    let shared = Arc::new(RunShared {
        // `-q` hides progress, not errors (k6's meaning).
        errors: ErrorLog::new(false),
        setup_data: surface.data.clone(),
        ..run_shared(args, options, Some(test_options), script, None)
    });
    let control = shared.control.clone();
    if !args.quiet {
        let names = outputs.borrow().as_ref().map(|o| o.descriptions().join(", ")).unwrap_or_default();
        print_header(&script.source.path, &names, &scenarios, segment);
    }

    // Workers and VU init.
    surface.set_status(ExecutionStatus::InitVus);
    let worker_threads = worker_threads(args, total_vus);
    let workers = WorkerSet::spawn(worker_threads, total_vus, &script.source, &shared, series_cap)
        .map(Rc::new)
        .map_err(RunError::Workers)?;
    shared.instance.mark_started(run_start);
    shared.instance.set_scenarios(runtimes.clone());
    let mut next_id = 1u64;
    for s in &runtimes {
        for index in 0..s.pre_allocated_vus {
            workers.start_vu(next_id, s, index);
            next_id += 1;
        }
    }
    surface.attach(control.clone(), &runtimes);
    let preallocated = next_id - 1;
    let mut signalled = tokio::select! {
        _ = wait_init(&control, preallocated) => false,
        _ = signals.stopped() => true,
        _ = surface.stopped() => false,
    };
    surface.set_status(ExecutionStatus::InitDone);

    // --paused: the VUs are ready; the scenarios' clock waits for PATCH /v1/status.
    let mut setup_interrupted = false;
    let mut setup_failure = None;
    if paused && !signalled && !surface.stop_requested() && control.init_error().is_none() {
        surface.set_status(ExecutionStatus::PausedBeforeRun);
        if !args.quiet {
            stdio::errln("paused: waiting for PATCH /v1/status {\"paused\": false} (`rload resume`)");
        }
        signalled = tokio::select! {
            _ = surface.resumed() => false,
            _ = signals.stopped() => true,
            never = &mut vus_sampler => match never {},
        };
        if !signalled && !surface.stop_requested() {
            surface.begin_setup(0);
            let end = tokio::select! {
                end = setup(args, script, options, test_options, signals) => end,
                never = &mut vus_sampler => match never {},
            };
            match end {
                SetupEnd::Data(data) => surface.store_setup_data(data),
                SetupEnd::Signalled => setup_interrupted = true,
                SetupEnd::Aborted(message) => {
                    control.abort(message);
                    setup_interrupted = true;
                }
                SetupEnd::Failed(e) => {
                    setup_failure = Some(e);
                    setup_interrupted = true;
                }
            }
        }
    }

    // The test.
    let go = !signalled && !setup_interrupted && !surface.stop_requested() && control.init_error().is_none();
    let monitor = if go {
        let scraped = scraper.borrow().as_ref().map(Scraper::declared).unwrap_or_default();
        let sampler = args.report.as_ref().map(|_| Sampler::new(thresholds, scraped));
        let cores = crate::health::usable_cores(worker_threads);
        Some(Monitor::spawn(runtimes.clone(), cores, sampler).map_err(RunError::Workers)?)
    } else {
        None
    };
    let test_start = Instant::now();
    metrics::start_slope_clock(test_start, options.scrape_warmup.unwrap_or(DEFAULT_WARMUP));
    let scrape_task = match scraper.borrow_mut().take().map(|s| s.start(series_cap.clone())) {
        Some(Err(e)) => return Err(RunError::Workers(e)),
        Some(Ok(task)) => Some(task),
        None => None,
    };
    if let Some(monitor) = &monitor {
        monitor.begin(test_start);
    }
    if go {
        surface.mark_started(test_start);
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
            never = &mut vus_sampler => match never {},
            _ = progress(&runtimes, test_start, args.quiet) => false,
            _ = watch_thresholds(thresholds, &control, surface, test_start) => false,
            _ = signals.stopped() => true,
            _ = control.hard_stopped() => false,
            _ = surface.stopped() => false,
        };
    }
    stdio::keep_live();
    for s in &runtimes {
        s.stop_hard();
    }
    if signalled || setup_interrupted || surface.stop_requested() {
        control.stop_hard();
    }
    workers.finish();
    workers.all_done().await;
    let test_duration = test_start.elapsed();
    let monitored = monitor.map(Monitor::finish).unwrap_or_default();
    // One last scrape for the test's end, then the scraper's report.
    if let Some(task) = scrape_task {
        let report = tokio::task::spawn_blocking(move || task.finish()).await.map(|r| r.warnings);
        for warning in report.unwrap_or_else(|_| vec!["scrape: the scraper's thread panicked".to_owned()]) {
            crate::logger::warn(&warning);
        }
    }
    metrics::stop_slope_clock();
    surface.mark_ended();
    if let Some(e) = control.init_error() {
        return Err(RunError::Init(e));
    }

    if setup_interrupted {
        // A signal, exec.test.abort() or a failure in setup(): no test and no teardown, as in an
        // unpaused run (an abort's exit code comes from `control`).
        let signalled = control.abort_message().is_none() && setup_failure.is_none();
        let phase_failure = setup_failure;
        return Ok(Executed { shared, runtimes, signalled, phase_failure, test_duration, monitored });
    }

    // As in k6, a test stopped by a signal (or over the API) still runs teardown(data); a
    // second signal ends it.
    surface.set_status(ExecutionStatus::Teardown);
    let setup_data = surface.data.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let end = tokio::select! {
        end = teardown(args, script, options, test_options, setup_data, &shared.errors, signals) => end,
        never = &mut vus_sampler => match never {},
    };
    surface.set_status(if signalled { ExecutionStatus::Interrupted } else { ExecutionStatus::Ended });
    let phase_failure = match end {
        TeardownEnd::Ran => None,
        TeardownEnd::Signalled => {
            signalled = true;
            None
        }
        TeardownEnd::Aborted(message) => {
            control.abort(message);
            None
        }
        TeardownEnd::Failed(e) => Some(RunError::TeardownFailed(e)),
        TeardownEnd::TimedOut => Some(RunError::TeardownTimeout),
    };
    Ok(Executed { shared, runtimes, signalled, phase_failure, test_duration, monitored })
}

/// Live progress unless `-q`; pending for ever either way.
async fn progress(runtimes: &[Arc<ScenarioRuntime>], started: Instant, quiet: bool) {
    if !quiet {
        super::progress::show(runtimes, started).await;
    }
    std::future::pending::<()>().await
}

/// The system limits check (`limits.rs`) for this run: its peak VUs and the connections its
/// script can open (from the names the compiled code uses, `script/facts.rs`).
fn ensure_capacity(args: &RunArgs, script: &Script, options: &Options, total_vus: u64) -> Result<(), RunError> {
    let facts = crate::script::facts::Facts::of(Some(script.engine.default_tag()));
    let names = |name: &str| facts.as_ref().is_none_or(|f| f.borrow().names(name));
    let network = limits::NetworkUse { http: names("http"), ws: names("ws") };
    let threads = worker_threads(args, total_vus) as u64;
    let (connections, why) = limits::connections(total_vus, network, options.shared_connections, threads);
    limits::ensure_capacity(limits::Demand { vus: total_vus, connections, why }).map_err(RunError::Capacity)
}

/// Worker threads for a run: `--threads`, or one per core, and no more than its VUs.
fn worker_threads(args: &RunArgs, total_vus: u64) -> usize {
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    threads.min(total_vus.max(1) as usize)
}
