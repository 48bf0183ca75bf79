//! A compact copy of the live part of a suspended coroutine's stack, kept in the heap while
//! another coroutine runs on that stack (see `shared_stack.rs`).
//!
//! The VUs of a thread that wait at the same place have nearly the same live stack: the same
//! frames at the same distances from the stack's top (every shared stack is aligned alike),
//! with the same return addresses, frame sizes, flags and lengths in them, and pointers into
//! the stack that differ only by where that stack is. What differs from one VU to the next is
//! mostly heap pointers. So a thread keeps, per stack depth it saw more than once, one
//! *reference* (a plain copy of some VU's live stack at that depth, shared by `Rc` with every
//! image encoded against it), and an image keeps two bits per word saying how to get it from
//! the reference's word at the same distance from the top:
//!
//! | code | the word is | kept |
//! |---|---|---|
//! | 0 | the reference's word | nothing |
//! | 1 | the reference's word moved with the stack (a pointer into it) | nothing |
//! | 2 | the reference's upper half with a lower half of its own | 4 bytes |
//! | 3 | anything else | 8 bytes |
//!
//! A VU waiting in `ws.connect`'s event loop was 10.2 KB deep (9.4 KB since less is kept
//! below its suspension, `coroutine::SUSPENSION_FRAMES`): its image is ~1.9 KB this way,
//! against 5.4 KB with the encoding before (zero words dropped, upper halves repeated from the
//! last three), and saving plus restoring it takes 27% fewer instructions (bench/README.md,
//! "10,000 WebSockets: a waiting VU's stack against its neighbours'"). Words deeper than the reference (or all, without one) are read against zero:
//! zeros cost their code, small numbers 4 bytes. Restoring writes every word, so no zeroing.
//!
//! References: a depth becomes one the second time it is saved in a row of recent depths (at
//! most [`DEPTHS`] per thread, the least recently saved dropped), is refreshed every
//! [`REFRESH`] saves (a reference from long ago, the first wait of the run, resembles later
//! waits less), and stacks deeper than [`MAX_REFERENCE_WORDS`] get none of their own. A depth
//! without one is read against the reference of the nearest depth. An old reference lives on
//! until the last image encoded against it is restored: a few per depth, since waiting VUs are
//! resumed and saved again all the time.
//!
//! Where the CPU has AVX-512, each group of eight words whose reference words are all there is
//! encoded and restored at once, and with AVX2 each group of four (`stack_image_simd.rs`: the
//! same bytes). The scalar code here is the rest and the fallback. A 1,175-word stack in the
//! cache encodes in 1,590 ns one word at a time, 824 with AVX2 and 666 with AVX-512; at 10,000
//! VUs the copies wait on memory more than on instructions (bench/README.md).
//!
//! This module knows nothing about coroutines; it copies words out of memory and back.

use std::cell::RefCell;
use std::rc::Rc;

#[cfg(target_arch = "x86_64")]
use super::stack_image_simd as simd;

/// The words of `from..top` of a stack, compacted; written back by [`StackImage::restore`].
pub struct StackImage {
    /// The lowest address kept (8-aligned); the copy runs from here to `top`.
    from: usize,
    top: usize,
    /// What the words were encoded against; `None`: against zero words.
    reference: Option<Rc<Reference>>,
    /// The 2-bit codes (four per byte, in address order), then the kept halves and words, then
    /// [`PADDING`]. One allocation.
    data: Box<[u8]>,
}

/// A copy of one live stack, from its lowest live word up to its top.
struct Reference {
    top: usize,
    words: Box<[u64]>,
}

/// One stack depth a thread saved recently.
struct Depth {
    words: usize,
    saves: u32,
    reference: Option<Rc<Reference>>,
}

/// Depths a thread remembers (the most recently saved first).
const DEPTHS: usize = 16;

/// A depth's reference is replaced by the live stack being saved every this many saves.
const REFRESH: u32 = 1024;

/// Deeper stacks (64 KiB) get no reference of their own, so a few deep ones cannot pin much.
const MAX_REFERENCE_WORDS: usize = 8192;

/// Bytes after the values, so the decoder may read 8 bytes where the last value has 4.
const PADDING: usize = 8;

/// Bytes a word with each code keeps.
const KEPT: [usize; 4] = [0, 0, 4, 8];

/// The thread's recent depths and the buffer an image is encoded in (codes, then room for 8
/// bytes per word) before it is copied into one allocation of its exact size.
#[derive(Default)]
struct Encoder {
    depths: Vec<Depth>,
    buffer: Vec<u8>,
}

thread_local! {
    static ENCODER: RefCell<Encoder> = RefCell::new(Encoder::default());
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
        ENCODER.with(|encoder| {
            let mut encoder = encoder.borrow_mut();
            let reference = encoder.reference_for(words, top);
            let data = encoder.encode(words, top, reference.as_deref(), Codec::of_this_cpu());
            StackImage { from, top, reference, data }
        })
    }

    /// Bytes of heap the copy holds (its share of a reference not counted).
    #[cfg(test)]
    pub fn heap_bytes(&self) -> usize {
        self.data.len()
    }

    /// Writes every word of the image back where it came from.
    ///
    /// # Safety
    /// `from..top` must be mapped and writable, and nothing may use it while this runs.
    pub unsafe fn restore(self) {
        // SAFETY: the caller's promise.
        unsafe { self.restore_with(Codec::of_this_cpu()) }
    }

    /// [`StackImage::restore`], as many words at a time as `codec` says the CPU can.
    ///
    /// # Safety
    /// As `restore`'s.
    unsafe fn restore_with(self, codec: Codec) {
        let n = (self.top - self.from) / 8;
        let (codes, values) = self.data.split_at(n.div_ceil(4));
        assert!(values.len() == kept_bytes(codes) + PADDING, "a stack image's values do not match its codes");
        let (aligned, lead, moved) = aligned_reference(self.reference.as_deref(), n, self.top);
        let mut decoder = Decoder { codes, at: values.as_ptr(), nth: 0, moved };
        let base = self.from as *mut u64;
        if lead == 0 {
            // SAFETY: the codec is one the CPU has (`Codec::of_this_cpu`); the first `done`
            // words are writable (the caller's promise), the reference has them all (`lead ==
            // 0`), and the values were checked against the codes, with the padding after them.
            let done = match codec {
                Codec::Scalar => 0,
                #[cfg(target_arch = "x86_64")]
                Codec::Avx2 => unsafe {
                    decoder.at = simd::restore(base, aligned.as_ptr(), codes.as_ptr(), n / 4, moved, decoder.at);
                    n / 4 * 4
                },
                #[cfg(target_arch = "x86_64")]
                Codec::Avx512 => unsafe {
                    decoder.at = simd::restore_eights(base, aligned.as_ptr(), codes.as_ptr(), n / 8, moved, decoder.at);
                    n / 8 * 8
                },
            };
            let quads = aligned[..n / 4 * 4].chunks_exact(4).zip(codes).enumerate().skip(done / 4);
            for (q, (r, &byte)) in quads {
                // SAFETY: `4 * q + 4 <= n`: the caller's promise makes the words writable
                // and unused; `r` is not in them (the reference is a heap copy).
                let out = unsafe { base.add(4 * q) };
                if byte == 0 {
                    // Four words that are the reference's. SAFETY: as above.
                    unsafe { std::ptr::copy_nonoverlapping(r.as_ptr(), out, 4) };
                    continue;
                }
                for (k, r) in r.iter().enumerate() {
                    // SAFETY: as above.
                    unsafe { out.add(k).write(decoder.word(byte >> (2 * k) & 3, *r)) };
                }
            }
            decoder.nth = n / 4 * 4;
            for (i, r) in (decoder.nth..n).zip(&aligned[decoder.nth..]) {
                // SAFETY: `i < n`: the caller's promise makes the word writable and unused.
                unsafe { base.add(i).write(decoder.next(*r)) };
            }
        } else {
            for i in 0..lead {
                // SAFETY: `i < n`: the caller's promise makes the word writable and unused.
                unsafe { base.add(i).write(decoder.next(0)) };
            }
            for (i, r) in (lead..n).zip(aligned) {
                // SAFETY: as above.
                unsafe { base.add(i).write(decoder.next(*r)) };
            }
        }
    }
}

/// The bytes of values `codes` say were kept, eight code bytes at a time (the last byte's
/// unused codes are 0 and keep nothing).
fn kept_bytes(codes: &[u8]) -> usize {
    const LOW: u64 = 0x5555_5555_5555_5555;
    let count = |x: u64| 4 * (x >> 1 & !x & LOW).count_ones() as usize + 8 * (x & x >> 1 & LOW).count_ones() as usize;
    let mut chunks = codes.chunks_exact(8);
    let mut kept = 0;
    for chunk in &mut chunks {
        kept += count(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
    }
    let mut last = [0; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    kept + count(u64::from_le_bytes(last))
}

/// The reference's words aligned with `n` words ending at `top`: how many of those come
/// before the reference starts (read against zero), the reference's words for the rest, and
/// what a pointer into the reference's stack is moved by.
fn aligned_reference(reference: Option<&Reference>, n: usize, top: usize) -> (&[u64], usize, u64) {
    match reference {
        Some(r) => {
            let m = r.words.len();
            (&r.words[m.saturating_sub(n)..], n.saturating_sub(m), (top as u64).wrapping_sub(r.top as u64))
        }
        None => (&[], n, 0),
    }
}

impl Encoder {
    /// The reference to encode `words` against (see the module docs): this depth's, made or
    /// refreshed from `words` when it is time, or the nearest depth's.
    fn reference_for(&mut self, words: &[u64], top: usize) -> Option<Rc<Reference>> {
        let n = words.len();
        let Some(at) = self.depths.iter().position(|d| d.words == n) else {
            if self.depths.len() == DEPTHS {
                self.depths.pop();
            }
            self.depths.insert(0, Depth { words: n, saves: 0, reference: None });
            let nearest = self.depths.iter().filter(|d| d.reference.is_some()).min_by_key(|d| d.words.abs_diff(n));
            return nearest.and_then(|d| d.reference.clone());
        };
        self.depths[..=at].rotate_right(1);
        let depth = &mut self.depths[0];
        depth.saves = depth.saves.wrapping_add(1);
        if n <= MAX_REFERENCE_WORDS && (depth.reference.is_none() || depth.saves.is_multiple_of(REFRESH)) {
            depth.reference = Some(Rc::new(Reference { top, words: words.into() }));
        }
        depth.reference.clone()
    }

    /// Encodes `words`, which end at `top`, against `reference` (see [`StackImage`]); apart,
    /// so profiles show what saving costs.
    #[inline(never)]
    fn encode(&mut self, words: &[u64], top: usize, reference: Option<&Reference>, codec: Codec) -> Box<[u8]> {
        let n = words.len();
        let (aligned, lead, moved) = aligned_reference(reference, n, top);
        let codes_len = n.div_ceil(4);
        self.buffer.clear();
        self.buffer.reserve(codes_len + 8 * n + PADDING);
        let codes = self.buffer.as_mut_ptr();
        // SAFETY: within the capacity just reserved.
        let values = unsafe { codes.add(codes_len) };
        let mut out = Writer { codes, at: values, pending: 0, nth: 0, moved };
        if lead == 0 {
            // SAFETY: the codec is one the CPU has (`Codec::of_this_cpu`); the reference has as
            // many words as `words` (`lead == 0`); the buffer has a code byte per four words and
            // 8 bytes per word after the codes.
            let done = match codec {
                Codec::Scalar => 0,
                #[cfg(target_arch = "x86_64")]
                Codec::Avx2 => unsafe {
                    out.at = simd::encode(words.as_ptr(), aligned.as_ptr(), n / 4, moved, out.codes, out.at);
                    n / 4 * 4
                },
                #[cfg(target_arch = "x86_64")]
                Codec::Avx512 => unsafe {
                    out.at = simd::encode_eights(words.as_ptr(), aligned.as_ptr(), n / 8, moved, out.codes, out.at);
                    n / 8 * 8
                },
            };
            // SAFETY: a code byte was written per four of the `done` words.
            out.codes = unsafe { out.codes.add(done / 4) };
            out.nth = done;
            for (quad, r) in words[done..].chunks_exact(4).zip(aligned[done..].chunks_exact(4)) {
                out.put_quad(quad, r);
            }
            let done = n / 4 * 4;
            for (w, r) in words[done..].iter().zip(&aligned[done..]) {
                out.put(*w, *r);
            }
        } else {
            for w in &words[..lead] {
                out.put(*w, 0);
            }
            for (w, r) in words[lead..].iter().zip(aligned) {
                out.put(*w, *r);
            }
        }
        if !out.nth.is_multiple_of(4) {
            // SAFETY: the last of the `codes_len` code bytes.
            unsafe { out.codes.write(out.pending) };
        }
        // SAFETY: `put` wrote at most 8 bytes per word after the codes; the padding fits in
        // the capacity after them, and everything up to its end is written.
        unsafe {
            out.at.write_bytes(0, PADDING);
            let len = out.at.add(PADDING).offset_from(codes) as usize;
            self.buffer.set_len(len);
        }
        self.buffer.as_slice().into()
    }
}

/// How many words at a time the CPU encodes and restores (`stack_image_simd.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Codec {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Codec {
    /// Every codec, the widest first.
    const ALL: [Codec; if cfg!(target_arch = "x86_64") { 3 } else { 1 }] = [
        #[cfg(target_arch = "x86_64")]
        Codec::Avx512,
        #[cfg(target_arch = "x86_64")]
        Codec::Avx2,
        Codec::Scalar,
    ];

    /// The widest this CPU has.
    fn of_this_cpu() -> Codec {
        Codec::ALL.into_iter().find(|c| c.runs_here()).unwrap_or(Codec::Scalar)
    }

    /// Whether this CPU has the instructions the codec uses (std caches what it finds: an
    /// atomic load each).
    fn runs_here(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        use std::arch::is_x86_feature_detected as has;
        match self {
            Codec::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Codec::Avx2 => has!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Codec::Avx512 => has!("avx512f") && has!("bmi2"),
        }
    }
}

/// Writes codes and kept values into a buffer with room for them all. Without branches on the
/// word: the codes follow no pattern a branch predictor could learn, and a mispredicted branch
/// per word costs more than the rest.
struct Writer {
    /// The next code byte's place.
    codes: *mut u8,
    /// The next value's place (room for 8 bytes per word left).
    at: *mut u8,
    pending: u8,
    nth: usize,
    moved: u64,
}

impl Writer {
    /// The word's code, and the bytes it keeps.
    #[inline(always)]
    fn code(&self, w: u64, r: u64) -> (u8, usize) {
        let differs = u8::from(w != r);
        let not_moved = u8::from(w != r.wrapping_add(self.moved));
        let other_upper = u8::from((w ^ r) >> 32 != 0);
        // Code 2 is differs and not_moved; code 3 is that and other_upper (which implies
        // differs): 4 bytes for each of the two.
        let (half, whole) = (differs & not_moved, not_moved & other_upper);
        (differs + half + whole, 4 * usize::from(half + whole))
    }

    /// Keeps `kept` bytes of `w`: the whole word is written (a lower half first,
    /// little-endian) and the next value overwrites what this one does not keep.
    #[inline(always)]
    fn keep(&mut self, w: u64, kept: usize) {
        // SAFETY: the buffer has room for 8 bytes per word, and the last write ends within that.
        unsafe {
            self.at.cast::<u64>().write_unaligned(w.to_le());
            self.at = self.at.add(kept);
        }
    }

    /// One word, against the reference's `r`.
    #[inline(always)]
    fn put(&mut self, w: u64, r: u64) {
        let (code, kept) = self.code(w, r);
        self.pending |= code << (2 * (self.nth % 4));
        self.nth += 1;
        if self.nth.is_multiple_of(4) {
            // SAFETY: one code byte per four words, within the codes.
            unsafe {
                self.codes.write(self.pending);
                self.codes = self.codes.add(1);
            }
            self.pending = 0;
        }
        self.keep(w, kept);
    }

    /// Four words starting at a multiple of four, against the reference's four.
    #[inline(always)]
    fn put_quad(&mut self, quad: &[u64], r: &[u64]) {
        let mut byte = 0;
        for k in 0..4 {
            let (code, kept) = self.code(quad[k], r[k]);
            byte |= code << (2 * k);
            self.keep(quad[k], kept);
        }
        // SAFETY: as in `put`.
        unsafe {
            self.codes.write(byte);
            self.codes = self.codes.add(1);
        }
        self.nth += 4;
    }
}

/// Reads what [`Writer`] wrote, word by word.
struct Decoder<'a> {
    codes: &'a [u8],
    /// The next value (checked against the codes by `restore`; [`PADDING`] follows the last).
    at: *const u8,
    nth: usize,
    moved: u64,
}

impl Decoder<'_> {
    /// The next word, against the reference's `r`.
    #[inline(always)]
    fn next(&mut self, r: u64) -> u64 {
        let code = (self.codes[self.nth / 4] >> (2 * (self.nth % 4))) & 3;
        self.nth += 1;
        self.word(code, r)
    }

    /// The word `code` says, against the reference's `r` (the caller counts it).
    #[inline(always)]
    fn word(&mut self, code: u8, r: u64) -> u64 {
        // SAFETY: the values hold 4 bytes for each code 2 and 8 for each code 3 (checked by
        // `restore`), read here in the same order, then `PADDING` bytes: an 8-byte read where
        // fewer are kept stays within them.
        let kept = unsafe { u64::from_le(self.at.cast::<u64>().read_unaligned()) };
        // SAFETY: as above.
        self.at = unsafe { self.at.add(KEPT[code as usize]) };
        // Masks by code, not branches: the distance the stack moved applies to codes 1 and 3
        // (where 3 keeps all anyway), the kept bytes replace a lower half (2) or all (3).
        const MOVED: [u64; 4] = [0, u64::MAX, 0, u64::MAX];
        const OWN: [u64; 4] = [0, 0, 0xffff_ffff, u64::MAX];
        let from_reference = r.wrapping_add(self.moved & MOVED[code as usize]);
        let own = OWN[code as usize];
        from_reference ^ ((from_reference ^ kept) & own)
    }
}

#[cfg(test)]
#[path = "stack_image_tests.rs"]
mod tests;
