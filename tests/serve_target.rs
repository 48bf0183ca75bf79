//! The reference target (`rload_target`) over real loopback sockets: every endpoint, the
//! connection counts at `/stats`, and the WebSocket echo. Each test starts its own server on
//! port 0, so tests run in parallel and their counts never mix.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http::{header, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use rload_target::{spawn_background, StatsSnapshot, MAX_BYTES};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

fn start() -> SocketAddr {
    spawn_background("127.0.0.1:0".parse().unwrap(), 1).expect("start the reference target")
}

/// One keep-alive HTTP/1 connection: every request sent through it reuses the same socket.
struct Connection {
    addr: SocketAddr,
    sender: SendRequest<Full<Bytes>>,
}

impl Connection {
    async fn open(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).await.expect("connect");
        let io = hyper_util::rt::TokioIo::new(stream);
        let (sender, connection) = hyper::client::conn::http1::handshake(io).await.unwrap();
        tokio::spawn(connection);
        Self { addr, sender }
    }

    async fn send(&mut self, request: Request<Full<Bytes>>) -> (Response<()>, Bytes) {
        let response = self.sender.send_request(request).await.expect("response");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.expect("body").to_bytes();
        (Response::from_parts(parts, ()), body)
    }

    async fn get(&mut self, path: &str) -> (Response<()>, Bytes) {
        self.send(request(Method::GET, self.addr, path).body(Full::default()).unwrap()).await
    }

    async fn stats(&mut self) -> StatsSnapshot {
        let (response, body) = self.get("/stats").await;
        assert_eq!(response.status(), StatusCode::OK);
        let stats: Value = serde_json::from_slice(&body).unwrap();
        let count = |name: &str| stats[name].as_u64().unwrap_or_else(|| panic!("{name} in {stats}"));
        StatsSnapshot {
            connections_total: count("connections_total"),
            connections_open: count("connections_open"),
            requests_total: count("requests_total"),
        }
    }
}

fn request(method: Method, addr: SocketAddr, path: &str) -> http::request::Builder {
    Request::builder().method(method).uri(path).header(header::HOST, addr.to_string())
}

async fn get(addr: SocketAddr, path: &str) -> (Response<()>, Bytes) {
    Connection::open(addr).await.get(path).await
}

fn header<'a>(response: &'a Response<()>, name: &str) -> &'a str {
    let value = response.headers().get(name).unwrap_or_else(|| panic!("no {name} header"));
    value.to_str().unwrap()
}

/// Polls `/stats` on fresh connections until `accept` holds (closing is asynchronous).
async fn wait_for_stats(addr: SocketAddr, accept: impl Fn(&StatsSnapshot) -> bool) -> StatsSnapshot {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let stats = Connection::open(addr).await.stats().await;
        if accept(&stats) || Instant::now() > deadline {
            return stats;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn root_says_what_it_is() {
    let (response, body) = get(start(), "/").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body, "rload reference target\n");
}

#[tokio::test]
async fn echo_returns_body_method_content_type_and_headers() {
    let addr = start();
    let request = request(Method::PUT, addr, "/echo")
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::USER_AGENT, "rload-test")
        .header("x-tag", "one")
        .header("x-tag", "two")
        .body(Full::new(Bytes::from_static(b"hello \x00 bytes")))
        .unwrap();
    let (response, body) = Connection::open(addr).await.send(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body, &b"hello \x00 bytes"[..]);
    assert_eq!(header(&response, "content-type"), "text/plain; charset=utf-8");
    assert_eq!(header(&response, "x-echo-method"), "PUT");
    assert_eq!(header(&response, "x-echo-user-agent"), "rload-test");
    let tags: Vec<_> = response.headers().get_all("x-echo-x-tag").iter().collect();
    assert_eq!(tags, ["one", "two"]);
}

#[tokio::test]
async fn delay_waits_the_given_milliseconds() {
    let addr = start();
    let mut connection = Connection::open(addr).await;
    let started = Instant::now();
    let (response, body) = connection.get("/delay/60").await;
    assert!(started.elapsed() >= Duration::from_millis(60), "{:?}", started.elapsed());
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), json!({ "delay_ms": 60 }));
    assert_eq!(connection.get("/delay/soon").await.0.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn status_answers_with_the_code_asked_for() {
    let mut connection = Connection::open(start()).await;
    for code in [200, 201, 204, 404, 418, 503, 599, 999] {
        let (response, _) = connection.get(&format!("/status/{code}")).await;
        assert_eq!(response.status().as_u16(), code);
    }
    let post = request(Method::POST, connection.addr, "/status/201").body(Full::default());
    assert_eq!(connection.send(post.unwrap()).await.0.status(), StatusCode::CREATED);
    for invalid in ["99", "100", "199", "1000", "70000", "teapot"] {
        let (response, _) = connection.get(&format!("/status/{invalid}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "/status/{invalid}");
    }
}

#[tokio::test]
async fn bytes_returns_exactly_n_deterministic_bytes() {
    let mut connection = Connection::open(start()).await;
    for n in [0usize, 1, 300, 65_536, 200_000] {
        let (response, body) = connection.get(&format!("/bytes/{n}")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "content-type"), "application/octet-stream");
        assert_eq!(header(&response, "content-length"), n.to_string());
        assert_eq!(body.len(), n);
        assert!(body.iter().enumerate().all(|(i, &b)| b == i as u8), "pattern of /bytes/{n}");
    }
    let (response, _) = connection.get(&format!("/bytes/{}", MAX_BYTES + 1)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn redirect_counts_down_to_zero() {
    let mut connection = Connection::open(start()).await;
    let (response, _) = connection.get("/redirect/2").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(header(&response, "location"), "/redirect/1");
    let (response, _) = connection.get("/redirect/1").await;
    assert_eq!(header(&response, "location"), "/redirect/0");
    assert_eq!(connection.get("/redirect/0").await.0.status(), StatusCode::OK);
}

#[tokio::test]
async fn cookies_are_set_and_echoed() {
    let addr = start();
    let mut connection = Connection::open(addr).await;
    let (response, body) = connection.get("/cookies/set?session=abc123&theme=dark%2Dmode").await;
    assert_eq!(response.status(), StatusCode::OK);
    let set: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
    assert_eq!(set, ["session=abc123; Path=/", "theme=dark-mode; Path=/"]);
    let expected = json!({ "cookies": { "session": "abc123", "theme": "dark-mode" } });
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), expected);

    let (response, _) = connection.get("/cookies/set?bad=a%3Bb").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let echo = request(Method::GET, addr, "/cookies")
        .header(header::COOKIE, "session=abc123; theme=dark-mode")
        .body(Full::default())
        .unwrap();
    let (response, body) = connection.send(echo).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), expected);
    let (_, body) = connection.get("/cookies").await;
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), json!({ "cookies": {} }));
}

#[tokio::test]
async fn stats_count_keep_alive_connections_and_requests() {
    let addr = start();
    let mut first = Connection::open(addr).await;
    first.get("/").await;
    first.get("/echo").await;
    let expected = StatsSnapshot { connections_total: 1, connections_open: 1, requests_total: 3 };
    assert_eq!(first.stats().await, expected, "two requests + /stats over one connection");

    let mut second = Connection::open(addr).await;
    let expected = StatsSnapshot { connections_total: 2, connections_open: 2, requests_total: 4 };
    assert_eq!(second.stats().await, expected, "a new connection");

    drop(first);
    drop(second);
    // Each poll is a new connection with one request, and may run before the server noticed the
    // closes: so check the invariant rather than a fixed count.
    let stats = wait_for_stats(addr, |stats| stats.connections_open == 1).await;
    assert_eq!(stats.connections_open, 1, "{stats:?}");
    assert!(stats.connections_total >= 3, "{stats:?}");
    assert_eq!(stats.requests_total, stats.connections_total + 2, "one request per poll: {stats:?}");
}

#[tokio::test]
async fn many_concurrent_keep_alive_connections_stay_open() {
    let addr = start();
    let mut connections = Vec::new();
    for _ in 0..200 {
        let mut connection = Connection::open(addr).await;
        assert_eq!(connection.get("/").await.0.status(), StatusCode::OK);
        connections.push(connection);
    }
    for connection in &mut connections {
        assert_eq!(connection.get("/").await.0.status(), StatusCode::OK);
    }
    let stats = connections[0].stats().await;
    assert_eq!(stats, StatsSnapshot { connections_total: 200, connections_open: 200, requests_total: 401 });
}

#[tokio::test]
async fn websocket_echoes_text_binary_and_answers_ping() {
    let addr = start();
    let (mut socket, response) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/ws/echo")).await.expect("upgrade");
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);

    socket.send(Message::text("hello")).await.unwrap();
    assert_eq!(socket.next().await.unwrap().unwrap(), Message::text("hello"));
    let large = vec![7u8; 100_000];
    socket.send(Message::binary(large.clone())).await.unwrap();
    assert_eq!(socket.next().await.unwrap().unwrap(), Message::binary(large));
    socket.send(Message::Ping(Bytes::from_static(b"are you there"))).await.unwrap();
    assert_eq!(socket.next().await.unwrap().unwrap(), Message::Pong(Bytes::from_static(b"are you there")));

    let stats = Connection::open(addr).await.stats().await;
    assert_eq!((stats.connections_total, stats.connections_open), (2, 2), "upgraded socket still open");

    socket.close(None).await.unwrap();
    let reply = socket.next().await;
    assert!(matches!(reply, Some(Ok(Message::Close(_))) | None), "clean close, got {reply:?}");
    let stats = wait_for_stats(addr, |stats| stats.connections_open == 1).await;
    assert_eq!(stats.connections_open, 1, "closed WebSocket no longer counted");
}

#[tokio::test]
async fn background_server_reports_a_taken_port() {
    let addr = start();
    let err = spawn_background(addr, 1).expect_err("the port is taken");
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
}
