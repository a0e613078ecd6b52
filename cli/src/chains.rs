//! The folding chains of a proof for an instruction set: one per instruction circuit, the
//! memory scan and the lookup tables, with their batch sizes and constraint counts.

use std::sync::Arc;

use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::ConstraintSystem;
use crease_circuits::scan::ScanChain;
use crease_circuits::tables::TableChain;
use crease_circuits::{isa as circuits_isa, Batch, Fr, InstructionCircuit};
use crease_folding::step::StepCircuit;

use crate::error::CliError;

pub use crease::pcd::{DEFAULT_K, DEFAULT_SCAN_K, DEFAULT_TABLE_K};

/// Which chain: an instruction circuit (by its index in the set), the scan or the tables.
#[derive(Clone)]
pub enum ChainKind {
    /// The batches of one instruction circuit.
    Instruction(Arc<dyn InstructionCircuit>),
    /// Init and Final of every touched cell.
    Scan,
    /// The fixed and program lookup tables.
    Tables,
}

/// One chain and its batch size.
#[derive(Clone)]
pub struct Chain {
    /// Its name: the instruction circuit's, `scan` or `tables`.
    pub name: String,
    /// What it folds.
    pub kind: ChainKind,
    /// Entries (executions, cells, table rows) per folding step.
    pub k: usize,
}

/// Batch sizes: a default and per-chain overrides, parsed from `-k N` and `-k NAME=N`.
#[derive(Clone, Debug, Default)]
pub struct BatchSizes {
    default: Option<usize>,
    per_chain: Vec<(String, usize)>,
}

impl BatchSizes {
    /// Parses the values of repeated `-k` options.
    pub fn parse(values: &[String]) -> Result<Self, CliError> {
        let mut sizes = BatchSizes::default();
        for v in values {
            let bad = || CliError::BadBatchSize { value: v.clone() };
            let (name, n) = match v.split_once('=') {
                Some((name, n)) => (Some(name.trim().to_string()), n),
                None => (None, v.as_str()),
            };
            let n: usize = n.trim().parse().map_err(|_| bad())?;
            if n == 0 || n > 1 << 20 {
                return Err(bad());
            }
            match name {
                Some(name) => sizes.per_chain.push((name, n)),
                None => sizes.default = Some(n),
            }
        }
        Ok(sizes)
    }

    /// The batch size of chain `name`: named for it, else the default capped by `cap`
    /// (an instruction circuit's `max_batch`).
    fn get(&self, name: &str, cap: Option<usize>) -> usize {
        let fallback = match name {
            "scan" => self.default.unwrap_or(DEFAULT_SCAN_K),
            "tables" => DEFAULT_TABLE_K,
            _ => {
                let k = self.default.unwrap_or(DEFAULT_K);
                cap.map_or(k, |cap| k.min(cap))
            }
        };
        self.per_chain
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map_or(fallback, |(_, k)| *k)
    }
}

/// The instruction circuits compiled into this binary: RV32IM and the co-processors.
pub fn available_circuits() -> Vec<Arc<dyn InstructionCircuit>> {
    let mut all = circuits_isa::rv32im();
    all.push(Arc::new(circuits_isa::sha256_sigma::Sha256Sigma));
    all.push(Arc::new(circuits_isa::sha256_compress::Sha256Compress));
    all.push(Arc::new(circuits_isa::keccak_f1600::KeccakF1600));
    all
}

/// Every chain of a proof over `isa`, in a fixed order: the instruction circuits in the
/// set's order, then the scan, then the tables.
pub fn chains(isa: &crease_nvm::Isa, sizes: &BatchSizes) -> Result<Vec<Chain>, CliError> {
    let circuits = circuits_isa::circuits_for(isa, &available_circuits())?;
    let mut names: Vec<String> = circuits.iter().map(|c| c.name().to_string()).collect();
    names.extend(["scan".to_string(), "tables".to_string()]);
    if let Some((unknown, _)) = sizes.per_chain.iter().find(|(n, _)| !names.contains(n)) {
        return Err(CliError::UnknownChain {
            name: unknown.clone(),
            known: names.join(", "),
        });
    }
    let mut out: Vec<Chain> = circuits
        .into_iter()
        .map(|c| Chain {
            name: c.name().to_string(),
            k: sizes.get(c.name(), c.max_batch()),
            kind: ChainKind::Instruction(c),
        })
        .collect();
    for (name, kind) in [("scan", ChainKind::Scan), ("tables", ChainKind::Tables)] {
        out.push(Chain {
            name: name.to_string(),
            k: sizes.get(name, None),
            kind,
        });
    }
    Ok(out)
}

/// The constraints of one step of a step circuit on its own (without the recursion).
pub fn step_constraints<C: StepCircuit>(circuit: &C) -> Result<usize, CliError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let alloc = |n: usize| -> Result<Vec<FpVar<Fr>>, CliError> {
        (0..n)
            .map(|i| {
                FpVar::new_witness(cs.clone(), || Ok(Fr::from(1000 + i as u64)))
                    .map_err(CliError::from)
            })
            .collect()
    };
    let consts = alloc(circuit.num_constants())?;
    let z = alloc(circuit.arity())?;
    let ext = circuit.dummy_external_witness();
    let w1 = circuit.generate_w1(cs.clone(), &ext)?;
    circuit.generate_step_constraints(cs.clone(), &consts, &z, &w1, &ext)?;
    Ok(cs.num_constraints())
}

/// Constraints per entry of a chain: the difference between steps of two entries and one.
pub fn constraints_per_entry(kind: &ChainKind) -> Result<usize, CliError> {
    let with = |k: usize| -> Result<usize, CliError> {
        match kind {
            ChainKind::Instruction(c) => step_constraints(&Batch::new(c.clone(), 0, k)),
            ChainKind::Scan => step_constraints(&ScanChain::new(k)),
            ChainKind::Tables => step_constraints(&TableChain::new(k)),
        }
    };
    Ok(with(2)? - with(1)?)
}

impl Chain {
    /// The constraints of one step of this chain's circuit, without the recursion.
    pub fn step_constraints(&self, index: usize) -> Result<usize, CliError> {
        match &self.kind {
            ChainKind::Instruction(c) => step_constraints(&Batch::new(c.clone(), index, self.k)),
            ChainKind::Scan => step_constraints(&ScanChain::new(self.k)),
            ChainKind::Tables => step_constraints(&TableChain::new(self.k)),
        }
    }
}

/// The instruction set: RV32IM plus the named co-processors, in order.
pub fn isa(coprocessors: &[String]) -> Result<crease_nvm::Isa, CliError> {
    let mut isa = crease_nvm::Isa::rv32im();
    let known = crate::run::known_coprocessors();
    for name in coprocessors {
        let (_, register) =
            known
                .iter()
                .find(|(n, _)| n == name)
                .ok_or_else(|| CliError::UnknownCoprocessor {
                    name: name.clone(),
                    known: known.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
                })?;
        register(&mut isa)?;
    }
    Ok(isa)
}

/// The set-up configuration of these chains (the scan and tables last, as [`chains`] makes
/// them) under `key`.
pub fn setup_config(chains: &[Chain], key: crease::KeySource) -> crease::SetupConfig {
    let mut config = crease::SetupConfig::new(key);
    for c in chains {
        match c.kind {
            ChainKind::Instruction(_) => config.k_per_circuit.push((c.name.clone(), c.k)),
            ChainKind::Scan => config.scan_k = c.k,
            ChainKind::Tables => config.table_k = c.k,
        }
    }
    config
}
