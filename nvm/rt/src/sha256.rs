//! SHA-256 (FIPS 180-4) on the `sha256_compress` co-processor.
//!
//! [`Sha256`] implements the `digest` 0.10 traits like `sha2::Sha256` does, so code written
//! against `sha2` switches by changing its import:
//!
//! ```ignore
//! use crease_rt::sha256::{Digest, Sha256}; // was: use sha2::{Digest, Sha256};
//!
//! let hash: [u8; 32] = Sha256::digest(b"abc").into();
//! ```
//!
//! Each 64-byte block is one `sha256_compress` instruction (two cycles): custom-1,
//! `funct3 = 0`, `funct7 = 0`, `rd = x0`, `rs1` = the state (eight words), `rs2` = the block
//! (word-aligned, in message order). A program using it runs with the co-processor in its
//! instruction set (`crease run --coprocessor sha256_compress`). Off the guest target the
//! compression is computed in software, so that host tests of a guest's logic work.

use core::fmt;

use digest::block_buffer::Eager;
use digest::consts::{U32, U64};
use digest::core_api::{
    AlgorithmName, Block, BlockSizeUser, Buffer, BufferKindUser, CoreWrapper, FixedOutputCore,
    OutputSizeUser, UpdateCore,
};
use digest::{HashMarker, Output, Reset};

/// The trait most code hashes through, re-exported as the `sha2` and `sha3` crates do.
pub use digest::Digest;

/// SHA-256's initial state `H0..H7`.
pub const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// One SHA-256 compression of `state` with a 64-byte `block` in message order (word `i`
/// is bytes `4i..4i+4`, big-endian).
///
/// The co-processor reads the block from memory as words, so a block that is not 4-byte
/// aligned is first copied to an aligned buffer; an aligned one is used where it is.
#[inline]
pub fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    if (block.as_ptr() as usize).is_multiple_of(4) {
        compress_aligned(state, block);
    } else {
        // The words hold the block's bytes in memory order (not the message words).
        let mut words = [0u32; 16];
        for (w, b) in words.iter_mut().zip(block.chunks_exact(4)) {
            *w = u32::from_ne_bytes([b[0], b[1], b[2], b[3]]);
        }
        compress_words(state, &words);
    }
}

/// [`compress`] of a block given as its sixteen words in memory order (the bytes of
/// `words` are the block's bytes), which are aligned by their type.
#[inline]
pub fn compress_words(state: &mut [u32; 8], words: &[u32; 16]) {
    // SAFETY: `[u32; 16]` and `[u8; 64]` have the same size, every bit pattern is a valid
    // `u8`, and a `[u8; 64]` needs no alignment; the borrow is shared and short-lived.
    let bytes = unsafe { &*(words as *const [u32; 16] as *const [u8; 64]) };
    compress_aligned(state, bytes);
}

/// `block` must be 4-byte aligned.
#[inline(always)]
fn compress_aligned(state: &mut [u32; 8], block: &[u8; 64]) {
    #[cfg(target_arch = "riscv32")]
    // SAFETY: the instruction reads 64 bytes at `block` and reads and writes the 32 bytes of
    // `state`, both valid and word-aligned (the caller checked `block`, `state` is a
    // `[u32; 8]`); it writes no register (`rd = x0`). The asm is not `nomem`, so the
    // compiler keeps both in memory across it.
    unsafe {
        core::arch::asm!(
            ".insn r 0x2b, 0, 0, x0, {state}, {block}",
            state = in(reg) state.as_mut_ptr(),
            block = in(reg) block.as_ptr(),
            options(nostack),
        );
    }
    #[cfg(not(target_arch = "riscv32"))]
    soft::compress(state, block);
}

/// The software compression used off the guest target.
#[cfg(not(target_arch = "riscv32"))]
mod soft {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    pub(super) fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
        let mut w = [0u32; 64];
        for (wi, b) in w.iter_mut().zip(block.chunks_exact(4)) {
            *wi = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        }
        for t in 16..64 {
            let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
            let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
            w[t] = w[t - 16]
                .wrapping_add(s0)
                .wrapping_add(w[t - 7])
                .wrapping_add(s1);
        }
        let mut v = *state;
        for t in 0..64 {
            let [a, b, c, d, e, f, g, h] = v;
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = h
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[t])
                .wrapping_add(w[t]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        for (s, x) in state.iter_mut().zip(v) {
            *s = s.wrapping_add(x);
        }
    }
}

/// A block of the `digest` traits as an array (their lengths agree by type).
#[inline(always)]
fn as_block(block: &Block<Sha256Core>) -> &[u8; 64] {
    match block.as_slice().try_into() {
        Ok(b) => b,
        Err(_) => unreachable!("a SHA-256 block is 64 bytes"),
    }
}

/// The block-level core of [`Sha256`]: the chaining state and the number of blocks
/// compressed. Use [`Sha256`], which buffers partial blocks.
#[derive(Clone)]
pub struct Sha256Core {
    state: [u32; 8],
    blocks: u64,
}

impl Default for Sha256Core {
    fn default() -> Self {
        Self {
            state: IV,
            blocks: 0,
        }
    }
}

impl HashMarker for Sha256Core {}

impl BlockSizeUser for Sha256Core {
    type BlockSize = U64;
}

impl BufferKindUser for Sha256Core {
    type BufferKind = Eager;
}

impl OutputSizeUser for Sha256Core {
    type OutputSize = U32;
}

impl UpdateCore for Sha256Core {
    #[inline]
    fn update_blocks(&mut self, blocks: &[Block<Self>]) {
        self.blocks = self.blocks.wrapping_add(blocks.len() as u64);
        for block in blocks {
            compress(&mut self.state, as_block(block));
        }
    }
}

impl FixedOutputCore for Sha256Core {
    fn finalize_fixed_core(&mut self, buffer: &mut Buffer<Self>, out: &mut Output<Self>) {
        let bits = self
            .blocks
            .wrapping_mul(512)
            .wrapping_add(8 * buffer.get_pos() as u64);
        let state = &mut self.state;
        buffer.len64_padding_be(bits, |block| compress(state, as_block(block)));
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
    }
}

impl Reset for Sha256Core {
    fn reset(&mut self) {
        *self = Self::default();
    }
}

impl AlgorithmName for Sha256Core {
    fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha256")
    }
}

impl fmt::Debug for Sha256Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha256Core { .. }")
    }
}

/// SHA-256 through the `digest` traits (`Digest`, `Update`, `FixedOutput`, `Reset`, …), with
/// each block compressed by the co-processor. A drop-in for `sha2::Sha256`.
pub type Sha256 = CoreWrapper<Sha256Core>;

/// The SHA-256 digest of `data` in one call.
pub fn digest(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}
