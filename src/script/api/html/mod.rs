//! k6/html for Rhai: `parseHTML(src)`, `res.html()` / `res.html(selector)`, the Response's
//! form and link helpers (`res.submitForm(#{…})`, `res.clickLink(#{…})`), and k6's
//! `Selection` and `Element` methods under k6's names (`s.find("a").attr("href")`,
//! `s.each(|i, el| …)`, `el.textContent()`), except k6's `is`, a reserved word in Rhai:
//! `matches` (the DOM's name for the same test).
//!
//! This file converts arguments and results; the traversals live in [`dom`], the form and
//! link rules in [`form`], and the requests go through `http.request`'s code. A value k6
//! gives as `undefined` (a missing attribute, `html()` of an empty selection) is `()`. The
//! few k6 methods rload does not implement are registered as errors that name them, so a
//! port fails where it uses one instead of calling something else.

pub mod dom;
pub mod form;

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, Map, NativeCallContext};

use super::convert::js_truthy;
use super::http;
use super::response::Response;
use crate::script::facts::Facts;
use dom::{selector, Element, Selection, Value};

type R<T> = Result<T, Box<EvalAltResult>>;

/// k6 Element methods rload does not implement (node-level DOM; the element ones are here).
const ELEMENT_MISSING: &[&str] = &[
    "childNodes",
    "firstChild",
    "lastChild",
    "nextSibling",
    "previousSibling",
    "parentNode",
    "ownerDocument",
    "namespaceURI",
    "isDefaultNamespace",
    "isEqualNode",
    "isSameNode",
    "contains",
    "getAttributeNode",
    "lookupNamespaceURI",
    "lookupPrefix",
];

fn css(text: &str) -> R<scraper::Selector> {
    Ok(selector(text)?)
}

fn opt<T: rhai::Variant + Clone>(value: Option<T>) -> Dynamic {
    value.map_or(Dynamic::UNIT, Dynamic::from)
}

/// Calls `f(index, item)` with as many of the two arguments as it declares (k6 scripts
/// write `function (i, el)`, `function (i)` and `function ()` alike).
fn call_indexed(ctx: &NativeCallContext, f: &FnPtr, index: usize, item: Dynamic) -> R<Dynamic> {
    let declared = Facts::of(ctx.tag()).map(|facts| facts.borrow().param_counts(f.fn_name()).to_vec());
    let curried = f.curry().len();
    let takes = declared
        .filter(|d| !d.is_empty())
        .and_then(|d| d.iter().map(|n| n.saturating_sub(curried)).min())
        .unwrap_or(2)
        .min(2);
    let args: Vec<Dynamic> = [Dynamic::from(index as i64), item].into_iter().take(takes).collect();
    f.call_raw(ctx, None, args)
}

/// `data-foo-bar` for `fooBar` (jQuery's key form).
fn data_attribute(key: &str) -> String {
    let mut name = String::from("data-");
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            name.push('-');
            name.push(c.to_ascii_lowercase());
        } else {
            name.push(c);
        }
    }
    name
}

/// `fooBar` for `data-foo-bar`, or `None` for an attribute that is not `data-*`.
fn data_key(attribute: &str) -> Option<String> {
    let rest = attribute.strip_prefix("data-")?;
    let mut key = String::new();
    let mut upper = false;
    for c in rest.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            key.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            key.push(c);
        }
    }
    Some(key)
}

/// A data attribute's value as k6 converts it: booleans, `null`/`undefined`/empty as `()`,
/// numbers that read back the same (`"7"`, not `"7.0"`), JSON objects and arrays; anything
/// else stays a string.
fn data_value(raw: &str) -> Dynamic {
    match raw {
        "true" => return true.into(),
        "false" => return false.into(),
        "null" => return Dynamic::NULL,
        "" | "undefined" => return Dynamic::UNIT,
        _ => {}
    }
    if let Ok(n) = raw.parse::<i64>() {
        if n.to_string() == raw {
            return n.into();
        }
    }
    if let Ok(f) = raw.parse::<f64>() {
        if f.is_finite() && f.to_string() == raw {
            return f.into();
        }
    }
    if raw.starts_with('{') || raw.starts_with('[') {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(raw) {
            if let Ok(dynamic) = rhai::serde::to_dynamic(value) {
                return dynamic;
            }
        }
    }
    raw.into()
}

fn data(s: &Selection, key: Option<&str>) -> Dynamic {
    let Some(first) = s.first_element().filter(|e| !e.attrs().is_empty()) else { return Dynamic::UNIT };
    match key {
        Some(key) => first.attr(&data_attribute(key)).map_or(Dynamic::UNIT, data_value),
        None => {
            let map: Map = first
                .attrs()
                .into_iter()
                .filter_map(|(name, value)| data_key(&name).map(|k| (k.into(), data_value(&value))))
                .collect();
            map.into()
        }
    }
}

fn val(s: &Selection) -> Dynamic {
    match s.first_element().and_then(|e| e.value()) {
        Some(Value::One(v)) => v.into(),
        Some(Value::Many(all)) => all.into_iter().map(Dynamic::from).collect::<Array>().into(),
        None => Dynamic::UNIT,
    }
}

/// `each(|i, el| …)`: k6 hands each function an `Element`.
fn each(ctx: NativeCallContext, s: &mut Selection, f: FnPtr) -> R<Selection> {
    for i in 0..s.size() {
        call_indexed(&ctx, &f, i, opt(s.element(i))).map(drop)?;
    }
    Ok(s.clone())
}

/// `map(|i, sel| …)`: k6 hands each function a `Selection` of one node, and collects what it
/// returns. (k6 leaves out the value of a function that throws; here the error stops the call.)
fn map(ctx: NativeCallContext, s: &mut Selection, f: FnPtr) -> R<Array> {
    s.one_by_one().into_iter().enumerate().map(|(i, one)| call_indexed(&ctx, &f, i, Dynamic::from(one))).collect()
}

/// `filter`, `not` and `is` with a function, which gets a `Selection` of one node as in k6.
fn by_function(ctx: &NativeCallContext, s: &Selection, f: &FnPtr, keep_matching: bool) -> R<Selection> {
    s.retain(|i, one| call_indexed(ctx, f, i, Dynamic::from(one.clone())).map(|v| js_truthy(&v) == keep_matching))
}

fn response_html(r: &mut Response) -> R<Selection> {
    let body = r.body();
    if body.is_unit() {
        return Err(
            "res.html(): the response has no body (was responseType \"none\" or discardResponseBodies set?)".into()
        );
    }
    Ok(match body.clone().into_immutable_string() {
        Ok(text) => Selection::parse(&text),
        Err(_) => Selection::parse(&String::from_utf8_lossy(&body.into_blob().unwrap_or_default())),
    })
}

/// A selector option of `res.submitForm` / `res.clickLink`: a string.
fn selector_option(method: &str, key: &str, value: Dynamic) -> R<String> {
    let type_name = value.type_name();
    value
        .into_string()
        .map_err(|_| format!("res.{method}(): {key} must be a CSS selector string, got {type_name}").into())
}

fn unknown_option(method: &str, key: &str, known: &str) -> Box<EvalAltResult> {
    format!("res.{method}(): unknown option \"{key}\" (k6's are {known})").into()
}

/// `res.submitForm(#{ formSelector, fields, submitSelector, params })`: the request k6 makes
/// of the page's form (see [`form::plan_submit`]), sent as `http.request` sends one.
fn submit_form(r: &mut Response, options: Map) -> R<Response> {
    let (mut form_selector, mut submit_selector) = ("form".to_owned(), "[type=\"submit\"]".to_owned());
    let (mut fields, mut params) = (Map::default(), Dynamic::UNIT);
    for (key, value) in options {
        match key.as_str() {
            "formSelector" => form_selector = selector_option("submitForm", &key, value)?,
            "submitSelector" => submit_selector = selector_option("submitForm", &key, value)?,
            "fields" if value.is_unit() => fields = Map::default(),
            "fields" => {
                let type_name = value.type_name();
                fields = value.try_cast::<Map>().ok_or_else(|| {
                    format!("res.submitForm(): fields must be a map of name → value, got {type_name}")
                })?;
            }
            "params" => params = value,
            other => return Err(unknown_option("submitForm", other, "formSelector, fields, submitSelector, params")),
        }
    }
    let page = response_html(r)?;
    let planned = form::plan_submit(&page, r.url(), &form_selector, &submit_selector, fields)?;
    http::request(&planned.method, &planned.url, planned.body.map_or(Dynamic::UNIT, Dynamic::from), params)
}

/// `res.clickLink(#{ selector, params })`: a GET of the link's `href` (see [`form::plan_click`]).
fn click_link(r: &mut Response, options: Map) -> R<Response> {
    let (mut link_selector, mut params) = ("a[href]".to_owned(), Dynamic::UNIT);
    for (key, value) in options {
        match key.as_str() {
            "selector" => link_selector = selector_option("clickLink", &key, value)?,
            "params" => params = value,
            other => return Err(unknown_option("clickLink", other, "selector, params")),
        }
    }
    let page = response_html(r)?;
    let planned = form::plan_click(&page, r.url(), &link_selector)?;
    http::request(&planned.method, &planned.url, Dynamic::UNIT, params)
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Selection>("Selection");
    engine.register_type_with_name::<Element>("Element");
    engine.register_fn("parseHTML", |src: &str| Selection::parse(src));
    engine.register_fn("html", response_html);
    engine
        .register_fn("html", |r: &mut Response, sel: &str| -> R<Selection> { Ok(response_html(r)?.find(&css(sel)?)) });
    engine.register_fn("submitForm", |r: &mut Response| submit_form(r, Map::default()));
    engine.register_fn("submitForm", submit_form);
    engine.register_fn("clickLink", |r: &mut Response| click_link(r, Map::default()));
    engine.register_fn("clickLink", click_link);
    register_selection(engine);
    register_element(engine);
}

fn register_selection(engine: &mut Engine) {
    engine.register_fn("find", |s: &mut Selection, sel: &str| -> R<Selection> { Ok(s.find(&css(sel)?)) });
    engine.register_fn("text", |s: &mut Selection| s.text());
    engine.register_fn("html", |s: &mut Selection| opt(s.html()));
    engine.register_fn("attr", |s: &mut Selection, name: &str| opt(s.attr(name)));
    engine.register_fn("attr", |s: &mut Selection, name: &str, default: Dynamic| {
        s.attr(name).map_or(default, Dynamic::from)
    });
    engine.register_fn("val", |s: &mut Selection| val(s));
    engine.register_fn("data", |s: &mut Selection| data(s, None));
    engine.register_fn("data", |s: &mut Selection, key: &str| data(s, Some(key)));
    engine.register_fn("size", |s: &mut Selection| s.size() as i64);
    engine.register_get("length", |s: &mut Selection| s.size() as i64);
    engine.register_fn("first", |s: &mut Selection| s.eq(0));
    engine.register_fn("last", |s: &mut Selection| s.eq(-1));
    engine.register_fn("eq", |s: &mut Selection, i: i64| s.eq(i));
    engine.register_fn("get", |s: &mut Selection| -> Array { (0..s.size()).map(|i| opt(s.element(i))).collect() });
    engine.register_fn("get", |s: &mut Selection, i: i64| {
        let len = s.size() as i64;
        let at = if i < 0 { len + i } else { i };
        (i < len && i > -len).then(|| s.element(at as usize)).flatten().map_or(Dynamic::UNIT, Dynamic::from)
    });
    engine.register_fn("toArray", |s: &mut Selection| -> Array {
        s.one_by_one().into_iter().map(Dynamic::from).collect()
    });
    engine.register_fn("slice", |s: &mut Selection, start: i64| s.slice(start, None));
    engine.register_fn("slice", |s: &mut Selection, start: i64, end: i64| s.slice(start, Some(end)));
    engine.register_fn("index", |s: &mut Selection| s.index());
    engine.register_fn("index", |s: &mut Selection, sel: &str| -> R<i64> { Ok(s.index_among(&css(sel)?)) });
    engine.register_fn("each", each);
    engine.register_fn("map", map);
    engine.register_fn("children", |s: &mut Selection| s.children(None));
    engine.register_fn("children", |s: &mut Selection, sel: &str| -> R<Selection> { Ok(s.children(Some(&css(sel)?))) });
    engine.register_fn("contents", |s: &mut Selection| s.contents());
    engine.register_fn("parent", |s: &mut Selection| s.parent(None));
    engine.register_fn("parent", |s: &mut Selection, sel: &str| -> R<Selection> { Ok(s.parent(Some(&css(sel)?))) });
    engine.register_fn("parents", |s: &mut Selection| s.parents(None, None));
    engine.register_fn("parents", |s: &mut Selection, sel: &str| -> R<Selection> {
        Ok(s.parents(Some(&css(sel)?), None))
    });
    engine.register_fn("parentsUntil", |s: &mut Selection, until: &str| -> R<Selection> {
        Ok(s.parents(None, Some(&css(until)?)))
    });
    engine.register_fn("closest", |s: &mut Selection, sel: &str| -> R<Selection> { Ok(s.closest(&css(sel)?)) });
    for (name, forward, all) in
        [("next", true, false), ("nextAll", true, true), ("prev", false, false), ("prevAll", false, true)]
    {
        engine.register_fn(name, move |s: &mut Selection| s.siblings_on_side(forward, all, None, None));
        engine.register_fn(name, move |s: &mut Selection, sel: &str| -> R<Selection> {
            Ok(s.siblings_on_side(forward, all, Some(&css(sel)?), None))
        });
    }
    for (name, forward) in [("nextUntil", true), ("prevUntil", false)] {
        engine.register_fn(name, move |s: &mut Selection, until: &str| -> R<Selection> {
            Ok(s.siblings_on_side(forward, true, None, Some(&css(until)?)))
        });
    }
    engine.register_fn("siblings", |s: &mut Selection| s.siblings(None));
    engine.register_fn("siblings", |s: &mut Selection, sel: &str| -> R<Selection> { Ok(s.siblings(Some(&css(sel)?))) });
    engine.register_fn("filter", |s: &mut Selection, sel: &str| -> R<Selection> { Ok(s.matching(&css(sel)?)) });
    engine.register_fn("filter", |ctx: NativeCallContext, s: &mut Selection, f: FnPtr| by_function(&ctx, s, &f, true));
    engine.register_fn("not", |s: &mut Selection, sel: &str| -> R<Selection> { Ok(s.not_matching(&css(sel)?)) });
    engine.register_fn("not", |ctx: NativeCallContext, s: &mut Selection, f: FnPtr| by_function(&ctx, s, &f, false));
    // k6's `is`: a reserved word in Rhai, so `matches` (the DOM's name for the same test).
    engine.register_fn("matches", |s: &mut Selection, sel: &str| -> R<bool> { Ok(s.is(&css(sel)?)) });
    engine.register_fn("matches", |ctx: NativeCallContext, s: &mut Selection, f: FnPtr| -> R<bool> {
        Ok(by_function(&ctx, s, &f, true)?.size() > 0)
    });
    engine.register_fn("has", |s: &mut Selection, sel: &str| -> R<Selection> { Ok(s.has(&css(sel)?)) });
    engine.register_fn("to_string", |s: &mut Selection| format!("Selection({} nodes)", s.size()));
    engine.register_fn("serializeArray", |s: &mut Selection| -> Array {
        form::serialize_array(s)
            .into_iter()
            .map(|field| {
                let mut entry = Map::default();
                entry.insert("name".into(), field.name.into());
                entry.insert("value".into(), form::value_dynamic(field.value));
                entry.into()
            })
            .collect()
    });
    engine.register_fn("serializeObject", |s: &mut Selection| form::serialize_object(s));
    engine.register_fn("serialize", |s: &mut Selection| form::serialize(s));
}

fn element_list(elements: Vec<Element>) -> Array {
    elements.into_iter().map(Dynamic::from).collect()
}

fn register_element(engine: &mut Engine) {
    engine.register_fn("selection", |e: &mut Element| e.selection());
    engine.register_fn("textContent", |e: &mut Element| e.text());
    engine.register_fn("innerHTML", |e: &mut Element| e.inner_html());
    engine.register_fn("outerHTML", |e: &mut Element| e.outer_html());
    engine.register_fn("nodeName", |e: &mut Element| e.tag().to_owned());
    engine.register_fn("localName", |e: &mut Element| e.tag().to_owned());
    engine.register_fn("nodeType", |_: &mut Element| 1_i64);
    engine.register_fn("nodeValue", |_: &mut Element| Dynamic::UNIT);
    engine.register_fn("id", |e: &mut Element| e.attr("id").unwrap_or_default().to_owned());
    engine.register_fn("lang", |e: &mut Element| e.attr("lang").unwrap_or_default().to_owned());
    engine.register_fn("className", |e: &mut Element| e.attr("class").unwrap_or_default().to_owned());
    engine
        .register_fn("classList", |e: &mut Element| -> Array { e.classes().into_iter().map(Dynamic::from).collect() });
    engine.register_fn("getAttribute", |e: &mut Element, name: &str| opt(e.attr(name).map(str::to_owned)));
    engine.register_fn("hasAttribute", |e: &mut Element, name: &str| e.attr(name).is_some());
    engine.register_fn("hasAttributes", |e: &mut Element| !e.attrs().is_empty());
    engine.register_fn("hasChildNodes", |e: &mut Element| e.has_child_nodes());
    engine.register_fn("attributes", |e: &mut Element| -> Map {
        e.attrs()
            .into_iter()
            .map(|(name, value)| {
                let mut attribute = Map::default();
                attribute.insert("name".into(), name.clone().into());
                attribute.insert("value".into(), value.into());
                (name.into(), attribute.into())
            })
            .collect()
    });
    engine.register_fn("children", |e: &mut Element| element_list(e.children()));
    engine.register_fn("childElementCount", |e: &mut Element| e.children().len() as i64);
    engine.register_fn("firstElementChild", |e: &mut Element| opt(e.children().into_iter().next()));
    engine.register_fn("lastElementChild", |e: &mut Element| opt(e.children().pop()));
    engine.register_fn("parentElement", |e: &mut Element| opt(e.parent()));
    engine.register_fn("nextElementSibling", |e: &mut Element| opt(e.sibling(true)));
    engine.register_fn("previousElementSibling", |e: &mut Element| opt(e.sibling(false)));
    engine.register_fn("matches", |e: &mut Element, sel: &str| -> R<bool> { Ok(e.matches(&css(sel)?)) });
    engine.register_fn("querySelector", |e: &mut Element, sel: &str| -> R<Dynamic> {
        Ok(opt(e.selection().find(&css(sel)?).first_element()))
    });
    engine.register_fn("querySelectorAll", |e: &mut Element, sel: &str| -> R<Array> {
        let found = e.selection().find(&css(sel)?);
        Ok(element_list((0..found.size()).filter_map(|i| found.element(i)).collect()))
    });
    engine.register_fn("getElementsByTagName", |e: &mut Element, tag: &str| -> R<Array> {
        let found = e.selection().find(&css(tag)?);
        Ok(element_list((0..found.size()).filter_map(|i| found.element(i)).collect()))
    });
    engine.register_fn("getElementsByClassName", |e: &mut Element, class: &str| -> R<Array> {
        let found = e.selection().find(&css(&format!(".{class}"))?);
        Ok(element_list((0..found.size()).filter_map(|i| found.element(i)).collect()))
    });
    engine.register_fn("getElementById", |e: &mut Element, id: &str| -> R<Dynamic> {
        Ok(opt(e.selection().find(&css(&format!("[id=\"{id}\"]"))?).first_element()))
    });
    engine.register_fn("to_string", |e: &mut Element| e.outer_html());
    for name in ELEMENT_MISSING {
        let message = format!("Element.{name}() is a k6 method rload does not implement");
        let again = message.clone();
        engine.register_fn(*name, move |_: &mut Element| -> R<()> { Err(message.clone().into()) });
        engine.register_fn(*name, move |_: &mut Element, _: Dynamic| -> R<()> { Err(again.clone().into()) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_attributes_convert_as_jquery_does() {
        assert_eq!(data_attribute("fooBar"), "data-foo-bar");
        assert_eq!(data_key("data-foo-bar").as_deref(), Some("fooBar"));
        assert_eq!(data_key("id"), None);
        assert_eq!(data_value("42").as_int().unwrap(), 42);
        assert_eq!(data_value("1.5").as_float().unwrap(), 1.5);
        assert!(data_value("true").as_bool().unwrap());
        assert!(data_value("null").is_unit());
        assert!(data_value("[1,2]").is_array());
        assert_eq!(data_value("007").into_string().unwrap(), "007", "a number that would not read back stays text");
    }
}
