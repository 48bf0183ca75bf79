//! k6 JavaScript test scripts into rload Rhai scripts: `rload convert` and `rload run script.js`.
//!
//! Pure: JavaScript text in (read through a callback, so local imports can be followed), Rhai
//! text out, with the list of what could not be converted (file:line:col and why) and a source
//! map (Rhai line → JavaScript line:col) that lets the engine point its errors at the
//! JavaScript. The parser is oxc; nothing here reads JavaScript with regular expressions.
//! What this crate does not do: run anything, or know the engine's types.
//!
//! Layout: `modules.rs` (a whole file: imports, exports, top-level code), `stmt.rs`
//! (statements), `functions.rs` (functions, parameters, closures), `expr.rs` (operators,
//! names, assignments), `literals.rs` (templates, arrays, objects), `calls.rs` (calls and
//! methods), `k6_imports.rs` (the table of k6 and jslib imports → rload names), `names.rs`
//! (identifiers and keys Rhai reserves), `helpers.rs` (the small Rhai functions a conversion may
//! need), `conv.rs` (the state of one file's conversion and the source map), `kinds.rs` (what
//! kind of value an expression certainly has: text, loose equality, comparisons), `aliases.rs`
//! (objects changed through a second name, which Rhai's copies would not reach), `captures.rs`
//! (closures created in loops: one binding per iteration, as JavaScript's `let`), `regexps.rs`
//! (regular expressions and the string methods that take one), `rest.rs` (rest parameters and
//! spread arguments), `classes.rs` (top-level classes: instances as maps of fields and method
//! pointers) and `class_uses.rs` (`this`, method calls, `super`, `new` of them).

mod aliases;
mod asyncs;
mod calls;
mod captures;
mod class_uses;
mod classes;
mod conv;
mod expr;
mod functions;
mod helpers;
pub mod k6_imports;
mod kinds;
mod labels;
mod literals;
mod loops;
mod modules;
mod names;
mod objects;
mod operators;
mod promises;
mod regexps;
mod rest;
mod stmt;
mod switches;
mod tries;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Something the converter could not convert faithfully, or converted to an API rload does not
/// have yet. The output keeps a `// CONVERT:` comment at that place.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub reason: String,
    pub kind: ItemKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ItemKind {
    /// Not converted: the output has a comment (and `()` or nothing) in its place.
    #[default]
    Unconvertible,
    /// Converted to the rload name of an API that this build may not have yet (k6/encoding,
    /// k6/crypto, console, k6/websockets, …): runs once that API is there.
    Pending,
    /// Converted to what the script means, though k6 itself would refuse it as written (e.g.
    /// Node's `import { randomUUID } from 'crypto'`, which k6 cannot load).
    Fixed,
}

impl std::fmt::Display for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            ItemKind::Unconvertible => "not converted",
            ItemKind::Pending => "converted to an API rload may lack",
            ItemKind::Fixed => "converted, but k6 would refuse it as written",
        };
        write!(f, "{}:{}:{}: {what}: {}", self.file, self.line, self.col, self.reason)
    }
}

/// One converted file.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The JavaScript file as the user named it (or as an import reached it).
    pub js_path: String,
    /// The Rhai module name it is imported by (`generators` → `generators.rhai`); empty for the
    /// entry script.
    pub module: String,
    pub rhai: String,
    /// For each Rhai line (index 0 = line 1), the JavaScript line and column it came from.
    pub map: Vec<Option<(u32, u32)>>,
}

/// A converted test: the entry script, the local modules it imports (recursively), and what
/// could not be converted.
#[derive(Debug, Clone)]
pub struct Conversion {
    pub main: Converted,
    pub modules: Vec<Converted>,
    pub items: Vec<Item>,
}

impl Conversion {
    /// Converted completely: nothing left out, nothing mapped to an API rload may lack.
    pub fn is_full(&self) -> bool {
        self.items.iter().all(|i| i.kind == ItemKind::Fixed)
    }

    /// Whether the conversion left something out (as opposed to only pending APIs).
    pub fn has_unconvertible(&self) -> bool {
        self.items.iter().any(|i| i.kind == ItemKind::Unconvertible)
    }
}

/// Exit code of `rload convert` for a full conversion.
pub const EXIT_FULL: i32 = 0;
/// Exit code of `rload convert` when it wrote a script with `// CONVERT:` items in it.
pub const EXIT_PARTIAL: i32 = 2;

/// Converts `entry` and, recursively, the local modules it imports. `read` returns a file's
/// text. A JavaScript syntax error (in any file) is an `Err` with file:line:col.
pub fn convert(entry: &Path, read: &dyn Fn(&Path) -> std::io::Result<String>) -> Result<Conversion, String> {
    let text = read(entry).map_err(|e| format!("cannot read {}: {e}", entry.display()))?;
    let entry_name = entry.display().to_string();
    let none = HashMap::new();
    let main = modules::convert_file(&entry_name, &text, None, &none)?;
    let mut items = main.items.clone();
    // Calls of each module's functions, by the Rhai name files import it as: its longer calls
    // get overloads (JavaScript ignores the arguments beyond the parameters), so a module that
    // another file calls so is converted again once every file has been read.
    let mut module_calls: HashMap<String, HashMap<String, BTreeSet<usize>>> = HashMap::new();
    let mut note_calls = |calls: &[(String, String, usize)]| {
        for (m, f, n) in calls {
            module_calls.entry(m.clone()).or_default().entry(f.clone()).or_default().insert(*n);
        }
    };
    note_calls(&main.module_calls);
    let mut sources: Vec<(String, String, String)> = Vec::new();
    let base = entry.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut done: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut queue: Vec<(PathBuf, String)> =
        main.local_imports.iter().map(|(p, m)| (resolve(&base, p), m.clone())).collect();
    let mut out_modules = Vec::new();
    while let Some((path, module)) = queue.pop() {
        if done.contains_key(&path) {
            continue;
        }
        if let Some((other, _)) = done.iter().find(|(_, m)| **m == module) {
            // Modules are flattened next to the output by file name: two of one name would clash.
            items.push(Item {
                file: path.display().to_string(),
                line: 1,
                col: 1,
                reason: format!(
                    "two local modules would both be {module}.rhai ({} and {}): rename one",
                    other.display(),
                    path.display()
                ),
                kind: ItemKind::Unconvertible,
            });
            continue;
        }
        done.insert(path.clone(), module.clone());
        let text = read(&path).map_err(|e| format!("cannot read {} (imported by the script): {e}", path.display()))?;
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let file = modules::convert_file(&path.display().to_string(), &text, Some(&module), &none)?;
        items.extend(file.items.iter().cloned());
        for (p, m) in &file.local_imports {
            queue.push((resolve(&dir, p), m.clone()));
        }
        note_calls(&file.module_calls);
        sources.push((path.display().to_string(), module, text));
        out_modules.push(file.converted);
    }
    for (converted, (path, module, text)) in out_modules.iter_mut().zip(&sources) {
        if let Some(calls) = module_calls.get(&names::var(module)) {
            *converted = modules::convert_file(path, text, Some(module), calls)?.converted;
        }
    }
    out_modules.sort_by(|a, b| a.module.cmp(&b.module));
    Ok(Conversion { main: main.converted, modules: out_modules, items })
}

/// Converts one file's text alone (imports of local files are converted to Rhai imports but not
/// followed). For tests and tools.
pub fn convert_source(file: &str, text: &str) -> Result<(Converted, Vec<Item>), String> {
    let f = modules::convert_file(file, text, None, &std::collections::HashMap::new())?;
    Ok((f.converted, f.items))
}

fn resolve(dir: &Path, spec: &str) -> PathBuf {
    let mut p = dir.to_path_buf();
    for part in Path::new(spec).components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                let last_is_parent = p.components().next_back().is_some_and(|c| c == std::path::Component::ParentDir);
                if last_is_parent || !p.pop() {
                    p.push("..");
                }
            }
            other => p.push(other),
        }
    }
    if p.extension().is_none() {
        p.set_extension("js");
    }
    p
}

/// The first line of a converted entry script: `// Converted from test.js by \`rload convert\`.`
pub fn header(js_file: &str) -> String {
    format!("// Converted from {js_file} by `rload convert`.\n")
}

/// Whether a Rhai script's text is a converted entry script (it opens with [`header`]): rload
/// runs it, and the modules it imports, with JavaScript's indexing of arrays and strings (an
/// index outside reads `()`, not Rhai's error or count from the end), whether it was converted
/// in memory (`rload run test.js`) or written by `rload convert` and run as Rhai.
pub fn is_converted(rhai: &str) -> bool {
    let first = rhai.lines().next().unwrap_or("");
    first.starts_with("// Converted from ") && first.ends_with(" by `rload convert`.")
}

/// The Rhai module name of a local import: the file's stem, made a valid file name.
pub fn module_name(spec: &str) -> String {
    let stem = Path::new(spec).file_stem().and_then(|s| s.to_str()).unwrap_or("module");
    stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn convert_files(files: &[(&str, &str)]) -> Conversion {
        let map: HashMap<PathBuf, String> = files.iter().map(|(p, t)| (PathBuf::from(p), t.to_string())).collect();
        convert(Path::new(files[0].0), &|p: &Path| {
            map.get(p)
                .cloned()
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, p.display().to_string()))
        })
        .unwrap()
    }

    #[test]
    fn local_imports_are_followed_recursively_and_become_modules_by_file_name() {
        let c = convert_files(&[
            ("s/main.js", "import { a } from '../lib/a.js';\nexport default function () { a(); }\n"),
            ("lib/a.js", "import { b } from './deep/b.js';\nexport function a() { return b(); }\n"),
            ("lib/deep/b.js", "export const B = 2;\nexport function b() { return B; }\n"),
        ]);
        let names: Vec<&str> = c.modules.iter().map(|m| m.module.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(c.main.rhai.contains("import \"a\" as a;") && c.main.rhai.contains("a::a()"), "{}", c.main.rhai);
        let b = &c.modules[1].rhai;
        // A module's functions reach its constants through the module itself.
        assert!(
            b.contains("export const B = 2;") && b.contains("import \"b\" as self_;") && b.contains("self_::B"),
            "{b}"
        );
        assert!(c.is_full(), "{:?}", c.items);
    }

    #[test]
    fn a_module_function_called_with_more_arguments_than_it_declares_drops_them() {
        let c = convert_files(&[
            (
                "main.js",
                "import { f } from './m.js';\nimport * as m from './m.js';\nexport default function () { f(1, 2, 3); m.f(1, 2, 3, 4); }\n",
            ),
            ("m.js", "export function f(a, b) { return a; }\n"),
        ]);
        let m = &c.modules[0].rhai;
        assert!(
            m.contains("fn f(a, b, arg__2) { f(a, b) }") && m.contains("fn f(a, b, arg__2, arg__3) { f(a, b) }"),
            "{m}"
        );
        assert!(c.is_full(), "{:?}", c.items);
    }

    #[test]
    fn a_module_function_with_a_rest_parameter_gets_the_overloads_other_files_call() {
        let c = convert_files(&[
            (
                "main.js",
                "import { log } from './m.js';\nimport * as m from './m.js';\nexport default function () { log('a', 1, 2); m.log(); }\n",
            ),
            ("m.js", "export function log(prefix, ...parts) { return parts.length; }\n"),
        ]);
        let m = &c.modules[0].rhai;
        assert!(
            m.contains("fn log__rest(prefix, parts) {")
                && m.contains("fn log() { log__rest((), []) }")
                && m.contains("fn log(prefix, arg__1, arg__2) { log__rest(prefix, [arg__1, arg__2]) }"),
            "{m}"
        );
        assert!(c.is_full(), "{:?}", c.items);
    }

    #[test]
    fn a_module_function_called_with_a_spread_gets_an_apply_function() {
        let c = convert_files(&[
            (
                "main.js",
                "import { log, pair } from './m.js';\nimport * as m from './m.js';\n\
                 export default function () { log(...['a', 1]); m.pair(...[1, 2, 3]); }\n",
            ),
            (
                "m.js",
                "export function log(prefix, ...parts) { return parts; }\nexport function pair(a, b) { return a; }\n",
            ),
        ]);
        assert!(c.main.rhai.contains("m::log__apply([\"a\", 1])") && c.main.rhai.contains("m::pair__apply([1, 2, 3])"));
        let m = &c.modules[0].rhai;
        assert!(
            m.contains("fn log__apply(args) { log__rest(args.get(0), args.extract(1)) }")
                && m.contains("fn pair__apply(args) { pair(args.get(0), args.get(1)) }"),
            "{m}"
        );
        assert!(c.is_full(), "{:?}", c.items);
    }

    #[test]
    fn two_local_modules_of_one_file_name_are_reported() {
        let c = convert_files(&[
            ("main.js", "import { f } from './a/util.js';\nimport { g } from './b/util.js';\nexport default function () { f(); g(); }\n"),
            ("a/util.js", "export function f() {}\n"),
            ("b/util.js", "export function g() {}\n"),
        ]);
        assert!(c.has_unconvertible());
        assert!(c.items[0].reason.contains("both be util.rhai"), "{:?}", c.items);
    }

    #[test]
    fn a_module_function_changing_module_state_is_listed_not_converted() {
        let c = convert_files(&[
            ("main.js", "import { bump } from './m.js';\nexport default function () { bump(); }\n"),
            ("m.js", "let n = 0;\nexport function bump() { n += 1; }\n"),
        ]);
        assert!(c.has_unconvertible());
        assert_eq!(c.items[0].file, "m.js");
        assert_eq!((c.items[0].line, c.items[0].col), (2, 26));
    }

    #[test]
    fn the_source_map_points_each_rhai_line_at_its_javascript_line() {
        let (c, _) =
            convert_source("t.js", "const A = 1;\n\nexport default function () {\n  const b = A + 1;\n}\n").unwrap();
        let line = c.rhai.lines().position(|l| l.contains("let b = A + 1;")).unwrap();
        assert_eq!(c.map[line], Some((4, 3)), "{}", c.rhai);
    }

    #[test]
    fn the_helpers_a_conversion_adds_map_to_no_javascript_line() {
        let (c, _) =
            convert_source("t.js", "export default function () {\n  return [].reduce((a, b) => a + b);\n}\n").unwrap();
        let helper = c.rhai.lines().position(|l| l.starts_with("private fn js_reduce")).unwrap();
        assert_eq!(c.map.get(helper).copied().flatten(), None, "{}", c.rhai);
        let call = c.rhai.lines().position(|l| l.contains("js_reduce([]")).unwrap();
        assert_eq!(c.map[call], Some((2, 3)), "{}", c.rhai);
    }

    #[test]
    fn names_rhai_reserves_are_renamed_and_keys_quoted() {
        let (c, _) = convert_source("t.js", "const shared = { default: 1, fn: 2 };\nexport default function () { return shared.default + shared.fn; }\n").unwrap();
        assert!(c.rhai.contains("const shared_ = #{ \"default\": 1, \"fn\": 2 };"), "{}", c.rhai);
        assert!(c.rhai.contains("js_add(shared_[\"default\"], shared_[\"fn\"])"), "{}", c.rhai);
    }
}
