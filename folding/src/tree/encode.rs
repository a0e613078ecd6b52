//! The byte encoding of a [`Node`], the unit a leaf or merge task takes and gives.

use crate::cyclefold::{CfInstance, CfWitness};
use crate::encode::{ByteReader, ByteWriter};
use crate::params::check_header;
use crate::r1cs::{FreshInstance, RunningInstance, Witness};
use crate::{Error, Fq};

use super::Node;

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
