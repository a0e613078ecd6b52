//! The primary circuit's Grumpkin fold `acc + ρ·p` for a fold scalar `ρ = 2^128 + 2c + 1`
//! (`augmented::add_fold_multiple`, the ladder of `crease_folding::ladder`): it agrees with
//! native arithmetic on random points and on every identity case, and no witness entry of a
//! true statement is free.

mod support;

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField, UniformRand};
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
use ark_std::rand::Rng;
use crease_folding::augmented::add_fold_multiple;
use crease_folding::gadgets::GrumpkinVar;
use crease_folding::poseidon::{fold_scalar, FOLD_CHALLENGE_BITS};
use crease_folding::{Fq, Fr, GrumpkinAffine};
use support::satisfied_with;

/// Synthesizes `acc + ρ·p` for `ρ = 2^128 + 2c + 1` and returns the system and the result.
fn synth(
    acc: GrumpkinAffine,
    p: GrumpkinAffine,
    c_bits: &[bool],
) -> (ConstraintSystemRef<Fr>, GrumpkinAffine) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let av = GrumpkinVar::new_checked(cs.clone(), Some(acc)).unwrap();
    let pv = GrumpkinVar::new_checked(cs.clone(), Some(p)).unwrap();
    let bits: Vec<Boolean<Fr>> = c_bits
        .iter()
        .map(|b| Boolean::new_witness(cs.clone(), || Ok(*b)).unwrap())
        .collect();
    let out = add_fold_multiple(&av, &pv, &bits).unwrap();
    let value = if out.inf.value().unwrap() {
        GrumpkinAffine::zero()
    } else {
        GrumpkinAffine::new_unchecked(out.x.value().unwrap(), out.y.value().unwrap())
    };
    (cs, value)
}

fn scalar(c_bits: &[bool]) -> Fq {
    let r = fold_scalar(Fr::from_bigint(BigInteger::from_bits_le(c_bits)).unwrap());
    Fq::from_bigint(r.into_bigint()).unwrap()
}

#[test]
fn agrees_with_native_arithmetic_on_every_case() {
    let mut rng = ark_std::test_rng();
    let bits: Vec<bool> = (0..FOLD_CHALLENGE_BITS).map(|_| rng.gen()).collect();
    let rho = scalar(&bits);
    let a = GrumpkinAffine::rand(&mut rng);
    let p = GrumpkinAffine::rand(&mut rng);
    let zero = GrumpkinAffine::zero();
    let cancel = (-(p * rho)).into_affine();
    for (acc, p) in [
        (a, p),
        (zero, p),
        (a, zero),
        (zero, zero),
        (cancel, p),
        (p, p),
        (-p, p),
    ] {
        let (cs, got) = synth(acc, p, &bits);
        assert_eq!(got, (acc.into_group() + p * rho).into_affine());
        assert!(cs.is_satisfied().unwrap());
    }
    // Extreme challenges: c = 0 and c = 2^127 − 1.
    for b in [false, true] {
        let bits = vec![b; FOLD_CHALLENGE_BITS];
        let (cs, got) = synth(a, p, &bits);
        assert_eq!(got, (a.into_group() + p * scalar(&bits)).into_affine());
        assert!(cs.is_satisfied().unwrap());
    }
}

#[test]
fn no_witness_entry_is_free() {
    let mut rng = ark_std::test_rng();
    let bits: Vec<bool> = (0..FOLD_CHALLENGE_BITS).map(|_| rng.gen()).collect();
    let a = GrumpkinAffine::rand(&mut rng);
    let p = GrumpkinAffine::rand(&mut rng);
    let (cs, _) = synth(a, p, &bits);
    let n = cs.num_witness_variables();
    println!(
        "acc + ρ·p on Grumpkin: {} constraints",
        cs.num_constraints()
    );
    assert!(satisfied_with(&cs, None));
    for i in 0..n {
        let (cs, _) = synth(a, p, &bits);
        assert!(
            !satisfied_with(&cs, Some((i, |v| v + Fr::from(1u64)))),
            "witness entry {i} of {n} is free"
        );
    }
}
