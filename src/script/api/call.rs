//! `js_call(f, [args])`: a function value called as JavaScript calls one, whatever number of
//! parameters it declares: the arguments beyond them dropped, the missing ones `()`
//! (undefined). Rhai finds a function by its name and its number of arguments, so
//! `cb.call(1, 2)` of a closure declaring one parameter fails with "Function not found". The
//! converter writes `js_call` where it cannot see what the called value declares (a parameter
//! holding a closure, an object's property); Rhai scripts can use it too.
//!
//! Sound because a call that does not fit fails before the function runs: trying the other
//! numbers of arguments runs the function once, with the first that fits.
//!
//! `js_rest(f, n)`: a JavaScript function with a rest parameter (`(a, ...rest) => …`) as a
//! value, `f` taking its `n` plain parameters and then the array of the others. `js_call`
//! calls it as JavaScript does (`js_call(g, [1, 2, 3])` is `f(1, [2, 3])` for n = 1); anything
//! else that would call it with a fixed number of arguments (Rhai's `g.call(…)`, an array's
//! `map(g)`, k6's `group(name, g)`) fails, rather than hand the
//! function its arguments otherwise than JavaScript would.

use rhai::{Array, Dynamic, Engine, EvalAltResult, EvalContext, FnPtr, NativeCallContext, INT};

/// A native call context for the function `fn_name` of the script whose statement `ctx`
/// evaluates: what calling back into the script (a WebSocket's handlers, a promise's callbacks)
/// needs after that function returned.
pub fn native_context<'a>(ctx: &'a EvalContext, fn_name: &'a str) -> NativeCallContext<'a> {
    NativeCallContext::new_with_all_fields(
        ctx.engine(),
        fn_name,
        ctx.source(),
        ctx.global_runtime_state(),
        rhai::Position::NONE,
    )
}

/// The most arguments tried beyond those written, when fewer do not fit.
const MOST_PARAMS: usize = 16;

pub fn register(engine: &mut Engine) {
    engine.register_fn("js_call", js_call);
    engine.register_type_with_name::<RestFn>("JsRestFn");
    engine.register_fn("js_rest", |f: FnPtr, plain: INT| RestFn { f, plain: plain.max(0) as usize });
    engine.register_fn("js_call", js_call_rest);
}

/// A function with a rest parameter (see the module documentation).
#[derive(Clone)]
pub struct RestFn {
    f: FnPtr,
    /// The parameters before the rest parameter.
    plain: usize,
}

fn js_call_rest(ctx: NativeCallContext, r: RestFn, mut args: Array) -> Result<Dynamic, Box<EvalAltResult>> {
    let rest = if args.len() > r.plain { args.split_off(r.plain) } else { Array::new() };
    args.resize(r.plain, Dynamic::UNIT);
    args.push(Dynamic::from_array(rest));
    r.f.call_raw(&ctx, None, args).map_err(|e| in_callers_file(&ctx, e))
}

fn js_call(ctx: NativeCallContext, f: FnPtr, args: Array) -> Result<Dynamic, Box<EvalAltResult>> {
    call_fitting(&ctx, &f, args)
}

/// `f` called with `args` as JavaScript calls a function (what `js_call` does), for the bindings
/// that call back a script's function with JavaScript's arguments (a `replace` callback).
pub fn call_fitting(ctx: &NativeCallContext, f: &FnPtr, args: Array) -> Result<Dynamic, Box<EvalAltResult>> {
    call_fitting_as(ctx, f, args, &mut None)
}

/// [`call_fitting`] for a function called again and again with as many arguments (a `replace`
/// callback, once per match): `fit` keeps the number that fitted, tried first at the next call,
/// so a callback declaring one parameter is not first called with three every time.
pub fn call_fitting_as(
    ctx: &NativeCallContext,
    f: &FnPtr,
    args: Array,
    fit: &mut Option<usize>,
) -> Result<Dynamic, Box<EvalAltResult>> {
    let n = args.len();
    let first = fit.unwrap_or(n);
    let fitted = |m: usize| {
        let mut a: Array = args.iter().take(m).cloned().collect();
        a.resize(m, Dynamic::UNIT);
        a
    };
    let written = match f.call_raw(ctx, None, fitted(first)) {
        Err(e) if does_not_fit(&e, f) => e,
        other => {
            *fit = Some(first);
            return other.map_err(|e| in_callers_file(ctx, e));
        }
    };
    // Fewer first, the most that fit (JavaScript drops the extra arguments), then more, padded
    // with `()`.
    for m in (0..n).rev().chain(n + 1..=MOST_PARAMS.max(n)).filter(|m| *m != first) {
        match f.call_raw(ctx, None, fitted(m)) {
            Err(e) if does_not_fit(&e, f) => continue,
            other => {
                *fit = Some(m);
                return other.map_err(|e| in_callers_file(ctx, e));
            }
        }
    }
    Err(written)
}

/// An error inside a function of the main script that an imported module's function called
/// (a callback the script passed it): Rhai names the file of such a call by where it was made
/// (the module's), and a script's function carries no file of its own, so the error would be
/// placed in the module's file at a line of the main script. The calls of the main script's
/// functions on the way, up to the next module's, are the main script's (k6's stack trace
/// starts at the callback's own line: `main.js:7:13`, then `lib.js:4:14`).
fn in_callers_file(ctx: &NativeCallContext, e: Box<EvalAltResult>) -> Box<EvalAltResult> {
    let global = ctx.global_runtime_state();
    let (Some(main), Some(here)) = (global.lib.first(), global.source()) else { return e };
    match main.id() {
        Some(main_id) if main_id != here => relabel(*e, main, main_id, here).into(),
        _ => e,
    }
}

fn relabel(e: EvalAltResult, main: &rhai::Module, main_id: &str, here: &str) -> EvalAltResult {
    match e {
        EvalAltResult::ErrorInFunctionCall(name, src, inner, at)
            if src == here && main.iter_script_fn_info().any(|(_, _, f, ..)| f == name) =>
        {
            let inner = relabel(*inner, main, main_id, here).into();
            EvalAltResult::ErrorInFunctionCall(name, main_id.to_string(), inner, at)
        }
        other => other,
    }
}

/// Whether `e` is `f` itself not found for that number of arguments (an error inside `f` comes
/// wrapped in the call, and is `f`'s own).
fn does_not_fit(e: &EvalAltResult, f: &FnPtr) -> bool {
    matches!(e, EvalAltResult::ErrorFunctionNotFound(signature, _)
        if signature.strip_prefix(f.fn_name()).is_some_and(|rest| rest.starts_with(" (")))
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
    fn a_closure_takes_the_arguments_it_declares_as_javascript_passes_them() {
        let out: String = engine()
            .eval(
                "let y = 10;\n\
                 let one = |a| a + y;\n\
                 let two = |a, b| `${a}:${b}`;\n\
                 fn named(a, b) { a * b }\n\
                 `${js_call(one, [1, 2, 3])} ${js_call(two, [5])} ${js_call(two, [])} ${js_call(Fn(\"named\"), [2, 3, 4])}`",
            )
            .unwrap();
        assert_eq!(out, "11 5: : 6");
    }

    #[test]
    fn a_rest_function_gets_the_arguments_beyond_its_plain_parameters_as_an_array() {
        let out: String = engine()
            .eval(
                "let y = 10;\n\
                 let f = js_rest(|a, b, rest| `${a}:${b}:${rest.len()}:${rest}:${y}`, 2);\n\
                 fn all(xs) { xs.len() }\n\
                 let g = js_rest(Fn(\"all\"), 0);\n\
                 `${js_call(f, [1, 2, 3, 4])} ${js_call(f, [1])} ${js_call(g, [])} ${js_call(g, [1, 2, 3])}`",
            )
            .unwrap();
        assert_eq!(out, "1:2:2:[3, 4]:10 1::0:[]:10 0 3");
        // Called otherwise, with a fixed number of arguments, it is no function.
        assert!(engine().eval::<rhai::Dynamic>("let f = js_rest(|rest| rest, 0);\nf.call(1)").is_err());
        let err = engine().eval::<rhai::Dynamic>("let f = js_rest(|rest| rest, 0);\n[1].map(f)").unwrap_err();
        assert!(err.to_string().contains("Function not found"), "{err}");
    }

    #[test]
    fn an_error_inside_the_function_is_its_own_and_it_runs_once() {
        let err = engine()
            .eval::<i64>("let runs = [];\nlet f = |a| { runs.push(a); a.nope() };\njs_call(f, [1, 2])")
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("nope"), "{text}");
        let runs: i64 = engine()
            .eval("let n = 0;\nlet f = |a| { n += 1; if n > 0 { throw \"once\" } };\ntry { js_call(f, [1, 2]); } catch {}\nn")
            .unwrap();
        assert_eq!(runs, 1);
    }
}
