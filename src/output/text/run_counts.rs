//! rload's own lines after k6's sections: iterations interrupted or failed, script errors with
//! their counts, and the warning when a metric hit the series cap.

use std::fmt::Write;

use crate::metrics::OVERFLOW_TAG;
use crate::results::RunCounts;

/// The counts, always starting with the iterations line.
pub fn render_run_counts(counts: &RunCounts) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  iterations interrupted: {}   iterations with script errors: {}",
        counts.interrupted_iterations, counts.failed_iterations
    );
    if !counts.script_errors.is_empty() {
        let _ = writeln!(out, "\n  script errors:");
        for (msg, n) in &counts.script_errors {
            let _ = writeln!(out, "    {n}× {msg}");
        }
    }
    if let Some(most) = counts.overflowed.iter().map(|(_, samples)| *samples).max() {
        let names: Vec<&str> = counts.overflowed.iter().map(|(name, _)| name.as_str()).collect();
        let _ = writeln!(
            out,
            "\n  WARN more than {} distinct tag sets in {}: up to {most} samples per metric were kept without \
             their url and name tags (series tagged {OVERFLOW_TAG}=true). Give URLs with ids a `name` tag \
             (params.tags.name) so they group.",
            counts.series_limit,
            names.join(", "),
        );
    }
    out
}
