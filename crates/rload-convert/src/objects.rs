//! Methods of object literals (`const api = { base: '…', url(p) { return this.base + p; } }`).
//! A method (`m() {…}` or `m: function () {…}`) of an object literal that initialises a `const`
//! or `let` is a Rhai closure in the map; `api.url(p)` calls it with `this` bound to `api`
//! itself (Rhai binds `this` of a map's function-pointer property called as a method), so
//! `this.count++` changes `api`. Inside its methods, the object's own name is `this` too (`api.
//! url(…)` in `api.create`): a Rhai closure sees only the variables made before it, and `api`
//! is made after its methods. Both are exact because JavaScript's `this` is `api` whenever the
//! method is called as `api.m(…)`, the only call converted. The rest reuses the classes' machinery
//! (`class_uses.rs`): `this` in an arrow that runs at once is the captured `this_c`, a method
//! that changes `this` makes a module-level object shared by the functions that call it (one per
//! VU, kept across iterations), and a call of one through a second name (`const b = api;
//! b.hit()`, a parameter) is refused, since Rhai would change a copy.
//!
//! Refused, each named: a method read as a value (`const f = api.get`, `check(r, { ok: api.
//! isOk })`: JavaScript's `this` would be lost), the object's own name or `this` used as a value
//! in a method (`return this`: Rhai hands out a copy), the own name in a `function` inside a
//! method (whose `this` is its own: write an arrow), `this` in methods of other object
//! literals (a call's argument, a returned literal, a nested one), a call with more arguments
//! than the method's parameters that are not plain values (JavaScript evaluates and ignores
//! them), getters and setters.

use std::collections::HashMap;

use oxc_ast::ast::*;
use oxc_span::Span;

use crate::conv::Conv;
use crate::ItemKind;

/// What the conversion knows of object literals with methods.
#[derive(Debug, Default)]
pub struct ObjState {
    /// Variables initialised with an object literal that has methods: JavaScript name ->
    /// (method, number of parameters, whether it has a rest parameter).
    pub objects: HashMap<String, Vec<(String, usize, bool)>>,
    /// The number of scopes open where each of those is declared (0 at the top level).
    pub depths: HashMap<String, usize>,
    /// The variable whose object literal is being converted (its methods bind `this`).
    pub declaring: Option<String>,
    /// The object whose method is being converted: its name and the number of scopes open
    /// around the method (a name declared in a deeper one shadows the object's).
    pub current: Option<(String, usize)>,
    /// Converting a method of an object literal whose `this` rload refuses: why.
    pub this_refused: Option<String>,
    /// A variable here is initialised with an object literal holding a function (a method or
    /// an arrow): `JSON.stringify` leaves function-valued properties out (`finish_json`).
    pub fn_values: bool,
}

/// Marks of a value `JSON.stringify` writes, in a file where no object with methods was seen
/// yet: `finish_json` makes them `js_fields(…)` when one turns up later.
const FIELDS_OPEN: char = '\u{4}';
const FIELDS_CLOSE: char = '\u{11}';

/// `v` as `JSON.stringify` writes it, decided when the whole file is read (`finish_json`).
pub fn maybe_fields(v: &str) -> String {
    format!("{FIELDS_OPEN}{v}{FIELDS_CLOSE}")
}

/// Resolves `maybe_fields`: in a file with a variable initialised with an object literal holding
/// a function (a method or an arrow), `JSON.stringify` leaves function-valued properties out, as
/// JavaScript does.
pub fn finish_json(conv: &mut Conv, text: &str) -> String {
    if !text.contains(FIELDS_OPEN) {
        return text.to_string();
    }
    if conv.obj_state.fn_values {
        conv.helper("js_fields");
        text.replace(FIELDS_OPEN, "js_fields(").replace(FIELDS_CLOSE, ")")
    } else {
        text.replace([FIELDS_OPEN, FIELDS_CLOSE], "")
    }
}

/// The methods of object literal `o`: (name, parameters, rest parameter). Arrows are no
/// methods: they have no `this` of their own, and calls of them fit their arguments as calls of
/// any closure do (`js_call`).
pub fn methods_of(o: &ObjectExpression) -> Vec<(String, usize, bool)> {
    o.properties
        .iter()
        .filter_map(|p| match p {
            ObjectPropertyKind::ObjectProperty(p) if p.kind == PropertyKind::Init && !p.computed => {
                match p.value.without_parentheses() {
                    Expression::FunctionExpression(f) => {
                        let name = p.key.static_name()?.to_string();
                        Some((name, f.params.items.len(), f.params.rest.is_some()))
                    }
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

impl Conv<'_> {
    /// Notes a variable initialised with an object literal with methods (before its
    /// initialiser is converted, and at the top level before anything is).
    pub fn declare_object(&mut self, name: &str, init: Option<&Expression>) -> bool {
        let depth = self.scopes.len();
        let methods = match init.map(|e| e.without_parentheses()) {
            Some(Expression::ObjectExpression(o)) => {
                self.obj_state.fn_values |= o.properties.iter().any(|p| {
                    matches!(p, ObjectPropertyKind::ObjectProperty(p) if matches!(p.value.without_parentheses(),
                        Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)))
                });
                methods_of(o)
            }
            _ => Vec::new(),
        };
        if methods.is_empty() {
            if self.obj_state.depths.get(name) == Some(&depth) {
                self.obj_state.objects.remove(name);
                self.obj_state.depths.remove(name);
            }
            return false;
        }
        self.obj_state.objects.insert(name.to_string(), methods);
        self.obj_state.depths.insert(name.to_string(), depth);
        true
    }

    /// Converts `init`, the initialiser of variable `name`: an object literal's methods get
    /// `this`.
    pub fn object_init(&mut self, name: &str, init: &Expression) -> String {
        if !self.declare_object(name, Some(init)) {
            return self.expr(init);
        }
        let saved = self.obj_state.declaring.replace(name.to_string());
        let out = self.expr(init);
        self.obj_state.declaring = saved;
        out
    }

    /// A `function` value of property `method` in an object literal: a method of the object
    /// being declared (with `this`), or of an anonymous literal (`this` refused).
    pub fn object_method(&mut self, object: Option<&str>, method: &str, f: &Function) -> String {
        let why = match object {
            None => Some("`this` in a method of an object literal that initialises no variable (an argument, a returned or nested object): rload converts `this` in methods of `const o = { … }` (or `let`) only".to_string()),
            Some(o) if f.params.rest.is_some() => Some(format!("`this` in `{o}.{method}`, a method with a rest parameter: rload calls it through `js_call`, which binds no `this`")),
            Some(_) => None,
        };
        let (Some(object), None) = (object, &why) else {
            let saved = std::mem::replace(&mut self.obj_state.this_refused, why);
            let out = self.function_expr(f, false);
            self.obj_state.this_refused = saved;
            return out;
        };
        let saved_class =
            self.class_state.current.replace((object.to_string(), method.to_string(), self.closure_depth + 1));
        let saved_obj = self.obj_state.current.replace((object.to_string(), self.scopes.len()));
        let saved_fn = std::mem::replace(&mut self.class_state.in_function_of_method, false);
        let saved_refused = self.obj_state.this_refused.take();
        let saved_captured = std::mem::take(&mut self.class_state.this_captured);
        let saved_at_once = self.class_state.arrow_at_once.take();
        let out = self.function_closure(f, false);
        self.class_state.current = saved_class;
        self.obj_state.current = saved_obj;
        self.class_state.in_function_of_method = saved_fn;
        self.obj_state.this_refused = saved_refused;
        self.class_state.this_captured = saved_captured;
        self.class_state.arrow_at_once = saved_at_once;
        out
    }

    /// Whether `name`, here, is the object whose method is being converted (not a name
    /// declared inside the method).
    pub fn is_own_name(&self, name: &str) -> bool {
        let Some((object, scopes)) = &self.obj_state.current else { return false };
        if object != name || self.class_state.current.is_none() {
            return false;
        }
        self.scope_of(name).is_none_or(|i| i < *scopes)
    }

    /// The object's own name inside a `function` in one of its methods (whose `this` is its
    /// own): refused, as the closure would look for a variable not made yet.
    pub fn own_name_in_function(&mut self, name: &str, span: Span) -> Option<String> {
        let (object, scopes) = self.obj_state.current.as_ref()?;
        let outside = self.scope_of(name).is_none_or(|i| i < *scopes);
        if object != name || self.class_state.current.is_some() || !self.class_state.in_function_of_method || !outside {
            return None;
        }
        Some(self.unconvertible(
            span,
            format!("`{name}` inside a `function` in its own method: rload reaches the object as the method's `this`, which a `function` does not share; write an arrow"),
        ))
    }

    /// The object's own name inside one of its methods: `this` (`this_c` in an arrow that
    /// runs at once), as a property's or a method's object only.
    pub fn own_name_expr(&mut self, name: &str, span: Span) -> String {
        let after = self.src.get(span.end as usize..).unwrap_or("").trim_start();
        if !(after.starts_with('.') || after.starts_with('[') || after.starts_with("?.")) || after.starts_with("...") {
            return self.unconvertible(
                span,
                format!("`{name}` as a value inside its own method (`return {name}`, `f({name})`): rload reaches it as the method's `this`, and Rhai would hand out a copy"),
            );
        }
        self.this_expr(span)
    }

    /// The methods of the object variable `name` reaches here, if it is one of those.
    fn object_methods(&self, name: &str) -> Option<&Vec<(String, usize, bool)>> {
        if self.binding(name).is_some() || self.free_global(name).is_some() {
            return None;
        }
        // The name reaches the variable declared with the object (not another of its name).
        let depth = *self.obj_state.depths.get(name)?;
        let here = self.scope_of(name).map_or(0, |i| i + 1);
        (here == depth).then(|| self.obj_state.objects.get(name)).flatten()
    }

    /// `x.m(…)` where `m` may be a method of an object literal: the call on the object's own
    /// name or on `this` in its method (the arguments fitted to the parameters); else `Err` of
    /// the flag to put before the usual conversion, which keeps a refusal when the call changes
    /// the object through a second name (decided in `class_uses::finish`).
    pub fn object_method_call(&mut self, c: &CallExpression, m: &StaticMemberExpression) -> Result<String, String> {
        let method = m.property.name.as_str();
        let direct: Option<(String, usize, bool)> = match &m.object {
            Expression::Identifier(id) => self
                .object_methods(id.name.as_str())
                .and_then(|ms| ms.iter().find(|(n, _, _)| n == method).cloned())
                .map(|(_, n, rest)| (id.name.to_string(), n, rest)),
            Expression::ThisExpression(_) => {
                let own = self.obj_state.current.clone().filter(|_| self.class_state.current.is_some());
                own.and_then(|(o, _)| {
                    let ms = self.obj_state.objects.get(&o)?;
                    ms.iter().find(|(n, _, _)| n == method).map(|(_, n, rest)| (o.clone(), *n, *rest))
                })
            }
            _ => None,
        };
        let Some((object, params, false)) = direct else {
            // A method with a rest parameter is a `js_rest` value, called through `js_call`.
            return Err(self.object_call_flag(c, m));
        };
        if c.arguments.iter().any(|a| a.is_spread()) {
            return Ok(self.unconvertible(c.span, format!("a spread argument to the method `{object}.{method}`")));
        }
        if crate::names::property(method).is_none() {
            return Ok(self.unconvertible(
                c.span,
                format!("the method `{object}.{method}`: Rhai reserves its name (or cannot spell it after `.`); rename the method"),
            ));
        }
        let on_this = matches!(m.object, Expression::ThisExpression(_)) || self.is_own_name(&object);
        if c.arguments.len() > params {
            let plain = c.arguments[params..].iter().all(|a| {
                matches!(
                    a,
                    Argument::Identifier(_)
                        | Argument::StringLiteral(_)
                        | Argument::NumericLiteral(_)
                        | Argument::BooleanLiteral(_)
                        | Argument::NullLiteral(_)
                )
            });
            if !plain {
                return Ok(self.unconvertible(
                    c.span,
                    format!("`{object}.{method}(…)` with more arguments than its {params} parameter(s), beyond them an expression JavaScript would evaluate and ignore: pass only those it takes"),
                ));
            }
        }
        let obj = self.expr(&m.object);
        let mut args = self.args(&c.arguments);
        args.truncate(params);
        while args.len() < params {
            args.push("()".into());
        }
        let flag = if let (true, Some(class)) = (on_this, self.this_in_closure()) {
            // In an arrow, `this` is a copy: refused if the method changes its object.
            let index = self.items.len();
            let comment = self.item(c.span, ItemKind::Unconvertible, crate::class_uses::this_in_arrow(&class));
            crate::class_uses::pending_flag(self, method, Some(index), None, format!("{comment} "))
        } else if on_this {
            if let Some((class, current, _)) = self.class_state.current.clone() {
                self.class_state.calls_on_this.entry((class, current)).or_default().insert(method.to_string());
            }
            String::new()
        } else {
            self.object_call_flag(c, m)
        };
        let q = if m.optional { "?" } else { "" };
        Ok(format!("{flag}{}{q}.{method}({})", crate::calls::paren_if_needed(&obj), args.join(", ")))
    }

    /// The pending flag of a call `x.m(…)` whose `m` is a method of an object literal here,
    /// through a name other than the object's own (or the object's own, which a method that
    /// changes it makes shared): kept as a refusal when `m` changes its object and `x` is a
    /// second name. Empty for other calls.
    fn object_call_flag(&mut self, c: &CallExpression, m: &StaticMemberExpression) -> String {
        let method = m.property.name.as_str();
        if !self.obj_state.objects.values().any(|ms| ms.iter().any(|(n, _, _)| n == method)) {
            return String::new();
        }
        let root = crate::expr::member_root(&m.object);
        if root.as_deref() == Some("this") {
            return String::new();
        }
        let before = self.items.len();
        let comment = match &root {
            Some(r) if self.is_alias(r) => self.alias_change(r, c.span),
            _ => String::new(),
        };
        let index = (self.items.len() > before).then_some(before);
        crate::class_uses::pending_flag(self, method, index, root, comment)
    }

    /// `x.m` read, not called, where `x` is an object with method `m` (or `this` in one of its
    /// methods): refused, as JavaScript's function would lose its `this`.
    pub fn object_method_as_value(&mut self, m: &StaticMemberExpression) -> Option<String> {
        let method = m.property.name.as_str();
        let object = match &m.object {
            Expression::Identifier(id) => id.name.to_string(),
            Expression::ThisExpression(_) => self.obj_state.current.as_ref()?.0.clone(),
            _ => return None,
        };
        let ms = if matches!(m.object, Expression::ThisExpression(_)) {
            self.obj_state.objects.get(&object)?
        } else {
            self.object_methods(&object)?
        };
        if !ms.iter().any(|(n, _, _)| n == method) {
            return None;
        }
        Some(self.unconvertible(
            m.span,
            format!("`{object}.{method}` read as a value (kept, passed as a callback): called later, JavaScript's method has no `this` (or another one); rload converts a method of an object only as a call `{object}.{method}(…)`; pass an arrow `(…) => {object}.{method}(…)`"),
        ))
    }
}
