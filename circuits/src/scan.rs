//! Init and Final of every memory cell, and the scan chain that proves the prover's part.
//!
//! The verifier derives Init of the pc cell (the entry point), the 32 registers, every word
//! of the program image and the public input ([`verifier_init`]). Every other cell a run
//! touches gets its Init from the scan: zero, or a prover-chosen value in the private-input
//! region. The scan also emits Final of every cell (touched or not, the verifier-initialized
//! ones included) in strictly increasing `(space, addr)` order, so no cell is finalized
//! twice; the pc cell's Final (`HALTED + exit code` at `16·T`) is the verifier's.
//!
//! Per scan entry, `W1`: active, is-register and read-only bits, the scan-Init flag `f`,
//! one-hot region flags `g1..g5` (RAM, public input, private input, output, unmapped), the
//! address as a 16-bit limb and two bytes, the Init and Final values and the Final
//! timestamp as 16-bit limbs, and the key gap as two 16-bit limbs and a byte. `f = 1` only
//! for memory in RAM, I/O regions, with the read-only space exactly for the input regions,
//! and a non-zero Init only in the private input. Touched words of the public output
//! region are also summed into a separate output sum, which the verifier recomputes from
//! the claimed output words.

use std::collections::BTreeMap;

use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use crease_folding::step::StepCircuit;
use crease_nvm::layout::{MAX_IO_LEN, PRIVATE_INPUT, PUBLIC_INPUT, STACK_TOP};
use crease_nvm::trace::{Space, Trace};
use crease_nvm::Program;

use crate::gadgets::{Bounded, ChallengesVar, Ctx, Term};
use crate::pack::{pow2, space, tag};
use crate::tamper::Overrides;
use crate::{Error, Fr};

/// The region class of an address by its top byte: 0 image, 1 RAM, 2 public input,
/// 3 private input, 4 public output, 5 unmapped.
pub const fn region_class(top: u8) -> u8 {
    match top {
        0x00..=0xbf => 0,
        0xc0..=0xef => 1,
        0xf0..=0xf3 => 2,
        0xf4..=0xf7 => 3,
        0xf8..=0xfb => 4,
        _ => 5,
    }
}

/// Which memory words are read-only: code, read-only data and the input regions.
#[derive(Clone, Debug, Default)]
pub struct MemoryMap {
    read_only: Vec<(u32, u64)>,
}

impl MemoryMap {
    /// The map of `program`.
    pub fn new(program: &Program) -> Self {
        let read_only = program
            .segments()
            .iter()
            .filter(|s| s.readable() && !s.writable())
            .map(|s| s.word_span())
            .collect();
        MemoryMap { read_only }
    }

    /// Whether the word at `addr` is read-only.
    pub fn read_only(&self, addr: u32) -> bool {
        matches!(region_class((addr >> 24) as u8), 2 | 3)
            || self
                .read_only
                .iter()
                .any(|&(s, e)| s <= addr && (addr as u64) < e)
    }
}

/// A memory cell: space and address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    /// [`space`] constant.
    pub space: u64,
    /// Register number or word address.
    pub addr: u32,
}

impl Cell {
    fn key(&self) -> u64 {
        (self.space << 32) | self.addr as u64
    }
}

/// The cells the verifier initializes (besides the pc cell) and their values at ts 0.
pub fn verifier_init(program: &Program, public_input: &[u8]) -> Result<Vec<(Cell, u32)>, Error> {
    let mut words: BTreeMap<u32, (u32, bool)> = BTreeMap::new();
    for (i, s) in program.segments().iter().enumerate() {
        // As the machine maps memory: whole words, none for a segment it cannot read.
        if !s.readable() {
            continue;
        }
        let ro = !s.writable();
        let end = s.vaddr as u64 + s.mem_size as u64;
        let mut a = (s.vaddr & !3) as u64;
        while a < end {
            let entry = words.entry(a as u32).or_insert((0, ro));
            if entry.1 != ro {
                return Err(Error::Scan {
                    index: i,
                    reason: "segments of different permissions share a word",
                });
            }
            for b in 0..4u64 {
                let addr = a + b;
                if addr >= s.vaddr as u64 && addr < end {
                    let off = (addr - s.vaddr as u64) as usize;
                    let byte = s.data.get(off).copied().unwrap_or(0);
                    entry.0 |= (byte as u32) << (8 * b);
                }
            }
            a += 4;
        }
    }
    let mut cells: Vec<(Cell, u32)> = (0..32)
        .map(|r| {
            let v = if r == 2 { STACK_TOP } else { 0 };
            (
                Cell {
                    space: space::REG,
                    addr: r,
                },
                v,
            )
        })
        .collect();
    for (a, (v, ro)) in words {
        let space = if ro { space::RO } else { space::RW };
        cells.push((Cell { space, addr: a }, v));
    }
    let mut input = (public_input.len() as u32).to_le_bytes().to_vec();
    input.extend_from_slice(public_input);
    for (i, chunk) in input.chunks(4).enumerate() {
        let mut w = [0u8; 4];
        w[..chunk.len()].copy_from_slice(chunk);
        let cell = Cell {
            space: space::RO,
            addr: PUBLIC_INPUT + 4 * i as u32,
        };
        cells.push((cell, u32::from_le_bytes(w)));
    }
    cells.sort_by_key(|c| c.0.key());
    Ok(cells)
}

/// One scan entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanEntry {
    /// The cell.
    pub cell: Cell,
    /// `Some(v)`: the scan emits the cell's Init with value `v`; `None`: the verifier does.
    pub init: Option<u32>,
    /// The final value.
    pub value: u32,
    /// The timestamp of the last access (0 if untouched).
    pub ts: u64,
}

/// The scan entry of the private input's length word, which the scan always lists (its Init
/// fixes the length that bounds the data words' Inits) whether or not the run reads it.
pub fn private_length_entry(private_len: usize) -> ScanEntry {
    let len = private_len as u32;
    ScanEntry {
        cell: Cell {
            space: space::RO,
            addr: PRIVATE_INPUT,
        },
        init: Some(len),
        value: len,
        ts: 0,
    }
}

/// The scan entries of a run on a private input of `private_len` bytes, in increasing cell
/// order.
pub fn scan_entries(
    program: &Program,
    public_input: &[u8],
    private_len: usize,
    trace: &Trace,
) -> Result<Vec<ScanEntry>, Error> {
    let map = MemoryMap::new(program);
    let mut cells = initial_cells(program, public_input, private_len)?;
    for (step, accesses) in trace.iter() {
        record_accesses(&map, &mut cells, step, accesses);
    }
    Ok(cells.into_values().collect())
}

/// The cells every scan lists before the run touches any, keyed in the scan's order: the
/// private input's length word and the cells whose Init the verifier derives.
pub fn initial_cells(
    program: &Program,
    public_input: &[u8],
    private_len: usize,
) -> Result<BTreeMap<u64, ScanEntry>, Error> {
    let mut cells: BTreeMap<u64, ScanEntry> = BTreeMap::new();
    let len = private_length_entry(private_len);
    cells.insert(len.cell.key(), len);
    for (cell, v) in verifier_init(program, public_input)? {
        cells.insert(
            cell.key(),
            ScanEntry {
                cell,
                init: None,
                value: v,
                ts: 0,
            },
        );
    }
    Ok(cells)
}

/// Updates the scan entries of the cells one step's `accesses` touch (the pc access first,
/// as the NVM's trace gives them).
pub fn record_accesses(
    map: &MemoryMap,
    cells: &mut BTreeMap<u64, ScanEntry>,
    step: &crease_nvm::Step,
    accesses: &[crease_nvm::Access],
) {
    for (j, a) in accesses.iter().enumerate().skip(1) {
        let space = match a.space {
            Space::Pc => continue,
            Space::Reg => space::REG,
            Space::Mem if map.read_only(a.addr) => space::RO,
            Space::Mem => space::RW,
        };
        let cell = Cell {
            space,
            addr: a.addr,
        };
        let e = cells.entry(cell.key()).or_insert(ScanEntry {
            cell,
            init: Some(a.read),
            value: a.read,
            ts: 0,
        });
        e.value = a.write;
        e.ts = crease_nvm::timestamp(step.t, j);
    }
}

/// The touched words of the public output region, from scan entries.
pub fn output_words(entries: &[ScanEntry]) -> Vec<(u32, u32)> {
    entries
        .iter()
        .filter(|e| e.cell.space != space::REG && region_class((e.cell.addr >> 24) as u8) == 4)
        .map(|e| (e.cell.addr, e.value))
        .collect()
}

/// The payload of an output word in the output sum.
pub fn output_payload(addr: u32, value: u32) -> Fr {
    Fr::from(addr as u64) + pow2(40) * Fr::from(value as u64)
}

const ENTRY_LEN: usize = 28;

/// The declared width of each `W1` value of a scan entry: active, is-register, read-only,
/// the scan-Init flag and five region flags (bits); the address as a 16-bit limb and two
/// bytes; Init value, Final value and Final timestamp as 16-bit limbs; the key gap as two
/// 16-bit limbs and a byte; for a word of the private input's data, how many of its bytes
/// lie within the private length (five one-hot bits, 0 to 4) and the slack `m` of that
/// count's inequality (a 16- and a 10-bit limb; for the length word, `MAX_IO_LEN − L`).
pub const ENTRY_LAYOUT: [u32; ENTRY_LEN] = [
    1, 1, 1, 1, 1, 1, 1, 1, 1, 16, 8, 8, 16, 16, 16, 16, 16, 16, 16, 16, 8, 1, 1, 1, 1, 1, 16, 10,
];

/// The scan key of the private input's length word.
fn length_word_key() -> u64 {
    (space::RO << 32) | PRIVATE_INPUT as u64
}

/// For a scan entry in the private-input region, given the private length `len`: `(n, m)`
/// with `n` the bytes of the word within the data (0 to 4) and `m` the slack that proves it
/// (`off − len` when none is, `len − off − 4` when all are, else 0; for the length word
/// itself, `MAX_IO_LEN − len`).
fn private_slack(addr: u32, len: u64) -> (usize, u64) {
    if addr == PRIVATE_INPUT {
        return (0, (MAX_IO_LEN as u64).saturating_sub(len));
    }
    // A word below the data (only a dishonest entry list has one) gets some witness.
    let off = addr.wrapping_sub(PRIVATE_INPUT + 4) as u64;
    match len.checked_sub(off) {
        None | Some(0) => (0, off - len),
        Some(n) if n >= 4 => (4, n - 4),
        Some(n) => (n as usize, 0),
    }
}

fn limbs(v: u64) -> [u64; 2] {
    [v & 0xffff, (v >> 16) & 0xffff]
}

/// The external witness of one scan step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanWitness {
    /// `k · 21` small values.
    pub values: Vec<u64>,
    /// Values a test set instead (feature `tamper`).
    pub overrides: Overrides,
}

/// The scan chain: `k` entries per step. State `[mem, lookup, last key, output, private
/// length]`;
/// constants `[γ, β, α]`. The last key starts at zero.
#[derive(Clone, Copy, Debug)]
pub struct ScanChain {
    k: usize,
}

impl ScanChain {
    /// A chain of `k ≥ 1` entries per step.
    pub fn new(k: usize) -> Self {
        ScanChain { k: k.max(1) }
    }

    /// The witnesses of all steps; the last is padded with inactive entries.
    pub fn witness(&self, entries: &[ScanEntry]) -> Result<Vec<ScanWitness>, Error> {
        let mut last = 0u64;
        let mut private_len = 0u64;
        let mut out = Vec::new();
        for chunk in entries.chunks(self.k) {
            let mut values = Vec::with_capacity(self.k * ENTRY_LEN);
            for i in 0..self.k {
                let Some(e) = chunk.get(i) else {
                    values.extend([0; ENTRY_LEN]);
                    continue;
                };
                let key = e.cell.key();
                if key <= last || e.ts >= 1 << 32 {
                    return Err(Error::Scan {
                        index: i,
                        reason: "cells not strictly increasing or timestamp too large",
                    });
                }
                let gap = key - last - 1;
                last = key;
                let class = region_class((e.cell.addr >> 24) as u8) as usize;
                let is_reg = e.cell.space == space::REG;
                let mut g = [0u64; 5];
                if !is_reg && class > 0 {
                    g[class - 1] = 1;
                }
                let a = e.cell.addr as u64;
                values.extend([
                    1,
                    is_reg as u64,
                    (e.cell.space == space::RO) as u64,
                    e.init.is_some() as u64,
                ]);
                values.extend(g);
                values.extend([a & 0xffff, (a >> 16) & 0xff, a >> 24]);
                values.extend(limbs(e.init.unwrap_or(0) as u64));
                values.extend(limbs(e.value as u64));
                values.extend(limbs(e.ts));
                values.extend([gap & 0xffff, (gap >> 16) & 0xffff, gap >> 32]);
                let mut count = [0u64; 5];
                let mut m = 0;
                if !is_reg && class == 3 {
                    if key == length_word_key() {
                        private_len = e.init.unwrap_or(0) as u64;
                        m = private_slack(e.cell.addr, private_len).1;
                    } else {
                        let (n, slack) = private_slack(e.cell.addr, private_len);
                        count[n] = 1;
                        m = slack;
                    }
                }
                values.extend(count);
                values.extend([m & 0xffff, (m >> 16) & 0x3ff]);
            }
            out.push(ScanWitness {
                values,
                overrides: Overrides::default(),
            });
        }
        Ok(out)
    }
}

impl StepCircuit for ScanChain {
    type ExternalWitness = ScanWitness;

    fn arity(&self) -> usize {
        5
    }

    fn num_constants(&self) -> usize {
        3
    }

    fn dummy_external_witness(&self) -> ScanWitness {
        ScanWitness {
            values: vec![0; self.k * ENTRY_LEN],
            overrides: Overrides::default(),
        }
    }

    fn generate_w1(
        &self,
        cs: ConstraintSystemRef<Fr>,
        ext: &ScanWitness,
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        if ext.values.len() != self.k * ENTRY_LEN {
            return Err(SynthesisError::AssignmentMissing);
        }
        let o = &ext.overrides;
        ext.values
            .iter()
            .enumerate()
            .map(|(i, &v)| FpVar::new_witness(cs.clone(), || Ok(o.get(i, Fr::from(v)))))
            .collect()
    }

    fn generate_step_constraints(
        &self,
        cs: ConstraintSystemRef<Fr>,
        constants: &[FpVar<Fr>],
        z: &[FpVar<Fr>],
        w1: &[FpVar<Fr>],
        _ext: &ScanWitness,
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        Ok(self.synthesize(cs, constants, z, w1)?.0)
    }
}

impl ScanChain {
    /// The lookups a scan step makes, evaluated natively (as [`crate::Batch::lookups`]).
    pub fn lookups(&self, w: &ScanWitness) -> Result<Vec<Term>, Error> {
        let zeros = vec![FpVar::zero(); 5];
        let w1 = w.overrides.constants(&w.values);
        let (_, log) = self.synthesize(ConstraintSystemRef::None, &zeros[..3], &zeros, &w1)?;
        Ok(log)
    }

    /// Synthesizes one step; returns the next state and the logged lookups.
    pub fn synthesize(
        &self,
        cs: ConstraintSystemRef<Fr>,
        constants: &[FpVar<Fr>],
        z: &[FpVar<Fr>],
        w1: &[FpVar<Fr>],
    ) -> Result<(Vec<FpVar<Fr>>, Vec<Term>), SynthesisError> {
        let mut log = Vec::new();
        if constants.len() != 3 || z.len() != 5 || w1.len() != self.k * ENTRY_LEN {
            return Err(SynthesisError::Unsatisfiable);
        }
        let ch = ChallengesVar {
            gamma: constants[0].clone(),
            beta: constants[1].clone(),
            alpha: constants[2].clone(),
        };
        let mut last = z[2].clone();
        let mut private_len = z[4].clone();
        let mut ctx = Ctx::new(cs.clone(), ch.clone(), FpVar::zero());
        let one = FpVar::Constant(Fr::from(1u64));
        let zero = FpVar::Constant(Fr::from(0u64));
        for e in w1.chunks(ENTRY_LEN) {
            let active = e[0].clone();
            ctx.set_active(active.clone());
            let c = e
                .iter()
                .zip(ENTRY_LAYOUT)
                .map(|(v, bits)| ctx.range(v, bits))
                .collect::<Result<Vec<Bounded>, _>>()?;
            let (is_reg, ro, f) = (&e[1], &e[2], &e[3]);
            let g = &e[4..9];
            let g_sum = &g[0] + &g[1] + &g[2] + &g[3] + &g[4];
            ctx.boolean(&g_sum)?;
            ctx.enforce_mul(is_reg, ro, &zero)?;
            ctx.enforce_mul(f, is_reg, &zero)?;
            ctx.enforce_mul(f, &(&one - &g_sum + &g[4]), &zero)?;
            ctx.enforce_mul(f, &(ro - &g[1] - &g[2]), &zero)?;
            let (lo, b2, b3) = (&e[9], &e[10], &e[11]);
            let class =
                Bounded::linear(&[(1, &c[4]), (2, &c[5]), (3, &c[6]), (4, &c[7]), (5, &c[8])])?;
            ctx.lookup_packed(tag::REGION, &[(&c[11], 8), (&class, 8)])?;
            let addr = lo + (b2 + b3 * pow2(8)) * pow2(16);
            let sp = Ctx::space(space::RW) - is_reg + ro;
            let value = |i: usize| &e[i] + &e[i + 1] * pow2(16);
            let v0 = value(12);
            let v = value(14);
            let ts = value(16);
            ctx.enforce_mul(&v0, &(&one - &g[2]), &zero)?;
            // Strictly increasing keys.
            let gap = &e[18] + &e[19] * pow2(16) + &e[20] * pow2(32);
            let key = &sp * pow2(32) + &addr;
            ctx.enforce_mul(&active, &(&key - &last - &one - gap), &zero)?;
            last = &last + ctx.mul(&active, &(&key - &last));
            // Init (scan part) and Final.
            let init_en = ctx.mul(&active, f);
            ctx.mem_tuple(true, &init_en, &sp, &addr, &v0, &zero)?;
            ctx.mem_tuple(false, &active, &sp, &addr, &v, &ts)?;
            // Output words.
            let out_en = ctx.mul(&active, &g[3]);
            ctx.output_term(&(&addr + &v * pow2(40)), &out_en)?;
            private_len = self.private_input(&mut ctx, e, &key, &addr, &private_len)?;
        }
        let sums = ctx.finish(&z[0], &z[1], &z[3])?;
        log.append(&mut ctx.log);
        let (mem, lookup, out) = (sums.mem, sums.lookup, sums.out);
        Ok((vec![mem, lookup, last, out, private_len], log))
    }

    /// The private input's layout, as the machine writes it: the length word `L ≤ MAX_IO_LEN`
    /// at `PRIVATE_INPUT` (its Init sets the running `L`; it has the smallest key of the
    /// region, so it comes first), then data words whose bytes past `L` are zero. For a data
    /// word at offset `off` from the data, one of five bits says how many of its bytes lie
    /// within `L`: 0 (then `off ≥ L` and the Init is 0), 1 to 3 (`L − off` exactly, the
    /// Init below `2^(8n)`), or 4 (`L ≥ off + 4`). The inequalities hold through the slack
    /// `m`, a 26-bit value. A prover that does not list the length word leaves `L = 0`.
    /// Returns the running `L`.
    fn private_input(
        &self,
        ctx: &mut Ctx,
        e: &[FpVar<Fr>],
        key: &FpVar<Fr>,
        addr: &FpVar<Fr>,
        len: &FpVar<Fr>,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let (active, private, v0) = (&e[0], &e[6], &e[12] + &e[13] * pow2(16));
        let (v0_lo, v0_hi) = (&e[12], &e[13]);
        let n = &e[21..26];
        let slack = &e[26] + &e[27] * pow2(16);
        let is_len = ctx.is_zero(&(key - Fr::from(length_word_key())))?;
        let is_len = ctx.mul(active, &is_len);
        // The length word carries its Init (no Init would leave it unread, but say so here).
        ctx.enforce_mul(&is_len, &(FpVar::one() - &e[3]), &FpVar::zero())?;
        let next = len + ctx.mul(&is_len, &(&v0 - len));
        // One count bit exactly for an active data word of the region (the length word is
        // in the region too, and has none).
        let counted: FpVar<Fr> = n.iter().sum();
        ctx.equal(&counted, &(private - &is_len))?;
        let off = addr - Fr::from(PRIVATE_INPUT as u64 + 4);
        let middle = &n[1] + &n[2] + &n[3];
        ctx.enforce_mul(
            &middle,
            &(len - &off),
            &(&n[1] + &n[2] * Fr::from(2u64) + &n[3] * Fr::from(3u64)),
        )?;
        let none = ctx.mul(&n[0], &(&off - len));
        let all = ctx.mul(&n[4], &(len - &off - Fr::from(4u64)));
        let bound = ctx.mul(
            &is_len,
            &(FpVar::Constant(Fr::from(MAX_IO_LEN as u64)) - &v0),
        );
        ctx.equal(&(none + all + bound), &slack)?;
        let zero = FpVar::zero();
        ctx.enforce_mul(&n[0], &v0, &zero)?;
        ctx.enforce_mul(&(&n[1] + &n[2]), v0_hi, &zero)?;
        let one_byte = ctx.mul(&n[1], v0_lo) * pow2(8);
        ctx.range16(&one_byte)?;
        let three_bytes = ctx.mul(&n[3], v0_hi) * pow2(8);
        ctx.range16(&three_bytes)?;
        Ok(next)
    }
}
