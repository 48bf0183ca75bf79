//! The end-of-test summary, laid out like k6 v1.x's default text summary (the sectioned layout:
//! `█ TOTAL RESULTS`, checks first, then metrics grouped under CUSTOM / HTTP / EXECUTION /
//! NETWORK / WEBSOCKET, alphabetically, with dotted padding). Spacing, padding, number formats
//! and colours follow k6 v1.1's `summary.js` so a k6 user reads the same text; the layout quirks
//! are k6's (names padded as if written twice, trailing spaces after trend columns).
//!
//! [`SummaryMode::Compact`] (k6's default) hides `http_req_blocked`, `_connecting`,
//! `_tls_handshaking`, `_sending`, `_waiting` and `_receiving`; [`SummaryMode::Full`] shows them
//! and adds one section per group (`█ GROUP: name`, nested `↳ GROUP: name`) and per scenario
//! other than `default` (`█ SCENARIO: name`). Like k6, `checks` and `group_duration` are never
//! listed as metrics, and metrics without samples do not appear.
//!
//! Not here: thresholds (a `THRESHOLDS` section will be added by the thresholds module's
//! caller), machine-readable exports.

use std::cmp::Ordering;
use std::time::Duration;

use super::aggregate::Aggregate;
use super::humanize::{fixed_no_trailing_zeros, js_number, metric_value, percent};
use super::registry::{builtin, Contains, MetricKind};
use super::sink::{per_second, SeriesSink, TrendStat};
use super::tags::{tag, Tags};

/// Which k6 summary mode to mimic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SummaryMode {
    /// k6's default: total results only, without the HTTP timing breakdown.
    #[default]
    Compact,
    /// Total results with every metric, then one section per group and per scenario.
    Full,
}

/// How to render the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryOptions {
    /// Trend columns, as in k6's `summaryTrendStats` (`avg`, `min`, `med`, `max`, `count`,
    /// `p(N)`). Names that [`TrendStat::parse`] rejects are left out; validate them earlier.
    pub trend_stats: Vec<String>,
    /// Length of the test, the denominator of every `/s` rate.
    pub test_duration: Duration,
    /// Emit ANSI colours like k6 does on a terminal.
    pub color: bool,
    /// Compact (k6's default) or full.
    pub mode: SummaryMode,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions {
            trend_stats: ["avg", "min", "med", "max", "p(90)", "p(95)"].map(String::from).to_vec(),
            test_duration: Duration::ZERO,
            color: false,
            mode: SummaryMode::Compact,
        }
    }
}

/// Renders the end-of-test summary. The text starts and ends with blank lines, as k6's does;
/// print it as is.
pub fn render_summary(agg: &Aggregate, opts: &SummaryOptions) -> String {
    Renderer::new(agg, opts).render()
}

const TITLE_PREFIX: &str = "█";
const SUBTITLE_PREFIX: &str = "↳";
const SUCCESS_MARK: &str = "✓";
const FAIL_MARK: &str = "✗";

/// Metrics k6 hides from the compact summary (matched by prefix, as k6 does).
const COMPACT_HIDDEN: [&str; 6] = [
    "http_req_blocked",
    "http_req_connecting",
    "http_req_receiving",
    "http_req_sending",
    "http_req_tls_handshaking",
    "http_req_waiting",
];

/// The summary's metric sections, in k6's order (custom metrics are moved first when shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Custom,
    Http,
    Execution,
    Network,
    Browser,
    WebVitals,
    Grpc,
    WebSocket,
}

impl Section {
    fn title(self) -> &'static str {
        match self {
            Section::Custom => "CUSTOM",
            Section::Http => "HTTP",
            Section::Execution => "EXECUTION",
            Section::Network => "NETWORK",
            Section::Browser => "BROWSER",
            Section::WebVitals => "WEBVITALS",
            Section::Grpc => "GRPC",
            Section::WebSocket => "WEBSOCKET",
        }
    }

    /// k6's classification, by name prefix; `None` for metrics the summary never lists.
    fn of(name: &str, mode: SummaryMode) -> Option<Section> {
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| name.starts_with(p));
        if starts(&["checks", "group_duration"]) || (mode == SummaryMode::Compact && starts(&COMPACT_HIDDEN)) {
            return None;
        }
        Some(
            if starts(&[
                "http_reqs",
                "http_req_failed",
                "http_req_duration",
                "http_req_blocked",
                "http_req_connecting",
                "http_req_tls_handshaking",
                "http_req_sending",
                "http_req_waiting",
                "http_req_receiving",
            ]) {
                Section::Http
            } else if starts(&["vus", "vus_max", "iterations", "iteration_duration", "dropped_iterations"]) {
                Section::Execution
            } else if starts(&["data_sent", "data_received"]) {
                Section::Network
            } else if name.starts_with("browser_web_vital_") {
                Section::WebVitals
            } else if name.starts_with("browser_") {
                Section::Browser
            } else if name.starts_with("grpc_") {
                Section::Grpc
            } else if name.starts_with("ws_") {
                Section::WebSocket
            } else {
                Section::Custom
            },
        )
    }
}

/// A metric's formatted values.
enum Values {
    Trend(Vec<String>),
    Plain { value: String, extras: Vec<String> },
}

/// One metric line before padding: `name` may carry a sub-metric suffix (`{key:value}`).
struct Row {
    name: String,
    values: Values,
}

/// A line of output; blank entries become empty lines (k6's `'\n'` items).
enum Item {
    Line(String),
    Blank,
}

/// Indentation as in k6's `RenderContext`: level `n` is `2 * (base + n)` spaces.
#[derive(Clone, Copy)]
struct Ctx {
    base: usize,
}

impl Ctx {
    fn indent_level(self, level: usize) -> String {
        " ".repeat((self.base + level) * 2)
    }
    fn indent(self, text: &str) -> String {
        self.indent_level(1) + text
    }
    fn deeper(self) -> Ctx {
        Ctx { base: self.base + 1 }
    }
}

/// Which samples a block of the summary covers.
#[derive(Clone)]
enum Scope {
    All,
    /// Samples of the default scenario (no `scenario` tag or `default`) in exactly this group.
    Group(String),
    /// Samples of one scenario, optionally restricted to exactly one group.
    Scenario(String, Option<String>),
}

impl Scope {
    fn matches(&self, tags: &Tags) -> bool {
        let group = tags.get(tag::GROUP).unwrap_or("");
        let scenario = tags.get(tag::SCENARIO).unwrap_or("default");
        match self {
            Scope::All => true,
            Scope::Group(path) => scenario == "default" && group == path,
            Scope::Scenario(name, None) => scenario == name,
            Scope::Scenario(name, Some(path)) => scenario == name && group == path,
        }
    }
}

/// A group in the groups tree of the root or of a scenario.
struct GroupNode {
    name: String,
    path: String,
    first_seen: u64,
    children: Vec<GroupNode>,
}

impl GroupNode {
    fn insert(children: &mut Vec<GroupNode>, path: &str, first_seen: u64) {
        let mut level = children;
        let mut prefix = String::new();
        for name in path.trim_start_matches("::").split("::") {
            prefix.push_str("::");
            prefix.push_str(name);
            let index = match level.iter().position(|n| n.name == name) {
                Some(i) => i,
                None => {
                    level.push(GroupNode {
                        name: name.to_owned(),
                        path: prefix.clone(),
                        first_seen,
                        children: Vec::new(),
                    });
                    level.len() - 1
                }
            };
            level[index].first_seen = level[index].first_seen.min(first_seen);
            level = &mut level[index].children;
        }
    }

    fn sort(nodes: &mut [GroupNode]) {
        nodes.sort_by_key(|n| n.first_seen);
        for node in nodes {
            Self::sort(&mut node.children);
        }
    }
}

struct Renderer<'a> {
    agg: &'a Aggregate,
    opts: &'a SummaryOptions,
    stats: Vec<(String, TrendStat)>,
}

impl<'a> Renderer<'a> {
    fn new(agg: &'a Aggregate, opts: &'a SummaryOptions) -> Self {
        let stats = opts.trend_stats.iter().filter_map(|s| TrendStat::parse(s).map(|stat| (s.clone(), stat))).collect();
        Renderer { agg, opts, stats }
    }

    fn render(&self) -> String {
        let root = Ctx { base: 0 };
        let mut sections: Vec<(String, Vec<Item>)> = Vec::new();
        let mut total = self.checks_block(&Scope::All, root);
        total.extend(self.metrics_block(&Scope::All, root, true));
        sections.push(("TOTAL RESULTS".to_owned(), total));

        if self.opts.mode == SummaryMode::Full {
            for group in self.group_tree(|scenario| scenario == "default") {
                let content = self.group_content(&group, root, &|path| Scope::Group(path.to_owned()));
                sections.push((format!("GROUP: {}", group.name), content));
            }
            for scenario in self.scenarios() {
                let mut content = self.checks_block(&Scope::Scenario(scenario.clone(), None), root);
                content.extend(self.metrics_block(&Scope::Scenario(scenario.clone(), None), root, false));
                let groups = self.group_tree(|s| s == scenario);
                let scope = |path: &str| Scope::Scenario(scenario.clone(), Some(path.to_owned()));
                content.extend(self.nested_groups(&groups, root, &scope));
                sections.push((format!("SCENARIO: {scenario}"), content));
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
        ctx.indent(&format!("{prefix} {} \n", self.bold(title)))
    }

    /// A group's own checks and metrics, then its sub-groups.
    fn group_content(&self, group: &GroupNode, ctx: Ctx, scope: &dyn Fn(&str) -> Scope) -> Vec<Item> {
        let own = scope(&group.path);
        let mut items = self.checks_block(&own, ctx);
        items.extend(self.metrics_block(&own, ctx, false));
        items.extend(self.nested_groups(&group.children, ctx, scope));
        items
    }

    fn nested_groups(&self, groups: &[GroupNode], ctx: Ctx, scope: &dyn Fn(&str) -> Scope) -> Vec<Item> {
        let ctx = ctx.deeper();
        let mut items = Vec::new();
        for group in groups {
            items.push(Item::Line(self.title(ctx, SUBTITLE_PREFIX, &format!("GROUP: {}", group.name))));
            items.extend(self.group_content(group, ctx, scope));
        }
        items
    }

    /// Groups seen in samples of the scenarios accepted by `scenario`, in order of appearance.
    fn group_tree(&self, scenario: impl Fn(&str) -> bool) -> Vec<GroupNode> {
        let mut roots = Vec::new();
        for metric in self.agg.metrics() {
            for (tags, series) in metric.series() {
                let group = tags.get(tag::GROUP).unwrap_or("");
                if !group.is_empty() && scenario(tags.get(tag::SCENARIO).unwrap_or("default")) {
                    GroupNode::insert(&mut roots, group, series.first_seen);
                }
            }
        }
        GroupNode::sort(&mut roots);
        roots
    }

    /// Scenarios other than `default` that recorded samples, by name.
    fn scenarios(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .agg
            .metrics()
            .flat_map(|m| m.series().filter_map(|(tags, _)| tags.get(tag::SCENARIO)))
            .filter(|s| *s != "default")
            .map(str::to_owned)
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// `checks_total/succeeded/failed`, then one line per check (k6's `renderChecks`).
    fn checks_block(&self, scope: &Scope, ctx: Ctx) -> Vec<Item> {
        let Some(SeriesSink::Rate(rate)) =
            self.agg.metric(builtin::CHECKS).and_then(|m| m.merged_where(|tags| scope.matches(tags)))
        else {
            return Vec::new();
        };
        let ctx = ctx.deeper();
        let (total, passes) = (rate.total() as f64, rate.trues());
        let fails = rate.total() - passes;
        let plain = |value: String, extras: Vec<String>| Values::Plain { value, extras };
        let rows = vec![
            Row {
                name: "checks_total".to_owned(),
                values: plain(
                    fixed_no_trailing_zeros(total, 6),
                    vec![format!("{}/s", fixed_no_trailing_zeros(per_second(total, self.opts.test_duration), 6))],
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
        let mut items: Vec<Item> = self.metric_lines(&rows, ctx).into_iter().map(Item::Line).collect();
        items.push(Item::Blank);

        // k6 lists checks by name within a block, in order of first appearance.
        let mut checks: Vec<(String, u64, u64)> = Vec::new();
        for check in self.agg.checks_where(|tags| scope.matches(tags)) {
            match checks.iter_mut().find(|(name, _, _)| *name == check.name) {
                Some(entry) => {
                    entry.1 += check.passes;
                    entry.2 += check.fails;
                }
                None => checks.push((check.name, check.passes, check.fails)),
            }
        }
        for (name, passes, fails) in checks {
            items.push(Item::Line(self.check_line(ctx, &name, passes, fails)));
        }
        items.push(Item::Blank);
        items
    }

    fn check_line(&self, ctx: Ctx, name: &str, passes: u64, fails: u64) -> String {
        if fails == 0 {
            return ctx.indent(&self.paint(&format!("{SUCCESS_MARK} {name}"), "32"));
        }
        let pct = 100 * passes / (passes + fails);
        let detail = format!("{SUBTITLE_PREFIX}  {pct}% — {SUCCESS_MARK} {passes} / {FAIL_MARK} {fails}");
        // k6 indents the detail by `indentLevel(base + 1)`, i.e. 2 * (2 * base + 1) spaces.
        format!(
            "{}\n{}{}",
            ctx.indent(&self.paint(&format!("{FAIL_MARK} {name}"), "31")),
            ctx.indent_level(ctx.base + 1),
            self.paint(&detail, "31")
        )
    }

    /// The metric sections of one scope (k6's `_renderMetrics`). Sub-metrics are only shown in
    /// the total results, as k6 does.
    fn metrics_block(&self, scope: &Scope, ctx: Ctx, with_submetrics: bool) -> Vec<Item> {
        let ctx = ctx.deeper();
        let mut rows: Vec<(Section, Row)> = Vec::new();
        for metric in self.agg.metrics() {
            let Some(section) = Section::of(metric.name(), self.opts.mode) else {
                continue;
            };
            let Some(sink) = metric.merged_where(|tags| scope.matches(tags)) else {
                continue;
            };
            let contains = metric.id().contains();
            rows.push((section, self.row(metric.name().to_owned(), &sink, contains)));
            if with_submetrics && metric.id() == builtin::HTTP_REQ_DURATION {
                let expected =
                    metric.merged_where(|tags| scope.matches(tags) && tags.get(tag::EXPECTED_RESPONSE) == Some("true"));
                if let Some(sink) = expected {
                    let name = format!("{}{{expected_response:true}}", metric.name());
                    rows.push((section, self.row(name, &sink, contains)));
                }
            }
        }
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
                items.push(Item::Line(ctx.indent(&self.bold(section.title()))));
                current = Some(*section);
            }
            items.push(Item::Line(self.metric_line(row, &info, ctx)));
        }
        if current.is_some() {
            items.push(Item::Blank);
        }
        items
    }

    fn row(&self, name: String, sink: &SeriesSink, contains: Contains) -> Row {
        let duration = self.opts.test_duration;
        let values = match sink {
            SeriesSink::Trend(trend) => Values::Trend(
                self.stats
                    .iter()
                    .map(|(_, stat)| match stat {
                        TrendStat::Count => js_number(trend.count() as f64),
                        stat => metric_value(trend.stat(*stat), MetricKind::Trend, contains),
                    })
                    .collect(),
            ),
            SeriesSink::Counter(counter) => Values::Plain {
                value: metric_value(counter.sum(), MetricKind::Counter, contains),
                extras: vec![format!("{}/s", metric_value(counter.rate(duration), MetricKind::Counter, contains))],
            },
            SeriesSink::Gauge(gauge) => {
                let fmt = |v| metric_value(v, MetricKind::Gauge, contains);
                Values::Plain {
                    value: fmt(gauge.value()),
                    extras: vec![format!("min={}", fmt(gauge.min())), format!("max={}", fmt(gauge.max()))],
                }
            }
            SeriesSink::Rate(rate) => Values::Plain {
                value: percent(rate.rate()),
                extras: vec![format!("{} out of {}", rate.trues(), rate.total())],
            },
        };
        Row { name, values }
    }

    fn metric_lines(&self, rows: &[Row], ctx: Ctx) -> Vec<String> {
        let refs: Vec<&Row> = rows.iter().collect();
        let info = LayoutInfo::of(&refs, ctx);
        rows.iter().map(|row| self.metric_line(row, &info, ctx)).collect()
    }

    /// `name.....: values`, padded like k6's `renderMetricLine`.
    fn metric_line(&self, row: &Row, info: &LayoutInfo, ctx: Ctx) -> String {
        let displayed = display_name(&row.name);
        let indent_width = ctx.indent_level(1).len();
        let dots = (info.max_name_width + 3).saturating_sub(width(&displayed) + indent_width);
        let dotted = format!("{displayed}{}", self.faint_white(&format!("{}:", ".".repeat(dots))));
        let data = match &row.values {
            Values::Trend(cols) => self
                .stats
                .iter()
                .zip(cols)
                .zip(&info.trend_widths)
                .map(|(((stat, _), col), w)| format!("{stat}={}{}", self.cyan(col), pad(col, *w)))
                .collect::<Vec<_>>()
                .join(" "),
            Values::Plain { value, extras } => {
                let mut data = format!("{}{}", self.cyan(value), pad(value, info.value_width));
                match extras.as_slice() {
                    [] => {}
                    [only] => {
                        data.push(' ');
                        data.push_str(&self.cyan_faint(only));
                    }
                    many => {
                        let parts: Vec<String> = many
                            .iter()
                            .zip(&info.extra_widths)
                            .map(|(e, w)| format!("{}{}", self.cyan_faint(e), pad(e, *w)))
                            .collect();
                        data.push(' ');
                        data.push_str(&parts.join(" "));
                    }
                }
                data
            }
        };
        ctx.indent(&format!("{dotted} {data}"))
    }

    fn paint(&self, text: &str, code: &str) -> String {
        if self.opts.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.paint(text, "1")
    }
    fn cyan(&self, text: &str) -> String {
        self.paint(text, "36")
    }
    fn cyan_faint(&self, text: &str) -> String {
        self.paint(text, "2;36")
    }
    fn faint_white(&self, text: &str) -> String {
        self.paint(text, "2;37")
    }
}

/// Column widths shared by every line of one block (k6's `computeSummaryInfo`).
struct LayoutInfo {
    max_name_width: usize,
    trend_widths: Vec<usize>,
    value_width: usize,
    extra_widths: Vec<usize>,
}

impl LayoutInfo {
    fn of(rows: &[&Row], ctx: Ctx) -> Self {
        let indent_width = ctx.indent_level(1).len();
        let mut info =
            LayoutInfo { max_name_width: 0, trend_widths: Vec::new(), value_width: 0, extra_widths: Vec::new() };
        for row in rows {
            // k6 measures `indent + name + displayName(name)`: every name counts twice.
            let name_width = indent_width + width(&row.name) + width(&display_name(&row.name));
            info.max_name_width = info.max_name_width.max(name_width);
            match &row.values {
                Values::Trend(cols) => widen(&mut info.trend_widths, cols),
                Values::Plain { value, extras } => {
                    info.value_width = info.value_width.max(width(value));
                    widen(&mut info.extra_widths, extras);
                }
            }
        }
        info
    }
}

fn widen(widths: &mut Vec<usize>, cols: &[String]) {
    for (i, col) in cols.iter().enumerate() {
        if i == widths.len() {
            widths.push(0);
        }
        widths[i] = widths[i].max(width(col));
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn pad(s: &str, to: usize) -> String {
    " ".repeat(to.saturating_sub(width(s)))
}

/// `http_req_duration{expected_response:true}` is shown as `  { expected_response:true }`.
fn display_name(name: &str) -> String {
    match name.find('{') {
        Some(start) => format!("  {{ {} }}", &name[start + 1..name.len() - 1]),
        None => name.to_owned(),
    }
}

/// The order k6 lists metrics in (metric sections and the THRESHOLDS section). k6 sorts by
/// parent name, then sub-metric, with JavaScript's `localeCompare`; for metric names (ASCII
/// letters, digits, `_`) that means case-insensitive, `_` before digits before letters, which
/// this reproduces.
pub fn compare_metric_names(a: &str, b: &str) -> Ordering {
    fn split(s: &str) -> (&str, &str) {
        s.split_at(s.find('{').unwrap_or(s.len()))
    }
    let (pa, sa) = split(a);
    let (pb, sb) = split(b);
    locale_compare(pa, pb).then_with(|| locale_compare(sa, sb))
}

fn locale_compare(a: &str, b: &str) -> Ordering {
    fn key(c: char) -> (u8, char) {
        match c {
            '_' => (0, c),
            '0'..='9' => (1, c),
            c if c.is_alphabetic() => (2, c.to_ascii_lowercase()),
            c => (3, c),
        }
    }
    a.chars().map(key).cmp(b.chars().map(key)).then_with(|| b.cmp(a)) // lowercase before uppercase, as ICU does
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_sort_like_k6() {
        let mut names = vec![
            "http_reqs",
            "http_req_failed",
            "http_req_duration{expected_response:true}",
            "http_req_duration",
            "My_metric",
            "iterations",
            "iteration_duration",
            "a2",
            "a_b",
        ];
        names.sort_by(|a, b| compare_metric_names(a, b));
        assert_eq!(
            names,
            [
                "a_b",
                "a2",
                "http_req_duration",
                "http_req_duration{expected_response:true}",
                "http_req_failed",
                "http_reqs",
                "iteration_duration",
                "iterations",
                "My_metric",
            ]
        );
    }
}
