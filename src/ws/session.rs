//! One `ws.connect` session: k6's rules for what a WebSocket session does and records.
//!
//! [`run`] dials and upgrades, records `ws_sessions` and `ws_connecting` (for failed connects
//! too, which are also counted by error code and message for the summary's table of failures),
//! hands the open [`Session`] to the script's setup function, fires `open` after it
//! returns, and then runs the event loop until the socket closes (either side) or the VU is
//! stopped: it waits for the next event (a frame queued by the reader task, or the earliest
//! timer, timers first so a flood of frames cannot starve them) and fires the matching
//! handlers. At the end it records `ws_session_duration` and adds the wire's bytes to the
//! `data_sent` / `data_received` its VU records when the iteration ends (`io::record_wire`). Sending counts `ws_msgs_sent` (every call, written or not, as k6 does),
//! each text or binary frame received counts `ws_msgs_received`, and a pong that answers one
//! of our pings records `ws_ping`.
//!
//! k6 semantics kept: `close()` sends 1001 (going away) unless given a code, and the `close`
//! handlers receive the code that was sent, or the peer's; a peer close other than 1000/1001
//! and an abnormal end (1006) fire `error` first with gorilla's text; a failing handler closes
//! the socket (1001) and ends the session with its error; a stopped VU sends a close frame
//! (1001) and runs no more handlers.
//!
//! The script is behind the [`Script`] trait: it runs handlers and suspends the VU while a
//! future runs. This module knows which handler to run when and with what, not how a handler
//! is called (that is `crate::script::api::ws`).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::USER_AGENT;
use http::{HeaderName, HeaderValue};

use super::io::record_wire;
use super::timers::Timers;
use super::{close_error_text, Event, Outgoing, Receiver, Upgrade, Writer, ABNORMAL_CLOSURE};
use crate::http::error_code::{self, Failure};
use crate::metrics::{self, builtin, tag, TagSet};

/// k6's default close code for `socket.close()` and for sessions ended by an error.
pub const GOING_AWAY: u16 = 1001;
/// How long an abandoned session (hard stop) may take to send its close frame.
const ABANDON_GRACE: Duration = Duration::from_secs(1);

/// The events a script can handle, in the order of [`EVENT_NAMES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum On {
    Open,
    Message,
    BinaryMessage,
    Ping,
    Pong,
    Close,
    Error,
}

/// k6's event names, for `socket.on(name, ...)`.
pub const EVENT_NAMES: [&str; 7] = ["open", "message", "binaryMessage", "ping", "pong", "close", "error"];

impl On {
    /// The event k6 calls `name`.
    pub fn parse(name: &str) -> Option<On> {
        const ALL: [On; 7] = [On::Open, On::Message, On::BinaryMessage, On::Ping, On::Pong, On::Close, On::Error];
        EVENT_NAMES.iter().position(|n| *n == name).map(|i| ALL[i])
    }
}

/// What a handler receives: a text message, an error's text, a binary message, a close code.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    Text(&'a str),
    Error(&'a str),
    Binary(&'a [u8]),
    Code(u16),
}

/// The script side of a session, implemented by the script binding.
pub trait Script {
    /// A script function registered with `socket.on` or a timer.
    type Handler: Clone;
    type Error;

    /// Runs `handlers` in order with `arg` (or none); the first error stops them.
    fn call(&self, handlers: &[Self::Handler], arg: Option<Arg<'_>>) -> Result<(), Self::Error>;

    /// Suspends the VU until the future `make()` builds completes; an error when the VU is
    /// being stopped.
    fn wait<F, M>(&self, make: M) -> Result<F::Output, Self::Error>
    where
        M: FnOnce() -> F + 'static,
        F: Future + 'static,
        F::Output: 'static;

    /// [`Script::wait`] for the event loop's next event: a wait that may be long and follows
    /// handlers that ran deeper than it, so the VU's stack below it is given back sooner
    /// (`crate::runtime::coroutine::suspend_for_events`).
    fn wait_for_events<F, M>(&self, make: M) -> Result<F::Output, Self::Error>
    where
        M: FnOnce() -> F + 'static,
        F: Future + 'static,
        F::Output: 'static;

    /// True when `err` is the VU being stopped rather than a script error.
    fn is_interruption(&self, err: &Self::Error) -> bool;
}

/// What `ws.connect` was asked for, already converted from the script's values.
pub struct Request {
    pub url: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// `params.tags`; the session's samples carry them over the VU's tags.
    pub user_tags: Vec<(String, String)>,
    /// The VU's tags (its `group` included).
    pub base_tags: TagSet,
    /// Sent when `headers` has no `User-Agent`.
    pub user_agent: Option<HeaderValue>,
    pub insecure_skip_tls_verify: bool,
}

/// How a session went: the upgrade answer and the session's first error, if any.
pub struct Outcome {
    pub upgrade: Upgrade,
    pub error: Option<Failure>,
}

/// An open session: a handle the script's socket wraps. Cloning shares it.
pub struct Session<H>(Rc<State<H>>);

impl<H> Clone for Session<H> {
    fn clone(&self) -> Self {
        Session(Rc::clone(&self.0))
    }
}

struct State<H> {
    /// Handlers per event; `Rc` so firing an event does not copy the list while a handler
    /// registers another one. `None` until the script registers one: a session usually
    /// handles two or three of the seven events, and 10,000 sessions wait at once.
    handlers: RefCell<[Option<Rc<Vec<H>>>; 7]>,
    timers: RefCell<Timers<H>>,
    /// `None` once closed (or while a write is in flight).
    writer: RefCell<Option<Writer>>,
    closed: Cell<bool>,
    /// Pings sent and not answered yet: (id, when).
    pings: RefCell<Vec<(u64, Instant)>>,
    next_ping: Cell<u64>,
    /// The tags of every `ws_*` sample of this session.
    tags: TagSet,
    /// The session's first error, reported in the returned map.
    first_error: RefCell<Option<Failure>>,
}

/// What woke the event loop.
enum Wake {
    Timer,
    Event(Option<Event>),
}

/// Runs one `ws.connect`: connect, `setup(session)`, `open`, events until closed. A failed
/// connect does not call `setup` (k6 registers handlers there, so none could see it) and comes
/// back as an [`Outcome`] with its error.
///
/// Stack depth: this frame and the event loop's stay on the VU's stack while the socket waits
/// (10,000 VUs wait at once), so everything else (the request's preparation, the samples at
/// the end, running handlers) happens in frames of its own that are gone while the VU waits,
/// and what lives through the session is boxed. Before, `run` alone took 1,184 bytes of
/// stack and a waiting VU held 4 pages; see bench/README.md "10,000 WebSockets: what a waiting VU holds".
// Boxed so that the caller's frame, under the wait too, holds a pointer and not the request.
#[allow(clippy::boxed_local)]
pub fn run<S: Script>(
    script: &S,
    request: Box<Request>,
    setup: impl FnOnce(&Session<S::Handler>) -> Result<(), S::Error>,
) -> Result<Box<Outcome>, S::Error> {
    let (mut opening, dial) = prepare(request);
    let connected = script.wait(move || dial.run())?;
    let (session, events) = match opened(&mut opening, connected) {
        Ok(open) => open,
        Err(outcome) => return Ok(outcome),
    };
    let result = session.event_loop(script, setup, events);
    let cut = result.as_ref().err().is_some_and(|err| script.is_interruption(err));
    session.finish(&mut opening, result.err(), cut)
}

/// A session's state from the dial to its end (boxed: see [`run`]).
struct Opening {
    tags: TagSet,
    base_tags: TagSet,
    start: Instant,
    /// The upgrade answer and the wire, once connected.
    upgrade: Upgrade,
    wire: Option<super::Wire>,
}

/// What the dial needs, moved into the future that dials (built on the driver's stack).
struct Dial {
    url: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    insecure_skip_tls_verify: bool,
}

impl Dial {
    async fn run(self) -> Result<super::Connection, super::Failed> {
        super::connect(&self.url, self.headers, self.insecure_skip_tls_verify).await
    }
}

/// The session's tags and the dial's request. Takes the box so that it is freed here, not
/// held by `run`'s frame for the whole session (152 bytes per open WebSocket).
#[allow(clippy::boxed_local)]
#[inline(never)]
fn prepare(request: Box<Request>) -> (Box<Opening>, Dial) {
    let Request { url, mut headers, user_tags, base_tags, user_agent, insecure_skip_tls_verify } = *request;
    let mut tags = base_tags.clone();
    for (k, v) in &user_tags {
        tags.insert(k, v);
    }
    if metrics::system_tag_enabled(metrics::SystemTag::URL) {
        tags.insert(tag::URL, &url);
    }
    if !headers.iter().any(|(name, _)| name == USER_AGENT) {
        headers.extend(user_agent.map(|agent| (USER_AGENT, agent)));
    }
    let opening = Box::new(Opening { tags, base_tags, start: Instant::now(), upgrade: Upgrade::default(), wire: None });
    (opening, Dial { url, headers, insecure_skip_tls_verify })
}

/// Records the dial's samples: the open session and its frames, or the failed connect's
/// [`Outcome`].
#[inline(never)]
fn opened<H: Clone>(
    opening: &mut Opening,
    connected: Result<super::Connection, super::Failed>,
) -> Result<(Session<H>, Receiver<Event>), Box<Outcome>> {
    let connecting_ms = ms_since(opening.start);
    let tags = &mut opening.tags;
    let connection = match connected {
        Ok(connection) => connection,
        Err(failed) => {
            if let Some(upgrade) = &failed.upgrade {
                upgrade.add_tags(tags);
            }
            metrics::record(builtin::WS_SESSIONS, tags, 1.0);
            metrics::record(builtin::WS_CONNECTING, tags, connecting_ms);
            metrics::record(builtin::WS_SESSION_DURATION, tags, ms_since(opening.start));
            metrics::record_failure(failed.failure.code, &failed.failure.message);
            if let Some(wire) = &failed.wire {
                record_wire(&opening.base_tags, wire.sent(), wire.received());
            }
            let upgrade = failed.upgrade.unwrap_or_default();
            return Err(Box::new(Outcome { upgrade, error: Some(failed.failure) }));
        }
    };
    connection.upgrade.add_tags(tags);
    metrics::record(builtin::WS_SESSIONS, tags, 1.0);
    metrics::record(builtin::WS_CONNECTING, tags, connecting_ms);
    opening.upgrade = connection.upgrade;
    opening.wire = Some(connection.wire);
    // The session's samples carry the tags from now on (`finish` reads them there).
    Ok((Session::new(connection.writer, std::mem::take(&mut opening.tags)), connection.events))
}

fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

impl<H: Clone> Session<H> {
    /// The session is over (`error` when the event loop ended with one): the close frame,
    /// `ws_session_duration`, the wire's bytes, and the upgrade answer for the script. A
    /// session `cut` by the test (its VU stopped at the end of `gracefulStop`, an abort, a
    /// signal) records no `ws_session_duration`, as in k6, whose percentiles then describe only
    /// sessions that ended.
    #[inline(never)]
    fn finish<E>(&self, opening: &mut Opening, error: Option<E>, cut: bool) -> Result<Box<Outcome>, E> {
        self.abandon();
        if !cut {
            metrics::record(builtin::WS_SESSION_DURATION, &self.0.tags, ms_since(opening.start));
        }
        if let Some(wire) = &opening.wire {
            record_wire(&opening.base_tags, wire.sent(), wire.received());
        }
        if let Some(err) = error {
            return Err(err);
        }
        let error = self.0.first_error.borrow().clone();
        Ok(Box::new(Outcome { upgrade: std::mem::take(&mut opening.upgrade), error }))
    }

    fn new(writer: Writer, tags: TagSet) -> Self {
        Session(Rc::new(State {
            handlers: RefCell::new(Default::default()),
            timers: RefCell::new(Timers::default()),
            writer: RefCell::new(Some(writer)),
            closed: Cell::new(false),
            pings: RefCell::new(Vec::new()),
            next_ping: Cell::new(0),
            tags,
            first_error: RefCell::new(None),
        }))
    }

    /// The script's setup function, `open`, then events until closed.
    fn event_loop<S: Script<Handler = H>>(
        &self,
        script: &S,
        setup: impl FnOnce(&Session<H>) -> Result<(), S::Error>,
        mut events: Receiver<Event>,
    ) -> Result<(), S::Error> {
        self.start(script, setup)?;
        while !self.0.closed.get() {
            let due = self.0.timers.borrow().next_due();
            let (back, wake) = script.wait_for_events(move || async move {
                let wake = match due {
                    // Timers first: a flood of frames must not starve them.
                    Some(due) => tokio::select! {
                        biased;
                        () = tokio::time::sleep_until(due) => Wake::Timer,
                        event = events.recv() => Wake::Event(event),
                    },
                    None => Wake::Event(events.recv().await),
                };
                (events, wake)
            })?;
            events = back;
            let step = match wake {
                Wake::Timer => self.run_due_timer(script),
                Wake::Event(event) => self.dispatch(script, event),
            };
            step.map_err(|e| self.fail(script, e))?;
        }
        Ok(())
    }

    /// The script's setup function, then `open`. Not inlined, as [`Self::dispatch`] and
    /// [`Self::run_due_timer`]: what they keep on the stack is gone while the VU waits.
    #[inline(never)]
    fn start<S: Script<Handler = H>>(
        &self,
        script: &S,
        setup: impl FnOnce(&Session<H>) -> Result<(), S::Error>,
    ) -> Result<(), S::Error> {
        setup(self).map_err(|e| self.fail(script, e))?;
        if !self.0.closed.get() {
            self.fire(script, On::Open, None).map_err(|e| self.fail(script, e))?;
        }
        Ok(())
    }

    #[inline(never)]
    fn dispatch<S: Script<Handler = H>>(&self, script: &S, event: Option<Event>) -> Result<(), S::Error> {
        match event {
            Some(Event::Text(text)) => {
                metrics::record(builtin::WS_MSGS_RECEIVED, &self.0.tags, 1.0);
                self.fire(script, On::Message, Some(Arg::Text(text.as_str())))
            }
            Some(Event::Binary(data)) => {
                metrics::record(builtin::WS_MSGS_RECEIVED, &self.0.tags, 1.0);
                self.fire(script, On::BinaryMessage, Some(Arg::Binary(&data)))
            }
            Some(Event::Ping) => self.fire(script, On::Ping, None),
            Some(Event::Pong(data)) => {
                self.track_pong(&data);
                self.fire(script, On::Pong, None)
            }
            Some(Event::Closed { code, error, .. }) => self.peer_closed(script, code, error),
            // The reader always ends with `Closed`; this is a reader that vanished.
            None => {
                let failure = Failure::new(error_code::GENERIC, close_error_text(ABNORMAL_CLOSURE, ""));
                self.peer_closed(script, ABNORMAL_CLOSURE, Some(failure))
            }
        }
    }

    fn peer_closed<S: Script<Handler = H>>(
        &self,
        script: &S,
        code: u16,
        error: Option<Failure>,
    ) -> Result<(), S::Error> {
        if self.0.closed.replace(true) {
            return Ok(());
        }
        // tungstenite has answered the peer's close frame itself.
        let writer = self.0.writer.borrow_mut().take();
        drop(writer);
        if let Some(failure) = error {
            self.report_error(script, failure)?;
        }
        self.fire(script, On::Close, Some(Arg::Code(code)))
    }

    /// `socket.on(event, f)`: `f` runs after the handlers registered before it.
    pub fn on(&self, event: On, f: H) {
        let mut handlers = self.0.handlers.borrow_mut();
        // One slot for the usual one handler, not the four a first push reserves.
        let list = handlers[event as usize].get_or_insert_with(|| Rc::new(Vec::with_capacity(1)));
        Rc::make_mut(list).push(f);
    }

    fn fire<S: Script<Handler = H>>(&self, script: &S, on: On, arg: Option<Arg<'_>>) -> Result<(), S::Error> {
        let Some(handlers) = self.0.handlers.borrow()[on as usize].clone() else { return Ok(()) };
        script.call(&handlers, arg)
    }

    /// Records the session's first error and runs the `error` handlers with its text.
    fn report_error<S: Script<Handler = H>>(&self, script: &S, failure: Failure) -> Result<(), S::Error> {
        let text = failure.message.clone();
        self.0.first_error.borrow_mut().get_or_insert(failure);
        self.fire(script, On::Error, Some(Arg::Error(&text)))
    }

    /// `socket.send` / `socket.sendBinary`.
    pub fn send<S: Script<Handler = H>>(&self, script: &S, message: Outgoing) -> Result<(), S::Error> {
        // k6 counts the message whether or not the write succeeded.
        metrics::record(builtin::WS_MSGS_SENT, &self.0.tags, 1.0);
        self.write(script, message).map(drop)
    }

    /// Writes `message`; a failure goes to the `error` handlers. True when it was written.
    fn write<S: Script<Handler = H>>(&self, script: &S, message: Outgoing) -> Result<bool, S::Error> {
        let writer = self.0.writer.borrow_mut().take();
        let Some(mut writer) = writer else {
            self.report_error(script, Failure::new(error_code::GENERIC, "websocket: close sent"))?;
            return Ok(false);
        };
        let (writer, result) = script.wait(move || async move {
            let result = writer.send(message).await;
            (writer, result)
        })?;
        *self.0.writer.borrow_mut() = Some(writer);
        match result {
            Ok(()) => Ok(true),
            Err(failure) => {
                self.report_error(script, failure)?;
                Ok(false)
            }
        }
    }

    /// `socket.ping()`: the payload is a sequence number, so the pong tells which ping it answers.
    pub fn ping<S: Script<Handler = H>>(&self, script: &S) -> Result<(), S::Error> {
        let id = self.0.next_ping.get();
        if self.write(script, Outgoing::Ping(Bytes::from(id.to_string())))? {
            self.0.next_ping.set(id + 1);
            self.0.pings.borrow_mut().push((id, Instant::now()));
        }
        Ok(())
    }

    /// Records `ws_ping` for the ping this pong answers; pongs nobody asked for are ignored.
    fn track_pong(&self, payload: &[u8]) {
        let Some(id) = std::str::from_utf8(payload).ok().and_then(|s| s.parse::<u64>().ok()) else { return };
        let mut pings = self.0.pings.borrow_mut();
        if let Some(at) = pings.iter().position(|(sent, _)| *sent == id) {
            let (_, sent_at) = pings.swap_remove(at);
            metrics::record(builtin::WS_PING, &self.0.tags, ms_since(sent_at));
        }
    }

    /// `socket.close(code)`: sends a close frame with `code`, then runs the `close` handlers
    /// with it. Closing twice does nothing.
    pub fn close<S: Script<Handler = H>>(&self, script: &S, code: u16) -> Result<(), S::Error> {
        if self.0.closed.replace(true) {
            return Ok(());
        }
        let writer = self.0.writer.borrow_mut().take();
        if let Some(mut writer) = writer {
            let sent = script.wait(move || async move { writer.send(Outgoing::Close(code, String::new())).await })?;
            if let Err(failure) = sent {
                self.report_error(script, failure)?;
            }
        }
        self.fire(script, On::Close, Some(Arg::Code(code)))
    }

    /// A handler failed: close as k6 does (1001, `close` handlers run) unless the VU is being
    /// stopped, and hand the error back.
    #[cold]
    #[inline(never)]
    fn fail<S: Script<Handler = H>>(&self, script: &S, err: S::Error) -> S::Error {
        if !script.is_interruption(&err) {
            let _ = self.close(script, GOING_AWAY);
        }
        err
    }

    /// Ends the session without running handlers: a close frame (1001) is still sent, from a
    /// task of its own, when the socket is open. Used when the loop is over for any reason.
    fn abandon(&self) {
        self.0.closed.set(true);
        self.0.timers.borrow_mut().clear();
        let writer = self.0.writer.borrow_mut().take();
        if let Some(mut writer) = writer {
            tokio::task::spawn_local(async move {
                let _ =
                    tokio::time::timeout(ABANDON_GRACE, writer.send(Outgoing::Close(GOING_AWAY, String::new()))).await;
            });
        }
    }

    /// `socket.setTimeout(f, delay)` (`repeat` false) and `socket.setInterval(f, delay)`.
    pub fn set_timer(&self, f: H, delay: Duration, repeat: bool) {
        let _id = self.0.timers.borrow_mut().add(tokio::time::Instant::now(), delay, repeat, f);
    }

    /// Runs the earliest timer's handler.
    #[inline(never)]
    fn run_due_timer<S: Script<Handler = H>>(&self, script: &S) -> Result<(), S::Error> {
        let f = self.0.timers.borrow_mut().take_earliest(tokio::time::Instant::now());
        match f {
            Some(f) => script.call(std::slice::from_ref(&f), None),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_are_k6_names() {
        assert_eq!(On::parse("binaryMessage"), Some(On::BinaryMessage));
        assert_eq!(On::parse("close"), Some(On::Close));
        assert!(On::parse("mesage").is_none());
    }
}
