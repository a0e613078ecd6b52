//! JAL: `rd = pc + 4; pc = pc + imm`, the target 4-byte aligned.

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::Ctx;
use crate::instruction::*;
use crate::isa::util::{two32, word_addr, word_addr_w, WORD_INDEX};
use crate::Fr;

/// The circuit of `jal`: witness `[carry, q_lo, q_hi]` with target `4q`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Jal;

const ACCESSES: [AccessKind; 1] = [AccessKind::RegWrite(Reg::Rd)];

impl InstructionCircuit for Jal {
    fn name(&self) -> &str {
        "jal"
    }
    fn fields(&self) -> Fields {
        Fields {
            rd: true,
            imm: true,
            ..Fields::default()
        }
    }
    fn accesses(&self) -> &[AccessKind] {
        &ACCESSES
    }
    fn witness_layout(&self) -> Vec<u32> {
        [1].into_iter().chain(WORD_INDEX).collect()
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        let sum = rec.pc as u64 + rec.d.imm as u32 as u64;
        let [lo, hi] = word_addr_w(sum as u32);
        vec![sum >> 32, lo, hi]
    }
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let c = &w[0];
        let target = word_addr(w.cell(1)?, w.cell(2)?)?;
        ctx.equal(&(&x.pc + &x.imm - c * two32()), target.var())?;
        x.write_rd(0, &(&x.pc + Fr::from(4u64)))?;
        Ok(target.var().clone())
    }
}
