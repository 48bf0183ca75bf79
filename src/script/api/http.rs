//! `http.get/head/post/put/patch/del/options/request`: k6's http module for Rhai.
//!
//! A call converts the script's arguments into a [`RequestSpec`], suspends the VU while its own
//! [`HttpClient`](crate::http::HttpClient) performs it, hands the hops (redirects included) to
//! [`crate::http::samples`] for k6's `http_req_*` samples, and returns the final [`Response`].
//! Network failures are responses with `status` 0 and `error_code`; they raise a script error
//! only with k6's `throw` option (`-w`). Which tags and samples a request records is not
//! decided here.

use std::rc::Rc;

use bytes::Bytes;
use rhai::{Dynamic, Engine, EvalAltResult, Identifier, ImmutableString, Map, NativeCallContext};

use super::body::{body_bytes, go_format, go_syntax, go_type};
use super::convert::js_string;
use super::expected::{register_expected_statuses, response_callback};
use super::http_params::{parse_params, ParamError};
use super::http_url::url_and_name;
use super::response::{RequestRecord, Response};
use crate::http::batch as http_batch;
use crate::http::compression::{self, Compression};
use crate::http::samples::{ExpectedStatuses, Judging};
use crate::http::{samples, Auth, CookieJar, HttpOutcome, RequestCookie, RequestSpec, ResponseType};
use crate::logger::{self, Level};
use crate::metrics::tag;
use crate::runtime::coroutine::suspend_with;
use crate::runtime::vu::{self, suspension_error, VuContext};

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
    engine.register_fn("batch", |_: HttpApi, requests: Dynamic| -> Result<(), Box<EvalAltResult>> {
        Err(format!("invalid http.batch() argument type {}", go_type(&requests)).into())
    });
    engine.register_fn("request_all", |ctx: NativeCallContext, _: HttpApi, requests: rhai::Array| {
        request_all(&ctx, requests)
    });
    engine.register_fn("request", |_: HttpApi, method: Dynamic, url: Dynamic| -> Res {
        send(&method_text(method), url, Dynamic::UNIT, None)
    });
    engine.register_fn("request", |_: HttpApi, method: Dynamic, url: Dynamic, body: Dynamic| -> Res {
        send(&method_text(method), url, body, None)
    });
    engine.register_fn("request", |_: HttpApi, method: Dynamic, url: Dynamic, body: Dynamic, params: Dynamic| -> Res {
        send(&method_text(method), url, body, params_map(params)?)
    });
}

/// A request made for the script by another API (`res.submitForm`, `res.clickLink`): sent,
/// recorded and answered exactly as `http.request(method, url, body, params)` would be.
pub fn request(method: &str, url: &str, body: Dynamic, params: Dynamic) -> Res {
    send(method, url.into(), body, params_map(params)?)
}

/// `http.request`'s method as k6 takes it, JavaScript's `String(v)` (`5` is the method `"5"`),
/// and `()` (k6's null) the empty text, which sends a `GET`.
pub(super) fn method_text(method: Dynamic) -> ImmutableString {
    if method.is_string() {
        return method.into_immutable_string().unwrap_or_default();
    }
    js_string(&method).into()
}

pub(super) fn params_map(params: Dynamic) -> Result<Option<Map>, Box<EvalAltResult>> {
    if params.is_unit() {
        return Ok(None);
    }
    let type_name = params.type_name();
    params
        .try_cast::<Map>()
        .map(Some)
        .ok_or_else(|| format!("http params must be a map (#{{ headers: ... }}), got {type_name}").into())
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
pub(super) enum Prepared {
    /// A request ready to send, with what is needed to record and answer it.
    Ready(RequestSpec, Recording),
    /// A request k6 fails before sending it ([`ParamError::FailsRequest`], a URL that is not
    /// one, a body it cannot send).
    NotSent(NotSent),
}

/// Why k6 fails a request before sending it: its `res.error` and `res.error_code`.
pub(super) struct NotSent {
    error: String,
    error_code: u32,
}

/// k6's error code for a URL it cannot read.
const INVALID_URL: u32 = 1020;
/// k6's error code for an error it has no class of its own for (Go's `invalid method`).
const GENERIC_ERROR: u32 = 1000;

impl Prepared {
    fn not_sent(error: String, error_code: u32) -> Self {
        Prepared::NotSent(NotSent { error, error_code })
    }
}

/// How a request's hops are recorded and answered.
pub(super) struct Recording {
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
pub(super) fn prepare(
    vu: &VuContext,
    method: &str,
    url: Dynamic,
    body: Dynamic,
    params: Option<Map>,
) -> Result<Prepared, Box<EvalAltResult>> {
    if vu.in_init.get() {
        // As k6: every VU runs the init code, so a request there would be one per VU.
        return Err("Making http requests in the init context is not supported".into());
    }
    // k6 v1.1 writes the value as Go's `%v` after a '#' (`http.get(5)`: `invalid URL: '#5'`).
    let (url, name) = match url_and_name(url) {
        Ok(url) => url,
        Err(value) => {
            return Ok(Prepared::not_sent(format!("invalid URL: '#{}'", go_format(&value)), INVALID_URL));
        }
    };
    let url = url.as_str();
    let mut p = match parse_params(params, vu.shared.http_config.discard_response_bodies) {
        Ok(p) => p,
        Err(ParamError::FailsRequest(error)) => return Ok(Prepared::not_sent(error, 0)),
        Err(ParamError::Refused(error)) => return Err(error.into()),
    };
    if let Some(name) = name.filter(|_| !p.tags.iter().any(|(k, _)| k == tag::NAME)) {
        p.tags.push((tag::NAME.into(), name));
    }
    // A body k6 cannot send (a number, an array) fails the request as a bad param does.
    let body = match body_bytes(body, &mut p.headers) {
        Ok(body) => body,
        Err(error) => return Ok(Prepared::not_sent(error, 0)),
    };
    let Some(method) = request_method(method) else {
        // k6 (Go's client) fails the request when it sends it, with error code 1000; rload
        // fails it before, so it records no sample, where k6 records a failed one.
        return Ok(Prepared::not_sent(format!("net/http: invalid method {method:?}"), GENERIC_ERROR));
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

/// The method a request sends, as written (k6 v1.1 sends `http.request("get", …)` as `get`, and
/// a server may refuse it): the empty text is `GET` and a method that is not an HTTP token
/// (`"GE T"`) is `None`, as Go's client takes them in k6.
fn request_method(method: &str) -> Option<http::Method> {
    if method.is_empty() {
        return Some(http::Method::GET);
    }
    http::Method::from_bytes(method.as_bytes()).ok()
}

/// k6's answer to a request it failed before sending (`Prepared::NotSent`): with the `throw`
/// option a script error; else the warning `warning` with the error, and the responses the
/// script gets: a status-0 response whose `error` and `error_code` say why. No sample is
/// recorded, as in k6.
pub(super) fn not_sent(vu: &VuContext, warning: &str, failure: NotSent) -> Result<Response, Box<EvalAltResult>> {
    if vu.shared.throw {
        return Err(failure.error.into());
    }
    logger::log(Level::Warn, None, warning, &[("error", &failure.error)]);
    Ok(unanswered(Some(failure)))
}

/// A status-0 response to a request that was not sent.
fn unanswered(failure: Option<NotSent>) -> Response {
    let outcome = match failure {
        Some(NotSent { error, error_code }) => HttpOutcome { error_code, ..HttpOutcome::not_sent(Some(error)) },
        None => HttpOutcome::not_sent(None),
    };
    Response::new(outcome, ResponseType::Text, None)
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
    finish_tagged(vu, &vu.base_tags(), record, hops)
}

/// [`finish`] with the VU's tags as they were when the request was made (`http.asyncRequest`
/// records its request when it completes, with the group it was made in, as k6 does).
pub(super) fn finish_tagged(
    vu: &VuContext,
    base: &crate::metrics::TagSet,
    record: Recording,
    hops: Vec<HttpOutcome>,
) -> Res {
    let Recording { tags, response_type, request, callback, digest, throw } = record;
    let judging = Judging { callback: callback.as_deref(), digest };
    let (sent, received) = samples::record_hops(base, &tags, &hops, judging);
    vu.count_bytes(sent, received);
    let last = hops.into_iter().last().ok_or("the HTTP client returned no response")?;
    // A failure without a response: k6's `throw` (-w, or params.throw) makes it an exception,
    // after its samples; else k6 logs it as a warning and the script gets a status-0 response.
    // Go's client wraps its own errors (`Get "URL": …`); a body that failed to decompress
    // (k6's 17xx) failed after it, and is written as it is.
    if let Some(error) = &last.error {
        let error = match last.error_code / 100 {
            17 => error.clone(),
            _ => go_url_error(last.method.as_str(), &last.url.to_string(), error),
        };
        if throw {
            return Err(error.into());
        }
        logger::log(Level::Warn, None, "Request Failed", &[("error", &error)]);
    }
    Ok(Response::new(last, response_type, Some(request)))
}

/// A failed request as Go's HTTP client words it, which k6 logs and throws: the method as Go
/// writes the operation (`Get`, `Post`), the URL quoted, then the error.
fn go_url_error(method: &str, url: &str, error: &str) -> String {
    let mut op = method.to_ascii_lowercase();
    if let Some(first) = op.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    format!("{op} \"{url}\": {error}")
}

/// The future a request suspends its VU on, built on the driver's stack.
type Exchange = Box<dyn FnOnce() -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<HttpOutcome>>>>>;

/// One request. Its frame is all that stays on the VU's stack while the request is in flight
/// (every VU of a run may be waiting in one): what it prepares and records lives in boxes and
/// in the frames of [`start`] and [`finish`], which are gone by then or not yet there.
pub(super) fn send(method: &str, url: Dynamic, body: Dynamic, params: Option<Map>) -> Res {
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
        Prepared::NotSent(failure) => return not_sent(&vu, "Request Failed", failure).map(Started::Answered),
    };
    let client = vu.http();
    let exchange: Exchange = Box::new(move || Box::pin(async move { client.request(spec).await }));
    Ok(Started::Sending(exchange, Box::new(record)))
}

/// One `http.batch` entry, as k6 v1.1 reads it: `[method, url, body?, params?]` (more items
/// are ignored), `#{ method?, url, body?, params? }` (the method upper-cased, and a `GET` or
/// `HEAD` without the body), or anything else as the URL. An entry of the wrong shape fails
/// the batch with k6's error (`invalid batch request '[]interface {}{"GET"}'`, `invalid
/// method type '5'`, `batch request 0 doesn't have a url key`); `key` is the entry's index or
/// name.
fn batch_entry(vu: &VuContext, key: &dyn Fn() -> String, entry: Dynamic) -> Result<Prepared, Box<EvalAltResult>> {
    let invalid_method =
        |method: &Dynamic| Ok(Prepared::not_sent(format!("invalid method type '{}'", go_syntax(method)), 0));
    if entry.is_array() {
        let items = entry.into_array().unwrap_or_default();
        if items.len() < 2 {
            let error = format!("invalid batch request '{}'", go_syntax(&Dynamic::from_array(items)));
            return Ok(Prepared::not_sent(error, 0));
        }
        let mut items = items.into_iter();
        let (method, url) = (items.next().unwrap_or_default(), items.next().unwrap_or_default());
        let Ok(method) = method.as_immutable_string_ref().map(|m| m.clone()) else { return invalid_method(&method) };
        let body = items.next().unwrap_or(Dynamic::UNIT);
        let params = params_map(items.next().unwrap_or(Dynamic::UNIT))?;
        return prepare(vu, &method, url, body, params);
    }
    if entry.is_map() {
        let mut map = entry.cast::<Map>();
        let Some(url) = map.shift_remove("url") else {
            return Ok(Prepared::not_sent(format!("batch request {} doesn't have a url key", key()), 0));
        };
        let mut body = map.shift_remove("body").unwrap_or(Dynamic::UNIT);
        let method = match map.shift_remove("method") {
            None => ImmutableString::from("GET"),
            Some(method) => {
                let Ok(method) = method.as_immutable_string_ref().map(|m| m.to_uppercase()) else {
                    return invalid_method(&method);
                };
                if method == "GET" || method == "HEAD" {
                    body = Dynamic::UNIT;
                }
                method.into()
            }
        };
        let params = params_map(map.shift_remove("params").unwrap_or(Dynamic::UNIT))?;
        return prepare(vu, &method, url, body, params);
    }
    prepare(vu, "GET", entry, Dynamic::UNIT, None)
}

/// Sends `entries` concurrently on the VU's own connections, as many at once as k6's `batch`
/// and `batchPerHost` allow (`crate::http::batch`); the responses keep their order. `key`
/// names the entry of an index in errors.
///
/// An entry k6 fails before sending (`Prepared::NotSent`) stops the batch there, as in k6:
/// nothing is sent, and the responses are status-0 ones for the entries up to it (its own
/// with the error), none for those after it; with the `throw` option, a script error.
fn batch(entries: Vec<Dynamic>, key: &dyn Fn(usize) -> String) -> Result<Vec<Response>, Box<EvalAltResult>> {
    let vu = vu::current();
    let (mut specs, mut records) = (Vec::with_capacity(entries.len()), Vec::with_capacity(entries.len()));
    for (i, entry) in entries.into_iter().enumerate() {
        match batch_entry(&vu, &|| key(i), entry)? {
            Prepared::Ready(spec, record) => {
                specs.push(spec);
                records.push(record);
            }
            Prepared::NotSent(failure) => {
                let failed = not_sent(&vu, "A batch request failed", failure)?;
                return Ok(specs.iter().map(|_| unanswered(None)).chain([failed]).collect());
            }
        }
    }
    let all = send_all(&vu, specs, vu.shared.http_config.batch)?;
    records.into_iter().zip(all).map(|(record, hops)| finish(&vu, record, hops)).collect()
}

/// Sends `specs` at once on the VU's own connections, as many in flight as `limits` allow, and
/// returns each one's hops in their order.
fn send_all(
    vu: &VuContext,
    specs: Vec<RequestSpec>,
    limits: http_batch::BatchLimits,
) -> Result<Vec<Vec<HttpOutcome>>, Box<EvalAltResult>> {
    let hosts = specs.iter().map(|spec| http_batch::host_key(&spec.url)).collect();
    let client = vu.http();
    suspend_with(move || async move {
        http_batch::run(specs, hosts, limits, |spec| {
            let client = client.clone();
            async move { client.request(spec).await }
        })
        .await
    })
    .map_err(suspension_error)
}

/// What became of one `http.request_all` entry.
enum Settled {
    /// Answered without sending (k6's status-0 response to a request it failed before sending).
    Answered(Response),
    /// Sent: the index of its spec.
    Sent(usize),
}

/// `http.request_all([[method, url, body?, params?], …])`: k6's `await Promise.all([...])` of
/// `http.asyncRequest(method, url, body?, params?)` calls, as `rload convert` writes it. Each
/// entry is read as `http.request` reads its arguments, and every request is in flight at once
/// (k6 runs each asyncRequest on its own: neither `batch` nor `batchPerHost` holds them); the
/// responses keep the entries' order.
///
/// An entry k6 fails before sending is answered as `http.request` answers it (the warning
/// `Request Failed` and a status-0 response) and the others are still sent, as each
/// asyncRequest is. With `throw` (the option, or an entry's `params.throw`) the requests go as
/// `http.asyncRequest`s awaited by `http.wait_all` (`http_async.rs`): the first failure, in the
/// order they fail, is the script error at once, as k6's `Promise.all` rejects, and the others
/// still complete (and are recorded) before the iteration ends.
fn request_all(ctx: &NativeCallContext, requests: rhai::Array) -> Result<rhai::Array, Box<EvalAltResult>> {
    let vu = vu::current();
    super::promise::note_await(&vu);
    let mut prepared = Vec::with_capacity(requests.len());
    for (i, entry) in requests.into_iter().enumerate() {
        let shape = format!("http.request_all: request {i} is not [method, url, body?, params?]");
        let items = entry.try_cast::<rhai::Array>().ok_or_else(|| shape.clone())?;
        if !(2..=4).contains(&items.len()) {
            return Err(shape.into());
        }
        let mut items = items.into_iter();
        let method = method_text(items.next().unwrap_or_default());
        let url = items.next().unwrap_or_default();
        let body = items.next().unwrap_or(Dynamic::UNIT);
        let params = params_map(items.next().unwrap_or(Dynamic::UNIT))?;
        prepared.push(prepare(&vu, &method, url, body, params)?);
    }
    // A request that may reject (`throw`) rejects k6's `Promise.all` as soon as it fails, while
    // the others go on: the promises' way, not one suspension for all.
    let may_reject = |p: &Prepared| match p {
        Prepared::Ready(_, record) => record.throw,
        Prepared::NotSent(_) => vu.shared.throw,
    };
    // So must an await while another promise of the VU may reject unawaited (k6's `Uncaught
    // (in promise)` as it happens).
    if prepared.iter().any(may_reject) || super::http_async::watching(&vu) {
        return super::http_async::all_of(ctx, &vu, prepared);
    }
    let (mut settled, mut specs, mut records) = (Vec::with_capacity(prepared.len()), Vec::new(), Vec::new());
    let mut rejected = None;
    for p in prepared {
        match p {
            Prepared::Ready(spec, record) => {
                settled.push(Settled::Sent(specs.len()));
                specs.push(spec);
                records.push(record);
            }
            Prepared::NotSent(failure) => match not_sent(&vu, "Request Failed", failure) {
                Ok(response) => settled.push(Settled::Answered(response)),
                Err(error) => {
                    rejected.get_or_insert(error);
                }
            },
        }
    }
    let mut finished: Vec<Option<Res>> = Vec::with_capacity(specs.len());
    if !specs.is_empty() {
        let limits = http_batch::BatchLimits { total: specs.len(), per_host: 0 };
        let all = send_all(&vu, specs, limits)?;
        finished = records.into_iter().zip(all).map(|(record, hops)| Some(finish(&vu, record, hops))).collect();
    }
    // An await: k6's turns took the outcomes of the VU's other requests meanwhile.
    if let Some(in_flight) = vu.in_flight_if_made() {
        in_flight.settle_arrived();
    }
    if let Some(error) = rejected {
        return Err(error);
    }
    settled
        .into_iter()
        .map(|s| match s {
            Settled::Answered(response) => Ok(Dynamic::from(response)),
            Settled::Sent(i) => finished[i].take().expect("one response per request sent").map(Dynamic::from),
        })
        .collect()
}

/// The responses in the entries' order; `()` for entries after one k6 failed before sending.
fn batch_array(requests: rhai::Array) -> Result<rhai::Array, Box<EvalAltResult>> {
    let count = requests.len();
    let mut responses: rhai::Array = batch(requests, &|i| i.to_string())?.into_iter().map(Dynamic::from).collect();
    responses.resize(count, Dynamic::UNIT);
    Ok(responses)
}

/// The responses by name; none for entries after one k6 failed before sending.
fn batch_map(requests: Map) -> Result<Map, Box<EvalAltResult>> {
    let (names, entries): (Vec<_>, Vec<_>) = requests.into_iter().unzip();
    let responses = batch(entries, &|i| names[i].to_string())?;
    Ok(names.iter().cloned().zip(responses.into_iter().map(Dynamic::from)).collect())
}
