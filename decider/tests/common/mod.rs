//! Set-up shared by the batched argument's tests: real folded accumulators of two shapes.

#![allow(dead_code)]

use ark_ff::{AdditiveGroup, Field};
use crease_decider::spartan::{self, SpartanProof};
use crease_folding::commitment::PowersOfTauKey;
use crease_folding::mova::{self, RunningWitness};
use crease_folding::poseidon::Transcript;
use crease_folding::r1cs::{FreshInstance, R1csShape, RunningInstance, Witness};
use crease_folding::testing::{standalone, values, ProductCircuit};
use crease_folding::Fr;

pub struct Batch {
    pub key: PowersOfTauKey,
    pub shapes: Vec<R1csShape>,
    pub of: Vec<usize>,
    pub instances: Vec<RunningInstance>,
    pub witnesses: Vec<Witness>,
}

/// `steps` fresh steps of `circuit`, from seed `seed`.
pub fn steps(
    key: &PowersOfTauKey,
    circuit: &ProductCircuit,
    seed: u64,
    n: usize,
) -> (R1csShape, Vec<(FreshInstance, Witness)>) {
    let mut z = vec![Fr::ONE, Fr::ZERO];
    let mut out = Vec::new();
    let mut shape = None;
    for i in 0..n {
        let ext = values(seed + i as u64, circuit.size, circuit.bits);
        let (s, x, w) = standalone(circuit, Fr::from(99u64), &z, &ext).expect("step");
        z = x[3..5].to_vec();
        out.push((FreshInstance::commit(key, x, &w).expect("commit"), w));
        shape = Some(s);
    }
    (shape.expect("a step"), out)
}

pub fn accumulate(
    shape: &R1csShape,
    steps: &[(FreshInstance, Witness)],
) -> (RunningInstance, Witness) {
    let mut big_u = RunningInstance::zero(shape);
    let mut big_w = RunningWitness::zero(shape);
    for (u, w) in steps {
        let mut t = Transcript::new(b"fold");
        mova::absorb_running(&mut t, &big_u);
        mova::absorb_fresh(&mut t, u);
        let (nu, nw, _, _) = mova::prove(shape, &mut t, &big_u, &big_w, u, w, None).expect("fold");
        big_u = nu;
        big_w = nw;
    }
    (big_u, big_w.w)
}

/// Two shapes of different sizes; two folded accumulators of the first, one of the second,
/// and a fresh instance of the first read as relaxed (`u = 1`, `v_E = 0` at a point).
pub fn batch() -> Batch {
    let key = PowersOfTauKey::from_seed(b"spartan test", 1 << 12);
    let (big, big_steps) = steps(&key, &ProductCircuit { size: 37, bits: 32 }, 1, 5);
    let (small, small_steps) = steps(&key, &ProductCircuit { size: 5, bits: 8 }, 50, 3);
    let (u0, w0) = accumulate(&big, &big_steps[..3]);
    let (u1, w1) = accumulate(&big, &big_steps[3..]);
    let (u2, w2) = accumulate(&small, &small_steps);
    let (fresh, fw) = big_steps[0].clone();
    let r_e = (0..big.num_vars())
        .map(|i| Fr::from(3 + i as u64))
        .collect();
    let u3 = RunningInstance {
        cw1: fresh.cw1,
        cw2: fresh.cw2,
        x: fresh.x,
        u: Fr::ONE,
        r_e,
        v_e: Fr::ZERO,
    };
    for (s, u, w) in [
        (&big, &u0, &w0),
        (&big, &u1, &w1),
        (&small, &u2, &w2),
        (&big, &u3, &fw),
    ] {
        s.check_running(&key, u, w).expect("honest accumulators");
    }
    Batch {
        key,
        shapes: vec![big, small],
        of: vec![0, 0, 1, 0],
        instances: vec![u0, u1, u2, u3],
        witnesses: vec![w0, w1, w2, fw],
    }
}

/// The honest batched proof of a batch.
pub fn prove(b: &Batch) -> SpartanProof {
    let shapes: Vec<&R1csShape> = b.shapes.iter().collect();
    let insts: Vec<&RunningInstance> = b.instances.iter().collect();
    let ws: Vec<&Witness> = b.witnesses.iter().collect();
    spartan::prove(
        &b.key,
        &shapes,
        &b.of,
        &insts,
        &ws,
        &mut Transcript::new(b"t"),
    )
    .expect("prove")
}
