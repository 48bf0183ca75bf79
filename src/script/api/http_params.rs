//! The params of an `http.*` request (`#{ headers, tags, timeout, ... }`) as k6 v1.1 reads them.
//!
//! [`parse_params`] turns the script's map into [`Params`], telling apart a value k6 fails the
//! request for ([`ParamError::FailsRequest`]: a status-0 response after a warning) from one
//! rload refuses ([`ParamError::Refused`]: a script error). What a request does with them is
//! `super::http`'s.

use std::time::Duration;

use rhai::{Dynamic, Identifier, ImmutableString, Map};

use super::convert::{check_tag_values, js_text, js_to_number, js_truthy, script_pairs};
use super::cookies::request_cookies;
use super::expected::response_callback;
use crate::config::duration::{millis_to_go_nanos, parse_extended_duration};
use crate::http::compression::{self, Compression};
use crate::http::samples::ExpectedStatuses;
use crate::http::{Auth, CookieJar, RequestCookie, ResponseType, DEFAULT_TIMEOUT};
use crate::script::facts::unimplemented_param;

/// What the script asked for, beyond method, URL and body.
pub(super) struct Params {
    pub(super) headers: Vec<(String, String)>,
    pub(super) tags: Vec<(Identifier, ImmutableString)>,
    pub(super) timeout: Duration,
    pub(super) redirects: Option<u32>,
    pub(super) response_type: ResponseType,
    pub(super) cookies: Vec<RequestCookie>,
    /// `None`: the VU's jar.
    pub(super) jar: Option<CookieJar>,
    pub(super) auth: Auth,
    /// `None`: not given (the VU's callback); `Some(None)`: `()`, no callback.
    pub(super) response_callback: Option<Option<ExpectedStatuses>>,
    /// `params.compression`: the algorithms applied to the body, in order.
    pub(super) compression: Vec<Compression>,
    /// `params.throw`; `None` is the `throw` option's value.
    pub(super) throw: Option<bool>,
}

/// Why a request's params cannot be used.
#[derive(Debug, PartialEq, thiserror::Error)]
pub(super) enum ParamError {
    /// A value k6 v1.1 fails the request for before sending it (`timeout: ()`,
    /// `responseType: 5`, a tag set to a map): nothing is sent or recorded, and the script gets
    /// a status-0 response after a warning, or an error with the `throw` option.
    #[error("{0}")]
    FailsRequest(String),
    /// A param or value rload refuses (unknown, not implemented): a script error.
    #[error("{0}")]
    Refused(String),
}

pub(super) fn parse_params(params: Option<Map>, discard_bodies: bool) -> Result<Params, ParamError> {
    let mut p = Params {
        headers: Vec::new(),
        tags: Vec::new(),
        timeout: DEFAULT_TIMEOUT,
        redirects: None,
        response_type: if discard_bodies { ResponseType::None } else { ResponseType::Text },
        cookies: Vec::new(),
        jar: None,
        auth: Auth::Basic,
        response_callback: None,
        compression: Vec::new(),
        throw: None,
    };
    // The first value k6 fails the request for; the params after it are still read, so that
    // one rload refuses is an error whatever the order.
    let mut failure = None;
    for (key, value) in params.unwrap_or_default() {
        match parse_param(&mut p, &key, value) {
            Ok(()) => {}
            Err(ParamError::FailsRequest(error)) => {
                failure.get_or_insert(error);
            }
            Err(refused) => return Err(refused),
        }
    }
    match failure {
        Some(error) => Err(ParamError::FailsRequest(error)),
        None => Ok(p),
    }
}

/// One param into `p`. `()` is k6's null, which k6 v1.1 skips for headers, tags, cookies, jar
/// and auth, reads as 0 for redirects and as false for throw (k6 takes any throw value's
/// JavaScript truthiness), and fails the request for with timeout, responseType and
/// compression.
fn parse_param(p: &mut Params, key: &str, value: Dynamic) -> Result<(), ParamError> {
    use ParamError::{FailsRequest, Refused};
    match key {
        "headers" | "tags" | "auth" if value.is_unit() => {}
        "headers" => p.headers = headers(value).map_err(Refused)?,
        "tags" => p.tags = tags(value)?,
        "timeout" => p.timeout = timeout(value).map_err(FailsRequest)?,
        "redirects" => p.redirects = Some(redirects(value).map_err(Refused)?),
        "responseType" => p.response_type = response_type(&value).map_err(FailsRequest)?,
        "auth" => p.auth = auth(value).map_err(Refused)?,
        "cookies" => p.cookies = request_cookies(value).map_err(Refused)?,
        // k6 skips a `null` jar: the request uses the VU's.
        "jar" if value.is_unit() => {}
        "jar" => {
            let type_name = value.type_name();
            p.jar = Some(value.try_cast::<CookieJar>().ok_or_else(|| {
                Refused(format!(
                    "params.jar must be a cookie jar (http.cookieJar() or http.CookieJar()), got {type_name}"
                ))
            })?);
        }
        "compression" => p.compression = compression(&value).map_err(FailsRequest)?,
        "responseCallback" => {
            p.response_callback =
                Some(response_callback(value).map_err(|e| FailsRequest(format!("params.responseCallback: {e}")))?)
        }
        "throw" => p.throw = Some(js_truthy(&value)),
        other => {
            return Err(Refused(format!(
                "unknown http param \"{other}\" (known: headers, tags, timeout, redirects, responseType, auth, \
                 cookies, jar, responseCallback, compression, throw)"
            )))
        }
    }
    Ok(())
}

/// `params.tags`: k6 v1.1 takes a string, a bool or a number as a tag's value (written as
/// JavaScript writes it) and fails the request for anything else, `()` included.
fn tags(value: Dynamic) -> Result<Vec<(Identifier, ImmutableString)>, ParamError> {
    if let Some(map) = value.read_lock::<Map>() {
        check_tag_values("HTTP request metric tags", &map).map_err(ParamError::FailsRequest)?;
    }
    script_pairs("params.tags", value).map_err(ParamError::Refused)
}

/// `params.responseType`: `"text"`, `"binary"` or `"none"`.
fn response_type(value: &Dynamic) -> Result<ResponseType, String> {
    match value.read_lock::<ImmutableString>().as_deref().map(|s| s.as_str()) {
        Some("text") => Ok(ResponseType::Text),
        Some("binary") => Ok(ResponseType::Binary),
        Some("none") => Ok(ResponseType::None),
        Some(other) => Err(format!("params.responseType must be \"text\", \"binary\" or \"none\", got \"{other}\"")),
        None => Err(format!("params.responseType must be \"text\", \"binary\" or \"none\", got {}", value.type_name())),
    }
}

/// `params.compression` as k6 reads it, the text of the value (JavaScript's `String(v)`): a
/// list such as `"gzip, br"` or `["gzip", "br"]`; empty text, none.
fn compression(value: &Dynamic) -> Result<Vec<Compression>, String> {
    compression::parse_list(&js_text(value)).map_err(|e| format!("params.compression: {e}"))
}

/// `params.headers`, each value as k6 sends it, JavaScript's `String(value)`: `3.0` as `3`, and
/// `()` (k6's null) as the text `null`; sorted by name, as k6 (Go) sends them.
fn headers(value: Dynamic) -> Result<Vec<(String, String)>, String> {
    let type_name = value.type_name();
    let map = value.try_cast::<Map>().ok_or_else(|| format!("params.headers must be a map, got {type_name}"))?;
    let mut headers: Vec<(String, String)> =
        map.into_iter().map(|(name, value)| (name.into(), js_text(&value))).collect();
    // Sorted, as Go's `Header.Write` sends them (the map keeps the script's order).
    headers.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(headers)
}

/// `params.redirects` as k6 reads it, JavaScript's `ToInteger(value)`: `1.7`, `"1"` and
/// `true` follow one redirect; `()` (k6's null), a negative number and text that is not a
/// number follow none.
fn redirects(value: Dynamic) -> Result<u32, String> {
    let n =
        js_to_number(&value).ok_or_else(|| format!("params.redirects must be a number, got {}", value.type_name()))?;
    Ok(if n.is_nan() || n <= 0.0 { 0 } else { n.min(f64::from(u32::MAX)) as u32 })
}

/// `params.auth`: k6's `basic` (its default: credentials in the URL become a Basic
/// `Authorization` header) and `digest` (see `crate::http::auth`); not `ntlm`.
fn auth(value: Dynamic) -> Result<Auth, String> {
    if let Some(error) = unimplemented_param("auth", &value) {
        return Err(error);
    }
    match value.into_string().as_deref() {
        Ok("basic") => Ok(Auth::Basic),
        Ok("digest") => Ok(Auth::Digest),
        Ok(other) => Err(format!("http param auth must be \"basic\", \"digest\" or \"ntlm\", got \"{other}\"")),
        Err(t) => Err(format!("http param auth must be a string, got {t}")),
    }
}

/// `params.timeout` as k6 reads it (`types.GetDurationValue`): a number is milliseconds (an
/// integer's nanoseconds wrap as Go's int64 multiplication does), a string is read by
/// [`parse_extended_duration`] (`"1.5s"`, `"2"` (ms), `"1d"`, `"-1s"`; not `" 2s"`), anything
/// else is an error. As in k6, a timeout of zero or less times the request out at once (1050).
fn timeout(value: Dynamic) -> Result<Duration, String> {
    let nanos = if let Ok(ms) = value.as_int() {
        ms.wrapping_mul(1_000_000)
    } else if let Ok(ms) = value.as_float() {
        millis_to_go_nanos(ms)
    } else if let Some(text) = value.read_lock::<ImmutableString>() {
        parse_extended_duration(&text).map_err(|e| format!("params.timeout: {e}"))?
    } else {
        return Err(format!(
            "params.timeout must be a duration like \"10s\" or milliseconds, got {}",
            value.type_name()
        ));
    };
    Ok(u64::try_from(nanos).map_or(Duration::ZERO, Duration::from_nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sweep's repro: `timeout: " 2s"` was taken and `"-1s"` refused; k6 v1.1 refuses the
    /// first (Go's duration grammar has no white space) and times the second out at once.
    #[test]
    fn timeout_is_read_as_k6_reads_it() {
        let read = |v: Dynamic| timeout(v);
        for (value, expected) in [
            (Dynamic::from("1.5s"), Duration::from_millis(1_500)),
            (Dynamic::from("2"), Duration::from_millis(2)),
            (Dynamic::from("1d"), Duration::from_secs(86_400)),
            (Dynamic::from("+2s"), Duration::from_secs(2)),
            (Dynamic::from(2_i64), Duration::from_millis(2)),
            (Dynamic::from(1.5_f64), Duration::from_micros(1_500)),
            // Zero or less: an immediate timeout (1050), as in k6.
            (Dynamic::from("-1s"), Duration::ZERO),
            (Dynamic::from("0"), Duration::ZERO),
            (Dynamic::from("-1d"), Duration::ZERO),
            (Dynamic::from("inf"), Duration::ZERO),
            (Dynamic::from(-5_i64), Duration::ZERO),
        ] {
            assert_eq!(read(value.clone()), Ok(expected), "{value:?}");
        }
        for value in [Dynamic::from(" 2s"), Dynamic::from("2s "), Dynamic::from("1d-1h"), Dynamic::from(true)] {
            let error = read(value.clone()).unwrap_err();
            assert!(error.starts_with("params.timeout"), "{value:?}: {error}");
        }
    }

    #[test]
    fn params_are_parsed_with_k6_names() {
        let mut m = Map::default();
        m.insert("timeout".into(), "1.5s".into());
        m.insert("redirects".into(), Dynamic::from(0_i64));
        m.insert("responseType".into(), "binary".into());
        let p = parse_params(Some(m), false).unwrap();
        assert_eq!(p.timeout, Duration::from_millis(1500));
        assert_eq!(p.redirects, Some(0));
        assert!(matches!(p.response_type, ResponseType::Binary));
    }

    #[test]
    fn k6_param_values_rload_lacks_are_errors_that_name_them() {
        let mut m = Map::default();
        m.insert("auth".into(), "ntlm".into());
        assert!(
            matches!(parse_params(Some(m), false), Err(ParamError::Refused(e)) if e.contains("\"ntlm\" is a k6 authentication"))
        );
        let mut m = Map::default();
        m.insert("auth".into(), "digest".into());
        assert_eq!(parse_params(Some(m), false).unwrap().auth, Auth::Digest);
    }

    #[test]
    fn compression_and_throw_params_are_read_as_k6_reads_them() {
        let mut m = Map::default();
        m.insert("compression".into(), "gzip, br".into());
        m.insert("throw".into(), true.into());
        let p = parse_params(Some(m), false).unwrap();
        assert_eq!(p.compression, vec![Compression::Gzip, Compression::Br]);
        assert_eq!(p.throw, Some(true));
        let mut m = Map::default();
        m.insert("compression".into(), "".into());
        m.insert("throw".into(), false.into());
        let p = parse_params(Some(m), false).unwrap();
        assert!(p.compression.is_empty());
        assert_eq!(p.throw, Some(false), "an explicit false overrides the throw option");
        let mut m = Map::default();
        m.insert("compression".into(), "lzma".into());
        let error = parse_params(Some(m), false).err().unwrap();
        assert!(
            matches!(&error, ParamError::FailsRequest(e) if e.contains("unknown compression algorithm lzma")),
            "{error:?}"
        );
    }

    #[test]
    fn cookies_jar_and_response_callback_params_are_taken_as_k6_takes_them() {
        let mut m = Map::default();
        let mut cookies = Map::default();
        cookies.insert("a".into(), "1".into());
        m.insert("cookies".into(), cookies.into());
        m.insert("jar".into(), Dynamic::from(CookieJar::default()));
        m.insert("responseCallback".into(), Dynamic::UNIT);
        let p = parse_params(Some(m), false).unwrap();
        assert_eq!(p.cookies, vec![RequestCookie { name: "a".into(), value: "1".into(), replace: false }]);
        assert!(p.jar.is_some());
        assert_eq!(p.response_callback, Some(None), "() turns the callback off");

        let mut m = Map::default();
        m.insert("jar".into(), Dynamic::from(1_i64));
        assert!(
            matches!(parse_params(Some(m), false), Err(ParamError::Refused(e)) if e.contains("params.jar must be a cookie jar"))
        );
        let mut m = Map::default();
        m.insert("responseCallback".into(), "x".into());
        assert!(
            matches!(parse_params(Some(m), false), Err(ParamError::FailsRequest(e)) if e.contains("only http.expectedStatuses"))
        );
    }

    fn params(key: &str, value: Dynamic) -> Result<Params, ParamError> {
        let mut m = Map::default();
        m.insert(key.into(), value);
        parse_params(Some(m), false)
    }

    /// The sweep's repro (E5): `()` for a param was an error; k6 v1.1 skips null headers, tags,
    /// cookies, jar and auth, reads it as 0 redirects and throw false, and fails the request
    /// for timeout, responseType and compression.
    #[test]
    fn unit_params_are_read_as_k6_reads_null() {
        for key in ["headers", "tags", "auth", "cookies", "jar"] {
            let p = params(key, Dynamic::UNIT).unwrap_or_else(|e| panic!("{key}: {e}"));
            assert!(p.headers.is_empty() && p.tags.is_empty() && p.cookies.is_empty() && p.jar.is_none(), "{key}");
            assert_eq!(p.auth, Auth::Basic, "{key}");
        }
        assert_eq!(params("redirects", Dynamic::UNIT).unwrap().redirects, Some(0));
        assert_eq!(params("throw", Dynamic::UNIT).unwrap().throw, Some(false));
        for key in ["timeout", "responseType", "compression"] {
            let error = params(key, Dynamic::UNIT).err().unwrap_or_else(|| panic!("{key} accepted ()"));
            let ParamError::FailsRequest(error) = error else { panic!("{key}: {error:?}") };
            assert!(error.starts_with(&format!("params.{key}")), "{error}");
        }
    }

    /// The sweep's repro (E8): `redirects: "1"` (`__ENV.REDIRECTS`) and `1.0` were refused
    /// ("must be a number, got f64"); k6 reads the param as JavaScript's `ToInteger`.
    #[test]
    fn redirects_are_read_as_javascript_integers_as_in_k6() {
        for (value, want) in [
            (Dynamic::from(1_i64), 1),
            (Dynamic::from(1.0_f64), 1),
            (Dynamic::from(1.7_f64), 1),
            (Dynamic::from("1"), 1),
            (Dynamic::from(" 2 "), 2),
            (Dynamic::from("1.5"), 1),
            (Dynamic::from("1e1"), 10),
            (Dynamic::from(true), 1),
            (Dynamic::from(-1_i64), 0),
            (Dynamic::from("abc"), 0),
            (Dynamic::from(""), 0),
        ] {
            let shown = format!("{value:?}");
            assert_eq!(params("redirects", value).unwrap().redirects, Some(want), "{shown}");
        }
        let error = params("redirects", Dynamic::from(rhai::Array::new())).err().unwrap();
        assert_eq!(error, ParamError::Refused("params.redirects must be a number, got array".into()));
    }

    #[test]
    fn unknown_params_are_named() {
        let mut m = Map::default();
        m.insert("header".into(), Dynamic::UNIT);
        assert!(matches!(parse_params(Some(m), false), Err(ParamError::Refused(e)) if e.contains("\"header\"")));
    }

    /// The sweep's repro (G2 item 3): values k6 v1.1 fails the request for (a warning and a
    /// status-0 response, not an exception) were script errors. Checked with k6 v1.1.0:
    /// `timeout: null` or `{}`, `responseType: 5`, `compression: null`, `responseCallback: 5`
    /// and a tag set to null, an array or an object; `compression: ["gzip", "br"]` and bool
    /// or number tags are taken.
    #[test]
    fn values_k6_fails_the_request_for_are_told_apart_from_what_rload_refuses() {
        let mut tag_map = Map::default();
        tag_map.insert("a".into(), Map::default().into());
        for (key, value) in [
            ("timeout", Dynamic::UNIT),
            ("timeout", Map::default().into()),
            ("responseType", Dynamic::from(5_i64)),
            ("responseType", "blob".into()),
            ("compression", Dynamic::UNIT),
            ("compression", Dynamic::from(5_i64)),
            ("responseCallback", Dynamic::from(5_i64)),
            ("tags", tag_map.into()),
        ] {
            let shown = format!("{key}: {value:?}");
            assert!(matches!(params(key, value), Err(ParamError::FailsRequest(_))), "{shown}");
        }
        for tag in [Dynamic::UNIT, rhai::Array::new().into()] {
            let mut tag_map = Map::default();
            tag_map.insert("a".into(), tag);
            let Err(ParamError::FailsRequest(error)) = params("tags", tag_map.into()) else { panic!() };
            assert!(error.contains("invalid value for metric tag 'a'"), "{error}");
        }

        let mut tag_map = Map::default();
        tag_map.insert("ok".into(), true.into());
        tag_map.insert("n".into(), Dynamic::from(1.5_f64));
        let p = params("tags", tag_map.into()).unwrap();
        // In the script's order; the tag set sorts them.
        assert_eq!(p.tags, vec![("ok".into(), "true".into()), ("n".into(), "1.5".into())]);
        let list: rhai::Array = vec!["gzip".into(), "br".into()];
        assert_eq!(params("compression", list.into()).unwrap().compression, vec![Compression::Gzip, Compression::Br]);

        // What rload refuses is an error whatever comes first.
        let mut m = Map::default();
        m.insert("aaa".into(), Dynamic::UNIT);
        m.insert("timeout".into(), Dynamic::UNIT);
        assert!(matches!(parse_params(Some(m), false), Err(ParamError::Refused(_))));
        let mut m = Map::default();
        m.insert("responseType".into(), Dynamic::from(5_i64));
        m.insert("zzz".into(), Dynamic::UNIT);
        assert!(matches!(parse_params(Some(m), false), Err(ParamError::Refused(_))));
    }
}
