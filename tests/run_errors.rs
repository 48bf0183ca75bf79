//! Errors a user will hit: syntax errors, runtime errors, runaway scripts, bad options, signals.
mod common;
use common::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn syntax_error_shows_file_line_column_and_caret_and_exits_107() {
    let s = script("fn run() {\n    let x = (1 + ;\n}\n");
    let run = rload(&s, &[]);
    assert_eq!(run.code, 107, "{}", run.stderr);
    let path = s.path.display().to_string();
    assert!(run.stderr.contains(&format!("{path}:2:")), "{}", run.stderr);
    assert!(run.stderr.contains("2 |     let x = (1 + ;"), "{}", run.stderr);
    assert!(run.stderr.lines().any(|l| l.trim_end().ends_with('^')), "{}", run.stderr);
    assert!(!run.stdout.contains("iterations"), "no VU may start: {}", run.stdout);
}

#[test]
fn runtime_error_ends_the_iteration_and_the_run_goes_on() {
    let s = script(
        r#"
        fn run() {
            if __ITER % 2 == 1 { throw "odd iteration"; }
            check(1, #{ "reached": |x| true });
        }
    "#,
    );
    let run = rload(&s, &["-u", "1", "-i", "6"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Printed once, counted three times.
    assert_eq!(run.stderr.matches("odd iteration").count(), 1, "{}", run.stderr);
    assert!(run.stdout.contains("3× odd iteration") || run.stdout.contains("3 × odd iteration"), "{}", run.stdout);
    assert!(run.stdout.contains("✓ reached"), "{}", run.stdout);
}

/// The conversion's `finally` (and a script's own `catch (err) { throw err; }`) throws Rhai's
/// error again as the map `catch` received: it is reported as the error itself, at the line
/// where it happened, with that line and a caret.
#[test]
fn an_error_caught_and_thrown_again_is_reported_where_it_happened() {
    let s = script(
        r#"
        fn run() {
            try {
                let x = [1][5];
            } catch (err) {
                throw err;
            }
        }
    "#,
    );
    let run = rload(&s, &["-u", "1", "-i", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("Array index 5 out of bounds: only 1 element in array at "), "{}", run.stderr);
    assert!(run.stderr.contains(":4:") && run.stderr.contains("let x = [1][5];"), "{}", run.stderr);
    assert!(!run.stderr.contains("ErrorArrayBounds"), "{}", run.stderr);
}

#[test]
fn runaway_recursion_is_an_iteration_error_not_a_crash() {
    let s = script(
        r#"
        fn deep(n) { deep(n + 1) }
        fn run() { deep(0); }
    "#,
    );
    let run = rload(&s, &["-u", "1", "-i", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.to_lowercase().contains("stack overflow"), "{}", run.stderr);
}

#[test]
fn invalid_options_are_reported_together_and_exit_104() {
    let s = script(
        r#"
        export const options = #{ vu: 3, duration: "10x", noConnectionReuse: "yes" };
        fn run() {}
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 104, "{}", run.stderr);
    assert!(run.stderr.contains("unknown option \"vu\" (did you mean \"vus\"?)"), "{}", run.stderr);
    assert!(run.stderr.contains("duration: invalid duration \"10x\""), "{}", run.stderr);
    assert!(run.stderr.contains("noConnectionReuse: must be true or false"), "{}", run.stderr);
}

#[test]
fn a_script_without_run_is_rejected_before_starting() {
    let s = script("fn other() {}");
    let run = rload(&s, &[]);
    assert_eq!(run.code, 107, "{}", run.stderr);
    assert!(run.stderr.contains("fn run()"), "{}", run.stderr);
}

/// SIGINT while an endless loop and a long sleep are running: the summary is printed, exit 105.
#[test]
fn sigint_interrupts_iterations_prints_the_summary_and_exits_105() {
    let s = script(
        r#"
        fn run() {
            if __VU == 1 { loop { } }
            check(1, #{ "before sleep": |x| true });
            sleep(3600);
        }
    "#,
    );
    let child = Command::new(BIN)
        .args(["run", s.path.to_str().unwrap(), "-u", "3", "-d", "1h", "--no-color", "--threads", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: kill only signals the child we started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    let run = Run::from_output(out);
    assert!(started.elapsed() < Duration::from_secs(10), "stopping took {:?}", started.elapsed());
    assert_eq!(run.code, 105, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("✓ before sleep"), "{}", run.stdout);
    assert!(run.stdout.contains("interrupted"), "{}", run.stdout);
}

/// As k6, which marshals setup()'s data to JSON with Go's encoder: NaN, an infinity or a
/// function in it ends the run (exit 255, k6's message) before any iteration, rather than
/// reaching the VUs as `null` or a function's name (sweep C's `r12_setup_data.js`).
#[test]
fn setup_data_holding_nan_infinity_or_a_function_ends_the_run_with_255() {
    for (value, why) in [
        ("#{ n: 0.0 / 0.0 }", "json: unsupported value: NaN (at data.n)"),
        ("#{ a: [1, -1.0 / 0.0] }", "json: unsupported value: -Inf (at data.a[1])"),
        ("#{ f: || 1 }", "json: unsupported type: function (at data.f)"),
    ] {
        let s = script(&format!(
            "export const options = #{{ iterations: 1 }};\nfn setup() {{ {value} }}\nfn run(data) {{ print(`RAN ${{data.to_json()}}`); }}\n"
        ));
        let run = rload(&s, &[]);
        assert_eq!(run.code, 255, "{value}: {}\n{}", run.stdout, run.stderr);
        let expected = format!("marshaling setup() data to JSON: {why}");
        assert!(run.stderr.contains(&expected), "{value}: no {expected:?} in:\n{}", run.stderr);
        assert!(!run.stdout.contains("RAN"), "{value}: an iteration ran:\n{}", run.stdout);
    }
}

/// k6 marshals `setup()`'s data with Go's encoder: a `Date` in it reaches `run(data)` as Go's
/// text of a time (RFC 3339 in local time, no trailing zero milliseconds, `Z` at a zero offset),
/// not `toISOString`'s. Expected texts are k6 v1.1.0's for this script under each `TZ`.
#[test]
fn a_date_in_setup_data_reaches_the_vus_as_k6_writes_it() {
    let s = script_named(
        "dates.js",
        "export const options = { iterations: 1 };\n\
         export function setup() {\n\
           return { when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 670)), day: new Date(Date.UTC(2024, 0, 2)), bad: new Date(NaN) };\n\
         }\n\
         export default function (data) { console.log(`DATA ${data.when} ${data.day} ${data.bad}`); }\n",
    );
    for (tz, expected) in [
        ("UTC", "DATA 2024-01-02T03:04:05.67Z 2024-01-02T00:00:00Z null"),
        ("Europe/Paris", "DATA 2024-01-02T04:04:05.67+01:00 2024-01-02T01:00:00+01:00 null"),
        ("America/St_Johns", "DATA 2024-01-01T23:34:05.67-03:30 2024-01-01T20:30:00-03:30 null"),
    ] {
        let out = Command::new(BIN)
            .arg("run")
            .arg(&s.path)
            .args(["--no-color", "--no-system-env-vars", "-q"])
            .env("TZ", tz)
            .output()
            .unwrap();
        let run = Run::from_output(out);
        assert_eq!(run.code, 0, "{tz}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{tz}: no {expected:?} in:\n{}", run.stderr);
    }
}

/// `export default function (data = {…})` converts to `fn run(data)` and `fn run()`: rload took
/// the arity of whichever overload Rhai listed last, so in about half the runs every iteration
/// got the default instead of setup's data. k6 always passes it.
#[test]
fn a_default_parameter_does_not_keep_setup_data_from_the_default_function() {
    let s = script_named(
        "defaults.js",
        "export const options = { iterations: 2 };\n\
         export function setup() { return { token: 'abc' }; }\n\
         export default function (data = { token: 'none' }) { console.log(`TOKEN ${data.token}`); }\n\
         export function teardown(data = { token: 'none' }) { console.log(`TEARDOWN ${data.token}`); }\n",
    );
    for _ in 0..6 {
        let run = rload(&s, &["-q"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stderr.matches("TOKEN abc").count(), 2, "{}", run.stderr);
        assert!(run.stderr.contains("TEARDOWN abc"), "{}", run.stderr);
    }
}
