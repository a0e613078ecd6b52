//! Edge cases of every instruction circuit, and executions the NVM faults on (misaligned
//! accesses and jumps, EBREAK, unknown system calls), which no witness satisfies.

mod common;

use common::*;
use crease_circuits::{isa, AccessRecord, ExecRecord};
use crease_nvm::encode::*;
use crease_nvm::{Input, Isa};

const EDGE: [u32; 8] = [
    0,
    1,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0xffff_fffe,
    0x8000_0001,
    33,
];

fn edge_program() -> Vec<u32> {
    let mut c = Vec::new();
    let rr: [fn(u8, u8, u8) -> u32; 18] = [
        add, sub, sll, slt, sltu, xor, srl, sra, or, and, mul, mulh, mulhsu, mulhu, div, divu, rem,
        remu,
    ];
    for &a in &EDGE {
        for &b in &EDGE {
            li_into(&mut c, 5, a);
            li_into(&mut c, 6, b);
            for (k, op) in rr.iter().enumerate() {
                // Every fourth result goes to x0, which must stay zero.
                let rd = if k % 4 == 0 { 0 } else { 7 };
                c.push(op(rd, 5, 6));
            }
            for imm in [-2048, -1, 0, 1, 2047] {
                c.extend([
                    addi(7, 5, imm),
                    slti(7, 5, imm),
                    sltiu(7, 5, imm),
                    xori(0, 5, imm),
                    ori(7, 5, imm),
                    andi(7, 5, imm),
                ]);
            }
            for sh in [0, 1, 31] {
                c.extend([slli(7, 5, sh), srli(7, 5, sh), srai(7, 5, sh)]);
            }
            for br in [beq, bne, blt, bge, bltu, bgeu] {
                c.push(br(5, 6, 8));
                c.push(addi(0, 0, 0));
            }
        }
    }
    // Sign extension of loads and byte/halfword stores at every offset.
    li_into(&mut c, 8, DATA);
    li_into(&mut c, 9, 0x8081_80ff);
    c.push(sw(9, 8, 0));
    for off in 0..4 {
        c.extend([
            lb(7, 8, off),
            lbu(7, 8, off),
            sb(9, 8, 16 + off),
            lw(0, 8, 0),
        ]);
    }
    for off in [0, 2] {
        c.extend([lh(7, 8, off), lhu(7, 8, off), sh(9, 8, 32 + off)]);
    }
    c.extend([
        lui(0, 0x12345 << 12),
        auipc(0, -4096),
        jal(0, 4),
        lui(7, -4096),
    ]);
    c.extend(li(10, 0xffff_ffff));
    c.extend(li(17, 64));
    c.push(ecall());
    exit(&mut c, 0x8000_0000);
    c
}

#[test]
fn edge_cases_match_the_nvm() {
    let env = Env::run(
        &edge_program(),
        &Isa::rv32im(),
        isa::rv32im(),
        &Input::default(),
    );
    assert_eq!(env.exit_code, i32::MIN);
    let ch = Challenges::random(&mut rng(1));
    let records = env.records();
    assert!(records.len() > 4000);
    for (i, rec) in records {
        if let Err(e) = check(&env, i, &rec, &rec, ch) {
            panic!("{}: {e:?}\n{rec:?}", env.circuits[i].name());
        }
    }
}

/// Words the NVM faults on, placed after `exit` so that the program loads and runs.
fn faulting_program() -> (Vec<u32>, usize) {
    let mut c = Vec::new();
    exit(&mut c, 0);
    let at = c.len();
    c.extend([
        lw(7, 5, 1),
        lh(7, 5, 3),
        lhu(7, 5, 1),
        sw(6, 5, 2),
        sh(6, 5, 1),
        jal(1, 6),
        jalr(1, 5, 2),
        beq(0, 0, 6),
        ebreak(),
        ecall(),
    ]);
    (c, at)
}

fn reg(addr: u32, read: u32, write: u32) -> AccessRecord {
    AccessRecord {
        addr,
        read,
        write,
        prev_ts: 0,
        read_only: false,
    }
}

#[test]
fn faulting_executions_are_unsatisfiable() {
    let (code, at) = faulting_program();
    let env = Env::run(&code, &Isa::rv32im(), isa::rv32im(), &Input::default());
    let ch = Challenges::random(&mut rng(2));
    let base = DATA;
    for (k, &word) in code[at..].iter().enumerate() {
        let pc = CODE + 4 * (at + k) as u32;
        let (i, d) = env
            .program
            .code_word(pc)
            .and_then(|c| c.decoded)
            .expect("decodes");
        let name = env.circuits[i].name().to_string();
        let mem = |w| AccessRecord {
            addr: base,
            read: w,
            write: w,
            prev_ts: 0,
            read_only: false,
        };
        let accesses = match name.as_str() {
            "load" => vec![reg(5, base, base), mem(0), reg(7, 0, 0)],
            "store" => vec![reg(5, base, base), reg(6, 0, 0), mem(0)],
            "jal" => vec![reg(1, 0, pc + 4)],
            "jalr" => vec![reg(5, base, base), reg(1, 0, pc + 4)],
            "branch" => vec![reg(0, 0, 0), reg(0, 0, 0)],
            // ebreak; ecall with a7 = 5 (no such call).
            _ => vec![reg(17, 5, 5), reg(10, 0, 0)],
        };
        let rec = ExecRecord {
            t: 3,
            pc,
            next_pc: pc.wrapping_add(6),
            d,
            accesses,
        };
        let got = check(&env, i, &rec, &rec, ch);
        assert!(
            matches!(got, Err(Reject::Unsatisfied(_))),
            "{name} word {word:08x}: {got:?}"
        );
    }
}
