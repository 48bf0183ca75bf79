//! Building the Rhai engine a worker thread uses, and compiling a script for it.
//!
//! One engine per worker thread serves all of that thread's VUs (`Engine::new()` per VU would
//! cost ~229 KB each). The engine carries the script API, the limits that turn runaway scripts
//! into errors and the variable resolver that gives functions k6's module scope. [`evaluate`]
//! runs a script's top level (k6's init code) and then hands the same evaluation state to the
//! VU's life cycle.

use std::path::Path;

use rhai::{Dynamic, Engine, EvalAltResult, EvalContext, OptimizationLevel, Scope, SharedFnResolutionCache, AST};

use super::api;
use super::diagnostics::render_parse_error;
use super::facts::{self, Facts};
use super::resolver::ScriptResolver;
use crate::runtime::{coroutine, vu};

/// Coroutine stack reservation per VU. Reserved pages cost no memory until touched (a stack
/// holds only what its VU went deep, `runtime::stack_pool`), so this is address space, sized to
/// hold the deepest evaluation the limits below allow with room to spare: [`MAX_CALL_LEVELS`]
/// calls, each with an expression nested as deep as `set_max_expr_depths` lets a function's
/// (about 28 levels of `(1 + …)`), takes ~4.5 MB in a release build (2 MiB overflowed at 55
/// calls of 15 levels, ~2.4 KB a level) and less than 16 MiB in a debug build, which uses
/// several times the stack per level. An overflow is a SIGSEGV: the process ends without its
/// summary. The rest of the room is for Rust's own recursion under one script operation, such
/// as Rhai's size check of a nested value (~110 bytes a level: 2 MiB overflowed at 18,000
/// levels of `a = [a]`, which a script needs hours to build at 64 MiB).
pub const VU_STACK_SIZE: usize = if cfg!(debug_assertions) { 256 << 20 } else { 64 << 20 };

/// Script function call depth allowed before "Stack overflow" ends the iteration.
const MAX_CALL_LEVELS: usize = 64;

/// A script as loaded from disk: its path (as the user wrote it) and text.
#[derive(Clone, Debug)]
pub struct ScriptSource {
    pub path: String,
    pub text: String,
}

/// The script path that means standard input.
pub const STDIN: &str = "-";

impl ScriptSource {
    /// Reads the script at `path`; `-` reads it from standard input (k6's `k6 run -`, the
    /// container idiom), and its imports resolve from the working directory.
    pub fn read(path: &str) -> Result<ScriptSource, String> {
        let text = if let Some(rhai) = super::converted::script_text(path) {
            rhai
        } else if path == STDIN {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| format!("error: cannot read the script from standard input: {e}"))?;
            text
        } else {
            std::fs::read_to_string(path).map_err(|e| format!("error: cannot read script {path}: {e}"))?
        };
        Ok(ScriptSource { path: path.to_string(), text })
    }

    pub fn dir(&self) -> &Path {
        Path::new(&self.path).parent().unwrap_or(Path::new("."))
    }
}

/// The engine a worker thread runs `source` with: [`new_engine`], with JavaScript's indexing
/// of arrays and strings when the script was converted from JavaScript
/// (`rload_convert::is_converted`; Rhai-native scripts keep Rhai's).
pub fn engine_for(source: &ScriptSource) -> Engine {
    let mut engine = new_engine(source.dir());
    engine.set_js_indexing(rload_convert::is_converted(&source.text));
    engine
}

/// A new engine with the full script API, resolving imports next to `script_dir`.
pub fn new_engine(script_dir: &Path) -> Engine {
    let mut engine = Engine::new();
    // Compiled unoptimised so `facts` sees map literals in source order; `facts::compile`
    // then optimises as Rhai's default compile would.
    engine.set_optimization_level(OptimizationLevel::None);
    Facts::install(&mut engine);
    engine.set_max_call_levels(MAX_CALL_LEVELS);
    engine.set_max_expr_depths(128, 64);
    engine.set_max_string_size(512 << 20);
    engine.set_max_array_size(16 << 20);
    engine.set_max_map_size(1 << 20);
    engine.set_module_resolver(ScriptResolver::new(script_dir));
    // Checked every 1024 operations (tens of microseconds): a loop that never waits still ends
    // when its VU is stopped, and gives its thread to the other VUs once its time slice is used
    // (see `coroutine::TIME_SLICE`). Rhai calls the hook at every operation, ~60 per request of
    // scenario 03, so the check itself stays out of line.
    engine.on_progress(|ops| if ops % 1024 == 0 { progress_check() } else { None });
    // Sessions open on this engine: while there are none, resolving a variable costs one load.
    let sockets = api::ws::OpenSessions::default();
    let open = sockets.clone();
    #[allow(deprecated)] // "volatile", not deprecated: see the attribute's own note.
    engine.on_var(move |name, index, ctx| {
        // A captured socket variable: see `api::ws::OpenSessions::unlocked_socket` for why.
        if let Some(socket) = open.unlocked_socket(name, index, ctx.scope()) {
            return Ok(Some(socket));
        }
        if index > 0 {
            return Ok(None);
        }
        // A script variable shadows a built-in one, as a JavaScript declaration shadows a
        // global: a closure reads its captured variables by name (index 0), and k6 scripts
        // call their socket `ws`. Top-level variables shadow them in every function alike.
        if ctx.scope().contains(name) {
            return Ok(None);
        }
        if let Some(vu) = vu::try_current() {
            if let Some(v) = vu.globals.borrow().get(name).cloned() {
                return Ok(Some(v));
            }
            // While the init code runs, a function reads the top-level constants declared so far
            // (Rhai keeps them for `global::NAME`), as a k6 script's helper reads its module's
            // `const`s: `const LOGIN = url("/login")` with `fn url(p) { BASE + p }`. Once the
            // init code ends, `vu_main` hands every top-level variable to `globals`.
            if vu.in_init.get() {
                let constants = ctx.global_runtime_state().constants.as_ref();
                if let Some(v) = constants.and_then(|c| c.borrow().get(name).cloned()) {
                    return Ok(Some(v));
                }
            }
        }
        api::builtin_variable(name)
    });
    engine.on_print(crate::logger::print);
    engine.on_debug(|s, src, pos| {
        let msg = format!("{}{pos:?}: {s}", src.map(|s| format!("{s} ")).unwrap_or_default());
        crate::logger::log(crate::logger::Level::Debug, None, &msg, &[]);
    });
    api::register(&mut engine, &sockets);
    engine
}

/// The progress hook's check, every 1024 operations: the VU's stop, and its time slice.
#[cold]
#[inline(never)]
fn progress_check() -> Option<Dynamic> {
    let vu = vu::try_current()?;
    // Not while the VU reads `__ENV`, which its thread's VUs share (`VuContext::holds_env`).
    if vu.should_interrupt() || (!vu.holds_env() && coroutine::yield_if_slice_used().is_err()) || vu.should_interrupt()
    {
        return Some(Dynamic::from(vu::INTERRUPTED));
    }
    None
}

/// Compiles `source` for `engine`. A syntax error comes back rendered with file, line, column
/// and a caret.
pub fn compile(engine: &Engine, source: &ScriptSource) -> Result<AST, String> {
    let mut ast = facts::compile(engine, &source.text, &source.path)
        .map_err(|e| render_parse_error(&source.path, &source.text, &e))?;
    // The source names the file in runtime errors.
    ast.set_source(source.path.as_str());
    Ok(ast)
}

/// Runs the script's top level (k6's init code) in `scope`, then `after_init` with the
/// evaluation's state: the scope of top-level variables, the imported modules and the
/// top-level constants, so functions it calls through [`EvalContext::call_fn`] see them as
/// they would from the top level. Those calls resolve functions in `resolution`, a cache the
/// evaluations of one engine and `ast` on a thread share (a thread's VUs): a VU's own cache,
/// rebuilt and read by each VU alone, was cold memory at every call at 10,000 VUs.
///
/// This is `Engine::run_ast_with_scope` followed by a call in the same state, rather than a
/// hidden statement appended to the script: a VU spends its life inside `after_init`, and every
/// frame of the top level's evaluation left below it (~2.4 KB in release builds) would be
/// resident stack in every suspended VU.
pub fn evaluate<R>(
    engine: &Engine,
    ast: &AST,
    scope: &mut Scope,
    resolution: &SharedFnResolutionCache,
    after_init: impl FnOnce(&mut EvalContext) -> Result<R, Box<EvalAltResult>>,
) -> Result<R, Box<EvalAltResult>> {
    let mut state = new_state(engine, ast);
    let (global, caches) = &mut *state;
    run_top_level(engine, ast, global, caches, scope)?;
    // The function resolution cache of the calls `after_init` makes: shared, and kept across
    // them, so each iteration does not resolve `run` afresh. The top level's own cache (Rhai
    // creates it on the first call the top level makes and leaves it behind: ~1.3 KB per VU in
    // scenario 03) goes. Every VU of the thread resolves alike: the engine, the AST's functions
    // and the imported modules (`resolver.rs` caches each module per engine) are the same
    // objects; a VU that imports a module with global functions inside a function gets a
    // cache of its own there, as Rhai does (vendor/rhai/RLOAD-PATCH.md).
    caches.rewind_fn_resolution_caches(0);
    caches.push_shared_fn_resolution_cache(resolution.clone());
    after_init(&mut EvalContext::new(engine, global, caches, scope, None))
}

/// The evaluation's state for `ast`, boxed and built in a frame of its own: on the stack it
/// would be ~430 bytes below every iteration, enough to make an idle VU's stack three pages deep
/// instead of two.
#[inline(never)]
fn new_state(engine: &Engine, ast: &AST) -> Box<(rhai::GlobalRuntimeState, rhai::Caches)> {
    let mut state = Box::new((engine.new_global_runtime_state(), rhai::Caches::new()));
    state.0.source = ast.source().map(Into::into);
    state.0.lib.push(ast.shared_lib().clone());
    state
}

/// The top level's statements; never inlined, so the frames of its evaluation are gone from
/// the stack once it returns.
#[inline(never)]
fn run_top_level(
    engine: &Engine,
    ast: &AST,
    global: &mut rhai::GlobalRuntimeState,
    caches: &mut rhai::Caches,
    scope: &mut Scope,
) -> Result<(), Box<EvalAltResult>> {
    // Deprecated in name only: the `internals` API to evaluate statements in a state the caller
    // keeps (here, to call functions in it afterwards).
    #[allow(deprecated)]
    engine.eval_statements_raw(global, caches, scope, ast.statements()).map(|_| ())
}

/// The script's functions and the most parameters any of a name's overloads takes: whether
/// `run`, a scenario's `exec` and `teardown` get setup's data, as k6 always passes it. A
/// converted `export default function (data = {…})` is `fn run(data)` and `fn run()`, and Rhai
/// lists them in no fixed order, so the last one seen decided it at random.
pub fn functions(ast: &AST) -> std::collections::HashMap<String, usize> {
    let mut functions = std::collections::HashMap::new();
    for f in ast.iter_functions() {
        let most = functions.entry(f.name.to_string()).or_insert(0);
        *most = (*most).max(f.params.len());
    }
    functions
}

/// The script's end-of-test hook: `handle_summary` (rload's name) or `handleSummary` (k6's).
/// Defining both is an error: one of them would silently never run.
pub fn summary_hook(functions: &std::collections::HashMap<String, usize>) -> Result<Option<&'static str>, String> {
    match (functions.contains_key("handle_summary"), functions.contains_key("handleSummary")) {
        (true, true) => Err("the script defines both handle_summary() and handleSummary(); keep one \
                             (they are the same k6 hook)"
            .into()),
        (true, false) => Ok(Some("handle_summary")),
        (false, true) => Ok(Some("handleSummary")),
        (false, false) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    /// An engine whose scripts can count their init runs (`init_ran()`) and import `helpers`.
    fn engine_counting_inits() -> (Engine, Rc<Cell<u32>>) {
        let mut engine = Engine::new();
        let inits = Rc::new(Cell::new(0));
        let counter = inits.clone();
        engine.register_fn("init_ran", move || counter.set(counter.get() + 1));
        let helpers = engine.compile("fn twice(x) { x * 2 }").unwrap();
        let module = rhai::Module::eval_ast_as_new(Scope::new(), &helpers, &engine).unwrap();
        let mut resolver = rhai::module_resolvers::StaticModuleResolver::new();
        resolver.insert("helpers", module);
        engine.set_module_resolver(resolver);
        (engine, inits)
    }

    #[test]
    fn a_functions_arity_is_its_widest_overload_whatever_order_rhai_lists_them_in() {
        let script = "fn run() { run(()) }\nfn run(data) { data }\nfn run(a, b) { a }\nfn run(a, b, c) { a }\n\
                      fn teardown(d) { d }\nfn teardown() { teardown(()) }\nfn teardown(a, b) { a }\n\
                      fn helper(a, b, c, d) { a }\nfn helper() { 1 }\nfn setup() { 1 }\n";
        let ast = Engine::new().compile(script).unwrap();
        let found = functions(&ast);
        let expected = [("run", 3), ("teardown", 2), ("helper", 4), ("setup", 0)];
        assert_eq!(found, expected.iter().map(|(n, a)| (n.to_string(), *a)).collect());
    }

    #[test]
    fn functions_called_after_init_see_its_imports_constants_and_variables_and_init_runs_once() {
        let (engine, inits) = engine_counting_inits();
        let script = "import \"helpers\" as h;\nconst K = 10;\nlet name = \"vu\";\ninit_ran();\n\
                      fn run(n) { h::twice(global::K) + n }\n";
        let mut ast = engine.compile(script).unwrap();
        ast.set_source("test.rhai");
        let mut scope = Scope::new();
        let (results, top_level_name) = evaluate(&engine, &ast, &mut scope, &<_>::default(), |ctx| {
            let results: Vec<i64> = (0..3).map(|n| ctx.call_fn::<i64>("run", (n as i64,))).collect::<Result<_, _>>()?;
            Ok((results, ctx.scope().get_value::<String>("name")))
        })
        .unwrap();
        assert_eq!(results, [20, 21, 22]);
        assert_eq!(top_level_name.as_deref(), Some("vu"));
        assert_eq!(inits.get(), 1, "the top level ran once, not once per call");
    }

    #[test]
    fn an_error_in_a_function_called_after_init_names_its_script_position() {
        let (engine, _) = engine_counting_inits();
        let script = "init_ran();\nfn run() {\n    let x = 1;\n    throw \"broken\";\n}\n";
        let mut ast = engine.compile(script).unwrap();
        ast.set_source("test.rhai");
        let err = evaluate(&engine, &ast, &mut Scope::new(), &<_>::default(), |ctx| ctx.call_fn::<Dynamic>("run", ()))
            .unwrap_err();
        let described = crate::script::diagnostics::describe_runtime_error(&err, "test.rhai").message;
        assert!(described.contains("broken"), "{described}");
        assert!(described.contains("at test.rhai:4:5"), "{described}");
    }

    #[test]
    fn an_error_in_init_code_stops_before_anything_runs_after_it() {
        let (engine, inits) = engine_counting_inits();
        let ast = engine.compile("init_ran();\nthrow \"init failed\";\nfn run() {}\n").unwrap();
        let mut after_init_ran = false;
        let err = evaluate(&engine, &ast, &mut Scope::new(), &<_>::default(), |_| {
            after_init_ran = true;
            Ok(())
        })
        .unwrap_err();
        assert!(err.to_string().contains("init failed"), "{err}");
        assert_eq!(err.position().line(), Some(2));
        assert!(!after_init_ran);
        assert_eq!(inits.get(), 1);
    }
}
