//! Running a program: the fetch–execute loop, I/O set-up and results.

use std::io::Write;

use crate::error::{Fault, FaultKind};
use crate::layout::*;
use crate::machine::{Machine, Out};
use crate::program::{Program, ILLEGAL, NOT_CODE};
use crate::trace::{Trace, TraceSink, Tracer};
use crate::{Decoded, Error, Instruction, Pattern};

/// The guest's inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    /// Public input, known to the verifier; mapped at [`PUBLIC_INPUT`].
    pub public: Vec<u8>,
    /// Private input (hints), chosen by the prover; mapped at [`PRIVATE_INPUT`].
    pub private: Vec<u8>,
}

/// How to run a program.
pub struct RunOptions<'a> {
    /// Stop with a [`FaultKind::CycleLimit`] fault after this many instructions.
    pub max_cycles: u64,
    /// Record the full trace into [`Execution::trace`].
    pub trace: bool,
    /// Where the guest's fd 1 goes as it writes; `None` collects it in
    /// [`Execution::stdout`] (or in [`Error::Fault`] on a fault).
    pub stdout: Option<&'a mut dyn Write>,
    /// Where the guest's fd 2 goes; `None` collects it like `stdout`.
    pub stderr: Option<&'a mut dyn Write>,
}

/// The default cycle limit: 2³² instructions.
pub const DEFAULT_MAX_CYCLES: u64 = 1 << 32;

impl Default for RunOptions<'_> {
    fn default() -> Self {
        RunOptions {
            max_cycles: DEFAULT_MAX_CYCLES,
            trace: false,
            stdout: None,
            stderr: None,
        }
    }
}

/// How often one instruction circuit executed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstructionCount {
    /// The circuit's name.
    pub name: String,
    /// Executions.
    pub count: u64,
}

/// The result of a run that exited.
#[derive(Clone, Debug)]
pub struct Execution {
    /// The exit code (`a0` of `exit`).
    pub exit_code: i32,
    /// The public output region's contents at exit.
    pub public_output: Vec<u8>,
    /// Bytes written to fd 1, if not streamed to a sink.
    pub stdout: Vec<u8>,
    /// Bytes written to fd 2, if not streamed to a sink.
    pub stderr: Vec<u8>,
    /// Instructions executed, the final `ecall` included.
    pub cycles: u64,
    /// Executions per instruction circuit, indexed like the [`Isa`](crate::Isa).
    pub counts: Vec<InstructionCount>,
    /// The full trace, if requested.
    pub trace: Option<Trace>,
}

/// Runs `program` on `input` until it exits, faults or reaches the cycle limit.
pub fn run(program: &Program, input: &Input, options: RunOptions<'_>) -> Result<Execution, Error> {
    if options.trace {
        let mut trace = Trace::default();
        let mut exec = run_inner(program, input, options, Some(&mut trace))?;
        exec.trace = Some(trace);
        Ok(exec)
    } else {
        run_inner(program, input, options, None)
    }
}

/// Runs `program` and streams its trace into `sink` step by step (`options.trace` is
/// ignored; [`Execution::trace`] is `None`).
pub fn run_with_sink(
    program: &Program,
    input: &Input,
    options: RunOptions<'_>,
    sink: &mut dyn TraceSink,
) -> Result<Execution, Error> {
    run_inner(program, input, options, Some(sink))
}

fn run_inner(
    program: &Program,
    input: &Input,
    mut options: RunOptions<'_>,
    sink: Option<&mut dyn TraceSink>,
) -> Result<Execution, Error> {
    let mut memory = program.memory.clone();
    for (which, base, bytes) in [
        ("public", PUBLIC_INPUT, &input.public),
        ("private", PRIVATE_INPUT, &input.private),
    ] {
        if bytes.len() > MAX_IO_LEN {
            return Err(Error::InputTooLarge {
                which,
                len: bytes.len(),
                max: MAX_IO_LEN,
            });
        }
        memory.poke_word(base, bytes.len() as u32);
        memory.poke_bytes(base + 4, bytes);
    }
    let tracing = sink.is_some();
    let mut sink = sink;
    let sink: Option<&mut dyn TraceSink> = match &mut sink {
        Some(s) => Some(&mut **s),
        None => None,
    };
    let mut m = Machine::new(
        memory,
        program.entry,
        STACK_TOP,
        sink.map(Tracer::new),
        out(options.stdout.as_deref_mut()),
        out(options.stderr.as_deref_mut()),
    );
    let mut counts = vec![0u64; program.isa.len() + 2];
    let result = if tracing {
        execute::<true>(program, &mut m, options.max_cycles, &mut counts)
    } else {
        execute::<false>(program, &mut m, options.max_cycles, &mut counts)
    };
    let finished = result.and_then(|(cycles, exit_code)| {
        let len = m.mem.peek_word(PUBLIC_OUTPUT);
        if len as usize > MAX_IO_LEN {
            return Err(m.fault(FaultKind::OutputTooLong { len }));
        }
        Ok((cycles, exit_code, m.mem.peek_bytes(PUBLIC_OUTPUT + 4, len)))
    });
    let stdout = m.stdout.take();
    let stderr = m.stderr.take();
    let (cycles, exit_code, public_output) = match finished {
        Ok(done) => done,
        Err(fault) => {
            return Err(Error::Fault {
                fault,
                stdout,
                stderr,
            })
        }
    };
    let counts = program
        .isa
        .names()
        .zip(counts)
        .map(|(name, count)| InstructionCount {
            name: name.to_string(),
            count,
        })
        .collect();
    Ok(Execution {
        exit_code,
        public_output,
        stdout,
        stderr,
        cycles,
        counts,
        trace: None,
    })
}

fn out<'a>(sink: Option<&'a mut (dyn Write + '_)>) -> Out<'a> {
    match sink {
        Some(w) => Out::Stream(w as &mut dyn Write),
        None => Out::Capture(Vec::new()),
    }
}

/// The fetch–execute loop; returns (cycles, exit code).
fn execute<const TRACE: bool>(
    program: &Program,
    m: &mut Machine<'_>,
    max_cycles: u64,
    counts: &mut [u64],
) -> Result<(u64, i32), Fault> {
    let mut insts: Vec<&dyn Instruction> = program.isa.shared().iter().map(|i| &**i).collect();
    let n = insts.len() as u16;
    insts.push(&IllegalWord);
    insts.push(&OutsideCode);
    debug_assert_eq!(insts.len(), (n + NOT_CODE + 1) as usize);
    debug_assert_eq!(ILLEGAL, 0);
    // Cycles per instruction (the two fault-raising entries never complete).
    let spans: Vec<u64> = insts.iter().map(|i| i.cycles() as u64).collect();
    let slots = &program.slots[..];
    let base = program.code_base;
    let mut pc = program.entry;
    let mut cycle = 0u64;
    loop {
        if cycle >= max_cycles {
            return Err(Fault {
                kind: FaultKind::CycleLimit { limit: max_cycles },
                pc,
                cycle,
            });
        }
        let Some(slot) = slots.get((pc.wrapping_sub(base) >> 2) as usize) else {
            return Err(Fault {
                kind: FaultKind::PcOutsideCode,
                pc,
                cycle,
            });
        };
        let inst = slot.inst as usize;
        let span = spans[inst];
        if cycle + span > max_cycles {
            return Err(Fault {
                kind: FaultKind::CycleLimit { limit: max_cycles },
                pc,
                cycle,
            });
        }
        m.begin(pc, cycle);
        if TRACE {
            if let Some(t) = &mut m.tracer {
                t.begin(cycle, pc, span as u32);
            }
        }
        insts[inst].execute(&slot.d, m)?;
        counts[inst] += 1;
        let next = m.next_pc();
        if TRACE {
            if let Some(t) = &mut m.tracer {
                if !t.end(cycle, pc, next, slot.word, slot.inst) {
                    return Err(m.trace_overflow(span as u32));
                }
            }
        }
        cycle += span;
        if let Some(code) = m.exit {
            return Ok((cycle, code));
        }
        pc = next;
    }
}

/// Executes an illegal word in the decode table: faults naming it.
struct IllegalWord;

impl Instruction for IllegalWord {
    fn name(&self) -> &str {
        "(illegal)"
    }
    fn patterns(&self) -> &[Pattern] {
        &[]
    }
    fn decode(&self, _word: u32) -> Option<Decoded> {
        None
    }
    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        Err(m.fault(FaultKind::IllegalInstruction { word: d.imm as u32 }))
    }
}

/// Executes a gap between executable segments: the pc left the code.
struct OutsideCode;

impl Instruction for OutsideCode {
    fn name(&self) -> &str {
        "(outside code)"
    }
    fn patterns(&self) -> &[Pattern] {
        &[]
    }
    fn decode(&self, _word: u32) -> Option<Decoded> {
        None
    }
    fn execute(&self, _d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        Err(m.fault(FaultKind::PcOutsideCode))
    }
}
