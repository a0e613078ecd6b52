//! The fold of two running instances (relaxed + relaxed), for merging proof-tree nodes.
//!
//! Both instances carry error claims, at different points `r_1` and `r_2`. The prover sends
//! the restrictions of both error MLEs to the line `ℓ(X) = r_1 + X·(r_2 − r_1)`:
//! `h_1(X) = MLE(E_1)(ℓ(X))` with `h_1(0) = v_1` and `h_2(X) = MLE(E_2)(ℓ(X))` with
//! `h_2(1) = v_2`; after `α` both claims sit at `ρ = ℓ(α)`. Then, as in the step fold, it
//! sends `t = MLE(T)(ρ)` for the cross term `T = Az_1∘Bz_2 + Az_2∘Bz_1 − u_1·Cz_2 − u_2·Cz_1`,
//! and after `r` the folded claim is `h_1(α) + r·t + r²·h_2(α)` at `ρ`. No commitment to `T`
//! is needed here either; the commitments fold as `C_1 + r·C_2` (CycleFold, as for a step).

use ark_ff::{AdditiveGroup, Field};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;

use crate::mova::{fold_point, RunningWitness};
use crate::poseidon::Transcript;
use crate::r1cs::{R1csShape, RunningInstance, Witness};
use crate::{mle, Error, Fr};

/// The prover's messages of one merge: `2n + 1` field elements.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct MergeProof {
    /// Coefficients of degree 1..n of `h_1` (its constant term is `v_1`).
    pub h1: Vec<Fr>,
    /// Coefficients of degree 1..n of `h_2` (its constant term follows from `h_2(1) = v_2`).
    pub h2: Vec<Fr>,
    /// `MLE(T)(ρ)`.
    pub t: Fr,
}

/// The challenges of one merge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeChallenges {
    /// The line parameter.
    pub alpha: Fr,
    /// The folding scalar `r = 2^128 + 2c + 1`.
    pub r: Fr,
    /// The bits of `c`, least significant first.
    pub r_bits: Vec<bool>,
}

/// `h(α)` for a polynomial given by its constant term and its coefficients of degree ≥ 1.
pub fn eval_with_constant(constant: Fr, coeffs: &[Fr], alpha: Fr) -> Fr {
    let mut acc = Fr::ZERO;
    for c in coeffs.iter().rev() {
        acc = (acc + c) * alpha;
    }
    acc + constant
}

fn error_vector(inst: &RunningInstance, w: &RunningWitness) -> Vec<Fr> {
    w.az.par_iter()
        .zip(&w.bz)
        .zip(&w.cz)
        .map(|((a, b), c)| *a * b - inst.u * c)
        .collect()
}

/// Merges two running instances (prover side). The transcript must already bind both.
pub fn prove(
    shape: &R1csShape,
    transcript: &mut Transcript,
    u1: &RunningInstance,
    w1: &RunningWitness,
    u2: &RunningInstance,
    w2: &RunningWitness,
) -> Result<(RunningInstance, RunningWitness, MergeProof, MergeChallenges), Error> {
    check_lengths(shape, u1, u2)?;
    let dir: Vec<Fr> = u2.r_e.iter().zip(&u1.r_e).map(|(b, a)| *b - a).collect();
    let (e1, e2) = rayon::join(|| error_vector(u1, w1), || error_vector(u2, w2));
    let (h1, h2) = rayon::join(
        || mle::restrict_to_line(&e1, &u1.r_e, &dir),
        || mle::restrict_to_line(&e2, &u1.r_e, &dir),
    );
    let (h1, h2) = (h1[1..].to_vec(), h2[1..].to_vec());
    transcript.absorb_slice(&h1);
    transcript.absorb_slice(&h2);
    let alpha = transcript.challenge();
    let rho = mle::line_point(&u1.r_e, &u2.r_e, alpha);
    let cross: Vec<Fr> = (0..shape.num_constraints)
        .into_par_iter()
        .map(|i| w1.az[i] * w2.bz[i] + w2.az[i] * w1.bz[i] - u1.u * w2.cz[i] - u2.u * w1.cz[i])
        .collect();
    let t = mle::evaluate(&cross, &rho);
    transcript.absorb(&t);
    let (r_bits, r) = transcript.fold_challenge();
    let proof = MergeProof { h1, h2, t };
    let folded = fold_instances(u1, u2, &proof, alpha, rho, r);
    let lin =
        |a: &[Fr], b: &[Fr]| -> Vec<Fr> { a.par_iter().zip(b).map(|(x, y)| *x + r * y).collect() };
    let w = RunningWitness {
        w: Witness {
            w1: lin(&w1.w.w1, &w2.w.w1),
            w2: lin(&w1.w.w2, &w2.w.w2),
        },
        az: lin(&w1.az, &w2.az),
        bz: lin(&w1.bz, &w2.bz),
        cz: lin(&w1.cz, &w2.cz),
    };
    Ok((folded, w, proof, MergeChallenges { alpha, r, r_bits }))
}

/// Merges two running instances (verifier side). The transcript must already bind both.
pub fn verify(
    shape: &R1csShape,
    transcript: &mut Transcript,
    u1: &RunningInstance,
    u2: &RunningInstance,
    proof: &MergeProof,
) -> Result<(RunningInstance, MergeChallenges), Error> {
    check_lengths(shape, u1, u2)?;
    let n = shape.num_vars();
    for (what, got) in [("h1", proof.h1.len()), ("h2", proof.h2.len())] {
        if got != n {
            return Err(Error::WrongLength {
                what,
                expected: n,
                got,
            });
        }
    }
    transcript.absorb_slice(&proof.h1);
    transcript.absorb_slice(&proof.h2);
    let alpha = transcript.challenge();
    let rho = mle::line_point(&u1.r_e, &u2.r_e, alpha);
    transcript.absorb(&proof.t);
    let (r_bits, r) = transcript.fold_challenge();
    let folded = fold_instances(u1, u2, proof, alpha, rho, r);
    Ok((folded, MergeChallenges { alpha, r, r_bits }))
}

fn check_lengths(
    shape: &R1csShape,
    u1: &RunningInstance,
    u2: &RunningInstance,
) -> Result<(), Error> {
    let n = shape.num_vars();
    for (what, expected, got) in [
        ("r_E of the first instance", n, u1.r_e.len()),
        ("r_E of the second instance", n, u2.r_e.len()),
        ("x of the first instance", shape.num_io, u1.x.len()),
        ("x of the second instance", shape.num_io, u2.x.len()),
    ] {
        if expected != got {
            return Err(Error::WrongLength {
                what,
                expected,
                got,
            });
        }
    }
    Ok(())
}

fn fold_instances(
    u1: &RunningInstance,
    u2: &RunningInstance,
    proof: &MergeProof,
    alpha: Fr,
    rho: Vec<Fr>,
    r: Fr,
) -> RunningInstance {
    let h1_alpha = eval_with_constant(u1.v_e, &proof.h1, alpha);
    // h_2(1) = v_2 fixes its constant term.
    let h2_const = u2.v_e - proof.h2.iter().sum::<Fr>();
    let h2_alpha = eval_with_constant(h2_const, &proof.h2, alpha);
    RunningInstance {
        cw1: fold_point(&u1.cw1, &u2.cw1, r),
        cw2: fold_point(&u1.cw2, &u2.cw2, r),
        x: u1.x.iter().zip(&u2.x).map(|(a, b)| *a + r * b).collect(),
        u: u1.u + r * u2.u,
        r_e: rho,
        v_e: h1_alpha + r * proof.t + r.square() * h2_alpha,
    }
}
