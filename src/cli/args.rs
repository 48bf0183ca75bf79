//! From flags to a validated [`RunArgs`]: the option flags, the `K6_*` environment and the
//! config file layered (`config/layers.rs` applies them in k6's order later), every problem
//! collected at once.

use super::{ArchiveFlags, CheckFlags, InspectFlags, K6OnlyFlags, OptionFlags, RunFlags};
use crate::config::duration::parse_flag_duration;
use crate::config::env::{self, go_bool, EnvConfig};
use crate::config::file::{self, FileConfig};
use crate::config::options::{TimeUnit, UNIMPLEMENTED_K6_KEYS};
use crate::config::values::{batch, batch_per_host, parse_cli_stages, parse_size, trend_stats};
use crate::config::{parse_duration, Options};
use crate::executor::segment::{ExecutionSegment, ExecutionSegmentSequence};
use crate::http::debug::HttpDebug;
use crate::logger::LogConfig;
use crate::metrics::SystemTags;
use crate::output::SummaryMode;
use crate::outputs::OutputSpec;
use crate::runtime::run::RunArgs;

/// What the option flags, the `K6_*` environment and the config file settled.
struct Configured {
    cli: Options,
    /// `__ENV`: the system environment (unless excluded) and `-e`.
    env: Vec<(String, String)>,
    explicit_env: Vec<String>,
    no_thresholds: bool,
    file: FileConfig,
    k6_env: EnvConfig,
}

impl OptionFlags {
    /// The CLI's options, `__ENV`, and the environment and file layers read from `sys_env` (the
    /// process environment), with every problem pushed to `errs`.
    fn into_options(self, sys_env: &[(String, String)], errs: &mut Vec<String>) -> Configured {
        let mut cli = Options { vus: self.vus, iterations: self.iterations, ..Default::default() };
        if let Some(d) = &self.duration {
            match parse_flag_duration(d) {
                Ok(d) => cli.duration = Some(d),
                Err(e) => errs.push(format!("--duration: {e}")),
            }
        }
        if !self.stages.is_empty() {
            match parse_cli_stages(&self.stages) {
                Ok(s) => cli.stages = Some(s),
                Err(e) => errs.push(e),
            }
        }
        if !self.scrape.is_empty() {
            cli.scrape = Some(self.scrape.clone());
        }
        for (flag, text, field) in [
            ("--scrape-interval", &self.scrape_interval, &mut cli.scrape_interval),
            ("--scrape-warmup", &self.scrape_warmup, &mut cli.scrape_warmup),
        ] {
            if let Some(text) = text {
                match parse_duration(text) {
                    Ok(d) => *field = Some(d),
                    Err(e) => errs.push(format!("{flag}: {e}")),
                }
            }
        }
        if let Some(s) = &self.summary_trend_stats {
            match trend_stats("--summary-trend-stats", &serde_json::Value::String(s.clone())) {
                Ok(s) => cli.summary_trend_stats = Some(s),
                Err(e) => errs.push(e),
            }
        }
        if let Some(u) = &self.summary_time_unit {
            match TimeUnit::parse(u) {
                Ok(u) => cli.summary_time_unit = Some(u),
                Err(e) => errs.push(format!("--summary-time-unit: {e}")),
            }
        }
        if let Some(t) = &self.system_tags {
            match SystemTags::parse(t.split(',')) {
                Ok(tags) => cli.system_tags = Some(tags),
                Err(es) => errs.extend(es.into_iter().map(|e| format!("--system-tags: {e}"))),
            }
        }
        if let Some(d) = &self.http_debug {
            match HttpDebug::parse(d) {
                Ok(d) => cli.http_debug = Some(d),
                Err(e) => errs.push(format!("--http-debug: {e}")),
            }
        }
        if let Some(t) = &self.execution_segment {
            match ExecutionSegment::parse(t) {
                Ok(seg) => cli.execution_segment = Some(seg),
                Err(e) => errs.push(format!("--execution-segment \"{t}\": {e}")),
            }
        }
        if let Some(t) = &self.execution_segment_sequence {
            match ExecutionSegmentSequence::parse(t) {
                Ok(seq) => cli.execution_segment_sequence = Some(seq),
                Err(e) => errs.push(format!("--execution-segment-sequence \"{t}\": {e}")),
            }
        }
        let k6_env = env::from_env(sys_env).unwrap_or_else(|es| {
            errs.extend(es);
            EnvConfig::default()
        });
        let file = match file::path(self.config.as_deref(), k6_env.runtime.config.as_deref()) {
            Some((path, named)) => file::read(&path, named).unwrap_or_else(|es| {
                errs.extend(es);
                FileConfig::default()
            }),
            None => FileConfig::default(),
        };
        let include_flag = match self.include_system_env_vars.as_deref().map(|t| go_bool(t).ok_or(t)) {
            None => None,
            Some(Ok(b)) => Some(b),
            Some(Err(t)) => {
                errs.push(format!("--include-system-env-vars=\"{t}\": not a boolean (use true or false)"));
                None
            }
        };
        if self.no_system_env_vars && include_flag == Some(true) {
            errs.push("--include-system-env-vars and --no-system-env-vars contradict each other; give one".into());
        }
        // The flag wins over K6_INCLUDE_SYSTEM_ENV_VARS; k6's default is to include it.
        let include_system_env =
            !self.no_system_env_vars && include_flag.or(k6_env.runtime.include_system_env_vars).unwrap_or(true);
        errs.extend(self.k6_only.errors());
        let mut env: Vec<(String, String)> = if include_system_env { sys_env.to_vec() } else { Vec::new() };
        for kv in &self.env {
            match kv.split_once('=') {
                Some((k, v)) if !k.is_empty() => {
                    env.retain(|(ek, _)| ek != k);
                    env.push((k.to_string(), v.to_string()));
                }
                _ => errs.push(format!("--env \"{kv}\": expected KEY=VALUE")),
            }
        }
        let explicit_env = self.env.iter().filter_map(|kv| kv.split_once('=').map(|(k, _)| k.to_string())).collect();
        let no_thresholds = self.no_thresholds || k6_env.runtime.no_thresholds.unwrap_or(false);
        Configured { cli, env, explicit_env, no_thresholds, file, k6_env }
    }
}

impl K6OnlyFlags {
    /// One error per k6 flag given for what rload does not implement, each saying what to do
    /// instead (the option's reason where the flag stands for a k6 option).
    fn errors(&self) -> Vec<String> {
        let set = |values: &Vec<String>| !values.is_empty();
        // A boolean flag asks for nothing rload lacks when it is given =false.
        let on = |value: &Option<String>| value.as_deref().is_some_and(|v| go_bool(v) != Some(false));
        let options = [
            ("--rps", "rps", set(&self.rps)),
            ("--dns", "dns", set(&self.dns)),
            ("--no-vu-connection-reuse", "noVUConnectionReuse", on(&self.no_vu_connection_reuse)),
            ("--blacklist-ip", "blacklistIPs", set(&self.blacklist_ip)),
            ("--block-hostnames", "blockHostnames", set(&self.block_hostnames)),
        ];
        let mut errors: Vec<String> = options
            .into_iter()
            .filter(|(_, _, given)| *given)
            .map(|(flag, key, _)| {
                let hint = UNIMPLEMENTED_K6_KEYS.iter().find(|(k, _)| *k == key).map_or("", |(_, hint)| *hint);
                format!("{flag}: k6's `{key}` option is not supported by rload ({hint}); remove {flag}")
            })
            .collect();
        let settings = [
            ("--local-ips", set(&self.local_ips), "rload connects from the system's default source address"),
            ("--console-output", set(&self.console_output), "--log-output=file=PATH writes every log line to a file"),
            (
                "--compatibility-mode",
                set(&self.compatibility_mode),
                "rload converts k6 JavaScript to Rhai and has no JavaScript runtime to set a mode for",
            ),
            ("--type", set(&self.test_type), "rload tells an archive (.tar) from a script itself"),
            (
                "--traces-output",
                self.traces_output.iter().any(|t| t != "none"),
                "rload emits no traces; --traces-output=none is accepted",
            ),
            ("--secret-source", set(&self.secret_source), "rload has no k6/secrets; pass secrets with -e"),
            ("--profiling-enabled", on(&self.profiling_enabled), "rload serves no pprof endpoints"),
        ];
        errors.extend(
            settings.into_iter().filter(|(_, given, _)| *given).map(|(flag, _, hint)| {
                format!("{flag}: k6's {flag} is not supported by rload ({hint}); remove {flag}")
            }),
        );
        errors
    }
}

/// `--summary-mode` or `K6_SUMMARY_MODE` (`source`, as the user wrote it): k6's `compact` and
/// `full`; its `legacy` layout (k6 before v0.53) is refused by name.
fn summary_mode(source: &str, name: &str) -> Result<SummaryMode, String> {
    match SummaryMode::from_name(name) {
        Some(mode) => Ok(mode),
        None if name == "legacy" => Err(format!(
            "{source}: rload does not implement k6's legacy summary layout (summary mode \"legacy\"); use {}",
            SummaryMode::NAMES.join(" or ")
        )),
        None => Err(format!("{source}: use one of {}", SummaryMode::NAMES.join(", "))),
    }
}

/// The process environment, read once per command.
fn system_env() -> Vec<(String, String)> {
    std::env::vars().collect()
}

impl CheckFlags {
    /// The validated arguments of a check, or every problem with the flags.
    pub fn into_run_args(self) -> Result<RunArgs, Vec<String>> {
        self.into_run_args_from(&system_env())
    }

    /// As [`CheckFlags::into_run_args`], with `sys_env` for the process environment.
    pub fn into_run_args_from(self, sys_env: &[(String, String)]) -> Result<RunArgs, Vec<String>> {
        let mut errs = Vec::new();
        let c = self.options.into_options(sys_env, &mut errs);
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(RunArgs {
            script: self.script,
            cli: c.cli,
            config_file: c.file.options,
            env_options: c.k6_env.options,
            env: c.env,
            explicit_env: c.explicit_env,
            no_thresholds: c.no_thresholds,
            check_only: true,
            ..RunArgs::default()
        })
    }
}

impl InspectFlags {
    /// `rload inspect` as a check that prints k6's JSON instead of the scenarios.
    pub fn into_run_args(self) -> Result<RunArgs, Vec<String>> {
        let requirements = self.execution_requirements;
        let check = CheckFlags { script: self.script, options: self.options };
        check.into_run_args().map(|args| RunArgs { inspect: Some(requirements), ..args })
    }
}

impl ArchiveFlags {
    /// `rload archive` as a check that writes the archive.
    pub fn into_run_args(self) -> Result<RunArgs, Vec<String>> {
        let out = self.archive_out;
        let check = CheckFlags { script: self.script, options: self.options };
        check.into_run_args().map(|args| RunArgs { archive_out: Some(out), ..args })
    }
}

impl RunFlags {
    /// The validated run arguments, or every problem with the flags.
    pub fn into_run_args(self) -> Result<RunArgs, Vec<String>> {
        self.into_run_args_from(&system_env())
    }

    /// As [`RunFlags::into_run_args`], with `sys_env` for the process environment.
    pub fn into_run_args_from(self, sys_env: &[(String, String)]) -> Result<RunArgs, Vec<String>> {
        let mut errs = Vec::new();
        let c = self.options.into_options(sys_env, &mut errs);
        let mut cli = c.cli;
        cli.insecure_skip_tls_verify = self.insecure_skip_tls_verify.then_some(true);
        cli.no_connection_reuse = self.no_connection_reuse.then_some(true);
        match self.shared_connections {
            Some(0) => errs.push("--shared-connections: must be at least 1, got 0".into()),
            n => cli.shared_connections = n,
        }
        cli.discard_response_bodies = self.discard_response_bodies.then_some(true);
        if let Some(size) = &self.max_response_body_size {
            match parse_size(size) {
                Ok(bytes) => cli.max_response_body_size = Some(bytes),
                Err(e) => errs.push(format!("--max-response-body-size: {e}")),
            }
        }
        cli.user_agent = self.user_agent;
        if let Some(text) = &self.min_iteration_duration {
            match parse_duration(text) {
                Ok(d) => cli.min_iteration_duration = Some(d),
                Err(e) => errs.push(format!("--min-iteration-duration: {e}")),
            }
        }
        cli.max_redirects = self.max_redirects;
        if let Some(n) = self.batch {
            match batch("--batch", &n.into()) {
                Ok(n) => cli.batch = Some(n),
                Err(e) => errs.push(e),
            }
        }
        if let Some(n) = self.batch_per_host {
            cli.batch_per_host = batch_per_host("--batch-per-host", &n.into()).ok();
        }
        cli.no_setup = self.no_setup.then_some(true);
        cli.throw = self.throw.then_some(true);
        cli.paused = self.paused.then_some(true);
        cli.no_teardown = self.no_teardown.then_some(true);
        if !self.tags.is_empty() {
            let mut tags = Vec::new();
            for t in &self.tags {
                match t.split_once('=') {
                    Some((k, v)) if !k.is_empty() => tags.push((k.to_owned(), v.to_owned())),
                    _ => errs.push(format!("--tag \"{t}\": expected NAME=VALUE")),
                }
            }
            cli.tags = Some(tags);
        }
        let runtime = &c.k6_env.runtime;
        // The flag wins over K6_LOG_OUTPUT / K6_LOG_FORMAT.
        let log_output = self.log_output.as_deref().or(runtime.log_output.as_deref());
        let log_format = self.log_format.as_deref().or(runtime.log_format.as_deref());
        let log = LogConfig::parse(log_output, log_format).unwrap_or_else(|es| {
            errs.extend(es);
            LogConfig::default()
        });
        let log = LogConfig { verbose: self.verbose, ..log };
        // -o wins over K6_OUT, which wins over the config file's `out` (k6's Config.Apply).
        let extras = c.file.extras.clone().overridden_by(c.k6_env.extras.clone());
        let out = if self.out.is_empty() { extras.out.clone().unwrap_or_default() } else { self.out };
        let env = c.env;
        let mut outputs = Vec::new();
        for arg in &out {
            match OutputSpec::parse(arg, &env) {
                Ok(spec) => outputs.push(spec),
                Err(e) => errs.push(format!("--out {arg}: {e}")),
            }
        }
        // The flag wins over K6_SUMMARY_MODE.
        let summary_mode = match (&self.summary_mode, &runtime.summary_mode) {
            (Some(m), _) => summary_mode(&format!("--summary-mode \"{m}\""), m),
            (None, Some(m)) => summary_mode(&format!("K6_SUMMARY_MODE=\"{m}\""), m),
            (None, None) => Ok(SummaryMode::default()),
        }
        .unwrap_or_else(|e| {
            errs.push(e);
            SummaryMode::default()
        });
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(RunArgs {
            outputs,
            script: self.script,
            cli,
            config_file: c.file.options,
            env_options: c.k6_env.options,
            env,
            quiet: self.quiet,
            no_color: self.no_color || runtime.no_color,
            no_summary: self.no_summary || runtime.no_summary.unwrap_or(false),
            summary_mode,
            threads: self.threads,
            with_target: self.with_target,
            explicit_env: c.explicit_env,
            check_only: false,
            no_thresholds: c.no_thresholds,
            strict_thresholds: self.strict_thresholds,
            summary_export: self.summary_export.or_else(|| runtime.summary_export.clone()),
            histogram_export: self.export_histograms,
            report: self.report.or_else(|| runtime.web_dashboard_export.clone()),
            max_series: self.max_series,
            linger: self.linger || extras.linger.unwrap_or(false),
            address_explicit: self.address.is_some(),
            address: self.address.unwrap_or_else(|| crate::api::DEFAULT_ADDRESS.to_string()),
            inspect: None,
            archive_out: None,
            archived_options: None,
            log,
        })
    }
}
