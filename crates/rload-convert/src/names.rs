//! Identifiers and map keys: JavaScript allows names that Rhai reserves (`shared`, `default`,
//! `fn`, …) or cannot spell (`$`); they are renamed (variables) or quoted (keys).

/// Rhai keywords and reserved words (Rhai 1.x book, "Keywords").
const RESERVED: &[&str] = &[
    "true",
    "false",
    "let",
    "const",
    "if",
    "else",
    "switch",
    "do",
    "while",
    "loop",
    "until",
    "for",
    "in",
    "continue",
    "break",
    "return",
    "throw",
    "try",
    "catch",
    "import",
    "export",
    "as",
    "global",
    "private",
    "fn",
    "Fn",
    "call",
    "curry",
    "this",
    "type_of",
    "print",
    "debug",
    "eval",
    "is_def_var",
    "is_def_fn",
    "is_shared",
    "var",
    "static",
    "shared",
    "with",
    "is",
    "goto",
    "exit",
    "match",
    "case",
    "public",
    "protected",
    "new",
    "use",
    "module",
    "package",
    "super",
    "thread",
    "spawn",
    "go",
    "sync",
    "async",
    "await",
    "yield",
    "default",
    "void",
    "null",
    "nil",
    "function",
    "include",
    "override",
    "protected",
    "finally",
    "void",
];

pub fn is_reserved(name: &str) -> bool {
    RESERVED.contains(&name)
}

fn is_plain(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with("__") // Rhai reserves leading double underscores for itself
        && name != "_" // and `_` alone (JavaScript's usual name for an unused parameter)
}

/// A JavaScript variable name as a Rhai variable name.
pub fn var(name: &str) -> String {
    if name.starts_with("__") && matches!(name, "__ENV" | "__VU" | "__ITER") {
        return name.to_string();
    }
    if is_plain(name) && !is_reserved(name) {
        return name.to_string();
    }
    let mut out: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    while out.starts_with('_') {
        out.remove(0);
    }
    if out.is_empty() || out.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        out.insert(0, 'v');
    }
    format!("{out}_")
}

/// A property name after `.`: as is when Rhai can spell it, else `None` (use `["name"]`).
pub fn property(name: &str) -> Option<&str> {
    (is_plain(name) && !is_reserved(name)).then_some(name)
}

/// A map literal key: bare when Rhai can spell it, else a quoted string.
pub fn key(name: &str) -> String {
    match property(name) {
        Some(n) => n.to_string(),
        None => string(name),
    }
}

/// A Rhai string literal with JavaScript's text.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
