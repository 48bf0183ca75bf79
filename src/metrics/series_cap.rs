//! The series cap of one run: how many distinct tag sets a metric keeps, and which tags a sample
//! past that cap still keeps.
//!
//! One [`SeriesCap`] is built per run from `--max-series`, the tag keys the run's thresholds
//! filter on and the tag keys the summary reads, and handed down: to the run's aggregate and to
//! every worker thread's sink. Two runs in one process therefore never see each other's cap.
//! Both the thread sinks (which fold at record time, on the hot path) and the aggregate (which
//! folds what several threads flushed) apply the same rules from here, so neither needs the
//! other's.
//!
//! Not here: counting overflowed samples or deciding when a metric is full (the aggregate does),
//! the warning the report prints.

use super::tags::{tag, TagSet, Tags};

/// Distinct tag sets kept per metric, by default, before samples are folded into the overflow
/// series (`--max-series` changes it for a run).
pub const MAX_SERIES_PER_METRIC: usize = 1000;

/// Tag key of the series that receive samples beyond the cap.
pub const OVERFLOW_TAG: &str = tag::OVERFLOW;

/// Tags the end-of-test summary reads (checks, `expected_response:true`, groups, scenarios).
const SUMMARY_TAG_KEYS: [&str; 4] = [tag::CHECK, tag::EXPECTED_RESPONSE, tag::GROUP, tag::SCENARIO];

/// The series-cap rules of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesCap {
    /// Series of its own per metric (at least 1).
    limit: usize,
    /// Keys an overflow series keeps as long as it may keep any: the summary's and the
    /// thresholds', sorted.
    kept: Vec<String>,
}

impl Default for SeriesCap {
    /// [`MAX_SERIES_PER_METRIC`] and no threshold: the rules of a run without `--max-series`
    /// or sub-metric thresholds.
    fn default() -> Self {
        SeriesCap::new(MAX_SERIES_PER_METRIC, Vec::<String>::new())
    }
}

impl SeriesCap {
    /// `limit` series per metric (at least 1); overflow series keep the tags in
    /// `threshold_keys` (those the run's sub-metric thresholds filter on, such as `operation`
    /// in `http_req_duration{operation:switchCycle}`) besides the summary's.
    pub fn new(limit: usize, threshold_keys: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let mut kept: Vec<String> = SUMMARY_TAG_KEYS.iter().map(|k| k.to_string()).collect();
        kept.extend(threshold_keys.into_iter().map(Into::into));
        kept.sort();
        kept.dedup();
        SeriesCap { limit: limit.max(1), kept }
    }

    /// Series of its own a metric keeps before samples overflow.
    pub fn limit(&self) -> usize {
        self.limit
    }

    fn is_kept(&self, key: &str) -> bool {
        self.kept.iter().any(|k| k == key)
    }

    /// Whether a sample keeps tag `key` once its metric has [`SeriesCap::limit`] series of its
    /// own, given that the metric already has `overflow_series` overflow series
    /// (`rload_overflow=true` is added to what is kept):
    /// - first every tag but `url` and `name` (the tags k6 users put ids in) and `error` (a
    ///   transport error's message, which may quote the URL; `error_code` stays), unless a
    ///   threshold filters on them, so `method`, `status` and custom tags still split the overflow;
    /// - past another [`SeriesCap::limit`] overflow series (ids in custom tags), only the tags
    ///   the summary and the thresholds read;
    /// - past twice that, none: one series takes the rest, and memory stays bounded.
    pub fn kept_in_overflow(&self, key: &str, overflow_series: usize) -> bool {
        if key == OVERFLOW_TAG {
            false // added back by the caller
        } else if overflow_series < self.limit {
            !(key == tag::URL || key == tag::NAME || key == tag::ERROR) || self.is_kept(key)
        } else if overflow_series < 2 * self.limit {
            self.is_kept(key)
        } else {
            false
        }
    }

    /// [`SeriesCap::kept_in_overflow`] applied to an owned tag set, with `rload_overflow=true`
    /// added: where the aggregate puts a series that arrives past the cap.
    pub fn overflow_tags(&self, tags: &Tags, overflow_series: usize) -> Tags {
        Tags::from_pairs(
            tags.iter().filter(|(k, _)| self.kept_in_overflow(k, overflow_series)).chain([(OVERFLOW_TAG, "true")]),
        )
    }

    /// The same on the hot path's tag set: where a thread records a sample past the cap.
    pub(crate) fn overflow_tag_set(&self, tags: &TagSet, overflow_series: usize) -> TagSet {
        tags.filtered(|k| self.kept_in_overflow(k, overflow_series)).with(OVERFLOW_TAG, "true")
    }

    /// Where the aggregate puts an overflow series a thread already folded: as it is, until the
    /// metric has twice [`SeriesCap::limit`] overflow series; then into the one last series.
    pub(crate) fn refold(&self, folded: &Tags, overflow_series: usize) -> Tags {
        if overflow_series < 2 * self.limit {
            folded.clone()
        } else {
            Tags::from_pairs([(OVERFLOW_TAG, "true")])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_custom_tags_end_in_fewer_overflow_series() {
        let series_cap = SeriesCap::default();
        let cap = series_cap.limit();
        let overflow_tags = |tags: &Tags, overflow_series| series_cap.overflow_tags(tags, overflow_series);
        let tags = Tags::from_pairs([
            ("scenario", "s"),
            ("session", "42"),
            ("url", "/x/42"),
            ("error", "invalid URL \"/x/42\""),
            ("error_code", "1020"),
        ]);
        let first = overflow_tags(&tags, 0);
        assert_eq!(
            first,
            Tags::from_pairs([("scenario", "s"), ("session", "42"), ("error_code", "1020"), (OVERFLOW_TAG, "true")])
        );
        let second = overflow_tags(&tags, cap);
        assert_eq!(second, Tags::from_pairs([("scenario", "s"), (OVERFLOW_TAG, "true")]));
        let last = overflow_tags(&tags, 2 * cap);
        assert_eq!(last, Tags::from_pairs([(OVERFLOW_TAG, "true")]));
    }

    /// Two runs' rules side by side: neither the limit nor the threshold keys of one reach the
    /// other (they used to be process-wide statics, and threshold keys were never cleared).
    #[test]
    fn each_run_keeps_its_own_limit_and_threshold_keys() {
        let by_operation = SeriesCap::new(2, ["operation".to_string()]);
        let by_url = SeriesCap::new(5, [tag::URL]);
        let plain = SeriesCap::new(0, Vec::<String>::new());
        assert_eq!((by_operation.limit(), by_url.limit(), plain.limit()), (2, 5, 1));
        let tags = Tags::from_pairs([("operation", "switch"), (tag::URL, "/s/1"), (tag::METHOD, "POST")]);
        // Past one limit of overflow series only kept keys remain: each run's own.
        assert_eq!(
            by_operation.overflow_tags(&tags, 2),
            Tags::from_pairs([("operation", "switch"), (OVERFLOW_TAG, "true")])
        );
        assert_eq!(by_url.overflow_tags(&tags, 5), Tags::from_pairs([(tag::URL, "/s/1"), (OVERFLOW_TAG, "true")]));
        assert_eq!(plain.overflow_tags(&tags, 1), Tags::from_pairs([(OVERFLOW_TAG, "true")]));
        // Within the first limit, `url` goes unless this run's thresholds filter on it.
        assert!(!by_operation.kept_in_overflow(tag::URL, 0));
        assert!(by_url.kept_in_overflow(tag::URL, 0));
    }

    #[test]
    fn folded_series_stay_apart_until_twice_the_limit() {
        let cap = SeriesCap::new(3, Vec::<String>::new());
        let folded = Tags::from_pairs([(tag::METHOD, "GET"), (OVERFLOW_TAG, "true")]);
        assert_eq!(cap.refold(&folded, 5), folded);
        assert_eq!(cap.refold(&folded, 6), Tags::from_pairs([(OVERFLOW_TAG, "true")]));
    }
}
