//! The proof tree: a chain's steps proven as independent leaves, merged pairwise by a node
//! circuit, the root verified natively (docs/FOLDING.md §8).
//!
//! A leaf ([`prove_leaf`]) is an IVC run of the chain's augmented circuit from `z = 0`; a
//! merge ([`merge`]) runs the node circuit over two [`Node`]s. Both are tasks that take and
//! give bytes ([`Node::to_bytes`]). The tree's shape is fixed by the step count and the
//! leaf size ([`leaf_ranges`], [`prove`]); pass 1 computes the tree's `W1` hash with
//! [`w1_hash`]. [`verify`] checks a root.

mod circuit;
mod encode;
mod params;

pub use params::{NodeShape, TreeParams};

use ark_ff::AdditiveGroup;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisMode};

use crate::augmented::w1_hash_step;
use crate::cyclefold::{self, cf_digest, fr_to_fq, CfInstance, CfStatement, CfWitness};
use crate::ivc::{self, FinalWitness, IvcParams, IvcProof, IvcProver, FINAL_FOLD_LABEL};
use crate::merge::{self, MergeProof};
use crate::mova::{self, absorb_running, FoldProof, RunningWitness};
use crate::obligation::{Obligations, Primary, PrimaryInstance};
use crate::poseidon::{self, g1_to_absorb, Transcript};
use crate::r1cs::{FreshInstance, R1csShape, RunningInstance, Witness};
use crate::step::StepCircuit;
use crate::{Error, Fr, G1};

use circuit::{ChildInputs, FoldOut, NodeInputs};

/// Label of a node's state hash.
pub const NODE_LABEL: &[u8] = b"crease/tree/node";
/// Label of the fold of a child's fresh instance.
pub const CHILD_FOLD_LABEL: &[u8] = b"crease/tree/child-fold";
/// Label of the merge of the children's augmented-circuit accumulators.
pub const MERGE_A_LABEL: &[u8] = b"crease/tree/merge-a";
/// Label of the merge of the children's node-circuit accumulators.
pub const MERGE_N_LABEL: &[u8] = b"crease/tree/merge-n";
/// Label of the transcripts of a node's CycleFold folds.
pub const CF_FOLD_LABEL: &[u8] = b"crease/tree/cf-fold";
/// Label of a node's `W1` hash.
pub const TREE_W1_LABEL: &[u8] = b"crease/tree/w1";
/// Label of the root's final fold.
pub const TREE_FINAL_LABEL: &[u8] = b"crease/tree/final-fold";

/// The step ranges of the leaves: `L` steps each, the last one shorter.
pub fn leaf_ranges(steps: u64, leaf_steps: u64) -> Vec<std::ops::Range<u64>> {
    if leaf_steps == 0 {
        return Vec::new();
    }
    (0..steps.div_ceil(leaf_steps))
        .map(|j| j * leaf_steps..((j + 1) * leaf_steps).min(steps))
        .collect()
}

/// Reduces a level-by-level list by the tree's rule: neighbours paired left to right, the
/// last element of an odd level carried up unchanged.
fn reduce_tree<T>(
    mut level: Vec<T>,
    mut pair: impl FnMut(T, T) -> Result<T, Error>,
) -> Result<T, Error> {
    while level.len() > 1 {
        let mut next = Vec::with_capacity(level.len().div_ceil(2));
        let mut it = level.into_iter();
        while let Some(a) = it.next() {
            match it.next() {
                Some(b) => next.push(pair(a, b)?),
                None => next.push(a),
            }
        }
        level = next;
    }
    level
        .pop()
        .ok_or(Error::IvcVerification("a tree of no leaves"))
}

/// A node's `W1` hash from its children's and their step counts.
pub fn w1_hash_node(left: Fr, right: Fr, left_steps: u64, right_steps: u64) -> Fr {
    poseidon::hash(
        TREE_W1_LABEL,
        &[left, right, Fr::from(left_steps), Fr::from(right_steps)],
    )
}

/// The tree's `W1` hash from every step's `W1` commitment in order and the leaf size (pass
/// 1): what [`TreeProof::w1_hash`] of an honest proof returns.
pub fn w1_hash(commitments: &[G1], leaf_steps: usize) -> Result<Fr, Error> {
    if leaf_steps == 0 {
        return Err(Error::IvcVerification("a tree of no leaves"));
    }
    w1_hash_of_leaves(leaf_w1_hashes(commitments, leaf_steps))
}

/// Each leaf's `W1` hash and step count, for leaves of `leaf_steps` commitments.
pub fn leaf_w1_hashes(commitments: &[G1], leaf_steps: usize) -> Vec<(Fr, u64)> {
    commitments
        .chunks(leaf_steps.max(1))
        .map(|c| (ivc::w1_hash_chain(c), c.len() as u64))
        .collect()
}

/// The tree's `W1` hash from its leaves' `W1` hashes and step counts, in order.
pub fn w1_hash_of_leaves(leaves: Vec<(Fr, u64)>) -> Result<Fr, Error> {
    let (h, _) = reduce_tree(leaves, |(a, sa), (b, sb)| {
        Ok((w1_hash_node(a, b, sa, sb), sa + sb))
    })?;
    Ok(h)
}

/// Everything a node's state hash covers, natively.
struct NodeState<'a> {
    pp: Fr,
    steps: u64,
    constants: &'a [Fr],
    z: &'a [Fr],
    big_a: &'a RunningInstance,
    big_n: &'a RunningInstance,
    cf: &'a CfInstance,
    w1_hash: Fr,
}

fn running_elems(u: &RunningInstance) -> Vec<Fr> {
    let mut v = g1_to_absorb(&u.cw1).to_vec();
    v.extend(g1_to_absorb(&u.cw2));
    v.extend_from_slice(&u.x);
    v.push(u.u);
    v.extend_from_slice(&u.r_e);
    v.push(u.v_e);
    v
}

/// `H_N(pp_N, s, constants, z, U_A, U_N, D(cfU), w)`.
fn node_hash(s: &NodeState<'_>) -> Fr {
    let mut v = vec![s.pp, Fr::from(s.steps)];
    v.extend_from_slice(s.constants);
    v.extend_from_slice(s.z);
    v.extend(running_elems(s.big_a));
    v.extend(running_elems(s.big_n));
    v.push(cf_digest(s.cf));
    v.push(s.w1_hash);
    poseidon::hash(NODE_LABEL, &v)
}

/// A subtree's root with every witness: a leaf (an IVC run) or a node (a merge). The unit
/// of work of the tree: [`Self::to_bytes`] and [`Self::from_bytes`] carry it between tasks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub(crate) is_node: bool,
    pub(crate) steps: u64,
    pub(crate) constants: Vec<Fr>,
    pub(crate) z: Vec<Fr>,
    /// A leaf's running `W1` hash before its last commitment; a node's complete one.
    pub(crate) w1_hash: Fr,
    pub(crate) big_a: RunningInstance,
    pub(crate) wa: Witness,
    pub(crate) big_n: RunningInstance,
    pub(crate) wn: Witness,
    pub(crate) cf: CfInstance,
    pub(crate) cf_w: CfWitness,
    /// The last fresh instance: the leaf's last step's, or the node circuit's.
    pub(crate) u: FreshInstance,
    pub(crate) w: Witness,
}

impl Node {
    /// Steps proven.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The state `z` of the steps proven, from `0`.
    pub fn z(&self) -> &[Fr] {
        &self.z
    }

    /// The complete `W1` hash of the subtree.
    pub fn w1_hash(&self) -> Fr {
        if self.is_node {
            self.w1_hash
        } else {
            w1_hash_step(self.w1_hash, &self.u.cw1)
        }
    }

    /// Test hook: mutable access to every part.
    #[doc(hidden)]
    pub fn parts_mut(&mut self) -> NodeParts<'_> {
        NodeParts {
            steps: &mut self.steps,
            z: &mut self.z,
            w1_hash: &mut self.w1_hash,
            big_a: &mut self.big_a,
            big_n: &mut self.big_n,
            cf: &mut self.cf,
            u: &mut self.u,
        }
    }

    /// Test hook: replaces the primary accumulators (`U_A`, and `U_N` with `node`) by the
    /// trivial instance with its zero witness (satisfied pairs, so the merge's folds go
    /// through).
    #[doc(hidden)]
    pub fn trivialize_accumulators(&mut self, params: &TreeParams, node: bool) {
        self.big_a = RunningInstance::zero(&params.chain.shape);
        self.wa = Witness::zero(&params.chain.shape);
        if node {
            self.big_n = RunningInstance::zero(&params.shape);
            self.wn = Witness::zero(&params.shape);
        }
    }

    /// Test hook: gives this node `from`'s node-circuit accumulator `U_N` with its witness.
    #[doc(hidden)]
    pub fn take_node_accumulator(&mut self, from: &Node) {
        self.big_n = from.big_n.clone();
        self.wn = from.wn.clone();
    }

    /// Test hook: replaces the CycleFold accumulator by the trivial instance and witness.
    #[doc(hidden)]
    pub fn trivialize_cyclefold(&mut self, params: &TreeParams) {
        self.cf = CfInstance::zero(&params.chain.cf_shape);
        self.cf_w = CfWitness::zero(&params.chain.cf_shape);
    }
}

/// Mutable views of a node's parts (test hook).
#[doc(hidden)]
pub struct NodeParts<'a> {
    pub steps: &'a mut u64,
    pub z: &'a mut Vec<Fr>,
    pub w1_hash: &'a mut Fr,
    pub big_a: &'a mut RunningInstance,
    pub big_n: &'a mut RunningInstance,
    pub cf: &'a mut CfInstance,
    pub u: &'a mut FreshInstance,
}

/// Proves a leaf: `exts.len()` steps of `circuit` from `z = 0` under `constants`.
pub fn prove_leaf<C: StepCircuit>(
    params: &TreeParams,
    circuit: C,
    constants: Vec<Fr>,
    exts: &[C::ExternalWitness],
) -> Result<Node, Error> {
    prove_leaf_of_chain(params, &params.chain, circuit, constants, exts)
}

/// [`prove_leaf`] reusing each step's `W1` commitment from pass 1
/// ([`IvcParams::commit_w1`], one per step); a wrong commitment gives a leaf that does not
/// verify.
pub fn prove_leaf_committed<C: StepCircuit>(
    params: &TreeParams,
    circuit: C,
    constants: Vec<Fr>,
    exts: &[C::ExternalWitness],
    commitments: &[G1],
) -> Result<Node, Error> {
    if commitments.len() != exts.len() {
        return Err(Error::WrongLength {
            what: "leaf commitments",
            expected: exts.len(),
            got: commitments.len(),
        });
    }
    leaf(
        params,
        &params.chain,
        circuit,
        constants,
        exts,
        Some(commitments),
    )
}

/// [`prove_leaf`] under the parameters of the chain `chain`, which a test makes another
/// chain's.
#[doc(hidden)]
pub fn prove_leaf_of_chain<C: StepCircuit>(
    params: &TreeParams,
    chain: &IvcParams,
    circuit: C,
    constants: Vec<Fr>,
    exts: &[C::ExternalWitness],
) -> Result<Node, Error> {
    leaf(params, chain, circuit, constants, exts, None)
}

fn leaf<C: StepCircuit>(
    params: &TreeParams,
    chain: &IvcParams,
    circuit: C,
    constants: Vec<Fr>,
    exts: &[C::ExternalWitness],
    commitments: Option<&[G1]>,
) -> Result<Node, Error> {
    if exts.is_empty() {
        return Err(Error::IvcVerification("a leaf of no steps"));
    }
    let z0 = vec![Fr::ZERO; chain.arity as usize];
    let mut p = IvcProver::new(chain, circuit, z0, constants)?;
    for (i, e) in exts.iter().enumerate() {
        p.prove_step_with_w1(e, commitments.map(|c| c[i]))?;
    }
    let run = p.into_run();
    Ok(Node {
        is_node: false,
        steps: run.steps,
        constants: run.constants,
        z: run.z,
        w1_hash: run.w1_hash,
        big_a: run.big_u,
        wa: run.big_w,
        big_n: RunningInstance::zero(&params.shape),
        wn: Witness::zero(&params.shape),
        cf: run.cf_u,
        cf_w: run.cf_w,
        u: run.u,
        w: run.w,
    })
}

/// Refuses a node (read from bytes a merge task did not make) whose parts do not have the
/// lengths of its parameters' shapes or whose step count is out of range, before the native
/// folds index into them.
fn check_node(params: &TreeParams, c: &Node) -> Result<(), Error> {
    let chain = &params.chain;
    if c.steps == 0 || c.steps >= cyclefold::MAX_FOLDS {
        return Err(Error::IvcVerification("wrong number of steps"));
    }
    let (sa, sn, cf) = (&chain.shape, &params.shape, &*chain.cf_shape);
    let own = if c.is_node { sn } else { sa };
    let witness = |w: &Witness, s: &R1csShape| [(w.w1.len(), s.num_w1), (w.w2.len(), s.num_w2)];
    let [wa1, wa2] = witness(&c.wa, sa);
    let [wn1, wn2] = witness(&c.wn, sn);
    let [w1, w2] = witness(&c.w, own);
    for (what, got, expected) in [
        ("constants", c.constants.len(), chain.num_constants as usize),
        ("z", c.z.len(), chain.arity as usize),
        ("x of U_A", c.big_a.x.len(), sa.num_io),
        ("r_E of U_A", c.big_a.r_e.len(), sa.num_vars()),
        ("W1 of U_A", wa1.0, wa1.1),
        ("W2 of U_A", wa2.0, wa2.1),
        ("x of U_N", c.big_n.x.len(), sn.num_io),
        ("r_E of U_N", c.big_n.r_e.len(), sn.num_vars()),
        ("W1 of U_N", wn1.0, wn1.1),
        ("W2 of U_N", wn2.0, wn2.1),
        ("CycleFold x", c.cf.x.len(), cf.num_io),
        ("CycleFold W", c.cf_w.w.len(), cf.num_w2),
        ("CycleFold E", c.cf_w.e.len(), cf.num_constraints),
        ("fresh x", c.u.x.len(), own.num_io),
        ("fresh W1", w1.0, w1.1),
        ("fresh W2", w2.0, w2.1),
    ] {
        if got != expected {
            return Err(Error::WrongLength {
                what,
                expected,
                got,
            });
        }
    }
    Ok(())
}

/// A transcript labelled `label` that first absorbs the fresh instance `u`.
fn fresh_transcript(label: &[u8], u: &FreshInstance) -> Transcript {
    let mut tr = Transcript::new(label);
    tr.absorb_slice(&u.x);
    tr.absorb_g1(&u.cw1);
    tr.absorb_g1(&u.cw2);
    tr
}

/// The node circuit's view of a child and the fold of its fresh instance.
fn child_inputs<'a>(c: &'a Node, f: &'a ChildFold, fold: FoldOut) -> ChildInputs<'a> {
    ChildInputs {
        is_node: c.is_node,
        steps: c.steps,
        z: &c.z,
        w1_hash: c.w1_hash,
        big_a: &c.big_a,
        big_n: &c.big_n,
        cf: &c.cf,
        u: &c.u,
        fold_a: &f.fold_a,
        fold_n: &f.fold_n,
        fold,
    }
}

/// A child's accumulators after its fresh instance is folded in (§8.3 item 5).
struct ChildFold {
    big_a: (RunningInstance, RunningWitness),
    big_n: (RunningInstance, RunningWitness),
    fold_a: FoldProof,
    fold_n: FoldProof,
    stmt: CfStatement,
}

fn fold_child(params: &TreeParams, c: &Node) -> Result<ChildFold, Error> {
    let (sa, sn): (&R1csShape, &R1csShape) = (&params.chain.shape, &params.shape);
    let wa = RunningWitness::new(sa, &c.big_a, c.wa.clone())?;
    let wn = RunningWitness::new(sn, &c.big_n, c.wn.clone())?;
    let zero = |n: usize| FoldProof {
        h: vec![Fr::ZERO; n],
        t: Fr::ZERO,
    };
    let mut tr = fresh_transcript(CHILD_FOLD_LABEL, &c.u);
    let (shape, acc, accw) = if c.is_node {
        (sn, &c.big_n, &wn)
    } else {
        (sa, &c.big_a, &wa)
    };
    let (nu, nw, proof, ch) = mova::prove(shape, &mut tr, acc, accw, &c.u, &c.w, None)?;
    let stmt = CfStatement {
        r_bits: ch.r_bits,
        folds: [(acc.cw1, c.u.cw1, nu.cw1), (acc.cw2, c.u.cw2, nu.cw2)],
    };
    Ok(if c.is_node {
        ChildFold {
            big_a: (c.big_a.clone(), wa),
            big_n: (nu, nw),
            fold_a: zero(sa.num_vars()),
            fold_n: proof,
            stmt,
        }
    } else {
        ChildFold {
            big_a: (nu, nw),
            big_n: (c.big_n.clone(), wn),
            fold_a: proof,
            fold_n: zero(sn.num_vars()),
            stmt,
        }
    })
}

type Merged = (RunningInstance, RunningWitness, MergeProof, CfStatement);

fn merge_pair(
    shape: &R1csShape,
    label: &[u8],
    a: &(RunningInstance, RunningWitness),
    b: &(RunningInstance, RunningWitness),
) -> Result<Merged, Error> {
    let mut tr = Transcript::new(label);
    absorb_running(&mut tr, &a.0);
    absorb_running(&mut tr, &b.0);
    let (m, mw, proof, ch) = merge::prove(shape, &mut tr, &a.0, &a.1, &b.0, &b.1)?;
    let stmt = CfStatement {
        r_bits: ch.r_bits,
        folds: [(a.0.cw1, b.0.cw1, m.cw1), (a.0.cw2, b.0.cw2, m.cw2)],
    };
    Ok((m, mw, proof, stmt))
}

/// Merges two subtrees, `left` of the earlier steps (docs/FOLDING.md §8.3): folds each
/// child's fresh instance, merges their accumulators, and proves it all with the node
/// circuit, whose fresh instance the returned node carries.
pub fn merge<C: StepCircuit>(
    params: &TreeParams,
    circuit: &C,
    left: &Node,
    right: &Node,
) -> Result<Node, Error> {
    merge_with(params, circuit, left, right, MergeHook::default())
}

/// What a test makes [`merge_with`] do besides an honest merge.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct MergeHook {
    /// Synthesize with the constraint matrices and fail with [`Error::Unsatisfied`] unless
    /// the node circuit is satisfied.
    pub check_circuit: bool,
    /// Add one to the `t` of the merge of the children's `U_A` and carry the instance the
    /// verifier derives from it (a forged merge message).
    pub forge_merge_t: bool,
    /// The kind bit the node circuit is given for each child (left, right) instead of the
    /// child's own; the native folds stay those of its true kind.
    pub claim_node: [Option<bool>; 2],
    /// Skip the native check that both children share their constants (the node circuit
    /// then hashes both children with the left one's).
    pub mixed_constants: bool,
    /// The node parameters' digest the node circuit is given instead of `pp_N`.
    pub pp: Option<Fr>,
}

/// [`merge`] with a test's [`MergeHook`].
#[doc(hidden)]
pub fn merge_with<C: StepCircuit>(
    params: &TreeParams,
    circuit: &C,
    left: &Node,
    right: &Node,
    hook: MergeHook,
) -> Result<Node, Error> {
    check_node(params, left)?;
    check_node(params, right)?;
    let steps = left
        .steps
        .checked_add(right.steps)
        .filter(|s| *s < cyclefold::MAX_FOLDS)
        .ok_or(Error::IvcVerification("too many steps"))?;
    if left.constants != right.constants && !hook.mixed_constants {
        return Err(Error::IvcVerification("children of different constants"));
    }
    let chain = &params.chain;
    let (cf_shape, cf_key) = (&*chain.cf_shape, &*chain.cf_key);
    let (fl, fr) = rayon::join(|| fold_child(params, left), || fold_child(params, right));
    let (fl, fr) = (fl?, fr?);
    let (ma, mn) = rayon::join(
        || merge_pair(&chain.shape, MERGE_A_LABEL, &fl.big_a, &fr.big_a),
        || merge_pair(&params.shape, MERGE_N_LABEL, &fl.big_n, &fr.big_n),
    );
    let (mut ma, mn) = (ma?, mn?);
    if hook.forge_merge_t {
        ma.2.t += Fr::from(1u64);
        let mut tr = Transcript::new(MERGE_A_LABEL);
        absorb_running(&mut tr, &fl.big_a.0);
        absorb_running(&mut tr, &fr.big_a.0);
        let (a, b) = (&fl.big_a.0, &fr.big_a.0);
        let (m, ch) = merge::verify(&chain.shape, &mut tr, a, b, &ma.2)?;
        ma.3 = CfStatement {
            r_bits: ch.r_bits,
            folds: [(a.cw1, b.cw1, m.cw1), (a.cw2, b.cw2, m.cw2)],
        };
        ma.0 = m;
    }

    let (mut acc, mut accw, cf_merge_t) = cyclefold::merge(
        cf_shape,
        cf_key,
        &left.cf,
        &left.cf_w,
        &right.cf,
        &right.cf_w,
    )?;
    let (_, mut chain_digest) = cyclefold::merge_transcript(&left.cf, &right.cf, &cf_merge_t);
    let mut outs = Vec::with_capacity(4);
    for stmt in [&fl.stmt, &fr.stmt, &ma.3, &mn.3] {
        let msg = cyclefold::prepare_fold(cf_shape, cf_key, &acc, &accw, stmt)?;
        let mut tr = Transcript::new(CF_FOLD_LABEL);
        tr.absorb(&chain_digest);
        tr.absorb_slice(&stmt.public_inputs_fr());
        tr.absorb_grumpkin(&msg.cm_w_new);
        tr.absorb_grumpkin(&msg.cm_t);
        let (_, rho) = tr.short_challenge();
        chain_digest = tr.challenge();
        outs.push((msg.cm_w_new, msg.cm_t));
        (acc, accw) = cyclefold::fold(&acc, &accw, &msg, fr_to_fq(&rho));
    }
    let out = |i: usize, next: [G1; 2]| FoldOut {
        next,
        cf_w: outs[i].0,
        cf_t: outs[i].1,
    };

    let z = circuit.combine(&left.z, &right.z);
    let w1_hash = w1_hash_node(left.w1_hash(), right.w1_hash(), left.steps, right.steps);
    let pp = hook.pp.unwrap_or(params.digest);
    let h = node_hash(&NodeState {
        pp,
        steps,
        constants: &left.constants,
        z: &z,
        big_a: &ma.0,
        big_n: &mn.0,
        cf: &acc,
        w1_hash,
    });

    let next = |f: &ChildFold, c: &Node| {
        let u = if c.is_node { &f.big_n.0 } else { &f.big_a.0 };
        [u.cw1, u.cw2]
    };
    let mut children = [
        child_inputs(left, &fl, out(0, next(&fl, left))),
        child_inputs(right, &fr, out(1, next(&fr, right))),
    ];
    for (c, claim) in children.iter_mut().zip(hook.claim_node) {
        if let Some(k) = claim {
            c.is_node = k;
        }
    }
    let inp = NodeInputs {
        pp,
        constants: &left.constants,
        children,
        merge_a: (&ma.2, out(2, [ma.0.cw1, ma.0.cw2])),
        merge_n: (&mn.2, out(3, [mn.0.cw1, mn.0.cw2])),
        cf_merge_t,
    };
    let cs = ConstraintSystem::<Fr>::new_ref();
    if !hook.check_circuit {
        cs.set_mode(SynthesisMode::Prove {
            construct_matrices: false,
            generate_lc_assignments: false,
        });
    }
    circuit::synthesize(cs.clone(), circuit, &params.consts, &inp)?;
    if hook.check_circuit && !cs.is_satisfied()? {
        return Err(Error::Unsatisfied("node circuit"));
    }
    let (x, w) = assignment(&cs, &params.shape)?;
    if x != [h] {
        return Err(Error::IvcVerification(
            "node circuit output differs from the native state hash",
        ));
    }
    let u = FreshInstance::commit(&chain.key, x, &w)?;
    Ok(Node {
        is_node: true,
        steps,
        constants: left.constants.clone(),
        z,
        w1_hash,
        big_a: ma.0,
        wa: ma.1.w,
        big_n: mn.0,
        wn: mn.1.w,
        cf: acc,
        cf_w: accw,
        u,
        w,
    })
}

fn assignment(
    cs: &ConstraintSystemRef<Fr>,
    shape: &R1csShape,
) -> Result<(Vec<Fr>, Witness), Error> {
    let x = cs.instance_assignment()?[1..].to_vec();
    let w = cs.witness_assignment()?;
    if w.len() != shape.num_w2 || x.len() != shape.num_io {
        return Err(Error::ShapeMismatch {
            what: "node witness length",
            expected: shape.num_w2,
            got: w.len(),
        });
    }
    Ok((
        x,
        Witness {
            w1: Vec::new(),
            w2: w,
        },
    ))
}

/// The proof of a tree: an IVC proof for a tree of one leaf, else the root node's state with
/// one witness per accumulator (its fresh instance folded into `U_N`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeProof {
    /// A single leaf, from `z = 0`.
    Leaf(Box<IvcProof>),
    /// A root node.
    Node(Box<NodeProof>),
}

/// The root node's state, its fresh instance, the witness of `U_A`, the final fold of the
/// fresh instance into `U_N` with the folded witness, and the CycleFold witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeProof {
    pub(crate) steps: u64,
    pub(crate) constants: Vec<Fr>,
    pub(crate) z: Vec<Fr>,
    pub(crate) w1_hash: Fr,
    pub(crate) big_a: RunningInstance,
    pub(crate) wa: Witness,
    pub(crate) big_n: RunningInstance,
    pub(crate) u: FreshInstance,
    pub(crate) fold: FoldProof,
    pub(crate) folded: Witness,
    pub(crate) cf: CfInstance,
    pub(crate) cf_w: CfWitness,
}

impl TreeProof {
    /// The root of a finished tree as a proof.
    pub fn from_root(params: &TreeParams, root: &Node) -> Result<Self, Error> {
        check_node(params, root)?;
        if !root.is_node {
            let chain = &params.chain;
            let last = if root.big_a.is_zero() {
                FinalWitness::Fresh(root.w.clone())
            } else {
                let bw = RunningWitness::new(&chain.shape, &root.big_a, root.wa.clone())?;
                let mut tr = fresh_transcript(FINAL_FOLD_LABEL, &root.u);
                let (_, fw, fp, _) = mova::prove(
                    &chain.shape,
                    &mut tr,
                    &root.big_a,
                    &bw,
                    &root.u,
                    &root.w,
                    None,
                )?;
                FinalWitness::Folded(fp, fw.w)
            };
            return Ok(TreeProof::Leaf(Box::new(IvcProof {
                i: root.steps,
                constants: root.constants.clone(),
                z0: vec![Fr::ZERO; root.z.len()],
                zi: root.z.clone(),
                w1_hash: root.w1_hash,
                big_u: root.big_a.clone(),
                u: root.u.clone(),
                last,
                cf_u: root.cf.clone(),
                cf_w: root.cf_w.clone(),
            })));
        }
        let wn = RunningWitness::new(&params.shape, &root.big_n, root.wn.clone())?;
        let mut tr = fresh_transcript(TREE_FINAL_LABEL, &root.u);
        let (_, fw, fold, _) = mova::prove(
            &params.shape,
            &mut tr,
            &root.big_n,
            &wn,
            &root.u,
            &root.w,
            None,
        )?;
        Ok(TreeProof::Node(Box::new(NodeProof {
            steps: root.steps,
            constants: root.constants.clone(),
            z: root.z.clone(),
            w1_hash: root.w1_hash,
            big_a: root.big_a.clone(),
            wa: root.wa.clone(),
            big_n: root.big_n.clone(),
            u: root.u.clone(),
            fold,
            folded: fw.w,
            cf: root.cf.clone(),
            cf_w: root.cf_w.clone(),
        })))
    }

    /// The tree's `W1` hash, to compare with pass 1's [`w1_hash`].
    pub fn w1_hash(&self) -> Fr {
        match self {
            TreeProof::Leaf(p) => p.w1_hash(),
            TreeProof::Node(p) => p.w1_hash,
        }
    }

    /// The constants of the run (the caller checks how they were derived).
    pub fn constants(&self) -> &[Fr] {
        match self {
            TreeProof::Leaf(p) => p.constants(),
            TreeProof::Node(p) => &p.constants,
        }
    }

    /// Steps proven.
    pub fn steps(&self) -> u64 {
        match self {
            TreeProof::Leaf(p) => p.steps(),
            TreeProof::Node(p) => p.steps,
        }
    }

    /// The same proof without its witnesses: what a compressed proof carries of a chain.
    /// [`reduce`] reads it as it reads the whole proof; its obligations can then be shown
    /// only by a decider (checked against the empty witnesses, they fail).
    pub fn without_witnesses(&self) -> TreeProof {
        let empty = || Witness {
            w1: Vec::new(),
            w2: Vec::new(),
        };
        let no_cf = || CfWitness {
            w: Vec::new(),
            e: Vec::new(),
        };
        match self {
            TreeProof::Leaf(p) => {
                let mut p = p.clone();
                p.last = match p.last {
                    FinalWitness::Fresh(_) => FinalWitness::Fresh(empty()),
                    FinalWitness::Folded(fp, _) => FinalWitness::Folded(fp, empty()),
                };
                p.cf_w = no_cf();
                TreeProof::Leaf(p)
            }
            TreeProof::Node(p) => {
                let mut p = p.clone();
                p.wa = empty();
                p.folded = empty();
                p.cf_w = no_cf();
                TreeProof::Node(p)
            }
        }
    }

    /// The IVC proof of a tree of one leaf.
    pub fn leaf(&self) -> Option<&IvcProof> {
        match self {
            TreeProof::Leaf(p) => Some(p),
            TreeProof::Node(_) => None,
        }
    }

    /// Test hook: the IVC proof of a tree of one leaf.
    #[doc(hidden)]
    pub fn leaf_mut(&mut self) -> Option<&mut IvcProof> {
        match self {
            TreeProof::Leaf(p) => Some(p),
            TreeProof::Node(_) => None,
        }
    }

    /// Test hook: the root node's proof.
    #[doc(hidden)]
    pub fn node_mut(&mut self) -> Option<&mut NodeProof> {
        match self {
            TreeProof::Leaf(_) => None,
            TreeProof::Node(p) => Some(p),
        }
    }
}

impl NodeProof {
    /// Test hook: the final fold's messages.
    #[doc(hidden)]
    pub fn fold_mut(&mut self) -> &mut FoldProof {
        &mut self.fold
    }
}

/// Proves `exts.len()` steps as a tree of leaves of `leaf_steps` steps, merged by the tree's
/// rule, in one process (the leaves in parallel); returns the root.
pub fn prove<C: StepCircuit + Clone>(
    params: &TreeParams,
    circuit: &C,
    constants: &[Fr],
    exts: &[C::ExternalWitness],
    leaf_steps: usize,
) -> Result<Node, Error> {
    use rayon::prelude::*;
    if leaf_steps == 0 {
        return Err(Error::IvcVerification("a leaf of no steps"));
    }
    let leaves = exts
        .par_chunks(leaf_steps)
        .map(|c| prove_leaf(params, circuit.clone(), constants.to_vec(), c))
        .collect::<Result<Vec<_>, _>>()?;
    reduce_tree(leaves, |a, b| merge(params, circuit, &a, &b))
}

/// Verifies that `proof` shows `steps` steps of the chain from `0` to `z` (docs/FOLDING.md
/// §8.4). The caller compares [`TreeProof::w1_hash`] with pass 1's [`w1_hash`].
pub fn verify(params: &TreeParams, steps: u64, z: &[Fr], proof: &TreeProof) -> Result<(), Error> {
    reduce(params, steps, z, proof)?.discharge()
}

/// Checks a tree root's states, hashes and final fold ([`verify`] without checking the
/// witnesses); returns what is left to check.
pub fn reduce<'a>(
    params: &'a TreeParams,
    steps: u64,
    z: &[Fr],
    proof: &'a TreeProof,
) -> Result<Obligations<'a>, Error> {
    let chain = &params.chain;
    let p = match proof {
        TreeProof::Leaf(p) => {
            let z0 = vec![Fr::ZERO; chain.arity as usize];
            return ivc::reduce(chain, steps, &z0, z, p);
        }
        TreeProof::Node(p) => p,
    };
    if steps == 0 || steps >= cyclefold::MAX_FOLDS || p.steps != steps {
        return Err(Error::IvcVerification("wrong number of steps"));
    }
    if p.z != z {
        return Err(Error::IvcVerification("states differ from the proof's"));
    }
    let (sa, sn) = (&chain.shape, &params.shape);
    for (what, expected, got) in [
        ("z", chain.arity as usize, z.len()),
        ("constants", chain.num_constants as usize, p.constants.len()),
        ("r_E of U_A", sa.num_vars(), p.big_a.r_e.len()),
        ("r_E of U_N", sn.num_vars(), p.big_n.r_e.len()),
        ("x of U_A", sa.num_io, p.big_a.x.len()),
        ("x of U_N", sn.num_io, p.big_n.x.len()),
        ("fresh x", sn.num_io, p.u.x.len()),
    ] {
        if expected != got {
            return Err(Error::WrongLength {
                what,
                expected,
                got,
            });
        }
    }
    let h = node_hash(&NodeState {
        pp: params.digest,
        steps,
        constants: &p.constants,
        z,
        big_a: &p.big_a,
        big_n: &p.big_n,
        cf: &p.cf,
        w1_hash: p.w1_hash,
    });
    if p.u.x != [h] {
        return Err(Error::IvcVerification(
            "the root's instance does not output the claimed state",
        ));
    }
    let mut tr = fresh_transcript(TREE_FINAL_LABEL, &p.u);
    let (folded, _) = mova::verify(sn, &mut tr, &p.big_n, &p.u, &p.fold)?;
    Ok(Obligations {
        primary: vec![
            Primary {
                shape: sn,
                instance: PrimaryInstance::Running(folded),
                witness: &p.folded,
            },
            Primary {
                shape: sa,
                instance: PrimaryInstance::Running(p.big_a.clone()),
                witness: &p.wa,
            },
        ],
        key: &chain.key,
        cf_shape: &chain.cf_shape,
        cf_key: &chain.cf_key,
        cf: &p.cf,
        cf_w: &p.cf_w,
    })
}

/// The node circuit's constraints (pinned by the tests).
pub fn node_constraints(params: &TreeParams) -> usize {
    params.shape.num_constraints
}

/// Bases of the BN254 key the node shape needs (the chain's key must hold as many).
pub fn node_key_len(params: &TreeParams) -> usize {
    params.shape.num_w1.max(params.shape.num_w2)
}
