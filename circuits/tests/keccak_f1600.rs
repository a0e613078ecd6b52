//! The `keccak_f1600` circuit against the NVM: permutations of a real run (states in
//! writable data, some chained, some over random words) satisfy their batches with the
//! memory tuples the native trace made, and tampered records (a value read or written, a
//! previous timestamp, the step) are rejected. Its constraint count is pinned. The
//! witness-level attacks are in `witness_attacks.rs`.

mod common;

use std::sync::Arc;

use common::*;
use crease_circuits::batch::constraints_per_execution;
use crease_circuits::isa::keccak_f1600::KeccakF1600;
use crease_circuits::{isa, InstructionCircuit};
use crease_nvm::decode::opcode;
use crease_nvm::encode::*;
use crease_nvm::{Input, Isa};
use rand::Rng;

const KECCAK: &str = "keccak_f1600";

fn keccak_isa() -> (Isa, Vec<Arc<dyn InstructionCircuit>>) {
    let isa = Isa::rv32im()
        .with(crease_nvm::isa::keccak_f1600::KeccakF1600)
        .expect("custom-1 is free");
    let mut circuits = isa::rv32im();
    circuits.push(Arc::new(KeccakF1600));
    let circuits = isa::circuits_for(&isa, &circuits).expect("every instruction has a circuit");
    (isa, circuits)
}

/// `n` permutations of a state at one of eight word-aligned places of the writable data,
/// with random words stored into the data between them.
fn program(n: usize, seed: u64) -> Vec<u32> {
    let mut r = rng(seed);
    let mut code = Vec::new();
    for _ in 0..n {
        for _ in 0..r.gen_range(0..6) {
            li_into(&mut code, 5, DATA + 4 * r.gen_range(0..512));
            li_into(&mut code, 6, operand(&mut r));
            code.push(sw(6, 5, 0));
        }
        let state = DATA + 4 * [0, 1, 7, 50, 64, 100, 200, 300][r.gen_range(0..8)];
        let rs1 = r.gen_range(1..32u8);
        li_into(&mut code, rs1, state);
        code.push(r_type(rs1));
    }
    exit(&mut code, 0);
    code
}

fn r_type(rs1: u8) -> u32 {
    r(opcode::CUSTOM_1, 1, 0, 0, rs1, 0)
}

#[test]
fn permutations_match_the_nvm() {
    let (isa, circuits) = keccak_isa();
    let env = Env::run(&program(24, 31), &isa, circuits, &Input::default());
    let ch = Challenges::random(&mut rng(32));
    let mut n = 0;
    for (i, rec) in env.records() {
        if env.circuits[i].name() != KECCAK {
            continue;
        }
        if let Err(e) = check(&env, i, &rec, &rec, ch) {
            panic!("honest permutation rejected: {e:?}\n{rec:?}");
        }
        n += 1;
    }
    assert_eq!(n, 24);
}

#[test]
fn tampered_records_are_rejected() {
    let (isa, circuits) = keccak_isa();
    let env = Env::run(&program(1, 33), &isa, circuits, &Input::default());
    let ch = Challenges::random(&mut rng(34));
    let mut r = rng(35);
    let mut done = 0;
    for (i, rec) in env.records() {
        if env.circuits[i].name() != KECCAK {
            continue;
        }
        done += 1;
        let mut tampered = Vec::new();
        for j in (0..rec.accesses.len()).step_by(9).chain([50]) {
            let bit = 1u32 << r.gen_range(0..32);
            if j > 0 {
                let mut t = rec.clone();
                t.accesses[j].write ^= bit;
                tampered.push(("wrong value written", t));
            }
            let mut t = rec.clone();
            t.accesses[j].read ^= bit;
            if j == 0 {
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
    assert_eq!(done, 1);
}

#[test]
fn constraints_per_permutation() {
    let n = constraints_per_execution(&KeccakF1600).expect("synthesizes");
    assert_eq!(n, 255_760, "constraints per permutation");
}
