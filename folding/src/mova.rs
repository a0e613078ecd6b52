//! The cross-term-free fold of a running instance with a fresh one.
//!
//! Transcript (both sides):
//!
//! 1. the caller absorbs the running instance `U` and the fresh instance `u`, or values that
//!    bind them (the IVC absorbs `u`, whose public input is a hash of `U`);
//! 2. squeeze `b` and set `β = (b, b^2, b^4, …, b^(2^(n−1)))` (`n = ⌈log2 m⌉`);
//! 3. the prover sends `h(X) = MLE(E_U)(ℓ(X))` for the line `ℓ(X) = r_E + X·(β − r_E)`,
//!    as its coefficients of degree 1..n (the constant term is the claim `v_E`); absorb them;
//! 4. squeeze `α`; the new point is `ρ = ℓ(α)`;
//! 5. the prover sends `t = MLE(T)(ρ)` for the cross term
//!    `T = Az_U ∘ Bz_u + Az_u ∘ Bz_U − u_U·Cz_u − Cz_U`; absorb it;
//! 6. squeeze 127 bits `c` and set `r = 2^128 + 2c + 1`
//!    ([`crate::poseidon::fold_scalar`]); the folded instance is
//!    `(C_W1 + r·C_W1', C_W2 + r·C_W2', x + r·x', u + r, ρ, h(α) + r·t)`.
//!
//! `docs/FOLDING.md` gives the soundness argument. No commitment to `T` or `E` is made.

use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, Field};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;

use crate::commitment::PowersOfTauKey;
use crate::poseidon::Transcript;
use crate::r1cs::{FreshInstance, R1csShape, RunningInstance, Witness, NO_ROW};
use crate::{mle, Error, Fr, G1};

/// The prover's messages of one fold: `n + 1` field elements.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct FoldProof {
    /// Coefficients of degree 1..n of `h(X)`.
    pub h: Vec<Fr>,
    /// `MLE(T)(ρ)`.
    pub t: Fr,
}

/// The challenges of one fold, for callers that must repeat them elsewhere (CycleFold).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoldChallenges {
    /// The random point `β`.
    pub beta: Vec<Fr>,
    /// The line parameter `α`.
    pub alpha: Fr,
    /// The folding scalar `r = 2^128 + 2c + 1`.
    pub r: Fr,
    /// The bits of `c`, least significant first.
    pub r_bits: Vec<bool>,
}

/// Absorbs a running instance.
pub fn absorb_running(t: &mut Transcript, inst: &RunningInstance) {
    t.absorb_g1(&inst.cw1);
    t.absorb_g1(&inst.cw2);
    t.absorb_slice(&inst.x);
    t.absorb(&inst.u);
    t.absorb_slice(&inst.r_e);
    t.absorb(&inst.v_e);
}

/// Absorbs a fresh instance.
pub fn absorb_fresh(t: &mut Transcript, inst: &FreshInstance) {
    t.absorb_g1(&inst.cw1);
    t.absorb_g1(&inst.cw2);
    t.absorb_slice(&inst.x);
}

/// The running witness together with the products `Az, Bz, Cz` of its `z`, which fold
/// linearly and so are never recomputed by the prover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunningWitness {
    /// The witness.
    pub w: Witness,
    pub(crate) az: Vec<Fr>,
    pub(crate) bz: Vec<Fr>,
    pub(crate) cz: Vec<Fr>,
}

impl RunningWitness {
    /// Wraps a witness of `inst`, computing its products.
    pub fn new(shape: &R1csShape, inst: &RunningInstance, w: Witness) -> Result<Self, Error> {
        let z = shape.z(inst.u, &inst.x, &w.w1, &w.w2)?;
        let (az, bz, cz) = shape.products(&z);
        Ok(Self { w, az, bz, cz })
    }

    /// The all-zero witness of [`RunningInstance::zero`].
    pub fn zero(shape: &R1csShape) -> Self {
        let m = shape.num_constraints;
        Self {
            w: Witness::zero(shape),
            az: vec![Fr::ZERO; m],
            bz: vec![Fr::ZERO; m],
            cz: vec![Fr::ZERO; m],
        }
    }
}

/// The products `Az, Bz, Cz` of a fresh instance's `z`, which the prover may compute as soon
/// as the witness is known ([`FreshProducts::new`]), before the fold needs them.
#[derive(Clone, Debug)]
pub struct FreshProducts {
    az: Vec<Fr>,
    bz: Vec<Fr>,
    cz: Vec<Fr>,
}

impl FreshProducts {
    /// The products of the fresh instance `u` with witness `w`, which must satisfy the
    /// shape's S-box rows, as the prover's own witness does
    /// ([`R1csShape::products_of_satisfying`]; with a witness that does not, the fold made
    /// from these products does not verify).
    pub fn new(shape: &R1csShape, u: &FreshInstance, w: &Witness) -> Result<Self, Error> {
        let z = shape.z(Fr::ONE, &u.x, &w.w1, &w.w2)?;
        let (az, bz, cz) = shape.products_of_satisfying(&z);
        Ok(Self { az, bz, cz })
    }
}

/// Folds a fresh instance into a running one (prover side), from the fresh instance's
/// `products` if they were made beforehand (they must be those of `u` and `w`; the folded
/// products are written over them). The transcript must already bind both instances (see
/// the module docs).
pub fn prove(
    shape: &R1csShape,
    transcript: &mut Transcript,
    big_u: &RunningInstance,
    big_w: &RunningWitness,
    u: &FreshInstance,
    w: &Witness,
    products: Option<FreshProducts>,
) -> Result<(RunningInstance, RunningWitness, FoldProof, FoldChallenges), Error> {
    let n = shape.num_vars();
    let m = shape.num_constraints;
    let FreshProducts {
        az: mut az2,
        bz: mut bz2,
        cz: mut cz2,
    } = match products {
        Some(p) => p,
        None => FreshProducts::new(shape, u, w)?,
    };
    let lengths = [
        ("Az", m, az2.len()),
        ("Bz", m, bz2.len()),
        ("Cz", m, cz2.len()),
        ("x", shape.num_io, u.x.len()),
        ("W1", shape.num_w1, w.w1.len()),
        ("W2", shape.num_w2, w.w2.len()),
        ("running x", shape.num_io, big_u.x.len()),
        ("running W1", shape.num_w1, big_w.w.w1.len()),
        ("running W2", shape.num_w2, big_w.w.w2.len()),
        ("running Az", m, big_w.az.len()),
        ("running Bz", m, big_w.bz.len()),
        ("running Cz", m, big_w.cz.len()),
    ];
    for (what, expected, got) in lengths {
        if got != expected {
            return Err(Error::WrongLength {
                what,
                expected,
                got,
            });
        }
    }

    let beta = transcript.power_challenges(n);

    // E_U = Az_U ∘ Bz_U − u_U·Cz_U, entry by entry as the restriction reads it.
    let (az1, bz1, cz1) = (&big_w.az, &big_w.bz, &big_w.cz);
    // Each entry with one Montgomery reduction (`sum_of_products`).
    let minus_u = -big_u.u;
    let e1 = |i: usize| Fr::sum_of_products(&[az1[i], minus_u], &[bz1[i], cz1[i]]);
    let dir: Vec<Fr> = beta.iter().zip(&big_u.r_e).map(|(b, r)| *b - r).collect();
    let h_full = mle::restrict_to_line_by(m, e1, &big_u.r_e, &dir);
    let h = h_full[1..].to_vec();
    transcript.absorb_slice(&h);
    let alpha = transcript.challenge();
    let rho = mle::line_point(&big_u.r_e, &beta, alpha);

    let cross = |i: usize| {
        Fr::sum_of_products(&[az1[i], az2[i], minus_u], &[bz2[i], bz1[i], cz2[i]]) - cz1[i]
    };
    let t = mle::evaluate_by(m, cross, &rho);
    transcript.absorb(&t);
    let (r_bits, r) = transcript.fold_challenge();

    let proof = FoldProof { h, t };
    let folded = fold_instances(big_u, u, &proof, alpha, rho, r);
    let lin =
        |a: &[Fr], b: &[Fr]| -> Vec<Fr> { a.par_iter().zip(b).map(|(x, y)| *x + r * y).collect() };
    let folded_w = Witness {
        w1: lin(&big_w.w.w1, &w.w1),
        w2: lin(&big_w.w.w2, &w.w2),
    };
    // The folded products overwrite the fresh ones, in one pass. A row that copies an entry
    // of `z` reads the folded `z` instead (no multiplication).
    {
        let z_star = shape.z_entry(folded.u, &folded.x, &folded_w.w1, &folded_w.w2);
        let fold_entry = |copy: u32, one: &Fr, two: &mut Fr| {
            *two = if copy == NO_ROW {
                *one + r * *two
            } else {
                z_star(copy)
            };
        };
        let [copy_a, copy_b, copy_c] = shape.copied_columns();
        az2.par_iter_mut()
            .zip(&mut bz2)
            .zip(&mut cz2)
            .zip(az1.par_iter().zip(bz1).zip(cz1))
            .enumerate()
            .for_each(|(i, (((a2, b2), c2), ((a1, b1), c1)))| {
                fold_entry(copy_a[i], a1, a2);
                fold_entry(copy_b[i], b1, b2);
                fold_entry(copy_c[i], c1, c2);
            });
    }
    let new_w = RunningWitness {
        w: folded_w,
        az: az2,
        bz: bz2,
        cz: cz2,
    };
    let challenges = FoldChallenges {
        beta,
        alpha,
        r,
        r_bits,
    };
    Ok((folded, new_w, proof, challenges))
}

/// Folds the instances (verifier side): replays the transcript, which must already bind both
/// instances, and returns the folded instance and the challenges.
pub fn verify(
    shape: &R1csShape,
    transcript: &mut Transcript,
    big_u: &RunningInstance,
    u: &FreshInstance,
    proof: &FoldProof,
) -> Result<(RunningInstance, FoldChallenges), Error> {
    let n = shape.num_vars();
    for (what, expected, got) in [
        ("h", n, proof.h.len()),
        ("r_E", n, big_u.r_e.len()),
        ("running x", shape.num_io, big_u.x.len()),
        ("fresh x", shape.num_io, u.x.len()),
    ] {
        if expected != got {
            return Err(Error::WrongLength {
                what,
                expected,
                got,
            });
        }
    }
    let beta = transcript.power_challenges(n);
    transcript.absorb_slice(&proof.h);
    let alpha = transcript.challenge();
    let rho = mle::line_point(&big_u.r_e, &beta, alpha);
    transcript.absorb(&proof.t);
    let (r_bits, r) = transcript.fold_challenge();
    let folded = fold_instances(big_u, u, proof, alpha, rho, r);
    Ok((
        folded,
        FoldChallenges {
            beta,
            alpha,
            r,
            r_bits,
        },
    ))
}

fn fold_instances(
    big_u: &RunningInstance,
    u: &FreshInstance,
    proof: &FoldProof,
    alpha: Fr,
    rho: Vec<Fr>,
    r: Fr,
) -> RunningInstance {
    // h(α) with the constant term v_E.
    let mut h_alpha = Fr::ZERO;
    for c in proof.h.iter().rev() {
        h_alpha = (h_alpha + c) * alpha;
    }
    h_alpha += big_u.v_e;
    RunningInstance {
        cw1: fold_point(&big_u.cw1, &u.cw1, r),
        cw2: fold_point(&big_u.cw2, &u.cw2, r),
        x: big_u.x.iter().zip(&u.x).map(|(a, b)| *a + r * b).collect(),
        u: big_u.u + r,
        r_e: rho,
        v_e: h_alpha + r * proof.t,
    }
}

/// `a + r·b` on G1.
pub fn fold_point(a: &G1, b: &G1, r: Fr) -> G1 {
    (a.into_group() + *b * r).into_affine()
}

/// Checks a running instance against its witness (the decider's relation).
pub fn check(
    shape: &R1csShape,
    key: &PowersOfTauKey,
    inst: &RunningInstance,
    w: &RunningWitness,
) -> Result<(), Error> {
    shape.check_running(key, inst, &w.w)
}
