//! The in-circuit Poseidon sponge: the exact twin of the native sponge of
//! [`crate::poseidon`] — ark-crypto-primitives' duplex absorb/squeeze schedule and
//! permutation, with the padding of [`crate::poseidon::pad`] — written for a fast shape
//! extraction.
//!
//! ark's own gadget keeps the state as `FpVar`s, so every round constant and every MDS
//! product is a new symbolic linear combination that refers to older ones; the constraint
//! system inlines those chains when it extracts the matrices, and across the partial rounds
//! they grow with every round. Here the state is kept as explicit, flat linear combinations
//! over the constraint system's variables (plus the native values), and an S-box of a linear
//! combination `s` allocates `x2, x4, x5` with the three constraints `s·s = x2`,
//! `x2·x2 = x4`, `x4·s = x5`. Round constants and the MDS matrix cost no constraint: the
//! coefficients they produce are read from tables computed once per parameter set (see
//! `tables`). The matrices and the witness are exactly those of ark's gadget with the
//! padding constant added to its capacity element (a test compares them); only the way to
//! them is shorter. When the constraint system neither builds matrices nor evaluates
//! linear combinations (the prover's mode), only values are tracked.
//!
//! An S-box of a constant is a constant, as in ark's gadget, so a sponge that has absorbed
//! only constants costs no constraints.

use std::sync::OnceLock;

use ark_ff::{Field, PrimeField, Zero};
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::convert::ToBitsGadget;
use ark_r1cs_std::fields::fp::{AllocatedFp, FpVar};
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};

use crate::poseidon::{
    dot, pad, poseidon_config, Duplex, CAPACITY, FULL_ROUNDS, PARTIAL_ROUNDS, RATE,
};
use crate::Fr;

// The first and last rounds are full: the first S-box layer consumes the sponge's input
// combinations and the coefficient tables cover the rounds after it.
const _: () = assert!(FULL_ROUNDS >= 2 && FULL_ROUNDS % 2 == 0);

/// One sponge state element between permutations: `constant + Σ coeff·var`, its value, and
/// whether it is a constant of the circuit.
#[derive(Clone, Debug)]
struct Elem {
    /// Whether the element depends on no variable (then `value == constant`).
    is_const: bool,
    /// The value (zero-based when the inputs' values are missing at setup).
    value: Fr,
    /// The constant term (tracked with the terms).
    constant: Fr,
    /// Terms sorted by variable, one per variable; empty when linear combinations are not
    /// tracked.
    terms: Vec<(Variable, Fr)>,
}

impl Elem {
    fn constant(c: Fr) -> Self {
        Self {
            is_const: true,
            value: c,
            constant: c,
            terms: Vec::new(),
        }
    }

    /// `self += other`, merging the terms by variable.
    fn add_assign(&mut self, other: &Elem) {
        self.is_const &= other.is_const;
        self.value += other.value;
        self.constant += other.constant;
        if other.terms.is_empty() {
            return;
        }
        let mut merged = Vec::with_capacity(self.terms.len() + other.terms.len());
        let (mut i, mut j) = (0, 0);
        while i < self.terms.len() && j < other.terms.len() {
            let (a, b) = (self.terms[i], other.terms[j]);
            match a.0.cmp(&b.0) {
                std::cmp::Ordering::Less => {
                    merged.push(a);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    merged.push(b);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    let c = a.1 + b.1;
                    if !c.is_zero() {
                        merged.push((a.0, c));
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        merged.extend_from_slice(&self.terms[i..]);
        merged.extend_from_slice(&other.terms[j..]);
        self.terms = merged;
    }

    fn to_lc(&self) -> LinearCombination<Fr> {
        let mut lc = Vec::with_capacity(self.terms.len() + 1);
        if !self.constant.is_zero() {
            lc.push((self.constant, Variable::One));
        }
        lc.extend(self.terms.iter().map(|&(v, c)| (c, v)));
        LinearCombination(lc)
    }
}

/// How much of the linear-combination bookkeeping the constraint system needs right now.
#[derive(Clone, Copy)]
struct Mode {
    /// Constraints are recorded (their linear combinations must be built).
    construct: bool,
    /// Linear combinations are kept (for matrices or for evaluating them): track terms.
    track: bool,
    /// Setup: values may be missing.
    setup: bool,
}

impl Mode {
    fn of(cs: &ConstraintSystemRef<Fr>) -> Self {
        let construct = cs.should_construct_matrices();
        let evaluate = cs
            .borrow()
            .is_some_and(|c| c.should_generate_lc_assignments());
        Self {
            construct,
            track: construct || evaluate,
            setup: cs.is_in_setup_mode(),
        }
    }
}

/// Coefficient tables for the rounds after the first: `H[a] = (M·Z)^a · M`, where `M` is the
/// MDS matrix and `Z` clears coordinate 0. A variable that was the S-box output of element
/// `s` enters the state as column `e_s` just before an MDS layer; after that layer and `a`
/// partial rounds (each clears element 0, whose combination the S-box consumed, then
/// multiplies by `M`) its coefficient in element `i` is `H[a][i][s]`. Every variable dies at
/// the next full round's S-boxes, so these tables give every coefficient without carrying
/// the MDS matrix across whole columns.
fn tables() -> &'static [Vec<Vec<Fr>>] {
    static TABLES: OnceLock<Vec<Vec<Vec<Fr>>>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mds = &poseidon_config().mds;
        let t = mds.len();
        let mut h = vec![mds.clone()];
        for _ in 0..PARTIAL_ROUNDS {
            let prev = &h[h.len() - 1];
            let next: Vec<Vec<Fr>> = (0..t)
                .map(|i| {
                    (0..t)
                        .map(|c| (1..t).map(|r| mds[i][r] * prev[r][c]).sum())
                        .collect()
                })
                .collect();
            h.push(next);
        }
        h
    })
}

/// The state during a permutation.
struct Perm {
    /// Before the first S-box layer: each element's terms over the sponge's inputs.
    inputs: Option<Vec<Vec<(Variable, Fr)>>>,
    /// After it: the S-box outputs the state depends on, each with the partial-round count
    /// after its round's MDS layer and the element it replaced (see [`tables`]).
    vars: Vec<(Variable, usize, usize)>,
    /// Partial rounds done.
    partial: usize,
    consts: Vec<Fr>,
    values: Vec<Fr>,
    is_const: Vec<bool>,
}

impl Perm {
    fn new(state: &[Elem]) -> Self {
        Self {
            inputs: Some(state.iter().map(|e| e.terms.clone()).collect()),
            vars: Vec::new(),
            partial: 0,
            consts: state.iter().map(|e| e.constant).collect(),
            values: state.iter().map(|e| e.value).collect(),
            is_const: state.iter().map(|e| e.is_const).collect(),
        }
    }

    /// Element `i`'s terms, unordered, one per variable.
    fn terms(&self, i: usize) -> Vec<(Variable, Fr)> {
        match &self.inputs {
            Some(inputs) => inputs[i].clone(),
            None => {
                let h = tables();
                self.vars
                    .iter()
                    .map(|&(v, born, s)| (v, h[self.partial - born][i][s]))
                    .filter(|(_, c)| !c.is_zero())
                    .collect()
            }
        }
    }

    fn into_elems(self) -> Vec<Elem> {
        (0..self.values.len())
            .map(|i| {
                let mut terms = self.terms(i);
                terms.sort_unstable_by_key(|x| x.0);
                Elem {
                    is_const: self.is_const[i],
                    value: self.values[i],
                    constant: self.consts[i],
                    terms,
                }
            })
            .collect()
    }

    fn add_round_constants(&mut self, ark: &[Fr]) {
        for ((c, v), a) in self.consts.iter_mut().zip(self.values.iter_mut()).zip(ark) {
            *c += a;
            *v += a;
        }
    }

    fn lc_of(&self, i: usize) -> LinearCombination<Fr> {
        let terms = self.terms(i);
        let mut lc = Vec::with_capacity(terms.len() + 1);
        if !self.consts[i].is_zero() {
            lc.push((self.consts[i], Variable::One));
        }
        lc.extend(terms.into_iter().map(|(v, c)| (c, v)));
        LinearCombination(lc)
    }

    /// Replaces element `i` by its fifth power: a constant, or a new witness `x5`
    /// constrained through `x2, x4`. Returns the new variable (if any).
    fn sbox(
        &mut self,
        cs: &ConstraintSystemRef<Fr>,
        mode: Mode,
        i: usize,
    ) -> Result<Option<Variable>, SynthesisError> {
        let s = self.values[i];
        let x2 = s.square();
        let x4 = x2.square();
        let x5 = x4 * s;
        self.values[i] = x5;
        if self.is_const[i] {
            self.consts[i] = x5;
            return Ok(None);
        }
        let v2 = cs.new_witness_variable(|| Ok(x2))?;
        let v4 = cs.new_witness_variable(|| Ok(x4))?;
        let v5 = cs.new_witness_variable(|| Ok(x5))?;
        if mode.construct {
            let lc = self.lc_of(i);
            cs.enforce_r1cs_constraint(|| lc.clone(), || lc.clone(), || v2.into())?;
            cs.enforce_r1cs_constraint(|| v2.into(), || v2.into(), || v4.into())?;
            cs.enforce_r1cs_constraint(|| v4.into(), || lc, || v5.into())?;
        }
        self.consts[i] = Fr::zero();
        Ok(Some(v5))
    }

    /// A full round's S-boxes: afterwards the state depends only on their outputs.
    fn sbox_full(
        &mut self,
        cs: &ConstraintSystemRef<Fr>,
        mode: Mode,
    ) -> Result<(), SynthesisError> {
        let mut vars = Vec::with_capacity(self.values.len());
        for i in 0..self.values.len() {
            if let Some(v) = self.sbox(cs, mode, i)? {
                vars.push((v, self.partial, i));
            }
        }
        self.vars = vars;
        self.inputs = None;
        Ok(())
    }

    /// A partial round's S-box on element 0.
    fn sbox_partial(
        &mut self,
        cs: &ConstraintSystemRef<Fr>,
        mode: Mode,
    ) -> Result<(), SynthesisError> {
        if let Some(v) = self.sbox(cs, mode, 0)? {
            self.vars.push((v, self.partial + 1, 0));
        }
        Ok(())
    }

    /// The MDS layer, on the values and the constant parts.
    fn apply_mds(&mut self, mds: &[Vec<Fr>], partial: bool) {
        let mul = |x: &mut Vec<Fr>| {
            *x = mds.iter().map(|row| dot(row, x)).collect();
        };
        mul(&mut self.values);
        mul(&mut self.consts);
        let is_const = self.is_const.clone();
        for (out, row) in self.is_const.iter_mut().zip(mds) {
            *out = row.iter().zip(&is_const).all(|(m, c)| *c || m.is_zero());
        }
        if partial {
            self.partial += 1;
        }
    }
}

/// A duplex Poseidon sponge in a constraint system over BN254 Fr, the twin of the native
/// sponge of [`crate::poseidon`] (ark-crypto-primitives' `PoseidonSponge` under
/// [`crate::poseidon::poseidon_config`], padded by [`crate::poseidon::pad`]).
pub struct PoseidonSpongeVar {
    cs: ConstraintSystemRef<Fr>,
    state: Vec<Elem>,
    mode: Duplex,
}

impl PoseidonSpongeVar {
    /// A sponge with the all-zero state, absorbing.
    pub fn new(cs: ConstraintSystemRef<Fr>) -> Self {
        Self {
            cs,
            state: vec![Elem::constant(Fr::zero()); RATE + CAPACITY],
            mode: Duplex::Absorbing(0),
        }
    }

    fn elem_of(x: &FpVar<Fr>, mode: Mode) -> Result<Elem, SynthesisError> {
        match x {
            FpVar::Constant(c) => Ok(Elem::constant(*c)),
            FpVar::Var(a) => {
                let value = match a.value() {
                    Ok(v) => v,
                    Err(_) if mode.setup => Fr::zero(),
                    Err(e) => return Err(e),
                };
                let mut e = Elem {
                    is_const: false,
                    value,
                    constant: Fr::zero(),
                    terms: Vec::new(),
                };
                if mode.track {
                    if a.variable.is_one() {
                        e.constant = Fr::ONE;
                    } else if !a.variable.is_zero() {
                        e.terms.push((a.variable, Fr::ONE));
                    }
                }
                Ok(e)
            }
        }
    }

    fn output(&self, e: &Elem, mode: Mode) -> Result<FpVar<Fr>, SynthesisError> {
        if e.is_const {
            return Ok(FpVar::Constant(e.value));
        }
        // The closure runs only when the constraint system keeps linear combinations,
        // which is when `mode.track` filled the terms.
        let variable = self.cs.new_lc(|| e.to_lc())?;
        let value = (!mode.setup).then_some(e.value);
        Ok(FpVar::Var(AllocatedFp::new(
            value,
            variable,
            self.cs.clone(),
        )))
    }

    fn permute(&mut self) -> Result<(), SynthesisError> {
        let mode = Mode::of(&self.cs);
        // Set-up always builds matrices, so without linear combinations this is the
        // prover's synthesis.
        if !mode.track {
            return self.permute_values();
        }
        let cfg = poseidon_config();
        let mut p = Perm::new(&self.state);
        let half = FULL_ROUNDS / 2;
        for (r, ark) in cfg.ark.iter().enumerate() {
            p.add_round_constants(ark);
            let partial = (half..half + PARTIAL_ROUNDS).contains(&r);
            if partial {
                p.sbox_partial(&self.cs, mode)?;
            } else {
                p.sbox_full(&self.cs, mode)?;
            }
            p.apply_mds(&cfg.mds, partial);
        }
        self.state = p.into_elems();
        Ok(())
    }

    /// The prover's permutation, when neither matrices nor linear combinations are kept:
    /// the native permutation ([`crate::poseidon::permute`], with its sparse partial rounds)
    /// gives every S-box input, and each S-box of a variable allocates `x2, x4, x5` in the
    /// order of the rounds, as [`Perm`] does. An element that is a constant stays one
    /// through the first S-box layer; after its MDS layer every element depends on a
    /// variable unless all of them were constants.
    fn permute_values(&mut self) -> Result<(), SynthesisError> {
        let mut values: [Fr; RATE + CAPACITY] = std::array::from_fn(|i| self.state[i].value);
        let first_const: Vec<bool> = self.state.iter().map(|e| e.is_const).collect();
        let all_const = first_const.iter().all(|c| *c);
        let mut inputs = Vec::with_capacity((RATE + CAPACITY) * FULL_ROUNDS + PARTIAL_ROUNDS);
        crate::poseidon::permute(&mut values, Some(&mut inputs));
        if !all_const {
            for (k, s) in inputs.iter().enumerate() {
                if first_const.get(k).copied().unwrap_or(false) {
                    continue;
                }
                let x2 = s.square();
                let x4 = x2.square();
                let x5 = x4 * s;
                for x in [x2, x4, x5] {
                    let _variable = self.cs.new_witness_variable(|| Ok(x))?;
                }
            }
        }
        self.state = values
            .iter()
            .map(|v| Elem {
                is_const: all_const,
                value: *v,
                constant: *v,
                terms: Vec::new(),
            })
            .collect();
        Ok(())
    }

    fn absorb_internal(&mut self, mut start: usize, mut xs: &[Elem]) -> Result<(), SynthesisError> {
        let (rate, cap) = (RATE, CAPACITY);
        loop {
            if start + xs.len() <= rate {
                for (i, x) in xs.iter().enumerate() {
                    self.state[cap + start + i].add_assign(x);
                }
                self.mode = Duplex::Absorbing(start + xs.len());
                return Ok(());
            }
            let n = rate - start;
            for (i, x) in xs[..n].iter().enumerate() {
                self.state[cap + start + i].add_assign(x);
            }
            self.permute()?;
            xs = &xs[n..];
            start = 0;
        }
    }

    /// Absorbs field elements (nothing happens for an empty slice).
    pub fn absorb(&mut self, xs: &[FpVar<Fr>]) -> Result<(), SynthesisError> {
        if xs.is_empty() {
            return Ok(());
        }
        for x in xs {
            self.cs = self.cs.clone().or(x.cs());
        }
        let mode = Mode::of(&self.cs);
        let elems = xs
            .iter()
            .map(|x| Self::elem_of(x, mode))
            .collect::<Result<Vec<_>, _>>()?;
        match self.mode {
            Duplex::Absorbing(next) => {
                let mut start = next;
                if start == RATE {
                    self.permute()?;
                    start = 0;
                }
                self.absorb_internal(start, &elems)
            }
            Duplex::Squeezing(_) => self.absorb_internal(0, &elems),
        }
    }

    /// Squeezes `n` field elements.
    pub fn squeeze(&mut self, n: usize) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        let (rate, cap) = (RATE, CAPACITY);
        let mut start = match self.mode {
            Duplex::Absorbing(last) => {
                // The native sponge's padding: a constant in the capacity's combination.
                self.state[0].add_assign(&Elem::constant(pad(last)));
                self.permute()?;
                0
            }
            Duplex::Squeezing(next) if next == rate => {
                self.permute()?;
                0
            }
            Duplex::Squeezing(next) => next,
        };
        let mut out = Vec::with_capacity(n);
        loop {
            let mode = Mode::of(&self.cs);
            let remaining = n - out.len();
            if start + remaining <= rate {
                for e in &self.state[cap + start..cap + start + remaining] {
                    out.push(self.output(e, mode)?);
                }
                self.mode = Duplex::Squeezing(start + remaining);
                return Ok(out);
            }
            for e in &self.state[cap + start..cap + rate] {
                out.push(self.output(e, mode)?);
            }
            if out.len() < n {
                self.permute()?;
            }
            start = 0;
        }
    }

    /// Squeezes `n` bits: the low `MODULUS_BIT_SIZE − 1` bits of each squeezed element,
    /// least significant first, as the native sponge's `squeeze_bits`.
    pub fn squeeze_bits(&mut self, n: usize) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
        let usable = (Fr::MODULUS_BIT_SIZE - 1) as usize;
        let elems = self.squeeze(n.div_ceil(usable))?;
        let mut bits = Vec::with_capacity(elems.len() * usable);
        for e in &elems {
            bits.extend_from_slice(&e.to_bits_le()?[..usable]);
        }
        bits.truncate(n);
        Ok(bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poseidon::{poseidon_config, Transcript, TranscriptVar, CHALLENGE_BITS};
    use ark_crypto_primitives::sponge::constraints::CryptographicSpongeVar;
    use ark_crypto_primitives::sponge::poseidon::constraints::PoseidonSpongeVar as ArkSpongeVar;
    use ark_ff::UniformRand;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_relations::gr1cs::{ConstraintSystem, SynthesisMode, R1CS_PREDICATE_LABEL};
    use ark_std::rand::{Rng, SeedableRng};

    /// How an absorbed element enters the circuit.
    #[derive(Clone, Copy, Debug)]
    enum Kind {
        Constant,
        Witness,
        Input,
        /// `a + b·c`: a symbolic linear combination over a product's witness.
        Symbolic,
        /// `3·a + 5`: a symbolic linear combination with a constant term.
        Affine,
    }

    #[derive(Clone, Debug)]
    enum Op {
        Absorb(Vec<(Kind, Fr)>),
        Squeeze(usize),
        Short,
    }

    fn script(rng: &mut impl Rng) -> Vec<Op> {
        let kinds = [
            Kind::Constant,
            Kind::Witness,
            Kind::Input,
            Kind::Symbolic,
            Kind::Affine,
        ];
        (0..rng.gen_range(1..7))
            .map(|_| match rng.gen_range(0..4) {
                0 | 1 => Op::Absorb(
                    (0..rng.gen_range(0..20))
                        .map(|_| (kinds[rng.gen_range(0..kinds.len())], Fr::rand(rng)))
                        .collect(),
                ),
                2 => Op::Squeeze(rng.gen_range(1..10)),
                _ => Op::Short,
            })
            .collect()
    }

    /// The native transcript's outputs for a script (short challenges as their values).
    fn native(ops: &[Op]) -> Vec<Fr> {
        let mut t = Transcript::new(b"script");
        let mut out = Vec::new();
        for op in ops {
            match op {
                Op::Absorb(xs) => xs.iter().for_each(|(_, x)| t.absorb(x)),
                Op::Squeeze(n) => out.extend(t.challenges(*n)),
                Op::Short => out.push(t.short_challenge().1),
            }
        }
        out.extend(t.challenges(1));
        out
    }

    fn alloc(cs: &ConstraintSystemRef<Fr>, kind: Kind, x: Fr) -> FpVar<Fr> {
        let w = |v: Fr| FpVar::new_witness(cs.clone(), || Ok(v)).unwrap();
        match kind {
            Kind::Constant => FpVar::Constant(x),
            Kind::Witness => w(x),
            Kind::Input => FpVar::new_input(cs.clone(), || Ok(x)).unwrap(),
            Kind::Symbolic => {
                let (b, c) = (x + x + Fr::from(7u64), x.square());
                w(x - b * c) + w(b) * w(c)
            }
            Kind::Affine => {
                let a = (x - Fr::from(5u64)) / Fr::from(3u64);
                w(a) * Fr::from(3u64) + Fr::from(5u64)
            }
        }
    }

    /// ark's gadget with the native sponge's padding ([`crate::poseidon::pad`] added to its
    /// capacity element before a squeeze ends an absorption).
    fn pad_ark(ark: &mut ArkSpongeVar<Fr>) {
        use ark_crypto_primitives::sponge::DuplexSpongeMode;
        if let DuplexSpongeMode::Absorbing { next_absorb_index } = ark.mode {
            ark.state[0] += FpVar::Constant(pad(next_absorb_index));
        }
    }

    /// Runs a script through a sponge gadget: this module's (`ours`) or ark-crypto-primitives'
    /// (padded by [`pad_ark`]).
    /// Returns the outputs' values where the constraint system has them.
    fn synthesize(cs: &ConstraintSystemRef<Fr>, ops: &[Op], ours: bool) -> Vec<Option<Fr>> {
        let mut mine = TranscriptVar::new(cs.clone(), b"script").unwrap();
        let mut ark = ArkSpongeVar::new(cs.clone(), poseidon_config());
        let label = FpVar::Constant(crate::poseidon::label_to_field(b"script"));
        ark.absorb(&label).unwrap();
        let mut out: Vec<FpVar<Fr>> = Vec::new();
        for op in ops {
            match op {
                Op::Absorb(xs) => {
                    let v: Vec<FpVar<Fr>> = xs.iter().map(|(k, x)| alloc(cs, *k, *x)).collect();
                    if ours {
                        mine.absorb_slice(&v).unwrap();
                    } else {
                        v.iter().for_each(|x| ark.absorb(x).unwrap());
                    }
                }
                Op::Squeeze(n) if ours => out.extend(mine.challenges(*n).unwrap()),
                Op::Squeeze(n) => {
                    pad_ark(&mut ark);
                    out.extend(ark.squeeze_field_elements(*n).unwrap())
                }
                Op::Short if ours => out.push(mine.short_challenge().unwrap().1),
                Op::Short => {
                    pad_ark(&mut ark);
                    let bits = ark.squeeze_bits(CHALLENGE_BITS).unwrap();
                    out.push(Boolean::le_bits_to_fp(&bits).unwrap());
                }
            }
        }
        if ours {
            out.push(mine.challenge().unwrap());
        } else {
            pad_ark(&mut ark);
            out.extend(ark.squeeze_field_elements(1).unwrap());
        }
        out.iter().map(|v| v.value().ok()).collect()
    }

    type Rows = Vec<Vec<(Fr, usize)>>;

    /// Finalizes and returns `(A, B, C)` with every row sorted by column.
    fn matrices(cs: &ConstraintSystemRef<Fr>) -> [Rows; 3] {
        cs.finalize();
        let mut m = cs
            .to_matrices()
            .unwrap()
            .remove(R1CS_PREDICATE_LABEL)
            .unwrap();
        for rows in &mut m {
            for row in rows.iter_mut() {
                row.sort_by_key(|e| e.1);
            }
        }
        let c = m.pop().unwrap();
        let b = m.pop().unwrap();
        let a = m.pop().unwrap();
        [a, b, c]
    }

    /// `z = (1, x, w)` of a constraint system in a proving mode.
    fn assignment(cs: &ConstraintSystemRef<Fr>) -> Vec<Fr> {
        let mut z = cs.instance_assignment().unwrap();
        z.extend(cs.witness_assignment().unwrap());
        z
    }

    fn satisfied(m: &[Rows; 3], z: &[Fr]) -> bool {
        let dot = |row: &Vec<(Fr, usize)>| row.iter().map(|(c, i)| *c * z[*i]).sum::<Fr>();
        (0..m[0].len()).all(|r| dot(&m[0][r]) * dot(&m[1][r]) == dot(&m[2][r]))
    }

    fn cs_in(mode: SynthesisMode) -> ConstraintSystemRef<Fr> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(mode);
        cs
    }

    const PROVE_ONLY: SynthesisMode = SynthesisMode::Prove {
        construct_matrices: false,
        generate_lc_assignments: false,
    };

    #[test]
    fn setup_and_prove_modes_agree_with_ark_and_native() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        for round in 0..40 {
            let ops = script(&mut rng);
            let expected = native(&ops);

            // Proving with matrices: the values are the native ones and the system holds.
            let full = ConstraintSystem::<Fr>::new_ref();
            let got = synthesize(&full, &ops, true);
            assert_eq!(got, expected.iter().map(|x| Some(*x)).collect::<Vec<_>>());
            assert!(full.is_satisfied().unwrap(), "round {round}: {ops:?}");
            let z = assignment(&full);
            let m = matrices(&full);
            assert!(satisfied(&m, &z), "round {round}");

            // Setup (no values): the same matrices.
            let setup = cs_in(SynthesisMode::Setup);
            synthesize(&setup, &ops, true);
            assert_eq!(setup.num_witness_variables(), full.num_witness_variables());
            assert_eq!(
                setup.num_instance_variables(),
                full.num_instance_variables()
            );
            assert!(matrices(&setup) == m, "round {round}: setup shape differs");

            // Proving without matrices: the same assignment.
            let prove = cs_in(PROVE_ONLY);
            let got = synthesize(&prove, &ops, true);
            assert_eq!(got, expected.iter().map(|x| Some(*x)).collect::<Vec<_>>());
            assert!(
                assignment(&prove) == z,
                "round {round}: prover's witness differs"
            );

            // ark-crypto-primitives' gadget builds the same system, constraint by constraint.
            if round < 10 {
                let ark = ConstraintSystem::<Fr>::new_ref();
                synthesize(&ark, &ops, false);
                assert!(
                    assignment(&ark) == z,
                    "round {round}: witness differs from ark's"
                );
                assert!(
                    matrices(&ark) == m,
                    "round {round}: matrices differ from ark's"
                );
            }
        }
    }

    #[test]
    fn a_changed_sbox_witness_is_caught() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        let ops = vec![
            Op::Absorb(
                (0..9)
                    .map(|i| {
                        (
                            if i % 2 == 0 {
                                Kind::Witness
                            } else {
                                Kind::Symbolic
                            },
                            Fr::rand(&mut rng),
                        )
                    })
                    .collect(),
            ),
            Op::Squeeze(2),
        ];
        let cs = ConstraintSystem::<Fr>::new_ref();
        synthesize(&cs, &ops, true);
        // The inputs come first: one witness per direct element, four per `a + b·c`.
        let num_inputs = 5 + 4 * 4;
        // Then only S-box values (x2, x4, x5 each): the label and the nine elements fill the
        // rate, a permutation at each overflow and one before squeezing. The first full
        // round raises two constants (capacity and label) outside the circuit.
        let cfg = poseidon_config();
        let t = cfg.rate + cfg.capacity;
        let perms = 9 / cfg.rate + 1;
        let sboxes = perms * (cfg.full_rounds * t + cfg.partial_rounds) - 2;
        let num_w = cs.num_witness_variables();
        assert_eq!(num_w - num_inputs, 3 * sboxes);
        let m = matrices(&cs);
        let z = assignment(&cs);
        let offset = cs.num_instance_variables();
        assert!(satisfied(&m, &z));
        for k in (num_inputs..num_w)
            .step_by(37)
            .chain([num_inputs, num_w - 1])
        {
            let mut bad = z.clone();
            bad[offset + k] += Fr::ONE;
            assert!(!satisfied(&m, &bad), "witness {k} changed unnoticed");
            // The constraint system's own check sees it too.
            let cs2 = ConstraintSystem::<Fr>::new_ref();
            synthesize(&cs2, &ops, true);
            cs2.borrow_mut().unwrap().assignments.witness_assignment[k] += Fr::ONE;
            assert!(
                !cs2.is_satisfied().unwrap(),
                "witness {k} changed unnoticed"
            );
        }
    }

    #[test]
    fn constants_only_cost_nothing() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut t = TranscriptVar::new(cs.clone(), b"c").unwrap();
        t.absorb_slice(&vec![FpVar::Constant(Fr::from(3u64)); 6])
            .unwrap();
        let c = t.challenge().unwrap();
        assert!(c.is_constant());
        assert_eq!(cs.num_constraints(), 0);
        let mut n = Transcript::new(b"c");
        n.absorb_slice(&[Fr::from(3u64); 6]);
        assert_eq!(c.value().unwrap(), n.challenge());
    }
}
