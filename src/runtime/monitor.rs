//! The run's once-a-second watcher, on a thread of its own from the test's start to the end of
//! its last VU: rload's own CPU and memory (`crate::health`), the saturation warning, the same
//! CPU and memory as samples for the `-o` outputs ([`OWN_CPU`], [`OWN_RSS`]), and — with
//! `--report` — a point per second of every chart (`crate::report`).
//!
//! Its own thread because reading the aggregate's histograms each second takes a few
//! milliseconds under its lock: on the scheduler's thread that would delay arrival-rate starts,
//! on a worker it would delay VUs. The workers flush into the aggregate twice a second, so a
//! second's point may hold up to half a second of the next; the sums over the run are exact.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::scenario::ScenarioRuntime;
use crate::health::{ProcessMeter, Saturation, SaturationWatch, Usage};
use crate::metrics::{self, Contains, MetricId, MetricKind, TagSet};
use crate::report::{Frame, Sampler, Timeline, Unit};
use crate::stdio;

/// rload's own CPU, in percent of one core (200 = two cores busy), a gauge in the outputs only.
pub const OWN_CPU: &str = "rload_cpu_percent";
/// rload's resident memory in bytes, a gauge in the outputs only.
pub const OWN_RSS: &str = "rload_rss_bytes";

/// The shortest end of a test that still makes a point of its own.
const MIN_LAST_POINT: Duration = Duration::from_millis(200);

/// What the watcher saw, for the report and the summary.
#[derive(Debug, Default)]
pub struct Monitored {
    /// The charts' points (`--report` only).
    pub timeline: Option<Timeline>,
    /// When rload was saturated, if it was.
    pub saturation: Option<Saturation>,
}

/// The watcher's thread, started before the test's clock so that starting it costs the
/// scenarios nothing.
pub struct Monitor {
    tell: mpsc::Sender<Signal>,
    thread: JoinHandle<Monitored>,
}

enum Signal {
    Begin(Instant),
    Stop,
}

impl Monitor {
    /// Starts the thread, idle until [`Monitor::begin`]. `cores`: what rload's VU threads may
    /// use (`health::usable_cores`); `sampler`: the report's charts, when a report was asked for.
    pub fn spawn(
        runtimes: Vec<Arc<ScenarioRuntime>>,
        cores: usize,
        sampler: Option<Sampler>,
    ) -> std::io::Result<Monitor> {
        let (tell, told) = mpsc::channel();
        let thread = std::thread::Builder::new().name("rload-monitor".into()).spawn(move || match told.recv() {
            Ok(Signal::Begin(test_start)) => watch(&runtimes, test_start, cores, sampler, &told),
            Ok(Signal::Stop) | Err(_) => Monitored::default(),
        })?;
        Ok(Monitor { tell, thread })
    }

    /// Watches from `test_start`, a second at a time.
    pub fn begin(&self, test_start: Instant) {
        let _ = self.tell.send(Signal::Begin(test_start));
    }

    /// Stops watching and returns what it saw (nothing if it never began).
    pub fn finish(self) -> Monitored {
        let _ = self.tell.send(Signal::Stop);
        self.thread.join().unwrap_or_default()
    }
}

fn watch(
    runtimes: &[Arc<ScenarioRuntime>],
    test_start: Instant,
    cores: usize,
    mut sampler: Option<Sampler>,
    stopped: &mpsc::Receiver<Signal>,
) -> Monitored {
    let own = OwnSeries::declare();
    let mut meter = ProcessMeter::start();
    let mut saturation = SaturationWatch::new(cores);
    let mut timeline = sampler.as_ref().map(|_| Timeline::new());
    if let Some(sampler) = &mut sampler {
        // The baseline: what setup() recorded is not the test's first second.
        sampler.sample(&mut Frame::new(), 0.0);
    }
    let mut last = test_start;
    for second in 1u64.. {
        let due = test_start + Duration::from_secs(second);
        let end = match stopped.recv_timeout(due.saturating_duration_since(Instant::now())) {
            Err(RecvTimeoutError::Timeout) => false,
            Ok(_) | Err(RecvTimeoutError::Disconnected) => true,
        };
        let now = Instant::now();
        let covered = now.duration_since(last);
        last = now;
        // The test's last partial second is a point too, unless it is a sliver.
        if end && covered < MIN_LAST_POINT {
            break;
        }
        let usage = meter.sample();
        if let Some(usage) = &usage {
            if let Some(found) = saturation.observe(second - 1, usage) {
                stdio::errln(&found.live_message());
            }
            if let Some(own) = &own {
                own.record(usage);
            }
        }
        if let (Some(timeline), Some(sampler)) = (&mut timeline, &mut sampler) {
            let mut frame = Frame::new();
            let vus: u64 = runtimes.iter().map(|s| s.current_vus()).sum();
            frame.set("VUs", Unit::Count, "vus", vus as f64);
            sampler.sample(&mut frame, covered.as_secs_f64());
            if let Some(u) = usage {
                frame.set("rload CPU (load generator)", Unit::Percent, "on a CPU", u.cpu_percent);
                frame.set("rload CPU (load generator)", Unit::Percent, "waiting for a CPU", u.wait_percent);
                frame.set(
                    "rload CPU (load generator)",
                    Unit::Percent,
                    "VU threads running or waiting",
                    u.vu_busy_percent,
                );
                if let Some(rss) = u.rss_bytes {
                    frame.set("rload memory (RSS)", Unit::Bytes, "rss", rss);
                }
            }
            timeline.push((second - 1) as f64, frame);
        }
        if end {
            break;
        }
    }
    if let Some(t) = &mut timeline {
        t.finish();
    }
    Monitored { timeline, saturation: saturation.finding() }
}

/// The outputs' series of rload's own CPU and memory; declared only when the run has outputs,
/// so a run without `-o` declares no metric a script did not ask for.
struct OwnSeries {
    cpu: MetricId,
    rss: MetricId,
    tags: TagSet,
}

impl OwnSeries {
    fn declare() -> Option<OwnSeries> {
        if !metrics::run_has_outputs() {
            return None;
        }
        let cpu = metrics::register(OWN_CPU, MetricKind::Gauge, false).ok()?;
        let rss = metrics::register_with(OWN_RSS, MetricKind::Gauge, Contains::Data).ok()?;
        Some(OwnSeries { cpu, rss, tags: TagSet::new() })
    }

    /// One second's figures, handed to the outputs at once (this thread records nothing else).
    fn record(&self, usage: &Usage) {
        metrics::record_for_outputs(self.cpu, &self.tags, usage.cpu_percent);
        if let Some(rss) = usage.rss_bytes {
            metrics::record_for_outputs(self.rss, &self.tags, rss);
        }
        metrics::flush();
    }
}
