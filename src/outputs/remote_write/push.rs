//! One remote-write push: an HTTP/1.1 POST of the snappy-compressed `WriteRequest` with the
//! headers the protocol requires (and k6's `User-Agent`, basic auth, bearer token and extra
//! headers), over TCP or TLS (`K6_PROMETHEUS_RW_INSECURE_SKIP_TLS_VERIFY` uses the engine's
//! accept-any verifier), within k6's 5 s timeout. It runs on the output's own thread, on a
//! small runtime of its own: never on a VU's thread, never waited for by one.

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::config::Config;

/// k6's remote-write client timeout, for the whole exchange.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// How much of an error response's body is quoted (Prometheus says there why it refused).
const ERROR_BODY_BYTES: usize = 300;

/// Sends pushes to one endpoint.
pub struct Pusher {
    runtime: tokio::runtime::Runtime,
    url: url::Url,
    headers: Vec<(String, String)>,
    insecure_skip_tls_verify: bool,
}

impl Pusher {
    pub fn new(config: &Config) -> Result<Pusher, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("could not start the remote-write client: {e}"))?;
        // As k6: the extra headers first, then what the protocol fixes.
        let mut headers = config.headers.clone();
        if let Some(user) = &config.username {
            let pair = format!("{user}:{}", config.password.as_deref().unwrap_or(""));
            headers.push(("Authorization".into(), format!("Basic {}", base64::prelude::BASE64_STANDARD.encode(pair))));
        }
        if let Some(token) = &config.bearer_token {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
            headers.push(("Authorization".into(), format!("Bearer {token}")));
        }
        for (k, v) in [
            ("User-Agent", "k6-prometheus-rw-output"),
            ("Content-Encoding", "snappy"),
            ("Content-Type", "application/x-protobuf"),
            ("X-Prometheus-Remote-Write-Version", "0.1.0"),
        ] {
            headers.retain(|(hk, _)| !hk.eq_ignore_ascii_case(k));
            headers.push((k.into(), v.into()));
        }
        Ok(Pusher {
            runtime,
            url: config.server_url.clone(),
            headers,
            insecure_skip_tls_verify: config.insecure_skip_tls_verify,
        })
    }

    /// POSTs `body`; `Err` says why it did not get a 2xx answer.
    pub fn push(&self, body: Vec<u8>) -> Result<(), String> {
        self.runtime.block_on(async {
            match tokio::time::timeout(TIMEOUT, self.post(body)).await {
                Ok(result) => result,
                Err(_) => Err(format!("no answer within {} s", TIMEOUT.as_secs())),
            }
        })
    }

    async fn post(&self, body: Vec<u8>) -> Result<(), String> {
        let host = self.url.host_str().unwrap_or_default();
        let port = self.url.port_or_known_default().unwrap_or(80);
        let tcp = TcpStream::connect((host.trim_start_matches('[').trim_end_matches(']'), port))
            .await
            .map_err(|e| format!("connecting to {host}:{port} failed: {e}"))?;
        let _ = tcp.set_nodelay(true);
        if self.url.scheme() == "https" {
            let name = rustls::pki_types::ServerName::try_from(host.to_string())
                .map_err(|e| format!("{host:?} is not a TLS server name: {e}"))?;
            let tls = crate::http::tls::connector(self.insecure_skip_tls_verify)
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS handshake with {host}:{port} failed: {e}"))?;
            self.exchange(tls, body).await
        } else {
            self.exchange(tcp, body).await
        }
    }

    async fn exchange<I>(&self, io: I, body: Vec<u8>) -> Result<(), String>
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (mut sender, connection) = hyper::client::conn::http1::handshake::<_, Full<Bytes>>(TokioIo::new(io))
            .await
            .map_err(|e| format!("HTTP handshake failed: {e}"))?;
        let driver = tokio::spawn(connection);
        let path = match self.url.query() {
            Some(q) => format!("{}?{q}", self.url.path()),
            None => self.url.path().to_string(),
        };
        let mut request = hyper::Request::post(path).header("Host", host_header(&self.url));
        for (k, v) in &self.headers {
            request = request.header(k.as_str(), v.as_str());
        }
        let request = request.body(Full::new(Bytes::from(body))).map_err(|e| format!("invalid request header: {e}"))?;
        let response = sender.send_request(request).await.map_err(|e| format!("HTTP POST request failed: {e}"))?;
        let status = response.status();
        let text = match Limited::new(response.into_body(), 64 * 1024).collect().await {
            Ok(b) => String::from_utf8_lossy(&b.to_bytes()).trim().to_string(),
            Err(_) => String::new(),
        };
        driver.abort();
        if status.is_success() {
            return Ok(());
        }
        let mut reason: String = text.chars().take(ERROR_BODY_BYTES).collect();
        if reason.len() < text.len() {
            reason.push('…');
        }
        Err(format!("got status code: {} instead expected a 2xx successful status code: {reason}", status.as_u16()))
    }
}

/// `host[:port]` as written in the URL.
fn host_header(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}
