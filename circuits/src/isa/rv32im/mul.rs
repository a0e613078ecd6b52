//! Multiplication: MUL, MULH, MULHSU, MULHU.

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::Ctx;
use crate::instruction::*;
use crate::isa::util::*;
use crate::pack::pow2;
use crate::Fr;

/// The circuit of `mul`. Witness: the op bits `o0`, `o1`, the operands' sign bits, the
/// 64-bit product `L + 2^32·H` of the operands read as signed or unsigned (the op decides)
/// as four 16-bit limbs, and `k`, set when that product is negative:
/// `(a − 2^32·ea)·(b − 2^32·eb) = L + 2^32·H − 2^64·k`, one constraint for all four.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mul;

const ACCESSES: [AccessKind; 3] = [
    AccessKind::RegRead(Reg::Rs1),
    AccessKind::RegRead(Reg::Rs2),
    AccessKind::RegWrite(Reg::Rd),
];

impl InstructionCircuit for Mul {
    fn name(&self) -> &str {
        "mul"
    }
    fn fields(&self) -> Fields {
        Fields {
            rd: true,
            rs1: true,
            rs2: true,
            op: true,
            ..Fields::default()
        }
    }
    fn accesses(&self) -> &[AccessKind] {
        &ACCESSES
    }
    fn witness_layout(&self) -> Vec<u32> {
        bits(5).chain([16; 4]).collect()
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        let (a, b) = (rec.read(0), rec.read(1));
        let op = rec.d.op;
        let (sa, sb) = (matches!(op, 1 | 2), op == 1);
        let av = if sa { a as i32 as i128 } else { a as i128 };
        let bv = if sb { b as i32 as i128 } else { b as i128 };
        let p = av * bv;
        let k = (p < 0) as u64;
        let u = p as u64;
        let mut w = vec![
            (op & 1) as u64,
            ((op >> 1) & 1) as u64,
            sign_w(a),
            sign_w(b),
            k,
        ];
        w.extend(limbs_w(u & 0xffff_ffff));
        w.extend(limbs_w(u >> 32));
        w
    }
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let (o0, o1, sa, sb, k) = (&w[0], &w[1], &w[2], &w[3], &w[4]);
        ctx.equal(&x.op, &(o0 + o1 * Fr::from(2u64)))?;
        sign_bit(ctx, &x.acc[0].read_limbs[1], sa)?;
        sign_bit(ctx, &x.acc[1].read_limbs[1], sb)?;
        let o01 = ctx.mul(o0, o1);
        // MULH (1) and MULHSU (2) read rs1 as signed; only MULH reads rs2 as signed.
        let signed_a = o0 + o1 - &o01 * Fr::from(2u64);
        let signed_b = o0 - &o01;
        let ea = ctx.mul(&signed_a, sa);
        let eb = ctx.mul(&signed_b, sb);
        let a = &x.acc[0].read - ea * two32();
        let b = &x.acc[1].read - eb * two32();
        let l = from_limbs(&w[5], &w[6]);
        let h = from_limbs(&w[7], &w[8]);
        ctx.enforce_mul(&a, &b, &(&l + &h * two32() - k * pow2(64)))?;
        // MUL (op 0) takes the low word, the others the high word.
        let is_mul = FpVar::Constant(Fr::from(1u64)) - o0 - o1 + &o01;
        let result = ctx.select(&is_mul, &l, &h);
        x.write_rd(2, &result)?;
        Ok(&x.pc + Fr::from(4u64))
    }
}
