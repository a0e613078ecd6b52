//! Multiplication: MUL, MULH, MULHSU, MULHU.

use crate::decode::{funct3, opcode, r_fields, Decoded, Pattern};
use crate::{Fault, Instruction, Machine};

/// The M-extension multiplies; `op` is `funct3` (0 MUL, 1 MULH, 2 MULHSU, 3 MULHU).
#[derive(Clone, Copy, Debug, Default)]
pub struct Mul;

const PATTERNS: [Pattern; 4] = [
    Pattern::r_type(opcode::OP, 0, 1),
    Pattern::r_type(opcode::OP, 1, 1),
    Pattern::r_type(opcode::OP, 2, 1),
    Pattern::r_type(opcode::OP, 3, 1),
];

impl Instruction for Mul {
    fn name(&self) -> &str {
        "mul"
    }

    fn patterns(&self) -> &[Pattern] {
        &PATTERNS
    }

    fn decode(&self, word: u32) -> Option<Decoded> {
        Some(Decoded {
            op: funct3(word) as u8,
            ..r_fields(word)
        })
    }

    #[inline]
    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        let a = m.reg(d.rs1);
        let b = m.reg(d.rs2);
        let value = match d.op {
            0 => a.wrapping_mul(b),
            1 => ((a as i32 as i64 * b as i32 as i64) >> 32) as u32,
            2 => ((a as i32 as i64 * b as i64) >> 32) as u32,
            _ => ((a as u64 * b as u64) >> 32) as u32,
        };
        m.set_reg(d.rd, value);
        Ok(())
    }
}
