//! JavaScript's `Map` and `Set` for Rhai: `js_map(entries?)` and `js_set(values?)`, what
//! `rload convert` writes for `new Map(…)` and `new Set(…)`.
//!
//! ```rhai
//! let seen = js_set();
//! seen.add(id);
//! if seen.has(other) { … }
//! for (k, v) in counts.entries() { … }
//! ```
//!
//! One shared object, as in JavaScript (a copy, a function's parameter, is the same Map), in
//! insertion order. Keys compare as JavaScript's SameValueZero does for the values they can
//! be: strings, numbers (`1` and `1.0` one key, NaN equal to itself), booleans and `()`; a map,
//! an array or another object as a key is an error, as JavaScript would compare it by identity,
//! which a Rhai value has not. `set`/`add` return the collection (chaining), `get` gives `()`
//! for none, `delete` whether there was one, `size`, `clear`, and `keys()`, `values()`,
//! `entries()` as arrays (a Map's entries `[key, value]`, a Set's `[value, value]`).
//! `for x in m` iterates the object itself as JavaScript's `for…of` does, over what it holds when
//! the loop starts: a Map's `[key, value]` entries, a Set's values (`rload convert` writes
//! `entries()`/`values()` for a variable it saw made with `new Map`/`new Set`, and the object
//! itself for any other receiver).
//! `[...m]` is `[] + m` (a Map's entries, a Set's values); JSON writes both as `{}`, as
//! `JSON.stringify` does.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use rhai::{Array, Dynamic, Engine, EvalAltResult};

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// A key as SameValueZero compares it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Unit,
    Bool(bool),
    Num(u64),
    Str(String),
}

fn key_of(v: &Dynamic) -> RhaiResult<Key> {
    if v.is_unit() {
        return Ok(Key::Unit);
    }
    if let Ok(b) = v.as_bool() {
        return Ok(Key::Bool(b));
    }
    let number = v.as_int().map(|i| i as f64).or_else(|_| v.as_float());
    if let Ok(f) = number {
        let f = if f == 0.0 {
            0.0
        } else if f.is_nan() {
            f64::NAN
        } else {
            f
        };
        return Ok(Key::Num(f.to_bits()));
    }
    if let Some(s) = v.read_lock::<rhai::ImmutableString>() {
        return Ok(Key::Str(s.to_string()));
    }
    Err(format!(
        "a {} as a Map key or Set value: JavaScript compares objects by identity, which a Rhai value has not; use a string or a number (its id) as the key",
        v.type_name()
    )
    .into())
}

/// Entries in insertion order, with an index by key.
#[derive(Default)]
struct Entries {
    items: Vec<(Dynamic, Dynamic)>,
    index: HashMap<Key, usize>,
}

impl Entries {
    fn set(&mut self, k: Dynamic, v: Dynamic) -> RhaiResult<()> {
        let key = key_of(&k)?;
        match self.index.get(&key) {
            Some(&i) => self.items[i].1 = v,
            None => {
                self.index.insert(key, self.items.len());
                self.items.push((k, v));
            }
        }
        Ok(())
    }

    fn get(&self, k: &Dynamic) -> RhaiResult<Option<&Dynamic>> {
        Ok(self.index.get(&key_of(k)?).map(|&i| &self.items[i].1))
    }

    fn delete(&mut self, k: &Dynamic) -> RhaiResult<bool> {
        let Some(i) = self.index.remove(&key_of(k)?) else {
            return Ok(false);
        };
        let _removed = self.items.remove(i);
        for slot in self.index.values_mut() {
            if *slot > i {
                *slot -= 1;
            }
        }
        Ok(true)
    }
}

/// A JavaScript `Map`.
#[derive(Clone, Default)]
pub struct JsMap(Rc<RefCell<Entries>>);

/// A JavaScript `Set`.
#[derive(Clone, Default)]
pub struct JsSet(Rc<RefCell<Entries>>);

fn pair(a: Dynamic, b: Dynamic) -> Dynamic {
    Dynamic::from(vec![a, b])
}

impl JsMap {
    pub fn entries(&self) -> Array {
        self.0.borrow().items.iter().map(|(k, v)| pair(k.clone(), v.clone())).collect()
    }
}

impl JsSet {
    pub fn values(&self) -> Array {
        self.0.borrow().items.iter().map(|(k, _)| k.clone()).collect()
    }
}

/// `for (k, v) in m`: the Map's `[key, value]` entries when the loop starts.
impl IntoIterator for JsMap {
    type Item = Dynamic;
    type IntoIter = std::vec::IntoIter<Dynamic>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries().into_iter()
    }
}

/// `for x in s`: the Set's values when the loop starts.
impl IntoIterator for JsSet {
    type Item = Dynamic;
    type IntoIter = std::vec::IntoIter<Dynamic>;

    fn into_iter(self) -> Self::IntoIter {
        self.values().into_iter()
    }
}

/// The elements of an iterable a constructor takes: an array, another Map's entries or Set's
/// values, a string's characters.
fn items_of(init: &Dynamic) -> RhaiResult<Array> {
    if init.is_unit() {
        return Ok(Array::new());
    }
    if let Some(a) = init.read_lock::<Array>() {
        return Ok(a.clone());
    }
    if let Some(m) = init.read_lock::<JsMap>() {
        return Ok(m.entries());
    }
    if let Some(s) = init.read_lock::<JsSet>() {
        return Ok(s.values());
    }
    if let Some(s) = init.read_lock::<super::shared_array::SharedArray>() {
        return Ok(s.to_array());
    }
    if let Some(s) = init.read_lock::<rhai::ImmutableString>() {
        return Ok(s.chars().map(|c| Dynamic::from(c.to_string())).collect());
    }
    Err(format!("TypeError: {} is not iterable", init.type_name()).into())
}

fn new_map(init: &Dynamic) -> RhaiResult<JsMap> {
    let map = JsMap::default();
    for item in items_of(init)? {
        match item.read_lock::<Array>() {
            Some(kv) => map
                .0
                .borrow_mut()
                .set(kv.first().cloned().unwrap_or_default(), kv.get(1).cloned().unwrap_or_default())?,
            None => return Err("TypeError: Iterator value is not an entry object".into()),
        }
    }
    Ok(map)
}

fn new_set(init: &Dynamic) -> RhaiResult<JsSet> {
    let set = JsSet::default();
    for item in items_of(init)? {
        set.0.borrow_mut().set(item, Dynamic::UNIT)?;
    }
    Ok(set)
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<JsMap>("Map");
    engine.register_type_with_name::<JsSet>("Set");
    engine.register_iterator::<JsMap>();
    engine.register_iterator::<JsSet>();
    engine.register_fn("js_map", JsMap::default);
    engine.register_fn("js_map", |init: Dynamic| new_map(&init));
    engine.register_fn("js_set", JsSet::default);
    engine.register_fn("js_set", |init: Dynamic| new_set(&init));

    engine.register_fn("set", |m: &mut JsMap, k: Dynamic, v: Dynamic| -> RhaiResult<JsMap> {
        m.0.borrow_mut().set(k, v)?;
        Ok(m.clone())
    });
    engine.register_fn("get", |m: &mut JsMap, k: Dynamic| -> RhaiResult<Dynamic> {
        Ok(m.0.borrow().get(&k)?.cloned().unwrap_or_default())
    });
    engine.register_fn("has", |m: &mut JsMap, k: Dynamic| -> RhaiResult<bool> { Ok(m.0.borrow().get(&k)?.is_some()) });
    engine.register_fn("delete", |m: &mut JsMap, k: Dynamic| m.0.borrow_mut().delete(&k));
    engine.register_fn("clear", |m: &mut JsMap| *m.0.borrow_mut() = Entries::default());
    engine.register_get("size", |m: &mut JsMap| m.0.borrow().items.len() as i64);
    engine
        .register_fn("keys", |m: &mut JsMap| -> Array { m.0.borrow().items.iter().map(|(k, _)| k.clone()).collect() });
    engine.register_fn("values", |m: &mut JsMap| -> Array {
        m.0.borrow().items.iter().map(|(_, v)| v.clone()).collect()
    });
    engine.register_fn("entries", |m: &mut JsMap| m.entries());
    engine.register_fn("+", |mut a: Array, m: JsMap| {
        a.extend(m.entries());
        a
    });
    engine.register_fn("to_json", |_: &mut JsMap| "{}");

    engine.register_fn("add", |s: &mut JsSet, v: Dynamic| -> RhaiResult<JsSet> {
        s.0.borrow_mut().set(v, Dynamic::UNIT)?;
        Ok(s.clone())
    });
    engine.register_fn("has", |s: &mut JsSet, v: Dynamic| -> RhaiResult<bool> { Ok(s.0.borrow().get(&v)?.is_some()) });
    engine.register_fn("delete", |s: &mut JsSet, v: Dynamic| s.0.borrow_mut().delete(&v));
    engine.register_fn("clear", |s: &mut JsSet| *s.0.borrow_mut() = Entries::default());
    engine.register_get("size", |s: &mut JsSet| s.0.borrow().items.len() as i64);
    engine.register_fn("keys", |s: &mut JsSet| s.values());
    engine.register_fn("values", |s: &mut JsSet| s.values());
    engine.register_fn("entries", |s: &mut JsSet| -> Array {
        s.values().into_iter().map(|v| pair(v.clone(), v)).collect()
    });
    engine.register_fn("+", |mut a: Array, s: JsSet| {
        a.extend(s.values());
        a
    });
    engine.register_fn("to_json", |_: &mut JsSet| "{}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_as_same_value_zero() {
        let mut e = Entries::default();
        e.set(Dynamic::from(1_i64), "a".into()).unwrap();
        e.set(Dynamic::from(1.0_f64), "b".into()).unwrap();
        e.set(Dynamic::from(f64::NAN), "n".into()).unwrap();
        e.set(Dynamic::from(f64::NAN), "n2".into()).unwrap();
        e.set(Dynamic::from(-0.0_f64), "z".into()).unwrap();
        e.set(Dynamic::from("1"), "s".into()).unwrap();
        assert_eq!(e.items.len(), 4, "1 and 1.0 one key, NaN one key, -0 and 0 one key, '1' its own");
        assert_eq!(e.get(&Dynamic::from(0_i64)).unwrap().unwrap().clone().into_string().unwrap(), "z");
        assert!(e.delete(&Dynamic::from(1_i64)).unwrap());
        assert_eq!(e.get(&Dynamic::from("1")).unwrap().unwrap().clone().into_string().unwrap(), "s");
        assert!(key_of(&Dynamic::from(rhai::Map::default())).is_err());
    }
}
