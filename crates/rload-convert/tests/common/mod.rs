//! Helpers shared by the converter's tests: a body converted inside a default function, and the
//! reasons of the places it lists as not converted.

use rload_convert::{convert_source, Item, ItemKind};

/// `body` converted as the body of `export default function`: the Rhai text and the items listed.
pub fn convert(body: &str) -> (String, Vec<Item>) {
    let js = format!("export default function () {{\n{body}\n}}\n");
    let (c, items) = convert_source("t.js", &js).unwrap();
    (c.rhai, items)
}

/// The reasons of the places listed as not converted.
pub fn not_converted(items: &[Item]) -> Vec<String> {
    items.iter().filter(|i| i.kind == ItemKind::Unconvertible).map(|i| i.reason.clone()).collect()
}
