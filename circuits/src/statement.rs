//! The prover's and verifier's native pieces around the chains: records from a trace,
//! lookups for multiplicities, and the verifier's side of the memory and output sums.

use ark_ff::Field;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystem, SynthesisMode};
use crease_folding::step::StepCircuit;
use crease_nvm::layout::{MAX_IO_LEN, PUBLIC_OUTPUT};
use crease_nvm::{Program, Trace};

use crate::pack::{mem_tuple, space, HALTED, TS_PER_STEP};
use crate::scan::{output_payload, verifier_init, MemoryMap, ScanChain, ScanWitness};
use crate::{Batch, BatchWitness, Error, ExecRecord, Fr, InstructionCircuit, Term};

/// The records of a run grouped by ISA index (`result[i]`: the executions of entry `i`, in
/// execution order).
pub fn records_by_circuit(program: &Program, trace: &Trace) -> Result<Vec<Vec<ExecRecord>>, Error> {
    let map = MemoryMap::new(program);
    let mut out = vec![Vec::new(); program.isa().len()];
    for (step, accesses) in trace.iter() {
        let Some((i, d)) = program.code_word(step.pc).and_then(|c| c.decoded) else {
            return Err(Error::NotAnInstruction { pc: step.pc });
        };
        let rec = ExecRecord::from_trace(step, d, accesses, |a| map.read_only(a));
        if let Some(v) = out.get_mut(i) {
            v.push(rec);
        }
    }
    Ok(out)
}

fn throwaway_cs() -> ark_relations::gr1cs::ConstraintSystemRef<Fr> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: false,
        generate_lc_assignments: true,
    });
    cs
}

fn constants(
    cs: &ark_relations::gr1cs::ConstraintSystemRef<Fr>,
    n: usize,
) -> Result<Vec<FpVar<Fr>>, Error> {
    (0..n)
        .map(|i| FpVar::new_witness(cs.clone(), || Ok(Fr::from(3 + i as u64))).map_err(Error::from))
        .collect()
}

impl<C: InstructionCircuit> Batch<C> {
    /// The lookups a batch makes (for the multiplicities of pass 1; they do not depend on
    /// the challenges).
    pub fn lookups(&self, w: &BatchWitness) -> Result<Vec<Term>, Error> {
        let cs = throwaway_cs();
        let c = constants(&cs, 3)?;
        let z = constants(&cs, 2)?;
        let w1 = self.generate_w1(cs.clone(), w)?;
        Ok(self.synthesize(cs, &c, &z, &w1)?.1)
    }
}

impl ScanChain {
    /// The lookups a scan step makes.
    pub fn lookups(&self, w: &ScanWitness) -> Result<Vec<Term>, Error> {
        let cs = throwaway_cs();
        let c = constants(&cs, 3)?;
        let z = constants(&cs, 4)?;
        let w1 = self.generate_w1(cs.clone(), w)?;
        Ok(self.synthesize(cs, &c, &z, &w1)?.1)
    }
}

/// The verifier's part of the memory sum: Init of the pc cell, the registers, the image and
/// the public input, minus Final of the pc cell (`HALTED + exit_code` after `steps` steps).
/// The proof is accepted only if this plus every chain's memory sum is zero.
pub fn verifier_memory_sum(
    program: &Program,
    public_input: &[u8],
    exit_code: i32,
    steps: u64,
    gamma: Fr,
) -> Result<Fr, Error> {
    let inv = |x: Fr| x.inverse().ok_or(Error::DegenerateChallenge);
    let mut s = inv(gamma - mem_tuple(space::PC, 0, program.entry() as u64, 0))?
        - inv(gamma
            - mem_tuple(
                space::PC,
                0,
                HALTED + exit_code as u32 as u64,
                TS_PER_STEP * steps,
            ))?;
    for (cell, v) in verifier_init(program, public_input)? {
        s += inv(gamma - mem_tuple(cell.space, cell.addr as u64, v as u64, 0))?;
    }
    Ok(s)
}

/// The output sum the scan must end with, for the claimed touched output words.
pub fn output_sum(words: &[(u32, u32)], beta: Fr) -> Result<Fr, Error> {
    words
        .iter()
        .map(|&(a, v)| {
            (beta - output_payload(a, v))
                .inverse()
                .ok_or(Error::DegenerateChallenge)
        })
        .sum()
}

/// The public output the touched output words hold: `len` bytes from `PUBLIC_OUTPUT + 4`,
/// untouched words zero. Errors on words outside the region, unaligned or repeated words,
/// or a length beyond the region.
pub fn public_output(words: &[(u32, u32)]) -> Result<Vec<u8>, Error> {
    let mut sorted = words.to_vec();
    sorted.sort_unstable();
    for (i, pair) in sorted.windows(2).enumerate() {
        if pair[0].0 == pair[1].0 {
            return Err(Error::Scan {
                index: i,
                reason: "output word listed twice",
            });
        }
    }
    let region = PUBLIC_OUTPUT..PUBLIC_OUTPUT + 4 + MAX_IO_LEN as u32;
    if let Some(i) = sorted
        .iter()
        .position(|w| !region.contains(&w.0) || w.0 % 4 != 0)
    {
        return Err(Error::Scan {
            index: i,
            reason: "output word outside the output region",
        });
    }
    let word = |a: u32| {
        sorted
            .binary_search_by_key(&a, |w| w.0)
            .map_or(0, |i| sorted[i].1)
    };
    let len = word(PUBLIC_OUTPUT);
    if len as usize > MAX_IO_LEN {
        return Err(Error::Scan {
            index: 0,
            reason: "output length beyond the region",
        });
    }
    Ok((0..len)
        .map(|i| {
            let a = PUBLIC_OUTPUT + 4 + i;
            (word(a & !3) >> ((a & 3) * 8)) as u8
        })
        .collect())
}

/// Constraints of one step of `Batch::new(circuit, 0, k)` (synthesized without values).
pub fn batch_constraints<C: InstructionCircuit + Clone>(
    circuit: &C,
    k: usize,
) -> Result<usize, Error> {
    let batch = Batch::new(circuit.clone(), 0, k);
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    let c = (0..3)
        .map(|_| FpVar::new_input(cs.clone(), || Ok(Fr::from(0u64))))
        .collect::<Result<Vec<_>, _>>()?;
    let z = (0..2)
        .map(|_| FpVar::new_input(cs.clone(), || Ok(Fr::from(0u64))))
        .collect::<Result<Vec<_>, _>>()?;
    let ext = batch.dummy_external_witness();
    let w1 = batch.generate_w1(cs.clone(), &ext)?;
    batch.generate_step_constraints(cs.clone(), &c, &z, &w1, &ext)?;
    Ok(cs.num_constraints())
}

/// Constraints per execution of an instruction circuit (what `crease info` lists).
pub fn constraints_per_execution<C: InstructionCircuit + Clone>(
    circuit: &C,
) -> Result<usize, Error> {
    Ok(batch_constraints(circuit, 2)? - batch_constraints(circuit, 1)?)
}
