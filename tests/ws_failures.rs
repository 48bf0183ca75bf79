//! WebSocket failures end the session (or the iteration) cleanly: the run goes on, exits 0,
//! and the script sees k6's error texts and codes.
mod common;
use common::*;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn refused_403_abrupt_close_and_invalid_frame_end_the_session_cleanly() {
    let target = Target::start();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let s = script(&format!(
        r#"
        fn attempt(url) {{
            let seen = #{{ ran: false, errors: [], close: 0 }};
            let res = ws.connect(url, |socket| {{
                seen.ran = true;
                socket.on("error", |e| seen.errors.push(e.error()));
                socket.on("close", |code| seen.close = code);
            }});
            seen.res = res;
            seen
        }}
        fn run() {{
            let base = __ENV.WS;
            let refused = attempt("ws://127.0.0.1:{closed_port}/");
            let forbidden = attempt(`${{base}}/status/403`);
            let abrupt = attempt(`${{base}}/ws/close-abruptly`);
            let invalid = attempt(`${{base}}/ws/invalid-frame`);
            let not_ws = attempt(`http://${{__ENV.ADDR}}/ws/echo`);
            check(refused, #{{
                "refused: handler not run (k6)": |s| !s.ran,
                "refused: status 0, k6 code 1212": |s| s.res.status == 0 && s.res.error_code == 1212,
                "refused: error text": |s| s.res.error.contains("connection refused"),
            }});
            check(forbidden, #{{
                "403: handler not run (k6)": |s| !s.ran,
                "403: status and code 1403": |s| s.res.status == 403 && s.res.error_code == 1403,
                "403: k6's error text": |s| s.res.error == "websocket: bad handshake",
            }});
            check(abrupt, #{{
                "abrupt: upgraded first": |s| s.ran && s.res.status == 101,
                "abrupt: k6's error text reaches the handler": |s| s.errors == ["websocket: close 1006 (abnormal closure): unexpected EOF"],
                "abrupt: closed with 1006": |s| s.close == 1006,
                "abrupt: the response carries the error": |s| s.res.error_code == 1000 && s.res.error == s.errors[0],
            }});
            check(invalid, #{{
                "invalid frame: one error reaches the handler": |s| s.errors.len() == 1 && s.errors[0].len() > 0,
                "invalid frame: closed with 1006": |s| s.close == 1006 && s.res.status == 101,
            }});
            check(not_ws, #{{
                "http:// is an invalid URL (1020)": |s| !s.ran && s.res.error_code == 1020,
            }});
        }}
    "#
    ));
    let run =
        rload(&s, &["-i", "2", "-e", &format!("WS=ws://{}", target.addr), "-e", &format!("ADDR={}", target.addr)]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00% 26 out of 26"), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("iterations with script errors: 0"), "{}", run.stdout);
    // k6 counts a session for every attempt, failed or not.
    assert!(run.line("ws_sessions").contains(": 10 "), "{}", run.stdout);
}

#[test]
fn a_throwing_handler_fails_the_iteration_after_closing_with_1001() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            ws.connect(`${__ENV.WS}/ws/echo`, |socket| {
                socket.on("open", || socket.send("hi"));
                socket.on("message", |text| throw `boom on ${text}`);
                socket.on("close", |code| check(code, #{ "closed with 1001 before the error ends the iteration": |c| c == 1001 }));
            });
        }
    "#,
    );
    let run = rload(&s, &["-i", "3", "-e", &format!("WS=ws://{}", target.addr)]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("iterations with script errors: 3"), "{}", run.stdout);
    assert!(run.stderr.contains("boom on hi") || run.stdout.contains("boom on hi"), "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00% 3 out of 3"), "{}", run.stdout);
}

/// Ctrl-C (a hard stop) wakes a VU waiting in a session that would never close: the socket is
/// closed, the summary printed, and the run exits with k6's 105.
#[test]
fn sigint_interrupts_a_session_that_never_closes() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            ws.connect(`${__ENV.WS}/ws/broadcast?interval_ms=20`, |socket| {
                socket.on("message", |text| check(text, #{ "broadcast received": |t| t.contains("BROADCAST") }));
            });
        }
    "#,
    );
    let ws = format!("WS=ws://{}", target.addr);
    let child = Command::new(BIN)
        .args(["run", s.path.to_str().unwrap(), "-u", "2", "-d", "1h", "--no-color", "-e", &ws])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let open = || target.stats()["connections_open"].as_u64().unwrap();
    // Both sessions open (plus the /stats request's own connection).
    assert!(eventually(Duration::from_secs(5), || open() == 3), "sessions open: {}", open());
    std::thread::sleep(Duration::from_millis(200));
    // SAFETY: kill only signals the child we started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let started = Instant::now();
    let run = Run::from_output(child.wait_with_output().unwrap());
    assert!(started.elapsed() < Duration::from_secs(5), "stopping took {:?}", started.elapsed());
    assert_eq!(run.code, 105, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("iterations interrupted: 2"), "{}", run.stdout);
    assert!(run.stdout.contains("iterations with script errors: 0"), "{}", run.stdout);
    assert!(run.line("ws_sessions").contains(": 2 "), "{}", run.stdout);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}", run.stdout);
    assert!(eventually(Duration::from_secs(3), || open() == 1), "sockets left open: {}", open() - 1);
}
