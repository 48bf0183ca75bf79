//! A scenario's `exec` names the exported function by its JavaScript name; where Rhai spells that
//! function otherwise (a reserved word, a `$`), the converted options name the Rhai function.
//! tests/convert_corpus/51-exec-names-rhai-reserves.js runs such scenarios under k6 and rload.

use rload_convert::convert_source;

#[test]
fn exec_names_the_rhai_spelling_of_an_exported_function_and_nothing_else() {
    let js = "export const options = { scenarios: {\n\
              a: { executor: 'shared-iterations', exec: 'match' },\n\
              b: { executor: 'shared-iterations', exec: 'my$fn' },\n\
              c: { executor: 'shared-iterations', exec: 'default' },\n\
              d: { executor: 'shared-iterations', exec: 'plain' },\n\
              } };\n\
              const other = { exec: 'go' };\n\
              export default function () {}\n\
              export function match() {}\n\
              export function my$fn() {}\n\
              export function plain() {}\n\
              function go() {}\n";
    let (c, items) = convert_source("t.js", js).unwrap();
    assert!(items.is_empty(), "{items:?}");
    for want in [r#"exec: "match_""#, r#"exec: "my_fn_""#, r#"exec: "default""#, r#"exec: "plain""#, r#"exec: "go""#] {
        assert!(c.rhai.contains(want), "{want} not in:\n{}", c.rhai);
    }
    assert!(c.rhai.contains("fn match_()") && c.rhai.contains("fn my_fn_()"), "{}", c.rhai);
}
