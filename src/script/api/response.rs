//! The Response object scripts get from `http.*`: k6's fields, built lazily from the outcome.
//!
//! Getters convert on access, so a script that only reads `r.status` pays nothing for headers
//! or body conversion. Header names arrive in k6's canonical form (`Content-Type`) from
//! `crate::http::headers`; this file only converts.

use std::rc::Rc;

use rhai::{Blob, Dynamic, Engine, ImmutableString, Map};

use super::convert::header_map;
use crate::http::{HttpOutcome, ResponseType};

#[derive(Clone)]
pub struct Response(Rc<Inner>);

struct Inner {
    outcome: HttpOutcome,
    response_type: ResponseType,
    request_body: Option<bytes::Bytes>,
}

impl Response {
    pub fn new(outcome: HttpOutcome, response_type: ResponseType, request_body: Option<bytes::Bytes>) -> Self {
        Response(Rc::new(Inner { outcome, response_type, request_body }))
    }

    fn o(&self) -> &HttpOutcome {
        &self.0.outcome
    }

    fn body_text(&self) -> Option<String> {
        self.o().body.as_ref().map(|b| String::from_utf8_lossy(b).into_owned())
    }

    pub fn body(&self) -> Dynamic {
        match (&self.o().body, &self.0.response_type) {
            (None, _) | (_, ResponseType::None) => Dynamic::UNIT,
            (Some(b), ResponseType::Binary) => Dynamic::from_blob(b.to_vec()),
            (Some(b), ResponseType::Text) => Dynamic::from(String::from_utf8_lossy(b).into_owned()),
        }
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
        let text = self
            .body_text()
            .ok_or("the response has no body (was responseType \"none\" or discardResponseBodies set?)")?;
        serde_json::from_str(&text).map_err(|e| format!("cannot parse the response body as JSON: {e}"))
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

    fn request_map(&self) -> Map {
        let mut m = Map::new();
        m.insert("method".into(), self.o().method.as_str().to_string().into());
        m.insert("url".into(), self.o().url.clone().into());
        let body = self.0.request_body.as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
        m.insert("body".into(), body.into());
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
    engine.register_get("status_text", |r: &mut Response| ImmutableString::from(r.o().status_text.as_str()));
    engine.register_get("body", |r: &mut Response| r.body());
    engine.register_get("headers", |r: &mut Response| r.headers());
    engine.register_get("url", |r: &mut Response| ImmutableString::from(r.o().url.as_str()));
    engine.register_get("proto", |r: &mut Response| ImmutableString::from(r.o().proto));
    engine.register_get("remote_ip", |r: &mut Response| ImmutableString::from(r.o().remote_ip.as_str()));
    engine.register_get("remote_port", |r: &mut Response| r.o().remote_port as i64);
    engine.register_get("error", |r: &mut Response| r.o().error.clone().unwrap_or_default());
    engine.register_get("error_code", |r: &mut Response| r.o().error_code as i64);
    engine.register_get("timings", |r: &mut Response| r.timings());
    engine.register_get("request", |r: &mut Response| r.request_map());
    engine.register_fn("json", |r: &mut Response| r.json(None));
    engine.register_fn("json", |r: &mut Response, selector: &str| r.json(Some(selector)));
    engine.register_fn("to_string", |r: &mut Response| format!("Response({} {})", r.o().status, r.o().url));
    engine.register_fn("body_bytes", |r: &mut Response| -> Blob {
        r.o().body.as_ref().map(|b| b.to_vec()).unwrap_or_default()
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gjson_style_selection() {
        let v: serde_json::Value = serde_json::json!({"data": {"items": [{"id": "a"}, {"id": "b"}]}});
        assert_eq!(select(&v, "data.items.1.id").unwrap(), "b");
        assert!(select(&v, "data.missing").is_none());
        assert!(select(&v, "data.items.#").unwrap().is_array());
    }
}
