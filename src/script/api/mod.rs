//! The script API: everything a Rhai scenario can call, registered on a worker's engine.
//!
//! `http` lives in [`http`] (its params in [`http_params`], its `http.url` in [`http_url`]), request bodies in [`body`] (JSON as `JSON.stringify` writes it,
//! keys in JavaScript's order: [`key_order`]), its cookie jars in [`cookies`], response callbacks in [`expected`], the Response type in [`response`], k6/html (`res.html()`, `parseHTML`) in [`html`], `ws` (k6/ws) in [`ws`], `WebSocket` (k6/websockets) in
//! [`websocket`], the global timers (k6/timers) in [`timers`], and k6's core functions
//! (`check`, `group`, `sleep`, `fail`, `uuid`, `open`, ...) in [`core`]. k6/encoding, k6/crypto
//! and `console` are the globals of [`encoding`], [`crypto`] and [`console`]; k6's SharedArray is
//! [`shared_array`]; JavaScript's RegExp is [`regexp`] (its string methods [`regexp_string`], its
//! match results [`regexp_match`]); its Date is [`date`], its Map and Set [`collections`], its
//! `encodeURIComponent` and kin [`uri`]; jslib's `textSummary` is [`jslib_summary`], its papaparse
//! [`papaparse`], its `URL` and `URLSearchParams` [`url`]. Built-in variables
//! (`http`, `ws`, `exec`, `encoding`, `crypto`, `console`, `papaparse`,
//! `__VU`, `__ITER`, `__ENV`) are served by [`builtin_variable`] through the engine's variable
//! resolver, so they are visible inside functions too.
//!
//! The bindings convert arguments and results ([`convert`] holds the conversions they share);
//! k6's rules (which samples and tags a request or a WebSocket session records, header
//! canonicalisation, the session's event loop) live below them in `crate::http` and `crate::ws`.

pub mod body;
pub mod call;
pub mod collections;
pub mod compare;
pub mod console;
pub mod convert;
pub mod cookies;
pub mod core;
pub mod crypto;
pub mod date;
pub mod encoding;
pub mod exec;
pub mod expected;
pub mod html;
pub mod http;
pub mod http_async;
pub mod http_params;
pub mod http_url;
pub mod jslib_summary;
pub mod json;
pub mod json_replacer;
pub mod key_order;
pub mod math;
pub mod metrics;
pub mod papaparse;
pub mod predicates;
pub mod promise;
pub mod promise_combinators;
pub mod regexp;
pub mod regexp_match;
pub mod regexp_string;
pub mod response;
pub mod shared_array;
pub mod sort;
pub mod text;
pub mod timers;
pub mod uri;
pub mod url;
pub mod websocket;
pub mod ws;

use rhai::{Dynamic, Engine};

use crate::runtime::vu;

/// Registers the whole script API; `sockets` is the engine's count of open `ws.connect`
/// sessions, shared with its variable resolver.
pub fn register(engine: &mut Engine, sockets: &ws::OpenSessions) {
    compare::register(engine);
    http::register(engine);
    http_async::register(engine);
    promise_combinators::register(engine);
    body::register(engine);
    cookies::register(engine);
    response::register(engine);
    html::register(engine);
    core::register(engine);
    json::register(engine);
    json_replacer::register(engine);
    key_order::register(engine);
    jslib_summary::register(engine);
    exec::register(engine);
    metrics::register(engine);
    ws::register(engine, sockets);
    websocket::register(engine, sockets);
    timers::register(engine);
    encoding::register(engine);
    crypto::register(engine);
    console::register(engine);
    shared_array::register(engine);
    sort::register(engine);
    text::register(engine);
    math::register(engine);
    call::register(engine);
    predicates::register(engine);
    regexp::register(engine);
    regexp_match::register(engine);
    regexp_string::register(engine);
    uri::register(engine);
    date::register(engine);
    papaparse::register(engine);
    url::register(engine);
    collections::register(engine);
    // k6's ArrayBuffer (a binary body, `crypto.randomBytes`, `b64decode`) is Rhai's blob; k6
    // scripts read its size as `byteLength`.
    engine.register_get("byteLength", |b: &mut rhai::Blob| b.len() as i64);
}

/// The built-in variables whose functions open connections. A script that names none of them
/// (nor does a module it imports) opens no sockets, so `limits.rs` reserves no open files for
/// its VUs; a new network module must be added here.
pub const NETWORK_VARIABLES: &[&str] = &["http", "ws"];

/// The value of a built-in variable, or `None` when `name` is not one. As in k6, `__ITER` exists
/// only while an iteration runs: init code, `setup()`, `teardown()` and `handle_summary` reading
/// it get JavaScript's `ReferenceError: __ITER is not defined` (it used to read 0 there).
pub fn builtin_variable(name: &str) -> Result<Option<Dynamic>, Box<rhai::EvalAltResult>> {
    if name == "__ITER" {
        return match vu::try_current() {
            Some(v) if v.phase == vu::Phase::Iterate && !v.in_init.get() => {
                Ok(Some(Dynamic::from(v.iteration.get() as i64)))
            }
            Some(_) => Err(ITER_NOT_DEFINED.into()),
            None => Ok(Some(Dynamic::from(0_i64))),
        };
    }
    Ok(match name {
        "http" => Some(Dynamic::from(http::HttpApi)),
        "Promise" => Some(Dynamic::from(promise_combinators::PromiseApi)),
        "exec" => Some(Dynamic::from(exec::ExecApi)),
        "ws" => Some(Dynamic::from(ws::WsApi)),
        "encoding" => Some(Dynamic::from(encoding::EncodingApi)),
        "crypto" => Some(Dynamic::from(crypto::CryptoApi)),
        "papaparse" => Some(Dynamic::from(papaparse::PapaparseApi)),
        "console" => Some(Dynamic::from(console::ConsoleApi)),
        "__VU" => Some(Dynamic::from(vu::try_current().map_or(0, |v| v.id as i64))),
        "__ENV" => vu::try_current().map(|v| v.env.clone()),
        _ => None,
    })
}

/// k6's error for `__ITER` read outside an iteration (a converted script's `e.name` reads
/// `ReferenceError`, `e.message` the rest).
pub const ITER_NOT_DEFINED: &str = "ReferenceError: __ITER is not defined";
