//! Header names and values as k6 shows them to scripts: Go's canonical names
//! (`textproto.CanonicalMIMEHeaderKey`) and repeated headers joined with `", "`.
//!
//! One rule for every response a script sees: `http.*` responses and the upgrade answer of
//! `ws.connect`. Request headers are sent as the script wrote them and are not touched here.

use std::cell::OnceCell;

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_ENCODING, SET_COOKIE};
use http::{HeaderMap, HeaderValue};

/// A response head's fields. rload's HTTP/1.1 keeps the head's bytes as received (one
/// allocation of its length, not the connection's buffer) and reads them into a `HeaderMap`
/// only when something asks: the script's `res.headers`, a redirect's `Location`, or a
/// `Set-Cookie` or `Content-Encoding` field, which the head's parse notes. Building the map
/// for every response was ~5% of a request's instructions, and most responses are never asked.
/// HTTP/2 heads come as a map.
#[derive(Debug, Clone, Default)]
pub struct HeadFields {
    /// The whole head (status line and fields), and how many fields it has.
    head: Bytes,
    count: usize,
    set_cookie: bool,
    content_encoding: bool,
    map: OnceCell<HeaderMap>,
}

impl HeadFields {
    /// A head rload's HTTP/1.1 parsed: `head` is all of it, with `count` fields.
    pub(crate) fn received(head: Bytes, count: usize, set_cookie: bool, content_encoding: bool) -> Self {
        HeadFields { head, count, set_cookie, content_encoding, map: OnceCell::new() }
    }

    /// Fields already in a map, whose values must be of their own, not slices of a
    /// connection's buffer (HTTP/2 heads go through [`own_values`] first).
    pub fn from_map(map: HeaderMap) -> Self {
        HeadFields {
            set_cookie: map.contains_key(SET_COOKIE),
            content_encoding: map.contains_key(CONTENT_ENCODING),
            map: OnceCell::from(map),
            ..HeadFields::default()
        }
    }

    /// All the fields.
    pub fn map(&self) -> &HeaderMap {
        self.map.get_or_init(|| crate::http::h1::header_map(&self.head, self.count))
    }

    /// The `Set-Cookie` values, in the order received.
    pub fn set_cookies(&self) -> impl Iterator<Item = &HeaderValue> {
        self.set_cookie.then(|| self.map().get_all(SET_COOKIE).iter()).into_iter().flatten()
    }

    /// The `Content-Encoding` field's (first) value.
    pub fn content_encoding(&self) -> Option<&HeaderValue> {
        self.content_encoding.then(|| self.map().get(CONTENT_ENCODING)).flatten()
    }
}

/// A response's header fields as received, shown in k6's form ([`canonical_headers`]) when first
/// read: most scripts never read them, and building k6's form eagerly (two strings per field)
/// was ~4% of a request's instructions.
#[derive(Debug, Clone, Default)]
pub struct ResponseHeaders {
    received: HeadFields,
    canonical: OnceCell<Vec<(String, String)>>,
}

impl ResponseHeaders {
    pub fn new(received: HeadFields) -> Self {
        ResponseHeaders { received, canonical: OnceCell::new() }
    }

    /// The fields with k6's canonical names, repeated values joined, in the order received.
    pub fn canonical(&self) -> &[(String, String)] {
        self.canonical.get_or_init(|| canonical_headers(self.received.map()))
    }
}

impl From<Vec<(String, String)>> for ResponseHeaders {
    /// Fields already in k6's form.
    fn from(canonical: Vec<(String, String)>) -> Self {
        ResponseHeaders { received: HeadFields::default(), canonical: OnceCell::from(canonical) }
    }
}

impl std::ops::Deref for ResponseHeaders {
    type Target = [(String, String)];

    fn deref(&self) -> &Self::Target {
        self.canonical()
    }
}

impl<'a> IntoIterator for &'a ResponseHeaders {
    type Item = &'a (String, String);
    type IntoIter = std::slice::Iter<'a, (String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.canonical().iter()
    }
}

/// Moves the values of `map` out of the buffer they were parsed from, into one allocation of
/// their total length. h2 (and hyper's HTTP/1.1, before rload's own) hands a response's header
/// values as slices of the connection's read buffer, and a slice keeps the whole buffer alive: a
/// script that keeps responses through a `sleep` (SyncKairos's `create_res` and `switch_res`)
/// held one such buffer per kept response, ~20 KB per VU in scenario 03, for a few hundred
/// bytes of header values. A value that would not pass `HeaderValue`'s check again (it passed
/// it once) is left as it was.
pub(crate) fn own_values(map: &mut HeaderMap) {
    let total: usize = map.values().map(HeaderValue::len).sum();
    if total == 0 {
        return;
    }
    let mut all = BytesMut::with_capacity(total);
    for value in map.values() {
        all.extend_from_slice(value.as_bytes());
    }
    let all: Bytes = all.freeze();
    let mut at = 0;
    for value in map.values_mut() {
        let len = value.len();
        if let Ok(mut owned) = HeaderValue::from_maybe_shared(all.slice(at..at + len)) {
            owned.set_sensitive(value.is_sensitive());
            *value = owned;
        }
        at += len;
    }
}

/// `content-type` → `Content-Type`, `X-REQUEST-ID` → `X-Request-Id`, `etag` → `Etag`: the first
/// letter and every letter after a `-` upper case, the rest lower case, as Go's
/// `CanonicalMIMEHeaderKey` (and so k6) does.
pub fn canonical_name(name: &str) -> String {
    let mut out = Vec::with_capacity(name.len());
    push_canonical_name(&mut out, name);
    String::from_utf8(out).expect("ASCII case changes keep UTF-8")
}

/// [`canonical_name`] written onto `out`: how rload's HTTP/1.1 connection puts a name on the
/// wire, as Go's `net/http` (k6) does, without a string per header.
pub fn push_canonical_name(out: &mut Vec<u8>, name: &str) {
    let mut upper = true;
    for &b in name.as_bytes() {
        out.push(if upper { b.to_ascii_uppercase() } else { b.to_ascii_lowercase() });
        upper = b == b'-';
    }
}

/// `headers` as k6 shows them: canonical names, one entry per name, repeated values joined
/// by `", "` in the order received.
pub fn canonical_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(headers.keys_len());
    for name in headers.keys() {
        let mut value = String::new();
        for part in headers.get_all(name) {
            if !value.is_empty() {
                value.push_str(", ");
            }
            value.push_str(&String::from_utf8_lossy(part.as_bytes()));
        }
        out.push((canonical_name(name.as_str()), value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_canonicalised_like_go() {
        assert_eq!(canonical_name("content-type"), "Content-Type");
        assert_eq!(canonical_name("x-request-id"), "X-Request-Id");
        assert_eq!(canonical_name("x-echo-user-agent"), "X-Echo-User-Agent");
        assert_eq!(canonical_name("CONTENT-LENGTH"), "Content-Length");
        assert_eq!(canonical_name("etag"), "Etag");
    }

    #[test]
    fn response_headers_read_in_k6s_form() {
        let mut map = HeaderMap::new();
        map.append("x-request-id", "7".parse().unwrap());
        map.append("x-request-id", "8".parse().unwrap());
        let headers = ResponseHeaders::new(HeadFields::from_map(map));
        assert_eq!(headers.len(), 1);
        assert_eq!(headers.iter().next(), Some(&("X-Request-Id".to_string(), "7, 8".to_string())));
        assert!(ResponseHeaders::default().is_empty());
    }

    #[test]
    fn kept_response_headers_do_not_keep_the_read_buffer_alive() {
        // A connection's read buffer, and a response head parsed from it as hyper does: the
        // values are slices of the buffer.
        let buffer = Bytes::from(b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nx-id: 7\r\n\r\n".to_vec());
        let slice = |value: &[u8]| {
            let at = buffer.windows(value.len()).position(|w| w == value).unwrap();
            HeaderValue::from_maybe_shared(buffer.slice(at..at + value.len())).unwrap()
        };
        let mut map = HeaderMap::new();
        map.append("content-type", slice(b"application/json"));
        map.append("x-id", slice(b"7"));
        map.append("x-id", slice(b"Created"));
        assert!(!buffer.is_unique());
        own_values(&mut map);
        let headers = ResponseHeaders::new(HeadFields::from_map(map));
        assert!(buffer.is_unique(), "a kept response must not hold the connection's read buffer");
        assert_eq!(
            headers.canonical(),
            [
                ("Content-Type".to_string(), "application/json".to_string()),
                ("X-Id".to_string(), "7, Created".to_string())
            ]
        );
    }

    #[test]
    fn repeated_headers_are_joined_in_order() {
        let mut map = HeaderMap::new();
        map.append("set-cookie", "a=1".parse().unwrap());
        map.append("set-cookie", "b=2".parse().unwrap());
        map.append("upgrade", "websocket".parse().unwrap());
        let mut headers = canonical_headers(&map);
        headers.sort();
        assert_eq!(headers, vec![("Set-Cookie".into(), "a=1, b=2".into()), ("Upgrade".into(), "websocket".into())]);
    }
}
