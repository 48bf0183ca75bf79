//! The VUs of a thread take turns on a few shared stacks.
//!
//! A suspended VU needs only the live part of its stack (a VU in `sleep` is ~8 KB deep, one
//! waiting for a response ~20 KB), but with a stack of its own it keeps every page it touched
//! resident while it waits, and 10,000 waiting VUs are most of a process's memory. Here each
//! thread has at most [`STACKS_PER_THREAD`] stacks per stack size, and every coroutine is a
//! *tenant* of one of them, for life (a stack holds pointers into itself, so a coroutine always
//! runs at the same addresses). While a tenant runs, its live stack is on the shared stack; when
//! another tenant of the same stack is about to run, [`StackShare::enter`] saves the one in place
//! (the occupant) to a compact heap copy ([`StackImage`], ~1.9 KB for a VU waiting in
//! `ws.connect`, encoded against a stack of its neighbours' at the same depth) and
//! writes the newcomer's copy back. No system call and no page fault: the shared stacks stay
//! resident, and a copy costs a few microseconds of memory traffic.
//!
//! A thread with at most [`STACKS_PER_THREAD`] VUs gives each its own stack and never copies
//! (a 50-VU throughput run does not pay for this); beyond, VUs are spread evenly. A thread
//! planned for many more VUs ([`plan_vus`]) makes only [`FEW_STACKS`]: nearly every resume
//! copies either way, and a few stacks stay in the CPU's caches.
//!
//! Rules the coroutine code follows (`coroutine.rs`): `enter` before every resume, before a
//! coroutine is created (corosensei writes its first frame then) and before a suspended one is
//! dropped (dropping unwinds it on its stack); `suspended` after every suspension, with an
//! address below everything the suspended coroutine still uses; `finished` once it returned.
//! Nothing outside the coroutine may hold a pointer into its stack across a suspension.

use std::cell::{Cell, RefCell};
use std::ptr;
use std::rc::Rc;

use corosensei::stack::{Stack, StackPointer};

use super::stack_image::StackImage;
use super::stack_pool::PooledStack;

/// Stacks per stack size each thread's coroutines share, when the thread plans few enough
/// VUs that most of them can have one of their own.
pub const STACKS_PER_THREAD: usize = 256;

/// A thread planned for more VUs than this shares [`FEW_STACKS`] stacks instead: with 256
/// stacks, three resumes in four would copy anyway, and fewer stacks keep the ones that are
/// written on every resume in the CPU's caches. 10,000 WebSockets on 2 threads (5,000 VUs
/// each): 16 stacks made a delivery 8-13% cheaper in CPU than 256 (bench/README.md, "CPU per
/// WebSocket delivery: the stack copy").
pub const SHARING_FROM_VUS: usize = 4 * STACKS_PER_THREAD;

/// Stacks per stack size of a thread planned for more than [`SHARING_FROM_VUS`] VUs.
pub const FEW_STACKS: usize = 16;

/// The live part of a coroutine that has not run yet: corosensei's first frame (the entry
/// point, a slot for the parent's stack pointer, the boxed body and its trampoline address).
const UNSTARTED_LIVE: usize = 512;

/// One stack of a thread, and which of its tenants is on it now.
struct SharedStack {
    stack: PooledStack,
    limit: usize,
    top: usize,
    /// The tenant whose live stack is in place (its image is not in the heap); null for none.
    /// A tenant clears it when dropped, so a non-null pointer is always to a live tenant.
    occupant: Cell<*const Tenant>,
    tenants: Cell<usize>,
}

impl SharedStack {
    /// True when the code calling this runs on this stack.
    fn runs_here(&self) -> bool {
        let here = 0u8;
        let at = std::hint::black_box(&here) as *const u8 as usize;
        (self.limit..self.top).contains(&at)
    }
}

/// One coroutine's tenancy of a shared stack.
struct Tenant {
    stack: Rc<SharedStack>,
    /// The lowest address of the coroutine's live stack when it is suspended.
    live_from: Cell<usize>,
    /// The live stack while another tenant occupies the shared stack.
    image: Cell<Option<StackImage>>,
}

impl Drop for Tenant {
    fn drop(&mut self) {
        let stack = &self.stack;
        if ptr::eq(stack.occupant.get(), self) {
            stack.occupant.set(ptr::null());
        }
        stack.tenants.set(stack.tenants.get() - 1);
    }
}

thread_local! {
    /// This thread's shared stacks, of every size asked for.
    static STACKS: RefCell<Vec<Rc<SharedStack>>> = const { RefCell::new(Vec::new()) };
    /// How many stacks per size this thread makes at most (see [`plan_vus`]).
    static MOST_STACKS: Cell<usize> = const { Cell::new(STACKS_PER_THREAD) };
}

/// Tells this thread how many VUs it will run at most, before its first coroutine: past
/// [`SHARING_FROM_VUS`] they share [`FEW_STACKS`] stacks per size, else up to
/// [`STACKS_PER_THREAD`].
pub fn plan_vus(vus: u64) {
    let most = if vus > SHARING_FROM_VUS as u64 { FEW_STACKS } else { STACKS_PER_THREAD };
    MOST_STACKS.with(|m| m.set(most));
}

/// A coroutine's handle on its place in a shared stack: what corosensei runs on, and what the
/// coroutine code calls to take turns.
#[derive(Clone)]
pub struct StackShare(Rc<Tenant>);

impl StackShare {
    /// A place on one of this thread's stacks of `stack_size` bytes: a new stack while the thread
    /// has fewer than its most ([`plan_vus`]) of that size and all have tenants, else the one
    /// with fewest tenants. The new tenant occupies it at once (its coroutine is about to be created).
    pub fn new(stack_size: usize) -> std::io::Result<StackShare> {
        let stack = STACKS.with(|stacks| -> std::io::Result<Rc<SharedStack>> {
            let mut stacks = stacks.borrow_mut();
            let wanted = PooledStack::slot_len_for(stack_size);
            let same_size = stacks.iter().filter(|s| s.stack.slot_len() == wanted);
            let fewest = same_size.clone().min_by_key(|s| s.tenants.get()).cloned();
            let most = MOST_STACKS.with(Cell::get);
            match fewest {
                Some(s) if s.tenants.get() == 0 || same_size.count() >= most => Ok(s),
                _ => {
                    let stack = PooledStack::new(stack_size)?;
                    let (limit, top) = (stack.limit().get(), stack.base().get());
                    let shared = Rc::new(SharedStack {
                        stack,
                        limit,
                        top,
                        occupant: Cell::new(ptr::null()),
                        tenants: Cell::new(0),
                    });
                    stacks.push(shared.clone());
                    Ok(shared)
                }
            }
        })?;
        stack.tenants.set(stack.tenants.get() + 1);
        let live_from = stack.top - UNSTARTED_LIVE;
        let share = StackShare(Rc::new(Tenant { stack, live_from: Cell::new(live_from), image: Cell::new(None) }));
        share.enter();
        Ok(share)
    }

    /// Puts this tenant's live stack in place: saves the occupant's (if another) to its image
    /// and writes this one's image back.
    ///
    /// # Panics
    /// When called from code running on this very stack (a coroutine resuming a coroutine that
    /// shares its stack), which would overwrite the caller's own frames.
    pub fn enter(&self) {
        let (me, stack) = (Rc::as_ptr(&self.0), &self.0.stack);
        let occupant = stack.occupant.get();
        if ptr::eq(occupant, me) {
            return;
        }
        assert!(!stack.runs_here(), "a coroutine resumed another coroutine of its own shared stack");
        if !occupant.is_null() {
            // SAFETY: a non-null occupant is a live tenant (see `SharedStack::occupant`); its
            // coroutine is suspended (only one coroutine of a thread runs at a time, and not this
            // caller, checked above) and uses nothing of the stack below `live_from`.
            let occupant = unsafe { &*occupant };
            let image = unsafe { StackImage::save(occupant.live_from.get(), stack.top) };
            occupant.image.set(Some(image));
        }
        if let Some(image) = self.0.image.take() {
            // SAFETY: the image came from this stack; the tenant that was in place is saved and
            // nothing runs on the stack until this tenant's coroutine is resumed.
            unsafe { image.restore() };
        }
        stack.occupant.set(me);
    }

    /// Notes that the coroutine is suspended and uses nothing of its stack below `from`.
    pub fn suspended(&self, from: usize) {
        let stack = &self.0.stack;
        self.0.live_from.set((from & !7).clamp(stack.limit, stack.top - 8));
    }

    /// Notes that the coroutine has returned: nothing on its stack is live any more.
    pub fn finished(&self) {
        if self.occupies() {
            self.0.stack.occupant.set(ptr::null());
        }
    }

    /// True while no other coroutine shares this one's stack.
    pub fn alone(&self) -> bool {
        self.0.stack.tenants.get() == 1
    }

    /// True while this tenant's live stack is in place (no other tenant ran since it did).
    pub fn occupies(&self) -> bool {
        ptr::eq(self.0.stack.occupant.get(), Rc::as_ptr(&self.0))
    }
}

// SAFETY: `base` and `limit` bound a pooled stack (readable, writable, a guard page below
// `limit`) that outlives every handle; its tenants take turns on it through `enter`.
unsafe impl Stack for StackShare {
    fn base(&self) -> StackPointer {
        StackPointer::new(self.0.stack.top).expect("a mapped stack is not at address 0")
    }

    fn limit(&self) -> StackPointer {
        StackPointer::new(self.0.stack.limit).expect("a mapped stack is not at address 0")
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::future::Future;
    use std::rc::Rc;
    use std::time::Duration;

    use super::super::coroutine::{suspend_on, suspend_with, VuCoroutine};
    use super::*;

    fn local<F: Future>(f: F) -> F::Output {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        tokio::task::LocalSet::new().block_on(&rt, f)
    }

    /// How many shared stacks this thread has made.
    fn stacks_of_this_thread() -> usize {
        STACKS.with(|s| s.borrow().len())
    }

    /// Runs `vus` VUs on this thread's shared stacks, VU `id` running `body(id)`, all at once;
    /// how many returned true.
    fn vus_returning_true(vus: u64, body: impl Fn(u64) -> bool + Copy + 'static) -> u64 {
        local(async move {
            let mut tasks = Vec::new();
            for id in 0..vus {
                let co = VuCoroutine::new(256 * 1024, Rc::new(()), move || body(id)).unwrap();
                tasks.push(tokio::task::spawn_local(co.run(std::future::pending::<()>)));
            }
            let mut count = 0;
            for t in tasks {
                count += u64::from(t.await.unwrap());
            }
            count
        })
    }

    #[test]
    fn vus_beyond_the_threads_stacks_take_turns_on_them_and_keep_their_own_frames() {
        let vus = 3 * STACKS_PER_THREAD as u64 + 5;
        let intact = vus_returning_true(vus, |id| {
            // Values on this VU's stack, and a pointer into it, across suspensions that
            // interleave with the other VUs of its shared stack.
            let frame = std::hint::black_box([id; 64]);
            let at = std::hint::black_box(&frame as *const [u64; 64]);
            let mut intact = true;
            for round in 0..4 {
                let wait = Duration::from_micros((id * 7 + round * 13) % 50);
                suspend_with(move || tokio::time::sleep(wait)).unwrap();
                // SAFETY: `at` points to `frame`, alive in this very frame.
                intact &= frame == [id; 64] && unsafe { *at } == [id; 64];
            }
            intact
        });
        assert_eq!(intact, vus, "VUs found their stack frames changed after another VU ran");
        assert!(stacks_of_this_thread() <= STACKS_PER_THREAD, "{vus} VUs took {} stacks", stacks_of_this_thread());
    }

    #[test]
    fn a_thread_planned_for_thousands_of_vus_shares_a_few_stacks() {
        std::thread::spawn(|| {
            plan_vus(SHARING_FROM_VUS as u64 + 1);
            let vus = 2 * FEW_STACKS as u64 + 3;
            let done = vus_returning_true(vus, |id| {
                let frame = std::hint::black_box([id; 32]);
                suspend_with(tokio::task::yield_now).unwrap();
                frame == [id; 32]
            });
            assert_eq!(done, vus, "VUs found their stack frames changed after another VU ran");
            assert_eq!(stacks_of_this_thread(), FEW_STACKS);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn a_vu_dropped_while_another_uses_its_stack_unwinds_its_own_frames() {
        struct Guard(Rc<Cell<Option<bool>>>, [u64; 16]);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.set(Some(self.1 == [0x5eed; 16]));
            }
        }
        let dropped = Rc::new(Cell::new(None));
        let seen = dropped.clone();
        local(async move {
            let co = VuCoroutine::new(256 * 1024, Rc::new(()), move || {
                let _guard = Guard(seen, std::hint::black_box([0x5eed; 16]));
                suspend_on(std::future::pending::<()>()).ok();
            })
            .unwrap();
            let stuck = tokio::task::spawn_local(co.run(std::future::pending::<()>));
            tokio::task::yield_now().await;
            // Enough VUs that one of them shares the stuck VU's stack and runs on it.
            let mut others = Vec::new();
            for _ in 0..2 * STACKS_PER_THREAD {
                let co = VuCoroutine::new(256 * 1024, Rc::new(()), || {
                    std::hint::black_box([0xbad_u64; 256]);
                    suspend_on(tokio::task::yield_now()).unwrap();
                    std::hint::black_box([0xbad_u64; 256]);
                })
                .unwrap();
                others.push(tokio::task::spawn_local(co.run(std::future::pending::<()>)));
            }
            for other in others {
                other.await.unwrap();
            }
            stuck.abort();
            assert!(stuck.await.unwrap_err().is_cancelled());
        });
        assert_eq!(dropped.get(), Some(true), "the dropped VU's destructors ran on another VU's frames");
    }
}
