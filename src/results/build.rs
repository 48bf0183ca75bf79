//! Building [`RunResults`] from the final aggregate: the one place that merges series into
//! scopes, builds the group tree, merges checks by name, adds k6's implicit sub-metric and the
//! threshold keys, and computes k6's values.
//!
//! Scopes, as k6's summary reads them: a sample without a `scenario` tag belongs to the
//! `default` scenario; a group's scope is the samples tagged with exactly its path (not its
//! sub-groups'). A group exists when some series carries its path (or a path below it); groups
//! are ordered by the first sample seen in them or below them.

use std::time::Duration;

use super::{
    CheckCount, FailedRequests, Group, MetricResult, Origin, RunCounts, RunResults, Scenario, Scope, ThresholdKey,
    Verdict,
};
use crate::metrics::{builtin, tag, Aggregate, SeriesSink, Tags, TrendStat};
use crate::thresholds::{samples_of, MetricThresholds, ThresholdResult};

/// k6's implicit sub-metric, reported with every run that made HTTP requests.
const EXPECTED_RESPONSE: &str = "http_req_duration{expected_response:true}";
/// The scenario of samples that carry no `scenario` tag.
const DEFAULT_SCENARIO: &str = "default";

/// What a finished run hands to [`RunResults::build`].
#[derive(Debug, Clone, Copy)]
pub struct Finished<'a> {
    /// Every sample, merged.
    pub aggregate: &'a Aggregate,
    /// The parsed `options.thresholds` (empty without thresholds or with `--no-thresholds`).
    pub thresholds: &'a [MetricThresholds],
    /// Their final evaluation, as [`crate::thresholds::evaluate`] returns it.
    pub verdicts: &'a [ThresholdResult],
    /// `summaryTrendStats`.
    pub trend_stats: &'a [String],
    /// Length of the test.
    pub test_duration: Duration,
}

impl<'a> RunResults<'a> {
    /// Builds the results of a finished run; `counts` are taken as they are.
    pub fn build(run: Finished<'a>, counts: RunCounts) -> Self {
        let builder = Builder { agg: run.aggregate, trend_stats: run.trend_stats, test_duration: run.test_duration };
        let thresholds = builder.threshold_keys(run.thresholds, run.verdicts);
        let mut total = builder.scope(|_| true);
        builder.add_submetrics(&mut total, &thresholds);
        RunResults {
            trend_stats: run.trend_stats.to_vec(),
            test_duration: run.test_duration,
            total,
            root_group: builder.group_tree(|_| true),
            scenarios: builder.scenarios(),
            thresholds,
            failed_requests: FailedRequests::from_tally(run.aggregate.failures()),
            counts,
            series: run.aggregate,
        }
    }
}

struct Builder<'a> {
    agg: &'a Aggregate,
    trend_stats: &'a [String],
    test_duration: Duration,
}

fn scenario_of(tags: &Tags) -> &str {
    tags.get(tag::SCENARIO).unwrap_or(DEFAULT_SCENARIO)
}

fn group_of(tags: &Tags) -> &str {
    tags.get(tag::GROUP).unwrap_or("")
}

impl Builder<'_> {
    /// Every metric merged over the series `filter` accepts, and the checks among them.
    fn scope(&self, filter: impl Fn(&Tags) -> bool) -> Scope {
        let mut metrics: Vec<MetricResult> = self
            .agg
            .metrics()
            .filter_map(|metric| {
                let sink = metric.merged_where(&filter)?;
                Some(self.metric(metric.name().to_owned(), metric.id(), Origin::Metric, sink))
            })
            .collect();
        metrics.sort_by(|a, b| a.name.cmp(&b.name));
        Scope { metrics, checks: self.checks(&filter) }
    }

    /// Checks by name (across the groups the filter accepts), in order of first appearance.
    fn checks(&self, filter: impl Fn(&Tags) -> bool) -> Vec<CheckCount> {
        let mut checks: Vec<CheckCount> = Vec::new();
        for check in self.agg.checks_where(filter) {
            match checks.iter_mut().find(|c| c.name == check.name) {
                Some(entry) => {
                    entry.passes += check.passes;
                    entry.fails += check.fails;
                }
                None => checks.push(CheckCount { name: check.name, passes: check.passes, fails: check.fails }),
            }
        }
        checks
    }

    fn metric(&self, name: String, id: crate::metrics::MetricId, origin: Origin, sink: SeriesSink) -> MetricResult {
        let values = self.values(&sink);
        MetricResult { name, id, origin, sink, values }
    }

    /// k6's `values` of one sink (see [`MetricResult::values`]).
    fn values(&self, sink: &SeriesSink) -> Vec<(String, f64)> {
        let named = |pairs: &[(&str, f64)]| pairs.iter().map(|&(n, v)| (n.to_owned(), v)).collect();
        match sink {
            SeriesSink::Trend(trend) => self
                .trend_stats
                .iter()
                .filter_map(|name| TrendStat::parse(name).map(|stat| (name.clone(), trend.stat(stat))))
                .collect(),
            SeriesSink::Counter(c) => named(&[("count", c.sum()), ("rate", c.rate(self.test_duration))]),
            SeriesSink::Gauge(g) if g.min() > g.max() => named(&[("value", 0.0), ("min", 0.0), ("max", 0.0)]),
            SeriesSink::Gauge(g) => named(&[("value", g.value()), ("min", g.min()), ("max", g.max())]),
            SeriesSink::Rate(r) => {
                named(&[("rate", r.rate()), ("passes", r.trues() as f64), ("fails", r.falses() as f64)])
            }
        }
    }

    /// Adds k6's `http_req_duration{expected_response:true}` when it has samples, then every
    /// threshold key not listed yet (with zero values when it has none); keeps the name order.
    fn add_submetrics(&self, total: &mut Scope, thresholds: &[ThresholdKey]) {
        if let Some(duration) = self.agg.metric(builtin::HTTP_REQ_DURATION) {
            if let Some(sink) = duration.merged_where(|tags| tags.get(tag::EXPECTED_RESPONSE) == Some("true")) {
                let entry = self.metric(EXPECTED_RESPONSE.to_owned(), duration.id(), Origin::ExpectedResponse, sink);
                total.metrics.push(entry);
            }
        }
        for key in thresholds {
            if total.metric(&key.key).is_none() {
                let sink = key.samples.clone().unwrap_or_else(|| SeriesSink::for_metric(key.id));
                total.metrics.push(self.metric(key.key.clone(), key.id, Origin::Threshold, sink));
            }
        }
        total.metrics.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// Each key with its samples and its verdicts, matched to its expressions in order.
    fn threshold_keys(&self, set: &[MetricThresholds], verdicts: &[ThresholdResult]) -> Vec<ThresholdKey> {
        set.iter()
            .map(|metric| {
                let mut own = verdicts.iter().filter(|r| r.key == metric.key);
                let verdicts = metric
                    .thresholds
                    .iter()
                    .filter_map(|threshold| {
                        let result = own.find(|r| r.source == threshold.source)?;
                        Some(Verdict {
                            source: threshold.source.clone(),
                            agg: threshold.agg,
                            ok: result.passed,
                            observed: result.observed,
                        })
                    })
                    .collect();
                ThresholdKey {
                    key: metric.key.clone(),
                    metric: metric.metric.clone(),
                    id: metric.id,
                    samples: samples_of(metric, self.agg),
                    verdicts,
                }
            })
            .collect()
    }

    /// Every scenario that recorded samples, by name, with its own tree of groups.
    fn scenarios(&self) -> Vec<Scenario> {
        let mut names: Vec<&str> =
            self.agg.metrics().flat_map(|m| m.series().map(|(tags, _)| scenario_of(tags))).collect();
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .map(|name| Scenario {
                name: name.to_owned(),
                results: self.scope(|tags| scenario_of(tags) == name),
                root_group: self.group_tree(|scenario| scenario == name),
            })
            .collect()
    }

    /// The root group of the scenarios `scenario` accepts, with every group seen in their
    /// samples, each holding what was recorded directly in it. As in k6, `setup()` and
    /// `teardown()` are groups of the tree only when they hold checks or groups: their requests
    /// alone do not make them one.
    fn group_tree(&self, scenario: impl Fn(&str) -> bool + Copy) -> Group {
        let mut root = Node::default();
        for metric in self.agg.metrics() {
            for (tags, series) in metric.series() {
                let group = group_of(tags);
                let phase_only = matches!(group, "::setup" | "::teardown") && metric.id() != builtin::CHECKS;
                if !group.is_empty() && !phase_only && scenario(scenario_of(tags)) {
                    root.insert(group, series.first_seen);
                }
            }
        }
        root.sort();
        self.fill(&root, "", "", scenario)
    }

    fn fill(&self, node: &Node, name: &str, path: &str, scenario: impl Fn(&str) -> bool + Copy) -> Group {
        Group {
            name: name.to_owned(),
            path: path.to_owned(),
            results: self.scope(|tags| group_of(tags) == path && scenario(scenario_of(tags))),
            groups: node
                .children
                .iter()
                .map(|(child, sub)| self.fill(sub, child, &format!("{path}::{child}"), scenario))
                .collect(),
        }
    }
}

/// The shape of the group tree while it is being discovered.
#[derive(Default)]
struct Node {
    first_seen: u64,
    children: Vec<(String, Node)>,
}

impl Node {
    /// Adds the group at `path` (`::a::b`) and its ancestors; each keeps its earliest sample.
    fn insert(&mut self, path: &str, first_seen: u64) {
        let mut level = self;
        for name in path.trim_start_matches("::").split("::") {
            let index = match level.children.iter().position(|(n, _)| n == name) {
                Some(i) => i,
                None => {
                    level.children.push((name.to_owned(), Node { first_seen, children: Vec::new() }));
                    level.children.len() - 1
                }
            };
            let child = &mut level.children[index].1;
            child.first_seen = child.first_seen.min(first_seen);
            level = child;
        }
    }

    fn sort(&mut self) {
        self.children.sort_by_key(|(_, node)| node.first_seen);
        for (_, node) in &mut self.children {
            node.sort();
        }
    }
}
