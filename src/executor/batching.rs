//! When arrival-rate tokens are released, and so when a worker thread wakes up to start them.
//!
//! A wake-up per arrival is dear: at 5,000 it/s a thread that slept and woke once per arrival
//! cost a third more CPU per iteration than tokio's millisecond timer (one wake-up a
//! millisecond, starting every arrival due by then, up to 2 ms late). [`Batching`] bounds the
//! wake-ups: a wake-up releases every arrival due by then, and the next wake-up comes at the
//! next arrival's planned time, but no sooner than [`Batching::window`] after this one. So a
//! lane's clock wakes at most once per window, an arrival is at most a window late (plus the
//! OS's wake-up latency, tens of µs), and none starts early. Arrivals further apart than the
//! window each get their own wake-up, on time; closer ones share one. Each iteration keeps its
//! planned time, which `iteration_start_delay` is measured against, and each is still given to a
//! VU on its own, so an iteration no VU is free for is dropped as before.
//!
//! The scheduler works the wake-ups out ahead of time ([`Releases`]: each arrival's release
//! instant) and hands every arrival of one wake-up to one lane (`lanes.rs`), whose clock wakes at
//! that instant (`clock.rs`); arrivals it cannot hand out ahead it offers itself at their release
//! instant, waking on the same grid.
//!
//! Worked example (the tests below): arrivals every 200 µs from 0, a 500 µs window. The wake-up
//! at 0 starts the arrival at 0 and sleeps until 500 µs (the next arrival, at 200 µs, is sooner
//! than the window); at 500 µs it starts those at 200 and 400 µs (300 and 100 µs late) and sleeps
//! until 1,000 µs (the next, at 600 µs, is again sooner); at 1,000 µs it starts 600, 800 and
//! 1,000 µs. 2.5 arrivals per wake-up on average, none more than 300 µs late.
//!
//! What this is not: the waiting (the lanes' clocks, `VuPool::wait_until`) and the offer to an
//! idle VU (`arrivals.rs`).

use std::time::Duration;

use tokio::time::Instant;

/// How the arrival-rate scheduler groups arrivals into wake-ups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batching {
    /// The least time between two wake-ups, so the most an arrival waits for one.
    pub window: Duration,
}

impl Batching {
    /// Real runs: half a millisecond, so that together with the OS's wake-up latency an
    /// iteration starts within 1 ms of its planned time, at under half the wake-ups of one per
    /// arrival at 5,000 it/s.
    pub const RUN: Batching = Batching { window: Duration::from_micros(500) };
}

/// Each arrival's release instant: the wake-up that starts it when wake-ups come as
/// [`Batching::wake`] plans them on a clock that wakes exactly when asked.
#[derive(Debug, Clone, Copy)]
pub struct Releases {
    batching: Batching,
    /// The latest wake-up so far.
    last: Option<Instant>,
}

impl Releases {
    pub fn new(batching: Batching) -> Releases {
        Releases { batching, last: None }
    }

    /// The release instant of the arrival planned for `due`, which is not before the previous
    /// one asked about: `due` itself or up to a window later, never earlier.
    pub fn release(&mut self, due: Instant) -> Instant {
        let at = match self.last {
            None => due,
            Some(last) => match self.batching.wake(last, [due]) {
                Wake { start: 1, .. } => last,
                Wake { next, .. } => next.expect("an arrival ahead"),
            },
        };
        self.last = Some(at);
        at
    }
}

/// What one wake-up does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wake {
    /// How many of the arrivals ahead start now (the first ones).
    pub start: usize,
    /// When to wake next; `None` when no arrival is left.
    pub next: Option<Instant>,
}

impl Batching {
    /// A wake-up at `now`, with `ahead` the arrivals not started yet (planned start times, in
    /// order; only those due by `now` and the one after are read): which start now, and when
    /// to wake next.
    pub fn wake(&self, now: Instant, ahead: impl IntoIterator<Item = Instant>) -> Wake {
        let mut start = 0;
        for at in ahead {
            if at > now {
                return Wake { start, next: Some(at.max(now + self.window)) };
            }
            start += 1;
        }
        Wake { start, next: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    /// Runs the scheduler's loop on a clock that wakes exactly when asked: for each wake-up, its
    /// time and the planned times of the arrivals it started.
    fn wake_ups(b: Batching, t0: Instant, arrivals: &[Instant]) -> Vec<(Duration, Vec<Duration>)> {
        let (mut now, mut rest, mut log) = (t0, arrivals, Vec::new());
        loop {
            let w = b.wake(now, rest.iter().copied());
            let (started, left) = rest.split_at(w.start);
            log.push((now - t0, started.iter().map(|&a| a - t0).collect()));
            rest = left;
            match w.next {
                Some(next) => now = next,
                None => return log,
            }
        }
    }

    #[test]
    fn arrivals_closer_than_the_window_share_a_wake_up_and_none_starts_early() {
        // The module's worked example: every 200 µs from 0 to 1,400 µs, a 500 µs window.
        let t0 = Instant::now();
        let arrivals: Vec<Instant> = (0..8).map(|i| t0 + us(200 * i)).collect();
        let got = wake_ups(Batching { window: us(500) }, t0, &arrivals);
        let want: Vec<(Duration, Vec<Duration>)> = vec![
            (us(0), vec![us(0)]),
            (us(500), vec![us(200), us(400)]),
            (us(1000), vec![us(600), us(800), us(1000)]),
            (us(1500), vec![us(1200), us(1400)]),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn arrivals_further_apart_than_the_window_each_wake_on_time() {
        let t0 = Instant::now();
        let arrivals = [t0 + us(700), t0 + us(1500), t0 + us(2000)];
        let got = wake_ups(Batching { window: us(500) }, t0, &arrivals);
        let want: Vec<(Duration, Vec<Duration>)> =
            vec![(us(0), vec![]), (us(700), vec![us(700)]), (us(1500), vec![us(1500)]), (us(2000), vec![us(2000)])];
        assert_eq!(got, want);
    }

    #[test]
    fn release_instants_are_the_wake_ups_of_the_worked_example() {
        let t0 = Instant::now();
        let mut r = Releases::new(Batching { window: us(500) });
        let got: Vec<Duration> = (0..8).map(|i| r.release(t0 + us(200 * i)) - t0).collect();
        let want = [0, 500, 500, 1000, 1000, 1000, 1500, 1500].map(us);
        assert_eq!(got, want);
        // An arrival after a gap longer than the window is released on time.
        assert_eq!(r.release(t0 + us(2100)) - t0, us(2100));
        assert_eq!(r.release(t0 + us(2300)) - t0, us(2600));
    }

    #[test]
    fn a_late_wake_up_starts_every_arrival_due_by_then() {
        // The OS woke the scheduler 3 ms late (a stalled machine): the three overdue arrivals
        // start at once, the one still ahead waits for its time.
        let t0 = Instant::now();
        let arrivals = [t0 + us(1000), t0 + us(2000), t0 + us(3000), t0 + us(5000)];
        let w = Batching::RUN.wake(t0 + us(4000), arrivals);
        assert_eq!(w, Wake { start: 3, next: Some(t0 + us(5000)) });
        assert_eq!(Batching::RUN.wake(t0 + us(5000), [t0 + us(5000)]), Wake { start: 1, next: None });
        assert_eq!(Batching::RUN.wake(t0, []), Wake { start: 0, next: None });
    }
}
