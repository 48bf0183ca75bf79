//! jslib's `URL` and `URLSearchParams` in a k6 script run by rload: rload convert refused the
//! import ("has no rload equivalent"), so a script building its query strings with them did
//! not run. The expected values are the WHATWG URL standard's, as Node's URL (which k6's jslib
//! polyfill follows) gives them for the same calls: k6 itself loads jslib from jslib.k6.io,
//! which a test cannot reach.
mod common;
use common::*;

fn run_js(body: &str) -> Run {
    let js = format!("import {{ URL, URLSearchParams }} from 'https://jslib.k6.io/url/1.0.0/index.js';\n{body}");
    rload(&script_named("test.js", &js), &["-q", "--log-format", "raw"])
}

#[test]
fn search_params_change_the_url_they_belong_to() {
    let target = Target::start();
    let run = run_js(&format!(
        r#"
import http from 'k6/http';
import {{ check }} from 'k6';
export default function () {{
  const u = new URL('{}/response-headers?X-A=1&y=two%20words');
  u.searchParams.append('X-B', 'a b&c');
  u.searchParams.set('X-A', '9');
  u.searchParams.delete('y');
  const res = http.get(u.toString());
  check(res, {{
    'the query as the standard writes it': () => u.search === '?X-A=9&X-B=a+b%26c',
    'the server read it': (r) => r.headers['X-A'] === '9' && r.headers['X-B'] === 'a b&c',
  }});
}}
"#,
        target.url()
    ));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    run.assert_all_checks_pass(2);
}

#[test]
fn parts_and_params_read_as_the_standard_has_them() {
    let run = run_js(
        r#"
export default function () {
  const u = new URL('https://user:pw@Example.COM:8443/a/../b/c?x=1#frag');
  const p = new URLSearchParams('?b=2&a=1&a=3');
  p.sort();
  const q = new URLSearchParams([['k', 'v w'], ['k', 'é']]);
  const out = [u.href, u.origin, u.host, u.pathname, u.port, u.hash, p.toString(), p.getAll('a'), p.get('nope'),
    q.toString(), new URL('/rel?x', 'https://h.io/base/').href, JSON.stringify({ u: new URL('http://h.io') })];
  let error = 'none';
  try { new URL('not a url'); } catch (e) { error = String(e); }
  out.push(error);
  console.log(JSON.stringify(out));
}
"#,
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let line = run.stderr.lines().chain(run.stdout.lines()).find(|l| l.starts_with('[')).unwrap_or_default();
    assert_eq!(
        line,
        r##"["https://user:pw@example.com:8443/b/c?x=1#frag","https://example.com:8443","example.com:8443","/b/c","8443","#frag","a=1&a=3&b=2",["1","3"],null,"k=v+w&k=%C3%A9","https://h.io/rel?x","{\"u\":\"http://h.io/\"}","TypeError: Invalid URL"]"##,
        "{}",
        run.stderr
    );
}
