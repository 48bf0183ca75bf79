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
//! A `reduce` callback's accumulator is exempt where that is exact: the initial value is a fresh
//! object and the callback returns the accumulator wherever it returns (`(acc, x) => { acc[x.id]
//! = x; return acc; }`). JavaScript hands the one object from call to call; rload hands each call
//! the value the previous one returned, which is the same object's contents.
//!
//! A shallow copy (`{ ...o }`, `[...xs]`, `xs.slice()`, `xs.filter(…)`, `Array.from(xs)`, …) is
//! a fresh object whose nested objects are the original's: changing its own properties is fine,
//! changing an object nested in it (`copy.a.b = 1`) is listed (`nested_change`). `m.set(k, o)`
//! and `s.add(o)` store `o` as `list.push(o)` does.
//!
//! A change is: assigning a property or element (`=`, `+=`, `++`, …), `delete`, a mutating
//! array method (`push`, `pop`, `shift`, `unshift`, `splice`, `sort`, `reverse`, `fill`,
//! `copyWithin`), `Object.assign(target, …)`.

use std::collections::{HashMap, HashSet};

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

/// Whether `e` makes a shallow copy, whose elements or property values are the objects the
/// original holds: a spread into a literal, `slice`, `concat`, `filter`, `flat`, `toSorted`,
/// `toReversed`, `Array.from`, `Object.assign`, `Object.values`.
pub fn shares_elements(e: &Expression) -> bool {
    match e.without_parentheses() {
        Expression::ObjectExpression(o) => {
            o.properties.iter().any(|p| matches!(p, ObjectPropertyKind::SpreadProperty(_)))
        }
        Expression::ArrayExpression(a) => {
            a.elements.iter().any(|x| matches!(x, ArrayExpressionElement::SpreadElement(_)))
        }
        Expression::CallExpression(c) => match &c.callee {
            Expression::StaticMemberExpression(m) => {
                let method = m.property.name.as_str();
                match &m.object {
                    Expression::Identifier(o) if matches!(o.name.as_str(), "Array" | "Object") => {
                        matches!(method, "from" | "assign" | "values")
                    }
                    Expression::StringLiteral(_) | Expression::TemplateLiteral(_) => false,
                    _ => matches!(method, "slice" | "concat" | "filter" | "flat" | "toSorted" | "toReversed"),
                }
            }
            _ => false,
        },
        _ => false,
    }
}

/// The accumulator parameter's start of `xs.reduce(callback, initial)` (or `reduceRight`) when
/// it may be changed in place, and whether `initial` is an object literal: `initial` is not an alias source and every `return` of the
/// callback (or its expression body) gives the accumulator back.
pub fn reduce_accumulator(method: &str, args: &[Argument]) -> Option<(u32, bool)> {
    if !matches!(method, "reduce" | "reduceRight") || args.len() != 2 {
        return None;
    }
    let initial = args[1].as_expression()?;
    if is_alias_source(initial) {
        return None;
    }
    let (params, body): (&FormalParameters, Result<&[Statement], &Expression>) = match &args[0] {
        Argument::ArrowFunctionExpression(f) => match &f.body {
            ArrowFunctionBody::FunctionBody(b) => (&f.params, Ok(&b.statements)),
            body => (&f.params, Err(body.as_expression()?)),
        },
        Argument::FunctionExpression(f) => (&f.params, Ok(&f.body.as_ref()?.statements)),
        _ => return None,
    };
    let BindingPattern::BindingIdentifier(acc) = &params.items.first()?.pattern else { return None };
    let name = acc.name.as_str();
    let is_acc = |e: &Expression| match e.without_parentheses() {
        Expression::Identifier(id) => id.name == name,
        Expression::SequenceExpression(s) => {
            matches!(s.expressions.last().map(|e| e.without_parentheses()), Some(Expression::Identifier(id)) if id.name == name)
        }
        _ => false,
    };
    let gives_back = match body {
        Err(e) => is_acc(e),
        Ok(statements) => {
            let mut returns = Vec::new();
            returned(statements, &mut returns);
            !returns.is_empty() && returns.iter().all(|r| r.is_some_and(is_acc))
        }
    };
    gives_back.then_some((acc.span.start, matches!(initial.without_parentheses(), Expression::ObjectExpression(_))))
}

/// Every `return` in `stmts`, not those of functions inside: its value, if any.
fn returned<'a>(stmts: &'a [Statement<'a>], out: &mut Vec<Option<&'a Expression<'a>>>) {
    for s in stmts {
        returned_one(s, out);
    }
}

fn returned_one<'a>(s: &'a Statement<'a>, out: &mut Vec<Option<&'a Expression<'a>>>) {
    match s {
        Statement::ReturnStatement(r) => out.push(r.argument.as_ref()),
        Statement::BlockStatement(b) => returned(&b.body, out),
        Statement::IfStatement(i) => {
            returned_one(&i.consequent, out);
            if let Some(a) = &i.alternate {
                returned_one(a, out);
            }
        }
        Statement::ForStatement(f) => returned_one(&f.body, out),
        Statement::ForInStatement(f) => returned_one(&f.body, out),
        Statement::ForOfStatement(f) => returned_one(&f.body, out),
        Statement::WhileStatement(w) => returned_one(&w.body, out),
        Statement::DoWhileStatement(d) => returned_one(&d.body, out),
        Statement::SwitchStatement(sw) => sw.cases.iter().for_each(|c| returned(&c.consequent, out)),
        Statement::TryStatement(t) => {
            returned(&t.block.body, out);
            if let Some(h) = &t.handler {
                returned(&h.body.body, out);
            }
            if let Some(f) = &t.finalizer {
                returned(&f.body, out);
            }
        }
        Statement::LabeledStatement(l) => returned_one(&l.body, out),
        _ => {}
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
        let shallow = init.filter(|e| shares_elements(e)).map(|e| {
            let text = self.js_text(e.span());
            format!("`{name}` is a shallow copy (`{text}`), whose nested objects are the original's")
        });
        self.set_shallow(name, shallow);
        if let Some(init) = init {
            self.note_stores(init, &format!("`{name}`"));
        }
    }

    /// Marks the local `name` as a shallow copy (`Some(how)`) or not.
    fn set_shallow(&mut self, name: &str, how: Option<String>) {
        let map = match self.scope_of(name) {
            Some(i) => match self.scope_info.get_mut(i) {
                Some(info) => &mut info.shallow,
                None => return,
            },
            None if !self.in_function() => &mut self.top_shallow,
            None => return,
        };
        match how {
            Some(h) => map.insert(name.to_string(), h),
            None => map.remove(name),
        };
    }

    /// A change in place of an object nested in what `root` names (`copy.a.b = 1`,
    /// `copy[0].n++`, `copy.items.push(x)`: `object` is the changed object's expression) where
    /// `root` is a shallow copy: JavaScript changes the original's nested object too, Rhai's copy
    /// is deep. An item, with the comment to put before the change; empty otherwise.
    pub fn nested_change(&mut self, root: &str, object: &Expression, at: Span) -> String {
        if object.get_member_expr().is_none() {
            return String::new();
        }
        let how = match self.scope_of(root) {
            Some(i) => self.scope_info.get(i).and_then(|s| s.shallow.get(root)).cloned(),
            None if !self.in_function() || self.top_vars.contains(root) => self.top_shallow.get(root).cloned(),
            None => None,
        };
        let Some(how) = how else { return String::new() };
        let c = self.item(
            at,
            ItemKind::Unconvertible,
            format!(
                "changing an object nested in `{root}`: {how}, which JavaScript changes too, and Rhai copies every level; copy the nested object too (`{{ ...o, a: {{ ...o.a }} }}`), or change the original"
            ),
        );
        format!("{c} ")
    }

    /// The variables `value` puts into what it is stored as (`into`, for the reason): itself
    /// when it is a variable, the variables among an object's values and an array's elements.
    pub fn note_stores(&mut self, value: &Expression, into: &str) {
        match value.without_parentheses() {
            Expression::Identifier(id) => {
                let name = id.name.to_string();
                let (line, _) = self.line_col(id.span.start);
                self.set_stored(&name, format!("it was stored in {into} (line {line})"));
                self.store_after_change_in_loop(&name, into, id.span);
            }
            Expression::ObjectExpression(o) => {
                for p in &o.properties {
                    if let ObjectPropertyKind::ObjectProperty(p) = p {
                        self.note_stores(&p.value, into);
                    }
                }
            }
            Expression::ArrayExpression(a) => {
                for e in &a.elements {
                    if let Some(e) = e.as_expression() {
                        self.note_stores(e, into);
                    }
                }
            }
            _ => {}
        }
    }

    /// A loop whose body changes `name` in place, then stores it (`for (…) { o.id = i;
    /// list.push(o); }`): each later iteration changes the object JavaScript stored before, and
    /// every element is that one object; rload stores a copy each time. Listed at the store
    /// when `name` is declared outside the loop (one declared in the body is a new object each
    /// time round).
    fn store_after_change_in_loop(&mut self, name: &str, into: &str, at: Span) {
        if !self.loop_changes.iter().any(|(declared, changed)| changed.contains(name) && !declared.contains(name)) {
            return;
        }
        let c = self.item(
            at,
            ItemKind::Unconvertible,
            format!(
                "storing `{name}` in {into} in a loop that changes it in place: in JavaScript every time round stores the one object, which later changes reach; rload stores a copy each time; make a new object each time round (`const {name} = {{ … }}` inside the loop)"
            ),
        );
        self.pending_marks.push(format!("{c} "));
    }

    /// A loop's body starts: changes in place in it are noted until it ends.
    pub fn enter_loop_changes(&mut self) {
        self.loop_changes.push((HashSet::new(), HashSet::new()));
    }

    /// A loop's body ends: what it declared and changed is in the loop around it too.
    pub fn leave_loop_changes(&mut self) {
        if let Some((declared, changed)) = self.loop_changes.pop() {
            if let Some((outer_declared, outer_changed)) = self.loop_changes.last_mut() {
                outer_declared.extend(declared);
                outer_changed.extend(changed);
            }
        }
    }

    /// Records that the object `name` holds is also reachable from elsewhere (`how`).
    fn set_stored(&mut self, name: &str, how: String) {
        if let Some(stored) = self.stored_of(name) {
            stored.insert(name.to_string(), how);
        }
    }

    /// `name` holds another value from here on: what was stored was the old one.
    fn clear_stored(&mut self, name: &str) {
        if let Some(stored) = self.stored_of(name) {
            stored.remove(name);
        }
    }

    fn stored_how(&mut self, root: &str) -> Option<String> {
        self.stored_of(root).and_then(|stored| stored.get(root).cloned())
    }

    /// Where the stores of `name`'s object are noted: its scope's, or the top level's.
    fn stored_of(&mut self, name: &str) -> Option<&mut HashMap<String, String>> {
        match self.scope_of(name) {
            Some(i) => self.scope_info.get_mut(i).map(|info| &mut info.stored),
            None if !self.in_function() || self.top_vars.contains(name) => Some(&mut self.top_stored),
            None => None,
        }
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
        match target {
            AssignmentTarget::AssignmentTargetIdentifier(id) => self.clear_stored(id.name.as_str()),
            other => {
                if let Some(m) = other.as_member_expression() {
                    let into = format!("`{}`", self.js_text(m.span()));
                    self.note_stores(value, &into);
                }
            }
        }
        if let AssignmentTarget::AssignmentTargetIdentifier(id) = target {
            if self.scope_of(id.name.as_str()).is_some() || !self.in_function() {
                let name = id.name.as_str();
                let shallow = shares_elements(value).then(|| {
                    let text = self.js_text(value.span());
                    format!("`{name}` is a shallow copy (`{text}`), whose nested objects are the original's")
                });
                self.set_shallow(name, shallow);
            }
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
        let Some(how) = self.alias_how(root) else {
            let Some(how) = self.stored_how(root) else { return String::new() };
            let c = self.item(
                at,
                ItemKind::Unconvertible,
                format!(
                    "changing `{root}` in place after {how}: JavaScript changes the one object both reach, and Rhai stored a copy, which the change would not reach; make the change before storing it, or through the name it is stored under"
                ),
            );
            return format!("{c} ");
        };
        let c = self.item(
            at,
            ItemKind::Unconvertible,
            format!(
                "changing `{root}` in place: {how}, and Rhai copies objects (maps, arrays) where JavaScript shares them, so the change would not reach the original; change the original by its own name, or return the changed value and assign it"
            ),
        );
        format!("{c} ")
    }

    /// Why `root` is a second name for an object, when it is one.
    fn alias_how(&self, root: &str) -> Option<String> {
        match self.scope_of(root) {
            Some(i) => self.scope_info.get(i).and_then(|s| s.aliases.get(root)).cloned(),
            None if !self.in_function() || self.top_vars.contains(root) => self.top_aliases.get(root).cloned(),
            None => None,
        }
    }

    /// Whether `root` is a second name for an object (a parameter, `const b = a`, …).
    pub fn is_alias(&self, root: &str) -> bool {
        self.alias_how(root).is_some()
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
