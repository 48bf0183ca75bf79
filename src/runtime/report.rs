//! The end-of-test report: k6's summary plus what the run itself counted (interrupted
//! iterations, script errors with their counts).

use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::time::Duration;

use std::sync::Arc;

use super::control::Control;
use super::errors::ErrorLog;
use super::scenario::ScenarioRuntime;
use crate::metrics::{self, SummaryMode, SummaryOptions};

pub fn render(
    scenarios: &[Arc<ScenarioRuntime>],
    control: &Control,
    errors: &ErrorLog,
    trend_stats: &[String],
    test_duration: Duration,
    color: bool,
    mode: SummaryMode,
) -> String {
    let opts = SummaryOptions { trend_stats: trend_stats.to_vec(), test_duration, color, mode };
    let mut out = metrics::with_aggregate(|agg| metrics::render_summary(agg, &opts));
    let interrupted: u64 = scenarios.iter().map(|s| s.interrupted.load(Ordering::Relaxed)).sum();
    let failed = control.failed_iterations.load(Ordering::Relaxed);
    let _ = writeln!(out, "  iterations interrupted: {interrupted}   iterations with script errors: {failed}");
    let counts = errors.counts();
    if !counts.is_empty() {
        let _ = writeln!(out, "\n  script errors:");
        for (msg, n) in counts {
            let _ = writeln!(out, "    {n}× {msg}");
        }
    }
    out
}
