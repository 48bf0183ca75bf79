//! Whether the results given to `rload merge` are one whole test: their execution segments must
//! tile `0:1` exactly, without overlap and without a gap.
//!
//! A missing segment is refused, not warned about: the merge's thresholds would otherwise pass
//! or fail on a part of the fleet while the summary reads like the whole test (a crashed runner
//! leaves exactly that gap). Not here: reading the files, the other identity checks
//! (`super`).

use crate::executor::segment::{ExecutionSegment, Ratio};

/// One result's share of the test: the file it came from and its segment as exported.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    pub file: &'a str,
    pub segment: &'a str,
}

/// `Ok` when the segments of `parts` tile `0:1`; otherwise every overlap and every gap, each
/// naming the files (or the segment no file covers).
pub fn check_coverage(parts: &[Part<'_>]) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    let mut spans = Vec::new();
    for part in parts {
        match span(part.segment) {
            Ok((from, to)) => spans.push((from, to, part)),
            Err(e) => errors.push(format!("{}: execution segment \"{}\": {e}", part.file, part.segment)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    spans.sort_by_key(|&(from, to, _)| (from, to));
    let mut covered = Ratio::ZERO;
    let mut last: Option<&Part<'_>> = None;
    for (from, to, part) in spans {
        if from < covered {
            let previous = last.expect("only a second segment can start before the covered end");
            errors.push(format!(
                "{} (segment {}) overlaps {} (segment {}): each instance must run its own segment",
                part.file, part.segment, previous.file, previous.segment
            ));
        } else if from > covered {
            errors.push(format!("no result covers segment {covered}:{from} (is a runner's export missing?)"));
        }
        if to > covered {
            covered = to;
            last = Some(part);
        }
    }
    if covered < Ratio::ONE {
        errors.push(format!("no result covers segment {covered}:1 (is a runner's export missing?)"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The bounds of a segment as exported (`1/4:1/2`), validated as `--execution-segment` is.
fn span(text: &str) -> Result<(Ratio, Ratio), String> {
    ExecutionSegment::parse(text)?;
    let (from, to) = text.split_once(':').ok_or("expected FROM:TO")?;
    Ok((Ratio::parse(from)?, Ratio::parse(to)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(segments: &[&str]) -> Result<(), Vec<String>> {
        let files: Vec<String> = (0..segments.len()).map(|i| format!("r{i}.json")).collect();
        let parts: Vec<Part<'_>> = segments.iter().zip(&files).map(|(segment, file)| Part { file, segment }).collect();
        check_coverage(&parts)
    }

    #[test]
    fn segments_that_tile_the_test_in_any_order_are_one_test() {
        assert_eq!(check(&["3/4:1", "0:1/4", "1/2:3/4", "1/4:1/2"]), Ok(()));
        assert_eq!(check(&["0:1"]), Ok(()));
        assert_eq!(check(&["0:1/3", "1/3:1"]), Ok(()));
    }

    #[test]
    fn a_missing_segment_is_named() {
        let errors = check(&["0:1/4", "1/4:1/2", "3/4:1"]).unwrap_err();
        assert_eq!(errors, ["no result covers segment 1/2:3/4 (is a runner's export missing?)"]);
        let errors = check(&["0:1/4", "1/4:1/2"]).unwrap_err();
        assert_eq!(errors, ["no result covers segment 1/2:1 (is a runner's export missing?)"]);
    }

    #[test]
    fn overlapping_segments_name_both_files() {
        let errors = check(&["0:1/2", "1/4:1", "1/2:1"]).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].starts_with("r1.json (segment 1/4:1) overlaps r0.json (segment 0:1/2)"), "{errors:?}");
        assert!(errors[1].starts_with("r2.json (segment 1/2:1) overlaps r1.json (segment 1/4:1)"), "{errors:?}");
        // The same result given twice.
        assert!(check(&["0:1", "0:1"]).unwrap_err()[0].contains("overlaps"));
    }
}
