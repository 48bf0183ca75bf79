//! `-o/--out`: samples stream to k6's json and csv outputs while the run runs, and every file is
//! complete however the run ends.
mod common;
use common::*;
use std::io::Read;

/// Every line of an NDJSON output, parsed; fails on a line that is not JSON.
fn ndjson(path: &std::path::Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("no output at {}: {e}", path.display()));
    let tail = &text[text.len().saturating_sub(300)..];
    assert!(text.ends_with('\n'), "the last line is cut short ({} bytes): …{tail}", text.len());
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
}

fn points<'a>(lines: &'a [serde_json::Value], metric: &str) -> Vec<&'a serde_json::Value> {
    lines.iter().filter(|l| l["type"] == "Point" && l["metric"] == metric).collect()
}

#[test]
fn json_output_holds_every_sample_in_k6s_schema() {
    let target = Target::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let export = dir.path().join("export.json");
    let s = script(
        r#"
        export const options = #{ thresholds: #{ http_req_duration: ["p(95)<5000"] } };
        fn run() {
            let r = http.get(`${__ENV.BASE_URL}/`);
            check(r, #{ "status is 200": |r| r.status == 200 });
        }
    "#,
    );
    let run = rload(
        &s,
        &[
            "-u",
            "2",
            "-i",
            "10",
            "-e",
            &format!("BASE_URL={}", target.url()),
            "-o",
            &format!("json={}", out.display()),
            "--summary-export",
            &export.to_string_lossy(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(&format!("output: json ({})", out.display())), "{}", run.stdout);
    let lines = ndjson(&out);
    let reqs = points(&lines, "http_reqs");
    assert_eq!(reqs.len(), 10, "one http_reqs point per request");
    let tags = &reqs[0]["data"]["tags"];
    assert_eq!((tags["method"].as_str(), tags["status"].as_str()), (Some("GET"), Some("200")), "{tags}");
    assert_eq!(tags["scenario"], "default");
    assert!(reqs[0]["data"]["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(points(&lines, "checks").len(), 10);
    assert_eq!(points(&lines, "iterations").len(), 10);
    // The sum of the points is what the summary counts.
    let exported: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    let bytes: f64 = points(&lines, "data_received").iter().map(|p| p["data"]["value"].as_f64().unwrap()).sum();
    assert_eq!(bytes, exported["metrics"]["data_received"]["count"].as_f64().unwrap());
    // One Metric line per metric, before its first point, with its thresholds.
    for (i, line) in lines.iter().enumerate() {
        if line["type"] == "Point" {
            let declared = lines[..i].iter().any(|l| l["type"] == "Metric" && l["metric"] == line["metric"]);
            assert!(declared, "point before its metric line: {line}");
        }
    }
    let duration = lines.iter().find(|l| l["type"] == "Metric" && l["metric"] == "http_req_duration").unwrap();
    assert_eq!(duration["data"]["type"], "trend");
    assert_eq!(duration["data"]["contains"], "time");
    assert_eq!(duration["data"]["thresholds"], serde_json::json!(["p(95)<5000"]));
}

/// k6 sends `data_sent`/`data_received` from its dialer's trail: once per iteration, with the
/// tags the VU has at its end (root group), and once for setup() and teardown() (their group);
/// never per request, so a request's group is not on them. k6 v1.1 on this script:
/// `{group: ::setup}`, then `{group: "", scenario: default}` per iteration, then `::teardown`.
#[test]
fn data_sent_and_received_go_out_once_per_iteration_as_k6s_dialer_trail() {
    let target = Target::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let s = script(
        r#"
        export const options = #{ iterations: 2 };
        fn setup() { http.get(`${__ENV.BASE_URL}/`); }
        fn run() {
            group("g", || { http.get(`${__ENV.BASE_URL}/`); });
            http.get(`${__ENV.BASE_URL}/`);
        }
        fn teardown() { http.get(`${__ENV.BASE_URL}/`); }
    "#,
    );
    let run = rload(&s, &["-e", &format!("BASE_URL={}", target.url()), "-o", &format!("json={}", out.display())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = ndjson(&out);
    for metric in ["data_sent", "data_received"] {
        let mut by_group: Vec<(String, Option<String>, f64)> = points(&lines, metric)
            .iter()
            .map(|p| {
                let tags = &p["data"]["tags"];
                let group = tags["group"].as_str().unwrap().to_string();
                (group, tags["scenario"].as_str().map(String::from), p["data"]["value"].as_f64().unwrap())
            })
            .collect();
        by_group.sort_by(|a, b| a.0.cmp(&b.0));
        let groups: Vec<(&str, Option<&str>)> = by_group.iter().map(|(g, s, _)| (g.as_str(), s.as_deref())).collect();
        assert_eq!(
            groups,
            [("", Some("default")), ("", Some("default")), ("::setup", None), ("::teardown", None)],
            "{metric}: {by_group:?}"
        );
        // An iteration's point holds both of its requests: twice setup()'s one request.
        let setup = by_group[2].2;
        assert!(setup > 0.0, "{metric}: {by_group:?}");
        assert_eq!((by_group[0].2, by_group[1].2), (2.0 * setup, 2.0 * setup), "{metric}: {by_group:?}");
    }
}

/// k6's percentile of exact values (`TrendSink.P`): linear between the neighbouring ranks.
fn k6_percentile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let position = q * (values.len() - 1) as f64;
    let (lo, hi) = (values[position.floor() as usize], values[position.ceil() as usize]);
    lo + (hi - lo) * position.fract()
}

#[test]
fn json_output_matches_the_kept_schema_and_a_reader_recomputes_the_summary_from_it() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("schemas/k6-ndjson.schema.json")).expect("the schema is JSON");
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).expect("a valid schema");
    let target = Target::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let export = dir.path().join("export.json");
    let s = script(
        r#"
        export const options = #{ thresholds: #{ http_reqs: [#{ threshold: "count>1", abortOnFail: true }] } };
        const waits = Trend("waits", true);
        fn run() {
            let r = http.get(`${__ENV.BASE_URL}/delay/${__ITER % 7}`);
            check(r, #{ "is 200": |r| r.status == 200 });
            waits.add(__ITER % 5, #{ "my tag": "a \"quoted\" value" });
        }
    "#,
    );
    let run = rload(
        &s,
        &[
            "-u",
            "4",
            "-i",
            "300",
            "-e",
            &format!("BASE_URL={}", target.url()),
            "-o",
            &format!("json={}", out.display()),
            "--summary-export",
            &export.to_string_lossy(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = ndjson(&out);
    for line in &lines {
        let errors: Vec<String> =
            validator.iter_errors(line).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{line}\ndoes not match the schema: {errors:?}");
    }
    // The schema rejects what k6 would not write (it is not vacuous).
    for wrong in [
        serde_json::json!({"type": "Point", "metric": "x", "data": {"time": "yesterday", "value": 1, "tags": {}}}),
        serde_json::json!({"type": "Point", "metric": "x", "data": {"time": "2026-01-01T00:00:00Z", "value": "1", "tags": {}}}),
        serde_json::json!({"type": "Metric", "metric": "x", "data": {"name": "x", "type": "histogram", "contains": "default", "thresholds": [], "submetrics": null}}),
    ] {
        assert!(!validator.is_valid(&wrong), "{wrong} passed the schema");
    }

    // A reader of the stream alone recomputes the summary.
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    let value = |p: &&serde_json::Value| p["data"]["value"].as_f64().unwrap();
    let requests: f64 = points(&lines, "http_reqs").iter().map(value).sum();
    assert_eq!(requests, summary["metrics"]["http_reqs"]["count"].as_f64().unwrap());
    assert_eq!(requests, 300.0);
    let mut durations: Vec<f64> = points(&lines, "http_req_duration").iter().map(value).collect();
    assert_eq!(durations.len(), 300);
    let p95 = k6_percentile(&mut durations, 0.95);
    let summary_p95 = summary["metrics"]["http_req_duration"]["p(95)"].as_f64().unwrap();
    // HDR with 3 significant digits: within 0.1 % (or 1 µs for sub-millisecond values).
    assert!((p95 - summary_p95).abs() <= (p95 * 1e-3).max(0.001), "stream p(95) {p95} ms, summary {summary_p95} ms");
    let declared = lines.iter().find(|l| l["type"] == "Metric" && l["metric"] == "http_reqs").unwrap();
    assert_eq!(declared["data"]["thresholds"], serde_json::json!([{ "threshold": "count>1", "abortOnFail": true }]));
}

#[test]
fn csv_output_gzipped_has_k6s_columns_and_one_row_per_sample() {
    let target = Target::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv.gz");
    let s = script("fn run() { http.get(`${__ENV.BASE_URL}/`); }");
    let run = rload(
        &s,
        &["-u", "1", "-i", "5", "-e", &format!("BASE_URL={}", target.url()), "-o", &format!("csv={}", out.display())],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&out).unwrap()).read_to_string(&mut text).unwrap();
    let mut rows = text.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    assert_eq!(&header[..3], ["metric_name", "timestamp", "metric_value"]);
    assert_eq!(&header[header.len() - 2..], ["extra_tags", "metadata"]);
    let status = header.iter().position(|h| *h == "status").unwrap();
    let reqs: Vec<Vec<&str>> = rows.map(|r| r.split(',').collect::<Vec<_>>()).filter(|r| r[0] == "http_reqs").collect();
    assert_eq!(reqs.len(), 5);
    assert!(reqs.iter().all(|r| r.len() == header.len() && r[status] == "200" && r[2] == "1.000000"), "{reqs:?}");
}

#[test]
fn json_output_is_complete_after_ctrl_c() {
    let target = Target::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    // The marker shows once requests have been made for over a second (several tap flushes).
    let s = script(
        r#"
        fn run() {
            http.get(`${__ENV.BASE_URL}/`);
            if __VU == 1 && __ITER == 25 { print("past 25 iterations"); }
            sleep(0.05);
        }
    "#,
    );
    let url = format!("BASE_URL={}", target.url());
    let o = format!("json={}", out.display());
    let args = ["-u", "2", "-d", "60s", "-e", &url, "-o", &o];
    let run = signalled_run(&s, &args, "past 25 iterations", None, std::time::Duration::from_secs(20));
    assert_eq!(run.code, 105, "{}", run.stderr);
    let lines = ndjson(&out);
    assert!(!points(&lines, "http_reqs").is_empty(), "no request reached the output");
}

#[test]
fn json_output_is_complete_after_a_failing_setup() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let s = script(
        r#"
        const hits = Counter("setup_steps");
        fn setup() { hits.add(1); throw "no session"; }
        fn run() {}
    "#,
    );
    let run = rload(&s, &["-o", &format!("json={}", out.display())]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    let lines = ndjson(&out);
    assert_eq!(points(&lines, "setup_steps").len(), 1, "{lines:?}");
}

#[test]
fn an_unknown_or_unimplemented_output_is_an_error_naming_it() {
    let s = script("fn run() {}");
    let run = rload(&s, &["-i", "1", "-o", "influxdb=http://127.0.0.1:1/k6"]);
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(run.stderr.contains("\"influxdb\" is a k6 output rload does not implement"), "{}", run.stderr);
    let run = rload(&s, &["-i", "1", "-o", "experimental-prometheus-rw", "-e", "K6_PROMETHEUS_RW_TREND_STATS=p99"]);
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(run.stderr.contains("K6_PROMETHEUS_RW_TREND_STATS: \"p99\" is not a trend stat"), "{}", run.stderr);
    let run = rload(&s, &["-i", "1", "-o", "jsn=x"]);
    assert!(run.stderr.contains("invalid output type \"jsn\""), "{}", run.stderr);
    let run = rload(&s, &["-i", "1", "-o", "json=/nonexistent-dir/out.json"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("could not create the json (/nonexistent-dir/out.json) output"), "{}", run.stderr);
}

#[test]
fn outputs_carry_rloads_own_cpu_and_memory_each_second_but_the_summary_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let export = dir.path().join("export.json");
    let s = script("fn run() { let x = 0; for i in 0..2000 { x += i; } sleep(0.05); }");
    let o = format!("json={}", out.display());
    let run = rload(&s, &["-u", "2", "-d", "2.5s", "-o", &o, "--summary-export", &export.to_string_lossy()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = ndjson(&out);
    let value = |p: &&serde_json::Value| p["data"]["value"].as_f64().unwrap();
    // Seconds 1 and 2, and the last half second (a second more if stopping took long).
    let cpu = points(&lines, "rload_cpu_percent");
    let rss = points(&lines, "rload_rss_bytes");
    assert!((3..=4).contains(&cpu.len()) && rss.len() == cpu.len(), "{cpu:?} {rss:?}");
    assert!(cpu.iter().map(value).all(|v| (0.0..=100.0 * 64.0).contains(&v)), "{cpu:?}");
    assert!(cpu.iter().map(value).any(|v| v > 0.0), "a busy run used no CPU: {cpu:?}");
    // A debug build of rload holds more than 4 MB and less than 4 GB.
    assert!(rss.iter().map(value).all(|v| v > 4e6 && v < 4e9), "{rss:?}");
    let declared = lines.iter().find(|l| l["type"] == "Metric" && l["metric"] == "rload_rss_bytes").unwrap();
    assert_eq!(
        (declared["data"]["type"].as_str(), declared["data"]["contains"].as_str()),
        (Some("gauge"), Some("data"))
    );
    let exported = std::fs::read_to_string(&export).unwrap();
    assert!(!exported.contains("rload_cpu_percent") && !exported.contains("rload_rss_bytes"), "{exported}");
    assert!(!run.stdout.contains("rload_cpu_percent"), "{}", run.stdout);
}

/// Sweep 30: k6 v1.1 initialises its VUs before setup() and samples `vus` and `vus_max` each
/// second from the start of its run to the end of teardown(), so a setup() and a teardown() of
/// over a second each have `vus 0` points with `vus_max` at the pre-allocated VUs (checked on k6
/// with `vus: 3, duration: "2s"` and 2.5 s sleeps: `vus 0 min=0 max=3`). rload sampled only
/// during the test (`vus 3 min=3 max=3`), though it runs setup() before its VU init.
#[test]
fn vus_and_vus_max_are_sampled_through_setup_and_teardown_as_in_k6() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let s = script(
        r#"
        export const options = #{ vus: 2, duration: "1s" };
        fn setup() { sleep(1.3); #{} }
        fn run(data) { sleep(0.2); }
        fn teardown(data) { sleep(1.3); }
    "#,
    );
    let run = rload(&s, &["-o", &format!("json={}", out.display())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let vus = run.line("vus");
    assert!(vus.contains(": 0 ") && vus.contains("min=0") && vus.contains("max=2"), "{vus}");
    let vus_max = run.line("vus_max");
    assert!(vus_max.contains("min=2") && vus_max.contains("max=2"), "{vus_max}");

    let lines = ndjson(&out);
    let time = |p: &&serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(p["data"]["time"].as_str().unwrap()).unwrap().timestamp_micros()
    };
    let iterations: Vec<i64> = points(&lines, "iteration_duration").iter().map(time).collect();
    let (first, last) = (*iterations.iter().min().unwrap(), *iterations.iter().max().unwrap());
    let sampled = |metric| -> Vec<(i64, f64)> {
        points(&lines, metric).iter().map(|p| (time(p), p["data"]["value"].as_f64().unwrap())).collect()
    };
    let (vus, vus_max) = (sampled("vus"), sampled("vus_max"));
    let during_setup: Vec<_> = vus.iter().filter(|(t, _)| *t < first - 200_000).collect();
    let during_teardown: Vec<_> = vus.iter().filter(|(t, _)| *t > last).collect();
    assert!(!during_setup.is_empty() && during_setup.iter().all(|(_, v)| *v == 0.0), "{vus:?} {first}");
    assert!(!during_teardown.is_empty() && during_teardown.iter().all(|(_, v)| *v == 0.0), "{vus:?} {last}");
    assert_eq!(vus_max.len(), vus.len(), "{vus_max:?}");
    assert!(vus_max.iter().all(|(_, v)| *v == 2.0), "{vus_max:?}");
}
