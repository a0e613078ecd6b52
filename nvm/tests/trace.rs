//! Trace correctness: timestamps, previous timestamps, value chains, word granularity.

mod common;

use std::collections::HashMap;

use common::*;
use crease_nvm::encode::*;
use crease_nvm::layout::*;
use crease_nvm::trace::TS_PER_STEP;
use crease_nvm::{
    run, run_with_sink, timestamp, Access, Decoded, Error, Fault, FaultKind, Input, Instruction,
    Isa, Machine, Pattern, Program, RunOptions, Space, Step, Trace, TraceSink,
};

/// Sums the public input bytes into RAM word by byte stores, writes a message, and exits
/// with the sum.
fn busy_program() -> Vec<u32> {
    let mut code = set(T0, PUBLIC_INPUT);
    code.push(lw(T1, T0, 0)); // len
    code.push(addi(T0, T0, 4)); // bytes
    code.extend(set(A1, RAM_START + 0x100));
    code.push(addi(T2, 0, 0)); // sum
                               // loop:
    code.push(beq(T1, 0, 28)); // -> done
    code.push(lbu(A2, T0, 0));
    code.push(add(T2, T2, A2));
    code.push(sb(T2, A1, 1)); // byte store into a RAM word
    code.push(addi(T0, T0, 1));
    code.push(addi(T1, T1, -1));
    code.push(jal(0, -24));
    // done:
    code.push(sw(T2, A1, 4));
    code.extend(set(A1, DATA));
    code.push(addi(A0, 0, 1));
    code.push(addi(A2, 0, 3));
    code.push(addi(A7, 0, 64));
    code.push(ecall());
    code.push(lw(T2, A1, 0x104 - 0x100)); // reads DATA+4 (0xaaaaaaaa)
    code.extend(set(A1, RAM_START + 0x100));
    code.push(lw(T2, A1, 4));
    then_exit_with(code, T2)
}

fn input() -> Input {
    Input {
        public: (1..=20).collect(),
        private: vec![],
    }
}

fn traced(code: &[u32]) -> (Program, crease_nvm::Execution) {
    let program = program(code);
    let options = RunOptions {
        trace: true,
        ..RunOptions::default()
    };
    let exec = run(&program, &input(), options).unwrap();
    (program, exec)
}

#[test]
fn steps_chain_and_match_the_code() {
    let (program, exec) = traced(&busy_program());
    assert_eq!(exec.exit_code, 210);
    assert_eq!(exec.stdout, [0xaa; 3]);
    let trace = exec.trace.as_ref().unwrap();
    assert_eq!(trace.steps.len() as u64, exec.cycles);
    assert_eq!(trace.steps[0].pc, program.entry());
    for (i, s) in trace.steps.iter().enumerate() {
        assert_eq!(s.t, i as u64);
        let cw = program.code_word(s.pc).unwrap();
        assert_eq!(s.word, cw.word);
        assert_eq!(s.inst as usize, cw.decoded.unwrap().0);
        if let Some(next) = trace.steps.get(i + 1) {
            assert_eq!(s.next_pc, next.pc);
        }
    }
    let mut per_inst = vec![0u64; program.isa().len()];
    for s in &trace.steps {
        per_inst[s.inst as usize] += 1;
    }
    let counts: Vec<u64> = exec.counts.iter().map(|c| c.count).collect();
    assert_eq!(per_inst, counts);
}

#[test]
fn timestamps_increase_and_values_chain() {
    let (program, exec) = traced(&busy_program());
    let trace = exec.trace.unwrap();
    let mut last_ts = 0u64;
    // (space, addr) -> (ts, value) of the last access
    let mut state: HashMap<(Space, u32), (u64, u32)> = HashMap::new();
    let mut covered = 0u64;
    for step in &trace.steps {
        let accesses = trace.accesses_of(step);
        assert_eq!(step.first_access, covered);
        covered += accesses.len() as u64;
        assert_eq!(accesses[0].space, Space::Pc);
        assert_eq!(
            (accesses[0].read, accesses[0].write),
            (step.pc, step.next_pc)
        );
        for (j, a) in accesses.iter().enumerate() {
            let ts = timestamp(step.t, j);
            assert_eq!(ts, TS_PER_STEP * (step.t + 1) + j as u64);
            assert!(ts > last_ts);
            last_ts = ts;
            assert!(a.prev_ts < ts);
            let initial = match a.space {
                Space::Pc => program.entry(),
                Space::Reg if a.addr == 2 => STACK_TOP,
                Space::Reg => 0,
                Space::Mem => a.read, // checked below for the words we know
            };
            let (prev_ts, prev_value) = state
                .get(&(a.space, a.addr))
                .copied()
                .unwrap_or((0, initial));
            assert_eq!(a.prev_ts, prev_ts, "{a:?}");
            assert_eq!(a.read, prev_value, "{a:?}");
            if a.space == Space::Reg && a.addr == 0 {
                assert_eq!(a.write, 0);
            }
            if a.space == Space::Mem {
                assert_eq!(a.addr % 4, 0);
                if a.prev_ts == 0 && a.addr == PUBLIC_INPUT {
                    assert_eq!(a.read, 20);
                }
                if a.prev_ts == 0 && a.addr == DATA + 4 {
                    assert_eq!(a.read, 0xaaaa_aaaa);
                }
            }
            state.insert((a.space, a.addr), (ts, a.write));
        }
    }
    assert_eq!(covered, trace.accesses.len() as u64);
    assert_eq!(state[&(Space::Mem, RAM_START + 0x104)].1, 210);
}

#[test]
fn byte_stores_read_and_write_whole_words() {
    let mut code = set(T0, DATA);
    code.extend(set(T1, 0x1234_56ff));
    code.push(sb(T1, T0, 2));
    code.push(sh(T1, T0, 4));
    code.push(lb(T2, T0, 2));
    let (_, exec) = traced(&then_exit_with(code, T2));
    assert_eq!(exec.exit_code, -1);
    let trace = exec.trace.unwrap();
    let mem: Vec<Access> = trace
        .accesses
        .iter()
        .filter(|a| a.space == Space::Mem)
        .copied()
        .collect();
    assert_eq!(mem.len(), 3);
    assert_eq!(
        (mem[0].addr, mem[0].read, mem[0].write),
        (DATA, 0xaaaa_aaaa, 0xaaff_aaaa)
    );
    assert_eq!(
        (mem[1].addr, mem[1].read, mem[1].write),
        (DATA + 4, 0xaaaa_aaaa, 0xaaaa_56ff)
    );
    assert_eq!(
        (mem[2].addr, mem[2].read, mem[2].write),
        (DATA, 0xaaff_aaaa, 0xaaff_aaaa)
    );
    let store_step = trace.steps.iter().find(|s| s.pc == CODE + 16).unwrap();
    assert_eq!(mem[2].prev_ts, timestamp(store_step.t, 3));
}

#[test]
fn instruction_accesses_are_what_the_instruction_touches() {
    let code = then_exit_with(vec![addi(T0, 0, 7), add(T2, T0, T0)], T2);
    let (_, exec) = traced(&code);
    let trace = exec.trace.unwrap();
    let add_step = &trace.steps[1];
    let acc = trace.accesses_of(add_step);
    let shape: Vec<(Space, u32, u32, u32)> = acc
        .iter()
        .map(|a| (a.space, a.addr, a.read, a.write))
        .collect();
    assert_eq!(
        shape,
        vec![
            (Space::Pc, 0, CODE + 4, CODE + 8),
            (Space::Reg, T0 as u32, 7, 7),
            (Space::Reg, T0 as u32, 7, 7),
            (Space::Reg, T2 as u32, 0, 14),
        ]
    );
}

#[test]
fn traced_and_untraced_runs_agree_and_sinks_stream() {
    let program = program(&busy_program());
    let plain = run(&program, &input(), RunOptions::default()).unwrap();
    assert!(plain.trace.is_none());
    let (_, traced) = traced(&busy_program());
    assert_eq!(
        (plain.exit_code, plain.cycles, &plain.stdout, &plain.counts),
        (
            traced.exit_code,
            traced.cycles,
            &traced.stdout,
            &traced.counts
        )
    );
    struct Collect(Trace, u64);
    impl TraceSink for Collect {
        fn step(&mut self, step: &Step, accesses: &[Access]) {
            self.1 += 1;
            self.0.step(step, accesses);
        }
    }
    let mut sink = Collect(Trace::default(), 0);
    let streamed = run_with_sink(&program, &input(), RunOptions::default(), &mut sink).unwrap();
    assert!(streamed.trace.is_none());
    assert_eq!(sink.1, plain.cycles);
    assert_eq!(Some(sink.0), traced.trace);
}

/// Touches 16 memory words in one instruction: more than a trace step holds.
struct Greedy;

impl Instruction for Greedy {
    fn name(&self) -> &str {
        "greedy"
    }
    fn patterns(&self) -> &[Pattern] {
        const P: [Pattern; 1] = [Pattern::r_type(0b000_1011, 7, 0x7f)];
        &P
    }
    fn decode(&self, word: u32) -> Option<Decoded> {
        Some(crease_nvm::decode::r_fields(word))
    }
    fn execute(&self, d: &Decoded, m: &mut Machine<'_>) -> Result<(), Fault> {
        let base = m.reg(d.rs1);
        let mut sum = 0u32;
        for i in 0..15 {
            sum = sum.wrapping_add(m.load_u32(base + 4 * i)?);
        }
        m.set_reg(d.rd, sum);
        Ok(())
    }
}

#[test]
fn too_many_accesses_fault_when_tracing() {
    let isa = Isa::rv32im().with(Greedy).unwrap();
    let mut code = set(T0, DATA);
    code.push(r(0b000_1011, 7, 0x7f, T2, T0, 0));
    let code = then_exit_with(code, T2);
    let program = Program::from_parts(CODE, segments(&code), &isa).unwrap();
    // Untraced it runs: 4 words of 0xaaaaaaaa, the rest zero.
    let exec = run(&program, &Input::default(), RunOptions::default()).unwrap();
    assert_eq!(exec.exit_code as u32, 0xaaaa_aaaau32.wrapping_mul(4));
    let options = RunOptions {
        trace: true,
        ..RunOptions::default()
    };
    match run(&program, &Input::default(), options) {
        Err(Error::Fault { fault, .. }) => {
            assert_eq!(fault.kind, FaultKind::TooManyAccesses { max: 15 });
            assert_eq!((fault.pc, fault.cycle), (CODE + 8, 2));
        }
        other => panic!("{other:?}"),
    }
}
