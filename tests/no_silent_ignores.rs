//! Issue 14, item 1: nothing k6 accepts is silently ignored. A k6 param, option or hook rload
//! does not implement is an error naming it (at `rload check` time where the script writes it
//! as a literal); the ones rload implements behave as in k6.
mod common;
use common::*;
use std::process::Command;

/// `rload check SCRIPT`.
fn check(s: &Script) -> Run {
    Run::from_output(Command::new(BIN).arg("check").arg(&s.path).output().expect("run rload"))
}

#[test]
fn literal_k6_http_param_values_rload_lacks_fail_rload_check_with_their_position() {
    let s = script(
        "fn run() {\n    http.get(\"http://127.0.0.1:1/\", #{ auth: \"ntlm\" });\n    \
         http.post(\"http://127.0.0.1:1/\", \"x\", #{ compression: \"gzip\", \"throw\": true, auth: \"digest\" });\n}\n",
    );
    let path = s.path.display().to_string();
    for run in [check(&s), rload(&s, &["-i", "1"])] {
        assert_eq!(run.code, 107, "{}", run.stderr);
        assert!(
            run.stderr.contains(&format!("{path}:2:"))
                && run.stderr.contains("http param auth: \"ntlm\" is a k6 authentication rload does not implement"),
            "{}",
            run.stderr
        );
        assert!(
            !run.stderr.contains(&format!("{path}:3:")),
            "compression, throw and digest are implemented: {}",
            run.stderr
        );
        assert!(!run.stdout.contains("http_reqs"), "nothing may run: {}", run.stdout);
    }
}

#[test]
fn a_k6_http_param_value_rload_lacks_in_a_map_built_at_run_time_fails_the_call_naming_it() {
    let s = script(
        r#"
        fn run() {
            let p = #{};
            p.auth = "ntlm";
            if __ITER == 1 { p = #{ compression: "lzma" }; }
            http.get("http://127.0.0.1:1/", p);
        }
    "#,
    );
    let run = rload(&s, &["-u", "1", "-i", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("\"ntlm\" is a k6 authentication rload does not implement"), "{}", run.stderr);
    assert!(run.stderr.contains("unknown compression algorithm lzma"), "{}", run.stderr);
    assert!(run.stderr.contains("test.rhai:6:"), "the script position is named: {}", run.stderr);
    assert!(!run.stdout.contains("http_reqs"), "no request may be sent: {}", run.stdout);
}

#[test]
fn k6_options_rload_lacks_fail_rload_check_and_run_naming_each() {
    let s = script(
        r#"
        export const options = #{ iterations: 1, noVUConnectionReuse: true, dns: #{} };
        fn run() {}
    "#,
    );
    for run in [check(&s), rload(&s, &[])] {
        assert_eq!(run.code, 104, "{}", run.stderr);
        for key in ["noVUConnectionReuse", "dns"] {
            assert!(
                run.stderr.contains(&format!("option \"{key}\" is a k6 option rload does not implement")),
                "{key}: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn cloud_only_options_are_ignored_with_a_warning_as_k6_ignores_them_locally() {
    let s = script(
        r#"
        export const options = #{ iterations: 1, ext: #{ loadimpact: #{ name: "x" } }, cloud: #{ projectID: 1 } };
        fn run() {}
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("WARN options.ext is read only by Grafana Cloud k6"), "{}", run.stderr);
    assert!(run.stderr.contains("WARN options.cloud is read only by Grafana Cloud k6"), "{}", run.stderr);
}

#[test]
fn url_credentials_reach_the_server_as_basic_auth_and_tags_mask_them() {
    let target = Target::start();
    let host = target.addr.to_string();
    let s = script(&format!(
        r#"
        export const options = #{{
            iterations: 1,
            thresholds: #{{ "http_reqs{{name:http://****:****@{host}/echo}}": ["count==2"] }},
        }};
        fn run() {{
            let r = http.get("http://user:p%40ss@{host}/echo");
            let own = http.get("http://user:p%40ss@{host}/echo", #{{ auth: "basic", headers: #{{ Authorization: "Bearer t" }} }});
            check(r, #{{
                "basic from the url": |r| r.headers["X-Echo-Authorization"] == "Basic dXNlcjpwQHNz",
                "res.url keeps them": |r| r.url.contains("user:p%40ss@"),
            }});
            check(own, #{{ "the script's header wins": |r| r.headers["X-Echo-Authorization"] == "Bearer t" }});
        }}
    "#
    ));
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for name in ["basic from the url", "res.url keeps them", "the script's header wins"] {
        assert!(run.stdout.contains(&format!("✓ {name}")), "{name}: {}", run.stdout);
    }
    assert!(!run.stdout.contains("p%40ss"), "credentials leaked into the summary: {}", run.stdout);
}

#[test]
fn handle_summary_in_k6_spelling_replaces_the_default_summary() {
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {}
        fn handleSummary(data) { #{ stdout: `custom: ${data.metrics.iterations.values.count}\n` } }
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("custom: 1"), "{}", run.stdout);
    assert!(!run.stdout.contains("iteration_duration"), "the default summary is replaced: {}", run.stdout);
}

#[test]
fn defining_both_summary_hooks_fails_rload_check() {
    let s = script(
        r#"
        fn run() {}
        fn handleSummary(data) { #{} }
        fn handle_summary(data) { #{} }
    "#,
    );
    let run = check(&s);
    assert_eq!(run.code, 107, "{}", run.stderr);
    assert!(run.stderr.contains("defines both handle_summary() and handleSummary()"), "{}", run.stderr);
}

#[test]
fn metric_add_returns_true_as_in_k6() {
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        const hits = Counter("hits");
        fn run() { check(hits.add(1), #{ "add returned true": |v| v == true }); }
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("✓ add returned true"), "{}", run.stdout);
}

#[test]
fn summary_time_unit_prints_every_time_value_in_that_unit() {
    let s = script(
        r#"
        export const options = #{ iterations: 3, summaryTimeUnit: "us" };
        fn run() { sleep(0.002); }
        fn handleSummary(data) { #{ stdout: `unit=${data.options.summaryTimeUnit}\n${text_summary(data, #{ enableColors: false })}` } }
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("unit=us"), "{}", run.stdout);
    let line = run.line("iteration_duration");
    let values: Vec<&str> = line.split_whitespace().filter_map(|w| w.split_once('=').map(|(_, v)| v)).collect();
    assert!(values.len() >= 5, "{line}");
    for v in values {
        let number = v.strip_suffix("µs").unwrap_or_else(|| panic!("{v} is not in µs: {line}"));
        let (_, decimals) = number.split_once('.').unwrap_or_else(|| panic!("{v} has no decimals: {line}"));
        assert_eq!(decimals.len(), 2, "{line}");
        assert!(number.parse::<f64>().unwrap() >= 2000.0, "{line}");
    }
}

#[test]
fn k6_html_methods_rload_lacks_fail_naming_them() {
    let s = script(
        r#"
        fn run() {
            let form = parseHTML("<form><input name='a' value='1'></form>").find("form");
            form.get(0).childNodes();
        }
    "#,
    );
    let run = rload(&s, &["-u", "1", "-i", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("Element.childNodes() is a k6 method rload does not implement"), "{}", run.stderr);
}
