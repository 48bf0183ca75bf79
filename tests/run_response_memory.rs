//! A large response body is held once by the VU, however often the script reads `r.body`: the
//! peak RSS of an `rload run` (its own, from `wait4`) against a loopback server in this process.
mod common;
use common::*;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::Arc;

/// 25 MB: twenty references to it are 500 MB by Rhai's own size accounting (which counts a
/// shared string once per reference), under the engine's 512 MiB limit.
const BODY: usize = 25_000_000;

/// Serves `GET /small` (1 byte) and any other path (`BODY` bytes of text), one request per
/// connection, for as long as the test runs.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let big = Arc::new(vec![b'x'; BODY]);
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let body: &[u8] = if request_line.contains("/small") { b"x" } else { &big };
            let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body));
        }
    });
    format!("http://{addr}")
}

/// Runs `rload run` and returns its exit code, stdout and peak resident memory in bytes.
fn run_measured(script: &Script, url: &str) -> (i32, String, u64) {
    #[allow(clippy::zombie_processes)] // reaped by `wait4` below, which also reports its usage
    let mut child = Command::new(BIN)
        .args(["run", "-q", "--threads", "1", "--no-color", "--no-system-env-vars", "-e"])
        .arg(format!("URL={url}"))
        .arg(&script.path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rload");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let mut status = 0;
    // SAFETY: a zeroed `rusage` is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, which `Child` has not reaped.
    let reaped = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(reaped, child.id() as libc::pid_t, "wait4 failed");
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    // Linux reports ru_maxrss in kilobytes.
    (code, stdout, usage.ru_maxrss as u64 * 1024)
}

#[test]
fn reading_a_25_mb_body_twenty_times_holds_it_once() {
    let url = serve();
    let s = script(
        r#"
        fn run() {
            let r = http.get(`${__ENV.URL}${__ENV.PATH}`);
            let reads = [];
            for i in 0..20 { reads.push(r.body); }
            let all_there = reads.len() == 20 && r.status == 200;
            check(r, #{ "read twenty times": |r| all_there });
        }
    "#,
    );
    let baseline = script(&std::fs::read_to_string(&s.path).unwrap().replace("${__ENV.PATH}", "/small"));
    let large = script(&std::fs::read_to_string(&s.path).unwrap().replace("${__ENV.PATH}", "/large"));
    let (_, small_out, small_rss) = run_measured(&baseline, &url);
    let (_, large_out, large_rss) = run_measured(&large, &url);
    for out in [&small_out, &large_out] {
        assert!(out.contains("checks_succeeded") && out.contains("100.00%"), "{out}");
    }
    let extra = large_rss.saturating_sub(small_rss);
    // Twenty copies would be 500 MB; the body once (plus its conversion to text) stays under 3×.
    assert!(extra < 3 * BODY as u64, "a 25 MB body read 20 times cost {} MB over the baseline", extra / 1_000_000);
    eprintln!("peak RSS: {} MB baseline, {} MB with the body", small_rss / 1_000_000, large_rss / 1_000_000);
}
