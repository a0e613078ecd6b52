//! The `sha256_compress` co-processor's native half: the compression against the `sha2`
//! crate's, and the instruction in a run: its two cycles, its accesses and its faults.

mod common;

use common::*;
use crease_nvm::decode::opcode;
use crease_nvm::encode::*;
use crease_nvm::isa::sha256_compress::{compress, Sha256Compress, IV, PATTERN};
use crease_nvm::trace::TS_PER_STEP;
use crease_nvm::{
    run, Error, FaultKind, Input, Instruction, Isa, Program, RunOptions, Segment, Space,
};
use rand::{Rng, SeedableRng};

fn reference(state: &[u32; 8], block: &[u32; 16]) -> [u32; 8] {
    let mut s = *state;
    let bytes: Vec<u8> = block.iter().flat_map(|w| w.to_le_bytes()).collect();
    let block = sha2::digest::generic_array::GenericArray::clone_from_slice(&bytes);
    sha2::compress256(&mut s, &[block]);
    s
}

#[test]
fn compression_matches_the_reference() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(256);
    let mut cases: Vec<([u32; 8], [u32; 16])> = vec![
        (IV, [0; 16]),
        (IV, [u32::MAX; 16]),
        ([0; 8], [0; 16]),
        ([u32::MAX; 8], [u32::MAX; 16]),
        ([0x8000_0000; 8], [1; 16]),
    ];
    for _ in 0..5000 {
        cases.push((rng.gen(), rng.gen()));
    }
    for (state, block) in cases {
        let mut s = state;
        compress(&mut s, &block);
        assert_eq!(
            s,
            reference(&state, &block),
            "state {state:08x?} block {block:08x?}"
        );
    }
}

#[test]
fn hashes_abc() {
    // "abc" padded: 0x61626380, zeros, length 24 bits (FIPS 180-4 example).
    let mut block = [0u32; 16];
    block[0] = u32::from_le_bytes([0x61, 0x62, 0x63, 0x80]);
    block[15] = u32::from_le_bytes([0, 0, 0, 24]);
    let mut s = IV;
    compress(&mut s, &block);
    assert_eq!(
        s,
        [
            0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223, 0xb00361a3, 0x96177a9c, 0xb410ff61,
            0xf20015ad
        ]
    );
}

const STATE: u32 = DATA + 0x100;
const BLOCK: u32 = RODATA + 0x40;

fn isa() -> Isa {
    Isa::rv32im()
        .with(Sha256Compress)
        .expect("custom-1 is free in RV32IM")
}

/// `sha256_compress(a0, a1)` with the given pointers, then exit 0. The state starts as
/// `state` at `STATE`, the block as `block` at `BLOCK` (read-only data).
fn program_with(state: &[u32; 8], block: &[u32; 16], a0: u32, a1: u32) -> Program {
    let mut code = set(A0, a0);
    code.extend(set(A1, a1));
    code.push(r(opcode::CUSTOM_1, 0, 0, 0, A0, A1));
    code.push(addi(A0, 0, 0));
    code.push(addi(A7, 0, 93));
    code.push(ecall());
    let mut segs = segments(&code);
    segs[1].data = vec![0; (STATE - DATA) as usize];
    segs[1].data.extend(bytes(state));
    segs[2] = Segment {
        data: [vec![0; (BLOCK - RODATA) as usize], bytes(block)].concat(),
        ..segs[2].clone()
    };
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
fn takes_two_cycles_and_its_accesses_are_stamped_in_order() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let state: [u32; 8] = rng.gen();
    let block: [u32; 16] = rng.gen();
    let exec = traced(&program_with(&state, &block, STATE, BLOCK)).expect("runs");
    let trace = exec.trace.expect("traced");
    // li, li (two words each, maybe one), the instruction, addi, addi, ecall.
    let (i, step) = trace
        .steps
        .iter()
        .enumerate()
        .find(|(_, s)| PATTERN.matches(s.word))
        .expect("the co-processor ran");
    let next = trace.steps[i + 1];
    assert_eq!(next.t, step.t + 2, "two cycles");
    assert_eq!(exec.cycles, trace.steps.last().unwrap().t + 1);
    assert_eq!(exec.cycles, trace.steps.len() as u64 + 1);
    let acc = trace.accesses_of(step);
    assert_eq!(acc.len(), 27);
    assert_eq!(
        (acc[1].space, acc[1].addr, acc[1].read),
        (Space::Reg, A0 as u32, STATE)
    );
    assert_eq!(
        (acc[2].space, acc[2].addr, acc[2].read),
        (Space::Reg, A1 as u32, BLOCK)
    );
    for (j, a) in acc[3..19].iter().enumerate() {
        assert_eq!((a.space, a.addr), (Space::Mem, BLOCK + 4 * j as u32));
        assert_eq!((a.read, a.write), (block[j], block[j]));
    }
    let mut expected = state;
    compress(&mut expected, &block);
    for (j, a) in acc[19..27].iter().enumerate() {
        assert_eq!((a.space, a.addr), (Space::Mem, STATE + 4 * j as u32));
        assert_eq!((a.read, a.write), (state[j], expected[j]));
    }
    // The next step reads the pc written at 16·(t + 2); its own accesses come later.
    let pc = trace.accesses_of(&next)[0];
    assert_eq!(pc.prev_ts, TS_PER_STEP * (step.t + 2));
    assert_eq!(pc.read, step.next_pc);
}

fn fault_of(a0: u32, a1: u32) -> FaultKind {
    match traced(&program_with(&IV, &[0; 16], a0, a1)) {
        Err(Error::Fault { fault, .. }) => fault.kind,
        other => panic!("expected a fault, got {other:?}"),
    }
}

#[test]
fn faults_on_bad_pointers() {
    assert!(matches!(
        fault_of(STATE + 2, BLOCK),
        FaultKind::MisalignedAccess { .. }
    ));
    assert!(matches!(
        fault_of(STATE, BLOCK + 1),
        FaultKind::MisalignedAccess { .. }
    ));
    assert!(matches!(
        fault_of(BLOCK, BLOCK),
        FaultKind::StoreToReadOnly { .. }
    ));
    assert!(matches!(
        fault_of(CODE, BLOCK),
        FaultKind::StoreToReadOnly { .. }
    ));
    assert!(matches!(
        fault_of(STATE, 0x0800_0000),
        FaultKind::Unmapped { .. }
    ));
    assert!(matches!(
        fault_of(0xffff_fff0, BLOCK),
        FaultKind::Unmapped { .. }
    ));
    // The state's last word past the writable segment's end.
    assert!(matches!(
        fault_of(DATA + 0x1000 - 16, BLOCK),
        FaultKind::Unmapped { .. }
    ));
}

#[test]
fn rd_must_be_x0() {
    let isa = isa();
    let word = r(opcode::CUSTOM_1, 0, 0, 0, A0, A1);
    assert!(isa.decode(word).is_some());
    assert!(isa.decode(r(opcode::CUSTOM_1, 0, 0, 5, A0, A1)).is_none());
}

#[test]
fn the_cycle_count_enters_the_isa_digest() {
    struct Long(u32);
    impl Instruction for Long {
        fn name(&self) -> &str {
            "sha256_compress"
        }
        fn patterns(&self) -> &[crease_nvm::Pattern] {
            std::slice::from_ref(&PATTERN)
        }
        fn decode(&self, word: u32) -> Option<crease_nvm::Decoded> {
            Sha256Compress.decode(word)
        }
        fn execute(
            &self,
            d: &crease_nvm::Decoded,
            m: &mut crease_nvm::Machine<'_>,
        ) -> Result<(), crease_nvm::Fault> {
            Sha256Compress.execute(d, m)
        }
        fn cycles(&self) -> u32 {
            self.0
        }
    }
    let two = isa().digest();
    let three = Isa::rv32im().with(Long(3)).unwrap().digest();
    assert_ne!(two, three);
    assert_eq!(two, Isa::rv32im().with(Long(2)).unwrap().digest());
    assert!(matches!(
        Isa::rv32im().with(Long(0)),
        Err(Error::Cycles { .. })
    ));
    assert!(matches!(
        Isa::rv32im().with(Long(17)),
        Err(Error::Cycles { .. })
    ));
    // With one cycle it may make only 15 accesses: the run faults.
    let p = {
        let mut code = set(A0, STATE);
        code.extend(set(A1, BLOCK));
        code.push(r(opcode::CUSTOM_1, 0, 0, 0, A0, A1));
        Program::from_parts(
            CODE,
            segments(&then_exit_with(code, 0)),
            &Isa::rv32im().with(Long(1)).unwrap(),
        )
        .unwrap()
    };
    match traced(&p) {
        Err(Error::Fault { fault, .. }) => {
            assert_eq!(fault.kind, FaultKind::TooManyAccesses { max: 15 })
        }
        other => panic!("expected too many accesses, got {other:?}"),
    }
}
