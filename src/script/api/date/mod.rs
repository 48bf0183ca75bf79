//! JavaScript's `Date` for Rhai: `js_date(…)` is `new Date(…)` (what `rload convert` writes),
//! with the getters, setters and text forms k6 scripts use.
//!
//! ```rhai
//! let now = js_date();
//! let body = #{ at: now.toISOString(), expires: js_date(now.getTime() + 3600000) };
//! http.post(url, body.to_json(), params);   // `expires` is written as its ISO text, as in k6
//! ```
//!
//! A date is a time value, milliseconds since 1970-01-01 UTC as a float, NaN for an invalid
//! date, and every rule is ECMAScript's (`MakeDay`, `MakeTime`, `TimeClip`: fields out of range
//! carry over, `new Date(2024, 13, 1)` is 2025-02-01; years 0–99 in the field form are
//! 1900–1999). Local time is the process's zone (`TZ`, else `/etc/localtime`), as k6 takes
//! Go's. Strings parse as k6 (goja) parses them: ISO 8601 (`2024-02-29`, a date alone being
//! UTC; `2024-02-29T10:20:30.5+02:00`; without an offset, local time; a day past the month's
//! end is taken, and one-digit months and days as local time, as goja takes them) and, as goja,
//! V8's looser forms (`loose.rs`: `March 7, 2024`, `2024/03/07`, `3/7/2024 10:30 PM`, RFC 2822
//! / RFC 1123 `Thu, 01 Jan 1970 00:00:00 GMT`); anything else is an invalid date (`"Invalid Date"`).
//!
//! `to_json` writes its ISO text (`null` when invalid), as `JSON.stringify`; text is
//! `toString`'s (`Tue Nov 14 2023 22:13:20 GMT+0000 (UTC)`, the zone's abbreviation from the C
//! library, as Go's); `-`, `<`, `==` and the like compare the time values. `toLocaleString`,
//! `toLocaleDateString` and `toLocaleTimeString` write k6's one layout (`01/05/2024, 03:04:05`,
//! local time) and ignore the locale and options, as k6 does.

use rhai::{Dynamic, Engine, EvalAltResult};

use super::convert::{js_text, js_to_number};

mod loose;
mod time;
pub use time::parse;
use time::{fields, local_offset_ms, make_date, time_clip, utc_of_local, weekday, zone_name, Fields};

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A JavaScript date: its time value in milliseconds since the epoch, NaN when invalid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JsDate(pub f64);

impl JsDate {
    fn now() -> JsDate {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        JsDate(now.as_millis() as f64)
    }

    fn valid(self) -> bool {
        !self.0.is_nan()
    }

    fn local_fields(self) -> Fields {
        fields(self.0 + local_offset_ms(self.0))
    }

    /// A getter's value: a field, NaN for an invalid date.
    fn get(self, utc: bool, pick: fn(&Fields) -> f64) -> Dynamic {
        if !self.valid() {
            return Dynamic::from(f64::NAN);
        }
        let f = if utc { fields(self.0) } else { self.local_fields() };
        Dynamic::from(pick(&f) as i64)
    }

    /// A setter: the fields with `change` applied, back to a time value; returns it.
    fn set(&mut self, utc: bool, args: &[Dynamic], change: fn(&mut Fields, &[f64])) -> Dynamic {
        let values: Vec<f64> = args.iter().map(number).collect();
        // setFullYear of an invalid date starts from +0 (ECMAScript); the others stay NaN.
        let t = self.0;
        let mut f = if utc { fields(t) } else { self.local_fields() };
        change(&mut f, &values);
        let local = make_date(&f);
        self.0 = time_clip(if utc { local } else { utc_of_local(local) });
        time_value(self.0)
    }

    /// `toISOString`: the UTC time in ISO 8601; an invalid date is a RangeError.
    pub fn iso(self) -> RhaiResult<String> {
        if !self.valid() {
            return Err("RangeError: Invalid time value".into());
        }
        let f = fields(self.0);
        let year = if (0.0..=9999.0).contains(&f.year) {
            format!("{:04}", f.year as i64)
        } else {
            format!("{}{:06}", if f.year < 0.0 { '-' } else { '+' }, f.year.abs() as i64)
        };
        Ok(format!(
            "{year}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            f.month as i64 + 1,
            f.day as i64,
            f.hours as i64,
            f.minutes as i64,
            f.seconds as i64,
            f.ms as i64
        ))
    }

    /// The date as k6 passes it on in `setup()`'s data: Go's JSON text of a time, RFC 3339 in
    /// local time, the milliseconds without their trailing zeros (none when whole), and `Z` for
    /// a zero offset (`2024-01-02T03:04:05.5Z`, `2024-01-02T04:04:05.678+01:00`). `None` for an
    /// invalid date, which `JSON.stringify` writes as `null`.
    pub fn go_json_text(self) -> Option<String> {
        if !self.valid() {
            return None;
        }
        let offset = local_offset_ms(self.0);
        let f = self.local_fields();
        let mut fraction = format!(".{:03}", f.ms as i64);
        while fraction.ends_with('0') {
            fraction.pop();
        }
        if fraction == "." {
            fraction.clear();
        }
        let zone = if offset == 0.0 {
            "Z".to_owned()
        } else {
            let minutes = (offset / 60_000.0) as i64;
            let sign = if minutes < 0 { '-' } else { '+' };
            format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
        };
        Some(format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}{zone}",
            f.year as i64,
            f.month as i64 + 1,
            f.day as i64,
            f.hours as i64,
            f.minutes as i64,
            f.seconds as i64
        ))
    }

    /// `toString`: date, time and zone in local time.
    fn text(self) -> String {
        if !self.valid() {
            return "Invalid Date".into();
        }
        format!("{} {}", self.date_text(), self.time_text())
    }

    fn date_text(self) -> String {
        if !self.valid() {
            return "Invalid Date".into();
        }
        let f = self.local_fields();
        let weekday = weekday(self.0 + local_offset_ms(self.0));
        format!("{} {} {:02} {}", DAYS[weekday], MONTHS[f.month as usize], f.day as i64, year_text(f.year))
    }

    fn time_text(self) -> String {
        if !self.valid() {
            return "Invalid Date".into();
        }
        let f = self.local_fields();
        let offset = (local_offset_ms(self.0) / 60_000.0) as i64;
        let sign = if offset < 0 { '-' } else { '+' };
        let (h, m) = (offset.abs() / 60, offset.abs() % 60);
        let zone = zone_name(self.0).unwrap_or_else(|| format!("{sign}{h:02}{m:02}"));
        format!("{:02}:{:02}:{:02} GMT{sign}{h:02}{m:02} ({zone})", f.hours as i64, f.minutes as i64, f.seconds as i64)
    }

    /// `toLocaleString` as k6 (goja) writes it whatever the locale and options: local time as
    /// `MM/DD/YYYY, HH:MM:SS`; the date or the time alone for the other two.
    fn locale_text(self, date: bool, time: bool) -> String {
        if !self.valid() {
            return "Invalid Date".into();
        }
        let f = self.local_fields();
        let year = if f.year < 0.0 { format!("-{:04}", -f.year as i64) } else { format!("{:04}", f.year as i64) };
        let day = format!("{:02}/{:02}/{year}", f.month as i64 + 1, f.day as i64);
        let clock = format!("{:02}:{:02}:{:02}", f.hours as i64, f.minutes as i64, f.seconds as i64);
        match (date, time) {
            (true, true) => format!("{day}, {clock}"),
            (true, false) => day,
            _ => clock,
        }
    }

    fn utc_text(self) -> String {
        if !self.valid() {
            return "Invalid Date".into();
        }
        let f = fields(self.0);
        format!(
            "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
            DAYS[weekday(self.0)],
            f.day as i64,
            MONTHS[f.month as usize],
            year_text(f.year),
            f.hours as i64,
            f.minutes as i64,
            f.seconds as i64
        )
    }
}

fn year_text(year: f64) -> String {
    if year < 0.0 {
        format!("-{:06}", year.abs() as i64)
    } else {
        format!("{:04}", year as i64)
    }
}

/// A time value as a script sees it: an integer, or NaN.
fn time_value(t: f64) -> Dynamic {
    if t.is_nan() {
        Dynamic::from(f64::NAN)
    } else {
        Dynamic::from(t as i64)
    }
}

/// JavaScript's `Number(v)` of an argument; a date is its time value.
fn number(v: &Dynamic) -> f64 {
    if let Some(d) = v.read_lock::<JsDate>() {
        return d.0;
    }
    js_to_number(v).unwrap_or(f64::NAN)
}

/// `new Date(v)`: a date's copy, a string parsed, anything else as a number of milliseconds.
fn from_value(v: &Dynamic) -> JsDate {
    if let Some(d) = v.read_lock::<JsDate>() {
        return *d;
    }
    if let Some(text) = v.read_lock::<rhai::ImmutableString>() {
        return JsDate(parse(&text));
    }
    JsDate(time_clip(number(v)))
}

/// `new Date(y, m, d?, h?, min?, s?, ms?)` in local time; `Date.UTC(…)` with `utc`.
fn from_fields(args: &[Dynamic], utc: bool) -> f64 {
    let n = |i: usize, default: f64| args.get(i).map_or(default, number);
    let mut year = n(0, f64::NAN);
    if year.is_finite() && (0.0..=99.0).contains(&year.trunc()) {
        year = 1900.0 + year.trunc();
    }
    let f = Fields {
        year,
        month: n(1, 0.0),
        day: n(2, 1.0),
        hours: n(3, 0.0),
        minutes: n(4, 0.0),
        seconds: n(5, 0.0),
        ms: n(6, 0.0),
    };
    let t = make_date(&f);
    time_clip(if utc { t } else { utc_of_local(t) })
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<JsDate>("Date");
    engine.register_fn("js_date", JsDate::now);
    engine.register_fn("js_date", |v: Dynamic| from_value(&v));
    engine.register_fn("js_date", |a: Dynamic, b: Dynamic| JsDate(from_fields(&[a, b], false)));
    engine.register_fn("js_date", |a: Dynamic, b: Dynamic, c: Dynamic| JsDate(from_fields(&[a, b, c], false)));
    engine.register_fn("js_date", |a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic| {
        JsDate(from_fields(&[a, b, c, d], false))
    });
    engine.register_fn("js_date", |a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, e: Dynamic| {
        JsDate(from_fields(&[a, b, c, d, e], false))
    });
    engine.register_fn("js_date", |a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, e: Dynamic, f: Dynamic| {
        JsDate(from_fields(&[a, b, c, d, e, f], false))
    });
    engine.register_fn(
        "js_date",
        |a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, e: Dynamic, f: Dynamic, g: Dynamic| {
            JsDate(from_fields(&[a, b, c, d, e, f, g], false))
        },
    );
    engine.register_fn("js_date_parse", |v: Dynamic| time_value(parse(&js_text(&v))));
    engine.register_fn("js_date_utc", |args: rhai::Array| time_value(from_fields(&args, true)));

    engine.register_fn("getTime", |d: &mut JsDate| time_value(d.0));
    engine.register_fn("valueOf", |d: &mut JsDate| time_value(d.0));
    engine.register_fn("toISOString", |d: &mut JsDate| d.iso());
    engine.register_fn("toJSON", |d: &mut JsDate| -> Dynamic { d.iso().map_or(Dynamic::NULL, Dynamic::from) });
    engine.register_fn("to_json", |d: &mut JsDate| d.iso().map_or_else(|_| "null".to_owned(), |s| format!("\"{s}\"")));
    engine.register_fn("toString", |d: &mut JsDate| d.text());
    engine.register_fn("to_string", |d: &mut JsDate| d.text());
    engine.register_fn("to_debug", |d: &mut JsDate| d.text());
    engine.register_fn("toDateString", |d: &mut JsDate| d.date_text());
    engine.register_fn("toTimeString", |d: &mut JsDate| d.time_text());
    engine.register_fn("toUTCString", |d: &mut JsDate| d.utc_text());
    engine.register_fn("toGMTString", |d: &mut JsDate| d.utc_text());
    // k6 takes a locale and options and ignores them: one layout for every locale.
    for (name, date, time) in
        [("toLocaleString", true, true), ("toLocaleDateString", true, false), ("toLocaleTimeString", false, true)]
    {
        engine.register_fn(name, move |d: &mut JsDate| d.locale_text(date, time));
        engine.register_fn(name, move |d: &mut JsDate, _: Dynamic| d.locale_text(date, time));
        engine.register_fn(name, move |d: &mut JsDate, _: Dynamic, _: Dynamic| d.locale_text(date, time));
    }
    engine.register_fn("getTimezoneOffset", |d: &mut JsDate| -> Dynamic {
        if d.valid() {
            Dynamic::from((-local_offset_ms(d.0) / 60_000.0) as i64)
        } else {
            Dynamic::from(f64::NAN)
        }
    });

    macro_rules! getters {
        ($($local:literal, $utc:literal => $field:ident;)*) => {$(
            engine.register_fn($local, |d: &mut JsDate| d.get(false, |f| f.$field));
            engine.register_fn($utc, |d: &mut JsDate| d.get(true, |f| f.$field));
        )*};
    }
    getters! {
        "getFullYear", "getUTCFullYear" => year;
        "getMonth", "getUTCMonth" => month;
        "getDate", "getUTCDate" => day;
        "getHours", "getUTCHours" => hours;
        "getMinutes", "getUTCMinutes" => minutes;
        "getSeconds", "getUTCSeconds" => seconds;
        "getMilliseconds", "getUTCMilliseconds" => ms;
    }
    engine.register_fn("getDay", |d: &mut JsDate| -> Dynamic {
        if d.valid() {
            Dynamic::from(weekday(d.0 + local_offset_ms(d.0)) as i64)
        } else {
            Dynamic::from(f64::NAN)
        }
    });
    engine.register_fn("getUTCDay", |d: &mut JsDate| -> Dynamic {
        if d.valid() {
            Dynamic::from(weekday(d.0) as i64)
        } else {
            Dynamic::from(f64::NAN)
        }
    });

    engine.register_fn("setTime", |d: &mut JsDate, t: Dynamic| {
        d.0 = time_clip(number(&t));
        time_value(d.0)
    });
    // Each setter takes its field and, optionally, the smaller ones after it, as in JavaScript.
    macro_rules! setter {
        ($name:literal, $utc:expr, $most:literal, $apply:expr) => {
            engine.register_fn($name, |d: &mut JsDate, a: Dynamic| d.set($utc, &[a], $apply));
            if $most >= 2 {
                engine.register_fn($name, |d: &mut JsDate, a: Dynamic, b: Dynamic| d.set($utc, &[a, b], $apply));
            }
            if $most >= 3 {
                engine.register_fn($name, |d: &mut JsDate, a: Dynamic, b: Dynamic, c: Dynamic| {
                    d.set($utc, &[a, b, c], $apply)
                });
            }
            if $most >= 4 {
                engine.register_fn($name, |d: &mut JsDate, a: Dynamic, b: Dynamic, c: Dynamic, e: Dynamic| {
                    d.set($utc, &[a, b, c, e], $apply)
                });
            }
        };
    }
    fn year_on(f: &mut Fields, v: &[f64]) {
        if f.year.is_nan() {
            *f = fields(0.0);
        }
        f.year = v[0];
        if let Some(m) = v.get(1) {
            f.month = *m;
        }
        if let Some(d) = v.get(2) {
            f.day = *d;
        }
    }
    fn month_on(f: &mut Fields, v: &[f64]) {
        f.month = v[0];
        if let Some(d) = v.get(1) {
            f.day = *d;
        }
    }
    fn date_on(f: &mut Fields, v: &[f64]) {
        f.day = v[0];
    }
    fn hours_on(f: &mut Fields, v: &[f64]) {
        f.hours = v[0];
        minutes_on_from(f, &v[1..]);
    }
    fn minutes_on_from(f: &mut Fields, v: &[f64]) {
        if let Some(m) = v.first() {
            f.minutes = *m;
        }
        seconds_on_from(f, v.get(1..).unwrap_or_default());
    }
    fn minutes_on(f: &mut Fields, v: &[f64]) {
        minutes_on_from(f, v);
    }
    fn seconds_on_from(f: &mut Fields, v: &[f64]) {
        if let Some(s) = v.first() {
            f.seconds = *s;
        }
        if let Some(ms) = v.get(1) {
            f.ms = *ms;
        }
    }
    fn seconds_on(f: &mut Fields, v: &[f64]) {
        seconds_on_from(f, v);
    }
    fn ms_on(f: &mut Fields, v: &[f64]) {
        f.ms = v[0];
    }
    setter!("setFullYear", false, 3, year_on);
    setter!("setUTCFullYear", true, 3, year_on);
    setter!("setMonth", false, 2, month_on);
    setter!("setUTCMonth", true, 2, month_on);
    setter!("setDate", false, 1, date_on);
    setter!("setUTCDate", true, 1, date_on);
    setter!("setHours", false, 4, hours_on);
    setter!("setUTCHours", true, 4, hours_on);
    setter!("setMinutes", false, 3, minutes_on);
    setter!("setUTCMinutes", true, 3, minutes_on);
    setter!("setSeconds", false, 2, seconds_on);
    setter!("setUTCSeconds", true, 2, seconds_on);
    setter!("setMilliseconds", false, 1, ms_on);
    setter!("setUTCMilliseconds", true, 1, ms_on);

    // Arithmetic and comparison read the time values, as JavaScript's valueOf.
    engine.register_fn("-", |a: JsDate, b: JsDate| time_value(a.0 - b.0));
    engine.register_fn("==", |a: JsDate, b: JsDate| a.0 == b.0);
    engine.register_fn("!=", |a: JsDate, b: JsDate| a.0 != b.0);
    engine.register_fn("<", |a: JsDate, b: JsDate| a.0 < b.0);
    engine.register_fn("<=", |a: JsDate, b: JsDate| a.0 <= b.0);
    engine.register_fn(">", |a: JsDate, b: JsDate| a.0 > b.0);
    engine.register_fn(">=", |a: JsDate, b: JsDate| a.0 >= b.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_and_utc_text_match_k6() {
        let d = JsDate(1_700_000_000_123.0);
        assert_eq!(d.iso().unwrap(), "2023-11-14T22:13:20.123Z");
        assert_eq!(d.utc_text(), "Tue, 14 Nov 2023 22:13:20 GMT");
        assert_eq!(JsDate(f64::NAN).iso().unwrap_err().to_string(), "Runtime error: RangeError: Invalid time value");
        assert_eq!(JsDate(-62_198_755_200_000.0).iso().unwrap(), "-000001-01-01T00:00:00.000Z");
    }
}
