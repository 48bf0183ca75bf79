//! The state of one file's conversion: where things are in the JavaScript (line and column of
//! a byte offset), what was left out, which helper functions the output needs, and which names
//! mean what (imports, top-level functions, local variables).

use std::collections::{BTreeSet, HashMap, HashSet};

use oxc_span::Span;

use crate::kinds::Kind;
use crate::{Item, ItemKind};

/// What the conversion knows of one function's local names.
#[derive(Debug, Default)]
pub struct ScopeInfo {
    /// Names bound to an object some other name may also reach (a parameter, a for…of
    /// variable, `const b = a`): name → how, for the reason of an item.
    pub aliases: HashMap<String, String>,
    /// Names whose object was stored in another object or array, or given a second name
    /// (`const params = { headers }`, `list.push(user)`, `const b = a`): name → where, for the
    /// reason of an item when the name is changed in place afterwards (`aliases.rs`).
    pub stored: HashMap<String, String>,
    /// Names bound to a shallow copy (`{ ...o }`, `xs.slice()`, `xs.filter(…)`): name → how.
    /// Its nested objects are the original's in JavaScript (`aliases.rs`, `nested_change`).
    pub shallow: HashMap<String, String>,
    /// Constants whose kind of value is known statically.
    pub kinds: HashMap<String, Kind>,
    /// Names that certainly hold a closure (`const f = (a, b) => …`, a nested `function f`),
    /// with how many parameters it declares: a call passes exactly that many.
    pub closure_params: HashMap<String, usize>,
    /// Names that certainly hold a closure with a rest parameter (a `js_rest` value).
    pub rest_closures: HashSet<String>,
}

/// What an imported (or global) name stands for in Rhai.
#[derive(Debug, Clone, PartialEq)]
pub enum Binding {
    /// A Rhai value or namespace written as is (`http`, `exec`, `ws`).
    Value(String),
    /// A Rhai function to call (`check` → `check`, `randomIntBetween` → `random_int`).
    Function(String),
    /// A constructor: `new Trend(...)` → `Trend(...)`.
    Constructor(String),
    /// A local module imported as a whole: `import * as u from './u.js'` → `u::f()`.
    Module(String),
    /// One export of a local module: `import { f } from './u.js'` → `u::f`.
    ModuleItem(String, String),
    /// An API rload may not have yet, with its agreed Rhai spelling.
    Pending(String, String),
    /// What the script meant, though k6 would refuse it as written: the Rhai, and why.
    Fixed(String, String),
    /// A helper function of `helpers.rs`.
    Helper(&'static str),
    /// Not convertible, with the reason.
    Unsupported(String),
}

impl Binding {
    /// A binding the conversion lists as an item when used: (Rhai, why, kind).
    pub fn noted(&self) -> Option<(String, String, ItemKind)> {
        match self {
            Binding::Pending(v, n) => Some((v.clone(), n.clone(), ItemKind::Pending)),
            Binding::Fixed(v, n) => Some((v.clone(), n.clone(), ItemKind::Fixed)),
            _ => None,
        }
    }
}

/// Marks in the output text, turned into the source map at the end: `\u{1}OFFSET\u{2}` says
/// "the line this is on comes from JavaScript byte OFFSET".
pub const MARK_START: char = '\u{1}';
pub const MARK_END: char = '\u{2}';

pub struct Conv<'s> {
    pub file: String,
    pub src: &'s str,
    line_starts: Vec<u32>,
    pub items: Vec<Item>,
    pub helpers: BTreeSet<&'static str>,
    pub bindings: HashMap<String, Binding>,
    /// Top-level functions of this file: name → (fewest arguments, most arguments).
    pub top_fns: HashMap<String, (usize, usize)>,
    /// Top-level functions of this file with a rest parameter (`function f(a, ...rest)`,
    /// `const f = (...xs) => …`): name → the parameters before it (see `rest.rs`).
    pub rest_fns: HashMap<String, usize>,
    /// Top-level variables set to an object literal, with the keys of its functions that have a
    /// rest parameter (`const o = { log(...parts) {…} }`): `o.log(…)` goes through `js_call`.
    pub rest_members: HashSet<(String, String)>,
    /// Top-level functions' parameters (without a rest parameter), for a call that spreads its
    /// arguments (`f(...xs)`): name → how many.
    pub fn_params: HashMap<String, usize>,
    /// The arrow being converted is a top-level function's (`top_arrow`): its rest parameter
    /// stays a plain last parameter, the function's overloads build its array.
    pub keep_rest_raw: bool,
    /// The arguments being converted go to a function of the script (which `js_call` or an
    /// overload calls with JavaScript's arguments): one with a rest parameter may be among them.
    pub rest_values_ok: bool,
    /// The main file's exported functions: k6 calls them itself (rload by their declared
    /// arity, which says whether they take setup's data), so they get no shorter overloads.
    pub exported_fns: HashSet<String>,
    /// Top-level functions used as values (`xs.map(f)`): Rhai calls a callback with as many of
    /// its arguments as an overload takes, so these get no overloads shorter than JavaScript's.
    pub fns_as_values: HashSet<String>,
    /// Top-level functions (by Rhai name) called with these numbers of arguments: each gets an
    /// overload for the calls longer than its parameters, which drops the arguments beyond.
    pub call_lengths: HashMap<String, BTreeSet<usize>>,
    /// Calls of local modules' functions: (module as this file names it, function, number of
    /// arguments), for the module's own overloads (`lib.rs`, `convert`).
    pub module_calls: BTreeSet<(String, String, usize)>,
    /// Top-level variables of this file (and whether they are `const` in Rhai).
    pub top_vars: HashSet<String>,
    /// Local names of the functions being converted, innermost last.
    pub scopes: Vec<HashSet<String>>,
    /// What is known of those names (parallel to `scopes`): aliases and static kinds.
    pub scope_info: Vec<ScopeInfo>,
    /// Top-level variables that are second names for other objects (see `aliases.rs`): name → why.
    pub top_aliases: HashMap<String, String>,
    /// `ScopeInfo::shallow` of the top level.
    pub top_shallow: HashMap<String, String>,
    /// [`ScopeInfo::stored`] of the top level.
    pub top_stored: HashMap<String, String>,
    /// Per loop around the code being converted, innermost last: the names declared in its
    /// body, and those changed in place in it so far (`aliases.rs`, a store after a change in
    /// the same loop).
    pub loop_changes: Vec<(HashSet<String>, HashSet<String>)>,
    /// Items raised inside an expression, for the statement being converted to put first.
    pub pending_marks: Vec<String>,
    /// Static kinds of top-level constants (see `kinds.rs`).
    pub top_kinds: HashMap<String, Kind>,
    /// The parameters of the function being converted are not aliases the caller can observe
    /// (`handleSummary(data)`, `teardown(data)`: k6 never looks at the object again).
    pub params_unobserved: bool,
    /// The start of a `reduce` callback's accumulator parameter that is not an alias: the
    /// callback returns it wherever it returns and the initial value is a fresh object, so the
    /// copy Rhai changes is the value `reduce` carries on (`aliases.rs`, `reduce_accumulator`); with
    /// whether that value is an object literal (its keys are text, `o[k]` goes through `js_key`).
    pub fresh_accumulator: Option<(u32, bool)>,
    /// How many closures deep the conversion is, and the depth where the innermost loop body
    /// being converted starts: names read deeper than that are captured by a closure created in
    /// the loop (see `captures.rs`).
    pub closure_depth: usize,
    /// The index in `scopes` of each closure's own scope, innermost last.
    pub closure_scopes: Vec<usize>,
    pub closure_base: usize,
    pub captured: HashSet<String>,
    /// Open scans for names closures refer to (see `captures.rs`, `closures_referring_to`).
    pub reference_scans: Vec<crate::captures::ReferenceScan>,
    /// Top-level variables changed inside functions: shared so the change outlives the call.
    pub mutated_globals: BTreeSet<String>,
    /// Top-level variables changed anywhere (so they cannot be Rhai `const`).
    pub mutated_anywhere: BTreeSet<String>,
    /// Top-level constants a module's functions read (they import their own module for them).
    pub module_consts_used: bool,
    /// This file's module name when it is an imported module.
    pub module: Option<String>,
    /// The name `export default function NAME` had (calls to it go to `run`).
    pub default_fn: Option<String>,
    /// The closure being converted is a check function: give it a parameter if it has none.
    pub force_param: bool,
    /// The closure being converted is the callback of an array method whose Rhai form passes
    /// this many arguments (and, when the flag is set, no fewer): the parameters beyond are
    /// split off, missing ones padded (`calls.rs`, `method_call`).
    pub callback_params: Option<(usize, bool)>,
    /// With `callback_params`: the caller passes nothing beyond, so the closure's further
    /// parameters are `undefined` (a comparator of `sort`, a check function), rather than
    /// JavaScript's array argument bound around it.
    pub callback_beyond_undefined: bool,
    /// The parameters of the last such callback beyond what Rhai passes (JavaScript's `array`
    /// argument, then `undefined`s): the call binds them around the closure, which captures them.
    pub array_params: Vec<String>,
    /// The JavaScript names of the `catch (e)` parameters around the code being converted:
    /// `e.message` reads what Rhai caught (`expr.rs`, `static_member`).
    pub catch_params: Vec<String>,
    /// The call an expression statement consists of, whose value nothing reads: `xs.push(x);`
    /// stays Rhai's push, which returns nothing (`stmt.rs`, `expr_stmt`; `calls.rs`).
    pub statement_call: Option<oxc_span::Span>,
    /// The JavaScript names of the `for…in` variables around the code being converted, and of
    /// variables set to an object literal: `o[k]` with one of those picks its key's type at run
    /// time (an array's index is a number, a map's key text: `loops.rs`, `index_key`).
    pub for_in_keys: Vec<String>,
    /// The loops, switches and labeled statements around the code being converted, innermost
    /// last, for the jumps in it (`labels.rs`).
    pub jumps: Vec<crate::labels::JumpFrame>,
    /// The labels of the labeled statement whose body is about to convert (`labels.rs`).
    pub pending_labels: Vec<String>,
    pub object_vars: HashSet<String>,
    /// Variables set to `new Map(…)` / `new Set(…)`: `for…of` and `forEach` over them go through
    /// `entries()` / `values()` (`loops.rs`), as rload's Map and Set are not iterable themselves.
    pub map_vars: HashSet<String>,
    pub set_vars: HashSet<String>,
    /// The entry script's top-level classes, by JavaScript name, and what converting them
    /// learns (see `classes.rs`).
    pub classes: HashMap<String, crate::classes::ClassInfo>,
    pub class_state: crate::classes::ClassState,
    /// Object literals with methods (`objects.rs`).
    pub obj_state: crate::objects::ObjState,
    /// `async` functions and `await` (see `asyncs.rs`).
    pub asyncs: crate::asyncs::AsyncState,
    pub indent: usize,
    tmp: usize,
    /// The JavaScript's comments (start, end), in order, and how many were written out.
    pub comments: Vec<(u32, u32)>,
    comments_done: usize,
}

impl<'s> Conv<'s> {
    pub fn new(file: &str, src: &'s str, module: Option<&str>) -> Self {
        let mut line_starts = vec![0];
        for (i, b) in src.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        Conv {
            file: file.to_string(),
            src,
            line_starts,
            items: Vec::new(),
            helpers: BTreeSet::new(),
            bindings: HashMap::new(),
            top_fns: HashMap::new(),
            exported_fns: HashSet::new(),
            rest_fns: HashMap::new(),
            fn_params: HashMap::new(),
            rest_members: HashSet::new(),
            keep_rest_raw: false,
            rest_values_ok: false,
            fns_as_values: HashSet::new(),
            call_lengths: HashMap::new(),
            module_calls: BTreeSet::new(),
            top_vars: HashSet::new(),
            scopes: Vec::new(),
            scope_info: Vec::new(),
            top_aliases: HashMap::new(),
            top_shallow: HashMap::new(),
            top_stored: HashMap::new(),
            loop_changes: Vec::new(),
            pending_marks: Vec::new(),
            top_kinds: HashMap::new(),
            params_unobserved: false,
            fresh_accumulator: None,
            closure_depth: 0,
            closure_scopes: Vec::new(),
            closure_base: 0,
            captured: HashSet::new(),
            reference_scans: Vec::new(),
            mutated_globals: BTreeSet::new(),
            module_consts_used: false,
            mutated_anywhere: BTreeSet::new(),
            module: module.map(str::to_string),
            default_fn: None,
            force_param: false,
            callback_params: None,
            callback_beyond_undefined: false,
            array_params: Vec::new(),
            catch_params: Vec::new(),
            statement_call: None,
            for_in_keys: Vec::new(),
            jumps: Vec::new(),
            pending_labels: Vec::new(),
            object_vars: HashSet::new(),
            map_vars: HashSet::new(),
            set_vars: HashSet::new(),
            classes: HashMap::new(),
            class_state: Default::default(),
            obj_state: Default::default(),
            asyncs: Default::default(),
            indent: 0,
            tmp: 0,
            comments: Vec::new(),
            comments_done: 0,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1] as usize;
        let end = (offset as usize).min(self.src.len()).max(start);
        let col = self.src.get(start..end).map(|s| s.chars().count()).unwrap_or(0) as u32 + 1;
        (line as u32, col)
    }

    /// A marker tying the output line it lands on to `span`'s start.
    pub fn mark(&self, span: Span) -> String {
        format!("{MARK_START}{}{MARK_END}", span.start)
    }

    /// Records an item and returns the comment the output keeps in its place.
    pub fn item(&mut self, span: Span, kind: ItemKind, reason: impl Into<String>) -> String {
        let (line, col) = self.line_col(span.start);
        let reason = reason.into();
        let comment = format!("/* CONVERT: {} */", reason.replace("*/", "* /"));
        self.items.push(Item { file: self.file.clone(), line, col, reason, kind });
        comment
    }

    /// Not convertible: an item, and `()` in the expression's place with the comment.
    /// Notes `name` as set to `new Map(…)` or `new Set(…)` (or as neither, when it is set to
    /// something else).
    pub fn note_collection(&mut self, name: &str, init: Option<&oxc_ast::ast::Expression>) {
        use oxc_ast::ast::Expression;
        let made = match init.map(|e| e.without_parentheses()) {
            Some(Expression::NewExpression(n)) => match &n.callee {
                Expression::Identifier(id) => Some(id.name.as_str()),
                _ => None,
            },
            _ => None,
        };
        self.map_vars.remove(name);
        self.set_vars.remove(name);
        match made {
            Some("Map") => {
                self.map_vars.insert(name.to_string());
            }
            Some("Set") => {
                self.set_vars.insert(name.to_string());
            }
            _ => {}
        }
    }

    /// `.entries()` for a variable noted as a Map, `.values()` for a Set: what `for…of` and
    /// `forEach` loop over.
    pub fn collection_items(&self, e: &oxc_ast::ast::Expression) -> Option<&'static str> {
        use oxc_ast::ast::Expression;
        match e.without_parentheses() {
            Expression::Identifier(id) if self.map_vars.contains(id.name.as_str()) => Some("entries"),
            Expression::Identifier(id) if self.set_vars.contains(id.name.as_str()) => Some("values"),
            _ => None,
        }
    }

    pub fn unconvertible(&mut self, span: Span, reason: impl Into<String>) -> String {
        let c = self.item(span, ItemKind::Unconvertible, reason);
        format!("{c} ()")
    }

    pub fn helper(&mut self, name: &'static str) -> &'static str {
        self.helpers.insert(name);
        for dep in crate::helpers::deps(name) {
            self.helpers.insert(dep);
        }
        name
    }

    pub fn fresh(&mut self, stem: &str) -> String {
        self.tmp += 1;
        format!("{stem}{}", self.tmp)
    }

    /// The comments before JavaScript offset `at` not written yet, one a line at the current
    /// indentation (Rhai has JavaScript's `//` and `/* */`), and a blank line where the
    /// JavaScript had one before the statement.
    pub fn leading_comments(&mut self, at: u32) -> String {
        let pad = self.pad();
        let mut out = String::new();
        let mut first = at;
        while let Some(&(start, end)) = self.comments.get(self.comments_done) {
            if start >= at {
                break;
            }
            first = first.min(start);
            self.comments_done += 1;
            if let Some(text) = self.src.get(start as usize..end as usize) {
                out.push_str(&format!("{pad}{text}\n"));
            }
        }
        let before = self.src.get(..first as usize).unwrap_or("");
        let gap: &str = before.trim_end_matches([' ', '\t']);
        if gap.ends_with("\n\n") || gap.ends_with("\n\r\n") {
            out.insert(0, '\n');
        }
        out
    }

    /// After the statement ending at `end`: a comment on the same line, to append to it (` //
    /// …`), and the comments inside the statement that no nested statement wrote are dropped
    /// (they sat inside an expression; Rhai's output has no place for them there).
    pub fn trailing_comment(&mut self, end: u32) -> String {
        while let Some(&(start, _)) = self.comments.get(self.comments_done) {
            if start >= end {
                break;
            }
            self.comments_done += 1;
        }
        if let Some(&(start, stop)) = self.comments.get(self.comments_done) {
            let between = self.src.get(end as usize..start as usize).unwrap_or("\n");
            if !between.contains('\n') {
                self.comments_done += 1;
                let text = self.src.get(start as usize..stop as usize).unwrap_or("");
                return format!(" {text}");
            }
        }
        String::new()
    }

    /// Whether the JavaScript at `span` is written over more than one line.
    pub fn spans_lines(&self, span: Span) -> bool {
        self.src.get(span.start as usize..span.end as usize).is_some_and(|s| s.contains('\n'))
    }

    pub fn pad(&self) -> String {
        "    ".repeat(self.indent)
    }

    pub fn in_function(&self) -> bool {
        !self.scopes.is_empty()
    }

    pub fn is_local(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| s.contains(name))
    }

    pub fn declare(&mut self, name: &str) {
        if let Some((declared, _)) = self.loop_changes.last_mut() {
            declared.insert(name.to_string());
        }
        if let Some(s) = self.scopes.last_mut() {
            s.insert(name.to_string());
        }
        // A new declaration says nothing yet of what the name holds.
        if let Some(info) = self.scope_info.last_mut() {
            info.aliases.remove(name);
            info.shallow.remove(name);
            info.kinds.remove(name);
            info.closure_params.remove(name);
            info.rest_closures.remove(name);
        }
    }

    pub fn push_scope(&mut self) {
        self.scopes.push(HashSet::new());
        self.scope_info.push(ScopeInfo::default());
    }

    pub fn pop_scope(&mut self) {
        self.scopes.pop();
        self.scope_info.pop();
    }

    /// How many parameters the closure local `name` certainly holds declares, if known.
    pub fn closure_params(&self, name: &str) -> Option<usize> {
        let i = self.scope_of(name)?;
        self.scope_info.get(i)?.closure_params.get(name).copied()
    }

    /// Records that the local `name` holds a closure of `f`'s parameters, or one with a rest
    /// parameter (`js_rest`, which only `js_call` calls).
    pub fn note_closure(&mut self, name: &str, params: &oxc_ast::ast::FormalParameters) {
        if params.rest.is_some() {
            if let Some(info) = self.scope_of(name).and_then(|i| self.scope_info.get_mut(i)) {
                info.rest_closures.insert(name.to_string());
            }
            return;
        }
        if let Some(info) = self.scope_of(name).and_then(|i| self.scope_info.get_mut(i)) {
            info.closure_params.insert(name.to_string(), params.items.len());
        }
    }

    /// `name` is a variable a closure takes from outside itself and also a function of the
    /// file: Rhai does not capture a name that a function of the script has, so the closure
    /// would call (or hold) the function instead, silently (`function apply(handler) { return
    /// xs.map((x) => handler(x)); }` beside a `function handler`).
    pub fn captured_name_is_a_function(&self, name: &str) -> bool {
        let Some(&start) = self.closure_scopes.last() else { return false };
        self.top_fns.contains_key(name) && self.scope_of(name).is_some_and(|i| i < start)
    }

    /// The innermost function scope declaring `name`.
    pub fn scope_of(&self, name: &str) -> Option<usize> {
        self.scopes.iter().rposition(|s| s.contains(name))
    }

    /// Records that a closure created inside the loop body being converted refers to `name`.
    pub fn note_reference(&mut self, name: &str) {
        if self.closure_depth > self.closure_base {
            self.captured.insert(name.to_string());
        }
        for scan in &mut self.reference_scans {
            if self.closure_depth > scan.depth {
                scan.referred.insert(name.to_string());
            }
        }
    }

    /// The binding a free name has (imports and k6 globals), unless a local shadows it.
    pub fn binding(&self, name: &str) -> Option<&Binding> {
        if self.is_local(name) || self.top_fns.contains_key(name) || self.top_vars.contains(name) {
            return None;
        }
        self.bindings.get(name)
    }

    /// Records that the object `root` names is changed in place here (a property or element
    /// assigned, a mutating method, `delete`, `Object.assign`), for the open reference scans.
    pub fn note_in_place_change(&mut self, root: &str) {
        if let Some((_, changed)) = self.loop_changes.last_mut() {
            changed.insert(root.to_string());
        }
        for scan in &mut self.reference_scans {
            if self.closure_depth > scan.depth {
                scan.changed.insert(root.to_string());
            }
        }
    }

    /// A top-level variable changed by code inside a function (see `mutated_globals`).
    pub fn note_mutation(&mut self, root: &str) {
        if !self.is_local(root) && self.top_vars.contains(root) {
            self.mutated_anywhere.insert(root.to_string());
        }
        if self.in_function() && !self.is_local(root) && self.top_vars.contains(root) {
            self.mutated_globals.insert(root.to_string());
        }
    }
}

/// Strips the markers from `text`, returning the clean text and the line map.
pub fn finish_map(conv: &Conv, text: &str) -> (String, Vec<Option<(u32, u32)>>) {
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::new();
    let mut current: Option<(u32, u32)> = None;
    let mut line_mark: Option<(u32, u32)> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == MARK_START {
            let mut n = String::new();
            for d in chars.by_ref() {
                if d == MARK_END {
                    break;
                }
                n.push(d);
            }
            let at = conv.line_col(n.parse().unwrap_or(0));
            if line_mark.is_none() {
                line_mark = Some(at);
            }
            current = Some(at);
            continue;
        }
        if c == '\n' {
            map.push(line_mark.or(current));
            line_mark = None;
        }
        out.push(c);
    }
    map.push(line_mark.or(current));
    (out, map)
}
