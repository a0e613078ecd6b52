//! The non-uniform prover and verifier of the Crease zkVM (DESIGN.md §3, docs/CIRCUITS.md).
//!
//! - [`setup`]: one IVC parameter set per instruction circuit of an ISA (batches of `k`
//!   executions), plus the scan chain and the table chain: [`Params`].
//! - [`prove`]: pass 1 runs the program, groups executions by instruction circuit into
//!   batches, builds the scan and table witnesses and commits every step's `W1`; the
//!   challenges `[γ, β, α]` are drawn from a Poseidon transcript over the statement and all
//!   commitments; pass 2 folds every chain (in parallel).
//! - [`verify`]: re-derives the challenges from the `W1` hashes the chains expose, checks
//!   every chain's IVC proof and the balance equations of docs/CIRCUITS.md with its own
//!   Init, and returns the proven [`Statement`].
#![forbid(unsafe_code)]

mod compress;
mod error;
pub mod graph;
mod params;
mod proof;
mod prover;
mod resume;
mod stream;
mod task;
mod transcript;
mod verifier;
mod wire;

#[cfg(feature = "tamper")]
pub use compress::compress_unchecked;
pub use compress::{
    compress, compress_with_progress, verify_compressed, CompressedBody, CompressedChain,
    CompressedProof,
};
pub use crease_folding::tree::Node;
pub use error::{Error, Rejection};
pub use params::{
    setup, KeySource, Params, SetupConfig, DEFAULT_K, DEFAULT_SCAN_K, DEFAULT_TABLE_K,
};
pub use proof::{ChainBody, ChainProof, OutputWord, Proof, TableCount};
pub use prover::{
    prove, prove_with, prove_with_progress, prove_witness, run_witness, Phase, Progress,
    ProveOptions, RunWitness, DEFAULT_DIRECT_STEPS, DEFAULT_LEAF_STEPS, DEFAULT_SEGMENT,
};
#[cfg(feature = "tamper")]
pub use prover::{CellOverride, TreeEdit};
pub use task::{run_task, LeafTask, MergeTask, Task};
pub use verifier::{verify, Statement};

/// The field of every chain: BN254's scalar field.
pub type Fr = crease_folding::Fr;
