//! LUI: `rd = imm`.

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::Ctx;
use crate::instruction::*;
use crate::Fr;

/// The circuit of `lui`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lui;

const ACCESSES: [AccessKind; 1] = [AccessKind::RegWrite(Reg::Rd)];

impl InstructionCircuit for Lui {
    fn name(&self) -> &str {
        "lui"
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
        Vec::new()
    }
    fn witness(&self, _rec: &ExecRecord) -> Vec<u64> {
        Vec::new()
    }
    fn constrain(
        &self,
        _ctx: &mut Ctx,
        x: &mut ExecVar,
        _w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        x.write_rd(0, &x.imm)?;
        Ok(&x.pc + Fr::from(4u64))
    }
}
