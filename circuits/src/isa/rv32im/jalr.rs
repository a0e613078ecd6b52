//! JALR: `rd = pc + 4; pc = (rs1 + imm) & !1`, the target 4-byte aligned.

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::Ctx;
use crate::instruction::*;
use crate::isa::util::{two32, word_addr, word_addr_w, WORD_INDEX};
use crate::Fr;

/// The circuit of `jalr`: witness `[carry, bit0, q_lo, q_hi]`: `rs1 + imm = 2^32·carry +
/// 4q + bit0`, so bit 1 of the sum is zero (else the native machine faults).
#[derive(Clone, Copy, Debug, Default)]
pub struct Jalr;

const ACCESSES: [AccessKind; 2] = [AccessKind::RegRead(Reg::Rs1), AccessKind::RegWrite(Reg::Rd)];

impl InstructionCircuit for Jalr {
    fn name(&self) -> &str {
        "jalr"
    }
    fn fields(&self) -> Fields {
        Fields {
            rd: true,
            rs1: true,
            imm: true,
            ..Fields::default()
        }
    }
    fn accesses(&self) -> &[AccessKind] {
        &ACCESSES
    }
    fn witness_layout(&self) -> Vec<u32> {
        [1, 1].into_iter().chain(WORD_INDEX).collect()
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        let sum = rec.read(0) as u64 + rec.d.imm as u32 as u64;
        let [lo, hi] = word_addr_w(sum as u32);
        vec![sum >> 32, sum & 1, lo, hi]
    }
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let (c, b0) = (&w[0], &w[1]);
        let target = word_addr(w.cell(2)?, w.cell(3)?)?;
        ctx.equal(
            &(&x.acc[0].read + &x.imm - c * two32()),
            &(target.var() + b0),
        )?;
        x.write_rd(1, &(&x.pc + Fr::from(4u64)))?;
        Ok(target.var().clone())
    }
}
