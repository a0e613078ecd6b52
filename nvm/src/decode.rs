//! The common decoded form of an instruction word and helpers to pull RISC-V fields apart.

/// An instruction word decoded into the fields every instruction circuit shares.
///
/// Decoding happens once, at load time, into a table indexed by address; execution and the
/// prover both work from this form. Fields an instruction does not use are zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Decoded {
    /// Destination register (0–31).
    pub rd: u8,
    /// First source register (0–31).
    pub rs1: u8,
    /// Second source register (0–31).
    pub rs2: u8,
    /// Which operation of an instruction family this word selects (family-defined).
    pub op: u8,
    /// The immediate, already sign-extended (or the shift amount), as two's complement.
    pub imm: i32,
}

/// A set of instruction words: every `word` with `word & mask == value`.
///
/// An instruction claims the words it may decode with a list of patterns; two instructions
/// whose patterns overlap cannot be in the same [`Isa`](crate::Isa).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// The bits that must match.
    pub mask: u32,
    /// Their required values (bits outside `mask` must be zero).
    pub value: u32,
}

impl Pattern {
    /// Mask of the major opcode (bits 6:0).
    pub const OPCODE: u32 = 0x0000_007f;
    /// Mask of the major opcode and `funct3`.
    pub const OPCODE_F3: u32 = 0x0000_707f;
    /// Mask of the major opcode and `funct7`.
    pub const OPCODE_F7: u32 = 0xfe00_007f;
    /// Mask of the major opcode, `funct3` and `funct7`.
    pub const OPCODE_F3_F7: u32 = 0xfe00_707f;

    /// All words with the given major opcode.
    pub const fn opcode(opcode: u32) -> Self {
        Self {
            mask: Self::OPCODE,
            value: opcode & Self::OPCODE,
        }
    }

    /// All words with the given major opcode and `funct7`.
    pub const fn opcode_funct7(opcode: u32, funct7: u32) -> Self {
        Self {
            mask: Self::OPCODE_F7,
            value: (opcode & Self::OPCODE) | (funct7 << 25),
        }
    }

    /// All words with the given major opcode, `funct3` and `funct7` (an R-type selector).
    pub const fn r_type(opcode: u32, funct3: u32, funct7: u32) -> Self {
        Self {
            mask: Self::OPCODE_F3_F7,
            value: (opcode & Self::OPCODE) | ((funct3 & 7) << 12) | (funct7 << 25),
        }
    }

    /// Whether `word` is in this set.
    #[inline]
    pub const fn matches(&self, word: u32) -> bool {
        word & self.mask == self.value
    }

    /// A word in both sets, if the two sets intersect.
    pub const fn overlap(&self, other: &Pattern) -> Option<u32> {
        if (self.value ^ other.value) & self.mask & other.mask == 0 {
            Some(self.value | other.value)
        } else {
            None
        }
    }
}

/// RISC-V major opcodes (bits 6:0).
pub mod opcode {
    /// LUI.
    pub const LUI: u32 = 0b011_0111;
    /// AUIPC.
    pub const AUIPC: u32 = 0b001_0111;
    /// JAL.
    pub const JAL: u32 = 0b110_1111;
    /// JALR.
    pub const JALR: u32 = 0b110_0111;
    /// Conditional branches.
    pub const BRANCH: u32 = 0b110_0011;
    /// Loads.
    pub const LOAD: u32 = 0b000_0011;
    /// Stores.
    pub const STORE: u32 = 0b010_0011;
    /// Register-immediate ALU operations.
    pub const OP_IMM: u32 = 0b001_0011;
    /// Register-register ALU operations (and the M extension).
    pub const OP: u32 = 0b011_0011;
    /// FENCE.
    pub const MISC_MEM: u32 = 0b000_1111;
    /// ECALL, EBREAK.
    pub const SYSTEM: u32 = 0b111_0011;
    /// custom-0, free for co-processors.
    pub const CUSTOM_0: u32 = 0b000_1011;
    /// custom-1, free for co-processors.
    pub const CUSTOM_1: u32 = 0b010_1011;
}

/// Bits 6:0.
#[inline]
pub const fn opcode(word: u32) -> u32 {
    word & 0x7f
}

/// Bits 11:7.
#[inline]
pub const fn rd(word: u32) -> u8 {
    ((word >> 7) & 31) as u8
}

/// Bits 19:15.
#[inline]
pub const fn rs1(word: u32) -> u8 {
    ((word >> 15) & 31) as u8
}

/// Bits 24:20.
#[inline]
pub const fn rs2(word: u32) -> u8 {
    ((word >> 20) & 31) as u8
}

/// Bits 14:12.
#[inline]
pub const fn funct3(word: u32) -> u32 {
    (word >> 12) & 7
}

/// Bits 31:25.
#[inline]
pub const fn funct7(word: u32) -> u32 {
    word >> 25
}

/// The sign-extended I-type immediate.
#[inline]
pub const fn imm_i(word: u32) -> i32 {
    (word as i32) >> 20
}

/// The sign-extended S-type immediate.
#[inline]
pub const fn imm_s(word: u32) -> i32 {
    (((word as i32) >> 25) << 5) | ((word >> 7) & 0x1f) as i32
}

/// The sign-extended B-type immediate (a multiple of two).
#[inline]
pub const fn imm_b(word: u32) -> i32 {
    (((word as i32) >> 31) << 12)
        | (((word >> 7) & 1) << 11) as i32
        | (((word >> 25) & 0x3f) << 5) as i32
        | (((word >> 8) & 0xf) << 1) as i32
}

/// The U-type immediate (upper 20 bits, low 12 bits zero).
#[inline]
pub const fn imm_u(word: u32) -> i32 {
    (word & 0xffff_f000) as i32
}

/// The sign-extended J-type immediate (a multiple of two).
#[inline]
pub const fn imm_j(word: u32) -> i32 {
    (((word as i32) >> 31) << 20)
        | (word & 0x000f_f000) as i32
        | (((word >> 20) & 1) << 11) as i32
        | (((word >> 21) & 0x3ff) << 1) as i32
}

/// The fields of an R-type word (`op` and `imm` zero).
#[inline]
pub const fn r_fields(word: u32) -> Decoded {
    Decoded {
        rd: rd(word),
        rs1: rs1(word),
        rs2: rs2(word),
        op: 0,
        imm: 0,
    }
}
