//! `switch`.
//!
//! Rhai's `switch` matches constants only, so a JavaScript `switch` becomes Rhai statements
//! that compare its value with `==` to each case's in order, as JavaScript tests them.
//!
//! Where every case ends in a `break` (or `return`, `throw`, `continue`) that is its last
//! statement, and no other `break` leaves the switch, it is an `if` chain:
//!
//! ```text
//! { let switch1 = x; if switch1 == 1 { … } else if switch1 == 2 || switch1 == 3 { … } else { …default… } }
//! ```
//!
//! Anything else — a case that falls through into the next, a `break` inside an `if` of a case,
//! a `default` that is not last and falls through — is JavaScript's own order: the case the value
//! enters at, then every case body from there on in a `loop` that a `break` leaves.
//!
//! ```text
//! {
//!     let switch1 = x;
//!     let case2 = if switch1 == 1 { 0 } else if switch1 == 2 { 1 } else { 2 };
//!     loop {
//!         if case2 <= 0 { … }
//!         if case2 <= 1 { … break; … }
//!         if case2 <= 2 { …default… }
//!         break;
//!     }
//! }
//! ```
//!
//! A `continue` in a case there belongs to a loop around the switch, which the Rhai `loop` would
//! take for its own: it sets a flag and leaves the `loop`, and the loop around continues after
//! it (`labels.rs`). A labeled switch is always such a `loop`, which `break LABEL` leaves.

use oxc_ast::ast::*;

use crate::conv::Conv;
use crate::expr::strip_parens;
use crate::labels::Target;

impl Conv<'_> {
    pub fn switch_stmt(&mut self, sw: &SwitchStatement) -> String {
        let chain = is_if_chain(sw) && !self.labeled_next();
        self.enter_jumps(Target::Switch, !chain);
        let text = if chain { self.switch_as_if_chain(sw) } else { self.switch_as_loop(sw) };
        self.leave_jumps(text)
    }

    fn switch_as_if_chain(&mut self, sw: &SwitchStatement) -> String {
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
                pending_tests.extend(test);
                continue;
            }
            let mut stmts: Vec<&Statement> = case.consequent.iter().collect();
            if matches!(stmts.last(), Some(Statement::BreakStatement(b)) if b.label.is_none()) {
                stmts.pop();
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

    fn switch_as_loop(&mut self, sw: &SwitchStatement) -> String {
        let disc = self.expr(&sw.discriminant);
        let t = self.fresh("switch");
        let at = self.fresh("case");
        let outer = self.pad();
        self.indent += 1;
        let pad = self.pad();
        let mut out = format!("{{\n{pad}let {t} = {};\n", strip_parens(&disc));
        // The case the value enters at: the first whose test matches, else `default`'s, else none.
        let fallback = sw.cases.iter().position(|c| c.test.is_none()).unwrap_or(sw.cases.len());
        let mut entry = String::new();
        for (i, case) in sw.cases.iter().enumerate() {
            if let Some(test) = &case.test {
                let v = self.expr(test);
                let kw = if entry.is_empty() { "if" } else { " else if" };
                entry.push_str(&format!("{kw} {t} == {v} {{ {i} }}"));
            }
        }
        if entry.is_empty() {
            out.push_str(&format!("{pad}let {at} = {fallback};\n"));
        } else {
            out.push_str(&format!("{pad}let {at} = {entry} else {{ {fallback} }};\n"));
        }
        out.push_str(&format!("{pad}loop {{\n"));
        self.indent += 1;
        let inner = self.pad();
        for (i, case) in sw.cases.iter().enumerate() {
            if case.consequent.is_empty() {
                continue;
            }
            self.indent += 1;
            let mut body = String::new();
            for s in &case.consequent {
                body.push_str(&self.stmt(s));
            }
            self.indent -= 1;
            out.push_str(&format!("{inner}if {at} <= {i} {{\n{body}{inner}}}\n"));
        }
        out.push_str(&format!("{inner}break;\n"));
        self.indent -= 1;
        out.push_str(&format!("{pad}}}\n"));
        self.indent -= 1;
        out.push_str(&format!("{outer}}}"));
        out
    }
}

/// Whether every case either is empty (its label shares the next case's body) or ends in a
/// statement that leaves the switch, and no `break` but those last ones leaves it; an empty
/// `default` not at the end falls through, so it is not such a switch either.
fn is_if_chain(sw: &SwitchStatement) -> bool {
    let last = sw.cases.len().saturating_sub(1);
    sw.cases.iter().enumerate().all(|(i, case)| {
        let body = &case.consequent;
        if body.is_empty() {
            return i == last || case.test.is_some();
        }
        let (init, end) = body.split_at(body.len() - 1);
        let ends = match &end[0] {
            Statement::BreakStatement(b) => b.label.is_none(),
            Statement::ReturnStatement(_) | Statement::ThrowStatement(_) => true,
            Statement::ContinueStatement(c) => c.label.is_none(),
            _ => i == last,
        };
        let trailing_break = matches!(&end[0], Statement::BreakStatement(_));
        let rest: &[Statement] = if trailing_break { init } else { body };
        ends && !rest.iter().any(breaks_switch)
    })
}

/// Whether `s` holds an unlabelled `break` that would leave the switch around it: not one in a
/// loop, a nested switch or a function.
fn breaks_switch(s: &Statement) -> bool {
    match s {
        Statement::BreakStatement(b) => b.label.is_none(),
        Statement::BlockStatement(b) => b.body.iter().any(breaks_switch),
        Statement::IfStatement(i) => breaks_switch(&i.consequent) || i.alternate.as_ref().is_some_and(breaks_switch),
        Statement::TryStatement(t) => {
            t.block.body.iter().any(breaks_switch)
                || t.handler.as_ref().is_some_and(|h| h.body.body.iter().any(breaks_switch))
                || t.finalizer.as_ref().is_some_and(|f| f.body.iter().any(breaks_switch))
        }
        Statement::LabeledStatement(l) => breaks_switch(&l.body),
        _ => false,
    }
}
