//! One chart of the timeline as inline SVG: a polyline per line over the test's seconds, a
//! y axis from 0 to a round maximum with four grid lines, the x axis in seconds, a legend.
//!
//! Written by hand rather than with a plotting crate: the charts are polylines on a grid, some
//! 150 lines here, and a crate (plotters with its SVG backend) would add its dependency tree
//! to every build of the engine for that.

use std::fmt::Write;

use super::timeline::{Chart, Unit};

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;
/// Line colours, in order; distinguishable in print and for the common colour blindnesses.
const COLOURS: [&str; 8] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/// The chart as an `<svg>` element with its legend, or `None` when no line has a value.
pub fn chart(chart: &Chart, times: &[f64]) -> Option<String> {
    let values = || chart.lines.iter().flat_map(|l| l.values.iter().flatten().copied());
    if values().next().is_none() || times.is_empty() {
        return None;
    }
    let top = nice_ceiling(values().fold(0.0, f64::max));
    let bottom = values().fold(0.0, f64::min).min(0.0);
    let (t0, t1) = (times[0], times[times.len() - 1].max(times[0] + 1.0));
    let x = |t: f64| LEFT + (t - t0) / (t1 - t0) * (WIDTH - LEFT - RIGHT);
    let y = |v: f64| TOP + (top - v) / (top - bottom) * (HEIGHT - TOP - BOTTOM);

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}">"#,
        escape(&chart.title)
    );
    for i in 0..=4 {
        let v = bottom + (top - bottom) * f64::from(i) / 4.0;
        let yy = y(v);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="tick">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            yy + 4.0,
            format_value(v, chart.unit)
        );
    }
    for i in 0..=5 {
        let t = t0 + (t1 - t0) * f64::from(i) / 5.0;
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="tick">{}</text>"#,
            x(t),
            HEIGHT - 8.0,
            format_seconds(t, t1 - t0)
        );
    }
    for (line, colour) in chart.lines.iter().zip(COLOURS.iter().cycle()) {
        // A gap splits the line; a lone point between gaps is drawn as a dot.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let runs = line.values.iter().zip(times).map(|(v, t)| v.map(|v| (x(*t), y(v)))).chain([None]);
        for point in runs {
            match point {
                Some(p) => run.push(p),
                None if run.len() == 1 => {
                    let _ = write!(svg, r#"<circle cx="{:.1}" cy="{:.1}" r="2" fill="{colour}"/>"#, run[0].0, run[0].1);
                    run.clear();
                }
                None if !run.is_empty() => {
                    let points: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
                    let _ = write!(
                        svg,
                        r#"<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{}"/>"#,
                        points.join(" ")
                    );
                    run.clear();
                }
                None => {}
            }
        }
    }
    svg.push_str("</svg>");
    let legend: Vec<String> = chart
        .lines
        .iter()
        .zip(COLOURS.iter().cycle())
        .map(|(l, c)| format!(r#"<span class="key"><i style="background:{c}"></i>{}</span>"#, escape(&l.label)))
        .collect();
    Some(format!(r#"{svg}<div class="legend">{}</div>"#, legend.join("")))
}

/// The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `v` (1 for nothing above 0).
fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * magnitude).find(|c| *c >= v).unwrap_or(10.0 * magnitude)
}

/// An axis label in the chart's unit.
pub fn format_value(v: f64, unit: Unit) -> String {
    let number = |v: f64| {
        if v.fract() == 0.0 || v.abs() >= 100.0 {
            format!("{v:.0}")
        } else if v.abs() >= 10.0 {
            format!("{v:.1}")
        } else {
            format!("{v:.2}")
        }
    };
    match unit {
        Unit::Count => number(v),
        Unit::PerSecond => format!("{}/s", number(v)),
        Unit::Percent => format!("{}%", number(v)),
        Unit::Millis if v.abs() >= 1000.0 => format!("{}s", number(v / 1000.0)),
        Unit::Millis => format!("{}ms", number(v)),
        Unit::Bytes => {
            let (scaled, suffix) = match v.abs() {
                b if b >= 1e9 => (v / 1e9, "GB"),
                b if b >= 1e6 => (v / 1e6, "MB"),
                b if b >= 1e3 => (v / 1e3, "kB"),
                _ => (v, "B"),
            };
            format!("{}{suffix}", number(scaled))
        }
    }
}

/// An x-axis label; tenths of a second when the test is too short for whole ones to differ.
fn format_seconds(t: f64, span: f64) -> String {
    if span < 10.0 {
        return format!("{t:.1}s");
    }
    let t = t.round() as u64;
    if t >= 60 {
        format!("{}m{:02}s", t / 60, t % 60)
    } else {
        format!("{t}s")
    }
}

/// Text for HTML or SVG content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::timeline::{Frame, Timeline};
    use super::*;

    #[test]
    fn a_chart_draws_one_polyline_per_unbroken_stretch() {
        let mut t = Timeline::new();
        for (s, v) in [Some(1.0), Some(3.0), None, Some(2.0), Some(2.5), None, Some(9.0)].into_iter().enumerate() {
            let mut f = Frame::new();
            if let Some(v) = v {
                f.set("x <&> y", Unit::Millis, "p(95)", v);
            }
            t.push(s as f64, f);
        }
        t.finish();
        let svg = chart(&t.charts[0], &t.times).unwrap();
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 1, "{svg}");
        assert!(svg.contains("aria-label=\"x &lt;&amp;&gt; y\""), "{svg}");
        assert!(svg.contains(">10ms</text>"), "the axis tops at a round 10 ms: {svg}");
    }

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.3), 10.0);
        assert_eq!(nice_ceiling(180.0), 200.0);
        assert_eq!(nice_ceiling(2100.0), 2500.0);
        assert_eq!(format_value(1_500_000.0, Unit::Bytes), "1.50MB");
        assert_eq!(format_value(2500.0, Unit::Millis), "2.50s");
    }
}
