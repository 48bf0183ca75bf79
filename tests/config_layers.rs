//! k6's configuration rules end to end: `-c/--config FILE`, `K6_*` environment variables and
//! their order, defaults < config file < script options < environment < flags.
mod common;
use common::*;
use std::process::Command;

/// `rload run SCRIPT ARGS` with exactly `env` as the environment (plus a `HOME` of its own, so
/// no default config file is found), as a user's shell would pass it.
fn rload_env(s: &Script, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(BIN)
        .arg("run")
        .arg(&s.path)
        .args(args)
        .arg("--no-color")
        .env_clear()
        .env("HOME", s.dir.path())
        .envs(env.iter().copied())
        .output()
        .expect("run rload");
    Run::from_output(out)
}

/// The header's line for the default scenario.
fn scenario_line(run: &Run) -> &str {
    run.stdout.lines().find(|l| l.contains("* default:")).unwrap_or_else(|| panic!("{}\n{}", run.stdout, run.stderr))
}

const SIXTY: &str = "export const options = #{ vus: 2, iterations: 60 };\nfn run() {}\n";

#[test]
fn k6_vus_and_iterations_variables_override_the_scripts_options() {
    // The bug of issue 16: this ran the script's 60 iterations.
    let s = script(SIXTY);
    let run = rload_env(&s, &[], &[("K6_VUS", "3"), ("K6_ITERATIONS", "6")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(scenario_line(&run).contains("6 iterations shared among 3 VUs"), "{}", run.stdout);
    assert!(run.line("iterations").contains(" 6 "), "{}", run.line("iterations"));
}

#[test]
fn flags_beat_environment_variables() {
    let s = script(SIXTY);
    let run = rload_env(&s, &["-u", "1", "-i", "2"], &[("K6_VUS", "3"), ("K6_ITERATIONS", "6")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(scenario_line(&run).contains("2 iterations shared among 1 VUs"), "{}", run.stdout);
}

#[test]
fn an_environment_duration_replaces_the_scripts_iterations_as_in_k6() {
    // One layer higher, `duration` drops the script's `iterations` instead of conflicting.
    let s = script(SIXTY);
    let run = rload_env(&s, &[], &[("K6_DURATION", "1s")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(scenario_line(&run).contains("2 looping VUs for 1s"), "{}", run.stdout);
}

#[test]
fn the_config_file_is_the_lowest_layer() {
    let s = script("fn run() {}\n");
    let config = s.dir.path().join("k6.json");
    std::fs::write(&config, r#"{ "vus": 4, "iterations": 8, "scenarios": null, "noUsageReport": true }"#).unwrap();
    let config = config.display().to_string();
    let run = rload_env(&s, &["-c", &config], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(scenario_line(&run).contains("8 iterations shared among 4 VUs"), "{}", run.stdout);

    // The script's options beat the file; K6_CONFIG names it when -c does not.
    let s2 = script(SIXTY);
    let run = rload_env(&s2, &[], &[("K6_CONFIG", &config)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(scenario_line(&run).contains("60 iterations shared among 2 VUs"), "{}", run.stdout);
}

#[test]
fn the_default_config_file_is_read_when_present() {
    let s = script("fn run() {}\n");
    let dir = s.dir.path().join(".config").join("rload");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.json"), r#"{ "vus": 2, "iterations": 3 }"#).unwrap();
    let run = rload_env(&s, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(scenario_line(&run).contains("3 iterations shared among 2 VUs"), "{}", run.stdout);
}

#[test]
fn the_config_files_out_streams_samples_like_dash_o() {
    let s = script("fn run() {}\n");
    let out = s.dir.path().join("samples.json");
    let config = s.dir.path().join("k6.json");
    std::fs::write(
        &config,
        serde_json::json!({ "iterations": 2, "out": [format!("json={}", out.display())] }).to_string(),
    )
    .unwrap();
    let run = rload_env(&s, &["--config", &config.display().to_string()], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::read_to_string(&out).unwrap_or_default();
    assert_eq!(written.lines().filter(|l| l.contains("\"metric\":\"iterations\"") && l.contains("Point")).count(), 2);
}

#[test]
fn configuration_errors_name_the_variable_or_file_and_exit_104() {
    let s = script("fn run() {}\n");
    let config = s.dir.path().join("k6.json");
    std::fs::write(&config, r#"{ "vus": "many", "bogus": 1 }"#).unwrap();
    let config = config.display().to_string();
    let run = rload_env(&s, &["-c", &config], &[("K6_RPS", "10"), ("K6_VUS", "abc")]);
    assert_eq!(run.code, 104, "{}", run.stderr);
    for expected in [
        "K6_RPS: k6's `rps` option is not supported by rload".to_owned(),
        "K6_VUS=\"abc\": not a whole number".to_owned(),
        format!("--config {config}: vus: must be a whole number"),
        format!("--config {config}: unknown option \"bogus\""),
    ] {
        assert!(run.stderr.contains(&expected), "{expected}\n{}", run.stderr);
    }
    assert!(!run.stdout.contains("iterations"), "nothing may run: {}", run.stdout);

    let run = rload_env(&s, &["-c", "no-such-config.json"], &[]);
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(run.stderr.contains("--config no-such-config.json: cannot read the config file"), "{}", run.stderr);
}

/// The sweep's repro (`vus: __ENV.VUS || 1, iterations: __ENV.ITERS || 1` in k6 JavaScript):
/// `__ENV` values are text, and k6 v1.1 reads an integer option's text as the number; an unset
/// variable leaves the option unset. Both were refused with exit 104.
#[test]
fn options_sized_from_env_text_or_left_unset_run_as_in_k6() {
    let s = script("");
    let js = s.dir.path().join("strvus.js");
    std::fs::write(
        &js,
        "export const options = { vus: __ENV.VUS || 1, iterations: __ENV.ITERS || 1, duration: __ENV.DURATION };\n\
         export default function () {}\n",
    )
    .unwrap();
    let js = Script { path: js, dir: s.dir };
    let run = rload_env(&js, &["-e", "VUS=2", "-e", "ITERS=4"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(scenario_line(&run).contains("4 iterations shared among 2 VUs"), "{}", run.stdout);
    // Nothing set: duration is unset, vus and iterations fall back to 1, k6's default.
    let run = rload_env(&js, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(scenario_line(&run).contains("1 iterations shared among 1 VUs"), "{}", run.stdout);
    // What k6 refuses stays refused.
    let run = rload_env(&js, &["-e", "VUS=2.5"], &[]);
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(run.stderr.contains("vus: must be a whole number ≥ 0, got \"2.5\""), "{}", run.stderr);

    let s = script(
        "export const options = #{ scenarios: #{ s: #{ executor: \"constant-arrival-rate\", rate: __ENV.RATE, \
         duration: \"1s\", preAllocatedVUs: __ENV.VUS } } };\nfn run() {}\n",
    );
    let run = rload_env(&s, &["-e", "RATE=4", "-e", "VUS=2"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // 4/s for 1s: k6 starts the one at 1s too.
    assert_eq!(run.count("iterations"), 5, "{}", run.stdout);

    let config = s.dir.path().join("k6.json");
    std::fs::write(&config, r#"{ "vus": "2", "iterations": "3" }"#).unwrap();
    let run = rload_env(&script("fn run() {}\n"), &["-c", &config.display().to_string()], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(scenario_line(&run).contains("3 iterations shared among 2 VUs"), "{}", run.stdout);
}

#[test]
fn a_missing_script_exits_255_as_in_k6() {
    let s = script("fn run() {}\n");
    let missing = s.dir.path().join("nope.rhai");
    let out = Command::new(BIN).arg("run").arg(&missing).output().unwrap();
    let run = Run::from_output(out);
    assert_eq!(run.code, 255, "{}", run.stderr);
    assert!(run.stderr.contains("cannot read script"), "{}", run.stderr);
}

#[test]
fn a_segment_outside_its_sequence_is_an_error_as_in_k6() {
    let s = script(SIXTY);
    let run = rload_env(&s, &["--execution-segment", "1/3:2/3", "--execution-segment-sequence", "0,1/4,1/2,1"], &[]);
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(run.stderr.contains("provided segment 1/3:2/3 can't be found in sequence 0,1/4,1/2,1"), "{}", run.stderr);
    let run = rload_env(&s, &["--execution-segment", "3/4:1/4"], &[]);
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(run.stderr.contains("--execution-segment \"3/4:1/4\""), "{}", run.stderr);
}

#[test]
fn the_segment_can_come_from_the_options_and_shows_in_the_header() {
    let s = script(
        "export const options = #{ vus: 4, iterations: 40, executionSegment: \"0:1/4\", \
         executionSegmentSequence: \"0,1/4,2/4,3/4,1\" };\nfn run() {}\n",
    );
    let run = rload_env(&s, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("scenarios: (25.00%) 1 scenario, 1 max VUs"), "{}", run.stdout);
    assert!(scenario_line(&run).contains("10 iterations shared among 1 VUs"), "{}", run.stdout);
    assert!(run.line("iterations").contains(" 10 "), "{}", run.line("iterations"));
}

#[test]
fn exec_numbers_iterations_across_instances_and_counts_the_instance_as_k6() {
    // k6 v1.1 prints exactly these two lines for the JavaScript twin of this script.
    let s = script(
        r#"export const options = #{ scenarios: #{ s: #{ executor: "shared-iterations", vus: 4, iterations: 8 } } };
fn run() {
    let s = exec.scenario;
    let i = exec.instance;
    print(`it=${s.iterationInTest} inst=${s.iterationInInstance} done=${i.iterationsCompleted} init=${i.vusInitialized} active=${i.vusActive}`);
}
"#,
    );
    let run = rload_env(
        &s,
        &["-q", "--no-summary", "--execution-segment", "1/4:2/4", "--execution-segment-sequence", "0,1/4,2/4,3/4,1"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>(),
        ["it=1 inst=0 done=0 init=1 active=1", "it=5 inst=1 done=1 init=1 active=1"],
        "{}",
        run.stderr
    );
}

#[test]
fn exec_test_options_show_what_every_layer_settled() {
    // A script sizing its data from `exec.test.options` (scenario 04's pairs) must see the
    // VUs the run starts, whichever layer set them.
    let s = script(
        "export const options = #{ vus: 50, duration: \"5m\" };\n\
         fn setup() { print(`vus=${exec.test.options.vus} default=${exec.test.options.scenarios[\"default\"].vus}`); }\n\
         fn run() {}\n",
    );
    let run = rload_env(&s, &[], &[("K6_VUS", "3"), ("K6_ITERATIONS", "3")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(format!("{}{}", run.stdout, run.stderr).contains("vus=3 default=3"), "{}", run.stderr);
}

/// k6 v1.1.0 parses `K6_HOSTS` and never applies it (checked: `K6_HOSTS=example.test:127.0.0.1`
/// leaves `http.get("http://example.test:PORT/")` failing DNS under k6). rload applies it, as the
/// user asked, and warns that a k6 run with the same environment went elsewhere; the script's
/// `hosts` option maps names in both tools and draws no warning.
#[test]
fn k6_hosts_maps_names_and_warns_that_k6_does_not_apply_it() {
    let target = Target::start();
    let port = target.addr.port().to_string();
    let body =
        "fn run() { check(http.get(`http://example.test:${__ENV.PORT}/`), #{ \"mapped\": |r| r.status == 200 }); }\n";
    let s = script(&format!("export const options = #{{ iterations: 1 }};\n{body}"));
    let run = rload_env(&s, &["-e", &format!("PORT={port}")], &[("K6_HOSTS", "example.test:127.0.0.1")]);
    run.assert_all_checks_pass(1);
    assert!(run.stderr.contains("k6 v1.1.0 reads K6_HOSTS without applying it"), "{}", run.stderr);

    let in_options = script(&format!(
        "export const options = #{{ iterations: 1, hosts: #{{ \"example.test\": \"127.0.0.1\" }} }};\n{body}"
    ));
    let run = rload_env(&in_options, &["-e", &format!("PORT={port}")], &[]);
    run.assert_all_checks_pass(1);
    assert!(!run.stderr.contains("K6_HOSTS"), "{}", run.stderr);
}
