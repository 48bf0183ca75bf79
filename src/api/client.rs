//! `rload status | pause | resume | scale | stats`: k6's commands of the same names against a
//! running test's REST API (`--address`, k6's default `localhost:6565`).
//!
//! Each sends the request k6's Go client sends (a PATCH carries the whole status document,
//! unset fields as `null`) and prints the answer as k6 does, as YAML (`status`: `yaml.v3` of
//! k6's `Status`, whose nullable fields print as quoted text). Failures print k6's
//! `title: detail` and exit 1.

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

use super::body::{self, ApiMetric, Status};
use crate::runtime::exit;
use crate::stdio;

/// One control command, as parsed from the command line.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Status,
    Pause,
    Resume,
    Scale { vus: Option<i64>, max: Option<i64> },
    Stats,
}

/// Runs `command` against `address` and returns the exit code.
pub fn run(command: Command, address: &str) -> i32 {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("client runtime");
    match rt.block_on(execute(&command, address)) {
        Ok(text) => {
            stdio::out(&text);
            exit::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::OTHER
        }
    }
}

async fn execute(command: &Command, address: &str) -> Result<String, String> {
    let patch = |s: Status| Some(body::status_document(&s));
    let (method, path, payload) = match command {
        Command::Status => (Method::GET, "/v1/status", None),
        Command::Pause => (Method::PATCH, "/v1/status", patch(Status::request(Some(true), None, None))),
        Command::Resume => (Method::PATCH, "/v1/status", patch(Status::request(Some(false), None, None))),
        Command::Scale { vus: None, max: None } => return Err("Specify either -u/--vus or -m/--max".into()),
        Command::Scale { vus, max } => (Method::PATCH, "/v1/status", patch(Status::request(None, *vus, *max))),
        Command::Stats => (Method::GET, "/v1/metrics", None),
    };
    let answer = call(address, method, path, payload).await?;
    match command {
        Command::Stats => Ok(metrics_yaml(&body::metrics_from_document(&answer)?)),
        _ => Ok(status_yaml(&body::status_from_document(&answer)?)),
    }
}

/// One request to the API; the body of a 2xx answer, or the error it carries.
pub async fn call(address: &str, method: Method, path: &str, payload: Option<String>) -> Result<Bytes, String> {
    let stream = tokio::net::TcpStream::connect(address).await.map_err(|e| format!("{address}: {e}"))?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let req = Request::builder()
        .method(method.clone())
        .uri(path)
        .header("Host", address)
        .header("Content-Type", "application/json")
        .body(Full::new(Bytes::from(payload.unwrap_or_default())))
        .map_err(|e| e.to_string())?;
    let res = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = res.status();
    let body = res.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    if status.is_success() {
        return Ok(body);
    }
    Err(body::error_text(&body).unwrap_or_else(|| format!("{method} {path}: HTTP {status}")))
}

/// k6's `yamlPrint` of a `Status`: `paused`, `vus` and `vus-max` are nullable, which yaml.v3
/// writes through their text form, quoted.
pub fn status_yaml(s: &Status) -> String {
    let text = |v: Option<String>| format!("\"{}\"", v.unwrap_or_default());
    format!(
        "status: {}\npaused: {}\nvus: {}\nvus-max: {}\nstopped: {}\nrunning: {}\ntainted: {}\n",
        s.status,
        text(s.paused.map(|b| b.to_string())),
        text(s.vus.map(|n| n.to_string())),
        text(s.vus_max.map(|n| n.to_string())),
        s.stopped,
        s.running,
        s.tainted
    )
}

/// `rload stats`: every metric, its kind and its sample, as a YAML list.
pub fn metrics_yaml(metrics: &[ApiMetric]) -> String {
    let mut out = String::new();
    for m in metrics {
        let tainted = m.tainted.map_or("null".to_string(), |t| t.to_string());
        out += &format!(
            "- name: {}\n  type: {}\n  contains: {}\n  tainted: {tainted}\n  sample:\n",
            m.name, m.kind, m.contains
        );
        for (k, v) in &m.sample {
            let key = if k.contains('(') { format!("\"{k}\"") } else { k.clone() };
            out += &format!("    {key}: {v}\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_prints_as_k6s_yaml_with_quoted_nullable_fields() {
        let s = Status {
            status: 7,
            paused: Some(false),
            vus: Some(10),
            vus_max: Some(10),
            stopped: false,
            running: true,
            tainted: false,
        };
        assert_eq!(
            status_yaml(&s),
            "status: 7\npaused: \"false\"\nvus: \"10\"\nvus-max: \"10\"\nstopped: false\nrunning: true\ntainted: false\n"
        );
    }

    #[test]
    fn scale_without_a_count_says_what_to_give() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let err = rt.block_on(execute(&Command::Scale { vus: None, max: None }, "127.0.0.1:1")).unwrap_err();
        assert_eq!(err, "Specify either -u/--vus or -m/--max");
    }
}
