//! Script errors as the user should see them.
//!
//! A syntax error shows `file:line:col`, the source line and a caret under the column, and a
//! `help:` line when it comes from a JavaScript habit (`script::habits`). A runtime
//! error is one line, the innermost message, `at file:line:col` (the imported module's file when
//! it happened there) and the function-call chain that led there (`in run → helper`), without
//! Rhai's nested wrapper text; printed, it is followed by the source line and a caret.

use rhai::{EvalAltResult, ParseError, Position};

use super::resolver::STDLIB;

/// Renders a syntax error in `source` (the text of `file`).
pub fn render_parse_error(file: &str, source: &str, err: &ParseError) -> String {
    let message = err.err_type().to_string();
    let mut out = render_at(file, source, err.position(), &format!("syntax error: {message}"));
    let hint = keyword_key_hint(source, err.position())
        .or_else(|| super::habits::hint(source, err.position(), &message).map(String::from));
    if let Some(hint) = hint {
        let pad = " ".repeat(err.position().line().unwrap_or(1).to_string().len());
        out.push_str(&format!("{pad} = help: {hint}\n"));
    }
    out
}

/// k6 scripts use words as map keys that Rhai reserves (`throw: true`, `default: …`,
/// `scenarios.default.vus`); Rhai cannot parse them unquoted, neither as a key in a map
/// literal nor as a property after `.`. When the error points at such a word, say how to write it.
fn keyword_key_hint(source: &str, pos: Position) -> Option<String> {
    let line = source.lines().nth(pos.line()?.checked_sub(1)?)?;
    let before: String = line.chars().take(pos.position()?.saturating_sub(1)).collect();
    let rest: String = line.chars().skip(pos.position()?.saturating_sub(1)).collect();
    let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    let after = rest[word.len()..].trim_start();
    let property_of = before.strip_suffix('.').filter(|b| !b.ends_with('.') && !b.ends_with('?'));
    let map_key = after.starts_with(':') && !after.starts_with("::");
    if word.is_empty() || !(map_key || property_of.is_some()) {
        return None;
    }
    // Rhai itself knows its keywords and reserved words: a word it cannot bind is one.
    if rhai::Engine::new_raw().compile(format!("let {word} = 1;")).is_ok() {
        return None;
    }
    if word == "match" && property_of.is_some() && after.starts_with('(') {
        return Some("`match` is a Rhai keyword: JavaScript's `s.match(re)` is `s.match_re(re)` in rload".into());
    }
    if let Some(object) = property_of {
        let object: String = {
            let tail: Vec<char> =
                object.chars().rev().take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.')).collect();
            tail.into_iter().rev().collect()
        };
        return Some(format!("`{word}` is a Rhai keyword; index with a string to read it: {object}[\"{word}\"]"));
    }
    Some(format!("`{word}` is a Rhai keyword; quote it to use it as a map key: \"{word}\": …"))
}

/// `error: MESSAGE`, then ` --> file:line:col`, the line, and a caret.
pub fn render_at(file: &str, source: &str, pos: Position, message: &str) -> String {
    let (Some(line), col) = (pos.line(), pos.position().unwrap_or(1)) else {
        return format!("error: {message}\n --> {file}");
    };
    // A script converted from JavaScript: the JavaScript line it came from.
    if let Some((js, js_line, js_col)) = super::converted::js_location(file, line) {
        if let Ok(js_text) = std::fs::read_to_string(&js) {
            let pad = " ".repeat(js_line.to_string().len());
            return format!(
                "error: {message}\n{pad}--> {js}:{js_line}:{js_col} (line {line} of its conversion to Rhai)\n{}",
                excerpt(&js_text, js_line, js_col)
            );
        }
    }
    let pad = " ".repeat(line.to_string().len());
    format!("error: {message}\n{pad}--> {file}:{line}:{col}\n{}", excerpt(source, line, col))
}

/// Line `line` of `source` under a gutter, and a caret under column `col`:
/// ```text
///   |
/// 4 |     let b = a + nope;
///   |                 ^
/// ```
fn excerpt(source: &str, line: usize, col: usize) -> String {
    let text = source.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let pad = " ".repeat(line.to_string().len());
    let caret_at: String =
        text.chars().take(col.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
    format!("{pad} |\n{line} | {text}\n{pad} | {caret_at}^\n")
}

/// A runtime error as the user sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeError {
    /// One line: the innermost message, `at file:line:col`, and the call chain (`in run → f`).
    /// Errors are counted by it.
    pub message: String,
    /// Where it happened, for the source excerpt; `None` for errors the script raised itself
    /// (`throw`, `fail()`), whose message is the author's own.
    at: Option<Location>,
}

#[derive(Debug, Clone, PartialEq)]
struct Location {
    file: String,
    line: usize,
    col: usize,
}

impl RuntimeError {
    /// The message, then the source line with a caret under the column. The file is read only
    /// here, so call it once per distinct error, not once per failed iteration.
    pub fn render(&self) -> String {
        let Some(at) = &self.at else { return self.message.clone() };
        let Some(text) = source_text(&at.file) else { return self.message.clone() };
        let mut shown = format!("{}\n{}", self.message, excerpt(&text, at.line, at.col).trim_end());
        if let Some(help) = runtime_hint(&self.message, text.lines().nth(at.line.saturating_sub(1)).unwrap_or("")) {
            shown += &format!("\n  = help: {help}");
        }
        shown
    }
}

/// The rload form of a JavaScript habit that only fails when it runs: `a || b` on values that
/// are not booleans (a literal operand is caught when compiling, `script/habits.rs`).
fn runtime_hint(message: &str, line: &str) -> Option<&'static str> {
    (message.contains("(expecting bool)") && (line.contains("||") || line.contains("&&"))).then_some(
        "`||` and `&&` take booleans only in Rhai; for a default value use `??`: `__ENV.BASE ?? \"http://127.0.0.1:3000\"`",
    )
}

/// The text of a script file by the name its AST carries: the bundled `stdlib/` modules by
/// name, any other file from disk.
fn source_text(file: &str) -> Option<String> {
    let bundled = file.strip_prefix("stdlib/").and_then(|f| f.strip_suffix(".rhai"));
    if let Some((_, text)) = bundled.and_then(|name| STDLIB.iter().find(|(n, _)| *n == name)) {
        return Some((*text).to_string());
    }
    std::fs::read_to_string(file).ok()
}

/// Describes a runtime error of the script `main` (the file the top level belongs to): the
/// innermost message, the file, line and column it happened at (inside an imported module if
/// that is where), and the function-call chain that led there.
pub fn describe_runtime_error(err: &EvalAltResult, main: &str) -> RuntimeError {
    let mut chain = Vec::new();
    // Each call on the way: the caller's file and the call's position there.
    let mut calls: Vec<(String, Position)> = Vec::new();
    let mut file = main.to_string();
    let mut e = err;
    loop {
        match e {
            // The source named is the called function's: where its body, and the error, are.
            EvalAltResult::ErrorInFunctionCall(name, src, inner, at) => {
                chain.push(name.clone());
                calls.push((file.clone(), *at));
                if !src.is_empty() {
                    file = src.clone();
                }
                e = inner;
            }
            EvalAltResult::ErrorInModule(origin, inner, _) => {
                chain.push(format!("import \"{origin}\""));
                file = origin.clone();
                e = inner;
            }
            _ => break,
        }
    }
    let mut pos = e.position();
    let mut raised = matches!(e, EvalAltResult::ErrorRuntime(..));
    let mut message = match e {
        // An error of Rhai's own caught and thrown again (`catch (err) { throw err; }`, the
        // conversion's `finally`) is described as where it first happened.
        EvalAltResult::ErrorRuntime(v, _) if caught_error(v).is_some() => {
            let (text, first, source) = caught_error(v).unwrap_or_default();
            (pos, raised) = (first, false);
            if let Some(source) = source {
                file = source;
            }
            text
        }
        EvalAltResult::ErrorRuntime(v, _) => v.to_string(),
        other => {
            let s = other.to_string();
            // Rhai appends " (line L, position C)"; we print the position our own way.
            match s.rfind(" (line ") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    };
    let mut at = None;
    if let (Some(line), Some(col)) = (pos.line(), pos.position()) {
        // A script converted from JavaScript: the JavaScript line it came from. Inside a helper
        // the conversion added (`js_compare`, …), which no JavaScript line is, the line of the
        // innermost call that has one.
        let (file, line, col) = super::converted::js_location(&file, line)
            .or_else(|| calls.iter().rev().find_map(|(f, at)| super::converted::js_location(f, at.line()?)))
            .unwrap_or((file, line, col));
        message.push_str(&format!(" at {file}:{line}:{col}"));
        at = (!raised).then_some(Location { file, line, col });
    }
    if !chain.is_empty() {
        message.push_str(&format!(" (in {})", collapse(&chain)));
    }
    RuntimeError { message, at }
}

/// The message, position and source of an error Rhai raised itself as a `catch` block receives
/// it (a map with `error`, `message`, `line`, `position` and, from a file, `source`).
fn caught_error(value: &rhai::Dynamic) -> Option<(String, Position, Option<String>)> {
    let map = value.read_lock::<rhai::Map>()?;
    let text = |key: &str| map.get(key).and_then(|v| v.clone().into_immutable_string().ok());
    let number = |key: &str| map.get(key).and_then(|v| v.as_int().ok()).and_then(|n| u16::try_from(n).ok());
    text("error")?;
    let message = text("message")?;
    let pos = match (number("line"), number("position")) {
        (Some(line), Some(col)) => Position::new(line, col),
        _ => Position::NONE,
    };
    Some((message.to_string(), pos, text("source").map(|s| s.to_string())))
}

/// `run → deep → deep → deep` becomes `run → deep ×3`, so runaway recursion stays one line.
fn collapse(chain: &[String]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chain.len() {
        let run = chain[i..].iter().take_while(|n| **n == chain[i]).count();
        parts.push(if run > 1 { format!("{} ×{run}", chain[i]) } else { chain[i].clone() });
        i += run;
    }
    parts.join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_point_at_the_column() {
        let src = "let a = 1;\nlet b = (2 + ;\n";
        let err = rhai::Engine::new().compile(src).unwrap_err();
        let out = render_parse_error("x.rhai", src, &err);
        assert!(out.contains("--> x.rhai:2:"), "{out}");
        assert!(out.contains("2 | let b = (2 + ;"), "{out}");
        let caret_line = out.lines().last().unwrap();
        let col = err.position().position().unwrap();
        assert_eq!(caret_line.find('^').unwrap(), "  | ".len() + col - 1, "{out}");
    }

    #[test]
    fn a_rhai_keyword_as_a_map_key_gets_a_hint_to_quote_it() {
        for key in ["throw", "default", "shared", "fn", "import"] {
            let src = format!("export const options = #{{ iterations: 1, {key}: true }};\n");
            let err = rhai::Engine::new().compile(&src).unwrap_err();
            let out = render_parse_error("x.rhai", &src, &err);
            assert!(out.contains(&format!("quote it to use it as a map key: \"{key}\": …")), "{key}: {out}");
        }
        let src = "let x = #{ a: 1 ;\n";
        let err = rhai::Engine::new().compile(src).unwrap_err();
        assert!(!render_parse_error("x.rhai", src, &err).contains("help:"));
    }

    /// Sweep E #7: the README's `exec.test.options.scenarios.default.vus` (k6's JavaScript form)
    /// is a syntax error in Rhai, which said only that `default` is reserved.
    #[test]
    fn a_rhai_keyword_as_a_property_gets_a_hint_to_index_with_a_string() {
        let src = "fn run() {\n    print(exec.test.options.scenarios.default.vus);\n}\n";
        let err = rhai::Engine::new().compile(src).unwrap_err();
        let out = render_parse_error("x.rhai", src, &err);
        assert!(
            out.contains(r#"= help: `default` is a Rhai keyword; index with a string to read it: exec.test.options.scenarios["default"]"#),
            "{out}"
        );
        let fixed = "fn run() {\n    print(exec.test.options.scenarios[\"default\"].vus);\n}\n";
        assert!(rhai::Engine::new().compile(fixed).is_ok());
    }

    /// JavaScript's `s.match(re)`: `match` is reserved, and the method is `match_re`, not a
    /// property to index.
    #[test]
    fn a_match_call_gets_the_rload_method() {
        let src = "fn run() {\n    let m = \"ab\".match(regexp(\"a\"));\n}\n";
        let err = rhai::Engine::new().compile(src).unwrap_err();
        let out = render_parse_error("x.rhai", src, &err);
        assert!(
            out.contains("= help: `match` is a Rhai keyword: JavaScript's `s.match(re)` is `s.match_re(re)`"),
            "{out}"
        );
    }

    #[test]
    fn a_doc_comment_above_a_const_is_a_comment() {
        // rhai's `metadata` feature, which rload does not use, would reject it.
        assert!(rhai::Engine::new().compile("/// the base\nconst BASE = 1;\nfn run() {}").is_ok());
    }

    #[test]
    fn runtime_errors_name_the_innermost_cause_and_the_chain() {
        let engine = rhai::Engine::new();
        let err = engine.run("fn inner() { throw \"boom\" }\nfn outer() { inner() }\nouter();").unwrap_err();
        let text = describe_runtime_error(&err, "x.rhai").message;
        assert!(text.starts_with("boom at x.rhai:1:"), "{text}");
        assert!(text.contains("(in outer → inner)"), "{text}");
    }

    #[test]
    fn or_between_values_that_are_not_booleans_gets_the_rload_default_form_when_it_runs() {
        let engine = rhai::Engine::new();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.rhai");
        let source = "let b = \"x\";\nlet d = \"z\";\nlet c = b || d;\n";
        std::fs::write(&file, source).unwrap();
        let err = engine.run(source).unwrap_err();
        let shown = describe_runtime_error(&err, &file.to_string_lossy()).render();
        assert!(shown.contains("3 | let c = b || d;"), "{shown}");
        assert!(
            shown.contains("help: `||` and `&&` take booleans only in Rhai; for a default value use `??`"),
            "{shown}"
        );
        let other = engine.run("let x = 1;\nx.nope();").unwrap_err();
        assert!(!describe_runtime_error(&other, "t.rhai").render().contains("help:"));
    }

    #[test]
    fn recursion_chains_are_collapsed() {
        let chain: Vec<String> = ["run", "deep", "deep", "deep"].map(String::from).to_vec();
        assert_eq!(collapse(&chain), "run → deep ×3");
    }
}
