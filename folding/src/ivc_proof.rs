//! The IVC proof and its compact encoding.

use crate::augmented::w1_hash_step;
use crate::cyclefold::{CfInstance, CfWitness};
use crate::encode::{ByteReader, ByteWriter};
use crate::mova::FoldProof;
use crate::params::check_header;
use crate::r1cs::{FreshInstance, RunningInstance, Witness};
use crate::{Error, Fq, Fr};

const PROOF_HEADER: [u8; 8] = *b"CRSIVC05";

/// The one primary witness a proof carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FinalWitness {
    /// The running instance is the trivial one (after one step): the witness of the last
    /// fresh instance, checked as it is.
    Fresh(Witness),
    /// The last fresh instance folded into the running one by the step fold of
    /// docs/FOLDING.md §2 (transcript label [`crate::ivc::FINAL_FOLD_LABEL`]): the fold's
    /// messages and the folded witness.
    Folded(FoldProof, Witness),
}

impl FinalWitness {
    /// The witness.
    pub fn witness(&self) -> &Witness {
        match self {
            FinalWitness::Fresh(w) | FinalWitness::Folded(_, w) => w,
        }
    }
}

/// An IVC proof after `i` steps: the running instances, the last fresh instance, one primary
/// witness ([`FinalWitness`]) and the CycleFold witness (Nova's uncompressed proof, with the
/// last fresh instance folded in; the decider compresses it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IvcProof {
    pub(crate) i: u64,
    pub(crate) constants: Vec<Fr>,
    pub(crate) z0: Vec<Fr>,
    pub(crate) zi: Vec<Fr>,
    pub(crate) w1_hash: Fr,
    pub(crate) big_u: RunningInstance,
    pub(crate) u: FreshInstance,
    pub(crate) last: FinalWitness,
    pub(crate) cf_u: CfInstance,
    pub(crate) cf_w: CfWitness,
}

impl IvcProof {
    /// Number of steps proven.
    pub fn steps(&self) -> u64 {
        self.i
    }

    /// The run's public constants (the caller checks how they were derived).
    pub fn constants(&self) -> &[Fr] {
        &self.constants
    }

    /// The running hash of every step's `W1` commitment, in order.
    pub fn w1_hash(&self) -> Fr {
        w1_hash_step(self.w1_hash, &self.u.cw1)
    }

    /// The running primary instance `U_n` (before the final fold).
    pub fn running_instance(&self) -> &RunningInstance {
        &self.big_u
    }

    /// The running CycleFold instance.
    pub fn cyclefold_instance(&self) -> &CfInstance {
        &self.cf_u
    }

    /// The last fresh instance.
    pub fn fresh_instance(&self) -> &FreshInstance {
        &self.u
    }

    /// The primary witness and how it relates to the instances.
    pub fn final_witness(&self) -> &FinalWitness {
        &self.last
    }

    /// Test hook: mutable access to the primary witness and final fold.
    #[doc(hidden)]
    pub fn final_witness_mut(&mut self) -> &mut FinalWitness {
        &mut self.last
    }

    /// Serializes the proof with a versioned header.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = PROOF_HEADER.to_vec();
        out.extend(self.encode()?);
        Ok(out)
    }

    /// Reads a proof written by [`Self::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::decode(check_header(bytes, PROOF_HEADER)?)
    }

    /// The compact encoding (see [`crate::encode`]): small witness entries take a few bytes.
    pub(crate) fn encode(&self) -> Result<Vec<u8>, Error> {
        let mut w = ByteWriter::default();
        w.varint(self.i);
        w.scalars(&self.constants);
        w.scalars(&self.z0);
        w.scalars(&self.zi);
        w.scalar(&self.w1_hash);
        let bu = &self.big_u;
        w.point(&bu.cw1)?;
        w.point(&bu.cw2)?;
        w.scalars(&bu.x);
        w.scalar(&bu.u);
        w.scalars(&bu.r_e);
        w.scalar(&bu.v_e);
        w.point(&self.u.cw1)?;
        w.point(&self.u.cw2)?;
        w.scalars(&self.u.x);
        let wit = match &self.last {
            FinalWitness::Fresh(wit) => {
                w.varint(0);
                wit
            }
            FinalWitness::Folded(fp, wit) => {
                w.varint(1);
                w.scalars(&fp.h);
                w.scalar(&fp.t);
                wit
            }
        };
        w.scalars(&wit.w1);
        w.scalars(&wit.w2);
        w.point(&self.cf_u.cm_w)?;
        w.point(&self.cf_u.cm_e)?;
        w.scalar(&self.cf_u.u);
        w.scalars(&self.cf_u.x);
        w.scalars(&self.cf_w.w);
        w.scalars(&self.cf_w.e);
        Ok(w.out)
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = ByteReader::new(bytes);
        let i = r.varint()?;
        let constants = r.scalars()?;
        let z0 = r.scalars()?;
        let zi = r.scalars()?;
        let w1_hash = r.scalar()?;
        let big_u = RunningInstance {
            cw1: r.point()?,
            cw2: r.point()?,
            x: r.scalars()?,
            u: r.scalar()?,
            r_e: r.scalars()?,
            v_e: r.scalar()?,
        };
        let u = FreshInstance {
            cw1: r.point()?,
            cw2: r.point()?,
            x: r.scalars()?,
        };
        let fold = match r.varint()? {
            0 => None,
            1 => Some(FoldProof {
                h: r.scalars()?,
                t: r.scalar()?,
            }),
            _ => return Err(Error::Malformed("final witness tag")),
        };
        let wit = Witness {
            w1: r.scalars()?,
            w2: r.scalars()?,
        };
        let last = match fold {
            None => FinalWitness::Fresh(wit),
            Some(fp) => FinalWitness::Folded(fp, wit),
        };
        let cf_u = CfInstance {
            cm_w: r.point()?,
            cm_e: r.point()?,
            u: r.scalar::<Fq>()?,
            x: r.scalars()?,
        };
        let cf_w = CfWitness {
            w: r.scalars()?,
            e: r.scalars()?,
        };
        r.finish()?;
        Ok(Self {
            i,
            constants,
            z0,
            zi,
            w1_hash,
            big_u,
            u,
            last,
            cf_u,
            cf_w,
        })
    }
}

crate::encode::compact_canonical!(IvcProof);
