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
/// decoder keep the same one. Slot 0 is unused, so a code indexes its upper half.
/// Without branches: the codes follow no pattern a branch predictor could learn, and a
/// mispredicted branch per word cost more than the rest of the copy.
#[derive(Default)]
struct RecentUppers([u32; 4]);

impl RecentUppers {
    /// `upper`'s code: 1 to 3 when it is one of the recent ones (its position), 0 when not.
    #[inline(always)]
    fn code(&self, upper: u32) -> u8 {
        let [_, r1, r2, r3] = self.0;
        let (is1, is2, is3) = (upper == r1, upper == r2, upper == r3);
        u8::from(is1) | (u8::from(is2 && !is1) * 2) | (u8::from(is3 && !is1 && !is2) * 3)
    }

    /// Makes `upper` (whose code was `code`) the most recent.
    #[inline(always)]
    fn promote(&mut self, code: u8, upper: u32) {
        let [_, r1, r2, r3] = self.0;
        let second = if code == 1 { r2 } else { r1 };
        let third = if code == 1 || code == 2 { r3 } else { r2 };
        self.0 = [0, upper, second, third];
    }
}

/// Buffers an image is encoded in before it is moved into one allocation of its exact size.
#[derive(Default)]
struct Scratch {
    bitmap: Vec<u8>,
    codes: Vec<u8>,
    values: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Bytes after the values, so the decoder may read 8 bytes where the last value has 4.
const PADDING: usize = 8;

impl StackImage {
    /// Copies the words of `from..top` (both 8-aligned, `from < top`).
    ///
    /// # Safety
    /// `from..top` must be mapped and readable, and nothing may write it while this runs.
    pub unsafe fn save(from: usize, top: usize) -> StackImage {
        assert!(from.is_multiple_of(8) && top.is_multiple_of(8) && from < top, "a stack image of {from:#x}..{top:#x}");
        // SAFETY: the caller's promise; a page never touched reads as the zero page.
        let words = unsafe { std::slice::from_raw_parts(from as *const u64, (top - from) / 8) };
        let data = SCRATCH.with(|scratch| encode(words, &mut scratch.borrow_mut()));
        StackImage { from, top, data }
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
        // Code 0 keeps 8 bytes, the others 4 (the last byte's unused codes are 0, not counted).
        let recent_codes = codes.iter().map(|b| ((b | b >> 1) & 0x55).count_ones() as usize).sum::<usize>();
        let value_bytes = 4 * non_zero + 4 * (non_zero - recent_codes);
        assert!(values.len() == value_bytes + PADDING, "a stack image's values do not match its codes");
        let base = self.from as *mut u64;
        // SAFETY: the caller's promise: `n` words from `base` are writable and unused.
        unsafe { std::ptr::write_bytes(base, 0, n) };
        let (mut recent, mut nth, mut at) = (RecentUppers::default(), 0, values.as_ptr());
        for (c, mask) in bitmap.chunks_exact(8).enumerate() {
            let mut bits = u64::from_le_bytes(mask.try_into().expect("8 bytes"));
            assert!(c * 64 + 64 - (bits.leading_zeros() as usize) <= n, "a stack image's bitmap runs past its range");
            while bits != 0 {
                let i = c * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let code = (codes[nth / 4] >> (2 * (nth % 4))) & 3;
                nth += 1;
                // SAFETY: the values hold 8 bytes for each code 0 and 4 for each other code
                // (checked above), read here in the same order, then `PADDING` bytes: an
                // 8-byte read at a 4-byte value stays within them.
                let read = unsafe { u64::from_le(at.cast::<u64>().read_unaligned()) };
                let recent_word = u64::from(recent.0[code as usize]) << 32 | (read & 0xffff_ffff);
                let word = if code == 0 { read } else { recent_word };
                // SAFETY: as above.
                at = unsafe { at.add(if code == 0 { 8 } else { 4 }) };
                recent.promote(code, (word >> 32) as u32);
                // SAFETY: `i < n` (the bitmap's bits stay in the range, checked above), so
                // the word lies in the range, writable and unused.
                unsafe { base.add(i).write(word) };
            }
        }
    }
}

/// Encodes `words` (see [`StackImage`]); apart, so profiles show what saving costs.
#[inline(never)]
fn encode(words: &[u64], scratch: &mut Scratch) -> Box<[u8]> {
    let Scratch { bitmap, codes, values } = scratch;
    bitmap.clear();
    codes.clear();
    values.clear();
    values.reserve(words.len() * 8 + PADDING);
    let mut out = values.as_mut_ptr();
    let (mut recent, mut nth, mut pending) = (RecentUppers::default(), 0usize, 0u8);
    for chunk in words.chunks(64) {
        let mask = chunk.iter().enumerate().fold(0u64, |m, (j, w)| m | u64::from(*w != 0) << j);
        bitmap.extend_from_slice(&mask.to_le_bytes());
        let mut bits = mask;
        while bits != 0 {
            let w = chunk[bits.trailing_zeros() as usize];
            bits &= bits - 1;
            let upper = (w >> 32) as u32;
            let code = recent.code(upper);
            pending |= code << (2 * (nth % 4));
            nth += 1;
            if nth % 4 == 0 {
                codes.push(pending);
                pending = 0;
            }
            // The whole word is written; when its upper half is a recent one the next
            // value overwrites it. SAFETY: `values` has room for 8 bytes per word of the
            // range, and the last write ends within that.
            unsafe {
                out.cast::<u64>().write_unaligned(w.to_le());
                out = out.add(if code == 0 { 8 } else { 4 });
            }
            recent.promote(code, upper);
        }
    }
    if nth % 4 != 0 {
        codes.push(pending);
    }
    let len = out as usize - values.as_ptr() as usize;
    // SAFETY: the first `len` bytes were written above, within the capacity.
    unsafe { values.set_len(len) };
    let mut data = Vec::with_capacity(bitmap.len() + codes.len() + len + PADDING);
    data.extend_from_slice(bitmap);
    data.extend_from_slice(codes);
    data.extend_from_slice(values);
    data.extend_from_slice(&[0; PADDING]);
    data.into_boxed_slice()
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
