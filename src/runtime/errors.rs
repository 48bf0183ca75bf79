//! Script errors raised during iterations: printed once per distinct message, counted always.
//!
//! A failing iteration must never flood the terminal or stop the run. The first occurrence of
//! each message is printed at once; repeats are only counted, and the end-of-test report lists
//! each message with its count. The number of distinct messages kept is bounded.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

const MAX_DISTINCT: usize = 1000;

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
            let _ = writeln!(std::io::stderr(), "ERRO[{secs:04}] {message}");
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

#[cfg(test)]
mod tests {
    use super::*;

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
