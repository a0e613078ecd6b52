//! Loads: LB, LH, LW, LBU, LHU.

use crate::decode::{funct3, imm_i, opcode, rd, rs1, Decoded, Pattern};
use crate::{Fault, Instruction, Machine};

/// The five loads; `op` is `funct3` (0 LB, 1 LH, 2 LW, 4 LBU, 5 LHU). LB and LH
/// sign-extend; halfword and word loads must be naturally aligned.
#[derive(Clone, Copy, Debug, Default)]
pub struct Load;

const PATTERNS: [Pattern; 1] = [Pattern::opcode(opcode::LOAD)];

impl Instruction for Load {
    fn name(&self) -> &str {
        "load"
    }

    fn patterns(&self) -> &[Pattern] {
        &PATTERNS
    }

    fn decode(&self, word: u32) -> Option<Decoded> {
        let f3 = funct3(word);
        matches!(f3, 0 | 1 | 2 | 4 | 5).then(|| Decoded {
            rd: rd(word),
            rs1: rs1(word),
            op: f3 as u8,
            imm: imm_i(word),
            ..Decoded::default()
        })
    }

    #[inline]
    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        let addr = m.reg(d.rs1).wrapping_add(d.imm as u32);
        let value = match d.op {
            0 => m.load_u8(addr)? as i8 as i32 as u32,
            1 => m.load_u16(addr)? as i16 as i32 as u32,
            2 => m.load_u32(addr)?,
            4 => m.load_u8(addr)? as u32,
            _ => m.load_u16(addr)? as u32,
        };
        m.set_reg(d.rd, value);
        Ok(())
    }
}
