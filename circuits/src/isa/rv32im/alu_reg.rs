//! Register-register ALU operations: ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND.

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use super::alu::{self, Kind};
use crate::gadgets::Ctx;
use crate::instruction::*;
use crate::Fr;

/// The circuit of `alu_reg`: the shared ALU with `b = rs2` (shift amount: its low 5 bits).
#[derive(Clone, Copy, Debug, Default)]
pub struct AluReg;

const OPS: [(u8, Kind); 10] = [
    (0, Kind::Add),
    (1, Kind::Sll),
    (2, Kind::Slt),
    (3, Kind::Sltu),
    (4, Kind::Xor),
    (5, Kind::Srl),
    (6, Kind::Or),
    (7, Kind::And),
    (8, Kind::Sub),
    (13, Kind::Sra),
];
const ACCESSES: [AccessKind; 3] = [
    AccessKind::RegRead(Reg::Rs1),
    AccessKind::RegRead(Reg::Rs2),
    AccessKind::RegWrite(Reg::Rd),
];

impl InstructionCircuit for AluReg {
    fn name(&self) -> &str {
        "alu_reg"
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
        alu::layout(OPS.len())
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        alu::witness(&OPS, rec.d.op, rec.read(0), rec.read(1))
    }
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let (a, b) = (&x.acc[0], &x.acc[1]);
        let result = alu::constrain(
            ctx,
            &OPS,
            &x.op,
            &a.read,
            &a.read_limbs[1],
            &b.read,
            &b.read_limbs[1],
            w,
        )?;
        x.write_rd(2, &result)?;
        Ok(&x.pc + Fr::from(4u64))
    }
}
