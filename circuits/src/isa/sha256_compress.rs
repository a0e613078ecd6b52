//! The circuit of `sha256_compress` (`crease_nvm::isa::sha256_compress`): one SHA-256
//! compression of the eight state words at `rs1` with the 64-byte block at `rs2`, state
//! updated in place.
//!
//! Every word the compression works on is held as 32 bits, and every bit is a witness bit
//! or a linear combination of bits that the circuit constrains to `{0, 1}`; nothing needs a
//! lookup beyond the memory values' bytes. Per output bit:
//!
//! - an XOR of three bits `x = a ⊕ b ⊕ c` (`Σ0`, `Σ1`, `σ0`, `σ1`) is `a + b + c − 2h` for
//!   a witness bit `h`, constrained to `{0, 1}`: two constraints, and `h` is then the
//!   majority of `a, b, c` (an XOR of two bits, where a shift brings in zeros, the same
//!   with `h = a ∧ b`);
//! - `Maj(a, b, c)` is a witness bit `m` with `a + b + c − 2m ∈ {0, 1}`: two constraints;
//! - `Ch(e, f, g)` is a witness bit `c` with `e·(f − g) = c − g`: two constraints;
//! - a sum of words modulo `2^32` is its 32 result bits and carry bits (as many as the
//!   sum's bound needs) with one linear constraint between them: no wrap, since every sum
//!   is below `7·2^32`.
//!
//! Words are read from memory as bytes (the shared part range-checks them); a message word
//! is its four bytes big-endian, a state word little-endian; a word whose bits are used
//! (not only its value) is decomposed with one constraint tying the bits to the bytes.
//! Those byte range checks carry weight here: without them the same memory word could be
//! split into other "bytes" (`x_k + 256`, `x_(k+1) − 1`) that make another message word,
//! and `W0`, `d`, `h` (used as values only) and the final carry could leave 32 bits —
//! `circuits/tests/sha256_attacks.rs` builds each of these forgeries and sees the byte
//! lookups reject them.

use ark_ff::{One, Zero};
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;
use crease_nvm::isa::sha256_compress::{self as native, K};

use crate::gadgets::{lin, Bounded, Ctx};
use crate::instruction::*;
use crate::isa::bitwise::{self, push_bits, push_last_word, push_parity_carries, Tape};
use crate::isa::util::bits;
use crate::pack::pow2;
use crate::Fr;

/// The `sha256_compress` co-processor's circuit.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sha256Compress;

/// Accesses: the two pointers, the sixteen block words, the eight state words.
const ACCESSES: [AccessKind; 26] = {
    let mut a = [AccessKind::MemRead; 26];
    a[0] = AccessKind::RegRead(Reg::Rs1);
    a[1] = AccessKind::RegRead(Reg::Rs2);
    let mut j = STATE;
    while j < 26 {
        a[j] = AccessKind::MemWrite;
        j += 1;
    }
    a
};
/// The first block access.
const BLOCK: usize = 2;
/// The first state access.
const STATE: usize = 18;

/// A term of an XOR: a rotation or a logical shift right of a word.
#[derive(Clone, Copy)]
enum Move {
    Rotr(u32),
    Shr(u32),
}

impl Move {
    /// The bit of the source word that lands at bit `i`, if any.
    fn source(self, i: u32) -> Option<usize> {
        match self {
            Move::Rotr(r) => Some(((i + r) % 32) as usize),
            Move::Shr(r) => (i + r < 32).then_some((i + r) as usize),
        }
    }
}

const BIG_SIGMA0: [Move; 3] = [Move::Rotr(2), Move::Rotr(13), Move::Rotr(22)];
const BIG_SIGMA1: [Move; 3] = [Move::Rotr(6), Move::Rotr(11), Move::Rotr(25)];
const SMALL_SIGMA0: [Move; 3] = [Move::Rotr(7), Move::Rotr(18), Move::Shr(3)];
const SMALL_SIGMA1: [Move; 3] = [Move::Rotr(17), Move::Rotr(19), Move::Shr(10)];

/// State words whose bits the first rounds use (`d` and `h` enter sums only).
const STATE_BITS: [usize; 6] = [0, 1, 2, 4, 5, 6];

/// Layout widths of the logic witness, in the order [`Tape`] reads them.
fn layout() -> Vec<u32> {
    // The last word indices of the state and the block, as 16- and 14-bit limbs.
    let mut l = vec![16, 14, 16, 14];
    l.extend(bits(32 * STATE_BITS.len() + 32 * 15));
    // Schedule: σ0 and σ1 carries, the word, two carry bits.
    l.extend(bits(48 * (32 + 32 + 32 + 2)));
    // Rounds: Σ1 carries, Ch, Σ0 carries, Maj, e and three carries, a and three carries.
    l.extend(bits(64 * (32 * 4 + 35 + 35)));
    // The final additions' carries.
    l.extend(bits(8));
    l
}

/// Native: the witness in layout order.
fn witness_of(rec: &ExecRecord) -> Vec<u64> {
    let mut w = Vec::with_capacity(layout().len());
    push_last_word(&mut w, rec.read(0), 8);
    push_last_word(&mut w, rec.read(1), 16);
    let state: [u32; 8] = std::array::from_fn(|j| rec.read(STATE + j));
    let block: [u32; 16] = std::array::from_fn(|i| rec.read(BLOCK + i));
    let push_word = |w: &mut Vec<u64>, x: u32| push_bits(w, x as u64, 32);
    let xor_carries = |w: &mut Vec<u64>, x: u32, moves: &[Move; 3]| {
        for i in 0..32 {
            let s: u32 = moves
                .iter()
                .filter_map(|mv| mv.source(i))
                .map(|b| (x >> b) & 1)
                .sum();
            push_parity_carries(w, s, 1);
        }
    };
    for j in STATE_BITS {
        push_word(&mut w, state[j]);
    }
    let m = native::message_words(&block);
    for &word in &m[1..] {
        push_word(&mut w, word);
    }
    let sched = native::schedule(&m);
    for t in 16..64 {
        xor_carries(&mut w, sched[t - 15], &SMALL_SIGMA0);
        xor_carries(&mut w, sched[t - 2], &SMALL_SIGMA1);
        push_word(&mut w, sched[t]);
        let sum = native::small_sigma1(sched[t - 2]) as u64
            + sched[t - 7] as u64
            + native::small_sigma0(sched[t - 15]) as u64
            + sched[t - 16] as u64;
        let carry = sum >> 32;
        w.extend([carry & 1, carry >> 1]);
    }
    let after = native::rounds(&state, &sched);
    let mut v = state;
    for t in 0..64 {
        let [a, b, c, d, e, f, g, h] = v;
        let ch = (e & f) ^ (!e & g);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        xor_carries(&mut w, e, &BIG_SIGMA1);
        push_word(&mut w, ch);
        xor_carries(&mut w, a, &BIG_SIGMA0);
        push_word(&mut w, maj);
        let t1 =
            h as u64 + native::big_sigma1(e) as u64 + ch as u64 + K[t] as u64 + sched[t] as u64;
        let e_sum = d as u64 + t1;
        let a_sum = t1 + native::big_sigma0(a) as u64 + maj as u64;
        v = after[t];
        for (word, sum) in [(v[4], e_sum), (v[0], a_sum)] {
            push_word(&mut w, word);
            let carry = sum >> 32;
            w.extend([carry & 1, (carry >> 1) & 1, carry >> 2]);
        }
    }
    for j in 0..8 {
        w.push((state[j] as u64 + v[j] as u64) >> 32);
    }
    w
}

/// A 32-bit word as its bits, least significant first, each constrained to `{0, 1}`.
#[derive(Clone)]
struct Word(Vec<FpVar<Fr>>);

impl Word {
    fn value(&self) -> Result<FpVar<Fr>, SynthesisError> {
        bitwise::value(&self.0)
    }

    fn take(tape: &mut Tape) -> Result<Word, SynthesisError> {
        Ok(Word(tape.bits(32)?))
    }
}

/// The XOR of the moved words (`Σ0`, `Σ1`, `σ0`, `σ1`): per bit, the parity of the moved
/// bits through one carry bit.
fn xor3(
    ctx: &mut Ctx,
    tape: &mut Tape,
    x: &Word,
    moves: &[Move; 3],
) -> Result<Word, SynthesisError> {
    let bits = (0..32)
        .map(|i| {
            let inputs: Vec<&FpVar<Fr>> = moves
                .iter()
                .filter_map(|mv| mv.source(i))
                .map(|b| &x.0[b])
                .collect();
            bitwise::parity(ctx, tape, &inputs, 1)
        })
        .collect::<Result<_, _>>()?;
    Ok(Word(bits))
}

/// `Σ terms + constant = result + 2^32·carry` with the result's bits and `carry_bits`
/// carry bits from the tape (one constraint besides the bits').
fn add(
    ctx: &mut Ctx,
    tape: &mut Tape,
    terms: &[&FpVar<Fr>],
    constant: u32,
    carry_bits: u32,
) -> Result<Word, SynthesisError> {
    let result = Word::take(tape)?;
    let carries = (0..carry_bits)
        .map(|_| tape.bit())
        .collect::<Result<Vec<_>, _>>()?;
    let mut rhs: Vec<(Fr, &FpVar<Fr>)> = result
        .0
        .iter()
        .enumerate()
        .map(|(i, b)| (pow2(i as u32), b))
        .collect();
    for (j, c) in carries.iter().enumerate() {
        rhs.push((pow2(32 + j as u32), c));
    }
    let lhs: Vec<(Fr, &FpVar<Fr>)> = terms.iter().map(|t| (Fr::one(), *t)).collect();
    ctx.equal(
        &lin(&lhs, Fr::from(constant as u64))?,
        &lin(&rhs, Fr::zero())?,
    )?;
    Ok(result)
}

/// Decomposes `value` (a word below `2^32`) into bits from the tape (one constraint).
fn decompose(ctx: &mut Ctx, tape: &mut Tape, value: &FpVar<Fr>) -> Result<Word, SynthesisError> {
    Ok(Word(bitwise::decompose(ctx, tape, value, 32)?))
}

/// A word's value from its four bytes, little-endian (a state word) or big-endian (a
/// message word).
fn from_bytes(bytes: &[Bounded], big_endian: bool) -> Result<FpVar<Fr>, SynthesisError> {
    if bytes.len() != 4 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let terms: Vec<(Fr, &FpVar<Fr>)> = bytes
        .iter()
        .enumerate()
        .map(|(k, b)| {
            let pos = if big_endian { 3 - k } else { k };
            (pow2(8 * pos as u32), b.var())
        })
        .collect();
    lin(&terms, Fr::zero())
}

impl InstructionCircuit for Sha256Compress {
    fn name(&self) -> &str {
        "sha256_compress"
    }
    fn fields(&self) -> Fields {
        Fields {
            rs1: true,
            rs2: true,
            ..Fields::default()
        }
    }
    fn accesses(&self) -> &[AccessKind] {
        &ACCESSES
    }
    fn cycles(&self) -> u32 {
        2
    }
    fn max_batch(&self) -> Option<usize> {
        // 16 compressions: a step of about 480k constraints, the recursion under 10%.
        Some(16)
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
        // Addresses: eight state words from rs1's value, sixteen block words from rs2's.
        bitwise::address_run(ctx, &mut tape, x, 0, STATE, 8)?;
        bitwise::address_run(ctx, &mut tape, x, 1, BLOCK, 16)?;
        // Inputs: state words little-endian, message words big-endian.
        let old: Vec<FpVar<Fr>> = (0..8)
            .map(|j| from_bytes(&x.acc[STATE + j].read_limbs, false))
            .collect::<Result<_, _>>()?;
        let mut sched_value: Vec<FpVar<Fr>> = (0..16)
            .map(|i| from_bytes(&x.acc[BLOCK + i].read_limbs, true))
            .collect::<Result<_, _>>()?;
        let mut state_bits = Vec::with_capacity(6);
        for j in STATE_BITS {
            state_bits.push(decompose(ctx, &mut tape, &old[j])?);
        }
        // The schedule: W0 as a value only, W1..W63 as bits too.
        let mut sched: Vec<Word> = vec![Word(Vec::new())];
        for value in &sched_value[1..] {
            sched.push(decompose(ctx, &mut tape, value)?);
        }
        for t in 16..64 {
            let s0 = xor3(ctx, &mut tape, &sched[t - 15], &SMALL_SIGMA0)?.value()?;
            let s1 = xor3(ctx, &mut tape, &sched[t - 2], &SMALL_SIGMA1)?.value()?;
            let terms = [&s1, &sched_value[t - 7], &s0, &sched_value[t - 16]];
            let word = add(ctx, &mut tape, &terms, 0, 2)?;
            sched_value.push(word.value()?);
            sched.push(word);
        }
        // The rounds, on (a, b, c, e, f, g) as bits and (d, h) as values.
        let mut it = state_bits.into_iter();
        let mut next = || it.next().ok_or(SynthesisError::Unsatisfiable);
        let (mut a, mut b, mut c) = (next()?, next()?, next()?);
        let (mut e, mut f, mut g) = (next()?, next()?, next()?);
        let (mut d_value, mut h_value) = (old[3].clone(), old[7].clone());
        for (t, &k) in K.iter().enumerate() {
            let sigma1 = xor3(ctx, &mut tape, &e, &BIG_SIGMA1)?.value()?;
            let ch = Word::take(&mut tape)?;
            for i in 0..32 {
                let diff = lin(&[(Fr::one(), &f.0[i]), (-Fr::one(), &g.0[i])], Fr::zero())?;
                let rhs = lin(&[(Fr::one(), &ch.0[i]), (-Fr::one(), &g.0[i])], Fr::zero())?;
                ctx.enforce_mul(&e.0[i], &diff, &rhs)?;
            }
            let sigma0 = xor3(ctx, &mut tape, &a, &BIG_SIGMA0)?.value()?;
            let maj = Word::take(&mut tape)?;
            for i in 0..32 {
                let terms = [
                    (Fr::one(), &a.0[i]),
                    (Fr::one(), &b.0[i]),
                    (Fr::one(), &c.0[i]),
                    (-Fr::from(2u64), &maj.0[i]),
                ];
                ctx.boolean(&lin(&terms, Fr::zero())?)?;
            }
            let (ch_value, maj_value) = (ch.value()?, maj.value()?);
            let t1 = [&h_value, &sigma1, &ch_value, &sched_value[t]];
            let new_e = add(
                ctx,
                &mut tape,
                &[t1[0], t1[1], t1[2], t1[3], &d_value],
                k,
                3,
            )?;
            let terms = [t1[0], t1[1], t1[2], t1[3], &sigma0, &maj_value];
            let new_a = add(ctx, &mut tape, &terms, k, 3)?;
            h_value = g.value()?;
            d_value = c.value()?;
            (g, f, e) = (f, e, new_e);
            (c, b, a) = (b, a, new_a);
        }
        // The new state: old + working variable modulo 2^32 is the value written.
        let finals = [
            a.value()?,
            b.value()?,
            c.value()?,
            d_value,
            e.value()?,
            f.value()?,
            g.value()?,
            h_value,
        ];
        for (j, v) in finals.iter().enumerate() {
            let carry = tape.bit()?;
            let lhs = lin(&[(Fr::one(), &old[j]), (Fr::one(), v)], Fr::zero())?;
            let rhs = lin(
                &[(Fr::one(), &x.acc[STATE + j].write), (pow2(32), &carry)],
                Fr::zero(),
            )?;
            ctx.equal(&lhs, &rhs)?;
        }
        tape.finish()?;
        Ok(&x.pc + Fr::from(4u64))
    }
}
