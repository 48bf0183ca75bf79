//! A whole file: parse, read its imports and exports, convert its top-level code, and assemble
//! the Rhai text (helpers last) with its source map.
//!
//! The entry script: `export default function` is `fn run`, `export const options` stays
//! `export const options`, other top-level `const`s are `const` unless something changes them.
//! A top-level `let` that a function changes is made shared (captured by a closure), so its
//! value lives on from iteration to iteration in each VU, as k6 keeps module state. An imported
//! module: every top-level constant is `export const` (its functions reach it as `self_::X`,
//! since Rhai module functions cannot see module variables), and its `export default` value is
//! `default_`.

use std::collections::{BTreeSet, HashMap, HashSet};

use oxc_allocator::Allocator;
use oxc_ast::ast::*;
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};

use crate::conv::{finish_map, Binding, Conv};
use crate::{k6_imports, names, Converted, Item, ItemKind};

pub struct FileOut {
    pub converted: Converted,
    pub items: Vec<Item>,
    /// Local imports: (specifier as written, Rhai module name).
    pub local_imports: Vec<(String, String)>,
    /// Calls of local modules' functions: (module as this file names it, function, arguments).
    pub module_calls: Vec<(String, String, usize)>,
}

/// Converts one file; `calls_from_outside` are the numbers of arguments other files call this
/// module's functions with (by Rhai name), for the overloads of the longer calls.
///
/// A file that uses promise callbacks is converted twice: its awaits are written otherwise
/// (`AsyncState::callbacks`), and the first use may come after them.
pub fn convert_file(
    file: &str,
    text: &str,
    module: Option<&str>,
    calls_from_outside: &HashMap<String, BTreeSet<usize>>,
) -> Result<FileOut, String> {
    match convert_file_as(file, text, module, calls_from_outside, false)? {
        (out, false) => Ok(out),
        (_, true) => convert_file_as(file, text, module, calls_from_outside, true).map(|(out, _)| out),
    }
}

/// [`convert_file`], with promise callbacks known to be used or not; and whether they are.
fn convert_file_as(
    file: &str,
    text: &str,
    module: Option<&str>,
    calls_from_outside: &HashMap<String, BTreeSet<usize>>,
    callbacks: bool,
) -> Result<(FileOut, bool), String> {
    let alloc = Allocator::default();
    let parsed = Parser::new(&alloc, text, SourceType::mjs()).parse();
    let mut conv = Conv::new(file, text, module);
    conv.asyncs.callbacks = callbacks;
    if parsed.panicked || parsed.diagnostics.has_errors() {
        let (msg, at) = parsed
            .diagnostics
            .errors()
            .next()
            .map(|e| {
                let at = e.labels.first().map(|l| l.offset()).unwrap_or(0);
                (e.message.to_string(), at)
            })
            .unwrap_or(("cannot parse".into(), 0));
        let (line, col) = conv.line_col(at);
        return Err(format!("{file}:{line}:{col}: JavaScript syntax error: {msg}"));
    }
    let program = &parsed.program;
    conv.comments = program.comments.iter().map(|c| (c.span.start, c.span.end)).collect();
    let mut local_imports: Vec<(String, String)> = Vec::new();
    collect_declarations(&mut conv, program, &mut local_imports);

    let mut parts: Vec<String> = Vec::new();
    for s in &program.body {
        let comments = if matches!(s, Statement::ImportDeclaration(_)) {
            String::new()
        } else {
            conv.leading_comments(s.span().start)
        };
        let mut text = top_statement(&mut conv, s);
        let trailing = conv.trailing_comment(s.span().end);
        if !trailing.is_empty() && text.ends_with('\n') {
            text.insert_str(text.len() - 1, &trailing);
        }
        parts.push(format!("{comments}{text}"));
    }
    let listed = conv.finish_asyncs() + &conv.finish_promises();
    let uses_callbacks = conv.asyncs.first_callback.is_some();
    let mut body = String::new();
    if module.is_none() {
        body.push_str(&crate::header(file_name(file)));
    }
    body.push_str(&listed);
    for (_, m) in dedup(&local_imports) {
        body.push_str(&format!("import \"{m}\" as {};\n", names::var(&m)));
    }
    for p in parts {
        body.push_str(&p);
    }
    for (f, lengths) in calls_from_outside {
        conv.call_lengths.entry(f.clone()).or_default().extend(lengths);
    }
    let body = crate::class_uses::finish(&mut conv, &body);
    let body = crate::objects::finish_json(&mut conv, &body);
    let body = finish_keywords(&conv, &body);
    // The helpers' lines map to no JavaScript line: an error inside one is the call's (the
    // engine's diagnostics point at the innermost call that maps).
    let (mut rhai, map) = finish_map(&conv, &body);
    let helpers = crate::helpers::text(&conv.helpers);
    if !helpers.is_empty() {
        rhai.push_str("\n// JavaScript's semantics where Rhai's differ (added by rload convert).");
        rhai.push_str(&helpers);
    }
    let out = FileOut {
        converted: Converted { js_path: file.to_string(), module: module.unwrap_or_default().to_string(), rhai, map },
        items: conv.items,
        // Every file imported, even two of one module name (`convert` reports those).
        local_imports: {
            let mut seen = HashSet::new();
            local_imports.into_iter().filter(|(spec, _)| seen.insert(spec.clone())).collect()
        },
        module_calls: conv.module_calls.into_iter().collect(),
    };
    Ok((out, uses_callbacks))
}

fn file_name(path: &str) -> &str {
    std::path::Path::new(path).file_name().and_then(|s| s.to_str()).unwrap_or(path)
}

fn dedup(v: &[(String, String)]) -> Vec<(String, String)> {
    let mut seen = HashSet::new();
    v.iter().filter(|(_, m)| seen.insert(m.clone())).cloned().collect()
}

/// First pass: what each top-level name is (imports, functions, variables).
fn collect_declarations(conv: &mut Conv, program: &Program, local_imports: &mut Vec<(String, String)>) {
    for s in &program.body {
        match s {
            Statement::ImportDeclaration(i) => {
                let src = i.source.value.as_str();
                let local = k6_imports::is_local(src);
                let module = crate::module_name(src);
                if local {
                    local_imports.push((src.to_string(), module.clone()));
                }
                let ns = names::var(&module);
                for spec in i.specifiers.iter().flatten() {
                    let (name, binding) = match spec {
                        ImportDeclarationSpecifier::ImportSpecifier(s) => {
                            let imported = s.imported.name().to_string();
                            let b = if local {
                                Binding::ModuleItem(ns.clone(), imported.clone())
                            } else {
                                k6_imports::lookup(src, &imported)
                            };
                            (s.local.name.to_string(), b)
                        }
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                            let b = if local {
                                Binding::ModuleItem(ns.clone(), "default".into())
                            } else {
                                k6_imports::lookup(src, "default")
                            };
                            (s.local.name.to_string(), b)
                        }
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                            let b = if local { Binding::Module(ns.clone()) } else { k6_imports::lookup(src, "*") };
                            (s.local.name.to_string(), b)
                        }
                    };
                    conv.bindings.insert(name, binding);
                }
            }
            _ => {
                let decl = match s {
                    Statement::ExportDeclaration(e) => Some(&e.declaration),
                    other => other.as_declaration(),
                };
                if let Some(d) = decl {
                    declare_top(conv, d);
                    // Objects with methods, whose calls anywhere in the file fit their parameters.
                    if let Declaration::VariableDeclaration(v) = d {
                        for d in &v.declarations {
                            if let BindingPattern::BindingIdentifier(id) = &d.id {
                                conv.declare_object(id.name.as_str(), d.init.as_ref());
                            }
                        }
                    }
                    declare_asyncs(conv, d, matches!(s, Statement::ExportDeclaration(_)));
                }
                match s {
                    Statement::ExportDeclaration(e) => {
                        conv.exported_fns.extend(declared_names(&e.declaration).iter().map(|n| names::var(n)));
                    }
                    Statement::ExportNamedDeclaration(e) => {
                        conv.exported_fns.extend(e.specifiers.iter().map(|spec| names::var(&spec.local.name())));
                    }
                    _ => {}
                }
                if let Statement::ExportDefaultDeclaration(e) = s {
                    if let ExportDefaultDeclarationKind::FunctionDeclaration(f) = &e.declaration {
                        if let Some(id) = &f.id {
                            conv.default_fn = Some(id.name.to_string());
                            conv.top_fns.insert(id.name.to_string(), (0, f.params.items.len()));
                            if f.r#async {
                                conv.declare_async(id.name.as_str(), f.span, false);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Notes the top-level async functions a declaration declares (see `asyncs.rs`).
fn declare_asyncs(conv: &mut Conv, d: &Declaration, exported: bool) {
    match d {
        Declaration::FunctionDeclaration(f) if f.r#async => {
            if let Some(id) = &f.id {
                conv.declare_async(id.name.as_str(), f.span, exported);
            }
        }
        Declaration::VariableDeclaration(v) if v.kind != VariableDeclarationKind::Let => {
            for d in &v.declarations {
                if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&d.id, &d.init) {
                    if crate::asyncs::is_async_init(init) {
                        conv.declare_async(id.name.as_str(), d.span, exported);
                    }
                }
            }
        }
        _ => {}
    }
}

fn declare_top(conv: &mut Conv, d: &Declaration) {
    match d {
        Declaration::ClassDeclaration(c) if conv.module.is_none() => {
            if let Some(id) = &c.id {
                conv.declare_class(c, id.name.as_str());
            }
        }
        Declaration::FunctionDeclaration(f) => {
            if let Some(id) = &f.id {
                conv.top_fns.insert(id.name.to_string(), (0, f.params.items.len()));
                conv.note_fn_params(id.name.as_str(), &f.params);
            }
        }
        Declaration::VariableDeclaration(v) => {
            for d in &v.declarations {
                if let Some((name, c)) = class_expression(conv, v, d) {
                    conv.declare_class(c, name);
                    continue;
                }
                match (&d.id, &d.init) {
                    (BindingPattern::BindingIdentifier(id), Some(init))
                        if as_function(init).is_some() && v.kind != VariableDeclarationKind::Let =>
                    {
                        conv.top_fns.insert(id.name.to_string(), (0, 0));
                        match as_function(init) {
                            Some(FnLike::Arrow(a)) => conv.note_fn_params(id.name.as_str(), &a.params),
                            Some(FnLike::Function(f)) => conv.note_fn_params(id.name.as_str(), &f.params),
                            None => {}
                        }
                    }
                    (p, init) => {
                        if let BindingPattern::BindingIdentifier(id) = p {
                            conv.note_collection(id.name.as_str(), init.as_ref());
                            conv.note_rest_members(id.name.as_str(), init.as_ref());
                        }
                        for name in binding_names(p) {
                            conv.top_vars.insert(name);
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// `const Api = class { … }` at the top level of the entry script: the class `Api`, as if
/// declared so. Not with `let` or `var` (the name could be set to something else), nor when
/// the class has a name of its own that differs (its body could use that name).
fn class_expression<'a, 'b>(
    conv: &Conv,
    v: &VariableDeclaration,
    d: &'b VariableDeclarator<'a>,
) -> Option<(&'b str, &'b Class<'a>)> {
    let (BindingPattern::BindingIdentifier(id), Some(Expression::ClassExpression(c))) =
        (&d.id, d.init.as_ref().map(|e| e.without_parentheses()))
    else {
        return None;
    };
    let own_name_ok = c.id.as_ref().is_none_or(|own| own.name == id.name);
    (conv.module.is_none() && v.kind == VariableDeclarationKind::Const && own_name_ok)
        .then_some((id.name.as_str(), &**c))
}

enum FnLike<'a, 'b> {
    Arrow(&'b ArrowFunctionExpression<'a>),
    Function(&'b Function<'a>),
}

fn as_function<'a, 'b>(e: &'b Expression<'a>) -> Option<FnLike<'a, 'b>> {
    match e.without_parentheses() {
        Expression::ArrowFunctionExpression(f) => Some(FnLike::Arrow(f)),
        Expression::FunctionExpression(f) => Some(FnLike::Function(f)),
        _ => None,
    }
}

/// The names a top-level declaration declares.
fn declared_names(d: &Declaration) -> Vec<String> {
    match d {
        Declaration::FunctionDeclaration(f) => f.id.iter().map(|id| id.name.to_string()).collect(),
        Declaration::VariableDeclaration(v) => v.declarations.iter().flat_map(|d| binding_names(&d.id)).collect(),
        _ => Vec::new(),
    }
}

pub fn binding_names(p: &BindingPattern) -> Vec<String> {
    match p {
        BindingPattern::BindingIdentifier(id) => vec![id.name.to_string()],
        BindingPattern::AssignmentPattern(a) => binding_names(&a.left),
        BindingPattern::ObjectPattern(o) => {
            let mut v: Vec<String> = o.properties.iter().flat_map(|p| binding_names(&p.value)).collect();
            if let Some(r) = &o.rest {
                v.extend(binding_names(&r.argument));
            }
            v
        }
        BindingPattern::ArrayPattern(a) => {
            let mut v: Vec<String> = a.elements.iter().flatten().flat_map(binding_names).collect();
            if let Some(r) = &a.rest {
                v.extend(binding_names(&r.argument));
            }
            v
        }
    }
}

/// The names an object pattern's rest element binds (`rest` of `{ a, ...rest }`, at any depth):
/// each a fresh shallow copy, as a spread's (`{ ...o }`) is.
pub fn object_rest_names(p: &BindingPattern) -> Vec<String> {
    match p {
        BindingPattern::BindingIdentifier(_) => Vec::new(),
        BindingPattern::AssignmentPattern(a) => object_rest_names(&a.left),
        BindingPattern::ObjectPattern(o) => {
            let mut v: Vec<String> = o.properties.iter().flat_map(|p| object_rest_names(&p.value)).collect();
            if let Some(r) = &o.rest {
                v.extend(binding_names(&r.argument));
            }
            v
        }
        BindingPattern::ArrayPattern(a) => a.elements.iter().flatten().flat_map(object_rest_names).collect(),
    }
}

fn top_statement(conv: &mut Conv, s: &Statement) -> String {
    match s {
        Statement::ImportDeclaration(i) => {
            let src = i.source.value.as_str();
            if !k6_imports::is_local(src)
                && i.specifiers.as_ref().is_none_or(|s| s.is_empty())
                && !src.starts_with("k6")
            {
                let c = conv.item(i.span, ItemKind::Unconvertible, format!("the side-effect import \"{src}\""));
                return format!("{c}\n");
            }
            String::new()
        }
        Statement::ExportDeclaration(e) => top_declaration(conv, &e.declaration, true),
        Statement::ExportFromDeclaration(e) => {
            let c = conv.item(e.span, ItemKind::Unconvertible, "`export … from`: import the module itself");
            format!("{c}\n")
        }
        Statement::ExportNamedDeclaration(e) => {
            {
                // `export { a, b }`: Rhai modules export every function and `export const` anyway.
                for spec in &e.specifiers {
                    if spec.local.name() != spec.exported.name() {
                        let c = conv.item(
                            spec.span,
                            ItemKind::Unconvertible,
                            "an export under another name (`export { a as b }`)",
                        );
                        return format!("{c}\n");
                    }
                }
                String::new()
            }
        }
        Statement::ExportDefaultDeclaration(e) => match &e.declaration {
            ExportDefaultDeclarationKind::FunctionDeclaration(f) => default_function(conv, f),
            other => {
                let mark = conv.mark(e.span);
                let expr = other.as_expression();
                match (expr.and_then(as_function), expr) {
                    (Some(FnLike::Function(f)), _) => default_function(conv, f),
                    (Some(FnLike::Arrow(a)), _) => {
                        // k6 awaits the default function's promise (see `asyncs.rs`); a module's
                        // default export is called by other files.
                        conv.asyncs.declaring = conv.module.is_none();
                        let closure = conv.arrow(a, false);
                        let n = a.params.items.len();
                        let params: Vec<String> = (0..n).map(|i| format!("a{i}")).collect();
                        format!(
                            "{mark}const default_ = {closure};\nfn run({}) {{ default_.call({}) }}\n",
                            params.join(", "),
                            params.join(", ")
                        )
                    }
                    (None, Some(e)) => {
                        if conv.module.is_some() {
                            let v = conv.expr(e);
                            format!("{mark}export const default_ = {v};\n")
                        } else if let Expression::Identifier(id) = e {
                            let name = conv.fn_name(id.name.as_str());
                            let n = conv.top_fns.get(id.name.as_str()).map(|a| a.1).unwrap_or(0);
                            let params: Vec<String> = (0..n).map(|i| format!("a{i}")).collect();
                            format!("{mark}fn run({}) {{ {name}({}) }}\n", params.join(", "), params.join(", "))
                        } else {
                            let c = conv.item(e.span(), ItemKind::Unconvertible, "this default export");
                            format!("{c}\n")
                        }
                    }
                    (None, None) => {
                        let c = conv.item(e.span, ItemKind::Unconvertible, "this default export");
                        format!("{c}\n")
                    }
                }
            }
        },
        Statement::ExportAllDeclaration(e) => {
            let c = conv.item(e.span, ItemKind::Unconvertible, "`export * from`: import the module itself");
            format!("{c}\n")
        }
        other => match other.as_declaration() {
            Some(d) => top_declaration(conv, d, false),
            None => conv.stmt(other),
        },
    }
}

fn default_function(conv: &mut Conv, f: &Function) -> String {
    if conv.module.is_some() {
        let c = conv.item(f.span, ItemKind::Unconvertible, "a default-exported function of an imported module");
        return format!("{c}\n");
    }
    conv.top_function(f, "run")
}

fn top_declaration(conv: &mut Conv, d: &Declaration, exported: bool) -> String {
    match d {
        Declaration::FunctionDeclaration(f) => {
            let name = f.id.as_ref().map(|i| conv.fn_name(i.name.as_str())).unwrap_or_else(|| "anonymous".into());
            conv.top_function(f, &name)
        }
        Declaration::VariableDeclaration(v) => {
            let mut out = String::new();
            for d in &v.declarations {
                if let Some((name, c)) = class_expression(conv, v, d) {
                    out.push_str(&conv.class_decl(c, name));
                    continue;
                }
                if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&d.id, &d.init) {
                    if v.kind != VariableDeclarationKind::Let {
                        match as_function(init) {
                            Some(FnLike::Function(f)) => {
                                out.push_str(&conv.top_function(f, &names::var(id.name.as_str())));
                                continue;
                            }
                            Some(FnLike::Arrow(a)) => {
                                out.push_str(&top_arrow(conv, a, &names::var(id.name.as_str())));
                                continue;
                            }
                            None => {}
                        }
                    }
                }
                out.push_str(&top_var(conv, v, d, exported));
            }
            out
        }
        Declaration::ClassDeclaration(c) if conv.module.is_none() => match &c.id {
            Some(id) => conv.class_decl(c, id.name.as_str()),
            None => conv.item(c.span, ItemKind::Unconvertible, "an unnamed class") + "\n",
        },
        Declaration::ClassDeclaration(c) => {
            let c = conv.item(
                c.span,
                ItemKind::Unconvertible,
                "a class in an imported module: rload converts classes of the entry script only",
            );
            format!("{c}\n")
        }
        other => {
            let c = conv.item(other.span(), ItemKind::Unconvertible, "a TypeScript declaration");
            format!("{c}\n")
        }
    }
}

/// `const f = (a) => …` at the top level: a function, callable from everywhere like one.
fn top_arrow(conv: &mut Conv, a: &ArrowFunctionExpression, name: &str) -> String {
    // Reuse the closure conversion, then unwrap `|a, b| body` into `fn name(a, b) { body }`.
    // A top-level function: its calls are checked (`asyncs.rs`).
    conv.asyncs.declaring = true;
    conv.keep_rest_raw = a.params.rest.is_some();
    let closure = conv.arrow(a, false);
    let (params, body) = split_closure(&closure);
    let mark = conv.mark(a.span);
    let body = if body.starts_with('{') { body.to_string() } else { format!("{{ {body} }}") };
    let mut body = body;
    if let Some(m) = conv.module.clone() {
        if body.contains("self_::") {
            body = format!("{{ import \"{m}\" as self_;{}", &body[1..]);
        }
    }
    let names: Vec<String> = params.split(',').map(str::trim).filter(|p| !p.is_empty()).map(String::from).collect();
    if a.params.rest.is_some() {
        // As `top_function` writes a function with a rest parameter.
        let out = format!("{mark}fn {name}__rest({params}) {body}\n");
        return out + &conv.rest_overloads(name, &names[..names.len().saturating_sub(1)]);
    }
    let out = format!("{mark}fn {name}({params}) {body}\n");
    // Shorter calls, as `top_function` adds them.
    let required = a
        .params
        .items
        .iter()
        .position(|p| p.initializer.is_some() || matches!(p.pattern, BindingPattern::AssignmentPattern(_)))
        .unwrap_or(names.len());
    out + &conv.shorter_overloads(name, &names, required)
}

fn split_closure(c: &str) -> (&str, &str) {
    let rest = &c[1..];
    let end = rest.find('|').unwrap_or(0);
    (&rest[..end], rest[end + 1..].trim_start())
}

fn top_var(conv: &mut Conv, v: &VariableDeclaration, d: &VariableDeclarator, exported: bool) -> String {
    let mark = conv.mark(d.span);
    let init = d.init.as_ref().map(|e| {
        let t = match &d.id {
            BindingPattern::BindingIdentifier(id) => conv.object_init(id.name.as_str(), e),
            _ => conv.expr(e),
        };
        crate::expr::strip_parens(&t).to_string()
    });
    match &d.id {
        BindingPattern::BindingIdentifier(id) => {
            let name = id.name.as_str();
            conv.note_binding(name, d.init.as_ref());
            if v.kind == VariableDeclarationKind::Const {
                if let Some(k) = d.init.as_ref().map(|e| conv.kind(e)) {
                    conv.top_kinds.insert(name.to_string(), k);
                }
            }
            let value = init.unwrap_or_else(|| "()".into());
            let kw = if conv.module.is_some() || (name == "options" && exported) {
                "export const".to_string()
            } else {
                // Decided at the end: `const` unless something changes it (see finish_keywords).
                format!("\u{3}{}\u{3}", if v.kind == VariableDeclarationKind::Const { "const" } else { "let" })
            };
            let keep = if conv.module.is_none() { format!("\u{5}{name}\u{5}") } else { String::new() };
            format!("{mark}{kw} {} = {value};{keep}\n", names::var(name))
        }
        pattern => {
            let mut lines = Vec::new();
            conv.destructure(pattern, init.unwrap_or_else(|| "()".into()), &mut lines);
            for name in binding_names(pattern) {
                conv.note_binding(&name, d.init.as_ref());
            }
            for name in object_rest_names(pattern) {
                conv.set_alias(&name, None);
            }
            let prefix = if conv.module.is_some() { "export const" } else { "let" };
            lines.iter().map(|l| format!("{mark}{}\n", l.replacen("let", prefix, 1))).collect()
        }
    }
}

/// Replaces the placeholders decided when the whole file is read: a top-level variable is
/// `const` when nothing changes it, one a function changes is shared so the change outlives the
/// call, and a function's shortest overloads stay unless it is used as a value.
fn finish_keywords(conv: &Conv, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['\u{3}', '\u{5}', '\u{6}', '\u{7}']) {
        out.push_str(&rest[..i]);
        let marker = rest[i..].chars().next().unwrap();
        let after = &rest[i + marker.len_utf8()..];
        let end = after.find(marker).unwrap_or(after.len());
        let inner = &after[..end];
        rest = &after[(end + marker.len_utf8()).min(after.len())..];
        if marker == '\u{7}' {
            // A function's overloads for calls longer than its parameters (`shorter_overloads`),
            // or than the plain parameters before its rest parameter (`rest_overloads`).
            let mut parts = inner.split('\u{1f}');
            let (name, params) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let kind = parts.next().unwrap_or("");
            let rest = kind.starts_with("rest");
            // A function k6 calls itself has the overload for k6's call (`rest_overloads`): the
            // others are those of the script's own calls.
            let entry = kind == "rest-entry";
            let k6_call = usize::from(name != "setup");
            let params: Vec<&str> = params.split(", ").filter(|p| !p.is_empty()).collect();
            let calls = conv.call_lengths.get(name).into_iter().flatten();
            for &n in calls.filter(|&&n| if entry { n != k6_call } else { n > params.len() }) {
                if n == crate::rest::SPREAD_CALL {
                    out.push_str(&crate::rest::apply_fn(name, &params, rest));
                    continue;
                }
                if entry {
                    out.push_str(&crate::rest::rest_overload(name, &params, n));
                    continue;
                }
                let mut all: Vec<String> = params.iter().map(|p| p.to_string()).collect();
                let beyond: Vec<String> = (params.len()..n).map(|i| format!("arg__{i}")).collect();
                all.extend(beyond.iter().cloned());
                let call = if rest {
                    let mut args: Vec<String> = params.iter().map(|p| p.to_string()).collect();
                    args.push(format!("[{}]", beyond.join(", ")));
                    format!("{name}__rest({})", args.join(", "))
                } else {
                    format!("{name}({})", params.join(", "))
                };
                out.push_str(&format!("fn {name}({}) {{ {call} }}\n", all.join(", ")));
            }
        } else if marker == '\u{6}' {
            // A function's overloads shorter than its required parameters (`shorter_overloads`).
            let (name, lines) = inner.split_once('\u{1f}').unwrap_or((inner, ""));
            if !conv.fns_as_values.contains(name) {
                out.push_str(lines);
            }
        } else if marker == '\u{3}' {
            // inner is the JavaScript keyword; the variable's name follows.
            let name: String = rest.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            // The text has the Rhai name (`shared_` of `shared`, which Rhai reserves); the sets
            // the JavaScript one.
            let changed = conv
                .mutated_globals
                .iter()
                .chain(&conv.mutated_anywhere)
                .any(|js| js == &name || names::var(js) == name);
            out.push_str(if inner == "const" && !changed { "const" } else { "let" });
        } else if conv.mutated_globals.contains(inner) {
            let v = names::var(inner);
            out.push_str(&format!(
                " let keep_{v} = || {v}; // shares `{v}` with the functions that change it: one value per VU, kept across iterations as in k6"
            ));
        }
    }
    out.push_str(rest);
    out
}
