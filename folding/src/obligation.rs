//! What a proof leaves to check once its hashes and final folds are replayed.
//!
//! Verifying an IVC proof or a tree's root ([`crate::ivc::reduce`], [`crate::tree::reduce`])
//! checks the states, the hashes that tie them to the instances and the verifier's own final
//! fold, and leaves [`Obligations`]: primary instances with the witnesses the proof carries,
//! and a CycleFold accumulator. [`Obligations::discharge`] checks them against the
//! witnesses (what the plain verifier does); a decider proves the same relations instead.

use crate::commitment::{PedersenKey, PowersOfTauKey};
use crate::cyclefold::{self, CfInstance, CfWitness};
use crate::r1cs::{FreshInstance, R1csShape, RunningInstance, Witness};
use crate::{Error, Fq};

/// A primary instance to check, fresh (`u = 1`, `E = 0`) or running (Mova form).
#[derive(Clone, Debug)]
pub enum PrimaryInstance {
    /// Satisfies `Az ∘ Bz = Cz` exactly.
    Fresh(FreshInstance),
    /// Satisfies `MLE(Az ∘ Bz − u·Cz)(r_E) = v_E`.
    Running(RunningInstance),
}

/// A primary instance of `shape`, with the witness the proof carries for it.
#[derive(Clone, Debug)]
pub struct Primary<'a> {
    /// The shape.
    pub shape: &'a R1csShape,
    /// The instance.
    pub instance: PrimaryInstance,
    /// Its witness.
    pub witness: &'a Witness,
}

/// The relations left to check of one proof.
#[derive(Clone, Debug)]
pub struct Obligations<'a> {
    /// The primary instances (committed under `key`).
    pub primary: Vec<Primary<'a>>,
    /// The primary commitment key.
    pub key: &'a PowersOfTauKey,
    /// The CycleFold shape.
    pub cf_shape: &'a R1csShape<Fq>,
    /// The CycleFold commitment key.
    pub cf_key: &'a PedersenKey,
    /// The CycleFold accumulator.
    pub cf: &'a CfInstance,
    /// Its witness.
    pub cf_w: &'a CfWitness,
}

impl Obligations<'_> {
    /// Checks every relation against its witness.
    pub fn discharge(&self) -> Result<(), Error> {
        for p in &self.primary {
            match &p.instance {
                PrimaryInstance::Fresh(u) => p.shape.check_fresh(self.key, u, p.witness)?,
                PrimaryInstance::Running(u) => p.shape.check_running(self.key, u, p.witness)?,
            }
        }
        cyclefold::check(self.cf_shape, self.cf_key, self.cf, self.cf_w)
    }
}
