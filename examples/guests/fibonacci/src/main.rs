//! Fibonacci: reads `n` (a little-endian u32, default 10) from the public input, prints
//! F(n) modulo 2^64 and commits it as a little-endian u64.

#![no_std]
#![no_main]

crease_rt::entry!(main);

fn fib(n: u32) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        let next = a.wrapping_add(b);
        a = b;
        b = next;
    }
    a
}

fn main() {
    let n = crease_rt::Reader::public().read_u32().unwrap_or(10);
    let f = fib(n);
    crease_rt::println!("fib({n}) = {f}");
    crease_rt::commit(&f.to_le_bytes());
}
