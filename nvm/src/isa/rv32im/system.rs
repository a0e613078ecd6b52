//! System instructions: ECALL, EBREAK and FENCE.

use crate::decode::{funct3, opcode, Decoded, Pattern};
use crate::{Fault, Instruction, Machine};

/// `op` values.
pub mod op {
    /// ECALL.
    pub const ECALL: u8 = 0;
    /// EBREAK.
    pub const EBREAK: u8 = 1;
    /// FENCE.
    pub const FENCE: u8 = 2;
}

/// ECALL (a system call, docs/ABI.md), EBREAK (stops with a breakpoint fault) and FENCE (a
/// no-op on this single-hart machine; its reserved fields are ignored as the spec allows).
/// FENCE.I (Zifencei) and the CSR instructions are not part of the set.
#[derive(Clone, Copy, Debug, Default)]
pub struct System;

const PATTERNS: [Pattern; 3] = [
    Pattern {
        mask: u32::MAX,
        value: crate::encode::ecall(),
    },
    Pattern {
        mask: u32::MAX,
        value: crate::encode::ebreak(),
    },
    Pattern {
        mask: Pattern::OPCODE_F3,
        value: opcode::MISC_MEM,
    },
];

impl Instruction for System {
    fn name(&self) -> &str {
        "system"
    }

    fn patterns(&self) -> &[Pattern] {
        &PATTERNS
    }

    fn decode(&self, word: u32) -> Option<Decoded> {
        let op = if word == crate::encode::ecall() {
            op::ECALL
        } else if word == crate::encode::ebreak() {
            op::EBREAK
        } else if opcode(word) == opcode::MISC_MEM && funct3(word) == 0 {
            op::FENCE
        } else {
            return None;
        };
        Some(Decoded {
            op,
            ..Decoded::default()
        })
    }

    #[inline]
    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        match d.op {
            op::ECALL => m.ecall(),
            op::EBREAK => Err(m.ebreak()),
            _ => Ok(()),
        }
    }
}
