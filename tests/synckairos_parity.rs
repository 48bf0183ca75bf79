//! The reference target answers as the real SyncKairos service does (issue 12): one table of
//! requests, each with the status, body shape and headers the service was measured to give,
//! run against `rload serve --app synckairos` on a loopback port. Cases name sessions by
//! state (`{pending}`, `{running}`, `{completed}`, `{new}` for a fresh id); each case gets
//! sessions of its own, so the table reads top to bottom without order effects.

mod common;
use common::send_json;
use std::net::SocketAddr;
use std::time::Duration;

use http::{header, HeaderMap, Method, StatusCode};
use rload_target::{spawn_background_app, App, RedisLatency, SynckairosOptions};
use serde_json::{json, Value};
use uuid::Uuid;

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

/// One case of the table: a request and the real service's answer.
struct Case {
    name: &'static str,
    method: Method,
    path: &'static str,
    /// A body sent as `application/json` (raw text: it may be malformed on purpose).
    body: Option<&'static str>,
    status: u16,
    content_type: &'static str,
    /// JSON pointers into the answer and the value each must hold (`null` for "absent").
    fields: &'static [(&'static str, &'static str)],
    /// Text the answer must contain (for HTML pages).
    contains: &'static str,
    /// Headers that must be present with these values, or absent (`None`).
    headers: &'static [(&'static str, Option<&'static str>)],
}

const JSON: &str = "application/json; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";
const NO_LIMIT_HEADERS: &[(&str, Option<&str>)] = &[("ratelimit-limit", None), ("ratelimit-policy", None)];

const SESSION: &str = r#"{"session_id":"{new}","sync_mode":"per_participant","total_time_ms":120000,
  "participants":[{"participant_id":"223e4567-e89b-12d3-a456-426614174001","participant_index":0,"total_time_ms":60000},
                  {"participant_id":"323e4567-e89b-12d3-a456-426614174002","participant_index":1,"total_time_ms":60000}]}"#;
const DUPLICATES: &str = r#"{"session_id":"{new}","sync_mode":"per_participant","total_time_ms":120000,
  "participants":[{"participant_id":"223e4567-e89b-12d3-a456-426614174001","participant_index":0,"total_time_ms":60000},
                  {"participant_id":"223e4567-e89b-12d3-a456-426614174001","participant_index":1,"total_time_ms":60000}]}"#;
const NO_TOTAL: &str = r#"{"session_id":"{new}","sync_mode":"per_participant",
  "participants":[{"participant_id":"223e4567-e89b-12d3-a456-426614174001","participant_index":0,"total_time_ms":60000}]}"#;
const BAD_FORMATS: &str = r#"{"session_id":"not-a-uuid","sync_mode":"chess","total_time_ms":120000,
  "participants":[{"participant_id":"223e4567-e89b-12d3-a456-426614174001","participant_index":0,"total_time_ms":60000}]}"#;

const INTERNAL: &[(&str, &str)] =
    &[("/error/code", "\"INTERNAL_ERROR\""), ("/error/message", "\"Internal server error\"")];

fn cases() -> Vec<Case> {
    let case = |name, method, path, status| Case {
        name,
        method,
        path,
        body: None,
        status,
        content_type: JSON,
        fields: &[],
        contains: "",
        headers: NO_LIMIT_HEADERS,
    };
    vec![
        Case {
            fields: &[("/server_version", "\"2.0.0\""), ("/drift_tolerance_ms", "50"), ("/data", "null")],
            ..case("time answers at the top level", Method::GET, "/v1/time", 200)
        },
        Case { fields: &[("/status", "\"ready\"")], ..case("ready", Method::GET, "/ready", 200) },
        Case { fields: &[("/status", "\"ok\"")], ..case("health", Method::GET, "/health", 200) },
        Case {
            content_type: HTML,
            contains: "<pre>Cannot PUT /v1/sessions/",
            ..case("PUT on a session is Express's 404 page", Method::PUT, "/v1/sessions/{pending}", 404)
        },
        Case {
            content_type: HTML,
            contains: "<pre>Cannot GET /v1/nothing</pre>",
            ..case("an unknown path is Express's 404 page", Method::GET, "/v1/nothing", 404)
        },
        Case {
            fields: &[("/data/status", "\"completed\"")],
            ..case("completing a completed session is 200", Method::POST, "/v1/sessions/{completed}/complete", 200)
        },
        Case {
            fields: &[("/data/status", "\"completed\""), ("/data/version", "1")],
            ..case("completing a pending session is 200", Method::POST, "/v1/sessions/{pending}/complete", 200)
        },
        Case {
            body: Some(r#"{"session_id": "#),
            fields: INTERNAL,
            ..case("malformed JSON is 500", Method::POST, "/v1/sessions", 500)
        },
        Case {
            body: Some("null"),
            fields: INTERNAL,
            ..case("a JSON null switch body is 500", Method::POST, "/v1/sessions/{running}/switch", 500)
        },
        Case {
            body: Some(DUPLICATES),
            fields: INTERNAL,
            ..case("duplicate participant ids are 500", Method::POST, "/v1/sessions", 500)
        },
        Case {
            body: Some(SESSION),
            fields: &[("/data/status", "\"pending\""), ("/data/version", "1")],
            ..case("create answers 201 at version 1", Method::POST, "/v1/sessions", 201)
        },
        Case {
            fields: &[("/data/status", "\"running\""), ("/data/version", "1")],
            ..case("start answers the version it read", Method::POST, "/v1/sessions/{pending}/start", 200)
        },
        Case {
            fields: &[("/data/status", "\"paused\""), ("/data/version", "2")],
            ..case("pause answers the version it read", Method::POST, "/v1/sessions/{running}/pause", 200)
        },
        Case {
            fields: &[("/data/status", "\"completed\""), ("/data/version", "2")],
            ..case("complete answers the version it read", Method::POST, "/v1/sessions/{running}/complete", 200)
        },
        Case {
            fields: &[
                ("/data/active_participant_id", "\"323e4567-e89b-12d3-a456-426614174002\""),
                ("/data/version", "null"),
            ],
            ..case("switch answers the new turn without a version", Method::POST, "/v1/sessions/{running}/switch", 200)
        },
        Case {
            body: Some(NO_TOTAL),
            fields: &[
                ("/error/code", "\"VALIDATION_ERROR\""),
                ("/error/details/0/field", "\"total_time_ms\""),
                ("/error/details/0/message", "\"Invalid input: expected number, received undefined\""),
                ("/error/details/0/code", "\"invalid_type\""),
            ],
            ..case("a missing field has zod 4's text", Method::POST, "/v1/sessions", 400)
        },
        Case {
            body: Some(BAD_FORMATS),
            fields: &[
                ("/error/details/0/field", "\"session_id\""),
                ("/error/details/0/code", "\"invalid_format\""),
                ("/error/details/1/field", "\"sync_mode\""),
                ("/error/details/1/code", "\"invalid_value\""),
            ],
            ..case("bad formats have zod 4's codes", Method::POST, "/v1/sessions", 400)
        },
        Case {
            fields: &[("/error/details/0/field", "\"id\""), ("/error/details/0/code", "\"invalid_format\"")],
            ..case("a malformed session id is 400", Method::GET, "/v1/sessions/not-a-uuid", 400)
        },
        Case {
            fields: &[("/error/code", "\"SESSION_NOT_FOUND\"")],
            ..case("an unknown session is 404", Method::GET, "/v1/sessions/{new}", 404)
        },
        Case {
            fields: &[("/error/code", "\"INVALID_STATE_TRANSITION\"")],
            ..case("switching a pending session is 400", Method::POST, "/v1/sessions/{pending}/switch", 400)
        },
    ]
}

fn start(options: SynckairosOptions) -> SocketAddr {
    spawn_background_app("127.0.0.1:0".parse().unwrap(), 1, App::Synckairos(options)).expect("start the target")
}

/// Round trips of a few µs keep the table fast; the answers do not depend on them.
fn quick() -> SynckairosOptions {
    SynckairosOptions {
        redis: RedisLatency { rtt: Duration::from_micros(100), jitter_percent: 0 },
        ..Default::default()
    }
}

async fn send(addr: SocketAddr, method: Method, path: &str, body: Option<&str>) -> Reply {
    let (parts, bytes) = send_json(addr, method, path, body).await;
    Reply { status: parts.status, headers: parts.headers, text: String::from_utf8_lossy(&bytes).into_owned() }
}

/// A session at `state` ("pending", "running", "completed"), made through the API.
async fn session(addr: SocketAddr, state: &str) -> Uuid {
    let id = Uuid::new_v4();
    let created = send(addr, Method::POST, "/v1/sessions", Some(&SESSION.replace("{new}", &id.to_string()))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let steps: &[&str] = match state {
        "pending" => &[],
        "running" => &["start"],
        _ => &["start", "complete"],
    };
    for step in steps {
        let reply = send(addr, Method::POST, &format!("/v1/sessions/{id}/{step}"), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{step}: {}", reply.text);
    }
    id
}

async fn fill(addr: SocketAddr, template: &str) -> String {
    let mut text = template.replace("{new}", &Uuid::new_v4().to_string());
    for state in ["pending", "running", "completed"] {
        let slot = format!("{{{state}}}");
        if text.contains(&slot) {
            text = text.replace(&slot, &session(addr, state).await.to_string());
        }
    }
    text
}

/// Everything about `reply` that differs from `case`.
fn differences(case: &Case, reply: &Reply) -> Vec<String> {
    let mut wrong = Vec::new();
    if reply.status.as_u16() != case.status {
        wrong.push(format!("status {} (the service: {})", reply.status, case.status));
    }
    let content_type = reply.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type != case.content_type {
        wrong.push(format!("content-type {content_type:?} (the service: {:?})", case.content_type));
    }
    let body = reply.json();
    for (pointer, expected) in case.fields {
        let expected: Value = serde_json::from_str(expected).unwrap();
        let found = body.pointer(pointer).cloned().unwrap_or(Value::Null);
        if found != expected {
            wrong.push(format!("{pointer} = {found} (the service: {expected})"));
        }
    }
    if !reply.text.contains(case.contains) {
        wrong.push(format!("body lacks {:?}", case.contains));
    }
    for (name, expected) in case.headers {
        let found = reply.headers.get(*name).and_then(|v| v.to_str().ok());
        if found != *expected {
            wrong.push(format!("header {name}: {found:?} (the service: {expected:?})"));
        }
    }
    wrong
}

#[tokio::test]
async fn every_probed_request_gets_the_real_services_answer() {
    let addr = start(quick());
    let mut report = String::new();
    for case in cases() {
        let path = fill(addr, case.path).await;
        let body = match case.body {
            Some(template) => Some(fill(addr, template).await),
            None => None,
        };
        let reply = send(addr, case.method.clone(), &path, body.as_deref()).await;
        let wrong = differences(&case, &reply);
        if !wrong.is_empty() {
            report += &format!("\n{} ({} {path}): {}\n  {}", case.name, case.method, wrong.join("; "), reply.text);
        }
    }
    assert!(report.is_empty(), "the target differs from the service:{report}");
}

/// With the service's limits switched on (small ones, to reach them): the general limit counts
/// `/v1` requests per IP and leaves `/health` alone, the switch limit counts per session and
/// its headers replace the general ones, and each 429 says when to retry.
#[tokio::test]
async fn rate_limits_answer_with_the_services_headers_and_429s() {
    let addr = start(SynckairosOptions { rate_limit_general: Some(6), rate_limit_switch: Some(1), ..quick() });
    let time = send(addr, Method::GET, "/v1/time", None).await;
    assert_eq!(time.status, StatusCode::OK);
    let header = |reply: &Reply, name: &str| reply.headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(header(&time, "ratelimit-policy").as_deref(), Some("6;w=60"));
    assert_eq!(header(&time, "ratelimit-limit").as_deref(), Some("6"));
    assert_eq!(header(&time, "ratelimit-remaining").as_deref(), Some("5"));
    assert_eq!(header(&time, "ratelimit-reset").as_deref(), Some("60"));
    assert_eq!(header(&send(addr, Method::GET, "/health", None).await, "ratelimit-limit"), None);

    let id = session(addr, "running").await; // 2 more /v1 requests: 3 of 6 used
    let path = format!("/v1/sessions/{id}/switch");
    let first = send(addr, Method::POST, &path, None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(header(&first, "ratelimit-policy").as_deref(), Some("1;w=1"), "the switch limit's headers win");
    let second = send(addr, Method::POST, &path, None).await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS, "{}", second.text);
    assert_eq!(
        second.json(),
        json!({"error": {"code": "RATE_LIMIT_EXCEEDED",
            "message": "Too many cycle switches for this session, please slow down", "retry_after_seconds": 1}})
    );
    assert_eq!(header(&second, "retry-after").as_deref(), Some("1"));

    let sixth = send(addr, Method::GET, "/v1/time", None).await;
    assert_eq!((sixth.status, header(&sixth, "ratelimit-remaining").as_deref()), (StatusCode::OK, Some("0")));
    let over = send(addr, Method::GET, "/v1/time", None).await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(over.json()["error"]["message"], "Too many requests, please try again later");
    assert_eq!(over.json()["error"]["retry_after_seconds"], 60);
    assert!(header(&over, "retry-after").is_some_and(|s| s.parse::<u64>().unwrap() <= 60));
}
