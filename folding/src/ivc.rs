//! Uniform IVC: setup, proving step by step, verification and serialization.

use ark_ff::{AdditiveGroup, PrimeField};
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisMode};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use sha2::{Digest, Sha256};

use crate::augmented::{self, state_hash, w1_hash_init, w1_hash_step, StateRef, StepInputs};
use crate::commitment::{CommitmentKey, PedersenKey, PowersOfTauKey};
use crate::cyclefold::{self, fr_to_fq, CfInstance, CfStatement, CfWitness};
use crate::mova::{self, FoldProof, RunningWitness};
use crate::poseidon::Transcript;
use crate::r1cs::{FreshInstance, R1csShape, RunningInstance, Witness};
use crate::step::StepCircuit;
use crate::{mle, Error, Fq, Fr, GrumpkinAffine, G1};

const PARAMS_HEADER: [u8; 8] = *b"CRSIVP01";
const PROOF_HEADER: [u8; 8] = *b"CRSIVC01";
/// Seed of the development commitment key.
pub const DEV_KEY_SEED: &[u8] = b"crease development key (insecure)";
const CF_KEY_LABEL: &[u8] = b"crease/cyclefold/pedersen";

/// Public parameters of an IVC for one step circuit.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct IvcParams {
    shape: R1csShape,
    cf_shape: R1csShape<Fq>,
    key: PowersOfTauKey,
    cf_key: PedersenKey,
    arity: u64,
    num_constants: u64,
    digest: Fr,
}

fn dummy_inputs<'a>(
    big_u: &'a RunningInstance,
    u: &'a FreshInstance,
    proof: &'a FoldProof,
    cf_u: &'a CfInstance,
    consts: &'a [Fr],
    z: &'a [Fr],
) -> StepInputs<'a> {
    StepInputs {
        pp: Fr::ZERO,
        i: 0,
        constants: consts,
        z0: z,
        zi: z,
        w1_hash: w1_hash_init(),
        big_u,
        u,
        proof,
        next_cw: [G1::default(); 2],
        cf_u,
        cf_cm_w_new: GrumpkinAffine::default(),
        cf_cm_t: GrumpkinAffine::default(),
    }
}

fn zero_fresh() -> FreshInstance {
    FreshInstance {
        cw1: G1::default(),
        cw2: G1::default(),
        x: vec![Fr::ZERO],
    }
}

/// Synthesizes the primary circuit with a given error-MLE size; returns the shape.
fn primary_shape<C: StepCircuit>(
    circuit: &C,
    cf_shape: &R1csShape<Fq>,
    n_vars: usize,
) -> Result<R1csShape, Error> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let ext = circuit.dummy_external_witness();
    let w1 = circuit.generate_w1(ConstraintSystem::<Fr>::new_ref(), &ext)?;
    let num_w1 = w1.len();
    let consts = vec![Fr::ZERO; circuit.num_constants()];
    let z = vec![Fr::ZERO; circuit.arity()];
    let mut big_u = RunningInstance {
        cw1: G1::default(),
        cw2: G1::default(),
        x: vec![Fr::ZERO],
        u: Fr::ZERO,
        r_e: vec![Fr::ZERO; n_vars],
        v_e: Fr::ZERO,
    };
    big_u.r_e.truncate(n_vars);
    let proof = FoldProof {
        h: vec![Fr::ZERO; n_vars],
        t: Fr::ZERO,
    };
    let cf_u = CfInstance::zero(cf_shape);
    let u = zero_fresh();
    let inp = dummy_inputs(&big_u, &u, &proof, &cf_u, &consts, &z);
    augmented::synthesize(cs.clone(), circuit, &ext, &inp, n_vars)?;
    R1csShape::from_cs(&cs, num_w1)
}

impl IvcParams {
    /// Parameters with the development key (never use it in production).
    pub fn setup<C: StepCircuit>(circuit: &C) -> Result<Self, Error> {
        Self::setup_inner(circuit, None)
    }

    /// Parameters with a given BN254 key (for example a ceremony's), which must be long
    /// enough for both witness parts.
    pub fn setup_with_key<C: StepCircuit>(circuit: &C, key: PowersOfTauKey) -> Result<Self, Error> {
        Self::setup_inner(circuit, Some(key))
    }

    fn setup_inner<C: StepCircuit>(
        circuit: &C,
        key: Option<PowersOfTauKey>,
    ) -> Result<Self, Error> {
        let cf_shape = cyclefold::shape()?;
        // The circuit's size depends on the number of error-MLE variables and vice versa:
        // iterate to the fixed point (two or three rounds).
        let mut n_vars = 1;
        let mut shape = primary_shape(circuit, &cf_shape, n_vars)?;
        for _ in 0..8 {
            if shape.num_vars() == n_vars {
                break;
            }
            n_vars = shape.num_vars();
            shape = primary_shape(circuit, &cf_shape, n_vars)?;
        }
        if shape.num_vars() != n_vars {
            return Err(Error::ShapeMismatch {
                what: "error-MLE variables",
                expected: n_vars,
                got: shape.num_vars(),
            });
        }
        let need = shape.num_w1.max(shape.num_w2);
        let key = match key {
            Some(k) => {
                k.bases_for(need)?;
                k
            }
            None => PowersOfTauKey::from_seed(DEV_KEY_SEED, need),
        };
        let cf_key = PedersenKey::new(CF_KEY_LABEL, cf_shape.num_constraints.max(cf_shape.num_w2));
        let mut params = Self {
            shape,
            cf_shape,
            key,
            cf_key,
            arity: circuit.arity() as u64,
            num_constants: circuit.num_constants() as u64,
            digest: Fr::ZERO,
        };
        params.digest = params.compute_digest()?;
        Ok(params)
    }

    fn compute_digest(&self) -> Result<Fr, Error> {
        let mut h = Sha256::new();
        let mut bytes = Vec::new();
        self.shape.serialize_compressed(&mut bytes)?;
        self.cf_shape.serialize_compressed(&mut bytes)?;
        self.key.serialize_compressed(&mut bytes)?;
        self.cf_key.serialize_compressed(&mut bytes)?;
        self.arity.serialize_compressed(&mut bytes)?;
        self.num_constants.serialize_compressed(&mut bytes)?;
        h.update(&bytes);
        Ok(Fr::from_le_bytes_mod_order(&h.finalize()))
    }

    /// The digest of the parameters (absorbed into every state hash).
    pub fn digest(&self) -> Fr {
        self.digest
    }

    /// The primary shape (augmented circuit with the step circuit).
    pub fn shape(&self) -> &R1csShape {
        &self.shape
    }

    /// The CycleFold shape.
    pub fn cf_shape(&self) -> &R1csShape<Fq> {
        &self.cf_shape
    }

    /// The BN254 commitment key.
    pub fn key(&self) -> &PowersOfTauKey {
        &self.key
    }

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

    /// Writes the parameters with a versioned header.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = PARAMS_HEADER.to_vec();
        self.serialize_compressed(&mut out)?;
        Ok(out)
    }

    /// Reads parameters written by [`Self::to_bytes`]; recomputes and checks the digest.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let body = check_header(bytes, PARAMS_HEADER)?;
        let p = Self::deserialize_with_mode(body, Compress::Yes, Validate::Yes)?;
        p.shape.validate()?;
        p.cf_shape.validate()?;
        if p.shape.num_w1.max(p.shape.num_w2) > p.key.max_len()
            || p.cf_shape.num_constraints.max(p.cf_shape.num_w2) > p.cf_key.max_len()
        {
            return Err(Error::IvcVerification(
                "commitment key shorter than the shape",
            ));
        }
        if p.compute_digest()? != p.digest {
            return Err(Error::IvcVerification("parameter digest mismatch"));
        }
        Ok(p)
    }
}

fn check_header(bytes: &[u8], expected: [u8; 8]) -> Result<&[u8], Error> {
    let mut got = [0u8; 8];
    let n = bytes.len().min(8);
    got[..n].copy_from_slice(&bytes[..n]);
    if n < 8 || got != expected {
        return Err(Error::BadHeader { expected, got });
    }
    Ok(&bytes[8..])
}

/// The running hash of `W1` commitments in order (pass 1 computes it from its commitments;
/// it equals [`IvcProof::w1_hash`] of an honest run).
pub fn w1_hash_chain(commitments: &[G1]) -> Fr {
    commitments.iter().fold(w1_hash_init(), w1_hash_step)
}

/// An IVC proof after `i` steps: the accumulators, the last fresh instance and their
/// witnesses (Nova's uncompressed proof; the decider compresses it).
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct IvcProof {
    i: u64,
    constants: Vec<Fr>,
    z0: Vec<Fr>,
    zi: Vec<Fr>,
    w1_hash: Fr,
    big_u: RunningInstance,
    big_w: Witness,
    u: FreshInstance,
    w: Witness,
    cf_u: CfInstance,
    cf_w: CfWitness,
}

impl IvcProof {
    /// Number of steps proven.
    pub fn steps(&self) -> u64 {
        self.i
    }

    /// The run's public constants (the caller checks how they were derived).
    pub fn constants(&self) -> &[Fr] {
        &self.constants
    }

    /// The running hash of every step's `W1` commitment, in order.
    pub fn w1_hash(&self) -> Fr {
        w1_hash_step(self.w1_hash, &self.u.cw1)
    }

    /// The running primary instance.
    pub fn running_instance(&self) -> &RunningInstance {
        &self.big_u
    }

    /// The running CycleFold instance.
    pub fn cyclefold_instance(&self) -> &CfInstance {
        &self.cf_u
    }

    /// The last fresh instance.
    pub fn fresh_instance(&self) -> &FreshInstance {
        &self.u
    }

    /// The last fresh witness `(W1, W2)`.
    pub fn fresh_witness(&self) -> (&[Fr], &[Fr]) {
        (&self.w.w1, &self.w.w2)
    }

    /// Serializes the proof with a versioned header.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = PROOF_HEADER.to_vec();
        self.serialize_compressed(&mut out)?;
        Ok(out)
    }

    /// Reads a proof written by [`Self::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let body = check_header(bytes, PROOF_HEADER)?;
        let mut reader = body;
        let p = Self::deserialize_with_mode(&mut reader, Compress::Yes, Validate::Yes)?;
        if !reader.is_empty() {
            return Err(Error::IvcVerification("trailing bytes after the proof"));
        }
        Ok(p)
    }
}

/// The prover of one IVC run.
pub struct IvcProver<'p, C: StepCircuit> {
    params: &'p IvcParams,
    circuit: C,
    state: IvcProof,
    big_w: RunningWitness,
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
        let state = IvcProof {
            i: 0,
            constants,
            zi: z0.clone(),
            z0,
            w1_hash: w1_hash_init(),
            big_u: RunningInstance::zero(shape),
            big_w: Witness::zero(shape),
            u: zero_fresh(),
            w: Witness::zero(shape),
            cf_u: CfInstance::zero(&params.cf_shape),
            cf_w: CfWitness::zero(&params.cf_shape),
        };
        Ok(Self {
            params,
            circuit,
            state,
            big_w: RunningWitness::zero(shape),
        })
    }

    /// The current state `z_i`.
    pub fn z(&self) -> &[Fr] {
        &self.state.zi
    }

    /// The proof of the steps so far (meaningful after at least one step).
    pub fn proof(&self) -> IvcProof {
        let mut p = self.state.clone();
        p.big_w = self.big_w.w.clone();
        p
    }

    /// Proves one more step with external witness `ext`.
    pub fn prove_step(&mut self, ext: &C::ExternalWitness) -> Result<(), Error> {
        self.prove_step_with_w1(ext, None)
    }

    /// Proves one more step reusing this step's `W1` commitment from pass 1
    /// ([`IvcParams::commit_w1`]), which saves recomputing its MSM. A wrong commitment gives
    /// a proof that does not verify.
    pub fn prove_step_with_w1(
        &mut self,
        ext: &C::ExternalWitness,
        cw1: Option<G1>,
    ) -> Result<(), Error> {
        let params = self.params;
        let shape = &params.shape;
        let s = &self.state;
        let n_vars = shape.num_vars();
        let base = s.i == 0;
        let dummy_proof = FoldProof {
            h: vec![Fr::ZERO; n_vars],
            t: Fr::ZERO,
        };
        // Fold U_i with u_i (natively), then its CycleFold instance.
        let (next_u, next_w, proof, next_cf_u, next_cf_w, cf_msg, next_w1) = if base {
            (
                RunningInstance::zero(shape),
                RunningWitness::zero(shape),
                dummy_proof,
                CfInstance::zero(&params.cf_shape),
                CfWitness::zero(&params.cf_shape),
                None,
                s.w1_hash,
            )
        } else {
            let mut tr = Transcript::new(augmented::FOLD_LABEL);
            tr.absorb(&s.u.x[0]);
            tr.absorb_g1(&s.u.cw1);
            tr.absorb_g1(&s.u.cw2);
            let (nu, nw, proof, ch) =
                mova::prove(shape, &mut tr, &s.big_u, &self.big_w, &s.u, &s.w)?;
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
            let (_, rho) = tr.short_challenge();
            let (cfu, cfw) = cyclefold::fold(&s.cf_u, &s.cf_w, &msg, fr_to_fq(&rho));
            (
                nu,
                nw,
                proof,
                cfu,
                cfw,
                Some(msg),
                w1_hash_step(s.w1_hash, &s.u.cw1),
            )
        };
        let inp = StepInputs {
            pp: params.digest,
            i: s.i,
            constants: &s.constants,
            z0: &s.z0,
            zi: &s.zi,
            w1_hash: s.w1_hash,
            big_u: &s.big_u,
            u: &s.u,
            proof: &proof,
            next_cw: [next_u.cw1, next_u.cw2],
            cf_u: &s.cf_u,
            cf_cm_w_new: cf_msg.as_ref().map(|m| m.cm_w_new).unwrap_or_default(),
            cf_cm_t: cf_msg.as_ref().map(|m| m.cm_t).unwrap_or_default(),
        };
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(SynthesisMode::Prove {
            construct_matrices: false,
            generate_lc_assignments: false,
        });
        let z_next = augmented::synthesize(cs.clone(), &self.circuit, ext, &inp, n_vars)?;
        let (x, w) = assignment(&cs, shape)?;
        let z_next: Vec<Fr> = z_next
            .iter()
            .map(ark_r1cs_std::GR1CSVar::value)
            .collect::<Result<_, _>>()?;
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
        if x != [expected] {
            return Err(Error::IvcVerification(
                "circuit output differs from the native state hash",
            ));
        }
        let u = match cw1 {
            Some(cw1) => FreshInstance {
                cw1,
                cw2: params.key.commit(&w.w2)?,
                x,
            },
            None => FreshInstance::commit(&params.key, x, &w)?,
        };
        self.state.i += 1;
        self.state.zi = z_next;
        self.state.w1_hash = next_w1;
        self.state.big_u = next_u;
        self.state.u = u;
        self.state.w = w;
        self.state.cf_u = next_cf_u;
        self.state.cf_w = next_cf_w;
        self.big_w = next_w;
        Ok(())
    }
}

fn assignment(
    cs: &ConstraintSystemRef<Fr>,
    shape: &R1csShape,
) -> Result<(Vec<Fr>, Witness), Error> {
    let x = cs.instance_assignment()?[1..].to_vec();
    let w = cs.witness_assignment()?;
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

/// Verifies that `proof` shows `steps` steps from `z0` to `zn`.
pub fn verify(
    params: &IvcParams,
    steps: u64,
    z0: &[Fr],
    zn: &[Fr],
    proof: &IvcProof,
) -> Result<(), Error> {
    // Below 2^59 folds the CycleFold scalars stay small integers (docs/FOLDING.md §4.2).
    if steps == 0 || steps >= 1 << 59 || proof.i != steps {
        return Err(Error::IvcVerification("wrong number of steps"));
    }
    if proof.z0 != z0 || proof.zi != zn {
        return Err(Error::IvcVerification("states differ from the proof's"));
    }
    for (what, expected, got) in [
        ("z0", params.arity as usize, z0.len()),
        (
            "constants",
            params.num_constants as usize,
            proof.constants.len(),
        ),
        (
            "r_E",
            mle::num_vars(params.shape.num_constraints),
            proof.big_u.r_e.len(),
        ),
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
    params.shape.check_fresh(&params.key, &proof.u, &proof.w)?;
    params
        .shape
        .check_running(&params.key, &proof.big_u, &proof.big_w)?;
    cyclefold::check(&params.cf_shape, &params.cf_key, &proof.cf_u, &proof.cf_w)
}

#[cfg(test)]
#[path = "ivc_tests.rs"]
mod tests;
