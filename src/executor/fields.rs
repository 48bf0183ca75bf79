//! Reading one scenario's keys with k6's validation messages.

use std::time::Duration;

use serde_json::{Map, Value};

use super::BASE_KEYS;
use crate::config::number::{is_unset_int, whole_number};
use crate::config::values::{did_you_mean, duration, kind};
use crate::config::Stage;

/// The scenario keys of k6's `null.Int` type: a number or its decimal text (`rate: __ENV.RATE`),
/// and `""` is "not set" as `null` is (`config/number.rs`).
const INT_KEYS: &[&str] = &["vus", "iterations", "rate", "startRate", "startVUs", "preAllocatedVUs", "maxVUs"];

/// Reads one scenario's keys, recording problems (prefixed with the scenario name) as it goes.
/// A JSON `null` (Rhai `()`) counts as "not set", like k6's null types, and so does `""` for a
/// whole-number key.
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
        let unset = |v: &&Value| if INT_KEYS.contains(&key) { is_unset_int(v) } else { v.is_null() };
        self.map.get(key).filter(|v| !unset(v))
    }

    /// A whole number, or its decimal text as `__ENV` gives it; negative values are returned for
    /// the executor to judge with k6's message.
    pub(super) fn int(&mut self, key: &str) -> Option<i64> {
        let v = self.get(key)?;
        let n = whole_number(v);
        if n.is_none() {
            self.error(format_args!("{key}: must be a whole number, got {v}"));
        }
        n
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
            let t = match stage.get("target").filter(|v| !is_unset_int(v)) {
                None => {
                    self.error(format_args!("stage {num} doesn't have a target"));
                    None
                }
                Some(t) => match whole_number(t) {
                    Some(n) if n < 0 => {
                        self.error(format_args!("the target for stage {num} can't be negative"));
                        None
                    }
                    Some(n) => Some(n as u64),
                    None => {
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

#[cfg(test)]
mod tests {
    use super::super::{parse_scenarios, ConstantArrivalRate, RampingVus, SharedIterations};
    use serde_json::json;

    /// The sweep's repro (`rate: __ENV.RATE, preAllocatedVUs: __ENV.VUS`): k6 v1.1 reads a
    /// scenario's whole numbers from their text, `""` as not set, and refuses `"2.5"`.
    #[test]
    fn whole_numbers_may_be_text_and_empty_text_is_unset_as_in_k6() {
        let got = parse_scenarios(&json!({
            "a": {"executor": "shared-iterations", "vus": "2", "iterations": "4"},
            "c": {"executor": "constant-arrival-rate", "rate": "4", "duration": "1s", "preAllocatedVUs": "2", "maxVUs": "3"},
            "e": {"executor": "ramping-vus", "startVUs": "", "stages": [{"duration": "1s", "target": "2"}]},
        }))
        .unwrap();
        let by = |n: &str| got.iter().find(|s| s.name == n).unwrap();
        let a = by("a").executor_as::<SharedIterations>().unwrap();
        assert_eq!((a.vus, a.iterations), (2, 4));
        let c = by("c").executor_as::<ConstantArrivalRate>().unwrap();
        assert_eq!((c.rate, c.pre_allocated_vus, c.max_vus), (4, 2, 3));
        let e = by("e").executor_as::<RampingVus>().unwrap();
        assert_eq!((e.start_vus, e.stages[0].target), (1, 2), "startVUs \"\" is k6's default, 1");

        let errs = parse_scenarios(&json!({
            "a": {"executor": "shared-iterations", "vus": "2.5"},
            "c": {"executor": "constant-arrival-rate", "rate": "", "duration": "1s", "preAllocatedVUs": 1},
            "e": {"executor": "ramping-vus", "stages": [{"duration": "1s", "target": "x"}, {"duration": "1s", "target": ""}]},
        }))
        .unwrap_err();
        let all = errs.join("\n");
        assert!(all.contains("scenario \"a\": vus: must be a whole number, got \"2.5\""), "{all}");
        assert!(all.contains("scenario \"c\": rate: the iteration rate isn't specified"), "{all}");
        assert!(all.contains("scenario \"e\": stages[0].target: must be a whole number, got \"x\""), "{all}");
        assert!(all.contains("scenario \"e\": stage 2 doesn't have a target"), "{all}");
    }
}
