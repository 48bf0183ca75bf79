//! The runner of the arrival-rate executors (`constant-arrival-rate`, `ramping-arrival-rate`):
//! iterations start on a schedule, each on a VU that is free at that moment.
//!
//! Written once for both executors (k6 writes this loop twice); each executor only supplies its
//! schedule, an [`ArrivalPlan`]. Idle VUs queue for tokens, even before the start so that the
//! iteration due at t=0 finds them, each in its worker thread's lane; at each planned start the
//! scheduler offers one token (waking once per batch of due arrivals, `batching.rs`, each token
//! keeping its planned time), and a wake-up's tokens go to one lane while it has idle VUs, so a
//! batch wakes one worker thread, not one per arrival (the lane with the most idle VUs, in turn
//! among equals). A token no idle VU can take is a dropped iteration (`dropped_iterations`),
//! and then, while the scenario has fewer than `maxVUs`, one more VU is started for the
//! iterations to come.
//!
//! Execution segments: like k6, the schedule is the whole test's, and this segment runs the
//! iterations whose global index is in its stripe of the tuple re-segmented by `maxVUs`
//! ([`ExecutionTuple::for_value`]), at the times the whole test would run them.

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::batching::Batching;
use super::runner::{LocalFuture, Offer, Permit, Runner, ScenarioState, VuPool};
use super::segment::ExecutionTuple;

/// An arrival-rate executor's schedule for the whole test.
pub trait ArrivalPlan: Send + Sync {
    /// Start offsets of iterations 0, 1, 2, ... after the scenario start, in order.
    fn starts(&self) -> Box<dyn Iterator<Item = Duration> + '_>;
}

/// Token lanes: one per worker thread (modulo this), so a token can go to an idle VU on a
/// thread chosen for its batch.
const LANES: usize = 32;

thread_local! {
    /// This thread's lane (its worker index); 0 outside the workers.
    static LANE: Cell<usize> = const { Cell::new(0) };
}

/// Makes VUs waiting for tokens on this thread wait in lane `worker_index`. Called once by each
/// worker thread at its start.
pub fn set_worker_lane(worker_index: usize) {
    LANE.with(|l| l.set(worker_index % LANES));
}

/// One worker thread's side of the exchange: its VUs waiting for a token and the tokens offered
/// to them.
#[derive(Debug, Default)]
struct Lane {
    /// Planned start times offered and not yet taken.
    queue: VecDeque<Instant>,
    /// VUs waiting for a token.
    idle: u64,
}

impl Lane {
    /// Waiting VUs no token is offered to yet.
    fn room(&self) -> u64 {
        self.idle.saturating_sub(self.queue.len() as u64)
    }
}

#[derive(Debug, Default)]
struct Tokens {
    lanes: [Lane; LANES],
    /// The lane after the last one a batch went to, where the search for the next one starts,
    /// so that lanes with equal room take batches in turn.
    rotor: usize,
}

impl Tokens {
    /// The lane with the most room, the first from `rotor` on among equals; `None` if no VU
    /// waits anywhere.
    fn roomiest(&self) -> Option<usize> {
        let (mut best, mut most) = (None, 0);
        for i in (0..LANES).map(|k| (self.rotor + k) % LANES) {
            if self.lanes[i].room() > most {
                (best, most) = (Some(i), self.lanes[i].room());
            }
        }
        best
    }

    /// Queues `scheduled` in the lane [`ArrivalRate::offer`] chooses and returns it; `None`
    /// (nothing queued) if no lane has a waiting VU without a token.
    fn place(&mut self, scheduled: Instant, batch: &mut Option<usize>) -> Option<usize> {
        let lane = match *batch {
            Some(lane) if self.lanes[lane].room() > 0 => lane,
            _ => self.roomiest()?,
        };
        if *batch != Some(lane) {
            *batch = Some(lane);
            self.rotor = (lane + 1) % LANES;
        }
        self.lanes[lane].queue.push_back(scheduled);
        Some(lane)
    }
}

/// Arrival-rate iterations handed to idle VUs.
pub struct ArrivalRate {
    plan: Box<dyn ArrivalPlan>,
    /// The segment's stripe of global iterations; `None`: this segment runs none.
    stripe: Option<ExecutionTuple>,
    pre_allocated_vus: u64,
    max_vus: u64,
    tokens: Mutex<Tokens>,
    /// Per lane: wakes one of its waiting VUs.
    notify: [Notify; LANES],
    batching: Batching,
}

impl ArrivalRate {
    /// `unscaled_max_vus` is the config's `maxVUs`, which k6 re-segments the tuple by;
    /// `pre_allocated_vus` and `max_vus` are this segment's.
    pub fn new(
        plan: Box<dyn ArrivalPlan>,
        et: &ExecutionTuple,
        unscaled_max_vus: u64,
        pre_allocated_vus: u64,
        max_vus: u64,
    ) -> ArrivalRate {
        ArrivalRate {
            plan,
            stripe: et.for_value(unscaled_max_vus),
            pre_allocated_vus,
            max_vus,
            tokens: Mutex::new(Tokens::default()),
            notify: std::array::from_fn(|_| Notify::new()),
            batching: Batching::RUN,
        }
    }

    /// This segment's iterations, in order: their global index (among the whole test's
    /// iterations) and start offset.
    pub fn starts(&self) -> impl Iterator<Item = (u64, Duration)> + '_ {
        let mut mine = self.stripe.iter().flat_map(|et| et.stripe()).peekable();
        (0u64..).zip(self.plan.starts()).filter(move |(i, _)| mine.next_if_eq(i).is_some())
    }

    /// VUs waiting for a token right now.
    fn idle_vus(&self) -> u64 {
        self.tokens.lock().unwrap().lanes.iter().map(|l| l.idle).sum()
    }

    async fn next_token(&self, state: &ScenarioState) -> Option<Permit> {
        let lane = LANE.with(Cell::get);
        loop {
            let notified = self.notify[lane].notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut t = self.tokens.lock().unwrap();
                let t = &mut t.lanes[lane];
                if let Some(scheduled) = t.queue.pop_front() {
                    return Some(Permit { scheduled: Some(scheduled), ..Permit::NOW });
                }
                let over = state.started_at().is_some_and(|_| Instant::now() >= state.end());
                if state.is_stopping() || over {
                    return None;
                }
                t.idle += 1;
            }
            notified.await;
            self.tokens.lock().unwrap().lanes[lane].idle -= 1;
        }
    }

    /// Offers the iteration planned for `scheduled` to an idle VU: one on the thread of `batch`,
    /// the lane this wake-up's earlier arrivals went to, while it has one; else on the thread
    /// with the most, which becomes `batch`. So a wake-up's arrivals wake one thread, not one
    /// each, and batches go where VUs are free (in turn among equals).
    pub fn offer(&self, state: &ScenarioState, scheduled: Instant, batch: &mut Option<usize>) -> Offer {
        let placed = self.tokens.lock().unwrap().place(scheduled, batch);
        match placed {
            Some(lane) => {
                self.notify[lane].notify_one();
                Offer::Taken
            }
            None => {
                state.dropped.fetch_add(1, Ordering::Relaxed);
                Offer::Dropped
            }
        }
    }

    /// Offers each planned iteration in turn, waking once per batch of due arrivals
    /// ([`Batching`]): each keeps its planned time and is offered on its own.
    async fn run_schedule(&self, state: &ScenarioState, pool: &dyn VuPool) {
        let start = state.started_at().expect("the scenario started");
        let mut planned = self.starts().map(|(_, offset)| start + offset);
        // The arrivals read ahead and not offered yet: those due by now and the next one.
        let mut ahead = VecDeque::new();
        let mut warned = false;
        let mut now = start;
        loop {
            while ahead.back().is_none_or(|&at| at <= now) {
                match planned.next() {
                    Some(at) => ahead.push_back(at),
                    None => break,
                }
            }
            let wake = self.batching.wake(now, ahead.iter().copied());
            let mut batch = None;
            for at in ahead.drain(..wake.start) {
                if self.offer(state, at, &mut batch) == Offer::Dropped {
                    let allocated = state.allocated.load(Ordering::Relaxed);
                    if allocated < self.max_vus {
                        pool.start_vu(allocated);
                    } else if !warned {
                        warned = true;
                        pool.insufficient_vus(allocated);
                    }
                }
            }
            let Some(next) = wake.next else { break };
            pool.wait_until(next).await;
            if state.is_stopping() {
                break;
            }
            now = Instant::now();
        }
        tokio::time::sleep_until(state.end()).await;
    }
}

impl Runner for ArrivalRate {
    fn next_iteration<'a>(&'a self, state: &'a ScenarioState, _: u64, _: u64) -> LocalFuture<'a, Option<Permit>> {
        Box::pin(self.next_token(state))
    }

    /// Lets the pre-allocated VUs queue up first (they do within microseconds of their init).
    fn prepare<'a>(&'a self, _state: &'a ScenarioState) -> LocalFuture<'a, ()> {
        Box::pin(async move {
            let ready = async {
                while self.idle_vus() < self.pre_allocated_vus {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(1), ready).await;
        })
    }

    fn schedule<'a>(&'a self, state: &'a ScenarioState, pool: &'a dyn VuPool) -> LocalFuture<'a, ()> {
        Box::pin(self.run_schedule(state, pool))
    }

    fn on_stop(&self) {
        for lane in &self.notify {
            lane.notify_waiters();
        }
    }

    /// VUs busy in an iteration.
    fn current_vus(&self, state: &ScenarioState) -> u64 {
        state.active.load(Ordering::Relaxed).max(0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(idle: &[u64]) -> Tokens {
        let mut t = Tokens::default();
        for (lane, &n) in idle.iter().enumerate() {
            t.lanes[lane].idle = n;
        }
        t
    }

    /// Places a wake-up's `n` arrivals; the lane each went to (`None`: dropped).
    fn wake_up(t: &mut Tokens, n: usize) -> Vec<Option<usize>> {
        let (at, mut batch) = (Instant::now(), None);
        (0..n).map(|_| t.place(at, &mut batch)).collect()
    }

    #[test]
    fn a_wake_ups_arrivals_go_to_one_threads_vus_while_it_has_free_ones() {
        let mut t = tokens(&[3, 3]);
        assert_eq!(wake_up(&mut t, 2), [Some(0), Some(0)]);
        // Lane 0 has one free VU left: the next wake-up goes to lane 1 (more room), and its
        // fourth arrival, with lane 1 full, to lane 0.
        assert_eq!(wake_up(&mut t, 4), [Some(1), Some(1), Some(1), Some(0)]);
        assert_eq!(wake_up(&mut t, 1), [None], "no VU free anywhere: dropped");
    }

    #[test]
    fn threads_with_as_many_free_vus_take_wake_ups_in_turn() {
        let mut t = tokens(&[10, 10]);
        let mut lanes = Vec::new();
        for _ in 0..4 {
            lanes.extend(wake_up(&mut t, 1));
            // The VU took its token and, its iteration done, waits again.
            for lane in &mut t.lanes {
                lane.queue.clear();
            }
        }
        assert_eq!(lanes, [Some(0), Some(1), Some(0), Some(1)]);
    }

    #[test]
    fn a_thread_with_more_free_vus_takes_the_wake_up() {
        let mut t = tokens(&[2, 5]);
        assert_eq!(wake_up(&mut t, 3), [Some(1), Some(1), Some(1)]);
    }
}
