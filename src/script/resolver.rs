//! Resolves `import "name" as x;`: first next to the script, then in the bundled `stdlib/`.
//!
//! Each worker thread has its own engine and so its own resolver; a module is compiled and
//! evaluated once per thread and then shared by that thread's VUs (module values are constants).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rhai::{Engine, EvalAltResult, Module, ModuleResolver, Position, Scope, Shared};

/// The Rhai modules bundled into the binary, by import name.
pub const STDLIB: &[(&str, &str)] = &[
    ("generators", include_str!("../../stdlib/generators.rhai")),
    ("assertions", include_str!("../../stdlib/assertions.rhai")),
    ("thresholds", include_str!("../../stdlib/thresholds.rhai")),
    ("scale", include_str!("../../stdlib/scale.rhai")),
    ("synckairos", include_str!("../../stdlib/synckairos.rhai")),
];

pub struct ScriptResolver {
    dir: PathBuf,
    cache: RefCell<HashMap<String, Shared<Module>>>,
}

impl ScriptResolver {
    pub fn new(dir: &Path) -> Self {
        ScriptResolver { dir: dir.to_path_buf(), cache: RefCell::new(HashMap::new()) }
    }

    fn load(&self, engine: &Engine, path: &str, pos: Position) -> Result<(String, String), Box<EvalAltResult>> {
        let file = if Path::new(path).extension().is_some() { path.to_string() } else { format!("{path}.rhai") };
        if let Some(converted) = super::converted::module(&file) {
            return Ok(converted);
        }
        let local = self.dir.join(&file);
        if local.is_file() {
            let text = std::fs::read_to_string(&local)
                .map_err(|e| EvalAltResult::ErrorModuleNotFound(format!("{path} ({}: {e})", local.display()), pos))?;
            super::files::read(&local);
            return Ok((local.display().to_string(), text));
        }
        let name = path.trim_end_matches(".rhai");
        if let Some((_, text)) = STDLIB.iter().find(|(n, _)| *n == name) {
            return Ok((format!("stdlib/{name}.rhai"), (*text).to_string()));
        }
        let _ = engine;
        Err(EvalAltResult::ErrorModuleNotFound(
            format!("{path} (looked for {} and in the bundled stdlib: {})", local.display(), stdlib_names()),
            pos,
        )
        .into())
    }
}

fn stdlib_names() -> String {
    STDLIB.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

impl ModuleResolver for ScriptResolver {
    fn resolve(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        if let Some(m) = self.cache.borrow().get(path) {
            return Ok(m.clone());
        }
        let (origin, text) = self.load(engine, path, pos)?;
        let ast = super::facts::compile(engine, &text, &origin).map_err(|e| {
            let where_ = e.position();
            EvalAltResult::ErrorInModule(
                origin.clone(),
                EvalAltResult::ErrorParsing(e.0.as_ref().clone(), where_).into(),
                pos,
            )
        })?;
        let module = Module::eval_ast_as_new(Scope::new(), &ast, engine)
            .map_err(|e| Box::new(EvalAltResult::ErrorInModule(origin, e, pos)))?;
        let shared: Shared<Module> = module.into();
        self.cache.borrow_mut().insert(path.to_string(), shared.clone());
        Ok(shared)
    }
}
