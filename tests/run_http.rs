//! End-to-end HTTP behaviour: timings, per-VU keep-alive, k6 error codes, binary bodies.
mod common;
use common::*;

#[test]
fn timings_are_present_and_ordered() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let r = http.post(`${__ENV.BASE}/echo`, "hello", #{ headers: #{ "X-Test": "1" } });
            let t = r.timings;
            check(r, #{
                "echoed": |r| r.status == 200 && r.body == "hello" && r.status_text == "200 OK",
                "header echoed": |r| r.headers["X-Echo-X-Test"] == "1",
                "duration >= waiting > 0": |r| t.duration >= t.waiting && t.waiting > 0.0,
                "duration = sending + waiting + receiving": |r| (t.duration - (t.sending + t.waiting + t.receiving)).abs() < 0.01,
                "the peer's address": |r| r.remote_ip == "127.0.0.1" && `${r.remote_port}` == __ENV.BASE.split(":")[2],
            });
        }
    "#,
    );
    let run = rload(&s, &["-i", "5", "-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn no_connection_reuse_asks_the_server_to_close_as_k6_does() {
    // k6 v1.1.0 with noConnectionReuse sends `Connection: close` (Go's transport with
    // keep-alives off): 19 bytes more data_sent a request (k6: 534 B for 6 GETs of /echo
    // with userAgent "myagent/1.0"; rload sent 420 B).
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ noConnectionReuse: true, iterations: 2 };
        fn run() {
            let r = http.get(`${__ENV.BASE}/echo`);
            check(r, #{ "Connection: close sent": |r| r.headers["X-Echo-Connection"] == "close" });
        }
    "#,
    );
    let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
    run.assert_all_checks_pass(2);
}

#[test]
fn a_request_cut_by_the_end_of_graceful_stop_counts_its_bytes_as_k6_does() {
    // k6 v1.1.0 counts what a request cut in flight wrote (its dialer counts every byte):
    // this run's only request, still waiting for its response when gracefulStop (0s) ends,
    // gives data_sent=69 B there (its request line and headers). rload counted 0.
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{
            scenarios: #{ cut: #{ executor: "constant-vus", vus: 1, duration: "1s", gracefulStop: "0s" } },
            userAgent: "k6ua",
        };
        fn run() { http.get(`${__ENV.BASE}/delay/3000`); }
        fn handle_summary(data) { #{ stdout: `sent=${data.metrics.data_sent.values.count}` } }
    "#,
    );
    let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let host = target.url().trim_start_matches("http://").to_owned();
    let request = format!("GET /delay/3000 HTTP/1.1\r\nHost: {host}\r\nUser-Agent: k6ua\r\n\r\n");
    assert!(run.stdout.contains(&format!("sent={}", request.len())), "{} (expected {})", run.stdout, request.len());
}

#[test]
fn a_method_is_sent_as_written_as_in_k6() {
    // k6 v1.1.0 sends `http.request("get", url)` as `get /x HTTP/1.1` (checked against a
    // loopback server that echoes the request line); rload upper-cased it.
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            for method in ["get", "Post", "PUT", "patch"] {
                let r = http.request(method, `${__ENV.BASE}/echo`, "x");
                let checks = #{};
                checks[`${method} sent as written`] = |r| r.headers["X-Echo-Method"] == method;
                checks[`${method} tagged as written`] = |r| r.request.method == method;
                check(r, checks);
            }
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.assert_all_checks_pass(8);
}

#[test]
fn each_vu_keeps_its_own_keep_alive_connection() {
    let target = Target::start();
    let s = script(r#"fn run() { http.get(`${__ENV.BASE}/`); }"#);
    let run = rload(&s, &["-u", "3", "-i", "30", "-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let stats = target.stats();
    // 3 VUs → 3 connections; the /stats request itself is the 4th.
    assert_eq!(stats["connections_total"], 4, "{stats}");
    assert_eq!(stats["requests_total"], 31, "{stats}");
}

/// k6's Go transport keeps at most `batchPerHost` idle connections per host (Go's 2 when it is
/// 0) and `batch` in all: after 8 requests at once to one host, the next 8 connect again for
/// those it closed. The counts are k6 v1.1.0's (`timings.connecting > 0` of the second 8).
#[test]
fn a_vu_keeps_as_many_idle_connections_as_k6s_transport() {
    for (options, reconnected) in
        [("", 2), ("batchPerHost: 8", 0), ("batchPerHost: 0", 6), ("batch: 4, batchPerHost: 8", 4)]
    {
        let target = Target::start();
        let s = script(&format!(
            r#"
            export const options = #{{ iterations: 1, {options} }};
            fn run() {{
                let eight = [];
                for i in 0..8 {{ eight.push(["GET", `${{__ENV.BASE}}/delay/100?i=${{i}}`]); }}
                let first = http.request_all(eight);
                let second = http.request_all(eight);
                let fresh = second.filter(|r| r.timings.connecting > 0).len();
                print(`RECONNECTED ${{fresh}}`);
            }}
            "#
        ));
        let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
        assert_eq!(run.code, 0, "{options}: {}", run.stderr);
        assert!(run.stdout.contains(&format!("RECONNECTED {reconnected}")), "{options}: {}", run.stdout);
        // The /stats request is a connection of its own.
        assert_eq!(target.stats()["connections_total"], 8 + reconnected + 1, "{options}");
    }
}

/// k6 refuses a request in init code ("Making http requests in the init context is not
/// supported", exit 107): every VU runs it, so it would be one request per VU before the test.
/// rload sent them; now it fails as k6 does, whichever API makes the request.
#[test]
fn a_request_in_init_code_is_an_error_as_in_k6() {
    let target = Target::start();
    for call in [
        "http.get(`${__ENV.BASE}/`)",
        "http.batch([`${__ENV.BASE}/`])",
        "http.request_all([[\"GET\", `${__ENV.BASE}/`]])",
        "http.asyncRequest(\"GET\", `${__ENV.BASE}/`)",
    ] {
        let s = script(&format!("const R = {call};\nfn run() {{}}\n"));
        let run = rload(&s, &["-u", "2", "-i", "2", "-e", &format!("BASE={}", target.url())]);
        assert_eq!(run.code, 107, "{call}: {}", run.stderr);
        assert!(
            run.stderr.contains("Making http requests in the init context is not supported"),
            "{call}: {}",
            run.stderr
        );
    }
    // Only the /stats request reached the target.
    assert_eq!(target.stats()["requests_total"], 1);
}

#[test]
fn no_connection_reuse_opens_one_connection_per_request() {
    let target = Target::start();
    let s = script(r#"fn run() { http.get(`${__ENV.BASE}/`); }"#);
    let run = rload(&s, &["-u", "2", "-i", "6", "--no-connection-reuse", "-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(target.stats()["connections_total"], 7);
}

#[test]
fn closed_port_and_timeout_become_k6_error_codes() {
    let target = Target::start();
    // A port nothing listens on: bind, read the port, close.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let s = script(&format!(
        r#"
        fn run() {{
            let refused = http.get("http://127.0.0.1:{closed}/");
            check(refused, #{{
                "refused has status 0": |r| r.status == 0,
                "refused is 1212 (k6: dial refused)": |r| r.error_code == 1212,
                "refused has an error text": |r| r.error.len() > 0,
                "refused has no peer": |r| r.remote_ip == "" && r.remote_port == 0,
            }});
            let slow = http.get(`${{__ENV.BASE}}/delay/2000`, #{{ timeout: "200ms" }});
            check(slow, #{{ "timeout is 1050": |r| r.error_code == 1050 && r.status == 0 }});
        }}
    "#
    ));
    let run = rload(&s, &["-i", "2", "-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("http_req_failed").contains("100.00%"), "{}", run.line("http_req_failed"));
}

#[test]
fn redirects_are_followed_and_json_is_parsed() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let r = http.get(`${__ENV.BASE}/redirect/2`);
            check(r, #{ "followed to the end": |r| r.status == 200 && r.url.ends_with("/redirect/0") });
            let none = http.get(`${__ENV.BASE}/redirect/2`, #{ redirects: 0 });
            check(none, #{ "not followed": |r| r.status == 302 });
            let j = http.get(`${__ENV.BASE}/delay/1`);
            check(j, #{ "json selector": |r| r.json("delay_ms") == 1 });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}\n{}", run.stdout, run.stderr);
    // 3 hops + 1 + 1 requests.
    assert!(
        run.line("http_reqs").contains(" 5 ") || run.line("http_reqs").contains(": 5"),
        "{}",
        run.line("http_reqs")
    );
}

#[test]
fn cookies_persist_within_a_vu() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            http.get(`${__ENV.BASE}/cookies/set?session=abc`);
            let r = http.get(`${__ENV.BASE}/cookies`);
            check(r, #{ "cookie sent back": |r| r.json("cookies.session") == "abc" });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn each_iteration_starts_with_an_empty_cookie_jar_unless_no_cookies_reset() {
    let target = Target::start();
    for (option, expected) in [("false", "none"), ("true", "abc")] {
        let s = script(&format!(
            r#"
            export const options = #{{ iterations: 2, noCookiesReset: {option} }};
            fn run() {{
                if __ITER == 0 {{
                    http.get(`${{__ENV.BASE}}/cookies/set?session=abc`);
                }} else {{
                    let r = http.get(`${{__ENV.BASE}}/cookies`);
                    let session = r.json("cookies.session") ?? "none";
                    let checks = #{{}};
                    checks[`second iteration sees ${{session}}`] = true;
                    check(r, checks);
                }}
            }}
        "#
        ));
        let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains(&format!("✓ second iteration sees {expected}")), "{option}: {}", run.stdout);
    }
}

#[test]
fn batch_sends_requests_in_parallel_and_keeps_their_order() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let started = timestamp_ms();
            let rs = http.batch([
                ["GET", `${__ENV.BASE}/delay/300`],
                ["POST", `${__ENV.BASE}/echo`, "second"],
                #{ method: "GET", url: `${__ENV.BASE}/status/404` },
                `${__ENV.BASE}/delay/300`,
            ]);
            let took = timestamp_ms() - started;
            let named = http.batch(#{ home: ["GET", `${__ENV.BASE}/`] });
            check(rs, #{
                "in order": |r| r[0].status == 200 && r[1].body == "second" && r[2].status == 404 && r[3].status == 200,
                "in parallel": |r| took < 550,
                "named": |r| named.home.status == 200,
            });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("http_reqs").contains(" 5 "), "{}", run.line("http_reqs"));
}

/// The sweep's repro (E1): 20 requests to one host in one batch went all at once; k6 sends
/// `batchPerHost` (6) at a time over 6 connections, and the options change that.
#[test]
fn batch_sends_at_most_batch_per_host_requests_to_one_host_at_once() {
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            let reqs = [];
            for i in 0..20 { reqs.push(["GET", `${__ENV.BASE}/delay/50?i=${i}`]); }
            let rs = http.batch(reqs);
            check(rs, #{ "all 20 answered": |rs| rs.len() == 20 && rs.all(|r| r.status == 200) });
        }
    "#,
    );
    // (flags, connections the batch opens): one per request in flight at once.
    for (flags, connections) in [
        (&[][..], 6),
        (&["--batch-per-host", "3"][..], 3),
        (&["--batch", "4"][..], 4),
        (&["--batch-per-host", "0"][..], 20),
    ] {
        let target = Target::start();
        let base = format!("BASE={}", target.url());
        let mut args = vec!["-e", base.as_str()];
        args.extend_from_slice(flags);
        let run = rload(&s, &args);
        run.assert_all_checks_pass(1);
        // The /stats request is one more connection.
        assert_eq!(target.stats()["connections_total"], connections + 1, "{flags:?}");
    }
}

/// The sweep's repro (G2 item 4): the per-host key dropped a default port and lower-cased the
/// host, so `http://h/` and `http://h:80/` shared `batchPerHost`'s slots; k6 keys by the host
/// as the URL writes it (Go's `URL.Host`; k6 v1.1.0 sends `localhost` and `LOCALHOST` of one
/// batch at once under `batchPerHost: 1`). One connection: one after the other; two: at once.
#[test]
fn batch_per_host_counts_hosts_as_the_urls_write_them_as_k6_does() {
    let s = script(
        r#"
        export const options = #{ iterations: 1, batchPerHost: 1 };
        fn run() {
            let rs = http.batch([`http://${__ENV.FIRST}/delay/200`, `http://${__ENV.SECOND}/delay/200`]);
            check(rs, #{ "both answered": |rs| rs.all(|r| r.status == 200) });
        }
    "#,
    );
    for (second, connections) in [("localhost", 1), ("LOCALHOST", 2)] {
        let target = Target::start();
        let port = target.addr.port();
        let (first, second) = (format!("FIRST=localhost:{port}"), format!("SECOND={second}:{port}"));
        let run = rload(&s, &["-e", &first, "-e", &second]);
        run.assert_all_checks_pass(1);
        // The /stats request is one more connection.
        assert_eq!(target.stats()["connections_total"], connections + 1, "{second}");
    }
}

#[test]
fn a_body_over_max_response_body_size_fails_the_request_with_1060_and_the_run_goes_on() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ maxResponseBodySize: "100KB" };
        fn run() {
            let big = http.get(`${__ENV.BASE}/bytes/300000`);
            check(big, #{
                "over the cap: status 0, 1060": |r| r.status == 0 && r.error_code == 1060,
                "the error names the option": |r| r.error == "response body exceeds maxResponseBodySize (100000 bytes)",
                "no body": |r| type_of(r.body) == "()",
            });
            let small = http.get(`${__ENV.BASE}/bytes/1000`);
            check(small, #{ "under the cap: read": |r| r.status == 200 && r.body_bytes().len() == 1000 });
        }
    "#,
    );
    let run = rload(&s, &["-i", "2", "-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("http_req_failed").contains("50.00%"), "{}", run.line("http_req_failed"));

    // The CLI flag replaces the script's cap.
    let run = rload(&s, &["-i", "1", "--max-response-body-size", "1MB", "-e", &format!("BASE={}", target.url())]);
    assert!(run.line("http_req_failed").contains("0.00%"), "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn a_binary_file_opened_with_b_is_sent_byte_for_byte_and_refused_as_text() {
    let target = Target::start();
    let s = script(
        r#"
        const BIN = open("data.bin", "b");
        fn run() {
            let r = http.post(`${__ENV.BASE}/echo`, BIN, #{ responseType: "binary" });
            check(r, #{ "the bytes come back": |r| r.body == BIN && BIN.len() == 256 });
        }
    "#,
    );
    let bytes: Vec<u8> = (0..=255).collect();
    std::fs::write(s.dir.path().join("data.bin"), &bytes).unwrap();
    let run = rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}\n{}", run.stdout, run.stderr);

    let text = script("const T = open(\"data.bin\");\nfn run() {}\n");
    std::fs::write(text.dir.path().join("data.bin"), &bytes).unwrap();
    let run = rload(&text, &["-i", "1"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("not UTF-8 text") && run.stderr.contains("open(path, \"b\")"), "{}", run.stderr);
}

/// k6 writes a header or tag value that is not a string as JavaScript's `String(value)` does:
/// a whole float without ".0", an array joined by commas, a map as "[object Object]" (a tag
/// takes only a bool or a number: see the test of params k6 cannot use). Rhai's
/// own text ("3.0", "[1, 2]") would send other bytes than the k6 script it was ported from.
#[test]
fn non_string_header_and_tag_values_are_sent_as_javascript_writes_them() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let price = 1.5 * 2;
            let r = http.get(`${__ENV.BASE}/echo`, #{
                headers: #{ "X-Float": price, "X-Half": 2.5, "X-Int": 7, "X-List": [1, 2.0, "a"], "X-Map": #{ a: 1 } },
                tags: #{ price: price },
            });
            check(r, #{
                "whole float": |r| r.headers["X-Echo-X-Float"] == "3",
                "fraction": |r| r.headers["X-Echo-X-Half"] == "2.5",
                "integer": |r| r.headers["X-Echo-X-Int"] == "7",
                "array": |r| r.headers["X-Echo-X-List"] == "1,2,a",
                "map": |r| r.headers["X-Echo-X-Map"] == "[object Object]",
            });
        }
    "#,
    );
    let out = s.dir.path().join("samples.json");
    let run =
        rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url()), "-o", &format!("json={}", out.display())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.assert_all_checks_pass(5);
    let samples = std::fs::read_to_string(&out).unwrap();
    assert!(samples.contains(r#""price":"3""#), "{samples}");
}

/// The sweep's repros (E5, E8): a helper passing `()` headers and tags, `redirects: ()` (k6
/// reads null as 0), and `redirects` as `__ENV` text or a whole float, as k6 v1.1 runs them.
#[test]
fn unit_and_text_params_are_taken_as_k6_takes_them() {
    let target = Target::start();
    let s = script(
        r#"
        fn get(url, headers, tags) { http.get(url, #{ headers: headers, tags: tags }) }
        fn run() {
            let helper = get(`${__ENV.BASE}/`, (), ());
            let none = http.get(`${__ENV.BASE}/redirect/3`, #{ redirects: (), "throw": () });
            let text = http.get(`${__ENV.BASE}/redirect/3`, #{ redirects: __ENV.REDIRECTS });
            let float = http.get(`${__ENV.BASE}/redirect/3`, #{ redirects: 1.0 });
            check(helper, #{
                "() headers and tags are none": |r| r.status == 200,
                "redirects: () follows none": |r| none.status == 302 && none.url.ends_with("/redirect/3"),
                "redirects: \"1\" follows one": |r| text.status == 302 && text.url.ends_with("/redirect/2"),
                "redirects: 1.0 follows one": |r| float.status == 302 && float.url.ends_with("/redirect/2"),
            });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url()), "-e", "REDIRECTS=1"]);
    run.assert_all_checks_pass(4);
}

/// The sweep's repro (G2 item 1): a header set to `()` went out with an empty value; k6 v1.1
/// sends JavaScript's `String(null)` for `headers: { "X-A": null }`, the text `null`.
#[test]
fn a_unit_header_value_is_sent_as_the_text_null_as_k6_sends_it() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let r = http.get(`${__ENV.BASE}/echo`, #{ headers: #{ "X-A": (), "X-B": "b" } });
            check(r, #{
                "sent as null": |r| r.headers["X-Echo-X-A"] == "null",
                "shown as null": |r| r.request.headers["X-A"] == ["null"],
                "the others as given": |r| r.headers["X-Echo-X-B"] == "b",
            });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url())]);
    run.assert_all_checks_pass(3);
}

/// The sweep's repro (G2 item 2): `throw: 1` was refused ("params.throw must be a bool"); k6
/// takes the param's JavaScript truthiness, so `1`, `"false"` and `#{}` throw on a failed
/// request and `0`, `""` and `()` do not.
#[test]
fn params_throw_is_read_as_javascript_truthiness_as_k6_reads_it() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let s = script(&format!(
        r#"
        fn throws(value) {{
            try {{ http.get("http://127.0.0.1:{closed}/", #{{ "throw": value }}); }} catch {{ return true; }}
            false
        }}
        fn run() {{
            check(0, #{{
                "truthy values throw": |r| [1, 0.5, "false", #{{}}, []].all(|v| throws(v)),
                "falsy values do not": |r| [0, 0.0, "", ()].all(|v| !throws(v)),
            }});
        }}
    "#
    ));
    let run = rload(&s, &["-i", "1"]);
    run.assert_all_checks_pass(2);
}

/// The sweep's repro (G2 item 3): `timeout: ()`, `responseType: 5` or an array body ended the
/// iteration with a script error. k6 v1.1 fails such a request before sending it: the warning `Request Failed`
/// (`A batch request failed` in a batch), a status-0 response whose `error` says why, no
/// sample (`http_reqs` does not count it), and the iteration goes on; a batch stops at the
/// entry, its later entries get no response. With the `throw` option it is a script error.
#[test]
fn a_param_value_k6_cannot_use_fails_the_request_with_a_warning_and_the_iteration_goes_on() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let timeout = http.get(`${__ENV.BASE}/`, #{ timeout: () });
            let kind = http.get(`${__ENV.BASE}/`, #{ responseType: 5 });
            let body = http.post(`${__ENV.BASE}/echo`, [1, 2]);
            let all = http.batch([`${__ENV.BASE}/`, ["GET", `${__ENV.BASE}/`, (), #{ tags: #{ a: () } }], `${__ENV.BASE}/`]);
            let sent = http.get(`${__ENV.BASE}/`);
            check(timeout, #{
                "status 0 with the reason": |r| r.status == 0 && r.error.contains("params.timeout") && r.error_code == 0,
                "responseType too": |r| kind.status == 0 && kind.error.contains("params.responseType"),
                "and a body k6 cannot send": |r| body.status == 0 && body.error.contains("unknown request body type"),
                "the batch stops at the entry": |r| all.len() == 3 && all[0].status == 0 && all[0].error == ""
                    && all[1].error.contains("metric tag 'a'") && type_of(all[2]) == "()",
                "the iteration goes on": |r| sent.status == 200,
            });
        }
    "#,
    );
    let base = format!("BASE={}", target.url());
    let run = rload(&s, &["-i", "1", "-e", &base]);
    run.assert_all_checks_pass(5);
    assert_eq!(run.count("http_reqs"), 1, "{}", run.stdout);
    assert!(run.line("http_req_failed").contains("0 out of 1"), "{}", run.stdout);
    for warning in
        [r#"WARN Request Failed error="params.timeout"#, r#"WARN A batch request failed error="invalid HTTP"#]
    {
        assert!(run.stderr.contains(warning), "{warning}: {}", run.stderr);
    }

    let run = rload(&s, &["-i", "1", "-e", &base, "--throw"]);
    assert!(run.stdout.contains("iterations with script errors: 1"), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("params.timeout must be a duration"), "{}", run.stderr);
}

/// k6 reads a cookie's `replace` as JavaScript's truthiness and its `value` as text: checked
/// with k6 v1.1.0, `replace: ""` and `0.0` keep the jar's cookie of that name (both are sent),
/// `replace: "false"` replaces it, and `value: null` sends `null`. rload read `""` and `0.0`
/// as true and sent `()` as an empty value.
#[test]
fn request_cookie_replace_and_value_are_read_as_k6_reads_them() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let url = `${__ENV.BASE}/echo`;
            let jar = http.cookieJar();
            for name in ["a", "b", "c"] { jar.set(url, name, "jar"); }
            let r = http.get(url, #{ cookies: #{
                a: #{ value: "x", replace: "" },
                b: #{ value: "y", replace: "false" },
                c: #{ value: (), replace: 0.0 },
            } });
            let sent = r.headers["X-Echo-Cookie"].split("; ");
            check(sent, #{
                "replace \"\" keeps the jar's": |s| s.contains("a=x") && s.contains("a=jar"),
                "replace \"false\" replaces it": |s| s.contains("b=y") && !s.contains("b=jar"),
                "value () is null": |s| s.contains("c=null") && s.contains("c=jar"),
            });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url())]);
    run.assert_all_checks_pass(3);
}
