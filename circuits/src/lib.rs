//! R1CS circuits for the Crease zkVM: the instruction circuits, the shared memory-checking
//! and fetch gadgets, the lookup-table chain and the memory scan (docs/CIRCUITS.md).
//!
//! - [`InstructionCircuit`]: the proving half of an instruction; a co-processor author
//!   implements it next to the native `crease_nvm::Instruction`.
//! - [`Batch`]: k executions of one instruction circuit as one folding step
//!   (`crease_folding::step::StepCircuit`).
//! - [`isa`]: the circuits of `Isa::rv32im()` and of the example co-processor.
//! - [`tables`]: the fixed and program tables and the chain that proves their side of the
//!   lookup argument; [`scan`]: Init and Final of every touched cell.
//!
//! The balance equations over the chains' final states are the verifier's
//! (`crease_pcd::verify`).
#![forbid(unsafe_code)]

pub mod batch;
pub mod gadgets;
pub mod instruction;
pub mod isa;
pub mod pack;
pub mod scan;
pub mod tables;
pub mod tamper;

pub use batch::{Batch, BatchWitness};
pub use gadgets::{Bounded, ChallengesVar, Ctx, Sums, Term};
pub use instruction::{
    AccessKind, AccessRecord, AccessVar, ExecRecord, ExecVar, Fields, InstructionCircuit, Logic,
    Reg,
};

/// The circuits' field: BN254's scalar field.
pub type Fr = crease_folding::Fr;

/// Errors building circuit witnesses.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An execution made more accesses than its circuit has slots for.
    #[error("instruction circuit {circuit}: {got} accesses, at most {expected}")]
    TooManyAccesses {
        /// The circuit.
        circuit: String,
        /// Its access slots.
        expected: usize,
        /// Accesses in the record.
        got: usize,
    },
    /// A logic witness of the wrong length.
    #[error("instruction circuit {circuit}: logic witness of {got} values, expected {expected}")]
    WitnessLength {
        /// The circuit.
        circuit: String,
        /// Its declared length.
        expected: usize,
        /// What it produced.
        got: usize,
    },
    /// The trace is longer than one proof may be.
    #[error("step {steps} exceeds the {max} steps one proof may hold")]
    TraceTooLong {
        /// The step number.
        steps: u64,
        /// The limit.
        max: u64,
    },
    /// An access whose previous timestamp is not before its own.
    #[error("access at timestamp {ts} claims a previous access at {prev_ts}")]
    TimestampOrder {
        /// The access's timestamp.
        ts: u64,
        /// The claimed previous timestamp.
        prev_ts: u64,
    },
    /// A batch given no records or more than k.
    #[error("a batch of {k} slots given {got} records")]
    BatchSize {
        /// Slots per batch.
        k: usize,
        /// Records given.
        got: usize,
    },
    /// Scan entries not in strictly increasing cell order, or otherwise malformed.
    #[error("scan entry {index}: {reason}")]
    Scan {
        /// The entry.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A trace step at an address with no instruction.
    #[error("trace step at {pc:#010x}, which holds no instruction")]
    NotAnInstruction {
        /// Its pc.
        pc: u32,
    },
    /// Synthesis failed.
    #[error("synthesis: {0}")]
    Synthesis(#[from] ark_relations::gr1cs::SynthesisError),
    /// A challenge made a fingerprint zero (probability negligible).
    #[error("a challenge hit a fingerprint")]
    DegenerateChallenge,
    /// No instruction circuit for an instruction of the set.
    #[error("no instruction circuit named {name}")]
    UnknownCircuit {
        /// The instruction's name.
        name: String,
    },
    /// An instruction circuit whose cycle count differs from its instruction's, or whose
    /// accesses do not fit its cycles.
    #[error(
        "instruction circuit {name} takes {circuit} cycles with {accesses} accesses; \
         its instruction takes {native} (16 timestamps a cycle, one for the pc)"
    )]
    CircuitCycles {
        /// The instruction's name.
        name: String,
        /// Cycles of the native half.
        native: u32,
        /// Cycles of the circuit.
        circuit: u32,
        /// Accesses of the circuit.
        accesses: usize,
    },
}
