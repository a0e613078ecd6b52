//! The decider's errors.

/// What can go wrong when compressing or verifying a compressed proof.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A part of a proof or an input has the wrong length.
    #[error("{what}: expected {expected} entries, got {got}")]
    WrongLength {
        /// What was measured.
        what: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        got: usize,
    },
    /// The commitment key has fewer bases than needed.
    #[error("the commitment key has {available} bases, {needed} are needed")]
    KeyTooShort {
        /// Bases needed.
        needed: usize,
        /// Bases held.
        available: usize,
    },
    /// A check of the verifier failed.
    #[error("the compressed proof is rejected: {0}")]
    Rejected(&'static str),
    /// The folding layer failed.
    #[error(transparent)]
    Folding(#[from] crease_folding::Error),
}
