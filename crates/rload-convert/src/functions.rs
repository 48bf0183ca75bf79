//! Functions: parameters (defaults as `if js_is_undefined(p) { p = default; }`, destructuring as one
//! `let` per name), top-level functions with an overload per shorter call (Rhai functions have
//! a fixed arity; JavaScript's do not), and closures.

use oxc_ast::ast::*;
use oxc_span::Span;

use crate::conv::Conv;
use crate::expr::strip_parens;
use crate::names;
use crate::ItemKind;

/// A function's parameters as Rhai names, and the statements that give them their JavaScript
/// defaults and destructuring.
pub struct Params {
    /// The plain parameters, then the rest parameter's array when there is one.
    pub names: Vec<String>,
    prologue: Vec<String>,
    /// Parameters before the first one with a default.
    required: usize,
    /// Whether the last of `names` is a rest parameter (`...args`), the array of the arguments
    /// beyond the plain ones.
    pub rest: bool,
}

impl Params {
    /// The parameters before the first one with a default.
    pub fn required(&self) -> usize {
        self.required
    }

    /// The statements giving the parameters their defaults and destructuring.
    pub fn prologue(&self) -> &[String] {
        &self.prologue
    }
}

impl Conv<'_> {
    pub fn params(&mut self, p: &FormalParameters) -> Params {
        let mut names_out = Vec::new();
        let mut prologue = Vec::new();
        let mut required = None;
        for (i, item) in p.items.iter().enumerate() {
            let (pattern, default) = match &item.pattern {
                BindingPattern::AssignmentPattern(a) => (&a.left, Some(&a.right)),
                other => (other, item.initializer.as_deref()),
            };
            if default.is_some() && required.is_none() {
                required = Some(i);
            }
            let name = match pattern {
                BindingPattern::BindingIdentifier(id) => {
                    self.declare(id.name.as_str());
                    names::var(id.name.as_str())
                }
                _ => self.fresh("arg"),
            };
            if let Some(d) = default {
                let d = self.expr(d);
                prologue.push(format!("if js_is_undefined({name}) {{ {name} = {d}; }}"));
            }
            if !matches!(pattern, BindingPattern::BindingIdentifier(_)) {
                let mut lines = Vec::new();
                self.destructure(pattern, name.clone(), &mut lines);
                prologue.extend(lines);
            }
            let bound = crate::modules::binding_names(pattern);
            match pattern {
                BindingPattern::BindingIdentifier(id)
                    if i == 0 && self.fresh_accumulator.is_some_and(|(at, _)| at == id.span.start) =>
                {
                    if let Some((_, true)) = self.fresh_accumulator.take() {
                        self.object_vars.insert(id.name.to_string());
                    }
                }
                _ => self.note_params(&bound, "a parameter of this function"),
            }
            names_out.push(name);
        }
        let required = required.unwrap_or(names_out.len());
        if let Some(rest) = &p.rest {
            // `...args`: an array, which the function's callers build (`rest_overloads`,
            // `js_rest`); a pattern (`...[a, b]`) is destructured from it.
            // The array itself is a fresh one, as an array literal is (`args.shift()` changes
            // nothing the caller holds); what a pattern takes out of it are the caller's values.
            let pattern = &rest.rest.argument;
            let name = match pattern {
                BindingPattern::BindingIdentifier(id) => {
                    self.declare(id.name.as_str());
                    names::var(id.name.as_str())
                }
                _ => {
                    let name = self.fresh("rest");
                    let mut lines = Vec::new();
                    self.destructure(pattern, name.clone(), &mut lines);
                    prologue.extend(lines);
                    let bound = crate::modules::binding_names(pattern);
                    self.note_params(&bound, "a parameter of this function");
                    name
                }
            };
            names_out.push(name);
        }
        Params { names: names_out, prologue, required, rest: p.rest.is_some() }
    }

    /// `let`s for each name a destructuring pattern binds from `source` (a Rhai expression).
    pub fn destructure(&mut self, pattern: &BindingPattern, source: String, out: &mut Vec<String>) {
        match pattern {
            BindingPattern::BindingIdentifier(id) => {
                self.declare(id.name.as_str());
                out.push(format!("let {} = {source};", names::var(id.name.as_str())));
            }
            BindingPattern::AssignmentPattern(a) => {
                let value = self.defaulted(source, &a.right);
                self.destructure(&a.left, value, out);
            }
            BindingPattern::ObjectPattern(o) => {
                let tmp = self.fresh("obj");
                out.push(format!("let {tmp} = {source};"));
                let mut taken = Vec::new();
                for p in &o.properties {
                    let Some(key) = self.pattern_key(&p.key, p.computed, p.span, out) else { continue };
                    let access = self.pattern_access(&tmp, &key);
                    self.destructure(&p.value, access, out);
                    taken.push(names::string(&key));
                }
                if let Some(r) = &o.rest {
                    // `{ a, ...rest }`: a copy of the object without the keys named before.
                    let h = self.helper("js_object_rest");
                    self.destructure(&r.argument, format!("{h}({tmp}, [{}])", taken.join(", ")), out);
                }
            }
            BindingPattern::ArrayPattern(a) => {
                let tmp = self.fresh("arr");
                self.iterated(&tmp, source, out);
                for (i, el) in a.elements.iter().enumerate() {
                    if let Some(el) = el {
                        self.destructure(el, format!("{tmp}.get({i})"), out);
                    }
                }
                if let Some(r) = &a.rest {
                    let from = a.elements.len();
                    let h = self.helper("js_slice");
                    self.destructure(&r.argument, format!("{h}({tmp}, {from}, ())"), out);
                }
            }
        }
    }

    /// `source` (a Rhai expression), or `default` where it is undefined: a pattern's default
    /// replaces undefined only (not null), and is worked out only then.
    fn defaulted(&mut self, source: String, default: &Expression) -> String {
        let d = self.expr(default);
        let v = self.fresh("v");
        format!("{{ let {v} = {source}; if js_is_undefined({v}) {{ {d} }} else {{ {v} }} }}")
    }

    /// `let tmp = source;`, what an array pattern reads: its elements as JavaScript iterates
    /// them (a string's characters, a Set's values, a Map's pairs: `js_spread`), where Rhai's
    /// `get` read a Map's key 0. An array is read as it is, with no call.
    fn iterated(&mut self, tmp: &str, source: String, out: &mut Vec<String>) {
        out.push(format!("let {tmp} = {source};"));
        if !source.starts_with('[') {
            let h = self.helper("js_spread");
            out.push(format!("if type_of({tmp}) != \"array\" {{ {tmp} = {h}({tmp}); }}"));
        }
    }

    /// A pattern's key by name; a computed one is listed (as a statement of `out`) and `None`.
    fn pattern_key(&mut self, key: &PropertyKey, computed: bool, span: Span, out: &mut Vec<String>) -> Option<String> {
        match key.static_name() {
            Some(k) if !computed => Some(k.to_string()),
            _ => {
                out.push(self.item(span, ItemKind::Unconvertible, "a computed key in a destructuring pattern"));
                None
            }
        }
    }

    /// The value of `key` in `tmp`, as a pattern reads it: `length` and an index (`{ 0: first }`)
    /// are an array's or a string's too, which Rhai reads otherwise (which the value is shows
    /// when it runs).
    fn pattern_access(&mut self, tmp: &str, key: &str) -> String {
        let index = !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit());
        match names::property(key) {
            _ if key == "length" || index => {
                let h = self.helper("js_pattern_key");
                format!("{h}({tmp}, {})", names::string(key))
            }
            Some(k) => format!("{tmp}.{k}"),
            None => format!("{tmp}[{}]", names::string(key)),
        }
    }

    /// A destructuring assignment (`[a, b] = [b, a]`, `({ x, y: z = 1 } = o)`): each target
    /// assigned from `source` (a Rhai expression) as a destructuring `let` reads it, in a block
    /// whose value is the source, as the assignment's is.
    pub fn destructuring_assignment(&mut self, target: &AssignmentTarget, source: String) -> String {
        let mut out = Vec::new();
        let tmp = self.destructure_into(target, source, &mut out);
        format!("{{ {} {tmp} }}", out.join(" "))
    }

    /// The statements of [`Self::destructuring_assignment`] for `target`; the name holding the
    /// value when `target` is a pattern.
    fn destructure_into(&mut self, target: &AssignmentTarget, source: String, out: &mut Vec<String>) -> String {
        match target {
            AssignmentTarget::ArrayAssignmentTarget(a) => {
                let tmp = self.fresh("arr");
                self.iterated(&tmp, source, out);
                for (i, el) in a.elements.iter().enumerate() {
                    if let Some(el) = el {
                        self.destructure_maybe_default(el, format!("{tmp}.get({i})"), out);
                    }
                }
                if let Some(r) = &a.rest {
                    let h = self.helper("js_slice");
                    self.destructure_into(&r.target, format!("{h}({tmp}, {}, ())", a.elements.len()), out);
                }
                tmp
            }
            AssignmentTarget::ObjectAssignmentTarget(o) => {
                let tmp = self.fresh("obj");
                out.push(format!("let {tmp} = {source};"));
                let mut taken = Vec::new();
                for p in &o.properties {
                    match p {
                        AssignmentTargetProperty::AssignmentTargetPropertyIdentifier(p) => {
                            let key = p.binding.name.to_string();
                            let access = self.pattern_access(&tmp, &key);
                            let value = match &p.init {
                                Some(d) => self.defaulted(access, d),
                                None => access,
                            };
                            let target = self.ident_target(&p.binding);
                            out.push(format!("{target} = {value};"));
                            taken.push(names::string(&key));
                        }
                        AssignmentTargetProperty::AssignmentTargetPropertyProperty(p) => {
                            let Some(key) = self.pattern_key(&p.name, p.computed, p.span, out) else { continue };
                            let access = self.pattern_access(&tmp, &key);
                            self.destructure_maybe_default(&p.binding, access, out);
                            taken.push(names::string(&key));
                        }
                    }
                }
                if let Some(r) = &o.rest {
                    let h = self.helper("js_object_rest");
                    self.destructure_into(&r.target, format!("{h}({tmp}, [{}])", taken.join(", ")), out);
                }
                tmp
            }
            other => {
                let target = self.assign_target_text(other);
                out.push(format!("{target} = {source};"));
                target
            }
        }
    }

    fn destructure_maybe_default(&mut self, el: &AssignmentTargetMaybeDefault, source: String, out: &mut Vec<String>) {
        match el {
            AssignmentTargetMaybeDefault::AssignmentTargetWithDefault(d) => {
                let value = self.defaulted(source, &d.init);
                self.destructure_into(&d.binding, value, out);
            }
            other => {
                if let Some(t) = other.as_assignment_target() {
                    self.destructure_into(t, source, out);
                }
            }
        }
    }

    /// A top-level function: `fn name(params) { … }`, plus one overload per shorter call
    /// (`shorter_overloads`): JavaScript passes `undefined` for the arguments a call leaves out,
    /// where Rhai finds no function of that arity.
    pub fn top_function(&mut self, f: &Function, rhai_name: &str) -> String {
        if f.generator {
            self.item(f.span, ItemKind::Unconvertible, "a generator function: converted as a plain function");
        }
        // A top-level function: its calls are checked (`asyncs.rs`).
        let (was_async, _) = self.enter_function(f.span, f.r#async, "function", true);
        self.push_scope();
        // k6 never reads these functions' argument again: changing it in place is harmless.
        self.params_unobserved = matches!(rhai_name, "handleSummary" | "teardown");
        let params = self.params(&f.params);
        self.params_unobserved = false;
        let body = match &f.body {
            Some(b) => self.function_body(&b.statements, &params.prologue),
            None => String::new(),
        };
        self.pop_scope();
        self.leave_function(was_async);
        let mut body = body;
        if let Some(m) = self.module.clone() {
            if body.contains("self_::") {
                // A module's functions cannot see its variables; they reach them through the module.
                body = format!("{}    import \"{m}\" as self_;\n{body}", self.pad());
            }
        }
        let mark = self.mark(f.span);
        if params.rest {
            // `fn f__rest(a, rest)`, called by an overload per arity (`rest_overloads`).
            let out = format!("{mark}fn {rhai_name}__rest({}) {{\n{body}}}\n", params.names.join(", "));
            return out + &self.rest_overloads(rhai_name, &params.names[..params.names.len() - 1]);
        }
        let out = format!("{mark}fn {rhai_name}({}) {{\n{body}}}\n", params.names.join(", "));
        out + &self.shorter_overloads(rhai_name, &params.names, params.required)
    }

    /// `fn name(a) { name(a, ()) }`, … for each call shorter than `params`: the parameters a
    /// JavaScript call leaves out are `undefined`. Down to `required` (the parameters before
    /// the first default) for every function; below that, not for a function k6 calls itself
    /// (rload passes setup's data by its arity) nor, decided when the whole file is read
    /// (`modules::finish_keywords`), for one used as a value (`xs.map(f)`: Rhai would call the
    /// shortest overload where JavaScript passes the element's index too).
    pub fn shorter_overloads(&self, rhai_name: &str, params: &[String], required: usize) -> String {
        let overload = |arity: usize| {
            let mut args: Vec<String> = params[..arity].to_vec();
            args.extend(std::iter::repeat_n("()".to_string(), params.len() - arity));
            format!("fn {rhai_name}({}) {{ {rhai_name}({}) }}\n", params[..arity].join(", "), args.join(", "))
        };
        let required = required.min(params.len());
        let entry = rhai_name == "run" || (self.module.is_none() && self.exported_fns.contains(rhai_name));
        let mut out = String::new();
        if !entry && required > 0 {
            let lines: String = (0..required).map(overload).collect();
            out.push_str(&format!("\u{6}{rhai_name}\u{1f}{lines}\u{6}"));
        }
        out.extend((required..params.len()).map(overload));
        // Longer calls (`f(a, b, extra)`), known once the whole file is read (`modules::
        // finish_keywords`): JavaScript ignores the arguments beyond the parameters.
        out.push_str(&format!("\u{7}{rhai_name}\u{1f}{}\u{7}", params.join(", ")));
        out
    }

    pub fn function_body(&mut self, stmts: &[Statement], prologue: &[String]) -> String {
        self.indent += 1;
        let pad = self.pad();
        let mut out = String::new();
        for p in prologue {
            out.push_str(&format!("{pad}{p}\n"));
        }
        out.push_str(&self.block_body(stmts));
        self.indent -= 1;
        out
    }

    /// A closure: `|a, b| expr` or `|a| { … }`.
    pub fn arrow(&mut self, f: &ArrowFunctionExpression, _unused: bool) -> String {
        let raw = std::mem::take(&mut self.keep_rest_raw);
        let force = std::mem::take(&mut self.force_param);
        let callback = self.callback_params.take();
        let undefined_beyond = std::mem::take(&mut self.callback_beyond_undefined);
        let checked = std::mem::take(&mut self.asyncs.declaring);
        let at_once = self.enter_arrow();
        let (was_async, listed) = self.enter_function(f.span, f.r#async, "closure", checked);
        self.push_scope();
        self.closure_depth += 1;
        self.closure_scopes.push(self.scopes.len() - 1);
        let params = self.params(&f.params);
        let (rest, refused) = self.rest_closure(f.span, &params, callback.is_some() || force);
        let rest = rest && !raw;
        let mut names_out = params.names.clone();
        if names_out.is_empty() && force {
            names_out.push("_v".into());
        }
        let (extra, prologue) = self.fit_callback(&mut names_out, callback, undefined_beyond, &params.prologue);
        let out = if let Some(body) = f.body.as_expression() {
            let e = if f.r#async { self.async_result(body) } else { self.expr(body) };
            if prologue.is_empty() {
                format!("|{}| {}", names_out.join(", "), strip_parens(&e))
            } else {
                format!("|{}| {{ {} {} }}", names_out.join(", "), prologue.join(" "), e)
            }
        } else if let ArrowFunctionBody::FunctionBody(b) = &f.body {
            let body = self.function_body(&b.statements, &prologue);
            format!("|{}| {{\n{body}{}}}", names_out.join(", "), self.pad())
        } else {
            String::new()
        };
        self.closure_depth -= 1;
        self.closure_scopes.pop();
        self.pop_scope();
        self.leave_function(was_async);
        self.array_params = extra;
        let out = self.capture_this(out);
        self.leave_arrow(at_once);
        let out = self.closure_reaching_its_module(out);
        listed + &refused + &if rest { format!("js_rest({out}, {})", params.names.len() - 1) } else { out }
    }

    /// A closure of a module that reads the module's variables (`self_::X`) imports the module
    /// itself, as the module's functions do: it may run after the function that made it has
    /// returned, from the script that called that function (`make()(1)`), where the function's
    /// own import is gone.
    fn closure_reaching_its_module(&self, closure: String) -> String {
        let Some(m) = &self.module else { return closure };
        if !closure.contains("self_::") {
            return closure;
        }
        let Some(end) = closure[1..].find('|').map(|i| i + 2) else { return closure };
        let (params, body) = closure.split_at(end);
        let import = format!("import \"{m}\" as self_;");
        match body.trim_start().strip_prefix('{') {
            Some(block) => format!("{params} {{ {import}{block}"),
            None => format!("{params} {{ {import} {} }}", body.trim_start()),
        }
    }

    /// A `function` closure: its `this` is not a method's instance (`classes.rs`).
    pub fn function_expr(&mut self, f: &Function, unused: bool) -> String {
        self.without_this(|conv| conv.function_closure(f, unused))
    }

    pub(crate) fn function_closure(&mut self, f: &Function, _unused: bool) -> String {
        let force = std::mem::take(&mut self.force_param);
        let callback = self.callback_params.take();
        let undefined_beyond = std::mem::take(&mut self.callback_beyond_undefined);
        if f.generator {
            self.item(f.span, ItemKind::Unconvertible, "a generator function: converted as a plain closure");
        }
        let (was_async, listed) = self.enter_function(f.span, f.r#async, "function", false);
        self.push_scope();
        self.closure_depth += 1;
        self.closure_scopes.push(self.scopes.len() - 1);
        if let Some(id) = &f.id {
            self.declare(id.name.as_str());
        }
        let params = self.params(&f.params);
        let (rest, refused) = self.rest_closure(f.span, &params, callback.is_some() || force);
        let mut names_out = params.names.clone();
        if names_out.is_empty() && force {
            names_out.push("_v".into());
        }
        let (extra, prologue) = self.fit_callback(&mut names_out, callback, undefined_beyond, &params.prologue);
        let body = match &f.body {
            Some(b) => self.function_body(&b.statements, &prologue),
            None => String::new(),
        };
        self.closure_depth -= 1;
        self.closure_scopes.pop();
        self.pop_scope();
        self.leave_function(was_async);
        self.array_params = extra;
        let closure = format!("|{}| {{\n{body}{}}}", names_out.join(", "), self.pad());
        let closure = self.closure_reaching_its_module(closure);
        listed + &refused + &if rest { format!("js_rest({closure}, {})", params.names.len() - 1) } else { closure }
    }

    /// A callback takes at most the `want` arguments its caller passes (exactly, when `pad`:
    /// missing ones get unused names). The parameters beyond are `undefined` in the closure
    /// itself when `undefined_beyond` (a `let` each, before the prologue that may give them
    /// defaults), or else returned (JavaScript's third argument of an array method's callback,
    /// the array) for the call to bind around the closure. Gives those and the prologue.
    fn fit_callback(
        &mut self,
        names_out: &mut Vec<String>,
        want: Option<(usize, bool)>,
        undefined_beyond: bool,
        prologue: &[String],
    ) -> (Vec<String>, Vec<String>) {
        let Some((want, pad)) = want else { return (Vec::new(), prologue.to_vec()) };
        if names_out.len() <= want && !pad {
            return (Vec::new(), prologue.to_vec());
        }
        while names_out.len() < want {
            let unused = self.fresh("_unused");
            names_out.push(unused);
        }
        let beyond = names_out.split_off(want);
        if !undefined_beyond {
            return (beyond, prologue.to_vec());
        }
        let mut lets: Vec<String> = beyond.iter().map(|p| format!("let {p} = ();")).collect();
        lets.extend_from_slice(prologue);
        (Vec::new(), lets)
    }
}
