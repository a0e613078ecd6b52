//! The challenges `[γ, β, α]`: a Poseidon transcript over the statement, every chain's
//! `W1` commitment hash and the commitments to the table counts.

use crease_folding::commitment::msm::{small_msm, Small};
use crease_folding::commitment::{CommitmentKey, PowersOfTauKey};
use crease_folding::poseidon::Transcript;
use crease_folding::{G1Projective, G1};
use crease_nvm::Program;

use ark_ec::CurveGroup;

use crate::params::digest_to_fields;
use crate::proof::{OutputWord, TableCount};
use crate::{Error, Fr, Params};

/// Rows per chunk of the table counts' commitments.
pub const COUNT_CHUNK: usize = 1 << 17;

/// Commitments to the multiplicity of every table row (`rows` of them; rows not listed
/// count zero), in chunks of [`COUNT_CHUNK`] rows, each under the key's first bases: what
/// the transcript absorbs of the counts, so that a compressed proof can carry these few
/// points instead of the list. Counts are small scalars: the cost is one small-scalar sum
/// per listed row.
pub(crate) fn count_commitments(
    key: &PowersOfTauKey,
    counts: &[TableCount],
    rows: usize,
) -> Result<Vec<G1>, Error> {
    let bases = key.bases();
    if bases.len() < COUNT_CHUNK {
        return Err(Error::Config(
            "the commitment key is shorter than a chunk of table counts",
        ));
    }
    let chunks = rows.div_ceil(COUNT_CHUNK).max(1);
    let mut per_chunk: Vec<Vec<Small>> = vec![Vec::new(); chunks];
    for c in counts {
        let row = c.row as usize;
        let Some(chunk) = per_chunk.get_mut(row / COUNT_CHUNK) else {
            return Err(Error::Config("a table count names no row"));
        };
        chunk.push(Small {
            index: row % COUNT_CHUNK,
            negative: false,
            magnitude: c.count,
        });
    }
    Ok(per_chunk
        .into_iter()
        .map(|entries| small_msm::<G1Projective>(&bases[..COUNT_CHUNK], entries).into_affine())
        .collect())
}

const LABEL: &[u8] = b"crease/pcd/challenges";

/// A chain as the transcript sees it: id, number of steps, `W1` hash.
pub(crate) struct ChainHash {
    pub(crate) chain: u32,
    pub(crate) steps: u64,
    pub(crate) w1_hash: Fr,
}

/// The claimed public part of a run.
pub(crate) struct Claims<'a> {
    pub(crate) public_input: &'a [u8],
    pub(crate) exit_code: u32,
    pub(crate) steps: u64,
    pub(crate) output: &'a [OutputWord],
}

/// Derives `[γ, β, α]`; chains in canonical order (instruction chains by ISA index, then
/// the scan). The commitments to the table counts ([`count_commitments`]) are absorbed like
/// the `W1` hashes, before any challenge: the lookup argument needs the multiplicities fixed
/// before `β` and `α`.
pub(crate) fn challenges(
    params: &Params,
    program: &Program,
    claims: &Claims<'_>,
    chains: &[ChainHash],
    counts: &[G1],
) -> [Fr; 3] {
    let mut t = Transcript::new(LABEL);
    t.absorb(&params.digest());
    t.absorb_slice(&digest_to_fields(&program.digest()));
    t.absorb_slice(&digest_to_fields(&program.isa().digest()));
    t.absorb(&Fr::from(claims.public_input.len() as u64));
    for chunk in claims.public_input.chunks(16) {
        let mut w = [0u8; 16];
        w[..chunk.len()].copy_from_slice(chunk);
        t.absorb(&Fr::from(u128::from_le_bytes(w)));
    }
    t.absorb(&Fr::from(claims.exit_code as u64));
    t.absorb(&Fr::from(claims.steps));
    t.absorb(&Fr::from(claims.output.len() as u64));
    for w in claims.output {
        t.absorb(&(Fr::from(w.addr as u64) + Fr::from(w.value as u64) * Fr::from(1u64 << 32)));
    }
    t.absorb(&Fr::from(chains.len() as u64));
    for c in chains {
        t.absorb(&Fr::from(c.chain as u64));
        t.absorb(&Fr::from(c.steps));
        t.absorb(&c.w1_hash);
    }
    t.absorb(&Fr::from(counts.len() as u64));
    for c in counts {
        t.absorb_g1(c);
    }
    let v = t.challenges(3);
    [v[0], v[1], v[2]]
}
