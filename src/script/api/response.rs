//! The Response object scripts get from `http.*`: k6's fields, built lazily from the outcome.
//!
//! Getters convert on access, so a script that only reads `r.status` pays nothing for headers
//! or body conversion. Header names arrive in k6's canonical form (`Content-Type`) from
//! `crate::http::headers`; this file only converts.
//!
//! A text body is converted once, on the first `r.body`, into a shared Rhai string; every later
//! read is a reference-count clone, so a script reading a 50 MB body twenty times holds it
//! once. `r.json()` parses the received bytes in place.

use std::cell::RefCell;
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
    request: RequestRecord,
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

/// A body up to this size is copied out of the buffer it arrived in. hyper hands a body read
/// in one piece as a slice of the connection's 8 KiB read buffer, and a slice keeps the whole
/// buffer alive: a script that keeps two small responses through a `sleep` (SyncKairos's
/// `create_res` and `switch_res`) held two such buffers per VU, 16 KiB for a few hundred bytes
/// of JSON. Copying a body this small costs far less than a request.
const COPIED_BODY: usize = 16 * 1024;

impl Response {
    pub fn new(mut outcome: HttpOutcome, response_type: ResponseType, request: RequestRecord) -> Self {
        let raw = outcome.body.take().filter(|_| response_type != ResponseType::None).map(|raw| {
            if raw.len() <= COPIED_BODY {
                Bytes::copy_from_slice(&raw)
            } else {
                raw
            }
        });
        let body = RefCell::new(Body { raw, text: None });
        Response(Rc::new(Inner { outcome, body, response_type, request }))
    }

    fn o(&self) -> &HttpOutcome {
        &self.0.outcome
    }

    /// `r.body`: the shared string for a text body (no copy per read), a blob (a copy per read,
    /// as a Rhai blob is a plain byte vector) for a binary one, `()` without a body.
    pub fn body(&self) -> Dynamic {
        match self.0.response_type {
            ResponseType::None => Dynamic::UNIT,
            ResponseType::Binary => {
                self.0.body.borrow().bytes().map_or(Dynamic::UNIT, |b| Dynamic::from_blob(b.to_vec()))
            }
            ResponseType::Text => self.0.body.borrow_mut().text().map_or(Dynamic::UNIT, Dynamic::from),
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
        let mut m = Map::new();
        for (k, v) in [
            ("blocked", t.blocked),
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

    fn json_value(&self) -> Result<serde_json::Value, String> {
        let body = self.0.body.borrow();
        let bytes =
            body.bytes().ok_or("the response has no body (was responseType \"none\" or discardResponseBodies set?)")?;
        serde_json::from_slice(bytes).map_err(|e| format!("cannot parse the response body as JSON: {e}"))
    }

    /// `r.json()` or `r.json("data.items.0.id")` (k6's gjson-style path: dots, indexes, `#`).
    pub fn json(&self, selector: Option<&str>) -> Result<Dynamic, Box<rhai::EvalAltResult>> {
        let value = self.json_value()?;
        let selected = match selector {
            None | Some("") => Some(&value),
            Some(path) => select(&value, path),
        };
        match selected {
            None => Ok(Dynamic::UNIT),
            Some(serde_json::Value::Array(a)) if selector.is_some_and(|p| p.ends_with('#')) => {
                Ok((a.len() as i64).into())
            }
            Some(v) => rhai::serde::to_dynamic(v),
        }
    }

    /// `res.request`: k6's `method`, `url`, `headers` (canonical name → values), `body` (a
    /// string) and `cookies` (name → `[#{ name, value, replace: false }]`, from the `Cookie`
    /// header sent).
    fn request_map(&self) -> Map {
        let request = &self.0.request;
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
        let mut cookies = Map::new();
        for pair in request.cookie.as_deref().unwrap_or("").split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let mut cookie = Map::new();
            cookie.insert("name".into(), name.into());
            cookie.insert("value".into(), value.into());
            cookie.insert("replace".into(), false.into());
            let list = cookies.entry(name.into()).or_insert_with(|| Dynamic::from_array(Vec::new()));
            if let Some(mut list) = list.write_lock::<rhai::Array>() {
                list.push(cookie.into());
            }
        }
        let mut m = Map::new();
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
}

/// gjson-style selection: `a.b.0.c`; a trailing `#` selects the array itself (its length).
fn select<'a>(mut v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    for part in path.split('.') {
        if part == "#" {
            return v.is_array().then_some(v);
        }
        v = match v {
            serde_json::Value::Object(m) => m.get(part)?,
            serde_json::Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
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
    engine.register_get("request", |r: &mut Response| r.request_map());
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
        Response::new(outcome, response_type, RequestRecord::default())
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

    #[test]
    fn a_small_body_does_not_keep_the_connection_buffer_it_arrived_in() {
        let mut buffer = bytes::BytesMut::with_capacity(8192);
        buffer.extend_from_slice(br#"{"ok":true}"#);
        let start = buffer.as_ptr() as usize;
        let slice = buffer.split_to(11).freeze();
        let mut outcome = HttpOutcome::received(http::Method::GET, "http://127.0.0.1/", http::StatusCode::OK, b"");
        outcome.body = Some(slice);
        let r = Response::new(outcome, ResponseType::Text, RequestRecord::default());
        let held = r.0.body.borrow().raw.as_ref().map(|b| b.as_ptr() as usize).unwrap();
        assert!(!(start..start + 8192).contains(&held), "the response still points into the read buffer");
        assert_eq!(r.body_bytes(), br#"{"ok":true}"#.to_vec());
    }

    #[test]
    fn gjson_style_selection() {
        let v: serde_json::Value = serde_json::json!({"data": {"items": [{"id": "a"}, {"id": "b"}]}});
        assert_eq!(select(&v, "data.items.1.id").unwrap(), "b");
        assert!(select(&v, "data.missing").is_none());
        assert!(select(&v, "data.items.#").unwrap().is_array());
    }
}
