//! What rload reads off a script's syntax tree before it runs, for the k6 rules that the
//! evaluated values no longer show.
//!
//! - **Source order of map literals.** A Rhai map is sorted by key, but k6 runs and records
//!   `check(v, { ... })` in the order the script wrote the checks. The parser keeps a map
//!   literal's entries in source order, so [`Facts::record`] notes it: per `check(...)` call
//!   with a literal (by position), and per key set for a map built elsewhere as one literal
//!   (`const CHECKS = #{ ... }; check(res, CHECKS)`). A map assembled key by key has no source
//!   order: its checks run sorted by name.
//! - **Each function's parameter count**, so `check` can call a closure with the arguments it
//!   takes (`|| true`, `|r| ...`, `|r, x| ...`), as JavaScript does.
//! - **k6 http param values rload does not implement** (`auth: "ntlm"`), written as a literal
//!   in an `http.*` call: [`unimplemented_params`] reports them with their position at `rload
//!   check` time (the binding still refuses every such value at call time, wherever the map
//!   came from).
//! - **The variables functions name.** Once a VU's init code ran, only functions and closures
//!   run, and they reach a top-level variable only by writing its name: plainly (the VU's
//!   `globals`, or the scope `call_fn` hands the scenario's function) or as `global::NAME`
//!   (Rhai's copies of the constants). A top-level variable no function of the script or of a
//!   module it imported names (`options`, in most scripts) can never be read again, so an
//!   iterating VU lets it go ([`Facts::read_after_init`],
//!   [`Facts::read_through_global_after_init`]).
//!   A function that looks a name up at run time (`eval`, `is_def_var`) or imports a module
//!   (compiled only when it runs) could read any: then every variable is kept.
//!
//! The walk must see the tree before the optimiser folds a constant map literal into a sorted
//! value: [`compile`] parses without optimising, records, then optimises.
//!
//! The facts travel with the engine (its default tag), so the compiler, the module resolver
//! and `check` share one table per engine.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use rhai::{
    ASTNode, Dynamic, Engine, Expr, ImmutableString, Map, OptimizationLevel, ParseError, Position, Scope, Stmt, AST,
};

/// The values of k6 http params that rload does not implement: (param, value, why and what to
/// do instead). Every other k6 param and value is implemented.
pub const UNIMPLEMENTED_HTTP_PARAMS: &[(&str, &str, &str)] = &[(
    "auth",
    "ntlm",
    "is a k6 authentication rload does not implement (only \"basic\" and \"digest\", from credentials in the URL)",
)];

/// The error for the http param `param: value` when rload does not implement that value.
pub fn unimplemented_param(param: &str, value: &Dynamic) -> Option<String> {
    let text = value.read_lock::<ImmutableString>()?;
    UNIMPLEMENTED_HTTP_PARAMS
        .iter()
        .find(|(p, v, _)| *p == param && *v == text.as_str())
        .map(|(p, v, why)| format!("http param {p}: \"{v}\" {why}"))
}

/// The `http` methods whose last argument is a params map.
const HTTP_METHODS: &[&str] = &["get", "head", "post", "put", "patch", "del", "options", "request"];

/// A key order as written in the script.
pub type KeyOrder = Rc<[ImmutableString]>;

/// A key set (sorted) and every order the script wrote a literal with those keys in.
type KeySet = (Vec<ImmutableString>, Vec<KeyOrder>);

/// See the module documentation. Lookups by `check` allocate nothing: keys are hashed from
/// the map's own (sorted) key iterator and compared in place.
#[derive(Debug, Default)]
pub struct Facts {
    /// `check(v, #{ ... })`: (line, column) of the call → (source, the literal's key order).
    at_call: HashMap<(usize, usize), Vec<(ImmutableString, KeyOrder)>>,
    /// Hash of a sorted key set → each such set with every order the script wrote it in.
    by_keys: HashMap<u64, Vec<KeySet>>,
    /// Script function name → the parameter counts of its overloads (closures included).
    /// Read by every check that calls a function: ahash, since SipHash of the closure's name
    /// was ~300 instructions of a check.
    params: HashMap<ImmutableString, Vec<usize>, ahash::RandomState>,
    /// The built-ins that open connections (`http`, `ws`) that the script or a module it
    /// imported names: the open-files check (`limits.rs`) counts connections for those only.
    network: Vec<&'static str>,
    /// Every name a function or closure body compiled on this engine uses as a variable: by
    /// plain name, and through `global::NAME`.
    fn_variables: HashSet<ImmutableString>,
    fn_global_constants: HashSet<ImmutableString>,
    /// A function body looks variables up by a name known only at run time, or imports a module.
    fn_reads_any: bool,
}

/// One engine's facts, shared by its compiler, resolver and `check`.
pub type SharedFacts = Rc<RefCell<Facts>>;

impl Facts {
    /// Puts a fresh table on `engine` (as its default tag).
    pub fn install(engine: &mut Engine) {
        engine.set_default_tag(Dynamic::from(SharedFacts::default()));
    }

    /// The table installed on an engine, from its default tag or a call's tag.
    pub fn of(tag: Option<&Dynamic>) -> Option<SharedFacts> {
        tag.and_then(|t| t.read_lock::<SharedFacts>().map(|f| Rc::clone(&f)))
    }

    /// Notes the facts of `ast`, whose functions report `source` as their source.
    pub fn record(&mut self, ast: &AST, source: &str) {
        let source: ImmutableString = source.into();
        for f in ast.iter_functions() {
            self.params.entry(f.name.into()).or_default().push(f.params.len());
        }
        self.record_fn_variables(ast);
        ast.walk(&mut |path: &[ASTNode]| {
            match path.last() {
                Some(ASTNode::Expr(Expr::Map(map, _))) if map.0.len() > 1 => {
                    let order: KeyOrder = map.0.iter().map(|(ident, _)| ident.name.clone()).collect();
                    let mut sorted = order.to_vec();
                    sorted.sort();
                    let sets = self.by_keys.entry(key_set_hash(sorted.iter().map(|k| k.as_str()))).or_default();
                    let at = match sets.iter().position(|(keys, _)| *keys == sorted) {
                        Some(at) => at,
                        None => {
                            sets.push((sorted, Vec::new()));
                            sets.len() - 1
                        }
                    };
                    if !sets[at].1.contains(&order) {
                        sets[at].1.push(order);
                    }
                }
                Some(ASTNode::Expr(Expr::Variable(v, ..))) => {
                    let known = crate::script::api::NETWORK_VARIABLES.iter().find(|name| **name == v.1.as_str());
                    if let Some(name) = known.filter(|name| !self.network.contains(name)) {
                        self.network.push(name);
                    }
                }
                // k6/websockets' constructor opens a socket without naming `ws`.
                Some(ASTNode::Expr(Expr::FnCall(call, _)))
                    if call.name == "WebSocket" && !self.network.contains(&"ws") =>
                {
                    self.network.push("ws");
                }
                Some(ASTNode::Expr(Expr::FnCall(call, pos))) if call.name == "check" && call.args.len() >= 2 => {
                    if let (Expr::Map(map, _), Some(line), Some(col)) = (&call.args[1], pos.line(), pos.position()) {
                        let order = map.0.iter().map(|(ident, _)| ident.name.clone()).collect();
                        self.at_call.entry((line, col)).or_default().push((source.clone(), order));
                    }
                }
                _ => {}
            }
            true
        });
    }

    /// Notes the names the bodies of `ast`'s functions and closures use as variables.
    fn record_fn_variables(&mut self, ast: &AST) {
        const LOOKS_UP_NAMES: &[&str] = &["eval", "is_def_var"];
        ast.clone_functions_only().walk(&mut |path: &[ASTNode]| {
            match path.last() {
                Some(ASTNode::Expr(Expr::Variable(v, ..))) => match v.2.path.as_slice() {
                    [] => {
                        self.fn_variables.insert(v.1.clone());
                    }
                    [root] if root.name == "global" => {
                        self.fn_global_constants.insert(v.1.clone());
                    }
                    _ => {}
                },
                Some(ASTNode::Expr(Expr::FnCall(call, _) | Expr::MethodCall(call, _)))
                    if LOOKS_UP_NAMES.contains(&call.name.as_str()) =>
                {
                    self.fn_reads_any = true;
                }
                Some(ASTNode::Stmt(Stmt::Import(..))) => self.fn_reads_any = true,
                _ => {}
            }
            true
        });
    }

    /// False when no code that can run after init can read the top-level variable `name` by
    /// its plain name: no function or closure compiled on this engine names it (see the module
    /// documentation).
    pub fn read_after_init(&self, name: &str) -> bool {
        self.fn_reads_any || self.fn_variables.contains(name)
    }

    /// [`Facts::read_after_init`] for the top-level constant `name` read as `global::NAME`.
    pub fn read_through_global_after_init(&self, name: &str) -> bool {
        self.fn_reads_any || self.fn_global_constants.contains(name)
    }

    /// The order to run the checks of `checks` for the `check` call at `pos` in `source`: the
    /// literal's order when the script wrote one.
    pub fn check_order(&self, source: Option<&str>, pos: Position, checks: &Map) -> Option<KeyOrder> {
        if checks.len() < 2 {
            return None;
        }
        let same_keys = |order: &[ImmutableString]| {
            order.len() == checks.len() && order.iter().all(|k| checks.contains_key(k.as_str()))
        };
        if let (Some(line), Some(col)) = (pos.line(), pos.position()) {
            let written = self.at_call.get(&(line, col)).into_iter().flatten();
            let mut here = written.filter(|(src, order)| src.as_str() == source.unwrap_or("") && same_keys(order));
            if let Some((_, order)) = here.next() {
                return Some(Rc::clone(order));
            }
        }
        let sets = self.by_keys.get(&key_set_hash(checks.keys().map(|k| k.as_str())))?;
        let (_, orders) =
            sets.iter().find(|(keys, _)| keys.iter().map(|k| k.as_str()).eq(checks.keys().map(|k| k.as_str())))?;
        match orders.as_slice() {
            [only] => Some(Rc::clone(only)),
            _ => None,
        }
    }

    /// True when the code compiled so far names the built-in `name` (`http`, `ws`) anywhere.
    pub fn names(&self, name: &str) -> bool {
        self.network.contains(&name)
    }

    /// The parameter counts of the script function `name` (empty for a native function).
    pub fn param_counts(&self, name: &str) -> &[usize] {
        self.params.get(name).map_or(&[], Vec::as_slice)
    }
}

/// A hash of a key set given in sorted order (a Rhai map's own key order).
fn key_set_hash<'a>(sorted: impl Iterator<Item = &'a str>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for key in sorted {
        key.hash(&mut hasher);
    }
    hasher.finish()
}

/// Compiles `text` on `engine` (whose optimisation level must be `None`), records its facts
/// under `source`, and returns the AST optimised as Rhai's default compile would.
pub fn compile(engine: &Engine, text: &str, source: &str) -> Result<AST, ParseError> {
    let ast = engine.compile(text)?;
    if let Some(facts) = Facts::of(Some(engine.default_tag())) {
        facts.borrow_mut().record(&ast, source);
    }
    let mut ast = engine.optimize_ast(&Scope::new(), ast, OptimizationLevel::Simple);
    ast.set_source(source);
    Ok(ast)
}

/// Every k6 http param value rload does not implement that the script writes as a literal in
/// an `http.*(…)` call: (position, the error naming it).
pub fn unimplemented_params(ast: &AST) -> Vec<(Position, String)> {
    let mut found = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        let (Some(ASTNode::Expr(Expr::MethodCall(call, _))), Some(ASTNode::Expr(Expr::Dot(dot, ..)))) =
            (path.last(), path.len().checked_sub(2).and_then(|i| path.get(i)))
        else {
            return true;
        };
        let on_http = matches!(&dot.lhs, Expr::Variable(v, ..) if v.1 == "http");
        if !on_http || !HTTP_METHODS.contains(&call.name.as_str()) {
            return true;
        }
        // The parser folds a constant literal among a method call's arguments into a map value.
        // A value known only at run time is left to the binding's check at call time.
        match call.args.last() {
            Some(Expr::Map(map, _)) => {
                for (ident, e) in map.0.iter() {
                    if let Some(error) = e.get_literal_value(None).and_then(|v| unimplemented_param(&ident.name, &v)) {
                        found.push((ident.pos, error));
                    }
                }
            }
            Some(Expr::DynamicConstant(value, pos)) => {
                if let Some(map) = value.read_lock::<rhai::Map>() {
                    found.extend(map.iter().filter_map(|(k, v)| unimplemented_param(k, v)).map(|error| (*pos, error)));
                }
            }
            _ => {}
        }
        true
    });
    found.sort_by_key(|(pos, _)| (pos.line(), pos.position()));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        let mut engine = Engine::new_raw();
        engine.set_optimization_level(OptimizationLevel::None);
        Facts::install(&mut engine);
        engine
    }

    /// The facts of one script, recorded as "s.rhai".
    fn recorded(engine: &Engine, script: &str) -> Facts {
        let mut facts = Facts::default();
        facts.record(&engine.compile(script).unwrap(), "s.rhai");
        facts
    }

    fn keys(names: &[&str]) -> Vec<ImmutableString> {
        names.iter().map(|n| ImmutableString::from(*n)).collect()
    }

    /// A Rhai map with these keys (held sorted, as at run time).
    fn map(names: &[&str]) -> Map {
        names.iter().map(|n| ((*n).into(), Dynamic::TRUE)).collect()
    }

    #[test]
    fn a_literal_keeps_its_source_order_even_when_constant() {
        let engine = engine();
        compile(&engine, r#"const C = #{ "z": true, "a": false, "m": true }; let x = #{ b: 1, a: 2 };"#, "s.rhai")
            .unwrap();
        let facts = Facts::of(Some(engine.default_tag())).unwrap();
        let facts = facts.borrow();
        let order = facts.check_order(None, Position::NONE, &map(&["a", "m", "z"])).unwrap();
        assert_eq!(&*order, &keys(&["z", "a", "m"])[..]);
        assert_eq!(&*facts.check_order(None, Position::NONE, &map(&["a", "b"])).unwrap(), &keys(&["b", "a"])[..]);
        assert_eq!(facts.check_order(None, Position::NONE, &map(&["a", "b", "c"])), None, "never written");
    }

    #[test]
    fn two_literals_with_the_same_keys_are_told_apart_by_the_call() {
        let engine = engine();
        let script = "fn check(v, m) {}\ncheck(1, #{ b: 1, a: 2 });\ncheck(1, #{ a: 1, b: 2 });";
        compile(&engine, script, "s.rhai").unwrap();
        let facts = Facts::of(Some(engine.default_tag())).unwrap();
        let facts = facts.borrow();
        let ab = map(&["a", "b"]);
        assert_eq!(facts.check_order(None, Position::NONE, &ab), None, "ambiguous without the call");
        assert_eq!(&*facts.check_order(Some("s.rhai"), Position::new(2, 1), &ab).unwrap(), &keys(&["b", "a"])[..]);
        assert_eq!(&*facts.check_order(Some("s.rhai"), Position::new(3, 1), &ab).unwrap(), &keys(&["a", "b"])[..]);
    }

    #[test]
    fn a_script_that_names_http_or_ws_anywhere_uses_the_network() {
        let engine = engine();
        let uses = |script: &str| {
            let facts = recorded(&engine, script);
            (facts.names("http"), facts.names("ws"))
        };
        assert_eq!(uses("fn run() { sleep(1.0); }"), (false, false));
        assert_eq!(uses("let https = 1; fn run() { let r = #{ http: 1 }; r.http }"), (false, false));
        assert_eq!(uses("fn run() { http.get(\"http://127.0.0.1/\"); }"), (true, false));
        assert_eq!(uses("fn helper() { let client = http; client }"), (true, false));
        assert_eq!(uses("fn run() { ws.connect(\"ws://127.0.0.1/\", |s| {}); }"), (false, true));
        assert_eq!(uses("fn run() { let socket = WebSocket(\"ws://127.0.0.1/\"); }"), (false, true));
    }

    #[test]
    fn a_top_level_variable_is_read_after_init_only_when_a_function_names_it() {
        let engine = engine();
        let facts = |script: &str| recorded(&engine, script);
        let read = |script: &str| facts(script).read_after_init("options");
        let through_global = |script: &str| facts(script).read_through_global_after_init("options");
        assert!(through_global("const options = #{}; fn run() { global::options }"));
        assert!(!through_global("const options = #{}; fn run() { options }"));
        assert!(!read("const options = #{}; fn run() { global::options }"));
        assert!(!read("const options = #{ vus: 1 }; fn run() { 1 }"));
        assert!(!read("const options = #{}; let n = options.vus; fn run() { n }"), "top-level code runs at init only");
        assert!(!read("const options = #{}; fn run(x) { x.options }"), "a property is not the variable");
        assert!(read("const options = #{}; fn run() { options.vus }"));
        assert!(read("const options = #{}; let f = || options.vus; fn run() { f.call() }"));
        assert!(read("fn run() { `${options}` }"));
        assert!(read("fn run() { let name = \"opt\" + \"ions\"; eval(name) }"), "a name known at run time");
        assert!(read("fn run() { is_def_var(\"x\") }"));
        assert!(read("fn run() { import \"m\" as m; }"), "a module compiled when the function runs");
    }

    #[test]
    fn closures_report_their_parameter_count() {
        let engine = engine();
        let ast = compile(&engine, "let f = || 1; let g = |a, b| a; fn h(x) { x }", "s.rhai").unwrap();
        let facts = Facts::of(Some(engine.default_tag())).unwrap();
        let facts = facts.borrow();
        assert_eq!(facts.param_counts("h"), &[1]);
        let mut anon: Vec<usize> = ast
            .iter_functions()
            .filter(|f| f.name.starts_with("anon$"))
            .flat_map(|f| facts.param_counts(f.name).to_vec())
            .collect();
        anon.sort();
        assert_eq!(anon, vec![0, 2]);
    }

    #[test]
    fn literal_http_param_values_rload_lacks_are_found_with_their_position() {
        let engine = engine();
        let script = "let r = http.get(\"u\", #{ headers: #{}, auth: \"ntlm\" });\n\
                      let m = other.get(\"u\", #{ auth: \"ntlm\" });\n\
                      http.post(\"u\", \"\", #{ compression: \"gzip\", \"throw\": true, auth: \"digest\" });\n\
                      http.get(\"u\", #{ cookies: #{ a: \"1\" }, auth: \"ntlm\" });";
        let ast = compile(&engine, script, "s.rhai").unwrap();
        let found: Vec<_> =
            unimplemented_params(&ast).into_iter().map(|(pos, error)| (pos.line().unwrap(), error)).collect();
        let ntlm = "http param auth: \"ntlm\" is a k6 authentication rload does not implement (only \"basic\" and \"digest\", from credentials in the URL)";
        assert_eq!(found, vec![(1, ntlm.to_owned()), (4, ntlm.to_owned())]);
    }
}
