//! The circuit of `keccak_f1600` (`crease_nvm::isa::keccak_f1600`): the Keccak-f\[1600\]
//! permutation of the 25 lanes at `rs1`, in place.
//!
//! The state is held as 1,600 bits, each a witness bit or a linear combination that the
//! circuit constrains to `{0, 1}` ([`bitwise`]); per round and bit:
//!
//! - `θ`: a column's parity is the parity of five bits through two carry bits, and each bit
//!   of the state is XORed with two column parities through one carry bit;
//! - `ρ` and `π` move bits: no constraint;
//! - `χ`: `t = ¬b1 ∧ b2` is a witness bit with `b1·b2 = b2 − t` (so `t` is the AND), and
//!   the output is a witness bit `o` with `2b·t = b + t − o` (so `o = b ⊕ t`): every round
//!   starts from witness bits, and no combination grows past a few dozen terms;
//! - `ι`: flipping the bits of lane 0 where the round constant has ones: linear.
//!
//! About 10.6k constraints a round; the memory words are read and written as bytes by the
//! shared part and tied to the bits with one constraint a word.

use ark_ff::{One, Zero};
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;
use crease_nvm::isa::keccak_f1600::{self as native, PI, RC, RHO, ROUNDS};

use crate::gadgets::{lin, Ctx};
use crate::instruction::*;
use crate::isa::bitwise::{self, push_bits, push_last_word, push_parity_carries, Tape};
use crate::isa::util::bits;
use crate::Fr;

/// The `keccak_f1600` co-processor's circuit.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeccakF1600;

/// The state's fifty words, read and written once each.
const WORDS: usize = 50;

/// Accesses: the pointer, then the fifty state words.
const ACCESSES: [AccessKind; 1 + WORDS] = {
    let mut a = [AccessKind::MemWrite; 1 + WORDS];
    a[0] = AccessKind::RegRead(Reg::Rs1);
    a
};

/// Witness bits of one round: `θ`'s column carries (two a bit), its XOR carries, and per
/// bit of `χ` the AND and the output.
const ROUND_BITS: usize = 5 * 64 * 2 + 25 * 64 + 25 * 64 * 2;

fn layout() -> Vec<u32> {
    // The last word's index as a 16- and a 14-bit limb, the input bits, the rounds.
    let mut l = vec![16, 14];
    l.extend(bits(1600 + ROUNDS * ROUND_BITS));
    l
}

fn bit(lane: u64, z: usize) -> u32 {
    ((lane >> z) & 1) as u32
}

/// Native: the witness in layout order.
fn witness_of(rec: &ExecRecord) -> Vec<u64> {
    let mut w = Vec::with_capacity(layout().len());
    push_last_word(&mut w, rec.read(0), WORDS as u32);
    let words: [u32; WORDS] = std::array::from_fn(|j| rec.read(1 + j));
    for &word in &words {
        push_bits(&mut w, word as u64, 32);
    }
    let mut a = native::lanes(&words);
    for round in 0..ROUNDS {
        let c: [u64; 5] = std::array::from_fn(|x| (0..5).fold(0, |c, y| c ^ a[x + 5 * y]));
        for x in 0..5 {
            for z in 0..64 {
                let s = (0..5).map(|y| bit(a[x + 5 * y], z)).sum();
                push_parity_carries(&mut w, s, 2);
            }
        }
        for (i, lane) in a.iter().enumerate() {
            let x = i % 5;
            for z in 0..64 {
                let s = bit(*lane, z) + bit(c[(x + 4) % 5], z) + bit(c[(x + 1) % 5], (z + 63) % 64);
                push_parity_carries(&mut w, s, 1);
            }
        }
        native::theta(&mut a);
        let b = native::rho_pi(&a);
        for i in 0..25 {
            let (x, row) = (i % 5, 5 * (i / 5));
            let (b1, b2) = (b[row + (x + 1) % 5], b[row + (x + 2) % 5]);
            for z in 0..64 {
                let t = (1 - bit(b1, z)) * bit(b2, z);
                w.push(t as u64);
                w.push((bit(b[i], z) ^ t) as u64);
            }
        }
        a = native::chi(&b);
        native::iota(&mut a, round);
    }
    w
}

type Lane = Vec<FpVar<Fr>>;

/// One round on the state's bits.
fn round(
    ctx: &mut Ctx,
    tape: &mut Tape,
    a: &[Lane],
    round: usize,
) -> Result<Vec<Lane>, SynthesisError> {
    // θ: column parities, then each bit with two of them.
    let mut c: Vec<Lane> = Vec::with_capacity(5);
    for x in 0..5 {
        let column = (0..64)
            .map(|z| {
                let inputs: Vec<&FpVar<Fr>> = (0..5).map(|y| &a[x + 5 * y][z]).collect();
                bitwise::parity(ctx, tape, &inputs, 2)
            })
            .collect::<Result<Lane, _>>()?;
        c.push(column);
    }
    let mut theta: Vec<Lane> = Vec::with_capacity(25);
    for (i, lane) in a.iter().enumerate() {
        let x = i % 5;
        let out = (0..64)
            .map(|z| {
                let inputs = [&lane[z], &c[(x + 4) % 5][z], &c[(x + 1) % 5][(z + 63) % 64]];
                bitwise::parity(ctx, tape, &inputs, 1)
            })
            .collect::<Result<Lane, _>>()?;
        theta.push(out);
    }
    // ρ and π: lane i rotated left by RHO[i] lands at PI[i].
    let mut b: Vec<Lane> = vec![Vec::new(); 25];
    for (i, lane) in theta.iter().enumerate() {
        let r = RHO[i] as usize;
        b[PI[i]] = (0..64).map(|z| lane[(z + 64 - r) % 64].clone()).collect();
    }
    // χ, then ι on lane 0.
    let mut out: Vec<Lane> = Vec::with_capacity(25);
    for i in 0..25 {
        let (x, row) = (i % 5, 5 * (i / 5));
        let (b1, b2) = (&b[row + (x + 1) % 5], &b[row + (x + 2) % 5]);
        let lane = (0..64)
            .map(|z| {
                let t = tape.bit()?;
                let rhs = lin(&[(Fr::one(), &b2[z]), (-Fr::one(), &t)], Fr::zero())?;
                ctx.enforce_mul(&b1[z], &b2[z], &rhs)?;
                // A fresh bit for the output, `2b·t = b + t − out`, so that the next round's
                // combinations start again from bits (they would grow with every round).
                let mut v = tape.bit()?;
                let two_b = lin(&[(Fr::from(2u64), &b[i][z])], Fr::zero())?;
                let xor = lin(
                    &[(Fr::one(), &b[i][z]), (Fr::one(), &t), (-Fr::one(), &v)],
                    Fr::zero(),
                )?;
                ctx.enforce_mul(&two_b, &t, &xor)?;
                if i == 0 && (RC[round] >> z) & 1 == 1 {
                    v = lin(&[(-Fr::one(), &v)], Fr::one())?;
                }
                Ok(v)
            })
            .collect::<Result<Lane, SynthesisError>>()?;
        out.push(lane);
    }
    Ok(out)
}

impl InstructionCircuit for KeccakF1600 {
    fn name(&self) -> &str {
        "keccak_f1600"
    }
    fn fields(&self) -> Fields {
        Fields {
            rs1: true,
            ..Fields::default()
        }
    }
    fn accesses(&self) -> &[AccessKind] {
        &ACCESSES
    }
    fn cycles(&self) -> u32 {
        4
    }
    fn max_batch(&self) -> Option<usize> {
        // Two permutations: a step of about 510k constraints, the recursion under 4%.
        Some(2)
    }
    fn witness_layout(&self) -> Vec<u32> {
        layout()
    }
    fn witness(&self, rec: &ExecRecord) -> Vec<u64> {
        witness_of(rec)
    }
    fn constrain(
        &self,
        ctx: &mut Ctx,
        x: &mut ExecVar,
        w: &Logic,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let mut tape = Tape::new(w);
        bitwise::address_run(ctx, &mut tape, x, 0, 1, WORDS)?;
        // Lane i is words 2i (bits 0..32) and 2i + 1 (bits 32..64), each four bytes.
        let mut a: Vec<Lane> = Vec::with_capacity(25);
        for i in 0..25 {
            let mut lane = Vec::with_capacity(64);
            for half in 0..2 {
                let read = x.acc[1 + 2 * i + half].read.clone();
                lane.extend(bitwise::decompose(ctx, &mut tape, &read, 32)?);
            }
            a.push(lane);
        }
        for r in 0..ROUNDS {
            a = round(ctx, &mut tape, &a, r)?;
        }
        for (j, acc) in x.acc[1..].iter().enumerate() {
            let half = &a[j / 2][32 * (j % 2)..32 * (j % 2) + 32];
            ctx.equal(&bitwise::value(half)?, &acc.write)?;
        }
        tape.finish()?;
        Ok(&x.pc + Fr::from(4u64))
    }
}
