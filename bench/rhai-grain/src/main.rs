//! Rhai Grain (rhai 1.27's bytecode VM) against Rhai's AST walker on a VU's script code: the
//! iteration of bench/get-loop.rhai and of scenario 03 (scripts/03-concurrent-sessions-10k.rhai,
//! its checks in an imported module as in stdlib/assertions.rhai), with native stubs standing
//! in for rload's http, check, sleep and uuid. See ./run and bench/README.md.
//!
//!   rhai-grain-bench MODE SCRIPT N     # MODE: ast, ast-ctx, ast-iter, grain, grain-wrap,
//!                                      # grain-iter, describe, onvar; SCRIPT: get | s03
#![allow(deprecated)] // rhai's `EvalContext::new`, the one way to call into a kept global state
use rhai::grain::{Compiler, Program, Vm};
use rhai::module_resolvers::StaticModuleResolver;
use rhai::{
    CallFnOptions, Dynamic, Engine, EvalAltResult, FnPtr, ImmutableString, Map, Module, NativeCallContext, Scope, AST,
};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

static HTTP: AtomicU64 = AtomicU64::new(0);
static CHECK_TRUE: AtomicU64 = AtomicU64::new(0);
static CHECK_FALSE: AtomicU64 = AtomicU64::new(0);
static ONVAR: AtomicU64 = AtomicU64::new(0);

#[derive(Clone)]
struct Resp {
    status: i64,
    duration: f64,
}

const GET_INIT: &str = r#"
const BASE = "http://127.0.0.1:3000";
"#;
const GET_BODY: &str = r#"
    let r = http_get(`${BASE}/`);
    check(r, #{ "status is 200": |r| r.status == 200 });
"#;

const MODULE_ASSERTIONS: &str = r#"
fn assert_switch_cycle_performance(response) {
    check(response, #{
        "switch cycle status 200": |r| r.status == 200,
        "switch cycle response time <50ms": |r| r.timings.duration < 50,
        "switch cycle returns session_id": |r| r.status == 200 && r.json("data.session_id") != ()
    })
}
"#;

const S03_INIT: &str = r#"
import "assertions" as assert;
const BASE_URL = "http://127.0.0.1:3000";
"#;
const S03_BODY: &str = r#"
    let session = #{
        sessionId: uuid(),
        participants: [
            #{ participantId: uuid(), totalTimeMs: 300000 },
            #{ participantId: uuid(), totalTimeMs: 300000 }
        ]
    };
    let res = http_post(`${BASE_URL}/v1/sessions`, session.to_json(), #{ tags: #{ name: "create" } });
    if res.status != 201 {
        print(`create failed: ${res.status}`);
        return;
    }
    let id = session.sessionId;
    let start = http_post(`${BASE_URL}/v1/sessions/${id}/start`, "", #{ tags: #{ name: "start" } });
    for i in 0..5 {
        let r = http_post(`${BASE_URL}/v1/sessions/${id}/switch`, "", #{ tags: #{ name: "switch", operation: "switchCycle" } });
        assert::assert_switch_cycle_performance(r);
        sleep(1);
    }
    http_post(`${BASE_URL}/v1/sessions/${id}/complete`, "", #{ tags: #{ name: "complete" } });
"#;

fn make_engine(onvar: bool) -> Engine {
    let mut engine = Engine::new();
    engine
        .register_type_with_name::<Resp>("Resp")
        .register_get("status", |r: &mut Resp| r.status)
        .register_get("timings", |r: &mut Resp| {
            let mut m = Map::default();
            m.insert("duration".into(), Dynamic::from_float(r.duration));
            m
        })
        .register_fn("json", |_r: &mut Resp, path: &str| -> Dynamic {
            if path == "data.session_id" {
                Dynamic::from(ImmutableString::from("sess-0001"))
            } else {
                Dynamic::UNIT
            }
        })
        .register_fn("http_post", |url: &str, body: &str, params: Map| -> Resp {
            HTTP.fetch_add(1, Relaxed);
            std::hint::black_box((body.len(), params.len()));
            Resp { status: if url.ends_with("/sessions") { 201 } else { 200 }, duration: 12.5 }
        })
        .register_fn("http_get", |url: &str| -> Resp {
            HTTP.fetch_add(1, Relaxed);
            std::hint::black_box(url.len());
            Resp { status: 200, duration: 3.25 }
        })
        .register_fn(
            "check",
            |ctx: NativeCallContext, value: Dynamic, checks: Map| -> Result<bool, Box<EvalAltResult>> {
                let mut all = true;
                for (_name, f) in checks {
                    let fp = f.cast::<FnPtr>();
                    let ok: Dynamic = fp.call_within_context(&ctx, (value.clone(),))?;
                    if ok.as_bool().unwrap_or(false) {
                        CHECK_TRUE.fetch_add(1, Relaxed);
                    } else {
                        CHECK_FALSE.fetch_add(1, Relaxed);
                        all = false;
                    }
                }
                Ok(all)
            },
        )
        .register_fn("call_it", |ctx: NativeCallContext, f: FnPtr| -> Result<Dynamic, Box<EvalAltResult>> {
            f.call_within_context(&ctx, (1_i64,))
        })
        .register_fn("sleep", |_x: i64| {})
        .register_fn("sleep", |_x: f64| {})
        .register_fn("uuid", || ImmutableString::from("7f0c6a52-9a47-4b0e-8f6e-2f8f3c1b9d21"));
    engine.on_print(|_| {});

    let module_ast = engine.compile(MODULE_ASSERTIONS).expect("module compiles");
    let module = if std::env::var("GRAIN_MODULE").is_ok() {
        Module::eval_grain_as_new(Scope::new(), Compiler::new().compile(&module_ast).into_shared(), &engine)
            .expect("module evals (grain)")
    } else {
        Module::eval_ast_as_new(Scope::new(), &module_ast, &engine).expect("module evals")
    };
    let mut resolver = StaticModuleResolver::new();
    resolver.insert("assertions", module);
    engine.set_module_resolver(resolver);

    if onvar {
        engine.on_var(|name, _index, _ctx| {
            ONVAR.fetch_add(1, Relaxed);
            if name == "HOSTVAR" {
                Ok(Some(Dynamic::from(41_i64)))
            } else if name == "ws" {
                Ok(Some(Dynamic::from(99_i64)))
            } else {
                Ok(None)
            }
        });
    }
    engine
}

fn counters() -> (u64, u64, u64) {
    (HTTP.load(Relaxed), CHECK_TRUE.load(Relaxed), CHECK_FALSE.load(Relaxed))
}
fn reset() {
    HTTP.store(0, Relaxed);
    CHECK_TRUE.store(0, Relaxed);
    CHECK_FALSE.store(0, Relaxed);
}

fn report(label: &str, n: u64, t: std::time::Duration, scope: &Scope) {
    let (h, ct, cf) = counters();
    let ns = t.as_nanos() as f64 / n as f64;
    let per_http = if h > 0 { t.as_nanos() as f64 / h as f64 } else { 0.0 };
    println!(
        "{label}: n={n} ns/iter={ns:.0} ns/http={per_http:.0} http={h} check_true={ct} check_false={cf} scope_len={}",
        scope.len()
    );
}

type Res<T> = Result<T, Box<EvalAltResult>>;

/// Runs `iteration` once (warming Rhai's caches), clears the counters, then times `n` more runs.
fn timed(n: u64, mut iteration: impl FnMut() -> Res<()>) -> Res<std::time::Duration> {
    iteration()?;
    reset();
    let t = Instant::now();
    for _ in 0..n {
        iteration()?;
    }
    Ok(t.elapsed())
}

/// (a) AST walker: Engine::call_fn_with_options, top level run once, eval_ast(false) per iteration.
fn ast_callfn(engine: &Engine, ast: &AST, n: u64) -> Res<()> {
    let mut scope = Scope::new();
    engine.run_ast_with_scope(&mut scope, ast)?;
    let opts = || CallFnOptions::new().eval_ast(false).rewind_scope(true);
    let took = timed(n, || engine.call_fn_with_options::<Dynamic>(opts(), &mut scope, ast, "run", ()).map(drop))?;
    report("ast-callfn(eval_ast=false)", n, took, &scope);
    Ok(())
}

/// (a') AST walker: Engine::call_fn (eval_ast=true: top level re-run every call, scope rewound).
fn ast_callfn_eval(engine: &Engine, ast: &AST, n: u64) -> Res<()> {
    let mut scope = Scope::new();
    let took = timed(n, || engine.call_fn::<Dynamic>(&mut scope, ast, "run", ()).map(drop))?;
    report("ast-callfn(eval_ast=true)", n, took, &scope);
    Ok(())
}

/// (a'') AST walker, rload-style: top level once via eval_statements_raw into a kept
/// GlobalRuntimeState + Caches, then EvalContext::call_fn("run") per iteration.
fn ast_ctx(engine: &Engine, ast: &AST, n: u64) -> Res<()> {
    let mut scope = Scope::new();
    let mut global = engine.new_global_runtime_state();
    let mut caches = rhai::Caches::new();
    global.source = ast.source().map(Into::into);
    global.lib.push(ast.shared_lib().clone());
    let _ = engine.eval_statements_raw(&mut global, &mut caches, &mut scope, ast.statements())?;
    caches.rewind_fn_resolution_caches(0);
    caches.push_fn_resolution_cache();
    let mut ctx = rhai::EvalContext::new(engine, &mut global, &mut caches, &mut scope, None);
    let took = timed(n, || ctx.call_fn::<Dynamic>("run", ()).map(drop))?;
    report("ast-ctx(rload-style)", n, took, &scope);
    Ok(())
}

/// (b) Grain: top level once with vm.run_with_scope, then vm.call_fn_with_options(eval_ast=false).
fn grain_callfn(engine: &Engine, program: &Program, n: u64) -> Res<()> {
    let mut scope = Scope::new();
    let mut vm = Vm::new(engine);
    vm.run_with_scope(&mut scope, program)?;
    let opts = || CallFnOptions::new().eval_ast(false).rewind_scope(true);
    let took = timed(n, || vm.call_fn_with_options::<Dynamic>(opts(), &mut scope, program, "run", ()).map(drop))?;
    report("grain-callfn(eval_ast=false)", n, took, &scope);
    Ok(())
}

/// (b') Grain: vm.call_fn (eval_ast=true: main chunk re-run every call).
fn grain_callfn_eval(engine: &Engine, program: &Program, n: u64) -> Res<()> {
    let mut scope = Scope::new();
    let mut vm = Vm::new(engine);
    let took = timed(n, || vm.call_fn::<Dynamic>(&mut scope, program, "run", ()).map(drop))?;
    report("grain-callfn(eval_ast=true)", n, took, &scope);
    Ok(())
}

/// (b2) Grain, "body is the iteration": init program (imports/consts) run once with
/// vm.run_with_scope; the iteration program (run()'s body as a top level) is run with
/// vm.eval_with_callbacks each time; scope rewound to its post-init length.
fn grain_iter(engine: &Engine, init: &str, body: &str, n: u64) -> Res<()> {
    let init_p = Compiler::new().compile(&engine.compile(init)?);
    let body_p = Compiler::new().compile(&engine.compile(body)?).into_shared();
    let mut vm = Vm::new(engine);
    let mut scope = Scope::new();
    vm.run_with_scope(&mut scope, &init_p)?;
    let keep = scope.len();
    let took = timed(n, || {
        let _ = vm.eval_with_callbacks(&mut scope, &body_p)?;
        scope.rewind(keep);
        Ok(())
    })?;
    report("grain-iter(eval_with_callbacks)", n, took, &scope);
    Ok(())
}

/// (a3) AST walker equivalent of grain-iter: init statements once, then the iteration AST's
/// statements via eval_statements_raw in the kept global/caches (a top-level `return` ends an
/// iteration, as an error the walker raises there).
fn ast_iter(engine: &Engine, init: &str, body: &str, n: u64) -> Res<()> {
    let init_a = engine.compile(init)?;
    let body_a = engine.compile(body)?;
    let mut scope = Scope::new();
    let mut global = engine.new_global_runtime_state();
    let mut caches = rhai::Caches::new();
    global.lib.push(body_a.shared_lib().clone());
    let _ = engine.eval_statements_raw(&mut global, &mut caches, &mut scope, init_a.statements())?;
    let keep = scope.len();
    let took = timed(n, || {
        match engine.eval_statements_raw(&mut global, &mut caches, &mut scope, body_a.statements()) {
            Ok(_) => {}
            Err(e) if matches!(*e, EvalAltResult::Return(..)) => {}
            Err(e) => return Err(e),
        }
        scope.rewind(keep);
        Ok(())
    })?;
    report("ast-iter(eval_statements_raw)", n, took, &scope);
    Ok(())
}

/// (b3) Grain call_fn with closures made resolvable: a Module of GrainVM wrappers built with
/// Module::eval_grain_as_new, pushed into a GlobalRuntimeState handed to
/// Vm::with_global_state.
fn grain_wrap(engine: &Engine, ast: &AST, n: u64) -> Res<()> {
    let program = Compiler::new().compile(ast).into_shared();
    let mut global = engine.new_global_runtime_state();
    // grain::export_functions_to_module is pub(crate); Module::eval_grain_as_new is the public
    // route to a Module of GrainVM-backed script fns (closures are Public anon fns, so exported).
    let wrappers = Module::eval_grain_as_new(Scope::new(), program.clone(), engine)?;
    global.lib.push(wrappers.into());
    let mut vm = Vm::with_global_state(engine, global);
    let mut scope = Scope::new();
    vm.run_with_scope(&mut scope, &program)?;
    let opts = || CallFnOptions::new().eval_ast(false).rewind_scope(true);
    let took = timed(n, || vm.call_fn_with_options::<Dynamic>(opts(), &mut scope, &program, "run", ()).map(drop))?;
    report("grain-wrap(call_fn+exported wrappers)", n, took, &scope);
    Ok(())
}

fn describe(name: &str, engine: &Engine, src: &str) {
    let ast = engine.compile(src).unwrap();
    let p = Compiler::new().compile(&ast);
    println!(
        "[{name}] residual_count={} residual_nodes={} first_unsupported={:?} functions={} makes_fn_pointers={} caps={:?}",
        p.residual_count(),
        p.residual_nodes(),
        p.first_unsupported(),
        p.num_functions(),
        p.makes_fn_pointers(),
        p.caps()
    );
    let body = engine.compile(src.split("fn run() {").nth(1).unwrap().trim_end().trim_end_matches('}')).unwrap();
    let pb = Compiler::new().compile(&body);
    println!(
        "[{name} iteration-body program] residual_count={} residual_nodes={} first_unsupported={:?}",
        pb.residual_count(),
        pb.residual_nodes(),
        pb.first_unsupported()
    );
    let m = engine.compile(MODULE_ASSERTIONS).unwrap();
    let pm = Compiler::new().compile(&m);
    if name == "s03" {
        println!(
            "[assertions module] residual_count={} first_unsupported={:?}",
            pm.residual_count(),
            pm.first_unsupported()
        );
    }
}

fn onvar_test() {
    let engine = make_engine(true);
    let src = r#"let top = HOSTVAR + 1; let local = 2;
fn run() { let a = 1; let b = a + HOSTVAR; b + a }
fn run2() { let a = 5; a + a + a }
fn run3() { let ws = 1; ws }
fn run4() { let x = 7; let f = |y| x + y; call_it(f) }"#;
    let ast = engine.compile(src).unwrap();
    let program = Compiler::new().compile(&ast);
    println!("[onvar] grain residual_count={}", program.residual_count());
    for name in ["run", "run2", "run3", "run4"] {
        ONVAR.store(0, Relaxed);
        let mut scope = Scope::new();
        let r = engine.call_fn::<Dynamic>(&mut scope, &ast, name, ());
        println!(
            "[onvar] ast   call_fn {name} -> {:?} on_var_calls={} scope top={:?}",
            r,
            ONVAR.load(Relaxed),
            scope.get_value::<i64>("top")
        );
        ONVAR.store(0, Relaxed);
        let mut scope = Scope::new();
        let mut vm = Vm::new(&engine);
        let r = vm.call_fn::<Dynamic>(&mut scope, &program, name, ());
        println!("[onvar] grain call_fn {name} -> {:?} on_var_calls={}", r, ONVAR.load(Relaxed));
        ONVAR.store(0, Relaxed);
        let mut scope = Scope::new();
        let sp = Compiler::new().compile(&ast).into_shared();
        let mut global = engine.new_global_runtime_state();
        global.lib.push(Module::eval_grain_as_new(Scope::new(), sp.clone(), &engine).unwrap().into());
        let mut vm = Vm::with_global_state(&engine, global);
        let r = vm.call_fn::<Dynamic>(&mut scope, &program, name, ());
        println!("[onvar] grain-wrap call_fn {name} -> {:?} on_var_calls={}", r, ONVAR.load(Relaxed));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("all");
    let script = args.get(2).map(String::as_str).unwrap_or("get");
    let n: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10000);

    if mode == "onvar" {
        onvar_test();
        return;
    }
    let engine = make_engine(false);
    let (init, body) = match script {
        "get" => (GET_INIT, GET_BODY),
        "s03" => (S03_INIT, S03_BODY),
        _ => panic!("script get|s03"),
    };
    let src_owned = format!("{init}\nfn run() {{{body}}}\n");
    let src = src_owned.as_str();
    if mode == "describe" {
        describe(script, &engine, src);
        return;
    }
    let ast = engine.compile(src).expect("compile");
    let program = Compiler::new().compile(&ast);
    let modes: Vec<&str> = if mode == "all" {
        vec!["ast", "ast-ctx", "ast-iter", "grain", "grain-wrap", "grain-iter"]
    } else {
        vec![mode]
    };
    for m in modes {
        let r = match m {
            "ast" => ast_callfn(&engine, &ast, n),
            "ast-eval" => ast_callfn_eval(&engine, &ast, n),
            "ast-ctx" => ast_ctx(&engine, &ast, n),
            "grain" => grain_callfn(&engine, &program, n),
            "grain-eval" => grain_callfn_eval(&engine, &program, n),
            "grain-iter" => grain_iter(&engine, init, body, n),
            "ast-iter" => ast_iter(&engine, init, body, n),
            "grain-wrap" => grain_wrap(&engine, &ast, n),
            "none" => {
                println!("none: setup only");
                Ok(())
            }
            _ => panic!("mode"),
        };
        if let Err(e) = r {
            let (h, ct, cf) = counters();
            println!("{m}: ERROR {e} (http={h} check_true={ct} check_false={cf})");
        }
    }
}
