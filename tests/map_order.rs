//! A Rhai map keeps its keys in insertion order (vendor/rhai/RLOAD-PATCH.md, the fourth change),
//! as a JavaScript object does: a map literal in the literal's order, and Rhai's own map
//! functions in the map's order; `to_json()` writes as `JSON.stringify` does, array-index keys
//! first. Before, a map was sorted: `#{b: 1, a: 2}.keys()` was `["a", "b"]`.
//! (Converted k6 scripts: tests/convert_corpus/98-object-key-order.js.)
mod common;
use common::*;

#[test]
fn a_rhai_map_keeps_its_keys_in_insertion_order() {
    let s = script(
        r#"
        fn run() {
            let m = #{b: 1, a: 2};
            let r = #{b: 1, a: 2, c: 3};
            r.remove("b");
            r.b = 4;
            let merged = #{z: 0} + #{b: 1, a: 2};
            let mixed = #{b: 1, a: 2};
            mixed.mixin(#{c: 3, b: 5});
            let filled = #{b: 1};
            filled.fill_with(#{z: 2, a: 3, b: 9});
            let kept = #{d: 1, c: 2, b: 3, a: 4};
            let gone = kept.drain(|k, v| v % 2 == 0);
            check(m, #{
                "keys() in the literal's order": |m| m.keys() == ["b", "a"],
                "values() in the literal's order": |m| m.values() == [1, 2],
                "to_json() in the literal's order": |m| m.to_json() == `{"b":1,"a":2}`,
                "remove then insert goes last": |x| r.keys() == ["a", "c", "b"],
                "+ appends the new keys": |x| merged.keys() == ["z", "b", "a"],
                "mixin keeps a key's place": |x| mixed.keys() == ["b", "a", "c"] && mixed.b == 5,
                "fill_with appends the missing keys": |x| filled.keys() == ["b", "z", "a"] && filled.b == 1,
                "drain keeps each side's order": |x| kept.keys() == ["d", "b"] && gone.keys() == ["c", "a"],
                "filter keeps the order": |m| m.filter(|k, v| true).keys() == ["b", "a"],
                "== ignores the order": |m| m == #{a: 2, b: 1},
                "parse_json keeps the document's order": |x| parse_json(`{"y":1,"x":{"q":1,"p":2}}`).to_json() == `{"y":1,"x":{"q":1,"p":2}}`,
                "to_json() writes array-index keys first": |x| #{b: 1, "10": 2, "2": 3}.to_json() == `{"2":3,"10":2,"b":1}`,
            });
        }
    "#,
    );
    rload(&s, &["-i", "1"]).assert_all_checks_pass(12);
}
