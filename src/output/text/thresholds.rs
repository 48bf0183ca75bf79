//! The `█ THRESHOLDS` section of the end-of-test summary, as k6 v1.1 prints it before
//! `█ TOTAL RESULTS`, in the same framing as [`super::render_summary`] (it starts with a newline
//! and ends with a blank line).
//!
//! k6's layout (`summary.js`: `renderThresholds`), reproduced with its quirks:
//! - keys sorted like metric names; a sub-metric whose parent metric also has thresholds is shown
//!   under it, indented, as `{tag:value}`; otherwise with its full key;
//! - one line per expression: `✓ 'p(95)<100' p(95)=2.94ms` (`✗` when it failed), the expression
//!   trimmed, then `agg=value` where `agg` is the text before the first `=`, `>` or `<`;
//! - the value is formatted like the summary's columns: a Trend's statistic only if it is one of
//!   the summary trend stats or a percentile, so `'avg<200'` with `summaryTrendStats: ["p(95)"]`
//!   prints `avg=` with nothing after it (and `'min!=0'` prints `min!=`); a Counter shows its
//!   count for `count` and `N/s` otherwise; a Rate its percentage; a Gauge its value.
//!
//! rload adds one thing: a key that matched no sample (see [`crate::thresholds::evaluate`]) shows
//! `? 'p(95)<100' no samples` (or `✗ …` under `--strict-thresholds`), and the section ends with
//! a warning line counting them.

use super::humanize::metric_value;
use super::sections::compare_metric_names;
use super::{Painter, SummaryOptions, FAIL_MARK, SUCCESS_MARK, TITLE_PREFIX};
use crate::config::options::TimeUnit;
use crate::metrics::{MetricKind, SeriesSink, TrendStat};
use crate::results::{RunResults, ThresholdKey};
use crate::thresholds::{gauge_value, Aggregation};

const NO_SAMPLES_MARK: &str = "?";

/// Renders the THRESHOLDS section; empty when the run has no thresholds (k6 then prints no
/// section).
pub fn render_thresholds(results: &RunResults<'_>, opts: &SummaryOptions) -> String {
    let set = &results.thresholds;
    if set.is_empty() {
        return String::new();
    }
    let paint = Painter { color: opts.color };
    let mut keys: Vec<&ThresholdKey> = set.iter().collect();
    keys.sort_by(|a, b| compare_metric_names(&a.key, &b.key));

    let mut lines: Vec<Option<String>> = Vec::new(); // None = blank line
    let mut no_samples = (0usize, 0usize); // (passed, failed)
    for metric in keys {
        let parent_has_thresholds = metric.is_submetric() && set.iter().any(|m| m.key == metric.metric);
        let indent = if parent_has_thresholds { "      " } else { "    " };
        let name = if parent_has_thresholds { &metric.key[metric.metric.len()..] } else { &metric.key };
        lines.push(Some(format!("{indent}{name}")));

        for verdict in &metric.verdicts {
            let source = paint.apply(&format!("'{}'", verdict.source.trim()), "37");
            // A key no sample matched reads k6's zero statistics from an empty sink.
            let empty;
            let sink = match &metric.samples {
                Some(sink) => sink,
                None => {
                    empty = SeriesSink::for_metric(metric.id);
                    &empty
                }
            };
            if metric.samples.is_none() {
                if verdict.ok {
                    no_samples.0 += 1;
                } else {
                    no_samples.1 += 1;
                }
            }
            let line = match verdict.observed {
                Some(_) => {
                    let mark = if verdict.ok { paint.apply(SUCCESS_MARK, "32") } else { paint.apply(FAIL_MARK, "31") };
                    let agg_text = verdict.source.split(['=', '>', '<']).next().unwrap_or("").trim();
                    let value = match display_value(metric, verdict.agg, agg_text, sink, results, opts.time_unit) {
                        Some(v) => paint.apply(&v, "36"),
                        // JavaScript's `undefined`: coloured it prints, uncoloured it vanishes.
                        None if opts.color => paint.apply("undefined", "36"),
                        None => String::new(),
                    };
                    let unsampled =
                        if metric.samples.is_none() { paint.apply(" (no samples)", "33") } else { String::new() };
                    format!("{mark} {source} {}={value}{unsampled}", paint.apply(agg_text, "37"))
                }
                None => {
                    let mark =
                        if verdict.ok { paint.apply(NO_SAMPLES_MARK, "33") } else { paint.apply(FAIL_MARK, "31") };
                    format!("{mark} {source} {}", paint.apply("no samples", "33"))
                }
            };
            lines.push(Some(format!("{indent}{line}")));
        }
        lines.push(None);
    }
    if let Some(warning) = no_samples_warning(no_samples) {
        lines.push(Some(format!("    {}", paint.apply(&warning, "33"))));
        lines.push(None);
    }

    let mut out = format!("\n  {TITLE_PREFIX} {} \n", paint.bold("THRESHOLDS"));
    for line in lines.iter().chain([&None]) {
        out.push('\n');
        if let Some(line) = line {
            out.push_str(line);
        }
    }
    out
}

/// The warning closing the section when some keys matched no sample.
fn no_samples_warning((passed, failed): (usize, usize)) -> Option<String> {
    let plural = |n: usize| if n == 1 { "threshold" } else { "thresholds" };
    let passed = (passed > 0).then(|| {
        format!(
            "⚠ {passed} {} matched no samples and passed: as in k6, each was evaluated against zero values \
             (an empty rate passes); --strict-thresholds fails them",
            plural(passed)
        )
    });
    let failed = (failed > 0).then(|| format!("⚠ {failed} {} matched no samples and failed", plural(failed)));
    match (passed, failed) {
        (Some(p), Some(f)) => Some(format!("{p}\n    {f}")),
        (p, f) => p.or(f),
    }
}

/// What k6 prints after `agg=`; `None` where k6 finds no value (JavaScript `undefined`).
fn display_value(
    metric: &ThresholdKey,
    agg: Aggregation,
    agg_text: &str,
    sink: &SeriesSink,
    results: &RunResults<'_>,
    time_unit: Option<TimeUnit>,
) -> Option<String> {
    let (kind, contains) = (metric.id.kind(), metric.id.contains());
    Some(match sink {
        SeriesSink::Trend(trend) => {
            let stat = if results.trend_stats.iter().any(|s| s == agg_text) {
                TrendStat::parse(agg_text)?
            } else if let Aggregation::Percentile(p) = agg {
                TrendStat::Percentile(p)
            } else {
                return None;
            };
            match stat {
                TrendStat::Count => trend.count().to_string(),
                stat => metric_value(trend.stat(stat), MetricKind::Trend, contains, time_unit),
            }
        }
        SeriesSink::Counter(counter) if agg_text == "count" => metric_value(counter.sum(), kind, contains, time_unit),
        SeriesSink::Counter(counter) => {
            format!("{}/s", metric_value(counter.rate(results.test_duration), kind, contains, time_unit))
        }
        SeriesSink::Rate(rate) => metric_value(rate.rate(), kind, contains, time_unit),
        SeriesSink::Gauge(gauge) if agg == Aggregation::Slope => {
            format!("{}/min", metric_value(gauge_value(agg, gauge)?, kind, contains, time_unit))
        }
        SeriesSink::Gauge(gauge) => metric_value(gauge_value(agg, gauge)?, kind, contains, time_unit),
    })
}
