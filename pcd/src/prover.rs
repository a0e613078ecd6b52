//! The two-pass prover: commit every chain's `W1`, draw the challenges, fold every chain.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crease_circuits::pack::{space, MAX_STEPS};
use crease_circuits::scan::{self, Cell, MemoryMap, ScanChain, ScanEntry};
use crease_circuits::tables::{all_entries, Multiplicities, TableChain};
use crease_circuits::{Batch, ExecRecord, InstructionCircuit, Term};
use crease_folding::ivc::{w1_hash_chain, IvcParams, IvcProver};
use crease_folding::step::StepCircuit;
use crease_nvm::{run_with_sink, Access, Execution, Input, Program, RunOptions, Space, Step};
use crease_nvm::{timestamp, TraceSink};
use rayon::prelude::*;

use crate::proof::{ChainProof, OutputWord};
use crate::transcript::{challenges, ChainHash, Claims};
use crate::{Error, Fr, Params, Proof};

/// Everything the prover needs of a run: every execution with its ISA index, the scan
/// entries, the exit code and the number of steps. Built by [`run_witness`]; tests tamper
/// with it and prove it with [`prove_witness`].
#[derive(Clone, Debug)]
pub struct RunWitness {
    /// `(ISA index, record)` of every executed instruction, in execution order.
    pub records: Vec<(usize, ExecRecord)>,
    /// Init and Final of every listed cell, in increasing cell order.
    pub entries: Vec<ScanEntry>,
    /// The exit code.
    pub exit_code: i32,
    /// Instructions executed.
    pub steps: u64,
    /// `W1` values set by a test instead of the honest ones (feature `tamper`).
    #[cfg(feature = "tamper")]
    pub overrides: Vec<CellOverride>,
    /// The output words the proof claims, if a test claims other words than the scan's
    /// (feature `tamper`): they enter the transcript before the challenges are drawn.
    #[cfg(feature = "tamper")]
    pub output_claim: Option<Vec<OutputWord>>,
}

/// One `W1` value a test sets, as a cheating prover may: `cell` of step `step` of `chain`
/// (an ISA index, [`Proof::SCAN`] or [`Proof::TABLE`]).
#[cfg(feature = "tamper")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellOverride {
    /// The chain.
    pub chain: u32,
    /// The step within the chain.
    pub step: usize,
    /// The index into the step's `W1` vector.
    pub cell: usize,
    /// The value committed instead.
    pub value: Fr,
}

/// Applies the overrides of `chain` to its step witnesses.
#[cfg(feature = "tamper")]
fn apply_overrides<W>(
    w: &RunWitness,
    chain: u32,
    steps: &mut [W],
    of: impl Fn(&mut W) -> &mut crease_circuits::tamper::Overrides,
) {
    for o in w.overrides.iter().filter(|o| o.chain == chain) {
        if let Some(s) = steps.get_mut(o.step) {
            of(s).set(o.cell, o.value);
        }
    }
}

#[cfg(not(feature = "tamper"))]
fn apply_overrides<W>(
    _: &RunWitness,
    _: u32,
    _: &mut [W],
    _: impl Fn(&mut W) -> &mut crease_circuits::tamper::Overrides,
) {
}

/// A phase of proving, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Running the program and recording its executions (`done`/`total` in {0, 1}).
    Run,
    /// Pass 1: committing every step's `W1` (counted in steps of all chains).
    Commit,
    /// Pass 2: folding every chain (counted in steps of all chains).
    Fold,
}

/// A progress callback: `(phase, done, total)`. Called from several threads.
pub type Progress<'a> = &'a (dyn Fn(Phase, u64, u64) + Sync);

/// Counts finished units of one phase and reports them.
struct Counter<'a> {
    progress: Option<Progress<'a>>,
    phase: Phase,
    done: AtomicU64,
    total: u64,
}

impl<'a> Counter<'a> {
    fn new(progress: Option<Progress<'a>>, phase: Phase, total: u64) -> Self {
        if let Some(p) = progress {
            p(phase, 0, total);
        }
        Counter {
            progress,
            phase,
            done: AtomicU64::new(0),
            total,
        }
    }

    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(p) = self.progress {
            p(self.phase, done, self.total);
        }
    }
}

/// Builds execution records and scan entries as the NVM runs.
struct Recorder<'a> {
    program: &'a Program,
    map: MemoryMap,
    records: Vec<(usize, ExecRecord)>,
    cells: BTreeMap<u64, ScanEntry>,
    undecoded: Option<u32>,
}

fn key(c: &Cell) -> u64 {
    (c.space << 32) | c.addr as u64
}

impl TraceSink for Recorder<'_> {
    fn step(&mut self, step: &Step, accesses: &[Access]) {
        let Some((i, d)) = self.program.code_word(step.pc).and_then(|c| c.decoded) else {
            self.undecoded.get_or_insert(step.pc);
            return;
        };
        let map = &self.map;
        let rec = ExecRecord::from_trace(step, d, accesses, |a| map.read_only(a));
        self.records.push((i, rec));
        for (j, a) in accesses.iter().enumerate().skip(1) {
            let space = match a.space {
                Space::Pc => continue,
                Space::Reg => space::REG,
                Space::Mem if map.read_only(a.addr) => space::RO,
                Space::Mem => space::RW,
            };
            let cell = Cell {
                space,
                addr: a.addr,
            };
            let e = self.cells.entry(key(&cell)).or_insert(ScanEntry {
                cell,
                init: Some(a.read),
                value: a.read,
                ts: 0,
            });
            e.value = a.write;
            e.ts = timestamp(step.t, j);
        }
    }
}

/// Pass 0: runs `program` on `input`, streaming its trace into execution records and scan
/// entries (the raw trace is not kept).
pub fn run_witness(
    params: &Params,
    program: &Program,
    input: &Input,
) -> Result<(RunWitness, Execution), Error> {
    if program.isa().digest() != params.isa_digest {
        return Err(Error::IsaMismatch);
    }
    let mut cells = BTreeMap::new();
    let len = scan::private_length_entry(input.private.len());
    cells.insert(key(&len.cell), len);
    for (cell, v) in scan::verifier_init(program, &input.public)? {
        let e = ScanEntry {
            cell,
            init: None,
            value: v,
            ts: 0,
        };
        cells.insert(key(&cell), e);
    }
    let mut rec = Recorder {
        program,
        map: MemoryMap::new(program),
        records: Vec::new(),
        cells,
        undecoded: None,
    };
    let max_cycles = MAX_STEPS;
    let options = RunOptions {
        max_cycles,
        ..RunOptions::default()
    };
    let exec = run_with_sink(program, input, options, &mut rec)?;
    if rec.undecoded.is_some() {
        return Err(Error::Config("an executed word has no instruction circuit"));
    }
    let w = RunWitness {
        records: rec.records,
        entries: rec.cells.into_values().collect(),
        exit_code: exec.exit_code,
        steps: exec.cycles,
        #[cfg(feature = "tamper")]
        overrides: Vec::new(),
        #[cfg(feature = "tamper")]
        output_claim: None,
    };
    Ok((w, exec))
}

/// Proves the run of `program` on `input`: returns the proof and the execution (exit
/// code, public output, stdout).
pub fn prove(
    params: &Params,
    program: &Program,
    input: &Input,
) -> Result<(Proof, Execution), Error> {
    prove_inner_input(params, program, input, None)
}

/// [`prove`], reporting progress per [`Phase`] to `progress`.
pub fn prove_with_progress(
    params: &Params,
    program: &Program,
    input: &Input,
    progress: Progress<'_>,
) -> Result<(Proof, Execution), Error> {
    prove_inner_input(params, program, input, Some(progress))
}

fn prove_inner_input(
    params: &Params,
    program: &Program,
    input: &Input,
    progress: Option<Progress<'_>>,
) -> Result<(Proof, Execution), Error> {
    let run = Counter::new(progress, Phase::Run, 1);
    let (w, exec) = run_witness(params, program, input)?;
    run.tick();
    let proof = prove_inner(params, program, &input.public, &w, true, progress)?;
    Ok((proof, exec))
}

/// Proves a given run witness, which may be dishonest: lookups outside the tables are left
/// uncounted instead of refused, so the real verifier sees the result. A test hook.
#[doc(hidden)]
pub fn prove_witness(
    params: &Params,
    program: &Program,
    public_input: &[u8],
    w: &RunWitness,
) -> Result<Proof, Error> {
    prove_inner(params, program, public_input, w, false, None)
}

/// One chain after pass 1: its witnesses and `W1` commitments.
struct Committed<W> {
    chain: u32,
    witnesses: Vec<W>,
    commitments: Vec<crease_folding::G1>,
    hash: Fr,
}

fn commit_all<C: StepCircuit>(
    ivc: &IvcParams,
    circuit: &C,
    chain: u32,
    witnesses: Vec<C::ExternalWitness>,
    counter: &Counter<'_>,
) -> Result<Committed<C::ExternalWitness>, Error> {
    let cms = witnesses
        .par_iter()
        .map(|w| {
            let c = ivc.commit_w1(circuit, w);
            counter.tick();
            c
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Committed {
        chain,
        witnesses,
        hash: w1_hash_chain(&cms),
        commitments: cms,
    })
}

fn fold<C: StepCircuit>(
    ivc: &IvcParams,
    circuit: C,
    c: &Committed<C::ExternalWitness>,
    consts: &[Fr; 3],
    counter: &Counter<'_>,
) -> Result<ChainProof, Error> {
    let arity = circuit.arity();
    let mut p = IvcProver::new(ivc, circuit, vec![Fr::from(0u64); arity], consts.to_vec())?;
    for (w, cw1) in c.witnesses.iter().zip(&c.commitments) {
        p.prove_step_with_w1(w, Some(*cw1))?;
        counter.tick();
    }
    let proof = p.proof()?;
    if proof.w1_hash() != c.hash {
        return Err(Error::Folding(crease_folding::Error::IvcVerification(
            "pass 2 folded other W1 values than pass 1 committed",
        )));
    }
    Ok(ChainProof {
        chain: c.chain,
        z: p.z().to_vec(),
        ivc: proof,
    })
}

type InstChainWork = (usize, Batch<std::sync::Arc<dyn InstructionCircuit>>);

fn prove_inner(
    params: &Params,
    program: &Program,
    public_input: &[u8],
    w: &RunWitness,
    strict: bool,
    progress: Option<Progress<'_>>,
) -> Result<Proof, Error> {
    if program.isa().digest() != params.isa_digest {
        return Err(Error::IsaMismatch);
    }
    if w.steps > MAX_STEPS {
        return Err(Error::TooManySteps {
            steps: w.steps,
            max: MAX_STEPS,
        });
    }
    // Pass 1: group, build witnesses, log lookups, commit.
    let mut groups: BTreeMap<usize, Vec<ExecRecord>> = BTreeMap::new();
    for (i, r) in &w.records {
        if *i >= params.inst.len() {
            return Err(Error::IsaMismatch);
        }
        groups.entry(*i).or_default().push(r.clone());
    }
    let work: Vec<(InstChainWork, &Vec<ExecRecord>)> = groups
        .iter()
        .map(|(&i, recs)| {
            let c = &params.inst[i];
            ((i, Batch::new(c.circuit.clone(), i, c.k)), recs)
        })
        .collect();
    let table_entries = all_entries(program);
    let table_rows = table_entries.len();
    let total_steps = work
        .iter()
        .map(|((_, b), recs)| recs.len().div_ceil(b.k()))
        .sum::<usize>()
        + w.entries.len().div_ceil(params.scan_k)
        + table_rows.div_ceil(params.table_k);
    let commits = Counter::new(progress, Phase::Commit, total_steps as u64);
    let per_chain: Vec<(Committed<_>, Vec<Vec<Term>>)> = work
        .par_iter()
        .map(|((i, batch), recs)| {
            let mut ws = recs
                .chunks(batch.k())
                .map(|c| batch.witness(c))
                .collect::<Result<Vec<_>, _>>()?;
            apply_overrides(w, *i as u32, &mut ws, |s| &mut s.overrides);
            let logs = ws
                .par_iter()
                .map(|bw| batch.lookups(bw))
                .collect::<Result<Vec<_>, _>>()?;
            let committed = commit_all(&params.inst[*i].ivc, batch, *i as u32, ws, &commits)?;
            Ok((committed, logs))
        })
        .collect::<Result<_, Error>>()?;
    let scan_chain = ScanChain::new(params.scan_k);
    let mut scan_ws = scan_chain.witness(&w.entries)?;
    apply_overrides(w, Proof::SCAN, &mut scan_ws, |s| &mut s.overrides);
    let scan_logs = scan_ws
        .par_iter()
        .map(|sw| scan_chain.lookups(sw))
        .collect::<Result<Vec<_>, _>>()?;
    let scan_c = commit_all(&params.scan, &scan_chain, Proof::SCAN, scan_ws, &commits)?;
    let mut tables = Multiplicities::new(table_entries);
    for log in per_chain
        .iter()
        .flat_map(|(_, logs)| logs)
        .chain(scan_logs.iter())
    {
        if strict {
            tables
                .add(log)
                .map_err(|t| Error::LookupOutsideTables { tag: t.tag })?;
        } else {
            for t in log {
                let _ = tables.add(std::slice::from_ref(t));
            }
        }
    }
    let table_chain = TableChain::new(params.table_k);
    let mut table_ws = tables.chain_witness(params.table_k);
    apply_overrides(w, Proof::TABLE, &mut table_ws, |s| &mut s.overrides);
    let table_c = commit_all(
        &params.table,
        &table_chain,
        Proof::TABLE,
        table_ws,
        &commits,
    )?;
    let output: Vec<OutputWord> = scan::output_words(&w.entries)
        .into_iter()
        .map(|(addr, value)| OutputWord { addr, value })
        .collect();
    #[cfg(feature = "tamper")]
    let output = w.output_claim.clone().unwrap_or(output);
    let exit_code = w.exit_code as u32;
    let mut hashes: Vec<ChainHash> = per_chain
        .iter()
        .map(|(c, _)| ChainHash {
            chain: c.chain,
            steps: c.witnesses.len() as u64,
            w1_hash: c.hash,
        })
        .collect();
    hashes.push(scan_c.chain_hash());
    hashes.push(table_c.chain_hash());
    let claims = Claims {
        public_input,
        exit_code,
        steps: w.steps,
        output: &output,
    };
    let consts = challenges(params, program, &claims, &hashes);
    // A run long enough for the key's prover tables to be built part-way builds them before
    // its folds (every chain shares them), so that its first steps use them too.
    if IvcParams::prover_tables_pay_off(total_steps) {
        params.scan.build_prover_tables();
    }
    // Pass 2: fold every chain, all in parallel.
    let folds = Counter::new(progress, Phase::Fold, total_steps as u64);
    let (chains, (scan, table)) = rayon::join(
        || {
            per_chain
                .par_iter()
                .zip(work.par_iter())
                .map(|((c, _), ((i, batch), _))| {
                    fold(&params.inst[*i].ivc, batch.clone(), c, &consts, &folds)
                })
                .collect::<Result<Vec<_>, Error>>()
        },
        || {
            rayon::join(
                || fold(&params.scan, scan_chain, &scan_c, &consts, &folds),
                || fold(&params.table, table_chain, &table_c, &consts, &folds),
            )
        },
    );
    Ok(Proof {
        params_digest: params.digest(),
        exit_code,
        steps: w.steps,
        output,
        chains: chains?,
        scan: scan?,
        table: table?,
    })
}

impl<W> Committed<W> {
    fn chain_hash(&self) -> ChainHash {
        ChainHash {
            chain: self.chain,
            steps: self.witnesses.len() as u64,
            w1_hash: self.hash,
        }
    }
}
