//! `GET /ws?sessionId=<uuid>`: the real service's WebSocket protocol.
//!
//! On connect the server says `{"type":"CONNECTED","sessionId","timestamp"}`; then it relays
//! the session's `STATE_UPDATE` messages (see `hub.rs`), answers `{"type":"PING"}` with
//! `{"type":"PONG","timestamp"}` and `{"type":"RECONNECT"}` with
//! `{"type":"STATE_SYNC","sessionId","timestamp","state"}` (or an `ERROR` if the session does
//! not exist), and sends a WebSocket ping frame every `ws_ping_interval`: a client that has
//! not answered the previous ping by then is dropped. A missing or malformed `sessionId` is
//! accepted and then closed with 1008, as the real service (`ws` on Node) does; deleting the
//! session sends `SESSION_DELETED` and closes with 1000. The session need not exist to
//! connect. Timestamps in messages are unix milliseconds.
//!
//! A socket costs one task, a 4 KiB read buffer, no write buffer, and a broadcast receiver:
//! 10,000 of them fit in well under 100 MB.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{close_code, CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tokio::time::{interval_at, Instant};
use uuid::Uuid;

use super::hub::Push;
use super::model::{Millis, SyncState};
use super::{now_ms, validate, Shared};

/// Read buffer per socket (tungstenite's default of 128 KiB would cost 1.3 GB for 10,000).
const WS_READ_BUFFER: usize = 4 * 1024;

/// How long a closing socket waits for the client's close reply before dropping it.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

#[derive(Serialize)]
struct StateMessage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "sessionId")]
    session_id: String,
    timestamp: Millis,
    state: &'a SyncState,
}

/// `{"type": kind, "sessionId", "timestamp", "state"}` as text, serialized once per message.
pub fn state_message(kind: &'static str, state: &SyncState) -> Utf8Bytes {
    let message = StateMessage { kind, session_id: state.session_id.to_string(), timestamp: now_ms(), state };
    serde_json::to_string(&message).unwrap_or_default().into()
}

pub async fn upgrade(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    upgrade: WebSocketUpgrade,
) -> Response {
    let session_id = query.as_deref().and_then(|query| {
        url::form_urlencoded::parse(query.as_bytes()).find(|(name, _)| name == "sessionId").map(|(_, value)| value)
    });
    let verdict = match session_id.as_deref() {
        None | Some("") => Err("Missing sessionId parameter"),
        Some(text) => validate::uuid(text).ok_or("Invalid sessionId format"),
    };
    let open = shared.stats.hold_open();
    upgrade.read_buffer_size(WS_READ_BUFFER).write_buffer_size(0).on_upgrade(move |mut socket| async move {
        match verdict {
            Ok(id) => serve(&shared, id, socket).await,
            Err(reason) => close(&mut socket, close_code::POLICY, reason).await,
        }
        drop(open);
    })
}

/// Counts one socket in `synckairos_websocket_connections` while it lives.
struct Counted<'a>(&'a AtomicU64);

impl<'a> Counted<'a> {
    fn new(gauge: &'a AtomicU64) -> Self {
        gauge.fetch_add(1, Ordering::Relaxed);
        Self(gauge)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn serve(shared: &Shared, id: Uuid, mut socket: WebSocket) {
    let _counted = Counted::new(&shared.websockets);
    let mut pushes = shared.hub.subscribe(id);
    let connected = format!(r#"{{"type":"CONNECTED","sessionId":"{id}","timestamp":{}}}"#, now_ms());
    if socket.send(Message::Text(connected.into())).await.is_ok() {
        converse(shared, id, &mut socket, &mut pushes).await;
    }
    shared.hub.unsubscribe(id, pushes);
}

async fn converse(shared: &Shared, id: Uuid, socket: &mut WebSocket, pushes: &mut Receiver<Push>) {
    let period = shared.options.ws_ping_interval;
    let heartbeat_on = !period.is_zero();
    let period = if heartbeat_on { period } else { Duration::from_secs(3600) };
    let mut heartbeat = interval_at(Instant::now() + period, period);
    let mut answered_ping = true;
    loop {
        tokio::select! {
            push = pushes.recv() => match push {
                Ok(Push::Text(text)) => {
                    if socket.send(Message::Text(text)).await.is_err() {
                        return;
                    }
                }
                Ok(Push::Close) => return close(socket, close_code::NORMAL, "Session deleted").await,
                // Skipped messages are superseded by the next full state.
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if let Some(reply) = answer(shared, id, &text) {
                        if socket.send(Message::Text(reply)).await.is_err() {
                            return;
                        }
                    }
                }
                Some(Ok(Message::Pong(_))) => answered_ping = true,
                // After a close frame tungstenite has queued its reply; the next read sends
                // it and ends the stream.
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            },
            _ = heartbeat.tick(), if heartbeat_on => {
                if !answered_ping {
                    return;
                }
                answered_ping = false;
                if socket.send(Message::Ping(Bytes::new())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// The reply to a client message, if it calls for one; anything unknown is ignored.
fn answer(shared: &Shared, id: Uuid, text: &str) -> Option<Utf8Bytes> {
    let message: Value = serde_json::from_str(text).ok()?;
    match message.get("type").and_then(Value::as_str)? {
        "PING" => Some(format!(r#"{{"type":"PONG","timestamp":{}}}"#, now_ms()).into()),
        "RECONNECT" => Some(match shared.store.get(&id) {
            Some(state) => state_message("STATE_SYNC", &state),
            None => {
                format!(r#"{{"type":"ERROR","code":"SESSION_NOT_FOUND","message":"Session {id} not found"}}"#).into()
            }
        }),
        _ => None,
    }
}

/// Sends a close frame and waits (briefly) for the client's reply so the frame is not lost
/// to a reset.
async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame { code, reason: reason.into() };
    if socket.send(Message::Close(Some(frame))).await.is_err() {
        return;
    }
    let _ = tokio::time::timeout(CLOSE_WAIT, async { while let Some(Ok(_)) = socket.recv().await {} }).await;
}
