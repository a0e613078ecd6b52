//! Uniform IVC: proving step by step, the proof, its verification and serialization.

use ark_ff::AdditiveGroup;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisMode};

use crate::augmented::{self, state_hash, w1_hash_init, w1_hash_step, StateRef, StepInputs};
use crate::commitment::msm::TableSum;
use crate::commitment::CommitmentKey;
use crate::cyclefold::{self, fr_to_fq, CfInstance, CfStatement, CfWitness};
pub use crate::ivc_proof::{FinalWitness, IvcProof};
use crate::mova::{self, FoldProof, FreshProducts, RunningWitness};
use crate::obligation::{Obligations, Primary, PrimaryInstance};
pub use crate::params::{IvcParams, IvcShape, SharedParams, DEV_KEY_SEED};
use crate::poseidon::Transcript;
use crate::r1cs::{move_to_end, FreshInstance, R1csShape, RunningInstance, Witness};
use crate::step::StepCircuit;
use crate::{mle, Error, Fr, G1Projective, G1};
use ark_bn254::g1::Config as G1Config;
use ark_ec::CurveGroup;
use std::sync::Mutex;

/// Label of the transcript of the final fold (the last fresh instance into the running one).
pub const FINAL_FOLD_LABEL: &[u8] = b"crease/ivc/final-fold";

impl IvcParams {
    /// Commits to the `W1` part of one step (pass 1 of commit-and-fold). Equals the `W1`
    /// commitment of that step's fresh instance.
    pub fn commit_w1<C: StepCircuit>(
        &self,
        circuit: &C,
        ext: &C::ExternalWitness,
    ) -> Result<G1, Error> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        circuit.generate_w1(cs.clone(), ext)?;
        let w = cs.witness_assignment()?;
        if w.len() != self.shape.num_w1 {
            return Err(Error::ShapeMismatch {
                what: "W1 length",
                expected: self.shape.num_w1,
                got: w.len(),
            });
        }
        self.key.commit(&w)
    }
}

/// The running hash of `W1` commitments in order (pass 1 computes it from its commitments;
/// it equals [`IvcProof::w1_hash`] of an honest run).
pub fn w1_hash_chain(commitments: &[G1]) -> Fr {
    commitments.iter().fold(w1_hash_init(), w1_hash_step)
}

/// The prover's state after `i` steps: the running instances and witnesses, and the last
/// fresh instance with its witness.
#[derive(Clone, Debug)]
struct State {
    i: u64,
    constants: Vec<Fr>,
    z0: Vec<Fr>,
    zi: Vec<Fr>,
    w1_hash: Fr,
    big_u: RunningInstance,
    u: FreshInstance,
    w: Witness,
    cf_u: CfInstance,
    cf_w: CfWitness,
}

impl State {
    /// The augmented circuit's inputs of the next step, from this state.
    fn inputs(&self, pp: Fr) -> StepInputs<'_> {
        StepInputs {
            pp,
            i: self.i,
            constants: &self.constants,
            z0: &self.z0,
            zi: &self.zi,
            w1_hash: self.w1_hash,
            big_u: &self.big_u,
            u: &self.u,
            cf_u: &self.cf_u,
        }
    }
}

/// A fold transcript labelled `label` that first absorbs the fresh instance `u`, whose public
/// input is the state hash and so binds the running instance: a step's fold
/// ([`augmented::FOLD_LABEL`]) or the proof's final fold ([`FINAL_FOLD_LABEL`]).
fn fresh_transcript(label: &[u8], u: &FreshInstance) -> Transcript {
    let mut tr = Transcript::new(label);
    tr.absorb_slice(&u.x);
    tr.absorb_g1(&u.cw1);
    tr.absorb_g1(&u.cw2);
    tr
}

/// The transcript of the final fold (the last fresh instance into the running one).
fn final_transcript(u: &FreshInstance) -> Transcript {
    fresh_transcript(FINAL_FOLD_LABEL, u)
}

/// A run's state after its last step, with its witnesses.
pub(crate) struct Run {
    pub steps: u64,
    pub constants: Vec<Fr>,
    pub z: Vec<Fr>,
    pub w1_hash: Fr,
    pub big_u: RunningInstance,
    pub big_w: Witness,
    pub u: FreshInstance,
    pub w: Witness,
    pub cf_u: CfInstance,
    pub cf_w: CfWitness,
}

/// The prover of one IVC run.
pub struct IvcProver<'p, C: StepCircuit> {
    params: &'p IvcParams,
    circuit: C,
    state: State,
    big_w: RunningWitness,
    /// The products of the last fresh instance, made at the end of the step that made it.
    fresh_products: Option<FreshProducts>,
}

impl<'p, C: StepCircuit> IvcProver<'p, C> {
    /// Starts a run from `z0` under `constants`.
    pub fn new(
        params: &'p IvcParams,
        circuit: C,
        z0: Vec<Fr>,
        constants: Vec<Fr>,
    ) -> Result<Self, Error> {
        for (what, expected, got) in [
            ("z0", params.arity as usize, z0.len()),
            ("constants", params.num_constants as usize, constants.len()),
            ("arity", params.arity as usize, circuit.arity()),
        ] {
            if expected != got {
                return Err(Error::WrongLength {
                    what,
                    expected,
                    got,
                });
            }
        }
        let shape = &params.shape;
        let state = State {
            i: 0,
            constants,
            zi: z0.clone(),
            z0,
            w1_hash: w1_hash_init(),
            big_u: RunningInstance::zero(shape),
            u: zero_fresh_with(vec![Fr::ZERO]),
            w: Witness::zero(shape),
            cf_u: CfInstance::zero(&params.cf_shape),
            cf_w: CfWitness::zero(&params.cf_shape),
        };
        Ok(Self {
            params,
            circuit,
            state,
            big_w: RunningWitness::zero(shape),
            fresh_products: None,
        })
    }

    /// The run's state with its witnesses (a proof-tree leaf).
    pub(crate) fn into_run(self) -> Run {
        let s = self.state;
        Run {
            steps: s.i,
            constants: s.constants,
            z: s.zi,
            w1_hash: s.w1_hash,
            big_u: s.big_u,
            big_w: self.big_w.w,
            u: s.u,
            w: s.w,
            cf_u: s.cf_u,
            cf_w: s.cf_w,
        }
    }

    /// The current state `z_i`.
    pub fn z(&self) -> &[Fr] {
        &self.state.zi
    }

    /// The witness of the last fresh instance.
    pub fn fresh_witness(&self) -> &Witness {
        &self.state.w
    }

    /// The proof of the steps so far (meaningful after at least one step). Unless the
    /// running instance is still the trivial one, the last fresh instance is folded into it
    /// (natively, the same fold as a step's) so that the proof carries one primary witness.
    pub fn proof(&self) -> Result<IvcProof, Error> {
        let s = &self.state;
        let last = if s.big_u.is_zero() {
            FinalWitness::Fresh(s.w.clone())
        } else {
            let (_, _, folded, fp, _) = self.fold_last(FINAL_FOLD_LABEL, None)?;
            FinalWitness::Folded(fp, folded.w)
        };
        Ok(IvcProof {
            i: s.i,
            constants: s.constants.clone(),
            z0: s.z0.clone(),
            zi: s.zi.clone(),
            w1_hash: s.w1_hash,
            big_u: s.big_u.clone(),
            u: s.u.clone(),
            last,
            cf_u: s.cf_u.clone(),
            cf_w: s.cf_w.clone(),
        })
    }

    /// Proves one more step with external witness `ext`.
    pub fn prove_step(&mut self, ext: &C::ExternalWitness) -> Result<(), Error> {
        self.prove_step_with_w1(ext, None)
    }

    /// Proves one more step reusing this step's `W1` commitment from pass 1
    /// ([`IvcParams::commit_w1`]), which saves its MSM. A wrong commitment gives a proof that
    /// does not verify.
    ///
    /// The synthesis of the augmented circuit is serial, so it runs in three parts beside the
    /// parallel work each part does not need: the part that needs only the state beside the
    /// primary fold and the CycleFold prover that follows it, the fold transcript, then the
    /// CycleFold fold and the end of the output hash. The witness is committed in pieces as
    /// their values become final (`W1`, then each part's share of `W2`, the third part's in
    /// two), beside the synthesis that follows, so only the output hash's end is committed
    /// after it, beside the products `Az, Bz, Cz` of the new fresh instance that the next
    /// step's fold starts from. Called from a thread outside the rayon pool, the step runs on
    /// one of the pool's workers.
    pub fn prove_step_with_w1(
        &mut self,
        ext: &C::ExternalWitness,
        cw1: Option<G1>,
    ) -> Result<(), Error> {
        // Called from a thread outside the pool, the step runs on one of its workers: the
        // serial synthesis would otherwise compete with both workers for the cores, and the
        // thread would sit idle where each scope waits for its jobs (a worker runs queued
        // jobs instead).
        if rayon::current_thread_index().is_none() {
            return rayon::scope(|_| self.prove_step_in_pool(ext, cw1));
        }
        self.prove_step_in_pool(ext, cw1)
    }

    /// [`Self::prove_step_with_w1`] on a thread of the pool.
    fn prove_step_in_pool(
        &mut self,
        ext: &C::ExternalWitness,
        cw1: Option<G1>,
    ) -> Result<(), Error> {
        let params = self.params;
        let w1_slot: Mutex<Option<Result<G1, Error>>> = Mutex::new(None);
        let w2_parts: Mutex<Vec<Result<G1Projective, Error>>> = Mutex::new(Vec::new());
        // The parts' shares through the key's table, reduced once all parts are in.
        let w2_table = TableSum::new();
        let products = self.fresh_products.take();
        let this = &*self;
        let next = rayon::in_place_scope(|floating| {
            let (w1_slot, w2_parts, w2_table) = (&w1_slot, &w2_parts, &w2_table);
            this.step_parts(ext, cw1.is_none(), products, w2_table, |part| {
                floating.spawn(move |_| match part {
                    Part::W1(w1) => *lock(w1_slot) = Some(params.key.commit(&w1)),
                    Part::W2(offset, values) => {
                        let c = params.commit_w2_part(w2_table, offset, &values);
                        lock(w2_parts).push(c);
                    }
                })
            })
        });
        let (mut state, big_w, last, products) = next?;
        state.u.cw1 = match cw1 {
            Some(c) => c,
            None => lock(&w1_slot)
                .take()
                .ok_or(Error::IvcVerification("W1 was not committed"))??,
        };
        let mut cw2 = last + w2_table.finish();
        for part in lock(&w2_parts).drain(..) {
            cw2 += part?;
        }
        state.u.cw2 = cw2.into_affine();
        self.state = state;
        self.big_w = big_w;
        self.fresh_products = Some(products);
        Ok(())
    }

    /// Synthesizes the next step beside the primary and CycleFold folds (the latter from the
    /// last fresh instance's `products`, if made). `fixed` receives `W1` (if `with_w1`) and
    /// the parts of `W2` (with their offsets) as soon as their values are final; the last
    /// part of `W2` is committed here, its share through the key's table added to
    /// `w2_table`, the rest returned, beside the products of the new fresh instance.
    fn step_parts(
        &self,
        ext: &C::ExternalWitness,
        with_w1: bool,
        products: Option<FreshProducts>,
        w2_table: &TableSum<G1Config>,
        mut fixed: impl FnMut(Part),
    ) -> Result<(State, RunningWitness, G1Projective, FreshProducts), Error> {
        let params = self.params;
        let shape = &params.shape;
        let s = &self.state;
        let n_vars = shape.num_vars();
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(SynthesisMode::Prove {
            construct_matrices: false,
            generate_lc_assignments: false,
        });
        let inp = s.inputs(params.digest);

        // 1. The part that needs only the state, beside the primary fold of U_i and u_i
        //    (none at the base case). Its witness is final once it is synthesized: W1, the
        //    first part's variables, which begin W2, and the step circuit's own, which end
        //    it. They go to `fixed` at once, so that their commitments run beside the rest of
        //    the fold.
        let mut fold_slot = None;
        let (begun, step, head_len) = rayon::in_place_scope(|sc| {
            if s.i > 0 {
                let slot = &mut fold_slot;
                sc.spawn(move |_| {
                    let fold = self.fold_last(augmented::FOLD_LABEL, products);
                    *slot = Some(fold.and_then(|(tr, nu, nw, proof, ch)| {
                        let cf = self.fold_cyclefold(tr, &nu, &ch)?;
                        Ok((nu, nw, proof, cf))
                    }));
                });
            }
            let begun = augmented::begin(cs.clone(), &self.circuit, ext, &inp, n_vars)?;
            if begun.num_w1 != shape.num_w1 {
                return Err(Error::ShapeMismatch {
                    what: "W1 length",
                    expected: shape.num_w1,
                    got: begun.num_w1,
                });
            }
            let step = begun.step_vars.clone();
            let head_len = shape
                .num_w2
                .checked_sub(step.len())
                .filter(|_| step.start >= shape.num_w1)
                .ok_or(Error::ShapeMismatch {
                    what: "step circuit variables",
                    expected: shape.num_w2,
                    got: step.len(),
                })?;
            if with_w1 {
                fixed(Part::W1(witness_slice(&cs, 0..shape.num_w1)?));
            }
            fixed(Part::W2(0, witness_slice(&cs, shape.num_w1..step.start)?));
            fixed(Part::W2(head_len, witness_slice(&cs, step.clone())?));
            Ok((begun, step, head_len))
        })?;

        // 2. The fold transcript in the circuit.
        let (next_u, next_w, proof, cf) = match fold_slot.transpose()? {
            None => (
                RunningInstance::zero(shape),
                RunningWitness::zero(shape),
                FoldProof {
                    h: vec![Fr::ZERO; n_vars],
                    t: Fr::ZERO,
                },
                None,
            ),
            Some((nu, nw, proof, cf)) => (nu, nw, proof, Some(cf)),
        };
        let fold_in = augmented::FoldInputs {
            proof: &proof,
            next_cw: [next_u.cw1, next_u.cw2],
        };
        let folded = begun.fold(&fold_in)?;
        // The second part's variables follow the first part's in W2.
        let second = step.start - shape.num_w1;
        let end = cs.num_witness_variables();
        fixed(Part::W2(second, witness_slice(&cs, step.end..end)?));
        let last = second + (end - step.end);
        let (next_cf_u, next_cf_w, cf_in) = match cf {
            None => (
                CfInstance::zero(&params.cf_shape),
                CfWitness::zero(&params.cf_shape),
                augmented::CfInputs {
                    cm_w_new: Default::default(),
                    cm_t: Default::default(),
                },
            ),
            Some(r) => r,
        };

        // 3. The CycleFold fold, its share of W2 committed beside the output hash, then the
        //    commitment of the rest.
        let cf_folded = folded.fold_cyclefold(&cf_in)?;
        let third = cs.num_witness_variables();
        fixed(Part::W2(last, witness_slice(&cs, end..third)?));
        let last = last + (third - end);
        let out = cf_folded.finish()?;
        let (x, w) = assignment(&cs, shape, out.step_vars)?;
        if last > head_len {
            return Err(Error::ShapeMismatch {
                what: "W2 length",
                expected: head_len,
                got: last,
            });
        }
        // The new fresh instance's products, for the next step's fold, beside the last
        // commitment.
        let u_next = zero_fresh_with(x);
        let (head, products) = rayon::join(
            || params.commit_w2_last(w2_table, last, &w.w2[last..head_len]),
            || FreshProducts::new(shape, &u_next, &w),
        );
        let (head, products) = (head?, products?);
        let z_next: Vec<Fr> = out
            .z_next
            .iter()
            .map(ark_r1cs_std::GR1CSVar::value)
            .collect::<Result<_, _>>()?;
        let next_w1 = if s.i == 0 {
            s.w1_hash
        } else {
            w1_hash_step(s.w1_hash, &s.u.cw1)
        };
        let expected = state_hash(&StateRef {
            pp: params.digest,
            i: s.i + 1,
            constants: &s.constants,
            z0: &s.z0,
            zi: &z_next,
            big_u: &next_u,
            cf_u: &next_cf_u,
            w1_hash: next_w1,
        })?;
        if u_next.x != [expected] {
            return Err(Error::IvcVerification(
                "circuit output differs from the native state hash",
            ));
        }
        let state = State {
            i: s.i + 1,
            constants: s.constants.clone(),
            z0: s.z0.clone(),
            zi: z_next,
            w1_hash: next_w1,
            big_u: next_u,
            u: u_next,
            w,
            cf_u: next_cf_u,
            cf_w: next_cf_w,
        };
        Ok((state, next_w, head, products))
    }

    /// Folds the last fresh instance `u_i` into `U_i` natively, on a transcript labelled
    /// `label` that first absorbs `u_i` (a step's fold, or the proof's final fold), from
    /// `u_i`'s products if they were made.
    fn fold_last(
        &self,
        label: &[u8],
        products: Option<FreshProducts>,
    ) -> Result<PrimaryFold, Error> {
        let s = &self.state;
        let mut tr = fresh_transcript(label, &s.u);
        let (nu, nw, proof, ch) = mova::prove(
            &self.params.shape,
            &mut tr,
            &s.big_u,
            &self.big_w,
            &s.u,
            &s.w,
            products,
        )?;
        Ok((tr, nu, nw, proof, ch))
    }

    /// Proves the group operations of the primary fold (`U_i → nu`, challenges `ch`, the
    /// fold transcript `tr`) with a fresh CycleFold instance and folds it into the running
    /// one.
    fn fold_cyclefold(
        &self,
        mut tr: Transcript,
        nu: &RunningInstance,
        ch: &mova::FoldChallenges,
    ) -> Result<(CfInstance, CfWitness, augmented::CfInputs), Error> {
        let params = self.params;
        let s = &self.state;
        let stmt = CfStatement {
            r_bits: ch.r_bits.clone(),
            folds: [
                (s.big_u.cw1, s.u.cw1, nu.cw1),
                (s.big_u.cw2, s.u.cw2, nu.cw2),
            ],
        };
        let msg =
            cyclefold::prepare_fold(&params.cf_shape, &params.cf_key, &s.cf_u, &s.cf_w, &stmt)?;
        tr.absorb_g1(&nu.cw1);
        tr.absorb_g1(&nu.cw2);
        tr.absorb_grumpkin(&msg.cm_w_new);
        tr.absorb_grumpkin(&msg.cm_t);
        let (_, rho) = tr.fold_challenge();
        let (cfu, cfw) = cyclefold::fold(&s.cf_u, &s.cf_w, &msg, fr_to_fq(&rho));
        let inputs = augmented::CfInputs {
            cm_w_new: msg.cm_w_new,
            cm_t: msg.cm_t,
        };
        Ok((cfu, cfw, inputs))
    }
}

/// A part of a step's witness whose values are final.
enum Part {
    /// `W1`.
    W1(Vec<Fr>),
    /// The entries of `W2` from an offset on.
    W2(usize, Vec<Fr>),
}

/// A copy of the synthesized witness entries in `range` (only those).
fn witness_slice(
    cs: &ConstraintSystemRef<Fr>,
    range: std::ops::Range<usize>,
) -> Result<Vec<Fr>, Error> {
    let cs = cs
        .borrow()
        .ok_or(ark_relations::gr1cs::SynthesisError::MissingCS)?;
    let w = cs.witness_assignment()?;
    w.get(range.clone())
        .map(<[Fr]>::to_vec)
        .ok_or(Error::ShapeMismatch {
            what: "witness length",
            expected: range.end,
            got: w.len(),
        })
}

/// Locks a mutex even if a thread panicked while holding it (the data is a plain result).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The transcript, folded instance and witness, proof and challenges of a primary fold.
type PrimaryFold = (
    Transcript,
    RunningInstance,
    RunningWitness,
    FoldProof,
    mova::FoldChallenges,
);

/// A fresh instance with public input `x` and zero commitments (the base case's, or one whose
/// commitments are still to be filled in).
fn zero_fresh_with(x: Vec<Fr>) -> FreshInstance {
    FreshInstance {
        cw1: G1::default(),
        cw2: G1::default(),
        x,
    }
}

/// The public input and the witness of a synthesized step, the step circuit's own variables
/// `step_vars` moved to the end as in the shape.
fn assignment(
    cs: &ConstraintSystemRef<Fr>,
    shape: &R1csShape,
    step_vars: std::ops::Range<usize>,
) -> Result<(Vec<Fr>, Witness), Error> {
    let x = cs.instance_assignment()?[1..].to_vec();
    let mut w = cs.witness_assignment()?;
    if step_vars.end > w.len() {
        return Err(Error::ShapeMismatch {
            what: "step circuit variables",
            expected: w.len(),
            got: step_vars.end,
        });
    }
    move_to_end(&mut w, step_vars);
    if w.len() != shape.num_w1 + shape.num_w2 || x.len() != shape.num_io {
        return Err(Error::ShapeMismatch {
            what: "witness length",
            expected: shape.num_w1 + shape.num_w2,
            got: w.len(),
        });
    }
    let w2 = w[shape.num_w1..].to_vec();
    let mut w1 = w;
    w1.truncate(shape.num_w1);
    Ok((x, Witness { w1, w2 }))
}

/// Verifies an IVC proof of `steps` steps from `z0` to `zn`: [`reduce`], then the
/// obligations checked against the proof's witnesses.
pub fn verify(
    params: &IvcParams,
    steps: u64,
    z0: &[Fr],
    zn: &[Fr],
    proof: &IvcProof,
) -> Result<(), Error> {
    reduce(params, steps, z0, zn, proof)?.discharge()
}

/// Checks an IVC proof's states, hashes and final fold; returns what is left to check
/// (docs/FOLDING.md §4.1).
pub fn reduce<'a>(
    params: &'a IvcParams,
    steps: u64,
    z0: &[Fr],
    zn: &[Fr],
    proof: &'a IvcProof,
) -> Result<Obligations<'a>, Error> {
    // Below 2^39 folds the CycleFold scalars stay small integers (docs/FOLDING.md §4.2).
    if steps == 0 || steps >= cyclefold::MAX_FOLDS || proof.i != steps {
        return Err(Error::IvcVerification("wrong number of steps"));
    }
    if proof.z0 != z0 || proof.zi != zn {
        return Err(Error::IvcVerification("states differ from the proof's"));
    }
    let shape = &params.shape;
    for (what, expected, got) in [
        ("z0", params.arity as usize, z0.len()),
        (
            "constants",
            params.num_constants as usize,
            proof.constants.len(),
        ),
        (
            "r_E",
            mle::num_vars(shape.num_constraints),
            proof.big_u.r_e.len(),
        ),
        ("running x", shape.num_io, proof.big_u.x.len()),
        ("fresh x", shape.num_io, proof.u.x.len()),
    ] {
        if expected != got {
            return Err(Error::WrongLength {
                what,
                expected,
                got,
            });
        }
    }
    let h = state_hash(&StateRef {
        pp: params.digest,
        i: steps,
        constants: &proof.constants,
        z0,
        zi: zn,
        big_u: &proof.big_u,
        cf_u: &proof.cf_u,
        w1_hash: proof.w1_hash,
    })?;
    if proof.u.x != [h] {
        return Err(Error::IvcVerification(
            "the last instance does not output the claimed state",
        ));
    }
    let primary = match &proof.last {
        // The trivial running instance is satisfied by the zero witness; only the fresh
        // instance needs its witness.
        FinalWitness::Fresh(w) => {
            if !proof.big_u.is_zero() {
                return Err(Error::IvcVerification(
                    "a fresh witness alone for a non-trivial running instance",
                ));
            }
            (PrimaryInstance::Fresh(proof.u.clone()), w)
        }
        // The verifier folds the instances itself (u' = 1 is implicit), so a satisfied
        // folded instance means both were satisfied (docs/FOLDING.md §2 and §4.1).
        FinalWitness::Folded(fp, w) => {
            let mut tr = final_transcript(&proof.u);
            let (folded, _) = mova::verify(shape, &mut tr, &proof.big_u, &proof.u, fp)?;
            (PrimaryInstance::Running(folded), w)
        }
    };
    Ok(Obligations {
        primary: vec![Primary {
            shape,
            instance: primary.0,
            witness: primary.1,
        }],
        key: &params.key,
        cf_shape: &params.cf_shape,
        cf_key: &params.cf_key,
        cf: &proof.cf_u,
        cf_w: &proof.cf_w,
    })
}

#[cfg(test)]
#[path = "ivc_tests.rs"]
mod tests;
