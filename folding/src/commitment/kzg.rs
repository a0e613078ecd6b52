//! The BN254 G1 commitment key with powers-of-tau bases.

use ark_bn254::{Bn254, G2Affine, G2Projective};
use ark_ec::pairing::Pairing;
use ark_ec::{CurveGroup, PrimeGroup, ScalarMul, VariableBaseMSM};
use ark_ff::{Field, UniformRand};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

use super::CommitmentKey;
use crate::params::DEV_KEY_SEED;
use crate::{Error, Fr, G1Projective, G1};

/// The first bytes of a serialized key.
const KEY_HEADER: [u8; 8] = *b"CRSPTAU1";
const TAU_ID_LABEL: &[u8] = b"crease/kzg/tau-id";

/// Bases `τ^i·G1` for `i < n`, with `G2` and `τ·G2` so that commitments can be opened with
/// KZG-type proofs. Build a development key with [`Self::development`] or [`Self::from_seed`]
/// (τ is then known to whoever knows the seed, and commitments can be opened to anything:
/// never use it in production), or load a ceremony's output with
/// [`super::PtauFile::read_key`].
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct PowersOfTauKey {
    g1_powers: Vec<G1>,
    g2: G2Affine,
    tau_g2: G2Affine,
}

impl PowersOfTauKey {
    /// The development key of `n` bases: τ derives from the public [`DEV_KEY_SEED`], so
    /// anyone can open its commitments to other values. For tests and first runs only.
    pub fn development(n: usize) -> Self {
        Self::from_seed(DEV_KEY_SEED, n)
    }

    /// Whether this is the development key (of any length): its `τ·G2` is the development
    /// τ's. One G2 multiplication.
    pub fn is_development(&self) -> bool {
        let g2 = G2Projective::generator();
        self.g2 == g2.into_affine() && self.tau_g2 == (g2 * tau_of_seed(DEV_KEY_SEED)).into_affine()
    }

    /// A deterministic development key of `n` bases: τ is drawn from ChaCha20 seeded with
    /// SHA-256 of `seed`.
    pub fn from_seed(seed: &[u8], n: usize) -> Self {
        let tau = tau_of_seed(seed);
        let mut powers = Vec::with_capacity(n);
        let mut acc = Fr::ONE;
        for _ in 0..n {
            powers.push(acc);
            acc *= tau;
        }
        let g1_powers = G1Projective::generator().batch_mul(&powers);
        let g2 = G2Projective::generator();
        Self {
            g1_powers,
            g2: g2.into_affine(),
            tau_g2: (g2 * tau).into_affine(),
        }
    }

    /// A key from its parts, without checking the power structure (the parameter file's
    /// digest binds the bases; [`Self::check_powers`] checks them).
    pub(crate) fn from_parts(g1_powers: Vec<G1>, g2: G2Affine, tau_g2: G2Affine) -> Self {
        Self {
            g1_powers,
            g2,
            tau_g2,
        }
    }

    /// The key of the first `n` bases.
    pub fn prefix(&self, n: usize) -> Result<Self, Error> {
        Ok(Self {
            g1_powers: self.bases_for(n)?.to_vec(),
            g2: self.g2,
            tau_g2: self.tau_g2,
        })
    }

    /// Writes the key with its header.
    pub fn write<W: std::io::Write>(&self, mut w: W) -> Result<(), Error> {
        w.write_all(&KEY_HEADER)
            .map_err(ark_serialize::SerializationError::IoError)?;
        self.serialize_compressed(&mut w)?;
        Ok(())
    }

    /// Reads a key written by [`Self::write`] (for example converted from a ceremony
    /// transcript): checks the header, that every point is in its group, and that the bases
    /// are successive powers of one τ matching `τ·G2` (one randomized pairing check).
    pub fn read<R: std::io::Read>(mut r: R) -> Result<Self, Error> {
        let mut header = [0u8; 8];
        r.read_exact(&mut header)
            .map_err(ark_serialize::SerializationError::IoError)?;
        if header != KEY_HEADER {
            return Err(Error::BadHeader {
                expected: KEY_HEADER,
                got: header,
            });
        }
        let key = Self::deserialize_with_mode(r, Compress::Yes, Validate::Yes)?;
        key.check_powers()?;
        Ok(key)
    }

    /// Checks `e(Σ ρ^i·G_{i+1}, G2) = e(Σ ρ^i·G_i, τ·G2)` for a ρ derived from the key.
    pub fn check_powers(&self) -> Result<(), Error> {
        let n = self.g1_powers.len();
        if n < 2 {
            return Ok(());
        }
        let mut bytes = Vec::new();
        self.serialize_compressed(&mut bytes)?;
        let mut rng = ChaCha20Rng::from_seed(Sha256::digest(&bytes).into());
        let rho = Fr::rand(&mut rng);
        let mut coeffs = Vec::with_capacity(n - 1);
        let mut acc = Fr::ONE;
        for _ in 0..n - 1 {
            coeffs.push(acc);
            acc *= rho;
        }
        let hi = G1Projective::msm_unchecked(&self.g1_powers[1..], &coeffs);
        let lo = G1Projective::msm_unchecked(&self.g1_powers[..n - 1], &coeffs);
        if Bn254::pairing(hi, self.g2) != Bn254::pairing(lo, self.tau_g2) {
            return Err(Error::InvalidKey("bases are not successive powers of tau"));
        }
        Ok(())
    }

    /// A hash of `τ·G1` and `τ·G2`, which fix τ: two keys of valid powers with the same id
    /// have the same bases. It names a ceremony's key without hashing all its bases.
    pub fn tau_id(&self) -> [u8; 32] {
        tau_id(
            &self.g1_powers.get(1).copied().unwrap_or_default(),
            &self.tau_g2,
        )
    }

    /// `G2` of the key.
    pub fn g2(&self) -> G2Affine {
        self.g2
    }

    /// `τ·G2` of the key.
    pub fn tau_g2(&self) -> G2Affine {
        self.tau_g2
    }
}

/// See [`PowersOfTauKey::tau_id`].
pub(crate) fn tau_id(tau_g1: &G1, tau_g2: &G2Affine) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(TAU_ID_LABEL);
    for p in [
        tau_g1.x,
        tau_g1.y,
        tau_g2.x.c0,
        tau_g2.x.c1,
        tau_g2.y.c0,
        tau_g2.y.c1,
    ] {
        h.update(ark_ff::BigInteger::to_bytes_le(
            &ark_ff::PrimeField::into_bigint(p),
        ));
    }
    h.finalize().into()
}

fn tau_of_seed(seed: &[u8]) -> Fr {
    Fr::rand(&mut ChaCha20Rng::from_seed(Sha256::digest(seed).into()))
}

impl CommitmentKey for PowersOfTauKey {
    type Group = G1Projective;
    type Scalar = Fr;

    fn bases(&self) -> &[G1] {
        &self.g1_powers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_rejects_corrupt_keys() {
        let key = PowersOfTauKey::from_seed(b"seed", 16);
        assert_eq!(key, PowersOfTauKey::from_seed(b"seed", 16));
        assert_ne!(key, PowersOfTauKey::from_seed(b"other", 16));
        let mut bytes = Vec::new();
        key.write(&mut bytes).unwrap();
        assert_eq!(PowersOfTauKey::read(&bytes[..]).unwrap(), key);

        let mut bad_header = bytes.clone();
        bad_header[0] ^= 1;
        assert!(matches!(
            PowersOfTauKey::read(&bad_header[..]),
            Err(Error::BadHeader { .. })
        ));
        // Swapping two bases keeps every point valid but breaks the power structure.
        let mut swapped = key.clone();
        swapped.g1_powers.swap(3, 4);
        let mut sb = Vec::new();
        swapped.write(&mut sb).unwrap();
        assert!(matches!(
            PowersOfTauKey::read(&sb[..]),
            Err(Error::InvalidKey(_))
        ));
        for i in [9usize, 40, bytes.len() - 1] {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x10;
            assert!(PowersOfTauKey::read(&flipped[..]).is_err());
        }
        assert!(PowersOfTauKey::read(&bytes[..bytes.len() - 3]).is_err());
    }

    #[test]
    fn the_development_key_is_recognised_at_any_length() {
        let dev = PowersOfTauKey::development(8);
        assert!(dev.is_development());
        assert!(dev.prefix(3).expect("prefix").is_development());
        assert_eq!(dev.prefix(3).expect("prefix").bases(), &dev.bases()[..3]);
        assert!(dev.prefix(9).is_err());
        assert!(!PowersOfTauKey::from_seed(b"another seed", 8).is_development());
    }
}
