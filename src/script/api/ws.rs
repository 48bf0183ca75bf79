//! `ws.connect` (k6/ws) for Rhai: a VU opens a WebSocket, registers handlers on a `Socket`,
//! and stays in that socket's event loop until it closes.
//!
//! ```rhai
//! let res = ws.connect(url, #{ tags: #{ room: "a" } }, |socket| {
//!     socket.on("open", || socket.send("hello"));
//!     socket.on("message", |text| { count += 1; if count == 3 { socket.close(); } });
//!     socket.setTimeout(|| socket.close(), 5000);
//! });
//! check(res, #{ "upgraded": |r| r.status == 101 });
//! ```
//!
//! The event loop runs on the VU's coroutine: it suspends until the next event (a frame queued
//! by the session's reader task, or the earliest timer), then calls the matching handlers with
//! the `NativeCallContext` of `ws.connect`, so handlers may call `http.*`, `check`, `sleep` and
//! custom metrics. While a handler is suspended, the reader keeps reading and queueing frames
//! (see `crate::ws`). The loop ends when the socket closes (either side) or on a hard stop, which
//! sends a close frame (1001) and ends the iteration without running handlers.
//!
//! k6 semantics kept: `open` fires after the handler passed to `connect` returns; a failed
//! connect (refused, TLS, non-101 answer) does not run that handler and returns the response
//! with `error` set (k6's handlers are registered by that function, so they cannot see it);
//! `close()` sends 1001 (going away) unless given a code, and the `close` handler receives the
//! code that was sent, or the peer's; a peer close other than 1000/1001 and an abnormal end
//! (1006) fire `error` first with gorilla's text; `ws_msgs_sent` counts every `send` call, as
//! k6 does; `ws_sessions` and `ws_connecting` are recorded for failed connects too.
//!
//! Beyond k6: the returned map has `error_code` (k6's codes: dial errors as for `http.*`,
//! `1000 + status` for a 4xx/5xx upgrade answer, 1000 for WebSocket-level failures), and a
//! session that failed after the upgrade (abrupt close, invalid frame) reports its first error
//! there as well. Handlers may take their argument or not (`|| ...` for `close` works), and an
//! unknown event name is an error rather than a handler that never fires.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderName, HeaderValue};
use rhai::{Blob, Dynamic, Engine, EvalAltResult, FnPtr, ImmutableString, Map, NativeCallContext};
use tokio::sync::mpsc;

use super::response::canonical_header;
use crate::http::error_code::{self, Failure};
use crate::http::DEFAULT_USER_AGENT;
use crate::metrics::{self, builtin, tag, TagSet};
use crate::runtime::coroutine::suspend_with;
use crate::runtime::vu::{self, interrupted_error, is_interruption};
use crate::ws::{self as client, Event, Outgoing, Upgrade, Writer};

thread_local! {
    /// The sockets of the sessions running on this thread, keyed by their VU (the address of
    /// its context): what the name `socket` resolves to; see [`current_socket`].
    static ACTIVE: RefCell<Vec<(usize, Socket)>> = const { RefCell::new(Vec::new()) };
}

/// The `ws` object scripts call `connect` on.
#[derive(Clone, Copy)]
pub struct WsApi;

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// k6's default close code for `socket.close()` and for sessions ended by an error.
const GOING_AWAY: u16 = 1001;
/// How long an abandoned session (hard stop) may take to send its close frame.
const ABANDON_GRACE: Duration = Duration::from_secs(1);

/// The events a script can handle, in the order of [`EVENT_NAMES`].
#[derive(Clone, Copy)]
enum On {
    Open,
    Message,
    BinaryMessage,
    Ping,
    Pong,
    Close,
    Error,
}

const EVENT_NAMES: [&str; 7] = ["open", "message", "binaryMessage", "ping", "pong", "close", "error"];

impl On {
    fn parse(name: &str) -> Option<On> {
        const ALL: [On; 7] = [On::Open, On::Message, On::BinaryMessage, On::Ping, On::Pong, On::Close, On::Error];
        EVENT_NAMES.iter().position(|n| *n == name).map(|i| ALL[i])
    }
}

/// The socket a `ws.connect` handler receives. Cloning shares it.
#[derive(Clone)]
pub struct Socket(Rc<State>);

struct State {
    /// Handlers per event; `Rc` so firing an event does not copy the list while a handler
    /// registers another one.
    handlers: RefCell<[Rc<Vec<FnPtr>>; 7]>,
    timers: RefCell<Timers>,
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

#[derive(Default)]
struct Timers {
    list: Vec<Timer>,
}

struct Timer {
    due: tokio::time::Instant,
    every: Option<Duration>,
    f: FnPtr,
}

/// What woke the event loop.
enum Wake {
    Timer,
    Event(Option<Event>),
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<WsApi>("ws");
    engine.register_type_with_name::<Socket>("Socket");
    engine.register_fn("connect", |ctx: NativeCallContext, _: WsApi, url: &str, handler: FnPtr| {
        connect(&ctx, url, Dynamic::UNIT, handler)
    });
    engine.register_fn("connect", |ctx: NativeCallContext, _: WsApi, url: &str, params: Dynamic, handler: FnPtr| {
        connect(&ctx, url, params, handler)
    });
    engine.register_fn("on", |s: Socket, event: &str, f: FnPtr| s.on(event, f));
    engine.register_fn("send", |ctx: NativeCallContext, s: Socket, text: Dynamic| -> RhaiResult<()> {
        let text = text
            .into_immutable_string()
            .map_err(|t| format!("socket.send expects a string, got {t} (use value.to_json() for maps and arrays)"))?;
        s.send(&ctx, Outgoing::Text(text.to_string()))
    });
    engine.register_fn("sendBinary", |ctx: NativeCallContext, s: Socket, data: Blob| {
        s.send(&ctx, Outgoing::Binary(data))
    });
    engine.register_fn("ping", |ctx: NativeCallContext, s: Socket| s.ping(&ctx));
    engine.register_fn("close", |ctx: NativeCallContext, s: Socket| s.close(&ctx, GOING_AWAY));
    engine.register_fn("close", |ctx: NativeCallContext, s: Socket, code: i64| -> RhaiResult<()> {
        let code = u16::try_from(code)
            .ok()
            .filter(|c| (1000..5000).contains(c) && !matches!(c, 1005 | 1006 | 1015))
            .ok_or_else(|| {
                format!("socket.close({code}): close codes go from 1000 to 4999 (1005, 1006 and 1015 can't be sent)")
            })?;
        s.close(&ctx, code)
    });
    engine.register_fn("setTimeout", |s: Socket, f: FnPtr, ms: i64| s.schedule("setTimeout", f, ms as f64, false));
    engine.register_fn("setTimeout", |s: Socket, f: FnPtr, ms: f64| s.schedule("setTimeout", f, ms, false));
    engine.register_fn("setInterval", |s: Socket, f: FnPtr, ms: i64| s.schedule("setInterval", f, ms as f64, true));
    engine.register_fn("setInterval", |s: Socket, f: FnPtr, ms: f64| s.schedule("setInterval", f, ms, true));
    engine.register_fn("now_ms", now_ms);
}

/// The socket of the innermost session of the running VU, served for the variable name
/// `socket` by the engine's variable resolver (which Rhai consults before the scope).
///
/// Why: a Rhai method call write-locks its receiver while its arguments are checked, and a
/// closure argument that captured the same variable holds that locked value, so the k6 idiom
/// `socket.on("open", || socket.send("hi"))` fails with "Data race detected". The resolver
/// returns an unlocked copy of the handle (sockets are shared handles, so nothing is lost).
/// A handler parameter with another name still hits the limitation; [`explain_data_race`]
/// says so in the error.
pub fn current_socket() -> Option<Dynamic> {
    let key = vu_key()?;
    ACTIVE.with(|active| {
        active.borrow().iter().rev().find(|(k, _)| *k == key).map(|(_, socket)| Dynamic::from(socket.clone()))
    })
}

fn vu_key() -> Option<usize> {
    vu::try_current().map(|vu| Rc::as_ptr(&vu) as *const () as usize)
}

/// Makes a socket the running VU's current one for as long as it lives.
struct Active(usize);

impl Active {
    fn enter(socket: &Socket) -> Option<Active> {
        let key = vu_key()?;
        ACTIVE.with(|active| active.borrow_mut().push((key, socket.clone())));
        Some(Active(key))
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        let _ = ACTIVE.try_with(|active| {
            let mut active = active.borrow_mut();
            if let Some(at) = active.iter().rposition(|(k, _)| *k == self.0) {
                active.remove(at);
            }
        });
    }
}

/// Adds the way out to Rhai's "Data race detected" when a handler captured a socket
/// variable not named `socket` (see [`current_socket`]).
fn explain_data_race(err: Box<EvalAltResult>) -> Box<EvalAltResult> {
    fn has_race(err: &EvalAltResult) -> bool {
        match err {
            EvalAltResult::ErrorDataRace(..) => true,
            EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => has_race(inner),
            _ => false,
        }
    }
    if !has_race(&err) {
        return err;
    }
    format!(
        "{err} (in ws.connect, name the handler's parameter `socket`: Rhai cannot call a method on a \
         variable that a closure passed to that call captured, and rload resolves `socket` to the \
         session's socket to avoid it)"
    )
    .into()
}

/// Unix time in milliseconds with microsecond precision, for latencies against timestamps
/// other machines put in messages (`now_ms() - msg.sent_at_ms`). Wall clock: only as good as
/// the clocks' agreement; durations measured by rload itself use a monotonic clock.
pub fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_micros() as f64 / 1000.0)
}

/// What `ws.connect`'s params say.
struct Params {
    headers: Vec<(HeaderName, HeaderValue)>,
    tags: Vec<(String, String)>,
}

fn parse_params(params: Dynamic) -> RhaiResult<Params> {
    let mut p = Params { headers: Vec::new(), tags: Vec::new() };
    if params.is_unit() {
        return Ok(p);
    }
    let type_name = params.type_name();
    let map = params
        .try_cast::<Map>()
        .ok_or_else(|| format!("ws.connect params must be a map (#{{ headers: ... }}) or (), got {type_name}"))?;
    for (key, value) in map {
        match key.as_str() {
            "headers" => {
                for (name, value) in string_pairs("headers", value)? {
                    let header = HeaderName::from_bytes(name.as_bytes())
                        .map_err(|_| format!("ws.connect: invalid header name \"{name}\""))?;
                    let value = HeaderValue::from_str(&value)
                        .map_err(|_| format!("ws.connect: invalid value for header \"{name}\""))?;
                    p.headers.push((header, value));
                }
            }
            "tags" => p.tags = string_pairs("tags", value)?,
            // k6 params accepted and ignored for now.
            "jar" | "compression" => {}
            other => return Err(format!("unknown ws.connect param \"{other}\" (known: headers, tags)").into()),
        }
    }
    Ok(p)
}

fn string_pairs(what: &str, value: Dynamic) -> RhaiResult<Vec<(String, String)>> {
    if value.is_unit() {
        return Ok(Vec::new());
    }
    let type_name = value.type_name();
    let map =
        value.try_cast::<Map>().ok_or_else(|| format!("ws.connect params.{what} must be a map, got {type_name}"))?;
    Ok(map
        .into_iter()
        .map(|(k, v)| (k.to_string(), if v.is_string() { v.into_string().unwrap() } else { v.to_string() }))
        .collect())
}

fn connect(ctx: &NativeCallContext, url: &str, params: Dynamic, handler: FnPtr) -> RhaiResult<Map> {
    let vu = vu::current();
    if vu.in_init.get() {
        return Err("ws.connect() is not available in init code (the script's top level)".into());
    }
    let mut p = parse_params(params)?;
    let mut tags = vu.base_tags();
    for (k, v) in &p.tags {
        tags.insert(k, v);
    }
    tags.insert(tag::URL, url);
    if !p.headers.iter().any(|(name, _)| name == http::header::USER_AGENT) {
        let agent = match vu.shared.http_config.user_agent.as_deref() {
            None => Some(HeaderValue::from_static(DEFAULT_USER_AGENT)),
            Some("") => None,
            Some(custom) => HeaderValue::from_str(custom).ok(),
        };
        p.headers.extend(agent.map(|agent| (http::header::USER_AGENT, agent)));
    }
    let insecure = vu.shared.http_config.insecure_skip_tls_verify;
    let start = Instant::now();
    let target = url.to_string();
    let connected = suspend_with(move || async move { client::connect(&target, p.headers, insecure).await })
        .map_err(|_| interrupted_error())?;
    let connecting_ms = ms_since(start);

    let session = match connected {
        Ok(session) => session,
        Err(failed) => {
            if let Some(upgrade) = &failed.upgrade {
                tags.insert(tag::STATUS, &upgrade.status.to_string());
            }
            metrics::record(builtin::WS_SESSIONS, &tags, 1.0);
            metrics::record(builtin::WS_CONNECTING, &tags, connecting_ms);
            metrics::record(builtin::WS_SESSION_DURATION, &tags, ms_since(start));
            if let Some(wire) = &failed.wire {
                record_wire(&vu.base_tags(), wire.sent(), wire.received());
            }
            let upgrade = failed.upgrade.unwrap_or_default();
            return Ok(response(url, &upgrade, Some(&failed.failure)));
        }
    };
    tags.insert(tag::STATUS, &session.upgrade.status.to_string());
    metrics::record(builtin::WS_SESSIONS, &tags, 1.0);
    metrics::record(builtin::WS_CONNECTING, &tags, connecting_ms);

    let socket = Socket::new(session.writer, tags);
    let active = Active::enter(&socket);
    let result = socket.run(ctx, handler, session.events).map_err(explain_data_race);
    drop(active);
    socket.abandon();
    metrics::record(builtin::WS_SESSION_DURATION, &socket.0.tags, ms_since(start));
    record_wire(&vu.base_tags(), session.wire.sent(), session.wire.received());
    result?;
    let error = socket.0.first_error.borrow().clone();
    Ok(response(url, &session.upgrade, error.as_ref()))
}

fn record_wire(tags: &TagSet, sent: u64, received: u64) {
    metrics::record(builtin::DATA_SENT, tags, sent as f64);
    metrics::record(builtin::DATA_RECEIVED, tags, received as f64);
}

fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// The map `ws.connect` returns: k6's `url`, `status`, `headers`, `body`, `error`, plus
/// `error_code`.
fn response(url: &str, upgrade: &Upgrade, error: Option<&Failure>) -> Map {
    let mut headers = Map::new();
    for (name, value) in &upgrade.headers {
        let key = canonical_header(name);
        match headers.get_mut(key.as_str()) {
            Some(existing) => {
                let joined = format!("{}, {value}", existing.clone().into_string().unwrap_or_default());
                *existing = joined.into();
            }
            None => {
                headers.insert(key.into(), value.clone().into());
            }
        }
    }
    let mut m = Map::new();
    m.insert("url".into(), url.into());
    m.insert("status".into(), Dynamic::from(i64::from(upgrade.status)));
    m.insert("headers".into(), headers.into());
    m.insert("body".into(), upgrade.body.clone().into());
    m.insert("error".into(), error.map(|f| f.message.to_string()).unwrap_or_default().into());
    m.insert("error_code".into(), Dynamic::from(error.map_or(0, |f| i64::from(f.code))));
    m
}

/// Calls `f` with `arg`, or without it when `f` takes no parameter (and the other way round
/// when `arg` is `None`), so `|| ...` and `|code| ...` both work as handlers, as in JavaScript.
fn call_handler(ctx: &NativeCallContext, f: &FnPtr, arg: Option<&Dynamic>) -> RhaiResult<()> {
    let arity_mismatch = |err: &EvalAltResult| matches!(err, EvalAltResult::ErrorFunctionNotFound(sig, _) if sig.starts_with(f.fn_name()));
    let (first, second) = match arg {
        Some(arg) => (f.call_within_context::<Dynamic>(ctx, (arg.clone(),)), None),
        None => (f.call_within_context::<Dynamic>(ctx, ()), Some(Dynamic::UNIT)),
    };
    match first {
        Err(err) if arity_mismatch(&err) => match second {
            Some(unit) => f.call_within_context::<Dynamic>(ctx, (unit,)).map(drop),
            None => f.call_within_context::<Dynamic>(ctx, ()).map(drop),
        },
        other => other.map(drop),
    }
}

impl Socket {
    fn new(writer: Writer, tags: TagSet) -> Socket {
        Socket(Rc::new(State {
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

    /// The session: the script's setup function, `open`, then events until closed.
    fn run(&self, ctx: &NativeCallContext, setup: FnPtr, mut events: mpsc::Receiver<Event>) -> RhaiResult<()> {
        setup
            .call_within_context::<Dynamic>(ctx, (Dynamic::from(self.clone()),))
            .map(drop)
            .map_err(|e| self.fail(ctx, e))?;
        if !self.0.closed.get() {
            self.fire(ctx, On::Open, None).map_err(|e| self.fail(ctx, e))?;
        }
        while !self.0.closed.get() {
            let due = self.0.timers.borrow().list.iter().map(|t| t.due).min();
            let waited = suspend_with(move || async move {
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
            });
            let Ok((back, wake)) = waited else {
                return Err(interrupted_error());
            };
            events = back;
            let step = match wake {
                Wake::Timer => self.run_due_timer(ctx),
                Wake::Event(event) => self.dispatch(ctx, event),
            };
            step.map_err(|e| self.fail(ctx, e))?;
        }
        Ok(())
    }

    fn dispatch(&self, ctx: &NativeCallContext, event: Option<Event>) -> RhaiResult<()> {
        match event {
            Some(Event::Text(text)) => {
                metrics::record(builtin::WS_MSGS_RECEIVED, &self.0.tags, 1.0);
                let text: ImmutableString = text.as_str().into();
                self.fire(ctx, On::Message, Some(text.into()))
            }
            Some(Event::Binary(data)) => {
                metrics::record(builtin::WS_MSGS_RECEIVED, &self.0.tags, 1.0);
                self.fire(ctx, On::BinaryMessage, Some(Dynamic::from_blob(data.to_vec())))
            }
            Some(Event::Ping) => self.fire(ctx, On::Ping, None),
            Some(Event::Pong(data)) => {
                self.track_pong(&data);
                self.fire(ctx, On::Pong, None)
            }
            Some(Event::Closed { code, error }) => self.peer_closed(ctx, code, error),
            // The reader always ends with `Closed`; this is a reader that vanished.
            None => {
                let failure = Failure::new(error_code::GENERIC, client::close_error_text(client::ABNORMAL_CLOSURE, ""));
                self.peer_closed(ctx, client::ABNORMAL_CLOSURE, Some(failure))
            }
        }
    }

    fn peer_closed(&self, ctx: &NativeCallContext, code: u16, error: Option<Failure>) -> RhaiResult<()> {
        if self.0.closed.replace(true) {
            return Ok(());
        }
        // tungstenite has answered the peer's close frame itself.
        let writer = self.0.writer.borrow_mut().take();
        drop(writer);
        if let Some(failure) = error {
            self.report_error(ctx, failure)?;
        }
        self.fire(ctx, On::Close, Some(Dynamic::from(i64::from(code))))
    }

    fn on(&self, event: &str, f: FnPtr) -> RhaiResult<()> {
        let on = On::parse(event)
            .ok_or_else(|| format!("socket.on(\"{event}\", ...): unknown event (known: {})", EVENT_NAMES.join(", ")))?;
        let mut handlers = self.0.handlers.borrow_mut();
        Rc::make_mut(&mut handlers[on as usize]).push(f);
        Ok(())
    }

    fn fire(&self, ctx: &NativeCallContext, on: On, arg: Option<Dynamic>) -> RhaiResult<()> {
        let handlers = Rc::clone(&self.0.handlers.borrow()[on as usize]);
        for f in handlers.iter() {
            call_handler(ctx, f, arg.as_ref())?;
        }
        Ok(())
    }

    /// Records the session's first error and runs the `error` handlers with its text.
    fn report_error(&self, ctx: &NativeCallContext, failure: Failure) -> RhaiResult<()> {
        let text: ImmutableString = failure.message.as_ref().into();
        self.0.first_error.borrow_mut().get_or_insert(failure);
        self.fire(ctx, On::Error, Some(text.into()))
    }

    fn send(&self, ctx: &NativeCallContext, message: Outgoing) -> RhaiResult<()> {
        // k6 counts the message whether or not the write succeeded.
        metrics::record(builtin::WS_MSGS_SENT, &self.0.tags, 1.0);
        self.write(ctx, message).map(drop)
    }

    /// Writes `message`; a failure goes to the `error` handlers. True when it was written.
    fn write(&self, ctx: &NativeCallContext, message: Outgoing) -> RhaiResult<bool> {
        let writer = self.0.writer.borrow_mut().take();
        let Some(mut writer) = writer else {
            self.report_error(ctx, Failure::new(error_code::GENERIC, "websocket: close sent"))?;
            return Ok(false);
        };
        let (writer, result) = suspend_with(move || async move {
            let result = writer.send(message).await;
            (writer, result)
        })
        .map_err(|_| interrupted_error())?;
        *self.0.writer.borrow_mut() = Some(writer);
        match result {
            Ok(()) => Ok(true),
            Err(failure) => {
                self.report_error(ctx, failure)?;
                Ok(false)
            }
        }
    }

    fn ping(&self, ctx: &NativeCallContext) -> RhaiResult<()> {
        let id = self.0.next_ping.get();
        if self.write(ctx, Outgoing::Ping(Bytes::from(id.to_string())))? {
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

    /// Closes from this side: sends a close frame with `code`, then runs the `close` handlers
    /// with it. Closing twice does nothing.
    fn close(&self, ctx: &NativeCallContext, code: u16) -> RhaiResult<()> {
        if self.0.closed.replace(true) {
            return Ok(());
        }
        let writer = self.0.writer.borrow_mut().take();
        if let Some(mut writer) = writer {
            let sent = suspend_with(move || async move { writer.send(Outgoing::Close(code)).await })
                .map_err(|_| interrupted_error())?;
            if let Err(failure) = sent {
                self.report_error(ctx, failure)?;
            }
        }
        self.fire(ctx, On::Close, Some(Dynamic::from(i64::from(code))))
    }

    /// A handler failed: close as k6 does (1001, `close` handlers run) unless the VU is being
    /// stopped, and hand the error back.
    fn fail(&self, ctx: &NativeCallContext, err: Box<EvalAltResult>) -> Box<EvalAltResult> {
        if !is_interruption(&err) {
            let _ = self.close(ctx, GOING_AWAY);
        }
        err
    }

    /// Ends the session without running handlers: a close frame (1001) is still sent, from a
    /// task of its own, when the socket is open. Used when the loop is over for any reason.
    fn abandon(&self) {
        self.0.closed.set(true);
        self.0.timers.borrow_mut().list.clear();
        let writer = self.0.writer.borrow_mut().take();
        if let Some(mut writer) = writer {
            tokio::task::spawn_local(async move {
                let _ = tokio::time::timeout(ABANDON_GRACE, writer.send(Outgoing::Close(GOING_AWAY))).await;
            });
        }
    }

    fn schedule(&self, what: &str, f: FnPtr, ms: f64, repeat: bool) -> RhaiResult<()> {
        if !(ms.is_finite() && ms > 0.0) {
            return Err(format!("socket.{what} requires a delay > 0 ms, got {ms}").into());
        }
        let every = Duration::from_secs_f64(ms / 1000.0);
        let due = tokio::time::Instant::now() + every;
        self.0.timers.borrow_mut().list.push(Timer { due, every: repeat.then_some(every), f });
        Ok(())
    }

    /// Runs the earliest timer. An interval keeps its grid (start + k·period); ticks missed
    /// while a handler ran long are skipped, as Go's ticker (k6) drops them.
    fn run_due_timer(&self, ctx: &NativeCallContext) -> RhaiResult<()> {
        let f = {
            let mut timers = self.0.timers.borrow_mut();
            let Some(index) = timers.list.iter().enumerate().min_by_key(|(_, t)| t.due).map(|(i, _)| i) else {
                return Ok(());
            };
            let timer = &mut timers.list[index];
            match timer.every {
                Some(every) => {
                    let now = tokio::time::Instant::now();
                    timer.due += every;
                    while timer.due <= now {
                        timer.due += every;
                    }
                    timer.f.clone()
                }
                None => timers.list.swap_remove(index).f,
            }
        };
        call_handler(ctx, &f, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_are_k6_names() {
        assert!(matches!(On::parse("binaryMessage"), Some(On::BinaryMessage)));
        assert!(matches!(On::parse("close"), Some(On::Close)));
        assert!(On::parse("mesage").is_none());
    }

    #[test]
    fn params_take_headers_and_tags() {
        let mut headers = Map::new();
        headers.insert("X-Room".into(), "a".into());
        let mut tags = Map::new();
        tags.insert("room".into(), Dynamic::from(7_i64));
        let mut params = Map::new();
        params.insert("headers".into(), headers.into());
        params.insert("tags".into(), tags.into());
        let p = parse_params(params.into()).unwrap();
        assert_eq!(p.headers[0].0.as_str(), "x-room");
        assert_eq!(p.tags, vec![("room".to_string(), "7".to_string())]);
        assert!(parse_params(Dynamic::UNIT).unwrap().headers.is_empty());
    }

    #[test]
    fn unknown_params_and_bad_headers_are_named() {
        let mut params = Map::new();
        params.insert("header".into(), Dynamic::UNIT);
        assert!(parse_params(params.into()).err().unwrap().to_string().contains("\"header\""));
        let mut headers = Map::new();
        headers.insert("bad name".into(), "x".into());
        let mut params = Map::new();
        params.insert("headers".into(), headers.into());
        assert!(parse_params(params.into()).err().unwrap().to_string().contains("\"bad name\""));
    }

    #[test]
    fn now_ms_is_unix_milliseconds_with_a_fraction() {
        let now = now_ms();
        assert!(now > 1.6e12, "{now}");
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as f64;
        assert!((wall - now).abs() < 1000.0);
    }
}
