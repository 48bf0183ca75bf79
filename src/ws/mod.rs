//! The WebSocket client behind the script's `ws.connect` (k6/ws): dial, upgrade, then a
//! read task and a write half the VU's event loop drives.
//!
//! [`connect`] reuses the HTTP client's dialer (DNS, TCP, TLS with the run's
//! `insecureSkipTLSVerify`), so dial failures carry the same k6 error codes as `http.*`. It
//! returns a [`Connection`]: the upgrade response, a [`Writer`] and the receiving end of the
//! [`Event`] queue filled by a `spawn_local` reader (see `reader.rs`). [`session`] is the
//! session on top of it (k6's event loop, handlers, pings and `ws_*` samples) and [`timers`]
//! its `setTimeout`/`setInterval`. [`websocket`] is k6's newer API (`k6/websockets`'
//! `WebSocket`) on the same connection, run by the VU's event loop
//! (`crate::runtime::event_loop`).
//!
//! Memory is what decides how many sockets a run can hold. tungstenite's default config
//! zero-fills a 128 KiB read buffer per connection (135 KB per socket measured, 1.36 GB for
//! 10,000); [`config`] uses a 1 KiB read buffer (any message size is still readable: the
//! buffer is a read chunk, not a message limit; a larger message only takes more reads) and no
//! write buffering (each message goes out when sent, which is what a load test measures
//! anyway). The upgrade itself is ours ([`handshake`]): tungstenite's held 8 KiB per
//! connection while the server had not answered, which with thousands of VUs connecting at
//! once set the run's peak memory. Frames wait for the script in a single-threaded queue
//! ([`queue`]) that keeps no slots while a connection is idle.
//!
//! This module knows nothing about Rhai: `crate::script::api::ws` only registers the script
//! functions, converts their arguments and runs handlers for [`session`].

mod events;
mod handshake;
mod io;
mod queue;
mod reader;
pub mod session;
pub mod timers;
pub mod websocket;

use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;
use url::Url;

use crate::http::error_code::{self, Failure, Op};
use crate::http::headers::canonical_headers;
use crate::http::pool::{self, Target};
use crate::http::timing::{IoStats, Marks, WireCounter};
use crate::http::tls;
use crate::metrics::{self, tag, SystemTag, TagSet};
use io::Io;
pub(crate) use queue::Receiver;
pub(crate) use reader::{close_error_text, Event};

/// Per-connection read buffer (zero-filled and resident for the connection's life); see the
/// module docs for why it is small.
pub const READ_BUFFER_SIZE: usize = 1024;
/// Events a session queues while its script is busy before reading pauses.
pub const EVENT_QUEUE: usize = 256;
/// k6's handshake timeout (`HandshakeTimeout` of its dialer).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(60);

/// Close code for "no status code in the close frame" (never sent on the wire).
pub const NO_STATUS: u16 = 1005;
/// Close code for "closed without a close frame" (never sent on the wire).
pub const ABNORMAL_CLOSURE: u16 = 1006;

/// tungstenite's settings for every client socket.
pub fn config() -> WebSocketConfig {
    WebSocketConfig::default().read_buffer_size(READ_BUFFER_SIZE).write_buffer_size(0)
}

/// The HTTP response to the upgrade request.
#[derive(Debug, Clone, Default)]
pub struct Upgrade {
    pub status: u16,
    /// Headers as k6 shows them (`crate::http::headers`): canonical names, repeated values
    /// joined.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Upgrade {
    /// The subprotocol the server chose (its `Sec-WebSocket-Protocol`), "" when none.
    pub fn subprotocol(&self) -> &str {
        self.headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("sec-websocket-protocol")).map_or("", |(_, v)| v)
    }

    /// Adds the tags k6 gives a session's samples once the server has answered the upgrade,
    /// whatever the answer (both k6/ws and k6/websockets): `status`, and `subproto` (the
    /// chosen subprotocol, "" when none). A dial that got no answer has neither.
    pub fn add_tags(&self, tags: &mut TagSet) {
        if metrics::system_tag_enabled(SystemTag::STATUS) {
            tags.insert(tag::STATUS, &self.status.to_string());
        }
        if metrics::system_tag_enabled(SystemTag::SUBPROTO) {
            tags.insert(tag::SUBPROTO, self.subprotocol());
        }
    }
}

/// Bytes on the wire of one connection, TLS included.
#[derive(Clone)]
pub(crate) struct Wire(Rc<IoStats>);

impl Wire {
    pub fn sent(&self) -> u64 {
        self.0.bytes_written()
    }

    pub fn received(&self) -> u64 {
        self.0.bytes_read()
    }
}

/// A connection that did not become a WebSocket.
pub(crate) struct Failed {
    /// The server's answer, when it answered the upgrade with something other than 101.
    pub upgrade: Option<Upgrade>,
    pub failure: Failure,
    pub wire: Option<Wire>,
}

/// An open WebSocket.
pub(crate) struct Connection {
    pub upgrade: Upgrade,
    pub writer: Writer,
    pub events: queue::Receiver<Event>,
    pub wire: Wire,
}

/// What a script sends.
pub enum Outgoing {
    Text(String),
    Binary(Vec<u8>),
    Ping(Bytes),
    /// A close frame: code and reason.
    Close(u16, String),
}

impl Outgoing {
    /// The payload's size in bytes (k6's `bufferedAmount` counts it).
    pub fn len(&self) -> usize {
        match self {
            Outgoing::Text(text) => text.len(),
            Outgoing::Binary(data) => data.len(),
            Outgoing::Ping(data) => data.len(),
            Outgoing::Close(_, reason) => 2 + reason.len(),
        }
    }

    /// True for an empty text or binary message.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The write half of a session. Dropping it (and the session's event receiver) lets the
/// reader finish the closing handshake and close the socket.
pub(crate) struct Writer(SplitSink<WebSocketStream<Io>, Message>);

impl Writer {
    /// Writes one message and flushes it to the socket.
    pub async fn send(&mut self, message: Outgoing) -> Result<(), Failure> {
        let message = match message {
            Outgoing::Text(text) => Message::text(text),
            Outgoing::Binary(data) => Message::binary(data),
            Outgoing::Ping(data) => Message::Ping(data),
            Outgoing::Close(code, reason) => {
                Message::Close(Some(CloseFrame { code: CloseCode::from(code), reason: reason.into() }))
            }
        };
        self.0.send(message).await.map_err(|err| match err {
            WsError::Io(io) => error_code::for_io(&io, Op::Write),
            other => describe_ws_error(&other),
        })
    }
}

/// Opens a WebSocket to `url` (`ws://` or `wss://`) with extra request `headers`.
///
/// Must run inside a `LocalSet` (the reader is a `spawn_local` task). Never panics on
/// network input: every failure is a [`Failed`] with k6's code.
pub(crate) async fn connect(
    url: &str,
    headers: Vec<(HeaderName, HeaderValue)>,
    insecure_skip_tls_verify: bool,
) -> Result<Connection, Failed> {
    let failed = |failure: Failure, wire: Option<&Wire>| Failed { upgrade: None, failure, wire: wire.cloned() };
    let parsed = Url::parse(url)
        .map_err(|err| failed(Failure::new(error_code::INVALID_URL, format!("invalid URL \"{url}\": {err}")), None))?;
    let tls = match parsed.scheme() {
        "ws" => false,
        "wss" => true,
        other => {
            let message =
                format!("invalid URL \"{url}\": unsupported protocol scheme \"{other}\" (use ws:// or wss://)");
            return Err(failed(Failure::new(error_code::INVALID_URL, message), None));
        }
    };
    let (Some(host), Some(host_str), Some(port)) = (parsed.host(), parsed.host_str(), parsed.port_or_known_default())
    else {
        return Err(failed(Failure::new(error_code::INVALID_URL, format!("invalid URL \"{url}\": no host")), None));
    };
    let target = Target { tls, host, host_str, port };

    let mut marks = Marks::new(Instant::now());
    let tcp = pool::connect(&target, &mut marks).await.map_err(|f| failed(f, None))?;
    // Messages are written whole; do not let Nagle hold back a small one.
    let _ = tcp.set_nodelay(true);
    let stats = Rc::new(IoStats::default());
    let wire = Wire(Rc::clone(&stats));
    let counted = WireCounter::new(tcp, Rc::clone(&stats));
    let io = if tls {
        let name = pool::server_name(&target.host).map_err(|f| failed(f, Some(&wire)))?;
        let stream = tls::test_connector(insecure_skip_tls_verify, target.host_str, tls::Alpn::Http1)
            .connect(name, counted)
            .await
            .map_err(|err| failed(error_code::for_io(&err, stats.failed_op().unwrap_or(Op::Read)), Some(&wire)))?;
        Io::Tls(Box::new(stream))
    } else {
        Io::Plain(counted)
    };

    let mut request = url.into_client_request().map_err(|err| failed(describe_ws_error(&err), Some(&wire)))?;
    for (name, value) in headers {
        request.headers_mut().insert(name, value);
    }
    let handshake = handshake::client(io, request);
    let (socket, response) = match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
        Err(_elapsed) => {
            let failure = Failure::new(error_code::REQUEST_TIMEOUT, "websocket: handshake timeout");
            return Err(failed(failure, Some(&wire)));
        }
        Ok(Err(WsError::Http(response))) => {
            let status = response.status().as_u16();
            let code = match error_code::for_status(status) {
                0 => error_code::GENERIC,
                code => code,
            };
            let upgrade = Upgrade {
                status,
                headers: canonical_headers(response.headers()),
                body: response.body().as_deref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default(),
            };
            // gorilla/websocket's ErrBadHandshake, as k6 reports it.
            let failure = Failure::new(code, "websocket: bad handshake");
            return Err(Failed { upgrade: Some(upgrade), failure, wire: Some(wire) });
        }
        Ok(Err(WsError::Io(err))) => {
            return Err(failed(error_code::for_io(&err, stats.failed_op().unwrap_or(Op::Read)), Some(&wire)))
        }
        Ok(Err(err)) => return Err(failed(describe_ws_error(&err), Some(&wire))),
        Ok(Ok(open)) => open,
    };
    let upgrade = Upgrade {
        status: response.status().as_u16(),
        headers: canonical_headers(response.headers()),
        body: String::new(),
    };
    let (sink, stream) = socket.split();
    let (sender, events) = queue::channel(EVENT_QUEUE);
    tokio::task::spawn_local(reader::read_events(stream, sender));
    Ok(Connection { upgrade, writer: Writer(sink), events, wire })
}

/// A tungstenite error that is not an I/O error, as text with k6's generic code.
fn describe_ws_error(err: &WsError) -> Failure {
    match err {
        WsError::ConnectionClosed | WsError::AlreadyClosed => {
            Failure::new(error_code::GENERIC, "websocket: close sent")
        }
        WsError::Protocol(tokio_tungstenite::tungstenite::error::ProtocolError::SendAfterClosing) => {
            Failure::new(error_code::GENERIC, "websocket: close sent")
        }
        WsError::Url(url) => Failure::new(error_code::INVALID_URL, format!("invalid URL: {url}")),
        WsError::Tls(tls) => Failure::new(error_code::TLS_GENERIC, format!("tls: {tls}")),
        other => Failure::new(error_code::GENERIC, format!("websocket: {other}")),
    }
}
