//! `http.url(template, values)`: rload's form of k6's tagged template `` http.url`…${id}` ``.
//!
//! k6 builds a URL from a template literal and tags its requests with `name` = the template,
//! each interpolation written `${}` (`/posts/${}`), so requests to every id group into one
//! series (and, since k6 v0.41, the `url` tag carries the same value). Rhai has no tagged
//! templates, so the template is a plain string whose `${key}` placeholders are filled from a
//! map: `http.url("http://host/posts/${id}", #{ id: 7 })` is the URL
//! `http://host/posts/7` named `http://host/posts/${}`. A placeholder the map lacks is an
//! error naming it. The value is accepted wherever `http.*` takes a URL; a `name` in the
//! request's `params.tags` still wins, as in k6.

use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, Map};

use super::convert::js_string;
use super::http::HttpApi;

/// A URL and the `name` tag its requests carry (k6's `httpext.URL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    pub url: ImmutableString,
    pub name: ImmutableString,
}

/// Fills `template`'s `${key}` placeholders from `values`; the name keeps each as `${}`.
pub fn fill(template: &str, values: &Map) -> Result<HttpUrl, String> {
    let (mut url, mut name) = (String::with_capacity(template.len()), String::with_capacity(template.len()));
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            return Err(format!("http.url: \"${{\" without its \"}}\" in \"{template}\""));
        };
        let key = rest[start + 2..start + len].trim();
        let value = values.get(key).ok_or_else(|| {
            format!("http.url: the template \"{template}\" has ${{{key}}}, but the values have no \"{key}\"")
        })?;
        url.push_str(&rest[..start]);
        name.push_str(&rest[..start]);
        url.push_str(&js_string(value));
        name.push_str("${}");
        rest = &rest[start + len + 1..];
    }
    url.push_str(rest);
    name.push_str(rest);
    Ok(HttpUrl { url: url.into(), name: name.into() })
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<HttpUrl>("URL");
    engine.register_fn("url", |_: HttpApi, template: &str, values: Map| -> Result<HttpUrl, Box<EvalAltResult>> {
        Ok(fill(template, &values)?)
    });
    engine.register_fn("url", |_: HttpApi, url: &str| HttpUrl { url: url.into(), name: url.into() });
    engine.register_get("url", |u: &mut HttpUrl| u.url.clone());
    engine.register_get("name", |u: &mut HttpUrl| u.name.clone());
    engine.register_get("clean_url", |u: &mut HttpUrl| crate::http::auth::clean_url(&u.url).into_owned());
    engine.register_fn("to_string", |u: &mut HttpUrl| u.url.clone());
}

/// A URL argument of `http.*`: a string, or an [`HttpUrl`] (whose name tags the request).
/// Any other value is given back: k6 fails the request for it (`invalid URL`).
pub fn url_and_name(value: Dynamic) -> Result<(ImmutableString, Option<ImmutableString>), Dynamic> {
    if let Some(u) = value.read_lock::<HttpUrl>() {
        let name = (u.name != u.url).then(|| u.name.clone());
        return Ok((u.url.clone(), name));
    }
    if value.is_string() {
        return Ok((value.into_immutable_string().unwrap_or_default(), None));
    }
    Err(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_named_as_k6_names_template_literals() {
        let mut values = Map::default();
        values.insert("id".into(), Dynamic::from(7_i64));
        values.insert("BASE".into(), "http://h".into());
        let u = fill("${BASE}/posts/${ id }/c", &values).unwrap();
        assert_eq!(u.url.as_str(), "http://h/posts/7/c");
        assert_eq!(u.name.as_str(), "${}/posts/${}/c");
        assert_eq!(fill("http://h/", &Map::default()).unwrap().name.as_str(), "http://h/");
        assert!(fill("/p/${x}", &Map::default()).unwrap_err().contains("no \"x\""));
        assert!(fill("/p/${x", &values).unwrap_err().contains("without its"));
    }
}
