//! The bridge between synchronous Rhai and asynchronous I/O.
//!
//! Rhai cannot await. A VU therefore runs its script on a stackful coroutine (corosensei); when a
//! registered function needs I/O or time it calls [`suspend_with`] with a closure that builds
//! the future; the coroutine suspends and hands that closure to the VU's driver task (an
//! ordinary `spawn_local` task), which builds the future on its own stack, awaits it on the
//! worker's runtime and resumes the coroutine with the output. [`suspend_on`] is the same for a
//! future already built, for small futures and tests.
//!
//! Everything stays on one thread: the coroutine, its driver and the future. The driver races
//! every future against the VU's interrupt signal, so a hard stop (end of `gracefulStop`,
//! Ctrl-C) wakes a VU blocked in `sleep` or in a request and ends its iteration.
//!
//! Fairness: the VUs of a thread share it cooperatively, so a VU that never waits (a CPU loop,
//! an iteration that throws at once, a request that fails before any I/O) must give the thread
//! back on its own. The driver notes when it first resumes the VU in each poll the runtime
//! makes of it; once a VU has run for [`TIME_SLICE`] without waiting, the driver (between two
//! suspensions) or [`yield_if_slice_used`] (called by the engine's progress hook, inside a loop)
//! yields to the runtime, so the other VUs, the scheduler's timers and the signal handlers of
//! that thread run at their normal rate.
//!
//! This module knows nothing about Rhai or HTTP; it only moves futures and values.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::ptr;
use std::rc::Rc;
use std::task::Poll;
use std::time::{Duration, Instant};

use corosensei::stack::Stack;
use corosensei::{Coroutine, CoroutineResult, Yielder};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;

use super::shared_stack::StackShare;
use super::stack_pool;

/// What a suspended coroutine receives when it is resumed.
enum Resumed {
    Output(Box<dyn Any>),
    Interrupted,
    /// The future panicked (a bug in rload's native code); the panic's message.
    Panicked(String),
}

type BoxedFuture = Pin<Box<dyn Future<Output = Box<dyn Any>>>>;
/// What a coroutine hands its driver: a thunk that builds the future on the driver's stack, so a
/// large future (an HTTP request is ~4 KB) never touches the VU's stack pages, which stay
/// resident once touched.
type Suspended = Box<dyn FnOnce() -> BoxedFuture>;
type VuYielder = Yielder<Resumed, Suspended>;

thread_local! {
    /// The yielder of the coroutine that is running on this thread right now, if any.
    static CURRENT: Cell<*const VuYielder> = const { Cell::new(ptr::null()) };
    /// The context value of the coroutine that is running on this thread right now.
    static CONTEXT: RefCell<Option<Rc<dyn Any>>> = const { RefCell::new(None) };
    /// When the driver of the VU running on this thread first resumed it in the runtime's
    /// current poll of the driver; `None` between polls and before that resume.
    static SLICE_START: Cell<Option<Instant>> = const { Cell::new(None) };
    /// A [`stack_mark`] taken by the last [`suspend_with`] on this thread: the suspended
    /// coroutine uses its stack from there up, but for the suspension's own frames.
    static SUSPENDED_AT: Cell<usize> = const { Cell::new(0) };
    /// How long the last [`suspend_with`] (or [`suspend_for_events`]) on this thread may wait
    /// before its idle stack is released.
    static RELEASE_AFTER: Cell<Duration> = const { Cell::new(IDLE_AFTER) };
}

/// Stack kept below [`stack_mark`]'s frame when a suspended VU's idle stack is released: the
/// frames of the suspension itself (`Yielder::suspend` and corosensei's switch, which saves a few
/// registers and a return address), siblings of that frame, with room to spare.
const IDLE_STACK_KEPT: usize = 2 * 1024;

/// Stack a suspended VU's copy keeps below [`stack_mark`]'s frame (`shared_stack.rs`): the
/// suspension's own frames, `Yielder::suspend` and corosensei's switch (both inlined in release
/// builds, where the switch pushes three words below the frame that suspends; more
/// unoptimised), with room to spare. Every word of it is copied out and back each time a VU
/// of a shared stack is resumed: 1,024 bytes in a release build were 10% of a VU waiting in
/// `ws.connect` (bench/README.md, "CPU per WebSocket delivery").
const SUSPENSION_FRAMES: usize = if cfg!(debug_assertions) { 1024 } else { 256 };

/// A VU suspended this long (a `sleep`, a WebSocket waiting for messages, a slow response) gives
/// the pages of its stack below the suspended frame back to the kernel: one system call per
/// long wait, while thousands of VUs wait at once and a VU that went deep once (init code, a
/// large JSON document, a deep call chain) would otherwise keep those pages for the whole run.
pub const IDLE_AFTER: Duration = Duration::from_millis(100);

/// The same for a VU waiting in an event loop ([`suspend_for_events`]): zero, the stack below
/// the wait is given back as soon as the wait has to wait (a queued event is taken without
/// it). A WebSocket's handlers run ~12 KB deeper than its wait (a `message` handler that
/// parses JSON: 6 stack pages against 3), and when a broadcast reaches 10,000 VUs at once,
/// every VU that handled it kept those pages for 100 ms, longer on a thread still busy with
/// the broadcast: that set the run's peak (395 MB, 286 MB with this; 10 ms still left
/// spikes). The price is a `madvise` and the handler's page faults per event that finds the
/// loop idle, a few microseconds.
pub const EVENTS_IDLE_AFTER: Duration = Duration::ZERO;

/// How long a VU may keep its thread without waiting before it lets the thread's other tasks run.
pub const TIME_SLICE: Duration = Duration::from_millis(1);

/// True once the running VU has had the thread for [`TIME_SLICE`] without waiting.
pub fn slice_used() -> bool {
    SLICE_START.with(Cell::get).is_some_and(|start| start.elapsed() >= TIME_SLICE)
}

/// Lets the thread's other tasks run if the running VU has used up its time slice. Called from
/// code that may loop without waiting (the engine's progress hook); a no-op outside a coroutine.
pub fn yield_if_slice_used() -> Result<(), Suspension> {
    if in_coroutine() && slice_used() {
        suspend_with(tokio::task::yield_now)?;
    }
    Ok(())
}

/// The context value given to the running coroutine's [`VuCoroutine::new`], if any.
pub fn current_context() -> Option<Rc<dyn Any>> {
    CONTEXT.with(|c| c.borrow().clone())
}

/// Why a suspended call returned without its future's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suspension {
    /// The VU was told to stop while it waited, and its iteration must end (also the answer
    /// outside a coroutine).
    Interrupted,
    /// The future panicked. The panic was caught on the driver's side and is handed back to the
    /// call that suspended, so it fails like any native call: as an error at the script position
    /// that made it, in the iteration that made it, while the VU and its thread go on.
    Panicked(String),
}

/// The message of a caught panic's payload.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// True when called from inside a VU coroutine (so [`suspend_with`] may be used).
pub fn in_coroutine() -> bool {
    !CURRENT.with(Cell::get).is_null()
}

/// Suspends the running VU until `fut` completes and returns its output.
///
/// Must be called from inside a coroutine started by [`VuCoroutine`]; elsewhere it returns
/// `Err(Suspension::Interrupted)` rather than blocking the thread. For large futures prefer
/// [`suspend_with`], which builds the future off the VU's stack.
pub fn suspend_on<F>(fut: F) -> Result<F::Output, Suspension>
where
    F: Future + 'static,
    F::Output: 'static,
{
    suspend_with(move || fut)
}

/// The output of `fut` at once when it is ready at its first poll and the VU has time left in
/// its slice (the next iteration of a looping VU, nearly always), else [`suspend_on`] it. A
/// suspension that resumes at once still costs two stack switches, three boxes and a turn of
/// the driver's loop; a turn of the driver is also where a VU that used its
/// [`TIME_SLICE`] yields, so one that did suspends.
///
/// The first poll is on the VU's stack with a waker that does nothing: a future that is not
/// ready is polled again by the driver, with the driver's waker, before anything can wake it.
pub fn ready_or_suspend<F>(mut fut: Pin<Box<F>>) -> Result<F::Output, Suspension>
where
    F: Future + ?Sized + 'static,
    F::Output: 'static,
{
    if in_coroutine() && !slice_used() {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            return Ok(out);
        }
    }
    suspend_on(fut)
}

/// Suspends the running VU until the future `make()` builds completes; `make` runs on the
/// driver's stack (see [`Suspended`]).
pub fn suspend_with<F, M>(make: M) -> Result<F::Output, Suspension>
where
    M: FnOnce() -> F + 'static,
    F: Future + 'static,
    F::Output: 'static,
{
    suspend(make, IDLE_AFTER)
}

/// [`suspend_with`] for an event loop waiting for its next event: the stack below is released
/// after [`EVENTS_IDLE_AFTER`] instead of [`IDLE_AFTER`].
pub fn suspend_for_events<F, M>(make: M) -> Result<F::Output, Suspension>
where
    M: FnOnce() -> F + 'static,
    F: Future + 'static,
    F::Output: 'static,
{
    suspend(make, EVENTS_IDLE_AFTER)
}

// Inlined: a frame of its own would sit under every suspended VU.
#[inline(always)]
fn suspend<F, M>(make: M, release_after: Duration) -> Result<F::Output, Suspension>
where
    M: FnOnce() -> F + 'static,
    F: Future + 'static,
    F::Output: 'static,
{
    let yielder = CURRENT.with(Cell::get);
    if yielder.is_null() {
        return Err(Suspension::Interrupted);
    }
    let boxed: Suspended =
        Box::new(move || Box::pin(async move { Box::new(make().await) as Box<dyn Any> }) as BoxedFuture);
    SUSPENDED_AT.with(|at| at.set(stack_mark()));
    RELEASE_AFTER.with(|after| after.set(release_after));
    // SAFETY: `yielder` was stored by this very coroutine (see `VuCoroutine::new`) and lives on
    // its stack for as long as the coroutine runs. Only code running on that coroutine reads it:
    // after every resume the coroutine stores its own yielder again, below.
    let resumed = unsafe { &*yielder }.suspend(boxed);
    CURRENT.with(|c| c.set(yielder));
    match resumed {
        Resumed::Output(out) => Ok(*out.downcast::<F::Output>().expect("resumed with the output of another future")),
        Resumed::Interrupted => Err(Suspension::Interrupted),
        Resumed::Panicked(message) => Err(Suspension::Panicked(message)),
    }
}

/// An address in a frame called from the caller's: below every local of the caller (so below
/// everything a suspended coroutine still needs but the suspension's own frames).
#[inline(never)]
fn stack_mark() -> usize {
    let here = 0u8;
    std::hint::black_box(&here) as *const u8 as usize
}

/// The thread's record of which coroutine runs, restored when a resume returns or unwinds (a
/// panicking VU must not leave a dangling yielder behind for the next VU of its thread).
struct Running {
    previous: *const VuYielder,
    previous_context: Option<Rc<dyn Any>>,
}

impl Running {
    fn enter(context: Rc<dyn Any>) -> Running {
        let previous = CURRENT.with(Cell::get);
        let previous_context = CONTEXT.with(|c| c.replace(Some(context)));
        Running { previous, previous_context }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
        CONTEXT.with(|c| *c.borrow_mut() = self.previous_context.take());
    }
}

/// A VU's stackful coroutine running `body` to completion.
pub struct VuCoroutine<R: 'static> {
    co: Coroutine<Resumed, Suspended, R, StackShare>,
    /// Its place on one of the thread's shared stacks (`shared_stack.rs`).
    share: StackShare,
    context: Rc<dyn Any>,
}

impl<R: 'static> VuCoroutine<R> {
    /// Creates the coroutine on one of this thread's shared stacks of `stack_size` bytes
    /// (`shared_stack.rs`; reserved, not committed). While it runs, [`current_context`] returns
    /// `context`.
    pub fn new(stack_size: usize, context: Rc<dyn Any>, body: impl FnOnce() -> R + 'static) -> std::io::Result<Self> {
        let share = StackShare::new(stack_size)?;
        // Boxed: corosensei writes the body on the stack's top, inside the few bytes a tenant
        // that has not started yet keeps there.
        let body: Box<dyn FnOnce() -> R> = Box::new(body);
        let co = Coroutine::with_stack(share.clone(), move |yielder: &VuYielder, _first: Resumed| {
            CURRENT.with(|c| c.set(yielder as *const VuYielder));
            let out = body();
            CURRENT.with(|c| c.set(ptr::null()));
            out
        });
        Ok(Self { co, share, context })
    }

    /// Drives the coroutine to completion on the current `LocalSet`, awaiting each future it
    /// suspends on. When `interrupt` completes first, the coroutine is resumed with
    /// [`Suspension::Interrupted`] instead and the pending future is dropped. A VU that used up its
    /// [`TIME_SLICE`] yields to the runtime before it is resumed.
    pub async fn run<I, IF>(self, interrupt: I) -> R
    where
        I: FnMut() -> IF,
        IF: Future<Output = ()>,
    {
        let mut drive = std::pin::pin!(self.drive(interrupt));
        std::future::poll_fn(|cx| {
            // Set when the driver first resumes the VU in this poll: most polls of a VU that
            // waits find its future still pending and run no script, so they read no clock.
            SLICE_START.with(|s| s.set(None));
            let poll = drive.as_mut().poll(cx);
            SLICE_START.with(|s| s.set(None));
            poll
        })
        .await
    }

    /// Returns the pages of the suspended coroutine's stack below its suspended frame (less
    /// [`IDLE_STACK_KEPT`]) to the kernel; see [`IDLE_AFTER`].
    fn release_idle_stack(&self, suspended_at: usize) -> usize {
        if !self.share.occupies() {
            return 0; // another VU of the shared stack runs there now
        }
        let (limit, base) = (self.share.limit().get(), self.share.base().get());
        if suspended_at <= limit + IDLE_STACK_KEPT || suspended_at > base {
            return 0; // not an address on this coroutine's stack, or nothing below it to release
        }
        // SAFETY: the coroutine is suspended and uses its stack only from `suspended_at` (a
        // frame below all of `suspend_with`'s locals) up, plus the suspension's own frames just
        // below, well within `IDLE_STACK_KEPT`; nothing else runs on it until it is resumed.
        unsafe { stack_pool::release_below(limit, suspended_at - IDLE_STACK_KEPT) }
    }

    async fn drive<I, IF>(mut self, mut interrupt: I) -> R
    where
        I: FnMut() -> IF,
        IF: Future<Output = ()>,
    {
        let mut input = Resumed::Output(Box::new(()));
        // The timer that releases the stack of a VU alone on it (see `idle` below): made the
        // first time such a VU waits, then reset at each wait. A reset moves a registered
        // deadline later without touching the runtime's timer wheel: tokio's timer code took
        // 934 instructions per request of bench/get-loop.rhai this way, 1,216 with a timer
        // made and dropped per wait (bench/README.md, "Rhai Grain, one idle-stack timer").
        let mut idle_timer: Option<Pin<Box<tokio::time::Sleep>>> = None;
        loop {
            let step = {
                SLICE_START.with(|s| {
                    if s.get().is_none() {
                        s.set(Some(Instant::now()));
                    }
                });
                self.share.enter();
                let _running = Running::enter(self.context.clone());
                self.co.resume(input)
            };
            match step {
                CoroutineResult::Return(out) => {
                    self.share.finished();
                    return out;
                }
                CoroutineResult::Yield(make) => {
                    let suspended_at = SUSPENDED_AT.with(Cell::get);
                    self.share.suspended(suspended_at.saturating_sub(SUSPENSION_FRAMES));
                    let release_after = RELEASE_AFTER.with(Cell::get);
                    // Built and polled under `catch_unwind`: a panic in rload's async code
                    // fails the call that suspended (see `Suspension::Panicked`), not the VU.
                    let fut = AssertUnwindSafe(async move { make().await }).catch_unwind();
                    let (mut fut, mut interrupted) = (std::pin::pin!(fut), std::pin::pin!(interrupt()));
                    // Set when first polled: on a shared stack it never is, and neither is it
                    // when the future is ready at once.
                    let mut idle = std::pin::pin!(async {
                        let deadline = tokio::time::Instant::now() + release_after;
                        let timer = match &mut idle_timer {
                            Some(timer) => {
                                timer.as_mut().reset(deadline);
                                timer
                            }
                            none => none.insert(Box::pin(tokio::time::sleep_until(deadline))),
                        };
                        timer.as_mut().await
                    });
                    // On a stack shared with other VUs nothing is released: the next VU to run
                    // there would fault the pages straight back in, and what a shared stack holds
                    // is bounded by the thread's few stacks, not by its VUs.
                    let mut released = !self.share.alone();
                    let at_once = release_after.is_zero();
                    input = loop {
                        tokio::select! {
                            biased;
                            out = &mut fut => break match out {
                                Ok(out) => Resumed::Output(out),
                                Err(payload) => Resumed::Panicked(panic_message(payload.as_ref())),
                            },
                            () = &mut interrupted => break Resumed::Interrupted,
                            // Zero: as soon as the future has to wait.
                            () = std::future::ready(()), if at_once && !released => {
                                released = true;
                                self.release_idle_stack(suspended_at);
                            }
                            () = &mut idle, if !released => {
                                released = true;
                                self.release_idle_stack(suspended_at);
                            }
                        }
                    };
                    if slice_used() {
                        tokio::task::yield_now().await;
                    }
                }
            }
        }
    }
}

impl<R: 'static> Drop for VuCoroutine<R> {
    fn drop(&mut self) {
        // Dropping `co` next unwinds a suspended coroutine on its stack (or drops the body of
        // one that never ran, which lives on its stack too): put its live stack in place first.
        if !self.co.done() {
            self.share.enter();
        }
    }
}

#[cfg(test)]
#[path = "coroutine_tests.rs"]
mod tests;
