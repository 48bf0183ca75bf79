//! The two process-wide rustls client configurations (verifying, and k6's
//! `insecureSkipTLSVerify`), built once on first use and shared by every VU.
//!
//! Trust is Mozilla's roots compiled in (`webpki-roots`), so a machine without a CA bundle
//! still verifies public sites, plus the system's store as k6 (Go) reads it: the
//! distribution's bundle, or the files `SSL_CERT_FILE` and `SSL_CERT_DIR` name
//! (`rustls-native-certs`), so a private CA installed on the machine or named in
//! `SSL_CERT_FILE` is trusted as it is by k6. Only HTTP/1.1 is offered through ALPN.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_rustls::TlsConnector;

/// The connector for this verification mode; cloning it only bumps a reference count.
pub(crate) fn connector(insecure_skip_verify: bool) -> TlsConnector {
    static VERIFYING: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    static INSECURE: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    let config = if insecure_skip_verify {
        INSECURE.get_or_init(|| build(true))
    } else {
        VERIFYING.get_or_init(|| build(false))
    };
    TlsConnector::from(Arc::clone(config))
}

fn build(insecure_skip_verify: bool) -> Arc<rustls::ClientConfig> {
    // An explicit provider: the process default is ambiguous when another dependency enables
    // aws-lc-rs as well.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .expect("ring supports rustls's default protocol versions");
    let mut config = if insecure_skip_verify {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        builder.with_root_certificates(roots()).with_no_client_auth()
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

/// The bundled roots and every certificate of the system's store that parses (a file that
/// cannot be read or parsed adds nothing, as in Go).
fn roots() -> RootCertStore {
    let mut roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    roots
}

/// Accepts any certificate for any name (k6's `insecureSkipTLSVerify`). Handshake signatures
/// are still checked, so the session is at least with the holder of the presented key.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
