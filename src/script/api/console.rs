//! k6's `console` global: `console.log / info / warn / error / debug(a, b, …)` with up to
//! eight arguments, each a log line through `crate::logger` (so `--log-output` and
//! `--log-format` apply) with k6's level and its `source=console` field:
//!
//! ```text
//! INFO hello 1 {"a":1} source=console            (text, as k6 prints on a terminal)
//! {"level":"warning","msg":"slow","source":"console","time":"…"}   (--log-format json)
//! ```
//! Arguments are joined by spaces as k6 does: strings as they are, numbers as JavaScript writes
//! them (`2.0` → 2, `1e21` → 1e+21, `Infinity`), maps and arrays as JSON (as
//! `JSON.stringify`: a map's `undefined` values left out), JavaScript's `null` (JSON's null, a
//! converted `null`: `Dynamic::NULL`) as `null`, any other `()` as `undefined`, a Map or a Set
//! as `{}` and a function as `null`, as k6 writes them. `console.log` and `console.info` are level info, `warn` is k6's `warning`,
//! `error` is error, `debug` is debug (k6 shows debug lines only with `--verbose`, which rload
//! does not have; rload shows them, as it does the script's `debug`).
//!
//! `debug` is a Rhai keyword that cannot be called as a method, and Rhai sends whatever a
//! function named `debug` returns to its debug hook. So the tokenizer hands `debug` written
//! right after a `.` to the parser as the identifier [`DEBUG_METHOD`]: `console.debug(x)`
//! calls it, and the plain `debug(x)` keeps Rhai's meaning.
//!
//! `js_console(console, "log", [a, b, …])`: the same, its arguments an array of any length
//! (`rload convert` writes it for `console.log(...xs)`).
//!
//! Not here: the script's `print` (one argument, plain stdout unless a log flag is given),
//! which stays as `crate::logger::print` defines it.

use rhai::{Dynamic, Engine, Token};

use super::body::JsonValue;
use super::call::RestFn;
use super::collections::{JsMap, JsSet};
use super::exec;
use super::regexp::RegExp;
use super::regexp_match::MatchResult;
use super::shared_array::SharedArray;

use crate::logger::{self, Level};

/// The name `x.debug(…)` is parsed as (see the module documentation).
pub const DEBUG_METHOD: &str = "console_debug";

/// The `console` object.
#[derive(Clone, Copy)]
pub struct ConsoleApi;

/// One argument as k6's console writes it.
fn show(value: &Dynamic) -> String {
    if value.is_unit() {
        return if value.is_js_null() { "null" } else { "undefined" }.into();
    }
    if let Some(s) = value.read_lock::<rhai::ImmutableString>() {
        return s.to_string();
    }
    if let Ok(f) = value.as_float() {
        return super::convert::js_number(f);
    }
    // As k6 writes them: a Map or a Set has no properties of its own to show, a function none
    // that JSON takes.
    if value.is::<JsMap>() || value.is::<JsSet>() {
        return "{}".into();
    }
    if value.is_fnptr() || value.is::<RestFn>() {
        return "null".into();
    }
    if value.is_map()
        || value.is_array()
        || value.is::<SharedArray>()
        || value.is::<MatchResult>()
        || value.is::<RegExp>()
        || value.is::<super::date::JsDate>()
        || exec::as_map(value).is_some()
    {
        if let Ok(json) = serde_json::to_string(&JsonValue::js(value)) {
            return json;
        }
    }
    value.to_string()
}

fn write(level: Level, args: &[Dynamic]) {
    let msg = args.iter().map(show).collect::<Vec<_>>().join(" ");
    logger::log(level, None, &msg, &[("source", "console")]);
}

/// Registers `name` on the console for zero to eight arguments.
macro_rules! console_fn {
    ($engine:expr, $name:expr, $level:expr) => {{
        let (e, n, l) = ($engine, $name, $level);
        e.register_fn(n, move |_: ConsoleApi| write(l, &[]));
        e.register_fn(n, move |_: ConsoleApi, a: Dynamic| write(l, &[a]));
        e.register_fn(n, move |_: ConsoleApi, a: Dynamic, b: Dynamic| write(l, &[a, b]));
        e.register_fn(n, move |_: ConsoleApi, a: Dynamic, b: Dynamic, c: Dynamic| write(l, &[a, b, c]));
        e.register_fn(n, move |_: ConsoleApi, a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic| write(l, &[a, b, c, d]));
        e.register_fn(n, move |_: ConsoleApi, a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, f: Dynamic| {
            write(l, &[a, b, c, d, f])
        });
        e.register_fn(
            n,
            move |_: ConsoleApi, a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, f: Dynamic, g: Dynamic| {
                write(l, &[a, b, c, d, f, g])
            },
        );
        e.register_fn(
            n,
            move |_: ConsoleApi, a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, f: Dynamic, g: Dynamic, h: Dynamic| {
                write(l, &[a, b, c, d, f, g, h])
            },
        );
        e.register_fn(
            n,
            move |_: ConsoleApi,
                  a: Dynamic,
                  b: Dynamic,
                  c: Dynamic,
                  d: Dynamic,
                  f: Dynamic,
                  g: Dynamic,
                  h: Dynamic,
                  i: Dynamic| write(l, &[a, b, c, d, f, g, h, i]),
        );
    }};
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<ConsoleApi>("console");
    let after_dot = std::cell::Cell::new(false);
    #[allow(deprecated)] // "volatile", not deprecated: see the attribute's own note.
    engine.on_parse_token(move |token, _, _| {
        let method = after_dot.get();
        after_dot.set(matches!(token, Token::Period | Token::Elvis));
        match token {
            Token::Reserved(word) if method && word.as_str() == "debug" => {
                Token::Identifier(Box::new(DEBUG_METHOD.into()))
            }
            other => other,
        }
    });
    for (name, level) in [
        ("log", Level::Info),
        ("info", Level::Info),
        ("warn", Level::Warn),
        ("error", Level::Error),
        (DEBUG_METHOD, Level::Debug),
    ] {
        console_fn!(&mut *engine, name, level);
    }
    engine.register_fn(
        "js_console",
        |_: ConsoleApi, method: &str, args: rhai::Array| -> Result<(), Box<rhai::EvalAltResult>> {
            let level = match method {
                "log" | "info" => Level::Info,
                "warn" => Level::Warn,
                "error" => Level::Error,
                "debug" => Level::Debug,
                other => return Err(format!("console.{other} is not a console method rload has").into()),
            };
            write(level, &args);
            Ok(())
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_show_as_k6_writes_them() {
        let mut map = rhai::Map::default();
        map.insert("a".into(), Dynamic::from(1_i64));
        // JSON.stringify's object: a key whose value is undefined is left out, a null one kept.
        map.insert("u".into(), Dynamic::UNIT);
        map.insert("n".into(), Dynamic::NULL);
        let args = [
            Dynamic::from("hello"),
            Dynamic::from(1_i64),
            Dynamic::from(map),
            Dynamic::from(vec![Dynamic::from(1_i64), Dynamic::UNIT]),
            Dynamic::NULL,
            Dynamic::UNIT,
            Dynamic::TRUE,
            Dynamic::from(1.5),
            Dynamic::from(9007199254740992.0),
            Dynamic::from(f64::INFINITY),
            Dynamic::from(2.0),
            Dynamic::from(JsMap::default()),
            Dynamic::from(rhai::FnPtr::new("f").unwrap()),
        ];
        let line = args.iter().map(show).collect::<Vec<_>>().join(" ");
        assert_eq!(
            line,
            r#"hello 1 {"a":1,"n":null} [1,null] null undefined true 1.5 9007199254740992 Infinity 2 {} null"#
        );
    }
}
