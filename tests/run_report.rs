//! `--report FILE.html`: a self-contained HTML report, opened in a real headless Chromium
//! (Debian's `chromium`; `.ci/run` installs it), written however the run ends.
mod common;
use common::*;
use std::path::Path;
use std::process::Command;

/// The page's DOM as Chromium built it (`--dump-dom`), after loading the file with the network
/// off limits to it anyway (the page's own Content-Security-Policy).
fn chromium_dom(page: &Path) -> String {
    let out = Command::new("chromium")
        .args(["--headless", "--disable-gpu", "--no-sandbox", "--dump-dom"])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs (apt-get install -y chromium, as .ci/run does)");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Each chart of the DOM: its title and the number of points its lines drew.
fn charts(dom: &str) -> Vec<(String, usize)> {
    dom.split("<section class=\"panel\">")
        .skip(1)
        .map(|section| {
            let title = section.split("<h3>").nth(1).and_then(|t| t.split("</h3>").next()).unwrap_or("").to_owned();
            let svg = section.split("</svg>").next().unwrap_or("");
            let points = svg
                .split("points=\"")
                .skip(1)
                .map(|p| p.split('"').next().unwrap_or("").split_whitespace().filter(|xy| xy.contains(',')).count())
                .sum::<usize>()
                + svg.matches("<circle").count();
            (title, points)
        })
        .collect()
}

/// Every way a page could fetch something: an attribute naming a resource, CSS that loads one.
fn fetches(html: &str) -> Vec<&'static str> {
    ["src=", "href=", "url(", "@import", "<script", "<link", "<iframe", "<object", "<embed"]
        .into_iter()
        .filter(|needle| html.to_lowercase().contains(needle))
        .collect()
}

const SCRIPT: &str = r#"
    export const options = #{
        thresholds: #{
            http_req_duration: ["p(95)<5000"],
            "http_req_duration{status:200}": ["p(99)<5000"],
            checks: ["rate>0.99"],
        },
    };
    fn run() {
        group("front page", || {
            let r = http.get(`${__ENV.BASE_URL}/`);
            check(r, #{ "status is 200": |r| r.status == 200 });
        });
        sleep(0.02);
    }
"#;

#[test]
fn the_report_is_one_offline_page_whose_every_chart_drew_in_chromium() {
    let target = Target::start();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let s = script(SCRIPT);
    let url = format!("BASE_URL={}", target.url());
    let run = rload(&s, &["-u", "2", "-d", "3s", "-e", &url, "--report", &page.to_string_lossy()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(&page).expect("the report was written");
    assert!(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""), "no fetch allowed");
    assert_eq!(fetches(&html), Vec::<&str>::new(), "the page would fetch something");

    let dom = chromium_dom(&page);
    let drawn = charts(&dom);
    let titles: Vec<&str> = drawn.iter().map(|(t, _)| t.as_str()).collect();
    for title in [
        "VUs",
        "Requests per second",
        "Failed requests (http_req_failed)",
        "http_req_duration",
        "http_req_duration{status:200}",
        "Iterations per second",
        "Checks passed",
        "rload CPU (load generator)",
        "rload memory (RSS)",
    ] {
        assert!(titles.contains(&title), "no chart {title:?} in {titles:?}");
    }
    for (title, points) in &drawn {
        // A 3-second test: a point per second and line.
        assert!(*points >= 2, "chart {title:?} drew {points} points");
    }
    // The thresholds with their verdicts, the checks and the groups, from the results model.
    assert!(dom.contains("<td><code>p(95)&lt;5000</code></td>"), "threshold row missing");
    assert_eq!(dom.matches("<td class=\"pass\">pass</td>").count(), 3, "three thresholds passed");
    assert!(dom.contains("<td>status is 200</td>"), "check row missing");
    assert!(dom.contains("<b>front page</b>"), "group missing");
}

#[test]
fn the_report_is_written_after_ctrl_c_and_after_abort_on_fail() {
    let target = Target::start();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("BASE_URL={}", target.url());

    let page = dir.path().join("signalled.html");
    let s = script(
        r#"
        fn run() {
            if __VU == 1 && __ITER == 25 { print("past 25 iterations"); }
            http.get(`${__ENV.BASE_URL}/`);
            sleep(0.05);
        }
    "#,
    );
    let args = ["-u", "2", "-d", "60s", "-e", &url, "--report", &page.to_string_lossy()];
    let run = signalled_run(&s, &args, "past 25 iterations", None, std::time::Duration::from_secs(20));
    assert_eq!(run.code, 105, "{}", run.stderr);
    let html = std::fs::read_to_string(&page).expect("a report after Ctrl-C");
    assert!(html.ends_with("</html>\n"), "{html}");
    // Stopped within 2 s: the whole seconds and the part before the signal are points.
    assert!(charts(&html).iter().all(|(_, points)| *points >= 1), "{html}");
    assert!(html.contains("<polyline"), "{html}");

    let page = dir.path().join("aborted.html");
    let s = script(
        r#"
        export const options = #{ thresholds: #{ http_reqs: [#{ threshold: "count<5", abortOnFail: true }] } };
        fn run() { http.get(`${__ENV.BASE_URL}/`); sleep(0.01); }
    "#,
    );
    let run = rload(&s, &["-u", "1", "-d", "60s", "-e", &url, "--report", &page.to_string_lossy()]);
    assert_eq!(run.code, 99, "{}", run.stderr);
    let html = std::fs::read_to_string(&page).expect("a report after abortOnFail");
    assert!(
        html.contains("<td><code>count&lt;5</code></td>") && html.contains("<td class=\"fail\">fail</td>"),
        "{html}"
    );
}

#[test]
fn k6s_web_dashboard_export_writes_the_report_and_its_live_settings_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("k6.html");
    let s = script("fn run() { sleep(0.1); }");
    let k6_run = |vars: &[(&str, &str)]| {
        let mut cmd = Command::new(BIN);
        cmd.args(["run", "-q", "--no-color", "-i", "2"]).arg(&s.path);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        Run::from_output(cmd.output().unwrap())
    };
    let export = page.to_string_lossy().into_owned();
    let run =
        k6_run(&[("K6_WEB_DASHBOARD", "true"), ("K6_WEB_DASHBOARD_EXPORT", &export), ("K6_WEB_DASHBOARD_PORT", "-1")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::read_to_string(&page).unwrap().contains("<h1>rload report"), "no report at {export}");

    let run = k6_run(&[
        ("K6_WEB_DASHBOARD", "true"),
        ("K6_WEB_DASHBOARD_EXPORT", &export),
        ("K6_WEB_DASHBOARD_PERIOD", "5s"),
    ]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("K6_WEB_DASHBOARD_PERIOD=\"5s\": k6's live web dashboard is not supported"),
        "{}",
        run.stderr
    );
    let run = k6_run(&[("K6_WEB_DASHBOARD", "true")]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("set K6_WEB_DASHBOARD_EXPORT=FILE"), "{}", run.stderr);
}

#[test]
fn a_failing_setup_still_writes_the_report_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("setup.html");
    let s = script(
        r#"
        export const options = #{ thresholds: #{ setup_steps: ["count>1"] } };
        const steps = Counter("setup_steps");
        fn setup() { steps.add(1); throw "no session"; }
        fn run() {}
    "#,
    );
    let run = rload(&s, &["--report", &page.to_string_lossy()]);
    assert_eq!(run.code, 107, "{}", run.stderr);
    let html = std::fs::read_to_string(&page).expect("a report after a failed setup()");
    assert!(html.contains("The run ended before its test: setup() failed: no session"), "{html}");
    // What setup() recorded, judged as the thresholds stand.
    assert!(
        html.contains("<td><code>count&gt;1</code></td><td class=\"n\">1</td><td class=\"fail\">fail</td>"),
        "{html}"
    );
}
