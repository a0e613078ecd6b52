//! The augmented (primary) circuit over BN254 Fr.
//!
//! Step `i` of the IVC runs this circuit. It receives the running instance `U_i`, the fresh
//! instance `u_i` of step `i − 1`, the fold proof, the folded commitments (checked by the
//! CycleFold instance), and the running CycleFold instance with the fresh CycleFold
//! commitments. It
//!
//! 1. recomputes `h_i = H(pp, i, constants, z_0, z_i, U_i, cfU_i, w1hash_i)` and checks
//!    `u_i.x = h_i` (binds the previous step's outputs to this step's inputs);
//! 2. replays the fold transcript from `u_i` and folds the scalar parts of `U_i` and `u_i`
//!    (`u`, `x`, the error claim's point and value) natively;
//! 3. builds the CycleFold public inputs from `r` and the limbs of the six commitments,
//!    derives `ρ`, and folds the CycleFold instance (Grumpkin points are native here);
//! 4. absorbs `u_i`'s `W1` commitment into the running `W1` hash;
//! 5. at `i = 0` instead outputs the trivial accumulators and checks `z_i = z_0`;
//! 6. runs the step circuit and outputs `h_{i+1}` as its only public input.
//!
//! It is synthesized in three parts, in this order, so that a prover can run each beside
//! the work the next needs: [`begin`] (`W1`, the state, checks 1 and 4, the step circuit)
//! needs only the state; [`Begun::fold`] (check 2, the CycleFold inputs of 3, the primary
//! accumulator of 5 and the start of the output hash) needs the primary fold;
//! [`Folded::finish`] (the rest) needs the CycleFold prover's commitments.

use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, Field};
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::cyclefold::{fq_to_fr, CfInstance};
use crate::gadgets::{G1Var, GrumpkinVar};
use crate::ladder;
use crate::mova::FoldProof;
use crate::poseidon::{self, g1_limbs, g1_to_absorb, grumpkin_to_absorb, hash_var, TranscriptVar};
use crate::r1cs::{FreshInstance, RunningInstance};
use crate::step::StepCircuit;
use crate::{Error, Fr, GrumpkinAffine, G1};

/// Label of the state hash (the primary public input).
pub const STATE_LABEL: &[u8] = b"crease/ivc/state";
/// Label of the fold transcript.
pub const FOLD_LABEL: &[u8] = b"crease/ivc/fold";
/// Label of the running hash of `W1` commitments.
pub const W1_LABEL: &[u8] = b"crease/ivc/w1";

/// The running `W1` hash before any commitment is absorbed.
pub fn w1_hash_init() -> Fr {
    poseidon::hash(W1_LABEL, &[])
}

/// Absorbs one `W1` commitment into the running hash.
pub fn w1_hash_step(h: Fr, cw1: &G1) -> Fr {
    let mut v = vec![h];
    v.extend(g1_to_absorb(cw1));
    poseidon::hash(W1_LABEL, &v)
}

/// Everything the state hash covers, natively.
pub struct StateRef<'a> {
    /// Parameter digest.
    pub pp: Fr,
    /// Step counter.
    pub i: u64,
    /// Run constants.
    pub constants: &'a [Fr],
    /// Initial state.
    pub z0: &'a [Fr],
    /// Current state.
    pub zi: &'a [Fr],
    /// Running primary instance.
    pub big_u: &'a RunningInstance,
    /// Running CycleFold instance.
    pub cf_u: &'a CfInstance,
    /// Running `W1` hash.
    pub w1_hash: Fr,
}

/// `H(pp, i, constants, z_0, z_i, U, cfU, w1hash)`; errors if a CycleFold scalar is not a
/// small integer (an honest one always is).
pub fn state_hash(s: &StateRef<'_>) -> Result<Fr, Error> {
    let mut v = vec![s.pp, Fr::from(s.i)];
    v.extend_from_slice(s.constants);
    v.extend_from_slice(s.z0);
    v.extend_from_slice(s.zi);
    v.extend(g1_to_absorb(&s.big_u.cw1));
    v.extend(g1_to_absorb(&s.big_u.cw2));
    v.extend_from_slice(&s.big_u.x);
    v.push(s.big_u.u);
    v.extend_from_slice(&s.big_u.r_e);
    v.push(s.big_u.v_e);
    v.extend(grumpkin_to_absorb(&s.cf_u.cm_w));
    v.extend(grumpkin_to_absorb(&s.cf_u.cm_e));
    let big = Error::IvcVerification("CycleFold scalar out of range");
    v.push(fq_to_fr(&s.cf_u.u).ok_or(big)?);
    v.extend(
        s.cf_u
            .x_fr()
            .ok_or(Error::IvcVerification("CycleFold input out of range"))?,
    );
    v.push(s.w1_hash);
    Ok(poseidon::hash(STATE_LABEL, &v))
}

/// The native inputs of one run of the augmented circuit that the state alone gives: what
/// [`begin`] needs.
pub struct StepInputs<'a> {
    /// Parameter digest.
    pub pp: Fr,
    /// Step counter `i`.
    pub i: u64,
    /// Run constants.
    pub constants: &'a [Fr],
    /// Initial state.
    pub z0: &'a [Fr],
    /// State `z_i`.
    pub zi: &'a [Fr],
    /// Running `W1` hash.
    pub w1_hash: Fr,
    /// Running instance `U_i`.
    pub big_u: &'a RunningInstance,
    /// Fresh instance `u_i`.
    pub u: &'a FreshInstance,
    /// The running CycleFold instance.
    pub cf_u: &'a CfInstance,
}

/// What the primary fold of `U_i` and `u_i` gives the circuit ([`Begun::fold`]).
pub struct FoldInputs<'a> {
    /// The fold proof.
    pub proof: &'a FoldProof,
    /// The folded commitments `U_{i+1}.C_W1, U_{i+1}.C_W2`.
    pub next_cw: [G1; 2],
}

/// What the CycleFold prover gives the circuit ([`Folded::finish`]).
pub struct CfInputs {
    /// The fresh CycleFold witness commitment.
    pub cm_w_new: GrumpkinAffine,
    /// The CycleFold cross-term commitment.
    pub cm_t: GrumpkinAffine,
}

/// A running primary instance in the primary circuit.
#[derive(Clone, Debug)]
pub struct RunningVar {
    /// Commitment to `W1`.
    pub cw1: G1Var,
    /// Commitment to `W2`.
    pub cw2: G1Var,
    /// Public inputs.
    pub x: Vec<FpVar<Fr>>,
    /// The relaxation scalar.
    pub u: FpVar<Fr>,
    /// The error claim's point.
    pub r_e: Vec<FpVar<Fr>>,
    /// The error claim's value.
    pub v_e: FpVar<Fr>,
}

impl RunningVar {
    /// Allocates a running instance. Its commitments' limbs are range-checked; `check` also
    /// checks that their coordinates are canonical ([`G1Var::new_checked`]), which a running
    /// instance made by a circuit that checked them and bound by a hash since does not need
    /// ([`G1Var::new_range_checked`]).
    pub fn new_witness(
        cs: &ConstraintSystemRef<Fr>,
        v: &RunningInstance,
        check: bool,
    ) -> Result<Self, SynthesisError> {
        let point = |p: G1| {
            if check {
                G1Var::new_checked(cs.clone(), Some(p))
            } else {
                G1Var::new_range_checked(cs.clone(), Some(p))
            }
        };
        let cw = [point(v.cw1)?, point(v.cw2)?];
        Self::with_commitments(cs, v, cw)
    }

    /// The running instance `v` with its commitments allocated already (as `cw`).
    fn with_commitments(
        cs: &ConstraintSystemRef<Fr>,
        v: &RunningInstance,
        [cw1, cw2]: [G1Var; 2],
    ) -> Result<Self, SynthesisError> {
        Ok(Self {
            cw1,
            cw2,
            x: wits(cs, &v.x)?,
            u: wit(cs, v.u)?,
            r_e: wits(cs, &v.r_e)?,
            v_e: wit(cs, v.v_e)?,
        })
    }

    /// The elements absorbed for this instance (twin of [`crate::mova::absorb_running`]).
    pub fn absorb_elems(&self) -> Vec<FpVar<Fr>> {
        let mut v: Vec<FpVar<Fr>> = self.cw1.absorb_elems().to_vec();
        v.extend(self.cw2.absorb_elems());
        v.extend_from_slice(&self.x);
        v.push(self.u.clone());
        v.extend_from_slice(&self.r_e);
        v.push(self.v_e.clone());
        v
    }
}

/// A running CycleFold instance in the primary circuit: points native, scalars as the
/// small integers they are (see [`crate::cyclefold`]).
#[derive(Clone, Debug)]
pub struct CfVar {
    /// Commitment to the witness.
    pub cm_w: GrumpkinVar,
    /// Commitment to the error vector.
    pub cm_e: GrumpkinVar,
    /// The relaxation scalar.
    pub u: FpVar<Fr>,
    /// Public inputs.
    pub x: Vec<FpVar<Fr>>,
}

impl CfVar {
    /// Allocates a running CycleFold instance.
    pub fn new_witness(
        cs: &ConstraintSystemRef<Fr>,
        v: &CfInstance,
    ) -> Result<Self, SynthesisError> {
        let x = v.x_fr().ok_or(SynthesisError::Unsatisfiable)?;
        let u = fq_to_fr(&v.u).ok_or(SynthesisError::Unsatisfiable)?;
        Ok(Self {
            cm_w: GrumpkinVar::new_checked(cs.clone(), Some(v.cm_w))?,
            cm_e: GrumpkinVar::new_checked(cs.clone(), Some(v.cm_e))?,
            u: wit(cs, u)?,
            x: wits(cs, &x)?,
        })
    }

    /// Folds a fresh CycleFold instance (public inputs `x_new`, witness commitment
    /// `cm_w_new`, cross term `cm_t`) with the challenge `ρ = 2^128 + 2c + 1` given by the
    /// bits of `c` and its value (a fold scalar, so that [`crate::ladder`] multiplies by it).
    pub fn fold_fresh(
        &self,
        x_new: &[FpVar<Fr>],
        cm_w_new: &GrumpkinVar,
        cm_t: &GrumpkinVar,
        rho_bits: &[Boolean<Fr>],
        rho: &FpVar<Fr>,
    ) -> Result<Self, SynthesisError> {
        Ok(Self {
            cm_w: add_fold_multiple(&self.cm_w, cm_w_new, rho_bits)?,
            cm_e: add_fold_multiple(&self.cm_e, cm_t, rho_bits)?,
            u: &self.u + rho,
            x: self.x.iter().zip(x_new).map(|(a, b)| a + rho * b).collect(),
        })
    }
}

/// `acc + ρ·p` on Grumpkin for the fold scalar `ρ = 2^128 + 2c + 1` given by `c`'s bits: the
/// ladder of [`crate::ladder`] runs on `p`, or on the generator in its place when `p` is the
/// identity (the ladder needs a point of the group's odd order), whose result is then
/// replaced by the identity; one complete addition adds `acc`.
pub fn add_fold_multiple(
    acc: &GrumpkinVar,
    p: &GrumpkinVar,
    c_bits: &[Boolean<Fr>],
) -> Result<GrumpkinVar, SynthesisError> {
    let cs = p.x.cs().or(p.y.cs()).or(p.inf.cs());
    let g = GrumpkinAffine::generator();
    let inf = FpVar::from(p.inf.clone());
    // The identity has zero coordinates, so adding the flag times the generator's swaps it in.
    let base = (&p.x + &inf * g.x, &p.y + &inf * g.y);
    let digits = ladder::digits_from_bits(&base.1, c_bits)?;
    let (x, y) = ladder::fold_scalar_mul(&cs, &base, &digits)?;
    let multiple = GrumpkinVar {
        x: p.inf.select(&FpVar::Constant(Fr::ZERO), &x)?,
        y: p.inf.select(&FpVar::Constant(Fr::ZERO), &y)?,
        inf: p.inf.clone(),
    };
    GrumpkinVar::from_projective(&(acc.to_projective() + multiple.to_projective()))
}

/// The CycleFold public inputs of a fold `out = acc + r·new` of both commitments.
pub fn cf_inputs_var(
    r_bits: &[Boolean<Fr>],
    folds: [(&G1Var, &G1Var, &G1Var); 2],
) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    let mut v = vec![
        Boolean::le_bits_to_fp(&r_bits[..64])?,
        Boolean::le_bits_to_fp(&r_bits[64..])?,
    ];
    for (acc, new, out) in folds {
        v.extend(acc.cf_inputs());
        v.extend(new.cf_inputs());
        v.extend(out.cf_inputs());
    }
    Ok(v)
}

fn wit(cs: &ConstraintSystemRef<Fr>, v: Fr) -> Result<FpVar<Fr>, SynthesisError> {
    FpVar::new_witness(cs.clone(), || Ok(v))
}

fn wits(cs: &ConstraintSystemRef<Fr>, v: &[Fr]) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    v.iter().map(|x| wit(cs, *x)).collect()
}

/// The in-circuit state hash (twin of [`state_hash`]), in two parts: its sponge after
/// everything up to the running primary instance `U` (so that the prover can run it before
/// the CycleFold fold is known), then [`state_hash_finish`].
fn state_hash_begin(
    cs: &ConstraintSystemRef<Fr>,
    pp: &FpVar<Fr>,
    i: &FpVar<Fr>,
    constants: &[FpVar<Fr>],
    z0: &[FpVar<Fr>],
    zi: &[FpVar<Fr>],
    u: &RunningVar,
) -> Result<TranscriptVar, SynthesisError> {
    let mut v = vec![pp.clone(), i.clone()];
    v.extend_from_slice(constants);
    v.extend_from_slice(z0);
    v.extend_from_slice(zi);
    v.extend(u.absorb_elems());
    let mut tr = TranscriptVar::new(cs.clone(), STATE_LABEL)?;
    tr.absorb_slice(&v)?;
    Ok(tr)
}

/// The state hash's second part: the running CycleFold instance and the `W1` hash.
fn state_hash_finish(
    mut tr: TranscriptVar,
    cf: &CfVar,
    w1_hash: &FpVar<Fr>,
) -> Result<FpVar<Fr>, SynthesisError> {
    let mut v = cf.cm_w.absorb_elems().to_vec();
    v.extend(cf.cm_e.absorb_elems());
    v.push(cf.u.clone());
    v.extend_from_slice(&cf.x);
    v.push(w1_hash.clone());
    tr.absorb_slice(&v)?;
    tr.challenge()
}

fn select_vec(
    c: &Boolean<Fr>,
    a: &[FpVar<Fr>],
    b: &[FpVar<Fr>],
) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    a.iter().zip(b).map(|(x, y)| c.select(x, y)).collect()
}

/// What [`synthesize`] returns besides the constraints.
pub struct Synthesized {
    /// `z_{i+1}`.
    pub z_next: Vec<FpVar<Fr>>,
    /// The length of `W1` (the witness variables allocated by [`StepCircuit::generate_w1`]).
    pub num_w1: usize,
    /// The witness variables allocated by [`StepCircuit::generate_step_constraints`]. The
    /// shape moves them to the end of the witness, so that this circuit's own variables —
    /// mostly full-size Poseidon states — come first in `W2` in every chain, where the
    /// prover's table of the key's first bases commits them
    /// ([`crate::commitment::msm::PrefixTable`]).
    pub step_vars: std::ops::Range<usize>,
}

/// Synthesizes step `inp.i` into `cs` in one go (set-up, tests). The prover runs the three
/// parts itself ([`begin`], [`Begun::fold`], [`Folded::finish`]) so that the serial
/// synthesis overlaps the fold and the CycleFold prover, which its later parts wait for.
pub fn synthesize<C: StepCircuit>(
    cs: ConstraintSystemRef<Fr>,
    circuit: &C,
    ext: &C::ExternalWitness,
    inp: &StepInputs<'_>,
    fold: &FoldInputs<'_>,
    cf: &CfInputs,
    n_vars: usize,
) -> Result<Synthesized, SynthesisError> {
    begin(cs, circuit, ext, inp, n_vars)?.fold(fold)?.finish(cf)
}

/// The circuit after [`begin`]: everything that needs only the state.
pub struct Begun {
    cs: ConstraintSystemRef<Fr>,
    n_vars: usize,
    pp: FpVar<Fr>,
    i: FpVar<Fr>,
    constants: Vec<FpVar<Fr>>,
    z0: Vec<FpVar<Fr>>,
    z_next: Vec<FpVar<Fr>>,
    is_base: Boolean<Fr>,
    big_u: RunningVar,
    u_x: FpVar<Fr>,
    u_cw: [G1Var; 2],
    cf: CfVar,
    next_w1: FpVar<Fr>,
    /// The length of `W1`.
    pub num_w1: usize,
    /// The step circuit's own witness variables (see [`Synthesized::step_vars`]); their
    /// values are final once [`begin`] returns.
    pub step_vars: std::ops::Range<usize>,
}

/// The circuit after [`Begun::fold`]: the fold transcript replayed and the primary fold's
/// scalars folded; the CycleFold fold is left.
pub struct Folded {
    begun: Begun,
    tr: TranscriptVar,
    cf_x_new: Vec<FpVar<Fr>>,
    /// The output hash's sponge, up to the next running primary instance.
    out_hash: TranscriptVar,
}

/// Part one of step `inp.i`: `W1`, the state, the check of the input hash, the running
/// `W1` hash and the step circuit. `n_vars` is the number of variables of the primary error
/// MLE (fixed at setup).
pub fn begin<C: StepCircuit>(
    cs: ConstraintSystemRef<Fr>,
    circuit: &C,
    ext: &C::ExternalWitness,
    inp: &StepInputs<'_>,
    n_vars: usize,
) -> Result<Begun, SynthesisError> {
    let limbs = [inp.big_u.cw1, inp.big_u.cw2].map(|p| g1_limbs(&p).map(Fr::from));
    begin_with_limbs(cs, circuit, ext, inp, n_vars, limbs)
}

/// [`begin`] with the limbs of `U_i`'s commitments given: a prover chooses every witness
/// value, and a test gives limbs other than the points' own.
pub(crate) fn begin_with_limbs<C: StepCircuit>(
    cs: ConstraintSystemRef<Fr>,
    circuit: &C,
    ext: &C::ExternalWitness,
    inp: &StepInputs<'_>,
    n_vars: usize,
    big_u_limbs: [[Fr; 6]; 2],
) -> Result<Begun, SynthesisError> {
    // W1 first: it must be the leading block of the witness.
    let w1 = circuit.generate_w1(cs.clone(), ext)?;
    let num_w1 = cs.num_witness_variables();

    let pp = wit(&cs, inp.pp)?;
    let i = wit(&cs, Fr::from(inp.i))?;
    let constants = wits(&cs, inp.constants)?;
    let z0 = wits(&cs, inp.z0)?;
    let zi = wits(&cs, inp.zi)?;
    let w1_hash = wit(&cs, inp.w1_hash)?;
    if inp.big_u.r_e.len() != n_vars || inp.u.x.len() != 1 || inp.big_u.x.len() != 1 {
        return Err(SynthesisError::Unsatisfiable);
    }
    // Checked (range and canonical) when produced as the previous step's output, and bound
    // by h_i since: in pairs l_2k + 2^85·l_2k+1, which determine the limbs only because they
    // are range-checked here too.
    let cw = big_u_limbs.map(|l| G1Var::new_range_checked_limbs(cs.clone(), Some(l)));
    let [cw1, cw2] = cw;
    let big_u = RunningVar::with_commitments(&cs, inp.big_u, [cw1?, cw2?])?;
    let u_cw1 = G1Var::new_checked(cs.clone(), Some(inp.u.cw1))?;
    let u_cw2 = G1Var::new_checked(cs.clone(), Some(inp.u.cw2))?;
    let u_x = wit(&cs, inp.u.x[0])?;
    let cf = CfVar::new_witness(&cs, inp.cf_u)?;

    // 1. The previous step's output binds this step's inputs.
    let is_base = i.is_zero()?;
    let not_base = !&is_base;
    let h_in = state_hash_begin(&cs, &pp, &i, &constants, &z0, &zi, &big_u)?;
    let h_in = state_hash_finish(h_in, &cf, &w1_hash)?;
    u_x.conditional_enforce_equal(&h_in, &not_base)?;
    for (a, b) in zi.iter().zip(&z0) {
        a.conditional_enforce_equal(b, &is_base)?;
    }
    w1_hash.conditional_enforce_equal(&FpVar::Constant(w1_hash_init()), &is_base)?;

    // 4. The running hash of fresh W1 commitments.
    let mut w1_in = vec![w1_hash.clone()];
    w1_in.extend(u_cw1.absorb_elems());
    let w1_next = hash_var(cs.clone(), W1_LABEL, &w1_in)?;
    let next_w1 = is_base.select(&w1_hash, &w1_next)?;

    // 6. The step itself.
    let step_start = cs.num_witness_variables();
    let z_next = circuit.generate_step_constraints(cs.clone(), &constants, &zi, &w1, ext)?;
    let step_vars = step_start..cs.num_witness_variables();
    if z_next.len() != circuit.arity() {
        return Err(SynthesisError::Unsatisfiable);
    }
    Ok(Begun {
        cs,
        n_vars,
        pp,
        i,
        constants,
        z0,
        z_next,
        is_base,
        big_u,
        u_x,
        u_cw: [u_cw1, u_cw2],
        cf,
        next_w1,
        num_w1,
        step_vars,
    })
}

impl Begun {
    /// Part two: the fold proof and the folded commitments, the fold transcript replayed from
    /// `u_i` and the scalar parts of the fold.
    pub fn fold(self, f: &FoldInputs<'_>) -> Result<Folded, SynthesisError> {
        let cs = &self.cs;
        if f.proof.h.len() != self.n_vars {
            return Err(SynthesisError::Unsatisfiable);
        }
        let h = wits(cs, &f.proof.h)?;
        let t = wit(cs, f.proof.t)?;
        let next1 = G1Var::new_checked(cs.clone(), Some(f.next_cw[0]))?;
        let next2 = G1Var::new_checked(cs.clone(), Some(f.next_cw[1]))?;

        // 2. The fold transcript and the scalar parts of the fold.
        let [u_cw1, u_cw2] = &self.u_cw;
        let big_u = &self.big_u;
        let mut tr = TranscriptVar::new(cs.clone(), FOLD_LABEL)?;
        tr.absorb(&self.u_x)?;
        tr.absorb_slice(&u_cw1.absorb_elems())?;
        tr.absorb_slice(&u_cw2.absorb_elems())?;
        let beta = tr.power_challenges(self.n_vars)?;
        tr.absorb_slice(&h)?;
        let alpha = tr.challenge()?;
        tr.absorb(&t)?;
        let (r_bits, r) = tr.fold_challenge()?;
        let mut h_alpha = FpVar::Constant(Fr::ZERO);
        for c in h.iter().rev() {
            h_alpha = (h_alpha + c) * &alpha;
        }
        let folded_u = RunningVar {
            cw1: next1.clone(),
            cw2: next2.clone(),
            x: vec![&big_u.x[0] + &r * &self.u_x],
            u: &big_u.u + &r,
            r_e: big_u
                .r_e
                .iter()
                .zip(&beta)
                .map(|(re, b)| re + &alpha * (b - re))
                .collect(),
            v_e: h_alpha + &big_u.v_e + &r * &t,
        };

        // 3. The CycleFold instance of this fold (its fold into the running one follows).
        let cf_x_new = cf_inputs_var(
            &r_bits,
            [(&big_u.cw1, u_cw1, &next1), (&big_u.cw2, u_cw2, &next2)],
        )?;
        tr.absorb_slice(&next1.absorb_elems())?;
        tr.absorb_slice(&next2.absorb_elems())?;

        // 5. The base case outputs the trivial primary accumulator; the output hash begins.
        let is_base = &self.is_base;
        let zero = FpVar::Constant(Fr::ZERO);
        let next_u = RunningVar {
            cw1: G1Var::select(is_base, &G1Var::zero(), &folded_u.cw1)?,
            cw2: G1Var::select(is_base, &G1Var::zero(), &folded_u.cw2)?,
            x: select_vec(is_base, std::slice::from_ref(&zero), &folded_u.x)?,
            u: is_base.select(&zero, &folded_u.u)?,
            r_e: select_vec(is_base, &vec![zero.clone(); self.n_vars], &folded_u.r_e)?,
            v_e: is_base.select(&zero, &folded_u.v_e)?,
        };
        let i_next = &self.i + Fr::ONE;
        let out_hash = state_hash_begin(
            cs,
            &self.pp,
            &i_next,
            &self.constants,
            &self.z0,
            &self.z_next,
            &next_u,
        )?;
        Ok(Folded {
            begun: self,
            tr,
            cf_x_new,
            out_hash,
        })
    }
}

impl Folded {
    /// Part three: the CycleFold fold, the base case's trivial accumulators and the output
    /// hash ([`Self::fold_cyclefold`], then [`CfFolded::finish`]).
    pub fn finish(self, c: &CfInputs) -> Result<Synthesized, SynthesisError> {
        self.fold_cyclefold(c)?.finish()
    }

    /// The first half of part three: the CycleFold fold (a prover commits its witness
    /// while the second half is synthesized).
    pub fn fold_cyclefold(mut self, c: &CfInputs) -> Result<CfFolded, SynthesisError> {
        let b = &self.begun;
        let cs = &b.cs;
        let cf_w_new = GrumpkinVar::new_checked(cs.clone(), Some(c.cm_w_new))?;
        let cf_t = GrumpkinVar::new_checked(cs.clone(), Some(c.cm_t))?;
        self.tr.absorb_slice(&cf_w_new.absorb_elems())?;
        self.tr.absorb_slice(&cf_t.absorb_elems())?;
        let (rho_bits, rho) = self.tr.fold_challenge()?;
        let folded_cf =
            b.cf.fold_fresh(&self.cf_x_new, &cf_w_new, &cf_t, &rho_bits, &rho)?;
        Ok(CfFolded {
            begun: self.begun,
            out_hash: self.out_hash,
            folded_cf,
        })
    }
}

/// The circuit after [`Folded::fold_cyclefold`]: the base case's trivial accumulators and
/// the output hash are left.
pub struct CfFolded {
    begun: Begun,
    out_hash: TranscriptVar,
    folded_cf: CfVar,
}

impl CfFolded {
    /// The second half of part three: the base case's trivial CycleFold accumulator and the
    /// output hash.
    pub fn finish(self) -> Result<Synthesized, SynthesisError> {
        let b = &self.begun;
        let cs = &b.cs;
        let folded_cf = &self.folded_cf;

        // 5. The base case outputs the trivial CycleFold accumulator; the output hash ends.
        let is_base = &b.is_base;
        let zero = FpVar::Constant(Fr::ZERO);
        let next_cf = CfVar {
            cm_w: GrumpkinVar::select(is_base, &GrumpkinVar::zero(), &folded_cf.cm_w)?,
            cm_e: GrumpkinVar::select(is_base, &GrumpkinVar::zero(), &folded_cf.cm_e)?,
            u: is_base.select(&zero, &folded_cf.u)?,
            x: select_vec(is_base, &vec![zero.clone(); b.cf.x.len()], &folded_cf.x)?,
        };
        let h_out = state_hash_finish(self.out_hash, &next_cf, &b.next_w1)?;
        let out = FpVar::new_input(cs.clone(), || h_out.value())?;
        out.enforce_equal(&h_out)?;
        Ok(Synthesized {
            z_next: self.begun.z_next,
            num_w1: self.begun.num_w1,
            step_vars: self.begun.step_vars,
        })
    }
}
