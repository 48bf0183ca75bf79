//! The end-of-test text, as k6 v1.1 prints it, then rload's own counts:
//!
//! 1. `█ THRESHOLDS` ([`thresholds`]), when the run has thresholds;
//! 2. `█ TOTAL RESULTS` and, in [`SummaryMode::Full`], one section per group and per scenario
//!    ([`summary`]);
//! 3. `█ FAILED REQUESTS`, rload's table of why requests failed, when some did ([`failures`]);
//! 4. interrupted and failed iterations, script errors, the series-cap warning ([`run_counts`]).
//!
//! Spacing, padding, number formats ([`humanize`]) and colours follow k6 v1.1's `summary.js` so a
//! k6 user reads the same text; the layout quirks are k6's. Each part starts with a newline and
//! ends with a blank line, so they concatenate.
//!
//! Not here: what the numbers are (`crate::results`).

mod failures;
pub mod humanize;
mod layout;
mod run_counts;
mod sections;
mod summary;
mod thresholds;

use super::Renderer;
use crate::results::RunResults;

pub use failures::render_failures;
pub use run_counts::render_run_counts;
pub use sections::compare_metric_names;
pub use summary::render_summary;
pub use thresholds::render_thresholds;

/// Which k6 summary layout to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SummaryMode {
    /// Total results with every metric, then one section per group and per scenario. rload's
    /// default (`--summary-mode full`), so nothing measured is hidden.
    #[default]
    Full,
    /// k6's default: total results only, without the HTTP timing breakdown.
    Compact,
}

impl SummaryMode {
    /// The names `--summary-mode` accepts.
    pub const NAMES: [&'static str; 2] = ["full", "compact"];

    /// The name as `--summary-mode` takes it.
    pub fn name(self) -> &'static str {
        match self {
            SummaryMode::Full => "full",
            SummaryMode::Compact => "compact",
        }
    }

    /// The mode named `name` (one of [`Self::NAMES`]).
    pub fn from_name(name: &str) -> Option<SummaryMode> {
        [SummaryMode::Full, SummaryMode::Compact].into_iter().find(|mode| mode.name() == name)
    }
}

/// How to lay the text out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SummaryOptions {
    /// Emit ANSI colours like k6 does on a terminal.
    pub color: bool,
    pub mode: SummaryMode,
    /// k6's `summaryTimeUnit`: every time value in this unit; `None` picks one per value.
    pub time_unit: Option<crate::config::options::TimeUnit>,
}

/// The whole end-of-test text: THRESHOLDS, TOTAL RESULTS and sections, FAILED REQUESTS,
/// rload's counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextSummary {
    pub options: SummaryOptions,
}

impl Renderer for TextSummary {
    fn render(&self, results: &RunResults<'_>) -> String {
        let mut text = render_thresholds(results, &self.options);
        if let Some(warning) = &results.counts.saturation_warning {
            text.push_str(&format!("\n  {warning}\n"));
        }
        text.push_str(&render_summary(results, &self.options));
        text.push_str(&render_failures(&results.failed_requests, self.options.color));
        text.push_str(&render_run_counts(&results.counts));
        text
    }
}

/// k6's `ANSIFormatter.decorate`, on or off.
#[derive(Debug, Clone, Copy)]
struct Painter {
    color: bool,
}

impl Painter {
    fn apply(self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn bold(self, text: &str) -> String {
        self.apply(text, "1")
    }
    fn cyan(self, text: &str) -> String {
        self.apply(text, "36")
    }
    fn cyan_faint(self, text: &str) -> String {
        self.apply(text, "2;36")
    }
    fn faint_white(self, text: &str) -> String {
        self.apply(text, "2;37")
    }
}

const TITLE_PREFIX: &str = "█";
const SUBTITLE_PREFIX: &str = "↳";
const SUCCESS_MARK: &str = "✓";
const FAIL_MARK: &str = "✗";

#[cfg(test)]
mod tests;
