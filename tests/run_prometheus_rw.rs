//! `-o experimental-prometheus-rw`: a short run pushes to a real Prometheus (Debian's
//! `prometheus`, started here with its remote-write receiver on a free loopback port), and
//! PromQL through its HTTP API reads back the run's request count and latency percentiles under
//! the names k6's remote-write output gives them. Prometheus missing is a failure, not a skip:
//! `.ci/run` installs it.
mod common;
use common::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A Prometheus server of its own, in a temporary directory, killed on drop.
struct Prometheus {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Prometheus {
    fn start() -> Prometheus {
        let found = Command::new("prometheus").arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
        assert!(found, "`prometheus` is not installed: `apt-get install -y prometheus` (.ci/run does)");
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("prometheus.yml");
        std::fs::write(&config, "global:\n  scrape_interval: 1m\nscrape_configs: []\n").unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--web.enable-remote-write-receiver")
            .arg("--enable-feature=native-histograms")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus");
        let mut p = Prometheus { child, port, _dir: dir };
        let ready = eventually(Duration::from_secs(30), || p.get("/-/ready").is_some_and(|(code, _)| code == 200));
        if !ready {
            let status = p.child.try_wait().unwrap();
            panic!("prometheus on 127.0.0.1:{port} not ready within 30 s (exited: {status:?})");
        }
        p
    }

    fn write_url(&self) -> String {
        format!("http://127.0.0.1:{}/api/v1/write", self.port)
    }

    /// `GET path` → (status, body), or `None` when nothing answers.
    fn get(&self, path: &str) -> Option<(u16, String)> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
        let mut text = String::new();
        s.read_to_string(&mut text).ok()?;
        let code = text.split(' ').nth(1)?.parse().ok()?;
        let body = text.split_once("\r\n\r\n")?.1;
        // A chunked body: Prometheus's answers are small, one chunk between two size lines.
        let body = if text.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            body.lines().filter(|l| !l.is_empty() && u64::from_str_radix(l.trim(), 16).is_err()).collect()
        } else {
            body.to_string()
        };
        Some((code, body))
    }

    /// An instant PromQL query: each result's labels and value.
    fn query(&self, promql: &str) -> Vec<(serde_json::Value, f64)> {
        self.query_at(promql, "")
            .iter()
            .map(|r| (r["metric"].clone(), r["value"][1].as_str().unwrap().parse().unwrap()))
            .collect()
    }

    /// A PromQL query evaluated at `time` (Unix seconds; empty: now): the raw results.
    fn query_at(&self, promql: &str, time: &str) -> Vec<serde_json::Value> {
        let encoded: String = promql
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        let at = if time.is_empty() { String::new() } else { format!("&time={time}") };
        let (code, body) = self.get(&format!("/api/v1/query?query={encoded}{at}")).expect("prometheus answers");
        assert_eq!(code, 200, "{promql}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        v["data"]["result"].as_array().unwrap().clone()
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const GET_LOOP: &str = r#"
    fn run() {
        http.get(`${__ENV.BASE_URL}/`);
        http.get(`${__ENV.BASE_URL}/status/404`);
    }
"#;

/// GET_LOOP paced so 60 iterations of 3 VUs last ~1.4 s: `vus` is sampled from 1 s in, as k6.
const GET_LOOP_PACED: &str = r#"
    fn run() {
        http.get(`${__ENV.BASE_URL}/`);
        http.get(`${__ENV.BASE_URL}/status/404`);
        sleep(0.07);
    }
"#;

#[test]
fn a_run_pushes_its_request_count_and_percentiles_to_a_real_prometheus() {
    let prometheus = Prometheus::start();
    let target = Target::start();
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.json");
    let run = rload(
        &script(GET_LOOP_PACED),
        &[
            "-u",
            "3",
            "-i",
            "60",
            "-e",
            &format!("BASE_URL={}", target.url()),
            "-e",
            &format!("K6_PROMETHEUS_RW_SERVER_URL={}", prometheus.write_url()),
            "-e",
            "K6_PROMETHEUS_RW_TREND_STATS=p(95),p(99),count",
            "-e",
            "K6_PROMETHEUS_RW_PUSH_INTERVAL=500ms",
            "-o",
            "experimental-prometheus-rw",
            "--summary-export",
            &export.to_string_lossy(),
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("output: Prometheus remote write ({})", prometheus.write_url())),
        "{}",
        run.stdout
    );
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&export).unwrap()).unwrap();
    let requests = summary["metrics"]["http_reqs"]["count"].as_f64().unwrap();
    assert_eq!(requests, 120.0);

    // The count: every request, split by status as tagged.
    let total = prometheus.query("sum(k6_http_reqs_total)");
    assert_eq!(total.len(), 1, "{total:?}");
    assert_eq!(total[0].1, requests);
    let by_status = prometheus.query("k6_http_reqs_total{status=\"404\"}");
    assert_eq!(by_status.len(), 1, "{by_status:?}");
    assert_eq!(by_status[0].1, 60.0);
    let labels = &by_status[0].0;
    assert_eq!((labels["method"].as_str(), labels["scenario"].as_str()), (Some("GET"), Some("default")), "{labels}");

    // Percentiles per series, in seconds; each series' count is its requests.
    for stat in ["p95", "p99"] {
        let series = prometheus.query(&format!("k6_http_req_duration_{stat}"));
        assert_eq!(series.len(), 2, "one {stat} per status: {series:?}");
        for (labels, seconds) in &series {
            assert!(*seconds > 0.0 && *seconds < 5.0, "{stat} {labels}: {seconds} s");
        }
    }
    let counts = prometheus.query("sum(k6_http_req_duration_count)");
    assert_eq!(counts[0].1, requests);
    // The whole run's p(95) lies between the per-status p(95)s the summary aggregates.
    let p95s: Vec<f64> = prometheus.query("k6_http_req_duration_p95").iter().map(|(_, v)| v * 1000.0).collect();
    let summary_p95 = summary["metrics"]["http_req_duration"]["p(95)"].as_f64().unwrap();
    let (lo, hi) = (p95s.iter().cloned().fold(f64::MAX, f64::min), p95s.iter().cloned().fold(0.0, f64::max));
    assert!(lo * 0.99 <= summary_p95 && summary_p95 <= hi * 1.01, "{summary_p95} ms not within {p95s:?}");

    // Rates and gauges under their names.
    assert_eq!(prometheus.query("k6_http_req_failed_rate{status=\"404\"}")[0].1, 1.0);
    assert_eq!(prometheus.query("k6_checks_rate").len(), 0, "no checks in the script, no series");
    assert!(!prometheus.query("k6_vus").is_empty());
}

#[test]
fn trends_as_native_histograms_answer_histogram_quantile_and_stale_markers_end_the_series() {
    let prometheus = Prometheus::start();
    let target = Target::start();
    let run = rload(
        &script(GET_LOOP),
        &[
            "-u",
            "2",
            "-i",
            "40",
            "-e",
            &format!("BASE_URL={}", target.url()),
            "-e",
            &format!("K6_PROMETHEUS_RW_SERVER_URL={}", prometheus.write_url()),
            "-e",
            "K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true",
            "-e",
            "K6_PROMETHEUS_RW_STALE_MARKERS=true",
            "-o",
            "experimental-prometheus-rw",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    // Marked stale at the end: an instant query now finds no series…
    assert!(prometheus.query("k6_http_reqs_total").is_empty());
    // …while the range before the end holds them: one histogram per status, counting every
    // request, and `histogram_quantile` reads a p(95) from each at its time.
    let series = prometheus.query_at("k6_http_req_duration_seconds[5m]", "");
    assert_eq!(series.len(), 2, "{series:?}");
    let mut requests = 0;
    for s in &series {
        let (time, histogram) = {
            let last = s["histograms"].as_array().and_then(|h| h.last()).unwrap_or_else(|| panic!("{s}"));
            (last[0].to_string(), &last[1])
        };
        requests += histogram["count"].as_str().unwrap().parse::<u64>().unwrap();
        let status = s["metric"]["status"].as_str().unwrap();
        let promql = format!("histogram_quantile(0.95, k6_http_req_duration_seconds{{status=\"{status}\"}})");
        let p95 = prometheus.query_at(&promql, &time);
        let seconds: f64 = p95[0]["value"][1].as_str().unwrap().parse().unwrap();
        assert!(seconds > 0.0 && seconds < 5.0, "{promql} at {time}: {p95:?}");
    }
    assert_eq!(requests, 80);
}

#[test]
fn an_unreachable_endpoint_is_reported_at_the_end_and_does_not_fail_the_run() {
    let target = Target::start();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let run = rload(
        &script(GET_LOOP),
        &[
            "-i",
            "5",
            "-e",
            &format!("BASE_URL={}", target.url()),
            "-e",
            &format!("K6_PROMETHEUS_RW_SERVER_URL=http://127.0.0.1:{closed}/api/v1/write"),
            "-o",
            "experimental-prometheus-rw",
        ],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.line("http_reqs").contains("10"), "{}", run.stdout);
    assert!(
        run.stderr.contains("warning: output Prometheus remote write")
            && run.stderr.contains("1 of 1 pushes failed")
            && run.stderr.contains("connecting to 127.0.0.1"),
        "{}",
        run.stderr
    );
}

#[test]
fn after_ctrl_c_the_last_push_holds_every_request_the_summary_counts() {
    let prometheus = Prometheus::start();
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            http.get(`${__ENV.BASE_URL}/`);
            if __VU == 1 && __ITER == 20 { print("past 20 iterations"); }
            sleep(0.02);
        }
    "#,
    );
    let (base, server) =
        (format!("BASE_URL={}", target.url()), format!("K6_PROMETHEUS_RW_SERVER_URL={}", prometheus.write_url()));
    let args = ["-u", "2", "-d", "60s", "-e", &base, "-e", &server, "-o", "experimental-prometheus-rw"];
    let run = signalled_run(&s, &args, "past 20 iterations", None, Duration::from_secs(20));
    assert_eq!(run.code, 105, "{}", run.stderr);
    let line = run.line("http_reqs");
    let counted: f64 = line.split(':').nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    assert!(counted >= 20.0, "{line}");
    assert_eq!(prometheus.query("sum(k6_http_reqs_total)")[0].1, counted, "{line}");
}
