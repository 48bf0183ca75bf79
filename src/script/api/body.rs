//! A request body from the script's value, as k6 builds one: a string or a blob as is, `()`
//! for none, and a map form-urlencoded (`application/x-www-form-urlencoded`, unless the
//! script's headers name a content type). JSON is sent only when the script encodes it
//! (`body.to_json()`), as in k6, where a JS object body is a form and JSON needs
//! `JSON.stringify`. An array, a number or a bool fails the request with k6's error, which
//! names the type as Go does (`unknown request body type int64`).
//!
//! Form values are written as k6 writes them, through Go's `fmt` (`%v`): `true`, `1.5`,
//! `<nil>` for `()`, `map[k:v]` for a nested map; an array value repeats its key. Keys come
//! sorted (Go sorts them, where a Rhai map keeps insertion order) and are escaped as Go's `url.QueryEscape` does (space as `+`).
//!
//! A map holding an `http.file(data, filename, contentType)` is sent as `multipart/form-data`
//! instead, as k6 builds it with Go's `mime/multipart`: a random 60-hex-digit boundary, a file
//! part with `Content-Disposition: form-data; name="k"; filename="f"` and its `Content-Type`,
//! other values as plain fields written as in a form.
//!
//! The Go formatting ([`go_format`], [`go_syntax`], [`go_type`]) also writes the values k6's
//! other request errors quote (`invalid URL: '#5'`, `invalid method type '5'`).
//!
//! Also registers `to_json()` for arrays, which Rhai has only for maps, so that a port of
//! `JSON.stringify([...])` has a spelling.

use std::fmt::Write as _;

use bytes::Bytes;
use rhai::{Array, Blob, Dynamic, Engine, Map};

use super::exec;
use super::http::HttpApi;
use super::http_url::HttpUrl;
use super::key_order;
use super::shared_array::SharedArray;

/// The `Content-Type` of a map body.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// k6's `http.file(...)`: a file for a multipart body. Scripts read `data` (a blob),
/// `filename` and `content_type`, k6's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileData {
    pub data: Blob,
    pub filename: String,
    pub content_type: String,
}

impl FileData {
    /// k6's defaults: the current time in nanoseconds as the file name, and
    /// `application/octet-stream`.
    fn new(data: Dynamic, filename: Option<&str>, content_type: Option<&str>) -> Result<Self, String> {
        let data = if data.is_blob() {
            data.cast::<Blob>()
        } else if data.is_string() {
            data.into_string().unwrap_or_default().into_bytes()
        } else {
            return Err(format!(
                "http.file: data must be a string or a blob (open(path, \"b\")), got {}",
                data.type_name()
            ));
        };
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Ok(FileData {
            data,
            filename: filename.map_or_else(|| now.as_nanos().to_string(), str::to_owned),
            content_type: content_type.unwrap_or("application/octet-stream").to_owned(),
        })
    }
}

pub fn register(engine: &mut Engine) {
    engine.register_fn("to_json", |array: &mut Array| to_json(&JsonArray { items: array, js: false }));
    // In place of Rhai's own, which writes strings with Rust's escapes (`"\u{1}"`, not JSON)
    // and NaN as `NaN`. As JSON.stringify: control characters as `\u0001`, NaN and infinities
    // as null. Faster too: `let j = session.to_json();` of scenario 03's body took 21,917
    // instructions, 11,005 this way.
    engine.register_fn("to_json", |map: &mut Map| to_json(&JsonMap { map, js: false }));
    type File = Result<FileData, Box<rhai::EvalAltResult>>;
    engine.register_type_with_name::<FileData>("FileData");
    engine.register_fn("file", |_: HttpApi, data: Dynamic| -> File { Ok(FileData::new(data, None, None)?) });
    engine.register_fn("file", |_: HttpApi, data: Dynamic, name: &str| -> File {
        Ok(FileData::new(data, Some(name), None)?)
    });
    engine.register_fn("file", |_: HttpApi, data: Dynamic, name: &str, content_type: &str| -> File {
        Ok(FileData::new(data, Some(name), Some(content_type))?)
    });
    engine.register_get("data", |f: &mut FileData| f.data.clone());
    engine.register_get("filename", |f: &mut FileData| f.filename.clone());
    engine.register_get("content_type", |f: &mut FileData| f.content_type.clone());
}

/// `value.to_json()`: JSON text as k6's `JSON.stringify` writes it.
fn to_json(value: &impl serde::Serialize) -> Result<String, Box<rhai::EvalAltResult>> {
    serde_json::to_string(value).map_err(|e| format!("to_json: {e}").into())
}

/// `js_json(v)`, a converted script's `JSON.stringify(v)`: as `to_json()`, but `undefined` (a
/// `()` that is not `null`, [`Dynamic::NULL`]) is left out of an object and written as `null` in
/// an array, and `JSON.stringify(undefined)` is undefined itself, not text.
pub fn js_json(value: &Dynamic) -> Result<Dynamic, Box<rhai::EvalAltResult>> {
    if is_undefined(value) || is_function(value) {
        return Ok(Dynamic::UNIT);
    }
    Ok(to_json(&JsonValue::js(value))?.into())
}

/// JavaScript's `undefined`: a `()` not tagged as `null`.
fn is_undefined(value: &Dynamic) -> bool {
    value.is_unit() && !value.is_js_null()
}

/// A function, which `JSON.stringify` writes as `undefined` does: left out of an object, `null`
/// in an array.
fn is_function(value: &Dynamic) -> bool {
    value.is_fnptr() || value.is::<super::call::RestFn>()
}

/// A map as a JSON object, its keys in JavaScript's order ([`key_order`]), its values as
/// [`JsonValue`] (a map's keys have no `Serialize` of their own); with `js`, JSON.stringify's
/// object: without its `undefined` values.
struct JsonMap<'a> {
    map: &'a Map,
    js: bool,
}

impl serde::Serialize for JsonMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let js = self.js;
        let entries =
            key_order::entries(self.map).filter(|(_, value)| !(js && (is_undefined(value) || is_function(value))));
        serializer.collect_map(entries.map(|(key, value)| (key, JsonValue { value, js })))
    }
}

/// An array as a JSON array, its items as [`JsonValue`] (`()` as `null`, whichever it is).
struct JsonArray<'a> {
    items: &'a Array,
    js: bool,
}

impl serde::Serialize for JsonArray<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let js = self.js;
        serializer.collect_seq(self.items.iter().map(|value| JsonValue { value, js }))
    }
}

/// A value as Rhai serializes a `Dynamic`, except that `exec.vu.tags` is written as the map of
/// tags it is and a shared array as its elements (as `JSON.stringify` writes them in k6),
/// where Rhai would write their type's name, an `http.url` as k6's `{name, url, clean_url}`,
/// and a whole float as JavaScript writes its
/// number (`3`, where Rhai writes `3.0`). [`JsonValue::js`] writes objects as JavaScript's
/// `JSON.stringify` does, without their `undefined` values; [`JsonValue::rhai`] writes every
/// `()` as `null` (a Rhai script's `#{ a: () }.to_json()` is `{"a":null}`).
pub struct JsonValue<'a> {
    value: &'a Dynamic,
    js: bool,
}

impl<'a> JsonValue<'a> {
    pub fn rhai(value: &'a Dynamic) -> Self {
        JsonValue { value, js: false }
    }

    pub fn js(value: &'a Dynamic) -> Self {
        JsonValue { value, js: true }
    }

    fn map<'b>(&self, map: &'b Map) -> JsonMap<'b> {
        JsonMap { map, js: self.js }
    }

    fn array<'b>(&self, items: &'b Array) -> JsonArray<'b> {
        JsonArray { items, js: self.js }
    }
}

impl serde::Serialize for JsonValue<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let Some(map) = self.value.read_lock::<Map>() {
            return self.map(&map).serialize(serializer);
        }
        if self.js && is_function(self.value) {
            return serializer.serialize_unit();
        }
        if let Some(items) = self.value.read_lock::<Array>() {
            return self.array(&items).serialize(serializer);
        }
        if let Some(shared) = self.value.read_lock::<SharedArray>() {
            return self.array(&shared.to_array()).serialize(serializer);
        }
        // JavaScript's match array is an array; a RegExp has no own enumerable properties: `{}`.
        if let Some(m) = self.value.read_lock::<super::regexp_match::MatchResult>() {
            return self.array(&m.to_array()).serialize(serializer);
        }
        if self.value.is::<super::regexp::RegExp>() {
            return self.map(&Map::default()).serialize(serializer);
        }
        // jslib's URL is its href (its toJSON); a URLSearchParams, a Map and a Set have no own
        // enumerable properties: `{}`.
        if let Some(u) = self.value.read_lock::<super::url::JsUrl>() {
            return serializer.serialize_str(&u.href());
        }
        if self.value.is::<super::url::JsSearchParams>()
            || self.value.is::<super::collections::JsMap>()
            || self.value.is::<super::collections::JsSet>()
        {
            return self.map(&Map::default()).serialize(serializer);
        }
        // A Date is its ISO text, null when invalid (its toJSON).
        if let Some(date) = self.value.read_lock::<super::date::JsDate>() {
            return match date.iso() {
                Ok(text) => serializer.serialize_str(&text),
                Err(_) => serializer.serialize_unit(),
            };
        }
        if let Ok(x) = self.value.as_float() {
            // JavaScript writes a whole number below 1e21 without a fraction; i64 holds those
            // up to 2^63 exactly.
            if x.fract() == 0.0 && x.abs() < 9.2e18 {
                // Past 2^53 JavaScript writes the shortest digits that read back as x, then
                // zeros (2 ** 60 is 1152921504606847000), not x's exact value.
                let whole = match x.abs() < 9_007_199_254_740_992.0 {
                    true => x as i64,
                    false => super::convert::js_number(x).parse().unwrap_or(x as i64),
                };
                return serializer.serialize_i64(whole);
            }
        }
        if let Some(u) = self.value.read_lock::<HttpUrl>() {
            // k6's URL object: its three fields in Go's order.
            let clean_url = crate::http::auth::clean_url(&u.url);
            return UrlJson { name: &u.name, url: &u.url, clean_url: &clean_url }.serialize(serializer);
        }
        match exec::as_map(self.value) {
            Some(map) => self.map(&map).serialize(serializer),
            None => self.value.serialize(serializer),
        }
    }
}

/// `JSON.stringify(http.url`…`)` as k6 writes it.
#[derive(serde::Serialize)]
struct UrlJson<'a> {
    name: &'a str,
    url: &'a str,
    clean_url: &'a str,
}

/// Turns a script body into bytes, adding the form's `Content-Type` to `headers` for a map
/// body unless they name one.
pub fn body_bytes(body: Dynamic, headers: &mut Vec<(String, String)>) -> Result<Option<Bytes>, String> {
    if body.is_unit() {
        return Ok(None);
    }
    if body.is_string() {
        return Ok(Some(Bytes::from(body.into_string().unwrap_or_default())));
    }
    if body.is_blob() {
        return Ok(Some(Bytes::from(body.into_blob().unwrap_or_default())));
    }
    if body.is_map() {
        let map = body.cast::<Map>();
        let (bytes, content_type) = if map.values().any(|v| v.is::<FileData>()) {
            let boundary = boundary();
            (multipart(&map, &boundary), format!("multipart/form-data; boundary={boundary}"))
        } else {
            (form_urlencoded(&map).into_bytes(), FORM_CONTENT_TYPE.to_owned())
        };
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            headers.push(("Content-Type".into(), content_type));
        }
        return Ok(Some(Bytes::from(bytes)));
    }
    let hint = if body.is_array() {
        "encode it: body.to_json(), with a Content-Type header"
    } else {
        "send a string: `${value}`"
    };
    Err(format!("unknown request body type {} (a string, a blob, a map sent as a form, or ()); {hint}", go_type(&body)))
}

/// A map as k6 form-encodes it (Go's `url.Values.Encode`).
fn form_urlencoded(map: &Map) -> String {
    let mut out = String::new();
    for (key, value) in go_sorted(map) {
        match value.read_lock::<Array>() {
            Some(items) => items.iter().for_each(|item| push_pair(&mut out, key, &go_format(item))),
            None => push_pair(&mut out, key, &go_format(value)),
        }
    }
    out
}

/// A map's entries as Go sees the map k6 exports: sorted by key, bytewise (`url.Values.Encode`
/// and `fmt` sort them); a Rhai map keeps insertion order.
fn go_sorted(map: &Map) -> Vec<(&rhai::Identifier, &Dynamic)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    entries
}

/// Go's `multipart.Writer` boundary: 30 random bytes in hex.
fn boundary() -> String {
    let bytes: [u8; 30] = rand::random();
    bytes.iter().fold(String::with_capacity(60), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// A map with files as k6 sends it: one part per key, files with their name and type, other
/// values as form fields. k6 v1.1 writes the parts in Go's map order, which varies from run to
/// run (`{zeta, file, alpha}` came as zeta, file, alpha or as file, alpha, zeta): rload writes
/// them in the object's order (JavaScript's), one of those.
fn multipart(map: &Map, boundary: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in key_order::entries(map) {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match value.read_lock::<FileData>() {
            Some(file) => {
                out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{key}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                        escape_quotes(&file.filename),
                        file.content_type
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(&file.data);
            }
            None => {
                out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{}\"\r\n\r\n", escape_quotes(key)).as_bytes(),
                );
                out.extend_from_slice(go_format(value).as_bytes());
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// Go's `escapeQuotes` for multipart names: `\` and `"` escaped with a backslash.
fn escape_quotes(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn push_pair(out: &mut String, key: &str, value: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    query_escape(out, key);
    out.push('=');
    query_escape(out, value);
}

/// Go's `url.QueryEscape`: letters, digits and `-_.~` as they are, space as `+`, every other
/// byte as `%XX`.
fn query_escape(out: &mut String, text: &str) {
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
}

/// A value as Go's `fmt` `%v` prints what k6 exports from JavaScript.
pub fn go_format(value: &Dynamic) -> String {
    if value.is_unit() {
        return "<nil>".into();
    }
    if let Ok(f) = value.as_float() {
        return go_float(f);
    }
    if let Some(items) = value.read_lock::<Array>() {
        return format!("[{}]", items.iter().map(go_format).collect::<Vec<_>>().join(" "));
    }
    if let Some(map) = value.read_lock::<Map>() {
        let entries: Vec<String> = go_sorted(&map).iter().map(|(k, v)| format!("{k}:{}", go_format(v))).collect();
        return format!("map[{}]", entries.join(" "));
    }
    if value.is_string() {
        return value.clone().into_string().unwrap_or_default();
    }
    value.to_string()
}

/// A value as Go's `fmt` `%#v` prints what k6 exports from JavaScript, as k6's errors quote
/// it (`invalid method type '5'`): a string quoted, an array as `[]interface {}{"GET", 5}`, a
/// map as `map[string]interface {}{"a":1}`, `()` as `<nil>` (`interface {}(nil)` inside them).
pub fn go_syntax(value: &Dynamic) -> String {
    fn item(value: &Dynamic) -> String {
        if value.is_unit() {
            "interface {}(nil)".into()
        } else {
            go_syntax(value)
        }
    }
    if let Some(text) = value.read_lock::<rhai::ImmutableString>() {
        return format!("{:?}", text.as_str());
    }
    if let Some(items) = value.read_lock::<Array>() {
        return format!("[]interface {{}}{{{}}}", items.iter().map(item).collect::<Vec<_>>().join(", "));
    }
    if let Some(map) = value.read_lock::<Map>() {
        let entries: Vec<String> =
            go_sorted(&map).iter().map(|(k, v)| format!("{:?}:{}", k.as_str(), item(v))).collect();
        return format!("map[string]interface {{}}{{{}}}", entries.join(", "));
    }
    go_format(value)
}

/// The Go type k6 names for what it exports from a JavaScript value (Go's `%T`): `int64`,
/// `float64`, `bool`, `string`, `[]interface {}`, `map[string]interface {}`, `<nil>` for `()`;
/// Rhai's name for a type JavaScript has no counterpart of.
pub fn go_type(value: &Dynamic) -> &'static str {
    if value.is_unit() {
        "<nil>"
    } else if value.is_int() {
        "int64"
    } else if value.is_float() {
        // goja exports a whole number as an integer.
        value.as_float().map_or("float64", |f| if f.fract() == 0.0 && f.abs() < 1e21 { "int64" } else { "float64" })
    } else if value.is_bool() {
        "bool"
    } else if value.is_string() || value.is_char() {
        "string"
    } else if value.is_array() {
        "[]interface {}"
    } else if value.is_map() {
        "map[string]interface {}"
    } else {
        value.type_name()
    }
}

/// A JavaScript number as k6 forms print it: an integer value as an integer (JavaScript
/// exports it as one), else Go's `%v` of a float64, shortest digits with an exponent below
/// 1e-4 and from 1e21 (`1e-07`, `1e+21`).
fn go_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{}", f as i64);
    }
    let magnitude = f.abs();
    if f.is_finite() && !(1e-4..1e21).contains(&magnitude) {
        let text = format!("{f:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let (sign, digits) = exponent.strip_prefix('-').map_or(("+", exponent), |d| ("-", d));
        return format!("{mantissa}e{sign}{digits:0>2}");
    }
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    format!("{f}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_float_past_2_pow_53_is_written_as_javascript_writes_it() {
        let big = Dynamic::from(2f64.powi(60));
        assert_eq!(to_json(&JsonValue::js(&big)).unwrap(), "1152921504606847000");
        assert_eq!(to_json(&JsonValue::js(&Dynamic::from(2f64.powi(53)))).unwrap(), "9007199254740992");
    }

    #[test]
    fn js_json_leaves_undefined_out_of_objects_and_keeps_null() {
        // The JSON null a response gave, through parse_json, stays null when written back.
        let parsed: Dynamic = serde_json::from_str(r#"{"n":null}"#).unwrap();
        let mut map = parsed.cast::<Map>();
        map.insert("u".into(), Dynamic::UNIT);
        map.insert("list".into(), Dynamic::from_array(vec![Dynamic::UNIT, Dynamic::NULL]));
        let map = Dynamic::from(map);
        let text = |d: Dynamic| d.into_string().unwrap();
        assert_eq!(text(js_json(&map).unwrap()), r#"{"n":null,"list":[null,null]}"#);
        // A Rhai script's to_json() writes every `()`.
        assert_eq!(to_json(&JsonValue::rhai(&map)).unwrap(), r#"{"n":null,"u":null,"list":[null,null]}"#);
        assert!(js_json(&Dynamic::UNIT).unwrap().is_unit());
        assert_eq!(text(js_json(&Dynamic::NULL).unwrap()), "null");
    }

    #[test]
    fn js_json_writes_a_function_as_undefined() {
        // k6: JSON.stringify({ f: () => 1, k: [() => 2] }) is {"k":[null]}, of a function undefined.
        let f = Dynamic::from(rhai::FnPtr::new("anon").unwrap());
        let mut map = Map::default();
        map.insert("f".into(), f.clone());
        map.insert("k".into(), Dynamic::from_array(vec![f.clone()]));
        assert_eq!(js_json(&Dynamic::from(map)).unwrap().into_string().unwrap(), r#"{"k":[null]}"#);
        assert!(js_json(&f).unwrap().is_unit());
    }

    #[test]
    fn to_json_writes_numbers_as_json_stringify_does() {
        let mut map = Map::default();
        map.insert("whole".into(), Dynamic::from(3.0_f64));
        map.insert("neg".into(), Dynamic::from(-0.0_f64));
        map.insert("half".into(), Dynamic::from(1.5_f64));
        map.insert("int".into(), Dynamic::from(7_i64));
        map.insert("nan".into(), Dynamic::from(f64::NAN));
        // In the map's (insertion) order, as JSON.stringify writes an object's keys.
        assert_eq!(
            to_json(&JsonMap { map: &map, js: false }).unwrap(),
            r#"{"whole":3,"neg":0,"half":1.5,"int":7,"nan":null}"#
        );
    }

    #[test]
    fn a_map_body_is_the_form_k6_sends() {
        // The body k6 v1.1 sent for { a: 1, b: [1, "x y"], c: "é&=", d: { z: 1 }, e: null, f: true, g: 1.5 }.
        let mut nested = Map::default();
        nested.insert("z".into(), Dynamic::from(1_i64));
        let mut map = Map::default();
        map.insert("a".into(), Dynamic::from(1_i64));
        map.insert("b".into(), Dynamic::from_array(vec![Dynamic::from(1_i64), "x y".into()]));
        map.insert("c".into(), "é&=".into());
        map.insert("d".into(), nested.into());
        map.insert("e".into(), Dynamic::UNIT);
        map.insert("f".into(), true.into());
        map.insert("g".into(), Dynamic::from(1.5_f64));
        let mut headers = Vec::new();
        let bytes = body_bytes(map.into(), &mut headers).unwrap().unwrap();
        assert_eq!(&bytes[..], b"a=1&b=1&b=x+y&c=%C3%A9%26%3D&d=map%5Bz%3A1%5D&e=%3Cnil%3E&f=true&g=1.5");
        assert_eq!(headers, vec![("Content-Type".to_string(), FORM_CONTENT_TYPE.to_string())]);
    }

    #[test]
    fn the_scripts_content_type_wins_and_strings_go_as_they_are() {
        let mut headers = vec![("content-type".to_string(), "text/plain".to_string())];
        let mut map = Map::default();
        map.insert("a b".into(), "~*".into());
        assert_eq!(&body_bytes(map.into(), &mut headers).unwrap().unwrap()[..], b"a+b=~%2A");
        assert_eq!(headers.len(), 1);
        assert_eq!(&body_bytes(r#"{"a":1}"#.into(), &mut headers).unwrap().unwrap()[..], br#"{"a":1}"#);
        assert_eq!(body_bytes(Dynamic::UNIT, &mut headers).unwrap(), None);
    }

    /// k6 v1.1.0's errors name the type as Go does (`unknown request body type int64`); rload
    /// named it as Rhai does (`i64`, `array`).
    #[test]
    fn arrays_numbers_and_bools_are_refused_with_k6s_error_and_the_fix() {
        let err = body_bytes(Dynamic::from_array(vec![]), &mut Vec::new()).unwrap_err();
        assert!(err.starts_with("unknown request body type []interface {} (") && err.contains("to_json()"), "{err}");
        for (value, k6) in [(Dynamic::from(5_i64), "int64"), (Dynamic::from(1.5_f64), "float64"), (true.into(), "bool")]
        {
            let err = body_bytes(value, &mut Vec::new()).unwrap_err();
            assert!(err.starts_with(&format!("unknown request body type {k6} (")), "{err}");
        }
    }

    /// The Go formatting of k6's errors, as k6 v1.1.0 wrote them for these values.
    #[test]
    fn values_are_written_as_go_writes_what_k6_exports() {
        let items = |items: Vec<Dynamic>| Dynamic::from_array(items);
        assert_eq!(go_syntax(&items(vec!["GET".into()])), r#"[]interface {}{"GET"}"#);
        assert_eq!(go_syntax(&items(vec![])), "[]interface {}{}");
        assert_eq!(
            go_syntax(&items(vec![Dynamic::from(5_i64), Dynamic::UNIT])),
            "[]interface {}{5, interface {}(nil)}"
        );
        assert_eq!(go_syntax(&Dynamic::from(5_i64)), "5");
        let mut map = Map::default();
        map.insert("a".into(), Dynamic::from(1_i64));
        assert_eq!(go_syntax(&map.clone().into()), r#"map[string]interface {}{"a":1}"#);
        assert_eq!(go_format(&map.into()), "map[a:1]");
        assert_eq!(go_format(&Dynamic::UNIT), "<nil>");
        for (value, go) in [(Dynamic::from(5_i64), "int64"), (Dynamic::from(2.0_f64), "int64"), ("x".into(), "string")]
        {
            assert_eq!(go_type(&value), go);
        }
    }

    #[test]
    fn a_map_with_a_file_is_multipart_as_k6_builds_it() {
        let file = FileData::new(Dynamic::from_blob(vec![0, 255]), Some("a \"b\".bin"), Some("image/png")).unwrap();
        let mut map = Map::default();
        map.insert("field".into(), Dynamic::from(7_i64));
        map.insert("upload".into(), Dynamic::from(file));
        let mut headers = Vec::new();
        let body = body_bytes(map.into(), &mut headers).unwrap().unwrap();
        let content_type = &headers[0].1;
        let boundary = content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
        assert_eq!(boundary.len(), 60);
        let mut expected = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\n7\r\n--{boundary}\r\n\
             Content-Disposition: form-data; name=\"upload\"; filename=\"a \\\"b\\\".bin\"\r\n\
             Content-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        expected.extend_from_slice(&[0, 255]);
        expected.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        assert_eq!(body.to_vec(), expected);
    }

    #[test]
    fn a_file_has_k6s_defaults() {
        let file = FileData::new("text".into(), None, None).unwrap();
        assert_eq!(file.content_type, "application/octet-stream");
        assert!(file.filename.parse::<u128>().is_ok(), "the time in nanoseconds: {}", file.filename);
        assert!(FileData::new(Dynamic::from(1_i64), None, None).is_err());
    }

    #[test]
    fn floats_print_as_go_prints_javascript_numbers() {
        assert_eq!(go_float(2.0), "2");
        assert_eq!(go_float(-0.25), "-0.25");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(1.5e-7), "1.5e-07");
    }
}
