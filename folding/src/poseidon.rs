//! Poseidon over BN254 Fr: the one parameter set, a native transcript and its in-circuit twin.
//!
//! Parameters: width t = 9 (rate 8, capacity 1), S-box x^5, 8 full rounds and 63 partial
//! rounds — the Poseidon paper's (ePrint 2019/458) choice for 128-bit security over a 254-bit
//! prime field with t = 9, the one circomlib uses for that width. A permutation absorbs eight
//! elements for 135 S-boxes (51 constraints per element, against 75 at t = 5). Round
//! constants and the MDS matrix come from the paper's Grain LFSR (`find_poseidon_ark_and_mds`
//! in ark-crypto-primitives, with `prime_bits = 254`, no skipped matrices). `tests::params_digest_is_pinned` pins a digest of the whole set.
//!
//! The transcript absorbs a BN254 G1 point (coordinates in Fq, not native here) as three
//! elements, the six limbs of its coordinates (85, 85 and 84 bits each) in pairs; the
//! identity has zero coordinates, which no point of the curve has. The in-circuit twin does
//! the same from the same limbs, so both sides absorb the same elements; the pairs bind the
//! limbs because every circuit range-checks the limbs it absorbs (see [`g1_to_absorb`]).
//!
//! The sponge pads each absorption by the length of its last block, in the capacity
//! ([`pad`]), so that elements differing by trailing zeros hash differently.
//!
//! The in-circuit sponge is [`crate::poseidon_var::PoseidonSpongeVar`]: it builds the same
//! constraints as ark-crypto-primitives' gadget but keeps the state as flat linear
//! combinations, so extracting the shape does not inline chains of symbolic ones.

use std::sync::OnceLock;

use ark_crypto_primitives::sponge::poseidon::{find_poseidon_ark_and_mds, PoseidonConfig};
use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, BigInteger, Field, PrimeField, Zero};
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::poseidon_var::PoseidonSpongeVar;
use crate::{Fq, Fr, GrumpkinAffine, G1};

/// Sponge rate in field elements.
pub const RATE: usize = 8;
/// Sponge capacity in field elements.
pub const CAPACITY: usize = 1;
/// Number of full rounds.
pub const FULL_ROUNDS: usize = 8;
/// Number of partial rounds.
pub const PARTIAL_ROUNDS: usize = 63;
/// S-box exponent.
pub const ALPHA: u64 = 5;
/// Bits in a short challenge (the CycleFold instances' folding scalar `ρ`).
pub const CHALLENGE_BITS: usize = 128;
/// Squeezed bits `c` of a primary fold's scalar `r = 2^128 + 2c + 1` (see
/// [`fold_scalar`]).
pub const FOLD_CHALLENGE_BITS: usize = 127;

/// The primary fold's scalar `r = 2^128 + 2c + 1` for the squeezed `c < 2^127`: an odd
/// 129-bit integer whose binary digits, read as `±1` below the leading one, are the bits of
/// `c` — so the CycleFold circuit computes `r·P` by a ladder `T ← 2T ± P` from `3P` whose
/// partial scalars never meet the exceptional cases of incomplete addition
/// ([`crate::cyclefold`]). `2^127` distinct values.
pub fn fold_scalar(c: Fr) -> Fr {
    c.double() + Fr::ONE + Fr::from(1u128 << 64).square()
}

/// The Poseidon parameters shared by every native and in-circuit hash of the crate.
pub fn poseidon_config() -> &'static PoseidonConfig<Fr> {
    static CONFIG: OnceLock<PoseidonConfig<Fr>> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let (ark, mds) = find_poseidon_ark_and_mds::<Fr>(
            Fr::MODULUS_BIT_SIZE as u64,
            RATE,
            FULL_ROUNDS as u64,
            PARTIAL_ROUNDS as u64,
            0,
        );
        PoseidonConfig::new(FULL_ROUNDS, PARTIAL_ROUNDS, ALPHA, mds, ark, RATE, CAPACITY)
    })
}

/// Maps a domain-separation label to a field element (little-endian, reduced).
pub fn label_to_field(label: &[u8]) -> Fr {
    Fr::from_le_bytes_mod_order(label)
}

/// Bits of the limbs of a BN254 base-field coordinate, least significant first: a
/// coordinate below `q < 2^254` is `l_0 + l_1·2^85 + l_2·2^170`.
pub const COORD_LIMB_BITS: [usize; 3] = [85, 85, 84];

/// The three limbs of an Fq element (see [`COORD_LIMB_BITS`]).
pub fn fq_to_limbs(x: &Fq) -> [u128; 3] {
    int_to_limbs(&x.into_bigint())
}

/// The three limbs of an integer below `2^254` (its bits 0..85, 85..170 and 170..254; higher
/// bits are dropped).
pub(crate) fn int_to_limbs(big: &<Fq as PrimeField>::BigInt) -> [u128; 3] {
    let w = big.as_ref();
    let word = |i: usize| w.get(i).copied().unwrap_or(0) as u128;
    let mask = (1u128 << 85) - 1;
    // Bits 0..85, 85..170 and 170..254 of the four 64-bit words.
    let l0 = (word(0) | word(1) << 64) & mask;
    let l1 = ((word(1) >> 21) | word(2) << 43) & mask;
    let l2 = ((word(2) >> 42) | word(3) << 22) & (mask >> 1);
    [l0, l1, l2]
}

/// The six limbs of a G1 point, `x` then `y` (see [`COORD_LIMB_BITS`]); the identity has
/// zero coordinates, which no point of the curve `y² = x³ + 3` has.
pub fn g1_limbs(p: &G1) -> [u128; 6] {
    match p.xy() {
        Some((x, y)) => {
            let (x, y) = (fq_to_limbs(&x), fq_to_limbs(&y));
            [x[0], x[1], x[2], y[0], y[1], y[2]]
        }
        None => [0; 6],
    }
}

/// The three elements a G1 point is absorbed as: its six limbs ([`g1_limbs`]) in pairs
/// `l_2k + l_2k+1·2^85`, each below `2^170`. The pairs determine the limbs only for limbs
/// within their widths (then a pair is below `2^170 < r`): a circuit that takes a point's
/// limbs as witnesses and relies on absorbed pairs to bind them must range-check them
/// ([`crate::gadgets::G1Var::new_range_checked`]), or `l_2k + 2^85·t, l_2k+1 − t` absorb
/// the same for every `t`.
pub fn g1_to_absorb(p: &G1) -> [Fr; 3] {
    let l = g1_limbs(p);
    let two85 = Fr::from(1u128 << 85);
    [0, 1, 2].map(|k| Fr::from(l[2 * k]) + Fr::from(l[2 * k + 1]) * two85)
}

/// The three elements a Grumpkin point is absorbed as: (x, y, inf), coordinates native in Fr.
pub fn grumpkin_to_absorb(p: &GrumpkinAffine) -> [Fr; 3] {
    match p.xy() {
        Some((x, y)) => [x, y, Fr::from(0u64)],
        None => [Fr::from(0u64), Fr::from(0u64), Fr::from(1u64)],
    }
}

/// Width of the permutation.
const WIDTH: usize = RATE + CAPACITY;

/// `Σ a_k·b_k`, three products at a time through one Montgomery reduction.
pub(crate) fn dot(a: &[Fr], b: &[Fr]) -> Fr {
    let mut sum = Fr::zero();
    for (x, y) in a.chunks_exact(3).zip(b.chunks_exact(3)) {
        sum += Fr::sum_of_products(&[x[0], x[1], x[2]], &[y[0], y[1], y[2]]);
    }
    let tail = a.len() - a.len() % 3;
    for (x, y) in a[tail..].iter().zip(&b[tail..]) {
        sum += *x * y;
    }
    sum
}

/// The partial rounds rewritten with sparse linear layers (the Poseidon paper's appendix B),
/// an equivalent permutation with the same S-box inputs:
///
/// - *Constants.* A partial round's S-box touches element 0 only, so the other elements of
///   its round constant can be added after it: pushed through the MDS matrix `M` into the
///   next round's constant, and from the last partial round into the full round after it
///   (`carry`). A partial round then adds the scalar `k_j` to element 0.
/// - *Matrices.* Write `M = [[m00, m0ᵀ], [m1, M̂]]`. The state `x` of the rounds is kept as
///   `z` with `x = diag(1, M̂^j)·z` after `j` partial rounds: `diag(1, M̂^j)` leaves
///   element 0 alone, so it commutes with the S-box, and round `j` becomes
///   `z ← [[m00, v_jᵀ], [w_j, I]]·S0(z + k_j·e0)` with `v_jᵀ = m0ᵀ·M̂^j` and
///   `w_j = M̂^(−(j+1))·m1`: 17 multiplications instead of 81. After the last one
///   `x = diag(1, M̂^63)·z` (`tail`).
struct SparseRounds {
    k: Vec<Fr>,
    v: Vec<[Fr; WIDTH - 1]>,
    w: Vec<[Fr; WIDTH - 1]>,
    tail: Vec<[Fr; WIDTH - 1]>,
    carry: [Fr; WIDTH],
}

/// `a·b` for square matrices of rows.
fn mat_mul(a: &[[Fr; WIDTH - 1]], b: &[[Fr; WIDTH - 1]]) -> Vec<[Fr; WIDTH - 1]> {
    a.iter()
        .map(|row| std::array::from_fn(|c| row.iter().zip(b).map(|(x, r)| *x * r[c]).sum()))
        .collect()
}

/// `a·v`.
fn mat_vec(a: &[[Fr; WIDTH - 1]], v: &[Fr; WIDTH - 1]) -> [Fr; WIDTH - 1] {
    std::array::from_fn(|r| a[r].iter().zip(v).map(|(x, y)| *x * y).sum())
}

/// The inverse of a square matrix by Gauss–Jordan elimination (`M̂` is invertible: every
/// square submatrix of an MDS matrix is).
fn mat_inverse(a: &[[Fr; WIDTH - 1]]) -> Vec<[Fr; WIDTH - 1]> {
    let n = WIDTH - 1;
    let mut m: Vec<Vec<Fr>> = a
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.to_vec();
            r.extend((0..n).map(|j| if i == j { Fr::ONE } else { Fr::ZERO }));
            r
        })
        .collect();
    for col in 0..n {
        let pivot = (col..n)
            .find(|&r| !m[r][col].is_zero())
            .expect("a submatrix of an MDS matrix is invertible");
        m.swap(col, pivot);
        let inv = m[col][col].inverse().expect("a non-zero pivot");
        for x in m[col].iter_mut() {
            *x *= inv;
        }
        for r in 0..n {
            if r != col && !m[r][col].is_zero() {
                let f = m[r][col];
                let pivot_row = m[col].clone();
                for (x, p) in m[r].iter_mut().zip(pivot_row) {
                    *x -= f * p;
                }
            }
        }
    }
    m.iter()
        .map(|r| std::array::from_fn(|c| r[n + c]))
        .collect()
}

fn sparse_rounds() -> &'static SparseRounds {
    static ROUNDS: OnceLock<SparseRounds> = OnceLock::new();
    ROUNDS.get_or_init(|| {
        let cfg = poseidon_config();
        let m = &cfg.mds;
        let first = FULL_ROUNDS / 2;
        let m_hat: Vec<[Fr; WIDTH - 1]> = (1..WIDTH)
            .map(|r| std::array::from_fn(|c| m[r][c + 1]))
            .collect();
        let m_hat_t: Vec<[Fr; WIDTH - 1]> = (0..WIDTH - 1)
            .map(|r| std::array::from_fn(|c| m_hat[c][r]))
            .collect();
        let m_hat_inv = mat_inverse(&m_hat);
        let m0: [Fr; WIDTH - 1] = std::array::from_fn(|c| m[0][c + 1]);
        let m1: [Fr; WIDTH - 1] = std::array::from_fn(|r| m[r + 1][0]);
        let (mut k, mut v, mut w) = (Vec::new(), Vec::new(), Vec::new());
        let (mut carry, mut vj, mut wj) = ([Fr::ZERO; WIDTH], m0, mat_vec(&m_hat_inv, &m1));
        let mut tail: Vec<[Fr; WIDTH - 1]> = m_hat.clone();
        for j in 0..PARTIAL_ROUNDS {
            let eff: [Fr; WIDTH] = std::array::from_fn(|i| cfg.ark[first + j][i] + carry[i]);
            k.push(eff[0]);
            carry = std::array::from_fn(|r| (1..WIDTH).map(|c| m[r][c] * eff[c]).sum());
            v.push(vj);
            w.push(wj);
            vj = mat_vec(&m_hat_t, &vj);
            wj = mat_vec(&m_hat_inv, &wj);
            if j > 0 {
                tail = mat_mul(&m_hat, &tail);
            }
        }
        SparseRounds {
            k,
            v,
            w,
            tail,
            carry,
        }
    })
}

/// The permutation: the full rounds as written, the partial ones through [`SparseRounds`]
/// (about 2.7× fewer multiplications in all). With `sboxes`, the input of every S-box is
/// pushed there in order (a full round's nine, then each partial round's one).
pub(crate) fn permute(state: &mut [Fr; WIDTH], mut sboxes: Option<&mut Vec<Fr>>) {
    let cfg = poseidon_config();
    let sparse = sparse_rounds();
    let half = FULL_ROUNDS / 2;
    let pow5 = |x: Fr| {
        let x2 = x.square();
        x * x2.square()
    };
    let full_round = |state: &mut [Fr; WIDTH], ark: &[Fr], sboxes: &mut Option<&mut Vec<Fr>>| {
        for (x, c) in state.iter_mut().zip(ark) {
            *x += c;
            if let Some(out) = sboxes.as_deref_mut() {
                out.push(*x);
            }
            *x = pow5(*x);
        }
        let old = *state;
        for (x, row) in state.iter_mut().zip(&cfg.mds) {
            *x = dot(row, &old);
        }
    };
    for ark in &cfg.ark[..half] {
        full_round(state, ark, &mut sboxes);
    }
    let m00 = cfg.mds[0][0];
    for j in 0..PARTIAL_ROUNDS {
        let s = state[0] + sparse.k[j];
        if let Some(out) = sboxes.as_deref_mut() {
            out.push(s);
        }
        let s = pow5(s);
        let rest = &state[1..];
        let first = m00 * s + dot(&sparse.v[j], rest);
        for (x, w) in state[1..].iter_mut().zip(&sparse.w[j]) {
            *x += *w * s;
        }
        state[0] = first;
    }
    let rest: [Fr; WIDTH - 1] = std::array::from_fn(|i| state[i + 1]);
    for (i, row) in sparse.tail.iter().enumerate() {
        state[i + 1] = dot(row, &rest);
    }
    for (x, c) in state.iter_mut().zip(&sparse.carry) {
        *x += c;
    }
    for ark in &cfg.ark[half + PARTIAL_ROUNDS..] {
        full_round(state, ark, &mut sboxes);
    }
}

/// What the first permutation of a squeeze adds to the capacity element when the absorption
/// before it left `last` elements in its last block (natively and in-circuit alike).
///
/// Without it the sponge had no padding: absorbing a zero adds nothing to the state, so
/// `hash([a, b])` and `hash([a, b, 0])` were equal, and so were any two transcripts that
/// differ by zeros at the end of an absorption. With it, an absorption of `L ≥ 1` elements
/// (between two squeezes, or from the start; [`Transcript`]'s label makes the first one
/// non-empty) is split into `⌈L/8⌉` blocks: every block but the last is followed by a plain
/// permutation and the last, of `L − 8·(⌈L/8⌉ − 1) ∈ 1..=8` elements, by the squeeze's
/// permutation with that number in the capacity. Given the lengths of the squeezes (which a
/// protocol fixes), the inputs of the permutations therefore determine every absorbed
/// element and every absorption's length; two transcripts that differ in either feed
/// different inputs to some permutation, after which their outputs are unrelated (the
/// sponge argument, with a capacity the absorbed elements never reach). It is the
/// Poseidon paper's domain separation in the capacity, for lengths known only at the
/// squeeze: no element is absorbed for it, so no hash costs an extra permutation, and
/// in-circuit it is a constant added to a linear combination (no constraint).
pub(crate) fn pad(last: usize) -> Fr {
    Fr::from(last as u64)
}

/// Where a sponge (this module's or [`crate::poseidon_var`]'s) is in its duplex schedule:
/// the next rate position to absorb into or to squeeze from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Duplex {
    Absorbing(usize),
    Squeezing(usize),
}

/// The native duplex sponge: the schedule of ark-crypto-primitives' `PoseidonSponge` (which a
/// test compares it with) over [`permute`], plus a padding rule of its own: the permutation
/// that ends an absorption (the first of a squeeze) first adds the number of elements in
/// the absorption's last block to the capacity element ([`pad`]). The transcript hashes of
/// a step (its state hashes, fold transcripts and the check of the circuit's output hash)
/// took about 3% of a step at 2^10 through ark's sponge.
#[derive(Clone, Debug)]
struct Sponge {
    state: [Fr; WIDTH],
    duplex: Duplex,
}

impl Sponge {
    fn new() -> Self {
        Self {
            state: [Fr::ZERO; WIDTH],
            duplex: Duplex::Absorbing(0),
        }
    }

    fn permute(&mut self) {
        permute(&mut self.state, None);
    }

    /// Adds `xs` into the rate from position `start`, permuting whenever the rate is full.
    fn absorb_from(&mut self, mut start: usize, mut xs: &[Fr]) {
        loop {
            let n = (RATE - start).min(xs.len());
            for (x, v) in self.state[CAPACITY + start..].iter_mut().zip(&xs[..n]) {
                *x += v;
            }
            if start + xs.len() <= RATE {
                self.duplex = Duplex::Absorbing(start + xs.len());
                return;
            }
            self.permute();
            xs = &xs[n..];
            start = 0;
        }
    }

    fn absorb(&mut self, xs: &[Fr]) {
        if xs.is_empty() {
            return;
        }
        match self.duplex {
            Duplex::Absorbing(next) if next == RATE => {
                self.permute();
                self.absorb_from(0, xs);
            }
            Duplex::Absorbing(next) => self.absorb_from(next, xs),
            Duplex::Squeezing(_) => self.absorb_from(0, xs),
        }
    }

    fn squeeze(&mut self, n: usize) -> Vec<Fr> {
        let mut start = match self.duplex {
            Duplex::Absorbing(last) => {
                self.state[0] += pad(last);
                self.permute();
                0
            }
            Duplex::Squeezing(next) if next == RATE => {
                self.permute();
                0
            }
            Duplex::Squeezing(next) => next,
        };
        let mut out = Vec::with_capacity(n);
        loop {
            let take = (RATE - start).min(n - out.len());
            out.extend_from_slice(&self.state[CAPACITY + start..CAPACITY + start + take]);
            if out.len() == n {
                self.duplex = Duplex::Squeezing(start + take);
                return out;
            }
            self.permute();
            start = 0;
        }
    }

    /// `n` bits: the low `MODULUS_BIT_SIZE − 1` bits of each squeezed element, least
    /// significant first.
    fn squeeze_bits(&mut self, n: usize) -> Vec<bool> {
        let usable = (Fr::MODULUS_BIT_SIZE - 1) as usize;
        let mut bits = Vec::with_capacity(n.div_ceil(usable) * usable);
        for e in self.squeeze(n.div_ceil(usable)) {
            bits.extend_from_slice(&e.into_bigint().to_bits_le()[..usable]);
        }
        bits.truncate(n);
        bits
    }
}

/// A Fiat–Shamir transcript over the crate's Poseidon sponge.
#[derive(Clone)]
pub struct Transcript {
    sponge: Sponge,
}

impl Transcript {
    /// A transcript whose first absorbed element is `label`.
    pub fn new(label: &[u8]) -> Self {
        let mut sponge = Sponge::new();
        sponge.absorb(&[label_to_field(label)]);
        Self { sponge }
    }

    /// Absorbs one field element.
    pub fn absorb(&mut self, x: &Fr) {
        self.sponge.absorb(std::slice::from_ref(x));
    }

    /// Absorbs field elements in order.
    pub fn absorb_slice(&mut self, xs: &[Fr]) {
        self.sponge.absorb(xs);
    }

    /// Absorbs a BN254 G1 point (see [`g1_to_absorb`]).
    pub fn absorb_g1(&mut self, p: &G1) {
        self.absorb_slice(&g1_to_absorb(p));
    }

    /// Absorbs a Grumpkin point (see [`grumpkin_to_absorb`]).
    pub fn absorb_grumpkin(&mut self, p: &GrumpkinAffine) {
        self.absorb_slice(&grumpkin_to_absorb(p));
    }

    /// Squeezes one full-size challenge.
    pub fn challenge(&mut self) -> Fr {
        self.sponge.squeeze(1)[0]
    }

    /// Squeezes `n` full-size challenges.
    pub fn challenges(&mut self, n: usize) -> Vec<Fr> {
        self.sponge.squeeze(n)
    }

    /// Squeezes one challenge `b` and returns the point `(b, b^2, b^4, …, b^(2^(n−1)))`
    /// (nothing is squeezed for `n = 0`). A multilinear polynomial in `n` variables that is
    /// not zero stays non-zero as a polynomial in `b` on this curve, of degree below `2^n`
    /// (`docs/FOLDING.md` §2), so the point serves as a random one at the cost of one
    /// squeeze and `n − 1` squarings.
    pub fn power_challenges(&mut self, n: usize) -> Vec<Fr> {
        if n == 0 {
            return Vec::new();
        }
        let mut out = vec![self.challenge()];
        for _ in 1..n {
            let last = out[out.len() - 1];
            out.push(last.square());
        }
        out
    }

    /// Squeezes a primary fold's scalar: returns the [`FOLD_CHALLENGE_BITS`] bits of `c`
    /// (little-endian) and `r =` [`fold_scalar`]`(c)`.
    pub fn fold_challenge(&mut self) -> (Vec<bool>, Fr) {
        let bits = self.sponge.squeeze_bits(FOLD_CHALLENGE_BITS);
        let c = Fr::from_bigint(BigInteger::from_bits_le(&bits)).unwrap_or_default();
        (bits, fold_scalar(c))
    }

    /// Squeezes a [`CHALLENGE_BITS`]-bit challenge; returns its bits (little-endian) and value.
    pub fn short_challenge(&mut self) -> (Vec<bool>, Fr) {
        let bits = self.sponge.squeeze_bits(CHALLENGE_BITS);
        let value = Fr::from_bigint(BigInteger::from_bits_le(&bits)).unwrap_or_default();
        (bits, value)
    }
}

/// Poseidon hash of a list of field elements under a label (a fresh transcript's challenge).
pub fn hash(label: &[u8], xs: &[Fr]) -> Fr {
    let mut t = Transcript::new(label);
    t.absorb_slice(xs);
    t.challenge()
}

/// The in-circuit twin of [`Transcript`], on the sponge gadget of [`crate::poseidon_var`].
pub struct TranscriptVar {
    sponge: PoseidonSpongeVar,
}

impl TranscriptVar {
    /// The twin of [`Transcript::new`].
    pub fn new(cs: ConstraintSystemRef<Fr>, label: &[u8]) -> Result<Self, SynthesisError> {
        let mut sponge = PoseidonSpongeVar::new(cs);
        sponge.absorb(&[FpVar::Constant(label_to_field(label))])?;
        Ok(Self { sponge })
    }

    /// The twin of [`Transcript::absorb`].
    pub fn absorb(&mut self, x: &FpVar<Fr>) -> Result<(), SynthesisError> {
        self.sponge.absorb(std::slice::from_ref(x))
    }

    /// The twin of [`Transcript::absorb_slice`].
    pub fn absorb_slice(&mut self, xs: &[FpVar<Fr>]) -> Result<(), SynthesisError> {
        self.sponge.absorb(xs)
    }

    /// The twin of [`Transcript::challenge`].
    pub fn challenge(&mut self) -> Result<FpVar<Fr>, SynthesisError> {
        self.sponge
            .squeeze(1)?
            .pop()
            .ok_or(SynthesisError::Unsatisfiable)
    }

    /// The twin of [`Transcript::challenges`].
    pub fn challenges(&mut self, n: usize) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        self.sponge.squeeze(n)
    }

    /// The twin of [`Transcript::power_challenges`].
    pub fn power_challenges(&mut self, n: usize) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let mut out = vec![self.challenge()?];
        for _ in 1..n {
            let last = out[out.len() - 1].square()?;
            out.push(last);
        }
        Ok(out)
    }

    /// The twin of [`Transcript::fold_challenge`].
    pub fn fold_challenge(&mut self) -> Result<(Vec<Boolean<Fr>>, FpVar<Fr>), SynthesisError> {
        let bits = self.sponge.squeeze_bits(FOLD_CHALLENGE_BITS)?;
        let c = Boolean::le_bits_to_fp(&bits)?;
        let value = c.double()? + fold_scalar(Fr::ZERO);
        Ok((bits, value))
    }

    /// The twin of [`Transcript::short_challenge`].
    pub fn short_challenge(&mut self) -> Result<(Vec<Boolean<Fr>>, FpVar<Fr>), SynthesisError> {
        let bits = self.sponge.squeeze_bits(CHALLENGE_BITS)?;
        let value = Boolean::le_bits_to_fp(&bits)?;
        Ok((bits, value))
    }
}

/// The in-circuit twin of [`hash`].
pub fn hash_var(
    cs: ConstraintSystemRef<Fr>,
    label: &[u8],
    xs: &[FpVar<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    let mut t = TranscriptVar::new(cs, label)?;
    t.absorb_slice(xs)?;
    t.challenge()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use ark_r1cs_std::prelude::*;
    use ark_relations::gr1cs::ConstraintSystem;
    use ark_serialize::CanonicalSerialize;
    use sha2::{Digest, Sha256};

    #[test]
    fn sparse_partial_rounds_keep_the_state_and_the_sbox_inputs() {
        let cfg = poseidon_config();
        let mut rng = ark_std::test_rng();
        for _ in 0..20 {
            let start: [Fr; WIDTH] = std::array::from_fn(|_| Fr::rand(&mut rng));
            // The rounds as written, with every S-box input.
            let (mut plain, mut plain_inputs) = (start, Vec::new());
            for (r, ark) in cfg.ark.iter().enumerate() {
                for (x, c) in plain.iter_mut().zip(ark) {
                    *x += c;
                }
                let partial = (FULL_ROUNDS / 2..FULL_ROUNDS / 2 + PARTIAL_ROUNDS).contains(&r);
                for x in plain.iter_mut().take(if partial { 1 } else { WIDTH }) {
                    plain_inputs.push(*x);
                    *x = x.pow([ALPHA]);
                }
                plain = std::array::from_fn(|i| (0..WIDTH).map(|j| cfg.mds[i][j] * plain[j]).sum());
            }
            let (mut fast, mut inputs) = (start, Vec::new());
            permute(&mut fast, Some(&mut inputs));
            assert_eq!(fast, plain);
            assert_eq!(inputs, plain_inputs);
            assert_eq!(inputs.len(), FULL_ROUNDS * WIDTH + PARTIAL_ROUNDS);
        }
    }

    /// ark's sponge with this module's padding: [`pad`] added to its capacity element before
    /// a squeeze ends an absorption.
    fn pad_ark(ark: &mut ark_crypto_primitives::sponge::poseidon::PoseidonSponge<Fr>) {
        use ark_crypto_primitives::sponge::DuplexSpongeMode;
        if let DuplexSpongeMode::Absorbing { next_absorb_index } = ark.mode {
            ark.state[0] += pad(next_absorb_index);
        }
    }

    #[test]
    fn the_sponge_follows_arks_schedule_and_permutation() {
        use ark_crypto_primitives::sponge::poseidon::PoseidonSponge;
        use ark_crypto_primitives::sponge::{CryptographicSponge, FieldBasedCryptographicSponge};
        use ark_std::rand::{Rng, SeedableRng};
        let mut rng = ark_std::rand::rngs::StdRng::seed_from_u64(5);
        for _ in 0..50 {
            let mut ours = Sponge::new();
            let mut ark = PoseidonSponge::new(poseidon_config());
            for _ in 0..12 {
                let n = rng.gen_range(0..20);
                match rng.gen_range(0..3) {
                    0 => {
                        let xs: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
                        ours.absorb(&xs);
                        ark.absorb(&xs);
                    }
                    1 => {
                        pad_ark(&mut ark);
                        assert_eq!(ours.squeeze(n), ark.squeeze_native_field_elements(n))
                    }
                    _ => {
                        pad_ark(&mut ark);
                        assert_eq!(ours.squeeze_bits(40 * n), ark.squeeze_bits(40 * n))
                    }
                }
            }
            pad_ark(&mut ark);
            assert_eq!(ours.squeeze(3), ark.squeeze_native_field_elements(3));
        }
    }

    /// Elements that differ only by zeros at the end of an absorption hash differently,
    /// natively and in-circuit alike, across block boundaries (a label and 7 elements fill
    /// the first block); and in the middle of a transcript.
    #[test]
    fn trailing_zeros_change_the_hash() {
        let mut rng = ark_std::test_rng();
        let (a, b) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
        assert_ne!(hash(b"h", &[a, b]), hash(b"h", &[a, b, Fr::ZERO]));
        assert_ne!(hash(b"h", &[]), hash(b"h", &[Fr::ZERO]));
        let circuit = |xs: &[Fr]| {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let xv: Vec<FpVar<Fr>> = xs
                .iter()
                .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
                .collect();
            let h = hash_var(cs.clone(), b"h", &xv).unwrap().value().unwrap();
            assert!(cs.is_satisfied().unwrap());
            h
        };
        for len in 0..=17 {
            let mut xs: Vec<Fr> = (0..len).map(|_| Fr::rand(&mut rng)).collect();
            let mut hashes = Vec::new();
            for _ in 0..=9 {
                let h = hash(b"h", &xs);
                assert_eq!(circuit(&xs), h, "length {}", xs.len());
                hashes.push(h);
                xs.push(Fr::ZERO);
            }
            for (i, h) in hashes.iter().enumerate() {
                assert!(!hashes[..i].contains(h), "length {len} + {i} zeros");
            }
        }
        // In the middle of a transcript: the absorption after a squeeze is padded too.
        let challenge_after = |xs: &[Fr]| {
            let mut t = Transcript::new(b"t");
            t.absorb_slice(&[a, b]);
            let _ = t.challenge();
            t.absorb_slice(xs);
            t.challenge()
        };
        assert_ne!(challenge_after(&[a]), challenge_after(&[a, Fr::ZERO]));
        assert_ne!(challenge_after(&[a; 8]), {
            let mut xs = vec![a; 8];
            xs.extend([Fr::ZERO; 8]);
            challenge_after(&xs)
        });
    }

    #[test]
    fn params_digest_is_pinned() {
        let mut bytes = Vec::new();
        poseidon_config().serialize_compressed(&mut bytes).unwrap();
        let digest = Sha256::digest(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(poseidon_config().ark.len(), FULL_ROUNDS + PARTIAL_ROUNDS);
        assert_eq!(
            hex,
            "d32892c07dac8c93b0be0135032d7bdd5b4b2a3d225e31ae3be0389673c89eca"
        );
    }

    #[test]
    fn native_and_circuit_transcripts_agree() {
        let mut rng = ark_std::test_rng();
        for n in [0usize, 1, 3, 4, 5, 9] {
            let xs: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            let mut t = Transcript::new(b"test");
            t.absorb_slice(&xs);
            let c1 = t.challenge();
            let cs2 = t.challenges(2);
            let powers = t.power_challenges(n);
            let (fbits, fold) = t.fold_challenge();
            let (bits, short) = t.short_challenge();

            let cs = ConstraintSystem::<Fr>::new_ref();
            let xv: Vec<FpVar<Fr>> = xs
                .iter()
                .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
                .collect();
            let mut tv = TranscriptVar::new(cs.clone(), b"test").unwrap();
            tv.absorb_slice(&xv).unwrap();
            assert_eq!(tv.challenge().unwrap().value().unwrap(), c1);
            let v2: Vec<Fr> = tv
                .challenges(2)
                .unwrap()
                .iter()
                .map(|v| v.value().unwrap())
                .collect();
            assert_eq!(v2, cs2);
            let pv: Vec<Fr> = tv
                .power_challenges(n)
                .unwrap()
                .iter()
                .map(|v| v.value().unwrap())
                .collect();
            assert_eq!(pv, powers);
            if n > 1 {
                assert_eq!(powers[1], powers[0] * powers[0]);
                assert_eq!(powers[n - 1], powers[n - 2].square());
            }
            let (fbv, fv) = tv.fold_challenge().unwrap();
            assert_eq!(fv.value().unwrap(), fold);
            let fbv: Vec<bool> = fbv.iter().map(|b| b.value().unwrap()).collect();
            assert_eq!(fbv, fbits);
            let c = Fr::from_bigint(BigInteger::from_bits_le(&fbits)).unwrap();
            assert_eq!(fold, c + c + Fr::ONE + Fr::from(2u64).pow([128]));
            let (bv, sv) = tv.short_challenge().unwrap();
            assert_eq!(sv.value().unwrap(), short);
            let bv: Vec<bool> = bv.iter().map(|b| b.value().unwrap()).collect();
            assert_eq!(bv, bits);
            assert!(cs.is_satisfied().unwrap());
            assert_eq!(hash(b"h", &xs), {
                let cs = ConstraintSystem::<Fr>::new_ref();
                let xv: Vec<FpVar<Fr>> = xs.iter().map(|x| FpVar::Constant(*x)).collect();
                hash_var(cs, b"h", &xv).unwrap().value().unwrap()
            });
        }
    }

    #[test]
    fn coordinate_limbs_recompose_and_fit_their_widths() {
        let mut rng = ark_std::test_rng();
        let samples = [
            Fq::from(0u64),
            Fq::from(1u64),
            -Fq::from(1u64),
            Fq::rand(&mut rng),
        ];
        for x in samples
            .into_iter()
            .chain((0..50).map(|_| Fq::rand(&mut rng)))
        {
            let l = fq_to_limbs(&x);
            for (limb, bits) in l.iter().zip(COORD_LIMB_BITS) {
                assert!(*limb < 1u128 << bits, "{limb} has more than {bits} bits");
            }
            let two85 = Fq::from(1u128 << 85);
            assert_eq!(
                Fq::from(l[0]) + (Fq::from(l[1]) + Fq::from(l[2]) * two85) * two85,
                x
            );
        }
        assert_eq!(g1_limbs(&G1::zero()), [0; 6]);
    }

    #[test]
    fn g1_absorption_is_injective_on_samples() {
        let mut rng = ark_std::test_rng();
        let p = G1::rand(&mut rng);
        let q = G1::rand(&mut rng);
        assert_ne!(g1_to_absorb(&p), g1_to_absorb(&q));
        assert_ne!(g1_to_absorb(&G1::zero()), g1_to_absorb(&p));
        let neg = -p;
        assert_ne!(g1_to_absorb(&neg), g1_to_absorb(&p));
    }
}
#[cfg(test)]
mod reference_tests {
    use super::*;
    use ark_ff::MontFp;

    /// The generator reproduces the reference script's constants: for t = 3 (8 full, 57
    /// partial rounds) its first round constant is the one published with circomlib's
    /// Poseidon, which was generated by the same Grain LFSR script.
    #[test]
    fn grain_lfsr_matches_reference_for_t3() {
        let (ark, _) = find_poseidon_ark_and_mds::<Fr>(254, 2, 8, 57, 0);
        let expected: Fr =
            MontFp!("6745197990210204598374042828761989596302876299545964402857411729872131034734");
        assert_eq!(ark[0][0], expected);
    }

    use ark_ff::UniformRand;
    use ark_r1cs_std::prelude::*;
    use ark_relations::gr1cs::ConstraintSystem;

    // The padding against every split and zero run of a few small schedules.

    /// Split-invariance (absorbing a sequence in any number of calls is the same as in
    /// one), natively, for every split of lengths 0..=12; and every length 0..=12 of zeros
    /// hashes differently.
    #[test]
    fn splits_are_invisible_and_lengths_are_not() {
        let mut rng = ark_std::test_rng();
        let mut seen = Vec::new();
        for len in 0..=12usize {
            let xs: Vec<Fr> = (0..len).map(|_| Fr::rand(&mut rng)).collect();
            let whole = hash(b"s", &xs);
            for mask in 0u32..(1 << len.saturating_sub(1)) {
                let mut t = Transcript::new(b"s");
                let mut start = 0;
                for j in 0..len {
                    if j + 1 == len || mask >> j & 1 == 1 {
                        t.absorb_slice(&xs[start..=j]);
                        t.absorb_slice(&[]);
                        start = j + 1;
                    }
                }
                assert_eq!(t.challenge(), whole, "len {len} mask {mask:b}");
            }
            let z = hash(b"s", &vec![Fr::ZERO; len]);
            assert!(!seen.contains(&z));
            seen.push(z);
        }
    }

    /// Two-absorption transcripts `label, A, squeeze(s1), B, squeeze(s2)` with A and B runs of
    /// zeros: for each squeeze schedule, every pair of lengths (0..=17, 0..=17) gives a
    /// distinct final challenge and a distinct first one for distinct |A|.
    #[test]
    fn zero_runs_across_a_squeeze_never_collide() {
        for (s1, s2) in [(1usize, 1usize), (8, 1), (9, 1), (0, 1), (3, 9)] {
            let mut finals = std::collections::HashMap::new();
            for a in 0..=17usize {
                for b in 0..=17usize {
                    let mut t = Transcript::new(b"z");
                    t.absorb_slice(&vec![Fr::ZERO; a]);
                    let _ = t.challenges(s1);
                    t.absorb_slice(&vec![Fr::ZERO; b]);
                    let c = t.challenges(s2);
                    if let Some(prev) = finals.insert(c.clone(), (a, b)) {
                        panic!("schedule ({s1},{s2}): {prev:?} and {:?} collide", (a, b));
                    }
                }
            }
        }
    }

    /// The native sponge and the in-circuit one on every absorb length 0..=17, squeeze
    /// sizes including 0 and a full rate, a second absorption and squeeze, and squeezed bits.
    #[test]
    fn native_and_circuit_agree_on_every_length() {
        use crate::poseidon_var::PoseidonSpongeVar;
        let mut rng = ark_std::test_rng();
        for a1 in 0..=17usize {
            for s1 in [0usize, 1, 7, 8, 9] {
                for a2 in [0usize, 1, 8, 9] {
                    for s2 in [1usize, 9] {
                        let xs: Vec<Fr> = (0..a1 + a2).map(|_| Fr::rand(&mut rng)).collect();
                        let mut n = Sponge::new();
                        n.absorb(&[label_to_field(b"l")]);
                        n.absorb(&xs[..a1]);
                        let mut out = n.squeeze(s1);
                        n.absorb(&xs[a1..]);
                        out.extend(n.squeeze(s2));
                        let bits = n.squeeze_bits(300);

                        let cs = ConstraintSystem::<Fr>::new_ref();
                        let xv: Vec<FpVar<Fr>> = xs
                            .iter()
                            .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
                            .collect();
                        let mut v = PoseidonSpongeVar::new(cs.clone());
                        v.absorb(&[FpVar::Constant(label_to_field(b"l"))]).unwrap();
                        v.absorb(&xv[..a1]).unwrap();
                        let mut vo = v.squeeze(s1).unwrap();
                        v.absorb(&xv[a1..]).unwrap();
                        vo.extend(v.squeeze(s2).unwrap());
                        let vb = v.squeeze_bits(300).unwrap();
                        let vo: Vec<Fr> = vo.iter().map(|e| e.value().unwrap()).collect();
                        let vb: Vec<bool> = vb.iter().map(|b| b.value().unwrap()).collect();
                        assert_eq!(vo, out, "{a1} {s1} {a2} {s2}");
                        assert_eq!(vb, bits, "{a1} {s1} {a2} {s2}");
                        assert!(cs.is_satisfied().unwrap());
                    }
                }
            }
        }
    }
}
