//! An HTTP/1.1 connection's life as a user sees it, whichever task runs its I/O: responses that
//! arrive in pieces, a server closing a kept-alive connection while it is idle, requests of one
//! client in flight at once, a shared pool's connection passing from one VU to another, and a
//! server answering before it took a large upload.
//! Raw servers on loopback write exactly what each case needs.

use std::cell::Cell;
use std::future::Future;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use rload::http::{ClientConfig, HttpClient, HttpOutcome, Pool, RequestSpec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::LocalSet;

/// Runs a test body inside a `LocalSet`, as the workers do.
async fn local<F: Future<Output = ()>>(test: F) {
    LocalSet::new().run_until(test).await;
}

/// A request with a timeout short enough that a response the client never notices fails the
/// test (1050) instead of hanging it.
fn get(addr: SocketAddr) -> RequestSpec {
    let mut spec = RequestSpec::new(Method::GET, format!("http://{addr}/"));
    spec.timeout = Duration::from_secs(5);
    spec
}

async fn one(client: &HttpClient, spec: RequestSpec) -> HttpOutcome {
    let mut outcomes = client.request(spec).await;
    assert_eq!(outcomes.len(), 1, "expected a single hop");
    outcomes.pop().unwrap()
}

fn client() -> HttpClient {
    HttpClient::new(Rc::new(ClientConfig::default()))
}

/// Reads one request head (to its blank line) from `stream`; false when the client closed.
async fn read_request(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    true
}

/// A server that accepts connections (counted) and hands each to `serve` as its own task.
async fn server<S, F>(serve: S) -> (SocketAddr, Rc<Cell<usize>>)
where
    S: Fn(TcpStream) -> F + 'static,
    F: Future<Output = ()> + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepts = Rc::new(Cell::new(0));
    let counter = Rc::clone(&accepts);
    tokio::task::spawn_local(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.set(counter.get() + 1);
            tokio::task::spawn_local(serve(stream));
        }
    });
    (addr, accepts)
}

/// Answers every request of a connection with `parts`, written one at a time with `pause`
/// between them (the first after `pause` too).
async fn in_pieces(parts: &'static [&'static [u8]], pause: Duration) -> (SocketAddr, Rc<Cell<usize>>) {
    server(move |mut stream| async move {
        while read_request(&mut stream).await {
            for part in parts {
                tokio::time::sleep(pause).await;
                if stream.write_all(part).await.is_err() {
                    return;
                }
            }
        }
    })
    .await
}

#[tokio::test(flavor = "current_thread")]
async fn a_response_arriving_in_pieces_is_read_whole_with_ordered_timings() {
    local(async {
        const LENGTH: &[&[u8]] =
            &[b"HTTP/1.1 200 OK\r\ncontent-length: 30\r\n\r\n", b"first ten.", b"second ten", b"third ten."];
        const CHUNKED: &[&[u8]] = &[
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
            b"a\r\nfirst ten.\r\n",
            b"a\r\nsecond ten\r\n",
            b"a\r\nthird ten.\r\n0\r\n\r\n",
        ];
        for parts in [LENGTH, CHUNKED] {
            let (addr, accepts) = in_pieces(parts, Duration::from_millis(30)).await;
            let client = client();
            for _ in 0..2 {
                let res = one(&client, get(addr)).await;
                assert_eq!((res.status, res.error.as_deref()), (200, None));
                assert_eq!(res.body.as_deref(), Some(&b"first ten.second tenthird ten."[..]));
                let t = res.timings;
                // The head comes 30 ms after the request, then the body in three pieces 30 ms apart.
                assert!(t.waiting >= 29.0, "{t:?}");
                assert!(t.receiving >= 89.0, "{t:?}");
                assert!((t.duration - (t.sending + t.waiting + t.receiving)).abs() < 1e-9, "{t:?}");
            }
            assert_eq!(accepts.get(), 1, "both requests on one kept-alive connection");
        }
    })
    .await;
}

/// A server that answers one request per connection with keep-alive, then closes the
/// connection after `idle` (its keep-alive timeout), while the client holds it idle.
async fn closing_when_idle(idle: Duration) -> (SocketAddr, Rc<Cell<usize>>) {
    server(move |mut stream| async move {
        if read_request(&mut stream).await {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok").await;
            tokio::time::sleep(idle).await;
        }
    })
    .await
}

#[tokio::test(flavor = "current_thread")]
async fn a_post_after_the_server_closed_the_idle_connection_goes_out_on_a_new_one() {
    local(async {
        let (addr, accepts) = closing_when_idle(Duration::from_millis(10)).await;
        let client = client();
        for round in 1..=3 {
            // A POST is never sent twice, so it only succeeds if the closed connection was
            // noticed before the request went out on it.
            let mut post = get(addr);
            post.method = Method::POST;
            post.body = Some(Bytes::from_static(b"once"));
            let res = one(&client, post).await;
            assert_eq!((res.status, res.error.as_deref()), (200, None), "round {round}");
            assert!(res.timings.connecting > 0.0, "round {round}: a new connection: {:?}", res.timings);
            assert_eq!(accepts.get(), round);
            assert_eq!(client.open_connections(), 1, "round {round}: the closed connection was dropped");
            tokio::time::sleep(Duration::from_millis(60)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn requests_of_one_client_in_flight_at_once_each_get_their_response() {
    local(async {
        // The server answers no request until three connections have sent theirs: the
        // client's three requests must all be on the wire at the same time.
        let waiting = Rc::new(tokio::sync::Barrier::new(3));
        let (addr, accepts) = server(move |mut stream| {
            let waiting = Rc::clone(&waiting);
            async move {
                while read_request(&mut stream).await {
                    waiting.wait().await;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n").await;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    let _ = stream.write_all(b"done").await;
                }
            }
        })
        .await;
        let client = client();
        for _ in 0..2 {
            let (a, b, c) = tokio::join!(one(&client, get(addr)), one(&client, get(addr)), one(&client, get(addr)));
            for res in [a, b, c] {
                assert_eq!((res.status, res.error.as_deref(), res.body.as_deref()), (200, None, Some(&b"done"[..])));
            }
        }
        assert_eq!(accepts.get(), 3, "the three connections are kept and reused");
        assert_eq!(client.open_connections(), 3);
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_shared_connection_used_by_another_vu_wakes_that_vu() {
    local(async {
        let (addr, accepts) =
            in_pieces(&[b"HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\n", b"in ", b"parts"], Duration::from_millis(20))
                .await;
        let pool = Rc::new(Pool::shared(1));
        let config = Rc::new(ClientConfig::default());
        let first = HttpClient::with_pool(Rc::clone(&config), Rc::clone(&pool));
        assert_eq!(one(&first, get(addr)).await.status, 200);
        // The second VU runs as a task of its own, as VUs do; it takes the first one's
        // connection, and the pieces of its response must wake it, not the first VU.
        let second = HttpClient::with_pool(config, pool);
        let res = tokio::task::spawn_local(async move { one(&second, get(addr)).await }).await.unwrap();
        assert_eq!((res.status, res.error.as_deref(), res.body.as_deref()), (200, None, Some(&b"in parts"[..])));
        assert_eq!(res.timings.connecting, 0.0, "the shared connection was reused");
        assert_eq!(accepts.get(), 1);
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_server_refusing_a_large_upload_early_is_answered_with_its_status() {
    local(async {
        // The server reads the head only, answers 413 and stops reading without closing: a
        // client that read only after writing its whole body would wait for the timeout.
        let (addr, accepts) = server(|mut stream| async move {
            if read_request(&mut stream).await {
                let _ = stream.write_all(b"HTTP/1.1 413 Payload Too Large\r\ncontent-length: 4\r\n\r\nbig!").await;
                tokio::time::sleep(Duration::from_secs(3)).await;
            }
        })
        .await;
        let client = client();
        let mut post = get(addr);
        post.method = Method::POST;
        post.body = Some(Bytes::from(vec![b'x'; 64 << 20]));
        let started = std::time::Instant::now();
        let res = one(&client, post).await;
        assert_eq!((res.status, res.error.as_deref(), res.body.as_deref()), (413, None, Some(&b"big!"[..])));
        assert!(started.elapsed() < Duration::from_secs(2), "answered after {:?}", started.elapsed());
        // Its body never went out whole, so the connection is not used again.
        assert_eq!(client.open_connections(), 0);
        assert_eq!(accepts.get(), 1);
    })
    .await;
}
