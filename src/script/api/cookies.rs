//! k6's cookie API for Rhai: the `CookieJar` type (`http.cookieJar()`, `http.CookieJar()`,
//! `jar.set / cookiesForURL / clear / delete`), `params.cookies` and the shape of
//! `res.cookies`.
//!
//! Only conversions live here; the jar and k6's rules for it are `crate::http::cookies`.

use rhai::{Array, Dynamic, Engine, EvalAltResult, Map};
use url::Url;

use crate::http::cookies::{CookieOptions, ResponseCookie};
use crate::http::{CookieJar, RequestCookie};

use super::convert::{js_string, js_text, js_truthy};

type Fallible<T> = Result<T, Box<EvalAltResult>>;

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<CookieJar>("CookieJar");
    engine.register_fn("set", |jar: &mut CookieJar, url: &str, name: &str, value: &str| {
        set(jar, url, name, value, Map::default())
    });
    engine.register_fn("set", |jar: &mut CookieJar, url: &str, name: &str, value: &str, opts: Map| {
        set(jar, url, name, value, opts)
    });
    engine.register_fn("set", |jar: &mut CookieJar, url: &str, name: &str, value: &str, _: ()| {
        set(jar, url, name, value, Map::default())
    });
    engine.register_fn("cookiesForURL", |jar: &mut CookieJar, url: &str| -> Fallible<Map> {
        Ok(jar
            .cookies_for_url(&parse_url("jar.cookiesForURL", url)?)
            .into_iter()
            .map(|(name, values)| (name.into(), Dynamic::from_array(values.into_iter().map(Dynamic::from).collect())))
            .collect())
    });
    engine.register_fn("clear", |jar: &mut CookieJar, url: &str| -> Fallible<()> {
        jar.clear(&parse_url("jar.clear", url)?);
        Ok(())
    });
    engine.register_fn("delete", |jar: &mut CookieJar, url: &str, name: &str| -> Fallible<()> {
        if name.is_empty() {
            return Err("jar.delete: cookie: is null (a name is needed)".into());
        }
        jar.delete(&parse_url("jar.delete", url)?, name);
        Ok(())
    });
    engine.register_fn("to_string", |_: &mut CookieJar| "CookieJar".to_string());
}

fn parse_url(what: &str, url: &str) -> Fallible<Url> {
    Url::parse(url).map_err(|e| format!("{what}: invalid URL \"{url}\": {e}").into())
}

/// `jar.set(url, name, value, opts)`: returns `true`, as k6 does.
fn set(jar: &mut CookieJar, url: &str, name: &str, value: &str, opts: Map) -> Fallible<bool> {
    let url = parse_url("jar.set", url)?;
    let mut options = CookieOptions::default();
    for (key, value) in opts {
        let text =
            || if value.is_string() { value.clone().into_string().unwrap_or_default() } else { js_string(&value) };
        match key.to_ascii_lowercase().as_str() {
            "path" => options.path = Some(text()),
            "domain" => options.domain = Some(text()),
            "expires" => options.expires = Some(text()),
            "max_age" => {
                options.max_age = value
                    .as_int()
                    .or_else(|_| value.as_float().map(|f| f as i64))
                    .map_err(|t| format!("jar.set: max_age must be a number, got {t}"))?;
            }
            "secure" => options.secure = js_truthy(&value),
            "http_only" => options.http_only = js_truthy(&value),
            _ => {
                return Err(format!(
                    "jar.set: unknown cookie option \"{key}\" (k6's are domain, path, expires, max_age, secure, \
                     http_only)"
                )
                .into())
            }
        }
    }
    jar.set(&url, name, value, &options).map_err(|e| format!("jar.set: {e}"))?;
    Ok(true)
}

/// `params.cookies`: `#{ name: "value" }` or `#{ name: #{ value: "v", replace: true } }`;
/// a `()` entry is skipped, as k6 skips `null`. As k6 reads the map form: `value` is the
/// value's text (`()` is `null`), `replace` its JavaScript truthiness (`""` is false).
pub fn request_cookies(value: Dynamic) -> Result<Vec<RequestCookie>, String> {
    if value.is_unit() {
        return Ok(Vec::new());
    }
    let type_name = value.type_name();
    let map = value.try_cast::<Map>().ok_or_else(|| format!("params.cookies must be a map, got {type_name}"))?;
    let mut out = Vec::with_capacity(map.len());
    for (name, cookie) in map {
        if cookie.is_unit() {
            continue;
        }
        let mut request = RequestCookie { name: name.to_string(), value: String::new(), replace: false };
        if !cookie.is_map() {
            request.value = text(cookie);
            out.push(request);
            continue;
        }
        for (key, attribute) in cookie.cast::<Map>() {
            match key.to_ascii_lowercase().as_str() {
                "value" => request.value = text(attribute),
                "replace" => request.replace = js_truthy(&attribute),
                _ => return Err(format!("params.cookies.{name}: unknown key \"{key}\" (k6's are value and replace)")),
            }
        }
        out.push(request);
    }
    Ok(out)
}

fn text(value: Dynamic) -> String {
    if value.is_string() {
        value.into_string().unwrap_or_default()
    } else {
        js_text(&value)
    }
}

/// `res.cookies`: name → array of `#{ name, value, domain, path, http_only, secure, max_age,
/// expires }`, k6's (snake_case) keys.
pub fn response_cookies_map(cookies: Vec<ResponseCookie>) -> Map {
    let mut out = Map::default();
    for c in cookies {
        let mut m = Map::default();
        m.insert("name".into(), c.name.clone().into());
        m.insert("value".into(), c.value.into());
        m.insert("domain".into(), c.domain.into());
        m.insert("path".into(), c.path.into());
        m.insert("http_only".into(), c.http_only.into());
        m.insert("secure".into(), c.secure.into());
        m.insert("max_age".into(), c.max_age.into());
        m.insert("expires".into(), c.expires.into());
        let entry = out.entry(c.name.into()).or_insert_with(|| Dynamic::from_array(Array::new()));
        if let Some(mut list) = entry.write_lock::<Array>() {
            list.push(m.into());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_cookies_take_k6s_two_forms() {
        let mut cookies = Map::default();
        cookies.insert("plain".into(), Dynamic::from(7_i64));
        let mut replaced = Map::default();
        replaced.insert("value".into(), "v".into());
        replaced.insert("replace".into(), true.into());
        cookies.insert("r".into(), replaced.into());
        cookies.insert("skipped".into(), Dynamic::UNIT);
        let parsed = request_cookies(cookies.into()).unwrap();
        assert_eq!(
            parsed,
            vec![
                RequestCookie { name: "plain".into(), value: "7".into(), replace: false },
                RequestCookie { name: "r".into(), value: "v".into(), replace: true },
            ]
        );
        let mut bad = Map::default();
        let mut attrs = Map::default();
        attrs.insert("path".into(), "/".into());
        bad.insert("c".into(), attrs.into());
        assert!(request_cookies(bad.into()).unwrap_err().contains("unknown key \"path\""));
    }

    #[test]
    fn unknown_cookie_options_are_named() {
        let mut opts = Map::default();
        opts.insert("maxAge".into(), Dynamic::from(5_i64));
        let err = set(&mut CookieJar::default(), "http://h/", "a", "1", opts).unwrap_err().to_string();
        assert!(err.contains("unknown cookie option \"maxAge\""), "{err}");
    }
}
