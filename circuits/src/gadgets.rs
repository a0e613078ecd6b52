//! The per-execution constraint context: lookups, memory tuples and small arithmetic.
//!
//! Everything an instruction circuit enforces goes through [`Ctx`]. A lookup or a memory
//! tuple costs one constraint `w·(challenge − packed) = enable` with `w` a fresh `W2`
//! witness; the sums of the `w` are the running state of the batch. With `enable = 0`
//! (an inactive padding slot, a disabled access) `w` is forced to zero, so nothing is
//! contributed whatever the rest of the witness holds.

use ark_ff::{Field, One, Zero};
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

/// A value the circuit has constrained to `[0, 2^bits)`: made only by the range checks of
/// [`Ctx`] (or the layout of a step, which calls them), by composing bounded limbs, from a
/// constant, or by a gadget whose lookups fix it (the XOR of [`Ctx::and_xor8`]). Lookups
/// that pack several fields into one query take only bounded fields, so a query equals a
/// table entry only if every field equals the entry's.
#[derive(Clone, Debug)]
pub struct Bounded {
    var: FpVar<Fr>,
    bits: u32,
}

impl Bounded {
    /// The variable.
    pub fn var(&self) -> &FpVar<Fr> {
        &self.var
    }

    /// Its bound: the value is below `2^bits`.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// A constant.
    pub fn constant(v: u64) -> Self {
        Bounded {
            var: FpVar::Constant(Fr::from(v)),
            bits: 64 - v.leading_zeros(),
        }
    }

    /// `Σ limb_i·2^(shift·i)`, each limb below `2^shift`: a value below
    /// `2^(shift·(n−1) + bits of the last limb)`.
    pub fn compose(limbs: &[&Bounded], shift: u32) -> Result<Self, SynthesisError> {
        if limbs.iter().any(|l| l.bits > shift) {
            return Err(SynthesisError::Unsatisfiable);
        }
        let terms: Vec<(Fr, &Bounded)> = limbs
            .iter()
            .enumerate()
            .map(|(i, l)| (pow2(shift * i as u32), *l))
            .collect();
        let max = limbs
            .iter()
            .enumerate()
            .filter(|(_, l)| l.bits > 0)
            .map(|(i, l)| shift * i as u32 + l.bits)
            .max()
            .unwrap_or(0);
        Self::sum(&terms, max)
    }

    /// `Σ c_i·v_i` for small non-negative integer weights `c_i`: a value of at most
    /// `Σ c_i·(2^(bits_i) − 1)`.
    pub fn linear(terms: &[(u64, &Bounded)]) -> Result<Self, SynthesisError> {
        let mut max = 0u128;
        for (c, b) in terms {
            if b.bits > 60 {
                return Err(SynthesisError::Unsatisfiable);
            }
            max += *c as u128 * ((1u128 << b.bits) - 1);
        }
        let weighted: Vec<(Fr, &Bounded)> = terms.iter().map(|(c, b)| (Fr::from(*c), *b)).collect();
        Self::sum(&weighted, 128 - max.leading_zeros())
    }

    fn sum(terms: &[(Fr, &Bounded)], bits: u32) -> Result<Self, SynthesisError> {
        if bits > 250 {
            return Err(SynthesisError::Unsatisfiable);
        }
        let vars: Vec<(Fr, &FpVar<Fr>)> = terms.iter().map(|(c, b)| (*c, &b.var)).collect();
        Ok(Bounded {
            var: lin(&vars, Fr::zero())?,
            bits,
        })
    }

    /// `2^n` times the value.
    pub fn shl(&self, n: u32) -> Self {
        Bounded {
            var: &self.var * pow2(n),
            bits: self.bits + n,
        }
    }
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
    /// A context whose lookup terms are gated by `active`. Without a constraint system
    /// (`ConstraintSystemRef::None`) and with constant inputs, it only evaluates: the step's
    /// own code computes natively which lookups an active slot makes ([`Self::log`]),
    /// queueing no terms and enforcing nothing.
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

    /// Queues the term `enable / (challenge − packed)` (nothing when only logging).
    fn term(
        &mut self,
        challenge: &FpVar<Fr>,
        packed: &FpVar<Fr>,
        enable: &FpVar<Fr>,
        dest: Dest,
    ) -> Result<(), SynthesisError> {
        if self.cs.is_none() {
            return Ok(());
        }
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

    /// Looks `payload` up in table `tag` (one constraint). Private: a payload of several
    /// fields goes through [`Self::lookup_packed`], which takes bounded fields only.
    fn lookup(&mut self, tag: u64, payload: &FpVar<Fr>) -> Result<(), SynthesisError> {
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

    /// Looks up in table `tag` the query `Σ field_i·2^(o_i)`, where `fields` are
    /// `(value, slot bits)` from the least significant and `o_i` is the sum of the slots
    /// before `i` (`pack::packed` is the native twin). Every value must be bounded to its
    /// slot (else synthesis fails: a circuit bug, not a witness), so the query is an integer
    /// below `2^(Σ slots)` whose slots are the fields: it equals an entry only if every field
    /// equals the entry's.
    pub fn lookup_packed(
        &mut self,
        tag: u64,
        fields: &[(&Bounded, u32)],
    ) -> Result<(), SynthesisError> {
        let mut at = 0;
        let mut terms = Vec::with_capacity(fields.len());
        for (b, slot) in fields {
            if b.bits > *slot {
                return Err(SynthesisError::Unsatisfiable);
            }
            terms.push((pow2(at), &b.var));
            at += slot;
        }
        if at > 250 {
            return Err(SynthesisError::Unsatisfiable);
        }
        let payload = lin(&terms, Fr::zero())?;
        self.lookup(tag, &payload)
    }

    /// Enforces `0 ≤ v < 2^bits` for `1 ≤ bits ≤ 16`: a bit constraint for one bit, else
    /// one lookup into the 8- or 16-bit range table and, below those widths, a second one of
    /// `v·2^(8 − bits)` (or `2^(16 − bits)`).
    pub fn range(&mut self, v: &FpVar<Fr>, bits: u32) -> Result<Bounded, SynthesisError> {
        let (table, width) = match bits {
            1 => {
                v.mul_equals(&(FpVar::one() - v), &FpVar::zero())?;
                return Ok(Bounded {
                    var: v.clone(),
                    bits,
                });
            }
            2..=8 => (tag::R8, 8),
            9..=16 => (tag::R16, 16),
            _ => return Err(SynthesisError::Unsatisfiable),
        };
        self.lookup(table, v)?;
        if bits < width {
            self.lookup(table, &(v * pow2(width - bits)))?;
        }
        Ok(Bounded {
            var: v.clone(),
            bits,
        })
    }

    /// Enforces `0 ≤ v < 2^16`.
    pub fn range16(&mut self, v: &FpVar<Fr>) -> Result<Bounded, SynthesisError> {
        self.range(v, 16)
    }

    /// Enforces `0 ≤ v < 2^8`.
    pub fn byte(&mut self, v: &FpVar<Fr>) -> Result<Bounded, SynthesisError> {
        self.range(v, 8)
    }

    /// Enforces `c = a & b` for bytes `a`, `b`, `c` (one lookup).
    pub fn and8(&mut self, a: &Bounded, b: &Bounded, c: &Bounded) -> Result<(), SynthesisError> {
        self.lookup_packed(tag::AND8, &[(a, 8), (b, 8), (c, 8)])
    }

    /// Enforces `c = a & b` for bytes `a`, `b`, `c` and returns `a ^ b = a + b − 2c`, a byte
    /// because the lookup fixed `c` (one lookup).
    pub fn and_xor8(
        &mut self,
        a: &Bounded,
        b: &Bounded,
        c: &Bounded,
    ) -> Result<Bounded, SynthesisError> {
        self.and8(a, b, c)?;
        let two = Fr::from(2u64);
        Ok(Bounded {
            var: lin(
                &[
                    (Fr::from(1u64), &a.var),
                    (Fr::from(1u64), &b.var),
                    (-two, &c.var),
                ],
                Fr::zero(),
            )?,
            bits: 8,
        })
    }

    /// Enforces `s < 32` and `p = 2^s` for a byte `s` and `p` given as 16-bit limbs
    /// (one lookup).
    pub fn pow(
        &mut self,
        s: &Bounded,
        p_lo: &Bounded,
        p_hi: &Bounded,
    ) -> Result<(), SynthesisError> {
        self.lookup_packed(tag::POW, &[(s, 8), (p_lo, 16), (p_hi, 16)])
    }

    /// The word addresses `ptr + 4i`, `i < n`, of `n ≥ 1` consecutive words from the
    /// register value `ptr` (below `2^32`), given the index of the last word
    /// `last = ptr/4 + n − 1` as a 16- and a 14-bit limb. Enforces `4·last = ptr + 4(n − 1)`
    /// (one constraint): both sides are integers below `2^34`, so the equation holds over
    /// the integers, `ptr` is a multiple of four, and every address `4·last − 4(n − 1 − i)`
    /// lies in `[ptr, 2^32)` — a run of words that neither starts misaligned nor wraps.
    pub fn word_run(
        &mut self,
        ptr: &Bounded,
        last_lo: &Bounded,
        last_hi: &Bounded,
        n: u32,
    ) -> Result<Vec<Bounded>, SynthesisError> {
        if n == 0 || ptr.bits > 32 || last_lo.bits > 16 || last_hi.bits > 14 {
            return Err(SynthesisError::Unsatisfiable);
        }
        let last = Bounded::compose(&[last_lo, last_hi], 16)?.shl(2);
        let end = lin(&[(Fr::one(), &ptr.var)], Fr::from(4 * (n as u64 - 1)))?;
        self.equal(&last.var, &end)?;
        (0..n)
            .map(|i| {
                let back = Fr::from(4 * (n - 1 - i) as u64);
                Ok(Bounded {
                    var: lin(&[(Fr::one(), &last.var)], -back)?,
                    bits: 32,
                })
            })
            .collect()
    }

    /// Enforces `v ∈ {0, 1}`.
    pub fn boolean(&mut self, v: &FpVar<Fr>) -> Result<Bounded, SynthesisError> {
        self.range(v, 1)
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

    /// A `W2` witness computed from other variables' values (an inverse, say); a constant
    /// when only logging.
    pub fn w2(&self, f: impl FnOnce() -> Fr) -> Result<FpVar<Fr>, SynthesisError> {
        if self.cs.is_none() {
            return Ok(FpVar::Constant(f()));
        }
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
