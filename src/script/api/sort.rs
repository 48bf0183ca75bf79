//! `array.sort(|a, b| …)` (also `sort_by`) with the comparison function's result read as k6
//! scripts mean it, and its errors kept.
//!
//! Rhai's own version reads only an integer or a bool from the function: a float
//! (`|a, b| a.price - b.price`, JavaScript's idiom) made every pair compare by type, so the array
//! came back unsorted; and an error the function raised was dropped, so a comparison that failed
//! on a missing field sorted nothing and said nothing, where k6 throws. Here a float counts by its
//! sign (NaN and `()` as 0, as JavaScript's `undefined` does), a bool as in Rhai (`true`: `a`
//! first), anything else is an error naming what came back, and the first error ends the sort
//! and fails the call.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::panic::{catch_unwind, AssertUnwindSafe};

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, NativeCallContext};

pub fn register(engine: &mut Engine) {
    for name in ["sort", "sort_by"] {
        engine.register_fn(name, sort_by);
    }
}

fn sort_by(ctx: NativeCallContext, array: &mut Array, compare: FnPtr) -> Result<(), Box<EvalAltResult>> {
    if array.len() < 2 {
        return Ok(());
    }
    let failure: RefCell<Option<Box<EvalAltResult>>> = RefCell::new(None);
    let sorted = catch_unwind(AssertUnwindSafe(|| {
        array.sort_by(|a, b| {
            if failure.borrow().is_some() {
                return Ordering::Equal;
            }
            match compare.call_raw(&ctx, None, [a.clone(), b.clone()]).and_then(|r| order(&r)) {
                Ok(order) => order,
                Err(e) => {
                    *failure.borrow_mut() = Some(e);
                    Ordering::Equal
                }
            }
        })
    }));
    if let Some(e) = failure.into_inner() {
        return Err(e);
    }
    // Rust's sort may panic when the answers contradict each other (a < b, b < c, c < a).
    sorted.map_err(|_| "sort: the comparison function's answers contradict each other (no consistent order)".into())
}

/// The order a comparison function's result says: negative puts `a` first, positive `b`.
fn order(result: &Dynamic) -> Result<Ordering, Box<EvalAltResult>> {
    if let Ok(n) = result.as_int() {
        return Ok(n.cmp(&0));
    }
    if let Ok(x) = result.as_float() {
        return Ok(x.partial_cmp(&0.0).unwrap_or(Ordering::Equal));
    }
    if let Ok(first) = result.as_bool() {
        return Ok(if first { Ordering::Less } else { Ordering::Greater });
    }
    if result.is_unit() {
        return Ok(Ordering::Equal);
    }
    Err(format!(
        "sort: the comparison function returned {} where a number is needed (negative: a first, positive: b first, 0: either)",
        result.type_name()
    )
    .into())
}

#[cfg(test)]
mod tests {
    use rhai::Engine;

    fn engine() -> Engine {
        let mut engine = Engine::new();
        super::register(&mut engine);
        engine
    }

    #[test]
    fn a_float_result_sorts_by_its_sign() {
        let sorted: rhai::Array = engine().eval("let a = [2.5, 1.5, 3.5, 0.5]; a.sort(|x, y| x - y); a").unwrap();
        let values: Vec<f64> = sorted.iter().map(|v| v.as_float().unwrap()).collect();
        assert_eq!(values, [0.5, 1.5, 2.5, 3.5]);
        let by_field: String = engine()
            .eval("let a = [#{ p: 2.5 }, #{ p: 1.25 }, #{ p: 3 }]; a.sort_by(|x, y| y.p - x.p); `${a.map(|o| o.p)}`")
            .unwrap();
        assert_eq!(by_field, "[3, 2.5, 1.25]");
    }

    #[test]
    fn integers_bools_and_nothing_keep_their_meaning() {
        let e = engine();
        assert_eq!(e.eval::<String>("let a = [3, 1, 2]; a.sort(|x, y| x - y); `${a}`").unwrap(), "[1, 2, 3]");
        assert_eq!(e.eval::<String>("let a = [1, 3, 2]; a.sort(|x, y| x > y); `${a}`").unwrap(), "[3, 2, 1]");
        assert_eq!(e.eval::<String>("let a = [3, 1, 2]; a.sort(|x, y| ()); `${a}`").unwrap(), "[3, 1, 2]");
    }

    #[test]
    fn an_error_in_the_comparison_fails_the_sort() {
        let e = engine();
        let err = e.run("let a = [3, 1, 2]; a.sort(|x, y| { throw \"boom\"; });").unwrap_err();
        assert!(err.to_string().contains("boom"), "{err}");
        let err = e.run("let a = [#{ p: 1 }, 2]; a.sort(|x, y| x.p - y.p);").unwrap_err();
        assert!(err.to_string().contains("p"), "{err}");
        let err = e.run("let a = [3, 1]; a.sort(|x, y| \"less\");").unwrap_err();
        assert!(err.to_string().contains("returned string where a number is needed"), "{err}");
    }
}
