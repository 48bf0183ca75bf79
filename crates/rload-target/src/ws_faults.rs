//! WebSocket endpoints that misbehave on purpose, so a client's failure handling can be
//! tested against a real server:
//!
//! - `/ws/close/{code}`: completes the upgrade, then closes with a close frame carrying `code`
//!   (reason `bye`) and finishes the closing handshake.
//! - `/ws/close-abruptly`: completes the upgrade, then drops the TCP connection without a
//!   close frame (the client sees an unexpected EOF).
//! - `/ws/invalid-frame`: completes the upgrade, then sends a frame with the reserved opcode
//!   0x3, which RFC 6455 says a client must fail the connection on.
//!
//! The last two speak raw bytes after the upgrade, so they do the handshake by hand instead of
//! going through axum's `WebSocketUpgrade` (which only hands out a well-behaved socket).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade};
use axum::extract::{Path, Request, State};
use axum::http::header::{CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, UPGRADE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

use super::stats::Stats;

/// A text frame (`FIN`, reserved opcode 0x3) with an empty payload: invalid in RFC 6455.
const RESERVED_OPCODE_FRAME: [u8; 2] = [0x83, 0x00];
/// How long `/ws/invalid-frame` keeps the connection after its bad frame, waiting for the
/// client to give up on it.
const INVALID_FRAME_LINGER: Duration = Duration::from_secs(5);

/// What a raw endpoint does with the connection once upgraded.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    CloseAbruptly,
    InvalidFrame,
}

/// `/ws/close/{code}`.
pub async fn close_with_code(
    State(stats): State<Arc<Stats>>,
    Path(code): Path<u16>,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !(1000..5000).contains(&code) {
        let message = format!("close code must be from 1000 to 4999, got {code}\n");
        return (StatusCode::BAD_REQUEST, message).into_response();
    }
    let open = stats.hold_open();
    upgrade.on_upgrade(move |mut socket| async move {
        let frame = CloseFrame { code, reason: "bye".into() };
        if socket.send(Message::Close(Some(frame))).await.is_ok() {
            // Read until the client's close reply ends the stream (bounded: a client that
            // never answers does not keep the task alive).
            let drain = async { while let Some(Ok(_)) = socket.recv().await {} };
            let _ = tokio::time::timeout(Duration::from_secs(5), drain).await;
        }
        drop(open);
    })
}

/// `/ws/close-abruptly` and `/ws/invalid-frame`.
pub async fn raw(State(stats): State<Arc<Stats>>, fault: Fault, mut request: Request) -> Response {
    let Some(key) = request.headers().get(SEC_WEBSOCKET_KEY).cloned() else {
        return (StatusCode::BAD_REQUEST, "a WebSocket upgrade request is required\n").into_response();
    };
    let on_upgrade = hyper::upgrade::on(&mut request);
    let open = stats.hold_open();
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else { return };
        let mut io = TokioIo::new(upgraded);
        if let Fault::InvalidFrame = fault {
            if io.write_all(&RESERVED_OPCODE_FRAME).await.is_ok() {
                let mut sink = [0u8; 1024];
                let drain = async { while matches!(io.read(&mut sink).await, Ok(n) if n > 0) {} };
                let _ = tokio::time::timeout(INVALID_FRAME_LINGER, drain).await;
            }
        }
        drop(io);
        drop(open);
    });
    let accept = HeaderValue::from_str(&derive_accept_key(key.as_bytes())).expect("base64 is a valid header value");
    let headers = [
        (UPGRADE, HeaderValue::from_static("websocket")),
        (CONNECTION, HeaderValue::from_static("Upgrade")),
        (SEC_WEBSOCKET_ACCEPT, accept),
    ];
    (StatusCode::SWITCHING_PROTOCOLS, headers).into_response()
}
