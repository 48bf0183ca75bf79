//! The end of a run after its test: the thresholds' verdicts, the summary or
//! `handle_summary`'s files, the exports and the `--report` page, then the error that sets the
//! exit code.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::api_surface::RunSurface;
use super::exit::RunError;
use super::phases::{run_phase, run_shared, PhaseEnd};
use super::report::{self, ReportSettings};
use super::run::{Executed, Prepared, RunArgs};
use super::signals::Signals;
use super::vu::Phase;
use crate::config::format_duration;
use crate::metrics;
use crate::output::histograms::{InstanceEnd, RunHeader};
use crate::output::SummaryOptions;
use crate::results::DEFAULT_TREND_STATS;
use crate::script::engine::summary_hook;
use crate::stdio;

/// k6's fixed deadline for `handleSummary`.
const HANDLE_SUMMARY_TIMEOUT: Duration = Duration::from_secs(120);

/// After the test: the thresholds' verdicts, the summary (or `handle_summary`'s outputs), the
/// exports, and the error that sets the exit code, if any.
pub(super) async fn report_results(
    args: &RunArgs,
    prepared: &Prepared,
    test: Executed,
    signals: &Signals,
    surface: &RunSurface,
) -> Result<(), RunError> {
    let Prepared { script, options, test_options, thresholds, outputs, segment, .. } = prepared;
    let Executed { shared, runtimes, signalled, phase_failure, test_duration, monitored } = test;
    let control = &shared.control;
    let ended_in_setup = matches!(phase_failure, Some(RunError::SetupFailed(_) | RunError::SetupTimeout(_)));
    // k6's warning for a test that ran to its end (no stop, setup() and teardown() passed)
    // without one iteration that ended on its own, before the summary.
    let full_iterations: u64 = runtimes.iter().map(|s| s.state.completed.load(Ordering::Relaxed)).sum();
    if full_iterations == 0 && phase_failure.is_none() && stopped_early(control, surface, signalled).is_none() {
        crate::logger::warn("No script iterations fully finished, consider making the test duration longer");
    }
    // As k6: the outputs end with the test (teardown included), before the summary.
    let outputs_report = outputs.borrow_mut().as_mut().map(|o| o.finish()).unwrap_or_default();
    metrics::flush();

    let trend_stats: Vec<String> = options
        .summary_trend_stats
        .clone()
        .unwrap_or_else(|| DEFAULT_TREND_STATS.iter().map(|s| s.to_string()).collect());
    let marked_failed = script.marked_failed.load(std::sync::atomic::Ordering::Relaxed);
    let run_header = RunHeader {
        // The file's name: an archive's script runs from a temporary directory of its own.
        script: std::path::Path::new(&script.source.path)
            .file_name()
            .map_or_else(|| script.source.path.clone(), |n| n.to_string_lossy().into_owned()),
        script_md5: crate::output::md5::md5_hex(script.source.text.as_bytes()),
        thresholds: options.thresholds.clone().unwrap_or(serde_json::Value::Null),
        execution_segment: segment.segment().to_string(),
        execution_segment_sequence: options
            .execution_segment_sequence
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        summary_trend_stats: trend_stats.clone(),
        summary_time_unit: options.summary_time_unit.map(|u| u.name().to_owned()).unwrap_or_default(),
        ended_at_unix_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64),
        marked_failed,
        // As the end below decides it, before handle_summary (which can still abort the run).
        end: {
            let marked = RunError::MarkedFailed;
            stopped_early(control, surface, signalled)
                .as_ref()
                .or(phase_failure.as_ref())
                .or(marked_failed.then_some(&marked))
                .map(|e| InstanceEnd { code: e.exit_code(), reason: e.to_string() })
        },
    };
    let settings = ReportSettings {
        trend_stats,
        run_header,
        summary: SummaryOptions {
            color: !no_color(args) && report::is_tty(1),
            mode: args.summary_mode,
            time_unit: options.summary_time_unit,
        },
        strict_thresholds: args.strict_thresholds,
        summary_export: args.summary_export.clone(),
        histogram_export: args.histogram_export.clone(),
        no_summary: args.no_summary,
        no_color_flag: no_color(args),
        // A run whose setup() failed gets the page that says why its test never ran (below).
        html_report: args.report.clone().filter(|_| !ended_in_setup),
        script: args.script.clone(),
        // The cell holds only JSON that rload wrote or that the REST API parsed.
        setup_data: super::setup_data::read_setup_data(&surface.data).and_then(|json| serde_json::from_str(&json).ok()),
    };
    let report = report::build(thresholds, &runtimes, control, &shared.errors, &settings, test_duration, &monitored);
    if let (Some(path), Some(e)) = (args.report.as_ref().filter(|_| ended_in_setup), &phase_failure) {
        let why = e.to_string();
        if let Err(problem) = report::write_early_end(path, &args.script, thresholds, why.trim_start_matches("error: "))
        {
            eprintln!("error: {problem}");
        }
    }
    surface.set_failing_thresholds(report.failing_thresholds());
    let mut failed_outputs = report.failed_outputs.clone();
    failed_outputs.extend(outputs_report.problems);
    let mut signalled = signalled;
    let has_hook = summary_hook(&script.functions).ok().flatten().is_some();
    if args.no_summary {
        // k6 neither prints its summary nor runs handleSummary nor writes --summary-export.
        let skipped: Vec<&str> =
            [has_hook.then_some("handle_summary()"), args.summary_export.as_ref().map(|_| "--summary-export")]
                .into_iter()
                .flatten()
                .collect();
        if !skipped.is_empty() {
            eprintln!("warning: --no-summary: {} skipped, as in k6", skipped.join(" and "));
        }
    } else if has_hook {
        let mut shared_hs = run_shared(args, options, Some(test_options), script, Some(report.summary_data.clone()));
        shared_hs.summary_text = Some(report.text.clone());
        let shared_hs = Arc::new(shared_hs);
        // As for teardown(): a signal that stopped the test asked for handle_summary to run (k6
        // runs it after one Ctrl+C); only a first signal that comes while it runs stops it.
        let watch = (!signals.stopping()).then_some(signals);
        // Why handle_summary's own outputs are not printed, when they are not.
        let failed = match run_phase(script, Phase::Summary, shared_hs, Some(HANDLE_SUMMARY_TIMEOUT), watch).await {
            PhaseEnd::Done(Ok(Some(serde_json::Value::Object(outputs)))) => {
                failed_outputs.extend(report::apply_handle_summary(&outputs));
                None
            }
            // k6 prints nothing when handleSummary returns null or undefined.
            PhaseEnd::Done(Ok(None | Some(serde_json::Value::Null))) => {
                eprintln!("warning: handle_summary() returned nothing, so no summary was printed (as in k6)");
                None
            }
            PhaseEnd::Done(Ok(Some(other))) => {
                Some(format!("must return a map like #{{ stdout: \"...\" }}, got {other}"))
            }
            PhaseEnd::Done(Err(e)) => Some(format!("failed: {e}")),
            PhaseEnd::TimedOut => Some(format!("did not finish within {}", format_duration(HANDLE_SUMMARY_TIMEOUT))),
            // k6 v1.1.0 logs it and prints the default summary; its exit code, decided before
            // handleSummary runs, stays (as the `--export-histograms` file, written before it, says).
            PhaseEnd::Aborted(message) => Some(format!("aborted the test: {message}")),
            PhaseEnd::Signalled => {
                signalled = true;
                Some("was interrupted".into())
            }
        };
        if let Some(why) = failed {
            eprintln!("error: handle_summary() {why}; printing the default summary");
            stdio::out(report.text.printed());
        }
    } else {
        stdio::out(report.text.printed());
    }
    for w in &outputs_report.warnings {
        eprintln!("warning: {w}");
    }
    for e in &failed_outputs {
        eprintln!("error: {e}");
    }
    // k6's order (`exit::end_rank`): a run stopped early keeps that code; then setup()'s or
    // teardown()'s failure; then exec.test.fail(); then the thresholds' verdict.
    if let Some(e) = stopped_early(control, surface, signalled) {
        return Err(e);
    }
    if let Some(e) = phase_failure {
        return Err(e);
    }
    // As read before handle_summary: k6 v1.1 decides its exit code before its deferred
    // handleSummary runs, so an exec.test.fail() there logs its message and exits 0 (and the
    // `--export-histograms` file, written before it too, agrees).
    if marked_failed {
        return Err(RunError::MarkedFailed);
    }
    if !report.thresholds_passed() {
        return Err(RunError::ThresholdsFailed(report.failed_metrics()));
    }
    if !failed_outputs.is_empty() {
        return Err(RunError::OutputsFailed(failed_outputs.len()));
    }
    Ok(())
}

/// How the run was stopped before its end, if it was, in k6's order: an `abortOnFail`
/// threshold, `exec.test.abort()`, the REST API's stop, a signal.
fn stopped_early(control: &super::control::Control, surface: &RunSurface, signalled: bool) -> Option<RunError> {
    if let Some(msg) = control.thresholds_abort() {
        return Some(RunError::ThresholdsAborted(msg));
    }
    if let Some(msg) = control.abort_message() {
        return Some(RunError::Aborted(msg));
    }
    if surface.stop_requested() {
        return Some(RunError::StoppedFromApi);
    }
    signalled.then_some(RunError::Interrupted)
}

/// `--no-color`, or the `NO_COLOR` convention (set and not empty), which k6 honours too.
pub(super) fn no_color(args: &RunArgs) -> bool {
    args.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}
