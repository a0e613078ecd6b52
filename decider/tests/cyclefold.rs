//! The CycleFold decider on real accumulators of IVC runs, and attacks on it.

use ark_ec::CurveGroup;
use ark_ff::{AdditiveGroup, Field};
use crease_decider::cyclefold::{self as cfd, CfProof};
use crease_decider::Error;
use crease_folding::commitment::{CommitmentKey, PedersenKey};
use crease_folding::cyclefold::{extended_key, CfInstance, CfWitness};
use crease_folding::ivc::{self, IvcParams, IvcProof, IvcProver};
use crease_folding::poseidon::Transcript;
use crease_folding::r1cs::R1csShape;
use crease_folding::testing::{values, FlakyCircuit, ProductCircuit};
use crease_folding::{Fq, Fr};

fn circuit() -> FlakyCircuit {
    FlakyCircuit(ProductCircuit { size: 16, bits: 32 })
}

fn run(params: &IvcParams, steps: usize, seed: u64) -> (IvcProof, Vec<Fr>) {
    let z0 = vec![Fr::ONE, Fr::ZERO];
    let mut p = IvcProver::new(params, circuit(), z0, vec![Fr::from(7u64)]).expect("prover");
    for i in 0..steps {
        p.prove_step(&(values(seed + i as u64, 16, 32), false))
            .expect("step");
    }
    (p.proof().expect("proof"), p.z().to_vec())
}

struct Accs {
    shape: R1csShape<Fq>,
    key: PedersenKey,
    insts: Vec<CfInstance>,
    ws: Vec<CfWitness>,
}

/// The CycleFold accumulators of three IVC runs of different lengths.
fn accs() -> Accs {
    let params = IvcParams::setup(&circuit()).expect("params");
    let mut insts = Vec::new();
    let mut ws = Vec::new();
    let mut shape = None;
    for (steps, seed) in [(3usize, 1u64), (2, 40), (4, 90)] {
        let (proof, z) = run(&params, steps, seed);
        let o =
            ivc::reduce(&params, steps as u64, &[Fr::ONE, Fr::ZERO], &z, &proof).expect("reduces");
        o.discharge().expect("satisfied");
        insts.push(o.cf.clone());
        ws.push(o.cf_w.clone());
        shape = Some(o.cf_shape.clone());
    }
    let shape = shape.expect("a run");
    let key = extended_key(params.shared().cf_key(), cfd::key_len(&shape));
    Accs {
        shape,
        key,
        insts,
        ws,
    }
}

fn prove(a: &Accs) -> CfProof {
    let pairs: Vec<(&CfInstance, &CfWitness)> = a.insts.iter().zip(&a.ws).collect();
    cfd::prove(&a.shape, &a.key, &pairs, &mut Transcript::new(b"cf")).expect("prove")
}

fn verify(a: &Accs, insts: &[CfInstance], p: &CfProof) -> Result<(), Error> {
    let refs: Vec<&CfInstance> = insts.iter().collect();
    cfd::verify(
        &a.shape,
        a.key.bases(),
        &refs,
        p,
        &mut Transcript::new(b"cf"),
    )
}

#[test]
fn merged_accumulators_of_real_runs_verify() {
    let a = accs();
    let p = prove(&a);
    verify(&a, &a.insts, &p).expect("verifies");
    // One accumulator alone.
    let one = Accs {
        shape: a.shape.clone(),
        key: a.key.clone(),
        insts: a.insts[..1].to_vec(),
        ws: a.ws[..1].to_vec(),
    };
    verify(&one, &one.insts, &prove(&one)).expect("verifies");
}

#[test]
fn every_part_of_the_proof_is_bound() {
    let a = accs();
    let p = prove(&a);
    let g = a.key.bases()[3];
    let bump = |pt: &mut crease_folding::GrumpkinAffine| *pt = (*pt + g).into_affine();
    for k in 0..4 {
        let mut bad = p.clone();
        bad.abce[k] += Fq::ONE;
        assert!(verify(&a, &a.insts, &bad).is_err(), "abce {k}");
    }
    let mut bad = p.clone();
    bad.w += Fq::ONE;
    assert!(verify(&a, &a.insts, &bad).is_err());
    for j in 0..p.merges.len() {
        let mut bad = p.clone();
        bump(&mut bad.merges[j]);
        assert!(verify(&a, &a.insts, &bad).is_err(), "merge {j}");
    }
    for (round, sent) in p.outer.rounds.iter().enumerate() {
        for k in 0..sent.len() {
            let mut bad = p.clone();
            bad.outer.rounds[round][k] += Fq::ONE;
            assert!(verify(&a, &a.insts, &bad).is_err(), "outer {round} {k}");
        }
    }
    for (round, sent) in p.inner.rounds.iter().enumerate() {
        for k in 0..sent.len() {
            let mut bad = p.clone();
            bad.inner.rounds[round][k] += Fq::ONE;
            assert!(verify(&a, &a.insts, &bad).is_err(), "inner {round} {k}");
        }
    }
    for j in 0..p.open_e.l.len() {
        let mut bad = p.clone();
        bump(&mut bad.open_e.l[j]);
        assert!(verify(&a, &a.insts, &bad).is_err(), "E L {j}");
        let mut bad = p.clone();
        let last = bad.open_w.r.len() - 1;
        bump(&mut bad.open_w.r[j.min(last)]);
        assert!(verify(&a, &a.insts, &bad).is_err(), "W R {j}");
    }
    let mut bad = p.clone();
    bad.open_w.a += Fq::ONE;
    assert!(verify(&a, &a.insts, &bad).is_err());
    let mut short = p.clone();
    short.merges.pop();
    assert!(verify(&a, &a.insts, &short).is_err());
    // The instances: each changed, reordered, one dropped.
    for i in 0..a.insts.len() {
        let mut insts = a.insts.clone();
        insts[i].u += Fq::ONE;
        assert!(verify(&a, &insts, &p).is_err(), "u {i}");
        let mut insts = a.insts.clone();
        insts[i].x[0] += Fq::ONE;
        assert!(verify(&a, &insts, &p).is_err(), "x {i}");
        let mut insts = a.insts.clone();
        insts[i].cm_e = (insts[i].cm_e + g).into_affine();
        assert!(verify(&a, &insts, &p).is_err(), "C_E {i}");
    }
    let mut insts = a.insts.clone();
    insts.swap(0, 2);
    assert!(verify(&a, &insts, &p).is_err());
    assert!(verify(&a, &a.insts[..2], &p).is_err());
    assert!(matches!(
        verify(&a, &[], &p),
        Err(Error::WrongLength { .. })
    ));
}

/// An accumulator that is not satisfied (an `E` or `W` entry changed and its commitment
/// made anew, so the commitments open) is rejected however the prover proceeds.
#[test]
fn an_unsatisfied_accumulator_is_rejected() {
    for (target, in_e) in [(0usize, true), (1, false), (2, true)] {
        let mut a = accs();
        let w = &mut a.ws[target];
        if in_e {
            w.e[5] += Fq::ONE;
            a.insts[target].cm_e = a.key.commit(&a.ws[target].e).expect("commit");
        } else {
            w.w[7] += Fq::ONE;
            a.insts[target].cm_w = a.key.commit(&a.ws[target].w).expect("commit");
        }
        let p = prove(&a);
        assert!(verify(&a, &a.insts, &p).is_err(), "target {target}");
    }
}

/// `W` with entries past the shape's length (inside the opened block of `2^ν`) opens to no
/// witness of the shape: rejected by the tail term, whether the extra entry is the last of
/// the block or the first past the shape.
#[test]
fn a_witness_longer_than_the_shape_is_rejected() {
    let a = accs();
    let block = 1 << crease_folding::mle::num_vars(a.shape.num_w2.max(1 + a.shape.num_io));
    for len in [a.shape.num_w2 + 1, block] {
        let mut w = a.ws[0].clone();
        w.w.resize(len, Fq::from(3u64));
        let mut inst = a.insts[0].clone();
        inst.cm_w = a.key.commit(&w.w).expect("commit");
        let p = cfd::prove_merged(
            &a.shape,
            &a.key,
            &inst,
            &w,
            vec![],
            &mut Transcript::new(b"cf"),
        )
        .expect("proves what it holds");
        assert!(verify(&a, &[inst], &p).is_err(), "W of {len}");
    }
    // The same route with the honest witness verifies (the test's prover is the real one).
    let p = cfd::prove_merged(
        &a.shape,
        &a.key,
        &a.insts[0],
        &a.ws[0],
        vec![],
        &mut Transcript::new(b"cf"),
    )
    .expect("prove");
    verify(&a, &a.insts[..1], &p).expect("verifies");
}

/// As for the primary argument: both transcripts end in step.
#[test]
fn prover_and_verifier_transcripts_end_in_step() {
    let a = accs();
    let pairs: Vec<(&CfInstance, &CfWitness)> = a.insts.iter().zip(&a.ws).collect();
    let mut tp = Transcript::new(b"cf");
    let p = cfd::prove(&a.shape, &a.key, &pairs, &mut tp).expect("prove");
    let mut tv = Transcript::new(b"cf");
    let refs: Vec<&CfInstance> = a.insts.iter().collect();
    cfd::verify(&a.shape, a.key.bases(), &refs, &p, &mut tv).expect("verify");
    assert_eq!(tp.challenge(), tv.challenge());
}
