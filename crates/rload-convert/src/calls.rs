//! Calls, `new`, and closures: k6's functions to rload's, JavaScript's built-ins (`JSON`, `Math`,
//! `Object`, `Date`, string and array methods) to their Rhai forms.

use oxc_ast::ast::*;
use oxc_span::GetSpan;

use crate::conv::{Binding, Conv};
use crate::expr::{member_root, strip_parens};
use crate::kinds::Kind;
use crate::names;
use crate::ItemKind;

/// JavaScript's one-argument `Math` functions rload's `js_math(name, x)` computes
/// (src/script/api/math.rs).
const JS_MATH_ONE: &[&str] = &[
    "cbrt", "log10", "log2", "log1p", "expm1", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
    "asinh", "acosh", "atanh", "fround", "clz32",
];
impl Conv<'_> {
    pub fn args(&mut self, args: &[Argument]) -> Vec<String> {
        // Arguments of a call to the script's own function may be functions with a rest
        // parameter (`rest.rs`); of any other call not.
        let rest_ok = std::mem::take(&mut self.rest_values_ok);
        args.iter()
            .map(|a| match a {
                Argument::SpreadElement(s) => self.unconvertible(s.span, "a spread argument (`f(...xs)`)"),
                _ if !rest_ok && (crate::rest::inline_rest(a) || self.names_rest_fn(a)) => {
                    self.rest_argument_refused(a)
                }
                // JavaScript's conversion functions passed as callbacks (`xs.filter(Boolean)`,
                // `xs.map(Number)`): Rhai has no such values; a closure does what they do.
                // `xs.map(Math.round)`: the one-argument Math functions as closures, each the
                // text `Math.f(v)` converts to (`builtin_static`).
                Argument::StaticMemberExpression(m)
                    if matches!(&m.object, Expression::Identifier(o) if o.name == "Math")
                        && !self.is_local("Math")
                        && matches!(
                            m.property.name.as_str(),
                            "round" | "floor" | "ceil" | "trunc" | "abs" | "sign" | "sqrt"
                        ) =>
                {
                    format!("|v| {}", self.math_of_one(m.property.name.as_str(), "v"))
                }
                Argument::StaticMemberExpression(m)
                    if matches!(&m.object, Expression::Identifier(o) if o.name == "Math")
                        && !self.is_local("Math")
                        && JS_MATH_ONE.contains(&m.property.name.as_str()) =>
                {
                    format!("|v| js_math(\"{}\", v)", m.property.name)
                }
                Argument::Identifier(id)
                    if matches!(id.name.as_str(), "Boolean" | "Number" | "String")
                        && !self.is_local(id.name.as_str())
                        && !self.top_vars.contains(id.name.as_str()) =>
                {
                    if id.name == "Number" {
                        // `[null].map(Number)` is [0], `[undefined].map(Number)` [NaN].
                        let h = self.helper("js_number");
                        return format!("|v| {h}(v)");
                    }
                    let h = self.helper(if id.name == "Boolean" { "js_truthy" } else { "js_str" });
                    format!("|v| {h}(v)")
                }
                other => {
                    let e = other.to_expression();
                    let t = self.expr(e);
                    strip_parens(&t).to_string()
                }
            })
            .collect()
    }

    pub fn call(&mut self, c: &CallExpression) -> String {
        // Whether an arrow passed here runs before the call returns (`classes.rs`).
        let at_once = !crate::class_uses::runs_later(c);
        self.class_state.call_args.push(at_once.then_some(self.closure_depth));
        let out = self.call_expr(c);
        self.class_state.call_args.pop();
        out
    }

    fn call_expr(&mut self, c: &CallExpression) -> String {
        if matches!(c.callee, Expression::Super(_)) {
            return self.super_call(c);
        }
        if c.arguments.iter().any(|a| a.is_spread()) {
            if let Some(out) = self.spread_call(c) {
                return out;
            }
        }
        match &c.callee {
            Expression::Identifier(id) => self.call_named(c, id),
            Expression::StaticMemberExpression(m) => self.call_method(c, m),
            // `http[method](url)`, `crypto[algo](data, "hex")`: a k6 module's function chosen at
            // run time, by its name (rload's are k6's); a name it lacks is "Function not found".
            Expression::ComputedMemberExpression(m) if self.module_object(&m.object).is_some() => {
                let module = self.module_object(&m.object).unwrap_or_default();
                let name = self.expr(&m.expression);
                let args: Vec<String> = std::iter::once(module).chain(self.args(&c.arguments)).collect();
                format!("Fn({}).call({})", strip_parens(&name), args.join(", "))
            }
            Expression::ChainExpression(_)
            | Expression::ComputedMemberExpression(_)
            | Expression::ParenthesizedExpression(_)
            | Expression::ArrowFunctionExpression(_)
            | Expression::FunctionExpression(_)
            | Expression::CallExpression(_) => {
                let callee = self.expr(&c.callee);
                self.rest_values_ok = true;
                let args = self.args(&c.arguments).join(", ");
                if c.optional {
                    // `o.cb?.()`: undefined when `o.cb` is null or undefined.
                    let h = self.helper("js_call_opt");
                    return format!("{h}({}, [{args}])", strip_parens(&callee));
                }
                format!("js_call({}, [{args}])", strip_parens(&callee))
            }
            other => self.unconvertible(other.span(), "this call"),
        }
    }

    /// The rload object of a k6 module whose functions a script may pick by name (`http`,
    /// `crypto`, `encoding`, `ws`), when `e` names its import.
    fn module_object(&self, e: &Expression) -> Option<String> {
        let Expression::Identifier(id) = e.without_parentheses() else {
            return None;
        };
        match self.binding(id.name.as_str()) {
            Some(Binding::Value(v)) if matches!(v.as_str(), "http" | "crypto" | "encoding" | "ws") => Some(v.clone()),
            _ => None,
        }
    }

    fn call_named(&mut self, c: &CallExpression, id: &IdentifierReference) -> String {
        let name = id.name.as_str();
        self.note_reference(name);
        if self.captured_name_is_a_function(name) {
            return self.unconvertible(c.span, crate::expr::clash_note(name));
        }
        if c.optional && (self.is_local(name) || self.top_vars.contains(name)) {
            // `cb?.(…)`: undefined when `cb` is null or undefined.
            self.rest_values_ok = true;
            let args = self.args(&c.arguments).join(", ");
            let h = self.helper("js_call_opt");
            return format!("{h}({}, [{args}])", names::var(name));
        }
        if self.is_local(name) {
            self.rest_values_ok = true;
            let args = self.args(&c.arguments);
            let callee = format!("{}.call", names::var(name));
            // A closure whose parameters the conversion cannot see (a parameter holding one):
            // `js_call` fits the arguments to them when it runs, as JavaScript does.
            return match self.closure_params(name) {
                Some(n) => self.call_with_params(callee, &c.arguments, args, n),
                None => format!("js_call({}, [{}])", names::var(name), args.join(", ")),
            };
        }
        if self.top_fns.contains_key(name) {
            let flag = self.check_async_call(name, c.span);
            self.rest_values_ok = true;
            let args = self.args(&c.arguments);
            let f = self.fn_name(name);
            self.call_lengths.entry(f.clone()).or_default().insert(args.len());
            return format!("{flag}{f}({})", args.join(", "));
        }
        let binding = self.binding(name).cloned().or_else(|| {
            if self.top_vars.contains(name) {
                None
            } else {
                crate::k6_imports::global(name)
            }
        });
        if let Some(b) = binding {
            return match b {
                Binding::Function(f) if f == "check" => {
                    let args = self.check_args(&c.arguments);
                    format!("check({args})")
                }
                // k6 calls group's function with no arguments: any parameter it declares is
                // undefined.
                Binding::Function(f) if f == "group" => {
                    let args = self.args_with_callback(&c.arguments, 1, 0).join(", ");
                    format!("group({args})")
                }
                // `import { asyncRequest } from 'k6/http'` in an awaited `Promise.all`: its
                // entry of `http.request_all` (see `asyncs.rs`).
                Binding::Function(v) if v == "http.asyncRequest" && self.all_entry(c.span) => {
                    format!("[{}]", self.args(&c.arguments).join(", "))
                }
                // `import { asyncRequest } from 'k6/http'`, awaited at once (see `asyncs.rs`).
                Binding::Function(v) if v == "http.asyncRequest" && self.awaited_here(c.span) => {
                    let args = self.args(&c.arguments).join(", ");
                    format!("http.await_request({args})")
                }
                Binding::Function(f) | Binding::Value(f) | Binding::Constructor(f) => {
                    if matches!(f.as_str(), "setTimeout" | "setInterval") {
                        self.asyncs.first_timer.get_or_insert(c.span);
                    }
                    let args = self.args(&c.arguments).join(", ");
                    format!("{f}({args})")
                }
                Binding::Helper(h) => {
                    let h = self.helper(h);
                    let mut args = self.args(&c.arguments);
                    while args.len() < crate::helpers::arity(h) {
                        args.push("()".into());
                    }
                    format!("{h}({})", args.join(", "))
                }
                Binding::ModuleItem(m, n) => {
                    self.rest_values_ok = true;
                    let args = self.args(&c.arguments);
                    self.module_calls.insert((m.clone(), names::var(&n), args.len()));
                    format!("{m}::{}({})", names::var(&n), args.join(", "))
                }
                Binding::Module(m) => self.unconvertible(c.span, format!("calling the module `{m}` itself")),
                b @ (Binding::Pending(..) | Binding::Fixed(..)) => {
                    let (v, note, kind) = b.noted().unwrap_or_default();
                    let item = self.item(c.span, kind, note);
                    let args = self.args(&c.arguments).join(", ");
                    format!("{item} {v}({args})")
                }
                Binding::Unsupported(reason) => self.unconvertible(c.span, reason),
            };
        }
        if self.top_vars.contains(name) {
            // A top-level variable holding a closure.
            self.rest_values_ok = true;
            let args = self.args(&c.arguments).join(", ");
            return format!("js_call({}, [{args}])", names::var(name));
        }
        let args = self.args(&c.arguments);
        let a0 = args.first().cloned().unwrap_or_else(|| "()".into());
        match name {
            "parseInt" => self.parse_int_call(&args),
            "parseFloat" => {
                let h = self.helper("js_parse_float");
                format!("{h}({})", strip_parens(&a0))
            }
            "String" => match c.arguments.first().filter(|a| !a.is_spread()) {
                Some(arg) => self.as_text(arg.to_expression(), &a0),
                None => "\"\"".into(),
            },
            "Number" => match c.arguments.first().filter(|a| !a.is_spread()) {
                Some(arg) => self.number_value(arg.to_expression(), &a0),
                None => "0".into(),
            },
            "Boolean" => {
                let h = self.helper("js_truthy");
                format!("{h}({a0})")
            }
            "isNaN" | "isFinite" => self.number_predicate(c, a0, name),
            "RegExp" => self.regexp_new(c.span, &c.arguments, args),
            // `Array(…)` is `new Array(…)`.
            "Array" => match args.len() {
                0 => "[]".into(),
                1 => {
                    let h = self.helper("js_new_array");
                    format!("{h}({a0})")
                }
                _ => format!("[{}]", args.join(", ")),
            },
            "require" => self.unconvertible(c.span, "require(): use `import`"),
            "encodeURIComponent" | "decodeURIComponent" | "encodeURI" | "decodeURI" => {
                // rload's own functions, JavaScript's rules; no argument is `undefined`'s text.
                let f = match name {
                    "encodeURIComponent" => "encode_uri_component",
                    "decodeURIComponent" => "decode_uri_component",
                    "encodeURI" => "encode_uri",
                    _ => "decode_uri",
                };
                let arg = args.first().cloned().unwrap_or_else(|| "\"undefined\"".into());
                format!("{f}({arg})")
            }
            "escape" | "unescape" | "atob" | "btoa" | "fetch" | "structuredClone" | "queueMicrotask"
            | "setImmediate" => self.unconvertible(c.span, format!("{name}(): rload has no such function")),
            "Symbol" => self.unconvertible(c.span, "`Symbol(…)`: rload has no symbols (a unique key: use a string)"),
            _ => format!("{}({})", names::var(name), args.join(", ")),
        }
    }

    /// `args` converted, the one at `at` (when written inline) a callback its caller calls with
    /// `passes` arguments: its parameters beyond those are `undefined`, missing ones padded.
    fn args_with_callback(&mut self, args: &[Argument], at: usize, passes: usize) -> Vec<String> {
        let inline =
            matches!(args.get(at), Some(Argument::ArrowFunctionExpression(_) | Argument::FunctionExpression(_)));
        if !inline {
            return self.args(args);
        }
        let mut out = self.args(&args[..at]);
        self.callback_params = Some((passes, true));
        self.callback_beyond_undefined = true;
        out.extend(self.args(&args[at..=at]));
        self.callback_params = None;
        self.callback_beyond_undefined = false;
        out.extend(self.args(&args[at + 1..]));
        out
    }

    /// `callee(args)` for a closure of `n` parameters, which Rhai calls with exactly that many:
    /// as JavaScript, the missing arguments are `undefined` and the ones beyond are evaluated
    /// (in order, before the call) and dropped.
    fn call_with_params(&mut self, callee: String, js: &[Argument], mut args: Vec<String>, n: usize) -> String {
        if args.len() <= n {
            args.resize(n, "()".into());
            return format!("{callee}({})", args.join(", "));
        }
        let inert = js[n..].iter().all(|a| {
            matches!(
                a,
                Argument::Identifier(_)
                    | Argument::NumericLiteral(_)
                    | Argument::StringLiteral(_)
                    | Argument::BooleanLiteral(_)
                    | Argument::NullLiteral(_)
                    | Argument::ArrowFunctionExpression(_)
                    | Argument::FunctionExpression(_)
            )
        });
        if inert {
            args.truncate(n);
            return format!("{callee}({})", args.join(", "));
        }
        let mut lets = String::new();
        for (i, a) in args.iter_mut().enumerate() {
            if i < n {
                let v = self.fresh("arg");
                lets.push_str(&format!("let {v} = {a}; "));
                *a = v;
            } else {
                lets.push_str(&format!("{a}; "));
            }
        }
        args.truncate(n);
        format!("({{ {lets}{callee}({}) }})", args.join(", "))
    }

    /// `check(v, { name: fn })`: a closure without parameters gets one, as Rhai's check passes
    /// the value.
    fn check_args(&mut self, args: &[Argument]) -> String {
        let mut out = Vec::new();
        for (i, a) in args.iter().enumerate() {
            if i == 1 {
                if let Argument::ObjectExpression(_) = a {
                    self.force_param = true;
                    let t = self.expr(a.to_expression());
                    self.force_param = false;
                    out.push(t);
                    continue;
                }
            }
            out.extend(self.args(std::slice::from_ref(a)));
        }
        out.join(", ")
    }

    fn call_method(&mut self, c: &CallExpression, m: &StaticMemberExpression) -> String {
        if let Some(out) = self.rest_member_call(c, m).or_else(|| self.apply_or_call(c, m)) {
            return out;
        }
        if let Some(out) = self.class_method_call(c, m) {
            return out;
        }
        match self.object_method_call(c, m) {
            Ok(out) => out,
            Err(flag) => flag + &self.call_method_plain(c, m),
        }
    }

    /// `x.m(…)` of anything but the script's own classes and objects.
    fn call_method_plain(&mut self, c: &CallExpression, m: &StaticMemberExpression) -> String {
        let method = m.property.name.as_str();
        if let Some(out) = self.promise_call(c, m) {
            return out;
        }
        if let Expression::Identifier(obj) = &m.object {
            let oname = obj.name.as_str();
            // `console.log(x)` where the script has a function `log` of its own: Rhai would call
            // that one (a script function called as a method gets the object as `this`), which
            // calls itself until the stack overflows. And with more arguments than rload's
            // console methods take (eight).
            let console = self.binding(oname).cloned().or_else(|| self.free_global(oname));
            if console == Some(Binding::Value("console".into()))
                && matches!(method, "log" | "info" | "warn" | "error" | "debug")
                && (self.top_fns.contains_key(method) || c.arguments.len() > 8)
            {
                let args = self.args(&c.arguments).join(", ");
                return format!("js_console(console, \"{method}\", [{args}])");
            }
            if let Some(b) = self.binding(oname).cloned() {
                match b {
                    Binding::Value(v) if v.is_empty() => {
                        let args = if method == "check" {
                            self.check_args(&c.arguments)
                        } else {
                            self.args(&c.arguments).join(", ")
                        };
                        return format!("{method}({args})");
                    }
                    Binding::Module(ns) => {
                        let args = self.args(&c.arguments);
                        self.module_calls.insert((ns.clone(), names::var(method), args.len()));
                        return format!("{ns}::{}({})", names::var(method), args.join(", "));
                    }
                    b @ (Binding::Pending(..) | Binding::Fixed(..)) => {
                        let (v, note, kind) = b.noted().unwrap_or_default();
                        let item = self.item(c.span, kind, note);
                        let args = self.args(&c.arguments).join(", ");
                        return format!("{item} {v}.{method}({args})");
                    }
                    Binding::Value(v) if v == "http" && method == "asyncRequest" && self.all_entry(c.span) => {
                        return format!("[{}]", self.args(&c.arguments).join(", "));
                    }
                    // Awaited at once: `http.await_request` (see `asyncs.rs`).
                    Binding::Value(v) if v == "http" && method == "asyncRequest" && self.awaited_here(c.span) => {
                        return self.method_call(c, m, "await_request");
                    }
                    Binding::Value(v) if crate::k6_imports::missing_method(&v, method) => {
                        let item = self.item(
                            c.span,
                            ItemKind::Pending,
                            format!("`{v}.{method}(…)` is missing from this build (`rload check` refuses it)"),
                        );
                        let args = self.args(&c.arguments).join(", ");
                        return format!("{item} {v}.{method}({args})");
                    }
                    _ => {}
                }
            }
            if !self.is_local(oname) && !self.top_vars.contains(oname) {
                if let Some(out) = self.builtin_static(c, oname, method) {
                    return out;
                }
            }
        }
        // `Math.max.apply(null, xs)`: the largest of xs (the `this` argument is not used).
        if let Expression::StaticMemberExpression(inner) = &m.object {
            let math = matches!(&inner.object, Expression::Identifier(o) if o.name == "Math")
                && !self.is_local("Math")
                && !self.top_vars.contains("Math");
            if method == "apply" && math && matches!(inner.property.name.as_str(), "max" | "min") {
                let h = if inner.property.name == "max" { "js_max_of" } else { "js_min_of" };
                let h = self.helper(h);
                let xs =
                    self.args(c.arguments.get(1..).unwrap_or_default()).first().cloned().unwrap_or_else(|| "[]".into());
                return format!("{h}({xs})");
            }
        }
        // `new Date().getTime()`
        if let Expression::NewExpression(n) = &m.object {
            if matches!(&n.callee, Expression::Identifier(id) if id.name == "Date")
                && n.arguments.is_empty()
                && method == "getTime"
            {
                return "timestamp_ms()".into();
            }
        }
        let mut flag = String::new();
        if crate::aliases::MUTATING_METHODS.contains(&method) {
            if let Some(root) = member_root(&m.object) {
                self.note_mutation(&root);
                flag = self.alias_change(&root, c.span);
                if flag.is_empty() {
                    flag = self.nested_change(&root, &m.object, c.span);
                }
                // `list.push(user)`: `user`'s object is now in the list too.
                if matches!(method, "push" | "unshift" | "splice") {
                    let into = format!("`{}`", self.js_text(m.object.span()));
                    let skip = if method == "splice" { 2 } else { 0 };
                    for arg in c.arguments.iter().skip(skip) {
                        if let Some(e) = arg.as_expression() {
                            self.note_stores(e, &into);
                        }
                    }
                }
            }
        }
        // `m.set(k, obj)`, `s.add(obj)`: the object is in the Map or Set too (a copy, in Rhai).
        if (method == "set" && c.arguments.len() == 2) || (method == "add" && c.arguments.len() == 1) {
            let into = format!("`{}`", self.js_text(m.object.span()));
            if let Some(e) = c.arguments.last().and_then(|a| a.as_expression()) {
                self.note_stores(e, &into);
            }
        }
        let out = self.method_call(c, m, method);
        format!("{flag}{out}")
    }

    /// `Math.f(x)` for the functions of one number: `floor`, `ceil`, `round`, `trunc`, `abs`,
    /// `sign`, `sqrt`, `log`, `exp` (a call, or a callback's body with `x` its parameter).
    fn math_of_one(&mut self, f: &str, x: &str) -> String {
        match f {
            "abs" => format!("abs({x})"),
            "sqrt" => format!("sqrt({}.to_float())", paren_if_needed(x)),
            "log" => format!("ln({}.to_float())", paren_if_needed(x)),
            "exp" => format!("exp({}.to_float())", paren_if_needed(x)),
            _ => {
                let h = self.helper(match f {
                    "floor" => "js_floor",
                    "ceil" => "js_ceil",
                    "round" => "js_round",
                    "trunc" => "js_trunc",
                    _ => "js_sign",
                });
                format!("{h}({x})")
            }
        }
    }

    /// `isNaN(x)` and `isFinite(x)`: of x as a number (null is 0, undefined NaN).
    fn number_predicate(&mut self, c: &CallExpression, a0: String, name: &str) -> String {
        let a0 = match c.arguments.first().filter(|a| !a.is_spread()) {
            Some(arg) => self.nullish_as_number(arg.to_expression(), &a0).1,
            None => "()".to_string(),
        };
        let test = if name == "isNaN" { "is_nan" } else { "is_finite" };
        let h = self.helper("js_number");
        format!("{h}({}).to_float().{test}", strip_parens(&a0))
    }

    fn method_call(&mut self, c: &CallExpression, m: &StaticMemberExpression, method: &str) -> String {
        // `(g[k] = g[k] || []).push(x)`, `(o.list ??= []).push(x)`: the assignment, then the
        // change on the place it assigned. The assignment's value is a copy in Rhai, and a
        // change to it would be lost.
        if let Expression::AssignmentExpression(a) = m.object.without_parentheses() {
            if crate::aliases::MUTATING_METHODS.contains(&method) {
                let stmt = self.assignment(a);
                let target = self.assign_target_text(&a.left);
                let out = self.method_call_on(c, m, method, target);
                return format!("{{ {stmt}; {out} }}");
            }
        }
        let obj = self.expr(&m.object);
        self.method_call_on(c, m, method, obj)
    }

    fn method_call_on(&mut self, c: &CallExpression, m: &StaticMemberExpression, method: &str, obj: String) -> String {
        let inline_callback =
            matches!(c.arguments.first(), Some(Argument::ArrowFunctionExpression(_) | Argument::FunctionExpression(_)));
        // Rhai's own methods call a callback with as many of their arguments as it takes; the
        // helpers and forEach's loop pass them all.
        let helper_callback = HELPER_CALLBACK_METHODS.contains(&method)
            || (matches!(method, "reduce" | "reduceRight") && c.arguments.len() < 2);
        // sort() calls its comparator with two elements (and a helper calls it with exactly two).
        let pad = method == "forEach" || method == "sort" || method == "toSorted" || helper_callback;
        let passed = callback_arity(method).filter(|_| inline_callback).map(|n| (n, pad));
        // A helper calls the callback with exactly the arguments it passes: only an inline
        // callback can be fitted to them.
        if !inline_callback && helper_callback && !c.arguments.is_empty() {
            return self.unconvertible(
                c.span,
                format!("{method}() with a callback passed by name: write the callback inline"),
            );
        }
        let accumulator = crate::aliases::reduce_accumulator(method, &c.arguments);
        let convert_args = |conv: &mut Self| {
            conv.fresh_accumulator = accumulator;
            conv.callback_params = passed;
            conv.callback_beyond_undefined = method == "sort" || method == "toSorted";
            conv.array_params.clear();
            // push and unshift keep a function with a rest parameter, for `js_call` to call.
            conv.rest_values_ok = matches!(method, "push" | "unshift");
            let args = conv.args(&c.arguments);
            conv.fresh_accumulator = None;
            conv.callback_params = None;
            conv.callback_beyond_undefined = false;
            (args, std::mem::take(&mut conv.array_params))
        };
        let root = if CALLBACK_METHODS.contains(&method) { chain_root(&m.object) } else { None };
        let Some(root) = root else {
            let (args, extra) = convert_args(self);
            if !extra.is_empty() {
                return self.with_array_params(c, m, method, obj, args, &extra);
            }
            return self.method_text(c, m, method, obj, args);
        };
        let ((args, extra), used) = self.closures_referring_to(&root, convert_args);
        if !extra.is_empty() {
            if used.changes && is_place(&m.object) {
                return self.unconvertible(
                    c.span,
                    format!(
                        "a callback that changes `{root}` while `{method}` runs over it: Rhai holds `{root}` for the call, and a copy would not see the change; change it after the call"
                    ),
                );
            }
            return self.with_array_params(c, m, method, obj, args, &extra);
        }
        // A callback kept in a local variable may have captured the root too: no telling which.
        let local_callback =
            c.arguments.iter().any(|a| matches!(a, Argument::Identifier(id) if self.is_local(id.name.as_str())));
        if !used.refers && !local_callback {
            return self.method_text(c, m, method, obj, args);
        }
        if used.changes && is_place(&m.object) {
            return self.unconvertible(
                c.span,
                format!(
                    "a callback that changes `{root}` while `{method}` runs over it: Rhai holds `{root}` for the call, and a copy would not see the change; change it after the call"
                ),
            );
        }
        // The callback reads the variable the chain starts at, which Rhai holds for the whole
        // chain: call the method on a copy of the receiver (the elements are the same values).
        let recv = self.fresh("recv");
        let out = self.method_text(c, m, method, recv.clone(), args);
        if method == "sort" && is_place(&m.object) {
            // sort() works in place: the sorted copy goes back where the array came from.
            format!("({{ let {recv} = {obj}; {out}; {obj} = {recv}; {recv} }})")
        } else {
            format!("({{ let {recv} = {obj}; {out} }})")
        }
    }

    /// A callback that takes more arguments than Rhai passes (`(x, i, arr) => …`): the method
    /// runs on a copy of the receiver, and the closure captures the array under the extra
    /// parameter's name (any further parameter is `undefined`). The other arguments are
    /// evaluated first, as in JavaScript, before that name is bound.
    fn with_array_params(
        &mut self,
        c: &CallExpression,
        m: &StaticMemberExpression,
        method: &str,
        obj: String,
        mut args: Vec<String>,
        extra: &[String],
    ) -> String {
        let recv = self.fresh("recv");
        let mut lets = format!("let {recv} = {obj};");
        for a in args.iter_mut().skip(1) {
            let v = self.fresh("arg");
            lets.push_str(&format!(" let {v} = {a};"));
            *a = v;
        }
        for (i, name) in extra.iter().enumerate() {
            let value = if i == 0 { recv.as_str() } else { "()" };
            lets.push_str(&format!(" let {name} = {value};"));
        }
        let out = self.method_text(c, m, method, recv, args);
        format!("({{ {lets} {out} }})")
    }

    /// The array (and string) methods Rhai lacks, as helpers: `None` for any other method.
    fn array_helper_method(&mut self, method: &str, obj: &str, args: &[String]) -> Option<String> {
        let a = |i: usize| args.get(i).cloned().unwrap_or_else(|| "()".into());
        let obj = obj.to_string();
        let helper2 = |conv: &mut Self, h: &'static str, args: Vec<String>| {
            let h = conv.helper(h);
            format!("{h}({})", args.join(", "))
        };
        Some(match method {
            // JavaScript's includes finds NaN (SameValueZero); Rhai's `==` does not.
            "includes" => helper2(self, "js_includes", vec![obj, a(0)]),
            "lastIndexOf" => helper2(self, "js_last_index_of", vec![obj, a(0)]),
            "at" => helper2(self, "js_at", vec![obj, a(0)]),
            "findLast" => helper2(self, "js_find_last", vec![obj, a(0)]),
            "findLastIndex" => helper2(self, "js_find_last_index", vec![obj, a(0)]),
            "flat" => helper2(self, "js_flat", vec![obj, a(0)]),
            // An array's keys(), values() and entries() as arrays (for…of, spread and
            // Array.from read them alike); a Map's, a Set's and the like their own.
            "keys" if args.is_empty() => helper2(self, "js_iter_keys", vec![obj]),
            "values" if args.is_empty() => helper2(self, "js_iter_values", vec![obj]),
            "entries" if args.is_empty() => helper2(self, "js_iter_entries", vec![obj]),
            // Without an initial value (Rhai's reduce would start from `()`): from the first
            // element, or the last.
            "reduce" | "reduceRight" if args.len() < 2 => {
                helper2(self, "js_reduce", vec![obj, a(0), (method == "reduceRight").to_string()])
            }
            "flatMap" => {
                let h = self.helper("js_flat");
                format!("{h}({}.map({}), 1)", paren_if_needed(&obj), a(0))
            }
            "fill" => {
                let h = self.helper("js_fill");
                format!("{}.{h}({}, {}, {})", paren_if_needed(&obj), a(0), a(1), a(2))
            }
            _ => return None,
        })
    }

    /// `obj.method(args)` in Rhai, `obj` and `args` converted.
    fn method_text(
        &mut self,
        c: &CallExpression,
        m: &StaticMemberExpression,
        method: &str,
        obj: String,
        args: Vec<String>,
    ) -> String {
        let q = if m.optional { "?" } else { "" };
        let a = |i: usize| args.get(i).cloned().unwrap_or_else(|| "()".into());
        let helper2 = |conv: &mut Self, h: &'static str, args: Vec<String>| {
            let h = conv.helper(h);
            format!("{h}({})", args.join(", "))
        };
        if matches!(method, "includes" | "lastIndexOf") && args.len() > 1 {
            // From a position: includes searches from it (from the end when negative),
            // lastIndexOf backwards from it.
            let h = if method == "includes" { "js_includes_from" } else { "js_last_index_of_from" };
            return helper2(self, h, vec![obj, a(0), a(1)]);
        }
        if let Some(out) = self.regexp_method(c, m, method, &obj, &args) {
            return out;
        }
        if let Some(out) = self.array_helper_method(method, &obj, &args) {
            // `xs?.at(-1)`: undefined when `xs` is. fill() changes its receiver in place: Rhai's
            // `?.` calls it on the variable itself.
            return if m.optional && method == "fill" {
                out.replacen(".js_fill(", "?.js_fill(", 1)
            } else if m.optional {
                let o = self.fresh("opt");
                let out = self.array_helper_method(method, &o, &args).unwrap_or(out);
                format!("({{ let {o} = {obj}; if {o} == () {{ () }} else {{ {out} }} }})")
            } else {
                out
            };
        }
        match method {
            // JavaScript's push returns the new length, Rhai's nothing: a helper where the value
            // is read.
            "push" if self.statement_call != Some(c.span) => {
                let h = self.helper("js_push");
                format!("{}{q}.{h}([{}])", paren_if_needed(&obj), args.join(", "))
            }
            "push" if args.len() > 1 => format!("{obj}.append([{}])", args.join(", ")),
            // unshift(a, b) puts both first, in their order; its value is the new length.
            "unshift" if args.len() == 1 && self.statement_call == Some(c.span) => format!("{obj}.insert(0, {})", a(0)),
            "unshift" => {
                let h = self.helper("js_unshift");
                format!("{}.{h}([{}])", paren_if_needed(&obj), args.join(", "))
            }
            // Rhai's index_of takes the start position as JavaScript's does (from the end when
            // negative); a value that may be null or undefined goes through a helper, as Rhai's
            // `==` takes any two () as equal.
            "indexOf" if !self.certainly_not_nullish(c.arguments.first()) => {
                let h = self.helper(if args.len() > 1 { "js_index_of_from" } else { "js_index_of" });
                let o = if m.optional { self.fresh("opt") } else { obj.clone() };
                let call = format!(
                    "{h}({o}, {})",
                    [a(0)].into_iter().chain(args.get(1).cloned()).collect::<Vec<_>>().join(", ")
                );
                if m.optional {
                    format!("({{ let {o} = {obj}; if {o} == () {{ () }} else {{ {call} }} }})")
                } else {
                    call
                }
            }
            "indexOf" => format!("{obj}{q}.index_of({})", args.join(", ")),
            "findIndex" => format!("{obj}{q}.index_of({})", a(0)),
            "startsWith" if args.len() < 2 => format!("{obj}{q}.starts_with({})", a(0)),
            "endsWith" if args.len() < 2 => format!("{obj}{q}.ends_with({})", a(0)),
            // With a position: the text from it (startsWith) or up to it (endsWith), clamped to
            // the string as `substring` clamps.
            "startsWith" => {
                let from = helper2(self, "js_substring", vec![obj, a(1), "()".into()]);
                format!("{from}.starts_with({})", a(0))
            }
            "endsWith" => {
                let upto = helper2(self, "js_substring", vec![obj, "0".into(), a(1)]);
                format!("{upto}.ends_with({})", a(0))
            }
            // k6/html's Selection.is: `is` is a reserved word in Rhai.
            "is" => format!("{obj}{q}.matches({})", a(0)),
            // `console.debug`: a reserved word too, which rload's parser reads after a dot.
            "debug" => format!("{obj}{q}.debug({})", args.join(", ")),
            "toUpperCase" => format!("{obj}{q}.to_upper()"),
            "toLowerCase" => format!("{obj}{q}.to_lower()"),
            "every" => format!("{obj}{q}.all({})", a(0)),
            "hasOwnProperty" => format!("{obj}{q}.contains({})", a(0)),
            "concat" if !q.is_empty() => format!("({obj} + {})", args.join(" + ")),
            // Each argument an array spliced in or one element (to a string, its text: null
            // and undefined too, where Rhai's `+` of `()` adds nothing).
            "concat" => helper2(self, "js_concat_all", vec![obj, format!("[{}]", args.join(", "))]),
            "trim" => helper2(self, "js_trim", vec![obj]),
            "trimStart" | "trimLeft" => helper2(self, "js_trim_start", vec![obj]),
            "trimEnd" | "trimRight" => helper2(self, "js_trim_end", vec![obj]),
            "split" if args.is_empty() => format!("[{obj}]"),
            // Rhai splits "" around every character boundary (empty ends too) and its limit
            // keeps the rest in the last piece; JavaScript's limit drops it.
            "split"
                if !matches!(c.arguments.first(), Some(Argument::StringLiteral(l)) if !l.value.is_empty())
                    || args.len() > 1 =>
            {
                helper2(self, "js_split", vec![obj, a(0), a(1)])
            }
            "substring" => helper2(self, "js_substring", vec![obj, a(0), a(1)]),
            "substr" if args.len() == 2 => format!("{obj}.sub_string({}, {})", a(0), a(1)),
            "substr" => format!("{obj}.sub_string({})", a(0)),
            "slice" => {
                let from = if args.is_empty() { "0".to_string() } else { a(0) };
                helper2(self, "js_slice", vec![obj, from, a(1)])
            }
            "charAt" => helper2(self, "js_char_at", vec![obj, a(0)]),
            "charCodeAt" => helper2(self, "js_char_code_at", vec![obj, a(0)]),
            "padStart" => helper2(self, "js_pad_start", vec![obj, a(0), a(1)]),
            "padEnd" => helper2(self, "js_pad_end", vec![obj, a(0), a(1)]),
            "repeat" => helper2(self, "js_repeat", vec![obj, a(0)]),
            "toFixed" => helper2(self, "js_to_fixed", vec![obj, if args.is_empty() { "0".into() } else { a(0) }]),
            // rload's runtime: p significant digits as JavaScript rounds and writes them.
            "toPrecision" => format!("js_to_precision({obj}, {})", if args.is_empty() { "()".into() } else { a(0) }),
            "toString" if args.is_empty() => self.as_text(&m.object, &obj),
            // `n.toString(radix)`: a number's digits in that radix (rload's runtime).
            "toString" if args.len() == 1 => format!("js_number_radix({obj}, {})", a(0)),
            // Rhai's sort and reverse work in place and return nothing; JavaScript's also return
            // the array. Without a comparator, JavaScript sorts by the elements' text.
            // Rhai's splice takes a replacement array and returns nothing; JavaScript's returns
            // what it removed.
            "splice" => {
                let h = self.helper("js_splice");
                let (start, count) = match args.len() {
                    0 => ("0".to_string(), "0".to_string()),
                    1 => (a(0), "()".to_string()),
                    _ => (a(0), a(1)),
                };
                let items = args.iter().skip(2).cloned().collect::<Vec<_>>().join(", ");
                format!("{}.{h}({start}, {count}, [{items}])", paren_if_needed(&obj))
            }
            // toSorted() and toReversed(): sort() and reverse() on a copy.
            "toSorted" | "toReversed" => {
                let copy = self.fresh("copy");
                let h = match (method, args.is_empty()) {
                    ("toReversed", _) => self.helper("js_reverse"),
                    (_, true) => self.helper("js_sort"),
                    _ => self.helper("js_sort_by"),
                };
                format!("({{ let {copy} = {obj}; {copy}.{h}({}); {copy} }})", args.first().cloned().unwrap_or_default())
            }
            "sort" if args.is_empty() => {
                let h = self.helper("js_sort");
                format!("{}.{h}()", paren_if_needed(&obj))
            }
            "sort" => {
                let h = self.helper("js_sort_by");
                format!("{}.{h}({})", paren_if_needed(&obj), a(0))
            }
            "reverse" if args.is_empty() => {
                let h = self.helper("js_reverse");
                format!("{}.{h}()", paren_if_needed(&obj))
            }
            // join(undefined) joins with a comma, as join() does; join(null) with "null".
            "join" => {
                let sep = match c.arguments.first() {
                    None => "\",\"".into(),
                    Some(Argument::Identifier(id)) if id.name == "undefined" => "\",\"".into(),
                    Some(Argument::StringLiteral(_)) => a(0),
                    Some(_) => {
                        let h = self.helper("js_join_sep");
                        format!("{h}({})", a(0))
                    }
                };
                helper2(self, "js_join", vec![obj, sep])
            }
            "reduceRight" => format!("{obj}{q}.reduce_rev({}, {})", a(0), a(1)),
            // A callback passed by name may take one argument or two: Rhai's map passes as many
            // as it takes (on a copy, which the callback may read under the array's name).
            "forEach"
                if !matches!(
                    c.arguments.first(),
                    Some(Argument::ArrowFunctionExpression(_) | Argument::FunctionExpression(_))
                ) =>
            {
                let recv = self.fresh("recv");
                format!("{{ let {recv} = {obj}; {recv}.map({}); }}", strip_parens(&a(0)))
            }
            "forEach" => {
                let f = a(0);
                let v = self.fresh("item");
                // In parentheses: an arrow's expression body would take the `.call(…)` as its own.
                format!("{{ for ({v}, i_{v}) in {obj} {{ ({}).call({v}, i_{v}); }} }}", strip_parens(&f))
            }
            "getTime" => format!("{obj}.getTime()"),
            // A property of a variable set to an object literal is a closure the object holds
            // (`o.fn(1, 2)`): `js_call` fits the arguments to its parameters when it runs.
            _ if q.is_empty()
                && matches!(&m.object, Expression::Identifier(o) if self.object_vars.contains(o.name.as_str())) =>
            {
                let f = match names::property(method) {
                    Some(p) => format!("{obj}.{p}"),
                    None => format!("{obj}[{}]", names::string(method)),
                };
                if c.optional {
                    // `o.cb?.(…)`: undefined when `o.cb` is null or undefined.
                    let h = self.helper("js_call_opt");
                    return format!("{h}({f}, [{}])", args.join(", "));
                }
                format!("js_call({f}, [{}])", args.join(", "))
            }
            _ => {
                let p = match names::property(method) {
                    Some(p) => p.to_string(),
                    None => {
                        return self.unconvertible(c.span, format!("the method `{method}`, which Rhai cannot spell"))
                    }
                };
                if c.optional {
                    // `o.cb?.(…)`: undefined when `o.cb` is null or undefined, else called as
                    // a method (a closure the map holds gets the map as `this`).
                    let o = self.fresh("opt");
                    return format!(
                        "({{ let {o} = {obj}; if {o}{q}.{p} == () {{ () }} else {{ {o}.{p}({}) }} }})",
                        args.join(", ")
                    );
                }
                format!("{obj}{q}.{p}({})", args.join(", "))
            }
        }
    }

    /// `JSON.*`, `Math.*`, `Object.*`, `Date.now()`, `Array.isArray`, `Number.*`.
    fn builtin_static(&mut self, c: &CallExpression, obj: &str, method: &str) -> Option<String> {
        let known = matches!(obj, "JSON" | "Math" | "Object" | "Date" | "Array" | "Number" | "String");
        if !known {
            return None;
        }
        if obj == "Math" && matches!(method, "max" | "min") && c.arguments.iter().any(|a| a.is_spread()) {
            return Some(self.max_min_of(method, &c.arguments));
        }
        // Array.from's mapping function gets the element and its index, nothing beyond.
        let args = if obj == "Array" && method == "from" {
            self.args_with_callback(&c.arguments, 1, 2)
        } else {
            self.args(&c.arguments)
        };
        let a = |i: usize| args.get(i).cloned().unwrap_or_else(|| "()".into());
        let helper = |conv: &mut Self, h: &'static str, args: Vec<String>| {
            let h = conv.helper(h);
            format!("{h}({})", args.join(", "))
        };
        Some(match (obj, method) {
            ("JSON", "stringify") => {
                // With classes, an instance's method pointers are no fields: JSON drops them
                // (as it drops every function-valued property).
                let fields = !self.classes.is_empty() || self.obj_state.fn_values;
                // Without them so far: decided once the whole file is read, as a function
                // converted before an object literal with methods may stringify it.
                let a = |i: usize| {
                    let v = a(i);
                    match (i, fields) {
                        (0, true) => format!("js_fields({v})"),
                        (0, false) => crate::objects::maybe_fields(&v),
                        _ => v,
                    }
                };
                if fields {
                    self.helper("js_fields");
                }
                let no_replacer = match c.arguments.get(1) {
                    None | Some(Argument::NullLiteral(_)) => true,
                    Some(Argument::Identifier(id)) => id.name == "undefined",
                    _ => false,
                };
                // `js_json`: JavaScript's JSON.stringify, which leaves a key whose value is
                // undefined out (Rhai's `to_json()` writes every `()` as null).
                // A replacer (a function or a list of keys): `js_json_replace` gives the value
                // it makes (script/api/json_replacer.rs), which is then written.
                let value = if no_replacer {
                    strip_parens(&a(0)).to_string()
                } else {
                    format!("js_json_replace({}, {})", a(0), a(1))
                };
                if args.len() > 2 {
                    helper(self, "js_stringify_indent", vec![value, a(2)])
                } else {
                    format!("js_json({value})")
                }
            }
            ("JSON", "parse") => helper(self, "js_parse", vec![a(0)]),
            ("Math", "floor" | "ceil" | "round" | "trunc" | "abs" | "sign" | "sqrt" | "log" | "exp") => {
                self.math_of_one(method, &a(0))
            }
            ("Math", "random") => "random()".into(),
            // rload's js_math (script/api/math.rs), each argument as JavaScript's number.
            ("Math", f) if JS_MATH_ONE.contains(&f) => format!("js_math(\"{f}\", {})", strip_parens(&a(0))),
            ("Math", "atan2" | "imul") => {
                format!("js_math2(\"{method}\", {}, {})", strip_parens(&a(0)), strip_parens(&a(1)))
            }
            ("Math", "hypot") => format!("js_hypot([{}])", args.join(", ")),
            ("Math", "pow") => format!("{}({}, {})", self.helper("js_pow"), a(0), a(1)),
            // No argument: -Infinity for max, Infinity for min, as JavaScript gives.
            ("Math", "max") if args.is_empty() => "(-1.0 / 0.0)".into(),
            ("Math", "min") if args.is_empty() => "(1.0 / 0.0)".into(),
            // Rhai's min and max take numbers only, and pass a NaN by: an argument that is not
            // certainly a number goes through JavaScript's rule (each as a number, NaN wins).
            ("Math", "min" | "max")
                if c.arguments
                    .iter()
                    .any(|x| !matches!(x.as_expression().map(|e| self.kind(e)), Some(Kind::Num { .. }))) =>
            {
                let h = if method == "max" { "js_max_of" } else { "js_min_of" };
                helper(self, h, vec![format!("[{}]", args.join(", "))])
            }
            ("Math", "min" | "max") => {
                let mut acc = a(0);
                for x in &args[1..] {
                    acc = format!("{method}({acc}, {x})");
                }
                acc
            }
            // Of an array (or a string) too: its indices as text, its elements.
            ("Object", "keys") => {
                let v = self.own_fields(a(0));
                helper(self, "js_object_keys", vec![v])
            }
            ("Object", "values") => {
                let v = self.own_fields(a(0));
                helper(self, "js_object_values", vec![v])
            }
            ("Object", "entries") => {
                let v = self.own_fields(a(0));
                helper(self, "js_entries", vec![v])
            }
            ("Object", "fromEntries") => helper(self, "js_from_entries", vec![a(0)]),
            ("Object", "is") => helper(self, "js_object_is", vec![a(0), a(1)]),
            // An own key of an object, or an index (or `length`) of an array: `in` without a
            // prototype, which rload's objects do not have.
            ("Object", "hasOwn") => helper(self, "js_in", vec![a(1), a(0)]),
            ("Object", "freeze") => a(0),
            ("Object", "assign") => {
                if let Some(Argument::Identifier(t)) = c.arguments.first() {
                    self.note_mutation(t.name.as_str());
                    let flag = self.alias_change(t.name.as_str(), c.span);
                    if !flag.is_empty() {
                        return Some(format!("{flag}{}", a(0)));
                    }
                    let sources: Vec<String> = args[1..].iter().map(|s| self.own_fields(s.clone())).collect();
                    let mixins: String = sources.iter().map(|s| format!(" {}.mixin({s});", a(0))).collect();
                    format!("{{{mixins} {} }}", a(0))
                } else {
                    let sources: Vec<String> = args.iter().map(|s| self.own_fields(s.clone())).collect();
                    format!("(#{{}} + {})", sources.join(" + "))
                }
            }
            ("Date", "now") => "timestamp_ms()".into(),
            ("Date", "parse") => format!("js_date_parse({})", a(0)),
            ("Date", "UTC") => format!("js_date_utc([{}])", args.join(", ")),
            ("Array", "isArray") => helper(self, "js_is_array", vec![a(0)]),
            ("Array", "from") if args.len() <= 2 => helper(self, "js_array_from", vec![a(0), a(1)]),
            ("Number", "isInteger") => helper(self, "js_is_integer", vec![a(0)]),
            ("Number", "isSafeInteger") => helper(self, "js_is_safe_integer", vec![a(0)]),
            ("Array", "of") => format!("[{}]", args.join(", ")),
            ("String", "fromCodePoint") => helper(self, "js_from_code_point", vec![format!("[{}]", args.join(", "))]),
            ("Number", "isNaN") => helper(self, "js_is_nan", vec![a(0)]),
            // Number.isFinite: a number that is finite, no conversion ("12" is false).
            ("Number", "isFinite") => helper(self, "js_is_finite", vec![a(0)]),
            ("String", "fromCharCode") => helper(self, "js_from_char_code", vec![format!("[{}]", args.join(", "))]),
            ("Number", "parseInt") => self.parse_int_call(&args),
            ("Number", "parseFloat") => helper(self, "js_parse_float", vec![a(0)]),
            _ => self.unconvertible(c.span, format!("{obj}.{method}() has no rload equivalent here")),
        })
    }

    pub fn new_expr(&mut self, n: &NewExpression) -> String {
        if n.arguments.iter().any(|a| a.is_spread()) {
            let callee = self.js_text(n.callee.span());
            return self.unconvertible(n.span, format!("a spread argument to `new {callee}(…)`"));
        }
        match &n.callee {
            Expression::Identifier(id) => {
                let name = id.name.as_str();
                if self.is_class(name) {
                    return self.class_new(n, name);
                }
                let binding = self.binding(name).cloned();
                match binding {
                    Some(Binding::Constructor(c)) if c == "shared_array" && n.arguments.len() == 2 => {
                        // `() => JSON.parse(open(f))`, k6's idiom, hands rload the file's text: the
                        // same frozen elements without building the whole array as values first.
                        let name = self.args(&n.arguments[..1]).remove(0);
                        let build = match parse_of_open(&n.arguments[1]) {
                            Some(open) => format!("|| {}", self.call(open)),
                            None => self.args(&n.arguments[1..]).remove(0),
                        };
                        format!("shared_array({name}, {build})")
                    }
                    Some(Binding::Constructor(c)) | Some(Binding::Function(c)) => {
                        let args = self.args(&n.arguments).join(", ");
                        format!("{c}({args})")
                    }
                    Some(b @ (Binding::Pending(..) | Binding::Fixed(..))) => {
                        let (v, note, kind) = b.noted().unwrap_or_default();
                        let item = self.item(n.span, kind, note);
                        let args = self.args(&n.arguments).join(", ");
                        format!("{item} {v}({args})")
                    }
                    Some(Binding::Unsupported(r)) => self.unconvertible(n.span, r),
                    _ => match name {
                        // An error is its text, "TypeError: m", as String(e) writes it (js_error).
                        "Error" | "TypeError" | "RangeError" | "SyntaxError" | "ReferenceError" | "URIError"
                        | "EvalError"
                            if !self.is_local(name) && !self.top_vars.contains(name) =>
                        {
                            let m = self.args(&n.arguments).first().cloned().unwrap_or_else(|| "()".into());
                            let h = self.helper("js_error");
                            format!("{h}(\"{name}\", {m})")
                        }
                        "RegExp" if !self.is_local(name) && !self.top_vars.contains(name) => {
                            let args = self.args(&n.arguments);
                            self.regexp_new(n.span, &n.arguments, args)
                        }
                        "Array" if n.arguments.is_empty() => "[]".into(),
                        // `new Array(n)`: n empty slots (undefined), or the one element when it
                        // is not a number; with more arguments, those elements.
                        "Array" if n.arguments.len() == 1 => {
                            let arg = self.args(&n.arguments).remove(0);
                            let h = self.helper("js_new_array");
                            format!("{h}({arg})")
                        }
                        "Array" => format!("[{}]", self.args(&n.arguments).join(", ")),
                        "Object" if n.arguments.is_empty() => "#{}".into(),
                        // rload's JavaScript Date (script/api/date/), with the same arguments.
                        // rload's JavaScript Map and Set (script/api/collections.rs).
                        "Map" | "Set" if !self.is_local(name) && !self.top_vars.contains(name) => {
                            let f = if name == "Map" { "js_map" } else { "js_set" };
                            format!("{f}({})", self.args(&n.arguments).join(", "))
                        }
                        // `new Date(null)` is the epoch (Number(null) is 0), `new Date(undefined)`
                        // an invalid date: `js_date` tells them apart.
                        "Date" if !self.is_local(name) && !self.top_vars.contains(name) => {
                            format!("js_date({})", self.args(&n.arguments).join(", "))
                        }
                        _ => self.unconvertible(n.span, format!("`new {name}(…)`: rload has no {name}")),
                    },
                }
            }
            Expression::StaticMemberExpression(m) => {
                if let Expression::Identifier(obj) = &m.object {
                    if let Some(Binding::Value(v)) = self.binding(obj.name.as_str()).cloned() {
                        let args = self.args(&n.arguments).join(", ");
                        return format!("{v}.{}({args})", m.property.name);
                    }
                }
                self.unconvertible(n.span, "this `new`")
            }
            _ => self.unconvertible(n.span, "this `new`"),
        }
    }
}

/// Array methods that call their callback before they return (`forEach` is a `for` loop, which
/// reads a copy of the array).
const CALLBACK_METHODS: &[&str] = &[
    "map",
    "filter",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "some",
    "every",
    "reduce",
    "reduceRight",
    "flatMap",
    "sort",
    "toSorted",
];

/// How many arguments the Rhai form of array method `method` passes its callback: Rhai's own
/// methods pass the element and its index (`reduce`: the accumulator too); so do the helpers.
fn callback_arity(method: &str) -> Option<usize> {
    match method {
        "map" | "filter" | "find" | "findIndex" | "findLast" | "findLastIndex" | "some" | "every" | "forEach"
        | "flatMap" => Some(2),
        "reduce" | "reduceRight" => Some(3),
        "sort" | "toSorted" => Some(2),
        _ => None,
    }
}

/// Array methods converted to a helper that calls the callback itself.
const HELPER_CALLBACK_METHODS: &[&str] = &["findLast", "findLastIndex"];

/// The variable a Rhai method chain converted from `e` starts at: `o` of `o.items`,
/// `o.keys()` (from `Object.keys(o)`) and `o.filter(…).map`. A chain that really starts at a
/// helper call (`js_entries(o)`) gets the same answer, and only a needless copy.
fn chain_root(e: &Expression) -> Option<String> {
    match e {
        Expression::Identifier(id) => Some(id.name.to_string()),
        Expression::StaticMemberExpression(m) => chain_root(&m.object),
        Expression::ComputedMemberExpression(m) => chain_root(&m.object),
        Expression::ParenthesizedExpression(p) => chain_root(&p.expression),
        Expression::ChainExpression(c) => match &c.expression {
            ChainElement::CallExpression(call) => call_root(call),
            ChainElement::StaticMemberExpression(m) => chain_root(&m.object),
            ChainElement::ComputedMemberExpression(m) => chain_root(&m.object),
            _ => None,
        },
        Expression::CallExpression(call) => call_root(call),
        _ => None,
    }
}

fn call_root(call: &CallExpression) -> Option<String> {
    let Expression::StaticMemberExpression(m) = &call.callee else { return None };
    match &m.object {
        // `Object.keys(o)` is `o.keys()`.
        Expression::Identifier(id) if id.name == "Object" => match call.arguments.first() {
            Some(a) if !a.is_spread() => chain_root(a.to_expression()),
            _ => None,
        },
        other => chain_root(other),
    }
}

/// Whether `e` is a variable, a property or an element: something an assignment can write.
fn is_place(e: &Expression) -> bool {
    match e {
        Expression::Identifier(_) => true,
        Expression::StaticMemberExpression(m) => is_place(&m.object),
        Expression::ComputedMemberExpression(m) => is_place(&m.object),
        _ => false,
    }
}

pub(crate) fn paren_if_needed(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == ':')
        || s.ends_with(')') && !s.contains(' ')
    {
        s.to_string()
    } else {
        format!("({s})")
    }
}

/// The `open(…)` call of a function that only returns `JSON.parse(open(…))`: `() =>
/// JSON.parse(open(f))`, `() => { return JSON.parse(open(f)); }` or `function () { … }`.
fn parse_of_open<'a>(arg: &'a Argument<'a>) -> Option<&'a CallExpression<'a>> {
    let statements = match arg {
        Argument::ArrowFunctionExpression(f) if f.params.items.is_empty() => match f.body.as_expression() {
            Some(e) => return open_of_parse(e),
            None => &f.body.as_function_body()?.statements,
        },
        Argument::FunctionExpression(f) if f.params.items.is_empty() => &f.body.as_ref()?.statements,
        _ => return None,
    };
    let returned = match statements.as_slice() {
        [Statement::ReturnStatement(r)] => r.argument.as_ref()?,
        _ => return None,
    };
    open_of_parse(returned)
}

/// The `open(…)` call of `JSON.parse(open(…))`.
fn open_of_parse<'a>(returned: &'a Expression<'a>) -> Option<&'a CallExpression<'a>> {
    let Expression::CallExpression(parse) = strip_paren_expr(returned) else { return None };
    let Expression::StaticMemberExpression(m) = &parse.callee else { return None };
    let is_json_parse =
        matches!(&m.object, Expression::Identifier(o) if o.name == "JSON") && m.property.name == "parse";
    let [Argument::CallExpression(open)] = parse.arguments.as_slice() else { return None };
    let opens = matches!(&open.callee, Expression::Identifier(f) if f.name == "open") && open.arguments.len() == 1;
    (is_json_parse && opens).then_some(&**open)
}

fn strip_paren_expr<'a>(mut e: &'a Expression<'a>) -> &'a Expression<'a> {
    while let Expression::ParenthesizedExpression(p) = e {
        e = &p.expression;
    }
    e
}

impl Conv<'_> {
    /// `Math.max(...xs)`, `Math.min(a, ...xs, b)`: the arguments gathered into one array (each
    /// spread one as it is, each other one as a one-element array), which a helper folds as
    /// JavaScript does (each as a number; -Infinity or Infinity for none).
    fn max_min_of(&mut self, method: &str, args: &[Argument]) -> String {
        let mut parts = Vec::new();
        for a in args {
            match a {
                Argument::SpreadElement(s) => {
                    let t = self.expr(&s.argument);
                    parts.push(paren_if_needed(strip_parens(&t)));
                }
                other => {
                    let t = self.args(std::slice::from_ref(other)).remove(0);
                    parts.push(format!("[{t}]"));
                }
            }
        }
        let h = self.helper(if method == "max" { "js_max_of" } else { "js_min_of" });
        format!("{h}({})", parts.join(" + "))
    }

    /// `parseInt(s)` / `parseInt(s, radix)`: JavaScript's, which reads the leading integer of
    /// the text and gives NaN when there is none (`parseInt(__ENV.VUS) || 10` takes 10 when
    /// VUS is unset); Rhai's `parse_int` fails on anything but a whole integer, and took no
    /// radix.
    fn parse_int_call(&mut self, args: &[String]) -> String {
        let h = self.helper("js_parse_int");
        let text = args.first().map_or("()", |a| strip_parens(a));
        let radix = args.get(1).map_or("()", |a| strip_parens(a));
        format!("{h}({text}, {radix})")
    }
}
