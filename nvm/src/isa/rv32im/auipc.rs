//! AUIPC: `rd = pc + imm` (upper 20 bits).

use crate::decode::{imm_u, opcode, rd, Decoded, Pattern};
use crate::{Fault, Instruction, Machine};

/// `auipc rd, imm`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Auipc;

const PATTERNS: [Pattern; 1] = [Pattern::opcode(opcode::AUIPC)];

impl Instruction for Auipc {
    fn name(&self) -> &str {
        "auipc"
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
        let value = m.pc().wrapping_add(d.imm as u32);
        m.set_reg(d.rd, value);
        Ok(())
    }
}
