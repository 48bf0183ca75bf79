//! A compact copy of the live part of a suspended coroutine's stack, kept in the heap while
//! another coroutine runs on that stack (see `shared_stack.rs`).
//!
//! An idle VU's live stack is ~8 KB of Rhai's evaluation frames. Fewer than half of those words
//! are non-zero (frames reserve room for locals that path never writes), and most non-zero ones
//! are pointers into a few regions (this stack, the heap, the executable) or small numbers, so
//! their upper halves repeat. The copy keeps one bit per word (non-zero or not) and, per non-zero
//! word, two bits that say whether its upper half is one of the last three seen (then only the
//! lower half is kept) or not (the whole word): ~2.7 KB for a VU in `sleep` instead of 8 KB.
//!
//! This module knows nothing about coroutines; it copies words out of memory and back.

use std::cell::RefCell;

/// The words of `from..top` of a stack, compacted; written back by [`StackImage::restore`].
pub struct StackImage {
    /// The lowest address kept (8-aligned); the copy runs from here to `top`.
    from: usize,
    top: usize,
    /// The bitmap (`ceil(words / 64)` little-endian u64s), the 2-bit codes (four per byte), then
    /// the kept halves and words, in address order. One allocation.
    data: Box<[u8]>,
}

/// The last three distinct upper halves of non-zero words, most recent first; encoder and
/// decoder keep the same one.
#[derive(Default)]
struct RecentUppers([u32; 3]);

impl RecentUppers {
    /// `upper`'s code: 1 to 3 when it is one of the recent ones (its position + 1), 0 when not.
    fn code(&self, upper: u32) -> u8 {
        self.0.iter().position(|u| *u == upper).map_or(0, |i| i as u8 + 1)
    }

    /// Makes `upper` (whose code was `code`) the most recent.
    /// Moves by hand: `copy_within` of a variable length is a `memmove` call per word.
    fn promote(&mut self, code: u8, upper: u32) {
        let r = &mut self.0;
        match code {
            1 => {}
            2 => r.swap(0, 1),
            _ => *r = [upper, r[0], r[1]],
        }
    }
}

thread_local! {
    /// Where a copy is encoded before it is moved into an allocation of its exact size.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl StackImage {
    /// Copies the words of `from..top` (both 8-aligned, `from < top`).
    ///
    /// # Safety
    /// `from..top` must be mapped and readable, and nothing may write it while this runs.
    pub unsafe fn save(from: usize, top: usize) -> StackImage {
        assert!(from.is_multiple_of(8) && top.is_multiple_of(8) && from < top, "a stack image of {from:#x}..{top:#x}");
        // SAFETY: the caller's promise; a page never touched reads as the zero page.
        let words = unsafe { std::slice::from_raw_parts(from as *const u64, (top - from) / 8) };
        let data = SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let bitmap_len = words.len().div_ceil(64) * 8;
            let non_zero = words.iter().filter(|w| **w != 0).count();
            let head = bitmap_len + non_zero.div_ceil(4);
            scratch.clear();
            scratch.resize(head + non_zero * 8, 0);
            let (bitmap, rest) = scratch.split_at_mut(bitmap_len);
            let (codes, values) = rest.split_at_mut(head - bitmap_len);
            let (mut recent, mut nth, mut len) = (RecentUppers::default(), 0, 0);
            for (c, chunk) in words.chunks(64).enumerate() {
                let mask = chunk.iter().enumerate().fold(0u64, |m, (j, w)| m | u64::from(*w != 0) << j);
                bitmap[c * 8..c * 8 + 8].copy_from_slice(&mask.to_le_bytes());
                let mut bits = mask;
                while bits != 0 {
                    let w = chunk[bits.trailing_zeros() as usize];
                    bits &= bits - 1;
                    let upper = (w >> 32) as u32;
                    let code = recent.code(upper);
                    codes[nth / 4] |= code << (2 * (nth % 4));
                    if code == 0 {
                        values[len..len + 8].copy_from_slice(&w.to_le_bytes());
                        len += 8;
                    } else {
                        values[len..len + 4].copy_from_slice(&(w as u32).to_le_bytes());
                        len += 4;
                    }
                    recent.promote(code, upper);
                    nth += 1;
                }
            }
            Box::<[u8]>::from(&scratch[..head + len])
        });
        StackImage { from, top, data }
    }

    /// The lowest address the image holds.
    pub fn from(&self) -> usize {
        self.from
    }

    /// Bytes of heap the copy holds.
    #[cfg(test)]
    pub fn heap_bytes(&self) -> usize {
        self.data.len()
    }

    /// Writes every word of the image back where it came from, zeros included.
    ///
    /// # Safety
    /// `from..top` must be mapped and writable, and nothing may use it while this runs.
    pub unsafe fn restore(self) {
        let n = (self.top - self.from) / 8;
        let (bitmap, rest) = self.data.split_at(n.div_ceil(64) * 8);
        let non_zero = bitmap.iter().map(|b| b.count_ones() as usize).sum::<usize>();
        let (codes, values) = rest.split_at(non_zero.div_ceil(4));
        let base = self.from as *mut u64;
        // SAFETY: the caller's promise: `n` words from `base` are writable and unused.
        unsafe { std::ptr::write_bytes(base, 0, n) };
        let (mut recent, mut nth, mut at) = (RecentUppers::default(), 0, 0);
        for (c, mask) in bitmap.chunks_exact(8).enumerate() {
            let mut bits = u64::from_le_bytes(mask.try_into().expect("8 bytes"));
            while bits != 0 {
                let i = c * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let code = (codes[nth / 4] >> (2 * (nth % 4))) & 3;
                let word = if code == 0 {
                    at += 8;
                    u64::from_le_bytes(values[at - 8..at].try_into().expect("8 bytes"))
                } else {
                    at += 4;
                    let lower = u32::from_le_bytes(values[at - 4..at].try_into().expect("4 bytes"));
                    u64::from(recent.0[code as usize - 1]) << 32 | u64::from(lower)
                };
                recent.promote(code, (word >> 32) as u32);
                nth += 1;
                assert!(i < n, "a stack image's bitmap runs past its range");
                // SAFETY: `i < n`, so the word lies in the range, writable and unused.
                unsafe { base.add(i).write(word) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_comes_back_word_for_word_over_other_contents_in_under_half_the_bytes() {
        let top_words = 4 * 512;
        let mut memory = vec![0u64; top_words];
        let (from_word, top) = (37, memory.as_mut_ptr() as usize + top_words * 8);
        // Frames as a VU leaves them: runs of zeros between values.
        let expected: Vec<u64> = (0..top_words - from_word)
            .map(|i| match i % 6 {
                0 | 3 => 0,
                1 | 4 => top as u64 - 8 * i as u64, // pointers into this stack
                2 => i as u64,                      // a small number
                _ => (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15), // anything
            })
            .collect();
        memory[from_word..].copy_from_slice(&expected);
        let from = memory.as_mut_ptr() as usize + from_word * 8;
        // SAFETY: `memory` is this test's, and nothing else touches it.
        let image = unsafe { StackImage::save(from, top) };
        let live = top - from;
        assert!(image.heap_bytes() < live / 2, "the copy of {live} bytes took {}", image.heap_bytes());
        // Another coroutine's frames in between.
        memory.iter_mut().for_each(|w| *w = 0xdead_beef_dead_beef);
        // SAFETY: as above.
        unsafe { image.restore() };
        assert!(memory[from_word..] == expected[..], "the restored words differ from the saved ones");
        assert!(memory[..from_word].iter().all(|w| *w == 0xdead_beef_dead_beef), "a word below the image was written");
    }
}
