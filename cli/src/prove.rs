//! `crease prove` and `crease verify`.

use std::path::PathBuf;

use clap::Args;

use crate::error::CliError;

/// Arguments of `crease prove`.
#[derive(Args)]
pub struct ProveArgs {
    /// The guest program: an ELF32 RISC-V (RV32IM) executable.
    elf: PathBuf,
}

/// Arguments of `crease verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The proof file.
    proof: PathBuf,
}

/// Proves a run.
pub fn prove(_args: &ProveArgs) -> Result<(), CliError> {
    Err(CliError::Unavailable(
        "the prover is not part of this build",
    ))
}

/// Verifies a proof.
pub fn verify(_args: &VerifyArgs) -> Result<(), CliError> {
    Err(CliError::Unavailable(
        "the verifier is not part of this build",
    ))
}
