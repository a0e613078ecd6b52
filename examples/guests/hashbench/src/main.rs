//! The hashing benchmark: `n` bytes hashed by one of four implementations on one code path,
//! so that plain RV32IM hashers and the hash co-processors compare fairly. Prints and
//! commits the 32-byte digest.
//!
//! Public input: `[mode: u8][n: u32, little-endian]`, with modes
//!
//! | mode | hasher | instructions |
//! |---|---|---|
//! | 0 | `sha2::Sha256` | RV32IM |
//! | 1 | `crease_rt::sha256::Sha256` | `sha256_compress` per block |
//! | 2 | `sha3::Keccak256` | RV32IM |
//! | 3 | `crease_rt::keccak::Keccak256` | `keccak_f1600` per block |
//!
//! The bytes hashed are the private input's first `n` if it has that many (they then cost
//! no instructions to produce), otherwise byte `i` is `i·7 + i/256` modulo 256, written to
//! the heap first. Exits with 2 on a short public input or an unknown mode. The program
//! holds both co-processors' instructions, so it loads only with both in the instruction
//! set, whatever the mode.

#![no_std]
#![no_main]

extern crate alloc;

use crease_rt::sha256::Digest;
use crease_rt::{keccak, sha256};

crease_rt::entry!(main);

/// The one code path every mode takes: a fresh hasher, one update, the digest.
fn hash<D: Digest>(data: &[u8]) -> [u8; 32] {
    let mut hasher = D::new();
    hasher.update(data);
    let mut out = [0u8; 32];
    out.copy_from_slice(&hasher.finalize());
    out
}

/// Lowercase hex without `core::fmt`'s per-byte formatting, so that printing costs the
/// same number of instructions whatever the digest.
fn hex(digest: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (pair, byte) in out.chunks_exact_mut(2).zip(digest) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 15)];
    }
    out
}

fn generated(n: usize) -> alloc::vec::Vec<u8> {
    (0..n).map(|i| (i * 7 + (i >> 8)) as u8).collect()
}

fn main() -> i32 {
    let mut input = crease_rt::Reader::public();
    let (Some(&[mode]), Some(n)) = (input.read_bytes(1), input.read_u32()) else {
        crease_rt::eprintln!("public input: [mode: u8][n: u32 LE]");
        return 2;
    };
    let n = n as usize;
    let private = crease_rt::private_input();
    let owned;
    let data = if private.len() >= n {
        &private[..n]
    } else {
        owned = generated(n);
        &owned[..]
    };
    let (name, digest) = match mode {
        0 => ("sha2::Sha256", hash::<sha2::Sha256>(data)),
        1 => ("crease_rt::sha256::Sha256", hash::<sha256::Sha256>(data)),
        2 => ("sha3::Keccak256", hash::<sha3::Keccak256>(data)),
        3 => (
            "crease_rt::keccak::Keccak256",
            hash::<keccak::Keccak256>(data),
        ),
        _ => {
            crease_rt::eprintln!("unknown mode {mode} (0-3)");
            return 2;
        }
    };
    let hex = hex(&digest);
    let hex = core::str::from_utf8(&hex).unwrap_or_default();
    crease_rt::println!("{name} of {n} bytes: {hex}");
    crease_rt::commit(&digest);
    0
}
