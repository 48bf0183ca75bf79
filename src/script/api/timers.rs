//! k6/timers for Rhai: the global `setTimeout`, `setInterval`, `clearTimeout` and
//! `clearInterval`, whose callbacks the VU's event loop (`crate::runtime::event_loop`) runs
//! once the iteration's function has returned; the iteration ends when none is pending.
//!
//! ```rhai
//! fn run() {
//!     let ticks = 0;
//!     let id = setInterval(|| { ticks += 1; }, 100);
//!     setTimeout(|| clearInterval(id), 1000);
//! }
//! ```
//!
//! As in k6: ids are numbers from 1, counted per VU; `clearTimeout` and `clearInterval` clear
//! either kind and ignore unknown ids; a delay is read as JavaScript reads it (a numeric string
//! counts, anything else that is not a positive number is 0); arguments
//! after the delay are passed to the callback. An interval's period is at least 1 ms.

use std::time::Duration;

use rhai::{Dynamic, Engine, EvalAltResult, FnPtr, NativeCallContext};

use super::websocket::Callback;
use crate::runtime::vu;

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

pub fn register(engine: &mut Engine) {
    for (name, repeat) in [("setTimeout", false), ("setInterval", true)] {
        engine.register_fn(name, move |f: FnPtr| set(name, f, Dynamic::UNIT, Vec::new(), repeat));
        engine.register_fn(name, move |f: FnPtr, ms: Dynamic| set(name, f, ms, Vec::new(), repeat));
        engine.register_fn(name, move |f: FnPtr, ms: Dynamic, a: Dynamic| set(name, f, ms, vec![a], repeat));
        engine.register_fn(name, move |f: FnPtr, ms: Dynamic, a: Dynamic, b: Dynamic| {
            set(name, f, ms, vec![a, b], repeat)
        });
        engine.register_fn(name, move |f: FnPtr, ms: Dynamic, a: Dynamic, b: Dynamic, c: Dynamic| {
            set(name, f, ms, vec![a, b, c], repeat)
        });
    }
    engine.register_fn("js_await_timeout", |ctx: NativeCallContext, ms: Dynamic| await_timeout(&ctx, &ms));
    for name in ["clearTimeout", "clearInterval"] {
        engine.register_fn(name, |id: i64| clear(id));
        // k6 scripts clear a timer they may not have set (`clearTimeout(undefined)`).
        engine.register_fn(name, |_: ()| {});
    }
}

fn set(name: &str, f: FnPtr, ms: Dynamic, args: Vec<Dynamic>, repeat: bool) -> RhaiResult<i64> {
    let vu = vu::current();
    if vu.in_init.get() {
        return Err(format!("{name}() is not available in init code (the script's top level)").into());
    }
    if vu.in_flight_if_made().is_some_and(|p| p.has_callbacks()) {
        return Err(format!(
            "{name}() while a promise's callback is pending is not supported by rload: k6 runs the timer's \
             callback between the promises' as they come, rload after them"
        )
        .into());
    }
    let delay = delay(&ms);
    Ok(vu.event_loop.set_timer(Callback { f, args }, delay, repeat) as i64)
}

/// `await new Promise((resolve) => setTimeout(resolve, ms))`, as `rload convert` writes it where
/// nothing else of the VU could run meanwhile (no other timer, no `WebSocket`): the VU waits
/// `ms`, read as `setTimeout` reads it.
fn await_timeout(ctx: &NativeCallContext, ms: &Dynamic) -> RhaiResult<()> {
    let vu = vu::current();
    if vu.in_init.get() {
        return Err("setTimeout() is not available in init code (the script's top level)".into());
    }
    let delay = delay(ms);
    super::promise::note_await(&vu);
    // An await: k6's event loop runs meanwhile, and may find a promise rejected unawaited.
    if super::http_async::watching(&vu) {
        return super::http_async::pause_watching(ctx, &vu, delay);
    }
    crate::runtime::coroutine::suspend_with(move || tokio::time::sleep(delay)).map_err(vu::suspension_error)?;
    if let Some(in_flight) = vu.in_flight_if_made() {
        in_flight.settle_arrived();
    }
    Ok(())
}

fn clear(id: i64) {
    if let (Some(vu), Ok(id)) = (vu::try_current(), u64::try_from(id)) {
        vu.event_loop.clear_timer(id);
    }
}

/// A delay in milliseconds as JavaScript reads it: numbers (fractions kept), else 0.
fn delay(ms: &Dynamic) -> Duration {
    let ms = if let Ok(i) = ms.as_int() {
        i as f64
    } else if let Ok(f) = ms.as_float() {
        f
    } else if let Some(text) = ms.read_lock::<rhai::ImmutableString>() {
        text.trim().parse().unwrap_or(0.0)
    } else {
        0.0
    };
    if ms.is_finite() && ms > 0.0 {
        Duration::from_secs_f64((ms / 1000.0).min(1e9))
    } else {
        Duration::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_read_like_javascript() {
        assert_eq!(delay(&Dynamic::from(250_i64)), Duration::from_millis(250));
        assert_eq!(delay(&Dynamic::from(1.5_f64)), Duration::from_micros(1500));
        assert_eq!(delay(&Dynamic::from(-5_i64)), Duration::ZERO);
        assert_eq!(delay(&Dynamic::UNIT), Duration::ZERO);
        assert_eq!(delay(&Dynamic::from("soon")), Duration::ZERO);
        assert_eq!(delay(&Dynamic::from("20")), Duration::from_millis(20));
    }
}
