//! IVC parameters: set-up, digests and the compact parameter file.
//!
//! The parts every chain of a program has in common — the BN254 key, the CycleFold shape and
//! the Grumpkin key — form [`SharedParams`], held behind `Arc`s so that any number of
//! [`IvcParams`] share one copy in memory and in a file. Each chain uses a prefix of the
//! BN254 key (as many bases as its longer witness part) and its digest binds exactly that
//! prefix, so a chain's parameters mean the same whether they were made alone or in a set.

use std::sync::Arc;

use ark_bn254::g1::Config as G1Config;
use ark_ec::CurveGroup;
use ark_ff::{AdditiveGroup, PrimeField};
use ark_relations::gr1cs::ConstraintSystem;
use sha2::{Digest, Sha256};

use crate::augmented::{self, w1_hash_init, CfInputs, FoldInputs, StepInputs};
use crate::commitment::msm::{PrefixTable, TableSum};
use crate::commitment::{CommitmentKey, PedersenKey, PowersOfTauKey};
use crate::cyclefold::{self, CfInstance};
use crate::encode::{ByteReader, ByteWriter};
use crate::mova::FoldProof;
use crate::r1cs::{FreshInstance, R1csShape, RunningInstance};
use crate::step::StepCircuit;
use crate::{Error, Fq, Fr, G1Projective, GrumpkinAffine, G1};

const PARAMS_HEADER: [u8; 8] = *b"CRSIVP05";
const KEY_LABEL: &[u8] = b"crease/ivc/key-prefix";
const CF_LABEL: &[u8] = b"crease/ivc/cyclefold";
const DIGEST_LABEL: &[u8] = b"crease/ivc/params/v2";
/// Seed of the development commitment key.
pub const DEV_KEY_SEED: &[u8] = b"crease development key (insecure)";
pub(crate) const CF_KEY_LABEL: &[u8] = b"crease/cyclefold/pedersen";
/// Bases in the prover's table of the BN254 key: the recursion circuit's witness (~16,000
/// entries, most of them full-size Poseidon states) comes first in `W2` in every chain, the
/// step circuit's after it. The VM's chains have full-size entries of their own (their
/// lookups' and memory checks' challenge-dependent values) up to ~100,000 positions into
/// `W2`: about 70% of a proof's full-size entries lay beyond the 24,576 bases the table had
/// before, and 85% lie within 65,536 (BENCHMARKS.md). 65,536 bases of 21 windows: 99 MB,
/// ~2.5 s of CPU to build.
const KEY_TABLE_LEN: usize = 65_536;
/// `W2` commitments (over all chains sharing the key) before the table is built: it takes
/// ~1.3 s on 2 cores and saves ~10–17 ms a step of the folding engine's benchmarks and
/// ~100 ms of CPU a VM step (BENCHMARKS.md).
const KEY_TABLE_AFTER: usize = 48;
/// Bytes of an uncompressed BN254 G1 point.
const G1_BYTES: usize = 64;

/// What all chains share: the BN254 key, the CycleFold shape and the Grumpkin key, with
/// their digests. Cloning copies three `Arc`s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedParams {
    pub(crate) key: Arc<PowersOfTauKey>,
    pub(crate) cf_shape: Arc<R1csShape<Fq>>,
    pub(crate) cf_key: Arc<PedersenKey>,
    /// The prover's table of the key's first bases (see [`PrefixTable`]).
    key_table: Arc<PrefixTable<G1Config>>,
    /// The key's bases, uncompressed, in order (hashed for prefix digests).
    key_bytes: Arc<Vec<u8>>,
    /// `G2 ‖ τ·G2`, uncompressed.
    key_g2: Arc<Vec<u8>>,
    cf_shape_bytes: Arc<Vec<u8>>,
    cf_digest: [u8; 32],
}

impl SharedParams {
    /// The development key with `n` bases (never use it in production) and the CycleFold
    /// parameters.
    pub fn dev(n: usize) -> Result<Self, Error> {
        Self::with_key(PowersOfTauKey::development(n))
    }

    /// A given BN254 key (for example a ceremony's) and the CycleFold parameters.
    pub fn with_key(key: PowersOfTauKey) -> Result<Self, Error> {
        let cf_shape = cyclefold::shape()?;
        let cf_key = PedersenKey::new(CF_KEY_LABEL, cf_shape.num_constraints.max(cf_shape.num_w2));
        Self::from_parts(key, cf_shape, cf_key)
    }

    fn from_parts(
        key: PowersOfTauKey,
        cf_shape: R1csShape<Fq>,
        cf_key: PedersenKey,
    ) -> Result<Self, Error> {
        if cf_shape.num_constraints.max(cf_shape.num_w2) > cf_key.max_len() {
            return Err(Error::KeyTooShort {
                needed: cf_shape.num_constraints.max(cf_shape.num_w2),
                available: cf_key.max_len(),
            });
        }
        let mut w = ByteWriter::default();
        for p in key.bases() {
            w.point(p)?;
        }
        let key_bytes = w.out;
        let mut w = ByteWriter::default();
        w.point(&key.g2())?;
        w.point(&key.tau_g2())?;
        let key_g2 = w.out;
        let cf_shape_bytes = cf_shape.to_compact();
        let mut w = ByteWriter::default();
        w.points(cf_key.bases())?;
        let mut h = Sha256::new();
        h.update(CF_LABEL);
        h.update((cf_shape_bytes.len() as u64).to_le_bytes());
        h.update(&cf_shape_bytes);
        h.update(&w.out);
        let cf_digest = h.finalize().into();
        Ok(Self {
            key: Arc::new(key),
            cf_shape: Arc::new(cf_shape),
            cf_key: Arc::new(cf_key),
            key_table: Arc::new(PrefixTable::new(KEY_TABLE_LEN, KEY_TABLE_AFTER)),
            key_bytes: Arc::new(key_bytes),
            key_g2: Arc::new(key_g2),
            cf_shape_bytes: Arc::new(cf_shape_bytes),
            cf_digest,
        })
    }

    /// The BN254 key.
    pub fn key(&self) -> &PowersOfTauKey {
        &self.key
    }

    /// The CycleFold shape.
    pub fn cf_shape(&self) -> &R1csShape<Fq> {
        &self.cf_shape
    }

    /// The CycleFold commitment key.
    pub fn cf_key(&self) -> &PedersenKey {
        &self.cf_key
    }

    /// The digest of the CycleFold shape and key.
    pub(crate) fn cf_digest(&self) -> [u8; 32] {
        self.cf_digest
    }

    /// SHA-256 of the first `n` bases of the key and its `G2` points.
    pub(crate) fn key_digest(&self, n: usize) -> Result<[u8; 32], Error> {
        let bytes = self
            .key_bytes
            .get(..n * G1_BYTES)
            .ok_or(Error::KeyTooShort {
                needed: n,
                available: self.key.max_len(),
            })?;
        Ok(self.hash_key_bytes(n, bytes))
    }

    /// SHA-256 of the whole key, as [`Self::key_digest`] hashes a prefix: what parameters
    /// record of the key they were made with.
    pub fn key_hash(&self) -> [u8; 32] {
        self.hash_key_bytes(self.key.max_len(), &self.key_bytes)
    }

    fn hash_key_bytes(&self, n: usize, bytes: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(KEY_LABEL);
        h.update((n as u64).to_le_bytes());
        h.update(self.key_g2.as_slice());
        h.update(bytes);
        h.finalize().into()
    }

    /// The shared section of a parameter file: the key's bases (uncompressed), its `G2`
    /// points, the CycleFold shape (compact) and the Grumpkin bases (uncompressed).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut w = ByteWriter::default();
        w.varint(self.key.max_len() as u64);
        w.out.extend_from_slice(&self.key_bytes);
        w.out.extend_from_slice(&self.key_g2);
        w.bytes(&self.cf_shape_bytes);
        w.points(self.cf_key.bases())?;
        Ok(w.out)
    }

    /// Reads [`Self::to_bytes`]: every point is checked to be on its curve (and `G2` points
    /// in their group); the CycleFold shape must be this build's.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = ByteReader::new(bytes);
        let n = r.count(G1_BYTES)?;
        let g1: Vec<G1> = r.points_n(n)?;
        let g2 = r.point()?;
        let tau_g2 = r.point()?;
        let cf_shape = R1csShape::<Fq>::from_compact(r.bytes()?)?;
        let cf_bases: Vec<GrumpkinAffine> = r.points()?;
        r.finish()?;
        let key = PowersOfTauKey::from_parts(g1, g2, tau_g2);
        let shared = Self::from_parts(key, cf_shape, PedersenKey::from_bases(cf_bases))?;
        // The CycleFold circuit is fixed by this build: a file holding another one is from
        // another version, or damaged.
        let cf_label_key = PedersenKey::new(CF_KEY_LABEL, shared.cf_key.max_len());
        if *shared.cf_key != cf_label_key || *shared.cf_shape != cyclefold::shape()? {
            return Err(Error::Malformed(
                "CycleFold parameters differ from this build's",
            ));
        }
        Ok(shared)
    }
}

/// The circuit-dependent half of set-up: the augmented circuit's shape for one step
/// circuit. Synthesize the shapes of several chains, size one key for all of them
/// ([`Self::key_len`]), then attach it with [`IvcParams::new`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IvcShape {
    shape: R1csShape,
    arity: u64,
    num_constants: u64,
}

impl IvcShape {
    /// Synthesizes the augmented circuit of `circuit`.
    pub fn synthesize<C: StepCircuit>(circuit: &C) -> Result<Self, Error> {
        let cf_shape = cyclefold::shape()?;
        // The circuit's size depends on the number of error-MLE variables and vice versa:
        // iterate to the fixed point (two or three rounds).
        let mut n_vars = 1;
        let mut shape = primary_shape(circuit, &cf_shape, n_vars)?;
        for _ in 0..8 {
            if shape.num_vars() == n_vars {
                break;
            }
            n_vars = shape.num_vars();
            shape = primary_shape(circuit, &cf_shape, n_vars)?;
        }
        if shape.num_vars() != n_vars {
            return Err(Error::ShapeMismatch {
                what: "error-MLE variables",
                expected: n_vars,
                got: shape.num_vars(),
            });
        }
        Ok(Self {
            shape,
            arity: circuit.arity() as u64,
            num_constants: circuit.num_constants() as u64,
        })
    }

    /// Bases of the BN254 key this chain needs (its longer witness part).
    pub fn key_len(&self) -> usize {
        self.shape.num_w1.max(self.shape.num_w2)
    }

    /// The primary shape.
    pub fn shape(&self) -> &R1csShape {
        &self.shape
    }
}

/// Public parameters of an IVC for one step circuit. The key, CycleFold shape and Grumpkin
/// key are the `Arc`s of its [`SharedParams`], also held as fields of their own so that the
/// prover reaches them directly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IvcParams {
    /// Shared by the clones (a tree's parameters hold a copy of their chain's).
    pub(crate) shape: Arc<R1csShape>,
    pub(crate) cf_shape: Arc<R1csShape<Fq>>,
    pub(crate) key: Arc<PowersOfTauKey>,
    pub(crate) cf_key: Arc<PedersenKey>,
    pub(crate) arity: u64,
    pub(crate) num_constants: u64,
    pub(crate) digest: Fr,
    shared: SharedParams,
}

fn zero_fresh() -> FreshInstance {
    FreshInstance {
        cw1: G1::default(),
        cw2: G1::default(),
        x: vec![Fr::ZERO],
    }
}

/// Synthesizes the primary circuit with a given error-MLE size; returns the shape.
fn primary_shape<C: StepCircuit>(
    circuit: &C,
    cf_shape: &R1csShape<Fq>,
    n_vars: usize,
) -> Result<R1csShape, Error> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let ext = circuit.dummy_external_witness();
    let consts = vec![Fr::ZERO; circuit.num_constants()];
    let z = vec![Fr::ZERO; circuit.arity()];
    let big_u = RunningInstance {
        cw1: G1::default(),
        cw2: G1::default(),
        x: vec![Fr::ZERO],
        u: Fr::ZERO,
        r_e: vec![Fr::ZERO; n_vars],
        v_e: Fr::ZERO,
    };
    let proof = FoldProof {
        h: vec![Fr::ZERO; n_vars],
        t: Fr::ZERO,
    };
    let cf_u = CfInstance::zero(cf_shape);
    let u = zero_fresh();
    let inp = StepInputs {
        pp: Fr::ZERO,
        i: 0,
        constants: &consts,
        z0: &z,
        zi: &z,
        w1_hash: w1_hash_init(),
        big_u: &big_u,
        u: &u,
        cf_u: &cf_u,
    };
    let fold = FoldInputs {
        proof: &proof,
        next_cw: [G1::default(); 2],
    };
    let cf = CfInputs {
        cm_w_new: GrumpkinAffine::default(),
        cm_t: GrumpkinAffine::default(),
    };
    let out = augmented::synthesize(cs.clone(), circuit, &ext, &inp, &fold, &cf, n_vars)?;
    R1csShape::from_cs_moving(&cs, out.num_w1, out.step_vars)
}

impl IvcParams {
    /// Parameters with the development key (never use it in production).
    pub fn setup<C: StepCircuit>(circuit: &C) -> Result<Self, Error> {
        let s = IvcShape::synthesize(circuit)?;
        let shared = SharedParams::dev(s.key_len())?;
        Self::new(s, &shared)
    }

    /// Parameters with a given BN254 key (for example a ceremony's), which must be long
    /// enough for both witness parts.
    pub fn setup_with_key<C: StepCircuit>(circuit: &C, key: PowersOfTauKey) -> Result<Self, Error> {
        let shared = SharedParams::with_key(key)?;
        Self::new(IvcShape::synthesize(circuit)?, &shared)
    }

    /// Parameters of a synthesized shape under shared keys (the key must hold
    /// [`IvcShape::key_len`] bases).
    pub fn new(s: IvcShape, shared: &SharedParams) -> Result<Self, Error> {
        let bytes = s.shape.to_compact();
        Self::with_shape_bytes(s, &bytes, shared)
    }

    fn with_shape_bytes(s: IvcShape, bytes: &[u8], shared: &SharedParams) -> Result<Self, Error> {
        let need = s.key_len();
        if need > shared.key.max_len() {
            return Err(Error::KeyTooShort {
                needed: need,
                available: shared.key.max_len(),
            });
        }
        let mut h = Sha256::new();
        h.update(DIGEST_LABEL);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
        h.update(shared.cf_digest);
        h.update(shared.key_digest(need)?);
        h.update(s.arity.to_le_bytes());
        h.update(s.num_constants.to_le_bytes());
        Ok(Self {
            shape: Arc::new(s.shape),
            cf_shape: shared.cf_shape.clone(),
            key: shared.key.clone(),
            cf_key: shared.cf_key.clone(),
            arity: s.arity,
            num_constants: s.num_constants,
            digest: Fr::from_le_bytes_mod_order(&h.finalize()),
            shared: shared.clone(),
        })
    }

    /// The digest of the parameters (absorbed into every state hash): SHA-256 of the shape's
    /// compact encoding, the CycleFold shape and key, the prefix of the BN254 key this chain
    /// uses, the arity and the number of constants, reduced into Fr.
    pub fn digest(&self) -> Fr {
        self.digest
    }

    /// The primary shape (augmented circuit with the step circuit).
    pub fn shape(&self) -> &R1csShape {
        &self.shape
    }

    /// The CycleFold shape.
    pub fn cf_shape(&self) -> &R1csShape<Fq> {
        &self.cf_shape
    }

    /// The BN254 commitment key (possibly longer than this chain needs: it uses a prefix).
    pub fn key(&self) -> &PowersOfTauKey {
        &self.key
    }

    /// The keys and CycleFold parameters this chain shares with others.
    pub fn shared(&self) -> &SharedParams {
        &self.shared
    }

    /// This chain's own section of a parameter file (its shape, arity, number of constants
    /// and digest); the shared section is written once per file.
    pub fn chain_to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut w = ByteWriter::default();
        w.bytes(&self.shape.to_compact());
        w.varint(self.arity);
        w.varint(self.num_constants);
        w.out.extend_from_slice(&digest_bytes(&self.digest));
        Ok(w.out)
    }

    /// Reads [`Self::chain_to_bytes`] under shared parameters; recomputes the digest and
    /// refuses the section if it differs from the one written.
    pub fn chain_from_bytes(bytes: &[u8], shared: &SharedParams) -> Result<Self, Error> {
        let mut r = ByteReader::new(bytes);
        let shape_bytes = r.bytes()?;
        let shape = R1csShape::from_compact(shape_bytes)?;
        let arity = r.bounded(1 << 16)? as u64;
        let num_constants = r.bounded(1 << 16)? as u64;
        let written = r.take(32)?;
        r.finish()?;
        if shape.num_io != 1 {
            return Err(Error::Malformed("a primary shape has one public input"));
        }
        let s = IvcShape {
            shape,
            arity,
            num_constants,
        };
        let p = Self::with_shape_bytes(s, shape_bytes, shared)?;
        if digest_bytes(&p.digest) != written {
            return Err(Error::IvcVerification("parameter digest mismatch"));
        }
        Ok(p)
    }

    /// Writes the parameters (shared section and own section) with a versioned header.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut w = ByteWriter::default();
        w.out.extend_from_slice(&PARAMS_HEADER);
        w.bytes(&self.shared.to_bytes()?);
        w.bytes(&self.chain_to_bytes()?);
        Ok(w.out)
    }

    /// Reads parameters written by [`Self::to_bytes`]; recomputes and checks the digest.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let body = check_header(bytes, PARAMS_HEADER)?;
        let mut r = ByteReader::new(body);
        let shared = SharedParams::from_bytes(r.bytes()?)?;
        let p = Self::chain_from_bytes(r.bytes()?, &shared)?;
        r.finish()?;
        Ok(p)
    }
}

/// A digest's 32 canonical bytes.
pub(crate) fn digest_bytes(d: &Fr) -> Vec<u8> {
    ark_ff::BigInteger::to_bytes_le(&d.into_bigint())
}

/// Strips an 8-byte header or fails with [`Error::BadHeader`].
pub(crate) fn check_header(bytes: &[u8], expected: [u8; 8]) -> Result<&[u8], Error> {
    let mut got = [0u8; 8];
    let n = bytes.len().min(8);
    got[..n].copy_from_slice(&bytes[..n]);
    if n < 8 || got != expected {
        return Err(Error::BadHeader { expected, got });
    }
    Ok(&bytes[8..])
}

impl IvcParams {
    /// Whether a prover about to make `steps` steps, over all the chains that share this key,
    /// should build the prover's tables first ([`Self::build_prover_tables`]): from as many
    /// steps as a run commits before it builds them by itself, so the build is paid anyway
    /// and the steps before it gain.
    pub fn prover_tables_pay_off(steps: usize) -> bool {
        steps >= KEY_TABLE_AFTER
    }

    /// Builds the prover's tables of the BN254 and CycleFold keys now instead of after the
    /// first 48 steps (about 1.3 s on 2 cores, shared by every chain of these keys): for a
    /// run known to be long, such as a benchmark's.
    pub fn build_prover_tables(&self) {
        self.shared.key_table.build(self.key.bases());
        self.cf_key.build_table();
    }

    /// The commitments `(C_W1, C_W2)` of a fresh witness, made as the prover makes them (the
    /// MSMs a step cannot avoid: the floor the benchmarks compare a step with).
    pub fn commit_fresh_witness(&self, w: &crate::r1cs::Witness) -> Result<(G1, G1), Error> {
        let (c1, c2) = rayon::join(|| self.key.commit(&w.w1), || self.commit_w2(&w.w2));
        Ok((c1?, c2?))
    }

    /// Commits to a step's `W2` as [`CommitmentKey::commit`] does, through the shared
    /// table of the key's first bases once it is built.
    pub(crate) fn commit_w2(&self, w2: &[Fr]) -> Result<G1, Error> {
        let bases = self.key.bases_for(w2.len())?;
        Ok(self.shared.key_table.msm(bases, w2).into_affine())
    }

    /// The commitment to the last part of a step's `W2` to be committed, from entry `offset`
    /// on: one use of the shared table towards building it (one per step). Its share through
    /// the table goes to `sum` (shared by the step's parts), the rest is returned.
    pub(crate) fn commit_w2_last(
        &self,
        sum: &TableSum<G1Config>,
        offset: usize,
        part: &[Fr],
    ) -> Result<G1Projective, Error> {
        let bases = self.key.bases_for(offset + part.len())?;
        Ok(self
            .shared
            .key_table
            .msm_counted_into(sum, bases, offset, part))
    }

    /// The commitment to the part of `W2` that starts at entry `offset`, through the shared
    /// table where it covers the part (a prover commits its witness in parts beside other
    /// work, as their values become final): its share through the table goes to `sum`, the
    /// rest is returned.
    pub(crate) fn commit_w2_part(
        &self,
        sum: &TableSum<G1Config>,
        offset: usize,
        part: &[Fr],
    ) -> Result<G1Projective, Error> {
        let bases = self.key.bases_for(offset + part.len())?;
        Ok(self.shared.key_table.msm_at_into(sum, bases, offset, part))
    }
}
