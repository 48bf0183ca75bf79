//! k6's `Selection` and `Element` (k6/html) over scraper's parsed document: which nodes a
//! traversal reaches and what a reader returns, with no Rhai in sight ([`super`] binds them).
//!
//! A [`Selection`] is a shared parsed document and a list of its node ids in document order,
//! as goquery's (k6's) is: traversals return new selections over the same document, so a
//! chain of `find`s parses once. The document lives in an `Rc` (a VU's values never leave
//! its thread), and is parsed per `res.html()` / `parseHTML` call, as in k6.

use std::collections::HashSet;
use std::rc::Rc;

use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node, Selector};

/// A set of nodes of one document (k6's `Selection`).
#[derive(Clone)]
pub struct Selection {
    doc: Rc<Html>,
    nodes: Rc<[NodeId]>,
}

/// One element of a document (k6's `Element`, what `each` and `get` hand out).
#[derive(Clone)]
pub struct Element {
    doc: Rc<Html>,
    node: NodeId,
}

/// A CSS selector, parsed; the error quotes the selector as the script wrote it.
pub fn selector(css: &str) -> Result<Selector, String> {
    Selector::parse(css).map_err(|e| format!("invalid CSS selector \"{css}\": {e}"))
}

/// Whether `node` is an element that `sel` matches.
fn matches(node: NodeRef<'_, Node>, sel: &Selector) -> bool {
    ElementRef::wrap(node).is_some_and(|e| sel.matches(&e))
}

fn is_element(node: &NodeRef<'_, Node>) -> bool {
    node.value().is_element()
}

/// The text of `node` and its descendants, as goquery's `Text`.
fn text_of(node: NodeRef<'_, Node>, out: &mut String) {
    for d in node.descendants() {
        if let Node::Text(text) = d.value() {
            out.push_str(text);
        }
    }
}

impl Selection {
    /// `parseHTML(src)`: the document node, from which `find` searches.
    pub fn parse(src: &str) -> Selection {
        let doc = Html::parse_document(src);
        let root = doc.tree.root().id();
        Selection { doc: Rc::new(doc), nodes: Rc::from([root]) }
    }

    fn node(&self, id: NodeId) -> NodeRef<'_, Node> {
        self.doc.tree.get(id).expect("a selection's ids come from its own document")
    }

    fn iter(&self) -> impl Iterator<Item = NodeRef<'_, Node>> + '_ {
        self.nodes.iter().map(|id| self.node(*id))
    }

    /// A selection of `ids` over the same document, duplicates removed, in document order.
    fn with(&self, ids: Vec<NodeId>) -> Selection {
        let ids = if ids.len() > 1 {
            let wanted: HashSet<NodeId> = ids.into_iter().collect();
            self.doc.tree.root().descendants().map(|n| n.id()).filter(|id| wanted.contains(id)).collect()
        } else {
            ids
        };
        Selection { doc: Rc::clone(&self.doc), nodes: ids.into() }
    }

    /// `ids` kept in the order given (already in document order and unique).
    fn ordered(&self, ids: Vec<NodeId>) -> Selection {
        Selection { doc: Rc::clone(&self.doc), nodes: ids.into() }
    }

    fn filtered(nodes: impl Iterator<Item = NodeId>, doc: &Html, sel: Option<&Selector>) -> Vec<NodeId> {
        nodes.filter(|id| sel.is_none_or(|s| doc.tree.get(*id).is_some_and(|n| matches(n, s)))).collect()
    }

    pub fn size(&self) -> usize {
        self.nodes.len()
    }

    pub fn element(&self, index: usize) -> Option<Element> {
        let node = *self.nodes.get(index)?;
        is_element(&self.node(node)).then(|| Element { doc: Rc::clone(&self.doc), node })
    }

    /// Each node as a selection of its own (`toArray`, and the `each` of k6's Selection).
    pub fn one_by_one(&self) -> Vec<Selection> {
        self.nodes.iter().map(|id| self.ordered(vec![*id])).collect()
    }

    pub fn find(&self, sel: &Selector) -> Selection {
        let ids = self.iter().flat_map(|n| n.descendants().skip(1)).filter(|d| matches(*d, sel)).map(|d| d.id());
        self.with(ids.collect())
    }

    pub fn children(&self, sel: Option<&Selector>) -> Selection {
        let ids = self.iter().flat_map(|n| n.children()).filter(is_element).map(|c| c.id());
        self.with(Self::filtered(ids, &self.doc, sel))
    }

    /// Children of every kind: text and comments too.
    pub fn contents(&self) -> Selection {
        self.with(self.iter().flat_map(|n| n.children()).map(|c| c.id()).collect())
    }

    pub fn parent(&self, sel: Option<&Selector>) -> Selection {
        let ids = self.iter().filter_map(|n| n.parent()).filter(is_element).map(|p| p.id());
        self.with(Self::filtered(ids, &self.doc, sel))
    }

    /// Ancestors up to the first that matches `until` (excluded), optionally filtered.
    pub fn parents(&self, sel: Option<&Selector>, until: Option<&Selector>) -> Selection {
        let ids = self.iter().flat_map(|n| {
            n.ancestors().filter(is_element).take_while(|a| until.is_none_or(|u| !matches(*a, u))).map(|a| a.id())
        });
        self.with(Self::filtered(ids, &self.doc, sel))
    }

    pub fn closest(&self, sel: &Selector) -> Selection {
        let ids = self.iter().filter_map(|n| std::iter::once(n).chain(n.ancestors()).find(|a| matches(*a, sel)));
        self.with(ids.map(|n| n.id()).collect())
    }

    /// `next`/`nextAll`/`nextUntil` (`forward`) and their `prev` mirrors: element siblings
    /// on one side, the nearest only (`all` false) or up to the first matching `until`.
    pub fn siblings_on_side(
        &self,
        forward: bool,
        all: bool,
        sel: Option<&Selector>,
        until: Option<&Selector>,
    ) -> Selection {
        let ids = self.iter().flat_map(|n| {
            let side: Box<dyn Iterator<Item = NodeRef<'_, Node>>> =
                if forward { Box::new(n.next_siblings()) } else { Box::new(n.prev_siblings()) };
            let elements = side.filter(is_element).take_while(|s| until.is_none_or(|u| !matches(*s, u)));
            elements.take(if all { usize::MAX } else { 1 }).map(|s| s.id()).collect::<Vec<_>>()
        });
        self.with(Self::filtered(ids, &self.doc, sel))
    }

    pub fn siblings(&self, sel: Option<&Selector>) -> Selection {
        let ids = self.iter().flat_map(|n| {
            let own = n.id();
            n.parent()
                .into_iter()
                .flat_map(|p| p.children())
                .filter(is_element)
                .map(|c| c.id())
                .filter(move |c| *c != own)
        });
        self.with(Self::filtered(ids, &self.doc, sel))
    }

    /// The nodes for which `keep(index, selection of that node)` holds, in order.
    pub fn retain<E>(&self, mut keep: impl FnMut(usize, &Selection) -> Result<bool, E>) -> Result<Selection, E> {
        let mut ids = Vec::new();
        for (i, one) in self.one_by_one().into_iter().enumerate() {
            if keep(i, &one)? {
                ids.push(one.nodes[0]);
            }
        }
        Ok(self.ordered(ids))
    }

    pub fn matching(&self, sel: &Selector) -> Selection {
        self.ordered(self.iter().filter(|n| matches(*n, sel)).map(|n| n.id()).collect())
    }

    pub fn not_matching(&self, sel: &Selector) -> Selection {
        self.ordered(self.iter().filter(|n| !matches(*n, sel)).map(|n| n.id()).collect())
    }

    /// The nodes with a descendant that `sel` matches.
    pub fn has(&self, sel: &Selector) -> Selection {
        self.ordered(self.iter().filter(|n| n.descendants().skip(1).any(|d| matches(d, sel))).map(|n| n.id()).collect())
    }

    pub fn is(&self, sel: &Selector) -> bool {
        self.iter().any(|n| matches(n, sel))
    }

    /// `eq(i)`: a negative index counts from the end; out of range gives an empty selection.
    pub fn eq(&self, index: i64) -> Selection {
        let len = self.nodes.len() as i64;
        let at = if index < 0 { len + index } else { index };
        let ids = if (0..len).contains(&at) { vec![self.nodes[at as usize]] } else { Vec::new() };
        self.ordered(ids)
    }

    /// `slice(start, end)`, with jQuery's negative indexes from the end.
    pub fn slice(&self, start: i64, end: Option<i64>) -> Selection {
        let len = self.nodes.len() as i64;
        let clamp = |i: i64| (if i < 0 { len + i } else { i }).clamp(0, len) as usize;
        let (from, to) = (clamp(start), clamp(end.unwrap_or(len)));
        self.ordered(if from < to { self.nodes[from..to].to_vec() } else { Vec::new() })
    }

    /// `index()`: the first node's position among its element siblings; -1 when empty.
    pub fn index(&self) -> i64 {
        self.iter().next().map_or(-1, |n| n.prev_siblings().filter(is_element).count() as i64)
    }

    /// `index(selector)`: the first node's position among the document's nodes `sel` matches.
    pub fn index_among(&self, sel: &Selector) -> i64 {
        let Some(first) = self.nodes.first() else { return -1 };
        let mut all = self.doc.tree.root().descendants().filter(|d| matches(*d, sel));
        all.position(|d| d.id() == *first).map_or(-1, |i| i as i64)
    }

    /// The combined text of every node and its descendants.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for n in self.iter() {
            text_of(n, &mut out);
        }
        out
    }

    /// The first node's inner HTML; `None` for an empty selection.
    pub fn html(&self) -> Option<String> {
        let first = self.iter().next()?;
        Some(match ElementRef::wrap(first) {
            Some(element) => element.inner_html(),
            None if first.value().is_document() => self.doc.html(),
            None => String::new(),
        })
    }

    /// The first element's attribute.
    pub fn attr(&self, name: &str) -> Option<String> {
        let first = ElementRef::wrap(self.iter().next()?)?;
        first.attr(name).map(str::to_owned)
    }

    pub fn first_element(&self) -> Option<Element> {
        self.element(0)
    }
}

/// What `val()` reads from a form element.
#[derive(Debug, PartialEq)]
pub enum Value {
    One(String),
    Many(Vec<String>),
}

impl Element {
    fn node(&self) -> NodeRef<'_, Node> {
        self.doc.tree.get(self.node).expect("an element's id comes from its own document")
    }

    fn element(&self) -> ElementRef<'_> {
        ElementRef::wrap(self.node()).expect("an Element is built from an element node")
    }

    /// The element as a selection of one (k6's `element.selection()`).
    pub fn selection(&self) -> Selection {
        Selection { doc: Rc::clone(&self.doc), nodes: Rc::from([self.node]) }
    }

    /// The lower-case tag name (`a`, `input`).
    pub fn tag(&self) -> &str {
        self.element().value().name()
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.element().value().attr(name)
    }

    /// The attributes in source order.
    pub fn attrs(&self) -> Vec<(String, String)> {
        self.element().value().attrs().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        text_of(self.node(), &mut out);
        out
    }

    pub fn inner_html(&self) -> String {
        self.element().inner_html()
    }

    pub fn outer_html(&self) -> String {
        self.element().html()
    }

    pub fn classes(&self) -> Vec<String> {
        self.element().value().classes().map(str::to_owned).collect()
    }

    pub fn has_child_nodes(&self) -> bool {
        self.node().has_children()
    }

    fn related(&self, node: Option<NodeRef<'_, Node>>) -> Option<Element> {
        node.map(|n| Element { doc: Rc::clone(&self.doc), node: n.id() })
    }

    pub fn children(&self) -> Vec<Element> {
        self.node().children().filter(is_element).filter_map(|c| self.related(Some(c))).collect()
    }

    pub fn parent(&self) -> Option<Element> {
        self.related(self.node().parent().filter(is_element))
    }

    pub fn sibling(&self, forward: bool) -> Option<Element> {
        let node = self.node();
        let next = if forward { node.next_siblings().find(is_element) } else { node.prev_siblings().find(is_element) };
        self.related(next)
    }

    pub fn matches(&self, sel: &Selector) -> bool {
        matches(self.node(), sel)
    }

    /// k6's `val()` of a form element: an input's `value` (`"on"` for a checkbox or radio
    /// without one), a button's, a textarea's inner HTML, an option's value or inner HTML, a
    /// select's selected option(s) (`""` when none is marked selected).
    pub fn value(&self) -> Option<Value> {
        let option_value = |o: &Element| o.attr("value").map_or_else(|| o.inner_html(), str::to_owned);
        let attr_or = |default: &str| self.attr("value").unwrap_or(default).to_owned();
        match self.tag() {
            "input" if matches!(self.attr("type"), Some("radio" | "checkbox")) => Some(Value::One(attr_or("on"))),
            "input" | "button" => Some(Value::One(attr_or(""))),
            "textarea" => Some(Value::One(self.inner_html())),
            "option" => Some(Value::One(option_value(self))),
            "select" => {
                let found = self.selection().find(&selector("option[selected]").expect("a valid selector"));
                let selected: Vec<String> =
                    (0..found.size()).filter_map(|i| found.element(i)).map(|o| option_value(&o)).collect();
                if self.attr("multiple").is_some() {
                    Some(Value::Many(selected))
                } else {
                    Some(Value::One(selected.into_iter().next().unwrap_or_default()))
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html><head><title>Shop</title></head><body>
        <ul id="menu"><li class="a">One</li><li class="b">Two</li><li class="a">Three</li></ul>
        <form><input name="csrf" value="t0k"><textarea name="t">hi</textarea>
        <select name="s"><option value="1">x</option><option selected>y</option></select>
        <select name="n"><option value="1">x</option></select><input type="checkbox" name="c"></form>
        </body></html>"#;

    fn css(s: &str) -> Selector {
        selector(s).unwrap()
    }

    #[test]
    fn find_reads_text_and_attributes_as_goquery_does() {
        let doc = Selection::parse(PAGE);
        assert_eq!(doc.find(&css("title")).text(), "Shop");
        assert_eq!(doc.find(&css("li")).size(), 3);
        assert_eq!(doc.find(&css("li")).text(), "OneTwoThree", "text() joins every node's text");
        assert_eq!(doc.find(&css("li.a")).eq(-1).text(), "Three");
        assert_eq!(doc.find(&css("input[name=csrf]")).attr("value").as_deref(), Some("t0k"));
        assert_eq!(doc.find(&css("input")).attr("missing"), None);
        assert_eq!(
            doc.find(&css("ul")).html().unwrap(),
            r#"<li class="a">One</li><li class="b">Two</li><li class="a">Three</li>"#
        );
        assert!(doc.find(&css("nav")).html().is_none());
        assert!(selector("li[").is_err());
    }

    #[test]
    fn traversals_keep_document_order_without_duplicates() {
        let doc = Selection::parse(PAGE);
        let items = doc.find(&css("li"));
        assert_eq!(items.parent(None).size(), 1, "three children, one parent");
        assert_eq!(doc.find(&css("ul")).children(Some(&css(".a"))).text(), "OneThree");
        assert_eq!(doc.find(&css("li.b")).siblings_on_side(true, false, None, None).text(), "Three");
        assert_eq!(doc.find(&css("li.b")).siblings_on_side(false, false, None, None).text(), "One");
        assert_eq!(doc.find(&css("li.b")).siblings(None).text(), "OneThree");
        assert_eq!(doc.find(&css("li.b")).index(), 1);
        assert_eq!(doc.find(&css("li.a")).closest(&css("ul")).attr("id").as_deref(), Some("menu"));
        assert_eq!(doc.find(&css("li")).slice(1, None).text(), "TwoThree");
        assert_eq!(doc.find(&css("body > *")).has(&css("li")).size(), 1);
        assert!(items.is(&css(".b")));
        assert_eq!(items.not_matching(&css(".a")).text(), "Two");
    }

    #[test]
    fn form_values_are_read_as_k6_reads_them() {
        let doc = Selection::parse(PAGE);
        let value = |css_text: &str| match doc.find(&css(css_text)).first_element().unwrap().value() {
            Some(Value::One(v)) => v,
            _ => panic!("{css_text}"),
        };
        assert_eq!(value("input"), "t0k");
        assert_eq!(value("textarea"), "hi");
        assert_eq!(value("select"), "y", "the selected option, its text without a value attribute");
        assert_eq!(value("select[name=n]"), "", "no option marked selected");
        assert_eq!(value("input[type=checkbox]"), "on");
    }
}
