//! Expressions: literals, names, members, assignments, objects and arrays, closures,
//! templates. Operators are in `operators.rs`, calls in `calls.rs`.
//!
//! Where JavaScript and Rhai differ: `null`/`undefined` are `()`; `a ? b : c` is an `if`
//! expression; objects are `#{…}` maps (a duplicated key keeps its last value, spreads merge
//! with `+`); a template's parts that are not certainly strings become JavaScript's text
//! (`js_str`).
use oxc_ast::ast::*;
use oxc_span::GetSpan;

use crate::conv::{Binding, Conv};
use crate::kinds::Kind;
use crate::names;

impl Conv<'_> {
    pub fn expr(&mut self, e: &Expression) -> String {
        match e {
            Expression::BooleanLiteral(b) => b.value.to_string(),
            Expression::NullLiteral(_) => "js_null()".into(),
            Expression::NumericLiteral(n) => number(n.value),
            Expression::StringLiteral(s) => names::string(s.value.as_str()),
            Expression::TemplateLiteral(t) => self.template(t),
            Expression::Identifier(id) => self.ident_value(id),
            Expression::ArrayExpression(a) => self.array(a),
            Expression::ObjectExpression(o) => self.object(o),
            Expression::ParenthesizedExpression(p) => {
                let inner = self.expr(&p.expression);
                format!("({inner})")
            }
            Expression::ArrowFunctionExpression(f) => self.arrow(f, false),
            Expression::FunctionExpression(f) => self.function_expr(f, false),
            Expression::CallExpression(c) => self.call(c),
            Expression::NewExpression(n) => self.new_expr(n),
            Expression::StaticMemberExpression(m) => self.static_member(m),
            Expression::ComputedMemberExpression(m) => {
                let obj = self.expr(&m.object);
                let idx = self.index_key(&obj, &m.object, &m.expression);
                let q = if m.optional { "?" } else { "" };
                format!("{obj}{q}[{idx}]")
            }
            Expression::ChainExpression(c) => match &c.expression {
                ChainElement::CallExpression(call) => self.call(call),
                ChainElement::StaticMemberExpression(m) => self.static_member(m),
                ChainElement::ComputedMemberExpression(m) => {
                    let obj = self.expr(&m.object);
                    let idx = self.index_key(&obj, &m.object, &m.expression);
                    let q = if m.optional { "?" } else { "" };
                    format!("{obj}{q}[{idx}]")
                }
                other => self.unconvertible(other.span(), "this optional chain"),
            },
            Expression::BinaryExpression(b) => self.binary(b),
            Expression::LogicalExpression(l) => self.logical(l),
            Expression::UnaryExpression(u) => self.unary(u),
            Expression::ConditionalExpression(c) => {
                let test = self.cond(&c.test);
                let a = self.expr(&c.consequent);
                let b = self.expr(&c.alternate);
                format!("(if {test} {{ {a} }} else {{ {b} }})")
            }
            Expression::AssignmentExpression(a) => {
                // As a value (`x = y = 0`, `while ((m = re.exec(s)))`): the assignment, then the
                // value. A destructuring assignment's block gives its value itself.
                if matches!(&a.left, AssignmentTarget::ObjectAssignmentTarget(_) | AssignmentTarget::ArrayAssignmentTarget(_)) {
                    return self.assignment(a);
                }
                let stmt = self.assignment(a);
                let target = self.assign_target_text(&a.left);
                format!("{{ {stmt}; {target} }}")
            }
            Expression::UpdateExpression(u) => {
                let target = self.simple_target(&u.argument);
                let update = self.update_stmt(u, &target);
                if u.prefix {
                    format!("{{ {update}; {target} }}")
                } else {
                    // The number x held: after the update, x is one (`"5"++` gives 5).
                    let back = if u.operator == UpdateOperator::Increment { "-" } else { "+" };
                    format!("{{ {update}; {target} {back} 1 }}")
                }
            }
            Expression::TaggedTemplateExpression(t) => self.tagged_template(t),
            Expression::AwaitExpression(a) => self.await_expr(a),
            Expression::ThisExpression(t) => self.this_expr(t.span),
            Expression::ClassExpression(c) => self.unconvertible(c.span, "a class expression: rload converts classes declared at the top level of the entry script, as `class C { … }` or `const C = class { … }`"),
            Expression::RegExpLiteral(r) => self.regexp_literal(r),
            Expression::SequenceExpression(s) => {
                let parts: Vec<String> = s.expressions.iter().map(|e| self.expr(e)).collect();
                format!("{{ {} }}", parts.join("; "))
            }
            Expression::BigIntLiteral(b) => self.unconvertible(b.span, "a BigInt"),
            other => self.unconvertible(other.span(), "this expression"),
        }
    }

    /// An expression used as a condition: booleans as they are, anything else by JavaScript's
    /// truthiness.
    pub fn cond(&mut self, e: &Expression) -> String {
        let text = self.expr(e);
        if is_bool(e) {
            text
        } else {
            let h = self.helper("js_truthy");
            format!("{h}({})", strip_parens(&text))
        }
    }

    pub fn ident_value(&mut self, id: &IdentifierReference) -> String {
        let name = id.name.as_str();
        match name {
            "undefined" => return "()".into(),
            "NaN" => return "(0.0 / 0.0)".into(),
            "Infinity" => return "(1.0 / 0.0)".into(),
            _ => {}
        }
        // A function's `arguments` object: Rhai has none (a function takes exactly its
        // parameters), and the name would fail when the line runs.
        if name == "arguments" && !self.is_local(name) && !self.top_vars.contains(name) && self.in_function() {
            return self.unconvertible(
                id.span,
                "`arguments`: Rhai has no such object; take the values as a rest parameter (`function f(...args)`)",
            );
        }
        if self.captured_name_is_a_function(name) {
            return self.unconvertible(id.span, clash_note(name));
        }
        // JavaScript's built-ins rload lacks: the name would fail when the line runs.
        if matches!(
            name,
            "Symbol"
                | "Reflect"
                | "Intl"
                | "Atomics"
                | "WebAssembly"
                | "SharedArrayBuffer"
                | "WeakRef"
                | "FinalizationRegistry"
        ) && !self.is_local(name)
            && !self.top_vars.contains(name)
            && !self.top_fns.contains_key(name)
        {
            return self.unconvertible(id.span, format!("`{name}`: rload has no {name}"));
        }
        if name == "globalThis" && !self.is_local(name) && !self.top_vars.contains(name) {
            return self.unconvertible(
                id.span,
                "`globalThis`: rload has no global object; keep the value in a variable declared at the top of the script",
            );
        }
        if self.is_own_name(name) {
            // An object's own name inside its method: the method's `this` (`objects.rs`).
            return self.own_name_expr(name, id.span);
        }
        if let Some(refused) = self.own_name_in_function(name, id.span) {
            return refused;
        }
        self.note_reference(name);
        if self.is_class(name) {
            return self.unconvertible(
                id.span,
                format!("the class `{name}` used as a value: rload converts `new {name}(…)` and `{name}.staticMethod(…)` only"),
            );
        }
        if let Some(b) = self.binding(name).cloned().or_else(|| self.free_global(name)) {
            return self.binding_value(&b, id.span);
        }
        if !self.is_local(name) && self.top_fns.contains_key(name) {
            // A function used as a value (a callback): a function pointer.
            let rhai_name = self.fn_name(name);
            self.fns_as_values.insert(rhai_name.clone());
            let flag = self.check_async_value(name, id.span);
            if let Some(n) = self.rest_fns.get(name) {
                // With a rest parameter: what `js_call` calls with JavaScript's arguments (`rest.rs`).
                return format!("{flag}js_rest(Fn({}), {n})", names::string(&format!("{rhai_name}__rest")));
            }
            return format!("{flag}Fn({})", names::string(&rhai_name));
        }
        if self.in_function() && self.module.is_some() && !self.is_local(name) && self.top_vars.contains(name) {
            self.module_consts_used = true;
            return format!("self_::{}", names::var(name));
        }
        if name == "__ITER" && self.closure_depth > 0 && !self.is_local(name) {
            // A Rhai closure would keep the __ITER of the moment it was made (a check's
            // closure made in init code: 0 in every iteration): read it when it runs.
            return format!("{}()", self.helper("js_iter"));
        }
        names::var(name)
    }

    /// A name JavaScript has without an import (`open`, `console`, timers), unless declared here.
    pub fn free_global(&self, name: &str) -> Option<Binding> {
        if self.is_local(name) || self.top_vars.contains(name) || self.top_fns.contains_key(name) {
            return None;
        }
        crate::k6_imports::global(name)
    }

    pub fn binding_value(&mut self, b: &Binding, span: oxc_span::Span) -> String {
        match b {
            Binding::Value(v) | Binding::Function(v) | Binding::Constructor(v) => v.clone(),
            Binding::Module(m) => m.clone(),
            Binding::ModuleItem(m, n) => format!("{m}::{}", names::var(n)),
            Binding::Helper(h) => {
                let h = self.helper(h);
                format!("Fn(\"{h}\")")
            }
            b @ (Binding::Pending(..) | Binding::Fixed(..)) => {
                let (v, note, kind) = b.noted().unwrap_or_default();
                let c = self.item(span, kind, note);
                format!("{c} {v}")
            }
            Binding::Unsupported(reason) => self.unconvertible(span, reason.clone()),
        }
    }

    /// The Rhai name of this file's top-level function `name`.
    pub fn fn_name(&self, name: &str) -> String {
        if self.default_fn.as_deref() == Some(name) {
            "run".into()
        } else {
            names::var(name)
        }
    }

    fn static_member(&mut self, m: &StaticMemberExpression) -> String {
        let prop = m.property.name.as_str();
        if let Some(refused) = self.method_as_value(m).or_else(|| self.object_method_as_value(m)) {
            return refused;
        }
        if let Some(refused) = self.regexp_static(m) {
            return refused;
        }
        if let Expression::Identifier(id) = &m.object {
            if let Some(Binding::Module(ns)) = self.binding(id.name.as_str()).cloned() {
                return format!("{ns}::{}", names::var(prop));
            }
            if let Some(v) = self.global_constant(id.name.as_str(), prop) {
                return v;
            }
            let name = id.name.as_str();
            if matches!(name, "Math" | "Number" | "JSON" | "Object" | "Array" | "String" | "Date")
                && !self.is_local(name)
                && !self.top_vars.contains(name)
            {
                return self.unconvertible(m.span, format!("`{name}.{prop}`: rload has no such value"));
            }
        }
        let obj = self.expr(&m.object);
        // `catch (e) { … e.message … }`: what Rhai caught is a map with a `message` for its own
        // errors, and the thrown value itself for a `throw` (a string: `new Error(m)` is `m`) and
        // for rload's errors; JavaScript's errors all have a `message`.
        if prop == "message" || prop == "name" {
            if let Expression::Identifier(id) = &m.object {
                if self.catch_params.iter().any(|p| p == id.name.as_str()) {
                    let h = self.helper(if prop == "name" { "js_error_name" } else { "js_message" });
                    return format!("{h}({obj})");
                }
            }
        }
        let q = if m.optional { "?" } else { "" };
        if prop == "length" {
            return format!("{obj}{q}.len()");
        }
        match names::property(prop) {
            Some(p) => format!("{obj}{q}.{p}"),
            None => format!("{obj}{q}[{}]", names::string(prop)),
        }
    }

    /// `Math.PI`, `Number.MAX_SAFE_INTEGER`, …
    fn global_constant(&mut self, obj: &str, prop: &str) -> Option<String> {
        if self.is_local(obj) || self.top_vars.contains(obj) {
            return None;
        }
        Some(match (obj, prop) {
            ("Math", "PI") => "PI()".into(),
            ("Math", "E") => "E()".into(),
            ("Number", "MAX_SAFE_INTEGER") => "9007199254740991".into(),
            ("Number", "MIN_SAFE_INTEGER") => "-9007199254740991".into(),
            ("Number", "POSITIVE_INFINITY") => "(1.0 / 0.0)".into(),
            ("Number", "NEGATIVE_INFINITY") => "(-1.0 / 0.0)".into(),
            ("Number", "NaN") => "(0.0 / 0.0)".into(),
            ("Number", "MAX_VALUE") => "1.7976931348623157e308".into(),
            ("Number", "MIN_VALUE") => "5.0e-324".into(),
            ("Number", "EPSILON") => "2.220446049250313e-16".into(),
            ("Math", "LOG2E") => "1.4426950408889634".into(),
            ("Math", "LOG10E") => "0.4342944819032518".into(),
            ("Math", "SQRT1_2") => "0.7071067811865476".into(),
            ("Math", "LN2") => "0.6931471805599453".into(),
            ("Math", "LN10") => "2.302585092994046".into(),
            ("Math", "SQRT2") => "1.4142135623730951".into(),
            _ => return None,
        })
    }

    /// `a = b`, `a += b`, … as a Rhai statement (no semicolon).
    pub fn assignment(&mut self, a: &AssignmentExpression) -> String {
        use AssignmentOperator::*;
        if let Some(root) = target_root(&a.left) {
            self.note_mutation(&root);
        }
        if matches!(&a.left, AssignmentTarget::ObjectAssignmentTarget(_) | AssignmentTarget::ArrayAssignmentTarget(_)) {
            if a.operator != AssignmentOperator::Assign {
                return self.unconvertible(a.span, "a destructuring assignment with an operator");
            }
            let source = self.expr(&a.right);
            return self.destructuring_assignment(&a.left, source);
        }
        let target = self.assign_target_text(&a.left);
        if a.operator.is_bitwise() {
            // `x |= y` is `x = x | y`, on ToInt32 of both (`operators.rs`).
            let op = match a.operator {
                BitwiseAnd => BinaryOperator::BitwiseAnd,
                BitwiseOR => BinaryOperator::BitwiseOR,
                BitwiseXOR => BinaryOperator::BitwiseXOR,
                ShiftLeft => BinaryOperator::ShiftLeft,
                ShiftRight => BinaryOperator::ShiftRight,
                _ => BinaryOperator::ShiftRightZeroFill,
            };
            let h = self.helper("js_int32");
            let value = self.bitwise(op, &format!("{h}({target})"), &a.right);
            return format!("{target} = {value}");
        }
        let value = self.expr(&a.right);
        if a.operator == Assign {
            self.note_assignment(&a.left, &a.right);
        }
        // `x op= v` is `x = x op v` with JavaScript's operator (`operators.rs`). Rhai's own
        // `+=`, `-=`, `*=` where both are certainly numbers (and `+= 1` beside a string);
        // anything else through a helper: `js_add` for a `+=` of what may be text, else
        // `js_update`, which reads a side that is null or undefined as JavaScript does.
        let target_kind = match a.left.as_simple_assignment_target() {
            Some(t) => self.target_kind(t),
            None => Kind::Unknown,
        };
        let numbers = matches!(target_kind, Kind::Num { .. });
        let (value_kind, number) = self.nullish_as_number(&a.right, &value);
        let numbers = numbers && matches!(value_kind, Kind::Num { .. });
        let update = |conv: &mut Self, op: &str| {
            if !crate::operators::is_plain_target(&target) && matches!(op, "+" | "-" | "*" | "%") {
                // A target with a call or a block in it (`xs[next()] -= 1`) is written once.
                return format!("{target} {op}= {}", strip_parens(&number));
            }
            let h = conv.helper("js_update");
            let (flag, target) = crate::operators::split_flag(&target);
            format!("{flag}{target} = {h}({target}, {}, \"{op}\")", strip_parens(&number))
        };
        if a.operator == Addition && !numbers {
            let right = self.kind(&a.right);
            if right == Kind::Str || target_kind == Kind::Str {
                let h = self.helper("js_add");
                return format!("{target} = {h}({target}, {})", strip_parens(&value));
            }
            if matches!(right, Kind::Null | Kind::Undefined) {
                // `x += undefined`: the word beside text, else the number (as `x + undefined`).
                let h = self.helper("js_add");
                return format!("{target} = {h}({target}, {})", strip_parens(&value));
            }
            return update(self, "+");
        }
        let op = match a.operator {
            Assign => "=",
            Addition => "+=",
            Subtraction | Multiplication if !numbers => return update(self, a.operator.as_str().trim_end_matches('=')),
            Subtraction => "-=",
            Multiplication => "*=",
            Remainder if numbers && crate::operators::is_nonzero_literal(&a.right) => "%=",
            Remainder => return update(self, "%"),
            Exponential if numbers => {
                let h = self.helper("js_pow");
                return format!("{target} = {h}({target}, {})", strip_parens(&number));
            }
            Exponential => return update(self, "**"),
            Division if numbers => {
                let h = self.helper("js_div");
                return format!("{target} = {h}({target}, {})", strip_parens(&number));
            }
            Division => return update(self, "/"),
            LogicalNullish => return format!("if {target} == () {{ {target} = {value}; }}"),
            LogicalOr => {
                let h = self.helper("js_truthy");
                return format!("if !{h}({target}) {{ {target} = {value}; }}");
            }
            LogicalAnd => {
                let h = self.helper("js_truthy");
                return format!("if {h}({target}) {{ {target} = {value}; }}");
            }
            _ => return self.unconvertible(a.span, format!("the operator `{}`", a.operator.as_str())),
        };
        format!("{target} {op} {value}")
    }

    pub fn assign_target_text(&mut self, t: &AssignmentTarget) -> String {
        match t.as_simple_assignment_target() {
            Some(s) => self.simple_target(s),
            None => self.unconvertible(t.span(), "a destructuring assignment"),
        }
    }

    /// A variable assigned to.
    pub fn ident_target(&mut self, id: &IdentifierReference) -> String {
        self.note_mutation(id.name.as_str());
        self.note_reference(id.name.as_str());
        if self.in_function()
            && self.module.is_some()
            && !self.is_local(id.name.as_str())
            && self.top_vars.contains(id.name.as_str())
        {
            return self.unconvertible(
                id.span,
                "a module function changing the module's own variable: Rhai module functions cannot",
            );
        }
        names::var(id.name.as_str())
    }

    pub fn simple_target(&mut self, t: &SimpleAssignmentTarget) -> String {
        match t {
            SimpleAssignmentTarget::AssignmentTargetIdentifier(id) => self.ident_target(id),
            other => match other.as_member_expression() {
                Some(m) => {
                    let mut flag = String::new();
                    if let Some(root) = member_root(m.object()) {
                        self.note_mutation(&root);
                        // A RegExp is one object in rload too: its `lastIndex` set through any
                        // name is the one every name reads.
                        if m.static_property_name() != Some("lastIndex") {
                            flag = self.alias_change(&root, m.span());
                            if flag.is_empty() {
                                flag = self.nested_change(&root, m.object(), m.span());
                            }
                        }
                    }
                    let text = member_to_text(self, m);
                    format!("{flag}{text}")
                }
                None => self.unconvertible(other.span(), "this assignment target"),
            },
        }
    }
}

fn member_to_text(conv: &mut Conv, m: &MemberExpression) -> String {
    match m {
        MemberExpression::StaticMemberExpression(s) => {
            let obj = conv.expr(&s.object);
            match names::property(s.property.name.as_str()) {
                Some(p) => format!("{obj}.{p}"),
                None => format!("{obj}[{}]", names::string(s.property.name.as_str())),
            }
        }
        MemberExpression::ComputedMemberExpression(c) => {
            let obj = conv.expr(&c.object);
            let idx = conv.index_key(&obj, &c.object, &c.expression);
            format!("{obj}[{idx}]")
        }
        MemberExpression::PrivateFieldExpression(p) => conv.unconvertible(p.span, "a private field"),
    }
}

/// The variable at the root of `a.b[c].d`.
pub fn member_root(e: &Expression) -> Option<String> {
    match e {
        Expression::Identifier(id) => Some(id.name.to_string()),
        // A method's instance (`classes.rs`): a change marks the method as changing it.
        Expression::ThisExpression(_) => Some("this".into()),
        Expression::StaticMemberExpression(m) => member_root(&m.object),
        Expression::ComputedMemberExpression(m) => member_root(&m.object),
        _ => None,
    }
}

fn target_root(t: &AssignmentTarget) -> Option<String> {
    match t {
        AssignmentTarget::AssignmentTargetIdentifier(id) => Some(id.name.to_string()),
        other => other.as_member_expression().and_then(|m| member_root(m.object())),
    }
}

/// A JavaScript number as a Rhai literal: integral values as integers.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
        format!("{}", v as i64)
    } else if v.is_finite() {
        let s = format!("{v}");
        if s.contains(['.', 'e']) {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        "(1.0 / 0.0)".into()
    }
}

/// `undefined` or `void x`.
pub fn is_undefined(e: &Expression) -> bool {
    match e.without_parentheses() {
        Expression::Identifier(id) => id.name == "undefined",
        Expression::UnaryExpression(u) => u.operator == UnaryOperator::Void,
        _ => false,
    }
}

pub(crate) fn is_float_literal(e: &Expression) -> bool {
    matches!(e.without_parentheses(), Expression::NumericLiteral(n) if n.value.fract() != 0.0)
}

/// Whether `e` certainly gives a boolean (so it can stand in a Rhai condition as it is).
pub fn is_bool(e: &Expression) -> bool {
    match e.without_parentheses() {
        Expression::BooleanLiteral(_) => true,
        Expression::BinaryExpression(b) => b.operator.is_equality() || b.operator.is_compare() || b.operator.is_in(),
        Expression::UnaryExpression(u) => u.operator == UnaryOperator::LogicalNot,
        Expression::LogicalExpression(l) => {
            l.operator != LogicalOperator::Coalesce && is_bool(&l.left) && is_bool(&l.right)
        }
        Expression::CallExpression(c) => match &c.callee {
            Expression::Identifier(id) => matches!(id.name.as_str(), "check" | "isNaN"),
            Expression::StaticMemberExpression(m) => matches!(
                m.property.name.as_str(),
                "includes"
                    | "startsWith"
                    | "endsWith"
                    | "some"
                    | "every"
                    | "isArray"
                    | "hasOwnProperty"
                    | "has"
                    | "isInteger"
            ),
            _ => false,
        },
        _ => false,
    }
}

/// Identifiers and property chains: evaluating them twice is harmless.
pub(crate) fn is_pure_path(e: &Expression) -> bool {
    match e.without_parentheses() {
        Expression::Identifier(_) => true,
        Expression::StaticMemberExpression(m) => is_pure_path(&m.object),
        Expression::ComputedMemberExpression(m) => {
            is_pure_path(&m.object)
                && matches!(
                    &m.expression,
                    Expression::StringLiteral(_) | Expression::NumericLiteral(_) | Expression::Identifier(_)
                )
        }
        _ => false,
    }
}

pub fn strip_parens(s: &str) -> &str {
    if s.len() > 2 && s.starts_with('(') && s.ends_with(')') && balanced_inner(&s[1..s.len() - 1]) {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

fn balanced_inner(s: &str) -> bool {
    let mut depth = 0i32;
    let mut in_str: Option<char> = None;
    let mut prev = ' ';
    for c in s.chars() {
        if let Some(q) = in_str {
            if c == q && prev != '\\' {
                in_str = None;
            }
        } else if c == '"' || c == '`' {
            in_str = Some(c);
        } else if c == '(' {
            depth += 1;
        } else if c == ')' {
            depth -= 1;
            if depth < 0 {
                return false;
            }
        }
        prev = c;
    }
    depth == 0
}

/// Why a closure's use of `name` is listed (`Conv::captured_name_is_a_function`).
pub fn clash_note(name: &str) -> String {
    format!(
        "`{name}` here is a variable from outside this closure and also the name of a function of this file: Rhai's closure would take the function; rename the variable (or the function)"
    )
}
