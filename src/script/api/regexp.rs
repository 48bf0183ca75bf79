//! JavaScript's RegExp for scripts: `regexp(source, flags)` (what the converter writes for
//! `/…/flags` and `new RegExp(…)`), `re.test(s)`, `re.exec(s)`, and the properties `source`,
//! `flags`, `global`, `ignoreCase`, `multiline`, `dotAll`, `unicode`, `sticky`, `hasIndices` and
//! `lastIndex` (read and write). The string methods that take a regular expression (`match`,
//! `matchAll`, `replace`, `split`, `search`) are in [`super::regexp_string`]; a match result
//! (`m[1]`, `m.index`, `m.groups.name`) is [`super::regexp_match`].
//!
//! The engine is the regress crate, which implements ECMAScript's syntax and semantics. Flags
//! `g i m s u y` are JavaScript's; `d` (match indices) is refused with an error naming it, and so
//! is anything else. `lastIndex` follows the specification's RegExpBuiltinExec: read and moved by
//! `exec`/`test` only under `g` or `y`, back to 0 when a search fails, and a `y` search matches
//! only at `lastIndex`.
//!
//! A RegExp is an object in JavaScript: two names for one regex share its `lastIndex`, so it lives
//! in an `Rc` here (a copy Rhai makes is the same object). String positions (`lastIndex`, a
//! match's `index`) count characters, the unit of Rhai's `len`, `index_of` and `sub_string`,
//! which the converter's `indexOf`, `slice` and `substring` use too (docs/porting.md says where
//! JavaScript's UTF-16 units differ).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString};

use super::regexp_match::MatchResult;

/// A compiled pattern with its flags; shared by every RegExp made from the same text.
pub struct Pattern {
    pub regex: regress::Regex,
    pub source: ImmutableString,
    /// In JavaScript's order (`"gimsuy"`).
    pub flags: ImmutableString,
    pub global: bool,
    pub ignore_case: bool,
    pub multiline: bool,
    pub dot_all: bool,
    pub unicode: bool,
    pub sticky: bool,
}

/// A character position known in a text: `ch` characters are `byte` bytes. The text is kept (so
/// its address cannot be reused by another) so that the next `exec` of the same text, in a loop
/// over a `g` regex's matches, starts counting there rather than from 0.
#[derive(Clone, Default)]
struct Hint {
    text: ImmutableString,
    ch: usize,
    byte: usize,
}

struct State {
    last_index: Cell<i64>,
    hint: RefCell<Hint>,
}

/// A JavaScript RegExp object.
#[derive(Clone)]
pub struct RegExp {
    pub pattern: Rc<Pattern>,
    state: Rc<State>,
}

/// One match found in a text: the engine's byte ranges, and the match's bounds in characters.
pub struct Found {
    pub m: regress::Match,
    pub start: usize,
    pub end: usize,
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<RegExp>("RegExp");
    // `js_regexp`: the name the converter writes in a file that declares a `regexp` of its own.
    for name in ["regexp", "js_regexp"] {
        engine.register_fn(name, |source: Dynamic| regexp(source, Dynamic::UNIT));
        engine.register_fn(name, regexp);
    }
    engine.register_fn("test", |re: &mut RegExp, s: Dynamic| re.exec(&input_text(&s)).is_some());
    engine.register_fn("test", |re: &mut RegExp| re.exec(&"undefined".into()).is_some());
    engine.register_fn("exec", |re: &mut RegExp, s: Dynamic| exec_value(re, &input_text(&s)));
    engine.register_fn("exec", |re: &mut RegExp| exec_value(re, &"undefined".into()));
    engine.register_get("source", |re: &mut RegExp| escaped_source(&re.pattern.source));
    engine.register_get("flags", |re: &mut RegExp| re.pattern.flags.clone());
    engine.register_get("global", |re: &mut RegExp| re.pattern.global);
    engine.register_get("ignoreCase", |re: &mut RegExp| re.pattern.ignore_case);
    engine.register_get("multiline", |re: &mut RegExp| re.pattern.multiline);
    engine.register_get("dotAll", |re: &mut RegExp| re.pattern.dot_all);
    engine.register_get("unicode", |re: &mut RegExp| re.pattern.unicode);
    engine.register_get("sticky", |re: &mut RegExp| re.pattern.sticky);
    engine.register_get("hasIndices", |_: &mut RegExp| false);
    engine.register_get("lastIndex", |re: &mut RegExp| re.last_index());
    engine.register_set("lastIndex", set_last_index);
    // `re["global"]`: `global` is a word Rhai reserves, so the converter writes the property so.
    engine.register_indexer_get(property);
    // JSON.stringify(/a/) is `{}`: a RegExp has no own enumerable properties.
    engine.register_fn("to_json", |_: &mut RegExp| "{}");
    engine.register_fn("to_string", |re: &mut RegExp| re.to_string());
    engine.register_fn("to_debug", |re: &mut RegExp| re.to_string());
    // `re1 == re2` is identity in JavaScript.
    engine.register_fn("==", |a: &mut RegExp, b: RegExp| Rc::ptr_eq(&a.state, &b.state));
    engine.register_fn("!=", |a: &mut RegExp, b: RegExp| !Rc::ptr_eq(&a.state, &b.state));
}

/// `regexp(source, flags)`: `source` a string or a RegExp (whose flags it keeps when `flags` is
/// `()`), as `new RegExp(source, flags)`.
pub fn regexp(source: Dynamic, flags: Dynamic) -> Result<RegExp, Box<EvalAltResult>> {
    let flags = if flags.is_unit() { None } else { Some(input_text(&flags)) };
    if let Some(re) = source.clone().try_cast::<RegExp>() {
        let flags = flags.unwrap_or_else(|| re.pattern.flags.clone());
        return RegExp::new(&re.pattern.source, &flags).map_err(Into::into);
    }
    // `new RegExp()` and `new RegExp(undefined)` match the empty string.
    let source = if source.is_unit() { ImmutableString::new() } else { input_text(&source) };
    RegExp::new(&source, flags.as_deref().unwrap_or("")).map_err(Into::into)
}

impl RegExp {
    /// A new RegExp object (`lastIndex` 0); its pattern compiled once per thread and text.
    pub fn new(source: &str, flags: &str) -> Result<RegExp, String> {
        thread_local! {
            static COMPILED: RefCell<HashMap<(String, String), Rc<Pattern>>> = RefCell::new(HashMap::new());
        }
        /// A script that builds patterns from data would otherwise grow the cache without end.
        const MOST_CACHED: usize = 256;
        let key = (source.to_string(), flags.to_string());
        let cached = COMPILED.with(|c| c.borrow().get(&key).cloned());
        let pattern = match cached {
            Some(p) => p,
            None => {
                let p = Rc::new(compile(source, flags)?);
                COMPILED.with(|c| {
                    let mut c = c.borrow_mut();
                    if c.len() >= MOST_CACHED {
                        c.clear();
                    }
                    c.insert(key, p.clone());
                });
                p
            }
        };
        Ok(RegExp { pattern, state: Rc::new(State { last_index: Cell::new(0), hint: RefCell::default() }) })
    }

    pub fn last_index(&self) -> i64 {
        self.state.last_index.get()
    }

    pub fn set_last_index_to(&self, i: i64) {
        self.state.last_index.set(i);
    }

    /// Another RegExp object of the same pattern and flags, with this one's `lastIndex`
    /// (`matchAll` and `split` search with such a copy, leaving the script's regex as it was).
    pub fn copy(&self) -> RegExp {
        let state =
            State { last_index: Cell::new(self.last_index()), hint: RefCell::new(self.state.hint.borrow().clone()) };
        RegExp { pattern: self.pattern.clone(), state: Rc::new(state) }
    }

    /// JavaScript's RegExpBuiltinExec: the match from `lastIndex` (from 0 without `g` or `y`;
    /// only at `lastIndex` with `y`), moving `lastIndex` under `g` or `y`.
    pub fn exec(&self, text: &ImmutableString) -> Option<Found> {
        let p = &self.pattern;
        let moves = p.global || p.sticky;
        let from = if moves { self.last_index().max(0) as usize } else { 0 };
        let failed = || {
            if moves {
                self.state.last_index.set(0);
            }
            None
        };
        let Some(byte) = self.byte_at(text, from) else { return failed() };
        let Some(found) = self.find(text, from, byte) else { return failed() };
        if p.sticky && found.start != from {
            return failed();
        }
        if moves {
            self.state.last_index.set(found.end as i64);
            // The next `exec` of this text starts here: count from this match, not from 0. Kept
            // only under `g`/`y` (the text stays alive with the hint).
            *self.state.hint.borrow_mut() = Hint { text: text.clone(), ch: found.end, byte: found.m.end() };
        }
        Some(found)
    }

    /// The leftmost match at or after character `from` (at byte `byte`), whatever the flags;
    /// `lastIndex` untouched.
    pub fn find(&self, text: &ImmutableString, from: usize, byte: usize) -> Option<Found> {
        let m = self.pattern.regex.find_from(text, byte).next()?;
        let start = from + text[byte..m.start()].chars().count();
        let end = start + text[m.start()..m.end()].chars().count();
        Some(Found { m, start, end })
    }

    /// The byte offset of character `ch` in `text` (`None` past its end), counted from the last
    /// position known in the same text.
    pub fn byte_at(&self, text: &ImmutableString, ch: usize) -> Option<usize> {
        let (mut c, mut b) = (0, 0);
        {
            let hint = self.state.hint.borrow();
            if hint.text.ptr_eq(text) && hint.ch <= ch {
                (c, b) = (hint.ch, hint.byte);
            }
        }
        let mut rest = text[b..].chars();
        while c < ch {
            b += rest.next()?.len_utf8();
            c += 1;
        }
        Some(b)
    }
}

impl std::fmt::Display for RegExp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "/{}/{}", escaped_source(&self.pattern.source), self.pattern.flags)
    }
}

/// A property by name; one a RegExp does not have is an error naming it, not `()`.
fn property(re: &mut RegExp, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
    let p = &re.pattern;
    Ok(match name {
        "source" => escaped_source(&p.source).into(),
        "flags" => p.flags.clone().into(),
        "global" => p.global.into(),
        "ignoreCase" => p.ignore_case.into(),
        "multiline" => p.multiline.into(),
        "dotAll" => p.dot_all.into(),
        "unicode" => p.unicode.into(),
        "sticky" => p.sticky.into(),
        "hasIndices" => false.into(),
        "lastIndex" => re.last_index().into(),
        _ => return Err(format!("a RegExp has no property `{name}` in rload").into()),
    })
}

fn set_last_index(re: &mut RegExp, value: Dynamic) -> Result<(), Box<EvalAltResult>> {
    // ToLength as `exec` reads it: a number, or what JavaScript's Number() makes of a string or a
    // bool; a float is cut to a whole number, NaN is 0.
    let i = if let Ok(i) = value.as_int() {
        i
    } else {
        match super::convert::js_to_number(&value) {
            Some(f) if f.is_nan() => 0,
            Some(f) => f.trunc().clamp(i64::MIN as f64, i64::MAX as f64) as i64,
            None => return Err(format!("lastIndex must be a number, not {}", value.type_name()).into()),
        }
    };
    re.set_last_index_to(i);
    Ok(())
}

fn exec_value(re: &RegExp, text: &ImmutableString) -> Dynamic {
    match re.exec(text) {
        Some(found) => Dynamic::from(MatchResult::new(text, &found)),
        None => Dynamic::NULL,
    }
}

/// The text a RegExp searches for a value that is not a string, as JavaScript's ToString
/// writes it (`()` is "null" or "undefined", whichever it is).
pub fn input_text(value: &Dynamic) -> ImmutableString {
    if let Some(s) = value.read_lock::<ImmutableString>() {
        return s.clone();
    }
    if value.is_unit() {
        return if value.is_js_null() { "null" } else { "undefined" }.into();
    }
    if let Some(re) = value.read_lock::<RegExp>() {
        return re.to_string().into();
    }
    super::convert::js_string(value).into()
}

/// The compiled pattern, or JavaScript's SyntaxError naming it.
fn compile(source: &str, flags: &str) -> Result<Pattern, String> {
    let mut seen = String::new();
    for c in flags.chars() {
        if c == 'd' {
            return Err(format!(
                "the regular expression /{source}/{flags}: the d flag (match indices, `hasIndices`) is not supported by rload"
            ));
        }
        if !"gimsuy".contains(c) || seen.contains(c) {
            return Err(format!("SyntaxError: Invalid flags supplied to RegExp constructor '{flags}'"));
        }
        seen.push(c);
    }
    let has = |c| seen.contains(c);
    let regex = regress::Regex::with_flags(source, seen.as_str())
        .map_err(|e| format!("SyntaxError: Invalid regular expression: /{source}/{flags}: {e}"))?;
    let ordered: String = "gimsuy".chars().filter(|c| has(*c)).collect();
    Ok(Pattern {
        regex,
        source: source.into(),
        flags: ordered.into(),
        global: has('g'),
        ignore_case: has('i'),
        multiline: has('m'),
        dot_all: has('s'),
        unicode: has('u'),
        sticky: has('y'),
    })
}

/// `source` as JavaScript gives it: `(?:)` for an empty pattern, a `/` outside a class and a line
/// break escaped, so that `/${source}/` reads back as the same regex.
fn escaped_source(source: &str) -> String {
    if source.is_empty() {
        return "(?:)".into();
    }
    let mut out = String::with_capacity(source.len());
    let (mut escaped, mut in_class) = (false, false);
    for c in source.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            '/' if !escaped && !in_class => out.push_str("\\/"),
            c => out.push(c),
        }
        if !escaped {
            match c {
                '[' => in_class = true,
                ']' => in_class = false,
                _ => {}
            }
        }
        escaped = !escaped && c == '\\';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        let mut engine = Engine::new();
        crate::script::api::regexp::register(&mut engine);
        crate::script::api::regexp_match::register(&mut engine);
        engine
    }

    #[test]
    fn an_exec_loop_with_g_sees_every_match_and_ends() {
        let out: rhai::Array = engine()
            .eval(
                r#"let re = regexp("a(\\d)", "g"); let out = []; let n = 0;
                   loop { let m = re.exec("a1 b a2 é a3"); if m == () || n > 10 { break; } n += 1;
                          out.push(`${m[1]}@${m.index}:${re.lastIndex}`); }
                   out.push(`${re.lastIndex}`); out"#,
            )
            .unwrap();
        let out = out.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" ");
        assert_eq!(out, "1@0:2 2@5:7 3@10:12 0");
    }

    #[test]
    fn sticky_matches_only_at_last_index() {
        let e = engine();
        assert!(!e.eval::<bool>(r#"let re = regexp("b", "y"); re.test("ab")"#).unwrap());
        assert!(e
            .eval::<bool>(r#"let re = regexp("b", "y"); re.lastIndex = 1; re.test("ab") && re.lastIndex == 2"#)
            .unwrap());
    }

    #[test]
    fn a_bad_pattern_or_flag_is_an_error_naming_it() {
        let e = engine();
        let err = e.eval::<Dynamic>(r#"regexp("a(b", "")"#).unwrap_err().to_string();
        assert!(err.contains("Invalid regular expression: /a(b/"), "{err}");
        let err = e.eval::<Dynamic>(r#"regexp("a", "gg")"#).unwrap_err().to_string();
        assert!(err.contains("Invalid flags supplied to RegExp constructor 'gg'"), "{err}");
        let err = e.eval::<Dynamic>(r#"regexp("a", "d")"#).unwrap_err().to_string();
        assert!(err.contains("the d flag"), "{err}");
    }

    #[test]
    fn properties_are_javascripts() {
        let e = engine();
        let out: String =
            e.eval(r#"let re = regexp("a/b", "yig"); `${re.source} ${re.flags} ${re.global} ${re.ignoreCase} ${re.multiline} ${re} ${regexp("")}`"#).unwrap();
        assert_eq!(out, r"a\/b giy true true false /a\/b/giy /(?:)/");
        let out: String =
            e.eval(r#"let re = regexp(regexp("x", "g")); let c = regexp(re, "i"); `${re.flags} ${c.flags}`"#).unwrap();
        assert_eq!(out, "g i");
    }
}
