//! One argument that many relaxed R1CS instances in Mova form are satisfied.
//!
//! An instance `(C_W1, C_W2, x, u, r_E, v_E)` of a shape `(A, B, C)` is satisfied by
//! `W1, W2` committed in `C_W1, C_W2` if, for `z = (u, x, W1, W2)`,
//! `MLE(Az ∘ Bz − u·Cz)(r_E) = v_E` (a fresh instance is one with `u = 1, v_E = 0` at a
//! random `r_E`). For instances `i` of shapes `s(i)`, padded to common sizes:
//!
//! 1. squeeze `λ`; sum-check (degree 3, `n_y` rounds)
//!    `Σ_i λ^i v_i = Σ_y Σ_i λ^i·eq(r_i, y)·(Az_i(y)·Bz_i(y) − u_i·Cz_i(y))`; the prover
//!    sends `a_i, b_i, c_i`, the tables' values at the final point `r_y`, and the verifier
//!    checks the final claim with them;
//! 2. absorb them; squeeze `γ, μ`; sum-check (degree 2, `ν + 2` rounds)
//!    `Σ_i μ^i (a_i + γ b_i + γ² c_i) = Σ_x Σ_s M_s(r_y, x)·Σ_{s(i) = s} μ^i z'_i(x)` with
//!    `M = A + γB + γ²C` and `z'` the layout `W1 | W2 | (u, x) | 0` of four blocks of `2^ν`;
//!    the prover sends `MLE(W1_i)(r_lo)` and `MLE(W2_i)(r_lo)` at the final point's low
//!    `ν` coordinates, the verifier computes `MLE(u, x)(r_lo)` and `M_s(r_y, r_x)` itself
//!    and checks the final claim. The opening below is of vectors of `2^ν` entries, longer
//!    than a shape's `W1` or `W2`: so that entries past `num_w1` (`num_w2`) must be zero,
//!    as the folding scheme's relation has it, the verifier also squeezes `θ` and a point
//!    `r_t` with `γ, μ`, and `M_s` gains `θ·eq(r_t, x)` on those tails ([`add_tail`]):
//!    a non-zero tail of `Σ μ^i W_i` moves the sum by `θ·MLE(tail)(r_t)`, which a
//!    prover cannot foresee. The verifier adds the tails' share in `O(ν)` ([`tail_sum`]);
//! 3. absorb them; squeeze `ρ`; open `Σ_i ρ^(2i) C_W1_i + ρ^(2i+1) C_W2_i` at `r_lo` to
//!    the same combination of the sent values ([`crate::opening`]).
//!
//! The verifier's work is the two sum-checks, one opening, and one evaluation of each
//! shape's matrices at `(r_y, r_x)`, linear in the shape's non-zero entries (docs/DECIDER.md).

use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, Field};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use crease_folding::commitment::PowersOfTauKey;
use crease_folding::mova::absorb_running;
use crease_folding::poseidon::Transcript;
use crease_folding::r1cs::{R1csShape, RunningInstance, Witness};
use crease_folding::{mle, Fr, G1Projective};
use rayon::prelude::*;

use crate::opening::{self, OpeningKey, OpeningProof};
use crate::sumcheck::{self, eq, eq_eq_below, eq_table, SumcheckProof, Terms};
use crate::Error;

/// The proof of [`prove`].
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct SpartanProof {
    /// The sum-check of the error terms.
    pub outer: SumcheckProof,
    /// `MLE(Az_i), MLE(Bz_i), MLE(Cz_i)` at `r_y`, per instance.
    pub abc: Vec<[Fr; 3]>,
    /// The sum-check of the matrix products.
    pub inner: SumcheckProof,
    /// `MLE(W1_i), MLE(W2_i)` at `r_lo`, per instance.
    pub w: Vec<[Fr; 2]>,
    /// The opening of the combined commitments.
    pub opening: OpeningProof,
}

/// The common sizes of a batch: `n_y` row variables, `ν` variables per block of `z'`.
#[derive(Clone, Copy, Debug)]
struct Dims {
    ny: usize,
    nu: usize,
}

impl Dims {
    fn of(shapes: &[&R1csShape]) -> Self {
        let ny = shapes.iter().map(|s| s.num_vars()).max().unwrap_or(0);
        let nu = shapes
            .iter()
            .map(|s| mle::num_vars(s.num_w1.max(s.num_w2).max(1 + s.num_io)))
            .max()
            .unwrap_or(0)
            .max(1);
        Self { ny, nu }
    }
}

/// `(n_y, ν)` of a batch of `shapes`: rows `2^n_y`, blocks of `z'` of `2^ν` (the opening
/// key must hold as many bases as the longest `W1` or `W2`).
pub fn batch_dims(shapes: &[&R1csShape]) -> (usize, usize) {
    let d = Dims::of(shapes);
    (d.ny, d.nu)
}

/// Where column `col` of `z = (u, x, W1, W2)` sits in `z' = W1 | W2 | (u, x) | 0`.
#[doc(hidden)]
pub fn column(shape: &R1csShape, nu: usize, col: usize) -> usize {
    let (io, w1) = (1 + shape.num_io, shape.num_w1);
    let block = 1usize << nu;
    if col < io {
        2 * block + col
    } else if col < io + w1 {
        col - io
    } else {
        block + col - io - w1
    }
}

/// `(A + γB + γ²C)ᵀ·eq(r_y, ·)` over the columns of `z`.
#[doc(hidden)]
pub fn bound_rows(shape: &R1csShape, eq_y: &[Fr], gamma: Fr) -> Vec<Fr> {
    let [a, b, c] = shape.matrices();
    let cols = shape.z_len();
    let (mut m, mb, mc) = (
        a.transpose_mul(eq_y, cols),
        b.transpose_mul(eq_y, cols),
        c.transpose_mul(eq_y, cols),
    );
    let g2 = gamma.square();
    m.iter_mut()
        .zip(mb.iter().zip(&mc))
        .for_each(|(x, (y, w))| *x += gamma * y + g2 * w);
    m
}

/// The tails of `z'` that must be zero for `shape`: `W1` past `num_w1` (block 0) and `W2`
/// past `num_w2` (block 1), as `(block, first position)`.
fn tails(shape: &R1csShape) -> [(usize, usize); 2] {
    [(0, shape.num_w1), (1, shape.num_w2)]
}

/// Adds `θ·eq(r_t, x)` to `m` at every tail position `x` of `shape` (`eq_t = eq(r_t, ·)`
/// over the `4·2^ν` positions of `z'`).
pub fn add_tail(m: &mut [Fr], shape: &R1csShape, nu: usize, theta: Fr, eq_t: &[Fr]) {
    for (block, start) in tails(shape) {
        let base = block << nu;
        for x in base + start..base + (1 << nu) {
            m[x] += theta * eq_t[x];
        }
    }
}

/// `Σ_{x in the tails of shape} eq(r_t, x)·eq(r_x, x)`, in `O(ν)`.
pub fn tail_sum(shape: &R1csShape, nu: usize, r_t: &[Fr], r_x: &[Fr]) -> Fr {
    let (lo_t, lo_x) = (&r_t[..nu], &r_x[..nu]);
    let all = eq_eq_below(lo_t, lo_x, 1 << nu);
    tails(shape)
        .iter()
        .map(|&(block, start)| {
            let bits = [Fr::from((block & 1) as u64), Fr::from((block >> 1) as u64)];
            let weight = eq(&r_t[nu..], &bits) * eq(&r_x[nu..], &bits);
            weight * (all - eq_eq_below(lo_t, lo_x, start))
        })
        .sum()
}

/// The batch's shapes and which shape each instance has.
fn check_batch(shapes: &[&R1csShape], of: &[usize], n: usize) -> Result<(), Error> {
    if of.len() != n || n == 0 {
        return Err(Error::WrongLength {
            what: "instances",
            expected: of.len().max(1),
            got: n,
        });
    }
    if of.iter().any(|&s| s >= shapes.len()) {
        return Err(Error::Rejected("an instance names no shape"));
    }
    Ok(())
}

fn powers(x: Fr, n: usize) -> Vec<Fr> {
    let mut out = Vec::with_capacity(n);
    let mut acc = Fr::ONE;
    for _ in 0..n {
        out.push(acc);
        acc *= x;
    }
    out
}

/// `r_E` padded with zeros to `n` coordinates.
fn padded(r: &[Fr], n: usize) -> Vec<Fr> {
    let mut p = r.to_vec();
    p.resize(n, Fr::ZERO);
    p
}

fn absorb_instances(t: &mut Transcript, of: &[usize], instances: &[&RunningInstance]) {
    for (s, inst) in of.iter().zip(instances) {
        t.absorb(&Fr::from(*s as u64));
        absorb_running(t, inst);
    }
}

/// Proves that instance `i` (of shape `shapes[of[i]]`) is satisfied by `witnesses[i]`.
pub fn prove(
    key: &PowersOfTauKey,
    shapes: &[&R1csShape],
    of: &[usize],
    instances: &[&RunningInstance],
    witnesses: &[&Witness],
    transcript: &mut Transcript,
) -> Result<SpartanProof, Error> {
    check_batch(shapes, of, instances.len())?;
    check_batch(shapes, of, witnesses.len())?;
    for (i, inst) in instances.iter().enumerate() {
        let s = shapes[of[i]];
        if inst.r_e.len() != s.num_vars() {
            return Err(Error::WrongLength {
                what: "r_E",
                expected: s.num_vars(),
                got: inst.r_e.len(),
            });
        }
    }
    let Dims { ny, nu } = Dims::of(shapes);
    absorb_instances(transcript, of, instances);

    // 1. The error terms.
    let lambda = transcript.challenge();
    let lp = powers(lambda, instances.len());
    let mut tables = Vec::with_capacity(4 * instances.len());
    let mut terms = Vec::with_capacity(2 * instances.len());
    let mut zs = Vec::with_capacity(instances.len());
    for (i, (inst, w)) in instances.iter().zip(witnesses).enumerate() {
        let s = shapes[of[i]];
        let z = s.z(inst.u, &inst.x, &w.w1, &w.w2)?;
        let (mut az, mut bz, mut cz) = s.products(&z);
        for t in [&mut az, &mut bz, &mut cz] {
            t.resize(1 << ny, Fr::ZERO);
        }
        let base = tables.len();
        tables.push(eq_table(&padded(&inst.r_e, ny)));
        tables.extend([az, bz, cz]);
        terms.push((lp[i], vec![base, base + 1, base + 2]));
        terms.push((-lp[i] * inst.u, vec![base, base + 3]));
        zs.push(z);
    }
    let (outer, r_y, finals) = sumcheck::prove(&Terms { terms }, tables, transcript);
    let abc: Vec<[Fr; 3]> = (0..instances.len())
        .map(|i| [finals[4 * i + 1], finals[4 * i + 2], finals[4 * i + 3]])
        .collect();
    for v in &abc {
        transcript.absorb_slice(v);
    }

    // 2. The matrix products, one pair of tables per shape.
    let gamma = transcript.challenge();
    let mu = transcript.challenge();
    let theta = transcript.challenge();
    let r_t = transcript.challenges(nu + 2);
    let eq_t = eq_table(&r_t);
    let mp = powers(mu, instances.len());
    let eq_y = eq_table(&r_y);
    let width = 4usize << nu;
    let mut tables = Vec::with_capacity(2 * shapes.len());
    let mut terms = Vec::new();
    for (si, s) in shapes.iter().enumerate() {
        let members: Vec<usize> = (0..instances.len()).filter(|&i| of[i] == si).collect();
        if members.is_empty() {
            continue;
        }
        let bound = bound_rows(s, &eq_y[..s.num_constraints.min(eq_y.len())], gamma);
        let mut m = vec![Fr::ZERO; width];
        let mut zc = vec![Fr::ZERO; width];
        for (col, v) in bound.iter().enumerate() {
            m[column(s, nu, col)] = *v;
        }
        add_tail(&mut m, s, nu, theta, &eq_t);
        for &i in &members {
            for (col, v) in zs[i].iter().enumerate() {
                zc[column(s, nu, col)] += mp[i] * v;
            }
        }
        terms.push((Fr::ONE, vec![tables.len(), tables.len() + 1]));
        tables.extend([m, zc]);
    }
    drop(zs);
    let (inner, r_x, _) = sumcheck::prove(&Terms { terms }, tables, transcript);
    let r_lo = &r_x[..nu];
    let w: Vec<[Fr; 2]> = witnesses
        .par_iter()
        .map(|w| [mle::evaluate(&w.w1, r_lo), mle::evaluate(&w.w2, r_lo)])
        .collect();
    for v in &w {
        transcript.absorb_slice(v);
    }

    // 3. One opening of all the witnesses.
    let rho = transcript.challenge();
    let rp = powers(rho, 2 * instances.len());
    let longest = witnesses
        .iter()
        .map(|w| w.w1.len().max(w.w2.len()))
        .max()
        .unwrap_or(1);
    let mut combined = vec![Fr::ZERO; longest];
    for (i, wi) in witnesses.iter().enumerate() {
        for (part, coeff) in [(&wi.w1, rp[2 * i]), (&wi.w2, rp[2 * i + 1])] {
            combined
                .par_iter_mut()
                .zip(part.par_iter())
                .for_each(|(c, v)| *c += coeff * v);
        }
    }
    let opening = opening::prove(key, &combined, r_lo, transcript)?;
    Ok(SpartanProof {
        outer,
        abc,
        inner,
        w,
        opening,
    })
}

/// Verifies [`prove`]'s proof for the same shapes and instances.
pub fn verify(
    key: &OpeningKey,
    shapes: &[&R1csShape],
    of: &[usize],
    instances: &[&RunningInstance],
    proof: &SpartanProof,
    transcript: &mut Transcript,
) -> Result<(), Error> {
    let n = instances.len();
    check_batch(shapes, of, n)?;
    for (what, expected, got) in [
        ("evaluations", n, proof.abc.len()),
        ("openings", n, proof.w.len()),
    ] {
        if expected != got {
            return Err(Error::WrongLength {
                what,
                expected,
                got,
            });
        }
    }
    for (i, inst) in instances.iter().enumerate() {
        let s = shapes[of[i]];
        if inst.r_e.len() != s.num_vars() || inst.x.len() != s.num_io {
            return Err(Error::Rejected("an instance does not fit its shape"));
        }
    }
    let Dims { ny, nu } = Dims::of(shapes);
    absorb_instances(transcript, of, instances);

    let lambda = transcript.challenge();
    let lp = powers(lambda, n);
    let claim: Fr = instances.iter().zip(&lp).map(|(u, l)| u.v_e * l).sum();
    let (r_y, last) = sumcheck::verify(claim, ny, 3, &proof.outer, transcript)?;
    let expected: Fr = (0..n)
        .map(|i| {
            let [a, b, c] = proof.abc[i];
            let u = instances[i];
            lp[i] * eq(&padded(&u.r_e, ny), &r_y) * (a * b - u.u * c)
        })
        .sum();
    if last != expected {
        return Err(Error::Rejected(
            "the error terms' sum-check ends off its claim",
        ));
    }
    for v in &proof.abc {
        transcript.absorb_slice(v);
    }

    let gamma = transcript.challenge();
    let mu = transcript.challenge();
    let theta = transcript.challenge();
    let r_t = transcript.challenges(nu + 2);
    let mp = powers(mu, n);
    let claim: Fr = (0..n)
        .map(|i| {
            let [a, b, c] = proof.abc[i];
            mp[i] * (a + gamma * (b + gamma * c))
        })
        .sum();
    let (r_x, last) = sumcheck::verify(claim, nu + 2, 2, &proof.inner, transcript)?;
    let (r_lo, b0, b1) = (&r_x[..nu], r_x[nu], r_x[nu + 1]);
    let blocks = [
        (Fr::ONE - b0) * (Fr::ONE - b1),
        b0 * (Fr::ONE - b1),
        (Fr::ONE - b0) * b1,
    ];
    let eq_y = eq_table(&r_y);
    let eq_lo = eq_table(r_lo);
    let mut expected = Fr::ZERO;
    for (si, s) in shapes.iter().enumerate() {
        let members: Vec<usize> = (0..n).filter(|&i| of[i] == si).collect();
        if members.is_empty() {
            continue;
        }
        let bound = bound_rows(s, &eq_y[..s.num_constraints.min(eq_y.len())], gamma);
        let m: Fr = bound
            .iter()
            .enumerate()
            .map(|(col, v)| {
                let at = column(s, nu, col);
                *v * blocks[at >> nu] * eq_lo[at & ((1 << nu) - 1)]
            })
            .sum::<Fr>()
            + theta * tail_sum(s, nu, &r_t, &r_x);
        let z: Fr = members
            .iter()
            .map(|&i| {
                let u = instances[i];
                let mut ux = Vec::with_capacity(1 + u.x.len());
                ux.push(u.u);
                ux.extend_from_slice(&u.x);
                let [w1, w2] = proof.w[i];
                mp[i] * (blocks[0] * w1 + blocks[1] * w2 + blocks[2] * mle::evaluate(&ux, r_lo))
            })
            .sum();
        expected += m * z;
    }
    if last != expected {
        return Err(Error::Rejected(
            "the matrices' sum-check ends off its claim",
        ));
    }
    for v in &proof.w {
        transcript.absorb_slice(v);
    }

    let rho = transcript.challenge();
    let rp = powers(rho, 2 * n);
    let points: Vec<_> = instances.iter().flat_map(|u| [u.cw1, u.cw2]).collect();
    let commitment = G1Projective::msm_unchecked(&points, &rp).into_affine();
    let value: Fr = proof.w.iter().flatten().zip(&rp).map(|(v, p)| *v * p).sum();
    opening::verify(key, &commitment, r_lo, value, &proof.opening, transcript)
}
