//! `rload merge RESULT…`: the results of N instances of one test (each run's
//! `--export-histograms` file) as one run: the same end-of-test summary `rload run` prints, the
//! thresholds evaluated once over the fleet's merged data, and their verdict as the exit code
//! (0, or 99 when one failed; 104 for results that are not one test, 255 for a file that cannot
//! be read). An instance that ended otherwise than by its test's end (`exec.test.abort()`'s 108,
//! an `abortOnFail` threshold's 99, a signal's 105, the REST API's stop, 103, a failed or late
//! `setup()` or `teardown()`, `exec.test.fail()`'s 110) decides the code instead, as it would
//! in one run: of several such ends, the first in k6's order ([`exit::end_rank`]) wins. k6 has no such command: k6 OSS evaluates thresholds per instance only
//! (grafana/k6 #140, k6-operator #115). The design is in `docs/fleet.md`.
//!
//! Which results are one test: the same script (MD5 of its text), the same thresholds as
//! written, the same `--execution-segment-sequence`, and segments that tile `0:1`
//! ([`segments`]). Anything else is refused with an error naming the file.
//!
//! How they combine is [`combine`]'s; the thresholds, the results model and the renderers are
//! `rload run`'s own (`crate::thresholds`, `crate::results`, `crate::output`).

mod combine;
mod segments;

use serde_json::Value;

use crate::metrics::{MetricKind, Registry};
use crate::output::histograms::{self, InstanceEnd, RunExport};
use crate::output::{Renderer, SummaryExport, SummaryMode, SummaryOptions, TextSummary};
use crate::results::{Finished, RunResults};
use crate::runtime::exit;
use crate::stdio;
use crate::thresholds::{self, Aggregation, MetricThresholds};

pub use combine::{combine, Merged};
pub use segments::{check_coverage, Part};

/// What `rload merge` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct MergeArgs {
    /// The instances' `--export-histograms` files.
    pub results: Vec<String>,
    /// `--summary-export FILE`: k6's legacy JSON summary of the merged results.
    pub summary_export: Option<String>,
    /// `--summary-trend-stats`; the results' own `summaryTrendStats` when not given.
    pub trend_stats: Option<Vec<String>>,
    pub summary: SummaryOptions,
}

impl MergeArgs {
    /// Validates `rload merge`'s flags; every problem at once.
    pub fn from_flags(flags: crate::cli::MergeFlags) -> Result<MergeArgs, Vec<String>> {
        let trend_stats = flags
            .summary_trend_stats
            .map(|s| crate::config::values::trend_stats("--summary-trend-stats", &Value::String(s)))
            .transpose()
            .map_err(|e| vec![e])?;
        let no_color = flags.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Ok(MergeArgs {
            results: flags.results,
            summary_export: flags.summary_export,
            trend_stats,
            summary: SummaryOptions {
                color: !no_color && crate::runtime::report::is_tty(1),
                mode: flags.summary_mode.as_deref().and_then(SummaryMode::from_name).unwrap_or_default(),
                time_unit: None,
            },
        })
    }
}

/// Why a merge did not produce a verdict.
#[derive(Debug)]
enum MergeError {
    /// A file that cannot be read, or the summary export that cannot be written (255).
    Read(String),
    /// Results that are not one test, or not results at all (104).
    Invalid(Vec<String>),
}

/// The merged run's verdict.
struct Verdict {
    thresholds_passed: bool,
    /// The metrics with a failed threshold, sorted.
    failed_metrics: Vec<String>,
    /// Each result whose instance ended short of its thresholds' verdict, with its end.
    ends: Vec<(String, InstanceEnd)>,
}

impl Verdict {
    /// The end that decides the fleet's exit code, as in one run, and the results whose
    /// instances ended so: the first in k6's order, of the first result that ended so.
    fn deciding_end(&self) -> Option<(&InstanceEnd, Vec<&str>)> {
        let rank = |e: &InstanceEnd| exit::end_rank(e.code);
        let first = self.ends.iter().map(|(_, e)| e).min_by_key(|e| rank(e))?;
        let files = self.ends.iter().filter(|(_, e)| e.code == first.code).map(|(f, _)| f.as_str()).collect();
        Some((first, files))
    }
}

/// Runs `rload merge` and returns its exit code.
pub fn run(args: &MergeArgs) -> i32 {
    match merge(args) {
        // As one run: an instance's early end (`exec.test.abort()`, a signal, `exec.test.fail()`,
        // …) wins over the thresholds' verdict.
        Ok(verdict) if verdict.deciding_end().is_some() => {
            let (end, files) = verdict.deciding_end().expect("checked in the guard");
            eprintln!("{}", end.reason);
            eprintln!("  the instance of {} ended so (exit code {})", files.join(", "), end.code);
            end.code
        }
        Ok(Verdict { thresholds_passed: true, .. }) => exit::OK,
        Ok(Verdict { thresholds_passed: false, failed_metrics, .. }) => {
            eprintln!("{}", exit::RunError::ThresholdsFailed(failed_metrics));
            exit::THRESHOLDS_FAILED
        }
        Err(MergeError::Read(e)) => {
            eprintln!("error: {e}");
            exit::OTHER
        }
        Err(MergeError::Invalid(errors)) => {
            eprintln!("error: these results cannot be merged:");
            for e in errors {
                eprintln!("  - {e}");
            }
            exit::INVALID_CONFIG
        }
    }
}

/// The merge itself, printing the summary; the verdict, or why there is none.
fn merge(args: &MergeArgs) -> Result<Verdict, MergeError> {
    if args.results.is_empty() {
        return Err(MergeError::Invalid(vec!["no results given".into()]));
    }
    let mut registry = Registry::new();
    let mut runs = Vec::with_capacity(args.results.len());
    for path in &args.results {
        let text = std::fs::read_to_string(path).map_err(|e| MergeError::Read(format!("cannot read {path}: {e}")))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| MergeError::Invalid(vec![format!("{path}: not a JSON document: {e}")]))?;
        let run = histograms::import_run(&value, &mut registry)
            .map_err(|e| MergeError::Invalid(vec![format!("{path}: {e}")]))?;
        runs.push(run);
    }
    one_test(&args.results, &runs).map_err(MergeError::Invalid)?;
    let first = runs[0].header.clone();
    let set = match &first.thresholds {
        Value::Null => Vec::new(),
        written => thresholds::parse(written, &|name| registry.get(name)).map_err(MergeError::Invalid)?,
    };
    mergeable_thresholds(&set).map_err(MergeError::Invalid)?;
    let trend_stats = args.trend_stats.clone().unwrap_or_else(|| first.summary_trend_stats.clone());
    let mut summary = args.summary;
    if !first.summary_time_unit.is_empty() {
        summary.time_unit = Some(
            crate::config::options::TimeUnit::parse(&first.summary_time_unit)
                .map_err(|e| MergeError::Invalid(vec![format!("{}: {e}", args.results[0])]))?,
        );
    }
    let segments: Vec<String> = runs.iter().map(|r| r.header.execution_segment.clone()).collect();
    let ends: Vec<(String, InstanceEnd)> =
        args.results.iter().zip(&runs).filter_map(|(f, r)| r.header.end.clone().map(|e| (f.clone(), e))).collect();
    let merged = combine(runs);

    let verdicts = thresholds::evaluate(&set, &merged.aggregate, merged.test_duration, false);
    let finished = Finished {
        aggregate: &merged.aggregate,
        thresholds: &set,
        verdicts: &verdicts,
        trend_stats: &trend_stats,
        test_duration: merged.test_duration,
    };
    let results = RunResults::build(finished, merged.counts.clone());
    stdio::outln(&format!(
        "\n     merged: {} results of {} (segments {})\n",
        args.results.len(),
        first.script,
        segments.join(", ")
    ));
    stdio::out(&TextSummary { options: summary }.render(&results));
    let verdict = Verdict {
        thresholds_passed: thresholds::all_passed(&verdicts),
        failed_metrics: thresholds::failed_metrics(&verdicts),
        ends,
    };
    if let Some(path) = &args.summary_export {
        // As in a run: a file that cannot be written decides the exit code only when the
        // thresholds passed and every instance ran to its end.
        match crate::runtime::report::write_whole(path, &SummaryExport.render(&results)) {
            Err(e) if verdict.thresholds_passed && verdict.ends.is_empty() => return Err(MergeError::Read(e)),
            Err(e) => eprintln!("error: {e}"),
            Ok(()) => {}
        }
    }
    Ok(verdict)
}

/// The results are one test: one script, one set of thresholds, one segment sequence, and
/// segments that tile `0:1`. Every problem at once, each naming its file.
fn one_test(files: &[String], runs: &[RunExport]) -> Result<(), Vec<String>> {
    let (first_file, first) = (&files[0], &runs[0].header);
    let mut errors = Vec::new();
    for (file, run) in files.iter().zip(runs).skip(1) {
        let h = &run.header;
        if h.script_md5 != first.script_md5 {
            errors.push(format!(
                "{file}: results of another script ({}, MD5 {}) than {first_file} ({}, MD5 {})",
                h.script, h.script_md5, first.script, first.script_md5
            ));
        }
        if h.thresholds != first.thresholds {
            errors.push(format!("{file}: thresholds {} differ from {first_file}'s {}", h.thresholds, first.thresholds));
        }
        if h.execution_segment_sequence != first.execution_segment_sequence {
            errors.push(format!(
                "{file}: execution segment sequence \"{}\" differs from {first_file}'s \"{}\"",
                h.execution_segment_sequence, first.execution_segment_sequence
            ));
        }
    }
    let parts: Vec<Part<'_>> =
        files.iter().zip(runs).map(|(file, r)| Part { file, segment: &r.header.execution_segment }).collect();
    if let Err(gaps) = check_coverage(&parts) {
        errors.extend(gaps);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Gauge thresholds the exports can answer: a gauge's value, min and max travel, its mean and
/// slope do not (no silent approximation).
fn mergeable_thresholds(set: &[MetricThresholds]) -> Result<(), Vec<String>> {
    let errors: Vec<String> = set
        .iter()
        .filter(|m| m.id.kind() == MetricKind::Gauge)
        .flat_map(|m| m.thresholds.iter().map(move |t| (m, t)))
        .filter(|(_, t)| matches!(t.agg, Aggregation::Avg | Aggregation::Slope))
        .map(|(m, t)| {
            format!(
                "threshold \"{}\" of gauge {}: rload merge has each instance's last value, min and max \
                 of a gauge, not its mean or slope",
                t.source, m.key
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
