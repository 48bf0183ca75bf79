//! Regular expressions: `/…/flags` and `new RegExp(src, flags)` become rload's `regexp(src,
//! flags)` (a new object at each evaluation, as a literal is in JavaScript, so a loop's regex
//! starts at `lastIndex` 0), and the string methods that may take one (`match`, `matchAll`,
//! `search`, `replace`, `replaceAll`, `split`) become the engine's `js_str_*` functions, which
//! look at the pattern when they run: the converter cannot tell a variable holding a string from
//! one holding a regex. `re.test`, `re.exec` and the properties (`source`, `flags`, `global`,
//! `lastIndex`, …) are the RegExp's own methods and convert as any method does; a RegExp is one
//! shared object in rload too, so setting `lastIndex` through a second name (`expr.rs`) is not
//! listed as a change Rhai's copies would lose.
//!
//! A literal's pattern is checked here with the engine rload runs it with (regress): a syntax
//! error k6 would refuse is listed with its line. Refused with a reason: the `d` flag (match
//! indices, which k6 refuses too), `RegExp.…` (the legacy `RegExp.$1`, `RegExp.prototype`) and
//! `Symbol.…` (`re[Symbol.replace]`).

use oxc_ast::ast::*;

use crate::conv::Conv;

/// The flags rload runs; `d` is refused by name, anything else is JavaScript's syntax error.
const FLAGS: &str = "gimsuy";

impl Conv<'_> {
    /// `/pattern/flags`.
    pub fn regexp_literal(&mut self, r: &RegExpLiteral) -> String {
        let source = r.regex.pattern.text.as_str();
        let flags = r.regex.flags.to_string();
        if let Some(reason) = refused(source, &flags) {
            return self.unconvertible(r.span, reason);
        }
        let ctor = self.regexp_constructor();
        format!("{ctor}({}, {})", crate::names::string(source), crate::names::string(&flags))
    }

    /// `regexp`, or its other name `js_regexp` in a file that declares a `regexp` of its own
    /// (whose Rhai function would be called in the engine's place).
    fn regexp_constructor(&self) -> &'static str {
        if self.top_fns.contains_key("regexp") || self.top_vars.contains("regexp") || self.is_local("regexp") {
            "js_regexp"
        } else {
            "regexp"
        }
    }

    /// `new RegExp(src, flags)` and `RegExp(src, flags)`: a string source is checked as a literal
    /// is when it is written as one.
    /// `args` are `arguments` converted.
    pub fn regexp_new(&mut self, span: oxc_span::Span, arguments: &[Argument], args: Vec<String>) -> String {
        if arguments.iter().any(|a| a.is_spread()) {
            return self.unconvertible(span, "RegExp(…) with spread arguments");
        }
        let literal = |a: Option<&Argument>| match a {
            Some(Argument::StringLiteral(s)) => Some(s.value.to_string()),
            None => Some(String::new()),
            _ => None,
        };
        if let (Some(source), Some(flags)) = (literal(arguments.first()), literal(arguments.get(1))) {
            if let Some(reason) = refused(&source, &flags) {
                return self.unconvertible(span, reason);
            }
        }
        let ctor = self.regexp_constructor();
        match args.len() {
            0 => format!("{ctor}(\"\")"),
            _ => format!("{ctor}({})", args.into_iter().take(2).collect::<Vec<_>>().join(", ")),
        }
    }

    /// A string method that may take a regex, as the engine's `js_str_*` function of it; `None`
    /// for any other method (and for `split` with a string literal, which converts as before).
    pub fn regexp_method(
        &mut self,
        c: &CallExpression,
        m: &StaticMemberExpression,
        method: &str,
        obj: &str,
        args: &[String],
    ) -> Option<String> {
        let a = |i: usize| args.get(i).cloned().unwrap_or_else(|| "()".into());
        let (f, args) = match method {
            "match" => ("js_str_match", vec![a(0)]),
            "matchAll" => ("js_str_match_all", vec![a(0)]),
            "search" => ("js_str_search", vec![a(0)]),
            "replace" => ("js_str_replace", vec![a(0), a(1)]),
            "replaceAll" => ("js_str_replace_all", vec![a(0), a(1)]),
            "split" if !args.is_empty() && !matches!(c.arguments.first(), Some(Argument::StringLiteral(_))) => {
                ("js_str_split", vec![a(0), a(1)])
            }
            _ => return None,
        };
        // An object of the script's own with a method of that name (`o.match(x)`) is not a string.
        if matches!(&m.object, Expression::Identifier(o) if self.object_vars.contains(o.name.as_str())) {
            return None;
        }
        let args = args.join(", ");
        Some(if m.optional {
            let o = self.fresh("opt");
            format!("({{ let {o} = {obj}; if {o} == () {{ () }} else {{ {f}({o}, {args}) }} }})")
        } else {
            format!("{f}({obj}, {args})")
        })
    }

    /// `RegExp.$1`, `RegExp.prototype`, `Symbol.replace`: refused, naming it.
    pub fn regexp_static(&mut self, m: &StaticMemberExpression) -> Option<String> {
        let Expression::Identifier(id) = &m.object else { return None };
        let name = id.name.as_str();
        if !matches!(name, "RegExp" | "Symbol") || self.is_local(name) || self.top_vars.contains(name) {
            return None;
        }
        let prop = m.property.name.as_str();
        let reason = if name == "Symbol" {
            format!("`Symbol.{prop}`: rload has no symbols (a regex's `[Symbol.replace]` and the like: call `replace`, `split`, … on the string)")
        } else {
            format!("`RegExp.{prop}`: rload's RegExp has no prototype or static properties (for `RegExp.$1`, read the match's own groups)")
        };
        Some(self.unconvertible(m.span, reason))
    }
}

/// Why a regex written in the script cannot run: the `d` flag, a flag JavaScript does not have
/// (or one written twice), or a pattern JavaScript refuses.
fn refused(source: &str, flags: &str) -> Option<String> {
    if flags.contains('d') {
        return Some(format!(
            "the regular expression /{source}/{flags}: the d flag (match indices, `hasIndices`) is not supported by rload"
        ));
    }
    let mut seen = String::new();
    for c in flags.chars() {
        if !FLAGS.contains(c) || seen.contains(c) {
            return Some(format!("the regular expression /{source}/{flags}: invalid flags '{flags}'"));
        }
        seen.push(c);
    }
    let engine_flags: String = flags.chars().filter(|c| !matches!(c, 'g' | 'y')).collect();
    match regress::Regex::with_flags(source, engine_flags.as_str()) {
        Ok(_) => None,
        Err(e) => Some(format!("the regular expression /{source}/{flags}: SyntaxError: {e}")),
    }
}
