//! A short run shown step by step instead of folded: each step's witness of the step
//! circuit alone, which the verifier checks constraint by constraint (docs/FOLDING.md §9).
//!
//! Folding pays for itself over many steps; over a few, the augmented circuit, the
//! CycleFold steps and the commitments to their witnesses cost more than the steps
//! themselves. A [`DirectProof`] carries every step's whole witness (`W1` first, then the
//! rest) and its output state. The verifier commits to each step's `W1` with the same key
//! bases as [`crate::IvcParams::commit_w1`], so the steps' running `W1` hash equals the one
//! an IVC run of the same steps exposes, and checks `Az ∘ Bz = Cz` exactly (`u = 1`, no
//! error term) for the public input `constants ‖ z_in ‖ z_out`, from `z_0 = 0` to the claimed
//! final state. Nothing is folded, so nothing depends on folding's soundness; the price is a
//! proof that grows with the steps and a verifier that does the steps' work.

use ark_ff::AdditiveGroup;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisMode};
use rayon::prelude::*;

use crate::augmented::{w1_hash_init, w1_hash_step};
use crate::commitment::{CommitmentKey, PowersOfTauKey};
use crate::encode::{ByteReader, ByteWriter};
use crate::r1cs::{FreshInstance, R1csShape, Witness};
use crate::step::StepCircuit;
use crate::{Error, Fr, G1};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};

/// The step circuit alone as an R1CS: public input `constants ‖ z_in ‖ z_out`, witness
/// `W1` (the step's [`StepCircuit::generate_w1`] variables, first) and the rest.
#[derive(Clone, Debug)]
pub struct DirectShape {
    shape: R1csShape,
    arity: usize,
    num_constants: usize,
}

impl DirectShape {
    /// Synthesizes `circuit`'s step with a dummy external witness (the shape does not
    /// depend on it).
    pub fn synthesize<C: StepCircuit>(circuit: &C) -> Result<Self, Error> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let consts = vec![Fr::ZERO; circuit.num_constants()];
        let z = vec![Fr::ZERO; circuit.arity()];
        let num_w1 = synthesize(
            cs.clone(),
            circuit,
            &circuit.dummy_external_witness(),
            &consts,
            &z,
        )?
        .1;
        Ok(DirectShape {
            shape: R1csShape::from_cs(&cs, num_w1)?,
            arity: circuit.arity(),
            num_constants: circuit.num_constants(),
        })
    }

    /// The step's R1CS (public input `constants ‖ z_in ‖ z_out`).
    pub fn shape(&self) -> &R1csShape {
        &self.shape
    }

    /// The shape's constraints.
    pub fn num_constraints(&self) -> usize {
        self.shape.num_constraints
    }
}

/// Allocates the public input, `W1` and the step; returns the output state's values and
/// the length of `W1`.
fn synthesize<C: StepCircuit>(
    cs: ConstraintSystemRef<Fr>,
    circuit: &C,
    ext: &C::ExternalWitness,
    constants: &[Fr],
    z_in: &[Fr],
) -> Result<(Vec<Fr>, usize), Error> {
    let inputs = |v: &[Fr]| -> Result<Vec<FpVar<Fr>>, Error> {
        v.iter()
            .map(|x| Ok(FpVar::new_input(cs.clone(), || Ok(*x))?))
            .collect()
    };
    let consts = inputs(constants)?;
    let z = inputs(z_in)?;
    // The output state is public too. Its values are known only after the step: the prover
    // allocates placeholders (only its witness is kept, which does not depend on them) and
    // reads the state from the step's outputs; the verifier puts the claimed state there.
    let out_slots: Vec<FpVar<Fr>> = (0..circuit.arity())
        .map(|_| FpVar::new_input(cs.clone(), || Ok(Fr::ZERO)))
        .collect::<Result<_, _>>()?;
    let before = cs.num_witness_variables();
    let w1 = circuit.generate_w1(cs.clone(), ext)?;
    let num_w1 = cs.num_witness_variables() - before;
    if before != 0 || num_w1 != w1.len() {
        return Err(Error::ShapeMismatch {
            what: "W1 (the step's first witness variables)",
            expected: w1.len(),
            got: num_w1,
        });
    }
    let out = circuit.generate_step_constraints(cs.clone(), &consts, &z, &w1, ext)?;
    if out.len() != circuit.arity() {
        return Err(Error::ShapeMismatch {
            what: "output state",
            expected: circuit.arity(),
            got: out.len(),
        });
    }
    for (o, slot) in out.iter().zip(&out_slots) {
        o.enforce_equal(slot)?;
    }
    let values = if cs.is_in_setup_mode() {
        vec![Fr::ZERO; out.len()]
    } else {
        out.iter().map(|o| o.value()).collect::<Result<_, _>>()?
    };
    Ok((values, num_w1))
}

/// One step shown directly: its output state and its whole witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectStep {
    /// `z_out`.
    pub z: Vec<Fr>,
    /// `W1`, then the rest of the step's witness.
    pub w: Witness,
}

/// A step shown by its commitments, as a compressed proof carries a chain shown directly:
/// `z_out` and the commitments to `W1` and to the rest of the witness.
#[derive(Clone, Debug, PartialEq, Eq, CanonicalSerialize, CanonicalDeserialize)]
pub struct CommittedStep {
    /// `z_out`.
    pub z: Vec<Fr>,
    /// Commitment to `W1`.
    pub cw1: G1,
    /// Commitment to the rest.
    pub cw2: G1,
}

/// The running hash of committed steps' `W1` commitments: [`DirectProof::w1_hash`] of the
/// steps they commit.
pub fn committed_w1_hash(steps: &[CommittedStep]) -> Fr {
    steps
        .iter()
        .fold(w1_hash_init(), |h, s| w1_hash_step(h, &s.cw1))
}

/// The fresh instances of committed steps under `constants`, from `z_0 = 0`, each step's
/// input the previous one's output; the last must end in `z`. Each instance, satisfied,
/// is a step of the chain (the decider shows them satisfied).
pub fn committed_instances(
    shape: &DirectShape,
    steps: &[CommittedStep],
    constants: &[Fr],
    z: &[Fr],
) -> Result<Vec<FreshInstance>, Error> {
    let arity = shape.arity;
    if steps.is_empty() || constants.len() != shape.num_constants || z.len() != arity {
        return Err(Error::IvcVerification(
            "committed steps do not fit the chain",
        ));
    }
    if steps.iter().any(|s| s.z.len() != arity) || steps[steps.len() - 1].z != z {
        return Err(Error::IvcVerification("states differ from the proof's"));
    }
    let zero = vec![Fr::ZERO; arity];
    Ok(steps
        .iter()
        .enumerate()
        .map(|(j, s)| {
            let z_in = if j == 0 { &zero } else { &steps[j - 1].z };
            let mut x = constants.to_vec();
            x.extend_from_slice(z_in);
            x.extend_from_slice(&s.z);
            FreshInstance {
                cw1: s.cw1,
                cw2: s.cw2,
                x,
            }
        })
        .collect())
}

/// Steps shown directly, in order from `z_0 = 0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectProof {
    steps: Vec<DirectStep>,
}

/// The witness of one step from `z_in` (the prover's side: no shape needed).
pub fn prove_step<C: StepCircuit>(
    circuit: &C,
    ext: &C::ExternalWitness,
    constants: &[Fr],
    z_in: &[Fr],
) -> Result<DirectStep, Error> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: false,
        generate_lc_assignments: false,
    });
    let (z, num_w1) = synthesize(cs.clone(), circuit, ext, constants, z_in)?;
    let mut w1 = cs.witness_assignment()?;
    let w2 = w1.split_off(num_w1);
    Ok(DirectStep {
        z,
        w: Witness { w1, w2 },
    })
}

impl DirectProof {
    /// The steps, in order.
    pub fn new(steps: Vec<DirectStep>) -> Self {
        DirectProof { steps }
    }

    /// Number of steps.
    pub fn steps(&self) -> u64 {
        self.steps.len() as u64
    }

    /// The final state (empty for no steps).
    pub fn z(&self) -> &[Fr] {
        self.steps.last().map_or(&[], |s| &s.z)
    }

    /// The steps' witnesses, in order.
    pub fn witnesses(&self) -> impl Iterator<Item = &Witness> {
        self.steps.iter().map(|s| &s.w)
    }

    /// The steps by their commitments under `key` ([`CommittedStep`]).
    pub fn commit(&self, key: &PowersOfTauKey) -> Result<Vec<CommittedStep>, Error> {
        self.steps
            .par_iter()
            .map(|s| {
                Ok(CommittedStep {
                    z: s.z.clone(),
                    cw1: key.commit(&s.w.w1)?,
                    cw2: key.commit(&s.w.w2)?,
                })
            })
            .collect()
    }

    /// Test hook: mutable access to the steps.
    #[doc(hidden)]
    pub fn steps_mut(&mut self) -> &mut Vec<DirectStep> {
        &mut self.steps
    }

    /// The running hash of the steps' `W1` commitments, under `key` (the caller binds it
    /// to the challenges as it binds an IVC run's [`crate::IvcProof::w1_hash`]).
    pub fn w1_hash(&self, key: &PowersOfTauKey) -> Result<Fr, Error> {
        let commitments = self
            .steps
            .par_iter()
            .map(|s| key.commit(&s.w.w1))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(commitments.iter().fold(w1_hash_init(), w1_hash_step))
    }

    /// Checks every step's constraints from `z_0 = 0` under `constants`, each step's input
    /// state the previous one's output, and that the last one ends in `z`.
    pub fn check(&self, shape: &DirectShape, constants: &[Fr], z: &[Fr]) -> Result<(), Error> {
        let (arity, s) = (shape.arity, &shape.shape);
        if self.steps.is_empty() {
            return Err(Error::IvcVerification("no steps"));
        }
        if constants.len() != shape.num_constants || z.len() != arity {
            return Err(Error::WrongLength {
                what: "constants or state",
                expected: shape.num_constants + arity,
                got: constants.len() + z.len(),
            });
        }
        if self.z() != z {
            return Err(Error::IvcVerification("states differ from the proof's"));
        }
        let zero = vec![Fr::ZERO; arity];
        (0..self.steps.len()).into_par_iter().try_for_each(|j| {
            let step = &self.steps[j];
            let z_in = if j == 0 { &zero } else { &self.steps[j - 1].z };
            if step.z.len() != arity {
                return Err(Error::WrongLength {
                    what: "state",
                    expected: arity,
                    got: step.z.len(),
                });
            }
            let mut x = constants.to_vec();
            x.extend_from_slice(z_in);
            x.extend_from_slice(&step.z);
            s.check_exact(&x, &step.w)
        })
    }

    /// The compact encoding (see [`crate::encode`]).
    pub(crate) fn encode(&self) -> Result<Vec<u8>, Error> {
        let mut w = ByteWriter::default();
        w.varint(self.steps.len() as u64);
        for s in &self.steps {
            w.scalars(&s.z);
            w.scalars(&s.w.w1);
            w.scalars(&s.w.w2);
        }
        Ok(w.out)
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = ByteReader::new(bytes);
        // Each step takes at least three bytes.
        let n = r.count(3)?;
        let steps = (0..n)
            .map(|_| {
                Ok(DirectStep {
                    z: r.scalars()?,
                    w: Witness {
                        w1: r.scalars()?,
                        w2: r.scalars()?,
                    },
                })
            })
            .collect::<Result<_, Error>>()?;
        r.finish()?;
        Ok(DirectProof { steps })
    }
}

crate::encode::compact_canonical!(DirectProof);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ivc::{w1_hash_chain, IvcParams, IvcProver};
    use crate::testing::{values, ProductCircuit};
    use crate::G1;

    use ark_ff::Field;

    fn circuit() -> ProductCircuit {
        ProductCircuit { size: 40, bits: 16 }
    }

    fn shown(steps: usize, constant: Fr) -> DirectProof {
        let c = circuit();
        let mut z = vec![Fr::ZERO; 2];
        let steps = (0..steps as u64)
            .map(|i| {
                let s = prove_step(&c, &values(i, c.size, c.bits), &[constant], &z).unwrap();
                z.clone_from(&s.z);
                s
            })
            .collect();
        DirectProof::new(steps)
    }

    /// The steps shown directly end in the state an IVC run of the same steps ends in, and
    /// their `W1` hash is that run's: a chain's binding to the challenges does not depend
    /// on how it is proven.
    #[test]
    fn shown_steps_match_an_ivc_run_of_the_same_steps() {
        let c = circuit();
        let params = IvcParams::setup(&c).unwrap();
        let gamma = Fr::from(7u64);
        let mut p = IvcProver::new(&params, c.clone(), vec![Fr::ZERO; 2], vec![gamma]).unwrap();
        let cms: Vec<G1> = (0..3)
            .map(|i| {
                let ext = values(i, c.size, c.bits);
                p.prove_step(&ext).unwrap();
                params.commit_w1(&c, &ext).unwrap()
            })
            .collect();
        let proof = shown(3, gamma);
        assert_eq!(proof.z(), p.z());
        let key = params.shared().key();
        assert_eq!(proof.w1_hash(key).unwrap(), w1_hash_chain(&cms));
        assert_eq!(proof.w1_hash(key).unwrap(), p.proof().unwrap().w1_hash());
        let shape = DirectShape::synthesize(&c).unwrap();
        proof.check(&shape, &[gamma], p.z()).unwrap();
        let back = DirectProof::decode(&proof.encode().unwrap()).unwrap();
        assert_eq!(back, proof);
    }

    #[test]
    fn a_wrong_constant_state_or_witness_is_rejected() {
        let c = circuit();
        let shape = DirectShape::synthesize(&c).unwrap();
        let gamma = Fr::from(7u64);
        let proof = shown(2, gamma);
        let z = proof.z().to_vec();
        proof.check(&shape, &[gamma], &z).unwrap();
        // (The product stays 0 from z_0 = 0 whatever γ: the constant's length is checked.)
        assert!(proof.check(&shape, &[gamma, gamma], &z).is_err());
        let mut other = z.clone();
        other[1] += Fr::ONE;
        assert!(proof.check(&shape, &[gamma], &other).is_err());
        assert!(proof.check(&shape, &[gamma], &z[..1]).is_err());
        for edit in [
            |p: &mut DirectProof| p.steps[0].w.w1[3] += Fr::ONE,
            |p: &mut DirectProof| p.steps[1].w.w2[0] += Fr::ONE,
            |p: &mut DirectProof| p.steps[0].z[0] += Fr::ONE,
            |p: &mut DirectProof| p.steps[1].w.w1.push(Fr::ZERO),
            |p: &mut DirectProof| p.steps.clear(),
        ] {
            let mut bad = proof.clone();
            edit(&mut bad);
            let z = bad.z().to_vec();
            let z = if z.is_empty() { proof.z().to_vec() } else { z };
            assert!(bad.check(&shape, &[gamma], &z).is_err());
        }
        assert!(DirectProof::decode(&[5]).is_err());
    }
}
