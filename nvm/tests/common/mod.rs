//! Shared helpers: tiny programs from hand-encoded words, and hand-made ELF files.
#![allow(dead_code)]

use crease_nvm::encode::*;
use crease_nvm::{run, Error, Execution, Fault, Input, Isa, Program, RunOptions, Segment};

/// Where test code is placed.
pub const CODE: u32 = 0x1000;
/// A 4 KiB writable data segment.
pub const DATA: u32 = 0x10000;
/// A 4 KiB read-only data segment; its first word is `RODATA_WORD`.
pub const RODATA: u32 = 0x20000;
/// The first word of the read-only segment.
pub const RODATA_WORD: u32 = 0x8765_4321;

/// Registers the helpers use.
pub const A0: u8 = 10;
pub const A1: u8 = 11;
pub const A2: u8 = 12;
pub const A7: u8 = 17;
pub const T0: u8 = 5;
pub const T1: u8 = 6;
pub const T2: u8 = 7;

/// Little-endian bytes of `words`.
pub fn bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// The code segment, the writable data segment and the read-only data segment.
pub fn segments(code: &[u32]) -> Vec<Segment> {
    vec![
        Segment {
            vaddr: CODE,
            mem_size: 4 * code.len() as u32,
            data: bytes(code),
            read: true,
            write: false,
            exec: true,
        },
        Segment {
            vaddr: DATA,
            mem_size: 0x1000,
            data: vec![0xaa; 16],
            read: true,
            write: true,
            exec: false,
        },
        Segment {
            vaddr: RODATA,
            mem_size: 0x1000,
            data: RODATA_WORD.to_le_bytes().to_vec(),
            read: true,
            write: false,
            exec: false,
        },
    ]
}

/// `code` as an RV32IM program starting at `CODE`.
pub fn program(code: &[u32]) -> Program {
    Program::from_parts(CODE, segments(code), &Isa::rv32im()).expect("test program loads")
}

/// `li rd, value` (two words) as a vector.
pub fn set(rd: u8, value: u32) -> Vec<u32> {
    crease_nvm::encode::li(rd, value).to_vec()
}

/// `code`, then `exit(reg)`.
pub fn then_exit_with(mut code: Vec<u32>, reg: u8) -> Vec<u32> {
    code.push(addi(A0, reg, 0));
    code.push(addi(A7, 0, 93));
    code.push(ecall());
    code
}

/// Runs `code` with default options.
pub fn run_code(code: &[u32]) -> Result<Execution, Error> {
    run(&program(code), &Input::default(), RunOptions::default())
}

/// Runs `code` with the given input.
pub fn run_code_with(code: &[u32], input: &Input) -> Result<Execution, Error> {
    run(&program(code), input, RunOptions::default())
}

/// Runs `code` and returns `reg` at the end (through the exit code).
pub fn reg_after(code: Vec<u32>, reg: u8) -> u32 {
    let exec = run_code(&then_exit_with(code, reg)).expect("runs to exit");
    exec.exit_code as u32
}

/// Sets `t0 = a`, `t1 = b`, runs `inst` and returns `t2`.
pub fn rr(inst: fn(u8, u8, u8) -> u32, a: u32, b: u32) -> u32 {
    let mut code = set(T0, a);
    code.extend(set(T1, b));
    code.push(inst(T2, T0, T1));
    reg_after(code, T2)
}

/// Sets `t0 = a`, runs `inst(t2, t0, imm)` and returns `t2`.
pub fn ri(inst: fn(u8, u8, i32) -> u32, a: u32, imm: i32) -> u32 {
    let mut code = set(T0, a);
    code.push(inst(T2, T0, imm));
    reg_after(code, T2)
}

/// The fault of a run that must fault.
pub fn fault_of(result: Result<Execution, Error>) -> Fault {
    match result {
        Err(Error::Fault { fault, .. }) => fault,
        other => panic!("expected a fault, got {other:?}"),
    }
}

/// A program segment for [`elf`]: address, `p_flags`, file bytes, memory size.
pub struct ElfSegment {
    pub vaddr: u32,
    pub flags: u32,
    pub data: Vec<u8>,
    pub memsz: u32,
}

pub const PF_X: u32 = 1;
pub const PF_W: u32 = 2;
pub const PF_R: u32 = 4;

/// A minimal ELF32 little-endian RISC-V executable.
pub fn elf(entry: u32, segments: &[ElfSegment]) -> Vec<u8> {
    let phoff = 52u32;
    let mut data_off = phoff + 32 * segments.len() as u32;
    let mut f = Vec::new();
    f.extend_from_slice(b"\x7fELF");
    f.extend_from_slice(&[1, 1, 1, 0]);
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&2u16.to_le_bytes()); // e_type: EXEC
    f.extend_from_slice(&243u16.to_le_bytes()); // e_machine: RISC-V
    f.extend_from_slice(&1u32.to_le_bytes()); // e_version
    f.extend_from_slice(&entry.to_le_bytes());
    f.extend_from_slice(&phoff.to_le_bytes());
    f.extend_from_slice(&0u32.to_le_bytes()); // e_shoff
    f.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    f.extend_from_slice(&52u16.to_le_bytes()); // e_ehsize
    f.extend_from_slice(&32u16.to_le_bytes()); // e_phentsize
    f.extend_from_slice(&(segments.len() as u16).to_le_bytes());
    f.extend_from_slice(&40u16.to_le_bytes()); // e_shentsize
    f.extend_from_slice(&0u16.to_le_bytes()); // e_shnum
    f.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
    assert_eq!(f.len(), 52);
    let mut offsets = Vec::new();
    for s in segments {
        offsets.push(data_off);
        data_off += (s.data.len() as u32).next_multiple_of(4);
    }
    for (s, off) in segments.iter().zip(&offsets) {
        for v in [
            1,
            *off,
            s.vaddr,
            s.vaddr,
            s.data.len() as u32,
            s.memsz,
            s.flags,
            4,
        ] {
            f.extend_from_slice(&v.to_le_bytes());
        }
    }
    for s in segments {
        f.extend_from_slice(&s.data);
        while f.len() % 4 != 0 {
            f.push(0);
        }
    }
    f
}

/// An ELF with `code` at `base` (entry) and a writable bss-only segment after it.
pub fn elf_at(base: u32, code: &[u32]) -> Vec<u8> {
    elf(
        base,
        &[
            ElfSegment {
                vaddr: base,
                flags: PF_R | PF_X,
                data: bytes(code),
                memsz: 4 * code.len() as u32,
            },
            ElfSegment {
                vaddr: base + 0x1_0000,
                flags: PF_R | PF_W,
                data: vec![7, 7, 7, 7],
                memsz: 0x100,
            },
        ],
    )
}
