//! Synthetic circuits for the crate's tests and benches.

use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef, SynthesisError};

use crate::r1cs::{R1csShape, Witness};
use crate::step::StepCircuit;
use crate::{Error, Fr};

/// A step circuit of about `size` constraints: `W1` holds `size` values below `2^bits`
/// (bits ≤ 64), the state is `(acc, sum)`, and each step computes
/// `acc ← Π (acc + w_k + γ)` over its values and `sum ← sum + Σ w_k`, where `γ` is the
/// run's public constant. `W2` holds the running products.
#[derive(Clone, Debug)]
pub struct ProductCircuit {
    /// Values per step.
    pub size: usize,
    /// Bit width of each value.
    pub bits: u32,
}

impl StepCircuit for ProductCircuit {
    type ExternalWitness = Vec<Fr>;

    fn arity(&self) -> usize {
        2
    }

    fn num_constants(&self) -> usize {
        1
    }

    fn dummy_external_witness(&self) -> Vec<Fr> {
        vec![Fr::from(0u64); self.size]
    }

    fn generate_w1(
        &self,
        cs: ConstraintSystemRef<Fr>,
        ext: &Vec<Fr>,
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        if ext.len() != self.size {
            return Err(SynthesisError::AssignmentMissing);
        }
        ext.iter()
            .map(|v| FpVar::new_witness(cs.clone(), || Ok(*v)))
            .collect()
    }

    fn generate_step_constraints(
        &self,
        _cs: ConstraintSystemRef<Fr>,
        constants: &[FpVar<Fr>],
        z: &[FpVar<Fr>],
        w1: &[FpVar<Fr>],
        _ext: &Vec<Fr>,
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        let gamma = &constants[0];
        let mut acc = z[0].clone();
        for w in w1 {
            acc *= w + gamma;
        }
        let sum: FpVar<Fr> = w1.iter().sum();
        Ok(vec![acc, &z[1] + sum])
    }
}

/// Random values below `2^bits` from a seed.
pub fn values(seed: u64, n: usize, bits: u32) -> Vec<Fr> {
    use ark_std::rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let v: u64 = rng.gen();
            let v = if bits >= 64 {
                v
            } else {
                v & ((1u64 << bits) - 1)
            };
            Fr::from(v)
        })
        .collect()
}

/// Synthesizes one step of `circuit` as a standalone R1CS: public inputs `(γ, z_in, z_out)`,
/// `W1` the circuit's values, `W2` the rest. Returns the shape, `x` and the witness.
pub fn standalone(
    circuit: &ProductCircuit,
    gamma: Fr,
    z: &[Fr],
    ext: &Vec<Fr>,
) -> Result<(R1csShape, Vec<Fr>, Witness), Error> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let w1 = circuit.generate_w1(cs.clone(), ext)?;
    let num_w1 = cs.num_witness_variables();
    let g = FpVar::new_input(cs.clone(), || Ok(gamma))?;
    let zin: Vec<FpVar<Fr>> = z
        .iter()
        .map(|v| FpVar::new_input(cs.clone(), || Ok(*v)))
        .collect::<Result<_, _>>()?;
    let out = circuit.generate_step_constraints(cs.clone(), &[g], &zin, &w1, ext)?;
    for o in &out {
        let pub_o = FpVar::new_input(cs.clone(), || o.value())?;
        o.enforce_equal(&pub_o)?;
    }
    let shape = R1csShape::from_cs(&cs, num_w1)?;
    let x = cs.instance_assignment()?[1..].to_vec();
    let w = cs.witness_assignment()?;
    let witness = Witness {
        w1: w[..num_w1].to_vec(),
        w2: w[num_w1..].to_vec(),
    };
    Ok((shape, x, witness))
}

/// [`ProductCircuit`] with a switch that makes one step's witness wrong: when the external
/// witness's flag is set, the step allocates `Σ w + 1` and enforces it equal to `Σ w`.
#[derive(Clone, Debug)]
pub struct FlakyCircuit(pub ProductCircuit);

impl StepCircuit for FlakyCircuit {
    type ExternalWitness = (Vec<Fr>, bool);

    fn arity(&self) -> usize {
        2
    }

    fn num_constants(&self) -> usize {
        1
    }

    fn dummy_external_witness(&self) -> (Vec<Fr>, bool) {
        (self.0.dummy_external_witness(), false)
    }

    fn generate_w1(
        &self,
        cs: ConstraintSystemRef<Fr>,
        ext: &(Vec<Fr>, bool),
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        self.0.generate_w1(cs, &ext.0)
    }

    fn generate_step_constraints(
        &self,
        cs: ConstraintSystemRef<Fr>,
        constants: &[FpVar<Fr>],
        z: &[FpVar<Fr>],
        w1: &[FpVar<Fr>],
        ext: &(Vec<Fr>, bool),
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        let out = self
            .0
            .generate_step_constraints(cs.clone(), constants, z, w1, &ext.0)?;
        let s: Fr = ext.0.iter().sum();
        let lie = if ext.1 {
            Fr::from(1u64)
        } else {
            Fr::from(0u64)
        };
        let claimed = FpVar::new_witness(cs, || Ok(s + lie))?;
        let mut sum = FpVar::Constant(Fr::from(0u64));
        for w in w1 {
            sum += w;
        }
        claimed.enforce_equal(&sum)?;
        Ok(out)
    }
}

/// Where the factors of a [`MulCircuit`] come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Factors {
    /// Two fresh 16-bit factors per product: three small witness values per constraint.
    Small,
    /// Two fresh full-size factors per product.
    Full,
    /// 16-bit factors `a_i, b_j` on the sides of a `K × K` grid (`K = ⌈√size⌉`), products
    /// `a_i·b_j` read row by row: about one small (32-bit) witness value per constraint.
    Grid,
}

/// A step of `size` multiplications `a·b = c` whose factors are chosen by `factors`. `W1`
/// holds the factors, `W2` the products; the state is the sum of the products.
#[derive(Clone, Debug)]
pub struct MulCircuit {
    /// Multiplications per step.
    pub size: usize,
    /// Where the factors come from.
    pub factors: Factors,
}

impl MulCircuit {
    /// The side of the grid of [`Factors::Grid`].
    fn side(&self) -> usize {
        let mut k = (self.size as f64).sqrt() as usize;
        while k * k < self.size {
            k += 1;
        }
        k
    }

    /// The number of factors per step (the length of `W1`).
    pub fn num_factors(&self) -> usize {
        match self.factors {
            Factors::Small | Factors::Full => 2 * self.size,
            Factors::Grid => 2 * self.side(),
        }
    }

    /// The external witness of step `i`.
    pub fn witness(&self, i: u64) -> Vec<Fr> {
        if self.factors == Factors::Full {
            use ark_ff::UniformRand;
            use ark_std::rand::SeedableRng;
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(i);
            (0..self.num_factors())
                .map(|_| Fr::rand(&mut rng))
                .collect()
        } else {
            values(i, self.num_factors(), 16)
        }
    }
}

impl StepCircuit for MulCircuit {
    type ExternalWitness = Vec<Fr>;

    fn arity(&self) -> usize {
        1
    }

    fn num_constants(&self) -> usize {
        0
    }

    fn dummy_external_witness(&self) -> Vec<Fr> {
        vec![Fr::from(0u64); self.num_factors()]
    }

    fn generate_w1(
        &self,
        cs: ConstraintSystemRef<Fr>,
        ext: &Vec<Fr>,
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        if ext.len() != self.num_factors() {
            return Err(SynthesisError::AssignmentMissing);
        }
        ext.iter()
            .map(|v| FpVar::new_witness(cs.clone(), || Ok(*v)))
            .collect()
    }

    fn generate_step_constraints(
        &self,
        _cs: ConstraintSystemRef<Fr>,
        _constants: &[FpVar<Fr>],
        z: &[FpVar<Fr>],
        w1: &[FpVar<Fr>],
        _ext: &Vec<Fr>,
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        let products: Vec<FpVar<Fr>> = match self.factors {
            Factors::Small | Factors::Full => w1.chunks(2).map(|p| &p[0] * &p[1]).collect(),
            Factors::Grid => {
                let (a, b) = w1.split_at(self.side());
                (0..self.size)
                    .map(|k| &a[k % a.len()] * &b[k / a.len()])
                    .collect()
            }
        };
        // One linear combination for the sum: a chain of `+=` would nest combinations
        // whose inlining is quadratic.
        let sum: FpVar<Fr> = products.iter().sum();
        Ok(vec![&z[0] + sum])
    }
}
