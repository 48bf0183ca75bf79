//! `-o experimental-prometheus-rw`'s settings, read from k6's `K6_PROMETHEUS_RW_*` variables
//! exactly as k6 v1.1 reads them: defaults, then the environment. The output's `=argument` is
//! not read by k6 either (its config code leaves it as a TODO), so rload refuses one rather than
//! ignore it. Variables k6 knows and rload does not implement (client certificates, SigV4) are
//! errors naming them.

use crate::config::env::go_bool;
use std::time::Duration;

use crate::config::duration::parse_duration;
use crate::metrics::TrendStat;

/// The remote-write endpoint when `K6_PROMETHEUS_RW_SERVER_URL` is not set.
pub const DEFAULT_SERVER_URL: &str = "http://localhost:9090/api/v1/write";
const PREFIX: &str = "K6_PROMETHEUS_RW_";

/// A trend statistic pushed as its own gauge: `p(99)` becomes `k6_<metric>_p99`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PushedStat {
    Stat(TrendStat),
    /// `sum`, which the summary does not know but this output does.
    Sum,
}

/// The output's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub server_url: url::Url,
    pub push_interval: Duration,
    /// `(suffix, stat)` in the order given: `("p99", p(99))`.
    pub trend_stats: Vec<(String, PushedStat)>,
    pub trend_as_native_histogram: bool,
    pub username: Option<String>,
    pub password: Option<String>,
    pub bearer_token: Option<String>,
    /// Extra request headers, in the order they were read.
    pub headers: Vec<(String, String)>,
    pub insecure_skip_tls_verify: bool,
    pub stale_markers: bool,
}

impl Config {
    /// Reads the settings from `env` (later entries win, as the process's and `-e` variables
    /// are merged); `arg` is what followed `experimental-prometheus-rw=`. Every problem at once.
    pub fn from_env(arg: &str, env: &[(String, String)]) -> Result<Config, String> {
        let get = |key: &str| env.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let var = |name: &str| format!("{PREFIX}{name}");
        let mut errs = Vec::new();
        if !arg.is_empty() {
            errs.push(format!(
                "the argument {arg:?} is not read (k6 does not read one either); set K6_PROMETHEUS_RW_* variables instead"
            ));
        }
        for name in
            ["CLIENT_CERTIFICATE", "CLIENT_CERTIFICATE_KEY", "SIGV4_REGION", "SIGV4_ACCESS_KEY", "SIGV4_SECRET_KEY"]
        {
            if get(&var(name)).is_some() {
                errs.push(format!("{} is a k6 setting rload does not implement", var(name)));
            }
        }
        let server = get(&var("SERVER_URL")).unwrap_or(DEFAULT_SERVER_URL);
        let server_url = match url::Url::parse(server) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Some(u),
            Ok(_) => {
                errs.push(format!("{}: {server:?} is not an http:// or https:// URL", var("SERVER_URL")));
                None
            }
            Err(e) => {
                errs.push(format!("{}: {server:?}: {e}", var("SERVER_URL")));
                None
            }
        };
        let push_interval = match get(&var("PUSH_INTERVAL")).map(parse_duration) {
            None => Duration::from_secs(5),
            Some(Ok(d)) if !d.is_zero() => d,
            Some(Ok(_)) => {
                errs.push(format!("{}: must be longer than 0", var("PUSH_INTERVAL")));
                Duration::from_secs(5)
            }
            Some(Err(e)) => {
                errs.push(format!("{}: {e}", var("PUSH_INTERVAL")));
                Duration::from_secs(5)
            }
        };
        let trend_stats = match get(&var("TREND_STATS")) {
            None => vec![("p99".to_string(), PushedStat::Stat(TrendStat::Percentile(99.0)))],
            Some(list) => {
                let mut stats = Vec::new();
                for name in list.split(',') {
                    match pushed_stat(name) {
                        Some(stat) => stats.push(stat),
                        None => errs.push(format!(
                            "{}: {name:?} is not a trend stat (count, sum, min, max, avg, med, p(N))",
                            var("TREND_STATS")
                        )),
                    }
                }
                stats
            }
        };
        let mut boolean = |name: &str| match get(&var(name)).map(go_bool) {
            None => false,
            Some(Some(b)) => b,
            Some(None) => {
                errs.push(format!("{}: {:?} is not a boolean", var(name), get(&var(name)).unwrap_or_default()));
                false
            }
        };
        let trend_as_native_histogram = boolean("TREND_AS_NATIVE_HISTOGRAM");
        let insecure_skip_tls_verify = boolean("INSECURE_SKIP_TLS_VERIFY");
        let stale_markers = boolean("STALE_MARKERS");
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut set_header = |k: &str, v: &str| {
            headers.retain(|(hk, _)| !hk.eq_ignore_ascii_case(k));
            headers.push((k.to_string(), v.to_string()));
        };
        for (k, v) in env {
            if let Some(name) = k.strip_prefix(&var("HEADERS_")) {
                set_header(name, v);
            }
        }
        if let Some(list) = get(&var("HTTP_HEADERS")) {
            for pair in list.split(',') {
                match pair.split(':').collect::<Vec<_>>()[..] {
                    [k, v] => set_header(k, v),
                    _ => errs.push(format!(
                        "{}: the header {pair:?} does not respect the expected format <header key>:<value>",
                        var("HTTP_HEADERS")
                    )),
                }
            }
        }
        if !errs.is_empty() {
            return Err(errs.join("; "));
        }
        Ok(Config {
            server_url: server_url.expect("an invalid URL is an error above"),
            push_interval,
            trend_stats,
            trend_as_native_histogram,
            username: get(&var("USERNAME")).map(str::to_string),
            password: get(&var("PASSWORD")).map(str::to_string),
            bearer_token: get(&var("BEARER_TOKEN")).filter(|t| !t.is_empty()).map(str::to_string),
            headers,
            insecure_skip_tls_verify,
            stale_markers,
        })
    }
}

/// `p(99)` → `("p99", …)`, `p(99.9)` → `("p999", …)`: k6 drops the parentheses and the dots.
fn pushed_stat(name: &str) -> Option<(String, PushedStat)> {
    if name == "sum" {
        return Some(("sum".into(), PushedStat::Sum));
    }
    let stat = TrendStat::parse(name)?;
    let suffix = match name.strip_prefix("p(").and_then(|p| p.strip_suffix(')')) {
        Some(p) => format!("p{}", p.replace('.', "")),
        None => name.to_string(),
    };
    Some((suffix, PushedStat::Stat(stat)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults_are_k6s() {
        let c = Config::from_env("", &[]).unwrap();
        assert_eq!(c.server_url.as_str(), DEFAULT_SERVER_URL);
        assert_eq!(c.push_interval, Duration::from_secs(5));
        assert_eq!(c.trend_stats, vec![("p99".to_string(), PushedStat::Stat(TrendStat::Percentile(99.0)))]);
        assert!(!c.trend_as_native_histogram && !c.stale_markers && !c.insecure_skip_tls_verify);
        assert!(c.username.is_none() && c.headers.is_empty());
    }

    #[test]
    fn the_variables_set_every_setting() {
        let c = Config::from_env(
            "",
            &env(&[
                ("K6_PROMETHEUS_RW_SERVER_URL", "https://prom.example:9443/api/v1/write"),
                ("K6_PROMETHEUS_RW_PUSH_INTERVAL", "250ms"),
                ("K6_PROMETHEUS_RW_TREND_STATS", "p(95),p(99.9),max,sum,count"),
                ("K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM", "true"),
                ("K6_PROMETHEUS_RW_USERNAME", "u"),
                ("K6_PROMETHEUS_RW_PASSWORD", "p"),
                ("K6_PROMETHEUS_RW_HEADERS_X-Scope-OrgID", "tenant"),
                ("K6_PROMETHEUS_RW_HTTP_HEADERS", "a:1,b:2"),
                ("K6_PROMETHEUS_RW_INSECURE_SKIP_TLS_VERIFY", "1"),
                ("K6_PROMETHEUS_RW_STALE_MARKERS", "T"),
            ]),
        )
        .unwrap();
        assert_eq!(c.server_url.as_str(), "https://prom.example:9443/api/v1/write");
        assert_eq!(c.push_interval, Duration::from_millis(250));
        let suffixes: Vec<&str> = c.trend_stats.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(suffixes, ["p95", "p999", "max", "sum", "count"]);
        assert!(c.trend_as_native_histogram && c.insecure_skip_tls_verify && c.stale_markers);
        assert_eq!((c.username.as_deref(), c.password.as_deref()), (Some("u"), Some("p")));
        let headers: Vec<(&str, &str)> = c.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(headers, [("X-Scope-OrgID", "tenant"), ("a", "1"), ("b", "2")]);
    }

    #[test]
    fn bad_values_and_unimplemented_settings_are_errors_naming_them() {
        let err = Config::from_env(
            "url=x",
            &env(&[
                ("K6_PROMETHEUS_RW_TREND_STATS", "p(95),p95"),
                ("K6_PROMETHEUS_RW_STALE_MARKERS", "yes"),
                ("K6_PROMETHEUS_RW_PUSH_INTERVAL", "soon"),
                ("K6_PROMETHEUS_RW_CLIENT_CERTIFICATE", "/c.pem"),
                ("K6_PROMETHEUS_RW_SERVER_URL", "ftp://x/"),
            ]),
        )
        .unwrap_err();
        for part in [
            "\"url=x\" is not read",
            "\"p95\" is not a trend stat",
            "K6_PROMETHEUS_RW_STALE_MARKERS: \"yes\"",
            "K6_PROMETHEUS_RW_PUSH_INTERVAL",
            "K6_PROMETHEUS_RW_CLIENT_CERTIFICATE is a k6 setting rload does not implement",
            "\"ftp://x/\" is not an http:// or https:// URL",
        ] {
            assert!(err.contains(part), "{part:?} missing from: {err}");
        }
    }
}
