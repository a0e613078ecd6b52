//! The circuit of the example co-processor `sha256_sigma` (examples/coprocessor): the four
//! SHA-256 sigma functions of `rs1`, selected by `funct3`.
//!
//! It lives here, not in the example crate, so that the example's native half stays free of
//! arkworks; a co-processor of a user's own builds its circuit the same way, against
//! [`InstructionCircuit`].

use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::{Bounded, Ctx};
use crate::instruction::*;
use crate::isa::util::{bits, op_flags, op_flags_w};
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

/// Byte `j` of a rotated (or shifted) word, composed from the bits.
fn byte_of(bits: &[Bounded], r: u32, shr: bool, j: usize) -> Result<Bounded, SynthesisError> {
    let zero = Bounded::constant(0);
    let b: Vec<&Bounded> = (0..8)
        .map(|i| {
            let k = 8 * j as u32 + i + r;
            if shr && k >= 32 {
                &zero
            } else {
                &bits[(k % 32) as usize]
            }
        })
        .collect();
    Bounded::compose(&b, 1)
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
    fn witness_layout(&self) -> Vec<u32> {
        bits(4 + 32).chain([8; 32]).collect()
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
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        op_flags(&x.op, &w[0..4], &OPS)?;
        let bits = (4..36)
            .map(|i| w.cell(i).cloned())
            .collect::<Result<Vec<Bounded>, _>>()?;
        let refs: Vec<&Bounded> = bits.iter().collect();
        ctx.equal(Bounded::compose(&refs, 1)?.var(), &x.acc[0].read)?;
        let mut result = FpVar::Constant(Fr::from(0u64));
        for (f, &([r1, r2, r3], shr)) in FUNCS.iter().enumerate() {
            let mut value = FpVar::Constant(Fr::from(0u64));
            for j in 0..4 {
                let a = byte_of(&bits, r1, false, j)?;
                let b = byte_of(&bits, r2, false, j)?;
                let c = byte_of(&bits, r3, shr, j)?;
                let d = ctx.and_xor8(&a, &b, w.cell(36 + 8 * f + j)?)?;
                let e = ctx.and_xor8(&d, &c, w.cell(40 + 8 * f + j)?)?;
                value += e.var() * pow2(8 * j as u32);
            }
            result += ctx.mul(&w[f], &value);
        }
        x.write_rd(1, &result)?;
        Ok(&x.pc + Fr::from(4u64))
    }
}
