//! A proof-tree merge: the native prover and the in-circuit verifier.
//!
//! A node of the proof tree merges its two children's accumulators:
//!
//! 1. the running primary instances (see [`crate::merge`]), whose group operations
//!    `C_1 + r·C_2` on both commitments become a fresh CycleFold instance;
//! 2. the two running CycleFold accumulators, by [`crate::cyclefold::merge`] (committed cross
//!    term), with non-native arithmetic for their full-size Fq scalars in-circuit;
//! 3. the fresh CycleFold instance of step 1 into the merged accumulator of step 2, with a
//!    challenge `ρ'` from the merge transcript after it has absorbed the CycleFold merge's
//!    digest (which binds both accumulators and their cross term), the merged commitments
//!    and the fresh CycleFold commitments.
//!
//! Natively, [`prove`] runs the three steps one after the other. In-circuit,
//! [`crate::cf_merge::merge_then_fold_var`] verifies steps 2 and 3 with one reduction
//! modulo `q` per scalar. The circuit returns the merged running instance and the node's
//! CycleFold accumulator as variables; the caller (the proof tree's node circuit) allocates
//! the children's accumulators ([`CfFullVar::new_witness`], limbs range-checked, without
//! which a digest does not bind its instance), computes their digests, binds them to the
//! children's states and
//! hashes the results into its own state (38,478 constraints at `n = 7` without those).

use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::augmented::{cf_inputs_var, RunningVar};
use crate::cf_merge::{merge_challenge_var, merge_then_fold_var, CfFullVar, FreshCfVar, ShortVar};
use crate::commitment::PedersenKey;
use crate::cyclefold::{self, fr_to_fq, CfInstance, CfStatement, CfWitness};
use crate::gadgets::{G1Var, GrumpkinVar};
use crate::merge::{self, MergeProof};
use crate::mova::{absorb_running, RunningWitness};
use crate::poseidon::{Transcript, TranscriptVar};
use crate::r1cs::{R1csShape, RunningInstance};
use crate::{Error, Fq, Fr, GrumpkinAffine, G1};
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;

/// Label of the merge transcript.
pub const MERGE_LABEL: &[u8] = b"crease/pcd/merge";

/// What a merge produces natively.
pub struct MergeResult {
    /// The merged running instance.
    pub running: RunningInstance,
    /// Its witness.
    pub witness: RunningWitness,
    /// The merge proof.
    pub proof: MergeProof,
    /// The node's CycleFold accumulator: the children's merged, then this merge's group
    /// operations folded in.
    pub cf: CfInstance,
    /// Its witness.
    pub cf_witness: CfWitness,
    /// The cross-term commitment of the children's CycleFold merge.
    pub cf_merge_cm_t: GrumpkinAffine,
    /// The fresh CycleFold witness commitment.
    pub cf_cm_w_new: GrumpkinAffine,
    /// The CycleFold cross-term commitment of the fresh fold.
    pub cf_cm_t: GrumpkinAffine,
}

/// The native merge prover: merges `(u1, w1)` with `(u2, w2)`, merges the children's
/// CycleFold accumulators `(cf1, cf1_w)` and `(cf2, cf2_w)`, and folds this merge's group
/// operations into the result.
#[allow(clippy::too_many_arguments)]
pub fn prove(
    shape: &R1csShape,
    cf_shape: &R1csShape<Fq>,
    cf_key: &PedersenKey,
    u1: &RunningInstance,
    w1: &RunningWitness,
    u2: &RunningInstance,
    w2: &RunningWitness,
    cf1: (&CfInstance, &CfWitness),
    cf2: (&CfInstance, &CfWitness),
) -> Result<MergeResult, Error> {
    let mut tr = Transcript::new(MERGE_LABEL);
    absorb_running(&mut tr, u1);
    absorb_running(&mut tr, u2);
    let (running, witness, proof, ch) = merge::prove(shape, &mut tr, u1, w1, u2, w2)?;
    let (cf_m, cf_mw, cf_merge_cm_t) =
        cyclefold::merge(cf_shape, cf_key, cf1.0, cf1.1, cf2.0, cf2.1)?;
    let (_, digest) = cyclefold::merge_transcript(cf1.0, cf2.0, &cf_merge_cm_t);
    let stmt = CfStatement {
        r_bits: ch.r_bits,
        folds: [(u1.cw1, u2.cw1, running.cw1), (u1.cw2, u2.cw2, running.cw2)],
    };
    let msg = cyclefold::prepare_fold(cf_shape, cf_key, &cf_m, &cf_mw, &stmt)?;
    tr.absorb(&digest);
    tr.absorb_g1(&running.cw1);
    tr.absorb_g1(&running.cw2);
    tr.absorb_grumpkin(&msg.cm_w_new);
    tr.absorb_grumpkin(&msg.cm_t);
    let (_, rho) = tr.short_challenge();
    let (cf, cf_witness) = cyclefold::fold(&cf_m, &cf_mw, &msg, fr_to_fq(&rho));
    Ok(MergeResult {
        running,
        witness,
        proof,
        cf,
        cf_witness,
        cf_merge_cm_t,
        cf_cm_w_new: msg.cm_w_new,
        cf_cm_t: msg.cm_t,
    })
}

/// The native inputs of the merge verifier circuit.
pub struct MergeInputs<'a> {
    /// The first running instance.
    pub u1: &'a RunningInstance,
    /// The second running instance.
    pub u2: &'a RunningInstance,
    /// The merge proof.
    pub proof: &'a MergeProof,
    /// The merged commitments (checked by the CycleFold instance).
    pub next_cw: [G1; 2],
    /// The cross-term commitment of the children's CycleFold merge.
    pub cf_merge_cm_t: GrumpkinAffine,
    /// The fresh CycleFold witness commitment.
    pub cf_cm_w_new: GrumpkinAffine,
    /// The CycleFold cross-term commitment of the fresh fold.
    pub cf_cm_t: GrumpkinAffine,
}

/// Verifies a merge in-circuit, given the children's CycleFold accumulators as variables
/// with their digests ([`CfFullVar::digest`]): the caller allocates them (range-checked, as
/// [`CfFullVar::new_witness`] does) and binds the digests to the children's states. Returns the
/// merged running instance and the node's CycleFold accumulator.
pub fn synthesize(
    cs: ConstraintSystemRef<Fr>,
    inp: &MergeInputs<'_>,
    cf1: (&CfFullVar, &FpVar<Fr>),
    cf2: (&CfFullVar, &FpVar<Fr>),
    n_vars: usize,
) -> Result<(RunningVar, CfFullVar), SynthesisError> {
    if inp.proof.h1.len() != n_vars || inp.proof.h2.len() != n_vars {
        return Err(SynthesisError::Unsatisfiable);
    }
    let u1 = RunningVar::new_witness(&cs, inp.u1, true)?;
    let u2 = RunningVar::new_witness(&cs, inp.u2, true)?;
    let next1 = G1Var::new_checked(cs.clone(), Some(inp.next_cw[0]))?;
    let next2 = G1Var::new_checked(cs.clone(), Some(inp.next_cw[1]))?;
    let cf_merge_t = GrumpkinVar::new_checked(cs.clone(), Some(inp.cf_merge_cm_t))?;
    let cf_w_new = GrumpkinVar::new_checked(cs.clone(), Some(inp.cf_cm_w_new))?;
    let cf_t = GrumpkinVar::new_checked(cs.clone(), Some(inp.cf_cm_t))?;
    let (merged, cf_x_new, mut tr) = merge_primary_var(
        &cs,
        MERGE_LABEL,
        &u1,
        &u2,
        inp.proof,
        [&next1, &next2],
        n_vars,
    )?;
    if cf1.0.x.len() != cf_x_new.len() || cf2.0.x.len() != cf_x_new.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let (cf_rho, cf_digest) = merge_challenge_var(&cs, cf1.1, cf2.1, &cf_merge_t)?;
    tr.absorb(&cf_digest)?;
    tr.absorb_slice(&next1.absorb_elems())?;
    tr.absorb_slice(&next2.absorb_elems())?;
    tr.absorb_slice(&cf_w_new.absorb_elems())?;
    tr.absorb_slice(&cf_t.absorb_elems())?;
    let (rho_bits, _) = tr.short_challenge()?;
    let rho = ShortVar::from_bits(&rho_bits)?;
    let fresh = FreshCfVar {
        x: &cf_x_new,
        cm_w: &cf_w_new,
        cm_t: &cf_t,
    };
    let cf_next = merge_then_fold_var(cf1.0, cf2.0, &cf_merge_t, &cf_rho, fresh, &rho)?;
    Ok((merged, cf_next))
}

/// The primary half of a merge in-circuit (the twin of [`merge::verify`] on a transcript
/// labelled `label` that first absorbs both instances): the merged running instance, whose
/// commitments are `next` (checked by the CycleFold instance), the public inputs of that
/// CycleFold instance, and the transcript after `r`, for the caller to derive the CycleFold
/// fold's challenge from.
pub fn merge_primary_var(
    cs: &ConstraintSystemRef<Fr>,
    label: &[u8],
    u1: &RunningVar,
    u2: &RunningVar,
    proof: &MergeProof,
    next: [&G1Var; 2],
    n_vars: usize,
) -> Result<(RunningVar, Vec<FpVar<Fr>>, TranscriptVar), SynthesisError> {
    if proof.h1.len() != n_vars
        || proof.h2.len() != n_vars
        || u1.r_e.len() != n_vars
        || u2.r_e.len() != n_vars
        || u1.x.len() != u2.x.len()
    {
        return Err(SynthesisError::Unsatisfiable);
    }
    let wits = |v: &[Fr]| -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        v.iter()
            .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)))
            .collect()
    };
    let h1 = wits(&proof.h1)?;
    let h2 = wits(&proof.h2)?;
    let t = FpVar::new_witness(cs.clone(), || Ok(proof.t))?;

    let mut tr = TranscriptVar::new(cs.clone(), label)?;
    tr.absorb_slice(&u1.absorb_elems())?;
    tr.absorb_slice(&u2.absorb_elems())?;
    tr.absorb_slice(&h1)?;
    tr.absorb_slice(&h2)?;
    let alpha = tr.challenge()?;
    tr.absorb(&t)?;
    let (r_bits, r) = tr.fold_challenge()?;

    let eval = |constant: &FpVar<Fr>, coeffs: &[FpVar<Fr>]| {
        let mut acc = FpVar::Constant(Fr::from(0u64));
        for c in coeffs.iter().rev() {
            acc = (acc + c) * &alpha;
        }
        acc + constant
    };
    let h1_alpha = eval(&u1.v_e, &h1);
    let h2_sum: FpVar<Fr> = h2.iter().sum();
    let h2_alpha = eval(&(&u2.v_e - h2_sum), &h2);
    let merged = RunningVar {
        cw1: next[0].clone(),
        cw2: next[1].clone(),
        x: u1.x.iter().zip(&u2.x).map(|(a, b)| a + &r * b).collect(),
        u: &u1.u + &r * &u2.u,
        r_e: u1
            .r_e
            .iter()
            .zip(&u2.r_e)
            .map(|(a, b)| a + &alpha * (b - a))
            .collect(),
        v_e: h1_alpha + &r * (&t + &r * h2_alpha),
    };
    let cf_x_new = cf_inputs_var(
        &r_bits,
        [(&u1.cw1, &u2.cw1, next[0]), (&u1.cw2, &u2.cw2, next[1])],
    )?;
    Ok((merged, cf_x_new, tr))
}
