//! Synthesis time of a batch (prover-side cost besides commitments), printed; ignored by
//! default: `cargo test -p crease-circuits --release --test synthesis_time -- --ignored --nocapture`.

mod common;

use std::time::Instant;

use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystem, SynthesisMode};
use common::*;
use crease_circuits::{isa, Batch, Fr};
use crease_folding::step::StepCircuit;
use crease_nvm::encode::*;
use crease_nvm::{Input, Isa};

#[test]
#[ignore]
fn batch_synthesis_time() {
    let mut code = Vec::new();
    for v in 0..1100u32 {
        code.push(add(7, 5, 6));
        code.push(addi(5, 5, v as i32 & 0x3ff));
    }
    exit(&mut code, 0);
    let env = Env::run(&code, &Isa::rv32im(), isa::rv32im(), &Input::default());
    for name in ["alu_reg", "alu_imm"] {
        let recs: Vec<_> = env
            .records()
            .into_iter()
            .filter(|(i, _)| env.circuits[*i].name() == name)
            .collect();
        let i = recs[0].0;
        let recs: Vec<_> = recs.into_iter().map(|(_, r)| r).take(1024).collect();
        for k in [256usize, 1024] {
            let batch = Batch::new(env.circuits[i].clone(), i, k);
            let start = Instant::now();
            let w = batch.witness(&recs[..k]).expect("witness");
            let cs = ConstraintSystem::<Fr>::new_ref();
            cs.set_mode(SynthesisMode::Prove {
                construct_matrices: false,
                generate_lc_assignments: true,
            });
            let t0 = start.elapsed();
            let c: Vec<FpVar<Fr>> = (0..3)
                .map(|j| FpVar::new_input(cs.clone(), || Ok(Fr::from(77 + j as u64))).expect("a"))
                .collect();
            let z: Vec<FpVar<Fr>> = (0..2)
                .map(|_| FpVar::new_witness(cs.clone(), || Ok(Fr::from(0u64))).expect("a"))
                .collect();
            let w1 = batch.generate_w1(cs.clone(), &w).expect("w1");
            batch
                .generate_step_constraints(cs.clone(), &c, &z, &w1, &w)
                .expect("synthesize");
            let t1 = start.elapsed();
            cs.finalize();
            let t = start.elapsed();
            println!(
                "  witness {:?} synthesis {:?} finalize {:?}",
                t0,
                t1 - t0,
                t - t1
            );
            println!(
                "{name} k={k}: {} constraints, {:.1} µs per execution (witness + synthesis)",
                cs.num_constraints(),
                t.as_secs_f64() * 1e6 / k as f64
            );
        }
    }
}
