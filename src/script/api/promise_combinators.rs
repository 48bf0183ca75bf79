//! The script's side of promises (`promise.rs` runs them): the methods of a `Promise` and the
//! global `Promise`'s functions, as k6 v1.1 has them.
//!
//! ```rhai
//! fn run() {
//!     let p = http.asyncRequest("GET", `${BASE}/items/1`);
//!     p.then(|res| check(res, #{ "ok": |r| r.status == 200 }))
//!         .catch_error(|e| console.log(`failed: ${e}`))
//!         .finally(|| console.log("done"));
//!     let first = http.wait(Promise.race([http.asyncRequest("GET", `${BASE}/delay/300`),
//!                                          http.asyncRequest("GET", `${BASE}/delay/10`)]));
//!     let both = http.wait(Promise.allSettled([p, Promise.reject("no")]));
//!     // both[1] == #{ status: "rejected", reason: "no" }
//! }
//! ```
//!
//! `p.then(f)`, `p.then(f, g)`, `p.catch_error(g)` (JavaScript's `p.catch(g)`: `catch` is a
//! Rhai keyword) and `p.finally(h)` return the next promise of the chain; `()` (or anything not
//! a function) for a callback passes the outcome on, as JavaScript does. `Promise.resolve(v)`,
//! `Promise.reject(e)`, `Promise.all(list)`, `Promise.allSettled(list)`, `Promise.any(list)`,
//! `Promise.race(list)`: a list's values that are not promises count as fulfilled ones.
//! `Promise.any` of rejections only rejects with an `AggregateError` (its `errors` in the list's
//! order; `String(e)` is `AggregateError`, its `message` empty, as in k6). Await any of them with
//! `http.wait(p)`.

use std::cell::{Cell as StdCell, RefCell};
use std::rc::Rc;

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, Map, NativeCallContext};

use super::call::call_fitting;
use super::http::HttpApi;
use super::promise::{await_value, is_fatal, Cell, InFlight, Outcome, Promise};
use crate::runtime::vu;

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// The global `Promise` (Rhai's type `PromiseApi`).
#[derive(Clone, Copy)]
pub struct PromiseApi;

/// `Promise.any`'s rejection when every promise rejected.
#[derive(Clone)]
pub struct AggregateError(Array);

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    All,
    AllSettled,
    Any,
    Race,
}

/// One combinator's promise and what its entries brought so far.
pub struct Combined {
    kind: Kind,
    promise: Rc<Cell>,
    /// Values (`all`), outcomes (`allSettled`) or reasons (`any`), by entry.
    values: RefCell<Array>,
    /// Entries yet to settle.
    remaining: StdCell<usize>,
}

impl Combined {
    /// Entry `index` settled with `outcome`.
    pub(super) fn entry(&self, in_flight: &InFlight, index: usize, outcome: Outcome) {
        let done = |values: &RefCell<Array>| {
            self.remaining.set(self.remaining.get() - 1);
            (self.remaining.get() == 0).then(|| values.take())
        };
        match (self.kind, outcome) {
            (Kind::Race, outcome) | (Kind::All, outcome @ Err(_)) | (Kind::Any, outcome @ Ok(_)) => {
                in_flight.settle(&self.promise, outcome)
            }
            (Kind::All, Ok(v)) => {
                self.values.borrow_mut()[index] = v;
                if let Some(values) = done(&self.values) {
                    in_flight.settle(&self.promise, Ok(Dynamic::from_array(values)));
                }
            }
            (Kind::AllSettled, outcome) => {
                let mut entry = Map::default();
                match outcome {
                    Ok(v) => {
                        entry.insert("status".into(), "fulfilled".into());
                        entry.insert("value".into(), v);
                    }
                    Err(e) => {
                        entry.insert("status".into(), "rejected".into());
                        entry.insert("reason".into(), e);
                    }
                }
                self.values.borrow_mut()[index] = Dynamic::from_map(entry);
                if let Some(values) = done(&self.values) {
                    in_flight.settle(&self.promise, Ok(Dynamic::from_array(values)));
                }
            }
            (Kind::Any, Err(e)) => {
                self.values.borrow_mut()[index] = e;
                if let Some(errors) = done(&self.values) {
                    in_flight.settle(&self.promise, Err(Dynamic::from(AggregateError(errors))));
                }
            }
        }
    }
}

/// A combinator over `list`: each entry subscribes in the list's order; an empty list settles at
/// once (but `race`'s, which never does).
fn combine(kind: Kind, list: Array) -> RhaiResult<Promise> {
    let name = match kind {
        Kind::All => "all",
        Kind::AllSettled => "allSettled",
        Kind::Any => "any",
        Kind::Race => "race",
    };
    let vu = not_in_init(&format!("Promise.{name}(…)"))?;
    let in_flight = vu.in_flight();
    let n = list.len();
    let of = Rc::new(Combined {
        kind,
        promise: Rc::new(Cell::default()),
        values: RefCell::new(vec![Dynamic::UNIT; n]),
        remaining: StdCell::new(n),
    });
    for (i, value) in list.into_iter().enumerate() {
        in_flight.enter(&of, i, value);
    }
    if n == 0 {
        match kind {
            Kind::All | Kind::AllSettled => in_flight.settle(&of.promise, Ok(Dynamic::from_array(Array::new()))),
            Kind::Any => in_flight.settle(&of.promise, Err(Dynamic::from(AggregateError(Array::new())))),
            Kind::Race => {}
        }
    }
    Ok(Promise(Rc::clone(&of.promise)))
}

/// `Promise.all(list)`.
pub fn all(_: PromiseApi, list: Array) -> RhaiResult<Promise> {
    combine(Kind::All, list)
}

/// A callback as JavaScript's `then` takes it: a function, or nothing.
fn callback(f: Dynamic) -> Option<FnPtr> {
    f.try_cast::<FnPtr>()
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Promise>("Promise");
    engine.register_type_with_name::<PromiseApi>("PromiseApi");
    engine.register_type_with_name::<AggregateError>("AggregateError");
    // k6 prints a promise as JavaScript's `String(p)`.
    engine.register_fn("to_string", |_: &mut Promise| "[object Promise]".to_string());
    engine.register_fn("to_debug", |_: &mut Promise| "[object Promise]".to_string());
    engine.register_fn("then", |p: Promise, f: Dynamic| then(&p, callback(f), None));
    engine.register_fn("then", |p: Promise, f: Dynamic, g: Dynamic| then(&p, callback(f), callback(g)));
    engine.register_fn("catch_error", |p: Promise, g: Dynamic| then(&p, None, callback(g)));
    engine.register_fn("finally", |p: Promise, f: Dynamic| -> RhaiResult<Promise> {
        match callback(f) {
            Some(f) => {
                let vu = guarded("finally")?;
                Ok(vu.in_flight().finally(&p, f))
            }
            // JavaScript's `finally` of something not a function is `then(x, x)`.
            None => then(&p, None, None),
        }
    });
    engine.register_fn("resolve", |_: PromiseApi, v: Dynamic| -> Promise {
        match v.try_cast_result::<Promise>() {
            Ok(p) => p,
            Err(v) => Promise::settled(Ok(v)),
        }
    });
    engine.register_fn("resolve", |_: PromiseApi| Promise::settled(Ok(Dynamic::UNIT)));
    engine.register_fn("reject", |_: PromiseApi, reason: Dynamic| reject(reason));
    engine.register_fn("reject", |_: PromiseApi| reject(Dynamic::UNIT));
    engine.register_fn("all", all);
    engine.register_fn("allSettled", |_: PromiseApi, list: Array| combine(Kind::AllSettled, list));
    engine.register_fn("any", |_: PromiseApi, list: Array| combine(Kind::Any, list));
    engine.register_fn("race", |_: PromiseApi, list: Array| combine(Kind::Race, list));
    engine.register_fn("adopt", |ctx: NativeCallContext, _: HttpApi, v: Dynamic| adopt(&ctx, v));
    engine.register_fn("wait_async", |ctx: NativeCallContext, _: HttpApi, f: FnPtr| wait_async(&ctx, &f));
    engine.register_fn("adopt_async", |ctx: NativeCallContext, _: HttpApi, f: FnPtr| adopt_async(&ctx, &f));
    engine.register_get("errors", |e: &mut AggregateError| e.0.clone());
    engine.register_get("name", |_: &mut AggregateError| "AggregateError".to_string());
    engine.register_get("message", |_: &mut AggregateError| String::new());
    engine.register_fn("to_string", |_: &mut AggregateError| "AggregateError".to_string());
    engine.register_fn("to_debug", |_: &mut AggregateError| "AggregateError".to_string());
}

/// `http.adopt(v)`: an async function's `return v`, as `rload convert` writes it where every job
/// counts: a promise is adopted as ECMAScript adopts one (a job to subscribe, a job once it
/// settles), its value returned or its rejection thrown; any other value is returned at once.
fn adopt(ctx: &NativeCallContext, v: Dynamic) -> RhaiResult<Dynamic> {
    if !v.is::<Promise>() {
        return Ok(v);
    }
    await_value(ctx, Dynamic::UNIT).and_then(|_| await_value(ctx, v))
}

/// `http.wait_async(|| f(…))`: `await f(…)` of an async function rload runs as a plain one, as
/// `rload convert` writes it where every job counts: the await is one job after `f`'s body has
/// ended, returned or thrown (k6's `await` of its settled promise).
fn wait_async(ctx: &NativeCallContext, f: &FnPtr) -> RhaiResult<Dynamic> {
    match call_fitting(ctx, f, Array::new()) {
        Ok(v) => await_value(ctx, v),
        Err(e) if is_fatal(&e) => Err(e),
        Err(e) => await_value(ctx, Dynamic::UNIT).and_then(|_| Err(e)),
    }
}

/// `http.adopt_async(|| f(…))`: an async function's `return f(…)` of another, as `rload convert`
/// writes it where every job counts. k6 adopts `f`'s promise: one job after `f`'s body ends when
/// it suspended (awaited, or adopted a promise itself: its promise was pending when returned),
/// two when it did not; the value returned, or the throw rethrown, then.
fn adopt_async(ctx: &NativeCallContext, f: &FnPtr) -> RhaiResult<Dynamic> {
    let vu = vu::current();
    let before = vu.in_flight().suspensions();
    let result = call_fitting(ctx, f, Array::new());
    if let Err(e) = &result {
        if is_fatal(e) {
            return result;
        }
    }
    let jobs = if vu.in_flight().suspensions() != before { 1 } else { 2 };
    for _ in 0..jobs {
        await_value(ctx, Dynamic::UNIT).map(drop)?;
    }
    result
}

/// `Promise.reject(reason)`: rejected, and unhandled until a reaction is registered.
fn reject(reason: Dynamic) -> RhaiResult<Promise> {
    let vu = not_in_init("Promise.reject(…)")?;
    let cell = Rc::new(Cell::default());
    vu.in_flight().settle(&cell, Err(reason));
    Ok(Promise(cell))
}

/// `p.then(on_ok, on_err)`.
fn then(p: &Promise, on_ok: Option<FnPtr>, on_err: Option<FnPtr>) -> RhaiResult<Promise> {
    let vu = guarded("then")?;
    Ok(vu.in_flight().then(p, on_ok, on_err))
}

/// The VU, where a promise's callback may be registered: not beside timers or sockets, whose
/// callbacks k6 runs between the promises' as they come, and rload after them.
fn guarded(method: &str) -> RhaiResult<Rc<vu::VuContext>> {
    let vu = not_in_init(&format!("a promise's .{method}(…)"))?;
    if !vu.event_loop.is_idle() {
        return Err(format!(
            "a promise's .{method}(…) while a timer or WebSocket is pending is not supported by rload: k6 runs \
             their callbacks between the promises' as they come, rload after them"
        )
        .into());
    }
    Ok(vu)
}

/// The VU, outside its init code: k6 runs the jobs the init code queues when it ends, which
/// rload's init code has no moment for.
fn not_in_init(what: &str) -> RhaiResult<Rc<vu::VuContext>> {
    let vu = vu::current();
    if vu.in_init.get() {
        return Err(format!(
            "{what} in init code (the script's top level) is not supported by rload: k6 runs its jobs when the \
             init code ends"
        )
        .into());
    }
    Ok(vu)
}
