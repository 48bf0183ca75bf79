//! papaparse 5.1.1's core `Parser` for one string, ported as it is written (its index
//! searches, its quote rules, its errors), in UTF-16 units as JavaScript counts them; and its
//! `guessLineEndings`. The options, the delimiter's guess, the header and typing are
//! [`super`]'s.

use rhai::{Dynamic, EvalAltResult, Map};

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

const BOM: u16 = 0xFEFF;

pub fn units(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

pub fn text(u: &[u16]) -> String {
    String::from_utf16_lossy(u)
}

/// One papaparse error.
pub struct ParseError {
    pub kind: &'static str,
    pub code: &'static str,
    pub message: String,
    pub row: Option<usize>,
    pub index: Option<usize>,
}

impl ParseError {
    pub fn to_map(&self) -> Map {
        let mut m = Map::default();
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
pub struct Parsed {
    pub data: Vec<Vec<Vec<u16>>>,
    pub errors: Vec<ParseError>,
    pub delimiter: Vec<u16>,
    pub linebreak: Vec<u16>,
    pub truncated: bool,
    pub cursor: usize,
}

pub fn index_of(hay: &[u16], needle: &[u16], from: usize) -> Option<usize> {
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

pub fn split(hay: &[u16], sep: &[u16]) -> Vec<Vec<u16>> {
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

pub fn is_blank(u: &[u16]) -> bool {
    text(u).trim().is_empty()
}

/// What the core parser is given: papaparse's `Parser` config.
pub struct ParserConfig<'a> {
    pub delimiter: &'a [u16],
    pub newline: &'a [u16],
    pub comments: Option<&'a [u16]>,
    pub quote: &'a [u16],
    /// The quote itself when `None`.
    pub escape: Option<&'a [u16]>,
    pub fast_mode: Option<bool>,
    /// Rows to stop at (0: all).
    pub preview: usize,
}

/// papaparse's core `Parser.parse` of the whole input (no step, not paused).
pub fn parse(input: &[u16], cfg: &ParserConfig<'_>) -> RhaiResult<Parsed> {
    let (delim, newline, comments, preview) = (cfg.delimiter, cfg.newline, cfg.comments, cfg.preview);
    let quote: &[u16] = cfg.quote;
    let escape: &[u16] = cfg.escape.unwrap_or(quote);
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
pub fn guess_line_endings(input: &[u16], quote: &[u16]) -> Vec<u16> {
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
