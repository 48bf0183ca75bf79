//! Closures created inside loops. In JavaScript, `for (const n of xs)`, `for (let i = …; …)` and
//! a `forEach` callback give every iteration its own binding, so a closure made in the body
//! (a timer, a check function, a callback kept for later) keeps that iteration's value. Rhai's
//! `for n in xs` has one variable for the whole loop, and a closure captures the variable, not
//! its value: every closure would see the last element. When a closure in the body refers to
//! the loop variable, the loop runs on a fresh name and the body starts with a copy:
//! `for n__ in xs { let n = n__; … }`. A C-style loop converted to a `while` gets the same
//! (the counter lives in `i__` between iterations), unless its body has a `continue`, which
//! would skip the copy back: that one is listed as not converted.
//!
//! How it knows: while a loop body is converted, every name read or written inside a closure
//! deeper than the body's own level is recorded (`Conv::note_reference`).
//!
//! The same record serves a second Rhai rule: a closure's captured variable becomes shared, and
//! a method chain holds the variable at its root for the whole chain, so a callback that reads
//! that variable while the chain calls it (`Object.keys(o).map((k) => o[k])`, `arr.filter((x)
//! => x > arr[0])`) stops with "Data race detected". `calls.rs` asks `closures_referring_to`
//! whether a callback refers to the receiver's root and then calls the method on a copy.

use std::collections::HashSet;

use oxc_span::Span;

use crate::conv::Conv;
use crate::ItemKind;

/// One open `closures_referring_to`: the closure depth it began at, and the names read or
/// written, and the objects changed in place, deeper than that.
#[derive(Default)]
pub struct ReferenceScan {
    pub depth: usize,
    pub referred: HashSet<String>,
    pub changed: HashSet<String>,
}

/// How closures use a name.
pub struct Use {
    /// They read or assign it.
    pub refers: bool,
    /// They change the object it names in place (`x.p = …`, `x.push(…)`, …).
    pub changes: bool,
}

/// What `begin_loop_body` saved.
pub struct LoopBody {
    base: usize,
    captured: HashSet<String>,
}

impl Conv<'_> {
    /// Starts converting a loop body.
    pub fn begin_loop_body(&mut self) -> LoopBody {
        let saved = LoopBody { base: self.closure_base, captured: std::mem::take(&mut self.captured) };
        self.closure_base = self.closure_depth;
        self.enter_loop_changes();
        saved
    }

    /// Ends it: which of the JavaScript names `vars` a closure made in the body refers to.
    pub fn end_loop_body(&mut self, saved: LoopBody, vars: &[&str]) -> Vec<String> {
        self.leave_loop_changes();
        let inner = std::mem::replace(&mut self.captured, saved.captured);
        self.closure_base = saved.base;
        let hit = vars.iter().filter(|v| inner.contains(**v)).map(|v| v.to_string()).collect();
        // A closure in this loop is inside every enclosing loop too.
        self.captured.extend(inner);
        hit
    }

    /// Runs `convert` and returns, with its result, how the closures it converts (at any depth)
    /// use `name`.
    pub fn closures_referring_to<T>(&mut self, name: &str, convert: impl FnOnce(&mut Self) -> T) -> (T, Use) {
        self.reference_scans.push(ReferenceScan { depth: self.closure_depth, ..ReferenceScan::default() });
        let out = convert(self);
        let scan = self.reference_scans.pop().unwrap_or_default();
        (out, Use { refers: scan.referred.contains(name), changes: scan.changed.contains(name) })
    }

    /// A loop body (`{\n…}`) that starts with a copy of each Rhai name in `copies` from
    /// `name__`, the name the loop itself runs on.
    pub fn with_copies(&self, body: &str, copies: &[String]) -> String {
        let pad = format!("{}    ", self.pad());
        let lets: String = copies.iter().map(|v| format!("{pad}let {v} = {v}__;\n")).collect();
        match body.strip_prefix("{\n") {
            Some(rest) => format!("{{\n{lets}{rest}"),
            None => body.to_string(),
        }
    }

    /// A C-style loop whose `continue` would skip the per-iteration copy back of `vars`.
    pub fn captured_counter_with_continue(&mut self, span: Span, vars: &[String]) -> String {
        self.item(
            span,
            ItemKind::Unconvertible,
            format!(
                "a closure in this loop captures `{}`, which JavaScript gives each iteration its own copy of; with `continue` in the body the conversion cannot keep that: copy it into a `const` at the top of the body",
                vars.join("`, `")
            ),
        )
    }
}
