//! The SyncKairos HTTP routes, in the order the service runs its middleware and handlers:
//! body parser (`body.rs`), general rate limit, path and body validation, switch rate limit,
//! then the handler's Redis round trips (`latency.rs`) against the store. Responses have the
//! service's shapes: `{"data": …}` from session routes, a bare object from `/v1/time`,
//! `/health` and `/ready`, `{"error": {"code", "message", "details"?}}` on failure, and
//! Express's HTML page for a path or method it does not route. Every write enqueues a DB write
//! (`queue.rs`) and tells the session's WebSocket clients (`hub.rs`). No logging.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, Extension, MatchedPath, Path, Request, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::body::JsonBody;
use super::hub::Push;
use super::metrics::{render, Gauges};
use super::model::{Command, Refusal, SyncState};
use super::validate::{self, Issue};
use super::ws::state_message;
use super::{now_ms, Shared};

/// Express's `res.json` content type.
const JSON_UTF8: &str = "application/json; charset=utf-8";

/// A failed request, as the real service's error handler shapes it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

/// `{"error": {"code", "message", "details"?, "retry_after_seconds"?}}`, keys in that order.
#[derive(Debug, Serialize)]
struct ErrorBody {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Details>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after_seconds: Option<u64>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Details {
    Issues(Vec<Issue>),
    Versions { expected_version: u64, actual_version: u64 },
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, body: ErrorBody { code, message: message.into(), details: None, retry_after_seconds: None } }
    }

    /// What the service's error handler answers for an error it does not recognise: a body
    /// its parser rejects, a duplicate participant id.
    pub(super) fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "Internal server error")
    }

    fn validation(issues: Vec<Issue>) -> Self {
        let mut error = Self::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", "Request validation failed");
        error.body.details = Some(Details::Issues(issues));
        error
    }

    fn not_found(id: Uuid) -> Self {
        Self::new(StatusCode::NOT_FOUND, "SESSION_NOT_FOUND", format!("Session {id} not found"))
    }

    fn refused(id: Uuid, refusal: Refusal) -> Self {
        let code = match refusal {
            Refusal::Transition { .. } => "INVALID_STATE_TRANSITION",
            Refusal::UnknownParticipant(_) => "VALIDATION_ERROR",
        };
        Self::new(StatusCode::BAD_REQUEST, code, refusal.message(id))
    }

    fn conflict(expected_version: u64, actual_version: u64) -> Self {
        let mut error = Self::new(StatusCode::CONFLICT, "CONFLICT", "Concurrent modification detected, please retry");
        error.body.details = Some(Details::Versions { expected_version, actual_version });
        error
    }

    fn rate_limited(message: &str, retry_after_seconds: u64) -> Self {
        let mut error = Self::new(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMIT_EXCEEDED", message);
        error.body.retry_after_seconds = Some(retry_after_seconds);
        error
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Envelope {
            error: ErrorBody,
        }
        json_response(self.status, &Envelope { error: self.body })
    }
}

type Reply = Result<Response, ApiError>;

#[derive(Serialize)]
struct Data<T> {
    data: T,
}

fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))], bytes).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn data(status: StatusCode, body: impl Serialize) -> Reply {
    Ok(json_response(status, &Data { data: body }))
}

/// The `:id` of a session route, which must be a UUID (zod's `SessionIdParamSchema`).
fn session_id(id: &str) -> Result<Uuid, ApiError> {
    validate::uuid(id).ok_or_else(|| {
        ApiError::validation(vec![Issue {
            field: "id".into(),
            message: "Session ID must be a valid UUID".into(),
            code: "invalid_format",
        }])
    })
}

/// `{"type": "STATE_UPDATE", …}` for the session's sockets, built only if there are some.
fn announce(shared: &Shared, state: &SyncState) {
    shared.hub.publish(&state.session_id, || Push::Text(state_message("STATE_UPDATE", state)));
}

/// `GET`: one round trip, then the stored session or 404.
async fn read(shared: &Shared, id: Uuid) -> Result<Arc<SyncState>, ApiError> {
    shared.options.redis.round_trip().await;
    shared.store.get(&id).ok_or_else(|| ApiError::not_found(id))
}

/// `SETEX` of `state` at the version after `read_version`, then `PUBLISH` to the session's
/// sockets: two round trips. Returns nothing: callers answer with the state they computed.
async fn write(shared: &Shared, mut state: SyncState, read_version: u64) {
    state.version = read_version + 1;
    shared.options.redis.round_trip().await;
    let written = shared.store.set(state, now_ms());
    shared.queue.enqueue();
    shared.options.redis.round_trip().await;
    announce(shared, &written);
}

pub async fn create(State(shared): State<Arc<Shared>>, Extension(JsonBody(body)): Extension<JsonBody>) -> Reply {
    let new = validate::new_session(&body).map_err(ApiError::validation)?;
    // SyncEngine's own check after zod's: its plain Error falls through the error handler.
    if validate::has_duplicate_participants(&new) {
        return Err(ApiError::internal());
    }
    let state = SyncState::create(new, now_ms());
    shared.options.redis.round_trip().await;
    let state = shared.store.set(state, now_ms());
    shared.queue.enqueue();
    data(StatusCode::CREATED, &*state)
}

pub async fn get(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Reply {
    let id = session_id(&id)?;
    let state = read(&shared, id).await?;
    data(StatusCode::OK, &*state)
}

/// 204 whether or not the session existed, as the real service (a Redis `DEL`) answers.
pub async fn delete(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Reply {
    let id = session_id(&id)?;
    shared.options.redis.round_trip().await;
    shared.store.remove(&id);
    shared.options.redis.round_trip().await;
    shared.hub.publish_all(&id, || {
        let notice = format!(r#"{{"type":"SESSION_DELETED","sessionId":"{id}","timestamp":{}}}"#, now_ms());
        vec![Push::Text(notice.into()), Push::Close]
    });
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// start, pause, resume, complete: read, apply, write without a version check. The answer is
/// the state the handler computed, whose `version` is still the one it read (start answers
/// 1): the service bumps the version only in the copy it stores.
async fn transition(shared: &Shared, id: &str, command: Command) -> Reply {
    let id = session_id(id)?;
    let read = read(shared, id).await?;
    let mut state = SyncState::clone(&read);
    state.apply(command, now_ms()).map_err(|refusal| ApiError::refused(id, refusal))?;
    write(shared, state.clone(), read.version).await;
    data(StatusCode::OK, &state)
}

pub async fn start(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Reply {
    transition(&shared, &id, Command::Start).await
}

pub async fn pause(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Reply {
    transition(&shared, &id, Command::Pause).await
}

pub async fn resume(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Reply {
    transition(&shared, &id, Command::Resume).await
}

pub async fn complete(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Reply {
    transition(&shared, &id, Command::Complete).await
}

/// The hot path, as the service runs it: `GET` the session, compute the switch, `GET` it again
/// to compare versions (409 `CONFLICT` if another write landed since the first read), `SETEX`,
/// `PUBLISH`. Four round trips, and the check and the write are separate commands: a write
/// landing between them is overwritten without a 409, as in the service.
pub async fn switch(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Extension(JsonBody(body)): Extension<JsonBody>,
) -> Reply {
    let id = session_id(&id)?;
    let next = validate::switch(&body).map_err(ApiError::validation)?;
    let limit = match &shared.switch_limit {
        Some(limit) => {
            shared.options.redis.round_trip().await;
            let decision = limit.hit(&id.to_string(), Instant::now());
            if !decision.allowed {
                let mut response =
                    ApiError::rate_limited("Too many cycle switches for this session, please slow down", 1)
                        .into_response();
                decision.write_headers(response.headers_mut());
                return Ok(response);
            }
            Some(decision)
        }
        None => None,
    };
    let read = read(&shared, id).await?;
    let mut state = SyncState::clone(&read);
    let expired = state.apply(Command::Switch { next }, now_ms()).map_err(|refusal| ApiError::refused(id, refusal))?;
    let current = read_version(&shared, id).await?;
    if current != read.version {
        return Err(ApiError::conflict(read.version, current));
    }
    let mut response = data(StatusCode::OK, state.switch_result(expired))?;
    write(&shared, state, read.version).await;
    if let Some(decision) = limit {
        decision.write_headers(response.headers_mut());
    }
    Ok(response)
}

/// The optimistic lock's `GET`: the stored version now.
async fn read_version(shared: &Shared, id: Uuid) -> Result<u64, ApiError> {
    Ok(read(shared, id).await?.version)
}

/// Server time for clients' clock sync, at the top level (no `data` wrapper).
pub async fn time() -> Response {
    json_response(
        StatusCode::OK,
        &json!({ "timestamp_ms": now_ms(), "server_version": "2.0.0", "drift_tolerance_ms": 50 }),
    )
}

pub async fn health() -> Response {
    json_response(StatusCode::OK, &json!({ "status": "ok" }))
}

/// Readiness: the service pings Redis and PostgreSQL; the target is always ready.
pub async fn ready() -> Response {
    json_response(StatusCode::OK, &json!({ "status": "ready" }))
}

pub async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let gauges = Gauges {
        active_sessions: shared.store.len() as u64,
        websocket_connections: shared.websockets.load(std::sync::atomic::Ordering::Relaxed),
        db_write_queue_size: shared.queue.depth(),
    };
    let page = render(gauges, &shared.http);
    ([(CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"))], page).into_response()
}

/// Express's answer to a path, or a method on a known path, that no route takes: 404 and an
/// HTML page (`PUT /v1/sessions/{id}` is one).
pub async fn not_found(method: Method, uri: Uri) -> Response {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n\
         <body>\n<pre>Cannot {method} {}</pre>\n</body>\n</html>\n",
        html_escape(uri.path())
    );
    let headers = [
        (CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
        (CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'")),
        (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    (StatusCode::NOT_FOUND, headers, page).into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Middleware: the service's general rate limit (per client IP) on the `/v1` routes, when on.
pub async fn general_limit(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let Some(limit) = &shared.general_limit else { return next.run(request).await };
    let ip = request.extensions().get::<ConnectInfo<SocketAddr>>().map_or("unknown".into(), |c| c.0.ip().to_string());
    shared.options.redis.round_trip().await;
    let decision = limit.hit(&ip, Instant::now());
    if !decision.allowed {
        let mut response = ApiError::rate_limited("Too many requests, please try again later", 60).into_response();
        decision.write_headers(response.headers_mut());
        return response;
    }
    let mut response = next.run(request).await;
    // The switch limit ran later in the chain and its headers win, as in the service.
    if !response.headers().contains_key("ratelimit-limit") {
        decision.write_headers(response.headers_mut());
    }
    response
}

/// Middleware counting and timing every request (`synckairos_http_requests_total`,
/// `synckairos_http_request_duration_ms`, and `synckairos_switch_cycle_duration_ms` for switches).
pub async fn count_request(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    shared.http.count(&method, matched.as_ref().map(MatchedPath::as_str), response.status(), started.elapsed());
    response
}
