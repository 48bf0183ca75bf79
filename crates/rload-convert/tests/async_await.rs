//! `async` and `await`: converted where every call of an async function is awaited at once (k6
//! then runs the same code in the same order as rload's plain calls), listed everywhere else.
//! tests/convert_corpus/50-async-await.js runs the converted cases under k6 and rload.

use rload_convert::{convert_source, Item, ItemKind};

fn convert(js: &str) -> (String, Vec<Item>) {
    let (c, items) = convert_source("t.js", js).unwrap();
    (c.rhai, items)
}

fn not_converted(items: &[Item]) -> Vec<String> {
    items.iter().filter(|i| i.kind != ItemKind::Fixed).map(|i| i.reason.clone()).collect()
}

#[test]
fn awaited_async_functions_convert_as_plain_functions() {
    let js = "import http, { asyncRequest } from 'k6/http';\n\
              async function get(path) { const r = await http.asyncRequest('GET', path); return r.status; }\n\
              const twice = async (x) => x * 2;\n\
              async function adopt(x) { return twice(x); }\n\
              async function seven() { return 7; }\n\
              const atInit = await seven();\n\
              export async function setup() { return { s: await get('/a') }; }\n\
              export default async function (data) {\n\
                const s = await get('/b');\n\
                const r = await asyncRequest('POST', '/c', 'body');\n\
                const v = (await adopt(2)) + (await 1);\n\
              }\n\
              export async function teardown(data) { await get('/d'); }\n\
              export async function handleSummary(d) { await seven(); return {}; }\n";
    let arrow = "export default async () => { await 1; };\n";
    assert_eq!(not_converted(&convert(arrow).1), Vec::<String>::new(), "{arrow}");
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    assert!(rhai.contains(r#"let r = http.await_request("GET", path);"#), "{rhai}");
    assert!(rhai.contains(r#"let r = http.await_request("POST", "/c", "body");"#), "{rhai}");
    assert!(rhai.contains("const atInit = seven();"), "{rhai}");
    assert!(rhai.contains("return twice(x);"), "{rhai}");
    assert!(!rhai.contains("asyncRequest") && !rhai.contains("await "), "{rhai}");
}

#[test]
fn an_awaited_promise_all_of_requests_sends_them_at_once() {
    let js = "import http, { asyncRequest } from 'k6/http';\n\
              const B = 'http://h';\n\
              async function all(paths) { return Promise.all(paths.map((p) => http.asyncRequest('GET', B + p))); }\n\
              export default async function () {\n\
                const [a, b] = await Promise.all([http.asyncRequest('GET', B), asyncRequest('POST', B, 'x', { tags: { name: 'n' } })]);\n\
                const rs = await Promise.all([1, 2].map(function (i) { return http.asyncRequest('GET', `${B}/${i}`); }));\n\
                const more = await all(['/a']);\n\
              }\n";
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    assert!(rhai.contains(r#"http.request_all([["GET", B], ["POST", B, "x", #{ tags: #{ name: "n" } }]])"#), "{rhai}");
    assert!(rhai.contains("return http.request_all(paths.map("), "{rhai}");
    assert!(rhai.contains("let rs = http.request_all("), "{rhai}");
    assert!(!rhai.contains("asyncRequest") && !rhai.contains("Promise"), "{rhai}");
}

#[test]
fn a_kept_promise_and_a_list_of_them_wait_for_their_requests() {
    let js = "import http, { asyncRequest } from 'k6/http';\n\
              const B = 'http://h';\n\
              async function start(path) { const p = http.asyncRequest('GET', B + path); return p; }\n\
              const one = async (path) => http.asyncRequest('GET', B + path);\n\
              export default async function () {\n\
                const reqs = [];\n\
                for (const id of [1, 2]) reqs.push(http.asyncRequest('GET', `${B}/items/${id}`));\n\
                const rs = await Promise.all(reqs);\n\
                const p = asyncRequest('POST', B, 'x');\n\
                const r = await p;\n\
                http.asyncRequest('GET', `${B}/never`);\n\
                const mixed = await Promise.all([p, 1, 'two']);\n\
                const none = await Promise.all([]);\n\
                const later = await start('/later');\n\
                const single = await one('/one');\n\
                const v = (await 5) + (await `${r.status}`);\n\
                const x = await r.status;\n\
              }\n";
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    for line in [
        r#"reqs.push(http.asyncRequest("GET", `${B}/items/${js_str(id)}`));"#,
        "let rs = http.wait_all(reqs);",
        r#"let p = http.asyncRequest("POST", B, "x");"#,
        "let r = http.wait(p);",
        r#"http.asyncRequest("GET", `${B}/never`);"#,
        r#"let mixed = http.wait_all([p, 1, "two"]);"#,
        "let none = http.request_all([]);",
        // An async function's `return` adopts the promise it returns.
        "return http.wait(p);",
        r#"let later = start("/later");"#,
        // An async arrow's expression body is what its promise adopts: awaited.
        r#"fn one(path) { http.await_request("GET", B + js_str(path)) }"#,
        r#"let single = one("/one");"#,
        "let x = http.wait(r.status);",
    ] {
        assert!(rhai.contains(line), "{line}\n{rhai}");
    }
    assert!(!rhai.contains("await ") && !rhai.contains("Promise"), "{rhai}");
}

#[test]
fn an_awaited_timer_promise_is_a_wait_where_nothing_else_could_run() {
    let js = "import { setTimeout } from 'k6/timers';\n\
              export default async function () {\n\
                await new Promise((resolve) => setTimeout(resolve, 250));\n\
                await new Promise(function (r) { setTimeout(r, 10); });\n\
                await new Promise((r) => setTimeout(r));\n\
              }\n";
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    assert!(rhai.contains("js_await_timeout(250);") && rhai.contains("js_await_timeout(());"), "{rhai}");
    assert!(!rhai.contains("Promise"), "{rhai}");
    // `st` is k6/timers' setTimeout under another name: not recognised, listed.
    let aliased = "import { setTimeout as st } from 'k6/timers';\n\
                   export default async function () { await new Promise((r) => st(r, 10)); }\n";
    assert!(not_converted(&convert(aliased).1).iter().any(|r| r.contains("`new Promise(…)`")));
}

#[test]
fn what_k6_would_run_in_another_order_is_listed() {
    let cases = [
        // The caller goes on while the async function waits, in k6.
        (
            "async function f() { return 1; }\nexport default async function () { f(); }",
            "`f` that is not awaited at once",
        ),
        (
            "async function f() { return 1; }\nexport default async function () { const p = f(); await p; }",
            "not awaited at once",
        ),
        ("async function f() { return 1; }\nexport default function () { return f(); }", "not awaited at once"),
        (
            "async function f() { return 1; }\nexport default async function () { const g = () => f(); await g(); }",
            "not awaited at once",
        ),
        // Its caller is not known.
        ("async function f() { return 1; }\nexport default function () { [1].forEach(f); }", "`f` used as a value"),
        // k6's group and check do not await an async callback; neither do the array methods.
        ("import { group } from 'k6';\nexport default function () { group('g', async () => {}); }", "an async closure"),
        ("export default async function () { const xs = [1].map(async (x) => x); }", "an async closure"),
        ("export default function () { const o = { async m() { return 1; } }; }", "an async function"),
        ("export default function () { async function inner() {} }", "an async function"),
        // A Promise.all of a call of the file's async function: k6 runs it alongside the rest.
        (
            "import http from 'k6/http';\nasync function f() { return 1; }\n\
             export default async function () { await Promise.all([http.asyncRequest('GET', '/'), f()]); }",
            "`f` that is not awaited at once",
        ),
        (
            "import http from 'k6/http';\nexport default async function () { await Promise.all(['/'].map(async (p) => http.asyncRequest('GET', p))); }",
            "an async closure",
        ),
        // A promise's callbacks where k6 runs them in another order: an async one (k6 does not
        // await it), beside timers (whose callbacks k6 runs between them), a `Promise` function
        // rload lacks.
        (
            "import http from 'k6/http';\nexport default function () { http.asyncRequest('GET', '/').then(async (r) => r.status); }",
            "an async closure",
        ),
        (
            "import http from 'k6/http';\nexport default function () { http.asyncRequest('GET', '/').then((r) => r.status); setTimeout(() => {}, 5); }",
            "promise callbacks in a script that uses timers",
        ),
        ("export default async function () { const { promise } = Promise.withResolvers(); }", "`Promise.withResolvers(…)`"),
        // A timer promise where k6 runs something else during the wait: another timer, a
        // WebSocket's handlers; or one that does not resolve with the timer.
        (
            "export default async function () { setTimeout(() => {}, 5); await new Promise((r) => setTimeout(r, 10)); }",
            "uses timers",
        ),
        (
            "import { WebSocket } from 'k6/experimental/websockets';\n\
             export default async function () { await new Promise((r) => setTimeout(r, 10)); }",
            "a promise",
        ),
        ("export default async function () { await new Promise((r) => setTimeout(() => r(1), 10)); }", "a promise"),
        ("export default async function () { await new Promise((r, j) => setTimeout(j, 10)); }", "a promise"),
        ("export default async function () { await new Promise((r) => r(1)); }", "a promise"),
        (
            "async function f() { return 1; }\nexport default async function () { await f().then((v) => v); }",
            "not awaited at once",
        ),
        // A timer's callback runs during an await in k6, after the call in rload.
        ("export default async function () { setTimeout(() => {}, 0); await 1; }", "uses timers"),
        // k6 cannot parse it.
        ("export default async function () { for await (const x of [1]) {} }", "`for await`"),
    ];
    for (js, why) in cases {
        let (rhai, items) = convert(js);
        let listed = not_converted(&items);
        assert!(listed.iter().any(|r| r.contains(why)), "{js}\nlisted: {listed:?}\n{rhai}");
        assert!(rhai.contains("/* CONVERT:"), "{js}\n{rhai}");
    }
}

#[test]
fn an_async_function_exported_from_an_imported_module_is_listed() {
    let dir = std::env::temp_dir().join(format!("rload-convert-async-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("lib.js"),
        "export async function login() { return 1; }\nasync function inner() { return 2; }\nexport function plain() { return 3; }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.js"),
        "import { login, plain } from './lib.js';\nexport default async function () { await login(); plain(); }\n",
    )
    .unwrap();
    let conversion = rload_convert::convert(&dir.join("main.js"), &|p| std::fs::read_to_string(p));
    std::fs::remove_dir_all(&dir).unwrap();
    let conversion = conversion.unwrap();
    let listed: Vec<&Item> = conversion.items.iter().filter(|i| i.kind == ItemKind::Unconvertible).collect();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0].file.ends_with("lib.js") && listed[0].line == 1, "{listed:?}");
    assert!(listed[0].reason.contains("exported from an imported module"), "{listed:?}");
}

#[test]
fn promise_callbacks_convert_and_every_await_is_then_one_job_of_k6s_queue() {
    let js = "import http from 'k6/http';\n\
              async function f(x) { return x + 1; }\n\
              async function g(u) { const r = await http.asyncRequest('GET', u); return r.json(); }\n\
              async function h(u) { return http.asyncRequest('GET', u); }\n\
              async function k() { return f(1); }\n\
              export default async function () {\n\
                http.asyncRequest('GET', '/a').then((res) => res.status).catch((e) => console.log(e)).finally(() => 1);\n\
                const [a, b] = await Promise.allSettled([http.asyncRequest('GET', '/b'), Promise.reject('no')]);\n\
                const first = await Promise.race([http.asyncRequest('GET', '/c'), Promise.resolve(1)]);\n\
                const any = await Promise.any([Promise.all([1]), 2]);\n\
                const v = await f(1);\n\
                await 5;\n\
                await g('/d');\n\
                await h('/e');\n\
                await k();\n\
              }\n";
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    for line in [
        r#".then(|res| res.status).catch_error(|e| console.log(e)).finally(|| 1);"#,
        r#"http.wait(Promise.allSettled([http.asyncRequest("GET", "/b"), Promise.reject("no")]))"#,
        r#"http.wait(Promise.race([http.asyncRequest("GET", "/c"), Promise.resolve(1)]))"#,
        "http.wait(Promise.any([Promise.all([1]), 2]))",
        // Each await one job (the callbacks queued before it run first), a returned promise
        // adopted in two, a returned value that cannot be one as it is.
        "let v = http.wait_async(|| f(1));",
        "return http.adopt_async(|| f(1));",
        "http.wait(5);",
        "return js_add(x, 1);",
        r#"let r = http.await_request("GET", u);"#,
        "return http.adopt(r.json());",
        r#"return http.adopt(http.asyncRequest("GET", u));"#,
    ] {
        assert!(rhai.contains(line), "{line}\n{rhai}");
    }
    // Without callbacks, the same awaits are plain values.
    let plain =
        "async function f(x) { return x + 1; }\nexport default async function () { const v = await f(1); await 5; }\n";
    let (rhai, _) = convert(plain);
    assert!(rhai.contains("let v = f(1);") && !rhai.contains("http.wait"), "{rhai}");
}
