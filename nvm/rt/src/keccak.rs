//! Keccak-256 on the `keccak_f1600` co-processor.
//!
//! [`Keccak256`] is the original Keccak-256 that Ethereum uses (padding `0x01 … 0x80`, rate
//! 136 bytes), not FIPS 202's SHA3-256, and implements the `digest` 0.10 traits like
//! `sha3::Keccak256` does, so code written against `sha3` switches by changing its import:
//!
//! ```ignore
//! use crease_rt::keccak::{Digest, Keccak256}; // was: use sha3::{Digest, Keccak256};
//!
//! let hash: [u8; 32] = Keccak256::digest(b"abc").into();
//! ```
//!
//! Each permutation is one `keccak_f1600` instruction (four cycles): custom-1, `funct3 = 1`,
//! `funct7 = 0`, `rd = x0`, `rs2 = x0`, `rs1` = the state, 25 little-endian `u64` lanes. A
//! program using it runs with the co-processor in its instruction set (`crease run
//! --coprocessor keccak_f1600`). Off the guest target the permutation is computed in
//! software, so that host tests of a guest's logic work.

use core::fmt;

use digest::block_buffer::Eager;
use digest::consts::{U136, U32};
use digest::core_api::{
    AlgorithmName, Block, BlockSizeUser, Buffer, BufferKindUser, CoreWrapper, FixedOutputCore,
    OutputSizeUser, UpdateCore,
};
use digest::{HashMarker, Output, Reset};

/// The trait most code hashes through, re-exported as the `sha2` and `sha3` crates do.
pub use digest::Digest;

/// Keccak-256's rate: the bytes absorbed per permutation.
pub const RATE: usize = 136;

/// The permutation Keccak-f\[1600\] of `state`, lane `x + 5y` at index `x + 5y`.
#[inline(always)]
pub fn f1600(state: &mut [u64; 25]) {
    #[cfg(target_arch = "riscv32")]
    // SAFETY: the instruction reads and writes the 200 bytes of `state`, valid and aligned
    // (a `[u64; 25]`), and writes no register (`rd = x0`). The asm is not `nomem`, so the
    // compiler keeps the state in memory across it.
    unsafe {
        core::arch::asm!(
            ".insn r 0x2b, 1, 0, x0, {state}, x0",
            state = in(reg) state.as_mut_ptr(),
            options(nostack),
        );
    }
    #[cfg(not(target_arch = "riscv32"))]
    soft::f1600(state);
}

/// The software permutation used off the guest target (FIPS 202 §3.2–3.3).
#[cfg(not(target_arch = "riscv32"))]
mod soft {
    /// `ι`'s round constants.
    const RC: [u64; 24] = [
        0x0000000000000001,
        0x0000000000008082,
        0x800000000000808a,
        0x8000000080008000,
        0x000000000000808b,
        0x0000000080000001,
        0x8000000080008081,
        0x8000000000008009,
        0x000000000000008a,
        0x0000000000000088,
        0x0000000080008009,
        0x000000008000000a,
        0x000000008000808b,
        0x800000000000008b,
        0x8000000000008089,
        0x8000000000008003,
        0x8000000000008002,
        0x8000000000000080,
        0x000000000000800a,
        0x800000008000000a,
        0x8000000080008081,
        0x8000000000008080,
        0x0000000080000001,
        0x8000000080008008,
    ];

    /// `ρ`'s rotation offsets by lane index `x + 5y`.
    const RHO: [u32; 25] = [
        0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56,
        14,
    ];

    pub(super) fn f1600(a: &mut [u64; 25]) {
        for rc in RC {
            // θ
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
            // ρ and π: lane (x, y) goes to (y, 2x + 3y).
            let mut b = [0u64; 25];
            for x in 0..5 {
                for y in 0..5 {
                    let i = x + 5 * y;
                    b[y + 5 * ((2 * x + 3 * y) % 5)] = a[i].rotate_left(RHO[i]);
                }
            }
            // χ
            for y in 0..5 {
                for x in 0..5 {
                    let r = 5 * y;
                    a[r + x] = b[r + x] ^ (!b[r + (x + 1) % 5] & b[r + (x + 2) % 5]);
                }
            }
            // ι
            a[0] ^= rc;
        }
    }
}

/// XORs a block of [`RATE`] bytes into the first 17 lanes.
#[inline(always)]
fn xor_block(state: &mut [u64; 25], block: &[u8; RATE]) {
    if (block.as_ptr() as usize).is_multiple_of(4) {
        // SAFETY: the pointer is 4-byte aligned and the 136 bytes it points to are 34 `u32`s
        // of a shared borrow that outlives this one; every bit pattern is a valid `u32`.
        let words = unsafe { &*(block.as_ptr() as *const [u32; RATE / 4]) };
        for (lane, w) in state.iter_mut().zip(words.chunks_exact(2)) {
            *lane ^= u64::from(u32::from_le(w[0])) | u64::from(u32::from_le(w[1])) << 32;
        }
    } else {
        for (lane, b) in state.iter_mut().zip(block.chunks_exact(8)) {
            *lane ^= u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        }
    }
}

/// A block of the `digest` traits as an array (their lengths agree by type).
#[inline(always)]
fn as_block(block: &Block<Keccak256Core>) -> &[u8; RATE] {
    match block.as_slice().try_into() {
        Ok(b) => b,
        Err(_) => unreachable!("a Keccak-256 block is {RATE} bytes"),
    }
}

/// The block-level core of [`Keccak256`]: the sponge's state. Use [`Keccak256`], which
/// buffers partial blocks.
#[derive(Clone, Default)]
pub struct Keccak256Core {
    state: [u64; 25],
}

impl HashMarker for Keccak256Core {}

impl BlockSizeUser for Keccak256Core {
    type BlockSize = U136;
}

impl BufferKindUser for Keccak256Core {
    type BufferKind = Eager;
}

impl OutputSizeUser for Keccak256Core {
    type OutputSize = U32;
}

impl UpdateCore for Keccak256Core {
    #[inline]
    fn update_blocks(&mut self, blocks: &[Block<Self>]) {
        for block in blocks {
            xor_block(&mut self.state, as_block(block));
            f1600(&mut self.state);
        }
    }
}

impl FixedOutputCore for Keccak256Core {
    fn finalize_fixed_core(&mut self, buffer: &mut Buffer<Self>, out: &mut Output<Self>) {
        // Keccak's pad10*1 with the domain bit of the original submission: 0x01 after the
        // message, 0x80 in the block's last byte (0x81 when they coincide).
        let pos = buffer.get_pos();
        let block = buffer.pad_with_zeros();
        block[pos] ^= 0x01;
        block[RATE - 1] ^= 0x80;
        xor_block(&mut self.state, as_block(block));
        f1600(&mut self.state);
        for (chunk, lane) in out.chunks_exact_mut(8).zip(self.state) {
            chunk.copy_from_slice(&lane.to_le_bytes());
        }
    }
}

impl Reset for Keccak256Core {
    fn reset(&mut self) {
        *self = Self::default();
    }
}

impl AlgorithmName for Keccak256Core {
    fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keccak256")
    }
}

impl fmt::Debug for Keccak256Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keccak256Core { .. }")
    }
}

/// Keccak-256 through the `digest` traits (`Digest`, `Update`, `FixedOutput`, `Reset`, …),
/// with each permutation done by the co-processor. A drop-in for `sha3::Keccak256`.
pub type Keccak256 = CoreWrapper<Keccak256Core>;

/// The Keccak-256 digest of `data` in one call.
pub fn digest(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}
