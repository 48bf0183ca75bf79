//! The load generator's own health: how much CPU rload uses and how much memory it holds, read
//! once a second, and whether it is saturated — its VU threads running or waiting for a CPU
//! 90% or more of the time, five seconds running. A saturated load generator measures its own
//! queueing in every latency; k6 only documents that risk, rload says so live and in the summary.
//!
//! Busy time per thread comes from Linux's `/proc/self/task/<tid>/schedstat`: nanoseconds on a
//! CPU and nanoseconds runnable but waiting in a run queue. Saturation is judged on the VU
//! threads (`rload-worker-N`) against their number, capped by the cores the process may use
//! (cgroup quota, affinity): they are where a VU's work queues, and the other threads of the
//! process (the scheduler, outputs, a `--with-target` reference target) are not the load
//! generator's bottleneck. Counting the wait is deliberate: on a machine shared with other
//! processes rload may get less CPU than it asks for, and its VUs then queue just the same. Memory is `VmRSS` from `/proc/self/status`. Both are plain
//! files (no `unsafe`, no libc); on a system without them the figures are absent and nothing is
//! judged.
//!
//! Not here: when to sample (`crate::runtime::monitor`), the charts (`crate::report`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The share of the usable CPU above which a second counts as saturated.
pub const SATURATED_SHARE: f64 = 0.9;
/// Saturated seconds in a row before rload warns.
pub const SATURATED_FOR: u32 = 5;

/// One second of the process: CPU on a core and waiting for one, both in percent of one core
/// (200% = two cores busy), the VU threads' running plus waiting, and resident memory in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Usage {
    pub cpu_percent: f64,
    pub wait_percent: f64,
    /// The VU threads' time on a CPU or waiting for one, in percent of one core.
    pub vu_busy_percent: f64,
    pub rss_bytes: Option<f64>,
}

/// The name prefix of the VU threads (`runtime/worker.rs`).
const VU_THREAD: &str = "rload-worker-";

/// Reads the process's CPU time per thread; each [`ProcessMeter::sample`] gives the usage since
/// the one before.
#[derive(Debug)]
pub struct ProcessMeter {
    /// Per live thread: nanoseconds on a CPU and waiting for one at the last sample, and
    /// whether it runs VUs.
    threads: HashMap<u32, Thread>,
    at: Instant,
}

impl ProcessMeter {
    /// Starts measuring from now: the threads' times so far are the baseline.
    pub fn start() -> ProcessMeter {
        ProcessMeter { threads: read_threads(), at: Instant::now() }
    }

    /// The usage since the last call (or [`ProcessMeter::start`]). A thread that started since
    /// counts from its start; one that ended since loses its last partial interval.
    pub fn sample(&mut self) -> Option<Usage> {
        let now = Instant::now();
        let wall = now.duration_since(self.at);
        let threads = read_threads();
        if threads.is_empty() || wall < Duration::from_millis(10) {
            return None;
        }
        let (mut cpu, mut wait, mut vu_busy) = (0u64, 0u64, 0u64);
        for (tid, t) in &threads {
            let before = self.threads.get(tid).map_or((0, 0), |b| (b.running, b.waiting));
            let (ran, waited) = (t.running.saturating_sub(before.0), t.waiting.saturating_sub(before.1));
            cpu += ran;
            wait += waited;
            if t.runs_vus {
                vu_busy += ran + waited;
            }
        }
        self.threads = threads;
        self.at = now;
        let percent = |ns: u64| ns as f64 / wall.as_nanos() as f64 * 100.0;
        Some(Usage {
            cpu_percent: percent(cpu),
            wait_percent: percent(wait),
            vu_busy_percent: percent(vu_busy),
            rss_bytes: rss_bytes(),
        })
    }
}

/// One thread's times so far.
#[derive(Debug, Clone, Copy)]
struct Thread {
    running: u64,
    waiting: u64,
    runs_vus: bool,
}

/// Every thread of the process.
fn read_threads() -> HashMap<u32, Thread> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else { return out };
    for entry in dir.flatten() {
        let Some(tid) = entry.file_name().to_str().and_then(|t| t.parse::<u32>().ok()) else { continue };
        let Ok(text) = std::fs::read_to_string(entry.path().join("schedstat")) else { continue };
        let Some((running, waiting)) = parse_schedstat(&text) else { continue };
        let runs_vus = std::fs::read_to_string(entry.path().join("comm")).is_ok_and(|name| name.starts_with(VU_THREAD));
        out.insert(tid, Thread { running, waiting, runs_vus });
    }
    out
}

/// `schedstat`: "on-CPU-ns run-queue-ns timeslices".
fn parse_schedstat(text: &str) -> Option<(u64, u64)> {
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
    Some((fields.next()??, fields.next()??))
}

/// Resident memory, from `VmRSS:` in `/proc/self/status`.
pub fn rss_bytes() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_rss(&text)
}

fn parse_vm_rss(status: &str) -> Option<f64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.trim_start_matches("VmRSS:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024.0)
}

/// How many cores rload's VU threads may use: one each, at most what the machine (cgroup quota,
/// CPU affinity) grants the process.
pub fn usable_cores(worker_threads: usize) -> usize {
    let granted = std::thread::available_parallelism().map_or(1, |n| n.get());
    worker_threads.clamp(1, granted)
}

/// The finding for the summary: when rload was saturated, and for how long.
#[derive(Debug, Clone, PartialEq)]
pub struct Saturation {
    /// Seconds into the test when the first saturated stretch began.
    pub since_secs: u64,
    /// Saturated seconds over the whole test (stretches of at least [`SATURATED_FOR`]).
    pub seconds: u64,
    /// The VU threads' highest busy share seen, in percent of one core.
    pub peak_busy_percent: f64,
    /// The cores the share was measured against.
    pub cores: usize,
}

impl Saturation {
    /// The summary's warning, one line.
    pub fn message(&self) -> String {
        self.text(&format!("was saturated for {}s from {}s into the test", self.seconds, self.since_secs))
    }

    /// The live warning, when the first stretch reaches [`SATURATED_FOR`] seconds.
    pub fn live_message(&self) -> String {
        self.text(&format!("has been saturated since {}s into the test", self.since_secs))
    }

    fn text(&self, what: &str) -> String {
        format!(
            "WARN the load generator {what}: rload's VU threads ran or waited for a CPU {}% or more of the \
             time of the {} core{} they may use (peak {:.0}%); latencies include rload's own queueing (use \
             more --threads, fewer VUs, or a bigger machine)",
            (SATURATED_SHARE * 100.0) as u32,
            self.cores,
            if self.cores == 1 { "" } else { "s" },
            self.peak_busy_percent,
        )
    }
}

/// Judges each second's usage against the usable cores; pure, so tests feed it numbers.
#[derive(Debug, Clone)]
pub struct SaturationWatch {
    cores: usize,
    /// Saturated seconds in a row, and the second the streak began.
    streak: u32,
    streak_start: u64,
    found: Option<Saturation>,
}

impl SaturationWatch {
    pub fn new(cores: usize) -> SaturationWatch {
        SaturationWatch { cores: cores.max(1), streak: 0, streak_start: 0, found: None }
    }

    /// Notes second `at` (seconds into the test) with its usage. Returns the finding the first
    /// time a streak reaches [`SATURATED_FOR`] seconds, for the live warning.
    pub fn observe(&mut self, at: u64, usage: &Usage) -> Option<Saturation> {
        let busy = usage.vu_busy_percent;
        if busy < SATURATED_SHARE * 100.0 * self.cores as f64 {
            self.streak = 0;
            return None;
        }
        if self.streak == 0 {
            self.streak_start = at;
        }
        self.streak += 1;
        if self.streak < SATURATED_FOR {
            return None;
        }
        let first = self.found.is_none();
        let found = self.found.get_or_insert(Saturation {
            since_secs: self.streak_start,
            seconds: 0,
            peak_busy_percent: 0.0,
            cores: self.cores,
        });
        // The streak's first seconds count once it qualifies.
        found.seconds += if self.streak == SATURATED_FOR { u64::from(SATURATED_FOR) } else { 1 };
        found.peak_busy_percent = found.peak_busy_percent.max(busy);
        first.then(|| found.clone())
    }

    /// What the whole test showed.
    pub fn finding(&self) -> Option<Saturation> {
        self.found.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy(vu_busy: f64) -> Usage {
        Usage { vu_busy_percent: vu_busy, ..Usage::default() }
    }

    #[test]
    fn five_busy_seconds_in_a_row_warn_once_and_count_in_the_summary() {
        let mut watch = SaturationWatch::new(1);
        assert_eq!(watch.observe(0, &busy(95.0)), None);
        for at in 1..4 {
            assert_eq!(watch.observe(at, &busy(99.0)), None, "second {at}");
        }
        let warned = watch.observe(4, &busy(97.0)).expect("the fifth saturated second warns");
        assert_eq!((warned.since_secs, warned.seconds, warned.cores), (0, 5, 1));
        assert_eq!(watch.observe(5, &busy(100.0)), None, "warned once");
        let found = watch.finding().unwrap();
        assert_eq!(found.seconds, 6);
        assert_eq!(found.peak_busy_percent, 100.0);
        assert!(found.message().contains("latencies include rload's own queueing"), "{}", found.message());
    }

    #[test]
    fn a_busy_stretch_shorter_than_five_seconds_or_below_the_share_is_not_saturation() {
        let mut watch = SaturationWatch::new(2);
        for at in 0..4 {
            watch.observe(at, &busy(190.0));
        }
        watch.observe(4, &busy(20.0));
        for at in 5..20 {
            // 170% of two cores is 85%: busy, not saturated.
            watch.observe(at, &busy(170.0));
        }
        assert_eq!(watch.finding(), None);
    }

    #[test]
    fn proc_files_parse() {
        assert_eq!(parse_schedstat("123 456 7\n"), Some((123, 456)));
        assert_eq!(parse_schedstat(""), None);
        let status = "Name:\trload\nVmPeak:\t  9000 kB\nVmRSS:\t    2048 kB\nThreads:\t3\n";
        assert_eq!(parse_vm_rss(status), Some(2048.0 * 1024.0));
    }

    /// A spinning VU thread is busy (running, or waiting when the machine is loaded); the
    /// threads of the process that run no VUs count in its CPU, not in the VU threads' share.
    #[test]
    fn this_process_and_its_vu_threads_are_measured() {
        let spin = |name: &str| {
            std::thread::Builder::new()
                .name(name.to_owned())
                .spawn(|| {
                    let until = Instant::now() + Duration::from_millis(300);
                    let mut n = 0u64;
                    while Instant::now() < until {
                        n = n.wrapping_add(1);
                    }
                    n
                })
                .unwrap()
        };
        let mut meter = ProcessMeter::start();
        let (vu, other) = (spin("rload-worker-0"), spin("unrelated"));
        std::thread::sleep(Duration::from_millis(200));
        let usage = meter.sample().expect("Linux has /proc/self/task/*/schedstat");
        assert!(vu.join().unwrap() > 0 && other.join().unwrap() > 0);
        assert!(usage.vu_busy_percent > 60.0, "a spinning VU thread is busy: {usage:?}");
        assert!(usage.vu_busy_percent < 140.0, "one VU thread, not two: {usage:?}");
        assert!(usage.cpu_percent + usage.wait_percent > usage.vu_busy_percent + 30.0, "{usage:?}");
        assert!(usage.rss_bytes.unwrap() > 1e6, "{usage:?}");
    }
}
