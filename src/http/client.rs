//! [`HttpClient`]: one VU's requests, from URL to outcomes — request building, the
//! keep-alive reuse decision, redirects, cookies, the timeout and the outcome of every hop.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use bytes::Bytes;
use http::header::{
    AUTHORIZATION, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HOST, LOCATION, TRANSFER_ENCODING, USER_AGENT,
    WWW_AUTHENTICATE,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri, Version};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use url::{Position, Url};

use super::auth::{self, Auth};
use super::collected::Collected;
use super::compression;
use super::cookies::{CookieJar, RequestCookie};
use super::deadline;
use super::debug::HttpDebug;
use super::error_code::{self, Failure};
use super::h2::{Answer, SendError, Sender};
use super::headers::{HeadFields, ResponseHeaders};
use super::pool::{Conn, ConnInfo, CutBytes, IdleLimits, Pool, Target};
use super::samples::ExpectedStatuses;
use super::timing::Marks;
use super::{ClientConfig, HttpOutcome, RequestSpec, ResponseType, Timings};

/// A VU's HTTP client: its keep-alive connections and its cookie jar. Methods take `&self`,
/// so one VU may run several requests at once (batch); it is neither `Send` nor `Sync`.
pub struct HttpClient {
    config: Rc<ClientConfig>,
    /// `None` when the options ask for no `User-Agent` (an empty `userAgent`).
    user_agent: Option<HeaderValue>,
    /// The VU's own pool, or its thread's shared one (`sharedConnections`).
    pool: Rc<Pool>,
    /// The VU's jar; replaced by a new one as each iteration starts (see `begin_iteration`).
    jar: RefCell<CookieJar>,
    /// k6's response callback of this VU (`http.setResponseCallback`); `None` for `null`. The
    /// client only keeps it: [`super::samples`] applies it.
    response_callback: RefCell<Option<Rc<ExpectedStatuses>>>,
    /// The last URL requested, as given and parsed: a VU usually asks for the same URL again,
    /// and a copy costs less than parsing it anew.
    last_url: RefCell<Option<(String, Url)>>,
    /// The request target and `Host` value of the last URL sent, for the same reason: a copy
    /// of each shares its bytes, where building them copied the URL's parts anew.
    last_target: RefCell<Option<RequestTarget>>,
    /// The bytes of hops dropped in flight (see `ConnInfo`'s `Drop`), until the VU records them.
    cut_bytes: CutBytes,
}

/// What a request line and its `Host` header take from a URL.
struct RequestTarget {
    /// The URL as serialized, which these were made from.
    url: String,
    /// Path and query.
    uri: Uri,
    /// Host and port; `None` when they are not a valid header value.
    host: Option<HeaderValue>,
}

/// What stays the same for every hop of one request.
struct Sending<'a> {
    headers: &'a [(String, String)],
    cookies: &'a [RequestCookie],
    jar: &'a CookieJar,
    response_type: ResponseType,
    deadline: tokio::time::Instant,
}

/// The parts of a request that change from one redirect hop to the next.
struct Hop {
    method: Method,
    body: Option<Bytes>,
    /// The method became GET: drop the body's headers as well.
    strip_body_headers: bool,
    /// A redirect left the original host: do not forward the script's credentials.
    strip_credentials: bool,
    /// A redirect: k6 rebuilds the `Cookie` header from the request's and the jar's cookies,
    /// so a `Cookie` in the script's headers is not sent again.
    redirected: bool,
    /// An `Authorization` that replaces the script's (digest authentication).
    authorization: Option<HeaderValue>,
}

/// A response whose body was read to the end.
struct Received {
    status: StatusCode,
    version: Version,
    /// The reason phrase when it is not the standard one.
    reason: Option<Box<str>>,
    headers: HeadFields,
    body: Option<Bytes>,
    done: Instant,
}

impl HttpClient {
    /// A client with no connections and an empty cookie jar; creating it costs no I/O.
    pub fn new(config: Rc<ClientConfig>) -> Self {
        let pool = Pool::own(IdleLimits::of(config.batch));
        Self::with_pool(config, Rc::new(pool))
    }

    /// A client whose connections come from `pool`, which other clients of this thread may
    /// share ([`Pool::shared`]).
    pub fn with_pool(config: Rc<ClientConfig>, pool: Rc<Pool>) -> Self {
        let user_agent = config.user_agent_header();
        HttpClient {
            config,
            user_agent,
            pool,
            jar: RefCell::new(CookieJar::default()),
            response_callback: RefCell::new(Some(Rc::new(ExpectedStatuses::default()))),
            last_url: RefCell::new(None),
            last_target: RefCell::new(None),
            cut_bytes: CutBytes::default(),
        }
    }

    /// The bytes (sent, received) of this client's requests cut in flight since the last call.
    pub fn take_cut_bytes(&self) -> (u64, u64) {
        self.cut_bytes.replace((0, 0))
    }

    /// The VU's response callback (k6's default until the script sets one).
    pub fn response_callback(&self) -> Option<Rc<ExpectedStatuses>> {
        self.response_callback.borrow().clone()
    }

    /// k6's `http.setResponseCallback(callback)`; `None` for `null`.
    pub fn set_response_callback(&self, callback: Option<ExpectedStatuses>) {
        *self.response_callback.borrow_mut() = callback.map(Rc::new);
    }

    /// Called as an iteration starts: k6 gives the VU a new, empty cookie jar before each
    /// iteration unless `noCookiesReset` is set. Connections are kept either way.
    pub fn begin_iteration(&self) {
        if !self.config.no_cookies_reset {
            *self.jar.borrow_mut() = CookieJar::default();
        }
    }

    /// The VU's cookie jar as it is now (k6's `http.cookieJar()`).
    pub fn cookie_jar(&self) -> CookieJar {
        self.jar.borrow().clone()
    }

    /// The number of sockets this client's pool holds open, idle or busy.
    pub fn open_connections(&self) -> usize {
        self.pool.open_connections()
    }

    /// Performs the request, following redirects. Returns one outcome per hop, the final
    /// response last (the caller records one `http_reqs` sample per hop, as k6 does). Never
    /// fails: transport errors are outcomes with `status == 0`.
    pub async fn request(&self, spec: RequestSpec) -> Vec<HttpOutcome> {
        let deadline = tokio::time::Instant::now() + spec.timeout;
        let RequestSpec { method, url, headers, cookies, jar, auth, body, redirects, response_type, .. } = spec;
        let mut outcomes = Vec::with_capacity(1);
        let mut url = match self.parse_url(&url) {
            Ok(parsed) => parsed,
            Err(err) => {
                let failure = error_code::for_url(&url, err);
                outcomes.push(failed(method, url, failure, None, Timings::default(), &ConnInfo::empty()));
                return outcomes;
            }
        };
        let jar = jar.unwrap_or_else(|| self.cookie_jar());
        let sending = Sending { headers: &headers[..], cookies: &cookies, jar: &jar, response_type, deadline };
        let mut hop = Hop {
            method,
            body,
            strip_body_headers: false,
            strip_credentials: false,
            redirected: false,
            authorization: None,
        };
        // Digest: the credentials leave the URL (and so the tags); the first hop still carries
        // them as Basic, as Go's client sends it before k6's digest transport sees the request.
        // A URL without credentials answers the challenge with empty ones, as k6's transport
        // does: the second 401 then counts as a failure.
        let digest = (auth == Auth::Digest).then(|| auth::credentials(&url).unwrap_or_default());
        if digest.is_some() {
            if !has_header(&headers, AUTHORIZATION) {
                hop.authorization = auth::basic_header(&url);
            }
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        let mut followed = 0;
        // Whether this hop's digest challenge was answered: once per hop, as k6's transport does.
        let mut answered = false;
        loop {
            // One await of a hop in this future, not two: each took the hop's whole future's
            // size in this one (a request's boxed future was 8.9 KB, copied whole on each move).
            let (outcome, location) = self.exchange_logged(&url, &hop, &sending).await;
            if let (Some((user, password)), 401, false) = (&digest, outcome.status, answered) {
                if let Some(answer) = auth::digest_answer(&outcome, &hop.method, &url, user, password) {
                    hop.authorization = Some(answer);
                    outcomes.push(outcome);
                    answered = true;
                    continue;
                }
            }
            answered = false;
            let next = location.filter(|_| followed < redirects);
            let status = outcome.status;
            outcomes.push(outcome);
            let Some(next) = next else {
                return outcomes;
            };
            followed += 1;
            redirect(&mut hop, status, &url, &next);
            url = next;
        }
    }

    /// `url` parsed, or a copy of the last URL parsed when it is the same text.
    fn parse_url(&self, url: &str) -> Result<Url, url::ParseError> {
        if let Some((text, parsed)) = &*self.last_url.borrow() {
            if text == url {
                return Ok(parsed.clone());
            }
        }
        let parsed = Url::parse(url)?;
        *self.last_url.borrow_mut() = Some((url.to_owned(), parsed.clone()));
        Ok(parsed)
    }

    /// One hop: a request and its response or failure, and where a redirect points to.
    /// [`Self::exchange`], logged with `--http-debug`: the request as built before the exchange
    /// (so before this hop's cookies are stored), then its outcome.
    async fn exchange_logged(&self, url: &Url, hop: &Hop, sending: &Sending<'_>) -> (HttpOutcome, Option<Url>) {
        let debug = (self.config.http_debug != HttpDebug::Off).then(|| self.build_request(url, hop, sending).ok());
        let (outcome, location) = self.exchange(url, hop, sending).await;
        if let Some(request) = debug {
            super::debug::log(self.config.http_debug, request.as_ref(), hop.body.as_ref(), &outcome);
        }
        (outcome, location)
    }

    async fn exchange(&self, url: &Url, hop: &Hop, sending: &Sending<'_>) -> (HttpOutcome, Option<Url>) {
        let mut marks = Marks::new(Instant::now());
        let mut info = ConnInfo::counting_into(&self.cut_bytes);
        // Outside the hop's future, so that a failure while reading the body (the server
        // closing early, the timeout) still has the part received, which k6 keeps.
        let mut body = None;
        // A deadline already past (a zero or negative timeout) fails before anything is sent, as
        // Go's client fails on a context already done; `within` polls the request first, so
        // an answer that came in before the timer's turn would have won the race.
        let result = if sending.deadline <= tokio::time::Instant::now() {
            Err(Failure::timeout())
        } else {
            deadline::within(sending.deadline, self.attempt(url, hop, sending, &mut marks, &mut info, &mut body))
                .await
                .unwrap_or_else(|_elapsed| Err(Failure::timeout()))
        };
        match result {
            Ok(received) => {
                let (last_write, first_read) = self::io_instants(&info, &marks);
                let timings = marks.timings(last_write, first_read, received.done);
                sending.jar.store_response(received.headers.set_cookies(), url);
                let location = if matches!(received.status.as_u16(), 301 | 302 | 303 | 307 | 308) {
                    redirect_target(received.headers.map(), url)
                } else {
                    None
                };
                (respond(hop.method.clone(), url, received, timings, &info), location)
            }
            Err(failure) => {
                let (last_write, first_read) = self::io_instants(&info, &marks);
                let timings = marks.timings(last_write, first_read, Instant::now());
                let partial = body.map(|body| body.into_bytes(info.http2));
                (failed(hop.method.clone(), url.as_str().to_owned(), failure, partial, timings, &info), None)
            }
        }
    }

    /// Gets a connection, sends the request and reads the response. A reused connection that
    /// turns out to have been closed by the server is replaced once, as Go's client does: for
    /// any request when nothing was sent, for idempotent ones when the response never came.
    async fn attempt(
        &self,
        url: &Url,
        hop: &Hop,
        sending: &Sending<'_>,
        marks: &mut Marks,
        info: &mut ConnInfo,
        body: &mut Option<Collected>,
    ) -> Result<Received, Failure> {
        let target = Target::of(url)?;
        let mut may_retry = true;
        loop {
            let request = self.build_request(url, hop, sending)?;
            let (mut conn, reused) =
                self.pool.checkout(&target, self.config.insecure_skip_tls_verify, marks, info).await?;
            if !conn.sender.is_http2() {
                conn.stats.begin_request();
            }
            marks.send_start = Some(Instant::now());
            let tls = conn.tls;
            let (failure, stale) = match conn.sender.send(request, tls).await {
                Ok(answer) => {
                    marks.response_start = Some(Instant::now());
                    return self.receive(conn, answer, sending.response_type, body).await;
                }
                Err(SendError::Uri(message)) => {
                    return Err(Failure::new(error_code::INVALID_URL, format!("invalid URL \"{url}\": {message}")))
                }
                // Nothing came back on a kept connection: the server had closed it.
                Err(SendError::Http1(failed)) => {
                    let stale = failed.closed && is_idempotent(&hop.method) && conn.stats.first_read().is_none();
                    (failed.failure, stale)
                }
                // HTTP/2 shares the socket: only a request hyper never sent is retried.
                Err(SendError::Hyper(err)) => (error_code::for_hyper(&err, conn.stats.failed_op()), err.is_canceled()),
            };
            if !(reused && may_retry && stale) {
                return Err(failure);
            }
            may_retry = false;
            *marks = Marks::new(marks.start);
        }
    }

    /// Reads the body to the end (keeping it in `body` unless `response_type` is `None`) and
    /// puts the connection back in the pool when it can serve another request. A kept body
    /// whose `Content-Encoding` k6 knows is decoded ([`compression`]); one that does not decode
    /// fails with 1701, its connection already pooled (the body was read to its end).
    ///
    /// A kept body larger than `maxResponseBodySize` fails with 1060 as soon as it is known:
    /// from the Content-Length before any byte of it is read, or when the bytes received pass
    /// the cap. Returning drops `conn`, which closes the socket, so the rest is never read.
    async fn receive(
        &self,
        mut conn: Conn,
        answer: Answer,
        response_type: ResponseType,
        body: &mut Option<Collected>,
    ) -> Result<Received, Failure> {
        let Answer { head, mut stream } = answer;
        let keep = response_type != ResponseType::None;
        let limit = self.config.max_response_body_size;
        if keep {
            // The exact length from Content-Length (0 for HEAD, 204, 304).
            if head.announced.is_some_and(|length| length > limit) {
                return Err(Failure::body_too_large(limit));
            }
            *body = Some(Collected::expecting(head.announced.unwrap_or(0)));
        }
        while let Some(data) = next_chunk(&mut conn, &mut stream).await {
            let data = data?;
            let Some(collected) = body.as_mut() else {
                continue;
            };
            if collected.len() as u64 + data.len() as u64 > limit {
                *body = None;
                return Err(Failure::body_too_large(limit));
            }
            collected.push(data);
        }
        let done = Instant::now();
        let http1 = !conn.sender.is_http2();
        // HTTP/1.1 knows from the head and the framing; hyper's HTTP/2 from the connection.
        let server_closes = conn.sender.is_closed();
        if self.config.no_connection_reuse && !http1 {
            self.pool.forget(&conn);
        } else if !self.config.no_connection_reuse && !server_closes {
            self.pool.put_idle(conn);
        }
        if http1 {
            // The other VUs of this thread read their responses before this one's script goes
            // on: each response is read (and timed) as it arrives, not after other scripts, and
            // the thread's reads and scripts run in runs, as with hyper's connection tasks.
            tokio::task::yield_now().await;
        }
        let mut kept = body.take().map(|body| body.into_bytes(!http1));
        if let (Some(raw), Some(encoding)) = (&kept, head.headers.content_encoding()) {
            kept = Some(compression::decode(encoding.as_bytes(), raw.clone(), limit)?);
        }
        Ok(Received {
            status: head.status,
            version: head.version,
            reason: head.reason,
            headers: head.headers,
            body: kept,
            done,
        })
    }

    /// `url`'s request target and `Host` value, copied from the last request's when it was
    /// to the same URL.
    fn request_target(&self, url: &Url) -> Result<(Uri, Option<HeaderValue>), Failure> {
        if let Some(last) = self.last_target.borrow().as_ref().filter(|last| last.url == url.as_str()) {
            return Ok((last.uri.clone(), last.host.clone()));
        }
        let uri = Uri::try_from(&url[Position::BeforePath..Position::AfterQuery])
            .map_err(|err| Failure::new(error_code::INVALID_URL, format!("invalid URL \"{url}\": {err}")))?;
        let host = HeaderValue::from_str(&url[Position::BeforeHost..Position::AfterPort]).ok();
        let target = RequestTarget { url: url.as_str().to_owned(), uri: uri.clone(), host: host.clone() };
        *self.last_target.borrow_mut() = Some(target);
        Ok((uri, host))
    }

    fn build_request(&self, url: &Url, hop: &Hop, sending: &Sending<'_>) -> Result<Request<Bytes>, Failure> {
        let headers = sending.headers;
        let (uri, host) = self.request_target(url)?;
        let mut request = Request::new(hop.body.clone().unwrap_or_default());
        *request.method_mut() = hop.method.clone();
        *request.uri_mut() = uri;
        let map = request.headers_mut();
        map.reserve(headers.len() + 3);
        let (mut has_host, mut has_user_agent) = (false, false);
        let mut cookie = String::new();
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Failure::new(error_code::GENERIC, format!("invalid header name \"{name}\"")))?;
            let body_header = name == CONTENT_TYPE || name == CONTENT_LENGTH || name == TRANSFER_ENCODING;
            let credential = name == AUTHORIZATION || name == COOKIE || name == WWW_AUTHENTICATE;
            if (hop.strip_body_headers && body_header) || (hop.strip_credentials && credential) {
                continue;
            }
            if name == COOKIE {
                if hop.redirected {
                    continue;
                }
                if !cookie.is_empty() {
                    cookie.push_str("; ");
                }
                cookie.push_str(value);
                continue;
            }
            let value = HeaderValue::from_str(value)
                .map_err(|_| Failure::new(error_code::GENERIC, format!("invalid value for header \"{name}\"")))?;
            has_host |= name == HOST;
            has_user_agent |= name == USER_AGENT;
            map.append(name, value);
        }
        if !has_host {
            let value =
                host.ok_or_else(|| Failure::new(error_code::INVALID_URL, format!("invalid URL \"{url}\": bad host")))?;
            map.insert(HOST, value);
        }
        if let Some(authorization) = &hop.authorization {
            map.insert(AUTHORIZATION, authorization.clone());
        } else if !map.contains_key(AUTHORIZATION) {
            if let Some(basic) = auth::basic_header(url) {
                map.insert(AUTHORIZATION, basic);
            }
        }
        if let (false, Some(user_agent)) = (has_user_agent, &self.user_agent) {
            map.insert(USER_AGENT, user_agent.clone());
        }
        // Go's transport with keep-alives off (k6's `noConnectionReuse`) asks the server to
        // close: `Connection: close`, in `data_sent` and echoed by servers that echo. HTTP/2
        // has no such header (hyper leaves it out there).
        if self.config.no_connection_reuse && !map.contains_key(CONNECTION) {
            map.insert(CONNECTION, HeaderValue::from_static("close"));
        }
        // Go's client (so k6) declares an empty body of a method that carries one; hyper sends
        // nothing, and servers that require a length answer 411.
        let empty = hop.body.as_ref().is_none_or(Bytes::is_empty);
        let carries_body = hop.method == Method::POST || hop.method == Method::PUT || hop.method == Method::PATCH;
        if empty && carries_body && !map.contains_key(CONTENT_LENGTH) && !map.contains_key(TRANSFER_ENCODING) {
            map.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        sending.jar.append_header(url, sending.cookies, &mut cookie);
        if !cookie.is_empty() {
            let value = HeaderValue::try_from(cookie)
                .map_err(|_| Failure::new(error_code::GENERIC, "invalid value for header \"cookie\""))?;
            map.insert(COOKIE, value);
        }
        Ok(request)
    }
}

/// Rewrites `hop` for a redirect with `status` from `from` to `to`, as Go's client (and so
/// k6) does: 303, and 301/302 after a POST, become a GET without body; 307/308 repeat the
/// request as is; credentials the script set are not sent to another host.
fn redirect(hop: &mut Hop, status: u16, from: &Url, to: &Url) {
    let to_get = match status {
        303 => hop.method != Method::GET && hop.method != Method::HEAD,
        301 | 302 => hop.method == Method::POST,
        _ => false,
    };
    if to_get {
        hop.method = Method::GET;
        hop.body = None;
        hop.strip_body_headers = true;
    }
    if from.host_str() != to.host_str() {
        hop.strip_credentials = true;
    }
    hop.redirected = true;
    hop.authorization = None;
}

fn has_header(headers: &[(String, String)], name: HeaderName) -> bool {
    headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name.as_str()))
}

/// The URL a redirect response points to, if it is one we follow.
fn redirect_target(headers: &HeaderMap, base: &Url) -> Option<Url> {
    let location = headers.get(LOCATION)?.to_str().ok()?;
    base.join(location).ok()
}

/// The (end of sending, first response byte) of a hop: the socket's for HTTP/1.1; for HTTP/2,
/// whose socket carries other streams too, the hand-over of the request and its response head.
fn io_instants(info: &ConnInfo, marks: &Marks) -> (Option<Instant>, Option<Instant>) {
    if info.http2 {
        (marks.send_start, marks.response_start)
    } else {
        info.io_instants()
    }
}

/// The next piece of a response body: on HTTP/2 from hyper's stream, on HTTP/1.1 from the
/// connection itself.
async fn next_chunk(conn: &mut Conn, stream: &mut Option<Incoming>) -> Option<Result<Bytes, Failure>> {
    match (&mut conn.sender, stream) {
        (_, Some(stream)) => loop {
            match stream.frame().await? {
                Ok(frame) => {
                    if let Ok(data) = frame.into_data() {
                        return Some(Ok(data));
                    }
                }
                Err(err) => return Some(Err(error_code::for_hyper(&err, conn.stats.failed_op()))),
            }
        },
        (Sender::Http1(h1), None) => h1.next_chunk().await,
        (Sender::Http2(_), None) => unreachable!("an HTTP/2 answer comes with its stream"),
    }
}

fn is_idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE)
}

fn respond(method: Method, url: &Url, received: Received, timings: Timings, info: &ConnInfo) -> HttpOutcome {
    let (bytes_sent, bytes_received) = info.bytes();
    let status = received.status;
    HttpOutcome {
        status: status.as_u16(),
        reason: received.reason,
        proto: match received.version {
            Version::HTTP_10 => "HTTP/1.0",
            Version::HTTP_2 => "HTTP/2.0",
            _ => "HTTP/1.1",
        },
        url: url.as_str().to_owned(),
        method,
        set_cookies: received
            .headers
            .set_cookies()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect(),
        headers: ResponseHeaders::new(received.headers),
        body: received.body,
        error: None,
        error_code: error_code::for_status(status.as_u16()),
        timings,
        bytes_sent,
        bytes_received,
        remote_ip: info.remote.map(|addr| addr.ip()),
        remote_port: info.remote.map_or(0, |addr| addr.port()),
    }
}

fn failed(
    method: Method,
    url: String,
    failure: Failure,
    body: Option<Bytes>,
    timings: Timings,
    info: &ConnInfo,
) -> HttpOutcome {
    let (bytes_sent, bytes_received) = info.bytes();
    HttpOutcome {
        status: 0,
        reason: None,
        proto: "",
        url,
        method,
        headers: ResponseHeaders::default(),
        set_cookies: Vec::new(),
        body,
        error: Some(failure.message.into_owned()),
        error_code: failure.code,
        timings,
        bytes_sent,
        bytes_received,
        remote_ip: info.remote.map(|addr| addr.ip()),
        remote_port: info.remote.map_or(0, |addr| addr.port()),
    }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
