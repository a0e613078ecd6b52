//! IVC runs: an honest run verifies and every tampering the issue lists is rejected.

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, Field};

use super::*;
use crate::testing::{values, FlakyCircuit, ProductCircuit};

fn circuit() -> FlakyCircuit {
    FlakyCircuit(ProductCircuit { size: 16, bits: 32 })
}

fn ext(i: usize, lie: bool) -> (Vec<Fr>, bool) {
    (values(i as u64, 16, 32), lie)
}

fn run(params: &IvcParams, steps: usize, lie_at: Option<usize>) -> (IvcProof, Vec<Fr>) {
    let z0 = vec![Fr::ONE, Fr::ZERO];
    let mut p = IvcProver::new(params, circuit(), z0, vec![Fr::from(7u64)]).unwrap();
    for i in 0..steps {
        p.prove_step(&ext(i, lie_at == Some(i))).unwrap();
    }
    (p.proof(), p.z().to_vec())
}

fn params() -> IvcParams {
    IvcParams::setup(&circuit()).unwrap()
}

#[test]
fn honest_run_verifies_and_counts_are_pinned() {
    let params = params();
    let z0 = vec![Fr::ONE, Fr::ZERO];
    for steps in [1usize, 2, 4] {
        let (proof, zn) = run(&params, steps, None);
        verify(&params, steps as u64, &z0, &zn, &proof).unwrap();
        let bytes = proof.to_bytes().unwrap();
        let back = IvcProof::from_bytes(&bytes).unwrap();
        verify(&params, steps as u64, &z0, &zn, &back).unwrap();
    }
    // A step circuit without constraints measures the recursion overhead exactly.
    let empty = IvcParams::setup(&ProductCircuit { size: 0, bits: 32 }).unwrap();
    let overhead = empty.shape().num_constraints;
    println!(
        "augmented circuit: {overhead} constraints on top of the step circuit ({} with the test step)",
        params.shape().num_constraints
    );
    assert!(overhead <= 40_000, "{overhead}");
    assert_eq!(overhead, 26_015);
}

#[test]
fn params_roundtrip_and_digest_is_pinned() {
    let params = params();
    let bytes = params.to_bytes().unwrap();
    assert_eq!(IvcParams::from_bytes(&bytes).unwrap(), params);
    let mut bad = bytes.clone();
    bad[0] ^= 1;
    assert!(matches!(
        IvcParams::from_bytes(&bad),
        Err(Error::BadHeader { .. })
    ));
    assert!(IvcParams::from_bytes(&bytes[..bytes.len() / 2]).is_err());
    assert_eq!(
        params.digest().to_string(),
        "9838268895980658862844383704999684197110933373892510639362883824335225629022"
    );
}

#[test]
fn wrong_witness_in_any_step_is_rejected() {
    let params = params();
    let z0 = vec![Fr::ONE, Fr::ZERO];
    for lie in 0..3 {
        let (proof, zn) = run(&params, 3, Some(lie));
        assert!(
            verify(&params, 3, &z0, &zn, &proof).is_err(),
            "lie at {lie}"
        );
    }
}

#[test]
fn tampered_statements_and_proofs_are_rejected() {
    let params = params();
    let z0 = vec![Fr::ONE, Fr::ZERO];
    let (proof, zn) = run(&params, 3, None);
    verify(&params, 3, &z0, &zn, &proof).unwrap();

    // z_n, z_0 and the step count.
    let mut bad_zn = zn.clone();
    bad_zn[1] += Fr::ONE;
    assert!(verify(&params, 3, &z0, &bad_zn, &proof).is_err());
    let bad_z0 = vec![Fr::ONE, Fr::ONE];
    assert!(verify(&params, 3, &bad_z0, &zn, &proof).is_err());
    for steps in [0u64, 2, 4] {
        assert!(verify(&params, steps, &z0, &zn, &proof).is_err());
    }

    let g = G1::generator();
    let bump = |p: &G1| (p.into_group() + g).into_affine();
    type Tamper<'a> = Box<dyn Fn(&mut IvcProof) + 'a>;
    let cases: Vec<(&str, Tamper)> = vec![
        ("fresh C_W1", Box::new(move |p| p.u.cw1 = bump(&p.u.cw1))),
        ("fresh C_W2", Box::new(move |p| p.u.cw2 = bump(&p.u.cw2))),
        (
            "running C_W1",
            Box::new(move |p| p.big_u.cw1 = bump(&p.big_u.cw1)),
        ),
        (
            "running C_W2",
            Box::new(move |p| p.big_u.cw2 = bump(&p.big_u.cw2)),
        ),
        ("v_E", Box::new(|p| p.big_u.v_e += Fr::ONE)),
        ("r_E", Box::new(|p| p.big_u.r_e[0] += Fr::ONE)),
        ("u", Box::new(|p| p.big_u.u += Fr::ONE)),
        ("CycleFold x", Box::new(|p| p.cf_u.x[5] += Fq::ONE)),
        ("CycleFold u", Box::new(|p| p.cf_u.u += Fq::ONE)),
        ("CycleFold C_E", Box::new(|p| p.cf_u.cm_e = p.cf_u.cm_w)),
        ("W1 hash", Box::new(|p| p.w1_hash += Fr::ONE)),
        ("constants", Box::new(|p| p.constants[0] += Fr::ONE)),
        ("fresh W2", Box::new(|p| p.w.w2[3] += Fr::ONE)),
        ("running W1", Box::new(|p| p.big_w.w1[0] += Fr::ONE)),
    ];
    for (what, f) in cases {
        let mut bad = proof.clone();
        f(&mut bad);
        assert!(verify(&params, 3, &z0, &zn, &bad).is_err(), "{what}");
    }

    // Flipped bytes in the serialized proof: an error either when reading or verifying.
    let bytes = proof.to_bytes().unwrap();
    let step = (bytes.len() / 97).max(1);
    for pos in (0..bytes.len()).step_by(step) {
        let mut b = bytes.clone();
        b[pos] ^= 0x04;
        let ok = IvcProof::from_bytes(&b).and_then(|p| verify(&params, 3, &z0, &zn, &p));
        assert!(ok.is_err(), "flip at {pos}");
    }
}

#[test]
fn tampered_intermediate_state_is_rejected() {
    let params = params();
    let z0 = vec![Fr::ONE, Fr::ZERO];
    let mut p = IvcProver::new(&params, circuit(), z0.clone(), vec![Fr::from(7u64)]).unwrap();
    p.prove_step(&ext(0, false)).unwrap();
    p.prove_step(&ext(1, false)).unwrap();
    p.state.zi[0] += Fr::ONE;
    p.prove_step(&ext(2, false)).unwrap();
    p.prove_step(&ext(3, false)).unwrap();
    let zn = p.z().to_vec();
    assert!(verify(&params, 4, &z0, &zn, &p.proof()).is_err());

    // A tampered CycleFold accumulator mid-run.
    let mut p = IvcProver::new(&params, circuit(), z0.clone(), vec![Fr::from(7u64)]).unwrap();
    for i in 0..3 {
        p.prove_step(&ext(i, false)).unwrap();
    }
    p.state.cf_u.x[0] += Fq::ONE;
    p.state.cf_w.e[0] += Fq::ONE;
    assert!(
        p.prove_step(&ext(3, false)).is_err() || {
            let zn = p.z().to_vec();
            verify(&params, 4, &z0, &zn, &p.proof()).is_err()
        }
    );
}

#[test]
fn w1_hash_matches_pass_one() {
    let params = params();
    let c = circuit();
    let (proof, _) = run(&params, 4, None);
    let commitments: Vec<G1> = (0..4)
        .map(|i| params.commit_w1(&c, &ext(i, false)).unwrap())
        .collect();
    assert_eq!(w1_hash_chain(&commitments), proof.w1_hash());
    let mut other = commitments.clone();
    other[1] = params.commit_w1(&c, &ext(9, false)).unwrap();
    assert_ne!(w1_hash_chain(&other), proof.w1_hash());
    other.swap(0, 2);
    assert_ne!(w1_hash_chain(&other), proof.w1_hash());

    // Reusing pass 1's commitments gives the same proof; a wrong one does not verify.
    let z0 = vec![Fr::ONE, Fr::ZERO];
    let mut p = IvcProver::new(&params, c.clone(), z0.clone(), vec![Fr::from(7u64)]).unwrap();
    for (i, cw1) in commitments.iter().enumerate() {
        p.prove_step_with_w1(&ext(i, false), Some(*cw1)).unwrap();
    }
    assert_eq!(p.proof(), proof);
    let mut p = IvcProver::new(&params, c, z0.clone(), vec![Fr::from(7u64)]).unwrap();
    for (i, cw1) in commitments.iter().enumerate() {
        let cw1 = if i == 1 { commitments[0] } else { *cw1 };
        p.prove_step_with_w1(&ext(i, false), Some(cw1)).unwrap();
    }
    let zn = p.z().to_vec();
    assert!(verify(&params, 4, &z0, &zn, &p.proof()).is_err());
}
