//! `keccak_f1600`: the Keccak-f\[1600\] permutation (FIPS 202 §3.3–3.4) of a state in
//! memory, as one instruction of four cycles.
//!
//! # Encoding
//!
//! R-type in the **custom-1** major opcode (`0b0101011`) with `funct3 = 1`, `funct7 = 0`,
//! `rd = x0`, `rs2 = x0`:
//!
//! ```text
//! .insn r 0x2b, 1, 0, x0, rs1, x0
//! ```
//!
//! - `rs1` holds the address of the state, 25 lanes of 64 bits little-endian (word-aligned,
//!   writable), permuted in place: lane `i = x + 5y` is the 50 words' pair `2i` (low half)
//!   and `2i + 1` (high half), which is the byte layout of `[u64; 25]` on a little-endian
//!   machine and the layout the sponge's byte string has in FIPS 202.
//!
//! Accesses, in order: `rs1`, then the fifty state words (each read and written once).
//! 51 accesses besides the pc need four cycles. A misaligned state, or one whose words are
//! not all writable, faults before any memory access.
//!
//! The permutation is 24 rounds of `ι ∘ χ ∘ π ∘ ρ ∘ θ`; [`theta`], [`rho_pi`], [`chi`] and
//! [`iota`] are its steps, [`round`] one round and [`f1600`] the whole.

use crate::decode::{opcode, r_fields, Decoded, Pattern};
use crate::error::Fault;
use crate::machine::Machine;
use crate::Instruction;

/// The instruction's patterns: custom-1, `funct3 = 1`, `funct7 = 0`.
pub const PATTERN: Pattern = Pattern::r_type(opcode::CUSTOM_1, 1, 0);

/// The number of rounds of Keccak-f\[1600\].
pub const ROUNDS: usize = 24;

/// The round constants `RC[i]` of `ι` (FIPS 202 Algorithm 6), derived from the LFSR `rc`.
pub const RC: [u64; ROUNDS] = round_constants();

/// The rotation offsets of `ρ` by lane index `x + 5y` (FIPS 202 Algorithm 2).
pub const RHO: [u32; 25] = rho_offsets();

/// The lane `π` moves lane `i = x + 5y` to: `(y, 2x + 3y)`, as an index.
pub const PI: [usize; 25] = pi_targets();

/// `rc(t)` of FIPS 202 Algorithm 5: the output bit of an 8-bit LFSR with feedback polynomial
/// `x^8 + x^6 + x^5 + x^4 + 1`, stepped `t mod 255` times from `R = 1`.
const fn rc_bit(t: usize) -> u64 {
    let mut r: u16 = 1;
    let mut i = 0;
    while i < t % 255 {
        r <<= 1;
        if r & 0x100 != 0 {
            r ^= 0x100 | 0x71; // R[0], R[4], R[5], R[6] ^= R[8]; R[8] dropped
        }
        i += 1;
    }
    (r & 1) as u64
}

const fn round_constants() -> [u64; ROUNDS] {
    let mut rc = [0u64; ROUNDS];
    let mut round = 0;
    while round < ROUNDS {
        let mut j = 0;
        while j <= 6 {
            rc[round] |= rc_bit(j + 7 * round) << ((1 << j) - 1);
            j += 1;
        }
        round += 1;
    }
    rc
}

const fn rho_offsets() -> [u32; 25] {
    let mut r = [0u32; 25];
    let (mut x, mut y) = (1, 0);
    let mut t = 0;
    while t < 24 {
        r[x + 5 * y] = (((t + 1) * (t + 2) / 2) % 64) as u32;
        (x, y) = (y, (2 * x + 3 * y) % 5);
        t += 1;
    }
    r
}

const fn pi_targets() -> [usize; 25] {
    let mut p = [0usize; 25];
    let mut i = 0;
    while i < 25 {
        let (x, y) = (i % 5, i / 5);
        p[i] = y + 5 * ((2 * x + 3 * y) % 5);
        i += 1;
    }
    p
}

/// `θ`: every lane is XORed with the parities of two neighbouring columns,
/// `A[x, y] ^= C[x − 1] ^ rot(C[x + 1], 1)` where `C[x]` is the XOR of column `x`.
pub fn theta(a: &mut [u64; 25]) {
    let mut c = [0u64; 5];
    for (x, cx) in c.iter_mut().enumerate() {
        *cx = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    }
    for x in 0..5 {
        let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
        for y in 0..5 {
            a[x + 5 * y] ^= d;
        }
    }
}

/// `π ∘ ρ`: lane `(x, y)` rotated left by its offset [`RHO`] lands at `(y, 2x + 3y)`.
pub fn rho_pi(a: &[u64; 25]) -> [u64; 25] {
    let mut b = [0u64; 25];
    for i in 0..25 {
        b[PI[i]] = a[i].rotate_left(RHO[i]);
    }
    b
}

/// `χ`: the only non-linear step, row by row: `A[x, y] = B[x, y] ^ (!B[x + 1, y] & B[x + 2, y])`.
pub fn chi(b: &[u64; 25]) -> [u64; 25] {
    let mut a = [0u64; 25];
    for y in 0..5 {
        for x in 0..5 {
            let row = 5 * y;
            a[row + x] = b[row + x] ^ (!b[row + (x + 1) % 5] & b[row + (x + 2) % 5]);
        }
    }
    a
}

/// `ι` of round `round`: lane `(0, 0)` is XORed with [`RC`]`[round]`.
pub fn iota(a: &mut [u64; 25], round: usize) {
    a[0] ^= RC[round];
}

/// Round `round` (0..24) of the permutation.
pub fn round(a: &mut [u64; 25], round: usize) {
    theta(a);
    *a = chi(&rho_pi(a));
    iota(a, round);
}

/// The permutation Keccak-f\[1600\]: the 24 rounds.
pub fn f1600(a: &mut [u64; 25]) {
    for r in 0..ROUNDS {
        round(a, r);
    }
}

/// The lanes of a state given as its fifty memory words (low half first).
pub fn lanes(words: &[u32; 50]) -> [u64; 25] {
    std::array::from_fn(|i| u64::from(words[2 * i]) | u64::from(words[2 * i + 1]) << 32)
}

/// The fifty memory words of a state given as its lanes.
pub fn words(lanes: &[u64; 25]) -> [u32; 50] {
    std::array::from_fn(|j| (lanes[j / 2] >> (32 * (j % 2))) as u32)
}

/// The permutation of a state given as its fifty memory words, as the instruction applies it.
pub fn permute_words(w: &mut [u32; 50]) {
    let mut a = lanes(w);
    f1600(&mut a);
    *w = words(&a);
}

/// The `keccak_f1600` co-processor's native half.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeccakF1600;

impl Instruction for KeccakF1600 {
    fn name(&self) -> &str {
        "keccak_f1600"
    }

    fn patterns(&self) -> &[Pattern] {
        std::slice::from_ref(&PATTERN)
    }

    fn decode(&self, word: u32) -> Option<Decoded> {
        let d = r_fields(word);
        (d.rd == 0 && d.rs2 == 0).then_some(d)
    }

    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        let state = m.reg(d.rs1);
        m.update_words(state, permute_words)
    }

    fn cycles(&self) -> u32 {
        4
    }
}
