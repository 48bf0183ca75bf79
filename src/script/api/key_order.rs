//! JavaScript's order of an object's keys, where a script observes it: `to_json()` (a port of
//! `JSON.stringify`) and `console.log`, and `js_own_keys(map)`/`js_own_values(map)`, which the
//! converter's helpers call for `Object.keys`/`values`/`entries` and `for…in`.
//!
//! A Rhai map keeps insertion order (vendor/rhai/RLOAD-PATCH.md, the fourth change), as a
//! JavaScript object keeps its string keys. JavaScript lists the keys that are array indices
//! (the canonical decimal text of an integer from 0 to 2^32 − 2: `"0"`, `"10"`, not `"01"`,
//! `"-1"` or `"4294967295"`) first, in ascending numeric order, then the others in insertion
//! order; V8 and goja (k6) alike. The map is not reordered on insert: the order is applied
//! here, when keys are listed or written, and a map without such a key (nearly every map) is
//! read as it is.
//!
//! Not here: places where k6 sorts keys as Go does (form bodies, request headers, tags), which
//! sort where they are built.

use rhai::{Array, Dynamic, Engine, Map};

pub fn register(engine: &mut Engine) {
    engine.register_fn("js_own_keys", |map: &mut Map| -> Array {
        entries(map).map(|(key, _)| Dynamic::from(key.to_owned())).collect()
    });
    engine.register_fn("js_own_values", |map: &mut Map| -> Array { entries(map).map(|(_, v)| v.clone()).collect() });
}

/// Whether `key` is an array index in JavaScript's sense: `"0"`, or digits without a leading
/// zero whose value is at most 2^32 − 2.
pub fn is_array_index(key: &str) -> bool {
    match key.as_bytes() {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] => {
            rest.len() <= 9
                && rest.iter().all(u8::is_ascii_digit)
                && key.parse::<u64>().is_ok_and(|n| n < u32::MAX as u64)
        }
        _ => false,
    }
}

/// The map's entries in JavaScript's order: array-index keys first, ascending, then the others
/// in insertion order. A map without an array-index key is iterated as it is, with no
/// allocation.
pub fn entries(map: &Map) -> impl Iterator<Item = (&str, &Dynamic)> {
    let order = order(map);
    let (plain, ordered) = match order {
        None => (Some(map.iter()), None),
        Some(order) => (None, Some(order.into_iter().filter_map(|i| map.get_index(i)))),
    };
    plain.into_iter().flatten().chain(ordered.into_iter().flatten()).map(|(k, v)| (k.as_str(), v))
}

/// The positions of the map's entries in JavaScript's order, or `None` when that is the map's
/// own order.
fn order(map: &Map) -> Option<Vec<usize>> {
    // Every array index but "0" starts with 1-9, so most keys are settled by their first byte.
    if !map.keys().any(|k| is_array_index(k)) {
        return None;
    }
    let mut indices: Vec<(u32, usize)> = Vec::new();
    let mut rest: Vec<usize> = Vec::with_capacity(map.len());
    for (i, key) in map.keys().enumerate() {
        match is_array_index(key).then(|| key.parse::<u32>().ok()).flatten() {
            Some(n) => indices.push((n, i)),
            None => rest.push(i),
        }
    }
    indices.sort_unstable();
    Some(indices.into_iter().map(|(_, i)| i).chain(rest).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(keys: &[&str]) -> Map {
        keys.iter().enumerate().map(|(i, k)| ((*k).into(), Dynamic::from(i as i64))).collect()
    }

    fn keys(m: &Map) -> Vec<&str> {
        entries(m).map(|(k, _)| k).collect()
    }

    #[test]
    fn array_indices_come_first_ascending_then_the_rest_in_insertion_order() {
        // k6 v1.1: JSON.stringify({ zeta: 1, alpha: 2, 10: 'x', 2: 'y', mid: 3 })
        let m = map(&["zeta", "alpha", "10", "2", "mid"]);
        assert_eq!(keys(&m), ["2", "10", "zeta", "alpha", "mid"]);
        // k6 v1.1: { 4294967295: 'a', 4294967294: 'b', '01': 'c', 1: 'd', '-1': 'e' }
        let m = map(&["4294967295", "4294967294", "01", "1", "-1"]);
        assert_eq!(keys(&m), ["1", "4294967294", "4294967295", "01", "-1"]);
    }

    #[test]
    fn a_map_without_indices_keeps_its_order() {
        let m = map(&["b", "a", "1a", "", "c"]);
        assert_eq!(keys(&m), ["b", "a", "1a", "", "c"]);
        assert!(order(&m).is_none());
    }

    #[test]
    fn array_index_is_javascripts() {
        for yes in ["0", "1", "10", "4294967294"] {
            assert!(is_array_index(yes), "{yes}");
        }
        for no in ["", "00", "01", "-1", "1.5", "4294967295", "99999999999", "1e3", " 1", "+1"] {
            assert!(!is_array_index(no), "{no}");
        }
    }
}
