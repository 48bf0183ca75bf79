//! Objects changed through a second name. JavaScript objects and arrays are references: a
//! function that changes its parameter, a loop that changes its `for…of` element, or `const b =
//! a; b.n = 2` change the one object every name reaches. Rhai maps and arrays are values, copied
//! on every call and assignment, so the same code changes a copy and the original never sees it.
//! Such a change is listed as not converted, naming the variable.
//!
//! A name is such an alias when it is a parameter (of a function, an arrow, a callback), a
//! `for…of` variable (or a `forEach` callback's element), or a variable initialised from (or
//! later assigned) another variable, a property or an element (`const u = users[0]`), or an
//! element-returning call (`xs.find(…)`, `xs.at(…)`). Variables initialised from a literal, a
//! call (`http.get(…)`, `JSON.parse(…)`) or a spread are fresh objects: changing them is fine,
//! and so is changing module state, which `modules.rs` shares. The parameters of
//! `handleSummary` and `teardown` are exempt: k6 never reads the object again after them.
//!
//! A change is: assigning a property or element (`=`, `+=`, `++`, …), `delete`, a mutating
//! array method (`push`, `pop`, `shift`, `unshift`, `splice`, `sort`, `reverse`, `fill`,
//! `copyWithin`), `Object.assign(target, …)`.

use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};

use crate::conv::Conv;
use crate::ItemKind;

/// Array methods that change the array they are called on.
pub const MUTATING_METHODS: &[&str] =
    &["push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin"];

/// Methods whose result is an element of the array they are called on (not a copy).
const ELEMENT_METHODS: &[&str] = &["find", "findLast", "at"];

/// Whether a variable initialised from (or assigned) `e` may be a second name for an object
/// another name also reaches.
pub fn is_alias_source(e: &Expression) -> bool {
    match e.without_parentheses() {
        Expression::Identifier(id) => !matches!(id.name.as_str(), "undefined" | "NaN" | "Infinity"),
        Expression::StaticMemberExpression(m) => !matches!(&m.object, Expression::Identifier(o) if o.name == "__ENV"),
        Expression::ComputedMemberExpression(m) => !matches!(&m.object, Expression::Identifier(o) if o.name == "__ENV"),
        Expression::ConditionalExpression(c) => is_alias_source(&c.consequent) || is_alias_source(&c.alternate),
        Expression::LogicalExpression(l) => is_alias_source(&l.left) || is_alias_source(&l.right),
        Expression::AssignmentExpression(a) => is_alias_source(&a.right),
        Expression::CallExpression(c) => match &c.callee {
            Expression::StaticMemberExpression(m) => ELEMENT_METHODS.contains(&m.property.name.as_str()),
            _ => false,
        },
        _ => false,
    }
}

impl Conv<'_> {
    /// Records what the local `name` (just declared) holds: an alias of `source` (JavaScript
    /// text, for the reason) or a fresh value.
    pub fn note_binding(&mut self, name: &str, init: Option<&Expression>) {
        let how = init.filter(|e| is_alias_source(e)).map(|e| {
            let text = self.js_text(e.span());
            format!("`{name}` is a second name for `{text}`")
        });
        self.set_alias(name, how);
    }

    /// Marks the local `name` as an alias (`Some(how)`) or a fresh value (`None`).
    pub fn set_alias(&mut self, name: &str, how: Option<String>) {
        if !self.in_function() {
            match how {
                Some(h) => self.top_aliases.insert(name.to_string(), h),
                None => self.top_aliases.remove(name),
            };
            return;
        }
        let Some(i) = self.scope_of(name) else { return };
        if let Some(info) = self.scope_info.get_mut(i) {
            match how {
                Some(h) => info.aliases.insert(name.to_string(), h),
                None => info.aliases.remove(name),
            };
        }
    }

    /// The parameters just declared by `params()`: aliases of the caller's objects.
    pub fn note_params(&mut self, names: &[String], what: &str) {
        if self.params_unobserved {
            return;
        }
        for n in names {
            self.set_alias(n, Some(format!("`{n}` is {what}")));
        }
    }

    /// `b = a` (an assignment to a plain variable): `b` is an alias from here on.
    pub fn note_assignment(&mut self, target: &AssignmentTarget, value: &Expression) {
        if let AssignmentTarget::AssignmentTargetIdentifier(id) = target {
            if is_alias_source(value) && (self.scope_of(id.name.as_str()).is_some() || !self.in_function()) {
                let text = self.js_text(value.span());
                let name = id.name.as_str();
                self.set_alias(name, Some(format!("`{name}` is a second name for `{text}`")));
            }
        }
    }

    /// A change in place of the object `root` names (`at` is the change): an item when `root`
    /// is an alias, with the comment to put before the change; empty otherwise.
    pub fn alias_change(&mut self, root: &str, at: Span) -> String {
        // Every in-place change comes through here: `calls.rs` also needs to know of it.
        self.note_in_place_change(root);
        let refused = self.note_this_change(root, at);
        if !refused.is_empty() {
            return refused;
        }
        let how = match self.scope_of(root) {
            Some(i) => self.scope_info.get(i).and_then(|s| s.aliases.get(root)).cloned(),
            None if !self.in_function() || self.top_vars.contains(root) => self.top_aliases.get(root).cloned(),
            None => None,
        };
        let Some(how) = how else { return String::new() };
        let c = self.item(
            at,
            ItemKind::Unconvertible,
            format!(
                "changing `{root}` in place: {how}, and Rhai copies objects (maps, arrays) where JavaScript shares them, so the change would not reach the original; change the original by its own name, or return the changed value and assign it"
            ),
        );
        format!("{c} ")
    }

    /// The JavaScript text of `span`, on one line and shortened for a reason.
    pub(crate) fn js_text(&self, span: Span) -> String {
        let text = self.src.get(span.start as usize..span.end as usize).unwrap_or("");
        let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > 40 {
            format!("{}…", one_line.chars().take(39).collect::<String>())
        } else {
            one_line
        }
    }
}
