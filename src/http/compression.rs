//! k6's HTTP compression: `params.compression` compresses a request body, and a response body
//! whose `Content-Encoding` names algorithms k6 knows is decompressed before the script sees it.
//!
//! The algorithms are k6's four: `gzip`, `deflate` (the zlib format, as Go's `compress/zlib`
//! writes it), `br` and `zstd`. A list (`"gzip, br"`) applies each in order and is sent as the
//! `Content-Encoding` the same way; a response is decoded from the last encoding back, encodings
//! k6 does not know left as they are. k6 asks for no compression (no `Accept-Encoding`), and
//! neither does rload. Only a body the script keeps is decoded; a body that does not decode is
//! k6's error 1701 and the response is a failure (status 0), as in k6.
//!
//! This module does no I/O: bytes in, bytes out.

use std::io::{Read, Write};

use bytes::Bytes;

use super::error_code::{Failure, RESPONSE_DECOMPRESSION};

/// One of k6's compression algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Deflate,
    Br,
    Zstd,
}

const NAMES: [(&str, Compression); 4] = [
    ("gzip", Compression::Gzip),
    ("deflate", Compression::Deflate),
    ("br", Compression::Br),
    ("zstd", Compression::Zstd),
];

impl Compression {
    fn named(name: &str) -> Option<Compression> {
        NAMES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }

    fn name(self) -> &'static str {
        NAMES.iter().find(|(_, c)| *c == self).map_or("", |(n, _)| n)
    }
}

/// `params.compression` as k6 reads it: comma-separated names, blanks trimmed; empty asks for
/// nothing. An unknown name is k6's error.
pub fn parse_list(text: &str) -> Result<Vec<Compression>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|name| {
            let name = name.trim();
            Compression::named(name).ok_or_else(|| {
                format!("unknown compression algorithm {name}, supported algorithms are [gzip deflate br zstd]")
            })
        })
        .collect()
}

/// `body` compressed with each algorithm in turn, and the `Content-Encoding` that says so
/// (`"gzip, br"`).
pub fn compress(algorithms: &[Compression], body: &[u8]) -> (Vec<u8>, String) {
    let mut data = body.to_vec();
    let mut encoding = String::new();
    for algorithm in algorithms {
        data = compress_one(*algorithm, &data);
        if !encoding.is_empty() {
            encoding.push_str(", ");
        }
        encoding.push_str(algorithm.name());
    }
    (data, encoding)
}

fn compress_one(algorithm: Compression, data: &[u8]) -> Vec<u8> {
    // Writing into a Vec cannot fail; the encoders only fail on their writer's errors.
    let written = match algorithm {
        Compression::Gzip => {
            let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            w.write_all(data).and_then(|()| w.finish())
        }
        Compression::Deflate => {
            let mut w = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            w.write_all(data).and_then(|()| w.finish())
        }
        Compression::Br => {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams::default();
            brotli::BrotliCompress(&mut &data[..], &mut out, &params).map(|_| out)
        }
        Compression::Zstd => zstd::encode_all(data, zstd::DEFAULT_COMPRESSION_LEVEL),
    };
    written.expect("compressing into memory does not fail")
}

/// The body of a response with `content_encoding`, decoded; at most `limit` bytes once decoded
/// (`maxResponseBodySize`, so a small compressed body cannot grow without bound).
pub(crate) fn decode(content_encoding: &[u8], body: Bytes, limit: u64) -> Result<Bytes, Failure> {
    let encodings = String::from_utf8_lossy(content_encoding);
    let mut data = body;
    for name in encodings.split(',').rev().map(str::trim) {
        let Some(algorithm) = Compression::named(name) else { continue };
        data = decode_one(algorithm, &data, limit)?;
    }
    Ok(data)
}

fn decode_one(algorithm: Compression, data: &[u8], limit: u64) -> Result<Bytes, Failure> {
    let reader: Box<dyn Read + '_> = match algorithm {
        Compression::Gzip => Box::new(flate2::read::GzDecoder::new(data)),
        Compression::Deflate => Box::new(flate2::read::ZlibDecoder::new(data)),
        Compression::Br => Box::new(brotli::Decompressor::new(data, 4096)),
        Compression::Zstd => {
            Box::new(zstd::stream::read::Decoder::new(data).map_err(|err| decompression_failure(algorithm, &err))?)
        }
    };
    let mut out = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut out).map_err(|err| decompression_failure(algorithm, &err))?;
    if out.len() as u64 > limit {
        return Err(Failure::body_too_large(limit));
    }
    Ok(out.into())
}

fn decompression_failure(algorithm: Compression, err: &std::io::Error) -> Failure {
    Failure::new(RESPONSE_DECOMPRESSION, format!("error decompressing response body ({}: {err})", algorithm.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_algorithm_and_a_list_of_them_round_trip() {
        let body = b"hello hello hello hello".repeat(10);
        for (text, encoding) in
            [("gzip", "gzip"), ("deflate", "deflate"), ("br", "br"), ("zstd", "zstd"), (" gzip ,br", "gzip, br")]
        {
            let algorithms = parse_list(text).unwrap();
            let (compressed, header) = compress(&algorithms, &body);
            assert_eq!(header, encoding);
            assert_ne!(compressed, body);
            let decoded = decode(header.as_bytes(), Bytes::from(compressed), 1 << 20).ok().unwrap();
            assert_eq!(decoded.as_ref(), body.as_slice(), "{text}");
        }
        assert!(parse_list("  ").unwrap().is_empty());
        assert_eq!(
            parse_list("gzip, lzma").unwrap_err(),
            "unknown compression algorithm lzma, supported algorithms are [gzip deflate br zstd]"
        );
    }

    #[test]
    fn unknown_encodings_pass_through_and_bad_bytes_fail_with_1701() {
        let plain = Bytes::from_static(b"not compressed");
        assert_eq!(decode(b"identity", plain.clone(), 100).ok().unwrap(), plain);
        let failure = decode(b"gzip", plain, 100).err().unwrap();
        assert_eq!(failure.code, 1701);
        assert!(failure.message.starts_with("error decompressing response body (gzip: "), "{}", failure.message);
        let (bomb, _) = compress(&[Compression::Gzip], &[0; 10_000]);
        assert_eq!(decode(b"gzip", Bytes::from(bomb), 1_000).err().unwrap().code, 1060, "the cap holds once decoded");
    }
}
