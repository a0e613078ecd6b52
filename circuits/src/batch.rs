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

use crate::gadgets::{lin, Bounded, ChallengesVar, Ctx, Term};
use crate::instruction::{
    AccessKind, AccessVar, ExecRecord, ExecVar, InstructionCircuit, Logic, Reg,
};
use crate::pack::{pow2, space, tag, MAX_STEPS, TS_PER_STEP};
use crate::tamper::Overrides;
use crate::{Error, Fr};

/// The `W1` values of a batch, slot after slot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchWitness {
    /// `k · slot_len` small values.
    pub values: Vec<u64>,
    /// Values a test set instead (feature `tamper`).
    pub overrides: Overrides,
}

/// One folding step: `k` executions of the instruction circuit `C`.
#[derive(Clone, Debug)]
pub struct Batch<C> {
    circuit: C,
    isa_index: usize,
    k: usize,
    layout: Vec<u32>,
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
        let mut layout = Self::shared_layout(&circuit);
        layout.extend(circuit.witness_layout());
        Batch {
            circuit,
            isa_index,
            k: k.max(1),
            layout,
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
        self.layout.len()
    }

    /// The declared width in bits of every `W1` value of a slot, in order: the shared part
    /// (activity, step, pc, decoded fields, per access the timestamp gap and the values'
    /// limbs) followed by the circuit's logic witness. [`Self::slot_values`] builds values
    /// in this order and the circuit enforces every width before using any value.
    pub fn layout(&self) -> &[u32] {
        &self.layout
    }

    fn shared_layout(circuit: &C) -> Vec<u32> {
        let f = circuit.fields();
        // active; t as a 16- and a 12-bit limb (t < 2^28); pc as two 16-bit limbs.
        let mut l = vec![1, 16, 12, 16, 16];
        if f.imm {
            l.extend([16, 16]);
        }
        if f.op {
            l.push(8);
        }
        if f.rd {
            l.extend([8, 1]);
        }
        if f.rs1 {
            l.push(8);
        }
        if f.rs2 {
            l.push(8);
        }
        for kind in circuit.accesses() {
            l.extend([16, 16]);
            let value: &[u32] = if kind.is_mem() { &[8; 4] } else { &[16; 2] };
            l.extend(value);
            if kind.writes() {
                l.extend(value);
            }
            if *kind == AccessKind::MemRead {
                l.push(1);
            }
        }
        l
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
        let cycles = self.circuit.cycles() as u64;
        if rec.t + cycles > MAX_STEPS {
            return Err(Error::TraceTooLong {
                steps: rec.t + cycles,
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
        if v.len() + logic.len() != self.layout.len() {
            return Err(Error::WitnessLength {
                circuit: self.circuit.name().to_string(),
                expected: self.layout.len() - v.len(),
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
        Ok(BatchWitness {
            values,
            overrides: Overrides::default(),
        })
    }

    /// The lookups the active slots of a batch make (pass 1 counts them into the tables'
    /// multiplicities; they do not depend on the challenges), evaluated natively: the
    /// step's own code on constants, without a constraint system.
    pub fn lookups(&self, w: &BatchWitness) -> Result<Vec<Term>, Error> {
        let zeros = vec![FpVar::zero(); 3];
        let w1 = w.overrides.constants(&w.values);
        let (_, log) = self.synthesize(ConstraintSystemRef::None, &zeros, &zeros[..2], &w1)?;
        Ok(log)
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
        // Every value's declared width first: nothing below uses an unchecked value.
        let cells = slot
            .iter()
            .zip(&self.layout)
            .map(|(v, &bits)| ctx.range(v, bits))
            .collect::<Result<Vec<Bounded>, _>>()?;
        let mut cur = Cursor { v: &cells, i: 0 };
        let active = cur.take()?.var().clone();
        // t < 2^28 (a 16- and a 12-bit limb).
        let (t_lo, t_hi) = (cur.take()?, cur.take()?);
        let (pc_lo, pc_hi) = (cur.take()?, cur.take()?);
        let pc = Bounded::compose(&[&pc_lo, &pc_hi], 16)?;
        let f = self.circuit.fields();
        let zero = Bounded::constant(0);
        let (imm_lo, imm_hi) = if f.imm {
            (cur.take()?, cur.take()?)
        } else {
            (zero.clone(), zero.clone())
        };
        let imm = Bounded::compose(&[&imm_lo, &imm_hi], 16)?;
        let op = cur.field(f.op)?;
        let rd = cur.field(f.rd)?;
        let rd_nz = cur.field(f.rd)?;
        let rs1 = cur.field(f.rs1)?;
        let rs2 = cur.field(f.rs2)?;
        // Fetch: (pc, fields) is an entry of the decoded program table of this circuit
        // (`pack::fetch_payload`).
        ctx.lookup_packed(
            tag::FETCH + self.isa_index as u64,
            &[
                (&pc_lo, 16),
                (&pc_hi, 24),
                (&imm_lo, 16),
                (&imm_hi, 16),
                (&op, 8),
                (&rd, 8),
                (&rs1, 8),
                (&rs2, 8),
                (&rd_nz, 1),
            ],
        )?;
        // Accesses.
        let ts16 = Fr::from(TS_PER_STEP);
        let base = lin(&[(ts16, t_lo.var()), (ts16 * pow2(16), t_hi.var())], ts16)?;
        let mut acc = Vec::new();
        let mut prev_ts = Vec::new();
        let mut ro = Vec::new();
        for (j, kind) in self.circuit.accesses().iter().enumerate() {
            let (d_lo, d_hi) = (cur.take()?, cur.take()?);
            prev_ts.push(lin(
                &[
                    (ts16, t_lo.var()),
                    (ts16 * pow2(16), t_hi.var()),
                    (-Fr::from(1u64), d_lo.var()),
                    (-pow2(16), d_hi.var()),
                ],
                ts16 + Fr::from(j as u64),
            )?);
            let n = if kind.is_mem() { 4 } else { 2 };
            let shift = 32 / n as u32;
            let read_limbs = cur.take_n(n)?;
            let write_limbs = if kind.writes() {
                cur.take_n(n)?
            } else {
                Vec::new()
            };
            ro.push(if *kind == AccessKind::MemRead {
                Some(cur.take()?)
            } else {
                None
            });
            let compose = |l: &[Bounded]| -> Result<FpVar<Fr>, SynthesisError> {
                let refs: Vec<&Bounded> = l.iter().collect();
                Ok(Bounded::compose(&refs, shift)?.var().clone())
            };
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
                    Reg::Fixed(n) => Bounded::constant(*n as u64),
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
        let logic = Logic::new(cells[cur.i..].to_vec());
        let mut x = ExecVar {
            pc: pc.var().clone(),
            rd: rd.var().clone(),
            rd_nz: rd_nz.var().clone(),
            rs1: rs1.var().clone(),
            rs2: rs2.var().clone(),
            op: op.var().clone(),
            imm: imm.var().clone(),
            imm_limbs: [imm_lo, imm_hi],
            acc,
        };
        let next_pc = self.circuit.constrain(ctx, &mut x, &logic)?;
        // The pc cell: read at 16t (the previous step's pc write), written at 16(t + c) for
        // an instruction of c cycles, where the step at cycle t + c reads it.
        let pc_space = Ctx::space(space::PC);
        let zero = FpVar::zero();
        ctx.mem_tuple(
            false,
            &active,
            &pc_space,
            &zero,
            pc.var(),
            &(&base - Fr::from(TS_PER_STEP)),
        )?;
        let pc_write = &base + Fr::from(TS_PER_STEP * (self.circuit.cycles() as u64 - 1));
        ctx.mem_tuple(true, &active, &pc_space, &zero, &next_pc, &pc_write)?;
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
                    Some(b) => Ctx::space(space::RW) + b.var(),
                    None => Ctx::space(space::RW),
                },
            };
            // An address is a byte (registers) or a word address below 2^32.
            let addr = a
                .addr
                .as_ref()
                .filter(|b| b.bits() <= 32)
                .ok_or(SynthesisError::Unsatisfiable)?;
            ctx.mem_tuple(false, &enable, &sp, addr.var(), &a.read, &prev_ts[j])?;
            ctx.mem_tuple(true, &enable, &sp, addr.var(), &a.write, &ts)?;
        }
        Ok(())
    }
}

/// Reads a slot's checked `W1` values in layout order.
struct Cursor<'a> {
    v: &'a [Bounded],
    i: usize,
}

impl Cursor<'_> {
    fn take(&mut self) -> Result<Bounded, SynthesisError> {
        let x = self
            .v
            .get(self.i)
            .cloned()
            .ok_or(SynthesisError::Unsatisfiable)?;
        self.i += 1;
        Ok(x)
    }

    fn take_n(&mut self, n: usize) -> Result<Vec<Bounded>, SynthesisError> {
        (0..n).map(|_| self.take()).collect()
    }

    /// A decoded field, or zero if the circuit does not use it.
    fn field(&mut self, used: bool) -> Result<Bounded, SynthesisError> {
        if used {
            self.take()
        } else {
            Ok(Bounded::constant(0))
        }
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
            overrides: Overrides::default(),
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
        _ext: &BatchWitness,
    ) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        Ok(self.synthesize(cs, constants, z, w1)?.0)
    }
}

/// Constraints of one step of `Batch::new(circuit, 0, k)` (synthesized without values).
pub fn batch_constraints<C: InstructionCircuit + Clone>(
    circuit: &C,
    k: usize,
) -> Result<usize, Error> {
    let batch = Batch::new(circuit.clone(), 0, k);
    let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
    let input = || FpVar::new_input(cs.clone(), || Ok(Fr::from(0u64)));
    let c = (0..3).map(|_| input()).collect::<Result<Vec<_>, _>>()?;
    let z = (0..2).map(|_| input()).collect::<Result<Vec<_>, _>>()?;
    let ext = batch.dummy_external_witness();
    let w1 = batch.generate_w1(cs.clone(), &ext)?;
    batch.generate_step_constraints(cs.clone(), &c, &z, &w1, &ext)?;
    Ok(cs.num_constraints())
}

/// Constraints per execution of an instruction circuit.
pub fn constraints_per_execution<C: InstructionCircuit + Clone>(
    circuit: &C,
) -> Result<usize, Error> {
    Ok(batch_constraints(circuit, 2)? - batch_constraints(circuit, 1)?)
}
