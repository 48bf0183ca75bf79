//! k6's integer options as k6 reads them: `vus`, `iterations`, `maxRedirects`, a scenario's
//! `rate` or `preAllocatedVUs`, a stage's `target`, ... are guregu's `null.Int` in k6, whose
//! JSON form is a whole number, its decimal text, or nothing.
//!
//! The text form matters because `__ENV` values are strings: `vus: __ENV.VUS` is `"2"` under
//! `-e VUS=2`, and nothing at all (`null`, unset) without it. k6 v1.1 reads `"2"` and `"+2"` as 2
//! and `""` or `null` as "not set"; it refuses `"2.5"`, `" 2"`, `"0x2"`, `"1e3"` and a number
//! beyond 64 bits (Go's `strconv.ParseInt(s, 10, 64)`), and `2.5`, `true` or a map. The same
//! rules hold for a script's `options`, a `--config` file and the `K6_*` variables.
//!
//! Not here: the range each option allows (`vus` ≥ 0, `rate` > 0, ...), which its parser judges.

use serde_json::Value;

/// Top-level options of k6's `null.Int` type, rload's `sharedConnections` alongside.
pub const INT_KEYS: &[&str] = &[
    "vus",
    "iterations",
    "maxRedirects",
    "batch",
    "batchPerHost",
    "rps",
    "metricSamplesBufferSize",
    "sharedConnections",
];

/// Whether an integer option's value means "not set": `null` (a Rhai `()`, an unset `__ENV`
/// variable) or the empty text (`-e VUS=`).
pub fn is_unset_int(v: &Value) -> bool {
    v.is_null() || v.as_str() == Some("")
}

/// The whole number `v` holds: a number without a fraction, or decimal text with an optional
/// sign (`"4"`, `"+4"`, `"-1"`). `None` for anything else; see [`is_unset_int`] for "not set".
pub fn whole_number(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|x| x.fract() == 0.0 && x.abs() < 9.0e18).map(|x| x as i64))
        }
        // Rust's i64 parser takes exactly what Go's ParseInt(s, 10, 64) takes: an optional sign
        // and ASCII digits, nothing around them.
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Each case checked against k6 v1.1 (`vus: __ENV.VUS` with `-e VUS=…`).
    #[test]
    fn numbers_and_their_decimal_text_are_whole_numbers_as_in_k6() {
        for (v, want) in [
            (json!(4), Some(4)),
            (json!(4.0), Some(4)),
            (json!("4"), Some(4)),
            (json!("+4"), Some(4)),
            (json!("-1"), Some(-1)),
            (json!(2.5), None),
            (json!("2.5"), None),
            (json!(" 2"), None),
            (json!("0x2"), None),
            (json!("1e1"), None),
            (json!("abc"), None),
            (json!("99999999999999999999"), None),
            (json!(true), None),
            (json!([1]), None),
        ] {
            assert_eq!(whole_number(&v), want, "{v}");
        }
        assert!(is_unset_int(&json!(null)) && is_unset_int(&json!("")));
        assert!(!is_unset_int(&json!(0)) && !is_unset_int(&json!("0")));
    }
}
