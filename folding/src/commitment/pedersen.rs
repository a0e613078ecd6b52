//! Pedersen commitments on Grumpkin with hash-derived bases.

use std::sync::Arc;

use ark_ec::CurveGroup;
use ark_ff::PrimeField;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::msm::{msm, BuiltOnce, FixedBaseTable};
use super::CommitmentKey;
use crate::{Error, Fq, Fr, GrumpkinAffine, GrumpkinProjective};

/// Bases `H_i` on Grumpkin derived by try-and-increment from SHA-256 of
/// `(label, i, counter)`: nobody knows a discrete-log relation among them. Grumpkin has
/// cofactor 1, so every point on the curve is in the group.
///
/// The prover commits with [`Self::commit_prover`], which builds a [`FixedBaseTable`] of the
/// bases on first use (a few MB; the same commitments as [`CommitmentKey::commit`]).
#[derive(Clone, Debug)]
pub struct PedersenKey {
    bases: Vec<GrumpkinAffine>,
    table: Arc<BuiltOnce<FixedBaseTable<ark_grumpkin::GrumpkinConfig>>>,
}

/// Bases `range` under `label`: base `i` is the first point whose `x` is a hash of
/// `(label, i, counter)`, in parallel.
fn derive(label: &[u8], range: std::ops::Range<usize>) -> Vec<GrumpkinAffine> {
    range
        .into_par_iter()
        .map(|i| {
            (0u64..)
                .find_map(|ctr| {
                    let mut h = Sha256::new();
                    h.update(label);
                    h.update((i as u64).to_le_bytes());
                    h.update(ctr.to_le_bytes());
                    let d = h.finalize();
                    let x = Fr::from_le_bytes_mod_order(&d[..31]);
                    GrumpkinAffine::get_point_from_x_unchecked(x, d[31] & 1 == 1)
                })
                .unwrap_or_default()
        })
        .collect()
}

impl PartialEq for PedersenKey {
    fn eq(&self, other: &Self) -> bool {
        self.bases == other.bases
    }
}

impl Eq for PedersenKey {}

impl PedersenKey {
    /// Derives `n` bases under `label`.
    pub fn new(label: &[u8], n: usize) -> Self {
        Self::from_bases(derive(label, 0..n))
    }

    /// The key of `n` bases under `label` whose first bases are this key's, which must have
    /// been derived under `label` (`n` at most this key's length gives a prefix).
    pub fn extended(&self, label: &[u8], n: usize) -> Self {
        let mut bases: Vec<GrumpkinAffine> = self.bases[..n.min(self.bases.len())].to_vec();
        bases.extend(derive(label, bases.len()..n));
        Self::from_bases(bases)
    }

    /// The same commitment as [`CommitmentKey::commit`], through the fixed-base table (built
    /// on the first call): for a prover committing with this key at every step.
    pub fn commit_prover(&self, v: &[Fq]) -> Result<GrumpkinAffine, Error> {
        let bases = self.bases_for(v.len())?;
        Ok(match self.build_table() {
            Some(table) => table.msm(v),
            // Another thread is building the table: the same sum without it.
            None => msm::<GrumpkinProjective>(bases, v),
        }
        .into_affine())
    }

    /// Builds the fixed-base table of [`Self::commit_prover`] if it is not built yet (`None`
    /// while another call builds it: nothing waits for a build, see [`BuiltOnce`]).
    pub fn build_table(&self) -> Option<&FixedBaseTable<ark_grumpkin::GrumpkinConfig>> {
        self.table.build_with(|| FixedBaseTable::new(&self.bases))
    }
}

impl PedersenKey {
    /// A key from its bases (read from a parameter file, which compares them with
    /// [`Self::new`]'s).
    pub(crate) fn from_bases(bases: Vec<GrumpkinAffine>) -> Self {
        Self {
            bases,
            table: Arc::default(),
        }
    }
}

impl CommitmentKey for PedersenKey {
    type Group = GrumpkinProjective;
    type Scalar = Fq;

    fn bases(&self) -> &[GrumpkinAffine] {
        &self.bases
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_extended_key_is_the_longer_key_and_keeps_its_prefix() {
        let label = b"pedersen test";
        let short = PedersenKey::new(label, 10);
        assert_eq!(short.extended(label, 25), PedersenKey::new(label, 25));
        assert_eq!(short.extended(label, 4), PedersenKey::new(label, 4));
        assert_eq!(short.extended(label, 10), short);
        assert_ne!(short.extended(b"other", 25), PedersenKey::new(label, 25));
    }
}
