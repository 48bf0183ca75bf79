//! Why requests failed: a bounded tally of failed requests by k6 `error_code` and message, kept
//! beside the metrics and merged the same way (thread sink → flush → aggregate).
//!
//! Why not read it from the `http_req_failed` series: a message that varies (an address, an id,
//! a server's own reason phrase) would fill the run's series cap and lose the very detail the
//! table is for. The tally is bounded on its own terms instead:
//! - a message is kept to [`MAX_MESSAGE_BYTES`] (cut at a character boundary, `…` appended);
//! - [`MAX_KINDS`] distinct `(error_code, message)` pairs are kept with their text and count;
//! - past those, up to [`MAX_OTHER_KINDS`] more pairs are still told apart (by a 64-bit hash of
//!   the pair, no text), so the report can say how many distinct messages it left out; past
//!   both, failures are only counted.
//!
//! A pair is identified by that hash everywhere (kept or not), so a message one thread had to
//! leave out and the aggregate keeps (or the reverse) is still counted once, in one place. Two
//! pairs with the same 64-bit hash would be counted together; among the few thousand pairs a
//! tally tells apart, that chance is about 10⁻¹².
//!
//! A failure is recorded only when a request failed (the hot path of a successful request never
//! comes here); an existing pair costs one hash and one lookup, no allocation.
//!
//! Not here: what counts as failed (`crate::http::samples`, `crate::ws`), how the table is
//! ordered, cut to its shown rows and printed (`crate::results`, `crate::output`).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Bytes of a message kept; longer ones are cut and end with `…`.
pub const MAX_MESSAGE_BYTES: usize = 120;
/// Distinct `(error_code, message)` pairs kept with their text.
pub const MAX_KINDS: usize = 500;
/// Further distinct pairs told apart (without their text) for the count of left-out messages.
pub const MAX_OTHER_KINDS: usize = 10_000;

/// One kind of failure: k6's `error_code` and the message, with how often it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureKind {
    pub error_code: u32,
    /// At most [`MAX_MESSAGE_BYTES`] of the message, plus `…` when it was longer.
    pub message: String,
    pub count: u64,
}

/// The failures the tally could not keep with their text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeftOut {
    /// Failures among them.
    pub count: u64,
    /// Distinct `(error_code, message)` pairs among them that were told apart.
    pub distinct: u64,
    /// True when some failures were past every bound, so there may be more distinct pairs
    /// than [`LeftOut::distinct`].
    pub more_distinct: bool,
}

/// Failed requests by `(error_code, message)`, bounded (see the module doc).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FailureTally {
    /// The kept pairs, by the hash of the pair.
    kinds: HashMap<u64, FailureKind>,
    /// Pairs past [`MAX_KINDS`]: hash → count.
    other: HashMap<u64, u64>,
    /// Failures past [`MAX_OTHER_KINDS`] as well: counted only.
    untold: u64,
}

/// `message` within [`MAX_MESSAGE_BYTES`] (at a character boundary), and whether it was cut;
/// also what the `error` tag of a failed request keeps.
pub fn shorten(message: &str) -> (&str, bool) {
    if message.len() <= MAX_MESSAGE_BYTES {
        return (message, false);
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    (&message[..end], true)
}

/// The identity of a pair. `DefaultHasher::new()` hashes alike on every thread of the process,
/// so thread sinks and the aggregate agree.
fn key_of(error_code: u32, kept: &str, cut: bool) -> u64 {
    let mut hasher = DefaultHasher::new();
    (error_code, kept, cut).hash(&mut hasher);
    hasher.finish()
}

impl FailureTally {
    /// An empty tally.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one failure with k6's `error_code` and `message`.
    pub fn record(&mut self, error_code: u32, message: &str) {
        self.record_n(error_code, message, 1);
    }

    /// Counts `count` failures with k6's `error_code` and `message`. A message read back from
    /// another process's [`FailureKind`] (already cut, `…` appended) lands on the same pair as
    /// the original: cutting it again keeps the same bytes.
    pub fn record_n(&mut self, error_code: u32, message: &str, count: u64) {
        let (kept, cut) = shorten(message);
        let key = key_of(error_code, kept, cut);
        if let Some(kind) = self.kinds.get_mut(&key) {
            kind.count += count;
        } else if self.kinds.len() < MAX_KINDS {
            let message = if cut { format!("{kept}…") } else { kept.to_owned() };
            self.kinds.insert(key, FailureKind { error_code, message, count });
        } else {
            self.add_other(key, count);
        }
    }

    /// Counts `count` failures known only by number (another process's left-out ones).
    pub fn record_untold(&mut self, count: u64) {
        self.untold += count;
    }

    fn add_other(&mut self, key: u64, count: u64) {
        if let Some(n) = self.other.get_mut(&key) {
            *n += count;
        } else if self.other.len() < MAX_OTHER_KINDS {
            self.other.insert(key, count);
        } else {
            self.untold += count;
        }
    }

    /// Adds everything `other` counted (another thread's, another process's).
    pub fn merge(&mut self, other: &FailureTally) {
        for (&key, kind) in &other.kinds {
            if let Some(mine) = self.kinds.get_mut(&key) {
                mine.count += kind.count;
            } else if self.kinds.len() < MAX_KINDS {
                self.kinds.insert(key, kind.clone());
            } else {
                self.add_other(key, kind.count);
            }
        }
        for (&key, &count) in &other.other {
            match self.kinds.get_mut(&key) {
                Some(mine) => mine.count += count,
                None => self.add_other(key, count),
            }
        }
        self.untold += other.untold;
    }

    /// The kept pairs, in no particular order.
    pub fn kinds(&self) -> impl Iterator<Item = &FailureKind> {
        self.kinds.values()
    }

    /// What was counted without its text.
    pub fn left_out(&self) -> LeftOut {
        LeftOut {
            count: self.other.values().sum::<u64>() + self.untold,
            distinct: self.other.len() as u64,
            more_distinct: self.untold > 0,
        }
    }

    /// Every failure counted.
    pub fn total(&self) -> u64 {
        self.kinds.values().map(|k| k.count).sum::<u64>() + self.left_out().count
    }

    /// True when no failure was counted.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty() && self.other.is_empty() && self.untold == 0
    }

    /// Forgets every failure.
    pub fn clear(&mut self) {
        self.kinds.clear();
        self.other.clear();
        self.untold = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_of(tally: &FailureTally, code: u32, message: &str) -> Option<u64> {
        tally.kinds().find(|k| k.error_code == code && k.message == message).map(|k| k.count)
    }

    #[test]
    fn failures_are_counted_by_code_and_message() {
        let mut tally = FailureTally::new();
        for _ in 0..3 {
            tally.record(1212, "dial: connection refused");
        }
        tally.record(1404, "404 Not Found");
        tally.record(1000, "404 Not Found");
        assert_eq!(count_of(&tally, 1212, "dial: connection refused"), Some(3));
        assert_eq!(count_of(&tally, 1404, "404 Not Found"), Some(1));
        assert_eq!(count_of(&tally, 1000, "404 Not Found"), Some(1), "same text, another code: another row");
        assert_eq!((tally.total(), tally.left_out()), (5, LeftOut::default()));
    }

    #[test]
    fn a_long_message_is_kept_cut_and_marked() {
        let mut tally = FailureTally::new();
        let huge = "é".repeat(500_000);
        tally.record(1000, &huge);
        tally.record(1000, &huge);
        let kind = tally.kinds().next().unwrap();
        assert!(kind.message.len() <= MAX_MESSAGE_BYTES + '…'.len_utf8(), "{}", kind.message.len());
        assert!(kind.message.ends_with("é…"), "{}", kind.message);
        assert_eq!(kind.count, 2);
    }

    #[test]
    fn distinct_messages_past_the_bounds_are_counted_and_told_apart_without_text() {
        let mut tally = FailureTally::new();
        let extra = MAX_OTHER_KINDS + 7;
        for i in 0..MAX_KINDS + extra {
            tally.record(1000, &format!("unexpected id {i}"));
        }
        tally.record(1000, "unexpected id 0");
        assert_eq!(tally.kinds().count(), MAX_KINDS);
        assert_eq!(tally.total(), (MAX_KINDS + extra + 1) as u64);
        let left = tally.left_out();
        assert_eq!(left.count, extra as u64);
        assert_eq!(left.distinct, MAX_OTHER_KINDS as u64);
        assert!(left.more_distinct);
    }

    /// A thread that had to leave a message out hands its count to the aggregate, which kept
    /// that message: the count lands on the message's row, not in "other".
    #[test]
    fn merging_counts_a_pair_in_one_place_whoever_left_it_out() {
        let mut aggregate = FailureTally::new();
        aggregate.record(1503, "503 Service Unavailable");
        let mut thread = FailureTally::new();
        for i in 0..MAX_KINDS {
            thread.record(1000, &format!("id {i}"));
        }
        thread.record(1503, "503 Service Unavailable");
        thread.record(1503, "503 Service Unavailable");
        assert_eq!(count_of(&thread, 1503, "503 Service Unavailable"), None, "left out by the thread");
        aggregate.merge(&thread);
        assert_eq!(count_of(&aggregate, 1503, "503 Service Unavailable"), Some(3));
        assert_eq!(aggregate.total(), MAX_KINDS as u64 + 3);
        assert_eq!(aggregate.left_out().count, 1, "one of the thread's ids did not fit");
    }
}
