//! Building the Rhai engine a worker thread uses, and compiling a script for it.
//!
//! One engine per worker thread serves all of that thread's VUs (`Engine::new()` per VU would
//! cost ~229 KB each). The engine carries the script API, the limits that turn runaway scripts
//! into errors, the variable resolver that gives functions k6's module scope, and the hidden
//! `__rload_vu_main` statement that hands control to the VU's life cycle.

use std::path::Path;

use rhai::{Dynamic, Engine, OptimizationLevel, AST};

use super::api;
use super::diagnostics::render_parse_error;
use super::facts::{self, Facts};
use super::resolver::ScriptResolver;
use crate::runtime::{coroutine, vu};

/// The statement appended to every script: the VU's life after init.
const VU_MAIN: &str = "__rload_vu_main";

/// Coroutine stack reservation per VU. Reserved pages cost no memory until touched; the size
/// only has to hold the deepest script the call-level limit allows (debug builds use far more
/// stack per Rhai call level than release builds).
pub const VU_STACK_SIZE: usize = if cfg!(debug_assertions) { 16 << 20 } else { 2 << 20 };

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
    engine.on_progress(|ops| {
        // Checked every 1024 operations (tens of microseconds): a loop that never waits still
        // ends when its VU is stopped, and gives its thread to the other VUs once its time slice
        // is used (see `coroutine::TIME_SLICE`).
        if ops % 1024 == 0 {
            if let Some(vu) = vu::try_current() {
                if vu.should_interrupt() || coroutine::yield_if_slice_used().is_err() || vu.should_interrupt() {
                    return Some(Dynamic::from(vu::INTERRUPTED));
                }
            }
        }
        None
    });
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
        if let Some(v) = vu::try_current().and_then(|vu| vu.globals.borrow().get(name).cloned()) {
            return Ok(Some(v));
        }
        Ok(api::builtin_variable(name))
    });
    engine.on_print(crate::logger::print);
    engine.on_debug(|s, src, pos| {
        let msg = format!("{}{pos:?}: {s}", src.map(|s| format!("{s} ")).unwrap_or_default());
        crate::logger::log(crate::logger::Level::Debug, None, &msg, &[]);
    });
    engine
        .register_custom_syntax([VU_MAIN], false, |ctx, _| vu::vu_main(ctx))
        .expect("the VU main statement is valid custom syntax");
    api::register(&mut engine, &sockets);
    engine
}

/// Compiles `source` for `engine` and appends the VU main statement.
/// A syntax error comes back rendered with file, line, column and a caret.
pub fn compile(engine: &Engine, source: &ScriptSource) -> Result<AST, String> {
    let ast = facts::compile(engine, &source.text, &source.path)
        .map_err(|e| render_parse_error(&source.path, &source.text, &e))?;
    let main = engine.compile(format!("{VU_MAIN};")).expect("the VU main statement compiles");
    // The source names the file in runtime errors; set after the merge, which does not keep it.
    let mut ast = ast.merge(&main);
    ast.set_source(source.path.as_str());
    Ok(ast)
}

/// The script's functions and how many parameters each takes.
pub fn functions(ast: &AST) -> std::collections::HashMap<String, usize> {
    ast.iter_functions().map(|f| (f.name.to_string(), f.params.len())).collect()
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
