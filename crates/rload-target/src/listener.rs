//! The reference target's accept loop: one tokio task per TCP connection, counted in [`Stats`].
//!
//! axum's own `serve` hides connections, so this loop accepts them itself in order to count
//! them (`connections_total`, `connections_open`) and every request they carry
//! (`requests_total`), and serves each with hyper's HTTP/1 server (keep-alive on, upgrades on
//! for WebSocket, no idle timeout: a load test may leave a keep-alive connection idle for as
//! long as it likes). It holds no buffers of its own and logs nothing per connection or per
//! request. What the server answers is the router's business, not this file's.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper::service::{service_fn, Service};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpSocket};

use super::stats::Stats;

/// Pending-connection queue length; Linux silently caps it at `net.core.somaxconn`. A long
/// queue keeps a burst of thousands of VUs connecting at once from seeing refused connects.
const BACKLOG: u32 = 4096;

/// Pause after an accept error such as EMFILE: the listener stays readable while the error
/// lasts, so retrying at once would spin a core without accepting anything.
const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(5);

/// Binds a listener with a long backlog. Must be called inside a tokio runtime.
pub(crate) fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// Accepts and serves connections until `shutdown` completes, then stops accepting.
///
/// Connections already open keep being served by their tasks until the runtime is dropped.
pub(crate) async fn serve(listener: TcpListener, app: Router, stats: Arc<Stats>, shutdown: impl Future<Output = ()>) {
    let mut shutdown = std::pin::pin!(shutdown);
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).keep_alive(true).header_read_timeout(None);
    let mut reported_accept_error = false;
    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => return,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) if is_peer_error(&err) => continue,
            Err(err) => {
                if !reported_accept_error {
                    reported_accept_error = true;
                    eprintln!("{}", accept_error_message(&err));
                }
                tokio::time::sleep(ACCEPT_ERROR_BACKOFF).await;
                continue;
            }
        };
        let open = stats.accept_connection();
        // Small responses must not wait for Nagle; failure only costs latency.
        let _ = stream.set_nodelay(true);
        let router = TowerToHyperService::new(app.clone());
        let counter = Arc::clone(&stats);
        // The peer address, for handlers that key on the client's IP (axum's `ConnectInfo`).
        let service = service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            counter.count_request();
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            router.call(request)
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service).with_upgrades();
        tokio::spawn(async move {
            // Errors here are the client's doing (reset, malformed request): nothing to report.
            let _ = connection.await;
            drop(open);
        });
    }
}

/// Errors that concern one half-open connection, not the listener: skip it and go on.
fn is_peer_error(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

fn accept_error_message(err: &io::Error) -> String {
    let hint = match err.raw_os_error() {
        Some(libc::EMFILE) => {
            " (the process is out of file descriptors: raise `ulimit -n`, or run the target as \
             its own process instead of beside the load generator)"
        }
        Some(libc::ENFILE) => " (the whole system is out of file descriptors)",
        _ => "",
    };
    format!(
        "rload serve: can't accept connections: {err}{hint}; retrying every {} ms \
         (further accept errors are not reported)",
        ACCEPT_ERROR_BACKOFF.as_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_descriptors_message_says_what_to_do() {
        let message = accept_error_message(&io::Error::from_raw_os_error(libc::EMFILE));
        assert!(message.contains("ulimit -n"), "{message}");
        assert!(message.contains("retrying every 5 ms"), "{message}");
    }

    #[test]
    fn aborted_handshakes_are_skipped_without_backing_off() {
        assert!(is_peer_error(&io::Error::from(io::ErrorKind::ConnectionAborted)));
        assert!(!is_peer_error(&io::Error::from_raw_os_error(libc::EMFILE)));
    }
}
