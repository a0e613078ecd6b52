//! Openings of Grumpkin Pedersen commitments as multilinear polynomials: an inner-product
//! argument (Bulletproofs-style, without hiding).
//!
//! For `C = Σ a_i·G_i` over `2^n` bases and a point `r`, the prover shows
//! `⟨a, b⟩ = v` with `b = eq(r, ·)` (so `v = MLE(a)(r)`):
//!
//! 1. squeeze `ξ` and set `U = ξ·H` for a base `H` derived apart from the `G_i`;
//!    `P = C + v·U`;
//! 2. `n` rounds, each halving on the top index bit: the prover sends
//!    `L = ⟨a_lo, G_hi⟩ + ⟨a_lo, b_hi⟩·U` and `R = ⟨a_hi, G_lo⟩ + ⟨a_hi, b_lo⟩·U`; absorb
//!    them; squeeze `x`; `a ← x·a_lo + x⁻¹·a_hi`, `b ← x⁻¹·b_lo + x·b_hi`,
//!    `G ← x⁻¹·G_lo + x·G_hi`, `P ← x²·L + P + x⁻²·R`;
//! 3. the prover sends the last `a`; the verifier computes the last `G` and `b` as
//!    `Σ s_i·G_i` and `Σ s_i·b_i` (`s_i` the product of `x` or `x⁻¹` by the bits of `i`, one
//!    multi-scalar multiplication) and checks `P = a·G + a·b·U`.
//!
//! Binding rests on the discrete logarithms between the `G_i` and `H` being unknown (all are
//! hashed to the curve).

use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, Field, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use crease_folding::commitment::PedersenKey;
use crease_folding::{Fq, GrumpkinAffine, GrumpkinProjective};
use rayon::prelude::*;

use crate::sumcheck::{eq_table, Challenger, FqChallenger};
use crate::Error;

/// The label `H` is derived under.
const H_LABEL: &[u8] = b"crease/decider/ipa/h";

/// `H`, the base that carries the inner product.
pub fn h_base() -> GrumpkinAffine {
    use crease_folding::commitment::CommitmentKey;
    PedersenKey::new(H_LABEL, 1).bases()[0]
}

/// An opening: `L` and `R` per round and the last `a`.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct IpaProof {
    /// `L` of each round.
    pub l: Vec<GrumpkinAffine>,
    /// `R` of each round.
    pub r: Vec<GrumpkinAffine>,
    /// The last `a`.
    pub a: Fq,
}

fn inner(a: &[Fq], b: &[Fq]) -> Fq {
    a.par_iter().zip(b).map(|(x, y)| *x * y).sum()
}

fn msm(bases: &[GrumpkinAffine], scalars: &[Fq]) -> GrumpkinProjective {
    GrumpkinProjective::msm_unchecked(bases, scalars)
}

/// Proves `MLE(a)(point) = Σ a_i·eq(point, i)` for the commitment `Σ a_i·bases_i`, with
/// `bases.len() = 2^point.len()` and `a` at most that long. The transcript must already
/// bind the commitment, the point and the value.
pub fn prove(
    bases: &[GrumpkinAffine],
    a: &[Fq],
    point: &[Fq],
    t: &mut FqChallenger<'_>,
) -> Result<IpaProof, Error> {
    let n = 1usize << point.len();
    if bases.len() != n || a.len() > n {
        return Err(Error::WrongLength {
            what: "IPA bases or vector",
            expected: n,
            got: bases.len().max(a.len()),
        });
    }
    let u = (h_base() * t.squeeze()).into_affine();
    let mut a = a.to_vec();
    a.resize(n, Fq::ZERO);
    let mut b = eq_table(point);
    let mut g: Vec<GrumpkinAffine> = bases.to_vec();
    let (mut ls, mut rs) = (Vec::new(), Vec::new());
    while a.len() > 1 {
        let half = a.len() / 2;
        let (a_lo, a_hi) = a.split_at(half);
        let (b_lo, b_hi) = b.split_at(half);
        let (g_lo, g_hi) = g.split_at(half);
        let l = (msm(g_hi, a_lo) + u * inner(a_lo, b_hi)).into_affine();
        let r = (msm(g_lo, a_hi) + u * inner(a_hi, b_lo)).into_affine();
        t.0.absorb_grumpkin(&l);
        t.0.absorb_grumpkin(&r);
        let x = t.squeeze();
        let xi = x.inverse().ok_or(Error::Rejected("a zero IPA challenge"))?;
        let na: Vec<Fq> = (0..half).map(|i| a_lo[i] * x + a_hi[i] * xi).collect();
        let nb: Vec<Fq> = (0..half).map(|i| b_lo[i] * xi + b_hi[i] * x).collect();
        let ng: Vec<GrumpkinProjective> = (0..half)
            .into_par_iter()
            .map(|i| g_lo[i] * xi + g_hi[i] * x)
            .collect();
        a = na;
        b = nb;
        g = GrumpkinProjective::normalize_batch(&ng);
        ls.push(l);
        rs.push(r);
    }
    Ok(IpaProof {
        l: ls,
        r: rs,
        a: a[0],
    })
}

/// Verifies an opening of `commitment` at `point` to `value` against `bases`
/// (`2^point.len()` of them).
pub fn verify(
    bases: &[GrumpkinAffine],
    commitment: &GrumpkinAffine,
    point: &[Fq],
    value: Fq,
    proof: &IpaProof,
    t: &mut FqChallenger<'_>,
) -> Result<(), Error> {
    let k = point.len();
    if bases.len() != 1 << k || proof.l.len() != k || proof.r.len() != k {
        return Err(Error::WrongLength {
            what: "IPA rounds",
            expected: k,
            got: proof.l.len().min(proof.r.len()),
        });
    }
    let u = h_base() * t.squeeze();
    let mut p = commitment.into_group() + u * value;
    let mut xs = Vec::with_capacity(k);
    for (l, r) in proof.l.iter().zip(&proof.r) {
        t.0.absorb_grumpkin(l);
        t.0.absorb_grumpkin(r);
        let x = t.squeeze();
        let xi = x.inverse().ok_or(Error::Rejected("a zero IPA challenge"))?;
        p += *l * x.square() + *r * xi.square();
        xs.push((x, xi));
    }
    // s_i: round j halves on bit k−1−j of i (x if the bit is set, x⁻¹ if not).
    let mut s = vec![Fq::ONE];
    for &(x, xi) in xs.iter().rev() {
        let mut next = Vec::with_capacity(2 * s.len());
        next.extend(s.iter().map(|v| *v * xi));
        next.extend(s.iter().map(|v| *v * x));
        s = next;
    }
    let b: Fq = inner(&s, &eq_table(point));
    let scaled: Vec<Fq> = s.iter().map(|v| *v * proof.a).collect();
    let rhs = msm(bases, &scaled) + u * (proof.a * b);
    if !(p - rhs).is_zero() {
        return Err(Error::Rejected("an inner-product opening fails"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crease_folding::commitment::CommitmentKey;
    use crease_folding::poseidon::Transcript;
    use rand::{rngs::StdRng, SeedableRng};

    fn mle(a: &[Fq], r: &[Fq]) -> Fq {
        inner(a, &eq_table(r)[..a.len()])
    }

    #[test]
    fn an_opening_verifies_at_the_value_only_and_every_part_is_bound() {
        let mut rng = StdRng::seed_from_u64(5);
        let k = 5;
        let key = PedersenKey::new(b"ipa test", 1 << k);
        let a: Vec<Fq> = (0..27)
            .map(|_| <Fq as ark_ff::UniformRand>::rand(&mut rng))
            .collect();
        let r: Vec<Fq> = (0..k)
            .map(|_| <Fq as ark_ff::UniformRand>::rand(&mut rng))
            .collect();
        let c = key.commit(&a).expect("commit");
        let v = mle(&a, &r);
        let mut tr = Transcript::new(b"ipa");
        let p = prove(key.bases(), &a, &r, &mut FqChallenger(&mut tr)).expect("prove");
        let ok = |c: &GrumpkinAffine, r: &[Fq], v: Fq, p: &IpaProof| {
            let mut tr = Transcript::new(b"ipa");
            verify(key.bases(), c, r, v, p, &mut FqChallenger(&mut tr)).is_ok()
        };
        assert!(ok(&c, &r, v, &p));
        assert!(!ok(&c, &r, v + Fq::ONE, &p));
        let mut r2 = r.clone();
        r2[1] += Fq::ONE;
        assert!(!ok(&c, &r2, v, &p));
        let other = key.commit(&a[1..]).expect("commit");
        assert!(!ok(&other, &r, v, &p));
        let g = key.bases()[0];
        for j in 0..k {
            let mut bad = p.clone();
            bad.l[j] = (bad.l[j] + g).into_affine();
            assert!(!ok(&c, &r, v, &bad), "L {j}");
            let mut bad = p.clone();
            bad.r[j] = (bad.r[j] + g).into_affine();
            assert!(!ok(&c, &r, v, &bad), "R {j}");
        }
        let mut bad = p.clone();
        bad.a += Fq::ONE;
        assert!(!ok(&c, &r, v, &bad));
        let mut short = p;
        short.l.pop();
        assert!(!ok(&c, &r, v, &short));
        // The wrong number of bases is refused, not a panic.
        let mut tr = Transcript::new(b"ipa");
        assert!(prove(&key.bases()[..8], &a, &r, &mut FqChallenger(&mut tr)).is_err());
    }
}
