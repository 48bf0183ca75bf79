//! The RegExp of the Rhai script API (`regexp(src, flags)`, `re.test`/`re.exec` with `lastIndex`,
//! `s.match_re`, `s.match_all`, `s.replace`, `s.split`, `s.search`), run by the binary against the
//! reference target, and a bad pattern's error.
mod common;
use common::*;

#[test]
fn a_rhai_script_uses_regexps_with_javascripts_semantics() {
    let target = Target::start();
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        const PAGE = `<input name="csrf" value="tok-9"><input name="user" value="ann">`;
        fn run() {
            let res = http.post(`${__ENV.BASE}/echo`, PAGE);
            let token = res.body.match_re(regexp(`name="csrf" value="([^"]+)"`))[1];
            let re = regexp(`name="(?<name>\w+)" value="(?<value>[^"]*)"`, "g");
            let fields = [];
            let guard = 0;
            loop {
                let m = re.exec(res.body);
                if m == () || guard > 10 { break; }
                guard += 1;
                fields.push(`${m.groups.name}=${m.groups.value}@${m.index}`);
            }
            let date = "on 2024-05-17".match_re(regexp(`(?<y>\d{4})-(?<m>\d\d)-(?<d>\d\d)`));
            let all = "a1 b22".match_all(regexp(`[a-z](\d+)`, "g"));
            let name = "john smith";
            name.replace(regexp(`(?<f>\w+)\s(\w+)`), "$2, $<f> [$&]");
            let digits = "a1b22";
            digits.replace_all(regexp(`\d+`, "g"), |d, at| `<${d}@${at}>`);
            let replaced = [name, digits];
            check(res, #{
                "token": |r| token == "tok-9",
                "exec loop with g": |r| fields == ["csrf=tok-9@7", "user=ann@40"] && re.lastIndex == 0,
                "named groups and match fields": |r| date.groups.y == "2024" && date[3] == "17" && date.index == 3
                    && date.input == "on 2024-05-17" && date.length == 4 && date[9] == (),
                "match_all": |r| all.len() == 2 && all[1][1] == "22" && all[1].index == 3,
                "no match is ()": |r| "abc".match_re(regexp("z")) == (),
                "replace in place, with patterns and a function": |r| replaced == ["smith, john [john smith]", "a<1@1>b<22@3>"],
                "split with captures": |r| "a1b2c".split(regexp(`(\d)`)) == ["a", "1", "b", "2", "c"]
                    && "a1b2c".split(regexp(`\d`), 2) == ["a", "b"],
                "search counts characters": |r| "é-b".search(regexp("b")) == 2,
                "flags": |r| regexp("HELLO", "i").test("hello") && regexp("^b$", "m").test("a\nb")
                    && regexp("a.b", "s").test("a\nb") && regexp("(\\w)\\1").test("hello")
                    && "$10 €20 $30".match_re(regexp(`(?<=\$)\d+`, "g")) == ["10", "30"],
                "JSON and console write a match as an array, a regex as {}": |r|
                    #{ m: date, re: re }.to_json() == `{"m":["2024-05-17","2024","05","17"],"re":{}}`
                    && "ab".match_re(regexp("a(x)?")).to_json() == `["a",null]`,
                "properties": |r| {
                    let y = regexp("b", "yg");
                    y.lastIndex = 1;
                    y.test("ab") && y.lastIndex == 2 && y.flags == "gy" && y.sticky && y.source == "b"
                        && `${y}` == "/b/gy"
                },
            });
        }
    "#,
    );
    let run = rload(&s, &["-e", &format!("BASE={}", target.url())]);
    run.assert_all_checks_pass(11);
}

#[test]
fn a_bad_pattern_is_an_error_naming_it() {
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            let re = regexp("token=(\\w+", "g");
        }
    "#,
    );
    let run = rload(&s, &[]);
    let out = format!("{}\n{}", run.stdout, run.stderr);
    assert!(out.contains("Invalid regular expression: /token=(\\w+/g"), "{out}");
    assert!(out.contains("test.rhai:4"), "{out}");
}

#[test]
fn replace_all_without_g_and_the_d_flag_are_errors_naming_them() {
    let s = script(
        r#"
        export const options = #{ iterations: 2 };
        fn run() {
            if __ITER == 0 { "a".replace_all(regexp("a"), "b"); } else { regexp("a", "d"); }
        }
    "#,
    );
    let run = rload(&s, &[]);
    let out = format!("{}\n{}", run.stdout, run.stderr);
    assert!(out.contains("replaceAll must be called with a global RegExp"), "{out}");
    assert!(out.contains("the d flag (match indices"), "{out}");
}

#[test]
fn check_reports_storing_the_result_of_an_in_place_regex_replace() {
    let s = script(
        r#"
        export const options = #{ iterations: 1 };
        fn run() {
            let s = "a-b";
            let t = s.replace_all(regexp("-", "g"), "+");
        }
    "#,
    );
    let out = std::process::Command::new(BIN).arg("check").arg(&s.path).output().unwrap();
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "{text}");
    assert!(text.contains("replace_all(…) changes the value in place and returns ()"), "{text}");
}
