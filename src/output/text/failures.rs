//! `█ FAILED REQUESTS`: why requests failed, one line per `error_code` and message, most
//! frequent first, in the style of k6's rate lines (`http_req_failed...: 2.50% 5 out of 200`):
//!
//! ```text
//!   █ FAILED REQUESTS
//!
//!     1212 dial: connection refused.....: 50.00% 20 out of 40
//!     1503 503 Service Unavailable......: 30.00% 12 out of 40
//!     1404 404 Not Found................: 20.00% 8 out of 40
//!          other (3 distinct)...........: 5.00%  2 out of 40
//! ```
//!
//! The share is of the run's failures (the requests `http_req_failed` counts and the failed
//! WebSocket connects). Printed only when something failed; the rows and the "other" line are
//! decided by `crate::results::FailedRequests`.

use super::humanize::percent;
use super::layout::{Ctx, Item};
use super::{Painter, TITLE_PREFIX};
use crate::results::FailedRequests;

/// The section, or nothing when no request failed. Like every part of the text, it starts with
/// a newline and ends with a blank line.
pub fn render_failures(table: &FailedRequests, color: bool) -> String {
    if table.is_empty() {
        return String::new();
    }
    let paint = Painter { color };
    let root = Ctx { base: 0 };
    let ctx = root.deeper();
    let code_width = table.rows.iter().map(|r| r.error_code.to_string().len()).max().unwrap_or(0);
    let mut lines: Vec<(String, u64)> = table
        .rows
        .iter()
        .map(|row| (format!("{:>code_width$} {}", row.error_code, one_line(&row.message)), row.count))
        .collect();
    if let Some(other) = &table.other {
        let plus = if other.at_least { "+" } else { "" };
        let indent = if code_width > 0 { " ".repeat(code_width + 1) } else { String::new() };
        lines.push((format!("{indent}other ({}{plus} distinct)", other.distinct), other.count));
    }
    let name_width = lines.iter().map(|(name, _)| width(name)).max().unwrap_or(0);
    let shares: Vec<String> = lines.iter().map(|(_, count)| percent(*count as f64 / table.total as f64)).collect();
    let share_width = shares.iter().map(|s| width(s)).max().unwrap_or(0);

    let title = root.indent(&format!("{TITLE_PREFIX} {} \n", paint.bold("FAILED REQUESTS")));
    let mut items = vec![Item::Line(title)];
    for ((name, count), share) in lines.iter().zip(&shares) {
        let dots = ".".repeat(name_width + 3 - width(name));
        let pad = " ".repeat(share_width - width(share));
        let extra = format!("{count} out of {}", table.total);
        items.push(Item::Line(ctx.indent(&format!(
            "{name}{} {}{pad} {}",
            paint.faint_white(&format!("{dots}:")),
            paint.cyan(share),
            paint.cyan_faint(&extra)
        ))));
    }
    // k6 ends a section's block and the section each with a blank item.
    items.extend([Item::Blank, Item::Blank]);
    let mut out = String::new();
    for item in items {
        out.push('\n');
        if let Item::Line(line) = item {
            out.push_str(&line);
        }
    }
    out
}

/// A message on one line: a line break inside it (a server's text) would break the table.
fn one_line(message: &str) -> String {
    message.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn width(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{FailureRow, OtherFailures};

    fn row(error_code: u32, message: &str, count: u64) -> FailureRow {
        FailureRow { error_code, message: message.to_owned(), count }
    }

    #[test]
    fn the_section_lists_each_failure_with_its_share_like_k6s_rate_lines() {
        let table = FailedRequests {
            total: 40,
            rows: vec![row(1212, "dial: connection refused", 20), row(1503, "503 Service Unavailable", 12)],
            other: Some(OtherFailures { count: 8, distinct: 3, at_least: false }),
        };
        let text = render_failures(&table, false);
        let expected = "\n  █ FAILED REQUESTS \n\
                        \n    1212 dial: connection refused...: 50.00% 20 out of 40\
                        \n    1503 503 Service Unavailable....: 30.00% 12 out of 40\
                        \n         other (3 distinct).........: 20.00% 8 out of 40\
                        \n\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn nothing_is_printed_when_nothing_failed() {
        assert_eq!(render_failures(&FailedRequests::default(), false), "");
    }

    #[test]
    fn a_message_with_line_breaks_stays_on_its_line() {
        let table = FailedRequests { total: 1, rows: vec![row(1000, "bad\r\nthing", 1)], other: None };
        let text = render_failures(&table, false);
        assert!(text.contains("1000 bad  thing...: 100.00% 1 out of 1"), "{text}");
    }
}
