//! The exchange between the arrival-rate scheduler and the VUs: one lane per worker thread,
//! each with its VUs waiting for a token, the tokens released to them, and the tokens handed
//! out ahead of time that the lane's clock (`clock.rs`) releases at their instants.
//!
//! A lane's *room* is its waiting VUs that no token is promised to yet: a token is only ever
//! placed in a lane with room, released or ahead, and a lane's waiting VUs only leave by taking
//! one of its tokens (or at the stop). So a token handed out ahead finds a free VU at its due
//! instant for sure, and the only tokens that can be dropped are those the scheduler could not
//! place ahead; it offers those at their due instant (`arrivals.rs`).
//!
//! What this is not: which instants tokens are released at (`batching.rs`), the waiting itself.

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard};

use tokio::sync::Notify;
use tokio::time::Instant;

/// Token lanes: one per worker thread (modulo this), so a token can go to an idle VU on a
/// thread chosen for its batch.
pub const LANES: usize = 32;

/// An arrival handed out ahead: released to the lane's VUs at `release`, started by one of them
/// as planned for `due` (`release` is `due` or up to a batching window later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ahead {
    pub release: Instant,
    pub due: Instant,
}

/// One worker thread's side of the exchange: its VUs waiting for a token and the tokens offered
/// to them.
#[derive(Debug, Default)]
pub struct Lane {
    /// Planned start times released and not yet taken.
    pub queue: VecDeque<Instant>,
    /// Tokens handed out ahead and not released yet, in order.
    pub ahead: VecDeque<Ahead>,
    /// VUs waiting for a token.
    pub idle: u64,
    /// Whether the lane's clock runs (started by the first VU that waits in it).
    pub clock: bool,
}

impl Lane {
    /// Waiting VUs no token is promised to yet.
    fn room(&self) -> u64 {
        self.idle.saturating_sub((self.queue.len() + self.ahead.len()) as u64)
    }

    /// Releases the tokens handed out ahead that are due by `now`; how many. The release
    /// instant is when the lane's clock wakes the thread for a token; a thread awake anyway
    /// (a VU back from its iteration looks) takes it from its due instant on, sooner and at no
    /// wake-up. Tokens ahead are in order of both instants, so the due ones are a prefix.
    pub fn release(&mut self, now: Instant) -> usize {
        let mut released = 0;
        while let Some(a) = self.ahead.front().filter(|a| a.due <= now).copied() {
            self.ahead.pop_front();
            self.queue.push_back(a.due);
            released += 1;
        }
        released
    }
}

#[derive(Debug, Default)]
pub struct Tokens {
    pub lanes: [Lane; LANES],
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

    /// The lane for the next token of a batch: `batch`'s (the lane its earlier tokens went to)
    /// while it has room, else the roomiest, which becomes `batch`; `None` if no lane has room.
    fn choose(&mut self, batch: &mut Option<usize>) -> Option<usize> {
        let lane = match *batch {
            Some(lane) if self.lanes[lane].room() > 0 => lane,
            _ => self.roomiest()?,
        };
        if *batch != Some(lane) {
            *batch = Some(lane);
            self.rotor = (lane + 1) % LANES;
        }
        Some(lane)
    }

    /// Queues `scheduled`, due now, in the lane [`Tokens::choose`] picks and returns it; `None`
    /// (nothing queued) if no lane has a waiting VU without a token.
    pub fn place(&mut self, scheduled: Instant, batch: &mut Option<usize>) -> Option<usize> {
        let lane = self.choose(batch)?;
        self.lanes[lane].queue.push_back(scheduled);
        Some(lane)
    }

    /// Hands `token` out ahead to the lane [`Tokens::choose`] picks: the lane and whether its
    /// clock had nothing to release before (so must be told); `None` if no lane has room.
    pub fn place_ahead(&mut self, token: Ahead, batch: &mut Option<usize>) -> Option<(usize, bool)> {
        let lane = self.choose(batch)?;
        let idle_clock = self.lanes[lane].ahead.is_empty();
        self.lanes[lane].ahead.push_back(token);
        Some((lane, idle_clock))
    }
}

/// What the scheduler, the VUs and the lane clocks share.
#[derive(Debug)]
pub struct Exchange {
    pub tokens: Mutex<Tokens>,
    /// Per lane: wakes one of its waiting VUs.
    pub vus: [Notify; LANES],
    /// Per lane: tells its clock that tokens were handed out to a lane that had none ahead,
    /// or that the scenario stops.
    pub clocks: [Notify; LANES],
    /// No token is released from now on.
    pub stopped: AtomicBool,
}

impl Default for Exchange {
    fn default() -> Exchange {
        Exchange {
            tokens: Mutex::default(),
            vus: std::array::from_fn(|_| Notify::new()),
            clocks: std::array::from_fn(|_| Notify::new()),
            stopped: AtomicBool::new(false),
        }
    }
}

impl Exchange {
    pub fn lock(&self) -> MutexGuard<'_, Tokens> {
        self.tokens.lock().unwrap()
    }

    /// Wakes `n` of `lane`'s waiting VUs for the tokens just released to it.
    pub fn wake_vus(&self, lane: usize, n: usize) {
        for _ in 0..n {
            self.vus[lane].notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

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

    #[test]
    fn a_token_handed_out_ahead_keeps_a_free_vu_until_its_release() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut t = tokens(&[2]);
        let mut batch = None;
        let ahead = |release, due| Ahead { release: ms(release), due: ms(due) };
        assert_eq!(t.place_ahead(ahead(5, 5), &mut batch), Some((0, true)), "the lane's clock is told");
        assert_eq!(t.place_ahead(ahead(7, 6), &mut batch), Some((0, false)));
        // Both waiting VUs are promised a token: one due now finds none free.
        assert_eq!(t.place(t0, &mut None), None);
        assert_eq!(t.lanes[0].release(ms(4)), 0, "nothing is released before it is due");
        assert_eq!(t.lanes[0].release(ms(5)), 1);
        assert_eq!(t.lanes[0].release(ms(9)), 1);
        assert_eq!(t.lanes[0].queue, [ms(5), ms(6)], "released with their due instants");
        assert_eq!(t.place(t0, &mut None), None, "released tokens keep their VUs too");
    }

    #[test]
    fn a_thread_awake_between_a_tokens_due_and_release_instants_takes_it_then() {
        // Batched with a later arrival, the token due at 5 ms is released at 7 ms when the
        // thread sleeps until then; a VU of the thread back from an iteration at 6 ms takes it
        // at 6 ms, and leaves the one due at 7 ms for the clock.
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut t = tokens(&[2]);
        let mut batch = None;
        t.place_ahead(Ahead { release: ms(7), due: ms(5) }, &mut batch);
        t.place_ahead(Ahead { release: ms(7), due: ms(7) }, &mut batch);
        assert_eq!(t.lanes[0].release(ms(6)), 1);
        assert_eq!(t.lanes[0].queue, [ms(5)]);
        assert_eq!(t.lanes[0].ahead.front().map(|a| a.release), Some(ms(7)), "the clock still wakes for the other");
        assert_eq!(t.lanes[0].release(ms(7)), 1);
        assert_eq!(t.lanes[0].queue, [ms(5), ms(7)]);
    }
}
