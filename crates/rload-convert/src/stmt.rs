//! Statements. Loops: `for (let i = A; i < B; i++)` is `for i in A..B`; any other C-style loop a
//! `while` that runs the update before each later test (so `continue` still updates); `for…of`
//! is `for x in xs`, `for…in` is `for k in o.keys()`, `xs.forEach(x => …)` a `for` loop. A
//! `switch` is an `if` chain. Functions are in `functions.rs`.

use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};

use crate::conv::Conv;
use crate::expr::strip_parens;
use crate::names;
use crate::ItemKind;

impl Conv<'_> {
    /// Statements of a block, nested function declarations first (JavaScript hoists them).
    pub fn block_body(&mut self, stmts: &[Statement]) -> String {
        let mut out = String::new();
        for s in stmts {
            if let Statement::FunctionDeclaration(f) = s {
                if let Some(id) = &f.id {
                    self.declare(id.name.as_str());
                }
            }
        }
        for s in stmts {
            if let Statement::FunctionDeclaration(f) = s {
                let name = f.id.as_ref().map(|i| names::var(i.name.as_str())).unwrap_or_default();
                let closure = self.function_expr(f, false);
                let mark = self.mark(f.span);
                out.push_str(&format!("{}{mark}let {name} = {closure};\n", self.pad()));
            }
        }
        for s in stmts {
            if !matches!(s, Statement::FunctionDeclaration(_)) {
                out.push_str(&self.stmt(s));
            }
        }
        out
    }

    fn braced(&mut self, s: &Statement) -> String {
        self.indent += 1;
        let body = match s {
            Statement::BlockStatement(b) => self.block_body(&b.body),
            other => self.stmt(other),
        };
        self.indent -= 1;
        format!("{{\n{body}{}}}", self.pad())
    }

    /// One statement, indented, with its source marker, ending in a newline.
    pub fn stmt(&mut self, s: &Statement) -> String {
        let comments = self.leading_comments(s.span().start);
        let pad = self.pad();
        let mark = self.mark(s.span());
        let text = self.stmt_text(s);
        let trailing = self.trailing_comment(s.span().end);
        if text.is_empty() {
            return comments;
        }
        format!("{comments}{pad}{mark}{text}{trailing}\n")
    }

    fn stmt_text(&mut self, s: &Statement) -> String {
        match s {
            Statement::EmptyStatement(_) => String::new(),
            Statement::ExpressionStatement(e) => self.expr_stmt(&e.expression),
            Statement::VariableDeclaration(v) => self.var_decl(v, false),
            Statement::BlockStatement(b) => {
                self.indent += 1;
                let body = self.block_body(&b.body);
                self.indent -= 1;
                format!("{{\n{body}{}}}", self.pad())
            }
            Statement::IfStatement(i) => {
                let test = self.cond(&i.test);
                let then = self.braced(&i.consequent);
                match &i.alternate {
                    None => format!("if {} {then}", strip_parens(&test)),
                    Some(Statement::IfStatement(_)) => {
                        let alt = self.stmt_text(i.alternate.as_ref().unwrap());
                        format!("if {} {then} else {alt}", strip_parens(&test))
                    }
                    Some(alt) => {
                        let alt = self.braced(alt);
                        format!("if {} {then} else {alt}", strip_parens(&test))
                    }
                }
            }
            Statement::ReturnStatement(r) => match &r.argument {
                Some(e) => {
                    let v = self.expr(e);
                    format!("return {};", strip_parens(&v))
                }
                None => "return;".into(),
            },
            Statement::ForStatement(f) => self.for_stmt(f),
            Statement::ForOfStatement(f) => {
                let right = self.expr(&f.right);
                self.for_each_stmt(&f.left, right, &f.body, true)
            }
            Statement::ForInStatement(f) => {
                let right = self.expr(&f.right);
                self.for_each_stmt(&f.left, format!("{}.keys()", paren(&right)), &f.body, false)
            }
            Statement::WhileStatement(w) => {
                let test = self.cond(&w.test);
                let body = self.braced(&w.body);
                format!("while {} {body}", strip_parens(&test))
            }
            Statement::DoWhileStatement(w) => {
                let body = self.braced(&w.body);
                let test = self.cond(&w.test);
                format!("do {body} while {};", strip_parens(&test))
            }
            Statement::BreakStatement(b) if b.label.is_none() => "break;".into(),
            Statement::ContinueStatement(c) if c.label.is_none() => "continue;".into(),
            Statement::ThrowStatement(t) => {
                let v = self.expr(&t.argument);
                format!("throw {};", strip_parens(&v))
            }
            Statement::TryStatement(t) => {
                self.indent += 1;
                let body = self.block_body(&t.block.body);
                self.indent -= 1;
                let mut out = format!("try {{\n{body}{}}}", self.pad());
                match &t.handler {
                    Some(h) => {
                        self.indent += 1;
                        let mut pre = Vec::new();
                        let param = match h.param.as_ref().map(|p| &p.pattern) {
                            Some(BindingPattern::BindingIdentifier(id)) => {
                                self.declare(id.name.as_str());
                                Some(names::var(id.name.as_str()))
                            }
                            Some(p) => {
                                let n = self.fresh("err");
                                self.destructure(p, n.clone(), &mut pre);
                                Some(n)
                            }
                            None => None,
                        };
                        let pad = self.pad();
                        let pre: String = pre.iter().map(|l| format!("{pad}{l}\n")).collect();
                        let body = self.block_body(&h.body.body);
                        self.indent -= 1;
                        let p = param.map(|p| format!(" ({p})")).unwrap_or_default();
                        out.push_str(&format!(" catch{p} {{\n{pre}{body}{}}}", self.pad()));
                    }
                    None => out.push_str(" catch (err) { throw err; }"),
                }
                if let Some(fin) = &t.finalizer {
                    let c = self.item(
                        fin.span,
                        ItemKind::Unconvertible,
                        "`finally`: runs after the try/catch here, but not when they return or throw",
                    );
                    self.indent += 1;
                    let body = self.block_body(&fin.body);
                    self.indent -= 1;
                    out.push_str(&format!("\n{}{c}\n{}{{\n{body}{}}}", self.pad(), self.pad(), self.pad()));
                }
                out
            }
            Statement::SwitchStatement(sw) => self.switch_stmt(sw),
            Statement::FunctionDeclaration(f) => {
                let name = f.id.as_ref().map(|i| names::var(i.name.as_str())).unwrap_or_default();
                let closure = self.function_expr(f, false);
                format!("let {name} = {closure};")
            }
            Statement::ClassDeclaration(c) => {
                self.item(c.span, ItemKind::Unconvertible, "a class: Rhai has no classes")
            }
            Statement::LabeledStatement(l) => {
                let c = self.item(
                    l.span,
                    ItemKind::Unconvertible,
                    "a label: Rhai's loops have none (the loop is converted without it)",
                );
                let body = self.stmt_text(&l.body);
                format!("{c}\n{}{body}", self.pad())
            }
            Statement::BreakStatement(b) => {
                let c = self.item(b.span, ItemKind::Unconvertible, "`break` to a label: converted as a plain `break`");
                format!("{c} break;")
            }
            Statement::ContinueStatement(b) => {
                let c = self.item(
                    b.span,
                    ItemKind::Unconvertible,
                    "`continue` to a label: converted as a plain `continue`",
                );
                format!("{c} continue;")
            }
            other => self.item(other.span(), ItemKind::Unconvertible, "this statement (`with`, labelled `break`, …)"),
        }
    }

    fn expr_stmt(&mut self, e: &Expression) -> String {
        match e {
            Expression::AssignmentExpression(a) => {
                let t = self.assignment(a);
                // `a ||= b` and `a ??= b` become `if` statements; an assignment whose value ends
                // in a block (`ws.onopen = || { … }`) still needs its `;`.
                if t.starts_with("if ") && t.ends_with('}') {
                    t
                } else {
                    format!("{t};")
                }
            }
            Expression::UpdateExpression(u) => {
                let target = self.simple_target(&u.argument);
                let op = if u.operator == UpdateOperator::Increment { "+=" } else { "-=" };
                format!("{target} {op} 1;")
            }
            Expression::CallExpression(c) => {
                // `xs.forEach((x, i) => { … })` as a loop.
                if let Expression::StaticMemberExpression(m) = &c.callee {
                    if m.property.name == "forEach" {
                        if let Some(Argument::ArrowFunctionExpression(f)) = c.arguments.first() {
                            if let Some(out) = self.for_each_arrow(&m.object, f) {
                                return out;
                            }
                        }
                    }
                }
                let t = self.call(c);
                format!("{};", strip_parens(&t))
            }
            other => {
                let t = self.expr(other);
                format!("{};", strip_parens(&t))
            }
        }
    }

    fn for_each_arrow(&mut self, obj: &Expression, f: &ArrowFunctionExpression) -> Option<String> {
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
        let head = match vars.len() {
            0 => format!("_i in {seq}"),
            1 => format!("{} in {seq}", vars[0]),
            _ => format!("({}, {}) in {seq}", vars[0], vars[1]),
        };
        let copies: Vec<String> = captured.iter().map(|n| names::var(n)).collect();
        let body = self.with_copies(&format!("{{\n{body}{}}}", self.pad()), &copies);
        Some(format!("for {head} {body}"))
    }

    pub fn var_decl(&mut self, v: &VariableDeclaration, top: bool) -> String {
        let mut lines = Vec::new();
        for d in &v.declarations {
            let init = d.init.as_ref().map(|e| {
                let t = self.expr(e);
                strip_parens(&t).to_string()
            });
            match &d.id {
                BindingPattern::BindingIdentifier(id) => {
                    let name = id.name.as_str();
                    self.declare(name);
                    self.note_binding(name, d.init.as_ref());
                    if v.kind == VariableDeclarationKind::Const {
                        if let (Some(e), Some(i)) = (d.init.as_ref(), self.scope_of(name)) {
                            let k = self.kind(e);
                            self.scope_info[i].kinds.insert(name.to_string(), k);
                        }
                    }
                    let kw = if top { format!("\u{3}{name}\u{3}") } else { "let".to_string() };
                    lines.push(format!("{kw} {} = {};", names::var(name), init.unwrap_or_else(|| "()".into())));
                }
                pattern => {
                    let src = init.unwrap_or_else(|| "()".into());
                    let mut out = Vec::new();
                    self.destructure(pattern, src, &mut out);
                    for name in crate::modules::binding_names(pattern) {
                        self.note_binding(&name, d.init.as_ref());
                    }
                    lines.extend(out);
                }
            }
        }
        let pad = self.pad();
        lines.join(&format!("\n{pad}"))
    }

    fn for_each_stmt(&mut self, left: &ForStatementLeft, seq: String, body: &Statement, of: bool) -> String {
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

    fn for_stmt(&mut self, f: &ForStatement) -> String {
        // for (let i = A; i < B; i++) → for i in A..B
        if let Some(range) = self.range_for(f) {
            return range;
        }
        let mut out = String::from("{\n");
        self.indent += 1;
        let pad = self.pad();
        if let Some(init) = &f.init {
            let t = match init {
                ForStatementInit::VariableDeclaration(v) => self.var_decl(v, false),
                other => {
                    let e = other.to_expression();
                    self.expr_stmt(e)
                }
            };
            out.push_str(&format!("{pad}{t}\n"));
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
        out
    }

    fn range_for(&mut self, f: &ForStatement) -> Option<String> {
        let Some(ForStatementInit::VariableDeclaration(v)) = &f.init else { return None };
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

    fn switch_stmt(&mut self, sw: &SwitchStatement) -> String {
        let disc = self.expr(&sw.discriminant);
        let t = self.fresh("switch");
        let mut out = format!("{{\n{}    let {t} = {};\n", self.pad(), strip_parens(&disc));
        self.indent += 1;
        let pad = self.pad();
        let mut pending_tests: Vec<String> = Vec::new();
        let mut first = true;
        let mut default_body: Option<String> = None;
        for (i, case) in sw.cases.iter().enumerate() {
            let test = case.test.as_ref().map(|e| {
                let v = self.expr(e);
                format!("{t} == {v}")
            });
            if case.consequent.is_empty() && i + 1 < sw.cases.len() {
                if let Some(tst) = test {
                    pending_tests.push(tst);
                }
                continue;
            }
            let mut stmts: Vec<&Statement> = case.consequent.iter().collect();
            let ends = matches!(stmts.last(), Some(Statement::BreakStatement(b)) if b.label.is_none());
            if ends {
                stmts.pop();
            } else if i + 1 < sw.cases.len()
                && !matches!(stmts.last(), Some(Statement::ReturnStatement(_) | Statement::ThrowStatement(_)))
            {
                let c = self.item(case.span, ItemKind::Unconvertible, "a switch case that falls through into the next");
                out.push_str(&format!("{pad}{c}\n"));
            }
            self.indent += 1;
            let mut body = String::new();
            for s in stmts {
                body.push_str(&self.stmt(s));
            }
            self.indent -= 1;
            match test {
                Some(tst) => {
                    pending_tests.push(tst);
                    let cond = pending_tests.join(" || ");
                    pending_tests.clear();
                    let kw = if first { "if" } else { "} else if" };
                    out.push_str(&format!("{pad}{kw} {cond} {{\n{body}"));
                    first = false;
                }
                None => default_body = Some(body),
            }
        }
        if let Some(body) = default_body {
            if first {
                out.push_str(&format!("{pad}{{\n{body}{pad}}}\n"));
            } else {
                out.push_str(&format!("{pad}}} else {{\n{body}{pad}}}\n"));
            }
        } else if !first {
            out.push_str(&format!("{pad}}}\n"));
        }
        self.indent -= 1;
        out.push_str(&format!("{}}}", self.pad()));
        out
    }
}

fn paren(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == ':' || c == '(' || c == ')')
        && !s.starts_with('-')
    {
        s.to_string()
    } else {
        format!("({})", strip_parens(s))
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
