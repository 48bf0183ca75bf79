//! k6's `K6_*` environment variables: the environment layer of a run's configuration.
//!
//! k6 reads one variable per option (`K6_VUS`, `K6_DURATION`, `K6_STAGES`, ... the `envconfig`
//! names of `lib.Options` and `cmd.Config`), a few runtime switches (`K6_NO_THRESHOLDS`,
//! `K6_SUMMARY_EXPORT`, ...) and global ones (`K6_CONFIG`, `K6_NO_COLOR`, `NO_COLOR`). Values
//! use envconfig's text forms: whole numbers, Go booleans (`1`, `t`, `true`, `TRUE`, `0`, `f`,
//! ...), durations as k6 strings or milliseconds, lists separated by commas
//! (`K6_SUMMARY_TREND_STATS=avg,p(95)`, `K6_STAGES=30s:10,1m:0`) and maps as `key:value` pairs
//! (`K6_TAGS=env:staging,team:a`).
//!
//! Each option variable becomes the JSON value of its option key and goes through the same
//! parser as a script's `options` ([`Options::from_script`]), so the rules and messages are
//! the script's, prefixed with the variable's name. A variable of a k6 option rload does not
//! implement (one whose key is not in [`KNOWN_KEYS`]) is an error naming it: a port must not
//! run while silently measuring something else. `K6_*` variables that are not k6 options
//! (outputs' settings such as `K6_PROMETHEUS_RW_SERVER_URL`, cloud credentials, extensions)
//! are not read here; the parts of rload that use them read them themselves.
//!
//! Not here: where the layers are applied (`layers.rs`), the JSON config file (`file.rs`).

use serde_json::{Map, Value};

use super::file::Extras;
use super::options::{Options, KNOWN_KEYS};
use super::values::stage_text;

/// How a variable's text becomes its option's JSON value.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Bool,
    /// A k6 duration string, or a whole number of milliseconds.
    Duration,
    Text,
    /// Comma-separated strings read by a type of k6's own that trims them and skips empty
    /// ones (`K6_SYSTEM_TAGS=status, url`, k6's `SystemTagSet`).
    List,
    /// envconfig's `[]string`: split at commas, nothing trimmed or skipped (`avg, p(95)` gives
    /// `" p(95)"`, which k6 then refuses); empty text is an empty list.
    Strings,
    /// Comma-separated `DURATION:TARGET` stages.
    Stages,
    /// envconfig's `map[string]string`: split at commas, then each item at its colons, which
    /// must be exactly one; nothing trimmed (`a:1, b:2` gives the key `" b"`), an empty item
    /// is an error. Empty text is an empty map.
    Map,
    /// Comma-separated `key:value` pairs, trimmed, split at the first colon (`K6_HOSTS`, which
    /// k6 v1.1.0 reads without applying it: rload's own reading).
    Pairs,
}

/// Every k6 v1.1 option with an environment variable: its name, its option key, its form.
const OPTION_VARS: &[(&str, &str, Kind)] = &[
    ("K6_PAUSED", "paused", Kind::Bool),
    ("K6_VUS", "vus", Kind::Int),
    ("K6_DURATION", "duration", Kind::Duration),
    ("K6_ITERATIONS", "iterations", Kind::Int),
    ("K6_STAGES", "stages", Kind::Stages),
    ("K6_NO_SETUP", "noSetup", Kind::Bool),
    ("K6_SETUP_TIMEOUT", "setupTimeout", Kind::Duration),
    ("K6_NO_TEARDOWN", "noTeardown", Kind::Bool),
    ("K6_TEARDOWN_TIMEOUT", "teardownTimeout", Kind::Duration),
    ("K6_RPS", "rps", Kind::Int),
    ("K6_DNS", "dns", Kind::Text),
    ("K6_MAX_REDIRECTS", "maxRedirects", Kind::Int),
    ("K6_USER_AGENT", "userAgent", Kind::Text),
    ("K6_BATCH", "batch", Kind::Int),
    ("K6_BATCH_PER_HOST", "batchPerHost", Kind::Int),
    ("K6_HTTP_DEBUG", "httpDebug", Kind::Text),
    ("K6_INSECURE_SKIP_TLS_VERIFY", "insecureSkipTLSVerify", Kind::Bool),
    ("K6_TLS_CIPHER_SUITES", "tlsCipherSuites", Kind::List),
    ("K6_TLSAUTH", "tlsAuth", Kind::Text),
    ("K6_THROW", "throw", Kind::Bool),
    ("K6_THRESHOLDS", "thresholds", Kind::Text),
    ("K6_BLACKLIST_IPS", "blacklistIPs", Kind::List),
    ("K6_BLOCK_HOSTNAMES", "blockHostnames", Kind::List),
    ("K6_HOSTS", "hosts", Kind::Pairs),
    ("K6_NO_CONNECTION_REUSE", "noConnectionReuse", Kind::Bool),
    ("K6_NO_VU_CONNECTION_REUSE", "noVUConnectionReuse", Kind::Bool),
    ("K6_MIN_ITERATION_DURATION", "minIterationDuration", Kind::Duration),
    ("K6_SUMMARY_TREND_STATS", "summaryTrendStats", Kind::Strings),
    ("K6_SUMMARY_TIME_UNIT", "summaryTimeUnit", Kind::Text),
    ("K6_SYSTEM_TAGS", "systemTags", Kind::List),
    ("K6_TAGS", "tags", Kind::Map),
    ("K6_METRIC_SAMPLES_BUFFER_SIZE", "metricSamplesBufferSize", Kind::Int),
    ("K6_NO_COOKIES_RESET", "noCookiesReset", Kind::Bool),
    ("K6_DISCARD_RESPONSE_BODIES", "discardResponseBodies", Kind::Bool),
];

/// k6 settings with a variable but no option key, none of which rload has: the variable and
/// the flag it stands for.
const UNSUPPORTED_VARS: &[(&str, &str)] = &[
    ("K6_CONSOLE_OUTPUT", "--console-output"),
    ("K6_LOCAL_IPS", "--local-ips"),
    ("K6_TYPE", "--type"),
    ("K6_COMPATIBILITY_MODE", "--compatibility-mode"),
    ("K6_NEW_MACHINE_READABLE_SUMMARY", "--new-machine-readable-summary"),
    ("K6_PROFILING_ENABLED", "--profiling-enabled"),
];

/// The runtime and global switches k6 reads from the environment; a flag given on the command
/// line wins over each.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RuntimeEnv {
    /// `K6_CONFIG`: the config file when `-c` is not given.
    pub config: Option<String>,
    pub no_thresholds: Option<bool>,
    pub no_summary: Option<bool>,
    pub summary_mode: Option<String>,
    pub summary_export: Option<String>,
    pub include_system_env_vars: Option<bool>,
    /// `K6_NO_COLOR` (any non-empty value) or `NO_COLOR` (set, even empty: no-color.org).
    pub no_color: bool,
    pub log_output: Option<String>,
    pub log_format: Option<String>,
    /// `K6_WEB_DASHBOARD=true` with `K6_WEB_DASHBOARD_EXPORT=FILE`: the HTML report (`--report`).
    pub web_dashboard_export: Option<String>,
}

/// The environment's layer: options, the config extras (`K6_OUT`, `K6_LINGER`) and the
/// runtime switches.
#[derive(Debug, Default, Clone)]
pub struct EnvConfig {
    pub options: Options,
    pub extras: Extras,
    pub runtime: RuntimeEnv,
}

/// Reads k6's variables from `vars` (the process environment), with every problem at once.
pub fn from_env(vars: &[(String, String)]) -> Result<EnvConfig, Vec<String>> {
    let get = |name: &str| vars.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let mut errors = Vec::new();
    let mut json = Map::new();
    for &(name, key, kind) in OPTION_VARS {
        let Some(text) = get(name) else { continue };
        if !KNOWN_KEYS.contains(&key) {
            errors.push(format!("{name}: k6's `{key}` option is not supported by rload; unset {name}"));
            continue;
        }
        match to_json(kind, text) {
            // Each variable alone first, so a problem is reported under its variable's name.
            Ok(value) => {
                match Options::from_script(&Value::Object(Map::from_iter([(key.to_owned(), value.clone())]))) {
                    Ok(_) => {
                        json.insert(key.to_owned(), value);
                    }
                    Err(es) => errors.extend(es.into_iter().map(|e| format!("{name}=\"{text}\": {e}"))),
                }
            }
            Err(e) => errors.push(format!("{name}=\"{text}\": {e}")),
        }
    }
    for &(name, flag) in UNSUPPORTED_VARS {
        if get(name).is_some() {
            errors.push(format!("{name}: k6's {flag} is not supported by rload; unset {name}"));
        }
    }
    let mut boolean = |name: &str| match get(name).map(|t| go_bool(t).ok_or(t)) {
        None => None,
        Some(Ok(b)) => Some(b),
        Some(Err(t)) => {
            errors.push(format!("{name}=\"{t}\": not a boolean (use true or false)"));
            None
        }
    };
    let extras = Extras {
        out: get("K6_OUT").map(|t| split_list(t).into_iter().map(str::to_owned).collect()),
        linger: boolean("K6_LINGER"),
        web_dashboard: boolean("K6_WEB_DASHBOARD"),
    };
    // rload sends no usage report and uploads no archive: both settings say what it does anyway.
    let _ = (boolean("K6_NO_USAGE_REPORT"), boolean("K6_NO_ARCHIVE_UPLOAD"));
    let runtime = RuntimeEnv {
        config: get("K6_CONFIG").map(str::to_owned),
        no_thresholds: boolean("K6_NO_THRESHOLDS"),
        no_summary: boolean("K6_NO_SUMMARY"),
        summary_mode: get("K6_SUMMARY_MODE").map(str::to_owned),
        summary_export: get("K6_SUMMARY_EXPORT").map(str::to_owned),
        include_system_env_vars: boolean("K6_INCLUDE_SYSTEM_ENV_VARS"),
        no_color: get("K6_NO_COLOR").is_some_and(|v| !v.is_empty()) || get("NO_COLOR").is_some(),
        log_output: get("K6_LOG_OUTPUT").map(str::to_owned),
        log_format: get("K6_LOG_FORMAT").map(str::to_owned),
        web_dashboard_export: None,
    };
    if let Some(t) = get("K6_TRACES_OUTPUT").filter(|t| *t != "none") {
        errors.push(format!("K6_TRACES_OUTPUT=\"{t}\": k6's --traces-output is not supported by rload; unset it"));
    }
    let export = web_dashboard(vars, extras.web_dashboard == Some(true), &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let options = Options::from_script(&Value::Object(json))?;
    let runtime = RuntimeEnv { web_dashboard_export: export, ..runtime };
    Ok(EnvConfig { options, extras, runtime })
}

/// k6's web dashboard settings: rload serves no live dashboard, but writes the report k6's
/// dashboard exports (`K6_WEB_DASHBOARD=true K6_WEB_DASHBOARD_EXPORT=FILE`; as in k6, the
/// export alone does nothing). Settings of the live dashboard are errors, except those that
/// ask for what rload does anyway: `K6_WEB_DASHBOARD_PORT=-1` (no server, k6's advice for CI)
/// and `K6_WEB_DASHBOARD_OPEN=false`.
fn web_dashboard(vars: &[(String, String)], enabled: bool, errors: &mut Vec<String>) -> Option<String> {
    let get = |name: &str| vars.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let mut names: Vec<&str> =
        vars.iter().map(|(k, _)| k.as_str()).filter(|k| k.starts_with("K6_WEB_DASHBOARD_")).collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let value = get(name).unwrap_or_default();
        let same_as_rload = match name {
            "K6_WEB_DASHBOARD_EXPORT" => true,
            "K6_WEB_DASHBOARD_PORT" => value.trim() == "-1",
            "K6_WEB_DASHBOARD_OPEN" => go_bool(value) == Some(false),
            _ => false,
        };
        if !same_as_rload {
            errors.push(format!(
                "{name}=\"{value}\": k6's live web dashboard is not supported by rload (it only writes the \
                 report, K6_WEB_DASHBOARD_EXPORT or --report); unset {name}"
            ));
        }
    }
    let export = get("K6_WEB_DASHBOARD_EXPORT").filter(|f| !f.is_empty()).map(str::to_owned);
    if enabled && export.is_none() {
        errors.push(
            "K6_WEB_DASHBOARD=true: rload serves no live web dashboard; set K6_WEB_DASHBOARD_EXPORT=FILE (or \
             --report FILE) for its HTML report, or unset K6_WEB_DASHBOARD"
                .to_owned(),
        );
    }
    export.filter(|_| enabled)
}

/// A variable's text as its option's JSON value.
fn to_json(kind: Kind, text: &str) -> Result<Value, String> {
    Ok(match kind {
        // envconfig's null.Int: Go's ParseInt (no spaces around), and "" is "not set".
        Kind::Int if text.is_empty() => Value::Null,
        Kind::Int => Value::from(text.parse::<i64>().map_err(|_| "not a whole number".to_owned())?),
        Kind::Bool => Value::Bool(go_bool(text).ok_or("not a boolean (use true or false)")?),
        // Read as a script's option text is: k6's `types.NullDuration`, bare numbers as milliseconds.
        Kind::Duration => Value::String(text.to_owned()),
        Kind::Text => Value::String(text.to_owned()),
        Kind::List => Value::Array(split_list(text).into_iter().map(|s| Value::String(s.to_owned())).collect()),
        // Split at commas without trimming, as k6 (`"2s:1, 3s:2"` is an error in k6).
        Kind::Stages => Value::Array(
            text.split(',')
                .filter(|stage| !stage.is_empty())
                .map(|stage| {
                    let (d, _, target) = stage_text(stage).map_err(|e| format!("stage \"{stage}\": {e}"))?;
                    Ok(serde_json::json!({ "duration": d, "target": target }))
                })
                .collect::<Result<_, String>>()?,
        ),
        Kind::Strings if text.is_empty() => Value::Array(Vec::new()),
        Kind::Strings => Value::Array(text.split(',').map(|s| Value::String(s.to_owned())).collect()),
        Kind::Map if text.is_empty() => Value::Object(Map::new()),
        Kind::Map => Value::Object(
            text.split(',')
                .map(|item| match item.split(':').collect::<Vec<_>>()[..] {
                    [k, v] => Ok((k.to_owned(), Value::String(v.to_owned()))),
                    _ => Err(format!("invalid map item: \"{item}\" (expected key:value,key:value)")),
                })
                .collect::<Result<_, String>>()?,
        ),
        Kind::Pairs => Value::Object(
            split_list(text)
                .into_iter()
                .map(|item| match item.split_once(':') {
                    Some((k, v)) => Ok((k.to_owned(), Value::String(v.to_owned()))),
                    None => Err(format!("invalid map item \"{item}\" (expected key:value,key:value)")),
                })
                .collect::<Result<_, String>>()?,
        ),
    })
}

fn split_list(text: &str) -> Vec<&str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// Go's `strconv.ParseBool`, which envconfig uses (k6's `K6_*` variables, its outputs' too).
pub(crate) fn go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Stage;
    use std::time::Duration;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn web_dashboard_export_is_the_html_report_and_live_dashboard_settings_are_errors() {
        let c = from_env(&env(&[
            ("K6_WEB_DASHBOARD", "true"),
            ("K6_WEB_DASHBOARD_EXPORT", "r.html"),
            ("K6_WEB_DASHBOARD_PORT", "-1"),
            ("K6_WEB_DASHBOARD_OPEN", "false"),
        ]))
        .unwrap();
        assert_eq!(c.runtime.web_dashboard_export.as_deref(), Some("r.html"));
        // As in k6, the export without the dashboard writes nothing.
        let c = from_env(&env(&[("K6_WEB_DASHBOARD_EXPORT", "r.html")])).unwrap();
        assert_eq!(c.runtime.web_dashboard_export, None);
        let errs = from_env(&env(&[
            ("K6_WEB_DASHBOARD", "true"),
            ("K6_WEB_DASHBOARD_PORT", "5665"),
            ("K6_WEB_DASHBOARD_PERIOD", "5s"),
        ]))
        .unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(
            errs[0].starts_with("K6_WEB_DASHBOARD_PERIOD=\"5s\": k6's live web dashboard is not supported"),
            "{errs:?}"
        );
        assert!(errs[1].starts_with("K6_WEB_DASHBOARD_PORT=\"5665\""), "{errs:?}");
        assert!(errs[2].contains("set K6_WEB_DASHBOARD_EXPORT=FILE"), "{errs:?}");
    }

    /// k6 v1.1.0 reads `K6_DURATION` as a script's option text and `K6_STAGES` with Go's
    /// `time.ParseDuration` and `strconv.ParseInt`, white space and all: `"500"` is 500 ms and
    /// `"1d"` a day for the one, errors for the other.
    #[test]
    fn duration_and_stage_variables_are_read_as_k6_reads_them() {
        let o = from_env(&env(&[("K6_DURATION", "1d"), ("K6_STAGES", "1m30s:2,.5s:+1")])).unwrap().options;
        assert_eq!(o.duration, Some(Duration::from_secs(86_400)));
        let stages = o.stages.unwrap();
        assert_eq!(stages[0], Stage { duration: Duration::from_secs(90), target: 2 });
        assert_eq!(stages[1], Stage { duration: Duration::from_millis(500), target: 1 });
        for (name, text, error) in [
            ("K6_DURATION", " 2s", "invalid duration \" 2s\""),
            ("K6_STAGES", "2s:1, 3s:2", "invalid duration \" 3s\""),
            ("K6_STAGES", "500:1", "invalid duration \"500\": missing unit"),
            ("K6_STAGES", "1d:1", "invalid duration \"1d\": unknown unit \"d\""),
            ("K6_STAGES", "2s: 1", "target \" 1\" is not a whole number"),
        ] {
            let errs = from_env(&env(&[(name, text)])).unwrap_err();
            assert!(errs[0].contains(error), "{name}={text:?}: {errs:?}");
        }
    }

    #[test]
    fn option_variables_become_options_in_k6s_text_forms() {
        let c = from_env(&env(&[
            ("K6_VUS", "3"),
            ("K6_ITERATIONS", "6"),
            ("K6_DURATION", "1500"),
            ("K6_STAGES", "30s:10,1m:0"),
            ("K6_SUMMARY_TREND_STATS", "avg,p(95)"),
            ("K6_INSECURE_SKIP_TLS_VERIFY", "t"),
            ("K6_USER_AGENT", "agent/1"),
            ("K6_TAGS", "env:staging,team:a"),
            ("K6_SYSTEM_TAGS", "status, url"),
            ("K6_HTTP_DEBUG", "full"),
            ("K6_SUMMARY_TIME_UNIT", "ms"),
            ("PATH", "/bin"),
            ("K6_PROMETHEUS_RW_SERVER_URL", "http://127.0.0.1:9090"),
        ]))
        .unwrap();
        let o = c.options;
        assert_eq!((o.vus, o.iterations), (Some(3), Some(6)));
        assert_eq!(o.duration, Some(Duration::from_millis(1500)));
        assert_eq!(
            o.stages.unwrap(),
            vec![
                Stage { duration: Duration::from_secs(30), target: 10 },
                Stage { duration: Duration::from_secs(60), target: 0 }
            ]
        );
        assert_eq!(o.summary_trend_stats.unwrap(), ["avg", "p(95)"]);
        assert_eq!(o.insecure_skip_tls_verify, Some(true));
        assert_eq!(o.user_agent.as_deref(), Some("agent/1"));
        assert_eq!(o.tags.unwrap(), [("env".into(), "staging".into()), ("team".into(), "a".into())]);
        assert_eq!(o.system_tags.unwrap().names(), ["status", "url"]);
        assert_eq!(o.http_debug, Some(crate::http::debug::HttpDebug::Full));
        assert_eq!(o.summary_time_unit, Some(crate::config::options::TimeUnit::Milliseconds));
    }

    #[test]
    fn bad_values_and_unsupported_options_are_all_reported_by_variable() {
        let errs = from_env(&env(&[
            ("K6_VUS", "abc"),
            ("K6_INSECURE_SKIP_TLS_VERIFY", "yes"),
            ("K6_DURATION", "10x"),
            ("K6_TAGS", "a"),
            ("K6_RPS", "100"),
            ("K6_CONSOLE_OUTPUT", "log.txt"),
            ("K6_NO_THRESHOLDS", "maybe"),
        ]))
        .unwrap_err();
        let all = errs.join("\n");
        assert_eq!(errs.len(), 7, "{all}");
        assert!(all.contains("K6_VUS=\"abc\": not a whole number"), "{all}");
        assert!(all.contains("K6_INSECURE_SKIP_TLS_VERIFY=\"yes\": not a boolean"), "{all}");
        assert!(all.contains("K6_DURATION=\"10x\": duration: invalid duration \"10x\""), "{all}");
        assert!(all.contains("K6_TAGS=\"a\": invalid map item: \"a\""), "{all}");
        assert!(all.contains("K6_RPS: k6's `rps` option is not supported by rload"), "{all}");
        assert!(all.contains("K6_CONSOLE_OUTPUT: k6's --console-output is not supported"), "{all}");
        assert!(all.contains("K6_NO_THRESHOLDS=\"maybe\": not a boolean"), "{all}");
    }

    /// Sweep 31: rload trimmed `K6_SUMMARY_TREND_STATS` and `K6_TAGS` and skipped their empty
    /// items. k6 v1.1.0 (envconfig) keeps every item as written: `avg, p(95)` is refused with
    /// `invalid trend stat ' p(95)', unknown format`, `avg,,p(95)` for its `''`; `a:1, b:2` tags
    /// `" b"`, and `a:1,`, `a:b:c` are `invalid map item`. `K6_SYSTEM_TAGS` is trimmed, as
    /// k6's `SystemTagSet` trims it.
    #[test]
    fn comma_lists_keep_their_items_as_written_as_k6s_envconfig_does() {
        let refused = |name: &str, text: &str| from_env(&env(&[(name, text)])).unwrap_err().join("\n");
        let all = refused("K6_SUMMARY_TREND_STATS", "avg, p(95)");
        assert!(
            all.contains(
                "K6_SUMMARY_TREND_STATS=\"avg, p(95)\": summaryTrendStats: invalid trend stat ' p(95)', unknown format"
            ),
            "{all}"
        );
        let all = refused("K6_SUMMARY_TREND_STATS", "avg,,p(95)");
        assert!(all.contains("invalid trend stat '', unknown format"), "{all}");
        for text in ["a:1,", "a:1,,b:2", "a:b:c"] {
            let all = refused("K6_TAGS", text);
            let item = if text == "a:b:c" { text } else { "" };
            assert!(all.contains(&format!("invalid map item: \"{item}\"")), "{text}: {all}");
        }
        let c = from_env(&env(&[
            ("K6_TAGS", "a:1, b:2"),
            ("K6_SYSTEM_TAGS", "status,, url"),
            ("K6_SUMMARY_TREND_STATS", ""),
        ]))
        .unwrap();
        assert_eq!(c.options.tags.unwrap(), [(" b".into(), "2".into()), ("a".into(), "1".into())]);
        assert_eq!(c.options.system_tags.unwrap().names(), ["status", "url"]);
        assert_eq!(c.options.summary_trend_stats.unwrap(), Vec::<String>::new());
    }

    /// envconfig reads k6's `null.Int` with Go's ParseInt: `K6_VUS=` is "not set" (the script's
    /// `vus` stays) and `K6_VUS=" 3"` an error, as in k6 v1.1.
    #[test]
    fn an_empty_integer_variable_is_unset_and_spaces_are_refused() {
        let c = from_env(&env(&[("K6_VUS", ""), ("K6_MAX_REDIRECTS", "+3")])).unwrap();
        assert_eq!((c.options.vus, c.options.max_redirects), (None, Some(3)));
        let errs = from_env(&env(&[("K6_VUS", " 3")])).unwrap_err();
        assert_eq!(errs, ["K6_VUS=\" 3\": not a whole number"]);
    }

    #[test]
    fn runtime_and_global_switches_are_read() {
        let c = from_env(&env(&[
            ("K6_NO_THRESHOLDS", "true"),
            ("K6_SUMMARY_EXPORT", "out.json"),
            ("K6_CONFIG", "k6.json"),
            ("K6_OUT", "json=a.json,csv=b.csv"),
            ("NO_COLOR", ""),
        ]))
        .unwrap();
        assert_eq!(c.runtime.no_thresholds, Some(true));
        assert_eq!(c.runtime.summary_export.as_deref(), Some("out.json"));
        assert_eq!(c.runtime.config.as_deref(), Some("k6.json"));
        assert!(c.runtime.no_color, "NO_COLOR set, even empty, disables colour");
        assert_eq!(c.extras.out.unwrap(), ["json=a.json", "csv=b.csv"]);
        assert!(!from_env(&env(&[("K6_NO_COLOR", "")])).unwrap().runtime.no_color);
    }
}
