//! The byte stream under a WebSocket: plain TCP (`ws://`) or TLS over TCP (`wss://`), both
//! counting wire bytes for k6's `data_sent` / `data_received`.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::http::timing::WireCounter;

/// One connection's stream. The TLS state is boxed: it is large and `ws://` does not need it.
pub enum Io {
    Plain(WireCounter<TcpStream>),
    Tls(Box<TlsStream<WireCounter<TcpStream>>>),
}

impl AsyncRead for Io {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Io {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Io::Plain(s) => s.is_write_vectored(),
            Io::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_flush(cx),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Io::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A finished connection's wire bytes, as k6 counts them: its VU's dialer adds them to the
/// `data_sent` / `data_received` the VU records once at the end of the iteration (or of
/// setup()/teardown()), with the tags it has then. A socket opened inside a `group` therefore
/// adds to the iteration's sample (`group` ""), as in k6 v1.1, not to one of its own. Outside a
/// VU (nothing records an iteration) the bytes are recorded at once, with `tags`.
pub fn record_wire(tags: &crate::metrics::TagSet, sent: u64, received: u64) {
    use crate::metrics::{self, builtin};
    match crate::runtime::vu::try_current() {
        Some(vu) => vu.count_bytes(sent, received),
        None => {
            metrics::record(builtin::DATA_SENT, tags, sent as f64);
            metrics::record(builtin::DATA_RECEIVED, tags, received as f64);
        }
    }
}
