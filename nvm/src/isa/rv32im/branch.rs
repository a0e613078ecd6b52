//! Conditional branches: BEQ, BNE, BLT, BGE, BLTU, BGEU.

use crate::decode::{funct3, imm_b, opcode, rs1, rs2, Decoded, Pattern};
use crate::{Fault, Instruction, Machine};

/// The six conditional branches; `op` is `funct3` (0 BEQ, 1 BNE, 4 BLT, 5 BGE, 6 BLTU,
/// 7 BGEU). Only a taken branch checks its target's alignment.
#[derive(Clone, Copy, Debug, Default)]
pub struct Branch;

const PATTERNS: [Pattern; 1] = [Pattern::opcode(opcode::BRANCH)];

impl Instruction for Branch {
    fn name(&self) -> &str {
        "branch"
    }

    fn patterns(&self) -> &[Pattern] {
        &PATTERNS
    }

    fn decode(&self, word: u32) -> Option<Decoded> {
        let f3 = funct3(word);
        matches!(f3, 0 | 1 | 4..=7).then(|| Decoded {
            rs1: rs1(word),
            rs2: rs2(word),
            op: f3 as u8,
            imm: imm_b(word),
            ..Decoded::default()
        })
    }

    #[inline]
    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        let a = m.reg(d.rs1);
        let b = m.reg(d.rs2);
        let taken = match d.op {
            0 => a == b,
            1 => a != b,
            4 => (a as i32) < (b as i32),
            5 => (a as i32) >= (b as i32),
            6 => a < b,
            _ => a >= b,
        };
        if taken {
            m.set_next_pc(m.pc().wrapping_add(d.imm as u32))?;
        }
        Ok(())
    }
}
