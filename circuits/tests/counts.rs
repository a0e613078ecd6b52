//! Constraints and witness sizes per execution of every instruction circuit, pinned.
//!
//! `cargo test -p crease-circuits --release --test counts -- --nocapture` prints the table.

use std::sync::Arc;

use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystem, SynthesisMode};
use crease_circuits::isa;
use crease_circuits::{Batch, Fr, InstructionCircuit};
use crease_folding::step::StepCircuit;

/// (constraints, W1 values, W2 values) of a batch of `k`, synthesized in setup mode (no
/// values) or with the all-zero dummy witness.
fn measure_in(c: &Arc<dyn InstructionCircuit>, k: usize, setup: bool) -> (usize, usize, usize) {
    let batch = Batch::new(c.clone(), 0, k);
    let cs = ConstraintSystem::<Fr>::new_ref();
    if setup {
        cs.set_mode(SynthesisMode::Setup);
    }
    let consts: Vec<FpVar<Fr>> = (0..3)
        .map(|i| FpVar::new_input(cs.clone(), || Ok(Fr::from(1000 + i as u64))).expect("alloc"))
        .collect();
    let z: Vec<FpVar<Fr>> = (0..2)
        .map(|_| FpVar::new_witness(cs.clone(), || Ok(Fr::from(0u64))).expect("alloc"))
        .collect();
    let before = cs.num_witness_variables();
    let w1 = batch
        .generate_w1(cs.clone(), &batch.dummy_external_witness())
        .expect("w1");
    let n_w1 = cs.num_witness_variables() - before;
    batch
        .generate_step_constraints(
            cs.clone(),
            &consts,
            &z,
            &w1,
            &batch.dummy_external_witness(),
        )
        .expect("synthesize");
    let n_w2 = cs.num_witness_variables() - before - n_w1;
    (cs.num_constraints(), n_w1, n_w2)
}

fn measure(c: &Arc<dyn InstructionCircuit>, k: usize) -> (usize, usize, usize) {
    let prove = measure_in(c, k, false);
    assert_eq!(
        prove,
        measure_in(c, k, true),
        "{}: setup shape differs",
        c.name()
    );
    prove
}

/// Per execution: the difference between batches of 2 and 1.
fn per_execution(c: &Arc<dyn InstructionCircuit>) -> (usize, usize, usize) {
    let (c1, a1, b1) = measure(c, 1);
    let (c2, a2, b2) = measure(c, 2);
    (c2 - c1, a2 - a1, b2 - b1)
}

#[test]
fn constraints_per_execution_are_pinned() {
    let mut circuits = isa::rv32im();
    circuits.push(Arc::new(isa::sha256_sigma::Sha256Sigma));
    circuits.push(Arc::new(isa::sha256_compress::Sha256Compress));
    circuits.push(Arc::new(isa::keccak_f1600::KeccakF1600));
    let pinned: [(&str, usize); 15] = [
        ("lui", 22),
        ("auipc", 23),
        ("jal", 27),
        ("jalr", 35),
        ("branch", 54),
        ("load", 67),
        ("store", 72),
        ("alu_imm", 92),
        ("alu_reg", 99),
        ("mul", 52),
        ("div", 67),
        ("system", 59),
        ("sha256_sigma", 135),
        ("sha256_compress", 29_796),
        ("keccak_f1600", 255_760),
    ];
    println!("| circuit | constraints | W1 | W2 |");
    println!("|---|---|---|---|");
    let mut got = Vec::new();
    for c in &circuits {
        let (n, w1, w2) = per_execution(c);
        assert_eq!(
            crease_circuits::batch::constraints_per_execution(c).expect("count"),
            n
        );
        println!("| {} | {n} | {w1} | {w2} |", c.name());
        got.push((c.name().to_string(), n));
    }
    for ((name, n), (pname, pn)) in got.iter().zip(pinned) {
        assert_eq!(name, pname);
        assert_eq!(*n, pn, "{name}: constraints per execution changed");
    }
}
