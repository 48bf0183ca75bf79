//! `wss://`: certificate checks are on unless the run sets k6's `insecureSkipTLSVerify`.
mod common;
use common::*;

use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// The same throwaway certificate as `http_tls.rs`: a leaf certificate for `localhost` and 127.0.0.1, valid until 2126, issued by a throwaway
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

/// A `wss://` echo server on 127.0.0.1:0, on a thread of its own for the test's lifetime.
fn start_wss_echo() -> SocketAddr {
    let (bound, addr) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
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
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            bound.send(listener.local_addr().unwrap()).unwrap();
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else { return };
                    let Ok(mut socket) = tokio_tungstenite::accept_async(tls).await else { return };
                    while let Some(Ok(message)) = socket.next().await {
                        if (message.is_text() || message.is_binary()) && socket.send(message).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    addr.recv().unwrap()
}

const ECHO_ONCE: &str = r#"
    fn run() {
        let echoed = "";
        let res = ws.connect(`wss://localhost:${__ENV.PORT}/`, |socket| {
            socket.on("open", || socket.send("over tls"));
            socket.on("message", |text| { echoed = text; socket.close(); });
        });
        check(res, #{
            "wss upgraded": |r| r.status == 101 && echoed == "over tls",
            "untrusted certificate refused": |r| r.status == 0 && r.error_code == 1310 && r.error == "x509: unknown authority",
        });
    }
"#;

#[test]
fn an_untrusted_certificate_fails_the_connect_with_1310() {
    let addr = start_wss_echo();
    let run = rload(&script(ECHO_ONCE), &["-i", "1", "-e", &format!("PORT={}", addr.port())]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("✗ wss upgraded"), "{}", run.stdout);
    assert!(run.stdout.contains("✓ untrusted certificate refused"), "{}", run.stdout);
}

#[test]
fn insecure_skip_tls_verify_lets_wss_through() {
    let addr = start_wss_echo();
    let args = ["-i", "1", "--insecure-skip-tls-verify", "-e", &format!("PORT={}", addr.port())];
    let run = rload(&script(ECHO_ONCE), &args);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("✓ wss upgraded"), "{}", run.stdout);
    assert!(run.line("ws_msgs_received").contains(": 1 "), "{}", run.stdout);
}
