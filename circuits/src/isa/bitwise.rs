//! Bit-level gadgets for co-processors that work on words as bits (`sha256_compress`,
//! `keccak_f1600`): a tape that hands out the logic witness in layout order, parities
//! through carry bits, and words as sums of their bits. Every bit these gadgets return is
//! either a witness bit (range-checked by the shared part) or a linear combination that they
//! constrain to `{0, 1}`.

use ark_ff::{One, Zero};
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::gadgets::{lin, Bounded, Ctx};
use crate::instruction::{ExecVar, Logic};
use crate::pack::pow2;
use crate::Fr;

/// Reads the checked logic witness of one execution in layout order.
pub(crate) struct Tape<'a> {
    w: &'a Logic,
    i: usize,
}

impl<'a> Tape<'a> {
    pub(crate) fn new(w: &'a Logic) -> Self {
        Tape { w, i: 0 }
    }

    /// The next value, with its checked width.
    pub(crate) fn cell(&mut self) -> Result<Bounded, SynthesisError> {
        let c = self.w.cell(self.i)?.clone();
        self.i += 1;
        Ok(c)
    }

    /// The next value, which the layout must declare one bit wide.
    pub(crate) fn bit(&mut self) -> Result<FpVar<Fr>, SynthesisError> {
        let c = self.cell()?;
        if c.bits() != 1 {
            return Err(SynthesisError::Unsatisfiable);
        }
        Ok(c.var().clone())
    }

    /// The next `n` bits.
    pub(crate) fn bits(&mut self, n: usize) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        (0..n).map(|_| self.bit()).collect()
    }

    /// Fails unless every value was read (the layout and the circuit agree).
    pub(crate) fn finish(self) -> Result<(), SynthesisError> {
        if self.i != self.w.len() {
            return Err(SynthesisError::Unsatisfiable);
        }
        Ok(())
    }
}

/// `Σ 2^i·bits[i]`.
pub(crate) fn value(bits: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    let terms: Vec<(Fr, &FpVar<Fr>)> = bits
        .iter()
        .enumerate()
        .map(|(i, b)| (pow2(i as u32), b))
        .collect();
    lin(&terms, Fr::zero())
}

/// The parity of `inputs` (bits): `Σ inputs − 2·h` with `h = Σ 2^j·h_j` for `carry_bits`
/// bits `h_j` from the tape, constrained to `{0, 1}` (one constraint). For `n` inputs and
/// `2^carry_bits > n/2`, exactly one `h` (`⌊Σ/2⌋`) makes it a bit, so the result is the XOR
/// of the inputs whatever the prover chose.
pub(crate) fn parity(
    ctx: &mut Ctx,
    tape: &mut Tape,
    inputs: &[&FpVar<Fr>],
    carry_bits: u32,
) -> Result<FpVar<Fr>, SynthesisError> {
    if (1usize << carry_bits) <= inputs.len() / 2 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let h = tape.bits(carry_bits as usize)?;
    let mut terms: Vec<(Fr, &FpVar<Fr>)> = inputs.iter().map(|b| (Fr::one(), *b)).collect();
    for (j, hj) in h.iter().enumerate() {
        terms.push((-pow2(j as u32 + 1), hj));
    }
    let bit = lin(&terms, Fr::zero())?;
    ctx.boolean(&bit)?;
    Ok(bit)
}

/// `n` bits from the tape whose value is `v` (one constraint; `v` must be below `2^n`, or
/// there is no witness).
pub(crate) fn decompose(
    ctx: &mut Ctx,
    tape: &mut Tape,
    v: &FpVar<Fr>,
    n: usize,
) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    let bits = tape.bits(n)?;
    ctx.equal(&value(&bits)?, v)?;
    Ok(bits)
}

/// Native: the low `n` bits of `x`, least significant first, onto the witness.
pub(crate) fn push_bits(w: &mut Vec<u64>, x: u64, n: usize) {
    w.extend((0..n).map(|i| (x >> i) & 1));
}

/// Native: the carry bits of [`parity`] for inputs summing to `sum`.
pub(crate) fn push_parity_carries(w: &mut Vec<u64>, sum: u32, carry_bits: u32) {
    push_bits(w, (sum / 2) as u64, carry_bits as usize);
}

/// Sets the addresses of the `n` memory accesses from `first` on to the run of words that
/// starts at the value of register access `reg` ([`Ctx::word_run`]), taking the last word's
/// index from the tape as a 16- and a 14-bit limb ([`push_last_word`] natively).
pub(crate) fn address_run(
    ctx: &mut Ctx,
    tape: &mut Tape,
    x: &mut ExecVar,
    reg: usize,
    first: usize,
    n: usize,
) -> Result<(), SynthesisError> {
    let ptr = match x.acc.get(reg).map(|a| a.read_limbs.as_slice()) {
        Some([lo, hi]) => Bounded::compose(&[lo, hi], 16)?,
        _ => return Err(SynthesisError::Unsatisfiable),
    };
    let (lo, hi) = (tape.cell()?, tape.cell()?);
    let addrs = ctx.word_run(&ptr, &lo, &hi, n as u32)?;
    let accesses = x
        .acc
        .get_mut(first..first + n)
        .ok_or(SynthesisError::Unsatisfiable)?;
    for (a, addr) in accesses.iter_mut().zip(addrs) {
        a.addr = Some(addr);
    }
    Ok(())
}

/// Native: the limbs [`address_run`] takes for `n` words from `ptr`.
pub(crate) fn push_last_word(w: &mut Vec<u64>, ptr: u32, n: u32) {
    let last = ((ptr >> 2) as u64).wrapping_add(n as u64 - 1);
    w.extend([last & 0xffff, (last >> 16) & 0x3fff]);
}
