//! The step-circuit seam.
//!
//! A step circuit maps a state `z_i` (a fixed number of field elements) to `z_{i+1}` under
//! public constants fixed for the whole run and a per-step external witness. Its witness is
//! split in two committed parts: `W1`, allocated first by [`StepCircuit::generate_w1`] from
//! the external witness alone (it must not depend on the constants or on anything produced
//! by the run), and `W2`, everything allocated afterwards. The IVC commits `W1` of every
//! step before the constants are chosen (DESIGN.md §3).

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::Fr;

/// A step of an incrementally verified computation.
pub trait StepCircuit: Send + Sync {
    /// What the prover feeds one step besides the state.
    type ExternalWitness: Send + Sync;

    /// Number of field elements of the state `z`.
    fn arity(&self) -> usize;

    /// Number of public constants fixed for the whole run.
    fn num_constants(&self) -> usize;

    /// An external witness of the right size, used to synthesize the shape at setup.
    fn dummy_external_witness(&self) -> Self::ExternalWitness;

    /// Allocates the `W1` part as witness variables, depending only on `ext`. Must allocate
    /// the same number of variables for every external witness.
    fn generate_w1(
        &self,
        cs: ConstraintSystemRef<Fr>,
        ext: &Self::ExternalWitness,
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError>;

    /// Enforces one step and returns `z_{i+1}` (of length [`Self::arity`]).
    fn generate_step_constraints(
        &self,
        cs: ConstraintSystemRef<Fr>,
        constants: &[FpVar<Fr>],
        z: &[FpVar<Fr>],
        w1: &[FpVar<Fr>],
        ext: &Self::ExternalWitness,
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError>;

    /// The state of two consecutive runs of steps, each proven from `z = 0`, as one run:
    /// `left` from the earlier steps, `right` from the later ones (the proof tree's combine
    /// rule, docs/FOLDING.md §8.1). The default adds them entrywise, right for a state of
    /// running sums; a step circuit whose state is not one overrides this and
    /// [`Self::combine_var`] alike, or is not split.
    fn combine(&self, left: &[Fr], right: &[Fr]) -> Vec<Fr> {
        left.iter().zip(right).map(|(a, b)| *a + b).collect()
    }

    /// The in-circuit twin of [`Self::combine`].
    fn combine_var(
        &self,
        left: &[FpVar<Fr>],
        right: &[FpVar<Fr>],
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        if left.len() != right.len() {
            return Err(SynthesisError::Unsatisfiable);
        }
        Ok(left.iter().zip(right).map(|(a, b)| a + b).collect())
    }
}
