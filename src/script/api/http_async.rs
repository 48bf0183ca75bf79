//! `http.asyncRequest`: k6's promise of a response, for Rhai, and the awaits of it
//! (`http.wait`, `http.wait_all`).
//!
//! ```rhai
//! fn run() {
//!     let pending = [];
//!     for id in [1, 2, 3] { pending.push(http.asyncRequest("GET", `${BASE}/items/${id}`)); }
//!     let p = http.asyncRequest("POST", `${BASE}/log`, "x");   // in flight from here
//!     let items = http.wait_all(pending);                       // k6's `await Promise.all(…)`
//!     let logged = http.wait(p);                                // k6's `await p`
//! }
//! ```
//!
//! As in k6 v1.1: the request is read and started at once, on the VU's own HTTP client (its
//! pool hands each request in flight a connection of its own), in a `spawn_local` task of the
//! VU's worker, so it goes on while the script runs, sleeps or waits for something else; its
//! samples are recorded when it completes, with the tags the VU had when it was made. A
//! request k6 fails before sending settles at once, as `http.request` answers it.
//! `http.wait(p)` suspends the VU until `p` settles and returns its response (or throws, with
//! `throw`, as `http.request` would); any other value comes back as it is, as JavaScript's
//! `await` of a value. `http.wait_all(list)` is `Promise.all`: the values in the list's order,
//! or the first rejection in the order the requests failed, without waiting for the others.
//! `http.await_request(…)` is `await http.asyncRequest(…)`, as `rload convert` writes it: a
//! plain `http.request` unless another promise could reject while it waits.
//!
//! A request the script never waits for still counts: the iteration (or `setup()`,
//! `teardown()`) ends only once every request it started has completed ([`settle_all`], k6's
//! event loop draining). A rejection nothing waits for is k6's `Uncaught (in promise)`: it ends
//! the iteration as a script error, which no `catch` of the script stops, when the VU next
//! waits (in `http.wait`, `http.wait_all`, or at the iteration's end), where k6's event loop
//! would run the rejection. An iteration that ends with an error or is interrupted drops the
//! requests still in flight unrecorded, as k6 does.
//!
//! No `.then`, `.catch` or `.finally`: a callback k6 runs when the VU's JavaScript is idle has
//! no counterpart in Rhai, so they are errors that say so.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::{Poll, Waker};

use rhai::{Array, Dynamic, Engine, EvalAltResult, Map};
use tokio::task::AbortHandle;

use super::http::{finish_tagged, method_text, not_sent, params_map, prepare, send, HttpApi, Prepared};
use super::response::Response;
use crate::runtime::coroutine::suspend_with;
use crate::runtime::vu::{self, suspension_error, uncaught_rejection, VuContext};

type Res = Result<Response, Box<EvalAltResult>>;
/// A promise's settled value: the response, or what its rejection throws.
type Outcome = Result<Response, Dynamic>;
type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// What `http.asyncRequest` returns: the response to come (Rhai's type `Promise`).
#[derive(Clone)]
pub struct HttpPromise(Rc<Slot>);

/// One request's promise.
#[derive(Default)]
struct Slot {
    /// The response, or the error with `throw`; `None` while in flight.
    outcome: RefCell<Option<Outcome>>,
    /// Waited for (`http.wait`, `http.wait_all`): a rejection is that call's, never uncaught.
    handled: Cell<bool>,
    /// Its place in the order the VU's promises settled (k6 runs their callbacks in that
    /// order); 0 while in flight.
    order: Cell<u64>,
    /// The request's task while it runs.
    task: RefCell<Option<AbortHandle>>,
}

impl Slot {
    fn is_settled(&self) -> bool {
        self.outcome.borrow().is_some()
    }

    fn is_rejected(&self) -> bool {
        matches!(&*self.outcome.borrow(), Some(Err(_)))
    }

    fn outcome(&self) -> Res {
        match &*self.outcome.borrow() {
            Some(Ok(response)) => Ok(response.clone()),
            Some(Err(thrown)) => Err(EvalAltResult::ErrorRuntime(thrown.clone(), rhai::Position::NONE).into()),
            None => Err("the promise is still pending".into()),
        }
    }

    fn rejection_text(&self) -> String {
        match &*self.outcome.borrow() {
            Some(Err(thrown)) => thrown.to_string(),
            _ => String::new(),
        }
    }
}

/// One VU's promises made since its iteration (or `setup()`, `teardown()`) started and not yet
/// both settled and waited for; made at the VU's first `http.asyncRequest`.
#[derive(Default)]
pub struct InFlight {
    promises: RefCell<Vec<Rc<Slot>>>,
    /// How many promises of the VU have settled: each wait resumes when this moves.
    settled: Cell<u64>,
    /// The VU's wait, woken when a promise settles.
    waiter: RefCell<Option<Waker>>,
}

impl InFlight {
    fn settle(&self, slot: &Slot, outcome: Res) {
        *slot.outcome.borrow_mut() = Some(outcome.map_err(|error| thrown(*error)));
        slot.task.borrow_mut().take();
        let n = self.settled.get() + 1;
        self.settled.set(n);
        slot.order.set(n);
        if let Some(waker) = self.waiter.borrow_mut().take() {
            waker.wake();
        }
    }

    /// Stops every request still in flight: none records a sample, as in k6 when an iteration
    /// ends with an error or is interrupted. A promise kept past it (in a global) is rejected,
    /// so a later wait for it does not hang.
    pub fn abandon(&self) {
        for slot in self.promises.take() {
            if let Some(task) = slot.task.borrow_mut().take() {
                task.abort();
                *slot.outcome.borrow_mut() = Some(Err("the request was stopped when its iteration ended".into()));
            }
        }
    }

    /// The first rejection (in the order they settled) that nothing waits for, now reported.
    fn uncaught(&self) -> Option<Box<EvalAltResult>> {
        let promises = self.promises.borrow();
        let first = promises.iter().filter(|s| !s.handled.get() && s.is_rejected()).min_by_key(|s| s.order.get())?;
        first.handled.set(true);
        Some(uncaught_rejection(&first.rejection_text()))
    }

    /// Forgets the promises settled and waited for: a long iteration that waits for each of its
    /// requests keeps none of them.
    fn prune(&self) {
        self.promises.borrow_mut().retain(|s| !(s.handled.get() && s.is_settled()));
    }

    fn all_settled(&self) -> bool {
        self.promises.borrow().iter().all(|s| s.is_settled())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.abandon();
    }
}

/// What a script error throws, as `catch (e)` would get it.
fn thrown(error: EvalAltResult) -> Dynamic {
    match error {
        EvalAltResult::ErrorRuntime(value, _) => value,
        other => other.to_string().into(),
    }
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<HttpPromise>("Promise");
    engine.register_fn("asyncRequest", |_: HttpApi, method: Dynamic, url: Dynamic| {
        async_request(method, url, Dynamic::UNIT, None)
    });
    engine.register_fn("asyncRequest", |_: HttpApi, method: Dynamic, url: Dynamic, body: Dynamic| {
        async_request(method, url, body, None)
    });
    engine.register_fn("asyncRequest", |_: HttpApi, method: Dynamic, url: Dynamic, body: Dynamic, params: Dynamic| {
        async_request(method, url, body, params_map(params)?)
    });
    engine.register_fn("await_request", |_: HttpApi, method: Dynamic, url: Dynamic| {
        await_request(method, url, Dynamic::UNIT, None)
    });
    engine.register_fn("await_request", |_: HttpApi, method: Dynamic, url: Dynamic, body: Dynamic| {
        await_request(method, url, body, None)
    });
    engine.register_fn("await_request", |_: HttpApi, method: Dynamic, url: Dynamic, body: Dynamic, params: Dynamic| {
        await_request(method, url, body, params_map(params)?)
    });
    engine.register_fn("wait", |_: HttpApi, promise: HttpPromise| wait(&promise));
    // JavaScript's `await` of a value that is not a promise: the value.
    engine.register_fn("wait", |_: HttpApi, value: Dynamic| value);
    engine.register_fn("wait_all", |_: HttpApi, values: Array| wait_all(values));
    // k6 prints a promise as JavaScript's `String(p)`.
    engine.register_fn("to_string", |_: &mut HttpPromise| "[object Promise]".to_string());
    engine.register_fn("to_debug", |_: &mut HttpPromise| "[object Promise]".to_string());
    for name in ["then", "catch", "finally"] {
        let refuse = move || -> RhaiResult<()> {
            Err(format!(
                "a promise's .{name}(…) is not supported by rload (k6 runs its callback when the VU's JavaScript is \
                 idle, which Rhai has no counterpart for): wait for the promise with http.wait(p) instead"
            )
            .into())
        };
        engine.register_fn(name, move |_: HttpPromise| refuse());
        engine.register_fn(name, move |_: HttpPromise, _: Dynamic| refuse());
        engine.register_fn(name, move |_: HttpPromise, _: Dynamic, _: Dynamic| refuse());
    }
}

/// `http.asyncRequest(method, url, body?, params?)`: the arguments read as `http.request` reads
/// them, the request started, its promise returned.
fn async_request(method: Dynamic, url: Dynamic, body: Dynamic, params: Option<Map>) -> RhaiResult<HttpPromise> {
    let vu = vu::current();
    let prepared = prepare(&vu, &method_text(method), url, body, params)?;
    Ok(start(&vu, prepared))
}

/// `http.await_request(method, url, body?, params?)`: k6's `await http.asyncRequest(…)`, as
/// `rload convert` writes it. `http.request(…)` (one suspension, no promise) unless another
/// promise of the VU may reject unawaited meanwhile ([`watching`]): then the request's own
/// promise is waited for, so that rejection ends the iteration when k6's would.
fn await_request(method: Dynamic, url: Dynamic, body: Dynamic, params: Option<Map>) -> Res {
    let vu = vu::current();
    let method = method_text(method);
    if !watching(&vu) {
        return send(&method, url, body, params);
    }
    let prepared = prepare(&vu, &method, url, body, params)?;
    wait(&start(&vu, prepared))
}

/// Whether an await of the VU must watch its other promises: one nothing waits for is in flight
/// or was rejected, so k6's event loop, which runs while the VU awaits, may find it rejected.
pub fn watching(vu: &VuContext) -> bool {
    vu.in_flight_if_made().is_some_and(|in_flight| {
        in_flight.promises.borrow().iter().any(|s| !s.handled.get() && !matches!(&*s.outcome.borrow(), Some(Ok(_))))
    })
}

/// `await new Promise((r) => setTimeout(r, ms))` (`js_await_timeout`) while the VU is
/// [`watching`]: waits `delay` unless a promise nothing waits for is rejected first.
pub fn pause_watching(vu: &Rc<VuContext>, delay: std::time::Duration) -> RhaiResult<()> {
    let deadline = tokio::time::Instant::now() + delay;
    wait_until_or(vu, || tokio::time::Instant::now() >= deadline, Some(deadline))
}

/// `http.request_all` of requests that may reject: `http.wait_all` of their promises.
pub(super) fn all_of(vu: &Rc<VuContext>, requests: Vec<Prepared>) -> RhaiResult<Array> {
    let promises = requests.into_iter().map(|p| Dynamic::from(start(vu, p))).collect();
    wait_all(promises)
}

/// Starts a prepared request in a task of the VU's worker (or settles at once one k6 fails
/// before sending) and returns its promise.
fn start(vu: &Rc<VuContext>, prepared: Prepared) -> HttpPromise {
    let in_flight = vu.in_flight();
    let slot = Rc::new(Slot::default());
    match prepared {
        Prepared::NotSent(failure) => in_flight.settle(&slot, not_sent(vu, "Request Failed", failure)),
        Prepared::Ready(spec, record) => {
            let (tags, client, owner, settled) = (vu.base_tags(), vu.http(), Rc::downgrade(vu), Rc::clone(&slot));
            let task = tokio::task::spawn_local(async move {
                let hops = client.request(spec).await;
                if let Some(vu) = owner.upgrade() {
                    let outcome = finish_tagged(&vu, &tags, record, hops);
                    vu.in_flight().settle(&settled, outcome);
                }
            });
            *slot.task.borrow_mut() = Some(task.abort_handle());
        }
    }
    in_flight.promises.borrow_mut().push(Rc::clone(&slot));
    HttpPromise(slot)
}

/// `http.wait(p)`: k6's `await p`.
fn wait(promise: &HttpPromise) -> RhaiResult<Response> {
    let vu = vu::current();
    let slot = &promise.0;
    slot.handled.set(true);
    wait_until(&vu, || slot.is_settled())?;
    vu.in_flight().prune();
    slot.outcome()
}

/// `http.wait_all(values)`: k6's `await Promise.all(values)`.
fn wait_all(values: Array) -> RhaiResult<Array> {
    let vu = vu::current();
    let slots: Vec<Rc<Slot>> =
        values.iter().filter_map(|v| v.read_lock::<HttpPromise>().map(|p| Rc::clone(&p.0))).collect();
    if slots.is_empty() {
        return Ok(values);
    }
    for slot in &slots {
        slot.handled.set(true);
    }
    wait_until(&vu, || slots.iter().all(|s| s.is_settled()) || slots.iter().any(|s| s.is_rejected()))?;
    vu.in_flight().prune();
    if let Some(first) = slots.iter().filter(|s| s.is_rejected()).min_by_key(|s| s.order.get()) {
        return first.outcome().map(|_| Array::new());
    }
    values
        .into_iter()
        .map(|v| match v.try_cast_result::<HttpPromise>() {
            Ok(promise) => promise.0.outcome().map(Dynamic::from),
            Err(value) => Ok(value),
        })
        .collect()
}

/// Waits for every request the VU started and has not seen complete: the end of an iteration,
/// `setup()` or `teardown()`, once its function and its event loop are done. An uncaught
/// rejection (or a stop) ends the wait with that error, and what is still in flight is dropped.
pub fn settle_all(vu: &Rc<VuContext>) -> RhaiResult<()> {
    let Some(in_flight) = vu.in_flight_if_made() else { return Ok(()) };
    let result = wait_until(vu, || in_flight.all_settled());
    in_flight.abandon();
    result
}

/// Suspends the VU until `done()` holds. Before that, and after each promise of the VU settles,
/// a rejection nothing waits for ends the wait with k6's `Uncaught (in promise)`.
fn wait_until(vu: &Rc<VuContext>, done: impl Fn() -> bool) -> RhaiResult<()> {
    wait_until_or(vu, done, None)
}

/// [`wait_until`], also woken at `deadline`.
fn wait_until_or(
    vu: &Rc<VuContext>,
    done: impl Fn() -> bool,
    deadline: Option<tokio::time::Instant>,
) -> RhaiResult<()> {
    let in_flight = vu.in_flight();
    loop {
        if let Some(error) = in_flight.uncaught() {
            return Err(error);
        }
        if done() {
            return Ok(());
        }
        let seen = in_flight.settled.get();
        let vu = Rc::clone(vu);
        suspend_with(move || async move {
            let settled = std::future::poll_fn(move |cx| {
                let in_flight = vu.in_flight();
                if in_flight.settled.get() != seen {
                    return Poll::Ready(());
                }
                *in_flight.waiter.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            });
            match deadline {
                Some(deadline) => tokio::select! {
                    () = settled => {}
                    () = tokio::time::sleep_until(deadline) => {}
                },
                None => settled.await,
            }
        })
        .map_err(suspension_error)?;
    }
}
