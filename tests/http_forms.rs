//! `res.submitForm(…)`, `res.clickLink(…)` and a Selection's `serialize*`, end to end: the
//! page is the reference target's `/echo` of an HTML body, so the form's request comes back
//! to the script with its method, URL, body and headers. The expected values are what k6
//! v1.1.0 sent for the same page (the fix-G4 repro against a local server).
mod common;
use common::*;

/// A page echoed back by the target: its URL is `${BASE}/echo`.
const PAGE: &str = r##"
    let page = `<html><body>
        <a id="bare">no href</a><a class="next" href="echo?to=next">next</a>
        <form id="search" action="/echo?dropped=1">
          <input name="q" value="a b"><input name="off" value="x" disabled="disabled">
          <input name="on" value="y" disabled>
          <input type="checkbox" name="bare" checked><input type="checkbox" name="lit" checked="checked">
          <select name="m" multiple><option selected>1</option><option value="2" selected>two</option></select>
          <input type="submit" name="go" value="Go!">
        </form>
        <form id="login" method="post"><input name="user" value="u"><input name="pass">
          <button type="submit" name="act" value="login">Log in</button></form>
        </body></html>`;
    let res = http.post(`${__ENV.BASE}/echo`, page, #{ headers: #{ "Content-Type": "text/html" } });
"##;

#[test]
fn submit_form_sends_a_get_forms_fields_in_the_query_as_k6_does() {
    let target = Target::start();
    let s = script(&format!(
        r##"
        fn run() {{
            {PAGE}
            let r = res.submitForm(#{{ formSelector: "#search", fields: #{{ extra: 5 }} }});
            let base = __ENV.BASE;
            check(r, #{{
                "sent with GET": |r| r.request.method == "GET",
                "the fields replace the action's query": |r| r.url == `${{base}}/echo?extra=5&go=Go%21&lit=on&m=1%2C2&on=y&q=a+b`,
            }});
        }}
    "##
    ));
    let run = rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url())]);
    run.assert_all_checks_pass(2);
}

#[test]
fn submit_form_posts_a_forms_fields_with_the_button_and_the_params() {
    let target = Target::start();
    let s = script(&format!(
        r##"
        fn run() {{
            {PAGE}
            let r = res.submitForm(#{{
                formSelector: "#login",
                fields: #{{ pass: "secret" }},
                params: #{{ headers: #{{ "X-Test": "sent" }} }},
            }});
            let base = __ENV.BASE;
            check(r, #{{
                "sent with the form's method": |r| r.headers["X-Echo-Method"] == "POST",
                "to the page's URL": |r| r.request.url == `${{base}}/echo`,
                "the fields form-encoded": |r| r.body == "act=login&pass=secret&user=u",
                "as a form": |r| r.headers["Content-Type"] == "application/x-www-form-urlencoded",
                "with the params' headers": |r| r.headers["X-Echo-X-Test"] == "sent",
            }});
        }}
    "##
    ));
    let run = rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url())]);
    run.assert_all_checks_pass(5);
    assert_eq!(run.count("http_reqs"), 2, "the page and the form's request:\n{}", run.stdout);
}

#[test]
fn click_link_gets_the_links_href_resolved_against_the_page() {
    let target = Target::start();
    let s = script(&format!(
        r##"
        fn run() {{
            {PAGE}
            let base = __ENV.BASE;
            let r = res.clickLink(#{{ params: #{{ headers: #{{ "X-Test": "clicked" }} }} }});
            check(r, #{{
                "the first a[href]": |r| r.url == `${{base}}/echo?to=next` && r.request.method == "GET",
                "with the params": |r| r.headers["X-Echo-X-Test"] == "clicked",
            }});
            res.clickLink(#{{ selector: "#bare" }});
        }}
    "##
    ));
    let run = rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url())]);
    assert!(run.stdout.contains("✓ the first a[href]") && run.stdout.contains("✓ with the params"), "{}", run.stdout);
    assert!(
        run.stderr.contains("no valid href attribute value found on element '#bare' in response"),
        "k6's error for a link without href:\n{}",
        run.stderr
    );
}

#[test]
fn a_selection_serializes_its_form_as_k6_does() {
    let s = script(
        r##"
        fn run() {
            let doc = parseHTML(`<form><input name="a" value="1"><input name="a" value="2">
                <input type="radio" name="r" value="x" checked="checked"><input type="file" name="f">
                <textarea name="t">hi there</textarea></form>`);
            let form = doc.find("form");
            let fields = form.serializeArray();
            check(form, #{
                "serialize": |f| f.serialize() == "a=2&r=x&t=hi+there",
                "serializeArray": |f| fields.len() == 4 && fields[1].name == "a" && fields[1].value == "2",
                "serializeObject": |f| f.serializeObject() == #{ a: "2", r: "x", t: "hi there" },
            });
        }
    "##,
    );
    let run = rload(&s, &["-i", "1"]);
    run.assert_all_checks_pass(3);
}

#[test]
fn an_unknown_option_is_an_error_that_names_it() {
    let target = Target::start();
    let s = script(&format!(
        r##"
        fn run() {{
            {PAGE}
            res.submitForm(#{{ formselector: "#login" }});
        }}
    "##
    ));
    let run = rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url())]);
    assert!(
        run.stderr.contains("res.submitForm(): unknown option \"formselector\""),
        "a misspelt option is named:\n{}",
        run.stderr
    );
}

#[test]
fn a_k6_script_using_them_runs_as_it_is() {
    let target = Target::start();
    let dir = tempfile::tempdir().unwrap();
    let js = dir.path().join("forms.js");
    let source = r##"import http from 'k6/http';
import { check } from 'k6';
export const options = { iterations: 1 };
export default function () {
  const page = '<a href="/echo?to=next">next</a><form method="post" action="/echo"><input name="user" value="u"></form>';
  const res = http.post(`${__ENV.BASE}/echo`, page, { headers: { 'Content-Type': 'text/html' } });
  const sent = res.submitForm({ fields: { pass: 'p' } });
  const next = res.clickLink();
  check(sent, { 'the form posted': (r) => r.body === 'pass=p&user=u' });
  check(next, { 'the link followed': (r) => r.url === `${__ENV.BASE}/echo?to=next` });
  check(res, { 'serialized': (r) => r.html('form').serialize() === 'user=u' });
}
"##;
    std::fs::write(&js, source).unwrap();
    let out = std::process::Command::new(BIN)
        .args(["run", js.to_str().unwrap(), "--no-color", "--no-system-env-vars", "-e"])
        .arg(format!("BASE={}", target.url()))
        .output()
        .unwrap();
    let run = Run::from_output(out);
    assert!(!run.stderr.contains("may lack"), "converted without a missing-API item:\n{}", run.stderr);
    run.assert_all_checks_pass(3);
}
