//! The run's setup data: `setup()`'s return value as JSON, shared by the scheduler, the REST
//! API (`GET`/`PUT /v1/setup`) and every VU, which reads it back as its `data`.

use std::sync::Arc;

use rhai::{Dynamic, EvalAltResult};

use crate::script::api::body::JsonValue;
use crate::script::api::date::JsDate;
use crate::script::api::shared_array::SharedArray;

/// The run's setup data as JSON, shared by the scheduler, the REST API and the VUs.
pub type SetupData = Arc<std::sync::RwLock<Option<String>>>;

/// A new cell holding `data`.
pub fn setup_data(data: Option<String>) -> SetupData {
    Arc::new(std::sync::RwLock::new(data))
}

pub(super) fn read_setup_data(cell: &SetupData) -> Option<String> {
    cell.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
}

/// How the error that `setup()`'s data cannot be passed on as JSON starts (k6's words); the
/// run ends with it, as k6's does, with exit code 255.
pub const SETUP_DATA_ERROR: &str = "marshaling setup() data to JSON";

/// `setup()`'s return value as the JSON every VU's `data` is made from. As in k6, which
/// marshals it with Go's JSON encoder, NaN, an infinity or a function anywhere in it is an
/// error that ends the run, where serialising would write `null` or the function's name.
///
/// A float stays a float, whole or not (`1.0` is written `1.0`, and read back as an `f64`):
/// a Rhai script writes `1.0` to get float arithmetic, and `data.think / 2` must be `0.5` in
/// `run(data)` as it is in `setup()`. (JavaScript has one number type, so k6 has no such
/// question; request bodies and `console.log` still write whole floats as JavaScript does.)
pub(super) fn setup_data_json(data: &Dynamic) -> Result<serde_json::Value, String> {
    fn unsupported(value: &Dynamic, path: &str) -> Option<String> {
        if let Ok(f) = value.as_float() {
            let name = if f.is_nan() {
                "NaN"
            } else if f == f64::INFINITY {
                "+Inf"
            } else {
                "-Inf"
            };
            return (!f.is_finite()).then(|| format!("json: unsupported value: {name} (at {path})"));
        }
        if value.is_fnptr() {
            return Some(format!("json: unsupported type: function (at {path})"));
        }
        if let Some(map) = value.read_lock::<rhai::Map>() {
            return map.iter().find_map(|(k, v)| unsupported(v, &format!("{path}.{k}")));
        }
        if let Some(items) = value.read_lock::<rhai::Array>() {
            return items.iter().enumerate().find_map(|(i, v)| unsupported(v, &format!("{path}[{i}]")));
        }
        None
    }
    if let Some(why) = unsupported(data, "data") {
        return Err(format!("{SETUP_DATA_ERROR}: {why}"));
    }
    keeping_floats(data).map_err(|e| format!("{SETUP_DATA_ERROR}: {e}"))
}

/// `value` as JSON, as [`JsonValue`] writes it but with every float kept as a JSON float, and a
/// `Date` as k6 writes it ([`JsDate::go_json_text`]).
fn keeping_floats(value: &Dynamic) -> Result<serde_json::Value, serde_json::Error> {
    if let Ok(x) = value.as_float() {
        // Finite: `setup_data_json` refused the others.
        return Ok(serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number));
    }
    if let Some(map) = value.read_lock::<rhai::Map>() {
        return map.iter().map(|(k, v)| Ok((k.to_string(), keeping_floats(v)?))).collect();
    }
    if let Some(items) = value.read_lock::<rhai::Array>() {
        return items.iter().map(keeping_floats).collect();
    }
    if let Some(shared) = value.read_lock::<SharedArray>() {
        return shared.to_array().iter().map(keeping_floats).collect();
    }
    // k6 marshals a Date as Go marshals a time, not as `JSON.stringify` writes it.
    if let Some(date) = value.read_lock::<JsDate>() {
        return Ok(date.go_json_text().map_or(serde_json::Value::Null, serde_json::Value::String));
    }
    serde_json::to_value(JsonValue::rhai(value))
}

pub(super) fn json_value(json: Option<&str>) -> Result<Dynamic, Box<EvalAltResult>> {
    match json {
        None => Ok(Dynamic::UNIT),
        Some(json) => {
            let value: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
            rhai::serde::to_dynamic(value)
        }
    }
}
