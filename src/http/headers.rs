//! Header names and values as k6 shows them to scripts: Go's canonical names
//! (`textproto.CanonicalMIMEHeaderKey`) and repeated headers joined with `", "`.
//!
//! One rule for every response a script sees: `http.*` responses and the upgrade answer of
//! `ws.connect`. Request headers are sent as the script wrote them and are not touched here.

use std::cell::OnceCell;

use http::HeaderMap;

/// A response's header fields as received, shown in k6's form ([`canonical_headers`]) when first
/// read: most scripts never read them, and building k6's form eagerly (two strings per field)
/// was ~4% of a request's instructions.
#[derive(Debug, Clone, Default)]
pub struct ResponseHeaders {
    received: HeaderMap,
    canonical: OnceCell<Vec<(String, String)>>,
}

impl ResponseHeaders {
    pub fn new(received: HeaderMap) -> Self {
        ResponseHeaders { received, canonical: OnceCell::new() }
    }

    /// The fields with k6's canonical names, repeated values joined, in the order received.
    pub fn canonical(&self) -> &[(String, String)] {
        self.canonical.get_or_init(|| canonical_headers(&self.received))
    }
}

impl From<Vec<(String, String)>> for ResponseHeaders {
    /// Fields already in k6's form.
    fn from(canonical: Vec<(String, String)>) -> Self {
        ResponseHeaders { received: HeaderMap::new(), canonical: OnceCell::from(canonical) }
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

/// `content-type` → `Content-Type`, `X-REQUEST-ID` → `X-Request-Id`, `etag` → `Etag`: the first
/// letter and every letter after a `-` upper case, the rest lower case, as Go's
/// `CanonicalMIMEHeaderKey` (and so k6) does.
pub fn canonical_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() });
        upper = c == '-';
    }
    out
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
        let headers = ResponseHeaders::new(map);
        assert_eq!(headers.len(), 1);
        assert_eq!(headers.iter().next(), Some(&("X-Request-Id".to_string(), "7, 8".to_string())));
        assert!(ResponseHeaders::default().is_empty());
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
