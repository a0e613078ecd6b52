//! The circuit half of an instruction: what an instruction circuit implements.
//!
//! An [`InstructionCircuit`] is paired with the `crease_nvm::Instruction` of the same
//! [`name`](InstructionCircuit::name). It declares which decoded fields it uses and which
//! register and memory accesses it makes (in the order the native half makes them), and
//! it constrains ONE execution given the allocated record ([`ExecVar`]). The shared part
//! ([`crate::batch`]) does everything else for every instruction: the fetch lookup of
//! `(pc, decoded fields)`, the pc cell, the memory tuples of each access with their
//! timestamp ordering, and the range checks of every value read or written.

use std::sync::Arc;

use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::SynthesisError;
use crease_nvm::trace::{Access, Space, Step};
use crease_nvm::Decoded;

use crate::gadgets::{Bounded, Ctx};
use crate::Fr;

/// Which decoded fields a circuit reads; unused fields must be zero in the decoded form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    /// `rd` (and the derived flag `rd ≠ 0`).
    pub rd: bool,
    /// `rs1`.
    pub rs1: bool,
    /// `rs2`.
    pub rs2: bool,
    /// `op`.
    pub op: bool,
    /// `imm` (as a 32-bit pattern).
    pub imm: bool,
}

/// A register operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reg {
    /// The register named by `rd`.
    Rd,
    /// The register named by `rs1`.
    Rs1,
    /// The register named by `rs2`.
    Rs2,
    /// A fixed register (an `ecall` argument, say).
    Fixed(u8),
}

/// One access after the pc access, in the order the native half makes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessKind {
    /// Reads a register (written back unchanged).
    RegRead(Reg),
    /// Reads a register and writes a new value.
    RegWrite(Reg),
    /// Reads a memory word, writable or read-only (written back unchanged).
    MemRead,
    /// Reads a writable memory word and writes a new value.
    MemWrite,
}

impl AccessKind {
    /// Whether the access writes a new value.
    pub fn writes(self) -> bool {
        matches!(self, AccessKind::RegWrite(_) | AccessKind::MemWrite)
    }
    /// Whether the access is to memory (values as four bytes) rather than a register
    /// (values as two 16-bit limbs).
    pub fn is_mem(self) -> bool {
        matches!(self, AccessKind::MemRead | AccessKind::MemWrite)
    }
}

/// One access of an execution record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccessRecord {
    /// Register number or word address.
    pub addr: u32,
    /// The value before.
    pub read: u32,
    /// The value after.
    pub write: u32,
    /// The timestamp of the previous access to the same cell.
    pub prev_ts: u64,
    /// For memory: whether the word is read-only.
    pub read_only: bool,
}

/// One execution as the circuits see it, taken from the trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecRecord {
    /// Its step number.
    pub t: u64,
    /// Its address.
    pub pc: u32,
    /// The next pc the native machine took.
    pub next_pc: u32,
    /// The decoded instruction.
    pub d: Decoded,
    /// Its register and memory accesses (the pc access excluded), in order.
    pub accesses: Vec<AccessRecord>,
}

impl ExecRecord {
    /// The record of a trace step; `read_only` tells whether a memory word is read-only.
    pub fn from_trace(
        step: &Step,
        d: Decoded,
        accesses: &[Access],
        read_only: impl Fn(u32) -> bool,
    ) -> Self {
        let accesses = accesses
            .iter()
            .skip(1)
            .map(|a| AccessRecord {
                addr: a.addr,
                read: a.read,
                write: a.write,
                prev_ts: a.prev_ts,
                read_only: a.space == Space::Mem && read_only(a.addr),
            })
            .collect();
        ExecRecord {
            t: step.t,
            pc: step.pc,
            next_pc: step.next_pc,
            d,
            accesses,
        }
    }

    /// The read value of access `j`, zero if the execution did not make it.
    pub fn read(&self, j: usize) -> u32 {
        self.accesses.get(j).map_or(0, |a| a.read)
    }

    /// The written value of access `j`, zero if the execution did not make it.
    pub fn written(&self, j: usize) -> u32 {
        self.accesses.get(j).map_or(0, |a| a.write)
    }
}

/// One allocated access.
#[derive(Clone, Debug)]
pub struct AccessVar {
    /// The access kind.
    pub kind: AccessKind,
    /// The value read.
    pub read: FpVar<Fr>,
    /// The value written (the same variable as `read` for pure reads).
    pub write: FpVar<Fr>,
    /// The read value's limbs: two 16-bit limbs (registers) or four bytes (memory),
    /// least significant first, each range-checked.
    pub read_limbs: Vec<Bounded>,
    /// The written value's limbs (empty for pure reads), range-checked.
    pub write_limbs: Vec<Bounded>,
    /// The cell address: set by the shared part for registers; a memory access's word
    /// address must be set by the instruction circuit (a multiple of four, bounded below
    /// `2^32`, as [`crate::isa::word_addr`] makes it).
    pub addr: Option<Bounded>,
    /// A 0/1 flag, `None` meaning "always": an access the instruction does not make for
    /// some operations (its record is then a zero dummy).
    pub enable: Option<FpVar<Fr>>,
}

/// One allocated execution.
#[derive(Clone, Debug)]
pub struct ExecVar {
    /// The pc (range-checked, bound by the fetch lookup).
    pub pc: FpVar<Fr>,
    /// `rd` (a byte, bound by the fetch lookup); zero if not in [`Fields`].
    pub rd: FpVar<Fr>,
    /// `rd ≠ 0` as 0/1.
    pub rd_nz: FpVar<Fr>,
    /// `rs1`.
    pub rs1: FpVar<Fr>,
    /// `rs2`.
    pub rs2: FpVar<Fr>,
    /// `op`.
    pub op: FpVar<Fr>,
    /// The immediate as a 32-bit pattern.
    pub imm: FpVar<Fr>,
    /// The immediate's 16-bit limbs.
    pub imm_limbs: [Bounded; 2],
    /// The accesses.
    pub acc: Vec<AccessVar>,
}

impl ExecVar {
    /// Enforces that register access `j` writes `result` to `rd`, or zero if `rd = x0`.
    pub fn write_rd(&self, j: usize, result: &FpVar<Fr>) -> Result<(), SynthesisError> {
        self.rd_nz.mul_equals(result, &self.acc[j].write)
    }
}

/// The proving half of an instruction.
pub trait InstructionCircuit: Send + Sync {
    /// The name of the paired `crease_nvm::Instruction`.
    fn name(&self) -> &str;

    /// The decoded fields it uses.
    fn fields(&self) -> Fields;

    /// Its register and memory accesses after the pc access: at most
    /// `crease_nvm::trace::max_accesses(self.cycles())`.
    fn accesses(&self) -> &[AccessKind];

    /// The cycles one execution takes: the native half's `Instruction::cycles` (checked
    /// when the circuits are paired with an instruction set). One for ordinary
    /// instructions; a co-processor that touches memory in bulk takes more, so that its
    /// accesses get timestamps of their own.
    fn cycles(&self) -> u32 {
        1
    }

    /// The most executions per folding step its chain takes unless the set-up names a
    /// batch size for it: a circuit of tens of thousands of constraints per execution
    /// wants far fewer than the default (1,024), so that a step stays a few hundred
    /// thousand constraints. `None`: no cap.
    fn max_batch(&self) -> Option<usize> {
        None
    }

    /// The declared width in bits (1 to 16) of each logic witness value (`W1`) of one
    /// execution, in order. The shared part enforces every width (a bit constraint or range
    /// lookups) before [`Self::constrain`] sees the values, so a cheating prover cannot put
    /// a value off its range.
    fn witness_layout(&self) -> Vec<u32>;

    /// The logic witness of one execution: one small value per entry of
    /// [`Self::witness_layout`], each within its width.
    fn witness(&self, rec: &ExecRecord) -> Vec<u64>;

    /// Constrains one execution: relates the accesses' values and addresses to the decoded
    /// fields, sets memory addresses and enable flags, and returns the next pc (an
    /// expression that is below `2^32`, or [`HALTED`](crate::pack::HALTED) plus the exit
    /// code). `w` holds the logic witness as allocated, each value already range-checked
    /// to its declared width.
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError>;
}

impl<T: InstructionCircuit + ?Sized> InstructionCircuit for Arc<T> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn fields(&self) -> Fields {
        (**self).fields()
    }
    fn accesses(&self) -> &[AccessKind] {
        (**self).accesses()
    }
    fn cycles(&self) -> u32 {
        (**self).cycles()
    }
    fn max_batch(&self) -> Option<usize> {
        (**self).max_batch()
    }
    fn witness_layout(&self) -> Vec<u32> {
        (**self).witness_layout()
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        (**self).witness(rec)
    }
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        (**self).constrain(ctx, x, w)
    }
}

/// The logic witness of one execution as the circuit sees it: `w[i]` (or a range `w[a..b]`)
/// is the variable, [`Logic::cell`] the same value as [`Bounded`] for lookup fields.
#[derive(Clone, Debug)]
pub struct Logic {
    vars: Vec<FpVar<Fr>>,
    cells: Vec<Bounded>,
}

impl Logic {
    /// The logic witness of range-checked cells.
    pub(crate) fn new(cells: Vec<Bounded>) -> Self {
        Logic {
            vars: cells.iter().map(|c| c.var().clone()).collect(),
            cells,
        }
    }

    /// Value `i` with its checked width.
    pub fn cell(&self, i: usize) -> Result<&Bounded, SynthesisError> {
        self.cells.get(i).ok_or(SynthesisError::Unsatisfiable)
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }
}

impl<I: std::slice::SliceIndex<[FpVar<Fr>]>> std::ops::Index<I> for Logic {
    type Output = I::Output;
    fn index(&self, i: I) -> &I::Output {
        &self.vars[i]
    }
}
