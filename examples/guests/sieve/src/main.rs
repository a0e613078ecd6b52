//! Prime sieve: reads a limit (a little-endian u32, default 1000) from the public input,
//! counts the primes up to it with the sieve of Eratosthenes, prints the count and the
//! largest, and commits both as little-endian u32s.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;

crease_rt::entry!(main);

fn main() {
    let limit = crease_rt::Reader::public().read_u32().unwrap_or(1000) as usize;
    let mut composite = vec![false; limit + 1];
    let (mut count, mut largest) = (0u32, 0u32);
    for i in 2..=limit {
        if composite[i] {
            continue;
        }
        count += 1;
        largest = i as u32;
        // Past sqrt(usize::MAX) the square overflows, and then it exceeds the limit anyway.
        let mut j = i.checked_mul(i).unwrap_or(usize::MAX);
        while j <= limit {
            composite[j] = true;
            j = j.saturating_add(i);
        }
    }
    crease_rt::println!("{count} primes up to {limit}, the largest is {largest}");
    crease_rt::commit(&count.to_le_bytes());
    crease_rt::commit(&largest.to_le_bytes());
}
