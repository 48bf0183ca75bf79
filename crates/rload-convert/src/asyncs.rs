//! `async` functions, `await` and the promises of `http.asyncRequest`, converted where k6 and
//! rload run the same code in the same order.
//!
//! rload's calls of the script's own functions finish before they return, so an async function
//! whose every call is awaited at once runs exactly as a plain function: k6 suspends the caller
//! at each `await` until the callee's promise settles, and nothing else of the VU's JavaScript
//! runs meanwhile. That holds for:
//! - a top-level `async function f` (or `const f = async (…) => …`) of the file, each call
//!   `await f(…)` or `return f(…)` from an async function (the caller's promise adopts the
//!   callee's);
//! - the functions k6 calls itself (`export default async function`, an async `setup`,
//!   `teardown`, `handleSummary` or scenario `exec` function): k6 awaits their promises.
//!
//! `http.asyncRequest(…)` (or its named import) is rload's own promise, `http.asyncRequest(…)`:
//! the request runs while the script goes on, and the iteration ends once it completes
//! (`src/script/api/http_async.rs`). Awaited at once it is `http.await_request(…)`, which is
//! `http.request(…)` unless another promise of the VU may reject meanwhile. `await e` is
//! `http.wait(e)`, which waits for such a promise and passes any other value through, unless
//! `e` cannot be a promise in rload (a literal, an operator's result, a call of the file's own
//! async functions), where it is `e`; an async function's `return e` alike. `await
//! Promise.all(list)` is `http.wait_all(list)`, or `http.request_all([[method, url, body,
//! params], …])` when the list is made of `http.asyncRequest(…)` calls only, written out or
//! `xs.map((x) => http.asyncRequest(…))` (one suspension, no promise each).
//!
//! In a file that uses promise callbacks or the `Promise` combinators (`promises.rs`), every job
//! of k6's queue counts: each `await` is `http.wait(e)` (one job, also of a value), but `await
//! http.asyncRequest(…)`, and `http.wait_async(|| f(…))` of the file's own async function (one
//! job after its body, a throw included); an async function's `return e` of anything that may be
//! a promise is `http.adopt(e)` (adopting one takes two jobs), of the file's own async function
//! `http.adopt_async(|| f(…))` (one job after its body if it suspended, two if not).
//!
//! Everything else is listed, never run in another order: a call of an async function that is
//! not awaited at once (k6 runs the rest of the caller alongside it), an async function used as
//! a value or exported from an imported module (its callers cannot be checked), an async
//! callback (`group`, `check`, the array methods and `then` do not await it), `new Promise` but
//! a timer's, and `await` in a file that uses timers (k6 runs a timer's callback while a call is
//! awaited; rload after).

use std::collections::HashSet;

use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};

use crate::conv::{Binding, Conv};
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
    /// The `http.asyncRequest(…)` calls of the `Promise.all` being converted: each is written
    /// as its arguments' array, an entry of `http.request_all`.
    pub all_requests: Vec<Span>,
    pub first_timer: Option<Span>,
    /// The file uses a promise's callbacks or the `Promise` combinators (`promises.rs`): every
    /// `await` is then a job of k6's queue (`http.wait`), as the callbacks queued before it run
    /// first, and an async function's `return` of a promise adopts it (`http.adopt`). Known
    /// from a first pass over the file (`modules::convert_file`).
    pub callbacks: bool,
    /// The first such use this pass saw.
    pub first_callback: Option<Span>,
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
        if let Some(out) = self.promise_all(a.argument.without_parentheses()) {
            return out;
        }
        if let Some(out) = self.timer_promise(a.argument.without_parentheses()) {
            return out;
        }
        if let Some(c) = new_promise(a.argument.without_parentheses()) {
            return self.unconvertible(
                c,
                "`new Promise(…)` (but a timer's, `new Promise((r) => setTimeout(r, ms))`): a promise's executor \
                 (`resolve`, `reject`) has no counterpart in rload, which has the promises of \
                 `http.asyncRequest(…)`, `Promise.resolve`, `Promise.reject` and the combinators",
            );
        }
        self.awaited(&a.argument)
    }

    /// `return e;` in a function: in an async one, `e` is awaited (the function's promise
    /// adopts a promise it returns).
    pub fn returned(&mut self, e: &Expression) -> String {
        let v = if self.asyncs.in_async { self.async_result(e) } else { self.expr(e) };
        format!("return {};", strip_parens(&v))
    }

    /// What an async function returns (`return e`, an async arrow's expression body): `e`
    /// awaited, as its promise adopts a promise `e` is.
    pub fn async_result(&mut self, e: &Expression) -> String {
        if self.asyncs.callbacks {
            return self.adopted(e);
        }
        match self.promise_all(e.without_parentheses()) {
            Some(all) => all,
            None => self.awaited(e),
        }
    }

    /// What an async function returns where every job counts (`AsyncState::callbacks`): a value
    /// that cannot be a promise as it is; a call of the file's own async function as
    /// `http.adopt_async(|| f(…))` (k6 adopts its promise one job after its body ends if it
    /// suspended, two if not); else `http.adopt(e)`, which takes k6's two jobs to adopt a promise
    /// (none for any other value).
    fn adopted(&mut self, e: &Expression) -> String {
        let inner = e.without_parentheses();
        if never_promise(inner) {
            return self.expr(e);
        }
        if let Some(call) = self.own_async_call(inner) {
            let outer = self.asyncs.awaited.replace(call);
            let out = self.expr(e);
            self.asyncs.awaited = outer;
            return format!("http.adopt_async(|| {})", strip_parens(&out));
        }
        let v = self.expr(e);
        format!("http.adopt({})", strip_parens(&v))
    }

    /// The span of `e` when it is a call of the file's own async function.
    fn own_async_call(&self, e: &Expression) -> Option<Span> {
        let Expression::CallExpression(c) = e else { return None };
        matches!(c.callee.without_parentheses(), Expression::Identifier(f)
            if self.asyncs.fns.contains(f.name.as_str()) && !self.is_local(&f.name))
        .then_some(c.span)
    }

    /// The value `await e` gives: `e` itself where it cannot be a promise (a literal, an
    /// operator's result, a call of the file's own async functions, whose promises rload's
    /// plain calls settle), an awaited `http.asyncRequest(…)` as `http.await_request(…)`; else
    /// `http.wait(e)`, which waits for an `http.asyncRequest` promise and passes any other
    /// value through.
    ///
    /// Where every job counts (`AsyncState::callbacks`), only `http.asyncRequest(…)` is written
    /// so (`http.await_request` takes the VU's idle moments when a callback may run): the await
    /// of any other value is one job of k6's queue, which the callbacks queued before it precede.
    fn awaited(&mut self, e: &Expression) -> String {
        let call = match e.without_parentheses() {
            Expression::CallExpression(c) => Some(c.span),
            _ => None,
        };
        let outer = std::mem::replace(&mut self.asyncs.awaited, call);
        let out = self.expr(e);
        self.asyncs.awaited = outer;
        if self.settles_now(e.without_parentheses()) {
            out
        } else if self.asyncs.callbacks && self.own_async_call(e.without_parentheses()).is_some() {
            // One job after its body has ended, thrown included.
            format!("http.wait_async(|| {})", strip_parens(&out))
        } else {
            format!("http.wait({})", strip_parens(&out))
        }
    }

    /// Whether `e` is no promise once rload has evaluated it (see [`Conv::awaited`]).
    fn settles_now(&self, e: &Expression) -> bool {
        if self.async_request(e).is_some() {
            return true;
        }
        if self.asyncs.callbacks {
            return false;
        }
        self.own_async_call(e).is_some() || never_promise(e)
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

    /// Whether `http.asyncRequest(…)` is the call being awaited (then it is
    /// `http.await_request(…)`).
    pub fn awaited_here(&self, call: Span) -> bool {
        self.asyncs.awaited == Some(call)
    }

    /// Whether `http.asyncRequest(…)` is an entry of the awaited `Promise.all` (then it is
    /// its arguments' array).
    pub fn all_entry(&self, call: Span) -> bool {
        self.asyncs.all_requests.contains(&call)
    }

    /// An awaited `Promise.all(list)`: of requests only (an array of `http.asyncRequest(…)`
    /// calls, or `xs.map((x) => http.asyncRequest(…))`) as `http.request_all(…)`, which sends
    /// them without a promise each; of any other list as `http.wait_all(list)`. `None` for any
    /// other expression (a promise API left is listed by the caller).
    fn promise_all(&mut self, e: &Expression) -> Option<String> {
        let Expression::CallExpression(c) = e else { return None };
        let Expression::StaticMemberExpression(m) = c.callee.without_parentheses() else { return None };
        let on_promise = matches!(&m.object, Expression::Identifier(o) if o.name == "Promise")
            && !self.is_local("Promise")
            && !self.top_vars.contains("Promise");
        if !on_promise || m.property.name != "all" || c.arguments.len() != 1 {
            return None;
        }
        let list = c.arguments[0].as_expression()?;
        let Some(requests) = self.requests_of(list.without_parentheses()) else {
            let values = self.expr(list);
            return Some(format!("http.wait_all({})", strip_parens(&values)));
        };
        let outer = std::mem::replace(&mut self.asyncs.all_requests, requests);
        let entries = self.expr(list);
        self.asyncs.all_requests = outer;
        Some(format!("http.request_all({})", strip_parens(&entries)))
    }

    /// `await new Promise((resolve) => setTimeout(resolve, ms))` in a function, as
    /// `js_await_timeout(ms)`: the VU waits `ms`. Where nothing else of the VU can run meanwhile,
    /// that is k6's wait: no other timer in the file (then the `await` is listed, as any `await`
    /// beside timers) and no `WebSocket`, whose handlers k6 would run during it. `None` for any
    /// other expression.
    fn timer_promise(&mut self, e: &Expression) -> Option<String> {
        let Expression::NewExpression(n) = e else { return None };
        let on_promise = matches!(&n.callee, Expression::Identifier(o) if o.name == "Promise")
            && !self.is_local("Promise")
            && !self.top_vars.contains("Promise");
        if !on_promise || n.arguments.len() != 1 || !self.asyncs.in_async || self.binding("WebSocket").is_some() {
            return None;
        }
        let (params, body) = match n.arguments[0].as_expression()?.without_parentheses() {
            Expression::ArrowFunctionExpression(f) if !f.r#async => match &f.body {
                ArrowFunctionBody::FunctionBody(b) => (&f.params, only_call(&b.statements)?),
                body => (&f.params, body.as_expression()?),
            },
            Expression::FunctionExpression(f) if !f.r#async && !f.generator => {
                (&f.params, only_call(&f.body.as_ref()?.statements)?)
            }
            _ => return None,
        };
        let [param] = params.items.as_slice() else { return None };
        let BindingPattern::BindingIdentifier(resolve) = &param.pattern else { return None };
        let Expression::CallExpression(c) = body.without_parentheses() else { return None };
        let timer = matches!(c.callee.without_parentheses(), Expression::Identifier(f)
            if f.name == "setTimeout"
                && !self.is_local("setTimeout")
                && !self.top_vars.contains("setTimeout")
                && matches!(self.binding("setTimeout"), None | Some(Binding::Function(_))));
        let resolves = matches!(c.arguments.first().and_then(|a| a.as_expression()),
            Some(Expression::Identifier(r)) if r.name == resolve.name);
        if !timer || !resolves || c.arguments.len() > 2 || params.rest.is_some() {
            return None;
        }
        let ms = match c.arguments.get(1) {
            Some(ms) => self.expr(ms.as_expression()?),
            None => "()".to_owned(),
        };
        Some(format!("js_await_timeout({})", strip_parens(&ms)))
    }

    /// The `http.asyncRequest(…)` calls `list` is made of: an array literal of such calls, or
    /// `xs.map(f)` whose `f` returns one. `None` when anything else is in it.
    fn requests_of(&self, list: &Expression) -> Option<Vec<Span>> {
        match list {
            Expression::ArrayExpression(a) => a
                .elements
                .iter()
                .map(|el| el.as_expression().and_then(|e| self.async_request(e.without_parentheses())))
                .collect(),
            Expression::CallExpression(c) => {
                let Expression::StaticMemberExpression(m) = c.callee.without_parentheses() else { return None };
                if m.property.name != "map" || c.arguments.len() != 1 {
                    return None;
                }
                let returned = match c.arguments[0].as_expression()?.without_parentheses() {
                    Expression::ArrowFunctionExpression(f) if !f.r#async => match &f.body {
                        ArrowFunctionBody::FunctionBody(b) => only_return(&b.statements)?,
                        body => body.as_expression()?,
                    },
                    Expression::FunctionExpression(f) if !f.r#async && !f.generator => {
                        only_return(&f.body.as_ref()?.statements)?
                    }
                    _ => return None,
                };
                Some(vec![self.async_request(returned.without_parentheses())?])
            }
            _ => None,
        }
    }

    /// The span of `e` when it is a call of k6's `http.asyncRequest` (or its named import) with
    /// two to four plain arguments.
    fn async_request(&self, e: &Expression) -> Option<Span> {
        let Expression::CallExpression(c) = e else { return None };
        let plain = (2..=4).contains(&c.arguments.len()) && c.arguments.iter().all(|a| a.as_expression().is_some());
        let is_async_request = match c.callee.without_parentheses() {
            Expression::StaticMemberExpression(m) => {
                m.property.name == "asyncRequest"
                    && matches!(&m.object, Expression::Identifier(o)
                        if matches!(self.binding(&o.name), Some(Binding::Value(v)) if v == "http"))
            }
            Expression::Identifier(f) => {
                matches!(self.binding(&f.name), Some(Binding::Function(v)) if v == "http.asyncRequest")
            }
            _ => false,
        };
        (plain && is_async_request).then_some(c.span)
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

/// The expression of a function body that is one expression statement (`{ setTimeout(r, 5); }`).
fn only_call<'b>(statements: &'b [Statement<'b>]) -> Option<&'b Expression<'b>> {
    match statements {
        [Statement::ExpressionStatement(s)] => Some(&s.expression),
        _ => None,
    }
}

/// The expression a function body of one `return e;` returns.
fn only_return<'b>(statements: &'b [Statement<'b>]) -> Option<&'b Expression<'b>> {
    match statements {
        [Statement::ReturnStatement(r)] => r.argument.as_ref(),
        _ => None,
    }
}

/// The span of `new Promise(…)` (which an await of a timer's leaves).
fn new_promise(e: &Expression) -> Option<Span> {
    match e {
        Expression::NewExpression(n) => {
            matches!(&n.callee, Expression::Identifier(o) if o.name == "Promise").then_some(n.span())
        }
        _ => None,
    }
}

/// Whether `e` is a value that cannot be a promise: a literal, an operator's result.
fn never_promise(e: &Expression) -> bool {
    match e {
        Expression::BooleanLiteral(_)
        | Expression::NullLiteral(_)
        | Expression::NumericLiteral(_)
        | Expression::StringLiteral(_)
        | Expression::TemplateLiteral(_)
        | Expression::ArrayExpression(_)
        | Expression::ObjectExpression(_)
        | Expression::BinaryExpression(_)
        | Expression::UnaryExpression(_) => true,
        Expression::Identifier(i) => i.name == "undefined",
        _ => false,
    }
}
