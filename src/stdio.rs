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

/// Lines of live progress currently drawn at the bottom of a terminal's stderr (0 when none).
static LIVE_LINES: std::sync::Mutex<usize> = std::sync::Mutex::new(0);

/// Writes a line to stderr. When live progress is drawn below (a terminal), it is cleared
/// first and redrawn by the next progress tick, so error lines and progress never overwrite
/// each other. Every message rload prints to stderr during a run goes through here.
pub fn errln(text: &str) {
    let mut live = LIVE_LINES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}{text}", clear_up(*live));
    let _ = stderr.flush();
    *live = 0;
}

/// Replaces the live progress area on a terminal's stderr with `lines`.
pub fn draw_live(lines: &[String]) {
    let mut live = LIVE_LINES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut text = clear_up(*live);
    for line in lines {
        text.push_str(line);
        text.push_str("\x1b[K\n");
    }
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes()).and_then(|()| stderr.flush());
    *live = lines.len();
}

/// Leaves the last live progress on screen, as it was, and stops redrawing over it.
pub fn keep_live() {
    *LIVE_LINES.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = 0;
}

/// ANSI: to the start of the line `n` lines up, then clear to the end of the screen.
fn clear_up(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!("\x1b[{n}F\x1b[J")
    }
}
