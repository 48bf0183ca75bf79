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
//! plain `http.request` unless something of the script could run while it waits (a callback, a
//! rejection nothing handles).
//!
//! A request the script never waits for still counts: the iteration (or `setup()`,
//! `teardown()`) ends only once every request it started has completed
//! ([`settle_all`](super::promise::settle_all), k6's event loop draining). A rejection nothing waits for is k6's `Uncaught (in promise)`: it ends
//! the iteration as a script error, which no `catch` of the script stops, when the VU next
//! waits (in `http.wait`, `http.wait_all`, or at the iteration's end), where k6's event loop
//! would run the rejection. An iteration that ends with an error or is interrupted drops the
//! requests still in flight unrecorded, as k6 does.
//!
//! `.then`, `.catch_error` and `.finally`, the `Promise` combinators and the order in which k6
//! runs their callbacks are `promise.rs`'s: a request's outcome reaches its promise only when the
//! VU's script is idle.

use std::rc::Rc;

use rhai::{Array, Dynamic, Engine, EvalAltResult, Map, NativeCallContext};

use super::http::{finish_tagged, method_text, not_sent, params_map, prepare, send, HttpApi, Prepared};
use super::promise::{await_value, note_await, pause, thrown, Promise};
use super::promise_combinators::PromiseApi;
use crate::runtime::vu::{self, VuContext};

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

pub fn register(engine: &mut Engine) {
    engine.register_fn("asyncRequest", |_: HttpApi, method: Dynamic, url: Dynamic| {
        async_request(method, url, Dynamic::UNIT, None)
    });
    engine.register_fn("asyncRequest", |_: HttpApi, method: Dynamic, url: Dynamic, body: Dynamic| {
        async_request(method, url, body, None)
    });
    engine.register_fn("asyncRequest", |_: HttpApi, method: Dynamic, url: Dynamic, body: Dynamic, params: Dynamic| {
        async_request(method, url, body, params_map(params)?)
    });
    engine.register_fn("await_request", |ctx: NativeCallContext, _: HttpApi, method: Dynamic, url: Dynamic| {
        await_request(&ctx, method, url, Dynamic::UNIT, None)
    });
    engine.register_fn(
        "await_request",
        |ctx: NativeCallContext, _: HttpApi, method: Dynamic, url: Dynamic, body: Dynamic| {
            await_request(&ctx, method, url, body, None)
        },
    );
    engine.register_fn(
        "await_request",
        |ctx: NativeCallContext, _: HttpApi, method: Dynamic, url: Dynamic, body: Dynamic, params: Dynamic| {
            await_request(&ctx, method, url, body, params_map(params)?)
        },
    );
    engine.register_fn("wait", |ctx: NativeCallContext, _: HttpApi, value: Dynamic| await_value(&ctx, value));
    engine.register_fn("wait_all", |ctx: NativeCallContext, _: HttpApi, values: Array| wait_all(&ctx, values));
}

/// `http.asyncRequest(method, url, body?, params?)`: the arguments read as `http.request` reads
/// them, the request started, its promise returned.
fn async_request(method: Dynamic, url: Dynamic, body: Dynamic, params: Option<Map>) -> RhaiResult<Promise> {
    let vu = vu::current();
    let prepared = prepare(&vu, &method_text(method), url, body, params)?;
    Ok(start(&vu, prepared))
}

/// `http.await_request(method, url, body?, params?)`: k6's `await http.asyncRequest(…)`, as
/// `rload convert` writes it. `http.request(…)` (one suspension, no promise) unless the VU's
/// idle moment may run something of the script meanwhile ([`watching`]: a callback, a rejection
/// nothing handles): then the request's own promise is awaited.
fn await_request(
    ctx: &NativeCallContext,
    method: Dynamic,
    url: Dynamic,
    body: Dynamic,
    params: Option<Map>,
) -> RhaiResult<Dynamic> {
    let vu = vu::current();
    note_await(&vu);
    let method = method_text(method);
    if !watching(&vu) {
        let response = send(&method, url, body, params);
        if let Some(in_flight) = vu.in_flight_if_made() {
            in_flight.settle_arrived();
        }
        return response.map(Dynamic::from);
    }
    let prepared = prepare(&vu, &method, url, body, params)?;
    await_value(ctx, Dynamic::from(start(&vu, prepared)))
}

/// Whether an await of the VU must take its idle moments: a callback is queued or waits for a
/// request, or a promise nothing handles may be (or is) rejected.
pub fn watching(vu: &VuContext) -> bool {
    vu.in_flight_if_made().is_some_and(|in_flight| in_flight.watching())
}

/// `await new Promise((r) => setTimeout(r, ms))` (`js_await_timeout`) while the VU is
/// [`watching`]: the VU idle for `delay`.
pub fn pause_watching(ctx: &NativeCallContext, vu: &Rc<VuContext>, delay: std::time::Duration) -> RhaiResult<()> {
    pause(ctx, vu, tokio::time::Instant::now() + delay)
}

/// `http.request_all` of requests that may reject, or while the VU is [`watching`]:
/// `http.wait_all` of their promises.
pub(super) fn all_of(ctx: &NativeCallContext, vu: &Rc<VuContext>, requests: Vec<Prepared>) -> RhaiResult<Array> {
    let promises = requests.into_iter().map(|p| Dynamic::from(start(vu, p))).collect();
    wait_all(ctx, promises)
}

/// Starts a prepared request in a task of the VU's worker (or settles at once one k6 fails
/// before sending) and returns its promise.
fn start(vu: &Rc<VuContext>, prepared: Prepared) -> Promise {
    let in_flight = vu.in_flight();
    let cell = in_flight.request();
    match prepared {
        Prepared::NotSent(failure) => {
            let outcome = not_sent(vu, "Request Failed", failure);
            in_flight.arrive(&cell, outcome.map(Dynamic::from).map_err(|e| thrown(&e)));
        }
        Prepared::Ready(spec, record) => {
            let (tags, client, owner, settled) = (vu.base_tags(), vu.http(), Rc::downgrade(vu), Rc::clone(&cell));
            let task = tokio::task::spawn_local(async move {
                let hops = client.request(spec).await;
                if let Some(vu) = owner.upgrade() {
                    let outcome = finish_tagged(&vu, &tags, record, hops);
                    vu.in_flight().arrive(&settled, outcome.map(Dynamic::from).map_err(|e| thrown(&e)));
                }
            });
            *cell.task.borrow_mut() = Some(task.abort_handle());
        }
    }
    Promise(cell)
}

/// `http.wait_all(values)`: k6's `await Promise.all(values)`: the values in the list's order,
/// or the first rejection, as soon as it comes.
fn wait_all(ctx: &NativeCallContext, values: Array) -> RhaiResult<Array> {
    note_await(&vu::current());
    if !values.iter().any(|v| v.is::<Promise>()) && !watching(&vu::current()) {
        return Ok(values);
    }
    let all = super::promise_combinators::all(PromiseApi, values)?;
    let out = await_value(ctx, Dynamic::from(all))?;
    Ok(out.try_cast::<Array>().unwrap_or_default())
}
