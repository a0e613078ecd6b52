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

use ark_ff::PrimeField;
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
/// through `p` and `q` (two constraints).
fn chord_end<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    lam: &FpVar<F>,
    p: &AffineVar<F>,
    xq: &FpVar<F>,
) -> Result<AffineVar<F>, SynthesisError> {
    let x = witness(cs, || {
        Ok(lam.value()?.square() - p.0.value()? - xq.value()?)
    })?;
    lam.mul_equals(lam, &(&x + &p.0 + xq))?;
    let y = witness(cs, || {
        Ok(lam.value()? * (p.0.value()? - x.value()?) - p.1.value()?)
    })?;
    lam.mul_equals(&(&p.0 - &x), &(&y + &p.1))?;
    Ok((x, y))
}

/// `2T + Q` as `(T + Q) + T` with incomplete affine formulas (five constraints): sound and
/// complete when `T ≠ ±Q` and `T + Q ≠ ±T`, which the ladder guarantees.
fn double_and_add<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    t: &AffineVar<F>,
    q: &AffineVar<F>,
) -> Result<AffineVar<F>, SynthesisError> {
    let lam1 = quotient(cs, &(&q.1 - &t.1), &(&q.0 - &t.0))?;
    let xu = witness(cs, || {
        Ok(lam1.value()?.square() - t.0.value()? - q.0.value()?)
    })?;
    lam1.mul_equals(&lam1, &(&xu + &t.0 + &q.0))?;
    // The chord through T + Q = (x_u, y_u) and T has slope 2·y_T/(x_T − x_u) − λ1, since
    // y_u = λ1·(x_T − x_u) − y_T; y_u itself is never needed.
    let lam2 = witness(cs, || {
        let (xt, yt) = (t.0.value()?, t.1.value()?);
        let den = (xt - xu.value()?).inverse().unwrap_or(F::ZERO);
        Ok(yt.double() * den - lam1.value()?)
    })?;
    (&lam1 + &lam2).mul_equals(&(&t.0 - &xu), &t.1.double()?)?;
    chord_end(cs, &lam2, t, &xu)
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
    let two_p = chord_end(cs, &lam, p, &p.0)?;
    let lam = quotient(cs, &(&p.1 - &two_p.1), &(&p.0 - &two_p.0))?;
    let mut t = chord_end(cs, &lam, &two_p, &p.0)?;
    for d in digits.iter().rev() {
        t = double_and_add(cs, &t, &(p.0.clone(), d.clone()))?;
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
