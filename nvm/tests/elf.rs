//! The ELF loader: programs at several link addresses, and every load error.

mod common;

use common::*;
use crease_nvm::encode::*;
use crease_nvm::{run, Error, Input, Isa, Program, RunOptions};

/// Returns `data[0] + data[1]` (words at `base + 0x10000`): the first is the segment's file
/// contents, the second lies in its bss.
fn sum_program(base: u32) -> Vec<u32> {
    let mut code = set(T0, base + 0x1_0000);
    code.push(lw(T1, T0, 0));
    code.push(lw(T2, T0, 4));
    code.push(add(T2, T2, T1));
    code.push(lw(T1, T0, 0xfc));
    code.push(add(T2, T2, T1));
    then_exit_with(code, T2)
}

#[test]
fn loads_and_runs_at_any_link_address() {
    for base in [0x1000, 0x10000, 0x8000_0000, 0x0040_0000, 0xbffe_0000] {
        let bytes = elf_at(base, &sum_program(base));
        let program = Program::from_elf(&bytes, &Isa::rv32im()).unwrap();
        assert_eq!(program.entry(), base);
        assert_eq!(program.segments().len(), 2);
        let exec = run(&program, &Input::default(), RunOptions::default()).unwrap();
        assert_eq!(exec.exit_code, 0x0707_0707, "base 0x{base:x}");
    }
}

#[test]
fn entry_may_be_inside_the_code() {
    let base = 0x1000;
    let mut code = vec![ebreak()];
    code.extend(sum_program(base));
    let mut bytes = elf_at(base, &code);
    bytes[24..28].copy_from_slice(&(base + 4).to_le_bytes());
    let program = Program::from_elf(&bytes, &Isa::rv32im()).unwrap();
    let exec = run(&program, &Input::default(), RunOptions::default()).unwrap();
    assert_eq!(exec.exit_code, 0x0707_0707);
}

fn load(bytes: &[u8]) -> Error {
    Program::from_elf(bytes, &Isa::rv32im()).unwrap_err()
}

fn good() -> Vec<u8> {
    elf_at(0x1000, &sum_program(0x1000))
}

#[test]
fn rejects_non_elf() {
    assert!(matches!(load(b""), Error::NotElf));
    assert!(matches!(load(b"\x7fEL"), Error::NotElf));
    assert!(matches!(load(b"#!/bin/sh\necho hi\n"), Error::NotElf));
}

#[test]
fn rejects_64_bit_and_big_endian() {
    let mut b = good();
    b[4] = 2;
    assert!(matches!(load(&b), Error::Elf64));
    let mut b = good();
    b[4] = 7;
    assert!(matches!(load(&b), Error::BadClass(7)));
    let mut b = good();
    b[5] = 2;
    assert!(matches!(load(&b), Error::BigEndian));
}

#[test]
fn rejects_other_machines_and_non_executables() {
    let mut b = good();
    b[18..20].copy_from_slice(&62u16.to_le_bytes()); // x86-64
    assert!(matches!(load(&b), Error::NotRiscV { machine: 62 }));
    let mut b = good();
    b[16..18].copy_from_slice(&3u16.to_le_bytes()); // ET_DYN
    assert!(matches!(load(&b), Error::NotExecutable { e_type: 3 }));
    let mut b = good();
    b[42..44].copy_from_slice(&40u16.to_le_bytes());
    assert!(matches!(
        load(&b),
        Error::BadHeader {
            field: "e_phentsize",
            value: 40
        }
    ));
}

#[test]
fn rejects_compressed_code() {
    let mut b = good();
    b[36] |= 1; // EF_RISCV_RVC
    assert!(matches!(load(&b), Error::CompressedElf));
    // c.addi a0, 1 (0x0505) followed by c.nop in one word at 0x1008.
    let mut code = sum_program(0x1000);
    code[2] = 0x0001_0505;
    let err = load(&elf_at(0x1000, &code));
    assert!(
        matches!(
            err,
            Error::CompressedInstruction {
                half: 0x0505,
                address: 0x1008
            }
        ),
        "{err}"
    );
}

#[test]
fn rejects_truncated_files() {
    let b = good();
    // Cut inside the identification, the header, the program headers and the contents.
    for len in [10, 30, 60, b.len() - 8] {
        let err = load(&b[..len]);
        assert!(matches!(err, Error::Truncated { .. }), "len {len}: {err}");
    }
    // Program header table offset past the end.
    let mut b = good();
    b[28..32].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    assert!(matches!(
        load(&b),
        Error::Truncated {
            what: "program header table",
            ..
        }
    ));
    // Segment offset past the end.
    let mut b = good();
    b[52 + 4..52 + 8].copy_from_slice(&0x10_0000u32.to_le_bytes());
    let err = load(&b);
    assert!(
        matches!(
            err,
            Error::Truncated {
                what: "segment contents",
                offset: 0x10_0000,
                ..
            }
        ),
        "{err}"
    );
}

fn code_segment(vaddr: u32, code: &[u32]) -> ElfSegment {
    ElfSegment {
        vaddr,
        flags: PF_R | PF_X,
        data: bytes(code),
        memsz: 4 * code.len() as u32,
    }
}

#[test]
fn rejects_overlapping_segments() {
    let code = sum_program(0x1000);
    let data = ElfSegment {
        vaddr: 0x1000 + 4 * code.len() as u32 - 4,
        flags: PF_R | PF_W,
        data: vec![],
        memsz: 16,
    };
    let err = load(&elf(0x1000, &[code_segment(0x1000, &code), data]));
    assert!(
        matches!(
            err,
            Error::SegmentOverlap {
                first: 0x1000,
                second: _
            }
        ),
        "{err}"
    );
}

#[test]
fn rejects_segments_outside_the_image_range() {
    let code = sum_program(0x1000);
    for (vaddr, memsz) in [
        (0xbfff_ff00u32, 0x200u32),
        (0xc000_0000, 4),
        (0xf000_0000, 4),
        (0xffff_fff0, 0x20),
    ] {
        let data = ElfSegment {
            vaddr,
            flags: PF_R | PF_W,
            data: vec![],
            memsz,
        };
        let err = load(&elf(0x1000, &[code_segment(0x1000, &code), data]));
        assert!(
            matches!(err, Error::SegmentOutOfRange { vaddr: v, memsz: m } if v == vaddr && m == memsz),
            "{err}"
        );
    }
}

#[test]
fn rejects_file_size_above_memory_size() {
    let code = sum_program(0x1000);
    let mut seg = code_segment(0x1000, &code);
    seg.memsz = 8;
    assert!(matches!(
        load(&elf(0x1000, &[seg])),
        Error::SegmentFileSize { vaddr: 0x1000, .. }
    ));
}

#[test]
fn rejects_bad_entry_and_missing_code() {
    let code = sum_program(0x1000);
    for entry in [0x1002, 0x0ffc, 0x1000 + 4 * code.len() as u32, 0x1_0000] {
        let mut b = elf_at(0x1000, &code);
        b[24..28].copy_from_slice(&entry.to_le_bytes());
        assert!(matches!(load(&b), Error::BadEntry { entry: e } if e == entry));
    }
    let data = ElfSegment {
        vaddr: 0x1000,
        flags: PF_R | PF_W,
        data: bytes(&code),
        memsz: 0x100,
    };
    assert!(matches!(load(&elf(0x1000, &[data])), Error::NoCode));
    let mut seg = code_segment(0x1002, &code);
    seg.vaddr = 0x1002;
    assert!(matches!(
        load(&elf(0x1002, &[seg])),
        Error::MisalignedCode { vaddr: 0x1002 }
    ));
}

#[test]
fn unknown_instruction_names_opcode_and_address() {
    // custom-0 R-type (no co-processor registered), and an RV64 word (addiw).
    for (word, opcode) in [
        (r(0b000_1011, 3, 5, T2, T0, T1), 0b000_1011u32),
        (i(0b001_1011, 0, T2, T0, 1), 0b001_1011),
        (0x3020_0073, 0b111_0011), // mret: privileged, not RV32IM
        (r(0b011_0011, 0, 0x10, T2, T0, T1), 0b011_0011), // OP with funct7 0x10
        (slli(T2, T0, 3) | 1 << 25, 0b001_0011), // slli with shamt[5] set
    ] {
        let mut code = sum_program(0x8000_0000);
        code.insert(3, word);
        let err = load(&elf_at(0x8000_0000, &code));
        match err {
            Error::UnknownInstruction {
                word: w,
                opcode: o,
                address,
            } => assert_eq!((w, o, address), (word, opcode, 0x8000_000c)),
            other => panic!("{other}"),
        }
        let message = load(&elf_at(0x8000_0000, &code)).to_string();
        assert!(message.contains("0x8000000c"), "{message}");
        assert!(message.contains(&format!("{opcode:07b}")), "{message}");
    }
}

#[test]
fn an_empty_isa_decodes_nothing() {
    let err = Program::from_elf(&good(), &Isa::new()).unwrap_err();
    assert!(matches!(
        err,
        Error::UnknownInstruction {
            address: 0x1000,
            ..
        }
    ));
}

#[test]
fn digest_identifies_image_entry_and_isa() {
    let a = Program::from_elf(&good(), &Isa::rv32im()).unwrap();
    let b = Program::from_elf(&good(), &Isa::rv32im()).unwrap();
    assert_eq!(a.digest(), b.digest());
    let mut other_entry = good();
    other_entry[24..28].copy_from_slice(&0x1004u32.to_le_bytes());
    let c = Program::from_elf(&other_entry, &Isa::rv32im()).unwrap();
    assert_ne!(a.digest(), c.digest());
    let mut code = sum_program(0x1000);
    code[3] = addi(T2, T2, 1);
    let d = Program::from_elf(&elf_at(0x1000, &code), &Isa::rv32im()).unwrap();
    assert_ne!(a.digest(), d.digest());
    let mut isa = Isa::new();
    assert_ne!(Isa::new().digest(), Isa::rv32im().digest());
    isa.push(crease_nvm::isa::rv32im::Lui).unwrap();
    assert_ne!(isa.digest(), Isa::new().digest());
    // The same program decoded for a larger set is a different program.
    let e = Program::from_elf(&good(), &Isa::rv32im().with(Extra).unwrap()).unwrap();
    assert_ne!(a.digest(), e.digest());
}

#[test]
fn decode_table_is_exposed() {
    let p = Program::from_elf(&good(), &Isa::rv32im()).unwrap();
    let (start, end) = p.code_range();
    assert_eq!(start, 0x1000);
    assert_eq!(end, 0x1000 + 4 * sum_program(0x1000).len() as u32);
    let w = p.code_word(0x1008).unwrap();
    assert_eq!(w.word, lw(T1, T0, 0));
    let (index, d) = w.decoded.unwrap();
    assert_eq!(p.isa().get(index).unwrap().name(), "load");
    assert_eq!((d.rd, d.rs1, d.imm), (T1, T0, 0));
    assert!(p.code_word(0x1002).is_none());
    assert!(p.code_word(end).is_none());
}

/// A custom-1 instruction that does nothing, to extend the set.
struct Extra;

impl crease_nvm::Instruction for Extra {
    fn name(&self) -> &str {
        "extra"
    }
    fn patterns(&self) -> &[crease_nvm::Pattern] {
        const P: [crease_nvm::Pattern; 1] = [crease_nvm::Pattern::r_type(0b010_1011, 0, 0)];
        &P
    }
    fn decode(&self, word: u32) -> Option<crease_nvm::Decoded> {
        Some(crease_nvm::decode::r_fields(word))
    }
    fn execute(
        &self,
        _d: &crease_nvm::Decoded,
        _m: &mut crease_nvm::Machine<'_>,
    ) -> Result<(), crease_nvm::Fault> {
        Ok(())
    }
}

#[test]
fn programs_and_results_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Program>();
    send_sync::<Isa>();
    send_sync::<crease_nvm::Execution>();
    send_sync::<crease_nvm::Trace>();
    send_sync::<Error>();
    let program = Program::from_elf(&good(), &Isa::rv32im()).unwrap();
    let codes: Vec<i32> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| s.spawn(|| run(&program, &Input::default(), RunOptions::default())))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap().exit_code)
            .collect()
    });
    assert_eq!(codes, vec![0x0707_0707; 2]);
}
