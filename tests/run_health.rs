//! Load-generator health: rload watches its own CPU and says, live and in the summary, when it
//! was the bottleneck (its latencies then include its own queueing).
mod common;
use common::*;

const SATURATED: &str = "WARN the load generator was saturated";
const SATURATED_LIVE: &str = "WARN the load generator has been saturated";

#[test]
fn a_cpu_bound_script_on_one_thread_warns_that_latencies_include_rloads_queueing() {
    let s = script(
        r#"
        fn run() {
            let x = 0;
            for i in 0..20000 { x += i; }
        }
    "#,
    );
    let run = rload(&s, &["--threads", "1", "-u", "1", "-d", "8s"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let live = run.stderr.lines().filter(|l| l.contains(SATURATED_LIVE)).count();
    assert_eq!(live, 1, "one live warning on stderr: {}", run.stderr);
    let line = run.stdout.lines().find(|l| l.contains(SATURATED)).unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(line.contains("latencies include rload's own queueing") && line.contains("of the 1 core"), "{line}");
}

#[test]
fn an_idle_sleeping_script_does_not_warn() {
    let s = script("fn run() { sleep(0.5); }");
    let run = rload(&s, &["--threads", "1", "-u", "1", "-d", "7s"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let all = format!("{}{}", run.stderr, run.stdout);
    assert!(!all.contains(SATURATED) && !all.contains(SATURATED_LIVE), "{all}");
}
