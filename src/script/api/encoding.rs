//! k6's `k6/encoding` module as the global `encoding` object: base64 as RFC 4648 defines it.
//!
//! ```rhai
//! let token = encoding.b64encode(`${user}:${pass}`);          // "std": padded, + and /
//! let raw = encoding.b64encode(blob, "rawurl");                // - and _, no padding
//! let text = encoding.b64decode(token, "std", "s");            // a string
//! let bytes = encoding.b64decode(token);                       // a blob (k6's ArrayBuffer)
//! ```
//! The input of `b64encode` is a string (its UTF-8 bytes) or a blob. The variants are k6's:
//! `std`, `rawstd`, `url`, `rawurl`; an empty name is `std`, as in k6. Any other name is an
//! error naming it (k6 falls back to `std`, which would hide a typo). Not here: hex and other
//! encodings of digests, which `crypto` (k6/crypto) writes itself.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::engine::GeneralPurpose;
use base64::Engine as _;
use rhai::{Blob, Dynamic, Engine, EvalAltResult};

/// The `encoding` object.
#[derive(Clone, Copy)]
pub struct EncodingApi;

type Fallible<T> = Result<T, Box<EvalAltResult>>;

/// The base64 engine for k6's variant name.
fn variant(name: &str) -> Result<&'static GeneralPurpose, String> {
    Ok(match name {
        "" | "std" => &STANDARD,
        "rawstd" => &STANDARD_NO_PAD,
        "url" => &URL_SAFE,
        "rawurl" => &URL_SAFE_NO_PAD,
        other => return Err(format!("unknown base64 encoding \"{other}\": use std, rawstd, url or rawurl")),
    })
}

/// The bytes of a string (UTF-8) or a blob, as k6 takes `string | ArrayBuffer` inputs.
pub fn input_bytes(what: &str, input: &Dynamic) -> Result<Vec<u8>, String> {
    if input.is_blob() {
        return Ok(input.clone().cast::<Blob>());
    }
    if let Some(s) = input.read_lock::<rhai::ImmutableString>() {
        return Ok(s.as_bytes().to_vec());
    }
    Err(format!("{what} takes a string or a blob, got {}", input.type_name()))
}

/// k6's `b64encode(input, encoding)`.
pub fn b64encode(input: &[u8], encoding: &str) -> Result<String, String> {
    Ok(variant(encoding)?.encode(input))
}

/// k6's `b64decode(input, encoding)` as bytes.
pub fn b64decode(input: &str, encoding: &str) -> Result<Vec<u8>, String> {
    let engine = variant(encoding)?;
    engine.decode(input.trim_end_matches(['\r', '\n'])).map_err(|e| format!("b64decode: {e}"))
}

fn encode(input: Dynamic, encoding: &str) -> Fallible<String> {
    let bytes = input_bytes("encoding.b64encode()", &input)?;
    Ok(b64encode(&bytes, encoding)?)
}

/// `format` "s" returns a string (bytes that are not UTF-8 replaced, as k6's conversion does),
/// anything else the bytes.
fn decode(input: &str, encoding: &str, format: &str) -> Fallible<Dynamic> {
    let bytes = b64decode(input, encoding)?;
    Ok(match format {
        "s" => Dynamic::from(String::from_utf8_lossy(&bytes).into_owned()),
        "" => Dynamic::from_blob(bytes),
        other => return Err(format!("encoding.b64decode(): unknown format \"{other}\" (\"s\" for a string)").into()),
    })
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<EncodingApi>("encoding");
    engine.register_fn("b64encode", |_: EncodingApi, input: Dynamic| encode(input, ""));
    engine.register_fn("b64encode", |_: EncodingApi, input: Dynamic, enc: &str| encode(input, enc));
    engine.register_fn("b64encode", |_: EncodingApi, input: Dynamic, _: ()| encode(input, ""));
    engine.register_fn("b64decode", |_: EncodingApi, input: &str| decode(input, "", ""));
    engine.register_fn("b64decode", |_: EncodingApi, input: &str, enc: &str| decode(input, enc, ""));
    engine.register_fn("b64decode", |_: EncodingApi, input: &str, _: ()| decode(input, "", ""));
    engine.register_fn("b64decode", |_: EncodingApi, input: &str, enc: &str, f: &str| decode(input, enc, f));
    engine.register_fn("b64decode", |_: EncodingApi, input: &str, _: (), f: &str| decode(input, "", f));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_variants_encode_as_k6s_examples_show() {
        assert_eq!(b64encode(b"hello world", "").unwrap(), "aGVsbG8gd29ybGQ=");
        assert_eq!(b64encode(b"hello world", "rawstd").unwrap(), "aGVsbG8gd29ybGQ");
        assert_eq!(b64encode("小飼弾..".as_bytes(), "url").unwrap(), "5bCP6aO85by-Li4=");
        assert_eq!(b64encode("小飼弾..".as_bytes(), "rawurl").unwrap(), "5bCP6aO85by-Li4");
        assert_eq!(b64decode("5bCP6aO85by-Li4", "rawurl").unwrap(), "小飼弾..".as_bytes());
        assert_eq!(b64decode("aGVsbG8gd29ybGQ=", "std").unwrap(), b"hello world");
    }

    #[test]
    fn an_unknown_variant_or_bad_input_is_an_error_naming_it() {
        assert!(b64encode(b"x", "hex").unwrap_err().contains("\"hex\""));
        assert!(b64decode("aGVsbG8gd29ybGQ", "std").is_err(), "std needs its padding");
        assert!(b64decode("a-b_", "std").is_err(), "std has no - or _");
    }
}
