//! Live progress while the test runs, in k6's layout: the run line, then one line per scenario
//! with its bar, VUs and time, then rload's live line of HTTP figures.
//!
//! ```text
//! running (00m05.2s), 10/10 VUs, 480 complete and 0 interrupted iterations
//! default   [=========>------------------------------] 10/10 VUs  05.2s/20s
//! http      96 req/s  0.00% failed  p(95)=2.35ms
//! ```
//!
//! On a terminal the lines are redrawn ten times a second in place (`stdio::draw_live`, which
//! also keeps error lines from overwriting them); otherwise they are printed once a second, as
//! k6 does, with `[  26% ]` for the bar. `-q` shows none of it (errors still show). The HTTP
//! figures are read from the process-wide aggregate once a second: request rate over that second,
//! and the share failed and p(95) of `http_req_duration` since the start.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::report::is_tty;
use super::scenario::ScenarioRuntime;
use crate::config::format_duration;
use crate::metrics::{self, builtin, SeriesSink};
use crate::stdio;

const BAR_WIDTH: usize = 40;

/// Shows progress until the future is dropped (the test's end).
pub async fn show(runtimes: &[Arc<ScenarioRuntime>], started: Instant) {
    let tty = is_tty(2);
    let period = if tty { Duration::from_millis(100) } else { Duration::from_secs(1) };
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    let mut http = HttpRate::default();
    loop {
        tick.tick().await;
        http.update();
        let mut lines = vec![run_line(runtimes, started)];
        let width = runtimes.iter().map(|s| s.name().len()).max().unwrap_or(0).max(7);
        lines.extend(runtimes.iter().map(|s| scenario_line(s, width, tty)));
        lines.extend(http.line(width));
        if tty {
            stdio::draw_live(&lines);
        } else {
            for line in &lines {
                stdio::errln(line);
            }
        }
    }
}

fn run_line(runtimes: &[Arc<ScenarioRuntime>], started: Instant) -> String {
    let vus: u64 = runtimes.iter().map(|s| s.current_vus()).sum();
    let max: u64 = runtimes.iter().map(|s| s.state.allocated.load(Ordering::Relaxed)).sum();
    let complete: u64 = runtimes.iter().map(|s| s.state.completed.load(Ordering::Relaxed)).sum();
    let interrupted: u64 = runtimes.iter().map(|s| s.state.interrupted.load(Ordering::Relaxed)).sum();
    let secs = started.elapsed().as_secs_f64();
    format!(
        "running ({:02}m{:04.1}s), {vus}/{max} VUs, {complete} complete and {interrupted} interrupted iterations",
        (secs / 60.0).floor() as u64,
        secs % 60.0
    )
}

fn scenario_line(s: &ScenarioRuntime, width: usize, tty: bool) -> String {
    let progress = if s.started_at().is_some() { s.progress().clamp(0.0, 1.0) } else { 0.0 };
    let bar = if tty {
        let filled = (progress * BAR_WIDTH as f64).round() as usize;
        let head = if filled < BAR_WIDTH { ">" } else { "" };
        format!("[{}{head}{}]", "=".repeat(filled.min(BAR_WIDTH)), "-".repeat(BAR_WIDTH.saturating_sub(filled + 1)))
    } else {
        format!("[ {:>3.0}% ]", progress * 100.0)
    };
    let duration = s.config.max_duration();
    let elapsed = s.started_at().map_or(Duration::ZERO, |t| t.elapsed().min(duration));
    format!(
        "{:<width$} {bar} {}/{} VUs  {:.1}s/{}",
        s.name(),
        s.current_vus(),
        s.config.max_vus(),
        elapsed.as_secs_f64(),
        format_duration(duration)
    )
}

/// Requests per second over the last second, and the share failed and p(95) so far.
#[derive(Default)]
struct HttpRate {
    last: Option<(Instant, f64)>,
    updated: Option<Instant>,
    figures: Option<(f64, f64, f64)>,
}

impl HttpRate {
    fn update(&mut self) {
        if self.updated.is_some_and(|t| t.elapsed() < Duration::from_millis(950)) {
            return;
        }
        self.updated = Some(Instant::now());
        let (count, failed, p95) = metrics::with_aggregate(|agg| {
            let count = match agg.metric(builtin::HTTP_REQS).map(|m| m.merged()) {
                Some(SeriesSink::Counter(c)) => c.sum(),
                _ => 0.0,
            };
            let failed = match agg.metric(builtin::HTTP_REQ_FAILED).map(|m| m.merged()) {
                Some(SeriesSink::Rate(r)) => r.rate(),
                _ => 0.0,
            };
            let p95 = match agg.metric(builtin::HTTP_REQ_DURATION).map(|m| m.merged()) {
                Some(SeriesSink::Trend(t)) => t.percentile(0.95),
                _ => 0.0,
            };
            (count, failed, p95)
        });
        let now = Instant::now();
        if let Some((then, before)) = self.last {
            let secs = now.duration_since(then).as_secs_f64();
            if count > 0.0 && secs > 0.0 {
                self.figures = Some(((count - before) / secs, failed, p95));
            }
        }
        self.last = Some((now, count));
    }

    fn line(&self, width: usize) -> Option<String> {
        let (rate, failed, p95) = self.figures?;
        Some(format!("{:<width$} {rate:.0} req/s  {:.2}% failed  p(95)={p95:.2}ms", "http", failed * 100.0))
    }
}
