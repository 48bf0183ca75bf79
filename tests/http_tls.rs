//! The per-VU HTTP client over TLS: the handshake timing, certificate verification and k6's
//! `insecureSkipTLSVerify`, against a local rustls server.
mod common;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::rc::Rc;

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rload::http::{error_code, ClientConfig, HttpClient, HttpOutcome, RequestSpec};
use tokio::net::TcpListener;
use tokio::task::LocalSet;

async fn local<F: Future<Output = ()>>(test: F) {
    LocalSet::new().run_until(test).await;
}

/// An https server on 127.0.0.1:0 answering "secure" to everything.
async fn start_tls_server() -> SocketAddr {
    let acceptor = common::tls::test_acceptor();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::task::spawn_local(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::task::spawn_local(async move {
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let service = service_fn(|_: Request<Incoming>| async {
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"secure"))))
                });
                let _ =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    addr
}

async fn get(client: &HttpClient, url: String) -> HttpOutcome {
    let mut outcomes = client.request(RequestSpec::new(Method::GET, url)).await;
    assert_eq!(outcomes.len(), 1);
    outcomes.pop().unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn an_untrusted_certificate_is_k6_error_1310() {
    local(async {
        let addr = start_tls_server().await;
        let client = HttpClient::new(Rc::new(ClientConfig::default()));
        let res = get(&client, format!("https://localhost:{}/", addr.port())).await;
        assert_eq!((res.status, res.error_code), (0, error_code::TLS_UNKNOWN_AUTHORITY), "{:?}", res.error);
        assert_eq!(res.error.as_deref(), Some("x509: unknown authority"));
        assert!(res.timings.tls_handshaking > 0.0);
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn insecure_skip_tls_verify_accepts_it_and_times_the_handshake() {
    local(async {
        let addr = start_tls_server().await;
        let config = ClientConfig { insecure_skip_tls_verify: true, ..ClientConfig::default() };
        let client = HttpClient::new(Rc::new(config));

        let first = get(&client, format!("https://127.0.0.1:{}/", addr.port())).await;
        assert_eq!((first.status, first.error.as_deref()), (200, None));
        assert_eq!(first.body.as_deref(), Some(&b"secure"[..]));
        let t = first.timings;
        assert!(t.connecting > 0.0 && t.tls_handshaking > 0.0, "{t:?}");
        assert!(t.waiting > 0.0 && (t.duration - (t.sending + t.waiting + t.receiving)).abs() < 1e-9, "{t:?}");
        // The handshake's certificate alone is a few hundred bytes.
        assert!(first.bytes_received > 500, "{}", first.bytes_received);

        let second = get(&client, format!("https://127.0.0.1:{}/", addr.port())).await;
        assert_eq!(second.status, 200);
        assert_eq!(second.timings.tls_handshaking, 0.0, "the connection is reused");
        assert!(second.bytes_received < first.bytes_received);
        assert_eq!(client.open_connections(), 1);
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn https_to_a_plain_http_server_is_k6_tls_header_error_1301() {
    local(async {
        // A server that answers anything with a plain HTTP response.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::task::spawn_local(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf).await;
                let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").await;
            }
        });
        let client = HttpClient::new(Rc::new(ClientConfig::default()));
        let res = get(&client, format!("https://127.0.0.1:{}/", addr.port())).await;
        assert_eq!((res.status, res.error_code), (0, error_code::TLS_HEADER), "{:?}", res.error);
        assert_eq!(res.error.as_deref(), Some("tls: first record does not look like a TLS handshake"));
    })
    .await;
}

#[test]
fn a_ca_named_in_ssl_cert_file_is_trusted_as_k6_trusts_the_system_store() {
    let addr = common::tls::serve_https(common::tls::file_ca_acceptor());
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, common::tls::FILE_CA_PEM).unwrap();
    let s = common::script(&format!(
        "fn run() {{ let r = http.get(\"https://localhost:{}/\"); print(`got ${{r.status}} ${{r.error_code}}`); }}",
        addr.port()
    ));
    let run = |cert_file: Option<&std::path::Path>| {
        let mut command = std::process::Command::new(common::BIN);
        command.arg("run").arg(&s.path).args(["-i", "1", "--no-color"]);
        match cert_file {
            Some(file) => command.env("SSL_CERT_FILE", file),
            None => command.env_remove("SSL_CERT_FILE"),
        };
        common::Run::from_output(command.output().unwrap())
    };
    let trusted = run(Some(&ca));
    assert!(trusted.stderr.contains("got 200 0") || trusted.stdout.contains("got 200 0"), "{}", trusted.stderr);
    let untrusted = run(None);
    assert!(untrusted.stderr.contains("got 0 1310") || untrusted.stdout.contains("got 0 1310"), "{}", untrusted.stderr);
}

/// `rload run` of one GET to `https://127.0.0.1:PORT/` with `options` (a Rhai map's entries),
/// printing `got STATUS ERROR_CODE`; returns what it printed.
fn get_with_options(port: u16, options: &str) -> String {
    let s = common::script(&format!(
        "export const options = #{{ iterations: 1, insecureSkipTLSVerify: true, {options} }};\n\
         fn run() {{ let r = http.get(\"https://127.0.0.1:{port}/\"); print(`got ${{r.status}} ${{r.error_code}}`); }}"
    ));
    let run = common::rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let printed = format!("{}{}", run.stdout, run.stderr);
    printed.lines().find(|l| l.starts_with("got ")).unwrap_or_else(|| panic!("{printed}")).to_owned()
}

#[test]
fn tls_version_limits_what_the_handshake_may_agree_on() {
    let tls13 = common::tls::serve_https(common::tls::limited_acceptor(&rustls::version::TLS13, None));
    assert_eq!(get_with_options(tls13.port(), ""), "got 200 0");
    assert_eq!(get_with_options(tls13.port(), "tlsVersion: #{ min: \"tls1.2\", max: \"tls1.3\" }"), "got 200 0");
    assert_eq!(
        get_with_options(tls13.port(), "tlsVersion: \"tls1.2\""),
        "got 0 1300",
        "a TLS 1.3 server, TLS 1.2 asked"
    );
}

#[test]
fn tls_cipher_suites_limit_the_tls12_suites_offered() {
    let suite = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    let server = common::tls::serve_https(common::tls::limited_acceptor(&rustls::version::TLS12, Some(suite)));
    assert_eq!(get_with_options(server.port(), &format!("tlsCipherSuites: [\"{suite}\"]")), "got 200 0");
    let other = "tlsCipherSuites: [\"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256\"]";
    assert_eq!(get_with_options(server.port(), other), "got 0 1300", "no suite in common");
}

#[test]
fn tls_options_rload_cannot_honour_are_errors_naming_them() {
    let s = common::script(
        "export const options = #{ tlsVersion: \"tls1.0\", tlsCipherSuites: [\"TLS_RSA_WITH_RC4_128_SHA\"] };\nfn run() {}",
    );
    let run = common::rload(&s, &[]);
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(run.stderr.contains("tls1.0 and older are TLS versions rload does not implement"), "{}", run.stderr);
    assert!(run.stderr.contains("does not have: TLS_RSA_WITH_RC4_128_SHA"), "{}", run.stderr);
}

#[test]
fn tls_auth_presents_a_client_certificate_to_the_domains_it_names() {
    let server = common::tls::serve_https(common::tls::client_auth_acceptor());
    let auth = |domain: &str| {
        format!(
            "tlsAuth: [#{{ domains: [\"{domain}\"], cert: {:?}, key: {:?} }}]",
            common::tls::CLIENT_CERT_PEM,
            common::tls::CLIENT_KEY_PEM
        )
    };
    assert_eq!(get_with_options(server.port(), &auth("127.0.0.1")), "got 200 0");
    assert_ne!(get_with_options(server.port(), &auth("other.test")), "got 200 0", "not a domain it names");
    assert_ne!(get_with_options(server.port(), ""), "got 200 0", "no certificate, no access");
}

/// `rload run` of `body` (a Rhai `run` function's statements) against `base` with
/// `insecureSkipTLSVerify`, writing `-o json`; returns what it printed and the `proto` tags of
/// its `http_reqs` samples.
fn run_against(base: &str, body: &str) -> (String, Vec<String>) {
    let (printed, points) = run_json(base, body, 1);
    let protos = points
        .iter()
        .filter(|v| v["metric"] == "http_reqs")
        .map(|v| v["data"]["tags"]["proto"].as_str().unwrap_or_default().to_owned())
        .collect();
    (printed, protos)
}

/// Like [`run_against`] with `iterations` of one VU, returning the `Point` lines of `-o json`.
fn run_json(base: &str, body: &str, iterations: u32) -> (String, Vec<serde_json::Value>) {
    let s = common::script(&format!(
        "export const options = #{{ iterations: {iterations}, insecureSkipTLSVerify: true }};\n\
         fn run() {{ {body} }}"
    ));
    let out = s.dir.path().join("out.json");
    let run = common::rload(&s, &["-e", &format!("BASE={base}"), "-o", &format!("json={}", out.display())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let printed = format!("{}{}", run.stdout, run.stderr);
    let points = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|v| v["type"] == "Point")
        .collect();
    (printed, points)
}

#[test]
fn http2_requests_count_the_bytes_of_their_connection() {
    let (addr, _) = common::tls::serve_versions(Some(&[b"h2", b"http/1.1"]));
    let body = "let r = http.get(`${__ENV.BASE}/one`); print(`proto ${r.proto}`);";
    let (printed, points) = run_json(&format!("https://127.0.0.1:{}", addr.port()), body, 2);
    assert_eq!(printed_protos(&printed), vec!["HTTP/2.0"; 2], "{printed}");
    let bytes = |metric: &str| -> Vec<f64> {
        points.iter().filter(|v| v["metric"] == metric).map(|v| v["data"]["value"].as_f64().unwrap()).collect()
    };
    let (sent, received) = (bytes("data_sent"), bytes("data_received"));
    // As k6's dialer trail: one point of each per iteration, with what its requests moved.
    assert_eq!((sent.len(), received.len()), (2, 2), "one data_sent and data_received point per iteration");
    // The first iteration's request carries the TLS handshake and the HTTP/2 preface and
    // settings; the second only its own frames (HEADERS, and the response's HEADERS and DATA),
    // in TLS records.
    assert!(sent[0] > sent[1] && received[0] > received[1], "sent {sent:?}, received {received:?}");
    assert!(sent[1] > 20.0 && received[1] > 30.0, "sent {sent:?}, received {received:?}");
}

#[test]
fn concurrent_http2_streams_split_their_connections_bytes_instead_of_each_counting_them() {
    let (addr, _) = common::tls::serve_versions(Some(&[b"h2", b"http/1.1"]));
    let base = format!("https://127.0.0.1:{}", addr.port());
    let total = |body: &str, metric: &str| -> f64 {
        let (printed, points) = run_json(&base, body, 1);
        assert_eq!(printed_protos(&printed), vec!["HTTP/2.0"; 6], "{printed}");
        points.iter().filter(|v| v["metric"] == metric).map(|v| v["data"]["value"].as_f64().unwrap()).sum()
    };
    // The same six requests on one new connection each run: one after the other, then five of
    // them as one batch (streams in flight together). Same frames, so about the same bytes.
    let one_by_one = "for p in [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"] { \
                      print(`proto ${http.get(`${__ENV.BASE}/${p}`).proto}`); }";
    let batched = "print(`proto ${http.get(`${__ENV.BASE}/a`).proto}`); \
                   for r in http.batch([`${__ENV.BASE}/b`, `${__ENV.BASE}/c`, `${__ENV.BASE}/d`, \
                   `${__ENV.BASE}/e`, `${__ENV.BASE}/f`]) { print(`proto ${r.proto}`); }";
    for metric in ["data_sent", "data_received"] {
        let (sequential, batch) = (total(one_by_one, metric), total(batched, metric));
        assert!(
            batch <= sequential * 1.3 && batch >= sequential * 0.5,
            "{metric}: {batch} B for the batch against {sequential} B one by one"
        );
    }
}

const PRINT_PROTOS: &str = "for i in 0..3 { let r = http.get(`${__ENV.BASE}/one`); print(`proto ${r.proto} ${r.body}`); }\n\
     let rs = http.batch([`${__ENV.BASE}/a`, `${__ENV.BASE}/b`, `${__ENV.BASE}/c`, `${__ENV.BASE}/d`, `${__ENV.BASE}/e`]);\n\
     for r in rs { print(`proto ${r.proto} ${r.body}`); }";

fn printed_protos(printed: &str) -> Vec<&str> {
    printed.lines().filter_map(|l| l.split("proto ").nth(1)).collect()
}

#[test]
fn a_server_that_picks_h2_by_alpn_gets_http2_over_one_connection() {
    let (addr, accepts) = common::tls::serve_versions(Some(&[b"h2", b"http/1.1"]));
    let (printed, protos) = run_against(&format!("https://127.0.0.1:{}", addr.port()), PRINT_PROTOS);
    // What the script saw (res.proto) and what the server received.
    assert_eq!(printed_protos(&printed), vec!["HTTP/2.0 HTTP/2.0"; 8], "{printed}");
    assert_eq!(protos, vec!["HTTP/2.0"; 8], "the proto tag of every http_reqs sample");
    assert_eq!(accepts.load(std::sync::atomic::Ordering::SeqCst), 1, "one TCP connection for the VU's 8 requests");
}

#[test]
fn a_batch_to_a_new_h2_host_shares_one_connection() {
    let (addr, accepts) = common::tls::serve_versions(Some(&[b"h2", b"http/1.1"]));
    let body = "let rs = http.batch([`${__ENV.BASE}/a`, `${__ENV.BASE}/b`, `${__ENV.BASE}/c`, `${__ENV.BASE}/d`, `${__ENV.BASE}/e`]);\n\
                for r in rs { print(`proto ${r.proto} ${r.body} ${r.timings.connecting > 0.0}`); }";
    let (printed, _) = run_against(&format!("https://127.0.0.1:{}", addr.port()), body);
    let mut seen = printed_protos(&printed);
    seen.sort_unstable();
    let mut expected = vec!["HTTP/2.0 HTTP/2.0 false"; 4];
    expected.push("HTTP/2.0 HTTP/2.0 true");
    expected.sort_unstable();
    assert_eq!(seen, expected, "only the request that opened the connection waited for it: {printed}");
    assert_eq!(accepts.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[test]
fn a_server_offering_only_http11_and_plain_http_stay_http11() {
    let (addr, _) = common::tls::serve_versions(Some(&[b"http/1.1"]));
    let (printed, protos) = run_against(&format!("https://127.0.0.1:{}", addr.port()), PRINT_PROTOS);
    assert_eq!(printed_protos(&printed), vec!["HTTP/1.1 HTTP/1.1"; 8], "{printed}");
    assert_eq!(protos, vec!["HTTP/1.1"; 8]);

    let (addr, _) = common::tls::serve_versions(None);
    let (printed, protos) = run_against(&format!("http://127.0.0.1:{}", addr.port()), PRINT_PROTOS);
    assert_eq!(printed_protos(&printed), vec!["HTTP/1.1 HTTP/1.1"; 8], "no h2c: {printed}");
    assert_eq!(protos, vec!["HTTP/1.1"; 8]);
}

#[test]
fn shared_connections_bound_http2_connections_too() {
    let (a, accepts_a) = common::tls::serve_versions(Some(&[b"h2", b"http/1.1"]));
    let (b, accepts_b) = common::tls::serve_versions(Some(&[b"h2", b"http/1.1"]));
    let s = common::script(&format!(
        "export const options = #{{ iterations: 1, insecureSkipTLSVerify: true, sharedConnections: 1 }};\n\
         fn run() {{ for i in 0..2 {{\n\
             print(`proto ${{http.get(\"https://127.0.0.1:{}/\").proto}}`);\n\
             print(`proto ${{http.get(\"https://127.0.0.1:{}/\").proto}}`);\n\
         }} }}",
        a.port(),
        b.port()
    ));
    let run = common::rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(printed_protos(&format!("{}{}", run.stdout, run.stderr)), vec!["HTTP/2.0"; 4]);
    // One connection at a time: each request to the other host closes the idle one first.
    let accepts = |n: &std::sync::Arc<std::sync::atomic::AtomicUsize>| n.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!((accepts(&accepts_a), accepts(&accepts_b)), (2, 2));
}
