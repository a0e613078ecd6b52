//! The verifier: the statement, the challenges, every chain's IVC proof and the balance
//! equations of docs/CIRCUITS.md with the verifier's own Init.

use std::collections::BTreeMap;

use ark_ff::{batch_inversion, AdditiveGroup, Zero};
use crease_circuits::pack::{mem_tuple, space, HALTED, MAX_STEPS, TS_PER_STEP};
use crease_circuits::scan::{self, region_class};
use crease_circuits::tables::{all_entries, Entry};
use crease_folding::{ivc, tree};
use crease_nvm::layout::{MAX_IO_LEN, PUBLIC_OUTPUT};
use crease_nvm::Program;
use rayon::prelude::*;

use crate::proof::{ChainBody, ChainProof, OutputWord, TableCount};
use crate::transcript::{challenges, count_commitments, ChainHash, Claims};
use crate::{Error, Fr, Params, Proof, Rejection};
use crease_folding::G1;

/// What a verified proof establishes: this program, run under this ISA on this public input
/// (and some private input), exited with this code after this many steps, leaving this
/// public output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// `Program::digest` of the program.
    pub program_digest: [u8; 32],
    /// `Isa::digest` of its instruction set.
    pub isa_digest: [u8; 32],
    /// The public input.
    pub public_input: Vec<u8>,
    /// The public output (the length word at `PUBLIC_OUTPUT`, bytes from `+4`).
    pub public_output: Vec<u8>,
    /// The exit code.
    pub exit_code: i32,
    /// Instructions executed, the final `ecall` included.
    pub steps: u64,
}

fn reject(r: Rejection) -> Error {
    Error::Rejected(r)
}

fn check_output(words: &[OutputWord]) -> Result<(), Error> {
    let mut last: Option<u32> = None;
    for w in words {
        if w.addr % 4 != 0 || region_class((w.addr >> 24) as u8) != 4 {
            return Err(reject(Rejection::Statement(
                "output word outside the output region",
            )));
        }
        if last.is_some_and(|l| l >= w.addr) {
            return Err(reject(Rejection::Statement("output words not increasing")));
        }
        last = Some(w.addr);
    }
    Ok(())
}

fn public_output(words: &[OutputWord]) -> Result<Vec<u8>, Error> {
    let map: BTreeMap<u32, u32> = words.iter().map(|w| (w.addr, w.value)).collect();
    let word = |a: u32| map.get(&a).copied().unwrap_or(0);
    let len = word(PUBLIC_OUTPUT) as usize;
    if len > MAX_IO_LEN {
        return Err(reject(Rejection::Statement(
            "output length beyond the region",
        )));
    }
    Ok((0..len as u32)
        .map(|i| {
            let a = PUBLIC_OUTPUT + 4 + i;
            word(a & !3).to_le_bytes()[(a & 3) as usize]
        })
        .collect())
}

/// The counts name rows of the tables, each once, in increasing order, each looked up.
fn check_counts(counts: &[TableCount], rows: usize) -> Result<(), Error> {
    let mut last: Option<u32> = None;
    for c in counts {
        if c.row as usize >= rows || last.is_some_and(|l| l >= c.row) || c.count == 0 {
            return Err(reject(Rejection::Statement(
                "table counts not increasing rows of the tables with positive counts",
            )));
        }
        last = Some(c.row);
    }
    Ok(())
}

/// `Σ count / (β − payload − α·tag)` over the counted rows: what the lookups of all chains
/// sum to if every one of them is a table entry (docs/CIRCUITS.md).
fn table_side(entries: &[Entry], counts: &[TableCount], beta: Fr, alpha: Fr) -> Result<Fr, Error> {
    let mut dens: Vec<Fr> = counts
        .iter()
        .map(|c| {
            let e = entries[c.row as usize];
            beta - e.payload - alpha * Fr::from(e.tag)
        })
        .collect();
    if dens.iter().any(|d| d.is_zero()) {
        return Err(reject(Rejection::Lookups));
    }
    batch_inversion(&mut dens);
    Ok(counts
        .iter()
        .zip(&dens)
        .map(|(c, d)| Fr::from(c.count) * d)
        .sum())
}

/// What a proof claims besides its chains' bodies: the part every kind of proof carries.
pub(crate) struct Claimed<'a> {
    pub params_digest: Fr,
    pub exit_code: u32,
    pub steps: u64,
    pub output: &'a [OutputWord],
    /// The chains' ISA indices, the scan's ([`Proof::SCAN`]) last.
    pub chains: Vec<u32>,
    /// The table counts, when the proof lists them (a compressed one commits to them).
    pub table_counts: Option<&'a [TableCount]>,
}

/// The checks of the claims alone: parameters, ISA, step count, output words, chain order
/// and table counts. Returns the tables' entries.
pub(crate) fn check_claims(
    params: &Params,
    program: &Program,
    c: &Claimed<'_>,
) -> Result<Vec<Entry>, Error> {
    if c.params_digest != params.digest() {
        return Err(Error::ParamsMismatch);
    }
    if program.isa().digest() != params.isa_digest {
        return Err(Error::IsaMismatch);
    }
    if c.steps == 0 || c.steps > MAX_STEPS {
        return Err(reject(Rejection::Statement("step count out of range")));
    }
    check_output(c.output)?;
    let Some((&scan, inst)) = c.chains.split_last() else {
        return Err(reject(Rejection::ChainOrder));
    };
    let mut last: Option<u32> = None;
    for &chain in inst {
        if chain as usize >= params.inst.len() || last.is_some_and(|l| l >= chain) {
            return Err(reject(Rejection::ChainOrder));
        }
        last = Some(chain);
    }
    if scan != Proof::SCAN {
        return Err(reject(Rejection::ChainOrder));
    }
    let entries = all_entries(program);
    if let Some(counts) = c.table_counts {
        check_counts(counts, entries.len())?;
    }
    Ok(entries)
}

/// The challenges `[γ, β, α]` of the claims, the chains' `W1` hashes and the commitments
/// to the table counts.
pub(crate) fn claimed_challenges(
    params: &Params,
    program: &Program,
    public_input: &[u8],
    c: &Claimed<'_>,
    hashes: &[ChainHash],
    count_points: &[G1],
) -> [Fr; 3] {
    let claims = Claims {
        public_input,
        exit_code: c.exit_code,
        steps: c.steps,
        output: c.output,
    };
    challenges(params, program, &claims, hashes, count_points)
}

/// The balance equations of docs/CIRCUITS.md with the verifier's own Init, from the
/// chains' final states (`zs` in the order of `c.chains`, the scan's last), and the
/// statement they establish. The lookups balance against the table side summed from the
/// listed counts; without a list (a compressed proof), the caller has shown the chains'
/// lookup sum equal to the table side itself.
pub(crate) fn check_balances(
    program: &Program,
    public_input: &[u8],
    c: &Claimed<'_>,
    zs: &[&[Fr]],
    entries: &[Entry],
    constants: [Fr; 3],
) -> Result<Statement, Error> {
    let [gamma, beta, alpha] = constants;
    let Some((scan_z, inst_z)) = zs.split_last() else {
        return Err(reject(Rejection::ChainOrder));
    };
    if scan_z.len() != 5 || inst_z.iter().any(|z| z.len() != 2) {
        return Err(reject(Rejection::Memory));
    }
    // Memory: Init (own) + Σ chains = Final of the pc cell.
    let mut denoms = vec![
        gamma - mem_tuple(space::PC, 0, program.entry() as u64, 0),
        gamma
            - mem_tuple(
                space::PC,
                0,
                HALTED + c.exit_code as u64,
                TS_PER_STEP * c.steps,
            ),
    ];
    for (cell, v) in scan::verifier_init(program, public_input)? {
        denoms.push(gamma - mem_tuple(cell.space, cell.addr as u64, v as u64, 0));
    }
    let out_denoms: Vec<Fr> = c
        .output
        .iter()
        .map(|w| beta - scan::output_payload(w.addr, w.value))
        .collect();
    if denoms.iter().chain(&out_denoms).any(|d| d.is_zero()) {
        return Err(reject(Rejection::Memory));
    }
    batch_inversion(&mut denoms);
    let init: Fr = denoms.iter().sum::<Fr>() - denoms[1] - denoms[1];
    let mem: Fr = zs.iter().map(|z| z[0]).sum();
    if init + mem != Fr::ZERO {
        return Err(reject(Rejection::Memory));
    }
    // Lookups: Σ chains = the tables' side, which the verifier sums itself from the
    // counts over its own entries.
    if let Some(counts) = c.table_counts {
        let lookups: Fr = zs.iter().map(|z| z[1]).sum();
        if lookups != table_side(entries, counts, beta, alpha)? {
            return Err(reject(Rejection::Lookups));
        }
    }
    let mut out_denoms = out_denoms;
    batch_inversion(&mut out_denoms);
    if out_denoms.iter().sum::<Fr>() != scan_z[3] {
        return Err(reject(Rejection::Output));
    }
    Ok(Statement {
        program_digest: program.digest(),
        isa_digest: program.isa().digest(),
        public_input: public_input.to_vec(),
        public_output: public_output(c.output)?,
        exit_code: c.exit_code as i32,
        steps: c.steps,
    })
}

/// Verifies `proof` for `program` on `public_input`; returns what it proves.
pub fn verify(
    params: &Params,
    program: &Program,
    public_input: &[u8],
    proof: &Proof,
) -> Result<Statement, Error> {
    let all: Vec<&ChainProof> = proof.chains.iter().chain([&proof.scan]).collect();
    let claimed = Claimed {
        params_digest: proof.params_digest,
        exit_code: proof.exit_code,
        steps: proof.steps,
        output: &proof.output,
        chains: all.iter().map(|c| c.chain).collect(),
        table_counts: Some(&proof.table_counts),
    };
    let entries = check_claims(params, program, &claimed)?;
    let count_points = count_commitments(params.shared.key(), &proof.table_counts, entries.len())?;
    // The challenges, from the W1 hashes the chains expose (a folded chain carries it, a
    // chain shown directly has its steps' W1 committed here) and the table counts.
    let key = params.shared.key();
    let hashes: Vec<ChainHash> = all
        .par_iter()
        .map(|c| {
            let w1_hash = match &c.body {
                ChainBody::Folded(t) => t.w1_hash(),
                ChainBody::Direct(d) => d
                    .w1_hash(key)
                    .map_err(|_| reject(Rejection::Ivc { chain: c.chain }))?,
            };
            Ok(ChainHash {
                chain: c.chain,
                steps: c.body.steps(),
                w1_hash,
            })
        })
        .collect::<Result<_, Error>>()?;
    let constants = claimed_challenges(
        params,
        program,
        public_input,
        &claimed,
        &hashes,
        &count_points,
    );
    if all
        .iter()
        .any(|c| c.body.folded().is_some_and(|t| t.constants() != constants))
    {
        return Err(reject(Rejection::Challenges));
    }
    // Every chain's proof, from the zero state to its claimed final state: a tree for a
    // folded instruction chain (its root's `W1` hash entered the challenges above), an IVC
    // run for a folded scan, each step's constraints for a chain shown directly.
    all.par_iter()
        .map(|c| {
            let bad = || reject(Rejection::Ivc { chain: c.chain });
            let arity = if c.chain == Proof::SCAN { 5 } else { 2 };
            if c.z.len() != arity {
                return Err(bad());
            }
            let steps = c.body.steps();
            match (&c.body, c.chain) {
                (ChainBody::Direct(d), i) => {
                    let shape = params.direct_shape(i)?;
                    d.check(shape, &constants, &c.z)
                }
                (ChainBody::Folded(t), Proof::SCAN) => {
                    let p = t.leaf().ok_or_else(bad)?;
                    ivc::verify(&params.scan, steps, &[Fr::ZERO; 5], &c.z, p)
                }
                (ChainBody::Folded(t), i) => {
                    tree::verify(params.inst[i as usize].tree()?, steps, &c.z, t)
                }
            }
            .map_err(|_| bad())
        })
        .collect::<Result<Vec<()>, Error>>()?;
    let zs: Vec<&[Fr]> = all.iter().map(|c| &c.z[..]).collect();
    check_balances(program, public_input, &claimed, &zs, &entries, constants)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(addr: u32, value: u32) -> OutputWord {
        OutputWord { addr, value }
    }

    #[test]
    fn the_public_output_is_read_from_the_listed_words() {
        let words = [w(PUBLIC_OUTPUT, 6), w(PUBLIC_OUTPUT + 4, 0x0403_0201)];
        assert_eq!(public_output(&words).expect("output"), [1, 2, 3, 4, 0, 0]);
        assert_eq!(public_output(&[]).expect("empty"), Vec::<u8>::new());
        let huge = [w(PUBLIC_OUTPUT, u32::MAX)];
        assert!(public_output(&huge).is_err());
    }

    #[test]
    fn output_words_must_be_aligned_increasing_and_in_the_region() {
        assert!(check_output(&[w(PUBLIC_OUTPUT, 1), w(PUBLIC_OUTPUT + 8, 2)]).is_ok());
        assert!(check_output(&[w(PUBLIC_OUTPUT + 2, 1)]).is_err());
        assert!(check_output(&[w(PUBLIC_OUTPUT + 8, 1), w(PUBLIC_OUTPUT, 2)]).is_err());
        assert!(check_output(&[w(PUBLIC_OUTPUT, 1), w(PUBLIC_OUTPUT, 2)]).is_err());
        assert!(check_output(&[w(PUBLIC_OUTPUT - 4, 1)]).is_err());
    }
}

#[cfg(test)]
#[path = "final_fold_tests.rs"]
mod final_fold_tests;
