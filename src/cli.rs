//! Command-line parsing: raw flags in, a validated [`RunArgs`] or the raw [`ServeFlags`] out
//! (which `target.rs` turns into the reference target's options).
//!
//! Flags follow k6 (`-u/--vus`, `-d/--duration`, `-i/--iterations`, `-s/--stage`, `-e/--env`,
//! `--summary-trend-stats`, `-q`). `rload SCRIPT` is short for `rload run SCRIPT`.

use std::ffi::OsString;
use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

use crate::output::SummaryMode;

mod args;

/// `rload version` and `rload --version`, in k6's form (`k6 v1.1.0 (go1.24.4, linux/amd64)`).
pub fn version_line() -> String {
    format!("rload {}", version())
}

fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION
        .get_or_init(|| format!("v{} ({}/{})", env!("CARGO_PKG_VERSION"), std::env::consts::OS, std::env::consts::ARCH))
}

#[derive(Parser, Debug)]
#[command(
    name = "rload",
    version = version(),
    about = "Load testing with k6-style Rhai scripts",
    args_conflicts_with_subcommands = true,
    after_help = "Example:\n  rload run --with-target -u 10 -d 30s scripts/hello.rhai"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a test script.
    #[command(
        long_about = "Run a test script: its init code once per VU, setup(), the scenarios of its options \
                      (or of -u/-d/-i/-s), teardown(), then the end-of-test summary. `rload SCRIPT` is \
                      short for `rload run SCRIPT`.",
        after_help = "Example:\n  # 10 VUs for 30 seconds against the built-in reference target\n  \
                      rload run --with-target -u 10 -d 30s scripts/hello.rhai"
    )]
    // Boxed: the run's flags are many times the size of the other commands'.
    Run(Box<RunFlags>),
    /// Compile a script and validate its options without running it.
    #[command(
        long_about = "Compile a script and validate its options without running it: runs the init code once \
                      to read `options`, checks them, the scenarios and the thresholds (every problem at \
                      once, exit 104; a syntax error exits 107), prints the scenarios and starts no VU.",
        after_help = "Example:\n  # would these flags make a valid test of this script?\n  \
                      rload check -u 50 -d 5m scripts/01-baseline.rhai"
    )]
    Check(CheckFlags),
    /// Print a test's options as k6's JSON, without running it.
    #[command(
        long_about = "Print a test's options as k6's JSON, without running it: the script's own options, or \
                      with --execution-requirements the options resolved with the flags plus maxVUs and \
                      totalDuration (graceful stops included), as k6-operator reads them. Takes a script or \
                      an archive.",
        after_help = "Example:\n  rload inspect --execution-requirements archive.tar"
    )]
    Inspect(InspectFlags),
    /// Pack a test (script, modules, open()ed files, options) into one tar file.
    #[command(
        long_about = "Pack a test into one tar file that `rload run archive.tar` runs anywhere: the script, \
                      the modules it imports from beside it, the files its init code open()s, the options \
                      resolved with the flags, and the -e variables.",
        after_help = "Example:\n  rload archive -u 10 -d 1m scripts/01-baseline.rhai -O baseline.tar\n  rload run baseline.tar"
    )]
    Archive(ArchiveFlags),
    /// Merge the results of several instances of one test into one summary and one verdict.
    #[command(
        long_about = "Merge the --export-histograms files of the instances of one test (a fleet run with \
                      --execution-segment) into the summary `rload run` prints, evaluate the test's \
                      thresholds once over the merged data and exit 99 if one fails. Refuses results of \
                      different scripts or thresholds, and segments that overlap or leave part of 0:1 \
                      uncovered (exit 104).",
        after_help = "Example:\n  rload merge r0.json r1.json r2.json r3.json --summary-export fleet-summary.json"
    )]
    Merge(MergeFlags),
    /// Convert a k6 JavaScript script (and the local modules it imports) to Rhai.
    #[command(
        long_about = "Convert a k6 JavaScript script to an rload Rhai script, with a real JavaScript parser: \
                      its local imports become Rhai modules next to the output, k6 and jslib imports map to \
                      rload's built-ins. What cannot be converted is listed (file:line:col and why) and \
                      marked `CONVERT:` in the output. Exit 0: converted fully; 2: partially; 107: a \
                      JavaScript syntax error; 255: a file that cannot be read or written. \
                      `rload run script.js` converts in memory and runs.",
        after_help = "Example:\n  rload convert test.js -o test.rhai && rload run --with-target test.rhai"
    )]
    Convert(ConvertFlags),
    /// Run the reference target (an HTTP + WebSocket server for tests and demos).
    #[command(
        after_help = "Example:\n  # the SyncKairos API on port 3000, for `rload run -e BASE_URL=http://127.0.0.1:3000 ...`\n  \
                            rload serve --app synckairos --listen 127.0.0.1:3000"
    )]
    Serve(ServeFlags),
    /// Print the version.
    #[command(after_help = "Example:\n  rload version")]
    Version,
    /// Create a test script from k6's minimal template, in Rhai.
    #[command(after_help = "Example:\n  rload new api.rhai && rload run --with-target api.rhai")]
    New(NewFlags),
    /// Print a shell completion script for bash, zsh, fish, elvish or powershell.
    #[command(after_help = "Example:\n  source <(rload completion bash)")]
    Completion {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Show the status of a running test (k6's REST API at --address).
    #[command(after_help = "Example:\n  rload status --address 127.0.0.1:6565")]
    Status(ApiFlags),
    /// Pause a running test.
    #[command(
        long_about = "Pause a running test. As in k6 v1.1, only a test started with --paused and not yet \
                      resumed is paused; no executor pauses once started (the API says which).",
        after_help = "Example:\n  rload pause --address 127.0.0.1:6565"
    )]
    Pause(ApiFlags),
    /// Resume a paused test (one started with --paused).
    #[command(
        after_help = "Example:\n  # start the scenarios of a run started with --paused\n  rload resume --address 127.0.0.1:6565"
    )]
    Resume(ApiFlags),
    /// Scale a running test (k6 v1.1 refuses live VU changes; the API says so).
    #[command(after_help = "Example:\n  rload scale --vus 20 --address 127.0.0.1:6565")]
    Scale(ScaleFlags),
    /// Show a running test's metrics.
    #[command(after_help = "Example:\n  rload stats --address 127.0.0.1:6565")]
    Stats(ApiFlags),
}

/// `rload convert`.
#[derive(Args, Debug)]
pub struct ConvertFlags {
    /// The k6 JavaScript script.
    pub script: String,
    /// Where to write the Rhai script (default: the script's name with `.rhai`); modules go next to it.
    #[arg(short = 'o', long = "output")]
    pub output: Option<String>,
}

/// `rload new`: where to write the script, from which template.
#[derive(Args, Debug)]
pub struct NewFlags {
    /// The file to create.
    #[arg(default_value = crate::template::DEFAULT_FILE)]
    pub file: String,
    /// Overwrite the file if it exists.
    #[arg(short = 'f', long)]
    pub force: bool,
    /// The template: minimal (k6's other templates are for the browser and gRPC, which rload
    /// does not have).
    #[arg(short = 't', long, default_value = "minimal")]
    pub template: String,
}

/// `rload merge`: the results to merge and how to show them (see `crate::merge`).
#[derive(Args, Debug)]
pub struct MergeFlags {
    /// The instances' --export-histograms files.
    #[arg(required = true, value_name = "RESULT")]
    pub results: Vec<String>,
    /// Write k6's legacy JSON summary of the merged results to FILE.
    #[arg(long = "summary-export")]
    pub summary_export: Option<String>,
    /// Trend statistics in the summary (default: the test's summaryTrendStats).
    #[arg(long = "summary-trend-stats")]
    pub summary_trend_stats: Option<String>,
    /// No colours in the output.
    #[arg(long = "no-color")]
    pub no_color: bool,
    /// Summary layout: full (every metric, groups, scenarios) or compact (k6's default).
    #[arg(long = "summary-mode", value_parser = SummaryMode::NAMES)]
    pub summary_mode: Option<String>,
}

/// `--address` of a running test's REST API, for the control commands.
#[derive(Args, Debug)]
pub struct ApiFlags {
    /// The REST API's address, HOST:PORT.
    #[arg(short = 'a', long, default_value = crate::api::DEFAULT_ADDRESS)]
    pub address: String,
}

/// `rload scale`: k6's `-u/--vus` and `-m/--max`.
#[derive(Args, Debug)]
pub struct ScaleFlags {
    /// Number of virtual users.
    #[arg(short = 'u', long)]
    pub vus: Option<i64>,
    /// Max available virtual users.
    #[arg(short = 'm', long)]
    pub max: Option<i64>,
    #[command(flatten)]
    pub api: ApiFlags,
}

/// The flags that shape the options a script is checked or run with.
#[derive(Args, Debug, Default)]
pub struct OptionFlags {
    /// With a k6 JavaScript script: also write the Rhai it was converted to into DIR.
    #[arg(long = "keep-converted", value_name = "DIR")]
    pub keep_converted: Option<String>,
    /// Number of virtual users.
    #[arg(short = 'u', long)]
    pub vus: Option<u64>,
    /// Test duration, e.g. 30s, 1m30s.
    #[arg(short = 'd', long)]
    pub duration: Option<String>,
    /// Total iterations, shared among the VUs.
    #[arg(short = 'i', long)]
    pub iterations: Option<u64>,
    /// A ramping stage DURATION:TARGET (repeatable, or several in one: 5s:10,5m:20).
    #[arg(short = 's', long = "stage")]
    pub stages: Vec<String>,
    /// Set __ENV.KEY (repeatable): -e KEY=VALUE.
    #[arg(short = 'e', long = "env")]
    pub env: Vec<String>,
    /// Do not pass the system environment to __ENV.
    #[arg(long = "no-system-env-vars")]
    pub no_system_env_vars: bool,
    /// Pass the system environment to __ENV (the default; k6's flag, =false as --no-system-env-vars).
    #[arg(long = "include-system-env-vars", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub include_system_env_vars: Option<String>,
    /// Trend statistics in the summary, e.g. avg,p(95),p(99.9).
    #[arg(long = "summary-trend-stats")]
    pub summary_trend_stats: Option<String>,
    /// Do not evaluate thresholds.
    #[arg(long = "no-thresholds")]
    pub no_thresholds: bool,
    /// Read the target's Prometheus metrics page while the test runs (repeatable), e.g.
    /// --scrape http://127.0.0.1:3000/metrics; its series become metrics for the summary,
    /// outputs and thresholds.
    #[arg(long = "scrape", value_name = "URL")]
    pub scrape: Vec<String>,
    /// How often to scrape (default 5s).
    #[arg(long = "scrape-interval", value_name = "DURATION")]
    pub scrape_interval: Option<String>,
    /// Start of the test that `slope` thresholds leave out (default 30s).
    #[arg(long = "scrape-warmup", value_name = "DURATION")]
    pub scrape_warmup: Option<String>,
    /// This instance's share of the test, e.g. 1/4:2/4 (k6's execution segment; default 0:1).
    #[arg(long = "execution-segment")]
    pub execution_segment: Option<String>,
    /// How the test is split among instances, e.g. 0,1/4,2/4,3/4,1 (must contain the segment).
    #[arg(long = "execution-segment-sequence")]
    pub execution_segment_sequence: Option<String>,
    /// Time unit of every time value in the summary: s, ms or us (default: each value's own).
    #[arg(long = "summary-time-unit", value_name = "UNIT")]
    pub summary_time_unit: Option<String>,
    /// Only these built-in tags on samples, e.g. status,method,url (k6's default: all but
    /// vu, iter, ip and ocsp_status).
    #[arg(long = "system-tags", value_name = "TAGS")]
    pub system_tags: Option<String>,
    /// Log every request and response (headers; with =full the bodies too).
    #[arg(long = "http-debug", value_name = "full", num_args = 0..=1, require_equals = true, default_missing_value = "headers")]
    pub http_debug: Option<String>,
    /// k6's JSON config file (options, plus `out` and `linger`), below the script's options,
    /// K6_* variables and flags (default: K6_CONFIG, else ~/.config/rload/config.json if present).
    #[arg(short = 'c', long = "config")]
    pub config: Option<String>,
    #[command(flatten)]
    pub k6_only: K6OnlyFlags,
}

/// k6 v1.1 flags for what rload does not implement. They are parsed (and hidden from the help)
/// only to be refused with the reason, as the options and `K6_*` variables they stand for are,
/// instead of clap's "unexpected argument". A boolean one given `=false` asks for what rload
/// does anyway and passes, as `--traces-output=none` (k6's default) does.
#[derive(Args, Debug, Default)]
pub struct K6OnlyFlags {
    #[arg(long, hide = true)]
    pub rps: Vec<String>,
    #[arg(long, hide = true)]
    pub dns: Vec<String>,
    #[arg(long = "no-vu-connection-reuse", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub no_vu_connection_reuse: Option<String>,
    #[arg(long = "blacklist-ip", hide = true)]
    pub blacklist_ip: Vec<String>,
    #[arg(long = "block-hostnames", hide = true)]
    pub block_hostnames: Vec<String>,
    #[arg(long = "local-ips", hide = true)]
    pub local_ips: Vec<String>,
    #[arg(long = "console-output", hide = true)]
    pub console_output: Vec<String>,
    #[arg(long = "compatibility-mode", hide = true)]
    pub compatibility_mode: Vec<String>,
    #[arg(short = 't', long = "type", hide = true)]
    pub test_type: Vec<String>,
    #[arg(long = "traces-output", hide = true)]
    pub traces_output: Vec<String>,
    #[arg(long = "secret-source", hide = true)]
    pub secret_source: Vec<String>,
    #[arg(long = "profiling-enabled", hide = true, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub profiling_enabled: Option<String>,
}

/// `rload check`: the script and the flags that change what is validated.
#[derive(Args, Debug, Default)]
pub struct CheckFlags {
    /// The .rhai script to check.
    pub script: String,
    #[command(flatten)]
    pub options: OptionFlags,
}

/// `rload inspect`.
#[derive(Args, Debug, Default)]
pub struct InspectFlags {
    /// The .rhai script or archive to inspect.
    pub script: String,
    /// Add maxVUs and totalDuration, and resolve the options with the flags.
    #[arg(long = "execution-requirements")]
    pub execution_requirements: bool,
    #[command(flatten)]
    pub options: OptionFlags,
}

/// `rload archive`.
#[derive(Args, Debug, Default)]
pub struct ArchiveFlags {
    /// The .rhai script to archive.
    pub script: String,
    /// Where to write the archive.
    #[arg(short = 'O', long = "archive-out", default_value = "archive.tar")]
    pub archive_out: String,
    #[command(flatten)]
    pub options: OptionFlags,
}

/// `rload run`: the script, the option flags, and the flags of a run and its outputs.
#[derive(Args, Debug, Default)]
pub struct RunFlags {
    /// The .rhai script to run.
    pub script: String,
    #[command(flatten)]
    pub options: OptionFlags,
    /// Print no progress or header, only the summary.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// No colours in the output.
    #[arg(long = "no-color")]
    pub no_color: bool,
    /// Summary layout: full (every metric, groups, scenarios) or compact (k6's default); k6's
    /// legacy layout is not implemented.
    #[arg(long = "summary-mode", value_name = "MODE")]
    pub summary_mode: Option<String>,
    /// Log debug lines too (console.debug, Rhai's debug), as k6's -v does.
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// Accepted as in k6: rload sends no usage report.
    #[arg(long = "no-usage-report")]
    pub no_usage_report: bool,
    /// Start the reference target inside this process on a free loopback port and set
    /// __ENV.BASE_URL (and WS_URL) to it, unless -e sets them.
    #[arg(long = "with-target")]
    pub with_target: bool,
    /// A threshold whose (sub-)metric saw no sample fails instead of passing with a warning.
    #[arg(long = "strict-thresholds")]
    pub strict_thresholds: bool,
    /// Stream every sample to an output while the test runs (repeatable): json=FILE (k6's NDJSON,
    /// gzipped when FILE ends in .gz) or csv=FILE, e.g. -o json=results.json
    #[arg(short = 'o', long = "out")]
    pub out: Vec<String>,
    /// Write k6's legacy JSON summary (--summary-export) to FILE.
    #[arg(long = "summary-export")]
    pub summary_export: Option<String>,
    /// Write every trend's HDR histogram (base64) with exact counts to FILE, mergeable across runs.
    #[arg(long = "export-histograms")]
    pub export_histograms: Option<String>,
    /// Write a self-contained HTML report (charts over time, thresholds, checks) to FILE at the
    /// end, as k6's K6_WEB_DASHBOARD_EXPORT does.
    #[arg(long = "report", value_name = "FILE")]
    pub report: Option<String>,
    /// Distinct tag sets kept per metric before further ones are merged (default 1000).
    #[arg(long = "max-series")]
    pub max_series: Option<usize>,
    /// Print no end-of-test summary.
    #[arg(long = "no-summary")]
    pub no_summary: bool,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Accept any TLS certificate.
    #[arg(long = "insecure-skip-tls-verify")]
    pub insecure_skip_tls_verify: bool,
    /// Close the connection after every request.
    #[arg(long = "no-connection-reuse")]
    pub no_connection_reuse: bool,
    /// The VUs of each worker thread share at most N connections instead of holding one each
    /// (rload's option `sharedConnections`).
    #[arg(long = "shared-connections", value_name = "N")]
    pub shared_connections: Option<u64>,
    /// The User-Agent header to send.
    #[arg(long = "user-agent")]
    pub user_agent: Option<String>,
    /// A VU whose iteration ends sooner waits out the rest before its next one (the
    /// minIterationDuration option).
    #[arg(long = "min-iteration-duration", value_name = "DURATION")]
    pub min_iteration_duration: Option<String>,
    /// Follow at most N redirects (default 10; the maxRedirects option).
    #[arg(long = "max-redirects", value_name = "N")]
    pub max_redirects: Option<u32>,
    /// Requests of one http.batch in flight at once (default 20; the batch option).
    #[arg(long = "batch", value_name = "N", allow_negative_numbers = true)]
    pub batch: Option<i64>,
    /// Of those, at most N to one host (default 6, 0 for no limit; the batchPerHost option).
    #[arg(long = "batch-per-host", value_name = "N", allow_negative_numbers = true)]
    pub batch_per_host: Option<i64>,
    /// Do not run setup() (every VU's data is ()).
    #[arg(long = "no-setup")]
    pub no_setup: bool,
    /// Do not run teardown().
    #[arg(long = "no-teardown")]
    pub no_teardown: bool,
    /// A tag on every sample of the run, NAME=VALUE (repeatable), as the `tags` option.
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// A request that fails without a response raises a script error (k6's `throw` option).
    #[arg(short = 'w', long)]
    pub throw: bool,
    /// After the results, wait for Ctrl+C (SIGINT/SIGTERM) before exiting.
    #[arg(short = 'l', long)]
    pub linger: bool,
    /// Where log lines go: stderr (default), stdout, none, or file=PATH[,level=LEVEL].
    #[arg(long = "log-output", value_name = "OUTPUT")]
    pub log_output: Option<String>,
    /// Log line format: json or raw (default: text).
    #[arg(long = "log-format", value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Read response bodies but do not keep them.
    #[arg(long = "discard-response-bodies")]
    pub discard_response_bodies: bool,
    /// The largest response body kept, e.g. 100KB, 256MB (default), 1GiB; larger ones fail (1060).
    #[arg(long = "max-response-body-size")]
    pub max_response_body_size: Option<String>,
    /// Initialise the VUs, then wait for the REST API's PATCH /v1/status {"paused": false}
    /// (`rload resume`, k6-operator's starter) before setup() and the scenarios.
    #[arg(long)]
    pub paused: bool,
    /// Where k6's REST API listens, HOST:PORT (default localhost:6565; "" turns it off).
    #[arg(short = 'a', long)]
    pub address: Option<String>,
}

#[derive(Args, Debug)]
pub struct ServeFlags {
    /// Address to listen on (port 0 picks a free port and prints it).
    #[arg(long, default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// Runtime threads for the server.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Which API to serve: generic (test endpoints) or synckairos (the SyncKairos v2 API).
    #[arg(long, default_value = "generic", value_parser = ["generic", "synckairos"])]
    pub app: String,
    /// synckairos: requests a minute per client IP on /v1 routes (429 beyond); the real
    /// service's default is 100. Unlimited if unset.
    #[arg(long = "rate-limit-general", env = "RATE_LIMIT_GENERAL", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_general: Option<u32>,
    /// synckairos: switches a second per session (429 beyond); the real service's default is
    /// 10. Unlimited if unset.
    #[arg(long = "rate-limit-switch", env = "RATE_LIMIT_SWITCH", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_switch: Option<u32>,
    /// synckairos: simulated DB writes drained per second from the write queue (0: never).
    #[arg(long = "db-write-rate", default_value_t = 5_000)]
    pub db_write_rate: u32,
    /// synckairos: mean time of one simulated Redis round trip in µs (a switch makes four).
    #[arg(long = "redis-rtt-us", default_value_t = 1_000)]
    pub redis_rtt_us: u64,
    /// synckairos: spread of each Redis round trip around its mean, in percent.
    #[arg(long = "redis-jitter", default_value_t = 100, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub redis_jitter_percent: u32,
    /// synckairos: interval of the server's WebSocket pings in ms (0: none).
    #[arg(long = "ws-ping-ms", default_value_t = 5_000)]
    pub ws_ping_ms: u64,
    /// synckairos: seconds a session lives after its last write.
    #[arg(long = "session-ttl", default_value_t = 3_600)]
    pub session_ttl_secs: u64,
}

/// Parses the process arguments. `rload SCRIPT ...` becomes `rload run SCRIPT ...`; a bare
/// `rload` becomes `rload help` (k6 prints its help and exits 0).
pub fn parse(mut args: Vec<OsString>) -> Result<Cli, clap::Error> {
    match args.get(1).and_then(|a| a.to_str()) {
        None if args.len() <= 1 => args.push("help".into()),
        Some(first) if !SUBCOMMANDS_AND_FLAGS.contains(&first) => args.insert(1, "run".into()),
        _ => {}
    }
    Cli::try_parse_from(args)
}

/// First arguments that are not a script name.
const SUBCOMMANDS_AND_FLAGS: &[&str] = &[
    "run",
    "check",
    "inspect",
    "archive",
    "merge",
    "convert",
    "serve",
    "version",
    "new",
    "completion",
    "status",
    "pause",
    "resume",
    "scale",
    "stats",
    "help",
    "-h",
    "--help",
    "-V",
    "--version",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<OsString> {
        s.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn a_bare_script_means_run() {
        let cli = parse(args("rload -u 5 x.rhai")).unwrap();
        let Command::Run(f) = cli.command else { panic!("expected run") };
        assert_eq!(f.options.vus, Some(5));
        let cli = parse(args("rload x.rhai -u 5 -d 10s")).unwrap();
        let Command::Run(f) = cli.command else { panic!("expected run") };
        assert_eq!(f.script, "x.rhai");
        assert_eq!(f.options.vus, Some(5));
    }

    #[test]
    fn flags_become_options_and_env() {
        let cli = parse(args("rload run s.rhai -u 3 -d 1m30s -e A=1 -e B=x=y --no-system-env-vars -s 5s:10")).unwrap();
        let Command::Run(f) = cli.command else { panic!() };
        let run = f.into_run_args().unwrap();
        assert_eq!(run.cli.vus, Some(3));
        assert_eq!(run.cli.duration, Some(std::time::Duration::from_secs(90)));
        assert_eq!(run.env, vec![("A".into(), "1".into()), ("B".into(), "x=y".into())]);
        assert_eq!(run.cli.stages.unwrap().len(), 1);
    }

    /// The sweep's repro: `-s 1s:2,1s:0` is two stages in k6 (its flag is a string slice), and
    /// rload read the target "2,1s:0".
    #[test]
    fn one_stage_flag_may_hold_several_stages_as_in_k6() {
        let cli = parse(args("rload run s.rhai -s 1s:2,1s:0 --stage 2s:1")).unwrap();
        let Command::Run(f) = cli.command else { panic!() };
        let stages = f.into_run_args().unwrap().cli.stages.unwrap();
        let got: Vec<(u64, u64)> = stages.iter().map(|s| (s.duration.as_secs(), s.target)).collect();
        assert_eq!(got, [(1, 2), (1, 0), (2, 1)]);
        // k6 refuses an empty stage between commas ("stage 1 doesn't have a specified duration").
        let cli = parse(args("rload run s.rhai -s 1s:2,,1s:0")).unwrap();
        let Command::Run(f) = cli.command else { panic!() };
        assert!(f.into_run_args().unwrap_err()[0].contains("expected DURATION:TARGET"));
    }

    #[test]
    fn bad_flags_are_all_reported() {
        let cli = parse(args(
            "rload run s.rhai -d 10x -e NOPE --summary-trend-stats avg,p(200) --max-response-body-size 5parsecs",
        ))
        .unwrap();
        let Command::Run(f) = cli.command else { panic!() };
        let errs = f.into_run_args().unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(errs.iter().any(|e| e.starts_with("--max-response-body-size: invalid size")), "{errs:?}");
    }
}
