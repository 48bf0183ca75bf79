//! k6's `root_group` as both exports write it, from the model's [`Group`] tree:
//! `--summary-export` keys groups and checks by name, `handleSummary` lists them in order of
//! first appearance.
//!
//! A group's `id` is the MD5 hex of its path (`""` for the root, `::a::b` nested); a check's path
//! is its group's path, `::`, its name; as in k6.

use serde_json::{json, Map, Value};

use super::md5::md5_hex;
use super::num;
use crate::results::{CheckCount, Group};

/// `--summary-export` shape: groups and checks as maps keyed by name.
pub fn export_json(group: &Group) -> Value {
    let groups: Map<String, Value> = group.groups.iter().map(|g| (g.name.clone(), export_json(g))).collect();
    let checks: Map<String, Value> =
        group.results.checks.iter().map(|c| (c.name.clone(), check_json(group, c))).collect();
    json!({ "name": group.name, "path": group.path, "id": md5_hex(group.path.as_bytes()), "groups": groups, "checks": checks })
}

/// `handleSummary` shape: groups and checks as arrays in order of first appearance.
pub fn summary_json(group: &Group) -> Value {
    let groups: Vec<Value> = group.groups.iter().map(summary_json).collect();
    let checks: Vec<Value> = group.results.checks.iter().map(|c| check_json(group, c)).collect();
    json!({ "name": group.name, "path": group.path, "id": md5_hex(group.path.as_bytes()), "groups": groups, "checks": checks })
}

fn check_json(group: &Group, check: &CheckCount) -> Value {
    let path = format!("{}::{}", group.path, check.name);
    json!({
        "name": check.name,
        "path": path,
        "id": md5_hex(path.as_bytes()),
        "passes": num(check.passes as f64),
        "fails": num(check.fails as f64),
    })
}
