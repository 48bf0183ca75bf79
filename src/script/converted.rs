//! k6 JavaScript run as it is: `rload run test.js` converts the script (and the local modules it
//! imports) to Rhai in memory with the `rload-convert` crate, and the rest of the engine reads the
//! Rhai from here instead of from disk. The source maps the conversion made let diagnostics point
//! at the JavaScript line. Also `rload convert` itself, which writes the Rhai files.
//!
//! What this is not: the converter (see `crates/rload-convert`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{OnceLock, RwLock};

use rload_convert::{Conversion, Converted, ItemKind};

/// One converted file: its Rhai text, the JavaScript it came from, and the line map.
struct Entry {
    rhai: String,
    js_path: String,
    map: Vec<Option<(u32, u32)>>,
}

/// By the name the engine knows the file by: the entry script's path, a module's `NAME.rhai`.
fn registry() -> &'static RwLock<HashMap<String, Entry>> {
    static REG: OnceLock<RwLock<HashMap<String, Entry>>> = OnceLock::new();
    REG.get_or_init(Default::default)
}

/// Whether `path` is a JavaScript script (converted before it runs).
pub fn is_js(path: &str) -> bool {
    matches!(Path::new(path).extension().and_then(|e| e.to_str()), Some("js" | "mjs"))
}

/// The converted Rhai of the entry script at `path`, if it was converted.
pub fn script_text(path: &str) -> Option<String> {
    registry().read().ok()?.get(path).map(|e| e.rhai.clone())
}

/// A converted module by its Rhai file name (`generators.rhai`): its origin (the JavaScript
/// path, which runtime errors name) and text.
pub fn module(file: &str) -> Option<(String, String)> {
    let reg = registry().read().ok()?;
    let e = reg.get(&format!("module:{file}"))?;
    Some((e.js_path.clone(), e.rhai.clone()))
}

/// The JavaScript files of the converted local modules (as the imports reached them): what an
/// archive of a JavaScript script carries beside it.
pub fn module_sources() -> Vec<PathBuf> {
    let Ok(reg) = registry().read() else { return Vec::new() };
    let mut paths: Vec<PathBuf> =
        reg.iter().filter(|(name, _)| name.starts_with("module:")).map(|(_, e)| PathBuf::from(&e.js_path)).collect();
    paths.sort();
    paths
}

/// The JavaScript file, line and column that line `line` of the converted file `file` (as the
/// engine names it) came from.
pub fn js_location(file: &str, line: usize) -> Option<(String, usize, usize)> {
    let reg = registry().read().ok()?;
    let e = reg.get(file).or_else(|| reg.values().find(|e| e.js_path == file))?;
    let (l, c) = (*e.map.get(line.checked_sub(1)?)?)?;
    Some((e.js_path.clone(), l as usize, c as usize))
}

/// `file:line:col` of a position in a converted file, as the JavaScript's; as is otherwise.
pub fn position(file: &str, line: usize, col: usize) -> String {
    match js_location(file, line) {
        Some((js, l, c)) => format!("{js}:{l}:{c}"),
        None => format!("{file}:{line}:{col}"),
    }
}

fn convert_from_disk(path: &str) -> Result<Conversion, String> {
    rload_convert::convert(Path::new(path), &|p: &Path| std::fs::read_to_string(p))
}

/// Converts the JavaScript script at `path` for this run: registers the Rhai, prints one notice
/// line, writes the converted files to `keep` if given. Anything not convertible stops the run
/// (it would run something else than the script says), listing every item.
pub fn prepare(path: &str, keep: Option<&str>) -> Result<(), Vec<String>> {
    let conversion = convert_from_disk(path).map_err(|e| vec![e])?;
    if let Some(dir) = keep {
        write_all(&conversion, Path::new(dir), &main_file_name(path)).map_err(|e| vec![e])?;
    }
    let blocking: Vec<String> =
        conversion.items.iter().filter(|i| i.kind == ItemKind::Unconvertible).map(|i| i.to_string()).collect();
    if !blocking.is_empty() {
        let mut out = blocking;
        out.push(format!(
            "`rload convert {path}` writes the Rhai with these places marked `CONVERT:` to finish by hand"
        ));
        return Err(out);
    }
    for item in &conversion.items {
        crate::logger::warn(&item.to_string());
    }
    let pending = conversion.items.iter().filter(|i| i.kind == ItemKind::Pending).count();
    let note = if pending == 0 {
        String::new()
    } else {
        format!("; {pending} call(s) to APIs this build may lack, listed by `rload convert`")
    };
    crate::logger::log(
        crate::logger::Level::Info,
        None,
        &format!(
            "{path}: k6 JavaScript, converted to Rhai in memory ({} file(s){note}); `rload convert {path}` writes it",
            1 + conversion.modules.len()
        ),
        &[],
    );
    let mut reg = registry().write().map_err(|_| vec!["conversion registry poisoned".to_string()])?;
    reg.insert(path.to_string(), entry(&conversion.main));
    for m in &conversion.modules {
        reg.insert(format!("module:{}.rhai", m.module), entry(m));
    }
    Ok(())
}

fn entry(c: &Converted) -> Entry {
    Entry { rhai: c.rhai.clone(), js_path: c.js_path.clone(), map: c.map.clone() }
}

fn main_file_name(js: &str) -> String {
    let stem = Path::new(js).file_stem().and_then(|s| s.to_str()).unwrap_or("script");
    format!("{stem}.rhai")
}

/// Writes the entry script as `dir/main` and each module as `dir/NAME.rhai`.
fn write_all(c: &Conversion, dir: &Path, main: &str) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    let mut files = vec![(dir.join(main), &c.main)];
    files.extend(c.modules.iter().map(|m| (dir.join(format!("{}.rhai", m.module)), m)));
    for (path, conv) in files {
        std::fs::write(&path, &conv.rhai).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// `rload convert script.js [-o out.rhai]`: writes the Rhai (modules next to it) and lists what
/// could not be converted. Exit 0 when the conversion is full, 2 when the output has `CONVERT:`
/// items (or uses APIs this build may lack), 107 for a JavaScript syntax error, 255 when a file
/// cannot be read or written.
pub fn command(script: &str, out: Option<&str>) -> i32 {
    let conversion = match convert_from_disk(script) {
        Ok(c) => c,
        Err(e) => {
            crate::stdio::errln(&format!("error: {e}"));
            return if e.contains("syntax error") {
                crate::runtime::exit::SCRIPT_ERROR
            } else {
                crate::runtime::exit::OTHER
            };
        }
    };
    let out_path = match out {
        Some(o) => PathBuf::from(o),
        None => Path::new(script).with_extension("rhai"),
    };
    let dir = out_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    let main = out_path.file_name().and_then(|s| s.to_str()).unwrap_or("script.rhai").to_string();
    let written = match write_all(&conversion, &dir, &main) {
        Ok(w) => w,
        Err(e) => {
            crate::stdio::errln(&format!("error: {e}"));
            return crate::runtime::exit::OTHER;
        }
    };
    for w in &written {
        crate::stdio::outln(&format!("wrote {}", w.display()));
    }
    for item in &conversion.items {
        crate::stdio::errln(&item.to_string());
    }
    if conversion.is_full() {
        rload_convert::EXIT_FULL
    } else {
        let n = conversion.items.iter().filter(|i| i.kind == ItemKind::Unconvertible).count();
        crate::stdio::errln(&format!(
            "partial conversion: {n} place(s) not converted, {} call(s) to APIs this build may lack; each is marked `CONVERT:` in the output",
            conversion.items.len() - n
        ));
        rload_convert::EXIT_PARTIAL
    }
}
