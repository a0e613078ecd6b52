//! The per-execution constraint context: lookups, memory tuples and small arithmetic.
//!
//! Everything an instruction circuit enforces goes through [`Ctx`]. A lookup or a memory
//! tuple costs one constraint `w·(challenge − packed) = enable` with `w` a fresh `W2`
//! witness; the sums of the `w` are the running state of the batch. With `enable = 0`
//! (an inactive padding slot, a disabled access) `w` is forced to zero, so nothing is
//! contributed whatever the rest of the witness holds.

use ark_ff::{Field, Zero};
use ark_r1cs_std::fields::fp::{AllocatedFp, FpVar};
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use ark_relations::gr1cs::{LinearCombination, Variable};

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

/// The running sums a context continues.
#[derive(Clone, Debug)]
pub struct Sums {
    /// `Σ WS − Σ RS` (and Init − Final in the scan).
    pub mem: FpVar<Fr>,
    /// The lookup sum.
    pub lookup: FpVar<Fr>,
    /// The output sum (scan only).
    pub out: FpVar<Fr>,
}

/// Where a pending term goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dest {
    MemAdd,
    MemSub,
    Lookup,
    Out,
}

/// A term `enable / den` whose witness is allocated when the context finishes, so that
/// all inverses of a batch are computed with one field inversion.
struct Pending {
    den: FpVar<Fr>,
    enable: FpVar<Fr>,
    dest: Dest,
}

/// The constraint context of one execution slot.
pub struct Ctx {
    cs: ConstraintSystemRef<Fr>,
    ch: ChallengesVar,
    active: FpVar<Fr>,
    /// Terms to allocate when the context finishes.
    pending: Vec<Pending>,
    /// Lookups made by an active slot, when values are known.
    pub log: Vec<Term>,
}

/// `constant + Σ k·v` as ONE linear combination (chains of `+` on variables create one
/// combination per operation, which dominates synthesis time).
pub fn lin(terms: &[(Fr, &FpVar<Fr>)], constant: Fr) -> Result<FpVar<Fr>, SynthesisError> {
    let mut c = constant;
    let mut vars = Vec::with_capacity(terms.len() + 1);
    let mut value = Some(Fr::zero());
    let mut cs = ConstraintSystemRef::None;
    for (k, v) in terms {
        match v {
            FpVar::Constant(x) => c += *k * x,
            FpVar::Var(a) => {
                cs = cs.or(a.cs.clone());
                vars.push((*k, a.variable));
                value = match (value, a.value()) {
                    (Some(s), Ok(x)) => Some(s + *k * x),
                    _ => None,
                };
            }
        }
    }
    if vars.is_empty() {
        return Ok(FpVar::Constant(c));
    }
    if !c.is_zero() {
        vars.push((c, Variable::One));
    }
    let variable = cs.new_lc(|| {
        let mut lc = LinearCombination(vars);
        lc.compactify();
        lc
    })?;
    Ok(FpVar::Var(AllocatedFp::new(
        value.map(|s| s + c),
        variable,
        cs,
    )))
}

fn value_or_zero(v: &FpVar<Fr>) -> Fr {
    v.value().unwrap_or_default()
}

impl Ctx {
    /// A context whose lookup terms are gated by `active`.
    pub fn new(cs: ConstraintSystemRef<Fr>, ch: ChallengesVar, active: FpVar<Fr>) -> Self {
        Ctx {
            cs,
            ch,
            active,
            pending: Vec::new(),
            log: Vec::new(),
        }
    }

    /// Starts the next slot with a new activity flag, keeping the collected terms.
    pub fn set_active(&mut self, active: FpVar<Fr>) {
        self.active = active;
    }

    /// The constraint system.
    pub fn cs(&self) -> ConstraintSystemRef<Fr> {
        self.cs.clone()
    }

    /// The activity flag of this slot (0 or 1).
    pub fn active(&self) -> &FpVar<Fr> {
        &self.active
    }

    /// Allocates every pending term (`W2`, one batch inversion), enforces
    /// `w·den = enable` for each, and returns the sums continued from `mem`, `lookup` and
    /// `out`, one linear combination each.
    pub fn finish(
        &mut self,
        mem: &FpVar<Fr>,
        lookup: &FpVar<Fr>,
        out: &FpVar<Fr>,
    ) -> Result<Sums, SynthesisError> {
        let pending = std::mem::take(&mut self.pending);
        let mut dens: Vec<Fr> = pending.iter().map(|p| value_or_zero(&p.den)).collect();
        ark_ff::batch_inversion(&mut dens);
        let (mut add, mut sub, mut look, mut outs) = (vec![], vec![], vec![], vec![]);
        for (p, inv) in pending.iter().zip(dens) {
            let en = value_or_zero(&p.enable);
            let w = FpVar::new_witness(self.cs.clone(), || Ok(en * inv))?;
            w.mul_equals(&p.den, &p.enable)?;
            match p.dest {
                Dest::MemAdd => add.push(w),
                Dest::MemSub => sub.push(w),
                Dest::Lookup => look.push(w),
                Dest::Out => outs.push(w),
            }
        }
        let sum = |v: &[FpVar<Fr>]| -> FpVar<Fr> { v.iter().sum() };
        Ok(Sums {
            mem: mem + sum(&add) - sum(&sub),
            lookup: lookup + sum(&look),
            out: out + sum(&outs),
        })
    }

    /// Queues the term `enable / (challenge − packed)`.
    fn term(
        &mut self,
        challenge: &FpVar<Fr>,
        packed: &FpVar<Fr>,
        enable: &FpVar<Fr>,
        dest: Dest,
    ) -> Result<(), SynthesisError> {
        let den = lin(
            &[(Fr::from(1u64), challenge), (-Fr::from(1u64), packed)],
            Fr::zero(),
        )?;
        self.pending.push(Pending {
            den,
            enable: enable.clone(),
            dest,
        });
        Ok(())
    }

    /// Adds `enable / (β − payload)` to the output sum (the scan's output words).
    pub fn output_term(
        &mut self,
        payload: &FpVar<Fr>,
        enable: &FpVar<Fr>,
    ) -> Result<(), SynthesisError> {
        let beta = self.ch.beta.clone();
        self.term(&beta, payload, enable, Dest::Out)
    }

    /// Looks `payload` up in table `tag` (one constraint).
    pub fn lookup(&mut self, tag: u64, payload: &FpVar<Fr>) -> Result<(), SynthesisError> {
        if let (Ok(p), Ok(a)) = (payload.value(), self.active.value()) {
            if !a.is_zero() {
                self.log.push(Term { tag, payload: p });
            }
        }
        let packed = lin(
            &[(Fr::from(1u64), payload), (Fr::from(tag), &self.ch.alpha)],
            Fr::zero(),
        )?;
        let (beta, active) = (self.ch.beta.clone(), self.active.clone());
        self.term(&beta, &packed, &active, Dest::Lookup)
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
        let payload = lin(
            &[(Fr::from(1u64), a), (pow2(8), b), (pow2(16), c)],
            Fr::zero(),
        )?;
        self.lookup(tag::AND8, &payload)
    }

    /// Enforces `s < 32`, `p = 2^s` and `q = 2^(32−s)`.
    pub fn pow(
        &mut self,
        s: &FpVar<Fr>,
        p: &FpVar<Fr>,
        q: &FpVar<Fr>,
    ) -> Result<(), SynthesisError> {
        let payload = lin(
            &[(Fr::from(1u64), s), (pow2(8), p), (pow2(48), q)],
            Fr::zero(),
        )?;
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
        let packed = lin(
            &[
                (Fr::from(1u64), ts),
                (pow2(pack::SHIFT_VALUE), value),
                (pow2(pack::SHIFT_ADDR), addr),
                (pow2(pack::SHIFT_SPACE), space),
            ],
            Fr::zero(),
        )?;
        let gamma = self.ch.gamma.clone();
        let dest = if write { Dest::MemAdd } else { Dest::MemSub };
        self.term(&gamma, &packed, enable, dest)
    }

    /// The constant of a space.
    pub fn space(s: u64) -> FpVar<Fr> {
        debug_assert!(s <= space::RO);
        FpVar::Constant(Fr::from(s))
    }
}
