//! The run's slope clock: where on the test's time line a gauge sample falls, for the `slope`
//! threshold aggregation (least-squares growth per minute).
//!
//! A run starts the clock when its test starts, with the warmup to leave out
//! (`--scrape-warmup`, default 30 s): [`slope_seconds`] is `None` before the test started and
//! during the warmup, then the seconds since the warmup ended. A gauge sample records its point
//! only when it has a time here, so a service's start-up (caches filling, pools growing) does
//! not read as a leak.
//!
//! Process-wide like the rest of `metrics`: one run at a time ([`SlopeClock`] is the type tests
//! instantiate on their own). Not here: the regression itself (`sink::GaugeSink`).

use std::sync::{PoisonError, RwLock};
use std::time::{Duration, Instant};

/// When the warmup of the running test ends, if a test runs.
#[derive(Debug, Default)]
pub struct SlopeClock {
    from: RwLock<Option<Instant>>,
}

impl SlopeClock {
    pub const fn new() -> Self {
        SlopeClock { from: RwLock::new(None) }
    }

    /// Starts the clock for a test that starts at `test_start`: samples count from
    /// `test_start + warmup` on.
    pub fn start(&self, test_start: Instant, warmup: Duration) {
        *self.from.write().unwrap_or_else(PoisonError::into_inner) = Some(test_start + warmup);
    }

    /// Stops the clock: samples from now on have no place on the slope's time line.
    pub fn stop(&self) {
        *self.from.write().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Seconds since the warmup ended; `None` before the test and during its warmup.
    pub fn seconds(&self) -> Option<f64> {
        let from = (*self.from.read().unwrap_or_else(PoisonError::into_inner))?;
        Instant::now().checked_duration_since(from).map(|d| d.as_secs_f64())
    }
}

static CLOCK: SlopeClock = SlopeClock::new();

/// Starts the process's slope clock (see [`SlopeClock::start`]).
pub fn start_slope_clock(test_start: Instant, warmup: Duration) {
    CLOCK.start(test_start, warmup);
}

/// Stops the process's slope clock.
pub fn stop_slope_clock() {
    CLOCK.stop();
}

/// The time of a gauge sample recorded now (see [`SlopeClock::seconds`]).
pub fn slope_seconds() -> Option<f64> {
    CLOCK.seconds()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_have_a_time_only_after_the_warmup() {
        let clock = SlopeClock::new();
        assert_eq!(clock.seconds(), None, "no test running");
        clock.start(Instant::now(), Duration::from_secs(3600));
        assert_eq!(clock.seconds(), None, "during the warmup");
        clock.start(Instant::now() - Duration::from_secs(10), Duration::from_secs(4));
        let t = clock.seconds().unwrap();
        assert!((6.0..7.0).contains(&t), "{t}");
        clock.stop();
        assert_eq!(clock.seconds(), None);
    }
}
