//! Division: DIV, DIVU, REM, REMU.

use crate::decode::{funct3, opcode, r_fields, Decoded, Pattern};
use crate::{Fault, Instruction, Machine};

/// The M-extension divisions; `op` is `funct3` (4 DIV, 5 DIVU, 6 REM, 7 REMU). Division by
/// zero gives all ones (DIV, DIVU) or the dividend (REM, REMU); the signed overflow
/// `i32::MIN / -1` gives `i32::MIN` with remainder 0. Nothing faults.
#[derive(Clone, Copy, Debug, Default)]
pub struct Div;

const PATTERNS: [Pattern; 4] = [
    Pattern::r_type(opcode::OP, 4, 1),
    Pattern::r_type(opcode::OP, 5, 1),
    Pattern::r_type(opcode::OP, 6, 1),
    Pattern::r_type(opcode::OP, 7, 1),
];

impl Instruction for Div {
    fn name(&self) -> &str {
        "div"
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
        let value = match (d.op, b) {
            (4 | 5, 0) => u32::MAX,
            (6 | 7, 0) => a,
            (4, _) => (a as i32).wrapping_div(b as i32) as u32,
            (5, _) => a / b,
            (6, _) => (a as i32).wrapping_rem(b as i32) as u32,
            _ => a % b,
        };
        m.set_reg(d.rd, value);
        Ok(())
    }
}
