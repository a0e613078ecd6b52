//! The units of proving work: a leaf (a run of one instruction chain's batches) and a merge
//! (two subtrees of one chain). Each takes bytes and gives bytes ([`run_task`]), so a task
//! can be stored, resumed or run on another machine; the local prover runs the same tasks
//! in memory ([`Task::run`]).

use crease_circuits::batch::BatchWitness;
use crease_circuits::Batch;
use crease_folding::encode::{ByteReader, ByteWriter};
use crease_folding::tree::{self, Node};
use crease_folding::G1;

use crate::{Error, Fr, Params};

const TASK_HEADER: &[u8; 8] = b"CRSTSK01";
const LEAF: u64 = 0;
const MERGE: u64 = 1;

/// A leaf: batches of one instruction chain, in order, with their pass-1 `W1`
/// commitments, proven from the zero state under the run's challenges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafTask {
    /// The chain (ISA index).
    pub chain: u32,
    /// The challenges `[γ, β, α]`.
    pub constants: [Fr; 3],
    /// Each batch's witness (`Batch::witness`; a test's overrides are not written).
    pub batches: Vec<BatchWitness>,
    /// Each batch's `W1` commitment from pass 1.
    pub commitments: Vec<G1>,
}

/// A merge of two subtrees of one chain, `left` of the earlier steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeTask {
    /// The chain (ISA index).
    pub chain: u32,
    /// The earlier subtree.
    pub left: Node,
    /// The later subtree.
    pub right: Node,
}

/// A unit of proving work; its result is a [`Node`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Task {
    /// Prove a leaf.
    Leaf(LeafTask),
    /// Merge two subtrees.
    Merge(Box<MergeTask>),
}

fn bad(reason: &'static str) -> Error {
    Error::Malformed {
        what: "task",
        reason,
    }
}

impl Task {
    /// The chain the task belongs to.
    pub fn chain(&self) -> u32 {
        match self {
            Task::Leaf(t) => t.chain,
            Task::Merge(t) => t.chain,
        }
    }

    /// Runs the task under `params`.
    pub fn run(&self, params: &Params) -> Result<Node, Error> {
        let c = params
            .inst
            .get(self.chain() as usize)
            .ok_or(bad("no such chain"))?;
        let batch = Batch::new(c.circuit.clone(), self.chain() as usize, c.k);
        match self {
            Task::Leaf(t) => {
                let constants = t.constants.to_vec();
                let ws = &t.batches;
                Ok(tree::prove_leaf_committed(
                    c.tree()?,
                    batch,
                    constants,
                    ws,
                    &t.commitments,
                )?)
            }
            Task::Merge(t) => Ok(tree::merge(c.tree()?, &batch, &t.left, &t.right)?),
        }
    }

    /// The task as bytes, behind a versioned header.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut w = ByteWriter::default();
        w.out.extend_from_slice(TASK_HEADER);
        match self {
            Task::Leaf(t) => {
                w.varint(LEAF);
                w.varint(t.chain as u64);
                w.scalars(&t.constants);
                w.varint(t.batches.len() as u64);
                for b in &t.batches {
                    w.varint(b.values.len() as u64);
                    for &v in &b.values {
                        w.varint(v);
                    }
                }
                w.points(&t.commitments)?;
            }
            Task::Merge(t) => {
                w.varint(MERGE);
                w.varint(t.chain as u64);
                w.bytes(&t.left.to_bytes()?);
                w.bytes(&t.right.to_bytes()?);
            }
        }
        Ok(w.out)
    }

    /// Reads a task written by [`Self::to_bytes`]; damaged or foreign bytes give an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Task, Error> {
        let body = bytes
            .strip_prefix(TASK_HEADER.as_slice())
            .ok_or(bad("unknown header or version"))?;
        let mut r = ByteReader::new(body);
        let kind = r.varint()?;
        let chain = u32::try_from(r.varint()?).map_err(|_| bad("chain"))?;
        let task = match kind {
            LEAF => {
                let constants: Vec<Fr> = r.scalars()?;
                let constants: [Fr; 3] = constants.try_into().map_err(|_| bad("constants"))?;
                let n = r.count(1)?;
                let mut batches = Vec::with_capacity(n);
                for _ in 0..n {
                    let len = r.count(1)?;
                    let values = (0..len)
                        .map(|_| r.varint())
                        .collect::<Result<Vec<_>, _>>()?;
                    batches.push(BatchWitness {
                        values,
                        overrides: Default::default(),
                    });
                }
                Task::Leaf(LeafTask {
                    chain,
                    constants,
                    batches,
                    commitments: r.points()?,
                })
            }
            MERGE => Task::Merge(Box::new(MergeTask {
                chain,
                left: Node::from_bytes(r.bytes()?)?,
                right: Node::from_bytes(r.bytes()?)?,
            })),
            _ => return Err(bad("kind")),
        };
        r.finish()?;
        Ok(task)
    }
}

/// Runs a task given as bytes and returns its result, a [`Node`], as bytes: what a worker
/// of a distributed prover does.
pub fn run_task(params: &Params, task: &[u8]) -> Result<Vec<u8>, Error> {
    Ok(Task::from_bytes(task)?.run(params)?.to_bytes()?)
}
