//! Live progress as k6 shows it: the run line and one line per scenario, in place on a
//! terminal, once a second otherwise; `-q` hides progress but not errors; `NO_COLOR` is honoured.
mod common;
use common::*;
use std::process::Command;

#[test]
fn without_a_terminal_progress_is_printed_once_a_second_with_each_scenario() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ scenarios: #{
            api: #{ executor: "constant-vus", vus: 2, duration: "2500ms" },
        } };
        fn run() { http.get(`${__ENV.BASE_URL}/`); sleep(0.05); }
    "#,
    );
    let run = rload(&s, &["-e", &format!("BASE_URL={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let running: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("running (")).collect();
    assert!((2..=3).contains(&running.len()), "one run line a second:\n{}", run.stderr);
    assert!(running[0].starts_with("running (00m01.0s), 2/2 VUs,"), "{}", running[0]);
    let api = run.stderr.lines().find(|l| l.starts_with("api ")).unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(api.contains("% ] 2/2 VUs") && api.ends_with("/2.5s"), "{api}");
    let http = run.stderr.lines().find(|l| l.starts_with("http ")).unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(http.contains(" req/s  0.00% failed  p(95)="), "{http}");
}

#[test]
fn quiet_hides_progress_but_not_errors() {
    let s = script(r#"fn run() { sleep(0.6); throw "broken step"; }"#);
    let run = rload(&s, &["-q", "-u", "1", "-d", "1500ms"]);
    assert!(!run.stderr.contains("running ("), "{}", run.stderr);
    assert!(run.stderr.contains("ERRO[") && run.stderr.contains("broken step"), "{}", run.stderr);
}

/// `CMD` under a pseudo-terminal (util-linux `script`), so stdout and stderr are terminals.
fn on_a_terminal(cmd: &str, env: &[(&str, &str)]) -> String {
    let out = Command::new("script")
        .args(["-qec", cmd, "/dev/null"])
        .envs(env.iter().copied())
        .output()
        .expect("util-linux `script` runs a command under a pseudo-terminal");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn on_a_terminal_progress_is_redrawn_in_place_with_bars() {
    let s = script("fn run() { sleep(0.05); }");
    let out = on_a_terminal(&format!("{BIN} run {} -u 2 -d 1200ms --no-summary", s.path.display()), &[]);
    assert!(out.contains("default [====="), "{out:?}");
    // Redrawn: back to the top of the area and cleared, not a new block of lines each time.
    assert!(out.matches("\x1b[2F\x1b[J").count() >= 5, "{out:?}");
}

#[test]
fn no_color_in_the_environment_turns_colours_off() {
    let s = script("fn run() { check(1, #{ \"one\": |v| v == 1 }); }");
    let cmd = format!("{BIN} run {} -q -u 1 -i 1", s.path.display());
    assert!(on_a_terminal(&cmd, &[]).contains("\x1b["), "colours on a terminal by default");
    assert!(!on_a_terminal(&cmd, &[("NO_COLOR", "1")]).contains("\x1b["), "NO_COLOR=1 turns them off");
}
