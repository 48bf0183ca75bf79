//! The report page: one HTML file with its style inline, every chart an inline `<svg>`, then the
//! thresholds with their verdicts, the checks and the groups, read from the one results model.
//!
//! The page fetches nothing: no script, no font, no stylesheet or image from anywhere, and a
//! Content-Security-Policy of `default-src 'none'` (inline style only) makes a browser refuse
//! any fetch a later change might add. It reads the same offline, from a mail attachment or a
//! CI artifact.

use std::fmt::Write;

use super::svg::{self, escape, format_value};
use super::timeline::{Timeline, Unit};
use crate::health::Saturation;
use crate::metrics::{Contains, MetricKind};
use crate::results::{CheckCount, Group, RunResults, ThresholdKey};
use crate::thresholds::Aggregation;

/// The page's policy: inline style, nothing fetched.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

const STYLE: &str =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px auto;max-width:1200px;padding:0 12px;color:#222}\
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:8px 24px}\
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ccc}\
h3{font-size:14px;margin:16px 0 2px;font-family:monospace}.meta{color:#555}\
svg.chart{width:100%;height:auto;display:block}.tick{font:10px sans-serif;fill:#555}\
.legend{font-size:12px;color:#333}.key{margin-right:14px;white-space:nowrap}\
.key i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}\
table{border-collapse:collapse;margin:4px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}\
td.n{text-align:right;font-variant-numeric:tabular-nums}code{font-size:13px}\
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}\
.warn{background:#fff4e5;border-left:4px solid #f0883e;padding:8px 12px;margin:12px 0}ul{margin:2px 0}";

/// What the page shows beside the results model.
pub struct Page<'a> {
    pub script: &'a str,
    pub timeline: Option<&'a Timeline>,
    pub saturation: Option<&'a Saturation>,
    /// Why the run ended before its test (a failed `setup()`), shown at the top.
    pub ended_early: Option<&'a str>,
}

impl Page<'_> {
    /// The whole HTML document.
    pub fn render(&self, results: &RunResults<'_>) -> String {
        let passed = results.thresholds.iter().all(|t| t.verdicts.iter().all(|v| v.ok));
        let mut out = String::with_capacity(64 * 1024);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\
             <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
             <title>rload report: {}</title><style>{STYLE}</style></head><body>\n",
            escape(self.script)
        );
        let _ = writeln!(
            out,
            "<h1>rload report: <code>{}</code></h1><p class=\"meta\">test duration {:.1}s · thresholds {}</p>",
            escape(self.script),
            results.test_duration.as_secs_f64(),
            match (results.thresholds.is_empty(), passed) {
                (true, _) => "none".to_owned(),
                (false, true) => "<span class=\"pass\">passed</span>".to_owned(),
                (false, false) => "<span class=\"fail\">failed</span>".to_owned(),
            }
        );
        if let Some(why) = self.ended_early {
            let _ = writeln!(out, "<p class=\"warn\">The run ended before its test: {}</p>", escape(why));
        }
        if let Some(s) = self.saturation {
            let _ = writeln!(out, "<p class=\"warn\">{}</p>", escape(&s.message()));
        }
        self.charts(&mut out);
        thresholds(&mut out, &results.thresholds);
        checks(&mut out, &results.total.checks);
        groups(&mut out, &results.root_group.groups);
        out.push_str("</body></html>\n");
        out
    }

    fn charts(&self, out: &mut String) {
        out.push_str("<h2>Over time</h2>\n");
        let drawn: Vec<(String, String)> = self
            .timeline
            .map(|t| {
                let resolution = if t.step() > 1 { format!(" (a point per {} s)", t.step()) } else { String::new() };
                // The run's own figures first, the load generator's own last.
                let mut charts: Vec<_> = t.charts.iter().collect();
                charts.sort_by_key(|c| c.title.starts_with("rload "));
                charts
                    .into_iter()
                    .filter_map(|c| svg::chart(c, &t.times).map(|svg| (format!("{}{resolution}", c.title), svg)))
                    .collect()
            })
            .unwrap_or_default();
        if drawn.is_empty() {
            out.push_str("<p>No time series: the test did not start, or ended within a fifth of a second.</p>\n");
            return;
        }
        out.push_str("<div class=\"charts\">\n");
        for (title, svg) in drawn {
            let _ = writeln!(out, "<section class=\"panel\"><h3>{}</h3>{svg}</section>", escape(&title));
        }
        out.push_str("</div>\n");
    }
}

fn thresholds(out: &mut String, keys: &[ThresholdKey]) {
    if keys.is_empty() {
        return;
    }
    out.push_str("<h2>Thresholds</h2>\n<table><tr><th>metric</th><th>threshold</th><th>observed</th><th></th></tr>\n");
    for key in keys {
        for v in &key.verdicts {
            let observed = v.observed.map_or("no samples".to_owned(), |o| observed_text(key, v.agg, o));
            // As the summary's `?`: a key without samples passes unless --strict-thresholds.
            let verdict = match (v.ok, v.observed) {
                (true, None) => "<td class=\"meta\">not judged</td>",
                (true, Some(_)) => "<td class=\"pass\">pass</td>",
                (false, _) => "<td class=\"fail\">fail</td>",
            };
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td class=\"n\">{}</td>{verdict}</tr>",
                escape(&key.key),
                escape(&v.source),
                escape(&observed)
            );
        }
    }
    out.push_str("</table>\n");
}

/// An observed value in the unit the threshold reads it in.
fn observed_text(key: &ThresholdKey, agg: Aggregation, value: f64) -> String {
    match (key.id.kind(), agg) {
        (MetricKind::Rate, _) => format_value(value * 100.0, Unit::Percent),
        (MetricKind::Counter, Aggregation::Rate) => format_value(value, Unit::PerSecond),
        (_, Aggregation::Slope) => format!("{}/min", format_value(value, unit_of(key))),
        _ => format_value(value, unit_of(key)),
    }
}

fn unit_of(key: &ThresholdKey) -> Unit {
    match key.id.contains() {
        Contains::Time => Unit::Millis,
        Contains::Data => Unit::Bytes,
        Contains::Default => Unit::Count,
    }
}

fn checks(out: &mut String, checks: &[CheckCount]) {
    if checks.is_empty() {
        return;
    }
    out.push_str("<h2>Checks</h2>\n");
    check_table(out, checks);
}

fn check_table(out: &mut String, checks: &[CheckCount]) {
    out.push_str("<table><tr><th>check</th><th>passed</th><th>failed</th><th></th></tr>\n");
    for c in checks {
        let total = c.passes + c.fails;
        let share = if total == 0 { 0.0 } else { c.passes as f64 / total as f64 * 100.0 };
        let class = if c.fails == 0 { "pass" } else { "fail" };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"{class}\">{share:.2}%</td></tr>",
            escape(&c.name),
            c.passes,
            c.fails
        );
    }
    out.push_str("</table>\n");
}

fn groups(out: &mut String, groups: &[Group]) {
    if groups.is_empty() {
        return;
    }
    out.push_str("<h2>Groups</h2>\n");
    group_list(out, groups);
}

fn group_list(out: &mut String, groups: &[Group]) {
    out.push_str("<ul>\n");
    for g in groups {
        let _ = write!(out, "<li><b>{}</b>", escape(&g.name));
        if let Some(d) = g.results.metric("group_duration").and_then(|m| m.value("avg")) {
            let _ = write!(out, " <span class=\"meta\">avg duration {}</span>", format_value(d, Unit::Millis));
        }
        if !g.results.checks.is_empty() {
            check_table(out, &g.results.checks);
        }
        if !g.groups.is_empty() {
            group_list(out, &g.groups);
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n");
}

#[cfg(test)]
mod tests {
    use super::super::timeline::Frame;
    use super::*;

    /// The bound the issue sets: a 35-minute run's report stays under 5 MB, however many lines
    /// its charts have (here 60 lines on 20 charts, every second a new value).
    #[test]
    fn a_35_minute_runs_charts_stay_under_5_mb() {
        let mut timeline = Timeline::new();
        for s in 0..35 * 60 {
            let mut frame = Frame::new();
            for line in 0..60 {
                let value = 1000.0 + (s as f64 * 0.37 + line as f64).sin() * 999.123_456;
                frame.set(&format!("chart {}", line / 3), Unit::Millis, &format!("p({line})"), value);
            }
            timeline.push(s as f64, frame);
        }
        timeline.finish();
        let page = Page { script: "long.rhai", timeline: Some(&timeline), saturation: None, ended_early: None };
        let mut out = String::new();
        page.charts(&mut out);
        assert_eq!(out.matches("<svg class=\"chart\"").count(), 20);
        assert!(out.contains("(a point per 2 s)"), "the charts say their resolution");
        assert!(out.len() < 5 * 1024 * 1024, "{} bytes", out.len());
    }
}
