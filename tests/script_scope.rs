//! k6's module scope in rload: what the script's top level (init code) declares is readable
//! from its functions, by plain name and, for constants, through Rhai's `global::NAME`.
mod common;
use common::*;

#[test]
fn top_level_constants_read_the_same_by_name_and_through_global_and_a_later_let_keeps_the_constant() {
    let s = script(
        r#"
        const LIMITS = #{ max: 3, names: ["a", "b"] };
        const K = 1;
        let K = 2;
        export const options = #{ vus: 2, iterations: 4 };
        fn run() {
            check((), #{
                "by name": |r| LIMITS.max == 3 && LIMITS.names[1] == "b",
                "through global": |r| global::LIMITS.max == 3 && global::LIMITS.names.len() == 2,
                "a later let shadows the name, not the constant": |r| K == 2 && global::K == 1,
                "options through global": |r| global::options.iterations == 4,
            });
        }
        "#,
    );
    rload(&s, &["-q"]).assert_all_checks_pass(16);
}
