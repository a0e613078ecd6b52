//! The circuit of the example co-processor `sha256_sigma` (examples/coprocessor): the four
//! SHA-256 sigma functions of `rs1`, selected by `funct3`.
//!
//! It lives here, not in the example crate, so that the example's native half stays free of
//! arkworks; a co-processor of a user's own builds its circuit the same way, against
//! [`InstructionCircuit`].

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::Ctx;
use crate::instruction::*;
use crate::isa::util::{op_flags, op_flags_w};
use crate::pack::pow2;
use crate::Fr;

/// `rd = Σ0/Σ1/σ0/σ1(rs1)`. Witness: four op flags, the 32 bits of `rs1`, and for each
/// function the bytes of `A & B` and `(A ^ B) & C` for its three rotated or shifted words
/// `A`, `B`, `C` (which are linear in the bits, so the XORs cost byte lookups only).
#[derive(Clone, Copy, Debug, Default)]
pub struct Sha256Sigma;

/// Per function: three amounts; the last is a logical shift when the flag is set.
const FUNCS: [([u32; 3], bool); 4] = [
    ([2, 13, 22], false),
    ([6, 11, 25], false),
    ([7, 18, 3], true),
    ([17, 19, 10], true),
];
const OPS: [u8; 4] = [0, 1, 2, 3];
const ACCESSES: [AccessKind; 2] = [AccessKind::RegRead(Reg::Rs1), AccessKind::RegWrite(Reg::Rd)];

fn words(x: u32, f: usize) -> [u32; 3] {
    let ([r1, r2, r3], shr) = FUNCS[f];
    [
        x.rotate_right(r1),
        x.rotate_right(r2),
        if shr { x >> r3 } else { x.rotate_right(r3) },
    ]
}

/// Byte `j` of a rotated (or shifted) word as a combination of the bits.
fn byte_of(bits: &[FpVar<Fr>], r: u32, shr: bool, j: usize) -> FpVar<Fr> {
    let mut s = FpVar::Constant(Fr::from(0u64));
    for i in 0..8 {
        let k = 8 * j as u32 + i + r;
        if shr && k >= 32 {
            continue;
        }
        s += &bits[(k % 32) as usize] * pow2(i);
    }
    s
}

impl InstructionCircuit for Sha256Sigma {
    fn name(&self) -> &str {
        "sha256_sigma"
    }
    fn fields(&self) -> Fields {
        Fields {
            rd: true,
            rs1: true,
            op: true,
            ..Fields::default()
        }
    }
    fn accesses(&self) -> &[AccessKind] {
        &ACCESSES
    }
    fn num_witness(&self) -> usize {
        4 + 32 + 32
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        let x = rec.read(0);
        let mut w = op_flags_w(rec.d.op, &OPS);
        w.extend((0..32).map(|i| ((x >> i) & 1) as u64));
        for f in 0..4 {
            let [a, b, c] = words(x, f);
            w.extend((a & b).to_le_bytes().map(u64::from));
            w.extend(((a ^ b) & c).to_le_bytes().map(u64::from));
        }
        w
    }
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &[FpVar<Fr>],
    ) -> Result<FpVar<Fr>, SynthesisError> {
        op_flags(ctx, &x.op, &w[0..4], &OPS)?;
        let bits = &w[4..36];
        let mut sum = FpVar::Constant(Fr::from(0u64));
        for (i, b) in bits.iter().enumerate() {
            ctx.boolean(b)?;
            sum += b * pow2(i as u32);
        }
        ctx.equal(&sum, &x.acc[0].read)?;
        let mut result = FpVar::Constant(Fr::from(0u64));
        for (f, &([r1, r2, r3], shr)) in FUNCS.iter().enumerate() {
            let ab = &w[36 + 8 * f..40 + 8 * f];
            let dc = &w[40 + 8 * f..44 + 8 * f];
            let mut value = FpVar::Constant(Fr::from(0u64));
            for j in 0..4 {
                let a = byte_of(bits, r1, false, j);
                let b = byte_of(bits, r2, false, j);
                let c = byte_of(bits, r3, shr, j);
                ctx.and8(&a, &b, &ab[j])?;
                let d = &a + &b - &ab[j] * Fr::from(2u64);
                ctx.and8(&d, &c, &dc[j])?;
                let e = &d + &c - &dc[j] * Fr::from(2u64);
                value += e * pow2(8 * j as u32);
            }
            result += ctx.mul(&w[f], &value);
        }
        x.write_rd(1, &result)?;
        Ok(&x.pc + Fr::from(4u64))
    }
}
