//! Outputs: where a run's samples go while it runs (`-o/--out`, repeatable, k6's names and
//! formats). Implemented: `json` (k6's NDJSON, gzip when the name ends in `.gz`), `csv`, and
//! `experimental-prometheus-rw` (Prometheus remote write, its own thread: see [`remote_write`]).
//! Every other output k6 knows is an error naming it, never a silent no-op.
//!
//! The path of a sample: [`crate::metrics::record`] keeps it in the thread's tap buffer; at the
//! thread's flush (twice a second, or every 8,192 samples) the tap built here renders the batch
//! on that thread, once per output, and `try_send`s the bytes to one writer thread over a
//! bounded channel. A VU never waits for a disk: when the writer falls behind, the batch is
//! dropped and counted, and the run says so at the end. The writer writes whole batches (whole
//! lines) and flushes them, so a file cut short by a second Ctrl-C still holds only complete
//! lines; [`Outputs::finish`] (after teardown, before the summary) drains it, closes gzip
//! streams and reports, bounded by [`FINISH_TIMEOUT`].

pub mod csv;
pub mod json;
pub mod remote_write;
pub(crate) mod time;

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;

use crate::metrics::{self, MetricId, RawSample, Tap};
use crate::thresholds::MetricThresholds;

use csv::{CsvConfig, TimeFormat};
use remote_write::{RemoteWrite, RemoteWriteTap};

/// Outputs k6 v1.1 knows that rload does not write (yet): asking for one is an error.
const K6_ONLY: &[&str] = &[
    "cloud",
    "influxdb",
    "statsd",
    "datadog",
    "kafka",
    "web-dashboard",
    "experimental-opentelemetry",
    "opentelemetry",
];
/// Batches waiting for the writer; past this, batches are dropped and counted.
const QUEUE: usize = 64;
/// How long [`Outputs::finish`] waits for the writer to drain and close its files.
pub const FINISH_TIMEOUT: Duration = Duration::from_secs(30);

/// One `-o` argument, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSpec {
    format: Format,
    /// File name; `-` is standard output.
    path: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Format {
    Json,
    Csv { time: TimeFormat, save_interval: Duration },
    PrometheusRw(Box<remote_write::Config>),
}

/// What `-o` accepts, for messages.
const AVAILABLE: &str = "json, csv, experimental-prometheus-rw";

impl OutputSpec {
    /// Parses `json=FILE`, `csv=FILE`, `csv=fileName=…,timeFormat=…` or
    /// `experimental-prometheus-rw`; `env` holds the `K6_*` variables (the process's, then the
    /// `-e` ones: later entries win).
    pub fn parse(arg: &str, env: &[(String, String)]) -> Result<OutputSpec, String> {
        let (name, rest) = arg.split_once('=').unwrap_or((arg, ""));
        let env_var = |k: &str| env.iter().rev().find(|(ek, _)| ek == k).map(|(_, v)| v.clone());
        match name {
            "json" => {
                Ok(OutputSpec { format: Format::Json, path: if rest.is_empty() { "-".into() } else { rest.into() } })
            }
            "csv" => {
                let c = CsvConfig::parse(rest, &env_var)?;
                Ok(OutputSpec {
                    format: Format::Csv { time: c.time_format, save_interval: c.save_interval },
                    path: c.file_name,
                })
            }
            "experimental-prometheus-rw" => Ok(OutputSpec {
                format: Format::PrometheusRw(Box::new(remote_write::Config::from_env(rest, env)?)),
                path: String::new(),
            }),
            k6 if K6_ONLY.contains(&k6) => {
                Err(format!("output \"{k6}\" is a k6 output rload does not implement; rload writes: {AVAILABLE}"))
            }
            other => Err(format!("invalid output type \"{other}\", available types are: {AVAILABLE}")),
        }
    }

    /// How k6's header names it: `json (out.json)`.
    pub fn describe(&self) -> String {
        let kind = match &self.format {
            Format::Json => "json",
            Format::Csv { .. } => "csv",
            Format::PrometheusRw(c) => return format!("Prometheus remote write ({})", c.server_url),
        };
        if self.path == "-" {
            format!("{kind} (stdout)")
        } else {
            format!("{kind} ({})", self.path)
        }
    }
}

/// Rendered samples on their way to the writer: one byte buffer per output.
struct Batch {
    metrics: Vec<MetricId>,
    parts: Vec<Vec<u8>>,
    samples: u64,
}

/// The run's outputs: the file writer's thread, the remote-write outputs' threads and the tap
/// that feeds them.
pub struct Outputs {
    tx: Option<SyncSender<Batch>>,
    remote: Vec<RemoteWrite>,
    ending: Arc<AtomicBool>,
    dropped: Arc<AtomicU64>,
    done: Receiver<Vec<String>>,
    descriptions: Vec<String>,
    formats: Arc<Vec<Format>>,
    finished: bool,
}

/// What [`Outputs::finish`] found: one line per problem (write errors, dropped samples), which
/// fail the run, and per warning (failed pushes), which do not: as in k6, a remote endpoint
/// that is down never fails a test.
#[derive(Debug, Default)]
pub struct OutputsReport {
    pub problems: Vec<String>,
    pub warnings: Vec<String>,
}

/// An open output file (or stdout) and what it writes.
struct Sink {
    spec: OutputSpec,
    out: Box<dyn Write + Send>,
    gzip: Option<GzEncoder<BufWriter<File>>>,
    last_flush: Instant,
    error: Option<String>,
}

impl Sink {
    fn open(spec: &OutputSpec) -> Result<Sink, String> {
        let describe = spec.describe();
        let (out, gzip): (Box<dyn Write + Send>, _) = if spec.path == "-" {
            (Box::new(std::io::stdout()), None)
        } else {
            let file = File::create(&spec.path).map_err(|e| format!("could not create the {describe} output: {e}"))?;
            if spec.path.ends_with(".gz") {
                (Box::new(std::io::sink()), Some(GzEncoder::new(BufWriter::new(file), flate2::Compression::default())))
            } else {
                (Box::new(BufWriter::new(file)), None)
            }
        };
        Ok(Sink { spec: spec.clone(), out, gzip, last_flush: Instant::now(), error: None })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match &mut self.gzip {
            Some(gz) => gz,
            None => &mut self.out,
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        if self.error.is_some() || bytes.is_empty() {
            return;
        }
        let save_interval = match self.spec.format {
            Format::Csv { save_interval, .. } => save_interval,
            Format::Json | Format::PrometheusRw(_) => Duration::ZERO,
        };
        let mut result = self.writer().write_all(bytes);
        // A gzip stream is flushed only when it ends: a flush per batch would ruin its ratio.
        if result.is_ok() && self.gzip.is_none() && self.last_flush.elapsed() >= save_interval {
            result = self.out.flush();
            self.last_flush = Instant::now();
        }
        if let Err(e) = result {
            self.error = Some(format!("output {}: write failed: {e}", self.spec.describe()));
        }
    }

    fn close(mut self) -> Option<String> {
        let result = match self.gzip.take() {
            Some(gz) => gz.finish().and_then(|mut w| w.flush()),
            None => self.out.flush(),
        };
        if let (None, Err(e)) = (&self.error, result) {
            self.error = Some(format!("output {}: closing failed: {e}", self.spec.describe()));
        }
        self.error
    }
}

impl Outputs {
    /// Opens every output (an unwritable path fails the run before it starts, as k6) and starts
    /// the writer. `thresholds` go into the JSON output's `Metric` lines.
    pub fn start(specs: &[OutputSpec], thresholds: &[MetricThresholds]) -> Result<Outputs, String> {
        let (files, remotes): (Vec<&OutputSpec>, Vec<&OutputSpec>) =
            specs.iter().partition(|s| !matches!(s.format, Format::PrometheusRw(_)));
        let mut sinks = Vec::new();
        for spec in &files {
            sinks.push(Sink::open(spec)?);
        }
        let mut remote = Vec::new();
        for spec in remotes {
            if let Format::PrometheusRw(config) = &spec.format {
                remote.push(RemoteWrite::start((**config).clone())?);
            }
        }
        let descriptions = specs.iter().map(OutputSpec::describe).collect();
        let formats = Arc::new(files.iter().map(|s| s.format.clone()).collect());
        let (tx, rx) = mpsc::sync_channel::<Batch>(QUEUE);
        let (done_tx, done) = mpsc::channel();
        let ending = Arc::new(AtomicBool::new(false));
        let (thresholds, writer_ending) = (thresholds.to_vec(), ending.clone());
        std::thread::Builder::new()
            .name("rload-outputs".into())
            .spawn(move || {
                let problems = write_all(rx, sinks, &thresholds, &writer_ending);
                let _ = done_tx.send(problems);
            })
            .map_err(|e| format!("could not start the outputs' writer: {e}"))?;
        Ok(Outputs {
            tx: (!files.is_empty()).then_some(tx),
            remote,
            ending,
            dropped: Arc::new(AtomicU64::new(0)),
            done,
            descriptions,
            formats,
            finished: false,
        })
    }

    /// k6's header names: `json (out.json)`.
    pub fn descriptions(&self) -> &[String] {
        &self.descriptions
    }

    /// The tap for [`metrics::start_run`]; it renders on the recording thread and never blocks.
    pub fn tap(&self) -> Option<Tap> {
        let files = self.tx.clone();
        let remotes: Vec<RemoteWriteTap> = self.remote.iter().filter_map(RemoteWrite::tap).collect();
        if files.is_none() && remotes.is_empty() {
            return None;
        }
        let dropped = self.dropped.clone();
        let formats = self.formats.clone();
        Some(Arc::new(move |samples: &[RawSample]| {
            if let Some(tx) = &files {
                render_and_send(samples, &formats, tx, &dropped);
            }
            for remote in &remotes {
                remote.send(samples);
            }
        }))
    }

    /// Ends the tap, lets the writer drain and close every file, and reports what went wrong.
    pub fn finish(&mut self) -> OutputsReport {
        if self.finished {
            return OutputsReport::default();
        }
        self.finished = true;
        metrics::end_tap();
        self.tx = None;
        self.ending.store(true, Ordering::SeqCst);
        let warnings = self.remote.iter_mut().flat_map(|r| r.finish(FINISH_TIMEOUT)).collect();
        let mut problems = match self.done.recv_timeout(FINISH_TIMEOUT) {
            Ok(problems) => problems,
            Err(_) => vec![format!(
                "outputs {} did not finish writing within {} s",
                self.descriptions.join(", "),
                FINISH_TIMEOUT.as_secs()
            )],
        };
        let dropped = self.dropped.load(Ordering::Relaxed);
        if dropped > 0 {
            problems.push(format!(
                "outputs {}: {dropped} samples dropped because writing fell behind the test (the summary counts them all)",
                self.descriptions.join(", ")
            ));
        }
        OutputsReport { problems, warnings }
    }
}

impl Drop for Outputs {
    /// A run that ends early (a failed setup, an error) still leaves complete files.
    fn drop(&mut self) {
        let report = self.finish();
        for w in report.warnings {
            eprintln!("warning: {w}");
        }
        for p in report.problems {
            eprintln!("error: {p}");
        }
    }
}

/// Renders one thread's batch for every output and hands it to the writer without waiting.
fn render_and_send(samples: &[RawSample], formats: &[Format], tx: &SyncSender<Batch>, dropped: &AtomicU64) {
    let mut names: Vec<(MetricId, String)> = Vec::new();
    let mut parts = vec![Vec::with_capacity(samples.len() * 160); formats.len()];
    let mut written = 0u64;
    for sample in samples {
        let name = match names.iter().find(|(id, _)| *id == sample.metric) {
            Some((_, name)) => name,
            None => {
                names.push((sample.metric, metrics::name_of(sample.metric).unwrap_or_default()));
                &names[names.len() - 1].1
            }
        };
        let mut ok = true;
        for (format, out) in formats.iter().zip(parts.iter_mut()) {
            match format {
                Format::Json => ok &= json::point_line(out, name, sample),
                Format::Csv { time, .. } => csv::row(out, name, sample, *time),
                Format::PrometheusRw(_) => {}
            }
        }
        written += u64::from(ok);
    }
    let batch = Batch { metrics: names.into_iter().map(|(id, _)| id).collect(), parts, samples: written };
    match tx.try_send(batch) {
        Ok(()) => {}
        Err(TrySendError::Full(b) | TrySendError::Disconnected(b)) => {
            dropped.fetch_add(b.samples, Ordering::Relaxed);
        }
    }
}

/// The writer thread: headers first, then every batch as it comes (a JSON `Metric` line before
/// a metric's first point), until the tap has ended and the queue is empty.
fn write_all(
    rx: Receiver<Batch>,
    mut sinks: Vec<Sink>,
    thresholds: &[MetricThresholds],
    ending: &AtomicBool,
) -> Vec<String> {
    for sink in &mut sinks {
        if let Format::Csv { .. } = sink.spec.format {
            let mut head = Vec::new();
            csv::header(&mut head);
            sink.write(&head);
        }
    }
    let mut seen: HashSet<MetricId> = HashSet::new();
    loop {
        let batch = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(batch) => batch,
            Err(RecvTimeoutError::Timeout) if ending.load(Ordering::SeqCst) => break,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut declarations = Vec::new();
        for id in &batch.metrics {
            if seen.insert(*id) {
                let name = metrics::name_of(*id).unwrap_or_default();
                json::metric_line(&mut declarations, &name, id.kind(), id.contains(), thresholds);
            }
        }
        for (sink, part) in sinks.iter_mut().zip(&batch.parts) {
            if sink.spec.format == Format::Json && !declarations.is_empty() {
                let mut bytes = declarations.clone();
                bytes.extend_from_slice(part);
                sink.write(&bytes);
            } else {
                sink.write(part);
            }
        }
    }
    sinks.into_iter().filter_map(Sink::close).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_ENV: &[(String, String)] = &[];

    #[test]
    fn outputs_k6_has_and_rload_lacks_are_errors_naming_them() {
        let err = OutputSpec::parse("influxdb=http://x", NO_ENV).unwrap_err();
        assert!(err.contains("\"influxdb\"") && err.contains("does not implement"), "{err}");
        assert_eq!(
            OutputSpec::parse("experimental-prometheus-rw", NO_ENV).unwrap().describe(),
            "Prometheus remote write (http://localhost:9090/api/v1/write)"
        );
        let err = OutputSpec::parse("jsonn=x", NO_ENV).unwrap_err();
        assert!(err.contains("invalid output type \"jsonn\""), "{err}");
        assert_eq!(OutputSpec::parse("json=a.json", NO_ENV).unwrap().describe(), "json (a.json)");
        assert_eq!(OutputSpec::parse("json", NO_ENV).unwrap().describe(), "json (stdout)");
        assert_eq!(OutputSpec::parse("csv=b.csv", NO_ENV).unwrap().describe(), "csv (b.csv)");
    }

    #[test]
    fn a_writer_that_falls_behind_costs_samples_not_waiting() {
        use crate::metrics::{builtin, TagSet};
        let (tx, rx) = mpsc::sync_channel(1);
        let dropped = AtomicU64::new(0);
        let sample = RawSample {
            metric: builtin::HTTP_REQS,
            tags: TagSet::new(),
            value: 1.0,
            time: std::time::SystemTime::now(),
        };
        let batch = vec![sample; 3];
        render_and_send(&batch, &[Format::Json], &tx, &dropped);
        render_and_send(&batch, &[Format::Json], &tx, &dropped); // the queue is full: dropped at once
        assert_eq!(dropped.load(Ordering::Relaxed), 3);
        let queued = rx.try_recv().unwrap();
        assert_eq!(queued.samples, 3);
        assert_eq!(String::from_utf8(queued.parts[0].clone()).unwrap().lines().count(), 3);
    }
}
