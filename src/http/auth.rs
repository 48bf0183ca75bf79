//! Credentials in a request URL, as k6 treats them (through Go's client): `http://user:pass@host/`
//! sends a Basic `Authorization` header unless the script set one, and the `url` and `name`
//! tags show the credentials masked (`http://****:****@host/`), as k6's `URL.Clean()` does.
//! `res.url` keeps them, as in k6.
//!
//! `params.auth: "digest"` answers a server's `WWW-Authenticate: Digest` challenge as k6
//! does (RFC 7616 with MD5, `qop=auth` when offered): the request is sent, a 401 with a digest
//! challenge is answered by sending it again with the computed `Authorization`, and both
//! exchanges are hops of the request (k6 records both). The URL loses its credentials for
//! both hops, as in k6 (Go's client still sends the first one with a Basic header). A URL
//! without credentials answers with an empty user and password, as k6 does.
//!
//! NTLM (`auth: "ntlm"`) is not implemented; the binding refuses it.

use std::borrow::Cow;

use base64::Engine as _;
use http::HeaderValue;
use md5::{Digest as _, Md5};
use percent_encoding::percent_decode_str;
use url::{Position, Url};

use super::HttpOutcome;

/// k6's `params.auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Auth {
    /// Credentials in the URL become a Basic `Authorization` header (k6's default).
    #[default]
    Basic,
    /// Credentials in the URL answer a digest challenge.
    Digest,
}

/// The URL's credentials, percent-decoded, if it has any.
pub fn credentials(url: &Url) -> Option<(String, String)> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let user = percent_decode_str(url.username()).decode_utf8_lossy().into_owned();
    let password = percent_decode_str(url.password().unwrap_or("")).decode_utf8_lossy().into_owned();
    Some((user, password))
}

/// The parameters of a `WWW-Authenticate: Digest ...` challenge.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DigestChallenge {
    realm: String,
    nonce: String,
    opaque: Option<String>,
    algorithm: Option<String>,
    /// `auth` was among the offered `qop` values.
    qop_auth: bool,
}

impl DigestChallenge {
    /// Reads a `WWW-Authenticate` value; `None` unless it is a Digest challenge with a nonce.
    pub fn parse(header: &str) -> Option<DigestChallenge> {
        let header = header.trim_start();
        let (scheme, rest) = header.split_once(char::is_whitespace)?;
        if !scheme.eq_ignore_ascii_case("digest") {
            return None;
        }
        let mut challenge = DigestChallenge::default();
        for (key, value) in auth_params(rest) {
            match key.to_ascii_lowercase().as_str() {
                "realm" => challenge.realm = value,
                "nonce" => challenge.nonce = value,
                "opaque" => challenge.opaque = Some(value),
                "algorithm" => challenge.algorithm = Some(value),
                "qop" => challenge.qop_auth = value.split(',').any(|q| q.trim().eq_ignore_ascii_case("auth")),
                _ => {}
            }
        }
        (!challenge.nonce.is_empty()).then_some(challenge)
    }

    /// The `Authorization` value answering this challenge for `method` on `uri` (the request
    /// target, path and query), with client nonce `cnonce` and nonce count 1.
    pub fn authorization(&self, method: &str, uri: &str, user: &str, password: &str, cnonce: &str) -> String {
        let ha1 = md5_hex(&format!("{user}:{}:{password}", self.realm));
        let ha2 = md5_hex(&format!("{method}:{uri}"));
        let mut out =
            format!("Digest username=\"{user}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\"", self.realm, self.nonce);
        if self.qop_auth {
            let response = md5_hex(&format!("{ha1}:{}:00000001:{cnonce}:auth:{ha2}", self.nonce));
            out.push_str(&format!(", response=\"{response}\", qop=auth, nc=00000001, cnonce=\"{cnonce}\""));
        } else {
            let response = md5_hex(&format!("{ha1}:{}:{ha2}", self.nonce));
            out.push_str(&format!(", response=\"{response}\""));
        }
        if let Some(opaque) = &self.opaque {
            out.push_str(&format!(", opaque=\"{opaque}\""));
        }
        if let Some(algorithm) = &self.algorithm {
            out.push_str(&format!(", algorithm={algorithm}"));
        }
        out
    }
}

/// The `Authorization` answering the digest challenge of a 401 `response` to `method` on
/// `url`, if it carries one; a fresh client nonce each time.
pub(super) fn digest_answer(
    response: &HttpOutcome,
    method: &http::Method,
    url: &Url,
    user: &str,
    password: &str,
) -> Option<HeaderValue> {
    let header = response.headers.iter().find(|(k, _)| k == "Www-Authenticate").map(|(_, v)| v.as_str())?;
    let challenge = DigestChallenge::parse(header)?;
    let cnonce = format!("{:016x}", rand::random::<u64>());
    let uri = &url[Position::BeforePath..Position::AfterQuery];
    HeaderValue::from_str(&challenge.authorization(method.as_str(), uri, user, password, &cnonce)).ok()
}

/// `key=value` and `key="quoted, value"` pairs separated by commas.
fn auth_params(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else { break };
        let key = key.trim().trim_start_matches(',').trim().to_owned();
        let after = after.trim_start();
        let (value, remainder) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((at, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = at + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        out.push((key, value));
        rest = remainder.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// `Basic base64(user:password)` for a URL that carries credentials, `None` otherwise.
/// The URL holds them percent-encoded; the header carries them decoded, as Go sends them.
pub fn basic_header(url: &Url) -> Option<HeaderValue> {
    let (user, password) = credentials(url)?;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    HeaderValue::from_str(&format!("Basic {token}")).ok()
}

/// The URL as tags show it: credentials replaced by `****:****` (or `****` without a password).
pub fn clean_url(url: &str) -> Cow<'_, str> {
    if !url.contains('@') {
        return Cow::Borrowed(url);
    }
    let Ok(parsed) = Url::parse(url) else {
        return Cow::Borrowed(url);
    };
    if parsed.username().is_empty() && parsed.password().is_none() {
        return Cow::Borrowed(url);
    }
    let mask = if parsed.password().is_some() { "****:****" } else { "****" };
    Cow::Owned(format!("{}://{mask}@{}", parsed.scheme(), &parsed[Position::BeforeHost..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_credentials_become_a_basic_header() {
        let url = Url::parse("http://user:p%40ss@127.0.0.1:8080/x").unwrap();
        // base64("user:p@ss")
        assert_eq!(basic_header(&url).unwrap(), "Basic dXNlcjpwQHNz");
        assert_eq!(basic_header(&Url::parse("http://127.0.0.1/").unwrap()), None);
        assert_eq!(basic_header(&Url::parse("http://only@h/").unwrap()).unwrap(), "Basic b25seTo=");
    }

    #[test]
    fn a_digest_challenge_is_answered_as_rfc_7616_computes_it() {
        // RFC 2617 §3.5's example (the RFC 7616 MD5 computation is the same).
        let challenge = DigestChallenge::parse(
            r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        )
        .unwrap();
        let header = challenge.authorization("GET", "/dir/index.html", "Mufasa", "Circle Of Life", "0a4f113b");
        assert!(header.contains(r#"response="6629fae49393a05397450978507c4ef1""#), "{header}");
        assert!(header.contains("qop=auth, nc=00000001, cnonce=\"0a4f113b\""), "{header}");
        assert!(header.contains(r#"opaque="5ccc069c403ebaf9f0171e9517f40e41""#), "{header}");
        assert_eq!(DigestChallenge::parse(r#"Basic realm="x""#), None);
        assert_eq!(DigestChallenge::parse(r#"Digest realm="x""#), None, "no nonce");
    }

    #[test]
    fn tags_show_the_credentials_masked() {
        assert_eq!(clean_url("http://user:pass@h:1/a?b=c"), "http://****:****@h:1/a?b=c");
        assert_eq!(clean_url("http://user@h/"), "http://****@h/");
        assert_eq!(clean_url("http://h/a@b"), "http://h/a@b");
    }
}
