//! LUI: `rd = imm` (upper 20 bits).

use crate::decode::{imm_u, opcode, rd, Decoded, Pattern};
use crate::{Fault, Instruction, Machine};

/// `lui rd, imm`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lui;

const PATTERNS: [Pattern; 1] = [Pattern::opcode(opcode::LUI)];

impl Instruction for Lui {
    fn name(&self) -> &str {
        "lui"
    }

    fn patterns(&self) -> &[Pattern] {
        &PATTERNS
    }

    fn decode(&self, word: u32) -> Option<Decoded> {
        Some(Decoded {
            rd: rd(word),
            imm: imm_u(word),
            ..Decoded::default()
        })
    }

    #[inline]
    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        m.set_reg(d.rd, d.imm as u32);
        Ok(())
    }
}
