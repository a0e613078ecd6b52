//! The sum-check protocol for sums of products of multilinear polynomials.
//!
//! The prover shows `Σ_{y ∈ {0,1}^n} Σ_t c_t·Π_{j ∈ t} P_j(y) = claim` for tables `P_j` of
//! `2^n` entries. Variables are bound in the order of [`crease_folding::mle`]: variable 0
//! (the least significant bit of an index) first. Each round the prover sends its round
//! polynomial `p` of degree `d` as `p(0), p(2), …, p(d)`; the verifier sets
//! `p(1) = claim − p(0)`, absorbs what was sent, squeezes `r` and continues with
//! `claim = p(r)`. After `n` rounds the caller checks the final claim against the tables'
//! evaluations at the point, which it must obtain or check by other means.

use ark_ff::{AdditiveGroup, Field};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use crease_folding::poseidon::Transcript;
use crease_folding::Fr;
use rayon::prelude::*;

use crate::Error;

/// Below this many pairs a round runs serially.
const PAR_THRESHOLD: usize = 1 << 10;

/// The prover's messages: per round `p(0), p(2), …, p(d)`.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct SumcheckProof {
    /// One entry per round.
    pub rounds: Vec<Vec<Fr>>,
}

/// A sum of products of tables: `Σ_t coeff_t · Π_{j ∈ tables_t} P_j`.
#[derive(Clone, Debug)]
pub struct Terms {
    /// `(coeff, indices of the tables multiplied)`.
    pub terms: Vec<(Fr, Vec<usize>)>,
}

impl Terms {
    /// The largest number of tables in one product: the round polynomials' degree.
    pub fn degree(&self) -> usize {
        self.terms.iter().map(|(_, t)| t.len()).max().unwrap_or(0)
    }

    /// The sum at one point, from the tables' values there.
    pub fn evaluate(&self, values: &[Fr]) -> Fr {
        self.terms
            .iter()
            .map(|(c, t)| *c * t.iter().map(|&j| values[j]).product::<Fr>())
            .sum()
    }
}

/// Runs the prover on `tables` (each of `2^n` entries), absorbing into `transcript`.
/// Returns the proof, the point and the tables' evaluations there.
pub fn prove(
    terms: &Terms,
    mut tables: Vec<Vec<Fr>>,
    transcript: &mut Transcript,
) -> (SumcheckProof, Vec<Fr>, Vec<Fr>) {
    let len = tables.first().map_or(1, Vec::len);
    debug_assert!(len.is_power_of_two() && tables.iter().all(|t| t.len() == len));
    let n = len.trailing_zeros() as usize;
    let d = terms.degree();
    let mut rounds = Vec::with_capacity(n);
    let mut point = Vec::with_capacity(n);
    for _ in 0..n {
        let evals = round_polynomial(terms, &tables, d);
        let sent: Vec<Fr> = evals
            .iter()
            .enumerate()
            .filter(|(t, _)| *t != 1)
            .map(|(_, e)| *e)
            .collect();
        transcript.absorb_slice(&sent);
        let r = transcript.challenge();
        rounds.push(sent);
        point.push(r);
        tables.par_iter_mut().for_each(|t| bind(t, r));
    }
    let finals = tables.iter().map(|t| t[0]).collect();
    (SumcheckProof { rounds }, point, finals)
}

/// `p(0), p(1), …, p(d)` of the current round.
fn round_polynomial(terms: &Terms, tables: &[Vec<Fr>], d: usize) -> Vec<Fr> {
    let half = tables[0].len() / 2;
    let at = |k: usize| -> Vec<Fr> {
        // Each table's values along the line through its pair, at t = 0..=d.
        let lines: Vec<Vec<Fr>> = tables
            .iter()
            .map(|t| {
                let (lo, hi) = (t[2 * k], t[2 * k + 1]);
                let step = hi - lo;
                let mut v = Vec::with_capacity(d + 1);
                let mut cur = lo;
                for _ in 0..=d {
                    v.push(cur);
                    cur += step;
                }
                v
            })
            .collect();
        (0..=d)
            .map(|t| {
                terms
                    .terms
                    .iter()
                    .map(|(c, js)| *c * js.iter().map(|&j| lines[j][t]).product::<Fr>())
                    .sum()
            })
            .collect()
    };
    let add = |mut a: Vec<Fr>, b: Vec<Fr>| {
        a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        a
    };
    let zero = || vec![Fr::ZERO; d + 1];
    if half >= PAR_THRESHOLD {
        (0..half).into_par_iter().map(at).reduce(zero, add)
    } else {
        (0..half).map(at).fold(zero(), add)
    }
}

/// Binds variable 0 of a table to `r`.
fn bind(t: &mut Vec<Fr>, r: Fr) {
    let half = t.len() / 2;
    for k in 0..half {
        let (lo, hi) = (t[2 * k], t[2 * k + 1]);
        t[k] = lo + r * (hi - lo);
    }
    t.truncate(half);
}

/// Replays the verifier for `n` rounds of degree `d` from `claim`; returns the point and
/// the final claim, which the caller must check.
pub fn verify(
    claim: Fr,
    n: usize,
    d: usize,
    proof: &SumcheckProof,
    transcript: &mut Transcript,
) -> Result<(Vec<Fr>, Fr), Error> {
    if proof.rounds.len() != n {
        return Err(Error::WrongLength {
            what: "sum-check rounds",
            expected: n,
            got: proof.rounds.len(),
        });
    }
    let mut claim = claim;
    let mut point = Vec::with_capacity(n);
    for sent in &proof.rounds {
        if sent.len() != d {
            return Err(Error::WrongLength {
                what: "sum-check round",
                expected: d,
                got: sent.len(),
            });
        }
        let mut evals = Vec::with_capacity(d + 1);
        evals.push(sent[0]);
        evals.push(claim - sent[0]);
        evals.extend_from_slice(&sent[1..]);
        transcript.absorb_slice(sent);
        let r = transcript.challenge();
        claim = interpolate(&evals, r);
        point.push(r);
    }
    Ok((point, claim))
}

/// The polynomial of degree `< evals.len()` through `(t, evals[t])`, at `x`.
pub fn interpolate(evals: &[Fr], x: Fr) -> Fr {
    let n = evals.len();
    let mut sum = Fr::ZERO;
    for (i, e) in evals.iter().enumerate() {
        let (mut num, mut den) = (Fr::ONE, Fr::ONE);
        for j in 0..n {
            if j != i {
                num *= x - Fr::from(j as u64);
                den *= Fr::from(i as u64) - Fr::from(j as u64);
            }
        }
        sum += *e * num * den.inverse().unwrap_or(Fr::ZERO);
    }
    sum
}

/// The table of `eq(r, y)` over `y ∈ {0,1}^n`, variable 0 the least significant bit.
pub fn eq_table(r: &[Fr]) -> Vec<Fr> {
    let mut t = vec![Fr::ONE];
    for (j, rj) in r.iter().enumerate() {
        let mut next = vec![Fr::ZERO; 2 << j];
        for (k, v) in t.iter().enumerate() {
            let hi = *v * rj;
            next[k] = *v - hi;
            next[k + (1 << j)] = hi;
        }
        t = next;
    }
    t
}

/// `eq(a, b) = Π (a_j·b_j + (1 − a_j)(1 − b_j))`.
pub fn eq(a: &[Fr], b: &[Fr]) -> Fr {
    a.iter()
        .zip(b)
        .map(|(x, y)| *x * y + (Fr::ONE - x) * (Fr::ONE - y))
        .product()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crease_folding::mle;
    use rand::{rngs::StdRng, SeedableRng};

    fn random(n: usize, rng: &mut StdRng) -> Vec<Fr> {
        (0..1 << n)
            .map(|_| <Fr as ark_ff::UniformRand>::rand(rng))
            .collect()
    }

    fn product_sum(n: usize, seed: u64) -> (Terms, Vec<Vec<Fr>>, Fr) {
        let mut rng = StdRng::seed_from_u64(seed);
        let tables: Vec<Vec<Fr>> = (0..4).map(|_| random(n, &mut rng)).collect();
        let c = Fr::from(7u64);
        let terms = Terms {
            terms: vec![(Fr::ONE, vec![0, 1, 2]), (-c, vec![0, 3])],
        };
        let claim = (0..1 << n)
            .map(|y| {
                let v: Vec<Fr> = tables.iter().map(|t| t[y]).collect();
                terms.evaluate(&v)
            })
            .sum();
        (terms, tables, claim)
    }

    #[test]
    fn an_honest_sum_verifies_and_its_final_claim_is_the_tables_at_the_point() {
        for n in [1usize, 3, 11] {
            let (terms, tables, claim) = product_sum(n, n as u64);
            let mut tp = Transcript::new(b"test");
            let (proof, point, finals) = prove(&terms, tables.clone(), &mut tp);
            for (t, f) in tables.iter().zip(&finals) {
                assert_eq!(mle::evaluate(t, &point), *f);
            }
            let mut tv = Transcript::new(b"test");
            let (vpoint, last) = verify(claim, n, 3, &proof, &mut tv).expect("verifies");
            assert_eq!(vpoint, point);
            assert_eq!(last, terms.evaluate(&finals));
        }
    }

    #[test]
    fn a_wrong_claim_or_a_changed_round_fails_the_final_check() {
        let n = 6;
        let (terms, tables, claim) = product_sum(n, 1);
        let mut tp = Transcript::new(b"test");
        let (proof, _, finals) = prove(&terms, tables, &mut tp);
        let fin = |claim: Fr, proof: &SumcheckProof| {
            let mut tv = Transcript::new(b"test");
            let (_, last) = verify(claim, n, 3, proof, &mut tv).expect("lengths");
            last == terms.evaluate(&finals)
        };
        assert!(fin(claim, &proof));
        assert!(!fin(claim + Fr::ONE, &proof));
        for r in 0..n {
            for i in 0..3 {
                let mut bad = proof.clone();
                bad.rounds[r][i] += Fr::ONE;
                assert!(!fin(claim, &bad), "round {r} entry {i}");
            }
        }
        let mut short = proof.clone();
        short.rounds.pop();
        assert!(verify(claim, n, 3, &short, &mut Transcript::new(b"test")).is_err());
        let mut wide = proof;
        wide.rounds[0].push(Fr::ONE);
        assert!(verify(claim, n, 3, &wide, &mut Transcript::new(b"test")).is_err());
    }

    #[test]
    fn eq_table_matches_eq() {
        let mut rng = StdRng::seed_from_u64(3);
        let r: Vec<Fr> = (0..5)
            .map(|_| <Fr as ark_ff::UniformRand>::rand(&mut rng))
            .collect();
        let t = eq_table(&r);
        for (y, v) in t.iter().enumerate() {
            let bits: Vec<Fr> = (0..5).map(|j| Fr::from(((y >> j) & 1) as u64)).collect();
            assert_eq!(eq(&r, &bits), *v);
        }
        let v = random(5, &mut rng);
        let dot: Fr = v.iter().zip(&t).map(|(a, b)| *a * b).sum();
        assert_eq!(dot, mle::evaluate(&v, &r));
    }
}
