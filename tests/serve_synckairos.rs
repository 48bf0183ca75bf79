//! `rload serve --app synckairos` over real loopback sockets: every route with its status
//! codes and error bodies, optimistic locking under concurrent switches, the rate limit, the
//! write-queue gauge, and the WebSocket protocol. Each test starts its own server on port 0.

mod common;
use common::send_json;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use http::{Method, StatusCode};
use rload_target::{spawn_background_app, App, RedisLatency, SynckairosOptions};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn start_with(options: SynckairosOptions) -> SocketAddr {
    spawn_background_app("127.0.0.1:0".parse().unwrap(), 1, App::Synckairos(options)).expect("start the target")
}

fn start() -> SocketAddr {
    start_with(SynckairosOptions::default())
}

/// One request on a fresh connection: the status and the body (`Null` when empty, the raw
/// text as a string when it is not JSON).
async fn call(addr: SocketAddr, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let text = body.map(|b| b.to_string());
    let (parts, bytes) = send_json(addr, method, path, text.as_deref()).await;
    let status = parts.status;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, body)
}

async fn post(addr: SocketAddr, path: &str) -> (StatusCode, Value) {
    call(addr, Method::POST, path, None).await
}

struct Session {
    id: Uuid,
    participants: Vec<Uuid>,
}

impl Session {
    fn path(&self, action: &str) -> String {
        match action {
            "" => format!("/v1/sessions/{}", self.id),
            action => format!("/v1/sessions/{}/{action}", self.id),
        }
    }

    fn body(&self, increment_ms: u64) -> Value {
        let participants: Vec<Value> = self
            .participants
            .iter()
            .enumerate()
            .map(|(i, id)| json!({ "participant_id": id.to_string(), "participant_index": i, "total_time_ms": 60_000 }))
            .collect();
        json!({
            "session_id": self.id.to_string(),
            "sync_mode": "per_participant",
            "participants": participants,
            "total_time_ms": 120_000,
            "increment_ms": increment_ms,
            "metadata": { "test": "load-test" }
        })
    }
}

/// Creates a session of `n` participants of 60 s each.
async fn create(addr: SocketAddr, n: usize, increment_ms: u64) -> Session {
    let session = Session { id: Uuid::new_v4(), participants: (0..n).map(|_| Uuid::new_v4()).collect() };
    let (status, body) = call(addr, Method::POST, "/v1/sessions", Some(session.body(increment_ms))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    session
}

async fn started(addr: SocketAddr, n: usize) -> Session {
    let session = create(addr, n, 0).await;
    assert_eq!(post(addr, &session.path("start")).await.0, StatusCode::OK);
    session
}

fn assert_error(reply: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(reply.0, status, "{}", reply.1);
    assert_eq!(reply.1["error"]["code"], code, "{}", reply.1);
    assert!(reply.1["error"]["message"].is_string(), "{}", reply.1);
}

async fn metrics(addr: SocketAddr) -> String {
    let (status, body) = call(addr, Method::GET, "/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    body.as_str().expect("a text page").to_owned()
}

fn gauge(page: &str, name: &str) -> u64 {
    let line =
        page.lines().find(|line| line.starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("{name}: {page}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn create_answers_201_with_a_pending_session_at_version_1() {
    let addr = start();
    let session = Session { id: Uuid::new_v4(), participants: vec![Uuid::new_v4(), Uuid::new_v4()] };
    let (status, body) = call(addr, Method::POST, "/v1/sessions", Some(session.body(500))).await;
    assert_eq!(status, StatusCode::CREATED);
    let state = &body["data"];
    assert_eq!(state["session_id"], session.id.to_string());
    assert_eq!((state["status"].as_str(), state["version"].as_u64()), (Some("pending"), Some(1)));
    assert_eq!(state["participants"][1]["time_remaining_ms"], 60_000);
    assert_eq!((state["increment_ms"].as_u64(), state["time_per_cycle_ms"].is_null()), (Some(500), true));
    assert!(state["active_participant_id"].is_null() && state["cycle_started_at"].is_null());
    let created = state["created_at"].as_str().unwrap();
    assert!(created.len() == 24 && created.ends_with('Z') && created.as_bytes()[10] == b'T', "{created}");
}

/// The seed's `generateSession()` omits `total_time_ms`, which the service requires.
#[tokio::test]
async fn create_without_total_time_is_a_validation_error_naming_the_field() {
    let addr = start();
    let mut body = Session { id: Uuid::new_v4(), participants: vec![Uuid::new_v4()] }.body(0);
    body.as_object_mut().unwrap().remove("total_time_ms");
    body["time_per_cycle_ms"] = json!(60_000);
    let reply = call(addr, Method::POST, "/v1/sessions", Some(body)).await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    assert_eq!(
        reply.1["error"]["details"],
        json!([{
            "field": "total_time_ms",
            "message": "Invalid input: expected number, received undefined",
            "code": "invalid_type"
        }])
    );
    let garbage = call(addr, Method::POST, "/v1/sessions", Some(json!({ "session_id": 7 }))).await;
    assert_error(&garbage, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    assert_eq!(garbage.1["error"]["details"].as_array().unwrap().len(), 4, "{}", garbage.1);
}

#[tokio::test]
async fn lifecycle_transitions_and_invalid_ones() {
    let addr = start();
    let s = create(addr, 2, 0).await;
    for action in ["pause", "resume", "switch"] {
        assert_error(&post(addr, &s.path(action)).await, StatusCode::BAD_REQUEST, "INVALID_STATE_TRANSITION");
    }
    // The service answers with the state it computed, whose version is the one it read.
    let (status, body) = post(addr, &s.path("start")).await;
    assert_eq!(
        (status, &body["data"]["status"], &body["data"]["version"]),
        (StatusCode::OK, &json!("running"), &json!(1))
    );
    assert_eq!(body["data"]["active_participant_id"], s.participants[0].to_string());
    assert_error(&post(addr, &s.path("start")).await, StatusCode::BAD_REQUEST, "INVALID_STATE_TRANSITION");
    assert_error(&post(addr, &s.path("resume")).await, StatusCode::BAD_REQUEST, "INVALID_STATE_TRANSITION");
    let (status, body) = post(addr, &s.path("pause")).await;
    assert_eq!((status, &body["data"]["status"]), (StatusCode::OK, &json!("paused")));
    assert!(body["data"]["cycle_started_at"].is_null());
    let (status, body) = post(addr, &s.path("resume")).await;
    assert_eq!((status, &body["data"]["status"]), (StatusCode::OK, &json!("running")));
    let (status, body) = post(addr, &s.path("complete")).await;
    assert_eq!(
        (status, &body["data"]["status"], &body["data"]["version"]),
        (StatusCode::OK, &json!("completed"), &json!(4))
    );
    assert!(body["data"]["session_completed_at"].is_string() && body["data"]["active_participant_id"].is_null());
    let (status, body) = post(addr, &s.path("complete")).await;
    assert_eq!((status, &body["data"]["version"]), (StatusCode::OK, &json!(5)), "completing again succeeds");
    let (_, body) = call(addr, Method::GET, &s.path(""), None).await;
    assert_eq!(body["data"]["version"], 6, "each write bumped the stored version");
}

#[tokio::test]
async fn unknown_sessions_are_404_and_malformed_ids_400() {
    let addr = start();
    let unknown = Uuid::new_v4();
    for action in ["start", "pause", "resume", "complete", "switch"] {
        let reply = post(addr, &format!("/v1/sessions/{unknown}/{action}")).await;
        assert_error(&reply, StatusCode::NOT_FOUND, "SESSION_NOT_FOUND");
        assert_eq!(reply.1["error"]["message"], format!("Session {unknown} not found"));
    }
    assert_error(
        &call(addr, Method::GET, &format!("/v1/sessions/{unknown}"), None).await,
        StatusCode::NOT_FOUND,
        "SESSION_NOT_FOUND",
    );
    let reply = post(addr, "/v1/sessions/not-a-uuid/start").await;
    assert_error(&reply, StatusCode::BAD_REQUEST, "VALIDATION_ERROR");
    assert_eq!(reply.1["error"]["details"][0]["field"], "id");
}

#[tokio::test]
async fn switch_charges_the_active_participant_and_rotates() {
    let addr = start();
    let s = create(addr, 3, 1_000).await;
    post(addr, &s.path("start")).await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    let (status, body) = post(addr, &s.path("switch")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let result = &body["data"];
    assert_eq!(result["active_participant_id"], s.participants[1].to_string());
    assert_eq!((result["status"].as_str(), result["session_id"].as_str()), (Some("running"), Some(&*s.id.to_string())));
    assert!(result.get("expired_participant_id").is_none() && result.get("version").is_none(), "{result}");
    let first = &result["participants"][0];
    let used = first["time_used_ms"].as_u64().unwrap();
    assert!((30..2_000).contains(&used), "charged {used} ms for a 30 ms turn");
    assert_eq!(first["time_remaining_ms"].as_u64().unwrap(), 60_000 - used + 1_000, "increment added");
    assert_eq!((first["cycle_count"].as_u64(), first["is_active"].as_bool()), (Some(1), Some(false)));
    assert_eq!(result["participants"][1]["is_active"], true);

    post(addr, &s.path("switch")).await;
    let (_, body) = post(addr, &s.path("switch")).await;
    assert_eq!(body["data"]["active_participant_id"], s.participants[0].to_string(), "wraps around");

    let next = json!({ "next_participant_id": s.participants[2].to_string() });
    let (status, body) = call(addr, Method::POST, &s.path("switch"), Some(next)).await;
    assert_eq!(
        (status, &body["data"]["active_participant_id"]),
        (StatusCode::OK, &json!(s.participants[2].to_string()))
    );
    let stranger = json!({ "next_participant_id": Uuid::new_v4().to_string() });
    assert_error(
        &call(addr, Method::POST, &s.path("switch"), Some(stranger)).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    );

    let (_, body) = call(addr, Method::GET, &s.path(""), None).await;
    assert_eq!(body["data"]["version"], 2 + 4, "start and four switches");
}

/// The service's optimistic lock is a `GET` comparing versions, then a separate `SETEX`: a
/// switch gets 409 when another switch's write lands between its read and its check, and
/// two switches whose checks both come before either write both succeed (the later write
/// wins). With 100 ms round trips and no jitter: A and B start together and race past the
/// check; C starts 150 ms later, reads at 250 ms, and sees A's write (300 ms) at its check
/// (350 ms). Every margin is 50 ms or more, so a debug build on a busy machine keeps the order.
#[tokio::test]
async fn switches_conflict_when_a_write_lands_between_read_and_check() {
    let redis = RedisLatency { rtt: Duration::from_millis(100), jitter_percent: 0 };
    let addr = start_with(SynckairosOptions { redis, ..SynckairosOptions::default() });
    let s = started(addr, 2).await;
    let racer = |delay_ms: u64| {
        let path = s.path("switch");
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            call(addr, Method::POST, &path, None).await
        })
    };
    let (a, b, c) = (racer(0), racer(0), racer(150));
    let (a, b, c) = (a.await.unwrap(), b.await.unwrap(), c.await.unwrap());
    assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK), "{} / {}", a.1, b.1);
    assert_error(&c, StatusCode::CONFLICT, "CONFLICT");
    assert_eq!(c.1["error"]["details"], json!({ "expected_version": 2, "actual_version": 3 }));
    let (_, body) = call(addr, Method::GET, &s.path(""), None).await;
    assert_eq!(body["data"]["version"], 3, "A's and B's writes both stored version 3");
}

#[tokio::test]
async fn the_optional_rate_limit_answers_429() {
    let addr = start_with(SynckairosOptions { rate_limit_switch: Some(2), ..SynckairosOptions::default() });
    let s = started(addr, 2).await;
    let mut replies = Vec::new();
    for _ in 0..5 {
        replies.push(post(addr, &s.path("switch")).await);
    }
    let limited =
        replies.iter().find(|reply| reply.0 == StatusCode::TOO_MANY_REQUESTS).expect("a 429 among 5 switches");
    assert_error(limited, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMIT_EXCEEDED");
    assert_eq!(replies[0].0, StatusCode::OK);
}

#[tokio::test]
async fn get_then_delete_then_gone() {
    let addr = start();
    let s = create(addr, 2, 0).await;
    let (status, body) = call(addr, Method::GET, &s.path(""), None).await;
    assert_eq!((status, &body["data"]["session_id"]), (StatusCode::OK, &json!(s.id.to_string())));
    assert_eq!(call(addr, Method::DELETE, &s.path(""), None).await, (StatusCode::NO_CONTENT, Value::Null));
    assert_error(&call(addr, Method::GET, &s.path(""), None).await, StatusCode::NOT_FOUND, "SESSION_NOT_FOUND");
    assert_eq!(call(addr, Method::DELETE, &s.path(""), None).await.0, StatusCode::NO_CONTENT, "like a Redis DEL");
}

#[tokio::test]
async fn time_and_health() {
    let addr = start();
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let (status, body) = call(addr, Method::GET, "/v1/time", None).await;
    let server = body["timestamp_ms"].as_u64().expect("timestamp_ms at the top level");
    assert!(status == StatusCode::OK && server >= before && server < before + 5_000, "{body}");
    assert_eq!(call(addr, Method::GET, "/health", None).await, (StatusCode::OK, json!({ "status": "ok" })));
}

#[tokio::test]
async fn metrics_show_sessions_sockets_and_a_growing_write_queue() {
    let addr = start_with(SynckairosOptions { db_write_rate: 1, ..SynckairosOptions::default() });
    let s = started(addr, 2).await;
    for _ in 0..10 {
        post(addr, &s.path("switch")).await;
    }
    let (_socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws?sessionId={}", s.id)).await.unwrap();
    let page = metrics(addr).await;
    assert_eq!(gauge(&page, "synckairos_active_sessions"), 1);
    assert_eq!(gauge(&page, "synckairos_websocket_connections"), 1);
    assert!(gauge(&page, "synckairos_db_write_queue_size") >= 10, "12 writes, 1 drained a second: {page}");
    assert!(gauge(&page, "process_resident_memory_bytes") > 0);
    let switches =
        "synckairos_http_requests_total{method=\"POST\",route=\"/v1/sessions/:id/switch\",status_code=\"200\"} 10";
    assert!(page.contains(switches), "{page}");

    // At the default rate the queue keeps up.
    let fast = start();
    let s = started(fast, 2).await;
    post(fast, &s.path("switch")).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while gauge(&metrics(fast).await, "synckairos_db_write_queue_size") > 0 {
        assert!(tokio::time::Instant::now() < deadline, "the queue never drained");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The next text message as JSON, skipping control frames.
async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(2), socket.next()).await.expect("a message in time");
        match message.expect("the socket is open").expect("a frame") {
            Message::Text(text) => return serde_json::from_str(&text).expect("JSON"),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn close_code(socket: &mut Socket) -> u16 {
    let message = tokio::time::timeout(Duration::from_secs(2), socket.next()).await.expect("a close in time");
    match message {
        Some(Ok(Message::Close(Some(frame)))) => frame.code.into(),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn websocket_clients_follow_their_session() {
    let addr = start();
    let s = create(addr, 2, 0).await;
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws?sessionId={}", s.id)).await.unwrap();
    let connected = next_json(&mut socket).await;
    assert_eq!((&connected["type"], &connected["sessionId"]), (&json!("CONNECTED"), &json!(s.id.to_string())));
    assert!(connected["timestamp"].is_u64());

    post(addr, &s.path("start")).await;
    let update = next_json(&mut socket).await;
    assert_eq!((&update["type"], &update["state"]["status"]), (&json!("STATE_UPDATE"), &json!("running")));
    post(addr, &s.path("switch")).await;
    let update = next_json(&mut socket).await;
    assert_eq!((&update["type"], &update["sessionId"]), (&json!("STATE_UPDATE"), &json!(s.id.to_string())));
    assert!(update["timestamp"].is_u64());
    assert_eq!(
        (&update["state"]["version"], &update["state"]["active_participant_id"]),
        (&json!(3), &json!(s.participants[1].to_string()))
    );

    socket.send(Message::text(r#"{"type":"PING"}"#)).await.unwrap();
    let pong = next_json(&mut socket).await;
    assert!(pong["type"] == "PONG" && pong["timestamp"].is_u64(), "{pong}");
    socket.send(Message::text(r#"{"type":"RECONNECT"}"#)).await.unwrap();
    let sync = next_json(&mut socket).await;
    assert_eq!((&sync["type"], &sync["state"]["version"]), (&json!("STATE_SYNC"), &json!(3)));

    call(addr, Method::DELETE, &s.path(""), None).await;
    assert_eq!(next_json(&mut socket).await["type"], "SESSION_DELETED");
    assert_eq!(close_code(&mut socket).await, 1000);
}

#[tokio::test]
async fn websocket_without_a_valid_session_id_closes_with_1008() {
    let addr = start();
    for query in ["", "?sessionId=", "?sessionId=abc", "?other=1"] {
        let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws{query}")).await.unwrap();
        assert_eq!(close_code(&mut socket).await, 1008, "{query:?}");
    }
}

#[tokio::test]
async fn the_server_pings_websocket_clients() {
    let addr =
        start_with(SynckairosOptions { ws_ping_interval: Duration::from_millis(50), ..SynckairosOptions::default() });
    let url = format!("ws://{addr}/ws?sessionId={}", Uuid::new_v4());
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let mut pings = 0;
    while pings < 3 {
        let frame = tokio::time::timeout(Duration::from_secs(2), socket.next()).await.expect("a ping in time");
        // Reading answers each ping with a pong, so the server keeps the socket.
        if let Some(Ok(Message::Ping(_))) = frame {
            pings += 1;
        }
    }
}

#[test]
fn the_binary_serves_synckairos_when_asked() {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rload"))
        .args(["serve", "--app", "synckairos", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start rload serve");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 200") && response.ends_with(r#"{"status":"ok"}"#), "{response}");
}
