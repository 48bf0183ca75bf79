//! One `GET` of a metrics page over plain HTTP/1.1, bounded in time and size.
//!
//! The scraper's own small client, apart from the VUs' (`crate::http`): no cookies, redirects,
//! pool or k6 metrics; a fresh connection per scrape, which is what Prometheus's cost is too
//! once every few seconds. Only `http://` URLs: [`check_url`] rejects the rest before the run.

use std::time::Duration;

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use url::Url;

/// The largest page read; a bigger one is a failed scrape.
pub const MAX_PAGE_BYTES: usize = 16 << 20;

/// Parses a scrape URL as given to `--scrape` or `options.scrape`.
pub fn check_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("\"{text}\" is not a URL: {e}"))?;
    if url.scheme() != "http" {
        return Err(format!("\"{text}\": only http:// URLs can be scraped (got {}://)", url.scheme()));
    }
    if url.host_str().is_none() {
        return Err(format!("\"{text}\" has no host"));
    }
    Ok(url)
}

/// The page's text, or why there is none (the message names no transport types).
pub async fn fetch(url: &Url, timeout: Duration) -> Result<String, String> {
    match tokio::time::timeout(timeout, get(url)).await {
        Ok(result) => result,
        Err(_) => Err(format!("no answer within {}", crate::config::format_duration(timeout))),
    }
}

async fn get(url: &Url) -> Result<String, String> {
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((host, port)).await.map_err(|e| format!("connect: {e}"))?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| format!("handshake: {e}"))?;
    let driver = tokio::spawn(connection);
    let path = &url[url::Position::BeforePath..url::Position::AfterQuery];
    let authority = &url[url::Position::BeforeHost..url::Position::AfterPort];
    let request = http::Request::get(path)
        .header(http::header::HOST, authority)
        .header(http::header::ACCEPT, "text/plain;version=0.0.4")
        .header(http::header::USER_AGENT, concat!("rload/", env!("CARGO_PKG_VERSION"), " (scrape)"))
        .body(Empty::<Bytes>::new())
        .map_err(|e| format!("request: {e}"))?;
    let response = sender.send_request(request).await.map_err(|e| format!("request: {e}"));
    let result = match response {
        Ok(response) if response.status() != http::StatusCode::OK => Err(format!("HTTP {}", response.status())),
        Ok(response) => match Limited::new(response.into_body(), MAX_PAGE_BYTES).collect().await {
            Ok(body) => String::from_utf8(body.to_bytes().to_vec()).map_err(|_| "the page is not UTF-8".to_owned()),
            Err(e) => Err(format!("reading the page: {e}")),
        },
        Err(e) => Err(e),
    };
    driver.abort();
    result
}
