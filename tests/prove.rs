//! Prove and verify whole runs: a hand-assembled program and an example guest, through the
//! `crease` facade, with the proof going through its byte form.

mod support;

use std::sync::OnceLock;
use std::time::Instant;

use crease::nvm::encode::*;
use crease::nvm::layout::{PRIVATE_INPUT, PUBLIC_INPUT, RAM_START};
use crease::{prove, setup, verify, Input, Isa, Params, Program, Proof, SetupConfig};
use support::hand::{self, push_li, DATA};

fn params() -> &'static Params {
    static P: OnceLock<Params> = OnceLock::new();
    P.get_or_init(|| setup(&Isa::rv32im(), &SetupConfig::development().with_k(64)).expect("setup"))
}

/// Reads a public and a private word, stores, loads, loops, multiplies, divides, writes
/// the public output and exits with a computed code.
fn hand_program() -> Program {
    let mut c = Vec::new();
    push_li(&mut c, 5, PUBLIC_INPUT);
    c.push(lw(6, 5, 4));
    push_li(&mut c, 28, PRIVATE_INPUT);
    c.push(lw(29, 28, 4));
    c.push(add(30, 6, 29));
    push_li(&mut c, 8, RAM_START);
    c.push(sw(30, 8, 0));
    c.push(sb(6, 8, 5));
    c.push(lw(9, 8, 0));
    c.push(lhu(13, 8, 4));
    push_li(&mut c, 19, DATA);
    c.push(lb(20, 19, 3));
    c.push(sh(20, 19, 6));
    c.push(mul(23, 20, 6));
    c.push(divu(24, 23, 6));
    hand::push_sum_output_exit(&mut c, 10);
    hand::program(&c, &Isa::rv32im())
}

#[test]
fn a_hand_assembled_program_proves_and_verifies() {
    let program = hand_program();
    let input = Input {
        public: vec![1, 2, 3, 4, 5, 6, 7, 8],
        private: vec![0x10, 0x20, 0x30, 0x40],
    };
    let params = params();
    let rt = support::proving::round_trip(params, &program, &input);
    let (exec, st) = (&rt.exec, &rt.statement);
    eprintln!(
        "hand program: {} steps, prove {:?}, verify {:?}, proof {} bytes",
        exec.cycles, rt.prove_time, rt.verify_time, rt.proof_bytes
    );
    assert_eq!(st.exit_code, 62);
    assert_eq!(st.exit_code, exec.exit_code);
    assert_eq!(st.steps, exec.cycles);
    assert_eq!(st.public_output, exec.public_output);
    assert_eq!(st.public_output.len(), 8);
    assert_eq!(&st.public_output[4..], &55u32.to_le_bytes());
    assert_eq!(st.public_input, input.public);
    assert_eq!(st.program_digest, program.digest());
    assert_eq!(st.isa_digest, Isa::rv32im().digest());
}

fn check_fibonacci(elf: &std::path::Path) {
    let isa = Isa::rv32im();
    let program = support::load(elf, &isa);
    let input = Input {
        public: 20u32.to_le_bytes().to_vec(),
        private: vec![],
    };
    let params = params();
    let t = Instant::now();
    let (proof, exec) = prove(params, &program, &input).expect("proves");
    let prove_time = t.elapsed();
    let bytes = proof.to_bytes().expect("serializes");
    let t = Instant::now();
    let st = verify(
        params,
        &program,
        &input.public,
        &Proof::from_bytes(&bytes).expect("reads"),
    )
    .expect("verifies");
    eprintln!(
        "{}: {} steps, prove {prove_time:?}, verify {:?}, proof {} bytes",
        elf.display(),
        exec.cycles,
        t.elapsed(),
        bytes.len()
    );
    assert_eq!(st.exit_code, 0);
    assert_eq!(st.public_output, 6765u64.to_le_bytes());
    assert_eq!(st.steps, exec.cycles);
}

#[test]
fn the_rust_fibonacci_guest_proves_and_verifies() {
    if support::have_rust_toolchain() {
        check_fibonacci(&support::rust_example("fibonacci"));
    }
}

/// A loop of ~900 instructions: several batches of 64 in three chains.
fn loop_program() -> Program {
    let mut c = Vec::new();
    push_li(&mut c, 9, 0x1234_5678);
    hand::push_sum_output_exit(&mut c, 300);
    hand::program(&c, &Isa::rv32im())
}

fn prove_with(program: &Program, segment: usize, leaf_steps: usize) -> (Vec<u8>, u64) {
    let options = crease::ProveOptions {
        segment,
        leaf_steps,
        ..Default::default()
    };
    let (proof, exec) =
        crease::prove_with(params(), program, &Input::default(), &options, None).expect("proves");
    (proof.to_bytes().expect("serializes"), exec.cycles)
}

/// The prover sees a run a segment at a time, so a chain's batch or leaf may span
/// segments; the proof does not depend on where they are cut.
#[test]
fn the_proof_does_not_depend_on_the_segment_length() {
    let program = loop_program();
    let (whole, steps) = prove_with(&program, crease::pcd::DEFAULT_SEGMENT, 2);
    assert!(steps > 900, "{steps} steps: several batches per chain");
    let proof = Proof::from_bytes(&whole).expect("reads");
    verify(params(), &program, &[], &proof).expect("verifies");
    for segment in [1, 63, 65, 250] {
        assert!(
            prove_with(&program, segment, 2).0 == whole,
            "segment {segment}: another proof"
        );
    }
    for (segment, leaf_steps) in [(0, 2), (100, 0)] {
        let options = crease::ProveOptions {
            segment,
            leaf_steps,
            ..Default::default()
        };
        assert!(crease::prove_with(params(), &program, &Input::default(), &options, None).is_err());
    }
}

/// Chains of five batches as trees of five leaves (four merges each), of two leaves, and
/// as single leaves: every shape verifies, and each is another proof.
#[test]
fn trees_of_any_leaf_size_verify() {
    let program = loop_program();
    let mut seen = Vec::new();
    for leaf_steps in [1, 3, 16] {
        let (bytes, _) = prove_with(&program, 1 << 12, leaf_steps);
        let proof = Proof::from_bytes(&bytes).expect("reads");
        let st = verify(params(), &program, &[], &proof).expect("verifies");
        assert_eq!(st.exit_code, 300 * 301 / 2 + 7);
        assert!(!seen.contains(&bytes), "leaf {leaf_steps}: the same proof");
        seen.push(bytes);
    }
}

#[test]
fn parameters_round_trip_and_refuse_damage() {
    // A one-instruction ISA with small chains keeps the file small.
    let isa = Isa::new()
        .with(crease_coprocessor_example::Sha256Sigma)
        .expect("isa");
    let config = SetupConfig {
        k: 4,
        scan_k: 4,
        table_k: 256,
        ..SetupConfig::development()
    };
    let params = &setup(&isa, &config).expect("setup");
    let bytes = params.to_bytes().expect("serializes");
    let back = Params::from_bytes(&bytes).expect("reads back");
    assert_eq!(back.digest(), params.digest());
    assert_eq!(back.isa_digest(), params.isa_digest());
    assert!(Params::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    assert!(Params::from_bytes(&bytes[..20]).is_err());
    assert!(Params::from_bytes(b"CRSPCD06").is_err());
    let n = bytes.len();
    for at in [0, 7, 9, 45, n / 2, n - 1] {
        let mut bad = bytes.clone();
        bad[at] ^= 0x01;
        if let Ok(p) = Params::from_bytes(&bad) {
            assert_ne!(p.digest(), params.digest(), "flipped byte {at} unnoticed");
        }
    }
    eprintln!("parameters of one small chain: {n} bytes");
}

#[test]
fn progress_is_reported_per_phase() {
    use std::sync::Mutex;
    let program = hand_program();
    let seen = Mutex::new(Vec::new());
    let report = |phase: crease::Phase, done: u64, total: u64| {
        seen.lock().expect("lock").push((phase, done, total));
    };
    let input = Input {
        public: vec![1, 2, 3, 4, 5, 6, 7, 8],
        private: vec![0x10, 0x20, 0x30, 0x40],
    };
    let (proof, _) =
        crease::prove_with_progress(params(), &program, &input, &report).expect("proves");
    verify(params(), &program, &input.public, &proof).expect("verifies");
    let seen = seen.into_inner().expect("lock");
    for phase in [
        crease::Phase::Run,
        crease::Phase::Commit,
        crease::Phase::Fold,
    ] {
        let last = seen
            .iter()
            .filter(|s| s.0 == phase)
            .map(|s| (s.1, s.2))
            .max();
        let (done, total) = last.expect("phase reported");
        assert_eq!(done, total, "{phase:?} finished");
        assert!(total > 0);
    }
}

/// Throughput on a guest: `CREASE_K=1024 CREASE_GUEST=fibonacci CREASE_N=1000 cargo test
/// --release -p crease --test prove measure -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, minutes long"]
fn measure() {
    if !support::have_rust_toolchain() {
        return;
    }
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let k: usize = env("CREASE_K", "256").parse().expect("CREASE_K");
    let n: u32 = env("CREASE_N", "1000").parse().expect("CREASE_N");
    let guest = env("CREASE_GUEST", "fibonacci");
    let isa = Isa::rv32im();
    let program = support::load(&support::rust_example(&guest), &isa);
    let t = Instant::now();
    let table_k: usize = env("CREASE_TABLE_K", "32768")
        .parse()
        .expect("CREASE_TABLE_K");
    let config = SetupConfig {
        table_k,
        ..SetupConfig::development().with_k(k)
    };
    let params = setup(&isa, &config).expect("setup");
    let setup_time = t.elapsed();
    if std::env::var_os("CREASE_PARAMS_SIZE").is_some() {
        let t = Instant::now();
        let bytes = params.to_bytes().expect("serializes");
        let write = t.elapsed();
        let t = Instant::now();
        Params::from_bytes(&bytes).expect("reads");
        eprintln!(
            "parameters: {} bytes, written in {write:?}, read in {:?}",
            bytes.len(),
            t.elapsed()
        );
    }
    let input = Input {
        public: n.to_le_bytes().to_vec(),
        private: vec![],
    };
    let t = Instant::now();
    let phases = std::sync::Mutex::new(Vec::new());
    let report = |phase: crease::Phase, done: u64, total: u64| {
        if done == 0 || done == total {
            let mut p = phases.lock().expect("lock");
            p.push(format!("{phase:?} {done}/{total} at {:.1?}", t.elapsed()));
        }
    };
    let (proof, exec) =
        crease::prove_with_progress(&params, &program, &input, &report).expect("proves");
    let prove_time = t.elapsed();
    eprintln!("{}", phases.into_inner().expect("lock").join("; "));
    let bytes = proof.to_bytes().expect("serializes");
    let t = Instant::now();
    verify(&params, &program, &input.public, &proof).expect("verifies");
    let verify_time = t.elapsed();
    eprintln!(
        "{guest} n={n} k={k}: {} steps; setup {setup_time:?}; prove {prove_time:?} ({:.0} \
         instructions/s); verify {verify_time:?}; proof {} bytes",
        exec.cycles,
        exec.cycles as f64 / prove_time.as_secs_f64(),
        bytes.len()
    );
}
