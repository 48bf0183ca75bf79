//! `ws.connect` sessions against the reference target: messages, closures, close codes,
//! pings, timers, and handlers that suspend the VU (k6/ws semantics).
mod common;
use common::*;

fn ws_base(target: &Target) -> String {
    format!("WS=ws://{}", target.addr)
}

#[test]
fn echo_round_trip_counts_every_message_exactly() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let received = 0;
            let res = ws.connect(`${__ENV.WS}/ws/echo`, #{ tags: #{ room: "a" } }, |socket| {
                socket.on("open", || { for i in 0..5 { socket.send(`hello ${i}`); } });
                socket.on("message", |text| {
                    received += 1;
                    if received == 5 { socket.close(); }
                });
            });
            check(res, #{
                "upgraded with 101": |r| r.status == 101 && r.error == "" && r.error_code == 0,
                "handlers updated the outer variable": |r| received == 5,
                "upgrade headers are canonical": |r| r.headers["Upgrade"] == "websocket",
            });
        }
    "#,
    );
    let run = rload(&s, &["-u", "2", "-i", "6", "-e", &ws_base(&target)]);
    run.assert_all_checks_pass(18);
    assert_eq!(run.count("ws_msgs_sent"), 30);
    assert_eq!(run.count("ws_msgs_received"), 30);
    assert_eq!(run.count("ws_sessions"), 6);
    for trend in ["ws_connecting", "ws_session_duration"] {
        assert!(run.line(trend).contains("avg="), "{}", run.stdout);
    }
}

#[test]
fn binary_messages_arrive_as_blobs_and_text_handlers_stay_quiet() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let got = ();
            let texts = 0;
            ws.connect(`${__ENV.WS}/ws/echo`, |socket| {
                socket.on("open", || socket.sendBinary(blob(1000, 42)));
                socket.on("message", |text| texts += 1);
                socket.on("binaryMessage", |data| { got = data; socket.close(); });
            });
            check(got, #{
                "a blob of 1000 bytes of 42": |b| type_of(b) == "blob" && b.len() == 1000 && b[999] == 42,
                "no text message": |b| texts == 0,
            });
        }
    "#,
    );
    let run = rload(&s, &["-i", "2", "-e", &ws_base(&target)]);
    run.assert_all_checks_pass(4);
    assert_eq!(run.count("ws_msgs_sent"), 2);
    assert_eq!(run.count("ws_msgs_received"), 2);
}

#[test]
fn a_one_mib_text_message_arrives_whole_through_the_small_read_buffer() {
    // A connection reads in chunks of ws::READ_BUFFER_SIZE (1 KiB); a message is not limited by
    // it. 1 MiB of text, echoed, must come back byte for byte, in one `message` event.
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let sent = "0123456789abcdef";
            for i in 0..16 { sent += sent; }
            sent += "end";
            let got = [];
            ws.connect(`${__ENV.WS}/ws/echo`, |socket| {
                socket.on("open", || socket.send(sent));
                socket.on("message", |text| { got.push(text); socket.close(); });
            });
            check(got, #{
                "one message": |g| g.len() == 1,
                "1 MiB + 3 bytes": |g| g[0].len() == 1048579,
                "byte for byte what was sent": |g| g[0] == sent,
            });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &ws_base(&target)]);
    run.assert_all_checks_pass(3);
    assert_eq!(run.count("ws_msgs_received"), 1);
}

#[test]
fn close_codes_reach_the_close_handler_from_either_side() {
    let target = Target::start();
    let s = script(
        r#"
        // code > 0: we close with it; 0: plain close(); -1: wait for the server to close.
        fn session(url, code) {
            let seen = #{ code: 0, errors: [], no_arg_handler_ran: false };
            ws.connect(url, |socket| {
                socket.on("open", || {
                    if code > 0 { socket.close(code); } else if code == 0 { socket.close(); }
                });
                socket.on("error", |e| seen.errors.push(e));
                socket.on("close", |c| seen.code = c);
                socket.on("close", || seen.no_arg_handler_ran = true);
            });
            seen
        }
        fn run() {
            let base = __ENV.WS;
            let ours = session(`${base}/ws/echo`, 4000);
            let plain = session(`${base}/ws/echo`, 0);
            let theirs = session(`${base}/ws/close/4001`, -1);
            let normal = session(`${base}/ws/close/1000`, -1);
            check(ours, #{
                "our code reaches the handler": |s| s.code == 4000 && s.errors.len() == 0,
                "handlers without a parameter run too": |s| s.no_arg_handler_ran,
            });
            check(plain, #{ "close() sends 1001 like k6": |s| s.code == 1001 });
            check(theirs, #{
                "the server's code reaches the handler": |s| s.code == 4001,
                "an unusual server code is an error as in k6": |s| s.errors == ["websocket: close 4001: bye"],
            });
            check(normal, #{ "a normal server close is no error": |s| s.code == 1000 && s.errors.len() == 0 });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &ws_base(&target)]);
    run.assert_all_checks_pass(6);
    assert_eq!(run.count("ws_sessions"), 4);
}

#[test]
fn pings_get_pongs_and_ws_ping_measures_them() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let pongs = 0;
            ws.connect(`${__ENV.WS}/ws/echo`, |socket| {
                // k6's examples/websocket.js pings with data, which k6 ignores (its ping takes
                // no argument; JavaScript drops extra ones).
                socket.on("open", || { socket.ping(); socket.ping("application-data"); socket.ping(#{ any: 1 }); });
                socket.on("pong", || { pongs += 1; if pongs == 3 { socket.close(); } });
            });
            check(pongs, #{ "three pongs": |n| n == 3 });
        }
    "#,
    );
    let run = rload(&s, &["-i", "2", "-e", &ws_base(&target)]);
    run.assert_all_checks_pass(2);
    assert!(run.line("ws_ping").contains("avg="), "{}", run.stdout);
    // Pings are not messages.
    assert!(!run.stdout.contains("ws_msgs_sent"), "{}", run.stdout);
}

/// Sweep E #10: a socket that the end of `gracefulStop` cuts records no `ws_session_duration`
/// (k6 records none for it), while it counts in `ws_sessions` and its messages count.
#[test]
fn a_socket_cut_at_the_end_of_graceful_stop_records_no_session_duration() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ scenarios: #{ a: #{ executor: "constant-vus", vus: 1, duration: "1s", gracefulStop: "0s" } } };
        fn run() {
            ws.connect(`${__ENV.WS}/ws/echo`, |socket| {
                socket.on("open", || socket.send("x"));
                socket.on("message", |m| socket.setTimeout(|| socket.send(m), 20));
            });
        }
    "#,
    );
    let run = rload(&s, &["-e", &ws_base(&target)]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.count("ws_sessions"), 1, "{}", run.stdout);
    assert!(run.count("ws_msgs_received") > 5, "{}", run.stdout);
    assert!(!run.stdout.contains("ws_session_duration"), "{}", run.stdout);
}

#[test]
fn set_interval_and_set_timeout_fire_on_time_and_in_order() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let start = now_ms();
            let ticks = [];
            let order = [];
            ws.connect(`${__ENV.WS}/ws/echo`, |socket| {
                socket.setInterval(|| ticks.push(now_ms() - start), 100);
                socket.setTimeout(|| order.push("b"), 150);
                socket.setTimeout(|| order.push("a"), 50.0);
                socket.setTimeout(|| socket.close(), 550);
                socket.setTimeout(|| order.push("never: the socket is closed by then"), 900);
            });
            let elapsed = now_ms() - start;
            check(ticks, #{
                "5 ticks of 100 ms in 550 ms": |t| t.len() == 5,
                "ticks on the 100 ms grid": |t| t[0] >= 95.0 && t[0] < 180.0 && t[4] >= 495.0 && t[4] < 580.0,
                "timeouts in due order, none after close": |t| order == ["a", "b"],
                "the session lasted until the 550 ms timeout": |t| elapsed >= 545.0 && elapsed < 850.0,
            });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &ws_base(&target)]);
    run.assert_all_checks_pass(4);
}

#[test]
fn a_handler_may_call_http_while_frames_keep_arriving_and_none_is_lost() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let seqs = [];
            let slow_status = 0;
            ws.connect(`${__ENV.WS}/ws/broadcast?interval_ms=10`, |socket| {
                socket.on("message", |text| {
                    seqs.push(parse_json(text).seq);
                    if seqs.len() == 1 {
                        // Suspends this VU for 300 ms; ~30 broadcasts arrive meanwhile.
                        slow_status = http.post(`${__ENV.HTTP}/delay/300`, "x").status;
                        check(slow_status, #{ "http works inside a handler": |s| s == 200 });
                    }
                    if seqs.len() == 50 { socket.close(); }
                });
            });
            let gaps = 0;
            for i in 1..seqs.len() { if seqs[i] != seqs[i - 1] + 1 { gaps += 1; } }
            check(seqs, #{
                "50 messages": |s| s.len() == 50,
                "consecutive sequence numbers: nothing lost or reordered": |s| gaps == 0,
            });
        }
    "#,
    );
    let http = format!("HTTP={}", target.url());
    let run = rload(&s, &["-i", "1", "-e", &ws_base(&target), "-e", &http]);
    run.assert_all_checks_pass(3);
    assert_eq!(run.count("ws_msgs_received"), 50);
    assert_eq!(run.count("http_reqs"), 1);
}

#[test]
fn socket_methods_work_inside_handlers_fired_by_socket_methods() {
    // `close()` runs the close handlers, `send()` after close runs the error handlers: both
    // re-enter the socket while one of its methods is running.
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let errors = [];
            ws.connect(`${__ENV.WS}/ws/echo`, |socket| {
                socket.on("open", || socket.close());
                socket.on("close", |code| socket.send("too late"));
                socket.on("error", |e| errors.push(e));
            });
            check(errors, #{ "sending after close is an error event": |e| e == ["websocket: close sent"] });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &ws_base(&target)]);
    run.assert_all_checks_pass(1);
}

#[test]
fn the_handler_parameter_may_have_any_name() {
    // k6 lets the handler name its socket anything; closures capture it under that name.
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let got_s = [];
            let res_s = ws.connect(`${__ENV.WS}/ws/echo`, |s| {
                s.on("open", || { s.send("one"); s.send("two"); s.send("three"); });
                s.on("message", |text| { got_s.push(text); if got_s.len() == 3 { s.close(); } });
            });
            let closed_with = 0;
            let errors = [];
            let res_conn = ws.connect(`${__ENV.WS}/ws/echo`, #{ tags: #{ room: "b" } }, |conn| {
                conn.on("open", || conn.sendBinary(blob(4, 7)));
                conn.on("binaryMessage", |data| conn.setTimeout(|| conn.close(4000), 10));
                conn.on("close", |code| { closed_with = code; conn.send("too late"); });
                conn.on("error", |e| errors.push(e));
            });
            check(res_s, #{
                "s: upgraded": |r| r.status == 101 && r.error == "",
                "s: every echo came back in order": |r| got_s == ["one", "two", "three"],
            });
            check(res_conn, #{
                "conn: upgraded": |r| r.status == 101,
                "conn: closed with its code": |r| closed_with == 4000,
                "conn: sending after close is an error event": |r| errors == ["websocket: close sent"],
            });
        }
    "#,
    );
    let run = rload(&s, &["-i", "2", "-e", &ws_base(&target)]);
    run.assert_all_checks_pass(10);
    // Per iteration: three texts and a blob sent and echoed, and the "too late" send that k6
    // counts although it fails.
    assert_eq!(run.count("ws_msgs_sent"), 10);
    assert_eq!(run.count("ws_msgs_received"), 8);
    assert_eq!(run.count("ws_sessions"), 4);
}

/// k6 v1.1 counts a WebSocket's wire bytes in its VU's dialer, so they reach `data_sent` and
/// `data_received` once, in the sample the iteration records at its end, with the iteration's
/// tags: a socket opened inside a group adds to the `group` "" sample, not to one of its own.
/// (Checked against k6 v1.1.0 with the same script in JavaScript: one `data_sent` point of
/// 210 bytes per iteration, tagged `group` "".)
#[test]
fn a_sockets_bytes_add_to_the_iterations_data_sent_and_data_received_as_in_k6() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            group("g1", || {
                ws.connect(`${__ENV.WS}/ws/echo`, |socket| {
                    socket.on("open", || socket.send("hello"));
                    socket.on("message", |m| socket.close());
                });
            });
        }
    "#,
    );
    let out = s.dir.path().join("out.json");
    let run = rload(&s, &["-i", "2", "-e", &ws_base(&target), "-o", &format!("json={}", out.display())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    for metric in ["data_sent", "data_received"] {
        let points: Vec<(String, f64)> = text
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|v| v["type"] == "Point" && v["metric"] == metric)
            .map(|v| {
                (v["data"]["tags"]["group"].as_str().unwrap_or("-").to_owned(), v["data"]["value"].as_f64().unwrap())
            })
            .collect();
        assert_eq!(points.len(), 2, "one {metric} point per iteration: {points:?}");
        for (group, bytes) in points {
            assert_eq!(group, "", "{metric} is the iteration's sample");
            assert!(bytes > 100.0, "{metric} holds the socket's bytes (upgrade and frames): {bytes}");
        }
    }
}
