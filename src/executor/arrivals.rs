//! The runner of the arrival-rate executors (`constant-arrival-rate`, `ramping-arrival-rate`):
//! iterations start on a schedule, each on a VU that is free at that moment.
//!
//! Written once for both executors (k6 writes this loop twice); each executor only supplies its
//! schedule, an [`ArrivalPlan`]. Idle VUs queue for tokens, even before the start so that the
//! iteration due at t=0 finds them; at each planned start the scheduler offers one token (waking
//! once per batch of due arrivals, `batching.rs`, each token keeping its planned time). A
//! token no idle VU can take is a dropped iteration (`dropped_iterations`), and then, while the
//! scenario has fewer than `maxVUs`, one more VU is started for the iterations to come.
//!
//! Execution segments: like k6, the schedule is the whole test's, and this segment runs the
//! iterations whose global index is in its stripe of the tuple re-segmented by `maxVUs`
//! ([`ExecutionTuple::for_value`]), at the times the whole test would run them.

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

#[derive(Debug, Default)]
struct Tokens {
    /// Planned start times offered and not yet taken.
    queue: VecDeque<Instant>,
    /// VUs waiting for a token.
    idle: u64,
}

/// Arrival-rate iterations handed to idle VUs.
pub struct ArrivalRate {
    plan: Box<dyn ArrivalPlan>,
    /// The segment's stripe of global iterations; `None`: this segment runs none.
    stripe: Option<ExecutionTuple>,
    pre_allocated_vus: u64,
    max_vus: u64,
    tokens: Mutex<Tokens>,
    notify: Notify,
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
            notify: Notify::new(),
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
        self.tokens.lock().unwrap().idle
    }

    async fn next_token(&self, state: &ScenarioState) -> Option<Permit> {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut t = self.tokens.lock().unwrap();
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
            self.tokens.lock().unwrap().idle -= 1;
        }
    }

    /// Offers the iteration planned for `scheduled` to an idle VU.
    pub fn offer(&self, state: &ScenarioState, scheduled: Instant) -> Offer {
        let mut t = self.tokens.lock().unwrap();
        if t.idle as usize > t.queue.len() {
            t.queue.push_back(scheduled);
            drop(t);
            self.notify.notify_one();
            Offer::Taken
        } else {
            state.dropped.fetch_add(1, Ordering::Relaxed);
            Offer::Dropped
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
            for at in ahead.drain(..wake.start) {
                if self.offer(state, at) == Offer::Dropped {
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
        self.notify.notify_waiters();
    }

    /// VUs busy in an iteration.
    fn current_vus(&self, state: &ScenarioState) -> u64 {
        state.active.load(Ordering::Relaxed).max(0) as u64
    }
}
