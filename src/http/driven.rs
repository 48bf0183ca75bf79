//! An HTTP/1.1 connection run by the task of the request that holds it, not by a task of its
//! own ([`super::pool`] keeps it; HTTP/2 connections keep their spawned tasks).
//!
//! hyper's connection future and the request's futures (sending, the response head, each body
//! frame) talk through channels: the request queue, the response's oneshot, the body channel.
//! [`Connection::run`] polls the request's future and the connection together, so a response
//! wakes one task, the VU's, and its head and body reach the request in the poll that read them.
//!
//! Wake-ups: each message on those channels wakes the other side. Polled with the task's own
//! waker, every one of them would wake the very task that is polling, which the runtime would
//! then poll once more for nothing. So both are polled with the connection's own waker
//! ([`Wakeups`]): during [`Connection::run`] a wake-up only asks for another round of polls;
//! outside it (the socket became readable while the VU waits elsewhere, a server closing an
//! idle connection) it wakes the task that ran the connection last.
//!
//! Between requests nobody polls the connection. A wake-up received meanwhile is remembered:
//! [`Connection::has_ended`] then polls it once, which notices a server that closed it; when
//! nothing happened (the common case) it costs nothing.

use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use futures_util::task::AtomicWaker;

/// Rounds of polls one [`Connection::run`] poll makes while wake-ups keep coming, before it
/// yields to the other tasks of the thread (hyper's own loop stops at 16 reads or writes).
const ROUNDS: usize = 8;

/// hyper's HTTP/1.1 connection future. Dropping it closes the socket.
pub(crate) struct Connection {
    /// `None` once it has ended (closed or failed).
    future: Option<Pin<Box<dyn Future<Output = ()>>>>,
    wakeups: Arc<Wakeups>,
    waker: Waker,
}

/// The waker the connection and the request's futures are polled with.
#[derive(Default)]
struct Wakeups {
    /// Something woke since this was last cleared: the connection or the request has work.
    woken: AtomicBool,
    /// A [`Connection::run`] is polling: a wake-up only sets `woken` (it polls another round).
    polling: AtomicBool,
    /// The task that ran the connection last, woken by wake-ups outside its polls.
    task: AtomicWaker,
}

impl Wake for Wakeups {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        if !self.polling.load(Ordering::SeqCst) {
            self.task.wake();
        }
    }
}

impl Connection {
    pub fn new(future: impl Future<Output = ()> + 'static) -> Self {
        let wakeups = Arc::new(Wakeups::default());
        Connection { future: Some(Box::pin(future)), waker: Waker::from(Arc::clone(&wakeups)), wakeups }
    }

    /// Whether the connection has ended. Between requests, polls it once when something woke it
    /// (the server closed it, or sent what it should not have), which ends it.
    pub fn has_ended(&mut self) -> bool {
        let Connection { future, wakeups, waker } = self;
        if wakeups.woken.swap(false, Ordering::SeqCst) {
            wakeups.polling.store(true, Ordering::SeqCst);
            poll_connection(future, &mut Context::from_waker(waker));
            wakeups.polling.store(false, Ordering::SeqCst);
        }
        future.is_none()
    }

    /// Runs `future` (this connection's request, response or body) to its end, with the
    /// connection polled in the same task.
    pub async fn run<F: Future>(&mut self, future: F) -> F::Output {
        let mut future = pin!(future);
        poll_fn(|cx| self.poll_with(cx, future.as_mut())).await
    }

    /// Polls `future`, the connection, `future` again, in rounds until a round passes without a
    /// wake-up: then both wait for something outside (the socket), which wakes `cx`'s task.
    fn poll_with<F: Future>(&mut self, cx: &mut Context<'_>, mut output_of: Pin<&mut F>) -> Poll<F::Output> {
        let Connection { future, wakeups, waker } = self;
        wakeups.task.register(cx.waker());
        wakeups.polling.store(true, Ordering::SeqCst);
        let mut own = Context::from_waker(waker);
        let mut output = Poll::Pending;
        for _ in 0..ROUNDS {
            wakeups.woken.store(false, Ordering::SeqCst);
            output = output_of.as_mut().poll(&mut own);
            if output.is_ready() {
                break;
            }
            poll_connection(future, &mut own);
            output = output_of.as_mut().poll(&mut own);
            if output.is_ready() || !wakeups.woken.load(Ordering::SeqCst) {
                break;
            }
        }
        wakeups.polling.store(false, Ordering::SeqCst);
        // Still woken: the rounds ran out, or a wake-up came as the last one ended. A ready
        // output leaves the flag for the next run (or `has_ended`) to act on.
        if output.is_pending() && wakeups.woken.load(Ordering::SeqCst) {
            cx.waker().wake_by_ref();
        }
        output
    }
}

/// Lets the connection read, write and notice a close; once it has ended it is dropped (its
/// socket closed), so that hyper fails a request still waiting on it and its sender reports it
/// closed.
fn poll_connection(future: &mut Option<Pin<Box<dyn Future<Output = ()>>>>, cx: &mut Context<'_>) {
    if future.as_mut().is_some_and(|connection| connection.as_mut().poll(cx).is_ready()) {
        *future = None;
    }
}
