//! rload's own lines after k6's sections: iterations interrupted or failed, script errors with
//! their counts, and the warning when a metric hit the series cap.

use std::fmt::Write;

use crate::metrics::{tag, OVERFLOW_TAG};
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
    if let Some(most) = counts.overflowed.iter().map(|o| o.samples).max() {
        let names: Vec<&str> = counts.overflowed.iter().map(|o| o.metric.as_str()).collect();
        let _ = writeln!(
            out,
            "\n  WARN more than {} distinct tag sets in {}: up to {most} samples per metric were kept in \
             series tagged {OVERFLOW_TAG}=true, without the tags that made them distinct.",
            counts.series_limit,
            names.join(", "),
        );
        // One line per tag that filled the cap, naming the metrics it filled and what to do.
        let mut culprits: Vec<(&str, usize, Vec<&str>)> = Vec::new();
        for o in &counts.overflowed {
            let Some((key, n)) = &o.culprit else { continue };
            match culprits.iter_mut().find(|(k, _, _)| k == key) {
                Some((_, most, metrics)) => {
                    *most = (*most).max(*n);
                    metrics.push(&o.metric);
                }
                None => culprits.push((key, *n, vec![&o.metric])),
            }
        }
        for (key, n, metrics) in culprits {
            let _ =
                writeln!(out, "       tag `{key}` ({n} distinct values in {}): {}", metrics.join(", "), advice(key));
        }
    }
    out
}

/// What to do about a tag with too many distinct values.
fn advice(key: &str) -> &'static str {
    match key {
        tag::URL | tag::NAME => "give URLs with ids a `name` tag (params.tags.name) so they group",
        tag::CHECK => "check names should not carry ids; put the id in the check's tags or leave it out",
        tag::GROUP => "group names should not carry ids",
        tag::ERROR => "transport error messages that quote an address or an id; `error_code` groups them, and FAILED REQUESTS counts each message",
        _ => "a tag with an id in it makes one series per id; tag with fewer distinct values",
    }
}
