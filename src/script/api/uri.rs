//! JavaScript's URI functions, which k6 scripts have from the language itself:
//! `encode_uri_component`, `decode_uri_component`, `encode_uri` and `decode_uri`
//! (`encodeURIComponent`, …, as `rload convert` writes them).
//!
//! ```rhai
//! let q = encode_uri_component("a b&c");      // "a%20b%26c"
//! http.get(`${BASE}/search?q=${q}`);
//! ```
//!
//! ECMAScript's rules: the text (a value as JavaScript's `String(v)`, `()` as `null`) is
//! encoded as UTF-8, each byte of a character outside the kept set written `%XX` in upper case;
//! the component form keeps only letters, digits and `-_.!~*'()`, the URI form also keeps
//! `;/?:@&=+$,#`. Decoding reads `%XX` runs as UTF-8, and a `%` without two hex digits after it
//! or bytes that are not UTF-8 throw k6's `URIError: Malformed URI`; `decode_uri` leaves an
//! escape of `;/?:@&=+$,#` as written, so a decoded URI keeps its structure.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rhai::{Dynamic, Engine, EvalAltResult};

use super::convert::js_text;

/// What `encode_uri_component` escapes: everything but ASCII letters, digits and `-_.!~*'()`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');
/// What `encode_uri` escapes: [`COMPONENT`] but the characters that delimit a URI's parts.
const URI: &AsciiSet = &COMPONENT
    .remove(b';')
    .remove(b'/')
    .remove(b'?')
    .remove(b':')
    .remove(b'@')
    .remove(b'&')
    .remove(b'=')
    .remove(b'+')
    .remove(b'$')
    .remove(b',')
    .remove(b'#');
/// Characters that delimit a URI's parts: `encode_uri` keeps them, `decode_uri` does not
/// decode their escapes.
const RESERVED: &str = ";/?:@&=+$,#";

const MALFORMED: &str = "URIError: Malformed URI";

pub fn register(engine: &mut Engine) {
    engine.register_fn("encode_uri_component", |v: Dynamic| encode(&js_text(&v), COMPONENT));
    engine.register_fn("encode_uri", |v: Dynamic| encode(&js_text(&v), URI));
    engine.register_fn("decode_uri_component", |v: Dynamic| decode(&js_text(&v), "").map_err(thrown));
    engine.register_fn("decode_uri", |v: Dynamic| decode(&js_text(&v), RESERVED).map_err(thrown));
}

fn thrown(message: &str) -> Box<EvalAltResult> {
    message.into()
}

/// Percent-encodes, in upper case, every UTF-8 byte of `text` in `escaped` (every byte of a
/// character outside ASCII is).
fn encode(text: &str, escaped: &'static AsciiSet) -> String {
    utf8_percent_encode(text, escaped).to_string()
}

/// Decodes `%XX` runs as UTF-8; an escape of a one-byte character in `keep` stays as written.
fn decode(text: &str, keep: &str) -> Result<String, &'static str> {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let first = hex_byte(bytes, i)?;
        // The length of the character from its first byte, as UTF-8 has it.
        let len = match first {
            0x00..=0x7F => 1,
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return Err(MALFORMED),
        };
        let mut char_bytes = vec![first];
        for k in 1..len {
            char_bytes.push(hex_byte(bytes, i + 3 * k)?);
        }
        let decoded = std::str::from_utf8(&char_bytes).map_err(|_| MALFORMED)?;
        if len == 1 && keep.contains(first as char) {
            out.extend_from_slice(&bytes[i..i + 3]);
        } else {
            out.extend_from_slice(decoded.as_bytes());
        }
        i += 3 * len;
    }
    String::from_utf8(out).map_err(|_| MALFORMED)
}

/// The byte of the `%XX` escape at `at`.
fn hex_byte(bytes: &[u8], at: usize) -> Result<u8, &'static str> {
    match bytes.get(at..at + 3) {
        Some([b'%', hi, lo]) => {
            let digit = |d: u8| (d as char).to_digit(16);
            match (digit(*hi), digit(*lo)) {
                (Some(h), Some(l)) => Ok((h * 16 + l) as u8),
                _ => Err(MALFORMED),
            }
        }
        _ => Err(MALFORMED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The expected texts are k6 v1.1.0's (goja's) for the same calls.
    #[test]
    fn encodes_as_javascript_does() {
        let component = |s: &str| encode(s, COMPONENT);
        let uri = |s: &str| encode(s, URI);
        assert_eq!(component("a b&c=d/é?#"), "a%20b%26c%3Dd%2F%C3%A9%3F%23");
        assert_eq!(uri("a b&c=d/é?#"), "a%20b&c=d/%C3%A9?#");
        assert_eq!(component("-_.!~*'()"), "-_.!~*'()");
        assert_eq!(component("ü€😀"), "%C3%BC%E2%82%AC%F0%9F%98%80");
        assert_eq!(component("x;/?:@&=+$,#"), "x%3B%2F%3F%3A%40%26%3D%2B%24%2C%23");
        assert_eq!(uri("x;/?:@&=+$,#"), "x;/?:@&=+$,#");
    }

    #[test]
    fn decodes_as_javascript_does() {
        assert_eq!(decode("a%20b%26c%3Dd%2F%C3%A9%3F%23", ""), Ok("a b&c=d/é?#".into()));
        assert_eq!(decode("a%20b%26c%3Dd%2F%C3%A9%3F%23", RESERVED), Ok("a b%26c%3Dd%2Fé%3F%23".into()));
        assert_eq!(decode("%F0%9F%98%80", ""), Ok("😀".into()));
        assert_eq!(decode("a+b%20c", ""), Ok("a+b c".into()));
        assert_eq!(decode("%3B%2F%41%23%25", RESERVED), Ok("%3B%2FA%23%".into()));
        for bad in ["%", "%zz", "%C3", "%E2%82", "%FF", "%C3%28", "%ED%A0%80"] {
            assert_eq!(decode(bad, ""), Err(MALFORMED), "{bad}");
        }
    }
}
