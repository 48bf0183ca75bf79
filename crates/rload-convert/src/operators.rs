//! Operators: JavaScript's meaning where Rhai's differs. `===` is `==`; loose `==`/`!=` and
//! comparisons of a string with what may not be one go through `js_loose_eq`/`js_compare`
//! unless both sides are certainly of one kind (`kinds.rs`); `+` with a string turns the other
//! side into JavaScript's text (`js_str`); `/` keeps JavaScript's number (`js_div`); `||`/`&&` on
//! values that are not booleans keep JavaScript's truthiness (`js_truthy`).

use oxc_ast::ast::*;

use crate::conv::Conv;
use crate::expr::{is_bool, is_float_literal, is_pure_path, member_root, strip_parens};
use crate::kinds::Kind;
use crate::names;

impl Conv<'_> {
    pub(crate) fn binary(&mut self, b: &BinaryExpression) -> String {
        use BinaryOperator::*;
        let op = match b.operator {
            StrictEquality => "==",
            StrictInequality => "!=",
            Equality | Inequality => {
                let negate = b.operator == Inequality;
                if let (Expression::UnaryExpression(u), Expression::StringLiteral(s)) = (&b.left, &b.right) {
                    if u.operator == UnaryOperator::Typeof && s.value.as_str() == "undefined" {
                        let v = self.expr(&u.argument);
                        return format!("{v} {} ()", if negate { "!=" } else { "==" });
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
            Exponential => "**",
            BitwiseAnd => "&",
            BitwiseOR => "|",
            BitwiseXOR => "^",
            ShiftLeft => "<<",
            ShiftRight => ">>",
            Division => {
                let l = self.expr(&b.left);
                let r = self.expr(&b.right);
                if is_float_literal(&b.left) || is_float_literal(&b.right) {
                    return format!("{l} / {r}");
                }
                let h = self.helper("js_div");
                return format!("{h}({}, {})", strip_parens(&l), strip_parens(&r));
            }
            In => {
                let l = self.expr(&b.left);
                let r = self.expr(&b.right);
                return format!("{r}.contains({l})");
            }
            _ => return self.unconvertible(b.span, format!("the operator `{}`", b.operator.as_str())),
        };
        // `typeof x === "undefined"` is `x == ()`.
        if let (Expression::UnaryExpression(u), Expression::StringLiteral(s)) = (&b.left, &b.right) {
            if u.operator == UnaryOperator::Typeof && s.value.as_str() == "undefined" && matches!(op, "==" | "!=") {
                let v = self.expr(&u.argument);
                return format!("{v} {op} ()");
            }
        }
        let l = self.operand(&b.left);
        let r = self.operand(&b.right);
        if matches!(op, "<" | "<=" | ">" | ">=") {
            return self.comparison(b, &l, &r, op);
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
            UnaryOperator::UnaryNegation => {
                let a = self.operand(&u.argument);
                format!("-{a}")
            }
            UnaryOperator::UnaryPlus => {
                let h = self.helper("js_number");
                let a = self.expr(&u.argument);
                format!("{h}({a})")
            }
            UnaryOperator::Typeof => {
                let h = self.helper("js_typeof");
                let a = self.expr(&u.argument);
                format!("{h}({a})")
            }
            UnaryOperator::Void => "()".into(),
            UnaryOperator::BitwiseNot => {
                let a = self.operand(&u.argument);
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
                    let obj = self.expr(&m.object);
                    let k = self.expr(&m.expression);
                    return format!("{flag}{obj}.remove({k})");
                }
                self.unconvertible(u.span, "this `delete`")
            }
        }
    }
}
