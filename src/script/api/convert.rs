//! Conversions between Rhai values and the plain Rust values the `http` and `ws` bindings
//! hand to `crate::http` and `crate::ws`: a script map of strings (`params.headers`,
//! `params.tags`) into pairs, header pairs back into a script map, and any value as the string
//! JavaScript would make of it (what k6 sends for `socket.send(42)`).
//!
//! Only conversions live here; what the values mean (k6's rules) is decided below the bindings.

use rhai::{Dynamic, Identifier, ImmutableString, Map};

/// A script map such as `params.tags` as `(key, value)` pairs; non-string values are written
/// as the script would print them (`7` → `"7"`). `what` names the param in the error, e.g.
/// `params.headers`.
pub fn string_pairs(what: &str, value: Dynamic) -> Result<Vec<(String, String)>, String> {
    Ok(script_pairs(what, value)?.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
}

/// The pairs of [`string_pairs`] in Rhai's own strings: a key is moved out of the map (inline
/// when short) and a string value is shared, not copied, so a script's literal `params.tags`
/// cost no allocation per request.
pub fn script_pairs(what: &str, value: Dynamic) -> Result<Vec<(Identifier, ImmutableString)>, String> {
    let type_name = value.type_name();
    let map = value.try_cast::<Map>().ok_or_else(|| format!("{what} must be a map, got {type_name}"))?;
    Ok(map
        .into_iter()
        .map(|(k, v)| {
            let v = if v.is_string() { v.into_immutable_string().unwrap() } else { js_string(&v).into() };
            (k, v)
        })
        .collect())
}

/// A value as JavaScript's `String(value)` writes it, which is what k6 sends when a script
/// passes a non-string: `42` → "42", `2.0` → "2", `[1, 2]` → "1,2", a map → "[object Object]",
/// a blob → "[object ArrayBuffer]", `()` → "" (k6 sends `null` as an empty message).
pub fn js_string(value: &Dynamic) -> String {
    if let Some(text) = value.read_lock::<rhai::ImmutableString>() {
        return text.to_string();
    }
    if value.is_unit() {
        return String::new();
    }
    if let Ok(f) = value.as_float() {
        return js_number(f);
    }
    if value.is_map() {
        return "[object Object]".into();
    }
    if value.is_blob() {
        return "[object ArrayBuffer]".into();
    }
    if let Some(array) = value.read_lock::<rhai::Array>() {
        return array.iter().map(js_string).collect::<Vec<_>>().join(",");
    }
    value.to_string()
}

/// JavaScript's `Number(value)`, as k6 converts what a script passes where it takes a number
/// (`metric.add`, `sleep`): a bool is 1 or 0, a numeric string its number (`""` is 0, `"0x1f"`
/// 31, `" 2.5 "` 2.5, `"Infinity"`), any other string and a map `NaN`, null 0 and undefined (any
/// other `()`) `NaN`. `None` for an array, a blob and other types, which rload does not convert
/// (JavaScript's rules for them are rarely what a script meant).
pub fn js_to_number(value: &Dynamic) -> Option<f64> {
    if let Some(text) = value.read_lock::<rhai::ImmutableString>() {
        return Some(string_to_number(&text));
    }
    if let Ok(b) = value.as_bool() {
        return Some(f64::from(u8::from(b)));
    }
    if let Ok(i) = value.as_int() {
        return Some(i as f64);
    }
    if let Ok(f) = value.as_float() {
        return Some(f);
    }
    if value.is_js_null() {
        return Some(0.0);
    }
    if value.is_unit() || value.is_map() {
        return Some(f64::NAN);
    }
    None
}

/// JavaScript's `String(value)` where k6 writes a value as text (a header, a cookie's value, a
/// compression list): [`js_string`], except that `()` (k6's null) is the text `null`.
pub fn js_text(value: &Dynamic) -> String {
    if value.is_unit() {
        "null".to_owned()
    } else {
        js_string(value)
    }
}

/// k6's rule for a metric tag's value: a string, a bool or a number. The error for the first one
/// that is not, as k6 words it after naming the `option` (`HTTP request metric tags`).
pub fn check_tag_values(option: &str, tags: &Map) -> Result<(), String> {
    let scalar = |v: &Dynamic| v.is_string() || v.is_char() || v.is_bool() || v.is_int() || v.is_float();
    match tags.iter().find(|(_, v)| !scalar(v)) {
        Some((name, _)) => Err(format!(
            "invalid {option}: invalid value for metric tag '{name}': only String, Boolean and Number types are \
             accepted as a metric tag values"
        )),
        None => Ok(()),
    }
}

/// JavaScript's `Boolean(value)` (ECMAScript's ToBoolean), as k6 reads a flag such as
/// `params.throw`: `false`, `()`, `0`, `0.0`, `NaN` and `""` are false; anything else, `"false"`,
/// an empty map or array included, is true.
pub fn js_truthy(value: &Dynamic) -> bool {
    if let Ok(b) = value.as_bool() {
        return b;
    }
    if let Ok(i) = value.as_int() {
        return i != 0;
    }
    if let Ok(f) = value.as_float() {
        return f != 0.0 && !f.is_nan();
    }
    if let Some(text) = value.read_lock::<rhai::ImmutableString>() {
        return !text.is_empty();
    }
    !value.is_unit()
}

/// JavaScript's `Number(text)` (ECMAScript's StringToNumber): surrounding white space ignored,
/// empty is 0, `0x`/`0o`/`0b` integers, decimals with an optional exponent, `Infinity` with a
/// sign; anything else `NaN` (Rust's `inf`, `nan` and `1_0` included).
fn string_to_number(text: &str) -> f64 {
    let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [("0x", 16), ("0X", 16), ("0o", 8), ("0O", 8), ("0b", 2), ("0B", 2)] {
        if let Some(digits) = t.strip_prefix(prefix) {
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return f64::NAN;
            }
            return digits.chars().fold(0.0, |n, c| n * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0)));
        }
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned == "Infinity" {
        return if t.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY };
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mantissa_ok =
        (whole.is_empty() || digits(whole)) && (fraction.is_empty() || digits(fraction)) && mantissa != ".";
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    if !mantissa_ok || mantissa.is_empty() || !exponent_ok {
        return f64::NAN;
    }
    t.parse().unwrap_or(f64::NAN)
}

/// A number as JavaScript's `String(n)` writes it (ECMAScript's Number::toString): the shortest
/// digits that read back as `f`, plainly from 1e-6 up to 1e21 (`9007199254740992`,
/// `0.000001`), else in exponent form (`1e+21`, `1.5e-7`); `NaN`, `Infinity`, and `0` for -0.
pub fn js_number(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f == 0.0 {
        return "0".into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `d.ddde±x`.
    let text = format!("{:e}", f.abs());
    let (mantissa, exponent) = text.split_once('e').expect("`{:e}` writes an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    // The decimal point's place after the first digit: the number is 0.digits × 10^n.
    let n = exponent.parse::<i32>().expect("`{:e}` writes an integer exponent") + 1;
    let sign = if f < 0.0 { "-" } else { "" };
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let e = if e < 0 { format!("-{}", -e) } else { format!("+{e}") };
        match k {
            1 => format!("{digits}e{e}"),
            _ => format!("{}.{}e{e}", &digits[..1], &digits[1..]),
        }
    };
    format!("{sign}{body}")
}

/// The number a number method (`what`) is called on; another value is an error naming it.
fn number_receiver(value: &Dynamic, what: &str) -> Result<f64, String> {
    match value.as_int() {
        Ok(i) => Ok(i as f64),
        Err(_) => {
            value.as_float().map_err(|_| format!("{what} of a {}: rload has it for numbers only", value.type_name()))
        }
    }
}

/// JavaScript's `n.toString(radix)` for a whole number (`(255).toString(16)` → "ff", `(-5)
/// .toString(2)` → "-101"); radix 10 is [`js_number`]. A fraction in another radix is an error
/// naming it: JavaScript writes its digits by an algorithm rload does not reproduce.
pub fn js_number_radix(value: &Dynamic, radix: &Dynamic) -> Result<String, String> {
    let n = number_receiver(value, "toString(radix)")?;
    let r = js_to_number(radix).unwrap_or(f64::NAN);
    let r = if radix.is_unit() { 10.0 } else { r.trunc() };
    if !(2.0..=36.0).contains(&r) {
        return Err("RangeError: toString() radix must be between 2 and 36".into());
    }
    if r == 10.0 || !n.is_finite() {
        return Ok(js_number(n));
    }
    if n.fract() != 0.0 || n.abs() >= 9007199254740992.0 {
        return Err(format!(
            "toString({r}) of {}: rload writes whole numbers below 2^53 in another radix than 10, not this one",
            js_number(n)
        ));
    }
    let (mut rest, radix) = (n.abs() as u64, r as u64);
    let mut digits = Vec::new();
    loop {
        digits.push(std::char::from_digit((rest % radix) as u32, radix as u32).expect("a digit below the radix"));
        rest /= radix;
        if rest == 0 {
            break;
        }
    }
    if n < 0.0 {
        digits.push('-');
    }
    Ok(digits.iter().rev().collect())
}

/// JavaScript's `n.toPrecision(p)`: `p` significant digits, the nearer of two on a tie being the
/// larger (`(2.5).toPrecision(1)` is "3", `(1.25).toPrecision(2)` "1.3"), in exponent form when
/// the exponent is below -6 or at least `p` (`(123456).toPrecision(2)` is "1.2e+5"); without
/// `p`, `String(n)`.
pub fn js_to_precision(value: &Dynamic, precision: &Dynamic) -> Result<String, String> {
    let x = number_receiver(value, "toPrecision()")?;
    if precision.is_unit() {
        return Ok(js_number(x));
    }
    let p = js_to_number(precision).unwrap_or(f64::NAN);
    if !x.is_finite() {
        return Ok(js_number(x));
    }
    let p = if p.is_nan() { 0.0 } else { p.trunc() };
    if !(1.0..=100.0).contains(&p) {
        return Err("RangeError: toPrecision() argument must be between 1 and 100".into());
    }
    let p = p as usize;
    let sign = if x < 0.0 { "-" } else { "" };
    let (mut digits, mut e) = if x == 0.0 {
        ("0".repeat(p), 0_i32)
    } else {
        // Enough digits past the p-th to round half up on the exact value (Rust's own rounding
        // at p digits is half to even).
        let text = format!("{:.*e}", p - 1 + 40, x.abs());
        let (mantissa, exponent) = text.split_once('e').expect("`{:e}` writes an exponent");
        let all: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        let mut kept = all[..p].to_vec();
        let mut e: i32 = exponent.parse().expect("an integer exponent");
        if all[p] >= b'5' {
            let mut i = p;
            loop {
                if i == 0 {
                    kept.insert(0, b'1');
                    kept.truncate(p);
                    e += 1;
                    break;
                }
                i -= 1;
                if kept[i] == b'9' {
                    kept[i] = b'0';
                } else {
                    kept[i] += 1;
                    break;
                }
            }
        }
        (String::from_utf8(kept).expect("ASCII digits"), e)
    };
    if e < -6 || e >= p as i32 {
        let exponent = if e < 0 { format!("-{}", -e) } else { format!("+{e}") };
        if p > 1 {
            digits.insert(1, '.');
        }
        return Ok(format!("{sign}{digits}e{exponent}"));
    }
    if e >= 0 {
        let point = e as usize + 1;
        if point < p {
            digits.insert(point, '.');
        }
        return Ok(format!("{sign}{digits}"));
    }
    e = -e;
    Ok(format!("{sign}0.{}{digits}", "0".repeat(e as usize - 1)))
}

/// Header pairs (already canonical and joined by `crate::http::headers`) as a script map.
pub fn header_map(headers: &[(String, String)]) -> Map {
    headers.iter().map(|(name, value)| (name.as_str().into(), value.clone().into())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_javascripts_string_of_them() {
        for (f, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (100.0, "100"),
            (0.1 + 0.2, "0.30000000000000004"),
            (10.0 / 3.0, "3.3333333333333335"),
            (9007199254740992.0, "9007199254740992"),
            (123456789012345680000.0, "123456789012345680000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (0.000001, "0.000001"),
            (0.000001234, "0.000001234"),
            (1e-7, "1e-7"),
            (-1.234e-7, "-1.234e-7"),
            (5e-324, "5e-324"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(js_number(f), text, "{f:e}");
        }
    }

    #[test]
    fn to_precision_rounds_and_writes_as_javascript() {
        let p = |x: f64, n: i64| js_to_precision(&Dynamic::from(x), &Dynamic::from(n)).unwrap();
        for (x, n, text) in [
            (123.456, 4, "123.5"),
            (2.5, 1, "3"),
            (1.25, 2, "1.3"),
            (-1.25, 2, "-1.3"),
            (0.000123, 2, "0.00012"),
            (0.0000001234, 2, "1.2e-7"),
            (123456.0, 2, "1.2e+5"),
            (99.99, 3, "100"),
            (99.99, 2, "1.0e+2"),
            (0.0, 3, "0.00"),
            (1.0, 1, "1"),
            (5e-324, 1, "5e-324"),
            (1e21, 3, "1.00e+21"),
        ] {
            assert_eq!(p(x, n), text, "({x}).toPrecision({n})");
        }
        assert_eq!(js_to_precision(&Dynamic::from(1.5), &Dynamic::UNIT).unwrap(), "1.5");
        assert!(js_to_precision(&Dynamic::from(1.5), &Dynamic::from(0_i64)).unwrap_err().starts_with("RangeError"));
    }

    #[test]
    fn numbers_print_in_a_radix_as_javascript_writes_whole_ones() {
        let r = |v: Dynamic, radix: i64| js_number_radix(&v, &Dynamic::from(radix));
        assert_eq!(r(Dynamic::from(255_i64), 16).unwrap(), "ff");
        assert_eq!(r(Dynamic::from(255_i64), 2).unwrap(), "11111111");
        assert_eq!(r(Dynamic::from(-5_i64), 2).unwrap(), "-101");
        assert_eq!(r(Dynamic::from(0_i64), 36).unwrap(), "0");
        assert_eq!(r(Dynamic::from(35.0_f64), 36).unwrap(), "z");
        assert_eq!(r(Dynamic::from(2.5_f64), 10).unwrap(), "2.5");
        assert!(r(Dynamic::from(2.5_f64), 2).unwrap_err().contains("toString(2) of 2.5"));
        assert!(r(Dynamic::from(1_i64), 37).unwrap_err().contains("between 2 and 36"));
        assert!(r(Dynamic::from("ff"), 16).unwrap_err().contains("numbers only"));
    }

    #[test]
    fn js_to_number_converts_as_javascripts_number() {
        let n = |v: Dynamic| js_to_number(&v).unwrap();
        for (text, expected) in [
            ("12", 12.0),
            (" 2.5\n", 2.5),
            ("", 0.0),
            ("  ", 0.0),
            ("-0.05", -0.05),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e3", 1000.0),
            ("+1E-2", 0.01),
            ("0x1f", 31.0),
            ("0b101", 5.0),
            ("0o17", 15.0),
            ("Infinity", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
        ] {
            assert_eq!(n(text.into()), expected, "{text:?}");
        }
        for text in ["abc", "12px", "inf", "nan", "NaN", "1_000", ".", "e5", "1e", "-0x10", "0x", "infinity"] {
            assert!(n(text.into()).is_nan(), "{text:?}");
        }
        assert_eq!(n(true.into()), 1.0);
        assert_eq!(n(false.into()), 0.0);
        assert_eq!(n(Dynamic::from(7_i64)), 7.0);
        assert!(n(Dynamic::UNIT).is_nan());
        assert_eq!(n(Dynamic::NULL), 0.0);
        assert!(n(Map::default().into()).is_nan());
        assert_eq!(js_to_number(&Dynamic::from(rhai::Array::new())), None);
    }

    #[test]
    fn string_pairs_print_non_strings_and_name_the_param() {
        let mut tags = Map::default();
        tags.insert("room".into(), Dynamic::from(7_i64));
        assert_eq!(string_pairs("params.tags", tags.into()).unwrap(), vec![("room".to_string(), "7".to_string())]);
        let err = string_pairs("params.headers", Dynamic::from(1_i64)).unwrap_err();
        assert_eq!(err, "params.headers must be a map, got i64");
    }

    #[test]
    fn script_pairs_read_as_string_pairs_do_and_share_string_values() {
        let shared = ImmutableString::from("switchCycle");
        let mut tags = Map::default();
        tags.insert("room".into(), Dynamic::from(7_i64));
        tags.insert("operation".into(), Dynamic::from(shared.clone()));
        let pairs = script_pairs("params.tags", tags.clone().into()).unwrap();
        let as_strings: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(as_strings, string_pairs("params.tags", tags.into()).unwrap());
        assert!(pairs.iter().any(|(_, v)| v.ptr_eq(&shared)), "a string value is the script's own, not a copy");
        let err = script_pairs("params.tags", Dynamic::from(1_i64)).unwrap_err();
        assert_eq!(err, "params.tags must be a map, got i64");
    }

    #[test]
    fn js_truthy_is_javascripts_boolean() {
        let falsy = [
            Dynamic::from(false),
            Dynamic::UNIT,
            Dynamic::from(0_i64),
            Dynamic::from(0.0_f64),
            Dynamic::from(f64::NAN),
            Dynamic::from(""),
        ];
        for value in falsy {
            assert!(!js_truthy(&value), "{value:?}");
        }
        let truthy = [
            Dynamic::from(true),
            Dynamic::from(1_i64),
            Dynamic::from(-0.5_f64),
            Dynamic::from("false"),
            Dynamic::from("0"),
            Map::default().into(),
            rhai::Array::new().into(),
            Dynamic::from_blob(Vec::new()),
        ];
        for value in truthy {
            assert!(js_truthy(&value), "{value:?}");
        }
    }

    #[test]
    fn js_string_writes_values_as_javascript_does() {
        let mut map = Map::default();
        map.insert("a".into(), Dynamic::from(1_i64));
        let array: rhai::Array = vec![Dynamic::from(1_i64), Dynamic::from(2.5_f64), Dynamic::UNIT];
        let cases = [
            (Dynamic::from("text"), "text"),
            (Dynamic::from(42_i64), "42"),
            (Dynamic::from(1.5_f64), "1.5"),
            (Dynamic::from(2.0_f64), "2"),
            (Dynamic::from(-0.25_f64), "-0.25"),
            (Dynamic::from(f64::NAN), "NaN"),
            (Dynamic::from(true), "true"),
            (Dynamic::UNIT, ""),
            (map.into(), "[object Object]"),
            (array.into(), "1,2.5,"),
            (Dynamic::from_blob(vec![1, 2]), "[object ArrayBuffer]"),
            (Dynamic::from('x'), "x"),
        ];
        for (value, expected) in cases {
            assert_eq!(js_string(&value), expected, "{value:?}");
        }
    }
}
