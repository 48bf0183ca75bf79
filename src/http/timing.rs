//! Socket wrappers that observe one connection's I/O for k6's timings and byte counts.
//!
//! Two layers share one [`IoStats`], one wrapper type ([`Observed`]) with two kinds of
//! observation:
//! - [`WireCounter`] sits directly on the TCP stream and counts the bytes on the wire (TLS
//!   records and handshake included), as k6's `data_sent`/`data_received` do, and remembers
//!   whether the last failing operation was a read or a write for error messages.
//! - [`Timed`] sits above TLS (or directly on the counter for http) and timestamps the last
//!   write before the response and the first read of response bytes. Above TLS, a read only
//!   completes when application data arrives, so TLS session tickets cannot pass for the first
//!   response byte.
//!
//! Only `Instant` (monotonic) is used; a timestamp costs one `clock_gettime` per write and one
//! per request for the first read.

use std::cell::Cell;
use std::io;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::error_code::Op;
use super::Timings;

/// What the wrappers saw on one connection. Byte counts are cumulative over the connection's
/// life; the timestamps cover the request in flight and are reset by [`IoStats::begin_request`].
#[derive(Debug, Default)]
pub(crate) struct IoStats {
    bytes_written: Cell<u64>,
    bytes_read: Cell<u64>,
    /// How far the byte counts have been attributed to requests (see [`IoStats::claim`]).
    claimed: Cell<(u64, u64)>,
    last_write: Cell<Option<Instant>>,
    first_read: Cell<Option<Instant>>,
    failed_op: Cell<Option<Op>>,
}

impl IoStats {
    /// Forgets the previous request's timestamps before a request is handed to the connection.
    pub fn begin_request(&self) {
        self.last_write.set(None);
        self.first_read.set(None);
        self.failed_op.set(None);
    }

    pub fn bytes_written(&self) -> u64 {
        self.bytes_written.get()
    }

    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.get()
    }

    /// The bytes (written, read) a request that got the connection at counts `base` owns when
    /// it ends: those since `base` that no request has claimed yet. On HTTP/1.1 that is its own
    /// bytes; on HTTP/2, where requests in flight share the socket, the first to end takes the
    /// bytes up to then and the next the rest, so the requests' bytes add up to the socket's
    /// as k6's connection-level counts do, never counting a byte twice.
    pub fn claim(&self, base: (u64, u64)) -> (u64, u64) {
        let (claimed_written, claimed_read) = self.claimed.get();
        let (written, read) = (self.bytes_written(), self.bytes_read());
        self.claimed.set((written, read));
        (written.saturating_sub(base.0.max(claimed_written)), read.saturating_sub(base.1.max(claimed_read)))
    }

    /// When the last byte of the request was written (the last write before the response).
    pub fn last_write(&self) -> Option<Instant> {
        self.last_write.get()
    }

    /// When the first byte of the response was read.
    pub fn first_read(&self) -> Option<Instant> {
        self.first_read.get()
    }

    /// The operation of the last socket error, if any since [`IoStats::begin_request`].
    pub fn failed_op(&self) -> Option<Op> {
        self.failed_op.get()
    }
}

/// The instants of one hop that the client sees itself (the I/O instants come from
/// [`IoStats`]). Each field is set when its phase starts or ends; a phase that never started
/// lasts 0 ms.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marks {
    pub start: Instant,
    pub connect_start: Option<Instant>,
    pub connected: Option<Instant>,
    pub tls_start: Option<Instant>,
    pub tls_done: Option<Instant>,
    pub send_start: Option<Instant>,
    /// When the response head arrived (used for HTTP/2, whose socket is shared).
    pub response_start: Option<Instant>,
}

impl Marks {
    pub fn new(start: Instant) -> Self {
        Marks {
            start,
            connect_start: None,
            connected: None,
            tls_start: None,
            tls_done: None,
            send_start: None,
            response_start: None,
        }
    }

    /// k6's timings of a hop that ended (body read, or failed) at `end`. A phase still running
    /// at `end` lasts until `end`, so a failed request reports where its time went.
    pub fn timings(&self, last_write: Option<Instant>, first_read: Option<Instant>, end: Instant) -> Timings {
        let blocked = ms(self.start, self.connect_start.or(self.send_start).unwrap_or(end));
        let connecting = self.connect_start.map_or(0.0, |at| ms(at, self.connected.unwrap_or(end)));
        let tls_handshaking = self.tls_start.map_or(0.0, |at| ms(at, self.tls_done.unwrap_or(end)));
        let sending = self.send_start.map_or(0.0, |at| ms(at, last_write.or(first_read).unwrap_or(end)));
        let waiting = last_write.map_or(0.0, |at| ms(at, first_read.unwrap_or(end)));
        let receiving = first_read.map_or(0.0, |at| ms(at, end));
        Timings {
            blocked,
            connecting,
            tls_handshaking,
            sending,
            waiting,
            receiving,
            duration: sending + waiting + receiving,
        }
    }
}

fn ms(from: Instant, to: Instant) -> f64 {
    to.saturating_duration_since(from).as_secs_f64() * 1000.0
}

/// What a wrapper notes about its stream's completed operations; the two kinds are
/// [`Wire`] and [`Stamps`], see the module docs.
pub(crate) trait Observe {
    /// A read finished with `result`, having added `n` bytes to the buffer.
    fn read(stats: &IoStats, result: &Poll<io::Result<()>>, n: usize);
    fn write(stats: &IoStats, result: &Poll<io::Result<usize>>);
}

/// Counts bytes on the wire and remembers which operation failed.
pub(crate) enum Wire {}

impl Observe for Wire {
    fn read(stats: &IoStats, result: &Poll<io::Result<()>>, n: usize) {
        match result {
            Poll::Ready(Ok(())) => stats.bytes_read.set(stats.bytes_read.get() + n as u64),
            Poll::Ready(Err(_)) => stats.failed_op.set(Some(Op::Read)),
            Poll::Pending => {}
        }
    }

    fn write(stats: &IoStats, result: &Poll<io::Result<usize>>) {
        match result {
            Poll::Ready(Ok(n)) => stats.bytes_written.set(stats.bytes_written.get() + *n as u64),
            Poll::Ready(Err(_)) => stats.failed_op.set(Some(Op::Write)),
            Poll::Pending => {}
        }
    }
}

/// Timestamps request writes and the first response read.
pub(crate) enum Stamps {}

impl Observe for Stamps {
    fn read(stats: &IoStats, result: &Poll<io::Result<()>>, n: usize) {
        if matches!(result, Poll::Ready(Ok(()))) && n > 0 && stats.first_read.get().is_none() {
            stats.first_read.set(Some(Instant::now()));
        }
    }

    fn write(stats: &IoStats, result: &Poll<io::Result<usize>>) {
        // Writes after the response started (an early response to a large upload) do not move
        // the end of `sending`.
        if matches!(result, Poll::Ready(Ok(n)) if *n > 0) && stats.first_read.get().is_none() {
            stats.last_write.set(Some(Instant::now()));
        }
    }
}

/// A stream whose operations `O` observes into shared [`IoStats`].
pub(crate) struct Observed<S, O> {
    inner: S,
    stats: Rc<IoStats>,
    kind: PhantomData<fn() -> O>,
}

/// Counts bytes on the wire; see the module docs.
pub(crate) type WireCounter<S> = Observed<S, Wire>;
/// Timestamps request writes and the first response read; see the module docs.
pub(crate) type Timed<S> = Observed<S, Stamps>;

impl<S, O> Observed<S, O> {
    pub fn new(inner: S, stats: Rc<IoStats>) -> Self {
        Observed { inner, stats, kind: PhantomData }
    }
}

impl<S: AsyncRead + Unpin, O: Observe> AsyncRead for Observed<S, O> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        O::read(&self.stats, &result, buf.filled().len() - before);
        result
    }
}

impl<S: AsyncWrite + Unpin, O: Observe> AsyncWrite for Observed<S, O> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        O::write(&self.stats, &result);
        result
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        O::write(&self.stats, &result);
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test(flavor = "current_thread")]
    async fn counts_bytes_and_stamps_the_request_then_the_first_read() {
        let (client, mut server) = tokio::io::duplex(64);
        let stats = Rc::new(IoStats::default());
        let mut io = Timed::new(WireCounter::new(client, stats.clone()), stats.clone());

        stats.begin_request();
        io.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        let wrote = stats.last_write().expect("write stamped");
        assert!(stats.first_read().is_none());

        let mut request = [0u8; 18];
        server.read_exact(&mut request).await.unwrap();
        server.write_all(b"HTTP/1.1 200 OK\r\n").await.unwrap();
        let mut response = [0u8; 17];
        io.read_exact(&mut response).await.unwrap();

        assert!(stats.first_read().expect("read stamped") >= wrote);
        assert_eq!(stats.bytes_written(), 18);
        assert_eq!(stats.bytes_read(), 17);
    }

    #[test]
    fn timings_split_a_hop_at_its_instants_and_sum_to_the_duration() {
        let t0 = Instant::now();
        let at = |millis: u64| t0 + Duration::from_millis(millis);
        let marks = Marks {
            start: t0,
            connect_start: Some(at(1)),
            connected: Some(at(3)),
            tls_start: Some(at(3)),
            tls_done: Some(at(7)),
            send_start: Some(at(7)),
            response_start: None,
        };
        let t = marks.timings(Some(at(8)), Some(at(20)), at(25));
        assert_eq!((t.blocked, t.connecting, t.tls_handshaking), (1.0, 2.0, 4.0));
        assert_eq!((t.sending, t.waiting, t.receiving, t.duration), (1.0, 12.0, 5.0, 18.0));
    }

    #[test]
    fn a_failed_hop_charges_the_running_phase_until_the_failure() {
        let t0 = Instant::now();
        let at = |millis: u64| t0 + Duration::from_millis(millis);
        let mut marks = Marks::new(t0);
        marks.send_start = Some(at(2));
        // Request written at 3 ms, no response by the timeout at 50 ms.
        let t = marks.timings(Some(at(3)), None, at(50));
        assert_eq!((t.blocked, t.sending, t.waiting, t.receiving), (2.0, 1.0, 47.0, 0.0));
        assert_eq!(t.duration, 48.0);
    }
}
