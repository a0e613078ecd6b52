//! The lookup tables and the table chain that proves their side of the logUp argument.
//!
//! Fixed tables (the same for every program): 16-bit and 8-bit ranges, the byte AND table,
//! the shift-amount table and the address-region table. Program tables: one decoded-program
//! table per instruction circuit, derived from the ELF by the verifier.
//!
//! The table chain is a step circuit over `k` entries per step. Its `W1` holds each entry's
//! payload, tag and multiplicity (any field elements: nothing is range-checked); per entry
//! it enforces `w·(β − payload − tag·α) = m` and subtracts `w` from the lookup sum, and it
//! folds the entry into a Horner hash `h ← h·γ + payload + α·tag` that the verifier
//! recomputes from the tables it derives itself. Payload and tag were committed before `α`
//! and `γ` were drawn, so the hash equals the verifier's only if every row's payload and tag
//! both equal the verifier's (a polynomial identity in `α`, `γ`): no entry can be re-tagged
//! or re-split, and padding rows are `(0, 0)`. Three constraints per entry.

use std::collections::HashMap;

use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use crease_folding::step::StepCircuit;
use crease_nvm::Program;

use crate::pack::{self, tag};
use crate::scan::region_class;
use crate::tamper::Overrides;
use crate::{Fr, Term};

/// One table entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The table.
    pub tag: u64,
    /// The payload.
    pub payload: Fr,
}

/// The fixed tables, in chain order.
pub fn fixed_entries() -> Vec<Entry> {
    let mut v = Vec::with_capacity((1 << 17) + 1024);
    let e = |tag, payload| Entry { tag, payload };
    v.extend((0..1u64 << 16).map(|x| e(tag::R16, Fr::from(x))));
    v.extend((0..1u64 << 8).map(|x| e(tag::R8, Fr::from(x))));
    for b in 0..=255u8 {
        for a in 0..=255u8 {
            v.push(e(tag::AND8, pack::and_payload(a, b)));
        }
    }
    v.extend((0..32).map(|s| e(tag::POW, pack::pow_payload(s))));
    v.extend((0..=255u8).map(|b| e(tag::REGION, pack::region_payload(b, region_class(b)))));
    v
}

/// The decoded-program tables of `program` (for ISA indices with a circuit), in address
/// order.
pub fn fetch_entries(program: &Program) -> Vec<Entry> {
    let (start, end) = program.code_range();
    (start..end)
        .step_by(4)
        .filter_map(|pc| {
            let (i, d) = program.code_word(pc)?.decoded?;
            Some(Entry {
                tag: tag::FETCH + i as u64,
                payload: pack::fetch_payload(pc, &d),
            })
        })
        .collect()
}

/// All tables of a program: the fixed ones, then its fetch tables.
pub fn all_entries(program: &Program) -> Vec<Entry> {
    let mut v = fixed_entries();
    v.extend(fetch_entries(program));
    v
}

/// Entries with multiplicities, counted from logged lookups.
#[derive(Clone, Debug, Default)]
pub struct Multiplicities {
    entries: Vec<Entry>,
    index: HashMap<Entry, usize>,
    counts: Vec<u64>,
}

impl Multiplicities {
    /// Zero counts over `entries`.
    pub fn new(entries: Vec<Entry>) -> Self {
        let index = entries.iter().enumerate().map(|(i, e)| (*e, i)).collect();
        let counts = vec![0; entries.len()];
        Multiplicities {
            entries,
            index,
            counts,
        }
    }

    /// Whether `(tag, payload)` is an entry.
    pub fn contains(&self, tag: u64, payload: Fr) -> bool {
        self.index.contains_key(&Entry { tag, payload })
    }

    /// Counts logged lookups; returns the first that is no entry.
    pub fn add(&mut self, log: &[Term]) -> Result<(), Term> {
        for t in log {
            let i = self.index.get(&Entry {
                tag: t.tag,
                payload: t.payload,
            });
            match i {
                Some(&i) => self.counts[i] += 1,
                None => return Err(*t),
            }
        }
        Ok(())
    }

    /// The entries and their counts, in chain order.
    pub fn rows(&self) -> impl Iterator<Item = (Entry, u64)> + '_ {
        self.entries
            .iter()
            .copied()
            .zip(self.counts.iter().copied())
    }

    /// The table chain's external witnesses, `k` entries per step (the last padded with
    /// zero entries of multiplicity zero).
    pub fn chain_witness(&self, k: usize) -> Vec<TableWitness> {
        let k = k.max(1);
        let rows: Vec<(Entry, u64)> = self.rows().collect();
        rows.chunks(k)
            .map(|c| {
                let mut rows = c.to_vec();
                rows.resize(
                    k,
                    (
                        Entry {
                            tag: 0,
                            payload: Fr::from(0u64),
                        },
                        0,
                    ),
                );
                TableWitness {
                    rows,
                    overrides: Overrides::default(),
                }
            })
            .collect()
    }
}

/// The Horner hash of a table list padded to a multiple of `k` with `(0, 0)` rows, as the
/// chain computes it.
pub fn table_hash(entries: &[Entry], k: usize, gamma: Fr, alpha: Fr) -> Fr {
    let k = k.max(1);
    let padded = entries.len().div_ceil(k) * k;
    let mut h = Fr::from(0u64);
    for i in 0..padded {
        let u = entries
            .get(i)
            .map_or(Fr::from(0u64), |e| e.payload + alpha * Fr::from(e.tag));
        h = h * gamma + u;
    }
    h
}

/// The external witness of one table-chain step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableWitness {
    /// `(entry, multiplicity)`, `k` of them.
    pub rows: Vec<(Entry, u64)>,
    /// Values a test set instead (feature `tamper`): `W1` holds payload, tag and
    /// multiplicity of each row in turn.
    pub overrides: Overrides,
}

/// The table chain: `k` entries per step. State `[lookup, hash]`; constants `[γ, β, α]`.
#[derive(Clone, Copy, Debug)]
pub struct TableChain {
    k: usize,
}

impl TableChain {
    /// A chain of `k ≥ 1` entries per step.
    pub fn new(k: usize) -> Self {
        TableChain { k: k.max(1) }
    }
}

impl StepCircuit for TableChain {
    type ExternalWitness = TableWitness;

    fn arity(&self) -> usize {
        2
    }

    fn num_constants(&self) -> usize {
        3
    }

    fn dummy_external_witness(&self) -> TableWitness {
        TableWitness {
            rows: vec![
                (
                    Entry {
                        tag: 0,
                        payload: Fr::from(0u64)
                    },
                    0
                );
                self.k
            ],
            overrides: Overrides::default(),
        }
    }

    fn generate_w1(
        &self,
        cs: ConstraintSystemRef<Fr>,
        ext: &TableWitness,
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        if ext.rows.len() != self.k {
            return Err(SynthesisError::AssignmentMissing);
        }
        let o = &ext.overrides;
        ext.rows
            .iter()
            .flat_map(|(e, m)| [e.payload, Fr::from(e.tag), Fr::from(*m)])
            .enumerate()
            .map(|(i, v)| FpVar::new_witness(cs.clone(), || Ok(o.get(i, v))))
            .collect()
    }

    fn generate_step_constraints(
        &self,
        cs: ConstraintSystemRef<Fr>,
        constants: &[FpVar<Fr>],
        z: &[FpVar<Fr>],
        w1: &[FpVar<Fr>],
        _ext: &TableWitness,
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        if constants.len() != 3 || z.len() != 2 || w1.len() != 3 * self.k {
            return Err(SynthesisError::Unsatisfiable);
        }
        let (gamma, beta, alpha) = (&constants[0], &constants[1], &constants[2]);
        let mut h = z[1].clone();
        let mut terms = Vec::with_capacity(self.k);
        for row in w1.chunks(3) {
            let (p, t, m) = (&row[0], &row[1], &row[2]);
            let ta = t * alpha;
            let den = beta - p - &ta;
            let den_v = den.value().unwrap_or_default();
            let m_v = m.value().unwrap_or_default();
            let w = FpVar::new_witness(cs.clone(), || Ok(m_v * pack::inv_or_zero(den_v)))?;
            w.mul_equals(&den, m)?;
            terms.push(w);
            h = &h * gamma + p + &ta;
        }
        let sum = &z[0] - terms.iter().sum::<FpVar<Fr>>();
        Ok(vec![sum, h])
    }
}
