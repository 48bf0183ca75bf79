//! Loops. `for (let i = A; i < B; i++)` is `for i in A..B` when the body does not assign `i`
//! and A and B are certainly integers;
//! any other C-style loop a `while` that runs the update before each later test (so `continue`
//! still updates); `for…of` is `for x in xs`, `for…in` is `for k in js_keys(o)`,
//! `xs.forEach(x => …)` a `for` loop. A closure made in the body that refers to a `let`/`const`
//! loop variable gets that iteration's own copy, as in JavaScript (`captures.rs`).

use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};

use crate::conv::Conv;
use crate::expr::{is_pure_path, strip_parens};
use crate::kinds::Kind;
use crate::names;
use crate::stmt::paren;

impl Conv<'_> {
    pub(crate) fn for_each_arrow(&mut self, obj: &Expression, f: &ArrowFunctionExpression) -> Option<String> {
        let names_in: Vec<&str> = f
            .params
            .items
            .iter()
            .map(|p| match &p.pattern {
                BindingPattern::BindingIdentifier(id) => Some(id.name.as_str()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        if names_in.len() > 2 || f.r#async {
            return None;
        }
        if contains_return(self.src, f.body.span()) {
            // `return` in the callback means "next element": a closure keeps that meaning.
            return None;
        }
        let collection = self.collection_items(obj);
        let seq = self.expr(obj);
        self.push_scope();
        for n in &names_in {
            self.declare(n);
        }
        let param_names: Vec<String> = names_in.iter().map(|n| n.to_string()).collect();
        self.note_params(&param_names, "a parameter of the forEach callback (an element of the array)");
        self.indent += 1;
        let saved = self.begin_loop_body();
        let body = match (&f.body, f.body.as_expression()) {
            (_, Some(e)) => {
                let e = self.expr_stmt(e);
                format!("{}{e}\n", self.pad())
            }
            (ArrowFunctionBody::FunctionBody(b), None) => self.block_body(&b.statements),
            _ => String::new(),
        };
        // Each call of the callback has its own parameters: a closure made in it keeps them.
        let captured = self.end_loop_body(saved, &names_in);
        self.indent -= 1;
        self.pop_scope();
        let vars: Vec<String> = names_in
            .iter()
            .map(|n| if captured.iter().any(|c| c == n) { format!("{}__", names::var(n)) } else { names::var(n) })
            .collect();
        let copies: Vec<String> = captured.iter().map(|n| names::var(n)).collect();
        let body = self.with_copies(&format!("{{\n{body}{}}}", self.pad()), &copies);
        // A Map's callback gets (value, key), a Set's (value, value): a loop over entries
        // with the parameters set from each, before the per-iteration copies.
        if let Some(items) = collection {
            let entry = self.fresh("entry");
            let inner = format!("{}    ", self.pad());
            let lets: String = match (items, vars.as_slice()) {
                ("entries", [v]) => format!("{inner}let {v} = {entry}[1];\n"),
                ("entries", [v, k]) => format!("{inner}let {v} = {entry}[1];\n{inner}let {k} = {entry}[0];\n"),
                (_, [v]) => format!("{inner}let {v} = {entry};\n"),
                (_, [v, w]) => format!("{inner}let {v} = {entry};\n{inner}let {w} = {entry};\n"),
                _ => String::new(),
            };
            let body = match body.strip_prefix("{\n") {
                Some(rest) => format!("{{\n{lets}{rest}"),
                None => body,
            };
            return Some(format!("for {entry} in {seq}.{items}() {body}"));
        }
        let head = match vars.len() {
            0 => format!("_i in {seq}"),
            1 => format!("{} in {seq}", vars[0]),
            _ => format!("({}, {}) in {seq}", vars[0], vars[1]),
        };
        Some(format!("for {head} {body}"))
    }

    pub(crate) fn for_each_stmt(&mut self, left: &ForStatementLeft, seq: String, body: &Statement, of: bool) -> String {
        // The JavaScript name of a `let`/`const` loop variable: one binding per iteration.
        let mut per_iteration: Option<&str> = None;
        let (var, pre) = match left {
            ForStatementLeft::VariableDeclaration(d) => match d.declarations.first().map(|d| &d.id) {
                Some(BindingPattern::BindingIdentifier(id)) => {
                    let name = id.name.as_str();
                    self.declare(name);
                    if of {
                        self.set_alias(
                            name,
                            Some(format!("`{name}` is the for…of variable (an element of the array)")),
                        );
                    }
                    if d.kind != VariableDeclarationKind::Var {
                        per_iteration = Some(name);
                    }
                    (names::var(name), Vec::new())
                }
                Some(p) => {
                    let n = self.fresh("item");
                    let mut pre = Vec::new();
                    self.destructure(p, n.clone(), &mut pre);
                    if of {
                        for name in crate::modules::binding_names(p) {
                            self.set_alias(&name, Some(format!("`{name}` comes from the for…of element")));
                        }
                    }
                    (n, pre)
                }
                None => ("_i".into(), Vec::new()),
            },
            other => match other.as_assignment_target().and_then(|t| t.as_simple_assignment_target()) {
                Some(SimpleAssignmentTarget::AssignmentTargetIdentifier(id)) => {
                    // `for (x of xs)` with an outer `x`: loop on a fresh name, assign it.
                    let n = self.fresh("item");
                    (n.clone(), vec![format!("{} = {n};", names::var(id.name.as_str()))])
                }
                _ => (self.unconvertible(other.span(), "this for-loop target"), Vec::new()),
            },
        };
        self.indent += 1;
        let pad = self.pad();
        let pre: String = pre.iter().map(|l| format!("{pad}{l}\n")).collect();
        let saved = self.begin_loop_body();
        let inner = match body {
            Statement::BlockStatement(b) => self.block_body(&b.body),
            other => self.stmt(other),
        };
        let captured = self.end_loop_body(saved, per_iteration.as_slice());
        self.indent -= 1;
        let body = format!("{{\n{pre}{inner}{}}}", self.pad());
        if captured.is_empty() {
            format!("for {var} in {} {body}", strip_parens(&seq))
        } else {
            let body = self.with_copies(&body, std::slice::from_ref(&var));
            format!("for {var}__ in {} {body}", strip_parens(&seq))
        }
    }

    pub(crate) fn for_stmt(&mut self, f: &ForStatement) -> String {
        // for (let i = A; i < B; i++) → for i in A..B
        if let Some(range) = self.range_for(f) {
            return range;
        }
        // `for (var i = …)`: the function's variable, declared before the loop's block, so that it
        // keeps its last value after the loop (`i` is the bound there), as JavaScript's does.
        let mut out = match &f.init {
            Some(ForStatementInit::VariableDeclaration(v)) if v.kind == VariableDeclarationKind::Var => {
                format!("{}\n{}{{\n", self.var_decl(v), self.pad())
            }
            _ => String::from("{\n"),
        };
        self.indent += 1;
        let pad = self.pad();
        if let Some(init) = &f.init {
            let t = match init {
                ForStatementInit::VariableDeclaration(v) if v.kind == VariableDeclarationKind::Var => String::new(),
                ForStatementInit::VariableDeclaration(v) => self.var_decl(v),
                other => {
                    let e = other.to_expression();
                    self.expr_stmt(e)
                }
            };
            if !t.is_empty() {
                out.push_str(&format!("{pad}{t}\n"));
            }
        }
        // A counter only the update changes, from an integer by integer steps, is one: its
        // `i++` stays Rhai's `+=` (see `update_stmt`).
        let counter = self.integer_counter(f);
        if let Some((var, i)) = &counter {
            self.scope_info[*i].kinds.insert(var.clone(), Kind::Num { int: true });
        }
        // `let`/`const` names of the init: JavaScript gives each iteration its own copy.
        let per_iteration: Vec<String> = match &f.init {
            Some(ForStatementInit::VariableDeclaration(v)) if v.kind != VariableDeclarationKind::Var => {
                v.declarations.iter().flat_map(|d| crate::modules::binding_names(&d.id)).collect()
            }
            _ => Vec::new(),
        };
        let first = self.fresh("first");
        self.indent += 1;
        let inner = self.pad();
        let update = f.update.as_ref().map(|u| self.expr_stmt(u));
        let test = f.test.as_ref().map(|t| {
            let t = self.cond(t);
            strip_parens(&t).to_string()
        });
        let saved = self.begin_loop_body();
        let body = match &f.body {
            Statement::BlockStatement(b) => self.block_body(&b.body),
            other => self.stmt(other),
        };
        let names: Vec<&str> = per_iteration.iter().map(String::as_str).collect();
        let copies: Vec<String> = self.end_loop_body(saved, &names).iter().map(|n| names::var(n)).collect();
        let copy_back = !copies.is_empty()
            && !self.src[f.body.span().start as usize..f.body.span().end as usize].contains("continue");
        if !copies.is_empty() && !copy_back {
            let c = self.captured_counter_with_continue(f.span, &copies);
            out.push_str(&format!("{pad}{c}\n"));
        }
        if copy_back {
            // Between iterations the values live in `name__`; each iteration works on its own copy.
            let keep: String = copies.iter().map(|v| format!("let {v}__ = {v}; ")).collect();
            out.push_str(&format!("{pad}{}\n", keep.trim_end()));
        }
        out.push_str(&format!("{pad}let {first} = true;\n{pad}while true {{\n"));
        if copy_back {
            let lets: String = copies.iter().map(|v| format!("let {v} = {v}__; ")).collect();
            out.push_str(&format!("{inner}{}\n", lets.trim_end()));
        }
        if let Some(u) = update {
            out.push_str(&format!("{inner}if !{first} {{ {u} }}\n"));
        }
        out.push_str(&format!("{inner}{first} = false;\n"));
        if let Some(t) = test {
            out.push_str(&format!("{inner}if !({t}) {{ break; }}\n"));
        }
        out.push_str(&body);
        if copy_back {
            let back: String = copies.iter().map(|v| format!("{v}__ = {v}; ")).collect();
            out.push_str(&format!("{inner}{}\n", back.trim_end()));
        }
        self.indent -= 1;
        out.push_str(&format!("{pad}}}\n"));
        self.indent -= 1;
        out.push_str(&format!("{}}}", self.pad()));
        // The loop's variable is the loop's own: past it, nothing is known of the name.
        if let Some((var, i)) = counter {
            self.scope_info[i].kinds.remove(&var);
        }
        out
    }

    /// The variable of `for (let i = A; …; i++)` (or `i--`, `i += n`, `i -= n`) when A and n are
    /// integer literals and neither the test nor the body changes `i`: it is certainly an
    /// integer throughout. With the index of its scope.
    fn integer_counter(&self, f: &ForStatement) -> Option<(String, usize)> {
        let Some(ForStatementInit::VariableDeclaration(v)) = &f.init else { return None };
        if v.kind == VariableDeclarationKind::Var {
            return None;
        }
        let int = |e: &Expression| matches!(self.kind(e), Kind::Num { int: true });
        let var = match f.update.as_ref()?.without_parentheses() {
            Expression::UpdateExpression(u) => match &u.argument {
                SimpleAssignmentTarget::AssignmentTargetIdentifier(a) => a.name.as_str(),
                _ => return None,
            },
            Expression::AssignmentExpression(a)
                if matches!(a.operator, AssignmentOperator::Addition | AssignmentOperator::Subtraction)
                    && int(&a.right) =>
            {
                match &a.left {
                    AssignmentTarget::AssignmentTargetIdentifier(t) => t.name.as_str(),
                    _ => return None,
                }
            }
            _ => return None,
        };
        let declared =
            v.declarations.iter().find(|d| matches!(&d.id, BindingPattern::BindingIdentifier(id) if id.name == var))?;
        if !int(declared.init.as_ref()?) || self.assigns(f.body.span(), var) {
            return None;
        }
        if f.test.as_ref().is_some_and(|t| self.assigns(t.span(), var)) {
            return None;
        }
        Some((var.to_string(), self.scope_of(var)?))
    }

    fn range_for(&mut self, f: &ForStatement) -> Option<String> {
        let Some(ForStatementInit::VariableDeclaration(v)) = &f.init else { return None };
        // A `var` outlives the loop (its last value, past the bound, is read after it or by a
        // closure made in it): a Rhai range's variable ends on the last value inside.
        if v.kind == VariableDeclarationKind::Var {
            return None;
        }
        let [d] = v.declarations.as_slice() else { return None };
        let BindingPattern::BindingIdentifier(id) = &d.id else { return None };
        let var = id.name.as_str();
        let Some(Expression::BinaryExpression(test)) = &f.test else { return None };
        let inclusive = match test.operator {
            BinaryOperator::LessThan => false,
            BinaryOperator::LessEqualThan => true,
            _ => return None,
        };
        if !matches!(&test.left, Expression::Identifier(l) if l.name == var) {
            return None;
        }
        let step_ok = match &f.update {
            Some(Expression::UpdateExpression(u)) => {
                u.operator == UpdateOperator::Increment
                    && matches!(&u.argument, SimpleAssignmentTarget::AssignmentTargetIdentifier(a) if a.name == var)
            }
            Some(Expression::AssignmentExpression(a)) => {
                a.operator == AssignmentOperator::Addition
                    && matches!(&a.left, AssignmentTarget::AssignmentTargetIdentifier(t) if t.name == var)
                    && matches!(&a.right, Expression::NumericLiteral(n) if n.value == 1.0)
            }
            _ => false,
        };
        if !step_ok || self.assigns(f.body.span(), var) {
            return None;
        }
        // A range needs two integers; any other bound (a float, a numeric string, null or
        // undefined, which Rhai's `0..()` never ends on) is the `while` loop's JavaScript test.
        let int = |k: Kind| matches!(k, Kind::Num { int: true });
        if !int(self.kind(d.init.as_ref()?)) || !int(self.kind(&test.right)) {
            return None;
        }
        let start = self.expr(d.init.as_ref()?);
        let end = self.expr(&test.right);
        self.declare(var);
        let saved = self.begin_loop_body();
        let body = self.braced(&f.body);
        let op = if inclusive { "..=" } else { ".." };
        let name = names::var(var);
        let captured = self.end_loop_body(saved, &[var]);
        if v.kind != VariableDeclarationKind::Var && !captured.is_empty() {
            let body = self.with_copies(&body, std::slice::from_ref(&name));
            return Some(format!("for {name}__ in {}{op}{} {body}", paren(&start), paren(&end)));
        }
        Some(format!("for {name} in {}{op}{} {body}", paren(&start), paren(&end)))
    }
}

impl Conv<'_> {
    /// Whether the JavaScript in `span` may assign `var` (`var =`, `var +=`, `var++`, …), so a
    /// counted loop over it cannot become a range. Conservative: a false "yes" only keeps the
    /// general loop form.
    fn assigns(&self, span: Span, var: &str) -> bool {
        let text = &self.src[span.start as usize..span.end as usize];
        let bytes = text.as_bytes();
        let mut from = 0;
        while let Some(i) = text[from..].find(var) {
            let at = from + i;
            from = at + var.len();
            let before = at.checked_sub(1).map(|j| bytes[j]);
            let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'.';
            if before.is_some_and(ident) || bytes.get(from).is_some_and(|&b| ident(b)) {
                continue;
            }
            let after = text[from..].trim_start();
            let prefix = text[..at].trim_end();
            if (after.starts_with('=') && !after.starts_with("=="))
                || after.starts_with("++")
                || after.starts_with("--")
                || prefix.ends_with("++")
                || prefix.ends_with("--")
                || ["+=", "-=", "*=", "/=", "%="].iter().any(|op| after.starts_with(op))
            {
                return true;
            }
        }
        false
    }
}

/// Whether a callback body has a `return` (conservative: the word anywhere in its source).
fn contains_return(src: &str, span: Span) -> bool {
    src[span.start as usize..span.end as usize].contains("return")
}

impl Conv<'_> {
    /// The key of `obj[key]` (`obj` already converted). JavaScript turns a map's key into text
    /// (`byId[3]` is `byId["3"]`) and reads an array's index from text (`arr["0"]`, the keys
    /// `for…in` gives); Rhai wants exactly a string or a number. Where the key is a `for…in`
    /// variable, or the object a variable set to an object literal and the key not certainly
    /// text, a helper picks the key's type by the object's at run time.
    pub fn index_key(&mut self, obj: &str, object: &Expression, key: &Expression) -> String {
        let text = self.expr(key);
        let named = |e: &Expression, names: &dyn Fn(&str) -> bool| match e.without_parentheses() {
            Expression::Identifier(id) => names(id.name.as_str()),
            _ => false,
        };
        // `obj` is written twice: only where evaluating it twice is harmless.
        let for_in_key = named(key, &|n| self.for_in_keys.iter().any(|k| k == n)) && is_pure_path(object);
        let object_var = named(object, &|n| self.object_vars.contains(n)) && self.kind(key) != Kind::Str;
        if !for_in_key && !object_var {
            return text;
        }
        let h = self.helper("js_key");
        format!("{h}(type_of({}), {})", strip_parens(obj), strip_parens(&text))
    }
}
