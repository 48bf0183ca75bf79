//! `█ TOTAL RESULTS` and the sections after it, laid out like k6 v1.x's default text summary:
//! checks first, then metrics grouped under CUSTOM / HTTP / EXECUTION / NETWORK / WEBSOCKET,
//! alphabetically, with dotted padding.
//!
//! [`SummaryMode::Compact`] (k6's default) hides `http_req_blocked`, `_connecting`,
//! `_tls_handshaking`, `_sending`, `_waiting` and `_receiving`; [`SummaryMode::Full`] shows them
//! and adds one section per group of the default scenario (`█ GROUP: name`, nested
//! `↳ GROUP: name`) and per scenario other than `default` (`█ SCENARIO: name`). Like k6, `checks`
//! and `group_duration` are never listed as metrics, metrics without samples do not appear, and
//! sub-metrics (`{ expected_response:true }`) appear in the total results only.

use super::humanize::{fixed_no_trailing_zeros, js_number, metric_value, percent};
use super::layout::{metric_line, metric_lines, Ctx, Item, LayoutInfo, Row, Values};
use super::sections::{compare_metric_names, Section};
use super::{Painter, SummaryMode, SummaryOptions, FAIL_MARK, SUBTITLE_PREFIX, SUCCESS_MARK, TITLE_PREFIX};
use crate::config::options::TimeUnit;
use crate::metrics::{builtin, per_second, MetricKind, SeriesSink, TrendStat};
use crate::results::{Group, MetricResult, RunResults, Scope};

/// Renders `█ TOTAL RESULTS` and, in full mode, the group and scenario sections. The text
/// starts and ends with blank lines, as k6's does; print it as is.
pub fn render_summary(results: &RunResults<'_>, opts: &SummaryOptions) -> String {
    Summary::new(results, opts).render()
}

struct Summary<'a> {
    results: &'a RunResults<'a>,
    mode: SummaryMode,
    paint: Painter,
    /// The trend statistics that parse, with their names as given.
    stats: Vec<(String, TrendStat)>,
    /// Their names, the columns of a trend line.
    stat_names: Vec<String>,
    /// `summaryTimeUnit`, for every time value.
    time_unit: Option<TimeUnit>,
}

impl<'a> Summary<'a> {
    fn new(results: &'a RunResults<'a>, opts: &SummaryOptions) -> Self {
        let stats: Vec<(String, TrendStat)> =
            results.trend_stats.iter().filter_map(|s| TrendStat::parse(s).map(|stat| (s.clone(), stat))).collect();
        let stat_names = stats.iter().map(|(name, _)| name.clone()).collect();
        Summary {
            results,
            mode: opts.mode,
            paint: Painter { color: opts.color },
            stats,
            stat_names,
            time_unit: opts.time_unit,
        }
    }

    fn render(&self) -> String {
        let root = Ctx { base: 0 };
        let mut sections: Vec<(String, Vec<Item>)> = Vec::new();
        let total = &self.results.total;
        let mut content = self.checks_block(total, root);
        content.extend(self.metrics_block(total, root));
        sections.push(("TOTAL RESULTS".to_owned(), content));

        if self.mode == SummaryMode::Full {
            for scenario in &self.results.scenarios {
                if scenario.name == "default" {
                    for group in &scenario.root_group.groups {
                        sections.push((format!("GROUP: {}", group.name), self.group_content(group, root)));
                    }
                }
            }
            for scenario in self.results.scenarios.iter().filter(|s| s.name != "default") {
                let mut content = self.checks_block(&scenario.results, root);
                content.extend(self.metrics_block(&scenario.results, root));
                content.extend(self.nested_groups(&scenario.root_group.groups, root));
                sections.push((format!("SCENARIO: {}", scenario.name), content));
            }
        }

        let mut out = String::new();
        for (title, content) in sections {
            let title = self.title(root, TITLE_PREFIX, &title);
            for item in std::iter::once(Item::Line(title)).chain(content).chain([Item::Blank]) {
                out.push('\n');
                if let Item::Line(line) = item {
                    out.push_str(&line);
                }
            }
        }
        out
    }

    fn title(&self, ctx: Ctx, prefix: &str, title: &str) -> String {
        ctx.indent(&format!("{prefix} {} \n", self.paint.bold(title)))
    }

    /// A group's own checks and metrics, then its sub-groups.
    fn group_content(&self, group: &Group, ctx: Ctx) -> Vec<Item> {
        let mut items = self.checks_block(&group.results, ctx);
        items.extend(self.metrics_block(&group.results, ctx));
        items.extend(self.nested_groups(&group.groups, ctx));
        items
    }

    fn nested_groups(&self, groups: &[Group], ctx: Ctx) -> Vec<Item> {
        let ctx = ctx.deeper();
        let mut items = Vec::new();
        for group in groups {
            items.push(Item::Line(self.title(ctx, SUBTITLE_PREFIX, &format!("GROUP: {}", group.name))));
            items.extend(self.group_content(group, ctx));
        }
        items
    }

    /// `checks_total/succeeded/failed`, then one line per check (k6's `renderChecks`).
    fn checks_block(&self, scope: &Scope, ctx: Ctx) -> Vec<Item> {
        let Some(SeriesSink::Rate(rate)) = scope.metrics.iter().find(|m| m.id == builtin::CHECKS).map(|m| &m.sink)
        else {
            return Vec::new();
        };
        let ctx = ctx.deeper();
        let (total, passes) = (rate.total() as f64, rate.trues());
        let fails = rate.total() - passes;
        let plain = |value: String, extras: Vec<String>| Values::Plain { value, extras };
        let per_second = per_second(total, self.results.test_duration);
        let rows = vec![
            Row {
                name: "checks_total".to_owned(),
                values: plain(
                    fixed_no_trailing_zeros(total, 6),
                    vec![format!("{}/s", fixed_no_trailing_zeros(per_second, 6))],
                ),
            },
            Row {
                name: "checks_succeeded".to_owned(),
                values: plain(percent(rate.rate()), vec![format!("{passes} out of {}", rate.total())]),
            },
            Row {
                name: "checks_failed".to_owned(),
                values: plain(
                    percent(if total > 0.0 { fails as f64 / total } else { 0.0 }),
                    vec![format!("{fails} out of {}", rate.total())],
                ),
            },
        ];
        let lines = metric_lines(&rows, &self.stat_names, ctx, self.paint);
        let mut items: Vec<Item> = lines.into_iter().map(Item::Line).collect();
        items.push(Item::Blank);
        for check in &scope.checks {
            items.push(Item::Line(self.check_line(ctx, &check.name, check.passes, check.fails)));
        }
        items.push(Item::Blank);
        items
    }

    fn check_line(&self, ctx: Ctx, name: &str, passes: u64, fails: u64) -> String {
        if fails == 0 {
            return ctx.indent(&self.paint.apply(&format!("{SUCCESS_MARK} {name}"), "32"));
        }
        let pct = 100 * passes / (passes + fails);
        let detail = format!("{SUBTITLE_PREFIX}  {pct}% — {SUCCESS_MARK} {passes} / {FAIL_MARK} {fails}");
        // k6 indents the detail by `indentLevel(base + 1)`, i.e. 2 * (2 * base + 1) spaces.
        format!(
            "{}\n{}{}",
            ctx.indent(&self.paint.apply(&format!("{FAIL_MARK} {name}"), "31")),
            ctx.indent_level(ctx.base + 1),
            self.paint.apply(&detail, "31")
        )
    }

    /// The metric sections of one scope (k6's `_renderMetrics`): its metrics, and, as k6 v1.1
    /// lists them, every threshold's key (a sub-metric under its metric, a metric without
    /// samples with zero values).
    fn metrics_block(&self, scope: &Scope, ctx: Ctx) -> Vec<Item> {
        let ctx = ctx.deeper();
        let mut rows: Vec<(Section, Row)> = scope
            .metrics
            .iter()
            .filter_map(|metric| Some((Section::of(&metric.name, self.mode)?, self.row(metric))))
            .collect();
        rows.sort_by(|(sa, a), (sb, b)| sa.cmp(sb).then_with(|| compare_metric_names(&a.name, &b.name)));

        let all: Vec<&Row> = rows.iter().map(|(_, row)| row).collect();
        let info = LayoutInfo::of(&all, ctx);
        let mut items = Vec::new();
        let mut current = None;
        for (section, row) in &rows {
            if current != Some(*section) {
                if current.is_some() {
                    items.push(Item::Blank);
                }
                items.push(Item::Line(ctx.indent(&self.paint.bold(section.title()))));
                current = Some(*section);
            }
            items.push(Item::Line(metric_line(row, &self.stat_names, &info, ctx, self.paint)));
        }
        if current.is_some() {
            items.push(Item::Blank);
        }
        items
    }

    fn row(&self, metric: &MetricResult) -> Row {
        let duration = self.results.test_duration;
        let contains = metric.id.contains();
        let values = match &metric.sink {
            SeriesSink::Trend(trend) => Values::Trend(
                self.stats
                    .iter()
                    .map(|(_, stat)| match stat {
                        TrendStat::Count => js_number(trend.count() as f64),
                        stat => metric_value(trend.stat(*stat), MetricKind::Trend, contains, self.time_unit),
                    })
                    .collect(),
            ),
            SeriesSink::Counter(counter) => Values::Plain {
                value: metric_value(counter.sum(), MetricKind::Counter, contains, self.time_unit),
                extras: vec![format!(
                    "{}/s",
                    metric_value(counter.rate(duration), MetricKind::Counter, contains, self.time_unit)
                )],
            },
            SeriesSink::Gauge(gauge) => {
                let fmt = |v| metric_value(v, MetricKind::Gauge, contains, self.time_unit);
                // An empty gauge (a threshold's key without samples) reads 0, as k6's sink.
                let (min, max) = if gauge.count() == 0 { (0.0, 0.0) } else { (gauge.min(), gauge.max()) };
                Values::Plain {
                    value: fmt(gauge.value()),
                    extras: vec![format!("min={}", fmt(min)), format!("max={}", fmt(max))],
                }
            }
            SeriesSink::Rate(rate) => Values::Plain {
                value: percent(rate.rate()),
                extras: vec![format!("{} out of {}", rate.trues(), rate.total())],
            },
        };
        Row { name: metric.name.clone(), values }
    }
}
