//! Multilinear extensions of vectors and their restriction to a line.
//!
//! Index `i` of a vector of length `2^n` is the point whose `j`-th coordinate is bit `j` of
//! `i` (least significant first): `MLE(v)(r) = Σ_i v[i]·Π_j (r_j if bit_j(i) else 1 − r_j)`.
//! Vectors shorter than `2^n` are read as padded with zeros.

use ark_ff::{AdditiveGroup, Field};
use rayon::prelude::*;

use crate::Fr;

/// Below this many entries a round runs serially.
const PAR_THRESHOLD: usize = 1 << 12;

/// The number of variables of the MLE of a vector of length `len`: `⌈log2 len⌉`.
pub fn num_vars(len: usize) -> usize {
    len.next_power_of_two().trailing_zeros() as usize
}

/// `MLE(v)(r)`, binding variable 0 first. `v.len()` must be at most `2^r.len()`.
pub fn evaluate(v: &[Fr], r: &[Fr]) -> Fr {
    evaluate_by(v.len(), |i| v[i], r)
}

/// `MLE(v)(r)` of the vector `v[i] = entry(i)`, `i < len`, computed on the fly in the first
/// round (so the caller need not store it). `len` must be at most `2^r.len()`.
pub fn evaluate_by(len: usize, entry: impl Fn(usize) -> Fr + Sync, r: &[Fr]) -> Fr {
    let n = r.len();
    debug_assert!(len <= 1 << n);
    if len == 0 {
        return Fr::ZERO;
    }
    let Some((&r0, rest)) = r.split_first() else {
        return entry(0);
    };
    let pair = |k: usize| {
        let lo = entry(2 * k);
        let hi = if 2 * k + 1 < len {
            entry(2 * k + 1)
        } else {
            Fr::ZERO
        };
        lo + r0 * (hi - lo)
    };
    let half = len.div_ceil(2);
    let mut cur: Vec<Fr> = if len >= PAR_THRESHOLD {
        (0..half).into_par_iter().map(pair).collect()
    } else {
        (0..half).map(pair).collect()
    };
    for &rj in rest {
        cur = fold_once(&cur, rj, true);
    }
    cur.first().copied().unwrap_or(Fr::ZERO)
}

fn fold_once(v: &[Fr], rj: Fr, active: bool) -> Vec<Fr> {
    if !active {
        return v.to_vec();
    }
    let pair = |k: usize| {
        let lo = v[2 * k];
        let hi = v.get(2 * k + 1).copied().unwrap_or(Fr::ZERO);
        lo + rj * (hi - lo)
    };
    let half = v.len().div_ceil(2);
    if v.len() >= PAR_THRESHOLD {
        (0..half).into_par_iter().map(pair).collect()
    } else {
        (0..half).map(pair).collect()
    }
}

/// The coefficients (constant first) of `h(X) = MLE(v)(a + X·b)`, a polynomial of degree at
/// most `n = a.len()`. Costs about `4·len` multiplications: variables are bound one by one,
/// each entry of the table becoming a polynomial in `X` whose degree grows by one per round
/// while the table halves.
pub fn restrict_to_line(v: &[Fr], a: &[Fr], b: &[Fr]) -> Vec<Fr> {
    restrict_to_line_by(v.len(), |i| v[i], a, b)
}

/// [`restrict_to_line`] of the vector `v[i] = entry(i)`, `i < len`, whose entries are
/// computed in the first round (so the caller need not store it).
pub fn restrict_to_line_by(
    len: usize,
    entry: impl Fn(usize) -> Fr + Sync,
    a: &[Fr],
    b: &[Fr],
) -> Vec<Fr> {
    let n = a.len();
    debug_assert_eq!(b.len(), n);
    debug_assert!(len <= 1 << n);
    if n == 0 || len == 0 {
        let mut out = vec![Fr::ZERO; n + 1];
        if len > 0 {
            out[0] = entry(0);
        }
        return out;
    }
    // Table of polynomials, stored flat with `stride` coefficients per entry. The first round
    // (stride 1 to 2) reads the entries directly.
    let (a0, b0) = (a[0], b[0]);
    let first = |k: usize, out: &mut [Fr]| {
        let lo = entry(2 * k);
        let hi = if 2 * k + 1 < len {
            entry(2 * k + 1)
        } else {
            Fr::ZERO
        };
        let d = hi - lo;
        out[0] = lo + a0 * d;
        out[1] = b0 * d;
    };
    let mut table = vec![Fr::ZERO; 2 * len.div_ceil(2)];
    if len >= PAR_THRESHOLD {
        table
            .par_chunks_mut(2)
            .enumerate()
            .for_each(|(k, out)| first(k, out));
    } else {
        table
            .chunks_mut(2)
            .enumerate()
            .for_each(|(k, out)| first(k, out));
    }
    // Each round writes the next table into `spare` (no larger than the first table), and
    // the two swap.
    let mut spare: Vec<Fr> = Vec::with_capacity(table.len());
    let mut stride = 2usize;
    for j in 1..n {
        let entries = table.len() / stride;
        let half = entries.div_ceil(2);
        let new_stride = stride + 1;
        let (aj, bj) = (a[j], b[j]);
        let bind = |k: usize, out: &mut [Fr]| {
            let lo = &table[2 * k * stride..(2 * k + 1) * stride];
            let hi_start = (2 * k + 1) * stride;
            // d = hi − lo; out = lo + (aj + bj·X)·d, both products with one reduction.
            let mut prev_d = Fr::ZERO;
            for t in 0..stride {
                let hi = if hi_start < table.len() {
                    table[hi_start + t]
                } else {
                    Fr::ZERO
                };
                let d = hi - lo[t];
                out[t] = lo[t] + Fr::sum_of_products(&[aj, bj], &[d, prev_d]);
                prev_d = d;
            }
            out[stride] = bj * prev_d;
        };
        spare.clear();
        spare.resize(half * new_stride, Fr::ZERO);
        if entries >= PAR_THRESHOLD {
            spare
                .par_chunks_mut(new_stride)
                .enumerate()
                .for_each(|(k, out)| bind(k, out));
        } else {
            spare
                .chunks_mut(new_stride)
                .enumerate()
                .for_each(|(k, out)| bind(k, out));
        }
        std::mem::swap(&mut table, &mut spare);
        stride = new_stride;
    }
    if table.is_empty() {
        return vec![Fr::ZERO; n + 1];
    }
    table.truncate(n + 1);
    table.resize(n + 1, Fr::ZERO);
    table
}

/// Evaluates a polynomial given by its coefficients (constant first) at `x` (Horner).
pub fn eval_poly(coeffs: &[Fr], x: Fr) -> Fr {
    coeffs.iter().rev().fold(Fr::ZERO, |acc, c| acc * x + c)
}

/// The point `a + x·(b − a)` on the line through `a` (at 0) and `b` (at 1).
pub fn line_point(a: &[Fr], b: &[Fr], x: Fr) -> Vec<Fr> {
    a.iter()
        .zip(b)
        .map(|(ai, bi)| *ai + x * (*bi - ai))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{Field, UniformRand};

    fn eval_naive(v: &[Fr], r: &[Fr]) -> Fr {
        v.iter()
            .enumerate()
            .map(|(i, vi)| {
                let eq = r.iter().enumerate().fold(Fr::ONE, |acc, (j, rj)| {
                    if (i >> j) & 1 == 1 {
                        acc * rj
                    } else {
                        acc * (Fr::ONE - rj)
                    }
                });
                eq * vi
            })
            .sum()
    }

    #[test]
    fn evaluation_and_line_restriction_match_naive() {
        let mut rng = ark_std::test_rng();
        for len in [1usize, 2, 3, 5, 8, 13, 64, 100] {
            let n = num_vars(len).max(1);
            let v: Vec<Fr> = (0..len).map(|_| Fr::rand(&mut rng)).collect();
            let r: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            assert_eq!(evaluate(&v, &r), eval_naive(&v, &r));
            let a: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            let b: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            let h = restrict_to_line(&v, &a, &b);
            assert_eq!(h.len(), n + 1);
            for _ in 0..3 {
                let x = Fr::rand(&mut rng);
                let p: Vec<Fr> = a.iter().zip(&b).map(|(ai, bi)| *ai + x * bi).collect();
                assert_eq!(eval_poly(&h, x), eval_naive(&v, &p));
            }
        }
        // Big enough for the parallel paths.
        let len = (1 << 13) + 7;
        let n = num_vars(len);
        let v: Vec<Fr> = (0..len).map(|_| Fr::rand(&mut rng)).collect();
        let a: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let b: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        let x = Fr::rand(&mut rng);
        let p: Vec<Fr> = a.iter().zip(&b).map(|(ai, bi)| *ai + x * bi).collect();
        assert_eq!(
            eval_poly(&restrict_to_line(&v, &a, &b), x),
            evaluate(&v, &p)
        );
    }
}
