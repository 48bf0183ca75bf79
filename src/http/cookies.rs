//! Cookies as k6 handles them: a VU's jar (RFC 6265 matching and storage by `cookie_store`),
//! the jar operations of k6's `CookieJar` (`set`, `cookiesForURL`, `clear`, `delete`), a
//! request's own cookies (`params.cookies`, with k6's `replace` rule) and the `Set-Cookie`
//! headers of a response as k6's `res.cookies` describes them.
//!
//! The jar behind a [`CookieJar`] handle is shared: the VU's client, the script's
//! `http.cookieJar()` and every request that names the jar in `params.jar` see the same
//! cookies. k6 gives each iteration a new jar (unless `noCookiesReset`); a handle the script
//! kept from an earlier iteration still works but is no longer the VU's.
//!
//! This module is not the script binding (`crate::script::api::cookies` converts Rhai values).

use std::cell::RefCell;
use std::rc::Rc;

use std::collections::HashMap;

use cookie_store::{CookieDomain, CookieStore, RawCookie};
use http::HeaderValue;
use url::Url;

/// What k6 reports as `expires` for a cookie without an `Expires` attribute: Go's zero
/// `time.Time` in milliseconds (`UnixNano() / 1e6`), which k6 passes on as is.
pub const NO_EXPIRES: i64 = -6_795_364_578_871;

/// A handle on a cookie jar; clones share the jar. See the module documentation.
#[derive(Debug, Clone, Default)]
pub struct CookieJar(Rc<RefCell<Jar>>);

/// A cookie's identity in the jar: domain, path, name.
type CookieKey = (CookieDomain, String, String);

/// The cookies, and the order they were first stored in, which Go's jar (k6's) keeps as each
/// cookie's creation time and lists cookies of equal path length by (`jar.cookiesForURL`, the
/// `Cookie` header). A cookie replaced keeps its place, as in Go.
#[derive(Debug, Default)]
struct Jar {
    store: CookieStore,
    created: HashMap<CookieKey, u64>,
    next: u64,
}

impl Jar {
    fn key(c: &cookie_store::Cookie) -> CookieKey {
        (c.domain.clone(), c.path.as_ref().to_owned(), c.name().to_owned())
    }

    /// Numbers the cookies stored since the last call (one at a time, so in their order) and
    /// forgets the ones gone.
    fn note_stored(&mut self) {
        let keys: Vec<CookieKey> = self.store.iter_any().map(Jar::key).collect();
        if self.created.len() > keys.len() {
            let present: std::collections::HashSet<&CookieKey> = keys.iter().collect();
            self.created.retain(|k, _| present.contains(k));
        }
        for key in keys {
            if !self.created.contains_key(&key) {
                self.created.insert(key, self.next);
                self.next += 1;
            }
        }
    }
}

/// One of a request's own cookies (`params.cookies`). With `replace`, a jar cookie of the same
/// name is not sent; without it both are (k6's rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestCookie {
    pub name: String,
    pub value: String,
    pub replace: bool,
}

/// The optional attributes of `jar.set(url, name, value, opts)`, as k6 names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CookieOptions {
    pub domain: Option<String>,
    pub path: Option<String>,
    /// An RFC 1123 date (`Mon, 02 Jan 2006 15:04:05 GMT`).
    pub expires: Option<String>,
    /// Go's `MaxAge`: 0 means none, a negative value deletes the cookie.
    pub max_age: i64,
    pub secure: bool,
    pub http_only: bool,
}

/// A `Set-Cookie` header as k6's `res.cookies` shows it (Go's `http.Cookie`): attributes as
/// written, `max_age` 0 when absent and -1 for `Max-Age=0` or less, `expires` in milliseconds
/// since the epoch or [`NO_EXPIRES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseCookie {
    pub name: String,
    pub value: String,
    pub domain: String,
    pub path: String,
    pub http_only: bool,
    pub secure: bool,
    pub max_age: i64,
    pub expires: i64,
}

impl CookieJar {
    /// Whether the jar holds no cookie at all.
    pub fn is_empty(&self) -> bool {
        self.0.borrow().store.iter_any().next().is_none()
    }

    /// The `Cookie` header for `url`: `header` (what the script's headers already hold), then
    /// the request's own cookies, then the jar's, except those a request cookie replaces. Each
    /// `name=value` pair is joined by `"; "`. An empty jar and no request cookies cost nothing.
    pub fn append_header(&self, url: &Url, request_cookies: &[RequestCookie], header: &mut String) {
        for cookie in request_cookies {
            push_pair(header, &cookie.name, &cookie.value);
        }
        let jar = self.0.borrow();
        if jar.store.iter_any().next().is_none() {
            return;
        }
        for (name, value) in sorted_matches(&jar, url) {
            if !request_cookies.iter().any(|c| c.replace && c.name == name) {
                push_pair(header, name, value);
            }
        }
    }

    /// Keeps a response's `Set-Cookie` values; malformed or foreign-domain cookies are
    /// ignored, as browsers and k6 do.
    pub fn store_response<'a>(&self, set_cookies: impl Iterator<Item = &'a HeaderValue>, url: &Url) {
        let mut values = set_cookies.peekable();
        if values.peek().is_none() {
            return;
        }
        let mut jar = self.0.borrow_mut();
        for value in values {
            if let Ok(text) = value.to_str() {
                let _ignored = jar.store.parse(text, url);
                jar.note_stored();
            }
        }
    }

    /// k6's `jar.cookiesForURL(url)`: name → values of the cookies the jar would send to `url`.
    pub fn cookies_for_url(&self, url: &Url) -> Vec<(String, Vec<String>)> {
        let jar = self.0.borrow();
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for (name, value) in sorted_matches(&jar, url) {
            match out.iter_mut().find(|(n, _)| n == name) {
                Some((_, values)) => values.push(value.to_owned()),
                None => out.push((name.to_owned(), vec![value.to_owned()])),
            }
        }
        out
    }

    /// k6's `jar.set(url, name, value, opts)`: stores the cookie as if `url` had set it (so a
    /// `domain` that does not match the URL's host is refused, as by Go's jar, silently).
    pub fn set(&self, url: &Url, name: &str, value: &str, opts: &CookieOptions) -> Result<(), String> {
        let mut cookie = RawCookie::new(name.to_owned(), value.to_owned());
        if let Some(path) = &opts.path {
            cookie.set_path(path.clone());
        }
        if let Some(domain) = &opts.domain {
            cookie.set_domain(domain.clone());
        }
        if let Some(expires) = opts.expires.as_deref().filter(|e| !e.is_empty()) {
            cookie.set_expires(parse_expires(expires)?);
        }
        match opts.max_age {
            0 => {}
            n if n < 0 => cookie.set_max_age(cookie::time::Duration::ZERO),
            n => cookie.set_max_age(cookie::time::Duration::seconds(n)),
        }
        cookie.set_secure(opts.secure.then_some(true));
        cookie.set_http_only(opts.http_only.then_some(true));
        let mut jar = self.0.borrow_mut();
        let _ignored = jar.store.insert_raw(&cookie, url);
        jar.note_stored();
        Ok(())
    }

    /// k6's `jar.clear(url)`: deletes, by name, the cookies the jar would send to `url`. As in
    /// k6 (through Go's jar) a deletion applies to the URL's host and default path, so a cookie
    /// set for a parent path survives a clear of a deeper URL.
    pub fn clear(&self, url: &Url) {
        let names: Vec<String> = sorted_matches(&self.0.borrow(), url).map(|(n, _)| n.to_owned()).collect();
        for name in names {
            self.delete(url, &name);
        }
    }

    /// k6's `jar.delete(url, name)`: deletes the cookie `name` of the URL's host and default path.
    pub fn delete(&self, url: &Url, name: &str) {
        let Some(host) = url.host_str() else { return };
        let mut jar = self.0.borrow_mut();
        jar.store.remove(host, &default_path(url), name);
        jar.note_stored();
    }
}

fn push_pair(header: &mut String, name: &str, value: &str) {
    if !header.is_empty() {
        header.push_str("; ");
    }
    header.push_str(name);
    header.push('=');
    header.push_str(value);
}

/// The jar's cookies for `url`, longest path first as Go's jar sends them. A `Secure` cookie
/// only goes to an `https` URL, as in Go's jar (k6's): `cookie_store` also sends it over plain
/// http to `localhost` and loopback addresses, the browsers' rule, which k6 does not follow.
fn sorted_matches<'a>(jar: &'a Jar, url: &Url) -> impl Iterator<Item = (&'a str, &'a str)> {
    let mut found = jar.store.matches(url);
    if url.scheme() != "https" {
        found.retain(|c| c.secure() != Some(true));
    }
    if found.len() > 1 {
        found.sort_by_cached_key(|c| {
            (std::cmp::Reverse(c.path.len()), jar.created.get(&Jar::key(c)).copied().unwrap_or(u64::MAX))
        });
    }
    found.into_iter().map(|c| c.name_value())
}

/// RFC 6265 §5.1.4 default-path: the URL's path up to, not including, its last `/`; `/` when
/// that leaves nothing.
fn default_path(url: &Url) -> String {
    let path = url.path();
    match path.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(at) => path[..at].to_owned(),
    }
}

/// An `expires` option as k6 reads it (Go's `time.RFC1123`).
fn parse_expires(text: &str) -> Result<cookie::time::OffsetDateTime, String> {
    let probe = format!("x=y; Expires={text}");
    RawCookie::parse(probe).ok().and_then(|c| c.expires_datetime()).ok_or_else(|| {
        format!("unable to parse \"expires\" date string \"{text}\" (like \"Mon, 02 Jan 2006 15:04:05 GMT\")")
    })
}

/// The response's `Set-Cookie` headers as k6's `res.cookies` lists them, in order; headers
/// that are not cookies are skipped, as Go does.
pub fn response_cookies(set_cookies: &[String]) -> Vec<ResponseCookie> {
    set_cookies.iter().filter_map(|text| response_cookie(text)).collect()
}

fn response_cookie(text: &str) -> Option<ResponseCookie> {
    let cookie = RawCookie::parse(text).ok()?;
    let max_age = match text_attribute(text, "max-age") {
        None => 0,
        Some(value) => match value.parse::<i64>() {
            // Go ignores a malformed value and a leading zero (`Max-Age=05`).
            Ok(secs) if secs != 0 && value.starts_with('0') => 0,
            Ok(secs) if secs <= 0 => -1,
            Ok(secs) => secs,
            Err(_) => 0,
        },
    };
    let expires = cookie.expires_datetime().map_or(NO_EXPIRES, |at| (at.unix_timestamp_nanos() / 1_000_000) as i64);
    Some(ResponseCookie {
        name: cookie.name().to_owned(),
        value: cookie.value().to_owned(),
        domain: text_attribute(text, "domain").unwrap_or_default().to_owned(),
        path: text_attribute(text, "path").unwrap_or_default().to_owned(),
        http_only: cookie.http_only() == Some(true),
        secure: cookie.secure() == Some(true),
        max_age,
        expires,
    })
}

/// An attribute of a `Set-Cookie` header as written (the `cookie` crate normalises `Domain`
/// and drops a `Max-Age` it cannot read; k6 shows Go's reading, which keeps them as sent).
fn text_attribute<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    // The last one wins, as in Go.
    text.split(';')
        .skip(1)
        .filter_map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
        .last()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn header(jar: &CookieJar, at: &str, request: &[RequestCookie]) -> String {
        let mut out = String::new();
        jar.append_header(&url(at), request, &mut out);
        out
    }

    #[test]
    fn request_cookies_come_first_and_replace_only_when_asked() {
        let jar = CookieJar::default();
        jar.set(&url("http://h/"), "s", "jar", &CookieOptions::default()).unwrap();
        jar.set(&url("http://h/"), "t", "jar", &CookieOptions::default()).unwrap();
        let request = [
            RequestCookie { name: "s".into(), value: "req".into(), replace: false },
            RequestCookie { name: "t".into(), value: "T".into(), replace: true },
        ];
        let sent = header(&jar, "http://h/x", &request);
        assert!(sent.starts_with("s=req; t=T; "), "{sent}");
        assert!(sent.contains("s=jar"), "without replace both are sent, as k6: {sent}");
        assert!(!sent.contains("t=jar"), "replace drops the jar's cookie: {sent}");
    }

    #[test]
    fn cookies_of_one_path_come_in_the_order_first_stored_as_in_go() {
        // k6 v1.1: jar.set zz, aa, mm then Object.keys(jar.cookiesForURL(u)) is zz,aa,mm (rload's
        // order was the hash map's, changing from run to run).
        let jar = CookieJar::default();
        let root = url("http://h/");
        for name in ["zz", "aa", "mm", "bb", "yy"] {
            jar.set(&root, name, "1", &CookieOptions::default()).unwrap();
        }
        jar.set(&root, "aa", "2", &CookieOptions::default()).unwrap();
        let set_cookie = HeaderValue::from_static("cc=3");
        jar.store_response(std::iter::once(&set_cookie), &root);
        jar.set(&root, "deep", "4", &CookieOptions { path: Some("/a".into()), ..Default::default() }).unwrap();
        let names: Vec<String> = jar.cookies_for_url(&url("http://h/a/b")).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["deep", "zz", "aa", "mm", "bb", "yy", "cc"]);
        assert_eq!(header(&jar, "http://h/", &[]), "zz=1; aa=2; mm=1; bb=1; yy=1; cc=3");
        jar.delete(&root, "zz");
        jar.set(&root, "zz", "5", &CookieOptions::default()).unwrap();
        assert_eq!(header(&jar, "http://h/", &[]), "aa=2; mm=1; bb=1; yy=1; cc=3; zz=5");
    }

    #[test]
    fn the_jar_api_follows_k6s_paths() {
        let jar = CookieJar::default();
        let root = url("http://h/");
        jar.set(&root, "s", "1", &CookieOptions::default()).unwrap();
        jar.set(&root, "j", "J", &CookieOptions { path: Some("/a".into()), ..Default::default() }).unwrap();
        assert_eq!(
            jar.cookies_for_url(&url("http://h/a/b")),
            vec![("j".into(), vec!["J".into()]), ("s".into(), vec!["1".into()])]
        );
        assert_eq!(jar.cookies_for_url(&root), vec![("s".into(), vec!["1".into()])]);
        jar.clear(&root);
        assert_eq!(jar.cookies_for_url(&root), vec![]);
        assert_eq!(jar.cookies_for_url(&url("http://h/a")), vec![("j".into(), vec!["J".into()])], "clear keeps /a");
        jar.delete(&url("http://h/a/b"), "j");
        assert_eq!(jar.cookies_for_url(&url("http://h/a")), vec![]);

        jar.set(&root, "gone", "x", &CookieOptions { max_age: -1, ..Default::default() }).unwrap();
        assert_eq!(jar.cookies_for_url(&root), vec![]);
        let secure = CookieOptions { secure: true, ..Default::default() };
        jar.set(&url("https://h/"), "sec", "x", &secure).unwrap();
        assert_eq!(jar.cookies_for_url(&root), vec![], "a secure cookie is not sent over http");
        assert_eq!(jar.cookies_for_url(&url("https://h/")), vec![("sec".into(), vec!["x".into()])]);
        assert!(jar
            .set(&root, "e", "x", &CookieOptions { expires: Some("soon".into()), ..Default::default() })
            .is_err());
        let future = CookieOptions { expires: Some("Wed, 21 Oct 2037 07:28:00 GMT".into()), ..Default::default() };
        jar.set(&root, "e", "x", &future).unwrap();
        assert_eq!(jar.cookies_for_url(&root), vec![("e".into(), vec!["x".into()])]);
    }

    #[test]
    fn a_secure_cookie_is_kept_but_not_sent_over_http_to_loopback_either() {
        // What k6 v1.1 does with a `Secure` cookie that http://127.0.0.1 or http://localhost
        // sets: Go's jar keeps it and sends it to https only.
        for base in ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"] {
            let jar = CookieJar::default();
            let set_cookie = HeaderValue::from_static("sec=v1; Path=/; Secure");
            jar.store_response(std::iter::once(&set_cookie), &url(base));
            let secure = CookieOptions { secure: true, ..Default::default() };
            jar.set(&url(base), "sec2", "x", &secure).unwrap();
            jar.set(&url(base), "plain", "p", &CookieOptions::default()).unwrap();
            assert_eq!(
                jar.cookies_for_url(&url(&format!("{base}/"))),
                vec![("plain".into(), vec!["p".into()])],
                "{base}"
            );
            assert_eq!(header(&jar, &format!("{base}/x"), &[]), "plain=p", "{base}");
            let https = url(base).as_str().replacen("http:", "https:", 1);
            let mut sent: Vec<String> = header(&jar, &https, &[]).split("; ").map(str::to_owned).collect();
            sent.sort();
            assert_eq!(sent, ["plain=p", "sec2=x", "sec=v1"], "{base}: https gets them all");
        }
    }

    #[test]
    fn response_cookies_read_like_go() {
        let cookies = response_cookies(&[
            "s=1; Path=/; HttpOnly".into(),
            "t=2; Max-Age=60; Domain=127.0.0.1; Secure".into(),
            "u=3; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Max-Age=0".into(),
        ]);
        // What k6 v1.1 printed for these three headers.
        assert_eq!(
            cookies,
            vec![
                ResponseCookie {
                    name: "s".into(),
                    value: "1".into(),
                    domain: "".into(),
                    path: "/".into(),
                    http_only: true,
                    secure: false,
                    max_age: 0,
                    expires: NO_EXPIRES,
                },
                ResponseCookie {
                    name: "t".into(),
                    value: "2".into(),
                    domain: "127.0.0.1".into(),
                    path: "".into(),
                    http_only: false,
                    secure: true,
                    max_age: 60,
                    expires: NO_EXPIRES,
                },
                ResponseCookie {
                    name: "u".into(),
                    value: "3".into(),
                    domain: "".into(),
                    path: "".into(),
                    http_only: false,
                    secure: false,
                    max_age: -1,
                    expires: 2_139_722_880_000,
                },
            ]
        );
    }

    #[test]
    fn default_paths_follow_rfc_6265() {
        assert_eq!(default_path(&url("http://h/")), "/");
        assert_eq!(default_path(&url("http://h/a")), "/");
        assert_eq!(default_path(&url("http://h/a/b")), "/a");
    }
}
