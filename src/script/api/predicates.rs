//! The array methods that take a predicate (`filter`, `retain`, `drain`, `some`, `all`, `find`,
//! `index_of`) or an equality comparer (`dedup`), with the function's result read as k6 scripts
//! mean it and its errors kept. `sort` is `sort.rs`'s; the methods that use their function's
//! value as it is (`map`, `reduce`, `find_map`, `for_each`, `zip`) are Rhai's own, which keep
//! the errors.
//!
//! Rhai's own versions read the predicate's result with `as_bool().unwrap_or(false)`: any
//! other value was `false`, so the JavaScript idiom `a.filter(|o| o.name)` (what `rload convert`
//! writes for `a.filter(o => o.name)`) kept nothing and `a.index_of(|o| o.name.len())` found
//! nothing, where k6 gives the elements whose name is not empty (checked on k6 v1.1.0: `1 true
//! 0` for filter, some and findIndex over `[{n: "x"}, {n: ""}]`; rload printed `0 false -1`).
//! Here the result is JavaScript's truthiness ([`js_truthy`]: `false`, `()`, `0`, `NaN` and `""`
//! are false), as k6 reads its callbacks' results and `check` reads a check's; a bool means
//! what it did. Rhai's `dedup(comparer)` also dropped any error its comparer raised (and kept
//! every element), and `dedup()` any error its `==` raised: here the first error ends the call
//! and fails it, as the other methods' errors do.
//!
//! As in Rhai, a predicate is called with the element and, if it takes a second parameter, its
//! index; one that takes none sees the element as `this`. `dedup`'s comparer gets the element
//! kept before and the next one.

use std::cell::RefCell;

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, NativeCallContext, INT};

use super::convert::js_truthy;

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

pub fn register(engine: &mut Engine) {
    engine.register_fn("filter", filter);
    engine.register_fn("retain", |ctx: NativeCallContext, array: &mut Array, f: FnPtr| remove(ctx, array, f, false));
    engine.register_fn("drain", |ctx: NativeCallContext, array: &mut Array, f: FnPtr| remove(ctx, array, f, true));
    engine.register_fn("some", some);
    engine.register_fn("all", all);
    engine.register_fn("index_of", |ctx: NativeCallContext, array: &mut Array, f: FnPtr| index_of(ctx, array, f, 0));
    engine.register_fn("index_of", index_of);
    engine.register_fn("find", |ctx: NativeCallContext, array: &mut Array, f: FnPtr| find(ctx, array, f, 0));
    engine.register_fn("find", find);
    engine.register_fn("dedup", dedup);
    engine.register_fn("dedup", dedup_equal);
}

/// `f(element, index)` for the element at `index`, read as JavaScript truthiness.
fn holds(ctx: &NativeCallContext, f: &FnPtr, name: &str, item: &mut Dynamic, index: usize) -> Result<bool> {
    let index = [INT::try_from(index).unwrap_or(INT::MAX).into()];
    Ok(js_truthy(&f.call_raw_with_extra_args(name, ctx, Some(item), [], index, Some(0))?))
}

/// The index of the first element from `start` (from the end when negative, as Rhai counts)
/// whose predicate result is `wanted`.
fn first(
    ctx: &NativeCallContext,
    array: &mut Array,
    f: &FnPtr,
    name: &str,
    start: INT,
    wanted: bool,
) -> Result<Option<usize>> {
    let len = array.len();
    let start = match usize::try_from(start) {
        Ok(start) => start.min(len),
        Err(_) => len - usize::try_from(start.unsigned_abs()).map_or(len, |back| back.min(len)),
    };
    for (i, item) in array.iter_mut().enumerate().skip(start) {
        if holds(ctx, f, name, item, i)? == wanted {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

fn some(ctx: NativeCallContext, array: &mut Array, f: FnPtr) -> Result<bool> {
    Ok(first(&ctx, array, &f, "some", 0, true)?.is_some())
}

fn all(ctx: NativeCallContext, array: &mut Array, f: FnPtr) -> Result<bool> {
    Ok(first(&ctx, array, &f, "all", 0, false)?.is_none())
}

fn filter(ctx: NativeCallContext, array: &mut Array, f: FnPtr) -> Result<Array> {
    let mut kept = Array::new();
    for (i, item) in array.iter_mut().enumerate() {
        if holds(&ctx, &f, "filter", item, i)? {
            kept.push(item.clone());
        }
    }
    Ok(kept)
}

/// `retain` (keeps what holds, returns the rest) and `drain` (removes what holds, returns it).
/// The index a predicate sees is the element's place in the array as it was.
fn remove(ctx: NativeCallContext, array: &mut Array, f: FnPtr, drain: bool) -> Result<Array> {
    let name = if drain { "drain" } else { "retain" };
    let mut removed = Array::new();
    let (mut at, mut index) = (0, 0);
    while at < array.len() {
        if holds(&ctx, &f, name, &mut array[at], index)? == drain {
            removed.push(array.remove(at));
        } else {
            at += 1;
        }
        index += 1;
    }
    Ok(removed)
}

fn index_of(ctx: NativeCallContext, array: &mut Array, f: FnPtr, start: INT) -> Result<INT> {
    Ok(first(&ctx, array, &f, "index_of", start, true)?.map_or(-1, |i| INT::try_from(i).unwrap_or(INT::MAX)))
}

fn find(ctx: NativeCallContext, array: &mut Array, f: FnPtr, start: INT) -> Result<Dynamic> {
    Ok(first(&ctx, array, &f, "find", start, true)?.map_or(Dynamic::UNIT, |i| array[i].clone()))
}

/// Removes each element the comparer finds equal to the one kept before it.
fn dedup(ctx: NativeCallContext, array: &mut Array, comparer: FnPtr) -> Result<()> {
    dedup_by(array, |kept, next| comparer.call_raw(&ctx, None, [kept.clone(), next.clone()]))
}

/// `dedup()`: removes each element `==` finds equal to the one kept before it. Rhai's own
/// dropped an error `==` raised (`Function not found: == (Metric, Metric)`) and kept both.
fn dedup_equal(ctx: NativeCallContext, array: &mut Array) -> Result<()> {
    dedup_by(array, |kept, next| ctx.call_native_fn_raw("==", false, &mut [&mut kept.clone(), &mut next.clone()]))
}

/// Removes each element `same(kept, next)` finds equal to the one kept before it; the first
/// error ends the call and is its result.
fn dedup_by(array: &mut Array, same: impl Fn(&Dynamic, &Dynamic) -> Result<Dynamic>) -> Result<()> {
    let failure: RefCell<Option<Box<EvalAltResult>>> = RefCell::new(None);
    array.dedup_by(|next, kept| {
        if failure.borrow().is_some() {
            return false;
        }
        match same(kept, next) {
            Ok(same) => js_truthy(&same),
            Err(e) => {
                *failure.borrow_mut() = Some(e);
                false
            }
        }
    });
    failure.into_inner().map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use rhai::Engine;

    fn engine() -> Engine {
        let mut engine = Engine::new();
        super::register(&mut engine);
        engine
    }

    fn eval(script: &str) -> String {
        engine().eval::<String>(script).unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Sweep 30's repro: what `rload convert` writes for `a.filter(o => o.n)`, `a.some(o =>
    /// o.n)` and `a.findIndex(o => o.n.length)`; k6 v1.1.0 prints `1 true 0`.
    #[test]
    fn a_predicates_result_is_read_as_javascript_truthiness() {
        let a = r#"let a = [#{ n: "x" }, #{ n: "" }];"#;
        assert_eq!(
            eval(&format!("{a} `${{a.filter(|o| o.n).len()}} ${{a.some(|o| o.n)}} ${{a.index_of(|o| o.n.len())}}`")),
            "1 true 0"
        );
        assert_eq!(eval(&format!("{a} `${{a.all(|o| o.n)}} ${{a.find(|o| o.n.len()).n}}`")), "false x");
        assert_eq!(eval("let a = [0, 1, 2, 0.0, ()]; let r = a.retain(|x| x); `${a} ${r}`"), "[1, 2] [0, 0.0, ()]");
        assert_eq!(eval("let a = [\"\", \"b\", \"c\"]; let d = a.drain(|x| x); `${a} ${d}`"), "[\"\"] [\"b\", \"c\"]");
        assert_eq!(eval("let a = [1, 1, 2, 2, 3]; a.dedup(|x, y| if x == y { 1 } else { 0 }); `${a}`"), "[1, 2, 3]");
    }

    #[test]
    fn bools_indexes_this_and_start_keep_rhais_meaning() {
        assert_eq!(eval("`${[1, 2, 3, 4].filter(|v, i| v > 1 && i < 3)}`"), "[2, 3]");
        assert_eq!(eval("`${[1, 2, 3, 4].filter(|| this > 2)}`"), "[3, 4]");
        assert_eq!(eval("let x = [1, 2, 3, 4, 1, 2, 3, 4]; `${x.index_of(|v| v > 1, 3)} ${x.index_of(|v| v > 1, -2)} ${x.index_of(|v| v > 1, 99)}`"), "3 6 -1");
        assert_eq!(eval("let x = [1, 2, 3, 5, 8, 13]; `${x.find(|v| v > 1, -3)} ${x.find(|v| v > 0, -99)} ${x.find(|v| v > 20)}`"), "5 1 ");
        assert_eq!(eval("let x = [1, 2, 3, 4, 5]; let z = x.drain(|v, i| v + i > 5); `${x} ${z}`"), "[1, 2, 3] [4, 5]");
        assert_eq!(
            eval("let x = [1, 2, 3, 4, 5]; let z = x.retain(|v, i| v + i > 5); `${x} ${z}`"),
            "[4, 5] [1, 2, 3]"
        );
        assert_eq!(
            eval("let x = [1, 2, 2, 2, 3, 1, 2, 3, 4, 3, 3, 2, 1]; x.dedup(|a, b| a >= b); `${x}`"),
            "[1, 2, 3, 4]"
        );
        assert_eq!(eval("`${[].some(|v| true)} ${[].all(|v| false)}`"), "false true");
    }

    /// Every method's error propagates; Rhai's own `dedup(comparer)` dropped it and kept the array.
    #[test]
    fn an_error_in_the_function_fails_the_call() {
        for call in [
            "let a = [1, 1, 2]; a.dedup(|x, y| { throw \"boom\"; });",
            "[1, 2].filter(|x| { throw \"boom\"; });",
            "let a = [1, 2]; a.retain(|x| { throw \"boom\"; });",
            "let a = [1, 2]; a.drain(|x| { throw \"boom\"; });",
            "[1, 2].some(|x| { throw \"boom\"; });",
            "[1, 2].all(|x| { throw \"boom\"; });",
            "[1, 2].find(|x| { throw \"boom\"; });",
            "[1, 2].find(|x| { throw \"boom\"; }, 1);",
            "[1, 2].index_of(|x| { throw \"boom\"; });",
            "[1, 2].index_of(|x| { throw \"boom\"; }, -1);",
        ] {
            let err = engine().run(call).expect_err(call);
            assert!(err.to_string().contains("boom"), "{call}: {err}");
        }
    }

    /// Sweep 31: Rhai's `dedup()` dropped the error of an `==` that has none for its values (a
    /// metric object's, in rload) and kept both; the error is the call's now, and values that
    /// `==` compares are deduplicated as before.
    #[test]
    fn dedup_without_a_comparer_keeps_the_error_of_equals() {
        #[derive(Clone)]
        struct Opaque;
        let mut engine = engine();
        engine.register_type_with_name::<Opaque>("Opaque").register_fn("opaque", || Opaque);
        let err = engine.run("let a = [opaque(), opaque()]; a.dedup();").expect_err("== of Opaque");
        assert!(err.to_string().contains("Function not found: == (Opaque, Opaque)"), "{err}");
        assert_eq!(
            eval(r#"let a = [1, 1, 2, 2.0, "x", "x", [1], [1], 1]; a.dedup(); `${a}`"#),
            r#"[1, 2, "x", [1], 1]"#
        );
    }
}
