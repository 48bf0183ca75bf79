//! Header names and values as k6 shows them to scripts: Go's canonical names
//! (`textproto.CanonicalMIMEHeaderKey`) and repeated headers joined with `", "`.
//!
//! One rule for every response a script sees: `http.*` responses and the upgrade answer of
//! `ws.connect`. Request headers are sent as the script wrote them and are not touched here.

use http::HeaderMap;

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
