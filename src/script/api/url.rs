//! jslib's `URL` and `URLSearchParams` (`import { URL, URLSearchParams } from
//! 'https://jslib.k6.io/url/1.0.0/index.js'`) for Rhai, as the WHATWG URL standard defines them
//! (the url crate implements it): `js_url(text, base?)` and `js_url_search_params(init?)`, what
//! `rload convert` writes for `new URL(…)` and `new URLSearchParams(…)`.
//!
//! ```rhai
//! let u = js_url(`${BASE}/search`);
//! u.searchParams.append("q", "a b&c");
//! http.get(u.toString());            // …/search?q=a+b%26c
//! ```
//!
//! A URL is one shared object, as in JavaScript: a copy (`let v = u;`, a function's parameter)
//! is the same URL, and `u.searchParams` is bound to it, so changing either changes both
//! (the standard's "update steps"). Its parts read and set as in JavaScript (`href`, `origin`,
//! `protocol`, `username`, `password`, `host`, `hostname`, `port`, `pathname`, `search`,
//! `hash`); `toString()`, `toJSON()` and `to_json()` give `href`. A text that is not a URL
//! throws `TypeError: Invalid URL`. `URLSearchParams` takes a query (its `?` dropped), an
//! array of pairs or a map (in JavaScript's key order: [`super::key_order`]); `append`, `set`, `get` (`()` for none), `getAll`, `has`, `delete`, `sort`,
//! `toString` (space as `+`), and `keys()`, `values()`, `entries()` as arrays. `forEach` and
//! iterating the object itself are not implemented (`for (const [k, v] of p.entries())` is the
//! form), so they fail with an error rather than run otherwise.

use std::cell::RefCell;
use std::rc::Rc;

use rhai::{Array, Dynamic, Engine, EvalAltResult, Map};
use url::Url;

use super::convert::js_text;

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

const INVALID: &str = "TypeError: Invalid URL";

/// A URL: shared, as a JavaScript object is.
#[derive(Clone)]
pub struct JsUrl(Rc<RefCell<Url>>);

/// A `URLSearchParams`: its own list, or the query of the URL it belongs to.
#[derive(Clone)]
pub enum JsSearchParams {
    Own(Rc<RefCell<Vec<(String, String)>>>),
    Of(Rc<RefCell<Url>>),
}

impl JsUrl {
    pub fn href(&self) -> String {
        self.0.borrow().as_str().to_owned()
    }
}

impl JsSearchParams {
    fn pairs(&self) -> Vec<(String, String)> {
        match self {
            JsSearchParams::Own(list) => list.borrow().clone(),
            JsSearchParams::Of(url) => url.borrow().query_pairs().into_owned().collect(),
        }
    }

    /// Replaces the list; a URL's query becomes its serialization, none when it is empty.
    fn store(&self, pairs: Vec<(String, String)>) {
        match self {
            JsSearchParams::Own(list) => *list.borrow_mut() = pairs,
            JsSearchParams::Of(url) => {
                let query = serialize(&pairs);
                url.borrow_mut().set_query((!query.is_empty()).then_some(query.as_str()));
            }
        }
    }

    fn change(&self, f: impl FnOnce(&mut Vec<(String, String)>)) {
        let mut pairs = self.pairs();
        f(&mut pairs);
        self.store(pairs);
    }
}

fn serialize(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

fn parse_query(text: &str) -> Vec<(String, String)> {
    let text = text.strip_prefix('?').unwrap_or(text);
    url::form_urlencoded::parse(text.as_bytes()).into_owned().collect()
}

fn new_url(text: &Dynamic, base: Option<&Dynamic>) -> RhaiResult<JsUrl> {
    let text = js_text(text);
    let parsed = match base {
        Some(base) => Url::parse(&js_text(base)).and_then(|b| b.join(&text)),
        None => Url::parse(&text),
    };
    parsed.map(|u| JsUrl(Rc::new(RefCell::new(u)))).map_err(|_| INVALID.into())
}

fn new_params(init: &Dynamic) -> RhaiResult<JsSearchParams> {
    let pairs = if let Some(other) = init.read_lock::<JsSearchParams>() {
        other.pairs()
    } else if let Some(items) = init.read_lock::<Array>() {
        let mut pairs = Vec::new();
        for item in items.iter() {
            match item.read_lock::<Array>() {
                Some(pair) if pair.len() == 2 => pairs.push((js_text(&pair[0]), js_text(&pair[1]))),
                _ => {
                    return Err("TypeError: Each query pair must be an iterable [name, value] tuple".into());
                }
            }
        }
        pairs
    } else if let Some(map) = init.read_lock::<Map>() {
        super::key_order::entries(&map).map(|(k, v)| (k.to_owned(), js_text(v))).collect()
    } else if init.is_unit() {
        Vec::new()
    } else {
        parse_query(&js_text(init))
    };
    Ok(JsSearchParams::Own(Rc::new(RefCell::new(pairs))))
}

fn strings(items: impl Iterator<Item = String>) -> Array {
    items.map(Dynamic::from).collect()
}

/// A setter of a part: the url crate applies the standard's rules (a value it cannot take
/// leaves the URL as it was, as in JavaScript).
fn set_part(u: &mut JsUrl, value: Dynamic, set: fn(&mut Url, &str)) {
    let text = js_text(&value);
    set(&mut u.0.borrow_mut(), &text);
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<JsUrl>("URL");
    engine.register_type_with_name::<JsSearchParams>("URLSearchParams");
    engine.register_fn("js_url", |text: Dynamic| new_url(&text, None));
    engine.register_fn(
        "js_url",
        |text: Dynamic, base: Dynamic| {
            if base.is_unit() {
                new_url(&text, None)
            } else {
                new_url(&text, Some(&base))
            }
        },
    );
    engine.register_fn("js_url_search_params", || JsSearchParams::Own(Rc::default()));
    engine.register_fn("js_url_search_params", |init: Dynamic| new_params(&init));

    engine.register_get("href", |u: &mut JsUrl| u.href());
    engine.register_get("origin", |u: &mut JsUrl| u.0.borrow().origin().ascii_serialization());
    engine.register_get("protocol", |u: &mut JsUrl| format!("{}:", u.0.borrow().scheme()));
    engine.register_get("username", |u: &mut JsUrl| u.0.borrow().username().to_owned());
    engine.register_get("password", |u: &mut JsUrl| u.0.borrow().password().unwrap_or("").to_owned());
    engine.register_get("host", |u: &mut JsUrl| {
        let url = u.0.borrow();
        let host = url.host_str().unwrap_or("").to_owned();
        match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host,
        }
    });
    engine.register_get("hostname", |u: &mut JsUrl| u.0.borrow().host_str().unwrap_or("").to_owned());
    engine.register_get("port", |u: &mut JsUrl| u.0.borrow().port().map_or_else(String::new, |p| p.to_string()));
    engine.register_get("pathname", |u: &mut JsUrl| u.0.borrow().path().to_owned());
    engine.register_get("search", |u: &mut JsUrl| match u.0.borrow().query() {
        Some(q) if !q.is_empty() => format!("?{q}"),
        _ => String::new(),
    });
    engine.register_get("hash", |u: &mut JsUrl| match u.0.borrow().fragment() {
        Some(f) if !f.is_empty() => format!("#{f}"),
        _ => String::new(),
    });
    engine.register_get("searchParams", |u: &mut JsUrl| JsSearchParams::Of(Rc::clone(&u.0)));

    engine.register_set("href", |u: &mut JsUrl, v: Dynamic| -> RhaiResult<()> {
        let parsed = Url::parse(&js_text(&v)).map_err(|_| INVALID)?;
        *u.0.borrow_mut() = parsed;
        Ok(())
    });
    engine.register_set("protocol", |u: &mut JsUrl, v: Dynamic| {
        set_part(u, v, |url, s| {
            let _ = url.set_scheme(s.split(':').next().unwrap_or(""));
        })
    });
    engine.register_set("username", |u: &mut JsUrl, v: Dynamic| {
        set_part(u, v, |url, s| {
            let _ = url.set_username(s);
        })
    });
    engine.register_set("password", |u: &mut JsUrl, v: Dynamic| {
        set_part(u, v, |url, s| {
            let _ = url.set_password((!s.is_empty()).then_some(s));
        })
    });
    engine.register_set("host", |u: &mut JsUrl, v: Dynamic| {
        set_part(u, v, |url, s| {
            let (host, port) = match s.rsplit_once(':') {
                Some((h, p)) if !h.ends_with(']') || s.starts_with('[') => (h, p.parse::<u16>().ok()),
                _ => (s, None),
            };
            if url.set_host(Some(host)).is_ok() && port.is_some() {
                let _ = url.set_port(port);
            }
        })
    });
    engine.register_set("hostname", |u: &mut JsUrl, v: Dynamic| {
        set_part(u, v, |url, s| {
            let _ = url.set_host(Some(s));
        })
    });
    engine.register_set("port", |u: &mut JsUrl, v: Dynamic| {
        set_part(u, v, |url, s| {
            if s.is_empty() {
                let _ = url.set_port(None);
            } else if let Ok(port) = s.parse::<u16>() {
                let _ = url.set_port(Some(port));
            }
        })
    });
    engine.register_set("pathname", |u: &mut JsUrl, v: Dynamic| set_part(u, v, |url, s| url.set_path(s)));
    engine.register_set("search", |u: &mut JsUrl, v: Dynamic| {
        set_part(u, v, |url, s| {
            let s = s.strip_prefix('?').unwrap_or(s);
            url.set_query((!s.is_empty()).then_some(s));
        })
    });
    engine.register_set("hash", |u: &mut JsUrl, v: Dynamic| {
        set_part(u, v, |url, s| {
            let s = s.strip_prefix('#').unwrap_or(s);
            url.set_fragment((!s.is_empty()).then_some(s));
        })
    });
    engine.register_fn("toString", |u: &mut JsUrl| u.href());
    engine.register_fn("to_string", |u: &mut JsUrl| u.href());
    engine.register_fn("to_debug", |u: &mut JsUrl| u.href());
    engine.register_fn("toJSON", |u: &mut JsUrl| u.href());
    engine.register_fn("to_json", |u: &mut JsUrl| serde_json::to_string(&u.href()).unwrap_or_default());

    engine.register_fn("append", |p: &mut JsSearchParams, name: Dynamic, value: Dynamic| {
        p.change(|pairs| pairs.push((js_text(&name), js_text(&value))));
    });
    engine.register_fn("set", |p: &mut JsSearchParams, name: Dynamic, value: Dynamic| {
        let (name, value) = (js_text(&name), js_text(&value));
        p.change(|pairs| match pairs.iter().position(|(k, _)| *k == name) {
            Some(first) => {
                pairs[first].1 = value;
                let mut i = 0;
                pairs.retain(|(k, _)| {
                    i += 1;
                    i - 1 == first || *k != name
                });
            }
            None => pairs.push((name, value)),
        });
    });
    engine.register_fn("delete", |p: &mut JsSearchParams, name: Dynamic| {
        let name = js_text(&name);
        p.change(|pairs| pairs.retain(|(k, _)| *k != name));
    });
    engine.register_fn("get", |p: &mut JsSearchParams, name: Dynamic| -> Dynamic {
        let name = js_text(&name);
        p.pairs().into_iter().find(|(k, _)| *k == name).map_or(Dynamic::NULL, |(_, v)| v.into())
    });
    engine.register_fn("getAll", |p: &mut JsSearchParams, name: Dynamic| {
        let name = js_text(&name);
        strings(p.pairs().into_iter().filter(|(k, _)| *k == name).map(|(_, v)| v))
    });
    engine.register_fn("has", |p: &mut JsSearchParams, name: Dynamic| {
        let name = js_text(&name);
        p.pairs().iter().any(|(k, _)| *k == name)
    });
    // A stable sort by name, in UTF-16 code units as the standard sorts. It takes no argument
    // in JavaScript, which ignores one given; `rload convert` writes `sort()` as its helper,
    // which passes the array comparator it sorts arrays with.
    let sort = |p: &mut JsSearchParams| {
        p.change(|pairs| pairs.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16())));
    };
    engine.register_fn("sort", sort);
    engine.register_fn("sort", move |p: &mut JsSearchParams, _: rhai::FnPtr| sort(p));
    engine.register_fn("keys", |p: &mut JsSearchParams| strings(p.pairs().into_iter().map(|(k, _)| k)));
    engine.register_fn("values", |p: &mut JsSearchParams| strings(p.pairs().into_iter().map(|(_, v)| v)));
    engine.register_fn("entries", |p: &mut JsSearchParams| -> Array {
        p.pairs().into_iter().map(|(k, v)| Dynamic::from(strings([k, v].into_iter()))).collect()
    });
    engine.register_fn("toString", |p: &mut JsSearchParams| serialize(&p.pairs()));
    engine.register_fn("to_string", |p: &mut JsSearchParams| serialize(&p.pairs()));
    engine.register_fn("to_debug", |p: &mut JsSearchParams| serialize(&p.pairs()));
    // JSON.stringify of a URLSearchParams is `{}`: it has no own enumerable properties.
    engine.register_fn("to_json", |_: &mut JsSearchParams| "{}");
}
