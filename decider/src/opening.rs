//! Openings of committed vectors as multilinear polynomials, through the powers-of-tau key.
//!
//! A vector `f` of `2^n` entries committed as `C = Σ f_i·τ^i·G` (the folding scheme's
//! commitment: the univariate polynomial `f(X) = Σ f_i·X^i` under KZG) is opened at a point
//! `r` to `v = MLE(f)(r)` by the Gemini-style reduction that HyperKZG uses:
//!
//! 1. the prover halves `f` `n` times, `f_{j+1}(Y) = (1 − r_j)·f_j^even(Y) + r_j·f_j^odd(Y)`
//!    where `f_j(X) = f_j^even(X²) + X·f_j^odd(X²)` (so the coefficients of `f_{j+1}` are
//!    `f_j`'s pairs bound at `r_j`, variable 0 first as in [`crease_folding::mle`], and
//!    `f_n = v`), and commits `f_1 … f_{n−1}`; absorb them;
//! 2. squeeze `β`; the prover sends `f_j(β), f_j(−β), f_j(β²)` for every `j < n`; the
//!    verifier checks `2β·f_{j+1}(β²) = (1 − r_j)·β·(f_j(β) + f_j(−β)) + r_j·(f_j(β) − f_j(−β))`
//!    (with `f_n(β²) = v`); absorb the values;
//! 3. squeeze `q`; `B = Σ q^j f_j`, whose commitment `C_B` and values `y_k` at the three
//!    points `a_k ∈ {β, −β, β²}` the verifier derives; with `R` the polynomial of degree
//!    at most 2 through `(a_k, y_k)` and `Z = Π (X − a_k)`, the prover commits
//!    `W = (B − R)/Z` (exact when the `y_k` are `B`'s values); absorb it;
//! 4. squeeze `z`; `L = B − R(z) − Z(z)·W` vanishes at `z`; the prover commits
//!    `W' = L/(X − z)`; absorb it; the verifier forms `C_L = C_B − R(z)·G − Z(z)·C_W` and
//!    checks `e(C_L + z·C_W', G2) = e(C_W', τ·G2)` (the one-polynomial case of
//!    SHPLONK: two quotients, one pairing equation).
//!
//! If the values sent in step 2 are the committed polynomials' (steps 3–4, by KZG's binding
//! under q-SDH in the algebraic group model), step 2's checks at a random `β` make each `f_{j+1}` the fold of `f_j`
//! except with probability `~D/|F|` per round for a key of `D` bases (a cheater's halves
//! may have any degree the key can commit; a non-zero polynomial of degree below `D`
//! vanishes at fewer than `D` points), so `f_n = v = MLE(f)(r)`.

use ark_bn254::{Bn254, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, Field, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use crease_folding::commitment::{CommitmentKey, PowersOfTauKey};
use crease_folding::poseidon::Transcript;
use crease_folding::{Fr, G1Projective, G1};
use rayon::prelude::*;

use crate::Error;

/// What the verifier of an opening needs of the key: `G`, `G2` and `τ·G2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct OpeningKey {
    /// `τ^0·G`, the first base.
    pub g: G1,
    /// `G2`.
    pub g2: G2Affine,
    /// `τ·G2`.
    pub tau_g2: G2Affine,
}

impl OpeningKey {
    /// The verifier's part of `key`.
    pub fn of(key: &PowersOfTauKey) -> Result<Self, Error> {
        let g = *key.bases().first().ok_or(Error::KeyTooShort {
            needed: 1,
            available: 0,
        })?;
        Ok(Self {
            g,
            g2: key.g2(),
            tau_g2: key.tau_g2(),
        })
    }
}

/// An opening proof: `n − 1` commitments, `3n` values, two quotients.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct OpeningProof {
    /// Commitments to `f_1 … f_{n−1}`.
    pub folds: Vec<G1>,
    /// `f_j(β), f_j(−β), f_j(β²)` for `j < n`.
    pub evals: Vec<[Fr; 3]>,
    /// `W = (B − R)/Z` and `W' = L/(X − z)`.
    pub quotients: [G1; 2],
}

/// `p(x)` for coefficients `p` (constant first).
fn horner(p: &[Fr], x: Fr) -> Fr {
    p.iter().rev().fold(Fr::ZERO, |acc, c| acc * x + c)
}

/// `(p(X) − p(a)) / (X − a)`.
fn divide_by_root(p: &[Fr], a: Fr) -> Vec<Fr> {
    let mut q = vec![Fr::ZERO; p.len().saturating_sub(1)];
    let mut carry = Fr::ZERO;
    for i in (1..p.len()).rev() {
        carry = p[i] + carry * a;
        q[i - 1] = carry;
    }
    q
}

/// Proves `MLE(f)(point) = v` for the commitment `key.commit(f)`; `f` has at most
/// `2^point.len()` entries (the key needs no more bases than `f` has entries) and `point`
/// at least one coordinate. The transcript must already
/// bind the commitment, the point and `v`.
pub fn prove(
    key: &PowersOfTauKey,
    f: &[Fr],
    point: &[Fr],
    transcript: &mut Transcript,
) -> Result<OpeningProof, Error> {
    let n = point.len();
    let room = 1usize.checked_shl(n as u32).unwrap_or(usize::MAX);
    if n == 0 || f.len() > room {
        return Err(Error::WrongLength {
            what: "opened vector",
            expected: room,
            got: f.len(),
        });
    }
    // The halves keep only the entries below `f`'s length (the rest are zero), so the key
    // needs as many bases as `f` has entries, not `2^n`.
    let mut polys: Vec<Vec<Fr>> = Vec::with_capacity(n + 1);
    let mut first = f.to_vec();
    if first.is_empty() {
        first.push(Fr::ZERO);
    }
    polys.push(first);
    for r in point {
        let last = &polys[polys.len() - 1];
        let next: Vec<Fr> = last
            .par_chunks(2)
            .map(|p| {
                let hi = p.get(1).copied().unwrap_or(Fr::ZERO);
                p[0] + *r * (hi - p[0])
            })
            .collect();
        polys.push(next);
    }
    let folds = polys[1..n]
        .par_iter()
        .map(|p| key.commit(p))
        .collect::<Result<Vec<G1>, _>>()?;
    for c in &folds {
        transcript.absorb_g1(c);
    }
    let beta = transcript.challenge();
    let points = [beta, -beta, beta.square()];
    let evals: Vec<[Fr; 3]> = polys[..n]
        .par_iter()
        .map(|p| points.map(|a| horner(p, a)))
        .collect();
    for e in &evals {
        transcript.absorb_slice(e);
    }
    let q = transcript.challenge();
    // B = Σ q^j f_j: each f_j adds to B's first 2^(n−j) coefficients.
    let mut b = polys[0].clone();
    let mut qj = Fr::ONE;
    for p in &polys[1..n] {
        qj *= q;
        b.par_iter_mut().zip(p).for_each(|(x, y)| *x += qj * y);
    }
    let quotients = prove_values(key, &b, points, transcript)?;
    Ok(OpeningProof {
        folds,
        evals,
        quotients,
    })
}

/// `R(x)` for the polynomial `R` of degree at most 2 through `(a_k, y_k)`.
fn interpolate3(a: [Fr; 3], y: [Fr; 3], x: Fr) -> Result<Fr, Error> {
    let mut sum = Fr::ZERO;
    for k in 0..3 {
        let (mut num, mut den) = (Fr::ONE, Fr::ONE);
        for j in (0..3).filter(|&j| j != k) {
            num *= x - a[j];
            den *= a[k] - a[j];
        }
        let inv = den
            .inverse()
            .ok_or(Error::Rejected("an opening's points coincide"))?;
        sum += y[k] * num * inv;
    }
    Ok(sum)
}

/// Steps 3–4 for the batched polynomial `b` (coefficients) at the three `points`: the
/// commitments to `W` and `W'`, each absorbed before the next challenge.
#[doc(hidden)]
pub fn prove_values(
    key: &PowersOfTauKey,
    b: &[Fr],
    points: [Fr; 3],
    transcript: &mut Transcript,
) -> Result<[G1; 2], Error> {
    // Dividing by each root in turn drops the remainders, which together are `R`.
    let mut w = b.to_vec();
    for a in points {
        w = divide_by_root(&w, a);
    }
    let c_w = key.commit(&w)?;
    transcript.absorb_g1(&c_w);
    let z = transcript.challenge();
    let y = points.map(|a| horner(b, a));
    let r_z = interpolate3(points, y, z)?;
    let z_z: Fr = points.iter().map(|a| z - a).product();
    let mut l = b.to_vec();
    if let Some(c0) = l.first_mut() {
        *c0 -= r_z;
    }
    l.par_iter_mut().zip(&w).for_each(|(x, wi)| *x -= z_z * wi);
    let c_w2 = key.commit(&divide_by_root(&l, z))?;
    transcript.absorb_g1(&c_w2);
    Ok([c_w, c_w2])
}

/// Verifies an opening of `commitment` at `point` to `value`; the transcript must be the
/// prover's at the same place.
pub fn verify(
    key: &OpeningKey,
    commitment: &G1,
    point: &[Fr],
    value: Fr,
    proof: &OpeningProof,
    transcript: &mut Transcript,
) -> Result<(), Error> {
    let n = point.len();
    for (what, expected, got) in [
        ("opening folds", n.saturating_sub(1), proof.folds.len()),
        ("opening values", n, proof.evals.len()),
    ] {
        if n == 0 || expected != got {
            return Err(Error::WrongLength {
                what,
                expected,
                got,
            });
        }
    }
    for c in &proof.folds {
        transcript.absorb_g1(c);
    }
    let beta = transcript.challenge();
    if beta.is_zero() || beta == Fr::ONE || beta == -Fr::ONE {
        // Two of the three points would coincide (and at zero the fold checks read 0 = 0).
        return Err(Error::Rejected("a degenerate opening challenge"));
    }
    let two_beta = beta.double();
    for (j, (e, r)) in proof.evals.iter().zip(point).enumerate() {
        let next = proof.evals.get(j + 1).map_or(value, |e| e[2]);
        let folded = (Fr::ONE - r) * beta * (e[0] + e[1]) + *r * (e[0] - e[1]);
        if two_beta * next != folded {
            return Err(Error::Rejected("an opening's folds are inconsistent"));
        }
    }
    for e in &proof.evals {
        transcript.absorb_slice(e);
    }
    let q = transcript.challenge();
    let mut powers = Vec::with_capacity(n);
    let mut qj = Fr::ONE;
    for _ in 0..n {
        powers.push(qj);
        qj *= q;
    }
    let values: [Fr; 3] =
        [0, 1, 2].map(|k| proof.evals.iter().zip(&powers).map(|(e, p)| e[k] * p).sum());
    let c_b = commitment.into_group() + G1Projective::msm_unchecked(&proof.folds, &powers[1..]);
    let points = [beta, -beta, beta.square()];
    let [c_w, c_w2] = proof.quotients;
    transcript.absorb_g1(&c_w);
    let z = transcript.challenge();
    let r_z = interpolate3(points, values, z)?;
    let z_z: Fr = points.iter().map(|a| z - a).product();
    if z_z.is_zero() {
        // At one of the three points the check would read one value only.
        return Err(Error::Rejected("a degenerate opening challenge"));
    }
    let c_l = c_b - key.g * r_z - c_w * z_z;
    transcript.absorb_g1(&c_w2);
    let check = Bn254::multi_pairing(
        [
            (c_l + c_w2 * z).into_affine(),
            (-c_w2.into_group()).into_affine(),
        ],
        [key.g2, key.tau_g2],
    );
    if !check.is_zero() {
        return Err(Error::Rejected("an opening's pairing check fails"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crease_folding::mle;
    use rand::{rngs::StdRng, SeedableRng};

    fn setup(len: usize, n: usize, seed: u64) -> (PowersOfTauKey, Vec<Fr>, Vec<Fr>) {
        let mut rng = StdRng::seed_from_u64(seed);
        let key = PowersOfTauKey::from_seed(b"opening test", 1 << n);
        let f = (0..len)
            .map(|_| <Fr as ark_ff::UniformRand>::rand(&mut rng))
            .collect();
        let r = (0..n)
            .map(|_| <Fr as ark_ff::UniformRand>::rand(&mut rng))
            .collect();
        (key, f, r)
    }

    fn check(key: &PowersOfTauKey, c: &G1, r: &[Fr], v: Fr, p: &OpeningProof) -> bool {
        let vk = OpeningKey::of(key).expect("key");
        verify(&vk, c, r, v, p, &mut Transcript::new(b"open")).is_ok()
    }

    #[test]
    fn an_opening_verifies_at_the_multilinear_value_only() {
        for (len, n) in [(2usize, 1usize), (5, 3), (64, 6), (300, 10)] {
            let (key, f, r) = setup(len, n, len as u64);
            let c = key.commit(&f).expect("commit");
            let v = mle::evaluate(&f, &r);
            let p = prove(&key, &f, &r, &mut Transcript::new(b"open")).expect("prove");
            assert!(check(&key, &c, &r, v, &p), "len {len}");
            assert!(!check(&key, &c, &r, v + Fr::ONE, &p));
            let mut other = r.clone();
            other[0] += Fr::ONE;
            assert!(!check(&key, &c, &other, v, &p));
            let c2 = key.commit(&f[1..]).expect("commit");
            assert!(!check(&key, &c2, &r, v, &p));
        }
    }

    /// The key needs as many bases as the vector has entries, not `2^n`.
    #[test]
    fn a_key_as_long_as_the_vector_suffices() {
        let mut rng = StdRng::seed_from_u64(3);
        for (len, n) in [(1usize, 3usize), (5, 3), (300, 10), (513, 10)] {
            let key = PowersOfTauKey::from_seed(b"opening test", len);
            let f: Vec<Fr> = (0..len)
                .map(|_| <Fr as ark_ff::UniformRand>::rand(&mut rng))
                .collect();
            let r: Vec<Fr> = (0..n)
                .map(|_| <Fr as ark_ff::UniformRand>::rand(&mut rng))
                .collect();
            let c = key.commit(&f).expect("commit");
            let v = mle::evaluate(&f, &r);
            let p = prove(&key, &f, &r, &mut Transcript::new(b"open")).expect("prove");
            assert!(check(&key, &c, &r, v, &p), "len {len}");
            assert!(!check(&key, &c, &r, v + Fr::ONE, &p), "len {len}");
            // The same proof as under a key of 2^n bases.
            let long = PowersOfTauKey::from_seed(b"opening test", 1 << n);
            let q = prove(&long, &f, &r, &mut Transcript::new(b"open")).expect("prove");
            assert_eq!(p, q);
        }
    }

    #[test]
    fn every_changed_part_of_an_opening_is_rejected() {
        let (key, f, r) = setup(40, 6, 9);
        let c = key.commit(&f).expect("commit");
        let v = mle::evaluate(&f, &r);
        let p = prove(&key, &f, &r, &mut Transcript::new(b"open")).expect("prove");
        let g = key.bases()[1];
        for j in 0..p.folds.len() {
            let mut bad = p.clone();
            bad.folds[j] = (bad.folds[j] + g).into_affine();
            assert!(!check(&key, &c, &r, v, &bad), "fold {j}");
        }
        for j in 0..p.evals.len() {
            for k in 0..3 {
                let mut bad = p.clone();
                bad.evals[j][k] += Fr::ONE;
                assert!(!check(&key, &c, &r, v, &bad), "value {j} {k}");
            }
        }
        for k in 0..2 {
            let mut bad = p.clone();
            bad.quotients[k] = (bad.quotients[k] + g).into_affine();
            assert!(!check(&key, &c, &r, v, &bad), "quotient {k}");
        }
        let mut short = p.clone();
        short.evals.pop();
        assert!(!check(&key, &c, &r, v, &short));
        let mut long = p;
        long.folds.push(g);
        assert!(!check(&key, &c, &r, v, &long));
    }

    #[test]
    fn a_vector_longer_than_the_point_allows_is_refused() {
        let (key, f, r) = setup(9, 3, 1);
        assert!(prove(&key, &f, &r, &mut Transcript::new(b"open")).is_err());
        assert!(prove(&key, &f, &[], &mut Transcript::new(b"open")).is_err());
    }
}
