//! k6's `SharedArray` (k6/data) as `shared_array(name, closure)`: an array built once per run
//! and read by every VU without a copy of its own.
//!
//! ```rhai
//! const users = shared_array("users", || parse_json(open("users.json")));   // init code
//! fn run() { let u = users[random_int(0, users.len() - 1)]; … }
//! ```
//! The first call for a name (in practice the options VU, which runs the init code before any
//! other VU) calls the closure and freezes its array; every later call, in any VU on any
//! thread, returns the frozen array without calling the closure. 10,000 VUs sharing a 50 MB
//! array hold one copy.
//!
//! The closure returns an array (k6's form) or, rload's cheaper form for big files, the text
//! of a JSON array: `shared_array("users", || open("users.json"))` freezes the elements as the
//! slices of the text they are, where `|| parse_json(open(…))` first builds the whole array
//! as Rhai values (several times the file's size, for the moment it takes to freeze it).
//!
//! **How it is shared.** Rhai values are not `Sync`, so the array is kept as k6 keeps it: each
//! element serialised to JSON, all of them in one immutable buffer behind an `Arc`. Reading
//! `arr[i]` parses that element into a fresh Rhai value: elements come out as copies, and
//! changing one changes nothing shared (k6's elements are copies too). `len()` (and k6's
//! `length`), `is_empty()`, `arr[i]` (out of range: `()`, k6's `undefined`), `for x in arr`,
//! `extract` (k6's `slice`), `+ [..]` (`concat`), `[..] + arr` (a spread, `[...arr]`) and Rhai's non-mutating array functions
//! (`map`, `filter`, `find`, `index_of`, `contains`, `some`, `all`, `reduce`, …) are
//! supported; writing `arr[i] = …` is an error, as the array is read-only.
//!
//! **Why the closure runs without the registry's lock.** VUs are coroutines that share a worker
//! thread and yield from long-running code; a lock held across the closure could be wanted
//! by another VU of the same thread and never released. So the closure runs unlocked and the
//! first array stored under a name wins; a racing builder's array is dropped. The registry
//! is the process's: rload runs one test per process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, NativeCallContext};

use crate::runtime::vu;

/// A frozen array: every element's JSON, back to back, and where each one ends.
#[derive(Debug)]
struct Frozen {
    json: String,
    ends: Vec<usize>,
}

/// Whether `value` is or holds a Date, a URL, a URLSearchParams, a Map or a Set: only then is
/// it rebuilt by [`as_json_value`] (a big array of plain maps is frozen as it is).
fn holds_js_object(value: &Dynamic) -> bool {
    if let Some(map) = value.read_lock::<rhai::Map>() {
        return map.values().any(holds_js_object);
    }
    if let Some(items) = value.read_lock::<Array>() {
        return items.iter().any(holds_js_object);
    }
    value.is::<super::date::JsDate>()
        || value.is::<super::url::JsUrl>()
        || value.is::<super::url::JsSearchParams>()
        || value.is::<super::collections::JsMap>()
        || value.is::<super::collections::JsSet>()
}

/// A value as k6 freezes it (through JSON): a Date as its ISO text (null when invalid), a URL
/// as its href, a URLSearchParams, a Map or a Set as `{}`, inside maps and arrays too; the rest
/// as it is.
fn as_json_value(value: Dynamic) -> Dynamic {
    if let Some(date) = value.read_lock::<super::date::JsDate>().map(|d| *d) {
        return date.iso().map_or(Dynamic::NULL, Dynamic::from);
    }
    if let Some(url) = value.read_lock::<super::url::JsUrl>().map(|u| u.href()) {
        return url.into();
    }
    if value.is::<super::url::JsSearchParams>()
        || value.is::<super::collections::JsMap>()
        || value.is::<super::collections::JsSet>()
    {
        return Dynamic::from(rhai::Map::default());
    }
    if value.is_map() {
        let map = value.cast::<rhai::Map>();
        return Dynamic::from(map.into_iter().map(|(k, v)| (k, as_json_value(v))).collect::<rhai::Map>());
    }
    if value.is_array() {
        return Dynamic::from(value.cast::<Array>().into_iter().map(as_json_value).collect::<Array>());
    }
    value
}

impl Frozen {
    fn freeze(name: &str, items: Array) -> Result<Frozen, String> {
        let mut json = String::new();
        let mut ends = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let item = if holds_js_object(&item) { as_json_value(item) } else { item };
            if item.is_fnptr() || item.is_blob() || !(item.is_map() || item.is_array() || is_scalar(&item)) {
                return Err(format!(
                    "shared_array(\"{name}\"): element {i} is a {}; only JSON values (maps, arrays, strings, numbers, bools, ()) can be shared",
                    item.type_name()
                ));
            }
            let text =
                serde_json::to_string(&item).map_err(|e| format!("shared_array(\"{name}\"): element {i}: {e}"))?;
            json.push_str(&text);
            ends.push(json.len());
        }
        json.shrink_to_fit();
        Ok(Frozen { json, ends })
    }

    /// Freezes the elements of `text`, a JSON array, straight from its text: no value tree of
    /// the whole array is ever built, so a 50 MB file costs the file and one copy.
    fn freeze_json(name: &str, text: &str) -> Result<Frozen, String> {
        let items: Vec<&serde_json::value::RawValue> = serde_json::from_str(text).map_err(|e| {
            format!("shared_array(\"{name}\"): the function returned a string that is not a JSON array: {e}")
        })?;
        let mut json = String::with_capacity(items.iter().map(|i| i.get().len()).sum());
        let mut ends = Vec::with_capacity(items.len());
        for item in items {
            json.push_str(item.get());
            ends.push(json.len());
        }
        Ok(Frozen { json, ends })
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// A fresh copy of element `i`.
    fn get(&self, i: usize) -> Dynamic {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        serde_json::from_str::<Dynamic>(&self.json[start..self.ends[i]]).unwrap_or(Dynamic::UNIT)
    }
}

fn is_scalar(v: &Dynamic) -> bool {
    v.is_unit() || v.is_bool() || v.is_int() || v.is_float() || v.is_string() || v.is_char()
}

/// A shared array as scripts see it: a handle on the frozen data.
#[derive(Clone)]
pub struct SharedArray(Arc<Frozen>);

impl SharedArray {
    /// A copy of the whole array, as a Rhai array.
    pub fn to_array(&self) -> Array {
        (0..self.0.len()).map(|i| self.0.get(i)).collect()
    }

    /// Rhai's `extract(start, len)` of the array, copying only those elements: a negative
    /// `start` counts from the end, `len` stops at the end.
    fn extract(&self, start: i64, len: i64) -> Array {
        let n = self.0.len();
        let start = match usize::try_from(start) {
            Ok(s) => s.min(n),
            Err(_) => n.saturating_sub(usize::try_from(start.unsigned_abs()).unwrap_or(usize::MAX)),
        };
        let end = start.saturating_add(usize::try_from(len).unwrap_or(0)).min(n);
        (start..end).map(|i| self.0.get(i)).collect()
    }
}

impl IntoIterator for SharedArray {
    type Item = Dynamic;
    type IntoIter = Box<dyn Iterator<Item = Dynamic>>;

    fn into_iter(self) -> Self::IntoIter {
        let frozen = self.0;
        Box::new((0..frozen.len()).map(move |i| frozen.get(i)))
    }
}

type Registry = Mutex<HashMap<String, Arc<Frozen>>>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::default)
}

fn lookup(name: &str) -> Option<Arc<Frozen>> {
    registry().lock().unwrap_or_else(PoisonError::into_inner).get(name).cloned()
}

fn shared_array(ctx: NativeCallContext, name: &str, build: FnPtr) -> Result<SharedArray, Box<EvalAltResult>> {
    if vu::try_current().is_some_and(|v| !v.in_init.get()) {
        return Err("shared_array() must be called in the init context (the script's top level)".into());
    }
    if name.is_empty() {
        return Err("shared_array(): empty name".into());
    }
    if let Some(frozen) = lookup(name) {
        return Ok(SharedArray(frozen));
    }
    let built = build.call_within_context::<Dynamic>(&ctx, ())?;
    let type_name = built.type_name();
    let frozen = if built.is_string() {
        Frozen::freeze_json(name, &built.into_immutable_string()?)?
    } else {
        let items = built.try_cast::<Array>().ok_or_else(|| {
            format!(
                "shared_array(\"{name}\"): the function must return an array (or a JSON array's text), not {type_name}"
            )
        })?;
        Frozen::freeze(name, items)?
    };
    let frozen = Arc::new(frozen);
    let mut registry = registry().lock().unwrap_or_else(PoisonError::into_inner);
    Ok(SharedArray(Arc::clone(registry.entry(name.to_string()).or_insert(frozen))))
}

fn index(arr: &mut SharedArray, i: i64) -> Dynamic {
    match usize::try_from(i) {
        Ok(i) if i < arr.0.len() => arr.0.get(i),
        _ => Dynamic::UNIT,
    }
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<SharedArray>("SharedArray");
    engine.register_fn("shared_array", shared_array);
    engine.register_fn("len", |a: &mut SharedArray| a.0.len() as i64);
    engine.register_get("length", |a: &mut SharedArray| a.0.len() as i64);
    engine.register_fn("is_empty", |a: &mut SharedArray| a.0.len() == 0);
    engine.register_indexer_get(index);
    engine.register_indexer_set(|_: &mut SharedArray, i: i64, _: Dynamic| -> Result<(), Box<EvalAltResult>> {
        Err(format!("a shared array is read-only (k6's SharedArray); copy the element to change it: let x = arr[{i}];")
            .into())
    });
    engine.register_iterator::<SharedArray>();
    engine.register_fn("extract", |a: &mut SharedArray, start: i64, len: i64| a.extract(start, len));
    engine.register_fn("extract", |a: &mut SharedArray, start: i64| a.extract(start, i64::MAX));
    engine.register_fn("+", |a: &mut SharedArray, b: Array| {
        let mut all = a.to_array();
        all.extend(b);
        all
    });
    // An array's spread of it, `[...arr]` and `[x, ...arr]`, which `rload convert` writes as
    // `[] + arr` and `[x] + arr`; `+=` appends it in place.
    engine.register_fn("+", |mut a: Array, b: SharedArray| {
        a.extend(b.to_array());
        a
    });
    engine.register_fn("+=", |a: &mut Array, b: SharedArray| a.extend(b.to_array()));
    // k6's SharedArray has every non-mutating method of a JavaScript array (it is a read-only
    // proxy of one). These are Rhai's own array functions, with a copy of the elements (each
    // visits every element, which k6 also reads one by one): the names `rload convert` writes
    // for `map`, `filter`, `find`, `findIndex`, `indexOf`, `includes`, `some`, `every`,
    // `reduce` and `forEach`, and Rhai's `find_map` and `reduce_rev`. Changing it (`push`,
    // `sort`, …) has no function, as k6 throws "SharedArray is immutable".
    for name in
        ["map", "filter", "find", "find_map", "index_of", "contains", "some", "all", "reduce", "reduce_rev", "for_each"]
    {
        engine.register_fn(name, move |ctx: NativeCallContext, a: &mut SharedArray, x: Dynamic| {
            ctx.call_native_fn::<Dynamic>(name, (a.to_array(), x))
        });
        engine.register_fn(name, move |ctx: NativeCallContext, a: &mut SharedArray, x: Dynamic, y: Dynamic| {
            ctx.call_native_fn::<Dynamic>(name, (a.to_array(), x, y))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_come_back_as_equal_copies() {
        let mut m = rhai::Map::default();
        m.insert("user".into(), Dynamic::from("ann"));
        m.insert("n".into(), Dynamic::from(3_i64));
        let items: Array = vec![Dynamic::from(m), Dynamic::from(1.5), Dynamic::from("s"), Dynamic::UNIT];
        let frozen = Frozen::freeze("t", items).unwrap();
        assert_eq!(frozen.len(), 4);
        let first = frozen.get(0).cast::<rhai::Map>();
        assert_eq!(first["user"].clone().into_string().unwrap(), "ann");
        assert_eq!(first["n"].as_int().unwrap(), 3);
        assert_eq!(frozen.get(1).as_float().unwrap(), 1.5);
        assert_eq!(frozen.get(2).into_string().unwrap(), "s");
        assert!(frozen.get(3).is_unit());
    }

    #[test]
    fn extract_copies_the_range_rhai_extract_gives_on_an_array() {
        let items: Array = (0..5_i64).map(Dynamic::from).collect();
        let shared = SharedArray(Arc::new(Frozen::freeze("t", items.clone()).unwrap()));
        let ints = |a: Array| a.into_iter().map(|d| d.as_int().unwrap()).collect::<Vec<_>>();
        for (start, len) in [(1, 2), (0, 9), (-2, 5), (-9, 2), (4, 1), (5, 1), (7, 1), (2, 0), (2, -1), (3, i64::MAX)] {
            let rhai: Array = Engine::new().eval(&format!("[0, 1, 2, 3, 4].extract({start}, {len})")).unwrap();
            assert_eq!(ints(shared.extract(start, len)), ints(rhai), "extract({start}, {len})");
        }
    }

    #[test]
    fn a_json_text_freezes_to_the_same_elements_as_its_parsed_array() {
        let text = r#"[ {"user": "ann", "n": 3}, 1.5, "s", null, [1, 2] ]"#;
        let frozen = Frozen::freeze_json("t", text).unwrap();
        assert_eq!(frozen.len(), 5);
        assert_eq!(frozen.get(0).cast::<rhai::Map>()["n"].as_int().unwrap(), 3);
        assert_eq!(frozen.get(4).cast::<Array>().len(), 2);
        assert!(Frozen::freeze_json("t", r#"{"a": 1}"#).unwrap_err().contains("not a JSON array"));
    }

    #[test]
    fn a_function_or_blob_element_is_refused_by_position() {
        let fp = Dynamic::from(FnPtr::new("f").unwrap());
        let err = Frozen::freeze("t", vec![Dynamic::from(1_i64), fp]).unwrap_err();
        assert!(err.contains("element 1"), "{err}");
    }
}
