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

/// A TLS acceptor presenting that certificate.
pub fn test_acceptor() -> TlsAcceptor {
    let cert = CertificateDer::from_pem_slice(CERT_PEM.as_bytes()).unwrap();
    let key = PrivateKeyDer::from_pem_slice(KEY_PEM.as_bytes()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    TlsAcceptor::from(Arc::new(config))
}
