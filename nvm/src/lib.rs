//! The Crease virtual machine: an RV32IM emulator with a pluggable instruction set.
//!
//! - [`Isa`] is a list of instruction circuits, each implementing [`Instruction`]
//!   (decoding + native semantics); [`Isa::rv32im`] is the standard set, built from the same
//!   trait a co-processor implements.
//! - [`Program::from_elf`] loads an ELF32 RISC-V executable and decodes all its code up
//!   front; [`run`] executes it under a cycle limit and optionally records the [`Trace`]
//!   the prover consumes.
//!
//! ```no_run
//! # fn main() -> Result<(), crease_nvm::Error> {
//! use crease_nvm::{run, Input, Isa, Program, RunOptions};
//! let bytes = std::fs::read("guest.elf").unwrap_or_default();
//! let program = Program::from_elf(&bytes, &Isa::rv32im())?;
//! let exec = run(&program, &Input::default(), RunOptions::default())?;
//! println!("exit {} after {} cycles", exec.exit_code, exec.cycles);
//! # Ok(()) }
//! ```
//!
//! The memory map and system calls are in docs/ABI.md ([`layout`] has the constants).

#![forbid(unsafe_code)]

pub mod decode;
mod elf;
pub mod encode;
mod error;
mod executor;
mod instruction;
pub mod isa;
pub mod layout;
mod machine;
mod memory;
mod program;
pub mod trace;

pub use decode::{Decoded, Pattern};
pub use error::{Error, Fault, FaultKind, Region};
pub use executor::{
    run, run_with_sink, Execution, Input, InstructionCount, RunOptions, DEFAULT_MAX_CYCLES,
};
pub use instruction::Instruction;
pub use isa::Isa;
pub use machine::Machine;
pub use program::{CodeWord, Program, Segment, MAX_CODE_SPAN, TRAP_WORDS};
pub use trace::{timestamp, Access, Space, Step, Trace, TraceSink};
