//! Stores: SB, SH, SW.

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::Ctx;
use crate::instruction::*;
use crate::isa::util::*;
use crate::pack::pow2;
use crate::Fr;

/// The circuit of `store`. Witness: three op flags (SB, SH, SW), the address carry, bits 0
/// and 1 of the address, its word index, and the four bytes of `rs2`. Each byte of the new
/// word is the old byte or a byte of `rs2`, as the operation and address select; the word
/// is written in the writable space only (a store into code or read-only data has no
/// matching cell).
#[derive(Clone, Copy, Debug, Default)]
pub struct Store;

const OPS: [u8; 3] = [0, 1, 2];
const ACCESSES: [AccessKind; 3] = [
    AccessKind::RegRead(Reg::Rs1),
    AccessKind::RegRead(Reg::Rs2),
    AccessKind::MemWrite,
];

impl InstructionCircuit for Store {
    fn name(&self) -> &str {
        "store"
    }
    fn fields(&self) -> Fields {
        Fields {
            rs1: true,
            rs2: true,
            op: true,
            imm: true,
            ..Fields::default()
        }
    }
    fn accesses(&self) -> &[AccessKind] {
        &ACCESSES
    }
    fn witness_layout(&self) -> Vec<u32> {
        bits(OPS.len() + 3)
            .chain(WORD_INDEX)
            .chain([8; 4])
            .collect()
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        let sum = rec.read(0) as u64 + rec.d.imm as u32 as u64;
        let addr = sum as u32;
        let mut w = op_flags_w(rec.d.op, &OPS);
        w.extend([sum >> 32, (addr & 1) as u64, ((addr >> 1) & 1) as u64]);
        w.extend(word_addr_w(addr));
        w.extend(rec.read(1).to_le_bytes().map(u64::from));
        w
    }
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let f = &w[0..3];
        op_flags(&x.op, f, &OPS)?;
        let (c, b0, b1) = (&w[3], &w[4], &w[5]);
        let word_addr = word_addr(w.cell(6)?, w.cell(7)?)?;
        let addr = word_addr.var() + b1 * Fr::from(2u64) + b0;
        ctx.equal(&(&x.acc[0].read + &x.imm - c * two32()), &addr)?;
        let zero = FpVar::Constant(Fr::from(0u64));
        ctx.enforce_mul(&f[1], b0, &zero)?;
        ctx.enforce_mul(&f[2], &(b0 + b1), &zero)?;
        x.acc[2].addr = Some(word_addr);
        let v = &w[8..12];
        let limbs = &x.acc[1].read_limbs;
        ctx.equal(limbs[0].var(), &(&v[0] + &v[1] * pow2(8)))?;
        ctx.equal(limbs[1].var(), &(&v[2] + &v[3] * pow2(8)))?;
        let p3 = ctx.mul(b0, b1);
        let p = [
            FpVar::Constant(Fr::from(1u64)) - b0 - b1 + &p3,
            b0 - &p3,
            b1 - &p3,
            p3,
        ];
        let f1b1 = ctx.mul(&f[1], b1);
        let low = &f[1] - &f1b1;
        let sel = [
            &f[2] + &low + ctx.mul(&f[0], &p[0]),
            &f[2] + &low + ctx.mul(&f[0], &p[1]),
            &f[2] + &f1b1 + ctx.mul(&f[0], &p[2]),
            &f[2] + &f1b1 + ctx.mul(&f[0], &p[3]),
        ];
        let src = [
            v[0].clone(),
            &v[1] + ctx.mul(&f[0], &(&v[0] - &v[1])),
            &v[0] + ctx.mul(&f[2], &(&v[2] - &v[0])),
            &v[0] + ctx.mul(&f[2], &(&v[3] - &v[0])) + ctx.mul(&f[1], &(&v[1] - &v[0])),
        ];
        let (old, new) = (&x.acc[2].read_limbs, &x.acc[2].write_limbs);
        for i in 0..4 {
            let (o, n) = (old[i].var(), new[i].var());
            ctx.enforce_mul(&sel[i], &(&src[i] - o), &(n - o))?;
        }
        Ok(&x.pc + Fr::from(4u64))
    }
}
