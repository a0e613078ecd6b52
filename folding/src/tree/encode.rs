//! The byte encoding of a [`Node`], the unit a leaf or merge task takes and gives.

use std::io::{Read, Write};

use ark_serialize::{
    CanonicalDeserialize, CanonicalSerialize, Compress, SerializationError, Valid, Validate,
};

use crate::cyclefold::{CfInstance, CfWitness};
use crate::encode::{ByteReader, ByteWriter};
use crate::ivc::IvcProof;
use crate::mova::FoldProof;
use crate::params::check_header;
use crate::r1cs::{FreshInstance, RunningInstance, Witness};
use crate::{Error, Fq};

use super::{Node, NodeProof, TreeProof};

const NODE_HEADER: [u8; 8] = *b"CRSNOD01";

fn write_running(w: &mut ByteWriter, u: &RunningInstance) -> Result<(), Error> {
    w.point(&u.cw1)?;
    w.point(&u.cw2)?;
    w.scalars(&u.x);
    w.scalar(&u.u);
    w.scalars(&u.r_e);
    w.scalar(&u.v_e);
    Ok(())
}

fn read_running(r: &mut ByteReader<'_>) -> Result<RunningInstance, Error> {
    Ok(RunningInstance {
        cw1: r.point()?,
        cw2: r.point()?,
        x: r.scalars()?,
        u: r.scalar()?,
        r_e: r.scalars()?,
        v_e: r.scalar()?,
    })
}

fn write_witness(w: &mut ByteWriter, wit: &Witness) {
    w.scalars(&wit.w1);
    w.scalars(&wit.w2);
}

fn read_witness(r: &mut ByteReader<'_>) -> Result<Witness, Error> {
    Ok(Witness {
        w1: r.scalars()?,
        w2: r.scalars()?,
    })
}

impl Node {
    /// Serializes the node with a versioned header (the compact encoding of
    /// [`crate::encode`]: small witness entries take a few bytes).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut w = ByteWriter::default();
        w.out.extend_from_slice(&NODE_HEADER);
        w.varint(u64::from(self.is_node));
        w.varint(self.steps);
        w.scalars(&self.constants);
        w.scalars(&self.z);
        w.scalar(&self.w1_hash);
        write_running(&mut w, &self.big_a)?;
        write_witness(&mut w, &self.wa);
        write_running(&mut w, &self.big_n)?;
        write_witness(&mut w, &self.wn);
        w.point(&self.cf.cm_w)?;
        w.point(&self.cf.cm_e)?;
        w.scalar(&self.cf.u);
        w.scalars(&self.cf.x);
        w.scalars(&self.cf_w.w);
        w.scalars(&self.cf_w.e);
        w.point(&self.u.cw1)?;
        w.point(&self.u.cw2)?;
        w.scalars(&self.u.x);
        write_witness(&mut w, &self.w);
        Ok(w.out)
    }

    /// Reads a node written by [`Self::to_bytes`] (points checked to be on their curves).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = ByteReader::new(check_header(bytes, NODE_HEADER)?);
        let is_node = match r.varint()? {
            0 => false,
            1 => true,
            _ => return Err(Error::Malformed("node kind")),
        };
        let node = Node {
            is_node,
            steps: r.varint()?,
            constants: r.scalars()?,
            z: r.scalars()?,
            w1_hash: r.scalar()?,
            big_a: read_running(&mut r)?,
            wa: read_witness(&mut r)?,
            big_n: read_running(&mut r)?,
            wn: read_witness(&mut r)?,
            cf: CfInstance {
                cm_w: r.point()?,
                cm_e: r.point()?,
                u: r.scalar::<Fq>()?,
                x: r.scalars()?,
            },
            cf_w: CfWitness {
                w: r.scalars()?,
                e: r.scalars()?,
            },
            u: FreshInstance {
                cw1: r.point()?,
                cw2: r.point()?,
                x: r.scalars()?,
            },
            w: read_witness(&mut r)?,
        };
        r.finish()?;
        Ok(node)
    }
}

impl TreeProof {
    /// The compact encoding: a tag, then a leaf's IVC proof or the root node's fields.
    fn encode(&self) -> Result<Vec<u8>, Error> {
        let mut w = ByteWriter::default();
        match self {
            TreeProof::Leaf(p) => {
                w.varint(0);
                w.bytes(&p.encode()?);
            }
            TreeProof::Node(p) => {
                w.varint(1);
                w.varint(p.steps);
                w.scalars(&p.constants);
                w.scalars(&p.z);
                w.scalar(&p.w1_hash);
                write_running(&mut w, &p.big_a)?;
                write_witness(&mut w, &p.wa);
                write_running(&mut w, &p.big_n)?;
                w.point(&p.u.cw1)?;
                w.point(&p.u.cw2)?;
                w.scalars(&p.u.x);
                w.scalars(&p.fold.h);
                w.scalar(&p.fold.t);
                write_witness(&mut w, &p.folded);
                w.point(&p.cf.cm_w)?;
                w.point(&p.cf.cm_e)?;
                w.scalar(&p.cf.u);
                w.scalars(&p.cf.x);
                w.scalars(&p.cf_w.w);
                w.scalars(&p.cf_w.e);
            }
        }
        Ok(w.out)
    }

    fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = ByteReader::new(bytes);
        let proof = match r.varint()? {
            0 => TreeProof::Leaf(Box::new(IvcProof::decode(r.bytes()?)?)),
            1 => TreeProof::Node(Box::new(NodeProof {
                steps: r.varint()?,
                constants: r.scalars()?,
                z: r.scalars()?,
                w1_hash: r.scalar()?,
                big_a: read_running(&mut r)?,
                wa: read_witness(&mut r)?,
                big_n: read_running(&mut r)?,
                u: FreshInstance {
                    cw1: r.point()?,
                    cw2: r.point()?,
                    x: r.scalars()?,
                },
                fold: FoldProof {
                    h: r.scalars()?,
                    t: r.scalar()?,
                },
                folded: read_witness(&mut r)?,
                cf: CfInstance {
                    cm_w: r.point()?,
                    cm_e: r.point()?,
                    u: r.scalar::<Fq>()?,
                    x: r.scalars()?,
                },
                cf_w: CfWitness {
                    w: r.scalars()?,
                    e: r.scalars()?,
                },
            })),
            _ => return Err(Error::Malformed("tree proof kind")),
        };
        r.finish()?;
        Ok(proof)
    }
}

/// Embeds the compact encoding, length-prefixed, so that containers can derive their own
/// serialization. Points are always checked, whatever the mode.
impl CanonicalSerialize for TreeProof {
    fn serialize_with_mode<W: Write>(
        &self,
        mut writer: W,
        _compress: Compress,
    ) -> Result<(), SerializationError> {
        let b = self.encode().map_err(|_| SerializationError::InvalidData)?;
        (b.len() as u64).serialize_with_mode(&mut writer, Compress::No)?;
        writer.write_all(&b)?;
        Ok(())
    }

    fn serialized_size(&self, _compress: Compress) -> usize {
        self.encode().map_or(0, |b| 8 + b.len())
    }
}

impl Valid for TreeProof {
    fn check(&self) -> Result<(), SerializationError> {
        Ok(())
    }
}

impl CanonicalDeserialize for TreeProof {
    fn deserialize_with_mode<R: Read>(
        mut reader: R,
        _compress: Compress,
        _validate: Validate,
    ) -> Result<Self, SerializationError> {
        let n = u64::deserialize_with_mode(&mut reader, Compress::No, Validate::No)?;
        let mut buf = Vec::new();
        reader.by_ref().take(n).read_to_end(&mut buf)?;
        if buf.len() as u64 != n {
            return Err(SerializationError::InvalidData);
        }
        Self::decode(&buf).map_err(|_| SerializationError::InvalidData)
    }
}
