//! The proof tree's node circuit (docs/FOLDING.md §8.3; the numbers below are its checks).

use ark_ff::AdditiveGroup;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::augmented::{cf_inputs_var, RunningVar, STATE_LABEL, W1_LABEL};
use crate::cf_merge::{merge_challenge_var, merge_then_fold_var, CfFullVar, FreshCfVar, ShortVar};
use crate::cyclefold::CfInstance;
use crate::gadgets::{G1Var, GrumpkinVar};
use crate::merge::MergeProof;
use crate::merge_circuit::merge_primary_var;
use crate::mova::FoldProof;
use crate::poseidon::{hash_var, TranscriptVar};
use crate::r1cs::{FreshInstance, RunningInstance};
use crate::step::StepCircuit;
use crate::{Fr, GrumpkinAffine, G1};

use super::{
    CF_FOLD_LABEL, CHILD_FOLD_LABEL, MERGE_A_LABEL, MERGE_N_LABEL, NODE_LABEL, TREE_W1_LABEL,
};

/// What the node circuit has built in: the chain's digest and sizes, and both `n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NodeConsts {
    pub pp_a: Fr,
    pub arity: usize,
    pub num_constants: usize,
    pub n_a: usize,
    pub n_n: usize,
}

/// A child as the node circuit receives it, with the fold of its fresh instance.
pub(crate) struct ChildInputs<'a> {
    pub is_node: bool,
    pub steps: u64,
    pub z: &'a [Fr],
    pub w1_hash: Fr,
    pub big_a: &'a RunningInstance,
    pub big_n: &'a RunningInstance,
    pub cf: &'a CfInstance,
    pub u: &'a FreshInstance,
    /// The fold of `u` into `big_a` (zeros for a node child).
    pub fold_a: &'a FoldProof,
    /// The fold of `u` into `big_n` (zeros for a leaf child).
    pub fold_n: &'a FoldProof,
    pub fold: FoldOut,
}

/// A fold's or merge's output commitments and its CycleFold commitments.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FoldOut {
    pub next: [G1; 2],
    pub cf_w: GrumpkinAffine,
    pub cf_t: GrumpkinAffine,
}

/// Everything the node circuit takes.
pub(crate) struct NodeInputs<'a> {
    pub pp: Fr,
    pub constants: &'a [Fr],
    pub children: [ChildInputs<'a>; 2],
    pub merge_a: (&'a MergeProof, FoldOut),
    pub merge_n: (&'a MergeProof, FoldOut),
    pub cf_merge_t: GrumpkinAffine,
}

fn wit(cs: &ConstraintSystemRef<Fr>, v: Fr) -> Result<FpVar<Fr>, SynthesisError> {
    FpVar::new_witness(cs.clone(), || Ok(v))
}

fn wits(cs: &ConstraintSystemRef<Fr>, v: &[Fr]) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    v.iter().map(|x| wit(cs, *x)).collect()
}

/// The in-circuit node state hash (twin of [`super::node_hash`]).
#[allow(clippy::too_many_arguments)]
fn node_hash_var(
    cs: &ConstraintSystemRef<Fr>,
    pp: &FpVar<Fr>,
    steps: &FpVar<Fr>,
    constants: &[FpVar<Fr>],
    z: &[FpVar<Fr>],
    big_a: &RunningVar,
    big_n: &RunningVar,
    cf_digest: &FpVar<Fr>,
    w1: &FpVar<Fr>,
) -> Result<FpVar<Fr>, SynthesisError> {
    let mut v = vec![pp.clone(), steps.clone()];
    v.extend_from_slice(constants);
    v.extend_from_slice(z);
    v.extend(big_a.absorb_elems());
    v.extend(big_n.absorb_elems());
    v.push(cf_digest.clone());
    v.push(w1.clone());
    hash_var(cs.clone(), NODE_LABEL, &v)
}

/// The scalar half of the step fold of `u` into `big` (twin of [`crate::mova::verify`] on
/// the child-fold transcript): the folded instance with commitments `next`, and `r`'s bits.
fn fold_scalars(
    cs: &ConstraintSystemRef<Fr>,
    u_x: &FpVar<Fr>,
    u_cw: &[G1Var; 2],
    big: &RunningVar,
    proof: &FoldProof,
    next: &[G1Var; 2],
    n: usize,
) -> Result<(RunningVar, Vec<Boolean<Fr>>), SynthesisError> {
    if proof.h.len() != n || big.r_e.len() != n || big.x.len() != 1 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let h = wits(cs, &proof.h)?;
    let t = wit(cs, proof.t)?;
    let mut tr = TranscriptVar::new(cs.clone(), CHILD_FOLD_LABEL)?;
    tr.absorb(u_x)?;
    tr.absorb_slice(&u_cw[0].absorb_elems())?;
    tr.absorb_slice(&u_cw[1].absorb_elems())?;
    let beta = tr.power_challenges(n)?;
    tr.absorb_slice(&h)?;
    let alpha = tr.challenge()?;
    tr.absorb(&t)?;
    let (r_bits, r) = tr.fold_challenge()?;
    let mut h_alpha = FpVar::Constant(Fr::ZERO);
    for c in h.iter().rev() {
        h_alpha = (h_alpha + c) * &alpha;
    }
    let folded = RunningVar {
        cw1: next[0].clone(),
        cw2: next[1].clone(),
        x: vec![&big.x[0] + &r * u_x],
        u: &big.u + &r,
        r_e: big
            .r_e
            .iter()
            .zip(&beta)
            .map(|(re, b)| re + &alpha * (b - re))
            .collect(),
        v_e: h_alpha + &big.v_e + &r * &t,
    };
    Ok((folded, r_bits))
}

/// `if c { a } else { b }` for running instances of one shape.
fn select_running(
    c: &Boolean<Fr>,
    a: &RunningVar,
    b: &RunningVar,
) -> Result<RunningVar, SynthesisError> {
    let vec = |x: &[FpVar<Fr>], y: &[FpVar<Fr>]| -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        x.iter().zip(y).map(|(p, q)| c.select(p, q)).collect()
    };
    Ok(RunningVar {
        cw1: G1Var::select(c, &a.cw1, &b.cw1)?,
        cw2: G1Var::select(c, &a.cw2, &b.cw2)?,
        x: vec(&a.x, &b.x)?,
        u: c.select(&a.u, &b.u)?,
        r_e: vec(&a.r_e, &b.r_e)?,
        v_e: c.select(&a.v_e, &b.v_e)?,
    })
}

/// A child after the node has checked it and folded its fresh instance.
struct ChildVar {
    steps: FpVar<Fr>,
    z: Vec<FpVar<Fr>>,
    /// The child's complete `W1` hash (a leaf's with its last commitment absorbed).
    w1: FpVar<Fr>,
    big_a: RunningVar,
    big_n: RunningVar,
    cf: CfFullVar,
    digest: FpVar<Fr>,
    /// The CycleFold instance of the fold of its fresh instance.
    cf_x: Vec<FpVar<Fr>>,
    cf_w: GrumpkinVar,
    cf_t: GrumpkinVar,
}

fn child(
    cs: &ConstraintSystemRef<Fr>,
    k: &NodeConsts,
    pp: &FpVar<Fr>,
    constants: &[FpVar<Fr>],
    c: &ChildInputs<'_>,
) -> Result<ChildVar, SynthesisError> {
    if c.z.len() != k.arity || c.u.x.len() != 1 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let is_node = Boolean::new_witness(cs.clone(), || Ok(c.is_node))?;
    let is_leaf = !&is_node;
    let zero = FpVar::Constant(Fr::ZERO);
    let steps = wit(cs, Fr::from(c.steps))?;
    // 4. A child is never an empty run.
    steps.enforce_not_equal(&zero)?;
    let z = wits(cs, c.z)?;
    let w1 = wit(cs, c.w1_hash)?;
    // 3. Limbs range-checked: the hashes absorb them packed.
    let big_a = RunningVar::new_witness(cs, c.big_a, false)?;
    let big_n = RunningVar::new_witness(cs, c.big_n, false)?;
    if big_a.r_e.len() != k.n_a || big_n.r_e.len() != k.n_n || big_n.x.len() != 1 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let (cf, tops) = CfFullVar::new_witness_with_top_bits(cs, c.cf)?;
    let u_cw = [
        G1Var::new_checked(cs.clone(), Some(c.u.cw1))?,
        G1Var::new_checked(cs.clone(), Some(c.u.cw2))?,
    ];
    let u_x = wit(cs, c.u.x[0])?;
    let digest = cf.digest(cs)?;

    // 2. A leaf has no node accumulator, and its CycleFold scalars are small integers.
    let n_elems = big_n
        .cw1
        .limbs
        .iter()
        .chain(&big_n.cw2.limbs)
        .chain(&big_n.x)
        .chain(std::iter::once(&big_n.u))
        .chain(&big_n.r_e)
        .chain(std::iter::once(&big_n.v_e));
    for e in n_elems {
        e.conditional_enforce_equal(&zero, &is_leaf)?;
    }
    for t in &tops {
        t.conditional_enforce_equal(&Boolean::FALSE, &is_leaf)?;
    }

    // 1. The child's fresh instance outputs its state.
    let mut leaf = vec![FpVar::Constant(k.pp_a), steps.clone()];
    leaf.extend_from_slice(constants);
    leaf.extend(std::iter::repeat_n(zero.clone(), k.arity));
    leaf.extend_from_slice(&z);
    leaf.extend(big_a.absorb_elems());
    leaf.extend(cf.cm_w.absorb_elems());
    leaf.extend(cf.cm_e.absorb_elems());
    leaf.push(cf.u.to_fr());
    leaf.extend(cf.x.iter().map(|s| s.to_fr()));
    leaf.push(w1.clone());
    let h_leaf = hash_var(cs.clone(), STATE_LABEL, &leaf)?;
    let h_node = node_hash_var(cs, pp, &steps, constants, &z, &big_a, &big_n, &digest, &w1)?;
    u_x.enforce_equal(&is_node.select(&h_node, &h_leaf)?)?;

    // 5. The fresh instance is folded into the accumulator of its shape.
    let next = [
        G1Var::new_checked(cs.clone(), Some(c.fold.next[0]))?,
        G1Var::new_checked(cs.clone(), Some(c.fold.next[1]))?,
    ];
    let (folded_a, bits_a) = fold_scalars(cs, &u_x, &u_cw, &big_a, c.fold_a, &next, k.n_a)?;
    let (folded_n, bits_n) = fold_scalars(cs, &u_x, &u_cw, &big_n, c.fold_n, &next, k.n_n)?;
    let r_bits = bits_n
        .iter()
        .zip(&bits_a)
        .map(|(n, a)| is_node.select(n, a))
        .collect::<Result<Vec<_>, _>>()?;
    let acc = [
        G1Var::select(&is_node, &big_n.cw1, &big_a.cw1)?,
        G1Var::select(&is_node, &big_n.cw2, &big_a.cw2)?,
    ];
    let cf_x = cf_inputs_var(
        &r_bits,
        [(&acc[0], &u_cw[0], &next[0]), (&acc[1], &u_cw[1], &next[1])],
    )?;
    let big_a = select_running(&is_node, &big_a, &folded_a)?;
    let big_n = select_running(&is_node, &folded_n, &big_n)?;
    let cf_w = GrumpkinVar::new_checked(cs.clone(), Some(c.fold.cf_w))?;
    let cf_t = GrumpkinVar::new_checked(cs.clone(), Some(c.fold.cf_t))?;

    // 8. A leaf's W1 hash ends with its last step's commitment, the one just folded.
    let mut last = vec![w1.clone()];
    last.extend(u_cw[0].absorb_elems());
    let w1_leaf = hash_var(cs.clone(), W1_LABEL, &last)?;
    let w1 = is_node.select(&w1, &w1_leaf)?;
    Ok(ChildVar {
        steps,
        z,
        w1,
        big_a,
        big_n,
        cf,
        digest,
        cf_x,
        cf_w,
        cf_t,
    })
}

/// A fresh CycleFold instance: public inputs, witness and cross-term commitments.
type FreshCf = (Vec<FpVar<Fr>>, GrumpkinVar, GrumpkinVar);

/// One primary merge (§8.3 item 6): the merged instance and its CycleFold instance.
fn merge(
    cs: &ConstraintSystemRef<Fr>,
    label: &[u8],
    a: &RunningVar,
    b: &RunningVar,
    (proof, out): &(&MergeProof, FoldOut),
    n: usize,
) -> Result<(RunningVar, FreshCf), SynthesisError> {
    let next = [
        G1Var::new_checked(cs.clone(), Some(out.next[0]))?,
        G1Var::new_checked(cs.clone(), Some(out.next[1]))?,
    ];
    let (merged, cf_x, _) = merge_primary_var(cs, label, a, b, proof, [&next[0], &next[1]], n)?;
    let cf_w = GrumpkinVar::new_checked(cs.clone(), Some(out.cf_w))?;
    let cf_t = GrumpkinVar::new_checked(cs.clone(), Some(out.cf_t))?;
    Ok((merged, (cf_x, cf_w, cf_t)))
}

/// Synthesizes the node circuit, whose one public input is the node's state hash.
pub(crate) fn synthesize<C: StepCircuit>(
    cs: ConstraintSystemRef<Fr>,
    circuit: &C,
    k: &NodeConsts,
    inp: &NodeInputs<'_>,
) -> Result<(), SynthesisError> {
    if inp.constants.len() != k.num_constants {
        return Err(SynthesisError::Unsatisfiable);
    }
    let cs = &cs;
    let pp = wit(cs, inp.pp)?;
    let constants = wits(cs, inp.constants)?;
    let l = child(cs, k, &pp, &constants, &inp.children[0])?;
    let r = child(cs, k, &pp, &constants, &inp.children[1])?;

    // 6. The children's accumulators are merged, shape by shape.
    let (big_a, (ma_x, ma_w, ma_t)) =
        merge(cs, MERGE_A_LABEL, &l.big_a, &r.big_a, &inp.merge_a, k.n_a)?;
    let (big_n, (mn_x, mn_w, mn_t)) =
        merge(cs, MERGE_N_LABEL, &l.big_n, &r.big_n, &inp.merge_n, k.n_n)?;

    // 7. The CycleFold accumulators merged, then the four fresh instances folded in, each
    //    challenge after a digest of everything the accumulator it folds into depends on.
    let cm_t = GrumpkinVar::new_checked(cs.clone(), Some(inp.cf_merge_t))?;
    let (rho_m, mut chain) = merge_challenge_var(cs, &l.digest, &r.digest, &cm_t)?;
    let fresh = [
        (&l.cf_x, &l.cf_w, &l.cf_t),
        (&r.cf_x, &r.cf_w, &r.cf_t),
        (&ma_x, &ma_w, &ma_t),
        (&mn_x, &mn_w, &mn_t),
    ];
    let mut acc: Option<CfFullVar> = None;
    for (x, cm_w, cm_t_new) in fresh {
        let mut tr = TranscriptVar::new(cs.clone(), CF_FOLD_LABEL)?;
        tr.absorb(&chain)?;
        tr.absorb_slice(x)?;
        tr.absorb_slice(&cm_w.absorb_elems())?;
        tr.absorb_slice(&cm_t_new.absorb_elems())?;
        let (bits, _) = tr.short_challenge()?;
        let rho = ShortVar::from_bits(&bits)?;
        chain = tr.challenge()?;
        acc = Some(match acc {
            None => {
                let f = FreshCfVar {
                    x,
                    cm_w,
                    cm_t: cm_t_new,
                };
                merge_then_fold_var(&l.cf, &r.cf, &cm_t, &rho_m, f, &rho)?
            }
            Some(a) => a.fold_fresh(x, cm_w, cm_t_new, &rho)?,
        });
    }
    let cf = acc.ok_or(SynthesisError::Unsatisfiable)?;

    // 8. The node's state and its hash, the only public input.
    let steps = &l.steps + &r.steps;
    let z = circuit.combine_var(&l.z, &r.z)?;
    if z.len() != k.arity {
        return Err(SynthesisError::Unsatisfiable);
    }
    let w1 = hash_var(
        cs.clone(),
        TREE_W1_LABEL,
        &[l.w1, r.w1, l.steps.clone(), r.steps.clone()],
    )?;
    let digest = cf.digest(cs)?;
    let h = node_hash_var(
        cs, &pp, &steps, &constants, &z, &big_a, &big_n, &digest, &w1,
    )?;
    let out = FpVar::new_input(cs.clone(), || h.value())?;
    out.enforce_equal(&h)
}
