//! Script errors raised during iterations: printed once per distinct message, counted always.
//!
//! A failing iteration must never flood the terminal or stop the run. The first occurrence of
//! each message is printed at once; repeats are only counted, and the end-of-test report lists
//! each message with its count. The number of distinct messages kept is bounded, and so is
//! each message's length: a script or a target that puts megabytes into its errors costs
//! neither memory nor a flooded terminal.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::script::diagnostics::RuntimeError;

const MAX_DISTINCT: usize = 1000;
/// Bytes of a message kept and printed; the rest is counted, not stored.
const MAX_MESSAGE_BYTES: usize = 1000;

pub struct ErrorLog {
    started: Instant,
    quiet: bool,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    counts: HashMap<String, u64>,
    order: Vec<String>,
    other: u64,
}

impl ErrorLog {
    pub fn new(quiet: bool) -> Self {
        ErrorLog { started: Instant::now(), quiet, inner: Mutex::new(Inner::default()) }
    }

    /// Counts `message`; prints it the first time it is seen.
    pub fn record(&self, message: &str) {
        self.record_shown(message, || message.to_string());
    }

    /// Counts a script error by its one-line message; prints it with its source line and caret
    /// the first time it is seen.
    pub fn record_script_error(&self, error: &RuntimeError) {
        self.record_shown(&error.message, || error.render());
    }

    /// Counts `message`; the first time it is seen, prints what `shown` makes of it.
    fn record_shown(&self, message: &str, shown: impl FnOnce() -> String) {
        let shortened = shorten(message);
        let message = shortened.as_deref().unwrap_or(message);
        let first = {
            let mut inner = self.inner.lock().unwrap();
            if let Some(n) = inner.counts.get_mut(message) {
                *n += 1;
                false
            } else if inner.counts.len() >= MAX_DISTINCT {
                inner.other += 1;
                false
            } else {
                inner.counts.insert(message.to_owned(), 1);
                inner.order.push(message.to_owned());
                true
            }
        };
        if first && !self.quiet {
            let secs = self.started.elapsed().as_secs();
            let shown = shown();
            let shown = if shown.len() > MAX_MESSAGE_BYTES { message.to_string() } else { shown };
            crate::logger::log(crate::logger::Level::Error, Some(secs), &shown, &[]);
        }
    }

    /// Each distinct message with its count, in first-seen order.
    pub fn counts(&self) -> Vec<(String, u64)> {
        let inner = self.inner.lock().unwrap();
        let mut out: Vec<(String, u64)> = inner.order.iter().map(|m| (m.clone(), inner.counts[m])).collect();
        if inner.other > 0 {
            out.push(("(other distinct errors)".into(), inner.other));
        }
        out
    }

    pub fn total(&self) -> u64 {
        self.counts().iter().map(|(_, n)| n).sum()
    }
}

/// `message` cut to [`MAX_MESSAGE_BYTES`] (at a character boundary) with the length of the
/// rest, or `None` when it is short enough already.
fn shorten(message: &str) -> Option<String> {
    if message.len() <= MAX_MESSAGE_BYTES {
        return None;
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    Some(format!("{}… ({} more bytes)", &message[..end], message.len() - end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_kept_and_printed_shortened() {
        let log = ErrorLog::new(true);
        let huge = "é".repeat(600_000); // 1.2 MB, two bytes a character
        log.record(&huge);
        log.record(&huge);
        let counts = log.counts();
        assert_eq!(counts.len(), 1);
        assert!(counts[0].0.len() < 1100, "{}", counts[0].0.len());
        assert!(counts[0].0.ends_with("… (1199000 more bytes)"), "{}", &counts[0].0[990..]);
        assert_eq!(counts[0].1, 2);
    }

    #[test]
    fn counts_repeats_and_keeps_first_seen_order() {
        let log = ErrorLog::new(true);
        for m in ["b", "a", "b", "b"] {
            log.record(m);
        }
        assert_eq!(log.counts(), vec![("b".to_string(), 3), ("a".to_string(), 1)]);
        assert_eq!(log.total(), 4);
    }
}
