//! Shared fixtures: CycleFold accumulators built from random true statements, and a
//! satisfiability check that lets a test tamper with one witness entry.

#![allow(dead_code)]

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField, UniformRand};
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::Boolean;
use ark_relations::gr1cs::{ConstraintSystemRef, Variable};
use ark_std::rand::Rng;
use crease_folding::commitment::PedersenKey;
use crease_folding::cyclefold::{self, CfInstance, CfStatement, CfWitness};
use crease_folding::poseidon::{fold_scalar, FOLD_CHALLENGE_BITS};
use crease_folding::r1cs::R1csShape;
use crease_folding::{Fq, Fr, G1};

/// A true CycleFold statement over random points.
pub fn statement(rng: &mut impl Rng) -> CfStatement {
    let r_bits: Vec<bool> = (0..FOLD_CHALLENGE_BITS).map(|_| rng.gen()).collect();
    let r = fold_scalar(Fr::from_bigint(BigInteger::from_bits_le(&r_bits)).unwrap());
    let mut mk = || {
        let acc = G1::rand(rng);
        let new = G1::rand(rng);
        (acc, new, (acc.into_group() + new * r).into_affine())
    };
    let folds = [mk(), mk()];
    CfStatement { r_bits, folds }
}

/// A chain's CycleFold accumulator after `n` folds with 128-bit challenges (small scalars).
pub fn accumulate(
    rng: &mut impl Rng,
    shape: &R1csShape<Fq>,
    key: &PedersenKey,
    n: usize,
) -> (CfInstance, CfWitness) {
    let mut inst = CfInstance::zero(shape);
    let mut wit = CfWitness::zero(shape);
    for _ in 0..n {
        let s = statement(rng);
        let msg = cyclefold::prepare_fold(shape, key, &inst, &wit, &s).unwrap();
        let rho = Fq::from(rng.gen::<u128>());
        (inst, wit) = cyclefold::fold(&inst, &wit, &msg, rho);
    }
    (inst, wit)
}

/// A node's accumulator: the native merge of two chains' (full-size scalars).
pub fn merged_accumulator(
    rng: &mut impl Rng,
    shape: &R1csShape<Fq>,
    key: &PedersenKey,
) -> (CfInstance, CfWitness) {
    let a = accumulate(rng, shape, key, 2);
    let b = accumulate(rng, shape, key, 3);
    let (m, mw, _) = cyclefold::merge(shape, key, &a.0, &a.1, &b.0, &b.1).unwrap();
    let full =
        m.x.iter()
            .filter(|x| x.into_bigint().num_bits() > 250)
            .count();
    assert!(
        full > m.x.len() * 3 / 4,
        "a merged accumulator has full-size scalars"
    );
    (m, mw)
}

/// The CycleFold shape and a key for it.
pub fn cf_setup() -> (R1csShape<Fq>, PedersenKey) {
    let shape = cyclefold::shape().unwrap();
    let key = PedersenKey::new(b"cf merge test", shape.num_constraints.max(shape.num_w2));
    (shape, key)
}

fn witness_index(cs: &ConstraintSystemRef<Fr>, mut v: Variable) -> usize {
    loop {
        if v.is_witness() {
            return v.index().unwrap();
        }
        assert!(v.is_lc(), "not a witness or a linear combination");
        let lc = cs.borrow().unwrap().get_lc(v);
        v =
            lc.0.iter()
                .map(|(_, var)| *var)
                .find(|var| var.is_witness() || var.is_lc())
                .expect("a linear combination of constants");
    }
}

/// The index of a witness variable that `v` depends on (a bit of a range-checked limb).
pub fn witness_of(cs: &ConstraintSystemRef<Fr>, v: &FpVar<Fr>) -> usize {
    match v {
        FpVar::Var(a) => witness_index(cs, a.variable),
        FpVar::Constant(_) => panic!("a constant has no witness"),
    }
}

/// The witness index of a Boolean variable.
pub fn witness_of_bit(cs: &ConstraintSystemRef<Fr>, b: &Boolean<Fr>) -> usize {
    match b {
        Boolean::Var(a) => witness_index(cs, a.variable()),
        Boolean::Constant(_) => panic!("a constant has no witness"),
    }
}

/// A change to one witness entry: its index and how its value changes.
pub type Tamper = (usize, fn(Fr) -> Fr);

/// Whether the synthesized system is satisfied after replacing witness `i` by
/// `f(old value)` (or untouched for `None`). Consumes the system's matrices.
pub fn satisfied_with(cs: &ConstraintSystemRef<Fr>, tamper: Option<Tamper>) -> bool {
    let shape = R1csShape::from_cs(cs, 0).unwrap();
    let x = cs.instance_assignment().unwrap()[1..].to_vec();
    let mut w = cs.witness_assignment().unwrap();
    if let Some((i, f)) = tamper {
        w[i] = f(w[i]);
    }
    let z = shape.z(Fr::from(1u64), &x, &[], &w).unwrap();
    shape
        .error_vector(&z, Fr::from(1u64))
        .iter()
        .all(|e| *e == Fr::from(0u64))
}

/// Flips a bit.
pub fn flip(b: Fr) -> Fr {
    Fr::from(1u64) - b
}
