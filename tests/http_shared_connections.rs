//! `sharedConnections` / `--shared-connections`: VUs of a thread share a bounded pool of
//! connections, and the open-files check counts the connections a run can actually open.
mod common;
use common::*;

use std::os::unix::process::CommandExt;
use std::process::Command;

/// `rload run` with its open-files limit (soft and hard) set to `files`.
fn rload_with_files(s: &Script, files: u64, args: &[&str]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.arg("run").arg(&s.path).args(args).args(["--no-color", "--no-system-env-vars", "-q"]);
    // SAFETY: setrlimit is async-signal-safe and touches only the child's own limits.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit { rlim_cur: files, rlim_max: files };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Run::from_output(cmd.output().expect("run rload"))
}

#[test]
fn vus_of_a_thread_share_at_most_the_given_number_of_connections() {
    let target = Target::start();
    // Each request waits 20 ms at the target, so 40 VUs on 2 threads keep asking at once.
    let s =
        script(r#"fn run() { let r = http.get(`${__ENV.BASE}/delay/20`); check(r, #{ "ok": |r| r.status == 200 }); }"#);
    let base = format!("BASE={}", target.url());
    let run = rload(&s, &["-u", "40", "-i", "200", "--threads", "2", "--shared-connections", "3", "-e", &base]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}", run.stdout);
    let stats = target.stats();
    assert_eq!(stats["requests_total"], 201, "{stats}");
    // 3 per worker thread; the /stats request itself is one more.
    let opened = stats["connections_total"].as_u64().unwrap();
    assert!(opened <= 2 * 3 + 1, "40 VUs opened {opened} connections with --shared-connections 3 on 2 threads");
}

#[test]
fn the_option_in_the_script_bounds_connections_and_zero_is_refused() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ sharedConnections: 1 };
        fn run() { http.get(`${__ENV.BASE}/delay/10`); }
        "#,
    );
    let base = format!("BASE={}", target.url());
    let run = rload(&s, &["-u", "10", "-i", "40", "--threads", "1", "-e", &base]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(target.stats()["connections_total"], 2, "one shared connection, then /stats");

    let zero = rload(&s, &["-u", "1", "-i", "1", "--shared-connections", "0", "-e", &base]);
    assert_ne!(zero.code, 0);
    assert!(zero.stderr.contains("--shared-connections: must be at least 1"), "{}", zero.stderr);
}

#[test]
fn idle_vus_past_the_open_files_limit_are_not_refused() {
    let s = script("fn run() { sleep(0.2); }");
    let run = rload_with_files(&s, 256, &["-u", "600", "-i", "600"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn http_vus_past_the_open_files_limit_are_refused_unless_they_share_connections() {
    let target = Target::start();
    let s = script(r#"fn run() { http.get(`${__ENV.BASE}/`); sleep(0.1); }"#);
    let base = format!("BASE={}", target.url());
    let refused = rload_with_files(&s, 256, &["-u", "600", "-i", "600", "-e", &base]);
    assert_eq!(refused.code, 255, "{}\n{}", refused.stdout, refused.stderr);
    assert!(refused.stderr.contains("open files"), "{}", refused.stderr);
    assert!(refused.stderr.contains("--shared-connections"), "{}", refused.stderr);

    let shared = rload_with_files(
        &s,
        256,
        &["-u", "600", "-i", "600", "--threads", "2", "--shared-connections", "8", "-e", &base],
    );
    assert_eq!(shared.code, 0, "{}\n{}", shared.stdout, shared.stderr);
    let stats = target.stats();
    assert_eq!(stats["requests_total"], 601, "{stats}");
    assert!(stats["connections_total"].as_u64().unwrap() <= 3 * 8 + 1, "{stats}");
}
