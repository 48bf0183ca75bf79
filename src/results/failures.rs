//! Why requests failed: the run's failure tally as the summary and `handle_summary` show it,
//! decided once here: rows by `error_code` and message, most frequent first, at most
//! [`SHOWN_ROWS`] of them; the rest summed into one "other" entry with its count of distinct
//! messages.
//!
//! What counts as a failure is decided where requests are recorded: every hop that
//! `http_req_failed` counts (statuses from 400 up with `1000 + status`, transport errors with
//! their codes) and every WebSocket connect that failed (`crate::metrics::FailureTally`).

use crate::metrics::FailureTally;

/// Rows shown; the rest go into [`FailedRequests::other`].
pub const SHOWN_ROWS: usize = 20;

/// One row: how many requests failed with this code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRow {
    /// k6's `error_code` (`1404`, `1212`, …); 0 for a failure without one (a 1xx status).
    pub error_code: u32,
    /// The transport error's message, or the status text (`404 Not Found`); long messages cut.
    pub message: String,
    pub count: u64,
}

/// The failures not shown as rows of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OtherFailures {
    pub count: u64,
    /// Distinct `(error_code, message)` pairs among them.
    pub distinct: u64,
    /// True when there may be more distinct pairs than [`OtherFailures::distinct`] (the run saw
    /// more than rload tells apart).
    pub at_least: bool,
}

/// Failed requests by error code and message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailedRequests {
    /// Every failure counted.
    pub total: u64,
    /// By count, most first; ties by code, then message. At most [`SHOWN_ROWS`].
    pub rows: Vec<FailureRow>,
    /// What did not fit in [`FailedRequests::rows`].
    pub other: Option<OtherFailures>,
}

impl FailedRequests {
    /// The table of `tally`.
    pub fn from_tally(tally: &FailureTally) -> Self {
        let mut rows: Vec<FailureRow> = tally
            .kinds()
            .map(|k| FailureRow { error_code: k.error_code, message: k.message.clone(), count: k.count })
            .collect();
        rows.sort_by(|a, b| {
            b.count.cmp(&a.count).then(a.error_code.cmp(&b.error_code)).then_with(|| a.message.cmp(&b.message))
        });
        let hidden = rows.split_off(rows.len().min(SHOWN_ROWS));
        let left_out = tally.left_out();
        let other = OtherFailures {
            count: hidden.iter().map(|r| r.count).sum::<u64>() + left_out.count,
            distinct: hidden.len() as u64 + left_out.distinct,
            at_least: left_out.more_distinct,
        };
        FailedRequests { total: tally.total(), rows, other: (other.count > 0).then_some(other) }
    }

    /// True when nothing failed.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_ordered_by_count_then_code() {
        let mut tally = FailureTally::new();
        let mut record = |code, message: &str, times| (0..times).for_each(|_| tally.record(code, message));
        record(1503, "503 Service Unavailable", 2);
        record(1212, "dial: connection refused", 5);
        record(1404, "404 Not Found", 2);
        let table = FailedRequests::from_tally(&tally);
        let rows: Vec<(u32, &str, u64)> =
            table.rows.iter().map(|r| (r.error_code, r.message.as_str(), r.count)).collect();
        assert_eq!(
            rows,
            [(1212, "dial: connection refused", 5), (1404, "404 Not Found", 2), (1503, "503 Service Unavailable", 2)]
        );
        assert_eq!((table.total, table.other), (9, None));
    }

    #[test]
    fn rows_past_the_shown_ones_are_summed_with_their_distinct_count() {
        let mut tally = FailureTally::new();
        for i in 0..SHOWN_ROWS as u64 + 5 {
            for _ in 0..=i {
                tally.record(1000, &format!("message {i}"));
            }
        }
        let table = FailedRequests::from_tally(&tally);
        assert_eq!(table.rows.len(), SHOWN_ROWS);
        assert_eq!(table.rows[0].message, format!("message {}", SHOWN_ROWS + 4), "most frequent first");
        // The five least frequent (1..=5 failures each) were left out.
        assert_eq!(table.other, Some(OtherFailures { count: 15, distinct: 5, at_least: false }));
        assert_eq!(table.total, table.rows.iter().map(|r| r.count).sum::<u64>() + 15);
    }

    #[test]
    fn no_failures_make_an_empty_table() {
        let table = FailedRequests::from_tally(&FailureTally::new());
        assert!(table.is_empty());
        assert_eq!((table.rows.len(), table.other), (0, None));
    }
}
