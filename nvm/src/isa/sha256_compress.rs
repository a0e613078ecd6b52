//! `sha256_compress`: one SHA-256 compression (FIPS 180-4 §6.2.2) of a state in memory
//! with a 64-byte block in memory, as one instruction of two cycles.
//!
//! # Encoding
//!
//! R-type in the **custom-1** major opcode (`0b0101011`) with `funct3 = 0`, `funct7 = 0`,
//! `rd = x0`:
//!
//! ```text
//! .insn r 0x2b, 0, 0, x0, rs1, rs2
//! ```
//!
//! - `rs1` holds the address of the state, eight `u32` words `H0..H7` (word-aligned,
//!   writable), updated in place;
//! - `rs2` holds the address of the block, 64 bytes in message order (word-aligned,
//!   readable): message word `i` is bytes `4i..4i+4` read big-endian, so a buffer of input
//!   bytes is passed as it is.
//!
//! Accesses, in order: `rs1`, `rs2`, the sixteen block words, then the eight state words
//! (each read and written once). 26 accesses besides the pc need two cycles. A misaligned or
//! unmapped block, or a state that is not writable, faults before any memory access.

use crate::decode::{opcode, r_fields, Decoded, Pattern};
use crate::error::Fault;
use crate::machine::Machine;
use crate::Instruction;

/// The instruction's patterns: custom-1, `funct3 = 0`, `funct7 = 0`.
pub const PATTERN: Pattern = Pattern::r_type(opcode::CUSTOM_1, 0, 0);

/// SHA-256's round constants.
pub const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// SHA-256's initial state.
pub const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// `Σ0`, `Σ1`, `σ0`, `σ1` of FIPS 180-4 §4.1.2.
pub fn big_sigma0(x: u32) -> u32 {
    x.rotate_right(2) ^ x.rotate_right(13) ^ x.rotate_right(22)
}
/// `Σ1`.
pub fn big_sigma1(x: u32) -> u32 {
    x.rotate_right(6) ^ x.rotate_right(11) ^ x.rotate_right(25)
}
/// `σ0`.
pub fn small_sigma0(x: u32) -> u32 {
    x.rotate_right(7) ^ x.rotate_right(18) ^ (x >> 3)
}
/// `σ1`.
pub fn small_sigma1(x: u32) -> u32 {
    x.rotate_right(17) ^ x.rotate_right(19) ^ (x >> 10)
}

/// The message schedule `W0..W63` of a block given as its sixteen message words.
pub fn schedule(m: &[u32; 16]) -> [u32; 64] {
    let mut w = [0u32; 64];
    w[..16].copy_from_slice(m);
    for t in 16..64 {
        w[t] = small_sigma1(w[t - 2])
            .wrapping_add(w[t - 7])
            .wrapping_add(small_sigma0(w[t - 15]))
            .wrapping_add(w[t - 16]);
    }
    w
}

/// The working variables `(a, …, h)` after each of the 64 rounds, from `state`.
pub fn rounds(state: &[u32; 8], w: &[u32; 64]) -> [[u32; 8]; 64] {
    let mut v = *state;
    let mut out = [[0u32; 8]; 64];
    for t in 0..64 {
        let [a, b, c, d, e, f, g, h] = v;
        let ch = (e & f) ^ (!e & g);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t1 = h
            .wrapping_add(big_sigma1(e))
            .wrapping_add(ch)
            .wrapping_add(K[t])
            .wrapping_add(w[t]);
        let t2 = big_sigma0(a).wrapping_add(maj);
        v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        out[t] = v;
    }
    out
}

/// The message words of a block as the instruction reads it: word `i` of memory holds
/// bytes `4i..4i+4` little-endian, and the message word is the same bytes big-endian.
pub fn message_words(memory_words: &[u32; 16]) -> [u32; 16] {
    memory_words.map(u32::swap_bytes)
}

/// One compression of `state` with the block whose memory words are `block`.
pub fn compress(state: &mut [u32; 8], block: &[u32; 16]) {
    let w = schedule(&message_words(block));
    let last = rounds(state, &w)[63];
    for (s, v) in state.iter_mut().zip(last) {
        *s = s.wrapping_add(v);
    }
}

/// The `sha256_compress` co-processor's native half.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sha256Compress;

impl Instruction for Sha256Compress {
    fn name(&self) -> &str {
        "sha256_compress"
    }

    fn patterns(&self) -> &[Pattern] {
        std::slice::from_ref(&PATTERN)
    }

    fn decode(&self, word: u32) -> Option<Decoded> {
        let d = r_fields(word);
        (d.rd == 0).then_some(Decoded { rd: 0, ..d })
    }

    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        let state = m.reg(d.rs1);
        let block = m.reg(d.rs2);
        let words: [u32; 16] = m.load_words(block)?;
        m.update_words(state, |s: &mut [u32; 8]| compress(s, &words))
    }

    fn cycles(&self) -> u32 {
        2
    }
}
