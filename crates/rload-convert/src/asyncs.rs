//! `async` functions and `await`, converted where k6 and rload run the same code in the same
//! order.
//!
//! rload's calls finish before they return, so `await` of a call is the call's value, and an
//! async function whose every call is awaited at once runs exactly as a plain function: k6
//! suspends the caller at each `await` until the callee's promise settles, and nothing else of
//! the VU runs meanwhile. That holds for:
//! - a top-level `async function f` (or `const f = async (…) => …`) of the file, each call
//!   `await f(…)` or `return f(…)` from an async function (the caller's promise adopts the
//!   callee's);
//! - the functions k6 calls itself (`export default async function`, an async `setup`,
//!   `teardown`, `handleSummary` or scenario `exec` function): k6 awaits their promises;
//! - `await http.asyncRequest(…)`, which is `http.request(…)`, and `await` of any other value,
//!   in a function or at the top of the file (k6's init code may await too).
//!
//! Everything else is listed, never run in another order: a call of an async function that is
//! not awaited at once (k6 runs the rest of the caller alongside it), an async function used as
//! a value or exported from an imported module (its callers cannot be checked), an async
//! callback (`group`, `check` and the array methods do not await it), promises themselves
//! (`Promise.all`, `new Promise`, `.then`), and `await` in a file that uses
//! timers (k6 runs a timer's callback while a call is awaited; rload after).

use std::collections::HashSet;

use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};

use crate::conv::Conv;
use crate::expr::strip_parens;
use crate::ItemKind;

#[derive(Debug, Default)]
pub struct AsyncState {
    /// The file's top-level async functions, by JavaScript name: each call must be awaited.
    pub fns: HashSet<String>,
    /// The call an `await` (or an async function's `return`) is converting now.
    pub awaited: Option<Span>,
    /// The body being converted is an async function's own (not a closure inside it).
    pub in_async: bool,
    /// The closure `arrow` converts next is a top-level function of this file (`const f = async
    /// (…) => …`, the default export's), whose calls are checked: its `async` is converted, not
    /// listed. `top_function`'s functions always are.
    pub declaring: bool,
    /// The file's first `await` and its first timer call (`setTimeout`, `setInterval`).
    pub first_await: Option<Span>,
    pub first_timer: Option<Span>,
}

/// Whether `f` is `async function` or `async (…) =>` at the top of a declaration's initialiser.
pub fn is_async_init(init: &Expression) -> bool {
    match init.without_parentheses() {
        Expression::ArrowFunctionExpression(f) => f.r#async,
        Expression::FunctionExpression(f) => f.r#async,
        _ => false,
    }
}

impl Conv<'_> {
    /// Notes a top-level async function of this file. One exported from an imported module is
    /// listed instead: another file calls it, where this conversion cannot see the calls.
    pub fn declare_async(&mut self, name: &str, span: Span, exported: bool) {
        if exported && self.module.is_some() {
            self.item(
                span,
                ItemKind::Unconvertible,
                "an async function exported from an imported module: rload runs it as a plain function, \
                 which is k6's order only where every call awaits it, and the calls are in other files",
            );
        }
        self.asyncs.fns.insert(name.to_string());
    }

    /// Opens an async function's (or a plain one's) body: returns what to restore after it, and
    /// the comment to write before the function when its `async` is listed (unless it is a
    /// top-level function whose calls are `checked`).
    pub fn enter_function(&mut self, span: Span, is_async: bool, what: &str, checked: bool) -> (bool, String) {
        let mut comment = String::new();
        if is_async && !checked {
            comment = self.item(
                span,
                ItemKind::Unconvertible,
                format!(
                    "an async {what}: whoever calls it (k6's group and check, an array method, a handler) does not \
                     await it as rload's plain function would run; make it a top-level async function that every \
                     caller awaits"
                ),
            );
            comment.push(' ');
        }
        (std::mem::replace(&mut self.asyncs.in_async, is_async), comment)
    }

    pub fn leave_function(&mut self, was_async: bool) {
        self.asyncs.in_async = was_async;
    }

    /// `await e`.
    pub fn await_expr(&mut self, a: &AwaitExpression) -> String {
        self.asyncs.first_await.get_or_insert(a.span);
        if let Some(c) = promise_api(a.argument.without_parentheses()) {
            return self.unconvertible(c, "a promise (`Promise`, `.then`, `.catch`, `.finally`): rload has none");
        }
        self.expr_awaiting(&a.argument, true)
    }

    /// `return e;` in a function: in an async one, a call returned is awaited (the function's
    /// promise adopts the call's).
    pub fn returned(&mut self, e: &Expression) -> String {
        let v = self.expr_awaiting(e, self.asyncs.in_async);
        format!("return {};", strip_parens(&v))
    }

    /// `e` converted, with `e` itself the awaited call when it is a call and `awaiting` (a call
    /// inside it is not).
    fn expr_awaiting(&mut self, e: &Expression, awaiting: bool) -> String {
        let call = match e.without_parentheses() {
            Expression::CallExpression(c) if awaiting => Some(c.span),
            _ => None,
        };
        let outer = std::mem::replace(&mut self.asyncs.awaited, call);
        let out = self.expr(e);
        self.asyncs.awaited = outer;
        out
    }

    /// A call of the file's async function `name`: listed unless awaited at once.
    pub fn check_async_call(&mut self, name: &str, call: Span) -> String {
        if !self.asyncs.fns.contains(name) || self.awaited_here(call) {
            return String::new();
        }
        self.item(
            call,
            ItemKind::Unconvertible,
            format!(
                "a call of the async function `{name}` that is not awaited at once: k6 runs the code after it \
                 alongside it, rload's plain call finishes first (`await {name}(…)` runs the same in both)"
            ),
        )
    }

    /// The file's async function `name` used as a value: listed (its caller is unknown).
    pub fn check_async_value(&mut self, name: &str, span: Span) -> String {
        if !self.asyncs.fns.contains(name) {
            return String::new();
        }
        self.item(
            span,
            ItemKind::Unconvertible,
            format!("the async function `{name}` used as a value: whoever calls it may not await it"),
        )
    }

    /// Whether `http.asyncRequest(…)` is the call being awaited (then it is `http.request(…)`).
    pub fn awaited_here(&self, call: Span) -> bool {
        self.asyncs.awaited == Some(call)
    }

    /// At the end of the file: `await` where timers are used is listed, with the comment for the
    /// top of the output (the statements are written by then).
    pub fn finish_asyncs(&mut self) -> String {
        let (Some(at), Some(_)) = (self.asyncs.first_await, self.asyncs.first_timer) else {
            return String::new();
        };
        let comment = self.item(
            at,
            ItemKind::Unconvertible,
            "`await` in a script that uses timers: k6 runs a timer's callback while a call is awaited, \
                 rload's plain call finishes first",
        );
        format!("{comment}\n")
    }
}

/// The span of a promise API an awaited expression uses directly (`Promise.all(…)`,
/// `new Promise(…)`, `x.then(…)`).
fn promise_api(e: &Expression) -> Option<Span> {
    match e {
        Expression::CallExpression(c) => match c.callee.without_parentheses() {
            Expression::StaticMemberExpression(m) => {
                let on_promise = matches!(&m.object, Expression::Identifier(o) if o.name == "Promise");
                let chained = matches!(m.property.name.as_str(), "then" | "catch" | "finally");
                (on_promise || chained).then_some(c.span)
            }
            _ => None,
        },
        Expression::NewExpression(n) => {
            matches!(&n.callee, Expression::Identifier(o) if o.name == "Promise").then_some(n.span())
        }
        _ => None,
    }
}
