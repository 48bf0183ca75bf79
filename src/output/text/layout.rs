//! k6's metric lines: `name.....: values`, padded so that every line of a block lines up
//! (`summary.js`: `renderMetricLine` and `computeSummaryInfo`), and its indentation levels.

use super::Painter;

/// A metric's formatted values.
pub(super) enum Values {
    /// One column per trend statistic, named by `stats`.
    Trend(Vec<String>),
    Plain {
        value: String,
        extras: Vec<String>,
    },
}

/// One metric line before padding: `name` may carry a sub-metric suffix (`{key:value}`).
pub(super) struct Row {
    pub name: String,
    pub values: Values,
}

/// A line of output; blank entries become empty lines (k6's `'\n'` items).
pub(super) enum Item {
    Line(String),
    Blank,
}

/// Indentation as in k6's `RenderContext`: level `n` is `2 * (base + n)` spaces.
#[derive(Clone, Copy)]
pub(super) struct Ctx {
    pub base: usize,
}

impl Ctx {
    pub fn indent_level(self, level: usize) -> String {
        " ".repeat((self.base + level) * 2)
    }
    pub fn indent(self, text: &str) -> String {
        self.indent_level(1) + text
    }
    pub fn deeper(self) -> Ctx {
        Ctx { base: self.base + 1 }
    }
}

/// Column widths shared by every line of one block (k6's `computeSummaryInfo`).
pub(super) struct LayoutInfo {
    max_name_width: usize,
    trend_widths: Vec<usize>,
    value_width: usize,
    extra_widths: Vec<usize>,
}

impl LayoutInfo {
    pub fn of(rows: &[&Row], ctx: Ctx) -> Self {
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

/// Lines for `rows`, padded as one block.
pub(super) fn metric_lines(rows: &[Row], stats: &[String], ctx: Ctx, paint: Painter) -> Vec<String> {
    let refs: Vec<&Row> = rows.iter().collect();
    let info = LayoutInfo::of(&refs, ctx);
    rows.iter().map(|row| metric_line(row, stats, &info, ctx, paint)).collect()
}

/// `name.....: values`, padded like k6's `renderMetricLine`; `stats` names a trend's columns.
pub(super) fn metric_line(row: &Row, stats: &[String], info: &LayoutInfo, ctx: Ctx, paint: Painter) -> String {
    let displayed = display_name(&row.name);
    let indent_width = ctx.indent_level(1).len();
    let dots = (info.max_name_width + 3).saturating_sub(width(&displayed) + indent_width);
    let dotted = format!("{displayed}{}", paint.faint_white(&format!("{}:", ".".repeat(dots))));
    let data = match &row.values {
        Values::Trend(cols) => stats
            .iter()
            .zip(cols)
            .zip(&info.trend_widths)
            .map(|((stat, col), w)| format!("{stat}={}{}", paint.cyan(col), pad(col, *w)))
            .collect::<Vec<_>>()
            .join(" "),
        Values::Plain { value, extras } => {
            let mut data = format!("{}{}", paint.cyan(value), pad(value, info.value_width));
            match extras.as_slice() {
                [] => {}
                [only] => {
                    data.push(' ');
                    data.push_str(&paint.cyan_faint(only));
                }
                many => {
                    let parts: Vec<String> = many
                        .iter()
                        .zip(&info.extra_widths)
                        .map(|(e, w)| format!("{}{}", paint.cyan_faint(e), pad(e, *w)))
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
