//! End-to-end: a real run against the reference target prints k6's end-of-test summary.
mod common;
use common::*;

#[test]
fn summary_lists_builtin_metrics_checks_and_iterations() {
    let target = Target::start();
    let s = script(
        r#"
        fn run() {
            let res = http.get(`${__ENV.BASE}/`);
            check(res, #{ "status is 200": |r| r.status == 200 });
        }
    "#,
    );
    let run = rload(&s, &["-u", "2", "-i", "10", "-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for metric in [
        "http_req_duration",
        "http_req_blocked",
        "http_req_connecting",
        "http_req_sending",
        "http_req_waiting",
        "http_req_receiving",
        "http_req_tls_handshaking",
        "iteration_duration",
        "data_received",
        "data_sent",
    ] {
        run.line(metric);
    }
    // As k6: `vus` and `vus_max` are sampled each second from 1 s in, so a run this short has
    // no sample of them, rather than a `vus 0` read after its VUs were gone.
    assert!(!run.stdout.contains("vus"), "{}", run.stdout);
    assert!(run.line("http_reqs").contains("10"), "{}", run.line("http_reqs"));
    assert!(run.line("iterations").contains("10"), "{}", run.line("iterations"));
    assert!(run.line("http_req_failed").contains("0.00%"), "{}", run.line("http_req_failed"));
    let duration = run.line("http_req_duration");
    for stat in ["avg=", "min=", "med=", "max=", "p(90)=", "p(95)="] {
        assert!(duration.contains(stat), "{duration}");
    }
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}", run.line("checks_succeeded"));
    assert!(run.stdout.contains("✓ status is 200"), "{}", run.stdout);
}

#[test]
fn summary_trend_stats_flag_changes_the_columns() {
    let target = Target::start();
    let s = script(r#"fn run() { http.get(`${__ENV.BASE}/`); }"#);
    let run =
        rload(&s, &["-i", "3", "--summary-trend-stats", "min,p(99.9),count", "-e", &format!("BASE={}", target.url())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = run.line("http_req_duration");
    assert!(line.contains("min=") && line.contains("p(99.9)=") && line.contains("count="), "{line}");
    assert!(!line.contains("avg="), "{line}");
}

#[test]
fn failing_checks_are_counted_per_name() {
    let s = script(
        r#"
        fn run() {
            check(__ITER, #{ "always": |i| true, "even VU iteration": |i| i % 2 == 0 });
        }
    "#,
    );
    let run = rload(&s, &["-u", "1", "-i", "4"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("✓ always"), "{}", run.stdout);
    assert!(run.stdout.contains("✗ even VU iteration"), "{}", run.stdout);
    assert!(run.stdout.contains("50% — ✓ 2 / ✗ 2"), "{}", run.stdout);
    // 6 of 8 check samples passed.
    assert!(run.line("checks_succeeded").contains("75.00%"), "{}", run.line("checks_succeeded"));
}

#[test]
fn env_vu_and_iter_reach_the_script() {
    let s = script(
        r#"
        const GREETING = __ENV.GREETING;
        fn run() {
            check(__VU, #{ "vu is 1-based": |v| v >= 1 && v <= 2 });
            check(GREETING, #{ "env arrives in functions": |g| g == "hi" });
        }
    "#,
    );
    let run = rload(&s, &["-u", "2", "-i", "4", "-e", "GREETING=hi"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn setup_data_reaches_run_and_teardown() {
    let s = script(
        r#"
        fn setup() { #{ token: "abc", n: 3 } }
        fn run(data) { check(data, #{ "data from setup": |d| d.token == "abc" && d.n == 3 }); }
        fn teardown(data) { if data.token != "abc" { throw "teardown got no data"; } print(`teardown saw ${data.token}`); }
    "#,
    );
    let run = rload(&s, &["-i", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}", run.stdout);
    assert!(run.stdout.contains("teardown saw abc"), "{}", run.stdout);
}

/// Sweep E #3: `1.0` arrived in `run(data)` as the integer `1`, so `data.think / 2` was `0`.
#[test]
fn whole_floats_in_setup_data_stay_floats_in_run_and_teardown() {
    let s = script(
        r#"
        const FIVES = shared_array("s", || [5.0]);
        fn setup() { #{ think: 1.0, nested: [2.0, #{ ratio: 3.0 }], count: 4, fives: FIVES } }
        fn run(data) {
            print(`run: ${data.think / 2} ${type_of(data.nested[0])} ${data.nested[1].ratio / 2} ${type_of(data.count)} ${data.fives[0] / 2}`);
        }
        fn teardown(data) { print(`teardown: ${data.think / 2}`); }
    "#,
    );
    let run = rload(&s, &["-i", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("run: 0.5 f64 1.5 i64 2.5"), "{}", run.stdout);
    assert!(run.stdout.contains("teardown: 0.5"), "{}", run.stdout);
}

#[test]
fn imports_resolve_next_to_the_script_and_from_the_stdlib() {
    let s = script(
        r#"
        import "helper" as helper;
        import "generators" as gen;
        fn run() {
            let session = gen::generate_session(#{ participantCount: 3 });
            check(session, #{
                "stdlib module works": |s| s.participants.len() == 3,
                "local module works": |s| helper::double(2) == 4,
            });
        }
    "#,
    );
    std::fs::write(s.dir.path().join("helper.rhai"), "fn double(x) { x * 2 }").unwrap();
    let run = rload(&s, &["-i", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("checks_succeeded").contains("100.00%"), "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn custom_metrics_appear_in_the_summary() {
    let s = script(
        r#"
        const latency = Trend("my_latency", true);
        const sessions = Counter("my_sessions");
        const ok = Rate("my_ok");
        const depth = Gauge("my_depth");
        fn run() {
            latency.add(10 + __ITER);
            sessions.add(2);
            ok.add(__ITER % 2 == 0);
            depth.add(__ITER);
        }
    "#,
    );
    let run = rload(&s, &["-u", "1", "-i", "4"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.line("my_latency").contains("min=10ms") && run.line("my_latency").contains("max=13ms"),
        "{}",
        run.stdout
    );
    assert!(run.line("my_sessions").contains(" 8 "), "{}", run.line("my_sessions"));
    assert!(run.line("my_ok").contains("50.00%"), "{}", run.line("my_ok"));
    assert!(run.line("my_depth").contains(" 3 "), "{}", run.line("my_depth"));
}

/// k6 v1.1 writes a Rate's sample as the number added (`-o json`: 5 for `add(5)`) and counts
/// every non-zero one as true (sweep C item 11, `t2.js`).
/// The sweep's repro (E5): `metric.add(v, ())` was "Function not found"; k6 takes null tags as
/// none.
#[test]
fn a_metric_added_with_unit_tags_records_its_sample() {
    let s = script(
        r#"
        const hits = Counter("hits");
        export const options = #{ iterations: 3 };
        fn run() { hits.add(2, ()); }
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.count("hits"), 6, "{}", run.stdout);
}

#[test]
fn a_rate_sample_keeps_the_number_added_and_counts_any_non_zero_one_as_true() {
    let s = script(
        r#"
        const r = Rate("my_rate");
        fn run() { r.add(5); r.add(-2); r.add(0.5); r.add(true); r.add("0"); r.add(0); r.add(false); r.add("3"); }
    "#,
    );
    let out = s.dir.path().join("out.json");
    let run = rload(&s, &["-i", "1", "-o", &format!("json={}", out.display())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.line("my_rate").contains("75.00% 6 out of 8"), "{}", run.line("my_rate"));
    let text = std::fs::read_to_string(&out).unwrap();
    let values: Vec<f64> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "Point" && v["metric"] == "my_rate")
        .map(|v| v["data"]["value"].as_f64().unwrap())
        .collect();
    // What k6 v1.1 wrote for the same adds.
    assert_eq!(values, [5.0, -2.0, 0.5, 1.0, 1.0, 0.0, 0.0, 3.0]);
}

#[test]
fn redeclaring_a_metric_with_another_type_fails_at_init() {
    let s = script(
        r#"
        const a = Trend("dup_metric");
        const b = Counter("dup_metric");
        fn run() {}
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 107, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("dup_metric"), "{}", run.stderr);
}

/// Sweep E #6: `data.setup_data` was missing, so `data.setup_data.to_json()` failed the hook.
/// k6 passes `setup()`'s return value there (and the key with no value when there is no
/// `setup()`).
#[test]
fn handle_summary_data_has_setup_data_as_k6_does() {
    let with_setup = script(
        r#"
        export const options = #{ iterations: 1 };
        fn setup() { #{ token: "abc", think: 1.0 } }
        fn run(data) {}
        fn handle_summary(data) { #{ stdout: `setup_data=${data.setup_data.to_json()} think/2=${data.setup_data.think / 2}\n` } }
    "#,
    );
    let run = rload(&with_setup, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(r#"setup_data={"think":1,"token":"abc"} think/2=0.5"#),
        "{}\n{}",
        run.stdout,
        run.stderr
    );

    let without = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {}
        fn handle_summary(data) { #{ stdout: `has=${"setup_data" in data} value=${type_of(data.setup_data)}\n` } }
    "#,
    );
    let run = rload(&without, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // k6's key holds `undefined` there, which its `JSON.stringify(data)` leaves out: rload
    // leaves the key out, and reading it gives `()` as k6's gives undefined.
    assert!(run.stdout.contains("has=false value=()"), "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn text_summary_in_handle_summary_is_the_summary_rload_would_print() {
    let s = script(
        r#"
        export const options = #{ iterations: 2, thresholds: #{ "iterations": ["count==2"] } };
        fn run() { check(1, #{ "always": |v| true }); }
        fn handle_summary(data) {
            #{ stdout: `[${text_summary(data, #{ enableColors: false })}]`, stderr: `[${text_summary(data)}]` }
        }
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let printed = run.stdout.split_once('[').expect(&run.stdout).1;
    for part in ["█ THRESHOLDS", "✓ 'count==2' count=2", "█ TOTAL RESULTS", "✓ always", "iterations interrupted: 0"]
    {
        assert!(printed.contains(part), "{part} in {printed}");
    }
    // jslib's enableColors defaults to on, terminal or not.
    assert!(run.stderr.contains("█ \x1b[1mTOTAL RESULTS"), "{}", run.stderr);
}

/// jslib's `textSummary(data, { indent, enableColors })` as k6 scripts call it: the options are
/// honoured, and what rload cannot render (changed `data`, other options) fails
/// `handle_summary` with an error naming it, so the default summary is printed instead of a
/// text the script did not ask for.
#[test]
fn text_summary_honours_indent_and_colours_and_refuses_what_it_cannot_render() {
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() { check(1, #{ "always": |v| true }); }
        fn handle_summary(data) {
            #{ stdout: text_summary(data, #{ indent: ">>", enableColors: false }),
               stderr: text_summary(data, #{ indent: " ", enableColors: true }) }
        }
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(">> █ TOTAL RESULTS"), "{}", run.stdout);
    let summary = &run.stdout[run.stdout.find(">> █").unwrap()..];
    assert!(summary.lines().all(|l| l.trim().is_empty() || l.starts_with(">>")), "{summary}");
    assert!(!run.stdout.contains('\x1b'), "colours asked off: {}", run.stdout);
    assert!(run.stderr.contains("\x1b[1mTOTAL RESULTS"), "colours asked on, one space of indent: {}", run.stderr);
    assert!(run.stderr.contains("\n  █ "), "{}", run.stderr);

    for (hook, error) in [
        (
            r#"data.metrics.remove("iterations"); #{ stdout: text_summary(data) }"#,
            "data.metrics is not what handle_summary() received",
        ),
        (r#"#{ stdout: text_summary(data, #{ summaryTrendStats: ["avg"] }) }"#, "the summaryTrendStats option"),
        (r#"#{ stdout: text_summary(data, #{ indnet: "  " }) }"#, r#"unknown option "indnet""#),
    ] {
        let s = script(&format!(
            "export const options = #{{ iterations: 1 }};\nfn run() {{}}\nfn handle_summary(data) {{ {hook} }}\n"
        ));
        let run = rload(&s, &[]);
        assert!(run.stderr.contains("handle_summary() failed") && run.stderr.contains(error), "{hook}: {}", run.stderr);
        assert!(run.stdout.contains("█ TOTAL RESULTS"), "the default summary instead: {}", run.stdout);
    }
}

/// Sweep 30: jslib's textSummary merges `Object.assign({}, defaults, data.options, options)`
/// and reads them as JavaScript does (jslib 0.0.2 to 0.1.0): `if (enableColors)` (default on),
/// `indent + "    "`, and a `summaryTimeUnit` outside `s`/`ms`/`us` as a unit per value. rload
/// demanded a bool and a string, and refused every `summaryTimeUnit` and `summaryTrendStats`.
#[test]
fn text_summary_reads_its_options_as_javascript_values_as_jslib_does() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("one", "#{ enableColors: 1 }"),
        ("zero", "#{ enableColors: 0 }"),
        ("empty", "#{ enableColors: \"\" }"),
        ("null", "#{ enableColors: () }"),
        ("default", "#{}"),
        ("number_indent", "#{ indent: 2, enableColors: false }"),
        ("no_unit", "#{ summaryTimeUnit: (), summaryTrendStats: data.options.summaryTrendStats, enableColors: false }"),
    ];
    let at = |name: &str| dir.path().join(name).to_string_lossy().replace('\\', "/");
    let outputs: Vec<String> =
        cases.iter().map(|(name, opts)| format!("{:?}: text_summary(data, {opts})", at(name))).collect();
    let s = script(&format!(
        "export const options = #{{ iterations: 1 }};\nfn run() {{}}\nfn handle_summary(data) {{ #{{ {} }} }}\n",
        outputs.join(", ")
    ));
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("handle_summary() failed"), "{}", run.stderr);
    let text = |name: &str| std::fs::read_to_string(at(name)).unwrap();
    assert!(text("one").contains("\x1b[1mTOTAL RESULTS"), "enableColors: 1 colours: {}", text("one"));
    assert!(text("default").contains("\x1b[1mTOTAL RESULTS"), "jslib's default is on: {}", text("default"));
    for off in ["zero", "empty", "null", "number_indent", "no_unit"] {
        assert!(text(off).contains("█ TOTAL RESULTS") && !text(off).contains('\x1b'), "{off}: {}", text(off));
    }
    assert!(text("number_indent").contains("\n2 █ TOTAL RESULTS"), "{}", text("number_indent"));

    // A unit the run's summary does not show is refused, naming the option; the run's is taken.
    let s = script(
        "export const options = #{ iterations: 1 };\nfn run() {}\n\
         fn handle_summary(data) { #{ stdout: text_summary(data, #{ summaryTimeUnit: \"ms\", enableColors: false }) } }\n",
    );
    let refused = rload(&s, &[]);
    assert!(refused.stderr.contains("the summaryTimeUnit option (ms) asks for \"ms\""), "{}", refused.stderr);
    let taken = rload(&s, &["--summary-time-unit", "ms"]);
    assert!(!taken.stderr.contains("handle_summary() failed"), "{}", taken.stderr);
    assert!(taken.stdout.contains("█ TOTAL RESULTS"), "{}", taken.stdout);
}

#[test]
fn a_constant_vu_test_reports_its_vus_as_the_minimum_as_k6() {
    let s = script("fn run() { sleep(0.1); }");
    let run = rload(&s, &["-u", "5", "-d", "1500ms"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = run.line("vus");
    assert!(line.contains("min=5") && line.contains("max=5"), "{line}");
}

/// k6 v1.1 lists every threshold's key in the results: a sub-metric under its metric, and a
/// metric that saw no sample with zero values.
#[test]
fn the_summary_lists_the_thresholds_sub_metrics_under_their_metrics() {
    let s = script(
        r#"
        const t = Trend("my_trend");
        const never = Counter("never_counted");
        export const options = #{ iterations: 2, thresholds: #{
            "my_trend{tag1:a}": ["avg<100"],
            "never_counted": ["count<1"],
            "iterations{scenario:default}": ["count>0"],
        }};
        fn run() { t.add(5, #{ tag1: "a" }); t.add(7, #{ tag1: "b" }); }
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let results = &run.stdout[run.stdout.find("TOTAL RESULTS").expect("a results section")..];
    let sub = results.lines().position(|l| l.trim_start().starts_with("{ tag1:a }")).expect(results);
    assert!(results.lines().nth(sub - 1).unwrap().trim_start().starts_with("my_trend"), "{results}");
    assert!(results.lines().nth(sub).unwrap().contains("avg=5"), "{results}");
    assert!(results.contains("{ scenario:default }"), "{results}");
    assert!(results.lines().any(|l| l.trim_start().starts_with("never_counted") && l.contains(": 0")), "{results}");
}

/// k6's `--no-summary` skips the whole end-of-test summary: its text, handleSummary and
/// `--summary-export`. rload says what it skipped.
#[test]
fn no_summary_skips_handle_summary_and_the_summary_export_as_k6_does() {
    let dir = tempfile::tempdir().unwrap();
    let written = dir.path().join("written.txt");
    let s = script(&format!(
        r#"
        export const options = #{{ iterations: 1 }};
        fn run() {{}}
        fn handle_summary(data) {{ #{{ stdout: "HANDLE_SUMMARY_RAN", "{}": "x" }} }}
    "#,
        written.display()
    ));
    let export = dir.path().join("export.json");
    let run = rload(&s, &["--no-summary", "--summary-export", export.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("HANDLE_SUMMARY_RAN"), "{}", run.stdout);
    assert!(!written.exists(), "handle_summary's file was written");
    assert!(!export.exists(), "the summary export was written");
    assert!(run.stderr.contains("handle_summary() and --summary-export skipped"), "{}", run.stderr);
}

/// As in k6, `setup()` and `teardown()` are groups of `root_group` only when they hold checks
/// or groups, not for their requests or samples alone.
#[test]
fn setup_and_teardown_are_groups_of_the_summary_only_with_checks_or_groups_in_them() {
    let s = script(
        r#"
        const c = Counter("cc");
        export const options = #{ iterations: 1 };
        fn setup() { c.add(1); }
        fn run() { group("g", || { c.add(1); }); }
        fn teardown() { check(1, #{ "td": |v| true }); }
        fn handle_summary(data) { #{ stdout: data.root_group.groups.map(|g| g.name).to_json() } }
    "#,
    );
    let run = rload(&s, &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(r#"["g","teardown"]"#), "{}", run.stdout);
}

/// Sweep 31: `--summary-trend-stats "avg, p(95)"` was trimmed and accepted; k6 v1.1.0 refuses
/// it (`invalid trend stat ' p(95)', unknown format`), and `p(101)` in its own words.
#[test]
fn summary_trend_stats_are_read_as_written_and_refused_in_k6s_words() {
    let s = script("fn run() {}\n");
    for (stats, said) in [
        ("avg, p(95)", "invalid trend stat ' p(95)', unknown format"),
        ("avg,,p(95)", "invalid trend stat '', unknown format"),
        ("p(101)", "invalid percentile trend stat value 'p(101)', provide a number between 0 and 100"),
    ] {
        let run = rload(&s, &["-i", "1", "--summary-trend-stats", stats]);
        assert_eq!(run.code, 104, "{stats}: {}", run.stderr);
        assert!(run.stderr.contains(&format!("--summary-trend-stats: {said}")), "{stats}: {}", run.stderr);
    }
}

/// A k6 script's `textSummary` from jslib (`rload run x.js`) prints what jslib prints: k6's old
/// layout, rendered from the `data` it is given (here a part of it), not rload's own summary.
/// The expected text is k6 v1.1.0's for this script, with jslib k6-summary 0.0.2 (the same
/// printout for rload).
#[test]
fn jslib_text_summary_prints_what_jslib_prints_under_k6() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jslib-summary.js");
    std::fs::write(
        &path,
        r#"
import { check, group } from 'k6';
import { Gauge, Rate, Trend } from 'k6/metrics';
import { textSummary } from 'https://jslib.k6.io/k6-summary/0.0.2/index.js';

const queue = new Gauge('queue');
const hit = new Rate('hit');
const wait = new Trend('wait', true);

export const options = { iterations: 4, vus: 1, thresholds: { wait: ['max<25'], hit: ['rate>0.1'] } };

export default function () {
  group('outer', () => {
    check(__ITER, { even: (i) => i % 2 === 0 });
  });
  check(1, { 'root check': () => true });
  queue.add(__ITER * 1.5);
  hit.add(__ITER % 2);
  wait.add(10 * __ITER);
}

export function handleSummary(data) {
  const m = data.metrics;
  const shown = { root_group: data.root_group, options: data.options, metrics: { queue: m.queue, hit: m.hit, wait: m.wait, checks: m.checks } };
  return {
    stdout: textSummary(shown, { indent: '>', enableColors: false, summaryTrendStats: ['avg', 'min', 'max'] }) + '\n',
    stderr: textSummary({ root_group: data.root_group, options: data.options, metrics: { hit: m.hit } }) + '\n',
  };
}
"#,
    )
    .unwrap();
    let out = std::process::Command::new(BIN).args(["run", "-q", "--no-color"]).arg(&path).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(99), "{stdout}\n{stderr}");
    let expected = ">    ✓ root check\n\n>    █ outer\n\n>      ✗ even\n>       ↳  50% — ✓ 2 / ✗ 2\n\n\
                    >    checks...: 75.00% ✓ 6   ✗ 2    \n\
                    >  ✓ hit......: 50.00% ✓ 2   ✗ 2    \n\
                    >    queue....: 4.5    min=0 max=4.5\n\
                    >  ✗ wait.....: avg=15ms min=0s max=30ms\n";
    assert_eq!(stdout, expected, "{stderr}");
    // jslib's colours are on by default, whatever the terminal.
    assert!(
        stderr.contains("  \x1b[32m✓\x1b[0m hit\x1b[2m...:\x1b[0m \x1b[36m50.00%\x1b[0m \x1b[36;2m✓ 2\x1b[0m"),
        "{stderr}"
    );
}

const NO_FULL_ITERATION: &str = "No script iterations fully finished, consider making the test duration longer";

#[test]
fn a_test_whose_iterations_were_all_cut_warns_as_k6_does() {
    // Every iteration outlasts the test and is interrupted at its end: k6 warns before the
    // summary, and the exit code stays 0.
    let s = script(
        r#"
        export const options = #{ scenarios: #{ s: #{ executor: "constant-vus", vus: 2, duration: "1s", gracefulStop: "0s" } } };
        fn run() { sleep(5); }
    "#,
    );
    let run = rload(&s, &["-q"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(NO_FULL_ITERATION), "{}", run.stderr);
}

#[test]
fn no_warning_when_an_iteration_finished_or_the_test_was_stopped() {
    // An iteration ended by a script error is a full iteration (k6 counts it in `iterations`).
    let errors = script(
        r#"
        export const options = #{ vus: 1, iterations: 2 };
        fn run() { throw "boom"; }
    "#,
    );
    let run = rload(&errors, &["-q"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains(NO_FULL_ITERATION), "{}", run.stderr);
    // A test aborted before any iteration ended ends with its abort, not the warning (k6 returns
    // before it).
    let aborted = script(
        r#"
        export const options = #{ vus: 1, iterations: 2 };
        fn run() { exec.test.abort("stop"); }
    "#,
    );
    let run = rload(&aborted, &["-q"]);
    assert_eq!(run.code, 108, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains(NO_FULL_ITERATION), "{}", run.stderr);
}
