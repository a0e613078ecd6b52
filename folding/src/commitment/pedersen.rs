//! Pedersen commitments on Grumpkin with hash-derived bases.

use ark_ff::PrimeField;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use sha2::{Digest, Sha256};

use super::CommitmentKey;
use crate::{Fq, Fr, GrumpkinAffine, GrumpkinProjective};

/// Bases `H_i` on Grumpkin derived by try-and-increment from SHA-256 of
/// `(label, i, counter)`: nobody knows a discrete-log relation among them. Grumpkin has
/// cofactor 1, so every point on the curve is in the group.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct PedersenKey {
    bases: Vec<GrumpkinAffine>,
}

impl PedersenKey {
    /// Derives `n` bases under `label`.
    pub fn new(label: &[u8], n: usize) -> Self {
        let bases = (0..n as u64)
            .map(|i| {
                (0u64..)
                    .find_map(|ctr| {
                        let mut h = Sha256::new();
                        h.update(label);
                        h.update(i.to_le_bytes());
                        h.update(ctr.to_le_bytes());
                        let d = h.finalize();
                        let x = Fr::from_le_bytes_mod_order(&d[..31]);
                        GrumpkinAffine::get_point_from_x_unchecked(x, d[31] & 1 == 1)
                    })
                    .unwrap_or_default()
            })
            .collect();
        Self { bases }
    }
}

impl PedersenKey {
    /// A key from its bases (read from a parameter file, which compares them with
    /// [`Self::new`]'s).
    pub(crate) fn from_bases(bases: Vec<GrumpkinAffine>) -> Self {
        Self { bases }
    }
}

impl CommitmentKey for PedersenKey {
    type Group = GrumpkinProjective;
    type Scalar = Fq;

    fn bases(&self) -> &[GrumpkinAffine] {
        &self.bases
    }
}
