//! k6/websockets' `WebSocket` for Rhai: the constructor, its properties and methods, the event
//! objects listeners receive, and the [`Loop`] through which the VU's event loop runs them.
//! What a socket does and records is [`crate::ws::websocket`]; when callbacks run is
//! [`crate::runtime::event_loop`].
//!
//! ```rhai
//! fn run() {
//!     let ws = WebSocket(`${__ENV.WS}/ws/echo`);
//!     ws.onopen = || ws.send("hello");
//!     ws.addEventListener("message", |e| { print(e.data); ws.close(); });
//!     ws.onclose = |e| print(`closed ${e.code}`);
//! }   // the iteration ends once the socket is closed
//! ```
//!
//! The upgrade request carries the VU's cookies, as in k6 (its default jar is the VU's).
//!
//! An event is a map: `type`, `timestamp` (Unix ms), `target` (the socket) and, by type, `data`
//! (`message`: a string, or a blob for a binary frame), `origin` (`message`), `error`
//! (`error`: the text), `code` and `reason` (`close`; k6 v1.1 leaves them undefined, later k6
//! sets them). A listener may take the event or no argument.

use std::rc::Rc;

use rhai::{Array, Blob, Dynamic, Engine, EvalAltResult, EvalContext, FnPtr, ImmutableString, Map, NativeCallContext};

use super::ws::{add_jar_cookies, call_handler, now_ms, parse_params, OpenSessions};
use crate::runtime::coroutine::suspend_for_events;
use crate::runtime::event_loop::Loop;
use crate::runtime::vu::{self, is_interruption};
use crate::ws::websocket::{Detail, Host, Kind, ReadyState, Request, WebSocket, KIND_NAMES};
use crate::ws::Outgoing;

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// A script callback: a listener, or a timer's function with its extra arguments.
#[derive(Clone)]
pub struct Callback {
    pub f: FnPtr,
    pub args: Vec<Dynamic>,
}

impl Callback {
    pub fn new(f: FnPtr) -> Self {
        Callback { f, args: Vec::new() }
    }
}

/// The script's `WebSocket` object: a handle on the socket. Cloning shares it. While one is
/// alive the engine's variable resolver serves a captured `WebSocket` variable unlocked, so
/// `ws.onopen = || ws.send("hi")` works (see `OpenSessions::unlocked_socket`).
#[derive(Clone)]
pub struct WebSocketObject(Rc<WebSocket<Callback>>);

/// The `on<type>` properties.
const ON_PROPERTIES: [(&str, Kind); 6] = [
    ("onopen", Kind::Open),
    ("onmessage", Kind::Message),
    ("onerror", Kind::Error),
    ("onclose", Kind::Close),
    ("onping", Kind::Ping),
    ("onpong", Kind::Pong),
];

pub fn register(engine: &mut Engine, sockets: &OpenSessions) {
    engine.register_type_with_name::<WebSocketObject>("WebSocket");
    let open = sockets.clone();
    engine.register_fn("WebSocket", move |url: &str| construct(&open, url, Dynamic::UNIT, Dynamic::UNIT));
    let open = sockets.clone();
    engine
        .register_fn("WebSocket", move |url: &str, protocols: Dynamic| construct(&open, url, protocols, Dynamic::UNIT));
    let open = sockets.clone();
    engine.register_fn("WebSocket", move |url: &str, protocols: Dynamic, params: Dynamic| {
        construct(&open, url, protocols, params)
    });

    engine.register_get("url", |ws: &mut WebSocketObject| ws.0.url().to_string());
    engine.register_get("readyState", |ws: &mut WebSocketObject| ws.0.ready_state() as i64);
    engine.register_get("protocol", |ws: &mut WebSocketObject| ws.0.protocol());
    engine.register_get("bufferedAmount", |ws: &mut WebSocketObject| ws.0.buffered_amount() as i64);
    // rload negotiates no extension (no permessage-deflate).
    engine.register_get("extensions", |_: &mut WebSocketObject| Array::new());
    engine.register_get("binaryType", |ws: &mut WebSocketObject| ws.0.binary_type().to_string());
    // Setters and methods take the socket by value (Rhai calls them "pure"): the object is a
    // handle, and a captured `WebSocket` variable reaches them as the resolver's read-only copy.
    engine.register_fn("set$binaryType", |ws: WebSocketObject, value: &str| -> RhaiResult<()> {
        ws.0.set_binary_type(value).map_err(Into::into)
    });
    for (name, state) in [
        ("CONNECTING", ReadyState::Connecting),
        ("OPEN", ReadyState::Open),
        ("CLOSING", ReadyState::Closing),
        ("CLOSED", ReadyState::Closed),
    ] {
        engine.register_get(name, move |_: &mut WebSocketObject| state as i64);
    }
    for (property, kind) in ON_PROPERTIES {
        engine.register_get(property, move |ws: &mut WebSocketObject| {
            ws.0.on(kind).map_or(Dynamic::UNIT, |c| Dynamic::from(c.f))
        });
        engine.register_fn(format!("set${property}"), move |ws: WebSocketObject, value: Dynamic| -> RhaiResult<()> {
            if value.is_unit() {
                ws.0.set_on(kind, None);
                return Ok(());
            }
            let f = value
                .try_cast::<FnPtr>()
                .ok_or_else(|| format!("a value for '{property}' should be callable (a closure or Fn(\"name\"))"))?;
            ws.0.set_on(kind, Some(Callback::new(f)));
            Ok(())
        });
    }
    engine.register_fn("addEventListener", |ws: WebSocketObject, event: &str, f: FnPtr| -> RhaiResult<()> {
        let kind = Kind::parse(event).ok_or_else(|| {
            format!("addEventListener(\"{event}\", ...): unknown event type (known: {})", KIND_NAMES.join(", "))
        })?;
        ws.0.add_listener(kind, Callback::new(f));
        Ok(())
    });
    engine.register_fn("send", |ws: WebSocketObject, data: Dynamic| -> RhaiResult<()> {
        let message = if data.is_blob() {
            Outgoing::Binary(data.cast::<Blob>())
        } else if data.is_string() {
            Outgoing::Text(data.into_string().unwrap_or_default())
        } else {
            let type_name = data.type_name();
            return Err(format!(
                "unsupported send type {type_name} (WebSocket.send takes a string or a blob; use value.to_json() for \
                 maps and arrays)"
            )
            .into());
        };
        ws.0.send(message).map_err(Into::into)
    });
    engine.register_fn("ping", |ws: WebSocketObject| -> RhaiResult<()> { ws.0.ping().map_err(Into::into) });
    // As k6/ws's `ping`: k6's `WebSocket.ping()` takes no argument, and JavaScript drops
    // extra ones.
    engine.register_fn("ping", |ws: WebSocketObject, _ignored_as_in_k6: Dynamic| -> RhaiResult<()> {
        ws.0.ping().map_err(Into::into)
    });
    engine.register_fn("close", |ws: WebSocketObject| -> RhaiResult<()> { ws.0.close(None, "").map_err(Into::into) });
    engine.register_fn("close", |ws: WebSocketObject, code: i64| close(&ws, code, ""));
    engine.register_fn("close", |ws: WebSocketObject, code: i64, reason: &str| close(&ws, code, reason));
}

fn close(ws: &WebSocketObject, code: i64, reason: &str) -> RhaiResult<()> {
    // Out-of-range codes get k6's message through the same check as 1001 or 2000.
    let code = u16::try_from(code).unwrap_or(1);
    ws.0.close(Some(code), reason).map_err(Into::into)
}

/// `WebSocket(url, protocols, params)`: starts connecting and returns at once.
fn construct(open: &OpenSessions, url: &str, protocols: Dynamic, params: Dynamic) -> RhaiResult<WebSocketObject> {
    let vu = vu::current();
    if vu.in_init.get() {
        return Err("WebSocket() is not available in init code (the script's top level)".into());
    }
    if vu.in_flight_if_made().is_some_and(|p| p.has_callbacks()) {
        return Err("WebSocket() while a promise's callback is pending is not supported by rload: k6 runs the \
                    socket's handlers between the promises' callbacks as they come, rload after them"
            .into());
    }
    let parsed =
        url::Url::parse(url).map_err(|err| format!("WebSocket requires valid url, but got \"{url}\": {err}"))?;
    if !matches!(parsed.scheme(), "ws" | "wss") {
        return Err(format!("WebSocket requires url with scheme ws or wss, but got \"{}\"", parsed.scheme()).into());
    }
    if let Some(fragment) = parsed.fragment() {
        return Err(format!("WebSocket requires no url fragment, but got \"{fragment}\"").into());
    }
    let protocols = subprotocols(protocols)?;
    let mut p = parse_params("WebSocket", params)?;
    add_jar_cookies(&vu, url, &mut p.headers);
    let request = Request {
        url: url.to_string(),
        protocols,
        headers: p.headers,
        user_tags: p.tags,
        base_tags: vu.base_tags(),
        user_agent: vu.shared.http_config.user_agent_header(),
        insecure_skip_tls_verify: vu.shared.http_config.insecure_skip_tls_verify,
    };
    let (socket, source) = WebSocket::open(request);
    vu.event_loop.add_socket(Rc::clone(&socket), source);
    // Counted for as long as the socket lives (the event loop and the script's objects).
    socket.set_binding(Rc::new(open.enter()));
    Ok(WebSocketObject(socket))
}

/// The `protocols` argument: a string, an array of strings, or `()` for none.
fn subprotocols(value: Dynamic) -> RhaiResult<Vec<String>> {
    if value.is_unit() {
        return Ok(Vec::new());
    }
    if value.is_string() {
        return Ok(vec![value.into_string().unwrap_or_default()]);
    }
    let type_name = value.type_name();
    let list = value
        .try_cast::<Array>()
        .ok_or_else(|| format!("WebSocket protocols must be a string or an array of strings, got {type_name}"))?;
    Ok(list
        .into_iter()
        .map(|p| if p.is_string() { p.into_string().unwrap_or_default() } else { p.to_string() })
        .collect())
}

/// Runs the VU's event loop until it is idle, with callbacks called in the context of the
/// function that just returned (`ctx`, the hidden main statement's evaluation).
pub fn run_event_loop(ctx: &EvalContext, fn_name: &str) -> RhaiResult<()> {
    let vu = vu::current();
    if vu.event_loop.is_idle() {
        return Ok(());
    }
    let native = super::call::native_context(ctx, fn_name);
    vu.event_loop.run(&RhaiLoop(&native))
}

/// The loop's view of the script: callbacks are Rhai function pointers, waiting suspends the
/// VU's coroutine.
struct RhaiLoop<'a, 'c>(&'a NativeCallContext<'c>);

impl Host for RhaiLoop<'_, '_> {
    type Handler = Callback;
    type Error = Box<EvalAltResult>;

    fn fire(
        &self,
        handlers: &[Callback],
        socket: &Rc<WebSocket<Callback>>,
        kind: Kind,
        detail: Detail<'_>,
    ) -> RhaiResult<()> {
        let event = Dynamic::from_map(event(socket, kind, detail));
        for handler in handlers {
            call_handler(self.0, &handler.f, Some(&event))?;
        }
        Ok(())
    }

    fn error_text(&self, err: &Box<EvalAltResult>) -> String {
        match err.unwrap_inner() {
            EvalAltResult::ErrorRuntime(value, _) => value.to_string(),
            other => other.to_string(),
        }
    }

    fn is_interruption(&self, err: &Box<EvalAltResult>) -> bool {
        is_interruption(err)
    }
}

impl Loop for RhaiLoop<'_, '_> {
    fn call_timer(&self, callback: &Callback) -> RhaiResult<()> {
        callback.f.call_within_context::<Dynamic>(self.0, callback.args.clone()).map(drop)
    }

    fn wait<F, M>(&self, make: M) -> RhaiResult<F::Output>
    where
        M: FnOnce() -> F + 'static,
        F: std::future::Future + 'static,
        F::Output: 'static,
    {
        // The loop waits for its next event here, and its listeners ran deeper than this wait.
        suspend_for_events(make).map_err(vu::suspension_error)
    }
}

/// The event object a listener receives.
fn event(socket: &Rc<WebSocket<Callback>>, kind: Kind, detail: Detail<'_>) -> Map {
    let mut m = Map::default();
    m.insert("type".into(), kind.name().into());
    m.insert("timestamp".into(), Dynamic::from(now_ms()));
    m.insert("target".into(), Dynamic::from(WebSocketObject(Rc::clone(socket))));
    match detail {
        Detail::None => {}
        Detail::Text(text) => {
            m.insert("data".into(), Dynamic::from(ImmutableString::from(text)));
            m.insert("origin".into(), socket.url().into());
        }
        Detail::Binary(data) => {
            m.insert("data".into(), Dynamic::from_blob(data.to_vec()));
            m.insert("origin".into(), socket.url().into());
        }
        Detail::Error(text) => {
            m.insert("error".into(), text.into());
        }
        Detail::Close { code, reason } => {
            m.insert("code".into(), Dynamic::from(i64::from(code)));
            m.insert("reason".into(), reason.into());
        }
    }
    m
}
