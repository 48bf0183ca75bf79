//! Labeled `break` and `continue`, labeled blocks and `continue` in `do … while`: a jump that
//! crosses Rhai loops sets a flag that each loop on the way out tests (`labels.rs`).
//! tests/convert_corpus/105-labels-and-classes.js runs these under k6 and rload.

mod common;
use common::{convert, not_converted};

#[test]
fn continue_and_break_to_an_outer_loop_set_a_flag_tested_after_the_inner_loop() {
    let js = "outer: for (const a of rows) { for (const b of a.cells) { if (b.skip) continue outer; if (b.stop) break outer; g(b); } h(a); }";
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    assert!(rhai.contains("let continued1 = false;\n    let broke2 = false;\n    for a in rows {"), "{rhai}");
    assert!(rhai.contains("{ continued1 = true; break; }") && rhai.contains("{ broke2 = true; break; }"), "{rhai}");
    // Right after the inner loop, before the rest of the outer body.
    let after = rhai.find("if continued1 { continued1 = false; continue; }").expect(&rhai);
    assert!(rhai[after..].contains("if broke2 { break; }\n        h(a);"), "{rhai}");
}

#[test]
fn a_jump_through_two_inner_loops_leaves_each() {
    let js = "top: while (x()) { for (const a of as) { for (const b of a) { if (b) continue top; } k(); } }";
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    // After the innermost loop: leave the middle one; after the middle one: continue the outer.
    let inner = rhai.find("if continued1 { break; }").expect(&rhai);
    let outer = rhai.find("if continued1 { continued1 = false; continue; }").expect(&rhai);
    assert!(inner < rhai.find("k();").unwrap() && rhai.find("k();").unwrap() < outer, "{rhai}");
}

#[test]
fn a_jump_to_the_loop_it_is_in_stays_rhais_own() {
    let js = "outer: for (const a of as) { if (a) continue outer; if (!a) break outer; }";
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    assert!(rhai.contains("continue;") && rhai.contains("break;") && !rhai.contains("continued"), "{rhai}");
}

#[test]
fn a_continue_in_do_while_runs_its_test() {
    // Rhai's `continue` in `do … while` skips the test: a `while` that skips it only at first.
    let (rhai, items) = convert("let n = 0; do { n++; if (n % 2) continue; g(n); } while (n < 6);");
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    assert!(
        rhai.contains("let first1 = true;\n    while first1 || (js_compare(n, 6, \"<\")) {\n        first1 = false;"),
        "{rhai}"
    );
    assert!(!rhai.contains("do {"), "{rhai}");
    // Without a `continue` it stays a `do … while`.
    let (rhai, _) = convert("let n = 0; do { n++; } while (n < 6);");
    assert!(rhai.contains("do {"), "{rhai}");
}

#[test]
fn a_labeled_block_is_a_one_pass_loop_that_break_leaves() {
    let js = "guard: { g(); if (x) break guard; for (const a of as) { if (a) break guard; } h(); } k();";
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    assert!(rhai.contains("let broke1 = false;\n    loop {\n        {\n            g();"), "{rhai}");
    assert!(rhai.contains("if broke1 { break; }\n            h();"), "{rhai}");
    assert!(rhai.contains("        break;\n    }\n    k();"), "{rhai}");
    // A label no `break` names changes nothing.
    let (rhai, items) = convert("unused: { g(); }");
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    assert!(!rhai.contains("loop"), "{rhai}");
}

#[test]
fn a_plain_continue_inside_a_labeled_block_goes_to_the_loop_around() {
    let js = "for (const x of xs) { body: { if (x === 2) continue; if (x === 3) break body; g(x); } h(x); }";
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    assert!(rhai.contains("{ continued1 = true; break; }"), "{rhai}");
    assert!(rhai.contains("if continued1 { continued1 = false; continue; }\n        h(x);"), "{rhai}");
}

#[test]
fn a_labeled_switch_is_a_loop_its_break_leaves() {
    let js = "for (const x of xs) { sw: switch (x) { case 1: for (const y of ys) { if (y) break sw; } g(); break; default: h(); } k(); }";
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    assert!(rhai.contains("loop {"), "{rhai}");
    // After the inner loop the flag leaves the switch's `loop`; the loop around goes on to k().
    assert!(rhai.contains("if broke"), "{rhai}");
    assert!(!rhai.contains("continue"), "{rhai}");
}

#[test]
fn labeled_jumps_inside_try_finally_stay_inside_and_jumps_out_are_listed() {
    let js = "try { inner: for (const a of as) { for (const b of a) { if (b) continue inner; } } } finally { g(); }";
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    let js = "outer: for (const a of as) { try { if (a) continue outer; } finally { g(); } }";
    let (_, items) = convert(js);
    assert!(not_converted(&items).iter().any(|r| r.contains("`finally` after a `try`")), "{items:?}");
}
