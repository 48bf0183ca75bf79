//! A VU's event loop, as k6 runs one: the global timers (`setTimeout`, `setInterval`, k6/timers)
//! and the `WebSocket`s (k6/websockets) a script started keep it alive, and the iteration ends
//! only when no socket is open and no timer is pending.
//!
//! The loop runs once the iteration's function has returned (`runtime/vu/mod.rs`), never while the
//! script runs: like k6's JavaScript thread, a handler or `sleep()` in progress holds everything
//! else back. Each turn waits, on the VU's coroutine, for the earliest of: the next timer (timers
//! first, so a flood of frames cannot starve them), a socket's dial, or a socket's next frame;
//! then it runs that one callback through the [`Loop`] (the script binding) and goes round again.
//!
//! An error from a callback ends the loop with that error, as an exception ends a k6 iteration;
//! so does a stopped VU (hard stop, the end of `gracefulStop`, ramp-down). Either way what is
//! left is dropped: timers cleared (each with k6's warning), sockets closed with a 1000 close frame
//! ([`WebSocket::abandon`]), so nothing of one iteration reaches the next one. The loop belongs
//! to the VU (`VuContext::event_loop`); timer ids count on across iterations, as in k6.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use crate::ws::timers::Timers;
use crate::ws::websocket::{Arrival, Host, Source, WebSocket};

/// The script side of the loop, beyond what a socket's events need.
pub trait Loop: Host {
    /// Runs a timer's callback.
    fn call_timer(&self, f: &Self::Handler) -> Result<(), Self::Error>;

    /// Suspends the VU until the future `make()` builds completes; an error when the VU is
    /// being stopped.
    fn wait<F, M>(&self, make: M) -> Result<F::Output, Self::Error>
    where
        M: FnOnce() -> F + 'static,
        F: Future + 'static,
        F::Output: 'static;
}

/// One VU's pending timers and live sockets.
pub struct EventLoop<H> {
    timers: RefCell<Timers<H>>,
    sockets: RefCell<Vec<Entry<H>>>,
    last_socket: std::cell::Cell<u64>,
}

struct Entry<H> {
    id: u64,
    socket: Rc<WebSocket<H>>,
    /// `None` while the loop is waiting on it.
    source: Option<Source>,
}

/// What woke the loop.
enum Wake {
    Timer,
    Socket(u64, Arrival),
}

impl<H> Default for EventLoop<H> {
    fn default() -> Self {
        EventLoop { timers: RefCell::new(Timers::default()), sockets: RefCell::new(Vec::new()), last_socket: 0.into() }
    }
}

impl<H: Clone + 'static> EventLoop<H> {
    /// `setTimeout` (`repeat` false) / `setInterval`: returns the timer's id.
    pub fn set_timer(&self, f: H, delay: Duration, repeat: bool) -> u64 {
        self.timers.borrow_mut().add(tokio::time::Instant::now(), delay, repeat, f)
    }

    /// `clearTimeout(id)` / `clearInterval(id)`; an unknown id is no error, as in k6.
    pub fn clear_timer(&self, id: u64) {
        self.timers.borrow_mut().remove(id);
    }

    /// Keeps a new socket's [`Source`] until its connection is over.
    pub(crate) fn add_socket(&self, socket: Rc<WebSocket<H>>, source: Source) {
        let id = self.last_socket.get() + 1;
        self.last_socket.set(id);
        self.sockets.borrow_mut().push(Entry { id, socket, source: Some(source) });
    }

    /// True when nothing keeps the loop alive.
    pub fn is_idle(&self) -> bool {
        self.timers.borrow().is_empty() && self.sockets.borrow().is_empty()
    }

    /// Runs callbacks until nothing is pending, a callback fails or the VU is stopped; in the
    /// last two cases what is left is dropped ([`EventLoop::abandon`]).
    pub fn run<L: Loop<Handler = H>>(&self, host: &L) -> Result<(), L::Error> {
        let result = self.turns(host);
        if result.is_err() {
            self.abandon();
        }
        result
    }

    /// Drops every timer and closes every socket without running a callback. Each timer
    /// dropped is logged as k6 logs it (`setTimeout 2 was stopped because the VU iteration was
    /// interrupted`), so a callback that never ran is not a silent loss.
    pub fn abandon(&self) {
        for (id, interval) in self.timers.borrow().pending() {
            let kind = if interval { "setInterval" } else { "setTimeout" };
            crate::logger::warn(&format!("{kind} {id} was stopped because the VU iteration was interrupted"));
        }
        self.timers.borrow_mut().clear();
        let sockets = std::mem::take(&mut *self.sockets.borrow_mut());
        for entry in sockets {
            entry.socket.abandon();
            entry.socket.release();
        }
    }

    fn turns<L: Loop<Handler = H>>(&self, host: &L) -> Result<(), L::Error> {
        while !self.is_idle() {
            let due = self.timers.borrow().next_due();
            let sources: Vec<(u64, Source)> = self
                .sockets
                .borrow_mut()
                .iter_mut()
                .filter_map(|entry| entry.source.take().map(|source| (entry.id, source)))
                .collect();
            let (sources, wake) = host.wait(move || async move {
                let mut sources = sources;
                let wake = {
                    let frames = std::future::poll_fn(|cx| {
                        for (id, source) in sources.iter_mut() {
                            if let Poll::Ready(arrival) = source.poll_arrival(cx) {
                                return Poll::Ready(Wake::Socket(*id, arrival));
                            }
                        }
                        Poll::Pending
                    });
                    match due {
                        Some(due) => tokio::select! {
                            biased;
                            () = tokio::time::sleep_until(due) => Wake::Timer,
                            wake = frames => wake,
                        },
                        None => frames.await,
                    }
                };
                (sources, wake)
            })?;
            {
                let mut sockets = self.sockets.borrow_mut();
                for (id, source) in sources {
                    if let Some(entry) = sockets.iter_mut().find(|e| e.id == id) {
                        entry.source = Some(source);
                    }
                }
            }
            match wake {
                Wake::Timer => {
                    let f = self.timers.borrow_mut().take_earliest(tokio::time::Instant::now());
                    if let Some(f) = f {
                        host.call_timer(&f)?;
                    }
                }
                Wake::Socket(id, arrival) => self.deliver(host, id, arrival)?,
            }
        }
        Ok(())
    }

    /// Hands one arrival to its socket; a socket whose connection is over leaves the loop.
    fn deliver<L: Loop<Handler = H>>(&self, host: &L, id: u64, arrival: Arrival) -> Result<(), L::Error> {
        let socket = {
            let mut sockets = self.sockets.borrow_mut();
            let Some(entry) = sockets.iter_mut().find(|e| e.id == id) else { return Ok(()) };
            if matches!(arrival, Arrival::Dialed(_)) {
                // The dial's receiver is spent; the frames' source replaces it below.
                entry.source = None;
            }
            Rc::clone(&entry.socket)
        };
        let result = match arrival {
            Arrival::Dialed(dialed) => socket.dialed(host, dialed).map(|source| {
                let alive = source.is_some();
                if let Some(entry) = self.sockets.borrow_mut().iter_mut().find(|e| e.id == id) {
                    entry.source = source;
                }
                alive
            }),
            Arrival::Frame(event) => socket.received(host, event),
        };
        if !matches!(result, Ok(true)) {
            self.sockets.borrow_mut().retain(|e| e.id != id);
            socket.release();
        }
        result.map(drop)
    }
}
