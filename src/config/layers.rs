//! The order of a run's configuration layers, k6's `getConsolidatedConfig`: defaults < config
//! file (`-c`) < the script's `options` < `K6_*` environment variables < command-line flags.
//!
//! Each layer is an [`Options`] with only what it sets; [`consolidate`] applies them in order
//! with [`Options::overridden_by`] (k6's `Options.Apply`: a field set higher wins, and a layer
//! that sets any execution option replaces the lower layers' `duration`, `iterations`, `stages`
//! and `scenarios` wholesale). So `K6_ITERATIONS=6` beats a script's `iterations: 60`, and
//! `-d 10s` beats both. Defaults are applied where each option is used.

use super::options::Options;

/// Applies the layers in k6's order and returns the result with k6's warnings (a higher layer
/// that replaced the `scenarios` of a lower one).
pub fn consolidate(file: &Options, script: Options, env: &Options, cli: &Options) -> (Options, Vec<String>) {
    let mut warnings = Vec::new();
    let mut merged = file.clone();
    for (name, layer) in [("script", script), ("env", env.clone()), ("cli", cli.clone())] {
        if merged.scenarios.is_some() && layer.sets_execution() {
            warnings.push(format!("\"{name}\" level configuration overrode scenarios configuration entirely"));
        }
        merged = merged.overridden_by(layer);
    }
    (merged, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    fn o(vus: Option<u64>, iterations: Option<u64>, duration: Option<u64>) -> Options {
        Options { vus, iterations, duration: duration.map(Duration::from_secs), ..Options::default() }
    }

    #[test]
    fn each_layer_beats_the_ones_below_field_by_field() {
        let file = Options { user_agent: Some("file".into()), ..o(Some(1), Some(2), None) };
        let script = Options { user_agent: Some("script".into()), ..o(Some(2), Some(60), None) };
        let env = o(Some(3), Some(6), None);
        let cli = Options { user_agent: Some("cli".into()), ..Options::default() };
        let (m, w) = consolidate(&file, script, &env, &cli);
        assert_eq!((m.vus, m.iterations, m.user_agent.as_deref()), (Some(3), Some(6), Some("cli")));
        assert!(w.is_empty());
    }

    #[test]
    fn an_execution_option_replaces_the_lower_layers_execution_options() {
        // The script's iterations and the env's duration are one layer apart: no conflict, the
        // env's duration alone remains.
        let (m, _) =
            consolidate(&Options::default(), o(None, Some(60), None), &o(None, None, Some(5)), &Options::default());
        assert_eq!((m.iterations, m.duration), (None, Some(Duration::from_secs(5))));
        // In one layer both survive, for the shortcut rules to refuse them.
        let (m, _) =
            consolidate(&o(None, Some(1), Some(1)), Options::default(), &Options::default(), &Options::default());
        assert_eq!((m.iterations, m.duration), (Some(1), Some(Duration::from_secs(1))));
    }

    #[test]
    fn overriding_scenarios_warns_naming_the_layer_as_k6() {
        let script = Options { scenarios: Some(json!({"a": {"executor": "shared-iterations"}})), ..Options::default() };
        let (m, w) = consolidate(&Options::default(), script.clone(), &Options::default(), &o(None, None, Some(10)));
        assert!(m.scenarios.is_none());
        assert_eq!(w, ["\"cli\" level configuration overrode scenarios configuration entirely"]);
        let (_, w) = consolidate(&Options::default(), script, &o(None, Some(3), None), &Options::default());
        assert_eq!(w, ["\"env\" level configuration overrode scenarios configuration entirely"]);
    }
}
