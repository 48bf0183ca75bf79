//! One option value read from its JSON form, each reader naming the key as the user wrote it in
//! its error: counts, durations, sizes, string lists and maps, stages, TLS settings, trend
//! statistics, k6's batch limits and system tags ([`super::options`] reads the `options` map
//! with them, the CLI and the executors' fields too).

use std::time::Duration;

use serde_json::{Map, Value};

use super::duration::{ms_to_duration, parse_duration, parse_flag_duration};
use super::number::{is_unset_int, whole_number};
use super::options::Stage;
use crate::http::tls;
use crate::metrics::SystemTags;

/// k6's `batch`: a whole number ≥ 1. k6 takes 0 and then waits forever in the first
/// `http.batch`; rload refuses it.
pub fn batch(key: &str, v: &Value) -> Result<u64, String> {
    match whole_number(v) {
        Some(n) if n >= 1 => Ok(n as u64),
        Some(n) => Err(format!("{key}: must be at least 1, got {n} (k6 waits forever in http.batch with it)")),
        None => Err(format!("{key}: must be a whole number ≥ 1, got {v}")),
    }
}

/// k6's `batchPerHost`: a whole number; 0 or less is no per-host limit (read as 0).
pub fn batch_per_host(key: &str, v: &Value) -> Result<u64, String> {
    whole_number(v).map(|n| n.max(0) as u64).ok_or_else(|| format!("{key}: must be a whole number, got {v}"))
}

/// `systemTags`: an array of k6's system tag names (`[]` for none); every bad name reported.
pub fn system_tags(key: &str, v: &Value) -> Result<SystemTags, String> {
    let Value::Array(items) = v else {
        return Err(format!("{key}: must be an array of tag names, got {}", kind(v)));
    };
    let names = items
        .iter()
        .map(|item| item.as_str().ok_or_else(|| format!("{key}: each item must be a string, got {}", kind(item))))
        .collect::<Result<Vec<_>, _>>()?;
    SystemTags::parse(names).map_err(|errs| format!("{key}: {}", errs.join("; ")))
}

/// A string or an array of strings (`scrape: "http://…"` or `scrape: ["http://…", …]`).
pub(super) fn string_list(key: &str, v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("{key}: each item must be a string, got {}", kind(other))),
            })
            .collect(),
        other => Err(format!("{key}: must be a string or an array of strings, got {}", kind(other))),
    }
}

/// How a JSON option value is named in messages (`a map`, `a string`, ...).
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "()",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a map",
    }
}

/// A k6 integer option ≥ 0: a whole number or its decimal text (`vus: __ENV.VUS`), as
/// `config/number.rs` says.
pub(super) fn count(key: &str, v: &Value) -> Result<u64, String> {
    match whole_number(v) {
        Some(n) if n >= 0 => Ok(n as u64),
        _ => Err(format!("{key}: must be a whole number ≥ 0, got {v}")),
    }
}

/// A duration option: a k6 string (`"1m30s"`) or a number of milliseconds.
pub fn duration(key: &str, v: &Value) -> Result<Duration, String> {
    match v {
        Value::String(s) => parse_duration(s).map_err(|e| format!("{key}: {e}")),
        Value::Number(n) => n.as_f64().and_then(ms_to_duration).ok_or_else(|| format!("{key}: invalid duration {n}")),
        other => Err(format!("{key}: must be a duration like \"30s\", got {}", kind(other))),
    }
}

/// A size option: a number of bytes, or a string like `"100KB"`, `"256MB"`, `"1.5GiB"` (see
/// [`parse_size`]).
pub(super) fn size(key: &str, v: &Value) -> Result<u64, String> {
    match v {
        Value::String(s) => parse_size(s).map_err(|e| format!("{key}: {e}")),
        Value::Number(_) => count(key, v).map_err(|_| format!("{key}: must be a number of bytes ≥ 0, got {v}")),
        other => Err(format!("{key}: must be a size like \"256MB\" or a number of bytes, got {}", kind(other))),
    }
}

/// Parses a byte size: digits (with an optional fraction) and a unit, `B`, `KB`/`MB`/`GB`/`TB`
/// (powers of 1000) or `KiB`/`MiB`/`GiB`/`TiB` (powers of 1024), case-insensitive, spaces
/// allowed between; no unit means bytes. `"100KB"` is 100,000 bytes, `"1MiB"` 1,048,576.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let invalid = || format!("invalid size \"{text}\" (use bytes or a unit: B, KB, MB, GB, KiB, MiB, GiB)");
    let value: f64 = number.parse().map_err(|_| invalid())?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        _ => return Err(invalid()),
    };
    let bytes = (value * factor as f64).round();
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(format!("size \"{text}\" is too large"));
    }
    Ok(bytes as u64)
}

pub(super) fn boolean(key: &str, v: &Value) -> Result<bool, String> {
    v.as_bool().ok_or_else(|| format!("{key}: must be true or false, got {v}"))
}

pub(super) fn string(key: &str, v: &Value) -> Result<String, String> {
    v.as_str().map(str::to_owned).ok_or_else(|| format!("{key}: must be a string, got {v}"))
}

pub(super) fn object<'a>(key: &str, v: &'a Value) -> Result<&'a Map<String, Value>, String> {
    v.as_object().ok_or_else(|| format!("{key}: must be a map, got {}", kind(v)))
}

pub(super) fn string_map(key: &str, v: &Value) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (k, val) in object(key, v)? {
        let text = match val {
            Value::String(s) => s.clone(),
            Value::Number(_) | Value::Bool(_) => val.to_string(),
            _ => return Err(format!("{key}.{k}: tag values must be strings, got {}", kind(val))),
        };
        out.push((k.clone(), text));
    }
    Ok(out)
}

/// k6's `tlsAuth`: `[#{ domains: ["example.com"], cert: "-----BEGIN CERTIFICATE-----…",
/// key: "-----BEGIN PRIVATE KEY-----…" }]`; every bad entry is reported.
pub(super) fn tls_auth(key: &str, v: &Value) -> Result<Vec<tls::ClientCert>, String> {
    let Value::Array(items) = v else {
        return Err(format!("{key}: must be an array of #{{ domains, cert, key }}, got {}", kind(v)));
    };
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{key}[{i}]");
        let text = |name: &str| match item.get(name) {
            Some(Value::String(s)) => Ok(s.clone()),
            _ => Err(format!("{at}.{name} must be a PEM string")),
        };
        let entry = (|| {
            if !item.is_object() {
                return Err(format!("{at} must be #{{ domains, cert, key }}"));
            }
            if item.get("password").and_then(Value::as_str).is_some_and(|p| !p.is_empty()) {
                return Err(format!(
                    "{at}.password: encrypted keys are a k6 tlsAuth feature rload does not implement (decrypt the key)"
                ));
            }
            let domains = string_list(&format!("{at}.domains"), item.get("domains").unwrap_or(&Value::Null))?;
            tls::ClientCert::new(domains, text("cert")?, text("key")?).map_err(|e| format!("{at}: {e}"))
        })();
        match entry {
            Ok(entry) => entries.push(entry),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors.join("; "))
    }
}

/// k6's `tlsVersion`: `"tls1.2"` (that version only) or `#{ min: "tls1.2", max: "tls1.3" }`.
pub(super) fn tls_version(key: &str, v: &Value) -> Result<(usize, usize), String> {
    let range = match v {
        Value::String(one) => tls::versions(Some(one), Some(one)),
        Value::Object(map) => {
            let bound = |name: &str| match map.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(other) => Err(format!("{name} must be a string like \"tls1.2\", got {}", kind(other))),
            };
            tls::versions(bound("min")?, bound("max")?)
        }
        other => Err(format!("must be \"tls1.2\" or #{{ min, max }}, got {}", kind(other))),
    };
    range.map_err(|e| format!("{key}: {e}"))
}

/// Parses `stages: [#{ duration: "30s", target: 10 }, ...]`; a target may be text (`"10"`), and
/// a `null` or `""` one is missing, as in k6.
pub fn stages(key: &str, v: &Value) -> Result<Vec<Stage>, String> {
    let Value::Array(items) = v else {
        return Err(format!("{key}: must be an array of #{{ duration, target }}, got {}", kind(v)));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let here = format!("{key}[{i}]");
        let map = object(&here, item)?;
        let d = map
            .get("duration")
            .filter(|d| !d.is_null())
            .ok_or_else(|| format!("{here}: missing duration"))
            .and_then(|d| duration(&format!("{here}.duration"), d))?;
        let t = map
            .get("target")
            .filter(|t| !is_unset_int(t))
            .ok_or_else(|| format!("{here}: missing target"))
            .and_then(|t| count(&format!("{here}.target"), t))?;
        if let Some(extra) = map.keys().find(|k| *k != "duration" && *k != "target") {
            return Err(format!("{here}: unknown key \"{extra}\" (a stage has duration and target)"));
        }
        out.push(Stage { duration: d, target: t });
    }
    Ok(out)
}

/// `--stage 30s:10` on the CLI; one flag may hold several, `--stage 5s:10,5m:20` (k6's flag is
/// a string slice, split at commas). Every `--stage` adds its stages in order.
pub fn parse_cli_stages<'a>(flags: impl IntoIterator<Item = &'a String>) -> Result<Vec<Stage>, String> {
    flags.into_iter().flat_map(|flag| flag.split(',')).map(parse_cli_stage).collect()
}

/// One `DURATION:TARGET` stage of `--stage`.
pub fn parse_cli_stage(text: &str) -> Result<Stage, String> {
    let at = |e: String| format!("--stage \"{text}\": {e}");
    let (_, duration, target) = stage_text(text).map_err(at)?;
    let target = u64::try_from(target).map_err(|_| at(format!("target \"{target}\" is not a whole number")))?;
    Ok(Stage { duration, target })
}

/// A `DURATION:TARGET` stage as k6's `Stage.UnmarshalText` reads one (`--stage`, `K6_STAGES`):
/// Go's `time.ParseDuration` and `strconv.ParseInt`, no white space (`"2s: 1"` is an error). The
/// duration as written, as read, and the target.
pub fn stage_text(text: &str) -> Result<(&str, Duration, i64), String> {
    let (d, t) = text.split_once(':').ok_or("expected DURATION:TARGET, e.g. 30s:10")?;
    let duration = parse_flag_duration(d)?;
    let target = t.parse().map_err(|_| format!("target \"{t}\" is not a whole number"))?;
    Ok((d, duration, target))
}

/// The statistics `--summary-trend-stats` accepts: avg, min, med, max, count, p(N).
pub fn trend_stats(key: &str, v: &Value) -> Result<Vec<String>, String> {
    let items: Vec<String> = match v {
        Value::Array(a) => a.iter().map(|x| x.as_str().unwrap_or("").to_owned()).collect(),
        // As k6 reads `--summary-trend-stats` (pflag's comma list): items as written, so
        // `avg, p(95)` is refused for its ` p(95)`; empty text is no stats.
        Value::String(s) if s.is_empty() => Vec::new(),
        Value::String(s) => s.split(',').map(str::to_owned).collect(),
        other => return Err(format!("{key}: must be a list like [\"avg\", \"p(95)\"], got {}", kind(other))),
    };
    for s in &items {
        validate_trend_stat(s).map_err(|e| format!("{key}: {e}"))?;
    }
    Ok(items)
}

/// One trend stat, refused in k6 v1.1's words.
fn validate_trend_stat(s: &str) -> Result<(), String> {
    match s {
        "avg" | "min" | "med" | "max" | "count" => Ok(()),
        _ => match s.strip_prefix("p(").and_then(|r| r.strip_suffix(')')).map(str::parse::<f64>) {
            Some(Ok(p)) if (0.0..=100.0).contains(&p) => Ok(()),
            Some(_) => Err(format!("invalid percentile trend stat value '{s}', provide a number between 0 and 100")),
            None => Err(format!(
                "invalid trend stat '{s}', unknown format (use avg, min, med, max, count or p(N) with 0 ≤ N ≤ 100)"
            )),
        },
    }
}
/// The candidate closest to `word` (case-insensitive edit distance ≤ 3), for "did you mean".
pub fn did_you_mean<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates.map(|c| (edit_distance(&word, &c.to_lowercase()), c)).min().filter(|(d, _)| *d <= 3).map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
