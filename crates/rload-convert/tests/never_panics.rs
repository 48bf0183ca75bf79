//! The converter never panics, whatever JavaScript it is given: it converts, lists what it cannot
//! convert, or refuses with a syntax error. Inputs: soups of JavaScript tokens, and the corpus
//! scripts cut and spliced at random places.

use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "import",
    "export",
    "default",
    "function",
    "const",
    "let",
    "var",
    "return",
    "if",
    "else",
    "for",
    "of",
    "in",
    "while",
    "do",
    "switch",
    "case",
    "break",
    "continue",
    "try",
    "catch",
    "finally",
    "throw",
    "new",
    "class",
    "this",
    "typeof",
    "delete",
    "void",
    "async",
    "await",
    "yield",
    "null",
    "undefined",
    "true",
    "false",
    "x",
    "y",
    "http",
    "check",
    "sleep",
    "__ENV",
    "JSON",
    "Math",
    "Object",
    "=>",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ";",
    ",",
    ".",
    "?.",
    "??",
    "||",
    "&&",
    "!",
    "===",
    "!==",
    "==",
    "=",
    "+=",
    "++",
    "--",
    "+",
    "-",
    "*",
    "/",
    "%",
    "**",
    "?",
    ":",
    "...",
    "`a${",
    "}b`",
    "'s'",
    "\"d\"",
    "0",
    "1.5",
    "42",
    "/re/g",
    "label:",
    "\n",
];

fn corpus() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/convert_corpus");
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect())
        .unwrap_or_default();
    out.push(include_str!("golden/syntax.js").to_string());
    out.push(include_str!("golden/k6_apis.js").to_string());
    out
}

fn convert(text: &str) {
    let _ = rload_convert::convert_source("fuzz.js", text);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics(tokens in prop::collection::vec(0..TOKENS.len(), 0..60)) {
        let text: Vec<&str> = tokens.iter().map(|&i| TOKENS[i]).collect();
        convert(&text.join(" "));
    }

    #[test]
    fn spliced_scripts_never_panic(a in 0usize..64, b in 0usize..64, cut in 0.0f64..1.0, len in 0.0f64..0.3, insert in 0..TOKENS.len()) {
        let scripts = corpus();
        let s = &scripts[a % scripts.len()];
        let other = &scripts[b % scripts.len()];
        let at = floor_char(s, (s.len() as f64 * cut) as usize);
        let end = floor_char(s, (at + (s.len() as f64 * len) as usize).min(s.len()));
        let from = floor_char(other, (other.len() as f64 * cut) as usize);
        let text = format!("{}{}{}{}", &s[..at], TOKENS[insert], &other[from..], &s[end..]);
        convert(&text);
        // The whole script, and the script with a piece removed.
        convert(s);
        convert(&format!("{}{}", &s[..at], &s[end..]));
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
