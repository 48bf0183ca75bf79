//! A promise's callbacks (`p.then(f)`, `p.catch(f)`, `p.finally(f)`) and the `Promise`
//! combinators (`Promise.resolve`, `reject`, `all`, `allSettled`, `any`, `race`), converted to
//! rload's promises (`src/script/api/promise.rs`), which run the callbacks when k6 does: when
//! the VU's JavaScript is idle (at an `await`, at the iteration's end), in k6's order.
//!
//! `p.catch(f)` is `p.catch_error(f)` (`catch` is a Rhai keyword); the others keep their names.
//! A file that uses any of them has every `await` converted as one job of k6's queue
//! (`AsyncState::callbacks`, `asyncs.rs`), so the callbacks queued before an await run before
//! the code after it, as in k6. Listed: a callback beside timers or a `WebSocket` (k6 runs
//! their callbacks between the promises' as they come; rload after them), `Promise`'s other
//! functions (`Promise.withResolvers`, `Promise.try`), and an async callback (as every async
//! callback is, `asyncs.rs`).

use oxc_ast::ast::*;

use crate::conv::Conv;
use crate::ItemKind;

/// The functions of the global `Promise` rload has.
const COMBINATORS: &[&str] = &["resolve", "reject", "all", "allSettled", "any", "race"];

impl Conv<'_> {
    /// `p.then(…)`, `p.catch(…)`, `p.finally(…)` and `Promise.m(…)`: the Rhai call, noted as a
    /// use of promise callbacks. `None` for any other call.
    pub fn promise_call(&mut self, c: &CallExpression, m: &StaticMemberExpression) -> Option<String> {
        let method = m.property.name.as_str();
        let on_promise = matches!(&m.object, Expression::Identifier(o) if o.name == "Promise")
            && !self.is_local("Promise")
            && !self.top_vars.contains("Promise")
            && !self.top_fns.contains_key("Promise");
        if on_promise {
            self.asyncs.first_callback.get_or_insert(c.span);
            if !COMBINATORS.contains(&method) {
                return Some(self.unconvertible(
                    c.span,
                    format!("`Promise.{method}(…)`: rload's `Promise` has {}", COMBINATORS.join(", ")),
                ));
            }
            let args = self.args(&c.arguments).join(", ");
            return Some(format!("Promise.{method}({args})"));
        }
        let name = match method {
            "then" | "finally" => method,
            "catch" => "catch_error",
            _ => return None,
        };
        self.asyncs.first_callback.get_or_insert(c.span);
        // Written here: `finally` is a name Rhai reserves for variables, not for methods.
        let obj = self.expr(&m.object);
        let rejection = match method {
            "catch" => Some(0),
            "then" => Some(1),
            _ => None,
        };
        let args: Vec<String> = c
            .arguments
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let param = if Some(i) == rejection { rejection_param(a) } else { None };
                // A rejection handler's parameter is what a `catch (e)` gets: `e.message` reads
                // it as there.
                if let Some(p) = &param {
                    self.catch_params.push(p.clone());
                }
                let out = self.args(std::slice::from_ref(a)).join(", ");
                if param.is_some() {
                    self.catch_params.pop();
                }
                out
            })
            .collect();
        Some(format!("{obj}.{name}({})", args.join(", ")))
    }

    /// At the end of the file: promise callbacks beside timers or a `WebSocket` are listed, with
    /// the comment for the top of the output.
    pub fn finish_promises(&mut self) -> String {
        let Some(at) = self.asyncs.first_callback else { return String::new() };
        if self.asyncs.first_timer.is_none() && self.binding("WebSocket").is_none() {
            return String::new();
        }
        let comment = self.item(
            at,
            ItemKind::Unconvertible,
            "promise callbacks in a script that uses timers or a WebSocket: k6 runs their callbacks between the \
             promises' as they come, rload after them",
        );
        format!("{comment}\n")
    }
}

/// The name of the first parameter of a function written as `a`.
fn rejection_param(a: &Argument) -> Option<String> {
    let params = match a {
        Argument::ArrowFunctionExpression(f) => &f.params,
        Argument::FunctionExpression(f) => &f.params,
        _ => return None,
    };
    match &params.items.first()?.pattern {
        BindingPattern::BindingIdentifier(id) => Some(id.name.to_string()),
        _ => None,
    }
}
