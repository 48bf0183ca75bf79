//! The rustls client configurations: verifying, and k6's `insecureSkipTLSVerify`, each built
//! once on first use and shared by every VU. The test's connections ([`test_connector`]) also
//! follow the run's `tlsVersion` and `tlsCipherSuites` ([`TlsOptions`], installed when the run
//! starts, like the metrics sink); rload's own connections (an output's) use the defaults.
//!
//! `tlsAuth` certificates are presented to the hosts their `domains` name (exactly, case
//! aside); a host no entry names gets no certificate.
//!
//! rustls speaks TLS 1.2 and 1.3 only: a `tlsVersion` range is narrowed to them, and one below
//! TLS 1.2 is an error. `tlsCipherSuites` chooses among the TLS 1.2 suites, as in Go (and so
//! k6), where the TLS 1.3 suites are always on; a suite rustls does not have is an error.
//!
//! Trust is Mozilla's roots compiled in (`webpki-roots`), so a machine without a CA bundle
//! still verifies public sites, plus the system's store as k6 (Go) reads it: the
//! distribution's bundle, or the files `SSL_CERT_FILE` and `SSL_CERT_DIR` name
//! (`rustls-native-certs`), so a private CA installed on the machine or named in
//! `SSL_CERT_FILE` is trusted as it is by k6.
//!
//! ALPN: `http.*` connections offer `h2` and `http/1.1` ([`Alpn::Http2`]), as Go's transport
//! does, and speak HTTP/2 when the server picks it (`super::h2`); `ws.connect` and rload's own
//! connections offer only `http/1.1` (a WebSocket upgrade is HTTP/1.1).

use std::sync::{Arc, OnceLock, RwLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme, SupportedProtocolVersion};
use tokio_rustls::TlsConnector;

/// k6's TLS versions, oldest first (`tlsVersion` values).
pub const VERSIONS: [&str; 5] = ["ssl3.0", "tls1.0", "tls1.1", "tls1.2", "tls1.3"];

/// The run's `tlsVersion` and `tlsCipherSuites`, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Indexes into [`VERSIONS`]: (min, max).
    pub versions: Option<(usize, usize)>,
    /// Cipher suite names, as k6 (IANA) spells them.
    pub cipher_suites: Option<Vec<String>>,
    /// k6's `tlsAuth`: client certificates, each for its domains.
    pub client_certs: Vec<ClientCert>,
}

/// One `tlsAuth` entry: a certificate chain and its key (PEM), presented to `domains`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCert {
    pub domains: Vec<String>,
    pub cert: String,
    pub key: String,
}

impl ClientCert {
    /// An entry whose certificate and key parse and that rustls can sign with (an encrypted
    /// key is refused by the caller).
    pub fn new(domains: Vec<String>, cert: String, key: String) -> Result<ClientCert, String> {
        let entry = ClientCert { domains, cert, key };
        let (chain, key) = entry.identity()?;
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(RootCertStore::empty())
            .with_client_auth_cert(chain, key)
            .map_err(|e| format!("rload (rustls) cannot use this certificate and key: {e}"))?;
        Ok(entry)
    }

    fn identity(&self) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
        let chain = CertificateDer::pem_slice_iter(self.cert.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("cert is not a PEM certificate chain: {e}"))?;
        if chain.is_empty() {
            return Err("cert holds no PEM certificate".into());
        }
        let key = PrivateKeyDer::from_pem_slice(self.key.as_bytes())
            .map_err(|e| format!("key is not an unencrypted PEM private key: {e}"))?;
        Ok((chain, key))
    }

    fn covers(&self, host: &str) -> bool {
        self.domains.iter().any(|d| d.eq_ignore_ascii_case(host))
    }
}

/// k6's `tlsVersion`: one version (`"tls1.2"`) or a range (`#{ min, max }`, either may be
/// left out: k6's defaults are TLS 1.0 to 1.3).
pub fn versions(min: Option<&str>, max: Option<&str>) -> Result<(usize, usize), String> {
    let index = |name: &str| {
        VERSIONS
            .iter()
            .position(|v| *v == name)
            .ok_or_else(|| format!("unknown TLS version \"{name}\" (one of {})", VERSIONS.join(", ")))
    };
    let (min, max) = (min.map(index).transpose()?.unwrap_or(1), max.map(index).transpose()?.unwrap_or(4));
    if min > max {
        return Err(format!("the minimum TLS version {} is above the maximum {}", VERSIONS[min], VERSIONS[max]));
    }
    if max < 3 {
        return Err(format!(
            "{} and older are TLS versions rload does not implement (rustls speaks TLS 1.2 and 1.3)",
            VERSIONS[max]
        ));
    }
    Ok((min, max))
}

fn suite_name(suite: &rustls::SupportedCipherSuite) -> String {
    format!("{:?}", suite.suite())
}

/// `tlsCipherSuites`: every name must be a suite rload has (a TLS 1.3 one changes nothing:
/// those are always on, as in Go).
pub fn cipher_suites(names: &[String]) -> Result<Vec<String>, String> {
    // Go's (k6's) names of the TLS 1.3 suites; rustls writes them `TLS13_…`.
    const TLS13: [&str; 3] = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"];
    let have: Vec<String> = rustls::crypto::ring::default_provider().cipher_suites.iter().map(suite_name).collect();
    let missing: Vec<&str> =
        names.iter().filter(|n| !have.contains(n) && !TLS13.contains(&n.as_str())).map(String::as_str).collect();
    if !missing.is_empty() {
        return Err(format!(
            "cipher suites rload (rustls) does not have: {} (it has {})",
            missing.join(", "),
            have.join(", ")
        ));
    }
    Ok(names.to_vec())
}

/// What a connection offers through ALPN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alpn {
    /// `http/1.1` only (WebSocket, rload's own connections).
    Http1,
    /// `h2`, then `http/1.1` (`http.*` requests).
    Http2,
}

impl Alpn {
    fn protocols(self) -> Vec<Vec<u8>> {
        match self {
            Alpn::Http1 => vec![b"http/1.1".to_vec()],
            Alpn::Http2 => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        }
    }
}

/// The configurations of one client certificate (or none): by verification, then ALPN.
type Configs = [[OnceLock<Arc<rustls::ClientConfig>>; 2]; 2];

/// The run's options and the configurations built from them on first use: one set without a
/// client certificate, one per `tlsAuth` entry.
#[derive(Default)]
struct RunTls {
    options: TlsOptions,
    configs: Vec<Configs>,
}

static RUN: RwLock<Option<Arc<RunTls>>> = RwLock::new(None);

/// Makes `options` the ones every test connection of this process follows from now on.
pub fn install(options: TlsOptions) {
    let configs = (0..=options.client_certs.len()).map(|_| Default::default()).collect();
    let run = (options != TlsOptions::default()).then(|| Arc::new(RunTls { options, configs }));
    *RUN.write().unwrap_or_else(|e| e.into_inner()) = run;
}

/// The connector for a connection of the test (`http.*`, `ws.connect`) to `host`: the run's
/// options, and the first `tlsAuth` certificate whose domains name `host`.
pub(crate) fn test_connector(insecure_skip_verify: bool, host: &str, alpn: Alpn) -> TlsConnector {
    let Some(run) = RUN.read().unwrap_or_else(|e| e.into_inner()).clone() else {
        return default_connector(insecure_skip_verify, alpn);
    };
    let cert = run.options.client_certs.iter().position(|c| c.covers(host));
    let cell = &run.configs[cert.map_or(0, |i| i + 1)][usize::from(insecure_skip_verify)][alpn as usize];
    let client_cert = cert.map(|i| &run.options.client_certs[i]);
    TlsConnector::from(Arc::clone(cell.get_or_init(|| build(insecure_skip_verify, &run.options, client_cert, alpn))))
}

/// The connector for this verification mode with rustls's defaults, offering HTTP/1.1;
/// cloning it only bumps a reference count.
pub(crate) fn connector(insecure_skip_verify: bool) -> TlsConnector {
    default_connector(insecure_skip_verify, Alpn::Http1)
}

fn default_connector(insecure_skip_verify: bool, alpn: Alpn) -> TlsConnector {
    static CONFIGS: Configs = [[OnceLock::new(), OnceLock::new()], [OnceLock::new(), OnceLock::new()]];
    let cell = &CONFIGS[usize::from(insecure_skip_verify)][alpn as usize];
    TlsConnector::from(Arc::clone(cell.get_or_init(|| build(insecure_skip_verify, &TlsOptions::default(), None, alpn))))
}

fn build(
    insecure_skip_verify: bool,
    options: &TlsOptions,
    client_cert: Option<&ClientCert>,
    alpn: Alpn,
) -> Arc<rustls::ClientConfig> {
    // An explicit provider: the process default is ambiguous when another dependency enables
    // aws-lc-rs as well.
    let mut provider = rustls::crypto::ring::default_provider();
    if let Some(names) = &options.cipher_suites {
        provider
            .cipher_suites
            .retain(|s| s.version().version == rustls::ProtocolVersion::TLSv1_3 || names.contains(&suite_name(s)));
    }
    let provider = Arc::new(provider);
    let (min, max) = options.versions.unwrap_or((1, 4));
    let versions: Vec<&'static SupportedProtocolVersion> = [(3, &rustls::version::TLS12), (4, &rustls::version::TLS13)]
        .into_iter()
        .filter(|(index, _)| (min..=max).contains(index))
        .map(|(_, version)| version)
        .collect();
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&versions)
        .expect("ring supports TLS 1.2 and 1.3 with the suites chosen");
    let builder = if insecure_skip_verify {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
    } else {
        builder.with_root_certificates(roots())
    };
    let identity = client_cert.map(|c| c.identity().expect("tlsAuth entries are checked when the options are read"));
    let mut config = match identity {
        Some((chain, key)) => {
            builder.with_client_auth_cert(chain, key).expect("tlsAuth entries are checked when the options are read")
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn.protocols();
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A throwaway client certificate ("rload client", issued by the tests' "rload file CA").
    pub(crate) const CLIENT_CERT: &str = "-----BEGIN CERTIFICATE-----
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
    pub(crate) const CLIENT_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqVvtx/mhkGgSjxBw
MA4q19CsEve/tfEN1GaPgRg5MKKhRANCAAQ9lYB9hpiTGzm1KGTgBFpXkJxpU6LP
BaFR0xy4VWnpqb7ytNap+Zxh49k/M1psdecaWsT/sNBL9HyWbfM2wh6a
-----END PRIVATE KEY-----
";

    #[test]
    fn a_tls_auth_entry_needs_a_certificate_and_key_rustls_can_use() {
        let domains = vec!["Example.com".to_string()];
        let entry = ClientCert::new(domains.clone(), CLIENT_CERT.into(), CLIENT_KEY.into()).unwrap();
        assert!(entry.covers("example.com") && !entry.covers("other.example.com"));
        assert!(ClientCert::new(domains.clone(), "x".into(), CLIENT_KEY.into())
            .unwrap_err()
            .contains("no PEM certificate"));
        assert!(ClientCert::new(domains, CLIENT_CERT.into(), "x".into()).unwrap_err().contains("key is not"));
    }

    #[test]
    fn tls_versions_and_suites_are_read_as_k6_names_them() {
        assert_eq!(versions(Some("tls1.2"), Some("tls1.2")), Ok((3, 3)));
        assert_eq!(versions(None, None), Ok((1, 4)), "k6's default range, narrowed to 1.2-1.3 when built");
        assert!(versions(Some("tls1.0"), Some("tls1.1"))
            .unwrap_err()
            .contains("tls1.1 and older are TLS versions rload does not implement"));
        assert!(versions(Some("tls1.3"), Some("tls1.2")).unwrap_err().contains("above the maximum"));
        assert!(versions(Some("tls9"), None).unwrap_err().contains("unknown TLS version \"tls9\""));
        let ok = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".to_string(), "TLS_AES_128_GCM_SHA256".to_string()];
        assert_eq!(cipher_suites(&ok).unwrap(), ok.to_vec());
        let cbc = ["TLS_RSA_WITH_AES_128_CBC_SHA".to_string()];
        assert!(cipher_suites(&cbc).unwrap_err().contains("does not have: TLS_RSA_WITH_AES_128_CBC_SHA"));
    }
}
