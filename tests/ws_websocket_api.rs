//! k6/websockets' `WebSocket` against the reference target: events and their order, ready
//! states, what is counted, failures, and how the VU's event loop ends an iteration.
mod common;
use common::*;

use std::time::{Duration, Instant};

fn ws_env(target: &Target) -> String {
    format!("WS=ws://{}", target.addr)
}

#[test]
fn an_echo_session_fires_its_events_in_order_and_counts_like_k6() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let seen = #{ states: [], events: [], data: [] };
            let ws = WebSocket(`${__ENV.WS}/ws/echo`);
            seen.states.push(ws.readyState);
            ws.onopen = |e| {
                seen.events.push(e.type);
                seen.states.push(ws.readyState);
                for i in 0..5 { ws.send(`hello ${i}`); }
                // An argument is ignored, as JavaScript drops it (k6's ping takes none).
                ws.ping("application-data");
            };
            ws.addEventListener("message", |e| {
                seen.data.push(e.data);
                if seen.data.len() == 5 { ws.close(); seen.states.push(ws.readyState); }
            });
            ws.addEventListener("pong", || seen.events.push("pong"));
            ws.onclose = |e| {
                seen.events.push(e.type);
                seen.states.push(ws.readyState);
                check(seen, #{
                    "states go 0, 1, 2, 3": |s| s.states == [0, 1, 2, 3],
                    "open, pong, close": |s| s.events == ["open", "pong", "close"],
                    "every echo came back in order": |s| s.data == ["hello 0", "hello 1", "hello 2", "hello 3", "hello 4"],
                    "close carries the code": |s| e.code == 1000 && e.target.url == ws.url,
                });
            };
        }
    "#,
    );
    let run = rload(&s, &["-u", "2", "-i", "6", "-e", &ws_env(&target)]);
    run.assert_all_checks_pass(24);
    assert_eq!(run.count("ws_sessions"), 6);
    assert_eq!(run.count("ws_msgs_received"), 30);
    // k6 counts every frame written: 5 messages, the ping and the close frame per session.
    assert_eq!(run.count("ws_msgs_sent"), 42);
    for trend in ["ws_connecting", "ws_session_duration", "ws_ping"] {
        assert!(run.line(trend).contains("avg="), "{}", run.stdout);
    }
}

#[test]
fn the_iteration_lasts_until_its_socket_is_closed() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let ws = WebSocket(`${__ENV.WS}/ws/echo`);
            ws.onopen = || setTimeout(|| ws.close(), 300);
        }
    "#,
    );
    let run = rload(&s, &["-i", "2", "-e", &ws_env(&target)]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let line = run.line("iteration_duration");
    let min = line.split("min=").nth(1).and_then(|v| v.split_whitespace().next()).unwrap();
    assert!(min.ends_with("ms") && !min.ends_with("µs"), "{line}");
    let ms: f64 = min.trim_end_matches("ms").parse().unwrap();
    assert!(ms >= 300.0, "an iteration ended before its socket closed: {line}");
    assert_eq!(run.count("iterations"), 2);
}

#[test]
fn sending_outside_open_and_bad_close_codes_throw_k6_errors() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let errors = #{};
            let ws = WebSocket(`${__ENV.WS}/ws/echo`);
            try { ws.send("too early"); } catch (e) { errors.early = e; }
            ws.onopen = || {
                try { ws.close(1001); } catch (e) { errors.code = e; }
                let long = "";
                for i in 0..124 { long += "x"; }
                try { ws.close(1000, long); } catch (e) { errors.reason = e; }
                try { ws.send(#{ a: 1 }); } catch (e) { errors.map = e; }
                ws.close(4000, "bye");
                try { ws.send("closing"); } catch (e) { errors.closing = e; }
            };
            ws.onclose = |e| check(errors, #{
                "send while CONNECTING": |x| x.early.contains("InvalidStateError"),
                "send while CLOSING": |x| x.closing.contains("InvalidStateError"),
                "1001 is not a client code": |x| x.code.contains("The close code must be either 1000, or between 3000 and 4999. 1001 is neither"),
                "reasons are at most 123 bytes": |x| x.reason.contains("must not be greater than 123 bytes"),
                "maps are not sent": |x| x.map.contains("unsupported send type map"),
                "the peer echoes our close": |x| e.code == 4000 && e.reason == "bye",
            });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &ws_env(&target)]);
    run.assert_all_checks_pass(6);
}

#[test]
fn a_peer_close_with_an_error_code_fires_error_then_close() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let seen = [];
            let ws = WebSocket(`${__ENV.WS}/ws/close/4001`);
            ws.onerror = |e| seen.push(`error: ${e.error}`);
            ws.onclose = |e| {
                seen.push(`close: ${e.code} ${e.reason}`);
                check(seen, #{ "error then close": |s| s == ["error: websocket: close 4001: bye", "close: 4001 bye"] });
            };
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &ws_env(&target)]);
    run.assert_all_checks_pass(1);
    assert_eq!(run.count("ws_sessions"), 1);
}

#[test]
fn a_failed_dial_fires_error_and_close_and_counts_a_session_without_duration() {
    let closed = free_address();
    let s = script(&format!(
        r#"
        fn run() {{
            let seen = [];
            let ws = WebSocket("ws://{closed}/");
            ws.onopen = || seen.push("open");
            ws.onerror = |e| seen.push(e.error);
            ws.onclose = || {{
                seen.push("close");
                check(seen, #{{
                    "refused, then closed": |s| s.len() == 2 && s[0].contains("connection refused") && s[1] == "close",
                    "CLOSED": |s| ws.readyState == 3,
                }});
            }};
        }}
    "#
    ));
    let run = rload(&s, &["-i", "1"]);
    run.assert_all_checks_pass(2);
    assert_eq!(run.count("ws_sessions"), 1);
    assert!(run.line("ws_connecting").contains("avg="), "{}", run.stdout);
    assert!(!run.stdout.contains("ws_session_duration"), "k6 records no duration for a failed dial:\n{}", run.stdout);
}

#[test]
fn binary_messages_arrive_as_blobs_and_subprotocols_are_negotiated() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let got = #{};
            let ws = WebSocket(`${__ENV.WS}/ws/echo`, ["nope", "echo"]);
            ws.binaryType = "arraybuffer";
            ws.onopen = || {
                got.protocol = ws.protocol;
                ws.send(blob(3, 7));
                ws.ping();
                got.queued = ws.bufferedAmount;
            };
            ws.onmessage = |e| { got.data = e.data; got.written = ws.bufferedAmount; ws.close(); };
            ws.onclose = || check(got, #{
                "bufferedAmount counts queued message bytes until written": |g| g.queued == 3 && g.written == 0,
                "the server chose echo": |g| g.protocol == "echo",
                "bytes came back as a blob": |g| type_of(g.data) == "blob" && g.data == blob(3, 7),
                "binaryType is kept": |g| ws.binaryType == "arraybuffer",
            });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &ws_env(&target)]);
    run.assert_all_checks_pass(4);
}

#[test]
fn a_throwing_listener_fails_the_iteration_and_ends_its_connection() {
    let target = Target::start();
    let s = script(
        r#"
        const closes = Counter("closes_seen");
        fn run() {
            let ws = WebSocket(`${__ENV.WS}/ws/echo`);
            ws.onopen = || ws.send("boom");
            ws.onmessage = || throw "listener failed";
            ws.onclose = || closes.add(1);
        }
    "#,
    );
    let run = rload(&s, &["-i", "2", "-e", &ws_env(&target)]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("iterations with script errors: 2"), "{}", run.stdout);
    assert!(run.stdout.contains("listener failed"), "{}", run.stdout);
    assert_eq!(run.count("closes_seen"), 2, "close listeners still run, as in k6");
    assert!(eventually(Duration::from_secs(5), || target.stats()["connections_open"] == 1), "{}", target.stats());
}

#[test]
fn unknown_event_types_and_handler_values_are_errors_naming_them() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let errors = [];
            let ws = WebSocket(`${__ENV.WS}/ws/echo`);
            try { ws.addEventListener("mesage", || {}); } catch (e) { errors.push(e); }
            try { ws.onmessage = "not a function"; } catch (e) { errors.push(e); }
            try { ws.binaryType = "text"; } catch (e) { errors.push(e); }
            ws.close();
            check(errors, #{
                "event type": |e| e[0].contains("unknown event type") && e[0].contains("mesage"),
                "handler": |e| e[1].contains("'onmessage' should be callable"),
                "binaryType": |e| e[2].contains("unknown binaryType text"),
            });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &ws_env(&target)]);
    run.assert_all_checks_pass(3);
}

#[test]
fn a_socket_left_open_is_closed_at_the_end_of_graceful_stop_and_the_run_ends_on_time() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{
            scenarios: #{ chat: #{ executor: "constant-vus", vus: 2, duration: "1s", gracefulStop: "1s" } },
        };
        fn run() {
            let ws = WebSocket(`${__ENV.WS}/ws/echo`);
            ws.onopen = || ws.send("never closed");
        }
    "#,
    );
    let started = Instant::now();
    let run = rload(&s, &["-e", &ws_env(&target)]);
    let took = started.elapsed();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(took < Duration::from_secs(6), "the run took {took:?}");
    assert!(run.stdout.contains("iterations interrupted: 2"), "{}", run.stdout);
    assert_eq!(run.count("ws_sessions"), 2);
    assert!(eventually(Duration::from_secs(5), || target.stats()["connections_open"] == 1), "{}", target.stats());
}

#[test]
fn several_sockets_of_one_vu_run_side_by_side() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let got = [];
            let closed = 0;
            for name in ["a", "b", "c"] {
                // A Rhai closure shares the loop variable itself: copy it per socket.
                let room = name;
                let ws = WebSocket(`${__ENV.WS}/ws/echo`, (), #{ tags: #{ room: room } });
                ws.onopen = || ws.send(room);
                ws.onmessage = |e| { got.push(e.data); ws.close(); };
                ws.onclose = || {
                    closed += 1;
                    if closed == 3 {
                        got.sort();
                        check(got, #{ "each socket got its echo": |g| g == ["a", "b", "c"] });
                    }
                };
            }
        }
    "#,
    );
    let run = rload(&s, &["-i", "1", "-e", &ws_env(&target)]);
    run.assert_all_checks_pass(1);
    assert_eq!(run.count("ws_sessions"), 3);
}

#[test]
fn websocket_in_init_code_is_an_error() {
    let s = script(
        r#"
        const ws = WebSocket("ws://127.0.0.1:9/");
        fn run() {}
    "#,
    );
    let run = rload(&s, &["-i", "1"]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("WebSocket() is not available in init code"), "{}", run.stderr);
}
