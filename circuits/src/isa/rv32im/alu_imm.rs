//! Register-immediate ALU operations: ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI.

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use super::alu::{self, Kind};
use crate::gadgets::Ctx;
use crate::instruction::*;
use crate::Fr;

/// The circuit of `alu_imm`: the shared ALU with `b` the immediate (a 32-bit pattern; the
/// shift amount for shifts).
#[derive(Clone, Copy, Debug, Default)]
pub struct AluImm;

const OPS: [(u8, Kind); 9] = [
    (0, Kind::Add),
    (1, Kind::Sll),
    (2, Kind::Slt),
    (3, Kind::Sltu),
    (4, Kind::Xor),
    (5, Kind::Srl),
    (6, Kind::Or),
    (7, Kind::And),
    (8, Kind::Sra),
];
const ACCESSES: [AccessKind; 2] = [AccessKind::RegRead(Reg::Rs1), AccessKind::RegWrite(Reg::Rd)];

impl InstructionCircuit for AluImm {
    fn name(&self) -> &str {
        "alu_imm"
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
        alu::layout(OPS.len())
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        alu::witness(&OPS, rec.d.op, rec.read(0), rec.d.imm as u32)
    }
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let a = &x.acc[0];
        let result = alu::constrain(
            ctx,
            &OPS,
            &x.op,
            &a.read,
            &a.read_limbs[1],
            &x.imm,
            &x.imm_limbs[1],
            w,
        )?;
        x.write_rd(1, &result)?;
        Ok(&x.pc + Fr::from(4u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_alu_matches_the_nvm_on_edge_values() {
        let vals = [0u32, 1, 31, 32, 0x7fff_ffff, 0x8000_0000, u32::MAX, 0xfff];
        for &a in &vals {
            for &b in &vals {
                assert_eq!(
                    alu::apply(Kind::Sra, a, b & 31),
                    ((a as i32) >> (b & 31)) as u32
                );
                assert_eq!(alu::apply(Kind::Add, a, b), a.wrapping_add(b));
            }
        }
    }
}
