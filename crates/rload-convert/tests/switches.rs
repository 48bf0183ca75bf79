//! `switch`: an `if` chain where every case ends in its own `break`; otherwise JavaScript's
//! order in a one-pass `loop` (fall-through, a `break` inside a case's `if`, a `default` that is
//! not last). tests/convert_corpus/93-switch-fall-through.js runs these under k6 and rload.

mod common;
use common::{convert, not_converted};

#[test]
fn a_switch_whose_cases_end_in_break_stays_an_if_chain() {
    let js = "function f(x) { let s = ''; switch (x) { case 1: case 2: s = 'low'; break; case 3: return 'three'; default: s = 'other'; } return s; }";
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    assert!(rhai.contains("if switch1 == 1 || switch1 == 2 {"), "{rhai}");
    assert!(!rhai.contains("loop {") && !rhai.contains("break"), "{rhai}");
}

#[test]
fn fall_through_and_inner_breaks_convert_to_a_loop_in_javascripts_order() {
    let cases = [
        // A case falling through into the next.
        "function f(x) { const o = []; switch (x) { case 1: o.push(1); case 2: o.push(2); break; default: o.push(0); } return o; }",
        // A `break` inside an `if` of a case: it leaves the switch, not the loop around it.
        "for (const x of [1, 2]) { switch (x) { case 1: if (x) { break; } g(); break; default: h(); } }",
        // A case in braces, its `break` inside them.
        "function f(x) { switch (x) { case 1: { g(); break; } default: h(); } }",
        // An empty `default` before a case shares that case's body.
        "function f(x) { switch (x) { default: case 1: g(); break; case 2: h(); } }",
    ];
    for js in cases {
        let (rhai, items) = convert(js);
        assert_eq!(not_converted(&items), Vec::<String>::new(), "{js}\n{rhai}");
        assert!(rhai.contains("let case2 = ") && rhai.contains("loop {"), "{js}\n{rhai}");
        assert!(rhai.contains("if case2 <= 1 {"), "{js}\n{rhai}");
    }
}

#[test]
fn a_continue_in_a_looped_switch_goes_to_the_loop_around_it() {
    let js = "for (const x of [1, 2]) { switch (x) { case 1: if (x) continue; g(); default: h(); } k(); }";
    let (rhai, items) = convert(js);
    assert_eq!(not_converted(&items), Vec::<String>::new(), "{rhai}");
    assert!(rhai.contains("{ continued3 = true; break; }"), "{rhai}");
    assert!(rhai.contains("if continued3 { continued3 = false; continue; }"), "{rhai}");
    // A switch in a case of another: its `continue` leaves both `loop`s, then continues.
    let js = "for (const x of [1]) { switch (x) { case 1: switch (x) { case 1: if (x) continue; g(); default: h(); } default: k(); } }";
    let (rhai, _) = convert(js);
    assert!(rhai.contains("{ continued5 = true; break; }"), "{rhai}");
    assert_eq!(rhai.matches("if continued5 { break; }").count(), 1, "{rhai}");
    assert!(rhai.contains("if continued5 { continued5 = false; continue; }"), "{rhai}");
}
