//! Reading HTTP/1.1 off the wire: response heads (`httparse`), what their fields say about the
//! body and the connection, and the body's framing (RFC 9112 section 6).

use std::mem::MaybeUninit;

use bytes::{Bytes, BytesMut};
use http::header::{CONNECTION, CONTENT_ENCODING, CONTENT_LENGTH, SET_COOKIE, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Version};
use httparse::ParserConfig;

use super::Head;
use crate::http::error_code::Failure;
use crate::http::headers::HeadFields;
use crate::http::{MAX_RESPONSE_HEADER_FIELDS, MAX_RESPONSE_HEAD_BYTES};

/// Header slots parsed on the stack; a head with more is parsed again with all of them.
const STACK_HEADER_SLOTS: usize = 64;

/// How the rest of a response body is delimited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Framing {
    Done,
    Length(u64),
    Chunked(Chunk),
    UntilClose,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Chunk {
    Size,
    Data(u64),
    /// The CRLF after a chunk's data.
    DataEnd,
    Trailers,
}

/// A head as parsed, before the connection takes its framing.
pub(super) struct Parsed {
    pub head: Head,
    pub framing: Framing,
    pub keep_alive: bool,
    pub interim: bool,
}

/// Whether `bytes` hold the blank line that ends a head (`\n\r\n` or a bare `\n\n`).
pub(super) fn ends_head(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|pair| pair == b"\n\n") || bytes.windows(3).any(|three| three == b"\n\r\n")
}

/// Parses a response head at the start of `bytes`: `None` when it is not all there yet, else
/// how many bytes it took.
pub(super) fn parse_head(bytes: &[u8], head_only: bool) -> Result<Option<(usize, Parsed)>, Failure> {
    let parsed = parse_fields(bytes, head_only)?;
    if parsed.as_ref().is_some_and(|(used, _)| *used > MAX_RESPONSE_HEAD_BYTES) {
        return Err(Failure::head_too_large());
    }
    Ok(parsed)
}

fn parse_fields(bytes: &[u8], head_only: bool) -> Result<Option<(usize, Parsed)>, Failure> {
    // Slots httparse fills as it goes: not zeroed first (2 KB per response).
    let mut slots = [const { MaybeUninit::uninit() }; STACK_HEADER_SLOTS];
    let parsed = match parse_in(bytes, head_only, &mut slots) {
        Err(httparse::Error::TooManyHeaders) => {
            parse_in(bytes, head_only, Vec::with_capacity(MAX_RESPONSE_HEADER_FIELDS).spare_capacity_mut())
        }
        parsed => parsed,
    };
    match parsed {
        Ok(parsed) => parsed,
        Err(httparse::Error::TooManyHeaders) => Err(Failure::head_too_large()),
        Err(err) => Err(Failure::malformed(err)),
    }
}

/// Parses with the header `slots` given: httparse's error (`TooManyHeaders` when the head has
/// more fields than slots), else what [`parsed`] makes of the head, `None` while it is partial.
fn parse_in<'b>(
    bytes: &'b [u8],
    head_only: bool,
    slots: &mut [MaybeUninit<httparse::Header<'b>>],
) -> Result<Result<Option<(usize, Parsed)>, Failure>, httparse::Error> {
    let mut response = httparse::Response::new(&mut []);
    Ok(match ParserConfig::default().parse_response_with_uninit_headers(&mut response, bytes, slots)? {
        httparse::Status::Complete(used) => {
            parsed(&response, &bytes[..used], head_only).map(|parsed| Some((used, parsed)))
        }
        httparse::Status::Partial => Ok(None),
    })
}

/// The fields of `head`, a complete head of `count` fields that [`parse_head`] took, as a map
/// whose values are slices of `head` (see [`HeadFields`]).
pub(crate) fn header_map(head: &Bytes, count: usize) -> HeaderMap {
    let mut map = HeaderMap::with_capacity(count);
    if count == 0 {
        return map;
    }
    let mut slots = vec![httparse::EMPTY_HEADER; count];
    let mut response = httparse::Response::new(&mut slots);
    if !matches!(ParserConfig::default().parse_response(&mut response, head), Ok(httparse::Status::Complete(_))) {
        debug_assert!(false, "a head parsed once parses again");
        return map;
    }
    for field in response.headers.iter() {
        // httparse checked both against the same rules (RFC 9110's token and field value).
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(field.name.as_bytes()), HeaderValue::from_maybe_shared(head.slice_ref(field.value)))
        {
            map.append(name, value);
        }
    }
    map
}

fn parsed(response: &httparse::Response<'_, '_>, head: &[u8], head_only: bool) -> Result<Parsed, Failure> {
    let code = response.code.expect("a complete head has a status");
    let status =
        StatusCode::from_u16(code).map_err(|_| Failure::malformed(format_args!("invalid status code {code}")))?;
    let version = if response.version == Some(0) { Version::HTTP_10 } else { Version::HTTP_11 };
    let reason = response.reason.filter(|reason| Some(*reason) != status.canonical_reason()).map(Box::from);
    let mut fields = Fields::default();
    for field in response.headers.iter() {
        fields.note(field.name, field.value)?;
    }
    // The head's bytes, one allocation of its length: a kept response keeps a few hundred
    // bytes, not the connection's buffer; the map is read from them when asked.
    let headers = HeadFields::received(
        Bytes::copy_from_slice(head),
        response.headers.len(),
        fields.set_cookie,
        fields.content_encoding,
    );
    let interim = status.is_informational() && status != StatusCode::SWITCHING_PROTOCOLS;
    let closes = fields.close || version == Version::HTTP_10;
    let (framing, keep_alive) = if head_only
        || status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
    {
        (Framing::Done, status != StatusCode::SWITCHING_PROTOCOLS)
    } else if fields.transfer_encoding {
        // RFC 9112 6.3: chunked when it is the last coding, else the body runs to the close;
        // a Content-Length beside it is ignored and the connection not reused.
        let framing = if fields.chunked { Framing::Chunked(Chunk::Size) } else { Framing::UntilClose };
        (framing, fields.chunked && fields.length.is_none())
    } else if let Some(length) = fields.length {
        (Framing::Length(length), true)
    } else {
        (Framing::UntilClose, false)
    };
    let framing = if framing == Framing::Length(0) { Framing::Done } else { framing };
    Ok(Parsed {
        head: Head { status, version, reason, headers, announced: None },
        framing,
        keep_alive: keep_alive && !closes,
        interim,
    })
}

/// What a head's fields say about its body and its connection, noted as they are read.
#[derive(Default)]
struct Fields {
    /// The Content-Length, which must be one number however many times it is given.
    length: Option<u64>,
    transfer_encoding: bool,
    /// The last Transfer-Encoding's last coding is chunked.
    chunked: bool,
    /// A Connection field names `close`.
    close: bool,
    /// Fields the client reads on every response that has them (the jar's cookies, the body's
    /// coding): without them the head's map is never built.
    set_cookie: bool,
    content_encoding: bool,
}

impl Fields {
    fn note(&mut self, name: &str, value: &[u8]) -> Result<(), Failure> {
        let is = |known: &HeaderName| name.eq_ignore_ascii_case(known.as_str());
        if is(&SET_COOKIE) {
            self.set_cookie = true;
        } else if is(&CONTENT_ENCODING) {
            self.content_encoding = true;
        } else if is(&CONTENT_LENGTH) {
            for part in value.split(|&b| b == b',') {
                let length =
                    parse_length(part.trim_ascii()).ok_or_else(|| Failure::malformed("invalid Content-Length"))?;
                if self.length.is_some_and(|seen| seen != length) {
                    return Err(Failure::malformed("conflicting Content-Length"));
                }
                self.length = Some(length);
            }
        } else if is(&TRANSFER_ENCODING) {
            self.transfer_encoding = true;
            self.chunked = last_token(value).eq_ignore_ascii_case(b"chunked");
        } else if is(&CONNECTION) {
            self.close |= names_token(value, "close");
        }
        Ok(())
    }
}

fn parse_length(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn last_token(value: &[u8]) -> &[u8] {
    value.rsplit(|&b| b == b',').next().unwrap_or_default().trim_ascii()
}

/// Whether a field's comma-separated `value` names `token` (`keep-alive, close`).
fn names_token(value: &[u8], token: &str) -> bool {
    value.split(|&b| b == b',').any(|part| part.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
}

/// Whether a request's `name` fields name `token` (`Connection: close`).
pub(super) fn has_token(headers: &HeaderMap, name: &HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|value| names_token(value.as_bytes(), token))
}

/// Whether a request's last `name` field ends with `token` (`Transfer-Encoding: chunked`).
pub(super) fn last_token_is(headers: &HeaderMap, name: &HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .next_back()
        .is_some_and(|value| last_token(value.as_bytes()).eq_ignore_ascii_case(token.as_bytes()))
}

/// Takes body bytes from the start of `input` into `data` as far as `framing` allows, moving
/// `framing` along; returns how many bytes it used. Bytes it cannot use yet (a chunk-size line
/// cut short) are left for the caller to keep.
pub(super) fn decode(framing: &mut Framing, mut input: &[u8], data: &mut BytesMut) -> Result<usize, Failure> {
    let total = input.len();
    while !input.is_empty() {
        match framing {
            Framing::Done => break,
            Framing::UntilClose => {
                data.extend_from_slice(input);
                input = &[];
            }
            Framing::Length(left) | Framing::Chunked(Chunk::Data(left)) => {
                let n = (*left).min(input.len() as u64) as usize;
                data.extend_from_slice(&input[..n]);
                input = &input[n..];
                *left -= n as u64;
                if *left == 0 {
                    *framing = match framing {
                        Framing::Length(_) => Framing::Done,
                        _ => Framing::Chunked(Chunk::DataEnd),
                    };
                }
            }
            Framing::Chunked(Chunk::Size) => match httparse::parse_chunk_size(input) {
                Ok(httparse::Status::Complete((used, 0))) => {
                    input = &input[used..];
                    *framing = Framing::Chunked(Chunk::Trailers);
                }
                Ok(httparse::Status::Complete((used, size))) => {
                    input = &input[used..];
                    *framing = Framing::Chunked(Chunk::Data(size));
                }
                Ok(httparse::Status::Partial) => break,
                Err(_) => return Err(Failure::malformed("invalid chunk size line")),
            },
            Framing::Chunked(Chunk::DataEnd) => {
                if input.len() < 2 {
                    if input != b"\r" {
                        return Err(Failure::malformed("chunk data not followed by CRLF"));
                    }
                    break;
                }
                if &input[..2] != b"\r\n" {
                    return Err(Failure::malformed("chunk data not followed by CRLF"));
                }
                input = &input[2..];
                *framing = Framing::Chunked(Chunk::Size);
            }
            Framing::Chunked(Chunk::Trailers) => {
                let Some(end) = input.iter().position(|&b| b == b'\n') else { break };
                let line = &input[..end];
                input = &input[end + 1..];
                if line.is_empty() || line == b"\r" {
                    *framing = Framing::Done;
                }
            }
        }
    }
    Ok(total - input.len())
}
