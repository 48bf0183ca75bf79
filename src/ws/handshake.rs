//! The HTTP upgrade that opens a WebSocket (RFC 6455 section 4.1), with a buffer sized to the
//! answer.
//!
//! tungstenite's own client handshake reads into a zero-filled 4 KiB chunk plus a 4 KiB
//! `Vec` per connection and keeps both for as long as the server takes to answer. When
//! thousands of VUs connect at once, the server answers slowly and every one of them holds
//! those 8 KiB while it waits: with 10,000 VUs that was most of the run's peak memory. Here the
//! request is written from one `Vec`, and the answer is read into a buffer that starts at
//! [`FIRST_READ`] bytes and doubles only while the head does not fit (a switching-protocols
//! answer is ~130 bytes), up to tungstenite's limit of [`MAX_HEAD`] bytes.
//!
//! The request and the checks of the answer are tungstenite's (`generate_request`, the
//! `Response` parser, `derive_accept_key`), so what is sent, what is accepted and the errors a
//! script sees are the same as with `client_async`.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::client::uri_mode;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError, SubProtocolError};
use tokio_tungstenite::tungstenite::handshake::client::{generate_request, Request, Response};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::handshake::machine::TryParse;
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;

use super::io::Io;

/// Bytes of the first read of the answer; a 101 answer without extra headers fits.
pub(super) const FIRST_READ: usize = 256;
/// The longest answer head accepted (tungstenite's `AttackCheck` limit).
pub(super) const MAX_HEAD: usize = 64 * 1024;

/// Sends the upgrade `request` on `io` and reads the answer: the open socket and the answer,
/// or tungstenite's error (`Error::Http` with the answer for a status other than 101).
pub(super) async fn client(mut io: Io, request: Request) -> Result<(WebSocketStream<Io>, Response), WsError> {
    uri_mode(request.uri())?;
    if request.method() != tokio_tungstenite::tungstenite::http::Method::GET {
        return Err(WsError::Protocol(ProtocolError::WrongHttpMethod));
    }
    let subprotocols = subprotocols(&request)?;
    let (bytes, key) = generate_request(request)?;
    io.write_all(&bytes).await?;
    io.flush().await?;
    drop(bytes);

    let mut head = Vec::with_capacity(FIRST_READ);
    let (size, response) = loop {
        if head.len() == head.capacity() {
            if head.len() >= MAX_HEAD {
                return Err(WsError::AttackAttempt);
            }
            head.reserve_exact(head.len());
        }
        if io.read_buf(&mut head).await? == 0 {
            return Err(WsError::Protocol(ProtocolError::HandshakeIncomplete));
        }
        if let Some(parsed) = Response::try_parse(&head)? {
            break parsed;
        }
    };
    let tail = head.split_off(size);
    drop(head);
    let response =
        verify(response, &derive_accept_key(key.as_bytes()), subprotocols.as_deref()).map_err(|err| match err {
            WsError::Http(mut answer) => {
                *answer.body_mut() = Some(tail.clone());
                WsError::Http(answer)
            }
            other => other,
        })?;
    let socket = WebSocketStream::from_partially_read(io, tail, Role::Client, Some(super::config())).await;
    Ok((socket, response))
}

/// The subprotocols the request offers (`Sec-WebSocket-Protocol`, comma-separated).
fn subprotocols(request: &Request) -> Result<Option<Vec<String>>, WsError> {
    match request.headers().get("Sec-WebSocket-Protocol") {
        Some(value) => Ok(Some(value.to_str()?.split(',').map(|s| s.trim().to_string()).collect())),
        None => Ok(None),
    }
}

/// RFC 6455 4.1's checks of the server's answer, in tungstenite's order and with its errors.
fn verify(response: Response, accept_key: &str, subprotocols: Option<&[String]>) -> Result<Response, WsError> {
    if response.status() != StatusCode::SWITCHING_PROTOCOLS {
        return Err(WsError::Http(Box::new(response)));
    }
    let headers = response.headers();
    let is = |name: &str, want: &str| {
        headers.get(name).and_then(|h| h.to_str().ok()).is_some_and(|h| h.eq_ignore_ascii_case(want))
    };
    if !is("Upgrade", "websocket") {
        return Err(WsError::Protocol(ProtocolError::MissingUpgradeWebSocketHeader));
    }
    if !is("Connection", "Upgrade") {
        return Err(WsError::Protocol(ProtocolError::MissingConnectionUpgradeHeader));
    }
    if headers.get("Sec-WebSocket-Accept").is_none_or(|h| h != accept_key) {
        return Err(WsError::Protocol(ProtocolError::SecWebSocketAcceptKeyMismatch));
    }
    let sub_error = |e| Err(WsError::Protocol(ProtocolError::SecWebSocketSubProtocolError(e)));
    match (headers.get("Sec-WebSocket-Protocol"), subprotocols) {
        (None, Some(_)) => sub_error(SubProtocolError::NoSubProtocol),
        (Some(_), None) => sub_error(SubProtocolError::ServerSentSubProtocolNoneRequested),
        (Some(chosen), Some(offered)) if !offered.iter().any(|o| o == chosen.to_str().unwrap_or_default()) => {
            sub_error(SubProtocolError::InvalidSubProtocol)
        }
        _ => Ok(response),
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use futures_util::StreamExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;

    use super::*;
    use crate::http::timing::{IoStats, WireCounter};

    /// A server that reads the upgrade request and writes `answer(key)` in one write.
    async fn server(answer: impl FnOnce(&str) -> Vec<u8> + Send + 'static) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            while !request.ends_with(b"\r\n\r\n") {
                let mut byte = [0u8];
                socket.read_exact(&mut byte).await.unwrap();
                request.push(byte[0]);
            }
            let request = String::from_utf8(request).unwrap();
            let key = request.lines().find_map(|l| l.strip_prefix("Sec-WebSocket-Key: ")).unwrap();
            socket.write_all(&answer(key)).await.unwrap();
            // Keep the connection open until the client is done.
            let _ = socket.read(&mut [0u8; 16]).await;
        });
        format!("ws://{addr}/")
    }

    async fn open(url: &str) -> Result<(WebSocketStream<Io>, Response), WsError> {
        let tcp = TcpStream::connect(url.trim_start_matches("ws://").trim_end_matches('/')).await.unwrap();
        let io = Io::Plain(WireCounter::new(tcp, Rc::new(IoStats::default())));
        client(io, url.into_client_request().unwrap()).await
    }

    fn switching(key: &str, accept: Option<String>, extra: &str) -> Vec<u8> {
        let accept = accept.unwrap_or_else(|| derive_accept_key(key.as_bytes()));
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {accept}\r\n{extra}\r\n"
        )
        .into_bytes()
    }

    #[tokio::test]
    async fn an_answer_longer_than_the_first_read_and_a_frame_right_behind_it_both_arrive() {
        let filler = format!("X-Filler: {}\r\n", "f".repeat(3 * FIRST_READ));
        let url = server(move |key| {
            let mut bytes = switching(key, None, &filler);
            // A text frame in the same write as the head: it must not be lost with the head.
            bytes.extend_from_slice(&[0x81, 5]);
            bytes.extend_from_slice(b"hello");
            bytes
        })
        .await;
        let (mut socket, response) = open(&url).await.unwrap();
        assert_eq!(response.status(), 101);
        assert_eq!(response.headers()["X-Filler"].len(), 3 * FIRST_READ);
        let message = socket.next().await.unwrap().unwrap();
        assert_eq!(message, Message::text("hello"));
    }

    #[tokio::test]
    async fn a_wrong_accept_key_is_refused() {
        let url = server(|key| switching(key, Some("d3Jvbmc=".into()), "")).await;
        let err = open(&url).await.err().expect("the upgrade must fail");
        assert!(matches!(err, WsError::Protocol(ProtocolError::SecWebSocketAcceptKeyMismatch)), "{err}");
    }

    #[tokio::test]
    async fn a_refused_upgrade_keeps_the_status_and_the_bytes_read_after_the_head() {
        let url = server(|_| b"HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\n\r\nnope".to_vec()).await;
        let Err(WsError::Http(answer)) = open(&url).await else { panic!("expected the 403 answer") };
        assert_eq!(answer.status(), 403);
        assert_eq!(answer.body().as_deref(), Some(&b"nope"[..]));
    }
}
