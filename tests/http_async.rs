//! `http.asyncRequest`, `http.wait` and `http.wait_all` from Rhai (src/script/api/http_async.rs):
//! a request runs while the script goes on, the iteration waits for every request it started,
//! and rejections, errors and stops end it as k6 v1.1 ends it (each case checked with k6 against
//! `rload serve`; tests/convert_corpus/96-async-request-promises.js runs the JavaScript side
//! under both).
mod common;
use common::*;

use std::time::{Duration, Instant};

#[test]
fn promises_run_while_the_script_goes_on_and_the_iteration_waits_for_every_one() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ iterations: 2 };
        fn run() {
            let t0 = timestamp_ms();
            let pending = [];
            for i in 0..4 { pending.push(http.asyncRequest("GET", `${__ENV.BASE}/delay/300?i=${i}`)); }
            let kept = http.asyncRequest("POST", `${__ENV.BASE}/echo`, "kept");
            let pushed = timestamp_ms() - t0;
            sleep(0.2);
            let all = http.wait_all(pending);
            let took = timestamp_ms() - t0;
            let again = http.wait_all([kept, 7, "x"]);
            check(all, #{
                "in the list's order": |rs| rs.len() == 4 && [0, 1, 2, 3].all(|i| rs[i].status == 200 && rs[i].url.ends_with(`i=${i}`)),
            });
            check(pushed, #{ "starting does not wait": |ms| ms < 300 });
            check(took, #{ "all in flight at once, during the sleep too": |ms| ms >= 299 && ms < 900 });
            check(http.wait(kept), #{ "a kept promise is its response": |r| r.status == 200 && r.body == "kept" });
            check(again, #{ "waited again, values passed through": |v| v[0].body == "kept" && v[1] == 7 && v[2] == "x" });
            check(http.wait(5), #{ "a value is itself": |v| v == 5 });
            check(`${kept}`, #{ "prints as JavaScript's String(p)": |t| t == "[object Promise]" });
            // Never waited for: the iteration ends once it has completed.
            http.asyncRequest("GET", `${__ENV.BASE}/delay/400`, (), #{ tags: #{ name: "never" } });
        }
        fn handle_summary(data) {
            #{ stdout: `reqs=${data.metrics.http_reqs.values.count} shortest=${data.metrics.iteration_duration.values.min}` }
        }
        "#,
    );
    let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("ERRO"), "{}", run.stderr);
    // 4 + 1 + 1 a iteration, the never-awaited one recorded in its own iteration.
    assert_eq!(run.printed("reqs"), 12.0, "{}", run.stdout);
    // 300 ms for the list, then 400 ms for the request nobody waited for.
    assert!(run.printed("shortest") >= 699.0, "{}", run.stdout);
    assert_eq!(target.stats()["requests_total"], 13);
}

#[test]
fn a_rejection_nothing_waits_for_ends_the_iteration_and_no_catch_stops_it() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            http.asyncRequest("GET", "http://127.0.0.1:1/", (), #{ "throw": true });
            try {
                http.wait(http.asyncRequest("GET", `${__ENV.BASE}/delay/300`));
            } catch (e) {
                print(`CAUGHT ${e}`);
            }
            print("AFTER");
        }
        "#,
    );
    let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
    let out = format!("{}\n{}", run.stdout, run.stderr);
    assert!(out.contains("Uncaught (in promise) Get \"http://127.0.0.1:1/\""), "{out}");
    assert!(!out.contains("CAUGHT") && !out.contains("AFTER"), "{out}");
    assert!(out.contains("iterations with script errors: 1"), "{out}");

    // k6's `await http.asyncRequest(…)` (`http.await_request`) is such a wait too: k6 v1.1 ends
    // the iteration there (1 request, a 1 ms iteration), the awaited request dropped.
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            http.asyncRequest("GET", "http://127.0.0.1:1/", (), #{ "throw": true });
            http.await_request("GET", `${__ENV.BASE}/delay/300`);
            print("AFTER");
        }
        fn handle_summary(data) { #{ stdout: `reqs=${data.metrics.http_reqs.values.count}` } }
        "#,
    );
    let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
    let out = format!("{}\n{}", run.stdout, run.stderr);
    assert!(out.contains("Uncaught (in promise) Get \"http://127.0.0.1:1/\"") && !out.contains("AFTER"), "{out}");
    assert_eq!(run.printed("reqs"), 1.0, "{out}");
}

#[test]
fn wait_all_rejects_at_the_first_failure_without_waiting_for_the_rest() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            let t0 = timestamp_ms();
            let rejected = "";
            try {
                http.wait_all([
                    http.asyncRequest("GET", `${__ENV.BASE}/delay/500`),
                    http.asyncRequest("GET", "http://127.0.0.1:1/", (), #{ "throw": true }),
                ]);
            } catch (e) {
                rejected = `${e}`;
            }
            print(`waited=${timestamp_ms() - t0}`);
            check(rejected, #{ "the failure rejects": |e| e.contains("127.0.0.1:1") });
        }
        fn handle_summary(data) { #{ stdout: `reqs=${data.metrics.http_reqs.values.count}` } }
        "#,
    );
    let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.printed("waited") < 400.0, "{}", run.stdout);
    // The slow request still completes, and counts, before the iteration ends.
    assert_eq!(run.printed("reqs"), 2.0, "{}", run.stdout);
}

#[test]
fn an_iteration_that_throws_or_is_stopped_drops_its_requests_in_flight() {
    let target = Target::start();
    let thrower = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() { let p = http.asyncRequest("GET", `${__ENV.BASE}/delay/1500`); print(`STARTED ${type_of(p)}`); throw "boom"; }
        fn handle_summary(data) { #{ stdout: `reqs=${data.metrics.http_reqs?.values?.count ?? 0}` } }
        "#,
    );
    let started = Instant::now();
    let run = rload(&thrower, &["-e", &format!("BASE={}", target.url())]);
    assert!(run.stdout.contains("STARTED Promise") && run.stderr.contains("boom"), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.printed("reqs"), 0.0, "{}", run.stdout);
    assert!(started.elapsed() < Duration::from_millis(1400), "{:?}", started.elapsed());

    let stopped = script(
        r#"
        export const options = #{ scenarios: #{ cut: #{ executor: "constant-vus", vus: 1, duration: "1s", gracefulStop: "0s" } } };
        fn run() { let p = http.asyncRequest("GET", `${__ENV.BASE}/delay/3000`); print(`STARTED ${type_of(p)}`); sleep(5); }
        fn handle_summary(data) { #{ stdout: `reqs=${data.metrics.http_reqs?.values?.count ?? 0}` } }
        "#,
    );
    let started = Instant::now();
    let run = rload(&stopped, &["-e", &format!("BASE={}", target.url())]);
    assert!(run.stdout.contains("STARTED Promise"), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.printed("reqs"), 0.0, "{}", run.stdout);
    assert!(started.elapsed() < Duration::from_millis(2800), "{:?}", started.elapsed());
}
