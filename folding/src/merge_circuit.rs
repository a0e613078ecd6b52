//! A proof-tree merge: the native prover and the in-circuit verifier.
//!
//! A merge folds two running primary instances (see [`crate::merge`]); the group operations
//! `C_1 + r·C_2` of both commitments go to a fresh CycleFold instance, which is folded into
//! the first child's running CycleFold instance exactly as in a step. The circuit returns
//! the merged running instance and the updated CycleFold instance as variables; the caller
//! (the proof tree's node circuit) hashes them into its own state.
//!
//! Merging the two children's CycleFold accumulators themselves is not done in-circuit:
//! their public inputs are full-size after a relaxed+relaxed fold, which would need non-native
//! Fq arithmetic here. [`crate::cyclefold::merge`] merges them natively (with a committed
//! cross term), for a verifier or decider that holds several.

use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::augmented::{cf_inputs_var, CfVar, RunningVar};
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
    /// The CycleFold instance after folding this merge's group operations into it.
    pub cf: CfInstance,
    /// Its witness.
    pub cf_witness: CfWitness,
    /// The fresh CycleFold witness commitment.
    pub cf_cm_w_new: GrumpkinAffine,
    /// The CycleFold cross-term commitment.
    pub cf_cm_t: GrumpkinAffine,
}

/// The native merge prover: merges `(u1, w1)` with `(u2, w2)` and folds the group
/// operations into `(cf, cf_w)`.
#[allow(clippy::too_many_arguments)]
pub fn prove(
    shape: &R1csShape,
    cf_shape: &R1csShape<Fq>,
    cf_key: &PedersenKey,
    u1: &RunningInstance,
    w1: &RunningWitness,
    u2: &RunningInstance,
    w2: &RunningWitness,
    cf: &CfInstance,
    cf_w: &CfWitness,
) -> Result<MergeResult, Error> {
    let mut tr = Transcript::new(MERGE_LABEL);
    absorb_running(&mut tr, u1);
    absorb_running(&mut tr, u2);
    let (running, witness, proof, ch) = merge::prove(shape, &mut tr, u1, w1, u2, w2)?;
    let stmt = CfStatement {
        r_bits: ch.r_bits,
        folds: [(u1.cw1, u2.cw1, running.cw1), (u1.cw2, u2.cw2, running.cw2)],
    };
    let msg = cyclefold::prepare_fold(cf_shape, cf_key, cf, cf_w, &stmt)?;
    tr.absorb_g1(&running.cw1);
    tr.absorb_g1(&running.cw2);
    tr.absorb_grumpkin(&msg.cm_w_new);
    tr.absorb_grumpkin(&msg.cm_t);
    let (_, rho) = tr.short_challenge();
    let (cf, cf_witness) = cyclefold::fold(cf, cf_w, &msg, fr_to_fq(&rho));
    Ok(MergeResult {
        running,
        witness,
        proof,
        cf,
        cf_witness,
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
    /// The running CycleFold instance before this merge.
    pub cf: &'a CfInstance,
    /// The fresh CycleFold witness commitment.
    pub cf_cm_w_new: GrumpkinAffine,
    /// The CycleFold cross-term commitment.
    pub cf_cm_t: GrumpkinAffine,
}

/// Verifies a merge in-circuit; returns the merged running instance and CycleFold instance.
pub fn synthesize(
    cs: ConstraintSystemRef<Fr>,
    inp: &MergeInputs<'_>,
    n_vars: usize,
) -> Result<(RunningVar, CfVar), SynthesisError> {
    if inp.proof.h1.len() != n_vars || inp.proof.h2.len() != n_vars {
        return Err(SynthesisError::Unsatisfiable);
    }
    let u1 = RunningVar::new_witness(&cs, inp.u1, true)?;
    let u2 = RunningVar::new_witness(&cs, inp.u2, true)?;
    if u1.r_e.len() != n_vars || u2.r_e.len() != n_vars || u1.x.len() != u2.x.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let wits = |v: &[Fr]| -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        v.iter()
            .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)))
            .collect()
    };
    let h1 = wits(&inp.proof.h1)?;
    let h2 = wits(&inp.proof.h2)?;
    let t = FpVar::new_witness(cs.clone(), || Ok(inp.proof.t))?;
    let next1 = G1Var::new_checked(cs.clone(), Some(inp.next_cw[0]))?;
    let next2 = G1Var::new_checked(cs.clone(), Some(inp.next_cw[1]))?;
    let cf = CfVar::new_witness(&cs, inp.cf)?;
    let cf_w_new = GrumpkinVar::new_checked(cs.clone(), Some(inp.cf_cm_w_new))?;
    let cf_t = GrumpkinVar::new_checked(cs.clone(), Some(inp.cf_cm_t))?;

    let mut tr = TranscriptVar::new(cs.clone(), MERGE_LABEL)?;
    tr.absorb_slice(&u1.absorb_elems())?;
    tr.absorb_slice(&u2.absorb_elems())?;
    tr.absorb_slice(&h1)?;
    tr.absorb_slice(&h2)?;
    let alpha = tr.challenge()?;
    tr.absorb(&t)?;
    let (r_bits, r) = tr.short_challenge()?;

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
        cw1: next1.clone(),
        cw2: next2.clone(),
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
        [(&u1.cw1, &u2.cw1, &next1), (&u1.cw2, &u2.cw2, &next2)],
    )?;
    tr.absorb_slice(&next1.absorb_elems())?;
    tr.absorb_slice(&next2.absorb_elems())?;
    tr.absorb_slice(&cf_w_new.absorb_elems())?;
    tr.absorb_slice(&cf_t.absorb_elems())?;
    let (rho_bits, rho) = tr.short_challenge()?;
    let cf_next = cf.fold_fresh(&cf_x_new, &cf_w_new, &cf_t, &rho_bits, &rho)?;
    Ok((merged, cf_next))
}
