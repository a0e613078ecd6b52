//! Point representations inside the primary circuit (over BN254 Fr).
//!
//! A BN254 G1 point has coordinates in Fq, which is not native here: [`G1Var`] carries each
//! coordinate as three limbs of 85, 85 and 84 bits ([`crate::poseidon::COORD_LIMB_BITS`]),
//! the identity as zero coordinates (no point of the curve has them), and does no arithmetic
//! on them — the primary circuit only absorbs such points and hands their limbs to the
//! CycleFold instance. A Grumpkin point has coordinates in Fr, native here: [`GrumpkinVar`]
//! is an affine point with an infinity flag that converts to arkworks' projective gadget.

use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, Field};
use ark_grumpkin::constraints::GVar as GrumpkinProjVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::poseidon::{g1_limbs, COORD_LIMB_BITS};
use crate::{Fr, GrumpkinAffine, G1};

/// Allocates a witness below `2^bits` from its little-endian bits (`bits` constraints;
/// `bits ≤ 128`).
pub fn alloc_bounded(
    cs: ConstraintSystemRef<Fr>,
    value: Option<u128>,
    bits: usize,
) -> Result<FpVar<Fr>, SynthesisError> {
    let bools = (0..bits)
        .map(|j| {
            Boolean::new_witness(cs.clone(), || {
                value
                    .map(|v| (v >> j) & 1 == 1)
                    .ok_or(SynthesisError::AssignmentMissing)
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Boolean::le_bits_to_fp(&bools)
}

/// A BN254 G1 point as the six limbs of its coordinates, `x` then `y`, least significant
/// first ([`g1_limbs`]); the identity has all limbs zero.
#[derive(Clone, Debug)]
pub struct G1Var {
    /// The limbs.
    pub limbs: [FpVar<Fr>; 6],
}

impl G1Var {
    /// Allocates a point whose limbs are range-checked to 85, 85 and 84 bits per coordinate
    /// (254 constraints per coordinate).
    pub fn new_checked(cs: ConstraintSystemRef<Fr>, p: Option<G1>) -> Result<Self, SynthesisError> {
        let l = p.as_ref().map(g1_limbs);
        let limb = |j: usize| alloc_bounded(cs.clone(), l.map(|l| l[j]), COORD_LIMB_BITS[j % 3]);
        Ok(Self {
            limbs: [limb(0)?, limb(1)?, limb(2)?, limb(3)?, limb(4)?, limb(5)?],
        })
    }

    /// Allocates a point without range checks (for points whose limbs were checked when
    /// they were produced and are bound by a hash since).
    pub fn new_unchecked(
        cs: ConstraintSystemRef<Fr>,
        p: Option<G1>,
    ) -> Result<Self, SynthesisError> {
        let l = p.as_ref().map(g1_limbs);
        let limb = |j: usize| {
            FpVar::new_witness(cs.clone(), || {
                l.map(|l| Fr::from(l[j]))
                    .ok_or(SynthesisError::AssignmentMissing)
            })
        };
        Ok(Self {
            limbs: [limb(0)?, limb(1)?, limb(2)?, limb(3)?, limb(4)?, limb(5)?],
        })
    }

    /// The identity as a constant.
    pub fn zero() -> Self {
        Self {
            limbs: std::array::from_fn(|_| FpVar::Constant(Fr::ZERO)),
        }
    }

    /// The three elements absorbed for this point (twin of
    /// [`crate::poseidon::g1_to_absorb`]).
    pub fn absorb_elems(&self) -> [FpVar<Fr>; 3] {
        let two85 = Fr::from(1u128 << 85);
        let l = &self.limbs;
        [0, 1, 2].map(|k| &l[2 * k] + &l[2 * k + 1] * two85)
    }

    /// The six public inputs of the CycleFold circuit describing this point: its limbs.
    pub fn cf_inputs(&self) -> Vec<FpVar<Fr>> {
        self.limbs.to_vec()
    }

    /// `if cond { a } else { b }`, limb by limb.
    pub fn select(cond: &Boolean<Fr>, a: &Self, b: &Self) -> Result<Self, SynthesisError> {
        let mut limbs = a.limbs.clone();
        for (l, y) in limbs.iter_mut().zip(&b.limbs) {
            *l = cond.select(l, y)?;
        }
        Ok(Self { limbs })
    }
}

/// The six CycleFold public inputs of a G1 point, natively (twin of [`G1Var::cf_inputs`]).
pub fn g1_cf_inputs(p: &G1) -> Vec<Fr> {
    g1_limbs(p).iter().map(|&l| Fr::from(l)).collect()
}

/// A Grumpkin point in affine form with an infinity flag; coordinates are native.
#[derive(Clone, Debug)]
pub struct GrumpkinVar {
    /// x coordinate (zero for the identity).
    pub x: FpVar<Fr>,
    /// y coordinate (zero for the identity).
    pub y: FpVar<Fr>,
    /// Whether the point is the identity.
    pub inf: Boolean<Fr>,
}

impl GrumpkinVar {
    /// Allocates a point and checks that it is on the curve (or is the identity with zero
    /// coordinates). Grumpkin has cofactor 1, so this places it in the group.
    pub fn new_checked(
        cs: ConstraintSystemRef<Fr>,
        p: Option<GrumpkinAffine>,
    ) -> Result<Self, SynthesisError> {
        let v = p.map(|p| match p.xy() {
            Some((x, y)) => (x, y, false),
            None => (Fr::ZERO, Fr::ZERO, true),
        });
        let x = FpVar::new_witness(cs.clone(), || {
            v.map(|t| t.0).ok_or(SynthesisError::AssignmentMissing)
        })?;
        let y = FpVar::new_witness(cs.clone(), || {
            v.map(|t| t.1).ok_or(SynthesisError::AssignmentMissing)
        })?;
        let inf = Boolean::new_witness(cs, || {
            v.map(|t| t.2).ok_or(SynthesisError::AssignmentMissing)
        })?;
        let p = Self { x, y, inf };
        p.enforce_on_curve()?;
        Ok(p)
    }

    fn enforce_on_curve(&self) -> Result<(), SynthesisError> {
        let inf = FpVar::from(self.inf.clone());
        let not_inf = FpVar::Constant(Fr::ONE) - &inf;
        // y² = x³ − 17 unless the point is the identity, whose coordinates are zero.
        let x2 = self.x.square()?;
        let x3 = &x2 * &self.x;
        let y2 = self.y.square()?;
        let lhs = y2 - x3 + Fr::from(17u64);
        lhs.mul_equals(&not_inf, &FpVar::Constant(Fr::ZERO))?;
        self.x.mul_equals(&inf, &FpVar::Constant(Fr::ZERO))?;
        self.y.mul_equals(&inf, &FpVar::Constant(Fr::ZERO))?;
        Ok(())
    }

    /// The identity as a constant.
    pub fn zero() -> Self {
        Self {
            x: FpVar::Constant(Fr::ZERO),
            y: FpVar::Constant(Fr::ZERO),
            inf: Boolean::TRUE,
        }
    }

    /// The three elements absorbed for this point (twin of
    /// [`crate::poseidon::grumpkin_to_absorb`]).
    pub fn absorb_elems(&self) -> [FpVar<Fr>; 3] {
        [
            self.x.clone(),
            self.y.clone(),
            FpVar::from(self.inf.clone()),
        ]
    }

    /// The projective gadget of this point: `(x, y, 1)`, or `(0, 1, 0)` for the identity.
    pub fn to_projective(&self) -> GrumpkinProjVar {
        let inf = FpVar::from(self.inf.clone());
        GrumpkinProjVar::new(
            self.x.clone(),
            &self.y + &inf,
            FpVar::Constant(Fr::ONE) - inf,
        )
    }

    /// Normalizes a projective point back to this form.
    pub fn from_projective(p: &GrumpkinProjVar) -> Result<Self, SynthesisError> {
        let a = p.to_affine()?;
        let inf = a.infinity.clone();
        // arkworks' affine identity has coordinates (0, 0).
        Ok(Self {
            x: a.x,
            y: a.y,
            inf,
        })
    }

    /// `if cond { a } else { b }`.
    pub fn select(cond: &Boolean<Fr>, a: &Self, b: &Self) -> Result<Self, SynthesisError> {
        Ok(Self {
            x: cond.select(&a.x, &b.x)?,
            y: cond.select(&a.y, &b.y)?,
            inf: cond.select(&a.inf, &b.inf)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poseidon::{g1_to_absorb, grumpkin_to_absorb};
    use ark_ec::CurveGroup;
    use ark_ff::UniformRand;
    use ark_relations::gr1cs::ConstraintSystem;

    #[test]
    fn point_vars_match_native_encodings() {
        let mut rng = ark_std::test_rng();
        for p in [G1::rand(&mut rng), G1::zero()] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let v = G1Var::new_checked(cs.clone(), Some(p)).unwrap();
            let got: Vec<Fr> = v
                .absorb_elems()
                .iter()
                .map(|e| e.value().unwrap())
                .collect();
            assert_eq!(got, g1_to_absorb(&p).to_vec());
            let got: Vec<Fr> = v.cf_inputs().iter().map(|e| e.value().unwrap()).collect();
            assert_eq!(got, g1_cf_inputs(&p));
            assert!(cs.is_satisfied().unwrap());
        }
        let a = GrumpkinAffine::rand(&mut rng);
        let b = GrumpkinAffine::rand(&mut rng);
        for (p, q) in [(a, b), (GrumpkinAffine::zero(), b), (a, -a)] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let pv = GrumpkinVar::new_checked(cs.clone(), Some(p)).unwrap();
            let qv = GrumpkinVar::new_checked(cs.clone(), Some(q)).unwrap();
            let sum = pv.to_projective() + qv.to_projective();
            let s = GrumpkinVar::from_projective(&sum).unwrap();
            let got: Vec<Fr> = s
                .absorb_elems()
                .iter()
                .map(|e| e.value().unwrap())
                .collect();
            let expect = (p.into_group() + q).into_affine();
            assert_eq!(got, grumpkin_to_absorb(&expect).to_vec());
            assert!(cs.is_satisfied().unwrap());
        }
        // An off-curve point is rejected.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let bad = GrumpkinAffine::new_unchecked(Fr::from(1u64), Fr::from(1u64));
        GrumpkinVar::new_checked(cs.clone(), Some(bad)).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}
