//! Issue 14, item 4: `check` as k6 runs it — in the order the script wrote the checks, with
//! functions of any arity, and a throwing check recorded as failed before its error ends the
//! iteration (k6's js/modules/k6/k6.go `Check`).
mod common;
use common::*;

/// The summary's check lines (`✓ name` / `✗ name`), in the order printed.
fn check_lines(run: &Run) -> Vec<String> {
    run.stdout
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('✓') || l.starts_with('✗'))
        .map(|l| l.split_whitespace().skip(1).take_while(|w| !w.starts_with("0%") && *w != "↳").collect::<Vec<_>>())
        .map(|w| w.join(" "))
        .collect()
}

#[test]
fn checks_are_recorded_and_listed_in_source_order() {
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        const LATER = #{ "zz later": |v| true, "aa later": |v| true };
        fn run() {
            check(1, #{ "zeta": |v| v == 1, "alpha": |v| v == 1, "mid": true });
            check(1, LATER);
        }
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = check_lines(&run);
    let names: Vec<&str> = lines.iter().map(|l| l.split(" ").next().unwrap_or("")).collect();
    let pos = |n: &str| lines.iter().position(|l| l.starts_with(n)).unwrap_or_else(|| panic!("{n}: {lines:?}"));
    assert!(pos("zeta") < pos("alpha") && pos("alpha") < pos("mid"), "{names:?}\n{}", run.stdout);
    assert!(pos("zz later") < pos("aa later"), "{lines:?}");
}

/// The sweep's repro (E5): `check(v, sets, ())` was "Function not found"; k6 takes null tags
/// as none.
#[test]
fn check_with_unit_tags_is_a_check_without_tags() {
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() { check(1, #{ "tags are ()": |v| v == 1 }, ()); }
    "#,
    );
    let run = rload(&s, &[]);
    run.assert_all_checks_pass(1);
}

#[test]
fn check_functions_of_any_arity_are_called() {
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            let base = 1;
            check(1, #{
                "no parameter": || true,
                "one parameter": |v| v == 1,
                "two parameters": |v, extra| v == 1 && extra == (),
                "captures a variable": || base == 1,
            });
        }
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("Function not found"), "{}", run.stderr);
    for name in ["no parameter", "one parameter", "two parameters", "captures a variable"] {
        assert!(run.stdout.contains(&format!("✓ {name}")), "{name}: {}\n{}", run.stdout, run.stderr);
    }
}

#[test]
fn a_throwing_check_is_recorded_as_failed_and_ends_the_iteration() {
    let s = script(
        r#"
        export const options = #{ iterations: 2 };
        const after = Counter("after_check");
        fn run() {
            check(1, #{ "b runs first": |v| true, "a throws": |v| throw "boom", "c never runs": |v| true });
            after.add(1);
        }
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("boom"), "{}", run.stderr);
    assert!(run.stdout.contains("✓ b runs first"), "{}", run.stdout);
    assert!(run.stdout.contains("✗ a throws"), "{}", run.stdout);
    assert!(!run.stdout.contains("c never runs"), "{}", run.stdout);
    assert!(!run.stdout.contains("after_check"), "the iteration must end at the throw: {}", run.stdout);
    let checks = run.line("checks_succeeded");
    assert!(checks.contains("50.00%") && checks.contains("2 out of 4"), "{checks}");
}

#[test]
fn check_in_init_code_is_an_error_as_in_k6() {
    let s = script(
        r#"
        check(1, #{ "at init": |v| true });
        fn run() {}
    "#,
    );
    let run = rload(&s, &["-i", "1"]);
    assert_eq!(run.code, 107, "{}", run.stderr);
    assert!(run.stderr.contains("Using check() in the init context is not supported"), "{}", run.stderr);
}

/// k6 v1.1.0 refuses `group()` in init code as it refuses `check()` (exit 107); rload ran it.
#[test]
fn group_in_init_code_is_an_error_as_in_k6() {
    let s = script(
        r#"
        group("at init", || { print("GROUP RAN"); });
        fn run() {}
    "#,
    );
    let run = rload(&s, &["-i", "1"]);
    assert_eq!(run.code, 107, "{}", run.stderr);
    assert!(run.stderr.contains("Using group() in the init context is not supported"), "{}", run.stderr);
    assert!(!run.stdout.contains("GROUP RAN"), "{}", run.stdout);
}

/// k6 v1.1.0 refuses a custom metric's `add` in init code ("Adding to metrics in the init
/// context is not supported", exit 107); rload recorded one sample per VU's init.
#[test]
fn adding_to_a_metric_in_init_code_is_an_error_as_in_k6() {
    let s = script(
        r#"
        const C = Counter("init_adds");
        C.add(1);
        fn run() { C.add(1); }
    "#,
    );
    let run = rload(&s, &["-i", "1"]);
    assert_eq!(run.code, 107, "{}", run.stderr);
    assert!(run.stderr.contains("Adding to metrics in the init context is not supported"), "{}", run.stderr);
}

/// The `checks` points of the NDJSON at `path`: (group, the `round` tag, check name), in order.
fn check_points(path: &std::path::Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let point = |v: &serde_json::Value, key: &str| v["data"]["tags"][key].as_str().unwrap_or("-").to_owned();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "Point" && v["metric"] == "checks")
        .map(|v| (point(&v, "group"), point(&v, "round"), point(&v, "check")))
        .collect()
}

#[test]
fn a_check_repeated_in_groups_and_after_a_vu_tag_is_set_carries_the_tags_of_each_call() {
    let s = script(
        r#"
        export const options = #{ iterations: 2, vus: 1 };
        fn run() {
            if __ITER == 1 { exec.vu.metrics.tags["round"] = "2"; }
            check(1, #{ "same": true });
            group("a", || { check(1, #{ "same": true }); });
            group("b", || { group("c", || { check(1, #{ "same": true }); }); });
            check(1, #{ "same": true });
        }
    "#,
    );
    let out = s.dir.path().join("out.json");
    let run = rload(&s, &["-o", &format!("json={}", out.display())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let point = |group: &str, round: &str| (group.to_owned(), round.to_owned(), "same".to_owned());
    let mut expected = Vec::new();
    for round in ["-", "2"] {
        expected.extend([point("", round), point("::a", round), point("::b::c", round), point("", round)]);
    }
    assert_eq!(check_points(&out), expected);
    assert!(run.line("checks_succeeded").contains("8 out of 8"), "{}", run.stdout);
}
