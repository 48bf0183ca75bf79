//! The end of a run: thresholds, the summary, exports, `handle_summary`, and the exit code's
//! threshold part.
//!
//! Order, as in k6: evaluate the thresholds on the final aggregate; build the summary text
//! (THRESHOLDS, then TOTAL RESULTS and sections, then rload's own counts); write
//! `--summary-export` and the histogram export; if the script defines `handle_summary(data)`,
//! its returned map decides what goes to stdout and to files, otherwise the summary is printed.

use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::control::Control;
use super::errors::ErrorLog;
use super::scenario::ScenarioRuntime;
use crate::metrics::{self, Aggregate, SummaryMode, SummaryOptions};
use crate::output::{self, RunResults, SummaryState};
use crate::thresholds::{self, MetricThresholds, ThresholdResult};

/// What the user asked the report to do.
#[derive(Debug, Clone, Default)]
pub struct ReportSettings {
    pub trend_stats: Vec<String>,
    pub color: bool,
    pub mode: SummaryMode,
    pub strict_thresholds: bool,
    pub summary_export: Option<String>,
    pub histogram_export: Option<String>,
    pub no_summary: bool,
    pub no_color_flag: bool,
}

/// The evaluated end of a run.
pub struct Report {
    pub results: Vec<ThresholdResult>,
    /// The summary text a terminal would show.
    pub text: String,
    /// `handle_summary`'s `data` argument (k6's shape).
    pub summary_data: serde_json::Value,
}

impl Report {
    pub fn thresholds_passed(&self) -> bool {
        thresholds::all_passed(&self.results)
    }
}

/// Evaluates thresholds and renders the summary and exports from the final aggregate.
pub fn build(
    set: &[MetricThresholds],
    scenarios: &[Arc<ScenarioRuntime>],
    control: &Control,
    errors: &ErrorLog,
    settings: &ReportSettings,
    test_duration: Duration,
) -> Result<Report, String> {
    metrics::with_aggregate(|agg| {
        let results = thresholds::evaluate(set, agg, test_duration, settings.strict_thresholds);
        let opts = SummaryOptions {
            trend_stats: settings.trend_stats.clone(),
            test_duration,
            color: settings.color,
            mode: settings.mode,
        };
        let mut text = thresholds::render_thresholds(set, &results, agg, &opts);
        text.push_str(&metrics::render_summary(agg, &opts));
        text.push_str(&run_counts(scenarios, control, errors, agg));
        let run = RunResults {
            aggregate: agg,
            thresholds: set,
            results: &results,
            trend_stats: &settings.trend_stats,
            test_duration,
        };
        if let Some(path) = &settings.summary_export {
            write_json(path, &output::summary_export_json(&run))?;
        }
        if let Some(path) = &settings.histogram_export {
            write_json(path, &output::histograms::export(agg))?;
        }
        let state = SummaryState { no_color: settings.no_color_flag, stdout_tty: is_tty(1), stderr_tty: is_tty(2) };
        let summary_data = output::handle_summary_data(&run, state);
        Ok(Report { results, text, summary_data })
    })
}

/// Interrupted iterations, script errors with counts, and the series-cap warning.
fn run_counts(scenarios: &[Arc<ScenarioRuntime>], control: &Control, errors: &ErrorLog, agg: &Aggregate) -> String {
    let mut out = String::new();
    let interrupted: u64 = scenarios.iter().map(|s| s.state.interrupted.load(Ordering::Relaxed)).sum();
    let failed = control.failed_iterations.load(Ordering::Relaxed);
    let _ = writeln!(out, "  iterations interrupted: {interrupted}   iterations with script errors: {failed}");
    let counts = errors.counts();
    if !counts.is_empty() {
        let _ = writeln!(out, "\n  script errors:");
        for (msg, n) in counts {
            let _ = writeln!(out, "    {n}× {msg}");
        }
    }
    let overflowed: Vec<(&str, u64)> = agg.overflowed().collect();
    if let Some(most) = overflowed.iter().map(|(_, samples)| *samples).max() {
        let names: Vec<&str> = overflowed.iter().map(|(name, _)| *name).collect();
        let _ = writeln!(
            out,
            "\n  WARN more than {} distinct tag sets in {}: up to {most} samples per metric were kept without \
             their url and name tags (series tagged {}=true). Give URLs with ids a `name` tag \
             (params.tags.name) so they group.",
            agg.series_cap().limit(),
            names.join(", "),
            metrics::OVERFLOW_TAG
        );
    }
    out
}

fn write_json(path: &str, value: &serde_json::Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("cannot write {path}: {e}"))
}

static TEXT_SUMMARY: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// Keeps the rendered summary for scripts' `text_summary()` inside `handle_summary`.
pub fn set_text_summary(text: &str) {
    *TEXT_SUMMARY.lock().unwrap() = text.to_string();
}

/// The rendered end-of-test summary (k6's `textSummary(data)` from jslib).
pub fn text_summary() -> String {
    TEXT_SUMMARY.lock().unwrap().clone()
}

pub fn is_tty(fd: i32) -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(fd) == 1 }
}

/// Applies `handle_summary`'s returned map: `stdout`/`stderr` keys are printed, every other key
/// is a file path written with the value as text (maps and arrays as JSON).
pub fn apply_handle_summary(outputs: &serde_json::Value) -> Result<(), String> {
    let Some(map) = outputs.as_object() else {
        return Err(format!("handle_summary() must return a map like #{{ stdout: \"...\" }}, got {outputs}"));
    };
    for (key, value) in map {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            other => serde_json::to_string_pretty(other).map_err(|e| e.to_string())?,
        };
        match key.as_str() {
            "stdout" => print!("{text}"),
            "stderr" => eprint!("{text}"),
            path => std::fs::write(path, text).map_err(|e| format!("handle_summary: cannot write {path}: {e}"))?,
        }
    }
    Ok(())
}
