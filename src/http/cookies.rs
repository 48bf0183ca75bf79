//! A VU's cookie jar: RFC 6265 matching and storage by `cookie_store`, plus the two
//! operations a request needs (the `Cookie` header to send, the `Set-Cookie`s to keep).

use cookie_store::CookieStore;
use http::header::SET_COOKIE;
use http::HeaderMap;
use url::Url;

#[derive(Debug, Default)]
pub(crate) struct Jar {
    store: CookieStore,
}

impl Jar {
    /// Appends the jar's cookies for `url` to `header` (`name=value` pairs joined by `"; "`).
    /// An empty jar costs no allocation.
    pub fn append_header(&self, url: &Url, header: &mut String) {
        if self.store.iter_any().next().is_none() {
            return;
        }
        for (name, value) in self.store.get_request_values(url) {
            if !header.is_empty() {
                header.push_str("; ");
            }
            header.push_str(name);
            header.push('=');
            header.push_str(value);
        }
    }

    /// Keeps the response's `Set-Cookie` headers; malformed or foreign-domain cookies are
    /// ignored, as browsers and k6 do.
    pub fn store_response(&mut self, headers: &HeaderMap, url: &Url) {
        for value in headers.get_all(SET_COOKIE) {
            if let Ok(text) = value.to_str() {
                let _ignored = self.store.parse(text, url);
            }
        }
    }
}
