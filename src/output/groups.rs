//! k6's `root_group`: the tree of groups with their checks' pass/fail counts, rebuilt from the
//! aggregate (the `group` tag of every series, the `checks` Rate's `check` tag). Both exports
//! carry it, in two shapes: `--summary-export` keys groups and checks by name, `handleSummary`
//! lists them in order of first appearance.
//!
//! A group's `id` is the MD5 hex of its path (`""` for the root, `::a::b` nested); a check's path
//! is its group's path, `::`, its name; as in k6.

use serde_json::{json, Map, Value};

use super::md5::md5_hex;
use super::num;
use crate::metrics::{tag, Aggregate};

/// One group and what it contains.
#[derive(Debug, Default)]
pub struct GroupNode {
    pub name: String,
    pub path: String,
    first_seen: u64,
    pub groups: Vec<GroupNode>,
    pub checks: Vec<CheckNode>,
}

/// One check's counts within its group.
#[derive(Debug)]
pub struct CheckNode {
    pub name: String,
    pub passes: u64,
    pub fails: u64,
}

/// The root group of everything recorded in `agg`.
pub fn root_group(agg: &Aggregate) -> GroupNode {
    let mut root = GroupNode::default();
    let mut seen: Vec<(&str, u64)> = Vec::new();
    for metric in agg.metrics() {
        for (tags, series) in metric.series() {
            if let Some(group) = tags.get(tag::GROUP).filter(|g| !g.is_empty()) {
                seen.push((group, series.first_seen));
            }
        }
    }
    seen.sort_by_key(|&(_, first_seen)| first_seen);
    for (path, first_seen) in seen {
        root.node(path, first_seen);
    }
    for check in agg.checks() {
        // `checks` is ordered by first appearance already.
        let group = root.node(&check.group, check.first_seen);
        group.checks.push(CheckNode { name: check.name, passes: check.passes, fails: check.fails });
    }
    root.sort();
    root
}

impl GroupNode {
    /// The node at `path`, created (with its ancestors) if needed.
    fn node(&mut self, path: &str, first_seen: u64) -> &mut GroupNode {
        if path.is_empty() {
            return self;
        }
        let mut node = self;
        let mut prefix = String::new();
        for name in path.trim_start_matches("::").split("::") {
            prefix.push_str("::");
            prefix.push_str(name);
            let index = match node.groups.iter().position(|g| g.name == name) {
                Some(i) => i,
                None => {
                    node.groups.push(GroupNode {
                        name: name.to_owned(),
                        path: prefix.clone(),
                        first_seen,
                        ..GroupNode::default()
                    });
                    node.groups.len() - 1
                }
            };
            node = &mut node.groups[index];
            node.first_seen = node.first_seen.min(first_seen);
        }
        node
    }

    fn sort(&mut self) {
        self.groups.sort_by_key(|g| g.first_seen);
        for group in &mut self.groups {
            group.sort();
        }
    }

    fn check_path(&self, check: &CheckNode) -> String {
        format!("{}::{}", self.path, check.name)
    }

    /// `--summary-export` shape: groups and checks as maps keyed by name.
    pub fn to_export_json(&self) -> Value {
        let groups: Map<String, Value> = self.groups.iter().map(|g| (g.name.clone(), g.to_export_json())).collect();
        let checks: Map<String, Value> = self.checks.iter().map(|c| (c.name.clone(), self.check_json(c))).collect();
        json!({ "name": self.name, "path": self.path, "id": md5_hex(self.path.as_bytes()), "groups": groups, "checks": checks })
    }

    /// `handleSummary` shape: groups and checks as arrays in order of first appearance.
    pub fn to_summary_json(&self) -> Value {
        let groups: Vec<Value> = self.groups.iter().map(GroupNode::to_summary_json).collect();
        let checks: Vec<Value> = self.checks.iter().map(|c| self.check_json(c)).collect();
        json!({ "name": self.name, "path": self.path, "id": md5_hex(self.path.as_bytes()), "groups": groups, "checks": checks })
    }

    fn check_json(&self, check: &CheckNode) -> Value {
        let path = self.check_path(check);
        json!({
            "name": check.name,
            "path": path,
            "id": md5_hex(path.as_bytes()),
            "passes": num(check.passes as f64),
            "fails": num(check.fails as f64),
        })
    }
}
