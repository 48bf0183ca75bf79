//! Operators: JavaScript's meaning where Rhai's differs. `===` is `==`; loose `==`/`!=` and
//! comparisons of a string with what may not be one go through `js_loose_eq`/`js_compare`
//! unless both sides are certainly of one kind (`kinds.rs`); `+` with a string turns the other
//! side into JavaScript's text (`js_str`); `/` keeps JavaScript's number (`js_div`); `||`/`&&` on
//! values that are not booleans keep JavaScript's truthiness (`js_truthy`); bitwise operators
//! work on ToInt32 of their operands (`js_int32`: `x | 0` truncates a float, as `~~x` does).

use oxc_ast::ast::*;

use crate::conv::Conv;
use crate::expr::{is_bool, is_float_literal, is_pure_path, member_root, strip_parens};
use crate::kinds::Kind;
use crate::names;

impl Conv<'_> {
    /// The operand of `typeof`: as any value, but `__ITER`, which k6 does not define outside an
    /// iteration (where `typeof __ITER` is "undefined", not an error), is read so.
    fn typeof_operand(&mut self, arg: &Expression) -> String {
        match arg.without_parentheses() {
            Expression::Identifier(id) if id.name == "__ITER" && !self.is_local("__ITER") => {
                format!("{}()", self.helper("js_iter_or_undefined"))
            }
            _ => self.expr(arg),
        }
    }

    pub(crate) fn binary(&mut self, b: &BinaryExpression) -> String {
        use BinaryOperator::*;
        let op = match b.operator {
            StrictEquality => "==",
            StrictInequality => "!=",
            Equality | Inequality => {
                let negate = b.operator == Inequality;
                if let (Expression::UnaryExpression(u), Expression::StringLiteral(s)) = (&b.left, &b.right) {
                    if u.operator == UnaryOperator::Typeof && s.value.as_str() == "undefined" {
                        let v = self.typeof_operand(&u.argument);
                        return format!("{}js_is_undefined({})", if negate { "!" } else { "" }, strip_parens(&v));
                    }
                }
                let l = self.operand(&b.left);
                let r = self.operand(&b.right);
                return self.loose_equality(b, &l, &r, negate);
            }
            LessThan => "<",
            LessEqualThan => "<=",
            GreaterThan => ">",
            GreaterEqualThan => ">=",
            Addition => "+",
            Subtraction => "-",
            Multiplication => "*",
            Remainder => "%",
            Exponential => {
                let (l, r) = (self.expr(&b.left), self.expr(&b.right));
                let (_, l) = self.nullish_as_number(&b.left, &l);
                let (_, r) = self.nullish_as_number(&b.right, &r);
                return format!("{}({}, {})", self.helper("js_pow"), strip_parens(&l), strip_parens(&r));
            }
            BitwiseAnd | BitwiseOR | BitwiseXOR | ShiftLeft | ShiftRight | ShiftRightZeroFill => {
                let l = self.int32(&b.left);
                return self.bitwise(b.operator, &l, &b.right);
            }
            Division => {
                let l = self.expr(&b.left);
                let r = self.expr(&b.right);
                let (_, l) = self.nullish_as_number(&b.left, &l);
                let (_, r) = self.nullish_as_number(&b.right, &r);
                if is_float_literal(&b.left) || is_float_literal(&b.right) {
                    return format!("{l} / {r}");
                }
                let h = self.helper("js_div");
                return format!("{h}({}, {})", strip_parens(&l), strip_parens(&r));
            }
            // `k in o`: a key of an object, an index of an array (not one of its values).
            In => {
                let l = self.expr(&b.left);
                let r = self.expr(&b.right);
                let h = self.helper("js_in");
                return format!("{h}({}, {})", strip_parens(&l), strip_parens(&r));
            }
            // `x instanceof Array` (or Date, Map, Set, URL, URLSearchParams): the type rload's value
            // has. Error and the other classes stay refused: rload throws a `new Error(m)` as its
            // message, so it could not tell an Error from a thrown string.
            Instanceof => {
                let class = match &b.right {
                    Expression::Identifier(id) if !self.is_local(id.name.as_str()) => id.name.as_str(),
                    _ => "",
                };
                let types: &[&str] = match class {
                    "Array" => &["array", "SharedArray"],
                    "Date" => &["Date"],
                    "Map" => &["Map"],
                    "Set" => &["Set"],
                    "URL" => &["URL"],
                    "URLSearchParams" => &["URLSearchParams"],
                    _ => {
                        return self.unconvertible(
                            b.span,
                            "the operator `instanceof` (but for Array, Date, Map, Set, URL, URLSearchParams)",
                        )
                    }
                };
                let l = self.expr(&b.left);
                let tests: Vec<String> = types.iter().map(|t| format!("t == \"{t}\"")).collect();
                return format!("{{ let t = type_of({}); {} }}", strip_parens(&l), tests.join(" || "));
            }
        };
        // `typeof x === "undefined"` is `js_is_undefined(x)`.
        if let (Expression::UnaryExpression(u), Expression::StringLiteral(s)) = (&b.left, &b.right) {
            if u.operator == UnaryOperator::Typeof && s.value.as_str() == "undefined" && matches!(op, "==" | "!=") {
                let v = self.typeof_operand(&u.argument);
                return format!("{}js_is_undefined({})", if op == "!=" { "!" } else { "" }, strip_parens(&v));
            }
        }
        // `x === null` and `x === undefined`: rload's `()` is both, and only a null is tagged so
        // (`js_null()`, JSON's null), so a strict comparison with either asks which it is.
        if matches!(op, "==" | "!=") {
            if let Some(test) = self.strict_nullish(&b.left, &b.right) {
                return if op == "!=" { format!("!{test}") } else { test };
            }
        }
        let l = self.operand(&b.left);
        let r = self.operand(&b.right);
        // `a === b` where neither side is certainly of a kind: rload's `js_same`, which tells a
        // null from an undefined (Rhai's `==` takes any two `()` as equal).
        if matches!(b.operator, StrictEquality | StrictInequality)
            && self.kind(&b.left) == Kind::Unknown
            && self.kind(&b.right) == Kind::Unknown
        {
            let not = if b.operator == StrictInequality { "!" } else { "" };
            return format!("{not}js_same({}, {})", strip_parens(&l), strip_parens(&r));
        }
        if matches!(op, "<" | "<=" | ">" | ">=") {
            return self.comparison(b, &l, &r, op);
        }
        if matches!(op, "-" | "*" | "%") {
            return self.arithmetic(b, &l, &r, op);
        }
        if op == "+" {
            // A string on one side: JavaScript turns the other into text (`"p" + 1.5 * 2` is "p3").
            let (lk, rk) = (self.kind(&b.left), self.kind(&b.right));
            if lk == Kind::Str && rk != Kind::Str {
                let r = self.text_part(&b.right, &r);
                return format!("{l} + {r}");
            }
            if rk == Kind::Str && lk != Kind::Str {
                let l = self.text_part(&b.left, &l);
                return format!("{l} + {r}");
            }
            // `null` or `undefined` beside a number is that number plus 0 or NaN; beside what
            // may be text (`x + undefined`), which `+` it is shows only when it runs (`js_add`).
            let nullish = |k: Kind| matches!(k, Kind::Null | Kind::Undefined);
            let (nl, nr) = (self.nullish_as_number(&b.left, &l), self.nullish_as_number(&b.right, &r));
            let numeric = |k: Kind| matches!(k, Kind::Num { .. });
            if (nullish(lk) || nullish(rk)) && numeric(nl.0) && numeric(nr.0) {
                return format!("{} + {}", nl.1, nr.1);
            }
            // Neither side certainly a string nor both certainly numbers: which `+` it is shows
            // only when it runs (a string held in a variable plus `1.5 * 2` is "…3", not "…3.0").
            let numbers = matches!((lk, rk), (Kind::Num { .. }, Kind::Num { .. }));
            if !numbers && lk != Kind::Str {
                let h = self.helper("js_add");
                return format!("{h}({}, {})", strip_parens(&l), strip_parens(&r));
            }
        }
        format!("{l} {op} {r}")
    }

    /// `-`, `*`, `%`: Rhai's when both sides are certainly numbers (a `null` or `undefined` the
    /// converter sees is one: 0, NaN); anything else through `js_arith`, which takes each side
    /// as JavaScript's number and stops at a `()` whose two readings (null, undefined) give
    /// other results.
    pub(crate) fn arithmetic(&mut self, b: &BinaryExpression, l: &str, r: &str, op: &str) -> String {
        let (lk, l) = self.nullish_as_number(&b.left, l);
        let (rk, r) = self.nullish_as_number(&b.right, r);
        if matches!((lk, rk), (Kind::Num { .. }, Kind::Num { .. })) {
            if op == "%" && !is_nonzero_literal(&b.right) {
                // `n % 0` is NaN in JavaScript and an error of Rhai's integer `%`.
                let h = self.helper("js_rem");
                return format!("{h}({}, {})", strip_parens(&l), strip_parens(&r));
            }
            return format!("{l} {op} {r}");
        }
        let h = self.helper("js_arith");
        format!("{h}({}, {}, \"{op}\")", strip_parens(&l), strip_parens(&r))
    }

    /// `Number(e)` and `+e` (`e` converted to `text`): JavaScript's ToNumber. `Number(null)` is 0
    /// and `Number(undefined)` NaN, written as such where the converter sees which
    /// (`nullish_as_number`), else told apart at run time by `js_number`.
    pub(crate) fn number_value(&mut self, e: &Expression, text: &str) -> String {
        match self.nullish_as_number(e, text) {
            (Kind::Num { .. }, t) => t,
            (_, t) => {
                let h = self.helper("js_number");
                format!("{h}({})", strip_parens(&t))
            }
        }
    }

    /// The kind of value an assignment target holds: a name's, when known (`kinds.rs`).
    pub(crate) fn target_kind(&self, t: &SimpleAssignmentTarget) -> Kind {
        match t {
            SimpleAssignmentTarget::AssignmentTargetIdentifier(id) => self.name_kind(id.name.as_str()),
            _ => Kind::Unknown,
        }
    }

    /// `x++`, `x--` (`x` converted to `target`) as a statement: Rhai's `+= 1` where `x` is
    /// certainly a number (a counting loop's variable, `loops.rs`), else `js_update`, which takes
    /// x's number as JavaScript does (`"5"` gives 6, null 1, undefined NaN).
    pub(crate) fn update_stmt(&mut self, u: &UpdateExpression, target: &str) -> String {
        let inc = u.operator == UpdateOperator::Increment;
        // A target with a call or a block in it (`xs[i++]++`) is written once, as Rhai's own.
        if matches!(self.target_kind(&u.argument), Kind::Num { .. }) || !is_plain_target(target) {
            return format!("{target} {} 1", if inc { "+=" } else { "-=" });
        }
        let h = self.helper("js_update");
        let (flag, target) = split_flag(target);
        format!("{flag}{target} = {h}({target}, 1, \"{}\")", if inc { "++" } else { "-" })
    }

    /// An operand of a binary operator: conditionals and assignments in parentheses.
    pub(crate) fn operand(&mut self, e: &Expression) -> String {
        let text = self.expr(e);
        if matches!(e, Expression::ConditionalExpression(_)) || text.starts_with("(if ") {
            text
        } else if matches!(e, Expression::LogicalExpression(_) | Expression::BinaryExpression(_)) {
            format!("({text})")
        } else {
            text
        }
    }

    pub(crate) fn logical(&mut self, l: &LogicalExpression) -> String {
        match l.operator {
            LogicalOperator::Coalesce => {
                let a = self.operand(&l.left);
                let b = self.operand(&l.right);
                format!("{a} ?? {b}")
            }
            LogicalOperator::Or | LogicalOperator::And if is_bool(&l.left) && is_bool(&l.right) => {
                let a = self.operand(&l.left);
                let b = self.operand(&l.right);
                format!("{a} {} {b}", l.operator.as_str())
            }
            op => {
                let h = self.helper("js_truthy");
                let a = self.expr(&l.left);
                let b = self.expr(&l.right);
                let (then, other) = if op == LogicalOperator::Or { ("t", b.as_str()) } else { (b.as_str(), "t") };
                if is_pure_path(&l.left) {
                    let (then, other) =
                        if op == LogicalOperator::Or { (a.as_str(), b.as_str()) } else { (b.as_str(), a.as_str()) };
                    format!("(if {h}({a}) {{ {then} }} else {{ {other} }})")
                } else {
                    let t = self.fresh("or");
                    let then = if then == "t" { t.clone() } else { then.to_string() };
                    let other = if other == "t" { t.clone() } else { other.to_string() };
                    format!("{{ let {t} = {a}; if {h}({t}) {{ {then} }} else {{ {other} }} }}")
                }
            }
        }
    }

    pub(crate) fn unary(&mut self, u: &UnaryExpression) -> String {
        match u.operator {
            UnaryOperator::LogicalNot => {
                if is_bool(&u.argument) {
                    let a = self.operand(&u.argument);
                    format!("!{a}")
                } else {
                    let h = self.helper("js_truthy");
                    let a = self.expr(&u.argument);
                    format!("!{h}({})", strip_parens(&a))
                }
            }
            // `-x`: Rhai's where x is certainly a number (`-null` is 0, `-undefined` NaN), else
            // minus JavaScript's number of x.
            UnaryOperator::UnaryNegation => {
                let a = self.operand(&u.argument);
                match self.nullish_as_number(&u.argument, &a) {
                    (Kind::Num { .. }, a) => format!("-{a}"),
                    (_, a) => {
                        let h = self.helper("js_number");
                        format!("-{h}({})", strip_parens(&a))
                    }
                }
            }
            UnaryOperator::UnaryPlus => {
                let a = self.expr(&u.argument);
                self.number_value(&u.argument, &a)
            }
            // `typeof null` is "object": the one null rload's `()` can be told from is a literal.
            UnaryOperator::Typeof if self.kind(&u.argument) == Kind::Null => "\"object\"".into(),
            UnaryOperator::Typeof => {
                let h = self.helper("js_typeof");
                let a = self.typeof_operand(&u.argument);
                format!("{h}({a})")
            }
            // `void 0` is undefined; `void f()` still calls `f` (and `void (x = 1)` assigns).
            UnaryOperator::Void => match u.argument.without_parentheses() {
                Expression::NumericLiteral(_)
                | Expression::StringLiteral(_)
                | Expression::BooleanLiteral(_)
                | Expression::NullLiteral(_)
                | Expression::Identifier(_) => "()".into(),
                argument => format!("{{ {}; () }}", strip_parens(&self.expr(argument))),
            },
            UnaryOperator::BitwiseNot => {
                // `~~x`, the idiom for truncating: ToInt32 itself.
                if let Expression::UnaryExpression(inner) = u.argument.without_parentheses() {
                    if inner.operator == UnaryOperator::BitwiseNot {
                        return self.int32(&inner.argument);
                    }
                }
                let a = self.int32(&u.argument);
                format!("(-1 - {a})")
            }
            UnaryOperator::Delete => {
                let flag = match u.argument.get_member_expr().and_then(|m| member_root(m.object())) {
                    Some(root) => self.alias_change(&root, u.span),
                    None => String::new(),
                };
                if let Expression::StaticMemberExpression(m) = &u.argument {
                    let obj = self.expr(&m.object);
                    return format!("{flag}{obj}.remove({})", names::string(m.property.name.as_str()));
                }
                if let Expression::ComputedMemberExpression(m) = &u.argument {
                    // A method call, so the object is changed in place (`js_delete`: an array's
                    // element is an error, JavaScript's would be a hole).
                    let obj = self.expr(&m.object);
                    let k = self.expr(&m.expression);
                    let h = self.helper("js_delete");
                    return format!("{flag}{obj}.{h}({k})");
                }
                self.unconvertible(u.span, "this `delete`")
            }
        }
    }

    /// `e` as an operand of a bitwise operator: JavaScript's ToInt32 of it (`js_int32`: the
    /// number truncated and wrapped to a signed 32-bit integer, so `(Math.random() * n) | 0` is
    /// an index and `"5" | 0` is 5), written as it is when it is one already (an integer
    /// literal in range, another bitwise result).
    pub(crate) fn int32(&mut self, e: &Expression) -> String {
        let text = self.operand(e);
        if is_int32(e) {
            return text;
        }
        let h = self.helper("js_int32");
        format!("{h}({})", strip_parens(&text))
    }

    /// `l op r` for a bitwise operator, `l` already ToInt32 (`int32`). `|`, `&`, `^` of two
    /// signed 32-bit integers are one in Rhai's i64 too; a shift counts `r & 31` places, `<<`
    /// wraps its result to 32 bits, and `>>>` shifts ToUint32 of `l` (a result in 0..2^32).
    pub(crate) fn bitwise(&mut self, op: BinaryOperator, l: &str, r: &Expression) -> String {
        use BinaryOperator::*;
        let count = |conv: &mut Self| match r.without_parentheses() {
            Expression::NumericLiteral(n) if n.value.fract() == 0.0 && (0.0..32.0).contains(&n.value) => conv.expr(r),
            _ => format!("({} & 31)", conv.int32(r)),
        };
        match op {
            // `x | 0`, the idiom for truncating: ToInt32 itself.
            BitwiseOR | BitwiseXOR if matches!(r.without_parentheses(), Expression::NumericLiteral(n) if n.value == 0.0) => {
                l.to_string()
            }
            BitwiseAnd | BitwiseOR | BitwiseXOR => {
                let r = self.int32(r);
                format!("{l} {} {r}", op.as_str())
            }
            ShiftLeft => {
                let n = count(self);
                let h = self.helper("js_int32");
                format!("{h}({l} << {n})")
            }
            ShiftRight => {
                let n = count(self);
                format!("{l} >> {n}")
            }
            ShiftRightZeroFill => {
                let n = count(self);
                format!("({l} & 4294967295) >> {n}")
            }
            other => unreachable!("not a bitwise operator: {}", other.as_str()),
        }
    }
}

/// An assignment target's text as the marker of a change through a second name
/// (`aliases.rs`, `/* CONVERT: … */ `) and the target itself, which `x = f(x)` writes twice.
pub(crate) fn split_flag(target: &str) -> (&str, &str) {
    match target.strip_prefix("/* CONVERT:").and_then(|rest| rest.find("*/ ")) {
        Some(end) => target.split_at("/* CONVERT:".len() + end + 3),
        None => ("", target),
    }
}

/// Whether an assignment target's Rhai text (past a `/* CONVERT: … */` marker) can be written
/// twice, in `x = f(x, …)`: names, properties and indexes, with no call or block that would run
/// twice.
pub(crate) fn is_plain_target(target: &str) -> bool {
    !split_flag(target).1.contains(['(', '{'])
}

/// Whether `e` is a number literal other than 0 (a `%` by it is Rhai's as it is).
pub(crate) fn is_nonzero_literal(e: &Expression) -> bool {
    matches!(e.without_parentheses(), Expression::NumericLiteral(n) if n.value != 0.0)
}

/// Whether `e` is certainly a signed 32-bit integer already: an integer literal in range, or
/// the result of a bitwise operator other than `>>>` (whose result is unsigned).
fn is_int32(e: &Expression) -> bool {
    match e.without_parentheses() {
        Expression::NumericLiteral(n) => {
            n.value.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&n.value)
        }
        Expression::BinaryExpression(b) => b.operator.is_bitwise() && b.operator != BinaryOperator::ShiftRightZeroFill,
        Expression::UnaryExpression(u) => u.operator == UnaryOperator::BitwiseNot,
        _ => false,
    }
}
