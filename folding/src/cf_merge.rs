//! The merge of two running CycleFold accumulators, verified inside the primary circuit.
//!
//! After a relaxed+relaxed fold the scalars `u` and `x` of a CycleFold instance are
//! full-size elements of Grumpkin's scalar field Fq, which is not the primary circuit's
//! field Fr. [`FqVar`] carries such a scalar as four 64-bit limbs and [`CfFullVar`] is a
//! running CycleFold instance in that form; its points keep their native representation
//! ([`GrumpkinVar`]), since Grumpkin's coordinates lie in Fr. [`merge_var`] verifies
//! [`crate::cyclefold::merge`]: it derives `ρ` with the same transcript as
//! [`crate::cyclefold::merge_transcript`], computes `C_W = C_W1 + ρ·C_W2` and
//! `C_E = C_E1 + ρ·(C_T + ρ·C_E2)` (Horner's form of `C_E1 + ρ·C_T + ρ²·C_E2`: two 128-bit
//! scalar multiplications, so `ρ²` never has to be decomposed), and `a + ρ·b mod q` for `u`
//! and every `x` entry. [`CfFullVar::fold_fresh`] folds a fresh CycleFold instance (small
//! public inputs) into a full-size accumulator; [`merge_then_fold_var`] does both in one
//! reduction per scalar, as a proof-tree node does with its children's accumulators and the
//! group operations of its own merge.
//!
//! # Non-native arithmetic, and why it is sound
//!
//! `c = a + ρ·b + ρ'·s mod q` (either product optional; `b` full-size, `s < 2^85`, `ρ, ρ'`
//! 128-bit challenges as two 64-bit limbs) is proven by a witness `c` (limbs range-checked
//! to 64, 64, 64 and 62 bits, so `c < 2^254`) and a quotient `k` with the integer equation
//! `E = a + ρ·b + ρ'·s − c − k·q = 0`. It is checked in two residues:
//!
//! - modulo `r` (Fr's modulus), with every value recomposed from its limbs in Fr: one
//!   constraint per product;
//! - modulo `2^192`, by the limb polynomial: with `X = 2^64` and `D_i` the coefficient of
//!   `X^i` of `E`, the circuit checks `D_0 + D_1·X = s_1·X²` and `D_2 + s_1 = s_2·X` for
//!   carries `s_1, s_2` (range-checked with an offset: `|s_1| < 2^87` in 88 bits when there
//!   is a small product, else `|s_1| < 2^67` in 68 bits; `|s_2| < 2^67` in 68 bits). Each
//!   `|D_i| < 2^150` (at most three limb products below `2^129`, and `ρ'_j·s < 2^149`), so
//!   every term of the two equations is below `2^216` in absolute value, far below `r/2`:
//!   they hold over the integers, and then `E ≡ 0 (mod 2^192)`. An honest prover's carries
//!   fit: `|s_1| < 2^86` (`2^66` without `s`), `|s_2| < 2^67`.
//!
//! With `a, b, c < 2^256`, `ρ, ρ' < 2^128`, `s < 2^85` and `k < 2^129` (limbs of 64 and
//! 65 bits), `|E| < 2^385 < 2^192·r`, so `E ≡ 0` modulo `r·2^192` means `E = 0`:
//! `c ≡ a + ρ·b + ρ'·s (mod q)`. For canonical `a, b < q` an honest `k` is at most `2^128`
//! (reached at `a = b = q − 1`, `ρ = 2^128 − 1` with a large `ρ'·s`). Without the full-size
//! product ([`FqVar::mul_add_small`]) `a + ρ'·s < 2q`, so `k` is a single bit and the `2^64`
//! residue (`D_0 = s_0·X`, a carry `|s_0| < 2^87` in 88 bits; honestly `|s_0| < 2^86`)
//! suffices, as `|E| < 2^257 < 2^64·r`.
//!
//! The limbs are range-checked but `c` is not forced below `q`: when `c + q < 2^254` the pair
//! `(c + q, k − 1)` also satisfies the checks. Such an encoding names the same element of Fq,
//! so every later computation, which works modulo `q`, is unchanged; a transcript that
//! absorbs it still binds that element. Only the hash differs, and native instances (whose
//! scalars are canonical `Fq` values) never hash to it, so a verifier that recomputes a
//! node's state from native instances rejects it. Checking `c < q` would cost about 250
//! more constraints per scalar and is not needed.
//!
//! The limbs of an input are always range-checked when it is allocated
//! ([`CfFullVar::new_witness`]), even for an instance whose limbs were checked when a child
//! produced them: a hash absorbs the limbs packed several to an element
//! ([`crate::cyclefold::cf_absorb_elems`]), which determines them only when each is range
//! bounded. Unchecked, moving `2^62` from one top limb to the next in a group of four
//! (or `2^64` between low limbs) keeps every absorbed element and changes the instance.

use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, BigInteger, Field, PrimeField};
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::augmented::CfVar;
use crate::cyclefold::{fr_to_fq, CfInstance, CF_DIGEST_LABEL, CF_MERGE_LABEL, FQ_TOP_BITS};
use ark_grumpkin::constraints::GVar as GrumpkinProjVar;

use crate::gadgets::GrumpkinVar;
use crate::poseidon::{hash_var, TranscriptVar};
use crate::{Fq, Fr, GrumpkinAffine};

/// Bits of the top limb of a range-checked [`FqVar`] (`q < 2^254`).
pub const TOP_LIMB_BITS: usize = FQ_TOP_BITS;
/// Bits of the top limb of an [`FqVar`] made from a small integer ([`FqVar::from_small`]).
pub const SMALL_TOP_LIMB_BITS: usize = 61;
/// Bits of a range-checked carry (after the offset `2^(CARRY_BITS − 1)`).
const CARRY_BITS: usize = 68;
/// Bits of a carry that takes a small product `ρ'_j·s < 2^149` (module docs).
const WIDE_CARRY_BITS: usize = 88;

fn two_pow(bits: usize) -> Fr {
    Fr::from(2u64).pow([bits as u64])
}

/// The 64-bit limbs of an Fq element, least significant first.
fn fq_words(v: &Fq) -> [u64; 4] {
    let b = v.into_bigint();
    let w = b.as_ref();
    [w[0], w[1], w[2], w[3]]
}

/// The low `bits` bits of a field element's canonical integer, little-endian.
fn low_bits(v: &Fr, bits: usize) -> Vec<bool> {
    let mut b = v.into_bigint().to_bits_le();
    b.resize(bits.max(b.len()), false);
    b.truncate(bits);
    b
}

/// Allocates a witness below `2^bits` from the low bits of `value` (`bits` constraints).
/// A value that does not fit is truncated, which leaves the caller's equation unsatisfied.
fn alloc_bits(
    cs: &ConstraintSystemRef<Fr>,
    value: Option<Fr>,
    bits: usize,
) -> Result<FpVar<Fr>, SynthesisError> {
    Boolean::le_bits_to_fp(&alloc_bools(cs, value, bits)?)
}

/// The bits of [`alloc_bits`], least significant first.
fn alloc_bools(
    cs: &ConstraintSystemRef<Fr>,
    value: Option<Fr>,
    bits: usize,
) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    let v = value.map(|v| low_bits(&v, bits));
    (0..bits)
        .map(|j| {
            Boolean::new_witness(cs.clone(), || {
                v.as_ref()
                    .map(|b| b[j])
                    .ok_or(SynthesisError::AssignmentMissing)
            })
        })
        .collect()
}

/// Allocates a carry in `[−2^(bits−1), 2^(bits−1))` given its Fr value.
fn alloc_carry(
    cs: &ConstraintSystemRef<Fr>,
    value: Option<Fr>,
    bits: usize,
) -> Result<FpVar<Fr>, SynthesisError> {
    let offset = two_pow(bits - 1);
    Ok(alloc_bits(cs, value.map(|v| v + offset), bits)? - offset)
}

/// A 128-bit challenge as two 64-bit limbs, from its bits (free: linear combinations).
#[derive(Clone, Debug)]
pub struct ShortVar {
    /// Limbs `ρ_0, ρ_1`, least significant first.
    pub limbs: [FpVar<Fr>; 2],
    /// The bits, least significant first (for scalar multiplications).
    pub bits: Vec<Boolean<Fr>>,
}

impl ShortVar {
    /// The challenge from its 128 little-endian bits.
    pub fn from_bits(bits: &[Boolean<Fr>]) -> Result<Self, SynthesisError> {
        if bits.len() != 128 {
            return Err(SynthesisError::Unsatisfiable);
        }
        Ok(Self {
            limbs: [
                Boolean::le_bits_to_fp(&bits[..64])?,
                Boolean::le_bits_to_fp(&bits[64..])?,
            ],
            bits: bits.to_vec(),
        })
    }

    fn value_fr(&self) -> FpVar<Fr> {
        &self.limbs[0] + &self.limbs[1] * two_pow(64)
    }
}

/// An element of Fq in the primary circuit: four 64-bit limbs, least significant first.
/// See the module docs for the range of an encoding and why it need not be canonical.
#[derive(Clone, Debug)]
pub struct FqVar {
    /// The limbs.
    pub limbs: [FpVar<Fr>; 4],
}

impl FqVar {
    /// Allocates `v` with range-checked limbs (64, 64, 64, 62 bits: 254 constraints). The
    /// check is what makes the packing of [`crate::cyclefold::cf_absorb_elems`] injective, so
    /// that a hash or digest of the limbs binds the element (docs/FOLDING.md §3.1).
    pub fn new_witness(cs: &ConstraintSystemRef<Fr>, v: &Fq) -> Result<Self, SynthesisError> {
        Self::from_limbs(cs, fq_words(v).map(Fr::from), true)
    }

    /// Allocates the given limbs, range-checked (a limb too wide for its range is truncated
    /// to it) or, without `range_check`, as plain witnesses. Test hook: a prover chooses
    /// every witness value, and the tests give limbs other than an element's own to show
    /// what the range checks exclude.
    #[doc(hidden)]
    pub fn from_limbs(
        cs: &ConstraintSystemRef<Fr>,
        limbs: [Fr; 4],
        range_check: bool,
    ) -> Result<Self, SynthesisError> {
        let limb = |j: usize| {
            if range_check {
                let bits = if j == 3 { TOP_LIMB_BITS } else { 64 };
                alloc_bits(cs, Some(limbs[j]), bits)
            } else {
                FpVar::new_witness(cs.clone(), || Ok(limbs[j]))
            }
        };
        Ok(Self {
            limbs: [limb(0)?, limb(1)?, limb(2)?, limb(3)?],
        })
    }

    /// A constant.
    pub fn constant(v: &Fq) -> Self {
        Self {
            limbs: fq_words(v).map(|w| FpVar::Constant(Fr::from(w))),
        }
    }

    /// The same integer as `x`, which must be below `2^253` (a CycleFold scalar of a chain,
    /// below `2^214·N` for `N < 2^39` folds, is). The limbs are range-checked to 64, 64, 64
    /// and 61 bits and recompose to `x` in Fr; as both sides are below `r`, they are the same
    /// integer, and below `q` it means the same element of Fq (253 constraints).
    pub fn from_small(x: &FpVar<Fr>) -> Result<Self, SynthesisError> {
        let cs = x.cs();
        let v = x.value().ok();
        let word = |j: usize| v.map(|v| Fr::from(v.into_bigint().as_ref()[j]));
        let limbs = [
            alloc_bits(&cs, word(0), 64)?,
            alloc_bits(&cs, word(1), 64)?,
            alloc_bits(&cs, word(2), 64)?,
            alloc_bits(&cs, word(3), SMALL_TOP_LIMB_BITS)?,
        ];
        let out = Self { limbs };
        out.to_fr().enforce_equal(x)?;
        Ok(out)
    }

    /// The element this encoding names.
    pub fn value(&self) -> Result<Fq, SynthesisError> {
        let mut acc = Fq::ZERO;
        let base = Fq::from(1u128 << 64);
        for l in self.limbs.iter().rev() {
            acc = acc * base + fr_to_fq(&l.value()?);
        }
        Ok(acc)
    }

    /// The low 192 bits as one element (see [`crate::cyclefold::cf_absorb_elems`]).
    fn low_elem(&self) -> FpVar<Fr> {
        &self.limbs[0] + (&self.limbs[1] + &self.limbs[2] * two_pow(64)) * two_pow(64)
    }

    /// The integer this encoding stands for, reduced modulo `r` (linear, free).
    pub(crate) fn to_fr(&self) -> FpVar<Fr> {
        let mut acc = FpVar::Constant(Fr::ZERO);
        for (j, l) in self.limbs.iter().enumerate() {
            acc += l * two_pow(64 * j);
        }
        acc
    }

    /// `self + ρ·b mod q` for a full-size `b` (527 constraints; module docs).
    pub fn mul_add(&self, rho: &ShortVar, b: &FqVar) -> Result<FqVar, SynthesisError> {
        self.reduce(Some((rho, b)), None)
    }

    /// `self + ρ·s mod q` for `s < 2^85`, which the caller guarantees (a range-checked limb,
    /// a bit, or a constant) (346 constraints; module docs).
    pub fn mul_add_small(&self, rho: &ShortVar, s: &FpVar<Fr>) -> Result<FqVar, SynthesisError> {
        self.reduce(None, Some((rho, s)))
    }

    /// `self + ρ·b + ρ'·s mod q` for a full-size `b` and `s < 2^85` (guaranteed by the
    /// caller) in one reduction: a merge followed by the fold of a fresh instance, for the
    /// price of the merge alone.
    pub fn mul_add_both(
        &self,
        rho: &ShortVar,
        b: &FqVar,
        rho_s: &ShortVar,
        s: &FpVar<Fr>,
    ) -> Result<FqVar, SynthesisError> {
        self.reduce(Some((rho, b)), Some((rho_s, s)))
    }

    /// `c = self + ρ·b + ρ'·s mod q` with either product optional (module docs): with `b`,
    /// `k < 2^129` and two carries; without, `k` is a bit and one carry suffices.
    fn reduce(
        &self,
        full: Option<(&ShortVar, &FqVar)>,
        small: Option<(&ShortVar, &FpVar<Fr>)>,
    ) -> Result<FqVar, SynthesisError> {
        let mut cs = self.limbs[0].cs();
        if let Some((r, b)) = full {
            cs = cs.or(r.limbs[0].cs()).or(b.limbs[0].cs());
        }
        if let Some((r, s)) = small {
            cs = cs.or(r.limbs[0].cs()).or(s.cs());
        }
        let c_val = (|| -> Result<Fq, SynthesisError> {
            let mut acc = self.value()?;
            if let Some((r, b)) = full {
                acc += fr_to_fq(&r.value_fr().value()?) * b.value()?;
            }
            if let Some((r, s)) = small {
                acc += fr_to_fq(&r.value_fr().value()?) * fr_to_fq(&s.value()?);
            }
            Ok(acc)
        })()
        .ok();
        let c = alloc_full(&cs, c_val)?;
        // a + ρ·b + ρ'·s − c = k·q over the integers, with k < 2^129 < r: k = (… mod r)/q.
        let k_val = (|| -> Result<Fr, SynthesisError> {
            let mut n = self.to_fr().value()? - c.to_fr().value()?;
            if let Some((r, b)) = full {
                n += r.value_fr().value()? * b.to_fr().value()?;
            }
            if let Some((r, s)) = small {
                n += r.value_fr().value()? * s.value()?;
            }
            Ok(n * q_fr().inverse().unwrap_or_default())
        })()
        .ok();
        let (a, cl, q, x) = (&self.limbs, &c.limbs, q_words_fr(), two_pow(64));
        let inv64 = x.inverse().unwrap_or_default();
        let k_fr = match (full, small) {
            (Some((r, b)), _) => {
                let k0 = k_val.map(|k| Fr::from(k.into_bigint().as_ref()[0]));
                let k1 = k_val.zip(k0).map(|(k, k0)| (k - k0) * inv64);
                // k < 2^129: with both terms it can reach 2^128 (a = b = q − 1, ρ = 2^128 − 1).
                let k = [alloc_bits(&cs, k0, 64)?, alloc_bits(&cs, k1, 65)?];
                let (rl, bl) = (&r.limbs, &b.limbs);
                // Coefficients of X^0, X^1, X^2 of E.
                let mut d0 = &a[0] + &rl[0] * &bl[0] - &cl[0] - &k[0] * q[0];
                let mut d1 = &a[1] + &rl[0] * &bl[1] + &rl[1] * &bl[0]
                    - &cl[1]
                    - &k[0] * q[1]
                    - &k[1] * q[0];
                let d2 = &a[2] + &rl[0] * &bl[2] + &rl[1] * &bl[1]
                    - &cl[2]
                    - &k[0] * q[2]
                    - &k[1] * q[1];
                if let Some((rs, s)) = small {
                    d0 += &rs.limbs[0] * s;
                    d1 += &rs.limbs[1] * s;
                }
                let d01 = d0 + d1 * x;
                let inv128 = two_pow(128).inverse().unwrap_or_default();
                let s1_bits = if small.is_some() {
                    WIDE_CARRY_BITS
                } else {
                    CARRY_BITS
                };
                let s1 = alloc_carry(&cs, d01.value().ok().map(|v| v * inv128), s1_bits)?;
                d01.enforce_equal(&(&s1 * two_pow(128)))?;
                let d2 = d2 + &s1;
                let s2 = alloc_carry(&cs, d2.value().ok().map(|v| v * inv64), CARRY_BITS)?;
                d2.enforce_equal(&(&s2 * x))?;
                &k[0] + &k[1] * x
            }
            (None, Some((rs, s))) => {
                let k = FpVar::from(Boolean::new_witness(cs.clone(), || {
                    k_val
                        .map(|k| k != Fr::ZERO)
                        .ok_or(SynthesisError::AssignmentMissing)
                })?);
                let d0 = &a[0] + &rs.limbs[0] * s - &cl[0] - &k * q[0];
                let s0 = alloc_carry(&cs, d0.value().ok().map(|v| v * inv64), WIDE_CARRY_BITS)?;
                d0.enforce_equal(&(&s0 * x))?;
                k
            }
            (None, None) => return Err(SynthesisError::Unsatisfiable),
        };
        // Modulo r: ρ·b + ρ'·s = c + k·q − a, the last product folded into the check.
        let rest = c.to_fr() + k_fr * q_fr() - self.to_fr();
        match (full, small) {
            (Some((r, b)), None) => r.value_fr().mul_equals(&b.to_fr(), &rest)?,
            (None, Some((rs, s))) => rs.value_fr().mul_equals(s, &rest)?,
            (Some((r, b)), Some((rs, s))) => {
                let rest = rest - r.value_fr() * b.to_fr();
                rs.value_fr().mul_equals(s, &rest)?
            }
            (None, None) => return Err(SynthesisError::Unsatisfiable),
        }
        Ok(c)
    }
}

/// Allocates a range-checked result (its value if known).
fn alloc_full(cs: &ConstraintSystemRef<Fr>, v: Option<Fq>) -> Result<FqVar, SynthesisError> {
    let w = v.map(|v| fq_words(&v));
    let word = |j: usize| w.map(|w| Fr::from(w[j]));
    Ok(FqVar {
        limbs: [
            alloc_bits(cs, word(0), 64)?,
            alloc_bits(cs, word(1), 64)?,
            alloc_bits(cs, word(2), 64)?,
            alloc_bits(cs, word(3), TOP_LIMB_BITS)?,
        ],
    })
}

/// `q` as an element of Fr (`q mod r`).
fn q_fr() -> Fr {
    Fr::from_le_bytes_mod_order(&<Fq as PrimeField>::MODULUS.to_bytes_le())
}

/// The 64-bit limbs of `q` as Fr constants.
fn q_words_fr() -> [Fr; 4] {
    let m = <Fq as PrimeField>::MODULUS;
    let w = m.as_ref();
    [
        Fr::from(w[0]),
        Fr::from(w[1]),
        Fr::from(w[2]),
        Fr::from(w[3]),
    ]
}

/// A running CycleFold instance with full-size scalars in the primary circuit.
#[derive(Clone, Debug)]
pub struct CfFullVar {
    /// Commitment to the witness.
    pub cm_w: GrumpkinVar,
    /// Commitment to the error vector.
    pub cm_e: GrumpkinVar,
    /// The relaxation scalar.
    pub u: FqVar,
    /// Public inputs.
    pub x: Vec<FqVar>,
}

impl CfFullVar {
    /// Allocates a running CycleFold instance: the points checked to be on the curve, the
    /// scalars' limbs range-checked (254 constraints each, 9,906 an instance). Without the
    /// range checks the instance's digest would not bind it (docs/FOLDING.md §3.1), so there
    /// is no unchecked allocation.
    pub fn new_witness(
        cs: &ConstraintSystemRef<Fr>,
        v: &CfInstance,
    ) -> Result<Self, SynthesisError> {
        let limbs: Vec<[Fr; 4]> = std::iter::once(&v.u)
            .chain(&v.x)
            .map(|s| fq_words(s).map(Fr::from))
            .collect();
        Self::with_limbs(cs, v, &limbs, true)
    }

    /// [`Self::new_witness`], also returning bit 61 of each scalar's top limb (`u` first):
    /// with those bits zero every scalar is below `2^253 < r`, the same integer as the Fr
    /// element its limbs recompose to ([`FqVar::from_small`]'s bound), which a proof-tree
    /// node enforces for a leaf child whose hash absorbed those elements.
    pub(crate) fn new_witness_with_top_bits(
        cs: &ConstraintSystemRef<Fr>,
        v: &CfInstance,
    ) -> Result<(Self, Vec<Boolean<Fr>>), SynthesisError> {
        let mut tops = Vec::with_capacity(v.x.len() + 1);
        let mut scalar = |s: &Fq| -> Result<FqVar, SynthesisError> {
            let w = fq_words(s).map(Fr::from);
            let top = alloc_bools(cs, Some(w[3]), TOP_LIMB_BITS)?;
            tops.push(top[TOP_LIMB_BITS - 1].clone());
            Ok(FqVar {
                limbs: [
                    alloc_bits(cs, Some(w[0]), 64)?,
                    alloc_bits(cs, Some(w[1]), 64)?,
                    alloc_bits(cs, Some(w[2]), 64)?,
                    Boolean::le_bits_to_fp(&top)?,
                ],
            })
        };
        let u = scalar(&v.u)?;
        let x = v.x.iter().map(&mut scalar).collect::<Result<_, _>>()?;
        let inst = Self {
            cm_w: GrumpkinVar::new_checked(cs.clone(), Some(v.cm_w))?,
            cm_e: GrumpkinVar::new_checked(cs.clone(), Some(v.cm_e))?,
            u,
            x,
        };
        Ok((inst, tops))
    }

    /// [`Self::new_witness`] with the scalars' limbs given (`u` first, then `x`), range-checked
    /// or not. Test hook, as [`FqVar::from_limbs`].
    #[doc(hidden)]
    pub fn with_limbs(
        cs: &ConstraintSystemRef<Fr>,
        v: &CfInstance,
        limbs: &[[Fr; 4]],
        range_check: bool,
    ) -> Result<Self, SynthesisError> {
        if limbs.len() != v.x.len() + 1 {
            return Err(SynthesisError::Unsatisfiable);
        }
        let scalars = limbs
            .iter()
            .map(|l| FqVar::from_limbs(cs, *l, range_check))
            .collect::<Result<Vec<_>, _>>()?;
        let mut scalars = scalars.into_iter();
        let u = scalars.next().ok_or(SynthesisError::Unsatisfiable)?;
        Ok(Self {
            cm_w: GrumpkinVar::new_checked(cs.clone(), Some(v.cm_w))?,
            cm_e: GrumpkinVar::new_checked(cs.clone(), Some(v.cm_e))?,
            u,
            x: scalars.collect(),
        })
    }

    /// The same instance as a chain's small-integer [`CfVar`] (see [`FqVar::from_small`]).
    pub fn from_small(cf: &CfVar) -> Result<Self, SynthesisError> {
        Ok(Self {
            cm_w: cf.cm_w.clone(),
            cm_e: cf.cm_e.clone(),
            u: FqVar::from_small(&cf.u)?,
            x: cf
                .x
                .iter()
                .map(FqVar::from_small)
                .collect::<Result<_, _>>()?,
        })
    }

    /// The elements absorbed for this instance (twin of
    /// [`crate::cyclefold::cf_absorb_elems`]).
    pub fn absorb_elems(&self) -> Vec<FpVar<Fr>> {
        let scalars: Vec<&FqVar> = std::iter::once(&self.u).chain(&self.x).collect();
        let mut v: Vec<FpVar<Fr>> = self.cm_w.absorb_elems().to_vec();
        v.extend(self.cm_e.absorb_elems());
        v.extend(scalars.iter().map(|s| s.low_elem()));
        let shift = two_pow(FQ_TOP_BITS);
        for chunk in scalars.chunks(4) {
            let mut acc = FpVar::Constant(Fr::ZERO);
            for s in chunk.iter().rev() {
                acc = acc * shift + &s.limbs[3];
            }
            v.push(acc);
        }
        v
    }

    /// The Poseidon digest of this instance (twin of [`crate::cyclefold::cf_digest`]).
    pub fn digest(&self, cs: &ConstraintSystemRef<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
        hash_var(cs.clone(), CF_DIGEST_LABEL, &self.absorb_elems())
    }

    /// The native instance these variables hold.
    pub fn value(&self) -> Result<CfInstance, SynthesisError> {
        Ok(CfInstance {
            cm_w: grumpkin_value(&self.cm_w)?,
            cm_e: grumpkin_value(&self.cm_e)?,
            u: self.u.value()?,
            x: self.x.iter().map(FqVar::value).collect::<Result<_, _>>()?,
        })
    }

    /// Folds a fresh CycleFold instance (public inputs `x_new`, each below `2^85`; witness
    /// commitment `cm_w_new`; cross term `cm_t`) with the 128-bit challenge `rho`:
    /// `C_W + ρ·C_W'`, `C_E + ρ·C_T`, `u + ρ`, `x + ρ·x'`, modulo `q`.
    pub fn fold_fresh(
        &self,
        x_new: &[FpVar<Fr>],
        cm_w_new: &GrumpkinVar,
        cm_t: &GrumpkinVar,
        rho: &ShortVar,
    ) -> Result<Self, SynthesisError> {
        if x_new.len() != self.x.len() {
            return Err(SynthesisError::Unsatisfiable);
        }
        let cm_w =
            self.cm_w.to_projective() + cm_w_new.to_projective().scalar_mul_le(rho.bits.iter())?;
        let cm_e =
            self.cm_e.to_projective() + cm_t.to_projective().scalar_mul_le(rho.bits.iter())?;
        Ok(Self {
            cm_w: GrumpkinVar::from_projective(&cm_w)?,
            cm_e: GrumpkinVar::from_projective(&cm_e)?,
            u: self.u.mul_add_small(rho, &FpVar::Constant(Fr::ONE))?,
            x: self
                .x
                .iter()
                .zip(x_new)
                .map(|(a, b)| a.mul_add_small(rho, b))
                .collect::<Result<_, _>>()?,
        })
    }
}

fn grumpkin_value(p: &GrumpkinVar) -> Result<GrumpkinAffine, SynthesisError> {
    if p.inf.value()? {
        Ok(GrumpkinAffine::zero())
    } else {
        Ok(GrumpkinAffine::new_unchecked(p.x.value()?, p.y.value()?))
    }
}

/// What [`merge_var`] produces.
#[derive(Clone, Debug)]
pub struct CfMergeVar {
    /// The merged instance.
    pub merged: CfFullVar,
    /// The challenge `ρ`.
    pub rho: ShortVar,
    /// The transcript's digest of `(i1, i2, C_T)` (twin of the second output of
    /// [`crate::cyclefold::merge_transcript`]).
    pub digest: FpVar<Fr>,
}

/// Verifies [`crate::cyclefold::merge`] in-circuit: from the two running instances and the
/// cross-term commitment `cm_t` (checked on the curve by the caller, e.g. with
/// [`GrumpkinVar::new_checked`]) derives `ρ` and returns the merged instance.
pub fn merge_var(
    cs: &ConstraintSystemRef<Fr>,
    i1: &CfFullVar,
    i2: &CfFullVar,
    cm_t: &GrumpkinVar,
) -> Result<CfMergeVar, SynthesisError> {
    let d1 = i1.digest(cs)?;
    let d2 = i2.digest(cs)?;
    merge_var_with_digests(cs, (i1, &d1), (i2, &d2), cm_t)
}

/// [`merge_var`] for a caller that has already computed each instance's
/// [`CfFullVar::digest`] (for example to bind it to a child's state): it saves the two
/// hashes, most of the transcript's cost. Each digest must be the one of its instance.
pub fn merge_var_with_digests(
    cs: &ConstraintSystemRef<Fr>,
    (i1, d1): (&CfFullVar, &FpVar<Fr>),
    (i2, d2): (&CfFullVar, &FpVar<Fr>),
    cm_t: &GrumpkinVar,
) -> Result<CfMergeVar, SynthesisError> {
    if i1.x.len() != i2.x.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let (rho, digest) = merge_challenge_var(cs, d1, d2, cm_t)?;
    let (cm_w, cm_e) = merge_points(i1, i2, cm_t, &rho)?;
    let merged = CfFullVar {
        cm_w: GrumpkinVar::from_projective(&cm_w)?,
        cm_e: GrumpkinVar::from_projective(&cm_e)?,
        u: i1.u.mul_add(&rho, &i2.u)?,
        x: i1
            .x
            .iter()
            .zip(&i2.x)
            .map(|(a, b)| a.mul_add(&rho, b))
            .collect::<Result<_, _>>()?,
    };
    Ok(CfMergeVar {
        merged,
        rho,
        digest,
    })
}

/// The merge transcript from the two instances' digests and `C_T`: `ρ` and the digest of
/// the whole (twin of [`crate::cyclefold::merge_transcript`]).
pub fn merge_challenge_var(
    cs: &ConstraintSystemRef<Fr>,
    d1: &FpVar<Fr>,
    d2: &FpVar<Fr>,
    cm_t: &GrumpkinVar,
) -> Result<(ShortVar, FpVar<Fr>), SynthesisError> {
    let mut tr = TranscriptVar::new(cs.clone(), CF_MERGE_LABEL)?;
    tr.absorb(d1)?;
    tr.absorb(d2)?;
    tr.absorb_slice(&cm_t.absorb_elems())?;
    let (bits, _) = tr.short_challenge()?;
    let digest = tr.challenge()?;
    Ok((ShortVar::from_bits(&bits)?, digest))
}

/// The merged commitments `C_W1 + ρ·C_W2` and `C_E1 + ρ·(C_T + ρ·C_E2)`, the latter equal to
/// `C_E1 + ρ·C_T + ρ²·C_E2` in a group of order `q`.
fn merge_points(
    i1: &CfFullVar,
    i2: &CfFullVar,
    cm_t: &GrumpkinVar,
    rho: &ShortVar,
) -> Result<(GrumpkinProjVar, GrumpkinProjVar), SynthesisError> {
    let cm_w = i1.cm_w.to_projective() + i2.cm_w.to_projective().scalar_mul_le(rho.bits.iter())?;
    let inner = cm_t.to_projective() + i2.cm_e.to_projective().scalar_mul_le(rho.bits.iter())?;
    let cm_e = i1.cm_e.to_projective() + inner.scalar_mul_le(rho.bits.iter())?;
    Ok((cm_w, cm_e))
}

/// A fresh CycleFold instance to fold into an accumulator: its public inputs (each below
/// `2^85`, as the primary circuit builds them from range-checked limbs and bits), its
/// witness commitment and the cross term of the fold.
#[derive(Clone, Copy, Debug)]
pub struct FreshCfVar<'a> {
    /// Public inputs.
    pub x: &'a [FpVar<Fr>],
    /// Commitment to the fresh witness.
    pub cm_w: &'a GrumpkinVar,
    /// Commitment to the cross term.
    pub cm_t: &'a GrumpkinVar,
}

/// The merge of `i1` and `i2` with `ρ` (from [`merge_challenge_var`] over `cm_t`) followed
/// by the fold of `fresh` with `ρ_f`: equal to
/// `merged.fold_fresh(fresh, ρ_f)` for `merged` the output of [`merge_var`], but with one
/// reduction modulo `q` per scalar instead of two (about 530 constraints instead of 853). `ρ_f`
/// must be derived after a transcript has bound `i1`, `i2`, `cm_t` (for example through
/// the merge transcript's digest) and the fresh instance.
pub fn merge_then_fold_var(
    i1: &CfFullVar,
    i2: &CfFullVar,
    cm_t: &GrumpkinVar,
    rho: &ShortVar,
    fresh: FreshCfVar<'_>,
    rho_f: &ShortVar,
) -> Result<CfFullVar, SynthesisError> {
    if i1.x.len() != i2.x.len() || fresh.x.len() != i1.x.len() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let (cm_w, cm_e) = merge_points(i1, i2, cm_t, rho)?;
    let cm_w = cm_w
        + fresh
            .cm_w
            .to_projective()
            .scalar_mul_le(rho_f.bits.iter())?;
    let cm_e = cm_e
        + fresh
            .cm_t
            .to_projective()
            .scalar_mul_le(rho_f.bits.iter())?;
    let one = FpVar::Constant(Fr::ONE);
    Ok(CfFullVar {
        cm_w: GrumpkinVar::from_projective(&cm_w)?,
        cm_e: GrumpkinVar::from_projective(&cm_e)?,
        u: i1.u.mul_add_both(rho, &i2.u, rho_f, &one)?,
        x: i1
            .x
            .iter()
            .zip(&i2.x)
            .zip(fresh.x)
            .map(|((a, b), s)| a.mul_add_both(rho, b, rho_f, s))
            .collect::<Result<_, _>>()?,
    })
}
