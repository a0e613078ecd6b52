//! Register-immediate ALU operations: ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI.

use crate::decode::{funct3, funct7, imm_i, opcode, rd, rs1, Decoded, Pattern};
use crate::{Fault, Instruction, Machine};

/// `op` values: `funct3` (0 ADDI, 1 SLLI, 2 SLTI, 3 SLTIU, 4 XORI, 5 SRLI, 6 ORI, 7 ANDI),
/// and 8 for SRAI.
pub mod op {
    /// ADDI.
    pub const ADDI: u8 = 0;
    /// SLLI.
    pub const SLLI: u8 = 1;
    /// SLTI.
    pub const SLTI: u8 = 2;
    /// SLTIU.
    pub const SLTIU: u8 = 3;
    /// XORI.
    pub const XORI: u8 = 4;
    /// SRLI.
    pub const SRLI: u8 = 5;
    /// ORI.
    pub const ORI: u8 = 6;
    /// ANDI.
    pub const ANDI: u8 = 7;
    /// SRAI.
    pub const SRAI: u8 = 8;
}

/// The register-immediate ALU family. Immediates are sign-extended (SLTIU compares against
/// the sign-extended immediate as unsigned); shifts take a 5-bit amount, and an encoding
/// with `shamt[5]` set or another `funct7` is not RV32I.
#[derive(Clone, Copy, Debug, Default)]
pub struct AluImm;

const PATTERNS: [Pattern; 1] = [Pattern::opcode(opcode::OP_IMM)];

impl Instruction for AluImm {
    fn name(&self) -> &str {
        "alu_imm"
    }

    fn patterns(&self) -> &[Pattern] {
        &PATTERNS
    }

    fn decode(&self, word: u32) -> Option<Decoded> {
        let f3 = funct3(word) as u8;
        let (op, imm) = match (f3, funct7(word)) {
            (op::SLLI, 0) | (op::SRLI, 0) => (f3, imm_i(word) & 31),
            (op::SRLI, 0x20) => (op::SRAI, imm_i(word) & 31),
            (op::SLLI | op::SRLI, _) => return None,
            _ => (f3, imm_i(word)),
        };
        Some(Decoded {
            rd: rd(word),
            rs1: rs1(word),
            op,
            imm,
            ..Decoded::default()
        })
    }

    #[inline]
    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        let a = m.reg(d.rs1);
        let imm = d.imm as u32;
        let value = match d.op {
            op::ADDI => a.wrapping_add(imm),
            op::SLLI => a << (imm & 31),
            op::SLTI => ((a as i32) < d.imm) as u32,
            op::SLTIU => (a < imm) as u32,
            op::XORI => a ^ imm,
            op::SRLI => a >> (imm & 31),
            op::ORI => a | imm,
            op::ANDI => a & imm,
            _ => ((a as i32) >> (imm & 31)) as u32,
        };
        m.set_reg(d.rd, value);
        Ok(())
    }
}
