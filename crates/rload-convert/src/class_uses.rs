//! How code uses the classes of `classes.rs`: `this` (in a method, and captured by an arrow
//! that runs at once), method calls (`api.get(…)`, `this.m(…)`, `super.m(…)`, `C.make(…)`),
//! `super(…)`, `new C(…)`, an instance as Object.keys and JSON see it, what is refused of those,
//! and what waits for the whole file (`finish`): which methods change `this`, so a call of one
//! through a second name stays listed, and the overloads of methods called with more arguments.

use std::collections::HashSet;

use oxc_ast::ast::*;
use oxc_span::Span;

use crate::classes::{super_text, LONGER};
use crate::conv::Conv;
use crate::names;
use crate::ItemKind;

impl Conv<'_> {
    /// `super(…)` in a subclass's constructor: the parent's fields (of a base class) and
    /// constructor, then the subclass's fields, on `this`.
    pub fn super_call(&mut self, c: &CallExpression) -> String {
        let in_ctor =
            matches!(&self.class_state.current, Some((_, m, d)) if m == "constructor" && *d == self.closure_depth);
        let (Some((parent, own_fields)), true) = (self.class_state.super_ctor.clone(), in_ctor) else {
            return self.unconvertible(c.span, "`super(…)` outside a subclass's constructor");
        };
        if c.arguments.iter().any(|a| a.is_spread()) {
            return self.unconvertible(c.span, "a spread argument to `super(…)`");
        }
        let class = self.class_state.current.as_ref().map(|(c, _, _)| c.clone()).unwrap_or_default();
        let args = self.args(&c.arguments);
        self.class_state.call_lengths.entry("constructor".into()).or_default().insert(args.len());
        if let Some((class, method, _)) = self.class_state.current.clone() {
            self.class_state.changes_this.insert((class, method));
        }
        super_text(&self.class_state.built, &parent, &class, own_fields, &args.join(", "))
    }

    /// `super.m(…)` in a subclass's method: the parent's `m` (or the one it inherits), on `this`.
    fn super_method_call(&mut self, c: &CallExpression, method: &str) -> String {
        let depth_ok = matches!(&self.class_state.current, Some((_, _, d)) if *d == self.closure_depth);
        let owner = self
            .class_state
            .super_of
            .clone()
            .and_then(|p| self.classes.get(&p))
            .and_then(|i| i.impls.get(method).cloned());
        let (Some(owner), true) = (owner, depth_ok) else {
            return self
                .unconvertible(c.span, format!("`super.{method}(…)`: no method `{method}` of a parent class here"));
        };
        if c.arguments.iter().any(|a| a.is_spread()) {
            return self.unconvertible(c.span, format!("a spread argument to `super.{method}(…)`"));
        }
        let args = self.args(&c.arguments);
        self.class_state.call_lengths.entry(method.to_string()).or_default().insert(args.len());
        if let Some((class, current, _)) = self.class_state.current.clone() {
            self.class_state.calls_on_this.entry((class, current)).or_default().insert(method.to_string());
        }
        format!("this.{owner}__{method}({})", args.join(", "))
    }

    /// `this`: the instance, inside a method or the constructor, as a property's or a method's
    /// object (`this.x`, `this.m()`, `this[k]`).
    pub fn this_expr(&mut self, span: Span) -> String {
        let Some((class, _, depth)) = self.class_state.current.clone() else {
            if self.class_state.in_function_of_method {
                return self.unconvertible(
                    span,
                    "`this` in a `function` inside a method: it has a `this` of its own (not the instance); write an arrow",
                );
            }
            if let Some(why) = self.obj_state.this_refused.clone() {
                return self.unconvertible(span, why);
            }
            return self.unconvertible(span, "`this` outside a class's method or constructor");
        };
        if depth == usize::MAX {
            return self.unconvertible(
                span,
                format!("`this` in a static method of `{class}` (the class itself): call `{class}.method(…)` by name"),
            );
        }
        let after = self.src.get(span.end as usize..).unwrap_or("").trim_start();
        if !(after.starts_with('.') || after.starts_with('[') || after.starts_with("?.")) || after.starts_with("...") {
            return self.unconvertible(
                span,
                format!("`this` as a value in `{class}` (`return this`, `f(this)`): Rhai would hand out a copy of the instance"),
            );
        }
        if self.closure_depth != depth && self.class_state.arrow_at_once != Some(true) {
            return self.unconvertible(
                span,
                format!("`this` in an arrow of a method of `{class}` that may run later (kept in a variable or a property, returned, or passed to `setTimeout`, `then`, …): Rhai's arrow would hold a copy of the instance as it was made"),
            );
        }
        if self.closure_depth != depth {
            // In an arrow passed to a call that runs it at once: the instance as the arrow was
            // made, which it only reads.
            self.class_state.this_captured = true;
            return "this_c".into();
        }
        "this".into()
    }

    /// Whether the code being converted is inside an arrow in a method (where `this` is a
    /// captured copy of the instance).
    pub(crate) fn this_in_closure(&self) -> Option<String> {
        let (class, _, depth) = self.class_state.current.as_ref()?;
        (*depth != usize::MAX && self.closure_depth > *depth).then(|| class.clone())
    }

    /// Entering an arrow: notes whether one directly in a method runs at once (an argument of
    /// a call that calls it before returning). Gives what to restore with `leave_arrow`.
    pub fn enter_arrow(&mut self) -> Option<bool> {
        let saved = self.class_state.arrow_at_once;
        if let Some((_, _, depth)) = self.class_state.current {
            if depth == self.closure_depth {
                let at_once = self.class_state.call_args.last() == Some(&Some(self.closure_depth));
                self.class_state.arrow_at_once = Some(at_once);
            }
        }
        saved
    }

    pub fn leave_arrow(&mut self, saved: Option<bool>) {
        self.class_state.arrow_at_once = saved;
    }

    /// An arrow just converted (`closure`, at the closure depth of the code around it): when
    /// it is directly in a method and reads `this`, a block giving it the instance to capture.
    pub fn capture_this(&mut self, closure: String) -> String {
        let Some((_, _, depth)) = self.class_state.current else { return closure };
        if depth != self.closure_depth || !std::mem::take(&mut self.class_state.this_captured) {
            return closure;
        }
        format!("{{ let this_c = this; {closure} }}")
    }

    /// A `function` expression or a nested function declaration has a `this` of its own (not
    /// the instance): inside it, `this` is refused as outside any method.
    pub fn without_this<T>(&mut self, convert: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.class_state.current.take();
        let captured = std::mem::take(&mut self.class_state.this_captured);
        let inside = std::mem::replace(&mut self.class_state.in_function_of_method, saved.is_some());
        let out = convert(self);
        self.class_state.current = saved;
        self.class_state.this_captured = captured;
        self.class_state.in_function_of_method = inside;
        out
    }

    /// Notes that the object `root` names changes: `this` in a method marks the method; in an
    /// arrow in a method, where `this` is a copy, the change is refused (the comment to put
    /// before it).
    pub fn note_this_change(&mut self, root: &str, at: Span) -> String {
        if root != "this" && !self.is_own_name(root) {
            return String::new();
        }
        if let Some(class) = self.this_in_closure() {
            let c = self.item(at, ItemKind::Unconvertible, this_in_arrow(&class));
            return format!("{c} ");
        }
        {
            if let Some((class, method, _)) = self.class_state.current.clone() {
                self.class_state.changes_this.insert((class, method));
            }
        }
        String::new()
    }

    /// `x.m(…)` where `m` is a method of a class of this file; `None` when it is not.
    pub fn class_method_call(&mut self, c: &CallExpression, m: &StaticMemberExpression) -> Option<String> {
        let method = m.property.name.as_str();
        if matches!(m.object, Expression::Super(_)) {
            return Some(self.super_method_call(c, method));
        }
        // `C.staticMethod(…)`
        if let Expression::Identifier(obj) = &m.object {
            let name = obj.name.as_str();
            if self.is_class(name) {
                if !self.classes[name].statics.contains(method) {
                    return Some(
                        self.unconvertible(c.span, format!("`{name}.{method}`: no static method of `{name}`")),
                    );
                }
                let owner = self.classes[name].static_impls.get(method).cloned().unwrap_or_else(|| names::var(name));
                let rhai = format!("{owner}__{method}");
                let args = self.args(&c.arguments);
                self.call_lengths.entry(rhai.clone()).or_default().insert(args.len());
                return Some(format!("{rhai}({})", args.join(", ")));
            }
            if self.binding(name).is_some() || self.free_global(name).is_some() {
                return None;
            }
        }
        if !self.classes.values().any(|i| i.methods.iter().any(|n| n == method)) {
            return None;
        }
        let on_this = matches!(m.object, Expression::ThisExpression(_));
        if !on_this && BUILTIN_METHODS.contains(&method) {
            return Some(self.unconvertible(
                c.span,
                format!("`.{method}(…)`, which is both JavaScript's own method and one of a class here: rload cannot tell which this call is"),
            ));
        }
        if c.arguments.iter().any(|a| a.is_spread()) {
            return Some(self.unconvertible(c.span, format!("a spread argument to the method `{method}`")));
        }
        let obj = self.expr(&m.object);
        let args = self.args(&c.arguments);
        self.class_state.call_lengths.entry(method.to_string()).or_default().insert(args.len());
        let mut flag = String::new();
        let root = crate::expr::member_root(&m.object);
        if let (Some("this"), Some(class)) = (root.as_deref(), self.this_in_closure()) {
            // In an arrow: refused if m changes its instance (decided in `finish`).
            let index = self.items.len();
            let comment = self.item(c.span, ItemKind::Unconvertible, this_in_arrow(&class));
            let n = self.class_state.pending.len();
            self.class_state.pending.push((method.to_string(), Some(index), None, true));
            flag = format!("{PENDING}{n}\u{1f}{comment} {PENDING}");
        } else if root.as_deref() == Some("this") {
            // `this.m()` or `this.client.m()`: the method changes its instance when m does.
            if let Some((class, current, _)) = self.class_state.current.clone() {
                self.class_state.calls_on_this.entry((class, current)).or_default().insert(method.to_string());
            }
        } else {
            let before = self.items.len();
            let comment = match &root {
                Some(r) => {
                    self.note_in_place_change(r);
                    self.alias_change(r, c.span)
                }
                None => String::new(),
            };
            let index = (self.items.len() > before).then_some(before);
            flag = pending_flag(self, method, index, root, comment);
        }
        let q = if m.optional { "?" } else { "" };
        Some(format!("{flag}{}{q}.{}({})", crate::calls::paren_if_needed(&obj), method, args.join(", ")))
    }

    /// `v` as Object.keys, for…in, a spread and Object.assign read it: without an instance's
    /// method pointers, when this file has classes.
    pub fn own_fields(&mut self, v: String) -> String {
        if self.classes.is_empty() {
            return v;
        }
        let h = self.helper("js_own_fields");
        format!("{h}({})", crate::expr::strip_parens(&v))
    }

    /// `x.m` read, not called, where `m` is a method of a class here: JavaScript's function
    /// loses its `this` (`const f = api.get`), Rhai's pointer would too, differently. Refused.
    pub fn method_as_value(&mut self, m: &StaticMemberExpression) -> Option<String> {
        let method = m.property.name.as_str();
        if matches!(m.object, Expression::Super(_)) {
            return Some(self.unconvertible(m.span, format!("`super.{method}` other than a method call")));
        }
        if method == "constructor" && !self.classes.is_empty() {
            return Some(
                self.unconvertible(m.span, "`.constructor` of a value: an instance's class is no value in rload"),
            );
        }
        if !self.classes.values().any(|i| i.methods.iter().any(|n| n == method)) {
            return None;
        }
        if let Expression::Identifier(obj) = &m.object {
            let name = obj.name.as_str();
            if self.binding(name).is_some() || self.free_global(name).is_some() {
                return None;
            }
        }
        Some(self.unconvertible(
            m.span,
            format!(
                "`.{method}` read as a value, where `{method}` is a method of a class here: converted only as a call"
            ),
        ))
    }

    /// `new C(…)` of a class of this file.
    pub fn class_new(&mut self, n: &NewExpression, class: &str) -> String {
        let args = self.args(&n.arguments);
        let rhai = format!("{}__new", names::var(class));
        self.call_lengths.entry(rhai.clone()).or_default().insert(args.len());
        format!("{rhai}({})", args.join(", "))
    }
}

/// JavaScript's own method names that the converter rewrites on arrays, strings and maps: a
/// call of one on something other than `this` cannot be told from a class method of that name.
const BUILTIN_METHODS: &[&str] = &[
    "at",
    "charAt",
    "charCodeAt",
    "concat",
    "endsWith",
    "entries",
    "every",
    "fill",
    "filter",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "flat",
    "flatMap",
    "forEach",
    "getTime",
    "hasOwnProperty",
    "includes",
    "indexOf",
    "join",
    "keys",
    "lastIndexOf",
    "map",
    "padEnd",
    "padStart",
    "pop",
    "push",
    "reduce",
    "reduceRight",
    "repeat",
    "reverse",
    "shift",
    "slice",
    "some",
    "sort",
    "splice",
    "split",
    "startsWith",
    "substr",
    "substring",
    "toFixed",
    "toLowerCase",
    "toUpperCase",
    "trim",
    "trimEnd",
    "trimLeft",
    "trimRight",
    "trimStart",
    "unshift",
    "values",
    "copyWithin",
    "match",
    "matchAll",
    "replace",
    "replaceAll",
    "search",
    "apply",
    "call",
    "bind",
];

/// The marker of a call of `method` through `root` (`finish` keeps `comment`, item `index`,
/// when the method changes its object).
pub fn pending_flag(
    conv: &mut Conv,
    method: &str,
    index: Option<usize>,
    root: Option<String>,
    comment: String,
) -> String {
    let n = conv.class_state.pending.len();
    let in_fn = conv.in_function();
    conv.class_state.pending.push((method.to_string(), index, root, in_fn));
    format!("{PENDING}{n}\u{1f}{comment}{PENDING}")
}

/// Marker of a call through another name, resolved in `finish`: `\u{8}INDEX\u{1f}comment\u{8}`.
const PENDING: char = '\u{8}';

/// Calls that keep a callback to run after they return (timers, a promise's handlers): an
/// arrow passed to one may see its instance changed in between.
pub fn runs_later(c: &CallExpression) -> bool {
    match c.callee.without_parentheses() {
        Expression::Identifier(id) => matches!(id.name.as_str(), "setTimeout" | "setInterval"),
        Expression::StaticMemberExpression(m) => {
            matches!(m.property.name.as_str(), "then" | "catch" | "finally" | "setTimeout" | "setInterval")
        }
        _ => true,
    }
}

/// Why a change of `this` in an arrow inside a method of `class` is refused.
pub(crate) fn this_in_arrow(class: &str) -> String {
    format!(
        "changing `this` inside an arrow in a method of `{class}`: the arrow holds a copy of the instance (Rhai closures have no `this`), so the change would not reach it; change it in the method itself"
    )
}

/// Decides what waited for the whole file: which methods change `this` (themselves or through
/// `this.m()`), so a call of one through a second name stays listed (and one on a top-level
/// variable shares it, as `modules.rs` shares module state a function changes), and the
/// overloads of methods called with more arguments than they declare.
pub fn finish(conv: &mut Conv, text: &str) -> String {
    let state = &conv.class_state;
    let mut changing: HashSet<(String, String)> = state.changes_this.clone();
    loop {
        let mut grew = false;
        for ((class, method), called) in &state.calls_on_this {
            if !changing.contains(&(class.clone(), method.clone()))
                && called.iter().any(|m| changing.iter().any(|(_, n)| n == m))
            {
                changing.insert((class.clone(), method.clone()));
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    let changes = |m: &str| changing.iter().any(|(_, n)| n == m);
    let mut drop_items = Vec::new();
    let mut keep = HashSet::new();
    for (i, (method, index, root, in_fn)) in conv.class_state.pending.iter().enumerate() {
        if changes(method) {
            keep.insert(i);
            if let Some(r) = root {
                if conv.top_vars.contains(r) && !conv.classes.contains_key(r) {
                    conv.mutated_anywhere.insert(r.clone());
                    if *in_fn {
                        conv.mutated_globals.insert(r.clone());
                    }
                }
            }
        } else if let Some(idx) = index {
            drop_items.push(*idx);
        }
    }
    drop_items.sort_unstable();
    for idx in drop_items.into_iter().rev() {
        conv.items.remove(idx);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find([PENDING, LONGER]) {
        out.push_str(&rest[..i]);
        let marker = rest[i..].chars().next().unwrap_or(PENDING);
        let after = &rest[i + marker.len_utf8()..];
        let end = after.find(marker).unwrap_or(after.len());
        let inner = &after[..end];
        rest = &after[(end + marker.len_utf8()).min(after.len())..];
        let (head, tail) = inner.split_once('\u{1f}').unwrap_or((inner, ""));
        if marker == PENDING {
            if head.parse::<usize>().is_ok_and(|n| keep.contains(&n)) {
                out.push_str(tail);
            }
            continue;
        }
        let Some((_, _, params)) = conv.class_state.params.iter().find(|(c, m, _)| c == head && m == tail) else {
            continue;
        };
        let rhai = format!("{head}__{tail}");
        for &n in conv.class_state.call_lengths.get(tail).into_iter().flatten().filter(|&&n| n > params.len()) {
            let mut all = params.clone();
            all.extend((params.len()..n).map(|i| format!("arg__{i}")));
            out.push_str(&format!("fn {rhai}({}) {{ this.{rhai}({}) }}\n", all.join(", "), params.join(", ")));
        }
    }
    out.push_str(rest);
    out
}
