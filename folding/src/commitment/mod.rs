//! Commitments to witness vectors.
//!
//! [`CommitmentKey`] is the seam: a key commits a vector of scalars to a curve point, and
//! commits small values (bits, 32-bit words) at small-scalar cost.
//! [`PowersOfTauKey`] commits on BN254 G1 with bases `τ^i·G` (so a KZG-type decider can open
//! the commitments later), read from a ceremony's `.ptau` file by [`ptau`]; [`PedersenKey`]
//! commits on Grumpkin with hash-derived bases.
//!
//! [`CommitmentKey::commit`] goes through [`msm::msm`], which sorts the scalars by size
//! (`±1`, at most 8, 16, 32 or 64 bits or their negations, full size) and sums each class
//! with its own method, so a witness whose entries are small is committed at small-scalar
//! cost without the caller doing anything; [`CommitmentKey::commit_u32`] and
//! [`CommitmentKey::commit_bits`] skip the classification when the caller already knows the
//! widths.

mod kzg;
pub mod msm;
mod pedersen;
pub mod ptau;

pub use kzg::PowersOfTauKey;
pub use pedersen::PedersenKey;
pub use ptau::{PtauError, PtauFile};

use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::PrimeField;

use crate::Error;

/// A commitment key: a list of bases for committing vectors by MSM.
pub trait CommitmentKey: Send + Sync {
    /// The curve group the commitments live in.
    type Group: CurveGroup<ScalarField = Self::Scalar> + VariableBaseMSM + msm::FullMsm;
    /// The scalars committed.
    type Scalar: PrimeField;

    /// The bases, in order.
    fn bases(&self) -> &[<Self::Group as CurveGroup>::Affine];

    /// How many scalars this key can commit.
    fn max_len(&self) -> usize {
        self.bases().len()
    }

    /// Commits to `v` (length at most [`Self::max_len`]).
    fn commit(&self, v: &[Self::Scalar]) -> Result<<Self::Group as CurveGroup>::Affine, Error> {
        let bases = self.bases_for(v.len())?;
        Ok(msm::msm::<Self::Group>(bases, v).into_affine())
    }

    /// Commits to 32-bit values (the same commitment as [`Self::commit`] of their embedding).
    fn commit_u32(&self, v: &[u32]) -> Result<<Self::Group as CurveGroup>::Affine, Error> {
        let bases = self.bases_for(v.len())?;
        let entries = v
            .iter()
            .enumerate()
            .map(|(index, &w)| msm::Small {
                index,
                negative: false,
                magnitude: w as u64,
            })
            .collect();
        Ok(msm::small_msm::<Self::Group>(bases, entries).into_affine())
    }

    /// Commits to bits (the same commitment as [`Self::commit`] of their embedding).
    fn commit_bits(&self, v: &[bool]) -> Result<<Self::Group as CurveGroup>::Affine, Error> {
        let bases = self.bases_for(v.len())?;
        let entries: Vec<_> = v
            .iter()
            .enumerate()
            .filter(|(_, &b)| b)
            .map(|(index, _)| msm::Small {
                index,
                negative: false,
                magnitude: 1,
            })
            .collect();
        Ok(<Self::Group as msm::FullMsm>::unit_sum(bases, &entries).into_affine())
    }

    /// The first `n` bases, or an error if the key is shorter.
    fn bases_for(&self, n: usize) -> Result<&[<Self::Group as CurveGroup>::Affine], Error> {
        let bases = self.bases();
        if n > bases.len() {
            return Err(Error::KeyTooShort {
                needed: n,
                available: bases.len(),
            });
        }
        Ok(&bases[..n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Fq, Fr};
    use ark_ff::UniformRand;
    use ark_std::rand::Rng;

    #[test]
    fn small_paths_agree_with_full_msm() {
        let mut rng = ark_std::test_rng();
        let key = PowersOfTauKey::from_seed(b"test key", 300);
        let words: Vec<u32> = (0..300).map(|_| rng.gen()).collect();
        let bits: Vec<bool> = (0..300).map(|_| rng.gen()).collect();
        let wf: Vec<Fr> = words.iter().map(|&w| Fr::from(w)).collect();
        let bf: Vec<Fr> = bits.iter().map(|&b| Fr::from(b)).collect();
        assert_eq!(key.commit_u32(&words).unwrap(), key.commit(&wf).unwrap());
        assert_eq!(key.commit_bits(&bits).unwrap(), key.commit(&bf).unwrap());
        // Mixed sizes, negative small values and full-size scalars through the classifier.
        let mut mixed: Vec<Fr> = (0..300).map(|_| Fr::rand(&mut rng)).collect();
        mixed[3] = -Fr::from(5u64);
        mixed[4] = Fr::from(0u64);
        let naive = mixed
            .iter()
            .zip(key.bases())
            .fold(crate::G1Projective::default(), |acc, (s, b)| acc + *b * s);
        assert_eq!(key.commit(&mixed).unwrap(), naive.into_affine());
        assert!(matches!(
            key.commit(&vec![Fr::from(1u64); 301]),
            Err(Error::KeyTooShort { needed: 301, .. })
        ));

        let pk = PedersenKey::new(b"test pedersen", 50);
        let v: Vec<Fq> = (0..50).map(|_| Fq::rand(&mut rng)).collect();
        let naive = v
            .iter()
            .zip(pk.bases())
            .fold(crate::GrumpkinProjective::default(), |acc, (s, b)| {
                acc + *b * s
            });
        assert_eq!(pk.commit(&v).unwrap(), naive.into_affine());
    }
}
