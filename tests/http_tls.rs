//! The per-VU HTTP client over TLS: the handshake timing, certificate verification and k6's
//! `insecureSkipTLSVerify`, against a local rustls server.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rload::http::{error_code, ClientConfig, HttpClient, HttpOutcome, RequestSpec};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::task::LocalSet;
use tokio_rustls::TlsAcceptor;

/// A leaf certificate for `localhost` and 127.0.0.1, valid until 2126, issued by a throwaway
/// "rload test CA" that no trust store contains.
const CERT_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBxDCCAWmgAwIBAgIUIfhG5zmjM/0M5cuadf1SuvlhgiIwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNcmxvYWQgdGVzdCBDQTAgFw0yNjExMjcwNDQ4MTlaGA8yMTI2
MTEwMzA0NDgxOVowFDESMBAGA1UEAwwJbG9jYWxob3N0MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAELY7Wzbb6Ys41K63ljlgUBEM+oC4iMuXlwzlNgNjFc7+615TV
9pKZ7l32YtVXY5MiXJQkIzQ+0uqFZr80qBoVY6OBkjCBjzAMBgNVHRMBAf8EAjAA
MBoGA1UdEQQTMBGCCWxvY2FsaG9zdIcEfwAAATATBgNVHSUEDDAKBggrBgEFBQcD
ATAOBgNVHQ8BAf8EBAMCB4AwHQYDVR0OBBYEFNxfsKwNw2CiFudRvTGpKHDIrvtD
MB8GA1UdIwQYMBaAFFhJtLbzJSXiva2xsYz7HWuhUOy9MAoGCCqGSM49BAMCA0kA
MEYCIQCdK2iVMhj5sJK8fxRU29RplLONj3HxrLxkqTUbSO/A2QIhAIw170Y2ek6x
Se59MXw082y/Gc5cbrNvkMWMrbcFsNGn
-----END CERTIFICATE-----
";

const KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPKbO98LL1LZsDn5x
L3Hw4SromD5P91d2j07gfT9J9EShRANCAAQtjtbNtvpizjUrreWOWBQEQz6gLiIy
5eXDOU2A2MVzv7rXlNX2kpnuXfZi1VdjkyJclCQjND7S6oVmvzSoGhVj
-----END PRIVATE KEY-----
";

async fn local<F: Future<Output = ()>>(test: F) {
    LocalSet::new().run_until(test).await;
}

/// An https server on 127.0.0.1:0 answering "secure" to everything.
async fn start_tls_server() -> SocketAddr {
    let cert = CertificateDer::from_pem_slice(CERT_PEM.as_bytes()).unwrap();
    let key = PrivateKeyDer::from_pem_slice(KEY_PEM.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
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
async fn https_to_a_plain_http_server_is_a_tls_error() {
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
        assert_eq!((res.status, res.error_code), (0, error_code::TLS_GENERIC), "{:?}", res.error);
    })
    .await;
}
