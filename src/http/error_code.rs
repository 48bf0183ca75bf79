//! k6's numeric error codes, and the mapping from our transport errors to them.
//!
//! The numbers and their meanings follow k6's "Error Codes" reference
//! (<https://grafana.com/docs/k6/latest/javascript-api/error-codes/>, list shared as
//! `k6-errors-list.md` in grafana/k6-docs); the short messages follow the ones k6 puts in
//! `res.error`, so the `error` tag keeps few distinct values.
//!
//! | code      | meaning (k6)                                         | produced here when                          |
//! |-----------|------------------------------------------------------|---------------------------------------------|
//! | 1000      | generic error not listed below                       | malformed response, connection closed early |
//! | 1010      | non-TCP network error (placeholder in k6)            | never                                       |
//! | 1020      | invalid URL                                          | unparsable URL, scheme not http(s), no host |
//! | 1050      | HTTP request timed out                               | `timeout` expired (message `request timeout`) |
//! | 1060      | rload: response body over `maxResponseBodySize`      | body (or its Content-Length) over the cap   |
//! | 1061      | rload: response head over the header limits          | more than 10 MiB or 10,000 header fields    |
//! | 1100      | generic DNS error                                    | lookup failed for another reason            |
//! | 1101      | no IP for the provided host was found                | lookup: no such host / no address           |
//! | 1110      | blacklisted IP                                       | never (no `blacklistIPs` yet)               |
//! | 1111      | blocked hostname                                     | never (no `blockHostnames` yet)             |
//! | 1200      | generic TCP error                                    | other read/write error without errno        |
//! | 1201      | broken pipe on write                                 | EPIPE                                       |
//! | 1202      | unknown TCP error with errno                         | other read/write error with errno           |
//! | 1210      | general TCP dial error                               | connect failed without errno; port > 65535  |
//! | 1211      | dial timeout                                         | connect took longer than 30 s               |
//! | 1212      | dial connection refused                              | ECONNREFUSED                                |
//! | 1213      | dial unknown error                                   | connect failed with another errno           |
//! | 1220      | reset by peer                                        | ECONNRESET                                  |
//! | 1300      | general TLS error                                    | any other TLS failure                       |
//! | 1301      | TLS record header error                              | the server does not speak TLS (plain port)  |
//! | 1310      | unknown authority                                    | certificate issuer not trusted              |
//! | 1311      | certificate doesn't match the hostname               | certificate not valid for the name          |
//! | 1400–1499 | HTTP 4xx responses                                   | `1000 + status`, with no `error` message    |
//! | 1500–1599 | HTTP 5xx responses                                   | `1000 + status`, with no `error` message    |
//! | 1600–1999 | nonstandard statuses 600–999                         | `1000 + status`, as k6                      |
//! | 16xx      | HTTP/2 errors                                        | never (HTTP/1.1 only)                       |
//! | 1701      | decompression error                                  | a kept body that its Content-Encoding fails |
//!
//! 1060 and 1061 are rload's own, in k6's "general" range: k6 has no body cap, and Go reports
//! its header limit as a generic 1000; a code of their own lets a check or threshold tell them
//! apart from a malformed response.

use std::borrow::Cow;
use std::io;

use super::{MAX_RESPONSE_HEADER_FIELDS, MAX_RESPONSE_HEAD_BYTES};

pub const GENERIC: u32 = 1000;
pub const NET_NON_TCP: u32 = 1010;
pub const INVALID_URL: u32 = 1020;
pub const REQUEST_TIMEOUT: u32 = 1050;
pub const RESPONSE_BODY_TOO_LARGE: u32 = 1060;
pub const RESPONSE_HEADERS_TOO_LARGE: u32 = 1061;
pub const DNS_GENERIC: u32 = 1100;
pub const DNS_NO_SUCH_HOST: u32 = 1101;
pub const TCP_GENERIC: u32 = 1200;
pub const TCP_BROKEN_PIPE: u32 = 1201;
pub const TCP_UNKNOWN_ERRNO: u32 = 1202;
pub const TCP_DIAL: u32 = 1210;
pub const TCP_DIAL_TIMEOUT: u32 = 1211;
pub const TCP_DIAL_REFUSED: u32 = 1212;
pub const TCP_DIAL_UNKNOWN_ERRNO: u32 = 1213;
pub const TCP_RESET_BY_PEER: u32 = 1220;
pub const TLS_GENERIC: u32 = 1300;
pub const TLS_HEADER: u32 = 1301;
pub const TLS_UNKNOWN_AUTHORITY: u32 = 1310;
pub const TLS_HOSTNAME_MISMATCH: u32 = 1311;
pub const RESPONSE_DECOMPRESSION: u32 = 1701;

/// The error code of a response: `1000 + status` for any status from 400 up (k6 gives 1999 for a
/// nonstandard 999), 0 otherwise.
pub fn for_status(status: u16) -> u32 {
    if status >= 400 {
        1000 + u32::from(status)
    } else {
        0
    }
}

/// A failed hop: k6's code and the message for `res.error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub code: u32,
    pub message: Cow<'static, str>,
}

impl Failure {
    pub fn new(code: u32, message: impl Into<Cow<'static, str>>) -> Self {
        Failure { code, message: message.into() }
    }

    pub fn timeout() -> Self {
        Failure::new(REQUEST_TIMEOUT, "request timeout")
    }

    /// A response body (or its announced Content-Length) over `maxResponseBodySize`. The
    /// message names the limit, not the size, so the `error` tag keeps one value per limit.
    pub fn body_too_large(limit: u64) -> Self {
        Failure::new(RESPONSE_BODY_TOO_LARGE, format!("response body exceeds maxResponseBodySize ({limit} bytes)"))
    }

    /// A response head over Go's limits ([`MAX_RESPONSE_HEAD_BYTES`], [`MAX_RESPONSE_HEADER_FIELDS`]).
    pub fn head_too_large() -> Self {
        Failure::new(
            RESPONSE_HEADERS_TOO_LARGE,
            format!(
                "server response headers exceeded {MAX_RESPONSE_HEAD_BYTES} bytes or {MAX_RESPONSE_HEADER_FIELDS} fields; aborted"
            ),
        )
    }

    /// The connection ended before the response did.
    pub fn unexpected_eof() -> Self {
        Failure::new(GENERIC, "unexpected EOF")
    }

    /// A response that is not HTTP as Go's client reads it.
    pub fn malformed(what: impl std::fmt::Display) -> Self {
        Failure::new(GENERIC, format!("malformed HTTP response: {what}"))
    }
}

/// An unparsable URL. Go's URL parser (and so k6) accepts any digits as a port and only the
/// dial fails, with 1210 and Go's message; it also takes a URL without a scheme (`notaurl`,
/// `/path`) as a relative one and `http://` as one without a host, which Go's client then fails
/// with 1000 (`unsupported protocol scheme ""`, `http: no Host in request URL`). Every other
/// parse error is k6's invalid URL.
pub(crate) fn for_url(raw: &str, err: url::ParseError) -> Failure {
    if err == url::ParseError::RelativeUrlWithoutBase && go_parses_relative(raw) {
        return unsupported_scheme("");
    }
    // `http://`: Go parses an empty host, and its client checks the scheme, then the host.
    if err == url::ParseError::EmptyHost {
        let scheme = raw.split_once(':').map_or("", |(scheme, _)| scheme).to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return unsupported_scheme(&scheme);
        }
        return Failure::new(GENERIC, "http: no Host in request URL");
    }
    if err == url::ParseError::InvalidPort {
        if let Some(port) = url_port(raw).filter(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())) {
            return Failure::new(TCP_DIAL, format!("dial tcp: address {port}: invalid port"));
        }
    }
    Failure::new(INVALID_URL, format!("invalid URL \"{raw}\": {err}"))
}

/// Go's client's failure for a URL whose scheme is not http or https (k6's 1000).
pub(crate) fn unsupported_scheme(scheme: &str) -> Failure {
    Failure::new(GENERIC, format!("unsupported protocol scheme \"{scheme}\""))
}

/// Whether Go's `url.Parse` reads `raw`, which has no scheme, as a relative URL: it refuses one
/// that starts with `:` ("missing protocol scheme") or whose first path segment has a `:` in it
/// (`127.0.0.1:80/x`: "first path segment in URL cannot contain colon").
fn go_parses_relative(raw: &str) -> bool {
    let first_segment = raw.split(['/', '?', '#']).next().unwrap_or("");
    !raw.starts_with(':') && !first_segment.contains(':')
}

/// The port as written in `scheme://user@host:port/...`, if the authority has one.
fn url_port(raw: &str) -> Option<&str> {
    let rest = &raw[raw.find("://")? + 3..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit('@').next()?;
    let colon = host_port.rfind(':')?;
    // `[::1]` has colons of its own: the port follows the closing bracket.
    (!host_port[colon..].contains(']')).then(|| &host_port[colon + 1..])
}

/// Which socket operation failed, for k6's `read: connection reset by peer` style messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Read,
    Write,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Read => "read",
            Op::Write => "write",
        }
    }
}

/// A failed name lookup. getaddrinfo's errors only reach us as text, so the "no such host"
/// cases (EAI_NONAME, EAI_NODATA) are recognised by their wording.
pub(crate) fn for_lookup(host: &str, err: Option<&io::Error>) -> Failure {
    let Some(err) = err else {
        return Failure::new(DNS_NO_SUCH_HOST, "lookup: no such host");
    };
    let text = err.to_string();
    let no_such_host = ["not known", "No address associated", "no such host", "nodename nor servname"]
        .iter()
        .any(|needle| text.contains(needle));
    if no_such_host {
        Failure::new(DNS_NO_SUCH_HOST, "lookup: no such host")
    } else {
        Failure::new(DNS_GENERIC, format!("lookup {host}: {text}"))
    }
}

/// A failed TCP connect.
pub(crate) fn for_dial(err: &io::Error) -> Failure {
    match err.kind() {
        io::ErrorKind::ConnectionRefused => Failure::new(TCP_DIAL_REFUSED, "dial: connection refused"),
        io::ErrorKind::TimedOut => Failure::new(TCP_DIAL_TIMEOUT, "dial: i/o timeout"),
        _ => match err.raw_os_error() {
            Some(errno) => Failure::new(
                TCP_DIAL_UNKNOWN_ERRNO,
                format!("dial: unknown errno {errno} error with msg `{}`", errno_text(err)),
            ),
            None => Failure::new(TCP_DIAL, format!("dial: {err}")),
        },
    }
}

/// An OS error as Go prints it (`network is unreachable`): the C library's text without Rust's
/// ` (os error 101)` suffix, lower-cased at the start.
fn errno_text(err: &io::Error) -> String {
    let text = err.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    chars.next().map(|first| first.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// A failed read or write on an established connection (TLS handshake included).
pub(crate) fn for_io(err: &io::Error, op: Op) -> Failure {
    if let Some(tls) = err.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        return for_tls(tls);
    }
    let op_name = op.as_str();
    match err.kind() {
        io::ErrorKind::ConnectionReset => {
            Failure::new(TCP_RESET_BY_PEER, format!("{op_name}: connection reset by peer"))
        }
        io::ErrorKind::BrokenPipe => Failure::new(TCP_BROKEN_PIPE, format!("{op_name}: broken pipe")),
        io::ErrorKind::UnexpectedEof => Failure::unexpected_eof(),
        _ => match err.raw_os_error() {
            Some(errno) => Failure::new(
                TCP_UNKNOWN_ERRNO,
                format!(
                    "{op_name}: unknown errno `{errno}` on {} with message `{}`",
                    std::env::consts::OS,
                    errno_text(err)
                ),
            ),
            None => Failure::new(TCP_GENERIC, format!("{op_name}: {err}")),
        },
    }
}

/// A TLS failure reported by rustls.
pub(crate) fn for_tls(err: &rustls::Error) -> Failure {
    use rustls::CertificateError as Cert;
    use rustls::InvalidMessage;
    match err {
        rustls::Error::InvalidCertificate(Cert::UnknownIssuer) => {
            Failure::new(TLS_UNKNOWN_AUTHORITY, "x509: unknown authority")
        }
        rustls::Error::InvalidCertificate(Cert::NotValidForName | Cert::NotValidForNameContext { .. }) => {
            Failure::new(TLS_HOSTNAME_MISMATCH, "x509: certificate doesn't match hostname")
        }
        // The first bytes back were not a TLS record: a plain-text server (Go: RecordHeaderError).
        rustls::Error::InvalidMessage(InvalidMessage::InvalidContentType | InvalidMessage::UnknownProtocolVersion) => {
            Failure::new(TLS_HEADER, "tls: first record does not look like a TLS handshake")
        }
        rustls::Error::InvalidMessage(InvalidMessage::MessageTooLarge) => {
            Failure::new(TLS_HEADER, "tls: oversized record received")
        }
        other => Failure::new(TLS_GENERIC, format!("tls: {other}")),
    }
}

/// A failure reported by hyper while sending the request or reading the response. `op` is
/// the last socket operation that failed, when one did.
pub(crate) fn for_hyper(err: &hyper::Error, op: Option<Op>) -> Failure {
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        if let Some(io_err) = inner.downcast_ref::<io::Error>() {
            return for_io(io_err, op.unwrap_or(Op::Read));
        }
        source = inner.source();
    }
    if err.is_parse_too_large() {
        Failure::head_too_large()
    } else if err.is_incomplete_message() {
        Failure::unexpected_eof()
    } else if err.is_parse() {
        Failure::malformed(err)
    } else {
        Failure::new(GENERIC, err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_map_to_1000_plus_status_from_400_up_as_k6() {
        assert_eq!(for_status(200), 0);
        assert_eq!(for_status(302), 0);
        assert_eq!(for_status(404), 1404);
        assert_eq!(for_status(503), 1503);
        assert_eq!(for_status(999), 1999);
    }

    #[test]
    fn dial_errors_follow_k6_codes() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(for_dial(&refused).code, TCP_DIAL_REFUSED);
        let timeout = io::Error::from(io::ErrorKind::TimedOut);
        assert_eq!(for_dial(&timeout).code, TCP_DIAL_TIMEOUT);
        let unreachable = io::Error::from_raw_os_error(libc::ENETUNREACH);
        assert_eq!(for_dial(&unreachable).code, TCP_DIAL_UNKNOWN_ERRNO);
    }

    #[test]
    fn os_errors_read_as_go_prints_them() {
        let unreachable = io::Error::from_raw_os_error(libc::ENETUNREACH);
        let failure = for_dial(&unreachable);
        let expected = format!("dial: unknown errno {} error with msg `network is unreachable`", libc::ENETUNREACH);
        assert_eq!(failure.message, expected);
    }

    #[test]
    fn only_a_numeric_port_out_of_range_reaches_the_dial() {
        assert_eq!(url_port("http://u:p@[::1]:99999/x?y"), Some("99999"));
        assert_eq!(url_port("http://[::1]/"), None);
        assert_eq!(url_port("http://host:80#frag"), Some("80"));
        let dial = for_url("http://127.0.0.1:70000", url::ParseError::InvalidPort);
        assert_eq!(dial, Failure::new(TCP_DIAL, "dial tcp: address 70000: invalid port"));
        assert_eq!(for_url("http://h:8x/", url::ParseError::InvalidPort).code, INVALID_URL);
        assert_eq!(for_url("http://h:/", url::ParseError::InvalidPort).code, INVALID_URL);
    }

    #[test]
    fn a_url_go_reads_as_relative_fails_at_the_client_as_in_k6() {
        let relative = Failure::new(GENERIC, "unsupported protocol scheme \"\"");
        assert_eq!(for_url("notaurl", url::ParseError::RelativeUrlWithoutBase), relative);
        assert_eq!(for_url("/path?q=1", url::ParseError::RelativeUrlWithoutBase), relative);
        assert_eq!(for_url("127.0.0.1:8080/x", url::ParseError::RelativeUrlWithoutBase).code, INVALID_URL);
        assert_eq!(for_url(":80", url::ParseError::RelativeUrlWithoutBase).code, INVALID_URL);
        let no_host = Failure::new(GENERIC, "http: no Host in request URL");
        assert_eq!(for_url("http://", url::ParseError::EmptyHost), no_host);
        assert_eq!(for_url("HTTPS://", url::ParseError::EmptyHost), no_host);
    }

    #[test]
    fn a_record_that_is_not_tls_is_a_header_error() {
        let plain = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
        assert_eq!(for_tls(&plain), Failure::new(TLS_HEADER, "tls: first record does not look like a TLS handshake"));
        let other = rustls::Error::InvalidMessage(rustls::InvalidMessage::MissingKeyExchange);
        assert_eq!(for_tls(&other).code, TLS_GENERIC);
    }

    #[test]
    fn io_errors_name_the_operation() {
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(for_io(&reset, Op::Read), Failure::new(TCP_RESET_BY_PEER, "read: connection reset by peer"));
        let pipe = io::Error::from(io::ErrorKind::BrokenPipe);
        assert_eq!(for_io(&pipe, Op::Write), Failure::new(TCP_BROKEN_PIPE, "write: broken pipe"));
    }

    #[test]
    fn tls_certificate_errors_have_their_own_codes() {
        let unknown = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        assert_eq!(for_tls(&unknown).code, TLS_UNKNOWN_AUTHORITY);
        let name = rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName);
        assert_eq!(for_tls(&name).code, TLS_HOSTNAME_MISMATCH);
        let wrapped = io::Error::new(io::ErrorKind::InvalidData, unknown);
        assert_eq!(for_io(&wrapped, Op::Read).code, TLS_UNKNOWN_AUTHORITY);
    }

    #[test]
    fn lookup_failures_distinguish_no_such_host() {
        let nx = io::Error::other("failed to lookup address information: Name or service not known");
        assert_eq!(for_lookup("nx.invalid", Some(&nx)).code, DNS_NO_SUCH_HOST);
        let again = io::Error::other("failed to lookup address information: Temporary failure in name resolution");
        assert_eq!(for_lookup("example.com", Some(&again)).code, DNS_GENERIC);
        assert_eq!(for_lookup("example.com", None).code, DNS_NO_SUCH_HOST);
    }
}
