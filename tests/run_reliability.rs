//! Every run ends, on time, with its results: whatever the script does, one VU cannot starve
//! the others, and no number a script or a flag gives can panic a VU.
mod common;
use common::*;

/// The `iterations` count printed in the summary section of scenario `name`.
fn scenario_iterations(run: &Run, name: &str) -> u64 {
    let section = run
        .stdout
        .split(&format!("SCENARIO: {name}"))
        .nth(1)
        .unwrap_or_else(|| panic!("no section for scenario {name} in:\n{}\n{}", run.stdout, run.stderr));
    let line = section
        .lines()
        .find(|l| l.trim_start().starts_with("iterations."))
        .unwrap_or_else(|| panic!("no iterations line for {name} in:\n{}", run.stdout));
    line.split(':').nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap()
}

/// `web` sleeps 0.1 s per iteration beside `busy`, whose iterations never wait, on one thread.
fn busy_beside_web(busy_body: &str) -> Run {
    let target = Target::start();
    let s = script(&format!(
        r#"
        export const options = #{{
            scenarios: #{{
                busy: #{{ executor: "constant-vus", vus: 2, duration: "2s", exec: "busy" }},
                web: #{{ executor: "constant-vus", vus: 4, duration: "2s", exec: "web" }},
            }},
        }};
        fn busy() {{ {busy_body} }}
        fn web() {{ http.get(`${{__ENV.BASE_URL}}/`); sleep(0.1); }}
    "#
    ));
    rload(&s, &["--threads", "1", "-e", &format!("BASE_URL={}", target.url())])
}

#[test]
fn a_cpu_bound_vu_does_not_starve_another_scenario_on_its_thread() {
    let run = busy_beside_web("let x = 0; for i in 0..100 { x += i; }");
    assert_eq!(run.code, 0, "{}", run.stderr);
    // 4 VUs × 2 s / 0.1 s ≈ 80 iterations when web has the thread to itself; 0 before the fix.
    let web = scenario_iterations(&run, "web");
    assert!(web >= 20, "web made {web} iterations beside a busy scenario:\n{}", run.stdout);
    assert!(scenario_iterations(&run, "busy") > 100, "{}", run.stdout);
}

#[test]
fn a_vu_that_throws_at_once_does_not_starve_another_scenario_on_its_thread() {
    let run = busy_beside_web(r#"throw "typo";"#);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let web = scenario_iterations(&run, "web");
    assert!(web >= 20, "web made {web} iterations beside a throwing scenario:\n{}", run.stdout);
}

#[test]
fn an_absurd_sleep_is_an_iteration_error_not_a_panic() {
    let s = script("fn run() { sleep(1e20); }");
    let run = rload(&s, &["-u", "1", "-i", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("sleep(") && run.stderr.contains("longest duration"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(run.stdout.contains("iterations with script errors: 2"), "{}", run.stdout);
}

#[test]
fn a_duration_beyond_k6s_maximum_is_an_invalid_flag_not_a_panic() {
    let s = script("fn run() {}");
    for d in ["10000000000000000000s", "1e30", "9999999999999999h"] {
        let run = rload(&s, &["-u", "1", "-d", d]);
        assert_eq!(run.code, 104, "-d {d}: {}", run.stderr);
        assert!(run.stderr.contains(&format!("--duration: invalid duration \"{d}\"")), "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}
