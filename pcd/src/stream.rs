//! Execution records in segments: the prover's passes see a run a segment at a time, so
//! what they hold at once is set by the segment's length, not by the run's.
//!
//! A run's records come either from executing the program again (each pass does, since
//! re-execution is thousands of times faster than proving) or from a [`RunWitness`] held in
//! memory (the test hook). Either way they arrive in execution order, in segments of at
//! most `segment` records, and [`Batcher`] cuts each instruction chain's executions into
//! batches of its `k`: a batch may span segments, and the last one of a chain is short.

use std::collections::BTreeMap;

use crease_circuits::scan::{self, MemoryMap, ScanEntry};
use crease_circuits::ExecRecord;
use crease_nvm::{run_with_sink, Access, Execution, Input, Program, RunOptions, Step, TraceSink};

use crate::prover::RunWitness;
use crate::Error;

/// The records of one segment: `(ISA index, record)` in execution order.
pub(crate) type Segment = Vec<(usize, ExecRecord)>;

/// Where a pass reads the run's records from.
#[derive(Clone, Copy)]
pub(crate) enum Source<'a> {
    /// Execute `program` on `input`.
    Run {
        /// The program.
        program: &'a Program,
        /// Its input.
        input: &'a Input,
        /// The cycle limit.
        max_cycles: u64,
    },
    /// The records of a run witness.
    Witness(&'a RunWitness),
}

impl Source<'_> {
    /// Calls `each` with the run's records, segment by segment. When `cells` is given, the
    /// scan entries of every register and memory word the run touches are recorded into it
    /// (an execution only). Returns the execution, if this source executes.
    pub(crate) fn replay(
        &self,
        segment: usize,
        cells: Option<&mut BTreeMap<u64, ScanEntry>>,
        each: &mut dyn FnMut(Segment) -> Result<(), Error>,
    ) -> Result<Option<Execution>, Error> {
        let segment = segment.max(1);
        match *self {
            Source::Witness(w) => {
                for chunk in w.records.chunks(segment) {
                    each(chunk.to_vec())?;
                }
                Ok(None)
            }
            Source::Run {
                program,
                input,
                max_cycles,
            } => {
                let mut sink = SegmentSink {
                    program,
                    map: MemoryMap::new(program),
                    buf: Vec::new(),
                    segment,
                    each,
                    cells,
                    failed: None,
                    undecoded: false,
                };
                let options = RunOptions {
                    max_cycles,
                    ..RunOptions::default()
                };
                let exec = run_with_sink(program, input, options, &mut sink)?;
                sink.flush();
                if sink.undecoded {
                    return Err(Error::Config("an executed word has no instruction circuit"));
                }
                match sink.failed {
                    Some(e) => Err(e),
                    None => Ok(Some(exec)),
                }
            }
        }
    }
}

/// A trace sink that turns steps into records and hands them on a segment at a time.
struct SegmentSink<'a, 'f> {
    program: &'a Program,
    map: MemoryMap,
    buf: Segment,
    segment: usize,
    each: &'f mut dyn FnMut(Segment) -> Result<(), Error>,
    cells: Option<&'f mut BTreeMap<u64, ScanEntry>>,
    /// The first error `each` returned: the run goes on (it cannot be stopped from a
    /// sink), but nothing more is handed on.
    failed: Option<Error>,
    undecoded: bool,
}

impl SegmentSink<'_, '_> {
    fn flush(&mut self) {
        if self.failed.is_some() || self.buf.is_empty() {
            return;
        }
        let seg = std::mem::take(&mut self.buf);
        if let Err(e) = (self.each)(seg) {
            self.failed = Some(e);
        }
    }
}

impl TraceSink for SegmentSink<'_, '_> {
    fn step(&mut self, step: &Step, accesses: &[Access]) {
        if self.failed.is_some() || self.undecoded {
            return;
        }
        let Some((i, d)) = self.program.code_word(step.pc).and_then(|c| c.decoded) else {
            self.undecoded = true;
            return;
        };
        let map = &self.map;
        self.buf.push((
            i,
            ExecRecord::from_trace(step, d, accesses, |a| map.read_only(a)),
        ));
        if let Some(cells) = self.cells.as_deref_mut() {
            scan::record_accesses(map, cells, step, accesses);
        }
        if self.buf.len() >= self.segment {
            self.flush();
        }
    }
}

/// One batch of an instruction chain: its ISA index, its index in the chain and its
/// executions (at most the chain's `k`).
pub(crate) struct BatchJob {
    pub chain: usize,
    pub index: usize,
    pub records: Vec<ExecRecord>,
}

/// Cuts the records of every instruction chain into batches of its `k`.
pub(crate) struct Batcher {
    ks: Vec<usize>,
    pending: Vec<Vec<ExecRecord>>,
    next: Vec<usize>,
}

impl Batcher {
    /// A batcher for chains of sizes `ks`, indexed by ISA index.
    pub(crate) fn new(ks: Vec<usize>) -> Self {
        let n = ks.len();
        Batcher {
            ks,
            pending: vec![Vec::new(); n],
            next: vec![0; n],
        }
    }

    /// Adds a segment; returns the batches it completed, by chain, then index.
    pub(crate) fn push(&mut self, seg: Segment) -> Result<Vec<BatchJob>, Error> {
        let mut full = Vec::new();
        for (i, r) in seg {
            let (Some(pending), Some(&k)) = (self.pending.get_mut(i), self.ks.get(i)) else {
                return Err(Error::IsaMismatch);
            };
            pending.push(r);
            if pending.len() == k {
                let records = std::mem::take(pending);
                full.push(self.job(i, records));
            }
        }
        full.sort_by_key(|j| (j.chain, j.index));
        Ok(full)
    }

    /// The last, short batch of every chain that has one.
    pub(crate) fn flush(&mut self) -> Vec<BatchJob> {
        let mut jobs = Vec::new();
        for i in 0..self.pending.len() {
            let records = std::mem::take(&mut self.pending[i]);
            if !records.is_empty() {
                jobs.push(self.job(i, records));
            }
        }
        jobs
    }

    /// Batches made so far, per ISA index.
    pub(crate) fn batches(&self) -> &[usize] {
        &self.next
    }

    fn job(&mut self, chain: usize, records: Vec<ExecRecord>) -> BatchJob {
        let index = self.next[chain];
        self.next[chain] += 1;
        BatchJob {
            chain,
            index,
            records,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crease_circuits::ExecRecord;
    use crease_nvm::Decoded;

    fn rec(t: u64) -> ExecRecord {
        ExecRecord {
            t,
            pc: 0,
            next_pc: 4,
            d: Decoded::default(),
            accesses: Vec::new(),
        }
    }

    /// Whatever the segment length, a chain's batches are its executions in order, `k` at a
    /// time, the last one short.
    #[test]
    fn batches_do_not_depend_on_the_segments() {
        let run: Segment = (0..104u64)
            .map(|t| ((t % 3 == 0) as usize, rec(t)))
            .collect();
        let cut = |segment: usize| {
            let mut b = Batcher::new(vec![4, 5]);
            let mut jobs = Vec::new();
            for seg in run.chunks(segment) {
                jobs.extend(b.push(seg.to_vec()).unwrap());
            }
            jobs.extend(b.flush());
            jobs.sort_by_key(|j| (j.chain, j.index));
            let batches = b.batches().to_vec();
            let ts: Vec<(usize, usize, Vec<u64>)> = jobs
                .into_iter()
                .map(|j| (j.chain, j.index, j.records.iter().map(|r| r.t).collect()))
                .collect();
            (ts, batches)
        };
        let whole = cut(1000);
        for segment in [1, 2, 3, 4, 5, 7, 64] {
            assert_eq!(cut(segment), whole, "segment {segment}");
        }
        let (ts, batches) = whole;
        assert_eq!(batches, vec![18, 7]);
        assert_eq!(ts[0], (0, 0, vec![1, 2, 4, 5]));
        assert_eq!(ts[17], (0, 17, vec![103]));
        assert_eq!(ts[24], (1, 6, vec![90, 93, 96, 99, 102]));
    }

    #[test]
    fn an_index_outside_the_isa_is_refused() {
        let mut b = Batcher::new(vec![4]);
        assert!(matches!(b.push(vec![(1, rec(0))]), Err(Error::IsaMismatch)));
    }
}
