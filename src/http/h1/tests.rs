//! Unit tests of `h1/`: responses read whole however the wire cuts them, and when a
//! connection may carry the next request.

use std::collections::VecDeque;

use super::*;

/// A peer that answers every read with the next of `reads` (then the end of the stream) and
/// keeps what is written to it.
struct Peer {
    reads: VecDeque<Vec<u8>>,
    written: std::rc::Rc<RefCell<Vec<u8>>>,
    /// Takes this many bytes, then no more (a server that stopped reading).
    takes: usize,
}

impl AsyncRead for Peer {
    fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if let Some(mut piece) = self.reads.pop_front() {
            let n = piece.len().min(buf.remaining());
            buf.put_slice(&piece[..n]);
            if n < piece.len() {
                self.reads.push_front(piece.split_off(n));
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Peer {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let mut written = self.written.borrow_mut();
        let n = buf.len().min(self.takes - written.len());
        if n == 0 {
            return Poll::Pending;
        }
        written.extend_from_slice(&buf[..n]);
        Poll::Ready(Ok(n))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fn conn(pieces: Vec<Vec<u8>>) -> (H1Conn, std::rc::Rc<RefCell<Vec<u8>>>) {
    conn_taking(pieces, usize::MAX)
}

/// A connection to a peer that takes `takes` bytes of what is written, then no more.
fn conn_taking(pieces: Vec<Vec<u8>>, takes: usize) -> (H1Conn, std::rc::Rc<RefCell<Vec<u8>>>) {
    let written = std::rc::Rc::new(RefCell::new(Vec::new()));
    let peer = Peer { reads: pieces.into(), written: written.clone(), takes };
    (H1Conn::new(Box::new(peer)), written)
}

fn get(method: Method) -> Request<Bytes> {
    let mut request = Request::new(Bytes::new());
    *request.method_mut() = method;
    *request.uri_mut() = "/path?q=1".parse().unwrap();
    request.headers_mut().insert("host", HeaderValue::from_static("example.test"));
    request
}

/// What a test reads back: the head, the body, or the failure, and whether the connection
/// stays usable.
#[derive(Debug, PartialEq)]
struct Exchange {
    status: u16,
    reason: Option<String>,
    announced: Option<u64>,
    body: Result<Vec<u8>, String>,
    keeps_alive: bool,
}

async fn exchange(conn: &mut H1Conn, method: Method) -> Result<Exchange, (String, bool)> {
    let head = conn.send(get(method)).await.map_err(|f| (f.failure.message.into_owned(), f.closed))?;
    let mut body = Vec::new();
    let mut failure = None;
    while let Some(chunk) = conn.next_chunk().await {
        match chunk {
            Ok(chunk) => body.extend_from_slice(&chunk),
            Err(err) => {
                failure = Some(err.message.into_owned());
                break;
            }
        }
    }
    Ok(Exchange {
        status: head.status.as_u16(),
        reason: head.reason.map(String::from),
        announced: head.announced,
        body: failure.map_or(Ok(body), Err),
        keeps_alive: conn.keeps_alive(),
    })
}

/// The same bytes cut in two at every position give the same exchange as in one piece.
async fn same_at_every_cut(wire: &[u8], method: Method) -> Exchange {
    let (mut whole, _) = conn(vec![wire.to_vec()]);
    let expected = exchange(&mut whole, method.clone()).await.expect("the whole response reads");
    for cut in 1..wire.len() {
        let (mut split, _) = conn(vec![wire[..cut].to_vec(), wire[cut..].to_vec()]);
        let got = exchange(&mut split, method.clone()).await.expect("a cut response reads");
        assert_eq!(got, expected, "cut at {cut}: {:?}", String::from_utf8_lossy(&wire[..cut]));
    }
    expected
}

#[tokio::test(flavor = "current_thread")]
async fn the_request_goes_out_as_one_head_with_its_small_body() {
    let (mut conn, written) = conn(vec![b"HTTP/1.1 204 No Content\r\n\r\n".to_vec()]);
    let mut request = get(Method::POST);
    *request.body_mut() = Bytes::from_static(b"{\"a\":1}");
    request.headers_mut().insert("content-length", HeaderValue::from_static("7"));
    // Names in canonical case, as Go's net/http (k6) writes them.
    request.headers_mut().insert("x-request-id", HeaderValue::from_static("r-1"));
    conn.send(request).await.unwrap();
    assert_eq!(
        String::from_utf8(written.borrow().clone()).unwrap(),
        "POST /path?q=1 HTTP/1.1\r\nHost: example.test\r\nContent-Length: 7\r\nX-Request-Id: r-1\r\n\r\n{\"a\":1}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_length_framed_body_is_read_whole_and_the_connection_kept() {
    let got = same_at_every_cut(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello", Method::GET).await;
    let expected =
        Exchange { status: 200, reason: None, announced: Some(5), body: Ok(b"hello".to_vec()), keeps_alive: true };
    assert_eq!(got, expected);
}

#[tokio::test(flavor = "current_thread")]
async fn a_body_comes_in_a_buffer_of_its_own_not_the_connections() {
    // Head and body in one read: the body is decoded out of the connection's buffers into one
    // of its own size, so a response kept through a `sleep` does not hold a read buffer (the
    // client copies only HTTP/2 bodies, `Collected::into_bytes`).
    let (mut conn, _) = conn(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"ok\":true}".to_vec()]);
    conn.send(get(Method::GET)).await.unwrap();
    let body = conn.next_chunk().await.unwrap().unwrap();
    assert_eq!(&body[..], b"{\"ok\":true}");
    let owned = body.try_into_mut().expect("the body's buffer is its own");
    assert!(owned.capacity() < 64, "an 11-byte body holds {} bytes of buffer", owned.capacity());
}

#[tokio::test(flavor = "current_thread")]
async fn a_chunked_body_with_extensions_and_trailers_is_decoded() {
    let wire =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n";
    let got = same_at_every_cut(wire, Method::GET).await;
    assert_eq!(got.body, Ok(b"Wikipedia".to_vec()));
    assert_eq!((got.announced, got.keeps_alive), (None, true));
}

#[tokio::test(flavor = "current_thread")]
async fn a_body_without_length_runs_to_the_close_and_ends_the_connection() {
    let got = same_at_every_cut(b"HTTP/1.1 200 OK\r\n\r\nuntil the end", Method::GET).await;
    assert_eq!(got.body, Ok(b"until the end".to_vec()));
    assert!(!got.keeps_alive);
}

#[tokio::test(flavor = "current_thread")]
async fn interim_responses_are_skipped_and_head_answers_have_no_body() {
    let got =
        same_at_every_cut(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", Method::GET)
            .await;
    assert_eq!((got.status, got.body), (200, Ok(b"ok".to_vec())));
    let got = same_at_every_cut(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", Method::HEAD).await;
    assert_eq!((got.announced, got.body, got.keeps_alive), (Some(0), Ok(Vec::new()), true));
    let got = same_at_every_cut(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n", Method::GET).await;
    assert_eq!((got.announced, got.keeps_alive), (Some(0), true));
}

#[tokio::test(flavor = "current_thread")]
async fn close_and_http_1_0_end_the_connection_and_an_odd_reason_is_kept() {
    let got = same_at_every_cut(
        b"HTTP/1.1 200 Fine\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n",
        Method::GET,
    )
    .await;
    assert_eq!((got.reason.as_deref(), got.keeps_alive), (Some("Fine"), false));
    let got = same_at_every_cut(b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", Method::GET).await;
    assert_eq!((got.reason, got.body, got.keeps_alive), (None, Ok(b"x".to_vec()), false));
}

#[tokio::test(flavor = "current_thread")]
async fn bytes_past_the_body_end_the_connection() {
    // In the body's read: seen at once.
    let (mut at_once, _) = conn(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA".to_vec()]);
    let got = exchange(&mut at_once, Method::GET).await.unwrap();
    assert_eq!((got.body, got.keeps_alive), (Ok(b"ok".to_vec()), false));
    // Later: seen when the connection is taken for the next request.
    let (mut later, _) = conn(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_vec(), b"EXTRA".to_vec()]);
    assert!(exchange(&mut later, Method::GET).await.unwrap().keeps_alive);
    assert!(!later.is_usable());
    assert!(!later.keeps_alive());
}

#[tokio::test(flavor = "current_thread")]
async fn a_close_before_any_byte_is_a_closed_connection_and_a_cut_head_is_not() {
    let (mut silent, _) = conn(vec![]);
    assert_eq!(exchange(&mut silent, Method::GET).await.unwrap_err(), ("unexpected EOF".to_owned(), true));
    let (mut cut, _) = conn(vec![b"HTTP/1.1 200 OK\r\nContent-Le".to_vec()]);
    assert_eq!(exchange(&mut cut, Method::GET).await.unwrap_err(), ("unexpected EOF".to_owned(), false));
    let (mut short, _) = conn(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc".to_vec()]);
    let got = exchange(&mut short, Method::GET).await.unwrap();
    assert_eq!((got.body, got.keeps_alive), (Err("unexpected EOF".to_owned()), false));
}

#[tokio::test(flavor = "current_thread")]
async fn malformed_framing_fails_the_request() {
    let (mut conflicting, _) =
        conn(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc".to_vec()]);
    let (message, closed) = exchange(&mut conflicting, Method::GET).await.unwrap_err();
    assert_eq!((message.as_str(), closed), ("malformed HTTP response: conflicting Content-Length", false));
    let (mut bad_chunk, _) = conn(vec![b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec()]);
    let got = exchange(&mut bad_chunk, Method::GET).await.unwrap();
    assert_eq!(got.body, Err("malformed HTTP response: invalid chunk size line".to_owned()));
}

#[tokio::test(flavor = "current_thread")]
async fn two_exchanges_in_a_row_share_the_connection() {
    let (mut conn, written) = conn(vec![
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na".to_vec(),
        b"HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nb".to_vec(),
    ]);
    assert_eq!(exchange(&mut conn, Method::GET).await.unwrap().body, Ok(b"a".to_vec()));
    let second = exchange(&mut conn, Method::GET).await.unwrap();
    assert_eq!((second.status, second.body), (201, Ok(b"b".to_vec())));
    assert_eq!(written.borrow().windows(3).filter(|w| w == b"GET").count(), 2);
    assert!(conn.pending.capacity() == 0, "an idle connection keeps no buffer");
}

#[tokio::test(flavor = "current_thread")]
async fn a_request_that_asks_for_close_is_its_connections_last_and_a_body_gets_its_length() {
    let (mut conn, written) = conn(vec![b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_vec()]);
    let mut request = get(Method::PUT);
    request.headers_mut().insert("connection", HeaderValue::from_static("close"));
    *request.body_mut() = Bytes::from(vec![b'x'; 10_000]);
    conn.send(request).await.unwrap();
    assert!(conn.next_chunk().await.is_none());
    assert!(!conn.keeps_alive());
    let written = written.borrow();
    let head_end = written.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert!(String::from_utf8_lossy(&written[..head_end]).contains("Content-Length: 10000\r\n"));
    assert_eq!(written.len() - head_end, 10_000, "the body follows its head whole");
}

#[tokio::test(flavor = "current_thread")]
async fn an_answer_before_the_body_was_taken_is_the_response_and_the_connections_last() {
    let reads = vec![b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n".to_vec()];
    let (mut conn, written) = conn_taking(reads, 1_000);
    let mut request = get(Method::POST);
    *request.body_mut() = Bytes::from(vec![b'x'; 100_000]);
    let head = conn.send(request).await.unwrap();
    assert_eq!(head.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(written.borrow().len(), 1_000);
    assert!(conn.next_chunk().await.is_none());
    assert!(!conn.keeps_alive(), "the rest of the body was never sent");
}

/// A head's fields are kept as received and read when asked: every field in order, names in
/// any case, repeated ones all there, past the 64 fields parsed on the stack; the client's
/// `Set-Cookie` and `Content-Encoding` are found without asking for the map by name.
#[tokio::test(flavor = "current_thread")]
async fn a_heads_fields_are_all_read_when_asked() {
    let mut wire = b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\ncontent-ENCODING: gzip\r\n".to_vec();
    for i in 0..70 {
        wire.extend_from_slice(format!("X-Many: {i}\r\n").as_bytes());
    }
    wire.extend_from_slice(b"SET-COOKIE: b=2\r\nContent-Length: 2\r\n\r\nok");
    let (mut conn, _) = conn(vec![wire, b"HTTP/1.1 204 No Content\r\nx-id: 7\r\n\r\n".to_vec()]);
    let head = conn.send(get(Method::GET)).await.expect("the first response");
    while conn.next_chunk().await.is_some() {}
    let fields = head.headers;
    let cookies: Vec<_> = fields.set_cookies().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(cookies, ["a=1", "b=2"]);
    assert_eq!(fields.content_encoding().map(|v| v.to_str().unwrap()), Some("gzip"));
    let many: Vec<u32> = fields.map().get_all("x-many").iter().map(|v| v.to_str().unwrap().parse().unwrap()).collect();
    assert_eq!(many, (0..70).collect::<Vec<_>>());
    assert_eq!(fields.map().len(), 74);

    let next = conn.send(get(Method::GET)).await.expect("the second response");
    assert_eq!(next.status, StatusCode::NO_CONTENT);
    assert_eq!(next.headers.set_cookies().count(), 0);
    assert!(next.headers.content_encoding().is_none());
    assert_eq!(next.headers.map().get("x-id").map(|v| v.to_str().unwrap()), Some("7"));
    assert_eq!(next.headers.map().len(), 1);
}
