//! `options.thresholds` as written → validated [`MetricThresholds`], every problem reported at
//! once.
//!
//! The grammar is k6's (`metrics/thresholds_parser.go`):
//!
//! ```text
//! threshold   -> aggregation ws* operator ws* number
//! aggregation -> "avg" | "min" | "max" | "med" | "p(" number ")"   (Trend)
//!              | "count" | "rate"                                  (Counter)
//!              | "rate"                                            (Rate)
//!              | "value"                                           (Gauge)
//!              | "last" | "min" | "max" | "avg" | "slope"          (Gauge, rload only)
//! operator    -> ">" | ">=" | "<" | "<=" | "==" | "===" | "!="
//! ```
//!
//! The gauge aggregations beyond k6's `value` are rload's, for leak and backlog checks on a
//! scraped target's series (`--scrape`): `last` is `value`, `min`/`max`/`avg` read every
//! recorded value, `slope` is the least-squares growth per minute of the values recorded after
//! the warmup (`--scrape-warmup`), e.g. `"synckairos_db_write_queue_size": ["max<10000",
//! "slope<100"]`. On a Trend, `avg`, `min` and `max` keep k6's meaning.
//!
//! Like k6, the operator is found by searching the text for `<=`, `<`, `>=`, `>`, `===`, `==`,
//! `!=` in that order and splitting at the first match; both sides are then trimmed, so
//! `"p(95) < 100"` and `"p(95)<100"` are the same threshold. Worked example: `"max <= 1000"`
//! contains `<=`, so it splits into `max` / `1000`. Inside `p(…)` no spaces are allowed
//! (`p( 95 )` is an error in k6 too).
//!
//! A key is a metric name, optionally with a tag filter that selects a sub-metric:
//! `http_req_duration{expected_response:true}`, `http_req_duration{status:200,method:GET}`.
//! Each `key:value` pair is split at its first colon, so `group_duration{group:::login}` filters
//! on `group` = `::login`; keys and values are trimmed of spaces and quotes as k6 does.
//!
//! A value is an array whose items are strings or `#{ threshold, abortOnFail, delayAbortEval }`
//! maps. Where rload differs from k6, on purpose:
//! - a single string is accepted as a one-item array (k6 rejects it);
//! - `p(N)` must have 0 ≤ N ≤ 100 (k6 accepts `p(101)` and misbehaves at run time);
//! - unknown keys in the long form are errors (k6 ignores them, hiding typos such as
//!   `abortOnFailure`);
//! - all errors are reported together, each naming the key and the expression.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::config::values::duration;
use crate::metrics::{MetricId, MetricKind};

/// What a threshold reads from its (sub-)metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Aggregation {
    /// Trend mean.
    Avg,
    /// Trend minimum.
    Min,
    /// Trend maximum.
    Max,
    /// Trend median, `p(50)`.
    Med,
    /// Trend percentile, 0..=100 (`p(99.9)` is `Percentile(99.9)`).
    Percentile(f64),
    /// Counter sum.
    Count,
    /// Counter sum per second of test time, or the fraction of non-zero Rate samples.
    Rate,
    /// Gauge's last value.
    Value,
    /// Gauge's last value (rload's spelling beside k6's `value`).
    Last,
    /// Gauge's least-squares growth per minute after the warmup (rload only).
    Slope,
}

impl Aggregation {
    /// Whether a metric of `kind` supports this aggregation.
    pub fn applies_to(self, kind: MetricKind) -> bool {
        match self {
            Aggregation::Avg | Aggregation::Min | Aggregation::Max => {
                matches!(kind, MetricKind::Trend | MetricKind::Gauge)
            }
            Aggregation::Med | Aggregation::Percentile(_) => kind == MetricKind::Trend,
            Aggregation::Count => kind == MetricKind::Counter,
            Aggregation::Rate => matches!(kind, MetricKind::Counter | MetricKind::Rate),
            Aggregation::Value | Aggregation::Last | Aggregation::Slope => kind == MetricKind::Gauge,
        }
    }

    /// The aggregations a metric of `kind` supports, as k6 lists them.
    pub fn supported_by(kind: MetricKind) -> &'static str {
        match kind {
            MetricKind::Trend => "avg, min, max, med, p(N)",
            MetricKind::Counter => "count, rate",
            MetricKind::Rate => "rate",
            MetricKind::Gauge => "value, last, min, max, avg, slope",
        }
    }
}

impl fmt::Display for Aggregation {
    /// k6's sink key: `p(99.9)`, `p(95)`, `avg`…
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Aggregation::Avg => f.write_str("avg"),
            Aggregation::Min => f.write_str("min"),
            Aggregation::Max => f.write_str("max"),
            Aggregation::Med => f.write_str("med"),
            Aggregation::Percentile(p) => write!(f, "p({p})"),
            Aggregation::Count => f.write_str("count"),
            Aggregation::Rate => f.write_str("rate"),
            Aggregation::Value => f.write_str("value"),
            Aggregation::Last => f.write_str("last"),
            Aggregation::Slope => f.write_str("slope"),
        }
    }
}

/// A comparison operator. `==` and `===` mean the same (values are numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `===`
    StrictEq,
    /// `!=`
    Ne,
}

impl Op {
    /// k6's scan order: longer tokens before their prefixes.
    const SCAN_ORDER: [(&'static str, Op); 7] = [
        ("<=", Op::Le),
        ("<", Op::Lt),
        (">=", Op::Ge),
        (">", Op::Gt),
        ("===", Op::StrictEq),
        ("==", Op::Eq),
        ("!=", Op::Ne),
    ];

    /// `observed <op> threshold`.
    pub fn holds(self, observed: f64, threshold: f64) -> bool {
        match self {
            Op::Gt => observed > threshold,
            Op::Ge => observed >= threshold,
            Op::Lt => observed < threshold,
            Op::Le => observed <= threshold,
            Op::Eq | Op::StrictEq => observed == threshold,
            Op::Ne => observed != threshold,
        }
    }

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "==",
            Op::StrictEq => "===",
            Op::Ne => "!=",
        }
    }
}

/// One threshold expression of one (sub-)metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// The expression exactly as written (`"p(95)<100"`); exports key results by it.
    pub source: String,
    /// Left-hand side.
    pub agg: Aggregation,
    /// Comparison.
    pub op: Op,
    /// Right-hand side.
    pub value: f64,
    /// Stop the test as soon as this threshold fails (long form `abortOnFail: true`).
    pub abort_on_fail: bool,
    /// Test time that must have passed before a failure can abort (`delayAbortEval`).
    pub delay_abort_eval: Duration,
}

/// A sub-metric's tag pairs, in the order written.
pub type TagFilter = Vec<(String, String)>;

/// The thresholds of one key of `options.thresholds`.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricThresholds {
    /// The key as written (`http_req_duration{expected_response:true}`).
    pub key: String,
    /// The metric part of the key.
    pub metric: String,
    /// The declared metric (kind and contents).
    pub id: MetricId,
    /// Tag pairs a series must carry to count (empty: the whole metric).
    pub filter: TagFilter,
    /// The expressions, in the order written.
    pub thresholds: Vec<Threshold>,
}

impl MetricThresholds {
    /// True when `tags` carries every pair of the filter.
    pub fn matches(&self, tags: &crate::metrics::Tags) -> bool {
        self.filter.iter().all(|(k, v)| tags.get(k) == Some(v.as_str()))
    }

    /// True for a sub-metric key (`metric{…}`).
    pub fn is_submetric(&self) -> bool {
        self.key.len() > self.metric.len()
    }
}

/// Parses `options.thresholds` (a map from key to expressions). `lookup(name)` returns the
/// declared metric (`None`: not declared). Returns every error at once, each naming the key and,
/// where there is one, the expression.
pub fn parse(value: &Value, lookup: &dyn Fn(&str) -> Option<MetricId>) -> Result<Vec<MetricThresholds>, Vec<String>> {
    let Some(map) = value.as_object() else {
        return Err(vec![format!("thresholds: must be a map from metric name to expressions, got {}", kind(value))]);
    };
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for (key, exprs) in map {
        let before = errors.len();
        let (metric, filter) = match parse_key(key) {
            Ok(parts) => parts,
            Err(e) => {
                errors.push(format!("invalid thresholds on \"{key}\": {e}"));
                (key.as_str(), Vec::new())
            }
        };
        let id = lookup(metric);
        if id.is_none() && errors.len() == before {
            errors.push(format!(
                "invalid thresholds on \"{key}\": no metric \"{metric}\" is declared (built-in metrics and \
                 those created in init code, e.g. Trend(\"{metric}\", true), can have thresholds)"
            ));
        }
        let mut thresholds = Vec::new();
        for item in items(exprs) {
            match item.and_then(|config| {
                let threshold = parse_config(config)?;
                check_kind(&threshold, id)?;
                Ok(threshold)
            }) {
                Ok(t) => thresholds.push(t),
                Err(e) => errors.push(format!("invalid threshold{} on \"{key}\": {}", e.source_text(), e.message)),
            }
        }
        if let (Some(id), true) = (id, errors.len() == before) {
            parsed.push(MetricThresholds { key: key.clone(), metric: metric.to_owned(), id, filter, thresholds });
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

/// An error about one expression; `source` is the expression when there is one to quote.
struct ExprError {
    source: Option<String>,
    message: String,
}

impl ExprError {
    fn new(source: Option<&str>, message: impl Into<String>) -> Self {
        ExprError { source: source.map(str::to_owned), message: message.into() }
    }

    fn source_text(&self) -> String {
        self.source.as_ref().map(|s| format!(" \"{s}\"")).unwrap_or_default()
    }
}

/// The items of one key's value: an array, or (rload only) a single item.
fn items(value: &Value) -> Vec<Result<&Value, ExprError>> {
    match value {
        Value::Array(items) => items.iter().map(Ok).collect(),
        Value::String(_) | Value::Object(_) => vec![Ok(value)],
        other => vec![Err(ExprError::new(
            None,
            format!("expressions must be an array of strings or #{{ threshold: \"...\" }} maps, got {}", kind(other)),
        ))],
    }
}

/// One array item: `"p(95)<100"` or `#{ threshold, abortOnFail, delayAbortEval }`.
fn parse_config(item: &Value) -> Result<Threshold, ExprError> {
    let (source, abort_on_fail, delay_abort_eval) = match item {
        Value::String(s) => (s.as_str(), false, Duration::ZERO),
        Value::Object(map) => {
            let source = match map.get("threshold") {
                Some(Value::String(s)) => s.as_str(),
                Some(other) => return Err(ExprError::new(None, format!("threshold: must be a string, got {other}"))),
                None => return Err(ExprError::new(None, "a #{ ... } threshold needs a \"threshold\" expression")),
            };
            let fail = |msg: String| ExprError::new(Some(source), msg);
            if let Some(unknown) =
                map.keys().find(|k| !["threshold", "abortOnFail", "delayAbortEval"].contains(&k.as_str()))
            {
                return Err(fail(format!("unknown key \"{unknown}\" (known: threshold, abortOnFail, delayAbortEval)")));
            }
            let abort = match map.get("abortOnFail") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(other) => return Err(fail(format!("abortOnFail: must be true or false, got {other}"))),
            };
            let delay = match map.get("delayAbortEval") {
                None | Some(Value::Null) => Duration::ZERO,
                Some(v) => duration("delayAbortEval", v).map_err(fail)?,
            };
            (source, abort, delay)
        }
        other => {
            return Err(ExprError::new(
                None,
                format!("each threshold must be a string or a #{{ threshold: \"...\" }} map, got {}", kind(other)),
            ))
        }
    };
    let (agg, op, value) = parse_expression(source).map_err(|e| ExprError::new(Some(source), e))?;
    Ok(Threshold { source: source.to_owned(), agg, op, value, abort_on_fail, delay_abort_eval })
}

/// Parses `aggregation operator number` (see the module doc).
pub fn parse_expression(source: &str) -> Result<(Aggregation, Op, f64), String> {
    let Some((lhs, op, rhs)) =
        Op::SCAN_ORDER.iter().find_map(|(token, op)| source.split_once(token).map(|(l, r)| (l.trim(), *op, r.trim())))
    else {
        return Err(
            "expected `aggregation operator number`, e.g. \"p(95)<200\" (operators: > >= < <= == === !=)".to_owned()
        );
    };
    let agg = match lhs {
        "avg" => Aggregation::Avg,
        "min" => Aggregation::Min,
        "max" => Aggregation::Max,
        "med" => Aggregation::Med,
        "count" => Aggregation::Count,
        "rate" => Aggregation::Rate,
        "value" => Aggregation::Value,
        "last" => Aggregation::Last,
        "slope" => Aggregation::Slope,
        _ => match lhs.strip_prefix("p(").and_then(|l| l.strip_suffix(')')) {
            Some(inner) => match parse_number(inner) {
                Some(p) if (0.0..=100.0).contains(&p) => Aggregation::Percentile(p),
                Some(_) => return Err(format!("percentile \"{lhs}\" must be between p(0) and p(100)")),
                None => return Err(format!("\"{inner}\" in \"{lhs}\" is not a number")),
            },
            None => {
                return Err(format!(
                    "unknown aggregation \"{lhs}\" (one of avg, min, max, med, p(N), count, rate, value, last, slope)"
                ))
            }
        },
    };
    let value = parse_number(rhs).ok_or_else(|| format!("\"{rhs}\" after {} is not a number", op.as_str()))?;
    Ok((agg, op, value))
}

/// A number as Go's `strconv.ParseFloat` reads the ones people write: `100`, `0.01`, `1e3`,
/// `Infinity`. No surrounding spaces; NaN is rejected since no comparison with it can pass.
fn parse_number(text: &str) -> Option<f64> {
    if text.is_empty() || text != text.trim() {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| !v.is_nan())
}

fn check_kind(threshold: &Threshold, id: Option<MetricId>) -> Result<(), ExprError> {
    match id {
        Some(id) if !threshold.agg.applies_to(id.kind()) => Err(ExprError::new(
            Some(&threshold.source),
            format!(
                "{} is not supported on a {} (supported: {})",
                threshold.agg,
                id.kind(),
                Aggregation::supported_by(id.kind())
            ),
        )),
        _ => Ok(()),
    }
}

/// Splits `metric{k:v,k2:v2}` into the metric name and its tag filter (k6's
/// `ParseMetricName` rules).
pub fn parse_key(key: &str) -> Result<(&str, TagFilter), String> {
    let (open, close) = (key.find('{'), key.rfind('}'));
    let (open, close) = match (open, close) {
        (None, None) => return Ok((key, Vec::new())),
        (Some(open), Some(close)) if close > open => (open, close),
        (Some(_), Some(_)) => return Err("\"}\" comes before \"{\"".to_owned()),
        _ => return Err("unmatched curly brace; a sub-metric is written metric{tag:value}".to_owned()),
    };
    if close != key.len() - 1 {
        return Err("a sub-metric key must end with \"}\"".to_owned());
    }
    let inner = &key[open + 1..close];
    let mut filter: Vec<(String, String)> = Vec::new();
    for pair in inner.split(',') {
        let unquote = |s: &str| s.trim().trim_matches(|c| c == '"' || c == '\'').to_owned();
        match pair.split_once(':') {
            Some((k, v)) if !unquote(k).is_empty() && !v.is_empty() => {
                let (k, v) = (unquote(k), unquote(v));
                filter.retain(|(existing, _)| *existing != k);
                filter.push((k, v));
            }
            _ => return Err(format!("tag filter \"{pair}\" is not tag:value")),
        }
    }
    Ok((&key[..open], filter))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a map",
    }
}
