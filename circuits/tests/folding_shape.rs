//! Batches as the folding engine sees them: the shape extracted with `W1` first, `W1` small
//! and independent of the challenges, and `Az ∘ Bz = Cz` for the assignment.

mod common;

use ark_ff::{BigInteger, PrimeField, Zero};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::ConstraintSystem;
use common::*;
use crease_circuits::{isa, Batch, Fr};
use crease_folding::r1cs::R1csShape;
use crease_folding::step::StepCircuit;
use crease_nvm::encode::*;
use crease_nvm::{Input, Isa};

fn w1_and_check(env: &Env, i: usize, ch: Challenges) -> Vec<Fr> {
    let recs: Vec<_> = env
        .records()
        .into_iter()
        .filter(|(j, _)| *j == i)
        .map(|(_, r)| r)
        .take(5)
        .collect();
    let batch = Batch::new(env.circuits[i].clone(), i, 8);
    let w = batch.witness(&recs).expect("witness");
    let cs = ConstraintSystem::<Fr>::new_ref();
    let consts: Vec<FpVar<Fr>> = [ch.gamma, ch.beta, ch.alpha]
        .iter()
        .map(|c| FpVar::new_input(cs.clone(), || Ok(*c)).expect("alloc"))
        .collect();
    let z: Vec<FpVar<Fr>> = (0..2)
        .map(|k| FpVar::new_input(cs.clone(), || Ok(Fr::from(k as u64))).expect("alloc"))
        .collect();
    let before = cs.num_witness_variables();
    let w1 = batch.generate_w1(cs.clone(), &w).expect("w1");
    let num_w1 = cs.num_witness_variables() - before;
    assert_eq!(before, 0);
    batch
        .generate_step_constraints(cs.clone(), &consts, &z, &w1, &w)
        .expect("synthesize");
    let shape = R1csShape::from_cs(&cs, num_w1).expect("shape");
    let x = cs.instance_assignment().expect("x")[1..].to_vec();
    let wit = cs.witness_assignment().expect("w");
    let (w1v, w2v) = wit.split_at(num_w1);
    let zv = shape.z(Fr::from(1u64), &x, w1v, w2v).expect("z");
    assert!(
        shape
            .error_vector(&zv, Fr::from(1u64))
            .iter()
            .all(Zero::is_zero),
        "{}: Az ∘ Bz ≠ Cz",
        env.circuits[i].name()
    );
    w1v.to_vec()
}

#[test]
fn batches_fold_as_relaxed_r1cs_with_small_challenge_free_w1() {
    let mut code = Vec::new();
    for v in 0..6u32 {
        li_into(&mut code, 5, v.wrapping_mul(0x9e37_79b9));
        code.extend([
            add(6, 5, 5),
            lw(7, 0, 0),
            sw(5, 8, 0),
            mulh(9, 5, 6),
            rem(9, 6, 5),
            bne(0, 0, 8),
            jal(0, 4),
        ]);
    }
    let mut c = Vec::new();
    li_into(&mut c, 8, DATA);
    c.extend(code);
    // `lw 7, 0(x0)` reads address 0: give it a mapped address instead.
    let c: Vec<u32> = c
        .into_iter()
        .map(|w| if w == lw(7, 0, 0) { lw(7, 8, 4) } else { w })
        .collect();
    let mut c = c;
    exit(&mut c, 0);
    let env = Env::run(&c, &Isa::rv32im(), isa::rv32im(), &Input::default());
    let used: std::collections::BTreeSet<usize> = env.records().iter().map(|r| r.0).collect();
    for &i in &used {
        let a = w1_and_check(&env, i, Challenges::random(&mut rng(1)));
        let b = w1_and_check(&env, i, Challenges::random(&mut rng(2)));
        assert_eq!(a, b, "W1 depends on the challenges");
        assert!(
            a.iter().all(|v| v.into_bigint().num_bits() <= 33),
            "{}: W1 holds a value wider than 33 bits",
            env.circuits[i].name()
        );
    }
}
