//! The bundled stdlib's SyncKairos helpers as the scenario scripts call them: `sk::params`
//! gives every endpoint its series name and refuses a misspelt endpoint, and the `assertions`
//! record each check under the seed's name with the verdict of the response it was given.
mod common;
use common::*;

#[test]
fn synckairos_params_name_each_endpoint_and_refuse_an_unknown_one() {
    let s = script(
        r#"
        import "synckairos" as sk;
        fn run() {
            let expected = #{
                create: "/v1/sessions", get: "/v1/sessions/{id}", delete: "/v1/sessions/{id}",
                start: "/v1/sessions/{id}/start", pause: "/v1/sessions/{id}/pause",
                resume: "/v1/sessions/{id}/resume", "switch": "/v1/sessions/{id}/switch",
                complete: "/v1/sessions/{id}/complete", time: "/v1/time", health: "/health",
            };
            for endpoint in expected.keys() {
                let p = sk::params(endpoint, #{ operation: "op" });
                let named = #{};
                named[endpoint] = p.tags == #{ name: expected[endpoint], operation: "op" };
                check(p, named);
            }
            let json = sk::json_params("create", #{});
            check(json, #{ "json_params": |p| p.tags.name == "/v1/sessions" && p.headers["Content-Type"] == "application/json" });
            check(sk::params("time"), #{ "no tags given": |p| p.tags == #{ name: "/v1/time" } });
            let refused = "";
            try { sk::params("swtich"); } catch (e) { refused = `${e}`; }
            check(refused, #{ "unknown endpoint": |m| m.contains(`unknown endpoint "swtich" (create, get, delete, start, pause, resume, switch, complete, time, health)`) });
        }
    "#,
    );
    rload(&s, &["-i", "1"]).assert_all_checks_pass(13);
}

#[test]
fn the_assertions_record_each_check_by_the_response_it_was_given() {
    let target = Target::start();
    let s = script(
        r#"
        import "assertions" as assert;
        fn run() {
            let responses = [
                http.post(`${__ENV.BASE}/echo`, `{"data":{"session_id":"s-1"}}`),
                http.get(`${__ENV.BASE}/status/409`),
                http.get(`${__ENV.BASE}/status/500`),
            ];
            for r in responses {
                assert::assert_no_errors(r);
                assert::assert_optimistic_locking(r);
                assert::assert_switch_cycle_performance(r);
                assert::assert_response_time(r, 60000, "op");
            }
        }
    "#,
    );
    let out = s.dir.path().join("summary.json");
    let run =
        rload(&s, &["-i", "1", "-e", &format!("BASE={}", target.url()), "--summary-export", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let checks = &summary["root_group"]["checks"];
    let verdicts = |name: &str| (checks[name]["passes"].as_u64(), checks[name]["fails"].as_u64());
    // 200 with a session id, 409, 500.
    assert_eq!(verdicts("status is 2xx or 409"), (Some(2), Some(1)), "{checks}");
    assert_eq!(verdicts("no 5xx errors"), (Some(2), Some(1)), "{checks}");
    assert_eq!(verdicts("status is 200 or 409 (optimistic lock conflict)"), (Some(2), Some(1)), "{checks}");
    assert_eq!(verdicts("switch cycle status 200"), (Some(1), Some(2)), "{checks}");
    assert_eq!(verdicts("switch cycle returns session_id"), (Some(1), Some(2)), "{checks}");
    assert_eq!(verdicts("op response time <60000ms"), (Some(3), Some(0)), "{checks}");
    let (passes, fails) = verdicts("switch cycle response time <50ms");
    assert_eq!(passes.zip(fails).map(|(p, f)| p + f), Some(3), "{checks}");
}
