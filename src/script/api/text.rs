//! JavaScript's string methods that need Unicode's tables: `a.localeCompare(b)`,
//! `s.normalize(form)` and `s.codePointAt(i)`, for k6 scripts (and Rhai scripts) that use them;
//! and `toLocaleString` of numbers and arrays as k6 writes them (its `toString`).
//!
//! `localeCompare` compares as k6 (goja, through Go's `x/text/collate` with no locale) does: the
//! Unicode Collation Algorithm with CLDR's root order, punctuation and spaces not ignorable, the
//! sign only (-1, 0, 1). Like k6, it ignores the locales and options arguments
//! (`'a'.localeCompare('A', undefined, { sensitivity: 'base' })` is -1 there too).
//!
//! `codePointAt(i)` counts characters, as rload's other string positions do (docs/porting.md:
//! JavaScript counts UTF-16 units, so the two differ after a character outside the Basic
//! Multilingual Plane).

use std::cell::RefCell;
use std::cmp::Ordering;

use feruca::{Collator, Locale, Tailoring};
use icu_normalizer::{ComposingNormalizerBorrowed, DecomposingNormalizerBorrowed};
use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, INT};

use super::convert::{js_number, js_number_radix, js_string};

thread_local! {
    /// A collator keeps a cache of the weights it looked up: one per worker thread.
    static COLLATOR: RefCell<Collator> = RefCell::new(Collator::new(Tailoring::Cldr(Locale::Root), false, false));
}

pub fn register(engine: &mut Engine) {
    engine.register_fn("localeCompare", |s: &str| locale_compare(s, &Dynamic::UNIT));
    engine.register_fn("localeCompare", |s: &str, other: Dynamic| locale_compare(s, &other));
    engine.register_fn("localeCompare", |s: &str, other: Dynamic, _locales: Dynamic| locale_compare(s, &other));
    engine.register_fn("localeCompare", |s: &str, other: Dynamic, _locales: Dynamic, _options: Dynamic| {
        locale_compare(s, &other)
    });
    engine.register_fn("normalize", |s: &str| normalize(s, &Dynamic::UNIT));
    engine.register_fn("normalize", |s: &str, form: Dynamic| normalize(s, &form));
    engine.register_fn("codePointAt", |s: &str| code_point_at(s, 0));
    engine.register_fn("codePointAt", |s: &str, i: INT| code_point_at(s, i));
    // k6's (goja's) Number.prototype.toLocaleString is toString: no grouping, and its first
    // argument read as toString's radix (`n.toLocaleString('en-US')` is k6's RangeError too).
    engine.register_fn("toLocaleString", |n: INT| js_number(n as f64));
    engine.register_fn("toLocaleString", |n: f64| js_number(n));
    engine.register_fn("toLocaleString", |n: INT, radix: Dynamic| number_locale(Dynamic::from(n), &radix));
    engine.register_fn("toLocaleString", |n: f64, radix: Dynamic| number_locale(Dynamic::from(n), &radix));
    // An array's: its elements' joined by commas, null and undefined as empty text.
    engine.register_fn("toLocaleString", |a: &mut Array| a.iter().map(js_string).collect::<Vec<_>>().join(","));
}

fn number_locale(n: Dynamic, radix: &Dynamic) -> Result<String, Box<EvalAltResult>> {
    if radix.is_unit() && !radix.is_js_null() {
        return Ok(js_number(n.as_float().unwrap_or_else(|_| n.as_int().unwrap_or_default() as f64)));
    }
    js_number_radix(&n, radix).map_err(Into::into)
}

/// JavaScript's `String(v)` of an argument: `"null"` and `"undefined"` for the two `()`.
fn text_of(v: &Dynamic) -> String {
    match v.is_unit() {
        true if v.is_js_null() => "null".into(),
        true => "undefined".into(),
        false => js_string(v),
    }
}

fn locale_compare(s: &str, other: &Dynamic) -> INT {
    let other = text_of(other);
    match COLLATOR.with(|c| c.borrow_mut().collate(s, other.as_str())) {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

fn normalize(s: &str, form: &Dynamic) -> Result<ImmutableString, Box<EvalAltResult>> {
    let form = if form.is_unit() && !form.is_js_null() { "NFC".to_string() } else { text_of(form) };
    let text = match form.as_str() {
        "NFC" => ComposingNormalizerBorrowed::new_nfc().normalize(s),
        "NFKC" => ComposingNormalizerBorrowed::new_nfkc().normalize(s),
        "NFD" => DecomposingNormalizerBorrowed::new_nfd().normalize(s),
        "NFKD" => DecomposingNormalizerBorrowed::new_nfkd().normalize(s),
        _ => return Err("RangeError: The normalization form should be one of NFC, NFD, NFKC, NFKD.".into()),
    };
    Ok(text.into_owned().into())
}

/// The code point of the character at `i`, undefined outside the string.
fn code_point_at(s: &str, i: INT) -> Dynamic {
    usize::try_from(i).ok().and_then(|i| s.chars().nth(i)).map_or(Dynamic::UNIT, |c| Dynamic::from(c as INT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_compare_orders_as_the_root_collation() {
        let cmp = |a: &str, b: &str| locale_compare(a, &Dynamic::from(b.to_string()));
        // Case second to the letter, accents after the base letter, digits by value of their
        // text, punctuation before letters: byte order would answer otherwise in each.
        assert_eq!(cmp("a", "B"), -1);
        assert_eq!(cmp("B", "a"), 1);
        assert_eq!(cmp("a", "A"), -1);
        assert_eq!(cmp("é", "f"), -1);
        assert_eq!(cmp("e\u{301}", "é"), 0);
        assert_eq!(cmp("a-b", "ab"), -1);
        assert_eq!(locale_compare("null", &Dynamic::NULL), 0);
        assert_eq!(locale_compare("undefined", &Dynamic::UNIT), 0);
    }

    #[test]
    fn normalize_takes_the_four_forms() {
        let n = |s: &str, f: &str| normalize(s, &Dynamic::from(f.to_string())).map(|t| t.to_string());
        assert_eq!(n("é", "NFD").unwrap().chars().count(), 2);
        assert_eq!(normalize("e\u{301}", &Dynamic::UNIT).unwrap().chars().count(), 1);
        assert_eq!(n("ﬁ", "NFKC").unwrap(), "fi");
        assert!(n("x", "nfc").unwrap_err().to_string().contains("RangeError"));
    }

    #[test]
    fn code_point_at_counts_characters() {
        assert_eq!(code_point_at("x", 0).as_int().unwrap(), 120);
        assert_eq!(code_point_at("😀", 0).as_int().unwrap(), 128512);
        assert!(code_point_at("a", 5).is_unit());
        assert!(code_point_at("a", -1).is_unit());
    }
}
