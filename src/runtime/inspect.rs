//! `rload inspect [--execution-requirements]`: k6's JSON about a test without running it. Plain,
//! the script's own options (k6's `initRunner.GetOptions()`); with `--execution-requirements`,
//! the options resolved with the flags plus `totalDuration` and `maxVUs` as k6 computes them
//! from the execution plan, which k6-operator's initializer reads to size its runners, and
//! `summaryTrendStats` and `systemTags` with k6's defaults where no layer set them.
//!
//! Both are printed as k6 prints its `lib.Options`: every field in the struct's order, `null`
//! when unset; durations in Go's form (`"90s"` is `"1m30s"`); each scenario with its executor
//! config's fields in their order; a threshold without `abortOnFail` as its text; `<`, `>` and
//! `&` escaped as Go's encoder escapes them. Options only rload has follow k6's, in key order.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::config::json::to_k6_json;
use crate::config::values;
use crate::config::Options;
use crate::executor::format::go_duration;
use crate::executor::ScenarioConfig;
use crate::results::DEFAULT_TREND_STATS;

/// `lib.Options`' JSON fields in the order k6 v1.1 prints them.
const K6_FIELDS: &[&str] = &[
    "paused",
    "vus",
    "duration",
    "iterations",
    "stages",
    "scenarios",
    "executionSegment",
    "executionSegmentSequence",
    "noSetup",
    "setupTimeout",
    "noTeardown",
    "teardownTimeout",
    "rps",
    "dns",
    "maxRedirects",
    "userAgent",
    "batch",
    "batchPerHost",
    "httpDebug",
    "insecureSkipTLSVerify",
    "tlsCipherSuites",
    "tlsVersion",
    "tlsAuth",
    "throw",
    "thresholds",
    "blacklistIPs",
    "blockHostnames",
    "hosts",
    "noConnectionReuse",
    "noVUConnectionReuse",
    "minIterationDuration",
    "ext",
    "summaryTrendStats",
    "summaryTimeUnit",
    "systemTags",
    "tags",
    "metricSamplesBufferSize",
    "noCookiesReset",
    "discardResponseBodies",
];

/// Every executor config's own fields after the common ones, in the order k6 v1.1 prints them.
fn executor_fields(executor: &str) -> &'static [&'static str] {
    match executor {
        "shared-iterations" | "per-vu-iterations" => &["vus", "iterations", "maxDuration"],
        "constant-vus" => &["vus", "duration"],
        "ramping-vus" => &["startVUs", "stages", "gracefulRampDown"],
        "constant-arrival-rate" => &["rate", "timeUnit", "duration", "preAllocatedVUs", "maxVUs"],
        "ramping-arrival-rate" => &["startRate", "timeUnit", "stages", "preAllocatedVUs", "maxVUs"],
        "externally-controlled" => &["vus", "duration", "maxVUs"],
        _ => &[],
    }
}

/// k6's `BaseConfig` fields, first in every scenario.
const SCENARIO_BASE: &[&str] = &["executor", "startTime", "gracefulStop", "env", "exec", "tags"];
/// Scenario fields that are durations.
const SCENARIO_DURATIONS: &[&str] =
    &["startTime", "gracefulStop", "maxDuration", "duration", "gracefulRampDown", "timeUnit"];

/// A JSON object whose keys keep the order they were put in (serde_json's maps sort theirs).
enum Ordered {
    Object(Vec<(String, Ordered)>),
    Array(Vec<Ordered>),
    Plain(Value),
}

impl Ordered {
    /// As Go's `json.MarshalIndent(v, "", "  ")`.
    fn render(&self, indent: usize, out: &mut String) {
        match self {
            Ordered::Object(fields) if fields.is_empty() => out.push_str("{}"),
            Ordered::Object(fields) => {
                out.push_str("{\n");
                for (i, (key, value)) in fields.iter().enumerate() {
                    out.push_str(&" ".repeat(indent + 2));
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push_str(": ");
                    value.render(indent + 2, out);
                    out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
                }
                out.push_str(&" ".repeat(indent));
                out.push('}');
            }
            Ordered::Array(items) if items.is_empty() => out.push_str("[]"),
            Ordered::Array(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&" ".repeat(indent + 2));
                    item.render(indent + 2, out);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&" ".repeat(indent));
                out.push(']');
            }
            Ordered::Plain(value) => {
                let text = serde_json::to_string_pretty(value).expect("JSON serialises");
                out.push_str(&text.replace('\n', &format!("\n{}", " ".repeat(indent))));
            }
        }
    }
}

/// `options` (set ones from [`to_k6_json`], the rest as written in `written`, else `null`) as
/// k6 prints its `lib.Options`, with `extra` fields after them.
fn k6_options(options: &Options, written: &Value, extra: Vec<(String, Ordered)>) -> Ordered {
    let mut set = match to_k6_json(options) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let mut fields: Vec<(String, Ordered)> = K6_FIELDS
        .iter()
        .map(|&key| {
            let value = set.remove(key).or_else(|| written.get(key).cloned()).unwrap_or(Value::Null);
            let value = match (key, value) {
                ("scenarios", Value::Object(all)) => {
                    Ordered::Object(all.into_iter().map(|(name, s)| (name, scenario(s))).collect())
                }
                ("thresholds", Value::Object(all)) => {
                    Ordered::Object(all.into_iter().map(|(metric, list)| (metric, thresholds(list))).collect())
                }
                ("systemTags", Value::Array(mut names)) => {
                    names.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                    Ordered::Plain(Value::Array(names))
                }
                ("tlsVersion", Value::Object(mut range)) => Ordered::Object(
                    ["min", "max"]
                        .iter()
                        .map(|k| (k.to_string(), Ordered::Plain(range.remove(*k).unwrap_or(Value::Null))))
                        .collect(),
                ),
                ("dns", Value::Null) => Ordered::Object(
                    ["ttl", "select", "policy"].iter().map(|k| (k.to_string(), Ordered::Plain(Value::Null))).collect(),
                ),
                (_, value) => Ordered::Plain(value),
            };
            (key.to_owned(), value)
        })
        .collect();
    fields.extend(set.into_iter().map(|(k, v)| (k, Ordered::Plain(v))));
    fields.extend(extra);
    Ordered::Object(fields)
}

/// One scenario as k6 prints its executor's config: the common fields, then the executor's,
/// `null` when not given, durations in Go's form; any other field after them.
fn scenario(written: Value) -> Ordered {
    let Value::Object(mut given) = written else { return Ordered::Plain(written) };
    let executor = given.get("executor").and_then(Value::as_str).unwrap_or_default().to_owned();
    let mut fields: Vec<(String, Ordered)> = SCENARIO_BASE
        .iter()
        .chain(executor_fields(&executor))
        .map(|&key| {
            let value = given.remove(key).unwrap_or(Value::Null);
            let value = match (key, value) {
                (_, Value::Null) => Value::Null,
                ("stages", Value::Array(stages)) => Value::Array(stages.into_iter().map(stage).collect()),
                (key, value) if SCENARIO_DURATIONS.contains(&key) => go_form(value),
                (_, value) => value,
            };
            (key.to_owned(), Ordered::Plain(value))
        })
        .collect();
    fields.extend(given.into_iter().map(|(k, v)| (k, Ordered::Plain(v))));
    Ordered::Object(fields)
}

/// A stage as k6 prints it: `{"duration": "1m30s", "target": 5}`.
fn stage(written: Value) -> Value {
    let Value::Object(mut given) = written else { return written };
    let duration = given.remove("duration").map_or(Value::Null, go_form);
    let target = given.remove("target").unwrap_or(Value::Null);
    // serde_json sorts keys, and "duration" sorts before "target" as k6 prints them.
    let mut m = Map::new();
    m.insert("duration".into(), duration);
    m.insert("target".into(), target);
    m.extend(given);
    Value::Object(m)
}

/// A duration as written (`"90s"`, `90000`) in Go's form; anything else as it is.
fn go_form(written: Value) -> Value {
    match values::duration("", &written) {
        Ok(d) => Value::String(go_duration(d)),
        Err(_) => written,
    }
}

/// A metric's thresholds as k6 prints them: a threshold without `abortOnFail` as its text, one
/// with it as `{threshold, abortOnFail, delayAbortEval}` (the delay in Go's form, or `null`).
fn thresholds(list: Value) -> Ordered {
    let Value::Array(list) = list else { return Ordered::Plain(list) };
    Ordered::Array(
        list.into_iter()
            .map(|t| match t {
                Value::Object(o) if o.get("abortOnFail") == Some(&Value::Bool(true)) => {
                    let delay = o.get("delayAbortEval").cloned().map_or(Value::Null, go_form);
                    Ordered::Object(vec![
                        ("threshold".into(), Ordered::Plain(o.get("threshold").cloned().unwrap_or(Value::Null))),
                        ("abortOnFail".into(), Ordered::Plain(Value::Bool(true))),
                        ("delayAbortEval".into(), Ordered::Plain(delay)),
                    ])
                }
                Value::Object(o) => Ordered::Plain(o.get("threshold").cloned().unwrap_or(Value::Null)),
                other => Ordered::Plain(other),
            })
            .collect(),
    )
}

/// The JSON `rload inspect` prints (indented as k6's `json.MarshalIndent(…, "", "  ")`).
pub fn inspect_json(
    script_options: &Value,
    options: &Options,
    scenarios: &[ScenarioConfig],
    requirements: bool,
) -> String {
    let value = if requirements {
        let plan = vec![
            ("totalDuration".to_owned(), Ordered::Plain(Value::String(go_duration(total_duration(scenarios))))),
            ("maxVUs".to_owned(), Ordered::Plain(Value::from(max_vus(scenarios)))),
        ];
        // The defaults k6 fills in once the options are consolidated, as `exec.test.options`
        // shows them (`test_options.rs`).
        let defaults = serde_json::json!({
            "summaryTrendStats": DEFAULT_TREND_STATS,
            "systemTags": options.system_tags.unwrap_or_default().names(),
        });
        k6_options(options, &defaults, plan)
    } else {
        // The script's own options, read alone (they were read with the other layers already).
        let own = Options::from_script(script_options).unwrap_or_default();
        k6_options(&own, script_options, Vec::new())
    };
    let mut text = String::new();
    value.render(0, &mut text);
    // Go's encoder escapes these three in every string (`"p(95)\u003c500"`); JSON has them
    // only inside strings.
    text.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// k6's `GetEndOffset` of the plan: when the last scenario ends, graceful stop included.
fn total_duration(scenarios: &[ScenarioConfig]) -> Duration {
    scenarios.iter().map(|s| s.start_time + s.end_offset()).max().unwrap_or_default()
}

/// k6's `GetMaxPossibleVUs`: the most VUs the scenarios hold at one time. Each scenario holds
/// its `maxVUs` from its `startTime` to its end; scenarios one after another share VUs.
fn max_vus(scenarios: &[ScenarioConfig]) -> u64 {
    spans_max(&scenarios.iter().map(|s| (s.start_time, s.start_time + s.end_offset(), s.max_vus())).collect::<Vec<_>>())
}

/// The largest sum of `vus` over spans `[start, end)` that overlap.
fn spans_max(spans: &[(Duration, Duration, u64)]) -> u64 {
    let mut events: Vec<(Duration, i128)> = Vec::new();
    for &(start, end, vus) in spans {
        events.push((start, vus as i128));
        events.push((end.max(start), -(vus as i128)));
    }
    // At the same instant an ending scenario gives its VUs back before the next one takes them.
    events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut most) = (0i128, 0i128);
    for (_, delta) in events {
        now += delta;
        most = most.max(now);
    }
    most as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_one_after_another_share_their_vus_and_overlapping_ones_add_up() {
        let s = Duration::from_secs;
        assert_eq!(spans_max(&[(s(0), s(40), 10), (s(40), s(80), 5)]), 10);
        assert_eq!(spans_max(&[(s(0), s(40), 10), (s(30), s(80), 5)]), 15);
        assert_eq!(spans_max(&[]), 0);
    }
}
