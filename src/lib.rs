//! Crease: a folding-based zkVM for RISC-V RV32IM programs.
//!
//! This crate is the library facade: load a program, run it, prove its execution and
//! verify the proof.
//!
//! ```no_run
//! use crease::nvm::encode::{addi, ecall, li};
//! use crease::{prove, setup, verify, Input, Isa, KeySource, Program, Proof, Segment, SetupConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // exit(a0 = 7): a hand-assembled program (an ELF works the same: `Program::from_elf`).
//! let mut code = li(17, 93).to_vec();
//! code.push(addi(10, 0, 7));
//! code.push(ecall());
//! let isa = Isa::rv32im();
//! let segment = Segment {
//!     vaddr: 0x1000,
//!     mem_size: 4 * code.len() as u32,
//!     data: code.iter().flat_map(|w| w.to_le_bytes()).collect(),
//!     read: true,
//!     write: false,
//!     exec: true,
//! };
//! let program = Program::from_parts(0x1000, vec![segment], &isa)?;
//! // The development key: proofs are forgeable. A ceremony's key for real use:
//! // SetupConfig::new(KeySource::Ptau("powersOfTau28_hez_final_17.ptau".into())).
//! let params = setup(&isa, &SetupConfig::development().with_k(64))?;
//! let (proof, execution) = prove(&params, &program, &Input::default())?;
//! let statement = verify(&params, &program, &[], &Proof::from_bytes(&proof.to_bytes()?)?)?;
//! assert_eq!(statement.exit_code, execution.exit_code);
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

pub use crease_circuits as circuits;
pub use crease_nvm as nvm;
pub use crease_pcd as pcd;

pub use crease_nvm::{run, Execution, Input, Isa, Program, RunOptions, Segment};
pub use crease_pcd::{
    compress, prove, prove_with, prove_with_progress, setup, verify, verify_compressed,
    CompressedProof, Error, KeySource, Params, Phase, Proof, ProveOptions, Rejection, SetupConfig,
    Statement, DEFAULT_K,
};
