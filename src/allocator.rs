//! The global allocator: mimalloc, asked the way its own `malloc` is fastest.
//!
//! The `mimalloc` crate hands every Rust allocation to `mi_malloc_aligned`, whose fast path
//! needs the size class's page to have a free block at hand. When it has none (its freed blocks
//! wait in the page's local list until a plain `mi_malloc` collects them), a size that is not a
//! power of two is over-allocated from a larger size class. Most of a request's allocations
//! ask for an alignment that plain `mi_malloc` gives anyway, as the system allocator's `malloc`
//! does for std: those go to `mi_malloc`, the rest to the aligned calls.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// The alignment `mi_malloc` gives every block of at least this many bytes (`MI_MAX_ALIGN_SIZE`);
/// smaller blocks are aligned to their size class, a multiple of 8.
const PLAIN_ALIGN: usize = 16;

pub struct Allocator;

/// Whether plain `mi_malloc`'s alignment serves a block of `size` bytes aligned to `align` (a
/// Rust layout's size is a multiple of its alignment, and not zero).
fn plain(align: usize, size: usize) -> bool {
    align <= PLAIN_ALIGN && align <= size
}

// SAFETY: every block comes from mimalloc, aligned as `layout` asks (see `plain`), and is freed
// or resized by mimalloc, which finds a block's size class from its address.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: mimalloc's allocation calls have no preconditions beyond a power-of-two alignment.
        unsafe {
            if plain(layout.align(), layout.size()) {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        unsafe {
            if plain(layout.align(), layout.size()) {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator (GlobalAlloc's contract), so from mimalloc.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from mimalloc; the new block keeps `layout`'s alignment.
        unsafe {
            if plain(layout.align(), new_size) {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks of every size class up to a few KiB (and past their alignment up to 64 KiB) come
    /// back aligned as asked, hold their bytes through a resize, and come zeroed when asked for
    /// zeroed (a recycled block of the same size held 0xa5 just before).
    #[test]
    fn blocks_are_aligned_resized_and_zeroed_as_asked() {
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
