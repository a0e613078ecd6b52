//! The ALU shared by `alu_imm` and `alu_reg`: every operation is computed and the one the
//! op flags select is written.

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::Ctx;
use crate::isa::util::*;
use crate::pack::pow2;
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

/// Logic witness values after the op flags.
pub(super) const EXTRA: usize = 26;

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
    w.extend([s as u64, (bb[0] >> 5) as u64, p, q]);
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
    a_hi: &FpVar<Fr>,
    b: &FpVar<Fr>,
    b_hi: &FpVar<Fr>,
    w: &[FpVar<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    let n = ops.len();
    let codes: Vec<u8> = ops.iter().map(|o| o.0).collect();
    let f = &w[..n];
    op_flags(ctx, op, f, &codes)?;
    let flag = |k: Kind| -> FpVar<Fr> {
        ops.iter()
            .zip(f)
            .filter(|(o, _)| o.1 == k)
            .fold(FpVar::Constant(Fr::from(0u64)), |s, (_, v)| s + v)
    };
    let w = &w[n..];
    let (ab, bb, cb) = (&w[0..4], &w[4..8], &w[8..12]);
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
        ctx.and8(&ab[i], &bb[i], &cb[i])?;
    }
    let and = word(cb);
    let xor = a + b - &and * Fr::from(2u64);
    let or = a + b - &and;
    // ADD / SUB: a ± (b − 2^32·cy).
    let cy = &w[12];
    ctx.boolean(cy)?;
    let t = b - cy * two32();
    let addsub = a + &t - ctx.mul(&flag(Kind::Sub), &t) * Fr::from(2u64);
    // SLT / SLTU.
    let (lt, sa, sb) = (&w[13], &w[16], &w[17]);
    sign_bit(ctx, a_hi, sa)?;
    sign_bit(ctx, b_hi, sb)?;
    let sg = flag(Kind::Slt);
    let a2 = a + &sg * pow2(31) - ctx.mul(&sg, sa) * two32();
    let b2 = b + &sg * pow2(31) - ctx.mul(&sg, sb) * two32();
    ctx.boolean(lt)?;
    let d = u32_var(ctx, &w[14], &w[15])?;
    ctx.equal(&(a2 - b2 + lt * two32()), &d)?;
    // Shifts: s = b & 31, p = 2^s, q = 2^(32−s); a·(p or q) = L + 2^32·H.
    let (s, r3, p, q) = (&w[18], &w[19], &w[20], &w[21]);
    ctx.pow(s, p, q)?;
    ctx.byte(r3)?;
    ctx.equal(&bb[0], &(s + r3 * Fr::from(32u64)))?;
    let m = ctx.select(&flag(Kind::Sll), p, q);
    let l = u32_var(ctx, &w[22], &w[23])?;
    let h = u32_var(ctx, &w[24], &w[25])?;
    ctx.enforce_mul(a, &m, &(&l + &h * two32()))?;
    let sra = &h + ctx.mul(sa, &(FpVar::Constant(two32()) - q));
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
