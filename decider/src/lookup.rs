//! The table side of the lookups: `Σ_i m_i·d_i = v` for multiplicities `m` committed in
//! chunks and a vector `d` the verifier computes itself (`d_i = 1/(β − payload_i −
//! α·tag_i)` over its own table rows).
//!
//! `m` has `rows` entries, committed as chunks of `2^k` under the key's first bases
//! (`C_c` for rows `c·2^k …`). With `n = k + ⌈log2 #chunks⌉` variables:
//!
//! 1. absorb the chunks' commitments and `v`; squeeze `θ` and a point `r_t`;
//! 2. sum-check (degree 2) `v = Σ_i m_i·(d_i + θ·eq(r_t, i)·[i ≥ rows])` (the honest `m`
//!    is zero past the rows, so the term changes nothing; a non-zero entry there moves the
//!    sum by `θ·MLE(tail)(r_t)`, which the prover cannot foresee); the prover sends each
//!    chunk's `MLE(m_c)(r_lo)` at the low `k` coordinates of the final point `r`; the
//!    verifier checks the final claim with `MLE(m)(r) = Σ_c eq(r_hi, c)·MLE(m_c)(r_lo)`
//!    and its own `MLE(d)(r)`;
//! 3. absorb them; squeeze `ρ`; open `Σ_c ρ^c C_c` at `r_lo` ([`crate::opening`], which
//!    also holds every chunk below `2^k` entries).

use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, Field};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use crease_folding::commitment::PowersOfTauKey;
use crease_folding::poseidon::Transcript;
use crease_folding::{mle, Fr, G1Projective, G1};

use crate::opening::{self, OpeningKey, OpeningProof};
use crate::sumcheck::{self, eq, eq_eq_below, eq_table, SumcheckProof, Terms};
use crate::Error;

/// The proof of [`prove`].
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct LookupProof {
    /// The sum-check.
    pub sumcheck: SumcheckProof,
    /// `MLE(m_c)(r_lo)` per chunk.
    pub chunks: Vec<Fr>,
    /// The opening of the combined chunks.
    pub opening: OpeningProof,
}

/// `(k, chunks, n)` for `rows` rows in chunks of `chunk = 2^k`.
fn dims(rows: usize, chunk: usize) -> Result<(usize, usize, usize), Error> {
    if !chunk.is_power_of_two() || chunk < 2 {
        return Err(Error::Rejected("a chunk of counts is not a power of two"));
    }
    let k = chunk.trailing_zeros() as usize;
    let chunks = rows.div_ceil(chunk).max(1);
    Ok((k, chunks, k + mle::num_vars(chunks)))
}

/// Absorbs the statement; squeezes `θ`.
fn absorb(t: &mut Transcript, commitments: &[G1], claim: Fr) -> Fr {
    for c in commitments {
        t.absorb_g1(c);
    }
    t.absorb(&claim);
    t.challenge()
}

/// Proves `Σ_i m_i·d_i = claim` for `m` (at most `d.len()` entries, committed in chunks
/// of `chunk` under `key`, which must hold `chunk` bases).
pub fn prove(
    key: &PowersOfTauKey,
    chunk: usize,
    commitments: &[G1],
    m: &[Fr],
    d: &[Fr],
    claim: Fr,
    t: &mut Transcript,
) -> Result<LookupProof, Error> {
    let rows = d.len();
    let (k, chunks, n) = dims(rows, chunk)?;
    if m.len() > rows || commitments.len() != chunks {
        return Err(Error::WrongLength {
            what: "counts",
            expected: rows,
            got: m.len(),
        });
    }
    let theta = absorb(t, commitments, claim);
    let r_t = t.challenges(n);
    let mut mt = m.to_vec();
    mt.resize(1 << n, Fr::ZERO);
    let mut dt = d.to_vec();
    dt.resize(1 << n, Fr::ZERO);
    let eq_t = eq_table(&r_t);
    for (i, v) in dt.iter_mut().enumerate().skip(rows) {
        *v += theta * eq_t[i];
    }
    let terms = Terms {
        terms: vec![(Fr::ONE, vec![0, 1])],
    };
    let (sumcheck, r, _) = sumcheck::prove(&terms, vec![mt, dt], t);
    let r_lo = &r[..k];
    let values: Vec<Fr> = (0..chunks)
        .map(|c| {
            let part = &m[(c * chunk).min(m.len())..((c + 1) * chunk).min(m.len())];
            mle::evaluate(part, r_lo)
        })
        .collect();
    t.absorb_slice(&values);
    let rho = t.challenge();
    let mut combined = vec![Fr::ZERO; chunk];
    let mut rc = Fr::ONE;
    for c in 0..chunks {
        let part = &m[(c * chunk).min(m.len())..((c + 1) * chunk).min(m.len())];
        for (x, v) in combined.iter_mut().zip(part) {
            *x += rc * v;
        }
        rc *= rho;
    }
    let opening = opening::prove(key, &combined, r_lo, t)?;
    Ok(LookupProof {
        sumcheck,
        chunks: values,
        opening,
    })
}

/// Verifies [`prove`]'s proof for the chunks' `commitments`, the verifier's own `d` and
/// the claimed sum.
pub fn verify(
    key: &OpeningKey,
    chunk: usize,
    commitments: &[G1],
    d: &[Fr],
    claim: Fr,
    proof: &LookupProof,
    t: &mut Transcript,
) -> Result<(), Error> {
    let rows = d.len();
    let (k, chunks, n) = dims(rows, chunk)?;
    for (what, got) in [
        ("count commitments", commitments.len()),
        ("chunk values", proof.chunks.len()),
    ] {
        if got != chunks {
            return Err(Error::WrongLength {
                what,
                expected: chunks,
                got,
            });
        }
    }
    let theta = absorb(t, commitments, claim);
    let r_t = t.challenges(n);
    let (r, last) = sumcheck::verify(claim, n, 2, &proof.sumcheck, t)?;
    let (r_lo, r_hi) = r.split_at(k);
    let m: Fr = proof
        .chunks
        .iter()
        .enumerate()
        .map(|(c, v)| {
            let bits: Vec<Fr> = (0..r_hi.len())
                .map(|j| Fr::from(((c >> j) & 1) as u64))
                .collect();
            eq(r_hi, &bits) * v
        })
        .sum();
    let tail = eq_eq_below(&r_t, &r, 1 << n) - eq_eq_below(&r_t, &r, rows);
    let d_r = mle::evaluate(d, &r) + theta * tail;
    if last != m * d_r {
        return Err(Error::Rejected(
            "the table side's sum-check ends off its claim",
        ));
    }
    t.absorb_slice(&proof.chunks);
    let rho = t.challenge();
    let mut powers = Vec::with_capacity(chunks);
    let mut rc = Fr::ONE;
    for _ in 0..chunks {
        powers.push(rc);
        rc *= rho;
    }
    let combined = G1Projective::msm_unchecked(commitments, &powers).into_affine();
    let value: Fr = proof.chunks.iter().zip(&powers).map(|(v, p)| *v * p).sum();
    opening::verify(key, &combined, r_lo, value, &proof.opening, t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crease_folding::commitment::CommitmentKey;

    fn setup(rows: usize, chunk: usize) -> (PowersOfTauKey, Vec<Fr>, Vec<Fr>, Vec<G1>) {
        let key = PowersOfTauKey::from_seed(b"lookup test", chunk);
        let m: Vec<Fr> = (0..rows).map(|i| Fr::from((i % 7) as u64)).collect();
        let d: Vec<Fr> = (0..rows).map(|i| Fr::from(1000 + 3 * i as u64)).collect();
        let commitments = m
            .chunks(chunk)
            .map(|c| key.commit(c).expect("commit"))
            .collect();
        (key, m, d, commitments)
    }

    fn run(key: &PowersOfTauKey, chunk: usize, cs: &[G1], m: &[Fr], d: &[Fr], claim: Fr) -> bool {
        let p = prove(key, chunk, cs, m, d, claim, &mut Transcript::new(b"l")).expect("prove");
        let vk = OpeningKey::of(key).expect("key");
        verify(&vk, chunk, cs, d, claim, &p, &mut Transcript::new(b"l")).is_ok()
    }

    #[test]
    fn the_true_sum_verifies_and_no_other() {
        for (rows, chunk) in [(5usize, 8usize), (8, 8), (21, 8), (40, 16)] {
            let (key, m, d, cs) = setup(rows, chunk);
            let sum: Fr = m.iter().zip(&d).map(|(a, b)| *a * b).sum();
            assert!(run(&key, chunk, &cs, &m, &d, sum), "{rows} rows");
            assert!(!run(&key, chunk, &cs, &m, &d, sum + Fr::ONE));
            let mut other = d.clone();
            other[rows - 1] += Fr::ONE;
            let vk = OpeningKey::of(&key).expect("key");
            let p = prove(&key, chunk, &cs, &m, &d, sum, &mut Transcript::new(b"l")).expect("p");
            assert!(verify(&vk, chunk, &cs, &other, sum, &p, &mut Transcript::new(b"l")).is_err());
        }
    }

    /// Multiplicities past the rows (inside the last chunk) are refused even when they add
    /// nothing to the sum.
    #[test]
    fn counts_past_the_rows_are_rejected() {
        let (rows, chunk) = (21usize, 8usize);
        let (key, m, d, mut cs) = setup(rows, chunk);
        let sum: Fr = m.iter().zip(&d).map(|(a, b)| *a * b).sum();
        let mut longer = m[16..].to_vec();
        longer.resize(chunk, Fr::ZERO);
        longer[7] = Fr::from(5u64);
        cs[2] = key.commit(&longer).expect("commit");
        // The prover's tables hold the extra count in the padding.
        let mut m2 = m.clone();
        m2.resize(24, Fr::ZERO);
        m2[23] = Fr::from(5u64);
        let mut d2 = d.clone();
        d2.resize(24, Fr::ZERO);
        let p = {
            // Prove over 24 "rows" so the extra entry is in the tables, then verify over 21.
            let mut t = Transcript::new(b"l");
            prove(&key, chunk, &cs, &m2, &d2, sum, &mut t).expect("prove")
        };
        let vk = OpeningKey::of(&key).expect("key");
        assert!(verify(&vk, chunk, &cs, &d, sum, &p, &mut Transcript::new(b"l")).is_err());
    }
}
