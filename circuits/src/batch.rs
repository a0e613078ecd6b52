//! `Batch<C>`: k executions of one instruction circuit as one folding step.
//!
//! State `z = [mem, lookup]`: the running memory sum `Σ WS − Σ RS` and the running lookup
//! sum. Constants: `[γ, β, α]`. External witness: the `W1` values of k slots (records and
//! logic witness, all small integers), built natively by [`Batch::witness`]; the inverses
//! of the lookup and memory terms are `W2`.

use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::prelude::*;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use crease_folding::step::StepCircuit;

use crate::gadgets::{lin, ChallengesVar, Ctx, Term};
use crate::instruction::{AccessKind, AccessVar, ExecRecord, ExecVar, InstructionCircuit, Reg};
use crate::pack::{pow2, space, tag, MAX_STEPS, TS_PER_STEP};
use crate::{Error, Fr};

/// The `W1` values of a batch, slot after slot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchWitness {
    /// `k · slot_len` small values.
    pub values: Vec<u64>,
}

/// One folding step: `k` executions of the instruction circuit `C`.
#[derive(Clone, Debug)]
pub struct Batch<C> {
    circuit: C,
    isa_index: usize,
    k: usize,
}

fn limbs16(v: u64) -> [u64; 2] {
    [v & 0xffff, (v >> 16) & 0xffff]
}

fn bytes(v: u32) -> [u64; 4] {
    v.to_le_bytes().map(u64::from)
}

impl<C: InstructionCircuit> Batch<C> {
    /// A batch of `k ≥ 1` executions of `circuit`, which is entry `isa_index` of the set.
    pub fn new(circuit: C, isa_index: usize, k: usize) -> Self {
        Batch {
            circuit,
            isa_index,
            k: k.max(1),
        }
    }

    /// The instruction circuit.
    pub fn circuit(&self) -> &C {
        &self.circuit
    }

    /// Executions per step.
    pub fn k(&self) -> usize {
        self.k
    }

    /// `W1` values per slot.
    pub fn slot_len(&self) -> usize {
        let f = self.circuit.fields();
        let fields = 2 * f.imm as usize
            + f.op as usize
            + 2 * f.rd as usize
            + f.rs1 as usize
            + f.rs2 as usize;
        let acc: usize = self
            .circuit
            .accesses()
            .iter()
            .map(|k| match k {
                AccessKind::RegRead(_) => 4,
                AccessKind::RegWrite(_) => 6,
                AccessKind::MemRead => 7,
                AccessKind::MemWrite => 10,
            })
            .sum();
        5 + fields + acc + self.circuit.num_witness()
    }

    /// The `W1` values of one slot.
    pub fn slot_values(&self, rec: &ExecRecord, active: bool) -> Result<Vec<u64>, Error> {
        let kinds = self.circuit.accesses();
        if rec.accesses.len() > kinds.len() {
            return Err(Error::TooManyAccesses {
                circuit: self.circuit.name().to_string(),
                expected: kinds.len(),
                got: rec.accesses.len(),
            });
        }
        if rec.t > MAX_STEPS {
            return Err(Error::TraceTooLong {
                steps: rec.t,
                max: MAX_STEPS,
            });
        }
        let mut v = Vec::with_capacity(self.slot_len());
        v.push(active as u64);
        v.extend(limbs16(rec.t & 0xffff_ffff));
        v.extend(limbs16(rec.pc as u64));
        let f = self.circuit.fields();
        let d = &rec.d;
        if f.imm {
            v.extend(limbs16(d.imm as u32 as u64));
        }
        if f.op {
            v.push(d.op as u64);
        }
        if f.rd {
            v.push(d.rd as u64);
            v.push((d.rd != 0) as u64);
        }
        if f.rs1 {
            v.push(d.rs1 as u64);
        }
        if f.rs2 {
            v.push(d.rs2 as u64);
        }
        let base = TS_PER_STEP * (rec.t + 1);
        for (j, kind) in kinds.iter().enumerate() {
            let ts = base + 1 + j as u64;
            let a = rec.accesses.get(j).copied().unwrap_or_default();
            let prev = if j < rec.accesses.len() {
                a.prev_ts
            } else {
                ts - 1
            };
            if prev >= ts {
                return Err(Error::TimestampOrder { ts, prev_ts: prev });
            }
            v.extend(limbs16(ts - prev - 1));
            match kind {
                AccessKind::RegRead(_) => v.extend(limbs16(a.read as u64)),
                AccessKind::RegWrite(_) => {
                    v.extend(limbs16(a.read as u64));
                    v.extend(limbs16(a.write as u64));
                }
                AccessKind::MemRead => {
                    v.extend(bytes(a.read));
                    v.push(a.read_only as u64);
                }
                AccessKind::MemWrite => {
                    v.extend(bytes(a.read));
                    v.extend(bytes(a.write));
                }
            }
        }
        let logic = self.circuit.witness(rec);
        if logic.len() != self.circuit.num_witness() {
            return Err(Error::WitnessLength {
                circuit: self.circuit.name().to_string(),
                expected: self.circuit.num_witness(),
                got: logic.len(),
            });
        }
        v.extend(logic);
        Ok(v)
    }

    /// The external witness of up to `k` executions; the remaining slots repeat the first
    /// record, inactive.
    pub fn witness(&self, records: &[ExecRecord]) -> Result<BatchWitness, Error> {
        if records.is_empty() || records.len() > self.k {
            return Err(Error::BatchSize {
                k: self.k,
                got: records.len(),
            });
        }
        let mut values = Vec::with_capacity(self.k * self.slot_len());
        for i in 0..self.k {
            let (rec, active) = match records.get(i) {
                Some(r) => (r, true),
                None => (&records[0], false),
            };
            values.extend(self.slot_values(rec, active)?);
        }
        Ok(BatchWitness { values })
    }

    /// Synthesizes the k slots and returns the next state and the logged lookups.
    pub fn synthesize(
        &self,
        cs: ConstraintSystemRef<Fr>,
        constants: &[FpVar<Fr>],
        z: &[FpVar<Fr>],
        w1: &[FpVar<Fr>],
    ) -> Result<(Vec<FpVar<Fr>>, Vec<Term>), SynthesisError> {
        let (Some(gamma), Some(beta), Some(alpha)) =
            (constants.first(), constants.get(1), constants.get(2))
        else {
            return Err(SynthesisError::Unsatisfiable);
        };
        let ch = ChallengesVar {
            gamma: gamma.clone(),
            beta: beta.clone(),
            alpha: alpha.clone(),
        };
        let len = self.slot_len();
        if z.len() != 2 || w1.len() != self.k * len {
            return Err(SynthesisError::Unsatisfiable);
        }
        let mut ctx = Ctx::new(cs.clone(), ch, FpVar::zero());
        for s in 0..self.k {
            let slot = &w1[s * len..(s + 1) * len];
            ctx.set_active(slot[0].clone());
            self.slot(&mut ctx, slot)?;
        }
        let zero = FpVar::zero();
        let sums = ctx.finish(&z[0], &z[1], &zero)?;
        let log = std::mem::take(&mut ctx.log);
        Ok((vec![sums.mem, sums.lookup], log))
    }

    fn slot(&self, ctx: &mut Ctx, slot: &[FpVar<Fr>]) -> Result<(), SynthesisError> {
        let mut cur = Cursor { v: slot, i: 0 };
        let active = cur.take()?;
        ctx.boolean(&active)?;
        // t < 2^28: t_lo, t_hi and 16·t_hi are 16-bit.
        let (t_lo, t_hi) = (cur.take()?, cur.take()?);
        ctx.range16(&t_lo)?;
        ctx.range16(&t_hi)?;
        ctx.range16(&(&t_hi * Fr::from(16u64)))?;
        let (pc_lo, pc_hi) = (cur.take()?, cur.take()?);
        ctx.range16(&pc_lo)?;
        ctx.range16(&pc_hi)?;
        let pc = lin(
            &[(Fr::from(1u64), &pc_lo), (pow2(16), &pc_hi)],
            Fr::from(0u64),
        )?;
        let f = self.circuit.fields();
        let zero = FpVar::zero();
        let (imm_lo, imm_hi) = if f.imm {
            let (lo, hi) = (cur.take()?, cur.take()?);
            ctx.range16(&lo)?;
            ctx.range16(&hi)?;
            (lo, hi)
        } else {
            (zero.clone(), zero.clone())
        };
        let imm = lin(
            &[(Fr::from(1u64), &imm_lo), (pow2(16), &imm_hi)],
            Fr::from(0u64),
        )?;
        let op = cur.byte_field(f.op, ctx)?;
        let rd = cur.byte_field(f.rd, ctx)?;
        let rd_nz = if f.rd {
            let b = cur.take()?;
            ctx.boolean(&b)?;
            b
        } else {
            zero.clone()
        };
        let rs1 = cur.byte_field(f.rs1, ctx)?;
        let rs2 = cur.byte_field(f.rs2, ctx)?;
        // Fetch: (pc, fields) is an entry of the decoded program table of this circuit.
        let one = Fr::from(1u64);
        let fetch = lin(
            &[
                (one, &pc_lo),
                (pow2(16), &pc_hi),
                (pow2(40), &imm_lo),
                (pow2(56), &imm_hi),
                (pow2(72), &op),
                (pow2(80), &rd),
                (pow2(88), &rs1),
                (pow2(96), &rs2),
                (pow2(104), &rd_nz),
            ],
            Fr::from(0u64),
        )?;
        let fetch_tag = tag::FETCH + self.isa_index as u64;
        ctx.lookup(fetch_tag, &fetch)?;
        // Accesses.
        let ts16 = Fr::from(TS_PER_STEP);
        let base = lin(&[(ts16, &t_lo), (ts16 * pow2(16), &t_hi)], ts16)?;
        let mut acc = Vec::new();
        let mut prev_ts = Vec::new();
        let mut ro = Vec::new();
        for (j, kind) in self.circuit.accesses().iter().enumerate() {
            let (d_lo, d_hi) = (cur.take()?, cur.take()?);
            ctx.range16(&d_lo)?;
            ctx.range16(&d_hi)?;
            prev_ts.push(lin(
                &[
                    (ts16, &t_lo),
                    (ts16 * pow2(16), &t_hi),
                    (-Fr::from(1u64), &d_lo),
                    (-pow2(16), &d_hi),
                ],
                ts16 + Fr::from(j as u64),
            )?);
            let n = if kind.is_mem() { 4 } else { 2 };
            let compose = |l: &[FpVar<Fr>]| -> Result<FpVar<Fr>, SynthesisError> {
                let shift = if l.len() == 4 { 8 } else { 16 };
                let terms: Vec<(Fr, &FpVar<Fr>)> = l
                    .iter()
                    .enumerate()
                    .map(|(i, x)| (pow2(shift * i as u32), x))
                    .collect();
                lin(&terms, Fr::from(0u64))
            };
            let read_limbs = cur.limbs(n, ctx)?;
            let write_limbs = if kind.writes() {
                cur.limbs(n, ctx)?
            } else {
                Vec::new()
            };
            ro.push(if *kind == AccessKind::MemRead {
                let b = cur.take()?;
                ctx.boolean(&b)?;
                Some(b)
            } else {
                None
            });
            let read = compose(&read_limbs)?;
            let write = if kind.writes() {
                compose(&write_limbs)?
            } else {
                read.clone()
            };
            let addr = match kind {
                AccessKind::RegRead(r) | AccessKind::RegWrite(r) => Some(match r {
                    Reg::Rd => rd.clone(),
                    Reg::Rs1 => rs1.clone(),
                    Reg::Rs2 => rs2.clone(),
                    Reg::Fixed(n) => FpVar::Constant(Fr::from(*n as u64)),
                }),
                _ => None,
            };
            acc.push(AccessVar {
                kind: *kind,
                read,
                write,
                read_limbs,
                write_limbs,
                addr,
                enable: None,
            });
        }
        let logic = &slot[cur.i..];
        let mut x = ExecVar {
            pc: pc.clone(),
            rd,
            rd_nz,
            rs1,
            rs2,
            op,
            imm,
            imm_limbs: [imm_lo, imm_hi],
            acc,
        };
        let next_pc = self.circuit.constrain(ctx, &mut x, logic)?;
        // The pc cell: read at 16t (the previous step's pc write), written at 16(t+1).
        let pc_space = Ctx::space(space::PC);
        ctx.mem_tuple(
            false,
            &active,
            &pc_space,
            &zero,
            &pc,
            &(&base - Fr::from(TS_PER_STEP)),
        )?;
        ctx.mem_tuple(true, &active, &pc_space, &zero, &next_pc, &base)?;
        for (j, a) in x.acc.iter().enumerate() {
            let ts = &base + Fr::from(1 + j as u64);
            let enable = match &a.enable {
                Some(e) => &active * e,
                None => active.clone(),
            };
            let sp = match a.kind {
                AccessKind::RegRead(_) | AccessKind::RegWrite(_) => Ctx::space(space::REG),
                AccessKind::MemWrite => Ctx::space(space::RW),
                AccessKind::MemRead => match &ro[j] {
                    Some(b) => Ctx::space(space::RW) + b,
                    None => Ctx::space(space::RW),
                },
            };
            let addr = a.addr.clone().ok_or(SynthesisError::Unsatisfiable)?;
            ctx.mem_tuple(false, &enable, &sp, &addr, &a.read, &prev_ts[j])?;
            ctx.mem_tuple(true, &enable, &sp, &addr, &a.write, &ts)?;
        }
        Ok(())
    }
}

/// Reads a slot's `W1` variables in layout order.
struct Cursor<'a> {
    v: &'a [FpVar<Fr>],
    i: usize,
}

impl Cursor<'_> {
    fn take(&mut self) -> Result<FpVar<Fr>, SynthesisError> {
        let x = self
            .v
            .get(self.i)
            .cloned()
            .ok_or(SynthesisError::Unsatisfiable)?;
        self.i += 1;
        Ok(x)
    }

    /// A decoded field bounded to a byte, or zero if the circuit does not use it.
    fn byte_field(&mut self, used: bool, ctx: &mut Ctx) -> Result<FpVar<Fr>, SynthesisError> {
        if !used {
            return Ok(FpVar::zero());
        }
        let v = self.take()?;
        ctx.byte(&v)?;
        Ok(v)
    }

    /// `n` range-checked limbs: four bytes or two 16-bit limbs.
    fn limbs(&mut self, n: usize, ctx: &mut Ctx) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        (0..n)
            .map(|_| {
                let l = self.take()?;
                if n == 4 {
                    ctx.byte(&l)?;
                } else {
                    ctx.range16(&l)?;
                }
                Ok(l)
            })
            .collect()
    }
}

impl<C: InstructionCircuit> StepCircuit for Batch<C> {
    type ExternalWitness = BatchWitness;

    fn arity(&self) -> usize {
        2
    }

    fn num_constants(&self) -> usize {
        3
    }

    fn dummy_external_witness(&self) -> BatchWitness {
        BatchWitness {
            values: vec![0; self.k * self.slot_len()],
        }
    }

    fn generate_w1(
        &self,
        cs: ConstraintSystemRef<Fr>,
        ext: &BatchWitness,
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        if ext.values.len() != self.k * self.slot_len() {
            return Err(SynthesisError::AssignmentMissing);
        }
        ext.values
            .iter()
            .map(|&v| FpVar::new_witness(cs.clone(), || Ok(Fr::from(v))))
            .collect()
    }

    fn generate_step_constraints(
        &self,
        cs: ConstraintSystemRef<Fr>,
        constants: &[FpVar<Fr>],
        z: &[FpVar<Fr>],
        w1: &[FpVar<Fr>],
        _ext: &BatchWitness,
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        Ok(self.synthesize(cs, constants, z, w1)?.0)
    }
}
