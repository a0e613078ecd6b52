//! The instruction trait: what a user implements to add an instruction circuit.

use crate::decode::{Decoded, Pattern};
use crate::error::Fault;
use crate::machine::Machine;

/// One instruction circuit of an instruction set: a single opcode or a family of them.
///
/// This is the native half: which words it decodes and what executing one does. The proving
/// half (an R1CS gadget for a batch of executions) lives in the `circuits` crate, which pairs
/// each instruction with its gadget by [`name`](Self::name) and by its index in the
/// [`Isa`](crate::Isa); both are stable for a given set.
///
/// Co-processors are instructions in the custom-0 (`0b0001011`) or custom-1 (`0b0101011`)
/// opcode space, R-type, selected by `funct3`/`funct7` (see [`Pattern::r_type`]).
///
/// Contract:
/// - [`decode`](Self::decode) returns `Some` only for words matched by one of
///   [`patterns`](Self::patterns) (words outside them are never offered to it), and is pure.
/// - [`execute`](Self::execute) reads and writes state only through the [`Machine`], makes
///   at most [`max_accesses`](crate::trace::max_accesses)`(self.cycles())` register and
///   memory accesses, and is deterministic: its effect depends only on the decoded word and
///   the state it reads.
pub trait Instruction: Send + Sync {
    /// A stable name, unique within an instruction set; it appears in reports and in the
    /// ISA digest, so changing it changes every proof statement.
    fn name(&self) -> &str;

    /// The words this instruction may decode. Two instructions of one set must not claim a
    /// common word.
    fn patterns(&self) -> &[Pattern];

    /// Decodes `word` (which matches one of [`patterns`](Self::patterns)), or `None` if it
    /// is not a valid encoding of this instruction.
    fn decode(&self, word: u32) -> Option<Decoded>;

    /// Executes one decoded instruction: reads its operands, writes its results, and sets
    /// the next pc if it is not `pc + 4`.
    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault>;

    /// The cycles one execution takes, from 1 to
    /// [`MAX_CYCLES_PER_INSTRUCTION`](crate::trace::MAX_CYCLES_PER_INSTRUCTION): each cycle
    /// holds [`TS_PER_STEP`](crate::trace::TS_PER_STEP) timestamps, so an execution of `c`
    /// cycles may make `16·c − 1` accesses (a co-processor that reads and writes memory in
    /// bulk). The cycle count advances by it, and the proof's step count is in cycles.
    /// Ordinary instructions take one. Part of the ISA digest.
    fn cycles(&self) -> u32 {
        1
    }
}
