//! One parsed scrape (the `prometheus-parse` crate's [`Scrape`]) → the rload samples it stands
//! for, given what the previous scrape of the same URL saw.
//!
//! | Prometheus type | rload metric | sample per scrape |
//! |---|---|---|
//! | gauge, untyped | Gauge | the value |
//! | counter | Counter | its increase since the last scrape (a drop is a reset: the new value) |
//! | histogram | Trend | the buckets' increases, spread as `histogram_quantile` reads them (`buckets.rs`) |
//! | summary | Gauge per `quantile` tag; `_sum`, `_count` Counters | the value; the increases |
//!
//! A histogram's `_sum` and `_count` series are not recorded on their own: the trend carries its
//! count (and a sum estimated from the buckets). The series' labels become tags. Values are read
//! in the unit the name says: `_ms`/`_milliseconds` series are time metrics (the summary prints
//! them as durations), `_bytes` series data; other units (`_seconds`) are kept as they are.
//!
//! Counters and histograms need a baseline: a series seen for the first time counts from zero
//! when this URL was scraped before (it appeared during the test), and only sets the baseline on
//! the first scrape of the URL. Pure: no I/O, no clock, no metrics registry.

use std::collections::{HashMap, HashSet};

use prometheus_parse::{Sample, Scrape, Value};

use super::buckets::{spread, Point};
use crate::metrics::{Contains, MetricKind};

/// The samples of one series in one scrape.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub name: String,
    pub kind: MetricKind,
    pub contains: Contains,
    /// The labels, sorted by name.
    pub tags: Vec<(String, String)>,
    /// Weighted values (a single weight-1 value for gauges and counters).
    pub points: Vec<Point>,
}

/// What the previous scrape of one URL left: counters' values and histograms' cumulative buckets.
#[derive(Debug, Default)]
pub struct Baselines {
    scraped_before: bool,
    counters: HashMap<String, f64>,
    histograms: HashMap<String, Vec<(f64, f64)>>,
}

/// The samples `scrape` stands for; updates `baselines` to it.
pub fn convert(scrape: &Scrape, baselines: &mut Baselines) -> Vec<Recorded> {
    let histograms: HashSet<&str> =
        scrape.samples.iter().filter(|s| matches!(s.value, Value::Histogram(_))).map(|s| s.metric.as_str()).collect();
    let summaries: HashSet<&str> =
        scrape.samples.iter().filter(|s| matches!(s.value, Value::Summary(_))).map(|s| s.metric.as_str()).collect();
    let part_of = |name: &str, set: &HashSet<&str>| {
        ["_sum", "_count", "_created"].iter().any(|suffix| name.strip_suffix(suffix).is_some_and(|b| set.contains(b)))
    };
    let mut counters = HashMap::new();
    let mut buckets = HashMap::new();
    let mut out = Vec::new();
    for sample in &scrape.samples {
        let name = sample.metric.as_str();
        let tags = sorted_labels(sample);
        let key = series_key(name, &tags);
        let record = |kind, points| Recorded {
            name: name.to_owned(),
            kind,
            contains: contains_of(name),
            tags: tags.clone(),
            points,
        };
        match &sample.value {
            Value::Untyped(_) if part_of(name, &histograms) => {}
            Value::Untyped(v) if part_of(name, &summaries) && !name.ends_with("_created") => {
                if let Some(increase) = increase(baselines, &key, *v) {
                    out.push(record(MetricKind::Counter, vec![Point { value: increase, weight: 1 }]));
                }
                counters.insert(key, *v);
            }
            Value::Gauge(v) | Value::Untyped(v) => {
                out.push(record(MetricKind::Gauge, vec![Point { value: *v, weight: 1 }]))
            }
            Value::Counter(v) => {
                if let Some(increase) = increase(baselines, &key, *v) {
                    out.push(record(MetricKind::Counter, vec![Point { value: increase, weight: 1 }]));
                }
                counters.insert(key, *v);
            }
            Value::Histogram(counts) => {
                let now: Vec<(f64, f64)> = counts.iter().map(|c| (c.less_than, c.count)).collect();
                if let Some(increases) = bucket_increases(baselines, &key, &now) {
                    let points = spread(&increases);
                    if !points.is_empty() {
                        out.push(record(MetricKind::Trend, points));
                    }
                }
                buckets.insert(key, now);
            }
            Value::Summary(quantiles) => {
                for q in quantiles {
                    let mut tags = tags.clone();
                    tags.push(("quantile".to_owned(), q.quantile.to_string()));
                    tags.sort();
                    let points = vec![Point { value: q.count, weight: 1 }];
                    out.push(Recorded {
                        name: name.to_owned(),
                        kind: MetricKind::Gauge,
                        contains: contains_of(name),
                        tags,
                        points,
                    });
                }
            }
        }
    }
    out.retain(|r| r.points.iter().all(|p| p.value.is_finite()));
    *baselines = Baselines { scraped_before: true, counters, histograms: buckets };
    out
}

/// A counter's increase since the last scrape; `None` on the URL's first scrape (baseline only).
fn increase(baselines: &Baselines, key: &str, now: f64) -> Option<f64> {
    match baselines.counters.get(key) {
        Some(&before) if now >= before => Some(now - before),
        Some(_) => Some(now), // reset
        None if baselines.scraped_before => Some(now),
        None => None,
    }
}

/// The buckets' increases since the last scrape, matched by bound; a reset (the total dropped)
/// counts from zero. `None` on the URL's first scrape.
fn bucket_increases(baselines: &Baselines, key: &str, now: &[(f64, f64)]) -> Option<Vec<(f64, f64)>> {
    let total = |b: &[(f64, f64)]| b.iter().map(|&(_, c)| c).fold(0.0, f64::max);
    match baselines.histograms.get(key) {
        Some(before) if total(now) >= total(before) => Some(
            now.iter()
                .map(|&(le, c)| {
                    let was = before.iter().find(|(l, _)| *l == le).map_or(0.0, |&(_, c)| c);
                    (le, (c - was).max(0.0))
                })
                .collect(),
        ),
        Some(_) => Some(now.to_vec()),
        None if baselines.scraped_before => Some(now.to_vec()),
        None => None,
    }
}

fn sorted_labels(sample: &Sample) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = sample.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    tags.sort();
    tags
}

fn series_key(name: &str, tags: &[(String, String)]) -> String {
    let mut key = name.to_owned();
    for (k, v) in tags {
        key.push('\u{0}');
        key.push_str(k);
        key.push('=');
        key.push_str(v);
    }
    key
}

/// What a series' name says its values measure.
pub fn contains_of(name: &str) -> Contains {
    let base = name.strip_suffix("_total").unwrap_or(name);
    if base.ends_with("_ms") || base.ends_with("_milliseconds") {
        Contains::Time
    } else if base.ends_with("_bytes") {
        Contains::Data
    } else {
        Contains::Default
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Scrape {
        Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap()
    }

    fn page(requests: u64, queue: u64, buckets: [u64; 3]) -> String {
        format!(
            "# TYPE synckairos_db_write_queue_size gauge\nsynckairos_db_write_queue_size {queue}\n\
             # TYPE synckairos_http_requests_total counter\n\
             synckairos_http_requests_total{{method=\"POST\",route=\"/v1/sessions\",status_code=\"201\"}} {requests}\n\
             # TYPE synckairos_switch_cycle_duration_ms histogram\n\
             synckairos_switch_cycle_duration_ms_bucket{{le=\"1\"}} {}\n\
             synckairos_switch_cycle_duration_ms_bucket{{le=\"2\"}} {}\n\
             synckairos_switch_cycle_duration_ms_bucket{{le=\"+Inf\"}} {}\n\
             synckairos_switch_cycle_duration_ms_sum 12.5\nsynckairos_switch_cycle_duration_ms_count {}\n\
             # TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 4096\n",
            buckets[0], buckets[1], buckets[2], buckets[2]
        )
    }

    fn find<'a>(out: &'a [Recorded], name: &str) -> Option<&'a Recorded> {
        out.iter().find(|r| r.name == name)
    }

    #[test]
    fn the_first_scrape_sets_baselines_and_later_ones_record_increases() {
        let mut baselines = Baselines::default();
        let first = convert(&parse(&page(100, 7, [1, 3, 4])), &mut baselines);
        let queue = find(&first, "synckairos_db_write_queue_size").expect("gauges from the first scrape");
        assert_eq!((queue.kind, queue.points[0].value), (MetricKind::Gauge, 7.0));
        assert!(find(&first, "synckairos_http_requests_total").is_none(), "a counter's first value is its baseline");
        assert!(find(&first, "synckairos_switch_cycle_duration_ms").is_none());
        assert_eq!(find(&first, "process_resident_memory_bytes").unwrap().contains, Contains::Data);

        let second = convert(&parse(&page(130, 9, [1, 5, 7])), &mut baselines);
        let requests = find(&second, "synckairos_http_requests_total").unwrap();
        assert_eq!((requests.kind, requests.points[0].value), (MetricKind::Counter, 30.0));
        let tags: Vec<(&str, &str)> = requests.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(tags, [("method", "POST"), ("route", "/v1/sessions"), ("status_code", "201")]);
        let switch = find(&second, "synckairos_switch_cycle_duration_ms").unwrap();
        assert_eq!((switch.kind, switch.contains), (MetricKind::Trend, Contains::Time));
        // Increases: 0 in (0, 1], 2 in (1, 2], 1 in +Inf (read at 2).
        let weights: Vec<(f64, u64)> = switch.points.iter().map(|p| (p.value, p.weight)).collect();
        assert_eq!(weights, [(1.25, 1), (1.75, 1), (2.0, 1)]);
        assert!(second.iter().all(|r| !r.name.ends_with("_sum") && !r.name.ends_with("_count")));

        // A restarted service: counters and buckets count from zero again.
        let third = convert(&parse(&page(4, 0, [0, 1, 1])), &mut baselines);
        assert_eq!(find(&third, "synckairos_http_requests_total").unwrap().points[0].value, 4.0);
        assert_eq!(find(&third, "synckairos_switch_cycle_duration_ms").unwrap().points.len(), 1);
    }

    #[test]
    fn a_series_that_appears_during_the_test_counts_from_zero() {
        let mut baselines = Baselines::default();
        convert(&parse("# TYPE c counter\nc{route=\"a\"} 5\n"), &mut baselines);
        let out = convert(&parse("# TYPE c counter\nc{route=\"a\"} 6\nc{route=\"b\"} 2\n"), &mut baselines);
        let by_route = |route: &str| {
            out.iter().find(|r| r.tags == [("route".to_owned(), route.to_owned())]).map(|r| r.points[0].value)
        };
        assert_eq!((by_route("a"), by_route("b")), (Some(1.0), Some(2.0)));
    }

    #[test]
    fn untyped_series_are_gauges_and_summaries_keep_their_quantiles() {
        let text = "plain 3\n# TYPE rpc_ms summary\nrpc_ms{quantile=\"0.5\"} 4\nrpc_ms{quantile=\"0.99\"} 9\n\
                    rpc_ms_sum 100\nrpc_ms_count 20\n";
        let mut baselines = Baselines::default();
        convert(&parse(text), &mut baselines);
        let out = convert(&parse(&text.replace("rpc_ms_count 20", "rpc_ms_count 25")), &mut baselines);
        assert_eq!(find(&out, "plain").unwrap().kind, MetricKind::Gauge);
        let p99 = out.iter().find(|r| r.name == "rpc_ms" && r.tags == [("quantile".into(), "0.99".into())]).unwrap();
        assert_eq!((p99.kind, p99.points[0].value), (MetricKind::Gauge, 9.0));
        let count = find(&out, "rpc_ms_count").unwrap();
        assert_eq!((count.kind, count.points[0].value), (MetricKind::Counter, 5.0));
        assert_eq!(find(&out, "rpc_ms_sum").unwrap().points[0].value, 0.0);
    }
}
