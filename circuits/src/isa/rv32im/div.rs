//! Division: DIV, DIVU, REM, REMU.

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::Ctx;
use crate::instruction::*;
use crate::isa::util::*;
use crate::Fr;

/// The circuit of `div`, on magnitudes: `|a| = Q·|b| + R` with `R < |b|` unless `b = 0`;
/// the quotient is `±Q` (negative when exactly one operand is), the remainder `±R` with
/// the dividend's sign, both mod `2^32`. `b = 0` selects all ones (DIV, DIVU) and gives the
/// dividend as remainder, and `i32::MIN / −1` comes out as `i32::MIN` rem 0, as in the NVM.
/// Witness: op bits, sign bits, `Q`, `R`, `|b| − R − 1`, two carries, the 32-bit quotient
/// and remainder (all as 16-bit limbs where wide); `b = 0` is detected with a `W2` inverse.
#[derive(Clone, Copy, Debug, Default)]
pub struct Div;

const ACCESSES: [AccessKind; 3] = [
    AccessKind::RegRead(Reg::Rs1),
    AccessKind::RegRead(Reg::Rs2),
    AccessKind::RegWrite(Reg::Rd),
];

impl InstructionCircuit for Div {
    fn name(&self) -> &str {
        "div"
    }
    fn fields(&self) -> Fields {
        Fields {
            rd: true,
            rs1: true,
            rs2: true,
            op: true,
            ..Fields::default()
        }
    }
    fn accesses(&self) -> &[AccessKind] {
        &ACCESSES
    }
    fn witness_layout(&self) -> Vec<u32> {
        bits(4)
            .chain([16; 6])
            .chain(bits(2))
            .chain([16; 4])
            .collect()
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        let (a, b) = (rec.read(0), rec.read(1));
        let o = rec.d.op.wrapping_sub(4) & 3;
        let signed = o & 1 == 0;
        let ea = signed && a >> 31 == 1;
        let eb = signed && b >> 31 == 1;
        let am = if ea {
            (a as i32 as i64).unsigned_abs()
        } else {
            a as u64
        };
        let bm = if eb {
            (b as i32 as i64).unsigned_abs()
        } else {
            b as u64
        };
        let (q, r, d) = match (am.checked_div(bm), am.checked_rem(bm)) {
            (Some(q), Some(r)) => (q, r, bm - r - 1),
            _ => (0, am, 0),
        };
        let neg = |v: u64, n: bool| -> (u64, u64) {
            if n && v != 0 {
                ((1u64 << 32) - v, 1)
            } else {
                (v, 0)
            }
        };
        let (qu, cq) = neg(q, ea != eb);
        let (ru, cr) = neg(r, ea);
        let mut w = vec![(o & 1) as u64, (o >> 1) as u64, sign_w(a), sign_w(b)];
        w.extend(limbs_w(q));
        w.extend(limbs_w(r));
        w.extend(limbs_w(d));
        w.extend([cq, cr]);
        w.extend(limbs_w(qu));
        w.extend(limbs_w(ru));
        w
    }
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let one = FpVar::Constant(Fr::from(1u64));
        let two = Fr::from(2u64);
        let (o0, o1, sa, sb, cq, cr) = (&w[0], &w[1], &w[2], &w[3], &w[10], &w[11]);
        ctx.equal(&x.op, &(o0 + o1 * two + Fr::from(4u64)))?;
        sign_bit(ctx, &x.acc[0].read_limbs[1], sa)?;
        sign_bit(ctx, &x.acc[1].read_limbs[1], sb)?;
        // DIV (4) and REM (6) are signed.
        let signed = &one - o0;
        let ea = ctx.mul(&signed, sa);
        let eb = ctx.mul(&signed, sb);
        let (a, b) = (&x.acc[0].read, &x.acc[1].read);
        let am = ctx.mul(&(&one - &ea * two), &(a - &ea * two32()));
        let bm = ctx.mul(&(&one - &eb * two), &(b - &eb * two32()));
        let q = from_limbs(&w[4], &w[5]);
        let r = from_limbs(&w[6], &w[7]);
        ctx.enforce_mul(&q, &bm, &(&am - &r))?;
        let z = ctx.is_zero(b)?;
        let d = from_limbs(&w[8], &w[9]);
        ctx.enforce_mul(&(&one - &z), &(&bm - &r - &one), &d)?;
        let neg_q = &ea + &eb - ctx.mul(&ea, &eb) * two;
        let qu = from_limbs(&w[12], &w[13]);
        let ru = from_limbs(&w[14], &w[15]);
        ctx.enforce_mul(&q, &(&one - &neg_q * two), &(&qu - cq * two32()))?;
        ctx.enforce_mul(&r, &(&one - &ea * two), &(&ru - cr * two32()))?;
        let all_ones = FpVar::Constant(two32() - Fr::from(1u64));
        let q_sel = ctx.select(&z, &all_ones, &qu);
        let result = ctx.select(o1, &ru, &q_sel);
        x.write_rd(2, &result)?;
        Ok(&x.pc + Fr::from(4u64))
    }
}
