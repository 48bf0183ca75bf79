//! A run's time series in bounded memory: one point per second per line, every line on one
//! shared time axis, halved in resolution whenever it reaches [`MAX_POINTS`] points.
//!
//! Halving merges neighbouring points into their mean (a rate, a share, a gauge and a
//! per-second percentile all read sensibly as a mean over two seconds), and from then on each
//! point takes the mean of `step` seconds. A 35-minute run thus keeps between 1,000 and 2,000
//! points per line, whatever its length: the report stays small and the sampler's memory flat.
//!
//! Lines appear when they first have a value (a scraped metric at its first scrape); earlier
//! points are gaps, as are seconds without a value (no request in that second).

/// Points per line at which the resolution is halved (an even number, so each point after a
/// halving covers whole steps from the start).
pub const MAX_POINTS: usize = 2000;

/// What a chart's values measure, for its axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A plain number (VUs, a gauge).
    Count,
    /// Events per second.
    PerSecond,
    /// 0–100.
    Percent,
    Millis,
    Bytes,
}

/// One chart: its title, unit and lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub unit: Unit,
    pub lines: Vec<Line>,
}

/// One line of a chart: a label and a value per point of the timeline (`None`: a gap).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub values: Vec<Option<f64>>,
    /// Seconds accumulated into the next point (see [`Timeline::step`]).
    pending_sum: f64,
    pending_n: u32,
}

/// The run's charts over one time axis.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timeline {
    /// Seconds into the test of each point (the start of the seconds it covers).
    pub times: Vec<f64>,
    pub charts: Vec<Chart>,
    /// Seconds per point: 1, then 2, 4, … after each halving.
    step: u32,
    /// Seconds gathered into the next point so far, and when the first of them was.
    pending: u32,
    pending_at: f64,
}

/// One second's values, each for `(chart, unit, line)`.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    values: Vec<(String, Unit, String, f64)>,
}

impl Frame {
    pub fn new() -> Frame {
        Frame::default()
    }

    /// A value for line `line` of chart `chart`; NaN and infinities are left out.
    pub fn set(&mut self, chart: &str, unit: Unit, line: &str, value: f64) {
        if value.is_finite() {
            self.values.push((chart.to_owned(), unit, line.to_owned(), value));
        }
    }
}

impl Timeline {
    pub fn new() -> Timeline {
        Timeline { step: 1, ..Timeline::default() }
    }

    /// Seconds each point covers now.
    pub fn step(&self) -> u32 {
        self.step.max(1)
    }

    /// Adds the second that began `at` seconds into the test.
    pub fn push(&mut self, at: f64, frame: Frame) {
        if self.pending == 0 {
            self.pending_at = at;
        }
        for (chart, unit, label, value) in frame.values {
            let line = self.line(&chart, unit, &label);
            line.pending_sum += value;
            line.pending_n += 1;
        }
        self.pending += 1;
        if self.pending >= self.step() {
            self.close_point();
        }
    }

    /// Ends the timeline: seconds gathered into an unfinished point become its last point.
    pub fn finish(&mut self) {
        if self.pending > 0 {
            self.close_point();
        }
    }

    /// Points per line.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    fn close_point(&mut self) {
        self.times.push(self.pending_at);
        for line in self.charts.iter_mut().flat_map(|c| c.lines.iter_mut()) {
            let value = (line.pending_n > 0).then(|| line.pending_sum / f64::from(line.pending_n));
            line.values.push(value);
            (line.pending_sum, line.pending_n) = (0.0, 0);
        }
        self.pending = 0;
        if self.times.len() >= MAX_POINTS {
            self.halve();
        }
    }

    /// Merges each pair of points into one and doubles the step.
    fn halve(&mut self) {
        self.times = self.times.chunks(2).map(|pair| pair[0]).collect();
        for line in self.charts.iter_mut().flat_map(|c| c.lines.iter_mut()) {
            line.values = line
                .values
                .chunks(2)
                .map(|pair| {
                    let known: Vec<f64> = pair.iter().flatten().copied().collect();
                    (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64)
                })
                .collect();
        }
        self.step = self.step() * 2;
    }

    /// The line, made (with gaps for the points before) when new.
    fn line(&mut self, chart: &str, unit: Unit, label: &str) -> &mut Line {
        let points = self.times.len();
        let c = match self.charts.iter().position(|c| c.title == chart) {
            Some(i) => i,
            None => {
                self.charts.push(Chart { title: chart.to_owned(), unit, lines: Vec::new() });
                self.charts.len() - 1
            }
        };
        let lines = &mut self.charts[c].lines;
        let l = match lines.iter().position(|l| l.label == label) {
            Some(i) => i,
            None => {
                lines.push(Line {
                    label: label.to_owned(),
                    values: vec![None; points],
                    pending_sum: 0.0,
                    pending_n: 0,
                });
                lines.len() - 1
            }
        };
        &mut lines[l]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn second(vus: f64) -> Frame {
        let mut f = Frame::new();
        f.set("VUs", Unit::Count, "vus", vus);
        f
    }

    #[test]
    fn one_point_per_second_and_late_lines_start_with_gaps() {
        let mut t = Timeline::new();
        t.push(0.0, second(1.0));
        let mut f = second(2.0);
        f.set("queue", Unit::Count, "size", 7.0);
        f.set("queue", Unit::Count, "nan", f64::NAN);
        t.push(1.0, f);
        t.push(2.0, Frame::new());
        t.finish();
        assert_eq!(t.times, vec![0.0, 1.0, 2.0]);
        assert_eq!(t.charts[0].lines[0].values, vec![Some(1.0), Some(2.0), None]);
        assert_eq!(t.charts[1].lines.len(), 1, "a NaN makes no line");
        assert_eq!(t.charts[1].lines[0].values, vec![None, Some(7.0), None]);
    }

    #[test]
    fn a_35_minute_run_is_downsampled_within_the_bound() {
        let mut t = Timeline::new();
        let seconds = 35 * 60;
        for s in 0..seconds {
            let mut f = Frame::new();
            for line in 0..40 {
                f.set(&format!("chart {}", line / 4), Unit::Millis, &format!("line {line}"), s as f64);
            }
            t.push(s as f64, f);
        }
        t.finish();
        assert!(t.len() <= MAX_POINTS, "{} points", t.len());
        assert!(t.len() >= MAX_POINTS / 2, "{} points: halved only as far as needed", t.len());
        assert_eq!(t.step(), 2);
        for line in t.charts.iter().flat_map(|c| &c.lines) {
            assert_eq!(line.values.len(), t.len());
        }
        // Means of the seconds each point covers, on the same time axis.
        let values = &t.charts[0].lines[0].values;
        assert_eq!((t.times[0], values[0]), (0.0, Some(0.5)));
        assert_eq!((t.times[1], values[1]), (2.0, Some(2.5)));
        assert_eq!(*t.times.last().unwrap(), (seconds - 2) as f64);
        assert_eq!(values.last().unwrap().unwrap(), (seconds - 2) as f64 + 0.5);
    }

    #[test]
    fn a_very_long_run_keeps_halving() {
        let mut t = Timeline::new();
        for s in 0..20_000 {
            t.push(s as f64, second(1.0));
        }
        t.finish();
        assert!(t.len() <= MAX_POINTS && t.step() == 16, "{} points, step {}", t.len(), t.step());
    }
}
