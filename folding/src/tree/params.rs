//! The node parameters of a chain: the node circuit's shape, derived from the chain's
//! parameters, and its digest (docs/FOLDING.md §8.5).

use ark_ff::{AdditiveGroup, PrimeField};
use ark_relations::gr1cs::ConstraintSystem;
use sha2::{Digest, Sha256};

use crate::commitment::CommitmentKey;
use crate::cyclefold::CfInstance;
use crate::encode::{ByteReader, ByteWriter};
use crate::ivc::IvcParams;
use crate::merge::MergeProof;
use crate::mova::FoldProof;
use crate::params::digest_bytes;
use crate::r1cs::{FreshInstance, R1csShape, RunningInstance};
use crate::step::StepCircuit;
use crate::{Error, Fr, G1};

use super::circuit::{self, ChildInputs, FoldOut, NodeConsts, NodeInputs};

const PARAMS_LABEL: &[u8] = b"crease/tree/params/v1";
/// Where the search for the node shape's number of error-MLE variables starts: the node
/// circuit's size barely depends on the chain's, so this is usually the answer.
const NODE_VARS_GUESS: usize = 18;

/// The node circuit's shape for a chain, before a key is chosen: its size fixes how many
/// bases the key needs.
#[derive(Clone, Debug)]
pub struct NodeShape {
    shape: R1csShape,
    pub(crate) consts: NodeConsts,
}

impl NodeShape {
    /// Synthesizes the node circuit of `chain` (its digest enters as a constant, so the
    /// shape's size does not depend on the key).
    pub fn synthesize<C: StepCircuit>(chain: &IvcParams, circuit: &C) -> Result<Self, Error> {
        let mut consts = NodeConsts {
            pp_a: chain.digest,
            arity: chain.arity as usize,
            num_constants: chain.num_constants as usize,
            n_a: chain.shape.num_vars(),
            n_n: NODE_VARS_GUESS,
        };
        let mut shape = node_shape(chain, circuit, &consts)?;
        for _ in 0..8 {
            if shape.num_vars() == consts.n_n {
                return Ok(NodeShape { shape, consts });
            }
            consts.n_n = shape.num_vars();
            shape = node_shape(chain, circuit, &consts)?;
        }
        Err(Error::ShapeMismatch {
            what: "node error-MLE variables",
            expected: consts.n_n,
            got: shape.num_vars(),
        })
    }

    /// Bases of the BN254 key the node shape needs.
    pub fn key_len(&self) -> usize {
        self.shape.num_w1.max(self.shape.num_w2)
    }
}

/// The node parameters of a chain (docs/FOLDING.md §8.5).
#[derive(Clone, Debug)]
pub struct TreeParams {
    pub(crate) chain: IvcParams,
    pub(crate) shape: R1csShape,
    pub(crate) consts: NodeConsts,
    pub(crate) digest: Fr,
}

impl TreeParams {
    /// Derives the node parameters from the chain's: synthesizes the node circuit for the
    /// chain's digest and sizes; its shape commits with a prefix of the chain's key, which
    /// must be long enough.
    pub fn new<C: StepCircuit>(chain: IvcParams, circuit: &C) -> Result<Self, Error> {
        let node = NodeShape::synthesize(&chain, circuit)?;
        Self::from_shape(chain, node)
    }

    /// The parameters of a node shape synthesized for `chain` (whose key must hold
    /// [`NodeShape::key_len`] bases).
    pub fn from_shape(chain: IvcParams, node: NodeShape) -> Result<Self, Error> {
        let bytes = node.shape.to_compact();
        Self::assemble(chain, node.shape, node.consts, &bytes)
    }

    /// The parameters of a node shape: checks the key is long enough and computes the digest.
    fn assemble(
        chain: IvcParams,
        shape: R1csShape,
        consts: NodeConsts,
        bytes: &[u8],
    ) -> Result<Self, Error> {
        let need = shape.num_w1.max(shape.num_w2);
        let shared = chain.shared();
        if need > chain.key.max_len() {
            return Err(Error::KeyTooShort {
                needed: need,
                available: chain.key.max_len(),
            });
        }
        let mut h = Sha256::new();
        h.update(PARAMS_LABEL);
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
        h.update(digest_bytes(&chain.digest));
        h.update(shared.cf_digest());
        h.update(shared.key_digest(need)?);
        let digest = Fr::from_le_bytes_mod_order(&h.finalize());
        Ok(Self {
            chain,
            shape,
            consts,
            digest,
        })
    }

    /// The node section of a parameter file: the node shape (the chain's parameters are
    /// written beside it) and the digest.
    pub fn node_to_bytes(&self) -> Vec<u8> {
        let mut w = ByteWriter::default();
        w.bytes(&self.shape.to_compact());
        w.out.extend_from_slice(&digest_bytes(&self.digest));
        w.out
    }

    /// Reads [`Self::node_to_bytes`] for the chain `chain`; recomputes the digest and refuses
    /// the section if it differs from the one written.
    pub fn node_from_bytes(chain: IvcParams, bytes: &[u8]) -> Result<Self, Error> {
        let mut r = ByteReader::new(bytes);
        let shape_bytes = r.bytes()?;
        let shape = R1csShape::from_compact(shape_bytes)?;
        let written = r.take(32)?;
        r.finish()?;
        if shape.num_io != 1 {
            return Err(Error::Malformed("a node shape has one public input"));
        }
        let consts = NodeConsts {
            pp_a: chain.digest,
            arity: chain.arity as usize,
            num_constants: chain.num_constants as usize,
            n_a: chain.shape.num_vars(),
            n_n: shape.num_vars(),
        };
        let p = Self::assemble(chain, shape, consts, shape_bytes)?;
        if digest_bytes(&p.digest) != written {
            return Err(Error::IvcVerification("node parameter digest mismatch"));
        }
        Ok(p)
    }

    /// The digest a node section of [`Self::node_to_bytes`] says it has, without reading its
    /// shape: for a parameter file that reads the shape only when a tree is made or checked
    /// ([`Self::node_from_bytes`] then recomputes the digest and refuses a section whose
    /// digest differs).
    pub fn node_section_digest(bytes: &[u8]) -> Result<Fr, Error> {
        let mut r = ByteReader::new(bytes);
        r.bytes()?;
        let written = r.take(32)?;
        r.finish()?;
        let mut big = <Fr as PrimeField>::BigInt::default();
        for (limb, chunk) in big.as_mut().iter_mut().zip(written.chunks(8)) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            *limb = u64::from_le_bytes(w);
        }
        let d = Fr::from_bigint(big).ok_or(Error::Malformed("node parameter digest"))?;
        if digest_bytes(&d) != written {
            return Err(Error::Malformed("node parameter digest"));
        }
        Ok(d)
    }

    /// The node parameters' digest `pp_N`.
    pub fn digest(&self) -> Fr {
        self.digest
    }

    /// The node circuit's shape.
    pub fn shape(&self) -> &R1csShape {
        &self.shape
    }

    /// The chain's parameters.
    pub fn chain(&self) -> &IvcParams {
        &self.chain
    }
}

/// Synthesizes the node circuit on placeholder inputs (two one-step leaves of zeros).
fn node_shape<C: StepCircuit>(
    chain: &IvcParams,
    circuit: &C,
    k: &NodeConsts,
) -> Result<R1csShape, Error> {
    let running = |n: usize| RunningInstance {
        cw1: G1::default(),
        cw2: G1::default(),
        x: vec![Fr::ZERO],
        u: Fr::ZERO,
        r_e: vec![Fr::ZERO; n],
        v_e: Fr::ZERO,
    };
    let (big_a, big_n) = (running(k.n_a), running(k.n_n));
    let cf = CfInstance::zero(&chain.cf_shape);
    let u = FreshInstance {
        cw1: G1::default(),
        cw2: G1::default(),
        x: vec![Fr::ZERO],
    };
    let z = vec![Fr::ZERO; k.arity];
    let fold = |n: usize| FoldProof {
        h: vec![Fr::ZERO; n],
        t: Fr::ZERO,
    };
    let (fa, fn_) = (fold(k.n_a), fold(k.n_n));
    let child = || ChildInputs {
        is_node: false,
        steps: 1,
        z: &z,
        w1_hash: Fr::ZERO,
        big_a: &big_a,
        big_n: &big_n,
        cf: &cf,
        u: &u,
        fold_a: &fa,
        fold_n: &fn_,
        fold: FoldOut::default(),
    };
    let merge = |n: usize| MergeProof {
        h1: vec![Fr::ZERO; n],
        h2: vec![Fr::ZERO; n],
        t: Fr::ZERO,
    };
    let (ma, mn) = (merge(k.n_a), merge(k.n_n));
    let constants = vec![Fr::ZERO; k.num_constants];
    let inp = NodeInputs {
        pp: Fr::ZERO,
        constants: &constants,
        children: [child(), child()],
        merge_a: (&ma, FoldOut::default()),
        merge_n: (&mn, FoldOut::default()),
        cf_merge_t: Default::default(),
    };
    let cs = ConstraintSystem::<Fr>::new_ref();
    circuit::synthesize(cs.clone(), circuit, k, &inp)?;
    R1csShape::from_cs(&cs, 0)
}
