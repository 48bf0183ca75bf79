//! `stack_image.rs`'s encoding and decoding, four words at a time with AVX2 and eight with
//! AVX-512 (x86-64 only; the caller checks the CPU has them). Same format, same bytes as the
//! scalar code beside it: each group of four words starting at a multiple of four is one code
//! byte, and where each word's kept bytes go follows from the codes alone ([`LAYOUT`]; with
//! AVX-512 a word is two 32-bit lanes and the kept ones are packed in order), so the words of a
//! group are written or read independently instead of one after the other.

use std::arch::x86_64::*;

/// For a group's code byte: where each of its four words' kept bytes start among the group's
/// values, and (last) how many bytes the group keeps.
const LAYOUT: [[u8; 5]; 256] = {
    let kept = [0u8, 0, 4, 8];
    let mut table = [[0u8; 5]; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut at = 0;
        let mut k = 0;
        while k < 4 {
            table[byte][k] = at;
            at += kept[byte >> (2 * k) & 3];
            k += 1;
        }
        table[byte][4] = at;
        byte += 1;
    }
    table
};

/// The code byte of a group from two 4-bit masks: `low | high << 4`, where `low` holds the
/// codes' low bits and `high` their high bits, one bit per word.
const CODE_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut index = 0;
    while index < 256 {
        let mut byte = 0;
        let mut k = 0;
        while k < 4 {
            let code = (index >> k & 1) | (index >> (4 + k) & 1) << 1;
            byte |= code << (2 * k);
            k += 1;
        }
        table[index] = byte as u8;
        index += 1;
    }
    table
};

/// The codes' low and high bits, one bit per word, from masks of the words (`words`, one bit
/// each) that are the reference's, the reference's moved with the stack, and the reference's in
/// their upper half. As the scalar `Writer::code`: 0 the same, 1 the same moved, 2 another
/// lower half, 3 another word. The high bit is "differs, and not by the move"; the low bit is
/// "differs, and either by the move or in the upper half".
#[inline(always)]
fn code_bits(words: u32, same: u32, same_moved: u32, same_upper: u32) -> (u32, u32) {
    let differs = !same & words;
    (differs & (same_moved | !same_upper), differs & !same_moved)
}

/// One bit per 64-bit lane: its top bit.
#[inline(always)]
unsafe fn lanes(v: __m256i) -> u32 {
    // SAFETY: the caller runs with AVX2 (every function here does).
    unsafe { _mm256_movemask_pd(_mm256_castsi256_pd(v)) as u32 }
}

/// Encodes `quads` groups of four words from `words` against as many of `reference`'s, the
/// reference's stack `moved` away: writes a code byte per group at `codes` and the kept bytes
/// from `values` on; returns where the next value goes.
///
/// # Safety
/// The CPU has AVX2; `4 * quads` words are readable at `words` and at `reference`; `quads`
/// bytes are writable at `codes` and `32 * quads` at `values`.
#[target_feature(enable = "avx2")]
pub unsafe fn encode(
    words: *const u64,
    reference: *const u64,
    quads: usize,
    moved: u64,
    codes: *mut u8,
    values: *mut u8,
) -> *mut u8 {
    let mut at = values;
    let moved = _mm256_set1_epi64x(moved as i64);
    let zero = _mm256_setzero_si256();
    for q in 0..quads {
        // SAFETY: the caller's promises; `q < quads`.
        unsafe {
            let (w, r) = (words.add(4 * q), reference.add(4 * q));
            let (wv, rv) = (_mm256_loadu_si256(w.cast()), _mm256_loadu_si256(r.cast()));
            let same = lanes(_mm256_cmpeq_epi64(wv, rv));
            let same_moved = lanes(_mm256_cmpeq_epi64(wv, _mm256_add_epi64(rv, moved)));
            let same_upper = lanes(_mm256_cmpeq_epi64(_mm256_srli_epi64::<32>(_mm256_xor_si256(wv, rv)), zero));
            let (low, high) = code_bits(0xf, same, same_moved, same_upper);
            let byte = CODE_BYTE[(low | high << 4) as usize];
            codes.add(q).write(byte);
            // Each word written whole at its place; the next overwrites what one does not keep.
            let layout = &LAYOUT[byte as usize];
            for (k, &place) in layout[..4].iter().enumerate() {
                at.add(place as usize).cast::<u64>().write_unaligned(w.add(k).read().to_le());
            }
            at = at.add(layout[4] as usize);
        }
    }
    at
}

/// Writes `quads` groups of four words to `out` from their code bytes at `codes`, the kept
/// bytes from `values` on and `reference`'s words (its stack `moved` away); returns where the
/// next group's values start.
///
/// # Safety
/// The CPU has AVX2; `4 * quads` words are writable at `out` and readable at `reference`,
/// `quads` bytes readable at `codes`; the values the codes say are readable from `values`,
/// and 8 bytes more after them.
#[target_feature(enable = "avx2")]
pub unsafe fn restore(
    out: *mut u64,
    reference: *const u64,
    codes: *const u8,
    quads: usize,
    moved: u64,
    values: *const u8,
) -> *const u8 {
    let mut at = values;
    let moved = _mm256_set1_epi64x(moved as i64);
    let shifts = _mm256_setr_epi64x(0, 2, 4, 6);
    let (one, two, three) = (_mm256_set1_epi64x(1), _mm256_set1_epi64x(2), _mm256_set1_epi64x(3));
    let lower_half = _mm256_set1_epi64x(0xffff_ffff);
    for q in 0..quads {
        // SAFETY: the caller's promises; `q < quads`; a word's 8-byte read starts at or before
        // the group's last kept byte, so it ends within the 8 bytes after the values.
        unsafe {
            let byte = codes.add(q).read();
            let code = _mm256_and_si256(_mm256_srlv_epi64(_mm256_set1_epi64x(i64::from(byte)), shifts), three);
            // As the scalar `Decoder::word`: codes 1 and 3 move the reference's word, 2 keeps
            // a lower half, 3 the whole word.
            let by_move = _mm256_cmpeq_epi64(_mm256_and_si256(code, one), one);
            let half = _mm256_and_si256(_mm256_cmpeq_epi64(_mm256_and_si256(code, two), two), lower_half);
            let own = _mm256_or_si256(half, _mm256_cmpeq_epi64(code, three));
            let r = _mm256_loadu_si256(reference.add(4 * q).cast());
            let from_reference = _mm256_add_epi64(r, _mm256_and_si256(moved, by_move));
            let layout = &LAYOUT[byte as usize];
            let read = |k: usize| u64::from_le(at.add(layout[k] as usize).cast::<u64>().read_unaligned()) as i64;
            let kept = _mm256_setr_epi64x(read(0), read(1), read(2), read(3));
            let word = _mm256_xor_si256(from_reference, _mm256_and_si256(_mm256_xor_si256(from_reference, kept), own));
            _mm256_storeu_si256(out.add(4 * q).cast(), word);
            at = at.add(layout[4] as usize);
        }
    }
    at
}

/// The 32-bit lanes of eight words that their codes keep: the lower half of every word with
/// code 2 or 3 (`high`), the upper half of every word with code 3 (`high & low`). `low` and
/// `high` hold the codes' low and high bits, one bit per word.
#[inline(always)]
fn kept_lanes(low: u32, high: u32) -> u32 {
    // SAFETY: BMI2, which every function calling this enables.
    unsafe { _pdep_u32(high, 0x5555) | _pdep_u32(high & low, 0xaaaa) }
}

/// [`encode`] eight words at a time: `eights` groups of eight words, two code bytes each.
/// A group's kept lanes are packed in a register and stored whole (64 bytes, of which the next
/// group's values overwrite what this one does not keep): packed straight to memory, the encoder
/// took 7 times as long on this project's AMD EPYC (4,788 against 669 ns for 1,175 words).
///
/// # Safety
/// The CPU has AVX-512F and BMI2; `8 * eights` words are readable at `words` and at
/// `reference`; `2 * eights` bytes are writable at `codes` and `64 * eights` at `values`.
#[target_feature(enable = "avx512f,bmi2")]
pub unsafe fn encode_eights(
    words: *const u64,
    reference: *const u64,
    eights: usize,
    moved: u64,
    codes: *mut u8,
    values: *mut u8,
) -> *mut u8 {
    let mut at = values;
    let moved = _mm512_set1_epi64(moved as i64);
    let zero = _mm512_setzero_si512();
    for e in 0..eights {
        // SAFETY: the caller's promises; `e < eights`; the groups before this one kept at most
        // 64 bytes each, so this group's 64-byte store ends within the caller's `64 * eights`.
        unsafe {
            let (wv, rv) =
                (_mm512_loadu_si512(words.add(8 * e).cast()), _mm512_loadu_si512(reference.add(8 * e).cast()));
            let same = u32::from(_mm512_cmpeq_epi64_mask(wv, rv));
            let same_moved = u32::from(_mm512_cmpeq_epi64_mask(wv, _mm512_add_epi64(rv, moved)));
            let same_upper =
                u32::from(_mm512_cmpeq_epi64_mask(_mm512_srli_epi64::<32>(_mm512_xor_si512(wv, rv)), zero));
            let (low, high) = code_bits(0xff, same, same_moved, same_upper);
            let code = (_pdep_u32(low, 0x5555) | _pdep_u32(high, 0xaaaa)) as u16;
            codes.add(2 * e).cast::<[u8; 2]>().write(code.to_le_bytes());
            let kept = kept_lanes(low, high);
            _mm512_storeu_si512(at.cast(), _mm512_maskz_compress_epi32(kept as u16, wv));
            at = at.add(4 * kept.count_ones() as usize);
        }
    }
    at
}

/// [`restore`] eight words at a time: `eights` groups of eight words, two code bytes each.
/// A group reads exactly its kept lanes (a masked load, which cannot fault past them) and
/// spreads them into place in a register.
///
/// # Safety
/// The CPU has AVX-512F and BMI2; `8 * eights` words are writable at `out` and readable at
/// `reference`, `2 * eights` bytes readable at `codes`; the values the codes say are readable
/// from `values`.
#[target_feature(enable = "avx512f,bmi2")]
pub unsafe fn restore_eights(
    out: *mut u64,
    reference: *const u64,
    codes: *const u8,
    eights: usize,
    moved: u64,
    values: *const u8,
) -> *const u8 {
    let mut at = values;
    let moved = _mm512_set1_epi64(moved as i64);
    for e in 0..eights {
        // SAFETY: the caller's promises; `e < eights`; the masked load reads the group's kept
        // lanes and nothing after them.
        unsafe {
            let code = u32::from(u16::from_le_bytes(codes.add(2 * e).cast::<[u8; 2]>().read()));
            let (low, high) = (_pext_u32(code, 0x5555), _pext_u32(code, 0xaaaa));
            let rv = _mm512_loadu_si512(reference.add(8 * e).cast());
            // As `restore`: codes 1 and 3 (low bit) move the reference's word, and the kept
            // lanes replace a lower half (2) or both halves (3).
            let from_reference = _mm512_mask_add_epi64(rv, low as u8, rv, moved);
            let kept = kept_lanes(low, high);
            let count = kept.count_ones();
            let packed = _mm512_maskz_loadu_epi32(((1u32 << count) - 1) as u16, at.cast());
            let word = _mm512_mask_expand_epi32(from_reference, kept as u16, packed);
            _mm512_storeu_si512(out.add(8 * e).cast(), word);
            at = at.add(4 * count as usize);
        }
    }
    at
}
