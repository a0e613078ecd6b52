//! An example co-processor: the four SHA-256 sigma functions as one instruction circuit,
//! defined outside the NVM through its public [`Instruction`] trait.
//!
//! # Encoding
//!
//! R-type in the RISC-V **custom-0** major opcode (`0b0001011`, `0x0b`) with
//! **`funct7 = 0b0000001`**; **`funct3`** selects the function of `rs1`:
//!
//! | funct3 | result in `rd` |
//! |---|---|
//! | 0 | `Σ0(x) = rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22)` |
//! | 1 | `Σ1(x) = rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25)` |
//! | 2 | `σ0(x) = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)` |
//! | 3 | `σ1(x) = rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10)` |
//!
//! `rs2` is ignored (not read); pass `x0`/`0`. `funct3` values 4–7 are not part of the
//! instruction, so a program using them fails to load. From a guest:
//!
//! ```text
//! Rust:  crease_rt::coprocessor::custom0::<F3, 1>(x, 0)     // F3 = 0..=3 as above
//! C:     CREASE_CUSTOM0(F3, 1, x, 0)
//! asm:   .insn r 0x0b, F3, 1, rd, rs1, x0
//! ```
//!
//! Each replaces about ten RV32IM instructions (three rotations as shift pairs, two XORs)
//! with one, which is the point of a co-processor: a SHA-256 compression round needs four of
//! these.

#![forbid(unsafe_code)]

use crease_nvm::decode::{funct3, opcode, r_fields};
use crease_nvm::{Decoded, Fault, Instruction, Isa, Machine, Pattern};

/// The major opcode: custom-0.
pub const OPCODE: u32 = opcode::CUSTOM_0;
/// The `funct7` selecting this co-processor.
pub const FUNCT7: u32 = 0b000_0001;

/// The function a `funct3` selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Sigma {
    /// `Σ0`, funct3 0.
    Big0 = 0,
    /// `Σ1`, funct3 1.
    Big1 = 1,
    /// `σ0`, funct3 2.
    Small0 = 2,
    /// `σ1`, funct3 3.
    Small1 = 3,
}

impl Sigma {
    /// All four, in funct3 order.
    pub const ALL: [Sigma; 4] = [Sigma::Big0, Sigma::Big1, Sigma::Small0, Sigma::Small1];

    /// The function applied to `x`.
    pub fn apply(self, x: u32) -> u32 {
        match self {
            Sigma::Big0 => x.rotate_right(2) ^ x.rotate_right(13) ^ x.rotate_right(22),
            Sigma::Big1 => x.rotate_right(6) ^ x.rotate_right(11) ^ x.rotate_right(25),
            Sigma::Small0 => x.rotate_right(7) ^ x.rotate_right(18) ^ (x >> 3),
            Sigma::Small1 => x.rotate_right(17) ^ x.rotate_right(19) ^ (x >> 10),
        }
    }

    /// The instruction word computing `rd = self(rs1)`.
    pub fn encode(self, rd: u8, rs1: u8) -> u32 {
        crease_nvm::encode::r(OPCODE, self as u32, FUNCT7, rd, rs1, 0)
    }
}

/// The SHA-256 sigma co-processor (instruction circuit name `sha256_sigma`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Sha256Sigma;

const PATTERNS: [Pattern; 4] = [
    Pattern::r_type(OPCODE, 0, FUNCT7),
    Pattern::r_type(OPCODE, 1, FUNCT7),
    Pattern::r_type(OPCODE, 2, FUNCT7),
    Pattern::r_type(OPCODE, 3, FUNCT7),
];

impl Instruction for Sha256Sigma {
    fn name(&self) -> &str {
        "sha256_sigma"
    }

    fn patterns(&self) -> &[Pattern] {
        &PATTERNS
    }

    fn decode(&self, word: u32) -> Option<Decoded> {
        Some(Decoded {
            op: funct3(word) as u8,
            rs2: 0,
            ..r_fields(word)
        })
    }

    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        let x = m.reg(d.rs1);
        let sigma = Sigma::ALL[(d.op & 3) as usize];
        m.set_reg(d.rd, sigma.apply(x));
        Ok(())
    }
}

/// RV32IM plus [`Sha256Sigma`].
pub fn isa() -> Isa {
    let mut isa = Isa::rv32im();
    match isa.push(Sha256Sigma) {
        Ok(_) => isa,
        // The custom-0 patterns cannot overlap RV32IM's opcodes.
        Err(e) => unreachable!("sha256_sigma conflicts with RV32IM: {e}"),
    }
}
