//! AUIPC: `rd = pc + imm (mod 2^32)`.

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::Ctx;
use crate::instruction::*;
use crate::isa::util::two32;
use crate::Fr;

/// The circuit of `auipc`: witness `[carry]`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Auipc;

const ACCESSES: [AccessKind; 1] = [AccessKind::RegWrite(Reg::Rd)];

impl InstructionCircuit for Auipc {
    fn name(&self) -> &str {
        "auipc"
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
        vec![1]
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        vec![(rec.pc as u64 + rec.d.imm as u32 as u64) >> 32]
    }
    fn constrain(
        &self,
        _ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let c = &w[0];
        // With rd ≠ 0 the written value is range-checked, which fixes the carry.
        x.write_rd(0, &(&x.pc + &x.imm - c * two32()))?;
        Ok(&x.pc + Fr::from(4u64))
    }
}
