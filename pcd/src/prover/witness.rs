//! The run witness: every record of a run kept in memory, which tests tamper with as a
//! cheating prover would (feature `tamper`) and prove through the real prover.

use crease_circuits::pack::MAX_STEPS;
use crease_circuits::scan::{self, ScanEntry};
use crease_circuits::ExecRecord;
use crease_nvm::{Execution, Input, Program};

use super::{in_pool, Job, Outcome, DEFAULT_DIRECT_STEPS, DEFAULT_LEAF_STEPS, DEFAULT_SEGMENT};
#[cfg(feature = "tamper")]
use crate::proof::{OutputWord, TableCount};
use crate::stream::Source;
#[cfg(feature = "tamper")]
use crate::Fr;
use crate::{Error, Params, Proof};

/// Everything the prover needs of a run: every execution with its ISA index, the scan
/// entries, the exit code and the number of steps. Built by [`run_witness`]; tests tamper
/// with it and prove it with [`prove_witness`].
#[derive(Clone, Debug)]
pub struct RunWitness {
    /// `(ISA index, record)` of every executed instruction, in execution order.
    pub records: Vec<(usize, ExecRecord)>,
    /// Init and Final of every listed cell, in increasing cell order.
    pub entries: Vec<ScanEntry>,
    /// The exit code.
    pub exit_code: i32,
    /// Instructions executed.
    pub steps: u64,
    /// Batches per leaf of the instruction chains' trees ([`ProveOptions::leaf_steps`]).
    pub leaf_steps: usize,
    /// Chains of at most this many batches are shown directly
    /// ([`ProveOptions::direct_steps`]).
    pub direct_steps: usize,
    /// `W1` values set by a test instead of the honest ones (feature `tamper`).
    #[cfg(feature = "tamper")]
    pub overrides: Vec<CellOverride>,
    /// The output words the proof claims, if a test claims other words than the scan's
    /// (feature `tamper`): they enter the transcript before the challenges are drawn.
    #[cfg(feature = "tamper")]
    pub output_claim: Option<Vec<OutputWord>>,
    /// The table counts the proof claims, if a test claims other counts than the run's
    /// lookups make (feature `tamper`); absorbed before the challenges like the real ones.
    #[cfg(feature = "tamper")]
    pub counts_claim: Option<Vec<TableCount>>,
    /// A change to one chain's tree (feature `tamper`).
    #[cfg(feature = "tamper")]
    pub tree_edit: Option<TreeEdit>,
    /// Whether pass 1 hashes the edited tree, as a consistent cheater would, or the honest
    /// one (feature `tamper`).
    #[cfg(feature = "tamper")]
    pub tree_edit_in_pass1: bool,
}

/// A change a test makes to the leaves or merges of one instruction chain's tree.
#[cfg(feature = "tamper")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeEdit {
    /// Leaves `leaf` and `leaf + 1` change places.
    Swap {
        /// The chain (ISA index).
        chain: u32,
        /// The first of the two leaves.
        leaf: usize,
    },
    /// Leaf `leaf` is left out.
    Drop {
        /// The chain.
        chain: u32,
        /// The leaf.
        leaf: usize,
    },
    /// Leaf `leaf` is merged in twice.
    Duplicate {
        /// The chain.
        chain: u32,
        /// The leaf.
        leaf: usize,
    },
    /// The chain's first merge carries a forged message (its `U_A` merge's `t` plus one).
    ForgeMerge {
        /// The chain.
        chain: u32,
    },
}

#[cfg(feature = "tamper")]
impl TreeEdit {
    pub(super) fn chain(&self) -> u32 {
        match *self {
            TreeEdit::Swap { chain, .. }
            | TreeEdit::Drop { chain, .. }
            | TreeEdit::Duplicate { chain, .. }
            | TreeEdit::ForgeMerge { chain } => chain,
        }
    }

    /// The leaves as the edited tree has them, from the honest ones.
    pub(super) fn leaves<T: Clone>(&self, mut leaves: Vec<T>) -> Vec<T> {
        match *self {
            TreeEdit::Swap { leaf, .. } if leaf + 1 < leaves.len() => leaves.swap(leaf, leaf + 1),
            TreeEdit::Drop { leaf, .. } if leaf < leaves.len() => {
                leaves.remove(leaf);
            }
            TreeEdit::Duplicate { leaf, .. } if leaf < leaves.len() => {
                let l = leaves[leaf].clone();
                leaves.insert(leaf, l);
            }
            _ => {}
        }
        leaves
    }
}

/// One `W1` value a test sets, as a cheating prover may: `cell` of step `step` of `chain`
/// (an ISA index or [`Proof::SCAN`]).
#[cfg(feature = "tamper")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellOverride {
    /// The chain.
    pub chain: u32,
    /// The step within the chain.
    pub step: usize,
    /// The index into the step's `W1` vector.
    pub cell: usize,
    /// The value committed instead.
    pub value: Fr,
}

/// Sets the overrides of step `step` of `chain` in `o`.
#[cfg(feature = "tamper")]
pub(super) fn apply_overrides(
    w: Option<&RunWitness>,
    chain: u32,
    step: usize,
    o: &mut crease_circuits::tamper::Overrides,
) {
    let Some(w) = w else { return };
    for c in w
        .overrides
        .iter()
        .filter(|c| c.chain == chain && c.step == step)
    {
        o.set(c.cell, c.value);
    }
}

#[cfg(not(feature = "tamper"))]
pub(super) fn apply_overrides(
    _: Option<&RunWitness>,
    _: u32,
    _: usize,
    _: &mut crease_circuits::tamper::Overrides,
) {
}

/// Runs `program` on `input` and keeps every execution record and scan entry in memory:
/// the run witness a test may tamper with before [`prove_witness`].
pub fn run_witness(
    params: &Params,
    program: &Program,
    input: &Input,
) -> Result<(RunWitness, Execution), Error> {
    if program.isa().digest() != params.isa_digest {
        return Err(Error::IsaMismatch);
    }
    let mut cells = scan::initial_cells(program, &input.public, input.private.len())?;
    let mut records = Vec::new();
    let source = Source::Run {
        program,
        input,
        max_cycles: MAX_STEPS,
    };
    let exec = source.replay(DEFAULT_SEGMENT, Some(&mut cells), &mut |seg| {
        records.extend(seg);
        Ok(())
    })?;
    let exec = exec.ok_or(Error::Config("a run gives an execution"))?;
    let w = RunWitness {
        records,
        entries: cells.into_values().collect(),
        exit_code: exec.exit_code,
        steps: exec.cycles,
        leaf_steps: DEFAULT_LEAF_STEPS,
        direct_steps: DEFAULT_DIRECT_STEPS,
        #[cfg(feature = "tamper")]
        overrides: Vec::new(),
        #[cfg(feature = "tamper")]
        output_claim: None,
        #[cfg(feature = "tamper")]
        counts_claim: None,
        #[cfg(feature = "tamper")]
        tree_edit: None,
        #[cfg(feature = "tamper")]
        tree_edit_in_pass1: false,
    };
    Ok((w, exec))
}

/// Proves a given run witness, which may be dishonest: lookups outside the tables are left
/// uncounted instead of refused, so the real verifier sees the result. A test hook.
#[doc(hidden)]
pub fn prove_witness(
    params: &Params,
    program: &Program,
    public_input: &[u8],
    w: &RunWitness,
) -> Result<Proof, Error> {
    if w.steps > MAX_STEPS {
        return Err(Error::TooManySteps {
            steps: w.steps,
            max: MAX_STEPS,
        });
    }
    in_pool(|| prove_run_witness(params, program, public_input, w))
}

fn prove_run_witness(
    params: &Params,
    program: &Program,
    public_input: &[u8],
    w: &RunWitness,
) -> Result<Proof, Error> {
    let mut executions = vec![0u64; params.inst.len()];
    for (i, _) in &w.records {
        *executions.get_mut(*i).ok_or(Error::IsaMismatch)? += 1;
    }
    let job = Job {
        params,
        program,
        public_input,
        source: Source::Witness(w),
        strict: false,
        segment: DEFAULT_SEGMENT,
        leaf_steps: w.leaf_steps,
        direct_steps: w.direct_steps,
        work: None,
        stop_after_leaves: None,
        tasks: None,
        tamper: Some(w),
        progress: None,
    };
    job.prove(&executions, Outcome::Witness(w))
}
