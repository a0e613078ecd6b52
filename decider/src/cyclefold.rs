//! Deciding the CycleFold accumulators: merge them into one, then show it satisfied.
//!
//! A CycleFold accumulator `(C_W, C_E, u, x)` over Grumpkin's scalar field is satisfied by
//! `W, E` committed in `C_W, C_E` (Pedersen) if `Az ∘ Bz = u·Cz + E` for `z = (u, x, W)`.
//!
//! 1. The accumulators are merged left to right by the folding crate's native merge
//!    ([`crease_folding::cyclefold::merge`]: a cross-term commitment per merge, whose
//!    challenge hashes both instances and the cross term); the verifier recomputes the
//!    merged instance from the cross terms the proof lists. Absorb it.
//! 2. Squeeze `τ`; sum-check (degree 3) `0 = Σ_y eq(τ, y)·(Az·Bz − u·Cz − E)(y)`; the prover
//!    sends `Az, Bz, Cz, E` at the final point `r_y`; the verifier checks the final claim.
//! 3. Absorb them; squeeze `γ`; sum-check (degree 2)
//!    `Az(r_y) + γ·Bz(r_y) + γ²·Cz(r_y) = Σ_x M(r_y, x)·z'(x)` with `M = A + γB + γ²C` and
//!    `z' = W | (u, x)` in two blocks of `2^ν`; the prover sends `MLE(W)(r_lo)`; the
//!    verifier computes `M(r_y, r_x)` (the CycleFold shape is small) and `MLE(u, x)(r_lo)`
//!    and checks the final claim. As in [`crate::spartan`], `M` gains `θ·eq(r_t, x)` past
//!    `W`'s length in the first block, so that the opened vector of `2^ν` entries must be
//!    `W` followed by zeros (`E` past the rows is held to zero by step 2 itself).
//! 4. Absorb it; open `C_E` at `r_y` and `C_W` at `r_lo` ([`crate::ipa`]).

use ark_ff::{AdditiveGroup, Field};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use crease_folding::commitment::CommitmentKey;
use crease_folding::cyclefold::{self, CfInstance, CfWitness};
use crease_folding::poseidon::Transcript;
use crease_folding::r1cs::R1csShape;
use crease_folding::{mle, Fq, GrumpkinAffine};

use crate::ipa::{self, IpaProof};
use crate::sumcheck::{
    self, eq, eq_eq_below, eq_table, Challenger, FqChallenger, SumcheckProof, Terms,
};
use crate::Error;

/// The proof of [`prove`].
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct CfProof {
    /// The cross-term commitment of each merge.
    pub merges: Vec<GrumpkinAffine>,
    /// The sum-check of the relation.
    pub outer: SumcheckProof<Fq>,
    /// `Az, Bz, Cz, E` at `r_y`.
    pub abce: [Fq; 4],
    /// The sum-check of the matrix products.
    pub inner: SumcheckProof<Fq>,
    /// `MLE(W)(r_lo)`.
    pub w: Fq,
    /// The opening of `C_E` at `r_y`.
    pub open_e: IpaProof,
    /// The opening of `C_W` at `r_lo`.
    pub open_w: IpaProof,
}

/// Row variables `n_y` and block variables `ν` of the shape.
fn dims(shape: &R1csShape<Fq>) -> (usize, usize) {
    (
        shape.num_vars().max(1),
        mle::num_vars(shape.num_w2.max(1 + shape.num_io)).max(1),
    )
}

/// Bases the decider's key needs for `shape`: `2^max(n_y, ν)`.
pub fn key_len(shape: &R1csShape<Fq>) -> usize {
    let (ny, nu) = dims(shape);
    1 << ny.max(nu)
}

/// Where column `col` of `z = (u, x, W)` sits in `z' = W | (u, x)`.
fn column(shape: &R1csShape<Fq>, nu: usize, col: usize) -> usize {
    let io = 1 + shape.num_io;
    if col < io {
        (1 << nu) + col
    } else {
        col - io
    }
}

fn bound_rows(shape: &R1csShape<Fq>, eq_y: &[Fq], gamma: Fq) -> Vec<Fq> {
    let [a, b, c] = shape.matrices();
    let n = shape.z_len();
    let rows = &eq_y[..shape.num_constraints.min(eq_y.len())];
    let (mut m, mb, mc) = (
        a.transpose_mul(rows, n),
        b.transpose_mul(rows, n),
        c.transpose_mul(rows, n),
    );
    let g2 = gamma.square();
    m.iter_mut()
        .zip(mb.iter().zip(&mc))
        .for_each(|(x, (y, w))| *x += gamma * y + g2 * w);
    m
}

fn absorb_instance(t: &mut Transcript, inst: &CfInstance) {
    t.absorb_grumpkin(&inst.cm_w);
    t.absorb_grumpkin(&inst.cm_e);
    let mut ch = FqChallenger(t);
    ch.absorb_all(&[inst.u]);
    ch.absorb_all(&inst.x);
}

/// Merges `accs` and proves the result satisfied. `key` must hold [`key_len`] bases of the
/// CycleFold key ([`cyclefold::extended_key`]).
pub fn prove(
    shape: &R1csShape<Fq>,
    key: &crease_folding::commitment::PedersenKey,
    accs: &[(&CfInstance, &CfWitness)],
    t: &mut Transcript,
) -> Result<CfProof, Error> {
    let Some(((first, first_w), rest)) = accs.split_first() else {
        return Err(Error::WrongLength {
            what: "CycleFold accumulators",
            expected: 1,
            got: 0,
        });
    };
    let (mut inst, mut w) = ((*first).clone(), (*first_w).clone());
    let mut merges = Vec::with_capacity(rest.len());
    for (i2, w2) in rest {
        let (ni, nw, cm_t) = cyclefold::merge(shape, key, &inst, &w, i2, w2)?;
        (inst, w) = (ni, nw);
        merges.push(cm_t);
    }
    prove_merged(shape, key, &inst, &w, merges, t)
}

/// Step 2 on of [`prove`] for the merged accumulator `inst` (whose merges' cross terms
/// are `merges`). `W` may run past the shape's length up to the block of `2^ν` (a cheating
/// prover's; the tail term rejects it): the products read its first `num_w2` entries.
pub fn prove_merged(
    shape: &R1csShape<Fq>,
    key: &crease_folding::commitment::PedersenKey,
    inst: &CfInstance,
    w: &CfWitness,
    merges: Vec<GrumpkinAffine>,
    t: &mut Transcript,
) -> Result<CfProof, Error> {
    let (ny, nu) = dims(shape);
    let bases = key.bases();
    if bases.len() < key_len(shape) || w.w.len() > 1 << nu {
        return Err(Error::KeyTooShort {
            needed: key_len(shape).max(w.w.len()),
            available: bases.len(),
        });
    }
    absorb_instance(t, inst);

    let z = shape.z(inst.u, &inst.x, &[], &w.w[..shape.num_w2.min(w.w.len())])?;
    let (mut az, mut bz, mut cz) = shape.products(&z);
    let mut e = w.e.clone();
    for v in [&mut az, &mut bz, &mut cz, &mut e] {
        v.resize(1 << ny, Fq::ZERO);
    }
    let tau: Vec<Fq> = {
        let mut ch = FqChallenger(t);
        (0..ny).map(|_| ch.squeeze()).collect()
    };
    let terms = Terms {
        terms: vec![
            (Fq::ONE, vec![0, 1, 2]),
            (-inst.u, vec![0, 3]),
            (-Fq::ONE, vec![0, 4]),
        ],
    };
    let tables = vec![eq_table(&tau), az, bz, cz, e];
    let (outer, r_y, finals) = sumcheck::prove(&terms, tables, &mut FqChallenger(t));
    let abce = [finals[1], finals[2], finals[3], finals[4]];
    FqChallenger(t).absorb_all(&abce);

    let (gamma, theta, r_t) = inner_challenges(t, nu);
    let bound = bound_rows(shape, &eq_table(&r_y), gamma);
    let width = 2usize << nu;
    let (mut m, mut zc) = (vec![Fq::ZERO; width], vec![Fq::ZERO; width]);
    for (col, v) in bound.iter().enumerate() {
        m[column(shape, nu, col)] = *v;
        zc[column(shape, nu, col)] = z[col];
    }
    zc[shape.num_w2..w.w.len()].copy_from_slice(&w.w[shape.num_w2..]);
    let eq_t = eq_table(&r_t);
    for x in shape.num_w2..1 << nu {
        m[x] += theta * eq_t[x];
    }
    let terms = Terms {
        terms: vec![(Fq::ONE, vec![0, 1])],
    };
    let (inner, r_x, _) = sumcheck::prove(&terms, vec![m, zc], &mut FqChallenger(t));
    let r_lo = &r_x[..nu];
    let w_val = mle_fq(&w.w, r_lo);
    FqChallenger(t).absorb_all(&[w_val]);

    let open_e = ipa::prove(&bases[..1 << ny], &w.e, &r_y, &mut FqChallenger(t))?;
    let open_w = ipa::prove(&bases[..1 << nu], &w.w, r_lo, &mut FqChallenger(t))?;
    Ok(CfProof {
        merges,
        outer,
        abce,
        inner,
        w: w_val,
        open_e,
        open_w,
    })
}

/// `γ`, then `θ` and `r_t` for the tail term.
fn inner_challenges(t: &mut Transcript, nu: usize) -> (Fq, Fq, Vec<Fq>) {
    let mut ch = FqChallenger(t);
    let gamma = ch.squeeze();
    let theta = ch.squeeze();
    let r_t = (0..nu + 1).map(|_| ch.squeeze()).collect();
    (gamma, theta, r_t)
}

fn mle_fq(v: &[Fq], r: &[Fq]) -> Fq {
    v.iter().zip(eq_table(r)).map(|(a, b)| *a * b).sum()
}

/// Verifies [`prove`]'s proof for the accumulators `accs`, with `bases` the first
/// [`key_len`] bases of the CycleFold key.
pub fn verify(
    shape: &R1csShape<Fq>,
    bases: &[GrumpkinAffine],
    accs: &[&CfInstance],
    proof: &CfProof,
    t: &mut Transcript,
) -> Result<(), Error> {
    let Some((first, rest)) = accs.split_first() else {
        return Err(Error::WrongLength {
            what: "CycleFold accumulators",
            expected: 1,
            got: 0,
        });
    };
    if proof.merges.len() != rest.len() {
        return Err(Error::WrongLength {
            what: "CycleFold merges",
            expected: rest.len(),
            got: proof.merges.len(),
        });
    }
    if bases.len() < key_len(shape) {
        return Err(Error::KeyTooShort {
            needed: key_len(shape),
            available: bases.len(),
        });
    }
    let mut inst = (*first).clone();
    for (i2, cm_t) in rest.iter().zip(&proof.merges) {
        inst = cyclefold::merge_verify(&inst, i2, cm_t)?;
    }
    if inst.x.len() != shape.num_io {
        return Err(Error::Rejected(
            "a CycleFold instance does not fit its shape",
        ));
    }
    let (ny, nu) = dims(shape);
    absorb_instance(t, &inst);
    let tau: Vec<Fq> = {
        let mut ch = FqChallenger(t);
        (0..ny).map(|_| ch.squeeze()).collect()
    };
    let (r_y, last) = sumcheck::verify(Fq::ZERO, ny, 3, &proof.outer, &mut FqChallenger(t))?;
    let [a, b, c, e] = proof.abce;
    if last != eq(&tau, &r_y) * (a * b - inst.u * c - e) {
        return Err(Error::Rejected(
            "the CycleFold relation's sum-check ends off its claim",
        ));
    }
    FqChallenger(t).absorb_all(&proof.abce);

    let (gamma, theta, r_t) = inner_challenges(t, nu);
    let claim = a + gamma * (b + gamma * c);
    let (r_x, last) = sumcheck::verify(claim, nu + 1, 2, &proof.inner, &mut FqChallenger(t))?;
    let (r_lo, hi) = (&r_x[..nu], r_x[nu]);
    let bound = bound_rows(shape, &eq_table(&r_y), gamma);
    let eq_lo = eq_table(r_lo);
    let m: Fq = bound
        .iter()
        .enumerate()
        .map(|(col, v)| {
            let at = column(shape, nu, col);
            let block = if at >> nu == 1 { hi } else { Fq::ONE - hi };
            *v * block * eq_lo[at & ((1 << nu) - 1)]
        })
        .sum::<Fq>()
        + theta * (Fq::ONE - r_t[nu]) * (Fq::ONE - hi) * {
            let (lo_t, lo_x) = (&r_t[..nu], r_lo);
            eq_eq_below(lo_t, lo_x, 1 << nu) - eq_eq_below(lo_t, lo_x, shape.num_w2)
        };
    let mut ux = vec![inst.u];
    ux.extend_from_slice(&inst.x);
    let z = (Fq::ONE - hi) * proof.w + hi * mle_fq(&ux, r_lo);
    if last != m * z {
        return Err(Error::Rejected(
            "the CycleFold matrices' sum-check ends off its claim",
        ));
    }
    FqChallenger(t).absorb_all(&[proof.w]);

    ipa::verify(
        &bases[..1 << ny],
        &inst.cm_e,
        &r_y,
        e,
        &proof.open_e,
        &mut FqChallenger(t),
    )?;
    ipa::verify(
        &bases[..1 << nu],
        &inst.cm_w,
        r_lo,
        proof.w,
        &proof.open_w,
        &mut FqChallenger(t),
    )
}
