//! JavaScript's `Math` functions that Rhai has no exact counterpart for, for converted k6
//! scripts: `js_math(name, x)` for the one-argument ones (`cbrt`, `log10`, `sin`, …), `js_math2`
//! for `atan2` and `imul`, and `js_hypot([…])`. Each argument is read as JavaScript's `Number(x)`
//! (null 0, undefined NaN, numeric text its number). The transcendental ones go through Rust's
//! (the platform's) math library, where k6 uses Go's: a result may differ in its last digit.

use rhai::{Array, Dynamic, Engine, EvalAltResult, INT};

use super::convert::js_to_number;

/// The one-argument functions `js_math` knows.
pub const ONE: &[&str] = &[
    "cbrt", "log10", "log2", "log1p", "expm1", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
    "asinh", "acosh", "atanh", "fround", "clz32",
];

pub fn register(engine: &mut Engine) {
    engine.register_fn("js_math", |name: &str, x: Dynamic| -> Result<Dynamic, Box<EvalAltResult>> {
        let x = number(&x);
        let y = match name {
            "cbrt" => x.cbrt(),
            "log10" => x.log10(),
            "log2" => x.log2(),
            "log1p" => x.ln_1p(),
            "expm1" => x.exp_m1(),
            "sin" => x.sin(),
            "cos" => x.cos(),
            "tan" => x.tan(),
            "asin" => x.asin(),
            "acos" => x.acos(),
            "atan" => x.atan(),
            "sinh" => x.sinh(),
            "cosh" => x.cosh(),
            "tanh" => x.tanh(),
            "asinh" => x.asinh(),
            "acosh" => x.acosh(),
            "atanh" => x.atanh(),
            "fround" => f64::from(x as f32),
            "clz32" => return Ok(Dynamic::from(INT::from(to_uint32(x).leading_zeros()))),
            _ => return Err(format!("Math.{name} is not a function rload has").into()),
        };
        Ok(whole(y))
    });
    engine.register_fn("js_math2", |name: &str, a: Dynamic, b: Dynamic| -> Result<Dynamic, Box<EvalAltResult>> {
        let (a, b) = (number(&a), number(&b));
        match name {
            "atan2" => Ok(whole(a.atan2(b))),
            "imul" => Ok(Dynamic::from(INT::from((to_uint32(a) as i32).wrapping_mul(to_uint32(b) as i32)))),
            _ => Err(format!("Math.{name} is not a function rload has").into()),
        }
    });
    engine.register_fn("js_hypot", |xs: Array| {
        let xs: Vec<f64> = xs.iter().map(number).collect();
        // An infinity wins over a NaN, as in JavaScript.
        if xs.iter().any(|x| x.is_infinite()) {
            return whole(f64::INFINITY);
        }
        whole(xs.iter().fold(0.0_f64, |acc, x| acc.hypot(*x)))
    });
}

fn number(v: &Dynamic) -> f64 {
    js_to_number(v).unwrap_or(f64::NAN)
}

/// JavaScript's ToUint32.
fn to_uint32(x: f64) -> u32 {
    if !x.is_finite() {
        return 0;
    }
    (x.trunc().rem_euclid(4_294_967_296.0)) as u32
}

/// A whole result an integer where a double holds it exactly, as the converter's other `Math`
/// results are (`Math.cbrt(27)` is 3, usable as an index).
fn whole(y: f64) -> Dynamic {
    if y.fract() == 0.0 && y.abs() < 9_007_199_254_740_992.0 && !(y == 0.0 && y.is_sign_negative()) {
        Dynamic::from(y as INT)
    } else {
        Dynamic::from(y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(script: &str) -> String {
        let mut engine = Engine::new();
        register(&mut engine);
        engine.eval::<Dynamic>(script).map(|d| d.to_string()).unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn math_functions_give_javascripts_numbers() {
        assert_eq!(eval(r#"js_math("cbrt", 27)"#), "3");
        assert_eq!(eval(r#"js_math("log10", 1000)"#), "3");
        assert_eq!(eval(r#"js_math("log2", "8")"#), "3");
        assert_eq!(eval(r#"js_math("clz32", 1)"#), "31");
        assert_eq!(eval(r#"js_math("fround", 5.5)"#), "5.5");
        assert_eq!(eval(r#"js_math2("atan2", 0, -1)"#), std::f64::consts::PI.to_string());
        assert_eq!(eval(r#"js_math2("imul", 3, 4)"#), "12");
        assert_eq!(eval(r#"js_math2("imul", 4294967295, 5)"#), "-5");
        assert_eq!(eval("js_hypot([3, 4])"), "5");
        assert_eq!(eval("js_hypot([])"), "0");
        assert!(eval(r#"js_math("sin", ())"#).contains("NaN"));
    }
}
