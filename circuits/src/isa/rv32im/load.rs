//! Loads: LB, LH, LW, LBU, LHU.

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::Ctx;
use crate::instruction::*;
use crate::isa::util::*;
use crate::pack::pow2;
use crate::Fr;

/// The circuit of `load`. Witness: five op flags (LB, LH, LW, LBU, LHU), the address
/// carry, bits 0 and 1 of the address, its word index, and the sign bits of the selected
/// byte and of the selected halfword's upper byte. Halfword and word loads must be aligned.
#[derive(Clone, Copy, Debug, Default)]
pub struct Load;

const OPS: [u8; 5] = [0, 1, 2, 4, 5];
const ACCESSES: [AccessKind; 3] = [
    AccessKind::RegRead(Reg::Rs1),
    AccessKind::MemRead,
    AccessKind::RegWrite(Reg::Rd),
];

impl InstructionCircuit for Load {
    fn name(&self) -> &str {
        "load"
    }
    fn fields(&self) -> Fields {
        Fields {
            rd: true,
            rs1: true,
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
            .chain(WORD_INDEX)
            .chain([1, 1])
            .collect()
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        let sum = rec.read(0) as u64 + rec.d.imm as u32 as u64;
        let addr = sum as u32;
        let word = rec.read(1);
        let half = (word >> ((addr & 2) * 8)) as u16;
        let byte = (word >> ((addr & 3) * 8)) as u8;
        let mut w = op_flags_w(rec.d.op, &OPS);
        w.extend([sum >> 32, (addr & 1) as u64, ((addr >> 1) & 1) as u64]);
        w.extend(word_addr_w(addr));
        w.extend([(byte >> 7) as u64, (half >> 15) as u64]);
        w
    }
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let f = &w[0..5];
        op_flags(&x.op, f, &OPS)?;
        let (c, b0, b1, sb, sh) = (&w[5], &w[6], &w[7], &w[10], &w[11]);
        let word_addr = word_addr(w.cell(8)?, w.cell(9)?)?;
        let addr = word_addr.var() + b1 * Fr::from(2u64) + b0;
        ctx.equal(&(&x.acc[0].read + &x.imm - c * two32()), &addr)?;
        let zero = FpVar::Constant(Fr::from(0u64));
        ctx.enforce_mul(&(&f[1] + &f[4]), b0, &zero)?;
        ctx.enforce_mul(&f[2], &(b0 + b1), &zero)?;
        x.acc[1].addr = Some(word_addr);
        let y: Vec<FpVar<Fr>> = x.acc[1]
            .read_limbs
            .iter()
            .map(|l| l.var().clone())
            .collect();
        let h_lo = ctx.select(b1, &y[2], &y[0]);
        let h_hi = ctx.select(b1, &y[3], &y[1]);
        let byte = ctx.select(b0, &h_hi, &h_lo);
        sign_bit8(ctx, &byte, sb)?;
        sign_bit8(ctx, &h_hi, sh)?;
        let half = &h_lo + &h_hi * pow2(8);
        let v_byte = &byte + ctx.mul(&f[0], sb) * (two32() - pow2(8));
        let v_half = &half + ctx.mul(&f[1], sh) * (two32() - pow2(16));
        let value = ctx.mul(&(&f[0] + &f[3]), &v_byte)
            + ctx.mul(&(&f[1] + &f[4]), &v_half)
            + ctx.mul(&f[2], &x.acc[1].read);
        x.write_rd(2, &value)?;
        Ok(&x.pc + Fr::from(4u64))
    }
}
