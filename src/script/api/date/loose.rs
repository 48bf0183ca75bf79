//! `Date.parse` of text that is not ISO 8601, as goja (k6 v1.1) reads it: words and numbers in
//! any order, V8's way. `March 7, 2024`, `2024/03/07`, `3/7/2024 10:30 PM`, `Thu, 01 Jan 1970
//! 00:00:00 GMT`, `Mon Jan 02 2006 15:04:05 GMT-0700 (MST)`.
//!
//! A month is any word starting with a month's first three letters; a number followed by `:`
//! starts the time (`h:mm`, `h:mm:ss`, `h:mm:ss.fff`), with `AM`/`PM` after it; a number of three
//! digits or more, or one that cannot be a day (0, 32…), is the year (two digits: 19xx, or 20xx
//! below 50); the other numbers are month and day (or day alone after a month's name), the
//! third the year. `GMT`, `UTC`, `Z`, the US zones' and Europe's abbreviations and a `+hh:mm`
//! after the time set the offset; text in parentheses is skipped, as is one word before any
//! date part (a weekday). Without a time the date is UTC midnight; with a time and no zone,
//! local time.

use super::time::{make_date, utc_of_local, Fields};

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

const ZONES: [(&str, i64); 18] = [
    ("gmt", 0),
    ("utc", 0),
    ("ut", 0),
    ("z", 0),
    ("edt", -4 * 60),
    ("est", -5 * 60),
    ("cdt", -5 * 60),
    ("cst", -6 * 60),
    ("mdt", -6 * 60),
    ("mst", -7 * 60),
    ("pdt", -7 * 60),
    ("pst", -8 * 60),
    ("wet", 0),
    ("west", 60),
    ("cet", 60),
    ("cest", 2 * 60),
    ("eet", 2 * 60),
    ("eest", 3 * 60),
];

/// A cursor over the text's bytes.
struct Text<'a> {
    s: &'a [u8],
}

impl Text<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.first().copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        let yes = self.peek() == Some(c);
        if yes {
            self.s = &self.s[1..];
        }
        yes
    }

    /// `word` (lower case) at the start, in any case.
    fn eat_word(&mut self, word: &str) -> bool {
        let w = word.as_bytes();
        let yes = self.s.len() >= w.len() && self.s[..w.len()].eq_ignore_ascii_case(w);
        if yes {
            self.s = &self.s[w.len()..];
        }
        yes
    }

    /// Between `min` and `max` digits, their value and how many there were.
    fn number(&mut self, min: usize, max: usize) -> Option<(i64, usize)> {
        let n = self.s.iter().take(max).take_while(|b| b.is_ascii_digit()).count();
        if n < min {
            return None;
        }
        let v = self.s[..n].iter().fold(0i64, |v, b| v * 10 + i64::from(b - b'0'));
        self.s = &self.s[n..];
        Some((v, n))
    }

    fn skip_until(&mut self, stops: &[u8]) {
        while let Some(c) = self.peek() {
            if stops.contains(&c) {
                break;
            }
            self.s = &self.s[1..];
        }
    }

    /// A fraction of a second after `.` or `,`, in milliseconds (digits past the third dropped).
    fn millis(&mut self) -> i64 {
        if !matches!(self.peek(), Some(b'.' | b',')) || !self.s.get(1).is_some_and(u8::is_ascii_digit) {
            return 0;
        }
        self.s = &self.s[1..];
        let (mut ms, mut unit) = (0, 100);
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            ms += i64::from(c - b'0') * unit;
            unit /= 10;
            self.s = &self.s[1..];
        }
        ms
    }

    /// `+hh:mm`, `+hhmm`, `+h` or `-…` after a time: the offset in minutes.
    fn offset(&mut self) -> Option<i64> {
        let mut t = Text { s: self.s };
        let sign = if t.eat(b'-') {
            -1
        } else if t.eat(b'+') {
            1
        } else {
            return None;
        };
        let (mut hh, mut n) = t.number(1, 9)?;
        while n > 4 {
            n -= 2;
            hh /= 100;
        }
        let mut mm = 0;
        if n > 2 {
            mm = hh % 100;
            hh /= 100;
        } else if t.eat(b':') {
            mm = t.number(2, 2)?.0;
        }
        if hh > 23 || mm > 59 {
            return None;
        }
        self.s = t.s;
        Some(sign * (hh * 60 + mm))
    }
}

/// Two-digit years: 50–99 are 19xx, 0–49 20xx.
fn full_year(y: i64) -> i64 {
    match y {
        0..=49 => y + 2000,
        50..=99 => y + 1900,
        _ => y,
    }
}

/// The time value of `text`, or None where goja's Date.parse gives NaN.
pub fn parse(text: &str) -> Option<f64> {
    let mut t = Text { s: text.as_bytes() };
    let (mut year, mut month, mut day) = (2001, 1, 1);
    let (mut hour, mut min, mut sec, mut ms) = (0, 0, 0, 0);
    let mut zone: Option<i64> = None;
    let mut nums: Vec<i64> = Vec::new();
    let (mut has_year, mut has_month, mut has_time) = (false, false, false);
    loop {
        while t.eat(b' ') {}
        let Some(c) = t.peek() else { break };
        if c == b'+' || c == b'-' {
            match if has_time { t.offset() } else { None } {
                Some(o) => zone = Some(o),
                None => {
                    t.eat(c);
                    if let Some((y, _)) = t.number(1, 9) {
                        if c == b'-' && y == 0 {
                            return None;
                        }
                        year = if c == b'-' { -y } else { y };
                        has_year = true;
                    }
                }
            }
        } else if let Some((v, n)) = t.number(1, 9) {
            if t.eat(b':') {
                hour = v;
                min = t.number(1, 2)?.0;
                if t.eat(b':') {
                    sec = t.number(1, 2)?.0;
                    ms = t.millis();
                }
                has_time = true;
            } else if n > 2 {
                year = v;
                has_year = true;
            } else if !(1..=31).contains(&v) {
                year = full_year(v);
                has_year = true;
            } else {
                if nums.len() == 3 {
                    return None;
                }
                nums.push(v);
            }
        } else if let Some(m) = MONTHS.iter().position(|m| t.eat_word(m)) {
            month = m as i64 + 1;
            has_month = true;
            t.skip_until(b"0123456789 -/(");
        } else if has_time && t.eat_word("pm") {
            if hour < 12 {
                hour += 12;
            }
            continue;
        } else if has_time && t.eat_word("am") {
            if hour == 12 {
                hour = 0;
            }
            continue;
        } else if let Some(&(_, o)) = ZONES.iter().find(|(z, _)| t.eat_word(z)) {
            if t.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                return None;
            }
            zone = Some(o);
            continue;
        } else if c == b'(' {
            t.eat(c);
            let mut level = 1;
            while level > 0 {
                let c = t.peek()?;
                t.eat(c);
                level += match c {
                    b'(' => 1,
                    b')' => -1,
                    _ => 0,
                };
            }
        } else if c == b')' || has_year || has_month || has_time || !nums.is_empty() {
            return None;
        } else {
            t.skip_until(b" -/(");
        }
        while matches!(t.peek(), Some(b'-' | b'/' | b'.' | b',')) {
            t.s = &t.s[1..];
        }
    }
    if nums.len() + usize::from(has_year) + usize::from(has_month) > 3 {
        return None;
    }
    match (nums.as_slice(), has_year, has_month) {
        ([], false, _) => return None,
        ([], true, _) => {}
        ([d], _, true) => day = *d,
        ([m], _, false) => month = *m,
        ([m, d], true, _) => (month, day) = (*m, *d),
        ([d, y], false, true) => (day, year) = (*d, full_year(*y)),
        ([m, d], false, false) => (month, day) = (*m, *d),
        ([m, d, y], ..) => (month, day, year) = (*m, *d, full_year(*y)),
        _ => return None,
    }
    if month < 1 || day < 1 {
        return None;
    }
    let f = Fields {
        year: year as f64,
        month: (month - 1) as f64,
        day: day as f64,
        hours: hour as f64,
        minutes: min as f64,
        seconds: sec as f64,
        ms: ms as f64,
    };
    let at = make_date(&f);
    Some(match zone {
        Some(minutes) => at - minutes as f64 * 60_000.0,
        None if has_time => utc_of_local(at),
        None => at,
    })
}

/// Whether `text` has ISO 8601's shape as goja's ISO reading takes it (`yyyy[-mm[-dd]]`, then
/// `Thh:mm[:ss[.f…]]`, then `Z` or `±hh[:]mm`), whatever its numbers: goja reads such text as
/// ISO only, so `2024-13-01` is NaN rather than a looser reading's 2025-01-01.
pub fn iso_shaped(text: &str) -> bool {
    let mut t = Text { s: text.as_bytes() };
    let signed = matches!(t.peek(), Some(b'+' | b'-'));
    if signed {
        t.s = &t.s[1..];
    }
    if t.number(if signed { 6 } else { 4 }, if signed { 6 } else { 4 }).is_none() {
        return false;
    }
    for _ in 0..2 {
        if !t.eat(b'-') {
            break;
        }
        if t.number(2, 2).is_none() {
            return false;
        }
    }
    if t.eat(b'T') {
        if t.number(2, 2).is_none() || !t.eat(b':') || t.number(2, 2).is_none() {
            return false;
        }
        if t.eat(b':') {
            if t.number(2, 2).is_none() {
                return false;
            }
            t.millis();
        }
    }
    if t.eat(b'Z') {
        return t.s.is_empty();
    }
    if !t.s.is_empty() {
        let mut o = Text { s: &t.s[1..] };
        let ok = matches!(t.peek(), Some(b'+' | b'-'))
            && matches!(o.number(1, 9), Some((_, 2 | 4)))
            && (o.s.is_empty() || (o.eat(b':') && o.number(2, 2).is_some()));
        return ok && o.s.is_empty();
    }
    true
}
