//! `try`, `catch` and `finally`.
//!
//! Rhai has `try`/`catch` but no `finally`. JavaScript runs a `finally` block after its `try`
//! (and `catch`) whichever way they end, then goes on as they ended. Where they can only end
//! by reaching their end or by throwing, that is what the conversion writes: the error the
//! `try` (without a `catch`) or the `catch` throws is kept, the `finally` block runs, then the
//! error is thrown again.
//!
//! ```text
//! let thrown1 = false;
//! let error2 = ();
//! try { … } catch (e) {
//!     try { …catch's block… } catch (err3) { thrown1 = true; error2 = err3; }
//! }
//! { …finally's block… }
//! if thrown1 { throw error2; }
//! ```
//!
//! A `try` or `catch` that can `return`, `break` or `continue` out of itself is listed instead:
//! rload's `return` would leave without running the `finally` block.

use oxc_ast::ast::*;

use crate::conv::Conv;
use crate::names;
use crate::ItemKind;

impl Conv<'_> {
    /// `try { … } catch (e) { … } finally { … }`, any of `catch` and `finally` absent.
    pub fn try_stmt(&mut self, t: &TryStatement) -> String {
        let Some(fin) = &t.finalizer else { return self.try_catch(t, None) };
        let top = Inside::default();
        let leaves = leaves(&t.block.body, &top) || t.handler.as_ref().is_some_and(|h| leaves(&h.body.body, &top));
        if leaves {
            let c = self.item(
                fin.span,
                ItemKind::Unconvertible,
                "`finally` after a `try` or `catch` that can `return`, `break` or `continue` out of it: \
                 rload would leave without running it",
            );
            let out = self.try_catch(t, None);
            self.indent += 1;
            let body = self.block_body(&fin.body);
            self.indent -= 1;
            return format!("{out}\n{}{c}\n{}{{\n{body}{}}}", self.pad(), self.pad(), self.pad());
        }
        let (thrown, error) = (self.fresh("thrown"), self.fresh("error"));
        let out = self.try_catch(t, Some((&thrown, &error)));
        self.indent += 1;
        let body = self.block_body(&fin.body);
        self.indent -= 1;
        let pad = self.pad();
        format!(
            "let {thrown} = false;\n{pad}let {error} = ();\n{pad}{out}\n{pad}{{\n{body}{pad}}}\n{pad}if {thrown} {{ throw {error}; }}"
        )
    }

    /// `try { … } catch (e) { … }`. With `keep` (a `finally` follows), what the `catch` block
    /// throws, or the `try` block when there is no `catch`, is kept in `keep`'s two variables
    /// instead of leaving the statement.
    fn try_catch(&mut self, t: &TryStatement, keep: Option<(&str, &str)>) -> String {
        self.indent += 1;
        let body = self.block_body(&t.block.body);
        self.indent -= 1;
        let mut out = format!("try {{\n{body}{}}}", self.pad());
        let Some(h) = &t.handler else {
            match keep {
                Some((thrown, error)) => {
                    let e = self.fresh("err");
                    out.push_str(&format!(" catch ({e}) {{ {thrown} = true; {error} = {e}; }}"));
                }
                None => out.push_str(" catch (err) { throw err; }"),
            }
            return out;
        };
        // Inside a kept catch, its block is one level deeper.
        let depth = if keep.is_some() { 2 } else { 1 };
        self.indent += depth;
        let mut pre = Vec::new();
        let mut named = false;
        let param = match h.param.as_ref().map(|p| &p.pattern) {
            Some(BindingPattern::BindingIdentifier(id)) => {
                self.declare(id.name.as_str());
                self.catch_params.push(id.name.to_string());
                named = true;
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
        if named {
            self.catch_params.pop();
        }
        self.indent -= depth;
        let p = param.map(|p| format!(" ({p})")).unwrap_or_default();
        match keep {
            None => out.push_str(&format!(" catch{p} {{\n{pre}{body}{}}}", self.pad())),
            Some((thrown, error)) => {
                let e = self.fresh("err");
                let (outer, inner) = (self.pad(), "    ".repeat(self.indent + 1));
                out.push_str(&format!(
                    " catch{p} {{\n{inner}try {{\n{pre}{body}{inner}}} catch ({e}) {{ {thrown} = true; {error} = {e}; }}\n{outer}}}"
                ));
            }
        }
        out
    }
}

/// Whether `stmts` can leave the `try` or `catch` block they are in other than by reaching its
/// end or throwing: a `return`, or a `break` or `continue` that no loop (or `switch`, for
/// `break`, or labeled statement, for a jump to its label) inside the block takes. Functions
/// inside are their own.
fn leaves(stmts: &[Statement], inside: &Inside) -> bool {
    stmts.iter().any(|s| leaves_one(s, inside))
}

/// What is around a statement inside the block: a loop, a switch, these labels.
#[derive(Clone, Default)]
struct Inside<'a> {
    in_loop: bool,
    in_switch: bool,
    labels: Vec<&'a str>,
}

impl<'a> Inside<'a> {
    fn in_loop(&self) -> Self {
        Inside { in_loop: true, ..self.clone() }
    }
}

fn leaves_one<'a>(s: &'a Statement, inside: &Inside<'a>) -> bool {
    let named = |l: &Option<LabelIdentifier>| l.as_ref().is_some_and(|l| !inside.labels.contains(&l.name.as_str()));
    match s {
        Statement::ReturnStatement(_) => true,
        Statement::BreakStatement(b) => named(&b.label) || (b.label.is_none() && !(inside.in_loop || inside.in_switch)),
        Statement::ContinueStatement(c) => named(&c.label) || (c.label.is_none() && !inside.in_loop),
        Statement::BlockStatement(b) => leaves(&b.body, inside),
        Statement::IfStatement(i) => {
            leaves_one(&i.consequent, inside) || i.alternate.as_ref().is_some_and(|a| leaves_one(a, inside))
        }
        Statement::ForStatement(f) => leaves_one(&f.body, &inside.in_loop()),
        Statement::ForInStatement(f) => leaves_one(&f.body, &inside.in_loop()),
        Statement::ForOfStatement(f) => leaves_one(&f.body, &inside.in_loop()),
        Statement::WhileStatement(w) => leaves_one(&w.body, &inside.in_loop()),
        Statement::DoWhileStatement(d) => leaves_one(&d.body, &inside.in_loop()),
        Statement::SwitchStatement(sw) => {
            let inner = Inside { in_switch: true, ..inside.clone() };
            sw.cases.iter().any(|c| leaves(&c.consequent, &inner))
        }
        Statement::TryStatement(t) => {
            leaves(&t.block.body, inside)
                || t.handler.as_ref().is_some_and(|h| leaves(&h.body.body, inside))
                || t.finalizer.as_ref().is_some_and(|f| leaves(&f.body, inside))
        }
        Statement::LabeledStatement(l) => {
            let mut inner = inside.clone();
            inner.labels.push(l.label.name.as_str());
            leaves_one(&l.body, &inner)
        }
        Statement::WithStatement(w) => leaves_one(&w.body, inside),
        _ => false,
    }
}
