//! The global allocator: mimalloc, asked the way its own `malloc` is fastest.
//!
//! The `mimalloc` crate hands every Rust allocation to `mi_malloc_aligned`, whose fast path
//! needs the size class's page to have a free block at hand. When it has none (its freed blocks
//! wait in the page's local list until a plain `mi_malloc` collects them), a size that is not a
//! power of two is over-allocated from a larger size class. Most of a request's allocations
//! ask for an alignment that plain `mi_malloc` gives anyway, as the system allocator's `malloc`
//! does for std: those go to `mi_malloc`, the rest to the aligned calls.
//!
//! A worker thread keeps its most recently freed blocks up to 16 KiB, per mimalloc size class,
//! and hands them out first (`ThreadCache`): at 10,000 VUs the block mimalloc would hand out was
//! freed long before and has left the caches, and reading its link was most of malloc's time.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::ffi::c_void;
use std::ptr;

use libmimalloc_sys as mi;

/// The alignment `mi_malloc` gives every block of at least this many bytes (`MI_MAX_ALIGN_SIZE`);
/// smaller blocks are aligned to their size class, a multiple of 8.
const PLAIN_ALIGN: usize = 16;

pub struct Allocator;

/// The largest block a thread's cache keeps (a stack image, a request's future).
const CACHED_MAX: usize = 16 * 1024;
/// mimalloc's size-class number of `CACHED_MAX`, plus one.
const CLASSES: usize = 41;
/// A class's list is full once it holds `CLASS_BYTES` and at least `MIN_BLOCKS` blocks.
const CLASS_BYTES: usize = 16 * 1024;
const MIN_BLOCKS: u32 = 4;

/// mimalloc's size class of `size` (1 ..= `CACHED_MAX` bytes) and that class's block size: the
/// same rule as its `mi_bin` (whole double words up to 64 bytes, then four classes per doubling).
#[inline]
fn class(size: usize) -> (usize, usize) {
    let words = size.div_ceil(8);
    if words <= 8 {
        let w = if words <= 1 { 1 } else { (words + 1) & !1 };
        return (w, w * 8);
    }
    let w = words - 1;
    let b = (usize::BITS - 1 - w.leading_zeros()) as usize;
    let top = w >> (b - 2);
    ((b << 2) + (top & 3) - 3, ((top + 1) << (b - 2)) * 8)
}

/// A worker thread's most recently freed blocks, per size class, reused first: mimalloc hands out
/// a page's blocks in the order they were freed a while ago, and at 10,000 VUs such a block has
/// left the caches, so reading its link missed them on most allocations. A list's blocks are
/// linked through their first word. Off on threads that did not ask (`ThreadCache::start`).
struct Lists {
    on: Cell<bool>,
    heads: [Cell<*mut u8>; CLASSES],
    counts: [Cell<u32>; CLASSES],
}

thread_local! {
    static LISTS: Lists = const {
        Lists {
            on: Cell::new(false),
            heads: [const { Cell::new(ptr::null_mut()) }; CLASSES],
            counts: [const { Cell::new(0) }; CLASSES],
        }
    };
}

impl Lists {
    #[inline]
    fn pop(&self, class: usize) -> *mut u8 {
        let head = self.heads[class].get();
        if !head.is_null() {
            // SAFETY: a listed block is a live mimalloc block of this class, its first word the link.
            self.heads[class].set(unsafe { head.cast::<*mut u8>().read() });
            self.counts[class].set(self.counts[class].get() - 1);
        }
        head
    }

    #[inline]
    fn push(&self, class: usize, block_size: usize, block: *mut u8) -> bool {
        let count = self.counts[class].get();
        if !self.on.get() || (count >= MIN_BLOCKS && count as usize * block_size >= CLASS_BYTES) {
            return false;
        }
        // SAFETY: the block has at least 8 bytes, 8-aligned, and is no longer the program's.
        unsafe { block.cast::<*mut u8>().write(self.heads[class].get()) };
        self.heads[class].set(block);
        self.counts[class].set(count + 1);
        true
    }

    fn flush(&self) {
        self.on.set(false);
        for class in 0..CLASSES {
            loop {
                let block = self.pop(class);
                if block.is_null() {
                    break;
                }
                // SAFETY: a listed block came from mimalloc and is freed once, here.
                unsafe { mi::mi_free(block.cast()) };
            }
        }
    }
}

/// Keeps this thread's recently freed blocks for its next allocations while it lives (a worker's
/// VUs allocate and free a request's blocks on it); dropped, it gives them back to mimalloc.
pub struct ThreadCache(());

impl ThreadCache {
    pub fn start() -> ThreadCache {
        LISTS.with(|l| l.on.set(true));
        ThreadCache(())
    }
}

impl Drop for ThreadCache {
    fn drop(&mut self) {
        LISTS.with(Lists::flush);
    }
}

/// Whether plain `mi_malloc`'s alignment serves a block of `size` bytes aligned to `align` (a
/// Rust layout's size is a multiple of its alignment, and not zero).
fn plain(align: usize, size: usize) -> bool {
    align <= PLAIN_ALIGN && align <= size
}

/// What to ask mimalloc for a plain block of `size` bytes: a cacheable size's whole class, so any
/// block of the class serves any size in it.
#[inline]
fn cached_size(size: usize) -> usize {
    if size <= CACHED_MAX {
        class(size).1
    } else {
        size
    }
}

// SAFETY: every block comes from mimalloc, aligned as `layout` asks (see `plain`), and is freed
// or resized by mimalloc, which finds a block's size class from its address. A plain block freed
// on a worker may wait on the worker's list first: it is a whole block of its class (asked for
// as `cached_size`), so it serves any layout of that class, size and alignment, as a new one would.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: mimalloc's allocation calls have no preconditions beyond a power-of-two alignment.
        unsafe {
            let size = layout.size();
            if !plain(layout.align(), size) {
                return mi::mi_malloc_aligned(size, layout.align()).cast();
            }
            if size > CACHED_MAX {
                return mi::mi_malloc(size).cast();
            }
            let (class, block_size) = class(size);
            let block = LISTS.with(|l| l.pop(class));
            if block.is_null() {
                mi::mi_malloc(block_size).cast()
            } else {
                block
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        unsafe {
            if plain(layout.align(), layout.size()) {
                mi::mi_zalloc(cached_size(layout.size())).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let size = layout.size();
        if plain(layout.align(), size) && size <= CACHED_MAX {
            let (class, block_size) = class(size);
            if LISTS.with(|l| l.push(class, block_size, ptr)) {
                return;
            }
        }
        // SAFETY: `ptr` came from this allocator (GlobalAlloc's contract), so from mimalloc.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from mimalloc; the new block keeps `layout`'s alignment.
        unsafe {
            if plain(layout.align(), new_size) {
                mi::mi_realloc(ptr.cast::<c_void>(), cached_size(new_size)).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" {
        fn mi_usable_size(p: *const c_void) -> usize;
    }

    /// A cacheable size asks mimalloc for exactly the block it would give anyway (the cache costs
    /// no memory by rounding), and every size of a class fits its blocks.
    #[test]
    fn a_class_is_mimallocs_own_size_class() {
        let mut last = (0, 0);
        for size in 1..=CACHED_MAX {
            let (class, block_size) = class(size);
            assert!(class < CLASSES && block_size >= size, "size {size}: class {class} of {block_size} bytes");
            assert!(class > last.0 || (class, block_size) == last, "size {size}: class {class} after {last:?}");
            last = (class, block_size);
            // SAFETY: a non-zero size, freed at once.
            unsafe {
                let p = mi::mi_malloc(size);
                assert_eq!(mi_usable_size(p), block_size, "mimalloc's block for {size} bytes");
                mi::mi_free(p);
            }
        }
    }

    /// On a thread with a cache, the block freed last is the next one of its class, whatever size
    /// in the class asks; without one, freeing gives the block back to mimalloc.
    #[test]
    fn a_cache_thread_reuses_the_block_it_freed_last() {
        fn freed_then_asked(first: usize, then: usize) -> bool {
            // SAFETY: non-zero sizes of align 8; each block is freed once with its layout.
            unsafe {
                let a = Layout::from_size_align(first, 8).unwrap();
                let p = Allocator.alloc(a);
                p.write_bytes(0x5a, first);
                Allocator.dealloc(p, a);
                let b = Layout::from_size_align(then, 8).unwrap();
                let q = Allocator.alloc(b);
                q.write_bytes(0x5a, then);
                Allocator.dealloc(q, b);
                p == q
            }
        }
        std::thread::spawn(|| {
            let _cache = ThreadCache::start();
            assert!(freed_then_asked(97, 112), "a 97-byte block serves 112 bytes, its class");
            assert!(freed_then_asked(9_000, 10_240));
            assert!(!freed_then_asked(100, 200), "another class, another block");
            assert_eq!(listed(), 3, "one block listed in each class used");
        })
        .join()
        .unwrap();
        std::thread::spawn(|| {
            freed_then_asked(97, 112);
            assert_eq!(listed(), 0, "a thread without a cache lists nothing");
        })
        .join()
        .unwrap();
    }

    fn listed() -> u32 {
        LISTS.with(|l| l.counts.iter().map(Cell::get).sum())
    }

    /// Blocks of every size class up to a few KiB (and past their alignment up to 64 KiB) come
    /// back aligned as asked, hold their bytes through a resize, and come zeroed when asked for
    /// zeroed (a recycled block of the same size held 0xa5 just before), with or without the
    /// thread's cache.
    #[test]
    fn blocks_are_aligned_resized_and_zeroed_as_asked() {
        aligned_resized_and_zeroed();
        std::thread::spawn(|| {
            let _cache = ThreadCache::start();
            aligned_resized_and_zeroed();
        })
        .join()
        .unwrap();
    }

    fn aligned_resized_and_zeroed() {
        for align in [1, 2, 4, 8, 16, 32, 64, 128, 4096, 8192, 65536] {
            for size in (align..=4096.max(3 * align)).step_by(align.max(8)) {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: non-zero sizes; each block is freed once with the layout it has.
                unsafe {
                    let p = Allocator.alloc(layout);
                    assert!(!p.is_null() && (p as usize).is_multiple_of(align), "alloc({size}, {align}) gave {p:p}");
                    p.write_bytes(0xa5, size);
                    let grown = size * 3;
                    let q = Allocator.realloc(p, layout, grown);
                    assert!(
                        !q.is_null() && (q as usize).is_multiple_of(align),
                        "realloc to {grown}, align {align}: {q:p}"
                    );
                    assert!(std::slice::from_raw_parts(q, size).iter().all(|&b| b == 0xa5));
                    Allocator.dealloc(q, Layout::from_size_align(grown, align).unwrap());
                    let z = Allocator.alloc_zeroed(layout);
                    assert!(
                        (z as usize).is_multiple_of(align)
                            && std::slice::from_raw_parts(z, size).iter().all(|&b| b == 0)
                    );
                    Allocator.dealloc(z, layout);
                }
            }
        }
    }
}
