//! The per-execution constraint context: lookups, memory tuples and small arithmetic.
//!
//! Everything an instruction circuit enforces goes through [`Ctx`]. A lookup or a memory
//! tuple costs one constraint `w·(challenge − packed) = enable` with `w` a fresh `W2`
//! witness; the sums of the `w` are the running state of the batch. With `enable = 0`
//! (an inactive padding slot, a disabled access) `w` is forced to zero, so nothing is
//! contributed whatever the rest of the witness holds.

use ark_ff::{Field, Zero};
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::pack::{self, pow2, space, tag};
use crate::Fr;

/// The run's challenges as circuit variables.
#[derive(Clone, Debug)]
pub struct ChallengesVar {
    /// Memory-checking challenge.
    pub gamma: FpVar<Fr>,
    /// Lookup challenge.
    pub beta: FpVar<Fr>,
    /// Table separator.
    pub alpha: FpVar<Fr>,
}

/// A logged lookup (for tests and diagnostics): `payload` looked up in table `tag` by an
/// active slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    /// The table.
    pub tag: u64,
    /// The payload.
    pub payload: Fr,
}

/// The constraint context of one execution slot.
pub struct Ctx {
    cs: ConstraintSystemRef<Fr>,
    ch: ChallengesVar,
    active: FpVar<Fr>,
    /// `Σ WS − Σ RS` (plus Init − Final in the scan).
    pub(crate) mem_sum: FpVar<Fr>,
    /// `Σ` lookup terms.
    pub(crate) lookup_sum: FpVar<Fr>,
    /// Lookups made by an active slot, when values are known.
    pub log: Vec<Term>,
}

fn value_or_zero(v: &FpVar<Fr>) -> Fr {
    v.value().unwrap_or_default()
}

impl Ctx {
    /// A context whose terms are gated by `active` and added to the given sums.
    pub fn new(
        cs: ConstraintSystemRef<Fr>,
        ch: ChallengesVar,
        active: FpVar<Fr>,
        mem_sum: FpVar<Fr>,
        lookup_sum: FpVar<Fr>,
    ) -> Self {
        Ctx {
            cs,
            ch,
            active,
            mem_sum,
            lookup_sum,
            log: Vec::new(),
        }
    }

    /// The constraint system.
    pub fn cs(&self) -> ConstraintSystemRef<Fr> {
        self.cs.clone()
    }

    /// The activity flag of this slot (0 or 1).
    pub fn active(&self) -> &FpVar<Fr> {
        &self.active
    }

    /// The running sums `(memory, lookup)`.
    pub fn sums(&self) -> (FpVar<Fr>, FpVar<Fr>) {
        (self.mem_sum.clone(), self.lookup_sum.clone())
    }

    /// Allocates a `W2` witness `enable / (challenge − packed)` and enforces its definition.
    fn term(
        &self,
        challenge: &FpVar<Fr>,
        packed: &FpVar<Fr>,
        enable: &FpVar<Fr>,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let den = challenge - packed;
        let w = FpVar::new_witness(self.cs.clone(), || {
            Ok(value_or_zero(enable) * pack::inv_or_zero(value_or_zero(&den)))
        })?;
        w.mul_equals(&den, enable)?;
        Ok(w)
    }

    /// Looks `payload` up in table `tag` (one constraint).
    pub fn lookup(&mut self, tag: u64, payload: &FpVar<Fr>) -> Result<(), SynthesisError> {
        if let (Ok(p), Ok(a)) = (payload.value(), self.active.value()) {
            if !a.is_zero() {
                self.log.push(Term { tag, payload: p });
            }
        }
        let packed = payload + &self.ch.alpha * Fr::from(tag);
        let w = self.term(&self.ch.beta.clone(), &packed, &self.active.clone())?;
        self.lookup_sum += w;
        Ok(())
    }

    /// Enforces `0 ≤ v < 2^16`.
    pub fn range16(&mut self, v: &FpVar<Fr>) -> Result<(), SynthesisError> {
        self.lookup(tag::R16, v)
    }

    /// Enforces `0 ≤ v < 2^8`.
    pub fn byte(&mut self, v: &FpVar<Fr>) -> Result<(), SynthesisError> {
        self.lookup(tag::R8, v)
    }

    /// Enforces that `a`, `b` are bytes and `c = a & b`.
    pub fn and8(
        &mut self,
        a: &FpVar<Fr>,
        b: &FpVar<Fr>,
        c: &FpVar<Fr>,
    ) -> Result<(), SynthesisError> {
        let payload = a + b * pow2(8) + c * pow2(16);
        self.lookup(tag::AND8, &payload)
    }

    /// Enforces `s < 32`, `p = 2^s` and `q = 2^(32−s)`.
    pub fn pow(
        &mut self,
        s: &FpVar<Fr>,
        p: &FpVar<Fr>,
        q: &FpVar<Fr>,
    ) -> Result<(), SynthesisError> {
        let payload = s + p * pow2(8) + q * pow2(48);
        self.lookup(tag::POW, &payload)
    }

    /// Enforces `v ∈ {0, 1}`.
    pub fn boolean(&mut self, v: &FpVar<Fr>) -> Result<(), SynthesisError> {
        v.mul_equals(&(FpVar::one() - v), &FpVar::zero())
    }

    /// `a·b` (one constraint unless one side is constant).
    pub fn mul(&self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> FpVar<Fr> {
        a * b
    }

    /// Enforces `a·b = c`.
    pub fn enforce_mul(
        &self,
        a: &FpVar<Fr>,
        b: &FpVar<Fr>,
        c: &FpVar<Fr>,
    ) -> Result<(), SynthesisError> {
        a.mul_equals(b, c)
    }

    /// Enforces `a = b`.
    pub fn equal(&self, a: &FpVar<Fr>, b: &FpVar<Fr>) -> Result<(), SynthesisError> {
        a.enforce_equal(b)
    }

    /// `flag ? a : b` for a boolean `flag` (one constraint).
    pub fn select(&self, flag: &FpVar<Fr>, a: &FpVar<Fr>, b: &FpVar<Fr>) -> FpVar<Fr> {
        b + flag * (a - b)
    }

    /// A `W2` witness computed from other variables' values (an inverse, say).
    pub fn w2(&self, f: impl FnOnce() -> Fr) -> Result<FpVar<Fr>, SynthesisError> {
        FpVar::new_witness(self.cs.clone(), || Ok(f()))
    }

    /// `1` if `v = 0` else `0` (two constraints, one `W2` inverse).
    pub fn is_zero(&mut self, v: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
        let val = value_or_zero(v);
        let z = self.w2(|| Fr::from(val.is_zero() as u64))?;
        let inv = self.w2(|| val.inverse().unwrap_or_default())?;
        z.mul_equals(v, &FpVar::zero())?;
        inv.mul_equals(v, &(FpVar::one() - &z))?;
        Ok(z)
    }

    /// Adds a memory tuple with sign `+1` (write, Init) or `−1` (read, Final), gated by
    /// `enable` (which must be zero whenever the slot is inactive).
    pub fn mem_tuple(
        &mut self,
        write: bool,
        enable: &FpVar<Fr>,
        space: &FpVar<Fr>,
        addr: &FpVar<Fr>,
        value: &FpVar<Fr>,
        ts: &FpVar<Fr>,
    ) -> Result<(), SynthesisError> {
        let packed = ts
            + value * pow2(pack::SHIFT_VALUE)
            + addr * pow2(pack::SHIFT_ADDR)
            + space * pow2(pack::SHIFT_SPACE);
        let w = self.term(&self.ch.gamma.clone(), &packed, enable)?;
        if write {
            self.mem_sum += w;
        } else {
            self.mem_sum -= w;
        }
        Ok(())
    }

    /// The constant of a space.
    pub fn space(s: u64) -> FpVar<Fr> {
        debug_assert!(s <= space::RO);
        FpVar::Constant(Fr::from(s))
    }
}
