//! The end-of-test summary reads like k6 v1.1's: these tests feed a known set of samples through
//! a real `LocalSink` into an `Aggregate` and check the lines a k6 user looks at.

use std::time::Duration;

use rload::metrics::{builtin, Aggregate, LocalSink, MetricKind, Registry, TagSet};
use rload::output::{text, SummaryMode};
use rload::results::{Finished, RunCounts, RunResults, DEFAULT_TREND_STATS};

/// A 2 s run of 2 VUs: 4 iterations, each with a GET / (200) and, in group `my group`, a GET
/// /nope (404); three checks, one of which fails once; a few custom metrics.
fn sample_run() -> Aggregate {
    let mut registry = Registry::new();
    let my_counter = registry.register("my_counter", MetricKind::Counter, false).unwrap();
    let my_gauge = registry.register("my_gauge", MetricKind::Gauge, false).unwrap();
    let my_rate = registry.register("my_rate", MetricKind::Rate, false).unwrap();
    let my_trend = registry.register("my_trend", MetricKind::Trend, false).unwrap();
    let my_time = registry.register("my_time_trend", MetricKind::Trend, true).unwrap();

    let mut sink = LocalSink::new();
    let base = TagSet::new().with("scenario", "default");
    let root = base.clone().with("group", "");
    let grouped = base.clone().with("group", "::my group");
    let nested = base.clone().with("group", "::my group::nested");
    let ok = root.clone().with("method", "GET").with("status", "200").with("expected_response", "true");
    let not_found = grouped.clone().with("method", "GET").with("status", "404").with("expected_response", "false");
    let durations_ok = [1.2, 1.62, 0.56963, 4.24];
    let durations_404 = [0.37208, 0.9, 2.11, 0.8];
    for i in 0..4 {
        for (tags, duration) in [(&ok, durations_ok[i]), (&not_found, durations_404[i])] {
            sink.record(builtin::HTTP_REQS, tags, 1.0);
            sink.record(builtin::HTTP_REQ_DURATION, tags, duration);
            sink.record(builtin::HTTP_REQ_WAITING, tags, duration * 0.8);
            sink.record(builtin::HTTP_REQ_FAILED, tags, (tags.get("status") == Some("404")) as u8 as f64);
            sink.record(builtin::DATA_RECEIVED, tags, 14_000.0);
            sink.record(builtin::DATA_SENT, tags, 1_450.0);
        }
        let check = |sink: &mut LocalSink, tags: &TagSet, name: &str, pass: bool| {
            sink.record(builtin::CHECKS, &tags.clone().with("check", name), pass as u8 as f64);
        };
        check(&mut sink, &root, "status is 200", true);
        check(&mut sink, &root, "sometimes", i != 1);
        check(&mut sink, &grouped, "is 404", true);
        check(&mut sink, &nested, "nested ok", true);
        sink.record(builtin::GROUP_DURATION, &grouped, 3.0);
        sink.record(builtin::ITERATIONS, &root, 1.0);
        sink.record(builtin::ITERATION_DURATION, &root, 103.74 + i as f64);
        sink.record(my_counter, &root, 3.0);
        sink.record(my_gauge, &root, [1.5, 3.0, 3.0, 1.5][i]);
        sink.record(my_rate, &root, (i == 0) as u8 as f64);
        sink.record(my_trend, &root, [53.216863, 4.810482, 98.817375, 56.0][i]);
        sink.record(my_time, &root, [0.29479, 4.03, 9.29, 8.0][i]);
    }
    for vus in [1.0, 2.0, 2.0] {
        sink.record(builtin::VUS, &TagSet::new(), vus);
    }
    sink.record(builtin::VUS_MAX, &TagSet::new(), 2.0);

    let mut aggregate = Aggregate::new();
    sink.flush_into(&mut aggregate, &registry);
    aggregate
}

/// What a test asks of the summary: the results' trend stats and duration, the text's colour
/// and mode. The baseline is k6's default layout (compact) over the 2 s run.
#[derive(Clone)]
struct SummaryOptions {
    trend_stats: Vec<String>,
    test_duration: Duration,
    color: bool,
    mode: SummaryMode,
}

fn options() -> SummaryOptions {
    SummaryOptions {
        trend_stats: DEFAULT_TREND_STATS.map(String::from).to_vec(),
        test_duration: Duration::from_secs(2),
        color: false,
        mode: SummaryMode::Compact,
    }
}

/// The summary of `agg` (no thresholds), built and rendered as `rload run` does.
fn render_summary(agg: &Aggregate, opts: &SummaryOptions) -> String {
    let finished = Finished {
        aggregate: agg,
        thresholds: &[],
        verdicts: &[],
        trend_stats: &opts.trend_stats,
        test_duration: opts.test_duration,
    };
    let results = RunResults::build(finished, RunCounts::default());
    text::render_summary(&results, &text::SummaryOptions { color: opts.color, mode: opts.mode, time_unit: None })
}

fn line_starting<'a>(summary: &'a str, prefix: &str) -> &'a str {
    summary
        .lines()
        .find(|l| l.trim_start().starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in\n{summary}"))
}

#[test]
fn compact_summary_has_k6_sections_in_order() {
    let summary = render_summary(&sample_run(), &options());
    let headings: Vec<&str> = summary
        .lines()
        .map(str::trim)
        .filter(|l| ["█", "CUSTOM", "HTTP", "EXECUTION", "NETWORK"].iter().any(|h| l.starts_with(h)))
        .collect();
    assert_eq!(headings, ["█ TOTAL RESULTS", "CUSTOM", "HTTP", "EXECUTION", "NETWORK"], "{summary}");
    assert!(summary.starts_with("\n  █ TOTAL RESULTS \n\n    checks_total"), "{summary}");
    assert!(summary.ends_with("\n\n"));
    // Compact mode hides the timing breakdown and never lists checks/group_duration as metrics.
    for hidden in ["http_req_waiting", "group_duration", "checks....", "GROUP:"] {
        assert!(!summary.contains(hidden), "{hidden} in\n{summary}");
    }
}

#[test]
fn checks_show_totals_then_each_check_with_pass_fail_counts() {
    let summary = render_summary(&sample_run(), &options());
    assert_eq!(line_starting(&summary, "checks_total"), "    checks_total.......................: 16     8/s");
    assert_eq!(
        line_starting(&summary, "checks_succeeded"),
        "    checks_succeeded...................: 93.75% 15 out of 16"
    );
    assert_eq!(line_starting(&summary, "checks_failed"), "    checks_failed......................: 6.25%  1 out of 16");
    let checks: Vec<&str> =
        summary.lines().skip_while(|l| !l.contains("checks_failed")).skip(2).take_while(|l| !l.is_empty()).collect();
    assert_eq!(
        checks,
        ["    ✓ status is 200", "    ✗ sometimes", "      ↳  75% — ✓ 3 / ✗ 1", "    ✓ is 404", "    ✓ nested ok",]
    );
}

#[test]
fn metric_lines_are_padded_and_formatted_like_k6() {
    let summary = render_summary(&sample_run(), &options());
    // Names are padded to the widest name counted twice (k6's quirk), here the sub-metric's.
    let width = "http_req_duration{expected_response:true}  { expected_response:true }".len() + 3;
    let counter = line_starting(&summary, "my_counter");
    assert_eq!(counter.find(':'), Some(4 + width), "{counter}");
    assert_eq!(counter[4 + width..].to_string(), ": 12     6/s");
    assert!(line_starting(&summary, "http_reqs").ends_with(": 8      4/s"));
    assert!(line_starting(&summary, "http_req_failed").ends_with(": 50.00% 4 out of 8"));
    // Extras are padded to the widest extra of the block ("4 out of 8").
    assert!(line_starting(&summary, "my_gauge").ends_with(": 1.5    min=1.5    max=3"));
    assert!(line_starting(&summary, "vus.").ends_with(": 2      min=1      max=2"));
    assert!(line_starting(&summary, "data_received").ends_with(": 112 kB 56 kB/s"));
    assert!(line_starting(&summary, "data_sent").ends_with(": 12 kB  5.8 kB/s"));
    let sub = line_starting(&summary, "{ expected_response:true }");
    assert!(sub.starts_with("      { expected_response:true }...."), "{sub}");
    assert!(sub.contains(": avg=1.9ms "), "{sub}");
    let duration = line_starting(&summary, "http_req_duration");
    assert!(duration.contains("min=372.08µs"), "{duration}");
    assert!(duration.contains("max=4.24ms"), "{duration}");
    let time_trend = line_starting(&summary, "my_time_trend");
    assert!(time_trend.contains("min=294.79µs"), "{time_trend}");
    let trend = line_starting(&summary, "my_trend");
    assert!(trend.contains("min=4.810482 "), "{trend}");
    assert!(trend.contains("max=98.817375 "), "{trend}");
}

#[test]
fn trend_columns_follow_trend_stats() {
    let opts = SummaryOptions { trend_stats: ["p(99.9)", "count", "med"].map(String::from).to_vec(), ..options() };
    let summary = render_summary(&sample_run(), &opts);
    let line = line_starting(&summary, "iteration_duration");
    let columns: Vec<&str> =
        line.split_once(": ").unwrap().1.split_whitespace().map(|c| c.split('=').next().unwrap()).collect();
    assert_eq!(columns, ["p(99.9)", "count", "med"], "{line}");
    assert!(line.contains("count=4 "), "{line}");
    assert!(line.contains("p(99.9)=106.73ms"), "{line}");
}

#[test]
fn full_mode_adds_the_timing_breakdown_and_group_sections() {
    let opts = SummaryOptions { mode: SummaryMode::Full, ..options() };
    let summary = render_summary(&sample_run(), &opts);
    assert!(summary.contains("    http_req_waiting...."), "{summary}");
    let group = summary.split("  █ GROUP: my group \n").nth(1).expect(&summary);
    assert!(group.contains("    checks_total.......................: 4       2/s\n"), "{group}");
    assert!(group.contains("\n    ✓ is 404\n"), "{group}");
    assert!(!group.contains("status is 200"), "{group}");
    assert!(!group.contains("expected_response"), "sub-metrics are total-only: {group}");
    assert!(group.contains("    http_req_failed"), "{group}");
    let nested = group.split("    ↳ GROUP: nested \n").nth(1).expect(group);
    assert!(nested.contains("\n      ✓ nested ok\n"), "{nested}");
}

#[test]
fn colors_match_k6_escape_codes() {
    let opts = SummaryOptions { color: true, ..options() };
    let summary = render_summary(&sample_run(), &opts);
    assert!(summary.contains("  █ \x1b[1mTOTAL RESULTS\x1b[0m \n"));
    assert!(summary.contains("    \x1b[32m✓ status is 200\x1b[0m\n"));
    assert!(summary.contains("      \x1b[31m↳  75% — ✓ 3 / ✗ 1\x1b[0m\n"));
    assert!(summary.contains("    \x1b[1mHTTP\x1b[0m\n"));
    let reqs = line_starting(&summary, "http_reqs");
    assert!(
        reqs.contains("\x1b[2;37m....") && reqs.contains(":\x1b[0m \x1b[36m8\x1b[0m      \x1b[2;36m4/s\x1b[0m"),
        "{reqs:?}"
    );
}

#[test]
fn empty_aggregate_renders_only_the_title() {
    let summary = render_summary(&Aggregate::new(), &options());
    assert_eq!(summary, "\n  █ TOTAL RESULTS \n\n");
}
