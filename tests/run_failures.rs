//! The summary says why requests failed: `█ FAILED REQUESTS`, one line per `error_code` and
//! message with its count, most frequent first, and the same table in `handle_summary`'s data.
mod common;
use common::*;

/// A loopback port nothing listens on: connecting to it is refused.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The lines of the FAILED REQUESTS section, trimmed; empty when there is none.
fn failure_lines(run: &Run) -> Vec<String> {
    let Some(section) = run.stdout.split("█ FAILED REQUESTS").nth(1) else {
        return Vec::new();
    };
    section.lines().skip(2).take_while(|l| !l.trim().is_empty()).map(|l| l.trim().to_owned()).collect()
}

/// `code message...: share count out of total`, with the dots squeezed out.
fn squeezed(line: &str) -> String {
    let (name, rest) = line.split_once(".:").unwrap_or_else(|| panic!("no dotted name in {line:?}"));
    format!("{}: {}", name.trim_end_matches('.'), rest.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Per iteration: three requests to a closed port, two 503s, one 404; four iterations.
fn mixed_failures(extra: &str) -> (Target, Script, Vec<String>) {
    let target = Target::start();
    let s = script(&format!(
        r#"
        export const options = #{{ vus: 1, iterations: 4 }};
        fn run() {{
            for i in 0..3 {{ http.get(`http://127.0.0.1:${{__ENV.CLOSED}}/`); }}
            for i in 0..2 {{ http.get(`${{__ENV.BASE_URL}}/status/503`); }}
            http.get(`${{__ENV.BASE_URL}}/status/404`);
            http.get(`${{__ENV.BASE_URL}}/`);
        }}
        {extra}
    "#
    ));
    let env = vec![
        "-e".to_owned(),
        format!("BASE_URL={}", target.url()),
        "-e".to_owned(),
        format!("CLOSED={}", closed_port()),
    ];
    (target, s, env)
}

#[test]
fn the_summary_lists_404_503_and_refused_requests_by_code_and_message_in_count_order() {
    let (_target, s, env) = mixed_failures("");
    for mode in ["full", "compact"] {
        let mut args: Vec<&str> = env.iter().map(String::as_str).collect();
        args.extend(["--summary-mode", mode]);
        let run = rload(&s, &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let rows: Vec<String> = failure_lines(&run).iter().map(|l| squeezed(l)).collect();
        assert_eq!(
            rows,
            [
                "1212 dial: connection refused: 50.00% 12 out of 24",
                "1503 503 Service Unavailable: 33.33% 8 out of 24",
                "1404 404 Not Found: 16.66% 4 out of 24",
            ],
            "{mode}:\n{}",
            run.stdout
        );
        assert!(run.line("http_req_failed").contains("24 out of 28"), "the table counts what http_req_failed counts");
    }
}

#[test]
fn handle_summary_data_has_the_failure_table_under_rloads_own_key() {
    let (_target, s, env) = mixed_failures("fn handle_summary(data) { #{ stdout: to_json(data) } }");
    let args: Vec<&str> = env.iter().map(String::as_str).collect();
    let run = rload(&s, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.stdout.lines().last().unwrap_or_default(); // after the banner
    let data: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let mut keys: Vec<&str> = data.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["metrics", "options", "rload_failed_requests", "root_group", "state"]);
    let table = &data["rload_failed_requests"];
    assert_eq!(table["total"], 24);
    assert_eq!(
        table["rows"][0],
        serde_json::json!({ "error_code": 1212, "message": "dial: connection refused", "count": 12 })
    );
    assert_eq!(
        table["rows"][1],
        serde_json::json!({ "error_code": 1503, "message": "503 Service Unavailable", "count": 8 })
    );
    assert_eq!(table["rows"][2], serde_json::json!({ "error_code": 1404, "message": "404 Not Found", "count": 4 }));
    assert_eq!(table["rows"].as_array().unwrap().len(), 3);
    assert!(table["other"].is_null(), "{table}");
}

#[test]
fn a_run_without_failures_prints_no_failure_table() {
    let target = Target::start();
    let s = script("fn run() { http.get(`${__ENV.BASE_URL}/`); }");
    let run = rload(&s, &["-i", "3", "-e", &format!("BASE_URL={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("http_req_failed").contains("0 out of 3"), "{}", run.stdout);
    assert!(!run.stdout.contains("FAILED REQUESTS"), "{}", run.stdout);
}

#[test]
fn many_distinct_failures_show_twenty_rows_and_one_other_line() {
    let target = Target::start();
    // 26 statuses, 400 to 425, the first ones more often so the order is by count.
    let s = script(
        r#"
        fn run() {
            for i in 0..26 {
                let times = if i < 20 { 2 } else { 1 };
                for t in 0..times { http.get(`${__ENV.BASE_URL}/status/${400 + i}`); }
            }
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &format!("BASE_URL={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<String> = failure_lines(&run).iter().map(|l| squeezed(l)).collect();
    assert_eq!(rows.len(), 21, "{}", run.stdout);
    assert_eq!(rows[0], "1400 400 Bad Request: 4.34% 2 out of 46");
    assert!(rows[19].starts_with("1419 "), "{}", rows[19]);
    assert_eq!(rows[20], "other (6 distinct): 13.04% 6 out of 46");
}

#[test]
fn failed_websocket_connects_are_listed_with_their_codes() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            ws.connect(`ws://127.0.0.1:${__ENV.CLOSED}/`, #{}, |socket| {});
            ws.connect(`${__ENV.WS_URL}/status/404`, #{}, |socket| {});
            ws.connect(`${__ENV.WS_URL}/status/404`, #{}, |socket| {});
        }
    "#,
    );
    let ws_url = format!("ws://{}", target.addr);
    let closed = closed_port().to_string();
    let run = rload(&s, &["-i", "2", "-e", &format!("WS_URL={ws_url}"), "-e", &format!("CLOSED={closed}")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<String> = failure_lines(&run).iter().map(|l| squeezed(l)).collect();
    assert_eq!(
        rows,
        ["1404 websocket: bad handshake: 66.66% 4 out of 6", "1212 dial: connection refused: 33.33% 2 out of 6"],
        "{}",
        run.stdout
    );
}

#[test]
fn failed_requests_add_no_cardinality_warning_of_their_own() {
    let s = script(
        r#"
        fn run() {
            http.get(`http://127.0.0.1:${__ENV.CLOSED}/`);
            http.get(`http://127.0.0.1:${__ENV.CLOSED}/other`);
        }
    "#,
    );
    let closed = format!("CLOSED={}", closed_port());
    let run = rload(&s, &["-i", "20", "-e", &closed, "--max-series", "10"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(failure_lines(&run).len(), 1, "{}", run.stdout);
    assert!(!run.stdout.contains("WARN"), "two URLs, one error: no warning\n{}", run.stdout);

    // An id in every URL fills the cap: the warning names the URL, not the `error` tag.
    let s = script(r#"fn run() { http.get(`http://127.0.0.1:${__ENV.CLOSED}/items/${__ITER}`); }"#);
    let run = rload(&s, &["-i", "20", "-e", &closed, "--max-series", "10"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("WARN more than 10 distinct tag sets"), "{}", run.stdout);
    assert!(run.stdout.contains("tag `name` (10 distinct values"), "{}", run.stdout);
    assert!(!run.stdout.contains("tag `error`"), "{}", run.stdout);
}
