//! The SyncKairos HTTP routes: decoding requests, calling the store, and the real service's
//! response shapes — `{"data": …}` on success, `{"error": {"code", "message", "details"?}}`
//! on failure. Every successful mutation enqueues a DB write and tells the session's
//! WebSocket clients (see `hub.rs`). No logging.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::hub::Push;
use super::metrics::{render, Gauges};
use super::model::{Command, Refusal, SyncState};
use super::store::WriteError;
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

    fn validation(issues: Vec<Issue>) -> Self {
        let mut error = Self::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", "Request validation failed");
        error.body.details = Some(Details::Issues(issues));
        error
    }

    fn not_found(id: Uuid) -> Self {
        Self::new(StatusCode::NOT_FOUND, "SESSION_NOT_FOUND", format!("Session {id} not found"))
    }

    fn write(id: Uuid, error: WriteError) -> Self {
        match error {
            WriteError::NotFound => Self::not_found(id),
            WriteError::Refused(refusal) => {
                let code = match refusal {
                    Refusal::Transition { .. } => "INVALID_STATE_TRANSITION",
                    Refusal::UnknownParticipant(_) => "VALIDATION_ERROR",
                };
                Self::new(StatusCode::BAD_REQUEST, code, refusal.message(id))
            }
            WriteError::Conflict { expected_version, actual_version } => {
                let mut error =
                    Self::new(StatusCode::CONFLICT, "CONFLICT", "Concurrent modification detected, please retry");
                error.body.details = Some(Details::Versions { expected_version, actual_version });
                error
            }
        }
    }

    fn rate_limited() -> Self {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMIT_EXCEEDED",
            "Too many cycle switches for this session, please slow down",
        );
        error.body.retry_after_seconds = Some(1);
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

/// The `:id` of a session route, which must be a UUID.
fn session_id(id: &str) -> Result<Uuid, ApiError> {
    validate::uuid(id).ok_or_else(|| {
        ApiError::validation(vec![Issue {
            field: "id".into(),
            message: "Session ID must be a valid UUID".into(),
            code: "invalid_string",
        }])
    })
}

/// The JSON body, or `{}` when there is none or it is not declared as JSON (Express's
/// `express.json()` leaves such bodies unparsed).
pub(super) fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"));
    if !is_json || body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|err| {
        ApiError::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", format!("Request body is not valid JSON: {err}"))
    })
}

/// `{"type": "STATE_UPDATE", …}` for the session's sockets, built only if there are some.
fn announce(shared: &Shared, state: &SyncState) {
    shared.hub.publish(&state.session_id, || Push::Text(state_message("STATE_UPDATE", state)));
}

pub async fn create(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Reply {
    let body = json_body(&headers, &body)?;
    let new = validate::new_session(&body).map_err(ApiError::validation)?;
    let now = now_ms();
    let state = shared.store.put(SyncState::create(new, now), now);
    shared.queue.enqueue();
    data(StatusCode::CREATED, &*state)
}

pub async fn get(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Reply {
    let id = session_id(&id)?;
    let state = shared.store.get(&id).ok_or_else(|| ApiError::not_found(id))?;
    data(StatusCode::OK, &*state)
}

/// 204 whether or not the session existed, as the real service (a Redis `DEL`) answers.
pub async fn delete(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Reply {
    let id = session_id(&id)?;
    if shared.store.remove(&id) {
        shared.queue.enqueue();
    }
    shared.hub.publish_all(&id, || {
        let notice = format!(r#"{{"type":"SESSION_DELETED","sessionId":"{id}","timestamp":{}}}"#, now_ms());
        vec![Push::Text(notice.into()), Push::Close]
    });
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn transition(shared: &Shared, id: &str, command: Command) -> Reply {
    let id = session_id(id)?;
    let state = shared.store.update(&id, command, now_ms()).map_err(|err| ApiError::write(id, err))?;
    shared.queue.enqueue();
    announce(shared, &state);
    data(StatusCode::OK, &*state)
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

/// The hot path, with optimistic locking: read the state and its version, compute the switch
/// on a copy outside any lock, wait the configured processing delay (the real service's Redis
/// round trips), then write only if the version is unchanged — else 409 `CONFLICT`.
pub async fn switch(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let id = session_id(&id)?;
    let next = validate::switch(&json_body(&headers, &body)?).map_err(ApiError::validation)?;
    if let Some(limit) = shared.options.rate_limit {
        if !shared.store.admit_switch(&id, limit, now_ms()) {
            return Err(ApiError::rate_limited());
        }
    }
    let read = shared.store.get(&id).ok_or_else(|| ApiError::not_found(id))?;
    let mut state = SyncState::clone(&read);
    let now = now_ms();
    let expired =
        state.apply(Command::Switch { next }, now).map_err(|r| ApiError::write(id, WriteError::Refused(r)))?;
    if shared.options.switch_delay.is_zero() {
        tokio::task::yield_now().await;
    } else {
        tokio::time::sleep(shared.options.switch_delay).await;
    }
    let written = shared.store.compare_and_swap(state, read.version, now).map_err(|err| ApiError::write(id, err))?;
    shared.queue.enqueue();
    announce(&shared, &written);
    data(StatusCode::OK, written.switch_result(expired))
}

/// Server time for clients' clock sync.
pub async fn time() -> Reply {
    #[derive(Serialize)]
    struct ServerTime {
        timestamp_ms: u64,
        server_version: &'static str,
        drift_tolerance_ms: u64,
    }
    data(StatusCode::OK, ServerTime { timestamp_ms: now_ms(), server_version: "2.0.0", drift_tolerance_ms: 50 })
}

pub async fn health() -> Response {
    json_response(StatusCode::OK, &json!({ "status": "ok" }))
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
