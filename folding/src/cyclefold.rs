//! The CycleFold circuit over BN254 Fq and its committed relaxed R1CS.
//!
//! One CycleFold instance proves the group operations of one primary fold:
//! `P_out = P_acc + r·P_new` for the two commitments `C_W1` and `C_W2`, with the fold scalar
//! `r = 2^128 + 2c + 1` ([`crate::poseidon::fold_scalar`]), computed by a signed-digit
//! ladder of six constraints per bit ([`crate::ladder`]).
//! Its public inputs are 38 small integers: `c` as two limbs (64 and 63 bits), then for each
//! fold the points `P_acc, P_new, P_out`, each as the limbs of x and y (85, 85 and 84 bits
//! each, [`crate::poseidon::g1_limbs`]; the identity as zero coordinates, which no point of
//! the curve has). Being below `2^85`, they mean the same integers in Fr and in Fq, so the
//! primary circuit (over Fr) can fold them without non-native arithmetic: a running value is
//! `Σ_k ρ_k·x_k < 2^214·N` (each `ρ_k < 2^129`), which stays below both moduli for any
//! `N < 2^39` folds.
//!
//! The instances are folded Nova-style with a committed cross term (they are small):
//! running `(C_W, C_E, u, x)` on Grumpkin, whose scalar field is Fq. Two running instances
//! are merged the same way ([`merge`], relaxed + relaxed, `C_E = C_E1 + ρ·C_T + ρ²·C_E2`);
//! their scalars are then full-size elements of Fq, and [`crate::cf_merge`] verifies the
//! merge in the primary circuit with limbed non-native arithmetic.

use ark_bn254::constraints::GVar as G1ProjVar;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, BigInteger, Field, PrimeField};
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError, SynthesisMode};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;

use crate::commitment::{CommitmentKey, PedersenKey};
use crate::gadgets::g1_cf_inputs;
use crate::ladder::{self, AffineVar};
use crate::r1cs::R1csShape;
use crate::{Error, Fq, Fr, GrumpkinAffine, G1};

/// Folds per CycleFold instance (the two witness commitments).
pub const CF_FOLDS: usize = 2;
/// Public inputs of a point: the limbs of its coordinates.
const POINT_IO_LEN: usize = 6;
/// Public inputs of a CycleFold instance.
pub const CF_IO_LEN: usize = 2 + CF_FOLDS * 3 * POINT_IO_LEN;
/// Folds below which a chain's CycleFold scalars stay small integers, the same in Fr and Fq
/// (a running public input is below `N·2^214`, and `2^253 < r < q`).
pub const MAX_FOLDS: u64 = 1 << 39;

/// What one CycleFold instance proves: `out = acc + r·new` for each fold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CfStatement {
    /// The bits of `c` in the fold scalar `r = 2^128 + 2c + 1`, least significant first
    /// (127 of them).
    pub r_bits: Vec<bool>,
    /// `(acc, new, out)` per fold.
    pub folds: [(G1, G1, G1); CF_FOLDS],
}

impl CfStatement {
    /// A statement of the identity points (used at the base case and at setup).
    pub fn dummy() -> Self {
        let z = G1::zero();
        Self {
            r_bits: vec![false; crate::poseidon::FOLD_CHALLENGE_BITS],
            folds: [(z, z, z); CF_FOLDS],
        }
    }

    /// The public inputs as Fr integers (the primary circuit's view).
    pub fn public_inputs_fr(&self) -> Vec<Fr> {
        let limb =
            |bits: &[bool]| Fr::from_bigint(BigInteger::from_bits_le(bits)).unwrap_or_default();
        let mut v = vec![limb(&self.r_bits[..64]), limb(&self.r_bits[64..])];
        for (a, n, o) in &self.folds {
            v.extend(g1_cf_inputs(a));
            v.extend(g1_cf_inputs(n));
            v.extend(g1_cf_inputs(o));
        }
        v
    }
}

/// Maps a small Fr integer to the same integer in Fq (Fr's modulus is below Fq's).
pub fn fr_to_fq(x: &Fr) -> Fq {
    Fq::from_bigint(x.into_bigint()).unwrap_or_default()
}

/// Maps an Fq integer below Fr's modulus to Fr; `None` if it is not.
pub fn fq_to_fr(x: &Fq) -> Option<Fr> {
    Fr::from_bigint(x.into_bigint())
}

/// A point from its six inputs (the limbs of x and y): the projective gadget, x, y and the
/// infinity flag.
type PointParts = (G1ProjVar, FpVar<Fq>, FpVar<Fq>, FpVar<Fq>);

fn point_from_inputs(
    cs: &ConstraintSystemRef<Fq>,
    io: &[FpVar<Fq>],
) -> Result<PointParts, SynthesisError> {
    let recompose = |limbs: &[FpVar<Fq>]| {
        let mut acc = FpVar::Constant(Fq::ZERO);
        let mut base = Fq::ONE;
        for l in limbs {
            acc += l * base;
            base *= Fq::from(1u128 << 85);
        }
        acc
    };
    let x = recompose(&io[0..3]);
    let y = recompose(&io[3..6]);
    // The flag is a witness, yet determined by (x, y): with it set the coordinates must be
    // zero, without it the point must be on the curve, and (0, 0) is not (0 ≠ 0 + 3).
    let inf_b = Boolean::new_witness(cs.clone(), || {
        Ok(x.value()? == Fq::ZERO && y.value()? == Fq::ZERO)
    })?;
    let inf = FpVar::from(inf_b);
    let zero = FpVar::Constant(Fq::ZERO);
    x.mul_equals(&inf, &zero)?;
    y.mul_equals(&inf, &zero)?;
    let not_inf = FpVar::Constant(Fq::ONE) - &inf;
    // y² = x³ + 3 unless the point is the identity.
    let x3 = x.square()? * &x;
    let lhs = y.square()? - x3 - Fq::from(3u64);
    lhs.mul_equals(&not_inf, &zero)?;
    let p = G1ProjVar::new(x.clone(), &y + &inf, not_inf);
    Ok((p, x, y, inf))
}

/// `r·P` for the fold scalar `r = 2^128 + 2c + 1` ([`crate::poseidon::fold_scalar`]) whose
/// `c` is given by its two public limbs (64 and 63 bits) and, for the witness, its bits, by
/// the ladder of [`crate::ladder`]. Its digit for bit `i` is a witness `y_i` with
/// `y_i² = y_P²`, and `c`'s limbs are tied to the digits by
/// `limb·2y_P = Σ_i 2^i·(y_i + y_P)` (`y_P ≠ 0`: G1 has no point of order 2). Six
/// constraints per bit.
fn fold_scalar_mul(
    cs: &ConstraintSystemRef<Fq>,
    limbs: &[FpVar<Fq>],
    c_bits: &[bool],
    p: &AffineVar<Fq>,
) -> Result<AffineVar<Fq>, SynthesisError> {
    let n = crate::poseidon::FOLD_CHALLENGE_BITS;
    let yp2 = p.1.square()?;
    let digits = (0..n)
        .map(|i| {
            let d = FpVar::new_witness(cs.clone(), || {
                let y = p.1.value()?;
                Ok(if c_bits.get(i).copied().unwrap_or(false) {
                    y
                } else {
                    -y
                })
            })?;
            d.mul_equals(&d, &yp2)?;
            Ok(d)
        })
        .collect::<Result<Vec<_>, SynthesisError>>()?;
    let t = ladder::fold_scalar_mul(cs, p, &digits)?;
    let two_yp = p.1.double()?;
    for (k, limb) in limbs.iter().enumerate() {
        let part = &digits[64 * k..(64 * k + 64).min(n)];
        let mut terms: Vec<FpVar<Fq>> = Vec::with_capacity(part.len() + 1);
        let mut coef = Fq::ONE;
        for d in part {
            terms.push(d * coef);
            coef.double_in_place();
        }
        terms.push(&p.1 * (coef - Fq::ONE));
        let sum: FpVar<Fq> = terms.iter().sum();
        limb.mul_equals(&two_yp, &sum)?;
    }
    Ok(t)
}

/// Synthesizes the CycleFold circuit for `stmt` into `cs`.
pub fn synthesize(cs: ConstraintSystemRef<Fq>, stmt: &CfStatement) -> Result<(), SynthesisError> {
    let io: Vec<FpVar<Fq>> = stmt
        .public_inputs_fr()
        .iter()
        .map(|v| FpVar::new_input(cs.clone(), || Ok(fr_to_fq(v))))
        .collect::<Result<_, _>>()?;
    let one = FpVar::Constant(Fq::ONE);
    let zero = FpVar::Constant(Fq::ZERO);
    let g = G1::generator();
    for f in 0..CF_FOLDS {
        let point = |k: usize| {
            let at = 2 + (3 * f + k) * POINT_IO_LEN;
            point_from_inputs(&cs, &io[at..at + POINT_IO_LEN])
        };
        let (acc, _, _, _) = point(0)?;
        let (_, xn, yn, infn) = point(1)?;
        let (_, xo, yo, info) = point(2)?;
        // The ladder runs on the generator in place of an identity `P_new` (whose
        // coordinates are zero), and its result is then replaced by the identity.
        let p = (&xn + &infn * g.x, &yn + &infn * g.y);
        let (xr, yr) = fold_scalar_mul(&cs, &io[..2], &stmt.r_bits, &p)?;
        let not_infn = &one - &infn;
        let r_p = G1ProjVar::new(&xr * &not_infn, &yr + &infn * (&one - &yr), not_infn);
        let res = acc + r_p;
        // res = (X : Y : Z) must equal (xo, yo) or the identity.
        xo.mul_equals(&res.z, &res.x)?;
        let not_info = &one - &info;
        (&res.y - &yo * &res.z).mul_equals(&not_info, &zero)?;
        info.mul_equals(&res.z, &zero)?;
        let z_inv = FpVar::new_witness(cs.clone(), || {
            Ok(res.z.value()?.inverse().unwrap_or(Fq::ZERO))
        })?;
        res.z.mul_equals(&z_inv, &not_info)?;
    }
    Ok(())
}

/// Synthesizes `stmt` and returns `(x, w)`, checking the circuit is satisfied.
pub fn assign(stmt: &CfStatement) -> Result<(Vec<Fq>, Vec<Fq>), Error> {
    let cs = ConstraintSystem::<Fq>::new_ref();
    synthesize(cs.clone(), stmt)?;
    if !cs.is_satisfied()? {
        return Err(Error::Unsatisfied("CycleFold statement is false"));
    }
    let x = cs.instance_assignment()?[1..].to_vec();
    let w = cs.witness_assignment()?;
    Ok((x, w))
}

/// The CycleFold shape (setup).
pub fn shape() -> Result<R1csShape<Fq>, Error> {
    let cs = ConstraintSystem::<Fq>::new_ref();
    synthesize(cs.clone(), &CfStatement::dummy())?;
    R1csShape::from_cs(&cs, 0)
}

/// A running CycleFold instance: `(C_W, C_E, u, x)`.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct CfInstance {
    /// Commitment to the witness.
    pub cm_w: GrumpkinAffine,
    /// Commitment to the error vector.
    pub cm_e: GrumpkinAffine,
    /// The relaxation scalar.
    pub u: Fq,
    /// Public inputs.
    pub x: Vec<Fq>,
}

/// The witness of a running CycleFold instance.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct CfWitness {
    /// Witness vector.
    pub w: Vec<Fq>,
    /// Error vector.
    pub e: Vec<Fq>,
}

impl CfInstance {
    /// The trivial instance (all zero), satisfied by [`CfWitness::zero`].
    pub fn zero(shape: &R1csShape<Fq>) -> Self {
        Self {
            cm_w: GrumpkinAffine::zero(),
            cm_e: GrumpkinAffine::zero(),
            u: Fq::ZERO,
            x: vec![Fq::ZERO; shape.num_io],
        }
    }

    /// The public inputs as Fr integers; `None` if one is not below Fr's modulus.
    pub fn x_fr(&self) -> Option<Vec<Fr>> {
        self.x.iter().map(fq_to_fr).collect()
    }
}

impl CfWitness {
    /// The all-zero witness.
    pub fn zero(shape: &R1csShape<Fq>) -> Self {
        Self {
            w: vec![Fq::ZERO; shape.num_w2],
            e: vec![Fq::ZERO; shape.num_constraints],
        }
    }
}

/// The prover's half of a CycleFold fold: the fresh witness commitment and the cross term.
pub struct CfFoldMessage {
    /// Commitment to the fresh witness.
    pub cm_w_new: GrumpkinAffine,
    /// Commitment to the cross term.
    pub cm_t: GrumpkinAffine,
    x_new: Vec<Fq>,
    w_new: Vec<Fq>,
    t: Vec<Fq>,
}

/// Computes the fresh instance's commitment and the cross term with the running pair.
pub fn prepare_fold(
    shape: &R1csShape<Fq>,
    key: &PedersenKey,
    running: &CfInstance,
    witness: &CfWitness,
    stmt: &CfStatement,
) -> Result<CfFoldMessage, Error> {
    // Witness generation only; the products below check that the statement is true.
    let cs = ConstraintSystem::<Fq>::new_ref();
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: false,
        generate_lc_assignments: false,
    });
    synthesize(cs.clone(), stmt)?;
    let x_new = cs.instance_assignment()?[1..].to_vec();
    let w_new = cs.witness_assignment()?;
    let z1 = shape.z(running.u, &running.x, &[], &witness.w)?;
    let z2 = shape.z(Fq::ONE, &x_new, &[], &w_new)?;
    let ((a1, b1, c1), (a2, b2, c2)) = rayon::join(|| shape.products(&z1), || shape.products(&z2));
    if !(0..shape.num_constraints)
        .into_par_iter()
        .all(|i| a2[i] * b2[i] == c2[i])
    {
        return Err(Error::Unsatisfied("CycleFold statement is false"));
    }
    let t: Vec<Fq> = (0..shape.num_constraints)
        .into_par_iter()
        .map(|i| a1[i] * b2[i] + a2[i] * b1[i] - running.u * c2[i] - c1[i])
        .collect();
    let (cm_w_new, cm_t) = rayon::join(|| key.commit_prover(&w_new), || key.commit_prover(&t));
    Ok(CfFoldMessage {
        cm_w_new: cm_w_new?,
        cm_t: cm_t?,
        x_new,
        w_new,
        t,
    })
}

/// Folds with challenge `rho` (a 128-bit integer, the same in Fr and Fq).
pub fn fold(
    running: &CfInstance,
    witness: &CfWitness,
    msg: &CfFoldMessage,
    rho: Fq,
) -> (CfInstance, CfWitness) {
    let lin =
        |a: &[Fq], b: &[Fq]| -> Vec<Fq> { a.iter().zip(b).map(|(x, y)| *x + rho * y).collect() };
    let inst = fold_instance(running, &msg.x_new, &msg.cm_w_new, &msg.cm_t, rho);
    let wit = CfWitness {
        w: lin(&witness.w, &msg.w_new),
        e: lin(&witness.e, &msg.t),
    };
    (inst, wit)
}

/// The verifier's half of [`fold`].
pub fn fold_instance(
    running: &CfInstance,
    x_new: &[Fq],
    cm_w_new: &GrumpkinAffine,
    cm_t: &GrumpkinAffine,
    rho: Fq,
) -> CfInstance {
    CfInstance {
        cm_w: (running.cm_w.into_group() + *cm_w_new * rho).into_affine(),
        cm_e: (running.cm_e.into_group() + *cm_t * rho).into_affine(),
        u: running.u + rho,
        x: running
            .x
            .iter()
            .zip(x_new)
            .map(|(a, b)| *a + rho * b)
            .collect(),
    }
}

/// Checks a running CycleFold instance against its witness.
pub fn check(
    shape: &R1csShape<Fq>,
    key: &PedersenKey,
    inst: &CfInstance,
    w: &CfWitness,
) -> Result<(), Error> {
    let z = shape.z(inst.u, &inst.x, &[], &w.w)?;
    if w.e.len() != shape.num_constraints {
        return Err(Error::WrongLength {
            what: "CycleFold E",
            expected: shape.num_constraints,
            got: w.e.len(),
        });
    }
    if shape.error_vector(&z, inst.u) != w.e {
        return Err(Error::Unsatisfied("CycleFold: Az ∘ Bz − u·Cz ≠ E"));
    }
    if key.commit(&w.w)? != inst.cm_w {
        return Err(Error::CommitmentMismatch("CycleFold C_W"));
    }
    if key.commit(&w.e)? != inst.cm_e {
        return Err(Error::CommitmentMismatch("CycleFold C_E"));
    }
    Ok(())
}

/// The CycleFold commitment key of `n` bases, extending the parameters' key `key` (a
/// prefix of it: bases are derived one by one from a fixed label), so a decider may extend
/// it to a power of two and derive only the bases it lacks.
pub fn extended_key(key: &PedersenKey, n: usize) -> PedersenKey {
    key.extended(crate::params::CF_KEY_LABEL, n)
}

/// Label of the native CycleFold merge transcript.
pub const CF_MERGE_LABEL: &[u8] = b"crease/cyclefold/merge";

/// Bits of an Fq scalar's top 64-bit limb (`q < 2^254`).
pub const FQ_TOP_BITS: usize = 62;

/// The elements a running CycleFold instance with full-size scalars is absorbed as (in-circuit
/// twin: [`crate::cf_merge::CfFullVar::absorb_elems`]): `C_W, C_E` as `(x, y, inf)`; then,
/// for `u` and each `x` entry in order, its low 192 bits (three 64-bit limbs); then the
/// top limbs (each below `2^62`), four to an element. That is 55 elements for the 39 scalars
/// of the CycleFold circuit instead of 78 halves. The packing is injective only on
/// range-bounded parts (each element then stays below `2^248`): an in-circuit twin must
/// range-check every limb it packs ([`crate::cf_merge::CfFullVar::new_witness`] does), or
/// moving `2^62` from one top limb to the next would keep the elements and change the
/// instance.
pub fn cf_absorb_elems(inst: &CfInstance) -> Vec<Fr> {
    let scalars: Vec<[u64; 4]> = std::iter::once(&inst.u)
        .chain(&inst.x)
        .map(|v| {
            let b = v.into_bigint();
            let w = b.as_ref();
            [w[0], w[1], w[2], w[3]]
        })
        .collect();
    let two64 = Fr::from(1u128 << 64);
    let mut v = Vec::with_capacity(6 + scalars.len() + scalars.len().div_ceil(4));
    v.extend(crate::poseidon::grumpkin_to_absorb(&inst.cm_w));
    v.extend(crate::poseidon::grumpkin_to_absorb(&inst.cm_e));
    for w in &scalars {
        v.push(Fr::from(w[0]) + (Fr::from(w[1]) + Fr::from(w[2]) * two64) * two64);
    }
    let shift = Fr::from(1u64 << FQ_TOP_BITS);
    for chunk in scalars.chunks(4) {
        v.push(
            chunk
                .iter()
                .rev()
                .fold(Fr::ZERO, |acc, w| acc * shift + Fr::from(w[3])),
        );
    }
    v
}

/// Merges two running CycleFold instances natively (relaxed + relaxed, committed cross
/// term): returns the merged instance, its witness and the cross-term commitment. The
/// verifier's side is [`merge_verify`].
pub fn merge(
    shape: &R1csShape<Fq>,
    key: &PedersenKey,
    i1: &CfInstance,
    w1: &CfWitness,
    i2: &CfInstance,
    w2: &CfWitness,
) -> Result<(CfInstance, CfWitness, GrumpkinAffine), Error> {
    let z1 = shape.z(i1.u, &i1.x, &[], &w1.w)?;
    let z2 = shape.z(i2.u, &i2.x, &[], &w2.w)?;
    let ((a1, b1, c1), (a2, b2, c2)) = rayon::join(|| shape.products(&z1), || shape.products(&z2));
    let t: Vec<Fq> = (0..shape.num_constraints)
        .into_par_iter()
        .map(|i| a1[i] * b2[i] + a2[i] * b1[i] - i1.u * c2[i] - i2.u * c1[i])
        .collect();
    let cm_t = key.commit(&t)?;
    let rho = merge_challenge(i1, i2, &cm_t);
    let inst = merge_instances(i1, i2, &cm_t, rho);
    let rho2 = rho.square();
    let wit = CfWitness {
        w: w1.w.iter().zip(&w2.w).map(|(a, b)| *a + rho * b).collect(),
        e: (0..shape.num_constraints)
            .map(|i| w1.e[i] + rho * t[i] + rho2 * w2.e[i])
            .collect(),
    };
    Ok((inst, wit, cm_t))
}

/// The verifier's side of [`merge`].
pub fn merge_verify(
    i1: &CfInstance,
    i2: &CfInstance,
    cm_t: &GrumpkinAffine,
) -> Result<CfInstance, Error> {
    if i1.x.len() != i2.x.len() {
        return Err(Error::WrongLength {
            what: "CycleFold x",
            expected: i1.x.len(),
            got: i2.x.len(),
        });
    }
    let rho = merge_challenge(i1, i2, cm_t);
    Ok(merge_instances(i1, i2, cm_t, rho))
}

/// Label of the digest of a running CycleFold instance.
pub const CF_DIGEST_LABEL: &[u8] = b"crease/cyclefold/instance";

/// The Poseidon digest of a running CycleFold instance: the hash of
/// [`cf_absorb_elems`] (in-circuit twin: [`crate::cf_merge::CfFullVar::digest`]). The merge
/// transcript absorbs the two digests, so a node circuit that hashes its children's
/// accumulators anyway can hand those hashes to the merge instead of absorbing 78
/// elements per instance a second time.
pub fn cf_digest(inst: &CfInstance) -> Fr {
    crate::poseidon::hash(CF_DIGEST_LABEL, &cf_absorb_elems(inst))
}

/// The merge transcript: `ρ` (128 bits) and a digest of everything absorbed, both squeezed
/// from a sponge over `(cf_digest(i1), cf_digest(i2), C_T)` (in-circuit twin:
/// [`crate::cf_merge::merge_var`]). The second output lets a caller bind the merged
/// instance, a function of those three, into another transcript with one element.
pub fn merge_transcript(i1: &CfInstance, i2: &CfInstance, cm_t: &GrumpkinAffine) -> (Fq, Fr) {
    let mut t = crate::poseidon::Transcript::new(CF_MERGE_LABEL);
    t.absorb(&cf_digest(i1));
    t.absorb(&cf_digest(i2));
    t.absorb_grumpkin(cm_t);
    let (_, rho) = t.short_challenge();
    let digest = t.challenge();
    (fr_to_fq(&rho), digest)
}

fn merge_challenge(i1: &CfInstance, i2: &CfInstance, cm_t: &GrumpkinAffine) -> Fq {
    merge_transcript(i1, i2, cm_t).0
}

fn merge_instances(i1: &CfInstance, i2: &CfInstance, cm_t: &GrumpkinAffine, rho: Fq) -> CfInstance {
    let rho2 = rho.square();
    CfInstance {
        cm_w: (i1.cm_w.into_group() + i2.cm_w * rho).into_affine(),
        cm_e: (i1.cm_e.into_group() + *cm_t * rho + i2.cm_e * rho2).into_affine(),
        u: i1.u + rho * i2.u,
        x: i1.x.iter().zip(&i2.x).map(|(a, b)| *a + rho * b).collect(),
    }
}
