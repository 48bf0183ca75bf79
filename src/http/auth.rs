//! Credentials in a request URL, as k6 treats them (through Go's client): `http://user:pass@host/`
//! sends a Basic `Authorization` header unless the script set one, and the `url` and `name`
//! tags show the credentials masked (`http://****:****@host/`), as k6's `URL.Clean()` does.
//! `res.url` keeps them, as in k6.
//!
//! Digest and NTLM (`params.auth`) are not implemented; the binding refuses them.

use std::borrow::Cow;

use base64::Engine as _;
use http::HeaderValue;
use percent_encoding::percent_decode_str;
use url::{Position, Url};

/// `Basic base64(user:password)` for a URL that carries credentials, `None` otherwise.
/// The URL holds them percent-encoded; the header carries them decoded, as Go sends them.
pub fn basic_header(url: &Url) -> Option<HeaderValue> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let user = percent_decode_str(url.username()).decode_utf8_lossy();
    let password = percent_decode_str(url.password().unwrap_or("")).decode_utf8_lossy();
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
    fn tags_show_the_credentials_masked() {
        assert_eq!(clean_url("http://user:pass@h:1/a?b=c"), "http://****:****@h:1/a?b=c");
        assert_eq!(clean_url("http://user@h/"), "http://****@h/");
        assert_eq!(clean_url("http://h/a@b"), "http://h/a@b");
    }
}
