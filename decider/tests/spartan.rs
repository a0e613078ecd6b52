//! The batched argument on real folded accumulators, and attacks on it.

use ark_ff::{AdditiveGroup, Field};
use crease_decider::opening::OpeningKey;
use crease_decider::spartan::{self, SpartanProof};
use crease_folding::commitment::{CommitmentKey, PowersOfTauKey};
use crease_folding::mova::{self, RunningWitness};
use crease_folding::poseidon::Transcript;
use crease_folding::r1cs::{FreshInstance, R1csShape, RunningInstance, Witness};
use crease_folding::testing::{standalone, values, ProductCircuit};
use crease_folding::Fr;

struct Batch {
    key: PowersOfTauKey,
    shapes: Vec<R1csShape>,
    of: Vec<usize>,
    instances: Vec<RunningInstance>,
    witnesses: Vec<Witness>,
}

/// `steps` fresh steps of `circuit`, from seed `seed`.
fn steps(
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

fn accumulate(shape: &R1csShape, steps: &[(FreshInstance, Witness)]) -> (RunningInstance, Witness) {
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
fn batch() -> Batch {
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

fn prove(b: &Batch) -> SpartanProof {
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

fn verify(b: &Batch, instances: &[RunningInstance], of: &[usize], p: &SpartanProof) -> bool {
    let shapes: Vec<&R1csShape> = b.shapes.iter().collect();
    let insts: Vec<&RunningInstance> = instances.iter().collect();
    let vk = OpeningKey::of(&b.key).expect("key");
    spartan::verify(&vk, &shapes, of, &insts, p, &mut Transcript::new(b"t")).is_ok()
}

#[test]
fn a_batch_of_satisfied_accumulators_verifies() {
    let b = batch();
    let p = prove(&b);
    assert!(verify(&b, &b.instances, &b.of, &p));
}

#[test]
fn every_claimed_evaluation_changed_is_rejected() {
    let b = batch();
    let p = prove(&b);
    for i in 0..p.abc.len() {
        for k in 0..3 {
            let mut bad = p.clone();
            bad.abc[i][k] += Fr::ONE;
            assert!(!verify(&b, &b.instances, &b.of, &bad), "abc {i} {k}");
        }
        for k in 0..2 {
            let mut bad = p.clone();
            bad.w[i][k] += Fr::ONE;
            assert!(!verify(&b, &b.instances, &b.of, &bad), "w {i} {k}");
        }
    }
    for (round, sent) in p.outer.rounds.iter().enumerate() {
        for k in 0..sent.len() {
            let mut bad = p.clone();
            bad.outer.rounds[round][k] += Fr::ONE;
            assert!(!verify(&b, &b.instances, &b.of, &bad), "outer {round} {k}");
        }
    }
    for (round, sent) in p.inner.rounds.iter().enumerate() {
        for k in 0..sent.len() {
            let mut bad = p.clone();
            bad.inner.rounds[round][k] += Fr::ONE;
            assert!(!verify(&b, &b.instances, &b.of, &bad), "inner {round} {k}");
        }
    }
    let mut short = p.clone();
    short.abc.pop();
    assert!(!verify(&b, &b.instances, &b.of, &short));
}

#[test]
fn a_proof_is_bound_to_its_instances_and_their_shapes() {
    let b = batch();
    let p = prove(&b);
    for i in 0..b.instances.len() {
        let mut insts = b.instances.clone();
        insts[i].v_e += Fr::ONE;
        assert!(!verify(&b, &insts, &b.of, &p), "v_E {i}");
        let mut insts = b.instances.clone();
        insts[i].u += Fr::ONE;
        assert!(!verify(&b, &insts, &b.of, &p), "u {i}");
        let mut insts = b.instances.clone();
        insts[i].x[0] += Fr::ONE;
        assert!(!verify(&b, &insts, &b.of, &p), "x {i}");
        let mut insts = b.instances.clone();
        insts[i].r_e[0] += Fr::ONE;
        assert!(!verify(&b, &insts, &b.of, &p), "r_E {i}");
        let mut insts = b.instances.clone();
        let inst = &mut insts[i];
        (inst.cw1, inst.cw2) = (inst.cw2, inst.cw1);
        assert!(!verify(&b, &insts, &b.of, &p), "commitments {i}");
    }
    let mut swapped = b.instances.clone();
    swapped.swap(0, 1);
    assert!(!verify(&b, &swapped, &b.of, &p));
    // Instance 1 read as the small shape: refused (its sizes do not fit).
    assert!(!verify(&b, &b.instances, &[0, 1, 1, 0], &p));
}

/// A prover holding an accumulator that is not satisfied (a `W2` entry changed and the
/// commitment made anew, so the commitments open) cannot make the batch verify, whether it
/// proves honestly from its witness or keeps the old claimed evaluations.
#[test]
fn an_unsatisfied_accumulator_is_rejected() {
    for target in [0usize, 2, 3] {
        let mut b = batch();
        let honest = prove(&b);
        let w = &mut b.witnesses[target];
        let j = w.w2.len() / 2;
        w.w2[j] += Fr::ONE;
        b.instances[target].cw2 = b.key.commit(&w.w2).expect("commit");
        let shape = &b.shapes[b.of[target]];
        assert!(shape
            .check_running(&b.key, &b.instances[target], &b.witnesses[target])
            .is_err());
        let p = prove(&b);
        assert!(!verify(&b, &b.instances, &b.of, &p), "target {target}");
        assert!(!verify(&b, &b.instances, &b.of, &honest), "target {target}");
    }
    // A wrong W1 entry (the committed values) likewise.
    let mut b = batch();
    b.witnesses[1].w1[0] += Fr::ONE;
    b.instances[1].cw1 = b.key.commit(&b.witnesses[1].w1).expect("commit");
    let p = prove(&b);
    assert!(!verify(&b, &b.instances, &b.of, &p));
    // The zero accumulator is satisfied and verifies beside the others.
    let mut b = batch();
    b.instances[2] = RunningInstance::zero(&b.shapes[1]);
    b.witnesses[2] = Witness::zero(&b.shapes[1]);
    let p = prove(&b);
    assert!(verify(&b, &b.instances, &b.of, &p));
}

/// The prover's and the verifier's transcripts end in the same state, so that a caller can
/// prove another argument after this one on the same transcript.
#[test]
fn prover_and_verifier_transcripts_end_in_step() {
    let b = batch();
    let shapes: Vec<&R1csShape> = b.shapes.iter().collect();
    let insts: Vec<&RunningInstance> = b.instances.iter().collect();
    let ws: Vec<&Witness> = b.witnesses.iter().collect();
    let mut tp = Transcript::new(b"t");
    let p = spartan::prove(&b.key, &shapes, &b.of, &insts, &ws, &mut tp).expect("prove");
    let mut tv = Transcript::new(b"t");
    let vk = OpeningKey::of(&b.key).expect("key");
    spartan::verify(&vk, &shapes, &b.of, &insts, &p, &mut tv).expect("verify");
    assert_eq!(tp.challenge(), tv.challenge());
}
