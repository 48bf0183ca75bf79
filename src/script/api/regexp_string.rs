//! The string methods that take a regular expression, with JavaScript's semantics (the
//! specification's `@@match`, `@@matchAll`, `@@replace`, `@@search` and `@@split`).
//!
//! For Rhai scripts: `s.match_re(re)` (`match` is a word Rhai reserves), `s.match_all(re)`,
//! `s.search(re)`, `s.replace(re, repl)` and `s.replace_all(re, repl)` (which change `s` in place,
//! as Rhai's own `replace` of two strings does; JavaScript's return the new string, as the
//! converter's `js_str_replace` does), `s.split(re)` and `s.split(re, limit)`.
//!
//! For converted JavaScript, whose pattern may be a string or a regex that the converter cannot
//! tell apart: `js_str_match`, `js_str_match_all`, `js_str_search`, `js_str_replace`,
//! `js_str_replace_all` and `js_str_split`, which look at the pattern when they run. A string
//! pattern keeps JavaScript's string behaviour (`replace` of the first occurrence, with the `$&`
//! patterns in the replacement as JavaScript applies them to string patterns too); `match` and
//! `search` read a string as a regex, as JavaScript does.
//!
//! A replacement is a string (`$$ $& $\` $' $1…$99 $<name>`) or a function called with the
//! match, the groups, the offset, the string and (when the pattern names groups) the groups map,
//! taking as many of them as it declares.

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, ImmutableString, NativeCallContext};

use super::regexp::{input_text, regexp, Found, RegExp};
use super::regexp_match::{captures, named_groups, MatchResult};

type Res<T> = Result<T, Box<EvalAltResult>>;

pub fn register(engine: &mut Engine) {
    engine.register_fn("match_re", |s: ImmutableString, re: RegExp| string_match(&re, &s));
    engine.register_fn("match_all", |s: ImmutableString, re: RegExp| match_all(&re, &s));
    engine.register_fn("search", |s: ImmutableString, re: RegExp| search(&re, &s));
    // In place, as Rhai's own `replace` of two strings (and so `rload check`'s rule that
    // `let t = s.replace(…)` stores `()` holds for both).
    engine.register_fn("replace", |ctx: NativeCallContext, s: &mut ImmutableString, re: RegExp, repl: Dynamic| {
        *s = replace(&ctx, &re, s, &repl, false)?;
        Ok::<_, Box<EvalAltResult>>(())
    });
    engine.register_fn("replace_all", |ctx: NativeCallContext, s: &mut ImmutableString, re: RegExp, repl: Dynamic| {
        *s = replace(&ctx, &re, s, &repl, true)?;
        Ok::<_, Box<EvalAltResult>>(())
    });
    engine.register_fn("split", |s: ImmutableString, re: RegExp| split(&re, &s, u32::MAX));
    engine.register_fn("split", |s: ImmutableString, re: RegExp, limit: i64| split(&re, &s, limit as u32));

    engine.register_fn("js_str_match", |s: Dynamic, pattern: Dynamic| {
        let s = receiver(&s, "match")?;
        Ok::<_, Box<EvalAltResult>>(string_match(&as_regexp(pattern, "")?, &s))
    });
    engine.register_fn("js_str_match_all", |s: Dynamic, pattern: Dynamic| {
        let s = receiver(&s, "matchAll")?;
        match_all(&as_regexp(pattern, "g")?, &s)
    });
    engine.register_fn("js_str_search", |s: Dynamic, pattern: Dynamic| {
        let s = receiver(&s, "search")?;
        Ok::<_, Box<EvalAltResult>>(search(&as_regexp(pattern, "")?, &s))
    });
    engine.register_fn("js_str_replace", |ctx: NativeCallContext, s: Dynamic, pattern: Dynamic, repl: Dynamic| {
        let s = receiver(&s, "replace")?;
        match pattern.clone().try_cast::<RegExp>() {
            Some(re) => replace(&ctx, &re, &s, &repl, false),
            None => replace_text(&ctx, &s, &input_text(&pattern), &repl, false),
        }
    });
    engine.register_fn("js_str_replace_all", |ctx: NativeCallContext, s: Dynamic, pattern: Dynamic, repl: Dynamic| {
        let s = receiver(&s, "replaceAll")?;
        match pattern.clone().try_cast::<RegExp>() {
            Some(re) => replace(&ctx, &re, &s, &repl, true),
            None => replace_text(&ctx, &s, &input_text(&pattern), &repl, true),
        }
    });
    engine.register_fn("js_str_split", |s: Dynamic, separator: Dynamic, limit: Dynamic| {
        let s = receiver(&s, "split")?;
        let limit = uint32(&limit)?;
        Ok::<_, Box<EvalAltResult>>(match separator.clone().try_cast::<RegExp>() {
            Some(re) => split(&re, &s, limit),
            None => split_text(&s, &separator, limit),
        })
    });
}

/// The string a converted `s.method(…)` was called on.
fn receiver(s: &Dynamic, method: &str) -> Res<ImmutableString> {
    if let Some(text) = s.read_lock::<ImmutableString>() {
        return Ok(text.clone());
    }
    if s.is_unit() {
        return Err(format!("TypeError: Cannot read property '{method}' of undefined or null").into());
    }
    Err(format!("TypeError: {method}() is a string method, called on a {}", s.type_name()).into())
}

/// A pattern as `match`/`search` read it: a regex as it is, anything else as the source of a new
/// one (`()` is the empty pattern, as `new RegExp(undefined)`).
fn as_regexp(pattern: Dynamic, flags: &str) -> Res<RegExp> {
    match pattern.clone().try_cast::<RegExp>() {
        Some(re) => Ok(re),
        None => regexp(pattern, if flags.is_empty() { Dynamic::UNIT } else { Dynamic::from(flags.to_string()) }),
    }
}

/// A split limit as JavaScript's ToUint32 reads it; `()` is no limit.
fn uint32(limit: &Dynamic) -> Res<u32> {
    if limit.is_unit() {
        return Ok(u32::MAX);
    }
    if let Ok(i) = limit.as_int() {
        return Ok(i as u32);
    }
    if let Ok(f) = limit.as_float() {
        return Ok(if f.is_finite() { f.trunc().rem_euclid(4294967296.0) as u32 } else { 0 });
    }
    Err(format!("split(): the limit must be a number, not {}", limit.type_name()).into())
}

/// Every match of a `g` regex from the start, as `match`, `replace` and `matchAll` walk them: an
/// empty match moves `lastIndex` one character on.
fn all_matches(re: &RegExp, s: &ImmutableString) -> Vec<Found> {
    re.set_last_index_to(0);
    let mut out = Vec::new();
    while let Some(found) = re.exec(s) {
        if found.start == found.end {
            re.set_last_index_to(found.end as i64 + 1);
        }
        out.push(found);
    }
    out
}

fn string_match(re: &RegExp, s: &ImmutableString) -> Dynamic {
    if !re.pattern.global {
        return re.exec(s).map_or(Dynamic::NULL, |f| Dynamic::from(MatchResult::new(s, &f)));
    }
    let found = all_matches(re, s);
    if found.is_empty() {
        return Dynamic::NULL;
    }
    Dynamic::from_array(found.iter().map(|f| Dynamic::from(s[f.m.range()].to_string())).collect())
}

fn match_all(re: &RegExp, s: &ImmutableString) -> Res<Array> {
    if !re.pattern.global {
        return Err("TypeError: matchAll must be called with a global RegExp (the g flag)".into());
    }
    // JavaScript walks a copy, from the regex's lastIndex, and leaves the regex as it was.
    let copy = re.copy();
    let mut out = Array::new();
    while let Some(found) = copy.exec(s) {
        if found.start == found.end {
            copy.set_last_index_to(found.end as i64 + 1);
        }
        out.push(Dynamic::from(MatchResult::new(s, &found)));
    }
    Ok(out)
}

fn search(re: &RegExp, s: &ImmutableString) -> i64 {
    let previous = re.last_index();
    re.set_last_index_to(0);
    let found = re.exec(s);
    re.set_last_index_to(previous);
    found.map_or(-1, |f| f.start as i64)
}

fn replace(
    ctx: &NativeCallContext,
    re: &RegExp,
    s: &ImmutableString,
    repl: &Dynamic,
    all: bool,
) -> Res<ImmutableString> {
    if all && !re.pattern.global {
        return Err("TypeError: replaceAll must be called with a global RegExp (the g flag)".into());
    }
    let found = if re.pattern.global { all_matches(re, s) } else { re.exec(s).into_iter().collect() };
    let callback = repl.clone().try_cast::<FnPtr>();
    let mut fit = None;
    let template = if callback.is_some() { ImmutableString::new() } else { input_text(repl) };
    let mut out = String::with_capacity(s.len());
    let mut done = 0;
    for f in &found {
        out.push_str(&s[done..f.m.start()]);
        let groups = captures(s, &f.m);
        let named = named_groups(s, &f.m);
        match &callback {
            Some(cb) => {
                let mut args = groups;
                args.push(Dynamic::from(f.start as i64));
                args.push(Dynamic::from(s.clone()));
                if !named.is_unit() {
                    args.push(named);
                }
                out.push_str(&input_text(&super::call::call_fitting_as(ctx, cb, args, &mut fit)?));
            }
            None => expand(&mut out, &template, s, f.m.range(), &groups[1..], &named),
        }
        done = f.m.end();
    }
    out.push_str(&s[done..]);
    Ok(out.into())
}

/// `replace`/`replaceAll` with a string pattern: its first (or every) occurrence, the
/// replacement's `$` patterns applied (there are no groups: `$1` stays as written).
fn replace_text(
    ctx: &NativeCallContext,
    s: &ImmutableString,
    search: &str,
    repl: &Dynamic,
    all: bool,
) -> Res<ImmutableString> {
    let mut positions = Vec::new();
    let mut from = 0;
    while let Some(i) = s[from..].find(search).map(|i| i + from) {
        positions.push(i);
        if !all {
            break;
        }
        from = i + search.len().max(s[i..].chars().next().map_or(1, char::len_utf8));
        if from > s.len() {
            break;
        }
    }
    let callback = repl.clone().try_cast::<FnPtr>();
    let mut fit = None;
    let template = if callback.is_some() { ImmutableString::new() } else { input_text(repl) };
    let mut out = String::with_capacity(s.len());
    let (mut done, mut done_chars) = (0, 0);
    for i in positions {
        out.push_str(&s[done..i]);
        let range = i..i + search.len();
        match &callback {
            Some(cb) => {
                let offset = done_chars + s[done..i].chars().count();
                let args =
                    vec![Dynamic::from(search.to_string()), Dynamic::from(offset as i64), Dynamic::from(s.clone())];
                out.push_str(&input_text(&super::call::call_fitting_as(ctx, cb, args, &mut fit)?));
            }
            None => expand(&mut out, &template, s, range.clone(), &[], &Dynamic::UNIT),
        }
        done_chars += s[done..range.end].chars().count();
        done = range.end;
    }
    out.push_str(&s[done..]);
    Ok(out.into())
}

/// JavaScript's GetSubstitution: `template` with `$$`, `$&`, `` $` ``, `$'`, `$n`/`$nn` and
/// `$<name>` replaced for the match at `range` of `s`.
fn expand(
    out: &mut String,
    template: &str,
    s: &str,
    range: std::ops::Range<usize>,
    groups: &[Dynamic],
    named: &Dynamic,
) {
    let group = |out: &mut String, g: &Dynamic| {
        if let Some(t) = g.read_lock::<ImmutableString>() {
            out.push_str(&t);
        }
    };
    let t = template.as_bytes();
    let mut i = 0;
    while i < t.len() {
        let Some(rel) = template[i..].find('$') else {
            out.push_str(&template[i..]);
            break;
        };
        out.push_str(&template[i..i + rel]);
        i += rel;
        let next = t.get(i + 1).copied();
        match next {
            Some(b'$') => {
                out.push('$');
                i += 2;
            }
            Some(b'&') => {
                out.push_str(&s[range.clone()]);
                i += 2;
            }
            Some(b'`') => {
                out.push_str(&s[..range.start]);
                i += 2;
            }
            Some(b'\'') => {
                out.push_str(&s[range.end..]);
                i += 2;
            }
            Some(d @ b'0'..=b'9') => {
                let one = usize::from(d - b'0');
                let two = t.get(i + 2).filter(|c| c.is_ascii_digit()).map(|c| one * 10 + usize::from(c - b'0'));
                match two {
                    Some(n) if (1..=groups.len()).contains(&n) => {
                        group(out, &groups[n - 1]);
                        i += 3;
                    }
                    _ if (1..=groups.len()).contains(&one) => {
                        group(out, &groups[one - 1]);
                        i += 2;
                    }
                    _ => {
                        out.push('$');
                        i += 1;
                    }
                }
            }
            Some(b'<') if !named.is_unit() => match template[i + 2..].find('>') {
                Some(len) => {
                    let name = &template[i + 2..i + 2 + len];
                    if let Some(map) = named.read_lock::<rhai::Map>() {
                        if let Some(g) = map.get(name) {
                            group(out, g);
                        }
                    }
                    i += 3 + len;
                }
                None => {
                    out.push_str("$<");
                    i += 2;
                }
            },
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
}

/// JavaScript's `@@split`: the pieces between matches, each match's groups spliced in after its
/// piece, at most `limit` elements. An empty match splits between characters, never at the ends.
fn split(re: &RegExp, s: &ImmutableString, limit: u32) -> Array {
    let limit = limit as usize;
    let mut out = Array::new();
    if limit == 0 {
        return out;
    }
    if s.is_empty() {
        // [] when the regex matches the empty string (at 0: JavaScript splits with `y`).
        return if re.find(s, 0, 0).is_some_and(|f| f.start == 0) { out } else { vec![Dynamic::from(s.clone())] };
    }
    let size = s.chars().count();
    let (mut p, mut p_byte) = (0, 0);
    let (mut q, mut q_byte) = (0, 0);
    while q < size {
        let Some(f) = re.find(s, q, q_byte) else { break };
        if f.start >= size {
            break;
        }
        let end = f.end.min(size);
        if end == p {
            q = f.start + 1;
            q_byte = f.m.start() + s[f.m.start()..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        out.push(Dynamic::from(s[p_byte..f.m.start()].to_string()));
        if out.len() == limit {
            return out;
        }
        for g in captures(s, &f.m).into_iter().skip(1) {
            out.push(g);
            if out.len() == limit {
                return out;
            }
        }
        (p, p_byte) = (end, f.m.end());
        (q, q_byte) = (p, p_byte);
    }
    out.push(Dynamic::from(s[p_byte..].to_string()));
    out
}

/// `split` with a string separator (what the converter's `split` did before regexes): `()` keeps
/// the string whole, `""` splits between characters.
fn split_text(s: &ImmutableString, separator: &Dynamic, limit: u32) -> Array {
    let limit = limit as usize;
    // undefined does not split; null splits at "null" (its text), as any other value at its text.
    let mut out: Array = if separator.is_unit() && !separator.is_js_null() {
        vec![Dynamic::from(s.clone())]
    } else {
        let sep = input_text(separator);
        if sep.is_empty() {
            s.chars().map(|c| Dynamic::from(c.to_string())).collect()
        } else {
            s.split(sep.as_str()).map(|p| Dynamic::from(p.to_string())).collect()
        }
    };
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use rhai::Engine;

    fn eval(script: &str) -> String {
        let mut engine = Engine::new();
        crate::script::api::regexp::register(&mut engine);
        crate::script::api::regexp_match::register(&mut engine);
        crate::script::api::call::register(&mut engine);
        super::register(&mut engine);
        engine.eval::<rhai::Dynamic>(script).map(|v| v.to_string()).unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn replace_applies_javascripts_dollar_patterns() {
        assert_eq!(
            eval(r#"let s = "john smith"; s.replace(regexp("(\\w+)\\s(\\w+)"), "$2, $1 [$&] $$ $3 $<x>"); s"#),
            "smith, john [john smith] $ $3 $<x>"
        );
        assert_eq!(eval(r#"js_str_replace("a-b", regexp("(?<l>\\w)-(?<r>\\w)"), "$<r>-$<l>|$`|$'")"#), "b-a||");
        assert_eq!(eval(r#"js_str_replace("x.y", ".", "[$&]")"#), "x[.]y");
        assert_eq!(eval(r#"js_str_replace_all("aXbXc", "X", |m, i| `${i}`)"#), "a1b3c");
    }

    #[test]
    fn replace_with_a_function_gets_groups_offset_and_string() {
        assert_eq!(
            eval(r#"let s = "a1b22"; s.replace_all(regexp("\\d+", "g"), |m, off| `<${m}@${off}>`); s"#),
            "a<1@1>b<22@3>"
        );
        assert_eq!(
            eval(
                r#"js_str_replace("k=v", regexp("(\\w)=(?<v>\\w)"), |m, a, b, off, s, g| `${a}${b}${off}${s}${g.v}`)"#
            ),
            "kv0k=vv"
        );
        assert!(eval(r#""a".replace_all(regexp("a"), "b")"#).contains("replaceAll must be called with a global RegExp"));
    }

    #[test]
    fn split_splices_groups_and_stops_at_the_limit() {
        assert_eq!(eval(r#""a1b2c".split(regexp("(\\d)"))"#), r#"["a", "1", "b", "2", "c"]"#);
        assert_eq!(eval(r#""a1b2c".split(regexp("\\d"), 2)"#), r#"["a", "b"]"#);
        assert_eq!(eval(r#""abc".split(regexp(""))"#), r#"["a", "b", "c"]"#);
        assert_eq!(eval(r#""".split(regexp("x*"))"#), "[]");
        assert_eq!(eval(r#"js_str_split("a,b,c", ",", 2)"#), r#"["a", "b"]"#);
    }

    const PATTERNS: &[&str] = &["", "a*", ".", "é|b", "\\b", "(?<=é).", "(a)|(b)", "😀+", "^", "$", "x*?"];
    const FLAGS: &[&str] = &["", "g", "y", "gy", "u", "gu", "gim"];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, failure_persistence: None, ..Default::default() })]

        /// Character positions over text of one-, two- and four-byte characters, from any
        /// `lastIndex`: no panic (regress panics on a byte offset inside a character), an exec
        /// loop that ends, a replacement of each match by itself that gives the text back, and
        /// an empty string pattern replaced between every character.
        #[test]
        fn any_text_and_last_index_is_searched_in_characters(
            text in "[aé😀b\n ]{0,12}",
            p in 0..PATTERNS.len(),
            f in 0..FLAGS.len(),
            last in -2i64..16,
        ) {
            let mut engine = Engine::new();
            crate::script::api::regexp::register(&mut engine);
            crate::script::api::regexp_match::register(&mut engine);
            crate::script::api::call::register(&mut engine);
            super::register(&mut engine);
            let mut scope = rhai::Scope::new();
            scope.push("s", text.clone());
            scope.push("src", PATTERNS[p].to_string());
            scope.push("fl", FLAGS[f].to_string());
            scope.push("li", last);
            let out: rhai::Array = engine
                .eval_with_scope(
                    &mut scope,
                    r#"let re = regexp(src, fl); re.lastIndex = li; let n = 0;
                       loop { let m = re.exec(s); if m == () || n > 40 { break; } n += 1;
                              if m[0] == "" { re.lastIndex += 1; } }
                       let parts = js_str_split(s, regexp(src, fl), ());
                       let all = if fl.contains("g") { s.match_all(regexp(src, fl)).len() } else { 0 };
                       [js_str_replace(s, regexp(src, fl), "$&") == s, (!fl.contains("g") && !fl.contains("y")) || n <= s.len() + 1,
                        js_str_search(s, regexp(src, fl)) <= s.len(), parts.len() <= s.len() * 3 + 1,
                        all <= s.len() + 1, js_str_replace_all(s, "", "-").len() == s.len() * 2 + 1]"#,
                )
                .unwrap();
            for (i, ok) in out.iter().enumerate() {
                proptest::prop_assert!(ok.as_bool().unwrap(), "invariant {i} for {text:?} /{}/{}", PATTERNS[p], FLAGS[f]);
            }
        }
    }

    #[test]
    fn match_search_and_match_all_follow_javascript() {
        assert_eq!(eval(r#""a1b22".match_re(regexp("\\d+", "g"))"#), r#"["1", "22"]"#);
        assert_eq!(
            eval(
                r#"let m = "a1b22".match_re(regexp("b(\\d)(x)?")); `${m[0]} ${m[1]} ${m[2] == ()} ${m.index} ${m.len()}`"#
            ),
            "b2 2 true 2 3"
        );
        assert_eq!(eval(r#""xyz".match_re(regexp("q"))"#), "");
        assert_eq!(eval(r#"js_str_search("é-b", "b")"#), "2");
        assert_eq!(
            eval(
                r#"let re = regexp("\\d", "g"); re.lastIndex = 3; let all = "1 2 3".match_all(re); `${all.len()} ${re.lastIndex}`"#
            ),
            "1 3"
        );
        assert!(eval(r#""1".match_all(regexp("1"))"#).contains("matchAll must be called with a global RegExp"));
    }
}
