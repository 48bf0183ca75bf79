//! JavaScript classes declared at the top level of the entry script (and `const Api = class { … }`
//! there, as the class `Api`: `modules.rs`, `class_expression`). An instance is a Rhai
//! object map holding its fields and, for each method, a function pointer to the method's Rhai
//! function (`get: Fn("Api__get")`): `api.get(p)` calls `Api__get` with `this` bound to `api`,
//! and a method that changes `this` changes `api` itself. `new Api(a)` is `Api__new(a)`, which
//! makes the map, sets the class fields (`Api__class_fields`) and runs the constructor (`Api__constructor`),
//! each called on the new map; a static method is a plain function `Api__name`. JSON of an instance drops the method
//! pointers (`js_fields`), as k6 writes only an instance's own fields.
//!
//! An arrow in a method that a call runs before returning (`check`, `group`, `map`) captures
//! the instance as it is made (`{ let this_c = this; |r| … this_c.n }`), which is what it
//! reads in k6, as nothing changes the instance meanwhile (a change in the arrow is refused).
//!
//! `class B extends A` (A a class declared before): `super(…)` runs A's fields and constructor,
//! then B's fields; an instance holds the most derived method of each name, so A's methods
//! calling `this.m()` reach B's override; `super.m(…)` is `this.A__m(…)`.
//!
//! Refused, each named: `extends` of anything else, `super` other than those, getters and setters, private `#names`, computed method names
//! and names Rhai reserves, static fields and blocks, async and generator methods,
//! `toString`/`valueOf`/`toJSON` methods, a method's rest parameter, a constructor returning a
//! value; `this` outside a method or constructor, in a `function` or a static method, in an
//! arrow that may run later (stored, returned, a timer's), or used other than for a property or
//! a method (`return this`); a class used as a value other than `new C(…)` and
//! `C.staticMethod(…)`; a method read without a call; a method named like JavaScript's own
//! array and string methods called on anything but `this`; and a method that changes `this`
//! called through a second name (a parameter: Rhai would change a copy; decided when the whole
//! file is read). This file converts the declarations; `class_uses.rs` the code that uses them.

use std::collections::{BTreeSet, HashMap, HashSet};

use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};

use crate::conv::Conv;
use crate::names;
use crate::ItemKind;

/// One class of the file: its instance methods and static methods (its own and those it
/// inherits), each with the Rhai name of the class whose function it is (`Api` of `Api__get`).
#[derive(Debug, Default, Clone)]
pub struct ClassInfo {
    pub methods: Vec<String>,
    pub statics: HashSet<String>,
    pub impls: HashMap<String, String>,
    pub static_impls: HashMap<String, String>,
    /// The class it extends (JavaScript name), one declared before it in this file.
    pub parent: Option<String>,
}

/// A class once converted: its constructor's parameters, and whether it is a base class with
/// fields (a subclass's `super(…)` sets them before the parent's constructor runs).
#[derive(Debug, Default, Clone)]
pub struct Built {
    pub ctor_params: Vec<String>,
    pub base_fields: bool,
}

/// What the conversion learns of classes while it converts them.
#[derive(Debug, Default)]
pub struct ClassState {
    /// The method being converted: (class, method, closure depth of its body); a static
    /// method's has no instance, and `this` in it (the class itself in JavaScript) is refused.
    pub current: Option<(String, String, usize)>,
    /// Methods that change `this` themselves: (class, method).
    pub changes_this: HashSet<(String, String)>,
    /// `this.m()` inside (class, method): m.
    pub calls_on_this: HashMap<(String, String), BTreeSet<String>>,
    /// Calls `x.m()` through a name other than `this`: (method, item index if x is a second
    /// name, root variable, whether it was inside a function).
    pub pending: Vec<(String, Option<usize>, Option<String>, bool)>,
    /// An arrow inside the method being converted reads `this` (as `this_c`): the outermost
    /// such arrow is written inside `{ let this_c = this; … }`, so it captures the instance.
    pub this_captured: bool,
    /// The calls being converted, innermost last: the closure depth of their arguments when
    /// they run a callback before they return (`None` for `setTimeout`, `then`, …).
    pub call_args: Vec<Option<usize>>,
    /// The outermost arrow being converted in a method: whether it runs before the call it is
    /// passed to returns (only then is the instance it captured the one it would read).
    pub arrow_at_once: Option<bool>,
    /// Converting a `function` inside a method (whose `this` is its own).
    pub in_function_of_method: bool,
    /// Classes converted so far, by Rhai name.
    pub built: HashMap<String, Built>,
    /// In a subclass's constructor: (parent's Rhai name, the subclass has fields), for `super(…)`.
    pub super_ctor: Option<(String, bool)>,
    /// In a subclass's method: the parent's JavaScript name, for `super.m(…)`.
    pub super_of: Option<String>,
    /// Numbers of arguments instance methods are called with, by JavaScript method name.
    pub call_lengths: HashMap<String, BTreeSet<usize>>,
    /// Each instance method as written: (class, method, parameter names).
    pub params: Vec<(String, String, Vec<String>)>,
}

/// Marker of a method's overloads for longer calls: `\u{e}Class\u{1f}method\u{e}`.
pub(crate) const LONGER: char = '\u{e}';

impl Conv<'_> {
    /// First pass: notes a top-level class's name and its methods. `name` is the name it is
    /// declared under: its own, or the constant's of `const Api = class { … }`.
    pub fn declare_class(&mut self, c: &Class, name: &str) {
        let mut info = ClassInfo::default();
        let own = names::var(name);
        if let Some(parent) = c.heritage.as_ref().and_then(|h| match &h.expression {
            Expression::Identifier(p) => self.classes.get(p.name.as_str()).map(|i| (p.name.to_string(), i.clone())),
            _ => None,
        }) {
            info = ClassInfo { parent: Some(parent.0), ..parent.1 };
        } else if c.heritage.is_some() {
            // Refused by `class_decl`.
            return;
        }
        for e in &c.body.body {
            if let ClassElement::MethodDefinition(m) = e {
                if m.kind != MethodDefinitionKind::Method || m.computed {
                    continue;
                }
                let Some(name) = m.key.static_name() else { continue };
                if m.r#static {
                    info.statics.insert(name.to_string());
                    info.static_impls.insert(name.to_string(), own.clone());
                } else {
                    if !info.methods.iter().any(|n| n == name.as_ref()) {
                        info.methods.push(name.to_string());
                    }
                    info.impls.insert(name.to_string(), own.clone());
                }
            }
        }
        // Those `class_decl` refuses: a static one named like an instance method, and the names
        // of the class's own functions.
        let methods = info.methods.clone();
        info.statics.retain(|s| !methods.contains(s));
        info.statics.retain(|s| !matches!(s.as_str(), "new" | "constructor" | "class_fields"));
        info.methods.retain(|s| !matches!(s.as_str(), "new" | "class_fields"));
        info.static_impls.retain(|s, _| info.statics.contains(s));
        info.impls.retain(|s, _| info.methods.contains(s));
        self.classes.insert(name.to_string(), info);
    }

    /// Whether `name` is a class of this file (not shadowed by a local).
    pub fn is_class(&self, name: &str) -> bool {
        self.classes.contains_key(name) && !self.is_local(name)
    }

    /// A top-level class declaration (or `const Api = class { … }`, under the constant's name):
    /// its constructor, its methods and its static methods.
    pub fn class_decl(&mut self, c: &Class, name: &str) -> String {
        let class = names::var(name);
        let mark = self.mark(c.span);
        let mut out = String::new();
        let info = self.classes.get(name).cloned().unwrap_or_default();
        let parent = info.parent.as_deref().map(names::var);
        if c.heritage.is_some() && parent.is_none() {
            let note = self.item(
                c.span,
                ItemKind::Unconvertible,
                format!("`class {class} extends …`: rload converts `extends` of a class declared before it in this script only"),
            );
            return format!("{note}\n");
        }
        let instance_methods: Vec<String> = c
            .body
            .body
            .iter()
            .filter_map(|e| match e {
                ClassElement::MethodDefinition(m) if !m.r#static && m.kind == MethodDefinitionKind::Method => {
                    m.key.static_name().map(|n| n.to_string())
                }
                _ => None,
            })
            .collect();
        let mut fields: Vec<(String, Option<&Expression>)> = Vec::new();
        let mut ctor: Option<&Function> = None;
        let mut methods: Vec<(String, &Function, bool)> = Vec::new();
        for e in &c.body.body {
            match e {
                ClassElement::MethodDefinition(m) => {
                    let name = match m.key.static_name() {
                        Some(n) if !m.computed && !matches!(m.key, PropertyKey::PrivateIdentifier(_)) => n.to_string(),
                        _ => {
                            out.push_str(&self.refuse_member(m.span, &class, "a computed or private method name"));
                            continue;
                        }
                    };
                    match m.kind {
                        MethodDefinitionKind::Constructor => ctor = Some(&m.value),
                        MethodDefinitionKind::Get | MethodDefinitionKind::Set => {
                            let (kind, head) =
                                if m.kind == MethodDefinitionKind::Get { ("getter", "get") } else { ("setter", "set") };
                            let what = format!(
                                "the {kind} `{name}` (`{head} {name}(…)`): rload has no accessors; write a method \
                                 and call it (`{name}(…) {{…}}`, `x.{name}(…)`)"
                            );
                            out.push_str(&self.refuse_member(m.span, &class, &what));
                        }
                        MethodDefinitionKind::Method => {
                            if m.value.r#async || m.value.generator {
                                let what = format!("the async or generator method `{name}`");
                                out.push_str(&self.refuse_member(m.span, &class, &what));
                            } else if matches!(name.as_str(), "toString" | "valueOf" | "toJSON") {
                                let what = format!("the method `{name}`, which JavaScript calls itself");
                                out.push_str(&self.refuse_member(m.span, &class, &what));
                            } else if matches!(name.as_str(), "new" | "constructor" | "class_fields") {
                                let what = format!("the method `{name}`: rload names a function of the class so");
                                out.push_str(&self.refuse_member(m.span, &class, &what));
                            } else if m.r#static && instance_methods.contains(&name) {
                                let what = format!("the static method `{name}`, named like an instance method");
                                out.push_str(&self.refuse_member(m.span, &class, &what));
                            } else if names::property(&name).is_none() {
                                let what = format!(
                                    "the method `{name}`: Rhai reserves its name (or cannot spell it after `.`)"
                                );
                                out.push_str(&self.refuse_member(m.span, &class, &what));
                            } else {
                                methods.push((name, &m.value, m.r#static));
                            }
                        }
                    }
                }
                ClassElement::PropertyDefinition(p) => {
                    let name = match p.key.static_name() {
                        Some(n) if !p.computed && !matches!(p.key, PropertyKey::PrivateIdentifier(_)) => n.to_string(),
                        _ => {
                            out.push_str(&self.refuse_member(p.span, &class, "a computed or private field"));
                            continue;
                        }
                    };
                    if p.r#static {
                        let what = format!("the static field `{name}`");
                        out.push_str(&self.refuse_member(p.span, &class, &what));
                    } else if p.value.as_ref().is_none_or(crate::expr::is_undefined) {
                        // `token;` is undefined until the constructor sets it: when its body
                        // does, first thing, the field changes nothing; else it is a property
                        // set to `undefined` (a plain `()`, which JSON.stringify leaves out).
                        if !constructor_sets(&c.body.body, &name) {
                            fields.push((name, None));
                        }
                    } else {
                        fields.push((name, p.value.as_ref()));
                    }
                }
                other => {
                    out.push_str(&self.refuse_member(other.span(), &class, "a static block or an accessor"));
                }
            }
        }
        // The class fields (in order), on `this`, in a function of their own: their values see
        // the module's names, not the constructor's parameters.
        let (_, _, field_body) = self.method_body(&class, "constructor", false, None, |conv| {
            let mut lines = Vec::new();
            for (name, value) in &fields {
                let v = value.map(|v| conv.expr(v)).unwrap_or_else(|| "()".into());
                let place = match names::property(name) {
                    Some(n) => format!("this.{n}"),
                    None => format!("this[{}]", names::string(name)),
                };
                lines.push(format!("{place} = {};", crate::expr::strip_parens(&v)));
            }
            lines
        });
        // Then the constructor's body; a subclass's sets the parent's fields and its own in
        // `super(…)`, and one without a constructor is JavaScript's `constructor(...args) {
        // super(...args); }`.
        let saved_super = self.class_state.super_ctor.take();
        let (params, required, body) = match (&parent, ctor) {
            (Some(p), None) => {
                let params = self.class_state.built.get(p).map(|b| b.ctor_params.clone()).unwrap_or_default();
                let call = super_text(&self.class_state.built, p, &class, !fields.is_empty(), &params.join(", "));
                (params.clone(), params.len(), format!("    {call};\n"))
            }
            (p, ctor) => {
                self.class_state.super_ctor = p.as_ref().map(|p| (p.clone(), !fields.is_empty()));
                self.method_body(&class, "constructor", false, ctor, |_| Vec::new())
            }
        };
        self.class_state.super_ctor = saved_super;
        self.class_state.built.insert(
            class.clone(),
            Built { ctor_params: params.clone(), base_fields: parent.is_none() && !fields.is_empty() },
        );
        let mut ptrs: Vec<String> = Vec::new();
        for name in &info.methods {
            let owner = info.impls.get(name).cloned().unwrap_or_else(|| class.clone());
            ptrs.push(format!(" {}: Fn(\"{owner}__{name}\")", names::key(name)));
        }
        let joined = params.join(", ");
        let fields_call = if fields.is_empty() || parent.is_some() {
            String::new()
        } else {
            format!("    this_.{class}__class_fields();\n")
        };
        out.push_str(&format!(
            "{mark}fn {class}__new({joined}) {{\n    let this_ = #{{{}}};\n{fields_call}    this_.{class}__constructor({joined});\n    this_\n}}\n",
            if ptrs.is_empty() { String::new() } else { ptrs.join(",") + " " }
        ));
        out.push_str(&self.shorter_overloads(&format!("{class}__new"), &params, required));
        if !fields.is_empty() {
            out.push_str(&format!("{mark}fn {class}__class_fields() {{\n{field_body}}}\n"));
        }
        out.push_str(&format!("{mark}fn {class}__constructor({joined}) {{\n{body}}}\n"));
        // `super(…)` of a subclass with fewer or more arguments (`finish` adds the longer ones).
        out.push_str(&method_overloads(&format!("{class}__constructor"), &params));
        out.push_str(&format!("{LONGER}{class}\u{1f}constructor{LONGER}"));
        self.class_state.params.push((class.clone(), "constructor".into(), params.clone()));
        let saved_super = std::mem::replace(&mut self.class_state.super_of, info.parent.clone());
        for (name, f, is_static) in methods {
            let (params, required, body) = self.method_body(&class, &name, is_static, Some(f), |_| Vec::new());
            let rhai = format!("{class}__{name}");
            let mark = self.mark(f.span);
            out.push_str(&format!("{mark}fn {rhai}({}) {{\n{body}}}\n", params.join(", ")));
            if is_static {
                out.push_str(&self.shorter_overloads(&rhai, &params, required));
            } else {
                out.push_str(&method_overloads(&rhai, &params));
                out.push_str(&format!("{LONGER}{class}\u{1f}{name}{LONGER}"));
                self.class_state.params.push((class.clone(), name.clone(), params));
            }
        }
        self.class_state.super_of = saved_super;
        out
    }

    fn refuse_member(&mut self, span: Span, class: &str, what: &str) -> String {
        let c = self.item(span, ItemKind::Unconvertible, format!("in class `{class}`, {what}"));
        format!("{c}\n")
    }

    /// A method's (or the constructor's) parameters, required count and body, with `this`.
    fn method_body(
        &mut self,
        class: &str,
        method: &str,
        is_static: bool,
        f: Option<&Function>,
        prelude: impl FnOnce(&mut Self) -> Vec<String>,
    ) -> (Vec<String>, usize, String) {
        let depth = if is_static { usize::MAX } else { self.closure_depth };
        let saved = self.class_state.current.replace((class.to_string(), method.to_string(), depth));
        self.push_scope();
        let (names_out, required, mut prologue, rest) = match f {
            Some(f) => {
                let p = self.params(&f.params);
                (p.names.clone(), p.required(), p.prologue().to_vec(), p.rest)
            }
            None => (Vec::new(), 0, Vec::new(), false),
        };
        let mut lines = prelude(self);
        lines.append(&mut prologue);
        let mut body = match f.and_then(|f| f.body.as_ref()) {
            Some(b) => self.function_body(&b.statements, &lines),
            None => self.function_body(&[], &lines),
        };
        if rest {
            let c = self.item(
                f.map(|f| f.span).unwrap_or_default(),
                ItemKind::Unconvertible,
                format!("in class `{class}`, a rest parameter of `{method}`"),
            );
            body = format!("    {c}\n{body}");
        }
        if method == "constructor" {
            if let Some(span) = f.and_then(returns_value) {
                let c =
                    self.item(span, ItemKind::Unconvertible, format!("a value returned by `{class}`'s constructor"));
                body = format!("    {c}\n{body}");
            }
        }
        self.pop_scope();
        self.class_state.current = saved;
        (names_out, required, body)
    }
}

/// `fn f(a) { this.f(a, ()) }`, … for each call of method `rhai` shorter than its parameters.
fn method_overloads(rhai: &str, params: &[String]) -> String {
    let mut out = String::new();
    for arity in 0..params.len() {
        let mut args: Vec<String> = params[..arity].to_vec();
        args.extend(std::iter::repeat_n("()".to_string(), params.len() - arity));
        out.push_str(&format!("fn {rhai}({}) {{ this.{rhai}({}) }}\n", params[..arity].join(", "), args.join(", ")));
    }
    out
}

/// What `super(args)` runs on `this`: the parent's fields when it is a base class with fields,
/// its constructor, then the subclass's fields.
pub(crate) fn super_text(
    built: &HashMap<String, Built>,
    parent: &str,
    class: &str,
    own_fields: bool,
    args: &str,
) -> String {
    let mut steps = Vec::new();
    if built.get(parent).is_some_and(|b| b.base_fields) {
        steps.push(format!("this.{parent}__class_fields();"));
    }
    steps.push(format!("this.{parent}__constructor({args});"));
    if own_fields {
        steps.push(format!("this.{class}__class_fields();"));
    }
    format!("{{ {} }}", steps.join(" "))
}

/// Whether the constructor among `elements` sets `this.name = …` in a statement of its own
/// body (a plain `this.name = value;`).
fn constructor_sets(elements: &[ClassElement], name: &str) -> bool {
    let ctor = elements.iter().find_map(|e| match e {
        ClassElement::MethodDefinition(m) if m.kind == MethodDefinitionKind::Constructor => Some(&m.value),
        _ => None,
    });
    let Some(body) = ctor.and_then(|f| f.body.as_ref()) else { return false };
    body.statements.iter().any(|s| match s {
        Statement::ExpressionStatement(e) => match &e.expression {
            Expression::AssignmentExpression(a) if a.operator == AssignmentOperator::Assign => {
                matches!(&a.left, AssignmentTarget::StaticMemberExpression(m)
                    if matches!(m.object, Expression::ThisExpression(_)) && m.property.name == name)
            }
            _ => false,
        },
        _ => false,
    })
}

/// The span of a `return value;` directly in a constructor's body (not in a nested function).
fn returns_value(f: &Function) -> Option<Span> {
    fn walk(stmts: &[Statement]) -> Option<Span> {
        for s in stmts {
            let found = match s {
                Statement::ReturnStatement(r) if r.argument.is_some() => Some(r.span),
                Statement::BlockStatement(b) => walk(&b.body),
                Statement::IfStatement(i) => walk(std::slice::from_ref(&i.consequent))
                    .or_else(|| i.alternate.as_ref().and_then(|a| walk(std::slice::from_ref(a)))),
                Statement::TryStatement(t) => walk(&t.block.body)
                    .or_else(|| t.handler.as_ref().and_then(|h| walk(&h.body.body)))
                    .or_else(|| t.finalizer.as_ref().and_then(|b| walk(&b.body))),
                Statement::ForStatement(l) => walk(std::slice::from_ref(&l.body)),
                Statement::ForOfStatement(l) => walk(std::slice::from_ref(&l.body)),
                Statement::ForInStatement(l) => walk(std::slice::from_ref(&l.body)),
                Statement::WhileStatement(l) => walk(std::slice::from_ref(&l.body)),
                Statement::DoWhileStatement(l) => walk(std::slice::from_ref(&l.body)),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
    walk(&f.body.as_ref()?.statements)
}
