//! Golden files: each `tests/golden/NAME.js` converts to exactly `tests/golden/NAME.rhai` (the
//! Rhai, then the items listed after a `// ---- items` line). `RLOAD_BLESS=1 cargo test -p
//! rload-convert --test golden` rewrites them after a deliberate change; review the diff.

use std::path::Path;

fn render(js: &Path) -> String {
    let text = std::fs::read_to_string(js).unwrap();
    let name = js.file_name().unwrap().to_string_lossy();
    let (converted, items) = rload_convert::convert_source(&name, &text).unwrap();
    let mut out = converted.rhai;
    out.push_str("\n// ---- items\n");
    for i in items {
        out.push_str(&format!("// {i}\n"));
    }
    out
}

#[test]
fn conversions_match_their_golden_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut compared = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let js = entry.unwrap().path();
        if js.extension().is_none_or(|e| e != "js") {
            continue;
        }
        let golden = js.with_extension("rhai");
        let got = render(&js);
        if std::env::var_os("RLOAD_BLESS").is_some() {
            std::fs::write(&golden, &got).unwrap();
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        assert_eq!(got, want, "{} no longer converts to {}", js.display(), golden.display());
        compared += 1;
    }
    assert!(compared >= 2, "no golden files compared");
}
