//! Small gadgets the instruction circuits share, each with its native witness helper.

use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::{Bounded, Ctx};
use crate::pack::pow2;
use crate::Fr;

/// Enforces `hi16 = 2^15·s + r` with `0 ≤ r < 2^15`, given a bit `s` and `0 ≤ hi16 < 2^16`:
/// `s` is the sign bit of the 32-bit value whose upper limb is `hi16` (one lookup).
pub fn sign_bit(ctx: &mut Ctx, hi16: &Bounded, s: &FpVar<Fr>) -> Result<(), SynthesisError> {
    let r = hi16.var() - s * pow2(15);
    ctx.range16(&(r * Fr::from(2u64)))?;
    Ok(())
}

/// Enforces the same for a byte: `s` is bit 7 of `b` (given a bit `s` and `0 ≤ b < 2^8`).
pub fn sign_bit8(ctx: &mut Ctx, b: &FpVar<Fr>, s: &FpVar<Fr>) -> Result<(), SynthesisError> {
    let r = b - s * pow2(7);
    ctx.byte(&(r * Fr::from(2u64)))?;
    Ok(())
}

/// Widths of the two limbs of a word index (`word_addr`): the address `4q` is below `2^32`.
pub const WORD_INDEX: [u32; 2] = [16, 14];

/// `4·(q_lo + 2^16·q_hi)` for a 16-bit `q_lo` and a 14-bit `q_hi` ([`WORD_INDEX`]): a
/// multiple of four below `2^32`.
pub fn word_addr(q_lo: &Bounded, q_hi: &Bounded) -> Result<Bounded, SynthesisError> {
    Ok(Bounded::compose(&[q_lo, q_hi], 16)?.shl(2))
}

/// Native: the limbs of `word_addr` for an address `a` (its low two bits dropped).
pub fn word_addr_w(a: u32) -> [u64; 2] {
    let q = (a >> 2) as u64;
    [q & 0xffff, q >> 16]
}

/// One-hot operation flags (bits, as the layout declares them): exactly one set, and
/// `Σ flag_i·ops_i = op` (2 constraints).
pub fn op_flags(op: &FpVar<Fr>, flags: &[FpVar<Fr>], ops: &[u8]) -> Result<(), SynthesisError> {
    let mut sum = FpVar::zero();
    let mut weighted = FpVar::zero();
    for (f, &o) in flags.iter().zip(ops) {
        sum += f;
        weighted += f * Fr::from(o as u64);
    }
    sum.enforce_equal(&FpVar::one())?;
    weighted.enforce_equal(op)
}

/// Native: the one-hot flags of `op` among `ops`.
pub fn op_flags_w(op: u8, ops: &[u8]) -> Vec<u64> {
    ops.iter().map(|&o| (o == op) as u64).collect()
}

/// `2^32` in the field.
pub fn two32() -> Fr {
    pow2(32)
}

/// Native: the sign bit of a 32-bit value.
pub fn sign_w(v: u32) -> u64 {
    (v >> 31) as u64
}

/// Native: 16-bit limbs.
pub fn limbs_w(v: u64) -> [u64; 2] {
    [v & 0xffff, (v >> 16) & 0xffff]
}

/// The value of 16-bit limbs.
pub fn from_limbs(lo: &FpVar<Fr>, hi: &FpVar<Fr>) -> FpVar<Fr> {
    lo + hi * pow2(16)
}

/// Layout widths: `n` bits.
pub fn bits(n: usize) -> impl Iterator<Item = u32> {
    std::iter::repeat_n(1, n)
}
