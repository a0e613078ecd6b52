//! Knowledge of a factorization: the public input is `n` (a little-endian u64), the private
//! input holds `p` and `q` (little-endian u64s). The guest checks that `1 < p <= q` and
//! `p * q = n` without overflow, then commits `n`: a proof of this run shows that the prover
//! knows a non-trivial factorization of `n` without revealing it. Exits with 1 otherwise.

#![no_std]
#![no_main]

crease_rt::entry!(main);

fn main() -> i32 {
    let Some(n) = crease_rt::Reader::public().read_u64() else {
        crease_rt::eprintln!("public input must hold n as a u64");
        return 2;
    };
    let mut hints = crease_rt::Reader::private();
    let (Some(p), Some(q)) = (hints.read_u64(), hints.read_u64()) else {
        crease_rt::eprintln!("private input must hold p and q as u64s");
        return 2;
    };
    if p > 1 && p <= q && p.checked_mul(q) == Some(n) {
        crease_rt::println!("{n} has a non-trivial factorization");
        crease_rt::commit(&n.to_le_bytes());
        0
    } else {
        crease_rt::eprintln!("the hint is not a factorization of {n}");
        1
    }
}
