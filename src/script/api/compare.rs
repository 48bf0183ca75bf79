//! Number comparisons as JavaScript makes them: exact.
//!
//! Rhai's published float comparisons allow a relative tolerance of one `f64::EPSILON`, and the
//! formula they use turns any comparison with an infinity into `false`. A k6 script that folds a
//! minimum from `Infinity` (`if (x < min) min = x`) then never updates it, and `0.1 + 0.2 == 0.3`
//! holds: the script runs and measures something else.
//!
//! The Rhai that rload builds makes its built-in float comparisons exact (vendor/rhai/RLOAD-PATCH.md):
//! the operators, and the built-in Rhai falls back on where it calls `==` itself (`contains`,
//! `index_of`, `==` between arrays and maps) or folds constants. Rhai has no comparison functions
//! of its own for floats, so nothing needs registering; the tests below are what fails if the
//! patch is lost in a Rhai upgrade (with one for its map indexed by an integer).

use rhai::{Dynamic, Engine, NativeCallContext};

pub fn register(engine: &mut Engine) {
    // Rhai's default, said here: the built-in operators run without a function lookup, and
    // they are exact.
    engine.set_fast_operators(true);
    engine.register_fn("js_same", js_same);
}

/// `a === b` of a converted script where neither side is certainly of one kind: Rhai's `==`,
/// except that null and undefined (both `()`, null tagged `Dynamic::NULL`) are not each other,
/// values of two types are not equal (an integer and a float are both numbers), and where Rhai
/// has no `==` for a type the two are not equal (JavaScript compares objects by identity).
fn js_same(ctx: NativeCallContext, a: Dynamic, b: Dynamic) -> bool {
    if a.is_unit() || b.is_unit() {
        return a.is_unit() && b.is_unit() && a.is_js_null() == b.is_js_null();
    }
    let number = |d: &Dynamic| d.as_float().ok().or_else(|| d.as_int().ok().map(|i| i as f64));
    if let (Some(x), Some(y)) = (number(&a), number(&b)) {
        return x == y;
    }
    if a.type_id() != b.type_id() {
        // A character of a string (`for (const c of s)`) is a one-character string.
        return match (a.as_char(), b.as_char()) {
            (Ok(c), _) => b.read_lock::<rhai::ImmutableString>().is_some_and(|s| s.chars().eq(std::iter::once(c))),
            (_, Ok(c)) => a.read_lock::<rhai::ImmutableString>().is_some_and(|s| s.chars().eq(std::iter::once(c))),
            _ => false,
        };
    }
    ctx.call_native_fn::<bool>("==", (a, b)).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use rhai::Engine;

    #[test]
    fn js_same_tells_null_from_undefined_and_keeps_rhais_equality() {
        let mut engine = Engine::new();
        super::register(&mut engine);
        engine.register_fn("js_null", || rhai::Dynamic::NULL);
        let same = |script: &str| engine.eval::<bool>(script).unwrap();
        assert!(!same("js_same(js_null(), ())"));
        assert!(same("js_same(js_null(), js_null())") && same("js_same((), ())"));
        assert!(same("js_same(1, 1.0)") && !same("js_same(1, \"1\")") && !same("js_same(0, ())"));
        assert!(same("js_same(\"a\", \"a\")") && same("js_same('a', \"a\")") && !same("js_same('a', \"ab\")"));
        assert!(same("js_same([1, 2], [1, 2])") && !same("js_same([1], [2])") && same("js_same(#{a: 1}, #{a: 1})"));
        assert!(!same("js_same(true, 1)") && same("js_same(false, false)"));
    }

    fn eval(script: &str) -> bool {
        let mut engine = Engine::new();
        super::register(&mut engine);
        engine.eval::<bool>(script).unwrap()
    }

    #[test]
    fn a_comparison_with_an_infinity_is_ieee() {
        assert!(eval("5.0 < 1e308 * 10.0"));
        assert!(eval("5 < 1e308 * 10.0"));
        assert!(eval("let inf = 1e308 * 10.0; inf == inf"));
        assert!(eval("-1e308 * 10.0 < -1.0"));
        assert!(!eval("1e308 * 10.0 <= 5"));
    }

    #[test]
    fn floats_compare_without_a_tolerance() {
        assert!(!eval("0.1 + 0.2 == 0.3"));
        assert!(eval("0.1 + 0.2 != 0.3"));
        assert!(!eval("2.2e-16 == 0.0"));
        assert!(eval("1.0 + 2.2e-16 > 1.0"));
        assert!(eval("5 == 5.0 && 5.0 >= 5 && 4.5 < 5"));
    }

    /// vendor/rhai/RLOAD-PATCH.md: `m[1]` is `m["1"]`, as JavaScript keys an object.
    #[test]
    fn a_map_indexed_by_an_integer_reads_and_sets_the_key_of_its_text() {
        assert!(eval(r#"let m = #{}; m[1] = "one"; m["1"] == "one" && m[1] == "one" && m.len() == 1"#));
        assert!(eval(r#"let m = #{ "20": 2 }; m[20] += 1; m[20] == 3 && m[-5] == ()"#));
        let mut engine = Engine::new();
        super::register(&mut engine);
        assert!(engine.eval::<bool>("let m = #{}; m[1.5] == ()").is_err(), "a float index stays an error");
    }

    #[test]
    fn nan_equals_nothing() {
        assert!(!eval("let n = 0.0 / 0.0; n == n"));
        assert!(eval("let n = 0.0 / 0.0; n != n"));
        assert!(!eval("let n = 0.0 / 0.0; n < 1.0 || n >= 1.0"));
    }

    #[test]
    fn the_optimiser_folds_no_constant_comparison_with_a_tolerance() {
        let mut engine = Engine::new();
        super::register(&mut engine);
        engine.set_optimization_level(rhai::OptimizationLevel::Full);
        assert!(!engine.eval::<bool>("0.1 + 0.2 == 0.3").unwrap());
    }

    #[test]
    fn arrays_find_floats_exactly() {
        assert!(!eval("[0.3].contains(0.1 + 0.2)"));
        assert!(eval("[1e308 * 10.0].contains(1e308 * 10.0)"));
        assert!(eval("[1, 2.5, 3].index_of(2.5) == 1"));
        assert!(eval("[1].contains(1.0) && [1.0].contains(1)"));
        assert!(!eval("[0.1 + 0.2] == [0.3]"));
        assert!(!eval("#{ a: 0.1 + 0.2 } == #{ a: 0.3 }"));
    }

    #[test]
    fn other_types_keep_their_built_in_operators() {
        assert!(eval(r#"1 < 2 && "a" < "b" && "ab" == "a" + "b" && [1, 2] == [1, 2] && true != false"#));
        assert!(eval("let x = 1; x += 2; x == 3"));
    }
}
