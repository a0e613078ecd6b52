//! IVC runs: an honest run verifies and every tampering the issue lists is rejected.

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, Field};

use super::*;
use crate::r1cs::R1csShape;
use crate::testing::{values, FlakyCircuit, ProductCircuit};
use crate::Fq;

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
    (p.proof().unwrap(), p.z().to_vec())
}

fn final_w(p: &mut IvcProof) -> &mut Witness {
    match &mut p.last {
        FinalWitness::Fresh(w) | FinalWitness::Folded(_, w) => w,
    }
}

fn final_fold(p: &mut IvcProof) -> &mut FoldProof {
    match &mut p.last {
        FinalWitness::Folded(fp, _) => fp,
        FinalWitness::Fresh(_) => panic!("no final fold after one step"),
    }
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
    assert_eq!(overhead, 18_373);
}

/// With the prover's key tables built, a run makes the same commitments (it verifies, and
/// its fresh commitments equal the plain MSMs), a wrong witness is still caught, and the
/// table path really ran (most of `W2` is full-size and lies within the table).
#[test]
fn runs_with_the_prover_tables_verify() {
    let params = params();
    params.build_prover_tables();
    let z0 = vec![Fr::ONE, Fr::ZERO];
    let (proof, zn) = run(&params, 3, None);
    verify(&params, 3, &z0, &zn, &proof).unwrap();
    let mut p = IvcProver::new(&params, circuit(), z0.clone(), vec![Fr::from(7u64)]).unwrap();
    p.prove_step(&ext(0, false)).unwrap();
    let w = p.fresh_witness();
    let (c1, c2) = params.commit_fresh_witness(w).unwrap();
    assert_eq!(c1, params.key().commit(&w.w1).unwrap());
    assert_eq!(c2, params.key().commit(&w.w2).unwrap());
    let full =
        w.w2.iter()
            .filter(|v| ark_ff::BigInteger::num_bits(&ark_ff::PrimeField::into_bigint(**v)) > 64)
            .count();
    assert!(2 * full > w.w2.len() && w.w2.len() < 65_536);
    let (bad, zn) = run(&params, 3, Some(1));
    assert!(verify(&params, 3, &z0, &zn, &bad).is_err());
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
    for cut in [9, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            IvcParams::from_bytes(&bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(IvcParams::from_bytes(&longer).is_err());
    assert_eq!(
        params.digest().to_string(),
        "8898482983056355592058494680298655587741811574966758427761594312084976684047"
    );
}

#[test]
fn every_section_of_a_parameter_file_refuses_damage() {
    let params = params();
    let shared = params.shared().to_bytes().unwrap();
    let chain = params.chain_to_bytes().unwrap();
    assert_eq!(
        IvcParams::chain_from_bytes(&chain, &SharedParams::from_bytes(&shared).unwrap()).unwrap(),
        params
    );
    // The shared section: key bases, G2 points, CycleFold shape, Grumpkin bases; then the
    // chain's shape, sizes and digest. Flipping any bit is an error, never a panic and never
    // the same parameters.
    let bytes = params.to_bytes().unwrap();
    let n = bytes.len();
    let mut positions: Vec<usize> = (8..n).step_by((n / 100).max(1)).collect();
    positions.extend([8, 9, 10, 11, 12, 40, 72, 73, n - 40, n - 33, n - 32, n - 1]);
    for pos in positions {
        for bit in [0x01u8, 0x40, 0x80] {
            let mut b = bytes.clone();
            b[pos] ^= bit;
            assert!(
                IvcParams::from_bytes(&b).is_err(),
                "flip {bit:#x} at {pos} of {n} accepted"
            );
        }
    }
    // A chain section under another key is refused (its digest binds the key's bases).
    let other = SharedParams::with_key(crate::commitment::PowersOfTauKey::from_seed(
        b"another key",
        params.key().max_len(),
    ))
    .unwrap();
    assert!(IvcParams::chain_from_bytes(&chain, &other).is_err());
    // A key shorter than the shape needs.
    let short = SharedParams::dev(params.shape().num_w1.max(params.shape().num_w2) - 1).unwrap();
    assert!(matches!(
        IvcParams::chain_from_bytes(&chain, &short),
        Err(Error::KeyTooShort { .. })
    ));
    // A longer shared key gives the same chain digest: only the prefix used is bound.
    let long = SharedParams::dev(params.key().max_len() + 10).unwrap();
    let again = IvcParams::chain_from_bytes(&chain, &long).unwrap();
    assert_eq!(again.digest(), params.digest());
}

#[test]
fn the_compact_shape_encoding_round_trips_and_is_small() {
    let params = params();
    let shape = params.shape();
    let bytes = shape.to_compact();
    assert_eq!(&R1csShape::from_compact(&bytes).unwrap(), shape);
    let per_entry = bytes.len() as f64 / shape.nnz() as f64;
    println!(
        "compact shape: {} bytes, {per_entry:.2} per non-zero entry",
        bytes.len()
    );
    assert!(per_entry < 4.0, "{per_entry}");
    for cut in [0, 1, bytes.len() / 3, bytes.len() - 1] {
        assert!(R1csShape::<Fr>::from_compact(&bytes[..cut]).is_err());
    }
    let cf = params.cf_shape().to_compact();
    assert_eq!(
        &R1csShape::<Fq>::from_compact(&cf).unwrap(),
        params.cf_shape()
    );
}

#[test]
fn a_one_step_proof_carries_the_fresh_witness() {
    let params = params();
    let z0 = vec![Fr::ONE, Fr::ZERO];
    let (proof, zn) = run(&params, 1, None);
    assert!(matches!(proof.final_witness(), FinalWitness::Fresh(_)));
    verify(&params, 1, &z0, &zn, &proof).unwrap();
    let back = IvcProof::from_bytes(&proof.to_bytes().unwrap()).unwrap();
    verify(&params, 1, &z0, &zn, &back).unwrap();
    let mut bad = proof.clone();
    final_w(&mut bad).w1[2] += Fr::ONE;
    assert!(verify(&params, 1, &z0, &zn, &bad).is_err());
    let mut bad = proof.clone();
    final_w(&mut bad).w2[0] += Fr::ONE;
    assert!(verify(&params, 1, &z0, &zn, &bad).is_err());
    // Folding into the trivial instance is also sound: an honest such fold verifies, and a
    // tampered one does not.
    let mut p = IvcProver::new(&params, circuit(), z0.clone(), vec![Fr::from(7u64)]).unwrap();
    p.prove_step(&ext(0, false)).unwrap();
    let s = &p.state;
    let mut tr = final_transcript(&s.u);
    let (_, folded, fp, _) =
        mova::prove(&params.shape, &mut tr, &s.big_u, &p.big_w, &s.u, &s.w, None).unwrap();
    let mut folded_proof = proof.clone();
    folded_proof.last = FinalWitness::Folded(fp, folded.w);
    verify(&params, 1, &z0, &zn, &folded_proof).unwrap();
    final_fold(&mut folded_proof).t += Fr::ONE;
    assert!(verify(&params, 1, &z0, &zn, &folded_proof).is_err());
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
        ("fresh x", Box::new(|p| p.u.x[0] += Fr::ONE)),
        ("final W1", Box::new(|p| final_w(p).w1[0] += Fr::ONE)),
        ("final W2", Box::new(|p| final_w(p).w2[3] += Fr::ONE)),
        (
            "final W2 (last)",
            Box::new(|p| *final_w(p).w2.last_mut().unwrap() += Fr::ONE),
        ),
        ("final fold h", Box::new(|p| final_fold(p).h[0] += Fr::ONE)),
        ("final fold t", Box::new(|p| final_fold(p).t += Fr::ONE)),
        (
            "final witness passed as fresh",
            Box::new(|p| {
                let w = final_w(p).clone();
                p.last = FinalWitness::Fresh(w);
            }),
        ),
        ("CycleFold W", Box::new(|p| p.cf_w.w[0] += Fq::ONE)),
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
    assert!(verify(&params, 4, &z0, &zn, &p.proof().unwrap()).is_err());

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
            p.proof()
                .and_then(|pr| verify(&params, 4, &z0, &zn, &pr))
                .is_err()
        }
    );
}

/// Attack on the running instance's limbs. Step `i` takes `U_i`'s commitment limbs as
/// witnesses and trusts `h_i` to make them the limbs step `i − 1` checked and hashed. The
/// state hash absorbs a point's limbs in pairs `l_2k + 2^85·l_2k+1`, so a prover can re-split
/// a pair — `l_2k + 2^85·t` and `l_2k+1 − t` for any field element `t` (the pair `(l_2, l_3)`
/// straddles `x` and `y`) — without changing an absorbed element: the input hash still equals
/// `u_i.x`, and nothing else in the circuit looks at those limbs but the CycleFold public
/// inputs, which then describe other integers than the commitments hashed into the state.
/// The limbs were allocated without range checks, and the circuit was satisfied with every
/// re-split below (a prover synthesizes the whole step from its own limbs, as this test
/// does; run against the code before the fix, each one was). They are now range-checked,
/// which makes a pair determine its limbs (it is below `2^170 < r`): every re-split puts
/// some limb out of its width, its top digit is then no bit, and the circuit is
/// unsatisfied.
#[test]
fn a_running_instance_with_resplit_limbs_is_rejected() {
    let params = params();
    let z0 = vec![Fr::ONE, Fr::ZERO];
    let mut p = IvcProver::new(&params, circuit(), z0, vec![Fr::from(7u64)]).unwrap();
    for i in 0..2 {
        p.prove_step(&ext(i, false)).unwrap();
    }
    // Step 2's inputs as the prover makes them; U_2 is not the trivial instance.
    let s = &p.state;
    assert!(!s.big_u.is_zero());
    let (tr, nu, _, proof, ch) = p.fold_last(augmented::FOLD_LABEL, None).unwrap();
    let (_, _, cf_in) = p.fold_cyclefold(tr, &nu, &ch).unwrap();
    let inp = s.inputs(params.digest);
    let fold_in = augmented::FoldInputs {
        proof: &proof,
        next_cw: [nu.cw1, nu.cw2],
    };
    let satisfied = |limbs: [[Fr; 6]; 2]| {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let n_vars = params.shape.num_vars();
        augmented::begin_with_limbs(cs.clone(), &p.circuit, &ext(2, false), &inp, n_vars, limbs)
            .and_then(|b| b.fold(&fold_in))
            .and_then(|f| f.finish(&cf_in))
            .unwrap();
        cs.is_satisfied().unwrap()
    };
    let honest = [s.big_u.cw1, s.big_u.cw2].map(|c| crate::poseidon::g1_limbs(&c).map(Fr::from));
    assert!(satisfied(honest));
    let two85 = Fr::from(1u128 << 85);
    let pairs = |l: &[Fr; 6]| [0, 1, 2].map(|k| l[2 * k] + two85 * l[2 * k + 1]);
    let mut rng = ark_std::test_rng();
    for point in 0..2 {
        for k in 0..3 {
            let random = <Fr as ark_ff::UniformRand>::rand(&mut rng);
            // With t = 2^−85 the low limb stays in range (one more) and the high one does not.
            for t in [Fr::ONE, -Fr::ONE, two85.inverse().unwrap(), random] {
                let mut limbs = honest;
                limbs[point][2 * k] += two85 * t;
                limbs[point][2 * k + 1] -= t;
                assert_ne!(limbs, honest);
                assert_eq!(pairs(&limbs[point]), pairs(&honest[point]));
                assert!(!satisfied(limbs), "point {point}, pair {k}, t = {t}");
            }
        }
    }
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
    assert_eq!(p.proof().unwrap(), proof);
    let mut p = IvcProver::new(&params, c, z0.clone(), vec![Fr::from(7u64)]).unwrap();
    for (i, cw1) in commitments.iter().enumerate() {
        let cw1 = if i == 1 { commitments[0] } else { *cw1 };
        p.prove_step_with_w1(&ext(i, false), Some(cw1)).unwrap();
    }
    let zn = p.z().to_vec();
    assert!(verify(&params, 4, &z0, &zn, &p.proof().unwrap()).is_err());
}

/// A step circuit that (wrongly) allocates as many `W1` values as it is given.
struct VariableW1;

impl StepCircuit for VariableW1 {
    type ExternalWitness = Vec<Fr>;
    fn arity(&self) -> usize {
        1
    }
    fn num_constants(&self) -> usize {
        0
    }
    fn dummy_external_witness(&self) -> Vec<Fr> {
        vec![Fr::ZERO; 4]
    }
    fn generate_w1(
        &self,
        cs: ark_relations::gr1cs::ConstraintSystemRef<Fr>,
        ext: &Vec<Fr>,
    ) -> Result<Vec<ark_r1cs_std::fields::fp::FpVar<Fr>>, ark_relations::gr1cs::SynthesisError>
    {
        use ark_r1cs_std::alloc::AllocVar;
        ext.iter()
            .map(|v| ark_r1cs_std::fields::fp::FpVar::new_witness(cs.clone(), || Ok(*v)))
            .collect()
    }
    fn generate_step_constraints(
        &self,
        _cs: ark_relations::gr1cs::ConstraintSystemRef<Fr>,
        _constants: &[ark_r1cs_std::fields::fp::FpVar<Fr>],
        z: &[ark_r1cs_std::fields::fp::FpVar<Fr>],
        w1: &[ark_r1cs_std::fields::fp::FpVar<Fr>],
        _ext: &Vec<Fr>,
    ) -> Result<Vec<ark_r1cs_std::fields::fp::FpVar<Fr>>, ark_relations::gr1cs::SynthesisError>
    {
        let s: ark_r1cs_std::fields::fp::FpVar<Fr> = w1.iter().sum();
        Ok(vec![&z[0] + s])
    }
}

#[test]
fn a_step_with_a_different_w1_length_is_refused() {
    let params = IvcParams::setup(&VariableW1).unwrap();
    let mut p = IvcProver::new(&params, VariableW1, vec![Fr::ZERO], vec![]).unwrap();
    p.prove_step(&vec![Fr::ONE; 4]).unwrap();
    assert!(matches!(
        p.prove_step(&vec![Fr::ONE; 5]),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        params.commit_w1(&VariableW1, &vec![Fr::ONE; 3]),
        Err(Error::ShapeMismatch { .. })
    ));
}
