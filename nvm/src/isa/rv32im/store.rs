//! Stores: SB, SH, SW.

use crate::decode::{funct3, imm_s, opcode, rs1, rs2, Decoded, Pattern};
use crate::{Fault, Instruction, Machine};

/// The three stores; `op` is `funct3` (0 SB, 1 SH, 2 SW). Halfword and word stores must be
/// naturally aligned.
#[derive(Clone, Copy, Debug, Default)]
pub struct Store;

const PATTERNS: [Pattern; 1] = [Pattern::opcode(opcode::STORE)];

impl Instruction for Store {
    fn name(&self) -> &str {
        "store"
    }

    fn patterns(&self) -> &[Pattern] {
        &PATTERNS
    }

    fn decode(&self, word: u32) -> Option<Decoded> {
        let f3 = funct3(word);
        (f3 <= 2).then(|| Decoded {
            rs1: rs1(word),
            rs2: rs2(word),
            op: f3 as u8,
            imm: imm_s(word),
            ..Decoded::default()
        })
    }

    #[inline]
    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        let addr = m.reg(d.rs1).wrapping_add(d.imm as u32);
        let value = m.reg(d.rs2);
        match d.op {
            0 => m.store_u8(addr, value as u8),
            1 => m.store_u16(addr, value as u16),
            _ => m.store_u32(addr, value),
        }
    }
}
