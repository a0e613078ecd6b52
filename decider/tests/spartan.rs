//! The batched argument on real folded accumulators, and attacks on it.

use ark_ff::Field;
use crease_decider::opening::OpeningKey;
use crease_decider::spartan::{self, SpartanProof};
use crease_folding::commitment::CommitmentKey;
use crease_folding::poseidon::Transcript;
use crease_folding::r1cs::{R1csShape, RunningInstance, Witness};
use crease_folding::Fr;

mod common;
use common::{batch, prove, Batch};

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
