//! Hints for the JavaScript a k6 porter writes out of habit, attached to the syntax error it
//! causes: the rload form of the same thing.
//!
//! Rhai's own message says what it expected (`Expecting ';' to terminate this statement`),
//! which does not tell a k6 user that `(r) => …` is written `|r| …` in Rhai. Each hint here
//! recognises one habit from the error's message and the text at and around its position.
//! Not here: `===` (Rhai itself suggests `==`), a Rhai keyword as a map key
//! (`diagnostics::keyword_key_hint`), and `s = s.replace(…)`, which parses and is found by
//! `script::missing`.

use rhai::Position;

/// The hint for the syntax error `message` at `pos` in `source`, if it comes from a JavaScript
/// habit.
pub fn hint(source: &str, pos: Position, message: &str) -> Option<&'static str> {
    let line_no = pos.line()?.checked_sub(1)?;
    let line = source.lines().nth(line_no)?;
    let col = pos.position().unwrap_or(1).saturating_sub(1);
    let at: String = line.chars().skip(col).collect();
    let before: String =
        source.lines().take(line_no).chain([&line[..char_offset(line, col)]]).collect::<Vec<_>>().join("\n");
    let trimmed = line.trim_start();
    let word: String = at.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();

    if trimmed.starts_with("import ") && (trimmed.contains(" from ") || trimmed.starts_with("import {")) {
        return Some(
            "k6's modules are built in: delete the import (http, check, sleep, Counter, crypto, encoding, exec, … are \
             always there); `import \"file\" as name;` imports a Rhai module",
        );
    }
    if trimmed.contains("export default function") || trimmed.contains("export default async function") {
        return Some("k6's default function is `fn run() { … }` in rload");
    }
    if trimmed.contains("function ") && (trimmed.starts_with("function ") || trimmed.starts_with("export function ")) {
        return Some("declare functions with `fn name(args) { … }` (export nothing: setup, teardown and the scenario functions are found by name)");
    }
    if line.contains("=>") {
        return Some("an arrow function is a closure in Rhai: `(r) => r.status == 200` is `|r| r.status == 200`, `() => …` is `|| …`");
    }
    if word == "new" {
        return Some("Rhai has no `new`: call the constructor as a function, `new Counter(\"c\")` is `Counter(\"c\")`, `new http.CookieJar()` is `http.cookieJar()`");
    }
    if trimmed.starts_with("for") && trimmed.contains('(') && trimmed.contains(';') {
        return Some("Rhai has no C-style for: `for (let i = 0; i < n; i++)` is `for i in 0..n`; `for (const x of xs)` is `for x in xs`");
    }
    if message.contains("Unknown operator: '?'") {
        return Some("Rhai has no `a ? b : c`: write `if a { b } else { c }`, which is an expression");
    }
    if message.contains("Expecting a boolean expression") && line.contains("||") {
        return Some(
            "`||` takes booleans only in Rhai; for a default value use `??`: `__ENV.BASE ?? \"http://127.0.0.1:3000\"`",
        );
    }
    if at.starts_with('/') && message.contains("Unexpected '/'") {
        return Some("Rhai has no regular expression literal: `/a(\\d)/g` is ``regexp(`a(\\d)`, \"g\")`` (a backtick string keeps its backslashes)");
    }
    if at.starts_with(':') && opens_js_object(&before) {
        return Some("a map is written `#{ key: value }` in Rhai (`{ … }` is a block)");
    }
    None
}

/// Whether `before` (the text up to a `:`) ends in `{ key` or `{ …, key` with a `{` not
/// preceded by `#`: a JavaScript object literal.
fn opens_js_object(before: &str) -> bool {
    let text = before.trim_end();
    let key_len =
        text.chars().rev().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '"' || *c == '\'').count();
    if key_len == 0 {
        return false;
    }
    let rest = text[..text.len() - text.chars().rev().take(key_len).map(char::len_utf8).sum::<usize>()].trim_end();
    match rest.strip_suffix('{') {
        Some(prefix) => !prefix.ends_with('#'),
        None => false,
    }
}

/// The byte offset of character `col` in `line`.
fn char_offset(line: &str, col: usize) -> usize {
    line.char_indices().nth(col).map_or(line.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hint rload shows for `src` (one statement that Rhai cannot parse).
    fn hint_for(src: &str) -> Option<&'static str> {
        let err = rhai::Engine::new().compile(src).expect_err(src);
        hint(src, err.position(), &err.err_type().to_string())
    }

    #[test]
    fn each_javascript_habit_gets_the_rload_form() {
        let cases = [
            ("let x = __ENV.BASE || \"http://a\";", "use `??`"),
            ("let f = (r) => r.status == 200;", "`|r| r.status == 200`"),
            ("let o = { a: 1, b: 2 };", "`#{ key: value }`"),
            ("let o = {\n  \"a\": 1,\n};", "`#{ key: value }`"),
            ("import http from 'k6/http';", "delete the import"),
            ("import { check, sleep } from \"k6\";", "delete the import"),
            ("export default function () { }", "`fn run() { … }`"),
            ("export function setup() { }", "`fn name(args) { … }`"),
            ("let c = new Counter(\"x\");", "`Counter(\"c\")`"),
            ("for (let i = 0; i < 3; i++) { }", "`for i in 0..n`"),
            ("let a = true ? 1 : 2;", "`if a { b } else { c }`"),
            ("let re = /a+(\\d)/g;", "``regexp(`a(\\d)`, \"g\")``"),
        ];
        for (src, expected) in cases {
            let got = hint_for(src).unwrap_or_else(|| panic!("no hint for {src}"));
            assert!(got.contains(expected), "{src}: {got}");
        }
    }

    #[test]
    fn rhai_errors_that_are_not_javascript_habits_get_no_hint() {
        for src in ["let a = (1 + ;", "let m = #{ a: 1 ;", "fn f( { }", "let x = 1 2;"] {
            assert_eq!(hint_for(src), None, "{src}");
        }
    }
}
