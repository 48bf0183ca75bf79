//! k6's module scope in rload: what the script's top level (init code) declares is readable
//! from its functions, by plain name and, for constants, through Rhai's `global::NAME`.
mod common;
use common::*;

#[test]
fn top_level_constants_read_the_same_by_name_and_through_global_and_a_later_let_keeps_the_constant() {
    let s = script(
        r#"
        const LIMITS = #{ max: 3, names: ["a", "b"] };
        const K = 1;
        let K = 2;
        export const options = #{ vus: 2, iterations: 4 };
        fn run() {
            check((), #{
                "by name": |r| LIMITS.max == 3 && LIMITS.names[1] == "b",
                "through global": |r| global::LIMITS.max == 3 && global::LIMITS.names.len() == 2,
                "a later let shadows the name, not the constant": |r| K == 2 && global::K == 1,
                "options through global": |r| global::options.iterations == 4,
            });
        }
        "#,
    );
    rload(&s, &["-q"]).assert_all_checks_pass(16);
}

/// k6 scripts call their helpers while they set up (`const LOGIN = url("/login")`): a function
/// called by the init code reads the top-level constants declared before the call, as a
/// JavaScript function reads its module's `const`s. A `let` it reads only once the init code
/// has ended (Rhai's functions see no caller's scope; the constants are kept for `global::`).
#[test]
fn a_function_the_init_code_calls_reads_the_constants_declared_before_it() {
    let s = script(
        r#"
        const BASE = "http://example.test";
        const PATHS = #{ login: "/login" };
        fn url(p) { BASE + p }
        fn login_url() { url(PATHS.login) }
        const LOGIN = login_url();
        let counter = 1;
        fn counted() { counter }
        export const options = #{ vus: 1, iterations: 2 };
        fn run() {
            check((), #{
                "init code's call": |r| LOGIN == "http://example.test/login",
                "the same call at run time": |r| login_url() == LOGIN,
                "a let once init has ended": |r| counted() == 1,
            });
        }
        "#,
    );
    rload(&s, &["-q"]).assert_all_checks_pass(6);
    let early = script(
        "fn counted() { counter }
let counter = 1;
const C = counted();
fn run() {}
",
    );
    let out = rload(&early, &["-q", "-i", "1"]);
    assert_eq!(out.code, 107, "{}", out.stderr);
    assert!(out.stderr.contains("Variable not found: counter"), "{}", out.stderr);
}

/// An iterating VU lets go of the top-level variables no function names (`options`, mostly:
/// ~1.6 KB per VU of `bench/ws-broadcast`), so every way a function can name one must still
/// find it, beside a variable that is let go: by plain name in the scenario's function and in a
/// helper, through `global::`, in a closure made at init, and in a module's function.
#[test]
fn options_stays_readable_at_run_time_by_every_way_a_function_can_name_it() {
    let s = script(
        r#"
        import "helper" as helper;
        let unread = #{ note: "no function names this" };
        export const options = #{ vus: 2, iterations: 4, tags: #{ team: "a" } };
        const READ_BY_CLOSURE = #{ n: 7 };
        let from_closure = || READ_BY_CLOSURE.n;
        let after = "a variable after the unread ones";
        fn iterations_of_options() { options.iterations }
        fn run() {
            check((), #{
                "by name": |r| options.vus == 2 && options.tags.team == "a",
                "in a helper": |r| iterations_of_options() == 4,
                "through global": |r| global::options.iterations == 4,
                "in a closure made at init": |r| from_closure.call() == 7,
                "in a module's function": |r| helper::vus() == 2,
                "a later variable": |r| after.len() > 0,
            });
        }
        "#,
    );
    std::fs::write(s.dir.path().join("helper.rhai"), "fn vus() { options.vus }\n").unwrap();
    rload(&s, &["-q"]).assert_all_checks_pass(24);
}

/// A function that looks a variable up by a name known only at run time keeps every top-level
/// variable readable, as k6's module scope does.
#[test]
fn a_variable_named_only_at_run_time_is_still_there() {
    let s = script(
        r#"
        export const options = #{ vus: 1, iterations: 2 };
        let only_by_a_string = 5;
        fn run() {
            let name = "only_by_" + "a_string";
            let defined = is_def_var(name);
            let value = eval(name);
            check((), #{ "is_def_var": |r| defined, "eval": |r| value == 5 });
        }
        "#,
    );
    rload(&s, &["-q"]).assert_all_checks_pass(4);
}

/// `__ENV` is one read-only map shared by a thread's VUs. A VU that used up its 1 ms time slice
/// in the middle of reading it (a CPU-bound loop testing `__ENV.N`) held its lock while the
/// others ran, and they failed with "Data race detected" (most iterations of such a script); a
/// VU now yields only once the read is over. A VU's copy (`let env = __ENV;`) is its own.
#[test]
fn env_reads_by_vus_that_yield_mid_read_do_not_race_and_a_copy_is_the_vus_own() {
    let s = script(
        r#"
        fn run() {
            if __VU == 1 { let env = __ENV; env.MINE = "1"; }
            let x = 0;
            while x < parse_int(__ENV.N) { x += 1; }
            check((), #{ "another VU's copy is not seen": |v| __ENV.MINE == () });
        }
    "#,
    );
    let run = rload(&s, &["--threads", "1", "-u", "3", "-d", "2s", "-e", "N=3000"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("iterations with script errors: 0"), "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}", run.stdout);
    assert!(run.count("iterations") >= 6, "every VU iterated: {}", run.stdout);
}

/// k6's `randomSeed(n)` makes `random()` (k6's `Math.random`) and `random_int` repeatable: the
/// same seed gives the same numbers in every VU and every run. As k6 v1.1 does (checked on the
/// same script: its init values repeat, its first iteration's do not), a seed set by the init
/// code holds for the init code only, and one set in an iteration holds for that VU's later
/// iterations too.
#[test]
fn random_seed_repeats_random_numbers_where_k6_does() {
    let s = script(
        r#"
        export const options = #{ scenarios: #{ s: #{ executor: "per-vu-iterations", vus: 2, iterations: 2 } } };
        randomSeed(123);
        print(`init ${random()} ${random_int(1, 1000000)}`);
        fn run() {
            if __ITER == 0 {
                print(`unseeded ${random()}`);
                randomSeed(5.9);
                print(`seeded ${random()} ${random_int(1, 1000000)}`);
            } else {
                print(`next ${random()}`);
            }
        }
    "#,
    );
    let runs: Vec<String> = (0..2)
        .map(|_| {
            let run = rload(&s, &["--quiet"]);
            assert_eq!(run.code, 0, "{}", run.stderr);
            run.stdout
        })
        .collect();
    let values = |prefix: &str| -> (usize, std::collections::HashSet<String>) {
        let lines: Vec<String> = runs
            .iter()
            .flat_map(|out| out.lines())
            .filter_map(|l| l.trim().strip_prefix(prefix).map(str::to_owned))
            .collect();
        (lines.len(), lines.into_iter().collect())
    };
    for (prefix, printed) in [("init ", None), ("seeded ", Some(4)), ("next ", Some(4))] {
        let (count, distinct) = values(prefix);
        assert!(printed.is_none_or(|n| count == n) && count > 0, "{prefix}: {count} lines\n{runs:?}");
        assert_eq!(distinct.len(), 1, "{prefix}: one sequence for every VU and run: {distinct:?}");
    }
    let (count, distinct) = values("unseeded ");
    assert_eq!((count, distinct.len()), (4, 4), "the init code's seed does not reach the iterations: {distinct:?}");
}

/// A thread's VUs share one cache of which function each call resolves to
/// (`script::engine::evaluate`). VUs that call overloads and type-dispatched functions in
/// different orders, suspending in the middle of calls while the others fill the cache, each
/// still get the function they call.
#[test]
fn vus_sharing_a_thread_each_call_the_function_they_name_while_others_are_suspended_mid_call() {
    let s = script(
        r#"
        fn pick(x) { "one" }
        fn pick(x, y) { "two" }
        fn kind(v) { type_of(v) }
        fn named(i) { `f${i}` }
        fn f0() { 0 } fn f1() { 1 } fn f2() { 2 } fn f3() { 3 } fn f4() { 4 } fn f5() { 5 }
        fn run() {
            let wrong = [];
            for i in 0..24 {
                let k = (i + __VU) % 6;
                let got = switch k % 4 {
                    0 => [pick(k), "one"],
                    1 => [pick(k, i), "two"],
                    2 => [kind(k / 2.0), "f64"],
                    _ => [kind(`${k}`), "string"],
                };
                if got[0] != got[1] { wrong.push(got); }
                if call(Fn(named(k))) != k { wrong.push(k); }
                sleep(0.001);
            }
            check(wrong, #{ "every call resolved to the function named": |w| w.is_empty() });
        }
        "#,
    );
    rload(&s, &["-q", "--threads", "1", "-u", "12", "-i", "36"]).assert_all_checks_pass(36);
}
