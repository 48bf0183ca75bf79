//! The Response object scripts get from `http.*`: k6's fields, built lazily from the outcome.
//!
//! Getters convert on access, so a script that only reads `r.status` pays nothing for headers
//! or body conversion. Header names arrive in k6's canonical form (`Content-Type`) from
//! `crate::http::headers`; this file only converts.
//!
//! A text body is converted once, on the first `r.body`, into a shared Rhai string; every later
//! read is a reference-count clone, so a script reading a 50 MB body twenty times holds it
//! once. `r.json()` parses the received bytes in place; `r.json(selector)` reads only the
//! selected value, with gjson as k6 does.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use bytes::Bytes;
use rhai::{Blob, Dynamic, Engine, ImmutableString, Map};

use super::convert::header_map;
use super::cookies::response_cookies_map;
use crate::http::headers::canonical_name;
use crate::http::{cookies, HttpOutcome, ResponseType};

#[derive(Clone)]
pub struct Response(Rc<Inner>);

struct Inner {
    /// The outcome without its body, which `body` holds.
    outcome: HttpOutcome,
    body: RefCell<Body>,
    response_type: ResponseType,
    /// `None` for a request that was not sent.
    request: Option<RequestRecord>,
    /// Whether the body is JSON, once a selector asked (k6 validates once per response).
    json_valid: Cell<Option<bool>>,
}

/// What `res.request` shows: the request as the script built it, before the client added
/// its own headers (`Host`, `Content-Length`, Basic credentials), as k6 shows it.
#[derive(Default)]
pub struct RequestRecord {
    pub method: http::Method,
    pub url: String,
    /// The script's headers, shared with the request that sent them.
    pub headers: Rc<[(String, String)]>,
    /// The `User-Agent` sent when the script's headers have none.
    pub user_agent: Option<http::HeaderValue>,
    /// The `Cookie` header made of the script's, the request's and the jar's cookies.
    pub cookie: Option<String>,
    pub body: Option<Bytes>,
}

/// The response body as received, and as the script's string once it asked for it. The bytes
/// are dropped when the string holds the same bytes (valid UTF-8), so the body is held once.
#[derive(Default)]
struct Body {
    raw: Option<Bytes>,
    text: Option<ImmutableString>,
}

impl Body {
    fn text(&mut self) -> Option<ImmutableString> {
        if self.text.is_none() {
            let raw = self.raw.as_ref()?;
            // Appending to an empty string copies once; `ImmutableString::from(&str)` would copy
            // twice (through a `String`), so a large body would briefly be held three times.
            let mut text = ImmutableString::new();
            match std::str::from_utf8(raw) {
                // The string holds the same bytes: the received ones go.
                Ok(valid) => {
                    text += valid;
                    self.raw = None;
                }
                // Invalid UTF-8 becomes U+FFFD in the text; the bytes stay for `body_bytes()`.
                Err(_) => text += String::from_utf8_lossy(raw).as_ref(),
            }
            self.text = Some(text);
        }
        self.text.clone()
    }

    /// The body's bytes, whichever form holds them.
    fn bytes(&self) -> Option<&[u8]> {
        self.raw.as_deref().or(self.text.as_ref().map(|text| text.as_bytes()))
    }
}

impl Response {
    /// `request` is `None` for a request k6 fails before sending it (a status-0 response
    /// whose `res.request` is k6's null, `()`).
    pub fn new(mut outcome: HttpOutcome, response_type: ResponseType, request: Option<RequestRecord>) -> Self {
        // Owned bytes already: the HTTP client copies a small HTTP/2 body out of hyper's buffer.
        let raw = outcome.body.take().filter(|_| response_type != ResponseType::None);
        let body = RefCell::new(Body { raw, text: None });
        Response(Rc::new(Inner { outcome, body, response_type, request, json_valid: Cell::new(None) }))
    }

    fn o(&self) -> &HttpOutcome {
        &self.0.outcome
    }

    /// `res.url`: the URL that answered, after redirects.
    pub fn url(&self) -> &str {
        self.o().url.as_str()
    }

    /// `r.body`: the shared string for a text body (no copy per read), a blob (a copy per read,
    /// as a Rhai blob is a plain byte vector) for a binary one, null (`Dynamic::NULL`, k6's `null`)
    /// without a body.
    pub fn body(&self) -> Dynamic {
        match self.0.response_type {
            ResponseType::None => Dynamic::NULL,
            ResponseType::Binary => {
                self.0.body.borrow().bytes().map_or(Dynamic::NULL, |b| Dynamic::from_blob(b.to_vec()))
            }
            ResponseType::Text => self.0.body.borrow_mut().text().map_or(Dynamic::NULL, Dynamic::from),
        }
    }

    fn body_bytes(&self) -> Blob {
        self.0.body.borrow().bytes().map(<[u8]>::to_vec).unwrap_or_default()
    }

    pub fn headers(&self) -> Map {
        header_map(&self.o().headers)
    }

    pub fn timings(&self) -> Map {
        let t = &self.o().timings;
        let mut m = Map::default();
        for (k, v) in [
            ("blocked", t.blocked),
            // k6 v1.1 resolves a host's name before it dials, outside the request's trace:
            // its looking_up is always 0 (the lookup's time is in blocked), and so is rload's.
            ("looking_up", 0.0),
            ("connecting", t.connecting),
            ("tls_handshaking", t.tls_handshaking),
            ("sending", t.sending),
            ("waiting", t.waiting),
            ("receiving", t.receiving),
            ("duration", t.duration),
        ] {
            m.insert(k.into(), v.into());
        }
        m
    }

    /// `r.json()`: the whole body as Rhai values (an error when it is not JSON, as k6 throws).
    /// `r.json(selector)`: the value at k6's gjson path (<https://github.com/tidwall/gjson#path-syntax>:
    /// `data.items.0.id`, `items.#`, `items.#.id`, `*` and `?`, queries, modifiers), `()` when
    /// nothing is there and, as in k6, when the body is not JSON at all.
    pub fn json(&self, selector: Option<&str>) -> Result<Dynamic, Box<rhai::EvalAltResult>> {
        let body = self.0.body.borrow();
        let bytes =
            body.bytes().ok_or("the response has no body (was responseType \"none\" or discardResponseBodies set?)")?;
        let Some(path) = selector else {
            return serde_json::from_slice::<Dynamic>(bytes)
                .map_err(|e| format!("cannot parse the response body as JSON: {e}").into());
        };
        // Invalid UTF-8 is read as U+FFFD, as `r.body` reads it. `from_utf8` first: for valid
        // text it is several times faster than `from_utf8_lossy`'s chunked walk.
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        let valid = match self.0.json_valid.get() {
            Some(valid) => valid,
            None => {
                let valid = gjson::valid(&text);
                self.0.json_valid.set(Some(valid));
                valid
            }
        };
        if !valid {
            return Ok(Dynamic::UNIT);
        }
        let selected = gjson::get(&text, path);
        if !selected.exists() {
            return Ok(Dynamic::UNIT);
        }
        gjson_value(&selected)
    }

    /// `res.request`: k6's `method`, `url`, `headers` (canonical name → values), `body` (a
    /// string) and `cookies` (name → `[#{ name, value, replace: false }]`, from the `Cookie`
    /// header sent); `()` for a request that was not sent, as k6 v1.1 gives `null`.
    fn request(&self) -> Dynamic {
        self.0.request.as_ref().map_or(Dynamic::NULL, |request| request_map(request).into())
    }
}

/// A sent request's `res.request`.
fn request_map(request: &RequestRecord) -> Map {
    let mut headers: Vec<(String, String)> = Vec::with_capacity(request.headers.len() + 2);
    // Go's `Header.Set`: one value per name, the last one written.
    let mut set = |name: &str, value: &str| {
        let name = canonical_name(name);
        match headers.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value.to_owned(),
            None => headers.push((name, value.to_owned())),
        }
    };
    if let Some(agent) = request.user_agent.as_ref().and_then(|v| v.to_str().ok()) {
        set("User-Agent", agent);
    }
    for (name, value) in request.headers.iter().filter(|(n, _)| !n.eq_ignore_ascii_case("cookie")) {
        set(name, value);
    }
    if let Some(cookie) = &request.cookie {
        set("Cookie", cookie);
    }
    let mut cookies = Map::default();
    for pair in request.cookie.as_deref().unwrap_or("").split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let mut cookie = Map::default();
        cookie.insert("name".into(), name.into());
        cookie.insert("value".into(), value.into());
        cookie.insert("replace".into(), false.into());
        let list = cookies.entry(name.into()).or_insert_with(|| Dynamic::from_array(Vec::new()));
        if let Some(mut list) = list.write_lock::<rhai::Array>() {
            list.push(cookie.into());
        }
    }
    let mut m = Map::default();
    m.insert("method".into(), request.method.as_str().into());
    m.insert("url".into(), request.url.clone().into());
    let headers: Map =
        headers.into_iter().map(|(name, value)| (name.into(), Dynamic::from_array(vec![value.into()]))).collect();
    m.insert("headers".into(), headers.into());
    let body = request.body.as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    m.insert("body".into(), body.into());
    m.insert("cookies".into(), cookies.into());
    m
}

/// A selected value as the script sees it: what `r.json()` would give for the same JSON text
/// (integers as `INT`, other numbers as `FLOAT`, `null` as `()`).
fn gjson_value(v: &gjson::Value) -> Result<Dynamic, Box<rhai::EvalAltResult>> {
    use gjson::Kind;
    Ok(match v.kind() {
        Kind::Null => Dynamic::NULL,
        Kind::True => Dynamic::TRUE,
        Kind::False => Dynamic::FALSE,
        Kind::String => v.str().into(),
        Kind::Number => match v.json().parse::<rhai::INT>() {
            Ok(int) => int.into(),
            Err(_) => v.f64().into(),
        },
        Kind::Array | Kind::Object => serde_json::from_str::<Dynamic>(v.json())
            .map_err(|e| format!("cannot read the selected JSON value: {e}"))?,
    })
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Response>("Response");
    engine.register_get("status", |r: &mut Response| r.o().status as i64);
    engine.register_get("status_text", |r: &mut Response| ImmutableString::from(r.o().status_text()));
    engine.register_get("body", |r: &mut Response| r.body());
    engine.register_get("headers", |r: &mut Response| r.headers());
    engine.register_get("cookies", |r: &mut Response| {
        response_cookies_map(cookies::response_cookies(&r.o().set_cookies))
    });
    engine.register_get("url", |r: &mut Response| ImmutableString::from(r.o().url.as_str()));
    engine.register_get("proto", |r: &mut Response| ImmutableString::from(r.o().proto));
    engine.register_get("remote_ip", |r: &mut Response| {
        r.o().remote_ip.map(|ip| ImmutableString::from(ip.to_string())).unwrap_or_default()
    });
    engine.register_get("remote_port", |r: &mut Response| r.o().remote_port as i64);
    engine.register_get("error", |r: &mut Response| r.o().error.clone().unwrap_or_default());
    engine.register_get("error_code", |r: &mut Response| r.o().error_code as i64);
    engine.register_get("timings", |r: &mut Response| r.timings());
    engine.register_get("request", |r: &mut Response| r.request());
    engine.register_fn("json", |r: &mut Response| r.json(None));
    engine.register_fn("json", |r: &mut Response, selector: &str| r.json(Some(selector)));
    engine.register_fn("to_string", |r: &mut Response| format!("Response({} {})", r.o().status, r.o().url));
    engine.register_fn("body_bytes", |r: &mut Response| -> Blob { r.body_bytes() });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &'static [u8], response_type: ResponseType) -> Response {
        let outcome = HttpOutcome::received(http::Method::GET, "http://127.0.0.1/", http::StatusCode::OK, body);
        Response::new(outcome, response_type, Some(RequestRecord::default()))
    }

    #[test]
    fn reading_the_body_twice_shares_one_string() {
        let r = response(br#"{"a":[1,2]}"#, ResponseType::Text);
        let first = r.body().into_immutable_string().unwrap();
        let second = r.body().into_immutable_string().unwrap();
        assert!(first.ptr_eq(&second), "the second read is the same string, not a copy");
        assert_eq!(first.as_str(), r#"{"a":[1,2]}"#);
        assert!(r.0.body.borrow().raw.is_none(), "the received bytes are not kept beside the text");
        assert_eq!(r.json(Some("a.1")).unwrap().as_int().unwrap(), 2, "json() reads the text's bytes");
        assert_eq!(r.body_bytes(), br#"{"a":[1,2]}"#.to_vec());
    }

    #[test]
    fn invalid_utf8_reads_as_replacement_text_and_keeps_its_bytes() {
        let r = response(b"ok\xff", ResponseType::Text);
        assert_eq!(r.body().into_immutable_string().unwrap().as_str(), "ok\u{fffd}");
        assert_eq!(r.body_bytes(), b"ok\xff".to_vec());
        let binary = response(b"\x00\xff", ResponseType::Binary);
        assert_eq!(binary.body().into_blob().unwrap(), vec![0, 0xff]);
        assert!(response(b"x", ResponseType::None).body().is_unit());
    }

    fn select(body: &'static str, path: &str) -> Dynamic {
        response(body.as_bytes(), ResponseType::Text).json(Some(path)).unwrap()
    }

    #[test]
    fn a_selector_is_a_gjson_path_as_in_k6() {
        let body = r#"{"data":{"items":[{"id":"a","n":1},{"id":"b","n":2.5}],"a.b":true,"none":null}}"#;
        assert_eq!(select(body, "data.items.1.id").into_string().unwrap(), "b");
        assert_eq!(select(body, "data.items.0.n").as_int().unwrap(), 1);
        assert_eq!(select(body, "data.items.1.n").as_float().unwrap(), 2.5);
        assert_eq!(select(body, "data.items.#").as_int().unwrap(), 2, "a trailing # counts");
        let ids = select(body, "data.items.#.id").into_array().unwrap();
        let ids: Vec<String> = ids.into_iter().map(|id| id.into_string().unwrap()).collect();
        assert_eq!(ids, ["a", "b"], "#.id collects the field of every element");
        assert_eq!(select(body, r#"data.items.#(n>2).id"#).into_string().unwrap(), "b", "a query");
        assert_eq!(select(body, "data.it*.0.id").into_string().unwrap(), "a", "a wildcard");
        assert!(select(body, r"data.a\.b").as_bool().unwrap(), "an escaped dot is part of the key");
        let item = select(body, "data.items.0").cast::<Map>();
        assert_eq!(item["id"].clone().into_string().unwrap(), "a");
        assert_eq!(item["n"].as_int().unwrap(), 1, "nested values read as r.json() reads them");
        assert!(select(body, "data.missing").is_unit());
        assert!(select(body, "data.none").is_unit());
        let escaped = select(r#"{"s":"a\"b\u00e9\n"}"#, "s").into_string().unwrap();
        assert_eq!(escaped, "a\"b\u{e9}\n", "a string is unescaped as r.json() unescapes it");
    }

    #[test]
    fn a_selector_on_a_body_that_is_not_json_gives_unit_and_the_whole_parse_throws() {
        let r = response(b"<html>oops</html>", ResponseType::Text);
        assert!(r.json(Some("data.id")).unwrap().is_unit(), "k6 returns undefined");
        let err = r.json(None).unwrap_err().to_string();
        assert!(err.contains("cannot parse the response body as JSON"), "{err}");
    }

    #[test]
    fn the_whole_body_parses_to_rhai_values() {
        let r = response(br#"{"a":[1,2.5,"x",null,{"b":false}]}"#, ResponseType::Text);
        let a = r.json(None).unwrap().cast::<Map>()["a"].clone().into_array().unwrap();
        assert_eq!(a[0].as_int().unwrap(), 1);
        assert_eq!(a[1].as_float().unwrap(), 2.5);
        assert_eq!(a[2].clone().into_string().unwrap(), "x");
        assert!(a[3].is_unit());
        assert!(!a[4].clone().cast::<Map>()["b"].as_bool().unwrap());
    }
}
