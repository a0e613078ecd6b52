//! Conditional branches: BEQ, BNE, BLT, BGE, BLTU, BGEU.

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::Ctx;
use crate::instruction::*;
use crate::isa::util::*;
use crate::pack::pow2;
use crate::Fr;

/// The circuit of `branch`. Witness: six op flags (BEQ, BNE, BLT, BGE, BLTU, BGEU), the
/// sign bits of both operands, `lt` and the 16-bit limbs of `a' − b' + 2^32·lt` (`a'`, `b'`
/// the operands with the sign bit flipped for signed compares), the target's carry and
/// word index. The target must be aligned only when the branch is taken.
#[derive(Clone, Copy, Debug, Default)]
pub struct Branch;

const OPS: [u8; 6] = [0, 1, 4, 5, 6, 7];
const ACCESSES: [AccessKind; 2] = [AccessKind::RegRead(Reg::Rs1), AccessKind::RegRead(Reg::Rs2)];

impl InstructionCircuit for Branch {
    fn name(&self) -> &str {
        "branch"
    }
    fn fields(&self) -> Fields {
        Fields {
            rs1: true,
            rs2: true,
            op: true,
            imm: true,
            ..Fields::default()
        }
    }
    fn accesses(&self) -> &[AccessKind] {
        &ACCESSES
    }
    fn witness_layout(&self) -> Vec<u32> {
        bits(OPS.len() + 3)
            .chain([16, 16, 1])
            .chain(WORD_INDEX)
            .collect()
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        let (a, b) = (rec.read(0), rec.read(1));
        let signed = matches!(rec.d.op, 4 | 5);
        let flip = if signed { 1u32 << 31 } else { 0 };
        let (a2, b2) = ((a ^ flip) as u64, (b ^ flip) as u64);
        let lt = (a2 < b2) as u64;
        let d = a2 + (lt << 32) - b2;
        let sum = rec.pc as u64 + rec.d.imm as u32 as u64;
        let mut w = op_flags_w(rec.d.op, &OPS);
        w.extend([sign_w(a), sign_w(b), lt, d & 0xffff, d >> 16, sum >> 32]);
        w.extend(word_addr_w(sum as u32));
        w
    }
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let f = &w[0..6];
        op_flags(&x.op, f, &OPS)?;
        let (sa, sb, lt, c) = (&w[6], &w[7], &w[8], &w[11]);
        let (a, b) = (&x.acc[0].read, &x.acc[1].read);
        sign_bit(ctx, &x.acc[0].read_limbs[1], sa)?;
        sign_bit(ctx, &x.acc[1].read_limbs[1], sb)?;
        let sg = &f[2] + &f[3];
        let ga = ctx.mul(&sg, sa);
        let gb = ctx.mul(&sg, sb);
        let a2 = a + &sg * pow2(31) - ga * two32();
        let b2 = b + &sg * pow2(31) - gb * two32();
        let d = from_limbs(&w[9], &w[10]);
        ctx.equal(&(a2 - b2 + lt * two32()), &d)?;
        let eq = ctx.is_zero(&(a - b))?;
        let taken = &f[1]
            + &f[3]
            + &f[5]
            + ctx.mul(&eq, &(&f[0] - &f[1]))
            + ctx.mul(lt, &(&f[2] + &f[4] - &f[3] - &f[5]));
        let target = word_addr(w.cell(12)?, w.cell(13)?)?;
        let target = target.var();
        let off = &x.pc + &x.imm - c * two32() - target;
        ctx.enforce_mul(&taken, &off, &FpVar::Constant(Fr::from(0u64)))?;
        let fall = &x.pc + Fr::from(4u64);
        Ok(ctx.select(&taken, target, &fall))
    }
}
