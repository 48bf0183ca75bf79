//! Writing to standard output without ever panicking.
//!
//! `print!` panics when stdout is a pipe whose reader went away (`rload run … | head -1`): in a
//! VU (a script's `print`) that kills the worker thread, in the scheduler it loses the summary.
//! Everything rload writes to stdout goes through [`out`] instead: the first failed write closes
//! stdout for the rest of the run, and the run goes on to write its files and exit as usual.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to stdout unless an earlier write found it closed.
pub fn out(text: &str) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// [`out`] with a newline.
pub fn outln(text: &str) {
    out(&format!("{text}\n"));
}
