//! The two-pass prover: commit every chain's `W1`, draw the challenges, fold every chain.

mod pass2;
mod witness;

use witness::apply_overrides;
pub use witness::{prove_witness, run_witness, RunWitness};
#[cfg(feature = "tamper")]
pub use witness::{CellOverride, TreeEdit};

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crease_circuits::batch::BatchWitness;
use crease_circuits::pack::MAX_STEPS;
use crease_circuits::scan::{self, ScanChain, ScanEntry};
use crease_circuits::tables::{all_entries, Multiplicities};
use crease_circuits::{Batch, InstructionCircuit, Term};
use crease_folding::direct::{self, DirectProof};
use crease_folding::ivc::{w1_hash_chain, IvcParams, IvcProver};
use crease_folding::step::StepCircuit;
use crease_folding::tree::{self, TreeProof};
use crease_folding::G1;
use crease_nvm::{Execution, Input, Program, RunOptions};
use rayon::prelude::*;

use crate::graph::{TaskKind, TaskLog};
use crate::proof::{ChainBody, ChainProof, OutputWord, TableCount};
use crate::resume::{run_key, Pass1State, WorkDir};
use crate::stream::{BatchJob, Batcher, Source};
use crate::transcript::{challenges, count_commitments, ChainHash, Claims};
use crate::{Error, Fr, Params, Proof};

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
    total: AtomicU64,
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
            total: AtomicU64::new(total),
        }
    }

    /// The total.
    fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Units finished so far.
    fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// Sets the total once it is known better.
    fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        if let Some(p) = self.progress {
            p(self.phase, self.done.load(Ordering::Relaxed), total);
        }
    }

    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(p) = self.progress {
            p(self.phase, done, self.total.load(Ordering::Relaxed));
        }
    }
}

/// How to prove.
#[derive(Clone, Debug)]
pub struct ProveOptions {
    /// Instructions per segment: each pass holds the records and witnesses of one segment
    /// at a time, so this sets the prover's memory beside the parameters, the chains'
    /// unfinished subtrees and the touched memory's scan entries.
    pub segment: usize,
    /// Batches per leaf of an instruction chain's proof tree: leaves are proven in
    /// parallel and merged pairwise; a chain of at most this many batches is one leaf (a
    /// plain IVC run, no merge).
    pub leaf_steps: usize,
    /// A chain of at most this many batches (and at most one leaf) is shown directly: the
    /// proof carries each batch's witness, which the verifier checks constraint by
    /// constraint, instead of folding it (`crease_folding::direct`). Folding a chain costs
    /// at least one augmented step per batch; showing it costs nothing beyond pass 1's
    /// commitments, but the proof grows by a batch's witness per batch. 0: fold every chain.
    pub direct_steps: usize,
    /// Where to keep finished work (pass 1's result, each chain's finished subtrees) so that
    /// a run interrupted and started again with the same parameters, program, input and
    /// options resumes from it; removed once the proof is made. `None`: nothing is kept.
    pub work_dir: Option<std::path::PathBuf>,
    /// Stop with [`Error::Interrupted`] once this many leaves are proven and saved: a test
    /// hook standing in for a killed process.
    #[doc(hidden)]
    pub stop_after_leaves: Option<usize>,
    /// Where to record the task graph (each commit, leaf, merge and the scan's fold, with
    /// what it waited for and its time), for [`crate::graph::simulate`].
    pub tasks: Option<Arc<TaskLog>>,
}

/// The default leaf: 16 batches (a merge costs about one and a half steps of a chain, so
/// this keeps the tree's cost near a tenth of the leaves').
pub const DEFAULT_LEAF_STEPS: usize = 16;

/// The default for [`ProveOptions::direct_steps`]: chains of up to four batches are shown
/// directly.
pub const DEFAULT_DIRECT_STEPS: usize = 4;

/// The default segment: 2^20 instructions (about 200 MB of records and witnesses).
pub const DEFAULT_SEGMENT: usize = 1 << 20;

impl Default for ProveOptions {
    fn default() -> Self {
        ProveOptions {
            segment: DEFAULT_SEGMENT,
            leaf_steps: DEFAULT_LEAF_STEPS,
            direct_steps: DEFAULT_DIRECT_STEPS,
            work_dir: None,
            stop_after_leaves: None,
            tasks: None,
        }
    }
}

/// Proves the run of `program` on `input`: returns the proof and the execution (exit
/// code, public output, stdout).
pub fn prove(
    params: &Params,
    program: &Program,
    input: &Input,
) -> Result<(Proof, Execution), Error> {
    prove_with(params, program, input, &ProveOptions::default(), None)
}

/// [`prove`], reporting progress per [`Phase`] to `progress`.
pub fn prove_with_progress(
    params: &Params,
    program: &Program,
    input: &Input,
    progress: Progress<'_>,
) -> Result<(Proof, Execution), Error> {
    prove_with(
        params,
        program,
        input,
        &ProveOptions::default(),
        Some(progress),
    )
}

/// [`prove`] with `options`, reporting progress to `progress` if given.
///
/// The run is executed three times: once to learn its length and outcome (a guest that
/// faults fails here, before any proving), once in pass 1, which commits every batch's
/// `W1` segment by segment and forgets the witnesses, and once in pass 2, which rebuilds
/// them segment by segment and folds them.
pub fn prove_with(
    params: &Params,
    program: &Program,
    input: &Input,
    options: &ProveOptions,
    progress: Option<Progress<'_>>,
) -> Result<(Proof, Execution), Error> {
    in_pool(|| prove_streaming(params, program, input, options, progress))
}

/// Stack of each prover thread: the node circuit's synthesis runs deep, and an
/// unoptimized build overflows the 2 MB a rayon worker has by default (only the pages
/// touched are ever committed).
const PROVER_STACK: usize = 64 << 20;

/// Runs `f` on a pool of as many threads as the current one, with [`PROVER_STACK`].
fn in_pool<T: Send>(f: impl FnOnce() -> Result<T, Error> + Send) -> Result<T, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .stack_size(PROVER_STACK)
        .build()
        .map_err(|_| Error::Config("the prover's threads could not be started"))?;
    pool.install(f)
}

fn prove_streaming(
    params: &Params,
    program: &Program,
    input: &Input,
    options: &ProveOptions,
    progress: Option<Progress<'_>>,
) -> Result<(Proof, Execution), Error> {
    if program.isa().digest() != params.isa_digest {
        return Err(Error::IsaMismatch);
    }
    if options.segment == 0 || options.leaf_steps == 0 {
        return Err(Error::Config(
            "a segment holds at least one instruction and a leaf at least one batch",
        ));
    }
    let run = Counter::new(progress, Phase::Run, 1);
    let run_options = RunOptions {
        max_cycles: MAX_STEPS,
        ..RunOptions::default()
    };
    let exec = crease_nvm::run(program, input, run_options)?;
    run.tick();
    let source = Source::Run {
        program,
        input,
        max_cycles: MAX_STEPS,
    };
    let executions: Vec<u64> = exec.counts.iter().map(|c| c.count).collect();
    let work = match &options.work_dir {
        Some(dir) => {
            let key = run_key(
                params,
                program,
                input,
                options.segment,
                options.leaf_steps,
                options.direct_steps,
            );
            Some(WorkDir::open(dir, key)?)
        }
        None => None,
    };
    let job = Job {
        params,
        program,
        public_input: &input.public,
        source,
        strict: true,
        segment: options.segment,
        leaf_steps: options.leaf_steps,
        direct_steps: options.direct_steps,
        work: work.as_ref(),
        stop_after_leaves: options.stop_after_leaves,
        tasks: options.tasks.as_deref(),
        tamper: None,
        progress,
    };
    let cells = scan::initial_cells(program, &input.public, input.private.len())?;
    let proof = job.prove(&executions, Outcome::Cells(cells))?;
    if let Some(work) = work {
        work.finish()?;
    }
    Ok((proof, exec))
}

/// What the prover learns of a run besides its records.
enum Outcome<'a> {
    /// From the execution of pass 1, which adds its touched cells to these.
    Cells(BTreeMap<u64, ScanEntry>),
    /// From a run witness.
    Witness(&'a RunWitness),
}

/// One proof to make.
struct Job<'a> {
    params: &'a Params,
    program: &'a Program,
    public_input: &'a [u8],
    source: Source<'a>,
    strict: bool,
    segment: usize,
    leaf_steps: usize,
    direct_steps: usize,
    /// Where finished work is kept, to resume from.
    work: Option<&'a WorkDir>,
    /// Stop with [`Error::Interrupted`] once this many leaves are proven (a test's stand-in
    /// for a killed process).
    stop_after_leaves: Option<usize>,
    /// Where the task graph is recorded, if anywhere.
    tasks: Option<&'a TaskLog>,
    /// The run witness whose overrides apply, if any.
    tamper: Option<&'a RunWitness>,
    progress: Option<Progress<'a>>,
}

type InstBatch = Batch<Arc<dyn InstructionCircuit>>;

/// What pass 1 leaves of the instruction chains: per ISA index, every batch's `W1`
/// commitment and a fingerprint of its witness (pass 2 must rebuild the same one).
struct Pass1 {
    commitments: Vec<Vec<G1>>,
    fingerprints: Vec<Vec<u64>>,
}

/// One of the scan or table chain after pass 1: its witnesses and `W1` commitments.
struct Committed<W> {
    chain: u32,
    witnesses: Vec<W>,
    commitments: Vec<G1>,
    hash: Fr,
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

fn fingerprint(w: &BatchWitness) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    w.values.hash(&mut h);
    h.finish()
}

impl Job<'_> {
    fn batches(&self) -> Vec<InstBatch> {
        (self.params.inst.iter().enumerate())
            .map(|(i, c)| Batch::new(c.circuit.clone(), i, c.k))
            .collect()
    }

    fn ks(&self) -> Vec<usize> {
        self.params.inst.iter().map(|c| c.k).collect()
    }

    fn add_log(&self, tables: &Mutex<Multiplicities>, log: &[Term]) -> Result<(), Error> {
        let mut tables = tables
            .lock()
            .map_err(|_| Error::Config("a prover thread panicked"))?;
        if self.strict {
            tables
                .add(log)
                .map_err(|t| Error::LookupOutsideTables { tag: t.tag })
        } else {
            for t in log {
                let _ = tables.add(std::slice::from_ref(t));
            }
            Ok(())
        }
    }

    fn prove(&self, executions: &[u64], outcome: Outcome<'_>) -> Result<Proof, Error> {
        let params = self.params;
        let batches = self.batches();
        let inst_steps: u64 = (executions.iter().zip(&params.inst))
            .map(|(&n, c)| n.div_ceil(c.k as u64))
            .sum();
        // The scan's length is known only once pass 1 has run.
        let mut total = inst_steps;
        let commits = Counter::new(self.progress, Phase::Commit, total);

        // Pass 1: commit every batch's W1, a segment at a time (or read what an earlier,
        // interrupted run of the same proof saved).
        let scan_chain = ScanChain::new(params.scan_k);
        let saved = self.work.and_then(WorkDir::load_pass1);
        let resumed = saved.is_some();
        let (pass1, entries, exit_code, steps, counts, scan_c) = match saved {
            Some(s) => {
                total += s.entries.len().div_ceil(params.scan_k) as u64;
                commits.set_total(total);
                let scan_ws = scan_chain.witness(&s.entries)?;
                let scan_c = commit_all(&params.scan, &scan_chain, Proof::SCAN, scan_ws, &commits)?;
                let pass1 = Pass1 {
                    commitments: s.commitments,
                    fingerprints: s.fingerprints,
                };
                (pass1, s.entries, s.exit_code, s.steps, s.counts, scan_c)
            }
            None => {
                let tables = Mutex::new(Multiplicities::new(all_entries(self.program)));
                let (pass1, entries, exit_code, steps) =
                    self.commit_instructions(&batches, &tables, &commits, outcome)?;
                total += entries.len().div_ceil(params.scan_k) as u64;
                commits.set_total(total);
                let mut scan_ws = scan_chain.witness(&entries)?;
                for (i, sw) in scan_ws.iter_mut().enumerate() {
                    apply_overrides(self.tamper, Proof::SCAN, i, &mut sw.overrides);
                }
                for sw in &scan_ws {
                    self.add_log(&tables, &scan_chain.lookups(sw)?)?;
                }
                let scan_c = commit_all(&params.scan, &scan_chain, Proof::SCAN, scan_ws, &commits)?;
                let tables = tables
                    .into_inner()
                    .map_err(|_| Error::Config("a prover thread panicked"))?;
                let counts: Vec<TableCount> = (tables.rows().enumerate())
                    .filter(|(_, (_, count))| *count > 0)
                    .map(|(row, (_, count))| TableCount {
                        row: row as u32,
                        count,
                    })
                    .collect();
                #[cfg(feature = "tamper")]
                let counts = match self.tamper.and_then(|w| w.counts_claim.clone()) {
                    Some(claim) => claim,
                    None => counts,
                };
                if let Some(work) = self.work {
                    work.save_pass1(&Pass1State {
                        commitments: pass1.commitments.clone(),
                        fingerprints: pass1.fingerprints.clone(),
                        entries: entries.clone(),
                        counts: counts.clone(),
                        exit_code,
                        steps,
                    })?;
                }
                (pass1, entries, exit_code, steps, counts, scan_c)
            }
        };
        if resumed {
            // What pass 1 did before is not counted again.
            commits.set_total(commits.done());
        }

        // The statement and the challenges.
        let output: Vec<OutputWord> = scan::output_words(&entries)
            .into_iter()
            .map(|(addr, value)| OutputWord { addr, value })
            .collect();
        #[cfg(feature = "tamper")]
        let output = match self.tamper.and_then(|w| w.output_claim.clone()) {
            Some(claim) => claim,
            None => output,
        };
        drop(entries);
        let mut hashes: Vec<ChainHash> = (pass1.commitments.iter().enumerate())
            .filter(|(_, cms)| !cms.is_empty())
            .map(|(i, cms)| {
                let leaves = self.edited(i as u32, tree::leaf_w1_hashes(cms, self.leaf_steps));
                Ok(ChainHash {
                    chain: i as u32,
                    steps: leaves.iter().map(|l| l.1).sum(),
                    w1_hash: tree::w1_hash_of_leaves(leaves)?,
                })
            })
            .collect::<Result<_, Error>>()?;
        hashes.push(scan_c.chain_hash());
        let claims = Claims {
            public_input: self.public_input,
            exit_code,
            steps,
            output: &output,
        };
        let rows = all_entries(self.program).len();
        let count_points = count_commitments(params.shared().key(), &counts, rows)?;
        let consts = challenges(params, self.program, &claims, &hashes, &count_points);
        let commits_done = self.tasks.map_or(0, |t| t.tasks().len());
        let challenges_task = self.record(
            TaskKind::Challenges,
            u32::MAX,
            (0..commits_done).collect(),
            Instant::now(),
        );
        // A run long enough for the key's prover tables to be built part-way builds them
        // before its folds (every chain shares them), so that its first steps use them too.
        if IvcParams::prover_tables_pay_off(total as usize) {
            params.scan.build_prover_tables();
        }

        // Pass 2: fold every chain; the instruction chains a segment at a time.
        let merges: u64 = (pass1.commitments.iter())
            .map(|c| {
                (c.len() as u64)
                    .div_ceil(self.leaf_steps as u64)
                    .saturating_sub(1)
            })
            .sum();
        let folds = Counter::new(self.progress, Phase::Fold, total + merges);
        let (chains, scan) = rayon::join(
            || self.fold_instructions(&batches, &pass1, &consts, &folds, challenges_task),
            || {
                let start = Instant::now();
                let scan = if scan_c.witnesses.len() <= self.direct_steps {
                    show(scan_chain, &scan_c, &consts, &folds)
                } else {
                    fold(&params.scan, scan_chain, &scan_c, &consts, &folds)
                };
                self.record(TaskKind::Scan, Proof::SCAN, vec![challenges_task], start);
                scan
            },
        );
        Ok(Proof {
            params_digest: params.digest(),
            exit_code,
            steps,
            output,
            chains: chains?,
            scan: scan?,
            table_counts: counts,
        })
    }

    /// Pass 1 of the instruction chains: returns their commitments, the scan entries, the
    /// exit code and the number of steps.
    fn commit_instructions(
        &self,
        batches: &[InstBatch],
        tables: &Mutex<Multiplicities>,
        counter: &Counter<'_>,
        outcome: Outcome<'_>,
    ) -> Result<(Pass1, Vec<ScanEntry>, u32, u64), Error> {
        let n = batches.len();
        let mut pass1 = Pass1 {
            commitments: vec![Vec::new(); n],
            fingerprints: vec![Vec::new(); n],
        };
        let mut commit = |jobs: Vec<BatchJob>| -> Result<(), Error> {
            let done = jobs
                .into_par_iter()
                .map(|j| {
                    let start = Instant::now();
                    let batch = &batches[j.chain];
                    let mut w = batch.witness(&j.records)?;
                    drop(j.records);
                    apply_overrides(self.tamper, j.chain as u32, j.index, &mut w.overrides);
                    self.add_log(tables, &batch.lookups(&w)?)?;
                    let c = self.params.inst[j.chain].ivc().commit_w1(batch, &w)?;
                    counter.tick();
                    self.record(TaskKind::Commit, j.chain as u32, vec![], start);
                    Ok((j.chain, c, fingerprint(&w)))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            for (chain, c, f) in done {
                pass1.commitments[chain].push(c);
                pass1.fingerprints[chain].push(f);
            }
            Ok(())
        };
        let mut batcher = Batcher::new(self.ks());
        let (mut cells, w) = match outcome {
            Outcome::Cells(cells) => (Some(cells), None),
            Outcome::Witness(w) => (None, Some(w)),
        };
        let exec = self
            .source
            .replay(self.segment, cells.as_mut(), &mut |seg| {
                commit(batcher.push(seg)?)
            })?;
        commit(batcher.flush())?;
        let (entries, exit_code, steps) = match (cells, w, exec) {
            (Some(cells), _, Some(exec)) => (
                cells.into_values().collect(),
                exec.exit_code as u32,
                exec.cycles,
            ),
            (_, Some(w), _) => (w.entries.clone(), w.exit_code as u32, w.steps),
            _ => return Err(Error::Config("a run witness or an execution")),
        };
        Ok((pass1, entries, exit_code, steps))
    }
}

impl Job<'_> {
    /// Records a task that started at `start`, if the task graph is recorded; its index
    /// (zero if not).
    fn record(&self, kind: TaskKind, chain: u32, inputs: Vec<usize>, start: Instant) -> usize {
        self.tasks.map_or(0, |t| {
            t.add(kind, chain, inputs, start.elapsed().as_secs_f64())
        })
    }

    /// The leaves of chain `chain` as a test's edit has them (pass 1).
    #[cfg(feature = "tamper")]
    fn edited<T: Clone>(&self, chain: u32, leaves: Vec<T>) -> Vec<T> {
        match self.tamper.and_then(|w| w.tree_edit) {
            Some(e) if e.chain() == chain && self.edit_in_pass1() => e.leaves(leaves),
            _ => leaves,
        }
    }

    #[cfg(not(feature = "tamper"))]
    fn edited<T>(&self, _: u32, leaves: Vec<T>) -> Vec<T> {
        leaves
    }

    /// Whether pass 1 hashes the edited tree (a consistent cheat) or the honest one.
    #[cfg(feature = "tamper")]
    fn edit_in_pass1(&self) -> bool {
        self.tamper.is_some_and(|w| w.tree_edit_in_pass1)
    }
}

/// Pass 2 saw another run than pass 1.
const REPLAY: Error = Error::Config("the run differed when executed again");

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
        return Err(REPLAY);
    }
    Ok(ChainProof {
        chain: c.chain,
        z: p.z().to_vec(),
        body: ChainBody::Folded(TreeProof::Leaf(Box::new(proof))),
    })
}

/// Shows a chain's steps directly (`crease_folding::direct`), each from the last one's
/// output state.
fn show<C: StepCircuit>(
    circuit: C,
    c: &Committed<C::ExternalWitness>,
    consts: &[Fr; 3],
    counter: &Counter<'_>,
) -> Result<ChainProof, Error> {
    let (z, proof) = show_steps(&circuit, &c.witnesses, consts, counter)?;
    Ok(ChainProof {
        chain: c.chain,
        z,
        body: ChainBody::Direct(proof),
    })
}

/// The final state and the direct proof of the steps `witnesses`, in order from `z = 0`.
fn show_steps<C: StepCircuit>(
    circuit: &C,
    witnesses: &[C::ExternalWitness],
    consts: &[Fr; 3],
    counter: &Counter<'_>,
) -> Result<(Vec<Fr>, DirectProof), Error> {
    let mut z = vec![Fr::from(0u64); circuit.arity()];
    let mut steps = Vec::with_capacity(witnesses.len());
    for w in witnesses {
        let step = direct::prove_step(circuit, w, consts, &z)?;
        z.clone_from(&step.z);
        steps.push(step);
        counter.tick();
    }
    Ok((z, DirectProof::new(steps)))
}
