//! Request validation with the real service's rules (its zod v4 schemas) and its error shape:
//! every failing check is reported at once as `{field, message, code}` (`field` is a dotted
//! path such as `participants.0.total_time_ms`), in `error.details` of a 400
//! `VALIDATION_ERROR`, with zod v4's texts and codes: the schema's own message where it has
//! one, else zod's English one ("Invalid input: expected number, received undefined"), and
//! v4's codes (`invalid_format` for a bad UUID, `invalid_value` for a bad enum). As in zod,
//! a number failing several checks (integer, minimum) gets one issue per check, unknown fields
//! are ignored, and `null` is not accepted for an optional field.

use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::model::{NewParticipant, NewSession, SyncMode};

/// The real service's inclusive bounds.
const TIME_MS: (u64, u64) = (1_000, 86_400_000);
const INCREMENT_MS: (u64, u64) = (0, 60_000);
const PARTICIPANTS: (usize, usize) = (1, 1_000);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub field: String,
    pub message: String,
    pub code: &'static str,
}

/// A UUID as zod v4's `z.string().uuid()` accepts it: hyphenated `8-4-4-4-12` hex digits in
/// any case, with an RFC 9562 version (1–8) and variant (`8`, `9`, `a`, `b`), or the nil and
/// max UUIDs written in lower case.
pub fn uuid(text: &str) -> Option<Uuid> {
    const NIL: &str = "00000000-0000-0000-0000-000000000000";
    const MAX: &str = "ffffffff-ffff-ffff-ffff-ffffffffffff";
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    let versioned = shaped && (b'1'..=b'8').contains(&bytes[14]) && b"89abAB".contains(&bytes[19]);
    if versioned || text == NIL || text == MAX {
        Uuid::try_parse(text).ok()
    } else {
        None
    }
}

/// Whether two participants share an id: the service's `SyncEngine` refuses that after zod
/// passed the body, with an error its error handler answers as a 500.
pub fn has_duplicate_participants(new: &NewSession) -> bool {
    let mut seen = std::collections::HashSet::with_capacity(new.participants.len());
    !new.participants.iter().all(|p| seen.insert(p.participant_id))
}

/// Checks a `POST /v1/sessions` body.
pub fn new_session(body: &Value) -> Result<NewSession, Vec<Issue>> {
    let mut v = Checker::default();
    let Some(body) = v.object("", Some(body)) else { return Err(v.issues) };
    let session_id = v.uuid_field(body, "session_id", "", "Session ID must be a valid UUID");
    let sync_mode = v.sync_mode(body);
    let participants = v.participants(body);
    let total_time_ms = v.int_field(body, "total_time_ms", "", TIME_MS, "Total time");
    let time_per_cycle_ms = v.optional_int(body, "time_per_cycle_ms", TIME_MS, "Time per cycle");
    let increment_ms = v.optional_int(body, "increment_ms", INCREMENT_MS, "Increment");
    let max_time_ms = v.optional_int(body, "max_time_ms", TIME_MS, "Max time");
    if let Some(metadata) = body.get("metadata") {
        if !metadata.is_object() {
            v.wrong_type("metadata".into(), "record", Some(metadata));
        }
    }
    match (session_id, sync_mode, participants, total_time_ms) {
        (Some(session_id), Some(sync_mode), Some(participants), Some(total_time_ms)) if v.issues.is_empty() => {
            Ok(NewSession {
                session_id,
                sync_mode,
                participants,
                total_time_ms,
                time_per_cycle_ms: time_per_cycle_ms.flatten(),
                increment_ms: increment_ms.flatten(),
                max_time_ms: max_time_ms.flatten(),
            })
        }
        _ => Err(v.issues),
    }
}

/// Checks a `POST /v1/sessions/:id/switch` body (`{}` when the request had none) and
/// returns its `next_participant_id`.
pub fn switch(body: &Value) -> Result<Option<Uuid>, Vec<Issue>> {
    let mut v = Checker::default();
    let Some(body) = v.object("", Some(body)) else { return Err(v.issues) };
    if body.get("next_participant_id").is_none() {
        return Ok(None);
    }
    let next = v.uuid_field(body, "next_participant_id", "", "Next participant ID must be a valid UUID");
    if v.issues.is_empty() {
        Ok(next)
    } else {
        Err(v.issues)
    }
}

#[derive(Default)]
struct Checker {
    issues: Vec<Issue>,
}

impl Checker {
    fn report(&mut self, field: String, message: impl Into<String>, code: &'static str) {
        self.issues.push(Issue { field, message: message.into(), code });
    }

    /// Reports a missing or mistyped value the way zod v4 words it.
    fn wrong_type(&mut self, field: String, expected: &str, found: Option<&Value>) {
        let received = found.map_or("undefined", type_name);
        self.report(field, format!("Invalid input: expected {expected}, received {received}"), "invalid_type");
    }

    fn object<'v>(&mut self, field: &str, value: Option<&'v Value>) -> Option<&'v Map<String, Value>> {
        match value {
            Some(Value::Object(map)) => Some(map),
            other => {
                self.wrong_type(field.to_owned(), "object", other);
                None
            }
        }
    }

    fn uuid_field(&mut self, obj: &Map<String, Value>, name: &str, prefix: &str, message: &str) -> Option<Uuid> {
        let field = format!("{prefix}{name}");
        match obj.get(name) {
            Some(Value::String(text)) => {
                let id = uuid(text);
                if id.is_none() {
                    self.report(field, message, "invalid_format");
                }
                id
            }
            other => {
                self.wrong_type(field, "string", other);
                None
            }
        }
    }

    fn sync_mode(&mut self, obj: &Map<String, Value>) -> Option<SyncMode> {
        let mode = obj.get("sync_mode").and_then(Value::as_str).and_then(SyncMode::parse);
        if mode.is_none() {
            let message = "Invalid sync mode. Must be one of: per_participant, per_cycle, per_group, global, count_up";
            // zod v4's enum checks membership only, so a missing or mistyped value is the
            // same issue as an unknown name, worded by the schema.
            self.report("sync_mode".into(), message, "invalid_value");
        }
        mode
    }

    /// An integer in `min..=max`; `what` starts the messages ("Total time must be …").
    fn int_field(
        &mut self,
        obj: &Map<String, Value>,
        name: &str,
        prefix: &str,
        (min, max): (u64, u64),
        what: &str,
    ) -> Option<u64> {
        let field = format!("{prefix}{name}");
        let value = obj.get(name);
        let Some(number) = value.and_then(Value::as_f64) else {
            self.wrong_type(field, "number", value);
            return None;
        };
        // Every check runs, as in zod: 10.5 for a minimum of 1000 is two issues.
        let before = self.issues.len();
        if number.fract() != 0.0 {
            self.report(field.clone(), format!("{what} must be an integer"), "invalid_type");
        }
        if number < min as f64 {
            let message = if min == 0 { format!("{what} must be non-negative") } else { min_message(what, min) };
            self.report(field, message, "too_small");
        } else if number > max as f64 {
            self.report(field, format!("{what} cannot exceed {max}ms{}", span(max)), "too_big");
        }
        (self.issues.len() == before).then_some(number as u64)
    }

    /// `None` when the value is invalid, `Some(None)` when absent.
    fn optional_int(
        &mut self,
        obj: &Map<String, Value>,
        name: &str,
        range: (u64, u64),
        what: &str,
    ) -> Option<Option<u64>> {
        if obj.contains_key(name) {
            self.int_field(obj, name, "", range, what).map(Some)
        } else {
            Some(None)
        }
    }

    fn participants(&mut self, obj: &Map<String, Value>) -> Option<Vec<NewParticipant>> {
        let list = match obj.get("participants") {
            Some(Value::Array(list)) => list,
            other => {
                self.wrong_type("participants".into(), "array", other);
                return None;
            }
        };
        if list.len() < PARTICIPANTS.0 {
            self.report("participants".into(), "At least one participant is required", "too_small");
        } else if list.len() > PARTICIPANTS.1 {
            self.report("participants".into(), "Cannot exceed 1000 participants", "too_big");
        }
        let before = self.issues.len();
        let mut parsed = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            let field = format!("participants.{i}");
            let Some(p) = self.object(&field, Some(item)) else { continue };
            let prefix = format!("{field}.");
            let participant_id = self.uuid_field(p, "participant_id", &prefix, "Participant ID must be a valid UUID");
            let index = self.int_field(p, "participant_index", &prefix, (0, u64::from(u32::MAX)), "Participant index");
            let total_time_ms = self.int_field(p, "total_time_ms", &prefix, TIME_MS, "Total time");
            let group_id = if p.contains_key("group_id") {
                self.uuid_field(p, "group_id", &prefix, "Group ID must be a valid UUID").map(Some)
            } else {
                Some(None)
            };
            if let (Some(participant_id), Some(index), Some(total_time_ms), Some(group_id)) =
                (participant_id, index, total_time_ms, group_id)
            {
                parsed.push(NewParticipant {
                    participant_id,
                    participant_index: index as u32,
                    total_time_ms,
                    group_id,
                });
            }
        }
        (self.issues.len() == before && !list.is_empty() && list.len() <= PARTICIPANTS.1).then_some(parsed)
    }
}

fn min_message(what: &str, min: u64) -> String {
    format!("{what} must be at least {min}ms{}", span(min))
}

/// The real service's parenthesised reading of its two time bounds.
fn span(ms: u64) -> &'static str {
    match ms {
        1_000 => " (1 second)",
        60_000 => " (1 minute)",
        86_400_000 => " (24 hours)",
        _ => "",
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn valid() -> Value {
        json!({
            "session_id": "123e4567-e89b-12d3-a456-426614174000",
            "sync_mode": "per_participant",
            "participants": [
                {"participant_id": "223e4567-e89b-12d3-a456-426614174001", "participant_index": 0, "total_time_ms": 60000},
                {"participant_id": "323e4567-e89b-12d3-a456-426614174002", "participant_index": 1, "total_time_ms": 60000,
                 "group_id": "423e4567-e89b-12d3-a456-426614174003"}
            ],
            "total_time_ms": 120000,
            "increment_ms": 1000,
            "metadata": {"test": "load-test"},
            "auto_advance": true
        })
    }

    fn fields(issues: &[Issue]) -> Vec<&str> {
        issues.iter().map(|i| i.field.as_str()).collect()
    }

    #[test]
    fn a_valid_body_is_accepted_and_unknown_fields_ignored() {
        let new = new_session(&valid()).unwrap();
        assert_eq!((new.participants.len(), new.total_time_ms, new.increment_ms), (2, 120_000, Some(1_000)));
        assert!(new.participants[1].group_id.is_some());
    }

    /// The seed's `generateSession()` sends `time_per_cycle_ms` but no `total_time_ms`.
    #[test]
    fn missing_total_time_is_required() {
        let mut body = valid();
        body.as_object_mut().unwrap().remove("total_time_ms");
        let issues = new_session(&body).unwrap_err();
        let message = "Invalid input: expected number, received undefined";
        assert_eq!(issues, [Issue { field: "total_time_ms".into(), message: message.into(), code: "invalid_type" }]);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let body = json!({
            "session_id": "nope",
            "sync_mode": "chess",
            "participants": [{"participant_id": "x", "total_time_ms": 10.5}, 3],
            "total_time_ms": 999,
            "increment_ms": 60001,
            "max_time_ms": null
        });
        let issues = new_session(&body).unwrap_err();
        assert_eq!(
            fields(&issues),
            [
                "session_id",
                "sync_mode",
                "participants.0.participant_id",
                "participants.0.participant_index",
                "participants.0.total_time_ms",
                "participants.0.total_time_ms",
                "participants.1",
                "total_time_ms",
                "increment_ms",
                "max_time_ms"
            ]
        );
        let codes: Vec<&str> = issues.iter().map(|i| i.code).collect();
        assert_eq!(
            codes,
            [
                "invalid_format",
                "invalid_value",
                "invalid_format",
                "invalid_type",
                "invalid_type",
                "too_small",
                "invalid_type",
                "too_small",
                "too_big",
                "invalid_type"
            ]
        );
        assert_eq!(issues[4].message, "Total time must be an integer");
        assert_eq!(issues[7].message, "Total time must be at least 1000ms (1 second)");
        assert_eq!(issues[6].message, "Invalid input: expected object, received number");
        assert_eq!(issues[9].message, "Invalid input: expected number, received null");
    }

    #[test]
    fn participant_count_is_bounded() {
        let mut body = valid();
        body["participants"] = json!([]);
        assert_eq!(fields(&new_session(&body).unwrap_err()), ["participants"]);
    }

    #[test]
    fn switch_bodies() {
        assert_eq!(switch(&json!({})), Ok(None));
        let id = "223e4567-e89b-12d3-a456-426614174001";
        assert_eq!(switch(&json!({ "next_participant_id": id })), Ok(uuid(id)));
        assert_eq!(fields(&switch(&json!({"next_participant_id": 5})).unwrap_err()), ["next_participant_id"]);
        assert_eq!(fields(&switch(&json!([])).unwrap_err()), [""]);
    }

    #[test]
    fn only_hyphenated_rfc_9562_uuids_count_as_in_zod_4() {
        assert!(uuid("123E4567-E89B-12D3-A456-426614174000").is_some());
        assert!(uuid("123e4567e89b12d3a456426614174000").is_none());
        assert!(uuid("{123e4567-e89b-12d3-a456-42661417400}").is_none());
        assert!(uuid("123e4567-e89b-02d3-a456-426614174000").is_none(), "version 0");
        assert!(uuid("123e4567-e89b-12d3-c456-426614174000").is_none(), "variant c");
        assert!(uuid("00000000-0000-0000-0000-000000000000").is_some());
        assert!(uuid("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF").is_none());
    }

    #[test]
    fn duplicate_participant_ids_are_spotted() {
        let mut body = valid();
        assert!(!has_duplicate_participants(&new_session(&body).unwrap()));
        body["participants"][1]["participant_id"] = body["participants"][0]["participant_id"].clone();
        assert!(has_duplicate_participants(&new_session(&body).unwrap()));
    }
}
