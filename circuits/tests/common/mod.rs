//! The differential harness shared by every instruction circuit: run the real NVM, take
//! each execution's trace record, synthesize it in a batch and check it against the native
//! semantics (R1CS satisfied, every lookup a table entry, and the memory sum equal to the
//! one of the tuples the native trace made).
#![allow(dead_code)]

use std::sync::Arc;

use ark_ff::{Field, UniformRand};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::ConstraintSystem;
use crease_circuits::pack::{self, mem_tuple, space, HALTED, TS_PER_STEP};
use crease_circuits::scan::MemoryMap;
use crease_circuits::tables::{all_entries, Multiplicities};
use crease_circuits::{AccessKind, Batch, ExecRecord, Fr, InstructionCircuit};
use crease_nvm::encode::*;
use crease_nvm::{run, Input, Isa, Program, RunOptions, Segment, Trace};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Code, data and read-only data addresses of generated programs.
pub const CODE: u32 = 0x1000;
pub const DATA: u32 = 0x10_0000;
pub const RODATA: u32 = 0x20_0000;
pub const DATA_SIZE: u32 = 0x1000;

/// The run's challenges.
#[derive(Clone, Copy, Debug)]
pub struct Challenges {
    pub gamma: Fr,
    pub beta: Fr,
    pub alpha: Fr,
}

impl Challenges {
    pub fn random(rng: &mut impl Rng) -> Self {
        Challenges {
            gamma: Fr::rand(rng),
            beta: Fr::rand(rng),
            alpha: Fr::rand(rng),
        }
    }
}

/// Why a record was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reject {
    Witness(String),
    Unsatisfied(String),
    NotInTable(u64),
    MemoryMismatch,
}

/// A program, its run and its tables.
pub struct Env {
    pub program: Program,
    pub trace: Trace,
    pub map: MemoryMap,
    pub tables: Multiplicities,
    pub circuits: Vec<Arc<dyn InstructionCircuit>>,
    pub exit_code: i32,
}

pub fn segments(code: &[u32], data: &[u8]) -> Vec<Segment> {
    vec![
        Segment {
            vaddr: CODE,
            mem_size: 4 * code.len() as u32,
            data: code.iter().flat_map(|w| w.to_le_bytes()).collect(),
            read: true,
            write: false,
            exec: true,
        },
        Segment {
            vaddr: DATA,
            mem_size: DATA_SIZE,
            data: data.to_vec(),
            read: true,
            write: true,
            exec: false,
        },
        Segment {
            vaddr: RODATA,
            mem_size: DATA_SIZE,
            data: data.to_vec(),
            read: true,
            write: false,
            exec: false,
        },
    ]
}

impl Env {
    /// Runs `code` (which must exit) with `isa` and the given circuits.
    pub fn run(
        code: &[u32],
        isa: &Isa,
        circuits: Vec<Arc<dyn InstructionCircuit>>,
        input: &Input,
    ) -> Env {
        let data: Vec<u8> = (0..256u32).map(|i| (i * 37 + 11) as u8).collect();
        let program = Program::from_parts(CODE, segments(code, &data), isa).expect("loads");
        let exec = run(
            &program,
            input,
            RunOptions {
                trace: true,
                ..RunOptions::default()
            },
        )
        .expect("runs to exit");
        let map = MemoryMap::new(&program);
        let tables = Multiplicities::new(all_entries(&program));
        Env {
            trace: exec.trace.expect("traced"),
            program,
            map,
            tables,
            circuits,
            exit_code: exec.exit_code,
        }
    }

    /// Every execution: `(isa index, record)`.
    pub fn records(&self) -> Vec<(usize, ExecRecord)> {
        self.trace
            .iter()
            .map(|(step, acc)| {
                let d = self
                    .program
                    .code_word(step.pc)
                    .and_then(|c| c.decoded)
                    .map(|(_, d)| d)
                    .expect("executed words decode");
                let rec = ExecRecord::from_trace(step, d, acc, |a| self.map.read_only(a));
                (step.inst as usize, rec)
            })
            .collect()
    }
}

fn inv(x: Fr) -> Fr {
    x.inverse().expect("nonzero")
}

/// The native memory sum `Σ writes − Σ reads` of an honest record.
pub fn expected_mem(circuit: &dyn InstructionCircuit, rec: &ExecRecord, gamma: Fr) -> Fr {
    let base = TS_PER_STEP * (rec.t + 1);
    let exit = circuit.name() == "system" && rec.d.op == 0 && rec.read(0) == 93;
    let next = if exit {
        HALTED + rec.read(1) as u64
    } else {
        rec.next_pc as u64
    };
    let pc_write = base + TS_PER_STEP * (circuit.cycles() as u64 - 1);
    let mut s = inv(gamma - mem_tuple(space::PC, 0, next, pc_write))
        - inv(gamma - mem_tuple(space::PC, 0, rec.pc as u64, base - TS_PER_STEP));
    for (j, a) in rec.accesses.iter().enumerate() {
        let sp = match circuit.accesses()[j] {
            AccessKind::MemRead | AccessKind::MemWrite if a.read_only => space::RO,
            AccessKind::MemRead | AccessKind::MemWrite => space::RW,
            _ => space::REG,
        };
        let ts = base + 1 + j as u64;
        s += inv(gamma - mem_tuple(sp, a.addr as u64, a.write as u64, ts));
        s -= inv(gamma - mem_tuple(sp, a.addr as u64, a.read as u64, a.prev_ts));
    }
    s
}

/// The `W1` values of a batch of `records` (as field elements, so tests can tamper with
/// them beyond small integers).
pub fn w1_values(
    circuit: &Arc<dyn InstructionCircuit>,
    index: usize,
    k: usize,
    records: &[ExecRecord],
) -> Result<Vec<Fr>, Reject> {
    let batch = Batch::new(circuit.clone(), index, k);
    let w = batch
        .witness(records)
        .map_err(|e| Reject::Witness(e.to_string()))?;
    Ok(w.values.iter().map(|&v| Fr::from(v)).collect())
}

/// Synthesizes a batch from raw `W1` values and checks it; returns the memory sum.
pub fn check_w1(
    env: &Env,
    circuit: &Arc<dyn InstructionCircuit>,
    index: usize,
    k: usize,
    w1: &[Fr],
    ch: Challenges,
) -> Result<Fr, Reject> {
    let batch = Batch::new(circuit.clone(), index, k);
    let cs = ConstraintSystem::<Fr>::new_ref();
    let consts: Vec<FpVar<Fr>> = [ch.gamma, ch.beta, ch.alpha]
        .iter()
        .map(|c| FpVar::new_input(cs.clone(), || Ok(*c)).expect("alloc"))
        .collect();
    let z0 = [Fr::from(7u64), Fr::from(11u64)];
    let z: Vec<FpVar<Fr>> = z0
        .iter()
        .map(|v| FpVar::new_witness(cs.clone(), || Ok(*v)).expect("alloc"))
        .collect();
    let w: Vec<FpVar<Fr>> = w1
        .iter()
        .map(|v| FpVar::new_witness(cs.clone(), || Ok(*v)).expect("alloc"))
        .collect();
    let (zn, log) = batch
        .synthesize(cs.clone(), &consts, &z, &w)
        .map_err(|e| Reject::Witness(e.to_string()))?;
    if !cs.is_satisfied().expect("satisfiability check") {
        let which = cs.which_is_unsatisfied().ok().flatten().unwrap_or_default();
        return Err(Reject::Unsatisfied(which));
    }
    let mut lookup = Fr::from(0u64);
    for t in &log {
        if !env.tables.contains(t.tag, t.payload) {
            return Err(Reject::NotInTable(t.tag));
        }
        lookup += inv(pack::lookup_denominator(
            ch.beta, ch.alpha, t.tag, t.payload,
        ));
    }
    let zn: Vec<Fr> = zn.iter().map(|v| v.value().expect("value")).collect();
    assert_eq!(
        zn[1] - z0[1],
        lookup,
        "the lookup sum is the sum of the logged lookups"
    );
    Ok(zn[0] - z0[0])
}

/// Checks `used` (possibly tampered) against the honest `truth`.
pub fn check(
    env: &Env,
    index: usize,
    used: &ExecRecord,
    truth: &ExecRecord,
    ch: Challenges,
) -> Result<(), Reject> {
    let circuit = &env.circuits[index];
    let w1 = w1_values(circuit, index, 1, std::slice::from_ref(used))?;
    let mem = check_w1(env, circuit, index, 1, &w1, ch)?;
    if mem != expected_mem(&**circuit, truth, ch.gamma) {
        return Err(Reject::MemoryMismatch);
    }
    Ok(())
}

/// A test rng.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A random 32-bit operand, edge values often.
pub fn operand(rng: &mut impl Rng) -> u32 {
    const EDGES: [u32; 12] = [
        0,
        1,
        2,
        3,
        31,
        32,
        0x7fff_ffff,
        0x8000_0000,
        0x8000_0001,
        0xffff_ffff,
        0xffff_fffe,
        0x0000_ffff,
    ];
    match rng.gen_range(0..4) {
        0 => EDGES[rng.gen_range(0..EDGES.len())],
        1 => rng.gen_range(0..64),
        _ => rng.gen(),
    }
}

/// A register other than x0 (`x0` with probability 1/16 if `zero_ok`).
pub fn reg(rng: &mut impl Rng, zero_ok: bool) -> u8 {
    if zero_ok && rng.gen_range(0..16) == 0 {
        0
    } else {
        rng.gen_range(1..32)
    }
}

/// Appends `li rd, v`.
pub fn li_into(code: &mut Vec<u32>, rd: u8, v: u32) {
    code.extend(li(rd, v));
}

/// Appends `exit(code)`.
pub fn exit(code: &mut Vec<u32>, value: u32) {
    li_into(code, 10, value);
    li_into(code, 17, 93);
    code.push(ecall());
}
