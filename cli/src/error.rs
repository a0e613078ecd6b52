//! The errors of the proving commands.

use std::path::PathBuf;

/// Why a `crease info`, `setup`, `prove` or `verify` command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// A `-k` value that is neither `N` nor `NAME=N` with `1 ≤ N ≤ 2^20`.
    #[error("bad batch size `{value}`: give -k N or -k NAME=N with 1 <= N <= 1048576")]
    BadBatchSize {
        /// The value given.
        value: String,
    },
    /// `-k NAME=N` for a chain the instruction set does not have.
    #[error("no chain named `{name}` (chains: {known})")]
    UnknownChain {
        /// The name given.
        name: String,
        /// The chains there are.
        known: String,
    },
    /// A co-processor this binary does not know.
    #[error("unknown co-processor `{name}` (known: {known})")]
    UnknownCoprocessor {
        /// The name given.
        name: String,
        /// The co-processors there are.
        known: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// No cache directory: neither `--cache-dir`, `CREASE_CACHE`, `XDG_CACHE_HOME` nor
    /// `HOME` is set.
    #[error("no cache directory: give --cache-dir or set CREASE_CACHE")]
    NoCacheDir,
    /// A parameter file that is not what its name promises.
    #[error(
        "{}: {reason}; rebuild it with `crease setup --force` (or delete the file)",
        path.display()
    )]
    BadCache {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A ceremony file refused.
    #[error("{}: {source}", path.display())]
    Ptau {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: crease_folding::commitment::PtauError,
    },
    /// A proof file that cannot be read as a proof.
    #[error("{}: not a proof this crease reads: {reason}", path.display())]
    BadProof {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The proof was made with other parameters than those selected.
    #[error(
        "the proof was made with other parameters: give verify the same -k, \
         --coprocessor and --ptau options as prove"
    )]
    ParamsMismatch,
    /// A guest ELF the NVM refuses.
    #[error("{}: {source}", path.display())]
    Program {
        /// The ELF.
        path: PathBuf,
        /// Why.
        #[source]
        source: Box<crease_nvm::Error>,
    },
    /// A bad input option.
    #[error("{0}")]
    Input(String),
    /// The instruction set has no circuit for one of its instructions.
    #[error(transparent)]
    Circuits(#[from] crease_circuits::Error),
    /// Set-up, proving or verification failed, or a proof did not verify.
    #[error(transparent)]
    Pcd(#[from] crease::Error),
    /// Folding set-up failed.
    #[error(transparent)]
    Folding(#[from] crease_folding::Error),
    /// Synthesizing a circuit failed.
    #[error("synthesis: {0}")]
    Synthesis(#[from] ark_relations::gr1cs::SynthesisError),
    /// The NVM refused the program or the run failed.
    #[error(transparent)]
    Nvm(Box<crease_nvm::Error>),
}

impl From<crease_nvm::Error> for CliError {
    fn from(e: crease_nvm::Error) -> Self {
        CliError::Nvm(Box::new(e))
    }
}
