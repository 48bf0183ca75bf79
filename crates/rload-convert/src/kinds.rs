//! What kind of value a JavaScript expression certainly gives, read from the expression alone
//! (literals, operators, a few built-ins, constants initialised from those), and the conversions
//! that need it: a value turned into text (`+` with a string, templates, `String(x)`), loose
//! equality (`==`, `!=`) and comparisons (`<`, `>`, …: numbers unless both sides are strings).
//! Where the kind is known, the conversion stays plain Rhai; where it is not, it goes through a
//! helper with JavaScript's rule (`js_str`, `js_loose_eq`, `js_compare` in `helpers.rs`). Not a
//! type checker: anything it cannot tell is `Unknown`, which only costs a helper call.

use oxc_ast::ast::*;

use crate::conv::Conv;
use crate::expr::strip_parens;

/// The kind of value an expression certainly has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    /// A number; `int` when it is an integer literal (Rhai writes it as JavaScript does).
    Num {
        int: bool,
    },
    Bool,
    /// `null`.
    Null,
    /// `undefined`, `void x`.
    Undefined,
    /// `__ENV.X`: a string, or undefined when the variable is not set.
    EnvStr,
    Unknown,
}

impl Kind {
    fn num() -> Kind {
        Kind::Num { int: false }
    }

    fn same_as(self, other: Kind) -> bool {
        match (self, other) {
            (Kind::Num { .. }, Kind::Num { .. }) => true,
            (Kind::Unknown | Kind::EnvStr, _) | (_, Kind::Unknown | Kind::EnvStr) => false,
            (a, b) => a == b,
        }
    }
}

/// String methods and functions whose result is always a string.
const STRING_METHODS: &[&str] = &[
    "join",
    "toUpperCase",
    "toLowerCase",
    "trim",
    "trimStart",
    "trimEnd",
    "substring",
    "substr",
    "padStart",
    "padEnd",
    "repeat",
    "toFixed",
    "charAt",
    "toString",
    "replace",
    "replaceAll",
];

impl Conv<'_> {
    /// The kind of value `e` certainly gives.
    pub fn kind(&self, e: &Expression) -> Kind {
        match e.without_parentheses() {
            Expression::StringLiteral(_) | Expression::TemplateLiteral(_) => Kind::Str,
            Expression::NumericLiteral(n) => Kind::Num { int: n.value.fract() == 0.0 && n.value.abs() < 9.0e15 },
            Expression::BooleanLiteral(_) => Kind::Bool,
            Expression::NullLiteral(_) => Kind::Null,
            Expression::Identifier(id) => match id.name.as_str() {
                "undefined" => Kind::Undefined,
                "NaN" | "Infinity" => Kind::num(),
                "__VU" | "__ITER" => Kind::Num { int: true },
                name => self.name_kind(name),
            },
            Expression::UnaryExpression(u) => match u.operator {
                UnaryOperator::Typeof => Kind::Str,
                UnaryOperator::Void => Kind::Undefined,
                UnaryOperator::LogicalNot | UnaryOperator::Delete => Kind::Bool,
                UnaryOperator::BitwiseNot => Kind::Num { int: true },
                _ => Kind::num(),
            },
            Expression::BinaryExpression(b) => {
                if b.operator == BinaryOperator::Addition {
                    match (self.kind(&b.left), self.kind(&b.right)) {
                        (Kind::Str, _) | (_, Kind::Str) => Kind::Str,
                        (Kind::Num { int: a }, Kind::Num { int: c }) => Kind::Num { int: a && c },
                        _ => Kind::Unknown,
                    }
                } else if b.operator.is_equality()
                    || b.operator.is_compare()
                    || b.operator.is_in()
                    || b.operator == BinaryOperator::Instanceof
                {
                    Kind::Bool
                } else if b.operator.is_bitwise() {
                    // ToInt32 / ToUint32 of the operands (`operators.rs`): always an integer.
                    Kind::Num { int: true }
                } else {
                    Kind::num()
                }
            }
            Expression::UpdateExpression(_) => Kind::num(),
            Expression::LogicalExpression(l) => match (l.operator, self.kind(&l.left), self.kind(&l.right)) {
                // `__ENV.X || "default"`: the variable when it is a non-empty string, else the default.
                (LogicalOperator::Or | LogicalOperator::Coalesce, Kind::EnvStr, Kind::Str) => Kind::Str,
                (_, a, b) if a.same_as(b) => a,
                _ => Kind::Unknown,
            },
            Expression::ConditionalExpression(c) => {
                let (a, b) = (self.kind(&c.consequent), self.kind(&c.alternate));
                if a.same_as(b) {
                    a
                } else {
                    Kind::Unknown
                }
            }
            Expression::StaticMemberExpression(m) => {
                if matches!(&m.object, Expression::Identifier(o) if o.name == "__ENV") {
                    Kind::EnvStr
                } else if m.property.name == "length" {
                    Kind::Num { int: true }
                } else {
                    Kind::Unknown
                }
            }
            Expression::ComputedMemberExpression(m) if matches!(&m.object, Expression::Identifier(o) if o.name == "__ENV") => {
                Kind::EnvStr
            }
            Expression::CallExpression(c) => self.call_kind(c),
            _ => Kind::Unknown,
        }
    }

    /// True when `arg` is certainly neither null nor undefined (a string, a number, a boolean):
    /// where Rhai's `==` then compares as JavaScript's `===` does.
    pub(crate) fn certainly_not_nullish(&self, arg: Option<&Argument>) -> bool {
        arg.and_then(|a| a.as_expression())
            .is_some_and(|e| matches!(self.kind(e), Kind::Str | Kind::Num { .. } | Kind::Bool))
    }

    pub(crate) fn name_kind(&self, name: &str) -> Kind {
        match self.scope_of(name) {
            Some(i) => self.scope_info.get(i).and_then(|s| s.kinds.get(name)).copied().unwrap_or(Kind::Unknown),
            None if self.top_vars.contains(name) && !self.mutated_anywhere.contains(name) => {
                self.top_kinds.get(name).copied().unwrap_or(Kind::Unknown)
            }
            None => Kind::Unknown,
        }
    }

    fn call_kind(&self, c: &CallExpression) -> Kind {
        match &c.callee {
            Expression::Identifier(id) if self.scope_of(id.name.as_str()).is_none() => match id.name.as_str() {
                "String" => Kind::Str,
                "Number" | "parseInt" | "parseFloat" => Kind::num(),
                "Boolean" | "isNaN" => Kind::Bool,
                _ => Kind::Unknown,
            },
            Expression::StaticMemberExpression(m) => {
                let method = m.property.name.as_str();
                match &m.object {
                    Expression::Identifier(o) if o.name == "JSON" && method == "stringify" => Kind::Str,
                    Expression::Identifier(o) if o.name == "Math" || (o.name == "Date" && method == "now") => {
                        Kind::num()
                    }
                    _ if STRING_METHODS.contains(&method) => Kind::Str,
                    _ => Kind::Unknown,
                }
            }
            _ => Kind::Unknown,
        }
    }

    /// The Rhai text of `e` (already converted to `rhai`) as JavaScript turns it into a string
    /// (`String(x)`, `x.toString()`), as one Rhai operand: a string as it is, a boolean or an
    /// integer written out (`` `${n}` ``: `String(__VU)` is "1", not the number 1), anything
    /// else through `js_str` (`3.0` → "3", `[1, 2]` → "1,2", a map → "[object Object]"). `()` is
    /// "null", except where the JavaScript says it is undefined (`undefined`, `void x`, an unset
    /// `__ENV.X`).
    pub fn as_text(&mut self, e: &Expression, rhai: &str) -> String {
        match self.kind(e) {
            Kind::Str => operand_text(rhai),
            Kind::Bool | Kind::Num { int: true } => format!("`${{{}}}`", strip_parens(rhai)),
            Kind::Undefined => "\"undefined\"".into(),
            Kind::Null => "\"null\"".into(),
            Kind::EnvStr => format!("({} ?? \"undefined\")", strip_parens(rhai)),
            Kind::Num { int: false } | Kind::Unknown => {
                let h = self.helper("js_str");
                format!("{h}({})", strip_parens(rhai))
            }
        }
    }

    /// `as_text` where Rhai itself writes the value into text (the other side of `+` with a
    /// string, a template's `${…}`): booleans and integers as they are (`"n" + 1` is "n1").
    pub fn text_part(&mut self, e: &Expression, rhai: &str) -> String {
        match self.kind(e) {
            Kind::Bool | Kind::Num { int: true } => rhai.to_string(),
            _ => self.as_text(e, rhai),
        }
    }

    /// `a === b` where a side is certainly `null` or `undefined`: the test of the other side
    /// (`js_is_null(x)`, `js_is_undefined(x)`), else `None`.
    pub fn strict_nullish(&mut self, left: &Expression, right: &Expression) -> Option<String> {
        let test = |k: Kind| match k {
            Kind::Null => Some("js_is_null"),
            Kind::Undefined => Some("js_is_undefined"),
            _ => None,
        };
        let (f, other) = match (test(self.kind(right)), test(self.kind(left))) {
            (Some(f), _) => (f, left),
            (None, Some(f)) => (f, right),
            (None, None) => return None,
        };
        let x = self.expr(other);
        Some(format!("{f}({})", strip_parens(&x)))
    }

    /// `a == b` / `a != b` (JavaScript's loose forms): plain Rhai when both sides are of one
    /// kind or one is `null`/`undefined` (`()` in Rhai, equal only to itself, as `null ==
    /// undefined` is true and nothing else equals them), else `js_loose_eq`.
    pub fn loose_equality(&mut self, b: &BinaryExpression, l: &str, r: &str, negate: bool) -> String {
        let (lk, rk) = (self.kind(&b.left), self.kind(&b.right));
        let nullish = |k: Kind| matches!(k, Kind::Null | Kind::Undefined);
        if lk.same_as(rk) || nullish(lk) || nullish(rk) {
            let op = if negate { "!=" } else { "==" };
            return format!("{l} {op} {r}");
        }
        let h = self.helper("js_loose_eq");
        let not = if negate { "!" } else { "" };
        format!("{not}{h}({}, {})", strip_parens(l), strip_parens(r))
    }

    /// `e` (converted to `text`) where JavaScript takes it as a number, with its kind: a side
    /// that is certainly `null` is 0, one certainly `undefined` NaN (Rhai has one `()` for both,
    /// so the converter writes the number the JavaScript says), only where that leaves nothing
    /// out: `()` itself, or a constant's name.
    pub fn nullish_as_number(&self, e: &Expression, text: &str) -> (Kind, String) {
        let pure = text == "()" || text == "js_null()" || matches!(e.without_parentheses(), Expression::Identifier(_));
        match self.kind(e) {
            Kind::Null if pure => (Kind::Num { int: true }, "0".to_string()),
            Kind::Undefined if pure => (Kind::num(), "(0.0 / 0.0)".to_string()),
            k => (k, text.to_string()),
        }
    }

    /// `<`, `<=`, `>`, `>=`: plain Rhai when both sides are certainly numbers or certainly
    /// strings; anything else through `js_compare`, which compares as JavaScript does: as text
    /// when both are strings, else as numbers (`"120" > 50` is true, `"9" > "10"` is true; Rhai's
    /// `>` of a string and an integer is false). A header value, a JSON field or an `__ENV`
    /// value is a string the converter cannot see. A side that is certainly `null` is the number
    /// 0 there (`null >= 0` is true), one that is certainly `undefined` NaN (every comparison
    /// with it is false): Rhai has one `()` for both, so the converter writes the number the
    /// JavaScript says; a `()` only seen at run time is `js_compare`'s to judge.
    pub fn comparison(&mut self, b: &BinaryExpression, l: &str, r: &str, op: &str) -> String {
        let (lk, l) = self.nullish_as_number(&b.left, l);
        let (rk, r) = self.nullish_as_number(&b.right, r);
        let plain = matches!((lk, rk), (Kind::Num { .. }, Kind::Num { .. }) | (Kind::Str, Kind::Str));
        if plain {
            return format!("{l} {op} {r}");
        }
        let h = self.helper("js_compare");
        format!("{h}({}, {}, \"{op}\")", strip_parens(&l), strip_parens(&r))
    }
}

/// `rhai` as an operand that binds as one value (`"a" + b` is `("a" + b)`, so a `.len()` or a
/// `==` after it applies to the whole).
fn operand_text(rhai: &str) -> String {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in rhai.chars() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '`' | '\'' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                ' ' if depth == 0 => return format!("({rhai})"),
                _ => {}
            },
        }
    }
    rhai.to_string()
}
