//! Multiplication by a fold scalar `2^128 + 2c + 1` ([`crate::poseidon::fold_scalar`]) on a
//! short Weierstrass curve `y² = x³ + b` in affine coordinates over the circuit's own field:
//! the CycleFold circuit's on BN254 G1 (over Fq) and the primary circuit's on Grumpkin (over
//! Fr).
//!
//! Below its leading one, such a scalar's binary digits read as `±1` are the bits of `c`
//! (`2^128 + 2c + 1 = 3·2^127 + Σ_i (2c_i − 1)·2^i`), so the ladder starts from `3P` and runs
//! `T ← 2T ± P` from the top bit of `c` down, as `(T ± P) + T` with incomplete affine formulas
//! (five constraints, plus one for the digit). Every partial scalar `K` is odd with
//! `3 ≤ K < 2^129`, far below the group order, and the group has no point of order 2, so
//! `T = KP ≠ ±P` and `T ± P ≠ ±T`: the incomplete formulas never meet their exceptional cases,
//! and each step's output is the unique one its constraints allow. `P` must not be the
//! identity (callers substitute a fixed point and discard the result).

use ark_ff::{serial_batch_inversion_and_mul, PrimeField};
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

/// An affine point `(x, y)` that is not the identity.
pub type AffineVar<F> = (FpVar<F>, FpVar<F>);

fn witness<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    f: impl FnOnce() -> Result<F, SynthesisError>,
) -> Result<FpVar<F>, SynthesisError> {
    FpVar::new_witness(cs.clone(), f)
}

/// `λ` with `λ·den = num` (one constraint; `den ≠ 0` wherever it is used).
fn quotient<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    num: &FpVar<F>,
    den: &FpVar<F>,
) -> Result<FpVar<F>, SynthesisError> {
    let lam = witness(cs, || {
        Ok(num.value()? * den.value()?.inverse().unwrap_or(F::ZERO))
    })?;
    lam.mul_equals(den, num)?;
    Ok(lam)
}

/// The point `(λ² − x_p − x_q, λ·(x_p − x) − y_p)` of the chord or tangent of slope `λ`
/// through `p` and `q` (two constraints). Its coordinates are `known` when the caller has
/// computed them already, and are otherwise computed from `λ`, `p` and `x_q`.
fn chord_end<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    lam: &FpVar<F>,
    p: &AffineVar<F>,
    xq: &FpVar<F>,
    known: Option<(F, F)>,
) -> Result<AffineVar<F>, SynthesisError> {
    let x = witness(cs, || match known {
        Some((x, _)) => Ok(x),
        None => Ok(lam.value()?.square() - p.0.value()? - xq.value()?),
    })?;
    lam.mul_equals(lam, &(&x + &p.0 + xq))?;
    let y = witness(cs, || match known {
        Some((_, y)) => Ok(y),
        None => Ok(lam.value()? * (p.0.value()? - x.value()?) - p.1.value()?),
    })?;
    lam.mul_equals(&(&p.0 - &x), &(&y + &p.1))?;
    Ok((x, y))
}

/// `2T + Q` as `(T + Q) + T` with incomplete affine formulas (five constraints): sound and
/// complete when `T ≠ ±Q` and `T + Q ≠ ±T`, which the ladder guarantees. Its witness values
/// are `step` (from [`step_values`]), absent while the circuit is set up.
fn double_and_add<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    t: &AffineVar<F>,
    q: &AffineVar<F>,
    step: Option<&StepValues<F>>,
) -> Result<AffineVar<F>, SynthesisError> {
    let value =
        |f: fn(&StepValues<F>) -> F| move || step.map(f).ok_or(SynthesisError::AssignmentMissing);
    let lam1 = witness(cs, value(|s| s.lam1))?;
    lam1.mul_equals(&(&q.0 - &t.0), &(&q.1 - &t.1))?;
    let xu = witness(cs, value(|s| s.xu))?;
    lam1.mul_equals(&lam1, &(&xu + &t.0 + &q.0))?;
    // The chord through T + Q = (x_u, y_u) and T has slope 2·y_T/(x_T − x_u) − λ1, since
    // y_u = λ1·(x_T − x_u) − y_T; y_u itself is never needed.
    let lam2 = witness(cs, value(|s| s.lam2))?;
    (&lam1 + &lam2).mul_equals(&(&t.0 - &xu), &t.1.double()?)?;
    chord_end(cs, &lam2, t, &xu, step.map(|s| (s.x, s.y)))
}

/// The witness values of one [`double_and_add`] step `T' = (T + Q) + T`: the slope `λ1` of
/// the chord through `T` and `Q`, the abscissa `x_u` of `T + Q`, the slope `λ2` of the
/// chord through `T + Q` and `T`, and `T' = (x, y)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct StepValues<F> {
    lam1: F,
    xu: F,
    lam2: F,
    x: F,
    y: F,
}

/// The values of the ladder's steps from `T_0 = t0` with the addends `(x_P, d)` for the
/// digits `d` taken from the last, with three field inversions in all: the points `T_k`
/// are found in Jacobian coordinates and normalized together, and each step's two slopes
/// then take one batch inversion per slope. Step by step, the affine formulas take two
/// inversions a step, 258 for a 129-bit ladder (about 1.2 ms of a step's serial synthesis
/// per ladder). A zero denominator, which only a false witness can produce, gives a zero
/// inverse, as [`quotient`] does.
fn step_values<F: PrimeField>(t0: (F, F), xp: F, digits: &[F]) -> Vec<StepValues<F>> {
    // T_{k+1} = 2·T_k + (x_P, d_k) in Jacobian coordinates (a = 0: dbl-2009-l, then the
    // mixed addition madd-2007-bl).
    let mut jacobian = Vec::with_capacity(digits.len());
    let (mut x, mut y, mut z) = (t0.0, t0.1, F::ONE);
    for d in digits.iter().rev() {
        let a = x.square();
        let b = y.square();
        let c = b.square();
        let dd = ((x + b).square() - a - c).double();
        let e = a.double() + a;
        let x2 = e.square() - dd.double();
        let y2 = e * (dd - x2) - c.double().double().double();
        let z2 = (y * z).double();
        let z2z2 = z2.square();
        let h = xp * z2z2 - x2;
        let hh = h.square();
        let i = hh.double().double();
        let j = h * i;
        let r = (*d * z2 * z2z2 - y2).double();
        let v = x2 * i;
        x = r.square() - j - v.double();
        y = r * (v - x) - (y2 * j).double();
        z = (z2 + h).square() - z2z2 - hh;
        jacobian.push((x, y, z));
    }
    let mut inv_z: Vec<F> = jacobian.iter().map(|p| p.2).collect();
    serial_batch_inversion_and_mul(&mut inv_z, &F::ONE);
    let mut points = Vec::with_capacity(digits.len() + 1);
    points.push(t0);
    points.extend(jacobian.iter().zip(&inv_z).map(|(&(x, y, _), iz)| {
        let iz2 = iz.square();
        (x * iz2, y * iz2 * iz)
    }));
    // λ1 = (d − y_T)/(x_P − x_T), then x_u = λ1² − x_T − x_P.
    let mut den: Vec<F> = points.iter().take(digits.len()).map(|t| xp - t.0).collect();
    serial_batch_inversion_and_mul(&mut den, &F::ONE);
    let first: Vec<(F, F)> = digits
        .iter()
        .rev()
        .zip(&points)
        .zip(&den)
        .map(|((d, t), inv)| {
            let lam1 = (*d - t.1) * inv;
            (lam1, lam1.square() - t.0 - xp)
        })
        .collect();
    // λ2 = 2·y_T/(x_T − x_u) − λ1, then T' on the chord of slope λ2 through T.
    let mut den: Vec<F> = points.iter().zip(&first).map(|(t, f)| t.0 - f.1).collect();
    serial_batch_inversion_and_mul(&mut den, &F::ONE);
    points
        .iter()
        .zip(&first)
        .zip(&den)
        .map(|((t, &(lam1, xu)), inv)| {
            let lam2 = t.1.double() * inv - lam1;
            let x = lam2.square() - t.0 - xu;
            StepValues {
                lam1,
                xu,
                lam2,
                x,
                y: lam2 * (t.0 - x) - t.1,
            }
        })
        .collect()
}

/// `(2^128 + 2c + 1)·P` for `P = (x_P, y_P)` (not the identity; a curve with `a = 0` and no
/// point of order 2), given the digits `y_i = ±y_P` of `c`'s bits from the least significant
/// (`+y_P` for a one). The caller constrains the digits. `3 + 5·digits.len() + 4` constraints.
pub fn fold_scalar_mul<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    p: &AffineVar<F>,
    digits: &[FpVar<F>],
) -> Result<AffineVar<F>, SynthesisError> {
    let xx = p.0.square()?;
    let lam = quotient(cs, &(xx * F::from(3u64)), &p.1.double()?)?;
    let two_p = chord_end(cs, &lam, p, &p.0, None)?;
    let lam = quotient(cs, &(&p.1 - &two_p.1), &(&p.0 - &two_p.0))?;
    let mut t = chord_end(cs, &lam, &two_p, &p.0, None)?;
    // The steps' values, computed together (only the prover has them).
    let digit_values: Result<Vec<F>, SynthesisError> = digits.iter().map(|d| d.value()).collect();
    let steps = match (t.0.value(), t.1.value(), p.0.value(), digit_values) {
        (Ok(xt), Ok(yt), Ok(xp), Ok(ds)) => Some(step_values((xt, yt), xp, &ds)),
        _ => None,
    };
    for (k, d) in digits.iter().rev().enumerate() {
        let step = steps.as_ref().map(|s| &s[k]);
        t = double_and_add(cs, &t, &(p.0.clone(), d.clone()), step)?;
    }
    Ok(t)
}

/// The digits of [`fold_scalar_mul`] from `c`'s bits: `y_i = (2c_i − 1)·y_P`, one
/// constraint each.
pub fn digits_from_bits<F: PrimeField>(
    y_p: &FpVar<F>,
    bits: &[Boolean<F>],
) -> Result<Vec<FpVar<F>>, SynthesisError> {
    let two_y = y_p.double()?;
    bits.iter()
        .map(|b| Ok(FpVar::from(b.clone()) * &two_y - y_p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Fq, Fr, GrumpkinAffine, GrumpkinProjective};
    use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup, PrimeGroup};
    use ark_ff::{Field, UniformRand};
    use rand::{Rng, SeedableRng};

    /// Digits that are not `±y_P` (a false witness) give values without a panic — zero
    /// denominators give zero inverses — and, with the digit constraint `d² = y_P²` that
    /// the CycleFold circuit puts on them, an unsatisfied system.
    #[test]
    fn false_digits_give_an_unsatisfied_system_and_no_panic() {
        use ark_r1cs_std::fields::fp::FpVar;
        use ark_relations::gr1cs::ConstraintSystem;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(8);
        let p = (GrumpkinProjective::generator() * Fq::rand(&mut rng)).into_affine();
        let (xp, yp) = p.xy().unwrap();
        for digits in [
            vec![Fr::ZERO; 129],
            (0..129).map(|_| Fr::rand(&mut rng)).collect::<Vec<_>>(),
            (0..129)
                .map(|i| if i == 60 { yp.double() } else { yp })
                .collect(),
        ] {
            let _ = step_values((xp, yp), xp, &digits);
            let _ = step_values((Fr::ZERO, Fr::ZERO), Fr::ZERO, &digits);
            let cs = ConstraintSystem::<Fr>::new_ref();
            let point = (
                FpVar::new_witness(cs.clone(), || Ok(xp)).unwrap(),
                FpVar::new_witness(cs.clone(), || Ok(yp)).unwrap(),
            );
            let yp2 = point.1.square().unwrap();
            let vars: Vec<FpVar<Fr>> = digits
                .iter()
                .map(|d| {
                    let v = FpVar::new_witness(cs.clone(), || Ok(*d)).unwrap();
                    v.mul_equals(&v, &yp2).unwrap();
                    v
                })
                .collect();
            let _result = fold_scalar_mul(&cs, &point, &vars).unwrap();
            assert!(!cs.is_satisfied().unwrap());
        }
    }

    #[test]
    fn step_values_agree_with_one_step_at_a_time() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let p = (GrumpkinProjective::generator() * Fq::rand(&mut rng)).into_affine();
        let (xp, yp) = p.xy().unwrap();
        let bits: Vec<bool> = (0..129).map(|_| rng.gen()).collect();
        let digits: Vec<Fr> = bits.iter().map(|&b| if b { yp } else { -yp }).collect();
        let three_p = (p.into_group() * Fq::from(3u64)).into_affine();
        let t0 = three_p.xy().unwrap();
        let steps = step_values(t0, xp, &digits);
        // The affine formulas, one step and two inversions at a time.
        let mut t = t0;
        let mut k = Fq::from(3u64);
        for (step, (d, bit)) in steps.iter().zip(digits.iter().zip(&bits).rev()) {
            let lam1 = (*d - t.1) * (xp - t.0).inverse().unwrap();
            let xu = lam1.square() - t.0 - xp;
            let lam2 = t.1.double() * (t.0 - xu).inverse().unwrap() - lam1;
            let x = lam2.square() - t.0 - xu;
            let y = lam2 * (t.0 - x) - t.1;
            assert_eq!(
                *step,
                StepValues {
                    lam1,
                    xu,
                    lam2,
                    x,
                    y
                }
            );
            t = (x, y);
            k = k.double() + if *bit { Fq::ONE } else { -Fq::ONE };
        }
        let expected: GrumpkinAffine = (p.into_group() * k).into_affine();
        assert_eq!(Some(t), expected.xy());
    }
}
