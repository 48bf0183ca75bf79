//! HTTP/1.1 on a connection that holds no buffer while it waits.
//!
//! hyper's HTTP/1.1 client gives every connection an 8 KiB read buffer, an 8 KiB write buffer
//! and a request channel (~9.6 KB) for the connection's whole life, and none of them can be
//! made smaller: ~32 KB of a VU's ~50 KB at 10,000 VUs (bench/README.md, issue #18). Here a
//! connection is its socket and the framing state of the response in flight. A request head
//! is written from a buffer that lives as long as the write; a read goes into the thread's
//! scratch buffer (`SCRATCH`) and only bytes that cannot be used yet (the start of a head, a
//! split chunk-size line) are kept, in `pending`, which is empty and unallocated between
//! exchanges. A VU waiting for a response, or holding its idle connection, keeps no buffer.
//!
//! What is parsed, and how, follows RFC 9112 as Go's client (so k6) reads it: `httparse`
//! reads heads and chunk-size lines; interim (1xx) responses are skipped; a body is framed by
//! `Transfer-Encoding: chunked`, else `Content-Length`, else the connection's end (which
//! leaves the connection unusable); HEAD answers and 204 and 304 have none. The same limits as
//! before apply: a head of at most [`MAX_RESPONSE_HEAD_BYTES`] and
//! [`MAX_RESPONSE_HEADER_FIELDS`] fields.
//!
//! Nothing reads an idle connection, so a server's close is noticed when the connection is
//! taken again ([`H1Conn::is_usable`]: one non-blocking read, which tokio answers from the
//! socket's readiness without a system call when nothing arrived).

use std::cell::RefCell;
use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

use bytes::{Bytes, BytesMut};
use http::header::{CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING};
use http::{HeaderValue, Method, Request, StatusCode, Version};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::error_code::{self, Failure, Op};
use super::MAX_RESPONSE_HEAD_BYTES;
use parse::{decode, ends_head, has_token, last_token_is, parse_head, Framing, Parsed};

mod parse;
pub(crate) use parse::header_map;

/// A connection's byte stream (plain or TLS, with rload's counters and timestamps).
pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin {}

impl<T: AsyncRead + AsyncWrite + Unpin> Io for T {}

/// The size of the thread's read buffer; a read takes what the socket has, up to this.
const SCRATCH_BYTES: usize = 16 * 1024;

/// A body shorter than this is copied behind its head so that the request is one write.
const COPY_BODY_BELOW: usize = 4 * 1024;

thread_local! {
    /// Where every read of this thread's connections lands; its bytes are used or copied out
    /// before the read returns.
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0; SCRATCH_BYTES]);
}

/// One HTTP/1.1 connection: a request at a time, then its response's body, chunk by chunk.
pub(crate) struct H1Conn {
    io: Box<dyn Io>,
    /// Bytes read and not used yet; empty (no allocation) between exchanges.
    pending: Vec<u8>,
    /// What is left of the response body in flight.
    body: Framing,
    /// The connection can carry another request once the body is read.
    keep_alive: bool,
}

/// A response's head as read from the wire.
pub(crate) struct Head {
    pub status: StatusCode,
    pub version: Version,
    /// The reason phrase when it is not the standard one for the status (hyper's rule).
    pub reason: Option<Box<str>>,
    pub headers: super::headers::HeadFields,
    /// The body's exact length when the head says it (0 when there is none).
    pub announced: Option<u64>,
}

/// Why an exchange failed, and whether it looks like a connection the server had closed
/// before the request reached it (nothing came back): such a request may go again on a new
/// connection.
#[derive(Debug)]
pub(crate) struct Failed {
    pub failure: Failure,
    pub closed: bool,
}

impl H1Conn {
    pub fn new(io: Box<dyn Io>) -> Self {
        H1Conn { io, pending: Vec::new(), body: Framing::Done, keep_alive: true }
    }

    /// Whether the connection can take a request: the last response was read to its end with
    /// the connection kept, and the server has neither closed it nor sent anything since.
    pub fn is_usable(&mut self) -> bool {
        if !self.keep_alive || self.body != Framing::Done {
            return false;
        }
        let mut probe = [0u8; 1];
        let mut buf = ReadBuf::new(&mut probe);
        let mut cx = Context::from_waker(Waker::noop());
        // Pending: nothing to read, the connection is open. Anything else (the server's close,
        // an error, bytes nobody asked for) ends it.
        let open = Pin::new(&mut *self.io).poll_read(&mut cx, &mut buf).is_pending();
        self.keep_alive = open;
        open
    }

    /// Whether the connection can carry another request now that the response was read.
    pub fn keeps_alive(&self) -> bool {
        self.keep_alive && self.body == Framing::Done
    }

    /// Writes `request` and reads its response's head; the body follows from
    /// [`H1Conn::next_chunk`].
    pub async fn send(&mut self, request: Request<Bytes>) -> Result<Head, Failed> {
        let (mut parts, body) = request.into_parts();
        // As hyper did: a body sent whole gets its length, unless the script framed it itself.
        let chunked = last_token_is(&parts.headers, &TRANSFER_ENCODING, "chunked");
        // A request that asks the server to close (`Connection: close`) is its connection's last.
        self.keep_alive = !has_token(&parts.headers, &CONNECTION, "close");
        if !body.is_empty()
            && !parts.headers.contains_key(CONTENT_LENGTH)
            && !parts.headers.contains_key(TRANSFER_ENCODING)
        {
            parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
        }
        let mut head = Vec::with_capacity(256);
        head.extend_from_slice(parts.method.as_str().as_bytes());
        head.push(b' ');
        head.extend_from_slice(parts.uri.path_and_query().map_or("/", |p| p.as_str()).as_bytes());
        head.extend_from_slice(b" HTTP/1.1\r\n");
        for (name, value) in &parts.headers {
            // Canonical case, as k6 (Go's net/http) writes names: `Content-Type`.
            crate::http::headers::push_canonical_name(&mut head, name.as_str());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"\r\n");
        let mut body = &body[..];
        if chunked {
            // The script asked for chunked framing: the body goes as one chunk.
            if !body.is_empty() {
                head.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
                head.extend_from_slice(body);
                head.extend_from_slice(b"\r\n");
            }
            head.extend_from_slice(b"0\r\n\r\n");
            body = &[];
        } else if body.len() < COPY_BODY_BELOW {
            head.extend_from_slice(body);
            body = &[];
        }
        // The other VUs of this thread that are ready run first, so that the thread's requests
        // go out together (as they did from hyper's connection tasks): a request written the
        // moment its script asked for it woke the server once per request, and both sides
        // slept and woke about twice as often (bench/README.md, "rload's own HTTP/1.1"). The
        // wait is part of `sending`, where k6 has its goroutines' scheduling.
        tokio::task::yield_now().await;
        let head_only = parts.method == Method::HEAD;
        let (mut unsent_head, mut unsent_body) = (&head[..], body);
        let mut sent = false;
        poll_fn(|cx| {
            // The response is read while the request is still being written: a server may
            // answer (413, say) before it took a large body, as Go's client lets it.
            if !sent {
                match self.poll_write(cx, &mut unsent_head, &mut unsent_body) {
                    Poll::Ready(Ok(())) => sent = true,
                    Poll::Ready(Err(err)) => {
                        if let Poll::Ready(Ok(head)) = self.poll_head(cx, head_only) {
                            self.keep_alive = false;
                            return Poll::Ready(Ok(head));
                        }
                        let failure = error_code::for_io(&err, Op::Write);
                        return Poll::Ready(Err(Failed { failure, closed: true }));
                    }
                    Poll::Pending => {}
                }
            }
            let head = ready!(self.poll_head(cx, head_only));
            if !sent {
                self.keep_alive = false;
            }
            Poll::Ready(head)
        })
        .await
    }

    /// The next piece of the response body, `None` at its end.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, Failure>> {
        poll_fn(|cx| self.poll_chunk(cx)).await
    }

    /// Writes what is left of the request (`head`, then `body`) as far as the socket takes it.
    fn poll_write(&mut self, cx: &mut Context<'_>, head: &mut &[u8], body: &mut &[u8]) -> Poll<io::Result<()>> {
        while !head.is_empty() || !body.is_empty() {
            let io = Pin::new(&mut *self.io);
            let n = ready!(if head.is_empty() {
                io.poll_write(cx, body)
            } else if body.is_empty() {
                io.poll_write(cx, head)
            } else {
                io.poll_write_vectored(cx, &[IoSlice::new(head), IoSlice::new(body)])
            })?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            let from_head = n.min(head.len());
            *head = &head[from_head..];
            *body = &body[n - from_head..];
        }
        Pin::new(&mut *self.io).poll_flush(cx)
    }

    fn poll_head(&mut self, cx: &mut Context<'_>, head_only: bool) -> Poll<Result<Head, Failed>> {
        let mut got_bytes = !self.pending.is_empty();
        // Whether `pending` may hold a whole head: a head read in many pieces is parsed again
        // only once a piece brings a blank line, not after every read (10 MiB in 16 KiB reads).
        let mut parse_pending = got_bytes;
        loop {
            if parse_pending {
                if let Some((used, parsed)) = parse_head(&self.pending, head_only).map_err(Failed::read)? {
                    self.pending.drain(..used);
                    if let Some(head) = self.begin_body(parsed) {
                        return Poll::Ready(Ok(head));
                    }
                    continue;
                }
            }
            if self.pending.len() > MAX_RESPONSE_HEAD_BYTES {
                return Poll::Ready(Err(Failed::read(Failure::head_too_large())));
            }
            let H1Conn { io, pending, .. } = self;
            let read = ready!(read_scratch(io, cx, |bytes| -> Result<(usize, bool, Option<Parsed>), Failure> {
                if bytes.is_empty() || !pending.is_empty() {
                    let from = pending.len().saturating_sub(3);
                    pending.extend_from_slice(bytes);
                    return Ok((bytes.len(), ends_head(&pending[from..]), None));
                }
                // The common case: a whole head (and maybe its body) in one read, parsed where
                // it landed; only what follows the head is kept.
                match parse_head(bytes, head_only)? {
                    Some((used, parsed)) => {
                        pending.extend_from_slice(&bytes[used..]);
                        Ok((bytes.len(), true, Some(parsed)))
                    }
                    None => {
                        pending.extend_from_slice(bytes);
                        Ok((bytes.len(), false, None))
                    }
                }
            }));
            let (n, parse, parsed) = match read {
                Err(err) => {
                    let failure = error_code::for_io(&err, Op::Read);
                    return Poll::Ready(Err(Failed { failure, closed: !got_bytes }));
                }
                Ok(Err(failure)) => return Poll::Ready(Err(Failed::read(failure))),
                Ok(Ok(read)) => read,
            };
            if n == 0 {
                // The server closed the connection before a whole head came.
                self.keep_alive = false;
                self.pending = Vec::new();
                return Poll::Ready(Err(Failed { failure: Failure::unexpected_eof(), closed: !got_bytes }));
            }
            got_bytes = true;
            parse_pending = parse;
            if let Some(head) = parsed.and_then(|parsed| self.begin_body(parsed)) {
                return Poll::Ready(Ok(head));
            }
        }
    }

    /// Sets up the body of a parsed head; `None` for an interim (1xx) response, which is
    /// skipped.
    fn begin_body(&mut self, parsed: Parsed) -> Option<Head> {
        if parsed.interim {
            return None;
        }
        self.body = parsed.framing;
        self.keep_alive &= parsed.keep_alive;
        if self.body == Framing::Done {
            self.finish();
        }
        let announced = match parsed.framing {
            Framing::Done => Some(0),
            Framing::Length(length) => Some(length),
            _ => None,
        };
        Some(Head { announced, ..parsed.head })
    }

    /// The body was read: bytes past its end (which no request asked for) end the connection.
    fn finish(&mut self) {
        if !self.pending.is_empty() {
            self.keep_alive = false;
        }
        self.pending = Vec::new();
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Failure>>> {
        let mut data = BytesMut::new();
        loop {
            if self.body == Framing::Done {
                self.finish();
                return Poll::Ready(if data.is_empty() { None } else { Some(Ok(data.freeze())) });
            }
            if !self.pending.is_empty() {
                let used = match decode(&mut self.body, &self.pending, &mut data) {
                    Ok(used) => used,
                    Err(failure) => return Poll::Ready(Some(Err(self.broken(failure)))),
                };
                self.pending.drain(..used);
                if self.body == Framing::Done {
                    continue;
                }
                if self.pending.len() > MAX_RESPONSE_HEAD_BYTES {
                    return Poll::Ready(Some(Err(self.broken(Failure::malformed("chunk line too long")))));
                }
            }
            if !data.is_empty() {
                return Poll::Ready(Some(Ok(data.freeze())));
            }
            let H1Conn { io, pending, body, .. } = self;
            let read = read_scratch(io, cx, |bytes| -> Result<usize, Failure> {
                if bytes.is_empty() {
                    return Ok(0);
                }
                if !pending.is_empty() {
                    pending.extend_from_slice(bytes);
                    return Ok(bytes.len());
                }
                let used = decode(body, bytes, &mut data)?;
                pending.extend_from_slice(&bytes[used..]);
                Ok(bytes.len())
            });
            let n = match ready!(read) {
                Err(err) => return Poll::Ready(Some(Err(self.broken(error_code::for_io(&err, Op::Read))))),
                Ok(Err(failure)) => return Poll::Ready(Some(Err(self.broken(failure)))),
                Ok(Ok(n)) => n,
            };
            if n == 0 {
                if self.body == Framing::UntilClose {
                    self.body = Framing::Done;
                    self.keep_alive = false;
                    continue;
                }
                return Poll::Ready(Some(Err(self.broken(Failure::unexpected_eof()))));
            }
        }
    }

    fn broken(&mut self, failure: Failure) -> Failure {
        self.keep_alive = false;
        self.pending = Vec::new();
        failure
    }
}

impl Failed {
    fn read(failure: Failure) -> Self {
        Failed { failure, closed: false }
    }
}

/// Reads once into the thread's scratch buffer and hands `use_bytes` what came (empty at the
/// end of the stream).
fn read_scratch<R>(
    io: &mut Box<dyn Io>,
    cx: &mut Context<'_>,
    use_bytes: impl FnOnce(&[u8]) -> R,
) -> Poll<io::Result<R>> {
    SCRATCH.with_borrow_mut(|scratch| {
        let mut buf = ReadBuf::new(scratch);
        ready!(Pin::new(&mut **io).poll_read(cx, &mut buf))?;
        Poll::Ready(Ok(use_bytes(buf.filled())))
    })
}

#[cfg(test)]
mod tests;
