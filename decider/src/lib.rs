//! The compressing SNARK of the Crease zkVM.
//!
//! Building blocks of the decider (docs/DECIDER.md): [`sumcheck`], multilinear openings of
//! the folding scheme's commitments through the powers-of-tau key ([`opening`]), and the
//! batched argument that a set of relaxed R1CS instances in Mova form are satisfied
//! ([`spartan`]), and proofs of fixed matrices' evaluations against set-up commitments
//! ([`spark`]).

pub mod cyclefold;
mod error;
pub mod ipa;
pub mod lookup;
pub mod opening;
pub mod spark;
pub mod spartan;
pub mod sumcheck;

pub use error::Error;
