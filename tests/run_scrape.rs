//! `--scrape`: the reference target's own Prometheus series read while the test runs, in the
//! summary and judged by thresholds (issue 13, item 2), against a real `rload serve --app
//! synckairos` whose write queue is made to grow (`--db-write-rate 0`: writes never drain) or
//! held flat (the default drain rate).
mod common;
use common::*;

/// Creates a session per iteration: each one is a DB write the target's queue must drain.
const WRITES: &str = r#"
import "generators" as gen;
export const options = #{
    vus: 4,
    duration: "3s",
    thresholds: #{
        "synckairos_db_write_queue_size": ["max<30", "slope<100"],
        "synckairos_switch_cycle_duration_ms": ["p(95)<1000"],
    },
};
fn run() {
    let session = gen::generate_session(#{ participantCount: 2, timePerParticipantMs: 60000 });
    let res = http.post(`${__ENV.BASE_URL}/v1/sessions`, session.to_json(), #{ headers: #{ "Content-Type": "application/json" } });
    http.post(`${__ENV.BASE_URL}/v1/sessions/${session.session_id}/start`, ());
    http.post(`${__ENV.BASE_URL}/v1/sessions/${session.session_id}/switch`, ());
    sleep(0.02);
}
"#;

fn run_against(target: &Target) -> Run {
    let base = format!("BASE_URL={}", target.url());
    let metrics = format!("{}/metrics", target.url());
    rload(&script(WRITES), &["-e", &base, "--scrape", &metrics, "--scrape-interval", "250ms", "--scrape-warmup", "0s"])
}

/// The `✓`/`✗` line of a threshold expression in the summary.
fn verdict<'a>(run: &'a Run, expr: &str) -> &'a str {
    run.stdout
        .lines()
        .find(|l| l.contains(&format!("'{expr}'")))
        .unwrap_or_else(|| panic!("no '{expr}' verdict in:\n{}\n{}", run.stdout, run.stderr))
}

#[test]
fn a_write_queue_that_never_drains_fails_max_and_slope_thresholds_with_exit_99() {
    let target = Target::start_app_with("synckairos", &["--db-write-rate", "0"]);
    let run = run_against(&target);
    assert_eq!(run.code, 99, "{}\n{}", run.stdout, run.stderr);
    assert!(verdict(&run, "max<30").trim_start().starts_with('✗'), "{}", run.stdout);
    let slope = verdict(&run, "slope<100");
    assert!(slope.trim_start().starts_with('✗') && slope.contains("/min"), "{}", run.stdout);
    // The scraped series are metrics of the summary like any other.
    assert!(run.line("synckairos_db_write_queue_size").contains("max="), "{}", run.stdout);
    assert!(run.line("synckairos_http_requests_total").contains("/s"), "{}", run.stdout);
    assert!(verdict(&run, "p(95)<1000").trim_start().starts_with('✓'), "{}", run.stdout);
}

#[test]
fn a_write_queue_held_flat_passes_the_same_thresholds_with_exit_0() {
    let target = Target::start_app("synckairos");
    let run = run_against(&target);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(verdict(&run, "slope<100").trim_start().starts_with('✓'), "{}", run.stdout);
    // Every switch the VUs made is in the scraped histogram's count.
    let switches = run.line("synckairos_switch_cycle_duration_ms");
    assert!(switches.contains("p(95)="), "{switches}");
}

#[test]
fn a_scrape_that_fails_is_counted_and_reported_but_the_run_goes_on() {
    // Nothing listens on port 9 of loopback: every scrape fails, the test still runs and passes.
    let target = Target::start_app("synckairos");
    let base = format!("BASE_URL={}", target.url());
    let run = rload(
        &script(
            "export const options = #{ vus: 1, duration: \"1s\" };\n\
             fn run() { http.get(`${__ENV.BASE_URL}/health`); sleep(0.1); }",
        ),
        &["-e", &base, "--scrape", "http://127.0.0.1:9/metrics", "--scrape-interval", "200ms"],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("scrape http://127.0.0.1:9/metrics:"), "{}", run.stderr);
    assert!(run.stderr.contains("scrapes failed"), "{}", run.stderr);
    assert!(run.line("rload_scrape_errors").contains("/s"), "{}", run.stdout);
}

#[test]
fn scrape_urls_other_than_http_are_refused_before_the_run() {
    let run =
        rload(&script("export const options = #{ scrape: [\"https://example.invalid/metrics\"] };\nfn run() {}"), &[]);
    assert_eq!(run.code, 104, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("only http:// URLs can be scraped"), "{}", run.stderr);
}
