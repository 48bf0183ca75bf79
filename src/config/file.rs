//! `-c/--config FILE`: k6's JSON config file, the lowest layer of a run's configuration.
//!
//! The file is k6's `cmd.Config`: the options object a script exports (`vus`, `scenarios`,
//! `thresholds`, ...) plus k6's extras `out` (like `-o`, a list), `linger`, `noUsageReport`,
//! `webDashboard`, `noArchiveUpload` and the deprecated `collectors`. A `null` value means "not
//! set", as in the files k6 itself writes. The options go through the script's parser
//! ([`Options::from_script`]), so the rules and messages are the same; an unknown key is an
//! error naming it (k6 ignores it, which would let a typo pass unnoticed).
//!
//! Which file: `-c`, else `K6_CONFIG`, else the default, `$XDG_CONFIG_HOME/rload/config.json`
//! (`~/.config/rload/config.json`), where k6 v1 keeps its own (`~/.config/k6/config.json`). As
//! in k6, a default file that does not exist is no error; a named one is.
//!
//! Not here: the order of the layers (`layers.rs`), the environment (`env.rs`).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::options::Options;
use super::values::kind;

/// The settings of k6's `cmd.Config` beside the options, from the file or the environment.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Extras {
    /// `out` / `K6_OUT`: the outputs when `-o` is not given.
    pub out: Option<Vec<String>>,
    /// `linger` / `K6_LINGER`: wait for a signal after the test instead of exiting.
    pub linger: Option<bool>,
    /// `webDashboard` / `K6_WEB_DASHBOARD`: only `false` is accepted (rload has no dashboard).
    pub web_dashboard: Option<bool>,
}

impl Extras {
    /// `over` on top of `self`, as k6's `Config.Apply` (a non-empty `out` replaces).
    pub fn overridden_by(self, over: Extras) -> Extras {
        Extras {
            out: over.out.filter(|o| !o.is_empty()).or(self.out),
            linger: over.linger.or(self.linger),
            web_dashboard: over.web_dashboard.or(self.web_dashboard),
        }
    }
}

/// The file's layer.
#[derive(Debug, Default, Clone)]
pub struct FileConfig {
    pub options: Options,
    pub extras: Extras,
}

/// The config file to read: `-c`, else `K6_CONFIG`, else the default; and whether it was named
/// (a named file must exist).
pub fn path(flag: Option<&str>, k6_config: Option<&str>) -> Option<(PathBuf, bool)> {
    if let Some(p) = flag.or(k6_config) {
        return Some((PathBuf::from(p), true));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some((base.join("rload").join("config.json"), false))
}

/// Reads and parses the config file; every problem at once, each naming the file.
pub fn read(path: &Path, named: bool) -> Result<FileConfig, Vec<String>> {
    let shown = path.display();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => return Ok(FileConfig::default()),
        Err(e) => return Err(vec![format!("--config {shown}: cannot read the config file: {e}")]),
    };
    let value: Value =
        serde_json::from_str(&text).map_err(|e| vec![format!("--config {shown}: not valid JSON: {e}")])?;
    parse(&value).map_err(|es| es.into_iter().map(|e| format!("--config {shown}: {e}")).collect())
}

/// The file's JSON as options and extras.
pub fn parse(value: &Value) -> Result<FileConfig, Vec<String>> {
    let Value::Object(map) = value else {
        return Err(vec![format!("must be a JSON object, got {}", kind(value))]);
    };
    let mut errors = Vec::new();
    let mut extras = Extras::default();
    let mut options = Map::new();
    for (key, v) in map.iter().filter(|(_, v)| !is_unset(v)) {
        match key.as_str() {
            "out" => match v {
                Value::String(s) => extras.out = Some(vec![s.clone()]),
                Value::Array(items) if items.iter().all(Value::is_string) => {
                    extras.out = Some(items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect())
                }
                _ => errors.push(format!("out: must be a list of outputs like [\"json=out.json\"], got {}", kind(v))),
            },
            "linger" => match v.as_bool() {
                Some(b) => extras.linger = Some(b),
                None => errors.push(format!("linger: must be true or false, got {v}")),
            },
            "webDashboard" => match v.as_bool() {
                Some(false) => extras.web_dashboard = Some(false),
                Some(true) => errors.push(
                    "webDashboard: k6's web dashboard is not supported by rload (its HTML report is: --report FILE)"
                        .to_owned(),
                ),
                None => errors.push(format!("webDashboard: must be true or false, got {v}")),
            },
            // rload sends no usage report and uploads no archive: either value says what it does.
            "noUsageReport" | "noArchiveUpload" => {
                if !v.is_boolean() {
                    errors.push(format!("{key}: must be true or false, got {v}"));
                }
            }
            "collectors" if v.as_object().is_some_and(Map::is_empty) => {}
            "collectors" => errors.push("collectors: k6's deprecated collectors are not supported by rload".to_owned()),
            _ => {
                options.insert(key.clone(), v.clone());
            }
        }
    }
    match Options::from_script(&Value::Object(options)) {
        Ok(options) if errors.is_empty() => Ok(FileConfig { options, extras }),
        Ok(_) => Err(errors),
        Err(es) => {
            errors.extend(es);
            Err(errors)
        }
    }
}

/// `null`, or an object of nothing but `null`s (k6 writes `"dns": {"ttl": null, ...}`).
fn is_unset(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => !m.is_empty() && m.values().all(is_unset),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    #[test]
    fn options_and_extras_are_read_and_nulls_mean_unset() {
        let c = parse(&json!({
            "vus": 5, "duration": "30s", "iterations": null, "dns": {"ttl": null, "select": null},
            "out": ["json=out.json"], "linger": true, "noUsageReport": true,
            "thresholds": {"http_req_failed": ["rate<0.01"]}
        }))
        .unwrap();
        assert_eq!((c.options.vus, c.options.duration), (Some(5), Some(Duration::from_secs(30))));
        assert_eq!(c.options.iterations, None);
        assert!(c.options.thresholds.is_some());
        assert_eq!(
            c.extras,
            Extras { out: Some(vec!["json=out.json".into()]), linger: Some(true), web_dashboard: None }
        );
    }

    /// k6 reads `{"vus": "2"}` in a config file as 2 (its `null.Int` takes decimal text).
    #[test]
    fn integer_options_may_be_written_as_text() {
        let c = parse(&json!({ "vus": "2", "iterations": "3", "maxRedirects": "" })).unwrap();
        assert_eq!((c.options.vus, c.options.iterations, c.options.max_redirects), (Some(2), Some(3), None));
    }

    #[test]
    fn every_problem_is_reported_naming_the_key() {
        let errs = parse(&json!({ "vus": "many", "vu": 3, "linger": "yes", "webDashboard": true })).unwrap_err();
        let all = errs.join("\n");
        assert_eq!(errs.len(), 4, "{all}");
        assert!(all.contains("vus: must be a whole number"), "{all}");
        assert!(all.contains("unknown option \"vu\""), "{all}");
        assert!(all.contains("linger: must be true or false"), "{all}");
        assert!(all.contains("webDashboard: k6's web dashboard is not supported"), "{all}");
    }

    #[test]
    fn a_missing_default_file_is_no_error_but_a_named_one_is() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("config.json");
        assert!(read(&missing, false).unwrap().options.vus.is_none());
        let errs = read(&missing, true).unwrap_err();
        assert!(
            errs[0].starts_with(&format!("--config {}: cannot read the config file", missing.display())),
            "{errs:?}"
        );
        std::fs::write(&missing, "{ not json").unwrap();
        assert!(read(&missing, false).unwrap_err()[0].contains("not valid JSON"));
    }

    #[test]
    fn the_flag_wins_over_k6_config() {
        assert_eq!(path(Some("a.json"), Some("b.json")), Some((PathBuf::from("a.json"), true)));
        assert_eq!(path(None, Some("b.json")), Some((PathBuf::from("b.json"), true)));
    }
}
