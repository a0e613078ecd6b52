//! The crate's error type.

use ark_relations::gr1cs::SynthesisError;
use ark_serialize::SerializationError;

/// Everything that can go wrong while setting up, folding, proving or verifying.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A constraint system could not be synthesized.
    #[error("constraint synthesis failed: {0}")]
    Synthesis(#[from] SynthesisError),
    /// Bytes could not be (de)serialized.
    #[error("serialization failed: {0}")]
    Serialization(#[from] SerializationError),
    /// A file or byte string does not start with the expected header.
    #[error("bad header: expected {expected:?}, got {got:?}")]
    BadHeader {
        /// The header this build writes.
        expected: [u8; 8],
        /// The header that was found.
        got: [u8; 8],
    },
    /// A vector has the wrong length.
    #[error("wrong length of {what}: expected {expected}, got {got}")]
    WrongLength {
        /// What was measured.
        what: &'static str,
        /// The length the shape or the key requires.
        expected: usize,
        /// The length that was given.
        got: usize,
    },
    /// A commitment key is too short for the vector to be committed.
    #[error("commitment key holds {available} bases, {needed} needed")]
    KeyTooShort {
        /// Bases needed.
        needed: usize,
        /// Bases the key holds.
        available: usize,
    },
    /// A relaxed R1CS instance is not satisfied by its witness.
    #[error("relation not satisfied: {0}")]
    Unsatisfied(&'static str),
    /// A commitment does not open to the witness it was checked against.
    #[error("commitment mismatch: {0}")]
    CommitmentMismatch(&'static str),
    /// A step of an IVC proof does not verify.
    #[error("IVC verification failed: {0}")]
    IvcVerification(&'static str),
    /// A step circuit allocated a different number of variables than at setup.
    #[error("step circuit shape changed: {what} was {expected} at setup, {got} now")]
    ShapeMismatch {
        /// Which count changed.
        what: &'static str,
        /// The count at setup.
        expected: usize,
        /// The count now.
        got: usize,
    },
    /// A ceremony file holds a point that is not on the curve or not in the group.
    #[error("invalid ceremony key: {0}")]
    InvalidKey(&'static str),
    /// Bytes that are not a parameter file or proof of this version (truncated, an
    /// out-of-range count, a non-canonical encoding, trailing bytes).
    #[error("malformed bytes: {0}")]
    Malformed(&'static str),
}
