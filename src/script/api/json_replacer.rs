//! `JSON.stringify(value, replacer)`'s replacer, for a converted k6 script: `js_json_replace(value,
//! replacer)` is the value that `JSON.stringify` then writes (`js_json`, or `js_stringify_indent`
//! with a third argument), taken as ECMAScript's SerializeJSONProperty takes it:
//! - a function is called with each key and value, the root's key `""` first, then every key of
//!   what it returned, depth first; arrays' keys are their indices as text. Each value is the one
//!   `toJSON` gives (a `Date`'s text) before the function sees it. What it returns replaces the
//!   value: `undefined` leaves a key out of an object, and is `null` in an array;
//! - a list of keys keeps, in every object at any depth, those keys only; arrays keep every
//!   element. Numbers in the list are keys as their text;
//! - anything else is no replacer, as JavaScript ignores it.
//!
//! Not kept: `this` in the function (the object holding the key) is not given, and the keys a
//! list picks are written in JavaScript's usual order (integer keys first, then insertion), where
//! JavaScript writes them in the list's order; the two differ only for keys that are integers.

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, Map, NativeCallContext};

use super::body::JsonValue;
use super::call::call_fitting_as;
use super::convert::js_number;
use super::key_order;

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// A replacer that keeps nesting its values deeper (`(k, v) => ({ v })`) never ends in
/// JavaScript either: it overflows the stack there, and fails at this depth here.
const MAX_DEPTH: usize = 512;

pub fn register(engine: &mut Engine) {
    engine.register_fn("js_json_replace", js_json_replace);
}

fn js_json_replace(ctx: NativeCallContext, value: Dynamic, replacer: Dynamic) -> RhaiResult<Dynamic> {
    if let Some(f) = replacer.clone().try_cast::<FnPtr>() {
        return replaced(&ctx, &f, &mut None, "", value, 0);
    }
    if let Some(list) = replacer.read_lock::<Array>() {
        return Ok(picked(value, &property_list(&list)));
    }
    Ok(value)
}

/// `value` under `key`, as the function replaces it, then its own keys' values in turn.
fn replaced(
    ctx: &NativeCallContext,
    f: &FnPtr,
    fit: &mut Option<usize>,
    key: &str,
    value: Dynamic,
    depth: usize,
) -> RhaiResult<Dynamic> {
    if depth > MAX_DEPTH {
        return Err("RangeError: Maximum call stack size exceeded (JSON.stringify's replacer nests without end)".into());
    }
    let value = call_fitting_as(ctx, f, vec![key.into(), to_json(value)], fit)?;
    if value.is_map() {
        let map = value.cast::<Map>();
        let mut out = Map::default();
        for (k, v) in key_order::entries(&map) {
            out.insert(k.into(), replaced(ctx, f, fit, k, v.clone(), depth + 1)?);
        }
        return Ok(out.into());
    }
    if value.is_array() {
        let mut out = Array::new();
        for (i, v) in value.cast::<Array>().into_iter().enumerate() {
            out.push(replaced(ctx, f, fit, &i.to_string(), v, depth + 1)?);
        }
        return Ok(out.into());
    }
    Ok(value)
}

/// `value` with only the keys of `keys` in each of its objects.
fn picked(value: Dynamic, keys: &[String]) -> Dynamic {
    let value = to_json(value);
    if value.is_map() {
        let map = value.cast::<Map>();
        let mut out = Map::default();
        for key in keys {
            if let Some(v) = map.get(key.as_str()) {
                out.insert(key.into(), picked(v.clone(), keys));
            }
        }
        return out.into();
    }
    if value.is_array() {
        return value.cast::<Array>().into_iter().map(|v| picked(v, keys)).collect::<Array>().into();
    }
    value
}

/// The keys of a list replacer: its strings, and its numbers as text, each once, in order.
fn property_list(list: &Array) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for item in list {
        let key = if let Ok(s) = item.clone().into_immutable_string() {
            s.to_string()
        } else if let Ok(i) = item.as_int() {
            i.to_string()
        } else if let Ok(f) = item.as_float() {
            js_number(f)
        } else {
            continue;
        };
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// What `toJSON` gives for a value JSON writes as something else than it is (a `Date`, a
/// `Map`): the value `js_json` would write, read back. Maps, arrays and plain values are
/// themselves.
fn to_json(value: Dynamic) -> Dynamic {
    let plain = value.is_map()
        || value.is_array()
        || value.is_string()
        || value.is_int()
        || value.is_float()
        || value.is_bool()
        || value.is_char()
        || value.is_unit()
        || value.is_fnptr();
    if plain {
        return value;
    }
    serde_json::to_value(JsonValue::js(&value))
        .ok()
        .and_then(|json| serde_json::from_value::<Dynamic>(json).ok())
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(script: &str) -> String {
        let mut engine = Engine::new();
        super::super::body::register(&mut engine);
        super::super::core::register(&mut engine);
        super::super::call::register(&mut engine);
        register(&mut engine);
        engine.eval::<String>(script).unwrap()
    }

    #[test]
    fn a_function_replaces_every_value_depth_first_from_the_root() {
        let out = json(
            r#"let seen = []; let r = js_json(js_json_replace(#{ a: 1, b: [2, "x"] }, |k, v| { seen.push(k); if type_of(v) == "i64" { v * 10 } else { v } })); let keys = ""; for k in seen { keys += `/${k}`; } `${r} ${keys}`"#,
        );
        assert_eq!(out, r#"{"a":10,"b":[20,"x"]} //a/b/0/1"#);
    }

    #[test]
    fn undefined_from_the_function_leaves_a_key_out_and_is_null_in_an_array() {
        let out = json(
            r#"js_json(js_json_replace(#{ a: 1, secret: "s", xs: [1, 2] }, |k, v| if k == "secret" || k == "1" { () } else { v }))"#,
        );
        assert_eq!(out, r#"{"a":1,"xs":[1,null]}"#);
    }

    #[test]
    fn a_list_keeps_its_keys_at_every_depth_and_every_element_of_arrays() {
        let out = json(
            r#"js_json(js_json_replace(#{ id: 1, name: "n", extra: 2, items: [#{ id: 3, x: 4 }] }, ["id", "items", "id"]))"#,
        );
        assert_eq!(out, r#"{"id":1,"items":[{"id":3}]}"#);
    }

    #[test]
    fn anything_else_is_no_replacer() {
        assert_eq!(json(r#"js_json(js_json_replace(#{ a: 1 }, 5))"#), r#"{"a":1}"#);
    }

    #[test]
    fn a_replacer_nesting_without_end_fails_instead_of_overflowing() {
        // On a stack as deep as a VU's (engine::VU_STACK_SIZE in a debug build).
        let err = std::thread::Builder::new()
            .stack_size(crate::script::engine::VU_STACK_SIZE)
            .spawn(|| {
                let mut engine = Engine::new();
                super::super::call::register(&mut engine);
                register(&mut engine);
                engine.eval::<Dynamic>(r#"js_json_replace(1, |k, v| #{ v: v })"#).unwrap_err().to_string()
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(err.contains("Maximum call stack size exceeded"), "{err}");
    }
}
