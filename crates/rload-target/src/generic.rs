//! The generic reference target: endpoints a load test needs to exercise a client (echo,
//! delays, status codes, large bodies, redirects, cookies, chosen response headers, digest
//! authentication, WebSocket echo, broadcast and failure endpoints, connection stats).
//!
//! Handlers stay cheap because the target must never be the bottleneck of a benchmark: no
//! logging, static bodies where possible, large bodies streamed from one static pattern.
//! Connection and request counting happens in `listener.rs`; this file only reports it.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{any, get};
use axum::Router;
use serde_json::{json, Map, Value};

use super::broadcast::{self, Hub};
use super::digest;
use super::stats::{Stats, StatsSnapshot};
use super::ws_faults::{self, Fault};

/// Longest `/delay/{ms}`; larger values are clamped to it.
pub const MAX_DELAY_MS: u64 = 60_000;
/// Largest `/bytes/{n}`; larger values are refused with 400.
pub const MAX_BYTES: u64 = 100 * 1024 * 1024;
/// Largest request body `/echo` accepts (413 beyond).
pub const MAX_ECHO_BODY: usize = 64 * 1024 * 1024;

/// WebSocket read buffer. tungstenite's default (128 KiB, zero-filled up front) would cost
/// 1.3 GB for 10,000 connections; 4 KiB costs ~70 MB and still reads any message size.
const WS_READ_BUFFER: usize = 4 * 1024;

/// `/bytes/{n}` bodies are slices of this pattern: byte `i` of a body is `i % 256`.
const PATTERN_LEN: usize = 64 * 1024;
static PATTERN: [u8; PATTERN_LEN] = pattern();

const fn pattern() -> [u8; PATTERN_LEN] {
    let mut bytes = [0u8; PATTERN_LEN];
    let mut i = 0;
    while i < PATTERN_LEN {
        bytes[i] = i as u8;
        i += 1;
    }
    bytes
}

/// The generic target's routes. `/stats` reports `stats`; the counts themselves are kept by
/// the server's accept loop, so serving this router some other way leaves them at zero
/// (except `connections_open` for WebSocket sessions, which this router counts).
pub fn router(stats: Arc<Stats>) -> Router {
    let hub = Hub::new();
    Router::new()
        .route("/", get(index))
        .route("/echo", any(echo).layer(DefaultBodyLimit::max(MAX_ECHO_BODY)))
        .route("/delay/{ms}", any(delay))
        .route("/status/{code}", any(status))
        .route("/bytes/{n}", get(bytes))
        .route("/redirect/{n}", any(redirect))
        .route("/cookies", get(cookies))
        .route("/cookies/set", get(set_cookies))
        .route("/response-headers", any(response_headers))
        .route("/digest-auth/auth/{user}/{password}", any(digest::digest_auth))
        .route("/ws/echo", get(ws_echo))
        .route("/ws/broadcast", get(move |state, query, upgrade| ws_broadcast(state, hub, query, upgrade)))
        .route("/ws/close/{code}", get(ws_faults::close_with_code))
        .route("/ws/close-abruptly", get(|state, req| ws_faults::raw(state, Fault::CloseAbruptly, req)))
        .route("/ws/invalid-frame", get(|state, req| ws_faults::raw(state, Fault::InvalidFrame, req)))
        .route("/stats", get(stats_json))
        .with_state(stats)
}

async fn index() -> &'static str {
    "rload reference target\n"
}

/// Answers with the request body, the request's content type and content encoding (so a
/// compressed request comes back as a compressed response), `x-echo-method`, and every
/// request header again under an `x-echo-` prefix (repeated headers stay repeated).
async fn echo(method: Method, headers: HeaderMap, body: Bytes) -> Response {
    let mut echoed = HeaderMap::with_capacity(headers.len() + 2);
    for (name, value) in &headers {
        if let Ok(name) = HeaderName::try_from(format!("x-echo-{name}")) {
            echoed.append(name, value.clone());
        }
    }
    if let Ok(method) = HeaderValue::from_str(method.as_str()) {
        echoed.insert("x-echo-method", method);
    }
    for name in [CONTENT_TYPE, CONTENT_ENCODING] {
        if let Some(value) = headers.get(&name) {
            echoed.insert(name, value.clone());
        }
    }
    (echoed, body).into_response()
}

async fn delay(Path(ms): Path<u64>) -> Response {
    let ms = ms.min(MAX_DELAY_MS);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    json_text(format!("{{\"delay_ms\":{ms}}}"))
}

/// Responds with status `code`, which must be 200–999: HTTP/1.1 cannot send a 1xx status as
/// a final response (hyper would turn it into a 500), so 100–199 are refused like 42 or 1000.
async fn status(Path(code): Path<u16>) -> Response {
    match StatusCode::from_u16(code) {
        Ok(status) if code >= 200 => status.into_response(),
        _ => {
            let message = format!("status code must be from 200 to 999, got {code}\n");
            (StatusCode::BAD_REQUEST, message).into_response()
        }
    }
}

/// `n` bytes of `application/octet-stream`, byte `i` being `i % 256`, streamed in 64 KiB
/// slices of a static pattern so a 100 MB body allocates nothing per byte.
async fn bytes(Path(n): Path<u64>) -> Response {
    if n > MAX_BYTES {
        let message = format!("at most {MAX_BYTES} bytes, got {n}\n");
        return (StatusCode::BAD_REQUEST, message).into_response();
    }
    let len = n as usize;
    let body = if len <= PATTERN_LEN {
        Body::from(Bytes::from_static(&PATTERN[..len]))
    } else {
        // PATTERN_LEN is a multiple of 256, so every slice continues the `i % 256` sequence.
        let slices = (0..len)
            .step_by(PATTERN_LEN)
            .map(move |start| Ok::<_, std::convert::Infallible>(pattern_slice(len - start)));
        Body::from_stream(futures_util::stream::iter(slices))
    };
    let headers =
        [(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream")), (CONTENT_LENGTH, HeaderValue::from(n))];
    (headers, body).into_response()
}

fn pattern_slice(remaining: usize) -> Bytes {
    Bytes::from_static(&PATTERN[..remaining.min(PATTERN_LEN)])
}

/// `/redirect/{n}` answers 302 to `/redirect/{n-1}`; `/redirect/0` answers 200.
async fn redirect(Path(n): Path<u32>) -> Response {
    match n.checked_sub(1) {
        None => "redirects done\n".into_response(),
        Some(next) => (StatusCode::FOUND, [(LOCATION, format!("/redirect/{next}"))]).into_response(),
    }
}

/// `/cookies/set?a=1&b=2` sets each pair as a cookie with `Path=/` and lists what it set as
/// `{"cookies": {"a": "1", "b": "2"}}`.
async fn set_cookies(RawQuery(query): RawQuery) -> Response {
    let mut headers = HeaderMap::new();
    let mut set = Map::new();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let cookie = (is_cookie_name(&name) && value.bytes().all(is_cookie_octet))
            .then(|| HeaderValue::try_from(format!("{name}={value}; Path=/")).ok())
            .flatten();
        let Some(cookie) = cookie else {
            let message = format!("can't set cookie {name:?}={value:?}: not a valid cookie\n");
            return (StatusCode::BAD_REQUEST, message).into_response();
        };
        headers.append(SET_COOKIE, cookie);
        set.insert(name.into_owned(), Value::String(value.into_owned()));
    }
    (headers, Json(json!({ "cookies": set }))).into_response()
}

/// `/response-headers?Set-Cookie=a%3D1%3B%20Path%3D%2F&X-Y=z`: answers 200 with each query pair
/// as a response header (a name given twice is sent twice, in order) and lists them as
/// `{"headers": [["Set-Cookie", "a=1; Path=/"], ...]}`, as httpbin's route of the same name.
async fn response_headers(RawQuery(query): RawQuery) -> Response {
    let mut headers = HeaderMap::new();
    let mut listed = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let (Ok(header), Ok(header_value)) =
            (HeaderName::try_from(name.as_ref()), HeaderValue::try_from(value.as_ref()))
        else {
            let message = format!("can't send header {name:?}: {value:?}\n");
            return (StatusCode::BAD_REQUEST, message).into_response();
        };
        headers.append(header, header_value);
        listed.push(json!([name, value]));
    }
    (headers, Json(json!({ "headers": listed }))).into_response()
}

/// Echoes the request's cookies as `{"cookies": {"name": "value"}}`.
async fn cookies(headers: HeaderMap) -> Json<Value> {
    let mut found = Map::new();
    for header in headers.get_all(COOKIE) {
        if let Ok(header) = header.to_str() {
            for (name, value) in parse_cookie_header(header) {
                found.insert(name.to_owned(), Value::String(value.to_owned()));
            }
        }
    }
    Json(json!({ "cookies": found }))
}

/// Splits a `Cookie` header (`a=1; b=2`) into pairs; a pair without `=` has an empty value.
fn parse_cookie_header(header: &str) -> impl Iterator<Item = (&str, &str)> {
    header.split(';').map(str::trim).filter(|pair| !pair.is_empty()).map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (name.trim(), value.trim())
    })
}

/// RFC 6265 cookie-name: an HTTP token.
fn is_cookie_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// RFC 6265 cookie-octet: visible ASCII except `"`, `,`, `;` and `\`.
fn is_cookie_octet(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'"' | b',' | b';' | b'\\')
}

/// Echoes text and binary messages; tungstenite answers pings and close frames itself. The
/// upgraded connection no longer belongs to hyper, so it is counted as open here.
///
/// On a close frame the loop keeps reading: tungstenite only queues its close reply, and
/// the next read flushes it before reporting the end of the stream. Returning at once would
/// drop the socket with the reply unsent, which the client sees as a reset.
async fn ws_echo(State(stats): State<Arc<Stats>>, upgrade: WebSocketUpgrade) -> Response {
    let open = stats.hold_open();
    // The subprotocol "echo" is accepted when asked for, so clients can test negotiation.
    let upgrade = upgrade.protocols(["echo"]);
    upgrade.read_buffer_size(WS_READ_BUFFER).write_buffer_size(0).on_upgrade(move |socket| async move {
        echo_messages(socket).await;
        drop(open);
    })
}

async fn echo_messages(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        match message {
            Message::Text(_) | Message::Binary(_) => {
                if socket.send(message).await.is_err() {
                    return;
                }
            }
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) => {}
        }
    }
}

/// `/ws/broadcast?interval_ms=N`: see [`broadcast`].
async fn ws_broadcast(
    State(stats): State<Arc<Stats>>,
    hub: Arc<Hub>,
    RawQuery(query): RawQuery,
    upgrade: WebSocketUpgrade,
) -> Response {
    let interval_ms = match broadcast::interval_from_query(query.as_deref()) {
        Ok(ms) => ms,
        Err(message) => return (StatusCode::BAD_REQUEST, message).into_response(),
    };
    let open = stats.hold_open();
    upgrade.read_buffer_size(WS_READ_BUFFER).write_buffer_size(0).on_upgrade(move |socket| async move {
        broadcast::forward(socket, hub.subscribe(interval_ms)).await;
        drop(open);
    })
}

async fn stats_json(State(stats): State<Arc<Stats>>) -> Json<StatsSnapshot> {
    Json(stats.snapshot())
}

fn json_text(body: String) -> Response {
    ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_slices_continue_the_byte_sequence() {
        let len = 2 * PATTERN_LEN + 300;
        let body: Vec<u8> =
            (0..len).step_by(PATTERN_LEN).flat_map(|start| pattern_slice(len - start).to_vec()).collect();
        assert_eq!(body.len(), len);
        assert!(body.iter().enumerate().all(|(i, &b)| b == i as u8));
    }

    #[test]
    fn cookie_header_parsing_trims_and_keeps_empty_values() {
        let pairs: Vec<_> = parse_cookie_header(" a=1; b = two ;flag; ;c=x=y").collect();
        assert_eq!(pairs, [("a", "1"), ("b", "two"), ("flag", ""), ("c", "x=y")]);
    }

    #[test]
    fn cookie_names_and_values_follow_rfc_6265() {
        assert!(is_cookie_name("session_id"));
        assert!(!is_cookie_name("a b"));
        assert!(!is_cookie_name("a=b"));
        assert!(!is_cookie_name(""));
        assert!(b"abc-123_%!".iter().all(|&b| is_cookie_octet(b)));
        assert!(!b"a;b".iter().all(|&b| is_cookie_octet(b)));
    }
}
