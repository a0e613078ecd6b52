//! Evaluations of fixed sparse matrices at a point, proven against commitments made once at
//! set-up (Spartan's SPARK, with logUp memory checking).
//!
//! The batched argument ([`crate::spartan`]) ends with claims `v_s = M_s(r_y, r_x)` for
//! `M = A + γB + γ²C` of each shape `s`. Evaluating `M_s` costs the verifier a pass over
//! its non-zero entries (millions for the recursion circuits). Instead, set-up lists a
//! shape's entries `i` as vectors `row`, `col` (the column's place in the layout `z'`),
//! `a, b, c` (the three matrices' values there; one list for the union of their entries),
//! and counts how often each row and column is listed (`row_counts`, `col_counts`), and
//! commits to these seven vectors ([`SparkCommitment`], a few points per shape). Then
//! `v_s = Σ_i (a_i + γb_i + γ²c_i)·E_r[i]·E_c[i]` with `E_r[i] = eq(r_y, row_i)`,
//! `E_c[i] = eq(r_x, col_i)`, and for all shapes of a batch at once:
//!
//! 1. the prover commits `E_r`, `E_c` of every shape; squeeze `α, β`;
//! 2. it commits `h_r[i] = 1/(β − row_i − α·E_r[i])` (and `h_c` alike) of every shape, and
//!    for the row memory `g_r[j] = m_r[j]/(β − j − α·eq(r_y, j))` with `m_r` the shapes'
//!    `row_counts` summed (and `g_c` alike over the columns of `z'`), and sends each shape's
//!    sums `S_r = Σ_i h_r[i]`, `S_c`; squeeze `λ, τ`;
//! 3. one sum-check ([`sumcheck::prove_groups`]) of, per shape over its entries,
//!    `val·E_r·E_c` (sum `v_s`), `h_r` (sum `S_r`), `h_c` (sum `S_c`),
//!    `eq(τ, ·)·(h_r·(β − row − α·E_r) − 1)` and the same for `c` (sums zero), and, over the
//!    memories, `g_r` (sum `Σ_s S_r`) and `eq(τ, ·)·(g_r·(β − j − α·eq(r_y, j)) − m_r)`
//!    (sum zero) and the same for the columns, combined by powers of `λ`. The verifier
//!    computes `eq(τ, ·)`, the index `j` and `eq(r_y, ·)` at the point itself;
//! 4. the prover sends every committed vector's value at the point; one opening of their
//!    combination ([`crate::opening`]).
//!
//! The zero checks make `h` and `g` the inverses they claim to be; then
//! `Σ_i 1/(β − row_i − α·E_r[i]) = Σ_j m_r[j]/(β − j − α·eq(r_y, j))` at a random `β`,
//! with positive integer coefficients below the field's size on both sides, makes every
//! `(row_i, E_r[i])` some `(j, eq(r_y, j))` (logUp; `α`, squeezed after `E_r` was
//! committed, makes the packing injective but with negligible probability): `E_r` is what
//! it claims to be, and `v_s` follows from the first sum. The set-up commitments are not
//! absorbed here: the caller's transcript must bind them (through the parameters' digest).
//!
//! The prover commits `E_r` and `h_r` as `Σ_j e(j)·P_j` with `P_j` the sum of the bases of
//! the entries in row `j`: an MSM over the rows, not the entries.

use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{batch_inversion, AdditiveGroup, Field, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use crease_folding::commitment::{msm, CommitmentKey, PowersOfTauKey};
use crease_folding::poseidon::Transcript;
use crease_folding::r1cs::R1csShape;
use crease_folding::{mle, Fr, G1Projective, G1};
use rayon::prelude::*;

use crate::opening::{self, OpeningKey, OpeningProof};
use crate::spartan::column;
use crate::sumcheck::{self, eq, eq_table, Group, SumcheckProof, Terms};
use crate::Error;

/// The largest number of variables of an entry list or memory (a sanity bound on inputs).
const MAX_VARS: usize = 40;

/// A shape's matrices as one list of entries over the columns of `z'` (the layout with
/// blocks of `2^ν`), with the rows' and columns' counts. Made at set-up and by the prover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparkIndex {
    /// `log2` of the padded number of entries.
    m: usize,
    /// Rows, `2^m` (padding entries sit at row 0 with value 0).
    row: Vec<u32>,
    /// Columns of `z'`, `2^m`.
    col: Vec<u32>,
    /// The values of `A`, `B`, `C` at the entries (without the padding).
    vals: [Vec<Fr>; 3],
    /// How often each row is listed (padding included).
    row_counts: Vec<u32>,
    /// How often each column of `z'` is listed (padding included).
    col_counts: Vec<u32>,
}

/// What the verifier holds of a [`SparkIndex`]: commitments to its seven vectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct SparkCommitment {
    /// `log2` of the padded number of entries.
    pub m: u32,
    /// The rows.
    pub row: G1,
    /// The columns.
    pub col: G1,
    /// The values of `A`, `B`, `C`.
    pub vals: [G1; 3],
    /// The rows' counts.
    pub row_counts: G1,
    /// The columns' counts.
    pub col_counts: G1,
}

/// Where the matrices are evaluated: `M = A + γB + γ²C` at `(r_y, r_x)`, `r_x` over the
/// columns of `z'` (`ν + 2` coordinates).
#[derive(Clone, Copy, Debug)]
pub struct EvalPoint<'a> {
    /// The row coordinates.
    pub r_y: &'a [Fr],
    /// The column coordinates.
    pub r_x: &'a [Fr],
    /// The matrices' combination.
    pub gamma: Fr,
}

/// The proof of [`prove`].
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct SparkProof {
    /// Per shape, the commitments to `E_r` and `E_c`.
    pub e: Vec<[G1; 2]>,
    /// Per shape, the commitments to `h_r` and `h_c`.
    pub h: Vec<[G1; 2]>,
    /// The commitments to `g_r` and `g_c`.
    pub g: [G1; 2],
    /// Per shape, `S_r` and `S_c`.
    pub sums: Vec<[Fr; 2]>,
    /// The sum-check.
    pub sumcheck: SumcheckProof,
    /// Per shape at the point: `row, col, a, b, c, E_r, E_c, h_r, h_c`.
    pub values: Vec<[Fr; 9]>,
    /// At the point: `g_r, m_r, g_c, m_c`.
    pub memory_values: [Fr; 4],
    /// The opening of all of them.
    pub opening: OpeningProof,
}

impl SparkIndex {
    /// Lists `shape`'s entries with columns placed in `z'` for blocks of `2^nu`; an error if
    /// a row or a column of `z'` does not fit 32 bits.
    pub fn new(shape: &R1csShape, nu: usize) -> Result<Self, Error> {
        if nu + 2 > MAX_VARS || shape.num_vars() > MAX_VARS {
            return Err(Error::Rejected("a shape too large to index"));
        }
        let too_large = |_| Error::Rejected("a shape too large to index");
        let mut all: Vec<(u32, u32, usize, Fr)> = Vec::with_capacity(shape.nnz());
        for (k, matrix) in shape.matrices().into_iter().enumerate() {
            for (r, c, v) in matrix.entries() {
                let col = u32::try_from(column(shape, nu, c)).map_err(too_large)?;
                all.push((u32::try_from(r).map_err(too_large)?, col, k, v));
            }
        }
        all.par_sort_unstable_by_key(|e| (e.0, e.1));
        let (mut row, mut col) = (Vec::new(), Vec::new());
        let mut vals: [Vec<Fr>; 3] = Default::default();
        for (r, c, k, v) in all {
            if row.last() != Some(&r) || col.last() != Some(&c) {
                row.push(r);
                col.push(c);
                vals.iter_mut().for_each(|vs| vs.push(Fr::ZERO));
            }
            let last = vals[k].len() - 1;
            vals[k][last] += v;
        }
        let m = mle::num_vars(row.len().max(1));
        row.resize(1 << m, 0);
        col.resize(1 << m, 0);
        let counts = |idx: &[u32]| {
            let len = idx.iter().max().map_or(1, |&x| x as usize + 1);
            let mut counts = vec![0u32; len];
            idx.iter().for_each(|&x| counts[x as usize] += 1);
            counts
        };
        let (row_counts, col_counts) = (counts(&row), counts(&col));
        Ok(Self {
            m,
            row,
            col,
            vals,
            row_counts,
            col_counts,
        })
    }

    /// `log2` of the padded number of entries.
    pub fn num_vars(&self) -> usize {
        self.m
    }

    /// The number of entries, padding excluded.
    pub fn num_entries(&self) -> usize {
        self.vals[0].len()
    }

    /// Commits to the seven vectors (set-up; the key must hold `2^m` bases and one per row
    /// and column).
    pub fn commit(&self, key: &PowersOfTauKey) -> Result<SparkCommitment, Error> {
        let commit_vals = |v: &Vec<Fr>| key.commit(v);
        Ok(SparkCommitment {
            m: self.m as u32,
            row: key.commit_u32(&self.row)?,
            col: key.commit_u32(&self.col)?,
            vals: [
                commit_vals(&self.vals[0])?,
                commit_vals(&self.vals[1])?,
                commit_vals(&self.vals[2])?,
            ],
            row_counts: key.commit_u32(&self.row_counts)?,
            col_counts: key.commit_u32(&self.col_counts)?,
        })
    }

    /// `Σ_i (a_i + γb_i + γ²c_i)·eq_y[row_i]·eq_x[col_i]`: `M(r_y, r_x)` from the tables
    /// `eq_y = eq(r_y, ·)`, `eq_x = eq(r_x, ·)`.
    pub fn evaluate(&self, eq_y: &[Fr], eq_x: &[Fr], gamma: Fr) -> Fr {
        let g2 = gamma.square();
        (0..self.num_entries())
            .into_par_iter()
            .map(|i| {
                let v = self.vals[0][i] + gamma * self.vals[1][i] + g2 * self.vals[2][i];
                v * eq_y[self.row[i] as usize] * eq_x[self.col[i] as usize]
            })
            .sum()
    }

    /// `a + γb + γ²c` over the `2^m` entries.
    fn combined_vals(&self, gamma: Fr) -> Vec<Fr> {
        let g2 = gamma.square();
        let mut v: Vec<Fr> = (0..self.num_entries())
            .into_par_iter()
            .map(|i| self.vals[0][i] + gamma * self.vals[1][i] + g2 * self.vals[2][i])
            .collect();
        v.resize(1 << self.m, Fr::ZERO);
        v
    }
}

/// `P_j = Σ_{i: idx_i = j} bases[i]` for `j < len`.
fn buckets(bases: &[G1], idx: &[u32], len: usize) -> Vec<G1> {
    let chunk = idx
        .len()
        .div_ceil(rayon::current_num_threads())
        .max(1 << 12);
    let sums = idx
        .par_chunks(chunk)
        .enumerate()
        .map(|(c, part)| {
            let mut acc = vec![G1Projective::zero(); len];
            for (k, &j) in part.iter().enumerate() {
                acc[j as usize] += bases[c * chunk + k];
            }
            acc
        })
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
            a
        })
        .unwrap_or_else(|| vec![G1Projective::zero(); len]);
    G1Projective::normalize_batch(&sums)
}

/// A memory's denominators `β − j − α·e_j` and their inverses, or an error if one is not
/// invertible.
fn inverses(e: &[Fr], alpha: Fr, beta: Fr) -> Result<(Vec<Fr>, Vec<Fr>), Error> {
    let den: Vec<Fr> = e
        .par_iter()
        .enumerate()
        .map(|(j, ej)| beta - Fr::from(j as u64) - alpha * ej)
        .collect();
    if den.iter().any(Zero::is_zero) {
        return Err(Error::Rejected("a memory challenge hit a memory entry"));
    }
    let mut inv = den.clone();
    batch_inversion(&mut inv);
    Ok((den, inv))
}

/// `x^0 … x^(n−1)`.
fn powers(x: Fr, n: usize) -> Vec<Fr> {
    std::iter::successors(Some(Fr::ONE), |p| Some(*p * x))
        .take(n)
        .collect()
}

/// `Σ_k 2^k·p_k`: the index's multilinear extension at `p`.
fn index_at(p: &[Fr]) -> Fr {
    p.iter().rev().fold(Fr::ZERO, |acc, x| acc.double() + x)
}

/// `Π_{j ≥ k} (1 − p_j)`: the factor a vector of `2^k` entries, zero-padded, gains when
/// opened at `p`.
fn pad_factor(p: &[Fr], k: usize) -> Fr {
    p[k.min(p.len())..].iter().map(|x| Fr::ONE - x).product()
}

/// The terms of one shape's group over the tables
/// `val, E_r, E_c, h_r, h_c, q_r, q_c, eq(τ, ·)` with the weights `w[0..5]`, where
/// `q_r = β − row − α·E_r` (affine in committed vectors, so its value at the point follows
/// from theirs) and `q_c` alike.
fn entry_terms(w: &[Fr]) -> Terms {
    let (val, er, ec, hr, hc, qr, qc, et) = (0, 1, 2, 3, 4, 5, 6, 7);
    Terms {
        terms: vec![
            (w[0], vec![val, er, ec]),
            (w[1], vec![hr]),
            (w[2], vec![hc]),
            (w[3], vec![et, hr, qr]),
            (w[4], vec![et, hc, qc]),
            (-w[3] - w[4], vec![et]),
        ],
    }
}

/// The terms of a memory's group over the tables `g, m, eq(τ, ·), β − j − α·eq(r, j)`
/// with the weights `w[0..2]`.
fn memory_terms(w: &[Fr]) -> Terms {
    let (g, m, et, den) = (0, 1, 2, 3);
    Terms {
        terms: vec![
            (w[0], vec![g]),
            (w[1], vec![et, g, den]),
            (-w[1], vec![et, m]),
        ],
    }
}

/// Absorbs the points of `xs`.
fn absorb_points<'a>(t: &mut Transcript, xs: impl IntoIterator<Item = &'a G1>) {
    for x in xs {
        t.absorb_g1(x);
    }
}

/// Proves `v_s = M_s(r_y, r_x)` (`M = A + γB + γ²C`) for every index; returns the values
/// and the proof. Absorbs the values first.
pub fn prove(
    key: &PowersOfTauKey,
    indices: &[&SparkIndex],
    at: EvalPoint,
    transcript: &mut Transcript,
) -> Result<(Vec<Fr>, SparkProof), Error> {
    let EvalPoint { r_y, r_x, gamma } = at;
    let (ny, nx) = (r_y.len(), r_x.len());
    if ny.max(nx) > MAX_VARS {
        return Err(Error::Rejected("a memory is too large"));
    }
    for ix in indices {
        if ix.row_counts.len() > 1 << ny || ix.col_counts.len() > 1 << nx {
            return Err(Error::Rejected("an index reaches past the memories"));
        }
    }
    let n = indices.iter().map(|ix| ix.m).fold(ny.max(nx), usize::max);
    if key.max_len() < 1 << n {
        return Err(Error::KeyTooShort {
            needed: 1 << n,
            available: key.max_len(),
        });
    }
    let (eq_y, eq_x) = (eq_table(r_y), eq_table(r_x));
    let claims: Vec<Fr> = indices
        .iter()
        .map(|ix| ix.evaluate(&eq_y, &eq_x, gamma))
        .collect();
    transcript.absorb_slice(&claims);

    // 1. E_r, E_c by the rows' and columns' base sums.
    let bases = key.bases();
    let sums: Vec<[Vec<G1>; 2]> = indices
        .iter()
        .map(|ix| {
            let len = 1 << ix.m;
            [
                buckets(&bases[..len], &ix.row, ix.row_counts.len()),
                buckets(&bases[..len], &ix.col, ix.col_counts.len()),
            ]
        })
        .collect();
    let commit_by = |b: &[G1], e: &[Fr]| msm::msm::<G1Projective>(b, &e[..b.len()]).into_affine();
    let e: Vec<[G1; 2]> = sums
        .iter()
        .map(|[pr, pc]| [commit_by(pr, &eq_y), commit_by(pc, &eq_x)])
        .collect();
    absorb_points(transcript, e.iter().flatten());
    let alpha = transcript.challenge();
    let beta = transcript.challenge();

    // 2. The inverses, the memories' side and the sums.
    let (den_y, inv_y) = inverses(&eq_y, alpha, beta)?;
    let (den_x, inv_x) = inverses(&eq_x, alpha, beta)?;
    let h: Vec<[G1; 2]> = sums
        .iter()
        .map(|[pr, pc]| [commit_by(pr, &inv_y), commit_by(pc, &inv_x)])
        .collect();
    let total_counts = |len: usize, which: fn(&SparkIndex) -> &[u32]| {
        let mut m = vec![Fr::ZERO; len];
        for ix in indices {
            for (x, c) in m.iter_mut().zip(which(ix)) {
                *x += Fr::from(*c);
            }
        }
        m
    };
    let m_r = total_counts(1 << ny, |ix| &ix.row_counts);
    let m_c = total_counts(1 << nx, |ix| &ix.col_counts);
    let g_r: Vec<Fr> = m_r.iter().zip(&inv_y).map(|(m, i)| *m * i).collect();
    let g_c: Vec<Fr> = m_c.iter().zip(&inv_x).map(|(m, i)| *m * i).collect();
    let g = [key.commit(&g_r)?, key.commit(&g_c)?];
    let memories = [(g_r, m_r), (g_c, m_c)];
    let dot = |counts: &[u32], inv: &[Fr]| -> Fr {
        counts.iter().zip(inv).map(|(c, i)| Fr::from(*c) * i).sum()
    };
    let s: Vec<[Fr; 2]> = indices
        .iter()
        .map(|ix| [dot(&ix.row_counts, &inv_y), dot(&ix.col_counts, &inv_x)])
        .collect();
    absorb_points(transcript, h.iter().flatten().chain(&g));
    for x in &s {
        transcript.absorb_slice(x);
    }
    let lambda = transcript.challenge();
    let tau = transcript.challenges(n);

    // 3. One sum-check over every shape's entries and both memories.
    let w = powers(lambda, 5 * indices.len() + 4);
    let mut groups = Vec::with_capacity(indices.len() + 2);
    for (k, ix) in indices.iter().enumerate() {
        let lookup =
            |idx: &[u32], t: &[Fr]| -> Vec<Fr> { idx.par_iter().map(|&j| t[j as usize]).collect() };
        groups.push(Group {
            terms: entry_terms(&w[5 * k..]),
            tables: vec![
                ix.combined_vals(gamma),
                lookup(&ix.row, &eq_y),
                lookup(&ix.col, &eq_x),
                lookup(&ix.row, &inv_y),
                lookup(&ix.col, &inv_x),
                lookup(&ix.row, &den_y),
                lookup(&ix.col, &den_x),
                eq_table(&tau[..ix.m]),
            ],
        });
    }
    let base = 5 * indices.len();
    for (k, ((gm, mm), den, bits)) in memories
        .iter()
        .zip([den_y, den_x])
        .zip([ny, nx])
        .map(|((a, b), c)| (a, b, c))
        .enumerate()
    {
        groups.push(Group {
            terms: memory_terms(&w[base + 2 * k..]),
            tables: vec![gm.clone(), mm.clone(), eq_table(&tau[..bits]), den],
        });
    }
    let (sumcheck, point, finals) = sumcheck::prove_groups(groups, transcript);

    // 4. The values at the point and one opening.
    let values: Vec<[Fr; 9]> = indices
        .iter()
        .zip(&finals)
        .map(|(ix, f)| {
            let p = &point[..ix.m];
            let v = |k: usize| mle::evaluate(&ix.vals[k], p);
            // row = β − q_r − α·E_r at the point, as for every affine combination.
            let row = beta - f[5] - alpha * f[1];
            let col = beta - f[6] - alpha * f[2];
            [row, col, v(0), v(1), v(2), f[1], f[2], f[3], f[4]]
        })
        .collect();
    let last = finals.len();
    let memory_values = [
        finals[last - 2][0],
        finals[last - 2][1],
        finals[last - 1][0],
        finals[last - 1][1],
    ];
    for v in &values {
        transcript.absorb_slice(v);
    }
    transcript.absorb_slice(&memory_values);
    let kappa = transcript.challenge();
    let kp = powers(kappa, 9 * indices.len() + 4);
    // Every vector enters the combination in one pass per shape and per memory.
    let mut combined = vec![Fr::ZERO; 1 << n];
    for (k, ix) in indices.iter().enumerate() {
        let c = &kp[9 * k..9 * k + 9];
        combined[..1 << ix.m]
            .par_iter_mut()
            .enumerate()
            .for_each(|(i, x)| {
                let (r, cl) = (ix.row[i] as usize, ix.col[i] as usize);
                let val = |j: usize| ix.vals[j].get(i).copied().unwrap_or(Fr::ZERO);
                *x += c[0] * Fr::from(ix.row[i])
                    + c[1] * Fr::from(ix.col[i])
                    + c[2] * val(0)
                    + c[3] * val(1)
                    + c[4] * val(2)
                    + c[5] * eq_y[r]
                    + c[6] * eq_x[cl]
                    + c[7] * inv_y[r]
                    + c[8] * inv_x[cl];
            });
    }
    let c = &kp[9 * indices.len()..];
    for (k, (gm, mm)) in memories.iter().enumerate() {
        combined
            .par_iter_mut()
            .zip(gm.par_iter().zip(mm))
            .for_each(|(x, (g, m))| *x += c[2 * k] * g + c[2 * k + 1] * m);
    }
    let opening = opening::prove(key, &combined, &point, transcript)?;
    Ok((
        claims,
        SparkProof {
            e,
            h,
            g,
            sums: s,
            sumcheck,
            values,
            memory_values,
            opening,
        },
    ))
}

/// Verifies [`prove`]'s proof that `claims[s] = M_s(r_y, r_x)` for the committed indices.
pub fn verify(
    key: &OpeningKey,
    indices: &[&SparkCommitment],
    at: EvalPoint,
    claims: &[Fr],
    proof: &SparkProof,
    transcript: &mut Transcript,
) -> Result<(), Error> {
    let EvalPoint { r_y, r_x, gamma } = at;
    let k = indices.len();
    for (what, got) in [
        ("claimed evaluations", claims.len()),
        ("E commitments", proof.e.len()),
        ("h commitments", proof.h.len()),
        ("sums", proof.sums.len()),
        ("values", proof.values.len()),
    ] {
        if got != k {
            return Err(Error::WrongLength {
                what,
                expected: k,
                got,
            });
        }
    }
    let (ny, nx) = (r_y.len(), r_x.len());
    let sizes: Vec<usize> = indices.iter().map(|c| c.m as usize).collect();
    let n = sizes.iter().copied().fold(ny.max(nx), usize::max);
    if n > MAX_VARS {
        return Err(Error::Rejected("an index is too large"));
    }
    transcript.absorb_slice(claims);
    absorb_points(transcript, proof.e.iter().flatten());
    let alpha = transcript.challenge();
    let beta = transcript.challenge();
    absorb_points(transcript, proof.h.iter().flatten().chain(&proof.g));
    for x in &proof.sums {
        transcript.absorb_slice(x);
    }
    let lambda = transcript.challenge();
    let tau = transcript.challenges(n);

    let w = powers(lambda, 5 * k + 4);
    let mut batch: Vec<(Fr, usize)> = (0..k)
        .map(|s| {
            let [sr, sc] = proof.sums[s];
            (
                w[5 * s] * claims[s] + w[5 * s + 1] * sr + w[5 * s + 2] * sc,
                sizes[s],
            )
        })
        .collect();
    let total_r: Fr = proof.sums.iter().map(|x| x[0]).sum();
    let total_c: Fr = proof.sums.iter().map(|x| x[1]).sum();
    batch.push((w[5 * k] * total_r, ny));
    batch.push((w[5 * k + 2] * total_c, nx));
    let claim = sumcheck::batched_claim(&batch, n);
    let (point, last) = sumcheck::verify(claim, n, 3, &proof.sumcheck, transcript)?;

    let g2 = gamma.square();
    let mut expected = Fr::ZERO;
    for (s, v) in proof.values.iter().enumerate() {
        let [row, col, a, b, c, er, ec, hr, hc] = *v;
        let p = &point[..sizes[s]];
        let et = eq(&tau[..sizes[s]], p);
        let (qr, qc) = (beta - row - alpha * er, beta - col - alpha * ec);
        let tables = [a + gamma * b + g2 * c, er, ec, hr, hc, qr, qc, et];
        expected += entry_terms(&w[5 * s..]).evaluate(&tables);
    }
    let [g_r, m_r, g_c, m_c] = proof.memory_values;
    for (j, (gv, mv, r, bits)) in [(g_r, m_r, r_y, ny), (g_c, m_c, r_x, nx)]
        .into_iter()
        .enumerate()
    {
        let p = &point[..bits];
        let den = beta - index_at(p) - alpha * eq(r, p);
        let tables = [gv, mv, eq(&tau[..bits], p), den];
        expected += memory_terms(&w[5 * k + 2 * j..]).evaluate(&tables);
    }
    if last != expected {
        return Err(Error::Rejected(
            "the matrix evaluations' sum-check ends off its claim",
        ));
    }

    for v in &proof.values {
        transcript.absorb_slice(v);
    }
    transcript.absorb_slice(&proof.memory_values);
    let kappa = transcript.challenge();
    let kp = powers(kappa, 9 * k + 4);
    let mut points = Vec::with_capacity(9 * k + 4);
    let mut value = Fr::ZERO;
    for (s, (c, v)) in indices.iter().zip(&proof.values).enumerate() {
        let [er, ec] = proof.e[s];
        let [hr, hc] = proof.h[s];
        points.extend([
            c.row, c.col, c.vals[0], c.vals[1], c.vals[2], er, ec, hr, hc,
        ]);
        let pad = pad_factor(&point, sizes[s]);
        for (j, x) in v.iter().enumerate() {
            value += kp[9 * s + j] * pad * x;
        }
    }
    let sum_of = |f: fn(&SparkCommitment) -> G1| -> G1 {
        indices
            .iter()
            .map(|c| f(c))
            .fold(G1Projective::zero(), |a, p| a + p)
            .into_affine()
    };
    points.extend([
        proof.g[0],
        sum_of(|c| c.row_counts),
        proof.g[1],
        sum_of(|c| c.col_counts),
    ]);
    let (py, px) = (pad_factor(&point, ny), pad_factor(&point, nx));
    for (j, (x, pad)) in proof.memory_values.iter().zip([py, py, px, px]).enumerate() {
        value += kp[9 * k + j] * pad * x;
    }
    let commitment = G1Projective::msm_unchecked(&points, &kp).into_affine();
    opening::verify(key, &commitment, &point, value, &proof.opening, transcript)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spartan::{batch_dims, bound_rows};
    use ark_ff::UniformRand;
    use crease_folding::testing::{standalone, values, ProductCircuit};
    use rand::{rngs::StdRng, SeedableRng};

    fn shape(size: usize, bits: u32) -> R1csShape {
        let circuit = ProductCircuit { size, bits };
        let z = [Fr::ONE, Fr::ZERO];
        standalone(&circuit, Fr::from(5u64), &z, &values(1, size, bits))
            .expect("shape")
            .0
    }

    struct Setup {
        key: PowersOfTauKey,
        indices: Vec<SparkIndex>,
        commitments: Vec<SparkCommitment>,
        r_y: Vec<Fr>,
        r_x: Vec<Fr>,
        gamma: Fr,
        shapes: Vec<R1csShape>,
        nu: usize,
    }

    impl Setup {
        fn at(&self) -> EvalPoint<'_> {
            EvalPoint {
                r_y: &self.r_y,
                r_x: &self.r_x,
                gamma: self.gamma,
            }
        }
    }

    fn setup() -> Setup {
        let shapes = vec![shape(37, 32), shape(5, 8), shape(12, 16)];
        let refs: Vec<&R1csShape> = shapes.iter().collect();
        let (ny, nu) = batch_dims(&refs);
        let key = PowersOfTauKey::from_seed(b"spark test", 1 << 12);
        let indices: Vec<SparkIndex> = shapes
            .iter()
            .map(|s| SparkIndex::new(s, nu).expect("index"))
            .collect();
        let commitments = indices
            .iter()
            .map(|ix| ix.commit(&key).expect("commit"))
            .collect();
        let mut rng = StdRng::seed_from_u64(7);
        let r_y = (0..ny).map(|_| Fr::rand(&mut rng)).collect();
        let r_x = (0..nu + 2).map(|_| Fr::rand(&mut rng)).collect();
        Setup {
            key,
            indices,
            commitments,
            r_y,
            r_x,
            gamma: Fr::rand(&mut rng),
            shapes,
            nu,
        }
    }

    fn prove_all(s: &Setup) -> (Vec<Fr>, SparkProof) {
        let ix: Vec<&SparkIndex> = s.indices.iter().collect();
        let mut t = Transcript::new(b"spark");
        prove(&s.key, &ix, s.at(), &mut t).expect("prove")
    }

    fn check(s: &Setup, claims: &[Fr], proof: &SparkProof) -> Result<(), Error> {
        let cs: Vec<&SparkCommitment> = s.commitments.iter().collect();
        let ok = OpeningKey::of(&s.key)?;
        let mut t = Transcript::new(b"spark");
        verify(&ok, &cs, s.at(), claims, proof, &mut t)
    }

    /// `M(r_y, r_x)` the way the batched argument's verifier computes it.
    fn direct(s: &Setup, shape: &R1csShape) -> Fr {
        let eq_y = eq_table(&s.r_y);
        let eq_x = eq_table(&s.r_x);
        let bound = bound_rows(shape, &eq_y[..shape.num_constraints], s.gamma);
        bound
            .iter()
            .enumerate()
            .map(|(col, v)| *v * eq_x[column(shape, s.nu, col)])
            .sum()
    }

    #[test]
    fn honest_evaluations_verify_and_match_the_matrices() {
        let s = setup();
        let (claims, proof) = prove_all(&s);
        for (c, shape) in claims.iter().zip(&s.shapes) {
            assert_eq!(*c, direct(&s, shape));
        }
        check(&s, &claims, &proof).expect("honest proof verifies");
        // The index lists every entry once, padding at row and column 0.
        for (ix, shape) in s.indices.iter().zip(&s.shapes) {
            assert!(ix.num_entries() <= shape.nnz());
            assert_eq!(ix.row_counts.iter().sum::<u32>(), 1 << ix.m);
            assert_eq!(ix.col_counts.iter().sum::<u32>(), 1 << ix.m);
        }
    }

    #[test]
    fn a_wrong_claim_or_any_changed_part_is_rejected() {
        let s = setup();
        let (claims, proof) = prove_all(&s);
        let one = Fr::ONE;
        for k in 0..claims.len() {
            let mut c = claims.clone();
            c[k] += one;
            assert!(check(&s, &c, &proof).is_err(), "claim {k}");
        }
        let g = s.key.bases()[1];
        let mut bad: Vec<SparkProof> = Vec::new();
        for k in 0..claims.len() {
            for j in 0..2 {
                let mut p = proof.clone();
                p.e[k][j] = g;
                bad.push(p);
                let mut p = proof.clone();
                p.h[k][j] = g;
                bad.push(p);
                let mut p = proof.clone();
                p.sums[k][j] += one;
                bad.push(p);
            }
            for j in 0..9 {
                let mut p = proof.clone();
                p.values[k][j] += one;
                bad.push(p);
            }
        }
        for j in 0..2 {
            let mut p = proof.clone();
            p.g[j] = g;
            bad.push(p);
        }
        for j in 0..4 {
            let mut p = proof.clone();
            p.memory_values[j] += one;
            bad.push(p);
        }
        for r in 0..proof.sumcheck.rounds.len() {
            let mut p = proof.clone();
            p.sumcheck.rounds[r][0] += one;
            bad.push(p);
        }
        let mut p = proof.clone();
        p.values.pop();
        bad.push(p);
        for (i, p) in bad.iter().enumerate() {
            assert!(check(&s, &claims, p).is_err(), "changed proof {i}");
        }
    }

    /// A claim as if one entry's lookup had read another row is rejected by the honest
    /// proof (a prover that commits such a lookup and keeps every later step consistent is
    /// in `tests/spark_attacks.rs`).
    #[test]
    fn a_wrong_eq_lookup_is_rejected() {
        let s = setup();
        let (claims, proof) = prove_all(&s);
        // Claim the evaluation a wrong E_r gives; the honest proof does not support it.
        let mut c = claims.clone();
        let eq_y = eq_table(&s.r_y);
        let ix = &s.indices[0];
        let g2 = s.gamma.square();
        let v0 = ix.vals[0][0] + s.gamma * ix.vals[1][0] + g2 * ix.vals[2][0];
        c[0] += v0 * eq_y[(ix.row[0] as usize + 1) % eq_y.len()] - v0 * eq_y[ix.row[0] as usize];
        assert!(check(&s, &c, &proof).is_err());
    }
}
