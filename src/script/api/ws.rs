//! `ws.connect` (k6/ws) for Rhai: the registration of `ws` and `Socket`, and the conversion of
//! their arguments and results. The session itself (event loop, handlers, timers, pings, `ws_*`
//! samples) is [`crate::ws::session`].
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
//! Handlers run on the VU's coroutine with the `NativeCallContext` of `ws.connect` (or of the
//! socket method that fired them), so they may call `http.*`, `check`, `sleep` and custom
//! metrics. The handler's parameter may have any name, as in k6: see
//! [`OpenSessions::unlocked_socket`].
//!
//! Beyond k6: the returned map has `error_code` (k6's codes: dial errors as for `http.*`,
//! `1000 + status` for a 4xx/5xx upgrade answer, 1000 for WebSocket-level failures), and a
//! session that failed after the upgrade (abrupt close, invalid frame) reports its first error
//! there as well. Handlers may take their argument or not (`|| ...` for `close` works), and an
//! unknown event name is an error rather than a handler that never fires.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::time::{SystemTime, UNIX_EPOCH};

use http::header::COOKIE;
use http::{HeaderName, HeaderValue};
use rhai::{Blob, Dynamic, Engine, EvalAltResult, FnPtr, ImmutableString, Map, NativeCallContext, Scope};

use super::convert::{check_tag_values, header_map, js_string, js_text};
use super::websocket::WebSocketObject;
use crate::config::secs_to_duration;
use crate::runtime::coroutine::{suspend_for_events, suspend_with};
use crate::runtime::vu::{self, is_interruption, VuContext};
use crate::ws::session::{self, Arg, On, Outcome, Request, Session, EVENT_NAMES, GOING_AWAY};
use crate::ws::Outgoing;

/// The `ws` object scripts call `connect` on.
#[derive(Clone, Copy)]
pub struct WsApi;

/// The socket a `ws.connect` handler receives: a handle on the session. Cloning shares it.
#[derive(Clone)]
pub struct Socket(Session<FnPtr>);

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

pub fn register(engine: &mut Engine, sockets: &OpenSessions) {
    engine.register_type_with_name::<WsApi>("ws");
    engine.register_type_with_name::<Socket>("Socket");
    let open = sockets.clone();
    engine.register_fn("connect", move |ctx: NativeCallContext, _: WsApi, url: &str, handler: FnPtr| {
        let _session = open.enter();
        connect(&ctx, url, Dynamic::UNIT, handler)
    });
    let open = sockets.clone();
    engine.register_fn(
        "connect",
        move |ctx: NativeCallContext, _: WsApi, url: &str, params: Dynamic, handler: FnPtr| {
            let _session = open.enter();
            connect(&ctx, url, params, handler)
        },
    );
    engine.register_fn("on", |s: Socket, event: &str, f: FnPtr| -> RhaiResult<()> {
        let on = On::parse(event)
            .ok_or_else(|| format!("socket.on(\"{event}\", ...): unknown event (known: {})", EVENT_NAMES.join(", ")))?;
        s.0.on(on, f);
        Ok(())
    });
    // k6 sends String(value): `send(42)` sends "42", a map "[object Object]".
    engine.register_fn("send", |ctx: NativeCallContext, s: Socket, value: Dynamic| {
        s.0.send(&RhaiScript(&ctx), Outgoing::Text(js_string(&value)))
    });
    engine.register_fn("sendBinary", |ctx: NativeCallContext, s: Socket, data: Blob| {
        s.0.send(&RhaiScript(&ctx), Outgoing::Binary(data))
    });
    engine.register_fn("ping", |ctx: NativeCallContext, s: Socket| s.0.ping(&RhaiScript(&ctx)));
    // k6's `Socket.ping()` takes no argument and JavaScript drops extra ones, so
    // `socket.ping("application-data")` (k6's own examples/websocket.js) pings as `ping()`
    // does: the frame's payload is the ping's number, in k6 as here.
    engine.register_fn("ping", |ctx: NativeCallContext, s: Socket, _ignored_as_in_k6: Dynamic| {
        s.0.ping(&RhaiScript(&ctx))
    });
    engine.register_fn("close", |ctx: NativeCallContext, s: Socket| s.0.close(&RhaiScript(&ctx), GOING_AWAY));
    engine.register_fn("close", |ctx: NativeCallContext, s: Socket, code: i64| -> RhaiResult<()> {
        let code = u16::try_from(code)
            .ok()
            .filter(|c| (1000..5000).contains(c) && !matches!(c, 1005 | 1006 | 1015))
            .ok_or_else(|| {
                format!("socket.close({code}): close codes go from 1000 to 4999 (1005, 1006 and 1015 can't be sent)")
            })?;
        s.0.close(&RhaiScript(&ctx), code)
    });
    engine.register_fn("setTimeout", |s: Socket, f: FnPtr, ms: i64| s.schedule("setTimeout", f, ms as f64, false));
    engine.register_fn("setTimeout", |s: Socket, f: FnPtr, ms: f64| s.schedule("setTimeout", f, ms, false));
    engine.register_fn("setInterval", |s: Socket, f: FnPtr, ms: i64| s.schedule("setInterval", f, ms as f64, true));
    engine.register_fn("setInterval", |s: Socket, f: FnPtr, ms: f64| s.schedule("setInterval", f, ms, true));
    engine.register_fn("now_ms", now_ms);

    engine.register_type_with_name::<SocketError>("SocketError");
    engine.register_fn("error", |e: SocketError| e.0);
    engine.register_fn("to_string", |e: &mut SocketError| e.0.clone());
    engine.register_fn("to_debug", |e: &mut SocketError| format!("SocketError({:?})", e.0.as_str()));
    // JavaScript compares the error object with a string by its text (`e == "websocket: close sent"`).
    engine.register_fn("==", |e: SocketError, text: ImmutableString| e.0 == text);
    engine.register_fn("==", |text: ImmutableString, e: SocketError| e.0 == text);
    engine.register_fn("!=", |e: SocketError, text: ImmutableString| e.0 != text);
    engine.register_fn("!=", |text: ImmutableString, e: SocketError| e.0 != text);
}

/// What a `ws.connect` `error` handler receives: k6's error object, whose `error()` is the text.
#[derive(Clone)]
pub struct SocketError(ImmutableString);

/// How many `ws.connect` sessions are running, and `WebSocket` objects alive, on one engine (all
/// VUs of a worker thread), so that its variable resolver looks for sockets only while there
/// can be one.
#[derive(Clone, Default)]
pub struct OpenSessions(Rc<Cell<usize>>);

impl OpenSessions {
    /// The local variable `name` (at `index` from the scope's end, or searched by name when
    /// `index` is 0) as an unlocked copy of its socket handle, when it is a captured socket;
    /// `None` for anything else, which the resolver leaves to Rhai.
    ///
    /// Why: a handler's parameter captured by a closure becomes a shared variable, and a Rhai
    /// method call write-locks a shared receiver while it checks its arguments; a closure
    /// argument that captured the same variable holds the locked value, so the k6 idiom
    /// `s.on("open", || s.send("hi"))` fails with "Data race detected". A socket is a handle (a
    /// copy shares the session), so serving an unlocked copy loses nothing, whatever the
    /// parameter's name.
    #[inline]
    pub fn unlocked_socket(&self, name: &str, index: usize, scope: &Scope) -> Option<Dynamic> {
        // Inlined so that the resolver pays one load per variable when no session is open.
        if self.0.get() == 0 {
            return None;
        }
        captured_socket(name, index, scope)
    }

    /// Counts a session for as long as the returned guard lives.
    pub(super) fn enter(&self) -> OpenSession {
        self.0.set(self.0.get() + 1);
        OpenSession(Rc::clone(&self.0))
    }
}

/// See [`OpenSessions::unlocked_socket`].
///
/// The variable is looked up by name from the scope's end, where the variable at `index` (Rhai
/// counts it from the end) nearly always is: a walk of a few entries, where counting `index`
/// from the start walked the whole scope on every variable read of a handler.
fn captured_socket(name: &str, _index: usize, scope: &Scope) -> Option<Dynamic> {
    let value = scope.get(name)?;
    if !value.is_shared() {
        return None;
    }
    if let Some(socket) = value.read_lock::<Socket>() {
        return Some(Dynamic::from(socket.clone()));
    }
    value.read_lock::<WebSocketObject>().map(|socket| Dynamic::from(socket.clone()))
}

/// One running session of [`OpenSessions`] (or one live `WebSocket` object); dropping it ends
/// the count, on any way out.
pub(super) struct OpenSession(Rc<Cell<usize>>);

impl Drop for OpenSession {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

/// Unix time in milliseconds with microsecond precision, for latencies against timestamps
/// other machines put in messages (`now_ms() - msg.sent_at_ms`). Wall clock: only as good as
/// the clocks' agreement; durations measured by rload itself use a monotonic clock.
pub fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_micros() as f64 / 1000.0)
}

/// What `ws.connect`'s (or `WebSocket`'s) params say.
pub(super) struct Params {
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub tags: Vec<(String, String)>,
}

/// `what` names the call in errors: "ws.connect" or "WebSocket".
pub(super) fn parse_params(what: &str, params: Dynamic) -> RhaiResult<Params> {
    let mut p = Params { headers: Vec::new(), tags: Vec::new() };
    if params.is_unit() {
        return Ok(p);
    }
    let type_name = params.type_name();
    let map = params
        .try_cast::<Map>()
        .ok_or_else(|| format!("{what} params must be a map (#{{ headers: ... }}) or (), got {type_name}"))?;
    for (key, value) in map {
        match key.as_str() {
            "headers" | "tags" if value.is_unit() => {}
            "headers" => {
                let type_name = value.type_name();
                let headers = value
                    .try_cast::<Map>()
                    .ok_or_else(|| format!("{what} params.headers must be a map, got {type_name}"))?;
                for (name, value) in headers {
                    let header = HeaderName::from_bytes(name.as_bytes())
                        .map_err(|_| format!("{what}: invalid header name \"{name}\""))?;
                    let value = HeaderValue::from_str(&js_text(&value))
                        .map_err(|_| format!("{what}: invalid value for header \"{name}\""))?;
                    p.headers.push((header, value));
                }
            }
            "tags" => p.tags = tags(what, value)?,
            // k6's defaults: no jar, no compression.
            "jar" if value.is_unit() => {}
            "compression" if value.is_unit() || value.clone().into_string().is_ok_and(|s| s.is_empty()) => {}
            "jar" | "compression" => {
                return Err(format!(
                    "{what} param \"{key}\" is a k6 param rload does not implement (rload's WebSocket has no \
                     cookie jar and no permessage-deflate)"
                )
                .into())
            }
            other => return Err(format!("unknown {what} param \"{other}\" (known: headers, tags)").into()),
        }
    }
    Ok(p)
}

/// `params.tags`: as k6 v1.1, a value must be a string, a bool or a number (written as
/// JavaScript's `String(v)`); `()`, an array or a map is k6's error, which fails the call.
fn tags(what: &str, value: Dynamic) -> RhaiResult<Vec<(String, String)>> {
    let type_name = value.type_name();
    let map = value.try_cast::<Map>().ok_or_else(|| format!("{what} params.tags must be a map, got {type_name}"))?;
    check_tag_values(if what == "ws.connect" { "ws.connect() metric tags" } else { "WebSocket tags option" }, &map)?;
    Ok(map.into_iter().map(|(name, value)| (name.to_string(), js_string(&value))).collect())
}

/// k6 sends the VU's cookies (its `http.*` requests' jar) with the upgrade request, looked up as
/// for `http://` (`https://` for `wss://`), unless the script's headers set `Cookie`.
pub(super) fn add_jar_cookies(vu: &VuContext, url: &str, headers: &mut Vec<(HeaderName, HeaderValue)>) {
    if headers.iter().any(|(name, _)| name == COOKIE) {
        return;
    }
    let (Some(client), Ok(mut url)) = (vu.http_if_made(), url::Url::parse(url)) else { return };
    let scheme = match url.scheme() {
        "ws" => "http",
        "wss" => "https",
        _ => return,
    };
    if url.set_scheme(scheme).is_err() {
        return;
    }
    let mut header = String::new();
    client.cookie_jar().append_header(&url, &[], &mut header);
    if let (false, Ok(value)) = (header.is_empty(), HeaderValue::from_str(&header)) {
        headers.push((COOKIE, value));
    }
}

fn connect(ctx: &NativeCallContext, url: &str, params: Dynamic, handler: FnPtr) -> RhaiResult<Map> {
    let request = request(url, params)?;
    let outcome = session::run(&RhaiScript(ctx), request, |session| {
        handler.call_within_context::<Dynamic>(ctx, (Dynamic::from(Socket(session.clone())),)).map(drop)
    })?;
    Ok(response(url, &outcome))
}

/// The session's request, boxed: this frame is gone while the socket waits (see
/// `session::run` on stack depth).
#[inline(never)]
fn request(url: &str, params: Dynamic) -> RhaiResult<Box<Request>> {
    let vu = vu::current();
    if vu.in_init.get() {
        return Err("ws.connect() is not available in init code (the script's top level)".into());
    }
    let mut p = parse_params("ws.connect", params)?;
    add_jar_cookies(&vu, url, &mut p.headers);
    Ok(Box::new(Request {
        url: url.to_string(),
        headers: p.headers,
        user_tags: p.tags,
        base_tags: vu.base_tags(),
        user_agent: vu.shared.http_config.user_agent_header(),
        insecure_skip_tls_verify: vu.shared.http_config.insecure_skip_tls_verify,
    }))
}

/// The map `ws.connect` returns: k6's `url`, `status`, `headers`, `body`, `error`, plus
/// `error_code`.
#[inline(never)]
fn response(url: &str, outcome: &Outcome) -> Map {
    let Outcome { upgrade, error } = outcome;
    let error = error.as_ref();
    let mut m = Map::default();
    m.insert("url".into(), url.into());
    m.insert("status".into(), Dynamic::from(i64::from(upgrade.status)));
    m.insert("headers".into(), header_map(&upgrade.headers).into());
    m.insert("body".into(), upgrade.body.clone().into());
    m.insert("error".into(), error.map(|f| f.message.to_string()).unwrap_or_default().into());
    m.insert("error_code".into(), Dynamic::from(error.map_or(0, |f| i64::from(f.code))));
    m
}

impl Socket {
    fn schedule(&self, what: &str, f: FnPtr, ms: f64, repeat: bool) -> RhaiResult<()> {
        if !(ms.is_finite() && ms > 0.0) {
            return Err(format!("socket.{what} requires a delay > 0 ms, got {ms}").into());
        }
        let delay = secs_to_duration(ms / 1000.0).map_err(|e| format!("socket.{what}: {ms} ms: {e}"))?;
        self.0.set_timer(f, delay, repeat);
        Ok(())
    }
}

/// The session's view of the script: handlers are Rhai function pointers called within the
/// context of the native call that fired them, and waiting suspends the VU's coroutine.
struct RhaiScript<'a, 'c>(&'a NativeCallContext<'c>);

impl session::Script for RhaiScript<'_, '_> {
    type Handler = FnPtr;
    type Error = Box<EvalAltResult>;

    fn call(&self, handlers: &[FnPtr], arg: Option<Arg<'_>>) -> RhaiResult<()> {
        let arg = arg.map(|arg| match arg {
            Arg::Text(text) => Dynamic::from(ImmutableString::from(text)),
            Arg::Error(text) => Dynamic::from(SocketError(text.into())),
            Arg::Binary(data) => Dynamic::from_blob(data.to_vec()),
            Arg::Code(code) => Dynamic::from(i64::from(code)),
        });
        for f in handlers {
            call_handler(self.0, f, arg.as_ref())?;
        }
        Ok(())
    }

    fn wait<F, M>(&self, make: M) -> RhaiResult<F::Output>
    where
        M: FnOnce() -> F + 'static,
        F: Future + 'static,
        F::Output: 'static,
    {
        suspend_with(make).map_err(vu::suspension_error)
    }

    fn wait_for_events<F, M>(&self, make: M) -> RhaiResult<F::Output>
    where
        M: FnOnce() -> F + 'static,
        F: Future + 'static,
        F::Output: 'static,
    {
        suspend_for_events(make).map_err(vu::suspension_error)
    }

    fn is_interruption(&self, err: &Box<EvalAltResult>) -> bool {
        is_interruption(err)
    }
}

/// Calls `f` with `arg`, or without it when `f` takes no parameter (and the other way round
/// when `arg` is `None`), so `|| ...` and `|code| ...` both work as handlers, as in JavaScript.
pub(super) fn call_handler(ctx: &NativeCallContext, f: &FnPtr, arg: Option<&Dynamic>) -> RhaiResult<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_take_headers_and_tags() {
        let mut headers = Map::default();
        headers.insert("X-Room".into(), "a".into());
        let mut tags = Map::default();
        tags.insert("room".into(), Dynamic::from(7_i64));
        let mut params = Map::default();
        params.insert("headers".into(), headers.into());
        params.insert("tags".into(), tags.into());
        let p = parse_params("ws.connect", params.into()).unwrap();
        assert_eq!(p.headers[0].0.as_str(), "x-room");
        assert_eq!(p.tags, vec![("room".to_string(), "7".to_string())]);
        assert!(parse_params("ws.connect", Dynamic::UNIT).unwrap().headers.is_empty());
    }

    /// k6 v1.1 takes a string, a bool or a number as a tag's value and fails the call for
    /// anything else, with its own message per API (checked on k6 with `{ a: null }` and
    /// `{ a: [1] }`); rload sent `()` as an empty tag.
    #[test]
    fn a_tag_that_is_not_a_string_bool_or_number_fails_the_call_as_in_k6() {
        let params = |value: Dynamic| {
            let mut tags = Map::default();
            tags.insert("a".into(), value);
            let mut params = Map::default();
            params.insert("tags".into(), tags.into());
            Dynamic::from(params)
        };
        let p = parse_params("WebSocket", params(Dynamic::from(true))).unwrap();
        assert_eq!(p.tags, vec![("a".to_string(), "true".to_string())]);
        let p = parse_params("ws.connect", params(Dynamic::from(2.5))).unwrap();
        assert_eq!(p.tags, vec![("a".to_string(), "2.5".to_string())]);
        let err = parse_params("ws.connect", params(Dynamic::UNIT)).err().unwrap().to_string();
        assert!(
            err.contains(
                "invalid ws.connect() metric tags: invalid value for metric tag 'a': only String, Boolean and \
                 Number types are accepted as a metric tag values"
            ),
            "{err}"
        );
        let err = parse_params("WebSocket", params(Dynamic::from_array(vec![Dynamic::from(1_i64)]))).err().unwrap();
        assert!(err.to_string().contains("invalid WebSocket tags option: invalid value for metric tag 'a'"), "{err}");
        assert!(parse_params("WebSocket", params(Dynamic::from_map(Map::default()))).is_err());
    }

    /// The sweep's repro: `headers: #{ "X-A": () }` went out as an empty `X-A`; k6 v1.1 sends
    /// `X-A: null` (JavaScript's `String(null)`) from `k6/ws` and `k6/websockets` alike.
    #[test]
    fn a_unit_header_is_sent_as_null_as_k6_sends_it() {
        let mut headers = Map::default();
        headers.insert("X-A".into(), Dynamic::UNIT);
        headers.insert("X-C".into(), Dynamic::from(3.0_f64));
        let mut params = Map::default();
        params.insert("headers".into(), headers.into());
        for what in ["ws.connect", "WebSocket"] {
            let p = parse_params(what, params.clone().into()).unwrap();
            let sent: Vec<(&str, &str)> = p.headers.iter().map(|(n, v)| (n.as_str(), v.to_str().unwrap())).collect();
            assert_eq!(sent, vec![("x-a", "null"), ("x-c", "3")], "{what}");
        }
    }

    #[test]
    fn unknown_params_and_bad_headers_are_named() {
        let mut params = Map::default();
        params.insert("header".into(), Dynamic::UNIT);
        assert!(parse_params("ws.connect", params.into()).err().unwrap().to_string().contains("\"header\""));
        let mut params = Map::default();
        params.insert("compression".into(), "deflate".into());
        let err = parse_params("ws.connect", params.into()).err().unwrap().to_string();
        assert!(err.contains("\"compression\" is a k6 param rload does not implement"), "{err}");
        let mut headers = Map::default();
        headers.insert("bad name".into(), "x".into());
        let mut params = Map::default();
        params.insert("headers".into(), headers.into());
        assert!(parse_params("ws.connect", params.into()).err().unwrap().to_string().contains("\"bad name\""));
    }

    #[test]
    fn now_ms_is_unix_milliseconds_with_a_fraction() {
        let now = now_ms();
        assert!(now > 1.6e12, "{now}");
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as f64;
        assert!((wall - now).abs() < 1000.0);
    }
}
