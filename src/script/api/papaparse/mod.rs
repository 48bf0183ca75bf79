//! jslib's papaparse (`import papaparse from 'https://jslib.k6.io/papaparse/5.1.1/index.js'`)
//! for Rhai: `papaparse.parse(text, config)` gives `#{ data, errors, meta }` as papaparse 5.1.1
//! gives them for a string, so a k6 script's CSV reading carries over.
//!
//! ```rhai
//! const users = shared_array("users", || papaparse.parse(open("users.csv"), #{ header: true }).data);
//! ```
//!
//! A port of papaparse's string path (`ParserHandle` and `Parser`): the delimiter guessed as it
//! guesses it when none is given (`,`, tab, `|`, `;`, the record and unit separators, over the
//! first 10 rows) with its `UndetectableDelimiter` error, the line ending guessed outside
//! quotes, quoted fields with doubled quotes, its `MissingQuotes` and `InvalidQuotes` errors, a
//! last empty row for text ending in a line break, `TooFewFields` / `TooManyFields` and
//! `__parsed_extra` under `header`, `dynamicTyping` (`true`/`TRUE`, numbers below 2^53, ISO
//! dates as Dates, `""` as null), `skipEmptyLines` (`true` or `"greedy"`), `comments`,
//! `preview`, `fastMode`, `quoteChar`, `escapeChar`, `newline`, `delimitersToGuess`, and
//! `transform(value, field)` and `transformHeader(name)` closures. Positions (`meta.cursor`,
//! an error's `index`) count UTF-16 units, as JavaScript's do. The streaming options (`step`,
//! `chunk`, `complete`, `worker`, `download`, …) are errors naming them: a string is parsed
//! whole.

use std::collections::HashMap;

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, Map, NativeCallContext};

use super::convert::js_truthy;
use super::date::{self, JsDate};

mod parser;
use parser::{guess_line_endings, is_blank, text, units, ParseError, ParserConfig};

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// The `papaparse` global.
#[derive(Debug, Clone, Copy)]
pub struct PapaparseApi;

const RECORD_SEP: u16 = 30;
const UNIT_SEP: u16 = 31;
/// papaparse 5.1.1's options for a string, besides the streaming ones refused.
const OPTIONS: &[&str] = &[
    "delimiter",
    "newline",
    "quoteChar",
    "escapeChar",
    "header",
    "transformHeader",
    "dynamicTyping",
    "preview",
    "comments",
    "skipEmptyLines",
    "fastMode",
    "transform",
    "delimitersToGuess",
];

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<PapaparseApi>("papaparse");
    engine.register_fn("parse", |ctx: NativeCallContext, _: PapaparseApi, text: Dynamic| {
        parse(&ctx, &text, &Map::default())
    });
    engine.register_fn("parse", |ctx: NativeCallContext, _: PapaparseApi, text: Dynamic, config: Map| {
        parse(&ctx, &text, &config)
    });
    engine.register_fn("parse", |ctx: NativeCallContext, _: PapaparseApi, text: Dynamic, _: ()| {
        parse(&ctx, &text, &Map::default())
    });
}

/// How `skipEmptyLines` tests a row.
#[derive(Clone, Copy, PartialEq)]
enum SkipEmpty {
    No,
    Empty,
    Greedy,
}

/// The options as papaparse reads them.
struct Config {
    delimiter: Option<Vec<u16>>,
    newline: Option<Vec<u16>>,
    quote: Vec<u16>,
    escape: Option<Vec<u16>>,
    header: bool,
    transform_header: Option<FnPtr>,
    /// `true` for every field, or the fields named.
    dynamic_all: bool,
    dynamic_fields: HashMap<String, bool>,
    preview: usize,
    comments: Option<Vec<u16>>,
    skip_empty: SkipEmpty,
    fast_mode: Option<bool>,
    transform: Option<FnPtr>,
    guesses: Option<Vec<Vec<u16>>>,
}

fn read_config(config: &Map) -> RhaiResult<Config> {
    let unknown: Vec<&str> = config.keys().map(|k| k.as_str()).filter(|k| !OPTIONS.contains(k)).collect();
    if !unknown.is_empty() {
        return Err(format!(
            "papaparse.parse: option {} is not supported by rload (a string is parsed whole; it takes {})",
            unknown.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "),
            OPTIONS.join(", ")
        )
        .into());
    }
    let get = |k: &str| config.get(k).filter(|v| !v.is_unit());
    let string = |k: &str| get(k).and_then(|v| v.read_lock::<rhai::ImmutableString>().map(|s| units(&s)));
    let closure = |k: &str| -> RhaiResult<Option<FnPtr>> {
        match get(k) {
            None => Ok(None),
            Some(v) if v.is_fnptr() => Ok(Some(v.clone().cast::<FnPtr>())),
            // papaparse calls only a function; anything else is no transform.
            Some(_) => Ok(None),
        }
    };
    if get("delimiter").is_some_and(|v| v.is_fnptr()) {
        return Err("papaparse.parse: a `delimiter` function is not supported by rload; give the delimiter".into());
    }
    let (mut dynamic_all, mut dynamic_fields) = (false, HashMap::new());
    match get("dynamicTyping") {
        Some(v) if v.is_fnptr() => {
            return Err(
                "papaparse.parse: a `dynamicTyping` function is not supported by rload; give true or a map of fields"
                    .into(),
            )
        }
        Some(v) if v.is_map() => {
            for (k, on) in v.clone().cast::<Map>() {
                dynamic_fields.insert(k.to_string(), on.as_bool().unwrap_or(false));
            }
        }
        // papaparse's `(dynamicTyping[field] || dynamicTyping) === true`.
        Some(v) => dynamic_all = v.as_bool() == Ok(true),
        None => {}
    }
    let comments = match get("comments") {
        Some(v) if v.as_bool() == Ok(true) => Some(units("#")),
        _ => string("comments"),
    };
    let skip_empty = match get("skipEmptyLines") {
        Some(v) if v.read_lock::<rhai::ImmutableString>().is_some_and(|s| s.as_str() == "greedy") => SkipEmpty::Greedy,
        Some(v) if js_truthy(v) => SkipEmpty::Empty,
        _ => SkipEmpty::No,
    };
    let preview = match get("preview") {
        Some(v) => super::convert::js_to_number(v).filter(|n| n.is_finite() && *n > 0.0).map_or(0, |n| n as usize),
        None => 0,
    };
    let guesses = match get("delimitersToGuess") {
        Some(v) if v.is_array() => Some(
            v.clone()
                .cast::<Array>()
                .iter()
                .filter_map(|d| d.read_lock::<rhai::ImmutableString>().map(|s| units(&s)))
                .collect(),
        ),
        _ => None,
    };
    Ok(Config {
        delimiter: string("delimiter").filter(|d| !d.is_empty()),
        newline: string("newline").filter(|n| !n.is_empty()),
        quote: string("quoteChar").unwrap_or_else(|| units("\"")),
        escape: string("escapeChar"),
        header: get("header").is_some_and(js_truthy),
        transform_header: closure("transformHeader")?,
        dynamic_all,
        dynamic_fields,
        preview,
        comments,
        skip_empty,
        fast_mode: get("fastMode").map(js_truthy),
        transform: closure("transform")?,
        guesses,
    })
}

fn is_empty_row(row: &[Vec<u16>], skip: SkipEmpty) -> bool {
    match skip {
        SkipEmpty::Greedy => is_blank(&row.concat()),
        _ => row.len() == 1 && row[0].is_empty(),
    }
}

/// papaparse's `guessDelimiter`.
fn guess_delimiter(input: &[u16], newline: &[u16], cfg: &Config) -> RhaiResult<Option<Vec<u16>>> {
    let defaults: Vec<Vec<u16>> =
        vec![units(","), units("\t"), units("|"), units(";"), vec![RECORD_SEP], vec![UNIT_SEP]];
    let guesses = cfg.guesses.clone().unwrap_or(defaults);
    let (mut best, mut best_delta, mut max_fields): (Option<Vec<u16>>, Option<f64>, Option<f64>) = (None, None, None);
    for delim in guesses {
        // papaparse gives the guesses' parser only the comments, the delimiter, the line
        // ending and `preview`: its quote is the default one.
        let quote = units("\"");
        let guess = ParserConfig {
            delimiter: &delim,
            newline,
            comments: cfg.comments.as_deref(),
            quote: &quote,
            escape: None,
            fast_mode: None,
            preview: 10,
        };
        let preview = parser::parse(input, &guess)?;
        let (mut delta, mut avg, mut empty) = (0.0_f64, 0.0_f64, 0usize);
        let mut prev: Option<usize> = None;
        for row in &preview.data {
            if cfg.skip_empty != SkipEmpty::No && is_empty_row(row, cfg.skip_empty) {
                empty += 1;
                continue;
            }
            let count = row.len();
            avg += count as f64;
            match prev {
                None => prev = Some(count),
                Some(p) if count > 0 => {
                    delta += (count as f64 - p as f64).abs();
                    prev = Some(count);
                }
                Some(_) => {}
            }
        }
        if !preview.data.is_empty() {
            avg /= (preview.data.len() - empty) as f64;
        }
        if best_delta.is_none_or(|b| delta <= b) && max_fields.is_none_or(|m| avg > m) && avg > 1.99 {
            best_delta = Some(delta);
            best = Some(delim);
            max_fields = Some(avg);
        }
    }
    Ok(best)
}

/// `parseFloat` of text papaparse's FLOAT pattern accepted.
fn parse_float(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok()
}

fn float_like(s: &str) -> bool {
    thread_local! {
        static FLOAT: regress::Regex =
            regress::Regex::with_flags(r"^\s*-?(\d*\.?\d+|\d+\.?\d*)(e[-+]?\d+)?\s*$", "i").expect("papaparse's FLOAT");
    }
    const MAX: f64 = 9_007_199_254_740_992.0;
    FLOAT.with(|re| re.find(s).is_some()) && parse_float(s).is_some_and(|f| f > -MAX && f < MAX)
}

fn iso_date_like(s: &str) -> bool {
    thread_local! {
        static ISO_DATE: regress::Regex = regress::Regex::new(
            r"(\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d+([+-][0-2]\d:[0-5]\d|Z))|(\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d([+-][0-2]\d:[0-5]\d|Z))|(\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d([+-][0-2]\d:[0-5]\d|Z))",
        )
        .expect("papaparse's ISO_DATE");
    }
    ISO_DATE.with(|re| re.find(s).is_some())
}

/// papaparse's `parseDynamic`.
fn dynamic(value: Dynamic) -> Dynamic {
    let Some(s) = value.read_lock::<rhai::ImmutableString>().map(|s| s.to_string()) else {
        return value;
    };
    match s.as_str() {
        "true" | "TRUE" => return Dynamic::TRUE,
        "false" | "FALSE" => return Dynamic::FALSE,
        "" => return Dynamic::NULL,
        _ => {}
    }
    if float_like(&s) {
        let f = parse_float(&s).unwrap_or(f64::NAN);
        return if f.fract() == 0.0 { Dynamic::from(f as i64) } else { Dynamic::from(f) };
    }
    if iso_date_like(&s) {
        return Dynamic::from(JsDate(date::parse(&s)));
    }
    value
}

fn parse(ctx: &NativeCallContext, input: &Dynamic, config: &Map) -> RhaiResult<Map> {
    let Some(input) = input.read_lock::<rhai::ImmutableString>().map(|s| units(&s)) else {
        return Err(format!("papaparse.parse: rload parses a string (open(path)), got {}", input.type_name()).into());
    };
    let cfg = read_config(config)?;
    let newline = cfg.newline.clone().unwrap_or_else(|| guess_line_endings(&input, &cfg.quote));
    let (delimiter, undetectable) = match &cfg.delimiter {
        Some(d) => (d.clone(), false),
        None => match guess_delimiter(&input, &newline, &cfg)? {
            Some(d) => (d, false),
            None => (units(","), true),
        },
    };
    let preview = if cfg.preview > 0 && cfg.header { cfg.preview + 1 } else { cfg.preview };
    let parsed = parser::parse(
        &input,
        &ParserConfig {
            delimiter: &delimiter,
            newline: &newline,
            comments: cfg.comments.as_deref(),
            quote: &cfg.quote,
            escape: cfg.escape.as_deref(),
            fast_mode: cfg.fast_mode,
            preview,
        },
    )?;
    let mut errors: Vec<Map> = parsed.errors.iter().map(ParseError::to_map).collect();
    if undetectable {
        errors.push(
            ParseError {
                kind: "Delimiter",
                code: "UndetectableDelimiter",
                message: "Unable to auto-detect delimiting character; defaulted to ','".into(),
                row: None,
                index: None,
            }
            .to_map(),
        );
    }
    let mut rows = parsed.data;
    if cfg.skip_empty != SkipEmpty::No {
        rows.retain(|row| !is_empty_row(row, cfg.skip_empty));
    }
    let mut fields: Vec<String> = Vec::new();
    if cfg.header && !rows.is_empty() {
        for name in rows.remove(0) {
            let name = Dynamic::from(text(&name));
            let name = match &cfg.transform_header {
                Some(f) => f.call_within_context::<Dynamic>(ctx, (name,))?,
                None => name,
            };
            fields.push(super::convert::js_text(&name));
        }
    }
    let mut data = Array::with_capacity(rows.len());
    for (i, source) in rows.into_iter().enumerate() {
        let mut as_map = Map::default();
        let mut as_array = Array::new();
        let mut extra = Array::new();
        let count = source.len();
        for (j, value) in source.into_iter().enumerate() {
            let field: Dynamic = if cfg.header {
                fields.get(j).map_or_else(|| "__parsed_extra".into(), |f| f.as_str().into())
            } else {
                Dynamic::from(j as i64)
            };
            let mut value = Dynamic::from(text(&value));
            if let Some(f) = &cfg.transform {
                value = f.call_within_context::<Dynamic>(ctx, (value, field.clone()))?;
            }
            let key = super::convert::js_text(&field);
            let typed = cfg.dynamic_fields.get(&key).copied().unwrap_or(false) || cfg.dynamic_all;
            if typed {
                value = dynamic(value);
            }
            if cfg.header {
                if j >= fields.len() {
                    extra.push(value);
                } else {
                    as_map.insert(key.into(), value);
                }
            } else {
                as_array.push(value);
            }
        }
        if cfg.header {
            if !extra.is_empty() {
                as_map.insert("__parsed_extra".into(), Dynamic::from(extra));
            }
            let mismatch = match count.cmp(&fields.len()) {
                std::cmp::Ordering::Greater => Some(("TooManyFields", "Too many")),
                std::cmp::Ordering::Less => Some(("TooFewFields", "Too few")),
                std::cmp::Ordering::Equal => None,
            };
            if let Some((code, words)) = mismatch {
                errors.push(
                    ParseError {
                        kind: "FieldMismatch",
                        code,
                        message: format!("{words} fields: expected {} fields but parsed {count}", fields.len()),
                        row: Some(i),
                        index: None,
                    }
                    .to_map(),
                );
            }
            data.push(Dynamic::from(as_map));
        } else {
            data.push(Dynamic::from(as_array));
        }
    }
    let mut meta = Map::default();
    meta.insert("delimiter".into(), text(&parsed.delimiter).into());
    meta.insert("linebreak".into(), text(&parsed.linebreak).into());
    meta.insert("aborted".into(), Dynamic::FALSE);
    meta.insert("truncated".into(), Dynamic::from(parsed.truncated));
    meta.insert("cursor".into(), Dynamic::from(parsed.cursor as i64));
    if cfg.header {
        meta.insert("fields".into(), Dynamic::from(fields.into_iter().map(Dynamic::from).collect::<Array>()));
    }
    let mut out = Map::default();
    out.insert("data".into(), Dynamic::from(data));
    out.insert("errors".into(), Dynamic::from(errors.into_iter().map(Dynamic::from).collect::<Array>()));
    out.insert("meta".into(), Dynamic::from(meta));
    Ok(out)
}
