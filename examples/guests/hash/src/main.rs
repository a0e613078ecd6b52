//! SHA-256 and Keccak-256 (Ethereum's) of the public input on the hash co-processors
//! (`sha256_compress`, `keccak_f1600`): prints both digests in hex and commits their 64
//! bytes, SHA-256's first. Run it with both co-processors in the instruction set.

#![no_std]
#![no_main]

use crease_rt::keccak::Keccak256;
use crease_rt::sha256::{Digest, Sha256};

crease_rt::entry!(main);

fn print_hex(label: &str, len: usize, digest: &[u8]) {
    crease_rt::print!("{label} of {len} bytes: ");
    for byte in digest {
        crease_rt::print!("{byte:02x}");
    }
    crease_rt::println!();
}

fn main() {
    let input = crease_rt::public_input();
    let sha = Sha256::digest(input);
    let keccak = Keccak256::digest(input);
    print_hex("sha256", input.len(), &sha);
    print_hex("keccak256", input.len(), &keccak);
    crease_rt::commit(&sha);
    crease_rt::commit(&keccak);
}
