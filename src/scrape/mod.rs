//! The target's own metrics: `--scrape URL` (or `options.scrape`) reads a Prometheus text page
//! every `--scrape-interval` (5 s) while the test runs and records each series as an rload
//! metric of the same name, its labels as tags, so the summary, the `-o` outputs and the
//! thresholds see the service's side beside the load generator's.
//!
//! - `fetch.rs`: one bounded `GET` over HTTP/1.1;
//! - `convert.rs`: a parsed page → samples (gauges as gauges, counters' increases, histograms as
//!   trends; the page is parsed by the `prometheus-parse` crate);
//! - `buckets.rs`: a histogram's bucket increases as weighted trend samples that read like
//!   PromQL's `histogram_quantile`;
//! - this file: the settings, the probe before the run, and the scraper's own thread.
//!
//! Order in a run: `prepare` probes every URL once ([`Scraper::probe`]): that declares the
//! scraped metrics with their kinds, so thresholds on them parse like any other, and sets the
//! counters' baselines. When the test starts, [`Scraper::start`] moves the scraper to a thread of
//! its own (off the VU threads): a scrape at once, then every interval, and a last one when the
//! test ends ([`ScrapeTask::finish`]), each bounded by [`ScrapeConfig::timeout`]. A failed scrape
//! is counted in `rload_scrape_errors{url}` and reported at the end, never fatal.
//!
//! Not here: the `slope` clock and aggregation (`crate::metrics`, `crate::thresholds`).

mod buckets;
mod convert;
mod fetch;

use std::collections::HashMap;
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use url::Url;

use crate::metrics::{self, MetricId, MetricKind, SeriesCap, TagSet};
use convert::{convert, Baselines, Recorded};

/// k6 has no scraper; Prometheus's common default is 15 s, a load test wants finer.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// Samples of the first 30 s are left out of `slope` (start-up is not a leak).
pub const DEFAULT_WARMUP: Duration = Duration::from_secs(30);
/// Shortest interval accepted.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);
/// rload's own counter of failed scrapes, tagged with the URL.
pub const ERRORS_METRIC: &str = "rload_scrape_errors";

/// What to scrape, how often, and how much of the start `slope` leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct ScrapeConfig {
    pub urls: Vec<Url>,
    pub interval: Duration,
    pub warmup: Duration,
}

impl ScrapeConfig {
    /// The settings from `scrape`, `scrapeInterval`, `scrapeWarmup` (CLI over script, merged
    /// by `config`); `None` when no URL is set. Every problem at once.
    pub fn new(
        urls: &[String],
        interval: Option<Duration>,
        warmup: Option<Duration>,
    ) -> Result<Option<ScrapeConfig>, Vec<String>> {
        let mut errors = Vec::new();
        let parsed: Vec<Url> = urls
            .iter()
            .filter_map(|u| fetch::check_url(u).map_err(|e| errors.push(format!("scrape: {e}"))).ok())
            .collect();
        let interval = interval.unwrap_or(DEFAULT_INTERVAL);
        if interval < MIN_INTERVAL {
            errors.push(format!(
                "scrapeInterval: {} is shorter than the shortest interval, {}",
                crate::config::format_duration(interval),
                crate::config::format_duration(MIN_INTERVAL)
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok((!parsed.is_empty()).then(|| ScrapeConfig {
            urls: parsed,
            interval,
            warmup: warmup.unwrap_or(DEFAULT_WARMUP),
        }))
    }

    /// Each scrape's bound: the interval, at least 1 s and at most 10 s.
    pub fn timeout(&self) -> Duration {
        self.interval.clamp(Duration::from_secs(1), Duration::from_secs(10))
    }
}

/// One URL's state.
#[derive(Debug)]
struct Target {
    url: Url,
    baselines: Baselines,
    /// `instance` tag (host:port), as Prometheus adds it.
    instance: String,
    scrapes: u64,
    failures: u64,
    last_error: Option<String>,
}

/// Scrapes its URLs and records what they say.
#[derive(Debug)]
pub struct Scraper {
    config: ScrapeConfig,
    targets: Vec<Target>,
    /// Declared metrics by name; a name the script declared as another kind is an error once.
    ids: HashMap<String, Result<MetricId, String>>,
    errors_metric: Option<MetricId>,
    /// The names of `ids` that declared, shared with the report's sampler (see [`Scraper::declared`]).
    names: Arc<Mutex<Vec<String>>>,
}

/// What the scraper reports at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrapeReport {
    /// One line per URL that failed at least once, and per metric that could not be declared.
    pub warnings: Vec<String>,
}

impl Scraper {
    pub fn new(config: ScrapeConfig) -> Scraper {
        let targets = config
            .urls
            .iter()
            .map(|url| Target {
                instance: format!(
                    "{}:{}",
                    url.host_str().unwrap_or_default(),
                    url.port_or_known_default().unwrap_or(80)
                ),
                url: url.clone(),
                baselines: Baselines::default(),
                scrapes: 0,
                failures: 0,
                last_error: None,
            })
            .collect();
        let errors_metric = metrics::register(ERRORS_METRIC, MetricKind::Counter, false).ok();
        Scraper { config, targets, ids: HashMap::new(), errors_metric, names: Arc::default() }
    }

    /// The settings it runs with.
    pub fn config(&self) -> &ScrapeConfig {
        &self.config
    }

    /// The names of the scraped metrics declared so far, in byte order, kept up to date after
    /// every scrape: a labelled series often appears only with the test's first requests. The
    /// report charts each.
    pub fn declared(&self) -> Arc<Mutex<Vec<String>>> {
        self.names.clone()
    }

    fn publish_names(&self) {
        let mut names: Vec<String> =
            self.ids.iter().filter(|(_, id)| id.is_ok()).map(|(name, _)| name.clone()).collect();
        names.sort();
        *self.names.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = names;
    }

    /// Before the run: one scrape of every URL that declares its metrics and sets baselines,
    /// recording nothing. Returns one warning per URL that could not be read.
    pub async fn probe(&mut self) -> Vec<String> {
        let timeout = self.config.timeout();
        let mut warnings = Vec::new();
        for target in &mut self.targets {
            match fetch::fetch(&target.url, timeout).await.and_then(|page| parse(&page)) {
                Ok(scrape) => {
                    for r in convert(&scrape, &mut target.baselines) {
                        declare(&mut self.ids, &r);
                    }
                    // Histograms and counters seen only now are declared too, from their kind.
                    for sample in &scrape.samples {
                        declare_kind(&mut self.ids, sample);
                    }
                }
                Err(e) => warnings.push(format!(
                    "scrape {}: {e}; its metrics are not declared before the test, so thresholds can't name \
                     them (start the service first, or run with --with-target)",
                    target.url
                )),
            }
        }
        self.publish_names();
        warnings
    }

    /// One scrape of every URL, recorded on the calling thread.
    async fn scrape_all(&mut self) {
        let timeout = self.config.timeout();
        for target in &mut self.targets {
            target.scrapes += 1;
            match fetch::fetch(&target.url, timeout).await.and_then(|page| parse(&page)) {
                Ok(scrape) => {
                    let instance = TagSet::new().with("instance", &target.instance);
                    for r in convert(&scrape, &mut target.baselines) {
                        let Ok(id) = declare(&mut self.ids, &r).clone() else { continue };
                        let mut tags =
                            if r.tags.iter().any(|(k, _)| k == "instance") { TagSet::new() } else { instance.clone() };
                        for (k, v) in &r.tags {
                            tags = tags.with(k, v);
                        }
                        for p in &r.points {
                            metrics::record_n(id, &tags, p.value, p.weight);
                        }
                    }
                }
                Err(e) => {
                    target.failures += 1;
                    target.last_error = Some(e);
                    if let Some(id) = self.errors_metric {
                        metrics::record(id, &TagSet::new().with("url", target.url.as_str()), 1.0);
                    }
                }
            }
        }
        metrics::flush();
        self.publish_names();
    }

    /// Moves the scraper to its own thread, which scrapes at once and then every interval
    /// until [`ScrapeTask::finish`]. Its samples go under the run's `series_cap` and outputs.
    pub fn start(self, series_cap: SeriesCap) -> std::io::Result<ScrapeTask> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new().name("rload-scrape".into()).spawn(move || {
            let mut scraper = self;
            metrics::join_run(series_cap);
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("scrape runtime");
            loop {
                let started = std::time::Instant::now();
                rt.block_on(scraper.scrape_all());
                let wait = scraper.config.interval.saturating_sub(started.elapsed());
                match stopped.recv_timeout(wait) {
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    // Stopped (or the task was dropped): one last scrape for the test's end.
                    Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
            rt.block_on(scraper.scrape_all());
            scraper.report()
        })?;
        Ok(ScrapeTask { stop: Some(stop), thread: Some(thread) })
    }

    fn report(&self) -> ScrapeReport {
        let mut warnings: Vec<String> = self
            .targets
            .iter()
            .filter(|t| t.failures > 0)
            .map(|t| {
                format!(
                    "scrape {}: {} of {} scrapes failed (last: {})",
                    t.url,
                    t.failures,
                    t.scrapes,
                    t.last_error.as_deref().unwrap_or("?")
                )
            })
            .collect();
        let mut undeclared: Vec<&String> = self.ids.values().filter_map(|r| r.as_ref().err()).collect();
        undeclared.sort();
        warnings.extend(undeclared.into_iter().map(|e| format!("scrape: {e}")));
        ScrapeReport { warnings }
    }
}

/// The scraper's thread while the test runs.
#[derive(Debug)]
pub struct ScrapeTask {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<ScrapeReport>>,
}

impl ScrapeTask {
    /// Stops the thread after one last scrape (bounded by the scrape timeout) and returns its
    /// report; its samples are flushed into the aggregate by then.
    pub fn finish(mut self) -> ScrapeReport {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> ScrapeReport {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(report)) => report,
            Some(Err(_)) => ScrapeReport { warnings: vec!["scrape: the scraper's thread panicked".to_owned()] },
            None => ScrapeReport { warnings: Vec::new() },
        }
    }
}

impl Drop for ScrapeTask {
    /// A run that ends with an error still stops the thread.
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

fn parse(page: &str) -> Result<prometheus_parse::Scrape, String> {
    prometheus_parse::Scrape::parse(page.lines().map(|l| Ok(l.to_owned()))).map_err(|e| format!("parse: {e}"))
}

/// The id of a scraped series' metric, declared on first sight.
fn declare<'a>(ids: &'a mut HashMap<String, Result<MetricId, String>>, r: &Recorded) -> &'a Result<MetricId, String> {
    ids.entry(r.name.clone())
        .or_insert_with(|| metrics::register_with(&r.name, r.kind, r.contains).map_err(|e| format!("{e} (scraped)")))
}

/// Declares a sample's metric from its Prometheus type before it has recorded anything.
fn declare_kind(ids: &mut HashMap<String, Result<MetricId, String>>, sample: &prometheus_parse::Sample) {
    use prometheus_parse::Value;
    let kind = match sample.value {
        Value::Counter(_) => MetricKind::Counter,
        Value::Histogram(_) => MetricKind::Trend,
        // Gauges, untyped and summaries recorded already in `convert`'s output; _sum/_count of a
        // histogram are never recorded.
        _ => return,
    };
    let probe = Recorded {
        name: sample.metric.clone(),
        kind,
        contains: convert::contains_of(&sample.metric),
        tags: Vec::new(),
        points: Vec::new(),
    };
    declare(ids, &probe);
}
