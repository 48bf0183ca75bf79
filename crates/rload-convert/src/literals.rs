//! Literals: template strings, arrays and objects (`#{…}` maps). A duplicated key keeps its
//! last value; spreads merge with `+`; computed keys are set one by one; an object or array
//! written over several lines in the JavaScript stays so in the Rhai. Each `${…}` of a template
//! is JavaScript's text of its value (`kinds.rs`). A property set to `undefined` holds a plain
//! `()`, which `js_json` (JSON.stringify) leaves out; `null` is the `()` tagged as null
//! (`js_null()`).

use oxc_ast::ast::*;

use crate::conv::Conv;
use crate::expr::strip_parens;
use crate::names;

impl Conv<'_> {
    pub fn template(&mut self, t: &TemplateLiteral) -> String {
        let cooked: Vec<String> = t
            .quasis
            .iter()
            .map(|q| q.value.cooked.as_ref().map(|c| c.as_str()).unwrap_or(q.value.raw.as_str()).to_string())
            .collect();
        let plain = cooked
            .iter()
            .all(|c| !c.contains(['`', '\\', '\n', '\r']) && !c.contains("${") && !c.chars().any(|ch| ch.is_control()));
        if plain {
            let mut out = String::from("`");
            for (i, q) in cooked.iter().enumerate() {
                out.push_str(q);
                if let Some(e) = t.expressions.get(i) {
                    let inner = self.expr(e);
                    let inner = strip_parens(&self.text_part(e, &inner)).to_string();
                    out.push_str(&format!("${{{inner}}}"));
                }
            }
            out.push('`');
            return out;
        }
        let mut parts = Vec::new();
        for (i, q) in cooked.iter().enumerate() {
            if !q.is_empty() {
                parts.push(names::string(q));
            }
            if let Some(e) = t.expressions.get(i) {
                let inner = self.expr(e);
                let inner = strip_parens(&self.text_part(e, &inner)).to_string();
                parts.push(format!("`${{{inner}}}`"));
            }
        }
        if parts.is_empty() {
            return "\"\"".into();
        }
        format!("({})", parts.join(" + "))
    }

    /// k6's `` http.url`${BASE}/posts/${id}` ``: rload's `http.url("${v0}/posts/${v1}", #{ v0:
    /// BASE, v1: id })`, a URL whose requests carry the template as their `name` and `url` tags
    /// (`${}` for each value), as k6's do. Any other tag is not converted.
    pub fn tagged_template(&mut self, t: &TaggedTemplateExpression) -> String {
        let tag = self.expr(&t.tag);
        let cooked: Vec<String> = t
            .quasi
            .quasis
            .iter()
            .map(|q| q.value.cooked.as_ref().map(|c| c.as_str()).unwrap_or(q.value.raw.as_str()).to_string())
            .collect();
        if tag != "http.url" || cooked.iter().any(|q| q.contains("${")) {
            return self.unconvertible(t.span, "a tagged template other than k6's http.url`…`");
        }
        let (mut template, mut values) = (String::new(), Vec::new());
        for (i, q) in cooked.iter().enumerate() {
            template.push_str(q);
            if let Some(e) = t.quasi.expressions.get(i) {
                let value = self.expr(e);
                template.push_str(&format!("${{v{i}}}"));
                values.push(format!("v{i}: {}", strip_parens(&value)));
            }
        }
        format!("http.url({}, #{{ {} }})", names::string(&template), values.join(", "))
    }

    pub fn array(&mut self, a: &ArrayExpression) -> String {
        // Written over several lines in the JavaScript: one element a line in the Rhai too.
        let multiline = self.spans_lines(a.span)
            && a.elements.len() >= 2
            && !a.elements.iter().any(|e| matches!(e, ArrayExpressionElement::SpreadElement(_)));
        if multiline {
            self.indent += 1;
            let items: Vec<String> = a
                .elements
                .iter()
                .map(|el| match el {
                    ArrayExpressionElement::Elision(e) => self.unconvertible(e.span, "an array hole"),
                    other => {
                        let t = self.expr(other.to_expression());
                        strip_parens(&t).to_string()
                    }
                })
                .collect();
            let pad = self.pad();
            self.indent -= 1;
            return format!(
                "[\n{}\n{}]",
                items.iter().map(|i| format!("{pad}{i},")).collect::<Vec<_>>().join("\n"),
                self.pad()
            );
        }
        let mut segments: Vec<String> = Vec::new();
        let mut current: Vec<String> = Vec::new();
        for el in &a.elements {
            match el {
                ArrayExpressionElement::SpreadElement(s) => {
                    if !current.is_empty() {
                        segments.push(format!("[{}]", current.join(", ")));
                        current.clear();
                    }
                    // What JavaScript iterates (Rhai's `+` would add a string as one element).
                    let v = self.expr(&s.argument);
                    segments.push(self.spread_segment(&s.argument, v));
                }
                ArrayExpressionElement::Elision(e) => current.push(self.unconvertible(e.span, "an array hole")),
                other => {
                    let e = other.to_expression();
                    current.push(self.expr(e));
                }
            }
        }
        if !current.is_empty() || segments.is_empty() {
            segments.push(format!("[{}]", current.join(", ")));
        }
        if segments.len() == 1 && segments[0].starts_with('[') {
            return segments.remove(0);
        }
        // `[...a]` copies `a`; `[] + a` does too.
        format!("([] + {})", segments.join(" + "))
    }

    /// A scenario's `exec: "name"` naming an exported function of the main script that Rhai
    /// spells otherwise (`match` is `match_`, `my$fn` is `my_fn_`): the Rhai name, so the
    /// scenario runs the function k6 would.
    fn exec_name(&self, name: &str) -> Option<String> {
        let rhai = names::var(name);
        (self.module.is_none() && rhai != name && self.exported_fns.contains(&rhai)).then(|| names::string(&rhai))
    }

    pub fn object(&mut self, o: &ObjectExpression) -> String {
        // Static keys: the last value of a duplicated key wins, at the first one's place.
        // Inside `check(v, {…})` every function value gets a parameter if it has none.
        let force = std::mem::take(&mut self.force_param);
        // The variable this literal initialises, whose methods get `this` (`objects.rs`).
        let declaring = self.obj_state.declaring.take();
        let multiline = self.spans_lines(o.span)
            && o.properties.len() >= 2
            && o.properties.iter().all(|p| matches!(p, ObjectPropertyKind::ObjectProperty(p) if !p.computed));
        if multiline {
            self.indent += 1;
        }
        let mut segments: Vec<String> = Vec::new();
        let mut entries: Vec<(String, String)> = Vec::new();
        let mut computed: Vec<(String, String)> = Vec::new();
        let flush = |segments: &mut Vec<String>,
                     entries: &mut Vec<(String, String)>,
                     computed: &mut Vec<(String, String)>,
                     conv: &mut Self| {
            if entries.is_empty() && computed.is_empty() {
                return;
            }
            let body = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ");
            let map = if body.is_empty() { "#{}".to_string() } else { format!("#{{ {body} }}") };
            if computed.is_empty() {
                segments.push(map);
            } else {
                let t = conv.fresh("obj");
                let sets: String = computed.iter().map(|(k, v)| format!(" {t}[{k}] = {v};")).collect();
                segments.push(format!("{{ let {t} = {map};{sets} {t} }}"));
            }
            entries.clear();
            computed.clear();
        };
        for p in &o.properties {
            match p {
                ObjectPropertyKind::SpreadProperty(s) => {
                    flush(&mut segments, &mut entries, &mut computed, self);
                    let v = self.expr(&s.argument);
                    // `{ ...opts }` of null or undefined adds nothing; of an array or a string
                    // its elements by index (js_spread_object).
                    if matches!(s.argument, Expression::ObjectExpression(_)) {
                        segments.push(v);
                    } else {
                        let h = self.helper("js_spread_object");
                        segments.push(format!("{h}({})", strip_parens(&v)));
                    }
                }
                ObjectPropertyKind::ObjectProperty(p) => {
                    if p.kind != PropertyKind::Init {
                        let c = self.unconvertible(
                            p.span,
                            "a getter or setter in an object literal (`get name() {…}`): rload has no accessors; write a method and call it (`name() {…}`, `o.name()`)",
                        );
                        entries.push(("\"_\"".into(), c));
                        continue;
                    }
                    self.force_param = force;
                    let value = match &p.value {
                        Expression::FunctionExpression(f) if declaring.is_some() && !p.computed => {
                            let key = p.key.static_name().map(|k| k.to_string()).unwrap_or_default();
                            self.object_method(declaring.as_deref(), &key, f)
                        }
                        Expression::FunctionExpression(f) => self.object_method(None, "", f),
                        v => self.expr(v),
                    };
                    self.force_param = false;
                    let static_key = if p.computed {
                        match &p.key {
                            PropertyKey::StringLiteral(s) => Some(s.value.as_str().to_string()),
                            _ => None,
                        }
                    } else {
                        p.key.static_name().map(|k| k.to_string())
                    };
                    let value = match (static_key.as_deref(), &p.value) {
                        (Some("exec"), Expression::StringLiteral(s)) => {
                            self.exec_name(s.value.as_str()).unwrap_or(value)
                        }
                        _ => value,
                    };
                    match static_key {
                        Some(k) if computed.is_empty() => {
                            let key = names::key(&k);
                            if let Some(slot) = entries.iter_mut().find(|(ek, _)| *ek == key) {
                                slot.1 = value;
                            } else {
                                entries.push((key, value));
                            }
                        }
                        Some(k) => computed.push((names::string(&k), value)),
                        None => {
                            let key_expr = p.key.as_expression().map(|e| self.expr(e)).unwrap_or_else(|| "\"\"".into());
                            computed.push((key_expr, value));
                        }
                    }
                }
            }
        }
        if multiline {
            let pad = self.pad();
            self.indent -= 1;
            if segments.is_empty() && computed.is_empty() {
                let lines: Vec<String> =
                    entries.iter().map(|(k, v)| format!("{pad}{k}: {},", strip_parens(v))).collect();
                return format!("#{{\n{}\n{}}}", lines.join("\n"), self.pad());
            }
        }
        flush(&mut segments, &mut entries, &mut computed, self);
        match segments.len() {
            0 => "#{}".into(),
            1 if !matches!(o.properties.first(), Some(ObjectPropertyKind::SpreadProperty(_))) => segments.remove(0),
            // `{...a}` copies `a`; `#{} + a` does too.
            _ => format!("(#{{}} + {})", segments.join(" + ")),
        }
    }
}
