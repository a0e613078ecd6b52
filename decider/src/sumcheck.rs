//! The sum-check protocol for sums of products of multilinear polynomials.
//!
//! The prover shows `Σ_{y ∈ {0,1}^n} Σ_t c_t·Π_{j ∈ t} P_j(y) = claim` for tables `P_j` of
//! `2^n` entries. Variables are bound in the order of [`crease_folding::mle`]: variable 0
//! (the least significant bit of an index) first. Each round the prover sends its round
//! polynomial `p` of degree `d` as `p(0), p(2), …, p(d)`; the verifier sets
//! `p(1) = claim − p(0)`, absorbs what was sent, squeezes `r` and continues with
//! `claim = p(r)`. After `n` rounds the caller checks the final claim against the tables'
//! evaluations at the point, which it must obtain or check by other means.

use ark_ff::{BigInteger, PrimeField};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use crease_folding::poseidon::{fq_to_limbs, Transcript};
use crease_folding::{Fq, Fr};
use rayon::prelude::*;

use crate::Error;

/// A Fiat–Shamir transcript for messages and challenges in `F`.
pub trait Challenger<F> {
    /// Absorbs field elements in order.
    fn absorb_all(&mut self, xs: &[F]);
    /// Squeezes one challenge.
    fn squeeze(&mut self) -> F;
}

impl Challenger<Fr> for Transcript {
    fn absorb_all(&mut self, xs: &[Fr]) {
        self.absorb_slice(xs);
    }

    fn squeeze(&mut self) -> Fr {
        self.challenge()
    }
}

/// The BN254 transcript for Grumpkin-scalar (`Fq`) messages: an `Fq` value is absorbed as
/// its three limbs of at most 128 bits (injective), and a challenge is a squeezed `Fr` read
/// as an integer, which is below `q` since `r < q`.
pub struct FqChallenger<'a>(pub &'a mut Transcript);

impl Challenger<Fq> for FqChallenger<'_> {
    fn absorb_all(&mut self, xs: &[Fq]) {
        for x in xs {
            for limb in fq_to_limbs(x) {
                self.0.absorb(&Fr::from(limb));
            }
        }
    }

    fn squeeze(&mut self) -> Fq {
        let c = self.0.challenge().into_bigint();
        Fq::from_le_bytes_mod_order(&c.to_bytes_le())
    }
}

/// Below this many pairs a round runs serially.
const PAR_THRESHOLD: usize = 1 << 10;

/// The prover's messages: per round `p(0), p(2), …, p(d)`.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct SumcheckProof<F: PrimeField = Fr> {
    /// One entry per round.
    pub rounds: Vec<Vec<F>>,
}

/// A sum of products of tables: `Σ_t coeff_t · Π_{j ∈ tables_t} P_j`.
#[derive(Clone, Debug)]
pub struct Terms<F = Fr> {
    /// `(coeff, indices of the tables multiplied)`.
    pub terms: Vec<(F, Vec<usize>)>,
}

impl<F: PrimeField> Terms<F> {
    /// The largest number of tables in one product: the round polynomials' degree.
    pub fn degree(&self) -> usize {
        self.terms.iter().map(|(_, t)| t.len()).max().unwrap_or(0)
    }

    /// The sum at one point, from the tables' values there.
    pub fn evaluate(&self, values: &[F]) -> F {
        self.terms
            .iter()
            .map(|(c, t)| *c * t.iter().map(|&j| values[j]).product::<F>())
            .sum()
    }
}

/// Runs the prover on `tables` (each of `2^n` entries), absorbing into `transcript`.
/// Returns the proof, the point and the tables' evaluations there.
pub fn prove<F: PrimeField, C: Challenger<F>>(
    terms: &Terms<F>,
    tables: Vec<Vec<F>>,
    transcript: &mut C,
) -> (SumcheckProof<F>, Vec<F>, Vec<F>) {
    let group = Group {
        terms: terms.clone(),
        tables,
    };
    let (proof, point, mut finals) = prove_groups(vec![group], transcript);
    (proof, point, finals.pop().unwrap_or_default())
}

/// Tables of `2^n_g` entries (`n_g` their own number of variables) and the sum of
/// products over them that one claim of a batch is about.
#[derive(Clone, Debug)]
pub struct Group<F = Fr> {
    /// The sum of products.
    pub terms: Terms<F>,
    /// The tables, all of one length.
    pub tables: Vec<Vec<F>>,
}

/// The claim a batch of groups' sum-check starts from: `Σ_g 2^(n − n_g)·claim_g` over
/// `(claim_g, n_g)`, for `n` the largest `n_g` (see [`prove_groups`]).
pub fn batched_claim<F: PrimeField>(claims: &[(F, usize)], n: usize) -> F {
    claims
        .iter()
        .map(|(c, ng)| *c * F::from(2u64).pow([(n - ng) as u64]))
        .sum()
}

/// Runs one sum-check over groups of tables of different lengths: a group of `2^n_g`
/// entries counts as the same table repeated along the variables from `n_g` on, so its
/// sum counts `2^(n − n_g)` times ([`batched_claim`]), its tables end bound to the first
/// `n_g` coordinates of the one point, and its work is on its own entries only. The
/// verifier is [`verify`] from [`batched_claim`], for `n` rounds of the largest degree;
/// its final claim is `Σ_g terms_g(finals_g)`. Returns the proof, the point and each
/// group's tables' values at its prefix of the point.
pub fn prove_groups<F: PrimeField, C: Challenger<F>>(
    mut groups: Vec<Group<F>>,
    transcript: &mut C,
) -> (SumcheckProof<F>, Vec<F>, Vec<Vec<F>>) {
    let vars = |g: &Group<F>| {
        let len = g.tables.first().map_or(1, Vec::len);
        debug_assert!(len.is_power_of_two() && g.tables.iter().all(|t| t.len() == len));
        len.trailing_zeros() as usize
    };
    let sizes: Vec<usize> = groups.iter().map(vars).collect();
    let n = sizes.iter().copied().max().unwrap_or(0);
    let d = groups.iter().map(|g| g.terms.degree()).max().unwrap_or(0);
    let two = F::from(2u64);
    let mut rounds = Vec::with_capacity(n);
    let mut point = Vec::with_capacity(n);
    for t in 0..n {
        let mut evals = vec![F::ZERO; d + 1];
        for (g, &ng) in groups.iter().zip(&sizes) {
            if t < ng {
                let scale = two.pow([(n - ng) as u64]);
                let p = round_polynomial(&g.terms, &g.tables, d);
                evals.iter_mut().zip(p).for_each(|(e, v)| *e += scale * v);
            } else {
                let finals: Vec<F> = g.tables.iter().map(|t| t[0]).collect();
                let c = g.terms.evaluate(&finals) * two.pow([(n - t - 1) as u64]);
                evals.iter_mut().for_each(|e| *e += c);
            }
        }
        let sent: Vec<F> = evals
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != 1)
            .map(|(_, e)| *e)
            .collect();
        transcript.absorb_all(&sent);
        let r = transcript.squeeze();
        rounds.push(sent);
        point.push(r);
        for (g, &ng) in groups.iter_mut().zip(&sizes) {
            if t < ng {
                g.tables.par_iter_mut().for_each(|tb| bind(tb, r));
            }
        }
    }
    let finals = groups
        .iter()
        .map(|g| g.tables.iter().map(|t| t[0]).collect())
        .collect();
    (SumcheckProof { rounds }, point, finals)
}

/// `p(0), p(1), …, p(d)` of the current round. Each worker keeps one scratch buffer for
/// the tables' values along the current pair's line (no allocation per pair).
fn round_polynomial<F: PrimeField>(terms: &Terms<F>, tables: &[Vec<F>], d: usize) -> Vec<F> {
    let half = tables[0].len() / 2;
    let width = d + 1;
    let zero = || vec![F::ZERO; width];
    let scratch = || (zero(), vec![F::ZERO; tables.len() * width]);
    let at = |(mut acc, mut lines): (Vec<F>, Vec<F>), k: usize| {
        for (j, t) in tables.iter().enumerate() {
            let (lo, hi) = (t[2 * k], t[2 * k + 1]);
            let step = hi - lo;
            let mut cur = lo;
            for x in &mut lines[j * width..(j + 1) * width] {
                *x = cur;
                cur += step;
            }
        }
        for (x, a) in acc.iter_mut().enumerate() {
            for (c, js) in &terms.terms {
                let mut p = *c;
                for &j in js {
                    p *= lines[j * width + x];
                }
                *a += p;
            }
        }
        (acc, lines)
    };
    let add = |mut a: Vec<F>, b: Vec<F>| {
        a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        a
    };
    if half >= PAR_THRESHOLD {
        (0..half)
            .into_par_iter()
            .fold(scratch, at)
            .map(|(acc, _)| acc)
            .reduce(zero, add)
    } else {
        (0..half).fold(scratch(), at).0
    }
}

/// Binds variable 0 of a table to `r`.
fn bind<F: PrimeField>(t: &mut Vec<F>, r: F) {
    let half = t.len() / 2;
    for k in 0..half {
        let (lo, hi) = (t[2 * k], t[2 * k + 1]);
        t[k] = lo + r * (hi - lo);
    }
    t.truncate(half);
}

/// Replays the verifier for `n` rounds of degree `d` from `claim`; returns the point and
/// the final claim, which the caller must check.
pub fn verify<F: PrimeField, C: Challenger<F>>(
    claim: F,
    n: usize,
    d: usize,
    proof: &SumcheckProof<F>,
    transcript: &mut C,
) -> Result<(Vec<F>, F), Error> {
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
        transcript.absorb_all(sent);
        let r = transcript.squeeze();
        claim = interpolate(&evals, r);
        point.push(r);
    }
    Ok((point, claim))
}

/// The polynomial of degree `< evals.len()` through `(t, evals[t])`, at `x`.
pub fn interpolate<F: PrimeField>(evals: &[F], x: F) -> F {
    let n = evals.len();
    let mut sum = F::ZERO;
    for (i, e) in evals.iter().enumerate() {
        let (mut num, mut den) = (F::ONE, F::ONE);
        for j in 0..n {
            if j != i {
                num *= x - F::from(j as u64);
                den *= F::from(i as u64) - F::from(j as u64);
            }
        }
        sum += *e * num * den.inverse().unwrap_or(F::ZERO);
    }
    sum
}

/// The table of `eq(r, y)` over `y ∈ {0,1}^n`, variable 0 the least significant bit.
pub fn eq_table<F: PrimeField>(r: &[F]) -> Vec<F> {
    let mut t = vec![F::ONE];
    for (j, rj) in r.iter().enumerate() {
        let mut next = vec![F::ZERO; 2 << j];
        for (k, v) in t.iter().enumerate() {
            let hi = *v * rj;
            next[k] = *v - hi;
            next[k + (1 << j)] = hi;
        }
        t = next;
    }
    t
}

/// `Σ_{y < a} eq(t, y)·eq(x, y)` over `y ∈ {0,1}^n` (`n = t.len() = x.len()`, `a ≤ 2^n`),
/// in `O(n)`: the terms are products of per-coordinate weights `q_j(1) = t_j·x_j`,
/// `q_j(0) = (1 − t_j)(1 − x_j)`, and the `y` below `a` split by the highest bit where they
/// leave `a`.
pub fn eq_eq_below<F: PrimeField>(t: &[F], x: &[F], a: usize) -> F {
    let n = t.len();
    let q: Vec<(F, F)> = t
        .iter()
        .zip(x)
        .map(|(t, x)| ((F::ONE - t) * (F::ONE - x), *t * x))
        .collect();
    if a >= 1 << n {
        return q.iter().map(|(z, o)| *z + o).product();
    }
    // below[j] = Π_{k<j} (q_k(0) + q_k(1)): every choice of the bits under j.
    let mut below = Vec::with_capacity(n + 1);
    below.push(F::ONE);
    for (z, o) in &q {
        let last = below[below.len() - 1];
        below.push(last * (*z + o));
    }
    let (mut sum, mut prefix) = (F::ZERO, F::ONE);
    for j in (0..n).rev() {
        if (a >> j) & 1 == 1 {
            sum += prefix * q[j].0 * below[j];
            prefix *= q[j].1;
        } else {
            prefix *= q[j].0;
        }
    }
    sum
}

/// `eq(a, b) = Π (a_j·b_j + (1 − a_j)(1 − b_j))`.
pub fn eq<F: PrimeField>(a: &[F], b: &[F]) -> F {
    a.iter()
        .zip(b)
        .map(|(x, y)| *x * y + (F::ONE - x) * (F::ONE - y))
        .product()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::Field;
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
    fn eq_eq_below_sums_the_products_below_a() {
        let mut rng = StdRng::seed_from_u64(8);
        let n = 5;
        let t: Vec<Fr> = (0..n)
            .map(|_| <Fr as ark_ff::UniformRand>::rand(&mut rng))
            .collect();
        let x: Vec<Fr> = (0..n)
            .map(|_| <Fr as ark_ff::UniformRand>::rand(&mut rng))
            .collect();
        let (et, ex) = (eq_table(&t), eq_table(&x));
        for a in 0..=(1usize << n) {
            let brute: Fr = (0..a).map(|y| et[y] * ex[y]).sum();
            assert_eq!(eq_eq_below(&t, &x, a), brute, "a = {a}");
        }
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
