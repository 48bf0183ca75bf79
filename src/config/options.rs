//! Test options: the script's `options` map and the CLI flags, merged and validated.
//!
//! Keys and value syntax are k6's (`vus`, `duration: "1m30s"`, `noConnectionReuse`, ...).
//! Every problem is collected and reported at once, each naming the key as the user wrote it.
//! The CLI overrides the script field by field, as in k6. Turning options into an execution
//! plan (which executor runs what) is the scheduler's job, not this module's.

use std::time::Duration;

use crate::executor::segment::{ExecutionSegment, ExecutionSegmentSequence, ExecutionTuple};
use crate::http::batch::BatchLimits;
use crate::http::debug::HttpDebug;
use crate::http::hosts::Hosts;
use crate::http::tls;
use crate::metrics::SystemTags;
use serde_json::Value;

use super::number::{is_unset_int, INT_KEYS};
use super::values::{
    batch, batch_per_host, boolean, count, did_you_mean, duration, kind, object, size, stages, string, string_list,
    string_map, system_tags, tls_auth, tls_version, trend_stats,
};

/// A ramping stage: go to `target` VUs (or iterations per time unit) over `duration`.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub duration: Duration,
    pub target: u64,
}

/// Validated options. `None` means "not set here" so that layers can be merged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    pub vus: Option<u64>,
    pub duration: Option<Duration>,
    pub iterations: Option<u64>,
    pub stages: Option<Vec<Stage>>,
    /// `options.scenarios` as written; validated by the executors.
    pub scenarios: Option<Value>,
    /// `options.thresholds` as written; parsed by the thresholds module.
    pub thresholds: Option<Value>,
    pub discard_response_bodies: Option<bool>,
    pub insecure_skip_tls_verify: Option<bool>,
    pub no_connection_reuse: Option<bool>,
    pub no_cookies_reset: Option<bool>,
    pub user_agent: Option<String>,
    pub summary_trend_stats: Option<Vec<String>>,
    pub setup_timeout: Option<Duration>,
    pub teardown_timeout: Option<Duration>,
    /// k6's `minIterationDuration`: a VU whose iteration ends sooner waits out the rest
    /// before its next one (after the iteration's samples; see `runtime/vu`).
    pub min_iteration_duration: Option<Duration>,
    pub max_redirects: Option<u32>,
    /// rload's `maxResponseBodySize`, in bytes.
    pub max_response_body_size: Option<u64>,
    pub tags: Option<Vec<(String, String)>>,
    /// k6's `summaryTimeUnit`: print every time value of the summary in this unit.
    pub summary_time_unit: Option<TimeUnit>,
    /// rload's `scrape`: Prometheus pages of the target read while the test runs.
    pub scrape: Option<Vec<String>>,
    /// rload's `scrapeInterval` (default 5 s).
    pub scrape_interval: Option<Duration>,
    /// rload's `scrapeWarmup`: how much of the start `slope` thresholds leave out (default 30 s).
    pub scrape_warmup: Option<Duration>,
    /// `noSetup` / `--no-setup`: `setup()` is not run (every VU's `data` is `()`).
    pub no_setup: Option<bool>,
    /// `noTeardown` / `--no-teardown`: `teardown()` is not run.
    pub no_teardown: Option<bool>,
    /// `throw` / `-w/--throw`: a request that fails (no response) raises a script error.
    pub throw: Option<bool>,
    /// `paused` / `--paused`: initialise the VUs, then wait for the REST API's resume.
    pub paused: Option<bool>,
    /// `executionSegment` / `--execution-segment`: this instance's share of the test.
    pub execution_segment: Option<ExecutionSegment>,
    /// `executionSegmentSequence` / `--execution-segment-sequence`: how the test is split.
    pub execution_segment_sequence: Option<ExecutionSegmentSequence>,
    /// `systemTags` / `--system-tags`: the built-in tags samples carry (k6's default set if unset).
    pub system_tags: Option<SystemTags>,
    /// `httpDebug` / `--http-debug[=full]`: log every request and response.
    pub http_debug: Option<HttpDebug>,
    /// rload's `sharedConnections` / `--shared-connections`: the VUs of each thread share at
    /// most this many connections instead of holding their own (at least 1).
    pub shared_connections: Option<u64>,
    /// k6's `hosts`: names dialed at fixed addresses.
    pub hosts: Option<Hosts>,
    /// k6's `tlsVersion`: (min, max) as indexes into `http::tls::VERSIONS`.
    pub tls_version: Option<(usize, usize)>,
    /// k6's `tlsCipherSuites`.
    pub tls_cipher_suites: Option<Vec<String>>,
    /// k6's `tlsAuth`: client certificates by domain.
    pub tls_auth: Option<Vec<tls::ClientCert>>,
    /// k6's `batch` / `--batch`: requests of one `http.batch` in flight at once (at least 1).
    pub batch: Option<u64>,
    /// k6's `batchPerHost` / `--batch-per-host`: of those, at most this many to one host; 0
    /// (k6 reads any number ≤ 0 so) is no per-host limit.
    pub batch_per_host: Option<u64>,
}

/// k6's `summaryTimeUnit` values: a fixed unit for the summary's time values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Seconds,
    Milliseconds,
    Microseconds,
}

impl TimeUnit {
    /// `s`, `ms` or `us`, as k6 spells them in options and `--summary-time-unit`.
    pub fn parse(text: &str) -> Result<TimeUnit, String> {
        match text {
            "s" => Ok(TimeUnit::Seconds),
            "ms" => Ok(TimeUnit::Milliseconds),
            "us" => Ok(TimeUnit::Microseconds),
            other => Err(format!("invalid summary time unit \"{other}\", use \"s\", \"ms\" or \"us\"")),
        }
    }

    /// The unit as k6 spells it (`data.options.summaryTimeUnit`).
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Seconds => "s",
            TimeUnit::Milliseconds => "ms",
            TimeUnit::Microseconds => "us",
        }
    }
}

/// k6 v1.1 option keys (lib/options.go) that rload does not implement, each with what to do
/// instead. Each is an error naming it: a port that runs without it would measure something else.
pub const UNIMPLEMENTED_K6_KEYS: &[(&str, &str)] = &[
    ("rps", "use a constant-arrival-rate scenario to cap the request rate"),
    ("dns", "rload resolves names with the system resolver on every new connection"),
    ("blacklistIPs", "rload does not filter the addresses it connects to"),
    ("blockHostnames", "rload does not filter the hosts it connects to"),
    ("noVUConnectionReuse", "use noConnectionReuse (no reuse at all) instead"),
    ("metricSamplesBufferSize", "rload has no sample buffer to size; remove it"),
];

/// k6 option keys that k6 itself reads only for Grafana Cloud runs and ignores on a local run;
/// rload ignores them the same way, with a warning.
pub const CLOUD_ONLY_K6_KEYS: &[&str] = &["ext", "cloud"];

/// The warnings for the cloud-only keys `value` (the script's `options`) sets.
pub fn cloud_only_warnings(value: &Value) -> Vec<String> {
    let Value::Object(map) = value else {
        return Vec::new();
    };
    CLOUD_ONLY_K6_KEYS
        .iter()
        .filter(|k| map.contains_key(**k))
        .map(|k| format!("options.{k} is read only by Grafana Cloud k6; ignored on a local run, as k6 does"))
        .collect()
}

/// Every top-level option key rload reads, in k6's spelling.
pub const KNOWN_KEYS: &[&str] = &[
    "vus",
    "duration",
    "iterations",
    "stages",
    "scenarios",
    "thresholds",
    "discardResponseBodies",
    "insecureSkipTLSVerify",
    "noConnectionReuse",
    "noCookiesReset",
    "userAgent",
    "summaryTrendStats",
    "setupTimeout",
    "teardownTimeout",
    "minIterationDuration",
    "maxRedirects",
    "maxResponseBodySize",
    "tags",
    "hosts",
    "tlsVersion",
    "tlsCipherSuites",
    "tlsAuth",
    "summaryTimeUnit",
    "scrape",
    "scrapeInterval",
    "scrapeWarmup",
    "noSetup",
    "noTeardown",
    "executionSegment",
    "executionSegmentSequence",
    "throw",
    "paused",
    "systemTags",
    "httpDebug",
    "sharedConnections",
    "batch",
    "batchPerHost",
];

impl Options {
    /// Parses the script's `options` value. All problems are returned together.
    pub fn from_script(value: &Value) -> Result<Options, Vec<String>> {
        let mut errors = Vec::new();
        let Value::Object(map) = value else {
            return Err(vec![format!("options must be a map (#{{ ... }}), got {}", kind(value))]);
        };
        let mut o = Options::default();
        for (key, v) in map {
            if is_unset(key, v) {
                continue;
            }
            let r: Result<(), String> = match key.as_str() {
                "vus" => count(key, v).map(|n| o.vus = Some(n)),
                "duration" => duration(key, v).map(|d| o.duration = Some(d)),
                "iterations" => count(key, v).map(|n| o.iterations = Some(n)),
                "stages" => stages(key, v).map(|s| o.stages = Some(s)),
                "scenarios" => object(key, v).map(|_| o.scenarios = Some(v.clone())),
                "thresholds" => object(key, v).map(|_| o.thresholds = Some(v.clone())),
                "discardResponseBodies" => boolean(key, v).map(|b| o.discard_response_bodies = Some(b)),
                "insecureSkipTLSVerify" => boolean(key, v).map(|b| o.insecure_skip_tls_verify = Some(b)),
                "noConnectionReuse" => boolean(key, v).map(|b| o.no_connection_reuse = Some(b)),
                "noCookiesReset" => boolean(key, v).map(|b| o.no_cookies_reset = Some(b)),
                "userAgent" => string(key, v).map(|s| o.user_agent = Some(s)),
                "summaryTrendStats" => trend_stats(key, v).map(|s| o.summary_trend_stats = Some(s)),
                "setupTimeout" => duration(key, v).map(|d| o.setup_timeout = Some(d)),
                "teardownTimeout" => duration(key, v).map(|d| o.teardown_timeout = Some(d)),
                "minIterationDuration" => duration(key, v).map(|d| o.min_iteration_duration = Some(d)),
                "maxRedirects" => count(key, v).map(|n| o.max_redirects = Some(n.min(u32::MAX as u64) as u32)),
                "maxResponseBodySize" => size(key, v).map(|n| o.max_response_body_size = Some(n)),
                "tags" => string_map(key, v).map(|t| o.tags = Some(t)),
                "tlsVersion" => tls_version(key, v).map(|r| o.tls_version = Some(r)),
                "tlsAuth" => tls_auth(key, v).map(|a| o.tls_auth = Some(a)),
                "tlsCipherSuites" => string_list(key, v)
                    .and_then(|names| tls::cipher_suites(&names).map_err(|e| format!("{key}: {e}")))
                    .map(|names| o.tls_cipher_suites = Some(names)),
                "hosts" => string_map(key, v)
                    .and_then(|entries| Hosts::parse(&entries).map_err(|errors| errors.join("; ")))
                    .map(|h| o.hosts = Some(h)),
                "noSetup" => boolean(key, v).map(|b| o.no_setup = Some(b)),
                "noTeardown" => boolean(key, v).map(|b| o.no_teardown = Some(b)),
                "throw" => boolean(key, v).map(|b| o.throw = Some(b)),
                "paused" => boolean(key, v).map(|b| o.paused = Some(b)),
                "executionSegment" => string(key, v)
                    .and_then(|t| ExecutionSegment::parse(&t).map_err(|e| format!("{key}: {e}")))
                    .map(|seg| o.execution_segment = Some(seg)),
                "executionSegmentSequence" => string(key, v)
                    .and_then(|t| ExecutionSegmentSequence::parse(&t).map_err(|e| format!("{key}: {e}")))
                    .map(|seq| o.execution_segment_sequence = Some(seq)),
                "summaryTimeUnit" => string(key, v)
                    .and_then(|s| TimeUnit::parse(&s).map_err(|e| format!("{key}: {e}")))
                    .map(|u| o.summary_time_unit = Some(u)),
                "systemTags" => system_tags(key, v).map(|t| o.system_tags = Some(t)),
                "httpDebug" => string(key, v)
                    .and_then(|t| HttpDebug::parse(&t).map_err(|e| format!("{key}: {e}")))
                    .map(|d| o.http_debug = Some(d)),
                "sharedConnections" => match count(key, v) {
                    Ok(0) => Err(format!("{key}: must be at least 1, got 0")),
                    Ok(n) => {
                        o.shared_connections = Some(n);
                        Ok(())
                    }
                    Err(e) => Err(e),
                },
                "batch" => batch(key, v).map(|n| o.batch = Some(n)),
                "batchPerHost" => batch_per_host(key, v).map(|n| o.batch_per_host = Some(n)),
                "scrape" => string_list(key, v).map(|u| o.scrape = Some(u)),
                "scrapeInterval" => duration(key, v).map(|d| o.scrape_interval = Some(d)),
                "scrapeWarmup" => duration(key, v).map(|d| o.scrape_warmup = Some(d)),
                k if CLOUD_ONLY_K6_KEYS.contains(&k) => Ok(()),
                k => Err(match UNIMPLEMENTED_K6_KEYS.iter().find(|(name, _)| *name == k) {
                    Some((_, hint)) => format!("option \"{k}\" is a k6 option rload does not implement ({hint})"),
                    None => unknown_key(k),
                }),
            };
            if let Err(e) = r {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(o)
        } else {
            Err(errors)
        }
    }

    /// Whether this layer sets any of the execution options (`duration`, `iterations`, `stages`,
    /// `scenarios`), which replace a lower layer's execution options wholesale.
    pub fn sets_execution(&self) -> bool {
        self.duration.is_some() || self.iterations.is_some() || self.stages.is_some() || self.scenarios.is_some()
    }

    /// This instance's share of the test (k6's `ExecutionTuple`): `executionSegment` (default
    /// `0:1`) within `executionSegmentSequence`, or k6's error when the sequence lacks it.
    pub fn execution_tuple(&self) -> Result<ExecutionTuple, String> {
        let segment = self.execution_segment.unwrap_or(ExecutionSegment::FULL);
        let sequence = self.execution_segment_sequence.clone().unwrap_or_default();
        ExecutionTuple::new(segment, &sequence)
            .map_err(|_| format!("provided segment {segment} can't be found in sequence {sequence}"))
    }

    /// Layers `over` on top of `self`, as k6's `Options.Apply`: every field set in `over` wins,
    /// and if `over` sets any execution option (`duration`, `iterations`, `stages`, `scenarios`)
    /// the four of `self` are dropped first, so `-d 10s` replaces a script's `iterations` instead
    /// of conflicting with it. Two of them set in the *same* layer survive, for
    /// `scenarios_from_options` to report the conflict. `vus` is an ordinary field.
    pub fn overridden_by(mut self, over: Options) -> Options {
        if over.sets_execution() {
            self.duration = None;
            self.iterations = None;
            self.stages = None;
            self.scenarios = None;
        }
        macro_rules! take {
            ($($f:ident),*) => { $( if over.$f.is_some() { self.$f = over.$f; } )* };
        }
        take!(
            vus,
            duration,
            iterations,
            stages,
            scenarios,
            thresholds,
            discard_response_bodies,
            insecure_skip_tls_verify,
            no_connection_reuse,
            no_cookies_reset,
            user_agent,
            summary_trend_stats,
            setup_timeout,
            teardown_timeout,
            min_iteration_duration,
            max_redirects,
            max_response_body_size,
            tags,
            summary_time_unit,
            scrape,
            scrape_interval,
            scrape_warmup,
            no_setup,
            no_teardown,
            execution_segment,
            execution_segment_sequence,
            throw,
            paused,
            system_tags,
            http_debug,
            shared_connections,
            hosts,
            tls_version,
            tls_cipher_suites,
            tls_auth,
            batch,
            batch_per_host
        );
        self
    }

    /// `batch` and `batchPerHost`, k6's defaults (20, 6) where unset.
    pub fn batch_limits(&self) -> BatchLimits {
        let default = BatchLimits::default();
        let size = |n: Option<u64>, or: usize| n.map_or(or, |n| n.min(usize::MAX as u64) as usize);
        BatchLimits { total: size(self.batch, default.total), per_host: size(self.batch_per_host, default.per_host) }
    }
}

/// Whether a k6 option's value means "not set", as k6's null types read it: `null` (an unset
/// `__ENV` variable, Rhai's `()`) for every option k6 knows, and `""` for its integer options
/// (`vus: __ENV.VUS` under `-e VUS=`). An unknown key is reported even then: it is a typo.
fn is_unset(key: &str, v: &Value) -> bool {
    let k6_knows = KNOWN_KEYS.contains(&key)
        || CLOUD_ONLY_K6_KEYS.contains(&key)
        || UNIMPLEMENTED_K6_KEYS.iter().any(|(name, _)| *name == key);
    k6_knows && (v.is_null() || (INT_KEYS.contains(&key) && is_unset_int(v)))
}

fn unknown_key(k: &str) -> String {
    match did_you_mean(k, KNOWN_KEYS.iter().copied()) {
        Some(c) => format!("unknown option \"{k}\" (did you mean \"{c}\"?)"),
        None => format!("unknown option \"{k}\""),
    }
}

#[cfg(test)]
#[path = "options_tests.rs"]
mod tests;
