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

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// The `papaparse` global.
#[derive(Debug, Clone, Copy)]
pub struct PapaparseApi;

const RECORD_SEP: u16 = 30;
const UNIT_SEP: u16 = 31;
const BOM: u16 = 0xFEFF;
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
    engine
        .register_fn("parse", |ctx: NativeCallContext, _: PapaparseApi, text: Dynamic| parse(&ctx, &text, &Map::new()));
    engine.register_fn("parse", |ctx: NativeCallContext, _: PapaparseApi, text: Dynamic, config: Map| {
        parse(&ctx, &text, &config)
    });
    engine.register_fn("parse", |ctx: NativeCallContext, _: PapaparseApi, text: Dynamic, _: ()| {
        parse(&ctx, &text, &Map::new())
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

fn units(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

fn text(u: &[u16]) -> String {
    String::from_utf16_lossy(u)
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

/// One papaparse error.
struct ParseError {
    kind: &'static str,
    code: &'static str,
    message: String,
    row: Option<usize>,
    index: Option<usize>,
}

impl ParseError {
    fn to_map(&self) -> Map {
        let mut m = Map::new();
        m.insert("type".into(), self.kind.into());
        m.insert("code".into(), self.code.into());
        m.insert("message".into(), self.message.clone().into());
        if let Some(row) = self.row {
            m.insert("row".into(), Dynamic::from(row as i64));
        }
        if let Some(index) = self.index {
            m.insert("index".into(), Dynamic::from(index as i64));
        }
        m
    }
}

/// What papaparse's core `Parser` returns.
struct Parsed {
    data: Vec<Vec<Vec<u16>>>,
    errors: Vec<ParseError>,
    delimiter: Vec<u16>,
    linebreak: Vec<u16>,
    truncated: bool,
    cursor: usize,
}

fn index_of(hay: &[u16], needle: &[u16], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return (from <= hay.len()).then_some(from);
    }
    if from >= hay.len() {
        return None;
    }
    hay[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// JavaScript's `input.indexOf(x, from)` as papaparse uses it: -1 for none.
fn find(hay: &[u16], needle: &[u16], from: i64) -> i64 {
    index_of(hay, needle, from.max(0) as usize).map_or(-1, |p| p as i64)
}

fn split(hay: &[u16], sep: &[u16]) -> Vec<Vec<u16>> {
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(p) = index_of(hay, sep, start).filter(|_| !sep.is_empty()) {
        out.push(hay[start..p].to_vec());
        start = p + sep.len();
    }
    out.push(hay[start..].to_vec());
    out
}

/// Every `escape quote` pair replaced by `quote`.
fn unescape(field: &[u16], escape: &[u16], quote: &[u16]) -> Vec<u16> {
    let pair: Vec<u16> = escape.iter().chain(quote).copied().collect();
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        if field[i..].starts_with(&pair) {
            out.extend_from_slice(quote);
            i += pair.len();
        } else {
            out.push(field[i]);
            i += 1;
        }
    }
    out
}

fn is_blank(u: &[u16]) -> bool {
    text(u).trim().is_empty()
}

/// papaparse's core `Parser.parse` of the whole input (no step, not paused).
fn core_parse(
    input: &[u16],
    delim: &[u16],
    newline: &[u16],
    comments: Option<&[u16]>,
    cfg: &Config,
    preview: usize,
) -> RhaiResult<Parsed> {
    let quote: &[u16] = &cfg.quote;
    let escape: &[u16] = cfg.escape.as_deref().unwrap_or(quote);
    let bad = |d: &[u16]| d == [13] || d == [10] || d == [34] || d == [BOM];
    let delim: Vec<u16> = if delim.is_empty() || bad(delim) { units(",") } else { delim.to_vec() };
    let comments: Option<Vec<u16>> = match comments {
        Some(c) if c == delim.as_slice() => return Err("papaparse.parse: Comment character same as delimiter".into()),
        Some(c) if !c.is_empty() && !bad(c) => Some(c.to_vec()),
        _ => None,
    };
    let newline: Vec<u16> = if [units("\n"), units("\r"), units("\r\n")].contains(&newline.to_vec()) {
        newline.to_vec()
    } else {
        units("\n")
    };
    let mut p = Parsed {
        data: Vec::new(),
        errors: Vec::new(),
        delimiter: delim.clone(),
        linebreak: newline.clone(),
        truncated: false,
        cursor: 0,
    };
    if input.is_empty() {
        return Ok(p);
    }
    let input_len = input.len() as i64;
    let (dl, nl) = (delim.len() as i64, newline.len() as i64);
    let sub = |a: i64, b: i64| {
        input[a.clamp(0, input_len) as usize..b.clamp(0, input_len).max(a.clamp(0, input_len)) as usize].to_vec()
    };
    let starts = |at: i64, what: &[u16]| at >= 0 && input.get(at as usize..).is_some_and(|rest| rest.starts_with(what));

    let fast = cfg.fast_mode == Some(true) || (cfg.fast_mode != Some(false) && find(input, quote, 0) == -1);
    if fast {
        let rows = split(input, &newline);
        let mut cursor = 0usize;
        let n = rows.len();
        for (i, row) in rows.into_iter().enumerate() {
            cursor += row.len();
            if i != n - 1 {
                cursor += newline.len();
            }
            if comments.as_ref().is_some_and(|c| row.starts_with(c)) {
                continue;
            }
            p.data.push(split(&row, &delim));
            p.cursor = cursor;
            if preview > 0 && i >= preview {
                p.data.truncate(preview);
                p.truncated = true;
                return Ok(p);
            }
        }
        return Ok(p);
    }

    let mut cursor: i64 = 0;
    let mut last_cursor: i64 = 0;
    let mut row: Vec<Vec<u16>> = Vec::new();
    let mut next_delim = find(input, &delim, cursor);
    let mut next_newline = find(input, &newline, cursor);
    let mut quote_search = find(input, quote, cursor);
    let escape_is_quote = escape == quote;

    // Spaces alone between the closing quote at `qs` and `index`: their number.
    let extra_spaces = |qs: i64, index: i64| -> i64 {
        if index == -1 {
            return 0;
        }
        let between = sub(qs + 1, index);
        if !between.is_empty() && is_blank(&between) {
            between.len() as i64
        } else {
            0
        }
    };

    macro_rules! push_row {
        () => {{
            p.data.push(std::mem::take(&mut row));
            last_cursor = cursor;
        }};
    }
    macro_rules! finish {
        ($value:expr) => {{
            let value: Option<Vec<u16>> = $value;
            row.push(value.unwrap_or_else(|| sub(cursor, input_len)));
            cursor = input_len;
            push_row!();
            p.cursor = last_cursor as usize;
            return Ok(p);
        }};
    }
    macro_rules! returnable {
        ($stopped:expr) => {{
            p.truncated = $stopped;
            p.cursor = last_cursor as usize;
            return Ok(p);
        }};
    }

    loop {
        if starts(cursor, quote) && quote.len() == 1 {
            quote_search = cursor;
            cursor += 1;
            loop {
                quote_search = find(input, quote, quote_search + 1);
                if quote_search == -1 {
                    p.errors.push(ParseError {
                        kind: "Quotes",
                        code: "MissingQuotes",
                        message: "Quoted field unterminated".into(),
                        row: Some(p.data.len()),
                        index: Some(cursor as usize),
                    });
                    finish!(None);
                }
                if quote_search == input_len - 1 {
                    finish!(Some(unescape(&sub(cursor, quote_search), escape, quote)));
                }
                if escape_is_quote && starts(quote_search + 1, escape) {
                    quote_search += 1;
                    continue;
                }
                if !escape_is_quote && quote_search != 0 && starts(quote_search - escape.len() as i64, escape) {
                    continue;
                }
                if next_delim != -1 && next_delim < quote_search + 1 {
                    next_delim = find(input, &delim, quote_search + 1);
                }
                if next_newline != -1 && next_newline < quote_search + 1 {
                    next_newline = find(input, &newline, quote_search + 1);
                }
                let check_up_to = if next_newline == -1 { next_delim } else { next_delim.min(next_newline) };
                let spaces_to_delim = extra_spaces(quote_search, check_up_to);
                // JavaScript's `input[i] === delim`: a delimiter of more than one unit never matches.
                if delim.len() == 1 && starts(quote_search + 1 + spaces_to_delim, &delim) {
                    row.push(unescape(&sub(cursor, quote_search), escape, quote));
                    cursor = quote_search + 1 + spaces_to_delim + dl;
                    if !starts(quote_search + 1 + spaces_to_delim + dl, quote) {
                        quote_search = find(input, quote, cursor);
                    }
                    next_delim = find(input, &delim, cursor);
                    next_newline = find(input, &newline, cursor);
                    break;
                }
                let spaces_to_newline = extra_spaces(quote_search, next_newline);
                if starts(quote_search + 1 + spaces_to_newline, &newline) {
                    row.push(unescape(&sub(cursor, quote_search), escape, quote));
                    cursor = quote_search + 1 + spaces_to_newline + nl;
                    push_row!();
                    next_newline = find(input, &newline, cursor);
                    next_delim = find(input, &delim, cursor);
                    quote_search = find(input, quote, cursor);
                    if preview > 0 && p.data.len() >= preview {
                        returnable!(true);
                    }
                    break;
                }
                p.errors.push(ParseError {
                    kind: "Quotes",
                    code: "InvalidQuotes",
                    message: "Trailing quote on quoted field is malformed".into(),
                    row: Some(p.data.len()),
                    index: Some(cursor as usize),
                });
                quote_search += 1;
            }
            continue;
        }
        if let Some(c) = &comments {
            if row.is_empty() && starts(cursor, c) {
                if next_newline == -1 {
                    returnable!(false);
                }
                cursor = next_newline + nl;
                next_newline = find(input, &newline, cursor);
                next_delim = find(input, &delim, cursor);
                continue;
            }
        }
        if next_delim != -1 && (next_delim < next_newline || next_newline == -1) {
            if quote_search > next_delim {
                if let Some((d, q)) =
                    next_unquoted_delimiter(input, &delim, quote, next_delim, quote_search, next_newline)
                {
                    next_delim = d;
                    quote_search = q;
                    row.push(sub(cursor, next_delim));
                    cursor = next_delim + dl;
                    next_delim = find(input, &delim, cursor);
                    continue;
                }
            } else {
                row.push(sub(cursor, next_delim));
                cursor = next_delim + dl;
                next_delim = find(input, &delim, cursor);
                continue;
            }
        }
        if next_newline != -1 {
            row.push(sub(cursor, next_newline));
            cursor = next_newline + nl;
            push_row!();
            next_newline = find(input, &newline, cursor);
            if preview > 0 && p.data.len() >= preview {
                returnable!(true);
            }
            continue;
        }
        break;
    }
    finish!(None)
}

/// papaparse's `getNextUnquotedDelimiter`: the next delimiter outside quotes, and where the
/// next quote search starts; `None` when there is none.
fn next_unquoted_delimiter(
    input: &[u16],
    delim: &[u16],
    quote: &[u16],
    next_delim: i64,
    quote_search: i64,
    newline: i64,
) -> Option<(i64, i64)> {
    let next_quote = find(input, quote, quote_search + 1);
    if next_delim > quote_search && next_delim < next_quote && (next_quote < newline || newline == -1) {
        let next_next_delim = find(input, delim, next_quote);
        if next_next_delim == -1 {
            return None;
        }
        let next_quote = if next_next_delim > next_quote { find(input, quote, next_quote + 1) } else { next_quote };
        next_unquoted_delimiter(input, delim, quote, next_next_delim, next_quote, newline)
    } else {
        Some((next_delim, quote_search))
    }
}

/// papaparse's `guessLineEndings`: over the first MB, quoted text left out.
fn guess_line_endings(input: &[u16], quote: &[u16]) -> Vec<u16> {
    let head = &input[..input.len().min(1024 * 1024)];
    // `quote([^]*?)quote`, every match removed.
    let mut stripped = Vec::with_capacity(head.len());
    let mut i = 0;
    while i < head.len() {
        if !quote.is_empty() && head[i..].starts_with(quote) {
            if let Some(end) = index_of(head, quote, i + quote.len()) {
                i = end + quote.len();
                continue;
            }
        }
        stripped.push(head[i]);
        i += 1;
    }
    let r = split(&stripped, &[13]);
    let n = split(&stripped, &[10]);
    let n_first = n.len() > 1 && n[0].len() < r[0].len();
    if r.len() == 1 || n_first {
        return units("\n");
    }
    let with_n = r.iter().filter(|part| part.first() == Some(&10)).count();
    if with_n as f64 >= r.len() as f64 / 2.0 {
        units("\r\n")
    } else {
        units("\r")
    }
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
        let preview = core_parse(
            input,
            &delim,
            newline,
            cfg.comments.as_deref(),
            &Config { fast_mode: None, ..cfg_clone(cfg) },
            10,
        )?;
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

/// The guesses' parser: papaparse gives it only `comments`, the delimiter, the line ending and
/// `preview`, so its quote is the default one.
fn cfg_clone(_: &Config) -> Config {
    Config {
        delimiter: None,
        newline: None,
        quote: units("\""),
        escape: None,
        header: false,
        transform_header: None,
        dynamic_all: false,
        dynamic_fields: HashMap::new(),
        preview: 0,
        comments: None,
        skip_empty: SkipEmpty::No,
        fast_mode: None,
        transform: None,
        guesses: None,
    }
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
        "" => return Dynamic::UNIT,
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
    let parsed = core_parse(&input, &delimiter, &newline, cfg.comments.as_deref(), &cfg, preview)?;
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
        let mut as_map = Map::new();
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
    let mut meta = Map::new();
    meta.insert("delimiter".into(), text(&parsed.delimiter).into());
    meta.insert("linebreak".into(), text(&parsed.linebreak).into());
    meta.insert("aborted".into(), Dynamic::FALSE);
    meta.insert("truncated".into(), Dynamic::from(parsed.truncated));
    meta.insert("cursor".into(), Dynamic::from(parsed.cursor as i64));
    if cfg.header {
        meta.insert("fields".into(), Dynamic::from(fields.into_iter().map(Dynamic::from).collect::<Array>()));
    }
    let mut out = Map::new();
    out.insert("data".into(), Dynamic::from(data));
    out.insert("errors".into(), Dynamic::from(errors.into_iter().map(Dynamic::from).collect::<Array>()));
    out.insert("meta".into(), Dynamic::from(meta));
    Ok(out)
}
