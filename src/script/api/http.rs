//! `http.get/head/post/put/patch/del/options/request`: k6's http module for Rhai.
//!
//! A call converts the script's arguments into a [`RequestSpec`], suspends the VU while its own
//! [`HttpClient`](crate::http::HttpClient) performs it, hands the hops (redirects included) to
//! [`crate::http::samples`] for k6's `http_req_*` samples, and returns the final [`Response`].
//! Network failures are responses with `status` 0 and `error_code`; they raise a script error
//! only with k6's `throw` option (`-w`). Which tags and samples a request records is not
//! decided here.

use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use rhai::{Dynamic, Engine, EvalAltResult, Identifier, ImmutableString, Map};

use super::body::body_bytes;
use super::convert::{check_tag_values, js_text, js_to_number, js_truthy, script_pairs};
use super::cookies::request_cookies;
use super::expected::{register_expected_statuses, response_callback};
use super::http_url::{url_and_name, HttpUrl};
use super::response::{RequestRecord, Response};
use crate::config::duration::{millis_to_go_nanos, parse_extended_duration};
use crate::http::batch as http_batch;
use crate::http::compression::{self, Compression};
use crate::http::samples::{ExpectedStatuses, Judging};
use crate::http::{samples, Auth, CookieJar, HttpOutcome, RequestCookie, RequestSpec, ResponseType, DEFAULT_TIMEOUT};
use crate::logger::{self, Level};
use crate::metrics::tag;
use crate::runtime::coroutine::suspend_with;
use crate::runtime::vu::{self, suspension_error, VuContext};
use crate::script::facts::unimplemented_param;

/// The `http` object scripts call methods on.
#[derive(Clone, Copy)]
pub struct HttpApi;

type Res = Result<Response, Box<EvalAltResult>>;

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<HttpApi>("http");
    for (name, method) in [("get", "GET"), ("head", "HEAD")] {
        engine.register_fn(name, move |_: HttpApi, url: Dynamic| -> Res { send(method, url, Dynamic::UNIT, None) });
        engine.register_fn(name, move |_: HttpApi, url: Dynamic, params: Map| -> Res {
            send(method, url, Dynamic::UNIT, Some(params))
        });
        engine.register_fn(name, move |_: HttpApi, url: Dynamic, _: ()| -> Res {
            send(method, url, Dynamic::UNIT, None)
        });
    }
    for (name, method) in
        [("post", "POST"), ("put", "PUT"), ("patch", "PATCH"), ("del", "DELETE"), ("options", "OPTIONS")]
    {
        engine.register_fn(name, move |_: HttpApi, url: Dynamic| -> Res { send(method, url, Dynamic::UNIT, None) });
        engine
            .register_fn(name, move |_: HttpApi, url: Dynamic, body: Dynamic| -> Res { send(method, url, body, None) });
        engine.register_fn(name, move |_: HttpApi, url: Dynamic, body: Dynamic, params: Dynamic| -> Res {
            send(method, url, body, params_map(params)?)
        });
    }
    engine.register_fn("cookieJar", |_: HttpApi| -> Result<CookieJar, Box<EvalAltResult>> {
        let vu = vu::current();
        if vu.in_init.get() {
            return Err("http.cookieJar() in the init context is not supported (as in k6): call it in run()".into());
        }
        Ok(vu.http().cookie_jar())
    });
    // k6's `new http.CookieJar()`: a jar of the script's own, used by requests that name it
    // in `params.jar`.
    engine.register_fn("CookieJar", |_: HttpApi| -> Result<CookieJar, Box<EvalAltResult>> {
        if vu::current().in_init.get() {
            return Err("http.CookieJar() in the init context is not supported (as in k6): call it in run()".into());
        }
        Ok(CookieJar::default())
    });
    register_expected_statuses(engine);
    super::http_url::register(engine);
    engine.register_fn("setResponseCallback", |_: HttpApi, callback: Dynamic| -> Result<(), Box<EvalAltResult>> {
        let callback = response_callback(callback).map_err(|e| format!("http.setResponseCallback: {e}"))?;
        vu::current().http().set_response_callback(callback);
        Ok(())
    });
    engine.register_fn("batch", |_: HttpApi, requests: rhai::Array| batch_array(requests));
    engine.register_fn("batch", |_: HttpApi, requests: Map| batch_map(requests));
    engine.register_fn("request", |_: HttpApi, method: &str, url: Dynamic| -> Res {
        send(method, url, Dynamic::UNIT, None)
    });
    engine.register_fn("request", |_: HttpApi, method: &str, url: Dynamic, body: Dynamic| -> Res {
        send(method, url, body, None)
    });
    engine.register_fn("request", |_: HttpApi, method: &str, url: Dynamic, body: Dynamic, params: Dynamic| -> Res {
        send(method, url, body, params_map(params)?)
    });
}

/// A request made for the script by another API (`res.submitForm`, `res.clickLink`): sent,
/// recorded and answered exactly as `http.request(method, url, body, params)` would be.
pub fn request(method: &str, url: &str, body: Dynamic, params: Dynamic) -> Res {
    send(method, url.into(), body, params_map(params)?)
}

fn params_map(params: Dynamic) -> Result<Option<Map>, Box<EvalAltResult>> {
    if params.is_unit() {
        return Ok(None);
    }
    let type_name = params.type_name();
    params
        .try_cast::<Map>()
        .map(Some)
        .ok_or_else(|| format!("http params must be a map (#{{ headers: ... }}), got {type_name}").into())
}

/// What the script asked for, beyond method, URL and body.
struct Params {
    headers: Vec<(String, String)>,
    tags: Vec<(Identifier, ImmutableString)>,
    timeout: Duration,
    redirects: Option<u32>,
    response_type: ResponseType,
    cookies: Vec<RequestCookie>,
    /// `None`: the VU's jar.
    jar: Option<CookieJar>,
    auth: Auth,
    /// `None`: not given (the VU's callback); `Some(None)`: `()`, no callback.
    response_callback: Option<Option<ExpectedStatuses>>,
    /// `params.compression`: the algorithms applied to the body, in order.
    compression: Vec<Compression>,
    /// `params.throw`; `None` is the `throw` option's value.
    throw: Option<bool>,
}

/// Why a request's params cannot be used.
#[derive(Debug, PartialEq, thiserror::Error)]
enum ParamError {
    /// A value k6 v1.1 fails the request for before sending it (`timeout: ()`,
    /// `responseType: 5`, a tag set to a map): nothing is sent or recorded, and the script gets
    /// a status-0 response after a warning, or an error with the `throw` option.
    #[error("{0}")]
    FailsRequest(String),
    /// A param or value rload refuses (unknown, not implemented): a script error.
    #[error("{0}")]
    Refused(String),
}

fn parse_params(params: Option<Map>, discard_bodies: bool) -> Result<Params, ParamError> {
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
/// `()` (k6's null) as the text `null`.
fn headers(value: Dynamic) -> Result<Vec<(String, String)>, String> {
    let type_name = value.type_name();
    let map = value.try_cast::<Map>().ok_or_else(|| format!("params.headers must be a map, got {type_name}"))?;
    Ok(map.into_iter().map(|(name, value)| (name.into(), js_text(&value))).collect())
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

/// The `Cookie` header the first hop will send, for `res.request` (k6 builds it before the
/// request, from the script's header, `params.cookies` and the jar); `None` without cookies.
/// Costs nothing when the request has no cookies and the jar is empty.
fn cookie_header(
    vu: &VuContext,
    url: &str,
    headers: &[(String, String)],
    cookies: &[RequestCookie],
    jar: Option<&CookieJar>,
) -> Option<String> {
    let mut header = String::new();
    for (_, value) in headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("cookie")) {
        if !header.is_empty() {
            header.push_str("; ");
        }
        header.push_str(value);
    }
    let jar = jar.cloned().unwrap_or_else(|| vu.http().cookie_jar());
    if !cookies.is_empty() || !jar.is_empty() {
        if let Ok(url) = url::Url::parse(url) {
            jar.append_header(&url, cookies, &mut header);
        }
    }
    (!header.is_empty()).then_some(header)
}

/// The body as `params.compression` sends it, with k6's `Content-Encoding` added unless the
/// script set one; `None` when there is nothing to compress (no body, no algorithm).
fn compressed(body: Option<&Bytes>, algorithms: &[Compression], headers: &mut Vec<(String, String)>) -> Option<Bytes> {
    let body = body.filter(|_| !algorithms.is_empty())?;
    let (data, encoding) = compression::compress(algorithms, body);
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-encoding")) {
        headers.push(("Content-Encoding".to_owned(), encoding));
    }
    Some(Bytes::from(data))
}

/// What a request's arguments make. Not boxed: a request would pay an allocation for it,
/// and a `Prepared` lives only until [`start`] or [`batch`] takes it apart.
#[allow(clippy::large_enum_variant)]
enum Prepared {
    /// A request ready to send, with what is needed to record and answer it.
    Ready(RequestSpec, Recording),
    /// A request k6 fails before sending it, and why ([`ParamError::FailsRequest`]).
    NotSent(String),
}

/// How a request's hops are recorded and answered.
struct Recording {
    tags: Vec<(Identifier, ImmutableString)>,
    response_type: ResponseType,
    request: RequestRecord,
    callback: Option<Rc<ExpectedStatuses>>,
    digest: bool,
    /// k6's `throw`: a failure without a response raises a script error.
    throw: bool,
}

/// A request ready to send; `url` is a string or an `http.url(…)`, whose name tags the request
/// unless `params.tags` has a `name`.
fn prepare(
    vu: &VuContext,
    method: &str,
    url: Dynamic,
    body: Dynamic,
    params: Option<Map>,
) -> Result<Prepared, Box<EvalAltResult>> {
    let (url, name) = url_and_name(url)?;
    let url = url.as_str();
    let mut p = match parse_params(params, vu.shared.http_config.discard_response_bodies) {
        Ok(p) => p,
        Err(ParamError::FailsRequest(error)) => return Ok(Prepared::NotSent(error)),
        Err(ParamError::Refused(error)) => return Err(error.into()),
    };
    if let Some(name) = name.filter(|_| !p.tags.iter().any(|(k, _)| k == tag::NAME)) {
        p.tags.push((tag::NAME.into(), name));
    }
    // Upper-cased only when it has to be: `http.get` and most scripts give it so already.
    let upper = if method.bytes().any(|b| b.is_ascii_lowercase()) {
        std::borrow::Cow::Owned(method.to_ascii_uppercase())
    } else {
        std::borrow::Cow::Borrowed(method)
    };
    let method = http::Method::from_bytes(upper.as_bytes()).map_err(|_| format!("invalid HTTP method \"{method}\""))?;
    // A body k6 cannot send (a number, an array) fails the request as a bad param does.
    let body = match body_bytes(body, &mut p.headers) {
        Ok(body) => body,
        Err(error) => return Ok(Prepared::NotSent(error)),
    };
    let sent = compressed(body.as_ref(), &p.compression, &mut p.headers);
    let callback = match p.response_callback {
        Some(given) => given.map(Rc::new),
        None => vu.http().response_callback(),
    };
    let headers = shared_headers(std::mem::take(&mut p.headers));
    let cookie = cookie_header(vu, url, &headers, &p.cookies, p.jar.as_ref());
    let has_agent = headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("user-agent"));
    let request = RequestRecord {
        method: method.clone(),
        url: url.to_owned(),
        headers: Rc::clone(&headers),
        user_agent: if has_agent { None } else { vu.shared.http_config.user_agent_header() },
        cookie,
        // k6 shows the body as the script gave it, before compression.
        body: body.clone(),
    };
    let spec = RequestSpec {
        method,
        url: url.to_owned(),
        headers,
        cookies: p.cookies,
        jar: p.jar,
        auth: p.auth,
        body: sent.or(body),
        timeout: p.timeout,
        redirects: p.redirects.unwrap_or(vu.shared.max_redirects),
        response_type: p.response_type,
    };
    let record = Recording {
        tags: p.tags,
        response_type: p.response_type,
        request,
        callback,
        digest: p.auth == Auth::Digest,
        throw: p.throw.unwrap_or(vu.shared.throw),
    };
    Ok(Prepared::Ready(spec, record))
}

/// k6's answer to a request it failed before sending (`Prepared::NotSent`): with the `throw`
/// option a script error; else the warning `warning` with the error, and the responses the
/// script gets: a status-0 response whose `error` says why. No sample is recorded, as in k6.
fn not_sent(vu: &VuContext, warning: &str, error: String) -> Result<Response, Box<EvalAltResult>> {
    if vu.shared.throw {
        return Err(error.into());
    }
    logger::log(Level::Warn, None, warning, &[("error", &error)]);
    Ok(unanswered(Some(error)))
}

/// A status-0 response to a request that was not sent.
fn unanswered(error: Option<String>) -> Response {
    Response::new(HttpOutcome::not_sent(error), ResponseType::Text, RequestRecord::default())
}

/// `headers` in the `Rc` the request and its record share; no headers (most `GET`s) share the
/// thread's one empty list instead of allocating their own.
fn shared_headers(headers: Vec<(String, String)>) -> Rc<[(String, String)]> {
    thread_local! {
        static NONE: Rc<[(String, String)]> = Rc::from(Vec::new());
    }
    if headers.is_empty() {
        return NONE.with(Rc::clone);
    }
    headers.into()
}

/// Records every hop and returns the final response.
#[inline(never)]
fn finish(vu: &VuContext, record: Recording, hops: Vec<HttpOutcome>) -> Res {
    let Recording { tags, response_type, request, callback, digest, throw } = record;
    let judging = Judging { callback: callback.as_deref(), digest };
    let (sent, received) = samples::record_hops(&vu.base_tags(), &tags, &hops, judging);
    vu.count_bytes(sent, received);
    let last = hops.into_iter().last().ok_or("the HTTP client returned no response")?;
    // k6's `throw` (-w, or params.throw): a failure without a response is an exception, after
    // its samples.
    if let (true, Some(error)) = (throw, &last.error) {
        return Err(format!("{} {}: {error}", last.method, last.url).into());
    }
    Ok(Response::new(last, response_type, request))
}

/// The future a request suspends its VU on, built on the driver's stack.
type Exchange = Box<dyn FnOnce() -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<HttpOutcome>>>>>;

/// One request. Its frame is all that stays on the VU's stack while the request is in flight
/// (every VU of a run may be waiting in one): what it prepares and records lives in boxes and
/// in the frames of [`start`] and [`finish`], which are gone by then or not yet there.
fn send(method: &str, url: Dynamic, body: Dynamic, params: Option<Map>) -> Res {
    let (exchange, record) = match start(method, url, body, params)? {
        Started::Sending(exchange, record) => (exchange, record),
        Started::Answered(response) => return Ok(response),
    };
    let hops = suspend_with(exchange).map_err(suspension_error)?;
    finish(&vu::current(), *record, hops)
}

/// What [`start`] made of a request.
enum Started {
    /// The exchange to suspend on and how to record it.
    Sending(Exchange, Box<Recording>),
    /// k6's answer to a request it does not send.
    Answered(Response),
}

/// Prepares a request for [`send`].
#[inline(never)]
fn start(method: &str, url: Dynamic, body: Dynamic, params: Option<Map>) -> Result<Started, Box<EvalAltResult>> {
    let vu = vu::current();
    let (spec, record) = match prepare(&vu, method, url, body, params)? {
        Prepared::Ready(spec, record) => (spec, record),
        Prepared::NotSent(error) => return not_sent(&vu, "Request Failed", error).map(Started::Answered),
    };
    let client = vu.http();
    let exchange: Exchange = Box::new(move || Box::pin(async move { client.request(spec).await }));
    Ok(Started::Sending(exchange, Box::new(record)))
}

/// One `http.batch` entry: `[method, url, body?, params?]`, `#{ method, url, body, params }`, or a URL.
fn batch_entry(vu: &VuContext, entry: Dynamic) -> Result<Prepared, Box<EvalAltResult>> {
    if entry.is_string() || entry.is::<HttpUrl>() {
        return prepare(vu, "GET", entry, Dynamic::UNIT, None);
    }
    if entry.is_array() {
        let mut items = entry.into_array().unwrap_or_default().into_iter();
        let method =
            items.next().and_then(|m| m.into_string().ok()).ok_or("http.batch: [method, url, ...] needs a method")?;
        let url = items.next().ok_or("http.batch: [method, url, ...] needs a url")?;
        let body = items.next().unwrap_or(Dynamic::UNIT);
        let params = params_map(items.next().unwrap_or(Dynamic::UNIT))?;
        return prepare(vu, &method, url, body, params);
    }
    let type_name = entry.type_name();
    let mut map = entry
        .try_cast::<Map>()
        .ok_or_else(|| format!("http.batch: a request must be an array, a map or a URL, got {type_name}"))?;
    let method = map.remove("method").and_then(|m| m.into_string().ok()).unwrap_or_else(|| "GET".into());
    let url = map.remove("url").ok_or("http.batch: a request map needs a url")?;
    let body = map.remove("body").unwrap_or(Dynamic::UNIT);
    let params = params_map(map.remove("params").unwrap_or(Dynamic::UNIT))?;
    prepare(vu, &method, url, body, params)
}

/// Sends `entries` concurrently on the VU's own connections, as many at once as k6's `batch`
/// and `batchPerHost` allow (`crate::http::batch`); the responses keep their order.
///
/// An entry k6 fails before sending (`Prepared::NotSent`) stops the batch there, as in k6:
/// nothing is sent, and the responses are status-0 ones for the entries up to it (its own
/// with the error), none for those after it; with the `throw` option, a script error.
fn batch(entries: Vec<Dynamic>) -> Result<Vec<Response>, Box<EvalAltResult>> {
    let vu = vu::current();
    let (mut specs, mut records) = (Vec::with_capacity(entries.len()), Vec::with_capacity(entries.len()));
    for entry in entries {
        match batch_entry(&vu, entry)? {
            Prepared::Ready(spec, record) => {
                specs.push(spec);
                records.push(record);
            }
            Prepared::NotSent(error) => {
                let failed = not_sent(&vu, "A batch request failed", error)?;
                return Ok(specs.iter().map(|_| unanswered(None)).chain([failed]).collect());
            }
        }
    }
    let hosts = specs.iter().map(|spec| http_batch::host_key(&spec.url)).collect();
    let limits = vu.shared.http_config.batch;
    let client = vu.http();
    let all = suspend_with(move || async move {
        http_batch::run(specs, hosts, limits, |spec| {
            let client = client.clone();
            async move { client.request(spec).await }
        })
        .await
    })
    .map_err(suspension_error)?;
    records.into_iter().zip(all).map(|(record, hops)| finish(&vu, record, hops)).collect()
}

/// The responses in the entries' order; `()` for entries after one k6 failed before sending.
fn batch_array(requests: rhai::Array) -> Result<rhai::Array, Box<EvalAltResult>> {
    let count = requests.len();
    let mut responses: rhai::Array = batch(requests)?.into_iter().map(Dynamic::from).collect();
    responses.resize(count, Dynamic::UNIT);
    Ok(responses)
}

/// The responses by name; none for entries after one k6 failed before sending.
fn batch_map(requests: Map) -> Result<Map, Box<EvalAltResult>> {
    let (names, entries): (Vec<_>, Vec<_>) = requests.into_iter().unzip();
    Ok(names.into_iter().zip(batch(entries)?.into_iter().map(Dynamic::from)).collect())
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
        let mut m = Map::new();
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
        let mut m = Map::new();
        m.insert("auth".into(), "ntlm".into());
        assert!(
            matches!(parse_params(Some(m), false), Err(ParamError::Refused(e)) if e.contains("\"ntlm\" is a k6 authentication"))
        );
        let mut m = Map::new();
        m.insert("auth".into(), "digest".into());
        assert_eq!(parse_params(Some(m), false).unwrap().auth, Auth::Digest);
    }

    #[test]
    fn compression_and_throw_params_are_read_as_k6_reads_them() {
        let mut m = Map::new();
        m.insert("compression".into(), "gzip, br".into());
        m.insert("throw".into(), true.into());
        let p = parse_params(Some(m), false).unwrap();
        assert_eq!(p.compression, vec![Compression::Gzip, Compression::Br]);
        assert_eq!(p.throw, Some(true));
        let mut m = Map::new();
        m.insert("compression".into(), "".into());
        m.insert("throw".into(), false.into());
        let p = parse_params(Some(m), false).unwrap();
        assert!(p.compression.is_empty());
        assert_eq!(p.throw, Some(false), "an explicit false overrides the throw option");
        let mut m = Map::new();
        m.insert("compression".into(), "lzma".into());
        let error = parse_params(Some(m), false).err().unwrap();
        assert!(
            matches!(&error, ParamError::FailsRequest(e) if e.contains("unknown compression algorithm lzma")),
            "{error:?}"
        );
    }

    #[test]
    fn cookies_jar_and_response_callback_params_are_taken_as_k6_takes_them() {
        let mut m = Map::new();
        let mut cookies = Map::new();
        cookies.insert("a".into(), "1".into());
        m.insert("cookies".into(), cookies.into());
        m.insert("jar".into(), Dynamic::from(CookieJar::default()));
        m.insert("responseCallback".into(), Dynamic::UNIT);
        let p = parse_params(Some(m), false).unwrap();
        assert_eq!(p.cookies, vec![RequestCookie { name: "a".into(), value: "1".into(), replace: false }]);
        assert!(p.jar.is_some());
        assert_eq!(p.response_callback, Some(None), "() turns the callback off");

        let mut m = Map::new();
        m.insert("jar".into(), Dynamic::from(1_i64));
        assert!(
            matches!(parse_params(Some(m), false), Err(ParamError::Refused(e)) if e.contains("params.jar must be a cookie jar"))
        );
        let mut m = Map::new();
        m.insert("responseCallback".into(), "x".into());
        assert!(
            matches!(parse_params(Some(m), false), Err(ParamError::FailsRequest(e)) if e.contains("only http.expectedStatuses"))
        );
    }

    fn params(key: &str, value: Dynamic) -> Result<Params, ParamError> {
        let mut m = Map::new();
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
        let mut m = Map::new();
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
        let mut tag_map = Map::new();
        tag_map.insert("a".into(), Map::new().into());
        for (key, value) in [
            ("timeout", Dynamic::UNIT),
            ("timeout", Map::new().into()),
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
            let mut tag_map = Map::new();
            tag_map.insert("a".into(), tag);
            let Err(ParamError::FailsRequest(error)) = params("tags", tag_map.into()) else { panic!() };
            assert!(error.contains("invalid value for metric tag 'a'"), "{error}");
        }

        let mut tag_map = Map::new();
        tag_map.insert("ok".into(), true.into());
        tag_map.insert("n".into(), Dynamic::from(1.5_f64));
        let p = params("tags", tag_map.into()).unwrap();
        assert_eq!(p.tags, vec![("n".into(), "1.5".into()), ("ok".into(), "true".into())]);
        let list: rhai::Array = vec!["gzip".into(), "br".into()];
        assert_eq!(params("compression", list.into()).unwrap().compression, vec![Compression::Gzip, Compression::Br]);

        // What rload refuses is an error whatever comes first.
        let mut m = Map::new();
        m.insert("aaa".into(), Dynamic::UNIT);
        m.insert("timeout".into(), Dynamic::UNIT);
        assert!(matches!(parse_params(Some(m), false), Err(ParamError::Refused(_))));
        let mut m = Map::new();
        m.insert("responseType".into(), Dynamic::from(5_i64));
        m.insert("zzz".into(), Dynamic::UNIT);
        assert!(matches!(parse_params(Some(m), false), Err(ParamError::Refused(_))));
    }
}
