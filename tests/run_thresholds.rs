//! End-to-end thresholds: exit codes, abortOnFail, sub-metrics, strictness, exports.
mod common;
use common::*;
use std::time::{Duration, Instant};

#[test]
fn a_failing_threshold_exits_99_and_is_marked() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ iterations: 5, thresholds: #{
            "http_req_duration": ["p(95)<10000", "max<0.001"],
            "http_reqs{status:200}": ["count>=5"],
            "http_reqs{status:404}": ["count==0"],
        }};
        fn run() { http.get(`${__ENV.BASE}/`); }
    "#,
    );
    let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 99, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("✓ 'p(95)<10000'"), "{}", run.stdout);
    assert!(run.stdout.contains("✗ 'max<0.001'"), "{}", run.stdout);
    // The sub-metric filter selected exactly the five 200 responses.
    assert!(run.stdout.contains("✓ 'count>=5' count=5"), "{}", run.stdout);
}

#[test]
fn passing_thresholds_exit_0_and_no_thresholds_ignores_failing_ones() {
    let s = script(
        r#"
        export const options = #{ iterations: 3, thresholds: #{ "iterations": ["count==3"], "checks": ["rate==1"] } };
        fn run() { check(1, #{ "one": |x| x == 1 }); }
    "#,
    );
    assert_eq!(rload(&s, &[]).code, 0);
    let failing = script(
        r#"
        export const options = #{ iterations: 3, thresholds: #{ "iterations": ["count>100"] } };
        fn run() {}
    "#,
    );
    assert_eq!(rload(&failing, &[]).code, 99);
    let run = rload(&failing, &["--no-thresholds"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("THRESHOLDS"), "{}", run.stdout);
}

#[test]
fn abort_on_fail_is_evaluated_every_2_s_as_k6_does_and_waits_for_delay_abort_eval() {
    let s = script(
        r#"
        export const options = #{ vus: 2, duration: "30s", thresholds: #{
            "iteration_duration": [#{ threshold: "max<1", abortOnFail: true, delayAbortEval: "3s" }],
        }};
        fn run() { sleep(0.05); }
    "#,
    );
    let started = Instant::now();
    let run = rload(&s, &[]);
    let took = started.elapsed();
    assert_eq!(run.code, 99, "{}\n{}", run.stdout, run.stderr);
    // k6's ticks come at 2 s and 4 s; at 2 s the delay (3 s) has not passed.
    assert!(took > Duration::from_millis(3900), "aborted before the 4 s evaluation: {took:?}");
    assert!(took < Duration::from_secs(8), "aborted after {took:?}");
    assert!(run.stdout.contains("✗ 'max<1'"), "{}", run.stdout);
    assert!(run.stderr.contains("abortOnFail"), "{}", run.stderr);
}

/// k6 v1.1.0, a `count<2` counter with abortOnFail and `delayAbortEval: "4s"`, one add every
/// 0.5 s: aborted at 6 s with 12 adds (its ticker starts before its test clock, so at the 4 s
/// tick less than 4 s have passed). rload aborted at the 4 s tick with 8.
#[test]
fn a_delay_abort_eval_of_a_whole_tick_waits_for_the_next_tick_as_in_k6() {
    let s = script(
        r#"
        const boom = Counter("boom");
        export const options = #{
            scenarios: #{ s: #{ executor: "constant-vus", vus: 1, duration: "8s" } },
            thresholds: #{ boom: [#{ threshold: "count<2", abortOnFail: true, delayAbortEval: "4s" }] },
        };
        fn run() { boom.add(1); sleep(0.5); }
        fn handle_summary(data) {
            #{ stdout: `boom=${data.metrics.boom.values.count} ms=${data.state.testRunDurationMs}` }
        }
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 99, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("boom=12 "), "{}", run.stdout);
    let ms: f64 = run.stdout.split("ms=").nth(1).and_then(|v| v.trim().parse().ok()).expect("ms=");
    assert!((5900.0..6500.0).contains(&ms), "aborted after {ms} ms; k6 at ~6000");
}

/// One failure among the first requests fails a rate taken over them; k6 first evaluates at
/// 2 s, when the rate is 1 in ~80 and the test goes on.
#[test]
fn abort_on_fail_gives_a_rate_two_seconds_of_samples_before_it_can_stop_the_run() {
    let s = script(
        r#"
        const errors = Rate("errors");
        export const options = #{ vus: 2, duration: "3s", thresholds: #{
            "errors": [#{ threshold: "rate<0.1", abortOnFail: true }],
        }};
        fn run() { errors.add(__VU == 1 && __ITER == 0); sleep(0.05); }
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("✓ 'rate<0.1'"), "{}", run.stdout);
}

#[test]
fn a_threshold_without_samples_warns_and_strict_mode_fails_it() {
    let s = script(
        r#"
        export const options = #{ iterations: 1, thresholds: #{ "http_req_duration{name:never}": ["p(95)<100"] } };
        fn run() {}
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("no samples"), "{}", run.stdout);
    let strict = rload(&s, &["--strict-thresholds"]);
    assert_eq!(strict.code, 99, "{}", strict.stdout);
}

#[test]
fn bad_thresholds_are_reported_together_with_exit_104() {
    let s = script(
        r#"
        export const options = #{ iterations: 1, thresholds: #{
            "http_reqs": ["p(95)<100"],
            "http_req_duration": ["p95<100"],
            "no_such_metric": ["avg<1"],
            "http_req_duration{status200}": ["avg<1"],
        }};
        fn run() {}
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 104, "{}", run.stderr);
    for needle in ["http_reqs", "p95<100", "no_such_metric", "status200"] {
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
}

#[test]
fn summary_export_and_handle_summary_write_k6_shaped_json() {
    let s = script(
        r#"
        export const options = #{ iterations: 4, thresholds: #{ "iterations": ["count==4"] } };
        const t = Trend("latency_ms", true);
        fn run() { t.add(__ITER * 10); }
        fn handle_summary(data) {
            #{ stdout: `iterations=${data.metrics.iterations.values.count}\n`, "summary.json": data }
        }
    "#,
    );
    let export = s.dir.path().join("export.json");
    let run = std::process::Command::new(BIN)
        .current_dir(s.dir.path())
        .args(["run", s.path.to_str().unwrap(), "--summary-export", export.to_str().unwrap(), "--no-system-env-vars"])
        .output()
        .unwrap();
    let run = Run::from_output(run);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("iterations=4"), "{}", run.stdout);
    assert!(!run.stdout.contains("TOTAL RESULTS"), "handle_summary replaces the summary: {}", run.stdout);
    let exported: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    assert_eq!(exported["metrics"]["iterations"]["count"], 4);
    assert_eq!(exported["metrics"]["iterations"]["thresholds"]["count==4"], false, "false = not failed, as k6");
    assert_eq!(exported["metrics"]["latency_ms"]["max"], 30.0);
    assert!(exported["root_group"].is_object());
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.dir.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(data["metrics"]["latency_ms"]["type"], "trend");
    assert_eq!(data["metrics"]["latency_ms"]["contains"], "time");
}

#[test]
fn unique_urls_are_capped_with_one_warning_naming_the_name_tag() {
    let s = script(
        r#"
        const c = Counter("per_url");
        fn run() { c.add(1, #{ url: `http://x/item/${__ITER}` }); }
    "#,
    );
    let run = rload(&s, &["-i", "50", "--max-series", "10"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("per_url").contains(" 50 "), "no sample may be lost: {}", run.line("per_url"));
    assert_eq!(run.stdout.matches("more than 10 distinct tag sets").count(), 1, "{}", run.stdout);
    assert!(run.stdout.contains("`name` tag"), "{}", run.stdout);
}

#[test]
fn sub_metric_thresholds_see_samples_past_the_series_cap() {
    // 60 iterations, each with its own URL, half of them tagged `operation: switch`: past the
    // 10-series cap the URLs are dropped but `operation` is kept, so the sub-metric counts all 30.
    let s = script(
        r#"
        export const options = #{
            thresholds: #{ "per_url{operation:switch}": ["count==30"], "per_url": ["count==60"] },
        };
        const c = Counter("per_url");
        fn run() {
            let i = exec.scenario.iterationInTest;
            let op = if i % 2 == 0 { "switch" } else { "create" };
            c.add(1, #{ url: `http://x/item/${i}`, operation: op });
        }
    "#,
    );
    let run = rload(&s, &["-i", "60", "-u", "3", "--max-series", "10"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("✓ 'count==30'"), "{}", run.stdout);
}

#[test]
fn vus_samples_carry_the_runs_tags_so_a_threshold_on_them_sees_samples() {
    let with_thresholds = |thresholds: &str| {
        script(&format!(
            "export const options = #{{ vus: 2, duration: \"2500ms\", tags: #{{ team: \"a\" }}, thresholds: #{{ {thresholds} }} }};\n\
             fn run() {{ sleep(0.1); }}\n"
        ))
    };
    let run = rload(&with_thresholds(r#""vus_max{team:a}": ["value>=2"]"#), &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("vus_max{team:a}\n    ✓ 'value>=2' value=2"), "{}", run.stdout);
    // `--tag` replaces the script's tags, as in k6 (k6-operator tags each runner this way).
    let tagged = rload(&with_thresholds(r#""vus{instance_id:1}": ["value>=2"]"#), &["--tag", "instance_id=1"]);
    assert_eq!(tagged.code, 0, "{}\n{}", tagged.stdout, tagged.stderr);
    assert!(tagged.stdout.contains("vus{instance_id:1}\n    ✓ 'value>=2' value=2"), "{}", tagged.stdout);
}

/// k6 evaluates a threshold whose key matched no sample against the empty sink's zero values:
/// the usual "the test did something" gates fail when it did nothing, and `p(95)<100` on a
/// sub-metric nothing matched passes. An empty rate has no value, and its thresholds pass.
#[test]
fn thresholds_without_samples_are_evaluated_against_zero_values_as_k6_does() {
    let s = script(
        r#"
        const never_counter = Counter("never_counter");
        const never_rate = Rate("never_rate");
        export const options = #{ iterations: 1, thresholds: #{
            "http_reqs": ["count>0"],
            "never_counter": ["count<1"],
            "never_rate": ["rate>0.5"],
            "http_req_duration{status:500}": ["p(95)<100"],
        }};
        fn run() {}
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 99, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("✗ 'count>0' count=0 (no samples)"), "{}", run.stdout);
    assert!(run.stdout.contains("✓ 'count<1' count=0 (no samples)"), "{}", run.stdout);
    assert!(run.stdout.contains("✓ 'p(95)<100' p(95)=0s (no samples)"), "{}", run.stdout);
    assert!(run.stdout.contains("? 'rate>0.5' no samples"), "{}", run.stdout);
    // k6's last line names the metrics.
    assert!(run.stderr.contains("error: thresholds on metrics 'http_reqs' have been crossed"), "{}", run.stderr);
}
