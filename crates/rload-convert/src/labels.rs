//! Jumps: `break` and `continue`, labeled or not, and labeled statements.
//!
//! Rhai's `break` and `continue` take the innermost Rhai loop, and Rhai's loops have no labels.
//! JavaScript's take the statement their label names, or else the innermost loop (or `switch`,
//! for `break`). While a loop, a switch or a labeled statement converts, it is a frame on
//! `Conv::jumps`, which says whether its Rhai form is a loop. A jump with no Rhai loop between
//! it and its target is Rhai's own `break;` or `continue;`. One with Rhai loops between (inner
//! loops, a switch converted to a one-pass `loop`: `switches.rs`, a labeled block) sets a flag,
//! declared just before its target, and leaves the innermost Rhai loop; after each Rhai loop it
//! crosses the flag is tested, to leave the next one out or, at the target, to end as the jump
//! does:
//!
//! ```text
//! outer: for (const a of rows) {          let continued1 = false;
//!   for (const b of a) {                  for a in rows {
//!     if (b) continue outer;                  for b in a {
//!   }                                             if b { continued1 = true; break; }
//!   after();                                  }
//! }                                           if continued1 { continued1 = false; continue; }
//!                                             after();
//!                                         }
//! ```
//!
//! A `continue` to a C-style `for` runs its update: that loop is a `while` that runs the update
//! before each later test (`loops.rs`). Rhai's `continue` in a `do … while` skips the test, so a
//! `do … while` with a `continue` in it is a `while` whose test is skipped the first time.
//!
//! Any other labeled statement (`lbl: { … break lbl; … }`) is a one-pass `loop { …; break; }`
//! when a `break` names its label, and converts as it is otherwise.

use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};

use crate::conv::Conv;
use crate::ItemKind;

/// What a frame is to a jump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A loop: the target of `continue` and `break`.
    Loop,
    /// A `switch`: the target of `break`.
    Switch,
    /// Any other labeled statement: the target of `break` with its label.
    Block,
}

/// One statement being converted that jumps may go to or cross.
#[derive(Debug)]
pub struct JumpFrame {
    labels: Vec<String>,
    target: Target,
    /// Its Rhai form is a loop (which takes a Rhai `break`/`continue` inside).
    rhai_loop: bool,
    /// Flags set by jumps to this statement from inside Rhai loops it holds: (flag, whether
    /// they are `continue`s). Declared before the statement.
    flags: Vec<(String, bool)>,
    /// Flags to test after this statement's Rhai loop: (flag, `continue`, the target's frame).
    checks: Vec<(String, bool, usize)>,
}

impl Conv<'_> {
    /// Starts a frame for a loop, a switch or a labeled statement, with the labels of the
    /// labeled statements it is the body of.
    pub fn enter_jumps(&mut self, target: Target, rhai_loop: bool) {
        let labels = std::mem::take(&mut self.pending_labels);
        self.jumps.push(JumpFrame { labels, target, rhai_loop, flags: Vec::new(), checks: Vec::new() });
    }

    /// Whether the statement about to enter its frame has a label.
    pub fn labeled_next(&self) -> bool {
        !self.pending_labels.is_empty()
    }

    /// Ends the innermost frame: its statement's Rhai `text` with the flags its jumps set
    /// declared before it and the flags of the jumps that cross it tested after it.
    pub fn leave_jumps(&mut self, text: String) -> String {
        let Some(frame) = self.jumps.pop() else { return text };
        let pad = self.pad();
        let mut out = String::new();
        for (flag, _) in &frame.flags {
            out.push_str(&format!("let {flag} = false;\n{pad}"));
        }
        out.push_str(&text);
        // The Rhai loop a `break` after this statement leaves: the innermost one around it.
        let next_loop = self.jumps.iter().rposition(|f| f.rhai_loop);
        for (flag, cont, target) in &frame.checks {
            if next_loop == Some(*target) && *cont {
                out.push_str(&format!("\n{pad}if {flag} {{ {flag} = false; continue; }}"));
            } else {
                out.push_str(&format!("\n{pad}if {flag} {{ break; }}"));
            }
        }
        out
    }

    /// `break` or `continue` (`cont`), to `label` or to the innermost loop (or switch).
    pub fn jump(&mut self, span: Span, label: Option<&str>, cont: bool) -> String {
        let plain = if cont { "continue;" } else { "break;" };
        let found = match label {
            Some(l) => self.jumps.iter().rposition(|f| f.labels.iter().any(|n| n == l)),
            None => self.jumps.iter().rposition(|f| f.target == Target::Loop || (!cont && f.target == Target::Switch)),
        };
        let Some(t) = found else {
            // Outside any loop JavaScript refuses an unlabeled jump itself, and a label that
            // is not around the jump.
            return match label {
                None => plain.into(),
                Some(l) => {
                    self.item(span, ItemKind::Unconvertible, format!("a jump to `{l}`, which is not a label around it"))
                }
            };
        };
        if cont && self.jumps[t].target != Target::Loop {
            let l = label.unwrap_or_default();
            return self.item(span, ItemKind::Unconvertible, format!("`continue {l}`: `{l}` is not a loop's label"));
        }
        let crossed: Vec<usize> = (t + 1..self.jumps.len()).filter(|&i| self.jumps[i].rhai_loop).collect();
        if !self.jumps[t].rhai_loop {
            // Only a switch written as an `if` chain, whose `break`s are its cases' last
            // statements, dropped (`switches.rs`); any other is written as a `loop`.
            return self.item(span, ItemKind::Unconvertible, "a `break` out of this switch");
        }
        if crossed.is_empty() {
            return plain.into();
        }
        let flag = match self.jumps[t].flags.iter().find(|(_, c)| *c == cont) {
            Some((f, _)) => f.clone(),
            None => {
                let f = self.fresh(if cont { "continued" } else { "broke" });
                self.jumps[t].flags.push((f.clone(), cont));
                f
            }
        };
        for i in crossed {
            let checks = &mut self.jumps[i].checks;
            if !checks.iter().any(|(f, _, _)| *f == flag) {
                checks.push((flag.clone(), cont, t));
            }
        }
        format!("{{ {flag} = true; break; }}")
    }

    /// `a: b: body`: the labels go to the loop or switch that is the body, or else to a
    /// one-pass `loop` around it when a `break` names one of them.
    pub fn labeled(&mut self, l: &LabeledStatement) -> String {
        let mut labels = vec![l.label.name.to_string()];
        let mut body = &l.body;
        while let Statement::LabeledStatement(inner) = body {
            labels.push(inner.label.name.to_string());
            body = &inner.body;
        }
        let looped = matches!(
            body,
            Statement::ForStatement(_)
                | Statement::ForInStatement(_)
                | Statement::ForOfStatement(_)
                | Statement::WhileStatement(_)
                | Statement::DoWhileStatement(_)
                | Statement::SwitchStatement(_)
        );
        if looped {
            self.pending_labels = labels;
            return self.stmt_text(body);
        }
        let span = body.span();
        let named = labels.iter().any(|l| breaks_to(&self.src[span.start as usize..span.end as usize], l));
        if !named {
            return self.stmt_text(body);
        }
        self.pending_labels = labels;
        self.enter_jumps(Target::Block, true);
        self.indent += 1;
        let inner = self.stmt(body);
        let end = format!("{}break;\n", self.pad());
        self.indent -= 1;
        let text = format!("loop {{\n{inner}{end}{}}}", self.pad());
        self.leave_jumps(text)
    }
}

/// Whether `text` may hold `break label` (conservative: a false "yes" only makes a one-pass
/// `loop` of a labeled block that did not need one).
fn breaks_to(text: &str, label: &str) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find("break") {
        rest = &rest[i + "break".len()..];
        let after = rest.trim_start();
        if let Some(tail) = after.strip_prefix(label) {
            if !tail.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
                return true;
            }
        }
    }
    false
}
