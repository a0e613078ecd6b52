//! Register-register ALU operations: ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND.

use crate::decode::{funct3, funct7, opcode, r_fields, Decoded, Pattern};
use crate::{Fault, Instruction, Machine};

/// `op` values: `funct3` for the `funct7 = 0` forms (0 ADD, 1 SLL, 2 SLT, 3 SLTU, 4 XOR,
/// 5 SRL, 6 OR, 7 AND), 8 SUB and 13 SRA.
pub mod op {
    /// ADD.
    pub const ADD: u8 = 0;
    /// SLL.
    pub const SLL: u8 = 1;
    /// SLT.
    pub const SLT: u8 = 2;
    /// SLTU.
    pub const SLTU: u8 = 3;
    /// XOR.
    pub const XOR: u8 = 4;
    /// SRL.
    pub const SRL: u8 = 5;
    /// OR.
    pub const OR: u8 = 6;
    /// AND.
    pub const AND: u8 = 7;
    /// SUB.
    pub const SUB: u8 = 8;
    /// SRA.
    pub const SRA: u8 = 13;
}

/// The register-register ALU family, shifts included (amount: the low 5 bits of `rs2`).
#[derive(Clone, Copy, Debug, Default)]
pub struct AluReg;

const PATTERNS: [Pattern; 2] = [
    Pattern::opcode_funct7(opcode::OP, 0),
    Pattern::opcode_funct7(opcode::OP, 0x20),
];

impl Instruction for AluReg {
    fn name(&self) -> &str {
        "alu_reg"
    }

    fn patterns(&self) -> &[Pattern] {
        &PATTERNS
    }

    fn decode(&self, word: u32) -> Option<Decoded> {
        let f3 = funct3(word) as u8;
        let op = match funct7(word) {
            0 => f3,
            0x20 if f3 == op::ADD || f3 == op::SRL => f3 | 8,
            _ => return None,
        };
        Some(Decoded {
            op,
            ..r_fields(word)
        })
    }

    #[inline]
    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        let a = m.reg(d.rs1);
        let b = m.reg(d.rs2);
        let value = match d.op {
            op::ADD => a.wrapping_add(b),
            op::SLL => a << (b & 31),
            op::SLT => ((a as i32) < (b as i32)) as u32,
            op::SLTU => (a < b) as u32,
            op::XOR => a ^ b,
            op::SRL => a >> (b & 31),
            op::OR => a | b,
            op::AND => a & b,
            op::SUB => a.wrapping_sub(b),
            _ => ((a as i32) >> (b & 31)) as u32,
        };
        m.set_reg(d.rd, value);
        Ok(())
    }
}
