//! The end of a run: thresholds, the results model, its renderings (summary text, exports,
//! `handle_summary`'s data), and the exit code's threshold part.
//!
//! Order, as in k6: evaluate the thresholds on the final aggregate; build the
//! [`RunResults`] once; render the summary text (THRESHOLDS, then TOTAL RESULTS and sections,
//! then rload's own counts); write `--report`'s HTML page, `--summary-export` and the
//! histogram export; render `handle_summary`'s data. If the script defines `handle_summary(data)`, its returned map
//! decides what goes to stdout and to files, otherwise the summary is printed (by the caller).
//!
//! A file that cannot be written never costs the others or the summary: each failure is kept
//! (`Report::failed_outputs`) for the caller to report, and every file is written whole or not
//! at all (a temporary file renamed into place), so a second Ctrl-C mid-write leaves no half file.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::control::Control;
use super::errors::ErrorLog;
use super::monitor::Monitored;
use super::scenario::ScenarioRuntime;
use crate::health::Saturation;
use crate::metrics::{self, Aggregate};
use crate::output::{
    HandleSummaryData, HistogramExport, Renderer, SummaryExport, SummaryOptions, SummaryState, TextSummary,
};
use crate::report::Page;
use crate::results::{Finished, Overflow, RunCounts, RunResults};
use crate::stdio;
use crate::thresholds::{self, MetricThresholds, ThresholdResult};

/// What the user asked the report to do.
#[derive(Debug, Clone, Default)]
pub struct ReportSettings {
    pub trend_stats: Vec<String>,
    pub summary: SummaryOptions,
    pub strict_thresholds: bool,
    pub summary_export: Option<String>,
    pub histogram_export: Option<String>,
    /// The run as `--export-histograms` describes it (script, thresholds, segment).
    pub run_header: crate::output::histograms::RunHeader,
    pub no_summary: bool,
    pub no_color_flag: bool,
    /// `--report FILE` (or `K6_WEB_DASHBOARD_EXPORT`): the HTML report.
    pub html_report: Option<String>,
    /// The script as given, the report's title.
    pub script: String,
    /// `setup()`'s return value as the VUs got it, for `handle_summary`'s `data.setup_data`.
    pub setup_data: Option<serde_json::Value>,
}

/// The evaluated end of a run.
pub struct Report {
    pub results: Vec<ThresholdResult>,
    /// The summary text, as a terminal would show it ([`SummaryText::printed`]); also what
    /// `text_summary()` returns inside `handle_summary`.
    pub text: SummaryText,
    /// `handle_summary`'s `data` argument (k6's shape), as JSON.
    pub summary_data: String,
    /// Files that could not be written (`--summary-export`, `--export-histograms`, `--report`),
    /// each with why.
    pub failed_outputs: Vec<String>,
}

/// The end-of-test summary without colours and with them (`text_summary`'s `enableColors`
/// picks one), and which of the two is printed.
#[derive(Debug, Clone, Default)]
pub struct SummaryText {
    pub plain: String,
    pub colored: String,
    /// The summary is printed with colours (`SummaryOptions::color`).
    pub color: bool,
}

impl SummaryText {
    /// The text as it is printed.
    pub fn printed(&self) -> &str {
        self.with_colors(self.color)
    }

    pub fn with_colors(&self, colors: bool) -> &str {
        if colors {
            &self.colored
        } else {
            &self.plain
        }
    }
}

impl Report {
    pub fn thresholds_passed(&self) -> bool {
        thresholds::all_passed(&self.results)
    }

    /// The metrics with a failed threshold, sorted, for the run's last error line.
    pub fn failed_metrics(&self) -> Vec<String> {
        thresholds::failed_metrics(&self.results)
    }

    /// The keys with a failed threshold, once each.
    pub fn failing_thresholds(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.results.iter().filter(|r| !r.passed).map(|r| r.key.clone()).collect();
        keys.dedup();
        keys
    }
}

/// Evaluates thresholds, builds the results and renders the summary and exports from them;
/// `monitored` is what the once-a-second watcher saw (the report's charts, rload's saturation).
pub fn build(
    set: &[MetricThresholds],
    scenarios: &[Arc<ScenarioRuntime>],
    control: &Control,
    errors: &ErrorLog,
    settings: &ReportSettings,
    test_duration: Duration,
    monitored: &Monitored,
) -> Report {
    metrics::with_aggregate(|agg| {
        let verdicts = thresholds::evaluate(set, agg, test_duration, settings.strict_thresholds);
        let finished = Finished {
            aggregate: agg,
            thresholds: set,
            verdicts: &verdicts,
            trend_stats: &settings.trend_stats,
            test_duration,
        };
        let mut counts = run_counts(scenarios, control, errors, agg);
        counts.saturation_warning = monitored.saturation.as_ref().map(Saturation::message);
        let results = RunResults::build(finished, counts);
        let render =
            |color: bool| TextSummary { options: SummaryOptions { color, ..settings.summary } }.render(&results);
        let text = SummaryText { plain: render(false), colored: render(true), color: settings.summary.color };
        let mut failed_outputs = Vec::new();
        if let Some(path) = &settings.html_report {
            let page = Page {
                script: &settings.script,
                timeline: monitored.timeline.as_ref(),
                saturation: monitored.saturation.as_ref(),
                ended_early: None,
            };
            failed_outputs.extend(write_whole(path, &page.render(&results)).err());
        }
        // k6 writes the export as part of its end-of-test summary, which `--no-summary` skips.
        if let Some(path) = settings.summary_export.as_ref().filter(|_| !settings.no_summary) {
            failed_outputs.extend(write_whole(path, &SummaryExport.render(&results)).err());
        }
        if let Some(path) = &settings.histogram_export {
            failed_outputs
                .extend(write_whole(path, &HistogramExport { run: &settings.run_header }.render(&results)).err());
        }
        let state = SummaryState {
            no_color: settings.no_color_flag,
            stdout_tty: is_tty(1),
            stderr_tty: is_tty(2),
            time_unit: settings.summary.time_unit,
        };
        let summary_data = HandleSummaryData { state, setup_data: settings.setup_data.clone() }.render(&results);
        Report { results: verdicts, text, summary_data, failed_outputs }
    })
}

/// `--report` for a run that ended before its test (a failed `setup()`, whose error the caller
/// prints): what was recorded until then, the thresholds as they stand, and why it ended. Returns
/// why the file could not be written, if it could not.
pub fn write_early_end(path: &str, script: &str, set: &[MetricThresholds], why: &str) -> Result<(), String> {
    metrics::flush();
    metrics::with_aggregate(|agg| {
        let verdicts = thresholds::evaluate(set, agg, Duration::ZERO, false);
        let finished = Finished {
            aggregate: agg,
            thresholds: set,
            verdicts: &verdicts,
            trend_stats: &crate::results::DEFAULT_TREND_STATS.map(str::to_owned),
            test_duration: Duration::ZERO,
        };
        let counts = RunCounts { series_limit: agg.series_cap().limit(), ..RunCounts::default() };
        let results = RunResults::build(finished, counts);
        let page = Page { script, timeline: None, saturation: None, ended_early: Some(why) };
        write_whole(path, &page.render(&results))
    })
}

/// Interrupted and failed iterations, script errors with counts, and metrics past the series cap.
fn run_counts(scenarios: &[Arc<ScenarioRuntime>], control: &Control, errors: &ErrorLog, agg: &Aggregate) -> RunCounts {
    RunCounts {
        interrupted_iterations: scenarios.iter().map(|s| s.state.interrupted.load(Ordering::Relaxed)).sum(),
        failed_iterations: control.failed_iterations.load(Ordering::Relaxed),
        script_errors: errors.counts(),
        overflowed: agg
            .metrics()
            .filter(|m| m.overflowed() > 0)
            .map(|m| Overflow {
                metric: m.name().to_owned(),
                samples: m.overflowed(),
                culprit: m.most_varied_tag().map(|(key, n)| (key.to_owned(), n)),
            })
            .collect(),
        series_limit: agg.series_cap().limit(),
        saturation_warning: None,
    }
}

/// Writes `text` to `path` whole or not at all: into a temporary file beside it, then renamed
/// (also `rload merge`'s `--summary-export`).
pub(crate) fn write_whole(path: &str, text: &str) -> Result<(), String> {
    let target = std::path::Path::new(path);
    let file_name = target.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let temp = target.with_file_name(format!(".{file_name}.rload-{}.tmp", std::process::id()));
    let written = std::fs::write(&temp, text).and_then(|()| std::fs::rename(&temp, target));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(|e| format!("cannot write {path}: {e}"))
}

/// Whether standard output (`fd` 1) or standard error (2) is a terminal; any other descriptor
/// counts as not one.
pub fn is_tty(fd: i32) -> bool {
    use std::io::IsTerminal;
    match fd {
        1 => std::io::stdout().is_terminal(),
        2 => std::io::stderr().is_terminal(),
        _ => false,
    }
}

/// Applies `handle_summary`'s returned map: `stdout`/`stderr` keys are printed, every other key
/// is a file path written with the value as text (maps and arrays as JSON). Returns what could
/// not be done; one bad entry does not stop the others.
pub fn apply_handle_summary(outputs: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    let mut failed = Vec::new();
    for (key, value) in outputs {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            other => serde_json::to_string_pretty(other).unwrap_or_else(|_| other.to_string()),
        };
        match key.as_str() {
            "stdout" => stdio::out(&text),
            "stderr" => eprint!("{text}"),
            path => failed.extend(write_whole(path, &text).err().map(|e| format!("handle_summary: {e}"))),
        }
    }
    failed
}
