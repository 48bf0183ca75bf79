//! The JSON:API documents of k6's REST API v1, field for field as k6 v1.1 writes and reads them.
//!
//! Go's `encoding/json` decides the details reproduced here: struct field order, numbers
//! written as Go writes a float64 (`1`, not `1.0`: [`to_text`]), `null` for a group's empty
//! `checks` (a nil slice) but `[]` for its empty `groups` relationship, `{}` as the attributes
//! of absent setup data, and a PATCH body whose unknown fields are ignored and whose absent
//! `paused`/`vus` are "not set".

use std::io;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `value` as JSON text the way k6's API (Go's `encoding/json`) writes it: the fields of a
/// struct in their order, and a float as Go writes a float64 ([`go_float`]).
pub fn to_text(value: &impl Serialize) -> String {
    let mut out = Vec::new();
    value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, GoFloats)).expect("a document serialises");
    String::from_utf8(out).expect("JSON text is UTF-8")
}

/// serde_json's compact output with Go's floats.
struct GoFloats;

impl serde_json::ser::Formatter for GoFloats {
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(go_float(value).as_bytes())
    }
}

/// A finite float64 as Go's `encoding/json` writes it: the shortest digits that read back the
/// same, without a fraction when whole (`1`, `-0`, `100000000000000000000`), and with an
/// exponent only below 1e-6 or from 1e21 on (`1e-7`, `1.5e+300`).
fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let text = format!("{f:e}");
        return match text.split_once('e') {
            Some((mantissa, exponent)) if !exponent.starts_with('-') => format!("{mantissa}e+{exponent}"),
            _ => text,
        };
    }
    format!("{f}")
}

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
    to_text(&Document { data: Resource { kind: "status".into(), id: "default".into(), attributes: status.clone() } })
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

/// `{"data":[{"type":"metrics","id":…,"attributes":{"type":…,"contains":…,"tainted":…,"sample":{…}}}]}`,
/// in k6's field order.
pub fn metrics_document(metrics: &[ApiMetric]) -> String {
    to_text(&Document { data: metrics.iter().map(metric_resource).collect::<Vec<_>>() })
}

pub fn metric_document(metric: &ApiMetric) -> String {
    to_text(&Document { data: metric_resource(metric) })
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

/// A group as k6 writes it: `type`, `id`, `attributes` (`path`, `name`, `checks`: `null` when
/// there are none), `relationships` (`groups`, `parent`).
#[derive(Serialize)]
struct GroupResource<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    attributes: GroupAttributes<'a>,
    relationships: GroupRelationships<'a>,
}

#[derive(Serialize)]
struct GroupAttributes<'a> {
    path: &'a str,
    name: &'a str,
    checks: Option<&'a [ApiCheck]>,
}

#[derive(Serialize)]
struct GroupRelationships<'a> {
    groups: Related<Vec<GroupId<'a>>>,
    parent: Related<Option<GroupId<'a>>>,
}

#[derive(Serialize)]
struct Related<T> {
    data: T,
}

#[derive(Serialize)]
struct GroupId<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
}

fn group_id(id: &str) -> GroupId<'_> {
    GroupId { kind: "groups", id }
}

fn group_resource(g: &ApiGroup) -> GroupResource<'_> {
    GroupResource {
        kind: "groups",
        id: &g.id,
        attributes: GroupAttributes {
            path: &g.path,
            name: &g.name,
            checks: (!g.checks.is_empty()).then_some(g.checks.as_slice()),
        },
        relationships: GroupRelationships {
            groups: Related { data: g.groups.iter().map(|id| group_id(id)).collect() },
            parent: Related { data: g.parent.as_deref().map(group_id) },
        },
    }
}

pub fn groups_document(groups: &[ApiGroup]) -> String {
    to_text(&Document { data: groups.iter().map(group_resource).collect::<Vec<_>>() })
}

pub fn group_document(group: &ApiGroup) -> String {
    to_text(&Document { data: group_resource(group) })
}

/// `{"data":{"type":"setupData","id":"default","attributes":{"data":…}}}`; `{}` as attributes
/// when there is no data. The data's numbers as Go writes them: `setup()` returning `1.0`
/// reads `1`, as k6 writes JavaScript's 1.
pub fn setup_document(data: Option<&Value>) -> String {
    #[derive(Serialize)]
    struct SetupData<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        data: Option<&'a Value>,
    }
    to_text(&Document {
        data: Resource { kind: "setupData".into(), id: "default".into(), attributes: SetupData { data } },
    })
}

/// k6's error document: `{"errors":[{"status":"400","title":…,"detail":…}]}`.
pub fn error_document(status: u16, title: &str, detail: &str) -> String {
    #[derive(Serialize)]
    struct Errors<'a> {
        errors: [ApiError<'a>; 1],
    }
    #[derive(Serialize)]
    struct ApiError<'a> {
        status: String,
        title: &'a str,
        detail: &'a str,
    }
    to_text(&Errors { errors: [ApiError { status: status.to_string(), title, detail }] })
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

    fn parsed(text: String) -> Value {
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn absent_setup_data_has_empty_attributes_and_a_group_without_checks_has_null() {
        assert_eq!(setup_document(None), r#"{"data":{"type":"setupData","id":"default","attributes":{}}}"#);
        assert_eq!(parsed(setup_document(Some(&serde_json::json!({"a": 1}))))["data"]["attributes"]["data"]["a"], 1);
        let g = ApiGroup {
            id: "d41d8cd98f00b204e9800998ecf8427e".into(),
            path: String::new(),
            name: String::new(),
            checks: vec![],
            parent: None,
            groups: vec![],
        };
        // What k6 v1.1.0 answers for a script without groups, field for field.
        assert_eq!(
            groups_document(&[g]),
            r#"{"data":[{"type":"groups","id":"d41d8cd98f00b204e9800998ecf8427e","attributes":{"path":"","name":"","checks":null},"relationships":{"groups":{"data":[]},"parent":{"data":null}}}]}"#
        );
    }

    #[test]
    fn errors_and_sub_groups_keep_k6s_field_order() {
        assert_eq!(
            error_document(404, "Not Found", "No metric with that ID was found"),
            r#"{"errors":[{"status":"404","title":"Not Found","detail":"No metric with that ID was found"}]}"#
        );
        let check = ApiCheck { id: "c".into(), path: "::g::one".into(), name: "one".into(), passes: 2, fails: 0 };
        let g = ApiGroup {
            id: "g".into(),
            path: "::g".into(),
            name: "g".into(),
            checks: vec![check],
            parent: Some("root".into()),
            groups: vec!["h".into()],
        };
        assert_eq!(
            group_document(&g),
            r#"{"data":{"type":"groups","id":"g","attributes":{"path":"::g","name":"g","checks":[{"id":"c","path":"::g::one","name":"one","passes":2,"fails":0}]},"relationships":{"groups":{"data":[{"type":"groups","id":"h"}]},"parent":{"data":{"type":"groups","id":"root"}}}}}"#
        );
    }

    /// The sweep's repro (G2 item 5): `GET /v1/setup` wrote `setup()`'s `1.0` as `1.0` and a
    /// metric's count as `5.0`; k6 v1.1.0 writes them as Go writes a float64. What k6 wrote
    /// for `{a: 1.0, b: 2.5, c: 1e21, d: [1, 2.0, -0], e: 1e20, f: 0.000001, g: 1e-7}`.
    #[test]
    fn numbers_are_written_as_k6_writes_them() {
        let data = serde_json::json!({
            "a": 1.0, "b": 2.5, "c": 1e21, "d": [1, 2.0, -0.0], "e": 1e20, "f": 0.000001, "g": 1e-7,
            "h": 123456789012345680000.0, "i": -1.5e300,
        });
        assert_eq!(
            setup_document(Some(&data)),
            r#"{"data":{"type":"setupData","id":"default","attributes":{"data":{"a":1,"b":2.5,"c":1e+21,"d":[1,2,-0],"e":100000000000000000000,"f":0.000001,"g":1e-7,"h":123456789012345680000,"i":-1.5e+300}}}}"#
        );
        let mut sample = serde_json::Map::new();
        sample.insert("count".into(), 5.0.into());
        sample.insert("rate".into(), 2.5.into());
        let m = ApiMetric {
            name: "http_reqs".into(),
            kind: "counter".into(),
            contains: "default".into(),
            tainted: None,
            sample,
        };
        assert_eq!(
            metrics_document(&[m]),
            r#"{"data":[{"type":"metrics","id":"http_reqs","attributes":{"type":"counter","contains":"default","tainted":null,"sample":{"count":5,"rate":2.5}}}]}"#
        );
    }
}
