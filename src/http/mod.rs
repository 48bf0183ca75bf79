//! The per-VU HTTP/1.1 and HTTP/2 client behind the script's `http.*` functions.
//!
//! Each virtual user owns one [`HttpClient`]: its own keep-alive connections (one idle
//! connection per host in the common case, so N VUs against one host hold about N
//! connections, as in k6) and its own cookie jar. A client lives on a `current_thread` runtime
//! inside a `LocalSet`: its futures are not `Send`, it uses `Rc`/`Cell` instead of locks, and
//! its connection drivers are spawned with `spawn_local` (calling it outside a `LocalSet`
//! panics).
//!
//! A request yields one [`HttpOutcome`] per hop (redirects included), each carrying k6's
//! timings, wire byte counts and k6's numeric `error_code` (see [`error_code`]). Network
//! failures never panic and never return `Err`: they are outcomes with `status: 0`.
//!
//! k6's rules for what a request records live here too: [`samples`] turns a request's
//! outcomes into `http_req_*` and `data_*` samples, and [`headers`] is the one place header
//! names are canonicalised and repeated values joined (also for `ws.connect`'s upgrade
//! answer). The client itself records nothing: a request goes script binding (argument
//! conversion only) → [`HttpClient::request`] → [`samples::record_hops`] → the metric sink.
//!
//! This module is not the script binding (`crate::script::api::http` converts Rhai values),
//! and not a general-purpose client (no proxies, no h2c: HTTP/2 only by ALPN on TLS, see
//! `h2.rs`). Cookies live in [`cookies`], URL credentials and digest authentication in
//! [`auth`], k6's body compression and response decompression in [`compression`].

pub mod auth;
pub mod batch;
mod client;
mod collected;
pub mod compression;
pub mod cookies;
pub(crate) mod deadline;
pub mod debug;
pub mod error_code;
pub(crate) mod h1;
pub(crate) mod h2;
pub mod headers;
pub mod hosts;
pub(crate) mod pool;
pub mod samples;
pub(crate) mod timing;
pub mod tls;

use std::net::IpAddr;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderValue;

pub use auth::Auth;
pub use client::HttpClient;
pub use cookies::{CookieJar, RequestCookie};
pub use pool::Pool;

/// The `User-Agent` sent when neither the script nor the options set one: k6's form
/// (`Grafana k6/1.1.0 (https://k6.io/)`) without an address, as rload has no public home page.
pub const DEFAULT_USER_AGENT: &str = concat!("rload/", env!("CARGO_PKG_VERSION"));

/// k6's default request timeout (`params.timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// k6's default maximum number of redirects followed (`maxRedirects`, `params.redirects`).
pub const DEFAULT_REDIRECTS: u32 = 10;

/// `maxResponseBodySize` when the options set none: 256 MB. A body over the cap fails the
/// request (error 1060) instead of exhausting memory; k6 has no cap.
pub const DEFAULT_MAX_RESPONSE_BODY_SIZE: u64 = 256_000_000;

/// The largest response head (status line and header fields) read: Go's client default
/// (`Transport.MaxResponseHeaderBytes`, 10 MiB), which k6 keeps. Over it: error 1061.
pub const MAX_RESPONSE_HEAD_BYTES: usize = 10 << 20;

/// The most header fields a response may have. Go counts bytes only; the parser needs slots:
/// rload's HTTP/1.1 (`h1/`) parses into 64 on the stack and, only for a head with more fields,
/// into this many on the heap. Ten times hyper's default of 100.
pub const MAX_RESPONSE_HEADER_FIELDS: usize = 1_000;

/// Per-test options that shape every client; shared read-only by all VUs of a worker.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// k6's `insecureSkipTLSVerify`: accept any server certificate.
    pub insecure_skip_tls_verify: bool,
    /// k6's `noConnectionReuse`: close the connection after each request.
    pub no_connection_reuse: bool,
    /// k6's `noCookiesReset`: keep a VU's cookies from one iteration to the next (by default
    /// each iteration starts with an empty jar, see [`HttpClient::begin_iteration`]).
    pub no_cookies_reset: bool,
    /// k6's `userAgent`; `None` means [`DEFAULT_USER_AGENT`]. An empty string sends no
    /// `User-Agent` header.
    pub user_agent: Option<String>,
    /// k6's `discardResponseBodies`. The client itself only honours
    /// [`RequestSpec::response_type`]; this flag decides its default, see
    /// [`ClientConfig::default_response_type`], so a request can still ask for a body.
    pub discard_response_bodies: bool,
    /// `maxResponseBodySize`: the most bytes of a response body kept in memory. A larger body
    /// (or Content-Length) fails the request with error 1060 and closes the connection. A body
    /// that is not kept (`responseType: "none"`) is read and counted whatever its size.
    pub max_response_body_size: u64,
    /// k6's `httpDebug`: log every request and response (`debug.rs`).
    pub http_debug: debug::HttpDebug,
    /// rload's `sharedConnections`: the VUs of a thread share at most this many connections
    /// ([`Pool::shared`]) instead of holding their own; `None` (k6's model) by default.
    pub shared_connections: Option<usize>,
    /// k6's `batch` and `batchPerHost`: how many requests of one `http.batch` are in flight.
    pub batch: batch::BatchLimits,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            insecure_skip_tls_verify: false,
            no_connection_reuse: false,
            no_cookies_reset: false,
            user_agent: None,
            discard_response_bodies: false,
            max_response_body_size: DEFAULT_MAX_RESPONSE_BODY_SIZE,
            http_debug: debug::HttpDebug::Off,
            shared_connections: None,
            batch: batch::BatchLimits::default(),
        }
    }
}

impl ClientConfig {
    /// The `User-Agent` a request or WebSocket upgrade sends when the script sets none;
    /// `None` for an empty `userAgent`.
    pub fn user_agent_header(&self) -> Option<HeaderValue> {
        match self.user_agent.as_deref() {
            None => Some(HeaderValue::from_static(DEFAULT_USER_AGENT)),
            Some("") => None,
            // The options layer validates `userAgent`; a value that is not a valid header
            // falls back to the default rather than failing every request.
            Some(custom) => Some(HeaderValue::from_str(custom).unwrap_or(HeaderValue::from_static(DEFAULT_USER_AGENT))),
        }
    }

    /// The response type of a request whose params name none (k6: `none` when
    /// `discardResponseBodies` is set, `text` otherwise).
    pub fn default_response_type(&self) -> ResponseType {
        if self.discard_response_bodies {
            ResponseType::None
        } else {
            ResponseType::Text
        }
    }
}

/// k6's `params.responseType`. `Text` and `Binary` both return the raw body bytes (the
/// script layer decides how to present them); `None` reads the body to the end, counts its
/// bytes and drops it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseType {
    #[default]
    Text,
    Binary,
    None,
}

/// One request as the script asked for it.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    pub method: http::Method,
    pub url: String,
    /// Request headers in script order. `Host` and `User-Agent` given here replace the
    /// defaults; a `Cookie` given here is sent before the request's and the jar's cookies, on
    /// the first hop only (k6 rebuilds the header of a redirect from the cookies). Shared, so
    /// that the script's `res.request.headers` reads them without a copy.
    pub headers: Rc<[(String, String)]>,
    /// `params.cookies`, sent on every hop before the jar's (see [`RequestCookie`]).
    pub cookies: Vec<RequestCookie>,
    /// `params.jar`: the jar this request reads and fills; `None` is the VU's own.
    pub jar: Option<CookieJar>,
    /// `params.auth`: how credentials in the URL are sent.
    pub auth: Auth,
    pub body: Option<Bytes>,
    /// Covers the whole request, redirects included (DNS, connect, TLS, send, wait, body).
    pub timeout: Duration,
    /// Maximum number of redirects to follow; 0 returns the first 3xx as is.
    pub redirects: u32,
    pub response_type: ResponseType,
}

impl RequestSpec {
    /// A request with k6's defaults: no headers, no body, 60 s timeout, 10 redirects, text.
    pub fn new(method: http::Method, url: impl Into<String>) -> Self {
        RequestSpec {
            method,
            url: url.into(),
            headers: Rc::from([]),
            cookies: Vec::new(),
            jar: None,
            auth: Auth::Basic,
            body: None,
            timeout: DEFAULT_TIMEOUT,
            redirects: DEFAULT_REDIRECTS,
            response_type: ResponseType::Text,
        }
    }
}

/// k6's `res.timings`, in milliseconds, measured on a monotonic clock around the socket I/O.
///
/// - `blocked`: from the start of the request until a dial starts or a pooled connection is
///   ready (includes the DNS lookup, as in k6).
/// - `connecting`: the TCP connect; 0 on a reused connection.
/// - `tls_handshaking`: the TLS handshake; 0 for http and on a reused connection.
/// - `sending`: from handing the request to the connection until its last byte is written.
/// - `waiting`: last request byte written until the first response byte read (TTFB).
/// - `receiving`: first response byte until the body is fully read.
/// - `duration` = `sending + waiting + receiving` (k6's `http_req_duration`).
///
/// On a failure, the phase that was running when it happened lasts until the failure.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Timings {
    pub blocked: f64,
    pub connecting: f64,
    pub tls_handshaking: f64,
    pub sending: f64,
    pub waiting: f64,
    pub receiving: f64,
    pub duration: f64,
}

/// The result of one hop of a request: a response, or a failure with `status == 0`.
#[derive(Debug, Clone)]
pub struct HttpOutcome {
    pub status: u16,
    /// The status line's reason phrase where it is not the standard one for `status`
    /// ([`HttpOutcome::status_text`]).
    pub reason: Option<Box<str>>,
    /// `"HTTP/1.1"` or `"HTTP/1.0"`; empty on a failure.
    pub proto: &'static str,
    /// The URL of this hop, normalised (`http://host` becomes `http://host/`).
    pub url: String,
    pub method: http::Method,
    /// Response headers, read with k6's (Go's) canonical names (`Content-Type`); repeated
    /// headers are joined with `", "` as k6 does.
    pub headers: headers::ResponseHeaders,
    /// The `Set-Cookie` headers one by one (joined, their dates' commas would be ambiguous),
    /// for `res.cookies`; empty on a failure.
    pub set_cookies: Vec<String>,
    /// `None` for [`ResponseType::None`] and on failures, except a failure while the body was
    /// being read (the server closed early, a timeout): that keeps the part received, as k6.
    pub body: Option<Bytes>,
    /// k6's `res.error`: `None` for any response, 4xx/5xx included.
    pub error: Option<String>,
    /// k6's `res.error_code`: 0 for a 1xx–3xx response, `1000 + status` for 4xx/5xx, a
    /// network error class otherwise (see [`error_code`]).
    pub error_code: u32,
    pub timings: Timings,
    /// Bytes written to the socket for this hop, headers and TLS records included (plus the
    /// TLS handshake when this hop opened the connection), for `data_sent`.
    pub bytes_sent: u64,
    /// Bytes read from the socket for this hop, for `data_received`.
    pub bytes_received: u64,
    /// The peer's address; `None` and 0 when no connection was made. Formatted only when read
    /// (`res.remote_ip`, the `ip` system tag): a string per request was 2% of a GET's work.
    pub remote_ip: Option<IpAddr>,
    pub remote_port: u16,
}

impl HttpOutcome {
    /// As k6 (Go) reports it: `"200 OK"`, the server's own phrase if it sent another one;
    /// empty on a failure. Built when read: a string per request was work for every request.
    pub fn status_text(&self) -> String {
        if self.status == 0 {
            return String::new();
        }
        let standard = || http::StatusCode::from_u16(self.status).ok()?.canonical_reason();
        format!("{} {}", self.status, self.reason.as_deref().or_else(standard).unwrap_or(""))
    }

    /// A request k6 fails before sending it (params it cannot use): status 0, nothing sent or
    /// received, `error` the reason (`None` for a batch's entries before the failing one, which
    /// k6 answers empty).
    pub fn not_sent(error: Option<String>) -> Self {
        HttpOutcome {
            status: 0,
            reason: None,
            proto: "",
            url: String::new(),
            method: http::Method::GET,
            headers: Default::default(),
            set_cookies: Vec::new(),
            body: None,
            error,
            error_code: 0,
            timings: Timings::default(),
            bytes_sent: 0,
            bytes_received: 0,
            remote_ip: None,
            remote_port: 0,
        }
    }
}

#[cfg(test)]
impl HttpOutcome {
    /// A received HTTP/1.1 response, for unit tests of what reads one.
    pub(crate) fn received(method: http::Method, url: &str, status: http::StatusCode, body: &'static [u8]) -> Self {
        HttpOutcome {
            status: status.as_u16(),
            proto: "HTTP/1.1",
            url: url.into(),
            method,
            body: Some(Bytes::from_static(body)),
            ..HttpOutcome::not_sent(None)
        }
    }
}
