//! rload: JavaScript's indexing of arrays and strings, for scripts converted from JavaScript
//! (RLOAD-PATCH.md, the seventh change). Rhai counts a negative index from the end and fails
//! outside the array or string; JavaScript reads `undefined` for any index that is not one of
//! the elements (negative, past the end, fractional, NaN, a string that is not an index) and
//! appends on a write at `arr.length`. [`Engine::set_js_indexing`] turns this on; Rhai's own
//! rules hold otherwise. Writes JavaScript would turn into holes or named properties, which a
//! Rhai array cannot hold, are errors that name what was written.
#![cfg(not(feature = "no_index"))]

use super::Target;
use crate::types::dynamic::Union;
use crate::{Array, Dynamic, Engine, Position, RhaiResultOf, ERR, INT};
use std::convert::TryInto;
#[cfg(feature = "no_std")]
use std::prelude::v1::*;

/// What a JavaScript index reads.
enum JsIndex {
    /// A whole number (maybe negative or out of range).
    Number(INT),
    /// `"length"`.
    Length,
    /// Anything else: a property JavaScript reads as `undefined` (`1.5`, `NaN`, `"x"`, `"01"`).
    Property,
}

/// JavaScript's reading of an index: a number, or a string that is the text of an array index
/// (`"1"` is `1`; `"01"` and `"-1"` are properties).
fn js_index(idx: &Dynamic) -> JsIndex {
    match idx.0 {
        Union::Int(i, ..) => JsIndex::Number(i),
        #[cfg(not(feature = "no_float"))]
        Union::Float(f, ..) => {
            let f = *f;
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                JsIndex::Number(f as INT)
            } else {
                JsIndex::Property
            }
        }
        Union::Str(ref s, ..) => {
            let t = s.as_str();
            if t == "length" {
                JsIndex::Length
            } else if !t.is_empty()
                && t.len() <= 10
                && t.bytes().all(|b| b.is_ascii_digit())
                && (t == "0" || !t.starts_with('0'))
            {
                t.parse::<INT>().map_or(JsIndex::Property, JsIndex::Number)
            } else {
                JsIndex::Property
            }
        }
        _ => JsIndex::Property,
    }
}

/// The index as JavaScript writes it in a message: `5`, `-1`, `"x"`, `undefined`.
fn shown(idx: &Dynamic) -> String {
    if idx.is_string() {
        format!("{idx:?}")
    } else if idx.is_unit() {
        "undefined".into()
    } else {
        idx.to_string()
    }
}

fn error<T>(message: String, pos: Position) -> RhaiResultOf<T> {
    Err(ERR::ErrorRuntime(message.into(), pos).into())
}

impl Engine {
    /// `arr[idx]` as JavaScript reads it; with `write`, the place `arr[idx] = ...` sets.
    #[inline(never)]
    pub(crate) fn js_index_array<'t>(
        &self,
        arr: &'t mut Array,
        idx: &Dynamic,
        pos: Position,
        write: bool,
    ) -> RhaiResultOf<Target<'t>> {
        let len = arr.len();
        match js_index(idx) {
            JsIndex::Number(i) if i >= 0 && (i as u64) < len as u64 => {
                arr.get_mut(i as usize).unwrap().try_into()
            }
            JsIndex::Number(i) if write && i >= 0 && i as u64 == len as u64 => {
                // `arr[arr.length] = x` appends, as in JavaScript.
                #[cfg(not(feature = "unchecked"))]
                if self.max_array_size() > 0 && len >= self.max_array_size() {
                    return Err(ERR::ErrorDataTooLarge("Size of array".into(), pos).into());
                }
                arr.push(Dynamic::UNIT);
                arr.last_mut().unwrap().try_into()
            }
            JsIndex::Number(i) if write && i > 0 => error(
                format!(
                    "setting index {i} of an array of length {len}: JavaScript would leave {} empty \
                     slot(s) before it, which rload's arrays cannot hold (push() the elements before it)",
                    i as u64 - len as u64
                ),
                pos,
            ),
            JsIndex::Length if write => error(
                "setting an array's length by index (`arr[\"length\"] = n`) is not supported: write `arr.length = n`"
                    .into(),
                pos,
            ),
            _ if write => error(
                format!(
                    "setting {} on an array: JavaScript keeps it as a named property beside the elements, \
                     which rload's arrays cannot hold",
                    shown(idx)
                ),
                pos,
            ),
            JsIndex::Length => Ok(Target::TempValue((len as INT).into())),
            _ => Ok(Target::TempValue(Dynamic::UNIT)),
        }
    }

    /// `s[idx]` as JavaScript reads it: a string of the one character (a character as the
    /// string's `len()` counts them, not a Rhai `char`), `undefined` outside; a write is
    /// JavaScript's TypeError (modules are strict).
    #[inline(never)]
    pub(crate) fn js_index_string<'t>(
        &self,
        target: &Dynamic,
        idx: &Dynamic,
        pos: Position,
        write: bool,
    ) -> RhaiResultOf<Target<'t>> {
        if write {
            return error(
                format!(
                    "cannot assign to {} of a string: JavaScript's strings cannot be changed \
                     (TypeError in k6); build a new one",
                    shown(idx)
                ),
                pos,
            );
        }
        let Union::Str(ref s, ..) = target.0 else {
            unreachable!("js_index_string is called on strings")
        };
        match js_index(idx) {
            JsIndex::Number(i) if i >= 0 => Ok(Target::TempValue(
                s.chars()
                    .nth(i as usize)
                    .map_or(Dynamic::UNIT, |ch| crate::ImmutableString::from(&*ch.encode_utf8(&mut [0; 4])).into()),
            )),
            JsIndex::Length => Ok(Target::TempValue((s.chars().count() as INT).into())),
            _ => Ok(Target::TempValue(Dynamic::UNIT)),
        }
    }
}
