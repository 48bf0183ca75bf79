//! `exec.test.options`: the options the run executes, as k6 shows them to a script — every
//! layer merged (the config file, the script's `options`, `K6_*` variables, then `-u`, `-d`,
//! `-i`, `-s`, …) and the scenarios spelled out, shortcuts included (`vus: 50, duration: "1m"` shows as
//! `scenarios.default = {executor: "constant-vus", vus: 50, duration: "1m0s", …}`). A script
//! sizes its data from it (scenario 04 creates one session per pair of the VUs it will run).
//!
//! Built once per run after the scenarios are validated; the `exec` binding converts it on
//! access. As in k6, it is not available to init code, which runs before it exists.

use serde_json::{Map, Value};

use crate::config::json::to_k6_json;
use crate::config::Options;
use crate::executor::ScenarioConfig;

/// The consolidated options (config file < script < `K6_*` < flags, as
/// `config::layers::consolidate` merged them) in k6's JSON, with `scenarios` derived (see
/// `executor::scenarios_from_options`).
pub fn consolidated(options: &Options, scenarios: &[ScenarioConfig]) -> Value {
    let mut map = match to_k6_json(options) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
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
