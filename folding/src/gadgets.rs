//! Point representations inside the primary circuit (over BN254 Fr).
//!
//! A BN254 G1 point has coordinates in Fq, which is not native here: [`G1Var`] carries each
//! coordinate as three limbs of 85, 85 and 84 bits ([`crate::poseidon::COORD_LIMB_BITS`]),
//! the identity as zero coordinates (no point of the curve has them), and does no arithmetic
//! on them — the primary circuit only absorbs such points and hands their limbs to the
//! CycleFold instance. A checked point's coordinates are canonical (below `q`), so a point
//! has one encoding: limbs that fit their widths could otherwise also spell `x + q`, the
//! same point to the CycleFold circuit but other elements to a transcript. A Grumpkin point has coordinates in Fr, native here: [`GrumpkinVar`]
//! is an affine point with an infinity flag that converts to arkworks' projective gadget.

use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, BigInt, BigInteger, Field, PrimeField};
use ark_grumpkin::constraints::GVar as GrumpkinProjVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::poseidon::{g1_limbs, COORD_LIMB_BITS};
use crate::{Fq, Fr, GrumpkinAffine, G1};

/// The `bits` low bits of `value` as boolean witnesses, least significant first.
fn alloc_bits(
    cs: ConstraintSystemRef<Fr>,
    value: Option<u128>,
    bits: usize,
) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    (0..bits)
        .map(|j| {
            Boolean::new_witness(cs.clone(), || {
                value
                    .map(|v| (v >> j) & 1 == 1)
                    .ok_or(SynthesisError::AssignmentMissing)
            })
        })
        .collect()
}

/// Enforces that the little-endian `bits` form an integer at most `bound` (little-endian
/// bits too; missing ones are zeros).
///
/// Scanning from the top, `eq` says that the bits so far equal `bound`'s. Along a run of
/// zeros of `bound` no bit may be one while `eq` holds: `eq·Σ_run b = 0`, one constraint (a
/// sum of fewer than `r` booleans is zero only when each is). At a one of `bound`,
/// `eq ← eq ∧ b`, one constraint (none for the first, where `eq` is the constant true). The
/// first bit where the two differ is then a zero of the integer against a one of `bound`,
/// and below it `eq` is false and nothing is constrained, as nothing needs to be. Cost: the
/// number of zero runs of `bound` plus its ones above its lowest zero, less one.
pub fn enforce_at_most(bits: &[Boolean<Fr>], bound: &[bool]) -> Result<(), SynthesisError> {
    let bound_bit = |j: usize| bound.get(j).copied().unwrap_or(false);
    if bound.iter().skip(bits.len()).any(|b| *b) {
        return Ok(());
    }
    // Below the lowest zero of `bound`, every integer passes.
    let Some(lowest_zero) = (0..bits.len()).find(|&j| !bound_bit(j)) else {
        return Ok(());
    };
    let mut eq = Boolean::TRUE;
    let mut top = bits.len();
    while top > lowest_zero {
        if bound_bit(top - 1) {
            eq = &eq & &bits[top - 1];
            top -= 1;
            continue;
        }
        let mut low = top - 1;
        while low > 0 && !bound_bit(low - 1) {
            low -= 1;
        }
        let ones: FpVar<Fr> = bits[low..top].iter().map(|b| FpVar::from(b.clone())).sum();
        FpVar::from(eq.clone()).mul_equals(&ones, &FpVar::Constant(Fr::ZERO))?;
        top = low;
    }
    Ok(())
}

/// The `width` digits of a limb's value `l` (see [`G1Var::new_range_checked_limbs`]).
fn limb_digits(l: Fr, width: usize) -> Vec<Fr> {
    let bits = l.into_bigint().to_bits_le();
    let mut digits = Vec::with_capacity(width);
    let (mut low, mut power) = (Fr::ZERO, Fr::ONE);
    for &bit in &bits[..width - 1] {
        digits.push(Fr::from(bit));
        if bit {
            low += power;
        }
        power.double_in_place();
    }
    // `power` is now 2^(width − 1), the top digit's weight.
    digits.push((l - low) * power.inverse().unwrap_or_default());
    digits
}

/// `q − 1` for BN254's base field, little-endian bits (254 of them, as a coordinate has).
fn q_minus_one_bits() -> Vec<bool> {
    let mut bound = Fq::MODULUS;
    bound.sub_with_borrow(&BigInt::from(1u64));
    let mut bits = bound.to_bits_le();
    bits.truncate(COORD_LIMB_BITS.iter().sum());
    bits
}

/// Allocates a coordinate from its limbs ([`COORD_LIMB_BITS`]): the 254 bits they are made
/// of, and the check that these form an integer below `q` ([`enforce_at_most`] with
/// `q − 1`: 171 constraints). 425 constraints in all.
fn alloc_coordinate(
    cs: ConstraintSystemRef<Fr>,
    limbs: Option<[u128; 3]>,
) -> Result<[FpVar<Fr>; 3], SynthesisError> {
    let mut bits = Vec::with_capacity(COORD_LIMB_BITS.iter().sum());
    for (k, width) in COORD_LIMB_BITS.into_iter().enumerate() {
        bits.extend(alloc_bits(cs.clone(), limbs.map(|l| l[k]), width)?);
    }
    enforce_at_most(&bits, &q_minus_one_bits())?;
    let (x0, rest) = bits.split_at(COORD_LIMB_BITS[0]);
    let (x1, x2) = rest.split_at(COORD_LIMB_BITS[1]);
    Ok([
        Boolean::le_bits_to_fp(x0)?,
        Boolean::le_bits_to_fp(x1)?,
        Boolean::le_bits_to_fp(x2)?,
    ])
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
    /// and whose coordinates are canonical, below `q` (425 constraints per coordinate).
    pub fn new_checked(cs: ConstraintSystemRef<Fr>, p: Option<G1>) -> Result<Self, SynthesisError> {
        Self::new_checked_limbs(cs, p.as_ref().map(g1_limbs))
    }

    /// [`Self::new_checked`] from the limbs themselves (which a test sets to a
    /// non-canonical coordinate).
    fn new_checked_limbs(
        cs: ConstraintSystemRef<Fr>,
        l: Option<[u128; 6]>,
    ) -> Result<Self, SynthesisError> {
        let [x0, x1, x2] = alloc_coordinate(cs.clone(), l.map(|l| [l[0], l[1], l[2]]))?;
        let [y0, y1, y2] = alloc_coordinate(cs, l.map(|l| [l[3], l[4], l[5]]))?;
        Ok(Self {
            limbs: [x0, x1, x2, y0, y1, y2],
        })
    }

    /// Allocates a point whose limbs are range-checked to 85, 85 and 84 bits per coordinate
    /// (254 constraints per coordinate) but not compared with `q`: for a point whose
    /// coordinates were checked to be canonical when it was made and are bound by a hash
    /// since. The hash absorbs the limbs in pairs `l_2k + 2^85·l_2k+1`, and it is these range
    /// checks that make a pair determine its two limbs (the pair is then below `2^170 < r`):
    /// without them `l_2k + 2^85·t, l_2k+1 − t` would absorb the same for any `t`.
    pub fn new_range_checked(
        cs: ConstraintSystemRef<Fr>,
        p: Option<G1>,
    ) -> Result<Self, SynthesisError> {
        Self::new_range_checked_limbs(cs, p.as_ref().map(|p| g1_limbs(p).map(Fr::from)))
    }

    /// [`Self::new_range_checked`] from the limbs' values, any field elements (a test gives
    /// limbs that spell no point). A limb's digits are its bits: its low bits and, as the top
    /// digit, the rest `(l − low)/2^(w−1)` — the only digits that sum to `l`, and for a limb
    /// that does not fit its width the top digit is no bit and fails its booleanity
    /// constraint `d·(1 − d) = 0`.
    pub(crate) fn new_range_checked_limbs(
        cs: ConstraintSystemRef<Fr>,
        l: Option<[Fr; 6]>,
    ) -> Result<Self, SynthesisError> {
        let limb = |j: usize| {
            let width = COORD_LIMB_BITS[j % 3];
            let digits = l.map(|l| limb_digits(l[j], width));
            let mut scaled = Vec::with_capacity(width);
            let mut power = Fr::ONE;
            for k in 0..width {
                let d = FpVar::new_witness(cs.clone(), || {
                    digits
                        .as_ref()
                        .map(|d| d[k])
                        .ok_or(SynthesisError::AssignmentMissing)
                })?;
                d.mul_equals(&(FpVar::Constant(Fr::ONE) - &d), &FpVar::Constant(Fr::ZERO))?;
                scaled.push(d * power);
                power.double_in_place();
            }
            Ok::<FpVar<Fr>, SynthesisError>(scaled.into_iter().sum())
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

    type Int = <Fq as PrimeField>::BigInt;

    fn int_add(a: Int, b: &Int) -> Int {
        let mut a = a;
        assert!(!a.add_with_carry(b));
        a
    }

    /// Whether a coordinate of value `v` (below `2^254`) passes [`alloc_coordinate`], whose
    /// limbs must recompose `v`.
    fn coordinate_passes(v: &Int) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let limbs = crate::poseidon::int_to_limbs(v);
        let vars = alloc_coordinate(cs.clone(), Some(limbs)).unwrap();
        for (var, limb) in vars.iter().zip(limbs) {
            assert_eq!(var.value().unwrap(), Fr::from(limb));
        }
        assert_eq!(cs.num_constraints(), 425);
        cs.is_satisfied().unwrap()
    }

    /// The comparison with `q` against the integers, at the boundary: `q − 1` passes, and so
    /// does every integer that differs from it in one bit exactly when that bit was a one (it
    /// is then smaller); `q`, `q + 1` and `2^254 − 1` fail; zero and random coordinates pass.
    #[test]
    fn a_coordinate_passes_exactly_below_q() {
        let one = Int::from(1u64);
        let mut q_minus_one = Fq::MODULUS;
        q_minus_one.sub_with_borrow(&one);
        assert!(coordinate_passes(&q_minus_one));
        assert!(!coordinate_passes(&Fq::MODULUS));
        assert!(!coordinate_passes(&int_add(Fq::MODULUS, &one)));
        assert!(!coordinate_passes(&Int::from_bits_le(&[true; 254])));
        assert!(coordinate_passes(&Int::from(0u64)));
        let bits = q_minus_one.to_bits_le();
        for j in 0..254 {
            let mut flipped = bits.clone();
            flipped[j] = !flipped[j];
            let v = Int::from_bits_le(&flipped);
            assert_eq!(coordinate_passes(&v), bits[j], "bit {j}");
        }
        let mut rng = ark_std::test_rng();
        for _ in 0..20 {
            assert!(coordinate_passes(&Fq::rand(&mut rng).into_bigint()));
        }
    }

    /// Attack: a coordinate `x < 2^254 − q` has a second encoding `x + q` whose limbs still
    /// fit 85, 85 and 84 bits and recompose to `x` modulo `q` — the same point for the
    /// CycleFold circuit, other elements for every transcript that absorbs it. With limbs
    /// only range-checked, `new_checked` accepted it; now the circuit is unsatisfied. The
    /// generator `(1, 2)` has both coordinates that small (a prover commits to it by
    /// committing to the unit vector, the key's first base being `τ^0·G`).
    #[test]
    fn a_point_with_a_noncanonical_coordinate_is_rejected() {
        let mut rng = ark_std::test_rng();
        let room = {
            // 2^254 − q: the coordinates with a second encoding are those below it.
            let mut top = Int::from_bits_le(&[true; 254]);
            top.sub_with_borrow(&Fq::MODULUS);
            int_add(top, &Int::from(1u64))
        };
        let mut points = vec![G1::generator()];
        while points.len() < 4 {
            let p = G1::rand(&mut rng);
            let (x, y) = p.xy().unwrap();
            if x.into_bigint() < room || y.into_bigint() < room {
                points.push(p);
            }
        }
        for p in points {
            let honest = g1_limbs(&p);
            let cs = ConstraintSystem::<Fr>::new_ref();
            G1Var::new_checked_limbs(cs.clone(), Some(honest)).unwrap();
            assert!(cs.is_satisfied().unwrap());
            assert_eq!(cs.num_constraints(), 850);
            let (x, y) = p.xy().unwrap();
            for (k, c) in [x, y].into_iter().enumerate() {
                if c.into_bigint() >= room {
                    continue;
                }
                let shifted =
                    crate::poseidon::int_to_limbs(&int_add(c.into_bigint(), &Fq::MODULUS));
                // The old checks held: the limbs fit their widths and spell the same element.
                for (limb, width) in shifted.iter().zip(COORD_LIMB_BITS) {
                    assert!(*limb < 1u128 << width);
                }
                let two85 = Fq::from(1u128 << 85);
                let [l0, l1, l2] = shifted.map(Fq::from);
                assert_eq!(l0 + (l1 + l2 * two85) * two85, c);
                assert_ne!(shifted, crate::poseidon::fq_to_limbs(&c));
                let mut limbs = honest;
                limbs[3 * k..3 * k + 3].copy_from_slice(&shifted);
                let cs = ConstraintSystem::<Fr>::new_ref();
                G1Var::new_checked_limbs(cs.clone(), Some(limbs)).unwrap();
                assert!(!cs.is_satisfied().unwrap(), "coordinate {k} of {p:?}");
            }
        }
    }

    // The canonical check against the integers, exhaustively at small widths.

    /// `enforce_at_most` against the integers for every bound and every value of 7 bits
    /// (and bounds shorter than the value, and values with a set bit above the bound).
    #[test]
    fn enforce_at_most_is_exact_on_all_small_cases() {
        let n = 7;
        for bound in 0u32..(1 << n) {
            let bb: Vec<bool> = (0..n).map(|j| bound >> j & 1 == 1).collect();
            for v in 0u32..(1 << n) {
                let cs = ConstraintSystem::<Fr>::new_ref();
                let bits: Vec<Boolean<Fr>> = (0..n)
                    .map(|j| Boolean::new_witness(cs.clone(), || Ok(v >> j & 1 == 1)).unwrap())
                    .collect();
                enforce_at_most(&bits, &bb).unwrap();
                assert_eq!(
                    cs.is_satisfied().unwrap(),
                    v <= bound,
                    "v {v} bound {bound}"
                );
            }
        }
    }

    /// Every prefix of `q − 1` followed by one differing bit and random bits below, and
    /// random integers in `[q, 2^254)`, against the integers.
    #[test]
    fn coordinates_near_q_against_the_integers() {
        use ark_std::rand::Rng;
        let mut rng = ark_std::test_rng();
        let qm1 = q_minus_one_bits();
        for j in 0..254 {
            for _ in 0..3 {
                let mut b = qm1.clone();
                b[j] = !b[j];
                for bit in b.iter_mut().take(j) {
                    *bit = rng.gen();
                }
                let v = Int::from_bits_le(&b);
                let below = v < Fq::MODULUS;
                assert_eq!(coordinate_passes(&v), below, "prefix {j}");
                assert_eq!(below, qm1[j]);
            }
        }
        let mut top = Int::from_bits_le(&[true; 254]);
        top.sub_with_borrow(&Fq::MODULUS);
        for _ in 0..50 {
            // q + (random below 2^254 − q)
            let mut r: Vec<bool> = (0..254).map(|_| rng.gen()).collect();
            r[253] = false;
            r[252] = false;
            let mut extra = Int::from_bits_le(&r);
            if extra > top {
                extra = top;
            }
            assert!(!coordinate_passes(&int_add(Fq::MODULUS, &extra)));
        }
    }

    /// The identity's encoding (all limbs zero) passes `new_checked`, and a point with a
    /// canonical `x` but `y = q + small` fails: both coordinates are compared.
    #[test]
    fn both_coordinates_and_the_identity() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        G1Var::new_checked(cs.clone(), Some(G1::zero())).unwrap();
        assert!(cs.is_satisfied().unwrap());
        let mut limbs = g1_limbs(&G1::generator());
        let y = crate::poseidon::int_to_limbs(&int_add(Fq::MODULUS, &Int::from(2u64)));
        limbs[3..].copy_from_slice(&y);
        let cs = ConstraintSystem::<Fr>::new_ref();
        G1Var::new_checked_limbs(cs.clone(), Some(limbs)).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}
