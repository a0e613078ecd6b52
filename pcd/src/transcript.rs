//! The challenges `[γ, β, α]`: a Poseidon transcript over the statement, every chain's
//! `W1` commitment hash and the table counts.

use crease_folding::poseidon::Transcript;
use crease_nvm::Program;

use crate::params::digest_to_fields;
use crate::proof::{OutputWord, TableCount};
use crate::{Fr, Params};

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
/// the scan). The table counts are absorbed like the `W1` hashes, before any challenge:
/// the lookup argument needs the multiplicities fixed before `β` and `α`.
pub(crate) fn challenges(
    params: &Params,
    program: &Program,
    claims: &Claims<'_>,
    chains: &[ChainHash],
    counts: &[TableCount],
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
        // Below 2^96, so one element holds both exactly.
        t.absorb(&(Fr::from(c.row as u64) + Fr::from(c.count) * Fr::from(1u64 << 32)));
    }
    let v = t.challenges(3);
    [v[0], v[1], v[2]]
}
