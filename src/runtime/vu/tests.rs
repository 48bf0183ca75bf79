use super::*;
use crate::runtime::coroutine::{suspend_on, VuCoroutine};
use crate::script::diagnostics::describe_runtime_error;

#[test]
fn a_panic_in_native_async_code_fails_the_call_at_its_script_position() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (first, second) = tokio::task::LocalSet::new().block_on(&rt, async {
        let co = VuCoroutine::new(256 * 1024, Rc::new(()), || {
            let mut engine = rhai::Engine::new();
            engine.register_fn("request", |n: i64| -> Result<i64, Box<EvalAltResult>> {
                suspend_on(async move {
                    if n == 0 {
                        panic!("index out of bounds in the pool");
                    }
                    n
                })
                .map_err(suspension_error)
            });
            let script = "fn run() {\n    let x = 1;\n    request(0)\n}\n";
            let ast = engine.compile(script).unwrap();
            let failed = engine.call_fn::<i64>(&mut rhai::Scope::new(), &ast, "run", ()).unwrap_err();
            let next = engine.eval::<i64>("request(5)").unwrap();
            (describe_runtime_error(&failed, "test.rhai").message, next)
        });
        co.unwrap().run(std::future::pending::<()>).await
    });
    assert!(first.contains("rload panicked"), "{first}");
    assert!(first.contains("index out of bounds in the pool"), "{first}");
    assert!(first.contains("at test.rhai:3:5"), "the report names the script position: {first}");
    assert_eq!(second, 5, "the VU's next call works");
}
