//! `exec.test.options`: the options the run executes, as k6 shows them to a script — every
//! layer merged (the config file, the script's `options`, `K6_*` variables, then `-u`, `-d`,
//! `-i`, `-s`, …) and the scenarios spelled out, shortcuts included (`vus: 50, duration: "1m"` shows as
//! `scenarios.default = {executor: "constant-vus", vus: 50, duration: "1m0s", …}`). A script
//! sizes its data from it (scenario 04 creates one session per pair of the VUs it will run).
//!
//! As in k6, an option nobody set is `null` (a scenario's `gracefulStop`, `startTime`, `exec`,
//! `env`, `tags`, `maxDuration`, …: k6 shows the config as written, not the defaults it runs
//! with), except the two k6 fills in: `summaryTrendStats` and `systemTags` (sorted, as k6 keeps
//! them). A script that tests `exec.test.options.scenarios.s.gracefulStop` sees what it sees
//! under k6.
//!
//! Built once per run after the scenarios are validated; the `exec` binding converts it on
//! access. As in k6, it is not available to init code, which runs before it exists.

use serde_json::{Map, Value};

use crate::config::json::to_k6_json;
use crate::config::Options;
use crate::executor::ScenarioConfig;
use crate::results::DEFAULT_TREND_STATS;

/// The consolidated options (config file < script < `K6_*` < flags, as
/// `config::layers::consolidate` merged them) in k6's JSON, with `scenarios` derived (see
/// `executor::scenarios_from_options`).
pub fn consolidated(options: &Options, scenarios: &[ScenarioConfig]) -> Value {
    let mut map = match to_k6_json(options) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let scenarios: Map<String, Value> = scenarios.iter().map(|s| (s.name.clone(), as_written(options, s))).collect();
    map.insert("scenarios".into(), scenarios.into());
    map.entry("summaryTrendStats").or_insert_with(|| DEFAULT_TREND_STATS.to_vec().into());
    let mut system_tags = options.system_tags.unwrap_or_default().names();
    system_tags.sort_unstable();
    map.insert("systemTags".into(), system_tags.into());
    Value::Object(map)
}

/// A scenario as k6 shows it: each of its executor's keys with its value where it was set (the
/// executor always), `null` where it was not.
fn as_written(options: &Options, scenario: &ScenarioConfig) -> Value {
    let set = set_keys(options, scenario);
    let mut json = scenario.k6_json();
    if let Value::Object(map) = &mut json {
        for (key, value) in map.iter_mut() {
            if key != "executor" && !set.contains(&key.as_str()) {
                *value = Value::Null;
            }
        }
    }
    json
}

/// The keys of a scenario that some layer set: those written (not `null`) under
/// `scenarios.NAME`, or, for the `default` scenario k6 derives from the shortcuts, the keys
/// that its shortcut fills (k6's `DeriveScenariosFromShortcuts`: `vus` only when set, a
/// `duration` beside `iterations` as `maxDuration`, `vus` as a `stages` scenario's `startVUs`).
fn set_keys<'a>(options: &'a Options, scenario: &ScenarioConfig) -> Vec<&'a str> {
    if let Some(Value::Object(written)) = options.scenarios.as_ref().and_then(|s| s.get(&scenario.name)) {
        return written.iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k.as_str()).collect();
    }
    let mut keys = Vec::new();
    let vus = options.vus.is_some();
    match scenario.executor_name() {
        "shared-iterations" => {
            keys.push("iterations");
            keys.extend(options.duration.map(|_| "maxDuration"));
            keys.extend(vus.then_some("vus"));
        }
        "constant-vus" => {
            keys.push("duration");
            keys.extend(vus.then_some("vus"));
        }
        "ramping-vus" => {
            keys.push("stages");
            keys.extend(vus.then_some("startVUs"));
        }
        _ => keys.extend(vus.then_some("vus")),
    }
    keys
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::executor::scenarios_from_options;
    use crate::metrics::SystemTags;

    fn resolve(script: Value, cli: Options) -> Value {
        let merged = Options::from_script(&script).unwrap().overridden_by(cli.clone());
        let (scenarios, _) = scenarios_from_options(&merged).unwrap();
        consolidated(&merged, &scenarios)
    }

    #[test]
    fn a_vus_override_reaches_the_derived_scenario() {
        let options = resolve(json!({"vus": 50, "duration": "5m"}), Options { vus: Some(4), ..Options::default() });
        assert_eq!(options["vus"], 4);
        let default = &options["scenarios"]["default"];
        assert_eq!(
            (&default["executor"], &default["vus"], &default["duration"]),
            (&json!("constant-vus"), &json!(4), &json!("5m0s"))
        );
        // Unset, as k6 shows them: null, not the defaults the run uses.
        assert_eq!((&default["exec"], &default["gracefulStop"]), (&Value::Null, &Value::Null));
    }

    #[test]
    fn cli_iterations_replace_the_scripts_execution_options() {
        let cli = Options { vus: Some(1), iterations: Some(1), ..Options::default() };
        let options = resolve(json!({"vus": 50, "duration": "5m", "thresholds": {"x": ["p(95)<1"]}}), cli);
        assert_eq!((&options["duration"], &options["iterations"]), (&Value::Null, &json!(1)));
        assert_eq!(options["thresholds"], json!({"x": ["p(95)<1"]}), "other options stay as written");
        let default = &options["scenarios"]["default"];
        assert_eq!(
            (&default["executor"], &default["vus"], &default["iterations"]),
            (&json!("shared-iterations"), &json!(1), &json!(1))
        );
        assert_eq!(default["maxDuration"], Value::Null, "the script's duration went with its other execution options");
        let with_duration = resolve(json!({"iterations": 3, "duration": "90s"}), Options::default());
        let default = &with_duration["scenarios"]["default"];
        assert_eq!((&default["maxDuration"], &default["vus"]), (&json!("1m30s"), &Value::Null));
    }

    #[test]
    fn written_scenarios_show_as_written_and_the_rest_as_null() {
        let script = json!({"scenarios": {
            "api": {"executor": "ramping-vus", "stages": [{"duration": "10s", "target": 5}]},
            "web": {"executor": "constant-arrival-rate", "rate": 5, "duration": "90s", "preAllocatedVUs": 2,
                    "gracefulStop": "2s", "tags": {"x": "y"}, "startTime": null},
        }});
        let options = resolve(script, Options { setup_timeout: Some(Duration::from_secs(90)), ..Options::default() });
        let api = &options["scenarios"]["api"];
        assert_eq!((&api["executor"], &api["stages"][0]["duration"]), (&json!("ramping-vus"), &json!("10s")));
        for key in ["startVUs", "gracefulRampDown", "gracefulStop", "startTime", "exec", "env", "tags"] {
            assert_eq!(api[key], Value::Null, "{key}");
        }
        let web = &options["scenarios"]["web"];
        assert_eq!(
            (&web["duration"], &web["gracefulStop"], &web["tags"]),
            (&json!("1m30s"), &json!("2s"), &json!({"x": "y"}))
        );
        for key in ["timeUnit", "maxVUs", "startTime", "exec"] {
            assert_eq!(web[key], Value::Null, "{key}");
        }
        assert_eq!(options["setupTimeout"], "1m30s");
    }

    #[test]
    fn summary_trend_stats_and_system_tags_show_k6s_defaults_sorted() {
        let options = resolve(json!({}), Options::default());
        assert_eq!(options["summaryTrendStats"], json!(["avg", "min", "med", "max", "p(90)", "p(95)"]));
        assert_eq!(
            options["systemTags"],
            json!([
                "check",
                "error",
                "error_code",
                "expected_response",
                "group",
                "method",
                "name",
                "proto",
                "scenario",
                "service",
                "status",
                "subproto",
                "tls_version",
                "url"
            ])
        );
        let chosen = Options {
            system_tags: Some(SystemTags::parse(["url", "status", "method"]).unwrap()),
            summary_trend_stats: Some(vec!["p(99)".into(), "avg".into()]),
            ..Options::default()
        };
        let options = resolve(json!({}), chosen);
        assert_eq!(options["systemTags"], json!(["method", "status", "url"]));
        assert_eq!(options["summaryTrendStats"], json!(["p(99)", "avg"]));
    }
}
