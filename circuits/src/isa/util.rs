//! Small gadgets the instruction circuits share, each with its native witness helper.

use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::Ctx;
use crate::pack::pow2;
use crate::Fr;

/// Enforces `hi16 = 2^15·s + r` with `s` a bit and `0 ≤ r < 2^15`, given `0 ≤ hi16 < 2^16`:
/// `s` is the sign bit of the 32-bit value whose upper limb is `hi16` (one lookup).
pub fn sign_bit(ctx: &mut Ctx, hi16: &FpVar<Fr>, s: &FpVar<Fr>) -> Result<(), SynthesisError> {
    ctx.boolean(s)?;
    let r = hi16 - s * pow2(15);
    ctx.range16(&(r * Fr::from(2u64)))
}

/// Enforces the same for a byte: `s` is bit 7 of `b` (given `0 ≤ b < 2^8`).
pub fn sign_bit8(ctx: &mut Ctx, b: &FpVar<Fr>, s: &FpVar<Fr>) -> Result<(), SynthesisError> {
    ctx.boolean(s)?;
    let r = b - s * pow2(7);
    ctx.byte(&(r * Fr::from(2u64)))
}

/// `4·(q_lo + 2^16·q_hi)` with `q_lo`, `q_hi` range-checked so that it is a multiple of four
/// below `2^32` (three lookups).
pub fn word_addr(
    ctx: &mut Ctx,
    q_lo: &FpVar<Fr>,
    q_hi: &FpVar<Fr>,
) -> Result<FpVar<Fr>, SynthesisError> {
    ctx.range16(q_lo)?;
    ctx.range16(q_hi)?;
    ctx.range16(&(q_hi * Fr::from(4u64)))?;
    Ok((q_lo + q_hi * pow2(16)) * Fr::from(4u64))
}

/// Native: the limbs of `word_addr` for an address `a` (its low two bits dropped).
pub fn word_addr_w(a: u32) -> [u64; 2] {
    let q = (a >> 2) as u64;
    [q & 0xffff, q >> 16]
}

/// One-hot operation flags: each a bit, exactly one set (when the slot is active), and
/// `Σ flag_i·ops_i = op` (`ops.len()` + 2 constraints).
pub fn op_flags(
    ctx: &mut Ctx,
    op: &FpVar<Fr>,
    flags: &[FpVar<Fr>],
    ops: &[u8],
) -> Result<(), SynthesisError> {
    let mut sum = FpVar::zero();
    let mut weighted = FpVar::zero();
    for (f, &o) in flags.iter().zip(ops) {
        ctx.boolean(f)?;
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

/// Range-checks two 16-bit limbs and returns their value.
pub fn u32_var(ctx: &mut Ctx, lo: &FpVar<Fr>, hi: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    ctx.range16(lo)?;
    ctx.range16(hi)?;
    Ok(from_limbs(lo, hi))
}
