//! Custom metrics for scripts: k6's `new Counter/Gauge/Rate/Trend(name, isTime)`.
//!
//! ```rhai
//! const delivery = Trend("websocket_delivery_time", true);   // init code
//! fn run() { delivery.add(12.5, #{ kind: "switch" }); }
//! ```
//! Declaring is only allowed in init code, and a name keeps the type it was first declared
//! with (another type is an error); `metric.name` reads it back. Samples carry the VU's scenario and group tags.

use rhai::{Dynamic, Engine, EvalAltResult, Map};

use super::convert::{js_string, js_to_number};
use crate::logger;
use crate::metrics::{self, MetricId, MetricKind};
use crate::runtime::vu;

/// A declared custom metric as scripts see it.
#[derive(Clone, Copy)]
pub struct CustomMetric(MetricId);

type Declared = Result<CustomMetric, Box<EvalAltResult>>;
/// k6's `metric.add()` returns `true` once the sample is recorded.
type Added = Result<bool, Box<EvalAltResult>>;

fn declare(name: &str, kind: MetricKind, is_time: bool) -> Declared {
    if vu::try_current().is_some_and(|v| !v.in_init.get()) {
        return Err(format!("metric \"{name}\" must be declared in init code (the script's top level)").into());
    }
    metrics::register(name, kind, is_time).map(CustomMetric).map_err(|e| e.to_string().into())
}

/// k6's `metric.add(value, tags)`: the value converted as JavaScript's `Number(value)` (a
/// bool as 1 or 0, `"12"` as 12, and, k6's rule, a non-empty string that is 0 as 1). A value that is not a number then (`NaN`, `()`, `"abc"`, a
/// map) records nothing: k6 logs its warning and returns `false`, and the iteration goes on;
/// with the `throw` option it is an error, as in k6. The sample keeps the number, for a
/// `Rate` too (`-o json` writes `5` for `rate.add(5)`, as k6); the rate counts any non-zero
/// value as true.
fn add(metric: CustomMetric, value: Dynamic, tags: Option<Map>) -> Added {
    if vu::try_current().is_some_and(|v| v.in_init.get()) {
        // As k6: every VU runs the init code, so it would be one sample per VU.
        return Err("Adding to metrics in the init context is not supported".into());
    }
    let Some(mut number) = js_to_number(&value) else {
        return Err(format!("metric.add() takes a number or a bool, got {}", value.type_name()).into());
    };
    if value.is_js_null() {
        // k6 takes no null either, though `Number(null)` is 0.
        number = f64::NAN;
    }
    // k6 adds 1 for a value that is 0 as a number but true as a bool: `"0"`, `" "`.
    if number == 0.0 && value.read_lock::<rhai::ImmutableString>().is_some_and(|s| !s.is_empty()) {
        number = 1.0;
    }
    if number.is_nan() {
        // A `()` is JavaScript's null or undefined (a missing field, `res.timings.x`).
        let shown = match value.is_unit() {
            true if value.is_js_null() => "null".to_string(),
            true => "undefined".to_string(),
            false => js_string(&value),
        };
        let name = metrics::name_of(metric.0).unwrap_or_default();
        let warning =
            format!("'{shown}' is an invalid value for metric '{name}', a number or a boolean value is expected");
        let vu = vu::current();
        if vu.shared.throw {
            return Err(warning.into());
        }
        logger::warn(&warning);
        return Ok(false);
    }
    let vu = vu::current();
    let mut set = vu.base_tags();
    for (k, v) in tags.unwrap_or_default() {
        let text = if v.is_string() { v.into_string().unwrap_or_default() } else { js_string(&v) };
        set.insert(&k, &text);
    }
    metrics::record(metric.0, &set, number);
    Ok(true)
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<CustomMetric>("Metric");
    engine.register_fn("Counter", |name: &str| declare(name, MetricKind::Counter, false));
    engine.register_fn("Gauge", |name: &str| declare(name, MetricKind::Gauge, false));
    engine.register_fn("Rate", |name: &str| declare(name, MetricKind::Rate, false));
    engine.register_fn("Trend", |name: &str| declare(name, MetricKind::Trend, false));
    engine.register_fn("Trend", |name: &str, is_time: bool| declare(name, MetricKind::Trend, is_time));
    // k6's `metric.name`: the name the metric was declared with.
    engine.register_get("name", |m: &mut CustomMetric| metrics::name_of(m.0).unwrap_or_default());
    engine.register_fn("add", |m: CustomMetric, value: Dynamic| add(m, value, None));
    engine.register_fn("add", |m: CustomMetric, value: Dynamic, tags: Map| add(m, value, Some(tags)));
    // `()` tags: k6 takes `null` as no tags.
    engine.register_fn("add", |m: CustomMetric, value: Dynamic, _: ()| add(m, value, None));
}
