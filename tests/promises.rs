//! Promise callbacks and combinators from Rhai (src/script/api/promise.rs,
//! promise_combinators.rs): `.then`, `.catch_error`, `.finally` run when the VU's script is idle
//! (an await, the end of the iteration), in k6's order, and `Promise.resolve`, `reject`, `all`,
//! `allSettled`, `any`, `race` settle as k6 v1.1's do (each order checked with k6 against
//! `rload serve`; tests/convert_corpus/99-promise-chains.js runs the JavaScript side under both).
mod common;
use common::*;

/// The line the script printed after `ORDER `.
fn order(run: &Run) -> String {
    let line = run.stdout.lines().chain(run.stderr.lines()).find(|l| l.contains("ORDER "));
    let line = line.unwrap_or_else(|| panic!("no ORDER in:\n{}\n{}", run.stdout, run.stderr));
    line[line.find("ORDER ").unwrap() + 6..].trim().to_string()
}

#[test]
fn callbacks_run_when_the_script_is_idle_in_k6s_order() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            let L = [];
            // Not during the sleep, nor at an await of a value: at the first idle moment.
            let p = http.asyncRequest("GET", `${__ENV.BASE}/delay/10`);
            p.then(|r| L.push(`A${r.status}`));
            sleep(0.3);
            L.push("sleep");
            http.wait(());
            L.push("null");
            // A chain runs one job at a time, interleaved with the await's continuation.
            let q = http.asyncRequest("GET", `${__ENV.BASE}/delay/10`);
            q.then(|| L.push("C1")).then(|| L.push("C2")).then(|| L.push("C3"));
            http.wait(q);
            L.push("cont");
            http.wait(());
            L.push("cont2");
            q.then(|| L.push("D"));
            L.push("sync");
            http.wait(());
            L.push("after");
            // A returned promise is adopted two jobs later; finally two jobs after its callback.
            let done = Promise.resolve(0);
            done.then(|| Promise.resolve("x")).then(|| L.push("adopt"));
            done.finally(|| 1).then(|| L.push("fin"));
            done.then(|| 1).then(|| L.push("T1")).then(|| L.push("T2")).then(|| L.push("T3")).then(|| L.push("T4"));
            for i in 0..6 { http.wait(()); }
            print(`ORDER ${L}`);
        }
        "#,
    );
    let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    // As k6 v1.1 printed it for the same script in JavaScript.
    assert_eq!(
        order(&run),
        r#"["sleep", "null", "A200", "C1", "cont", "C2", "cont2", "sync", "C3", "D", "after", "T1", "T2", "adopt", "fin", "T3", "T4"]"#
    );
}

#[test]
fn an_async_functions_await_and_return_take_k6s_jobs() {
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn sync_val() { 1 }
        fn awaits() { http.wait(()); 2 }
        fn thrower() { throw "x"; }
        fn o1() { return http.adopt_async(|| sync_val()); }
        fn o2() { return http.adopt_async(|| awaits()); }
        fn o4() { return http.adopt_async(|| thrower()); }
        fn run() {
            let L = [];
            let chain = |tag| {
                Promise.resolve(0).then(|| L.push(`${tag}1`)).then(|| L.push(`${tag}2`)).then(|| L.push(`${tag}3`)).then(|| L.push(`${tag}4`));
            };
            chain.call("a"); http.wait_async(|| o1()); L.push("o1");
            for i in 0..5 { http.wait(()); }
            chain.call("b"); http.wait_async(|| o2()); L.push("o2");
            for i in 0..5 { http.wait(()); }
            chain.call("e"); try { http.wait_async(|| thrower()); } catch (e) { L.push(`caught ${e}`); }
            for i in 0..5 { http.wait(()); }
            chain.call("f"); try { http.wait_async(|| o4()); } catch (e) { L.push(`o4 ${e}`); }
            for i in 0..5 { http.wait(()); }
            print(`ORDER ${L}`);
        }
        "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    // As k6 v1.1 printed it for the same functions in JavaScript (`return f()` of an async
    // function that did not suspend: two jobs, then the caller's; that did: one).
    assert_eq!(
        order(&run),
        r#"["a1", "a2", "a3", "o1", "a4", "b1", "b2", "b3", "o2", "b4", "e1", "caught x", "e2", "e3", "e4", "f1", "f2", "f3", "o4 x", "f4"]"#
    );
}

#[test]
fn the_iteration_ends_once_every_callback_has_run_and_its_checks_count() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ iterations: 2 };
        fn run() {
            http.asyncRequest("GET", `${__ENV.BASE}/delay/50`)
                .then(|r| { check(r, #{ "then": |r| r.status == 200 }); sleep(0.4); })
                .then(|| http.asyncRequest("GET", `${__ENV.BASE}/delay/100`))
                .then(|r| check(r, #{ "adopted": |r| r.url.ends_with("/delay/100") }))
                .finally(|| check(1, #{ "finally": |x| true }));
        }
        fn handle_summary(data) {
            #{ stdout: `reqs=${data.metrics.http_reqs.values.count} shortest=${data.metrics.iteration_duration.values.min} passes=${data.metrics.checks.values.passes}` }
        }
        "#,
    );
    let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("ERRO"), "{}", run.stderr);
    assert_eq!(run.printed("reqs"), 4.0, "{}", run.stdout);
    assert_eq!(run.printed("passes"), 6.0, "{}", run.stdout);
    // 50 ms + the callback's 400 ms sleep + 100 ms: all inside the iteration, as in k6.
    assert!(run.printed("shortest") >= 549.0, "{}", run.stdout);
}

#[test]
fn combinators_settle_as_k6s_do() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            let B = __ENV.BASE;
            let failing = http.asyncRequest("GET", "http://127.0.0.1:1/", (), #{ "throw": true });
            let s = http.wait(Promise.allSettled([http.asyncRequest("GET", `${B}/bytes/3`), Promise.reject("no"), 3, failing]));
            print(`SETTLED ${s.map(|e| e.status)} ${s[0].value.body.len()} ${s[1].reason} ${s[2].value} ${s[3].reason.contains("127.0.0.1:1")}`);
            let first = http.wait(Promise.race([http.asyncRequest("GET", `${B}/delay/400`), http.asyncRequest("GET", `${B}/delay/10?fast`)]));
            print(`RACE ${first.url.ends_with("fast")}`);
            let any = http.wait(Promise.any([Promise.reject(1), http.asyncRequest("GET", `${B}/delay/20?any`)]));
            print(`ANY ${any.url.ends_with("any")}`);
            try { http.wait(Promise.any([Promise.reject(1), Promise.reject(2)])); } catch (e) { print(`AGGREGATE ${e} ${e.errors} [${e.message}]`); }
            let all = http.wait(Promise.all([Promise.resolve(7), 8]));
            print(`ALL ${all} ${http.wait(Promise.resolve(Promise.resolve(9)))}`);
            try { http.wait(Promise.reject("x")); } catch (e) { print(`REJECT ${e}`); }
        }
        "#,
    );
    let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = format!("{}\n{}", run.stdout, run.stderr);
    for line in [
        r#"SETTLED ["fulfilled", "rejected", "fulfilled", "rejected"] 3 no 3 true"#,
        "RACE true",
        "ANY true",
        "AGGREGATE AggregateError [1, 2] []",
        "ALL [7, 8] 9",
        "REJECT x",
    ] {
        assert!(out.contains(line), "{line} missing from:\n{out}");
    }
    // The race's slow request still completes before the iteration ends.
    assert!(out.contains("iterations") && !out.contains("ERRO"), "{out}");
}

#[test]
fn a_rejection_no_callback_handles_ends_the_iteration_a_caught_one_does_not() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            let B = __ENV.BASE;
            http.asyncRequest("GET", `${B}/delay/10`).then(|| { throw "caught"; }).catch_error(|e| print(`CATCH ${e}`));
            http.asyncRequest("GET", `${B}/delay/100`).then(|| { throw "boom"; });
            http.wait(http.asyncRequest("GET", `${B}/delay/400`));
            print("AFTER");
        }
        "#,
    );
    let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
    let out = format!("{}\n{}", run.stdout, run.stderr);
    assert!(out.contains("CATCH caught"), "{out}");
    assert!(out.contains("Uncaught (in promise) boom"), "{out}");
    // k6 v1.1 ends the iteration at the idle moment that found it (its code after the await
    // records nothing there).
    assert!(!out.contains("AFTER"), "{out}");
    assert!(out.contains("iterations with script errors: 1"), "{out}");
}

#[test]
fn callbacks_beside_timers_and_awaits_in_callbacks_are_errors_that_say_so() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            http.asyncRequest("GET", `${__ENV.BASE}/delay/10`).then(|r| r.status);
            setTimeout(|| print("timer"), 10);
        }
        "#,
    );
    let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
    assert!(
        run.stderr.contains("setTimeout() while a promise's callback is pending is not supported"),
        "{}",
        run.stderr
    );
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            setTimeout(|| print("timer"), 10);
            Promise.resolve(1).finally(|| 2);
        }
        "#,
    );
    let run = rload(&s, &[]);
    assert!(run.stderr.contains("a promise's .finally(…) while a timer or WebSocket is pending"), "{}", run.stderr);
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            Promise.resolve(1).then(|v| v);
            let ws = WebSocket("ws://127.0.0.1:1/");
        }
        "#,
    );
    let run = rload(&s, &[]);
    assert!(run.stderr.contains("WebSocket() while a promise's callback is pending"), "{}", run.stderr);
    // k6 runs the init code's jobs when it ends; rload's init code has no such moment.
    let s = script("Promise.resolve(1).then(|v| print(v));\nfn run() {}\n");
    let run = rload(&s, &[]);
    assert!(
        run.stderr.contains("a promise's .then(…) in init code (the script's top level) is not supported"),
        "{}",
        run.stderr
    );
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() { Promise.resolve(1).then(|v| http.wait(v)); }
        "#,
    );
    let run = rload(&s, &[]);
    assert!(run.stderr.contains("http.wait (an await) in a promise's callback is not supported"), "{}", run.stderr);
}
