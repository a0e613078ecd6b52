//! Encoders for RV32IM instruction words: for tests, benches and hand-assembled programs.
//!
//! Registers are taken modulo 32 and immediates are truncated to their field width, so an
//! out-of-range argument yields a different (valid) word rather than a panic; callers that
//! care check their ranges.

use crate::decode::opcode as op;

/// An R-type word.
pub const fn r(opcode: u32, funct3: u32, funct7: u32, rd: u8, rs1: u8, rs2: u8) -> u32 {
    (funct7 & 0x7f) << 25
        | (rs2 as u32 & 31) << 20
        | (rs1 as u32 & 31) << 15
        | (funct3 & 7) << 12
        | (rd as u32 & 31) << 7
        | (opcode & 0x7f)
}

/// An I-type word.
pub const fn i(opcode: u32, funct3: u32, rd: u8, rs1: u8, imm: i32) -> u32 {
    (imm as u32 & 0xfff) << 20
        | (rs1 as u32 & 31) << 15
        | (funct3 & 7) << 12
        | (rd as u32 & 31) << 7
        | (opcode & 0x7f)
}

/// An S-type word.
pub const fn s(opcode: u32, funct3: u32, rs1: u8, rs2: u8, imm: i32) -> u32 {
    let imm = imm as u32;
    ((imm >> 5) & 0x7f) << 25
        | (rs2 as u32 & 31) << 20
        | (rs1 as u32 & 31) << 15
        | (funct3 & 7) << 12
        | (imm & 0x1f) << 7
        | (opcode & 0x7f)
}

/// A B-type word (`imm` is the byte offset, a multiple of two).
pub const fn b(funct3: u32, rs1: u8, rs2: u8, imm: i32) -> u32 {
    let imm = imm as u32;
    ((imm >> 12) & 1) << 31
        | ((imm >> 5) & 0x3f) << 25
        | (rs2 as u32 & 31) << 20
        | (rs1 as u32 & 31) << 15
        | (funct3 & 7) << 12
        | ((imm >> 1) & 0xf) << 8
        | ((imm >> 11) & 1) << 7
        | op::BRANCH
}

/// A U-type word (`imm` holds the upper 20 bits in place; the low 12 bits are dropped).
pub const fn u(opcode: u32, rd: u8, imm: i32) -> u32 {
    (imm as u32 & 0xffff_f000) | (rd as u32 & 31) << 7 | (opcode & 0x7f)
}

/// A J-type word (`imm` is the byte offset, a multiple of two).
pub const fn j(rd: u8, imm: i32) -> u32 {
    let imm = imm as u32;
    ((imm >> 20) & 1) << 31
        | ((imm >> 1) & 0x3ff) << 21
        | ((imm >> 11) & 1) << 20
        | ((imm >> 12) & 0xff) << 12
        | (rd as u32 & 31) << 7
        | op::JAL
}

/// `lui rd, imm >> 12` (give the full value whose upper 20 bits are wanted).
pub const fn lui(rd: u8, imm: i32) -> u32 {
    u(op::LUI, rd, imm)
}
/// `auipc rd, imm >> 12`.
pub const fn auipc(rd: u8, imm: i32) -> u32 {
    u(op::AUIPC, rd, imm)
}
/// `jal rd, offset`.
pub const fn jal(rd: u8, offset: i32) -> u32 {
    j(rd, offset)
}
/// `jalr rd, offset(rs1)`.
pub const fn jalr(rd: u8, rs1: u8, offset: i32) -> u32 {
    i(op::JALR, 0, rd, rs1, offset)
}
/// `beq rs1, rs2, offset`.
pub const fn beq(rs1: u8, rs2: u8, offset: i32) -> u32 {
    b(0, rs1, rs2, offset)
}
/// `bne rs1, rs2, offset`.
pub const fn bne(rs1: u8, rs2: u8, offset: i32) -> u32 {
    b(1, rs1, rs2, offset)
}
/// `blt rs1, rs2, offset`.
pub const fn blt(rs1: u8, rs2: u8, offset: i32) -> u32 {
    b(4, rs1, rs2, offset)
}
/// `bge rs1, rs2, offset`.
pub const fn bge(rs1: u8, rs2: u8, offset: i32) -> u32 {
    b(5, rs1, rs2, offset)
}
/// `bltu rs1, rs2, offset`.
pub const fn bltu(rs1: u8, rs2: u8, offset: i32) -> u32 {
    b(6, rs1, rs2, offset)
}
/// `bgeu rs1, rs2, offset`.
pub const fn bgeu(rs1: u8, rs2: u8, offset: i32) -> u32 {
    b(7, rs1, rs2, offset)
}
/// `lb rd, offset(rs1)`.
pub const fn lb(rd: u8, rs1: u8, offset: i32) -> u32 {
    i(op::LOAD, 0, rd, rs1, offset)
}
/// `lh rd, offset(rs1)`.
pub const fn lh(rd: u8, rs1: u8, offset: i32) -> u32 {
    i(op::LOAD, 1, rd, rs1, offset)
}
/// `lw rd, offset(rs1)`.
pub const fn lw(rd: u8, rs1: u8, offset: i32) -> u32 {
    i(op::LOAD, 2, rd, rs1, offset)
}
/// `lbu rd, offset(rs1)`.
pub const fn lbu(rd: u8, rs1: u8, offset: i32) -> u32 {
    i(op::LOAD, 4, rd, rs1, offset)
}
/// `lhu rd, offset(rs1)`.
pub const fn lhu(rd: u8, rs1: u8, offset: i32) -> u32 {
    i(op::LOAD, 5, rd, rs1, offset)
}
/// `sb rs2, offset(rs1)`.
pub const fn sb(rs2: u8, rs1: u8, offset: i32) -> u32 {
    s(op::STORE, 0, rs1, rs2, offset)
}
/// `sh rs2, offset(rs1)`.
pub const fn sh(rs2: u8, rs1: u8, offset: i32) -> u32 {
    s(op::STORE, 1, rs1, rs2, offset)
}
/// `sw rs2, offset(rs1)`.
pub const fn sw(rs2: u8, rs1: u8, offset: i32) -> u32 {
    s(op::STORE, 2, rs1, rs2, offset)
}
/// `addi rd, rs1, imm`.
pub const fn addi(rd: u8, rs1: u8, imm: i32) -> u32 {
    i(op::OP_IMM, 0, rd, rs1, imm)
}
/// `slti rd, rs1, imm`.
pub const fn slti(rd: u8, rs1: u8, imm: i32) -> u32 {
    i(op::OP_IMM, 2, rd, rs1, imm)
}
/// `sltiu rd, rs1, imm`.
pub const fn sltiu(rd: u8, rs1: u8, imm: i32) -> u32 {
    i(op::OP_IMM, 3, rd, rs1, imm)
}
/// `xori rd, rs1, imm`.
pub const fn xori(rd: u8, rs1: u8, imm: i32) -> u32 {
    i(op::OP_IMM, 4, rd, rs1, imm)
}
/// `ori rd, rs1, imm`.
pub const fn ori(rd: u8, rs1: u8, imm: i32) -> u32 {
    i(op::OP_IMM, 6, rd, rs1, imm)
}
/// `andi rd, rs1, imm`.
pub const fn andi(rd: u8, rs1: u8, imm: i32) -> u32 {
    i(op::OP_IMM, 7, rd, rs1, imm)
}
/// `slli rd, rs1, shamt`.
pub const fn slli(rd: u8, rs1: u8, shamt: u32) -> u32 {
    i(op::OP_IMM, 1, rd, rs1, (shamt & 31) as i32)
}
/// `srli rd, rs1, shamt`.
pub const fn srli(rd: u8, rs1: u8, shamt: u32) -> u32 {
    i(op::OP_IMM, 5, rd, rs1, (shamt & 31) as i32)
}
/// `srai rd, rs1, shamt`.
pub const fn srai(rd: u8, rs1: u8, shamt: u32) -> u32 {
    i(op::OP_IMM, 5, rd, rs1, (0x400 | (shamt & 31)) as i32)
}

macro_rules! r_ops {
    ($($(#[$doc:meta])* $name:ident = ($f3:expr, $f7:expr);)*) => {$(
        $(#[$doc])*
        pub const fn $name(rd: u8, rs1: u8, rs2: u8) -> u32 {
            r(op::OP, $f3, $f7, rd, rs1, rs2)
        }
    )*};
}

r_ops! {
    /// `add rd, rs1, rs2`.
    add = (0, 0);
    /// `sub rd, rs1, rs2`.
    sub = (0, 0x20);
    /// `sll rd, rs1, rs2`.
    sll = (1, 0);
    /// `slt rd, rs1, rs2`.
    slt = (2, 0);
    /// `sltu rd, rs1, rs2`.
    sltu = (3, 0);
    /// `xor rd, rs1, rs2`.
    xor = (4, 0);
    /// `srl rd, rs1, rs2`.
    srl = (5, 0);
    /// `sra rd, rs1, rs2`.
    sra = (5, 0x20);
    /// `or rd, rs1, rs2`.
    or = (6, 0);
    /// `and rd, rs1, rs2`.
    and = (7, 0);
    /// `mul rd, rs1, rs2`.
    mul = (0, 1);
    /// `mulh rd, rs1, rs2`.
    mulh = (1, 1);
    /// `mulhsu rd, rs1, rs2`.
    mulhsu = (2, 1);
    /// `mulhu rd, rs1, rs2`.
    mulhu = (3, 1);
    /// `div rd, rs1, rs2`.
    div = (4, 1);
    /// `divu rd, rs1, rs2`.
    divu = (5, 1);
    /// `rem rd, rs1, rs2`.
    rem = (6, 1);
    /// `remu rd, rs1, rs2`.
    remu = (7, 1);
}

/// `ecall`.
pub const fn ecall() -> u32 {
    op::SYSTEM
}
/// `ebreak`.
pub const fn ebreak() -> u32 {
    0x0010_0000 | op::SYSTEM
}
/// `fence` (full, `fence iorw, iorw`).
pub const fn fence() -> u32 {
    0x0ff0_0000 | op::MISC_MEM
}
/// `li rd, value` as `lui` + `addi` (always two words).
pub const fn li(rd: u8, value: u32) -> [u32; 2] {
    let lo = ((value << 20) as i32) >> 20;
    let hi = value.wrapping_sub(lo as u32);
    [lui(rd, hi as i32), addi(rd, rd, lo)]
}
