//! What each k6 module's exports (and jslib's) are in rload, in one table: k6/http, k6/metrics,
//! k6/ws, k6/execution, k6/data, k6/encoding, k6/crypto, k6/websockets, k6/timers, k6/html,
//! `console`, and the jslib functions rload has built in.

use crate::conv::Binding;

/// The binding of `import NAME from MODULE` (`export` is "default"), `import { export }` or
/// `import * as x` (`export` is "*").
pub fn lookup(module: &str, export: &str) -> Binding {
    use Binding::*;
    let f = |s: &str| Function(s.to_string());
    match (module, export) {
        ("k6", "check" | "sleep" | "group" | "fail" | "randomSeed") => f(export),
        // `import * as k6 from 'k6'`: `k6.check(…)` is `check(…)`.
        ("k6", "default" | "*") => Value(String::new()),
        ("k6/http", "default" | "*") => Value("http".into()),
        ("k6/http", "get" | "post" | "put" | "patch" | "del" | "head" | "options" | "request" | "batch" | "file"
            | "cookieJar" | "expectedStatuses" | "setResponseCallback" | "url" | "asyncRequest") => {
            f(&format!("http.{export}"))
        }
        ("k6/http", "CookieJar") => Constructor("http.CookieJar".into()),
        ("k6/metrics", "Counter" | "Gauge" | "Rate" | "Trend") => Constructor(export.to_string()),
        ("k6/ws", "default" | "*") => Value("ws".into()),
        ("k6/ws", "connect") => f("ws.connect"),
        ("k6/execution", "default" | "*") => Value("exec".into()),
        ("k6/execution", "vu" | "scenario" | "instance" | "test") => Value(format!("exec.{export}")),
        ("k6/data", "SharedArray") => Constructor("shared_array".into()),
        ("k6/encoding", "default" | "*") => Value("encoding".into()),
        ("k6/encoding", "b64encode" | "b64decode") => f(&format!("encoding.{export}")),
        ("k6/crypto", "default" | "*") => Value("crypto".into()),
        ("k6/crypto", "md4" | "md5" | "sha1" | "sha256" | "sha384" | "sha512" | "sha512_224" | "sha512_256" | "ripemd160"
            | "hmac"
            | "randomBytes" | "createHash" | "createHMAC") => f(&format!("crypto.{export}")),
        ("k6/websockets" | "k6/experimental/websockets", "WebSocket") => Constructor("WebSocket".into()),
        ("k6/timers", "setTimeout" | "setInterval" | "clearTimeout" | "clearInterval") => f(export),
        ("k6/html", "parseHTML") => f("parseHTML"),
        _ if is_jslib(module, "k6-utils") => match export {
            "randomIntBetween" => f("random_int"),
            "uuidv4" => f("uuid"),
            "randomItem" => Helper("js_random_item"),
            "randomString" => Helper("js_random_string"),
            // findBetween's `repeat` and its null for no match came with jslib 1.2.0.
            "findBetween" if is_jslib(module, "k6-utils/1.0.") || is_jslib(module, "k6-utils/1.1.") => {
                Helper("js_find_between_first")
            }
            "findBetween" => Helper("js_find_between"),
            _ => Unsupported(format!("jslib k6-utils `{export}` has no rload equivalent")),
        },
        // jslib's URL and URLSearchParams (script/api/url.rs), the WHATWG standard's.
        _ if is_jslib(module, "/url/") => match export {
            "URL" => Constructor("js_url".into()),
            "URLSearchParams" => Constructor("js_url_search_params".into()),
            _ => Unsupported(format!("jslib url `{export}` has no rload equivalent")),
        },
        // papaparse's `parse` of a string (script/api/papaparse/), jslib's default export.
        _ if is_jslib(module, "papaparse") => match export {
            "default" | "*" => Value("papaparse".into()),
            _ => Unsupported(format!("jslib papaparse `{export}` has no rload equivalent (papaparse.parse has)")),
        },
        _ if is_jslib(module, "k6-summary") => match export {
            // jslib's own layout (k6's old summary), not the run's summary that text_summary is.
            "textSummary" => f("jslib_text_summary"),
            _ => Unsupported(format!("jslib k6-summary `{export}` has no rload equivalent")),
        },
        ("crypto", "randomUUID") => Fixed(
            "uuid".into(),
            "`randomUUID` from \"crypto\" is Node's module, which k6 cannot load (k6/crypto has no randomUUID): converted to uuid()".into(),
        ),
        _ => Unsupported(format!("`{export}` from \"{module}\" has no rload equivalent")),
    }
}

fn is_jslib(module: &str, lib: &str) -> bool {
    module.starts_with("https://jslib.k6.io/") && module.contains(lib)
}

/// Whether an import specifier names a local file (converted as a Rhai module).
pub fn is_local(module: &str) -> bool {
    module.starts_with("./") || module.starts_with("../") || module.starts_with('/')
}

/// Whether `value.method(…)` (a k6 module's function, `value` its rload name) is one this build
/// lacks: docs/k6-api.md lists them "missing", and `rload check` refuses them.
pub fn missing_method(value: &str, method: &str) -> bool {
    matches!((value, method), ("crypto", "getRandomValues"))
}

/// Names JavaScript code uses without importing them.
pub fn global(name: &str) -> Option<Binding> {
    use Binding::*;
    Some(match name {
        "open" => Function("open".into()),
        "console" => Value("console".into()),
        "setTimeout" | "setInterval" | "clearTimeout" | "clearInterval" => Function(name.into()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// k6/crypto's digests, imported by name or called on the module, are rload's functions of
    /// the same names, not calls marked as missing (`sha512_224` was missing from the table).
    #[test]
    fn k6_crypto_digests_are_rloads_functions() {
        for name in ["md4", "md5", "sha1", "sha256", "sha384", "sha512", "sha512_224", "sha512_256", "ripemd160"] {
            let binding = lookup("k6/crypto", name);
            assert!(matches!(&binding, Binding::Function(f) if *f == format!("crypto.{name}")), "{name}");
            assert!(!missing_method("crypto", name), "{name}");
        }
        assert!(missing_method("crypto", "getRandomValues"));
    }

    /// k6's `randomSeed` is rload's function of the same name (it seeds `random()`, which is
    /// what `Math.random()` converts to).
    #[test]
    fn k6_random_seed_is_rloads_function() {
        assert!(matches!(lookup("k6", "randomSeed"), Binding::Function(f) if f == "randomSeed"));
    }
}
