//! Reading one scenario's keys with k6's validation messages.

use std::time::Duration;

use serde_json::{Map, Value};

use super::BASE_KEYS;
use crate::config::options::{did_you_mean, duration, kind};
use crate::config::Stage;

/// Reads one scenario's keys, recording problems (prefixed with the scenario name) as it goes.
/// A JSON `null` (Rhai `()`) counts as "not set", like k6's null types.
pub(super) struct Fields<'a> {
    pub(super) scenario: &'a str,
    pub(super) map: &'a Map<String, Value>,
    pub(super) errors: &'a mut Vec<String>,
}

impl<'a> Fields<'a> {
    pub(super) fn error(&mut self, msg: impl std::fmt::Display) {
        self.errors.push(format!("scenario \"{}\": {msg}", self.scenario));
    }

    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A whole number; negative values are returned for the executor to judge with k6's message.
    pub(super) fn int(&mut self, key: &str) -> Option<i64> {
        let v = self.get(key)?;
        match v.as_i64() {
            Some(n) => Some(n),
            None => match v.as_f64() {
                Some(x) if x.fract() == 0.0 && x.abs() < 9.0e18 => Some(x as i64),
                _ => {
                    self.error(format_args!("{key}: must be a whole number, got {v}"));
                    None
                }
            },
        }
    }

    /// A duration: a k6 string (`"1m30s"`) or milliseconds.
    pub(super) fn duration(&mut self, key: &str) -> Option<Duration> {
        let v = self.get(key)?;
        duration(key, v).map_err(|e| self.error(e)).ok()
    }

    /// `stages: [#{ duration, target }, ...]` with k6's per-stage messages (numbered from 1).
    /// Emptiness is judged by the executor's `validate`.
    pub(super) fn stages(&mut self, key: &str) -> Vec<Stage> {
        let Some(v) = self.get(key) else { return Vec::new() };
        let Value::Array(items) = v else {
            self.error(format_args!("{key}: must be an array of #{{ duration, target }}, got {}", kind(v)));
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let num = i + 1;
            let Value::Object(stage) = item else {
                self.error(format_args!("{key}[{i}]: must be a map #{{ duration, target }}, got {}", kind(item)));
                continue;
            };
            if let Some(extra) = stage.keys().find(|k| *k != "duration" && *k != "target") {
                self.error(format_args!("{key}[{i}]: unknown key \"{extra}\" (a stage has duration and target)"));
            }
            let d = match stage.get("duration").filter(|v| !v.is_null()) {
                None => {
                    self.error(format_args!("stage {num} doesn't have a duration"));
                    None
                }
                Some(d) => duration(&format!("{key}[{i}].duration"), d).map_err(|e| self.error(e)).ok(),
            };
            let t = match stage.get("target").filter(|v| !v.is_null()) {
                None => {
                    self.error(format_args!("stage {num} doesn't have a target"));
                    None
                }
                Some(t) => match t.as_f64() {
                    Some(x) if x.fract() == 0.0 && x < 0.0 => {
                        self.error(format_args!("the target for stage {num} can't be negative"));
                        None
                    }
                    Some(x) if x.fract() == 0.0 && x < 1.8e19 => Some(x as u64),
                    _ => {
                        self.error(format_args!("{key}[{i}].target: must be a whole number, got {t}"));
                        None
                    }
                },
            };
            if let (Some(duration), Some(target)) = (d, t) {
                out.push(Stage { duration, target });
            }
        }
        out
    }

    /// `env` / `tags`: a map of strings (numbers and booleans are written out, as rload's
    /// top-level `tags` option does).
    pub(super) fn string_map(&mut self, key: &str) -> Vec<(String, String)> {
        let Some(v) = self.get(key) else { return Vec::new() };
        let Value::Object(m) = v else {
            self.error(format_args!("{key}: must be a map of strings, got {}", kind(v)));
            return Vec::new();
        };
        let mut out = Vec::with_capacity(m.len());
        for (k, val) in m {
            match val {
                Value::String(s) => out.push((k.clone(), s.clone())),
                Value::Number(_) | Value::Bool(_) => out.push((k.clone(), val.to_string())),
                _ => self.error(format_args!("{key}.{k}: must be a string, got {}", kind(val))),
            }
        }
        out
    }

    /// Reports keys that neither the base config nor the executor knows (k6 parses scenarios
    /// strictly too), suggesting the nearest valid key.
    pub(super) fn reject_unknown_keys(&mut self, executor_type: &str, executor_keys: &[&str]) {
        let map = self.map;
        for key in map.keys() {
            if BASE_KEYS.contains(&key.as_str()) || executor_keys.contains(&key.as_str()) {
                continue;
            }
            match did_you_mean(key, BASE_KEYS.iter().chain(executor_keys).copied()) {
                Some(c) => self.error(format_args!(
                    "unknown option \"{key}\" for executor {executor_type} (did you mean \"{c}\"?)"
                )),
                None => self.error(format_args!(
                    "unknown option \"{key}\" for executor {executor_type} (valid: {})",
                    BASE_KEYS.iter().chain(executor_keys).copied().collect::<Vec<_>>().join(", ")
                )),
            }
        }
    }
}
