//! The runner of the arrival-rate executors (`constant-arrival-rate`, `ramping-arrival-rate`):
//! iterations start on a schedule, each on a VU that is free at that moment.
//!
//! Written once for both executors (k6 writes this loop twice); each executor only supplies its
//! schedule, an [`ArrivalPlan`]. Idle VUs queue for tokens, even before the start so that the
//! iteration due at t=0 finds them, each in its worker thread's lane (`lanes.rs`).
//!
//! The scheduler hands tokens out ahead of time: each time it wakes it gives the lanes the
//! arrivals due within the next [`AHEAD`], each with its planned time and its release instant
//! (`batching.rs`: arrivals closer than half a millisecond share one), all of one release instant
//! to one lane while it has idle VUs (the lane with the most, in turn among equals), and sleeps
//! until half of that time is left: ~100 wake-ups a second. Each worker thread's lane clock
//! (`clock.rs`, a precise OS timer in the thread's own event loop) releases its tokens at their
//! instants and wakes an idle VU for each, so an arrival costs one wake-up of the thread that
//! runs it at most; a VU of a thread awake anyway (back from its iteration) takes a token from
//! its due instant on, before its batch's release. A token only goes ahead to a lane with an
//! idle VU no other token is promised to, so it is never dropped. An arrival no lane has room for stays with the scheduler, which
//! tries again halfway to its time while that is more than 2 ms away (VUs come back from their
//! iterations), and else offers it at its release instant to whatever VU is idle then: one no
//! idle VU can take is a dropped iteration (`dropped_iterations`), counted then, and then,
//! while the scenario has fewer than `maxVUs`, one more VU is started for the iterations to come.
//!
//! Execution segments: like k6, the schedule is the whole test's, and this segment runs the
//! iterations whose global index is in its stripe of the tuple re-segmented by `maxVUs`
//! ([`ExecutionTuple::for_value`]), at the times the whole test would run them.

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::batching::{Batching, Releases};
use super::clock;
use super::lanes::{Ahead, Exchange, LANES};
use super::runner::{LocalFuture, Offer, Permit, Runner, ScenarioState, VuPool};
use super::segment::ExecutionTuple;

/// An arrival-rate executor's schedule for the whole test.
pub trait ArrivalPlan: Send + Sync {
    /// Start offsets of iterations 0, 1, 2, ... after the scenario start, in order.
    fn starts(&self) -> Box<dyn Iterator<Item = Duration> + '_>;

    /// Whether the scenario ends once its last iteration has started, as k6's
    /// `ramping-arrival-rate` does (its schedule's channel closes, `Run` returns and waits for
    /// the running iterations), rather than at the end of its duration, as k6's
    /// `constant-arrival-rate` does. A last stage ramping down to 0 starts its last iteration
    /// well before the end: the test is that much shorter, and every `/s` rate higher.
    fn ends_at_last_start(&self) -> bool {
        false
    }
}

/// How far ahead the scheduler hands arrivals out to the lanes; it wakes again when half of it
/// is left, so ~100 times a second. Longer means fewer wake-ups but idle VUs promised to tokens
/// for longer, which can only matter when VUs run short, and then the tokens stay with the
/// scheduler until their time.
pub const AHEAD: Duration = Duration::from_millis(20);

/// An arrival no lane had room for is tried again halfway to its release instant while that is
/// more than twice this away, then offered at its instant.
const RETRY_BEFORE: Duration = Duration::from_millis(1);

thread_local! {
    /// This thread's worker index; `None` outside the workers.
    static WORKER: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Makes VUs waiting for tokens on this thread wait in lane `worker_index`, whose clock times
/// its arrivals with the OS's timer (elsewhere: lane 0, tokio's timer, which tests pause).
/// Called once by each worker thread at its start.
pub fn set_worker_lane(worker_index: usize) {
    WORKER.with(|w| w.set(Some(worker_index)));
}

/// Arrival-rate iterations handed to idle VUs.
pub struct ArrivalRate {
    plan: Box<dyn ArrivalPlan>,
    /// The segment's stripe of global iterations; `None`: this segment runs none.
    stripe: Option<ExecutionTuple>,
    pre_allocated_vus: u64,
    max_vus: u64,
    exchange: Arc<Exchange>,
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
            exchange: Arc::default(),
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
        self.exchange.lock().lanes.iter().map(|l| l.idle).sum()
    }

    async fn next_token(&self, state: &ScenarioState) -> Option<Permit> {
        let worker = WORKER.with(Cell::get);
        let lane = worker.unwrap_or(0) % LANES;
        let ex = &self.exchange;
        loop {
            let notified = ex.vus[lane].notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let start_clock = {
                let mut t = ex.lock();
                let l = &mut t.lanes[lane];
                // Tokens due by now are taken even before the clock gets to them (a thread
                // awake anyway): the first waiting VU to look takes the first.
                let clock_wakes_at = l.ahead.front().map(|a| a.release);
                let released = l.release(Instant::now());
                // A batch taken whole before its release: the clock would wake the thread for
                // nothing, so it sets its timer for the next batch instead.
                let rearm = released > 0 && l.ahead.front().map(|a| a.release) != clock_wakes_at;
                if let Some(scheduled) = l.queue.pop_front() {
                    drop(t);
                    if rearm {
                        ex.clocks[lane].notify_one();
                    }
                    ex.wake_vus(lane, released.saturating_sub(1));
                    return Some(Permit { scheduled: Some(scheduled), ..Permit::NOW });
                }
                let over = state.started_at().is_some_and(|_| Instant::now() >= state.end());
                if state.is_stopping() || over {
                    return None;
                }
                l.idle += 1;
                !std::mem::replace(&mut l.clock, true)
            };
            if start_clock {
                clock::spawn(ex.clone(), lane, worker.is_some());
            }
            notified.await;
            ex.lock().lanes[lane].idle -= 1;
        }
    }

    /// Offers the iteration planned for `scheduled`, due now, to an idle VU: one on the thread
    /// of `batch`, the lane this wake-up's earlier arrivals went to, while it has one; else on
    /// the thread with the most, which becomes `batch`. So a wake-up's arrivals wake one thread,
    /// not one each, and batches go where VUs are free (in turn among equals).
    pub fn offer(&self, state: &ScenarioState, scheduled: Instant, batch: &mut Option<usize>) -> Offer {
        let placed = self.exchange.lock().place(scheduled, batch);
        match placed {
            Some(lane) => {
                self.exchange.vus[lane].notify_one();
                Offer::Taken
            }
            None => {
                state.drop_iterations(1);
                Offer::Dropped
            }
        }
    }

    /// Hands the arrivals of `pending` released by `horizon` out to the lanes, in order, each
    /// release instant's to one lane while it has room, until one finds no lane with room; tells
    /// the clocks of lanes that had nothing ahead.
    fn hand_out(&self, pending: &mut VecDeque<Ahead>, horizon: Instant) {
        let mut told = [false; LANES];
        {
            let mut t = self.exchange.lock();
            let (mut batch, mut release) = (None, None);
            while let Some(&token) = pending.front().filter(|a| a.release <= horizon) {
                if release != Some(token.release) {
                    (batch, release) = (None, Some(token.release));
                }
                let Some((lane, idle_clock)) = t.place_ahead(token, &mut batch) else { break };
                told[lane] |= idle_clock;
                pending.pop_front();
            }
        }
        for lane in (0..LANES).filter(|&l| told[l]) {
            self.exchange.clocks[lane].notify_one();
        }
    }

    /// Hands out the arrivals due within [`AHEAD`] at each wake-up; offers those it could not
    /// hand out (VUs run short) at their release instant (dropped if no VU is idle then).
    async fn run_schedule(&self, state: &ScenarioState, pool: &dyn VuPool) {
        let start = state.started_at().expect("the scenario started");
        let mut planned = self.starts().map(|(_, offset)| start + offset);
        let mut releases = Releases::new(self.batching);
        // Arrivals read from the plan and not handed out yet, in order.
        let mut pending: VecDeque<Ahead> = VecDeque::new();
        let mut warned = false;
        let mut arrivals = 0u64;
        loop {
            let now = Instant::now();
            let horizon = now + AHEAD;
            while pending.back().is_none_or(|a| a.release <= horizon) {
                match planned.next() {
                    Some(due) => {
                        arrivals += 1;
                        pending.push_back(Ahead { release: releases.release(due), due });
                    }
                    None => break,
                }
            }
            let mut batch = None;
            while let Some(token) = pending.front().filter(|a| a.release <= now).copied() {
                pending.pop_front();
                if self.offer(state, token.due, &mut batch) == Offer::Dropped {
                    let allocated = state.allocated.load(Ordering::Relaxed);
                    if allocated < self.max_vus {
                        pool.start_vu(allocated);
                    } else if !warned {
                        warned = true;
                        pool.insufficient_vus(allocated);
                    }
                }
            }
            self.hand_out(&mut pending, horizon);
            let Some(next) = pending.front() else { break };
            if next.release > horizon {
                tokio::time::sleep_until(next.release - AHEAD / 2).await;
            } else if next.release - now > 2 * RETRY_BEFORE {
                // No lane had room: VUs come back from their iterations meanwhile.
                tokio::time::sleep_until(now + (next.release - now) / 2).await;
            } else {
                // Still none: offered at its instant, to a VU idle then, or dropped.
                pool.wait_until(next.release).await;
            }
            if state.is_stopping() {
                break;
            }
        }
        if self.plan.ends_at_last_start() {
            // Every arrival is handed out or dropped: the plan ends once the VUs have taken
            // those handed out ahead (a token ahead is never dropped).
            let end = state.end();
            while state.iterations_started.load(Ordering::Relaxed) + state.dropped.load(Ordering::Relaxed) < arrivals
                && !state.is_stopping()
                && Instant::now() < end
            {
                tokio::time::sleep(RETRY_BEFORE.min(end - Instant::now())).await;
            }
            return;
        }
        tokio::time::sleep_until(state.end()).await;
    }
}

impl Runner for ArrivalRate {
    fn next_iteration<'a>(&'a self, state: &'a ScenarioState, _: u64, _: u64) -> LocalFuture<'a, Option<Permit>> {
        Box::pin(self.next_token(state))
    }

    /// Idle VUs wait in their thread's lane from before the start, where its clock wakes them.
    fn waits_for_start(&self) -> bool {
        false
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
        self.exchange.stopped.store(true, Ordering::SeqCst);
        for lane in 0..LANES {
            self.exchange.vus[lane].notify_waiters();
            self.exchange.clocks[lane].notify_one();
        }
    }

    /// VUs busy in an iteration.
    fn current_vus(&self, state: &ScenarioState) -> u64 {
        state.active.load(Ordering::Relaxed).max(0) as u64
    }
}
