//! The run as k6's REST API sees it: [`RunSurface`] implements [`crate::api::Surface`] over the
//! scheduler's state (k6's execution status, the pause gate before the test, the scenarios' VU
//! counts, the setup data, a stop requested over the API) and runs `setup()`/`teardown()` on
//! request. It lives on the scheduler's thread, beside the API's server; `run.rs` moves it
//! through the run's phases and waits on its gate.

use std::cell::{Cell, RefCell};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::control::Control;
use super::phases::{run_phase, run_shared, PhaseEnd, Script, DEFAULT_SETUP_TIMEOUT};
use super::run::RunArgs;
use super::scenario::ScenarioRuntime;
use super::setup_data::SetupData;
use super::vu::Phase;
use crate::api::body::ExecutionStatus;
use crate::api::{ApiGroup, ApiMetric, Status, Surface};
use crate::config::Options;
use crate::executor::runner::LocalFuture;
use crate::metrics::{self, tag, SeriesSink, TrendStat};
use crate::output::md5::md5_hex;

/// One run's control surface.
pub struct RunSurface {
    status: Cell<ExecutionStatus>,
    paused: Cell<bool>,
    resumed: Notify,
    started: Cell<bool>,
    /// k6's `MarkStarted`, before setup(): `running` from then on.
    running: Cell<bool>,
    /// The VUs k6 would have initialised by setup(), where an unpaused rload initialises them
    /// after it: `vus-max` shows them meanwhile.
    vus_before_init: Cell<u64>,
    ended: Cell<bool>,
    stop_requested: Cell<bool>,
    stop: Notify,
    /// The threshold keys (`http_req_duration{status:200}`) failing at the last evaluation:
    /// every 2 s during the test, then the end's. k6's `tainted`, for the run and per metric.
    failing: RefCell<Vec<String>>,
    test_start: Cell<Option<Instant>>,
    control: RefCell<Option<Arc<Control>>>,
    runtimes: RefCell<Vec<Arc<ScenarioRuntime>>>,
    /// `(executor type, scenario name)` of every scenario, for k6's refusal to pause them.
    scenarios: Vec<(String, String)>,
    /// The setup data every VU of the test reads.
    pub data: SetupData,
    script: Script,
    args: RunArgs,
    options: Options,
    /// `exec.test.options` for `setup()`/`teardown()` run over the API.
    test_options: Arc<serde_json::Value>,
}

impl RunSurface {
    pub(super) fn new(
        args: &RunArgs,
        script: &Script,
        options: &Options,
        test_options: &Arc<serde_json::Value>,
        scenarios: Vec<(String, String)>,
    ) -> Self {
        RunSurface {
            status: Cell::new(ExecutionStatus::Created),
            paused: Cell::new(options.paused.unwrap_or(false)),
            resumed: Notify::new(),
            started: Cell::new(false),
            running: Cell::new(false),
            vus_before_init: Cell::new(0),
            ended: Cell::new(false),
            stop_requested: Cell::new(false),
            stop: Notify::new(),
            failing: RefCell::new(Vec::new()),
            test_start: Cell::new(None),
            control: RefCell::new(None),
            runtimes: RefCell::new(Vec::new()),
            scenarios,
            data: super::setup_data::setup_data(None),
            script: script.clone(),
            args: args.clone(),
            options: options.clone(),
            test_options: test_options.clone(),
        }
    }

    pub fn set_status(&self, status: ExecutionStatus) {
        self.status.set(status);
    }

    /// The run's control and scenarios, once the workers exist (VU counts come from them).
    pub fn attach(&self, control: Arc<Control>, runtimes: &[Arc<ScenarioRuntime>]) {
        *self.control.borrow_mut() = Some(control);
        *self.runtimes.borrow_mut() = runtimes.to_vec();
    }

    pub fn is_paused(&self) -> bool {
        self.paused.get()
    }

    /// Completes when `PATCH /v1/status` has set `paused: false` (at once if not paused).
    pub async fn resumed(&self) {
        let notified = self.resumed.notified();
        if !self.paused.get() {
            return;
        }
        notified.await;
    }

    /// Completes when `PATCH /v1/status` has set `stopped: true`.
    pub async fn stopped(&self) {
        let notified = self.stop.notified();
        if self.stop_requested.get() {
            return;
        }
        notified.await;
    }

    pub fn stop_requested(&self) -> bool {
        self.stop_requested.get()
    }

    /// setup() starts (or would, without one): k6's run has started then, with its VUs
    /// initialised. `vus_ready` is the count k6 has ready, when rload's are not yet (an
    /// unpaused run initialises them after setup()); 0 when they are.
    pub fn begin_setup(&self, vus_ready: u64) {
        self.running.set(true);
        self.vus_before_init.set(vus_ready);
        self.status.set(ExecutionStatus::Setup);
    }

    /// The scenarios' clock started.
    pub fn mark_started(&self, at: Instant) {
        self.started.set(true);
        self.test_start.set(Some(at));
        self.status.set(ExecutionStatus::Running);
    }

    /// The scenarios ended (the API then reports `stopped: true`, as k6 does once its run
    /// context is done, which is what k6-operator waits for).
    pub fn mark_ended(&self) {
        self.ended.set(true);
    }

    pub fn set_failing_thresholds(&self, keys: Vec<String>) {
        *self.failing.borrow_mut() = keys;
    }

    pub fn store_setup_data(&self, data: Option<String>) {
        *self.data.write().unwrap_or_else(std::sync::PoisonError::into_inner) = data;
    }

    /// Whether `options.thresholds` has a key for the whole metric `name`.
    fn has_thresholds(&self, name: &str) -> bool {
        self.options.thresholds.as_ref().and_then(|t| t.as_object()).is_some_and(|t| t.contains_key(name))
    }

    fn elapsed(&self) -> Duration {
        self.test_start.get().map(|t| t.elapsed()).unwrap_or_default()
    }
}

impl Surface for RunSurface {
    fn status(&self) -> Status {
        let vus: u64 = self.runtimes.borrow().iter().map(|s| s.current_vus()).sum();
        let initialized = self.control.borrow().as_ref().map_or(0, |c| c.initialized_vus.load(Ordering::Relaxed));
        let max = initialized.max(self.vus_before_init.get());
        Status {
            status: self.status.get() as u32,
            paused: Some(self.paused.get()),
            vus: Some(vus as i64),
            vus_max: Some(max as i64),
            stopped: self.stop_requested.get() || self.ended.get(),
            running: (self.running.get() || self.started.get()) && !self.ended.get(),
            tainted: !self.failing.borrow().is_empty(),
        }
    }

    /// k6's `Scheduler.SetPaused`: before the start, a paused run resumes; once started (or when
    /// not paused), every executor must be pausable, and none of k6 v1.1's is.
    fn set_paused(&self, paused: bool) -> Result<(), String> {
        if !self.started.get() && self.paused.get() {
            if paused {
                return Err("execution is already paused".into());
            }
            self.paused.set(false);
            self.resumed.notify_waiters();
            return Ok(());
        }
        match self.scenarios.first() {
            Some((kind, name)) => {
                Err(format!("{kind} executor '{name}' doesn't support pause and resume operations after its start"))
            }
            None if paused => Err("execution is already paused".into()),
            None => Err("execution wasn't paused".into()),
        }
    }

    fn stop(&self) {
        self.stop_requested.set(true);
        self.stop.notify_waiters();
        // A stop before the start must not leave the run waiting at its pause gate.
        self.resumed.notify_waiters();
    }

    fn metrics(&self) -> Vec<ApiMetric> {
        metrics::flush();
        let elapsed = self.elapsed();
        let failing = self.failing.borrow();
        let mut list: Vec<ApiMetric> = metrics::with_aggregate(|agg| {
            agg.metrics()
                .map(|m| {
                    let sink = m.merged();
                    ApiMetric {
                        name: m.name().to_string(),
                        kind: kind_name(&sink).into(),
                        contains: m.id().contains().to_string(),
                        // k6 sets it at each evaluation of a metric's thresholds; a metric
                        // without any keeps `null`.
                        tainted: self.has_thresholds(m.name()).then(|| failing.iter().any(|key| key == m.name())),
                        sample: sample(&sink, elapsed),
                    }
                })
                .collect()
        });
        list.sort_by(|a, b| a.name.cmp(&b.name));
        list
    }

    fn groups(&self) -> Vec<ApiGroup> {
        metrics::flush();
        let (paths, checks) = metrics::with_aggregate(|agg| {
            let mut paths: Vec<String> = Vec::new();
            for m in agg.metrics() {
                for (tags, _) in m.series() {
                    let g = tags.get(tag::GROUP).unwrap_or("");
                    if !paths.iter().any(|p| p == g) {
                        paths.push(g.to_string());
                    }
                }
            }
            (paths, agg.checks())
        });
        group_tree(paths, &checks)
    }

    fn setup_data(&self) -> Option<serde_json::Value> {
        let data = self.data.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        data.and_then(|d| serde_json::from_str(&d).ok())
    }

    fn set_setup_data(&self, data: Option<serde_json::Value>) {
        self.store_setup_data(data.map(|d| d.to_string()));
    }

    fn run_setup(&self) -> LocalFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let shared = Arc::new(run_shared(&self.args, &self.options, Some(&self.test_options), &self.script, None));
            let timeout = self.options.setup_timeout.unwrap_or(DEFAULT_SETUP_TIMEOUT);
            match run_phase(&self.script, Phase::Setup, shared, Some(timeout), None).await {
                PhaseEnd::Done(Ok(v)) => {
                    self.store_setup_data(v.map(|v| v.to_string()));
                    Ok(())
                }
                PhaseEnd::Done(Err(e)) => Err(e),
                PhaseEnd::Aborted(message) => Err(format!("setup() aborted the test: {message}")),
                PhaseEnd::TimedOut | PhaseEnd::Signalled => Err("setup() did not finish within setupTimeout".into()),
            }
        })
    }

    fn run_teardown(&self) -> LocalFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let mut shared = run_shared(&self.args, &self.options, Some(&self.test_options), &self.script, None);
            shared.setup_data = self.data.clone();
            let timeout = self.options.teardown_timeout.unwrap_or(DEFAULT_SETUP_TIMEOUT);
            match run_phase(&self.script, Phase::Teardown, Arc::new(shared), Some(timeout), None).await {
                PhaseEnd::Done(Ok(_)) => Ok(()),
                PhaseEnd::Done(Err(e)) => Err(e),
                PhaseEnd::Aborted(message) => Err(format!("teardown() aborted the test: {message}")),
                PhaseEnd::TimedOut | PhaseEnd::Signalled => {
                    Err("teardown() did not finish within teardownTimeout".into())
                }
            }
        })
    }
}

fn kind_name(sink: &SeriesSink) -> &'static str {
    match sink {
        SeriesSink::Counter(_) => "counter",
        SeriesSink::Gauge(_) => "gauge",
        SeriesSink::Rate(_) => "rate",
        SeriesSink::Trend(_) => "trend",
    }
}

/// k6's `Sink.Format(t)`: what `GET /v1/metrics` shows of a metric.
fn sample(sink: &SeriesSink, elapsed: Duration) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    let mut put = |k: &str, v: f64| {
        out.insert(k.into(), serde_json::json!(if v.is_finite() { v } else { 0.0 }));
    };
    match sink {
        SeriesSink::Counter(c) => {
            put("count", c.sum());
            put("rate", metrics::per_second(c.sum(), elapsed));
        }
        SeriesSink::Gauge(g) => put("value", g.value()),
        SeriesSink::Rate(r) => put("rate", r.rate()),
        SeriesSink::Trend(t) => {
            for (name, stat) in [
                ("avg", TrendStat::Avg),
                ("max", TrendStat::Max),
                ("med", TrendStat::Med),
                ("min", TrendStat::Min),
                ("p(90)", TrendStat::Percentile(90.0)),
                ("p(95)", TrendStat::Percentile(95.0)),
            ] {
                put(name, t.stat(stat));
            }
        }
    }
    out
}

/// k6's group tree from the group paths the samples carry: every ancestor of a path is a group,
/// ids are the MD5 of the path, a check's path is its group's path, `::`, its name.
fn group_tree(paths: Vec<String>, checks: &[metrics::CheckResult]) -> Vec<ApiGroup> {
    let mut all: Vec<String> = vec![String::new()];
    for p in paths.iter().chain(checks.iter().map(|c| &c.group)) {
        let mut prefix = String::new();
        for part in p.split("::").skip(1) {
            prefix.push_str("::");
            prefix.push_str(part);
            if !all.contains(&prefix) {
                all.push(prefix.clone());
            }
        }
    }
    let parent_of = |p: &str| p.rfind("::").map(|i| p[..i].to_string());
    let mut groups: Vec<ApiGroup> = all
        .iter()
        .map(|path| ApiGroup {
            id: md5_hex(path.as_bytes()),
            path: path.clone(),
            name: path.rsplit("::").next().unwrap_or_default().to_string(),
            checks: checks
                .iter()
                .filter(|c| &c.group == path)
                .map(|c| {
                    let check_path = format!("{path}::{}", c.name);
                    crate::api::body::ApiCheck {
                        id: md5_hex(check_path.as_bytes()),
                        path: check_path,
                        name: c.name.clone(),
                        passes: c.passes,
                        fails: c.fails,
                    }
                })
                .collect(),
            parent: if path.is_empty() { None } else { parent_of(path).map(|p| md5_hex(p.as_bytes())) },
            groups: all
                .iter()
                .filter(|child| !child.is_empty() && parent_of(child).as_deref() == Some(path.as_str()))
                .map(|child| md5_hex(child.as_bytes()))
                .collect(),
        })
        .collect();
    // k6 flattens depth first from the root.
    let mut ordered = Vec::with_capacity(groups.len());
    fn visit(id: &str, groups: &mut Vec<ApiGroup>, out: &mut Vec<ApiGroup>) {
        if let Some(i) = groups.iter().position(|g| g.id == id) {
            let g = groups.remove(i);
            let children = g.groups.clone();
            out.push(g);
            for c in children {
                visit(&c, groups, out);
            }
        }
    }
    visit(&md5_hex(b""), &mut groups, &mut ordered);
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_tree_has_every_ancestor_with_md5_ids_and_checks_in_their_group() {
        let checks = vec![metrics::CheckResult {
            group: "::a::b".into(),
            name: "ok".into(),
            passes: 3,
            fails: 1,
            first_seen: 0,
        }];
        let tree = group_tree(vec!["".into(), "::c".into()], &checks);
        let paths: Vec<&str> = tree.iter().map(|g| g.path.as_str()).collect();
        // Depth first from the root, sub-groups in order of first appearance.
        assert_eq!(paths, ["", "::c", "::a", "::a::b"]);
        assert_eq!(tree[0].id, "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(tree[0].groups.len(), 2);
        let b = &tree[3];
        assert_eq!(b.name, "b");
        assert_eq!(b.parent.as_deref(), Some(md5_hex(b"::a").as_str()));
        assert_eq!(b.checks[0].path, "::a::b::ok");
        assert_eq!((b.checks[0].passes, b.checks[0].fails), (3, 1));
    }
}
