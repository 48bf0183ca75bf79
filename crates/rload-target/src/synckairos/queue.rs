//! The write-behind "DB write" queue standing in for the real service's DBWriteQueue
//! (BullMQ jobs that copy each state change to PostgreSQL). There is no database here, so a
//! job carries nothing and the queue is only its depth: every mutation enqueues one job, and
//! a background task drains jobs at a fixed rate. When writes outpace that rate the depth
//! (`synckairos_db_write_queue_size`) grows, which is what a load test watches for.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the drain task wakes up.
const TICK: Duration = Duration::from_millis(10);

#[derive(Debug, Default)]
pub struct WriteQueue {
    depth: AtomicU64,
}

impl WriteQueue {
    pub fn enqueue(&self) {
        self.depth.fetch_add(1, Ordering::Relaxed);
    }

    pub fn depth(&self) -> u64 {
        self.depth.load(Ordering::Relaxed)
    }

    /// Removes up to `n` jobs; returns how many it removed.
    fn take(&self, n: u64) -> u64 {
        let mut taken = 0;
        let _ = self.depth.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |depth| {
            taken = depth.min(n);
            Some(depth - taken)
        });
        taken
    }

    /// Drains `per_second` jobs a second, forever (0: never). Must run inside a tokio runtime.
    pub fn spawn_drain(self: &Arc<Self>, per_second: u32) {
        if per_second == 0 {
            return;
        }
        let queue = Arc::clone(self);
        tokio::spawn(async move {
            let mut drain = Drain::new(per_second);
            let mut ticks = tokio::time::interval(TICK);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let budget = drain.budget(Instant::now());
                drain.spent(queue.take(budget));
            }
        });
    }
}

/// How many jobs the drain may take at an instant: `per_second` × elapsed time, with the
/// fractions carried over, and no credit saved up while the queue was empty.
#[derive(Debug)]
struct Drain {
    per_second: f64,
    last: Option<Instant>,
    credit: f64,
}

impl Drain {
    fn new(per_second: u32) -> Self {
        Self { per_second: f64::from(per_second), last: None, credit: 0.0 }
    }

    fn budget(&mut self, now: Instant) -> u64 {
        if let Some(last) = self.last {
            self.credit += self.per_second * now.duration_since(last).as_secs_f64();
        }
        self.last = Some(now);
        self.credit.floor() as u64
    }

    fn spent(&mut self, taken: u64) {
        let budget = self.credit.floor();
        // Unused whole jobs are forgotten (an idle queue saves no credit), fractions are kept.
        self.credit = if (taken as f64) < budget { self.credit.fract() } else { self.credit - taken as f64 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drain_takes_the_rate_times_elapsed_time() {
        let start = Instant::now();
        let mut drain = Drain::new(250);
        assert_eq!(drain.budget(start), 0);
        // 10 ms at 250/s is 2.5 jobs: 2 now, the half carried to the next tick.
        assert_eq!(drain.budget(start + Duration::from_millis(10)), 2);
        drain.spent(2);
        assert_eq!(drain.budget(start + Duration::from_millis(20)), 5 - 2);
        // An empty queue takes nothing and the unused credit is not saved up.
        drain.spent(0);
        assert_eq!(drain.budget(start + Duration::from_millis(24)), 1);
    }

    #[test]
    fn taking_never_goes_below_zero() {
        let queue = WriteQueue::default();
        (0..3).for_each(|_| queue.enqueue());
        assert_eq!((queue.take(2), queue.take(5), queue.depth()), (2, 1, 0));
    }
}
