//! Script errors as the user should see them.
//!
//! A syntax error shows `file:line:col`, the source line and a caret under the column. A runtime
//! error shows the innermost message, where it happened, and the function-call chain that led
//! there (`in run → helper`), without Rhai's nested wrapper text.

use rhai::{EvalAltResult, ParseError, Position};

/// Renders a syntax error in `source` (the text of `file`).
pub fn render_parse_error(file: &str, source: &str, err: &ParseError) -> String {
    let message = err.err_type().to_string();
    render_at(file, source, err.position(), &format!("syntax error: {message}"))
}

/// `error: MESSAGE`, then ` --> file:line:col`, the line, and a caret.
pub fn render_at(file: &str, source: &str, pos: Position, message: &str) -> String {
    let (Some(line), col) = (pos.line(), pos.position().unwrap_or(1)) else {
        return format!("error: {message}\n --> {file}");
    };
    let text = source.lines().nth(line - 1).unwrap_or("");
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    let caret_at: String =
        text.chars().take(col.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
    format!("error: {message}\n{pad}--> {file}:{line}:{col}\n{pad} |\n{line} | {text}\n{pad} | {caret_at}^\n")
}

/// One line describing a runtime error: message, position and call chain.
pub fn describe_runtime_error(err: &EvalAltResult) -> String {
    let mut chain = Vec::new();
    let mut e = err;
    while let EvalAltResult::ErrorInFunctionCall(name, _src, inner, _) = e {
        chain.push(name.clone());
        e = inner;
    }
    let pos = e.position();
    let mut msg = match e {
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
    if let (Some(line), Some(col)) = (pos.line(), pos.position()) {
        msg.push_str(&format!(" at line {line}:{col}"));
    }
    if !chain.is_empty() {
        msg.push_str(&format!(" (in {})", collapse(&chain)));
    }
    msg
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
    fn runtime_errors_name_the_innermost_cause_and_the_chain() {
        let engine = rhai::Engine::new();
        let err = engine.run("fn inner() { throw \"boom\" }\nfn outer() { inner() }\nouter();").unwrap_err();
        let text = describe_runtime_error(&err);
        assert!(text.starts_with("boom at line 1:"), "{text}");
        assert!(text.contains("(in outer → inner)"), "{text}");
    }

    #[test]
    fn recursion_chains_are_collapsed() {
        let chain: Vec<String> = ["run", "deep", "deep", "deep"].map(String::from).to_vec();
        assert_eq!(collapse(&chain), "run → deep ×3");
    }
}
