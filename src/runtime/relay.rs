//! A worker thread's own copy of a notice the whole run shares (the hard stops, a scenario's
//! start), so its VUs wait for it without touching the run-wide `Notify`s.
//!
//! Every suspended VU waits for the run's and its scenario's hard stop
//! (`VuContext::interrupted`), once per request or sleep. On the run-wide `tokio::sync::Notify`s,
//! each wait registered and unregistered under their locks, cache lines every worker thread
//! wrote for every request (a build without those waits made 2.6–5.4% more requests a second in
//! `bench/throughput`; bench/README.md, "Hard stops relayed per thread"). A relay is one local
//! task per thread and notice (`worker.rs` starts them) that waits for the notice once and then
//! wakes the thread's waiting VUs; a VU's wait is a slot in a list no other thread reads (16
//! bytes).
//!
//! The start of a scenario is relayed for another reason: the wake-up's thread. A task woken from
//! another thread goes to its `LocalSet`'s remote queue, which tokio serves only every 31st task
//! while the local queue has any (`REMOTE_FIRST_INTERVAL`), and a VU that used its time slice is
//! queued again locally. Woken by the scheduler's `Notify`, the VUs of a thread whose first VUs
//! never wait (a CPU loop) started one per 31 slices: 112–163 of 400 within 3 s. The relay's
//! task is the only one woken from afar; the VUs it wakes join the local queue behind the
//! running ones, so every VU starts within one round of slices (all 400 within 0.41 s).
//!
//! A thread without a relay (setup, teardown and the other one-VU phases, which run on the main
//! thread; the scheduler's tests) waits on the notices themselves.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::control::Control;
use super::scenario::ScenarioRuntime;

/// One notice as one thread sees it.
#[derive(Default)]
pub struct Relay {
    fired: Cell<bool>,
    waiters: RefCell<Waiters>,
}

/// The wakers of the VUs waiting on a relay; a dropped wait's slot is reused.
#[derive(Default)]
struct Waiters {
    slots: Vec<Option<Waker>>,
    free: Vec<usize>,
}

/// Which of its owner's notices a relay passes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    /// The run's or the scenario's hard stop, whichever comes first.
    HardStop,
    /// The scenario's start.
    Start,
}

/// A notice: its owner's address (which stays its own while a relay's task keeps a clone of the
/// owner) and which of its notices.
type Key = (usize, Notice);

thread_local! {
    /// This thread's relays, by notice.
    static RELAYS: RefCell<Vec<(Key, Rc<Relay>)>> = const { RefCell::new(Vec::new()) };
}

/// The address of `owner`, the same for the `Arc` and for a reference to its value.
fn key<T>(owner: &T) -> usize {
    (owner as *const T).cast::<()>() as usize
}

/// Starts this thread's relay of the notice `key` names, unless it has one: a local task
/// (so this must run inside a `LocalSet`) that awaits `notice`, which must own what it waits
/// on, and then wakes every wait on the relay.
fn start(key: Key, notice: impl Future<Output = ()> + 'static) {
    RELAYS.with(|relays| {
        let mut relays = relays.borrow_mut();
        if relays.iter().any(|(k, _)| *k == key) {
            return;
        }
        let relay = Rc::new(Relay::default());
        relays.push((key, relay.clone()));
        tokio::task::spawn_local(async move {
            notice.await;
            relay.fire();
        });
    });
}

/// This thread's relay of the notice `key` names, if [`start`] made one here.
fn find(key: Key) -> Option<Rc<Relay>> {
    RELAYS.with(|relays| relays.borrow().iter().find(|(k, _)| *k == key).map(|(_, r)| r.clone()))
}

/// Starts this thread's relays for a VU of `scenario`: of the hard stops it obeys (the run's
/// and the scenario's, whichever comes first) and, until it starts, of its start
/// (when its VUs wait for it: [`crate::executor::Runner::waits_for_start`]).
pub fn start_for(control: &Arc<Control>, scenario: &Arc<ScenarioRuntime>) {
    let (control, stopping) = (control.clone(), scenario.clone());
    start((key(&**scenario), Notice::HardStop), async move { either_stop(&control, &stopping).await });
    if scenario.started_at().is_none() && scenario.runner.waits_for_start() {
        let starting = scenario.clone();
        start((key(&**scenario), Notice::Start), async move {
            starting.state.wait_for_start().await;
        });
    }
}

/// A wait for the hard stop a VU obeys: with a `scenario`, the run's or the scenario's, on this
/// thread's relay ([`start_for`]) or, on a thread without one, on the notices themselves
/// (boxed); without one (the one-VU phases), the run's.
pub fn hard_stop<'a>(control: &'a Control, scenario: Option<&'a Arc<ScenarioRuntime>>) -> NoticeWait<'a> {
    let Some(s) = scenario else {
        return NoticeWait::Direct(Box::pin(control.hard_stopped()));
    };
    match find((key(&**s), Notice::HardStop)) {
        // The relay may not have heard of a stop that has come.
        Some(_) if control.is_hard_stopped() || s.state.is_hard_stopped() => NoticeWait::Done,
        Some(relay) => NoticeWait::Relay(relay.wait()),
        None => NoticeWait::Direct(Box::pin(either_stop(control, s))),
    }
}

/// A wait for `scenario`'s start, on this thread's relay ([`start_for`]) or, on a thread
/// without one, on the scenario itself (boxed).
pub fn start_of(scenario: &ScenarioRuntime) -> NoticeWait<'_> {
    if scenario.started_at().is_some() {
        return NoticeWait::Done;
    }
    match find((key(scenario), Notice::Start)) {
        Some(relay) => NoticeWait::Relay(relay.wait()),
        None => NoticeWait::Direct(Box::pin(async {
            scenario.state.wait_for_start().await;
        })),
    }
}

/// Completes at the run's hard stop or `scenario`'s, whichever comes first.
async fn either_stop(control: &Control, scenario: &ScenarioRuntime) {
    tokio::select! {
        _ = control.hard_stopped() => {}
        _ = scenario.hard_stopped() => {}
    }
}

/// A wait for a notice (see [`hard_stop`], [`start_of`]), small: every suspended VU holds one.
pub enum NoticeWait<'a> {
    Relay(Wait),
    Direct(Pin<Box<dyn Future<Output = ()> + 'a>>),
    Done,
}

impl Future for NoticeWait<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.get_mut() {
            NoticeWait::Relay(wait) => Pin::new(wait).poll(cx),
            NoticeWait::Direct(notice) => notice.as_mut().poll(cx),
            NoticeWait::Done => Poll::Ready(()),
        }
    }
}

impl Relay {
    /// Completes once the notice has come (at once if it has).
    pub fn wait(self: Rc<Self>) -> Wait {
        Wait { relay: self, slot: None }
    }

    fn fire(&self) {
        self.fired.set(true);
        let wakers: Vec<Waker> = {
            let mut waiters = self.waiters.borrow_mut();
            waiters.free.clear();
            waiters.slots.drain(..).flatten().collect()
        };
        for waker in wakers {
            waker.wake();
        }
    }
}

/// A wait on a [`Relay`]; dropping it before the notice frees its slot.
pub struct Wait {
    relay: Rc<Relay>,
    slot: Option<usize>,
}

impl Future for Wait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.relay.fired.get() {
            return Poll::Ready(());
        }
        let slot = {
            let mut waiters = self.relay.waiters.borrow_mut();
            match self.slot {
                Some(i) => {
                    let held = &mut waiters.slots[i];
                    if !held.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                        *held = Some(cx.waker().clone());
                    }
                    i
                }
                None => match waiters.free.pop() {
                    Some(i) => {
                        waiters.slots[i] = Some(cx.waker().clone());
                        i
                    }
                    None => {
                        waiters.slots.push(Some(cx.waker().clone()));
                        waiters.slots.len() - 1
                    }
                },
            }
        };
        self.slot = Some(slot);
        Poll::Pending
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        // After the notice the slots are gone, and none is handed out again.
        if let (Some(i), false) = (self.slot, self.relay.fired.get()) {
            let mut waiters = self.relay.waiters.borrow_mut();
            waiters.slots[i] = None;
            waiters.free.push(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::sync::Notify;

    fn local<F: Future>(f: F) -> F::Output {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        tokio::task::LocalSet::new().block_on(&rt, f)
    }

    /// A notice on another thread's `Notify`, as the run's control is.
    fn notice(notify: &Arc<Notify>) -> impl Future<Output = ()> + 'static {
        let notified = notify.clone();
        async move { notified.notified().await }
    }

    #[test]
    fn a_notice_from_another_thread_wakes_every_wait_on_the_relay_and_later_waits_end_at_once() {
        local(async {
            let notify = Arc::new(Notify::new());
            let k = (key(&*notify), Notice::Start);
            start(k, notice(&notify));
            // A second start for the same notice keeps the first relay.
            start(k, std::future::pending());
            tokio::task::yield_now().await;
            let waits: Vec<_> = (0..3).map(|_| tokio::task::spawn_local(find(k).unwrap().wait())).collect();
            // One wait is dropped before the notice: its slot is freed and reused.
            let dropped = tokio::time::timeout(Duration::from_millis(10), find(k).unwrap().wait()).await;
            assert!(dropped.is_err(), "a wait ended before any notice");
            tokio::task::yield_now().await;
            assert!(waits.iter().all(|w| !w.is_finished()));
            let from = notify.clone();
            std::thread::spawn(move || from.notify_waiters()).join().unwrap();
            for w in waits {
                tokio::time::timeout(Duration::from_secs(5), w).await.expect("a waiting VU was not woken").unwrap();
            }
            tokio::time::timeout(Duration::from_millis(100), find(k).unwrap().wait())
                .await
                .expect("a wait after the notice did not end at once");
        });
    }

    #[test]
    fn each_notice_of_one_owner_has_a_relay_of_its_own() {
        let notify = Arc::new(Notify::new());
        let owner = key(&*notify);
        local(async {
            start((owner, Notice::HardStop), notice(&notify));
            assert!(find((owner, Notice::Start)).is_none(), "the stop's relay was taken for the start's");
            start((owner, Notice::Start), std::future::ready(()));
            tokio::task::yield_now().await;
            assert!(find((owner, Notice::Start)).unwrap().fired.get());
            assert!(!find((owner, Notice::HardStop)).unwrap().fired.get(), "the start fired the stop's relay");
        });
    }

    #[test]
    fn a_thread_without_a_relay_finds_none_and_relays_are_per_thread() {
        let notify = Arc::new(Notify::new());
        let k = (key(&*notify), Notice::HardStop);
        local(async { start(k, notice(&notify)) });
        assert!(find(k).is_some());
        let elsewhere = std::thread::spawn(move || find(k).is_none()).join().unwrap();
        assert!(elsewhere, "another thread saw this thread's relay");
    }
}
