//! JavaScript's promises, as k6 v1.1 runs them, for the VU's Rhai script: the type `Promise`
//! (what `http.asyncRequest` and the `Promise` combinators return), its reactions (`.then`,
//! `.catch_error`, `.finally`, an `await`) and the VU's microtask queue, run only when the VU's
//! script is idle.
//!
//! k6's rules, kept here (each checked with k6 v1.1):
//! - A request's outcome reaches its promise in a turn of k6's event loop, and the loop turns only
//!   while the VU's JavaScript is idle: while it waits (`http.wait`, an awaited request,
//!   `js_await_timeout`) or once the iteration's function has returned. Never in the middle of
//!   its code, and not during `sleep()`: an outcome come in meanwhile waits, [`Cell::arrived`],
//!   and turns are taken in the order the outcomes came in.
//! - Settling a promise queues one job per reaction registered on it, in the order they were
//!   registered; a reaction registered on a settled promise is queued at once. After each turn
//!   the queue is drained, jobs queued by jobs included (a chain runs to its end before the next
//!   request's outcome is seen).
//! - `await v` is a reaction too ([`Reaction::Resume`]): the script goes on when its job comes
//!   up, so the jobs queued before it run first, and those queued after it wait for the next idle
//!   moment. Of a value that is not a promise it is one job away (as JavaScript awaits
//!   `Promise.resolve(v)`).
//! - A callback that returns a promise makes the promise `then` gave adopt it: one job to
//!   subscribe ([`Job::Adopt`]), one when it settles (ECMAScript's thenable job).
//! - A rejection with no reaction by the end of a turn (the queue empty) is k6's
//!   `Uncaught (in promise) …`, the iteration's error, which no `catch` of the script stops.
//!
//! Callbacks run with JavaScript's arguments (`js_call`'s rule): a throw in one rejects the
//! promise its `then` returned; an interruption of the VU ends everything.

use std::cell::{Cell as StdCell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::task::{Poll, Waker};

use rhai::{Dynamic, EvalAltResult, EvalContext, FnPtr, NativeCallContext};
use tokio::task::AbortHandle;

use super::call::call_fitting;
use crate::runtime::coroutine::suspend_with;
use crate::runtime::vu::{self, is_interruption, suspension_error, uncaught_rejection, VuContext};

/// A promise's settled value: fulfilled with a value, or rejected with a reason.
pub type Outcome = Result<Dynamic, Dynamic>;
type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// A JavaScript promise (Rhai's type `Promise`).
#[derive(Clone)]
pub struct Promise(pub(super) Rc<Cell>);

impl Promise {
    /// A promise already settled with `outcome`.
    pub fn settled(outcome: Outcome) -> Self {
        let cell = Cell::default();
        *cell.state.borrow_mut() = Some(outcome);
        Promise(Rc::new(cell))
    }
}

/// One promise.
#[derive(Default)]
pub struct Cell {
    /// Its outcome as the script sees it; `None` while pending.
    pub(super) state: RefCell<Option<Outcome>>,
    /// A request's outcome come in while the script was busy: it settles the promise at the VU's
    /// next idle moment, in the order of [`Cell::arrival`].
    arrived: RefCell<Option<Outcome>>,
    arrival: StdCell<u64>,
    /// A reaction was registered on it (ECMAScript's `[[PromiseIsHandled]]`).
    pub(super) handled: StdCell<bool>,
    reactions: RefCell<Vec<Reaction>>,
    /// The request's task while it runs.
    pub(super) task: RefCell<Option<AbortHandle>>,
}

impl Cell {
    fn is_settled(&self) -> bool {
        self.state.borrow().is_some()
    }
}

/// What runs when a promise settles.
enum Reaction {
    /// `then(on_ok, on_err)` (`catch_error(f)` is `then((), f)`), whose promise is `derived`.
    Then { on_ok: Option<FnPtr>, on_err: Option<FnPtr>, derived: Rc<Cell> },
    /// `finally(f)`, whose promise is `derived`.
    Finally { f: FnPtr, derived: Rc<Cell> },
    /// Once what `finally`'s callback returned has settled: `derived` gets the outcome the
    /// callback saw, or the rejection of what it returned.
    FinallyValue { outcome: Outcome, derived: Rc<Cell> },
    /// A promise adopting the one it is registered on takes its outcome.
    Adopt(Rc<Cell>),
    /// An `await`: the waiting script goes on with the outcome.
    Resume(u64),
    /// One entry of a combinator (`Promise.all`, `allSettled`, `any`, `race`).
    Entry(Rc<super::promise_combinators::Combined>, usize),
}

/// One job of the VU's microtask queue.
enum Job {
    React(Reaction, Outcome),
    /// `promise` resolved with another promise, `thenable`: it subscribes to it.
    Adopt {
        promise: Rc<Cell>,
        thenable: Rc<Cell>,
    },
}

/// One VU's promises: the requests whose outcome the script has yet to see, the rejections
/// nothing handles yet, the microtask queue. Made at the VU's first promise.
#[derive(Default)]
pub struct InFlight {
    /// Requests started and not yet settled for the script.
    requests: RefCell<Vec<Rc<Cell>>>,
    /// Rejected with no reaction, in the order they were rejected.
    unhandled: RefCell<Vec<Rc<Cell>>>,
    jobs: RefCell<VecDeque<Job>>,
    /// How many request outcomes came in: each wait resumes when this moves.
    arrivals: StdCell<u64>,
    /// The last outcome of the turn being taken: k6's event loop takes every outcome come in by
    /// then, and looks for unhandled rejections only after the last.
    turn_end: StdCell<u64>,
    /// The VU's wait, woken when an outcome comes in.
    waiter: RefCell<Option<Waker>>,
    /// The last `await`'s number.
    awaits: StdCell<u64>,
    /// A callback is running: an `await` in it has no counterpart (see [`InFlight::await_value`]).
    in_job: StdCell<bool>,
    /// How many awaits the script has made: whether an async function suspended decides how many
    /// jobs adopting its promise takes (`http.adopt_async`).
    suspensions: StdCell<u64>,
}

impl InFlight {
    /// A request's promise, pending; its task is set by the caller.
    pub(super) fn request(&self) -> Rc<Cell> {
        let cell = Rc::new(Cell::default());
        self.requests.borrow_mut().push(Rc::clone(&cell));
        cell
    }

    /// A request's outcome, come in from its task (or at once, for one k6 fails before sending):
    /// seen by the script at its next idle moment.
    pub(super) fn arrive(&self, cell: &Cell, outcome: Outcome) {
        cell.task.borrow_mut().take();
        let n = self.arrivals.get() + 1;
        self.arrivals.set(n);
        cell.arrival.set(n);
        *cell.arrived.borrow_mut() = Some(outcome);
        if let Some(waker) = self.waiter.borrow_mut().take() {
            waker.wake();
        }
    }

    /// Settles `cell` (a no-op when it is settled): its reactions are queued.
    pub(super) fn settle(&self, cell: &Rc<Cell>, outcome: Outcome) {
        if cell.is_settled() {
            return;
        }
        let rejected = outcome.is_err();
        for reaction in cell.reactions.take() {
            self.jobs.borrow_mut().push_back(Job::React(reaction, outcome.clone()));
        }
        *cell.state.borrow_mut() = Some(outcome);
        if rejected && !cell.handled.get() {
            self.unhandled.borrow_mut().push(Rc::clone(cell));
        }
    }

    /// ECMAScript's resolve function of `cell`: a promise is adopted, anything else fulfils it.
    pub(super) fn resolve(&self, cell: &Rc<Cell>, value: Dynamic) {
        match value.try_cast_result::<Promise>() {
            Ok(thenable) if Rc::ptr_eq(&thenable.0, cell) => {
                self.settle(cell, Err("TypeError: Chaining cycle detected for promise".into()));
            }
            Ok(thenable) => {
                self.jobs.borrow_mut().push_back(Job::Adopt { promise: Rc::clone(cell), thenable: thenable.0 })
            }
            Err(value) => self.settle(cell, Ok(value)),
        }
    }

    /// Registers `reaction` on `cell`: queued at once if it is settled.
    fn react(&self, cell: &Cell, reaction: Reaction) {
        cell.handled.set(true);
        match &*cell.state.borrow() {
            Some(outcome) => self.jobs.borrow_mut().push_back(Job::React(reaction, outcome.clone())),
            None => cell.reactions.borrow_mut().push(reaction),
        }
    }

    /// `p.then(on_ok, on_err)`: the promise of the callback's result.
    pub fn then(&self, p: &Promise, on_ok: Option<FnPtr>, on_err: Option<FnPtr>) -> Promise {
        let derived = Rc::new(Cell::default());
        self.react(&p.0, Reaction::Then { on_ok, on_err, derived: Rc::clone(&derived) });
        Promise(derived)
    }

    /// `p.finally(f)`.
    pub fn finally(&self, p: &Promise, f: FnPtr) -> Promise {
        let derived = Rc::new(Cell::default());
        self.react(&p.0, Reaction::Finally { f, derived: Rc::clone(&derived) });
        Promise(derived)
    }

    /// A combinator's entry `index` subscribes to `value` (a value that is not a promise is one
    /// fulfilled, as `Promise.resolve(value)`).
    pub(super) fn enter(&self, of: &Rc<super::promise_combinators::Combined>, index: usize, value: Dynamic) {
        let cell = promise_of(value);
        self.react(&cell, Reaction::Entry(Rc::clone(of), index));
    }

    /// Runs one job with the callbacks' context `ctx`.
    fn run(&self, ctx: &NativeCallContext, job: Job) -> RhaiResult<()> {
        let (reaction, outcome) = match job {
            Job::Adopt { promise, thenable } => {
                self.react(&thenable, Reaction::Adopt(promise));
                return Ok(());
            }
            Job::React(reaction, outcome) => (reaction, outcome),
        };
        match reaction {
            Reaction::Then { on_ok, on_err, derived } => {
                let (handler, arg) = match outcome {
                    Ok(v) => (on_ok, Ok(v)),
                    Err(e) => (on_err, Err(e)),
                };
                match handler {
                    None => self.settle(&derived, arg),
                    Some(f) => {
                        let arg = arg.unwrap_or_else(|e| e);
                        match self.call(ctx, &f, vec![arg])? {
                            Ok(v) => self.resolve(&derived, v),
                            Err(reason) => self.settle(&derived, Err(reason)),
                        }
                    }
                }
            }
            Reaction::Finally { f, derived } => match self.call(ctx, &f, Vec::new())? {
                Err(reason) => self.settle(&derived, Err(reason)),
                Ok(result) => {
                    let waited = promise_of(result);
                    let then = Rc::new(Cell::default());
                    self.react(&waited, Reaction::FinallyValue { outcome, derived: Rc::clone(&then) });
                    self.resolve(&derived, Dynamic::from(Promise(then)));
                }
            },
            Reaction::FinallyValue { outcome: seen, derived } => match outcome {
                Err(reason) => self.settle(&derived, Err(reason)),
                Ok(_) => self.settle(&derived, seen),
            },
            Reaction::Adopt(promise) => self.settle(&promise, outcome),
            // An await given up (its wait failed): nothing waits for it now.
            Reaction::Resume(_) => {}
            Reaction::Entry(of, index) => of.entry(self, index, outcome),
        }
        Ok(())
    }

    /// The number of awaits the script has made so far.
    pub(super) fn suspensions(&self) -> u64 {
        self.suspensions.get()
    }

    /// Calls a callback: its result, or the rejection a throw in it makes. An interruption or an
    /// uncaught rejection is no throw: it ends the wait.
    fn call(&self, ctx: &NativeCallContext, f: &FnPtr, args: rhai::Array) -> RhaiResult<Outcome> {
        self.in_job.set(true);
        let result = call_fitting(ctx, f, args);
        self.in_job.set(false);
        match result {
            Ok(v) => Ok(Ok(v)),
            Err(e) if is_fatal(&e) => Err(e),
            Err(e) => Ok(Err(thrown(&e))),
        }
    }

    /// The first rejection (in the order they were rejected) still unhandled, now reported.
    fn uncaught(&self) -> Option<Box<EvalAltResult>> {
        let mut unhandled = self.unhandled.borrow_mut();
        unhandled.retain(|c| !c.handled.get());
        let first = unhandled.first().cloned()?;
        unhandled.clear();
        first.handled.set(true);
        let text = match &*first.state.borrow() {
            Some(Err(reason)) => reason.to_string(),
            _ => String::new(),
        };
        Some(uncaught_rejection(&text))
    }

    /// The request whose outcome came in first and is not yet settled for the script, if it
    /// came in by `until` (an arrival's number).
    fn next_arrival(&self, until: u64) -> Option<(Rc<Cell>, Outcome)> {
        let mut requests = self.requests.borrow_mut();
        let (i, _) = requests
            .iter()
            .enumerate()
            .filter(|(_, c)| c.arrived.borrow().is_some() && c.arrival.get() <= until)
            .min_by_key(|(_, c)| c.arrival.get())?;
        let cell = requests.swap_remove(i);
        let outcome = cell.arrived.borrow_mut().take()?;
        Some((cell, outcome))
    }

    /// Whether a wait of the VU may run something of the script (a callback, an uncaught
    /// rejection): so an await of a request must go the promises' way, not as `http.request`.
    pub fn watching(&self) -> bool {
        !self.jobs.borrow().is_empty()
            || self.unhandled.borrow().iter().any(|c| !c.handled.get())
            || self.requests.borrow().iter().any(|c| {
                !c.reactions.borrow().is_empty() || (!c.handled.get() && !matches!(&*c.arrived.borrow(), Some(Ok(_))))
            })
    }

    /// Settles, for the script, every request outcome come in: after an await that went as a
    /// plain request or sleep (nothing of the script could run, [`InFlight::watching`]), k6's
    /// turns took them meanwhile, so a callback registered on one now is queued at once.
    pub fn settle_arrived(&self) {
        while let Some((cell, outcome)) = self.next_arrival(u64::MAX) {
            self.settle(&cell, outcome);
        }
        self.turn_end.set(self.arrivals.get());
    }

    /// Whether a callback is registered or queued: timers and sockets, whose callbacks k6 runs
    /// between these, cannot be used beside them.
    pub fn has_callbacks(&self) -> bool {
        !self.jobs.borrow().is_empty() || self.requests.borrow().iter().any(|c| !c.reactions.borrow().is_empty())
    }

    /// Stops every request still in flight: none records a sample, as in k6 when an iteration
    /// ends with an error or is interrupted; what is queued is dropped. A promise kept past it
    /// (in a global) is rejected, so a later wait for it does not hang.
    pub fn abandon(&self) {
        for cell in self.requests.take() {
            if let Some(task) = cell.task.borrow_mut().take() {
                task.abort();
            }
            cell.reactions.borrow_mut().clear();
            cell.arrived.borrow_mut().take();
            if !cell.is_settled() {
                cell.handled.set(true);
                *cell.state.borrow_mut() = Some(Err("the request was stopped when its iteration ended".into()));
            }
        }
        self.jobs.borrow_mut().clear();
        self.unhandled.borrow_mut().clear();
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.abandon();
    }
}

/// An error no promise takes as its rejection: the VU's interruption, an uncaught rejection.
pub(super) fn is_fatal(e: &EvalAltResult) -> bool {
    is_interruption(e) || matches!(e.unwrap_inner(), EvalAltResult::ErrorTerminated(..))
}

/// Counts an await of the script (see [`InFlight::suspensions`]).
pub fn note_await(vu: &VuContext) {
    if let Some(in_flight) = vu.in_flight_if_made() {
        in_flight.suspensions.set(in_flight.suspensions.get() + 1);
    }
}

/// `value` as a promise: itself, or one fulfilled with it.
pub(super) fn promise_of(value: Dynamic) -> Rc<Cell> {
    match value.try_cast_result::<Promise>() {
        Ok(p) => p.0,
        Err(value) => Promise::settled(Ok(value)).0,
    }
}

/// What a script error throws, as `catch (e)` would get it.
pub(super) fn thrown(error: &EvalAltResult) -> Dynamic {
    match error.unwrap_inner() {
        EvalAltResult::ErrorRuntime(value, _) => value.clone(),
        other => other.to_string().into(),
    }
}

/// `await value` (`http.wait`): the script goes on once the job of its reaction comes up, the
/// VU's idle moments taken meanwhile; the value, or the rejection thrown.
pub fn await_value(ctx: &NativeCallContext, value: Dynamic) -> RhaiResult<Dynamic> {
    let vu = vu::current();
    note_await(&vu);
    let in_flight = vu.in_flight();
    if in_flight.in_job.get() {
        return Err("http.wait (an await) in a promise's callback is not supported by rload: k6 would suspend only \
                    the callback"
            .into());
    }
    // With nothing queued, the await of a value gives it back at once, as k6's would.
    if !value.is::<Promise>() && in_flight.jobs.borrow().is_empty() {
        return Ok(value);
    }
    let cell = promise_of(value);
    let id = in_flight.awaits.get() + 1;
    in_flight.awaits.set(id);
    in_flight.react(&cell, Reaction::Resume(id));
    match idle(ctx, &vu, Some(id), None)? {
        Some(Ok(v)) => Ok(v),
        Some(Err(reason)) => Err(EvalAltResult::ErrorRuntime(reason, rhai::Position::NONE).into()),
        None => Err("the awaited promise can never settle (k6 would end the iteration here, without an error)".into()),
    }
}

/// `await` of a timer's promise (`js_await_timeout`) while the VU is [`InFlight::watching`]:
/// the idle moments until `deadline`.
pub fn pause(ctx: &NativeCallContext, vu: &Rc<VuContext>, deadline: tokio::time::Instant) -> RhaiResult<()> {
    if vu.in_flight().in_job.get() {
        return Err("an await in a promise's callback is not supported by rload".into());
    }
    idle(ctx, vu, None, Some(deadline)).map(drop)
}

/// The end of a call of the script (an iteration, `setup()`, `teardown()`): the queue drained
/// and the VU idle until every request it started has come in and every callback has run. An
/// uncaught rejection (or a stop) ends it with that error, and what is left is dropped.
/// `ctx` is the returned function's (`fn_name`'s), the callbacks' context.
pub fn settle_all(ctx: &EvalContext, fn_name: &str, vu: &Rc<VuContext>) -> RhaiResult<()> {
    let Some(in_flight) = vu.in_flight_if_made() else { return Ok(()) };
    let native = super::call::native_context(ctx, fn_name);
    let result = idle(&native, vu, None, None).map(drop);
    in_flight.abandon();
    result
}

/// The VU idle: jobs run, outcomes settled in the order they came in, until the job of the await
/// `until` comes up (its outcome), or else `deadline` passes, or else nothing is left to do
/// (`None`). As k6's event loop, it takes its turns: every outcome come in when the turn starts,
/// each followed by the jobs it queued (a turn cut by an await's job goes on at the next idle
/// moment); after the turn, an unhandled rejection ends it with k6's `Uncaught (in promise)`.
fn idle(
    ctx: &NativeCallContext,
    vu: &Rc<VuContext>,
    until: Option<u64>,
    deadline: Option<tokio::time::Instant>,
) -> RhaiResult<Option<Outcome>> {
    let in_flight = vu.in_flight();
    loop {
        loop {
            let job = in_flight.jobs.borrow_mut().pop_front();
            match job {
                None => break,
                Some(Job::React(Reaction::Resume(id), outcome)) if Some(id) == until => return Ok(Some(outcome)),
                Some(job) => in_flight.run(ctx, job)?,
            }
        }
        if let Some((cell, outcome)) = in_flight.next_arrival(in_flight.turn_end.get()) {
            in_flight.settle(&cell, outcome);
            continue;
        }
        if let Some(error) = in_flight.uncaught() {
            return Err(error);
        }
        if in_flight.arrivals.get() > in_flight.turn_end.get() {
            in_flight.turn_end.set(in_flight.arrivals.get());
            continue;
        }
        if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
            return Ok(None);
        }
        if deadline.is_none() && in_flight.requests.borrow().is_empty() {
            return Ok(None);
        }
        let seen = in_flight.arrivals.get();
        let vu = Rc::clone(vu);
        suspend_with(move || async move {
            let arrived = std::future::poll_fn(move |cx| {
                let in_flight = vu.in_flight();
                if in_flight.arrivals.get() != seen {
                    return Poll::Ready(());
                }
                *in_flight.waiter.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            });
            match deadline {
                Some(deadline) => tokio::select! {
                    () = arrived => {}
                    () = tokio::time::sleep_until(deadline) => {}
                },
                None => arrived.await,
            }
        })
        .map_err(suspension_error)?;
    }
}
