//! Resolves `import "name" as x;`: first next to the file that imports it (the script, or a
//! module for a module's own imports, as k6 resolves `import … from "./b.js"`), then in the
//! bundled `stdlib/`. Also says which module's init code is running, which `open()` reads
//! relative to.
//!
//! Each worker thread has its own engine and so its own resolver; a module is compiled and
//! evaluated once per thread and then shared by that thread's VUs (module values are constants).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rhai::{Engine, EvalAltResult, FnAccess, FnNamespace, Module, ModuleResolver, Position, Scope, Shared};

/// The Rhai modules bundled into the binary, by import name.
pub const STDLIB: &[(&str, &str)] = &[
    ("generators", include_str!("../../stdlib/generators.rhai")),
    ("assertions", include_str!("../../stdlib/assertions.rhai")),
    ("thresholds", include_str!("../../stdlib/thresholds.rhai")),
    ("scale", include_str!("../../stdlib/scale.rhai")),
    ("synckairos", include_str!("../../stdlib/synckairos.rhai")),
];

thread_local! {
    /// The directories of the modules whose init code is running on this thread, innermost
    /// last (`None` for a bundled module, which has no directory).
    static INITIALIZING: RefCell<Vec<Option<PathBuf>>> = const { RefCell::new(Vec::new()) };
}

/// The directory of the module whose top-level code is running, if one is: what k6's
/// `open()` reads relative to. k6 sets its init environment's working directory to each module
/// while it evaluates the module, so `open("data.txt")` at a module's top level reads the file
/// next to the module, and the same call in a function that the main script's init code calls
/// reads it next to the script (k6 v1.1.0 warns that this part may change; rload does as it
/// does now).
pub fn initializing_module_dir() -> Option<PathBuf> {
    INITIALIZING.with(|stack| stack.borrow().last().cloned().flatten())
}

/// Pops [`INITIALIZING`] when a module's evaluation ends, however it ends.
struct Initializing;

impl Initializing {
    fn start(dir: Option<PathBuf>) -> Initializing {
        INITIALIZING.with(|stack| stack.borrow_mut().push(dir));
        Initializing
    }
}

impl Drop for Initializing {
    fn drop(&mut self) {
        INITIALIZING.with(|stack| stack.borrow_mut().pop());
    }
}

pub struct ScriptResolver {
    dir: PathBuf,
    /// By the directory an import is resolved from and the name it gives.
    cache: RefCell<HashMap<(PathBuf, String), Shared<Module>>>,
    /// The directory of each module read from a file, by its origin (its AST's source, which
    /// Rhai passes as the `source` of the imports in it).
    module_dirs: RefCell<HashMap<String, PathBuf>>,
}

/// A module found: its origin (the file runtime errors name), its text, and the directory
/// its own imports and its init code's `open()` resolve from (`None` for a bundled one).
struct Loaded {
    origin: String,
    text: String,
    dir: Option<PathBuf>,
}

impl ScriptResolver {
    pub fn new(dir: &Path) -> Self {
        ScriptResolver { dir: dir.to_path_buf(), cache: RefCell::default(), module_dirs: RefCell::default() }
    }

    /// `path` as imported by a file in `base`.
    fn load(&self, base: &Path, path: &str, pos: Position) -> Result<Loaded, Box<EvalAltResult>> {
        let file = if Path::new(path).extension().is_some() { path.to_string() } else { format!("{path}.rhai") };
        if let Some((origin, text)) = super::converted::module(&file) {
            // The converter names modules flat; the JavaScript file is where it was read from.
            let dir = Path::new(&origin).parent().map(Path::to_path_buf);
            return Ok(Loaded { origin, text, dir });
        }
        let local = base.join(&file);
        if local.is_file() {
            let text = std::fs::read_to_string(&local)
                .map_err(|e| EvalAltResult::ErrorModuleNotFound(format!("{path} ({}: {e})", local.display()), pos))?;
            super::files::read(&local);
            let dir = local.parent().map(Path::to_path_buf);
            return Ok(Loaded { origin: local.display().to_string(), text, dir });
        }
        let name = path.trim_end_matches(".rhai");
        if let Some((_, text)) = STDLIB.iter().find(|(n, _)| *n == name) {
            return Ok(Loaded { origin: format!("stdlib/{name}.rhai"), text: (*text).to_string(), dir: None });
        }
        Err(EvalAltResult::ErrorModuleNotFound(
            format!("{path} (looked for {} and in the bundled stdlib: {})", local.display(), stdlib_names()),
            pos,
        )
        .into())
    }
}

/// `ast` with its closures' functions public, and their hashes. Rhai makes a closure a
/// private function of the file it is written in and looks it up by name where it is called, so
/// a closure that a module's function returns was not found where the script called it
/// ("Function not found: anon$…"; k6: `lib.js`'s `make() { return (x) => x + 1 }`, then
/// `make()(1)` in the script, is 2). Public, and in the module's global namespace (set once the
/// module is evaluated), the function is found from anywhere the module is imported, and runs
/// with the module's environment as its other functions do. Its name (`anon$` and a hash) is no
/// name a script can write, so nothing else can call it or be shadowed by it.
fn closures_public(ast: rhai::AST) -> (rhai::AST, Vec<u64>) {
    let mut lib = Module::new();
    let mut closures = Vec::new();
    for f in ast.iter_fn_def() {
        let mut f = (**f).clone();
        if f.name.starts_with("anon$") {
            f.access = FnAccess::Public;
            closures.push(lib.set_script_fn(f));
        } else {
            lib.set_script_fn(f);
        }
    }
    if closures.is_empty() {
        return (ast, closures);
    }
    let mut public = rhai::AST::new(ast.statements().iter().cloned(), lib);
    if let Some(source) = ast.source() {
        public.set_source(source);
    }
    (public, closures)
}

fn stdlib_names() -> String {
    STDLIB.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

impl ModuleResolver for ScriptResolver {
    fn resolve(
        &self,
        engine: &Engine,
        source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        // An import in a module resolves next to that module; in the script (or a bundled
        // module), next to the script.
        let base = source.and_then(|s| self.module_dirs.borrow().get(s).cloned()).unwrap_or_else(|| self.dir.clone());
        let key = (base, path.to_string());
        if let Some(m) = self.cache.borrow().get(&key) {
            return Ok(m.clone());
        }
        let Loaded { origin, text, dir } = self.load(&key.0, path, pos)?;
        if let Some(dir) = &dir {
            self.module_dirs.borrow_mut().insert(origin.clone(), dir.clone());
        }
        let ast = super::facts::compile(engine, &text, &origin).map_err(|e| {
            let where_ = e.position();
            EvalAltResult::ErrorInModule(
                origin.clone(),
                EvalAltResult::ErrorParsing(e.0.as_ref().clone(), where_).into(),
                pos,
            )
        })?;
        let (ast, closures) = closures_public(ast);
        let mut module = {
            let _initializing = Initializing::start(dir);
            Module::eval_ast_as_new(Scope::new(), &ast, engine)
        }
        .map_err(|e| Box::new(EvalAltResult::ErrorInModule(origin, e, pos)))?;
        for hash in closures {
            #[allow(deprecated)] // FuncRegistration cannot change a script function's namespace
            module.update_fn_namespace(hash, FnNamespace::Global);
        }
        module.build_index();
        let shared: Shared<Module> = module.into();
        self.cache.borrow_mut().insert(key, shared.clone());
        Ok(shared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A closure a module's function returns, called by the script that imported the module:
    /// found, and run in the module's environment (its functions in reach), where Rhai looked
    /// its function up in the script ("Function not found: anon$… (i64)").
    #[test]
    fn a_closure_a_module_function_returns_can_be_called_by_the_script() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("lib.rhai"),
            "fn twice(x) { x * 2 }\nfn make(n) { |x| twice(x) + n }\nfn plain() { 1 }\n",
        )
        .unwrap();
        let mut engine = Engine::new();
        engine.set_module_resolver(ScriptResolver::new(dir.path()));
        let out: i64 = engine.eval("import \"lib\" as lib;\nlet f = lib::make(1);\nf.call(3) + lib::plain()").unwrap();
        assert_eq!(out, 8);
    }
}
