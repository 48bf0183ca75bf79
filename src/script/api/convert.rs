//! Conversions between Rhai values and the plain Rust values the `http` and `ws` bindings
//! hand to `crate::http` and `crate::ws`: a script map of strings (`params.headers`,
//! `params.tags`) into pairs, and header pairs back into a script map.
//!
//! Only conversions live here; what the values mean (k6's rules) is decided below the bindings.

use rhai::{Dynamic, Map};

/// A script map such as `params.tags` as `(key, value)` pairs; non-string values are written
/// as the script would print them (`7` → `"7"`). `what` names the param in the error, e.g.
/// `params.headers`.
pub fn string_pairs(what: &str, value: Dynamic) -> Result<Vec<(String, String)>, String> {
    let type_name = value.type_name();
    let map = value.try_cast::<Map>().ok_or_else(|| format!("{what} must be a map, got {type_name}"))?;
    Ok(map
        .into_iter()
        .map(|(k, v)| (k.to_string(), if v.is_string() { v.into_string().unwrap() } else { v.to_string() }))
        .collect())
}

/// Header pairs (already canonical and joined by `crate::http::headers`) as a script map.
pub fn header_map(headers: &[(String, String)]) -> Map {
    headers.iter().map(|(name, value)| (name.as_str().into(), value.clone().into())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_pairs_print_non_strings_and_name_the_param() {
        let mut tags = Map::new();
        tags.insert("room".into(), Dynamic::from(7_i64));
        assert_eq!(string_pairs("params.tags", tags.into()).unwrap(), vec![("room".to_string(), "7".to_string())]);
        let err = string_pairs("params.headers", Dynamic::from(1_i64)).unwrap_err();
        assert_eq!(err, "params.headers must be a map, got i64");
    }
}
