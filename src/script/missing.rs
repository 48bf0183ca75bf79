//! Calls to functions and properties rload does not have, found before the run.
//!
//! A port from k6 keeps JavaScript's and k6's names (`JSON.stringify(x)`, `randomIntBetween(1, 5)`,
//! `http.batch(…)`); Rhai would only fail when the call runs, maybe deep into the test. So
//! `rload check` (and `rload run` before any VU starts) walks the syntax tree and reports every
//! call whose function the engine does not know, with the rload form when there is one.
//!
//! What counts as known, to keep false reports out:
//! - every function registered on the engine (rload's API and Rhai's packages), by name and
//!   number of arguments; a method call `x.f(a)` matches a native `f(x, a)` or a script
//!   function `f(a)` called with `this`;
//! - the script's own functions and closures, and Rhai's keywords (`Fn`, `call`, `curry`, …);
//! - a plain call of a name the script binds as a variable or parameter (a closure called as
//!   `f(x)`), and a method named like a key the script writes in a map literal or assigns as a
//!   property (a closure kept in a map, called as `obj.f(x)`);
//! - calls into imported modules (`m::f`), which are resolved when the import runs.
//!
//! Properties are checked only on rload's global objects (`http.foo`, `crypto.foo`, …), whose
//! properties are all known; on any other value a property may be a map key.

use std::collections::{HashMap, HashSet};

use rhai::{ASTNode, Engine, Expr, Position, Stmt, AST};

/// Rhai's keyword functions, which the engine handles itself and lists nowhere.
const KEYWORDS: &[&str] =
    &["Fn", "call", "curry", "is_shared", "is_def_fn", "is_def_var", "type_of", "print", "debug", "eval", "this"];

/// Rhai's methods that change a string or array in place and return `()`.
const IN_PLACE: &[&str] = &["replace", "replace_all", "trim", "pad", "truncate", "crop", "make_upper", "make_lower"];

/// rload's global objects, whose properties are all registered getters.
const GLOBAL_OBJECTS: &[&str] = &["http", "ws", "exec", "crypto", "encoding", "console", "papaparse"];

/// JavaScript and k6 names a porter brings, and their rload form.
const HINTS: &[(&str, &str)] = &[
    ("stringify", "JSON.stringify(x) is x.to_json() in rload"),
    ("parse", "JSON.parse(s) is parse_json(s) in rload"),
    ("randomIntBetween", "use random_int(min, max)"),
    ("randomItem", "use arr[random_int(0, arr.len() - 1)]"),
    ("includes", "use contains(x)"),
    ("indexOf", "use index_of(x)"),
    ("startsWith", "use starts_with(s)"),
    ("endsWith", "use ends_with(s)"),
    ("toLowerCase", "use to_lower()"),
    ("toUpperCase", "use to_upper()"),
    ("substring", "use sub_string(start, len)"),
    ("toString", "use to_string()"),
    ("forEach", "use a loop: for x in arr { … }"),
    ("now", "Date.now() is timestamp_ms() in rload"),
    ("floor", "Math.floor(x) is x.floor() in rload (a float method)"),
    ("log", "console.log(…) is available as console.log(…); Math.log(x) is x.ln()"),
];

/// Every call in `ast` to a function rload does not have: (position, message).
pub fn missing_calls(engine: &Engine, ast: &AST) -> Vec<(Position, String)> {
    let mut known: HashMap<String, HashSet<usize>> = HashMap::new();
    let natives =
        engine.collect_fn_metadata(None, |f| Some((f.metadata.name.to_string(), f.metadata.num_params)), true);
    for (name, params) in natives {
        known.entry(name).or_default().insert(params);
    }
    let mut scripted: HashMap<String, HashSet<usize>> = HashMap::new();
    let mut variables: HashSet<String> = HashSet::new();
    for f in ast.iter_functions() {
        scripted.entry(f.name.to_string()).or_default().insert(f.params.len());
        variables.extend(f.params.iter().map(|p| p.to_string()));
    }
    let mut keys: HashSet<String> = HashSet::new();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Stmt(Stmt::Var(x, ..))) => {
                variables.insert(x.0.name.to_string());
            }
            Some(ASTNode::Stmt(Stmt::For(x, ..))) => {
                variables.insert(x.0.name.to_string());
                variables.extend(x.1.as_ref().map(|i| i.name.to_string()));
            }
            Some(ASTNode::Stmt(Stmt::Assignment(x))) => properties(&x.1.lhs, &mut keys),
            Some(ASTNode::Expr(Expr::Map(map, _))) => keys.extend(map.0.iter().map(|(k, _)| k.name.to_string())),
            // A constant map literal, folded by the optimiser.
            Some(ASTNode::Expr(Expr::DynamicConstant(value, _))) => constant_keys(value, &mut keys),
            _ => {}
        }
        true
    });

    let has = |name: &str, args: &[usize]| -> Option<bool> {
        let native = known.get(name);
        let script = scripted.get(name);
        if native.is_none() && script.is_none() {
            return None;
        }
        Some(args.iter().any(|n| native.is_some_and(|s| s.contains(n)) || script.is_some_and(|s| s.contains(n))))
    };
    let mut found = Vec::new();
    let report =
        |found: &mut Vec<(Position, String)>, pos: Position, shown: String, name: &str, arity: Option<bool>| {
            let mut message = match arity {
                None => format!("{shown} is not a function rload has"),
                Some(_) => format!("{shown}: rload's {name} takes other arguments (no overload fits this call)"),
            };
            if let Some((_, hint)) = HINTS.iter().find(|(n, _)| *n == name) {
                message.push_str(&format!(" ({hint})"));
            }
            found.push((pos, message));
        };
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            // A call as a statement of its own is a `Stmt::FnCall`, the same call.
            Some(ASTNode::Expr(Expr::FnCall(call, pos)) | ASTNode::Stmt(Stmt::FnCall(call, pos))) => {
                let name = call.name.as_str();
                let plain = call.namespace.is_empty() && call.op_token.is_none() && is_identifier(name);
                if plain && !KEYWORDS.contains(&name) && !variables.contains(name) {
                    match has(name, &[call.args.len()]) {
                        Some(true) => {}
                        other => report(&mut found, *pos, format!("{name}(…)"), name, other),
                    }
                }
            }
            Some(ASTNode::Expr(Expr::MethodCall(call, pos))) => {
                let name = call.name.as_str();
                if !KEYWORDS.contains(&name) && !keys.contains(name) {
                    let args = call.args.len();
                    match has(name, &[args, args + 1]) {
                        Some(true) => {}
                        other => report(&mut found, *pos, format!(".{name}(…)"), name, other),
                    }
                }
            }
            // `s = s.replace(…)` / `let t = s.trim()`: JavaScript's habit keeps `()`.
            Some(ASTNode::Stmt(Stmt::Var(x, ..))) => in_place(&x.1, &mut found),
            Some(ASTNode::Stmt(Stmt::Assignment(x))) => {
                in_place(&x.1.rhs, &mut found);
                if !variables.contains(ENV) && root_variable(&x.1.lhs) == Some(ENV) {
                    found.push((x.1.lhs.position(), env_is_read_only("assigns to")));
                }
            }
            Some(ASTNode::Expr(Expr::Dot(dot, _, _))) => {
                if let (Expr::Variable(v, _, _), Expr::MethodCall(call, pos)) = (&dot.lhs, &dot.rhs) {
                    let changes = MAP_CHANGES.contains(&call.name.as_str());
                    if v.1.as_str() == ENV && changes && !variables.contains(ENV) {
                        found.push((*pos, env_is_read_only(&format!("calls .{}(…) on", call.name))));
                    }
                }
                if let Expr::Variable(v, _, _) = &dot.lhs {
                    let object = v.1.as_str();
                    let first = match &dot.rhs {
                        Expr::Property(p, pos) => Some((p.2.as_str(), *pos)),
                        Expr::Dot(inner, _, _) | Expr::Index(inner, _, _) => match &inner.lhs {
                            Expr::Property(p, pos) => Some((p.2.as_str(), *pos)),
                            _ => None,
                        },
                        _ => None,
                    };
                    if let Some((prop, pos)) = first {
                        let global = GLOBAL_OBJECTS.contains(&object) && !variables.contains(object);
                        if global && !known.contains_key(&format!("get${prop}")) {
                            found.push((pos, format!("{object}.{prop} is not a property rload has")));
                        }
                    }
                }
            }
            _ => {}
        }
        true
    });
    found.sort_by_key(|(pos, _)| (pos.line(), pos.position()));
    found.dedup();
    found
}

/// Reports `value` if it is the result of a method that works in place (always `()`).
fn in_place(value: &Expr, found: &mut Vec<(Position, String)>) {
    let Expr::Dot(dot, ..) = value else { return };
    if let Expr::MethodCall(call, pos) = &dot.rhs {
        let name = call.name.as_str();
        if IN_PLACE.contains(&name) {
            found.push((
                *pos,
                format!(
                    "{name}(…) changes the value in place and returns (), so this assigns (); \
                     call it on its own (`s.{name}(…);`) and use s"
                ),
            ));
        }
    }
}

/// `__ENV`: one map shared by a thread's VUs (`runtime::vu`), which a script reads only.
const ENV: &str = "__ENV";

/// Rhai's methods that change a map in place.
const MAP_CHANGES: &[&str] = &["remove", "clear", "mixin", "fill_with", "drain", "retain"];

/// What a script that changes `__ENV` is told: k6 gives each VU an `__ENV` of its own, which it
/// may change; rload's is shared by a thread's VUs, and a change would reach them all.
fn env_is_read_only(what: &str) -> String {
    format!(
        "this {what} __ENV, which rload shares read-only among VUs (k6 gives each VU its own, so the \
         change would reach other VUs here): copy it first, `let env = __ENV;`, and change env"
    )
}

/// The variable an assignment's target starts from (`a.b[c].d` → `a`).
fn root_variable(target: &Expr) -> Option<&str> {
    match target {
        Expr::Variable(v, _, _) => Some(v.1.as_str()),
        Expr::Dot(x, ..) | Expr::Index(x, ..) => root_variable(&x.lhs),
        _ => None,
    }
}

/// The property names an assignment's target sets (`a.b.c = …` sets `b` and `c`).
fn properties(target: &Expr, out: &mut HashSet<String>) {
    match target {
        Expr::Property(p, _) => {
            out.insert(p.2.to_string());
        }
        Expr::Dot(x, ..) | Expr::Index(x, ..) => {
            properties(&x.lhs, out);
            properties(&x.rhs, out);
        }
        _ => {}
    }
}

/// The keys of a folded map constant, and of the maps inside it.
fn constant_keys(value: &rhai::Dynamic, out: &mut HashSet<String>) {
    if let Some(map) = value.read_lock::<rhai::Map>() {
        for (k, v) in map.iter() {
            out.insert(k.to_string());
            constant_keys(v, out);
        }
    } else if let Some(items) = value.read_lock::<rhai::Array>() {
        items.iter().for_each(|v| constant_keys(v, out));
    }
}

fn is_identifier(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing(script: &str) -> Vec<(usize, String)> {
        let engine = crate::script::engine::new_engine(std::path::Path::new("."));
        let ast = crate::script::facts::compile(&engine, script, "s.rhai").unwrap();
        missing_calls(&engine, &ast).into_iter().map(|(p, m)| (p.line().unwrap_or(0), m)).collect()
    }

    /// `__ENV` is shared read-only by a thread's VUs: a change is refused before the run, not
    /// made for every VU of the thread; a copy (`let env = __ENV;`, which Rhai flattens) may be
    /// changed, and a script's own `__ENV` variable is its own.
    #[test]
    fn changes_to_env_are_reported_and_a_copy_is_not() {
        let found = missing(
            "fn run() {\n__ENV.A = \"1\";\n__ENV[\"B\"] += \"x\";\n__ENV.remove(\"C\");\nlet env = __ENV; env.D = 1; env.remove(\"E\");\nlet v = __ENV.F ?? \"d\";\n}",
        );
        let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, vec![2, 3, 4], "{found:?}");
        assert!(found.iter().all(|(_, m)| m.contains("__ENV, which rload shares read-only")), "{found:?}");
        assert!(found[2].1.contains("calls .remove(…) on"), "{found:?}");
        assert_eq!(missing("let __ENV = #{}; fn run() {}\n__ENV.A = 1;"), vec![]);
    }

    #[test]
    fn the_apis_rload_has_and_the_scripts_own_functions_are_not_reported() {
        let script = r#"
            import "helpers" as h;
            const users = shared_array("u", || [1, 2]);
            fn helper(x) { x + 1 }
            fn greet() { this.name }
            fn run() {
                let r = http.get("http://127.0.0.1/", #{ tags: #{ name: "x" } });
                check(r, #{ "ok": |r| r.status == 200 });
                let f = |x| x * 2;
                let y = f(helper(2)) + h::thing(1);
                let o = #{ name: "a", act: |x| x };
                o.act(1);
                o.name.greet();
                let s = "abc"; s.replace("a", "b"); let n = s.len() + [1, 2].len();
                let t = crypto.sha256("x", "hex") + encoding.b64encode("x");
                console.log(to_json(#{ a: 1 }), exec.scenario.name, r.json().a, Fn("helper").call(1));
                sleep(1);
            }
        "#;
        assert_eq!(missing(script), vec![]);
    }

    #[test]
    fn k6_and_javascript_names_rload_lacks_are_reported_with_the_rload_form() {
        let script = "fn run() {\n  let s = JSON.stringify(#{}); s = s.replace(\"a\", \"b\");\n  let n = randomIntBetween(1, 5);\n  sleep(1, 2, 3);\n  let x = http.nothing;\n  http.nope(1);\n}";
        let mut found = missing(script);
        let lines: Vec<usize> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 2, 3, 4, 5, 6], "{found:?}");
        assert!(found[1].1.starts_with("replace(…) changes the value in place and returns ()"), "{found:?}");
        found.remove(1);
        assert!(
            found[0].1.contains(".stringify(…) is not a function rload has (JSON.stringify(x) is x.to_json()"),
            "{found:?}"
        );
        assert!(found[1].1.contains("use random_int(min, max)"), "{found:?}");
        assert!(found[2].1.contains("rload's sleep takes other arguments"), "{found:?}");
        assert!(found[3].1.contains("http.nothing is not a property rload has"), "{found:?}");
        assert!(found[4].1.contains(".nope(…) is not a function rload has"), "{found:?}");
    }
}
