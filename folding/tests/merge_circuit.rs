//! The merge verifier circuit agrees with the native merge and pins its size.

mod support;

use ark_ff::{AdditiveGroup, Field, PrimeField};
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::ConstraintSystem;
use crease_folding::augmented::CfVar;
use crease_folding::cf_merge::CfFullVar;
use crease_folding::commitment::PowersOfTauKey;
use crease_folding::cyclefold::{self, cf_absorb_elems, CfInstance};
use crease_folding::merge::MergeProof;
use crease_folding::merge_circuit::{self, MergeInputs};
use crease_folding::mova::{self, RunningWitness};
use crease_folding::poseidon::{g1_to_absorb, Transcript};
use crease_folding::r1cs::{FreshInstance, R1csShape, RunningInstance};
use crease_folding::testing::{standalone, values, ProductCircuit};
use crease_folding::{Fq, Fr, GrumpkinAffine};
use support::{accumulate, cf_setup, flip, merged_accumulator, satisfied_with, witness_of};

struct Fixture {
    shape: R1csShape,
    key: PowersOfTauKey,
    a: (RunningInstance, RunningWitness),
    b: (RunningInstance, RunningWitness),
}

fn fixture() -> Fixture {
    let circuit = ProductCircuit { size: 20, bits: 32 };
    let key = PowersOfTauKey::from_seed(b"merge test", 256);
    let mut z = vec![Fr::ONE, Fr::ZERO];
    let mut fresh = Vec::new();
    let mut shape = None;
    for i in 0..4u64 {
        let (s, x, w) = standalone(&circuit, Fr::from(3u64), &z, &values(i, 20, 32)).unwrap();
        z = x[3..5].to_vec();
        fresh.push((FreshInstance::commit(&key, x, &w).unwrap(), w));
        shape = Some(s);
    }
    let shape = shape.unwrap();
    let acc = |range: std::ops::Range<usize>| {
        let mut u = RunningInstance::zero(&shape);
        let mut w = RunningWitness::zero(&shape);
        for (fu, fw) in &fresh[range] {
            let mut t = Transcript::new(b"fold");
            mova::absorb_running(&mut t, &u);
            mova::absorb_fresh(&mut t, fu);
            let (nu, nw, _, _) = mova::prove(&shape, &mut t, &u, &w, fu, fw, None).unwrap();
            u = nu;
            w = nw;
        }
        (u, w)
    };
    let a = acc(0..2);
    let b = acc(2..4);
    Fixture { shape, key, a, b }
}

/// How the node circuit allocates its children's CycleFold accumulators.
#[derive(Clone, Copy)]
enum Alloc {
    /// Both as full-size instances (limbs range-checked).
    Full,
    /// The first child's as a full-size instance, the second child's converted from the
    /// small integers of a chain.
    FullAndSmall,
}

#[test]
fn merge_circuit_matches_native_merge() {
    let f = fixture();
    let mut rng = ark_std::test_rng();
    let (cf_shape, cf_key) = cf_setup();
    // The first child is a node (full-size CycleFold scalars), the second a chain.
    let cf1 = merged_accumulator(&mut rng, &cf_shape, &cf_key);
    let cf2 = accumulate(&mut rng, &cf_shape, &cf_key, 3);
    let res = merge_circuit::prove(
        &f.shape,
        &cf_shape,
        &cf_key,
        &f.a.0,
        &f.a.1,
        &f.b.0,
        &f.b.1,
        (&cf1.0, &cf1.1),
        (&cf2.0, &cf2.1),
    )
    .unwrap();
    mova::check(&f.shape, &f.key, &res.running, &res.witness).unwrap();
    cyclefold::check(&cf_shape, &cf_key, &res.cf, &res.cf_witness).unwrap();

    let run = |proof: &MergeProof, c1: &CfInstance, c2: &CfInstance, mt: GrumpkinAffine, how| {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let inp = MergeInputs {
            u1: &f.a.0,
            u2: &f.b.0,
            proof,
            next_cw: [res.running.cw1, res.running.cw2],
            cf_merge_cm_t: mt,
            cf_cm_w_new: res.cf_cm_w_new,
            cf_cm_t: res.cf_cm_t,
        };
        let (v1, v2) = match how {
            Alloc::Full => (
                CfFullVar::new_witness(&cs, c1).unwrap(),
                CfFullVar::new_witness(&cs, c2).unwrap(),
            ),
            Alloc::FullAndSmall => (
                CfFullVar::new_witness(&cs, c1).unwrap(),
                CfFullVar::from_small(&CfVar::new_witness(&cs, c2).unwrap()).unwrap(),
            ),
        };
        let (d1, d2) = (v1.digest(&cs).unwrap(), v2.digest(&cs).unwrap());
        let before = cs.num_constraints();
        let (m, c) =
            merge_circuit::synthesize(cs.clone(), &inp, (&v1, &d1), (&v2, &d2), f.shape.num_vars())
                .unwrap();
        assert!(cs.is_satisfied().unwrap());
        (cs.num_constraints() - before, m, c, cs)
    };
    let (count, m, c, cs) = run(&res.proof, &cf1.0, &cf2.0, res.cf_merge_cm_t, Alloc::Full);
    println!("merge circuit (both accumulators, children's digests given): {count} constraints");
    // For this shape n = 7; each further error-MLE variable adds a few hundred.
    assert_eq!(count, 38_478);
    let vals = |v: &[FpVar<Fr>]| -> Vec<Fr> { v.iter().map(|x| x.value().unwrap()).collect() };
    assert_eq!(vals(&m.absorb_elems()), {
        let mut t = g1_to_absorb(&res.running.cw1).to_vec();
        t.extend(g1_to_absorb(&res.running.cw2));
        t.extend(&res.running.x);
        t.push(res.running.u);
        t.extend(&res.running.r_e);
        t.push(res.running.v_e);
        t
    });
    assert_eq!(c.value().unwrap(), res.cf);
    assert_eq!(vals(&c.absorb_elems()), cf_absorb_elems(&res.cf));
    // Flipping a bit of the node's CycleFold output leaves the circuit unsatisfied.
    let i = witness_of(&cs, &c.x[20].limbs[1]);
    assert!(!satisfied_with(&cs, Some((i, flip))));
    let (_, m2, c2, _) = run(
        &res.proof,
        &cf1.0,
        &cf2.0,
        res.cf_merge_cm_t,
        Alloc::FullAndSmall,
    );
    assert_eq!(vals(&m2.absorb_elems()), vals(&m.absorb_elems()));
    assert_eq!(c2.value().unwrap(), res.cf);

    // A tampered message gives the verifier an instance the prover's witness does not
    // satisfy.
    let mut bad = res.proof.clone();
    bad.t += Fr::ONE;
    let (_, m, _, _) = run(&bad, &cf1.0, &cf2.0, res.cf_merge_cm_t, Alloc::Full);
    let mut inst = res.running.clone();
    inst.v_e = m.v_e.value().unwrap();
    assert_ne!(inst.v_e, res.running.v_e);
    assert!(mova::check(&f.shape, &f.key, &inst, &res.witness).is_err());

    // A tampered child accumulator or CycleFold merge cross term gives a CycleFold
    // accumulator the prover's witness does not satisfy.
    let mut c1 = cf1.0.clone();
    c1.x[9] += Fq::ONE;
    let mut c2 = cf2.0.clone();
    c2.u += Fq::ONE;
    for (a, b, t) in [
        (&c1, &cf2.0, res.cf_merge_cm_t),
        (&cf1.0, &c2, res.cf_merge_cm_t),
        (&cf1.0, &cf2.0, res.cf_cm_w_new),
    ] {
        let (_, _, c, _) = run(&res.proof, a, b, t, Alloc::Full);
        let got = c.value().unwrap();
        assert_ne!(got, res.cf);
        assert!(cyclefold::check(&cf_shape, &cf_key, &got, &res.cf_witness).is_err());
    }
}

/// The limbs of a CycleFold instance's scalars, `u` first, as the circuit allocates them.
fn limbs_of(c: &CfInstance) -> Vec<[Fr; 4]> {
    std::iter::once(&c.u)
        .chain(&c.x)
        .map(|s| {
            let b = s.into_bigint();
            let w = b.as_ref();
            [w[0], w[1], w[2], w[3]].map(Fr::from)
        })
        .collect()
}

/// A child's CycleFold accumulator is bound by its digest (which the node hashes) only
/// because its limbs are range-checked. The digest packs the top limbs of four scalars into
/// one element, `t_0 + 2^62·t_1 + 2^124·t_2 + 2^186·t_3`, so moving `2^62` from `t_1` to
/// `t_0` keeps it: `u` gains `2^254` and `x_0` loses `2^192`, another accumulator. With the
/// limbs unchecked (as children's accumulators were allocated) the merge circuit is
/// satisfied with the re-split limbs and the bound digest, and merges the other
/// accumulator; with the range checks, `t_0 + 2^62` does not fit in 62 bits and nothing
/// satisfies the circuit.
#[test]
fn resplit_top_limbs_keep_the_digest_but_fail_the_range_checks() {
    let f = fixture();
    let mut rng = ark_std::test_rng();
    let (cf_shape, cf_key) = cf_setup();
    let cf1 = merged_accumulator(&mut rng, &cf_shape, &cf_key);
    let cf2 = merged_accumulator(&mut rng, &cf_shape, &cf_key);
    let res = merge_circuit::prove(
        &f.shape,
        &cf_shape,
        &cf_key,
        &f.a.0,
        &f.a.1,
        &f.b.0,
        &f.b.1,
        (&cf1.0, &cf1.1),
        (&cf2.0, &cf2.1),
    )
    .unwrap();
    let honest = limbs_of(&cf1.0);
    assert_ne!(
        honest[1][3],
        Fr::ZERO,
        "x_0 has a non-zero top limb to move"
    );
    let mut resplit = honest.clone();
    resplit[0][3] += Fr::from(1u64 << 62);
    resplit[1][3] -= Fr::ONE;
    let bound = cyclefold::cf_digest(&cf1.0);

    let run = |limbs: &[[Fr; 4]], range_check: bool| {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let inp = MergeInputs {
            u1: &f.a.0,
            u2: &f.b.0,
            proof: &res.proof,
            next_cw: [res.running.cw1, res.running.cw2],
            cf_merge_cm_t: res.cf_merge_cm_t,
            cf_cm_w_new: res.cf_cm_w_new,
            cf_cm_t: res.cf_cm_t,
        };
        let v1 = CfFullVar::with_limbs(&cs, &cf1.0, limbs, range_check).unwrap();
        let v2 = CfFullVar::new_witness(&cs, &cf2.0).unwrap();
        let (d1, d2) = (v1.digest(&cs).unwrap(), v2.digest(&cs).unwrap());
        // What the node's hash of its child's state binds.
        d1.enforce_equal(&FpVar::Constant(bound)).unwrap();
        let (_, c) =
            merge_circuit::synthesize(cs.clone(), &inp, (&v1, &d1), (&v2, &d2), f.shape.num_vars())
                .unwrap();
        (
            cs.is_satisfied().unwrap(),
            v1.value().unwrap(),
            c.value().unwrap(),
        )
    };

    for range_check in [false, true] {
        let (ok, child, merged) = run(&honest, range_check);
        assert!(ok);
        assert_eq!((child, merged), (cf1.0.clone(), res.cf.clone()));
    }
    // Without range checks: satisfied, with the bound digest, for another child.
    let (ok, child, merged) = run(&resplit, false);
    assert!(ok, "unchecked limbs: the re-split satisfies the circuit");
    let two254 = Fq::from(2u64).pow([254u64]);
    assert_eq!(child.u, cf1.0.u + two254);
    assert_ne!(child, cf1.0);
    assert!(cyclefold::check(&cf_shape, &cf_key, &child, &cf1.1).is_err());
    assert_ne!(merged, res.cf);
    // With them (as every child's accumulator is now allocated): unsatisfied.
    let (ok, _, _) = run(&resplit, true);
    assert!(!ok, "range-checked limbs: the re-split is rejected");
}
