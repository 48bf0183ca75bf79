//! Request timeouts on a worker thread, without a tokio timer per request.
//!
//! `tokio::time::timeout_at` puts an entry in the runtime's timer wheel for every request and
//! takes it out again when the answer comes, for a timeout that almost never fires: ~1,000 of
//! the ~38,600 instructions of a `bench/get-loop.rhai` request (callgrind; this way costs ~380
//! of them). A worker thread instead notes its requests' deadlines in a slab ([`within`]: a
//! slot taken and given back, the request's waker kept in it), and one watcher task per thread
//! ([`watch`]) sleeps on one tokio timer until the earliest deadline it knows of. When that timer fires the watcher looks
//! at every slot: requests past their deadline are marked and woken (they then end with a
//! timeout, as `timeout_at` would have ended them), the rest give the next instant to sleep to.
//!
//! The timer is reset only when a request's deadline is earlier than the one it sleeps to (a
//! script mixing timeouts); requests that end early leave it alone, so it fires about once per
//! timeout period and finds nothing to do. Its granularity is tokio's (1 ms), as before.
//!
//! Threads without a watcher (setup(), teardown(), tests) use `timeout_at` as before.

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};

use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};

/// A request ran out of time.
#[derive(Debug, PartialEq, Eq)]
pub struct Elapsed;

thread_local! {
    /// The thread's deadlines, while its watcher runs.
    static WATCH: RefCell<Option<Watch>> = const { RefCell::new(None) };
}

#[derive(Default)]
struct Watch {
    slots: Vec<Slot>,
    free: Vec<usize>,
    /// The instant the watcher's timer is set to, when it is set: no later than any waiting
    /// request's deadline (it may be an ended request's: the watcher then finds nothing).
    armed: Option<Instant>,
    /// The watcher, woken when a deadline comes before `armed`.
    watcher: Option<Waker>,
}

enum Slot {
    Free,
    Waiting { deadline: Instant, waker: Option<Waker> },
    Expired,
}

impl Watch {
    fn take(&mut self, deadline: Instant) -> usize {
        let slot = Slot::Waiting { deadline, waker: None };
        let index = match self.free.pop() {
            Some(index) => {
                self.slots[index] = slot;
                index
            }
            None => {
                self.slots.push(slot);
                self.slots.len() - 1
            }
        };
        if self.armed.is_none_or(|armed| deadline < armed) {
            self.armed = Some(deadline);
            if let Some(watcher) = &self.watcher {
                watcher.wake_by_ref();
            }
        }
        index
    }

    fn give_back(&mut self, index: usize) {
        self.slots[index] = Slot::Free;
        self.free.push(index);
    }

    /// Whether the request in `index` ran out of time; if not, `waker` is kept to wake it.
    fn expired(&mut self, index: usize, waker: &Waker) -> bool {
        match &mut self.slots[index] {
            Slot::Expired => true,
            Slot::Waiting { waker: Some(kept), .. } if kept.will_wake(waker) => false,
            Slot::Waiting { waker: kept, .. } => {
                *kept = Some(waker.clone());
                false
            }
            Slot::Free => {
                debug_assert!(false, "a request's slot is its own until the request ends");
                true
            }
        }
    }

    /// Marks and wakes the requests whose deadline is `now` or before; arms the next deadline.
    fn expire(&mut self, now: Instant) {
        let mut next: Option<Instant> = None;
        for slot in &mut self.slots {
            if let Slot::Waiting { deadline, waker } = slot {
                if *deadline <= now {
                    if let Some(waker) = waker.take() {
                        waker.wake();
                    }
                    *slot = Slot::Expired;
                } else if next.is_none_or(|next| *deadline < next) {
                    next = Some(*deadline);
                }
            }
        }
        self.armed = next;
    }
}

fn with_watch<T>(f: impl FnOnce(&mut Watch) -> T) -> Option<T> {
    WATCH.with(|watch| watch.borrow_mut().as_mut().map(f))
}

/// Gives a request's slot back when the request ends, however it ends (an answer, a timeout, a
/// VU stopped mid-request).
struct Taken(usize);

impl Drop for Taken {
    fn drop(&mut self) {
        with_watch(|watch| watch.give_back(self.0));
    }
}

/// Runs `request` until `deadline`: its output, or [`Elapsed`] once the deadline has passed
/// and the request is still not done. Like `timeout_at`, the request is polled first, so an
/// answer already in wins over the deadline.
pub fn within<F: Future>(deadline: Instant, request: F) -> Within<F> {
    Within { state: State::Unpolled(deadline), request }
}

enum State {
    Unpolled(Instant),
    Watched(Taken),
    /// No watcher on this thread: tokio's timer, armed on the first poll.
    Tokio(Pin<Box<Sleep>>),
}

pin_project! {
    /// The future of [`within`]: the request in place (a request's future is a few kilobytes,
    /// which an `async fn` would move once more into its own).
    pub struct Within<F> {
        state: State,
        #[pin]
        request: F,
    }
}

impl<F: Future> Future for Within<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let State::Unpolled(deadline) = *this.state {
            *this.state = match with_watch(|watch| watch.take(deadline)) {
                Some(index) => State::Watched(Taken(index)),
                None => State::Tokio(Box::pin(tokio::time::sleep_until(deadline))),
            };
        }
        if let Poll::Ready(out) = this.request.poll(cx) {
            return Poll::Ready(Ok(out));
        }
        let expired = match this.state {
            State::Watched(Taken(index)) => with_watch(|watch| watch.expired(*index, cx.waker())).unwrap_or(true),
            State::Tokio(sleep) => sleep.as_mut().poll(cx).is_ready(),
            State::Unpolled(_) => unreachable!("set above"),
        };
        if expired {
            Poll::Ready(Err(Elapsed))
        } else {
            Poll::Pending
        }
    }
}

/// The thread's watcher: from its first poll until it is dropped, requests on this thread
/// time out through it. Spawn it once per worker thread, on the thread's `LocalSet`, and drop
/// it after the thread's VUs are done.
pub async fn watch() {
    struct Installed;
    impl Drop for Installed {
        fn drop(&mut self) {
            // Requests still waiting would never time out: wake them to end as timed out,
            // which only happens if the watcher is dropped before the VUs (it is not).
            if let Some(watch) = WATCH.with(|watch| watch.borrow_mut().take()) {
                for slot in watch.slots {
                    if let Slot::Waiting { waker: Some(waker), .. } = slot {
                        waker.wake();
                    }
                }
            }
        }
    }
    WATCH.with(|watch| *watch.borrow_mut() = Some(Watch::default()));
    let _installed = Installed;
    let mut timer = pin!(tokio::time::sleep_until(Instant::now()));
    let mut set_to: Option<Instant> = None;
    poll_fn(|cx: &mut Context<'_>| loop {
        let armed = with_watch(|watch| {
            if !watch.watcher.as_ref().is_some_and(|kept| kept.will_wake(cx.waker())) {
                watch.watcher = Some(cx.waker().clone());
            }
            watch.armed
        })
        .flatten();
        let Some(at) = armed else {
            set_to = None;
            return Poll::<()>::Pending;
        };
        if set_to != Some(at) {
            timer.as_mut().reset(at);
            set_to = Some(at);
        }
        if timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        set_to = None;
        with_watch(|watch| watch.expire(Instant::now()));
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn on_a_worker<F: Future>(test: F) -> F::Output {
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
        tokio::task::LocalSet::new().block_on(&rt, async {
            let watcher = tokio::task::spawn_local(watch());
            tokio::task::yield_now().await;
            // A deadline the watcher missed would leave the test waiting: an hour of the paused
            // clock fails it instead.
            let out = tokio::time::timeout(Duration::from_secs(3600), test).await.expect("the test ended");
            watcher.abort();
            out
        })
    }

    #[test]
    fn a_request_past_its_deadline_ends_then_and_the_others_run_on() {
        on_a_worker(async {
            let start = Instant::now();
            let slow = tokio::task::spawn_local(within(start + Duration::from_secs(2), std::future::pending::<()>()));
            let quick = tokio::task::spawn_local(within(
                start + Duration::from_secs(60),
                tokio::time::sleep(Duration::from_secs(3)),
            ));
            // An earlier deadline taken after a later one resets the watcher's timer.
            let early = tokio::task::spawn_local(within(start + Duration::from_secs(1), std::future::pending::<()>()));
            assert_eq!(early.await.unwrap(), Err(Elapsed));
            assert_eq!(Instant::now() - start, Duration::from_secs(1));
            assert_eq!(slow.await.unwrap(), Err(Elapsed));
            assert_eq!(Instant::now() - start, Duration::from_secs(2));
            assert_eq!(quick.await.unwrap(), Ok(()));
            assert_eq!(Instant::now() - start, Duration::from_secs(3));
        });
    }

    #[test]
    fn an_answer_in_by_the_deadline_wins_and_slots_are_given_back() {
        on_a_worker(async {
            let start = Instant::now();
            for round in 1..=3u64 {
                let answer = within(start + Duration::from_secs(round * 10), async {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    round
                });
                assert_eq!(answer.await, Ok(round));
            }
            // A request dropped while it waits (a VU stopped mid-request) gives its slot back too.
            let stopped = within(start + Duration::from_secs(100), std::future::pending::<()>());
            assert!(tokio::time::timeout(Duration::ZERO, stopped).await.is_err());
            let held = with_watch(|watch| watch.slots.len() - watch.free.len()).unwrap();
            assert_eq!(held, 0, "every slot is given back");
            // Deadlines of ended requests leave the watcher nothing to do when they come.
            tokio::time::sleep(Duration::from_secs(40)).await;
            assert_eq!(with_watch(|watch| watch.armed).unwrap(), None);
        });
    }

    #[test]
    fn without_a_watcher_a_request_times_out_through_tokio() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
        rt.block_on(async {
            let start = Instant::now();
            let out = within(start + Duration::from_millis(250), std::future::pending::<()>()).await;
            assert_eq!(out, Err(Elapsed));
            assert_eq!(Instant::now() - start, Duration::from_millis(250));
        });
    }
}
