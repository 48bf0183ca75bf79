//! The read side of a session: a `spawn_local` task that reads frames as they arrive and
//! queues them as [`Event`]s for the VU's event loop.
//!
//! Reading never waits for the script: while a handler is suspended in `http.post` or
//! `sleep`, frames keep being read (and tungstenite keeps answering pings) until
//! [`EVENT_QUEUE`](super::EVENT_QUEUE) events wait; only then does the task stop reading, and
//! TCP flow control slows the server down, as k6's read pump does.
//!
//! The session ends with exactly one [`Event::Closed`]. Its error text follows k6 (gorilla's
//! `websocket: close 1006 (abnormal closure): unexpected EOF`) so scripts and error tags read
//! the same in both tools.

use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::SplitStream;
use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;

use super::io::Io;
use super::queue::Sender;
use super::{describe_ws_error, ABNORMAL_CLOSURE, NO_STATUS};
use crate::http::error_code::{self, Failure, Op};

/// How long a finished session may wait for the peer's side of the closing handshake before
/// the socket is dropped anyway.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Something that happened on the connection, in arrival order.
#[derive(Debug)]
pub enum Event {
    Text(Utf8Bytes),
    Binary(Bytes),
    /// The peer pinged us (tungstenite has already queued the pong).
    Ping,
    /// The peer answered a ping; the payload identifies which.
    Pong(Bytes),
    /// The connection is over: `code` is the peer's close code (1005 when its close frame had
    /// none, 1006 when there was no close frame at all). `error` is set unless the peer closed
    /// normally (1000 or 1001), as k6 reports it.
    Closed {
        code: u16,
        /// The reason in the peer's close frame ("" when none).
        reason: String,
        error: Option<Failure>,
    },
}

/// Reads `stream` into `events` until the connection ends or nobody listens any more.
pub(super) async fn read_events(mut stream: SplitStream<WebSocketStream<Io>>, events: Sender<Event>) {
    let closed = loop {
        let item = tokio::select! {
            item = stream.next() => item,
            () = events.closed() => break None,
        };
        let event = match item {
            Some(Ok(Message::Text(text))) => Event::Text(text),
            Some(Ok(Message::Binary(data))) => Event::Binary(data),
            Some(Ok(Message::Ping(_))) => Event::Ping,
            Some(Ok(Message::Pong(data))) => Event::Pong(data),
            Some(Ok(Message::Frame(_))) => continue,
            Some(Ok(Message::Close(frame))) => break Some(closed_by_peer(frame.as_ref())),
            Some(Err(err)) => break Some(failed(&err)),
            None => break Some(failed(&WsError::ConnectionClosed)),
        };
        if events.send(event).await.is_err() {
            break None;
        }
    };
    if let Some(closed) = closed {
        let _ = events.send(closed).await;
    }
    // Reading on lets tungstenite flush its close reply and see the peer's; the socket is
    // dropped when the peer ends the connection or the grace period is over.
    let drain = async { while let Some(Ok(_)) = stream.next().await {} };
    let _ = tokio::time::timeout(CLOSE_GRACE, drain).await;
}

fn closed_by_peer(frame: Option<&CloseFrame>) -> Event {
    let (code, reason) = frame.map_or((NO_STATUS, ""), |f| (u16::from(f.code), f.reason.as_str()));
    let error = match code {
        1000 | 1001 => None,
        _ => Some(Failure::new(error_code::GENERIC, close_error_text(code, reason))),
    };
    Event::Closed { code, reason: reason.to_string(), error }
}

/// The connection failed without a close frame: k6's code 1006 (abnormal closure).
fn failed(err: &WsError) -> Event {
    let failure = match err {
        WsError::ConnectionClosed | WsError::AlreadyClosed => {
            Failure::new(error_code::GENERIC, close_error_text(ABNORMAL_CLOSURE, "unexpected EOF"))
        }
        WsError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            Failure::new(error_code::GENERIC, close_error_text(ABNORMAL_CLOSURE, "unexpected EOF"))
        }
        WsError::Io(io) => error_code::for_io(io, Op::Read),
        WsError::Protocol(tokio_tungstenite::tungstenite::error::ProtocolError::ResetWithoutClosingHandshake) => {
            Failure::new(error_code::GENERIC, close_error_text(ABNORMAL_CLOSURE, "unexpected EOF"))
        }
        other => describe_ws_error(other),
    };
    Event::Closed { code: ABNORMAL_CLOSURE, reason: String::new(), error: Some(failure) }
}

/// gorilla/websocket's `CloseError` text, which k6 passes to the `error` handler:
/// `websocket: close 4001: bye`, `websocket: close 1011 (internal server error)`.
pub fn close_error_text(code: u16, reason: &str) -> String {
    let name = match code {
        1000 => Some("normal"),
        1001 => Some("going away"),
        1002 => Some("protocol error"),
        1003 => Some("unsupported data"),
        1005 => Some("no status"),
        1006 => Some("abnormal closure"),
        1007 => Some("invalid payload data"),
        1008 => Some("policy violation"),
        1009 => Some("message too big"),
        1010 => Some("mandatory extension missing"),
        1011 => Some("internal server error"),
        1012 => Some("service restart"),
        1013 => Some("try again later"),
        1015 => Some("TLS handshake"),
        _ => None,
    };
    let mut text = format!("websocket: close {code}");
    if let Some(name) = name {
        text.push_str(&format!(" ({name})"));
    }
    if !reason.is_empty() {
        text.push_str(": ");
        text.push_str(reason);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_errors_read_like_k6() {
        assert_eq!(
            close_error_text(1006, "unexpected EOF"),
            "websocket: close 1006 (abnormal closure): unexpected EOF"
        );
        assert_eq!(close_error_text(4001, "bye"), "websocket: close 4001: bye");
        assert_eq!(close_error_text(1005, ""), "websocket: close 1005 (no status)");
    }

    #[test]
    fn normal_closes_are_not_errors() {
        use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
        let normal = CloseFrame { code: CloseCode::Normal, reason: "".into() };
        assert!(matches!(closed_by_peer(Some(&normal)), Event::Closed { code: 1000, error: None, .. }));
        let custom = CloseFrame { code: CloseCode::from(4001), reason: "bye".into() };
        let Event::Closed { code: 4001, error: Some(failure), reason } = closed_by_peer(Some(&custom)) else {
            panic!()
        };
        assert_eq!(failure.message, "websocket: close 4001: bye");
        assert_eq!(reason, "bye");
        assert!(matches!(closed_by_peer(None), Event::Closed { code: 1005, error: Some(_), .. }));
    }
}
