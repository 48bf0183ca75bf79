//! The per-VU HTTP client against real loopback servers: round trips, k6's timings, keep-alive,
//! redirects, cookies, byte counts and k6's error codes.

use std::cell::Cell;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rload::http::{error_code, ClientConfig, HttpClient, HttpOutcome, RequestSpec, ResponseType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::LocalSet;

/// Runs a test body inside a `LocalSet`, as the workers do.
async fn local<F: Future<Output = ()>>(test: F) {
    LocalSet::new().run_until(test).await;
}

/// A hyper server on 127.0.0.1:0 that counts the TCP connections it accepts.
struct Server {
    addr: SocketAddr,
    accepts: Rc<Cell<usize>>,
}

impl Server {
    async fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepts = Rc::new(Cell::new(0));
        let counter = Rc::clone(&accepts);
        tokio::task::spawn_local(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.set(counter.get() + 1);
                tokio::task::spawn_local(async move {
                    let service = service_fn(handle);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Server { addr, accepts }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let echo = request.headers().get("x-test").cloned();
    let cookie = request.headers().get("cookie").cloned();
    let body = request.into_body().collect().await.unwrap().to_bytes();
    let text = |status: u16, body: String| {
        Response::builder()
            .status(status)
            .header("content-type", "text/plain")
            .body(Full::new(Bytes::from(body)))
            .unwrap()
    };
    let redirect = |status: u16, to: &str| {
        Response::builder().status(status).header("location", to).body(Full::new(Bytes::new())).unwrap()
    };
    let response = match path.as_str() {
        "/echo" => {
            let mut response = text(200, format!("{method} {}", String::from_utf8_lossy(&body)));
            if let Some(value) = echo {
                response.headers_mut().insert("x-echo", value);
            }
            response
        }
        "/delay" => {
            tokio::time::sleep(Duration::from_millis(30)).await;
            text(200, "late".into())
        }
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(10)).await;
            text(200, "too late".into())
        }
        "/redirect/2" => redirect(302, "/redirect/1"),
        "/redirect/1" => redirect(302, "/redirect/0"),
        "/redirect/0" => text(200, "done".into()),
        "/see-other" => redirect(303, "/echo"),
        "/set-cookie" => {
            let mut response = text(200, "set".into());
            response.headers_mut().insert("set-cookie", "session=abc123; Path=/".parse().unwrap());
            response
        }
        "/cookies" => text(200, cookie.map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()),
        "/close" => {
            let mut response = text(200, "bye".into());
            response.headers_mut().insert("connection", "close".parse().unwrap());
            response
        }
        "/big" => text(200, "x".repeat(100_000)),
        _ => text(StatusCode::NOT_FOUND.as_u16(), "no such page".into()),
    };
    Ok(response)
}

fn client() -> HttpClient {
    HttpClient::new(Rc::new(ClientConfig::default()))
}

fn get(url: String) -> RequestSpec {
    RequestSpec::new(Method::GET, url)
}

async fn one(client: &HttpClient, spec: RequestSpec) -> HttpOutcome {
    let mut outcomes = client.request(spec).await;
    assert_eq!(outcomes.len(), 1, "expected a single hop");
    outcomes.pop().unwrap()
}

/// Lets aborted connection drivers finish, so that `open_connections` reflects them.
async fn settle() {
    for _ in 0..4 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn get_and_post_round_trip_body_and_headers() {
    local(async {
        let server = Server::start().await;
        let client = client();

        let mut spec = get(server.url("/echo"));
        spec.headers = [("X-Test".into(), "hello header".into())].into();
        let res = one(&client, spec).await;
        assert_eq!((res.status, res.error_code, res.error.as_deref()), (200, 0, None));
        assert_eq!(res.status_text(), "200 OK");
        assert_eq!(res.proto, "HTTP/1.1");
        assert_eq!(res.method, Method::GET);
        assert_eq!(res.url, server.url("/echo"));
        assert_eq!(res.body.as_deref(), Some(&b"GET "[..]));
        let header = |name: &str| res.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        assert_eq!(header("X-Echo"), Some("hello header"));
        assert_eq!(header("Content-Type"), Some("text/plain"));
        assert_eq!((res.remote_ip, res.remote_port), (Some(server.addr.ip()), server.addr.port()));

        let mut spec = RequestSpec::new(Method::POST, server.url("/echo"));
        spec.body = Some(Bytes::from_static(b"{\"a\":1}"));
        spec.headers = [("Content-Type".into(), "application/json".into())].into();
        let res = one(&client, spec).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.body.as_deref(), Some(&b"POST {\"a\":1}"[..]));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn timings_are_ordered_and_add_up_to_the_duration() {
    local(async {
        let server = Server::start().await;
        let client = client();

        let first = one(&client, get(server.url("/delay"))).await;
        let t = first.timings;
        assert!(t.connecting > 0.0, "a new connection has a connect time: {t:?}");
        assert_eq!(t.tls_handshaking, 0.0);
        assert!(t.waiting >= 29.0, "the server waits 30 ms before answering: {t:?}");
        assert!(t.duration >= t.waiting && t.sending > 0.0 && t.receiving >= 0.0, "{t:?}");
        assert!((t.duration - (t.sending + t.waiting + t.receiving)).abs() < 1e-9, "{t:?}");
        assert!(t.duration < 1000.0, "{t:?}");

        let reused = one(&client, get(server.url("/big"))).await;
        let t = reused.timings;
        assert_eq!((t.connecting, t.tls_handshaking), (0.0, 0.0), "a reused connection does not connect");
        assert!(t.waiting > 0.0 && t.duration >= t.waiting, "{t:?}");
        assert_eq!(reused.body.map(|b| b.len()), Some(100_000));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_client_keeps_one_connection_alive_and_two_clients_hold_two() {
    local(async {
        let server = Server::start().await;
        let first = client();
        for _ in 0..3 {
            assert_eq!(one(&first, get(server.url("/echo"))).await.status, 200);
        }
        assert_eq!(server.accepts.get(), 1);
        assert_eq!(first.open_connections(), 1);

        let second = client();
        assert_eq!(one(&second, get(server.url("/echo"))).await.status, 200);
        assert_eq!(server.accepts.get(), 2);

        drop(first);
        settle().await;
        assert_eq!(second.open_connections(), 1);
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn no_connection_reuse_opens_a_connection_per_request() {
    local(async {
        let server = Server::start().await;
        let config = ClientConfig { no_connection_reuse: true, ..ClientConfig::default() };
        let client = HttpClient::new(Rc::new(config));
        for _ in 0..3 {
            let res = one(&client, get(server.url("/echo"))).await;
            assert_eq!(res.status, 200);
            assert!(res.timings.connecting > 0.0);
        }
        assert_eq!(server.accepts.get(), 3);
        settle().await;
        assert_eq!(client.open_connections(), 0);
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_response_with_connection_close_is_not_reused() {
    local(async {
        let server = Server::start().await;
        let client = client();
        for _ in 0..2 {
            assert_eq!(one(&client, get(server.url("/close"))).await.body.as_deref(), Some(&b"bye"[..]));
        }
        assert_eq!(server.accepts.get(), 2);
    })
    .await;
}

/// A raw server that answers the first request of each connection with keep-alive; then it
/// either closes the connection at once (`close_when_idle`) or reads the next request and
/// closes without answering, as a server whose idle timeout races the client does.
async fn one_request_per_connection_server(close_when_idle: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::task::spawn_local(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::task::spawn_local(async move {
                let mut buf = [0u8; 2048];
                let _ = stream.read(&mut buf).await;
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok").await;
                if !close_when_idle {
                    let _ = stream.read(&mut buf).await;
                }
            });
        }
    });
    addr
}

#[tokio::test(flavor = "current_thread")]
async fn an_idle_connection_closed_by_the_server_is_replaced() {
    local(async {
        let addr = one_request_per_connection_server(true).await;
        let client = client();
        for _ in 0..3 {
            let res = one(&client, get(format!("http://{addr}/"))).await;
            assert_eq!((res.status, res.error), (200, None));
        }
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_keep_alive_connection_closed_under_a_request_is_retried_for_idempotent_methods() {
    local(async {
        let addr = one_request_per_connection_server(false).await;
        let client = client();
        for _ in 0..3 {
            let res = one(&client, get(format!("http://{addr}/"))).await;
            assert_eq!((res.status, res.error), (200, None));
            assert!(res.timings.connecting > 0.0, "served by a fresh connection");
        }
        // A POST may have reached the application: it is not repeated (as in Go and k6).
        let mut post = RequestSpec::new(Method::POST, format!("http://{addr}/"));
        post.body = Some(Bytes::from_static(b"once"));
        let res = one(&client, post).await;
        assert_eq!((res.status, res.error_code), (0, error_code::GENERIC), "{:?}", res.error);
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn connection_refused_is_k6_error_1212() {
    local(async {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let res = one(&client(), get(format!("http://127.0.0.1:{port}/"))).await;
        assert_eq!(res.status, 0);
        assert_eq!(res.error_code, error_code::TCP_DIAL_REFUSED);
        assert_eq!(res.error.as_deref(), Some("dial: connection refused"));
        assert_eq!(res.body, None);
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_slow_response_times_out_with_1050() {
    local(async {
        let server = Server::start().await;
        let client = client();
        let mut spec = get(server.url("/slow"));
        spec.timeout = Duration::from_millis(200);
        let started = Instant::now();
        let res = one(&client, spec).await;
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!((res.status, res.error_code), (0, error_code::REQUEST_TIMEOUT));
        assert_eq!(res.error.as_deref(), Some("request timeout"));
        assert!(res.timings.waiting >= 150.0, "the time went to waiting: {:?}", res.timings);
        assert!(res.bytes_sent > 0);
        settle().await;
        assert_eq!(client.open_connections(), 0, "the timed-out connection is closed");

        // The client stays usable.
        assert_eq!(one(&client, get(server.url("/echo"))).await.status, 200);
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn redirects_give_one_outcome_per_hop() {
    local(async {
        let server = Server::start().await;
        let client = client();

        let hops = client.request(get(server.url("/redirect/2"))).await;
        let statuses: Vec<u16> = hops.iter().map(|hop| hop.status).collect();
        assert_eq!(statuses, [302, 302, 200]);
        assert_eq!(hops[2].url, server.url("/redirect/0"));
        assert_eq!(hops[2].body.as_deref(), Some(&b"done"[..]));
        assert_eq!(server.accepts.get(), 1, "hops to the same host share the connection");

        let mut limited = get(server.url("/redirect/2"));
        limited.redirects = 1;
        let hops = client.request(limited).await;
        assert_eq!(hops.iter().map(|hop| hop.status).collect::<Vec<_>>(), [302, 302]);

        let mut post = RequestSpec::new(Method::POST, server.url("/see-other"));
        post.body = Some(Bytes::from_static(b"form"));
        let hops = client.request(post).await;
        assert_eq!(hops.len(), 2);
        assert_eq!((hops[1].method.clone(), hops[1].body.as_deref()), (Method::GET, Some(&b"GET "[..])));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn cookies_set_by_a_response_are_sent_by_the_same_vu_only() {
    local(async {
        let server = Server::start().await;
        let client = client();
        assert_eq!(one(&client, get(server.url("/cookies"))).await.body.as_deref(), Some(&b""[..]));
        one(&client, get(server.url("/set-cookie"))).await;
        let res = one(&client, get(server.url("/cookies"))).await;
        assert_eq!(res.body.as_deref(), Some(&b"session=abc123"[..]));

        let mut with_own = get(server.url("/cookies"));
        with_own.headers = [("Cookie".into(), "mine=1".into())].into();
        let res = one(&client, with_own).await;
        assert_eq!(res.body.as_deref(), Some(&b"mine=1; session=abc123"[..]));

        let other_vu = self::client();
        assert_eq!(one(&other_vu, get(server.url("/cookies"))).await.body.as_deref(), Some(&b""[..]));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn byte_counts_cover_headers_and_body_on_the_wire() {
    local(async {
        let server = Server::start().await;
        let client = client();
        let mut spec = RequestSpec::new(Method::POST, server.url("/echo"));
        spec.body = Some(Bytes::from(vec![b'a'; 1000]));
        let res = one(&client, spec).await;
        // Request line, Host, User-Agent and Content-Length headers, and the body.
        assert!((1050..1400).contains(&res.bytes_sent), "bytes_sent {}", res.bytes_sent);
        // Status line and a few headers, and "POST " + the body.
        assert!((1050..1400).contains(&res.bytes_received), "bytes_received {}", res.bytes_received);

        let mut discard = get(server.url("/big"));
        discard.response_type = ResponseType::None;
        let res = one(&client, discard).await;
        assert_eq!((res.status, res.body), (200, None));
        assert!((100_000..100_500).contains(&res.bytes_received), "bytes_received {}", res.bytes_received);
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn error_statuses_are_responses_with_1000_plus_status() {
    local(async {
        let server = Server::start().await;
        let res = one(&client(), get(server.url("/missing"))).await;
        assert_eq!((res.status, res.error_code, res.error.as_deref()), (404, 1404, None));
        assert_eq!(res.status_text(), "404 Not Found");
        assert_eq!(res.body.as_deref(), Some(&b"no such page"[..]));
    })
    .await;
}

/// As k6 v1.1.0 answers each: Go's URL parser reads the first three, its client refuses to send
/// them (1000); it cannot parse the last two (1020).
#[tokio::test(flavor = "current_thread")]
async fn urls_k6_cannot_send_are_1000_and_those_it_cannot_read_1020() {
    local(async {
        let client = client();
        for (url, code, error) in [
            ("not a url", error_code::GENERIC, r#"unsupported protocol scheme """#),
            ("ftp://example.com/file", error_code::GENERIC, r#"unsupported protocol scheme "ftp""#),
            ("localhost:8080/x", error_code::GENERIC, r#"unsupported protocol scheme "localhost""#),
            ("http://", error_code::GENERIC, "http: no Host in request URL"),
            (
                "127.0.0.1:8080/x",
                error_code::INVALID_URL,
                r#"invalid URL "127.0.0.1:8080/x": relative URL without a base"#,
            ),
            (":80", error_code::INVALID_URL, r#"invalid URL ":80": relative URL without a base"#),
        ] {
            let res = one(&client, get(url.into())).await;
            assert_eq!((res.status, res.error_code, res.error.as_deref()), (0, code, Some(error)), "{url}");
        }
        assert_eq!(client.open_connections(), 0);
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn an_unknown_host_is_a_dns_error() {
    local(async {
        let mut spec = get("http://no-such-host.invalid/".into());
        spec.timeout = Duration::from_secs(3);
        let res = one(&client(), spec).await;
        assert_eq!(res.status, 0);
        assert!(
            (error_code::DNS_GENERIC..=error_code::DNS_NO_SUCH_HOST).contains(&res.error_code),
            "{} {:?}",
            res.error_code,
            res.error
        );
    })
    .await;
}

/// A raw server that answers every connection's first request with `response` (written in one
/// go, then the connection is closed) and counts how many bytes of it the client accepted.
async fn raw_server(response: Vec<u8>) -> (SocketAddr, Rc<Cell<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let written = Rc::new(Cell::new(0));
    let counter = Rc::clone(&written);
    let response = Rc::new(response);
    tokio::task::spawn_local(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (response, counter) = (Rc::clone(&response), Rc::clone(&counter));
            tokio::task::spawn_local(async move {
                let mut buf = [0u8; 2048];
                let _ = stream.read(&mut buf).await;
                for chunk in response.chunks(16 * 1024) {
                    if stream.write_all(chunk).await.is_err() {
                        break;
                    }
                    counter.set(counter.get() + chunk.len());
                }
            });
        }
    });
    (addr, written)
}

fn capped_client(limit: u64) -> HttpClient {
    HttpClient::new(Rc::new(ClientConfig { max_response_body_size: limit, ..ClientConfig::default() }))
}

#[tokio::test(flavor = "current_thread")]
async fn a_chunked_body_over_max_response_body_size_fails_with_1060_and_no_body() {
    local(async {
        // 300 KB in chunks of 10,000 bytes, no Content-Length: the cap is found while reading.
        let mut response = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..30 {
            response.extend_from_slice(format!("{:x}\r\n", 10_000).as_bytes());
            response.extend_from_slice(&[b'x'; 10_000]);
            response.extend_from_slice(b"\r\n");
        }
        response.extend_from_slice(b"0\r\n\r\n");
        let (addr, _) = raw_server(response).await;
        let client = capped_client(100_000);
        let res = one(&client, get(format!("http://{addr}/"))).await;
        assert_eq!((res.status, res.error_code), (0, error_code::RESPONSE_BODY_TOO_LARGE), "{:?}", res.error);
        assert_eq!(res.error.as_deref(), Some("response body exceeds maxResponseBodySize (100000 bytes)"));
        assert_eq!(res.body, None);
        settle().await;
        assert_eq!(client.open_connections(), 0, "the connection is dropped, not drained");

        // The same body fits a larger cap, and is not counted against a discarded body.
        assert_eq!(
            one(&capped_client(300_000), get(format!("http://{addr}/"))).await.body.map(|b| b.len()),
            Some(300_000)
        );
        let mut discard = get(format!("http://{addr}/"));
        discard.response_type = ResponseType::None;
        let res = one(&client, discard).await;
        assert_eq!((res.status, res.error), (200, None));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_content_length_over_max_response_body_size_fails_before_the_body_is_read() {
    local(async {
        let body_len = 4 * 1024 * 1024;
        let mut response = format!("HTTP/1.1 200 OK\r\ncontent-length: {body_len}\r\n\r\n").into_bytes();
        response.resize(response.len() + body_len, b'x');
        let (addr, _) = raw_server(response).await;
        let client = capped_client(100_000);
        let res = one(&client, get(format!("http://{addr}/"))).await;
        assert_eq!((res.status, res.error_code, res.body), (0, error_code::RESPONSE_BODY_TOO_LARGE, None));
        assert!(res.bytes_received < 100_000, "the body was not read: {} bytes", res.bytes_received);

        // A HEAD answer announces the length of a body it does not have.
        let head = one(&client, RequestSpec::new(Method::HEAD, format!("http://{addr}/"))).await;
        assert_eq!((head.status, head.error), (200, None));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_body_cut_short_by_the_server_keeps_the_part_received() {
    local(async {
        let (addr, _) = raw_server(
            b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly forty bytes arrive before the close".to_vec(),
        )
        .await;
        let res = one(&client(), get(format!("http://{addr}/"))).await;
        assert_eq!((res.status, res.error_code), (0, error_code::GENERIC));
        assert_eq!(res.error.as_deref(), Some("unexpected EOF"));
        assert_eq!(res.body.as_deref(), Some(&b"only forty bytes arrive before the close"[..]));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_response_with_500_header_fields_is_read_whole() {
    local(async {
        let mut response = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n".to_vec();
        for i in 0..500 {
            response.extend_from_slice(format!("x-field-{i}: value {i}\r\n").as_bytes());
        }
        response.extend_from_slice(b"\r\nok");
        let (addr, _) = raw_server(response).await;
        let res = one(&client(), get(format!("http://{addr}/"))).await;
        assert_eq!((res.status, res.error), (200, None));
        assert_eq!(res.headers.len(), 501);
        assert!(res.headers.iter().any(|(name, value)| name == "X-Field-499" && value == "value 499"));
        assert_eq!(res.body.as_deref(), Some(&b"ok"[..]));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn response_heads_past_the_header_limits_fail_with_1061() {
    local(async {
        let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
        for i in 0..=rload::http::MAX_RESPONSE_HEADER_FIELDS {
            many.extend_from_slice(format!("x-{i}: v\r\n").as_bytes());
        }
        many.extend_from_slice(b"content-length: 0\r\n\r\n");
        // One field longer than Go's 10 MiB for the whole head.
        let mut long = b"HTTP/1.1 200 OK\r\nx-long: ".to_vec();
        long.resize(long.len() + rload::http::MAX_RESPONSE_HEAD_BYTES, b'v');
        long.extend_from_slice(b"\r\ncontent-length: 0\r\n\r\n");
        for response in [many, long] {
            let (addr, _) = raw_server(response).await;
            let res = one(&client(), get(format!("http://{addr}/"))).await;
            assert_eq!((res.status, res.error_code), (0, error_code::RESPONSE_HEADERS_TOO_LARGE), "{:?}", res.error);
            assert_eq!(
                res.error.as_deref(),
                Some("server response headers exceeded 10485760 bytes or 1000 fields; aborted")
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_port_above_65535_is_k6_dial_error_1210() {
    local(async {
        let res = one(&client(), get("http://127.0.0.1:99999/".into())).await;
        assert_eq!((res.status, res.error_code), (0, error_code::TCP_DIAL));
        assert_eq!(res.error.as_deref(), Some("dial tcp: address 99999: invalid port"));
        // A port that is not a number is an invalid URL, as in k6.
        let res = one(&client(), get("http://127.0.0.1:http/".into())).await;
        assert_eq!(res.error_code, error_code::INVALID_URL, "{:?}", res.error);
    })
    .await;
}
