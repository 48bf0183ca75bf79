//! jslib's `textSummary(data, options)` (`https://jslib.k6.io/k6-summary/<v>/index.js`), which
//! `rload convert` writes as `jslib_text_summary(data, options)`: the text jslib renders from
//! the `data` a k6 script's `handleSummary` gets, line for line. That is k6's old (pre-v1)
//! layout, not k6 v1.1's own end-of-test summary: the checks of `data.root_group`, group by
//! group (`█ name`, `✓ check`, `✗ check` with `↳  50% — ✓ 1 / ✗ 1`), then every metric of
//! `data.metrics` sorted by name, its threshold mark, dots to one column and its values
//! (`avg=1.2ms min=…` for a trend, `3 1.5/s` for a counter, `50.00% ✓ 1 ✗ 1` for a rate,
//! `5 min=1 max=5` for a gauge), coloured by ANSI codes unless `enableColors` is false.
//!
//! Options as jslib merges them (`Object.assign({}, defaults, data.options, options)`, read as
//! JavaScript values): `indent` (one space), `enableColors` (on), `summaryTimeUnit` (`s`, `ms`
//! or `us`, else a unit per value), `summaryTrendStats`. A trend stat `data` lacks (jslib
//! prints `NaN` for it) and a `data` jslib would throw on are errors.
//!
//! Not rload's `text_summary(data)`, which is the summary rload prints itself (`core.rs`). A
//! width is jslib's count of characters outside ANSI codes; jslib counts them after Unicode's
//! NFKC normalisation, so a metric name with compatibility characters (`ﬁ`) aligns differently.

use rhai::{Dynamic, Engine, EvalAltResult, Map};
use serde_json::Value;

use super::convert::{js_string, js_truthy};
use crate::config::options::TimeUnit;
use crate::metrics::{Contains, MetricKind};
use crate::output::text::humanize::{self, js_number};

const GROUP: &str = "█";
const DETAILS: &str = "↳";
const PASS: &str = "✓";
const FAIL: &str = "✗";
const GREEN: u8 = 32;
const RED: u8 = 31;
const CYAN: u8 = 36;
const FAINT: u8 = 2;

type Res<T> = Result<T, Box<EvalAltResult>>;

pub fn register(engine: &mut Engine) {
    engine.register_fn("jslib_text_summary", |data: Dynamic| text_summary(&data, Map::default()));
    engine.register_fn("jslib_text_summary", |data: Dynamic, opts: Map| text_summary(&data, opts));
    engine.register_fn("jslib_text_summary", |data: Dynamic, _: ()| text_summary(&data, Map::default()));
}

/// The merged options jslib renders with.
struct Options {
    indent: String,
    colors: bool,
    time_unit: Option<TimeUnit>,
    trend_stats: Vec<String>,
}

fn options(data: &Map, given: Map) -> Res<Options> {
    let mut merged = Map::default();
    merged.insert("indent".into(), " ".into());
    merged.insert("enableColors".into(), true.into());
    if let Some(from_data) = data.get("options").and_then(|o| o.read_lock::<Map>().map(|m| m.clone())) {
        merged.extend(from_data);
    }
    merged.extend(given);
    // jslib: `timeUnit !== '' && unitMap.hasOwnProperty(timeUnit)`.
    let time_unit = merged
        .get("summaryTimeUnit")
        .and_then(|u| u.read_lock::<rhai::ImmutableString>().and_then(|s| TimeUnit::parse(&s).ok()));
    let stats = merged.get("summaryTrendStats").cloned().unwrap_or(Dynamic::UNIT);
    let Some(stats) = stats.read_lock::<rhai::Array>().map(|a| a.iter().map(js_string).collect()) else {
        return Err("jslib_text_summary(): summaryTrendStats is not an array (jslib reads its length); data.options \
                    has the run's"
            .into());
    };
    Ok(Options {
        indent: merged.get("indent").map(js_string).unwrap_or_default(),
        colors: merged.get("enableColors").is_some_and(js_truthy),
        time_unit,
        trend_stats: stats,
    })
}

/// jslib's `generateTextSummary`.
fn text_summary(data: &Dynamic, given: Map) -> Res<String> {
    let Some(map) = data.read_lock::<Map>().map(|m| m.clone()) else {
        return Err("jslib_text_summary(): data is not handleSummary's data map".into());
    };
    let opts = options(&map, given)?;
    let json = serde_json::to_value(data).map_err(|e| format!("jslib_text_summary(): data: {e}"))?;
    let paint = Paint(opts.colors);
    let mut lines = Vec::new();
    group(&format!("{}    ", opts.indent), &json["root_group"], &paint, &mut lines)?;
    metrics(&opts, &json["metrics"], &paint, &mut lines)?;
    Ok(lines.join("\n"))
}

/// jslib's `decorate`: ANSI colours when `enableColors`.
struct Paint(bool);

impl Paint {
    fn on(&self, text: &str, codes: &[u8]) -> String {
        if !self.0 {
            return text.to_owned();
        }
        let codes: Vec<String> = codes.iter().map(u8::to_string).collect();
        format!("\x1b[{}m{text}\x1b[0m", codes.join(";"))
    }
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// jslib's `summarizeGroup`.
fn group(indent: &str, g: &Value, paint: &Paint, out: &mut Vec<String>) -> Res<()> {
    let mut indent = indent.to_owned();
    let name = g["name"].as_str().unwrap_or_default();
    if !name.is_empty() {
        out.push(format!("{indent}{GROUP} {name}\n"));
        indent.push_str("  ");
    }
    let (Some(checks), Some(groups)) = (g["checks"].as_array(), g["groups"].as_array()) else {
        return Err("jslib_text_summary(): a group of data.root_group has no checks or groups array".into());
    };
    for c in checks {
        let (passes, fails) = (number(&c["passes"]), number(&c["fails"]));
        let name = c["name"].as_str().unwrap_or_default();
        out.push(if fails == 0.0 {
            paint.on(&format!("{indent}{PASS} {name}"), &[GREEN])
        } else {
            let percent = (100.0 * passes / (passes + fails)).floor();
            let text = format!(
                "{indent}{FAIL} {name}\n{indent} {DETAILS}  {}% — {PASS} {} / {FAIL} {}",
                js_number(percent),
                js_number(passes),
                js_number(fails)
            );
            paint.on(&text, &[RED])
        });
    }
    if !checks.is_empty() {
        out.push(String::new());
    }
    for sub in groups {
        group(&indent, sub, paint, out)?;
    }
    Ok(())
}

/// What jslib's `strWidth` counts: characters outside ANSI escape sequences.
fn width(s: &str) -> usize {
    let (mut esc, mut long, mut n) = (false, false, 0);
    for c in s.chars() {
        let code = c as u32;
        if c == '\x1b' {
            esc = true;
        } else if esc && c == '[' {
            long = true;
        } else if esc && long && (0x40..=0x7e).contains(&code) {
            (esc, long) = (false, false);
        } else if esc && !long && (0x40..=0x5f).contains(&code) {
            esc = false;
        } else if !esc && !long {
            n += 1;
        }
    }
    n
}

fn display_name(name: &str) -> String {
    match name.find('{') {
        Some(at) => format!("{{ {} }}", &name[at + 1..name.len() - 1]),
        None => name.to_owned(),
    }
}

fn name_indent(name: &str) -> &'static str {
    if name.contains('{') {
        "  "
    } else {
        ""
    }
}

/// jslib's `humanizeValue`, the one k6's own summary has (`output/text/humanize.rs`).
fn humanize(val: f64, metric: &Value, time_unit: Option<TimeUnit>) -> String {
    let kind = if metric["type"] == "rate" { MetricKind::Rate } else { MetricKind::Counter };
    let contains = match metric["contains"].as_str() {
        Some("data") => Contains::Data,
        Some("time") => Contains::Time,
        _ => Contains::Default,
    };
    humanize::metric_value(val, kind, contains, time_unit)
}

/// jslib's `nonTrendMetricValueForSum`.
fn non_trend_values(metric: &Value, unit: Option<TimeUnit>) -> Vec<String> {
    let v = &metric["values"];
    let h = |key: &str| humanize(number(&v[key]), metric, unit);
    match metric["type"].as_str() {
        Some("counter") => vec![h("count"), format!("{}/s", h("rate"))],
        Some("gauge") => vec![h("value"), format!("min={}", h("min")), format!("max={}", h("max"))],
        Some("rate") => vec![
            h("rate"),
            format!("{PASS} {}", js_number(number(&v["passes"]))),
            format!("{FAIL} {}", js_number(number(&v["fails"]))),
        ],
        _ => vec!["[no data]".into()],
    }
}

/// jslib's `summarizeMetrics`.
fn metrics(opts: &Options, all: &Value, paint: &Paint, out: &mut Vec<String>) -> Res<()> {
    let Some(all) = all.as_object() else {
        return Err("jslib_text_summary(): data.metrics is not a map".into());
    };
    let indent = format!("{}  ", opts.indent);
    let mut names: Vec<&String> = all.keys().collect();
    let name_max = names.iter().map(|n| width(&format!("{}{}", name_indent(n), display_name(n)))).max().unwrap_or(0);
    let mut trend_max = vec![0; opts.trend_stats.len()];
    let (mut value_max, mut extra_max) = (0, vec![0; 2]);
    let mut cells: std::collections::HashMap<&str, Vec<String>> = Default::default();
    for (name, metric) in all {
        let row = if metric["type"] == "trend" {
            let mut row = Vec::new();
            for (i, stat) in opts.trend_stats.iter().enumerate() {
                let Some(value) = metric["values"].get(stat) else {
                    return Err(format!(
                        "jslib_text_summary(): summaryTrendStats has {stat:?}, which data.metrics[{name:?}] does not \
                         have (jslib prints NaN): set summaryTrendStats in the test's options"
                    )
                    .into());
                };
                let text = if stat == "count" {
                    js_number(number(value))
                } else {
                    humanize(number(value), metric, opts.time_unit)
                };
                trend_max[i] = trend_max[i].max(width(&text));
                row.push(text);
            }
            row
        } else {
            let row = non_trend_values(metric, opts.time_unit);
            value_max = value_max.max(width(&row[0]));
            for (i, extra) in row.iter().enumerate().skip(1) {
                extra_max[i - 1] = extra_max[i - 1].max(width(extra));
            }
            row
        };
        cells.insert(name, row);
    }
    // JavaScript's default sort: by UTF-16 code units.
    names.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    let pad = |n: usize| " ".repeat(n);
    for name in names {
        let metric = &all[name.as_str()];
        let row = &cells[name.as_str()];
        let data = if metric["type"] == "trend" {
            let cols: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    format!("{}={}{}", opts.trend_stats[i], paint.on(c, &[CYAN]), pad(trend_max[i] - width(c)))
                })
                .collect();
            cols.join(" ")
        } else {
            let mut text = format!("{}{}", paint.on(&row[0], &[CYAN]), pad(value_max - width(&row[0])));
            let extras = &row[1..];
            if extras.len() == 1 {
                text = format!("{text} {}", paint.on(&extras[0], &[CYAN, FAINT]));
            } else if extras.len() > 1 {
                let parts: Vec<String> = extras
                    .iter()
                    .enumerate()
                    .map(|(i, e)| format!("{}{}", paint.on(e, &[CYAN, FAINT]), pad(extra_max[i] - width(e))))
                    .collect();
                text = format!("{text} {}", parts.join(" "));
            }
            text
        };
        let mark = match metric["thresholds"].as_object() {
            None => " ".to_owned(),
            Some(t) if t.values().all(|th| th["ok"].as_bool().unwrap_or(false)) => paint.on(PASS, &[GREEN]),
            Some(_) => paint.on(FAIL, &[RED]),
        };
        let (fmt_indent, shown) = (name_indent(name), display_name(name));
        let dots = ".".repeat((name_max + 3).saturating_sub(width(&shown) + width(fmt_indent)));
        let fmt_name = format!("{shown}{}", paint.on(&format!("{dots}:"), &[FAINT]));
        out.push(format!("{indent}{fmt_indent}{mark} {fmt_name} {data}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_skip_ansi_codes_as_jslib_does() {
        assert_eq!(width("\x1b[32m✓ ok\x1b[0m"), 4);
        assert_eq!(width("\x1b[36;2m1.5/s\x1b[0m"), 5);
        assert_eq!(display_name("http_req_duration{expected_response:true}"), "{ expected_response:true }");
    }
}
