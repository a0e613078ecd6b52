//! Cross-term-free Nova-style folding with CycleFold over BN254/Grumpkin.
//!
//! The crate folds any R1CS written with `ark-r1cs-std`. Its pieces:
//!
//! - [`poseidon`]: the one Poseidon parameter set over BN254 Fr, a native transcript and its
//!   in-circuit twin; [`poseidon_var`] is the sponge gadget under that twin;
//! - [`commitment`]: the commitment trait, the BN254 powers-of-tau MSM commitment and the
//!   Grumpkin Pedersen commitment;
//! - [`r1cs`]: relaxed R1CS shapes extracted from constraint systems, instances, witnesses and
//!   their satisfiability checks;
//! - [`step`]: the step-circuit seam;
//! - [`mova`]: the fold that carries an evaluation claim on the error term instead of a
//!   commitment to it (prover, verifier and their proof); [`merge`] folds two running
//!   instances, [`merge_circuit`] verifies that in-circuit;
//! - [`cyclefold`]: the CycleFold circuit over Fq and its committed relaxed R1CS;
//!   [`cf_merge`] verifies the merge of two CycleFold accumulators (full-size Fq scalars)
//!   in the primary circuit;
//! - [`augmented`]: the primary circuit that verifies the previous fold;
//! - [`encode`]: the compact, canonical byte encodings of parameter files and proofs;
//! - [`ivc`]: setup, [`IvcProver::prove_step`], [`verify`] and serialization;
//! - [`tree`]: the proof tree — leaves proven apart, merged pairwise by a node circuit;
//! - [`direct`]: a short run shown step by step, each step's witness checked as it is.
//!
//! See `docs/FOLDING.md` for the protocol and its soundness argument.
#![forbid(unsafe_code)]

pub mod augmented;
pub mod cf_merge;
pub mod commitment;
pub mod cyclefold;
pub mod direct;
pub mod encode;
mod error;
pub mod gadgets;
pub mod inverse;
pub mod ivc;
mod ivc_proof;
pub mod ladder;
pub mod merge;
pub mod merge_circuit;
pub mod mle;
pub mod mova;
pub mod obligation;
mod params;
pub mod poseidon;
pub mod poseidon_var;
pub mod r1cs;
pub mod step;
#[doc(hidden)]
pub mod testing;
pub mod tree;

pub use error::Error;
pub use ivc::{verify, IvcParams, IvcProof, IvcProver};
pub use step::StepCircuit;

/// The primary field: BN254's scalar field, also Grumpkin's base field.
pub type Fr = ark_bn254::Fr;
/// BN254's base field, also Grumpkin's scalar field.
pub type Fq = ark_bn254::Fq;
/// A BN254 G1 point in affine form (commitments to primary witnesses).
pub type G1 = ark_bn254::G1Affine;
/// A BN254 G1 point in projective form.
pub type G1Projective = ark_bn254::G1Projective;
/// A Grumpkin point in affine form (commitments to CycleFold witnesses).
pub type GrumpkinAffine = ark_grumpkin::Affine;
/// A Grumpkin point in projective form.
pub type GrumpkinProjective = ark_grumpkin::Projective;
