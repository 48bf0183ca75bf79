//! k6's newer WebSocket API (`k6/websockets`, `k6/experimental/websockets` in k6 v1.1): one
//! `WebSocket` and k6's rules for what it does and records.
//!
//! Unlike `ws.connect` (`session.rs`), nothing here blocks the script: [`WebSocket::open`]
//! starts the dial on a task of its own and returns at once (`readyState` CONNECTING); the
//! VU's event loop (`crate::runtime::event_loop`) waits on the socket's [`Source`] once the
//! iteration's function has returned, and hands what arrives to [`WebSocket::dialed`] and
//! [`WebSocket::received`], which fire the listeners through the [`Host`] (the script binding).
//! Sending only queues: a write pump task writes the queue in order and counts each frame it
//! wrote in `ws_msgs_sent` (text, binary, ping and close frames alike, as k6 does), so
//! `bufferedAmount` is what is still queued.
//!
//! k6 v1.1 semantics kept: `send`/`ping` outside OPEN throw `InvalidStateError`; `close()` sends
//! 1000 unless given 1000 or 3000–4999 and a reason of at most 123 bytes, moves to CLOSING and
//! fires `close` when the peer's close frame (or the end of the connection) arrives; frames that
//! arrive while CLOSING are dropped uncounted; a peer close other than 1000/1001 or an abnormal
//! end fires `error` (with `error`, gorilla's text) before `close`; a failed dial records
//! `ws_sessions` and `ws_connecting`, fires `error` then `close`, and records no
//! `ws_session_duration`; a listener that throws ends the connection at once (no close frame),
//! fires `error` and `close`, and the iteration fails with that error. An interrupted VU
//! ([`WebSocket::abandon`]) sends a 1000 close frame, runs no listener and records nothing more,
//! as k6 drops samples once the VU's context is done.
//!
//! Write failures are not reported on their own: the pump stops writing, and the connection's
//! end (which the reader sees) carries the error.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{SEC_WEBSOCKET_PROTOCOL, USER_AGENT};
use http::{HeaderName, HeaderValue};
use tokio::sync::{mpsc, oneshot};

use super::{close_error_text, Connection, Event, Failed, Outgoing, Wire, Writer, ABNORMAL_CLOSURE};
use crate::http::error_code::{self, Failure};
use crate::metrics::{self, builtin, tag, SystemTag, TagSet};

pub use super::events::{Detail, Kind, ReadyState, KIND_NAMES};

/// The default close code of `close()` and of an interrupted VU's sockets.
pub const NORMAL_CLOSURE: u16 = 1000;
/// The longest close reason a client may send (the spec's 123 bytes).
pub const MAX_CLOSE_REASON: usize = 123;
/// How long one queued frame may take to write (k6's `writeWait`).
const WRITE_WAIT: Duration = Duration::from_secs(10);

/// The script side of a `WebSocket`, implemented by the script binding.
pub trait Host {
    /// A script function registered as a listener (or a timer's callback).
    type Handler: Clone;
    type Error;

    /// Runs `handlers` in order with the event (`kind`, `detail`) of `socket`; the first error
    /// stops them.
    fn fire(
        &self,
        handlers: &[Self::Handler],
        socket: &Rc<WebSocket<Self::Handler>>,
        kind: Kind,
        detail: Detail<'_>,
    ) -> Result<(), Self::Error>;

    /// The error's message, for the `error` event a throwing listener fires.
    fn error_text(&self, err: &Self::Error) -> String;

    /// True when `err` is the VU being stopped rather than a script error.
    fn is_interruption(&self, err: &Self::Error) -> bool;
}

/// What `new WebSocket(url, protocols, params)` asked for, already converted.
pub struct Request {
    pub url: String,
    /// Requested subprotocols (`Sec-WebSocket-Protocol`).
    pub protocols: Vec<String>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// `params.tags`, over the VU's tags.
    pub user_tags: Vec<(String, String)>,
    /// The VU's tags (its `group` included).
    pub base_tags: TagSet,
    /// Sent when `headers` has no `User-Agent`.
    pub user_agent: Option<HeaderValue>,
    pub insecure_skip_tls_verify: bool,
}

/// The outcome of the dial task.
pub(crate) struct Dialed {
    result: Result<Connection, Failed>,
    connecting_ms: f64,
}

/// What the event loop waits on for one socket: its dial, then its frames.
pub(crate) enum Source {
    Dialing(oneshot::Receiver<Dialed>),
    Open(super::Receiver<Event>),
}

/// What a [`Source`] produced.
pub(crate) enum Arrival {
    Dialed(Option<Dialed>),
    Frame(Option<Event>),
}

impl Source {
    /// Polls for the next arrival; `Ready` once per dial, then once per frame.
    pub fn poll_arrival(&mut self, cx: &mut Context<'_>) -> Poll<Arrival> {
        match self {
            Source::Dialing(rx) => Pin::new(rx).poll(cx).map(|r| Arrival::Dialed(r.ok())),
            Source::Open(rx) => rx.poll_recv(cx).map(Arrival::Frame),
        }
    }
}

/// One `WebSocket`. The script's object is an `Rc` of it.
pub struct WebSocket<H> {
    url: String,
    state: Cell<ReadyState>,
    binary_type: Cell<&'static str>,
    protocol: RefCell<String>,
    /// Bytes of messages queued and not written yet; the write pump decrements it.
    buffered: Rc<Cell<usize>>,
    /// The `on<type>` property of each kind (runs before the listeners, as in k6).
    on: RefCell<[Option<H>; 6]>,
    listeners: RefCell<[Vec<H>; 6]>,
    /// The write queue; `None` once the connection is over.
    outgoing: RefCell<Option<mpsc::UnboundedSender<Outgoing>>>,
    /// The queue's other end, until the connection is up and the pump takes it.
    queued: RefCell<Option<mpsc::UnboundedReceiver<Outgoing>>>,
    /// The tags of every `ws_*` sample of this socket (`status` added once dialed).
    tags: RefCell<TagSet>,
    base_tags: TagSet,
    started: Instant,
    connected: Cell<bool>,
    pings: RefCell<Vec<(u64, Instant)>>,
    next_ping: Cell<u64>,
    wire: RefCell<Option<Wire>>,
    /// A frame the pump could not write; reported with the connection's end.
    write_failure: Rc<RefCell<Option<Failure>>>,
    /// Set when the VU is stopped: the pump still writes the close frame but counts nothing.
    silent: Rc<Cell<bool>>,
    /// What the script binding keeps alive with the socket.
    binding: RefCell<Option<Rc<dyn std::any::Any>>>,
}

impl<H: Clone> WebSocket<H> {
    /// Starts dialing `request.url` on a task of its own (inside the worker's `LocalSet`) and
    /// returns the socket, CONNECTING, with the [`Source`] the event loop waits on.
    pub(crate) fn open(request: Request) -> (Rc<WebSocket<H>>, Source) {
        let Request { url, protocols, mut headers, user_tags, base_tags, user_agent, insecure_skip_tls_verify } =
            request;
        let mut tags = base_tags.clone();
        for (k, v) in &user_tags {
            tags.insert(k, v);
        }
        // k6: `url` and `name` are the URL unless the script named the socket.
        let named = user_tags.iter().any(|(k, _)| k == tag::NAME);
        if metrics::system_tag_enabled(SystemTag::URL) {
            let url_tag = user_tags.iter().find(|(k, _)| k == tag::NAME).map_or(url.as_str(), |(_, v)| v.as_str());
            tags.insert(tag::URL, url_tag);
        }
        if !named && metrics::system_tag_enabled(SystemTag::NAME) {
            tags.insert(tag::NAME, &url);
        }
        if !headers.iter().any(|(name, _)| name == USER_AGENT) {
            headers.extend(user_agent.map(|agent| (USER_AGENT, agent)));
        }
        if !protocols.is_empty() {
            if let Ok(value) = HeaderValue::from_str(&protocols.join(", ")) {
                headers.push((SEC_WEBSOCKET_PROTOCOL, value));
            }
        }
        let (dialed_tx, dialed_rx) = oneshot::channel();
        let target = url.clone();
        tokio::task::spawn_local(async move {
            let start = Instant::now();
            let result = super::connect(&target, headers, insecure_skip_tls_verify).await;
            let _ = dialed_tx.send(Dialed { result, connecting_ms: ms_since(start) });
        });
        let (outgoing, queued) = mpsc::unbounded_channel();
        let socket = WebSocket {
            url,
            state: Cell::new(ReadyState::Connecting),
            binary_type: Cell::new("blob"),
            protocol: RefCell::new(String::new()),
            buffered: Rc::new(Cell::new(0)),
            on: RefCell::new(Default::default()),
            listeners: RefCell::new(Default::default()),
            outgoing: RefCell::new(Some(outgoing)),
            queued: RefCell::new(Some(queued)),
            tags: RefCell::new(tags),
            base_tags,
            started: Instant::now(),
            connected: Cell::new(false),
            pings: RefCell::new(Vec::new()),
            next_ping: Cell::new(0),
            wire: RefCell::new(None),
            write_failure: Rc::new(RefCell::new(None)),
            silent: Rc::new(Cell::new(false)),
            binding: RefCell::new(None),
        };
        (Rc::new(socket), Source::Dialing(dialed_rx))
    }

    /// Keeps `data` alive for as long as the socket (the script binding's count of live sockets).
    pub fn set_binding(&self, data: Rc<dyn std::any::Any>) {
        *self.binding.borrow_mut() = Some(data);
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn ready_state(&self) -> ReadyState {
        self.state.get()
    }

    /// The subprotocol the server chose ("" before the connection or when none).
    pub fn protocol(&self) -> String {
        self.protocol.borrow().clone()
    }

    pub fn buffered_amount(&self) -> usize {
        self.buffered.get()
    }

    pub fn binary_type(&self) -> &'static str {
        self.binary_type.get()
    }

    /// `binaryType = value`: k6 knows "blob" and "arraybuffer" (both reach a script as bytes).
    pub fn set_binary_type(&self, value: &str) -> Result<(), String> {
        match value {
            "blob" => self.binary_type.set("blob"),
            "arraybuffer" => self.binary_type.set("arraybuffer"),
            other => {
                return Err(format!("unknown binaryType {other}, the supported ones are \"blob\" and \"arraybuffer\""))
            }
        }
        Ok(())
    }

    /// The `on<kind>` property.
    pub fn on(&self, kind: Kind) -> Option<H> {
        self.on.borrow()[kind as usize].clone()
    }

    /// Sets (or, with `None`, unsets) the `on<kind>` property.
    pub fn set_on(&self, kind: Kind, handler: Option<H>) {
        self.on.borrow_mut()[kind as usize] = handler;
    }

    /// `addEventListener(kind, f)`: `f` runs after the `on<kind>` property and the listeners
    /// added before it.
    pub fn add_listener(&self, kind: Kind, handler: H) {
        self.listeners.borrow_mut()[kind as usize].push(handler);
    }

    /// `send(data)`: queues a text or binary message.
    pub fn send(&self, message: Outgoing) -> Result<(), String> {
        self.assert_open()?;
        self.queue(message);
        Ok(())
    }

    /// `ping()`: queues a ping whose payload is a sequence number, so the pong tells which
    /// ping it answers (`ws_ping`).
    pub fn ping(&self) -> Result<(), String> {
        self.assert_open()?;
        let id = self.next_ping.get();
        self.next_ping.set(id + 1);
        self.queue(Outgoing::Ping(Bytes::from(id.to_string())));
        self.pings.borrow_mut().push((id, Instant::now()));
        Ok(())
    }

    /// `close(code?, reason?)`: queues a close frame and moves to CLOSING; `close` fires when
    /// the connection ends. Closing a closing or closed socket does nothing.
    pub fn close(&self, code: Option<u16>, reason: &str) -> Result<(), String> {
        if matches!(self.state.get(), ReadyState::Closing | ReadyState::Closed) {
            return Ok(());
        }
        if let Some(code) = code.filter(|&c| !(c == NORMAL_CLOSURE || (3000..=4999).contains(&c))) {
            return Err(format!(
                "InvalidAccessError: Failed to execute 'close' on 'WebSocket': The close code must be either 1000, \
                 or between 3000 and 4999. {code} is neither"
            ));
        }
        if reason.len() > MAX_CLOSE_REASON {
            return Err("SyntaxError: Failed to execute 'close' on 'WebSocket': The message must not be greater than \
                        123 bytes"
                .into());
        }
        self.state.set(ReadyState::Closing);
        self.queue(Outgoing::Close(code.unwrap_or(NORMAL_CLOSURE), reason.to_string()));
        Ok(())
    }

    fn assert_open(&self) -> Result<(), String> {
        match self.state.get() {
            ReadyState::Open => Ok(()),
            _ => Err("InvalidStateError".into()),
        }
    }

    fn queue(&self, message: Outgoing) {
        if is_data(&message) {
            self.buffered.set(self.buffered.get() + message.len());
        }
        if let Some(outgoing) = self.outgoing.borrow().as_ref() {
            let _ = outgoing.send(message);
        }
    }

    /// The dial finished: record `ws_sessions` and `ws_connecting`, then OPEN and `open`, or
    /// CLOSED with `error` and `close`. Returns the frames' [`Source`] while the socket lives.
    pub(crate) fn dialed<S: Host<Handler = H>>(
        self: &Rc<Self>,
        host: &S,
        dialed: Option<Dialed>,
    ) -> Result<Option<Source>, S::Error> {
        let Some(Dialed { result, connecting_ms }) = dialed else {
            // The dial task vanished (a panic in it): as if the connection failed.
            let failure = Failure::new(error_code::GENERIC, close_error_text(ABNORMAL_CLOSURE, ""));
            return self.failed_dial(host, Failed { upgrade: None, failure, wire: None }, 0.0).map(|()| None);
        };
        let connection = match result {
            Ok(connection) => connection,
            Err(failed) => return self.failed_dial(host, failed, connecting_ms).map(|()| None),
        };
        connection.upgrade.add_tags(&mut self.tags.borrow_mut());
        let tags = self.tags.borrow().clone();
        metrics::record(builtin::WS_SESSIONS, &tags, 1.0);
        metrics::record(builtin::WS_CONNECTING, &tags, connecting_ms);
        self.connected.set(true);
        *self.protocol.borrow_mut() = connection.upgrade.subprotocol().to_owned();
        *self.wire.borrow_mut() = Some(connection.wire);
        if let Some(queued) = self.queued.borrow_mut().take() {
            let pump = Pump {
                tags,
                buffered: Rc::clone(&self.buffered),
                failure: Rc::clone(&self.write_failure),
                silent: Rc::clone(&self.silent),
            };
            tokio::task::spawn_local(pump.run(connection.writer, queued));
        }
        let source = Source::Open(connection.events);
        // close() while CONNECTING: the close frame is queued, and no `open` fires.
        if self.state.get() != ReadyState::Connecting {
            return Ok(Some(source));
        }
        self.state.set(ReadyState::Open);
        match self.fire(host, Kind::Open, Detail::None) {
            Ok(()) => Ok(Some(source)),
            Err(err) => Err(self.fail(host, err)),
        }
    }

    fn failed_dial<S: Host<Handler = H>>(
        self: &Rc<Self>,
        host: &S,
        failed: Failed,
        connecting_ms: f64,
    ) -> Result<(), S::Error> {
        if let Some(upgrade) = &failed.upgrade {
            upgrade.add_tags(&mut self.tags.borrow_mut());
        }
        let tags = self.tags.borrow().clone();
        metrics::record(builtin::WS_SESSIONS, &tags, 1.0);
        metrics::record(builtin::WS_CONNECTING, &tags, connecting_ms);
        metrics::record_failure(failed.failure.code, &failed.failure.message);
        if let Some(wire) = &failed.wire {
            record_wire(&self.base_tags, wire);
        }
        self.end();
        self.fire(host, Kind::Error, Detail::Error(&failed.failure.message))?;
        self.fire(host, Kind::Close, Detail::Close { code: ABNORMAL_CLOSURE, reason: "" })
    }

    /// A frame (or the connection's end) arrived. Returns false once the socket is closed.
    pub(crate) fn received<S: Host<Handler = H>>(
        self: &Rc<Self>,
        host: &S,
        event: Option<Event>,
    ) -> Result<bool, S::Error> {
        let step = match event {
            Some(Event::Text(text)) => self.message(host, Detail::Text(text.as_str())),
            Some(Event::Binary(data)) => self.message(host, Detail::Binary(&data)),
            Some(Event::Ping) => self.fire(host, Kind::Ping, Detail::None),
            Some(Event::Pong(payload)) => {
                self.track_pong(&payload);
                self.fire(host, Kind::Pong, Detail::None)
            }
            Some(Event::Closed { code, reason, error }) => {
                return self.closed(host, code, &reason, error).map(|()| false)
            }
            // The reader always ends with `Closed`; this is a reader that vanished.
            None => {
                let failure = Failure::new(error_code::GENERIC, close_error_text(ABNORMAL_CLOSURE, ""));
                return self.closed(host, ABNORMAL_CLOSURE, "", Some(failure)).map(|()| false);
            }
        };
        step.map(|()| true).map_err(|err| self.fail(host, err))
    }

    fn message<S: Host<Handler = H>>(self: &Rc<Self>, host: &S, detail: Detail<'_>) -> Result<(), S::Error> {
        // k6 drops what arrives after close() (or a failure) without counting it.
        if self.state.get() != ReadyState::Open {
            return Ok(());
        }
        metrics::record(builtin::WS_MSGS_RECEIVED, &self.tags.borrow(), 1.0);
        self.fire(host, Kind::Message, detail)
    }

    fn closed<S: Host<Handler = H>>(
        self: &Rc<Self>,
        host: &S,
        code: u16,
        reason: &str,
        error: Option<Failure>,
    ) -> Result<(), S::Error> {
        if self.state.get() == ReadyState::Closed {
            return Ok(());
        }
        self.finish();
        let error = error.or_else(|| self.write_failure.borrow_mut().take());
        if let Some(failure) = &error {
            metrics::record_failure(failure.code, &failure.message);
            self.fire(host, Kind::Error, Detail::Error(&failure.message))?;
        }
        self.fire(host, Kind::Close, Detail::Close { code, reason })
    }

    /// Records `ws_ping` for the ping this pong answers; pongs nobody asked for are ignored.
    fn track_pong(&self, payload: &[u8]) {
        let Some(id) = std::str::from_utf8(payload).ok().and_then(|s| s.parse::<u64>().ok()) else { return };
        let mut pings = self.pings.borrow_mut();
        if let Some(at) = pings.iter().position(|(sent, _)| *sent == id) {
            let (_, sent_at) = pings.swap_remove(at);
            metrics::record(builtin::WS_PING, &self.tags.borrow(), ms_since(sent_at));
        }
    }

    fn fire<S: Host<Handler = H>>(self: &Rc<Self>, host: &S, kind: Kind, detail: Detail<'_>) -> Result<(), S::Error> {
        let mut handlers: Vec<H> = self.on.borrow()[kind as usize].iter().cloned().collect();
        handlers.extend(self.listeners.borrow()[kind as usize].iter().cloned());
        if handlers.is_empty() {
            return Ok(());
        }
        host.fire(&handlers, self, kind, detail)
    }

    /// A listener threw: the connection ends at once (no close frame, as k6 drops it), `error`
    /// and `close` fire (their own errors ignored), and the error goes back to the iteration.
    fn fail<S: Host<Handler = H>>(self: &Rc<Self>, host: &S, err: S::Error) -> S::Error {
        if host.is_interruption(&err) {
            self.abandon();
            return err;
        }
        if self.state.get() != ReadyState::Closed {
            self.finish();
            let text = host.error_text(&err);
            let _ = self.fire(host, Kind::Error, Detail::Error(&text));
            let _ = self.fire(host, Kind::Close, Detail::Close { code: ABNORMAL_CLOSURE, reason: "" });
        }
        err
    }

    /// The VU is being stopped: a 1000 close frame goes out when the socket is connected, no
    /// listener runs and nothing more is recorded.
    pub fn abandon(&self) {
        if self.state.get() == ReadyState::Closed {
            return;
        }
        self.silent.set(true);
        if self.state.get() != ReadyState::Closing {
            self.queue(Outgoing::Close(NORMAL_CLOSURE, String::new()));
        }
        self.end();
    }

    /// Drops the listeners once the socket has left the event loop: they are closures that
    /// usually capture the socket itself, a cycle that would otherwise keep both alive.
    pub fn release(&self) {
        *self.on.borrow_mut() = Default::default();
        *self.listeners.borrow_mut() = Default::default();
    }

    /// CLOSED, with `ws_session_duration` and the wire's bytes for a connected socket.
    fn finish(&self) {
        if self.connected.get() {
            metrics::record(builtin::WS_SESSION_DURATION, &self.tags.borrow(), ms_since(self.started));
            if let Some(wire) = self.wire.borrow().as_ref() {
                record_wire(&self.base_tags, wire);
            }
        }
        self.end();
    }

    /// CLOSED: the write queue ends (the pump writes what is queued, then stops).
    fn end(&self) {
        self.state.set(ReadyState::Closed);
        self.outgoing.borrow_mut().take();
        self.queued.borrow_mut().take();
    }
}

/// The write side of one connection: writes the queue in order, counts `ws_msgs_sent`.
struct Pump {
    tags: TagSet,
    buffered: Rc<Cell<usize>>,
    failure: Rc<RefCell<Option<Failure>>>,
    silent: Rc<Cell<bool>>,
}

impl Pump {
    async fn run(self, mut writer: Writer, mut queue: mpsc::UnboundedReceiver<Outgoing>) {
        while let Some(message) = queue.recv().await {
            let size = if is_data(&message) { message.len() } else { 0 };
            let written = match tokio::time::timeout(WRITE_WAIT, writer.send(message)).await {
                Ok(written) => written,
                Err(_elapsed) => Err(Failure::new(error_code::GENERIC, "websocket: write timeout")),
            };
            self.buffered.set(self.buffered.get().saturating_sub(size));
            match written {
                Ok(()) if self.silent.get() => {}
                Ok(()) => metrics::record(builtin::WS_MSGS_SENT, &self.tags, 1.0),
                Err(failure) => {
                    self.failure.borrow_mut().get_or_insert(failure);
                    return;
                }
            }
        }
    }
}

/// A text or binary message: what `bufferedAmount` counts (pings and close frames are not).
fn is_data(message: &Outgoing) -> bool {
    matches!(message, Outgoing::Text(_) | Outgoing::Binary(_))
}

fn record_wire(tags: &TagSet, wire: &Wire) {
    super::io::record_wire(tags, wire.sent(), wire.received());
}

fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}
