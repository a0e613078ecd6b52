//! Collections on the heap: for each start value up to `n` (a little-endian u32 from the
//! public input, default 30) it collects the Collatz sequence into a `Vec`, keeps the longest
//! one, and builds a `String` report. Commits the start value of the longest sequence, its
//! length, and the sum of all sequence lengths, as little-endian u32s.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

crease_rt::entry!(main);

fn collatz(mut x: u64) -> Vec<u64> {
    let mut seq = Vec::new();
    seq.push(x);
    while x != 1 {
        x = if x % 2 == 0 { x / 2 } else { 3 * x + 1 };
        seq.push(x);
    }
    seq
}

fn main() {
    let n = crease_rt::Reader::public().read_u32().unwrap_or(30).max(1);
    let sequences: Vec<Vec<u64>> = (1..=n as u64).map(collatz).collect();
    let total: usize = sequences.iter().map(Vec::len).sum();
    let longest = sequences
        .iter()
        .max_by_key(|s| s.len())
        .expect("at least one sequence");
    let mut report = String::new();
    let _ = write!(
        report,
        "longest Collatz sequence up to {n} starts at {} ({} terms, peak {})",
        longest[0],
        longest.len(),
        longest.iter().max().copied().unwrap_or(0)
    );
    crease_rt::println!("{report}");
    crease_rt::commit(&(longest[0] as u32).to_le_bytes());
    crease_rt::commit(&(longest.len() as u32).to_le_bytes());
    crease_rt::commit(&(total as u32).to_le_bytes());
}
