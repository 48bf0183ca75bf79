//! HTTP/2 connections, negotiated by ALPN on TLS as Go's transport (so k6) does: a test
//! connection offers `h2` and `http/1.1` ([`super::tls::Alpn::Http2`]) and, when the server
//! picks `h2`, the pool starts one of these instead of an HTTP/1.1 connection. Plain http://
//! stays HTTP/1.1 (no h2c), as in k6.
//!
//! One HTTP/2 connection per host serves all of a VU's requests to it, several at once (an
//! `http.batch` multiplexes its requests as streams): its [`Sender`] is cloned for each request.
//! hyper runs the connection and each stream as tasks, spawned here with `spawn_local` on the
//! worker's `LocalSet`, since the connection's I/O (timings, byte counters) is not `Send`.
//!
//! Timings of a request on HTTP/2 come from the request's own future, not from the socket
//! (streams share it): `sending` is 0, `waiting` lasts from handing the request over to its
//! response head, `receiving` from there to the end of the body. Byte counts are the socket's
//! bytes while the request was in flight that no request on the connection counted before it
//! (`IoStats::claim`): concurrent streams split the socket's bytes, which add up exactly.
//!
//! [`Sender`] is the one face of both kinds of connection to the client: hyper's HTTP/2 here and
//! rload's own HTTP/1.1 (`h1/`), each answering with a head ([`Answer`]).

use std::future::Future;

use bytes::Bytes;
use http::{Request, Uri, Version};
use http_body_util::Full;
use hyper::body::{Body as _, Incoming};
use hyper::client::conn::http2;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};

use super::h1::{Failed, H1Conn, Head};
use super::MAX_RESPONSE_HEAD_BYTES;

/// Spawns hyper's HTTP/2 tasks (the connection, each request's body) on the current thread's
/// `LocalSet`.
#[derive(Clone, Copy)]
struct LocalExec;

impl<F> hyper::rt::Executor<F> for LocalExec
where
    F: Future + 'static,
{
    fn execute(&self, fut: F) {
        tokio::task::spawn_local(fut);
    }
}

/// The request side of a connection: HTTP/1.1 (one request at a time, rload's own
/// [`H1Conn`]) or HTTP/2 (hyper's; cloned per request, several at once).
pub(crate) enum Sender {
    Http1(H1Conn),
    Http2(http2::SendRequest<Full<Bytes>>),
}

/// A response's head, and on HTTP/2 the stream its body comes from (on HTTP/1.1 the body is
/// read from the connection, [`H1Conn::next_chunk`]).
pub(crate) struct Answer {
    pub head: Head,
    pub stream: Option<Incoming>,
}

impl Sender {
    pub fn is_http2(&self) -> bool {
        matches!(self, Sender::Http2(_))
    }

    pub fn is_closed(&self) -> bool {
        match self {
            Sender::Http1(conn) => !conn.keeps_alive(),
            Sender::Http2(sender) => sender.is_closed(),
        }
    }

    /// Waits until the connection can take a request; `false` when it has closed.
    pub async fn ready(&mut self) -> bool {
        match self {
            Sender::Http1(conn) => conn.is_usable(),
            Sender::Http2(sender) => sender.ready().await.is_ok(),
        }
    }

    /// Another handle on an HTTP/2 connection; `None` for HTTP/1.1.
    pub fn share(&self) -> Option<Sender> {
        match self {
            Sender::Http1(_) => None,
            Sender::Http2(sender) => Some(Sender::Http2(sender.clone())),
        }
    }

    /// Sends `request` (built for HTTP/1.1: origin-form URI and a `Host` header). On HTTP/2
    /// the URI becomes absolute with the `Host` header as its authority (`:authority`, as Go
    /// sends it), and the `Host` header is dropped.
    pub async fn send(&mut self, mut request: Request<Bytes>, tls: bool) -> Result<Answer, SendError> {
        match self {
            Sender::Http1(conn) => {
                let head = conn.send(request).await.map_err(SendError::Http1)?;
                Ok(Answer { head, stream: None })
            }
            Sender::Http2(sender) => {
                let authority = request.headers_mut().remove(http::header::HOST);
                let authority = authority.as_ref().and_then(|v| v.to_str().ok()).unwrap_or_default();
                let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
                let scheme = if tls { "https" } else { "http" };
                *request.uri_mut() = Uri::try_from(format!("{scheme}://{authority}{path}"))
                    .map_err(|err| SendError::Uri(err.to_string()))?;
                *request.version_mut() = Version::HTTP_2;
                let response = sender.send_request(request.map(Full::new)).await.map_err(SendError::Hyper)?;
                let (mut parts, stream) = response.into_parts();
                super::headers::own_values(&mut parts.headers);
                let reason = parts.extensions.remove::<hyper::ext::ReasonPhrase>();
                let head = Head {
                    status: parts.status,
                    version: parts.version,
                    reason: reason.map(|phrase| String::from_utf8_lossy(phrase.as_bytes()).into()),
                    announced: stream.size_hint().exact(),
                    headers: super::headers::HeadFields::from_map(parts.headers),
                };
                Ok(Answer { head, stream: Some(stream) })
            }
        }
    }
}

/// Why a request could not be sent.
#[derive(Debug)]
pub(crate) enum SendError {
    Hyper(hyper::Error),
    Http1(Failed),
    /// The `Host` header is no valid authority for HTTP/2.
    Uri(String),
}

/// Starts an HTTP/2 connection over `io` (a TLS stream whose ALPN chose `h2`); the returned
/// future drives it until it closes.
pub(crate) async fn handshake<I>(
    io: I,
) -> Result<(http2::SendRequest<Full<Bytes>>, impl Future<Output = hyper::Result<()>>), hyper::Error>
where
    I: AsyncRead + AsyncWrite + Unpin + 'static,
{
    http2::Builder::new(LocalExec)
        .max_header_list_size(u32::try_from(MAX_RESPONSE_HEAD_BYTES).unwrap_or(u32::MAX))
        .handshake::<_, Full<Bytes>>(TokioIo::new(io))
        .await
}
