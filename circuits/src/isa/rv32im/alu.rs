//! The ALU shared by `alu_imm` and `alu_reg`: every operation is computed and the one the
//! op flags select is written.

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use ark_r1cs_std::GR1CSVar;

use crate::gadgets::{Bounded, Ctx};
use crate::instruction::Logic;
use crate::isa::util::*;
use crate::pack::{inv_or_zero, pow2};
use crate::Fr;

/// An ALU operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Add,
    Sub,
    Sll,
    Slt,
    Sltu,
    Xor,
    Srl,
    Sra,
    Or,
    And,
}

/// The logic witness layout for `n` op flags: the flags, the bytes of `a`, `b` and `a & b`,
/// the add carry, `lt` and the limbs of the compare difference, the sign bits, the shift
/// amount `s` with the rest `r3` of `b`'s low byte, `2^s` as two limbs, and the limbs of the
/// product `a·2^s` (or `a·2^(32−s)`) as `L + 2^32·H`.
pub(super) fn layout(n: usize) -> Vec<u32> {
    bits(n)
        .chain([8; 12])
        .chain([1, 1, 16, 16, 1, 1, 8, 8, 16, 16, 16, 16, 16, 16])
        .collect()
}

/// Native: the result of `kind` on `a`, `b`.
#[cfg(test)]
pub(super) fn apply(kind: Kind, a: u32, b: u32) -> u32 {
    let s = b & 31;
    match kind {
        Kind::Add => a.wrapping_add(b),
        Kind::Sub => a.wrapping_sub(b),
        Kind::Sll => a << s,
        Kind::Slt => ((a as i32) < (b as i32)) as u32,
        Kind::Sltu => (a < b) as u32,
        Kind::Xor => a ^ b,
        Kind::Srl => a >> s,
        Kind::Sra => ((a as i32) >> s) as u32,
        Kind::Or => a | b,
        Kind::And => a & b,
    }
}

/// Native: the logic witness for operation `op` (index into `ops`) on `a`, `b`.
pub(super) fn witness(ops: &[(u8, Kind)], op: u8, a: u32, b: u32) -> Vec<u64> {
    let codes: Vec<u8> = ops.iter().map(|o| o.0).collect();
    let kind = ops.iter().find(|o| o.0 == op).map_or(Kind::Add, |o| o.1);
    let mut w = op_flags_w(op, &codes);
    let (ab, bb) = (a.to_le_bytes(), b.to_le_bytes());
    w.extend(ab.map(u64::from));
    w.extend(bb.map(u64::from));
    w.extend((0..4).map(|i| (ab[i] & bb[i]) as u64));
    let cy = if kind == Kind::Sub {
        (a < b) as u64
    } else {
        (a as u64 + b as u64) >> 32
    };
    w.push(cy);
    let flip = if kind == Kind::Slt { 1u32 << 31 } else { 0 };
    let (a2, b2) = ((a ^ flip) as u64, (b ^ flip) as u64);
    let lt = (a2 < b2) as u64;
    let d = a2 + (lt << 32) - b2;
    w.extend([lt, d & 0xffff, d >> 16, sign_w(a), sign_w(b)]);
    let s = b & 31;
    let p = 1u64 << s;
    let q = 1u64 << (32 - s);
    w.extend([s as u64, (bb[0] >> 5) as u64]);
    w.extend(limbs_w(p));
    let m = if kind == Kind::Sll { p } else { q };
    let prod = a as u128 * m as u128;
    let (l, h) = (prod as u64 & 0xffff_ffff, (prod >> 32) as u64);
    w.extend(limbs_w(l));
    w.extend(limbs_w(h));
    w
}

/// Constrains the ALU on `a`, `b` (each below `2^32`, with upper 16-bit limbs `a_hi`,
/// `b_hi`), returning the selected result.
#[allow(clippy::too_many_arguments)]
pub(super) fn constrain(
    ctx: &mut Ctx,
    ops: &[(u8, Kind)],
    op: &FpVar<Fr>,
    a: &FpVar<Fr>,
    a_hi: &Bounded,
    b: &FpVar<Fr>,
    b_hi: &Bounded,
    w: &Logic,
) -> Result<FpVar<Fr>, SynthesisError> {
    let n = ops.len();
    let codes: Vec<u8> = ops.iter().map(|o| o.0).collect();
    let f = &w[..n];
    op_flags(op, f, &codes)?;
    let flag = |k: Kind| -> FpVar<Fr> {
        ops.iter()
            .zip(f)
            .filter(|(o, _)| o.1 == k)
            .fold(FpVar::Constant(Fr::from(0u64)), |s, (_, v)| s + v)
    };
    let (ab, bb, cb) = (&w[n..n + 4], &w[n + 4..n + 8], &w[n + 8..n + 12]);
    let word = |v: &[FpVar<Fr>]| -> FpVar<Fr> {
        v.iter()
            .enumerate()
            .fold(FpVar::Constant(Fr::from(0u64)), |s, (i, x)| {
                s + x * pow2(8 * i as u32)
            })
    };
    ctx.equal(a, &word(ab))?;
    ctx.equal(b, &word(bb))?;
    for i in 0..4 {
        ctx.and8(w.cell(n + i)?, w.cell(n + 4 + i)?, w.cell(n + 8 + i)?)?;
    }
    let and = word(cb);
    let xor = a + b - &and * Fr::from(2u64);
    let or = a + b - &and;
    let at = |i: usize| &w[n + 12 + i];
    // ADD / SUB: a ± (b − 2^32·cy).
    let cy = at(0);
    let t = b - cy * two32();
    let addsub = a + &t - ctx.mul(&flag(Kind::Sub), &t) * Fr::from(2u64);
    // SLT / SLTU.
    let (lt, sa, sb) = (at(1), at(4), at(5));
    sign_bit(ctx, a_hi, sa)?;
    sign_bit(ctx, b_hi, sb)?;
    let sg = flag(Kind::Slt);
    let a2 = a + &sg * pow2(31) - ctx.mul(&sg, sa) * two32();
    let b2 = b + &sg * pow2(31) - ctx.mul(&sg, sb) * two32();
    let d = from_limbs(at(2), at(3));
    ctx.equal(&(a2 - b2 + lt * two32()), &d)?;
    // Shifts: s = b & 31 (b's low byte is s + 32·r3, both bytes), p = 2^s from the table,
    // q = 2^(32−s) = 2^32/p (a W2 value fixed by p·q = 2^32); a·(p or q) = L + 2^32·H.
    let (s, r3) = (w.cell(n + 18)?, at(7));
    let (p_lo, p_hi) = (w.cell(n + 20)?, w.cell(n + 21)?);
    ctx.pow(s, p_lo, p_hi)?;
    ctx.equal(&bb[0], &(s.var() + r3 * Fr::from(32u64)))?;
    let p = from_limbs(p_lo.var(), p_hi.var());
    let p_val = p.value().unwrap_or_default();
    let q = ctx.w2(|| two32() * inv_or_zero(p_val))?;
    ctx.enforce_mul(&p, &q, &FpVar::Constant(two32()))?;
    let m = ctx.select(&flag(Kind::Sll), &p, &q);
    let l = from_limbs(at(10), at(11));
    let h = from_limbs(at(12), at(13));
    ctx.enforce_mul(a, &m, &(&l + &h * two32()))?;
    let sra = &h + ctx.mul(sa, &(FpVar::Constant(two32()) - &q));
    let result = ctx.mul(&(flag(Kind::Add) + flag(Kind::Sub)), &addsub)
        + ctx.mul(&flag(Kind::Sll), &l)
        + ctx.mul(&(flag(Kind::Slt) + flag(Kind::Sltu)), lt)
        + ctx.mul(&flag(Kind::Xor), &xor)
        + ctx.mul(&flag(Kind::Srl), &h)
        + ctx.mul(&flag(Kind::Sra), &sra)
        + ctx.mul(&flag(Kind::Or), &or)
        + ctx.mul(&flag(Kind::And), &and);
    Ok(result)
}
