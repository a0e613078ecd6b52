//! JAL: `rd = pc + 4; pc += imm`.

use crate::decode::{imm_j, opcode, rd, Decoded, Pattern};
use crate::{Fault, Instruction, Machine};

/// `jal rd, offset`. A target that is not 4-byte aligned faults before `rd` is written.
#[derive(Clone, Copy, Debug, Default)]
pub struct Jal;

const PATTERNS: [Pattern; 1] = [Pattern::opcode(opcode::JAL)];

impl Instruction for Jal {
    fn name(&self) -> &str {
        "jal"
    }

    fn patterns(&self) -> &[Pattern] {
        &PATTERNS
    }

    fn decode(&self, word: u32) -> Option<Decoded> {
        Some(Decoded {
            rd: rd(word),
            imm: imm_j(word),
            ..Decoded::default()
        })
    }

    #[inline]
    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        let pc = m.pc();
        m.set_next_pc(pc.wrapping_add(d.imm as u32))?;
        m.set_reg(d.rd, pc.wrapping_add(4));
        Ok(())
    }
}
