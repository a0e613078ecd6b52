//! The `sha256_compress` circuit against the NVM: thousands of compressions of a real run
//! (random states and blocks, blocks in writable and read-only memory, a block that is the
//! state itself) satisfy their batches with the memory tuples the native trace made, and
//! tampered records (a value read or written, a previous timestamp, the step) are
//! rejected. Its constraint count is pinned. The witness-level attacks are in
//! `witness_attacks.rs`.

mod common;

use std::sync::Arc;

use common::*;
use crease_circuits::batch::constraints_per_execution;
use crease_circuits::isa::sha256_compress::Sha256Compress;
use crease_circuits::{isa, InstructionCircuit};
use crease_nvm::decode::opcode;
use crease_nvm::encode::*;
use crease_nvm::{Input, Isa};
use rand::Rng;

const SHA: &str = "sha256_compress";

fn sha_isa() -> (Isa, Vec<Arc<dyn InstructionCircuit>>) {
    let isa = Isa::rv32im()
        .with(crease_nvm::isa::sha256_compress::Sha256Compress)
        .expect("custom-1 is free");
    let mut circuits = isa::rv32im();
    circuits.push(Arc::new(Sha256Compress));
    let circuits = isa::circuits_for(&isa, &circuits).expect("every instruction has a circuit");
    (isa, circuits)
}

/// `n` compressions: the state at one of eight places of the writable data, the block
/// anywhere word-aligned in the writable or read-only data (sometimes the state itself),
/// with random words stored into the data between compressions.
fn program(n: usize, seed: u64) -> Vec<u32> {
    let mut r = rng(seed);
    let mut code = Vec::new();
    for _ in 0..n {
        for _ in 0..r.gen_range(0..4) {
            li_into(&mut code, 5, DATA + 4 * r.gen_range(0..256));
            li_into(&mut code, 6, operand(&mut r));
            code.push(sw(6, 5, 0));
        }
        let state = DATA + 32 * r.gen_range(0..8);
        let block = match r.gen_range(0..5) {
            0 => state,
            1 | 2 => DATA + 4 * r.gen_range(0..240),
            _ => RODATA + 4 * r.gen_range(0..(DATA_SIZE / 4 - 16)),
        };
        let (rs1, rs2) = (r.gen_range(1..32u8), r.gen_range(1..32u8));
        li_into(&mut code, rs2, block);
        li_into(&mut code, rs1, state);
        code.push(r_type(rs1, rs2));
    }
    exit(&mut code, 0);
    code
}

fn r_type(rs1: u8, rs2: u8) -> u32 {
    r(opcode::CUSTOM_1, 0, 0, 0, rs1, rs2)
}

#[test]
fn compressions_match_the_nvm() {
    let (isa, circuits) = sha_isa();
    let env = Env::run(&program(600, 21), &isa, circuits, &Input::default());
    let ch = Challenges::random(&mut rng(22));
    let mut n = 0;
    for (i, rec) in env.records() {
        if env.circuits[i].name() != SHA {
            continue;
        }
        if let Err(e) = check(&env, i, &rec, &rec, ch) {
            panic!("honest compression rejected: {e:?}\n{rec:?}");
        }
        n += 1;
    }
    assert!(n >= 590, "only {n} compressions ran");
}

#[test]
fn tampered_records_are_rejected() {
    let (isa, circuits) = sha_isa();
    let env = Env::run(&program(8, 23), &isa, circuits, &Input::default());
    let ch = Challenges::random(&mut rng(24));
    let mut r = rng(25);
    let mut done = 0;
    for (i, rec) in env.records() {
        if env.circuits[i].name() != SHA {
            continue;
        }
        done += 1;
        let mut tampered = Vec::new();
        for j in 0..rec.accesses.len() {
            let bit = 1u32 << r.gen_range(0..32);
            if j >= 18 {
                let mut t = rec.clone();
                t.accesses[j].write ^= bit;
                tampered.push(("wrong value written", t));
            }
            let mut t = rec.clone();
            t.accesses[j].read ^= bit;
            if j < 18 {
                t.accesses[j].write ^= bit;
            }
            tampered.push(("wrong value read", t));
            let mut t = rec.clone();
            let (p, d) = (t.accesses[j].prev_ts, 1 + r.gen_range(0..4));
            t.accesses[j].prev_ts = if p < d { p + d } else { p - d };
            tampered.push(("wrong previous timestamp", t));
        }
        let mut t = rec.clone();
        t.t += 1;
        tampered.push(("wrong step", t));
        for (what, t) in &tampered {
            assert!(
                check(&env, i, t, &rec, ch).is_err(),
                "{what} accepted\n{t:?}"
            );
        }
    }
    assert_eq!(done, 8);
}

#[test]
fn constraints_per_compression() {
    let n = constraints_per_execution(&Sha256Compress).expect("synthesizes");
    assert_eq!(n, 29_796, "constraints per compression");
}
