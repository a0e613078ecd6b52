//! Pass 2 of the instruction chains: leaves proven in parallel and merged up each chain's
//! tree (docs/FOLDING.md §8), with finished work saved for a resume.

use std::time::Instant;

use crease_circuits::batch::BatchWitness;
use crease_circuits::Batch;
use crease_folding::direct::DirectProof;
use crease_folding::tree::{self, Node, TreeProof};
use crease_folding::G1;
use rayon::prelude::*;

#[cfg(feature = "tamper")]
use super::TreeEdit;
use super::{apply_overrides, fingerprint, show_steps, Counter, InstBatch, Job, Pass1, REPLAY};
use crate::graph::TaskKind;
use crate::proof::{ChainBody, ChainProof};
use crate::stream::{BatchJob, Batcher};
use crate::task::{LeafTask, MergeTask, Task};
use crate::{Error, Fr, Params};

impl Job<'_> {
    /// Pass 2 of the instruction chains: rebuilds every batch's witness a segment at a
    /// time, proves each chain's batches as leaves of `leaf_steps` batches (the leaves of a
    /// segment in parallel, whatever their chain) and merges them up each chain's tree as
    /// they finish (docs/FOLDING.md §8: the shape pass 1 hashed).
    pub(super) fn fold_instructions(
        &self,
        batches: &[InstBatch],
        pass1: &Pass1,
        consts: &[Fr; 3],
        counter: &Counter<'_>,
        after: usize,
    ) -> Result<Vec<ChainProof>, Error> {
        let used: Vec<usize> = (0..batches.len())
            .filter(|&i| !pass1.commitments[i].is_empty())
            .collect();
        let leaf_steps = self.leaf_steps;
        // Chains of a few batches, one leaf at most, are shown directly, not folded.
        let direct: Vec<bool> = (used.iter())
            .map(|&i| pass1.commitments[i].len() <= self.direct_steps.min(leaf_steps))
            .collect();
        let mut shown: Vec<Option<(Vec<Fr>, DirectProof)>> = used.iter().map(|_| None).collect();
        let mut trees: Vec<ChainTree> = used.iter().map(|_| ChainTree::default()).collect();
        // An earlier run's finished leaves and subtrees: those leaves are not proven again.
        if let Some(work) = self.work {
            let mut skipped = 0u64;
            for (t, &chain) in trees.iter_mut().zip(&used) {
                if let Some(st) = work.load_chain(chain) {
                    let batches = (st.leaves * leaf_steps).min(pass1.commitments[chain].len());
                    skipped += batches as u64 + st.leaves.saturating_sub(st.stack.len()) as u64;
                    t.skip = st.leaves;
                    t.ids = vec![None; st.stack.len()];
                    t.stack = st.stack;
                }
            }
            counter.set_total(counter.total().saturating_sub(skipped));
        }
        let mut proven = 0usize;
        let width = rayon::current_num_threads().max(1);
        let mut fold_jobs = |jobs: Vec<BatchJob>, last: bool| -> Result<(), Error> {
            for j in jobs {
                let at = used.binary_search(&j.chain).map_err(|_| REPLAY)?;
                trees[at].pending.push(j);
            }
            let mut leaves: Vec<(usize, Vec<BatchJob>)> = Vec::new();
            let mut showings: Vec<(usize, Vec<BatchJob>)> = Vec::new();
            for (at, t) in trees.iter_mut().enumerate() {
                if direct[at] {
                    if last {
                        showings.push((at, std::mem::take(&mut t.pending)));
                    }
                    continue;
                }
                while t.pending.len() >= leaf_steps || (last && !t.pending.is_empty()) {
                    let take = leaf_steps.min(t.pending.len());
                    let rest = t.pending.split_off(take);
                    let jobs = std::mem::replace(&mut t.pending, rest);
                    t.formed += 1;
                    if t.formed > t.skip {
                        t.dirty = true;
                        leaves.push((at, jobs));
                    }
                }
            }
            proven += leaves.len();
            let done = showings
                .into_par_iter()
                .map(|(at, jobs)| {
                    let start = Instant::now();
                    let shown = self.show_chain(batches, pass1, consts, jobs, counter)?;
                    self.record(TaskKind::Show, used[at] as u32, vec![after], start);
                    Ok((at, shown))
                })
                .collect::<Result<Vec<_>, Error>>()?;
            for (at, s) in done {
                shown[at] = Some(s);
            }
            // As many leaves at a time as there are threads, each merged in as it is done,
            // so that finished leaves do not pile up in memory.
            let mut leaves = leaves.into_iter().peekable();
            while leaves.peek().is_some() {
                let group: Vec<_> = leaves.by_ref().take(width).collect();
                let nodes = group
                    .into_par_iter()
                    .map(|(at, jobs)| {
                        let start = Instant::now();
                        let node = self.prove_leaf(batches, pass1, consts, jobs, counter)?;
                        let id = self.record(TaskKind::Leaf, used[at] as u32, vec![after], start);
                        Ok((at, (node, id)))
                    })
                    .collect::<Result<Vec<_>, Error>>()?;
                // Each chain merges its new leaves in, the chains side by side.
                let mut per: Vec<Vec<(Node, usize)>> = trees.iter().map(|_| Vec::new()).collect();
                for (at, (node, id)) in nodes {
                    for node in self.edit_leaf(&mut trees[at], used[at] as u32, node) {
                        per[at].push((node, id));
                    }
                }
                trees
                    .par_iter_mut()
                    .zip(per)
                    .zip(&used)
                    .try_for_each(|((t, nodes), &chain)| {
                        for n in nodes {
                            t.push(self, chain, n, counter, self.forge(chain))?;
                        }
                        Ok::<(), Error>(())
                    })?;
            }
            if let Some(work) = self.work {
                for (t, &chain) in trees.iter_mut().zip(&used) {
                    if std::mem::take(&mut t.dirty) {
                        work.save_chain(chain, t.formed, &t.stack)?;
                    }
                }
            }
            if self.stop_after_leaves.is_some_and(|n| proven >= n) {
                return Err(Error::Interrupted);
            }
            Ok(())
        };
        let mut batcher = Batcher::new(self.ks());
        self.source.replay(self.segment, None, &mut |seg| {
            fold_jobs(batcher.push(seg)?, false)
        })?;
        fold_jobs(batcher.flush(), true)?;
        let made: Vec<usize> = pass1.commitments.iter().map(Vec::len).collect();
        if batcher.batches() != made {
            return Err(REPLAY);
        }
        used.iter()
            .zip(trees)
            .zip(shown)
            .map(|((&i, t), shown)| {
                if let Some((z, proof)) = shown {
                    return Ok(ChainProof {
                        chain: i as u32,
                        z,
                        body: ChainBody::Direct(proof),
                    });
                }
                let root = t.root(self, i, counter, self.forge(i))?;
                let proof = TreeProof::from_root(self.params.inst[i].tree()?, &root)?;
                if self.tamper.is_none()
                    && proof.w1_hash() != tree::w1_hash(&pass1.commitments[i], leaf_steps)?
                {
                    return Err(REPLAY);
                }
                Ok(ChainProof {
                    chain: i as u32,
                    z: root.z().to_vec(),
                    body: ChainBody::Folded(proof),
                })
            })
            .collect()
    }

    /// Shows one chain's batches `jobs` (all of them) directly.
    fn show_chain(
        &self,
        batches: &[InstBatch],
        pass1: &Pass1,
        consts: &[Fr; 3],
        jobs: Vec<BatchJob>,
        counter: &Counter<'_>,
    ) -> Result<(Vec<Fr>, DirectProof), Error> {
        let (chain, ws, _) = self.rebuild(batches, pass1, jobs)?;
        show_steps(&batches[chain], &ws, consts, counter)
    }

    /// Proves one leaf: the batches `jobs` of one chain, with their pass-1 commitments.
    fn prove_leaf(
        &self,
        batches: &[InstBatch],
        pass1: &Pass1,
        consts: &[Fr; 3],
        jobs: Vec<BatchJob>,
        counter: &Counter<'_>,
    ) -> Result<Node, Error> {
        let (chain, ws, cms) = self.rebuild(batches, pass1, jobs)?;
        let n = ws.len();
        let task = Task::Leaf(LeafTask {
            chain: chain as u32,
            constants: *consts,
            batches: ws,
            commitments: cms,
        });
        let node = task.run(self.params)?;
        for _ in 0..n {
            counter.tick();
        }
        Ok(node)
    }

    /// The witnesses of one chain's batches `jobs`, each checked against pass 1's
    /// fingerprint, with pass 1's commitments.
    fn rebuild(
        &self,
        batches: &[InstBatch],
        pass1: &Pass1,
        jobs: Vec<BatchJob>,
    ) -> Result<(usize, Vec<BatchWitness>, Vec<G1>), Error> {
        let chain = jobs.first().map(|j| j.chain).ok_or(REPLAY)?;
        let batch = batches.get(chain).ok_or(REPLAY)?;
        let mut ws = Vec::with_capacity(jobs.len());
        let mut cms = Vec::with_capacity(jobs.len());
        for j in jobs {
            let mut w = batch.witness(&j.records)?;
            drop(j.records);
            apply_overrides(self.tamper, chain as u32, j.index, &mut w.overrides);
            let (Some(&c), Some(&f)) = (
                pass1.commitments[chain].get(j.index),
                pass1.fingerprints[chain].get(j.index),
            ) else {
                return Err(REPLAY);
            };
            if fingerprint(&w) != f {
                return Err(REPLAY);
            }
            ws.push(w);
            cms.push(c);
        }
        Ok((chain, ws, cms))
    }

    /// The nodes to merge in for the next leaf of a chain, after a test's edit.
    #[cfg(feature = "tamper")]
    fn edit_leaf(&self, t: &mut ChainTree, chain: u32, node: Node) -> Vec<Node> {
        let index = t.leaves;
        t.leaves += 1;
        match self.tamper.and_then(|w| w.tree_edit) {
            Some(TreeEdit::Swap { chain: c, leaf }) if c == chain && index == leaf => {
                t.held = Some(node);
                Vec::new()
            }
            Some(TreeEdit::Swap { chain: c, leaf }) if c == chain && index == leaf + 1 => {
                let mut v = vec![node];
                v.extend(t.held.take());
                v
            }
            Some(TreeEdit::Drop { chain: c, leaf }) if c == chain && index == leaf => Vec::new(),
            Some(TreeEdit::Duplicate { chain: c, leaf }) if c == chain && index == leaf => {
                vec![node.clone(), node]
            }
            _ => vec![node],
        }
    }

    #[cfg(not(feature = "tamper"))]
    fn edit_leaf(&self, _: &mut ChainTree, _: u32, node: Node) -> Vec<Node> {
        vec![node]
    }

    /// Whether the first merge of chain `chain` is forged.
    #[cfg(feature = "tamper")]
    fn forge(&self, chain: usize) -> bool {
        self.tamper.and_then(|w| w.tree_edit)
            == Some(TreeEdit::ForgeMerge {
                chain: chain as u32,
            })
    }

    #[cfg(not(feature = "tamper"))]
    fn forge(&self, _: usize) -> bool {
        false
    }
}

/// One instruction chain's tree in pass 2: the batches not yet in a leaf and the roots of
/// the finished subtrees with their levels (a binary counter: pushing a leaf merges equal
/// levels, and the last merges go right to left, which is the shape of `tree::w1_hash`).
#[derive(Default)]
struct ChainTree {
    pending: Vec<BatchJob>,
    stack: Vec<(u32, Node)>,
    /// Leaves proven so far, and one a test's edit holds back (feature `tamper`).
    #[cfg_attr(not(feature = "tamper"), allow(dead_code))]
    leaves: usize,
    #[cfg_attr(not(feature = "tamper"), allow(dead_code))]
    held: Option<Node>,
    /// Whether the next merge is to be forged (a test's edit).
    forge: bool,
    /// Leaves cut so far, and how many of the first ones an earlier run finished.
    formed: usize,
    skip: usize,
    /// Whether the tree changed since it was last saved.
    dirty: bool,
    /// The task that made each subtree on the stack (a restored one: none).
    ids: Vec<Option<usize>>,
}

impl ChainTree {
    fn push(
        &mut self,
        job: &Job<'_>,
        chain: usize,
        (node, id): (Node, usize),
        counter: &Counter<'_>,
        forge: bool,
    ) -> Result<(), Error> {
        let (mut level, mut node, mut id) = (0u32, node, Some(id));
        while self.stack.last().is_some_and(|(l, _)| *l == level) {
            let Some((_, left)) = self.stack.pop() else {
                break;
            };
            let left_id = self.ids.pop().flatten();
            let start = Instant::now();
            node = self.merge(job.params, chain, left, node, forge)?;
            let inputs = [left_id, id].into_iter().flatten().collect();
            id = Some(job.record(TaskKind::Merge, chain as u32, inputs, start));
            counter.tick();
            level += 1;
        }
        self.stack.push((level, node));
        self.ids.push(id);
        Ok(())
    }

    fn root(
        mut self,
        job: &Job<'_>,
        chain: usize,
        counter: &Counter<'_>,
        forge: bool,
    ) -> Result<Node, Error> {
        self.ids.resize(self.stack.len(), None);
        let (_, mut right) = self.stack.pop().ok_or(REPLAY)?;
        let mut right_id = self.ids.pop().flatten();
        while let Some((_, left)) = self.stack.pop() {
            let left_id = self.ids.pop().flatten();
            let start = Instant::now();
            right = self.merge(job.params, chain, left, right, forge)?;
            let inputs = [left_id, right_id].into_iter().flatten().collect();
            right_id = Some(job.record(TaskKind::Merge, chain as u32, inputs, start));
            counter.tick();
        }
        Ok(right)
    }

    /// Merges two subtrees (a merge task); a test may forge the chain's first merge.
    fn merge(
        &mut self,
        params: &Params,
        chain: usize,
        left: Node,
        right: Node,
        forge: bool,
    ) -> Result<Node, Error> {
        if forge && !self.forge {
            self.forge = true;
            let c = &params.inst[chain];
            let batch = Batch::new(c.circuit.clone(), chain, c.k);
            let hook = tree::MergeHook {
                forge_merge_t: true,
                ..Default::default()
            };
            return Ok(tree::merge_with(c.tree()?, &batch, &left, &right, hook)?);
        }
        let task = Task::Merge(Box::new(MergeTask {
            chain: chain as u32,
            left,
            right,
        }));
        task.run(params)
    }
}
