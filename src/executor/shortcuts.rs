//! The execution shortcuts: `vus`, `duration`, `iterations` and `stages` instead of `scenarios`.
//!
//! k6's rules (`DeriveScenariosFromShortcuts` in lib/executor/execution_config_shortcuts.go and
//! `Options.Apply` in lib/options.go), all producing one scenario named `default`:
//!
//! | set | scenario |
//! |---|---|
//! | `iterations` (+ `vus`, + `duration`) | `shared-iterations`: `vus` (default 1) share `iterations`, `duration` becomes `maxDuration` (default 10m) |
//! | `duration` (+ `vus`) | `constant-vus`: `vus` (default 1) for `duration`; 0 is an error |
//! | `stages` (+ `vus`) | `ramping-vus` with `startVUs` = `vus` (default 1) |
//! | `scenarios` | as written |
//! | nothing | `per-vu-iterations`, 1 VU, 1 iteration; a `vus` other than 1 is ignored with a warning |
//!
//! Two shortcuts that conflict (`iterations`/`duration` with `stages`), or a shortcut beside
//! `scenarios`, in the *same* config layer is an error. Across layers the higher one wins
//! wholesale (k6's `Options.Apply`, here `Options::overridden_by`): if the CLI sets any of `-d`,
//! `-i`, `-s`, the lower layers' `duration`, `iterations`, `stages` *and* `scenarios` are all
//! dropped before the options reach this module (`config/layers.rs` gives k6's warning when
//! scenarios were overridden). `vus` is merged field by field like any other option, so `-d 10s`
//! on a script with `vus: 10` runs 10 VUs.

use std::time::Duration;

use serde_json::Value;

use super::{
    parse_scenarios, validate, ConstantVus, Executor, PerVuIterations, RampingVus, ScenarioConfig, SharedIterations,
};
use crate::config::{Options, Stage};

/// k6's `lib.DefaultScenarioName`.
pub const DEFAULT_SCENARIO: &str = "default";

/// The execution options of one config layer.
struct Execution<'a> {
    duration: Option<Duration>,
    iterations: Option<u64>,
    stages: Option<&'a [Stage]>,
    scenarios: Option<&'a Value>,
}

/// Turns the consolidated options (every layer applied, `config::layers`) into scenarios,
/// applying k6's shortcut rules (see the module docs). Returns the scenarios and any warnings,
/// or every error.
pub fn scenarios_from_options(merged: &Options) -> Result<(Vec<ScenarioConfig>, Vec<String>), Vec<String>> {
    let mut warnings = Vec::new();
    let exec = Execution {
        duration: merged.duration,
        iterations: merged.iterations,
        stages: merged.stages.as_deref(),
        scenarios: merged.scenarios.as_ref(),
    };
    let vus = merged.vus;
    let has_stages = exec.stages.is_some_and(|s| !s.is_empty());
    let conflict = |shortcut: &str| {
        vec![format!(
            "using an execution configuration shortcut (`{shortcut}`) and `scenarios` simultaneously is not allowed"
        )]
    };

    let scenario: Box<dyn Executor> = if let Some(iterations) = exec.iterations {
        if has_stages {
            return Err(vec![
                "using multiple execution config shortcuts (`iterations` and `stages`) simultaneously is not allowed"
                    .to_owned(),
            ]);
        }
        if exec.scenarios.is_some() {
            return Err(conflict("iterations"));
        }
        let mut c = SharedIterations { vus: vus.unwrap_or(1), iterations, ..SharedIterations::default() };
        if let Some(d) = exec.duration {
            c.max_duration = d;
        }
        Box::new(c)
    } else if let Some(duration) = exec.duration {
        if has_stages {
            return Err(vec![
                "using multiple execution config shortcuts (`duration` and `stages`) simultaneously is not allowed"
                    .to_owned(),
            ]);
        }
        if exec.scenarios.is_some() {
            return Err(conflict("duration"));
        }
        if duration.is_zero() {
            return Err(vec![
                "`duration` should be more than 0, for infinite duration use the externally-controlled executor"
                    .to_owned(),
            ]);
        }
        Box::new(ConstantVus { vus: vus.unwrap_or(1), duration })
    } else if let Some(stages) = exec.stages.filter(|s| !s.is_empty()) {
        if exec.scenarios.is_some() {
            return Err(conflict("stages"));
        }
        Box::new(RampingVus { start_vus: vus.unwrap_or(1), ..RampingVus::new(stages.to_vec()) })
    } else if let Some(scenarios) = exec.scenarios.filter(|s| s.as_object().is_none_or(|m| !m.is_empty())) {
        return parse_scenarios(scenarios).map(|s| (s, warnings));
    } else {
        if let Some(n) = vus.filter(|n| *n != 1) {
            warnings.push(format!(
                "the `vus={n}` option will be ignored, it only works in conjunction with `iterations`, \
                 `duration`, or `stages`"
            ));
        }
        if exec.stages.is_some() {
            warnings.push(
                "`stages` was explicitly set to an empty value, running the script with 1 iteration in 1 VU".to_owned(),
            );
        }
        if exec.scenarios.is_some() {
            warnings.push(
                "`scenarios` was explicitly set to an empty value, running the script with 1 iteration in 1 VU"
                    .to_owned(),
            );
        }
        Box::new(PerVuIterations::default())
    };
    let scenario =
        ScenarioConfig { executor: scenario, ..ScenarioConfig::new(DEFAULT_SCENARIO, PerVuIterations::default()) };
    validate(&scenario)?;
    Ok((vec![scenario], warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn opts(vus: Option<u64>, duration: Option<u64>, iterations: Option<u64>) -> Options {
        Options { vus, duration: duration.map(secs), iterations, ..Options::default() }
    }

    fn stages(list: &[(u64, u64)]) -> Vec<Stage> {
        list.iter().map(|&(d, t)| Stage { duration: secs(d), target: t }).collect()
    }

    /// Script options alone (no CLI flags).
    fn derive(script: &Options) -> Result<(Vec<ScenarioConfig>, Vec<String>), Vec<String>> {
        scenarios_from_options(script)
    }

    /// Script options with CLI flags layered on top, as the CLI does.
    fn derive_with_cli(script: &Options, cli: &Options) -> Result<(Vec<ScenarioConfig>, Vec<String>), Vec<String>> {
        scenarios_from_options(&script.clone().overridden_by(cli.clone()))
    }

    fn only(r: Result<(Vec<ScenarioConfig>, Vec<String>), Vec<String>>) -> (ScenarioConfig, Vec<String>) {
        let (mut s, w) = r.unwrap();
        assert_eq!(s.len(), 1);
        (s.remove(0), w)
    }

    #[test]
    fn vus_and_duration_become_constant_vus() {
        let (s, w) = only(derive(&opts(Some(50), Some(10), None)));
        assert_eq!(s.name, "default");
        assert_eq!(s.executor_as::<ConstantVus>(), Some(&ConstantVus { vus: 50, duration: secs(10) }));
        assert_eq!(s.describe(), "50 looping VUs for 10s (gracefulStop: 30s)");
        assert!(w.is_empty());
        let (s, _) = only(derive(&opts(None, Some(10), None)));
        assert_eq!(s.executor_as::<ConstantVus>(), Some(&ConstantVus { vus: 1, duration: secs(10) }));
    }

    #[test]
    fn iterations_become_shared_iterations_with_duration_as_max_duration() {
        let (s, _) = only(derive(&opts(Some(10), None, Some(100))));
        assert_eq!(
            s.executor_as::<SharedIterations>(),
            Some(&SharedIterations { vus: 10, iterations: 100, max_duration: secs(600) })
        );
        assert_eq!(s.describe(), "100 iterations shared among 10 VUs (maxDuration: 10m0s, gracefulStop: 30s)");
        let (s, _) = only(derive(&opts(None, Some(30), Some(5))));
        assert_eq!(
            s.executor_as::<SharedIterations>(),
            Some(&SharedIterations { vus: 1, iterations: 5, max_duration: secs(30) })
        );
    }

    #[test]
    fn stages_become_ramping_vus_starting_at_vus() {
        let script = Options { stages: Some(stages(&[(10, 5), (5, 0)])), ..Options::default() };
        let (s, _) = only(derive(&script));
        let Some(c) = s.executor_as::<RampingVus>() else { panic!("{s:?}") };
        assert_eq!((c.start_vus, c.graceful_ramp_down, c.stages.len()), (1, secs(30), 2));
        assert_eq!(
            s.describe(),
            "Up to 5 looping VUs for 15s over 2 stages (gracefulRampDown: 30s, gracefulStop: 30s)"
        );
        let (s, _) = only(derive(&Options { vus: Some(3), ..script }));
        let Some(c) = s.executor_as::<RampingVus>() else { panic!() };
        assert_eq!(c.start_vus, 3);
    }

    #[test]
    fn nothing_set_runs_one_iteration_and_ignores_vus_with_k6s_warning() {
        let (s, w) = only(derive(&Options::default()));
        assert_eq!(s.executor_as::<PerVuIterations>(), Some(&PerVuIterations::default()));
        assert!(w.is_empty());
        let (s, w) = only(derive(&opts(Some(3), None, None)));
        assert_eq!(s.max_vus(), 1);
        assert_eq!(
            w,
            ["the `vus=3` option will be ignored, it only works in conjunction with `iterations`, `duration`, or `stages`"]
        );
        let (_, w) = only(derive(&opts(Some(1), None, None)));
        assert!(w.is_empty(), "vus: 1 is the default, nothing to warn about");
    }

    #[test]
    fn explicitly_empty_stages_or_scenarios_warn() {
        let (s, w) = only(derive(&Options { stages: Some(vec![]), scenarios: Some(json!({})), ..Options::default() }));
        assert_eq!(s.executor_name(), "per-vu-iterations");
        assert_eq!(
            w,
            [
                "`stages` was explicitly set to an empty value, running the script with 1 iteration in 1 VU",
                "`scenarios` was explicitly set to an empty value, running the script with 1 iteration in 1 VU",
            ]
        );
    }

    #[test]
    fn conflicting_shortcuts_in_one_layer_are_errors() {
        let sc = Some(json!({"a": {"executor": "shared-iterations"}}));
        let st = Some(stages(&[(10, 5)]));
        let cases = [
            (
                Options { iterations: Some(1), stages: st.clone(), ..Options::default() },
                "using multiple execution config shortcuts (`iterations` and `stages`) simultaneously is not allowed",
            ),
            (
                Options { duration: Some(secs(1)), stages: st.clone(), ..Options::default() },
                "using multiple execution config shortcuts (`duration` and `stages`) simultaneously is not allowed",
            ),
            (
                Options { iterations: Some(1), scenarios: sc.clone(), ..Options::default() },
                "using an execution configuration shortcut (`iterations`) and `scenarios` simultaneously is not allowed",
            ),
            (
                Options { duration: Some(secs(1)), scenarios: sc.clone(), ..Options::default() },
                "using an execution configuration shortcut (`duration`) and `scenarios` simultaneously is not allowed",
            ),
            (
                Options { stages: st, scenarios: sc, ..Options::default() },
                "using an execution configuration shortcut (`stages`) and `scenarios` simultaneously is not allowed",
            ),
            (
                Options { duration: Some(Duration::ZERO), ..Options::default() },
                "`duration` should be more than 0, for infinite duration use the externally-controlled executor",
            ),
        ];
        for (o, want) in cases {
            assert_eq!(derive(&o).unwrap_err(), [want], "{o:?}");
        }
    }

    #[test]
    fn derived_scenarios_are_validated_like_written_ones() {
        assert_eq!(
            derive(&opts(Some(10), None, Some(5))).unwrap_err(),
            ["scenario \"default\": the number of iterations (5) can't be less than the number of VUs (10)"]
        );
        assert_eq!(
            derive(&opts(Some(0), Some(10), None)).unwrap_err(),
            ["scenario \"default\": the number of VUs must be more than 0"]
        );
    }

    #[test]
    fn script_scenarios_are_parsed() {
        let script = Options {
            vus: Some(5),
            scenarios: Some(json!({"api": {"executor": "constant-vus", "duration": "1m"}})),
            ..Options::default()
        };
        let (s, w) = only(derive(&script));
        assert_eq!((s.name.as_str(), s.max_vus()), ("api", 1));
        assert!(w.is_empty(), "k6 ignores vus beside scenarios silently");
    }

    #[test]
    fn cli_shortcuts_replace_script_scenarios_and_shortcuts() {
        let script = Options {
            vus: Some(10),
            iterations: Some(100),
            scenarios: Some(json!({"api": {"executor": "constant-vus", "duration": "1m"}})),
            ..Options::default()
        };
        // -s 30s:20 on the CLI: stages from the CLI, startVUs from the script's vus.
        let cli = Options { stages: Some(stages(&[(30, 20)])), ..Options::default() };
        let (s, _) = only(derive_with_cli(&script, &cli));
        let Some(c) = s.executor_as::<RampingVus>() else { panic!("{s:?}") };
        assert_eq!((c.start_vus, c.stages.clone()), (10, stages(&[(30, 20)])));

        // -u 5 -d 10s: constant-vus with the CLI's VUs.
        let cli = opts(Some(5), Some(10), None);
        let (s, _) = only(derive_with_cli(&script, &cli));
        assert_eq!(s.executor_as::<ConstantVus>(), Some(&ConstantVus { vus: 5, duration: secs(10) }));

        // -u alone is not an execution option: the script's (conflicting) settings still apply.
        assert!(derive_with_cli(&script, &opts(Some(5), None, None)).unwrap_err()[0].contains("`iterations`"));
    }

    #[test]
    fn cli_duration_with_script_stages_is_not_a_conflict() {
        let script = Options { vus: Some(4), stages: Some(stages(&[(10, 5)])), ..Options::default() };
        let (s, w) = only(derive_with_cli(&script, &opts(None, Some(20), None)));
        assert_eq!(s.executor_as::<ConstantVus>(), Some(&ConstantVus { vus: 4, duration: secs(20) }));
        assert!(w.is_empty());
    }
}
