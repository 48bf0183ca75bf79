//! Rest parameters (`function f(a, ...rest)`) and spread arguments (`f(...xs)`).
//!
//! Rhai functions have a fixed number of parameters. A top-level function with a rest
//! parameter is `fn f__rest(a, rest)`, the array last, and one overload per number of arguments
//! it is called with (`fn f(a, arg__1, arg__2) { f__rest(a, [arg__1, arg__2]) }`, down to
//! `fn f() { f__rest((), []) }`). As a value (a closure, or the top-level function passed by
//! name) it is `js_rest(closure, n)` (rload's `script/api/call.rs`), which `js_call` calls as
//! JavaScript does; a Rhai method or a k6 function that would call it with a fixed number of
//! arguments (an array method's callback, `check`, `group`) is refused here.
//!
//! A spread argument makes the arguments one array (`[a] + js_spread(xs) + [b]`): `js_call`
//! takes it as it is; a top-level function gets its parameters from it (`s.get(0)`, …, missing
//! ones undefined, extra ones dropped) and a rest parameter the remainder; `console.log`,
//! `push`, `concat`, `Object.assign`, `String.fromCharCode` and `Date.UTC` take an array;
//! another file's function `m::f__apply(array)`, which its module gets. A callee whose
//! parameters cannot be seen (a k6 function, any other method, `new`) is refused, named. `f.apply(null, xs)` and `f.call(null, a)` of the script's
//! own functions are calls too.

use oxc_ast::ast::*;
use oxc_span::GetSpan;

use crate::conv::{Binding, Conv};
use crate::expr::strip_parens;
use crate::functions::Params;
use crate::names;
use crate::ItemKind;

/// The number of arguments a call with a spread is noted with among a module's calls: the
/// module's function gets `fn f__apply(args)`, which takes them as an array.
pub const SPREAD_CALL: usize = usize::MAX;

/// `fn f(a, arg__1) { f__rest(a, [arg__1]) }`: the overload of a function with a rest parameter
/// after `plain` for a call of `k` arguments.
pub fn rest_overload(name: &str, plain: &[&str], k: usize) -> String {
    let params: Vec<String> =
        (0..k).map(|i| plain.get(i).map_or_else(|| format!("arg__{i}"), |p| p.to_string())).collect();
    let mut args: Vec<String> = params.iter().take(plain.len()).cloned().collect();
    args.extend(std::iter::repeat_n("()".to_string(), plain.len().saturating_sub(k)));
    args.push(format!("[{}]", params.get(plain.len()..).unwrap_or_default().join(", ")));
    format!("fn {name}({}) {{ {name}__rest({}) }}\n", params.join(", "), args.join(", "))
}

/// `fn f__apply(args) { f(args.get(0), …) }` (or `f__rest(…, args.extract(n))`) for a function
/// of `params` called with a spread from another file.
pub fn apply_fn(name: &str, params: &[&str], rest: bool) -> String {
    let mut gets: Vec<String> = (0..params.len()).map(|i| format!("args.get({i})")).collect();
    let callee = if rest {
        gets.push(format!("args.extract({})", params.len()));
        format!("{name}__rest")
    } else {
        name.to_string()
    };
    format!("fn {name}__apply(args) {{ {callee}({}) }}\n", gets.join(", "))
}

impl Conv<'_> {
    /// Notes a top-level function's parameters (`rest_fns`, `fn_params`).
    pub fn note_fn_params(&mut self, name: &str, p: &FormalParameters) {
        if p.rest.is_some() {
            self.rest_fns.insert(name.to_string(), p.items.len());
        } else {
            self.fn_params.insert(name.to_string(), p.items.len());
        }
    }

    /// Notes the functions with a rest parameter of a top-level object literal (`rest_members`).
    pub fn note_rest_members(&mut self, name: &str, init: Option<&Expression>) {
        let Some(Expression::ObjectExpression(o)) = init.map(|e| e.without_parentheses()) else { return };
        for p in &o.properties {
            let ObjectPropertyKind::ObjectProperty(p) = p else { continue };
            let rest = match p.value.without_parentheses() {
                Expression::ArrowFunctionExpression(f) => f.params.rest.is_some(),
                Expression::FunctionExpression(f) => f.params.rest.is_some(),
                _ => false,
            };
            if let (true, Some(key), false) = (rest, p.key.static_name(), p.computed) {
                self.rest_members.insert((name.to_string(), key.to_string()));
            }
        }
    }

    /// `o.log(a, b)` (or `o.log(...xs)`) of a top-level object literal's function with a rest
    /// parameter: `js_call(o.log, [a, b])`.
    pub fn rest_member_call(&mut self, c: &CallExpression, m: &StaticMemberExpression) -> Option<String> {
        let Expression::Identifier(obj) = &m.object else { return None };
        let (oname, method) = (obj.name.as_str(), m.property.name.as_str());
        if self.is_local(oname) || m.optional || !self.rest_members.contains(&(oname.to_string(), method.to_string())) {
            return None;
        }
        let o = self.ident_value(obj);
        let f = match names::property(method) {
            Some(p) => format!("{o}.{p}"),
            None => format!("{o}[{}]", names::string(method)),
        };
        self.rest_values_ok = true;
        let args = if c.arguments.iter().any(|a| a.is_spread()) {
            self.spread_array(&c.arguments)
        } else {
            format!("[{}]", self.args(&c.arguments).join(", "))
        };
        self.rest_values_ok = false;
        Some(format!("js_call({f}, {args})"))
    }

    /// `fn f() { f__rest((), []) }`, `fn f(a) { f__rest(a, []) }` for a function with a rest
    /// parameter after `plain`: every call up to its plain parameters, and, once the whole file
    /// is read (`modules::finish_keywords`), one per longer call, the arguments beyond the plain
    /// ones in the array. A function k6 calls itself gets the overload for that call, one
    /// argument (the default function, a scenario's, `teardown`, `handleSummary`: setup's data,
    /// which rload passes by the function's arity; `setup`: null, where rload passes nothing),
    /// and otherwise only those of the calls the script makes of it.
    pub fn rest_overloads(&self, rhai_name: &str, plain: &[String]) -> String {
        let plain: Vec<&str> = plain.iter().map(String::as_str).collect();
        let entry = rhai_name == "run" || (self.module.is_none() && self.exported_fns.contains(rhai_name));
        let mut out = if rhai_name == "setup" && entry {
            // k6 calls setup with one argument, null; rload with none.
            let mut args: Vec<String> = std::iter::repeat_n("()".to_string(), plain.len()).collect();
            args.push(if plain.is_empty() { "[()]" } else { "[]" }.to_string());
            format!("fn setup() {{ setup__rest({}) }}\n", args.join(", "))
        } else if entry {
            rest_overload(rhai_name, &plain, 1)
        } else {
            (0..=plain.len()).map(|k| rest_overload(rhai_name, &plain, k)).collect()
        };
        let kind = if entry { "rest-entry" } else { "rest" };
        out.push_str(&format!("\u{7}{rhai_name}\u{1f}{}\u{1f}{kind}\u{7}", plain.join(", ")));
        out
    }

    /// Whether a closure's parameters end with a rest parameter it can take (not in a callback
    /// that a Rhai method or k6 calls with a fixed number of arguments, `fixed`, which is
    /// refused), and the item's mark when refused.
    pub fn rest_closure(&mut self, span: oxc_span::Span, params: &Params, fixed: bool) -> (bool, String) {
        if !params.rest {
            return (false, String::new());
        }
        if fixed {
            let c = self.item(
                span,
                ItemKind::Unconvertible,
                "a rest parameter (`...args`) in a callback that rload calls with a fixed number of arguments: name the parameters",
            );
            return (false, format!("{c} "));
        }
        (true, String::new())
    }

    /// Whether `a` names a function with a rest parameter: a top-level one, or a local closure
    /// certainly holding one.
    pub fn names_rest_fn(&self, a: &Argument) -> bool {
        let Argument::Identifier(id) = a else { return false };
        let name = id.name.as_str();
        match self.scope_of(name) {
            Some(i) => self.scope_info.get(i).is_some_and(|info| info.rest_closures.contains(name)),
            None => self.rest_fns.contains_key(name),
        }
    }

    /// A function with a rest parameter (written inline, or named) as an argument of a call that
    /// is not to the script's own function (an array method, `check`, `group`, a k6 function):
    /// refused.
    pub fn rest_argument_refused(&mut self, a: &Argument) -> String {
        self.unconvertible(
            a.span(),
            "a function with a rest parameter (`...args`) passed to a function that rload calls with a fixed number of arguments: name the parameters",
        )
    }

    /// `...x` (its text `text`) as an array of what JavaScript iterates: an array literal as it
    /// is, anything else through `js_spread` (a string's characters, a Set's values, …).
    pub fn spread_segment(&mut self, argument: &Expression, text: String) -> String {
        if matches!(argument.without_parentheses(), Expression::ArrayExpression(_)) {
            text
        } else {
            let h = self.helper("js_spread");
            format!("{h}({})", strip_parens(&text))
        }
    }

    /// The arguments of a call with a spread (`a, ...xs, b`) as one Rhai array.
    pub fn spread_array(&mut self, args: &[Argument]) -> String {
        let mut segments: Vec<String> = Vec::new();
        let mut current: Vec<String> = Vec::new();
        for a in args {
            match a {
                Argument::SpreadElement(s) => {
                    if !current.is_empty() {
                        segments.push(format!("[{}]", current.join(", ")));
                        current.clear();
                    }
                    let ok = self.rest_values_ok;
                    let t = self.expr(&s.argument);
                    self.rest_values_ok = ok;
                    segments.push(self.spread_segment(&s.argument, t));
                }
                other => {
                    let ok = self.rest_values_ok;
                    let t = self.args(std::slice::from_ref(other)).remove(0);
                    self.rest_values_ok = ok;
                    current.push(t);
                }
            }
        }
        if !current.is_empty() {
            segments.push(format!("[{}]", current.join(", ")));
        }
        match segments.len() {
            0 => "[]".into(),
            1 => segments.remove(0),
            _ => format!("({})", segments.join(" + ")),
        }
    }

    /// A call with a spread argument, where this module decides it; `None` for the calls the
    /// others convert themselves (`Math.max(...xs)`).
    pub fn spread_call(&mut self, c: &CallExpression) -> Option<String> {
        let callee = self.js_text(c.callee.span());
        let refuse = |conv: &mut Self, why: &str| {
            Some(conv.unconvertible(c.span, format!("a spread argument to `{callee}(…)`: {why}")))
        };
        match &c.callee {
            Expression::Identifier(id) => {
                let name = id.name.as_str();
                self.note_reference(name);
                let value_call = |conv: &mut Self| {
                    conv.rest_values_ok = true;
                    let args = conv.spread_array(&c.arguments);
                    conv.rest_values_ok = false;
                    Some(format!("js_call({}, {args})", names::var(name)))
                };
                if self.is_local(name) {
                    return value_call(self);
                }
                if self.top_fns.contains_key(name) {
                    return Some(self.spread_to_top_fn(c, name));
                }
                let binding = self.binding(name).cloned().or_else(|| {
                    if self.top_vars.contains(name) {
                        None
                    } else {
                        crate::k6_imports::global(name)
                    }
                });
                match binding {
                    Some(Binding::ModuleItem(m, n)) => Some(self.spread_to_module(&m, &n, c)),
                    Some(_) => refuse(self, "rload's function takes a fixed number of arguments"),
                    // A top-level variable holding a closure.
                    None if self.top_vars.contains(name) => value_call(self),
                    None => refuse(self, "not converted for this function"),
                }
            }
            Expression::StaticMemberExpression(m) => self.spread_method(c, m, &callee),
            Expression::ChainExpression(_)
            | Expression::ParenthesizedExpression(_)
            | Expression::ArrowFunctionExpression(_)
            | Expression::FunctionExpression(_)
            | Expression::CallExpression(_) => {
                let f = self.expr(&c.callee);
                self.rest_values_ok = true;
                let args = self.spread_array(&c.arguments);
                self.rest_values_ok = false;
                Some(format!("js_call({}, {args})", strip_parens(&f)))
            }
            _ => refuse(self, "not converted for this callee"),
        }
    }

    /// `f(...xs)` of a top-level function: its parameters from the array (missing ones
    /// undefined, extra ones dropped), a rest parameter the remainder.
    fn spread_to_top_fn(&mut self, c: &CallExpression, name: &str) -> String {
        self.rest_values_ok = true;
        let args = self.spread_array(&c.arguments);
        self.rest_values_ok = false;
        self.top_fn_with_array(name, c.span, args)
    }

    /// `f(...xs)` of another file's function: `m::f__apply(array)`, which that module gets when
    /// it is converted knowing the calls (`SPREAD_CALL`, `modules::finish_keywords`).
    fn spread_to_module(&mut self, m: &str, name: &str, c: &CallExpression) -> String {
        let f = names::var(name);
        self.module_calls.insert((m.to_string(), f.clone(), SPREAD_CALL));
        self.rest_values_ok = true;
        let args = self.spread_array(&c.arguments);
        self.rest_values_ok = false;
        format!("{m}::{f}__apply({args})")
    }

    /// A top-level function called with the arguments in the array `args` (a Rhai expression).
    fn top_fn_with_array(&mut self, name: &str, span: oxc_span::Span, args: String) -> String {
        let flag = self.check_async_call(name, span);
        let f = self.fn_name(name);
        let s = self.fresh("spread");
        let (plain, rest) = match self.rest_fns.get(name) {
            Some(&n) => (n, true),
            None => (self.fn_params.get(name).copied().unwrap_or(0), false),
        };
        let mut params: Vec<String> = (0..plain).map(|i| format!("{s}.get({i})")).collect();
        let callee = if rest {
            params.push(if plain == 0 { s.clone() } else { format!("{s}.extract({plain})") });
            format!("{f}__rest")
        } else {
            f
        };
        format!("{flag}({{ let {s} = {args}; {callee}({}) }})", params.join(", "))
    }

    /// `f.apply(null, args)` and `f.call(null, a, b)` of the script's own function (a top-level
    /// one, a local or top-level variable holding a closure): `f(...args)` and `f(a, b)`. A
    /// `this` value other than null or undefined is refused, as `this` itself is.
    pub fn apply_or_call(&mut self, c: &CallExpression, m: &StaticMemberExpression) -> Option<String> {
        let method = m.property.name.as_str();
        let Expression::Identifier(id) = &m.object else { return None };
        if !matches!(method, "apply" | "call") || m.optional {
            return None;
        }
        let name = id.name.as_str();
        let local = self.is_local(name);
        let top_fn = !local && self.top_fns.contains_key(name);
        let value = local || (!top_fn && self.top_vars.contains(name) && self.binding(name).is_none());
        if !top_fn && !value {
            return None;
        }
        let shadowed = self.is_local("undefined");
        let undefined = |a: &Argument| match a {
            Argument::NullLiteral(_) => true,
            Argument::Identifier(u) => u.name == "undefined" && !shadowed,
            _ => false,
        };
        if !c.arguments.first().is_none_or(undefined) {
            let what = format!("`{name}.{method}(…)` with a `this` value: the converted functions have no `this`");
            return Some(self.unconvertible(c.span, what));
        }
        self.note_reference(name);
        let args = c.arguments.get(1..).unwrap_or_default();
        self.rest_values_ok = true;
        let array = match (method, args.first()) {
            ("apply", None) => "[]".to_string(),
            ("apply", Some(a)) if undefined(a) => "[]".to_string(),
            ("apply", Some(Argument::SpreadElement(s))) => {
                self.rest_values_ok = false;
                return Some(self.unconvertible(s.span, "a spread argument to `apply`"));
            }
            ("apply", Some(a)) => {
                let t = self.expr(a.to_expression());
                let h = self.helper("js_spread");
                format!("{h}({})", strip_parens(&t))
            }
            _ => self.spread_array(args),
        };
        self.rest_values_ok = false;
        Some(if top_fn {
            self.top_fn_with_array(name, c.span, array)
        } else {
            format!("js_call({}, {array})", names::var(name))
        })
    }

    /// `console.log(...xs)`, `xs.push(...ys)`, `String.fromCharCode(...codes)`, a closure an
    /// object holds (`o.f(...xs)`); any other method refused.
    fn spread_method(&mut self, c: &CallExpression, m: &StaticMemberExpression, callee: &str) -> Option<String> {
        let method = m.property.name.as_str();
        let refuse = |conv: &mut Self, why: &str| {
            Some(conv.unconvertible(c.span, format!("a spread argument to `{callee}(…)`: {why}")))
        };
        if let Some(out) = self.rest_member_call(c, m).or_else(|| self.apply_or_call(c, m)) {
            return Some(out);
        }
        if let Expression::Identifier(obj) = &m.object {
            let oname = obj.name.as_str();
            let shadowed = self.is_local(oname) || self.top_vars.contains(oname);
            match (oname, method) {
                ("Math", "max" | "min") if !shadowed => return None,
                ("String", "fromCharCode") if !shadowed => {
                    let args = self.spread_array(&c.arguments);
                    let h = self.helper("js_from_char_code");
                    return Some(format!("{h}({args})"));
                }
                ("Date", "UTC") if !shadowed => {
                    let args = self.spread_array(&c.arguments);
                    return Some(format!("js_date_utc({args})"));
                }
                ("Object", "assign") if !shadowed => return Some(self.assign_spread(c)),
                _ => {}
            }
            if let Some(Binding::Value(v)) =
                self.binding(oname).cloned().or_else(|| if shadowed { None } else { crate::k6_imports::global(oname) })
            {
                if v == "console" && matches!(method, "log" | "info" | "warn" | "error" | "debug") {
                    let args = self.spread_array(&c.arguments);
                    return Some(format!("js_console(console, \"{method}\", {args})"));
                }
            }
            if self.object_vars.contains(oname) && !m.optional {
                let f = match names::property(method) {
                    Some(p) => format!("{}.{p}", names::var(oname)),
                    None => format!("{}[{}]", names::var(oname), names::string(method)),
                };
                self.rest_values_ok = true;
                let args = self.spread_array(&c.arguments);
                self.rest_values_ok = false;
                return Some(format!("js_call({f}, {args})"));
            }
            if let Some(Binding::Module(ns)) = self.binding(oname).cloned() {
                return Some(self.spread_to_module(&ns, method, c));
            }
            if self.binding(oname).is_some() && !shadowed {
                return refuse(self, "its number of parameters is not known when converting");
            }
        }
        if method == "concat" && !m.optional {
            // Each argument an array spliced in, or one element (or text, to a string).
            let obj = self.expr(&m.object);
            let args = self.spread_array(&c.arguments);
            let h = self.helper("js_concat_all");
            return Some(format!("{h}({}, {args})", strip_parens(&obj)));
        }
        if method == "push" && !m.optional {
            let mut flag = String::new();
            if let Some(root) = crate::expr::member_root(&m.object) {
                self.note_mutation(&root);
                flag = self.alias_change(&root, c.span);
            }
            let obj = self.expr(&m.object);
            let args = self.spread_array(&c.arguments);
            if self.statement_call == Some(c.span) {
                return Some(format!("{flag}{obj}.append({args})"));
            }
            let h = self.helper("js_push");
            let obj =
                if obj.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') { obj } else { format!("({obj})") };
            return Some(format!("{flag}{obj}.{h}({args})"));
        }
        refuse(self, "not converted for this method (its number of parameters is not known when converting)")
    }
}

impl Conv<'_> {
    /// `Object.assign(target, ...sources)`: each source's keys copied onto the target in order
    /// (null and undefined skipped), the target changed in place when it is a variable, as the
    /// call without a spread converts (`calls.rs`).
    fn assign_spread(&mut self, c: &CallExpression) -> String {
        let Some((first, rest)) = c.arguments.split_first() else { return "#{}".into() };
        if first.is_spread() {
            return self.unconvertible(c.span, "a spread argument to `Object.assign(…)` as its target");
        }
        let sources = self.spread_array(rest);
        let o = self.fresh("src");
        if let Argument::Identifier(t) = first {
            self.note_mutation(t.name.as_str());
            let flag = self.alias_change(t.name.as_str(), c.span);
            let target = self.args(std::slice::from_ref(first)).remove(0);
            if !flag.is_empty() {
                return format!("{flag}{target}");
            }
            return format!("{{ for {o} in {sources} {{ if {o} != () {{ {target}.mixin({o}); }} }} {target} }}");
        }
        let target = self.args(std::slice::from_ref(first)).remove(0);
        let t = self.fresh("target");
        format!("{{ let {t} = {target}; for {o} in {sources} {{ if {o} != () {{ {t}.mixin({o}); }} }} {t} }}")
    }
}

/// Whether `a` is a function written inline with a rest parameter.
pub fn inline_rest(a: &Argument) -> bool {
    match a {
        Argument::ArrowFunctionExpression(f) => f.params.rest.is_some(),
        Argument::FunctionExpression(f) => f.params.rest.is_some(),
        _ => false,
    }
}
