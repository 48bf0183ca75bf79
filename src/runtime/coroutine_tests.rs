use super::*;
use std::rc::Rc;
use std::time::Duration;

fn local<F: Future>(f: F) -> F::Output {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    tokio::task::LocalSet::new().block_on(&rt, f)
}

#[test]
fn suspended_futures_deliver_their_output() {
    let out = local(async {
        let co = VuCoroutine::new(256 * 1024, Rc::new(()), || {
            let a = suspend_on(async { 20 }).unwrap();
            let b = suspend_on(async {
                tokio::time::sleep(Duration::from_millis(1)).await;
                22
            })
            .unwrap();
            a + b
        })
        .unwrap();
        co.run(std::future::pending::<()>).await
    });
    assert_eq!(out, 42);
}

#[test]
fn many_coroutines_interleave_on_one_thread() {
    let log = Rc::new(std::cell::RefCell::new(Vec::new()));
    local(async {
        let mut tasks = Vec::new();
        for id in 0..3u64 {
            let log = log.clone();
            let co = VuCoroutine::new(256 * 1024, Rc::new(()), move || {
                for step in 0..2 {
                    suspend_on(tokio::time::sleep(Duration::from_millis(5 * (3 - id)))).unwrap();
                    log.borrow_mut().push((id, step));
                }
            })
            .unwrap();
            tasks.push(tokio::task::spawn_local(co.run(std::future::pending::<()>)));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
    let log = log.borrow();
    assert_eq!(log.len(), 6);
    assert_eq!(log[0], (2, 0), "the VU with the shortest sleep wakes first: {log:?}");
}

#[test]
fn interrupt_wakes_a_sleeping_vu() {
    let out = local(async {
        let co =
            VuCoroutine::new(256 * 1024, Rc::new(()), || suspend_on(tokio::time::sleep(Duration::from_secs(3600))));
        co.unwrap().run(|| tokio::time::sleep(Duration::from_millis(10))).await
    });
    assert_eq!(out, Err(Suspension::Interrupted));
}

#[test]
fn a_panicking_coroutine_leaves_the_thread_usable() {
    use futures_util::FutureExt;
    let out = local(async {
        let co = VuCoroutine::new(256 * 1024, Rc::new(()), || -> u32 {
            suspend_on(async {}).unwrap();
            panic!("native code bug")
        });
        let caught = std::panic::AssertUnwindSafe(co.unwrap().run(std::future::pending::<()>)).catch_unwind().await;
        assert!(caught.is_err());
        assert!(!in_coroutine(), "the dead coroutine's yielder is still current");
        assert!(current_context().is_none());
        let next = VuCoroutine::new(256 * 1024, Rc::new(()), || suspend_on(async { 7 }).unwrap());
        next.unwrap().run(std::future::pending::<()>).await
    });
    assert_eq!(out, 7);
}

#[test]
fn a_panicking_future_fails_its_call_and_the_coroutine_goes_on() {
    let out = local(async {
        let co = VuCoroutine::new(256 * 1024, Rc::new(()), || {
            let failed = suspend_on(async {
                tokio::task::yield_now().await;
                if true {
                    panic!("bug in a request future");
                }
                1
            });
            let next = suspend_on(async { 2 }).unwrap();
            (failed, next)
        });
        co.unwrap().run(std::future::pending::<()>).await
    });
    assert_eq!(out, (Err(Suspension::Panicked("bug in a request future".into())), 2));
}

fn resident(addr: usize) -> bool {
    let mut vec = [0u8; 1];
    // SAFETY: a page-aligned address inside a mapped stack, and a one-entry vector.
    unsafe { libc::mincore((addr & !4095) as *mut libc::c_void, 4096, vec.as_mut_ptr()) };
    vec[0] & 1 == 1
}

#[inline(never)]
fn go_deep(depth: usize, deepest: &mut usize) -> u64 {
    let frame = std::hint::black_box([depth as u64; 512]);
    *deepest = (*deepest).min(frame.as_ptr() as usize);
    if depth == 0 {
        frame[0]
    } else {
        go_deep(depth - 1, deepest) + frame[1]
    }
}

#[test]
fn a_vu_waiting_long_gives_back_the_stack_it_went_deep_into() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    let (before, after_short, after_long) = tokio::task::LocalSet::new().block_on(&rt, async {
        let co = VuCoroutine::new(4 << 20, Rc::new(()), || {
            let mut deepest = usize::MAX;
            std::hint::black_box(go_deep(200, &mut deepest));
            let before = resident(deepest);
            suspend_on(tokio::time::sleep(IDLE_AFTER / 2)).unwrap();
            let after_short = resident(deepest);
            suspend_on(tokio::time::sleep(IDLE_AFTER * 10)).unwrap();
            (before, after_short, resident(deepest))
        });
        co.unwrap().run(std::future::pending::<()>).await
    });
    assert!(before, "the deep frames were never resident");
    assert!(after_short, "a short wait released the stack");
    assert!(!after_long, "the deep frames stayed resident through a long wait");
}

#[test]
fn a_vu_gives_back_its_stack_after_every_long_wait_and_after_no_short_one() {
    // One timer serves every wait of a VU: moved later by short waits, fired by a long
    // one, then armed again by the next.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    let resident_after = tokio::task::LocalSet::new().block_on(&rt, async {
        let co = VuCoroutine::new(4 << 20, Rc::new(()), || {
            let mut after = Vec::new();
            for wait in [IDLE_AFTER * 10, IDLE_AFTER / 2, IDLE_AFTER / 2, IDLE_AFTER / 2, IDLE_AFTER * 10] {
                let mut deepest = usize::MAX;
                std::hint::black_box(go_deep(200, &mut deepest));
                suspend_on(tokio::time::sleep(wait)).unwrap();
                after.push(resident(deepest));
            }
            after
        });
        co.unwrap().run(std::future::pending::<()>).await
    });
    // Three short waits in a row last longer than IDLE_AFTER: each one moves the timer.
    assert_eq!(resident_after, [false, true, true, true, false], "deep frames resident after each wait");
}

#[test]
fn a_vu_waiting_for_events_gives_back_its_deep_stack_sooner() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    let (after_plain_wait, after_event_wait) = tokio::task::LocalSet::new().block_on(&rt, async {
        let co = VuCoroutine::new(4 << 20, Rc::new(()), || {
            let wait = IDLE_AFTER / 2;
            let mut deepest = usize::MAX;
            std::hint::black_box(go_deep(200, &mut deepest));
            suspend_with(move || tokio::time::sleep(wait)).unwrap();
            let after_plain_wait = resident(deepest);
            std::hint::black_box(go_deep(200, &mut deepest));
            suspend_for_events(move || tokio::time::sleep(wait)).unwrap();
            (after_plain_wait, resident(deepest))
        });
        co.unwrap().run(std::future::pending::<()>).await
    });
    assert!(after_plain_wait, "a wait shorter than IDLE_AFTER released the stack");
    assert!(!after_event_wait, "an event loop's wait kept the deep frames resident");
}

#[test]
fn outside_a_coroutine_suspend_refuses() {
    assert!(!in_coroutine());
    assert_eq!(suspend_on(async { 1 }), Err(Suspension::Interrupted));
}
