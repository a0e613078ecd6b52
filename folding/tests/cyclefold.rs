//! The CycleFold circuit: its size, its soundness on false statements, and its fold.

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, PrimeField, UniformRand};
use ark_std::rand::Rng;
use crease_folding::commitment::CommitmentKey;
use crease_folding::commitment::PedersenKey;
use crease_folding::cyclefold::{self, CfInstance, CfStatement, CfWitness, CF_FOLDS};
use crease_folding::poseidon::{fold_scalar, FOLD_CHALLENGE_BITS};
use crease_folding::{Error, Fq, Fr, G1};

fn statement(rng: &mut impl Rng, acc_zero: bool) -> CfStatement {
    let r_bits: Vec<bool> = (0..FOLD_CHALLENGE_BITS).map(|_| rng.gen()).collect();
    let r = fold_scalar(Fr::from_bigint(BigInteger::from_bits_le(&r_bits)).unwrap());
    let mk = |rng: &mut _| {
        let acc = if acc_zero { G1::zero() } else { G1::rand(rng) };
        let new = G1::rand(rng);
        let out = (acc.into_group() + new * r).into_affine();
        (acc, new, out)
    };
    CfStatement {
        r_bits,
        folds: [mk(rng), mk(rng)],
    }
}

#[test]
fn constraint_count_is_pinned() {
    let shape = cyclefold::shape().unwrap();
    let per_point = shape.num_constraints / CF_FOLDS;
    println!("CycleFold: {} constraints", shape.num_constraints);
    assert!(per_point <= 1500, "{per_point} constraints per point");
    assert_eq!(shape.num_constraints, 1624);
    assert_eq!(shape.num_io, cyclefold::CF_IO_LEN);
}

#[test]
fn true_statements_hold_and_false_ones_do_not() {
    let mut rng = ark_std::test_rng();
    for acc_zero in [false, true] {
        let s = statement(&mut rng, acc_zero);
        cyclefold::assign(&s).unwrap();
    }
    // Identity results: acc = −r·new.
    let mut s = statement(&mut rng, false);
    let r = fold_scalar(Fr::from_bigint(BigInteger::from_bits_le(&s.r_bits)).unwrap());
    let (_, new, _) = s.folds[0];
    s.folds[0] = ((-(new * r)).into_affine(), new, G1::zero());
    cyclefold::assign(&s).unwrap();

    let mut bad = statement(&mut rng, false);
    bad.folds[1].2 = G1::rand(&mut rng);
    assert!(matches!(
        cyclefold::assign(&bad),
        Err(Error::Unsatisfied(_))
    ));
    let mut bad = statement(&mut rng, false);
    bad.r_bits[5] = !bad.r_bits[5];
    assert!(matches!(
        cyclefold::assign(&bad),
        Err(Error::Unsatisfied(_))
    ));
    // A new point that is the identity (as in a merge's padding), or equal or opposite to
    // the accumulator.
    for k in 0..3 {
        let mut s = statement(&mut rng, false);
        let r = fold_scalar(Fr::from_bigint(BigInteger::from_bits_le(&s.r_bits)).unwrap());
        let acc = s.folds[1].0;
        let new = match k {
            0 => G1::zero(),
            1 => acc,
            _ => (-acc.into_group()).into_affine(),
        };
        s.folds[1] = (acc, new, (acc.into_group() + new * r).into_affine());
        cyclefold::assign(&s).unwrap();
        // Claiming the accumulator itself as the result is false unless `new` is zero.
        s.folds[1].2 = acc;
        assert_eq!(cyclefold::assign(&s).is_ok(), k == 0);
    }
    let mut bad = statement(&mut rng, false);
    bad.folds[0].2 = G1::zero();
    assert!(matches!(
        cyclefold::assign(&bad),
        Err(Error::Unsatisfied(_))
    ));
}

#[test]
fn folded_instances_stay_satisfied_and_tampering_fails() {
    let mut rng = ark_std::test_rng();
    let shape = cyclefold::shape().unwrap();
    let key = PedersenKey::new(b"cf test", shape.num_constraints.max(shape.num_w2));
    let mut inst = CfInstance::zero(&shape);
    let mut wit = CfWitness::zero(&shape);
    cyclefold::check(&shape, &key, &inst, &wit).unwrap();
    for _ in 0..3 {
        let s = statement(&mut rng, false);
        let msg = cyclefold::prepare_fold(&shape, &key, &inst, &wit, &s).unwrap();
        let rho = Fq::from(rng.gen::<u128>());
        let (i2, w2) = cyclefold::fold(&inst, &wit, &msg, rho);
        cyclefold::check(&shape, &key, &i2, &w2).unwrap();
        inst = i2;
        wit = w2;
    }
    let mut bad = inst.clone();
    bad.x[7] += Fq::from(1u64);
    assert!(cyclefold::check(&shape, &key, &bad, &wit).is_err());
    let mut bad = inst.clone();
    bad.u += Fq::from(1u64);
    assert!(cyclefold::check(&shape, &key, &bad, &wit).is_err());
    let mut bad = inst.clone();
    bad.cm_e = bad.cm_w;
    assert!(cyclefold::check(&shape, &key, &bad, &wit).is_err());
}

fn accumulate(
    rng: &mut impl Rng,
    shape: &crease_folding::r1cs::R1csShape<Fq>,
    key: &PedersenKey,
    n: usize,
) -> (CfInstance, CfWitness) {
    let mut inst = CfInstance::zero(shape);
    let mut wit = CfWitness::zero(shape);
    for _ in 0..n {
        let s = statement(rng, false);
        let msg = cyclefold::prepare_fold(shape, key, &inst, &wit, &s).unwrap();
        let rho = Fq::from(rng.gen::<u128>());
        (inst, wit) = cyclefold::fold(&inst, &wit, &msg, rho);
    }
    (inst, wit)
}

#[test]
fn native_merges_of_running_instances() {
    let mut rng = ark_std::test_rng();
    let shape = cyclefold::shape().unwrap();
    let key = PedersenKey::new(b"cf test", shape.num_constraints.max(shape.num_w2));
    let a = accumulate(&mut rng, &shape, &key, 2);
    let b = accumulate(&mut rng, &shape, &key, 3);
    let (m, mw, cm_t) = cyclefold::merge(&shape, &key, &a.0, &a.1, &b.0, &b.1).unwrap();
    cyclefold::check(&shape, &key, &m, &mw).unwrap();
    assert_eq!(cyclefold::merge_verify(&a.0, &b.0, &cm_t).unwrap(), m);
    // A false second accumulator stays false after the merge.
    let mut bad = b.clone();
    bad.1.e[0] += Fq::from(1u64);
    bad.0.cm_e = key.commit(&bad.1.e).unwrap();
    let (m, mw, _) = cyclefold::merge(&shape, &key, &a.0, &a.1, &bad.0, &bad.1).unwrap();
    assert!(cyclefold::check(&shape, &key, &m, &mw).is_err());
    // A wrong cross-term commitment is caught.
    let wrong = cyclefold::merge_verify(&a.0, &b.0, &a.0.cm_w).unwrap();
    let (_, mw, _) = cyclefold::merge(&shape, &key, &a.0, &a.1, &b.0, &b.1).unwrap();
    assert!(cyclefold::check(&shape, &key, &wrong, &mw).is_err());
}

/// Every witness entry of a true statement's assignment is pinned: adding one to any of them
/// leaves the circuit unsatisfied (no slope, ladder point or digit is free).
#[test]
fn no_witness_entry_is_free() {
    let mut rng = ark_std::test_rng();
    let shape = cyclefold::shape().unwrap();
    let satisfied = |x: &[Fq], w: &[Fq]| {
        let z = shape.z(Fq::from(1u64), x, &[], w).unwrap();
        shape
            .error_vector(&z, Fq::from(1u64))
            .iter()
            .all(|e| *e == Fq::from(0u64))
    };
    for acc_zero in [false, true] {
        let s = statement(&mut rng, acc_zero);
        let (x, w) = cyclefold::assign(&s).unwrap();
        assert!(satisfied(&x, &w));
        for i in 0..w.len() {
            let mut bad = w.clone();
            bad[i] += Fq::from(1u64);
            assert!(
                !satisfied(&x, &bad),
                "witness entry {i} of {} is free",
                w.len()
            );
        }
    }
}
