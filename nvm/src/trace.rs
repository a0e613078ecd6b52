//! Execution traces: what the prover consumes.
//!
//! Every executed instruction is a [`Step`]; every register, pc and memory access it makes is
//! an [`Access`] (address, value read, value written, previous timestamp). The pc is a
//! register of its own ([`Space::Pc`]): access 0 of every step reads the pc and writes the
//! next pc, which chains the steps into one sequence.
//!
//! Timestamps: timestamp 0 is the initial state (program image, inputs, registers at entry).
//! A step's `t` is the cycle it starts at (cycles count from 0; most instructions take one,
//! a bulk co-processor `c` of them, see [`Instruction::cycles`](crate::Instruction::cycles)).
//! Access `j` of step `t` has timestamp `TS_PER_STEP * (t + 1) + j`, with `j = 0` the pc
//! access, whose write (the next pc) is stamped `TS_PER_STEP * (t + c)` instead: the next
//! step, at cycle `t + c`, reads the pc with that previous timestamp. Timestamps of one
//! cell strictly increase within and across steps. A step of `c` cycles may make at most
//! [`max_accesses`]`(c)` register and memory accesses besides the pc.
//! Memory accesses are word-granular: a byte or halfword store reads the whole old word and
//! writes the whole new word; a load records the word read, unchanged.

use crate::memory::{N_PAGES, PAGE_SHIFT, PAGE_WORDS};

/// Timestamps reserved per step.
pub const TS_PER_STEP: u64 = 16;
/// Register and memory accesses a one-cycle step may make (besides the pc access).
pub const MAX_ACCESSES: u32 = (TS_PER_STEP - 1) as u32;
/// The most cycles one instruction may take.
pub const MAX_CYCLES_PER_INSTRUCTION: u32 = 16;

/// Register and memory accesses a step of `cycles` cycles may make (besides the pc access).
#[inline]
pub const fn max_accesses(cycles: u32) -> u32 {
    TS_PER_STEP as u32 * cycles - 1
}

/// The address space of an access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Space {
    /// The program counter (address 0).
    Pc = 0,
    /// A general-purpose register (address 0–31).
    Reg = 1,
    /// A memory word (address: the word's byte address, a multiple of four).
    Mem = 2,
}

/// The timestamp of access `j` of step `t`.
#[inline]
pub const fn timestamp(t: u64, j: usize) -> u64 {
    TS_PER_STEP * (t + 1) + j as u64
}

/// One access: a read of `read` followed by a write of `write` (equal for a pure read).
///
/// Its own timestamp is not stored: access `j` of step `t` has [`timestamp`]`(t, j)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Access {
    /// The timestamp of the previous access to the same address (0: the initial state).
    pub prev_ts: u64,
    /// The address within its space.
    pub addr: u32,
    /// The value before the access.
    pub read: u32,
    /// The value after the access.
    pub write: u32,
    /// The address space.
    pub space: Space,
}

/// One executed instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Step {
    /// The cycle it starts at, from 0 (its position in the execution when every
    /// instruction takes one cycle).
    pub t: u64,
    /// Its address.
    pub pc: u32,
    /// The address of the next instruction.
    pub next_pc: u32,
    /// The instruction word.
    pub word: u32,
    /// The index in the [`Isa`](crate::Isa) of the instruction circuit that executed it.
    pub inst: u16,
    /// How many accesses it made (including the pc access).
    pub access_count: u16,
    /// Index of its first access among all accesses of the run.
    pub first_access: u64,
}

/// A consumer of trace steps as they are produced, so long runs need not hold the whole
/// trace in memory.
pub trait TraceSink {
    /// Receives one executed step and its accesses (pc access first).
    fn step(&mut self, step: &Step, accesses: &[Access]);
}

/// A whole trace in two flat vectors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// The steps in execution order.
    pub steps: Vec<Step>,
    /// All accesses in order; step `s` owns
    /// `accesses[s.first_access .. s.first_access + s.access_count]`.
    pub accesses: Vec<Access>,
}

impl Trace {
    /// Steps with their accesses, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&Step, &[Access])> {
        self.steps.iter().map(|s| (s, self.accesses_of(s)))
    }

    /// The accesses of one step.
    pub fn accesses_of(&self, step: &Step) -> &[Access] {
        let start = step.first_access as usize;
        &self.accesses[start..start + step.access_count as usize]
    }
}

impl TraceSink for Trace {
    fn step(&mut self, step: &Step, accesses: &[Access]) {
        self.steps.push(*step);
        self.accesses.extend_from_slice(accesses);
    }
}

type TsPage = [u64; PAGE_WORDS];

/// The executor's bookkeeping while tracing: last timestamps and the current step's accesses.
pub(crate) struct Tracer<'a> {
    sink: &'a mut dyn TraceSink,
    reg_ts: [u64; 32],
    pc_ts: u64,
    mem_ts: Vec<Option<Box<TsPage>>>,
    accesses: Vec<Access>,
    base: u64,
    limit: u64,
    overflow: bool,
    total: u64,
}

impl<'a> Tracer<'a> {
    pub(crate) fn new(sink: &'a mut dyn TraceSink) -> Self {
        Tracer {
            sink,
            reg_ts: [0; 32],
            pc_ts: 0,
            mem_ts: vec![None; N_PAGES],
            accesses: Vec::with_capacity(TS_PER_STEP as usize),
            base: 0,
            limit: TS_PER_STEP,
            overflow: false,
            total: 0,
        }
    }

    /// Starts the step at cycle `t`, of `cycles` cycles.
    pub(crate) fn begin(&mut self, t: u64, pc: u32, cycles: u32) {
        self.accesses.clear();
        self.overflow = false;
        self.base = TS_PER_STEP * (t + 1);
        self.limit = TS_PER_STEP * cycles as u64;
        self.accesses.push(Access {
            space: Space::Pc,
            addr: 0,
            read: pc,
            write: pc,
            prev_ts: self.pc_ts,
        });
        self.pc_ts = self.base + self.limit - TS_PER_STEP;
    }

    #[inline]
    fn next_ts(&mut self) -> u64 {
        let j = self.accesses.len() as u64;
        if j >= self.limit {
            self.overflow = true;
        }
        self.base + j
    }

    #[inline]
    pub(crate) fn reg(&mut self, r: usize, read: u32, write: u32) {
        let ts = self.next_ts();
        let prev_ts = std::mem::replace(&mut self.reg_ts[r & 31], ts);
        self.accesses.push(Access {
            space: Space::Reg,
            addr: r as u32,
            read,
            write,
            prev_ts,
        });
    }

    #[inline]
    pub(crate) fn mem(&mut self, word_addr: u32, read: u32, write: u32) {
        let ts = self.next_ts();
        let page = self.mem_ts[(word_addr >> PAGE_SHIFT) as usize]
            .get_or_insert_with(|| Box::new([0; PAGE_WORDS]));
        let slot = &mut page[((word_addr >> 2) as usize) & (PAGE_WORDS - 1)];
        let prev_ts = std::mem::replace(slot, ts);
        self.accesses.push(Access {
            space: Space::Mem,
            addr: word_addr,
            read,
            write,
            prev_ts,
        });
    }

    /// Finishes the step; `false` if it made too many accesses.
    pub(crate) fn end(&mut self, t: u64, pc: u32, next_pc: u32, word: u32, inst: u16) -> bool {
        if self.overflow {
            return false;
        }
        self.accesses[0].write = next_pc;
        let step = Step {
            t,
            pc,
            next_pc,
            word,
            inst,
            access_count: self.accesses.len() as u16,
            first_access: self.total,
        };
        self.total += self.accesses.len() as u64;
        self.sink.step(&step, &self.accesses);
        true
    }
}
