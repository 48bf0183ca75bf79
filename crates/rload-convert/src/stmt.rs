//! Statements: blocks, declarations and expression statements. Loops are in `loops.rs`,
//! `switch` in `switches.rs`, functions in `functions.rs`.

use oxc_ast::ast::*;
use oxc_span::GetSpan;

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
                    self.note_closure(id.name.as_str(), &f.params);
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

    pub(crate) fn braced(&mut self, s: &Statement) -> String {
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
        let pending = std::mem::take(&mut self.pending_marks).concat();
        let trailing = self.trailing_comment(s.span().end);
        if text.is_empty() {
            return comments;
        }
        format!("{comments}{pad}{mark}{pending}{text}{trailing}\n")
    }

    pub(crate) fn stmt_text(&mut self, s: &Statement) -> String {
        // A loop is a frame for the jumps inside it (`labels.rs`).
        if matches!(
            s,
            Statement::ForStatement(_)
                | Statement::ForInStatement(_)
                | Statement::ForOfStatement(_)
                | Statement::WhileStatement(_)
                | Statement::DoWhileStatement(_)
        ) {
            self.enter_jumps(crate::labels::Target::Loop, true);
            let text = self.statement_text(s);
            return self.leave_jumps(text);
        }
        self.statement_text(s)
    }

    fn statement_text(&mut self, s: &Statement) -> String {
        match s {
            Statement::EmptyStatement(_) => String::new(),
            Statement::ExpressionStatement(e) => self.expr_stmt(&e.expression),
            Statement::VariableDeclaration(v) => self.var_decl(v),
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
                Some(e) => self.returned(e),
                None => "return;".into(),
            },
            Statement::ForStatement(f) => self.for_stmt(f),
            Statement::ForOfStatement(f) if f.r#await => self.item(
                f.span,
                ItemKind::Unconvertible,
                "`for await`: k6 v1.1 cannot parse it (a syntax error there)",
            ),
            Statement::ForOfStatement(f) => {
                let mut right = self.expr(&f.right);
                // A Map's `[key, value]` entries, a Set's values, as JavaScript iterates them.
                if let Some(items) = self.collection_items(&f.right) {
                    right = format!("{right}.{items}()");
                }
                self.for_each_stmt(&f.left, right, &f.body, true)
            }
            Statement::ForInStatement(f) => {
                let right = self.expr(&f.right);
                let right = self.own_fields(right);
                // JavaScript's for…in gives an array's indices as text: a helper tells at run time.
                let h = self.helper("js_keys");
                let key = match &f.left {
                    ForStatementLeft::VariableDeclaration(d) => match d.declarations.first().map(|d| &d.id) {
                        Some(BindingPattern::BindingIdentifier(id)) => Some(id.name.to_string()),
                        _ => None,
                    },
                    ForStatementLeft::AssignmentTargetIdentifier(id) => Some(id.name.to_string()),
                    _ => None,
                };
                self.for_in_keys.extend(key.clone());
                let out = self.for_each_stmt(&f.left, format!("{h}({})", strip_parens(&right)), &f.body, false);
                if key.is_some() {
                    self.for_in_keys.pop();
                }
                out
            }
            Statement::WhileStatement(w) => {
                let test = self.cond(&w.test);
                self.enter_loop_changes();
                let body = self.braced(&w.body);
                self.leave_loop_changes();
                format!("while {} {body}", strip_parens(&test))
            }
            Statement::DoWhileStatement(w) => {
                self.enter_loop_changes();
                let body = self.braced(&w.body);
                self.leave_loop_changes();
                let test = self.cond(&w.test);
                let test = strip_parens(&test);
                let span = w.body.span();
                if !self.src[span.start as usize..span.end as usize].contains("continue") {
                    return format!("do {body} while {test};");
                }
                // Rhai's `continue` in a `do … while` skips the test: a `while` that skips it
                // the first time instead.
                let first = self.fresh("first");
                let pad = format!("{}    ", self.pad());
                let body = body.strip_prefix("{\n").unwrap_or(&body);
                format!("let {first} = true;\n{}while {first} || {} {{\n{pad}{first} = false;\n{body}", self.pad(), paren(test))
            }
            Statement::BreakStatement(b) => self.jump(b.span, b.label.as_ref().map(|l| l.name.as_str()), false),
            Statement::ContinueStatement(c) => self.jump(c.span, c.label.as_ref().map(|l| l.name.as_str()), true),
            Statement::ThrowStatement(t) => {
                let v = self.expr(&t.argument);
                format!("throw {};", strip_parens(&v))
            }
            Statement::TryStatement(t) => self.try_stmt(t),
            Statement::SwitchStatement(sw) => self.switch_stmt(sw),
            Statement::FunctionDeclaration(f) => {
                let name = f.id.as_ref().map(|i| names::var(i.name.as_str())).unwrap_or_default();
                let closure = self.function_expr(f, false);
                format!("let {name} = {closure};")
            }
            Statement::ClassDeclaration(c) => {
                self.item(c.span, ItemKind::Unconvertible, "a class declared inside a function or a block: rload converts classes declared at the top level of the entry script")
            }
            Statement::LabeledStatement(l) => self.labeled(l),
            other => self.item(other.span(), ItemKind::Unconvertible, "this statement (`with`, …)"),
        }
    }

    pub(crate) fn expr_stmt(&mut self, e: &Expression) -> String {
        match e {
            // `a.length = n`: Rhai's length is read-only; the array is cut or padded in place.
            Expression::AssignmentExpression(a)
                if a.operator == AssignmentOperator::Assign
                    && matches!(&a.left, AssignmentTarget::StaticMemberExpression(m) if m.property.name == "length") =>
            {
                let AssignmentTarget::StaticMemberExpression(m) = &a.left else { unreachable!() };
                let mut flag = String::new();
                if let Some(root) = crate::expr::member_root(&m.object) {
                    self.note_mutation(&root);
                    flag = self.alias_change(&root, m.span);
                }
                let target = self.expr(&m.object);
                let n = self.expr(&a.right);
                let h = self.helper("js_set_length");
                format!("{flag}{}.{h}({});", paren(&target), strip_parens(&n))
            }
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
                format!("{};", self.update_stmt(u, &target))
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
                self.statement_call = Some(c.span);
                let t = self.call(c);
                self.statement_call = None;
                format!("{};", strip_parens(&t))
            }
            other => {
                let t = self.expr(other);
                format!("{};", strip_parens(&t))
            }
        }
    }

    /// `let`/`const`/`var` inside a function (top-level ones are `modules.rs`'s `top_var`).
    pub fn var_decl(&mut self, v: &VariableDeclaration) -> String {
        let mut lines = Vec::new();
        for d in &v.declarations {
            match &d.id {
                BindingPattern::BindingIdentifier(id) => lines.push(self.local_var(v, d, id.name.as_str())),
                pattern => {
                    let src = d.init.as_ref().map(|e| {
                        let t = self.expr(e);
                        strip_parens(&t).to_string()
                    });
                    let mut out = Vec::new();
                    self.destructure(pattern, src.unwrap_or_else(|| "()".into()), &mut out);
                    for name in crate::modules::binding_names(pattern) {
                        self.note_binding(&name, d.init.as_ref());
                    }
                    for name in crate::modules::object_rest_names(pattern) {
                        self.set_alias(&name, None);
                    }
                    lines.extend(out);
                }
            }
        }
        let pad = self.pad();
        lines.join(&format!("\n{pad}"))
    }

    /// `let name = init;` inside a function. A closure in `init` that refers to `name` itself
    /// (`const id = setInterval(() => { … clearInterval(id) … }, 100)`) runs after JavaScript
    /// has set it; a Rhai closure sees only variables declared before it, so the variable is
    /// declared first and assigned after: `let id = (); id = setInterval(…);`.
    fn local_var(&mut self, v: &VariableDeclaration, d: &VariableDeclarator, name: &str) -> String {
        // JavaScript's name is in scope in its own initialiser (read there before it is set, it
        // throws): declared first, so the closure's `name` is this variable and no outer one.
        self.declare(name);
        let (init, used) = self.closures_referring_to(name, |conv| {
            d.init.as_ref().map(|e| {
                let t = conv.object_init(name, e);
                strip_parens(&t).to_string()
            })
        });
        self.note_binding(name, d.init.as_ref());
        if matches!(d.init.as_ref().map(|e| e.without_parentheses()), Some(Expression::ObjectExpression(_))) {
            self.object_vars.insert(name.to_string());
        }
        self.note_collection(name, d.init.as_ref());
        if v.kind == VariableDeclarationKind::Const {
            if let (Some(e), Some(i)) = (d.init.as_ref(), self.scope_of(name)) {
                let k = self.kind(e);
                self.scope_info[i].kinds.insert(name.to_string(), k);
            }
            match d.init.as_ref().map(|e| e.without_parentheses()) {
                Some(Expression::ArrowFunctionExpression(f)) => self.note_closure(name, &f.params),
                Some(Expression::FunctionExpression(f)) => self.note_closure(name, &f.params),
                _ => {}
            }
        }
        let var = names::var(name);
        match init {
            Some(init) if used.refers => format!("let {var} = (); {var} = {init};"),
            init => format!("let {var} = {};", init.unwrap_or_else(|| "()".into())),
        }
    }
}

pub(crate) fn paren(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == ':' || c == '(' || c == ')')
        && !s.starts_with('-')
    {
        s.to_string()
    } else {
        format!("({})", strip_parens(s))
    }
}
