//! k6's HTML forms and links: what `serializeArray`, `serializeObject` and `serialize` read
//! from a selection, and which request `res.submitForm(…)` and `res.clickLink(…)` make of a
//! page. No Rhai values beyond the ones a request takes and nothing sent: [`super`] binds
//! these, and `http::request` sends what they plan.
//!
//! k6 (goquery underneath) reads attributes as written, and these keep its quirks: a field is
//! left out as disabled only for a literal `disabled="disabled"` (a bare `disabled` is sent),
//! a checkbox or radio is sent only for a literal `checked="checked"` (a bare `checked` is
//! not), and input types are compared as written (`type="SUBMIT"` is sent).

use rhai::{Array, Dynamic, Map};
use url::Url;

use super::dom::{selector, Selection, Value};
use crate::script::api::body::body_bytes;
use crate::script::api::convert::js_string;

/// One field as `serializeArray` gives it: `value` is `None` where k6's is `undefined`
/// (a `keygen`, which has no value to read).
#[derive(Debug, PartialEq)]
pub struct FormValue {
    pub name: String,
    pub value: Option<Value>,
}

/// The fields k6 sends of the selection's forms (or, for a selection that holds no form, of
/// its own form elements), in document order, duplicates kept.
pub fn serialize_array(s: &Selection) -> Vec<FormValue> {
    let submittable = selector("input,select,textarea,keygen").expect("a valid selector");
    let elements = if s.is(&selector("form").expect("a valid selector")) {
        s.find(&submittable)
    } else {
        s.matching(&submittable)
    };
    (0..elements.size())
        .filter_map(|i| elements.element(i))
        .filter(|e| {
            let attr = |name: &str| e.attr(name).unwrap_or("");
            let kind = attr("type");
            !attr("name").is_empty()
                && attr("disabled") != "disabled"
                && !matches!(kind, "submit" | "button" | "reset" | "image" | "file")
                && (attr("checked") == "checked" || !matches!(kind, "checkbox" | "radio"))
        })
        .map(|e| FormValue { name: e.attr("name").unwrap_or_default().to_owned(), value: e.value() })
        .collect()
}

/// A field's value as a script sees it: a string, an array for a `select multiple`, `()` for
/// k6's `undefined`.
pub fn value_dynamic(value: Option<Value>) -> Dynamic {
    match value {
        Some(Value::One(text)) => text.into(),
        Some(Value::Many(all)) => all.into_iter().map(Dynamic::from).collect::<Array>().into(),
        None => Dynamic::UNIT,
    }
}

/// `serializeObject()`: name → value, the last field of a name winning.
pub fn serialize_object(s: &Selection) -> Map {
    serialize_array(s).into_iter().map(|f| (f.name.into(), value_dynamic(f.value))).collect()
}

/// `serialize()`: Go's `url.Values` of the fields, encoded: keys sorted, the last field of a
/// name winning (all of a `select multiple`'s values sent), a `keygen` left out.
pub fn serialize(s: &Selection) -> String {
    let values: Map = serialize_array(s)
        .into_iter()
        .filter(|f| f.value.is_some())
        .map(|f| (f.name.into(), value_dynamic(f.value)))
        .collect();
    go_values_encode(values)
}

/// Go's `url.Values.Encode` of string (or string array) values: keys sorted, `QueryEscape`d.
/// A map body is form-encoded by exactly that rule, so this is the body k6 would send.
fn go_values_encode(values: Map) -> String {
    let encoded = body_bytes(values.into(), &mut Vec::new()).ok().flatten().unwrap_or_default();
    String::from_utf8_lossy(&encoded).into_owned()
}

/// The request a form submission or a link click makes.
#[derive(Debug)]
pub struct Planned {
    pub method: String,
    pub url: String,
    /// The fields of a form sent with another method than GET, as a map body is sent.
    pub body: Option<Map>,
}

/// `ref` resolved against the page's URL as Go's `ResolveReference` does; an empty `ref` is
/// the page's URL as it is (query and fragment kept).
fn resolve(page_url: &str, reference: &str) -> Result<Url, String> {
    let base = Url::parse(page_url).map_err(|e| format!("cannot parse the response's URL '{page_url}': {e}"))?;
    if reference.is_empty() {
        return Ok(base);
    }
    base.join(reference).map_err(|e| format!("cannot resolve '{reference}' against '{page_url}': {e}"))
}

/// What `res.submitForm(…)` sends, as k6 v1.1 builds it: the first form `form_selector`
/// finds gives the method (its `method` upper-cased, GET without one) and the URL (its
/// `action` resolved against the page's, the page's without one); the fields of every form
/// found are sent, then the submit button's name and value (the first match of
/// `submit_selector` in those forms, when it has both), then the script's `fields` over them.
/// GET replaces the URL's query with the fields (each written as JavaScript's `String(v)`);
/// any other method sends them as a map body.
pub fn plan_submit(
    page: &Selection,
    page_url: &str,
    form_selector: &str,
    submit_selector: &str,
    fields: Map,
) -> Result<Planned, String> {
    let form = page.find(&selector(form_selector)?);
    if form.size() == 0 {
        return Err(format!("no form found for selector '{form_selector}' in response '{page_url}'"));
    }
    let method = form.attr("method").map_or_else(|| "GET".to_owned(), |m| m.to_uppercase());
    let mut url = match form.attr("action") {
        Some(action) => resolve(page_url, &action)?,
        None => resolve(page_url, "")?,
    };
    let mut values: Vec<(String, Dynamic)> =
        serialize_array(&form).into_iter().map(|f| (f.name, value_dynamic(f.value))).collect();
    let submit = form.find(&selector(submit_selector)?);
    if let (Some(name), Some(value)) = (submit.attr("name"), submit.first_element().and_then(|e| e.value())) {
        values.push((name, value_dynamic(Some(value))));
    }
    let from_form = values.len();
    values.extend(fields.into_iter().map(|(name, value)| (name.to_string(), value)));
    if method != "GET" {
        let body: Map = values.into_iter().map(|(name, value)| (name.into(), value)).collect();
        return Ok(Planned { method, url: url.to_string(), body: Some(body) });
    }
    let mut query = Map::default();
    for (i, (name, value)) in values.into_iter().enumerate() {
        let text = match (value.is_unit(), i < from_form) {
            // The form's undefined (a keygen): JavaScript's String(undefined).
            (true, true) => "undefined".to_owned(),
            (true, false) => {
                return Err(format!(
                    "fields.{name} is (): k6 sends null as \"null\" and undefined as \"undefined\" in a GET \
                     form's query; give the string you mean"
                ))
            }
            (false, _) => js_string(&value),
        };
        query.insert(name.into(), text.into());
    }
    let query = go_values_encode(query);
    url.set_query((!query.is_empty()).then_some(query.as_str()));
    Ok(Planned { method, url: url.to_string(), body: None })
}

/// What `res.clickLink(…)` requests: a GET of the `href` of the first element `link_selector`
/// finds, resolved against the page's URL.
pub fn plan_click(page: &Selection, page_url: &str, link_selector: &str) -> Result<Planned, String> {
    let link = page.find(&selector(link_selector)?);
    if link.size() == 0 {
        return Err(format!("no element found for selector '{link_selector}' in response '{page_url}'"));
    }
    let href = link.attr("href").ok_or_else(|| {
        format!("no valid href attribute value found on element '{link_selector}' in response '{page_url}'")
    })?;
    Ok(Planned { method: "GET".into(), url: resolve(page_url, &href)?.to_string(), body: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sweep's page, as k6 v1.1.0 serialised it (`serializeArray`, `serializeObject`,
    /// `serialize`, and `submitForm` against a local server).
    const PAGE: &str = r#"<html><body>
<a id="x">no href</a><a class="go" href="/next?a=1">next</a><a href="other">other</a>
<form id="f1" action="/submit?keep=1">
<input name="plain" value="p v"><input name="novalue">
<input name="dis1" value="d" disabled><input name="dis2" value="d" disabled="disabled">
<input name="dis3" value="d" disabled="true">
<input type="checkbox" name="cb1" checked><input type="checkbox" name="cb2" checked="checked">
<input type="checkbox" name="cb3" value="v3" checked="checked"><input type="checkbox" name="cb4" checked="true">
<input type="radio" name="r1" value="a"><input type="radio" name="r1" value="b" checked="checked">
<input type="file" name="file1" value="f"><input type="image" name="img" value="i">
<input type="reset" name="rst" value="r"><input type="button" name="btn" value="b">
<input type="hidden" name="dup" value="one"><input type="hidden" name="dup" value="two">
<textarea name="ta">hello &amp; <b>x</b></textarea>
<select name="sel"><option value="1">one</option><option selected>two</option></select>
<select name="msel" multiple><option value="m1" selected>a</option><option value="m2" selected>b</option></select>
<select name="msel0" multiple><option value="z">z</option></select>
<keygen name="kg"><input name="" value="noname">
<button type="submit" name="btnsub" value="clicked">Go</button><input type="submit" name="go" value="Go!">
</form>
<form id="f2" method="post"><input name="a" value="1"><input type="submit" value="nameless"></form>
<form id="f3" method="put" action="http://127.0.0.1:9/elsewhere"><input name="b" value="2"></form>
</body></html>"#;

    const URL: &str = "http://127.0.0.1:8/page?q=1";

    fn page() -> Selection {
        Selection::parse(PAGE)
    }

    fn found(css: &str) -> Selection {
        page().find(&selector(css).unwrap())
    }

    fn one(text: &str) -> Option<Value> {
        Some(Value::One(text.into()))
    }

    #[test]
    fn serialize_array_keeps_k6s_fields_and_its_literal_attribute_quirks() {
        let many = |v: &[&str]| Some(Value::Many(v.iter().map(|s| s.to_string()).collect()));
        let got: Vec<(String, Option<Value>)> =
            serialize_array(&found("#f1")).into_iter().map(|f| (f.name, f.value)).collect();
        let expected = vec![
            ("plain", one("p v")),
            ("novalue", one("")),
            // Only disabled="disabled" leaves a field out.
            ("dis1", one("d")),
            ("dis3", one("d")),
            // Only checked="checked" sends a checkbox or a radio.
            ("cb2", one("on")),
            ("cb3", one("v3")),
            ("r1", one("b")),
            ("dup", one("one")),
            ("dup", one("two")),
            ("ta", one("hello &amp; &lt;b&gt;x&lt;/b&gt;")),
            ("sel", one("two")),
            ("msel", many(&["m1", "m2"])),
            ("msel0", many(&[])),
            ("kg", None),
        ];
        let expected: Vec<(String, Option<Value>)> = expected.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn a_selection_without_a_form_serializes_its_own_form_elements() {
        let names: Vec<String> = serialize_array(&found("input")).into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["plain", "novalue", "dis1", "dis3", "cb2", "cb3", "r1", "dup", "dup", "a", "b"]);
        let mixed: Vec<String> = serialize_array(&found("form, input[name=a]")).into_iter().map(|f| f.name).collect();
        assert_eq!(mixed.last().map(String::as_str), Some("b"), "a form among them: the forms' fields are sent");
        assert_eq!(mixed.len(), 16);
    }

    #[test]
    fn serialize_and_serialize_object_keep_the_last_field_of_a_name() {
        assert_eq!(
            serialize(&found("#f1")),
            "cb2=on&cb3=v3&dis1=d&dis3=d&dup=two&msel=m1&msel=m2&novalue=&plain=p+v&r1=b&sel=two\
             &ta=hello+%26amp%3B+%26lt%3Bb%26gt%3Bx%26lt%3B%2Fb%26gt%3B"
        );
        let object = serialize_object(&found("#f1"));
        assert_eq!(object["dup"].clone().into_string().unwrap(), "two");
        assert!(object["kg"].is_unit(), "a keygen is undefined");
        assert_eq!(object["msel"].clone().into_array().unwrap().len(), 2);
    }

    #[test]
    fn a_get_form_replaces_the_query_with_every_field_written_as_a_string() {
        let mut fields = Map::default();
        fields.insert("plain".into(), "over".into());
        fields.insert("n".into(), Dynamic::from(5_i64));
        fields.insert("f".into(), Dynamic::from(1.5_f64));
        fields.insert("arr".into(), vec![Dynamic::from("x"), Dynamic::from("y")].into());
        let planned = plan_submit(&page(), URL, "#f1", "[name=go]", fields).unwrap();
        assert_eq!(planned.method, "GET");
        assert!(planned.body.is_none());
        assert_eq!(
            planned.url,
            "http://127.0.0.1:8/submit?arr=x%2Cy&cb2=on&cb3=v3&dis1=d&dis3=d&dup=two&f=1.5&go=Go%21&kg=undefined\
             &msel=m1%2Cm2&msel0=&n=5&novalue=&plain=over&r1=b&sel=two\
             &ta=hello+%26amp%3B+%26lt%3Bb%26gt%3Bx%26lt%3B%2Fb%26gt%3B"
        );
        let default_submit = plan_submit(&page(), URL, "#f1", "[type=\"submit\"]", Map::default()).unwrap();
        assert!(default_submit.url.contains("?btnsub=clicked&"), "{}", default_submit.url);
        let mut unit = Map::default();
        unit.insert("u".into(), Dynamic::UNIT);
        let err = plan_submit(&page(), URL, "#f1", "x", unit).unwrap_err();
        assert!(err.contains("fields.u is ()"), "{err}");
    }

    #[test]
    fn every_form_found_is_sent_with_the_first_ones_method_and_action() {
        let all = plan_submit(&page(), URL, "form", "[type=\"submit\"]", Map::default()).unwrap();
        assert!(all.url.starts_with("http://127.0.0.1:8/submit?a=1&b=2&btnsub=clicked&"), "{}", all.url);
        let post = plan_submit(&page(), URL, "form:not(#f1)", "[type=\"submit\"]", Map::default()).unwrap();
        assert_eq!((post.method.as_str(), post.url.as_str()), ("POST", URL), "no action: the page's URL");
        let body = post.body.unwrap();
        assert_eq!(body.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["a", "b"], "a nameless submit adds nothing");
        let put = plan_submit(&page(), URL, "#f3", "[type=\"submit\"]", Map::default()).unwrap();
        assert_eq!((put.method.as_str(), put.url.as_str()), ("PUT", "http://127.0.0.1:9/elsewhere"));
        let err = plan_submit(&page(), URL, "#nope", "x", Map::default()).unwrap_err();
        assert_eq!(err, "no form found for selector '#nope' in response 'http://127.0.0.1:8/page?q=1'");
    }

    #[test]
    fn a_link_is_the_first_matchs_href_resolved_against_the_page() {
        assert_eq!(plan_click(&page(), URL, "a[href]").unwrap().url, "http://127.0.0.1:8/next?a=1");
        assert_eq!(plan_click(&page(), URL, "a[href=other]").unwrap().url, "http://127.0.0.1:8/other");
        assert_eq!(
            plan_click(&page(), URL, "a").unwrap_err(),
            "no valid href attribute value found on element 'a' in response 'http://127.0.0.1:8/page?q=1'"
        );
        assert_eq!(
            plan_click(&page(), URL, "#nope").unwrap_err(),
            "no element found for selector '#nope' in response 'http://127.0.0.1:8/page?q=1'"
        );
    }
}
