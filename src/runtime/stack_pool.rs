//! Coroutine stacks for VUs, carved from a few large memory mappings and reused.
//!
//! corosensei's `DefaultStack` maps each stack on its own and protects its guard page with
//! `mprotect`, which splits the mapping: two kernel memory mappings per VU, so the kernel's
//! `vm.max_map_count` (65,530 by default) caps a process near 32,000 VUs. Here one mapping (a chunk) holds
//! [`SLOTS_PER_CHUNK`] stacks at once (reserved with `MAP_NORESERVE`: untouched pages cost
//! neither memory nor commit charge) and installs each slot's guard page with
//! `MADV_GUARD_INSTALL` (Linux 6.13+), which faults on access like a `PROT_NONE` page without
//! splitting the mapping: 100,000 VUs take a few hundred mappings. On an older kernel the guard
//! page falls back to `mprotect` (two mappings per stack, as before), and [`maps_per_stack`] says
//! so to the capacity check in `limits.rs`.
//!
//! A stack given back (its VU ended) has its pages returned to the kernel (`MADV_DONTNEED`) and
//! its slot goes on a free list, so a ramp that starts and stops VUs reuses slots instead of
//! mapping new ones. [`release_below`] returns the pages of a live stack below a given address to
//! the kernel; `coroutine.rs` calls it for a VU that has waited long (see `IDLE_AFTER` there).
//!
//! This module knows nothing about VUs; it hands out memory that corosensei runs on.

use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use corosensei::stack::valgrind::ValgrindStackRegistration;
use corosensei::stack::{Stack, StackPointer};

/// Stacks per mapping, at most: a mapping holds at most [`CHUNK_BYTES`] of address space, so
/// 64 stacks of 64 MiB (release VUs, `script::engine::VU_STACK_SIZE`).
const SLOTS_PER_CHUNK: usize = 256;

/// Address space per mapping, at most (reserved, not committed: see the module doc).
const CHUNK_BYTES: usize = 4 << 30;

/// Slots of `slot_len` bytes in one chunk.
fn slots_per_chunk(slot_len: usize) -> usize {
    (CHUNK_BYTES / slot_len).clamp(1, SLOTS_PER_CHUNK)
}

/// Linux's `MADV_GUARD_INSTALL` (6.13+); not yet in every libc release.
const MADV_GUARD_INSTALL: libc::c_int = 102;

const GUARD_UNKNOWN: u8 = 0;
const GUARD_MADVISE: u8 = 1;
const GUARD_MPROTECT: u8 = 2;
/// How guard pages are installed in this process, found on the first chunk.
static GUARD_MODE: AtomicU8 = AtomicU8::new(GUARD_UNKNOWN);

fn page_size() -> usize {
    static PAGE: OnceLock<usize> = OnceLock::new();
    // SAFETY: sysconf has no preconditions.
    *PAGE.get_or_init(|| unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize)
}

/// Kernel memory mappings each pooled stack of `stack_size` bytes costs: about 0 when guard
/// pages are installed with `MADV_GUARD_INSTALL` (one mapping per chunk of stacks), 2 with
/// `mprotect`. Before the first stack is created this probes the kernel with a one-page mapping.
pub fn maps_per_stack(stack_size: usize) -> f64 {
    if guard_mode() == GUARD_MADVISE {
        1.0 / slots_per_chunk(PooledStack::slot_len_for(stack_size)) as f64
    } else {
        2.0
    }
}

fn guard_mode() -> u8 {
    let mode = GUARD_MODE.load(Ordering::Relaxed);
    if mode != GUARD_UNKNOWN {
        return mode;
    }
    let page = page_size();
    // SAFETY: a fresh private anonymous mapping of one page, advised and unmapped here only.
    let mode = unsafe {
        let probe = libc::mmap(
            std::ptr::null_mut(),
            page,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        );
        if probe == libc::MAP_FAILED {
            GUARD_MPROTECT
        } else {
            let ok = libc::madvise(probe, page, MADV_GUARD_INSTALL) == 0;
            libc::munmap(probe, page);
            if ok {
                GUARD_MADVISE
            } else {
                GUARD_MPROTECT
            }
        }
    };
    GUARD_MODE.store(mode, Ordering::Relaxed);
    mode
}

/// Free slots of one stack size, shared by the worker threads.
struct Pool {
    /// Bytes per slot: one guard page + the stack, page-aligned.
    slot_len: usize,
    free: Mutex<Vec<usize>>,
}

impl Pool {
    fn for_size(stack_size: usize) -> Arc<Pool> {
        static POOLS: Mutex<Vec<Arc<Pool>>> = Mutex::new(Vec::new());
        let slot_len = PooledStack::slot_len_for(stack_size);
        let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pool) = pools.iter().find(|p| p.slot_len == slot_len) {
            return pool.clone();
        }
        let pool = Arc::new(Pool { slot_len, free: Mutex::new(Vec::new()) });
        pools.push(pool.clone());
        pool
    }

    fn take(&self) -> std::io::Result<usize> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = free.pop() {
            return Ok(slot);
        }
        let slots = map_chunk(self.slot_len)?;
        free.extend(slots.into_iter().rev());
        Ok(free.pop().expect("a new chunk has free slots"))
    }

    fn give_back(&self, slot: usize) {
        let page = page_size();
        // SAFETY: the slot's stack part belongs to this pool and no coroutine runs on it any
        // more (its `PooledStack` is being dropped); its guard page is left as it is.
        unsafe {
            libc::madvise((slot + page) as *mut libc::c_void, self.slot_len - page, libc::MADV_DONTNEED);
        }
        self.free.lock().unwrap_or_else(|e| e.into_inner()).push(slot);
    }
}

/// Maps one chunk: [`slots_per_chunk`] slots of `slot_len` bytes, each a guard page below a
/// stack; returns the slots' start addresses. Never unmapped: a process keeps the address space
/// of its peak VU count (not its memory).
fn map_chunk(slot_len: usize) -> std::io::Result<Vec<usize>> {
    let page = page_size();
    let slots_in_chunk = slots_per_chunk(slot_len);
    let len = slot_len * slots_in_chunk;
    let mode = guard_mode();
    // SAFETY: a fresh private anonymous mapping that this pool alone hands out, slot by slot.
    unsafe {
        let base = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        );
        if base == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        // A stack touches a few pages; a transparent huge page would make each 2 MiB resident.
        libc::madvise(base, len, libc::MADV_NOHUGEPAGE);
        let base = base as usize;
        let mut slots = Vec::with_capacity(slots_in_chunk);
        for i in 0..slots_in_chunk {
            let slot = base + i * slot_len;
            let guard = slot as *mut libc::c_void;
            let installed = if mode == GUARD_MADVISE {
                libc::madvise(guard, page, MADV_GUARD_INSTALL)
            } else {
                libc::mprotect(guard, page, libc::PROT_NONE)
            };
            if installed != 0 {
                let err = std::io::Error::last_os_error();
                libc::munmap(base as *mut libc::c_void, len);
                return Err(err);
            }
            slots.push(slot);
        }
        Ok(slots)
    }
}

/// A stack from the pool, given back when dropped.
pub struct PooledStack {
    pool: Arc<Pool>,
    slot: usize,
    valgrind: ManuallyDrop<ValgrindStackRegistration>,
}

impl PooledStack {
    /// A stack of at least `stack_size` bytes (rounded up to pages), below a guard page.
    pub fn new(stack_size: usize) -> std::io::Result<PooledStack> {
        let pool = Pool::for_size(stack_size);
        let slot = pool.take()?;
        let page = page_size();
        let valgrind = ValgrindStackRegistration::new((slot + page) as *mut u8, pool.slot_len - page);
        Ok(PooledStack { pool, slot, valgrind: ManuallyDrop::new(valgrind) })
    }

    /// The bytes of address space (guard page included) a stack of `stack_size` takes.
    pub fn slot_len_for(stack_size: usize) -> usize {
        let page = page_size();
        stack_size.max(corosensei::stack::MIN_STACK_SIZE).div_ceil(page) * page + page
    }

    /// The bytes of address space (guard page included) this stack takes.
    pub fn slot_len(&self) -> usize {
        self.pool.slot_len
    }
}

impl Drop for PooledStack {
    fn drop(&mut self) {
        // SAFETY: dropped once, here.
        unsafe { ManuallyDrop::drop(&mut self.valgrind) };
        self.pool.give_back(self.slot);
    }
}

// SAFETY: `base` and `limit` bound memory that this value alone owns for its lifetime, readable
// and writable, with a guard page right below `limit`.
unsafe impl Stack for PooledStack {
    fn base(&self) -> StackPointer {
        StackPointer::new(self.slot + self.pool.slot_len).expect("a mapped slot is not at address 0")
    }

    fn limit(&self) -> StackPointer {
        StackPointer::new(self.slot + page_size()).expect("a mapped slot is not at address 0")
    }
}

/// Returns the pages of a stack between its `limit` and `below` (exclusive, rounded down to a
/// page) to the kernel; they read as zeros when touched again. Returns the bytes released.
///
/// # Safety
/// `limit..below` must lie in a stack that nothing uses below `below` until this returns: the
/// running coroutine's own stack, below its current frame.
pub unsafe fn release_below(limit: usize, below: usize) -> usize {
    let page = page_size();
    let end = below & !(page - 1);
    if end <= limit {
        return 0;
    }
    // SAFETY: the caller guarantees the range is unused stack.
    unsafe { libc::madvise(limit as *mut libc::c_void, end - limit, libc::MADV_DONTNEED) };
    end - limit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maps_of_this_process() -> usize {
        std::fs::read_to_string("/proc/self/maps").map(|m| m.lines().count()).unwrap_or(0)
    }

    #[test]
    fn many_stacks_share_a_few_mappings_when_the_kernel_has_guard_regions() {
        let before = maps_of_this_process();
        let stacks: Vec<PooledStack> = (0..600).map(|_| PooledStack::new(64 * 1024).unwrap()).collect();
        let added = maps_of_this_process().saturating_sub(before);
        if guard_mode() == GUARD_MADVISE {
            assert!(added <= 10, "600 stacks added {added} mappings");
        } else {
            assert!(added >= 600, "mprotect guard pages split mappings; saw {added}");
        }
        let distinct: std::collections::HashSet<usize> = stacks.iter().map(|s| s.slot).collect();
        assert_eq!(distinct.len(), 600, "two live stacks got the same slot");
    }

    #[test]
    fn a_stack_given_back_is_reused_and_reads_as_zeros() {
        let first = PooledStack::new(96 * 1024).unwrap();
        let (slot, top) = (first.slot, first.base().get());
        // SAFETY: writing inside the stack this test owns.
        unsafe { *((top - 8) as *mut u64) = 0xfeed };
        drop(first);
        let again = PooledStack::new(96 * 1024).unwrap();
        assert_eq!(again.slot, slot, "the freed slot was not reused");
        // SAFETY: reading inside the stack this test owns.
        assert_eq!(unsafe { *((top - 8) as *const u64) }, 0, "a reused stack kept its old contents");
    }

    #[test]
    fn released_pages_leave_the_resident_set() {
        let stack = PooledStack::new(4 << 20).unwrap();
        let (limit, top) = (stack.limit().get(), stack.base().get());
        // SAFETY: touching the stack this test owns.
        unsafe { std::ptr::write_bytes(limit as *mut u8, 1, top - limit) };
        let resident = |addr: usize| {
            let page = page_size();
            let mut vec = [0u8; 1];
            // SAFETY: a valid mapped page-aligned address and a one-entry vector.
            unsafe { libc::mincore(addr as *mut libc::c_void, page, vec.as_mut_ptr()) };
            vec[0] & 1 == 1
        };
        assert!(resident(limit));
        // SAFETY: nothing runs on this stack.
        let released = unsafe { release_below(limit, top - 64 * 1024 + 100) };
        assert_eq!(released, (4 << 20) - 64 * 1024);
        assert!(!resident(limit), "a released page is still resident");
        assert!(resident(top - 4096), "a page above the mark was released");
    }
}
