//! Random RV32IM instruction sequences for the differential tests, wrapped in a program that
//! dumps every register and a data area with `write` after each chunk.
//!
//! The encoder here is written from the RISC-V unprivileged spec, independently of the
//! NVM's own encoder. Register x31 holds the data area's address throughout; every other
//! register is fair game. Control flow only jumps forward, to block boundaries inside the
//! chunk, so every program terminates.

use rand::rngs::StdRng;
use rand::Rng;

use super::elf::{CODE_BASE, DATA_BASE};

/// Bytes of the data area that loads and stores touch.
pub const DATA_LEN: u32 = 1024;
/// Offset of the register dump inside the data segment.
const DUMP_OFF: u32 = DATA_LEN;
/// Bytes written per dump: the data area, then x1..x31 at `DUMP_OFF + 4 * r`.
pub const DUMP_LEN: u32 = DATA_LEN + 32 * 4;
/// The register that holds [`DATA_BASE`].
const BASE: u32 = 31;
/// The scratch register of the `auipc`/`jalr` pairs.
const LINK_TMP: u32 = 29;

fn r_type(funct7: u32, rs2: u32, rs1: u32, funct3: u32, rd: u32, opcode: u32) -> u32 {
    funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode
}

fn i_type(imm: i32, rs1: u32, funct3: u32, rd: u32, opcode: u32) -> u32 {
    ((imm as u32) & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode
}

fn s_type(imm: i32, rs2: u32, rs1: u32, funct3: u32) -> u32 {
    let imm = imm as u32;
    (imm >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (imm & 0x1f) << 7 | 0x23
}

fn b_type(offset: i32, rs2: u32, rs1: u32, funct3: u32) -> u32 {
    let o = offset as u32;
    (o >> 12 & 1) << 31
        | (o >> 5 & 0x3f) << 25
        | rs2 << 20
        | rs1 << 15
        | funct3 << 12
        | (o >> 1 & 0xf) << 8
        | (o >> 11 & 1) << 7
        | 0x63
}

fn u_type(imm20: u32, rd: u32, opcode: u32) -> u32 {
    (imm20 & 0xfffff) << 12 | rd << 7 | opcode
}

fn j_type(offset: i32, rd: u32) -> u32 {
    let o = offset as u32;
    (o >> 20 & 1) << 31
        | (o >> 1 & 0x3ff) << 21
        | (o >> 11 & 1) << 20
        | (o >> 12 & 0xff) << 12
        | rd << 7
        | 0x6f
}

fn addi(rd: u32, rs1: u32, imm: i32) -> u32 {
    i_type(imm, rs1, 0, rd, 0x13)
}

/// `lui` + `addi` that put `value` in `rd`.
fn li(rd: u32, value: u32) -> [u32; 2] {
    let lo = ((value & 0xfff) as i32) << 20 >> 20;
    let hi = value.wrapping_sub(lo as u32) >> 12;
    [u_type(hi, rd, 0x37), addi(rd, rd, lo)]
}

/// A register value, biased toward the edge cases of division, shifts and comparisons.
pub fn interesting_value(rng: &mut StdRng) -> u32 {
    const EDGES: [u32; 12] = [
        0,
        1,
        2,
        31,
        32,
        33,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_ffff,
        0xffff_fffe,
        0x8000_0001,
        0x0000_ffff,
    ];
    match rng.gen_range(0..4) {
        0 => EDGES[rng.gen_range(0..EDGES.len())],
        1 => rng.gen_range(0..64),
        2 => (rng.gen_range(0..64u32)).wrapping_neg(),
        _ => rng.gen(),
    }
}

fn reg(rng: &mut StdRng) -> u32 {
    rng.gen_range(0..32)
}

/// A destination: any register but the data base (x0 included: writes to it must vanish).
fn dest(rng: &mut StdRng) -> u32 {
    rng.gen_range(0..BASE)
}

/// One straight-line instruction (ALU, multiply/divide, load, store, lui, auipc, fence).
fn straight(rng: &mut StdRng) -> u32 {
    const OP_IMM: [u32; 6] = [0, 2, 3, 4, 6, 7]; // addi slti sltiu xori ori andi
    match rng.gen_range(0..100) {
        0..=24 => {
            // OP and OP with funct7 = 1 (M extension) or 0x20 (sub, sra).
            let (funct7, funct3) = match rng.gen_range(0..3) {
                0 => (0, rng.gen_range(0..8)),
                1 => (1, rng.gen_range(0..8)),
                _ => (0x20, if rng.gen() { 0 } else { 5 }),
            };
            r_type(funct7, reg(rng), reg(rng), funct3, dest(rng), 0x33)
        }
        25..=34 => {
            // Division and remainder, often by zero or -1.
            let rs2 = if rng.gen_range(0..4) == 0 {
                0
            } else {
                reg(rng)
            };
            r_type(1, rs2, reg(rng), rng.gen_range(4..8), dest(rng), 0x33)
        }
        35..=49 => {
            let funct3 = OP_IMM[rng.gen_range(0..OP_IMM.len())];
            i_type(
                rng.gen_range(-2048..2048),
                reg(rng),
                funct3,
                dest(rng),
                0x13,
            )
        }
        50..=57 => {
            // slli, srli, srai.
            let shamt = rng.gen_range(0..32);
            match rng.gen_range(0..3) {
                0 => i_type(shamt, reg(rng), 1, dest(rng), 0x13),
                1 => i_type(shamt, reg(rng), 5, dest(rng), 0x13),
                _ => i_type(0x400 | shamt, reg(rng), 5, dest(rng), 0x13),
            }
        }
        58..=71 => {
            // lb lh lw lbu lhu, naturally aligned inside the data area.
            let funct3 = [0, 1, 2, 4, 5][rng.gen_range(0..5)];
            let size = 1 << (funct3 & 3);
            let off = rng.gen_range(0..DATA_LEN / size) * size;
            i_type(off as i32, BASE, funct3, dest(rng), 0x03)
        }
        72..=83 => {
            // sb sh sw.
            let funct3 = rng.gen_range(0..3);
            let size = 1 << funct3;
            let off = rng.gen_range(0..DATA_LEN / size) * size;
            s_type(off as i32, reg(rng), BASE, funct3)
        }
        84..=90 => u_type(rng.gen(), dest(rng), 0x37),
        91..=97 => u_type(rng.gen(), dest(rng), 0x17),
        _ => 0x0ff0_000f, // fence iorw, iorw
    }
}

/// A block of the chunk: straight-line code, or a forward transfer skipping `skip` blocks.
enum Block {
    Straight(u32),
    Branch {
        funct3: u32,
        rs1: u32,
        rs2: u32,
        skip: usize,
    },
    Jal {
        rd: u32,
        skip: usize,
    },
    /// `auipc x29, 0; jalr rd, off(x29)`, with the low bit of `off` set at random (jalr
    /// clears it).
    Jalr {
        rd: u32,
        skip: usize,
        odd: bool,
    },
}

impl Block {
    fn len(&self) -> usize {
        match self {
            Block::Jalr { .. } => 2,
            _ => 1,
        }
    }
}

fn random_chunk(rng: &mut StdRng, blocks: usize) -> Vec<Block> {
    (0..blocks)
        .map(|i| {
            let room = blocks - i; // blocks from here to the chunk's end, this one included
            let skip = rng.gen_range(1..=room.min(6));
            match rng.gen_range(0..100) {
                0..=9 => Block::Branch {
                    funct3: [0, 1, 4, 5, 6, 7][rng.gen_range(0..6)],
                    rs1: reg(rng),
                    rs2: reg(rng),
                    skip,
                },
                10..=12 => Block::Jal {
                    rd: dest(rng),
                    skip,
                },
                13..=15 => Block::Jalr {
                    rd: dest(rng),
                    skip,
                    odd: rng.gen(),
                },
                _ => Block::Straight(straight(rng)),
            }
        })
        .collect()
}

/// Encodes a chunk; a transfer skipping `skip` blocks lands on the start of the block
/// `skip` after its own (possibly the chunk's end).
fn encode_chunk(blocks: &[Block], code: &mut Vec<u32>) {
    let mut starts = Vec::with_capacity(blocks.len() + 1);
    let mut at = code.len();
    for b in blocks {
        starts.push(at);
        at += b.len();
    }
    starts.push(at);
    for (i, b) in blocks.iter().enumerate() {
        let here = code.len();
        match *b {
            Block::Straight(w) => code.push(w),
            Block::Branch {
                funct3,
                rs1,
                rs2,
                skip,
            } => {
                let offset = 4 * (starts[i + skip] as i32 - here as i32);
                code.push(b_type(offset, rs2, rs1, funct3));
            }
            Block::Jal { rd, skip } => {
                let offset = 4 * (starts[i + skip] as i32 - here as i32);
                code.push(j_type(offset, rd));
            }
            Block::Jalr { rd, skip, odd } => {
                let offset = 4 * (starts[i + skip] as i32 - here as i32) + odd as i32;
                code.push(u_type(0, LINK_TMP, 0x17));
                code.push(i_type(offset, LINK_TMP, 0, rd, 0x67));
            }
        }
    }
}

/// Stores x1..x31 into the dump area and writes the data area and the dump to stdout.
fn dump(code: &mut Vec<u32>) {
    for r in 1..32 {
        code.push(s_type((DUMP_OFF + 4 * r) as i32, r, BASE, 2));
    }
    code.push(addi(10, 0, 1)); // a0 = fd 1
    code.push(addi(11, BASE, 0)); // a1 = data
    code.extend(li(12, DUMP_LEN)); // a2 = len
    code.push(addi(17, 0, 64)); // a7 = write
    code.push(0x0000_0073); // ecall
}

/// The destination registers of [`edge_cases`], in order.
pub const EDGE_DESTS: [u32; 25] = [
    10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 1, 2, 3, 4,
];

/// Division by zero, signed overflow (`i32::MIN / -1`), high multiplies of extreme values
/// and register shift amounts of 32 and more, each result in its own register
/// ([`EDGE_DESTS`]): x5 = `i32::MIN`, x6 = -1, x7 = 0, x8 = 37, x9 = 1.
fn edge_cases(code: &mut Vec<u32>) {
    let (min, minus_one, zero, big_shift, one) = (5, 6, 7, 8, 9);
    code.extend(li(min, 0x8000_0000));
    code.extend(li(minus_one, 0xffff_ffff));
    code.extend(li(zero, 0));
    code.extend(li(big_shift, 37)); // shifts use the low five bits: 5
    code.extend(li(one, 1));
    let mut ops = Vec::new();
    for funct3 in 4..8 {
        // div divu rem remu
        ops.push((1, funct3, min, minus_one));
        ops.push((1, funct3, min, zero));
        ops.push((1, funct3, one, zero));
    }
    for funct3 in 1..4 {
        // mulh mulhsu mulhu
        ops.push((1, funct3, min, minus_one));
        ops.push((1, funct3, min, min));
        ops.push((1, funct3, minus_one, minus_one));
    }
    ops.push((0, 1, one, big_shift)); // sll
    ops.push((0, 5, min, big_shift)); // srl
    ops.push((0x20, 5, min, big_shift)); // sra
    ops.push((0x20, 5, min, minus_one)); // sra by 31
    for ((funct7, funct3, rs1, rs2), rd) in ops.into_iter().zip(EDGE_DESTS) {
        code.push(r_type(funct7, rs2, rs1, funct3, rd, 0x33));
    }
}

/// A random program: a chunk of [`edge_cases`], then `chunks` random chunks of `blocks`
/// blocks each, each followed by a dump; also returns the data segment's initial contents.
/// Registers start at interesting values.
pub fn random_program(rng: &mut StdRng, chunks: usize, blocks: usize) -> (Vec<u32>, Vec<u8>) {
    let mut code = Vec::new();
    code.extend(li(BASE, DATA_BASE));
    for r in 1..BASE {
        code.extend(li(r, interesting_value(rng)));
    }
    edge_cases(&mut code);
    dump(&mut code);
    for _ in 0..chunks {
        let chunk = random_chunk(rng, blocks);
        encode_chunk(&chunk, &mut code);
        dump(&mut code);
    }
    code.push(addi(10, 0, 0)); // exit(0)
    code.push(addi(17, 0, 93));
    code.push(0x0000_0073);
    let mut data: Vec<u8> = (0..DATA_LEN).map(|_| rng.gen()).collect();
    data.resize(DUMP_LEN as usize, 0);
    debug_assert!(CODE_BASE as usize + 4 * code.len() <= DATA_BASE as usize);
    (code, data)
}

/// Every RV32IM mnemonic the generated programs must contain.
pub const ALL_MNEMONICS: [&str; 47] = [
    "lui", "auipc", "jal", "jalr", "beq", "bne", "blt", "bge", "bltu", "bgeu", "lb", "lh", "lw",
    "lbu", "lhu", "sb", "sh", "sw", "addi", "slti", "sltiu", "xori", "ori", "andi", "slli", "srli",
    "srai", "add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "fence", "ecall",
    "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
];

/// The mnemonic of a word this generator emits (a classifier for coverage, not a decoder
/// of arbitrary code).
pub fn mnemonic(word: u32) -> Option<&'static str> {
    let funct3 = (word >> 12 & 7) as usize;
    let funct7 = word >> 25;
    Some(match word & 0x7f {
        0x37 => "lui",
        0x17 => "auipc",
        0x6f => "jal",
        0x67 => "jalr",
        0x63 => ["beq", "bne", "", "", "blt", "bge", "bltu", "bgeu"][funct3],
        0x03 => ["lb", "lh", "lw", "", "lbu", "lhu", "", ""][funct3],
        0x23 => ["sb", "sh", "sw", "", "", "", "", ""][funct3],
        0x13 => match (funct3, funct7) {
            (5, 0x20) => "srai",
            _ => [
                "addi", "slli", "slti", "sltiu", "xori", "srli", "ori", "andi",
            ][funct3],
        },
        0x33 => match funct7 {
            0 => ["add", "sll", "slt", "sltu", "xor", "srl", "or", "and"][funct3],
            1 => [
                "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
            ][funct3],
            0x20 if funct3 == 0 => "sub",
            0x20 if funct3 == 5 => "sra",
            _ => return None,
        },
        0x0f => "fence",
        0x73 if word == 0x73 => "ecall",
        _ => return None,
    })
    .filter(|m| !m.is_empty())
}
