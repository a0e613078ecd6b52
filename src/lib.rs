//! Crease: a folding-based zkVM for RISC-V RV32IM programs.
//!
//! This crate is the library facade: load a program, run it, and (as the prover lands) prove
//! and verify its execution.

#![forbid(unsafe_code)]

pub use crease_nvm as nvm;
