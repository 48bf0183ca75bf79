//! Fuzzing the SyncKairos API's handling of what clients send: any body bytes, any JSON, and
//! session bodies with extreme numbers driven through every command at any clock reading. None
//! may panic (a panicking handler drops the connection: a load test would count errors that the
//! real service never gives). `PROPTEST_CASES` sets the number of cases (default 1,000).

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue};
use proptest::prelude::*;
use serde_json::{json, Value};

use super::body::json_body;
use super::model::{Command, SyncState};
use super::validate;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

fn json_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (0u64..100_000_000).prop_map(Value::from),
        Just(Value::from(u64::MAX)),
    ]
}

fn uuid_text() -> impl Strategy<Value = Value> {
    prop_oneof![Just(Value::from(uuid::Uuid::new_v4().to_string())), "[0-9a-fA-F-]{0,40}".prop_map(Value::from)]
}

/// Any JSON value, nested a little.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        number(),
        any::<String>().prop_map(Value::from)
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::hash_map("[a-z_]{1,24}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A `POST /v1/sessions` body shaped like the real ones, with extreme numbers and odd types.
fn session_body() -> impl Strategy<Value = Value> {
    let participant = (uuid_text(), number(), number(), prop::option::of("[a-z]{0,8}")).prop_map(|(id, index, total, group)| {
        json!({ "participant_id": id, "participant_index": index, "total_time_ms": total, "group_id": group })
    });
    let mode = prop_oneof![
        Just("per_participant"),
        Just("per_cycle"),
        Just("per_group"),
        Just("global"),
        Just("count_up"),
        Just("nope")
    ];
    (
        uuid_text(),
        mode,
        prop::collection::vec(participant, 0..5),
        number(),
        prop::option::of(number()),
        prop::option::of(number()),
        prop::option::of(number()),
    )
        .prop_map(|(id, mode, participants, total, per_cycle, increment, max)| {
            let mut body = json!({
                "session_id": id, "sync_mode": mode, "participants": participants, "total_time_ms": total,
            });
            for (key, value) in [("time_per_cycle_ms", per_cycle), ("increment_ms", increment), ("max_time_ms", max)] {
                if let Some(v) = value {
                    body[key] = v;
                }
            }
            body
        })
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        Just(Command::Start),
        Just(Command::Pause),
        Just(Command::Resume),
        Just(Command::Complete),
        Just(Command::Switch { next: None }),
        Just(Command::Switch { next: Some(uuid::Uuid::new_v4()) }),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_body_bytes_never_panic_the_json_handling(body in prop::collection::vec(any::<u8>(), 0..256), json_type in any::<bool>()) {
        let headers = if json_type { json_headers() } else { HeaderMap::new() };
        if let Ok(value) = json_body(&headers, &body) {
            let _ = validate::new_session(&value);
            let _ = validate::switch(&value);
        }
    }

    #[test]
    fn any_json_never_panics_the_validation(value in any_json()) {
        let _ = validate::new_session(&value);
        let _ = validate::switch(&value);
    }

    #[test]
    fn sessions_with_extreme_numbers_survive_every_command_at_any_clock(
        body in session_body(),
        steps in prop::collection::vec((command(), any::<u64>(), any::<bool>()), 0..12),
        start in any::<u64>(),
    ) {
        let Ok(new) = validate::new_session(&body) else { return Ok(()) };
        let mut now = start;
        let mut state = SyncState::create(new, now);
        for (command, jump, backwards) in steps {
            // Wall clocks move on, jump ahead, and now and then step back.
            now = if backwards { now.saturating_sub(jump % 10_000) } else { now.saturating_add(jump % 100_000_000) };
            let _ = state.apply(command, now);
            let _ = serde_json::to_string(&state).unwrap();
        }
    }
}
