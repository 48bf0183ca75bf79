//! `parse_json(text)`: JavaScript's `JSON.parse` — any JSON value, and nothing but JSON. A plain
//! object takes a fast path; anything else is read as `r.json()` reads a response body
//! (serde_json): integers as `INT`, other numbers as `FLOAT`, `null` as `()` tagged as JavaScript's
//! null (`Dynamic::NULL`).
//!
//! Not Rhai's own `parse_json`: that one runs the script parser over the text and evaluates the
//! map literal it finds, so `{"a": 1+2}` gave `#{a: 3}`, and the converter's wrapping of other
//! values made `JSON.parse("1+2")` 3, where `JSON.parse` throws a SyntaxError. It is also slow
//! (~4 µs for a 60-byte message, a tenth of what a WebSocket `message` handler that parses each
//! message costs in all: bench/README.md, "10,000 WebSockets: delivery").
//!
//! What the fast path reads, exactly as serde_json (and Rhai) read it: a top-level object whose values are
//! objects, arrays, strings without escapes or control characters, `true`, `false`, `null`
//! (`()`), integers that fit an `INT` and decimals without an exponent (`f64` parsing, as
//! Rhai's tokenizer). It declines: escapes (Rhai and JSON escape differently), exponents,
//! leading zeros, duplicate or empty keys, nesting deeper than [`MAX_DEPTH`], text over
//! [`MAX_LEN`] (so no engine size limit can apply), and anything that is not JSON.

use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map, NativeCallContext, INT};

/// Deeper nesting is left to Rhai (its expression depth limit applies there).
const MAX_DEPTH: usize = 32;
/// Longer text is left to Rhai: below this no array, map or string can reach the engine's
/// size limits (`script::engine`).
const MAX_LEN: usize = 1 << 20;

pub fn register(engine: &mut Engine) {
    engine.register_fn("parse_json", |ctx: NativeCallContext, json: &str| -> Result<Dynamic, Box<EvalAltResult>> {
        if let Some(map) = fast_path(json) {
            return Ok(map.into());
        }
        strict(json, &ctx)
    });
}

/// JSON text as `r.json()` reads it. Text that is not JSON fails the call the way JavaScript's
/// `JSON.parse` throws: an error a script's `try`/`catch` can catch, whose text starts with
/// `invalid JSON: ` (a converted k6 script's `e.name` reads it as `SyntaxError`).
fn strict(json: &str, ctx: &NativeCallContext) -> Result<Dynamic, Box<EvalAltResult>> {
    serde_json::from_str::<Dynamic>(json)
        .map_err(|err| EvalAltResult::ErrorRuntime(format!("invalid JSON: {err}").into(), ctx.call_position()).into())
}

/// `json` read as serde_json (and Rhai's `parse_json`) would, or `None` when the fast path
/// declines it.
pub fn fast_path(json: &str) -> Option<Map> {
    if json.len() > MAX_LEN {
        return None;
    }
    let mut reader = Reader { text: json.as_bytes(), at: 0 };
    reader.skip_space();
    let map = reader.object(0)?;
    reader.skip_space();
    (reader.at == reader.text.len()).then_some(map)
}

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_space();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// After an item of an object or array that `close` ends: past a comma, `Some(false)` (an
    /// item follows); past `close`, `Some(true)` (the container ends); else `None`.
    fn item_end(&mut self, close: u8) -> Option<bool> {
        self.skip_space();
        let ended = self.peek()? == close;
        if !ended && self.peek()? != b',' {
            return None;
        }
        self.at += 1;
        Some(ended)
    }

    fn object(&mut self, depth: usize) -> Option<Map> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        let mut map = Map::default();
        if self.eat(b'}').is_some() {
            return Some(map);
        }
        loop {
            self.skip_space();
            let key = self.string()?;
            if key.is_empty() {
                return None;
            }
            self.eat(b':')?;
            let value = self.value(depth + 1)?;
            if map.insert(key.into(), value).is_some() {
                return None;
            }
            if self.item_end(b'}')? {
                return Some(map);
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Array> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.eat(b'[')?;
        let mut array = Array::new();
        if self.eat(b']').is_some() {
            return Some(array);
        }
        loop {
            array.push(self.value(depth + 1)?);
            if self.item_end(b']')? {
                return Some(array);
            }
        }
    }

    fn value(&mut self, depth: usize) -> Option<Dynamic> {
        self.skip_space();
        Some(match self.peek()? {
            b'{' => self.object(depth)?.into(),
            b'[' => self.array(depth)?.into(),
            b'"' => Dynamic::from(ImmutableString::from(self.string()?)),
            b't' => self.word(b"true", true.into())?,
            b'f' => self.word(b"false", false.into())?,
            b'n' => self.word(b"null", Dynamic::NULL)?,
            b'-' | b'0'..=b'9' => self.number()?,
            _ => return None,
        })
    }

    fn word(&mut self, word: &[u8], value: Dynamic) -> Option<Dynamic> {
        self.text[self.at..].starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    /// A string without escapes or control characters (the text is valid UTF-8, and `"` is
    /// ASCII, so the slice between the quotes is too).
    fn string(&mut self) -> Option<&'a str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.at + 1;
        let len = self.text[start..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if self.text[start + len] != b'"' {
            return None;
        }
        self.at = start + len + 1;
        std::str::from_utf8(&self.text[start..start + len]).ok()
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?`: an `INT` without a fraction, an `f64` with one.
    fn number(&mut self) -> Option<Dynamic> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let int_start = self.at;
        self.digits();
        let int_len = self.at - int_start;
        if int_len == 0 || (int_len > 1 && self.text[int_start] == b'0') {
            return None;
        }
        let fraction = self.peek() == Some(b'.');
        if fraction {
            self.at += 1;
            let from = self.at;
            self.digits();
            if self.at == from {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            return None;
        }
        if fraction {
            let text = std::str::from_utf8(&self.text[start..self.at]).ok()?;
            return text.parse::<f64>().ok().map(Dynamic::from_float);
        }
        // A magnitude that does not fit an INT is left to serde_json (a float there, as in
        // JavaScript), and so is `-0` (JavaScript's and serde_json's -0.0, not an integer).
        let magnitude = std::str::from_utf8(&self.text[int_start..self.at]).ok()?.parse::<INT>().ok()?;
        if negative && magnitude == 0 {
            return None;
        }
        Some(Dynamic::from_int(if negative { -magnitude } else { magnitude }))
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Rhai's `parse_json` makes of `json`, as text (values and their types), or its error.
    fn rhai(json: &str) -> String {
        match Engine::new().parse_json(json, true) {
            Ok(map) => format!("{:?}", Dynamic::from(map)),
            Err(err) => format!("error: {err}"),
        }
    }

    /// What serde_json (`r.json()`'s reader) makes of `json`, as text.
    fn serde(json: &str) -> String {
        format!("{:?}", serde_json::from_str::<Dynamic>(json).unwrap())
    }

    #[test]
    fn the_fast_path_reads_json_objects_as_serde_json_and_rhai_do() {
        let read = [
            r#"{"type":"BROADCAST","seq":12,"sent_at_ms":1764428000123.456}"#,
            r#" { "a" : [1, -2, 3.25, -0.5, 0, 0.1], "b": {"c": null, "d": true, "e": false}, "f": "x y é" } "#,
            r#"{"n": 9223372036854775807, "m": -9223372036854775807, "f": 0.30000000000000004}"#,
            r#"{"empty": {}, "none": [], "nested": [[[]], [{}], {"k": [null]}]}"#,
            "{}",
            "{\n\t\"a\": 1\r\n}",
        ];
        for json in read {
            let fast = format!("{:?}", Dynamic::from(fast_path(json).unwrap_or_else(|| panic!("declined {json}"))));
            assert_eq!(fast, rhai(json), "{json}");
            assert_eq!(fast, serde(json), "{json}");
        }
    }

    #[test]
    fn the_fast_path_declines_what_it_could_read_differently() {
        let declined = [
            r#"{"a": "line\nbreak"}"#,
            r#"{"a": "\u00e9"}"#,
            r#"{"a": 1e3}"#,
            r#"{"a": -0}"#,
            r#"{"a": 1.5E-3}"#,
            r#"{"a": 01}"#,
            r#"{"a": 1.}"#,
            r#"{"a": 9223372036854775808}"#,
            r#"{"a": -9223372036854775808}"#,
            r#"{"a": 1, "a": 2}"#,
            r#"{"": 1}"#,
            r#"[1, 2]"#,
            r#"{"a": 1} x"#,
            r#"{"a": 1,}"#,
            r#"{"a": [1,]}"#,
            r#"{"a": [1 2]}"#,
            r#"{"a": 1 "b": 2}"#,
            r#"{"a": tru}"#,
            "{\"a\": \"tab\there\"}",
            "",
        ];
        for json in declined {
            assert!(fast_path(json).is_none(), "{json}");
        }
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(fast_path(&deep).is_none());
    }

    #[test]
    fn scripts_get_json_s_values_either_way() {
        let mut engine = Engine::new();
        register(&mut engine);
        let broadcast = r#"parse_json(`{"type":"BROADCAST","seq":12,"sent_at_ms":1764428000123.5}`)"#;
        assert_eq!(engine.eval::<f64>(&format!("{broadcast}.sent_at_ms")).unwrap(), 1_764_428_000_123.5);
        assert_eq!(engine.eval::<INT>(&format!("{broadcast}.seq")).unwrap(), 12);
        // Declined by the fast path, read as JSON.
        assert_eq!(engine.eval::<f64>(r#"parse_json(`{"a": 1e3}`).a"#).unwrap(), 1000.0);
        assert_eq!(engine.eval::<String>(r#"parse_json(`{"a": "\u00e9\n"}`).a"#).unwrap(), "é\n");
        assert_eq!(engine.eval::<INT>(r#"parse_json(`{"a": 1, "a": 2}`).a"#).unwrap(), 2);
    }

    /// Rhai's own `parse_json` evaluated the map literal it parsed: `{"a": 1+2}` was `#{a: 3}`,
    /// and the converter's `JSON.parse("1+2")` 3. `JSON.parse` throws for all of these.
    #[test]
    fn text_that_is_only_rhai_is_not_json() {
        let mut engine = Engine::new();
        register(&mut engine);
        for text in
            [r#"{"a": 1+2}"#, "1+2", r#"[1, 2+3]"#, r#""s" + "t""#, r#"{"a": 01}"#, r#"{a: 1}"#, "x", r#"{"a": [1,]}"#]
        {
            let script =
                format!("let got = \"parsed\"; try {{ parse_json({text:?}); }} catch (e) {{ got = `${{e}}`; }} got");
            let got = engine.eval::<String>(&script).unwrap();
            assert!(got.starts_with("invalid JSON: "), "{text}: {got}");
        }
    }

    /// Sweep E #4: `parse_json` took objects only, so the README's
    /// `shared_array("users", || parse_json(open("users.json")))` failed on an array file.
    #[test]
    fn any_json_value_parses_as_json_parse_takes_it() {
        let mut engine = Engine::new();
        register(&mut engine);
        let cases = [
            (r#"parse_json(`[{"name":"a"},{"name":"b"}]`)[1].name"#, r#""b""#),
            (r#"parse_json(" [1, 2.5, null, true] ")"#, "[1, 2.5, (), true]"),
            (r#"parse_json("5")"#, "5"),
            (r#"type_of(parse_json("1.0"))"#, r#""f64""#),
            (r#"parse_json("-0.25")"#, "-0.25"),
            (r#"parse_json(`"s\u00e9"`)"#, r#""sé""#),
            (r#"parse_json("true")"#, "true"),
            (r#"parse_json("null")"#, "()"),
        ];
        for (script, expected) in cases {
            let got = engine.eval::<Dynamic>(script).unwrap_or_else(|e| panic!("{script}: {e}"));
            assert_eq!(format!("{got:?}"), expected, "{script}");
        }
        let caught = r#"let got = ""; try { parse_json("[1,"); } catch (e) { got = `${e}`; } got"#;
        let got = engine.eval::<String>(caught).unwrap();
        assert!(got.starts_with("invalid JSON: "), "{got}");
    }

    #[test]
    fn text_that_is_not_json_is_an_error_a_script_can_catch() {
        let mut engine = Engine::new();
        register(&mut engine);
        let caught =
            r#"let got = "nothing"; try { parse_json(`{"a": }`); got = "parsed"; } catch (e) { got = `${e}`; } got"#;
        let got = engine.eval::<String>(caught).unwrap();
        assert!(got.starts_with("invalid JSON: expected value"), "{got}");
        let not_json = r#"let got = ""; try { parse_json("<html>"); } catch (e) { got = "caught"; } got"#;
        assert_eq!(engine.eval::<String>(not_json).unwrap(), "caught");
        // Uncaught, it still ends the script, with the reader's message in it.
        let err = engine.eval::<Dynamic>(r#"parse_json("<html>")"#).unwrap_err().to_string();
        assert!(err.contains("invalid JSON: expected value at line 1 column 1"), "{err}");
        let err = engine.eval::<Dynamic>(r#"parse_json("{<html>")"#).unwrap_err().to_string();
        assert!(err.contains("invalid JSON: key must be a string at line 1 column 2"), "{err}");
    }
}
