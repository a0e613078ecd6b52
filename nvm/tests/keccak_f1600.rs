//! The `keccak_f1600` co-processor's native half: the permutation against the `keccak`
//! crate's, and the instruction in a run: its four cycles, its accesses and its faults.

mod common;

use common::*;
use crease_nvm::decode::opcode;
use crease_nvm::encode::*;
use crease_nvm::isa::keccak_f1600::{
    chi, f1600, iota, lanes, permute_words, rho_pi, theta, words, KeccakF1600, PATTERN, RC, RHO,
};
use crease_nvm::trace::TS_PER_STEP;
use crease_nvm::{run, Error, FaultKind, Input, Isa, Program, RunOptions, Space};
use rand::{Rng, SeedableRng};

fn reference(state: &[u64; 25]) -> [u64; 25] {
    let mut s = *state;
    keccak::f1600(&mut s);
    s
}

#[test]
fn permutation_matches_the_reference() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(1600);
    let mut one_bit = [0u64; 25];
    one_bit[24] = 1 << 63;
    let mut cases: Vec<[u64; 25]> = vec![
        [0; 25],
        [u64::MAX; 25],
        one_bit,
        std::array::from_fn(|i| i as u64),
        std::array::from_fn(|i| 1u64.rotate_left(i as u32 * 7)),
    ];
    for _ in 0..5000 {
        cases.push(std::array::from_fn(|_| rng.gen()));
    }
    for state in cases {
        let mut s = state;
        f1600(&mut s);
        assert_eq!(s, reference(&state), "state {state:016x?}");
    }
}

#[test]
fn zero_state_after_one_permutation() {
    // The first lanes of Keccak-f[1600] applied to the all-zero state (the Keccak team's
    // known-answer values).
    let mut s = [0u64; 25];
    f1600(&mut s);
    assert_eq!(s[0], 0xf1258f7940e1dde7);
    assert_eq!(s[1], 0x84d5ccf933c0478a);
    assert_eq!(s[24], 0xeaf1ff7b5ceca249);
}

#[test]
fn tables_are_the_standard_ones() {
    assert_eq!(RC[0], 1);
    assert_eq!(RC[1], 0x8082);
    assert_eq!(RC[23], 0x8000000080008008);
    // Offsets of row y = 0 and of lane (4, 4).
    assert_eq!(RHO[..5], [0, 1, 62, 28, 27]);
    assert_eq!(RHO[24], 14);
}

#[test]
fn the_round_steps_compose_to_the_permutation() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let state: [u64; 25] = std::array::from_fn(|_| rng.gen());
    let mut a = state;
    for r in 0..24 {
        theta(&mut a);
        a = chi(&rho_pi(&a));
        iota(&mut a, r);
    }
    assert_eq!(a, reference(&state));
}

#[test]
fn words_are_lanes_little_endian() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(4);
    let w: [u32; 50] = std::array::from_fn(|_| rng.gen());
    let l = lanes(&w);
    assert_eq!(l[3], u64::from(w[6]) | u64::from(w[7]) << 32);
    assert_eq!(words(&l), w);
    let mut p = w;
    permute_words(&mut p);
    assert_eq!(lanes(&p), reference(&l));
}

const STATE: u32 = DATA + 0x100;

fn isa() -> Isa {
    Isa::rv32im()
        .with(KeccakF1600)
        .expect("custom-1 funct3 = 1 is free")
}

fn state_words(state: &[u64; 25]) -> [u32; 50] {
    words(state)
}

/// `keccak_f1600(a0)` with the given pointer, then exit 0. The state starts as `state` at
/// `STATE`.
fn program_with(state: &[u64; 25], a0: u32) -> Program {
    let mut code = set(A0, a0);
    code.push(r(opcode::CUSTOM_1, 1, 0, 0, A0, 0));
    code.push(addi(A0, 0, 0));
    code.push(addi(A7, 0, 93));
    code.push(ecall());
    let mut segs = segments(&code);
    segs[1].data = vec![0; (STATE - DATA) as usize];
    segs[1].data.extend(bytes(&state_words(state)));
    Program::from_parts(CODE, segs, &isa()).expect("program loads")
}

fn traced(p: &Program) -> Result<crease_nvm::Execution, Error> {
    let options = RunOptions {
        trace: true,
        ..RunOptions::default()
    };
    run(p, &Input::default(), options)
}

#[test]
fn takes_four_cycles_and_its_accesses_are_stamped_in_order() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let state: [u64; 25] = std::array::from_fn(|_| rng.gen());
    let exec = traced(&program_with(&state, STATE)).expect("runs");
    let trace = exec.trace.expect("traced");
    let (i, step) = trace
        .steps
        .iter()
        .enumerate()
        .find(|(_, s)| PATTERN.matches(s.word))
        .expect("the co-processor ran");
    let next = trace.steps[i + 1];
    assert_eq!(next.t, step.t + 4, "four cycles");
    assert_eq!(exec.cycles, trace.steps.last().unwrap().t + 1);
    assert_eq!(exec.cycles, trace.steps.len() as u64 + 3);
    let acc = trace.accesses_of(step);
    assert_eq!(acc.len(), 52, "pc, rs1 and fifty words");
    assert_eq!(
        (acc[1].space, acc[1].addr, acc[1].read),
        (Space::Reg, A0 as u32, STATE)
    );
    let before = state_words(&state);
    let after = state_words(&reference(&state));
    for (j, a) in acc[2..].iter().enumerate() {
        assert_eq!((a.space, a.addr), (Space::Mem, STATE + 4 * j as u32));
        assert_eq!((a.read, a.write), (before[j], after[j]), "word {j}");
    }
    // The next step reads the pc written at 16·(t + 4).
    let pc = trace.accesses_of(&next)[0];
    assert_eq!(pc.prev_ts, TS_PER_STEP * (step.t + 4));
    assert_eq!(pc.read, step.next_pc);
}

#[test]
fn permutes_in_place_without_a_trace() {
    let state = [u64::MAX; 25];
    let p = program_with(&state, STATE);
    let exec = run(&p, &Input::default(), RunOptions::default()).expect("runs");
    assert_eq!(exec.exit_code, 0);
    assert_eq!(
        exec.counts
            .iter()
            .find(|c| c.name == "keccak_f1600")
            .map(|c| c.count),
        Some(1)
    );
}

fn fault_of(a0: u32) -> FaultKind {
    match traced(&program_with(&[0; 25], a0)) {
        Err(Error::Fault { fault, .. }) => fault.kind,
        other => panic!("expected a fault, got {other:?}"),
    }
}

#[test]
fn faults_on_bad_pointers() {
    assert!(matches!(
        fault_of(STATE + 2),
        FaultKind::MisalignedAccess { .. }
    ));
    assert!(matches!(
        fault_of(STATE + 1),
        FaultKind::MisalignedAccess { .. }
    ));
    assert!(matches!(
        fault_of(RODATA),
        FaultKind::StoreToReadOnly { .. }
    ));
    assert!(matches!(fault_of(CODE), FaultKind::StoreToReadOnly { .. }));
    assert!(matches!(fault_of(0x0800_0000), FaultKind::Unmapped { .. }));
    // Wraps past 2^32.
    assert!(matches!(fault_of(0xffff_fff0), FaultKind::Unmapped { .. }));
    // The state's last word past the writable segment's end (200 bytes from 0x1000 - 196).
    assert!(matches!(
        fault_of(DATA + 0x1000 - 196),
        FaultKind::Unmapped { .. }
    ));
    assert!(traced(&program_with(&[0; 25], DATA + 0x1000 - 200)).is_ok());
}

#[test]
fn rd_and_rs2_must_be_x0() {
    let isa = isa();
    assert!(isa.decode(r(opcode::CUSTOM_1, 1, 0, 0, A0, 0)).is_some());
    assert!(isa.decode(r(opcode::CUSTOM_1, 1, 0, 5, A0, 0)).is_none());
    assert!(isa.decode(r(opcode::CUSTOM_1, 1, 0, 0, A0, A1)).is_none());
    // Other funct7 values are not this instruction.
    assert!(isa.decode(r(opcode::CUSTOM_1, 1, 1, 0, A0, 0)).is_none());
}

#[test]
fn shares_custom_1_with_sha256_compress() {
    let isa = isa()
        .with(crease_nvm::isa::sha256_compress::Sha256Compress)
        .expect("funct3 0 and 1 do not overlap");
    let (i, _) = isa.decode(r(opcode::CUSTOM_1, 1, 0, 0, A0, 0)).unwrap();
    assert_eq!(isa.get(i).unwrap().name(), "keccak_f1600");
    let (j, _) = isa.decode(r(opcode::CUSTOM_1, 0, 0, 0, A0, A1)).unwrap();
    assert_eq!(isa.get(j).unwrap().name(), "sha256_compress");
}
