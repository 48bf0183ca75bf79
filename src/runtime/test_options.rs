//! `exec.test.options`: the options the run executes, as k6 shows them to a script — the
//! script's `options` with the command line's overrides applied (`-u`, `-d`, `-i`, `-s`, …)
//! and the scenarios spelled out, shortcuts included (`vus: 50, duration: "1m"` shows as
//! `scenarios.default = {executor: "constant-vus", vus: 50, duration: "1m0s", …}`). A script
//! sizes its data from it (scenario 04 creates one session per pair of the VUs it will run).
//!
//! Built once per run after the scenarios are validated; the `exec` binding converts it on
//! access. As in k6, it is not available to init code, which runs before it exists.

use serde_json::{Map, Value};

use crate::config::duration::format_duration;
use crate::config::Options;
use crate::executor::{go_duration, ScenarioConfig};

/// The consolidated options: `script` (the `options` value as the init code exported it)
/// with `cli` on top, and `scenarios` derived (see `executor::scenarios_from_options`).
pub fn consolidated(script: &Value, cli: &Options, scenarios: &[ScenarioConfig]) -> Value {
    let mut map = match script {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    // A command line that sets execution options replaces all of the script's, as in k6.
    if cli.duration.is_some() || cli.iterations.is_some() || cli.stages.is_some() || cli.scenarios.is_some() {
        for key in ["duration", "iterations", "stages", "scenarios"] {
            map.remove(key);
        }
    }
    let mut set = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            map.insert(key.to_owned(), value);
        }
    };
    set("vus", cli.vus.map(Value::from));
    set("duration", cli.duration.map(|d| go_duration(d).into()));
    set("iterations", cli.iterations.map(Value::from));
    set(
        "stages",
        cli.stages.as_ref().map(|stages| {
            stages
                .iter()
                .map(|s| serde_json::json!({ "duration": go_duration(s.duration), "target": s.target }))
                .collect()
        }),
    );
    set("discardResponseBodies", cli.discard_response_bodies.map(Value::from));
    set("insecureSkipTLSVerify", cli.insecure_skip_tls_verify.map(Value::from));
    set("noConnectionReuse", cli.no_connection_reuse.map(Value::from));
    set("userAgent", cli.user_agent.clone().map(Value::from));
    set("summaryTrendStats", cli.summary_trend_stats.clone().map(Value::from));
    set("setupTimeout", cli.setup_timeout.map(|d| format_duration(d).into()));
    set("teardownTimeout", cli.teardown_timeout.map(|d| format_duration(d).into()));
    set("maxRedirects", cli.max_redirects.map(Value::from));
    if let Some(tags) = &cli.tags {
        let tags: Map<String, Value> = tags.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect();
        set("tags", Some(tags.into()));
    }
    let scenarios: Map<String, Value> = scenarios.iter().map(|s| (s.name.clone(), s.k6_json())).collect();
    map.insert("scenarios".into(), scenarios.into());
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::executor::scenarios_from_options;

    fn resolve(script: Value, cli: Options) -> Value {
        let merged = Options::from_script(&script).unwrap().overridden_by(cli.clone());
        let (scenarios, _) = scenarios_from_options(&merged).unwrap();
        consolidated(&script, &cli, &scenarios)
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
        assert_eq!((&default["exec"], &default["gracefulStop"]), (&json!("default"), &json!("30s")));
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
        assert_eq!(default["maxDuration"], "10m0s");
    }

    #[test]
    fn written_scenarios_show_with_their_defaults() {
        let script =
            json!({"scenarios": {"api": {"executor": "ramping-vus", "stages": [{"duration": "10s", "target": 5}]}}});
        let options = resolve(script, Options { setup_timeout: Some(Duration::from_secs(90)), ..Options::default() });
        let api = &options["scenarios"]["api"];
        assert_eq!((&api["startVUs"], &api["stages"][0]["duration"]), (&json!(1), &json!("10s")));
        assert_eq!(options["setupTimeout"], "1m30s");
    }
}
