//! Sorting: reads little-endian u32 words from the public input, sorts them with a merge
//! sort written here, and commits the sorted words; prints their count, min and max.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;

crease_rt::entry!(main);

/// Bottom-up merge sort, stable, with one scratch buffer.
fn merge_sort(v: &mut [u32]) {
    let n = v.len();
    let mut scratch = vec![0u32; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                if v[j] < v[i] {
                    scratch[k] = v[j];
                    j += 1;
                } else {
                    scratch[k] = v[i];
                    i += 1;
                }
                k += 1;
            }
            scratch[k..k + mid - i].copy_from_slice(&v[i..mid]);
            k += mid - i;
            scratch[k..k + end - j].copy_from_slice(&v[j..end]);
            start = end;
        }
        v.copy_from_slice(&scratch);
        width *= 2;
    }
}

fn main() {
    let input = crease_rt::public_input();
    let mut words: Vec<u32> = input
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    merge_sort(&mut words);
    assert!(words.windows(2).all(|w| w[0] <= w[1]), "not sorted");
    match (words.first(), words.last()) {
        (Some(min), Some(max)) => {
            crease_rt::println!("sorted {} words, min {min}, max {max}", words.len())
        }
        _ => crease_rt::println!("sorted 0 words"),
    }
    for w in &words {
        crease_rt::commit(&w.to_le_bytes());
    }
}
