//! `finally`: converted where its `try` and `catch` can only end by reaching their end or by
//! throwing (the error is kept, the block runs, the error is thrown again); listed where they
//! can `return`, `break` or `continue` out of it. tests/convert_corpus/91-try-finally.js runs
//! the converted cases under k6 and rload.

mod common;
use common::{convert, not_converted};

#[test]
fn a_finally_after_blocks_that_only_end_or_throw_is_converted() {
    let cases = [
        "try { f(); } catch (e) { g(e); } finally { h(); }",
        "try { f(); } finally { h(); }",
        // Loops, a switch and functions inside take their own break, continue and return.
        "try { for (const x of [1]) { if (x) break; continue; } } finally { h(); }",
        "try { switch (f()) { case 1: g(); break; default: h(); } } finally { h(); }",
        "try { const k = () => { return 1; }; function m() { return 2; } k(); } finally { h(); }",
        "try { while (f()) { try { break; } catch (e) {} } } finally { h(); }",
    ];
    for js in cases {
        let (rhai, items) = convert(js);
        assert_eq!(not_converted(&items), Vec::<String>::new(), "{js}\n{rhai}");
        assert!(rhai.contains("if thrown") && rhai.contains("throw error"), "{js}\n{rhai}");
        assert!(!rhai.contains("CONVERT"), "{js}\n{rhai}");
    }
}

#[test]
fn a_finally_after_a_block_that_can_leave_it_is_listed() {
    let cases = [
        "function f() { try { return 1; } finally { h(); } }",
        "function f() { try { g(); } catch (e) { return 2; } finally { h(); } }",
        "for (const x of [1]) { try { break; } finally { h(); } }",
        "for (const x of [1]) { try { if (x) { continue; } } finally { h(); } }",
        "outer: for (const x of [1]) { for (const y of [2]) { try { g(); } finally { h(); } } }",
        "for (const x of [1]) { try { switch (x) { case 1: continue; } } finally { h(); } }",
    ];
    for (i, js) in cases.iter().enumerate() {
        let (rhai, items) = convert(js);
        let listed = not_converted(&items);
        // The labelled loop is listed for its label; its try has no way out and converts.
        if i == 4 {
            assert!(listed.iter().all(|r| !r.contains("`finally`")), "{js}\n{listed:?}");
            continue;
        }
        assert!(listed.iter().any(|r| r.contains("`finally` after a `try` or `catch` that can")), "{js}\n{listed:?}");
        assert!(rhai.contains("/* CONVERT:"), "{js}\n{rhai}");
    }
}
