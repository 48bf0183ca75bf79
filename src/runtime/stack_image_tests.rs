use super::*;

/// `words` words that look like a live stack ending at `top`, by distance from the top:
/// zeros, pointers into the stack, small numbers, heap pointers that differ by `salt`.
fn stack_like(words: usize, top: usize, salt: u64) -> Vec<u64> {
    let mut stack: Vec<u64> = (0..words as u64)
        .map(|k| match k % 6 {
            0 | 3 => 0,
            1 | 4 => top as u64 - 8 * k,             // pointers into this stack
            2 => k,                                  // a small number
            _ => 0x7f00_0000_0000 + salt * 4096 + k, // heap pointers
        })
        .collect();
    stack.reverse();
    stack
}

/// Saves `expected` placed below the end of `memory`, overwrites it, restores it, and
/// returns the image's size, after checking every word came back and none below it moved.
fn round_trip(memory: &mut [u64], expected: &[u64]) -> usize {
    let from_word = memory.len() - expected.len();
    memory[from_word..].copy_from_slice(expected);
    let (from, top) = (memory.as_ptr() as usize + from_word * 8, memory.as_ptr() as usize + memory.len() * 8);
    let image = unsafe { StackImage::save(from, top) };
    let size = image.heap_bytes();
    memory.iter_mut().for_each(|w| *w = 0xdead_beef_dead_beef);
    unsafe { image.restore() };
    assert!(memory[from_word..] == expected[..], "the restored words differ from the saved ones");
    assert!(memory[..from_word].iter().all(|w| *w == 0xdead_beef_dead_beef), "a word below the image was written");
    size
}

#[test]
fn an_image_comes_back_word_for_word_over_other_contents() {
    let mut memory = vec![0u64; 4 * 512];
    let top = memory.as_ptr() as usize + memory.len() * 8;
    let mut expected = stack_like(memory.len() - 37, top, 1);
    expected[5] = 0x9e37_79b9_7f4a_7c15; // anything
    round_trip(&mut memory, &expected);
}

#[test]
fn a_vu_waiting_where_its_neighbours_wait_costs_a_fraction_of_its_stack() {
    // Two shared stacks of one thread; VUs on either wait at the same depth.
    let (mut a, mut b) = (vec![0u64; 1300], vec![0u64; 1300]);
    let depth = 1273;
    let top_of = |m: &Vec<u64>| m.as_ptr() as usize + m.len() * 8;
    let (top_a, top_b) = (top_of(&a), top_of(&b));
    let first = round_trip(&mut a, &stack_like(depth, top_a, 1));
    let second = round_trip(&mut b, &stack_like(depth, top_b, 2));
    let mut third = stack_like(depth, top_a, 3);
    third[depth - 1] = 42; // the same frames, one value of its own
    let third = round_trip(&mut a, &third);
    let live = depth * 8;
    assert!(first > live / 2, "a first sighting had a reference: {first} of {live} bytes");
    assert!(second < live / 4, "the same depth on another stack took {second} of {live} bytes");
    assert!(third < live / 4, "{third} of {live} bytes");
}

#[test]
fn images_outlive_their_reference_and_other_depths_use_the_nearest() {
    let mut memory = vec![0u64; 3000];
    let top = memory.as_ptr() as usize + memory.len() * 8;
    // The depth becomes a reference at its second save; this image is encoded against it.
    round_trip(&mut memory, &stack_like(1000, top, 1));
    let held = stack_like(1000, top, 2);
    memory[2000..].copy_from_slice(&held);
    let image = unsafe { StackImage::save(top - 8000, top) };
    // Push every depth, the one above included, out of the thread's recent depths.
    for depth in 0..DEPTHS {
        for salt in 0..2 {
            round_trip(&mut memory, &stack_like(1100 + depth, top, salt));
        }
    }
    // A new depth, deeper than every reference, read against the nearest.
    let deeper = round_trip(&mut memory, &stack_like(1200, top, 9));
    assert!(deeper < 1200 * 8 / 4, "against the nearest reference: {deeper} bytes");
    memory.iter_mut().for_each(|w| *w = 0);
    unsafe { image.restore() };
    assert!(memory[2000..] == held[..], "an image changed when its depth's reference was dropped");
}

#[test]
fn depths_of_every_remainder_of_four_come_back_against_references() {
    let mut memory = vec![0u64; 64];
    let top = memory.as_ptr() as usize + memory.len() * 8;
    for depth in 1..=13 {
        // Against the nearest (shallower) depth's reference, against itself, then against
        // its own reference with other heap pointers: every path of `encode` and `restore`,
        // with and without whole groups of four.
        for salt in 0..3 {
            round_trip(&mut memory, &stack_like(depth, top, salt));
        }
    }
}

/// Words like `stack_like`'s with every kind of difference from `base` mixed in by `seed`:
/// equal, moved with the stack, another lower half, another word, and deeper than `base`.
fn varied_from(base: &[u64], moved: u64, seed: u64) -> Vec<u64> {
    let mut x = seed | 1;
    base.iter()
        .map(|&r| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            match x % 5 {
                0 | 1 => r,
                2 => r.wrapping_add(moved),
                3 => r & !0xffff_ffff | x >> 32,
                _ => x,
            }
        })
        .collect()
}

#[test]
fn every_codec_of_this_cpu_writes_and_reads_the_same_bytes_as_one_word_at_a_time() {
    // The scalar codec first: the others are compared with it.
    let codecs: Vec<Codec> = Codec::ALL.into_iter().rev().filter(|c| c.runs_here()).collect();
    let mut memory = vec![0u64; 2100];
    let top = memory.as_ptr() as usize + memory.len() * 8;
    let reference = Reference { top: top - 4096, words: stack_like(1500, top - 4096, 1).into() };
    // Depths with every remainder of eight, one group of four past the last eight, and
    // deeper than the reference.
    let depths =
        [(1500usize, 1), (1497, 2), (1203, 3), (1, 4), (4, 5), (12, 9), (15, 10), (1501, 6), (2100, 7), (2099, 8)];
    for (depth, seed) in depths {
        let expected = {
            let moved = 4096; // top - reference.top
            let mut words = vec![0u64; depth.saturating_sub(1500)];
            words.extend(varied_from(&reference.words[1500usize.saturating_sub(depth)..], moved, seed));
            words
        };
        let from_word = memory.len() - depth;
        memory[from_word..].copy_from_slice(&expected);
        let from = top - depth * 8;
        let images = codecs
            .iter()
            .map(|&codec| (codec, Encoder::default().encode(&memory[from_word..], top, Some(&reference), codec)));
        let images: Vec<_> = images.collect();
        for (codec, data) in &images {
            assert!(*data == images[0].1, "{depth} words: {codec:?} encodes other bytes than {:?}", images[0].0);
        }
        for (codec, data) in images {
            for &restore_codec in &codecs {
                let image = StackImage {
                    from,
                    top,
                    reference: Some(Rc::new(Reference { top: reference.top, words: reference.words.clone() })),
                    data: data.clone(),
                };
                memory.iter_mut().for_each(|w| *w = 0xdead_beef_dead_beef);
                unsafe { image.restore_with(restore_codec) };
                assert!(
                    memory[from_word..] == expected[..],
                    "{depth} words, encoded with {codec:?}, restored with {restore_codec:?}"
                );
                assert!(
                    memory[..from_word].iter().all(|w| *w == 0xdead_beef_dead_beef),
                    "a word below the image was written"
                );
            }
        }
    }
}

#[test]
fn a_stack_with_no_reference_keeps_zeros_as_codes_and_small_numbers_as_halves() {
    let mut memory = vec![0u64; 10_000];
    let mut expected = vec![0u64; MAX_REFERENCE_WORDS + 1000];
    for (i, w) in expected.iter_mut().enumerate().step_by(4) {
        *w = i as u64;
    }
    // Deeper than any reference may be, so against zero words, now and on every save.
    for _ in 0..3 {
        let size = round_trip(&mut memory, &expected);
        let words = expected.len();
        assert!(size <= words / 4 + words + PADDING + 8, "{size} bytes for {words} words");
    }
}
