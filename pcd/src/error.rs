//! The crate's error type.

/// Everything that can go wrong setting up, proving, verifying or reading proofs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The program did not run to `exit` (fault, cycle limit, bad input).
    #[error("the program did not run to completion: {0}")]
    Run(#[from] crease_nvm::Error),
    /// Building a circuit witness failed.
    #[error("circuit witness: {0}")]
    Circuit(#[from] crease_circuits::Error),
    /// The folding engine failed (setup, a step, or an IVC proof that does not verify).
    #[error("folding: {0}")]
    Folding(#[from] crease_folding::Error),
    /// An instruction circuit could not be synthesized outside the folding engine.
    #[error("constraint synthesis failed: {0}")]
    Synthesis(#[from] ark_relations::gr1cs::SynthesisError),
    /// Bytes that are not a parameter set or proof of this version.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// Parameters or proof.
        what: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A ceremony file refused at set-up.
    #[error("{}: {source}", path.display())]
    Ptau {
        /// The file.
        path: std::path::PathBuf,
        /// Why it was refused.
        #[source]
        source: crease_folding::commitment::PtauError,
    },
    /// A configuration value out of range.
    #[error("bad configuration: {0}")]
    Config(&'static str),
    /// The parameters were made for another instruction set than the program's.
    #[error("the parameters are for another instruction set")]
    IsaMismatch,
    /// The proof was made with other parameters.
    #[error("the proof was made with other parameters")]
    ParamsMismatch,
    /// The run is longer than one proof may hold.
    #[error("{steps} steps exceed the {max} one proof may hold")]
    TooManySteps {
        /// Steps of the run.
        steps: u64,
        /// The limit.
        max: u64,
    },
    /// A lookup of the run is no entry of the tables (the witness is not the run's).
    #[error("a lookup in table {tag} is no entry")]
    LookupOutsideTables {
        /// The table tag.
        tag: u64,
    },
    /// Reading or writing the work directory failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The prover stopped before the proof was made (its finished work is kept).
    #[error("proving was interrupted; run again to resume")]
    Interrupted,
    /// Compression failed.
    #[error("compression: {0}")]
    Decider(#[from] crease_decider::Error),
    /// The proof does not establish its statement.
    #[error("proof rejected: {0}")]
    Rejected(Rejection),
}

/// Why a verifier rejected a proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// Instruction chains out of order, repeated, or naming no circuit of the ISA.
    #[error("instruction chains are not a sorted subset of the ISA")]
    ChainOrder,
    /// A chain's constants are not the challenges derived from the transcript.
    #[error("chain constants differ from the derived challenges")]
    Challenges,
    /// A chain's IVC proof does not verify.
    #[error("the IVC proof of chain {chain} does not verify")]
    Ivc {
        /// The chain: an ISA index, or `u32::MAX - 1` for the scan, `u32::MAX` for the tables.
        chain: u32,
    },
    /// `Init + WS ≠ RS + Final`.
    #[error("the memory sums do not balance")]
    Memory,
    /// The lookups do not balance the tables.
    #[error("the lookup sums do not balance")]
    Lookups,
    /// The listed output words are not those of the scan.
    #[error("the output words differ from the scan's")]
    Output,
    /// The statement is malformed (steps, output words).
    #[error("malformed statement: {0}")]
    Statement(&'static str),
    /// A compressed proof's argument for these relations does not verify.
    #[error("the compressed argument for the {0} does not verify")]
    Decider(&'static str),
}

impl From<Rejection> for Error {
    fn from(r: Rejection) -> Self {
        Error::Rejected(r)
    }
}
