//! The service's body parser, `express.json({ limit: '1mb' })`, and what its error handler
//! makes of the parser's errors. It runs on every SyncKairos request before any route:
//!
//! - a body declared `application/json` is parsed in strict mode: it must be an object or an
//!   array, so malformed JSON, a bare `null` or a number is a parser error; so is a body over
//!   1 MiB. The service's error handler maps none of these to 400 (it ignores the parser's
//!   status), so each answers **500 `INTERNAL_ERROR`**, and so does the target;
//! - an empty body, or one not declared as JSON, is left unparsed and reads as `{}`.
//!
//! The parsed value travels to the handlers as the [`JsonBody`] request extension.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::routes::ApiError;

/// express.json's `limit: '1mb'`.
const LIMIT: usize = 1 << 20;

/// The request's body as the handlers see it (`req.body`).
#[derive(Debug, Clone)]
pub struct JsonBody(pub Arc<Value>);

/// Middleware: parses the body or answers the service's 500.
pub async fn parse_json(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let value = if is_json(&parts.headers) {
        let parsed = match axum::body::to_bytes(body, LIMIT).await {
            Ok(bytes) => json_body(&parts.headers, &bytes),
            Err(_) => Err(ApiError::internal()),
        };
        match parsed {
            Ok(value) => value,
            Err(error) => return error.into_response(),
        }
    } else {
        json!({})
    };
    let mut request = Request::from_parts(parts, Body::empty());
    request.extensions_mut().insert(JsonBody(Arc::new(value)));
    next.run(request).await
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"))
}

/// `req.body` for `body`: `{}` when there is none or it is not declared as JSON, the parsed
/// object or array otherwise, and the service's 500 for anything else.
pub(super) fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    if !is_json(headers) || body.is_empty() {
        return Ok(json!({}));
    }
    // Strict mode looks at the first character that is not JSON whitespace.
    let first = body.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    if !matches!(first, Some(b'{' | b'[')) {
        return Err(ApiError::internal());
    }
    serde_json::from_slice(body).map_err(|_| ApiError::internal())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn json_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
        headers
    }

    #[test]
    fn only_objects_and_arrays_declared_as_json_parse() {
        let headers = json_headers();
        assert_eq!(json_body(&headers, br#" {"a": 1}"#).unwrap(), json!({"a": 1}));
        assert_eq!(json_body(&headers, b"[]").unwrap(), json!([]));
        assert_eq!(json_body(&headers, b"").unwrap(), json!({}));
        assert_eq!(json_body(&HeaderMap::new(), b"not json").unwrap(), json!({}));
        for body in [&b"null"[..], b"5", b"\"x\"", b"{", b"  ", b"{\"a\":}"] {
            assert!(json_body(&headers, body).is_err(), "{}", String::from_utf8_lossy(body));
        }
    }
}
