//! The JSON:API documents of k6's REST API v1, field for field as k6 v1.1 writes and reads them.
//!
//! Go's `encoding/json` decides the details reproduced here: struct field order, `null` for a
//! group's empty `checks` (a nil slice) but `[]` for its empty `groups` relationship, `{}` as the
//! attributes of absent setup data, and a PATCH body whose unknown fields are ignored and whose
//! absent `paused`/`vus` are "not set".

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// k6's `lib.ExecutionStatus` (serialised as its number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum ExecutionStatus {
    Created = 0,
    InitVus = 1,
    InitExecutors = 2,
    InitDone = 3,
    PausedBeforeRun = 4,
    Started = 5,
    Setup = 6,
    Running = 7,
    Teardown = 8,
    Ended = 9,
    Interrupted = 10,
}

/// `GET /v1/status`'s attributes, in k6's field order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    #[serde(default)]
    pub status: u32,
    #[serde(default)]
    pub paused: Option<bool>,
    #[serde(default)]
    pub vus: Option<i64>,
    #[serde(rename = "vus-max", default)]
    pub vus_max: Option<i64>,
    #[serde(default)]
    pub stopped: bool,
    #[serde(default)]
    pub running: bool,
    #[serde(default)]
    pub tainted: bool,
}

impl Status {
    /// A request body that sets only what is given (the CLI commands' PATCH).
    pub fn request(paused: Option<bool>, vus: Option<i64>, vus_max: Option<i64>) -> Status {
        Status { status: 0, paused, vus, vus_max, stopped: false, running: false, tainted: false }
    }
}

#[derive(Serialize, Deserialize)]
struct Document<T> {
    data: T,
}

#[derive(Serialize, Deserialize)]
struct Resource<A> {
    #[serde(rename = "type")]
    kind: String,
    id: String,
    attributes: A,
}

/// `{"data":{"type":"status","id":"default","attributes":{…}}}`, as text so k6's field order
/// survives (a `Value` would sort the keys).
pub fn status_document(status: &Status) -> String {
    let doc = Document { data: Resource { kind: "status".into(), id: "default".into(), attributes: status.clone() } };
    serde_json::to_string(&doc).expect("a status serialises")
}

/// The status a `PATCH /v1/status` body asks for, or the decoder's complaint (k6: 400 "Invalid data").
pub fn parse_status(body: &[u8]) -> Result<Status, String> {
    #[derive(Deserialize)]
    struct Data {
        #[serde(default)]
        attributes: Option<Status>,
    }
    let doc: Document<Data> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    Ok(doc.data.attributes.unwrap_or_else(|| Status::request(None, None, None)))
}

/// The status inside a `GET`/`PATCH /v1/status` answer (for the CLI commands).
pub fn status_from_document(body: &[u8]) -> Result<Status, String> {
    let doc: Document<Resource<Status>> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    Ok(doc.data.attributes)
}

/// One metric of `GET /v1/metrics`: k6's `type`, `contains`, `tainted` and `sample` (its sink's
/// `Format`: counters `count`/`rate`, gauges `value`, rates `rate`, trends min/max/avg/med/p(90)/p(95)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiMetric {
    #[serde(skip)]
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub contains: String,
    pub tainted: Option<bool>,
    pub sample: serde_json::Map<String, Value>,
}

fn metric_resource(m: &ApiMetric) -> Resource<ApiMetric> {
    Resource { kind: "metrics".into(), id: m.name.clone(), attributes: m.clone() }
}

pub fn metrics_document(metrics: &[ApiMetric]) -> Value {
    let data: Vec<_> = metrics.iter().map(metric_resource).collect();
    serde_json::to_value(Document { data }).expect("metrics serialise")
}

pub fn metric_document(metric: &ApiMetric) -> Value {
    serde_json::to_value(Document { data: metric_resource(metric) }).expect("a metric serialises")
}

/// The metrics inside a `GET /v1/metrics` answer, named by their ids (for `rload stats`).
pub fn metrics_from_document(body: &[u8]) -> Result<Vec<ApiMetric>, String> {
    let doc: Document<Vec<Resource<ApiMetric>>> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    Ok(doc.data.into_iter().map(|r| ApiMetric { name: r.id, ..r.attributes }).collect())
}

/// One check of a group: k6's id (MD5 of its path), path, name and counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiCheck {
    pub id: String,
    pub path: String,
    pub name: String,
    pub passes: u64,
    pub fails: u64,
}

/// One group of `GET /v1/groups`, with the ids of its parent and sub-groups.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiGroup {
    pub id: String,
    pub path: String,
    pub name: String,
    pub checks: Vec<ApiCheck>,
    pub parent: Option<String>,
    pub groups: Vec<String>,
}

fn group_resource(g: &ApiGroup) -> Value {
    let checks = if g.checks.is_empty() { Value::Null } else { serde_json::to_value(&g.checks).expect("checks") };
    let related = |id: &String| serde_json::json!({ "type": "groups", "id": id });
    serde_json::json!({
        "type": "groups",
        "id": g.id,
        "attributes": { "path": g.path, "name": g.name, "checks": checks },
        "relationships": {
            "groups": { "data": g.groups.iter().map(related).collect::<Vec<_>>() },
            "parent": { "data": g.parent.as_ref().map(related) },
        },
    })
}

pub fn groups_document(groups: &[ApiGroup]) -> Value {
    serde_json::json!({ "data": groups.iter().map(group_resource).collect::<Vec<_>>() })
}

pub fn group_document(group: &ApiGroup) -> Value {
    serde_json::json!({ "data": group_resource(group) })
}

/// `{"data":{"type":"setupData","id":"default","attributes":{"data":…}}}`; `{}` as attributes
/// when there is no data.
pub fn setup_document(data: Option<&Value>) -> Value {
    let attributes = match data {
        Some(d) => serde_json::json!({ "data": d }),
        None => serde_json::json!({}),
    };
    serde_json::json!({ "data": { "type": "setupData", "id": "default", "attributes": attributes } })
}

/// k6's error document: `{"errors":[{"status":"400","title":…,"detail":…}]}`.
pub fn error_document(status: u16, title: &str, detail: &str) -> Value {
    serde_json::json!({ "errors": [{ "status": status.to_string(), "title": title, "detail": detail }] })
}

/// `title: detail` of the first error in an error document (for the CLI commands).
pub fn error_text(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let e = v.get("errors")?.get(0)?;
    let title = e.get("title").and_then(Value::as_str).unwrap_or_default();
    let detail = e.get("detail").and_then(Value::as_str).unwrap_or_default();
    Some(if detail.is_empty() { title.to_string() } else { format!("{title}: {detail}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_document_has_k6s_envelope_and_field_order() {
        let s = Status {
            status: ExecutionStatus::PausedBeforeRun as u32,
            paused: Some(true),
            vus: Some(0),
            vus_max: Some(5),
            stopped: false,
            running: false,
            tainted: false,
        };
        assert_eq!(
            status_document(&s),
            r#"{"data":{"type":"status","id":"default","attributes":{"status":4,"paused":true,"vus":0,"vus-max":5,"stopped":false,"running":false,"tainted":false}}}"#
        );
    }

    #[test]
    fn the_k6_operator_starter_and_stopper_bodies_parse() {
        let start = br#"{"data":{"attributes":{"paused":false,"stopped":false},"id":"default","type":"status"}}"#;
        let s = parse_status(start).unwrap();
        assert_eq!((s.paused, s.stopped, s.vus), (Some(false), false, None));
        let stop = br#"{"data":{"attributes":{"paused":false,"stopped":true},"id":"default","type":"status"}}"#;
        assert!(parse_status(stop).unwrap().stopped);
        assert!(parse_status(b"{not json").is_err());
        assert!(parse_status(br#"{"data":{"attributes":{"paused":"yes"}}}"#).is_err());
    }

    #[test]
    fn absent_setup_data_has_empty_attributes_and_a_group_without_checks_has_null() {
        assert_eq!(setup_document(None)["data"]["attributes"], serde_json::json!({}));
        assert_eq!(setup_document(Some(&serde_json::json!({"a": 1})))["data"]["attributes"]["data"]["a"], 1);
        let g = ApiGroup {
            id: "d41d8cd98f00b204e9800998ecf8427e".into(),
            path: String::new(),
            name: String::new(),
            checks: vec![],
            parent: None,
            groups: vec![],
        };
        let doc = group_document(&g);
        assert_eq!(doc["data"]["attributes"]["checks"], Value::Null);
        assert_eq!(doc["data"]["relationships"]["groups"]["data"], serde_json::json!([]));
        assert_eq!(doc["data"]["relationships"]["parent"]["data"], Value::Null);
    }
}
