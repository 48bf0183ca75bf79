//! A match result of `re.exec(s)`, `s.match(re)` (without `g`) and `s.matchAll(re)`: JavaScript's
//! match array as k6 scripts read it. `m[0]` is the match, `m[1]`… its groups (`()` for a group
//! that did not take part, and past the last group), `m.index` where it starts (in characters, as
//! [`super::regexp`] counts), `m.input` the text searched, `m.groups` the named groups as a map
//! (`()` when the pattern names none), `m.length` and `m.len()` the number of elements.
//!
//! It iterates (`for g in m`) and `m.to_array()` gives a plain array; `get`, `extract`,
//! `contains` and `array + m` serve the converter's destructuring, `slice`, `includes` and spread,
//! and `map`/`filter` take a callback as arrays do. Anything else of an array is not there, and
//! Rhai's error names it (`Function not found: push (RegExpMatch, …)`) rather than reading as
//! `()`; `m.indices` (the `d` flag) is refused where the flag is.

use std::rc::Rc;

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, ImmutableString, Map, NativeCallContext};

use super::regexp::Found;

struct Data {
    items: Array,
    index: i64,
    input: ImmutableString,
    groups: Dynamic,
}

#[derive(Clone)]
pub struct MatchResult(Rc<Data>);

impl MatchResult {
    pub fn new(text: &ImmutableString, found: &Found) -> MatchResult {
        let items = captures(text, &found.m);
        let groups = named_groups(text, &found.m);
        MatchResult(Rc::new(Data { items, index: found.start as i64, input: text.clone(), groups }))
    }
}

/// The match and its groups as strings, `()` for a group that did not take part.
pub fn captures(text: &str, m: &regress::Match) -> Array {
    m.groups().map(|g| g.map_or(Dynamic::UNIT, |r| Dynamic::from(text[r].to_string()))).collect()
}

/// The named groups as a map, `()` when the pattern names none (JavaScript's `groups` is
/// `undefined` then).
pub fn named_groups(text: &str, m: &regress::Match) -> Dynamic {
    let mut names = m.named_groups().peekable();
    if names.peek().is_none() {
        return Dynamic::UNIT;
    }
    let map: Map =
        names.map(|(name, r)| (name.into(), r.map_or(Dynamic::UNIT, |r| Dynamic::from(text[r].to_string())))).collect();
    Dynamic::from_map(map)
}

impl MatchResult {
    /// The match and its groups as a plain array (what JSON and `console.log` write).
    pub fn to_array(&self) -> Array {
        self.0.items.clone()
    }
}

impl IntoIterator for MatchResult {
    type Item = Dynamic;
    type IntoIter = std::vec::IntoIter<Dynamic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.items.clone().into_iter()
    }
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<MatchResult>("RegExpMatch");
    engine.register_iterator::<MatchResult>();
    engine.register_indexer_get(|m: &mut MatchResult, i: i64| {
        usize::try_from(i).ok().and_then(|i| m.0.items.get(i).cloned()).unwrap_or(Dynamic::UNIT)
    });
    // `m["index"]`, as the converter writes a computed member: the properties by name; any other
    // name is an error naming it.
    engine.register_indexer_get(|m: &mut MatchResult, name: &str| -> Result<Dynamic, Box<EvalAltResult>> {
        Ok(match name {
            "index" => m.0.index.into(),
            "input" => m.0.input.clone().into(),
            "groups" => m.0.groups.clone(),
            "length" => (m.0.items.len() as i64).into(),
            _ => return Err(format!("a match has no property `{name}` in rload").into()),
        })
    });
    engine.register_fn("len", |m: &mut MatchResult| m.0.items.len() as i64);
    engine.register_get("length", |m: &mut MatchResult| m.0.items.len() as i64);
    engine.register_get("index", |m: &mut MatchResult| m.0.index);
    engine.register_get("input", |m: &mut MatchResult| m.0.input.clone());
    engine.register_get("groups", |m: &mut MatchResult| m.0.groups.clone());
    engine.register_get("indices", |_: &mut MatchResult| -> Result<Dynamic, Box<EvalAltResult>> {
        Err("a match's `indices` needs the d flag (match indices), which rload does not support".into())
    });
    engine.register_fn("to_array", |m: &mut MatchResult| m.0.items.clone());
    engine.register_fn("to_json", |m: &mut MatchResult| {
        serde_json::to_string(&super::body::JsonValue::rhai(&Dynamic::from(m.clone()))).unwrap_or_default()
    });
    // What the converter writes for destructuring (`const [, id] = m`), spreading (`[...m]`) and
    // `m.includes(x)`; `==` is identity, as JavaScript compares objects.
    engine.register_fn("get", |m: &mut MatchResult, i: i64| {
        usize::try_from(i).ok().and_then(|i| m.0.items.get(i).cloned()).unwrap_or(Dynamic::UNIT)
    });
    engine
        .register_fn("+", |a: Array, m: MatchResult| a.into_iter().chain(m.0.items.iter().cloned()).collect::<Array>());
    // The elements are strings and `()`: only a string or `()` can be one (SameValueZero).
    engine.register_fn("contains", |m: &mut MatchResult, x: Dynamic| {
        let text = x.read_lock::<ImmutableString>().map(|t| t.clone());
        m.0.items.iter().any(|e| match (&text, e.read_lock::<ImmutableString>()) {
            (Some(t), Some(e)) => *t == *e,
            (None, None) => x.is_unit() && e.is_unit(),
            _ => false,
        })
    });
    engine.register_fn("==", |a: &mut MatchResult, b: MatchResult| Rc::ptr_eq(&a.0, &b.0));
    engine.register_fn("!=", |a: &mut MatchResult, b: MatchResult| !Rc::ptr_eq(&a.0, &b.0));
    engine.register_fn("extract", |m: &mut MatchResult, start: i64| {
        let mut a = m.0.items.clone();
        a.drain(..(start.max(0) as usize).min(a.len()));
        a
    });
    engine.register_fn("extract", |m: &mut MatchResult, start: i64, len: i64| {
        let start = (start.max(0) as usize).min(m.0.items.len());
        m.0.items.iter().skip(start).take(len.max(0) as usize).cloned().collect::<Array>()
    });
    engine.register_fn("map", |ctx: NativeCallContext, m: &mut MatchResult, f: FnPtr| {
        let mut out = Array::with_capacity(m.0.items.len());
        for (i, x) in m.0.items.iter().enumerate() {
            out.push(super::call::call_fitting(&ctx, &f, vec![x.clone(), Dynamic::from(i as i64)])?);
        }
        Ok::<_, Box<EvalAltResult>>(out)
    });
    engine.register_fn("filter", |ctx: NativeCallContext, m: &mut MatchResult, f: FnPtr| {
        let mut out = Array::new();
        for (i, x) in m.0.items.iter().enumerate() {
            let keep = super::call::call_fitting(&ctx, &f, vec![x.clone(), Dynamic::from(i as i64)])?;
            if super::convert::js_truthy(&keep) {
                out.push(x.clone());
            }
        }
        Ok::<_, Box<EvalAltResult>>(out)
    });
    // `String(m)` and a template: the elements joined with commas, as JavaScript writes an array.
    engine.register_fn("to_string", |m: &mut MatchResult| text(m));
    engine.register_fn("to_debug", |m: &mut MatchResult| text(m));
}

fn text(m: &MatchResult) -> String {
    m.0.items.iter().map(|x| if x.is_unit() { String::new() } else { x.to_string() }).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use rhai::{Dynamic, Engine};

    fn eval(script: &str) -> Result<Dynamic, String> {
        let mut engine = Engine::new();
        crate::script::api::regexp::register(&mut engine);
        super::register(&mut engine);
        engine.eval::<Dynamic>(script).map_err(|e| e.to_string())
    }

    #[test]
    fn a_match_reads_as_javascripts_match_array() {
        let out = eval(
            r#"let m = regexp("a(x)?(b)").exec("zab");
               `${m[0]}|${m[1] == ()}|${m[2]}|${m[7] == ()}|${m.index}|${m.input}|${m.len()}|${m.groups == ()}|${[] + m}`"#,
        );
        assert_eq!(out.unwrap().to_string(), r#"ab|true|b|true|1|zab|3|true|["ab", (), "b"]"#);
    }

    #[test]
    fn what_a_match_lacks_is_an_error_naming_it() {
        let m = r#"let m = regexp("a").exec("a"); "#;
        let err = eval(&format!("{m} m.foo")).unwrap_err();
        assert!(err.contains("a match has no property `foo`"), "{err}");
        let err = eval(&format!("{m} m.push(1)")).unwrap_err();
        assert!(err.contains("push (RegExpMatch"), "{err}");
        let err = eval(&format!("{m} m.indices")).unwrap_err();
        assert!(err.contains("d flag"), "{err}");
    }
}
