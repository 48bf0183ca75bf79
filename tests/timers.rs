//! k6/timers' global `setTimeout` / `setInterval` / `clearTimeout` / `clearInterval`: the VU's
//! event loop keeps the iteration alive until no timer is pending, with or without a socket.
mod common;
use common::*;

use std::time::{Duration, Instant};

/// A trend's `min=` in milliseconds.
fn min_ms(run: &Run, metric: &str) -> f64 {
    let line = run.line(metric);
    let min = line.split("min=").nth(1).and_then(|v| v.split_whitespace().next()).unwrap();
    if let Some(us) = min.strip_suffix("µs") {
        us.parse::<f64>().unwrap() / 1000.0
    } else if let Some(ms) = min.strip_suffix("ms") {
        ms.parse().unwrap()
    } else {
        min.trim_end_matches('s').parse::<f64>().unwrap() * 1000.0
    }
}

#[test]
fn a_plain_iteration_waits_for_its_timeout() {
    let s = script(
        r#"
        const fired = Counter("fired");
        fn run() {
            setTimeout(|| fired.add(1), 200);
        }
    "#,
    );
    let run = rload(&s, &["-i", "3"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.count("fired"), 3);
    assert!(min_ms(&run, "iteration_duration") >= 200.0, "{}", run.stdout);
}

#[test]
fn an_interval_ticks_until_cleared_and_ids_count_per_vu_from_one() {
    let s = script(
        r#"
        const ticks = Counter("ticks");
        fn run() {
            let n = 0;
            let first = setTimeout(|| {}, 1);
            // Rhai closures capture variables declared before them (JavaScript's `const id =
            // setInterval(() => clearInterval(id))` is ported in two steps).
            let id = ();
            id = setInterval(|| {
                n += 1;
                ticks.add(1);
                if n == 5 { clearInterval(id); }
            }, 20);
            if __ITER == 0 {
                check(#{ first: first, id: id }, #{ "ids are 1 and 2": |x| x.first == 1 && x.id == 2 });
            }
        }
    "#,
    );
    let run = rload(&s, &["-i", "2"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00% 1 out of 1"), "{}", run.stdout);
    assert_eq!(run.count("ticks"), 10);
    assert!(min_ms(&run, "iteration_duration") >= 100.0, "{}", run.stdout);
}

#[test]
fn a_cleared_timeout_never_fires_and_the_iteration_ends_at_once() {
    let s = script(
        r#"
        const fired = Counter("fired");
        fn run() {
            let id = setTimeout(|| fired.add(1), 5000);
            clearTimeout(id);
            clearTimeout(());
            clearInterval(12345);
            setTimeout(|a, b| fired.add(a + b), 0, 2, 3);
        }
    "#,
    );
    let started = Instant::now();
    let run = rload(&s, &["-i", "1"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    assert_eq!(run.count("fired"), 5, "only the zero-delay timeout ran, with its arguments");
}

#[test]
fn a_throwing_callback_fails_the_iteration_and_drops_its_other_timers() {
    let s = script(
        r#"
        const late = Counter("late");
        fn run() {
            setTimeout(|| throw "timer failed", 10);
            setTimeout(|| late.add(1), 300);
        }
    "#,
    );
    let run = rload(&s, &["-i", "2"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("iterations with script errors: 2"), "{}", run.stdout);
    assert!(run.stdout.contains("timer failed"), "{}", run.stdout);
    assert!(!run.stdout.contains("late"), "a timer of a failed iteration ran:\n{}", run.stdout);
}

#[test]
fn an_endless_interval_is_stopped_at_the_end_of_graceful_stop() {
    let s = script(
        r#"
        export const options = #{
            scenarios: #{ tick: #{ executor: "constant-vus", vus: 2, duration: "1s", gracefulStop: "500ms" } },
        };
        fn run() {
            setInterval(|| {}, 50);
        }
    "#,
    );
    let started = Instant::now();
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(run.stdout.contains("iterations interrupted: 2"), "{}", run.stdout);
}

#[test]
fn timers_in_init_code_are_an_error() {
    let s = script(
        r#"
        setTimeout(|| {}, 10);
        fn run() {}
    "#,
    );
    let run = rload(&s, &["-i", "1"]);
    assert_ne!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("setTimeout() is not available in init code"), "{}", run.stderr);
}

#[test]
fn a_captured_variable_named_like_a_builtin_is_the_scripts_own() {
    let s = script(
        r#"
        const ws = "top level";
        fn helper() { ws }
        fn run() {
            let http = "mine";
            let exec = 7;
            setTimeout(|| check(http, #{ "closures see the script's variables, not the built-ins": |h| h == "mine" && exec == 7 }), 1);
            check(helper(), #{ "a top-level variable shadows a built-in in every function": |v| v == "top level" });
        }
    "#,
    );
    let run = rload(&s, &["-i", "1"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00% 2 out of 2"), "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn setup_and_teardown_wait_for_their_timers_too() {
    let s = script(
        r#"
        const fired = Counter("fired");
        fn setup() { setTimeout(|| fired.add(1), 50); }
        fn run() {}
        fn teardown() { setTimeout(|| fired.add(10), 50); }
    "#,
    );
    let run = rload(&s, &["-i", "1"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.count("fired"), 11);
}

#[test]
fn timers_dropped_by_a_failed_iteration_are_logged_as_k6_logs_them() {
    // The iteration throws with a timeout and an interval pending: neither runs, and each gets
    // k6's warning (ids count on per VU: 1 and 2, then 3 and 4). A timer that ran or was
    // cleared is not mentioned.
    let s = script(
        r#"
        fn run() {
            let done = setTimeout(|| {}, 1);
            clearTimeout(done);
            setInterval(|| {}, 100);
            setTimeout(|| {}, 5000);
            throw "boom";
        }
    "#,
    );
    let run = rload(&s, &["-i", "2", "-q"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for line in [
        "setInterval 2 was stopped because the VU iteration was interrupted",
        "setTimeout 3 was stopped because the VU iteration was interrupted",
        "setInterval 5 was stopped because the VU iteration was interrupted",
        "setTimeout 6 was stopped because the VU iteration was interrupted",
    ] {
        assert!(run.stderr.contains(line), "{line}\n{}", run.stderr);
    }
    assert!(!run.stderr.contains("setTimeout 1 was stopped"), "{}", run.stderr);
}
