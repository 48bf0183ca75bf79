//! `/digest-auth/auth/{user}/{password}`: HTTP Digest authentication (RFC 7616, MD5,
//! `qop=auth`), as httpbin's route of the same name, for k6's `auth: "digest"`.
//!
//! A request without a valid `Authorization: Digest ...` gets 401 with a fresh challenge; one
//! whose response matches the user, the password and the nonce it quotes gets 200 and
//! `{"authenticated": true, "user": "..."}`. The target keeps no state: any nonce is accepted
//! once the client's answer for it is right, which is all a load-test target needs.

use axum::extract::Path;
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use md5::{Digest as _, Md5};
use serde_json::json;

/// The realm of every challenge.
pub const REALM: &str = "rload";

pub async fn digest_auth(
    method: Method,
    Path((user, password)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let answer = headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if answer.is_some_and(|answer| verifies(answer, method.as_str(), &user, &password)) {
        return Json(json!({ "authenticated": true, "user": user })).into_response();
    }
    let nonce = format!("{:032x}", rand::random::<u128>());
    let challenge = format!(
        "Digest realm=\"{REALM}\", qop=\"auth\", nonce=\"{nonce}\", opaque=\"{:x}\", algorithm=MD5",
        0x5ccc069c_u32
    );
    let mut response = (StatusCode::UNAUTHORIZED, "digest authentication required\n").into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    response
}

/// Whether `answer` (an `Authorization` value) is a right digest answer for `method`.
fn verifies(answer: &str, method: &str, user: &str, password: &str) -> bool {
    let Some(params) = answer.strip_prefix("Digest ") else { return false };
    let params = auth_params(params);
    let get = |key: &str| params.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str());
    let (Some(username), Some(nonce), Some(uri), Some(response)) =
        (get("username"), get("nonce"), get("uri"), get("response"))
    else {
        return false;
    };
    if username != user || get("realm") != Some(REALM) {
        return false;
    }
    let ha1 = md5_hex(&format!("{user}:{REALM}:{password}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    let expected = match (get("qop"), get("nc"), get("cnonce")) {
        (Some("auth"), Some(nc), Some(cnonce)) => md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")),
        (None, _, _) => md5_hex(&format!("{ha1}:{nonce}:{ha2}")),
        _ => return false,
    };
    expected == response
}

/// `key=value, key="quoted, value"` pairs.
fn auth_params(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut key, mut value, mut in_value, mut quoted) = (String::new(), String::new(), false, false);
    for c in text.chars().chain([',']) {
        match c {
            '"' if in_value => quoted = !quoted,
            ',' if !quoted => {
                if !key.trim().is_empty() {
                    out.push((key.trim().to_owned(), value.trim().to_owned()));
                }
                (key, value, in_value) = (String::new(), String::new(), false);
            }
            '=' if !in_value => in_value = true,
            c if in_value => value.push(c),
            c => key.push(c),
        }
    }
    out
}

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_right_answer_verifies_and_a_wrong_one_does_not() {
        let ha1 = md5_hex(&format!("u:{REALM}:p"));
        let ha2 = md5_hex("GET:/digest-auth/auth/u/p");
        let response = md5_hex(&format!("{ha1}:n1:00000001:c1:auth:{ha2}"));
        let answer = format!(
            "Digest username=\"u\", realm=\"{REALM}\", nonce=\"n1\", uri=\"/digest-auth/auth/u/p\", \
             response=\"{response}\", qop=auth, nc=00000001, cnonce=\"c1\""
        );
        assert!(verifies(&answer, "GET", "u", "p"));
        assert!(!verifies(&answer, "GET", "u", "other"));
        assert!(!verifies(&answer, "POST", "u", "p"));
        assert!(!verifies("Basic dTpw", "GET", "u", "p"));
    }
}
