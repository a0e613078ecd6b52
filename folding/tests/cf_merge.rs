//! The in-circuit CycleFold merge agrees with the native merge, pins its size and rejects
//! tampering.

mod support;

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, Field, PrimeField, UniformRand};
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisMode};
use crease_folding::augmented::CfVar;
use crease_folding::cf_merge::{
    merge_challenge_var, merge_then_fold_var, merge_var, merge_var_with_digests, CfFullVar,
    CfMergeVar, FqVar, FreshCfVar, ShortVar,
};
use crease_folding::cyclefold::{self, cf_absorb_elems, CfInstance};
use crease_folding::gadgets::GrumpkinVar;
use crease_folding::{Fq, Fr, GrumpkinAffine};
use support::*;

/// Synthesizes `merge_var` over the two instances (limbs range-checked).
fn synth(
    i1: &CfInstance,
    i2: &CfInstance,
    cm_t: GrumpkinAffine,
) -> (ConstraintSystemRef<Fr>, CfMergeVar) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let a = CfFullVar::new_witness(&cs, i1).unwrap();
    let b = CfFullVar::new_witness(&cs, i2).unwrap();
    let t = GrumpkinVar::new_checked(cs.clone(), Some(cm_t)).unwrap();
    let m = merge_var(&cs, &a, &b, &t).unwrap();
    (cs, m)
}

#[test]
fn merge_of_full_size_accumulators_matches_native() {
    let mut rng = ark_std::test_rng();
    let (shape, key) = cf_setup();
    let a = merged_accumulator(&mut rng, &shape, &key);
    let b = merged_accumulator(&mut rng, &shape, &key);
    let (m, mw, cm_t) = cyclefold::merge(&shape, &key, &a.0, &a.1, &b.0, &b.1).unwrap();
    cyclefold::check(&shape, &key, &m, &mw).unwrap();
    assert_eq!(cyclefold::merge_verify(&a.0, &b.0, &cm_t).unwrap(), m);

    let cs = ConstraintSystem::<Fr>::new_ref();
    let av = CfFullVar::new_witness(&cs, &a.0).unwrap();
    let bv = CfFullVar::new_witness(&cs, &b.0).unwrap();
    let tv = GrumpkinVar::new_checked(cs.clone(), Some(cm_t)).unwrap();
    let before = cs.num_constraints();
    let out = merge_var(&cs, &av, &bv, &tv).unwrap();
    let gadget = cs.num_constraints() - before;
    println!(
        "CycleFold merge gadget: {gadget} constraints ({} with both inputs range-checked)",
        cs.num_constraints()
    );
    assert!(cs.is_satisfied().unwrap());
    assert_eq!(out.merged.value().unwrap(), m);
    let got: Vec<Fr> = out
        .merged
        .absorb_elems()
        .iter()
        .map(|e| e.value().unwrap())
        .collect();
    assert_eq!(got, cf_absorb_elems(&m));
    let (rho, digest) = cyclefold::merge_transcript(&a.0, &b.0, &cm_t);
    let rho_in: Vec<bool> = out.rho.bits.iter().map(|b| b.value().unwrap()).collect();
    assert_eq!(
        Fq::from_bigint(ark_ff::BigInteger::from_bits_le(&rho_in)).unwrap(),
        rho
    );
    assert_eq!(out.digest.value().unwrap(), digest);
    assert_eq!(
        av.digest(&cs).unwrap().value().unwrap(),
        cyclefold::cf_digest(&a.0)
    );

    // With the inputs' digests supplied (a node circuit has them from its children's
    // states), the merge itself is cheaper.
    let (da, db) = (av.digest(&cs).unwrap(), bv.digest(&cs).unwrap());
    let before = cs.num_constraints();
    let out2 = merge_var_with_digests(&cs, (&av, &da), (&bv, &db), &tv).unwrap();
    let bare = cs.num_constraints() - before;
    println!("CycleFold merge gadget with the inputs' digests given: {bare} constraints");
    assert_eq!(out2.merged.value().unwrap(), m);
    assert!(cs.is_satisfied().unwrap());
    assert_eq!(gadget, 30_810);
    assert_eq!(bare, 25_152);
}

#[test]
fn merge_then_fold_equals_the_two_steps() {
    let mut rng = ark_std::test_rng();
    let (shape, key) = cf_setup();
    let a = merged_accumulator(&mut rng, &shape, &key);
    let b = merged_accumulator(&mut rng, &shape, &key);
    let (m, mw, cm_t) = cyclefold::merge(&shape, &key, &a.0, &a.1, &b.0, &b.1).unwrap();
    let stmt = statement(&mut rng);
    let msg = cyclefold::prepare_fold(&shape, &key, &m, &mw, &stmt).unwrap();
    let rho_f: u128 = rng.gen();
    let (folded, fw) = cyclefold::fold(&m, &mw, &msg, Fq::from(rho_f));
    cyclefold::check(&shape, &key, &folded, &fw).unwrap();

    let cs = ConstraintSystem::<Fr>::new_ref();
    let av = CfFullVar::new_witness(&cs, &a.0).unwrap();
    let bv = CfFullVar::new_witness(&cs, &b.0).unwrap();
    let tv = GrumpkinVar::new_checked(cs.clone(), Some(cm_t)).unwrap();
    let (da, db) = (av.digest(&cs).unwrap(), bv.digest(&cs).unwrap());
    let (rho, _) = merge_challenge_var(&cs, &da, &db, &tv).unwrap();
    let x: Vec<FpVar<Fr>> = stmt
        .public_inputs_fr()
        .iter()
        .map(|v| FpVar::new_witness(cs.clone(), || Ok(*v)).unwrap())
        .collect();
    let w_new = GrumpkinVar::new_checked(cs.clone(), Some(msg.cm_w_new)).unwrap();
    let t_new = GrumpkinVar::new_checked(cs.clone(), Some(msg.cm_t)).unwrap();
    let bits: Vec<Boolean<Fr>> = (0..128)
        .map(|j| Boolean::new_witness(cs.clone(), || Ok((rho_f >> j) & 1 == 1)).unwrap())
        .collect();
    let rho_f = ShortVar::from_bits(&bits).unwrap();
    let fresh = FreshCfVar {
        x: &x,
        cm_w: &w_new,
        cm_t: &t_new,
    };
    let before = cs.num_constraints();
    let one = merge_then_fold_var(&av, &bv, &tv, &rho, fresh, &rho_f).unwrap();
    let count = cs.num_constraints() - before;
    println!("CycleFold merge then fresh fold, one reduction: {count} constraints");
    assert_eq!(count, 27_382);
    assert_eq!(one.value().unwrap(), folded);
    let two = merge_var_with_digests(&cs, (&av, &da), (&bv, &db), &tv)
        .unwrap()
        .merged
        .fold_fresh(&x, &w_new, &t_new, &rho_f)
        .unwrap();
    assert_eq!(two.value().unwrap(), folded);
    assert!(cs.is_satisfied().unwrap());
}

#[test]
fn setup_mode_gives_the_same_constraints() {
    let mut rng = ark_std::test_rng();
    let (shape, key) = cf_setup();
    let a = merged_accumulator(&mut rng, &shape, &key);
    let b = accumulate(&mut rng, &shape, &key, 2);
    let (_, _, cm_t) = cyclefold::merge(&shape, &key, &a.0, &a.1, &b.0, &b.1).unwrap();
    let count = |setup: bool| {
        let cs = ConstraintSystem::<Fr>::new_ref();
        if setup {
            cs.set_mode(SynthesisMode::Setup);
        }
        let av = CfFullVar::new_witness(&cs, &a.0).unwrap();
        let bv = CfFullVar::from_small(&CfVar::new_witness(&cs, &b.0).unwrap()).unwrap();
        let tv = GrumpkinVar::new_checked(cs.clone(), Some(cm_t)).unwrap();
        let m = merge_var(&cs, &av, &bv, &tv).unwrap();
        let x: Vec<FpVar<Fr>> = (0..m.merged.x.len())
            .map(|i| FpVar::new_witness(cs.clone(), || Ok(Fr::from(i as u64))).unwrap())
            .collect();
        let rho = ShortVar::from_bits(&m.rho.bits).unwrap();
        m.merged.fold_fresh(&x, &tv, &tv, &rho).unwrap();
        (cs.num_constraints(), cs.num_witness_variables())
    };
    assert_eq!(count(true), count(false));
}

#[test]
fn merge_of_chain_accumulators_through_small_integers() {
    let mut rng = ark_std::test_rng();
    let (shape, key) = cf_setup();
    let a = accumulate(&mut rng, &shape, &key, 2);
    let b = accumulate(&mut rng, &shape, &key, 4);
    let (m, mw, cm_t) = cyclefold::merge(&shape, &key, &a.0, &a.1, &b.0, &b.1).unwrap();
    cyclefold::check(&shape, &key, &m, &mw).unwrap();

    let cs = ConstraintSystem::<Fr>::new_ref();
    let av = CfVar::new_witness(&cs, &a.0).unwrap();
    let bv = CfVar::new_witness(&cs, &b.0).unwrap();
    let before = cs.num_constraints();
    let af = CfFullVar::from_small(&av).unwrap();
    let bf = CfFullVar::from_small(&bv).unwrap();
    println!(
        "small to full-size CycleFold instance: {} constraints",
        (cs.num_constraints() - before) / 2
    );
    let tv = GrumpkinVar::new_checked(cs.clone(), Some(cm_t)).unwrap();
    let out = merge_var(&cs, &af, &bf, &tv).unwrap();
    assert!(cs.is_satisfied().unwrap());
    assert_eq!(af.value().unwrap(), a.0);
    assert_eq!(out.merged.value().unwrap(), m);

    // A small value whose limbs are claimed as another integer with the same residue
    // modulo r is rejected: the limbs must recompose to it below 2^253.
    let cs = ConstraintSystem::<Fr>::new_ref();
    let v = FpVar::new_witness(cs.clone(), || Ok(Fr::from(12345u64))).unwrap();
    let f = FqVar::from_small(&v).unwrap();
    assert!(cs.is_satisfied().unwrap());
    let i = witness_of(&cs, &f.limbs[0]);
    assert!(!satisfied_with(&cs, Some((i, flip))));
}

#[test]
fn tampering_is_rejected() {
    let mut rng = ark_std::test_rng();
    let (shape, key) = cf_setup();
    let a = merged_accumulator(&mut rng, &shape, &key);
    let b = accumulate(&mut rng, &shape, &key, 3);
    let (m, mw, cm_t) = cyclefold::merge(&shape, &key, &a.0, &a.1, &b.0, &b.1).unwrap();
    cyclefold::check(&shape, &key, &m, &mw).unwrap();

    // The output the circuit gives for (i1, i2, cm_t): it is the native verifier's, and on
    // tampered input it is an instance the honest merged witness does not satisfy.
    let rejects = |i1: &CfInstance, i2: &CfInstance, t: GrumpkinAffine| {
        let (cs, out) = synth(i1, i2, t);
        assert!(cs.is_satisfied().unwrap());
        let got = out.merged.value().unwrap();
        assert_eq!(got, cyclefold::merge_verify(i1, i2, &t).unwrap());
        assert_ne!(got, m);
        assert!(cyclefold::check(&shape, &key, &got, &mw).is_err());
    };
    // A wrong cross-term commitment.
    rejects(&a.0, &b.0, GrumpkinAffine::rand(&mut rng));
    rejects(&a.0, &b.0, (cm_t.into_group() + a.0.cm_w).into_affine());
    // A tampered u or x entry of either child.
    for (first, idx) in [
        (true, None),
        (true, Some(0)),
        (false, None),
        (false, Some(37)),
    ] {
        let (mut i1, mut i2) = (a.0.clone(), b.0.clone());
        let c = if first { &mut i1 } else { &mut i2 };
        match idx {
            None => c.u += Fq::ONE,
            Some(k) => c.x[k] += Fq::ONE,
        }
        rejects(&i1, &i2, cm_t);
    }

    // The honest synthesis is satisfied; changing one witness entry of ρ or of the merged
    // output (a bit of a limb) leaves it unsatisfied.
    let (cs, _) = synth(&a.0, &b.0, cm_t);
    assert!(satisfied_with(&cs, None));
    let (cs, out) = synth(&a.0, &b.0, cm_t);
    let rho_bit = witness_of_bit(&cs, &out.rho.bits[3]);
    assert!(!satisfied_with(&cs, Some((rho_bit, flip))));
    // Flipping a bit of an output limb keeps every bit Boolean but moves the limb by a
    // power of two, which the limb equations catch.
    for pick in 0..3 {
        let (cs, out) = synth(&a.0, &b.0, cm_t);
        let limb = match pick {
            0 => &out.merged.u.limbs[0],
            1 => &out.merged.x[5].limbs[2],
            _ => &out.merged.x[37].limbs[3],
        };
        let i = witness_of(&cs, limb);
        let bit = cs.witness_assignment().unwrap()[i];
        assert!(bit == Fr::ZERO || bit == Fr::ONE, "a bit of the limb");
        assert!(!satisfied_with(&cs, Some((i, flip))));
    }
    let (cs, out) = synth(&a.0, &b.0, cm_t);
    let i = witness_of(&cs, &out.merged.cm_e.x);
    assert!(!satisfied_with(&cs, Some((i, |v| v + Fr::ONE))));
}

#[test]
fn non_native_arithmetic_matches_fq_on_edge_values() {
    let mut rng = ark_std::test_rng();
    let q_minus = |k: u64| -Fq::from(k);
    let values = [
        Fq::ZERO,
        Fq::ONE,
        q_minus(1),
        q_minus(2),
        Fq::from(u64::MAX),
        Fq::rand(&mut rng),
        Fq::rand(&mut rng),
    ];
    let rhos = [0u128, 1, u128::MAX, rng.gen::<u128>()];
    for a in &values {
        for b in &values {
            for &r in &rhos {
                let cs = ConstraintSystem::<Fr>::new_ref();
                let av = FqVar::new_witness(&cs, a).unwrap();
                let bv = FqVar::new_witness(&cs, b).unwrap();
                let bits: Vec<Boolean<Fr>> = (0..128)
                    .map(|j| Boolean::new_witness(cs.clone(), || Ok((r >> j) & 1 == 1)).unwrap())
                    .collect();
                let rho = ShortVar::from_bits(&bits).unwrap();
                let c = av.mul_add(&rho, &bv).unwrap();
                assert_eq!(c.value().unwrap(), *a + Fq::from(r) * b);
                let small = Fr::from(b.into_bigint().as_ref()[0]);
                let sv = FpVar::new_witness(cs.clone(), || Ok(small)).unwrap();
                let d = av.mul_add_small(&rho, &sv).unwrap();
                let small_fq = Fq::from(b.into_bigint().as_ref()[0]);
                assert_eq!(d.value().unwrap(), *a + Fq::from(r) * small_fq);
                // Both at once, with the second challenge the bit-reverse of the first.
                let rev: Vec<Boolean<Fr>> = bits.iter().rev().cloned().collect();
                let rho2 = ShortVar::from_bits(&rev).unwrap();
                let e = av.mul_add_both(&rho, &bv, &rho2, &sv).unwrap();
                let r2 = Fq::from(r.reverse_bits());
                assert_eq!(e.value().unwrap(), *a + Fq::from(r) * b + r2 * small_fq);
                assert!(cs.is_satisfied().unwrap(), "a={a} b={b} r={r}");
            }
        }
    }
}

#[test]
fn non_native_arithmetic_matches_fq_on_random_values() {
    let mut rng = ark_std::test_rng();
    let cs = ConstraintSystem::<Fr>::new_ref();
    let short = |v: u128| {
        let bits: Vec<Boolean<Fr>> = (0..128)
            .map(|j| Boolean::new_witness(cs.clone(), || Ok((v >> j) & 1 == 1)).unwrap())
            .collect();
        ShortVar::from_bits(&bits).unwrap()
    };
    for _ in 0..40 {
        let (a, b) = (Fq::rand(&mut rng), Fq::rand(&mut rng));
        let (r1, r2, s) = (rng.gen::<u128>(), rng.gen::<u128>(), rng.gen::<u64>());
        let av = FqVar::new_witness(&cs, &a).unwrap();
        let bv = FqVar::new_witness(&cs, &b).unwrap();
        let sv = FpVar::new_witness(cs.clone(), || Ok(Fr::from(s))).unwrap();
        let (p1, p2) = (short(r1), short(r2));
        let (r1, r2, s) = (Fq::from(r1), Fq::from(r2), Fq::from(s));
        assert_eq!(av.mul_add(&p1, &bv).unwrap().value().unwrap(), a + r1 * b);
        assert_eq!(
            av.mul_add_small(&p2, &sv).unwrap().value().unwrap(),
            a + r2 * s
        );
        let both = av.mul_add_both(&p1, &bv, &p2, &sv).unwrap();
        assert_eq!(both.value().unwrap(), a + r1 * b + r2 * s);
    }
    assert!(cs.is_satisfied().unwrap());
}

use ark_std::rand::Rng;
