//! The byte encoding of a [`Node`], the unit a leaf or merge task takes and gives.

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

fn write_fresh(w: &mut ByteWriter, u: &FreshInstance) -> Result<(), Error> {
    w.point(&u.cw1)?;
    w.point(&u.cw2)?;
    w.scalars(&u.x);
    Ok(())
}

fn read_fresh(r: &mut ByteReader<'_>) -> Result<FreshInstance, Error> {
    Ok(FreshInstance {
        cw1: r.point()?,
        cw2: r.point()?,
        x: r.scalars()?,
    })
}

fn write_cf(w: &mut ByteWriter, cf: &CfInstance, cf_w: &CfWitness) -> Result<(), Error> {
    w.point(&cf.cm_w)?;
    w.point(&cf.cm_e)?;
    w.scalar(&cf.u);
    w.scalars(&cf.x);
    w.scalars(&cf_w.w);
    w.scalars(&cf_w.e);
    Ok(())
}

fn read_cf(r: &mut ByteReader<'_>) -> Result<CfInstance, Error> {
    Ok(CfInstance {
        cm_w: r.point()?,
        cm_e: r.point()?,
        u: r.scalar::<Fq>()?,
        x: r.scalars()?,
    })
}

fn read_cf_witness(r: &mut ByteReader<'_>) -> Result<CfWitness, Error> {
    Ok(CfWitness {
        w: r.scalars()?,
        e: r.scalars()?,
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
        write_cf(&mut w, &self.cf, &self.cf_w)?;
        write_fresh(&mut w, &self.u)?;
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
            cf: read_cf(&mut r)?,
            cf_w: read_cf_witness(&mut r)?,
            u: read_fresh(&mut r)?,
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
                write_fresh(&mut w, &p.u)?;
                w.scalars(&p.fold.h);
                w.scalar(&p.fold.t);
                write_witness(&mut w, &p.folded);
                write_cf(&mut w, &p.cf, &p.cf_w)?;
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
                u: read_fresh(&mut r)?,
                fold: FoldProof {
                    h: r.scalars()?,
                    t: r.scalar()?,
                },
                folded: read_witness(&mut r)?,
                cf: read_cf(&mut r)?,
                cf_w: read_cf_witness(&mut r)?,
            })),
            _ => return Err(Error::Malformed("tree proof kind")),
        };
        r.finish()?;
        Ok(proof)
    }
}

crate::encode::compact_canonical!(TreeProof);
