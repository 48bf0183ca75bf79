//! The throwaway TLS identity of the TLS tests (`http_tls.rs`, `ws_tls.rs`).

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
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

/// A TLS acceptor presenting the test certificate that speaks only `version`, and with TLS 1.2
/// only `suite` (the name rustls prints, e.g. `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`).
pub fn limited_acceptor(version: &'static rustls::SupportedProtocolVersion, suite: Option<&str>) -> TlsAcceptor {
    let cert = CertificateDer::from_pem_slice(CERT_PEM.as_bytes()).unwrap();
    let key = PrivateKeyDer::from_pem_slice(KEY_PEM.as_bytes()).unwrap();
    let mut provider = rustls::crypto::ring::default_provider();
    if let Some(suite) = suite {
        provider.cipher_suites.retain(|s| format!("{:?}", s.suite()) == suite);
    }
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[version])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    TlsAcceptor::from(Arc::new(config))
}

/// A TLS acceptor presenting that certificate.
pub fn test_acceptor() -> TlsAcceptor {
    TlsAcceptor::from(Arc::new(server_config(CERT_PEM, KEY_PEM)))
}

/// A server configuration presenting the certificate `cert_pem` with its key, with rustls's
/// safe default protocol versions and no client authentication.
fn server_config(cert_pem: &str, key_pem: &str) -> rustls::ServerConfig {
    let cert = CertificateDer::from_pem_slice(cert_pem.as_bytes()).unwrap();
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap();
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap()
}

/// A second throwaway identity whose CA is given here, for tests that trust it through
/// `SSL_CERT_FILE`: a leaf for `localhost` and 127.0.0.1 issued by "rload file CA".
pub const FILE_CA_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBlzCCAT2gAwIBAgIUTcGo53XbJtWo2qMg+2y9zMXtbT8wCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNcmxvYWQgZmlsZSBDQTAgFw0yNjExMjkwMzQ1MDNaGA8yMTI2
MTEwNTAzNDUwM1owGDEWMBQGA1UEAwwNcmxvYWQgZmlsZSBDQTBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABADRVprGCiBbKel6VnSHedeCKCzgDf7jhommh+CGffpC
H3JeZnFSLZlzhn9vJbj54bwKG+JmM5CZMTKeJW2rAi2jYzBhMB0GA1UdDgQWBBTi
Kfu7o2m/X//jWxhXtMpQyTOa/TAfBgNVHSMEGDAWgBTiKfu7o2m/X//jWxhXtMpQ
yTOa/TAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwICBDAKBggqhkjOPQQD
AgNIADBFAiEAuUYTqA7pVYuaaosMKUQEeHiu+z9gpuhQBhM0d56lhA8CIHO8VWio
7ByvjT9pEvgAs/SN5aJlcgkO7iFlbIEUHRnO
-----END CERTIFICATE-----
";

const FILE_LEAF_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBxDCCAWmgAwIBAgIUa+OyY8dRJ1GFQP/sKU28i+g6X3gwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNcmxvYWQgZmlsZSBDQTAgFw0yNjExMjkwMzQ1MDRaGA8yMTI2
MTEwNTAzNDUwNFowFDESMBAGA1UEAwwJbG9jYWxob3N0MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEN1ku9fxjrAZcwiZnUA7DBMJoCFZ47XSWnVzG25KsYSZRefiU
1uPbmfXm5TpNsVUNk1IGd3Ey1XPkoLstIR+fmaOBkjCBjzAMBgNVHRMBAf8EAjAA
MBoGA1UdEQQTMBGCCWxvY2FsaG9zdIcEfwAAATATBgNVHSUEDDAKBggrBgEFBQcD
ATAOBgNVHQ8BAf8EBAMCB4AwHQYDVR0OBBYEFE1cDElSFrFPOezK8nNjmFc6bfc+
MB8GA1UdIwQYMBaAFOIp+7ujab9f/+NbGFe0ylDJM5r9MAoGCCqGSM49BAMCA0kA
MEYCIQC9WKqD937ZeBN/U+sQhDHA3KXTshn1DBs+MY0Eno9j1wIhAPsOKd4oANjO
IL03X4LA4CoL1cqgMJEidK4WWUHzUSo7
-----END CERTIFICATE-----
";

const FILE_LEAF_KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+gkpRhWsxxw9BuXu
UZkbbTpnZ+VQwRHf0E07DlEX8GahRANCAAQ3WS71/GOsBlzCJmdQDsMEwmgIVnjt
dJadXMbbkqxhJlF5+JTW49uZ9eblOk2xVQ2TUgZ3cTLVc+Sguy0hH5+Z
-----END PRIVATE KEY-----
";

/// A TLS acceptor presenting the leaf [`FILE_CA_PEM`] issued.
pub fn file_ca_acceptor() -> TlsAcceptor {
    TlsAcceptor::from(Arc::new(server_config(FILE_LEAF_PEM, FILE_LEAF_KEY_PEM)))
}

/// An https server on 127.0.0.1:0 behind `acceptor`, answering "secure" to everything, on a
/// thread of its own (for tests that run the rload binary against it); it lives as long as
/// the test process.
pub fn serve_https(acceptor: TlsAcceptor) -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(stream).await else { return };
                    let service = hyper::service::service_fn(|_: hyper::Request<hyper::body::Incoming>| async {
                        Ok::<_, std::convert::Infallible>(hyper::Response::new(http_body_util::Full::new(
                            bytes::Bytes::from_static(b"secure"),
                        )))
                    });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                });
            }
        });
    });
    addr
}

/// A client certificate "rload file CA" issued, for `tlsAuth`.
pub const CLIENT_CERT_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBqDCCAU6gAwIBAgIUa+OyY8dRJ1GFQP/sKU28i+g6X3kwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNcmxvYWQgZmlsZSBDQTAgFw0yNjExMjkwNDExNThaGA8yMTI2
MTEwNTA0MTE1OFowFzEVMBMGA1UEAwwMcmxvYWQgY2xpZW50MFkwEwYHKoZIzj0C
AQYIKoZIzj0DAQcDQgAEPZWAfYaYkxs5tShk4ARaV5CcaVOizwWhUdMcuFVp6am+
8rTWqfmcYePZPzNabHXnGlrE/7DQS/R8lm3zNsIemqN1MHMwDAYDVR0TAQH/BAIw
ADATBgNVHSUEDDAKBggrBgEFBQcDAjAOBgNVHQ8BAf8EBAMCB4AwHQYDVR0OBBYE
FIIpAkPCeq/I8jY9pDIhGGg/k/rAMB8GA1UdIwQYMBaAFOIp+7ujab9f/+NbGFe0
ylDJM5r9MAoGCCqGSM49BAMCA0gAMEUCIHpslsozxIGgmQ8HfrdrblJTcok2A6gA
qCq1G/mbyQQ4AiEAoiBwTCdt+BVahNNssF4HoHe/U8tfFTFX7SZDeRYa8+g=
-----END CERTIFICATE-----
";

/// Its key.
pub const CLIENT_KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqVvtx/mhkGgSjxBw
MA4q19CsEve/tfEN1GaPgRg5MKKhRANCAAQ9lYB9hpiTGzm1KGTgBFpXkJxpU6LP
BaFR0xy4VWnpqb7ytNap+Zxh49k/M1psdecaWsT/sNBL9HyWbfM2wh6a
-----END PRIVATE KEY-----
";

/// A TLS acceptor presenting the test certificate that requires a client certificate issued
/// by "rload file CA".
pub fn client_auth_acceptor() -> TlsAcceptor {
    let cert = CertificateDer::from_pem_slice(CERT_PEM.as_bytes()).unwrap();
    let key = PrivateKeyDer::from_pem_slice(KEY_PEM.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_slice(FILE_CA_PEM.as_bytes()).unwrap()).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
        .build()
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![cert], key)
        .unwrap();
    TlsAcceptor::from(Arc::new(config))
}

/// A server on 127.0.0.1:0 on a thread of its own, answering every request with the HTTP
/// version it arrived in (`HTTP/2.0`, `HTTP/1.1`). With `alpn`, it speaks TLS (the test
/// certificate) offering those ALPN protocols, and HTTP/2 when the client picks `h2`; without,
/// plain HTTP/1.1. Returns its address and the number of TCP connections it has accepted.
#[allow(dead_code)]
pub fn serve_versions(alpn: Option<&[&[u8]]>) -> (std::net::SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let acceptor = alpn.map(|protocols| {
        let mut config = server_config(CERT_PEM, KEY_PEM);
        config.alpn_protocols = protocols.iter().map(|p| p.to_vec()).collect();
        TlsAcceptor::from(Arc::new(config))
    });
    let accepts = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&accepts);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((stream, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(|request: hyper::Request<hyper::body::Incoming>| async move {
                            let version = format!("{:?}", request.version());
                            Ok::<_, std::convert::Infallible>(hyper::Response::new(http_body_util::Full::new(
                                bytes::Bytes::from(version),
                            )))
                        });
                    let Some(acceptor) = acceptor else {
                        let io = hyper_util::rt::TokioIo::new(stream);
                        let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                        return;
                    };
                    let Ok(stream) = acceptor.accept(stream).await else { return };
                    let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                    let io = hyper_util::rt::TokioIo::new(stream);
                    if h2 {
                        let _ = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                            .serve_connection(io, service)
                            .await;
                    } else {
                        let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                    }
                });
            }
        });
    });
    (addr, accepts)
}
