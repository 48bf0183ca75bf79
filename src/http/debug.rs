//! k6's `--http-debug[=full]` (option `httpDebug`, `K6_HTTP_DEBUG`): every request and its
//! response logged as they went over the wire, headers only or (`full`) with the bodies.
//!
//! As k6 does, each hop (redirects included) is two info lines of the run's log
//! (`crate::logger`), `Request:` then `Response:`, each with the dump in HTTP/1.1 form (`\n`
//! line ends), the fields `request_id` (one UUID per hop, the pair's key when VUs interleave)
//! and `source=http-debug`. A request that got no response logs its request only. rload logs a
//! hop's request once its response is in, so the two lines of a pair are adjacent.
//!
//! Not here: building or sending the request (`client.rs`, which calls [`log`] when enabled).

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, HOST, TRANSFER_ENCODING};
use http::Request;

use super::headers::canonical_name;
use super::HttpOutcome;
use crate::logger::{self, Level};

/// What `httpDebug` logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HttpDebug {
    /// Nothing (`""`, the default).
    #[default]
    Off,
    /// Request and response heads (`--http-debug`, `"headers"`).
    Headers,
    /// Heads and bodies (`--http-debug=full`).
    Full,
}

impl HttpDebug {
    /// k6's values: `""` (off), `headers` (what a bare `--http-debug` means) and `full`.
    pub fn parse(text: &str) -> Result<HttpDebug, String> {
        match text {
            "" => Ok(HttpDebug::Off),
            "headers" => Ok(HttpDebug::Headers),
            "full" => Ok(HttpDebug::Full),
            other => Err(format!("invalid value \"{other}\" (use \"full\", \"headers\" or \"\")")),
        }
    }

    /// The value as k6 writes it in options.
    pub fn name(self) -> &'static str {
        match self {
            HttpDebug::Off => "",
            HttpDebug::Headers => "headers",
            HttpDebug::Full => "full",
        }
    }
}

/// Logs one hop: `request` as sent (with `body` under `full`) and, if the hop got a response,
/// `outcome`'s status line, headers and (under `full`) body.
pub fn log(mode: HttpDebug, request: Option<&Request<Bytes>>, body: Option<&Bytes>, outcome: &HttpOutcome) {
    if mode == HttpDebug::Off {
        return;
    }
    let id = uuid::Uuid::new_v4().to_string();
    let fields = [("request_id", id.as_str()), ("source", "http-debug")];
    if let Some(request) = request {
        logger::log(Level::Info, None, &format!("Request:\n{}\n", dump_request(mode, request, body)), &fields);
    }
    if outcome.status != 0 {
        logger::log(Level::Info, None, &format!("Response:\n{}\n", dump_response(mode, outcome)), &fields);
    }
}

/// `GET /path?q HTTP/1.1`, `Host` first, the other headers as sent with Go's canonical names,
/// a blank line, and the body under `full`.
fn dump_request(mode: HttpDebug, request: &Request<Bytes>, body: Option<&Bytes>) -> String {
    let mut out = format!("{} {} HTTP/1.1\n", request.method(), request.uri());
    let headers = request.headers();
    for value in headers.get_all(HOST) {
        out.push_str(&format!("Host: {}\n", String::from_utf8_lossy(value.as_bytes())));
    }
    for (name, value) in headers.iter().filter(|(name, _)| **name != HOST) {
        out.push_str(&format!("{}: {}\n", canonical_name(name.as_str()), String::from_utf8_lossy(value.as_bytes())));
    }
    // A body sent whole gets its length (http/h1/); the dump shows it as sent.
    let length = body.map_or(0, Bytes::len);
    if length > 0 && !headers.contains_key(CONTENT_LENGTH) && !headers.contains_key(TRANSFER_ENCODING) {
        out.push_str(&format!("Content-Length: {length}\n"));
    }
    out.push('\n');
    if let (HttpDebug::Full, Some(body)) = (mode, body) {
        out.push_str(&String::from_utf8_lossy(body));
    }
    out
}

/// `HTTP/1.1 200 OK`, the headers as received (canonical names, repeated values joined), a
/// blank line, and the body under `full`.
fn dump_response(mode: HttpDebug, outcome: &HttpOutcome) -> String {
    let mut out = format!("{} {}\n", outcome.proto, outcome.status_text());
    for (name, value) in &outcome.headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push('\n');
    if let (HttpDebug::Full, Some(body)) = (mode, &outcome.body) {
        out.push_str(&String::from_utf8_lossy(body));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Request<Bytes> {
        Request::builder()
            .method("POST")
            .uri("/items?x=1")
            .header("content-type", "application/json")
            .header("host", "127.0.0.1:8080")
            .body(Bytes::from_static(b"{\"a\":1}"))
            .unwrap()
    }

    fn outcome() -> HttpOutcome {
        let mut made = HttpOutcome::received(
            http::Method::POST,
            "http://127.0.0.1:8080/items?x=1",
            http::StatusCode::CREATED,
            b"made",
        );
        made.headers = vec![("Content-Type".into(), "text/plain".into())].into();
        made
    }

    #[test]
    fn headers_mode_dumps_heads_only_with_host_first() {
        let body = Bytes::from_static(b"{\"a\":1}");
        assert_eq!(
            dump_request(HttpDebug::Headers, &request(), Some(&body)),
            "POST /items?x=1 HTTP/1.1\nHost: 127.0.0.1:8080\nContent-Type: application/json\nContent-Length: 7\n\n"
        );
        assert_eq!(dump_response(HttpDebug::Headers, &outcome()), "HTTP/1.1 201 Created\nContent-Type: text/plain\n\n");
    }

    #[test]
    fn full_mode_adds_the_bodies() {
        let body = Bytes::from_static(b"{\"a\":1}");
        assert!(dump_request(HttpDebug::Full, &request(), Some(&body)).ends_with("\n\n{\"a\":1}"));
        assert!(dump_response(HttpDebug::Full, &outcome()).ends_with("\n\nmade"));
    }

    #[test]
    fn k6s_values_parse_and_others_are_refused() {
        assert_eq!(HttpDebug::parse("").unwrap(), HttpDebug::Off);
        assert_eq!(HttpDebug::parse("headers").unwrap(), HttpDebug::Headers);
        assert_eq!(HttpDebug::parse("full").unwrap(), HttpDebug::Full);
        assert!(HttpDebug::parse("ful").is_err());
    }
}
