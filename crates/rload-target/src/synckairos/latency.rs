//! The time the real service waits on Redis: each command it sends (`GET`, `SETEX`,
//! `PUBLISH`, a rate limiter's script) is one round trip, and a request waits for them one
//! after another. The target keeps its sessions in memory, so without this a switch would
//! answer in microseconds and two partners' simultaneous switches would always collide,
//! unlike the service (issue 12: 0.13–0.15% 409s and switchCycle p50 9.9–15 ms in scenario
//! 04 at 50 VUs, against 0.42% and 2.65 ms from a target without round trips).
//!
//! A round trip sleeps `rtt` scaled by a uniform random factor in `1 ± jitter`: the spread
//! decides which of two racing requests reaches each step first, which is what turns
//! "both partners switch in the same millisecond" into an occasional 409 rather than a
//! certain one (or none). tokio's timer has a 1 ms resolution, so a sleep ends on the next
//! millisecond tick at or after its deadline. This file only waits; the routes say how
//! many round trips each request makes.

use std::time::Duration;

use rand::Rng;

/// One Redis round trip as the target simulates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedisLatency {
    /// Mean duration of one round trip; zero makes a round trip a mere yield to other tasks.
    pub rtt: Duration,
    /// Spread of each round trip around `rtt`, in percent (0–100).
    pub jitter_percent: u32,
}

impl RedisLatency {
    /// The defaults, calibrated against the real service with `bench/calibrate-04`: 1 ms with
    /// a spread of ±100%, so a round trip takes anything from nothing to 2 ms as the service's
    /// do when its event loop queues them. ±50% (a steadier Redis) gave half the service's
    /// conflict share at any mean; see bench/README.md for the runs.
    pub const CALIBRATED: Self = Self { rtt: Duration::from_micros(1_000), jitter_percent: 100 };

    /// Waits one round trip.
    pub async fn round_trip(&self) {
        let wait = self.draw(rand::rng().random_range(-1.0..=1.0));
        if wait.is_zero() {
            tokio::task::yield_now().await;
        } else {
            tokio::time::sleep(wait).await;
        }
    }

    /// The round trip for a uniform draw `u` in [-1, 1].
    fn draw(&self, u: f64) -> Duration {
        let spread = f64::from(self.jitter_percent.min(100)) / 100.0;
        self.rtt.mul_f64((1.0 + spread * u.clamp(-1.0, 1.0)).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_trip_spreads_around_its_mean_by_the_jitter() {
        let latency = RedisLatency { rtt: Duration::from_millis(2), jitter_percent: 50 };
        assert_eq!(latency.draw(-1.0), Duration::from_millis(1));
        assert_eq!(latency.draw(0.0), Duration::from_millis(2));
        assert_eq!(latency.draw(1.0), Duration::from_millis(3));
        let steady = RedisLatency { jitter_percent: 0, ..latency };
        assert_eq!(steady.draw(1.0), Duration::from_millis(2));
    }
}
