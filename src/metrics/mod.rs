//! Metrics: declaring metrics, recording samples on the hot path, and merging them.
//!
//! The pipeline:
//! 1. [`Registry`] holds declared metrics; k6's built-ins have fixed ids ([`builtin`]), scripts
//!    add custom ones with [`register`]. A [`MetricId`] carries its kind, so recording needs no
//!    registry lookup.
//! 2. A run builds its [`SeriesCap`] (`--max-series`, the tag keys its thresholds filter on and
//!    those the summary reads) and hands it down: [`start_run`] gives it to the process-wide
//!    [`Aggregate`] and the scheduler's sink, [`join_run`] to each worker thread's sink (with the output tap).
//! 3. [`record`] adds a sample to the calling thread's [`LocalSink`]: no lock, no channel, no
//!    allocation once the series (metric + [`TagSet`]) exists. Trends are HDR histograms.
//!    A failed request is also counted by error code and message with [`record_failure`], in a
//!    bounded [`FailureTally`] beside the series (the summary's table of why requests failed).
//! 4. Each worker thread calls [`flush`] twice a second and before it ends; flush merges the
//!    thread's series into the process-wide [`Aggregate`] (exactly: histograms add).
//! 5. [`snapshot`] / [`with_aggregate`] read the aggregate; `crate::results` builds the
//!    end-of-test results from it.
//!
//! The modules are layers; each imports only layers before it, so a sample's path goes down once
//! (check with `grep -n "^use" src/metrics/*.rs`):
//! - `registry` (metric ids and kinds), `tags` (tag sets, [`tag`] key names), `system_tags`
//!   (which of k6's system tags the run's samples carry), `failures`
//!   (the bounded tally of failed requests by error code and message) and `clock` (the run's
//!   slope clock for gauges) import nothing from here;
//! - `dist` (a trend's samples) → `sink` (one series' statistics, per kind);
//! - `series_cap` (the cap rules of one run; uses `tags`);
//! - `aggregate` (merged series under a cap; uses `registry`, `sink`, `series_cap`, `tags`);
//! - `local` (a thread's sink, the hot path; flushes into the aggregate under the same cap);
//! - this file: the process-wide registry, aggregate and thread sinks.
//!
//! Every global here is a thin wrapper over a type that tests instantiate on their own
//! ([`Registry`], [`LocalSink`], [`Aggregate`], [`SeriesCap`]), so tests never share state.
//!
//! Not here: thresholds, the outputs' formats (`crate::outputs`; [`Tap`] is their hook), the
//! summary export, the scheduler's gauges.

mod aggregate;
mod clock;
mod dist;
mod failures;
mod local;
mod registry;
mod series_cap;
mod sink;
mod system_tags;
mod tags;
mod tap;

use std::cell::RefCell;
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

pub use aggregate::{Aggregate, CheckResult, MetricAggregate, Series};
pub use clock::{slope_seconds, start_slope_clock, stop_slope_clock};
pub use failures::{shorten as shorten_message, FailureKind, FailureTally, LeftOut, MAX_MESSAGE_BYTES};
pub use local::LocalSink;
pub use registry::{builtin, is_valid_metric_name, Contains, MetricError, MetricId, MetricInfo, MetricKind, Registry};
pub use series_cap::{SeriesCap, MAX_SERIES_PER_METRIC, OVERFLOW_TAG};
pub use sink::{per_second, CounterSink, GaugeSink, RateSink, SeriesSink, TrendSink, TrendStat, MAX_HISTOGRAM_VALUE};
pub use system_tags::{current as system_tags_now, enabled as system_tag_enabled, SystemTag, SystemTags};
pub(crate) use tags::{recent_or_build, RecentTagSets};
pub use tags::{shared_tag_set, tag, TagSet, Tags};
pub use tap::{RawSample, Tap};

use tap::TapBuffer;

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(|| Mutex::new(Registry::new()));
static AGGREGATE: LazyLock<Mutex<Aggregate>> = LazyLock::new(|| Mutex::new(Aggregate::new()));
/// The running test's output tap, if it has outputs; threads that join the run take it.
static RUN_TAP: Mutex<Option<Tap>> = Mutex::new(None);

/// The thread's sink and output tap; flushes what is left when the thread ends, so a worker
/// that forgets the final [`flush`] loses at most nothing.
struct ThreadSink {
    sink: LocalSink,
    tap: Option<TapBuffer>,
}

impl ThreadSink {
    fn flush(&mut self) {
        if let Some(tap) = &mut self.tap {
            tap.hand_over();
        }
        flush_sink(&mut self.sink);
    }
}

impl Drop for ThreadSink {
    fn drop(&mut self) {
        if let Some(tap) = &mut self.tap {
            tap.hand_over();
        }
        if !self.sink.is_empty() {
            flush_sink(&mut self.sink);
        }
    }
}

thread_local! {
    static SINK: RefCell<ThreadSink> = RefCell::new(ThreadSink { sink: LocalSink::new(), tap: None });
}

/// A poisoned lock only means another thread panicked mid-merge; the data is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Declares a custom metric in the process-wide registry (k6's `new Trend(name, isTime)`).
/// Declaring the same name with the same type again returns the same id.
pub fn register(name: &str, kind: MetricKind, is_time: bool) -> Result<MetricId, MetricError> {
    lock(&REGISTRY).register(name, kind, is_time)
}

/// [`register`] with what the values measure (a scraped `_bytes` gauge is data, a `_ms`
/// histogram time).
pub fn register_with(name: &str, kind: MetricKind, contains: Contains) -> Result<MetricId, MetricError> {
    lock(&REGISTRY).register_with(name, kind, contains)
}

/// The id of a declared metric, by name.
pub fn lookup(name: &str) -> Option<MetricId> {
    lock(&REGISTRY).get(name)
}

/// Records a sample into the calling thread's sink. Hot path: no lock, no allocation when the
/// series exists.
pub fn record(metric: MetricId, tags: &TagSet, value: f64) {
    SINK.with(|sink| {
        let mut sink = sink.borrow_mut();
        sink.sink.record(metric, tags, value);
        if let Some(tap) = &mut sink.tap {
            tap.push(metric, tags, value);
        }
    });
}

/// Records several samples with the same `tags`, in order, as many [`record`] calls would: one
/// borrow of the thread's sink for a request's eleven samples instead of eleven.
pub fn record_all(tags: &TagSet, samples: &[(MetricId, f64)]) {
    SINK.with(|sink| {
        let mut sink = sink.borrow_mut();
        let ThreadSink { sink, tap } = &mut *sink;
        for &(metric, value) in samples {
            sink.record(metric, tags, value);
            if let Some(tap) = tap {
                tap.push(metric, tags, value);
            }
        }
    });
}

/// Records `n` samples of `value` at once: a scraped histogram's bucket into a trend (one
/// histogram step, however large `n`). Outputs see one sample of `value`.
pub fn record_n(metric: MetricId, tags: &TagSet, value: f64, n: u64) {
    SINK.with(|sink| {
        let mut sink = sink.borrow_mut();
        sink.sink.record_n(metric, tags, value, n);
        if let Some(tap) = &mut sink.tap {
            tap.push(metric, tags, value);
        }
    });
}

/// Counts one failed request (k6's `error_code` and message) in the calling thread's sink, for
/// the end-of-test table of failures. Called only for failures; bounded (see [`FailureTally`]).
pub fn record_failure(error_code: u32, message: &str) {
    SINK.with(|sink| sink.borrow_mut().sink.record_failure(error_code, message));
}

/// Lock order is always AGGREGATE, then REGISTRY (only when a metric is new to the aggregate),
/// so `with_aggregate(|_| register(..))` cannot deadlock against a flush.
fn flush_sink(sink: &mut LocalSink) {
    let describe = |index: usize| {
        lock(&REGISTRY).by_index(index).cloned().expect("samples are only recorded for declared metrics")
    };
    sink.flush_with(&mut lock(&AGGREGATE), &describe);
}

/// Merges the calling thread's samples into the process-wide aggregate. Call twice a second
/// from each worker thread, and once at the end.
pub fn flush() {
    SINK.with(|sink| sink.borrow_mut().flush());
}

/// Starts a run on the calling (scheduler) thread: the process-wide aggregate starts empty under
/// the run's `series_cap`, samples also go to `tap` when the run has outputs, carry only the
/// `system_tags` of the run, and this thread records under all three. What this thread recorded
/// before (the init code that read `options`) is kept and flushed with the run.
pub fn start_run(series_cap: SeriesCap, tap: Option<Tap>, system_tags: SystemTags) {
    *lock(&AGGREGATE) = Aggregate::with_series_cap(series_cap.clone());
    *lock(&RUN_TAP) = tap;
    system_tags::start(system_tags);
    join_run(series_cap);
}

/// Puts the calling thread's sink under the run's `series_cap` and output tap: each worker
/// thread calls it before its VUs record anything.
pub fn join_run(series_cap: SeriesCap) {
    system_tags::join();
    let tap = lock(&RUN_TAP).clone();
    SINK.with(|sink| {
        let mut sink = sink.borrow_mut();
        sink.sink.set_series_cap(series_cap);
        sink.tap = tap.map(TapBuffer::new);
    });
}

/// Ends the run's output tap: the calling thread hands over what it holds, and no thread that
/// joins later gets the tap. Worker threads hand theirs over at their last flush.
pub fn end_tap() {
    *lock(&RUN_TAP) = None;
    SINK.with(|sink| {
        let mut sink = sink.borrow_mut();
        if let Some(mut tap) = sink.tap.take() {
            tap.hand_over();
        }
    });
}

/// Whether the running test has outputs (`-o`) to feed.
pub fn run_has_outputs() -> bool {
    lock(&RUN_TAP).is_some()
}

/// Sends a sample to the run's outputs alone, from a thread that records nothing else: the
/// load generator's own CPU and memory (`runtime/monitor.rs`) are a time series for the
/// outputs, not a metric of the test, so the summary, thresholds and the REST API never see
/// them. The sample leaves at the calling thread's next [`flush`]; without outputs it is dropped.
pub fn record_for_outputs(metric: MetricId, tags: &TagSet, value: f64) {
    SINK.with(|sink| {
        let mut sink = sink.borrow_mut();
        if sink.tap.is_none() {
            sink.tap = lock(&RUN_TAP).clone().map(TapBuffer::new);
        }
        if let Some(tap) = &mut sink.tap {
            tap.push(metric, tags, value);
        }
    });
}

/// The declared name of a metric.
pub fn name_of(id: MetricId) -> Option<String> {
    lock(&REGISTRY).info(id).map(|info| info.name.clone())
}

/// A copy of the process-wide aggregate (flushed samples only).
pub fn snapshot() -> Aggregate {
    lock(&AGGREGATE).clone()
}

/// Runs `f` on the process-wide aggregate without copying it.
pub fn with_aggregate<R>(f: impl FnOnce(&Aggregate) -> R) -> R {
    f(&lock(&AGGREGATE))
}

/// Forgets all recorded samples: the process-wide aggregate and the calling thread's sink.
/// Declared metrics stay declared (ids held elsewhere remain valid).
pub fn reset() {
    SINK.with(|sink| sink.borrow_mut().sink.clear());
    lock(&AGGREGATE).clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The global wrappers work end to end; the metric name is unique to this test so parallel
    /// tests cannot disturb it.
    #[test]
    fn samples_recorded_on_a_worker_thread_reach_the_aggregate() {
        let id = register("global_wrapper_test_counter", MetricKind::Counter, false).unwrap();
        assert_eq!(lookup("global_wrapper_test_counter"), Some(id));
        std::thread::spawn(move || {
            let tags = TagSet::new().with("k", "v");
            record(id, &tags, 2.0);
            flush();
            record(id, &tags, 3.0); // left for the thread-exit flush
        })
        .join()
        .unwrap();
        let sum = with_aggregate(|agg| match agg.metric(id).map(MetricAggregate::merged) {
            Some(SeriesSink::Counter(c)) => c.sum(),
            other => panic!("{other:?}"),
        });
        assert_eq!(sum, 5.0);
        assert!(snapshot().metric_by_name("global_wrapper_test_counter").is_some());
    }

    #[test]
    fn samples_recorded_together_count_as_recorded_one_by_one() {
        let count = register("record_all_test_counter", MetricKind::Counter, false).unwrap();
        let trend = register("record_all_test_trend", MetricKind::Trend, true).unwrap();
        std::thread::spawn(move || {
            let tags = TagSet::new().with("k", "v");
            record_all(&tags, &[(count, 1.0), (trend, 4.0), (count, 2.0), (trend, 8.0)]);
            flush();
        })
        .join()
        .unwrap();
        with_aggregate(|agg| {
            match agg.metric(count).map(MetricAggregate::merged) {
                Some(SeriesSink::Counter(c)) => assert_eq!(c.sum(), 3.0),
                other => panic!("{other:?}"),
            }
            match agg.metric(trend).map(MetricAggregate::merged) {
                Some(SeriesSink::Trend(t)) => assert_eq!((t.count(), t.sum()), (2, 12.0)),
                other => panic!("{other:?}"),
            }
        });
    }
}
