//! k6's `group(name, fn)` as the `-o json` stream shows it: the `group` tag of the samples made
//! inside and the `group_duration` every group that ends records (k6's js/modules/k6/k6.go
//! `group`).
mod common;
use common::*;

/// The `group` tags of the `group_duration` points of the NDJSON at `path`, in order.
fn group_duration_points(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "Point" && v["metric"] == "group_duration")
        .map(|v| v["data"]["tags"]["group"].as_str().unwrap_or("-").to_owned())
        .collect()
}

#[test]
fn a_group_that_throws_fails_or_aborts_the_test_still_records_its_group_duration() {
    let s = script(
        r#"
        export const options = #{ iterations: 2, vus: 1 };
        fn run() {
            try { group("throws", || { throw "x"; }); } catch {}
            try { group("fails", || { fail("y"); }); } catch {}
            group("outer", || { try { group("inner", || { throw "z"; }); } catch {} });
            if __ITER == 1 { group("aborts", || { exec.test.abort("stop"); }); }
        }
    "#,
    );
    let out = s.dir.path().join("out.json");
    let run = rload(&s, &["-o", &format!("json={}", out.display())]);
    assert_eq!(run.code, 108, "{}", run.stderr);
    let iteration = ["::throws", "::fails", "::outer::inner", "::outer"];
    let mut expected: Vec<String> = [iteration, iteration].concat().iter().map(|g| g.to_string()).collect();
    expected.push("::aborts".into());
    assert_eq!(group_duration_points(&out), expected);
}

#[test]
fn a_group_cut_short_by_the_end_of_the_run_records_no_group_duration() {
    let s = script(
        r#"
        export const options = #{ scenarios: #{ s: #{
            executor: "constant-vus", vus: 1, duration: "1s", gracefulStop: "0s" } } };
        fn run() { group("slow", || { sleep(5); }); }
    "#,
    );
    let out = s.dir.path().join("out.json");
    let run = rload(&s, &["-o", &format!("json={}", out.display())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(group_duration_points(&out), Vec::<String>::new());
}

/// The `(group, check)` tags of the `checks` points of the NDJSON at `path`, in order.
fn check_points(path: &std::path::Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "Point" && v["metric"] == "checks")
        .map(|v| {
            let tag = |key: &str| v["data"]["tags"][key].as_str().unwrap_or("-").to_owned();
            (tag("group"), tag("check"))
        })
        .collect()
}

/// k6 v1.1 (`lib.NewGroupPath`): `group("")` at the top level is the root group itself, so its
/// samples and its `group_duration` have the group tag `""` and a group inside it is `::b`;
/// inside `a` it is `::a::` (sweep C's `t23.js`).
#[test]
fn a_group_named_empty_at_the_top_level_is_the_root_group_as_in_k6() {
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            group("", || { check(1, #{ "c1": true }); group("b", || check(1, #{ "c2": true })); });
            group("a", || group("", || check(1, #{ "c3": true })));
        }
    "#,
    );
    let out = s.dir.path().join("out.json");
    let run = rload(&s, &["-o", &format!("json={}", out.display())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(group_duration_points(&out), ["::b", "", "::a::", "::a"]);
    let checks: Vec<(String, String)> =
        [("", "c1"), ("::b", "c2"), ("::a::", "c3")].iter().map(|(g, c)| (g.to_string(), c.to_string())).collect();
    assert_eq!(check_points(&out), checks);
}
