//! JALR: `rd = pc + 4; pc = (rs1 + imm) & !1`.

use crate::decode::{funct3, imm_i, opcode, rd, rs1, Decoded, Pattern};
use crate::{Fault, Instruction, Machine};

/// `jalr rd, offset(rs1)`. Bit 0 of the target is cleared; a target that is still not
/// 4-byte aligned faults before `rd` is written. `rs1` is read before `rd` is written, so
/// `rd == rs1` works.
#[derive(Clone, Copy, Debug, Default)]
pub struct Jalr;

const PATTERNS: [Pattern; 1] = [Pattern {
    mask: Pattern::OPCODE_F3,
    value: opcode::JALR,
}];

impl Instruction for Jalr {
    fn name(&self) -> &str {
        "jalr"
    }

    fn patterns(&self) -> &[Pattern] {
        &PATTERNS
    }

    fn decode(&self, word: u32) -> Option<Decoded> {
        (funct3(word) == 0).then(|| Decoded {
            rd: rd(word),
            rs1: rs1(word),
            imm: imm_i(word),
            ..Decoded::default()
        })
    }

    #[inline]
    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        let base = m.reg(d.rs1);
        let target = base.wrapping_add(d.imm as u32) & !1;
        let link = m.pc().wrapping_add(4);
        m.set_next_pc(target)?;
        m.set_reg(d.rd, link);
        Ok(())
    }
}
