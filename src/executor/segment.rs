//! Execution segments: which share of a test this instance runs (k6's `lib/execution_segment.go`).
//!
//! A segment `from:to` (rationals, `0 ≤ from < to ≤ 1`) is a share of every executor's work;
//! a sequence `0,1/4,2/4,3/4,1` lists the segments of all instances, so that each instance can
//! compute its own share alone, exactly and without gaps or overlaps between instances. The
//! [`ExecutionTuple`] (a segment in its filled sequence) gives the two operations executors use:
//!
//! * [`ExecutionTuple::scale`]: this segment's part of an integer (VUs, iterations). Summed over
//!   all segments of the sequence it gives the integer back, and it never decreases as the
//!   integer grows. With 0:1/2, 1/2:3/4, 3/4:1, scaling 1, 2, 3, 4 gives 1,1,2,2 / 0,1,1,1 /
//!   0,0,0,1.
//! * [`ExecutionTuple::striped_offsets`]: which of the global iterations 0, 1, 2, ... belong to
//!   this segment, as a first index and the gaps to the next ones, repeating every `lcd`
//!   (the least common denominator of the segment lengths). Above: 0:1/2 gets 0, 2, 4, ...;
//!   1/2:3/4 gets 1, 5, 9, ...; 3/4:1 gets 3, 7, 11, ...
//!
//! The full segment 0:1 scales every value to itself and owns every iteration: a run without
//! segments behaves exactly as if this module did not exist. What this module is not: a CLI
//! flag (`--execution-segment` comes with the scale-out work); it is the arithmetic only.

use std::cmp::Ordering;
use std::fmt;

/// A non-negative rational number in lowest terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    num: u64,
    den: u64,
}

impl Ratio {
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };
    pub const ONE: Ratio = Ratio { num: 1, den: 1 };

    /// `num/den` in lowest terms; `den` must not be 0.
    pub fn new(num: u64, den: u64) -> Ratio {
        assert!(den != 0, "a ratio with a zero denominator");
        let g = gcd(num, den).max(1);
        Ratio { num: num / g, den: den / g }
    }

    /// Parses k6's rational forms: a fraction (`1/4`), a decimal (`0.25`, `1`) or a
    /// percentage (`25%`).
    pub fn parse(s: &str) -> Result<Ratio, String> {
        let bad = || format!("'{s}' is not a valid percentage, decimal, fraction or interval value");
        if let Some(p) = s.strip_suffix('%') {
            let n: u64 = p.parse().map_err(|_| format!("'{s}' is not a valid percentage"))?;
            return Ok(Ratio::new(n, 100));
        }
        if let Some((n, d)) = s.split_once('/') {
            let (n, d): (u64, u64) = (n.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
            return if d == 0 { Err(bad()) } else { Ok(Ratio::new(n, d)) };
        }
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        if (whole.is_empty() && frac.is_empty()) || frac.len() > 18 {
            return Err(bad());
        }
        let digits = |t: &str| t.is_empty() || t.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(frac) {
            return Err(bad());
        }
        let den = 10u64.pow(frac.len() as u32);
        let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
        let frac: u64 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| bad())? };
        let num = whole.checked_mul(den).and_then(|w| w.checked_add(frac)).ok_or_else(bad)?;
        Ok(Ratio::new(num, den))
    }

    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    fn sub(self, o: Ratio) -> Ratio {
        let den = lcm(self.den, o.den);
        Ratio::new(self.num * (den / self.den) - o.num * (den / o.den), den)
    }

    /// `value · self`, rounded half up (Go's `roundUp` in k6).
    fn round_times(self, value: u64) -> u64 {
        let n = u128::from(value) * u128::from(self.num);
        let (q, r) = (n / u128::from(self.den), n % u128::from(self.den));
        (q + u128::from(2 * r >= u128::from(self.den))) as u64
    }
}

impl Ord for Ratio {
    fn cmp(&self, o: &Ratio) -> Ordering {
        (u128::from(self.num) * u128::from(o.den)).cmp(&(u128::from(o.num) * u128::from(self.den)))
    }
}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, o: &Ratio) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b).max(1) * b
}

/// A share `from:to` of the test, `0 ≤ from < to ≤ 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecutionSegment {
    from: Ratio,
    to: Ratio,
}

impl ExecutionSegment {
    /// The whole test.
    pub const FULL: ExecutionSegment = ExecutionSegment { from: Ratio::ZERO, to: Ratio::ONE };

    /// k6's `NewExecutionSegment` checks, with its messages.
    pub fn new(from: Ratio, to: Ratio) -> Result<ExecutionSegment, String> {
        if from >= to {
            return Err(format!("segment start({from}) should be less than its end({to})"));
        }
        if to > Ratio::ONE {
            return Err(format!("segment end value shouldn't be more than 1 but was {to}"));
        }
        Ok(ExecutionSegment { from, to })
    }

    /// k6's `--execution-segment` syntax: `from:to` (`1/4:2/4`, `0.25:0.5`, `25%:50%`), or one
    /// value meaning `0:value`; empty means the whole test.
    pub fn parse(text: &str) -> Result<ExecutionSegment, String> {
        let text = if text.is_empty() { "1" } else { text };
        let (from, to) = match text.split_once(':') {
            Some((from, to)) => (Ratio::parse(from)?, Ratio::parse(to)?),
            None => (Ratio::ZERO, Ratio::parse(text)?),
        };
        ExecutionSegment::new(from, to)
    }

    pub fn length(&self) -> Ratio {
        self.to.sub(self.from)
    }

    /// k6's `ExecutionSegment.Scale`: `round(value·to - round(value·from))`, rounding halves up.
    /// Summed over consecutive segments it gives `value` back; [`ExecutionTuple::scale`] is the
    /// stable variant the executors use.
    pub fn scale(&self, value: u64) -> u64 {
        let to = u128::from(value) * u128::from(self.to.num);
        let from = u128::from(self.from.round_times(value)) * u128::from(self.to.den);
        let n = to.saturating_sub(from);
        let den = u128::from(self.to.den);
        (n / den + u128::from(2 * (n % den) >= den)) as u64
    }
}

impl fmt::Display for ExecutionSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.from, self.to)
    }
}

/// Consecutive segments, e.g. `0,1/4,2/4,3/4,1` (k6's `--execution-segment-sequence`); the
/// default is none (the segment alone, filled around).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionSegmentSequence(Vec<ExecutionSegment>);

impl ExecutionSegmentSequence {
    /// Parses `r1,r2,...,rn` into `r1:r2, r2:r3, ...`; empty means no sequence.
    pub fn parse(text: &str) -> Result<ExecutionSegmentSequence, String> {
        if text.is_empty() {
            return Ok(ExecutionSegmentSequence(Vec::new()));
        }
        let points: Vec<&str> = text.split(',').collect();
        if points.len() < 2 {
            return Err(format!(
                "at least 2 points are needed for an execution segment sequence, {} given",
                points.len()
            ));
        }
        let points = points.into_iter().map(Ratio::parse).collect::<Result<Vec<_>, _>>()?;
        let segments = points.windows(2).map(|w| ExecutionSegment::new(w[0], w[1])).collect::<Result<_, _>>()?;
        Ok(ExecutionSegmentSequence(segments))
    }

    pub fn segments(&self) -> &[ExecutionSegment] {
        &self.0
    }

    /// The least common denominator of the segment lengths.
    pub fn lcd(&self) -> u64 {
        self.0.iter().fold(1, |acc, s| lcm(acc, s.length().den))
    }

    /// k6's `GetFilledExecutionSegmentSequence`: the sequence (or the lone segment) padded with
    /// the missing pieces so that it covers 0:1.
    fn filled(&self, segment: ExecutionSegment) -> Vec<ExecutionSegment> {
        let mut out = if self.0.is_empty() { vec![segment] } else { self.0.clone() };
        if out[0].from != Ratio::ZERO {
            out.insert(0, ExecutionSegment { from: Ratio::ZERO, to: out[0].from });
        }
        let last = out[out.len() - 1].to;
        if last != Ratio::ONE {
            out.push(ExecutionSegment { from: last, to: Ratio::ONE });
        }
        out
    }
}

impl fmt::Display for ExecutionSegmentSequence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut points = self.0.first().map(|s| s.from).into_iter().chain(self.0.iter().map(|s| s.to));
        if let Some(p) = points.next() {
            write!(f, "{p}")?;
        }
        points.try_for_each(|p| write!(f, ",{p}"))
    }
}

/// One segment in its filled sequence, with the striping of the whole sequence precomputed
/// (k6's `ExecutionTuple` over an `ExecutionSegmentSequenceWrapper`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionTuple {
    sequence: Vec<ExecutionSegment>,
    index: usize,
    lcd: u64,
    /// Per segment: the first index it owns, then the gaps between the indexes it owns in
    /// one cycle of `lcd`, the last gap wrapping around to the next cycle.
    offsets: Vec<Vec<u64>>,
}

impl ExecutionTuple {
    /// The whole test: `0:1` in `0,1`.
    pub fn full() -> ExecutionTuple {
        ExecutionTuple::from_filled(vec![ExecutionSegment::FULL], 0)
    }

    /// `segment` within `sequence` (empty: the segment alone, filled around); k6's error when
    /// the sequence does not contain the segment.
    pub fn new(segment: ExecutionSegment, sequence: &ExecutionSegmentSequence) -> Result<ExecutionTuple, String> {
        let filled = sequence.filled(segment);
        match filled.iter().position(|s| *s == segment) {
            Some(index) => Ok(ExecutionTuple::from_filled(filled, index)),
            None => Err(format!("couldn't find segment {segment} in sequence {sequence}")),
        }
    }

    pub fn segment(&self) -> ExecutionSegment {
        self.sequence[self.index]
    }

    /// k6's striping (`NewExecutionSegmentSequenceWrapper`): walk the indexes 0..lcd and give
    /// each to the first segment, biggest first, whose share so far is behind its length, so
    /// that every segment's indexes are spread as evenly as they can be.
    fn from_filled(sequence: Vec<ExecutionSegment>, index: usize) -> ExecutionTuple {
        let lcd = sequence.iter().fold(1, |acc, s| lcm(acc, s.length().den));
        let shares: Vec<u64> = sequence.iter().map(|s| s.length().num * (lcd / s.length().den)).collect();
        let mut order: Vec<usize> = (0..sequence.len()).collect();
        order.sort_by(|a, b| shares[*b].cmp(&shares[*a])); // stable: ties keep sequence order
        let mut offsets: Vec<Vec<u64>> = shares.iter().map(|n| Vec::with_capacity(*n as usize + 1)).collect();
        let mut prev = vec![0u64; sequence.len()];
        let mut chosen = vec![0u64; sequence.len()];
        for i in 0..lcd {
            for (k, &seg) in order.iter().enumerate() {
                let (num, den) = (chosen[k] * lcd, shares[seg]);
                if i > num / den || (i == num / den && num % den == 0) {
                    chosen[k] += 1;
                    let o = &mut offsets[seg];
                    o.push(i - prev[seg]);
                    prev[seg] = i;
                    if o.len() as u64 == den {
                        let wrap = o[0] + lcd - i;
                        o.push(wrap);
                    }
                    break;
                }
            }
        }
        ExecutionTuple { sequence, index, lcd, offsets }
    }

    /// This segment's part of `value` (k6's `ExecutionTuple.ScaleInt64`): how many of the
    /// indexes `0..value` it owns.
    pub fn scale(&self, value: u64) -> u64 {
        if self.sequence.len() == 1 {
            return value;
        }
        self.scale_at(self.index, value)
    }

    fn scale_at(&self, index: usize, value: u64) -> u64 {
        let (start, gaps) = (self.offsets[index][0], &self.offsets[index][1..]);
        let mut result = value / self.lcd * gaps.len() as u64;
        let (mut i, mut g) = (start, 0);
        while i < value % self.lcd {
            result += 1;
            i += gaps[g];
            g += 1;
        }
        result
    }

    /// `(start, gaps, lcd)`: this segment owns the global indexes `start`, `start + gaps[0]`,
    /// `start + gaps[0] + gaps[1]`, ..., cycling through `gaps` (k6's `GetStripedOffsets`).
    pub fn striped_offsets(&self) -> (u64, &[u64], u64) {
        let o = &self.offsets[self.index];
        (o[0], &o[1..], self.lcd)
    }

    /// The global indexes this segment owns, in order (k6's `SegmentedIndex`), 0-based.
    pub fn stripe(&self) -> impl Iterator<Item = u64> + '_ {
        let (start, gaps, _) = self.striped_offsets();
        let mut next = Some(start);
        let mut g = 0;
        std::iter::from_fn(move || {
            let at = next?;
            next = at.checked_add(gaps[g % gaps.len()]);
            g += 1;
            Some(at)
        })
    }

    /// k6's `GetNewExecutionTupleFromValue`: re-segments the sequence so that each segment's
    /// length is its [`scale`](Self::scale)d share of `value`, dropping empty segments. k6's
    /// arrival-rate executors stripe iterations with the tuple for `maxVUs`, shared-iterations
    /// with the tuple for `vus`, so iterations follow the VUs. `None` when this segment gets
    /// nothing of `value`.
    pub fn for_value(&self, value: u64) -> Option<ExecutionTuple> {
        if value == 0 {
            return None;
        }
        if value.is_multiple_of(self.lcd) {
            return Some(self.clone());
        }
        let mut sequence = Vec::with_capacity(self.sequence.len());
        let mut index = None;
        let mut prev = 0;
        for i in 0..self.sequence.len() {
            let share = self.scale_at(i, value);
            if share == 0 {
                continue;
            }
            if i == self.index {
                index = Some(sequence.len());
            }
            sequence.push(ExecutionSegment { from: Ratio::new(prev, value), to: Ratio::new(prev + share, value) });
            prev += share;
        }
        Some(ExecutionTuple::from_filled(sequence, index?))
    }

    /// The filled sequence, as k6 prints it (`0,7/20,7/10,1`).
    pub fn sequence(&self) -> ExecutionSegmentSequence {
        ExecutionSegmentSequence(self.sequence.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(s: &str) -> ExecutionSegment {
        ExecutionSegment::parse(s).unwrap()
    }

    fn seq(s: &str) -> ExecutionSegmentSequence {
        ExecutionSegmentSequence::parse(s).unwrap()
    }

    fn tuple(segment: &str, sequence: &str) -> ExecutionTuple {
        ExecutionTuple::new(seg(segment), &seq(sequence)).unwrap()
    }

    #[test]
    fn parses_k6s_segment_forms() {
        for (text, want) in [
            ("1/4:2/4", "1/4:1/2"),
            ("0.25:0.5", "1/4:1/2"),
            ("25%:50%", "1/4:1/2"),
            ("2/4:75%", "1/2:3/4"),
            ("0.2", "0:1/5"),
            ("", "0:1"),
            ("0:1", "0:1"),
        ] {
            assert_eq!(seg(text).to_string(), want, "{text}");
        }
        assert_eq!(
            ExecutionSegment::parse("1/2:1/4").unwrap_err(),
            "segment start(1/2) should be less than its end(1/4)"
        );
        assert_eq!(
            ExecutionSegment::parse("0:3/2").unwrap_err(),
            "segment end value shouldn't be more than 1 but was 3/2"
        );
        assert!(ExecutionSegment::parse("-0.5:1").is_err());
        assert!(ExecutionSegment::parse("x").is_err());
    }

    #[test]
    fn parses_k6s_sequences() {
        // k6's TestExecutionSegmentStringSequences.
        for bad in ["0.5", "1,1", "-0.5,1", "1/2,1/2", "1/2,1/3", "0,1,1/2"] {
            assert!(ExecutionSegmentSequence::parse(bad).is_err(), "{bad}");
        }
        for (text, segments) in [
            ("0.5,1", vec!["1/2:1"]),
            ("1/3,2/3", vec!["1/3:2/3"]),
            ("0,1/3,2/3,1", vec!["0:1/3", "1/3:2/3", "2/3:1"]),
            ("0.5,0.7,1", vec!["1/2:7/10", "7/10:1"]),
            ("0,1/13,2/13,1/3,1/2,3/4,1", vec!["0:1/13", "1/13:2/13", "2/13:1/3", "1/3:1/2", "1/2:3/4", "3/4:1"]),
        ] {
            let got: Vec<String> = seq(text).segments().iter().map(|s| s.to_string()).collect();
            assert_eq!(got, segments, "{text}");
        }
        assert_eq!(seq("0,1/13,2/13,1/3,1/2,3/4,1").to_string(), "0,1/13,2/13,1/3,1/2,3/4,1");
        assert!(seq("").segments().is_empty());
    }

    #[test]
    fn sequence_lcd_matches_k6() {
        // k6's TestSequenceLCD.
        for (text, lcd) in [("0,0.3,0.5,0.6,0.7,0.8,0.9,1", 10), ("0,1/3,5/6", 6), ("0,1/3,4/7", 21)] {
            assert_eq!(seq(text).lcd(), lcd, "{text}");
        }
    }

    #[test]
    fn segment_scale_matches_k6() {
        // k6's TestExecutionSegmentFailures: quarters of 2 and of 3.
        let quarters = [("0:0.25", 1, 1), ("0.25:0.5", 0, 1), ("0.5:0.75", 1, 0), ("0.75:1", 0, 1)];
        for (s, two, three) in quarters {
            assert_eq!((seg(s).scale(2), seg(s).scale(3)), (two, three), "{s}");
        }
        // Consecutive segments always add up to the value.
        let thirds = seq("0,1/7,1/3,1/2,5/6,1");
        for v in 0..200 {
            assert_eq!(thirds.segments().iter().map(|s| s.scale(v)).sum::<u64>(), v);
        }
    }

    #[test]
    fn tuple_scale_matches_k6() {
        // k6's TestExecutionTupleScale, TestBigScale and TestNewExecutionTuple.
        let half = ExecutionTuple::new(seg("0.5"), &seq("")).unwrap();
        assert_eq!((half.scale(2), half.scale(3)), (1, 2));
        let other_half = ExecutionTuple::new(seg("0.5:1.0"), &seq("")).unwrap();
        assert_eq!((other_half.scale(2), other_half.scale(3)), (1, 1));
        assert_eq!(tuple("0:7/20", "0,7/20,7/10,1").scale(50), 18);
        let cases = [
            ("0:1/3", [(50, 17), (3, 1), (2, 1), (1, 1), (0, 0)]),
            ("1/3:2/3", [(50, 17), (3, 1), (2, 1), (1, 0), (0, 0)]),
            ("2/3:1", [(50, 16), (3, 1), (2, 0), (1, 0), (0, 0)]),
        ];
        for (s, scales) in cases {
            let et = tuple(s, "0,1/3,2/3,1");
            for (v, want) in scales {
                assert_eq!(et.scale(v), want, "{s} scale({v})");
            }
        }
        let full = ExecutionTuple::full();
        assert!((0..1000).all(|v| full.scale(v) == v));
    }

    #[test]
    fn the_doc_comment_table() {
        // k6's ExecutionTuple doc: 0:1/2, 1/2:3/4, 3/4:1 scaling 1..=12 and striping 0..12.
        let want: [(&str, [u64; 12], [u64; 3]); 3] = [
            ("0:1/2", [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6], [0, 2, 4]),
            ("1/2:3/4", [0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3], [1, 5, 9]),
            ("3/4:1", [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3], [3, 7, 11]),
        ];
        for (s, scaled, first) in want {
            let et = tuple(s, "0,1/2,3/4,1");
            let got: Vec<u64> = (1..=12).map(|v| et.scale(v)).collect();
            assert_eq!(got, scaled, "{s}");
            assert_eq!(et.stripe().take(3).collect::<Vec<_>>(), first, "{s}");
        }
    }

    #[test]
    fn striped_offsets_match_k6() {
        // k6's TestGetStripedOffsets.
        let cases: &[(&str, &str, u64, &[u64], u64)] = &[
            ("0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0:0.3", 0, &[4, 3, 3], 10),
            ("0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0.3:0.5", 1, &[4, 6], 10),
            ("0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0.5:0.6", 2, &[10], 10),
            ("0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0.6:0.7", 3, &[10], 10),
            ("0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0.8:0.9", 8, &[10], 10),
            ("0,0.3,0.5,0.6,0.7,0.8,0.9,1", "0.9:1", 9, &[10], 10),
            ("0,0.2,0.5,0.6,0.7,0.8,0.9,1", "0.9:1", 9, &[10], 10),
            ("0,0.2,0.5,0.6,0.7,0.8,0.9,1", "0:0.2", 1, &[4, 6], 10),
            ("0,0.2,0.5,0.6,0.7,0.8,0.9,1", "0.6:0.7", 3, &[10], 10),
            ("0,0.2,0.5", "0:0.2", 3, &[6, 4], 10),
            ("0,0.2,0.5", "0.2:0.5", 1, &[4, 2, 4], 10),
            ("0,2/5,4/5", "0:2/5", 0, &[3, 2], 5),
            ("0,2/5,4/5", "2/5:4/5", 1, &[3, 2], 5),
            ("", "0:0.2", 1, &[5], 5),
            ("", "0:1/5", 1, &[5], 5),
            ("", "0:2/10", 1, &[5], 5),
            ("", "0:0.4", 1, &[2, 3], 5),
            ("", "0:2/5", 1, &[2, 3], 5),
            ("", "2/5:4/5", 1, &[3, 2], 5),
            ("", "0:4/10", 1, &[2, 3], 5),
            ("", "1/10:5/10", 1, &[2, 2, 4, 2], 10),
        ];
        for &(sequence, segment, start, gaps, lcd) in cases {
            assert_eq!(tuple(segment, sequence).striped_offsets(), (start, gaps, lcd), "{segment} in {sequence}");
        }
        assert_eq!(
            ExecutionTuple::new(seg("0:0.2"), &seq("0,0.3,0.5,0.6,0.7,0.8,0.9,1")).unwrap_err(),
            "couldn't find segment 0:1/5 in sequence 0,3/10,1/2,3/5,7/10,4/5,9/10,1"
        );
        assert_eq!(ExecutionTuple::full().striped_offsets(), (0, &[1][..], 1));
    }

    #[test]
    fn every_index_has_exactly_one_owner() {
        let sequence = seq("0,1/7,1/3,1/2,5/6,1");
        let tuples: Vec<ExecutionTuple> =
            sequence.segments().iter().map(|s| ExecutionTuple::new(*s, &sequence).unwrap()).collect();
        let mut owners = vec![0; 420];
        for et in &tuples {
            for i in et.stripe().take_while(|i| *i < 420) {
                owners[i as usize] += 1;
            }
            assert_eq!(et.stripe().take_while(|i| *i < 420).count() as u64, et.scale(420));
        }
        assert!(owners.iter().all(|n| *n == 1));
    }

    #[test]
    fn re_segmenting_by_value_matches_k6() {
        // k6's TestGetNewExecutionTupleBesedOnValue and TestNewExecutionTuple's newScaleTests.
        let et = tuple("0:1/3", "0,1/3,2/3,1");
        assert_eq!(et.for_value(20).unwrap().sequence().to_string(), "0,7/20,7/10,1");
        type Case = (&'static str, &'static [(u64, Option<u64>)]);
        let cases: &[Case] = &[
            ("0:1/3", &[(50, Some(17)), (20, Some(18)), (3, Some(17)), (2, Some(25)), (1, Some(50)), (0, None)]),
            ("1/3:2/3", &[(50, Some(17)), (20, Some(17)), (3, Some(17)), (2, Some(25)), (1, None), (0, None)]),
            ("2/3:1", &[(50, Some(16)), (20, Some(15)), (3, Some(16)), (2, None), (1, None), (0, None)]),
        ];
        for &(s, values) in cases {
            let et = tuple(s, "0,1/3,2/3,1");
            for &(value, scaled_50) in values {
                assert_eq!(et.for_value(value).map(|t| t.scale(50)), scaled_50, "{s} for_value({value})");
            }
        }
        assert_eq!(ExecutionTuple::full().for_value(7), Some(ExecutionTuple::full()));
    }
}
